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

/// Whether `data` looks like a PKCS#12 file (a DER PFX: version 3 first).
pub fn looks_like_p12(data: &[u8]) -> bool {
    // SEQUENCE (long or short length), then INTEGER 3.
    let rest = match data {
        [0x30, 0x82, _, _, rest @ ..] | [0x30, 0x83, _, _, _, rest @ ..] => rest,
        [0x30, 0x81, _, rest @ ..] => rest,
        [0x30, len, rest @ ..] if *len < 0x80 => rest,
        _ => return false,
    };
    rest.starts_with(&[0x02, 0x01, 0x03])
}

/// The certificates and keys in a PKCS#12 file, as the items `inspect` shows;
/// a wrong password is an error that says so.
pub fn decode(data: &[u8], password: &str) -> Result<Vec<crate::tls::files::Item>> {
    use crate::tls::files::Item;
    let store = p12_keystore::KeyStore::from_pkcs12(data, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| match e {
            p12_keystore::error::Error::MacError(_) => fail(
                Failure::Input,
                "a PKCS#12 (.p12/.pfx) archive whose password is not the one given (or it was altered); give its password with --p12-password-file",
            ),
            other => fail(Failure::Input, format!("it does not read as PKCS#12: {other}")),
        })?;
    let mut items = Vec::new();
    for (_, entry) in store.entries() {
        match entry {
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain) => {
                for c in chain.certs() {
                    items.push(Item::Certificate(CertificateDer::from(c.as_der().to_vec())));
                }
                items.push(Item::PrivateKey(PrivateKeyDer::Pkcs8(
                    rustls_pki_types::PrivatePkcs8KeyDer::from(chain.key().as_der().to_vec()),
                )));
            }
            p12_keystore::KeyStoreEntry::Certificate(c) => {
                items.push(Item::Certificate(CertificateDer::from(c.as_der().to_vec())))
            }
            p12_keystore::KeyStoreEntry::Secret(_) => {}
        }
    }
    Ok(items)
}
