//! Safe probes for classic flaws that need no legacy crypto stack: each
//! sends at most a ClientHello and a few plaintext records, reads record
//! headers only (a leaking server's memory is never kept), and closes.
//! Heartbleed (a heartbeat request claiming more than it carries, right
//! after the first flight, as testssl does), CCS injection (an early
//! ChangeCipherSpec), tolerance of GREASE, unknown versions and unknown
//! extensions, and the handling of record sizes (a split hello, records of
//! the largest and of too large a size, and RFC 8449's record_size_limit).

use std::time::Duration;

use serde::Serialize;

use super::clienthello::{ext, HelloSpec};
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
    /// Record sizes: a ClientHello split over small records, a record of the largest
    /// size (2^14 bytes), one over it, and the record_size_limit extension (RFC 8449):
    /// answered within its range, and the limit kept in TLS 1.3's encrypted flight by a
    /// server that announces it.
    RecordSizeLimit,
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

/// The record_size_limit offered: 512 bytes, above RFC 8449's minimum of 64 and
/// the smallest limit GnuTLS takes without a special priority string.
pub const OFFERED_LIMIT: u16 = 512;
/// What TLS 1.3's AEADs add to a record's plaintext (the tag; the content type
/// byte and padding count inside the limit, RFC 8449 §4). Only suites with a
/// 16-byte tag are offered when the sizes are measured.
const AEAD_TAG: usize = 16;
/// The fragment size of the split ClientHello.
pub const SPLIT_FRAGMENT: usize = 64;
/// The largest record a peer must accept (RFC 8446 §5.1, RFC 5246 §6.2.1).
const MAX_RECORD: usize = 16384;

/// What the record-size probes saw, before it is judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSizeFacts {
    /// The version the probes offered.
    pub version: Version,
    /// The hello split in records of [`SPLIT_FRAGMENT`] bytes: `Ok` when accepted, else why
    /// not; `None` when the probe got no answer either way (so for the other two).
    pub split: Option<Result<(), String>>,
    /// The hello in one record of exactly 2^14 bytes.
    pub full: Option<Result<(), String>>,
    /// The hello in one record of 2^14 + 1 bytes: `Some(true)` refused (with how), `Some(false)` accepted.
    pub oversized: (Option<bool>, String),
    /// The hello offering record_size_limit = [`OFFERED_LIMIT`].
    pub limit_hello: Option<Result<(), String>>,
    /// The record_size_limit a TLS 1.2 (or older) ServerHello answered with: `None` not
    /// tested, `Some(None)` not answered (RFC 8449 not supported), `Some(Some(n))` the value.
    pub announced: Option<Option<u16>>,
    /// The largest encrypted record of the TLS 1.3 flight sent after a hello that offered
    /// the limit with a usable key share (`None`: not measured).
    pub tls13_largest: Option<usize>,
}

/// Whether a probe's answer is an acceptance: `Ok`, or the refusal in words; `None` when the
/// answer says nothing either way (a timeout, a failed connection).
fn accepted(support: Support) -> Option<Result<(), String>> {
    match support {
        Support::Accepted(_) => Some(Ok(())),
        Support::Refused(why) => Some(Err(why)),
        Support::Unknown(_) => None,
    }
}

/// Judges the record-size facts: intolerance of a split or full-size hello, an
/// out-of-range or unkept record_size_limit make the server vulnerable (clients that
/// send such records, or rely on the limit, fail); accepting an oversized record is
/// lenient and only reported.
pub fn judge_record_size(f: &RecordSizeFacts) -> SafeFinding {
    let limit_max = if f.version == Version::Tls13 {
        MAX_RECORD + 1
    } else {
        MAX_RECORD
    };
    let mut flaws: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    if let Some(Err(why)) = &f.split {
        flaws.push(format!(
            "a ClientHello split into records of {SPLIT_FRAGMENT} bytes is refused ({why})"
        ));
    }
    if let Some(Err(why)) = &f.full {
        flaws.push(format!(
            "a ClientHello in one record of 16384 bytes, the largest allowed, is refused ({why})"
        ));
    }
    if let Some(Err(why)) = &f.limit_hello {
        flaws.push(format!(
            "a hello offering record_size_limit is refused ({why})"
        ));
    }
    let announced = f.announced.flatten();
    match announced {
        Some(n) if usize::from(n) < 64 || usize::from(n) > limit_max => flaws.push(format!(
            "the ServerHello announces a record_size_limit of {n}, outside 64 to {limit_max} (RFC 8449 §4)"
        )),
        Some(n) => notes.push(format!("record_size_limit supported (the server's own limit: {n})")),
        None if f.announced.is_some() => notes.push("record_size_limit not supported".to_string()),
        None => {}
    }
    let kept = usize::from(OFFERED_LIMIT) + AEAD_TAG;
    match (f.tls13_largest, announced) {
        (Some(n), Some(_)) if n > kept => flaws.push(format!(
            "the server announces record_size_limit, yet its TLS 1.3 flight has an encrypted record of {n} bytes where {OFFERED_LIMIT} was asked for (at most {kept} with the tag)"
        )),
        (Some(n), _) if n <= kept => notes.push(format!(
            "TLS 1.3 records kept within the {OFFERED_LIMIT}-byte limit asked for"
        )),
        (Some(n), _) => notes.push(format!(
            "TLS 1.3 records up to {n} bytes: the {OFFERED_LIMIT}-byte limit is not applied"
        )),
        (None, _) => {}
    }
    match &f.oversized {
        (Some(true), how) => notes.push(format!("a record of 16385 bytes is refused ({how})")),
        (Some(false), _) => notes.push(
            "a record of 16385 bytes is accepted (RFC 8446 §5.1 asks for record_overflow; lenient, harmless to clients)"
                .to_string(),
        ),
        (None, _) => {}
    }
    let unknown = [&f.split, &f.full, &f.limit_hello]
        .iter()
        .any(|r| r.is_none());
    let (verdict, detail) = if !flaws.is_empty() {
        let mut d = flaws.join("; ");
        d.push_str(": clients that send such records, or rely on the limit, fail");
        (SafeVerdict::Vulnerable, d)
    } else if unknown {
        (
            SafeVerdict::Unknown,
            "a record-size probe got no answer".to_string(),
        )
    } else {
        let mut d = format!(
            "split, full-size and record_size_limit hellos are accepted ({})",
            f.version.name()
        );
        if !notes.is_empty() {
            d.push_str("; ");
            d.push_str(&notes.join("; "));
        }
        (SafeVerdict::NotVulnerable, d)
    };
    finding(SafeCheck::RecordSizeLimit, verdict, detail)
}

/// A hello of `v` padded (RFC 7685) so that its handshake message is exactly `size` bytes.
fn padded_hello(ep: &Endpoint, v: Version, size: usize) -> Option<HelloSpec> {
    let base = |pad: usize| {
        let mut h = HelloSpec::new(v, suite_ids(v), group_ids(v));
        h.server_name = ep.sni.clone();
        h.extra_extensions.push((ext::PADDING, vec![0u8; pad]));
        h
    };
    let probe = 1000;
    let without = base(probe).message().len().checked_sub(probe)?;
    let hello = base(size.checked_sub(without)?);
    (hello.message().len() == size).then_some(hello)
}

/// A TLS 1.3 key share for `group` (X25519 or P-256): a fresh public key; the private
/// half is dropped, as the flight it brings is only measured.
fn key_share(group: u16) -> Option<(u16, Vec<u8>)> {
    use aws_lc_rs::agreement::{EphemeralPrivateKey, ECDH_P256, X25519};
    let alg = match group {
        0x001D => &X25519,
        0x0017 => &ECDH_P256,
        _ => return None,
    };
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let key = EphemeralPrivateKey::generate(alg, &rng).ok()?;
    let public = key.compute_public_key().ok()?;
    Some((group, public.as_ref().to_vec()))
}

/// The record-size probes against version `v` (the newest accepted); `tls12` when TLS 1.2
/// is accepted too (its ServerHello shows whether record_size_limit is supported).
pub async fn record_size(ep: &Endpoint, v: Version, tls12: bool) -> SafeFinding {
    let want = if v == Version::Tls13 {
        Want::Hello
    } else {
        Want::Flight
    };
    let plain = || {
        let mut h = HelloSpec::new(v, suite_ids(v), group_ids(v));
        h.server_name = ep.sni.clone();
        h
    };
    let judge_bytes = |hello: HelloSpec, fragment: usize| async move {
        let (suites, groups) = (hello.suites.clone(), hello.groups.clone());
        let answer = ep.ask_bytes(&hello.to_records_of(fragment), want).await;
        enumerate::classify(v, answer, &suites, &groups)
    };
    let split = judge_bytes(plain(), SPLIT_FRAGMENT);
    let full = async {
        match padded_hello(ep, v, MAX_RECORD) {
            Some(h) => judge_bytes(h, MAX_RECORD).await,
            None => Support::Unknown("no full-size hello could be made".to_string()),
        }
    };
    let oversized = async {
        let Some(h) = padded_hello(ep, v, MAX_RECORD + 1) else {
            return (None, String::new());
        };
        match ep.ask_bytes(&h.to_records_of(MAX_RECORD + 1), want).await {
            Answer::Hello(_) => (Some(false), String::new()),
            Answer::Timeout | Answer::Unreachable(_) => (None, String::new()),
            other => (Some(true), other.describe()),
        }
    };
    let limit = OFFERED_LIMIT.to_be_bytes().to_vec();
    let with_limit = async {
        let mut h = plain();
        h.extra_extensions
            .push((ext::RECORD_SIZE_LIMIT, limit.clone()));
        if v != Version::Tls13 {
            let (suites, groups) = (h.suites.clone(), h.groups.clone());
            let answer = ep.ask(h, want).await;
            let announced = announced_limit(&answer);
            let ok = enumerate::classify(v, answer, &suites, &groups);
            return (ok, Some(announced), None);
        }
        // TLS 1.3: real key shares for X25519 and P-256, so that the server sends its
        // encrypted flight (a server that wants another group asks for it, and the sizes
        // are not measured). Every group and suite stays offered, so that acceptance means
        // what it does for the other probes; no TLS 1.3 suite adds more than 16 bytes.
        h.key_shares = [0x001D, 0x0017].into_iter().filter_map(key_share).collect();
        let (suites, groups) = (h.suites.clone(), h.groups.clone());
        let (answer, records) = ep.record_sizes(&h.to_records(), listen(ep)).await;
        let full_flight = matches!(&answer, Answer::Hello(f) if !f.hello.is_hrr);
        let largest = full_flight
            .then(|| {
                records
                    .iter()
                    .filter(|(t, _)| *t == 23)
                    .map(|(_, len)| *len)
                    .max()
            })
            .flatten();
        let ok = enumerate::classify(v, answer, &suites, &groups);
        (ok, None, largest)
    };
    let tls12_announced = async {
        if v != Version::Tls13 || !tls12 {
            return None;
        }
        let mut h = HelloSpec::new(
            Version::Tls12,
            suite_ids(Version::Tls12),
            group_ids(Version::Tls12),
        );
        h.server_name = ep.sni.clone();
        h.extra_extensions
            .push((ext::RECORD_SIZE_LIMIT, limit.clone()));
        match ep.ask(h, Want::Hello).await {
            a @ Answer::Hello(_) => Some(announced_limit(&a)),
            _ => None,
        }
    };
    let (split, full, oversized, (limit_ok, announced, largest), announced12) =
        tokio::join!(split, full, oversized, with_limit, tls12_announced);
    judge_record_size(&RecordSizeFacts {
        version: v,
        split: accepted(split),
        full: accepted(full),
        oversized,
        limit_hello: accepted(limit_ok),
        announced: announced.or(announced12),
        tls13_largest: largest,
    })
}

/// The record_size_limit of a ServerHello (`None` when it has none or it is malformed).
fn announced_limit(answer: &Answer) -> Option<u16> {
    let data = answer.hello()?.extension(ext::RECORD_SIZE_LIMIT)?;
    match data {
        [a, b] => Some(u16::from_be_bytes([*a, *b])),
        _ => Some(0),
    }
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
    let tls12 = accepted.contains(&Version::Tls12);
    let on_best = async {
        match best {
            Some(v) => {
                let (a, b, c, d) = tokio::join!(
                    grease(ep, v),
                    versions(ep, v),
                    extensions(ep, v),
                    record_size(ep, v, tls12)
                );
                vec![a, b, c, d]
            }
            None => Vec::new(),
        }
    };
    let (mut a, b) = tokio::join!(on_legacy, on_best);
    a.extend(b);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RecordSizeFacts {
        RecordSizeFacts {
            version: Version::Tls13,
            split: Some(Ok(())),
            full: Some(Ok(())),
            oversized: (Some(true), "alert record_overflow".to_string()),
            limit_hello: Some(Ok(())),
            announced: Some(Some(16384)),
            tls13_largest: Some(528),
        }
    }

    #[test]
    fn a_limit_announced_and_kept_is_fine() {
        let f = judge_record_size(&facts());
        assert_eq!(f.verdict, SafeVerdict::NotVulnerable, "{}", f.detail);
        assert_eq!(f.severity, Severity::Low);
    }

    #[test]
    fn a_limit_announced_and_not_kept_in_tls13_is_a_flaw() {
        let f = judge_record_size(&RecordSizeFacts {
            tls13_largest: Some(529),
            ..facts()
        });
        assert_eq!(f.verdict, SafeVerdict::Vulnerable);
        assert!(
            f.detail.contains("an encrypted record of 529 bytes"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn large_records_without_rfc_8449_are_not_a_flaw() {
        let f = judge_record_size(&RecordSizeFacts {
            announced: Some(None),
            tls13_largest: Some(1700),
            oversized: (Some(false), String::new()),
            ..facts()
        });
        assert_eq!(f.verdict, SafeVerdict::NotVulnerable, "{}", f.detail);
        assert!(f.detail.contains("the 512-byte limit is not applied"));
        assert!(f.detail.contains("a record of 16385 bytes is accepted"));
    }

    #[test]
    fn limits_outside_the_range_and_silence_are_judged() {
        for bad in [63, 16386] {
            let f = judge_record_size(&RecordSizeFacts {
                announced: Some(Some(bad)),
                tls13_largest: None,
                ..facts()
            });
            assert_eq!(f.verdict, SafeVerdict::Vulnerable, "{bad}");
        }
        // 16385 is allowed in TLS 1.3 (the content type byte), not in TLS 1.2.
        let tls13 = judge_record_size(&RecordSizeFacts {
            announced: Some(Some(16385)),
            ..facts()
        });
        assert_eq!(
            tls13.verdict,
            SafeVerdict::NotVulnerable,
            "{}",
            tls13.detail
        );
        let tls12 = judge_record_size(&RecordSizeFacts {
            version: Version::Tls12,
            announced: Some(Some(16385)),
            tls13_largest: None,
            ..facts()
        });
        assert_eq!(tls12.verdict, SafeVerdict::Vulnerable);
        let silent = judge_record_size(&RecordSizeFacts {
            split: None,
            ..facts()
        });
        assert_eq!(silent.verdict, SafeVerdict::Unknown);
    }
}
