//! Finding what a server accepts, one ClientHello at a time: which
//! versions, which suites per version (offer the list, note the choice,
//! remove it, offer again until refused), which groups, and whether the
//! server imposes its own order (offer what it accepted in reverse: a server
//! that still picks the same first has a preference of its own).

use super::clienthello::HelloSpec;
use super::probe::{Answer, Flight, Prober, Want};
use super::registry::{self, GroupKind, Suite, Version};
use super::serverhello::KxParams;

/// The result of asking a server for one version.
#[derive(Debug, Clone)]
pub enum Support {
    /// Accepted: the server's first choice, with its flight.
    Accepted(Box<Flight>),
    /// Refused (alert, closed, another version, garbage): why.
    Refused(String),
    /// Not known (timeout, network): why.
    Unknown(String),
}

impl Support {
    /// The flight of an accepted version.
    pub fn flight(&self) -> Option<&Flight> {
        match self {
            Support::Accepted(f) => Some(f),
            _ => None,
        }
    }
}

/// One suite a server accepted, with the key exchange it used for it.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The suite.
    pub suite: &'static Suite,
    /// The ServerKeyExchange parameters (TLS 1.2 and below, DHE and ECDHE suites).
    pub kx: Option<KxParams>,
    /// The group a TLS 1.3 server asked for.
    pub group: Option<u16>,
}

/// The suites one version accepts.
#[derive(Debug, Clone)]
pub struct SuiteList {
    /// The version.
    pub version: Version,
    /// Accepted suites, in the order the server chose them (its preference, if it has one).
    pub accepted: Vec<Accepted>,
    /// Whether the server imposes its order: `None` with fewer than two suites or a mixed answer.
    pub server_preference: Option<bool>,
    /// Why the enumeration stopped early, if it did (timeouts, garbage).
    pub incomplete: Option<String>,
}

/// The groups a server accepts for one kind of key exchange.
#[derive(Debug, Clone, Default)]
pub struct GroupList {
    /// Accepted groups, in the order the server chose them.
    pub accepted: Vec<u16>,
    /// Whether the server imposes its order.
    pub server_preference: Option<bool>,
    /// Why the enumeration stopped early, if it did.
    pub incomplete: Option<String>,
}

/// The most probes one enumeration may send (the registry is smaller).
const MAX_STEPS: usize = 400;

/// Suite code points a hello of `v` offers.
pub fn suite_ids(v: Version) -> Vec<u16> {
    registry::suites_for(v).iter().map(|s| s.id).collect()
}

/// Group code points a hello of `v` offers: every group for TLS 1.3, the elliptic curves below it.
pub fn group_ids(v: Version) -> Vec<u16> {
    registry::GROUPS
        .iter()
        .filter(|g| match v {
            Version::Tls13 => g.tls13,
            _ => g.kind == GroupKind::EllipticCurve,
        })
        .map(|g| g.id)
        .collect()
}

fn want(v: Version) -> Want {
    if v == Version::Tls13 {
        Want::Hello
    } else {
        Want::Flight
    }
}

/// Asks whether the server accepts `v`, offering every suite and group of that version.
pub async fn probe_version<P: Prober>(p: &P, v: Version) -> Support {
    let mut hello = HelloSpec::new(v, suite_ids(v), group_ids(v));
    hello.offer_compression = true;
    let suites = hello.suites.clone();
    let groups = hello.groups.clone();
    classify(v, p.ask(hello, want(v)).await, &suites, &groups)
}

/// Whether an answer accepts `v` with one of the offered suites (and groups, for TLS 1.3).
pub(crate) fn classify(v: Version, answer: Answer, suites: &[u16], groups: &[u16]) -> Support {
    match answer {
        Answer::Hello(flight) => {
            let h = &flight.hello;
            if h.version != v.wire() {
                let got = Version::from_wire(h.version)
                    .map_or_else(|| format!("0x{:04X}", h.version), |x| x.name().to_string());
                return Support::Refused(format!("the server answered with {got}"));
            }
            if !suites.contains(&h.suite) {
                return Support::Refused(format!(
                    "the server chose {}, which was not offered",
                    registry::suite_name(h.suite)
                ));
            }
            if v == Version::Tls13 {
                match h.key_share_group() {
                    Ok(Some(g)) if groups.contains(&g) => {}
                    Ok(Some(g)) => {
                        return Support::Refused(format!(
                            "the server asked for group {}, which was not offered",
                            registry::group_name(g)
                        ))
                    }
                    Ok(None) | Err(_) => {
                        return Support::Refused(
                            "the server's key_share is missing or malformed".into(),
                        )
                    }
                }
            }
            Support::Accepted(flight)
        }
        Answer::Timeout | Answer::Unreachable(_) => Support::Unknown(answer.describe()),
        other => Support::Refused(other.describe()),
    }
}

fn accepted_from(flight: &Flight) -> Option<Accepted> {
    let suite = registry::suite(flight.hello.suite)?;
    Some(Accepted {
        suite,
        kx: flight.kx,
        group: flight.hello.key_share_group().ok().flatten(),
    })
}

/// Every suite `v` accepts, starting from the first choice the version probe saw.
pub async fn enumerate_suites<P: Prober>(p: &P, v: Version, first: &Flight) -> SuiteList {
    let mut list = SuiteList {
        version: v,
        accepted: Vec::new(),
        server_preference: None,
        incomplete: None,
    };
    let mut remaining = suite_ids(v);
    let Some(a) = accepted_from(first) else {
        list.incomplete = Some("the first choice is not a known suite".into());
        return list;
    };
    remaining.retain(|id| *id != a.suite.id);
    list.accepted.push(a);
    let groups = group_ids(v);
    for _ in 0..MAX_STEPS {
        if remaining.is_empty() {
            break;
        }
        let hello = HelloSpec::new(v, remaining.clone(), groups.clone());
        match classify(v, p.ask(hello, want(v)).await, &remaining, &groups) {
            Support::Accepted(f) => match accepted_from(&f) {
                Some(a) => {
                    remaining.retain(|id| *id != a.suite.id);
                    list.accepted.push(a);
                }
                None => break,
            },
            Support::Refused(_) => break,
            Support::Unknown(why) => {
                list.incomplete = Some(why);
                break;
            }
        }
    }
    if list.accepted.len() >= 2 {
        let reversed: Vec<u16> = list.accepted.iter().rev().map(|a| a.suite.id).collect();
        let hello = HelloSpec::new(v, reversed.clone(), groups.clone());
        if let Support::Accepted(f) = classify(v, p.ask(hello, want(v)).await, &reversed, &groups) {
            list.server_preference =
                preference(f.hello.suite, &list.accepted[0].suite.id, &reversed[0]);
        }
    }
    list
}

/// Server preference from the answer to a reversed offer.
fn preference(chosen: u16, forward_first: &u16, reversed_first: &u16) -> Option<bool> {
    if chosen == *forward_first {
        Some(true)
    } else if chosen == *reversed_first {
        Some(false)
    } else {
        None
    }
}

/// The groups a TLS 1.3 server accepts: each HelloRetryRequest names the one it wants.
pub async fn enumerate_groups_tls13<P: Prober>(p: &P, first: &Flight) -> GroupList {
    let suites = suite_ids(Version::Tls13);
    let mut remaining = group_ids(Version::Tls13);
    let mut list = GroupList::default();
    match first.hello.key_share_group() {
        Ok(Some(g)) => {
            remaining.retain(|x| *x != g);
            list.accepted.push(g);
        }
        _ => {
            list.incomplete = Some("the server named no group".into());
            return list;
        }
    }
    for _ in 0..MAX_STEPS {
        if remaining.is_empty() {
            break;
        }
        let hello = HelloSpec::new(Version::Tls13, suites.clone(), remaining.clone());
        match classify(
            Version::Tls13,
            p.ask(hello, Want::Hello).await,
            &suites,
            &remaining,
        ) {
            Support::Accepted(f) => match f.hello.key_share_group() {
                Ok(Some(g)) => {
                    remaining.retain(|x| *x != g);
                    list.accepted.push(g);
                }
                _ => break,
            },
            Support::Refused(_) => break,
            Support::Unknown(why) => {
                list.incomplete = Some(why);
                break;
            }
        }
    }
    if list.accepted.len() >= 2 {
        let reversed: Vec<u16> = list.accepted.iter().rev().copied().collect();
        let hello = HelloSpec::new(Version::Tls13, suites.clone(), reversed.clone());
        if let Support::Accepted(f) = classify(
            Version::Tls13,
            p.ask(hello, Want::Hello).await,
            &suites,
            &reversed,
        ) {
            if let Ok(Some(g)) = f.hello.key_share_group() {
                list.server_preference = preference(g, &list.accepted[0], &reversed[0]);
            }
        }
    }
    list
}

/// The curves a TLS 1.2-and-below server accepts for ECDHE, read from its ServerKeyExchange.
pub async fn enumerate_groups_ecdhe<P: Prober>(p: &P, v: Version) -> GroupList {
    let suites: Vec<u16> = registry::suites_for(v)
        .iter()
        .filter(|s| s.kx.is_ecdhe())
        .map(|s| s.id)
        .collect();
    let mut remaining = group_ids(v);
    let mut list = GroupList::default();
    let curve = |f: &Flight| match f.kx {
        Some(KxParams::Ecdhe { group }) => Some(group),
        _ => None,
    };
    // With an ECDSA certificate, the server can only sign with a curve the
    // client lists (RFC 8422 §5.1): once that curve is taken out of the offer
    // it refuses everything. So after the first refusal the curves already
    // found go back in, after the others (in the client's order a server
    // without its own order picks a new one first).
    let mut keep_found = false;
    for _ in 0..MAX_STEPS {
        if remaining.is_empty() {
            break;
        }
        let mut offer = remaining.clone();
        if keep_found {
            offer.extend(list.accepted.iter().copied());
        }
        let hello = HelloSpec::new(v, suites.clone(), offer.clone());
        match classify(v, p.ask(hello, Want::Flight).await, &suites, &offer) {
            Support::Accepted(f) => match curve(&f) {
                Some(g) if remaining.contains(&g) => {
                    remaining.retain(|x| *x != g);
                    list.accepted.push(g);
                }
                _ => break,
            },
            Support::Refused(_) if !keep_found && !list.accepted.is_empty() => {
                keep_found = true;
            }
            Support::Refused(_) => break,
            Support::Unknown(why) => {
                list.incomplete = Some(why);
                break;
            }
        }
    }
    if list.accepted.len() >= 2 {
        let reversed: Vec<u16> = list.accepted.iter().rev().copied().collect();
        let hello = HelloSpec::new(v, suites.clone(), reversed.clone());
        if let Support::Accepted(f) =
            classify(v, p.ask(hello, Want::Flight).await, &suites, &reversed)
        {
            if let Some(g) = curve(&f) {
                list.server_preference = preference(g, &list.accepted[0], &reversed[0]);
            }
        }
    }
    list
}

/// Whether the server refuses a downgraded retry at `lower` (TLS_FALLBACK_SCSV, RFC 7507):
/// `Some(true)` when it answers inappropriate_fallback.
pub async fn fallback_scsv<P: Prober>(p: &P, lower: Version) -> Option<bool> {
    let mut hello = HelloSpec::new(lower, suite_ids(lower), group_ids(lower));
    hello.fallback_scsv = true;
    match p.ask(hello, want(lower)).await {
        Answer::Alert(a) if a.description == 86 => Some(true),
        Answer::Hello(_) => Some(false),
        // Another refusal says nothing about the SCSV.
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod sim {
    //! A simulated server, for testing the enumeration without a network.

    use std::cell::Cell;

    use super::*;
    use crate::scan::serverhello::{Alert, ServerHello, DOWNGRADE_TLS12, HRR_RANDOM};

    /// What the simulated server accepts.
    #[derive(Debug, Clone, Default)]
    pub struct SimServer {
        pub versions: Vec<Version>,
        /// Suites in the server's preference order.
        pub suites: Vec<u16>,
        pub server_order: bool,
        /// TLS 1.3 groups and the curves for ECDHE, in the server's order.
        pub groups: Vec<u16>,
        pub group_server_order: bool,
        pub dh_bits: u32,
        pub honours_fallback_scsv: bool,
        /// The curve of an ECDSA certificate: below TLS 1.3 the server refuses
        /// a hello whose supported_groups leave it out.
        pub ecdsa_curve: Option<u16>,
        /// After this many probes the server stops answering.
        pub go_silent_after: Option<usize>,
        pub asked: Cell<usize>,
    }

    fn pick(offered: &[u16], mine: &[u16], server_order: bool) -> Option<u16> {
        if server_order {
            mine.iter().find(|x| offered.contains(x)).copied()
        } else {
            offered.iter().find(|x| mine.contains(x)).copied()
        }
    }

    fn alert(description: u8) -> Answer {
        Answer::Alert(Alert {
            level: 2,
            description,
        })
    }

    impl Prober for SimServer {
        async fn ask(&self, hello: HelloSpec, _want: Want) -> Answer {
            self.asked.set(self.asked.get() + 1);
            if self.go_silent_after.is_some_and(|n| self.asked.get() > n) {
                return Answer::Timeout;
            }
            let best = self.versions.iter().max().copied();
            let Some(v) = self
                .versions
                .iter()
                .rev()
                .find(|v| **v <= hello.version)
                .copied()
            else {
                return alert(70);
            };
            if hello.version == Version::Tls13 && v != Version::Tls13 {
                return alert(70);
            }
            if hello.fallback_scsv && self.honours_fallback_scsv && Some(v) < best {
                return alert(86);
            }
            let mine: Vec<u16> = self
                .suites
                .iter()
                .copied()
                .filter(|id| registry::suite(*id).is_some_and(|s| s.usable_in(v)))
                .collect();
            let Some(suite) = pick(&hello.suites, &mine, self.server_order) else {
                return alert(40);
            };
            if let Some(c) = self.ecdsa_curve {
                if v != Version::Tls13 && !hello.groups.contains(&c) {
                    return alert(40);
                }
            }
            let s = registry::suite(suite).unwrap();
            let group = if v == Version::Tls13 || s.kx.is_ecdhe() {
                match pick(&hello.groups, &self.groups, self.group_server_order) {
                    Some(g) => Some(g),
                    None => return alert(40),
                }
            } else {
                None
            };
            let mut random = [3u8; 32];
            let mut extensions = Vec::new();
            if v == Version::Tls13 {
                random = HRR_RANDOM;
                extensions.push((43, vec![3, 4]));
                extensions.push((51, group.unwrap().to_be_bytes().to_vec()));
            } else if best == Some(Version::Tls13) {
                random[24..].copy_from_slice(&DOWNGRADE_TLS12);
            }
            let kx = if s.kx.is_ecdhe() {
                group.map(|group| KxParams::Ecdhe { group })
            } else if s.kx.is_dhe() {
                Some(KxParams::Dhe { bits: self.dh_bits })
            } else {
                None
            };
            Answer::Hello(Box::new(Flight {
                hello: ServerHello {
                    legacy_version: v.wire().min(0x0303),
                    version: v.wire(),
                    random,
                    session_id: hello.session_id.clone(),
                    suite,
                    compression: 0,
                    extensions,
                    is_hrr: v == Version::Tls13,
                },
                certs: Vec::new(),
                ocsp: None,
                kx,
                cert_request: false,
                complete: true,
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sim::SimServer;
    use super::*;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn legacy_server(server_order: bool) -> SimServer {
        SimServer {
            versions: vec![Version::Tls10, Version::Tls12],
            // Weak first, as a badly configured server might.
            suites: vec![0x000A, 0xC013, 0xC02F, 0x009E, 0x002F],
            server_order,
            groups: vec![0x0018, 0x0017],
            group_server_order: server_order,
            dh_bits: 1024,
            honours_fallback_scsv: true,
            ..SimServer::default()
        }
    }

    #[test]
    fn finds_versions_and_suites_in_server_order() {
        let s = legacy_server(true);
        let names = |l: &SuiteList| l.accepted.iter().map(|a| a.suite.id).collect::<Vec<_>>();
        run(async {
            assert!(matches!(
                probe_version(&s, Version::Ssl3).await,
                Support::Refused(_)
            ));
            assert!(matches!(
                probe_version(&s, Version::Tls11).await,
                Support::Refused(_)
            ));
            assert!(matches!(
                probe_version(&s, Version::Tls13).await,
                Support::Refused(_)
            ));
            let Support::Accepted(first) = probe_version(&s, Version::Tls12).await else {
                panic!("TLS 1.2 refused")
            };
            let l = enumerate_suites(&s, Version::Tls12, &first).await;
            assert_eq!(names(&l), vec![0x000A, 0xC013, 0xC02F, 0x009E, 0x002F]);
            assert_eq!(l.server_preference, Some(true));
            assert!(l.incomplete.is_none());
            let dhe = l.accepted.iter().find(|a| a.suite.id == 0x009E).unwrap();
            assert_eq!(dhe.kx, Some(KxParams::Dhe { bits: 1024 }));
            let ecdhe = l.accepted.iter().find(|a| a.suite.id == 0xC02F).unwrap();
            assert_eq!(ecdhe.kx, Some(KxParams::Ecdhe { group: 0x0018 }));

            // TLS 1.0 cannot use the TLS 1.2-only GCM suites.
            let Support::Accepted(first) = probe_version(&s, Version::Tls10).await else {
                panic!("TLS 1.0 refused")
            };
            let l = enumerate_suites(&s, Version::Tls10, &first).await;
            assert_eq!(names(&l), vec![0x000A, 0xC013, 0x002F]);

            let g = enumerate_groups_ecdhe(&s, Version::Tls12).await;
            assert_eq!(g.accepted, vec![0x0018, 0x0017]);
            assert_eq!(g.server_preference, Some(true));

            assert_eq!(fallback_scsv(&s, Version::Tls10).await, Some(true));
        });
    }

    #[test]
    fn client_order_servers_are_recognised() {
        let s = legacy_server(false);
        run(async {
            let Support::Accepted(first) = probe_version(&s, Version::Tls12).await else {
                panic!()
            };
            let l = enumerate_suites(&s, Version::Tls12, &first).await;
            assert_eq!(l.accepted.len(), 5);
            assert_eq!(l.server_preference, Some(false));
            let g = enumerate_groups_ecdhe(&s, Version::Tls12).await;
            assert_eq!(g.server_preference, Some(false));
        });
    }

    #[test]
    fn ecdhe_curves_of_an_ecdsa_server_are_all_found() {
        // P-256 signs; X25519, P-384, P-521 and X448 are accepted for ECDHE too.
        let s = SimServer {
            versions: vec![Version::Tls12],
            suites: vec![0xC02B, 0xC02C],
            groups: vec![0x001D, 0x0017, 0x0018, 0x0019, 0x001E],
            ecdsa_curve: Some(0x0017),
            ..SimServer::default()
        };
        run(async {
            let g = enumerate_groups_ecdhe(&s, Version::Tls12).await;
            let mut found = g.accepted.clone();
            found.sort_unstable();
            assert_eq!(found, vec![0x0017, 0x0018, 0x0019, 0x001D, 0x001E]);
            assert!(g.incomplete.is_none());
        });
    }

    #[test]
    fn tls13_groups_come_from_hello_retry_requests() {
        let s = SimServer {
            versions: vec![Version::Tls12, Version::Tls13],
            suites: vec![0x1302, 0x1301, 0x1303, 0xC02F],
            server_order: true,
            groups: vec![0x11EC, 0x001D, 0x0017],
            group_server_order: true,
            ..SimServer::default()
        };
        run(async {
            let Support::Accepted(first) = probe_version(&s, Version::Tls13).await else {
                panic!()
            };
            assert!(first.hello.is_hrr);
            let suites = enumerate_suites(&s, Version::Tls13, &first).await;
            let ids: Vec<u16> = suites.accepted.iter().map(|a| a.suite.id).collect();
            assert_eq!(ids, vec![0x1302, 0x1301, 0x1303]);
            assert_eq!(suites.server_preference, Some(true));
            let groups = enumerate_groups_tls13(&s, &first).await;
            assert_eq!(groups.accepted, vec![0x11EC, 0x001D, 0x0017]);
            assert_eq!(groups.server_preference, Some(true));
            let Support::Accepted(tls12) = probe_version(&s, Version::Tls12).await else {
                panic!()
            };
            assert!(tls12.hello.downgrade_sentinel());
        });
    }

    #[test]
    fn a_server_that_goes_silent_leaves_an_incomplete_list() {
        let mut s = legacy_server(true);
        s.go_silent_after = Some(3);
        run(async {
            let Support::Accepted(first) = probe_version(&s, Version::Tls12).await else {
                panic!()
            };
            let l = enumerate_suites(&s, Version::Tls12, &first).await;
            assert_eq!(l.accepted.len(), 3);
            assert!(l.incomplete.as_deref().unwrap().contains("no answer"));
            assert!(matches!(
                probe_version(&s, Version::Tls10).await,
                Support::Unknown(_)
            ));
        });
    }
}
