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

use aws_lc_rs::constant_time as ct;
use aws_lc_rs::digest;
use aws_lc_rs::hmac as lc;
use rustls::crypto::aws_lc_rs::{self as provider, cipher_suite};
use rustls::crypto::tls13::HkdfUsingHmac;
use rustls::crypto::{hmac, CryptoProvider};
use rustls::{SupportedCipherSuite, Tls13CipherSuite};

struct Hmac {
    algorithm: &'static lc::Algorithm,
    constants: &'static LazyLock<Constants>,
}

static CONSTANTS_SHA256: LazyLock<Constants> =
    LazyLock::new(|| Constants::new(lc::HMAC_SHA256, &digest::SHA256));
static CONSTANTS_SHA384: LazyLock<Constants> =
    LazyLock::new(|| Constants::new(lc::HMAC_SHA384, &digest::SHA384));
static HMAC_SHA256: Hmac = Hmac {
    algorithm: &lc::HMAC_SHA256,
    constants: &CONSTANTS_SHA256,
};
static HMAC_SHA384: Hmac = Hmac {
    algorithm: &lc::HMAC_SHA384,
    constants: &CONSTANTS_SHA384,
};
static HKDF_SHA256: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA256);
static HKDF_SHA384: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA384);

impl hmac::Hmac for Hmac {
    fn with_key(&self, key: &[u8]) -> Box<dyn hmac::Key> {
        if let Some(known) = self.constants.find(key) {
            return Box::new(Key {
                key: known.keyed.clone(),
                memo: known.memo.as_ref(),
            });
        }
        Box::new(Key {
            key: lc::Key::new(*self.algorithm, key),
            memo: None,
        })
    }

    fn hash_output_len(&self) -> usize {
        self.algorithm.digest_algorithm().output_len()
    }

    fn fips(&self) -> bool {
        provider::default_provider().fips()
    }
}

/// What every TLS 1.3 handshake without a PSK computes the same way (RFC 8446
/// §7.1): the early secret, HKDF-Extract of zeroes under a zero salt, and the
/// `derived` secret expanded from it, which salts the handshake secret. They
/// depend on the hash alone, so they are computed once here (by aws-lc's
/// HMAC, as every other step) instead of in every handshake: three HMAC keys
/// (two hash blocks each) and two HMACs fewer per full handshake.
struct Constants {
    /// The zero salt, the early secret and the `derived` secret as HMAC keys.
    keys: [Known; 3],
}

/// A key that is the same in every handshake, keyed once.
struct Known {
    bytes: Vec<u8>,
    keyed: lc::Key,
    /// The one message every handshake signs with this key, and its tag.
    memo: Option<(Vec<u8>, Vec<u8>)>,
}

impl Constants {
    fn new(algorithm: lc::Algorithm, hash: &'static digest::Algorithm) -> Constants {
        let len = hash.output_len();
        let zeroes = vec![0u8; len];
        let sign = |key: &[u8], msg: &[u8]| lc::sign(&lc::Key::new(algorithm, key), msg);
        let early = sign(&zeroes, &zeroes).as_ref().to_vec();
        // HKDF-Expand-Label(early, "derived", Hash(""), len): one block, so one
        // HMAC over the HkdfLabel and the counter 1.
        let label = b"tls13 derived";
        let mut info = Vec::with_capacity(4 + label.len() + len + 1);
        info.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
        info.push(label.len() as u8);
        info.extend_from_slice(label);
        info.push(len as u8);
        info.extend_from_slice(digest::digest(hash, b"").as_ref());
        info.push(1);
        let derived = sign(&early, &info).as_ref().to_vec();
        let known = |bytes: Vec<u8>, memo: Option<(Vec<u8>, Vec<u8>)>| Known {
            keyed: lc::Key::new(algorithm, &bytes),
            bytes,
            memo,
        };
        Constants {
            keys: [
                known(zeroes.clone(), Some((zeroes, early.clone()))),
                known(early, Some((info, derived.clone()))),
                known(derived, None),
            ],
        }
    }

    /// The known key equal to `key`, compared in constant time (`key` may be
    /// a secret).
    fn find(&self, key: &[u8]) -> Option<&Known> {
        self.keys.iter().find(|k| {
            k.bytes.len() == key.len() && ct::verify_slices_are_equal(&k.bytes, key).is_ok()
        })
    }
}

struct Key {
    key: lc::Key,
    memo: Option<&'static (Vec<u8>, Vec<u8>)>,
}

impl Key {
    /// The memorised tag, if `parts` make up the memorised message (compared
    /// in constant time: with the zero salt, the message may be a PSK).
    fn recall(&self, parts: &[&[u8]]) -> Option<&'static [u8]> {
        let (msg, tag) = self.memo?;
        if parts.iter().map(|p| p.len()).sum::<usize>() != msg.len() {
            return None;
        }
        let mut at = 0;
        let mut differ = false;
        for p in parts {
            differ |= ct::verify_slices_are_equal(&msg[at..at + p.len()], p).is_err();
            at += p.len();
        }
        (!differ).then_some(tag.as_slice())
    }
}

impl hmac::Key for Key {
    fn sign_concat(&self, first: &[u8], middle: &[&[u8]], last: &[u8]) -> hmac::Tag {
        if self.memo.is_some() {
            let mut parts: Vec<&[u8]> = Vec::with_capacity(middle.len() + 2);
            parts.push(first);
            parts.extend_from_slice(middle);
            parts.push(last);
            if let Some(tag) = self.recall(&parts) {
                return hmac::Tag::new(tag);
            }
        }
        let mut ctx = lc::Context::with_key(&self.key);
        ctx.update(first);
        for part in middle {
            ctx.update(part);
        }
        ctx.update(last);
        hmac::Tag::new(ctx.sign().as_ref())
    }

    fn tag_len(&self) -> usize {
        self.key.algorithm().digest_algorithm().output_len()
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

    /// The start every handshake without a PSK shares (early secret, then
    /// `derived`, then the handshake secret salted with it) gives the same
    /// bytes when taken from the computed constants as the provider computes.
    #[test]
    fn the_shared_start_of_the_key_schedule_is_unchanged() {
        for s in [
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_AES_128_GCM_SHA256,
        ] {
            let (SupportedCipherSuite::Tls13(theirs), SupportedCipherSuite::Tls13(ours)) =
                (s, suite(s))
            else {
                panic!("TLS 1.3 suites");
            };
            let len = theirs.common.hash_provider.output_len();
            let empty = theirs.common.hash_provider.start().finish();
            let (a, b): (&dyn Hkdf, &dyn Hkdf) = (theirs.hkdf_provider, ours.hkdf_provider);
            // As rustls lays out HKDF-Expand-Label(early, "derived", Hash(""), len).
            let info: [&[u8]; 6] = [
                &(len as u16).to_be_bytes(),
                &[13],
                b"tls13 ",
                b"derived",
                &[len as u8],
                empty.as_ref(),
            ];
            let derived_a = a.extract_from_zero_ikm(None).expand_block(&info);
            let derived_b = b.extract_from_zero_ikm(None).expand_block(&info);
            assert_eq!(derived_a.as_ref(), derived_b.as_ref(), "{:?}", s.suite());
            let shared = [0x5a; 32];
            let (x, y) = (
                a.extract_from_secret(Some(derived_a.as_ref()), &shared),
                b.extract_from_secret(Some(derived_b.as_ref()), &shared),
            );
            assert_eq!(
                x.expand_block(&[b"tls13 s hs traffic"]).as_ref(),
                y.expand_block(&[b"tls13 s hs traffic"]).as_ref()
            );
            // A PSK under the zero salt is not mistaken for the zero IKM,
            // nor a message of the same length for the memorised one.
            let psk = vec![1u8; len];
            assert_eq!(
                a.extract_from_secret(None, &psk)
                    .expand_block(&info)
                    .as_ref(),
                b.extract_from_secret(None, &psk)
                    .expand_block(&info)
                    .as_ref()
            );
            assert_eq!(
                a.extract_from_zero_ikm(None)
                    .expand_block(&[b"tls13 ", b"derivex", &[0; 52]])
                    .as_ref(),
                b.extract_from_zero_ikm(None)
                    .expand_block(&[b"tls13 ", b"derivex", &[0; 52]])
                    .as_ref()
            );
        }
    }

    /// The constants are used: keying with the zero salt recalls the early
    /// secret instead of computing it.
    #[test]
    fn the_constants_are_recalled() {
        let zeroes = [0u8; 48];
        let known = CONSTANTS_SHA384
            .find(&zeroes)
            .expect("the zero salt is known");
        let key = Key {
            key: known.keyed.clone(),
            memo: known.memo.as_ref(),
        };
        let recalled = key
            .recall(&[&zeroes[..20], &zeroes[20..]])
            .expect("recalled");
        assert_eq!(
            recalled,
            lc::sign(&lc::Key::new(lc::HMAC_SHA384, &zeroes), &zeroes).as_ref()
        );
        assert!(key.recall(&[&[0u8; 47], &[1]]).is_none());
        assert!(CONSTANTS_SHA384.find(&[0u8; 32]).is_none());
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
