//! `bench`'s reports on screen: the crypto floor (`bench --floor`).

use std::io::Write;

use super::field;
use crate::bench::floor::Floor;

/// The crypto floor as text.
pub fn floor(out: &mut dyn Write, f: &Floor) -> std::io::Result<()> {
    writeln!(
        out,
        "Crypto floor of this machine (aws-lc through aws-lc-rs, one core, CPU time):"
    )?;
    let us = |v: f64| format!("{v:.1} µs");
    field(
        out,
        "ECDSA P-256",
        format!("{} per signature", us(f.ecdsa_p256_sign_us)),
    )?;
    field(
        out,
        "X25519",
        format!(
            "{} per key share, {} per agreement",
            us(f.x25519_keygen_us),
            us(f.x25519_agree_us)
        ),
    )?;
    field(
        out,
        "ML-KEM-768",
        format!("{} per encapsulation", us(f.mlkem768_encapsulate_us)),
    )?;
    field(
        out,
        "AES-256-GCM",
        format!(
            "{} per MiB sealed and opened (16 KiB records)",
            us(f.aes256gcm_seal_open_per_mib_us)
        ),
    )?;
    writeln!(out, "A full TLS 1.3 handshake costs a server at least:")?;
    field(
        out,
        "X25519",
        format!(
            "{} (signature + key share + agreement)",
            us(f.handshake_x25519_us)
        ),
    )?;
    field(
        out,
        "with ML-KEM",
        format!(
            "{} (X25519MLKEM768: the above + one ML-KEM-768 encapsulation)",
            us(f.handshake_x25519mlkem768_us)
        ),
    )
}
