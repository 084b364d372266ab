//! `scan --dtls`: which DTLS versions a server accepts, and which suites per
//! version, by one handshake per (version, suite) that dimpl can offer
//! (DTLS 1.2: ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305; DTLS 1.3: the
//! three AEAD suites), one at a time, each bound by the timeout.

use std::time::Duration;

use serde::Serialize;

use super::client::{self, ClientOptions};
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

/// What `scan --dtls` found.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// The target as given.
    pub target: String,
    /// Newest first.
    pub versions: Vec<VersionResult>,
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
    // DTLS 1.2 first: a DTLS 1.2-only server may stay stuck on an unanswerable
    // DTLS 1.3 ClientHello (openssl s_server does, until its peer times out).
    for (version, suites) in [
        (Versions::Dtls12, &DTLS12_SUITES[..]),
        (Versions::Dtls13, &DTLS13_SUITES[..]),
    ] {
        if let Err(e) = probe(opts, version, suites).await {
            version_failures.push((version, e));
            continue;
        }
        for &suite in suites {
            results.push((version, suite, probe(opts, version, &[suite]).await));
        }
    }
    // A port that refuses (ICMP) or answers no probe at all is a network failure, not a finding.
    if results.is_empty()
        && version_failures
            .iter()
            .all(|(_, e)| error::kind_of(e) == Some(Failure::Network))
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
    versions.push(VersionResult {
        version: "DTLSv1.0",
        accepted: None,
        suites: Vec::new(),
        note: Some("not probed: the DTLS library here speaks DTLS 1.2 and 1.3 only".to_string()),
    });
    Ok(ScanReport {
        target: opts.target.to_string(),
        versions,
    })
}
