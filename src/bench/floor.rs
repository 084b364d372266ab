//! The crypto floor: what the cryptography of one TLS 1.3 handshake and of
//! one MiB of AES-256-GCM costs on this machine, measured with the library
//! tlskit itself uses (aws-lc through aws-lc-rs). A server cannot do a full
//! handshake for less CPU than the sum of its parts, so the floor is the
//! yardstick for every server's CPU per handshake in the performance record.
//!
//! Each operation is timed in batches on one thread, by that thread's CPU
//! clock (other processes on a busy machine do not inflate it), and the
//! median batch is kept.
//!
//! The same measurement adds the kernel's share ([`super::tcpfloor`]): what
//! loopback TCP alone costs a server per connection and per MiB, so that the
//! record can say how far each server is from what any server on this
//! machine must spend.

use std::time::{Duration, Instant};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use aws_lc_rs::kem::{DecapsulationKey, ML_KEM_768};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use aws_lc_rs::{digest, hmac};
use serde::Serialize;

use super::tcpfloor::{self, TcpFloor};
use crate::tls::error::{fail, Failure};

/// What each operation costs, in microseconds of one core's CPU time.
#[derive(Debug, Clone, Serialize)]
pub struct Floor {
    /// One ECDSA P-256 signature (the server's CertificateVerify).
    pub ecdsa_p256_sign_us: f64,
    /// One X25519 key share: a private key and its public key.
    pub x25519_keygen_us: f64,
    /// One X25519 agreement (the shared secret).
    pub x25519_agree_us: f64,
    /// One ML-KEM-768 encapsulation (the server's half of X25519MLKEM768).
    pub mlkem768_encapsulate_us: f64,
    /// Sealing and opening one MiB with AES-256-GCM in 16 KiB records, as an
    /// echo server does for each MiB it echoes (decrypt in, encrypt out).
    pub aes256gcm_seal_open_per_mib_us: f64,
    /// A full handshake's key schedule with TLS_AES_256_GCM_SHA384, as
    /// RFC 8446 §7.1 lays it out for a server without PSK: 12 HMAC-SHA-384
    /// keys and 22 HMACs (secrets, traffic keys and IVs, both Finished), the
    /// transcript hash of about 1.1 KB of handshake messages, and the four
    /// AES-256-GCM traffic keys. Not counted in the crypto floor below (the
    /// yardstick the record's targets were set against), but in the floor
    /// with TCP.
    pub key_schedule_sha384_us: f64,
    /// A full handshake with X25519: sign + keygen + agreement.
    pub handshake_x25519_us: f64,
    /// A full handshake with X25519MLKEM768: the above plus one encapsulation.
    pub handshake_x25519mlkem768_us: f64,
    /// What loopback TCP costs a server with no TLS at all.
    #[serde(flatten)]
    pub tcp: TcpFloor,
    /// A full X25519 handshake's cryptography, its key schedule included,
    /// and its connection's kernel work: what a TLS server over loopback TCP
    /// cannot go below.
    pub handshake_x25519_with_tcp_us: f64,
    /// AES-256-GCM for one MiB plus echoing it through the kernel.
    pub echo_per_mib_with_tcp_us: f64,
    /// AES-256-GCM for one MiB plus forwarding it both ways, as a tunnel does.
    pub relay_per_mib_with_tcp_us: f64,
}

/// How long each operation is measured (split into batches).
const PER_OPERATION: Duration = Duration::from_millis(400);
/// Batches per operation; the median is kept.
const BATCHES: usize = 7;

/// Measures the floor (about four seconds of one core).
pub fn measure() -> anyhow::Result<Floor> {
    let rng = SystemRandom::new();
    let broken = |what: &str| {
        fail(
            Failure::Input,
            format!("the crypto library failed to {what}"),
        )
    };

    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|_| broken("make an ECDSA key"))?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref())
        .map_err(|_| broken("load an ECDSA key"))?;
    let transcript = [0x5au8; 48];
    let sign = per_op(|| key.sign(&rng, &transcript).is_ok())?;

    // A key share is a private key and its public key (a scalar
    // multiplication); generating the private key alone is only randomness.
    let keygen = per_op(|| {
        EphemeralPrivateKey::generate(&X25519, &rng).is_ok_and(|k| k.compute_public_key().is_ok())
    })?;
    let private_only = per_op(|| EphemeralPrivateKey::generate(&X25519, &rng).is_ok())?;

    let peer = EphemeralPrivateKey::generate(&X25519, &rng)
        .and_then(|k| k.compute_public_key())
        .map_err(|_| broken("make an X25519 key"))?;
    let peer = peer.as_ref().to_vec();
    // An agreement consumes its private key: each one is preceded by making
    // a private key, whose measured cost is taken off again.
    let keygen_and_agree = per_op(|| {
        EphemeralPrivateKey::generate(&X25519, &rng).is_ok_and(|k| {
            agreement::agree_ephemeral(k, UnparsedPublicKey::new(&X25519, &peer), (), |secret| {
                std::hint::black_box(secret);
                Ok(())
            })
            .is_ok()
        })
    })?;
    let agree = (keygen_and_agree - private_only).max(0.0);

    let dk = DecapsulationKey::generate(&ML_KEM_768).map_err(|_| broken("make an ML-KEM key"))?;
    let ek = dk
        .encapsulation_key()
        .map_err(|_| broken("read an ML-KEM key"))?;
    let encapsulate = per_op(|| ek.encapsulate().is_ok())?;

    let aead = LessSafeKey::new(
        UnboundKey::new(&AES_256_GCM, &[7u8; 32]).map_err(|_| broken("make an AES key"))?,
    );
    let mut record = vec![0u8; 16 * 1024];
    let records_per_mib = 64;
    let mut counter = 0u64;
    let seal_open_record = per_op(|| {
        counter += 1;
        let mut nonce = [0u8; 12];
        nonce[4..].copy_from_slice(&counter.to_be_bytes());
        let Ok(tag) = aead.seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::empty(),
            &mut record,
        ) else {
            return false;
        };
        let mut sealed = std::mem::take(&mut record);
        sealed.extend_from_slice(tag.as_ref());
        let opened = aead
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut sealed,
            )
            .map(|plain| plain.len())
            .is_ok();
        sealed.truncate(16 * 1024);
        record = sealed;
        opened
    })?;

    let shared = [0x33u8; 32];
    let schedule = per_op(|| key_schedule(&shared).is_some())?;

    let tcp = tcpfloor::measure().map_err(|e| {
        fail(
            Failure::Network,
            format!("measuring loopback TCP on 127.0.0.1 failed: {e}"),
        )
    })?;

    let round = |v: f64| (v * 100.0).round() / 100.0;
    let aes = seal_open_record * records_per_mib as f64;
    Ok(Floor {
        key_schedule_sha384_us: round(schedule),
        handshake_x25519_with_tcp_us: round(
            sign + keygen + agree + schedule + tcp.tcp_connection_us,
        ),
        echo_per_mib_with_tcp_us: round(aes + tcp.tcp_echo_per_mib_us),
        relay_per_mib_with_tcp_us: round(aes + tcp.tcp_relay_per_mib_us),
        tcp,
        ecdsa_p256_sign_us: round(sign),
        x25519_keygen_us: round(keygen),
        x25519_agree_us: round(agree),
        mlkem768_encapsulate_us: round(encapsulate),
        aes256gcm_seal_open_per_mib_us: round(aes),
        handshake_x25519_us: round(sign + keygen + agree),
        handshake_x25519mlkem768_us: round(sign + keygen + agree + encapsulate),
    })
}

/// The handshake messages a server hashes, by size: ClientHello, ServerHello,
/// EncryptedExtensions, Certificate (one ECDSA P-256 certificate),
/// CertificateVerify, the server's Finished and the client's.
const MESSAGES: [usize; 7] = [300, 90, 10, 560, 80, 52, 52];

/// A TLS 1.3 server's key schedule for one full handshake (RFC 8446 §7.1,
/// SHA-384, no PSK), from the shared secret to both Finished MACs and the
/// four traffic keys; `None` if the library refuses a step.
fn key_schedule(shared: &[u8]) -> Option<()> {
    const H: usize = 48;
    let alg = hmac::HMAC_SHA384;
    let messages = [0x42u8; 1_144];
    let mut at = 0;
    let mut transcript = digest::Context::new(&digest::SHA384);
    let mut hash_through = |count: usize| {
        let upto: usize = MESSAGES[..count].iter().sum();
        transcript.update(&messages[at..upto]);
        at = upto;
        transcript.clone().finish()
    };
    let hello = hash_through(2);
    let verified = hash_through(5);
    let server_finished = hash_through(6);
    let empty = digest::digest(&digest::SHA384, b"");
    // HKDF-Expand-Label for outputs of one hash length or less: one HMAC.
    let expand = |key: &hmac::Key, label: &[u8], context: &[u8], len: usize| {
        let mut ctx = hmac::Context::with_key(key);
        ctx.update(&(len as u16).to_be_bytes());
        ctx.update(&[(6 + label.len()) as u8]);
        ctx.update(b"tls13 ");
        ctx.update(label);
        ctx.update(&[context.len() as u8]);
        ctx.update(context);
        ctx.update(&[1]);
        let tag = ctx.sign();
        let mut out = [0u8; H];
        out[..len].copy_from_slice(&tag.as_ref()[..len]);
        out
    };
    let extract = |salt: &[u8], ikm: &[u8]| hmac::sign(&hmac::Key::new(alg, salt), ikm);
    let zeros = [0u8; H];
    let early = hmac::Key::new(alg, extract(&zeros, &zeros).as_ref());
    let derived = expand(&early, b"derived", empty.as_ref(), H);
    let handshake = hmac::Key::new(alg, extract(&derived, shared).as_ref());
    let c_hs = hmac::Key::new(alg, &expand(&handshake, b"c hs traffic", hello.as_ref(), H));
    let s_hs = hmac::Key::new(alg, &expand(&handshake, b"s hs traffic", hello.as_ref(), H));
    let derived = expand(&handshake, b"derived", empty.as_ref(), H);
    let master = hmac::Key::new(alg, extract(&derived, &zeros).as_ref());
    let done = server_finished.as_ref();
    let c_ap = hmac::Key::new(alg, &expand(&master, b"c ap traffic", done, H));
    let s_ap = hmac::Key::new(alg, &expand(&master, b"s ap traffic", done, H));
    std::hint::black_box(expand(&master, b"exp master", done, H));
    for secret in [&c_hs, &s_hs, &c_ap, &s_ap] {
        let key = expand(secret, b"key", b"", 32);
        std::hint::black_box(expand(secret, b"iv", b"", 12));
        let aead = UnboundKey::new(&AES_256_GCM, &key[..32]).ok()?;
        std::hint::black_box(LessSafeKey::new(aead));
    }
    let finished = hmac::Key::new(alg, &expand(&s_hs, b"finished", b"", H));
    std::hint::black_box(hmac::sign(&finished, verified.as_ref()));
    let finished = hmac::Key::new(alg, &expand(&c_hs, b"finished", b"", H));
    std::hint::black_box(hmac::sign(&finished, server_finished.as_ref()));
    let _client_done = hash_through(7);
    Some(())
}

/// Microseconds of thread CPU time per call of `op` (median of the batches);
/// an error if `op` ever reports failure.
fn per_op(mut op: impl FnMut() -> bool) -> anyhow::Result<f64> {
    // Calibrate: how many calls fill one batch.
    let started = Instant::now();
    let mut calls = 0u64;
    while started.elapsed() < Duration::from_millis(20) {
        if !op() {
            return Err(fail(Failure::Input, "a crypto operation failed"));
        }
        calls += 1;
    }
    let per_batch = PER_OPERATION.as_secs_f64() / BATCHES as f64;
    let n = ((calls as f64) * per_batch / 0.02).ceil().max(1.0) as u64;
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let before = thread_cpu();
        for _ in 0..n {
            if !op() {
                return Err(fail(Failure::Input, "a crypto operation failed"));
            }
        }
        batches.push((thread_cpu() - before).as_secs_f64() * 1e6 / n as f64);
    }
    batches.sort_by(f64::total_cmp);
    Ok(batches[BATCHES / 2])
}

/// This thread's CPU time so far.
pub(crate) fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant
    // every Linux kernel supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_op_counts_cpu_per_call() {
        // Each call burns at least 10 µs of this thread's CPU, so the figure
        // can be no lower (what else runs on the machine can only add).
        let us = per_op(|| {
            let until = thread_cpu() + Duration::from_micros(10);
            while thread_cpu() < until {}
            true
        })
        .unwrap();
        assert!(us >= 9.99, "{us}");
        assert!(per_op(|| false).is_err());
    }
}
