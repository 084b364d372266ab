//! The scan report: everything found, as data, in the shape `--json`
//! prints, with the grade computed from exactly what it shows.

use serde::Serialize;

use super::certs::{self, CertReport, ChainSource};
use super::engine::ScanData;
use super::enumerate::{GroupList, Support};
use super::grade::{self, Cap, Grade};
use super::registry::{self, Cipher, GroupKind, Kx, Strength, Version};
use super::serverhello::KxParams;
use super::session::TlsSetup;
use crate::tls::error::{fail, Failure};
use crate::tls::handshake::{HandshakeInfo, Protocol};
use crate::tls::starttls::StartTls;

/// Whether one protocol version is accepted.
#[derive(Debug, Clone, Serialize)]
pub struct ProtocolEntry {
    /// The version.
    pub version: Version,
    /// `true`, `false`, or `null` when the server's answer was not conclusive.
    pub accepted: Option<bool>,
    /// What the server did when it did not accept (an alert, silence, garbage).
    pub detail: Option<String>,
}

/// One accepted cipher suite.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteEntry {
    /// IANA code point, `0xC02F`.
    pub id: String,
    /// IANA name.
    pub name: String,
    /// OpenSSL's name, when it has one.
    pub openssl_name: Option<String>,
    /// `strong`, `weak` or `insecure`.
    pub strength: Strength,
    /// Forward secrecy.
    pub forward_secrecy: bool,
    /// AEAD cipher.
    pub aead: bool,
    /// Bulk cipher.
    pub cipher: Cipher,
    /// Key exchange.
    pub kx: Kx,
    /// Export-grade.
    pub export: bool,
    /// No server authentication.
    pub anonymous: bool,
    /// Cipher key bits.
    pub bits: u16,
    /// The ECDHE group the server used with it (TLS 1.2 and older), or asked for (TLS 1.3).
    pub group: Option<String>,
    /// The size of the DHE group the server used with it.
    pub dh_bits: Option<u32>,
}

impl SuiteEntry {
    /// Describes `s`, with the ServerKeyExchange parameters the server used with it.
    pub fn new(s: &registry::Suite, kx: Option<KxParams>) -> SuiteEntry {
        let (group, dh_bits) = match kx {
            Some(KxParams::Ecdhe { group }) => (Some(registry::group_name(group)), None),
            Some(KxParams::EcdheExplicit) => (Some("explicit curve".to_string()), None),
            Some(KxParams::Dhe { bits }) => (None, Some(bits)),
            // A TLS 1.3 suite does not fix the group: that is listed apart.
            None => (None, None),
        };
        SuiteEntry {
            id: hex_id(s.id),
            name: s.name.to_string(),
            openssl_name: (s.openssl != "-").then(|| s.openssl.to_string()),
            strength: s.strength(),
            forward_secrecy: s.forward_secret(),
            aead: s.aead(),
            cipher: s.cipher,
            kx: s.kx,
            export: s.export,
            anonymous: s.kx.anonymous(),
            bits: s.bits,
            group,
            dh_bits,
        }
    }
}

/// The accepted suites of one version.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteSection {
    /// The version.
    pub version: Version,
    /// Whether the server imposes its own order (then `suites` is in that order).
    pub server_preference: Option<bool>,
    /// The accepted suites.
    pub suites: Vec<SuiteEntry>,
    /// Why the list may be incomplete.
    pub incomplete: Option<String>,
}

/// One accepted group.
#[derive(Debug, Clone, Serialize)]
pub struct GroupEntry {
    /// IANA code point.
    pub id: String,
    /// Name.
    pub name: String,
    /// Post-quantum (hybrid or pure ML-KEM).
    pub post_quantum: bool,
    /// A hybrid of a classical group and ML-KEM.
    pub hybrid: bool,
    /// Approximate classical strength in bits.
    pub security_bits: u16,
}

/// Where a list of groups comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupSectionKind {
    /// TLS 1.3 key shares, from HelloRetryRequests.
    Tls13,
    /// ECDHE curves below TLS 1.3, from ServerKeyExchange.
    Ecdhe,
}

/// The groups accepted for one kind of key exchange.
#[derive(Debug, Clone, Serialize)]
pub struct GroupSection {
    /// `tls13` (from HelloRetryRequests) or `ecdhe` (from ServerKeyExchange).
    pub kind: GroupSectionKind,
    /// The version probed.
    pub version: Version,
    /// Accepted groups, in the order the server chose them.
    pub groups: Vec<GroupEntry>,
    /// Whether the server imposes its own order.
    pub server_preference: Option<bool>,
    /// The group the server picks first when offered everything with classical groups first.
    pub preferred: Option<String>,
    /// Why the list may be incomplete.
    pub incomplete: Option<String>,
}

/// One ALPN protocol.
#[derive(Debug, Clone, Serialize)]
pub struct AlpnEntry {
    /// `h2` or `http/1.1`.
    pub protocol: &'static str,
    /// Accepted when offered alone (`null`: unknown).
    pub accepted: Option<bool>,
}

/// Session resumption.
#[derive(Debug, Clone, Serialize)]
pub struct Resumption {
    /// A TLS 1.3 session resumes with a ticket.
    pub tls13_tickets: Option<bool>,
    /// A TLS 1.2 session resumes by session ID.
    pub tls12_session_ids: Option<bool>,
    /// A TLS 1.2 session resumes with a ticket.
    pub tls12_tickets: Option<bool>,
}

/// Client certificates.
#[derive(Debug, Clone, Serialize)]
pub struct ClientCertificate {
    /// The server sent a CertificateRequest.
    pub requested: Option<bool>,
    /// The server refused to go on without one.
    pub required: Option<bool>,
    /// The CA names it hinted.
    pub ca_hints: Vec<String>,
}

/// How a downgrade is detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DowngradeMechanism {
    /// The TLS 1.3 downgrade sentinel in the ServerHello random.
    Tls13Sentinel,
    /// TLS_FALLBACK_SCSV (RFC 7507).
    FallbackScsv,
}

/// Downgrade protection.
#[derive(Debug, Clone, Serialize)]
pub struct Downgrade {
    /// Whether a downgraded connection is refused or detectable.
    pub protected: bool,
    /// `tls13_sentinel` or `fallback_scsv`.
    pub mechanism: DowngradeMechanism,
}

/// The whole scan.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The target as given (`host:port`).
    pub target: String,
    /// The address scanned.
    pub address: String,
    /// The name verified.
    pub server_name: String,
    /// The SNI sent (none for IP addresses).
    pub sni: Option<String>,
    /// The STARTTLS protocol spoken first.
    pub starttls: Option<StartTls>,
    /// The grade.
    pub grade: Grade,
    /// Every reason that capped the grade, worst first.
    pub grade_caps: Vec<Cap>,
    /// Each version, newest first.
    pub protocols: Vec<ProtocolEntry>,
    /// Accepted suites per accepted version, newest first.
    pub cipher_suites: Vec<SuiteSection>,
    /// Accepted key-exchange groups.
    pub groups: Vec<GroupSection>,
    /// What a browser-like handshake (TLS 1.3/1.2, h2 + http/1.1) negotiated.
    pub negotiated: Option<HandshakeInfo>,
    /// Why that handshake failed, if it did.
    pub handshake_error: Option<String>,
    /// ALPN protocols.
    pub alpn: Vec<AlpnEntry>,
    /// Whether an OCSP response is stapled.
    pub ocsp_stapling: Option<bool>,
    /// Session resumption.
    pub resumption: Resumption,
    /// Client certificates.
    pub client_certificate: ClientCertificate,
    /// Secure renegotiation (RFC 5746) on TLS 1.2 and older.
    pub secure_renegotiation: Option<bool>,
    /// TLS compression (CRIME).
    pub compression: Option<bool>,
    /// The extended master secret (RFC 7627) on TLS 1.2 and older.
    pub extended_master_secret: Option<bool>,
    /// Safe probes for classic flaws: Heartbleed, CCS injection, GREASE,
    /// version and extension intolerance.
    pub safe_probes: Vec<super::safe::SafeFinding>,
    /// The verdict of `--policy`, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<super::policy::PolicyVerdict>,
    /// The comparison with `--baseline`, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<super::baseline::BaselineDiff>,
    /// Downgrade protection.
    pub downgrade_protection: Option<Downgrade>,
    /// The certificate.
    pub certificate: Option<CertReport>,
    /// Whether the certificate was revoked (`--check-revocation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<super::revocation::RevocationFinding>,
    /// The server's other certificates (another kind of key, found by
    /// offering only that kind's signature schemes), each judged in full.
    pub additional_certificates: Vec<CertReport>,
    /// The certificate presented for each name asked for by SNI (`--sni`), each
    /// verified against its name and judged in full (absent when none was asked).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates_by_name: Vec<NamedCertificate>,
    /// Probes and handshakes sent.
    pub probes: usize,
    /// Wall time, milliseconds.
    pub elapsed_ms: f64,
}

/// The certificate a server presents for one name sent as SNI.
#[derive(Debug, Clone, Serialize)]
pub struct NamedCertificate {
    /// The name sent as SNI (and verified against).
    pub sni: String,
    /// Whether it is the certificate of the main handshake (the target's own name).
    pub same_as_main: bool,
    /// The certificate, its chain, verdict and findings, when the server sent one.
    pub certificate: Option<CertReport>,
    /// Why no certificate was obtained, when none was.
    pub error: Option<String>,
    /// The name's other certificates (another kind of key, found as for the target's
    /// own name), each judged in full.
    pub additional_certificates: Vec<CertReport>,
    /// Whether the certificate's chain was revoked (`--check-revocation`), as the
    /// report's `revocation` says of the main chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<super::revocation::RevocationFinding>,
}

impl Report {
    /// The `--check-revocation` findings: the main chain's and the additional
    /// certificates', then each SNI name's and its additional certificates'.
    pub fn revocation_findings(
        &self,
    ) -> impl Iterator<Item = &super::revocation::RevocationFinding> {
        fn additional(
            certs: &[CertReport],
        ) -> impl Iterator<Item = &super::revocation::RevocationFinding> {
            certs.iter().filter_map(|c| c.revocation.as_ref())
        }
        self.revocation
            .iter()
            .chain(additional(&self.additional_certificates))
            .chain(self.certificates_by_name.iter().flat_map(|n| {
                n.revocation
                    .iter()
                    .chain(additional(&n.additional_certificates))
            }))
    }

    /// Whether any version could be negotiated.
    pub fn any_accepted(&self) -> bool {
        self.protocols.iter().any(|p| p.accepted == Some(true))
    }
}

impl Report {
    /// Why there is nothing to grade, when no version was accepted: a server
    /// that never spoke TLS (plain text, silence, garbage) or refused every
    /// version. The error carries its kind: network when no probe got an
    /// answer, handshake otherwise.
    pub fn no_tls_error(&self) -> Option<anyhow::Error> {
        if self.any_accepted() {
            return None;
        }
        let sanitize = crate::text::sanitize;
        let unknown = self.protocols.iter().all(|p| p.accepted.is_none());
        let kind = if unknown {
            Failure::Network
        } else {
            Failure::Handshake
        };
        let details = || self.protocols.iter().filter_map(|p| p.detail.as_deref());
        // A server that answers every probe with junk (noise, an oversized
        // record) did not refuse anything: say what it sent.
        let all_malformed = self.protocols.iter().all(|p| {
            p.detail
                .as_deref()
                .is_some_and(|d| d.starts_with("malformed answer"))
        });
        let malformed = details()
            .find(|d| d.starts_with("malformed answer"))
            .filter(|_| all_malformed);
        let (why, what) = match (unknown, malformed) {
            (true, _) => ("no probe got an answer", String::new()),
            (false, Some(detail)) => (
                "no probe got a well-formed TLS answer",
                format!(
                    ": {}",
                    sanitize(detail.trim_start_matches("malformed answer: "))
                ),
            ),
            (false, None) => (
                "the server refused every SSL and TLS version offered",
                String::new(),
            ),
        };
        let said = |what: &str| details().any(|d| d.contains(what));
        let hint = if said("plain text") {
            "; is this a TLS port? For a plaintext service that upgrades, use --starttls"
        } else if said("unrecognized_name") {
            "; the server does not know the name sent as SNI: give the right one with --servername"
        } else {
            ""
        };
        Some(fail(
            kind,
            format!("{why} ({}){what}{hint}", sanitize(&self.address)),
        ))
    }
}

fn hex_id(id: u16) -> String {
    format!("0x{id:04X}")
}

fn group_section(kind: GroupSectionKind, version: Version, list: &GroupList) -> GroupSection {
    let groups: Vec<GroupEntry> = list
        .accepted
        .iter()
        .map(|id| {
            let g = registry::group(*id);
            GroupEntry {
                id: hex_id(*id),
                name: registry::group_name(*id),
                post_quantum: g.is_some_and(|g| g.post_quantum()),
                hybrid: g.is_some_and(|g| g.kind == GroupKind::PostQuantumHybrid),
                security_bits: g.map_or(0, |g| g.security_bits),
            }
        })
        .collect();
    GroupSection {
        kind,
        version,
        preferred: match list.server_preference {
            Some(false) => None,
            _ => groups.first().map(|g| g.name.clone()),
        },
        groups,
        server_preference: list.server_preference,
        incomplete: list.incomplete.clone(),
    }
}

/// Builds the report (and its grade) from what the scan found.
pub fn build(data: &ScanData, setup: &TlsSetup, target: &str, address: &str) -> Report {
    let protocols = Version::ALL
        .into_iter()
        .rev()
        .map(|v| {
            let (accepted, detail) = match data.support(v) {
                Some(Support::Accepted(_)) => (Some(true), None),
                Some(Support::Refused(why)) => (Some(false), Some(why.clone())),
                Some(Support::Unknown(why)) => (None, Some(why.clone())),
                None => (None, None),
            };
            ProtocolEntry {
                version: v,
                accepted,
                detail,
            }
        })
        .collect();

    let cipher_suites = data
        .suites
        .iter()
        .map(|l| SuiteSection {
            version: l.version,
            server_preference: l.server_preference,
            incomplete: l.incomplete.clone(),
            suites: l
                .accepted
                .iter()
                .map(|a| SuiteEntry::new(a.suite, a.kx))
                .collect(),
        })
        .collect();

    let mut groups = Vec::new();
    if let Some(g) = &data.groups_tls13 {
        groups.push(group_section(GroupSectionKind::Tls13, Version::Tls13, g));
    }
    if let Some((v, g)) = &data.groups_ecdhe {
        groups.push(group_section(GroupSectionKind::Ecdhe, *v, g));
    }

    let main = data.main.as_ref();
    let first = main.map(|m| &m.first);
    let negotiated = first.and_then(|f| f.info.clone());
    let handshake_error = data
        .main_error
        .clone()
        .or_else(|| first.and_then(|f| f.error.clone()));

    // The legacy flight of the newest version below TLS 1.3 tells what the
    // plaintext handshake shows: renegotiation, compression, chain, staple.
    let legacy = data
        .best_legacy()
        .and_then(|v| data.support(v))
        .and_then(Support::flight);
    let secure_renegotiation = legacy.map(|f| {
        f.hello
            .extension(super::clienthello::ext::RENEGOTIATION_INFO)
            .is_some()
    });
    let compression = legacy.map(|f| f.hello.compression != 0);
    let extended_master_secret = legacy.map(|f| {
        f.hello
            .extension(super::clienthello::ext::EXTENDED_MASTER_SECRET)
            .is_some()
    });

    let downgrade_protection = if data.accepts(Version::Tls13) {
        data.support(Version::Tls12)
            .and_then(Support::flight)
            .map(|f| Downgrade {
                protected: f.hello.downgrade_sentinel(),
                mechanism: DowngradeMechanism::Tls13Sentinel,
            })
    } else {
        data.fallback_scsv.map(|p| Downgrade {
            protected: p,
            mechanism: DowngradeMechanism::FallbackScsv,
        })
    };

    // The certificate: from the rustls handshake when it got that far, else
    // from the plaintext Certificate message of a legacy probe.
    let observed = first.map(|f| &f.observed).filter(|o| !o.chain.is_empty());
    let certificate = match (observed, legacy) {
        (Some(o), _) => Some(certs::check(
            ChainSource::Handshake,
            &o.chain,
            &o.ocsp,
            Some(o),
            &setup.roots,
            &setup.pins,
            &setup.target.server_name,
        )),
        (None, Some(f)) if !f.certs.is_empty() => {
            let chain: Vec<_> = f
                .certs
                .iter()
                .map(|c| rustls::pki_types::CertificateDer::from(c.clone()))
                .collect();
            Some(certs::check(
                ChainSource::Probe,
                &chain,
                f.ocsp.as_deref().unwrap_or_default(),
                None,
                &setup.roots,
                &setup.pins,
                &setup.target.server_name,
            ))
        }
        _ => None,
    };
    let mut seen: Vec<&[u8]> = observed
        .and_then(|o| o.chain.first())
        .map(|c| c.as_ref())
        .into_iter()
        .collect();
    let mut additional_certificates = Vec::new();
    for (_, out) in &data.by_key_kind {
        let o = &out.observed;
        let Some(leaf) = o.chain.first() else {
            continue;
        };
        if seen.contains(&leaf.as_ref()) {
            continue;
        }
        seen.push(leaf.as_ref());
        additional_certificates.push(certs::check(
            ChainSource::Handshake,
            &o.chain,
            &o.ocsp,
            Some(o),
            &setup.roots,
            &setup.pins,
            &setup.target.server_name,
        ));
    }
    let main_leaf = observed.and_then(|o| o.chain.first()).map(|c| c.as_ref());
    let certificates_by_name = data
        .by_name
        .iter()
        .map(|named| {
            let t = &named.target;
            let check = |o: &crate::tls::verify::Observed| {
                certs::check(
                    ChainSource::Handshake,
                    &o.chain,
                    &o.ocsp,
                    Some(o),
                    &setup.roots,
                    &setup.pins,
                    &t.server_name,
                )
            };
            let own_leaf = named
                .main
                .as_ref()
                .ok()
                .and_then(|o| o.observed.chain.first())
                .map(|c| c.as_ref());
            let mut seen: Vec<&[u8]> = own_leaf.into_iter().collect();
            let mut additional_certificates = Vec::new();
            for (_, out) in &named.by_key_kind {
                let Some(leaf) = out.observed.chain.first() else {
                    continue;
                };
                if !seen.contains(&leaf.as_ref()) {
                    seen.push(leaf.as_ref());
                    additional_certificates.push(check(&out.observed));
                }
            }
            let (certificate, error) = match &named.main {
                Ok(o) if !o.observed.chain.is_empty() => (Some(check(&o.observed)), None),
                Ok(o) => (
                    None,
                    Some(
                        o.error
                            .clone()
                            .unwrap_or_else(|| "the server sent no certificate".to_string()),
                    ),
                ),
                Err(e) => (None, Some(e.clone())),
            };
            NamedCertificate {
                sni: t.server_name_str(),
                same_as_main: own_leaf.is_some() && own_leaf == main_leaf,
                certificate,
                error,
                additional_certificates,
                revocation: None,
            }
        })
        .collect();
    let ocsp_stapling = match (observed, legacy) {
        (Some(o), _) => Some(!o.ocsp.is_empty()),
        (None, Some(f)) if f.complete => Some(f.ocsp.is_some()),
        _ => None,
    };

    let client_certificate = {
        let requested = first
            .filter(|f| f.info.is_some() || !f.observed.chain.is_empty())
            .map(|f| f.observed.client_cert_requested)
            .or_else(|| legacy.filter(|f| f.complete).map(|f| f.cert_request));
        let required = match (first, requested) {
            (Some(f), Some(true)) => Some(!f.completed()),
            (_, Some(false)) => Some(false),
            _ => None,
        };
        ClientCertificate {
            requested,
            required,
            ca_hints: first
                .map(|f| f.observed.client_ca_hints.iter().map(dn_text).collect())
                .unwrap_or_default(),
        }
    };

    let resumption = Resumption {
        tls13_tickets: main
            .filter(|m| {
                m.first
                    .info
                    .as_ref()
                    .is_some_and(|i| i.protocol == Protocol::Tls13)
            })
            .and_then(|m| m.resumed),
        tls12_session_ids: data.tls12_resumes_by_id,
        tls12_tickets: data.tls12_resumes_by_ticket,
    };

    let mut report = Report {
        target: target.to_string(),
        address: address.to_string(),
        server_name: setup.target.server_name_str(),
        sni: setup
            .target
            .name_is_dns()
            .then(|| setup.target.server_name_str()),
        starttls: setup.starttls,
        grade: Grade::F,
        grade_caps: Vec::new(),
        protocols,
        cipher_suites,
        groups,
        negotiated,
        handshake_error,
        alpn: data
            .alpn
            .iter()
            .map(|(p, a)| AlpnEntry {
                protocol: p,
                accepted: *a,
            })
            .collect(),
        ocsp_stapling,
        resumption,
        client_certificate,
        secure_renegotiation,
        compression,
        extended_master_secret,
        safe_probes: data.safe.clone(),
        policy: None,
        baseline: None,
        downgrade_protection,
        certificate,
        revocation: None,
        additional_certificates,
        certificates_by_name,
        probes: data.probes,
        elapsed_ms: (data.elapsed.as_secs_f64() * 1e5).round() / 100.0,
    };
    let verdict = grade::grade(&report);
    report.grade = verdict.grade;
    report.grade_caps = verdict.caps;
    report
}

/// A distinguished name from a CertificateRequest as text, or hex when it does not parse.
fn dn_text(dn: &rustls::DistinguishedName) -> String {
    use x509_parser::prelude::FromDer;
    let parsed = x509_parser::x509::X509Name::from_der(dn.as_ref())
        .map(|(_, n)| n.to_string())
        .or_else(|_| {
            let seq = rustls::DistinguishedName::in_sequence(dn.as_ref());
            x509_parser::x509::X509Name::from_der(seq.as_ref()).map(|(_, n)| n.to_string())
        });
    match parsed {
        Ok(text) => crate::text::sanitize(&text).into_owned(),
        Err(_) => crate::tls::pin::colon_hex(dn.as_ref()),
    }
}
