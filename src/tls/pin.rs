//! Certificate fingerprints and SPKI pins.
//!
//! A pin is the SHA-256 of the certificate's DER SubjectPublicKeyInfo, in
//! curl's `--pinnedpubkey` form `sha256//<base64>`: it survives renewals that
//! keep the key, and it can be computed from a key or CSR before deployment.

use anyhow::{bail, Context, Result};
use aws_lc_rs::digest;
use base64::Engine;
use serde::Serialize;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// SHA-256 of the whole certificate, as `AB:CD:…` (what `openssl x509 -fingerprint -sha256` prints).
pub fn sha256_fingerprint(der: &[u8]) -> String {
    colon_hex(digest::digest(&digest::SHA256, der).as_ref())
}

/// SHA-1 of the whole certificate, as `AB:CD:…` (legacy; some tools still show only this).
pub fn sha1_fingerprint(der: &[u8]) -> String {
    colon_hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref())
}

/// Upper-case hex bytes joined by colons.
pub fn colon_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// An SPKI SHA-256 pin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pin([u8; 32]);

impl Pin {
    /// The pin of a DER SubjectPublicKeyInfo.
    pub fn of_spki(spki_der: &[u8]) -> Pin {
        let d = digest::digest(&digest::SHA256, spki_der);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Pin(out)
    }

    /// The pin of a DER certificate's public key.
    pub fn of_cert(cert_der: &[u8]) -> Result<Pin> {
        let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
            .map_err(|e| anyhow::anyhow!("certificate does not parse: {e}"))?;
        Ok(Pin::of_spki(cert.tbs_certificate.subject_pki.raw))
    }

    /// Parses `sha256//BASE64` (curl), `sha256/BASE64`, `pin-sha256="BASE64"` (HPKP) or 64 hex digits.
    pub fn parse(text: &str) -> Result<Pin> {
        let t = text.trim();
        let body = if let Some(rest) = t.strip_prefix("sha256//") {
            rest
        } else if let Some(rest) = t.strip_prefix("sha256/") {
            rest
        } else if let Some(rest) = t.strip_prefix("pin-sha256=") {
            rest.trim_matches('"')
        } else if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            let mut out = [0u8; 32];
            for (i, byte) in out.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).context("bad hex in pin")?;
            }
            return Ok(Pin(out));
        } else {
            bail!("'{}' is not a pin: expected sha256//<base64 of 32 bytes> (curl's --pinnedpubkey form)", crate::text::sanitize(t));
        };
        let bytes = B64
            .decode(body)
            .with_context(|| format!("'{}' is not a pin: bad base64", crate::text::sanitize(t)))?;
        let arr: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            anyhow::anyhow!(
                "'{}' is not a pin: a SHA-256 pin is 32 bytes, this is {}",
                crate::text::sanitize(t),
                bytes.len()
            )
        })?;
        Ok(Pin(arr))
    }

    /// Parses a list separated by `;` (curl accepts `sha256//a;sha256//b`).
    pub fn parse_list(text: &str) -> Result<Vec<Pin>> {
        text.split(';')
            .filter(|s| !s.trim().is_empty())
            .map(Pin::parse)
            .collect()
    }

    /// The raw 32 bytes.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Base64 of the hash.
    pub fn base64(&self) -> String {
        B64.encode(self.0)
    }

    /// Lower-case hex of the hash.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// HPKP form: `pin-sha256="BASE64"`.
    pub fn hpkp(&self) -> String {
        format!("pin-sha256=\"{}\"", self.base64())
    }

    /// DANE TLSA record data for SPKI + SHA-256 of an end-entity key: `3 1 1 <hex>`.
    pub fn tlsa(&self) -> String {
        format!("3 1 1 {}", self.hex())
    }

    /// DANE TLSA record data for SPKI + SHA-256 of a CA's key (DANE-TA): `2 1 1 <hex>`.
    /// A `3` (DANE-EE) record only ever matches the server's own certificate.
    pub fn tlsa_ta(&self) -> String {
        format!("2 1 1 {}", self.hex())
    }
}

impl std::fmt::Display for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256//{}", self.base64())
    }
}

impl Serialize for Pin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Pin {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Pin> {
        Pin::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms_agree() {
        let p = Pin::of_spki(b"spki");
        assert_eq!(Pin::parse(&p.to_string()).unwrap(), p);
        assert_eq!(Pin::parse(&format!("sha256/{}", p.base64())).unwrap(), p);
        assert_eq!(Pin::parse(&p.hpkp()).unwrap(), p);
        assert_eq!(Pin::parse(&p.hex()).unwrap(), p);
        assert_eq!(Pin::parse_list(&format!("{p};{p}")).unwrap().len(), 2);
        assert!(p.tlsa().starts_with("3 1 1 "));
    }

    #[test]
    fn bad_pins_are_rejected_clearly() {
        assert!(Pin::parse("md5//abc")
            .unwrap_err()
            .to_string()
            .contains("not a pin"));
        assert!(Pin::parse("sha256//***")
            .unwrap_err()
            .to_string()
            .contains("bad base64"));
        assert!(Pin::parse("sha256//AAAA")
            .unwrap_err()
            .to_string()
            .contains("32 bytes, this is 3"));
    }

    #[test]
    fn fingerprint_format() {
        // SHA-256 of the empty string.
        assert!(sha256_fingerprint(b"").starts_with("E3:B0:C4:42:98:FC"));
        assert_eq!(sha256_fingerprint(b"").len(), 32 * 3 - 1);
    }
}
