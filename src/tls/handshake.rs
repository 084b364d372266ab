//! What a handshake negotiated, as data, read from rustls' `CommonState`.

use rustls::{CommonState, HandshakeKind};
use serde::Serialize;

/// The facts of one completed handshake.
#[derive(Debug, Clone, Serialize)]
pub struct HandshakeInfo {
    /// `TLSv1.3` or `TLSv1.2`.
    pub protocol: Protocol,
    /// IANA name of the cipher suite.
    pub cipher_suite: String,
    /// Key-exchange group (`X25519MLKEM768`, `X25519`, `secp256r1`, …).
    pub group: Option<String>,
    /// Whether the group is a post-quantum hybrid.
    pub post_quantum: bool,
    /// Negotiated ALPN protocol, sanitized.
    pub alpn: Option<String>,
    /// `full`, `full_with_hello_retry_request` or `resumed`.
    pub handshake_kind: Kind,
}

/// The TLS version a handshake negotiated, named as OpenSSL and JSON name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Protocol {
    /// TLS 1.3.
    #[serde(rename = "TLSv1.3")]
    Tls13,
    /// TLS 1.2.
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// Not known (the handshake is not complete; tlskit negotiates nothing else).
    #[serde(rename = "unknown")]
    Unknown,
}

impl Protocol {
    /// The name as JSON spells it.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tls13 => "TLSv1.3",
            Protocol::Tls12 => "TLSv1.2",
            Protocol::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a handshake went, as JSON names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A full handshake.
    Full,
    /// A full handshake after a HelloRetryRequest (the server wanted another key share).
    FullWithHelloRetryRequest,
    /// A resumed session.
    Resumed,
    /// Not known (the handshake is not complete).
    Unknown,
}

impl Kind {
    /// The name as JSON spells it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Full => "full",
            Kind::FullWithHelloRetryRequest => "full_with_hello_retry_request",
            Kind::Resumed => "resumed",
            Kind::Unknown => "unknown",
        }
    }
}

impl HandshakeInfo {
    /// Reads the negotiated parameters of a connection whose handshake is complete.
    pub fn from_state(state: &CommonState) -> HandshakeInfo {
        let protocol = match state.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => Protocol::Tls13,
            Some(rustls::ProtocolVersion::TLSv1_2) => Protocol::Tls12,
            // rustls negotiates nothing else.
            _ => Protocol::Unknown,
        };
        let cipher_suite = state
            .negotiated_cipher_suite()
            .map(|s| suite_name(s.suite()))
            .unwrap_or_else(|| "unknown".to_string());
        let group = state
            .negotiated_key_exchange_group()
            .map(|g| group_name(g.name()));
        let post_quantum = group.as_deref().is_some_and(is_post_quantum);
        let alpn = state.alpn_protocol().map(crate::text::sanitize_bytes);
        let handshake_kind = match state.handshake_kind() {
            Some(HandshakeKind::Full) => Kind::Full,
            Some(HandshakeKind::FullWithHelloRetryRequest) => Kind::FullWithHelloRetryRequest,
            Some(HandshakeKind::Resumed) => Kind::Resumed,
            None => Kind::Unknown,
        };
        HandshakeInfo {
            protocol,
            cipher_suite,
            group,
            post_quantum,
            alpn,
            handshake_kind,
        }
    }

    /// The group with a "(post-quantum hybrid)" mark where it applies.
    pub fn group_display(&self) -> String {
        match &self.group {
            Some(g) if self.post_quantum => format!("{g} (post-quantum hybrid)"),
            Some(g) => g.clone(),
            None => "none".to_string(),
        }
    }
}

/// IANA name of a cipher suite, as OpenSSL, curl and sslyze print it
/// (`TLS_AES_128_GCM_SHA256`: rustls spells the TLS 1.3 ones `TLS13_…`).
pub fn suite_name(suite: rustls::CipherSuite) -> String {
    let name = suite
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{suite:?}"));
    match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name,
    }
}

/// IANA name of a named group.
pub fn group_name(group: rustls::NamedGroup) -> String {
    group
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{group:?}"))
}

/// Whether a group name is a post-quantum hybrid (ML-KEM, Kyber).
pub fn is_post_quantum(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("MLKEM") || n.contains("KYBER")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pq_groups_are_marked() {
        assert!(is_post_quantum("X25519MLKEM768"));
        assert!(is_post_quantum("SecP256r1MLKEM768"));
        assert!(!is_post_quantum("X25519"));
        assert_eq!(group_name(rustls::NamedGroup::X25519), "X25519");
        assert_eq!(
            suite_name(rustls::CipherSuite::TLS13_AES_128_GCM_SHA256),
            "TLS_AES_128_GCM_SHA256"
        );
        assert_eq!(
            suite_name(rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        );
    }
}
