//! Fatal alerts after a DTLS 1.3 handshake, which dimpl 0.9 cannot send.
//!
//! A DTLS 1.3 server learns the client's certificate only after its own
//! Finished has gone out, so refusing that certificate means sending an alert
//! encrypted under the server's application keys. dimpl keeps those keys to
//! itself and has no call that sends an alert, only `close()`, which encrypts
//! a `close_notify` alert (body `01 00`, inner content type 21). tlskit hands
//! dimpl its own DTLS 1.3 cipher suites, which wrap aws-lc-rs's: while
//! [`close_with`] runs, their encryption replaces that one record's body with
//! the fatal alert asked for (`02 DESC`), same length, same keys, same record
//! number. Nothing else is ever changed.

use std::cell::Cell;
use std::sync::OnceLock;

use dimpl::crypto::{
    Aad, Buf, Cipher, CryptoProvider, Dtls13CipherSuite, HashAlgorithm, Nonce,
    SupportedDtls13CipherSuite, TmpBuf,
};
use dimpl::{CryptoError, Dtls};

thread_local! {
    /// The alert description to put in place of close_notify, during [`close_with`] only.
    static INSTEAD: Cell<Option<u8>> = const { Cell::new(None) };
}

/// The DTLS 1.3 inner plaintext of a close_notify alert: level, description, content type.
const CLOSE_NOTIFY: [u8; 3] = [1, 0, 21];

/// Ends an established association with the fatal alert `description`
/// instead of close_notify (DTLS 1.3; a DTLS 1.2 endpoint sends close_notify).
/// The alert is queued in dimpl, to be sent with the next `poll_output`.
pub fn close_with(dtls: &mut Dtls, description: u8) {
    INSTEAD.with(|c| c.set(Some(description)));
    let _ = dtls.close();
    INSTEAD.with(|c| c.set(None));
}

/// aws-lc-rs's provider with the DTLS 1.3 suites wrapped (see the module comment).
pub fn provider() -> CryptoProvider {
    static SUITES: OnceLock<&'static [&'static dyn SupportedDtls13CipherSuite]> = OnceLock::new();
    let base = dimpl::crypto::aws_lc_rs::default_provider();
    let suites = *SUITES.get_or_init(|| {
        let wrapped: Vec<&'static dyn SupportedDtls13CipherSuite> = base
            .dtls13_cipher_suites
            .iter()
            .map(|s| {
                let leaked: &'static Suite = Box::leak(Box::new(Suite(*s)));
                leaked as &'static dyn SupportedDtls13CipherSuite
            })
            .collect();
        Box::leak(wrapped.into_boxed_slice())
    });
    CryptoProvider {
        dtls13_cipher_suites: suites,
        ..base
    }
}

#[derive(Debug)]
struct Suite(&'static dyn SupportedDtls13CipherSuite);

impl SupportedDtls13CipherSuite for Suite {
    fn suite(&self) -> Dtls13CipherSuite {
        self.0.suite()
    }
    fn hash_algorithm(&self) -> HashAlgorithm {
        self.0.hash_algorithm()
    }
    fn key_len(&self) -> usize {
        self.0.key_len()
    }
    fn iv_len(&self) -> usize {
        self.0.iv_len()
    }
    fn tag_len(&self) -> usize {
        self.0.tag_len()
    }
    fn min_protected_fragment_len(&self) -> usize {
        self.0.min_protected_fragment_len()
    }
    fn create_cipher(&self, key: &[u8]) -> Result<Box<dyn Cipher>, CryptoError> {
        Ok(Box::new(Sealer(self.0.create_cipher(key)?)))
    }
    fn encrypt_sn(&self, sn_key: &[u8], sample: &[u8; 16]) -> [u8; 16] {
        self.0.encrypt_sn(sn_key, sample)
    }
}

#[derive(Debug)]
struct Sealer(Box<dyn Cipher>);

impl Cipher for Sealer {
    fn encrypt(&mut self, plaintext: &mut Buf, aad: Aad, nonce: Nonce) -> Result<(), CryptoError> {
        if let Some(description) = INSTEAD.with(Cell::get) {
            if plaintext[..] == CLOSE_NOTIFY {
                plaintext[0] = 2;
                plaintext[1] = description;
            }
        }
        self.0.encrypt(plaintext, aad, nonce)
    }

    fn decrypt(
        &mut self,
        ciphertext: &mut TmpBuf,
        aad: Aad,
        nonce: Nonce,
    ) -> Result<(), CryptoError> {
        self.0.decrypt(ciphertext, aad, nonce)
    }
}
