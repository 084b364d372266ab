//! The local PKI: a CA home (a root and a name-constrained intermediate in one
//! directory), CSR signing, name constraints, PKCS#12 export and trust-store
//! installation. Options in, reports and typed errors out; nothing printed.

pub mod constraints;
pub mod csr;
pub mod home;
pub mod p12;
pub mod trust;

use std::path::{Path, PathBuf};

/// Whether a certificate names itself as its issuer (a root, for our purposes).
pub fn is_self_issued(der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
        .unwrap_or(false)
}

/// A file-name-safe form of a name: `*.example.test` becomes `_wildcard.example.test`.
pub fn file_stem(name: &str) -> String {
    let name = name.replacen("*.", "_wildcard.", 1);
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `ca.pem` → `ca-key.pem`; `ca.crt` → `ca-key.crt`; `ca` → `ca-key.pem`.
pub fn default_issuer_key(issuer: &Path) -> PathBuf {
    let stem = issuer
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = issuer
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pem".into());
    issuer.with_file_name(format!("{stem}-key.{ext}"))
}

/// The PEM a certificate signed by `ca` is followed by: the CA itself unless it
/// is a root, then its own intermediates.
pub fn chain_pem(ca: &crate::tls::certgen::CaIssuer) -> String {
    let mut certs = Vec::new();
    if !ca.is_root {
        certs.push(ca.cert_der.clone());
    }
    certs.extend(ca.chain.iter().cloned());
    crate::tls::files::certs_to_pem(&certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_keys() {
        assert_eq!(file_stem("*.example.test"), "_wildcard.example.test");
        assert_eq!(file_stem("::1"), "__1");
        assert_eq!(
            default_issuer_key(Path::new("dir/ca.pem")),
            Path::new("dir/ca-key.pem")
        );
        assert_eq!(
            default_issuer_key(Path::new("ca.crt")),
            Path::new("ca-key.crt")
        );
    }
}
