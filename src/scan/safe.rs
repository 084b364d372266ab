//! Safe probes for classic flaws that need no legacy crypto stack: each
//! sends at most a ClientHello and a few plaintext records, reads record
//! headers only (a leaking server's memory is never kept), and closes.
//! Heartbleed (a heartbeat request claiming more than it carries, right
//! after the first flight, as testssl does), CCS injection (an early
//! ChangeCipherSpec), and tolerance of GREASE, unknown versions and
//! unknown extensions.

use std::time::Duration;

use serde::Serialize;

use super::clienthello::HelloSpec;
use super::enumerate::{self, group_ids, suite_ids, Support};
use super::probe::{Answer, Endpoint, Prober, Want};
use super::registry::Version;

/// Which check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SafeCheck {
    /// CVE-2014-0160: a heartbeat answered with more than was sent.
    Heartbleed,
    /// CVE-2014-0224: a ChangeCipherSpec accepted before the keys exist.
    CcsInjection,
    /// GREASE values (RFC 8701) in suites, groups, extensions and versions.
    GreaseIntolerance,
    /// supported_versions listing versions the server does not know, or a
    /// legacy_version above TLS 1.2.
    VersionIntolerance,
    /// Extensions the server does not know, and a large hello.
    ExtensionIntolerance,
}

/// The outcome of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SafeVerdict {
    /// The flaw is there.
    Vulnerable,
    /// It is not.
    NotVulnerable,
    /// The check could not tell.
    Unknown,
}

/// How bad the flaw is when present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Secrets leak.
    Critical,
    /// Traffic can be read or changed by a man in the middle.
    High,
    /// Clients fail to connect, or fall back to weaker settings.
    Low,
}

/// One check's finding.
#[derive(Debug, Clone, Serialize)]
pub struct SafeFinding {
    /// The check.
    pub check: SafeCheck,
    /// Its verdict.
    pub verdict: SafeVerdict,
    /// The severity of the flaw it looks for.
    pub severity: Severity,
    /// What the server did, in a sentence.
    pub detail: String,
}

/// How long to listen after a follow-up record.
fn listen(ep: &Endpoint) -> Duration {
    let rtt = ep.min_rtt().unwrap_or(Duration::from_millis(50));
    (rtt * 10)
        .clamp(Duration::from_millis(60), Duration::from_millis(1500))
        .min(ep.timeout)
}

fn record(typ: u8, v: Version, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ];
    r.extend_from_slice(&v.wire().min(0x0303).to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn finding(check: SafeCheck, verdict: SafeVerdict, detail: impl Into<String>) -> SafeFinding {
    let severity = match check {
        SafeCheck::Heartbleed => Severity::Critical,
        SafeCheck::CcsInjection => Severity::High,
        _ => Severity::Low,
    };
    SafeFinding {
        check,
        verdict,
        severity,
        detail: detail.into(),
    }
}

/// Heartbleed: after the first flight, a heartbeat request that claims a
/// 16 KiB payload and carries none. A patched or heartbeat-less server
/// discards it (RFC 6520 §4) or alerts; a vulnerable one answers with its
/// memory.
pub async fn heartbleed(ep: &Endpoint, v: Version) -> SafeFinding {
    let mut hello = HelloSpec::new(v, suite_ids(v), group_ids(v));
    hello.extra_extensions.push((15, vec![1])); // heartbeat: peer_allowed_to_send
    let request = record(24, v, &[1, 0x40, 0x00]);
    let (answer, heard) = ep.follow_up(hello, &[request], listen(ep)).await;
    let Answer::Hello(flight) = answer else {
        return finding(
            SafeCheck::Heartbleed,
            SafeVerdict::Unknown,
            format!(
                "the {} hello was not answered: {}",
                v.name(),
                answer.describe()
            ),
        );
    };
    if !flight.complete {
        return finding(
            SafeCheck::Heartbleed,
            SafeVerdict::Unknown,
            "the first flight did not end with ServerHelloDone",
        );
    }
    let leaked = heard
        .iter()
        .flat_map(|h| h.records.iter())
        .filter(|(t, len, _)| *t == 24 && *len > 3)
        .map(|(_, len, _)| *len)
        .max();
    let supports = flight.hello.extension(15).is_some();
    match leaked {
        Some(n) => finding(
            SafeCheck::Heartbleed,
            SafeVerdict::Vulnerable,
            format!("a heartbeat claiming 16384 bytes and carrying none was answered with {n} bytes: the server leaks its memory (CVE-2014-0160); upgrade OpenSSL"),
        ),
        None if supports => finding(SafeCheck::Heartbleed, SafeVerdict::NotVulnerable, "heartbeats are supported; the oversized request was discarded"),
        None => finding(SafeCheck::Heartbleed, SafeVerdict::NotVulnerable, "no heartbeat support; the request was not answered"),
    }
}

/// CCS injection: a ChangeCipherSpec right after the first flight, before
/// any key exchange; then a record that would be encrypted. A correct
/// server refuses the early CCS (unexpected_message); a vulnerable one
/// takes it and then fails to decrypt (bad_record_mac).
pub async fn ccs_injection(ep: &Endpoint, v: Version) -> SafeFinding {
    let hello = HelloSpec::new(v, suite_ids(v), group_ids(v));
    let ccs = record(20, v, &[1]);
    let mut garbage = [0u8; 40];
    super::clienthello::fill_random(&mut garbage);
    let encrypted = record(22, v, &garbage);
    let (answer, heard) = ep.follow_up(hello, &[ccs, encrypted], listen(ep)).await;
    let Answer::Hello(flight) = answer else {
        return finding(
            SafeCheck::CcsInjection,
            SafeVerdict::Unknown,
            format!(
                "the {} hello was not answered: {}",
                v.name(),
                answer.describe()
            ),
        );
    };
    if !flight.complete {
        return finding(
            SafeCheck::CcsInjection,
            SafeVerdict::Unknown,
            "the first flight did not end with ServerHelloDone",
        );
    }
    match heard.as_slice() {
        [first, ..] if first.closed || first.alert().is_some() => finding(
            SafeCheck::CcsInjection,
            SafeVerdict::NotVulnerable,
            match first.alert() {
                Some(a) => format!("the early ChangeCipherSpec was refused with alert {}", alert_name(a)),
                None => "the early ChangeCipherSpec was refused: the connection was closed".to_string(),
            },
        ),
        [_, second] if matches!(second.alert(), Some(20 | 21)) => finding(
            SafeCheck::CcsInjection,
            SafeVerdict::Vulnerable,
            "an early ChangeCipherSpec was accepted and the next record decrypted with keys that do not exist (CVE-2014-0224): upgrade OpenSSL",
        ),
        [_, second] if second.closed || second.alert().is_some() => finding(
            SafeCheck::CcsInjection,
            SafeVerdict::NotVulnerable,
            "the early ChangeCipherSpec was ignored and the next record refused",
        ),
        _ => finding(SafeCheck::CcsInjection, SafeVerdict::Unknown, "the server said nothing after an early ChangeCipherSpec"),
    }
}

fn alert_name(d: u8) -> String {
    super::serverhello::Alert {
        level: 2,
        description: d,
    }
    .name()
}

/// Whether `hello` (a variant of the version probe of `v`) is accepted:
/// refusal or silence where the plain probe was accepted is intolerance.
async fn tolerates(
    ep: &Endpoint,
    v: Version,
    hello: HelloSpec,
    check: SafeCheck,
    what: &str,
) -> SafeFinding {
    let suites = hello.suites.clone();
    let groups = hello.groups.clone();
    let want = if v == Version::Tls13 {
        Want::Hello
    } else {
        Want::Flight
    };
    match enumerate::classify(v, ep.ask(hello, want).await, &suites, &groups) {
        Support::Accepted(_) => finding(check, SafeVerdict::NotVulnerable, format!("the server accepts {what}")),
        Support::Refused(why) | Support::Unknown(why) => finding(
            check,
            SafeVerdict::Vulnerable,
            format!("the server fails on {what} ({why}) where a plain {} hello succeeds: clients that send them cannot connect", v.name()),
        ),
    }
}

/// GREASE values (RFC 8701) everywhere a client puts them.
pub async fn grease(ep: &Endpoint, v: Version) -> SafeFinding {
    let mut suites = vec![0x0A0A];
    suites.extend(suite_ids(v));
    let mut groups = vec![0x1A1A];
    groups.extend(group_ids(v));
    let mut hello = HelloSpec::new(v, suites, groups);
    hello.extra_extensions.push((0x2A2A, Vec::new()));
    hello.extra_extensions.push((0x3A3A, vec![0]));
    if v == Version::Tls13 {
        hello.extra_versions.push(0x4A4A);
    }
    tolerates(ep, v, hello, SafeCheck::GreaseIntolerance, "GREASE values").await
}

/// Versions the server does not know: in supported_versions (TLS 1.3), or
/// as legacy_version (below it).
pub async fn versions(ep: &Endpoint, v: Version) -> SafeFinding {
    let mut hello = HelloSpec::new(v, suite_ids(v), group_ids(v));
    let what = if v == Version::Tls13 {
        hello.extra_versions.extend([0x0305, 0x03FF]);
        "unknown versions in supported_versions (0x0305, 0x03FF)"
    } else {
        hello.legacy_version = Some(0x0304);
        "a legacy_version above TLS 1.2 (0x0304)"
    };
    tolerates(ep, v, hello, SafeCheck::VersionIntolerance, what).await
}

/// Extensions the server does not know (private-use code points, and
/// several that some servers mishandle), making a hello over 1 KiB.
pub async fn extensions(ep: &Endpoint, v: Version) -> SafeFinding {
    let mut hello = HelloSpec::new(v, suite_ids(v), group_ids(v));
    hello.extra_extensions.extend([
        (0xFF42, Vec::new()),
        (0xFF43, vec![0u8; 600]),
        (1, vec![4]),           // max_fragment_length: 2^12
        (22, Vec::new()),       // encrypt_then_mac
        (28, vec![0x40, 0x01]), // record_size_limit: 16385
    ]);
    tolerates(
        ep,
        v,
        hello,
        SafeCheck::ExtensionIntolerance,
        "unknown and uncommon extensions in a hello over 1 KiB",
    )
    .await
}

/// Every safe probe that applies to the versions the server accepts.
pub async fn run(ep: &Endpoint, accepted: &[Version]) -> Vec<SafeFinding> {
    let legacy = accepted
        .iter()
        .rev()
        .copied()
        .find(|v| *v != Version::Tls13);
    let best = accepted.last().copied();
    let on_legacy = async {
        match legacy {
            Some(v) => {
                let (a, b) = tokio::join!(heartbleed(ep, v), ccs_injection(ep, v));
                vec![a, b]
            }
            None => Vec::new(),
        }
    };
    let on_best = async {
        match best {
            Some(v) => {
                let (a, b, c) = tokio::join!(grease(ep, v), versions(ep, v), extensions(ep, v));
                vec![a, b, c]
            }
            None => Vec::new(),
        }
    };
    let (mut a, b) = tokio::join!(on_legacy, on_best);
    a.extend(b);
    a
}
