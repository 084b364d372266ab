//! Everything a certificate, key or CSR says, as data: what `inspect`
//! prints and what `--json` gives. x509-parser decodes the extensions,
//! embedded SCT lists included; this module turns them into report fields
//! and adds the checks a strict reading of the SCT list needs.

use anyhow::Result;
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{
    CtVersion, DistributionPointName, GeneralName, ParsedExtension, SignedCertificateTimestamp,
    X509Extension,
};
use x509_parser::oid_registry::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::certinfo::{self, KeyInfo};
use super::pin::{self, Pin};

/// OID of the embedded SCT list extension (RFC 6962 section 3.3).
pub const OID_SCT_LIST: &str = "1.3.6.1.4.1.11129.2.4.2";

/// One subject alternative name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct San {
    /// `dns`, `ip`, `email`, `uri`, `dirname`, `rid`, `othername` or `other`.
    #[serde(rename = "type")]
    pub kind: SanKind,
    /// The name; IP addresses written as addresses.
    pub value: String,
}

/// The kind of a subject alternative name (RFC 5280 GeneralName).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SanKind {
    /// dNSName.
    Dns,
    /// iPAddress.
    Ip,
    /// rfc822Name.
    Email,
    /// uniformResourceIdentifier.
    Uri,
    /// directoryName.
    Dirname,
    /// registeredID.
    Rid,
    /// otherName.
    Othername,
    /// A form x509-parser has no name for (x400Address, ediPartyName).
    Other,
}

impl San {
    /// Converts an x509-parser general name.
    pub fn from_general_name(name: &GeneralName<'_>) -> San {
        let (kind, value) = match name {
            GeneralName::DNSName(s) => (SanKind::Dns, s.to_string()),
            GeneralName::IPAddress(b) => (SanKind::Ip, certinfo::format_ip(b)),
            GeneralName::RFC822Name(s) => (SanKind::Email, s.to_string()),
            GeneralName::URI(s) => (SanKind::Uri, s.to_string()),
            GeneralName::DirectoryName(n) => (SanKind::Dirname, n.to_string()),
            GeneralName::RegisteredID(oid) => (SanKind::Rid, oid.to_id_string()),
            GeneralName::OtherName(oid, _) => (SanKind::Othername, oid.to_id_string()),
            other => (SanKind::Other, format!("{other:?}")),
        };
        San { kind, value }
    }
}

impl std::fmt::Display for San {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.kind {
            SanKind::Dns => "DNS",
            SanKind::Ip => "IP",
            SanKind::Email => "email",
            SanKind::Uri => "URI",
            SanKind::Dirname => "DirName",
            SanKind::Rid => "RID",
            SanKind::Othername => "othername",
            SanKind::Other => "other",
        };
        write!(f, "{label}:{}", self.value)
    }
}

/// The basic constraints extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BasicConstraints {
    /// CA:TRUE.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u32>,
    /// Marked critical.
    pub critical: bool,
}

/// The key usage extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyUsage {
    /// Usages by their RFC 5280 names (`digitalSignature`, `keyCertSign`, …).
    pub usages: Vec<&'static str>,
    /// Marked critical.
    pub critical: bool,
}

/// The extended key usage extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtendedKeyUsage {
    /// Purposes by name (`serverAuth`, `clientAuth`, …) or dotted OID.
    pub purposes: Vec<String>,
    /// Marked critical.
    pub critical: bool,
}

impl ExtendedKeyUsage {
    /// Whether the certificate may authenticate a TLS server.
    pub fn allows_server_auth(&self) -> bool {
        self.purposes
            .iter()
            .any(|p| p == "serverAuth" || p == "anyExtendedKeyUsage")
    }
}

/// Authority information access: where to ask about revocation and find the issuer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuthorityInfo {
    /// OCSP responder URLs.
    pub ocsp: Vec<String>,
    /// CA issuer certificate URLs.
    pub ca_issuers: Vec<String>,
}

/// One certificate policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Dotted OID.
    pub oid: String,
    /// What the OID means, for the well-known CA/Browser Forum ones.
    pub name: Option<&'static str>,
    /// Certification practice statement URLs from the qualifiers.
    pub cps: Vec<String>,
}

/// One embedded signed certificate timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sct {
    /// SCT version (1 for RFC 6962).
    pub version: u8,
    /// Log ID (SHA-256 of the log's key), base64 as CT log lists write it.
    pub log_id: String,
    /// When the log saw the (pre)certificate, RFC 3339.
    pub timestamp: String,
    /// The same, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// Hash and signature algorithm of the log's signature (`ecdsa-sha256`).
    pub signature_algorithm: String,
}

/// An extension tlskit shows only by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherExtension {
    /// Dotted OID.
    pub oid: String,
    /// Short name, when known.
    pub name: Option<String>,
    /// Marked critical.
    pub critical: bool,
}

/// Whether a certificate is in its validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// Between notBefore and notAfter.
    Valid,
    /// After notAfter.
    Expired,
    /// Before notBefore.
    NotYetValid,
}

/// Everything tlskit shows of one certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertDetails {
    /// X.509 version (3 for every modern certificate).
    pub version: u32,
    /// Subject distinguished name.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Valid, expired or not yet valid, as of the time of inspection.
    pub validity: Validity,
    /// Whole days until notAfter (negative once expired).
    pub days_left: i64,
    /// Whole days until notBefore (positive while not yet valid).
    pub days_until_valid: i64,
    /// Seconds until notAfter (negative once expired), for monitoring.
    pub seconds_left: i64,
    /// Length of the validity period in whole days.
    pub lifetime_days: i64,
    /// Subject alternative names.
    pub sans: Vec<San>,
    /// Public key algorithm and size or curve.
    pub key: KeyInfo,
    /// Signature algorithm (`ecdsa-with-SHA256`, `sha256WithRSAEncryption`, …).
    pub signature_algorithm: String,
    /// The signature algorithm's OID.
    pub signature_algorithm_oid: String,
    /// Basic constraints (absent: not a CA).
    pub basic_constraints: Option<BasicConstraints>,
    /// Key usage.
    pub key_usage: Option<KeyUsage>,
    /// Extended key usage.
    pub extended_key_usage: Option<ExtendedKeyUsage>,
    /// Subject key identifier, colon hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier, colon hex.
    pub authority_key_id: Option<String>,
    /// Authority information access (OCSP, CA issuers).
    pub authority_info_access: Option<AuthorityInfo>,
    /// CRL distribution point URLs (or names).
    pub crl_distribution_points: Vec<String>,
    /// Certificate policies.
    pub policies: Vec<Policy>,
    /// Embedded signed certificate timestamps.
    pub scts: Vec<Sct>,
    /// Other extensions present.
    pub other_extensions: Vec<OtherExtension>,
    /// Extensions that were present but did not parse, with the reason.
    pub malformed_extensions: Vec<String>,
    /// Subject and issuer are the same name.
    pub self_issued: bool,
    /// Self-issued and the signature verifies with the certificate's own key.
    pub self_signed: bool,
    /// SHA-256 of the whole certificate.
    pub sha256_fingerprint: String,
    /// SHA-1 of the whole certificate (legacy).
    pub sha1_fingerprint: String,
    /// SPKI SHA-256 pin, `sha256//…`.
    pub spki_pin: Pin,
}

impl CertDetails {
    /// Whether the basic constraints say CA:TRUE.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|b| b.ca)
    }

    /// The DNS names among the SANs.
    pub fn dns_names(&self) -> impl Iterator<Item = &str> {
        self.sans
            .iter()
            .filter(|s| s.kind == SanKind::Dns)
            .map(|s| s.value.as_str())
    }

    /// Whether the certificate names a host (a DNS or IP SAN).
    pub fn names_a_host(&self) -> bool {
        self.sans
            .iter()
            .any(|s| matches!(s.kind, SanKind::Dns | SanKind::Ip))
    }
}

/// Parses a DER certificate, mapping x509-parser's error to a sentence.
pub fn parse_cert(der: &[u8]) -> Result<X509Certificate<'_>> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => anyhow::bail!("trailing bytes after the certificate"),
        Err(x509_parser::nom::Err::Incomplete(_)) => {
            anyhow::bail!("not a valid X.509 certificate (truncated)")
        }
        Err(x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e)) => match e {
            x509_parser::error::X509Error::Der(_) => {
                anyhow::bail!("not a valid X.509 certificate (malformed DER)")
            }
            other => anyhow::bail!("not a valid X.509 certificate ({other})"),
        },
    }
}

/// Describes a DER certificate as of `now`.
pub fn describe(der: &[u8], now: OffsetDateTime) -> Result<CertDetails> {
    let cert = parse_cert(der)?;
    Ok(describe_parsed(&cert, der, now))
}

/// Describes a parsed certificate as of `now`.
pub fn describe_parsed(cert: &X509Certificate<'_>, der: &[u8], now: OffsetDateTime) -> CertDetails {
    let not_before = cert.validity().not_before.to_datetime();
    let not_after = cert.validity().not_after.to_datetime();
    let validity = if now < not_before {
        Validity::NotYetValid
    } else if now > not_after {
        Validity::Expired
    } else {
        Validity::Valid
    };
    let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
    let mut d = CertDetails {
        version: cert.version().0.saturating_add(1),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial: pin::colon_hex(cert.raw_serial()),
        not_before: certinfo::rfc3339(not_before),
        not_after: certinfo::rfc3339(not_after),
        validity,
        days_left: certinfo::days_between(now, not_after),
        days_until_valid: certinfo::days_between(now, not_before),
        seconds_left: (not_after - now).whole_seconds(),
        lifetime_days: (not_after - not_before).whole_days(),
        sans: Vec::new(),
        key: certinfo::key_info(cert.public_key()),
        signature_algorithm: certinfo::signature_algorithm_name(cert),
        signature_algorithm_oid: cert.signature_algorithm.algorithm.to_id_string(),
        basic_constraints: None,
        key_usage: None,
        extended_key_usage: None,
        subject_key_id: None,
        authority_key_id: None,
        authority_info_access: None,
        crl_distribution_points: Vec::new(),
        policies: Vec::new(),
        scts: Vec::new(),
        other_extensions: Vec::new(),
        malformed_extensions: Vec::new(),
        self_issued,
        self_signed: self_issued && super::chain::signed_by(cert, cert.public_key()).is_ok(),
        sha256_fingerprint: pin::sha256_fingerprint(der),
        sha1_fingerprint: pin::sha1_fingerprint(der),
        spki_pin: Pin::of_spki(cert.public_key().raw),
    };
    for ext in cert.extensions() {
        add_extension(&mut d, ext);
    }
    d
}

fn add_extension(d: &mut CertDetails, ext: &X509Extension<'_>) {
    let oid = ext.oid.to_id_string();
    if oid == OID_SCT_LIST {
        let scts = match ext.parsed_extension() {
            ParsedExtension::SCT(list) => scts_of(list, ext.value),
            _ => parse_sct_extension(ext.value),
        };
        match scts {
            Ok(scts) => d.scts = scts,
            Err(e) => d.malformed_extensions.push(format!("SCT list: {e}")),
        }
        return;
    }
    match ext.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) => {
            d.sans = san
                .general_names
                .iter()
                .map(San::from_general_name)
                .collect();
        }
        ParsedExtension::BasicConstraints(bc) => {
            d.basic_constraints = Some(BasicConstraints {
                ca: bc.ca,
                path_len: bc.path_len_constraint,
                critical: ext.critical,
            });
        }
        ParsedExtension::KeyUsage(ku) => {
            let names = [
                (ku.digital_signature(), "digitalSignature"),
                (ku.non_repudiation(), "nonRepudiation"),
                (ku.key_encipherment(), "keyEncipherment"),
                (ku.data_encipherment(), "dataEncipherment"),
                (ku.key_agreement(), "keyAgreement"),
                (ku.key_cert_sign(), "keyCertSign"),
                (ku.crl_sign(), "cRLSign"),
                (ku.encipher_only(), "encipherOnly"),
                (ku.decipher_only(), "decipherOnly"),
            ];
            d.key_usage = Some(KeyUsage {
                usages: names
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| *n)
                    .collect(),
                critical: ext.critical,
            });
        }
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let mut purposes: Vec<String> = [
                (eku.server_auth, "serverAuth"),
                (eku.client_auth, "clientAuth"),
                (eku.code_signing, "codeSigning"),
                (eku.email_protection, "emailProtection"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
                (eku.any, "anyExtendedKeyUsage"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| n.to_string())
            .collect();
            purposes.extend(eku.other.iter().map(oid_label));
            d.extended_key_usage = Some(ExtendedKeyUsage {
                purposes,
                critical: ext.critical,
            });
        }
        ParsedExtension::SubjectKeyIdentifier(id) => {
            d.subject_key_id = Some(pin::colon_hex(id.0));
        }
        ParsedExtension::AuthorityKeyIdentifier(aki) => {
            d.authority_key_id = aki.key_identifier.as_ref().map(|k| pin::colon_hex(k.0));
        }
        ParsedExtension::AuthorityInfoAccess(aia) => {
            let mut info = AuthorityInfo::default();
            for desc in aia.iter() {
                let location = general_name_text(&desc.access_location);
                match desc.access_method.to_id_string().as_str() {
                    "1.3.6.1.5.5.7.48.1" => info.ocsp.push(location),
                    "1.3.6.1.5.5.7.48.2" => info.ca_issuers.push(location),
                    _ => {}
                }
            }
            d.authority_info_access = Some(info);
        }
        ParsedExtension::CRLDistributionPoints(cdp) => {
            for point in &cdp.points {
                match &point.distribution_point {
                    Some(DistributionPointName::FullName(names)) => d
                        .crl_distribution_points
                        .extend(names.iter().map(general_name_text)),
                    Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => d
                        .crl_distribution_points
                        .push("(name relative to the CRL issuer)".to_string()),
                    None => {}
                }
            }
        }
        ParsedExtension::CertificatePolicies(policies) => {
            d.policies = policies
                .iter()
                .map(|p| {
                    let oid = p.policy_id.to_id_string();
                    let cps = p
                        .policy_qualifiers
                        .iter()
                        .flatten()
                        .filter(|q| q.policy_qualifier_id.to_id_string() == "1.3.6.1.5.5.7.2.1")
                        .filter_map(|q| ia5_string(q.qualifier))
                        .collect();
                    Policy {
                        name: policy_name(&oid),
                        oid,
                        cps,
                    }
                })
                .collect();
        }
        ParsedExtension::ParseError { error } => {
            d.malformed_extensions
                .push(format!("{}: {error}", oid_label(&ext.oid)));
        }
        _ => d.other_extensions.push(OtherExtension {
            name: oid_short_name(&ext.oid),
            oid,
            critical: ext.critical,
        }),
    }
}

/// A general name as plain text: URIs and DNS names bare, the rest labelled.
fn general_name_text(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::URI(s) | GeneralName::DNSName(s) => s.to_string(),
        other => certinfo::format_general_name(other),
    }
}

/// The contents of a DER IA5String (a CPS URI qualifier).
fn ia5_string(der: &[u8]) -> Option<String> {
    let (rest, any) = x509_parser::asn1_rs::Any::from_der(der).ok()?;
    if !rest.is_empty() || any.tag() != x509_parser::asn1_rs::Tag::Ia5String {
        return None;
    }
    std::str::from_utf8(any.data).ok().map(str::to_string)
}

fn oid_short_name(oid: &Oid<'_>) -> Option<String> {
    let known = match oid.to_id_string().as_str() {
        "1.3.6.1.5.5.7.1.24" => Some("tlsFeature (must-staple)"),
        "1.3.6.1.4.1.11129.2.4.3" => Some("CT precertificate poison"),
        _ => None,
    };
    if let Some(k) = known {
        return Some(k.to_string());
    }
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .ok()
        .map(str::to_string)
}

/// A name for an OID when one is known, else its dotted form.
fn oid_label(oid: &Oid<'_>) -> String {
    oid_short_name(oid).unwrap_or_else(|| oid.to_id_string())
}

/// Names of the policy OIDs every browser-trusted certificate carries.
pub fn policy_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.29.32.0" => "anyPolicy",
        "2.23.140.1.1" => "extended validation",
        "2.23.140.1.2.1" => "domain validated",
        "2.23.140.1.2.2" => "organization validated",
        "2.23.140.1.2.3" => "individual validated",
        "2.23.140.1.3" => "EV code signing",
        "2.23.140.1.4.1" => "code signing",
        "2.23.140.1.5.1.1" => "S/MIME mailbox validated",
        _ => return None,
    })
}

/// Parses the value of the embedded SCT list extension: a DER OCTET STRING
/// holding a TLS-encoded `SignedCertificateTimestampList` (RFC 6962 §3.3).
///
/// x509-parser reads the list; tlskit adds what it leaves unchecked, for a
/// strict reading: every byte accounted for (nothing after the list, inside
/// an SCT after its signature, or in a half-parsed last entry), version 1
/// only, a signature present, a timestamp a date can hold.
pub fn parse_sct_extension(value: &[u8]) -> Result<Vec<Sct>> {
    use x509_parser::extensions::parse_ct_signed_certificate_timestamp_list;
    let (rest, list) = parse_ct_signed_certificate_timestamp_list(value)
        .map_err(|_| anyhow::anyhow!("not a well-formed SCT list (RFC 6962 section 3.3)"))?;
    if !rest.is_empty() {
        anyhow::bail!("trailing bytes after the OCTET STRING");
    }
    scts_of(&list, value)
}

/// Parses a TLS-encoded `SignedCertificateTimestampList` (also what a
/// server sends in the TLS extension or OCSP staple).
pub fn parse_sct_list(data: &[u8]) -> Result<Vec<Sct>> {
    use x509_parser::asn1_rs::{OctetString, ToDer};
    let wrapped = OctetString::new(data)
        .to_der_vec()
        .map_err(|_| anyhow::anyhow!("list too long"))?;
    parse_sct_extension(&wrapped)
}

/// The report form of SCTs x509-parser read from the extension value `value`.
fn scts_of(list: &[SignedCertificateTimestamp<'_>], value: &[u8]) -> Result<Vec<Sct>> {
    // x509-parser stops at the first entry it cannot read and ignores bytes
    // left inside an entry or after the list: the lengths must add up exactly.
    let (_, inner) =
        <&[u8]>::from_der(value).map_err(|_| anyhow::anyhow!("not a DER OCTET STRING"))?;
    let encoded: usize = list
        .iter()
        .map(|s| 2 + 1 + 32 + 8 + 2 + s.extensions.0.len() + 2 + 2 + s.signature.data.len())
        .sum();
    if list.is_empty() {
        anyhow::bail!("empty list (RFC 6962 requires at least one SCT)");
    }
    if inner.len() != 2 + encoded {
        let stray = inner.len().abs_diff(2 + encoded);
        anyhow::bail!("{stray} bytes of the list are not a well-formed SCT");
    }
    list.iter()
        .enumerate()
        .map(|(i, s)| sct(s).map_err(|e| anyhow::anyhow!("SCT #{}: {e}", i + 1)))
        .collect()
}

fn sct(s: &SignedCertificateTimestamp<'_>) -> Result<Sct> {
    if s.version != CtVersion::V1 {
        anyhow::bail!(
            "unknown SCT version {} (only v1 is defined)",
            u16::from(s.version.0) + 1
        );
    }
    if s.signature.data.is_empty() {
        anyhow::bail!("empty signature");
    }
    use base64::Engine;
    let timestamp = i128::from(s.timestamp)
        .checked_mul(1_000_000)
        .and_then(|ns| OffsetDateTime::from_unix_timestamp_nanos(ns).ok())
        .map(certinfo::rfc3339)
        .ok_or_else(|| anyhow::anyhow!("timestamp out of range"))?;
    Ok(Sct {
        version: 1,
        log_id: base64::engine::general_purpose::STANDARD.encode(s.id.key_id),
        timestamp,
        timestamp_ms: s.timestamp,
        signature_algorithm: format!(
            "{}-{}",
            sig_alg_name(s.signature.sign_alg_id),
            hash_alg_name(s.signature.hash_alg_id)
        ),
    })
}

fn hash_alg_name(h: u8) -> String {
    match h {
        0 => "none".into(),
        1 => "md5".into(),
        2 => "sha1".into(),
        3 => "sha224".into(),
        4 => "sha256".into(),
        5 => "sha384".into(),
        6 => "sha512".into(),
        other => format!("hash{other}"),
    }
}

fn sig_alg_name(s: u8) -> String {
    match s {
        0 => "anonymous".into(),
        1 => "rsa".into(),
        2 => "dsa".into(),
        3 => "ecdsa".into(),
        other => format!("sig{other}"),
    }
}

/// What tlskit shows of a private key: never the key, only its public half.
#[derive(Debug, Clone, Serialize)]
pub struct PrivateKeyDetails {
    /// `PKCS#8`, `PKCS#1 (RSA)` or `SEC1 (EC)`.
    pub format: &'static str,
    /// Algorithm and size or curve.
    pub key: KeyInfo,
    /// SPKI pin of the public half: the pin the certificate will have.
    pub spki_pin: Pin,
    /// The DER SubjectPublicKeyInfo of the public half.
    #[serde(skip)]
    pub spki_der: Vec<u8>,
}

/// Describes a private key by its public half.
pub fn describe_private_key(
    key: &rustls_pki_types::PrivateKeyDer<'_>,
) -> Result<PrivateKeyDetails> {
    use rustls_pki_types::PrivateKeyDer;
    let format = match key {
        PrivateKeyDer::Pkcs8(_) => "PKCS#8",
        PrivateKeyDer::Pkcs1(_) => "PKCS#1 (RSA)",
        PrivateKeyDer::Sec1(_) => "SEC1 (EC)",
        _ => "unknown",
    };
    let spki_der = certinfo::spki_of_private_key(key)?;
    Ok(PrivateKeyDetails {
        format,
        key: certinfo::key_info_of_spki_der(&spki_der)?,
        spki_pin: Pin::of_spki(&spki_der),
        spki_der,
    })
}

/// What tlskit shows of a bare public key.
#[derive(Debug, Clone, Serialize)]
pub struct PublicKeyDetails {
    /// Algorithm and size or curve.
    pub key: KeyInfo,
    /// SPKI pin.
    pub spki_pin: Pin,
}

/// Describes a DER SubjectPublicKeyInfo.
pub fn describe_public_key(spki_der: &[u8]) -> Result<PublicKeyDetails> {
    let (rest, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| anyhow::anyhow!("public key does not parse: {e}"))?;
    if !rest.is_empty() {
        anyhow::bail!("trailing bytes after the public key");
    }
    Ok(PublicKeyDetails {
        key: certinfo::key_info(&spki),
        spki_pin: Pin::of_spki(spki_der),
    })
}

/// What tlskit shows of a certificate signing request.
#[derive(Debug, Clone, Serialize)]
pub struct CsrDetails {
    /// Requested subject.
    pub subject: String,
    /// Requested SANs.
    pub sans: Vec<San>,
    /// Public key.
    pub key: KeyInfo,
    /// Signature algorithm.
    pub signature_algorithm: String,
    /// Whether the request's self-signature verifies (proof of possession).
    pub signature_valid: bool,
    /// SPKI pin of the requested key: the pin the certificate will have.
    pub spki_pin: Pin,
}

/// Describes a DER PKCS#10 request.
pub fn describe_csr(der: &[u8]) -> Result<CsrDetails> {
    let (rest, csr) = X509CertificationRequest::from_der(der)
        .map_err(|e| anyhow::anyhow!("not a valid certificate request ({e})"))?;
    if !rest.is_empty() {
        anyhow::bail!("trailing bytes after the certificate request");
    }
    let info = &csr.certification_request_info;
    let mut sans = Vec::new();
    if let Some(exts) = csr.requested_extensions() {
        for ext in exts {
            if let ParsedExtension::SubjectAlternativeName(san) = ext {
                sans.extend(san.general_names.iter().map(San::from_general_name));
            }
        }
    }
    let sig_oid = &csr.signature_algorithm.algorithm;
    let signature_algorithm =
        x509_parser::objects::oid2sn(sig_oid, x509_parser::objects::oid_registry())
            .map(str::to_string)
            .unwrap_or_else(|_| sig_oid.to_id_string());
    Ok(CsrDetails {
        subject: info.subject.to_string(),
        sans,
        key: certinfo::key_info(&info.subject_pki),
        signature_algorithm,
        signature_valid: super::chain::verify_raw(
            &info.subject_pki,
            &csr.signature_algorithm,
            &csr.signature_value,
            info.raw,
        )
        .is_ok(),
        spki_pin: Pin::of_spki(info.subject_pki.raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sct_bytes(version: u8, ts: u64) -> Vec<u8> {
        let mut s = vec![version];
        s.extend([7u8; 32]);
        s.extend(ts.to_be_bytes());
        s.extend([0, 0]); // no extensions
        s.extend([4, 3]); // sha256, ecdsa
        s.extend([0, 2, 0xAB, 0xCD]);
        s
    }

    fn list(scts: &[Vec<u8>]) -> Vec<u8> {
        let mut body = Vec::new();
        for s in scts {
            body.extend((s.len() as u16).to_be_bytes());
            body.extend(s);
        }
        let mut out = (body.len() as u16).to_be_bytes().to_vec();
        out.extend(body);
        out
    }

    fn octet_string(inner: &[u8]) -> Vec<u8> {
        let mut out = vec![0x04];
        if inner.len() < 128 {
            out.push(inner.len() as u8);
        } else {
            out.push(0x82);
            out.extend((inner.len() as u16).to_be_bytes());
        }
        out.extend(inner);
        out
    }

    #[test]
    fn scts_parse() {
        let ext = octet_string(&list(&[sct_bytes(0, 1_700_000_000_123), sct_bytes(0, 0)]));
        let scts = parse_sct_extension(&ext).unwrap();
        assert_eq!(scts.len(), 2);
        assert_eq!(scts[0].timestamp, "2023-11-14T22:13:20.123Z");
        assert_eq!(scts[0].timestamp_ms, 1_700_000_000_123);
        assert_eq!(
            scts[0].log_id,
            "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="
        );
        assert_eq!(scts[0].signature_algorithm, "ecdsa-sha256");
        assert_eq!(scts[1].timestamp, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn bad_sct_lists_are_refused() {
        let good = list(&[sct_bytes(0, 5)]);
        // Truncated anywhere: an error, never a panic.
        for cut in 0..good.len() {
            assert!(parse_sct_list(&good[..cut]).is_err(), "cut at {cut}");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse_sct_list(&trailing).is_err());
        assert!(parse_sct_list(&list(&[])).is_err());
        let e = parse_sct_list(&list(&[sct_bytes(1, 5)])).unwrap_err();
        assert!(e.to_string().contains("unknown SCT version 2"), "{e}");
        // x509-parser ignores bytes after an SCT's signature; the lengths must add up.
        let mut inner_trailing = sct_bytes(0, 5);
        inner_trailing.push(9);
        let e = parse_sct_list(&list(&[inner_trailing])).unwrap_err();
        assert!(
            e.to_string()
                .contains("1 bytes of the list are not a well-formed SCT"),
            "{e}"
        );
        assert!(
            parse_sct_extension(&good).is_err(),
            "not wrapped in an OCTET STRING"
        );
        assert!(parse_sct_list(&list(&[sct_bytes(0, u64::MAX)])).is_err());
        // A good SCT, then bytes that are no SCT within the list's length.
        let mut body = list(&[sct_bytes(0, 5)])[2..].to_vec();
        body.extend([0, 1, 2]);
        let mut junk = (body.len() as u16).to_be_bytes().to_vec();
        junk.extend(body);
        assert!(parse_sct_list(&junk).is_err());
        let mut unsigned = sct_bytes(0, 5);
        unsigned.truncate(unsigned.len() - 4);
        unsigned.extend([0, 0]); // a signature of no bytes
        let e = parse_sct_list(&list(&[unsigned])).unwrap_err();
        assert!(e.to_string().contains("empty signature"), "{e}");
    }

    #[test]
    fn san_display() {
        let s = San::from_general_name(&GeneralName::IPAddress(&[10, 0, 0, 1]));
        assert_eq!(s.to_string(), "IP:10.0.0.1");
        assert_eq!(s.kind, SanKind::Ip);
    }
}
