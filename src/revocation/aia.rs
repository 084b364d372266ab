//! Missing intermediates: a server that sends only its own certificate leaves
//! a client to find the issuer. The certificate may name it (AIA caIssuers);
//! this fetches it (DER, PEM or PKCS#7 "certs-only") and verifies the chain
//! again. A fetched certificate only ever fills the middle of a chain: the
//! trust anchors stay the ones given.

use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::RootCertStore;
use serde::Serialize;
use x509_parser::asn1_rs::{Any, FromDer as _};
use x509_parser::extensions::ParsedExtension;

use super::fetch::{self, FetchFailure};
use super::Options;

/// How many issuers are fetched one above the other, at most.
const MAX_DEPTH: usize = 3;

/// The caIssuers URLs a certificate names.
pub fn ca_issuers(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for d in &aia.accessdescs {
                if let x509_parser::extensions::GeneralName::URI(u) = &d.access_location {
                    if d.access_method.to_id_string() == "1.3.6.1.5.5.7.48.2" {
                        out.push(u.to_string());
                    }
                }
            }
        }
    }
    out
}

/// A certificate fetched from a caIssuers URL.
#[derive(Debug, Clone, Serialize)]
pub struct FetchedIssuer {
    /// Where it came from.
    pub url: String,
    /// Its subject.
    pub subject: String,
    /// SHA-256 of its DER, colon hex.
    pub sha256: String,
}

/// What fetching the missing issuers found.
#[derive(Debug, Clone, Serialize)]
pub struct Completion {
    /// The certificates fetched, nearest the leaf first.
    pub fetched: Vec<FetchedIssuer>,
    /// Whether the chain verifies with them.
    pub verifies: bool,
    /// Why it still does not, or why fetching failed.
    pub error: Option<String>,
    /// The kind of fetch failure, if fetching failed.
    pub fetch_failure: Option<FetchFailure>,
    /// The complete chain, leaf first (the server's certificates, then the fetched ones).
    #[serde(skip)]
    pub chain: Vec<CertificateDer<'static>>,
}

/// Reads certificates from what a caIssuers URL served: DER, PEM, or a
/// PKCS#7 "certs-only" bundle (DER or PEM).
pub fn parse_certs(
    bytes: &[u8],
    content_type: Option<&str>,
) -> Result<Vec<CertificateDer<'static>>, String> {
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        let certs: Vec<_> = CertificateDer::pem_slice_iter(bytes)
            .filter_map(Result::ok)
            .collect();
        if !certs.is_empty() {
            return Ok(certs);
        }
        // A PEM PKCS#7 bundle.
        if let Some(der) = pem_pkcs7(bytes) {
            if let Ok(c) = pkcs7_certs(&der) {
                return Ok(c);
            }
        }
        return Err("it served PEM with no certificate in it".into());
    }
    if x509_parser::parse_x509_certificate(bytes).is_ok() {
        return Ok(vec![CertificateDer::from(bytes.to_vec())]);
    }
    if let Ok(certs) = pkcs7_certs(bytes) {
        return Ok(certs);
    }
    let looks_html = content_type.is_some_and(|t| t.contains("html"))
        || bytes.trim_ascii_start().starts_with(b"<");
    Err(if looks_html {
        "it served HTML, not a certificate".into()
    } else {
        "what it served is not a certificate (DER, PEM or PKCS#7)".into()
    })
}

/// The DER inside a `-----BEGIN PKCS7-----` block.
fn pem_pkcs7(bytes: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("-----BEGIN PKCS7-----")? + "-----BEGIN PKCS7-----".len();
    let end = start + text[start..].find("-----END PKCS7-----")?;
    let body: String = text[start..end].split_whitespace().collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

/// The certificates of a PKCS#7 SignedData (RFC 5652): ContentInfo { signedData,
/// [0] SignedData { version, digestAlgorithms, encapContentInfo, [0] certificates, … } }.
fn pkcs7_certs(der: &[u8]) -> Result<Vec<CertificateDer<'static>>, ()> {
    const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
    let (_, info) = Any::from_der(der).map_err(|_| ())?;
    let (rest, oid) = Any::from_der(info.data).map_err(|_| ())?;
    let oid = x509_parser::asn1_rs::Oid::try_from(oid).map_err(|_| ())?;
    if oid.to_id_string() != SIGNED_DATA {
        return Err(());
    }
    let (_, explicit) = Any::from_der(rest).map_err(|_| ())?;
    let (_, signed) = Any::from_der(explicit.data).map_err(|_| ())?;
    let mut rest = signed.data;
    let mut certs = Vec::new();
    while !rest.is_empty() {
        let (after, item) = Any::from_der(rest).map_err(|_| ())?;
        rest = after;
        if item.header.class() == x509_parser::asn1_rs::Class::ContextSpecific
            && item.header.tag().0 == 0
        {
            let mut list = item.data;
            while !list.is_empty() && certs.len() < 16 {
                let (after, _) = Any::from_der(list).map_err(|_| ())?;
                let one = &list[..list.len() - after.len()];
                if x509_parser::parse_x509_certificate(one).is_ok() {
                    certs.push(CertificateDer::from(one.to_vec()));
                }
                list = after;
            }
            break;
        }
    }
    if certs.is_empty() {
        Err(())
    } else {
        Ok(certs)
    }
}

fn fingerprint(der: &[u8]) -> String {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der);
    crate::tls::pin::colon_hex(d.as_ref())
}

/// Fetches the issuers the chain's last certificate names, one above the
/// other, until the chain verifies against `roots` (or nothing more can be had).
pub async fn complete(
    sent: &[CertificateDer<'static>],
    roots: Arc<RootCertStore>,
    server_name: &ServerName<'static>,
    opts: Options,
) -> Completion {
    let mut out = Completion {
        fetched: Vec::new(),
        verifies: false,
        error: None,
        fetch_failure: None,
        chain: sent.to_vec(),
    };
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(roots, crate::tls::provider()).build()
    else {
        out.error = Some("no usable trust anchor".into());
        return out;
    };
    for _ in 0..MAX_DEPTH {
        let Some(last) = out.chain.last() else {
            break;
        };
        let Some(url) = ca_issuers(last).into_iter().next() else {
            out.error = Some("the last certificate names no caIssuers URL".into());
            return out;
        };
        if opts.offline {
            out.error = Some("fetching is turned off (--offline)".into());
            out.fetch_failure = Some(FetchFailure::Offline);
            return out;
        }
        let fetched = match fetch::fetch(&url, None, fetch::MAX_CERTS, opts.timeout).await {
            Ok(f) => f,
            Err(e) => {
                out.fetch_failure = Some(e.kind);
                out.error = Some(e.message);
                return out;
            }
        };
        let certs = match parse_certs(&fetched.body, fetched.content_type.as_deref()) {
            Ok(c) => c,
            Err(why) => {
                out.error = Some(format!("{}: {why}", crate::text::sanitize(&url)));
                return out;
            }
        };
        for c in certs {
            if out.chain.iter().any(|have| have == &c) {
                continue;
            }
            let subject = x509_parser::parse_x509_certificate(&c)
                .map(|(_, x)| x.subject().to_string())
                .unwrap_or_default();
            out.fetched.push(FetchedIssuer {
                url: url.clone(),
                subject,
                sha256: fingerprint(&c),
            });
            out.chain.push(c);
        }
        let result = verifier.verify_server_cert(
            &out.chain[0],
            &out.chain[1..],
            server_name,
            &[],
            UnixTime::now(),
        );
        match result {
            Ok(_) => {
                out.verifies = true;
                out.error = None;
                return out;
            }
            Err(e) => out.error = Some(e.to_string()),
        }
        if out.fetched.len() >= MAX_DEPTH {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else {
            v.push(0x82);
            v.extend_from_slice(&(n as u16).to_be_bytes());
        }
        v.extend_from_slice(content);
        v
    }

    #[test]
    fn pkcs7_certs_only_and_its_truncations() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.test".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let der = cert.der().to_vec();
        // ContentInfo { signedData, [0] SignedData { 1, {}, { data }, [0] { cert } } }
        let signed_data_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
        let data_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
        let signed = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                tlv(0x31, &[]),
                tlv(0x30, &tlv(0x06, &data_oid)),
                tlv(0xa0, &der),
                tlv(0x31, &[]),
            ]
            .concat(),
        );
        let p7 = tlv(
            0x30,
            &[tlv(0x06, &signed_data_oid), tlv(0xa0, &signed)].concat(),
        );
        let certs = parse_certs(&p7, None).unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].as_ref(), der.as_slice());
        for n in 0..p7.len() {
            let _ = parse_certs(&p7[..n], None);
        }
    }

    #[test]
    fn html_is_not_a_certificate() {
        let e = parse_certs(b"<html><body>hi</body></html>", Some("text/html")).unwrap_err();
        assert!(e.contains("HTML"), "{e}");
        assert!(parse_certs(b"\x30\x03\x02\x01\x00", None).is_err());
    }
}
