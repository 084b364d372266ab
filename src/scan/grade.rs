//! The grade: A+ to F, with every reason that capped it. The rubric is in
//! the spirit of SSL Labs' published one and is written down in the README
//! (`## scan`); each rule here is one row of that table, in the same order.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::registry::{Cipher, Strength, Version};
use super::report::Report;

/// A grade, worst first so that `min` picks the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// Broken: a client must not trust this server.
    F,
    /// Legacy and dangerous settings.
    D,
    /// Deprecated protocols or broken ciphers accepted.
    C,
    /// Weak settings: no forward secrecy, small DH parameters.
    B,
    /// Good, short of current best practice.
    AMinus,
    /// TLS 1.3, AEAD and forward secrecy only, a valid chain.
    A,
    /// A, and the server prefers a post-quantum hybrid key exchange.
    APlus,
}

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 7] = [
        Grade::APlus,
        Grade::A,
        Grade::AMinus,
        Grade::B,
        Grade::C,
        Grade::D,
        Grade::F,
    ];

    /// The grade as written (`A+`).
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::APlus => "A+",
            Grade::A => "A",
            Grade::AMinus => "A-",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::F => "F",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for Grade {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FromStr for Grade {
    type Err = String;

    fn from_str(s: &str) -> Result<Grade, String> {
        let t = s.trim().to_ascii_uppercase();
        Grade::ALL
            .into_iter()
            .find(|g| g.as_str() == t)
            .ok_or_else(|| format!("'{s}' is not a grade: use A+, A, A-, B, C, D or F"))
    }
}

/// One reason the grade is no better than `grade`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cap {
    /// The best grade this reason allows.
    pub grade: Grade,
    /// A stable short code (`tls10`, `rc4`, `cert-untrusted`, …).
    pub code: &'static str,
    /// The reason, in one sentence.
    pub reason: String,
}

/// The grade and the reasons, worst first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The grade.
    pub grade: Grade,
    /// Every cap that applies, worst first.
    pub caps: Vec<Cap>,
}

/// Applies the rubric to a report.
pub fn grade(r: &Report) -> Verdict {
    let mut caps: Vec<Cap> = Vec::new();
    let mut cap = |grade: Grade, code: &'static str, reason: String| {
        caps.push(Cap {
            grade,
            code,
            reason,
        })
    };
    let accepts = |v: Version| {
        r.protocols
            .iter()
            .any(|p| p.version == v && p.accepted == Some(true))
    };
    let any_accepted = r.protocols.iter().any(|p| p.accepted == Some(true));
    let all_suites = || r.cipher_suites.iter().flat_map(|s| s.suites.iter());
    let names_where = |pred: &dyn Fn(&super::report::SuiteEntry) -> bool| -> Vec<String> {
        let mut v: Vec<String> = all_suites()
            .filter(|s| pred(s))
            .map(|s| s.name.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let listed = |names: &[String]| -> String {
        let shown: Vec<&str> = names.iter().take(3).map(String::as_str).collect();
        if names.len() > 3 {
            format!("{} and {} more", shown.join(", "), names.len() - 3)
        } else {
            shown.join(", ")
        }
    };

    // F
    if !any_accepted {
        cap(
            Grade::F,
            "no-tls",
            "no SSL or TLS version could be negotiated".into(),
        );
    }
    if accepts(Version::Ssl3) {
        cap(
            Grade::F,
            "ssl3",
            "SSL 3.0 is accepted (POODLE; prohibited by RFC 7568)".into(),
        );
    }
    if any_accepted && !accepts(Version::Tls12) && !accepts(Version::Tls13) {
        cap(
            Grade::F,
            "no-modern-tls",
            "neither TLS 1.2 nor TLS 1.3 is accepted: current clients cannot connect".into(),
        );
    }
    let broken = names_where(&|s| {
        s.strength == Strength::Insecure && s.cipher != Cipher::Rc4 || s.export || s.anonymous
    });
    if !broken.is_empty() {
        cap(
            Grade::F,
            "insecure-suite",
            format!(
                "NULL, anonymous, export-grade or DES suites are accepted: {}",
                listed(&broken)
            ),
        );
    }
    let min_dh = all_suites().filter_map(|s| s.dh_bits).min();
    if let Some(bits) = min_dh.filter(|b| *b < 1024) {
        cap(
            Grade::F,
            "dh-1024",
            format!(
                "DHE with a {bits}-bit group is accepted (Logjam: under 1024 bits is breakable)"
            ),
        );
    }
    match &r.certificate {
        None => cap(
            Grade::F,
            "no-certificate",
            "no certificate could be obtained, so none could be verified".into(),
        ),
        Some(c) => {
            if let Some(why) = &c.verification_error {
                cap(
                    Grade::F,
                    "cert-not-verified",
                    format!("the certificate does not verify: {why}"),
                );
            }
            if c.revoked() {
                cap(
                    Grade::F,
                    "cert-revoked",
                    "the stapled OCSP response says the certificate is revoked".into(),
                );
            }
            for f in &c.findings {
                if matches!(f.code, "weak-key" | "weak-signature" | "bad-signature") {
                    cap(Grade::F, "cert-weak", format!("certificate: {}", f.message));
                }
            }
        }
    }

    // C
    for (v, rfc) in [(Version::Tls10, "RFC 8996"), (Version::Tls11, "RFC 8996")] {
        if accepts(v) {
            cap(
                Grade::C,
                if v == Version::Tls10 {
                    "tls10"
                } else {
                    "tls11"
                },
                format!("{v} is accepted (deprecated by {rfc})"),
            );
        }
    }
    let rc4 = names_where(&|s| s.cipher == Cipher::Rc4);
    if !rc4.is_empty() {
        cap(
            Grade::C,
            "rc4",
            format!(
                "RC4 suites are accepted (prohibited by RFC 7465): {}",
                listed(&rc4)
            ),
        );
    }
    let block64 = names_where(&|s| s.cipher.block_64() && s.cipher != Cipher::Des);
    if !block64.is_empty() {
        cap(
            Grade::C,
            "64-bit-block",
            format!(
                "64-bit block ciphers (3DES, IDEA) are accepted (SWEET32): {}",
                listed(&block64)
            ),
        );
    }
    if r.compression == Some(true) {
        cap(
            Grade::C,
            "compression",
            "TLS compression is enabled (CRIME)".into(),
        );
    }
    if r.secure_renegotiation == Some(false) {
        cap(
            Grade::C,
            "insecure-renegotiation",
            "secure renegotiation (RFC 5746) is not supported".into(),
        );
    }

    // B
    let no_fs = names_where(&|s| !s.forward_secrecy && !s.anonymous);
    if !no_fs.is_empty() {
        cap(
            Grade::B,
            "no-forward-secrecy",
            format!(
                "suites without forward secrecy are accepted: {}",
                listed(&no_fs)
            ),
        );
    }
    if let Some(bits) = min_dh.filter(|b| (1024..2048).contains(b)) {
        cap(
            Grade::B,
            "dh-2048",
            format!("DHE with a {bits}-bit group is accepted (under 2048 bits)"),
        );
    }
    let weak_curves: Vec<String> = r
        .groups
        .iter()
        .flat_map(|g| g.groups.iter())
        .filter(|g| g.security_bits < 112)
        .map(|g| g.name.clone())
        .collect();
    if !weak_curves.is_empty() {
        cap(
            Grade::B,
            "weak-group",
            format!(
                "key-exchange groups under 112-bit strength are accepted: {}",
                weak_curves.join(", ")
            ),
        );
    }
    if any_accepted && all_suites().next().is_some() && !all_suites().any(|s| s.aead) {
        cap(
            Grade::B,
            "no-aead",
            "no AEAD suite (GCM, ChaCha20-Poly1305, CCM) is accepted".into(),
        );
    }

    // A-
    if any_accepted && !accepts(Version::Tls13) {
        cap(Grade::AMinus, "no-tls13", "TLS 1.3 is not accepted".into());
    }
    let cbc = names_where(&|s| !s.aead && s.strength != Strength::Insecure && !s.cipher.block_64());
    if !cbc.is_empty() {
        cap(
            Grade::AMinus,
            "cbc",
            format!("CBC-mode (non-AEAD) suites are accepted: {}", listed(&cbc)),
        );
    }
    if r.downgrade_protection
        .as_ref()
        .is_some_and(|d| !d.protected)
    {
        cap(
            Grade::AMinus,
            "no-downgrade-protection",
            "a downgraded connection is not refused (no TLS_FALLBACK_SCSV or TLS 1.3 downgrade sentinel)".into(),
        );
    }
    if let Some(c) = &r.certificate {
        for f in &c.findings {
            if matches!(f.code, "chain-order" | "chain-unrelated") {
                cap(
                    Grade::AMinus,
                    "chain-issue",
                    format!("chain: {}", f.message),
                );
            }
        }
    }

    let mut grade = caps.iter().map(|c| c.grade).min().unwrap_or(Grade::APlus);
    if grade == Grade::APlus && !pq_for_pq_clients(r) {
        // A+ asks for more than the absence of faults.
        caps.push(Cap {
            grade: Grade::A,
            code: "no-pq",
            reason: "clients that offer a post-quantum hybrid group (such as X25519MLKEM768) do not get one".into(),
        });
        grade = Grade::A;
    }
    caps.sort_by_key(|c| c.grade);
    Verdict { grade, caps }
}

/// Whether every TLS 1.3 client that offers a post-quantum hybrid group gets
/// one: the server prefers it, or it follows the client's order and accepts it.
pub fn pq_for_pq_clients(r: &Report) -> bool {
    let Some(g) = r.groups.iter().find(|g| g.kind == "tls13") else {
        return false;
    };
    match g.server_preference {
        Some(false) => g.groups.iter().any(|e| e.hybrid),
        _ => g.groups.first().is_some_and(|e| e.hybrid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_order_and_parse() {
        assert!(Grade::F < Grade::C && Grade::A < Grade::APlus && Grade::AMinus < Grade::A);
        assert_eq!("a+".parse::<Grade>().unwrap(), Grade::APlus);
        assert_eq!(" B ".parse::<Grade>().unwrap(), Grade::B);
        assert_eq!("A-".parse::<Grade>().unwrap(), Grade::AMinus);
        assert!("E".parse::<Grade>().is_err());
        assert_eq!(Grade::APlus.to_string(), "A+");
    }
}
