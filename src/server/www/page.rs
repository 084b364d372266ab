//! The `--www` status page: what it says about the client's connection,
//! as data (its JSON form) and as plain text.

use serde::Serialize;

use crate::server::log::ConnRecord;
use crate::tls::handshake::HandshakeInfo;

/// The server software, as the page and the `Server` header name it.
pub const SERVER: &str = concat!("tlskit/", env!("CARGO_PKG_VERSION"));

/// An HTTP version tlskit answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// HTTP/1.0: close unless the client asks for keep-alive.
    #[serde(rename = "HTTP/1.0")]
    Http10,
    /// HTTP/1.1: keep-alive unless the client asks to close.
    #[serde(rename = "HTTP/1.1")]
    Http11,
    /// HTTP/2 (ALPN `h2`): many requests at once on one connection.
    #[serde(rename = "HTTP/2")]
    Http2,
}

impl Version {
    pub(super) fn of(v: hyper::Version) -> Version {
        match v {
            hyper::Version::HTTP_10 => Version::Http10,
            hyper::Version::HTTP_2 => Version::Http2,
            _ => Version::Http11,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
            Version::Http2 => "HTTP/2",
        }
    }
}

/// The client's certificate as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ClientCertificate {
    /// Subject DN, sanitized.
    pub subject: String,
    /// Always true: rustls verified it against `--client-ca` before the page existed.
    pub verified: bool,
}

/// The request as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestLine {
    /// Method.
    pub method: String,
    /// Target, sanitized.
    pub target: String,
    /// Version.
    pub version: Version,
    /// 1 for the first request on this connection.
    pub number: u64,
}

/// What the status page says about the client's connection.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The server software.
    pub server: &'static str,
    /// The client's address.
    pub client_address: String,
    /// What the handshake negotiated.
    #[serde(flatten)]
    pub handshake: HandshakeInfo,
    /// Whether the session was resumed.
    pub resumed: bool,
    /// The server name the client sent.
    pub sni: Option<String>,
    /// ALPN protocols the client offered.
    pub offered_alpn: Vec<String>,
    /// The client's verified certificate, if it sent one.
    pub client_certificate: Option<ClientCertificate>,
    /// The request being answered.
    pub request: RequestLine,
}

impl Page {
    /// The page for the `number`th request on the connection `rec` describes.
    pub fn new(rec: &ConnRecord, info: &HandshakeInfo, request: RequestLine) -> Page {
        Page {
            server: SERVER,
            client_address: rec.peer.clone(),
            handshake: info.clone(),
            resumed: rec.resumed == Some(true),
            sni: rec.sni.clone(),
            offered_alpn: rec.offered_alpn.clone(),
            client_certificate: rec.client_subject.as_ref().map(|s| ClientCertificate {
                subject: s.clone(),
                verified: true,
            }),
            request,
        }
    }

    /// The plain-text body.
    pub fn text(&self) -> String {
        let h = &self.handshake;
        let mut rows: Vec<(&str, String)> = vec![
            ("protocol", h.protocol.to_string()),
            ("cipher suite", h.cipher_suite.clone()),
            ("key exchange", h.group_display()),
            ("SNI", self.sni.clone().unwrap_or_else(|| "none".into())),
        ];
        let offered = if self.offered_alpn.is_empty() {
            "none offered".to_string()
        } else {
            format!("offered: {}", self.offered_alpn.join(", "))
        };
        rows.push((
            "ALPN",
            match &h.alpn {
                Some(a) => format!("{a} ({offered})"),
                None => format!("none ({offered})"),
            },
        ));
        rows.push((
            "session",
            if self.resumed {
                "resumed (abbreviated handshake)".to_string()
            } else if h.handshake_kind == crate::tls::handshake::Kind::FullWithHelloRetryRequest {
                "new (full handshake, after a HelloRetryRequest)".to_string()
            } else {
                "new (full handshake)".to_string()
            },
        ));
        rows.push((
            "client cert",
            match &self.client_certificate {
                Some(c) => format!("{} (verified against --client-ca)", c.subject),
                None => "none".to_string(),
            },
        ));
        rows.push(("client address", self.client_address.clone()));
        rows.push((
            "request",
            format!(
                "{} {} {} (#{} on this connection)",
                self.request.method,
                self.request.target,
                self.request.version.as_str(),
                self.request.number
            ),
        ));
        let mut out = format!("{}: your TLS connection\n\n", self.server);
        for (label, value) in rows {
            out.push_str(&format!("{:<15} {value}\n", format!("{label}:")));
        }
        out
    }
}
