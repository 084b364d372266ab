//! `scan --dtls`: which DTLS versions a server accepts, and which suites per
//! version, by one handshake per (version, suite) that dimpl can offer
//! (DTLS 1.2: ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305; DTLS 1.3: the
//! three AEAD suites), one at a time, each bound by the timeout; DTLS 1.0
//! by a hand-built ClientHello (`super::legacy`).

use std::time::Duration;

use serde::Serialize;

use super::client::{self, ClientOptions};
use super::legacy::Answer;
use super::Versions;
use crate::tls::config::TrustRoots;
use crate::tls::error::{self, Failure};
use crate::tls::target::Target;

/// The suites probed for DTLS 1.2.
pub const DTLS12_SUITES: [u16; 3] = [0xc02b, 0xc02c, 0xcca9];
/// The suites probed for DTLS 1.3.
pub const DTLS13_SUITES: [u16; 3] = [0x1301, 0x1302, 0x1303];

/// Where to probe.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The server.
    pub target: Target,
    /// Send to this host and port instead.
    pub connect_to: Option<(String, u16)>,
    /// Bound on each probe.
    pub timeout: Duration,
    /// Largest datagram to send.
    pub mtu: usize,
}

/// What one version showed.
#[derive(Debug, Clone, Serialize)]
pub struct VersionResult {
    /// `DTLSv1.3`, `DTLSv1.2` or `DTLSv1.0`.
    pub version: &'static str,
    /// Whether any probe of this version completed a handshake (`null`: not probed).
    pub accepted: Option<bool>,
    /// The suites that completed a handshake, IANA names, in probe order.
    pub suites: Vec<String>,
    /// Why a version was not probed, or the first refusal, in words.
    pub note: Option<String>,
}

/// What kind of problem a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A deprecated protocol version is accepted.
    DeprecatedVersion,
}

/// A problem the scan found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// In words.
    pub message: String,
}

/// What `scan --dtls` found.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// The target as given.
    pub target: String,
    /// Newest first.
    pub versions: Vec<VersionResult>,
    /// Problems found (empty: none).
    pub findings: Vec<Finding>,
}

/// One handshake offering only `suites` of `version`.
async fn probe(opts: &ScanOptions, version: Versions, suites: &[u16]) -> anyhow::Result<()> {
    let client = ClientOptions {
        target: opts.target.clone(),
        connect_to: opts.connect_to.clone(),
        timeout: opts.timeout,
        mtu: opts.mtu,
        versions: version,
        roots: TrustRoots::Webpki,
        pins: Vec::new(),
        accept_unverified: Some(crate::tls::danger::accept_unverified()),
        identity: None,
        suites: Some(suites.to_vec()),
    };
    let conn = client::connect(client).await.map_err(|f| f.error)?;
    conn.close().await;
    Ok(())
}

/// Probes each version with all its suites, then each suite of an accepted
/// version alone. One handshake at a time: many DTLS servers (openssl
/// s_server among them) serve one peer at a time and drop the others.
pub async fn scan(opts: &ScanOptions) -> anyhow::Result<ScanReport> {
    let mut results: Vec<(Versions, u16, anyhow::Result<()>)> = Vec::new();
    let mut version_failures = Vec::new();
    let mut dtls10 = None;
    // DTLS 1.2 first and 1.3 last: a server may stay stuck on an unanswerable
    // DTLS 1.3 ClientHello (openssl s_server does, until its peer times out).
    for (version, suites) in [
        (Versions::Dtls12, &DTLS12_SUITES[..]),
        (Versions::Dtls13, &DTLS13_SUITES[..]),
    ] {
        if version == Versions::Dtls13 {
            dtls10 = Some(probe_dtls10(opts).await);
        }
        if let Err(e) = probe(opts, version, suites).await {
            version_failures.push((version, e));
            continue;
        }
        for &suite in suites {
            results.push((version, suite, probe(opts, version, &[suite]).await));
        }
    }
    // A port that refuses (ICMP) or answers no probe at all is a network failure, not a finding.
    let dtls10 = dtls10.unwrap_or_else(|| Err(anyhow::anyhow!("not probed")));
    if results.is_empty()
        && version_failures
            .iter()
            .all(|(_, e)| error::kind_of(e) == Some(Failure::Network))
        && dtls10
            .as_ref()
            .is_err_and(|e| error::kind_of(e) == Some(Failure::Network))
    {
        if let Some((_, e)) = version_failures.pop() {
            return Err(e);
        }
    }
    for (version, e) in version_failures {
        results.push((version, 0, Err(e)));
    }
    let mut versions = Vec::new();
    for (version, name, order) in [
        (Versions::Dtls13, "DTLSv1.3", &DTLS13_SUITES[..]),
        (Versions::Dtls12, "DTLSv1.2", &DTLS12_SUITES[..]),
    ] {
        let mut suites = Vec::new();
        let mut note = None;
        for suite in order {
            if let Some((_, _, Ok(()))) =
                results.iter().find(|(v, s, _)| *v == version && s == suite)
            {
                suites.push(super::wire::suite_name(*suite));
            }
        }
        for (_, _, r) in results.iter().filter(|(v, _, _)| *v == version) {
            if let Err(e) = r {
                note.get_or_insert_with(|| format!("{e:#}"));
            }
        }
        let accepted = !suites.is_empty();
        versions.push(VersionResult {
            version: name,
            accepted: Some(accepted),
            suites,
            note: if accepted { None } else { note },
        });
    }
    let mut findings = Vec::new();
    let v10 = match dtls10 {
        Ok(Answer::Accepted(suite)) => {
            findings.push(Finding {
                kind: FindingKind::DeprecatedVersion,
                message: "DTLS 1.0 is accepted: it is deprecated by RFC 8996 (its TLS 1.1 base lacks modern AEAD suites); turn it off".to_string(),
            });
            VersionResult {
                version: "DTLSv1.0",
                accepted: Some(true),
                suites: vec![super::wire::suite_name(suite)],
                note: Some(
                    "the suite listed is the server's choice among the probe's CBC suites"
                        .to_string(),
                ),
            }
        }
        other => VersionResult {
            version: "DTLSv1.0",
            accepted: Some(false),
            suites: Vec::new(),
            note: Some(match other {
                Ok(Answer::Alert(d)) => format!(
                    "the server answered with the alert {}",
                    crate::tls::explain::alert_name(&format!(
                        "{:?}",
                        rustls::AlertDescription::from(d)
                    ))
                ),
                Ok(Answer::OtherVersion(v)) => format!(
                    "the server answered a DTLS 1.0 ClientHello with version {:02x}{:02x}",
                    v[0], v[1]
                ),
                Ok(Answer::Silent) | Ok(Answer::Accepted(_)) => {
                    "the server did not answer a DTLS 1.0 ClientHello with a ServerHello"
                        .to_string()
                }
                Err(e) => format!("{e:#}"),
            }),
        },
    };
    versions.push(v10);
    Ok(ScanReport {
        target: opts.target.to_string(),
        versions,
        findings,
    })
}

/// The DTLS 1.0 probe, at the address the other probes use.
async fn probe_dtls10(opts: &ScanOptions) -> anyhow::Result<Answer> {
    let (host, port) = opts
        .connect_to
        .clone()
        .unwrap_or_else(|| (opts.target.host.clone(), opts.target.port));
    let addr = tokio::time::timeout(opts.timeout, tokio::net::lookup_host((host.as_str(), port)))
        .await
        .map_err(|_| error::fail(Failure::Network, "timed out resolving the target"))?
        .map_err(|e| error::fail(Failure::Network, format!("cannot resolve the target: {e}")))?
        .next()
        .ok_or_else(|| error::fail(Failure::Network, "the target resolves to no address"))?;
    let name = opts.target.server_name_str();
    super::legacy::probe(addr, Some(&name), opts.timeout).await
}
