//! DTLS, TLS for datagrams: a client and a many-peer echo server driven over
//! a tokio `UdpSocket` by `dimpl`, a sans-IO DTLS 1.2 and 1.3 state machine.
//!
//! dimpl checks that the peer holds the key of the certificate it sent, and
//! nothing more: it hands over the peer's leaf, and tlskit verifies it here
//! with the same verifiers, roots, pins and plain-language reasons as TLS
//! (`crate::tls::verify`, `crate::tls::explain`). dimpl signs with ECDSA
//! P-256 and P-384 keys only, so an identity is checked for that up front.

pub mod alert;
pub mod bench;
pub mod client;
pub mod legacy;
pub mod scan;
pub mod server;
pub mod wire;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use dimpl::{Dtls, DtlsCertificate};
use rustls::pki_types::PrivateKeyDer;
use rustls::SignatureScheme;
use serde::Serialize;

use crate::tls::config::Identity;
use crate::tls::error::{self, Failure};

/// The datagram size used unless told otherwise: IPv6's minimum MTU (1280)
/// less the IP and UDP headers, so no path ever fragments it.
pub const DEFAULT_MTU: usize = 1232;

/// The smallest MTU accepted: a DTLS 1.3 ClientHello must still fit in a few datagrams.
pub const MIN_MTU: usize = 256;

/// The largest datagram UDP carries.
pub const MAX_MTU: usize = 65_507;

/// Room kept in each datagram for the record header and the AEAD tag
/// (DTLS 1.2 GCM: 13 + 8 + 16 bytes; DTLS 1.3: less).
pub const RECORD_OVERHEAD: usize = 48;

/// The most application bytes one datagram carries at a given MTU.
pub fn max_payload(mtu: usize) -> usize {
    mtu.saturating_sub(RECORD_OVERHEAD).max(1)
}

/// Which DTLS versions to offer or accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Versions {
    /// DTLS 1.3 and 1.2 (the peer's ClientHello or ServerHello decides).
    #[default]
    Both,
    /// DTLS 1.2 only.
    Dtls12,
    /// DTLS 1.3 only.
    Dtls13,
}

impl Versions {
    /// The versions' names, newest first.
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Versions::Both => vec!["DTLSv1.3", "DTLSv1.2"],
            Versions::Dtls12 => vec!["DTLSv1.2"],
            Versions::Dtls13 => vec!["DTLSv1.3"],
        }
    }
}

/// A negotiated DTLS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// DTLS 1.2 (RFC 6347).
    #[serde(rename = "DTLSv1.2")]
    Dtls12,
    /// DTLS 1.3 (RFC 9147).
    #[serde(rename = "DTLSv1.3")]
    Dtls13,
}

impl Version {
    /// `DTLSv1.2` or `DTLSv1.3`.
    pub fn name(self) -> &'static str {
        match self {
            Version::Dtls12 => "DTLSv1.2",
            Version::Dtls13 => "DTLSv1.3",
        }
    }

    fn of(dtls: &Dtls) -> Option<Version> {
        match dtls.protocol_version()? {
            dimpl::ProtocolVersion::DTLS1_3 => Some(Version::Dtls13),
            _ => Some(Version::Dtls12),
        }
    }
}

/// What a handshake negotiated, as far as the wire shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Negotiated {
    /// `DTLSv1.3` or `DTLSv1.2`.
    pub protocol: Version,
    /// IANA name of the cipher suite.
    pub cipher_suite: Option<String>,
    /// Key-exchange group.
    pub group: Option<String>,
    /// Whether the server made the client prove its address first (a
    /// HelloVerifyRequest in DTLS 1.2, a HelloRetryRequest in DTLS 1.3).
    pub cookie_exchange: bool,
}

impl Negotiated {
    fn new(dtls: &Dtls, info: &wire::HelloInfo) -> Negotiated {
        let protocol = Version::of(dtls).unwrap_or(if info.dtls13 {
            Version::Dtls13
        } else {
            Version::Dtls12
        });
        Negotiated {
            protocol,
            cipher_suite: info.cipher_suite.map(wire::suite_name),
            group: info.group.map(wire::group_name),
            cookie_exchange: info.hello_verify_requests + info.hello_retry_requests > 0,
        }
    }
}

/// Checks that an identity can sign DTLS here (an ECDSA P-256 or P-384 key
/// that matches the leaf) and turns it into dimpl's form.
pub fn dtls_identity(identity: Identity) -> Result<DtlsCertificate> {
    let Some(leaf) = identity.chain.first().cloned() else {
        return Err(error::fail(
            Failure::Input,
            "the certificate file holds no certificate",
        ));
    };
    let signer = crate::tls::provider()
        .key_provider
        .load_private_key(identity.key.clone_key())
        .map_err(|e| {
            error::fail(
                Failure::Input,
                format!("the private key is not usable: {e}"),
            )
        })?;
    let ecdsa = [
        SignatureScheme::ECDSA_NISTP256_SHA256,
        SignatureScheme::ECDSA_NISTP384_SHA384,
    ];
    if signer.choose_scheme(&ecdsa).is_none() {
        let kind = match signer.algorithm() {
            rustls::SignatureAlgorithm::RSA => "an RSA key",
            rustls::SignatureAlgorithm::ED25519 => "an Ed25519 key",
            rustls::SignatureAlgorithm::ECDSA => {
                "an ECDSA key on a curve other than P-256 and P-384"
            }
            _ => "a key of another kind",
        };
        return Err(error::fail(
            Failure::Input,
            format!(
                "DTLS here needs an ECDSA key (P-256 or P-384), and this is {kind}; `tlskit gencert` makes an ECDSA P-256 certificate and key"
            ),
        ));
    }
    let private_key = match &identity.key {
        PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
        PrivateKeyDer::Sec1(k) => k.secret_sec1_der().to_vec(),
        _ => {
            return Err(error::fail(
                Failure::Input,
                "DTLS here needs an ECDSA key in PKCS#8 or SEC1 form",
            ))
        }
    };
    // The key must belong to the leaf: the same check as for TLS.
    identity
        .certified_key()
        .map_err(|e| error::tag(Failure::Input, e))?;
    Ok(DtlsCertificate {
        certificate: leaf.to_vec(),
        private_key,
    })
}

/// dimpl's settings for one endpoint.
fn dimpl_config(
    mtu: usize,
    handshake_timeout: Duration,
    require_client_certificate: bool,
    suites: Option<&[u16]>,
) -> Result<Arc<dimpl::Config>> {
    let mut builder = dimpl::Config::builder()
        .mtu(mtu)
        .handshake_timeout(handshake_timeout)
        // dimpl gives up a flight after 4 retries by default, and retransmissions
        // that duplicated datagrams trigger use the same budget: on a lossy path
        // the handshake failed long before --timeout. The timeout bounds it.
        .flight_retries(12)
        .with_crypto_provider(alert::provider())
        .require_client_certificate(require_client_certificate)
        .use_server_cookie(true);
    if let Some(suites) = suites {
        let (v13, v12): (Vec<u16>, Vec<u16>) = suites.iter().partition(|s| *s >> 8 == 0x13);
        let v12: Vec<_> = v12
            .into_iter()
            .map(dimpl::crypto::Dtls12CipherSuite::from_u16)
            .collect();
        let v13: Vec<_> = v13
            .into_iter()
            .map(dimpl::crypto::Dtls13CipherSuite::from_u16)
            .collect();
        builder = builder
            .dtls12_cipher_suites(&v12)
            .dtls13_cipher_suites(&v13);
    }
    let config = builder
        .build()
        .map_err(|e| error::fail(Failure::Input, format!("DTLS settings: {e}")))?;
    Ok(Arc::new(config))
}

/// A new endpoint for these versions (server role; a client calls `set_active`).
fn endpoint(
    versions: Versions,
    config: Arc<dimpl::Config>,
    cert: DtlsCertificate,
    now: Instant,
) -> Dtls {
    match versions {
        Versions::Both => Dtls::new_auto(config, cert, now),
        Versions::Dtls12 => Dtls::new_12(config, cert, now),
        Versions::Dtls13 => Dtls::new_13(config, cert, now),
    }
}

/// A dimpl error as a sentence and a kind.
pub fn describe(e: &dimpl::Error) -> (Failure, String) {
    use dimpl::{Error as E, SecurityError as S};
    match e {
        E::SecurityError(S::FatalAlert { description }) => {
            let name = crate::tls::explain::alert_name(&format!(
                "{:?}",
                rustls::AlertDescription::from(*description)
            ));
            let hint = match name.as_str() {
                "handshake_failure" | "insufficient_security" => {
                    " (no DTLS version, suite or group in common; note that tlskit speaks DTLS with ECDSA certificates only)"
                }
                "bad_certificate" | "unknown_ca" | "certificate_unknown" | "certificate_required"
                | "access_denied" => " (the peer refused the certificate it was given)",
                _ => "",
            };
            (
                Failure::Handshake,
                format!("the peer sent the alert {name}{hint}"),
            )
        }
        E::Timeout(_) => (
            Failure::Network,
            "the DTLS handshake timed out (the peer stopped answering)".to_string(),
        ),
        E::ConnectionClosed => (
            Failure::Handshake,
            "the peer closed the DTLS connection".to_string(),
        ),
        E::CryptoError(dimpl::CryptoError::UnsupportedSignatureAlgorithm(_))
        | E::CertificateError(_) => (
            Failure::Handshake,
            format!("the peer's certificate cannot be used for DTLS here ({e}); tlskit speaks DTLS with ECDSA P-256 and P-384 certificates only"),
        ),
        other => (Failure::Handshake, format!("DTLS handshake failed: {other}")),
    }
}

/// A dimpl error as a tagged error.
pub fn dimpl_error(e: &dimpl::Error) -> anyhow::Error {
    let (kind, sentence) = describe(e);
    error::fail(kind, sentence)
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e5).round() / 100.0
}
