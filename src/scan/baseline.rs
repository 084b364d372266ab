//! Baselines: an earlier `scan --json` output (one document or JSON Lines)
//! compared with a new scan, target by target. A change is a regression
//! (a weaker version or suite added, a key weakened, a post-quantum group
//! or a protection lost, a finding added, a lower grade), an improvement
//! (the reverse), or neutral (a renewed certificate, a strong suite added).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::session::KeyKind;
use crate::text::sanitize;
use crate::tls::error::{fail, Failure};

/// Whether a change is for the worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Weaker than the baseline.
    Regression,
    /// Stronger than the baseline.
    Improvement,
    /// Different, neither weaker nor stronger.
    Neutral,
}

/// One difference from the baseline.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Its direction.
    pub direction: Direction,
    /// What changed, in a sentence.
    pub what: String,
}

/// How a target compares with its baseline.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineDiff {
    /// Whether the baseline had this target.
    pub in_baseline: bool,
    /// Every change, regressions first.
    pub changes: Vec<Change>,
}

impl BaselineDiff {
    /// Whether anything got worse.
    pub fn regressed(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.direction == Direction::Regression)
    }
}

/// The documents of an earlier `--json` output, by target.
pub fn load(text: &str) -> anyhow::Result<BTreeMap<String, Value>> {
    let docs: Vec<Value> = match serde_json::from_str::<Value>(text) {
        Ok(v) => vec![v],
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    fail(
                        Failure::Input,
                        format!("line {}: not a JSON document: {e}", i + 1),
                    )
                })
            })
            .collect::<anyhow::Result<_>>()?,
    };
    let mut out = BTreeMap::new();
    for d in docs {
        let Some(t) = d["target"].as_str() else {
            return Err(fail(
                Failure::Input,
                "a document without a \"target\": not the output of scan --json",
            ));
        };
        out.insert(t.to_string(), d);
    }
    Ok(out)
}

fn accepted_versions(r: &Value) -> BTreeSet<String> {
    r["protocols"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["accepted"] == true)
        .filter_map(|p| p["version"].as_str().map(str::to_string))
        .collect()
}

/// Suites by (version, name) with their strength.
fn suites(r: &Value) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for s in r["cipher_suites"].as_array().into_iter().flatten() {
        let v = s["version"].as_str().unwrap_or("?").to_string();
        for e in s["suites"].as_array().into_iter().flatten() {
            out.insert(
                (v.clone(), e["name"].as_str().unwrap_or("?").to_string()),
                e["strength"].as_str().unwrap_or("?").to_string(),
            );
        }
    }
    out
}

/// Groups by name, with whether each is post-quantum.
fn groups(r: &Value) -> BTreeMap<String, bool> {
    r["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["groups"].as_array().into_iter().flatten())
        .filter_map(|g| Some((g["name"].as_str()?.to_string(), g["post_quantum"] == true)))
        .collect()
}

fn certificates(r: &Value) -> Vec<&Value> {
    std::iter::once(&r["certificate"])
        .chain(
            r["additional_certificates"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter(|c| c.is_object())
        .collect()
}

/// A finding's key: its code, with the SNI name for one about the
/// certificate presented for a name (`cert-not-verified (SNI api.test)`), so
/// that each name's findings are told apart from the target's own.
fn finding_key(code: &str, sni: Option<&str>) -> String {
    match sni {
        Some(name) => format!("{code} (SNI {name})"),
        None => code.to_string(),
    }
}

/// A grade cap's key: its code, with the SNI name and the kind of key of the
/// additional certificate it is about (`cert-not-verified (SNI api.test, RSA
/// certificate)`), so that a cap of each certificate is told apart. Caps of
/// baselines written before caps named them read as before.
fn cap_key(cap: &Value) -> Option<String> {
    let code = cap["code"].as_str()?;
    let kind = serde_json::from_value::<KeyKind>(cap["key_kind"].clone()).ok();
    Some(match (cap["sni"].as_str(), kind) {
        (sni, None) => finding_key(code, sni),
        (None, Some(k)) => format!("{code} ({} certificate)", k.name()),
        (Some(name), Some(k)) => format!("{code} (SNI {name}, {} certificate)", k.name()),
    })
}

/// Findings: grade caps and certificate findings (the target's own and each
/// name's asked for by SNI), by code and name. Baselines written before caps
/// named an SNI name have no `sni` in their caps, and read as before.
fn findings(r: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for c in r["grade_caps"].as_array().into_iter().flatten() {
        if let Some(key) = cap_key(c) {
            out.insert(key, c["reason"].as_str().unwrap_or("").to_string());
        }
    }
    let named = r["certificates_by_name"]
        .as_array()
        .into_iter()
        .flatten()
        // A name served the main certificate has the main certificate's findings.
        .filter(|n| n["same_as_main"] != true)
        .filter_map(|n| {
            let sni = n["sni"].as_str()?;
            let certs = std::iter::once(&n["certificate"])
                .chain(
                    n["additional_certificates"]
                        .as_array()
                        .into_iter()
                        .flatten(),
                )
                .filter(|c| c.is_object());
            Some(certs.map(move |c| (Some(sni), c)))
        })
        .flatten();
    let own = certificates(r).into_iter().map(|c| (None, c));
    for (sni, cert) in own.chain(named) {
        for f in cert["findings"].as_array().into_iter().flatten() {
            if let Some(code) = f["code"].as_str() {
                // Expiry warnings come and go with the calendar: not a finding to diff.
                if code != "expires-soon" {
                    out.insert(
                        finding_key(code, sni),
                        f["message"].as_str().unwrap_or("").to_string(),
                    );
                }
            }
        }
    }
    out
}

fn grade_rank(g: &str) -> Option<usize> {
    ["F", "D", "C", "B", "A-", "A", "A+"]
        .iter()
        .position(|x| *x == g)
}

fn version_rank(v: &str) -> usize {
    ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        .iter()
        .position(|x| *x == v)
        .unwrap_or(0)
}

fn strength_rank(s: &str) -> usize {
    match s {
        "strong" => 2,
        "weak" => 1,
        _ => 0,
    }
}

/// Key strength as bits for comparing keys of the same algorithm.
fn key_bits(k: &Value) -> Option<(String, u64)> {
    Some((k["algorithm"].as_str()?.to_string(), k["bits"].as_u64()?))
}

/// Compares a target's new scan (`new`, as `--json` prints it) with its baseline.
pub fn diff(old: Option<&Value>, new: &Value) -> BaselineDiff {
    let Some(old) = old else {
        return BaselineDiff {
            in_baseline: false,
            changes: vec![Change {
                direction: Direction::Neutral,
                what: "not in the baseline".to_string(),
            }],
        };
    };
    let mut changes = Vec::new();
    let mut add = |direction: Direction, what: String| {
        changes.push(Change {
            direction,
            what: sanitize(&what).into_owned(),
        })
    };
    use Direction::*;
    let (was_ok, is_ok) = (old.get("error").is_none(), new.get("error").is_none());
    match (was_ok, is_ok) {
        (true, false) => {
            add(
                Regression,
                format!(
                    "no longer scanned: {}",
                    new["error"]["message"].as_str().unwrap_or("")
                ),
            );
            return finish(changes);
        }
        (false, true) => add(
            Improvement,
            "scanned again (the baseline has an error)".to_string(),
        ),
        (false, false) => return finish(changes),
        (true, true) => {}
    }

    // Grade.
    if let (Some(a), Some(b)) = (old["grade"].as_str(), new["grade"].as_str()) {
        match (grade_rank(a), grade_rank(b)) {
            (Some(x), Some(y)) if y < x => add(Regression, format!("grade {a} → {b}")),
            (Some(x), Some(y)) if y > x => add(Improvement, format!("grade {a} → {b}")),
            _ => {}
        }
    }

    // Revocation (when both scans checked it): a chain that became revoked
    // is a regression, whatever else changed. The main chain, then the one
    // presented for each name asked for by SNI (matched by name; a name
    // served the main certificate shares its status, said once above).
    revocation_change(
        &old["revocation"],
        &new["revocation"],
        "the certificate",
        &mut add,
    );
    let names = |r: &Value| -> BTreeMap<String, Value> {
        r["certificates_by_name"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| Some((n["sni"].as_str()?.to_string(), n.clone())))
            .collect()
    };
    let (before, after) = (names(old), names(new));
    for (name, n) in &after {
        let Some(b) = before.get(name) else {
            continue;
        };
        if n["same_as_main"] != true {
            revocation_change(
                &b["revocation"],
                &n["revocation"],
                &format!("the certificate for SNI {name}"),
                &mut add,
            );
        }
        // The name's additional certificates, matched by kind of key.
        let others = |e: &Value| {
            e["additional_certificates"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        let was = others(b);
        for c in others(n) {
            if let Some(o) = was.iter().find(|o| o["key_kind"] == c["key_kind"]) {
                let kind = c["key_kind"].as_str().unwrap_or("?");
                revocation_change(
                    &o["revocation"],
                    &c["revocation"],
                    &format!("the {kind} certificate for SNI {name}"),
                    &mut add,
                );
            }
        }
    }

    // Versions: a deprecated one added (or TLS 1.3 lost) is a regression.
    let (va, vb) = (accepted_versions(old), accepted_versions(new));
    for v in vb.difference(&va) {
        let dir = if version_rank(v) < version_rank("TLSv1.2") {
            Regression
        } else {
            Improvement
        };
        add(dir, format!("{v} accepted (was not)"));
    }
    for v in va.difference(&vb) {
        let dir = if version_rank(v) < version_rank("TLSv1.2") {
            Improvement
        } else {
            Regression
        };
        add(dir, format!("{v} no longer accepted"));
    }

    // Suites.
    let (sa, sb) = (suites(old), suites(new));
    for ((v, name), strength) in &sb {
        if !sa.contains_key(&(v.clone(), name.clone())) {
            let dir = if strength_rank(strength) < 2 {
                Regression
            } else {
                Neutral
            };
            add(dir, format!("{name} accepted with {v} ({strength})"));
        }
    }
    for ((v, name), strength) in &sa {
        if !sb.contains_key(&(v.clone(), name.clone())) && vb.contains(v) {
            let dir = if strength_rank(strength) < 2 {
                Improvement
            } else {
                Neutral
            };
            add(dir, format!("{name} no longer accepted with {v}"));
        }
    }

    // Groups: a post-quantum one lost is a regression.
    let (ga, gb) = (groups(old), groups(new));
    for (g, pq) in &gb {
        if !ga.contains_key(g) {
            add(
                if *pq { Improvement } else { Neutral },
                format!("group {g} accepted (was not)"),
            );
        }
    }
    for (g, pq) in &ga {
        if !gb.contains_key(g) {
            add(
                if *pq { Regression } else { Neutral },
                format!("group {g} no longer accepted"),
            );
        }
    }

    // Certificates, matched by key kind.
    let (ca, cb) = (certificates(old), certificates(new));
    for c in &cb {
        let kind = c["key_kind"].as_str().unwrap_or("?");
        let leaf = &c["chain"][0];
        let Some(before) = ca.iter().find(|o| o["key_kind"] == c["key_kind"]) else {
            add(Neutral, format!("a {kind} certificate is served (was not)"));
            continue;
        };
        let was = &before["chain"][0];
        if was["sha256_fingerprint"] != leaf["sha256_fingerprint"] {
            add(
                Neutral,
                format!(
                    "the {kind} certificate changed: issuer {}, expires {} (was {}, {})",
                    leaf["issuer"].as_str().unwrap_or("?"),
                    leaf["not_after"].as_str().unwrap_or("?"),
                    was["issuer"].as_str().unwrap_or("?"),
                    was["not_after"].as_str().unwrap_or("?"),
                ),
            );
        }
        if let (Some((alg_a, bits_a)), Some((alg_b, bits_b))) =
            (key_bits(&was["key"]), key_bits(&leaf["key"]))
        {
            if alg_a == alg_b && bits_b < bits_a {
                add(
                    Regression,
                    format!("the {kind} key is weaker: {alg_b} {bits_b} bits (was {bits_a})"),
                );
            } else if alg_a == alg_b && bits_b > bits_a {
                add(
                    Improvement,
                    format!("the {kind} key is stronger: {alg_b} {bits_b} bits (was {bits_a})"),
                );
            }
        }
        // An additional certificate's own --check-revocation finding (the
        // main one's is the report's, compared above).
        revocation_change(
            &before["revocation"],
            &c["revocation"],
            &format!("the {kind} certificate"),
            &mut add,
        );
        match (before["verified"] == true, c["verified"] == true) {
            (true, false) => add(
                Regression,
                format!(
                    "the {kind} certificate no longer verifies: {}",
                    c["verification_error"].as_str().unwrap_or("")
                ),
            ),
            (false, true) => add(Improvement, format!("the {kind} certificate verifies now")),
            _ => {}
        }
    }
    for o in &ca {
        if !cb.iter().any(|c| c["key_kind"] == o["key_kind"]) {
            add(
                Neutral,
                format!(
                    "no {} certificate served any more",
                    o["key_kind"].as_str().unwrap_or("?")
                ),
            );
        }
    }

    // Certificates asked for by name (--sni), matched by name.
    let named = |r: &Value| -> BTreeMap<String, Value> {
        r["certificates_by_name"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| Some((n["sni"].as_str()?.to_string(), n["certificate"].clone())))
            .collect()
    };
    let (na, nb) = (named(old), named(new));
    for (name, c) in &nb {
        let Some(before) = na.get(name) else {
            continue; // a name not asked for in the baseline: nothing to compare
        };
        let (was, leaf) = (&before["chain"][0], &c["chain"][0]);
        match (before.is_object(), c.is_object()) {
            (true, false) => {
                add(
                    Regression,
                    format!("no certificate for SNI {name} any more"),
                );
                continue;
            }
            (false, true) => add(Improvement, format!("a certificate for SNI {name} now")),
            (false, false) => continue,
            (true, true) => {}
        }
        if before.is_object() && was["sha256_fingerprint"] != leaf["sha256_fingerprint"] {
            add(
                Neutral,
                format!(
                    "the certificate for SNI {name} changed: issuer {}, expires {} (was {}, {})",
                    leaf["issuer"].as_str().unwrap_or("?"),
                    leaf["not_after"].as_str().unwrap_or("?"),
                    was["issuer"].as_str().unwrap_or("?"),
                    was["not_after"].as_str().unwrap_or("?"),
                ),
            );
        }
        match (before["verified"] == true, c["verified"] == true) {
            (true, false) => add(
                Regression,
                format!(
                    "the certificate for SNI {name} no longer verifies: {}",
                    c["verification_error"].as_str().unwrap_or("")
                ),
            ),
            (false, true) if before.is_object() => add(
                Improvement,
                format!("the certificate for SNI {name} verifies now"),
            ),
            _ => {}
        }
    }

    // ALPN.
    let alpn = |r: &Value| -> BTreeSet<String> {
        r["alpn"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["accepted"] == true)
            .filter_map(|a| a["protocol"].as_str().map(str::to_string))
            .collect()
    };
    let (aa, ab) = (alpn(old), alpn(new));
    for p in ab.difference(&aa) {
        add(Neutral, format!("ALPN {p} accepted (was not)"));
    }
    for p in aa.difference(&ab) {
        add(Neutral, format!("ALPN {p} no longer accepted"));
    }

    // Features where true is good (compression: false is good).
    for (path, name, good) in [
        (&["ocsp_stapling"][..], "OCSP stapling", true),
        (&["secure_renegotiation"][..], "secure renegotiation", true),
        (
            &["extended_master_secret"][..],
            "extended master secret",
            true,
        ),
        (&["compression"][..], "TLS compression", false),
        (
            &["downgrade_protection", "protected"][..],
            "downgrade protection",
            true,
        ),
        (
            &["resumption", "tls13_tickets"][..],
            "TLS 1.3 resumption",
            true,
        ),
    ] {
        let get = |r: &Value| path.iter().fold(r, |v, k| &v[*k]).as_bool();
        if let (Some(a), Some(b)) = (get(old), get(new)) {
            if a != b {
                let now = if b { "on" } else { "off" };
                let dir = if b == good { Improvement } else { Regression };
                add(
                    dir,
                    format!("{name} {now} (was {})", if a { "on" } else { "off" }),
                );
            }
        }
    }

    // Findings.
    let (fa, fb) = (findings(old), findings(new));
    for (code, why) in &fb {
        if !fa.contains_key(code) {
            add(Regression, format!("new finding {code}: {why}"));
        }
    }
    for code in fa.keys() {
        if !fb.contains_key(code) {
            add(Improvement, format!("finding {code} is gone"));
        }
    }
    finish(changes)
}

/// The change in one chain's `--check-revocation` status (`revocation` in
/// the JSON), when both scans checked it: becoming revoked is a regression.
fn revocation_change(
    old: &Value,
    new: &Value,
    what: &str,
    add: &mut impl FnMut(Direction, String),
) {
    if let (Some(a), Some(b)) = (old["status"].as_str(), new["status"].as_str()) {
        match (a, b) {
            (x, "revoked") if x != "revoked" => add(
                Direction::Regression,
                format!("{what} is now revoked (was {x})"),
            ),
            ("revoked", y) if y != "revoked" => add(
                Direction::Improvement,
                format!("{what} is no longer revoked (now {y})"),
            ),
            _ => {}
        }
    }
}

fn finish(mut changes: Vec<Change>) -> BaselineDiff {
    changes.sort_by_key(|c| c.direction);
    BaselineDiff {
        in_baseline: true,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report() -> Value {
        json!({
            "target": "t:443",
            "grade": "A",
            "grade_caps": [],
            "protocols": [
                {"version": "TLSv1.3", "accepted": true},
                {"version": "TLSv1.2", "accepted": true},
                {"version": "TLSv1.0", "accepted": false}
            ],
            "cipher_suites": [
                {"version": "TLSv1.2", "suites": [{"name": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "strength": "strong"}]}
            ],
            "groups": [{"groups": [{"name": "X25519MLKEM768", "post_quantum": true}, {"name": "X25519", "post_quantum": false}]}],
            "certificate": {"key_kind": "rsa", "verified": true, "findings": [],
                "chain": [{"sha256_fingerprint": "AA", "issuer": "CN=CA", "not_after": "2030", "key": {"algorithm": "RSA", "bits": 3072}}]},
            "additional_certificates": [],
            "alpn": [{"protocol": "h2", "accepted": true}],
            "ocsp_stapling": true,
            "compression": false
        })
    }

    #[test]
    fn the_same_scan_is_no_change_and_weakening_is_a_regression() {
        let old = report();
        assert!(diff(Some(&old), &old).changes.is_empty());
        let mut new = report();
        new["grade"] = json!("B");
        new["protocols"][2]["accepted"] = json!(true);
        new["cipher_suites"][0]["suites"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "TLS_RSA_WITH_AES_128_CBC_SHA", "strength": "weak"}));
        new["groups"][0]["groups"].as_array_mut().unwrap().remove(0);
        new["certificate"]["chain"][0]["key"]["bits"] = json!(2048);
        new["certificate"]["chain"][0]["sha256_fingerprint"] = json!("BB");
        new["grade_caps"] = json!([{"code": "tls10", "reason": "TLSv1.0 is accepted"}]);
        new["ocsp_stapling"] = json!(false);
        let d = diff(Some(&old), &new);
        assert!(d.regressed());
        let regressions: Vec<&str> = d
            .changes
            .iter()
            .filter(|c| c.direction == Direction::Regression)
            .map(|c| c.what.as_str())
            .collect();
        assert_eq!(
            regressions,
            vec![
                "grade A → B",
                "TLSv1.0 accepted (was not)",
                "TLS_RSA_WITH_AES_128_CBC_SHA accepted with TLSv1.2 (weak)",
                "group X25519MLKEM768 no longer accepted",
                "the rsa key is weaker: RSA 2048 bits (was 3072)",
                "OCSP stapling off (was on)",
                "new finding tls10: TLSv1.0 is accepted",
            ]
        );
        // The reverse is all improvements, plus the neutral certificate change.
        let back = diff(Some(&new), &old);
        assert!(!back.regressed(), "{back:?}");
        assert!(back
            .changes
            .iter()
            .any(|c| c.direction == Direction::Neutral
                && c.what.starts_with("the rsa certificate changed")));
    }

    #[test]
    fn certificates_by_name_are_compared_name_by_name() {
        let cert = |fp: &str, verified: bool| {
            json!({"key_kind": "ecdsa", "verified": verified, "findings": [],
                "verification_error": if verified { Value::Null } else { json!("valid for a.test but not for b.test") },
                "chain": [{"sha256_fingerprint": fp, "issuer": "CN=CA", "not_after": "2030", "key": {"algorithm": "ECDSA", "bits": 256}}]})
        };
        let mut old = report();
        old["certificates_by_name"] = json!([
            {"sni": "b.test", "same_as_main": false, "certificate": cert("B1", true)},
            {"sni": "c.test", "same_as_main": false, "certificate": cert("C1", true)}
        ]);
        let mut new = report();
        new["certificates_by_name"] = json!([
            {"sni": "b.test", "same_as_main": true, "certificate": cert("AA", false)},
            {"sni": "c.test", "same_as_main": false, "certificate": Value::Null, "error": "timed out"},
            {"sni": "d.test", "same_as_main": false, "certificate": cert("D1", true)}
        ]);
        let d = diff(Some(&old), &new);
        let all: Vec<(Direction, &str)> = d
            .changes
            .iter()
            .map(|c| (c.direction, c.what.as_str()))
            .collect();
        assert_eq!(
            all,
            vec![
                (
                    Direction::Regression,
                    "the certificate for SNI b.test no longer verifies: valid for a.test but not for b.test"
                ),
                (Direction::Regression, "no certificate for SNI c.test any more"),
                (
                    Direction::Neutral,
                    "the certificate for SNI b.test changed: issuer CN=CA, expires 2030 (was CN=CA, 2030)"
                ),
            ]
        );
    }

    #[test]
    fn a_named_certificate_s_findings_and_caps_are_told_apart_by_name() {
        let weak = json!({"key_kind": "rsa", "verified": true,
            "findings": [{"code": "weak-key", "message": "RSA 1024 bits"}],
            "chain": [{"sha256_fingerprint": "BB"}]});
        let mut old = report();
        // The main certificate already had this finding, and a baseline cap
        // without "sni" (as older versions wrote them) still reads.
        old["certificate"]["findings"] = json!([{"code": "weak-key", "message": "RSA 1024 bits"}]);
        old["grade_caps"] =
            json!([{"grade": "F", "code": "cert-weak", "reason": "certificate: RSA 1024 bits"}]);
        old["certificates_by_name"] =
            json!([{"sni": "b.test", "same_as_main": false, "certificate": Value::Null}]);
        let mut new = old.clone();
        new["certificates_by_name"][0]["certificate"] = weak;
        new["grade_caps"]
            .as_array_mut()
            .unwrap()
            .push(json!({"grade": "F", "code": "cert-weak",
            "reason": "certificate for b.test: RSA 1024 bits", "sni": "b.test"}));
        let regressions: Vec<String> = diff(Some(&old), &new)
            .changes
            .into_iter()
            .filter(|c| c.direction == Direction::Regression)
            .map(|c| c.what)
            .collect();
        assert_eq!(
            regressions,
            [
                "new finding cert-weak (SNI b.test): certificate for b.test: RSA 1024 bits",
                "new finding weak-key (SNI b.test): RSA 1024 bits",
            ]
        );
        // A name served the main certificate adds no findings of its own.
        let mut same = old.clone();
        same["certificates_by_name"] = json!([{"sni": "b.test", "same_as_main": true,
            "certificate": old["certificate"].clone()}]);
        assert!(diff(Some(&old), &same)
            .changes
            .iter()
            .all(|c| !c.what.contains("finding")));
    }

    #[test]
    fn a_leaf_that_becomes_revoked_is_a_regression() {
        let mut old = report();
        old["revocation"] = json!({"status": "good", "severity": "ok"});
        let mut new = report();
        new["revocation"] = json!({"status": "revoked", "severity": "critical"});
        let d = diff(Some(&old), &new);
        assert!(d.regressed(), "{d:?}");
        assert!(d
            .changes
            .iter()
            .any(|c| c.direction == Direction::Regression
                && c.what == "the certificate is now revoked (was good)"));
        assert!(!diff(Some(&new), &old).regressed());
        // A scan without --check-revocation says nothing about it.
        assert!(diff(Some(&old), &report()).changes.is_empty());
    }

    #[test]
    fn a_name_s_certificate_that_becomes_revoked_is_a_regression() {
        let with = |b: &str, c: &str, www: &str| {
            let mut r = report();
            r["revocation"] = json!({"status": "good"});
            r["certificates_by_name"] = json!([
                {"sni": "b.test", "same_as_main": false, "certificate": Value::Null, "revocation": {"status": b}},
                {"sni": "c.test", "same_as_main": false, "certificate": Value::Null, "revocation": {"status": c}},
                {"sni": "www.test", "same_as_main": true, "certificate": Value::Null, "revocation": {"status": www}}
            ]);
            r
        };
        let old = with("good", "revoked", "good");
        let new = with("revoked", "unknown", "revoked");
        let all: Vec<(Direction, String)> = diff(Some(&old), &new)
            .changes
            .into_iter()
            .map(|c| (c.direction, c.what))
            .collect();
        // www.test is served the main certificate: its status is the main one's.
        assert_eq!(
            all,
            [
                (
                    Direction::Regression,
                    "the certificate for SNI b.test is now revoked (was good)".to_string()
                ),
                (
                    Direction::Improvement,
                    "the certificate for SNI c.test is no longer revoked (now unknown)".to_string()
                ),
            ]
        );
        // A name not checked in one of the scans says nothing about it.
        let mut unchecked = with("revoked", "revoked", "good");
        unchecked["certificates_by_name"][0]
            .as_object_mut()
            .unwrap()
            .remove("revocation");
        assert!(diff(Some(&old), &unchecked).changes.is_empty());
    }

    #[test]
    fn an_additional_certificate_that_becomes_revoked_is_a_regression() {
        let with = |status: &str| {
            let mut r = report();
            let rsa = json!({"key_kind": "ecdsa", "verified": true, "findings": [],
                "chain": [{"sha256_fingerprint": "EE"}], "revocation": {"status": status}});
            r["additional_certificates"] = json!([rsa.clone()]);
            r["certificates_by_name"] = json!([{"sni": "b.test", "same_as_main": false,
                "certificate": Value::Null, "additional_certificates": [rsa]}]);
            r
        };
        let d = diff(Some(&with("good")), &with("revoked"));
        let all: Vec<(Direction, &str)> = d
            .changes
            .iter()
            .map(|c| (c.direction, c.what.as_str()))
            .collect();
        assert_eq!(
            all,
            [
                (
                    Direction::Regression,
                    "the ecdsa certificate for SNI b.test is now revoked (was good)"
                ),
                (
                    Direction::Regression,
                    "the ecdsa certificate is now revoked (was good)"
                ),
            ]
        );
        assert!(!diff(Some(&with("revoked")), &with("good")).regressed());
    }

    #[test]
    fn caps_of_additional_certificates_are_told_apart_by_kind_of_key() {
        let mut old = report();
        old["grade_caps"] = json!([{"grade": "F", "code": "cert-not-verified",
            "reason": "the certificate does not verify: expired"}]);
        let mut new = old.clone();
        new["grade_caps"].as_array_mut().unwrap().extend([
            json!({"grade": "F", "code": "cert-not-verified", "key_kind": "rsa",
                "reason": "the RSA certificate does not verify: expired"}),
            json!({"grade": "F", "code": "cert-not-verified", "key_kind": "rsa", "sni": "b.test",
                "reason": "the RSA certificate for b.test does not verify: expired"}),
        ]);
        let regressions: Vec<String> = diff(Some(&old), &new)
            .changes
            .into_iter()
            .filter(|c| c.direction == Direction::Regression)
            .map(|c| c.what)
            .collect();
        assert_eq!(
            regressions,
            [
                "new finding cert-not-verified (RSA certificate): the RSA certificate does not verify: expired",
                "new finding cert-not-verified (SNI b.test, RSA certificate): the RSA certificate for b.test does not verify: expired",
            ]
        );
    }

    #[test]
    fn json_lines_and_single_documents_load_by_target() {
        let one = load(&serde_json::to_string_pretty(&report()).unwrap()).unwrap();
        assert_eq!(one.keys().collect::<Vec<_>>(), vec!["t:443"]);
        let lines = "{\"target\":\"a:1\",\"grade\":\"A\"}\n\n{\"target\":\"b:2\",\"error\":{\"message\":\"x\"}}\n";
        assert_eq!(load(lines).unwrap().len(), 2);
        assert!(load("{\"grade\":\"A\"}").is_err());
        assert!(load("{\"target\":\"a\"}\nnot json\n").is_err());
    }
}
