//! Policies that gate a scan: Mozilla's server-side TLS configurations
//! (version 5.7: modern, intermediate, old) or a TOML file stating what is
//! allowed and required. A policy judges a finished report; each violation
//! says what was found and what to change.

use serde::{Deserialize, Serialize};

use super::registry::{self, GroupKind, Version};
use super::report::Report;
use super::session::KeyKind;
use crate::text::sanitize;
use crate::tls::error::{fail, Failure};

/// The version of Mozilla's server-side TLS recommendations built in.
pub const MOZILLA_VERSION: &str = "5.7";

/// Something a policy can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// The chain verifies for the name against the trust anchors.
    VerifiedChain,
    /// An OCSP response is stapled.
    OcspStaple,
    /// A post-quantum (hybrid) group is accepted.
    PostQuantum,
    /// TLS 1.3 is accepted.
    Tls13,
    /// No TLS compression.
    NoCompression,
    /// Secure renegotiation (RFC 5746) below TLS 1.3.
    SecureRenegotiation,
    /// A downgraded connection is refused or detectable.
    DowngradeProtection,
    /// The extended master secret (RFC 7627) below TLS 1.3.
    ExtendedMasterSecret,
    /// The certificate is not revoked (judged only with `--check-revocation`).
    NotRevoked,
}

/// A policy as written in a TOML file (every rule optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The name shown in the output.
    pub name: Option<String>,
    /// Allowed protocol versions (`TLSv1.2`, `TLSv1.3`).
    pub versions: Option<Vec<String>>,
    /// Allowed TLS 1.3 suites (IANA names).
    pub tls13_suites: Option<Vec<String>>,
    /// Allowed suites below TLS 1.3 (IANA or OpenSSL names).
    pub suites: Option<Vec<String>>,
    /// Allowed groups (`X25519`, `secp256r1`/`P-256`, `X25519MLKEM768`, `ffdhe2048`…).
    pub groups: Option<Vec<String>>,
    /// Smallest DHE group, in bits.
    pub min_dh_bits: Option<u32>,
    /// Smallest RSA certificate key, in bits.
    pub min_rsa_bits: Option<u32>,
    /// Certificate key kinds of which at least one must be deployed (`rsa`, `ecdsa`, `ed25519`).
    pub certificate_types: Option<Vec<KeyKind>>,
    /// Allowed curves of ECDSA certificates (`P-256`, `P-384`).
    pub certificate_curves: Option<Vec<String>>,
    /// Leaf signature algorithms of which at least one must be deployed (`ecdsa-with-SHA256`, `sha256WithRSAEncryption`).
    pub certificate_signatures: Option<Vec<String>>,
    /// Longest allowed certificate lifetime, in days.
    pub max_certificate_days: Option<i64>,
    /// What must be true.
    #[serde(default)]
    pub require: Vec<Requirement>,
}

/// A policy, checked against the registry: every name known.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The name shown in the output (with Mozilla's version for the built-in ones).
    pub name: String,
    versions: Option<Vec<Version>>,
    tls13_suites: Option<Vec<u16>>,
    suites: Option<Vec<u16>>,
    groups: Option<Vec<u16>>,
    min_dh_bits: Option<u32>,
    min_rsa_bits: Option<u32>,
    certificate_types: Option<Vec<KeyKind>>,
    certificate_curves: Option<Vec<String>>,
    certificate_signatures: Option<Vec<String>>,
    max_certificate_days: Option<i64>,
    require: Vec<Requirement>,
}

/// Which rule a violation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A version not allowed is accepted.
    Versions,
    /// A TLS 1.3 suite not allowed is accepted.
    Tls13Suites,
    /// A suite not allowed is accepted.
    Suites,
    /// A group not allowed is accepted.
    Groups,
    /// A DHE group is too small.
    DhBits,
    /// An RSA certificate key is too small.
    RsaBits,
    /// No certificate of an allowed kind.
    CertificateTypes,
    /// An ECDSA certificate on a curve not allowed.
    CertificateCurves,
    /// No certificate with an allowed signature algorithm.
    CertificateSignatures,
    /// A certificate valid for too long.
    CertificateLifetime,
    /// A requirement not met.
    Required,
}

/// One way a server breaks a policy.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// The requirement, for [`Rule::Required`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    /// What the scan found.
    pub found: String,
    /// What to change.
    pub fix: String,
}

/// A policy's verdict on one report.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyVerdict {
    /// The policy's name.
    pub policy: String,
    /// Every violation (none: compliant).
    pub violations: Vec<Violation>,
}

fn known<T>(
    what: &str,
    names: &[String],
    find: impl Fn(&str) -> Option<T>,
) -> anyhow::Result<Vec<T>> {
    names
        .iter()
        .map(|n| {
            find(n).ok_or_else(|| fail(Failure::Input, format!("unknown {what} '{}'", sanitize(n))))
        })
        .collect()
}

fn version_by_name(n: &str) -> Option<Version> {
    let n = n.trim();
    let alias = match n {
        "TLSv1" | "TLSv1.0" | "TLS1.0" | "tls1.0" => "TLSv1.0",
        "TLS1.1" | "tls1.1" => "TLSv1.1",
        "TLS1.2" | "tls1.2" => "TLSv1.2",
        "TLS1.3" | "tls1.3" => "TLSv1.3",
        other => other,
    };
    Version::ALL
        .into_iter()
        .find(|v| v.name().eq_ignore_ascii_case(alias))
}

impl Policy {
    /// Checks every name in `file`.
    pub fn from_file(file: PolicyFile, default_name: &str) -> anyhow::Result<Policy> {
        let ids = |what: &str,
                   names: &Option<Vec<String>>,
                   tls13: Option<bool>|
         -> anyhow::Result<Option<Vec<u16>>> {
            let Some(names) = names else { return Ok(None) };
            let suites = known(what, names, registry::suite_by_name)?;
            if let Some(t) = tls13 {
                if let Some(s) = suites.iter().find(|s| (s.id >> 8 == 0x13) != t) {
                    return Err(fail(Failure::Input, format!("{} is not a {what}", s.name)));
                }
            }
            Ok(Some(suites.iter().map(|s| s.id).collect()))
        };
        Ok(Policy {
            name: file
                .name
                .clone()
                .unwrap_or_else(|| default_name.to_string()),
            versions: match &file.versions {
                Some(v) => Some(known("version", v, version_by_name)?),
                None => None,
            },
            tls13_suites: ids("TLS 1.3 suite", &file.tls13_suites, Some(true))?,
            suites: ids("TLS 1.2 suite", &file.suites, Some(false))?,
            groups: match &file.groups {
                Some(g) => Some(known("group", g, |n| {
                    registry::group_by_name(n).map(|g| g.id)
                })?),
                None => None,
            },
            min_dh_bits: file.min_dh_bits,
            min_rsa_bits: file.min_rsa_bits,
            certificate_types: file.certificate_types.clone(),
            certificate_curves: file.certificate_curves.clone(),
            certificate_signatures: file.certificate_signatures.clone(),
            max_certificate_days: file.max_certificate_days,
            require: file.require.clone(),
        })
    }

    /// A policy from TOML text.
    pub fn from_toml(text: &str, default_name: &str) -> anyhow::Result<Policy> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| fail(Failure::Input, e.message().to_string()))?;
        Policy::from_file(file, default_name)
    }

    /// A built-in policy: `mozilla-modern`, `mozilla-intermediate` or `mozilla-old`.
    pub fn builtin(name: &str) -> Option<Policy> {
        let level = name.strip_prefix("mozilla-")?;
        let strings = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let tls13 = strings(&[
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
        ]);
        // Mozilla's curves; finite-field groups and post-quantum hybrids are
        // outside 5.7's list and allowed (the DH size still applies).
        let groups = strings(&[
            "X25519",
            "secp256r1",
            "secp384r1",
            "X25519MLKEM768",
            "SecP256r1MLKEM768",
            "SecP384r1MLKEM1024",
            "ffdhe2048",
            "ffdhe3072",
            "ffdhe4096",
            "ffdhe6144",
            "ffdhe8192",
        ]);
        let intermediate_suites: &[&str] = &[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        ];
        let old_extra: &[&str] = &[
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_RSA_WITH_AES_256_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        ];
        // What sslyze checks of the profile besides the lists.
        let require = vec![
            Requirement::VerifiedChain,
            Requirement::NoCompression,
            Requirement::SecureRenegotiation,
            Requirement::DowngradeProtection,
            Requirement::ExtendedMasterSecret,
        ];
        let curves = strings(&["P-256", "P-384"]);
        let file = match level {
            "modern" => PolicyFile {
                versions: strings(&["TLSv1.3"]),
                tls13_suites: tls13,
                suites: Some(Vec::new()),
                groups,
                certificate_types: Some(vec![KeyKind::Ecdsa]),
                certificate_curves: curves,
                certificate_signatures: strings(&[
                    "ecdsa-with-SHA256",
                    "ecdsa-with-SHA384",
                    "ecdsa-with-SHA512",
                ]),
                max_certificate_days: Some(90),
                require,
                ..PolicyFile::default()
            },
            "intermediate" => PolicyFile {
                versions: strings(&["TLSv1.2", "TLSv1.3"]),
                tls13_suites: tls13,
                suites: strings(intermediate_suites),
                groups,
                min_dh_bits: Some(2048),
                min_rsa_bits: Some(2048),
                certificate_types: Some(vec![KeyKind::Ecdsa, KeyKind::Rsa]),
                certificate_curves: curves,
                certificate_signatures: strings(&[
                    "sha256WithRSAEncryption",
                    "ecdsa-with-SHA256",
                    "ecdsa-with-SHA384",
                    "ecdsa-with-SHA512",
                ]),
                max_certificate_days: Some(366),
                require,
                ..PolicyFile::default()
            },
            "old" => PolicyFile {
                versions: strings(&["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]),
                tls13_suites: tls13,
                suites: strings(&[intermediate_suites, old_extra].concat()),
                groups,
                min_dh_bits: Some(1024),
                min_rsa_bits: Some(2048),
                certificate_types: Some(vec![KeyKind::Rsa]),
                certificate_curves: curves,
                certificate_signatures: strings(&["sha256WithRSAEncryption"]),
                max_certificate_days: Some(366),
                require,
                ..PolicyFile::default()
            },
            _ => return None,
        };
        let name = format!("Mozilla {level} (server-side TLS {MOZILLA_VERSION})");
        Policy::from_file(file, &name).ok()
    }

    /// Judges a report.
    pub fn check(&self, r: &Report) -> PolicyVerdict {
        let mut v = Vec::new();
        let mut push = |rule: Rule, found: String, fix: String| {
            v.push(Violation {
                rule,
                requirement: None,
                found,
                fix,
            })
        };
        let accepted: Vec<Version> = r
            .protocols
            .iter()
            .filter(|p| p.accepted == Some(true))
            .map(|p| p.version)
            .collect();
        if let Some(allowed) = &self.versions {
            let extra: Vec<&str> = accepted
                .iter()
                .filter(|x| !allowed.contains(x))
                .map(|x| x.name())
                .collect();
            if !extra.is_empty() {
                push(
                    Rule::Versions,
                    format!("{} accepted", extra.join(", ")),
                    format!(
                        "disable {}; allow only {}",
                        extra.join(" and "),
                        names(allowed.iter().map(|x| x.name()))
                    ),
                );
            }
        }
        for section in &r.cipher_suites {
            let (allowed, rule) = if section.version == Version::Tls13 {
                (&self.tls13_suites, Rule::Tls13Suites)
            } else {
                (&self.suites, Rule::Suites)
            };
            let Some(allowed) = allowed else { continue };
            let extra: Vec<&str> = section
                .suites
                .iter()
                .filter(|s| {
                    registry::suite_by_name(&s.name).is_none_or(|k| !allowed.contains(&k.id))
                })
                .map(|s| s.name.as_str())
                .collect();
            if !extra.is_empty() {
                let fix = if allowed.is_empty() {
                    format!(
                        "disable every suite below TLS 1.3 (and {} itself)",
                        section.version.name()
                    )
                } else {
                    format!(
                        "remove {} from the server's {} cipher list",
                        extra.join(", "),
                        section.version.name()
                    )
                };
                push(
                    rule,
                    format!(
                        "{} accepted with {}",
                        extra.join(", "),
                        section.version.name()
                    ),
                    fix,
                );
            }
            if let Some(min) = self.min_dh_bits {
                let small: Vec<String> = section
                    .suites
                    .iter()
                    .filter_map(|s| s.dh_bits)
                    .filter(|b| *b < min)
                    .map(|b| b.to_string())
                    .collect();
                if let Some(b) = small.first() {
                    push(
                        Rule::DhBits,
                        format!("DHE with a {b}-bit group"),
                        format!(
                            "use DH parameters of at least {min} bits (ffdhe{min} from RFC 7919)"
                        ),
                    );
                }
            }
        }
        if let Some(allowed) = &self.groups {
            let mut extra: Vec<String> = Vec::new();
            for g in r.groups.iter().flat_map(|s| s.groups.iter()) {
                let id = u16::from_str_radix(g.id.trim_start_matches("0x"), 16).unwrap_or(0);
                if !allowed.contains(&id) && !extra.contains(&g.name) {
                    extra.push(g.name.clone());
                }
            }
            if !extra.is_empty() {
                push(
                    Rule::Groups,
                    format!("{} accepted", extra.join(", ")),
                    format!(
                        "limit the server's groups/curves to {}",
                        names(
                            allowed
                                .iter()
                                .filter_map(|id| registry::group(*id))
                                .filter(|g| g.kind != GroupKind::FiniteField)
                                .map(|g| g.name)
                        )
                    ),
                );
            }
            if let Some(min) = self.min_dh_bits {
                let small = r.groups.iter().flat_map(|s| s.groups.iter()).find(|g| {
                    g.name
                        .strip_prefix("ffdhe")
                        .and_then(|b| b.parse::<u32>().ok())
                        .is_some_and(|b| b < min)
                });
                if let Some(g) = small {
                    push(
                        Rule::DhBits,
                        format!("{} accepted", g.name),
                        format!("allow only groups of at least {min} bits"),
                    );
                }
            }
        }
        let certs: Vec<&super::certs::CertReport> = r
            .certificate
            .iter()
            .chain(r.additional_certificates.iter())
            .chain(r.certificates_by_name.iter().flat_map(|n| {
                let main = n.certificate.as_ref().filter(|_| !n.same_as_main);
                main.into_iter().chain(n.additional_certificates.iter())
            }))
            .collect();
        if let Some(types) = &self.certificate_types {
            let kinds: Vec<KeyKind> = certs.iter().filter_map(|c| c.key_kind).collect();
            if !kinds.is_empty() && !kinds.iter().any(|k| types.contains(k)) {
                push(
                    Rule::CertificateTypes,
                    format!(
                        "certificate keys: {}",
                        names(
                            certs
                                .iter()
                                .filter_map(|c| c.chain.first())
                                .map(|l| l.key.algorithm.as_str())
                        )
                    ),
                    format!(
                        "deploy a certificate with {} key",
                        names(types.iter().map(|k| kind_name(*k)))
                    ),
                );
            }
        }
        for c in &certs {
            let Some(leaf) = c.chain.first() else {
                continue;
            };
            if let (Some(allowed), Some(curve)) = (&self.certificate_curves, &leaf.key.curve) {
                if !allowed.iter().any(|a| a.eq_ignore_ascii_case(curve)) {
                    push(
                        Rule::CertificateCurves,
                        format!("an ECDSA certificate on {curve}"),
                        format!("re-issue it on {}", allowed.join(" or ")),
                    );
                }
            }
            if let (Some(min), Some(KeyKind::Rsa), Some(bits)) =
                (self.min_rsa_bits, c.key_kind, leaf.key.bits)
            {
                if bits < min {
                    push(
                        Rule::RsaBits,
                        format!("an RSA key of {bits} bits"),
                        format!("re-issue it with an RSA key of at least {min} bits"),
                    );
                }
            }
            if let (Some(max), Some(days)) = (self.max_certificate_days, c.lifetime_days) {
                if days > max {
                    push(
                        Rule::CertificateLifetime,
                        format!("a certificate valid for {days} days"),
                        format!("issue certificates valid for at most {max} days"),
                    );
                }
            }
        }
        if let Some(sigs) = &self.certificate_signatures {
            let mut deployed: Vec<&str> = certs
                .iter()
                .filter_map(|c| c.chain.first())
                .map(|l| l.signature_algorithm.as_str())
                .collect();
            deployed.dedup();
            if !deployed.is_empty() && !deployed.iter().any(|d| sigs.iter().any(|s| s == d)) {
                push(
                    Rule::CertificateSignatures,
                    format!("signed with {}", deployed.join(", ")),
                    format!("have the certificate signed with {}", sigs.join(" or ")),
                );
            }
        }
        for req in &self.require {
            if let Some((found, fix)) = unmet(*req, r) {
                v.push(Violation {
                    rule: Rule::Required,
                    requirement: Some(*req),
                    found,
                    fix,
                });
            }
        }
        PolicyVerdict {
            policy: self.name.clone(),
            violations: v,
        }
    }
}

fn kind_name(k: KeyKind) -> &'static str {
    match k {
        KeyKind::Rsa => "an RSA",
        KeyKind::Ecdsa => "an ECDSA",
        KeyKind::Ed25519 => "an Ed25519",
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

/// What is wrong with the chains served (the target's own, then each one
/// presented for a name asked for by SNI), for the verified-chain requirement.
fn unverified(r: &Report) -> Option<(String, String)> {
    let why = |c: &super::certs::CertReport| {
        c.verification_error
            .clone()
            .unwrap_or_else(|| "unknown reason".to_string())
    };
    let mut found = Vec::new();
    let mut missing = false;
    match &r.certificate {
        Some(c) if c.verified => {}
        Some(c) => found.push(format!("the chain does not verify: {}", why(c))),
        None => {
            found.push("no certificate obtained".to_string());
            missing = true;
        }
    }
    for n in &r.certificates_by_name {
        match &n.certificate {
            Some(c) if c.verified => {}
            Some(c) => found.push(format!(
                "the chain for SNI {} does not verify: {}",
                n.sni,
                why(c)
            )),
            None => found.push(format!("no certificate obtained for SNI {}", n.sni)),
        }
    }
    if found.is_empty() {
        return None;
    }
    let fix = if missing && found.len() == 1 {
        "serve a certificate chain"
    } else {
        "serve a chain that verifies for the name (leaf and intermediates, from a trusted CA)"
    };
    Some((found.join("; "), fix.to_string()))
}

/// What was found and what to change when `req` is not met (`None`: met, or not known).
fn unmet(req: Requirement, r: &Report) -> Option<(String, String)> {
    let s = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
    match req {
        Requirement::VerifiedChain => unverified(r),
        Requirement::OcspStaple => (r.ocsp_stapling != Some(true)).then(|| {
            (
                "no OCSP response stapled".to_string(),
                "turn on OCSP stapling".to_string(),
            )
        }),
        Requirement::PostQuantum => {
            let pq = r
                .groups
                .iter()
                .flat_map(|g| g.groups.iter())
                .any(|g| g.post_quantum);
            (!pq).then(|| {
                (
                    "no post-quantum group accepted".to_string(),
                    "enable X25519MLKEM768".to_string(),
                )
            })
        }
        Requirement::Tls13 => {
            let yes = r
                .protocols
                .iter()
                .any(|p| p.version == Version::Tls13 && p.accepted == Some(true));
            (!yes).then(|| {
                (
                    "TLS 1.3 not accepted".to_string(),
                    "enable TLS 1.3".to_string(),
                )
            })
        }
        Requirement::NoCompression => (r.compression == Some(true)).then(|| {
            (
                "TLS compression accepted (CRIME)".to_string(),
                "disable TLS compression".to_string(),
            )
        }),
        Requirement::SecureRenegotiation => (r.secure_renegotiation == Some(false)).then(|| {
            (
                "no secure renegotiation (RFC 5746)".to_string(),
                "upgrade the TLS library or enable renegotiation_info".to_string(),
            )
        }),
        Requirement::DowngradeProtection => match &r.downgrade_protection {
            Some(d) if !d.protected => s(
                "a downgraded connection is neither refused nor detectable",
                "support TLS_FALLBACK_SCSV (RFC 7507), or TLS 1.3 with its downgrade sentinel",
            ),
            _ => None,
        },
        Requirement::ExtendedMasterSecret => (r.extended_master_secret == Some(false)).then(|| {
            (
                "no extended master secret (RFC 7627)".to_string(),
                "upgrade the TLS library so that it supports the extended master secret"
                    .to_string(),
            )
        }),
        // The main chain's finding first, then each SNI name's (whose sentence names it).
        Requirement::NotRevoked => r.revocation_findings().find(|f| f.revoked()).map(|f| {
            (
                f.sentence
                    .clone()
                    .unwrap_or_else(|| "the certificate is revoked".to_string()),
                "replace the certificate with a new one (new key) from the CA".to_string(),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::grade::tests::model;

    #[test]
    fn the_builtin_policies_name_mozillas_version_and_judge_the_model() {
        let modern = Policy::builtin("mozilla-modern").unwrap();
        assert_eq!(modern.name, "Mozilla modern (server-side TLS 5.7)");
        let v = modern.check(&model());
        let rules: Vec<Rule> = v.violations.iter().map(|x| x.rule).collect();
        // The model accepts TLS 1.2 with two suites: modern allows neither.
        assert_eq!(rules, vec![Rule::Versions, Rule::Suites], "{v:?}");
        let intermediate = Policy::builtin("mozilla-intermediate").unwrap();
        assert!(intermediate.check(&model()).violations.is_empty());
        assert!(Policy::builtin("mozilla-ancient").is_none());
        assert!(Policy::builtin("mozilla-old").is_some());
    }

    #[test]
    fn a_verified_chain_is_required_of_every_name_asked_for_by_sni() {
        use crate::scan::report::NamedCertificate;
        let p = Policy::from_toml("require = [\"verified-chain\"]\n", "file").unwrap();
        let mut r = model();
        let mut fine = r.certificate.clone().unwrap();
        r.certificates_by_name.push(NamedCertificate {
            sni: "api.t".into(),
            same_as_main: false,
            certificate: Some(fine.clone()),
            error: None,
            additional_certificates: Vec::new(),
            revocation: None,
        });
        assert!(p.check(&r).violations.is_empty());
        fine.verified = false;
        fine.verification_error = Some("expired on 2020-01-01".into());
        r.certificates_by_name[0].certificate = Some(fine);
        r.certificates_by_name.push(NamedCertificate {
            sni: "gone.t".into(),
            same_as_main: false,
            certificate: None,
            error: Some("refused".into()),
            additional_certificates: Vec::new(),
            revocation: None,
        });
        let v = p.check(&r);
        assert_eq!(v.violations.len(), 1, "{v:?}");
        assert_eq!(
            v.violations[0].found,
            "the chain for SNI api.t does not verify: expired on 2020-01-01; no certificate obtained for SNI gone.t"
        );
    }

    #[test]
    fn a_toml_policy_is_checked_for_unknown_names() {
        let p = Policy::from_toml(
            "name = \"ours\"\nversions = [\"TLSv1.3\"]\ngroups = [\"X25519MLKEM768\", \"P-256\"]\nrequire = [\"post-quantum\", \"ocsp-staple\"]\n",
            "file",
        )
        .unwrap();
        let v = p.check(&model());
        let rules: Vec<(Rule, Option<Requirement>)> = v
            .violations
            .iter()
            .map(|x| (x.rule, x.requirement))
            .collect();
        assert_eq!(
            rules,
            vec![
                (Rule::Versions, None),
                (Rule::Groups, None),
                (Rule::Required, Some(Requirement::OcspStaple)),
            ]
        );
        assert!(
            v.violations[1].found.contains("X25519"),
            "{:?}",
            v.violations[1]
        );
        for bad in [
            "versions = [\"TLSv9\"]",
            "suites = [\"TLS_NOPE\"]",
            "tls13_suites = [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]",
            "colour = 1",
            "require = [\"magic\"]",
        ] {
            assert!(Policy::from_toml(bad, "f").is_err(), "{bad}");
        }
    }
}
