//! The DTLS 1.0 probe of `scan --dtls`: a hand-built DTLS 1.0 ClientHello
//! (version 0xfeff, the CBC suites of TLS 1.1), the cookie round trip of a
//! HelloVerifyRequest, and a look at the answer. dimpl speaks DTLS 1.2 and
//! 1.3 only, and a scanner must offer what no current library will.
//!
//! A ServerHello for DTLS 1.0 is all it takes: the probe then ends the
//! handshake with a fatal alert, so that a server serving one peer at a time
//! is free for the next.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::time::Instant;

use crate::tls::error::{self, Failure};

/// DTLS 1.0 on the wire (RFC 4347).
const DTLS10: [u8; 2] = [0xfe, 0xff];

/// What the probe offers: the suites a DTLS 1.0 (TLS 1.1) server may pick.
const SUITES: [u16; 13] = [
    0xc00a, 0xc009, // ECDHE-ECDSA with AES-CBC
    0xc014, 0xc013, // ECDHE-RSA with AES-CBC
    0x0039, 0x0033, // DHE-RSA with AES-CBC
    0x0035, 0x002f, // RSA with AES-CBC
    0xc008, 0xc012, 0x0016, 0x000a, // 3DES
    0x00ff, // the renegotiation_info SCSV
];

/// How long to wait for an answer before sending the ClientHello again.
const RESEND: Duration = Duration::from_millis(1000);

/// What a DTLS 1.0 ClientHello got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello for DTLS 1.0, with the suite chosen.
    Accepted(u16),
    /// A ServerHello for another version (which the server should not send).
    OtherVersion([u8; 2]),
    /// An alert (its description): the server refuses DTLS 1.0, or the offer.
    Alert(u8),
    /// Answers, but no ServerHello or alert before the timeout.
    Silent,
}

/// Sends a DTLS 1.0 ClientHello to `addr` (answering one cookie challenge)
/// and says what came back; `server_name` goes into SNI when it is a name.
pub async fn probe(
    addr: SocketAddr,
    server_name: Option<&str>,
    timeout: Duration,
) -> anyhow::Result<Answer> {
    let local: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(addr).await?;
    let deadline = Instant::now() + timeout;
    let random: [u8; 32] = {
        let mut r = [0u8; 32];
        // Unpredictable enough for a probe; no key is ever derived from it.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for (i, b) in r.iter_mut().enumerate() {
            *b = (seed >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(31);
        }
        r
    };
    let mut cookie: Vec<u8> = Vec::new();
    let mut message_seq: u16 = 0;
    let mut hello = client_hello(&random, &cookie, message_seq, server_name);
    let mut answered = false;
    let mut buf = vec![0u8; 65_536];
    loop {
        socket.send(&hello).await.map_err(|e| refused(&e, addr))?;
        let resend = (Instant::now() + RESEND).min(deadline);
        loop {
            let got = tokio::select! {
                r = socket.recv(&mut buf) => r.map_err(|e| refused(&e, addr))?,
                _ = tokio::time::sleep_until(resend) => break,
            };
            answered = true;
            match read(&buf[..got]) {
                Some(Seen::Challenge(c)) if message_seq == 0 => {
                    cookie = c;
                    message_seq = 1;
                    hello = client_hello(&random, &cookie, message_seq, server_name);
                    socket.send(&hello).await.map_err(|e| refused(&e, addr))?;
                }
                Some(Seen::ServerHello(version, suite)) => {
                    // Done: a fatal handshake_failure frees the server.
                    let _ = socket.send(&alert(40, 2)).await;
                    return Ok(if version == DTLS10 {
                        Answer::Accepted(suite)
                    } else {
                        Answer::OtherVersion(version)
                    });
                }
                Some(Seen::Alert(description)) => return Ok(Answer::Alert(description)),
                _ => {}
            }
        }
        if Instant::now() >= deadline {
            if answered {
                return Ok(Answer::Silent);
            }
            return Err(error::fail(
                Failure::Network,
                format!("no answer from {addr} to a DTLS 1.0 ClientHello"),
            ));
        }
    }
}

fn refused(e: &std::io::Error, addr: SocketAddr) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        return error::fail(
            Failure::Network,
            format!("connection refused by {addr}: nothing listens on that UDP port (the host answered ICMP port unreachable)"),
        );
    }
    error::fail(
        Failure::Network,
        format!("{addr}: {}", crate::tls::dial::describe_io(e)),
    )
}

/// What one datagram from the server held.
enum Seen {
    Challenge(Vec<u8>),
    ServerHello([u8; 2], u16),
    Alert(u8),
}

/// Reads the plaintext records of a datagram: a HelloVerifyRequest, a
/// ServerHello or an alert, whichever comes first.
fn read(mut datagram: &[u8]) -> Option<Seen> {
    while datagram.len() >= 13 {
        let content_type = datagram[0];
        let len = usize::from(u16::from_be_bytes([datagram[11], datagram[12]]));
        let body = datagram.get(13..13 + len)?;
        datagram = &datagram[13 + len..];
        match content_type {
            21 if body.len() >= 2 => return Some(Seen::Alert(body[1])),
            22 if body.len() >= 12 => {
                let msg = body[0];
                let offset = u24(&body[6..9]);
                let fragment = &body[12..];
                if offset != 0 {
                    continue;
                }
                match msg {
                    // HelloVerifyRequest: server_version(2), cookie<0..255>.
                    3 => {
                        let n = usize::from(*fragment.get(2)?);
                        return Some(Seen::Challenge(fragment.get(3..3 + n)?.to_vec()));
                    }
                    // ServerHello: version(2), random(32), session_id<0..32>, suite(2).
                    2 => {
                        let version = [*fragment.first()?, *fragment.get(1)?];
                        let sid = usize::from(*fragment.get(34)?);
                        let s = fragment.get(35 + sid..37 + sid)?;
                        return Some(Seen::ServerHello(version, u16::from_be_bytes([s[0], s[1]])));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    None
}

fn u24(b: &[u8]) -> usize {
    (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2])
}

/// A plaintext DTLS 1.0 alert record.
fn alert(description: u8, sequence: u8) -> Vec<u8> {
    vec![
        21,
        DTLS10[0],
        DTLS10[1],
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        sequence,
        0,
        2,
        2,
        description,
    ]
}

/// A DTLS 1.0 ClientHello in one record (record sequence = message_seq).
pub fn client_hello(
    random: &[u8; 32],
    cookie: &[u8],
    message_seq: u16,
    server_name: Option<&str>,
) -> Vec<u8> {
    let mut body = Vec::with_capacity(200);
    body.extend_from_slice(&DTLS10);
    body.extend_from_slice(random);
    body.push(0); // no session id
    body.push(cookie.len() as u8);
    body.extend_from_slice(cookie);
    body.extend_from_slice(&((SUITES.len() * 2) as u16).to_be_bytes());
    for s in SUITES {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null
    let mut ext = Vec::new();
    if let Some(name) = server_name.filter(|n| n.parse::<std::net::IpAddr>().is_err()) {
        let n = name.as_bytes();
        ext.extend_from_slice(&0u16.to_be_bytes());
        ext.extend_from_slice(&((n.len() + 5) as u16).to_be_bytes());
        ext.extend_from_slice(&((n.len() + 3) as u16).to_be_bytes());
        ext.push(0);
        ext.extend_from_slice(&(n.len() as u16).to_be_bytes());
        ext.extend_from_slice(n);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    ext.extend_from_slice(&[0, 10, 0, 8, 0, 6, 0, 29, 0, 23, 0, 24]);
    // ec_point_formats: uncompressed.
    ext.extend_from_slice(&[0, 11, 0, 2, 1, 0]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);

    let len = (body.len() as u32).to_be_bytes();
    let mut handshake = vec![1, len[1], len[2], len[3]];
    handshake.extend_from_slice(&message_seq.to_be_bytes());
    handshake.extend_from_slice(&[0, 0, 0, len[1], len[2], len[3]]);
    handshake.extend_from_slice(&body);

    let mut record = vec![22, DTLS10[0], DTLS10[1], 0, 0];
    record.extend_from_slice(&[0, 0, 0, 0]);
    record.extend_from_slice(&message_seq.to_be_bytes());
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_hello_is_one_dtls10_record_with_the_cookie() {
        let ch = client_hello(&[9; 32], &[1, 2, 3], 1, Some("localhost"));
        assert_eq!(&ch[..3], &[22, 0xfe, 0xff]);
        assert_eq!(
            usize::from(u16::from_be_bytes([ch[11], ch[12]])),
            ch.len() - 13
        );
        assert!(crate::dtls::wire::starts_with_client_hello(&ch));
        // handshake header: type 1, message_seq 1; body: version, random, sid 0, cookie.
        assert_eq!(ch[13], 1);
        assert_eq!(&ch[17..19], &[0, 1]);
        assert_eq!(&ch[25..27], &DTLS10);
        assert_eq!(&ch[59..64], &[0, 3, 1, 2, 3]);
        assert!(ch.windows(9).any(|w| w == b"localhost"));
    }

    #[test]
    fn reads_a_challenge_a_server_hello_and_an_alert() {
        let mut hvr = vec![22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 17];
        hvr.extend_from_slice(&[3, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 5, 0xfe, 0xff, 2, 7, 8]);
        assert!(matches!(read(&hvr), Some(Seen::Challenge(c)) if c == [7, 8]));
        let mut sh_body = vec![0xfe, 0xff];
        sh_body.extend_from_slice(&[0; 32]);
        sh_body.push(0);
        sh_body.extend_from_slice(&[0xc0, 0x0a, 0]);
        let n = sh_body.len() as u8;
        let mut sh = vec![22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0, n + 12];
        sh.extend_from_slice(&[2, 0, 0, n, 0, 1, 0, 0, 0, 0, 0, n]);
        sh.extend_from_slice(&sh_body);
        assert!(matches!(read(&sh), Some(Seen::ServerHello(v, 0xc00a)) if v == DTLS10));
        assert!(matches!(read(&alert(70, 0)), Some(Seen::Alert(70))));
        assert!(read(b"noise").is_none());
    }
}
