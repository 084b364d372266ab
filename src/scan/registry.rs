//! What tlskit knows about cipher suites, key-exchange groups and protocol
//! versions: IANA code points and names, and the properties the grade reads
//! (forward secrecy, AEAD, strength). Suites tlskit will never negotiate
//! (RC4, export, NULL, anonymous) are here so that a server offering them
//! can be caught.

use serde::Serialize;

/// A protocol version a probe can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Version {
    /// SSL 3.0 (RFC 6101), broken by POODLE.
    #[serde(rename = "SSLv3")]
    Ssl3,
    /// TLS 1.0 (RFC 2246), deprecated by RFC 8996.
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// TLS 1.1 (RFC 4346), deprecated by RFC 8996.
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2 (RFC 5246).
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3 (RFC 8446).
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 5] = [
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    /// The version's code point on the wire.
    pub fn wire(self) -> u16 {
        match self {
            Version::Ssl3 => 0x0300,
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }

    /// The version with this code point.
    pub fn from_wire(v: u16) -> Option<Version> {
        Version::ALL.into_iter().find(|x| x.wire() == v)
    }

    /// The name people use (`TLSv1.2`), the same as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Version::Ssl3 => "SSLv3",
            Version::Tls10 => "TLSv1.0",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }

    /// Whether the version is deprecated (RFC 7568 for SSL 3.0, RFC 8996 for TLS 1.0 and 1.1).
    pub fn deprecated(self) -> bool {
        self < Version::Tls12
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How the premaster secret is agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kx {
    /// RSA encryption of the premaster secret: no forward secrecy.
    Rsa,
    /// Ephemeral finite-field Diffie-Hellman.
    Dhe,
    /// Ephemeral elliptic-curve Diffie-Hellman.
    Ecdhe,
    /// Static DH from the certificate: no forward secrecy.
    Dh,
    /// Static ECDH from the certificate: no forward secrecy.
    Ecdh,
    /// Anonymous DH: no authentication at all.
    DhAnon,
    /// Anonymous ECDH: no authentication at all.
    EcdhAnon,
    /// Pre-shared key only.
    Psk,
    /// DHE with a pre-shared key.
    DhePsk,
    /// ECDHE with a pre-shared key.
    EcdhePsk,
    /// RSA with a pre-shared key.
    RsaPsk,
    /// Secure Remote Password.
    Srp,
    /// TLS 1.3: negotiated separately (always ephemeral).
    Tls13,
}

impl Kx {
    /// Whether a stolen server key cannot decrypt recorded sessions.
    pub fn forward_secret(self) -> bool {
        matches!(
            self,
            Kx::Dhe | Kx::Ecdhe | Kx::DhePsk | Kx::EcdhePsk | Kx::Tls13
        )
    }

    /// Whether the server is not authenticated at all.
    pub fn anonymous(self) -> bool {
        matches!(self, Kx::DhAnon | Kx::EcdhAnon)
    }

    /// Whether the server sends ephemeral finite-field DH parameters (sized in the report).
    pub fn is_dhe(self) -> bool {
        matches!(self, Kx::Dhe | Kx::DhAnon | Kx::DhePsk)
    }

    /// Whether the server names an elliptic curve in its ServerKeyExchange.
    pub fn is_ecdhe(self) -> bool {
        matches!(self, Kx::Ecdhe | Kx::EcdhAnon | Kx::EcdhePsk)
    }
}

/// What authenticates the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// An RSA certificate.
    Rsa,
    /// A DSA certificate.
    Dss,
    /// An ECDSA certificate.
    Ecdsa,
    /// Nothing.
    Anon,
    /// A pre-shared key.
    Psk,
    /// An SRP verifier.
    Srp,
    /// TLS 1.3: any certificate type.
    Any,
}

/// The bulk cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cipher {
    /// No encryption at all.
    Null,
    /// RC4: broken (RFC 7465 forbids it).
    Rc4,
    /// RC2: broken.
    Rc2,
    /// Single DES: 56 bits or less.
    Des,
    /// Triple DES: 64-bit block (SWEET32).
    TripleDes,
    /// IDEA: 64-bit block.
    Idea,
    /// SEED in CBC mode.
    Seed,
    /// AES in CBC mode.
    AesCbc,
    /// AES-GCM.
    AesGcm,
    /// AES-CCM.
    AesCcm,
    /// AES-CCM with an 8-byte tag.
    AesCcm8,
    /// Camellia in CBC mode.
    CamelliaCbc,
    /// Camellia-GCM.
    CamelliaGcm,
    /// ARIA in CBC mode.
    AriaCbc,
    /// ARIA-GCM.
    AriaGcm,
    /// ChaCha20-Poly1305.
    ChaCha20Poly1305,
}

impl Cipher {
    /// Whether the cipher is an AEAD (no MAC-then-encrypt, no padding oracles).
    pub fn aead(self) -> bool {
        matches!(
            self,
            Cipher::AesGcm
                | Cipher::AesCcm
                | Cipher::AesCcm8
                | Cipher::CamelliaGcm
                | Cipher::AriaGcm
                | Cipher::ChaCha20Poly1305
        )
    }

    /// Whether the cipher works on 64-bit blocks (SWEET32).
    pub fn block_64(self) -> bool {
        matches!(
            self,
            Cipher::TripleDes | Cipher::Idea | Cipher::Des | Cipher::Rc2
        )
    }
}

/// The record MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mac {
    /// None (only with the NULL cipher).
    Null,
    /// HMAC-MD5.
    Md5,
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA384.
    Sha384,
    /// The AEAD's own tag.
    Aead,
}

/// How good a suite is, in the words SSL Labs and testssl use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// Broken: no encryption, no authentication, export-grade or a broken cipher.
    Insecure,
    /// Not broken today but below current practice: no forward secrecy, CBC, 64-bit blocks.
    Weak,
    /// Forward secret and AEAD.
    Strong,
}

/// One cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    /// IANA code point.
    pub id: u16,
    /// IANA name.
    pub name: &'static str,
    /// OpenSSL's name (`-` for TLS 1.3 suites, which OpenSSL names as IANA does).
    pub openssl: &'static str,
    /// Key exchange.
    pub kx: Kx,
    /// Server authentication.
    pub auth: Auth,
    /// Bulk cipher.
    pub cipher: Cipher,
    /// Effective key bits of the bulk cipher (0 for NULL, 40 for export).
    pub bits: u16,
    /// Record MAC.
    pub mac: Mac,
    /// Export-grade (deliberately weakened, FREAK/Logjam).
    pub export: bool,
    /// Defined for TLS 1.2 only (SHA-256/384 PRF, AEAD): never offered below TLS 1.2.
    pub tls12_only: bool,
}

impl Suite {
    /// Whether the suite is forward secret.
    pub fn forward_secret(&self) -> bool {
        self.kx.forward_secret()
    }

    /// Whether the suite is an AEAD.
    pub fn aead(&self) -> bool {
        self.cipher.aead()
    }

    /// Whether the suite is a TLS 1.3 suite.
    pub fn is_tls13(&self) -> bool {
        self.kx == Kx::Tls13
    }

    /// The suite's strength class.
    pub fn strength(&self) -> Strength {
        let broken_cipher = matches!(
            self.cipher,
            Cipher::Null | Cipher::Rc4 | Cipher::Rc2 | Cipher::Des
        );
        if self.export || self.kx.anonymous() || broken_cipher || self.bits < 112 {
            Strength::Insecure
        } else if !self.forward_secret() || !self.aead() || self.cipher.block_64() {
            Strength::Weak
        } else {
            Strength::Strong
        }
    }

    /// Whether the suite may be offered in a hello of this version.
    pub fn usable_in(&self, v: Version) -> bool {
        match v {
            Version::Tls13 => self.is_tls13(),
            Version::Tls12 => !self.is_tls13(),
            _ => !self.is_tls13() && !self.tls12_only,
        }
    }
}

#[allow(clippy::too_many_arguments)]
const fn s(
    id: u16,
    name: &'static str,
    openssl: &'static str,
    kx: Kx,
    auth: Auth,
    cipher: Cipher,
    bits: u16,
    mac: Mac,
    export: bool,
    tls12_only: bool,
) -> Suite {
    Suite {
        id,
        name,
        openssl,
        kx,
        auth,
        cipher,
        bits,
        mac,
        export,
        tls12_only,
    }
}

/// The five TLS 1.3 suites (RFC 8446), in the order servers usually prefer them.
#[rustfmt::skip]
pub static TLS13_SUITES: &[Suite] = &[
    s(0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", Kx::Tls13, Auth::Any, Cipher::AesGcm, 128, Mac::Aead, false, false),
    s(0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", Kx::Tls13, Auth::Any, Cipher::AesGcm, 256, Mac::Aead, false, false),
    s(0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", Kx::Tls13, Auth::Any, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, false),
    s(0x1304, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", Kx::Tls13, Auth::Any, Cipher::AesCcm, 128, Mac::Aead, false, false),
    s(0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", Kx::Tls13, Auth::Any, Cipher::AesCcm8, 128, Mac::Aead, false, false),
];

/// Every TLS 1.2-and-below suite tlskit probes for, by code point: the IANA
/// registry less Kerberos, GOST and withdrawn drafts, plus the EXPORT1024
/// suites that old Windows and Java servers shipped.
#[rustfmt::skip]
pub static LEGACY_SUITES: &[Suite] = &[
    s(0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", Kx::Rsa, Auth::Rsa, Cipher::Null, 0, Mac::Md5, false, false),
    s(0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", Kx::Rsa, Auth::Rsa, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", Kx::Rsa, Auth::Rsa, Cipher::Rc4, 40, Mac::Md5, true, false),
    s(0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", Kx::Rsa, Auth::Rsa, Cipher::Rc4, 128, Mac::Md5, false, false),
    s(0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", Kx::Rsa, Auth::Rsa, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", Kx::Rsa, Auth::Rsa, Cipher::Rc2, 40, Mac::Md5, true, false),
    s(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", Kx::Rsa, Auth::Rsa, Cipher::Idea, 128, Mac::Sha1, false, false),
    s(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", Kx::Rsa, Auth::Rsa, Cipher::Des, 40, Mac::Sha1, true, false),
    s(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", Kx::Rsa, Auth::Rsa, Cipher::Des, 56, Mac::Sha1, false, false),
    s(0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", Kx::Rsa, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-DSS-DES-CBC-SHA", Kx::Dh, Auth::Dss, Cipher::Des, 40, Mac::Sha1, true, false),
    s(0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS-DES-CBC-SHA", Kx::Dh, Auth::Dss, Cipher::Des, 56, Mac::Sha1, false, false),
    s(0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA", Kx::Dh, Auth::Dss, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-RSA-DES-CBC-SHA", Kx::Dh, Auth::Rsa, Cipher::Des, 40, Mac::Sha1, true, false),
    s(0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA-DES-CBC-SHA", Kx::Dh, Auth::Rsa, Cipher::Des, 56, Mac::Sha1, false, false),
    s(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA-DES-CBC3-SHA", Kx::Dh, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", Kx::Dhe, Auth::Dss, Cipher::Des, 40, Mac::Sha1, true, false),
    s(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", Kx::Dhe, Auth::Dss, Cipher::Des, 56, Mac::Sha1, false, false),
    s(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "EDH-DSS-DES-CBC3-SHA", Kx::Dhe, Auth::Dss, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", Kx::Dhe, Auth::Rsa, Cipher::Des, 40, Mac::Sha1, true, false),
    s(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", Kx::Dhe, Auth::Rsa, Cipher::Des, 56, Mac::Sha1, false, false),
    s(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "EDH-RSA-DES-CBC3-SHA", Kx::Dhe, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", Kx::DhAnon, Auth::Anon, Cipher::Rc4, 40, Mac::Md5, true, false),
    s(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", Kx::DhAnon, Auth::Anon, Cipher::Rc4, 128, Mac::Md5, false, false),
    s(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", Kx::DhAnon, Auth::Anon, Cipher::Des, 40, Mac::Sha1, true, false),
    s(0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", Kx::DhAnon, Auth::Anon, Cipher::Des, 56, Mac::Sha1, false, false),
    s(0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", Kx::DhAnon, Auth::Anon, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA", Kx::Psk, Auth::Psk, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK-NULL-SHA", Kx::DhePsk, Auth::Psk, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK-NULL-SHA", Kx::RsaPsk, Auth::Rsa, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", Kx::Rsa, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS-AES128-SHA", Kx::Dh, Auth::Dss, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", Kx::Dh, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", Kx::Dhe, Auth::Dss, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", Kx::Dhe, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", Kx::DhAnon, Auth::Anon, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", Kx::Rsa, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS-AES256-SHA", Kx::Dh, Auth::Dss, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA-AES256-SHA", Kx::Dh, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", Kx::Dhe, Auth::Dss, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", Kx::Dhe, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", Kx::DhAnon, Auth::Anon, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", Kx::Rsa, Auth::Rsa, Cipher::Null, 0, Mac::Sha256, false, true),
    s(0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", Kx::Rsa, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", Kx::Rsa, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha256, false, true),
    s(0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS-AES128-SHA256", Kx::Dh, Auth::Dss, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA-AES128-SHA256", Kx::Dh, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", Kx::Dhe, Auth::Dss, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", Kx::Rsa, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha1, false, false),
    s(0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS-CAMELLIA128-SHA", Kx::Dh, Auth::Dss, Cipher::CamelliaCbc, 128, Mac::Sha1, false, false),
    s(0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA-CAMELLIA128-SHA", Kx::Dh, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha1, false, false),
    s(0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", Kx::Dhe, Auth::Dss, Cipher::CamelliaCbc, 128, Mac::Sha1, false, false),
    s(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", Kx::Dhe, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha1, false, false),
    s(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", Kx::DhAnon, Auth::Anon, Cipher::CamelliaCbc, 128, Mac::Sha1, false, false),
    s(0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", "EXP1024-RC4-MD5", Kx::Rsa, Auth::Rsa, Cipher::Rc4, 56, Mac::Md5, true, false),
    s(0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_56_MD5", "EXP1024-RC2-CBC-MD5", Kx::Rsa, Auth::Rsa, Cipher::Rc2, 56, Mac::Md5, true, false),
    s(0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DES-CBC-SHA", Kx::Rsa, Auth::Rsa, Cipher::Des, 56, Mac::Sha1, true, false),
    s(0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DHE-DSS-DES-CBC-SHA", Kx::Dhe, Auth::Dss, Cipher::Des, 56, Mac::Sha1, true, false),
    s(0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-RC4-SHA", Kx::Rsa, Auth::Rsa, Cipher::Rc4, 56, Mac::Sha1, true, false),
    s(0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-DHE-DSS-RC4-SHA", Kx::Dhe, Auth::Dss, Cipher::Rc4, 56, Mac::Sha1, true, false),
    s(0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", "DHE-DSS-RC4-SHA", Kx::Dhe, Auth::Dss, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", Kx::Dhe, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS-AES256-SHA256", Kx::Dh, Auth::Dss, Cipher::AesCbc, 256, Mac::Sha256, false, true),
    s(0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA-AES256-SHA256", Kx::Dh, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha256, false, true),
    s(0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", Kx::Dhe, Auth::Dss, Cipher::AesCbc, 256, Mac::Sha256, false, true),
    s(0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", Kx::Dhe, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha256, false, true),
    s(0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", Kx::DhAnon, Auth::Anon, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", Kx::DhAnon, Auth::Anon, Cipher::AesCbc, 256, Mac::Sha256, false, true),
    s(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", Kx::Rsa, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha1, false, false),
    s(0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS-CAMELLIA256-SHA", Kx::Dh, Auth::Dss, Cipher::CamelliaCbc, 256, Mac::Sha1, false, false),
    s(0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA-CAMELLIA256-SHA", Kx::Dh, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha1, false, false),
    s(0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", Kx::Dhe, Auth::Dss, Cipher::CamelliaCbc, 256, Mac::Sha1, false, false),
    s(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", Kx::Dhe, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha1, false, false),
    s(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", Kx::DhAnon, Auth::Anon, Cipher::CamelliaCbc, 256, Mac::Sha1, false, false),
    s(0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA", Kx::Psk, Auth::Psk, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA", Kx::Psk, Auth::Psk, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA", Kx::Psk, Auth::Psk, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA", Kx::Psk, Auth::Psk, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", "DHE-PSK-RC4-SHA", Kx::DhePsk, Auth::Psk, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK-3DES-EDE-CBC-SHA", Kx::DhePsk, Auth::Psk, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK-AES128-CBC-SHA", Kx::DhePsk, Auth::Psk, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK-AES256-CBC-SHA", Kx::DhePsk, Auth::Psk, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", "RSA-PSK-RC4-SHA", Kx::RsaPsk, Auth::Rsa, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK-3DES-EDE-CBC-SHA", Kx::RsaPsk, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA", Kx::RsaPsk, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK-AES256-CBC-SHA", Kx::RsaPsk, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", Kx::Rsa, Auth::Rsa, Cipher::Seed, 128, Mac::Sha1, false, false),
    s(0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "DH-DSS-SEED-SHA", Kx::Dh, Auth::Dss, Cipher::Seed, 128, Mac::Sha1, false, false),
    s(0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "DH-RSA-SEED-SHA", Kx::Dh, Auth::Rsa, Cipher::Seed, 128, Mac::Sha1, false, false),
    s(0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", Kx::Dhe, Auth::Dss, Cipher::Seed, 128, Mac::Sha1, false, false),
    s(0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", Kx::Dhe, Auth::Rsa, Cipher::Seed, 128, Mac::Sha1, false, false),
    s(0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", Kx::DhAnon, Auth::Anon, Cipher::Seed, 128, Mac::Sha1, false, false),
    s(0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", Kx::Rsa, Auth::Rsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", Kx::Rsa, Auth::Rsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", Kx::Dhe, Auth::Rsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", Kx::Dhe, Auth::Rsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA-AES128-GCM-SHA256", Kx::Dh, Auth::Rsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA-AES256-GCM-SHA384", Kx::Dh, Auth::Rsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", Kx::Dhe, Auth::Dss, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", Kx::Dhe, Auth::Dss, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS-AES128-GCM-SHA256", Kx::Dh, Auth::Dss, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS-AES256-GCM-SHA384", Kx::Dh, Auth::Dss, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", Kx::DhAnon, Auth::Anon, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", Kx::DhAnon, Auth::Anon, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256", Kx::Psk, Auth::Psk, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK-AES256-GCM-SHA384", Kx::Psk, Auth::Psk, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256", Kx::DhePsk, Auth::Psk, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK-AES256-GCM-SHA384", Kx::DhePsk, Auth::Psk, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK-AES128-GCM-SHA256", Kx::RsaPsk, Auth::Rsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK-AES256-GCM-SHA384", Kx::RsaPsk, Auth::Rsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", Kx::Psk, Auth::Psk, Cipher::AesCbc, 128, Mac::Sha256, false, false),
    s(0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK-AES256-CBC-SHA384", Kx::Psk, Auth::Psk, Cipher::AesCbc, 256, Mac::Sha384, false, false),
    s(0x00B0, "TLS_PSK_WITH_NULL_SHA256", "PSK-NULL-SHA256", Kx::Psk, Auth::Psk, Cipher::Null, 0, Mac::Sha256, false, false),
    s(0x00B1, "TLS_PSK_WITH_NULL_SHA384", "PSK-NULL-SHA384", Kx::Psk, Auth::Psk, Cipher::Null, 0, Mac::Sha384, false, false),
    s(0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK-AES128-CBC-SHA256", Kx::DhePsk, Auth::Psk, Cipher::AesCbc, 128, Mac::Sha256, false, false),
    s(0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK-AES256-CBC-SHA384", Kx::DhePsk, Auth::Psk, Cipher::AesCbc, 256, Mac::Sha384, false, false),
    s(0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256", Kx::DhePsk, Auth::Psk, Cipher::Null, 0, Mac::Sha256, false, false),
    s(0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384", Kx::DhePsk, Auth::Psk, Cipher::Null, 0, Mac::Sha384, false, false),
    s(0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK-AES128-CBC-SHA256", Kx::RsaPsk, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha256, false, false),
    s(0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK-AES256-CBC-SHA384", Kx::RsaPsk, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha384, false, false),
    s(0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK-NULL-SHA256", Kx::RsaPsk, Auth::Rsa, Cipher::Null, 0, Mac::Sha256, false, false),
    s(0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK-NULL-SHA384", Kx::RsaPsk, Auth::Rsa, Cipher::Null, 0, Mac::Sha384, false, false),
    s(0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", Kx::Rsa, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DH-DSS-CAMELLIA128-SHA256", Kx::Dh, Auth::Dss, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DH-RSA-CAMELLIA128-SHA256", Kx::Dh, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", Kx::Dhe, Auth::Dss, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", Kx::Dhe, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", Kx::DhAnon, Auth::Anon, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", Kx::Rsa, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha256, false, true),
    s(0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DH-DSS-CAMELLIA256-SHA256", Kx::Dh, Auth::Dss, Cipher::CamelliaCbc, 256, Mac::Sha256, false, true),
    s(0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DH-RSA-CAMELLIA256-SHA256", Kx::Dh, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha256, false, true),
    s(0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", Kx::Dhe, Auth::Dss, Cipher::CamelliaCbc, 256, Mac::Sha256, false, true),
    s(0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", Kx::Dhe, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha256, false, true),
    s(0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", Kx::DhAnon, Auth::Anon, Cipher::CamelliaCbc, 256, Mac::Sha256, false, true),
    s(0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA-NULL-SHA", Kx::Ecdh, Auth::Ecdsa, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA", Kx::Ecdh, Auth::Ecdsa, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA-DES-CBC3-SHA", Kx::Ecdh, Auth::Ecdsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA-AES128-SHA", Kx::Ecdh, Auth::Ecdsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA", Kx::Ecdh, Auth::Ecdsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", Kx::Ecdhe, Auth::Ecdsa, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", Kx::Ecdhe, Auth::Ecdsa, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", Kx::Ecdhe, Auth::Ecdsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA-NULL-SHA", Kx::Ecdh, Auth::Rsa, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA-RC4-SHA", Kx::Ecdh, Auth::Rsa, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA-DES-CBC3-SHA", Kx::Ecdh, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA", Kx::Ecdh, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA", Kx::Ecdh, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", Kx::Ecdhe, Auth::Rsa, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", Kx::Ecdhe, Auth::Rsa, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", Kx::Ecdhe, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", Kx::Ecdhe, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", Kx::Ecdhe, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", Kx::EcdhAnon, Auth::Anon, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", Kx::EcdhAnon, Auth::Anon, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", Kx::EcdhAnon, Auth::Anon, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", Kx::EcdhAnon, Auth::Anon, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", Kx::EcdhAnon, Auth::Anon, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA", Kx::Srp, Auth::Srp, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA", Kx::Srp, Auth::Rsa, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS-3DES-EDE-CBC-SHA", Kx::Srp, Auth::Dss, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP-AES-128-CBC-SHA", Kx::Srp, Auth::Srp, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", Kx::Srp, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS-AES-128-CBC-SHA", Kx::Srp, Auth::Dss, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", Kx::Srp, Auth::Srp, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA-AES-256-CBC-SHA", Kx::Srp, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS-AES-256-CBC-SHA", Kx::Srp, Auth::Dss, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCbc, 256, Mac::Sha384, false, true),
    s(0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA-AES128-SHA256", Kx::Ecdh, Auth::Ecdsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA-AES256-SHA384", Kx::Ecdh, Auth::Ecdsa, Cipher::AesCbc, 256, Mac::Sha384, false, true),
    s(0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", Kx::Ecdhe, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", Kx::Ecdhe, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha384, false, true),
    s(0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA-AES128-SHA256", Kx::Ecdh, Auth::Rsa, Cipher::AesCbc, 128, Mac::Sha256, false, true),
    s(0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA-AES256-SHA384", Kx::Ecdh, Auth::Rsa, Cipher::AesCbc, 256, Mac::Sha384, false, true),
    s(0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA-AES128-GCM-SHA256", Kx::Ecdh, Auth::Ecdsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA-AES256-GCM-SHA384", Kx::Ecdh, Auth::Ecdsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", Kx::Ecdhe, Auth::Rsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", Kx::Ecdhe, Auth::Rsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA-AES128-GCM-SHA256", Kx::Ecdh, Auth::Rsa, Cipher::AesGcm, 128, Mac::Aead, false, true),
    s(0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA-AES256-GCM-SHA384", Kx::Ecdh, Auth::Rsa, Cipher::AesGcm, 256, Mac::Aead, false, true),
    s(0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK-RC4-SHA", Kx::EcdhePsk, Auth::Psk, Cipher::Rc4, 128, Mac::Sha1, false, false),
    s(0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA", Kx::EcdhePsk, Auth::Psk, Cipher::TripleDes, 168, Mac::Sha1, false, false),
    s(0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", Kx::EcdhePsk, Auth::Psk, Cipher::AesCbc, 128, Mac::Sha1, false, false),
    s(0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA", Kx::EcdhePsk, Auth::Psk, Cipher::AesCbc, 256, Mac::Sha1, false, false),
    s(0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK-AES128-CBC-SHA256", Kx::EcdhePsk, Auth::Psk, Cipher::AesCbc, 128, Mac::Sha256, false, false),
    s(0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384", Kx::EcdhePsk, Auth::Psk, Cipher::AesCbc, 256, Mac::Sha384, false, false),
    s(0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK-NULL-SHA", Kx::EcdhePsk, Auth::Psk, Cipher::Null, 0, Mac::Sha1, false, false),
    s(0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK-NULL-SHA256", Kx::EcdhePsk, Auth::Psk, Cipher::Null, 0, Mac::Sha256, false, false),
    s(0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK-NULL-SHA384", Kx::EcdhePsk, Auth::Psk, Cipher::Null, 0, Mac::Sha384, false, false),
    s(0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "ARIA128-CBC-SHA256", Kx::Rsa, Auth::Rsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", "ARIA256-CBC-SHA384", Kx::Rsa, Auth::Rsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", "-", Kx::Dh, Auth::Dss, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", "-", Kx::Dh, Auth::Dss, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", "-", Kx::Dh, Auth::Rsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", "-", Kx::Dh, Auth::Rsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", "DHE-DSS-ARIA128-CBC-SHA256", Kx::Dhe, Auth::Dss, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", "DHE-DSS-ARIA256-CBC-SHA384", Kx::Dhe, Auth::Dss, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", "DHE-RSA-ARIA128-CBC-SHA256", Kx::Dhe, Auth::Rsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", "DHE-RSA-ARIA256-CBC-SHA384", Kx::Dhe, Auth::Rsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", "DH-anon-ARIA128-CBC-SHA256", Kx::DhAnon, Auth::Anon, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", "DH-anon-ARIA256-CBC-SHA384", Kx::DhAnon, Auth::Anon, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", "ECDHE-ECDSA-ARIA128-CBC-SHA256", Kx::Ecdhe, Auth::Ecdsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", "ECDHE-ECDSA-ARIA256-CBC-SHA384", Kx::Ecdhe, Auth::Ecdsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", "-", Kx::Ecdh, Auth::Ecdsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", "-", Kx::Ecdh, Auth::Ecdsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", "ECDHE-RSA-ARIA128-CBC-SHA256", Kx::Ecdhe, Auth::Rsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", "ECDHE-RSA-ARIA256-CBC-SHA384", Kx::Ecdhe, Auth::Rsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", "-", Kx::Ecdh, Auth::Rsa, Cipher::AriaCbc, 128, Mac::Sha256, false, true),
    s(0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", "-", Kx::Ecdh, Auth::Rsa, Cipher::AriaCbc, 256, Mac::Sha384, false, true),
    s(0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", Kx::Rsa, Auth::Rsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", Kx::Rsa, Auth::Rsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", Kx::Dhe, Auth::Rsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", Kx::Dhe, Auth::Rsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", "DH-RSA-ARIA128-GCM-SHA256", Kx::Dh, Auth::Rsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", "DH-RSA-ARIA256-GCM-SHA384", Kx::Dh, Auth::Rsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", Kx::Dhe, Auth::Dss, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", Kx::Dhe, Auth::Dss, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", "DH-DSS-ARIA128-GCM-SHA256", Kx::Dh, Auth::Dss, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", "DH-DSS-ARIA256-GCM-SHA384", Kx::Dh, Auth::Dss, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", "ADH-ARIA128-GCM-SHA256", Kx::DhAnon, Auth::Anon, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", "ADH-ARIA256-GCM-SHA384", Kx::DhAnon, Auth::Anon, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", Kx::Ecdhe, Auth::Ecdsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", Kx::Ecdhe, Auth::Ecdsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDH-ECDSA-ARIA128-GCM-SHA256", Kx::Ecdh, Auth::Ecdsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDH-ECDSA-ARIA256-GCM-SHA384", Kx::Ecdh, Auth::Ecdsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", Kx::Ecdhe, Auth::Rsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", Kx::Ecdhe, Auth::Rsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", "ECDH-ARIA128-GCM-SHA256", Kx::Ecdh, Auth::Rsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", "ECDH-ARIA256-GCM-SHA384", Kx::Ecdh, Auth::Rsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256", "-", Kx::Psk, Auth::Psk, Cipher::AriaCbc, 128, Mac::Sha256, false, false),
    s(0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", "-", Kx::Psk, Auth::Psk, Cipher::AriaCbc, 256, Mac::Sha384, false, false),
    s(0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256", "-", Kx::DhePsk, Auth::Psk, Cipher::AriaCbc, 128, Mac::Sha256, false, false),
    s(0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384", "-", Kx::DhePsk, Auth::Psk, Cipher::AriaCbc, 256, Mac::Sha384, false, false),
    s(0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256", "-", Kx::RsaPsk, Auth::Rsa, Cipher::AriaCbc, 128, Mac::Sha256, false, false),
    s(0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384", "-", Kx::RsaPsk, Auth::Rsa, Cipher::AriaCbc, 256, Mac::Sha384, false, false),
    s(0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK-ARIA128-GCM-SHA256", Kx::Psk, Auth::Psk, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK-ARIA256-GCM-SHA384", Kx::Psk, Auth::Psk, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK-ARIA128-GCM-SHA256", Kx::DhePsk, Auth::Psk, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK-ARIA256-GCM-SHA384", Kx::DhePsk, Auth::Psk, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK-ARIA128-GCM-SHA256", Kx::RsaPsk, Auth::Rsa, Cipher::AriaGcm, 128, Mac::Aead, false, true),
    s(0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK-ARIA256-GCM-SHA384", Kx::RsaPsk, Auth::Rsa, Cipher::AriaGcm, 256, Mac::Aead, false, true),
    s(0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256", "-", Kx::EcdhePsk, Auth::Psk, Cipher::AriaCbc, 128, Mac::Sha256, false, false),
    s(0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", "-", Kx::EcdhePsk, Auth::Psk, Cipher::AriaCbc, 256, Mac::Sha384, false, false),
    s(0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", Kx::Ecdhe, Auth::Ecdsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", Kx::Ecdhe, Auth::Ecdsa, Cipher::CamelliaCbc, 256, Mac::Sha384, false, true),
    s(0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-ECDSA-CAMELLIA128-SHA256", Kx::Ecdh, Auth::Ecdsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-ECDSA-CAMELLIA256-SHA384", Kx::Ecdh, Auth::Ecdsa, Cipher::CamelliaCbc, 256, Mac::Sha384, false, true),
    s(0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", Kx::Ecdhe, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", Kx::Ecdhe, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha384, false, true),
    s(0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-RSA-CAMELLIA128-SHA256", Kx::Ecdh, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, true),
    s(0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-RSA-CAMELLIA256-SHA384", Kx::Ecdh, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha384, false, true),
    s(0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Rsa, Auth::Rsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Rsa, Auth::Rsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Dhe, Auth::Rsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Dhe, Auth::Rsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Dh, Auth::Rsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Dh, Auth::Rsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Dhe, Auth::Dss, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Dhe, Auth::Dss, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Dh, Auth::Dss, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Dh, Auth::Dss, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::DhAnon, Auth::Anon, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::DhAnon, Auth::Anon, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Ecdhe, Auth::Ecdsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Ecdhe, Auth::Ecdsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Ecdh, Auth::Ecdsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Ecdh, Auth::Ecdsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Ecdhe, Auth::Rsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Ecdhe, Auth::Rsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Ecdh, Auth::Rsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Ecdh, Auth::Rsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::Psk, Auth::Psk, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::Psk, Auth::Psk, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::DhePsk, Auth::Psk, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::DhePsk, Auth::Psk, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", "-", Kx::RsaPsk, Auth::Rsa, Cipher::CamelliaGcm, 128, Mac::Aead, false, true),
    s(0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", "-", Kx::RsaPsk, Auth::Rsa, Cipher::CamelliaGcm, 256, Mac::Aead, false, true),
    s(0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK-CAMELLIA128-SHA256", Kx::Psk, Auth::Psk, Cipher::CamelliaCbc, 128, Mac::Sha256, false, false),
    s(0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK-CAMELLIA256-SHA384", Kx::Psk, Auth::Psk, Cipher::CamelliaCbc, 256, Mac::Sha384, false, false),
    s(0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK-CAMELLIA128-SHA256", Kx::DhePsk, Auth::Psk, Cipher::CamelliaCbc, 128, Mac::Sha256, false, false),
    s(0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK-CAMELLIA256-SHA384", Kx::DhePsk, Auth::Psk, Cipher::CamelliaCbc, 256, Mac::Sha384, false, false),
    s(0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK-CAMELLIA128-SHA256", Kx::RsaPsk, Auth::Rsa, Cipher::CamelliaCbc, 128, Mac::Sha256, false, false),
    s(0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK-CAMELLIA256-SHA384", Kx::RsaPsk, Auth::Rsa, Cipher::CamelliaCbc, 256, Mac::Sha384, false, false),
    s(0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256", Kx::EcdhePsk, Auth::Psk, Cipher::CamelliaCbc, 128, Mac::Sha256, false, false),
    s(0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK-CAMELLIA256-SHA384", Kx::EcdhePsk, Auth::Psk, Cipher::CamelliaCbc, 256, Mac::Sha384, false, false),
    s(0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", Kx::Rsa, Auth::Rsa, Cipher::AesCcm, 128, Mac::Aead, false, true),
    s(0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", Kx::Rsa, Auth::Rsa, Cipher::AesCcm, 256, Mac::Aead, false, true),
    s(0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", Kx::Dhe, Auth::Rsa, Cipher::AesCcm, 128, Mac::Aead, false, true),
    s(0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", Kx::Dhe, Auth::Rsa, Cipher::AesCcm, 256, Mac::Aead, false, true),
    s(0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", Kx::Rsa, Auth::Rsa, Cipher::AesCcm8, 128, Mac::Aead, false, true),
    s(0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", Kx::Rsa, Auth::Rsa, Cipher::AesCcm8, 256, Mac::Aead, false, true),
    s(0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", Kx::Dhe, Auth::Rsa, Cipher::AesCcm8, 128, Mac::Aead, false, true),
    s(0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", Kx::Dhe, Auth::Rsa, Cipher::AesCcm8, 256, Mac::Aead, false, true),
    s(0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM", Kx::Psk, Auth::Psk, Cipher::AesCcm, 128, Mac::Aead, false, true),
    s(0xC0A5, "TLS_PSK_WITH_AES_256_CCM", "PSK-AES256-CCM", Kx::Psk, Auth::Psk, Cipher::AesCcm, 256, Mac::Aead, false, true),
    s(0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK-AES128-CCM", Kx::DhePsk, Auth::Psk, Cipher::AesCcm, 128, Mac::Aead, false, true),
    s(0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK-AES256-CCM", Kx::DhePsk, Auth::Psk, Cipher::AesCcm, 256, Mac::Aead, false, true),
    s(0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8", Kx::Psk, Auth::Psk, Cipher::AesCcm8, 128, Mac::Aead, false, true),
    s(0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK-AES256-CCM8", Kx::Psk, Auth::Psk, Cipher::AesCcm8, 256, Mac::Aead, false, true),
    s(0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", Kx::DhePsk, Auth::Psk, Cipher::AesCcm8, 128, Mac::Aead, false, true),
    s(0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", Kx::DhePsk, Auth::Psk, Cipher::AesCcm8, 256, Mac::Aead, false, true),
    s(0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCcm, 128, Mac::Aead, false, true),
    s(0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCcm, 256, Mac::Aead, false, true),
    s(0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCcm8, 128, Mac::Aead, false, true),
    s(0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", Kx::Ecdhe, Auth::Ecdsa, Cipher::AesCcm8, 256, Mac::Aead, false, true),
    s(0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", Kx::Ecdhe, Auth::Rsa, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
    s(0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", Kx::Ecdhe, Auth::Ecdsa, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
    s(0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", Kx::Dhe, Auth::Rsa, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
    s(0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305", Kx::Psk, Auth::Psk, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
    s(0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305", Kx::EcdhePsk, Auth::Psk, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
    s(0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK-CHACHA20-POLY1305", Kx::DhePsk, Auth::Psk, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
    s(0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305", Kx::RsaPsk, Auth::Rsa, Cipher::ChaCha20Poly1305, 256, Mac::Aead, false, true),
];

/// The suite with this code point, TLS 1.3 or earlier.
pub fn suite(id: u16) -> Option<&'static Suite> {
    TLS13_SUITES
        .iter()
        .find(|s| s.id == id)
        .or_else(|| LEGACY_SUITES.iter().find(|s| s.id == id))
}

/// The suite with this IANA or OpenSSL name (case-insensitive).
pub fn suite_by_name(name: &str) -> Option<&'static Suite> {
    TLS13_SUITES.iter().chain(LEGACY_SUITES.iter()).find(|s| {
        s.name.eq_ignore_ascii_case(name)
            || (s.openssl != "-" && s.openssl.eq_ignore_ascii_case(name))
    })
}

/// The group with this name (case-insensitive; `P-256` and `prime256v1` too).
pub fn group_by_name(name: &str) -> Option<&'static Group> {
    let name = match name.to_ascii_lowercase().as_str() {
        "p-256" | "p256" | "prime256v1" => "secp256r1".to_string(),
        "p-384" | "p384" => "secp384r1".to_string(),
        "p-521" | "p521" => "secp521r1".to_string(),
        other => other.to_string(),
    };
    GROUPS.iter().find(|g| g.name.eq_ignore_ascii_case(&name))
}

/// The suites a probe of `v` may offer, in registry order.
pub fn suites_for(v: Version) -> Vec<&'static Suite> {
    match v {
        Version::Tls13 => TLS13_SUITES.iter().collect(),
        _ => LEGACY_SUITES.iter().filter(|s| s.usable_in(v)).collect(),
    }
}

/// The family of a key-exchange group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A classical group combined with ML-KEM: safe against "harvest now, decrypt later".
    PostQuantumHybrid,
    /// ML-KEM alone.
    PostQuantum,
    /// An elliptic curve (including X25519 and X448).
    EllipticCurve,
    /// A finite-field group (RFC 7919).
    FiniteField,
}

/// One named group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    /// IANA code point.
    pub id: u16,
    /// Name (IANA's, with rustls' capitals for the X curves).
    pub name: &'static str,
    /// Family.
    pub kind: GroupKind,
    /// Approximate classical security in bits (NIST SP 800-57; the classical part for hybrids).
    pub security_bits: u16,
    /// Usable in TLS 1.3 (the binary curves and small primes are TLS 1.2 only).
    pub tls13: bool,
}

impl Group {
    /// Whether the group resists a quantum adversary (hybrid or pure ML-KEM).
    pub fn post_quantum(&self) -> bool {
        matches!(
            self.kind,
            GroupKind::PostQuantumHybrid | GroupKind::PostQuantum
        )
    }
}

const fn g(id: u16, name: &'static str, kind: GroupKind, security_bits: u16, tls13: bool) -> Group {
    Group {
        id,
        name,
        kind,
        security_bits,
        tls13,
    }
}

/// Every group tlskit probes for, in the order a probe first offers them:
/// classical groups first and post-quantum ones last, so that a server
/// that picks a post-quantum group anyway is known to prefer it.
#[rustfmt::skip]
pub static GROUPS: &[Group] = &[
    g(0x001D, "X25519", GroupKind::EllipticCurve, 128, true),
    g(0x0017, "secp256r1", GroupKind::EllipticCurve, 128, true),
    g(0x0018, "secp384r1", GroupKind::EllipticCurve, 192, true),
    g(0x0019, "secp521r1", GroupKind::EllipticCurve, 256, true),
    g(0x001E, "X448", GroupKind::EllipticCurve, 224, true),
    g(0x001A, "brainpoolP256r1", GroupKind::EllipticCurve, 128, false),
    g(0x001B, "brainpoolP384r1", GroupKind::EllipticCurve, 192, false),
    g(0x001C, "brainpoolP512r1", GroupKind::EllipticCurve, 256, false),
    g(0x001F, "brainpoolP256r1tls13", GroupKind::EllipticCurve, 128, true),
    g(0x0020, "brainpoolP384r1tls13", GroupKind::EllipticCurve, 192, true),
    g(0x0021, "brainpoolP512r1tls13", GroupKind::EllipticCurve, 256, true),
    g(0x0016, "secp256k1", GroupKind::EllipticCurve, 128, false),
    g(0x0015, "secp224r1", GroupKind::EllipticCurve, 112, false),
    g(0x0013, "secp192r1", GroupKind::EllipticCurve, 96, false),
    g(0x0100, "ffdhe2048", GroupKind::FiniteField, 112, true),
    g(0x0101, "ffdhe3072", GroupKind::FiniteField, 128, true),
    g(0x0102, "ffdhe4096", GroupKind::FiniteField, 152, true),
    g(0x0103, "ffdhe6144", GroupKind::FiniteField, 176, true),
    g(0x0104, "ffdhe8192", GroupKind::FiniteField, 200, true),
    g(0x0200, "MLKEM512", GroupKind::PostQuantum, 128, true),
    g(0x0201, "MLKEM768", GroupKind::PostQuantum, 192, true),
    g(0x0202, "MLKEM1024", GroupKind::PostQuantum, 256, true),
    g(0x6399, "X25519Kyber768Draft00", GroupKind::PostQuantumHybrid, 128, true),
    g(0x11EB, "SecP256r1MLKEM768", GroupKind::PostQuantumHybrid, 128, true),
    g(0x11ED, "SecP384r1MLKEM1024", GroupKind::PostQuantumHybrid, 192, true),
    g(0x11EC, "X25519MLKEM768", GroupKind::PostQuantumHybrid, 128, true),
];

/// The group with this code point.
pub fn group(id: u16) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.id == id)
}

/// The name of a group code point, known or not (`0x1234`).
pub fn group_name(id: u16) -> String {
    group(id).map_or_else(|| format!("0x{id:04X}"), |g| g.name.to_string())
}

/// The name of a suite code point, known or not (`0x1234`).
pub fn suite_name(id: u16) -> String {
    suite(id).map_or_else(|| format!("0x{id:04X}"), |s| s.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn code_points_are_unique_and_names_iana_shaped() {
        let mut ids = HashSet::new();
        for s in TLS13_SUITES.iter().chain(LEGACY_SUITES) {
            assert!(ids.insert(s.id), "duplicate suite 0x{:04X}", s.id);
            assert!(s.name.starts_with("TLS_"), "{}", s.name);
        }
        let mut gids = HashSet::new();
        for g in GROUPS {
            assert!(gids.insert(g.id), "duplicate group 0x{:04X}", g.id);
        }
        assert!(LEGACY_SUITES.len() > 300);
    }

    #[test]
    fn classes_match_the_literature() {
        let by = |name: &str| {
            *LEGACY_SUITES
                .iter()
                .chain(TLS13_SUITES)
                .find(|s| s.name == name)
                .unwrap()
        };
        let gcm = by("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assert!(gcm.forward_secret() && gcm.aead());
        assert_eq!(gcm.strength(), Strength::Strong);
        assert!(gcm.tls12_only && !gcm.usable_in(Version::Tls11));
        assert_eq!(
            by("TLS_RSA_WITH_AES_128_CBC_SHA").strength(),
            Strength::Weak
        );
        assert!(by("TLS_RSA_WITH_AES_128_CBC_SHA").usable_in(Version::Ssl3));
        assert_eq!(
            by("TLS_RSA_WITH_3DES_EDE_CBC_SHA").strength(),
            Strength::Weak
        );
        assert_eq!(
            by("TLS_RSA_WITH_RC4_128_SHA").strength(),
            Strength::Insecure
        );
        assert_eq!(
            by("TLS_RSA_EXPORT_WITH_RC4_40_MD5").strength(),
            Strength::Insecure
        );
        assert_eq!(
            by("TLS_RSA_WITH_NULL_SHA256").strength(),
            Strength::Insecure
        );
        assert_eq!(
            by("TLS_DH_anon_WITH_AES_256_GCM_SHA384").strength(),
            Strength::Insecure
        );
        assert_eq!(by("TLS_ECDH_anon_WITH_AES_128_CBC_SHA").kx, Kx::EcdhAnon);
        assert_eq!(by("TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA").kx, Kx::Ecdh);
        assert_eq!(
            by("TLS_DHE_RSA_WITH_AES_128_CCM").strength(),
            Strength::Strong
        );
        assert_eq!(
            by("TLS_CHACHA20_POLY1305_SHA256").strength(),
            Strength::Strong
        );
        assert!(by("TLS_AES_128_GCM_SHA256").usable_in(Version::Tls13));
        assert!(!by("TLS_AES_128_GCM_SHA256").usable_in(Version::Tls12));
    }

    #[test]
    fn groups_named_in_the_brief_are_known() {
        for (id, name) in [
            (0x11EC, "X25519MLKEM768"),
            (0x11EB, "SecP256r1MLKEM768"),
            (0x11ED, "SecP384r1MLKEM1024"),
            (0x001D, "X25519"),
            (0x001E, "X448"),
            (0x0017, "secp256r1"),
            (0x0018, "secp384r1"),
            (0x0019, "secp521r1"),
            (0x0100, "ffdhe2048"),
            (0x0104, "ffdhe8192"),
        ] {
            assert_eq!(group(id).map(|g| g.name), Some(name));
        }
        assert!(group(0x11EC).unwrap().post_quantum());
        assert!(!group(0x001D).unwrap().post_quantum());
        assert_eq!(group_name(0xABCD), "0xABCD");
    }
}
