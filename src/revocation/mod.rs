//! Revocation: whether each certificate of a verified chain has been revoked,
//! asked of a stapled OCSP response, the OCSP responder the certificate names,
//! or its CRL distribution point, in that order. Also the other questions whose
//! answers must be fetched: a missing intermediate named by caIssuers
//! ([`aia`]), and must-staple. Options in, a report out; no flags, no printing.

pub mod aia;
pub mod crl;
pub mod fetch;
pub mod ocsp;
pub mod staple;

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::RootCertStore;
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::X509Certificate;

use fetch::{FetchFailure, Post};

/// A certificate's revocation status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not revoked, per a checked answer.
    Good,
    /// Revoked, per a checked answer.
    Revoked,
    /// No checked answer could be had.
    Unknown,
}

/// Where the answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The OCSP response the server stapled.
    Staple,
    /// The OCSP responder named in the certificate.
    Ocsp,
    /// The CRL at the certificate's distribution point.
    Crl,
}

impl Source {
    /// How the report names it.
    pub fn label(self) -> &'static str {
        match self {
            Source::Staple => "stapled OCSP response",
            Source::Ocsp => "OCSP responder",
            Source::Crl => "CRL",
        }
    }
}

/// Why the status is unknown (or why one source was passed over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownReason {
    /// The certificate names neither an OCSP responder nor a CRL.
    NoUrl,
    /// Fetching is forbidden (`--offline`).
    Offline,
    /// The URL is not a plain http:// URL.
    UnsupportedUrl,
    /// The responder or distribution point could not be reached, or failed.
    Unreachable,
    /// The fetch ran out of time.
    Timeout,
    /// The answer was larger than tlskit reads.
    TooLarge,
    /// What came back is not a readable OCSP response or CRL.
    BadResponse,
    /// The signature is not the issuer's (nor an authorised responder's).
    BadSignature,
    /// The response's validity ended.
    TooOld,
    /// The response is dated in the future.
    NotYetValid,
    /// The response is about another certificate.
    OtherCertificate,
    /// The responder answered "unknown".
    ResponderUnknown,
    /// The responder refused (try_later, unauthorized…).
    ResponderRefused,
    /// The CRL's nextUpdate has passed.
    CrlExpired,
    /// The CRL is issued by another CA.
    CrlWrongIssuer,
    /// The issuer's certificate is not at hand (not sent, not a trusted root).
    IssuerNotFound,
}

impl From<FetchFailure> for UnknownReason {
    fn from(f: FetchFailure) -> UnknownReason {
        match f {
            FetchFailure::Offline => UnknownReason::Offline,
            FetchFailure::UnsupportedUrl => UnknownReason::UnsupportedUrl,
            FetchFailure::Timeout => UnknownReason::Timeout,
            FetchFailure::TooLarge => UnknownReason::TooLarge,
            FetchFailure::Unreachable
            | FetchFailure::HttpStatus
            | FetchFailure::Redirects
            | FetchFailure::Protocol => UnknownReason::Unreachable,
        }
    }
}

/// One source tried and passed over, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// Which source.
    pub source: Source,
    /// Its URL (absent for the staple).
    pub url: Option<String>,
    /// The kind of failure.
    pub reason: UnknownReason,
    /// A sentence.
    pub detail: String,
}

/// The revocation status of one certificate of the chain.
#[derive(Debug, Clone, Serialize)]
pub struct CertRevocation {
    /// Its place in the chain as sent, 0 = the server's own.
    pub position: usize,
    /// Its subject.
    pub subject: String,
    /// Its serial number, colon hex.
    pub serial: String,
    /// The answer.
    pub status: Status,
    /// Where the answer came from (absent when unknown).
    pub source: Option<Source>,
    /// The responder or CRL URL that answered.
    pub url: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Why it was revoked (CRL reason name).
    pub reason: Option<String>,
    /// The answer's thisUpdate.
    pub this_update: Option<String>,
    /// The answer's nextUpdate.
    pub next_update: Option<String>,
    /// Who signed the OCSP answer: `issuer`, or a delegated responder's subject.
    pub signer: Option<String>,
    /// Why the status is unknown.
    pub unknown_reason: Option<UnknownReason>,
    /// The same, as a sentence.
    pub detail: Option<String>,
    /// Sources tried before the one that answered (or all of them, when unknown).
    pub attempts: Vec<Attempt>,
    /// A client's certificate (mTLS), for the sentences.
    #[serde(skip)]
    pub of_client: bool,
}

impl CertRevocation {
    /// Whose certificate this is, for a sentence.
    pub fn who(&self) -> String {
        let role = if self.position == 0 && self.of_client {
            "the client's certificate".to_string()
        } else if self.position == 0 {
            "the server's certificate".to_string()
        } else {
            format!("chain certificate #{}", self.position)
        };
        format!(
            "{role} ({}, serial {})",
            crate::text::sanitize(&self.subject),
            self.serial
        )
    }

    /// A sentence for a revoked certificate: who, when, why, and who said so.
    pub fn revoked_sentence(&self) -> String {
        let source = match (self.source, &self.url) {
            (Some(s), Some(u)) => format!("{} at {}", s.label(), crate::text::sanitize(u)),
            (Some(s), None) => s.label().to_string(),
            _ => "?".to_string(),
        };
        format!(
            "{} was revoked on {}, reason: {} (according to the {source})",
            self.who(),
            self.revoked_at.as_deref().unwrap_or("an unstated date"),
            self.reason.as_deref().unwrap_or("none given"),
        )
    }

    /// A sentence for an unknown status.
    pub fn unknown_sentence(&self) -> String {
        format!(
            "the revocation status of {} is unknown: {}",
            self.who(),
            crate::text::sanitize(self.detail.as_deref().unwrap_or("no answer"))
        )
    }
}

/// What a revocation check found, leaf first.
#[derive(Debug, Clone, Serialize)]
pub struct RevocationReport {
    /// One entry per certificate checked (self-signed roots are not).
    pub certificates: Vec<CertRevocation>,
    /// Fetching was forbidden.
    pub offline: bool,
}

impl RevocationReport {
    /// The first revoked certificate.
    pub fn revoked(&self) -> Option<&CertRevocation> {
        self.certificates
            .iter()
            .find(|c| c.status == Status::Revoked)
    }

    /// The certificates whose status is unknown.
    pub fn unknown(&self) -> impl Iterator<Item = &CertRevocation> {
        self.certificates
            .iter()
            .filter(|c| c.status == Status::Unknown)
    }
}

/// How to fetch.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The bound on each fetch.
    pub timeout: Duration,
    /// Forbid all fetching.
    pub offline: bool,
}

/// What to check: a chain that verified, as the handshake saw it.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Leaf first, as sent.
    pub certs: Vec<CertificateDer<'static>>,
    /// The stapled OCSP response (empty: none).
    pub staple: Vec<u8>,
    /// The trust anchors it verified against.
    pub roots: Arc<RootCertStore>,
    /// The name it verified for; `None` for a client's certificate (verified
    /// for clientAuth, with no name).
    pub server_name: Option<ServerName<'static>>,
}

/// The issuer of a certificate: its subject name and public key, both DER.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// The issuer's subject, DER (with its SEQUENCE header).
    pub name: Vec<u8>,
    /// The issuer's SubjectPublicKeyInfo, DER (with its SEQUENCE header).
    pub spki: Vec<u8>,
}

fn wrap_sequence(content: &[u8]) -> Vec<u8> {
    let mut v = vec![0x30];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else if n < 0x10000 {
        v.push(0x82);
        v.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        v.push(0x83);
        v.extend_from_slice(&(n as u32).to_be_bytes()[1..]);
    }
    v.extend_from_slice(content);
    v
}

/// Finds the issuer of `cert` among the certificates after it, then the roots.
pub fn find_issuer(
    cert: &X509Certificate<'_>,
    later: &[CertificateDer<'static>],
    roots: &RootCertStore,
) -> Option<Issuer> {
    let wanted = cert.issuer().as_raw();
    for der in later {
        if let Ok((_, c)) = x509_parser::parse_x509_certificate(der) {
            if c.subject().as_raw() == wanted {
                return Some(Issuer {
                    name: wanted.to_vec(),
                    spki: c.public_key().raw.to_vec(),
                });
            }
        }
    }
    roots.roots.iter().find_map(|anchor| {
        (wrap_sequence(anchor.subject.as_ref()) == wanted).then(|| Issuer {
            name: wanted.to_vec(),
            spki: wrap_sequence(anchor.subject_public_key_info.as_ref()),
        })
    })
}

/// The OCSP responder and CRL URLs a certificate names.
pub fn urls(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<String>) {
    let (mut ocsp, mut crls) = (Vec::new(), Vec::new());
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in &aia.accessdescs {
                    if let x509_parser::extensions::GeneralName::URI(u) = &d.access_location {
                        if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.1" {
                            ocsp.push(u.to_string());
                        }
                    }
                }
            }
            ParsedExtension::CRLDistributionPoints(dps) => {
                for dp in dps.iter() {
                    if let Some(x509_parser::extensions::DistributionPointName::FullName(names)) =
                        &dp.distribution_point
                    {
                        for n in names {
                            if let x509_parser::extensions::GeneralName::URI(u) = n {
                                crls.push(u.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    (ocsp, crls)
}

/// The TLS Feature extension (RFC 7633), id-pe-tlsfeature.
const TLS_FEATURE_OID: &str = "1.3.6.1.5.5.7.1.24";

/// Whether a certificate demands a stapled OCSP response ("must-staple": the
/// TLS Feature extension lists status_request, 5).
pub fn must_staple(der: &[u8]) -> bool {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return false;
    };
    cert.extensions()
        .iter()
        .filter(|e| e.oid.to_id_string() == TLS_FEATURE_OID)
        .any(|e| {
            // SEQUENCE OF INTEGER: look for the INTEGER 5 among the elements.
            let v = e.value;
            v.first() == Some(&0x30)
                && v.len() >= 2
                && v[2..].windows(3).any(|w| w == [0x02, 0x01, 0x05])
        })
}

fn colon_serial(raw: &[u8]) -> String {
    crate::tls::pin::colon_hex(raw)
}

/// Checks every certificate of the chain except self-signed ones.
pub async fn check(chain: &Chain, opts: Options) -> RevocationReport {
    let mut out = Vec::new();
    for (i, der) in chain.certs.iter().enumerate() {
        let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
            continue;
        };
        if cert.subject().as_raw() == cert.issuer().as_raw() {
            continue;
        }
        out.push(check_one(chain, i, &cert, opts).await);
    }
    RevocationReport {
        certificates: out,
        offline: opts.offline,
    }
}

fn now_pair() -> (OffsetDateTime, UnixTime) {
    (OffsetDateTime::now_utc(), UnixTime::now())
}

async fn check_one(
    chain: &Chain,
    i: usize,
    cert: &X509Certificate<'_>,
    opts: Options,
) -> CertRevocation {
    let mut report = CertRevocation {
        position: i,
        subject: cert.subject().to_string(),
        serial: colon_serial(cert.raw_serial()),
        status: Status::Unknown,
        source: None,
        url: None,
        revoked_at: None,
        reason: None,
        this_update: None,
        next_update: None,
        signer: None,
        unknown_reason: None,
        detail: None,
        attempts: Vec::new(),
        of_client: chain.server_name.is_none(),
    };
    let Some(issuer) = find_issuer(cert, &chain.certs[i + 1..], &chain.roots) else {
        report.unknown_reason = Some(UnknownReason::IssuerNotFound);
        report.detail = Some("its issuer's certificate is neither in the chain nor a trusted root, so no answer can be checked".into());
        return report;
    };
    let (now, unix_now) = now_pair();
    let settle_ocsp = |report: &mut CertRevocation, a: ocsp::Answer, source, url| {
        report.status = a.status;
        report.source = Some(source);
        report.url = url;
        report.revoked_at = a.revoked_at;
        report.reason = a.reason;
        report.this_update = Some(a.this_update);
        report.next_update = a.next_update;
        report.signer = Some(a.signer);
    };
    if i == 0 && !chain.staple.is_empty() {
        match ocsp::verify(&chain.staple, cert, &issuer, now) {
            Ok(a) => {
                settle_ocsp(&mut report, a, Source::Staple, None);
                return report;
            }
            Err(r) => report.attempts.push(Attempt {
                source: Source::Staple,
                url: None,
                reason: r.reason,
                detail: r.detail,
            }),
        }
    }
    let (ocsp_urls, crl_urls) = urls(cert);
    for url in ocsp_urls.iter().take(2) {
        match ask_ocsp(url, cert, &issuer, opts, now).await {
            Ok(a) => {
                settle_ocsp(&mut report, a, Source::Ocsp, Some(url.clone()));
                return report;
            }
            Err(r) => report.attempts.push(Attempt {
                source: Source::Ocsp,
                url: Some(url.clone()),
                reason: r.reason,
                detail: r.detail,
            }),
        }
    }
    for url in crl_urls.iter().take(2) {
        match ask_crl(url, chain, i, opts, unix_now).await {
            Ok(a) => {
                report.status = a.status;
                report.source = Some(Source::Crl);
                report.url = Some(url.clone());
                report.revoked_at = a.revoked_at;
                report.reason = a.reason;
                report.this_update = Some(a.this_update);
                report.next_update = a.next_update;
                return report;
            }
            Err(r) => report.attempts.push(Attempt {
                source: Source::Crl,
                url: Some(url.clone()),
                reason: r.reason,
                detail: r.detail,
            }),
        }
    }
    match report.attempts.last() {
        Some(last) => {
            report.unknown_reason = Some(last.reason);
            report.detail = Some(
                report
                    .attempts
                    .iter()
                    .map(|a| match &a.url {
                        Some(u) => format!("{} {}: {}", a.source.label(), u, a.detail),
                        None => format!("{}: {}", a.source.label(), a.detail),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        None => {
            report.unknown_reason = Some(UnknownReason::NoUrl);
            report.detail = Some(
                "the certificate names no OCSP responder and no CRL distribution point".into(),
            );
        }
    }
    report
}

fn offline_refusal() -> ocsp::Rejected {
    ocsp::Rejected {
        reason: UnknownReason::Offline,
        detail: "fetching is turned off (--offline)".into(),
    }
}

async fn ask_ocsp(
    url: &str,
    cert: &X509Certificate<'_>,
    issuer: &Issuer,
    opts: Options,
    now: OffsetDateTime,
) -> Result<ocsp::Answer, ocsp::Rejected> {
    if opts.offline {
        return Err(offline_refusal());
    }
    let body = ocsp::request(cert, issuer).ok_or_else(|| ocsp::Rejected {
        reason: UnknownReason::BadResponse,
        detail: "cannot build an OCSP request for this certificate".into(),
    })?;
    let post = Post {
        body,
        content_type: "application/ocsp-request",
    };
    let fetched = fetch::fetch(url, Some(&post), fetch::MAX_OCSP, opts.timeout)
        .await
        .map_err(|e| ocsp::Rejected {
            reason: e.kind.into(),
            detail: e.message,
        })?;
    ocsp::verify(&fetched.body, cert, issuer, now)
}

async fn ask_crl(
    url: &str,
    chain: &Chain,
    i: usize,
    opts: Options,
    now: UnixTime,
) -> Result<crl::Answer, ocsp::Rejected> {
    if opts.offline {
        return Err(offline_refusal());
    }
    let fetched = fetch::fetch(url, None, fetch::MAX_CRL, opts.timeout)
        .await
        .map_err(|e| ocsp::Rejected {
            reason: e.kind.into(),
            detail: e.message,
        })?;
    let crl = crl::decode(&fetched.body)?;
    crl::check(
        crl,
        &chain.certs,
        i,
        &chain.roots,
        chain.server_name.as_ref(),
        now,
    )
}

/// What an unknown status means to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Unknown is a warning; revoked fails.
    Warn,
    /// Unknown fails too.
    Require,
}

/// How bad a revocation finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Every certificate checked is good.
    Ok,
    /// A status could not be learned (the plain flag).
    Warning,
    /// A status could not be learned and `require` asks for one.
    Failure,
    /// A certificate is revoked.
    Critical,
}

impl RevocationReport {
    /// The severity under `mode`, and the sentences that explain it (the
    /// revoked certificate, or every unknown one).
    pub fn judge(&self, mode: Mode) -> (Severity, Vec<String>) {
        if let Some(revoked) = self.revoked() {
            return (Severity::Critical, vec![revoked.revoked_sentence()]);
        }
        let unknown: Vec<String> = self.unknown().map(|c| c.unknown_sentence()).collect();
        match (unknown.is_empty(), mode) {
            (true, _) => (Severity::Ok, Vec::new()),
            (false, Mode::Warn) => (Severity::Warning, unknown),
            (false, Mode::Require) => (Severity::Failure, unknown),
        }
    }

    /// Until when this report may be reused: the earliest nextUpdate of its
    /// answers (an hour for an answer without one, at most a day), and only
    /// [`UNKNOWN_TTL`] when a status is unknown, so that a responder that is
    /// back is asked again soon.
    pub fn reusable_for(&self, now: OffsetDateTime) -> Duration {
        let mut secs: i64 = 24 * 3600;
        for c in &self.certificates {
            let left = match c.status {
                Status::Unknown => UNKNOWN_TTL.as_secs() as i64,
                _ => c
                    .next_update
                    .as_deref()
                    .and_then(|t| {
                        OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .map_or(3600, |t| (t - now).whole_seconds()),
            };
            secs = secs.min(left);
        }
        Duration::from_secs(secs.max(0) as u64)
    }
}

/// How long a report with an unknown status is reused.
pub const UNKNOWN_TTL: Duration = Duration::from_secs(30);

/// Revocation reports by chain, each reused while its answers are valid, so
/// that a client dialling the same server for every connection (a tunnel)
/// does not fetch per connection. Bounded in size.
#[derive(Debug, Default)]
pub struct Cache {
    entries: tokio::sync::Mutex<std::collections::HashMap<Vec<u8>, CacheEntry>>,
}

#[derive(Debug)]
struct CacheEntry {
    report: Arc<RevocationReport>,
    until: std::time::Instant,
}

/// At most this many chains are remembered.
const CACHE_MAX: usize = 256;

impl Cache {
    /// The cached report for `chain` while it is valid, else a fresh check
    /// (stored for next time). The second value says whether it was cached.
    /// One check runs at a time: connections that arrive while the first one
    /// fetches wait for its answer instead of fetching again.
    pub async fn check(&self, chain: &Chain, opts: Options) -> (Arc<RevocationReport>, bool) {
        let mut key = Vec::new();
        for c in &chain.certs {
            key.extend_from_slice(&(c.len() as u32).to_be_bytes());
            key.extend_from_slice(c);
        }
        key.extend_from_slice(&chain.staple);
        let mut map = self.entries.lock().await;
        let now = std::time::Instant::now();
        if let Some(e) = map.get(&key).filter(|e| e.until > now) {
            return (e.report.clone(), true);
        }
        let report = Arc::new(check(chain, opts).await);
        let ttl = report.reusable_for(OffsetDateTime::now_utc());
        map.retain(|_, e| e.until > now);
        if map.len() >= CACHE_MAX {
            map.clear();
        }
        if !ttl.is_zero() {
            map.insert(
                key,
                CacheEntry {
                    report: report.clone(),
                    until: std::time::Instant::now() + ttl,
                },
            );
        }
        (report, false)
    }
}

#[cfg(test)]
mod judge_tests {
    use super::*;

    fn entry(status: Status, next_update: Option<&str>) -> CertRevocation {
        CertRevocation {
            position: 0,
            subject: "CN=x".into(),
            serial: "01".into(),
            status,
            source: None,
            url: None,
            revoked_at: None,
            reason: None,
            this_update: None,
            next_update: next_update.map(str::to_string),
            signer: None,
            unknown_reason: None,
            detail: Some("no answer".into()),
            attempts: Vec::new(),
            of_client: false,
        }
    }

    fn report(c: Vec<CertRevocation>) -> RevocationReport {
        RevocationReport {
            certificates: c,
            offline: false,
        }
    }

    #[test]
    fn severities() {
        let good = report(vec![entry(Status::Good, None)]);
        assert_eq!(good.judge(Mode::Require).0, Severity::Ok);
        let unknown = report(vec![entry(Status::Unknown, None)]);
        assert_eq!(unknown.judge(Mode::Warn).0, Severity::Warning);
        assert_eq!(unknown.judge(Mode::Require).0, Severity::Failure);
        let revoked = report(vec![
            entry(Status::Revoked, None),
            entry(Status::Unknown, None),
        ]);
        assert_eq!(revoked.judge(Mode::Warn).0, Severity::Critical);
    }

    #[test]
    fn reuse_follows_next_update() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let in_2h = crate::tls::certinfo::rfc3339(now + time::Duration::hours(2));
        let r = report(vec![entry(Status::Good, Some(&in_2h))]);
        assert_eq!(r.reusable_for(now), Duration::from_secs(7200));
        let r = report(vec![
            entry(Status::Good, Some(&in_2h)),
            entry(Status::Unknown, None),
        ]);
        assert_eq!(r.reusable_for(now), UNKNOWN_TTL);
        let past = crate::tls::certinfo::rfc3339(now - time::Duration::hours(1));
        let r = report(vec![entry(Status::Good, Some(&past))]);
        assert_eq!(r.reusable_for(now), Duration::ZERO);
    }
}
