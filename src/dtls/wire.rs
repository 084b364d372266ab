//! Just enough of the DTLS wire format to see what a handshake negotiated
//! (dimpl does not say which suite or group it chose) and to tell a
//! ClientHello from noise before any state is kept for a new peer.
//!
//! Only plaintext (epoch 0) handshake records are read: the ServerHello,
//! HelloVerifyRequest, ServerKeyExchange and CertificateRequest of DTLS 1.2,
//! and the ServerHello or HelloRetryRequest of DTLS 1.3.

/// `Handshake` record content type.
const HANDSHAKE: u8 = 22;
/// The DTLS record header: type, version, epoch, sequence number, length.
const RECORD_HEADER: usize = 13;
/// The handshake message header: type, length, message_seq, fragment offset and length.
const HANDSHAKE_HEADER: usize = 12;

/// The random of a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// What the plaintext part of a handshake showed, gathered datagram by datagram.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelloInfo {
    /// The cipher suite the ServerHello chose.
    pub cipher_suite: Option<u16>,
    /// The key-exchange group (DTLS 1.3 key_share, or the DTLS 1.2 ServerKeyExchange curve).
    pub group: Option<u16>,
    /// DTLS 1.3 (supported_versions in the ServerHello said so).
    pub dtls13: bool,
    /// HelloVerifyRequests seen (DTLS 1.2 cookie exchange).
    pub hello_verify_requests: u32,
    /// HelloRetryRequests seen (DTLS 1.3 cookie or group retry).
    pub hello_retry_requests: u32,
    /// A real ServerHello (not a HelloRetryRequest) was seen.
    pub server_hello: bool,
    /// A DTLS 1.2 CertificateRequest was seen (in DTLS 1.3 it is encrypted).
    pub certificate_request: bool,
}

impl HelloInfo {
    /// Reads the plaintext handshake messages of one datagram.
    pub fn observe(&mut self, datagram: &[u8]) {
        for (content_type, epoch, body) in records(datagram) {
            if content_type != HANDSHAKE || epoch != 0 {
                continue;
            }
            let mut rest = body;
            while rest.len() >= HANDSHAKE_HEADER {
                let msg_type = rest[0];
                let offset = u24(&rest[6..9]);
                let frag_len = u24(&rest[9..12]);
                let Some(fragment) = rest.get(HANDSHAKE_HEADER..HANDSHAKE_HEADER + frag_len) else {
                    break;
                };
                if offset == 0 {
                    self.message(msg_type, fragment);
                }
                rest = &rest[HANDSHAKE_HEADER + frag_len..];
            }
        }
    }

    fn message(&mut self, msg_type: u8, body: &[u8]) {
        match msg_type {
            2 => self.server_hello(body),
            3 => self.hello_verify_requests += 1,
            // ServerKeyExchange: curve_type 3 (named_curve), then the group.
            12 if body.first() == Some(&3) && body.len() >= 3 => {
                self.group
                    .get_or_insert(u16::from_be_bytes([body[1], body[2]]));
            }
            13 => self.certificate_request = true,
            _ => {}
        }
    }

    fn server_hello(&mut self, body: &[u8]) {
        // version(2) random(32) session_id<1> cipher_suite(2) compression(1) extensions<2>
        let Some(random) = body.get(2..34) else {
            return;
        };
        let hrr = random == HRR_RANDOM;
        let Some(&sid_len) = body.get(34) else {
            return;
        };
        let at = 35 + usize::from(sid_len);
        let Some(suite) = body.get(at..at + 2) else {
            return;
        };
        if hrr {
            self.hello_retry_requests += 1;
            return;
        }
        self.server_hello = true;
        self.cipher_suite = Some(u16::from_be_bytes([suite[0], suite[1]]));
        let Some(ext_len) = body.get(at + 3..at + 5) else {
            return;
        };
        let end =
            (at + 5 + usize::from(u16::from_be_bytes([ext_len[0], ext_len[1]]))).min(body.len());
        let mut exts = body.get(at + 5..end).unwrap_or_default();
        while exts.len() >= 4 {
            let kind = u16::from_be_bytes([exts[0], exts[1]]);
            let len = usize::from(u16::from_be_bytes([exts[2], exts[3]]));
            let Some(data) = exts.get(4..4 + len) else {
                break;
            };
            match kind {
                // supported_versions: DTLS 1.3 is 0xfefc.
                43 if data == [0xfe, 0xfc] => self.dtls13 = true,
                // key_share: the server's group comes first.
                51 if data.len() >= 2 => self.group = Some(u16::from_be_bytes([data[0], data[1]])),
                _ => {}
            }
            exts = &exts[4 + len..];
        }
    }
}

/// Whether a datagram opens with a plaintext ClientHello (the only thing a new
/// peer may send first). Anything else from an unknown address is dropped
/// without keeping any state.
pub fn starts_with_client_hello(datagram: &[u8]) -> bool {
    datagram.len() >= RECORD_HEADER + HANDSHAKE_HEADER
        && datagram[0] == HANDSHAKE
        && datagram[1] == 0xfe
        && datagram[3..5] == [0, 0]
        && datagram[RECORD_HEADER] == 1
}

/// The (content type, epoch, body) of each DTLSPlaintext record in a datagram;
/// stops at the first record in DTLS 1.3's short encrypted form, or a truncated one.
fn records(mut datagram: &[u8]) -> impl Iterator<Item = (u8, u16, &[u8])> {
    std::iter::from_fn(move || {
        if datagram.len() < RECORD_HEADER || datagram[0] & 0xe0 == 0x20 {
            return None;
        }
        let content_type = datagram[0];
        let epoch = u16::from_be_bytes([datagram[3], datagram[4]]);
        let len = usize::from(u16::from_be_bytes([datagram[11], datagram[12]]));
        let body = datagram.get(RECORD_HEADER..RECORD_HEADER + len)?;
        datagram = &datagram[RECORD_HEADER + len..];
        Some((content_type, epoch, body))
    })
}

/// A fatal alert in a plaintext (epoch 0) DTLS 1.2 record: what a server
/// that has not yet switched to encryption sends to refuse a client.
pub fn plaintext_alert(description: u8) -> Vec<u8> {
    // A record sequence number well above any a handshake uses, so that the
    // peer's replay window does not discard it.
    let mut r = vec![21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 2];
    r.extend_from_slice(&[2, description]);
    r
}

fn u24(b: &[u8]) -> usize {
    (usize::from(b[0]) << 16) | (usize::from(b[1]) << 8) | usize::from(b[2])
}

/// The IANA name of a DTLS cipher suite.
pub fn suite_name(suite: u16) -> String {
    crate::tls::handshake::suite_name(rustls::CipherSuite::from(suite))
}

/// The IANA name of a key-exchange group.
pub fn group_name(group: u16) -> String {
    crate::tls::handshake::group_name(rustls::NamedGroup::from(group))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(epoch: u16, body: &[u8]) -> Vec<u8> {
        let mut r = vec![HANDSHAKE, 0xfe, 0xfd];
        r.extend_from_slice(&epoch.to_be_bytes());
        r.extend_from_slice(&[0; 6]);
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn message(msg_type: u8, body: &[u8]) -> Vec<u8> {
        let len = (body.len() as u32).to_be_bytes();
        let mut m = vec![
            msg_type, len[1], len[2], len[3], 0, 0, 0, 0, 0, len[1], len[2], len[3],
        ];
        m.extend_from_slice(body);
        m
    }

    fn server_hello(random: [u8; 32], suite: u16, exts: &[u8]) -> Vec<u8> {
        let mut b = vec![0xfe, 0xfd];
        b.extend_from_slice(&random);
        b.push(0);
        b.extend_from_slice(&suite.to_be_bytes());
        b.push(0);
        b.extend_from_slice(&(exts.len() as u16).to_be_bytes());
        b.extend_from_slice(exts);
        b
    }

    #[test]
    fn reads_a_dtls13_server_hello_and_counts_a_retry() {
        let exts = [0, 43, 0, 2, 0xfe, 0xfc, 0, 51, 0, 4, 0, 29, 0, 0];
        let hrr = record(0, &message(2, &server_hello(HRR_RANDOM, 0x1301, &exts)));
        let sh = record(0, &message(2, &server_hello([7; 32], 0x1302, &exts)));
        let mut info = HelloInfo::default();
        info.observe(&hrr);
        assert_eq!(info.hello_retry_requests, 1);
        assert!(!info.server_hello);
        info.observe(&sh);
        assert!(info.server_hello && info.dtls13);
        assert_eq!(info.cipher_suite, Some(0x1302));
        assert_eq!(suite_name(0x1302), "TLS_AES_256_GCM_SHA384");
        assert_eq!(info.group.map(group_name).as_deref(), Some("X25519"));
    }

    #[test]
    fn reads_a_dtls12_flight_and_ignores_noise() {
        let mut flight = record(0, &message(2, &server_hello([1; 32], 0xc02b, &[])));
        flight.extend(record(0, &message(12, &[3, 0, 23, 65])));
        flight.extend(record(0, &message(13, &[1, 64])));
        let mut info = HelloInfo::default();
        info.observe(&flight);
        info.observe(b"garbage");
        info.observe(&record(1, &message(2, &[0; 3])));
        assert_eq!(info.cipher_suite, Some(0xc02b));
        assert_eq!(info.group.map(group_name).as_deref(), Some("secp256r1"));
        assert!(info.certificate_request && !info.dtls13);
        assert!(!starts_with_client_hello(&flight));
        assert!(starts_with_client_hello(&record(0, &message(1, &[0; 40]))));
        assert!(!starts_with_client_hello(b"\x16\xfe\xfd"));
    }
}
