//! The one crypto provider: rustls' aws-lc-rs provider, with the TLS 1.3 key
//! schedule run on aws-lc's HMAC through rustls' own `HkdfUsingHmac`.
//!
//! Why not the provider as it comes: its HKDF (aws-lc-rs' `hkdf::Prk` made by
//! `Salt::extract`) keeps the salt and the secret and runs HKDF-Extract
//! again inside every HKDF-Expand, and each expansion also keys a fresh HMAC
//! (two hash blocks for the pads). A TLS 1.3 handshake expands a dozen labels
//! from three extracted secrets, so that was about a quarter of a server's
//! instructions per full handshake (callgrind, SHA-384 suite). `HkdfUsingHmac`
//! extracts once and keys the HMAC once per secret; aws-lc-rs' `hmac::Key`
//! keeps the keyed state and each expansion copies it. The outputs are the
//! same bytes (RFC 5869 defines HKDF by HMAC; the tests below compare both
//! implementations), and no cryptography is written here: HMAC is aws-lc's,
//! HKDF is rustls'.

use std::sync::{Arc, LazyLock};

use aws_lc_rs::hmac as lc;
use rustls::crypto::aws_lc_rs::{self as provider, cipher_suite};
use rustls::crypto::tls13::HkdfUsingHmac;
use rustls::crypto::{hmac, CryptoProvider};
use rustls::{SupportedCipherSuite, Tls13CipherSuite};

struct Hmac(&'static lc::Algorithm);

static HMAC_SHA256: Hmac = Hmac(&lc::HMAC_SHA256);
static HMAC_SHA384: Hmac = Hmac(&lc::HMAC_SHA384);
static HKDF_SHA256: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA256);
static HKDF_SHA384: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA384);

impl hmac::Hmac for Hmac {
    fn with_key(&self, key: &[u8]) -> Box<dyn hmac::Key> {
        Box::new(Key(lc::Key::new(*self.0, key)))
    }

    fn hash_output_len(&self) -> usize {
        self.0.digest_algorithm().output_len()
    }

    fn fips(&self) -> bool {
        provider::default_provider().fips()
    }
}

struct Key(lc::Key);

impl hmac::Key for Key {
    fn sign_concat(&self, first: &[u8], middle: &[&[u8]], last: &[u8]) -> hmac::Tag {
        let mut ctx = lc::Context::with_key(&self.0);
        ctx.update(first);
        for part in middle {
            ctx.update(part);
        }
        ctx.update(last);
        hmac::Tag::new(ctx.sign().as_ref())
    }

    fn tag_len(&self) -> usize {
        self.0.algorithm().digest_algorithm().output_len()
    }
}

/// The provider's TLS 1.3 suite with the key schedule above.
fn rekeyed(
    suite: &'static Tls13CipherSuite,
    hkdf: &'static HkdfUsingHmac<'static>,
) -> Tls13CipherSuite {
    Tls13CipherSuite {
        common: rustls::CipherSuiteCommon {
            suite: suite.common.suite,
            hash_provider: suite.common.hash_provider,
            confidentiality_limit: suite.common.confidentiality_limit,
        },
        hkdf_provider: hkdf,
        aead_alg: suite.aead_alg,
        quic: suite.quic,
    }
}

static TLS13: LazyLock<[Tls13CipherSuite; 3]> = LazyLock::new(|| {
    let of = |s: SupportedCipherSuite| match s {
        SupportedCipherSuite::Tls13(s) => s,
        SupportedCipherSuite::Tls12(_) => unreachable!("a TLS 1.3 suite constant"),
    };
    [
        rekeyed(of(cipher_suite::TLS13_AES_256_GCM_SHA384), &HKDF_SHA384),
        rekeyed(of(cipher_suite::TLS13_AES_128_GCM_SHA256), &HKDF_SHA256),
        rekeyed(
            of(cipher_suite::TLS13_CHACHA20_POLY1305_SHA256),
            &HKDF_SHA256,
        ),
    ]
});

/// `suite` as tlskit runs it: TLS 1.3 suites with the key schedule above,
/// TLS 1.2 suites as they are.
pub fn suite(suite: SupportedCipherSuite) -> SupportedCipherSuite {
    match suite {
        SupportedCipherSuite::Tls13(s) => TLS13
            .iter()
            .find(|ours| ours.common.suite == s.common.suite)
            .map_or(suite, SupportedCipherSuite::Tls13),
        tls12 => tls12,
    }
}

/// rustls' aws-lc-rs provider with `suites` (the defaults when `None`) run
/// as [`suite`] says.
pub fn aws_lc(suites: Option<&[SupportedCipherSuite]>) -> CryptoProvider {
    let mut p = provider::default_provider();
    let chosen = suites.map_or_else(|| p.cipher_suites.clone(), <[_]>::to_vec);
    p.cipher_suites = chosen.into_iter().map(suite).collect();
    p
}

/// [`aws_lc`] with the default suites, shared.
pub fn shared() -> Arc<CryptoProvider> {
    Arc::new(aws_lc(None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::tls13::{Hkdf, OkmBlock};

    /// Both HKDFs give the same bytes for every step the key schedule takes:
    /// extract with and without a salt, from zeroes, expand to several
    /// lengths, and the Finished HMAC.
    #[test]
    fn the_key_schedule_is_unchanged() {
        for s in [
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ] {
            let (SupportedCipherSuite::Tls13(theirs), SupportedCipherSuite::Tls13(ours)) =
                (s, suite(s))
            else {
                panic!("TLS 1.3 suites");
            };
            assert!(!std::ptr::eq(theirs, ours), "the suite is replaced");
            let (a, b): (&dyn Hkdf, &dyn Hkdf) = (theirs.hkdf_provider, ours.hkdf_provider);
            let secret = [7u8; 48];
            let salt = [9u8; 32];
            for (x, y) in [
                (
                    a.extract_from_secret(None, &secret),
                    b.extract_from_secret(None, &secret),
                ),
                (
                    a.extract_from_secret(Some(&salt), &secret),
                    b.extract_from_secret(Some(&salt), &secret),
                ),
                (
                    a.extract_from_zero_ikm(Some(&salt)),
                    b.extract_from_zero_ikm(Some(&salt)),
                ),
            ] {
                for len in [12, 16, 32, 48, 100] {
                    let (mut o1, mut o2) = (vec![0; len], vec![0; len]);
                    x.expand_slice(&[b"tls13 ", b"c hs traffic", &[1, 2]], &mut o1)
                        .unwrap();
                    y.expand_slice(&[b"tls13 ", b"c hs traffic", &[1, 2]], &mut o2)
                        .unwrap();
                    assert_eq!(o1, o2, "{:?}, {len} bytes", s.suite());
                }
                assert_eq!(
                    x.expand_block(&[b"x"]).as_ref(),
                    y.expand_block(&[b"x"]).as_ref()
                );
            }
            let okm = OkmBlock::new(&secret[..theirs.common.hash_provider.output_len()]);
            assert_eq!(
                a.hmac_sign(&okm, b"transcript").as_ref(),
                b.hmac_sign(&okm, b"transcript").as_ref()
            );
            assert_eq!(
                a.expander_for_okm(&okm).expand_block(&[b"k"]).as_ref(),
                b.expander_for_okm(&okm).expand_block(&[b"k"]).as_ref()
            );
        }
    }

    #[test]
    fn chosen_suites_keep_their_order_and_tls12_suites_pass_through() {
        let chosen = [
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ];
        let p = aws_lc(Some(&chosen));
        let names: Vec<_> = p.cipher_suites.iter().map(|s| s.suite()).collect();
        assert_eq!(names, chosen.map(|s| s.suite()));
        assert_eq!(
            aws_lc(None).cipher_suites.len(),
            provider::default_provider().cipher_suites.len()
        );
    }
}
