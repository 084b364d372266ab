//! `scan --dtls`: which DTLS versions a server accepts, and which suites per
//! version, by one handshake per (version, suite) that dimpl can offer
//! (DTLS 1.2: ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305; DTLS 1.3: the
//! three AEAD suites). All probes run at once, each bound by the timeout.

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

/// Probes every (version, suite) pair at once.
pub async fn scan(opts: &ScanOptions) -> anyhow::Result<ScanReport> {
    let mut tasks = tokio::task::JoinSet::new();
    for (version, suites) in [
        (Versions::Dtls13, &DTLS13_SUITES[..]),
        (Versions::Dtls12, &DTLS12_SUITES[..]),
    ] {
        for &suite in suites {
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
                suites: Some(vec![suite]),
            };
            tasks.spawn(async move {
                let outcome = match client::connect(client).await {
                    Ok(conn) => {
                        conn.close().await;
                        Ok(())
                    }
                    Err(f) => Err(f.error),
                };
                (version, suite, outcome)
            });
        }
    }
    let mut results = Vec::new();
    while let Some(done) = tasks.join_next().await {
        results
            .push(done.map_err(|e| error::fail(Failure::Input, format!("a probe failed: {e}")))?);
    }
    // A port that refuses (ICMP) or answers no probe at all is a network failure, not a finding.
    if results.iter().all(|(_, _, r)| {
        r.as_ref()
            .err()
            .is_some_and(|e| error::kind_of(e) == Some(Failure::Network))
    }) {
        if let Some((_, _, Err(e))) = results.pop() {
            return Err(e);
        }
    }
    let mut versions = Vec::new();
    for (version, name, order) in [
        (Versions::Dtls13, "DTLSv1.3", &DTLS13_SUITES[..]),
        (Versions::Dtls12, "DTLSv1.2", &DTLS12_SUITES[..]),
    ] {
        let mut suites = Vec::new();
        let mut note = None;
        for suite in order {
            match results.iter().find(|(v, s, _)| *v == version && s == suite) {
                Some((_, _, Ok(()))) => suites.push(super::wire::suite_name(*suite)),
                Some((_, _, Err(e))) => {
                    note.get_or_insert_with(|| format!("{e:#}"));
                }
                None => {}
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
