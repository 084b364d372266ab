//! The certificate part of a scan: the chain the server presents, whether it
//! verifies (rustls' WebPKI verdict, explained as `connect` explains it), the
//! stapled OCSP response, and `inspect`'s findings on the chain.

use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use serde::Serialize;
use time::OffsetDateTime;

use super::session::KeyKind;
use crate::tls::certinfo::CertSummary;
use crate::tls::chain::{self, TrustStore};
use crate::tls::config::{self, TrustRoots};
use crate::tls::lint::{self, Finding};
use crate::tls::ocsp::{self, CertStatus, OcspSummary};
use crate::tls::pin::Pin;
use crate::tls::verify::{Observed, RecordingVerifier};
use crate::tls::{explain, x509info};

/// Days before expiry from which an expiring certificate is worth a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Where the chain was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainSource {
    /// A completed (or at least verified) rustls handshake.
    Handshake,
    /// The plaintext Certificate message of a TLS 1.2-or-older probe.
    Probe,
}

/// What the scan says about the server's certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertReport {
    /// Where the chain was seen.
    pub source: ChainSource,
    /// The kind of the leaf's key.
    pub key_kind: Option<KeyKind>,
    /// Seconds from the scan to the leaf's notAfter (negative once expired).
    pub expires_in_seconds: Option<i64>,
    /// The leaf's validity period in whole days (notBefore to notAfter).
    pub lifetime_days: Option<i64>,
    /// The chain as presented, leaf first.
    pub chain: Vec<CertSummary>,
    /// Whether it verified for the server name against the trust anchors.
    pub verified: bool,
    /// Whether a `--pin`, not a CA, vouched for it.
    pub trusted_by_pin: bool,
    /// Why it did not verify, in a sentence.
    pub verification_error: Option<String>,
    /// The stapled OCSP response, when there was one.
    pub ocsp: Option<OcspSummary>,
    /// Why a stapled response could not be read.
    pub ocsp_error: Option<String>,
    /// What `inspect` would point out (codes and sentences).
    pub findings: Vec<Finding>,
    /// Whether the chain was revoked (`--check-revocation`), for one of the
    /// server's additional certificates (another kind of key); the main
    /// chain's finding is the report's (or the SNI name's) `revocation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<super::revocation::RevocationFinding>,
}

impl CertReport {
    /// Whether a stapled OCSP response says the certificate is revoked.
    pub fn revoked(&self) -> bool {
        self.ocsp
            .as_ref()
            .is_some_and(|o| o.matches_leaf && o.cert_status == Some(CertStatus::Revoked))
    }
}

/// Judges a chain. `observed` carries the verifier's verdict when a rustls
/// handshake saw the chain; without one (a server that speaks only TLS 1.1 or
/// older) the chain is verified here with the same WebPKI verifier.
pub fn check(
    source: ChainSource,
    chain: &[CertificateDer<'static>],
    ocsp_der: &[u8],
    observed: Option<&Observed>,
    roots: &TrustRoots,
    pins: &[Pin],
    server_name: &ServerName<'static>,
) -> CertReport {
    let name = crate::tls::target::server_name_text(server_name);
    let mut trusted_by_pin = false;
    let verdict = if !pins.is_empty() {
        // Judged as connect --pin judges it (the handshakes did not enforce pins,
        // so that a wrong pin still lets every probe run).
        let (v, by_pin) = verify_pinned(chain, ocsp_der, roots, pins, server_name);
        trusted_by_pin = by_pin;
        v
    } else {
        match observed.and_then(|o| o.verdict.clone()) {
            Some(v) => v,
            None => verify_chain(chain, ocsp_der, roots, server_name),
        }
    };
    let verification_error = verdict.as_ref().err().map(|e| {
        let seen = Observed {
            chain: chain.to_vec(),
            ..Observed::default()
        };
        let why = explain::describe_error(e, observed.unwrap_or(&seen), &name);
        match sha1_signed(chain) {
            Some(which) => format!(
                "{which} is signed with SHA-1, which no client accepts any more: have it re-issued with SHA-256 ({why})"
            ),
            None => why,
        }
    });
    let summaries: Vec<CertSummary> = chain
        .iter()
        .filter_map(|c| CertSummary::from_der(c).ok())
        .collect();
    let (ocsp, ocsp_error) = if ocsp_der.is_empty() {
        (None, None)
    } else {
        match ocsp::parse_for_leaf(ocsp_der, chain.first().map(|c| c.as_ref())) {
            Ok(o) => (Some(o), None),
            Err(e) => (None, Some(e.0)),
        }
    };
    CertReport {
        source,
        key_kind: chain.first().and_then(|c| KeyKind::of_certificate(c)),
        expires_in_seconds: chain.first().and_then(|c| {
            let cert = x509info::parse_cert(c).ok()?;
            let now = OffsetDateTime::now_utc().unix_timestamp();
            Some(cert.validity().not_after.timestamp() - now)
        }),
        lifetime_days: chain.first().and_then(|c| {
            let cert = x509info::parse_cert(c).ok()?;
            let v = cert.validity();
            Some((v.not_after.timestamp() - v.not_before.timestamp()) / 86_400)
        }),
        chain: summaries,
        verified: verdict.is_ok(),
        trusted_by_pin,
        verification_error,
        ocsp,
        ocsp_error,
        findings: findings(chain, roots),
        revocation: None,
    }
}

/// Signature algorithms that hash with SHA-1 (RSA, ECDSA, DSA, and OIW's RSA).
const SHA1_SIGNATURES: &[&str] = &[
    "1.2.840.113549.1.1.5",
    "1.2.840.10045.4.1",
    "1.2.840.10040.4.3",
    "1.3.14.3.2.29",
];

/// Which certificate of the chain (the leaf or an intermediate; a root's own
/// signature is never checked) is signed with SHA-1, in words.
fn sha1_signed(chain: &[CertificateDer<'static>]) -> Option<String> {
    chain.iter().enumerate().find_map(|(i, der)| {
        let c = x509info::parse_cert(der).ok()?;
        let root = i > 0 && i == chain.len() - 1 && c.subject() == c.issuer();
        let oid = c.signature_algorithm.algorithm.to_id_string();
        (!root && SHA1_SIGNATURES.contains(&oid.as_str())).then(|| match i {
            0 => "the certificate".to_string(),
            n => format!("the intermediate certificate {n} of the chain"),
        })
    })
}

/// The verdict with pins, and whether the pin alone vouched for the chain.
fn verify_pinned(
    chain: &[CertificateDer<'static>],
    ocsp_der: &[u8],
    roots: &TrustRoots,
    pins: &[Pin],
    server_name: &ServerName<'static>,
) -> (Result<(), rustls::Error>, bool) {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return (Err(rustls::Error::NoCertificatesPresented), false);
    };
    let inner = match config::root_store(roots)
        .map_err(|e| rustls::Error::General(format!("{e:#}")))
        .and_then(|store| {
            WebPkiServerVerifier::builder_with_provider(Arc::new(store), crate::tls::provider())
                .build()
                .map_err(|e| rustls::Error::General(e.to_string()))
        }) {
        Ok(v) => v,
        Err(e) => return (Err(e), false),
    };
    let observed = crate::tls::verify::Observations::default();
    let verifier = RecordingVerifier::new(inner, pins.to_vec(), None, observed.clone());
    let verdict = verifier
        .verify_server_cert(leaf, intermediates, server_name, ocsp_der, UnixTime::now())
        .map(|_| ());
    let by_pin = crate::tls::verify::lock(&observed).trusted_by_pin;
    (verdict, by_pin)
}

fn verify_chain(
    chain: &[CertificateDer<'static>],
    ocsp_der: &[u8],
    roots: &TrustRoots,
    server_name: &ServerName<'static>,
) -> Result<(), rustls::Error> {
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Err(rustls::Error::NoCertificatesPresented);
    };
    let store = config::root_store(roots).map_err(|e| rustls::Error::General(format!("{e:#}")))?;
    let verifier =
        WebPkiServerVerifier::builder_with_provider(Arc::new(store), crate::tls::provider())
            .build()
            .map_err(|e| rustls::Error::General(e.to_string()))?;
    verifier
        .verify_server_cert(leaf, intermediates, server_name, ocsp_der, UnixTime::now())
        .map(|_| ())
}

/// The trust store `inspect` analyses chains against, for the same roots.
fn trust_store(roots: &TrustRoots) -> Option<TrustStore> {
    match roots {
        TrustRoots::Webpki => Some(TrustStore::webpki()),
        TrustRoots::Certs(certs) => TrustStore::from_certs(certs).ok(),
        TrustRoots::System => {
            let found = rustls_native_certs::load_native_certs();
            TrustStore::from_certs(&found.certs).ok()
        }
    }
}

/// `inspect`'s findings for a served chain, plus a warning for a leaf about to expire.
fn findings(chain: &[CertificateDer<'static>], roots: &TrustRoots) -> Vec<Finding> {
    let now = OffsetDateTime::now_utc();
    let parsed: Vec<_> = chain
        .iter()
        .filter_map(|c| x509info::parse_cert(c).ok())
        .collect();
    if parsed.len() != chain.len() || parsed.is_empty() {
        return vec![Finding {
            certificate: None,
            code: "unparsable",
            message: "a certificate of the chain does not parse".to_string(),
        }];
    }
    let details: Vec<_> = parsed
        .iter()
        .zip(chain)
        .map(|(c, der)| x509info::describe_parsed(c, der, now))
        .collect();
    let store = trust_store(roots).unwrap_or_else(TrustStore::webpki);
    let analysis = chain::analyze(&parsed, &store);
    let mut out = Vec::new();
    for (i, d) in details.iter().enumerate() {
        let pos = analysis.path.iter().position(|&p| p == i);
        let issuer_in_chain = pos.is_some_and(|p| p > 0);
        let role = lint::infer_role(d, issuer_in_chain, i == 0);
        let public = pos.is_some() && analysis.publicly_trusted();
        out.extend(lint::lint_cert(i, d, role, public));
        if i == 0 && (0..EXPIRY_WARNING_DAYS).contains(&d.days_left) && d.days_until_valid <= 0 {
            out.push(Finding {
                certificate: Some(0),
                code: "expires-soon",
                message: format!(
                    "expires on {} (in {} days): renew it",
                    d.not_after, d.days_left
                ),
            });
        }
    }
    let subjects: Vec<String> = details.iter().map(|d| d.subject.clone()).collect();
    out.extend(lint::lint_chain(&analysis, &subjects, true));
    out.sort_by_key(|f| f.certificate.map_or(usize::MAX, |c| c));
    out
}
