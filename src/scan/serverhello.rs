//! A strict, bounded parser of the first records a server sends: its
//! ServerHello (or HelloRetryRequest), and for TLS 1.2 and below the rest of
//! the plaintext flight (Certificate, CertificateStatus, ServerKeyExchange,
//! CertificateRequest, ServerHelloDone), or an alert.
//!
//! Everything here comes from the peer: every length is checked against what
//! is left, every total is capped, and any input, however malformed or
//! truncated, gives an error rather than a panic.
//!
//! Written by hand: rustls parses only what it would itself negotiate (TLS
//! 1.2 and 1.3, its own suites), and scan must read SSL 3.0 to TLS 1.1 hellos
//! and any suite or group a server picks; no maintained crate reads a
//! server's first flight with those bounds.

use std::fmt;

/// The largest plaintext record a server may send (RFC 8446 §5.1).
pub const MAX_RECORD: usize = 16384;
/// The most bytes of a first flight read (a long certificate chain fits).
pub const MAX_FLIGHT: usize = 256 * 1024;
/// The most certificates accepted in a chain.
const MAX_CERTS: usize = 32;

/// SHA-256("HelloRetryRequest"): the random that marks a ServerHello as a HelloRetryRequest.
pub const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// The last 8 bytes of a TLS 1.2 ServerHello random from a server that speaks TLS 1.3 (RFC 8446 §4.1.3).
pub const DOWNGRADE_TLS12: [u8; 8] = *b"DOWNGRD\x01";
/// The same, for a server answering TLS 1.1 or below.
pub const DOWNGRADE_TLS11: [u8; 8] = *b"DOWNGRD\x00";

/// Why a server's answer could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The bytes ended inside a structure.
    Truncated(&'static str),
    /// A length field is larger than allowed.
    TooLong(&'static str),
    /// A structure is inconsistent.
    Malformed(&'static str),
    /// The server answered in SSL 2.0's record format.
    Sslv2,
    /// The answer is not TLS at all; holds the first bytes, sanitized.
    NotTls(String),
    /// A record of a type that cannot come first.
    UnexpectedRecord(u8),
    /// A handshake message that cannot come at this point.
    UnexpectedMessage(u8),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Truncated(what) => write!(f, "truncated {what}"),
            ParseError::TooLong(what) => write!(f, "{what} is longer than allowed"),
            ParseError::Malformed(what) => write!(f, "malformed {what}"),
            ParseError::Sslv2 => write!(f, "the server answered in SSL 2.0 format"),
            ParseError::NotTls(start) => write!(f, "not a TLS answer: {start}"),
            ParseError::UnexpectedRecord(t) => write!(f, "unexpected record type {t}"),
            ParseError::UnexpectedMessage(t) => write!(f, "unexpected handshake message type {t}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A bounds-checked cursor over peer bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Reads `buf`, naming it `what` in errors.
    pub fn new(buf: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { buf, what }
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// Takes `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        if n > self.buf.len() {
            return Err(ParseError::Truncated(self.what));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.take(1)?[0])
    }

    /// A big-endian u16.
    pub fn u16(&mut self) -> Result<u16, ParseError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A big-endian u24.
    pub fn u24(&mut self) -> Result<usize, ParseError> {
        let b = self.take(3)?;
        Ok(u32::from_be_bytes([0, b[0], b[1], b[2]]) as usize)
    }

    /// A vector with a one-byte length.
    pub fn vec8(&mut self) -> Result<&'a [u8], ParseError> {
        let n = self.u8()? as usize;
        self.take(n)
    }

    /// A vector with a two-byte length.
    pub fn vec16(&mut self) -> Result<&'a [u8], ParseError> {
        let n = self.u16()? as usize;
        self.take(n)
    }

    /// A vector with a three-byte length.
    pub fn vec24(&mut self) -> Result<&'a [u8], ParseError> {
        let n = self.u24()?;
        self.take(n)
    }

    /// Fails unless everything was consumed.
    pub fn end(&self) -> Result<(), ParseError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(ParseError::Malformed(self.what))
        }
    }
}

/// A TLS alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alert {
    /// 1 warning, 2 fatal.
    pub level: u8,
    /// The AlertDescription code.
    pub description: u8,
}

impl Alert {
    /// The description's name in RFC 8446 (`handshake_failure`).
    pub fn name(&self) -> String {
        let n = match self.description {
            0 => "close_notify",
            10 => "unexpected_message",
            20 => "bad_record_mac",
            21 => "decryption_failed",
            22 => "record_overflow",
            30 => "decompression_failure",
            40 => "handshake_failure",
            41 => "no_certificate",
            42 => "bad_certificate",
            43 => "unsupported_certificate",
            44 => "certificate_revoked",
            45 => "certificate_expired",
            46 => "certificate_unknown",
            47 => "illegal_parameter",
            48 => "unknown_ca",
            49 => "access_denied",
            50 => "decode_error",
            51 => "decrypt_error",
            60 => "export_restriction",
            70 => "protocol_version",
            71 => "insufficient_security",
            80 => "internal_error",
            86 => "inappropriate_fallback",
            90 => "user_canceled",
            100 => "no_renegotiation",
            109 => "missing_extension",
            110 => "unsupported_extension",
            112 => "unrecognized_name",
            113 => "bad_certificate_status_response",
            115 => "unknown_psk_identity",
            116 => "certificate_required",
            120 => "no_application_protocol",
            other => return format!("alert {other}"),
        };
        n.to_string()
    }
}

/// One message of the server's first flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A whole handshake message: its type and body.
    Handshake(u8, Vec<u8>),
    /// An alert.
    Alert(Alert),
    /// A ChangeCipherSpec (TLS 1.3 servers send one after a HelloRetryRequest).
    ChangeCipherSpec,
}

/// Splits the server's bytes into records and handshake messages, as they arrive.
#[derive(Debug, Default)]
pub struct FlightReader {
    buf: Vec<u8>,
    handshake: Vec<u8>,
    total: usize,
    seen_record: bool,
}

impl FlightReader {
    /// A reader that has seen nothing yet.
    pub fn new() -> FlightReader {
        FlightReader::default()
    }

    /// Adds bytes read from the server.
    pub fn push(&mut self, data: &[u8]) -> Result<(), ParseError> {
        self.total = self.total.saturating_add(data.len());
        if self.total > MAX_FLIGHT {
            return Err(ParseError::TooLong("the server's first flight"));
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    /// Whether any bytes have been received.
    pub fn received_any(&self) -> bool {
        self.total > 0
    }

    /// The next complete message, `None` when more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Message>, ParseError> {
        loop {
            if let Some(msg) = self.pop_handshake()? {
                return Ok(Some(msg));
            }
            let Some((typ, fragment)) = self.pop_record()? else {
                return Ok(None);
            };
            match typ {
                22 => {
                    if fragment.is_empty() {
                        return Err(ParseError::Malformed("empty handshake record"));
                    }
                    self.handshake.extend_from_slice(&fragment);
                }
                21 => {
                    if !self.handshake.is_empty() {
                        return Err(ParseError::Malformed(
                            "alert inside a fragmented handshake message",
                        ));
                    }
                    let mut r = Reader::new(&fragment, "alert");
                    let level = r.u8()?;
                    let description = r.u8()?;
                    r.end()?;
                    if level != 1 && level != 2 {
                        return Err(ParseError::Malformed("alert level"));
                    }
                    return Ok(Some(Message::Alert(Alert { level, description })));
                }
                20 => {
                    if fragment != [1] || !self.handshake.is_empty() {
                        return Err(ParseError::Malformed("change_cipher_spec"));
                    }
                    return Ok(Some(Message::ChangeCipherSpec));
                }
                other => return Err(ParseError::UnexpectedRecord(other)),
            }
        }
    }

    fn pop_handshake(&mut self) -> Result<Option<Message>, ParseError> {
        if self.handshake.len() < 4 {
            return Ok(None);
        }
        let typ = self.handshake[0];
        let len = u32::from_be_bytes([0, self.handshake[1], self.handshake[2], self.handshake[3]])
            as usize;
        if len > MAX_FLIGHT {
            return Err(ParseError::TooLong("handshake message"));
        }
        if self.handshake.len() < 4 + len {
            return Ok(None);
        }
        let body = self.handshake[4..4 + len].to_vec();
        self.handshake.drain(..4 + len);
        Ok(Some(Message::Handshake(typ, body)))
    }

    fn pop_record(&mut self) -> Result<Option<(u8, Vec<u8>)>, ParseError> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        if !self.seen_record {
            self.check_first_bytes()?;
        }
        if self.buf.len() < 5 {
            return Ok(None);
        }
        let typ = self.buf[0];
        if !(20..=23).contains(&typ) {
            return Err(ParseError::UnexpectedRecord(typ));
        }
        if typ == 23 {
            return Err(ParseError::UnexpectedRecord(typ));
        }
        if self.buf[1] != 3 {
            return Err(ParseError::Malformed("record version"));
        }
        let len = u16::from_be_bytes([self.buf[3], self.buf[4]]) as usize;
        if len > MAX_RECORD {
            return Err(ParseError::TooLong("record"));
        }
        if self.buf.len() < 5 + len {
            return Ok(None);
        }
        self.seen_record = true;
        let fragment = self.buf[5..5 + len].to_vec();
        self.buf.drain(..5 + len);
        Ok(Some((typ, fragment)))
    }

    /// Recognises SSL 2.0 and plaintext answers from their first bytes.
    fn check_first_bytes(&self) -> Result<(), ParseError> {
        let b = &self.buf;
        if b[0] & 0x80 != 0 {
            // SSL 2.0 record: two-byte header with the top bit set; SERVER-HELLO is type 4.
            if b.len() >= 3 && b[2] == 4 {
                return Err(ParseError::Sslv2);
            }
            if b.len() < 3 {
                return Ok(());
            }
        }
        if (20..=23).contains(&b[0]) {
            return Ok(());
        }
        let shown: String = b.iter().take(40).map(|&c| c as char).collect();
        let printable = b
            .iter()
            .take(8)
            .all(|c| c.is_ascii_graphic() || *c == b' ' || *c == b'\r' || *c == b'\n');
        let start = if printable {
            format!(
                "the server answered in plain text: '{}'",
                crate::text::sanitize(shown.trim_end())
            )
        } else {
            let hex: Vec<String> = b.iter().take(8).map(|x| format!("{x:02x}")).collect();
            format!("first bytes {}", hex.join(" "))
        };
        Err(ParseError::NotTls(start))
    }
}

/// A ServerHello or HelloRetryRequest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerHello {
    /// legacy_version (0x0303 in TLS 1.3).
    pub legacy_version: u16,
    /// The version actually selected: supported_versions when present, else legacy_version.
    pub version: u16,
    /// The server random.
    pub random: [u8; 32],
    /// legacy_session_id (echo in TLS 1.3; a resumable session's ID before).
    pub session_id: Vec<u8>,
    /// The selected suite.
    pub suite: u16,
    /// The selected compression method (0 = none; 1 = DEFLATE, CRIME).
    pub compression: u8,
    /// Extensions in order: type and data.
    pub extensions: Vec<(u16, Vec<u8>)>,
    /// Whether this is a HelloRetryRequest.
    pub is_hrr: bool,
}

impl ServerHello {
    /// The data of an extension.
    pub fn extension(&self, typ: u16) -> Option<&[u8]> {
        self.extensions
            .iter()
            .find(|(t, _)| *t == typ)
            .map(|(_, d)| d.as_slice())
    }

    /// The group named in key_share: the one asked for (HRR) or used (ServerHello).
    pub fn key_share_group(&self) -> Result<Option<u16>, ParseError> {
        let Some(data) = self.extension(super::clienthello::ext::KEY_SHARE) else {
            return Ok(None);
        };
        let mut r = Reader::new(data, "key_share");
        let group = r.u16()?;
        if self.is_hrr {
            r.end()?;
        } else {
            let share = r.vec16()?;
            r.end()?;
            if share.is_empty() {
                return Err(ParseError::Malformed("key_share"));
            }
        }
        Ok(Some(group))
    }

    /// The ALPN protocol selected, if any.
    pub fn alpn(&self) -> Result<Option<Vec<u8>>, ParseError> {
        let Some(data) = self.extension(super::clienthello::ext::ALPN) else {
            return Ok(None);
        };
        let mut r = Reader::new(data, "ALPN");
        let list = r.vec16()?;
        r.end()?;
        let mut l = Reader::new(list, "ALPN");
        let proto = l.vec8()?;
        l.end()?;
        if proto.is_empty() {
            return Err(ParseError::Malformed("ALPN"));
        }
        Ok(Some(proto.to_vec()))
    }

    /// Whether the random carries a TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3).
    pub fn downgrade_sentinel(&self) -> bool {
        let tail = &self.random[24..];
        tail == DOWNGRADE_TLS12 || tail == DOWNGRADE_TLS11
    }
}

/// Parses the body of a ServerHello (handshake type 2).
pub fn parse_server_hello(body: &[u8]) -> Result<ServerHello, ParseError> {
    let mut r = Reader::new(body, "ServerHello");
    let legacy_version = r.u16()?;
    if legacy_version >> 8 != 3 {
        return Err(ParseError::Malformed("ServerHello version"));
    }
    let mut random = [0u8; 32];
    random.copy_from_slice(r.take(32)?);
    let session_id = r.vec8()?.to_vec();
    if session_id.len() > 32 {
        return Err(ParseError::TooLong("ServerHello session id"));
    }
    let suite = r.u16()?;
    let compression = r.u8()?;
    let mut extensions: Vec<(u16, Vec<u8>)> = Vec::new();
    if r.remaining() > 0 {
        let block = r.vec16()?;
        r.end()?;
        let mut e = Reader::new(block, "ServerHello extensions");
        while e.remaining() > 0 {
            let typ = e.u16()?;
            let data = e.vec16()?;
            if extensions.iter().any(|(t, _)| *t == typ) {
                return Err(ParseError::Malformed("ServerHello: duplicate extension"));
            }
            extensions.push((typ, data.to_vec()));
        }
    }
    let is_hrr = random == HRR_RANDOM;
    let mut version = legacy_version;
    if let Some((_, data)) = extensions
        .iter()
        .find(|(t, _)| *t == super::clienthello::ext::SUPPORTED_VERSIONS)
    {
        let mut v = Reader::new(data, "supported_versions");
        version = v.u16()?;
        v.end()?;
        if legacy_version != 0x0303 {
            return Err(ParseError::Malformed("TLS 1.3 ServerHello legacy_version"));
        }
    }
    if is_hrr && version != 0x0304 {
        return Err(ParseError::Malformed("HelloRetryRequest without TLS 1.3"));
    }
    Ok(ServerHello {
        legacy_version,
        version,
        random,
        session_id,
        suite,
        compression,
        extensions,
        is_hrr,
    })
}

/// The certificates of a TLS 1.2-and-below Certificate message, leaf first.
pub fn parse_certificate(body: &[u8]) -> Result<Vec<Vec<u8>>, ParseError> {
    let mut r = Reader::new(body, "Certificate");
    let list = r.vec24()?;
    r.end()?;
    let mut l = Reader::new(list, "Certificate");
    let mut certs = Vec::new();
    while l.remaining() > 0 {
        let cert = l.vec24()?;
        if cert.is_empty() {
            return Err(ParseError::Malformed("Certificate: empty entry"));
        }
        if certs.len() == MAX_CERTS {
            return Err(ParseError::TooLong("certificate chain"));
        }
        certs.push(cert.to_vec());
    }
    Ok(certs)
}

/// The OCSP response of a CertificateStatus message.
pub fn parse_certificate_status(body: &[u8]) -> Result<Vec<u8>, ParseError> {
    let mut r = Reader::new(body, "CertificateStatus");
    if r.u8()? != 1 {
        return Err(ParseError::Malformed("CertificateStatus type"));
    }
    let ocsp = r.vec24()?;
    r.end()?;
    Ok(ocsp.to_vec())
}

/// What a ServerKeyExchange reveals about the key exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KxParams {
    /// ECDHE on a named group.
    Ecdhe {
        /// The group's code point.
        group: u16,
    },
    /// ECDHE on explicit curve parameters (a legacy, dangerous form).
    EcdheExplicit,
    /// Finite-field DHE with a prime of this many bits.
    Dhe {
        /// Bits in the prime p.
        bits: u32,
    },
}

/// Reads the key-exchange parameters at the start of a ServerKeyExchange.
/// `ecdhe` says which form the suite uses; the signature that follows is not needed.
pub fn parse_server_key_exchange(body: &[u8], ecdhe: bool) -> Result<KxParams, ParseError> {
    let mut r = Reader::new(body, "ServerKeyExchange");
    if ecdhe {
        match r.u8()? {
            3 => {
                let group = r.u16()?;
                let point = r.vec8()?;
                if point.is_empty() {
                    return Err(ParseError::Malformed("ServerKeyExchange point"));
                }
                Ok(KxParams::Ecdhe { group })
            }
            1 | 2 => Ok(KxParams::EcdheExplicit),
            _ => Err(ParseError::Malformed("ServerKeyExchange curve type")),
        }
    } else {
        let p = r.vec16()?;
        let g = r.vec16()?;
        let ys = r.vec16()?;
        if p.is_empty() || g.is_empty() || ys.is_empty() {
            return Err(ParseError::Malformed("ServerKeyExchange DH parameters"));
        }
        Ok(KxParams::Dhe {
            bits: bit_length(p),
        })
    }
}

/// Bits in a big-endian unsigned integer.
fn bit_length(n: &[u8]) -> u32 {
    match n.iter().position(|&b| b != 0) {
        None => 0,
        Some(i) => ((n.len() - i - 1) * 8) as u32 + (8 - n[i].leading_zeros()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::clienthello::ext;

    /// A small deterministic generator (xorshift64*), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    fn server_hello_body(
        version: u16,
        random: [u8; 32],
        suite: u16,
        exts: &[(u16, Vec<u8>)],
    ) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&version.to_be_bytes());
        b.extend_from_slice(&random);
        b.push(32);
        b.extend_from_slice(&[7u8; 32]);
        b.extend_from_slice(&suite.to_be_bytes());
        b.push(0);
        let mut e = Vec::new();
        for (t, d) in exts {
            e.extend_from_slice(&t.to_be_bytes());
            e.extend_from_slice(&(d.len() as u16).to_be_bytes());
            e.extend_from_slice(d);
        }
        b.extend_from_slice(&(e.len() as u16).to_be_bytes());
        b.extend_from_slice(&e);
        b
    }

    fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
        let mut m = vec![typ];
        m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        m.extend_from_slice(body);
        m
    }

    fn record(typ: u8, data: &[u8]) -> Vec<u8> {
        let mut r = vec![typ, 3, 3];
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(data);
        r
    }

    /// A realistic TLS 1.2 first flight: ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
    fn tls12_flight() -> Vec<u8> {
        let sh = server_hello_body(
            0x0303,
            [9u8; 32],
            0xC02F,
            &[
                (ext::RENEGOTIATION_INFO, vec![0]),
                (ext::ALPN, b"\x00\x03\x02h2".to_vec()),
            ],
        );
        let mut certs = Vec::new();
        for c in [vec![0x30u8; 300], vec![0x31u8; 200]] {
            certs.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
            certs.extend_from_slice(&c);
        }
        let mut cert_body = (certs.len() as u32).to_be_bytes()[1..].to_vec();
        cert_body.extend_from_slice(&certs);
        let mut ske = vec![3, 0x00, 0x1D, 32];
        ske.extend_from_slice(&[5u8; 32]);
        ske.extend_from_slice(&[0x08, 0x04, 0, 2, 1, 2]);
        let mut hs = handshake(2, &sh);
        hs.extend(handshake(11, &cert_body));
        hs.extend(handshake(12, &ske));
        hs.extend(handshake(14, &[]));
        // Split the handshake stream over records at odd places, as servers may.
        let mut out = Vec::new();
        for chunk in hs.chunks(333) {
            out.extend(record(22, chunk));
        }
        out
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Message>, ParseError> {
        let mut f = FlightReader::new();
        f.push(bytes)?;
        let mut out = Vec::new();
        while let Some(m) = f.next_message()? {
            out.push(m);
            if out.len() > 100 {
                break;
            }
        }
        Ok(out)
    }

    #[test]
    fn reads_a_tls12_flight() {
        let msgs = read_all(&tls12_flight()).unwrap();
        let types: Vec<u8> = msgs
            .iter()
            .map(|m| match m {
                Message::Handshake(t, _) => *t,
                _ => 0,
            })
            .collect();
        assert_eq!(types, vec![2, 11, 12, 14]);
        let Message::Handshake(_, sh) = &msgs[0] else {
            unreachable!()
        };
        let sh = parse_server_hello(sh).unwrap();
        assert_eq!((sh.version, sh.suite, sh.is_hrr), (0x0303, 0xC02F, false));
        assert_eq!(sh.alpn().unwrap(), Some(b"h2".to_vec()));
        assert_eq!(sh.extension(ext::RENEGOTIATION_INFO), Some(&[0u8][..]));
        let Message::Handshake(_, c) = &msgs[1] else {
            unreachable!()
        };
        assert_eq!(parse_certificate(c).unwrap().len(), 2);
        let Message::Handshake(_, k) = &msgs[2] else {
            unreachable!()
        };
        assert_eq!(
            parse_server_key_exchange(k, true).unwrap(),
            KxParams::Ecdhe { group: 0x001D }
        );
    }

    #[test]
    fn byte_at_a_time_gives_the_same_messages() {
        let flight = tls12_flight();
        let whole = read_all(&flight).unwrap();
        let mut f = FlightReader::new();
        let mut got = Vec::new();
        for b in &flight {
            f.push(&[*b]).unwrap();
            while let Some(m) = f.next_message().unwrap() {
                got.push(m);
            }
        }
        assert_eq!(got, whole);
    }

    #[test]
    fn recognises_hrr_and_tls13() {
        let body = server_hello_body(
            0x0303,
            HRR_RANDOM,
            0x1302,
            &[
                (ext::SUPPORTED_VERSIONS, vec![3, 4]),
                (ext::KEY_SHARE, vec![0x11, 0xEC]),
            ],
        );
        let sh = parse_server_hello(&body).unwrap();
        assert!(sh.is_hrr);
        assert_eq!(sh.version, 0x0304);
        assert_eq!(sh.key_share_group().unwrap(), Some(0x11EC));
        // An HRR that claims TLS 1.2 is nonsense.
        let bad = server_hello_body(0x0303, HRR_RANDOM, 0x1302, &[]);
        assert!(parse_server_hello(&bad).is_err());
        // A real TLS 1.3 ServerHello carries a share.
        let sh = server_hello_body(
            0x0303,
            [1; 32],
            0x1301,
            &[
                (ext::SUPPORTED_VERSIONS, vec![3, 4]),
                (ext::KEY_SHARE, vec![0, 0x1D, 0, 2, 1, 2]),
            ],
        );
        let sh = parse_server_hello(&sh).unwrap();
        assert_eq!(sh.key_share_group().unwrap(), Some(0x001D));
    }

    #[test]
    fn alerts_and_refusals() {
        let msgs = read_all(&record(21, &[2, 70])).unwrap();
        assert_eq!(
            msgs,
            vec![Message::Alert(Alert {
                level: 2,
                description: 70
            })]
        );
        assert_eq!(
            Alert {
                level: 2,
                description: 70
            }
            .name(),
            "protocol_version"
        );
        assert!(read_all(&record(21, &[2, 40, 0])).is_err());
        assert!(read_all(&record(21, &[9, 40])).is_err());
    }

    #[test]
    fn rejects_non_tls_answers_cleanly() {
        assert_eq!(
            read_all(&[0x80, 0x2e, 0x04, 0x00, 0x01]).unwrap_err(),
            ParseError::Sslv2
        );
        let e = read_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("plain text: 'HTTP/1.1 400 Bad Request"),
            "{e}"
        );
        let e = read_all(b"SSH-2.0-OpenSSH_9.2\r\n").unwrap_err();
        assert!(e.to_string().contains("SSH-2.0"), "{e}");
        assert!(matches!(
            read_all(&[0x17, 3, 3, 0, 1, 0]).unwrap_err(),
            ParseError::UnexpectedRecord(23)
        ));
        assert!(matches!(
            read_all(&[22, 3, 3, 0x40, 0x01]).unwrap_err(),
            ParseError::TooLong(_)
        ));
        assert!(matches!(
            read_all(&[22, 4, 3, 0, 1, 0]).unwrap_err(),
            ParseError::Malformed(_)
        ));
        // A control-character banner never reaches the terminal raw.
        let e = read_all(b"\x1b[31mhi there\x1b[0m").unwrap_err();
        assert!(!e.to_string().contains('\x1b'));
    }

    #[test]
    fn truncations_of_a_valid_flight_never_yield_garbage() {
        let flight = tls12_flight();
        let whole = read_all(&flight).unwrap();
        for cut in 0..flight.len() {
            let got = read_all(&flight[..cut]).expect("a prefix is not an error, only incomplete");
            assert!(got.len() < whole.len());
            assert_eq!(got[..], whole[..got.len()], "cut at {cut}");
        }
    }

    #[test]
    fn truncated_message_bodies_are_errors() {
        let Message::Handshake(_, sh) = &read_all(&tls12_flight()).unwrap()[0] else {
            unreachable!()
        };
        // 70 bytes is a complete hello without extensions, which is valid.
        for cut in (0..sh.len()).filter(|&c| c != 70) {
            assert!(parse_server_hello(&sh[..cut]).is_err(), "cut at {cut}");
        }
        assert!(parse_server_hello(&sh[..70]).unwrap().extensions.is_empty());
        let mut longer = sh.clone();
        longer.push(0);
        assert!(parse_server_hello(&longer).is_err());
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let flight = tls12_flight();
        for round in 0..20_000 {
            let input = match round % 4 {
                // Pure noise.
                0 => {
                    let n = rng.below(600);
                    rng.bytes(n)
                }
                // Noise behind a plausible record header.
                1 => {
                    let n = rng.below(400);
                    let mut v = vec![22, 3, 3, (n >> 8) as u8, n as u8];
                    v.extend(rng.bytes(n));
                    v
                }
                // A valid flight with a few bytes flipped.
                2 => {
                    let mut v = flight.clone();
                    for _ in 0..=rng.below(4) {
                        let i = rng.below(v.len());
                        v[i] = rng.next() as u8;
                    }
                    v
                }
                // A valid flight cut short and followed by noise.
                _ => {
                    let cut = rng.below(flight.len());
                    let mut v = flight[..cut].to_vec();
                    let n = rng.below(50);
                    v.extend(rng.bytes(n));
                    v
                }
            };
            if let Ok(msgs) = read_all(&input) {
                for m in msgs {
                    if let Message::Handshake(typ, body) = m {
                        let _ = parse_server_hello(&body).map(|sh| {
                            let _ = sh.key_share_group();
                            let _ = sh.alpn();
                            sh.downgrade_sentinel()
                        });
                        let _ = parse_certificate(&body);
                        let _ = parse_certificate_status(&body);
                        let _ = parse_server_key_exchange(&body, typ % 2 == 0);
                    }
                }
            }
            let n = rng.below(120);
            let body = rng.bytes(n);
            let _ = parse_server_hello(&body);
            let _ = parse_server_key_exchange(&body, false);
            let _ = parse_certificate(&body);
        }
    }

    #[test]
    fn flight_size_is_capped() {
        let mut f = FlightReader::new();
        let chunk = vec![0u8; 64 * 1024];
        let mut result = Ok(());
        for _ in 0..5 {
            result = f.push(&chunk);
            if result.is_err() {
                break;
            }
        }
        assert!(matches!(result, Err(ParseError::TooLong(_))));
    }

    #[test]
    fn dh_prime_bits() {
        assert_eq!(bit_length(&[0, 0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[0; 4]), 0);
        let mut ske = Vec::new();
        let p = [0xFFu8; 128];
        ske.extend_from_slice(&(p.len() as u16).to_be_bytes());
        ske.extend_from_slice(&p);
        ske.extend_from_slice(&[0, 1, 2, 0, 1, 5]);
        assert_eq!(
            parse_server_key_exchange(&ske, false).unwrap(),
            KxParams::Dhe { bits: 1024 }
        );
    }
}
