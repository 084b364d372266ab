//! The grade: A+ to F, with every reason that capped it. The rubric is in
//! the spirit of SSL Labs' published one and is written down in the README
//! (`## scan`); each rule here is one row of that table, in the same order.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::certs::CertReport;
use super::registry::{Cipher, Strength, Version};
use super::report::{GroupSectionKind, NamedCertificate, Report};
use super::revocation::RevocationFinding;
use super::safe::{SafeCheck, SafeVerdict};
use super::session::KeyKind;

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
    /// The name asked for by SNI whose certificate this is about (`--sni`,
    /// `names=`); absent for everything else, the target's own certificate included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// The kind of key of the additional certificate this is about (a server
    /// with a certificate per kind of key, `additional_certificates`); absent
    /// for everything else, the main certificate included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_kind: Option<KeyKind>,
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
            sni: None,
            key_kind: None,
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
    // The certificates: the target's own and its additional ones (another
    // kind of key), then those presented for each name asked for by SNI, each
    // judged by the same rules.
    caps.extend(certificate_caps(
        r.certificate.as_ref(),
        r.revocation.as_ref(),
        None,
        false,
    ));
    for c in &r.additional_certificates {
        caps.extend(certificate_caps(Some(c), c.revocation.as_ref(), None, true));
    }
    // The target's own certificates, to tell a name served one of them.
    let main_certs: Vec<&CertReport> = r
        .certificate
        .iter()
        .chain(r.additional_certificates.iter())
        .collect();
    fn error_of(c: Option<&CertReport>) -> Option<&str> {
        c.and_then(|c| c.verification_error.as_deref())
    }
    for n in &r.certificates_by_name {
        let main = if n.same_as_main {
            r.certificate.as_ref()
        } else {
            n.certificate
                .as_ref()
                .and_then(|c| same_leaf(c, &main_certs))
        };
        let mut named = certificate_caps(
            n.certificate.as_ref(),
            n.revocation.as_ref(),
            Some(n),
            false,
        );
        if let Some(main) = main {
            // The main certificate's own faults are counted already: only a
            // verdict that differs for this name (say, the wrong name) is news.
            let error = error_of(n.certificate.as_ref());
            named.retain(|c| c.code == "cert-not-verified" && error != error_of(Some(main)));
        }
        caps.extend(named);
        for c in &n.additional_certificates {
            let mut named = certificate_caps(Some(c), c.revocation.as_ref(), Some(n), true);
            if let Some(main) = same_leaf(c, &main_certs) {
                let error = error_of(Some(c));
                named.retain(|c| c.code == "cert-not-verified" && error != error_of(Some(main)));
            }
            caps.extend(named);
        }
    }

    for f in r
        .safe_probes
        .iter()
        .filter(|f| f.verdict == SafeVerdict::Vulnerable)
    {
        let (grade, code) = match f.check {
            SafeCheck::Heartbleed => (Grade::F, "heartbleed"),
            SafeCheck::CcsInjection => (Grade::F, "ccs-injection"),
            SafeCheck::GreaseIntolerance => (Grade::AMinus, "grease-intolerance"),
            SafeCheck::VersionIntolerance => (Grade::AMinus, "version-intolerance"),
            SafeCheck::ExtensionIntolerance => (Grade::AMinus, "extension-intolerance"),
            SafeCheck::RecordSizeLimit => (Grade::AMinus, "record-size-intolerance"),
        };
        caps.push(Cap {
            grade,
            code,
            reason: f.detail.clone(),
            sni: None,
            key_kind: None,
        });
    }

    let mut grade = caps.iter().map(|c| c.grade).min().unwrap_or(Grade::APlus);
    if grade == Grade::APlus && !pq_for_pq_clients(r) {
        // A+ asks for more than the absence of faults.
        caps.push(Cap {
            grade: Grade::A,
            code: "no-pq",
            reason: "clients that offer a post-quantum hybrid group (such as X25519MLKEM768) do not get one".into(),
            sni: None,
            key_kind: None,
        });
        grade = Grade::A;
    }
    caps.sort_by_key(|c| c.grade);
    Verdict { grade, caps }
}

/// The one of the target's own certificates (`main`) with the same leaf as `c`.
fn same_leaf<'a>(c: &CertReport, main: &[&'a CertReport]) -> Option<&'a CertReport> {
    let leaf = c.chain.first()?;
    main.iter()
        .copied()
        .find(|m| m.chain.first().map(|l| &l.sha256_fingerprint) == Some(&leaf.sha256_fingerprint))
}

/// The certificate rules (F: none, not verified, revoked, weak; A-: chain
/// order), applied to one certificate: the target's own (`named` none, with
/// the `--check-revocation` finding), or the one presented for a name asked
/// for by SNI, whose caps carry and name that name. An `additional` one (the
/// server's certificate for another kind of key) is named by its kind of key
/// ("the RSA certificate"), and its caps carry that kind.
fn certificate_caps(
    cert: Option<&CertReport>,
    revocation: Option<&RevocationFinding>,
    named: Option<&NamedCertificate>,
    additional: bool,
) -> Vec<Cap> {
    let sni = named.map(|n| n.sni.as_str());
    let key_kind = cert.filter(|_| additional).and_then(|c| c.key_kind);
    let kind = cert
        .filter(|_| additional)
        .map(|c| c.key_kind.map_or("other", KeyKind::name));
    let mut caps = Vec::new();
    let mut cap = |grade: Grade, code: &'static str, reason: String| {
        caps.push(Cap {
            grade,
            code,
            reason,
            sni: sni.map(str::to_string),
            key_kind,
        })
    };
    // "the certificate", "the certificate for api.example.org", "the RSA
    // certificate", "the chain of the RSA certificate for api.example.org".
    let the = |what: &str| {
        let mut s = match (kind, what) {
            (None, w) => w.to_string(),
            (Some(k), "chain") => format!("the chain of the {k} certificate"),
            (Some(k), _) => format!("the {k} certificate"),
        };
        if let Some(n) = sni {
            s.push_str(" for ");
            s.push_str(n);
        }
        s
    };
    let Some(c) = cert else {
        let reason = match named {
            None => "no certificate could be obtained, so none could be verified".to_string(),
            Some(n) => format!(
                "no certificate could be obtained for {}: {}",
                n.sni,
                n.error.as_deref().unwrap_or("no answer")
            ),
        };
        cap(Grade::F, "no-certificate", reason);
        return caps;
    };
    if let Some(why) = &c.verification_error {
        cap(
            Grade::F,
            "cert-not-verified",
            format!("{} does not verify: {why}", the("the certificate")),
        );
    }
    let checked = revocation.filter(|f| f.revoked());
    if let Some(finding) = checked {
        cap(
            Grade::F,
            "cert-revoked",
            finding
                .sentence
                .clone()
                .unwrap_or_else(|| "the certificate is revoked".into()),
        );
    } else if c.revoked() {
        cap(
            Grade::F,
            "cert-revoked",
            format!(
                "the stapled OCSP response says {} is revoked",
                the("the certificate")
            ),
        );
    }
    for f in &c.findings {
        if matches!(f.code, "weak-key" | "weak-signature" | "bad-signature") {
            cap(
                Grade::F,
                "cert-weak",
                format!("{}: {}", the("certificate"), f.message),
            );
        }
    }
    for f in &c.findings {
        if matches!(f.code, "chain-order" | "chain-unrelated") {
            cap(
                Grade::AMinus,
                "chain-issue",
                format!("{}: {}", the("chain"), f.message),
            );
        }
    }
    caps
}

/// Whether every TLS 1.3 client that offers a post-quantum hybrid group gets
/// one: the server prefers it, or it follows the client's order and accepts it.
pub fn pq_for_pq_clients(r: &Report) -> bool {
    let Some(g) = r.groups.iter().find(|g| g.kind == GroupSectionKind::Tls13) else {
        return false;
    };
    match g.server_preference {
        Some(false) => g.groups.iter().any(|e| e.hybrid),
        _ => g.groups.first().is_some_and(|e| e.hybrid),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scan::certs::{CertReport, ChainSource};
    use crate::scan::registry;
    use crate::scan::report::{
        ClientCertificate, Downgrade, DowngradeMechanism, GroupEntry, GroupSection,
        NamedCertificate, ProtocolEntry, Resumption, SuiteEntry, SuiteSection,
    };
    use crate::scan::serverhello::KxParams;
    use crate::tls::lint::Finding;

    fn suite(id: u16) -> SuiteEntry {
        SuiteEntry::new(registry::suite(id).unwrap(), None)
    }

    fn group(id: u16) -> GroupEntry {
        let g = registry::group(id).unwrap();
        GroupEntry {
            id: format!("0x{id:04X}"),
            name: g.name.to_string(),
            post_quantum: g.post_quantum(),
            hybrid: g.kind == registry::GroupKind::PostQuantumHybrid,
            security_bits: g.security_bits,
        }
    }

    /// A model server: TLS 1.3 and 1.2, ECDHE-AEAD only, a verified chain,
    /// and the X25519MLKEM768 hybrid for clients that offer it.
    pub(crate) fn model() -> Report {
        let protocols = Version::ALL
            .into_iter()
            .rev()
            .map(|v| ProtocolEntry {
                version: v,
                accepted: Some(v >= Version::Tls12),
                detail: None,
            })
            .collect();
        Report {
            target: "t:443".into(),
            address: "192.0.2.1:443".into(),
            server_name: "t".into(),
            sni: Some("t".into()),
            starttls: None,
            grade: Grade::F,
            grade_caps: Vec::new(),
            protocols,
            cipher_suites: vec![
                SuiteSection {
                    version: Version::Tls13,
                    server_preference: Some(false),
                    suites: vec![suite(0x1301), suite(0x1302), suite(0x1303)],
                    incomplete: None,
                },
                SuiteSection {
                    version: Version::Tls12,
                    server_preference: Some(true),
                    suites: vec![suite(0xC02B), suite(0xCCA9)],
                    incomplete: None,
                },
            ],
            groups: vec![GroupSection {
                kind: GroupSectionKind::Tls13,
                version: Version::Tls13,
                groups: vec![group(0x001D), group(0x0017), group(0x11EC)],
                server_preference: Some(false),
                preferred: None,
                incomplete: None,
            }],
            negotiated: None,
            handshake_error: None,
            alpn: Vec::new(),
            ocsp_stapling: Some(false),
            resumption: Resumption {
                tls13_tickets: Some(true),
                tls12_session_ids: Some(false),
                tls12_tickets: Some(true),
            },
            client_certificate: ClientCertificate {
                requested: Some(false),
                required: Some(false),
                ca_hints: Vec::new(),
            },
            secure_renegotiation: Some(true),
            compression: Some(false),
            extended_master_secret: Some(true),
            safe_probes: Vec::new(),
            policy: None,
            baseline: None,
            downgrade_protection: Some(Downgrade {
                protected: true,
                mechanism: DowngradeMechanism::Tls13Sentinel,
            }),
            additional_certificates: Vec::new(),
            certificates_by_name: Vec::new(),
            revocation: None,
            certificate: Some(CertReport {
                source: ChainSource::Handshake,
                key_kind: None,
                expires_in_seconds: None,
                lifetime_days: None,
                chain: Vec::new(),
                verified: true,
                trusted_by_pin: false,
                verification_error: None,
                ocsp: None,
                ocsp_error: None,
                findings: Vec::new(),
                revocation: None,
            }),
            probes: 0,
            elapsed_ms: 0.0,
        }
    }

    fn with(f: impl FnOnce(&mut Report)) -> Verdict {
        let mut r = model();
        f(&mut r);
        grade(&r)
    }

    fn codes(v: &Verdict) -> Vec<&'static str> {
        v.caps.iter().map(|c| c.code).collect()
    }

    fn accept(r: &mut Report, v: Version, suites: &[u16]) {
        for p in &mut r.protocols {
            if p.version == v {
                p.accepted = Some(true);
            }
        }
        r.cipher_suites.push(SuiteSection {
            version: v,
            server_preference: None,
            suites: suites.iter().map(|id| suite(*id)).collect(),
            incomplete: None,
        });
    }

    #[test]
    fn the_model_server_is_a_plus() {
        let v = grade(&model());
        assert_eq!(v.grade, Grade::APlus, "{:?}", v.caps);
        assert!(v.caps.is_empty());
    }

    #[test]
    fn post_quantum_decides_between_a_and_a_plus() {
        // No hybrid at all.
        let v = with(|r| r.groups[0].groups.retain(|g| !g.hybrid));
        assert_eq!((v.grade, codes(&v)), (Grade::A, vec!["no-pq"]));
        // A hybrid, but the server imposes a classical group first.
        let v = with(|r| r.groups[0].server_preference = Some(true));
        assert_eq!(v.grade, Grade::A);
        // The server imposes its order with the hybrid first.
        let v = with(|r| {
            r.groups[0].server_preference = Some(true);
            r.groups[0].groups.rotate_right(1);
        });
        assert_eq!(v.grade, Grade::APlus);
    }

    #[test]
    fn each_rule_caps_where_the_readme_says() {
        type Change = Box<dyn FnOnce(&mut Report)>;
        let cases: Vec<(&str, Grade, Change)> = vec![
            (
                "ssl3",
                Grade::F,
                Box::new(|r| accept(r, Version::Ssl3, &[0x002F])),
            ),
            (
                "tls10",
                Grade::C,
                Box::new(|r| accept(r, Version::Tls10, &[0xC013])),
            ),
            (
                "tls11",
                Grade::C,
                Box::new(|r| accept(r, Version::Tls11, &[0xC013])),
            ),
            (
                "rc4",
                Grade::C,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0xC011))),
            ),
            (
                "64-bit-block",
                Grade::C,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0xC012))),
            ),
            (
                "insecure-suite",
                Grade::F,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0x0003))),
            ),
            (
                "insecure-suite",
                Grade::F,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0x003B))),
            ),
            (
                "insecure-suite",
                Grade::F,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0xC018))),
            ),
            (
                "no-forward-secrecy",
                Grade::B,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0x009C))),
            ),
            (
                "cbc",
                Grade::AMinus,
                Box::new(|r| r.cipher_suites[1].suites.push(suite(0xC023))),
            ),
            (
                "compression",
                Grade::C,
                Box::new(|r| r.compression = Some(true)),
            ),
            (
                "insecure-renegotiation",
                Grade::C,
                Box::new(|r| r.secure_renegotiation = Some(false)),
            ),
            (
                "no-downgrade-protection",
                Grade::AMinus,
                Box::new(|r| {
                    r.downgrade_protection = Some(Downgrade {
                        protected: false,
                        mechanism: DowngradeMechanism::FallbackScsv,
                    })
                }),
            ),
            (
                "no-tls13",
                Grade::AMinus,
                Box::new(|r| {
                    r.protocols
                        .iter_mut()
                        .filter(|p| p.version == Version::Tls13)
                        .for_each(|p| p.accepted = Some(false));
                    r.cipher_suites.remove(0);
                    r.groups.clear();
                }),
            ),
            (
                "no-modern-tls",
                Grade::F,
                Box::new(|r| {
                    r.protocols
                        .iter_mut()
                        .for_each(|p| p.accepted = Some(false));
                    r.cipher_suites.clear();
                    accept(r, Version::Tls10, &[0xC013]);
                }),
            ),
            (
                "no-tls",
                Grade::F,
                Box::new(|r| {
                    r.protocols
                        .iter_mut()
                        .for_each(|p| p.accepted = Some(false));
                    r.cipher_suites.clear();
                }),
            ),
            (
                "dh-2048",
                Grade::B,
                Box::new(|r| {
                    r.cipher_suites[1].suites.push(SuiteEntry::new(
                        registry::suite(0x009E).unwrap(),
                        Some(KxParams::Dhe { bits: 1024 }),
                    ))
                }),
            ),
            (
                "dh-1024",
                Grade::F,
                Box::new(|r| {
                    r.cipher_suites[1].suites.push(SuiteEntry::new(
                        registry::suite(0x009E).unwrap(),
                        Some(KxParams::Dhe { bits: 768 }),
                    ))
                }),
            ),
            (
                "weak-group",
                Grade::B,
                Box::new(|r| r.groups[0].groups.push(group(0x0013))),
            ),
            (
                "cert-not-verified",
                Grade::F,
                Box::new(|r| {
                    let c = r.certificate.as_mut().unwrap();
                    c.verified = false;
                    c.verification_error = Some("expired on 2020-01-01".into());
                }),
            ),
            (
                "no-certificate",
                Grade::F,
                Box::new(|r| r.certificate = None),
            ),
            (
                "cert-weak",
                Grade::F,
                Box::new(|r| {
                    r.certificate.as_mut().unwrap().findings.push(Finding {
                        certificate: Some(0),
                        code: "weak-signature",
                        message: "signed with SHA-1".into(),
                    })
                }),
            ),
            (
                "chain-issue",
                Grade::AMinus,
                Box::new(|r| {
                    r.certificate.as_mut().unwrap().findings.push(Finding {
                        certificate: None,
                        code: "chain-order",
                        message: "out of order".into(),
                    })
                }),
            ),
        ];
        for (code, expected, change) in cases {
            let v = with(change);
            assert!(codes(&v).contains(&code), "{code}: {:?}", v.caps);
            let cap = v.caps.iter().find(|c| c.code == code).unwrap();
            assert_eq!(cap.grade, expected, "{code}");
            assert!(v.grade <= expected, "{code}: {:?}", v.grade);
            // Caps are listed worst first.
            assert!(v.caps.windows(2).all(|w| w[0].grade <= w[1].grade));
        }
    }

    fn named(sni: &str, same_as_main: bool, f: impl FnOnce(&mut CertReport)) -> NamedCertificate {
        let mut c = model().certificate.unwrap();
        f(&mut c);
        NamedCertificate {
            sni: sni.into(),
            same_as_main,
            certificate: Some(c),
            error: None,
            additional_certificates: Vec::new(),
            revocation: None,
        }
    }

    #[test]
    fn a_certificate_asked_for_by_sni_caps_as_the_main_one_would() {
        // Fine: nothing changes.
        let v = with(|r| r.certificates_by_name.push(named("api.t", false, |_| {})));
        assert_eq!(v, grade(&model()));
        // Expired: F, and the cap names the name.
        let v = with(|r| {
            r.certificates_by_name.push(named("api.t", false, |c| {
                c.verified = false;
                c.verification_error = Some("the certificate expired on 2020-01-01".into());
            }))
        });
        assert_eq!(v.grade, Grade::F);
        assert_eq!(
            v.caps[0],
            Cap {
                grade: Grade::F,
                code: "cert-not-verified",
                reason: "the certificate for api.t does not verify: the certificate expired on 2020-01-01".into(),
                sni: Some("api.t".into()),
                key_kind: None,
            }
        );
        // A weak key and a chain out of order: the same rules, with the name.
        let v = with(|r| {
            r.certificates_by_name.push(named("api.t", false, |c| {
                c.findings.push(Finding {
                    certificate: Some(0),
                    code: "weak-key",
                    message: "RSA 1024 bits".into(),
                });
                c.findings.push(Finding {
                    certificate: None,
                    code: "chain-order",
                    message: "out of order".into(),
                });
            }))
        });
        let found: Vec<(Grade, &str, &str)> = v
            .caps
            .iter()
            .map(|c| (c.grade, c.code, c.reason.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Grade::F,
                    "cert-weak",
                    "certificate for api.t: RSA 1024 bits"
                ),
                (
                    Grade::AMinus,
                    "chain-issue",
                    "chain for api.t: out of order"
                ),
            ]
        );
        // No certificate for the name: F, with the reason.
        let v = with(|r| {
            r.certificates_by_name.push(NamedCertificate {
                sni: "gone.t".into(),
                same_as_main: false,
                certificate: None,
                error: Some("the server refused the handshake".into()),
                additional_certificates: Vec::new(),
                revocation: None,
            })
        });
        assert_eq!((v.grade, codes(&v)), (Grade::F, vec!["no-certificate"]));
        assert_eq!(
            v.caps[0].reason,
            "no certificate could be obtained for gone.t: the server refused the handshake"
        );
    }

    #[test]
    fn a_revoked_certificate_for_a_name_caps_naming_it_and_the_main_one_counts_once() {
        use crate::revocation::{Mode, Severity, Status};
        use crate::scan::revocation::RevocationFinding;
        let finding = |status: Status, sentence: &str| RevocationFinding {
            severity: match status {
                Status::Revoked => Severity::Critical,
                _ => Severity::Warning,
            },
            mode: Mode::Warn,
            status: Some(status),
            sentence: Some(sentence.into()),
            leaf: None,
            certificates: Vec::new(),
        };
        let revoked = "for SNI api.t: the server's certificate (CN=api.t) was revoked";
        let v = with(|r| {
            let mut n = named("api.t", false, |_| {});
            n.revocation = Some(finding(Status::Revoked, revoked));
            r.certificates_by_name.push(n);
        });
        assert_eq!(v.grade, Grade::F);
        assert_eq!(
            v.caps[0],
            Cap {
                grade: Grade::F,
                code: "cert-revoked",
                reason: revoked.into(),
                sni: Some("api.t".into()),
                key_kind: None,
            }
        );
        // An unknown status does not cap, for a name as for the main chain.
        let v = with(|r| {
            let mut n = named("api.t", false, |_| {});
            n.revocation = Some(finding(Status::Unknown, "unknown"));
            r.certificates_by_name.push(n);
        });
        assert_eq!(v, grade(&model()));
        // The main certificate, revoked, served for a name too: one cap, the main one's.
        let v = with(|r| {
            r.revocation = Some(finding(Status::Revoked, "revoked"));
            let mut n = named("www.t", true, |_| {});
            n.revocation = Some(finding(Status::Revoked, "for SNI www.t: revoked"));
            r.certificates_by_name.push(n);
        });
        assert_eq!(codes(&v), vec!["cert-revoked"]);
        assert_eq!(v.caps[0].sni, None);
    }

    #[test]
    fn the_main_certificate_served_for_a_name_counts_once_unless_the_name_fails() {
        let weak = |c: &mut CertReport| {
            c.findings.push(Finding {
                certificate: Some(0),
                code: "weak-signature",
                message: "signed with SHA-1".into(),
            })
        };
        // The main certificate's weakness, served for another name too: one cap.
        let v = with(|r| {
            weak(r.certificate.as_mut().unwrap());
            r.certificates_by_name.push(named("www.t", true, weak));
        });
        assert_eq!(codes(&v), vec!["cert-weak"]);
        assert_eq!(v.caps[0].sni, None);
        // The main certificate served for a name it is not valid for: that is news.
        let v = with(|r| {
            r.certificates_by_name.push(named("other.t", true, |c| {
                c.verified = false;
                c.verification_error = Some("valid for t but not for other.t".into());
            }))
        });
        assert_eq!((v.grade, codes(&v)), (Grade::F, vec!["cert-not-verified"]));
        assert_eq!(v.caps[0].sni.as_deref(), Some("other.t"));
    }

    /// A certificate of another kind of key (as the scan finds one), with leaf `fp`.
    fn other(kind: KeyKind, fp: &str, f: impl FnOnce(&mut CertReport)) -> CertReport {
        let mut c = model().certificate.unwrap();
        c.key_kind = Some(kind);
        let made = rcgen::generate_simple_self_signed(vec!["t".to_string()]).unwrap();
        let mut leaf = crate::tls::certinfo::CertSummary::from_der(made.cert.der()).unwrap();
        leaf.sha256_fingerprint = fp.into();
        c.chain.push(leaf);
        f(&mut c);
        c
    }

    fn expired(c: &mut CertReport) {
        c.verified = false;
        c.verification_error = Some("the certificate expired on 2020-01-01".into());
    }

    #[test]
    fn an_additional_certificate_caps_as_the_main_one_would_naming_its_kind() {
        // Fine: nothing changes.
        let v = with(|r| {
            r.additional_certificates
                .push(other(KeyKind::Rsa, "R", |_| {}))
        });
        assert_eq!(v, grade(&model()));
        // Expired: F, and the cap names the RSA certificate.
        let v = with(|r| {
            r.additional_certificates
                .push(other(KeyKind::Rsa, "R", expired))
        });
        assert_eq!(v.grade, Grade::F);
        assert_eq!(
            v.caps,
            [Cap {
                grade: Grade::F,
                code: "cert-not-verified",
                reason:
                    "the RSA certificate does not verify: the certificate expired on 2020-01-01"
                        .into(),
                sni: None,
                key_kind: Some(KeyKind::Rsa),
            }]
        );
        // A SHA-1 signature, a chain out of order, a revoked staple: the same
        // rules, each naming the certificate.
        let v = with(|r| {
            r.additional_certificates
                .push(other(KeyKind::Rsa, "R", |c| {
                    c.findings.push(Finding {
                        certificate: Some(0),
                        code: "weak-signature",
                        message: "signed with SHA-1".into(),
                    });
                    c.findings.push(Finding {
                        certificate: None,
                        code: "chain-order",
                        message: "out of order".into(),
                    });
                }))
        });
        let found: Vec<(Grade, &str, &str)> = v
            .caps
            .iter()
            .map(|c| (c.grade, c.code, c.reason.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    Grade::F,
                    "cert-weak",
                    "the RSA certificate: signed with SHA-1"
                ),
                (
                    Grade::AMinus,
                    "chain-issue",
                    "the chain of the RSA certificate: out of order"
                ),
            ]
        );
        assert!(v.caps.iter().all(|c| c.key_kind == Some(KeyKind::Rsa)));
    }

    #[test]
    fn an_additional_certificate_found_revoked_caps_with_its_finding() {
        use crate::revocation::{Mode, Severity, Status};
        let sentence = "for the RSA certificate: the server's certificate (CN=t) was revoked";
        let v = with(|r| {
            r.additional_certificates
                .push(other(KeyKind::Rsa, "R", |c| {
                    c.revocation = Some(RevocationFinding {
                        severity: Severity::Critical,
                        mode: Mode::Warn,
                        status: Some(Status::Revoked),
                        sentence: Some(sentence.into()),
                        leaf: None,
                        certificates: Vec::new(),
                    })
                }))
        });
        assert_eq!(
            v.caps,
            [Cap {
                grade: Grade::F,
                code: "cert-revoked",
                reason: sentence.into(),
                sni: None,
                key_kind: Some(KeyKind::Rsa),
            }]
        );
    }

    #[test]
    fn a_name_s_additional_certificate_caps_naming_both_and_the_target_s_counts_once() {
        // The RSA certificate served for api.t only is expired.
        let v = with(|r| {
            let mut n = named("api.t", false, |_| {});
            n.additional_certificates
                .push(other(KeyKind::Rsa, "R", expired));
            r.certificates_by_name.push(n);
        });
        assert_eq!(v.grade, Grade::F);
        assert_eq!(
            v.caps,
            [Cap {
                grade: Grade::F,
                code: "cert-not-verified",
                reason: "the RSA certificate for api.t does not verify: the certificate expired on 2020-01-01".into(),
                sni: Some("api.t".into()),
                key_kind: Some(KeyKind::Rsa),
            }]
        );
        // The target's own RSA certificate, expired, served for www.t too: one cap.
        let v = with(|r| {
            r.additional_certificates
                .push(other(KeyKind::Rsa, "R", expired));
            let mut n = named("www.t", true, |_| {});
            n.additional_certificates
                .push(other(KeyKind::Rsa, "R", expired));
            r.certificates_by_name.push(n);
        });
        assert_eq!(codes(&v), vec!["cert-not-verified"]);
        assert_eq!(v.caps[0].sni, None);
        // ... unless it fails for that name in another way.
        let v = with(|r| {
            r.additional_certificates
                .push(other(KeyKind::Rsa, "R", |_| {}));
            let mut n = named("www.t", true, |_| {});
            n.additional_certificates
                .push(other(KeyKind::Rsa, "R", |c| {
                    c.verified = false;
                    c.verification_error = Some("valid for t but not for www.t".into());
                }));
            r.certificates_by_name.push(n);
        });
        assert_eq!((v.grade, codes(&v)), (Grade::F, vec!["cert-not-verified"]));
        assert_eq!(v.caps[0].sni.as_deref(), Some("www.t"));
        assert_eq!(v.caps[0].key_kind, Some(KeyKind::Rsa));
    }

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
