//! Reading certificates, keys and CSRs from PEM or DER files, with errors
//! that name the file and say what was wrong with it.
//!
//! PEM parsing is rustls-pki-types' own (`pem::PemObject`); rustls-pemfile is
//! archived (RUSTSEC-2025-0134) and not used.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rustls_pki_types::pem::{self, PemObject, SectionKind};
use rustls_pki_types::{
    CertificateDer, CertificateSigningRequestDer, PrivateKeyDer, PrivatePkcs1KeyDer,
    PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use x509_parser::prelude::FromDer;

/// The largest input tlskit reads: far above any real bundle, small enough
/// that a wrong path (a disk image, /dev/zero) fails fast instead of eating memory.
pub const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Reads a whole file (or stdin for `-`), refusing directories and anything over [`MAX_INPUT`].
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let shown = path.display();
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        let meta = std::fs::metadata(path).with_context(|| format!("reading '{shown}'"))?;
        if meta.is_dir() {
            bail!("reading '{shown}': is a directory, not a file");
        }
        if meta.is_file() && meta.len() > MAX_INPUT {
            bail!(
                "reading '{shown}': larger than {} MiB; this is not a certificate or key file",
                MAX_INPUT / (1024 * 1024)
            );
        }
        let file = std::fs::File::open(path).with_context(|| format!("reading '{shown}'"))?;
        file.take(MAX_INPUT + 1)
            .read_to_end(&mut buf)
            .with_context(|| format!("reading '{shown}'"))?;
    }
    if buf.len() as u64 > MAX_INPUT {
        bail!(
            "reading '{shown}': larger than {} MiB; this is not a certificate or key file",
            MAX_INPUT / (1024 * 1024)
        );
    }
    Ok(buf)
}

/// One object found in a file.
#[derive(Debug)]
pub enum Item {
    /// An X.509 certificate.
    Certificate(CertificateDer<'static>),
    /// A private key (never printed).
    PrivateKey(PrivateKeyDer<'static>),
    /// A PKCS#10 certificate signing request.
    Csr(CertificateSigningRequestDer<'static>),
    /// A bare SubjectPublicKeyInfo.
    PublicKey(Vec<u8>),
    /// Any other PEM section (CRL, ECH config), kept by name.
    Other(&'static str),
}

impl Item {
    /// What the item is, in words, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Item::Certificate(_) => "a certificate",
            Item::PrivateKey(_) => "a private key",
            Item::Csr(_) => "a certificate request",
            Item::PublicKey(_) => "a public key",
            Item::Other(name) => name,
        }
    }
}

/// Whether the bytes look like PEM (text with a BEGIN line) rather than DER.
pub fn looks_like_pem(data: &[u8]) -> bool {
    let head = &data[..data.len().min(64 * 1024)];
    head.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Parses every object in `data`, PEM (any number of sections) or DER (one object).
///
/// `what` names the source in error messages.
pub fn parse_items(data: &[u8], what: &str) -> Result<Vec<Item>> {
    if data.is_empty() {
        bail!("{what} is empty");
    }
    if looks_like_pem(data) {
        return parse_pem(data, what);
    }
    parse_der(data, what).map(|item| vec![item])
}

fn parse_pem(data: &[u8], what: &str) -> Result<Vec<Item>> {
    let mut items = Vec::new();
    let mut rest = data;
    loop {
        let section = pem::from_buf(&mut rest).map_err(|e| {
            // OpenSSL's traditional encryption puts headers inside the section,
            // which then does not decode as base64.
            if contains(data, b"Proc-Type: 4,ENCRYPTED") {
                encrypted_key(what)
            } else {
                pem_error(e, what)
            }
        })?;
        let Some((kind, der)) = section else { break };
        items.push(match kind {
            SectionKind::Certificate => Item::Certificate(CertificateDer::from(der)),
            SectionKind::PrivateKey => Item::PrivateKey(PrivatePkcs8KeyDer::from(der).into()),
            SectionKind::RsaPrivateKey => Item::PrivateKey(PrivatePkcs1KeyDer::from(der).into()),
            SectionKind::EcPrivateKey => Item::PrivateKey(PrivateSec1KeyDer::from(der).into()),
            SectionKind::Csr => Item::Csr(CertificateSigningRequestDer::from(der)),
            SectionKind::PublicKey => Item::PublicKey(der),
            SectionKind::Crl => Item::Other("a CRL"),
            _ => Item::Other("an unsupported PEM section"),
        });
    }
    if items.is_empty() {
        let labels = pem_labels(data);
        if labels.iter().any(|l| l.contains("ENCRYPTED")) {
            return Err(encrypted_key(what));
        }
        if labels.is_empty() {
            bail!("{what}: no PEM section tlskit understands (expected CERTIFICATE, PRIVATE KEY or CERTIFICATE REQUEST)");
        }
        bail!(
            "{what}: no PEM section tlskit understands (found {}; expected CERTIFICATE, PRIVATE KEY or CERTIFICATE REQUEST)",
            labels.join(", ")
        );
    }
    Ok(items)
}

fn encrypted_key(what: &str) -> anyhow::Error {
    anyhow::anyhow!("{what}: an encrypted private key; tlskit does not decrypt keys (decrypt it with: openssl pkey -in FILE -out plain.pem)")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The labels of the PEM BEGIN lines in `data` (at most a few, sanitized), for error messages.
fn pem_labels(data: &[u8]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for line in data.split(|b| *b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"-----BEGIN ") {
            let label = rest.split(|b| *b == b'-').next().unwrap_or_default();
            let label = crate::output::sanitize_bytes(label);
            if !labels.contains(&label) {
                labels.push(label);
            }
            if labels.len() >= 4 {
                break;
            }
        }
    }
    labels
}

fn pem_error(e: pem::Error, what: &str) -> anyhow::Error {
    match e {
        pem::Error::MissingSectionEnd { .. } => {
            anyhow::anyhow!("{what}: truncated PEM (a section has no END line)")
        }
        pem::Error::IllegalSectionStart { .. } => {
            anyhow::anyhow!("{what}: malformed PEM BEGIN line")
        }
        pem::Error::Base64Decode(_) => anyhow::anyhow!("{what}: PEM body is not valid base64"),
        pem::Error::SectionTooLarge => anyhow::anyhow!("{what}: PEM section too large"),
        other => anyhow::anyhow!("{what}: bad PEM: {other}"),
    }
}

/// Recognises a single DER object by trying the parsers in turn.
fn parse_der(data: &[u8], what: &str) -> Result<Item> {
    if x509_parser::parse_x509_certificate(data).is_ok_and(|(rest, _)| rest.is_empty()) {
        return Ok(Item::Certificate(CertificateDer::from(data.to_vec())));
    }
    if let Ok(key) = PrivateKeyDer::try_from(data.to_vec()) {
        // try_from only sniffs the outer structure; make sure a real key parses.
        if crate::tls::certinfo::describe_private_key(&key).is_ok() {
            return Ok(Item::PrivateKey(key));
        }
    }
    if x509_parser::certification_request::X509CertificationRequest::from_der(data)
        .is_ok_and(|(rest, _)| rest.is_empty())
    {
        return Ok(Item::Csr(CertificateSigningRequestDer::from(data.to_vec())));
    }
    if data.first() == Some(&0x30) {
        bail!("{what}: not PEM, and not a DER certificate, key or request (truncated or corrupt DER?)");
    }
    bail!("{what}: neither PEM nor DER (no '-----BEGIN' line and no DER structure)");
}

/// Loads every certificate from a file (PEM bundle or one DER certificate).
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let what = format!("'{}'", path.display());
    let data = read_input(path)?;
    certs_from_items(parse_items(&data, &what)?, &what)
}

/// Keeps only certificates, and fails with a clear message when there are none.
pub fn certs_from_items(items: Vec<Item>, what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let first_kind = items.first().map(Item::kind_name);
    let certs: Vec<_> = items
        .into_iter()
        .filter_map(|i| match i {
            Item::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        bail!(
            "{what}: no certificate found (it holds {})",
            first_kind.unwrap_or("nothing")
        );
    }
    for (n, cert) in certs.iter().enumerate() {
        x509_parser::parse_x509_certificate(cert)
            .map_err(|e| anyhow::anyhow!("{what}: certificate #{} does not parse: {e}", n + 1))?;
    }
    Ok(certs)
}

/// Loads the first private key from a file (PKCS#8, PKCS#1 or SEC1; PEM or DER).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>> {
    let what = format!("'{}'", path.display());
    let data = read_input(path)?;
    let items = parse_items(&data, &what)?;
    let first_kind = items.first().map(Item::kind_name);
    let key = items.into_iter().find_map(|i| match i {
        Item::PrivateKey(k) => Some(k),
        _ => None,
    });
    // A certificate and an encrypted key in one file: the key is what is missing.
    if key.is_none()
        && (contains(&data, b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
            || contains(&data, b"Proc-Type: 4,ENCRYPTED"))
    {
        return Err(encrypted_key(&what));
    }
    key.with_context(|| {
        format!(
            "{what}: no private key found (it holds {})",
            first_kind.unwrap_or("nothing")
        )
    })
}

/// Encodes certificates as PEM.
pub fn certs_to_pem(certs: &[CertificateDer<'_>]) -> String {
    certs.iter().map(|c| der_to_pem("CERTIFICATE", c)).collect()
}

/// Encodes DER bytes as one PEM section with 64-column lines.
pub fn der_to_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Loads a certificate from PEM text the way rustls-pki-types does, for tests and callers with bytes.
pub fn first_cert_from_pem(pem_text: &[u8]) -> Result<CertificateDer<'static>> {
    CertificateDer::from_pem_slice(pem_text).map_err(|e| anyhow::anyhow!("no PEM certificate: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_garbage_are_clear_errors() {
        let e = parse_items(b"", "'x'").unwrap_err();
        assert_eq!(e.to_string(), "'x' is empty");
        let e = parse_items(b"\x01\x02garbage", "'x'").unwrap_err();
        assert!(e.to_string().contains("neither PEM nor DER"), "{e}");
        let e = parse_items(b"\x30\x82\x01", "'x'").unwrap_err();
        assert!(e.to_string().contains("truncated or corrupt DER"), "{e}");
    }

    #[test]
    fn truncated_and_bad_base64_pem() {
        let e = parse_items(b"-----BEGIN CERTIFICATE-----\nMIIB\n", "'x'").unwrap_err();
        assert!(e.to_string().contains("truncated PEM"), "{e}");
        let e = parse_items(
            b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "'x'",
        )
        .unwrap_err();
        assert!(e.to_string().contains("base64"), "{e}");
    }

    #[test]
    fn a_traditionally_encrypted_key_is_named_as_encrypted() {
        // `openssl rsa -aes128 -traditional` writes headers inside the section.
        let pem = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,253E6F1032BB35AA29E0EBAF28A6D1F8\n\n53zC3z567hDkO+CRFbbIaNKsVucxqSR+1y7uxvS7C5Mu7znW0ioE7XqE36s4CQn3\n-----END RSA PRIVATE KEY-----\n";
        let e = parse_items(pem, "'k'").unwrap_err();
        assert!(e.to_string().contains("an encrypted private key"), "{e}");
    }

    #[test]
    fn pem_roundtrip() {
        let pem = der_to_pem("CERTIFICATE", &[0x30, 0x03, 0x02, 0x01, 0x01]);
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n"));
        let items = parse_items(pem.as_bytes(), "'x'").unwrap();
        assert!(
            matches!(&items[0], Item::Certificate(c) if c.as_ref() == [0x30, 0x03, 0x02, 0x01, 0x01])
        );
    }
}
