//! What `tlskit connect --dtls` reports about one DTLS association.

use serde::Serialize;

use super::{ChainCert, Trust, Verification};
use crate::dtls::client::{ClientCertificate, ClientReport, Flights, Stage, Timings};
use crate::dtls::Negotiated;

/// What `tlskit connect --dtls` reports.
#[derive(Debug, Serialize)]
pub struct ConnectReport {
    /// The target as given.
    pub target: String,
    /// Always `udp`.
    pub transport: &'static str,
    /// The address the datagrams went to.
    pub address: Option<String>,
    /// Every address the name resolved to.
    pub resolved: Vec<String>,
    /// The name verified (DTLS here sends no SNI).
    pub server_name: String,
    /// Step timings in milliseconds.
    pub timings: Timings,
    /// What was negotiated.
    pub handshake: Option<Negotiated>,
    /// Handshake datagrams and retransmissions.
    pub flights: Flights,
    /// The largest datagram sent.
    pub mtu: usize,
    /// Client certificate request and answer.
    pub client_certificate: ClientCertificate,
    /// The verification result.
    pub verification: Verification,
    /// The server's certificate (DTLS here sees the leaf only).
    pub chain: Vec<ChainCert>,
    /// Revocation status of the server's certificate (with --check-revocation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::RevocationReport>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
    /// Set when the connection failed.
    pub error: Option<ErrorReport>,
}

/// A failure, in the JSON document.
pub type ErrorReport = super::ErrorReport<Stage>;

/// What the report needs to know beyond the association.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// What the client trusted (before a pin stood in for it).
    pub roots: Trust,
    /// Pins were given.
    pub pinned: bool,
    /// `--insecure`.
    pub insecure: bool,
    /// A client certificate was configured.
    pub client_cert_given: bool,
    /// Include each certificate's PEM.
    pub with_pem: bool,
}

impl ConnectReport {
    /// The report of an association (complete or failed).
    pub fn of(r: &ClientReport, cx: &Context) -> ConnectReport {
        let chain = super::chain(&r.observed, cx.with_pem);
        let mut warnings = Vec::new();
        if let Some(w) = chain
            .first()
            .and_then(|c| super::expiry_warning(&c.summary))
        {
            warnings.push(w);
        }
        if cx.client_cert_given && r.client_certificate.requested == Some(false) {
            warnings.push(
                "--cert was given, but the server did not ask for a client certificate, so none was sent"
                    .to_string(),
            );
        }
        ConnectReport {
            target: r.target.clone(),
            transport: "udp",
            address: r.address.clone(),
            resolved: r.resolved.clone(),
            server_name: r.server_name.clone(),
            timings: r.timings.clone(),
            handshake: r.handshake.clone(),
            flights: r.flights.clone(),
            mtu: r.mtu,
            client_certificate: r.client_certificate.clone(),
            verification: Verification::of(
                &r.observed,
                &r.server_name,
                cx.roots,
                cx.pinned,
                cx.insecure,
            ),
            chain,
            revocation: None,
            warnings,
            error: None,
        }
    }
}

pub use super::ClientAuth;

/// The `ready` event of `serve --dtls`.
#[derive(Debug, Serialize)]
pub struct Ready<'a> {
    /// Always `ready`.
    pub event: &'static str,
    /// The address listened on.
    pub addr: String,
    /// Always `udp`.
    pub transport: &'static str,
    /// The server's certificate.
    pub certificate: &'a crate::tls::certinfo::CertSummary,
    /// Whether the certificate was made at start-up.
    pub ephemeral: bool,
    /// Always `echo`.
    pub mode: &'static str,
    /// The DTLS versions served.
    pub versions: Vec<&'static str>,
    /// Whether client certificates are required.
    pub client_auth: ClientAuth,
    /// The largest datagram sent.
    pub mtu: usize,
    /// Peers served at once.
    pub max_connections: u32,
    /// Bound on a handshake.
    pub handshake_timeout_ms: u64,
    /// Bound on an idle association (absent: unlimited).
    pub idle_timeout_ms: Option<u64>,
    /// Associations served before stopping.
    pub max_accept: Option<u64>,
    /// The command line that connects to this server.
    pub connect: String,
    /// Things worth knowing.
    pub warnings: &'a [String],
}
