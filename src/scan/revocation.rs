//! `scan --check-revocation`: whether a certificate of the scanned server's
//! chain (leaf first) was revoked, asked of the staple for the leaf, else the
//! OCSP responder each certificate names, else its CRL (the revocation
//! engine, as `connect` asks), and judged as one finding with a severity:
//! any revoked certificate is critical, an unknown status a warning (a
//! failure when the caller requires an answer).

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use serde::Serialize;

use super::certs::CertReport;
use super::engine::ScanData;
use super::enumerate::Support;
use super::report::Report;
use super::session::{KeyKind, TlsSetup};
use crate::revocation::{self, CertRevocation, Mode, RevocationReport, Severity, Status};
use crate::tls::config;
use crate::tls::pin::sha256_fingerprint;

/// What `--check-revocation` asks for.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Whether an unknown status is a failure.
    pub mode: Mode,
    /// Fetch nothing (only a staple can answer).
    pub offline: bool,
    /// The bound on each fetch.
    pub timeout: Duration,
}

/// The finding.
#[derive(Debug, Clone, Serialize)]
pub struct RevocationFinding {
    /// How bad it is.
    pub severity: Severity,
    /// Whether an answer was required.
    pub mode: Mode,
    /// The chain's status: revoked when any certificate is, unknown when any
    /// is, else good (absent when it could not be checked at all).
    pub status: Option<Status>,
    /// What the finding says, as a sentence (absent when the leaf is good).
    pub sentence: Option<String>,
    /// The engine's answer about the leaf: source, URL, dates, reason, attempts.
    pub leaf: Option<CertRevocation>,
    /// The answer about each certificate checked, leaf first (the leaf's is
    /// also `leaf`).
    pub certificates: Vec<CertRevocation>,
}

impl RevocationFinding {
    fn unchecked(check: Check, why: &str) -> RevocationFinding {
        RevocationFinding {
            severity: match check.mode {
                Mode::Warn => Severity::Warning,
                Mode::Require => Severity::Failure,
            },
            mode: check.mode,
            status: None,
            sentence: Some(format!("revocation was not checked: {why}")),
            leaf: None,
            certificates: Vec::new(),
        }
    }

    /// Whether the certificate is revoked.
    pub fn revoked(&self) -> bool {
        self.status == Some(Status::Revoked)
    }
}

/// The chain and staple the scan saw: the main handshake's, else those of the
/// plaintext Certificate message of a legacy probe.
fn presented(data: &ScanData) -> Option<(Vec<CertificateDer<'static>>, Vec<u8>)> {
    if let Some(o) = data
        .main
        .as_ref()
        .map(|m| &m.first.observed)
        .filter(|o| !o.chain.is_empty())
    {
        return Some((o.chain.clone(), o.ocsp.clone()));
    }
    let f = data
        .best_legacy()
        .and_then(|v| data.support(v))
        .and_then(Support::flight)
        .filter(|f| !f.certs.is_empty())?;
    let chain = f
        .certs
        .iter()
        .map(|c| CertificateDer::from(c.clone()))
        .collect();
    Some((chain, f.ocsp.clone().unwrap_or_default()))
}

/// Checks the chain the scan saw, once it verified, and the chain presented
/// for each name asked for by SNI the same way, putting each finding on the
/// report (`revocation`, and each named entry's `revocation`). A chain
/// already asked about in this scan (the main one, or an earlier name's) is
/// judged from the answers already fetched rather than fetched again.
pub async fn check_all(data: &ScanData, report: &mut Report, setup: &TlsSetup, check: Check) {
    let roots = config::root_store(&setup.roots)
        .map(Arc::new)
        .map_err(|e| format!("{e:#}"));
    let mut asked = Asked::default();
    let verified = report
        .certificate
        .as_ref()
        .is_some_and(|c| c.verified && !c.trusted_by_pin);
    report.revocation = Some(
        check_chain(
            presented(data),
            verified,
            &roots,
            &setup.target.server_name,
            check,
            &mut asked,
        )
        .await,
    );
    check_additional(
        &data.by_key_kind,
        &mut report.additional_certificates,
        &setup.target.server_name,
        "",
        &roots,
        check,
        &mut asked,
    )
    .await;
    for (named, entry) in data
        .by_name
        .iter()
        .zip(report.certificates_by_name.iter_mut())
    {
        let presented = named
            .main
            .as_ref()
            .ok()
            .filter(|o| !o.observed.chain.is_empty())
            .map(|o| (o.observed.chain.clone(), o.observed.ocsp.clone()));
        let verified = entry
            .certificate
            .as_ref()
            .is_some_and(|c| c.verified && !c.trusted_by_pin);
        let mut finding = check_chain(
            presented,
            verified,
            &roots,
            &named.target.server_name,
            check,
            &mut asked,
        )
        .await;
        // The sentence names the name, as the grade's caps and the warnings show it.
        finding.sentence = finding
            .sentence
            .map(|s| format!("for SNI {}: {s}", entry.sni));
        entry.revocation = Some(finding);
        let prefix = format!("for SNI {}, ", entry.sni);
        check_additional(
            &named.by_key_kind,
            &mut entry.additional_certificates,
            &named.target.server_name,
            &prefix,
            &roots,
            check,
            &mut asked,
        )
        .await;
    }
}

/// Checks the chain of each additional certificate (another kind of key) of
/// one name, each found again among the handshakes that asked for its kind,
/// putting each finding on the certificate; its sentence begins with
/// `prefix` and names the certificate ("for the RSA certificate: …").
async fn check_additional(
    by_key_kind: &[(KeyKind, super::session::Outcome)],
    certs: &mut [CertReport],
    server_name: &rustls::pki_types::ServerName<'static>,
    prefix: &str,
    roots: &Result<Arc<rustls::RootCertStore>, String>,
    check: Check,
    asked: &mut Asked,
) {
    for c in certs.iter_mut() {
        let leaf = c.chain.first().map(|l| l.sha256_fingerprint.as_str());
        let presented = by_key_kind
            .iter()
            .map(|(_, o)| &o.observed)
            .find(|o| {
                o.chain
                    .first()
                    .is_some_and(|d| Some(sha256_fingerprint(d).as_str()) == leaf)
            })
            .map(|o| (o.chain.clone(), o.ocsp.clone()));
        let verified = c.verified && !c.trusted_by_pin;
        let mut finding = check_chain(presented, verified, roots, server_name, check, asked).await;
        let kind = c.key_kind.map_or("other", KeyKind::name);
        finding.sentence = finding
            .sentence
            .map(|s| format!("{prefix}for the {kind} certificate: {s}"));
        c.revocation = Some(finding);
    }
}

/// The engine's answers about each chain asked about in this scan.
#[derive(Default)]
struct Asked {
    chains: Vec<(Vec<CertificateDer<'static>>, RevocationReport)>,
}

/// Checks one chain (and its staple), once it verified for `server_name`.
async fn check_chain(
    presented: Option<(Vec<CertificateDer<'static>>, Vec<u8>)>,
    verified: bool,
    roots: &Result<Arc<rustls::RootCertStore>, String>,
    server_name: &rustls::pki_types::ServerName<'static>,
    check: Check,
    asked: &mut Asked,
) -> RevocationFinding {
    let Some((certs, staple)) = presented else {
        return RevocationFinding::unchecked(check, "no certificate could be obtained");
    };
    if !verified {
        return RevocationFinding::unchecked(
            check,
            "the chain did not verify up to a trusted root",
        );
    }
    let roots = match roots {
        Ok(r) => r.clone(),
        Err(e) => return RevocationFinding::unchecked(check, e),
    };
    let judged: RevocationReport = match asked.chains.iter().find(|(c, _)| *c == certs) {
        Some((_, known)) => known.clone(),
        None => {
            let chain = revocation::Chain {
                certs: certs.clone(),
                staple,
                roots,
                server_name: Some(server_name.clone()),
            };
            let opts = revocation::Options {
                timeout: check.timeout,
                offline: check.offline,
            };
            let fresh = revocation::check(&chain, opts).await;
            asked.chains.push((certs, fresh.clone()));
            fresh
        }
    };
    finding(judged, check)
}

/// The finding the engine's answers about one chain make.
fn finding(judged: RevocationReport, check: Check) -> RevocationFinding {
    if judged.certificates.is_empty() {
        return RevocationFinding::unchecked(check, "the certificate is self-signed");
    }
    let (severity, sentences) = judged.judge(check.mode);
    let status = if judged.revoked().is_some() {
        Status::Revoked
    } else if judged.unknown().next().is_some() {
        Status::Unknown
    } else {
        Status::Good
    };
    RevocationFinding {
        severity,
        mode: check.mode,
        status: Some(status),
        sentence: (!sentences.is_empty()).then(|| sentences.join("; ")),
        leaf: judged
            .certificates
            .iter()
            .find(|c| c.position == 0)
            .cloned(),
        certificates: judged.certificates,
    }
}
