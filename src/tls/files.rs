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
    for section in pem_sections(data, what)? {
        items.push(match section {
            Section::Known(block, trusted) => parse_block(&block, trusted, what)?,
            Section::Encrypted => Item::Other(ENCRYPTED_KEY),
            Section::Label(label) => Item::Other(other_label(label)),
        });
    }
    // Nothing but what needs converting (an encrypted key, PKCS#7): say how.
    let hints: Vec<Option<String>> = items
        .iter()
        .map(|i| match i {
            Item::Other(kind) => conversion_hint(kind),
            _ => None,
        })
        .collect();
    if let Some(Some(hint)) = hints.first().filter(|_| hints.iter().all(Option::is_some)) {
        bail!("{what}: {hint}");
    }
    if items.is_empty() {
        let labels = pem_labels(data);
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

const ENCRYPTED_KEY: &str = "an encrypted private key";
const PKCS7: &str = "a PKCS#7 bundle";
const PKCS12: &str = "a PKCS#12 (.p12/.pfx) archive";

/// What to do with a kind of input tlskit does not read, when there is a standard conversion.
fn conversion_hint(kind: &str) -> Option<String> {
    Some(match kind {
        ENCRYPTED_KEY => "an encrypted private key; tlskit does not decrypt keys (decrypt it with: openssl pkey -in FILE -out plain.pem)".to_string(),
        PKCS7 => "a PKCS#7 bundle (.p7b), not PEM certificates; convert it with: openssl pkcs7 -in FILE -print_certs -out certs.pem (add -inform der for a binary one)".to_string(),
        PKCS12 => "a PKCS#12 (.p12/.pfx) archive, which tlskit does not read; extract its certificates and key with: openssl pkcs12 -in FILE -nodes -out all.pem (add -legacy for one from older software)".to_string(),
        _ => return None,
    })
}

/// The kind of a PEM section tlskit does not parse, by its label.
fn other_label(label: &[u8]) -> &'static str {
    match label {
        b"ENCRYPTED PRIVATE KEY" => ENCRYPTED_KEY,
        b"PKCS7" | b"CMS" => PKCS7,
        b"X509 CRL" => "a CRL",
        _ => "an unsupported PEM section",
    }
}

/// One `-----BEGIN …-----` … `-----END …-----` block, classified.
enum Section<'a> {
    /// A section rustls-pki-types parses, normalised to its canonical label;
    /// `true` for OpenSSL's TRUSTED CERTIFICATE (trust settings after the certificate).
    Known(Vec<u8>, bool),
    /// A key encrypted the traditional OpenSSL way (`Proc-Type: 4,ENCRYPTED` headers).
    Encrypted,
    /// Any other label.
    Label(&'a [u8]),
}

/// The sections of a PEM text, in order. A BEGIN without its END is left to
/// rustls-pki-types, which reports it.
fn pem_sections<'a>(data: &'a [u8], what: &str) -> Result<Vec<Section<'a>>> {
    let mut sections = Vec::new();
    let mut lines = data.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        // A byte-order mark (Windows editors save one) before the BEGIN line.
        let line = trim_line(line);
        let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        let Some(begin) = line.strip_prefix(b"-----BEGIN ") else {
            continue;
        };
        let Some(label) = begin.strip_suffix(b"-----") else {
            bail!("{what}: malformed PEM BEGIN line");
        };
        let mut body = Vec::new();
        let mut headers = false;
        let mut ended = false;
        for inner in lines.by_ref() {
            let inner = trim_line(inner);
            if inner.starts_with(b"-----END ") {
                ended = true;
                break;
            }
            if inner.contains(&b':') {
                // RFC 1421 headers (Proc-Type, DEK-Info): only encrypted keys have them.
                headers |= inner.starts_with(b"Proc-Type:") && inner.ends_with(b"ENCRYPTED");
                continue;
            }
            body.extend_from_slice(inner);
            body.push(b'\n');
        }
        // Old and alternative spellings of labels rustls-pki-types knows.
        let canonical: &[u8] = match label {
            b"NEW CERTIFICATE REQUEST" => b"CERTIFICATE REQUEST",
            b"X509 CERTIFICATE" | b"TRUSTED CERTIFICATE" => b"CERTIFICATE",
            other => other,
        };
        let known = matches!(
            canonical,
            b"CERTIFICATE"
                | b"PRIVATE KEY"
                | b"RSA PRIVATE KEY"
                | b"EC PRIVATE KEY"
                | b"CERTIFICATE REQUEST"
                | b"PUBLIC KEY"
        );
        if headers {
            sections.push(Section::Encrypted);
        } else if known {
            let mut block = b"-----BEGIN ".to_vec();
            block.extend_from_slice(canonical);
            block.extend_from_slice(b"-----\n");
            block.extend_from_slice(&body);
            // Without its END line, the PEM parser reports the section as truncated.
            if ended {
                block.extend_from_slice(b"-----END ");
                block.extend_from_slice(canonical);
                block.extend_from_slice(b"-----\n");
            }
            sections.push(Section::Known(block, label == b"TRUSTED CERTIFICATE"));
        } else {
            sections.push(Section::Label(label));
        }
    }
    Ok(sections)
}

fn trim_line(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(end);
    &line[start..end]
}

/// Parses one normalised PEM block.
fn parse_block(block: &[u8], trusted: bool, what: &str) -> Result<Item> {
    let mut rest = block;
    let Some((kind, der)) = pem::from_buf(&mut rest).map_err(|e| pem_error(e, what))? else {
        bail!("{what}: malformed PEM section");
    };
    Ok(match kind {
        SectionKind::Certificate if trusted => {
            Item::Certificate(CertificateDer::from(cert_prefix(der)))
        }
        SectionKind::Certificate => Item::Certificate(CertificateDer::from(der)),
        SectionKind::PrivateKey => Item::PrivateKey(PrivatePkcs8KeyDer::from(der).into()),
        SectionKind::RsaPrivateKey => Item::PrivateKey(PrivatePkcs1KeyDer::from(der).into()),
        SectionKind::EcPrivateKey => Item::PrivateKey(PrivateSec1KeyDer::from(der).into()),
        SectionKind::Csr => Item::Csr(CertificateSigningRequestDer::from(der)),
        SectionKind::PublicKey => Item::PublicKey(der),
        _ => Item::Other("an unsupported PEM section"),
    })
}

/// The certificate itself, without what OpenSSL appends to a TRUSTED CERTIFICATE
/// (its trust settings); a certificate that does not parse is kept whole, to be
/// reported as such.
fn cert_prefix(der: Vec<u8>) -> Vec<u8> {
    match x509_parser::parse_x509_certificate(&der) {
        Ok((rest, _)) if !rest.is_empty() => {
            let len = der.len() - rest.len();
            der[..len].to_vec()
        }
        _ => der,
    }
}

/// The labels of the PEM BEGIN lines in `data` (at most a few, sanitized), for error messages.
fn pem_labels(data: &[u8]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for line in data.split(|b| *b == b'\n') {
        if let Some(rest) = line.strip_prefix(b"-----BEGIN ") {
            let label = rest.split(|b| *b == b'-').next().unwrap_or_default();
            let label = crate::text::sanitize_bytes(label);
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
    if let Some(kind) = der_container(data) {
        if let Some(hint) = conversion_hint(kind) {
            bail!("{what}: {hint}");
        }
    }
    if let Ok((rest, _)) = x509_parser::parse_x509_certificate(data) {
        bail!(
            "{what}: a DER certificate followed by {} stray bytes (a corrupt or concatenated file?)",
            rest.len()
        );
    }
    if data.first() == Some(&0x30) {
        bail!("{what}: not PEM, and not a DER certificate, key or request (truncated or corrupt DER?)");
    }
    bail!("{what}: neither PEM nor DER (no '-----BEGIN' line and no DER structure)");
}

/// Recognises the DER containers people mistake for certificate files:
/// PKCS#7 SignedData (`.p7b`) and PKCS#12 (`.p12`/`.pfx`).
fn der_container(data: &[u8]) -> Option<&'static str> {
    // OID 1.2.840.113549.1.7 (pkcs-7), without its last arc.
    const PKCS7_ARC: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
    let inner = der_sequence_body(data)?;
    // ContentInfo ::= SEQUENCE { contentType OID (signedData = pkcs-7 2), … }
    if inner.starts_with(PKCS7_ARC) && inner.get(PKCS7_ARC.len()) == Some(&0x02) {
        return Some(PKCS7);
    }
    // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo (data or signedData), … }
    let auth_safe = inner.strip_prefix(&[0x02, 0x01, 0x03])?;
    der_sequence_body(auth_safe)?
        .starts_with(PKCS7_ARC)
        .then_some(PKCS12)
}

/// The contents of a DER SEQUENCE at the start of `data` (possibly cut short).
fn der_sequence_body(data: &[u8]) -> Option<&[u8]> {
    if data.first() != Some(&0x30) {
        return None;
    }
    let first = *data.get(1)?;
    let header = match first {
        0x80 => 2, // BER indefinite length (PKCS#12 files from some tools)
        n if n < 0x80 => 2,
        n => 2 + usize::from(n & 0x7f),
    };
    data.get(header..)
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
    if !items.iter().any(|i| matches!(i, Item::PrivateKey(_)))
        && items
            .iter()
            .any(|i| matches!(i, Item::Other(ENCRYPTED_KEY)))
    {
        if let Some(hint) = conversion_hint(ENCRYPTED_KEY) {
            bail!("{what}: {hint}");
        }
    }
    let first_kind = items.first().map(Item::kind_name);
    items
        .into_iter()
        .find_map(|i| match i {
            Item::PrivateKey(k) => Some(k),
            _ => None,
        })
        .with_context(|| {
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
    fn malformed_begin_line() {
        let e = parse_items(
            b"-----BEGIN CERTIFICATE----\nMAMCAQE=\n-----END CERTIFICATE-----\n",
            "'x'",
        )
        .unwrap_err();
        assert!(e.to_string().contains("malformed PEM BEGIN line"), "{e}");
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let pem = der_to_pem("CERTIFICATE", &[0x30, 0x03, 0x02, 0x01, 0x01]).replace('\n', "\r\n");
        let text = format!("\u{feff}{pem}");
        let items = parse_items(text.as_bytes(), "'x'").unwrap();
        assert!(matches!(&items[..], [Item::Certificate(_)]), "{items:?}");
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
