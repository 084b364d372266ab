//! PKCS#12 export, for Windows, Java, browsers and Android: a key and its
//! certificate chain (leaf first) in one password-protected file, written by
//! the p12-keystore crate (PBES2 with AES-256 and an HMAC-SHA-256 MAC, the
//! profile OpenSSL 3 and current JDKs write).

use anyhow::Result;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::tls::error::{fail, Failure};

/// Encodes `key` and `chain` (leaf first) as PKCS#12 under `password` ("" for none).
pub fn encode(
    chain: &[CertificateDer<'_>],
    key: &PrivateKeyDer<'_>,
    password: &str,
    alias: &str,
) -> Result<Vec<u8>> {
    let PrivateKeyDer::Pkcs8(pkcs8) = key else {
        return Err(fail(
            Failure::Input,
            "PKCS#12 export needs a PKCS#8 key (convert it with: openssl pkcs8 -topk8 -nocrypt)",
        ));
    };
    let bad = |e: p12_keystore::error::Error| {
        fail(Failure::Input, format!("making the PKCS#12 file: {e}"))
    };
    let key = p12_keystore::PrivateKey::from_der(pkcs8.secret_pkcs8_der()).map_err(bad)?;
    let certs = chain
        .iter()
        .map(|c| p12_keystore::Certificate::from_der(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let first = chain
        .first()
        .ok_or_else(|| fail(Failure::Input, "no certificate to put in the PKCS#12 file"))?;
    let id = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, first);
    let entry = p12_keystore::PrivateKeyChain::new(id.as_ref()[..20].to_vec(), key, certs);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(alias, p12_keystore::KeyStoreEntry::PrivateKeyChain(entry));
    store.writer(password).write().map_err(bad)
}
