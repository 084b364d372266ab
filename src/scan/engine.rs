//! The whole scan: which probes run, in what order, and which may run side
//! by side. Every probe holds one of the endpoint's in-flight slots, so the
//! concurrency limit holds however many lanes are waiting.

use std::time::{Duration, Instant};

use super::enumerate::{self, GroupList, SuiteList, Support};
use super::probe::Endpoint;
use super::registry::Version;
use super::session::{self, KeyKind, MainFacts, Outcome, TlsSetup};

/// Everything a scan learnt, before it is judged.
#[derive(Debug, Clone)]
pub struct ScanData {
    /// Each version and whether it is accepted.
    pub versions: Vec<(Version, Support)>,
    /// Accepted suites of each accepted version, newest version first.
    pub suites: Vec<SuiteList>,
    /// TLS 1.3 groups (from HelloRetryRequests).
    pub groups_tls13: Option<GroupList>,
    /// ECDHE curves of the newest version below TLS 1.3.
    pub groups_ecdhe: Option<(Version, GroupList)>,
    /// Whether a downgraded retry is refused (TLS_FALLBACK_SCSV), when it could be tested.
    pub fallback_scsv: Option<bool>,
    /// The main rustls handshake and its resumption.
    pub main: Option<MainFacts>,
    /// Handshakes that offered one kind of key only (the kinds other than
    /// the main handshake's certificate): a server's other certificates.
    pub by_key_kind: Vec<(KeyKind, Outcome)>,
    /// The handshakes for each name asked for by SNI (`--sni`), in the order asked.
    pub by_name: Vec<NamedData>,
    /// Why the main handshake could not even be set up.
    pub main_error: Option<String>,
    /// ALPN protocols and whether each is accepted (`None`: unknown).
    pub alpn: Vec<(&'static str, Option<bool>)>,
    /// Whether a TLS 1.2 session resumes by session ID.
    pub tls12_resumes_by_id: Option<bool>,
    /// Whether a TLS 1.2 session resumes by ticket.
    pub tls12_resumes_by_ticket: Option<bool>,
    /// The safe probes for classic flaws.
    pub safe: Vec<super::safe::SafeFinding>,
    /// Probes and handshakes sent.
    pub probes: usize,
    /// Wall time of the scan.
    pub elapsed: Duration,
}

/// What the handshakes for one name (sent as SNI) found.
#[derive(Debug, Clone)]
pub struct NamedData {
    /// The target with that name.
    pub target: crate::tls::target::Target,
    /// The handshake offering every kind of key, or why it could not be set up.
    pub main: Result<Outcome, String>,
    /// Handshakes for that name offering one other kind of key only: the name's other
    /// certificates (a server block with an RSA and an ECDSA certificate).
    pub by_key_kind: Vec<(KeyKind, Outcome)>,
}

impl ScanData {
    /// Whether `v` is accepted.
    pub fn accepts(&self, v: Version) -> bool {
        self.support(v).is_some_and(|s| s.flight().is_some())
    }

    /// What the version probe of `v` found.
    pub fn support(&self, v: Version) -> Option<&Support> {
        self.versions.iter().find(|(x, _)| *x == v).map(|(_, s)| s)
    }

    /// The newest accepted version below TLS 1.3.
    pub fn best_legacy(&self) -> Option<Version> {
        Version::ALL
            .into_iter()
            .rev()
            .filter(|v| *v != Version::Tls13)
            .find(|v| self.accepts(*v))
    }
}

/// Runs every probe against `ep`.
pub async fn run(ep: &Endpoint, setup: &TlsSetup) -> ScanData {
    let started = Instant::now();
    let raw = async {
        let (ssl3, tls10, tls11, tls12, tls13) = tokio::join!(
            enumerate::probe_version(ep, Version::Ssl3),
            enumerate::probe_version(ep, Version::Tls10),
            enumerate::probe_version(ep, Version::Tls11),
            enumerate::probe_version(ep, Version::Tls12),
            enumerate::probe_version(ep, Version::Tls13),
        );
        let versions = vec![
            (Version::Ssl3, ssl3),
            (Version::Tls10, tls10),
            (Version::Tls11, tls11),
            (Version::Tls12, tls12),
            (Version::Tls13, tls13),
        ];
        let accepted: Vec<Version> = versions
            .iter()
            .filter(|(_, s)| s.flight().is_some())
            .map(|(v, _)| *v)
            .collect();
        let best_legacy = accepted
            .iter()
            .rev()
            .copied()
            .find(|v| *v != Version::Tls13);
        let best = accepted.last().copied();
        let flight_of = |v: Version| {
            versions
                .iter()
                .find(|(x, _)| *x == v)
                .and_then(|(_, s)| s.flight())
        };
        let chain = |v: Version| async move {
            match flight_of(v) {
                Some(f) => Some(enumerate::enumerate_suites(ep, v, f).await),
                None => None,
            }
        };
        let groups13 = async {
            match flight_of(Version::Tls13) {
                Some(f) => Some(enumerate::enumerate_groups_tls13(ep, f).await),
                None => None,
            }
        };
        let ecdhe = async {
            match best_legacy {
                Some(v) => Some((v, enumerate::enumerate_groups_ecdhe(ep, v).await)),
                None => None,
            }
        };
        // A downgraded retry only exists below the newest version; from TLS 1.3
        // the ServerHello's downgrade sentinel does this job, so test the SCSV
        // only where the newest version is TLS 1.2 or older.
        let fallback = async {
            let lower = accepted.iter().rev().nth(1).copied();
            match (best, lower) {
                (Some(b), Some(l)) if b != Version::Tls13 => enumerate::fallback_scsv(ep, l).await,
                _ => None,
            }
        };
        let tls12_flight = flight_of(Version::Tls12);
        let by_id = async {
            match tls12_flight {
                Some(_) => session::tls12_resumption(ep, setup, false)
                    .await
                    .ok()
                    .flatten(),
                None => None,
            }
        };
        let by_ticket = async {
            let issues_tickets = tls12_flight.is_some_and(|f| {
                f.hello
                    .extension(super::clienthello::ext::SESSION_TICKET)
                    .is_some()
            });
            if issues_tickets {
                session::tls12_resumption(ep, setup, true)
                    .await
                    .ok()
                    .flatten()
            } else if tls12_flight.is_some() {
                Some(false)
            } else {
                None
            }
        };
        let safe = super::safe::run(ep, &accepted);
        let (s13, s12, s11, s10, s3, g13, gec, fb, id, ticket, safe) = tokio::join!(
            chain(Version::Tls13),
            chain(Version::Tls12),
            chain(Version::Tls11),
            chain(Version::Tls10),
            chain(Version::Ssl3),
            groups13,
            ecdhe,
            fallback,
            by_id,
            by_ticket,
            safe,
        );
        let suites: Vec<SuiteList> = [s13, s12, s11, s10, s3].into_iter().flatten().collect();
        (versions, suites, g13, gec, fb, id, ticket, safe)
    };
    let main = async {
        let main = session::main_handshake(ep, setup).await;
        let facts = match main {
            Ok(m) => m,
            Err(e) => return (None, Some(format!("{e:#}")), Vec::new(), Vec::new()),
        };
        // A server may hold a certificate per kind of key (RSA and ECDSA):
        // ask for each kind the main handshake did not get.
        let main_kind = facts
            .first
            .observed
            .chain
            .first()
            .and_then(|c| KeyKind::of_certificate(c));
        let other = |kind: KeyKind| async move {
            if main_kind.is_none() || main_kind == Some(kind) {
                return None;
            }
            let out = session::certificate_of_kind(ep, setup, kind).await.ok()?;
            (!out.observed.chain.is_empty()).then_some((kind, out))
        };
        let [k1, k2, k3] = KeyKind::ALL;
        let (o1, o2, o3) = tokio::join!(other(k1), other(k2), other(k3));
        let by_kind: Vec<(KeyKind, Outcome)> = [o1, o2, o3].into_iter().flatten().collect();
        let chosen = facts.first.info.as_ref().and_then(|i| i.alpn.clone());
        let refused_all =
            facts.first.alert == Some(rustls::AlertDescription::NoApplicationProtocol);
        let mut alpn: Vec<(&'static str, Option<bool>)> = Vec::new();
        for proto in ["h2", "http/1.1"] {
            let known = match (&chosen, &facts.first.info) {
                (Some(c), _) if c == proto => Some(true),
                // The server chose nothing although both were offered: it does no ALPN.
                (None, Some(_)) => Some(false),
                _ => None,
            };
            let answer = match known {
                Some(k) => Some(k),
                None if refused_all || chosen.is_some() => {
                    session::alpn_accepts(ep, setup, proto.as_bytes())
                        .await
                        .ok()
                        .flatten()
                }
                None => None,
            };
            alpn.push((proto, answer));
        }
        (Some(facts), None, alpn, by_kind)
    };
    // Each name in turn (a few names; each handshake holds a slot): its certificate,
    // then one handshake per other kind of key, as for the target's own name.
    let named = async {
        let mut out = Vec::with_capacity(setup.names.len());
        for t in &setup.names {
            let named = setup.for_name(t);
            let main = session::certificate_for_name(ep, &named)
                .await
                .map_err(|e| format!("{e:#}"));
            let kind = main
                .as_ref()
                .ok()
                .and_then(|o| o.observed.chain.first())
                .and_then(|c| KeyKind::of_certificate(c));
            let other = |k: KeyKind| {
                let named = &named;
                async move {
                    if kind.is_none() || kind == Some(k) {
                        return None;
                    }
                    let out = session::certificate_of_kind(ep, named, k).await.ok()?;
                    (!out.observed.chain.is_empty()).then_some((k, out))
                }
            };
            let [k1, k2, k3] = KeyKind::ALL;
            let (o1, o2, o3) = tokio::join!(other(k1), other(k2), other(k3));
            out.push(NamedData {
                target: t.clone(),
                main,
                by_key_kind: [o1, o2, o3].into_iter().flatten().collect(),
            });
        }
        out
    };
    let (
        (versions, suites, g13, gec, fb, id, ticket, safe),
        (main, main_error, alpn, by_key_kind),
        by_name,
    ) = tokio::join!(raw, main, named);
    ScanData {
        versions,
        suites,
        groups_tls13: g13,
        groups_ecdhe: gec,
        fallback_scsv: fb,
        main,
        by_key_kind,
        by_name,
        main_error,
        alpn,
        tls12_resumes_by_id: id,
        tls12_resumes_by_ticket: ticket,
        safe,
        probes: ep.probes_sent(),
        elapsed: started.elapsed(),
    }
}
