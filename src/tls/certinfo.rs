//! Describing certificates and keys as data: the summary that `gencert`,
//! `serve` and `connect` print for each certificate.

use anyhow::{Context, Result};
use rustls_pki_types::PrivateKeyDer;
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::pin::{self, Pin};

/// A public key's algorithm and strength.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// `RSA`, `ECDSA`, `Ed25519`, `Ed448`, `DSA` or the algorithm OID.
    pub algorithm: String,
    /// Key size in bits (RSA modulus, curve size).
    pub bits: Option<u32>,
    /// Named curve for EC keys (`P-256`, `P-384`, `P-521`).
    pub curve: Option<String>,
}

impl std::fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.curve, self.bits) {
            (Some(curve), _) => write!(f, "{} {curve}", self.algorithm),
            (None, Some(bits)) if self.algorithm == "RSA" || self.algorithm == "DSA" => {
                write!(f, "{} {bits} bits", self.algorithm)
            }
            _ => write!(f, "{}", self.algorithm),
        }
    }
}

/// Describes a parsed SubjectPublicKeyInfo.
pub fn key_info(spki: &SubjectPublicKeyInfo<'_>) -> KeyInfo {
    let oid = spki.algorithm.algorithm.to_id_string();
    let parsed_bits = spki
        .parsed()
        .ok()
        .map(|k| k.key_size() as u32)
        .filter(|b| *b > 0);
    let (algorithm, bits, curve) = match oid.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => ("RSA".to_string(), parsed_bits, None),
        "1.2.840.10045.2.1" => {
            let curve_oid = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            let (curve, bits) = match curve_oid.as_deref() {
                Some("1.2.840.10045.3.1.7") => (Some("P-256".to_string()), Some(256)),
                Some("1.3.132.0.34") => (Some("P-384".to_string()), Some(384)),
                Some("1.3.132.0.35") => (Some("P-521".to_string()), Some(521)),
                Some("1.3.132.0.10") => (Some("secp256k1".to_string()), Some(256)),
                Some(other) => (Some(other.to_string()), parsed_bits),
                None => (None, parsed_bits),
            };
            ("ECDSA".to_string(), bits, curve)
        }
        "1.3.101.112" => ("Ed25519".to_string(), Some(256), None),
        "1.3.101.113" => ("Ed448".to_string(), Some(456), None),
        "1.2.840.10040.4.1" => ("DSA".to_string(), parsed_bits, None),
        other => (other.to_string(), parsed_bits, None),
    };
    KeyInfo {
        algorithm,
        bits,
        curve,
    }
}

/// Describes a DER SubjectPublicKeyInfo.
pub fn key_info_of_spki_der(spki_der: &[u8]) -> Result<KeyInfo> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| anyhow::anyhow!("public key does not parse: {e}"))?;
    Ok(key_info(&spki))
}

/// The DER SubjectPublicKeyInfo matching a private key.
pub fn spki_of_private_key(key: &PrivateKeyDer<'_>) -> Result<Vec<u8>> {
    let provider = super::provider();
    let signing = provider
        .key_provider
        .load_private_key(key.clone_key())
        .map_err(|e| anyhow::anyhow!("private key is not usable: {e}"))?;
    let spki = signing
        .public_key()
        .context("cannot derive the public key of this private key")?;
    Ok(spki.as_ref().to_vec())
}

/// Describes a private key by its public half (the key itself is never shown).
pub fn describe_private_key(key: &PrivateKeyDer<'_>) -> Result<KeyInfo> {
    key_info_of_spki_der(&spki_of_private_key(key)?)
}

/// What every command shows of a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// Subject distinguished name (RFC 4514 style).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, colon-separated hex.
    pub serial: String,
    /// Subject alternative names, as `DNS:…`, `IP:…`, `email:…`, `URI:…`.
    pub sans: Vec<String>,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Whole days until `not_after` (negative once expired).
    pub days_left: i64,
    /// Whole days until `not_before` (positive while not yet valid, else zero or negative).
    pub days_until_valid: i64,
    /// Public key.
    pub key: KeyInfo,
    /// Signature algorithm name.
    pub signature_algorithm: String,
    /// Basic constraints CA flag.
    pub is_ca: bool,
    /// Whether subject and issuer are the same name.
    pub self_issued: bool,
    /// SHA-256 fingerprint of the whole certificate.
    pub sha256_fingerprint: String,
    /// SPKI pin, `sha256//…`.
    pub spki_pin: Pin,
}

/// Formats one SAN the way `openssl x509 -text` does, but with IP addresses as addresses.
pub fn format_general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(s) => format!("DNS:{s}"),
        GeneralName::IPAddress(bytes) => format!("IP:{}", format_ip(bytes)),
        GeneralName::RFC822Name(s) => format!("email:{s}"),
        GeneralName::URI(s) => format!("URI:{s}"),
        GeneralName::DirectoryName(n) => format!("DirName:{n}"),
        GeneralName::RegisteredID(oid) => format!("RID:{}", oid.to_id_string()),
        GeneralName::OtherName(oid, _) => format!("othername:{}", oid.to_id_string()),
        other => format!("{other:?}"),
    }
}

/// An IP address SAN (4 or 16 bytes) as text; anything else as hex.
pub fn format_ip(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return std::net::Ipv4Addr::from(v4).to_string();
    }
    if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        return std::net::Ipv6Addr::from(v6).to_string();
    }
    pin::colon_hex(bytes)
}

/// The signature algorithm's short name (`ecdsa-with-SHA256`), or its OID.
pub fn signature_algorithm_name(cert: &X509Certificate<'_>) -> String {
    let oid = &cert.signature_algorithm.algorithm;
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map(str::to_string)
        .unwrap_or_else(|_| oid.to_id_string())
}

/// Whole days from `now` to `t`, rounded away from zero: a certificate with
/// 29.9 days left "expires in 30 days", one that ended an hour ago "expired 1 day ago".
pub fn days_between(now: OffsetDateTime, t: OffsetDateTime) -> i64 {
    let secs = (t - now).whole_seconds();
    if secs >= 0 {
        (secs + 86_399) / 86_400
    } else {
        secs.div_euclid(86_400)
    }
}

/// RFC 3339 text of a time.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

impl CertSummary {
    /// Summarises a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<CertSummary> {
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| anyhow::anyhow!("certificate does not parse: {e}"))?;
        Ok(CertSummary::new(&cert, der, OffsetDateTime::now_utc()))
    }

    /// Summarises a parsed certificate as of `now`.
    pub fn new(cert: &X509Certificate<'_>, der: &[u8], now: OffsetDateTime) -> CertSummary {
        let sans = match cert.subject_alternative_name() {
            Ok(Some(ext)) => ext
                .value
                .general_names
                .iter()
                .map(format_general_name)
                .collect(),
            _ => Vec::new(),
        };
        let not_before = cert.validity().not_before.to_datetime();
        let not_after = cert.validity().not_after.to_datetime();
        CertSummary {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: pin::colon_hex(cert.raw_serial()),
            sans,
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            days_left: days_between(now, not_after),
            days_until_valid: days_between(now, not_before),
            key: key_info(cert.public_key()),
            signature_algorithm: signature_algorithm_name(cert),
            is_ca: cert.is_ca(),
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
            sha256_fingerprint: pin::sha256_fingerprint(der),
            spki_pin: Pin::of_spki(cert.public_key().raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_sans_are_addresses() {
        assert_eq!(format_ip(&[127, 0, 0, 1]), "127.0.0.1");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(format_ip(&v6), "::1");
        assert_eq!(format_ip(&[1, 2, 3]), "01:02:03");
    }

    #[test]
    fn days_round_down() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(10);
        assert_eq!(days_between(now, now + time::Duration::hours(47)), 2);
        assert_eq!(days_between(now, now + time::Duration::hours(48)), 2);
        assert_eq!(days_between(now, now - time::Duration::hours(1)), -1);
    }
}
