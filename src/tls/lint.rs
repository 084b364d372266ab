//! Findings: what is wrong or risky about a certificate or a chain, each
//! with a short code and a one-sentence reason. Data only; `inspect` prints them.

use serde::Serialize;

use super::chain::{ChainEnd, ChainReport, LinkStatus, Shape};
use super::x509info::{CertDetails, Validity};

/// What a certificate is for, as far as its position and contents tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A TLS server's certificate.
    Server,
    /// A TLS client's certificate (mTLS).
    Client,
    /// A certificate authority (a root or an intermediate).
    Ca,
    /// Anything else (code signing, S/MIME, …).
    Other,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The certificate it concerns (index in the input), absent for the chain as a whole.
    pub certificate: Option<usize>,
    /// A stable short code (`no-san`, `expired`, `chain-order`, …).
    pub code: &'static str,
    /// The reason, in one sentence.
    pub message: String,
}

/// The CA/Browser Forum's limit for publicly trusted server certificates,
/// in force for certificates issued since 2020-09-01.
pub const MAX_PUBLIC_LIFETIME_DAYS: i64 = 398;
const LIFETIME_RULE_START: &str = "2020-09-01T00:00:00Z";

/// Infers a certificate's role.
///
/// `issuer_in_chain`: it issues another certificate of the chain (so it is a
/// CA whatever it says); `served_leaf`: a live server presented it first.
pub fn infer_role(d: &CertDetails, issuer_in_chain: bool, served_leaf: bool) -> Role {
    if issuer_in_chain {
        return Role::Ca;
    }
    if served_leaf {
        return Role::Server;
    }
    match &d.extended_key_usage {
        Some(eku) if eku.allows_server_auth() => Role::Server,
        Some(eku) if eku.purposes.iter().any(|p| p == "clientAuth") => Role::Client,
        _ if d.is_ca() && !d.names_a_host() => Role::Ca,
        _ if d.names_a_host() => Role::Server,
        Some(_) => Role::Other,
        None if d.is_ca() => Role::Ca,
        None => Role::Server,
    }
}

/// Findings about one certificate.
pub fn lint_cert(
    index: usize,
    d: &CertDetails,
    role: Role,
    publicly_trusted: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |code: &'static str, message: String| {
        out.push(Finding {
            certificate: Some(index),
            code,
            message,
        })
    };
    match d.validity {
        Validity::Expired => add(
            "expired",
            format!("expired on {} ({} days ago)", d.not_after, -d.days_left),
        ),
        Validity::NotYetValid => add(
            "not-yet-valid",
            format!(
                "not valid before {} ({} days from now)",
                d.not_before, d.days_until_valid
            ),
        ),
        Validity::Valid => {}
    }
    if d.key.algorithm == "RSA" && d.key.bits.is_some_and(|b| b < 2048) {
        add(
            "weak-key",
            format!(
                "RSA key of {} bits; under 2048 bits is breakable and refused by browsers",
                d.key.bits.unwrap_or_default()
            ),
        );
    }
    let sig = d.signature_algorithm.to_ascii_lowercase();
    // A root's own signature is never checked by anyone; everyone else's is.
    let is_root = d.self_signed && d.is_ca();
    if !is_root && (sig.contains("sha1") || sig.contains("md5") || sig.contains("md2")) {
        let hash = if sig.contains("sha1") { "SHA-1" } else { "MD5" };
        add(
            "weak-signature",
            format!(
                "signed with {hash} ({}); collisions are practical and clients refuse it",
                d.signature_algorithm
            ),
        );
    }
    if role == Role::Server {
        lint_server(d, publicly_trusted, &mut add);
    }
    out
}

fn lint_server(
    d: &CertDetails,
    publicly_trusted: bool,
    add: &mut impl FnMut(&'static str, String),
) {
    if d.sans.is_empty() {
        add(
            "no-san",
            "no subjectAltName: clients ignore the CN and match host names only against SANs"
                .to_string(),
        );
    }
    if d.is_ca() {
        add(
            "ca-server",
            "CA:TRUE on a server certificate: rustls and webpki refuse it (CaUsedAsEndEntity); \
             issue it with CA:FALSE"
                .to_string(),
        );
    }
    match &d.extended_key_usage {
        Some(eku) if !eku.allows_server_auth() => add(
            "no-server-auth",
            format!(
                "extendedKeyUsage ({}) lacks serverAuth: TLS clients refuse it as a server certificate",
                eku.purposes.join(", ")
            ),
        ),
        None if publicly_trusted => add(
            "no-server-auth",
            "no extendedKeyUsage: publicly trusted server certificates must list serverAuth"
                .to_string(),
        ),
        _ => {}
    }
    let rule_applies = d.not_before.as_str() >= LIFETIME_RULE_START;
    if publicly_trusted && rule_applies && d.lifetime_days > MAX_PUBLIC_LIFETIME_DAYS {
        add(
            "long-validity",
            format!(
                "valid for {} days; publicly trusted server certificates may be valid for at most {MAX_PUBLIC_LIFETIME_DAYS}",
                d.lifetime_days
            ),
        );
    }
    let ev = d.policies.iter().any(|p| p.oid == "2.23.140.1.1");
    for name in d.dns_names() {
        if let Some(why) = wildcard_problem(name) {
            add("wildcard", format!("'{name}': {why}"));
        } else if ev && name.starts_with("*.") {
            add(
                "wildcard",
                format!("'{name}': wildcards are not allowed in EV certificates"),
            );
        }
    }
}

/// What is wrong with a DNS name's wildcard, if anything.
pub fn wildcard_problem(name: &str) -> Option<&'static str> {
    if !name.contains('*') {
        return None;
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.iter().skip(1).any(|l| l.contains('*')) {
        return Some("a wildcard is allowed only in the leftmost label; clients will not match it");
    }
    if labels[0] != "*" {
        return Some(
            "a partial-label wildcard: most clients (rustls, browsers) match '*' only as a whole label",
        );
    }
    let rest: Vec<&str> = labels[1..]
        .iter()
        .copied()
        .filter(|l| !l.is_empty())
        .collect();
    if rest.len() < 2 {
        return Some("the wildcard covers a whole top-level domain; clients refuse it");
    }
    None
}

/// Findings about how the certificates of one input fit together.
///
/// `served`: a live server sent this chain (so a missing intermediate is the server's fault).
pub fn lint_chain(chain: &ChainReport, subjects: &[String], served: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if chain.shape == Shape::Collection {
        return out;
    }
    let label = |i: usize| {
        format!(
            "#{i} ({})",
            subjects.get(i).map(String::as_str).unwrap_or("?")
        )
    };
    if !chain.in_order {
        let order: Vec<String> = chain.path.iter().map(|i| format!("#{i}")).collect();
        out.push(Finding {
            certificate: None,
            code: "chain-order",
            message: format!(
                "the chain is out of order: each certificate should be followed by its issuer (issuing order: {})",
                order.join(", ")
            ),
        });
    }
    for &i in &chain.unrelated {
        out.push(Finding {
            certificate: Some(i),
            code: "chain-unrelated",
            message: format!("{} is not part of the chain from the leaf", label(i)),
        });
    }
    for link in &chain.links {
        if link.signed_by_next == LinkStatus::BadSignature {
            out.push(Finding {
                certificate: Some(link.index),
                code: "bad-signature",
                message: format!(
                    "{} names {} as its issuer, but the signature does not verify with that key",
                    label(link.index),
                    label(link.next)
                ),
            });
        }
    }
    if let Some(ChainEnd::IssuerNotFound { index, issuer }) = &chain.end {
        // A lone certificate from a file is not expected to bring its chain along.
        if served || chain.in_trust_store.len() > 1 {
            out.push(Finding {
                certificate: Some(*index),
                code: "missing-intermediate",
                message: format!(
                    "the chain ends at {}, whose issuer '{issuer}' was not sent and is not in the trust store: \
                     a missing intermediate (or a private CA: give it with --ca)",
                    label(*index)
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::certgen::{self, CertSpec, KeyType, Name, Profile};
    use time::{Duration, OffsetDateTime};

    fn server_cert(days: i64) -> CertDetails {
        let now = OffsetDateTime::now_utc();
        let spec = CertSpec {
            names: vec![Name::Dns("example.com".into())],
            common_name: None,
            key_type: KeyType::P256,
            profile: Profile::Server,
            not_before: now - Duration::hours(1),
            not_after: now - Duration::hours(1) + Duration::days(days),
        };
        let g = certgen::generate(&spec, None).unwrap();
        crate::tls::x509info::describe(&g.cert_der, now).unwrap()
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn long_validity_only_for_publicly_trusted_leaves() {
        let long = server_cert(400);
        assert_eq!(infer_role(&long, false, false), Role::Server);
        assert_eq!(
            codes(&lint_cert(0, &long, Role::Server, true)),
            ["long-validity"]
        );
        assert!(lint_cert(0, &long, Role::Server, false).is_empty());
        assert!(lint_cert(0, &long, Role::Ca, true).is_empty());
        let ok = server_cert(MAX_PUBLIC_LIFETIME_DAYS);
        assert!(lint_cert(0, &ok, Role::Server, true).is_empty());
    }

    #[test]
    fn wildcards() {
        assert_eq!(wildcard_problem("example.com"), None);
        assert_eq!(wildcard_problem("*.example.com"), None);
        assert!(wildcard_problem("*.com").unwrap().contains("top-level"));
        assert!(wildcard_problem("*").unwrap().contains("top-level"));
        assert!(wildcard_problem("f*.example.com")
            .unwrap()
            .contains("partial"));
        assert!(wildcard_problem("www.*.example.com")
            .unwrap()
            .contains("leftmost"));
        assert!(wildcard_problem("*.*.example.com")
            .unwrap()
            .contains("leftmost"));
    }
}
