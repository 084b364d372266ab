//! ClientHellos built byte by byte, for every version a probe can offer.
//!
//! rustls speaks only TLS 1.2 and 1.3 and chooses its own suites, so the
//! probes write their own hellos: any list of suites and groups, SSL 3.0 to
//! TLS 1.3. No handshake is ever completed from these, so no key material
//! is made: the TLS 1.3 hello carries an empty key_share, which obliges the
//! server to answer with a HelloRetryRequest naming the group and suite it
//! selects (RFC 8446 §4.1.4) without doing any cryptography itself.

use super::registry::Version;

/// Extension code points used here.
pub mod ext {
    /// server_name (RFC 6066).
    pub const SERVER_NAME: u16 = 0;
    /// status_request (OCSP stapling, RFC 6066).
    pub const STATUS_REQUEST: u16 = 5;
    /// supported_groups (RFC 8422, 7919).
    pub const SUPPORTED_GROUPS: u16 = 10;
    /// ec_point_formats (RFC 8422).
    pub const EC_POINT_FORMATS: u16 = 11;
    /// signature_algorithms (RFC 5246, 8446).
    pub const SIGNATURE_ALGORITHMS: u16 = 13;
    /// application_layer_protocol_negotiation (RFC 7301).
    pub const ALPN: u16 = 16;
    /// padding (RFC 7685).
    pub const PADDING: u16 = 21;
    /// record_size_limit (RFC 8449).
    pub const RECORD_SIZE_LIMIT: u16 = 28;
    /// extended_master_secret (RFC 7627).
    pub const EXTENDED_MASTER_SECRET: u16 = 23;
    /// session_ticket (RFC 5077).
    pub const SESSION_TICKET: u16 = 35;
    /// supported_versions (RFC 8446).
    pub const SUPPORTED_VERSIONS: u16 = 43;
    /// psk_key_exchange_modes (RFC 8446).
    pub const PSK_KEY_EXCHANGE_MODES: u16 = 45;
    /// key_share (RFC 8446).
    pub const KEY_SHARE: u16 = 51;
    /// renegotiation_info (RFC 5746).
    pub const RENEGOTIATION_INFO: u16 = 0xFF01;
}

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): SSL 3.0's way to ask for secure renegotiation.
pub const EMPTY_RENEGOTIATION_INFO_SCSV: u16 = 0x00FF;
/// TLS_FALLBACK_SCSV (RFC 7507): "this is a downgraded retry".
pub const FALLBACK_SCSV: u16 = 0x5600;

/// The largest plaintext record (RFC 8446 §5.1).
const MAX_FRAGMENT: usize = 16384;

/// Signature algorithms offered: every scheme a server might sign with,
/// old ones included, so that the choice of suite is never limited by them.
const SIGNATURE_SCHEMES: &[u16] = &[
    0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, secp384r1_sha384, secp521r1_sha512
    0x0807, 0x0808, // ed25519, ed448
    0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
    0x0809, 0x080A, 0x080B, // rsa_pss_pss_sha256/384/512
    0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
    0x0402, 0x0502, 0x0602, // dsa_sha256/384/512
    0x0303, 0x0301, 0x0302, // ecdsa/rsa/dsa with SHA-224
    0x0203, 0x0201, 0x0202, // ecdsa/rsa/dsa with SHA-1
];

/// What a ClientHello offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloSpec {
    /// The version offered: the hello's legacy_version for SSL 3.0 to TLS 1.2,
    /// supported_versions = [TLS 1.3] for TLS 1.3.
    pub version: Version,
    /// Cipher suites, in preference order.
    pub suites: Vec<u16>,
    /// Named groups, in preference order (ignored for SSL 3.0).
    pub groups: Vec<u16>,
    /// A DNS name to send as SNI.
    pub server_name: Option<String>,
    /// ALPN protocols to offer.
    pub alpn: Vec<Vec<u8>>,
    /// Ask for a stapled OCSP response.
    pub status_request: bool,
    /// Offer session tickets (TLS 1.0 to 1.2).
    pub session_ticket: bool,
    /// Add TLS_FALLBACK_SCSV (a downgraded retry, RFC 7507).
    pub fallback_scsv: bool,
    /// Offer DEFLATE compression before none (to catch CRIME-prone servers; never in TLS 1.3).
    pub offer_compression: bool,
    /// The client random.
    pub random: [u8; 32],
    /// legacy_session_id: 32 random bytes in TLS 1.3 (middlebox compatibility), else empty.
    pub session_id: Vec<u8>,
    /// A legacy_version other than the version's (a version-intolerance probe).
    pub legacy_version: Option<u16>,
    /// Versions listed before TLS 1.3 in supported_versions (unknown or GREASE values).
    pub extra_versions: Vec<u16>,
    /// Extensions added after the usual ones (unknown, GREASE or heartbeat).
    pub extra_extensions: Vec<(u16, Vec<u8>)>,
    /// TLS 1.3 key shares (group, public key). Empty, as probes send it, the server must
    /// answer with a HelloRetryRequest; with a share it sends its encrypted flight, whose
    /// record sizes the record-size probe reads (it never decrypts them).
    pub key_shares: Vec<(u16, Vec<u8>)>,
}

impl HelloSpec {
    /// A hello for `version` offering `suites` and `groups`, with fresh randomness.
    pub fn new(version: Version, suites: Vec<u16>, groups: Vec<u16>) -> HelloSpec {
        let mut random = [0u8; 32];
        fill_random(&mut random);
        let session_id = if version == Version::Tls13 {
            let mut id = vec![0u8; 32];
            fill_random(&mut id);
            id
        } else {
            Vec::new()
        };
        HelloSpec {
            version,
            suites,
            groups,
            server_name: None,
            alpn: Vec::new(),
            status_request: true,
            session_ticket: true,
            fallback_scsv: false,
            offer_compression: false,
            random,
            session_id,
            legacy_version: None,
            extra_versions: Vec::new(),
            extra_extensions: Vec::new(),
            key_shares: Vec::new(),
        }
    }

    /// The ClientHello handshake message (type, length, body), before it is put in records.
    pub fn message(&self) -> Vec<u8> {
        let body = self.handshake_body();
        let mut msg = Vec::with_capacity(body.len() + 4);
        msg.push(1); // client_hello
        put_u24(&mut msg, body.len());
        msg.extend_from_slice(&body);
        msg
    }

    /// The ClientHello as records, ready to write to the socket.
    pub fn to_records(&self) -> Vec<u8> {
        self.to_records_of(MAX_FRAGMENT)
    }

    /// The ClientHello in records of at most `fragment` bytes each (at least 1). Above
    /// 16384, the protocol's limit, a record larger than a server may accept can be made.
    pub fn to_records_of(&self, fragment: usize) -> Vec<u8> {
        let msg = self.message();
        // SSL 3.0 servers expect 0x0300 in the record; everyone else gets
        // 0x0301, which the most servers accept (RFC 8446 §5.1).
        let record_version = if self.version == Version::Ssl3 {
            0x0300
        } else {
            0x0301
        };
        let fragment = fragment.clamp(1, usize::from(u16::MAX));
        let mut out = Vec::with_capacity(msg.len() + 5 * (1 + msg.len() / fragment));
        for chunk in msg.chunks(fragment) {
            out.push(22); // handshake
            put_u16(&mut out, record_version);
            put_u16(&mut out, chunk.len());
            out.extend_from_slice(chunk);
        }
        out
    }

    fn handshake_body(&self) -> Vec<u8> {
        let legacy_version = match (self.legacy_version, self.version) {
            (Some(v), _) => v,
            (None, Version::Tls13) => 0x0303,
            (None, v) => v.wire(),
        };
        let mut b = Vec::with_capacity(128 + 2 * self.suites.len());
        put_u16(&mut b, legacy_version);
        b.extend_from_slice(&self.random);
        put_vec8(&mut b, &self.session_id);
        let mut suites = self.suites.clone();
        if self.version == Version::Ssl3 {
            suites.push(EMPTY_RENEGOTIATION_INFO_SCSV);
        }
        if self.fallback_scsv {
            suites.push(FALLBACK_SCSV);
        }
        put_u16(&mut b, suites.len() * 2);
        for s in &suites {
            put_u16(&mut b, *s);
        }
        if self.offer_compression && self.version != Version::Tls13 {
            b.extend_from_slice(&[2, 1, 0]); // DEFLATE, null
        } else {
            b.extend_from_slice(&[1, 0]); // null only
        }
        if self.version == Version::Ssl3 {
            return b;
        }
        let exts = self.extensions(b.len());
        put_vec16(&mut b, &exts);
        b
    }

    fn extensions(&self, body_so_far: usize) -> Vec<u8> {
        let mut e = Vec::with_capacity(256);
        if let Some(name) = &self.server_name {
            let mut list = vec![0u8]; // host_name
            put_vec16(&mut list, name.as_bytes());
            let mut sni = Vec::new();
            put_vec16(&mut sni, &list);
            put_ext(&mut e, ext::SERVER_NAME, &sni);
        }
        if !self.groups.is_empty() {
            let mut g = Vec::with_capacity(2 + 2 * self.groups.len());
            put_u16(&mut g, self.groups.len() * 2);
            for id in &self.groups {
                put_u16(&mut g, *id);
            }
            put_ext(&mut e, ext::SUPPORTED_GROUPS, &g);
        }
        if self.version >= Version::Tls12 {
            let mut s = Vec::with_capacity(2 + 2 * SIGNATURE_SCHEMES.len());
            put_u16(&mut s, SIGNATURE_SCHEMES.len() * 2);
            for id in SIGNATURE_SCHEMES {
                put_u16(&mut s, *id);
            }
            put_ext(&mut e, ext::SIGNATURE_ALGORITHMS, &s);
        }
        if !self.alpn.is_empty() {
            let mut list = Vec::new();
            for p in &self.alpn {
                put_vec8(&mut list, p);
            }
            let mut a = Vec::new();
            put_vec16(&mut a, &list);
            put_ext(&mut e, ext::ALPN, &a);
        }
        if self.status_request {
            // ocsp, no responder ids, no request extensions
            put_ext(&mut e, ext::STATUS_REQUEST, &[1, 0, 0, 0, 0]);
        }
        if self.version == Version::Tls13 {
            let mut versions = Vec::new();
            for v in self.extra_versions.iter().chain(std::iter::once(&0x0304)) {
                put_u16(&mut versions, *v);
            }
            let mut sv = vec![versions.len().min(254) as u8];
            sv.extend_from_slice(&versions);
            put_ext(&mut e, ext::SUPPORTED_VERSIONS, &sv);
            // An empty client_shares list (unless shares are given): the server must say
            // which group it wants.
            let mut shares = Vec::new();
            for (group, key) in &self.key_shares {
                put_u16(&mut shares, *group);
                put_vec16(&mut shares, key);
            }
            let mut ks = Vec::new();
            put_vec16(&mut ks, &shares);
            put_ext(&mut e, ext::KEY_SHARE, &ks);
            put_ext(&mut e, ext::PSK_KEY_EXCHANGE_MODES, &[1, 1]); // psk_dhe_ke
        } else {
            put_ext(&mut e, ext::EC_POINT_FORMATS, &[1, 0]); // uncompressed
            put_ext(&mut e, ext::RENEGOTIATION_INFO, &[0]);
            put_ext(&mut e, ext::EXTENDED_MASTER_SECRET, &[]);
            if self.session_ticket {
                put_ext(&mut e, ext::SESSION_TICKET, &[]);
            }
        }
        for (typ, data) in &self.extra_extensions {
            put_ext(&mut e, *typ, data);
        }
        // Some servers (old F5 BIG-IP) hang on hellos of 256 to 511 bytes;
        // pad past them as browsers do (RFC 7685).
        let unpadded = 4 + body_so_far + 2 + e.len();
        if (256..512).contains(&unpadded) {
            let pad = (512 - unpadded).saturating_sub(4).max(1);
            put_ext(&mut e, ext::PADDING, &vec![0u8; pad]);
        }
        e
    }
}

/// Fills `buf` with random bytes for a probe's random and session ID, from
/// aws-lc's generator (seeded by the kernel: see `.cargo/config.toml`).
/// Should the generator fail, the bytes stay zero: a probe never completes a
/// handshake, so its random protects nothing and only has to be well-formed.
pub fn fill_random(buf: &mut [u8]) {
    if aws_lc_rs::rand::fill(buf).is_err() {
        buf.fill(0);
    }
}

fn put_u16(out: &mut Vec<u8>, v: impl TryInto<u16>) {
    let v: u16 = v.try_into().unwrap_or(u16::MAX);
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_u24(out: &mut Vec<u8>, v: usize) {
    let v = v.min(0xFF_FFFF) as u32;
    out.extend_from_slice(&v.to_be_bytes()[1..]);
}

fn put_vec8(out: &mut Vec<u8>, data: &[u8]) {
    out.push(data.len().min(255) as u8);
    out.extend_from_slice(&data[..data.len().min(255)]);
}

fn put_vec16(out: &mut Vec<u8>, data: &[u8]) {
    put_u16(out, data.len());
    out.extend_from_slice(data);
}

fn put_ext(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    put_u16(out, typ);
    put_vec16(out, data);
}

#[cfg(test)]
mod tests {
    use super::*;

    type Extensions = Vec<(u16, Vec<u8>)>;

    /// Walks a hello the way a server would and returns (legacy_version, suites, extensions).
    fn dissect(records: &[u8]) -> (u16, Vec<u16>, Extensions) {
        let mut msg = Vec::new();
        let mut r = records;
        while !r.is_empty() {
            assert_eq!(r[0], 22);
            let len = u16::from_be_bytes([r[3], r[4]]) as usize;
            msg.extend_from_slice(&r[5..5 + len]);
            r = &r[5 + len..];
        }
        assert_eq!(msg[0], 1);
        let len = u32::from_be_bytes([0, msg[1], msg[2], msg[3]]) as usize;
        assert_eq!(len, msg.len() - 4);
        let b = &msg[4..];
        let version = u16::from_be_bytes([b[0], b[1]]);
        let sid_len = b[34] as usize;
        let mut p = 35 + sid_len;
        let slen = u16::from_be_bytes([b[p], b[p + 1]]) as usize;
        let suites = b[p + 2..p + 2 + slen]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        p += 2 + slen;
        let ncomp = b[p] as usize;
        assert_eq!(b[p + ncomp], 0, "null compression is always offered, last");
        p += 1 + ncomp;
        let mut exts = Vec::new();
        if p < b.len() {
            let elen = u16::from_be_bytes([b[p], b[p + 1]]) as usize;
            p += 2;
            assert_eq!(p + elen, b.len(), "extensions fill the rest of the hello");
            while p < b.len() {
                let t = u16::from_be_bytes([b[p], b[p + 1]]);
                let l = u16::from_be_bytes([b[p + 2], b[p + 3]]) as usize;
                exts.push((t, b[p + 4..p + 4 + l].to_vec()));
                p += 4 + l;
            }
        }
        (version, suites, exts)
    }

    #[test]
    fn tls12_hello_is_well_formed() {
        let mut h = HelloSpec::new(Version::Tls12, vec![0xC02F, 0x009C], vec![0x001D, 0x0017]);
        h.server_name = Some("example.com".into());
        h.alpn = vec![b"h2".to_vec()];
        let records = h.to_records();
        assert_eq!(&records[..3], &[22, 3, 1]);
        let (v, suites, exts) = dissect(&records);
        assert_eq!(v, 0x0303);
        assert_eq!(suites, vec![0xC02F, 0x009C]);
        let types: Vec<u16> = exts.iter().map(|e| e.0).collect();
        for t in [
            ext::SERVER_NAME,
            ext::SUPPORTED_GROUPS,
            ext::SIGNATURE_ALGORITHMS,
            ext::ALPN,
            ext::STATUS_REQUEST,
            ext::EC_POINT_FORMATS,
            ext::RENEGOTIATION_INFO,
            ext::SESSION_TICKET,
        ] {
            assert!(types.contains(&t), "missing extension {t}");
        }
        assert!(!types.contains(&ext::SUPPORTED_VERSIONS));
        let sni = &exts.iter().find(|e| e.0 == ext::SERVER_NAME).unwrap().1;
        assert_eq!(&sni[5..], b"example.com");
        let total = records.len() - 5;
        assert!(
            !(256..512).contains(&total),
            "padded out of the F5 range: {total}"
        );
    }

    #[test]
    fn tls13_hello_has_an_empty_key_share() {
        let h = HelloSpec::new(Version::Tls13, vec![0x1301], vec![0x11EC, 0x001D]);
        let (v, suites, exts) = dissect(&h.to_records());
        assert_eq!(v, 0x0303);
        assert_eq!(suites, vec![0x1301]);
        let get = |t| exts.iter().find(|e| e.0 == t).map(|e| e.1.clone());
        assert_eq!(get(ext::SUPPORTED_VERSIONS), Some(vec![2, 3, 4]));
        assert_eq!(get(ext::KEY_SHARE), Some(vec![0, 0]));
        assert_eq!(
            get(ext::SUPPORTED_GROUPS),
            Some(vec![0, 4, 0x11, 0xEC, 0x00, 0x1D])
        );
        assert!(get(ext::SIGNATURE_ALGORITHMS).is_some());
        assert!(get(ext::SESSION_TICKET).is_none());
        assert_eq!(h.session_id.len(), 32);
    }

    #[test]
    fn legacy_hellos() {
        let h = HelloSpec::new(Version::Ssl3, vec![0x002F], vec![0x0017]);
        let records = h.to_records();
        assert_eq!(&records[..3], &[22, 3, 0]);
        let (v, suites, exts) = dissect(&records);
        assert_eq!(v, 0x0300);
        assert_eq!(suites, vec![0x002F, EMPTY_RENEGOTIATION_INFO_SCSV]);
        assert!(exts.is_empty(), "SSL 3.0 hellos carry no extensions");

        let mut h = HelloSpec::new(Version::Tls10, vec![0x002F], vec![0x0017]);
        h.fallback_scsv = true;
        let (v, suites, exts) = dissect(&h.to_records());
        assert_eq!(v, 0x0301);
        assert_eq!(suites, vec![0x002F, FALLBACK_SCSV]);
        assert!(!exts.iter().any(|e| e.0 == ext::SIGNATURE_ALGORITHMS));
    }

    #[test]
    fn probe_randoms_differ() {
        let a = HelloSpec::new(Version::Tls13, vec![0x1301], vec![0x001D]);
        let b = HelloSpec::new(Version::Tls13, vec![0x1301], vec![0x001D]);
        assert_ne!(a.random, b.random);
        assert_ne!(a.session_id, b.session_id);
        assert_ne!(a.random, [0u8; 32]);
    }

    #[test]
    fn huge_hellos_split_into_records() {
        let suites: Vec<u16> = (0..10_000).collect();
        let h = HelloSpec::new(Version::Tls12, suites.clone(), vec![]);
        let records = h.to_records();
        assert!(records.len() > MAX_FRAGMENT + 5);
        let (_, got, _) = dissect(&records);
        assert_eq!(got, suites);
    }
}
