//! What `tlskit connect` reports about one TLS connection: the dial's
//! findings (negotiated parameters, client-certificate request, stapled OCSP
//! response, verdict, chain) with the resumption test, TOFU, revocation
//! results and warnings added by the command.

use serde::Serialize;

use super::{ChainCert, Trust, Verification};
use crate::pinstore;
use crate::tls::dial::{DialReport, Stage, Timings};
use crate::tls::handshake::HandshakeInfo;
use crate::tls::ocsp::{self, CertStatus, OcspSummary};
use crate::tls::pin::Pin;
pub use crate::tls::resume::Reconnect;
use crate::tls::starttls::Preamble;

/// The client-certificate part of the report.
#[derive(Debug, Serialize)]
pub struct ClientCertReport {
    /// Whether the server sent a CertificateRequest.
    pub requested: bool,
    /// The CA names the server hinted.
    pub ca_hints: Vec<String>,
    /// Whether a certificate was sent.
    pub sent: bool,
}

/// The OCSP part of the report.
#[derive(Debug, Serialize)]
pub struct OcspReport {
    /// Whether a response was stapled at all.
    pub stapled: bool,
    /// The parsed response (its signature is not checked).
    #[serde(flatten)]
    pub summary: Option<OcspSummary>,
    /// Why the stapled bytes could not be read.
    pub parse_error: Option<String>,
}

/// A failure, in the JSON document.
pub type ErrorReport = super::ErrorReport<Stage>;

/// What `--tofu` found in the pin store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TofuState {
    /// First contact: the server's pin is now recorded.
    Recorded,
    /// The recorded pin matches.
    Matched,
}

/// What `--tofu` did.
#[derive(Debug, Serialize)]
pub struct TofuReport {
    /// `recorded` (first contact) or `matched`.
    pub state: TofuState,
    /// The store key, `host:port`.
    pub host_port: String,
    /// The pin recorded for the server.
    pub pin: Pin,
    /// When it was recorded.
    pub recorded_at: String,
    /// The store file.
    pub store: String,
}

impl TofuReport {
    /// The report of a pin-store check of `store`.
    pub fn of(found: pinstore::Tofu, store: &pinstore::PinStore) -> TofuReport {
        let (state, entry) = match found {
            pinstore::Tofu::Recorded(e) => (TofuState::Recorded, e),
            pinstore::Tofu::Matched(e) => (TofuState::Matched, e),
        };
        TofuReport {
            state,
            host_port: entry.host_port,
            pin: entry.pin,
            recorded_at: entry.recorded_at,
            store: store.path().display().to_string(),
        }
    }
}

/// What `tlskit connect` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The target as given.
    pub target: String,
    /// The address dialled.
    pub address: Option<String>,
    /// Every address the name resolved to.
    pub resolved: Vec<String>,
    /// The name verified.
    pub server_name: String,
    /// The SNI sent.
    pub sni: Option<String>,
    /// Step timings in milliseconds.
    pub timings: Timings,
    /// The STARTTLS exchange.
    pub starttls: Option<Preamble>,
    /// What was negotiated.
    pub handshake: Option<HandshakeInfo>,
    /// Client certificate request and answer.
    pub client_certificate: ClientCertReport,
    /// The stapled OCSP response.
    pub ocsp: OcspReport,
    /// The verification result.
    pub verification: Verification,
    /// The chain as the server sent it, leaf first.
    pub chain: Vec<ChainCert>,
    /// The resumption test (with --reconnect).
    pub reconnect: Option<Reconnect>,
    /// What `--tofu` found or recorded (absent without --tofu).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tofu: Option<TofuReport>,
    /// Revocation status per certificate (with --check-revocation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::RevocationReport>,
    /// The issuers fetched for an incomplete chain (with --fetch-intermediates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_intermediates: Option<crate::revocation::aia::Completion>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
    /// Set when the connection failed.
    pub error: Option<ErrorReport>,
}

/// What the report needs to know beyond the dial.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// What the client trusted (before a pin stood in for it).
    pub roots: Trust,
    /// Pins were given (or recorded by TOFU).
    pub pinned: bool,
    /// `--insecure`.
    pub insecure: bool,
    /// A client certificate was configured.
    pub client_cert_given: bool,
    /// Revocation is checked separately, so the staple raises no warnings here.
    pub revocation_checked: bool,
    /// Include each certificate's PEM.
    pub with_pem: bool,
}

impl Report {
    /// The report of a dial (complete or failed).
    pub fn of(d: &DialReport, cx: &Context, reconnect: Option<Reconnect>) -> Report {
        let obs = &d.observed;
        let chain = super::chain(obs, cx.with_pem);
        let ocsp = staple(&obs.ocsp, obs.chain.first().map(|c| c.as_ref()));
        let mut warnings = Vec::new();
        if let Some(w) = chain
            .first()
            .and_then(|c| super::expiry_warning(&c.summary))
        {
            warnings.push(w);
        }
        if cx.client_cert_given && !obs.client_cert_requested && d.handshake.is_some() {
            warnings.push(
                "--cert was given, but the server did not ask for a client certificate during the handshake, so none was sent"
                    .to_string(),
            );
        }
        if let Some(o) = ocsp.summary.as_ref().filter(|_| !cx.revocation_checked) {
            if o.matches_leaf && o.cert_status == Some(CertStatus::Revoked) {
                warnings.push(
                    "the server's own stapled OCSP response says its certificate is REVOKED (tlskit does not check the response's signature nor fail on it; browsers that read staples refuse such a server)"
                        .to_string(),
                );
            }
            if !o.matches_leaf && o.cert_status.is_some() {
                warnings.push(
                    "the stapled OCSP response is not about the server's certificate (serial numbers differ)"
                        .to_string(),
                );
            }
        }
        Report {
            target: d.target.clone(),
            address: d.address.clone(),
            resolved: d.resolved.clone(),
            server_name: d.server_name.clone(),
            sni: d.sni.clone(),
            timings: d.timings.clone(),
            starttls: d.starttls.clone(),
            handshake: d.handshake.clone(),
            client_certificate: ClientCertReport {
                requested: obs.client_cert_requested,
                ca_hints: obs
                    .client_ca_hints
                    .iter()
                    .map(|n| dn_text(n.as_ref()))
                    .collect(),
                sent: obs.client_cert_sent,
            },
            ocsp,
            verification: Verification::of(obs, &d.server_name, cx.roots, cx.pinned, cx.insecure),
            chain,
            reconnect,
            tofu: None,
            revocation: None,
            fetched_intermediates: None,
            warnings,
            error: None,
        }
    }
}

/// The stapled OCSP response, read for the leaf.
fn staple(der: &[u8], leaf: Option<&[u8]>) -> OcspReport {
    if der.is_empty() {
        return OcspReport {
            stapled: false,
            summary: None,
            parse_error: None,
        };
    }
    match ocsp::parse_for_leaf(der, leaf) {
        Ok(s) => OcspReport {
            stapled: true,
            summary: Some(s),
            parse_error: None,
        },
        Err(e) => OcspReport {
            stapled: true,
            summary: None,
            parse_error: Some(e.to_string()),
        },
    }
}

/// A distinguished name as text (RFC 4514 style), or hex when it does not parse.
fn dn_text(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        Ok((_, name)) => name.to_string(),
        Err(_) => crate::tls::pin::colon_hex(der),
    }
}
