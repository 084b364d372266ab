//! Certificate generation with rcgen on aws-lc-rs: self-signed leaves, a
//! local CA, CA-issued server and client leaves, and CSRs.

use std::net::IpAddr;

use anyhow::{bail, Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

/// Key algorithms tlskit generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// ECDSA on NIST P-256 (default: small, fast, universally supported).
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// Ed25519 (not accepted by browsers for TLS).
    Ed25519,
    /// RSA, 2048-bit modulus.
    Rsa2048,
    /// RSA, 3072-bit modulus.
    Rsa3072,
    /// RSA, 4096-bit modulus.
    Rsa4096,
}

impl KeyType {
    /// Every key type, in the order shown in help.
    pub const ALL: [KeyType; 6] = [
        KeyType::P256,
        KeyType::P384,
        KeyType::Ed25519,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
    ];

    /// The name on the command line and in JSON (`p256`, `rsa2048`).
    pub fn name(self) -> &'static str {
        match self {
            KeyType::P256 => "p256",
            KeyType::P384 => "p384",
            KeyType::Ed25519 => "ed25519",
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
        }
    }

    /// Generates a fresh key pair of this type.
    pub fn generate(self) -> Result<KeyPair> {
        use rcgen::RsaKeySize;
        let kp = match self {
            KeyType::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            KeyType::P384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            KeyType::Ed25519 => return ed25519_pkcs8v1(),
            KeyType::Rsa2048 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048)
            }
            KeyType::Rsa3072 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_3072)
            }
            KeyType::Rsa4096 => {
                KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_4096)
            }
        };
        kp.with_context(|| format!("generating a {self:?} key"))
    }

    /// Whether the key is RSA.
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096)
    }
}

/// An Ed25519 key in PKCS#8 v1 form: the v2 form (with the public key
/// embedded) that aws-lc-rs makes by default cannot be read by OpenSSL 3.0,
/// nor by anything built on it (Python's `ssl`, curl).
fn ed25519_pkcs8v1() -> Result<KeyPair> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let doc = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8v1(&rng)
        .map_err(|_| anyhow::anyhow!("generating an Ed25519 key failed"))?;
    let der = PrivatePkcs8KeyDer::from(doc.as_ref().to_vec());
    KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_ED25519)
        .context("loading the new Ed25519 key")
}

/// What the certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// A TLS leaf usable by servers and clients (serverAuth + clientAuth).
    Server,
    /// A client certificate for mTLS (clientAuth only).
    Client,
    /// A local certificate authority (CA:TRUE, pathlen 0).
    Ca,
}

/// One subject alternative name, validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Name {
    /// A DNS name, possibly a `*.` wildcard.
    Dns(String),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An e-mail address.
    Email(String),
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Dns(s) | Name::Email(s) => f.write_str(s),
            Name::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

impl Name {
    /// The name as a SAN is shown: `DNS:a.test`, `IP:::1`, `email:a@b.test`.
    pub fn label(&self) -> String {
        match self {
            Name::Dns(s) => format!("DNS:{s}"),
            Name::Ip(ip) => format!("IP:{ip}"),
            Name::Email(s) => format!("email:{s}"),
        }
    }

    /// Parses a command-line name: an IP address (v6 may be bracketed), an
    /// e-mail address, or a DNS name (`*.` allowed as the whole first label).
    pub fn parse(text: &str) -> Result<Name> {
        let shown = crate::text::sanitize(text);
        let bare = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(text);
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(Name::Ip(ip));
        }
        if let Some((local, domain)) = text.split_once('@') {
            if local.is_empty() || !local.chars().all(|c| c.is_ascii_graphic() && c != '@') {
                bail!("invalid e-mail address '{shown}'");
            }
            check_dns(domain, false)
                .with_context(|| format!("invalid e-mail address '{shown}'"))?;
            return Ok(Name::Email(text.to_string()));
        }
        check_dns(text, true).with_context(|| format!("invalid name '{shown}'"))?;
        // A fully qualified `example.test.` is the same name, but a SAN must not end in a
        // dot (RFC 5280 §4.2.1.6): with it, no client matches `example.test`.
        let name = text.strip_suffix('.').unwrap_or(text);
        Ok(Name::Dns(name.to_ascii_lowercase()))
    }

    fn to_san(&self) -> Result<SanType> {
        Ok(match self {
            Name::Dns(s) => SanType::DnsName(s.as_str().try_into()?),
            Name::Ip(ip) => SanType::IpAddress(*ip),
            Name::Email(s) => SanType::Rfc822Name(s.as_str().try_into()?),
        })
    }
}

fn check_dns(name: &str, allow_wildcard: bool) -> Result<()> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        bail!("empty name");
    }
    if name.len() > 253 {
        bail!("longer than 253 characters");
    }
    let mut labels = name.split('.').peekable();
    if allow_wildcard && name.starts_with("*.") {
        labels.next();
        if labels.peek().is_none() || name.matches('.').count() < 2 {
            bail!("a wildcard needs at least two labels after '*.' (like *.example.test)");
        }
    }
    if name
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    {
        bail!("the last label of a DNS name cannot be all digits (an IP address is written like 192.0.2.1, without leading zeros)");
    }
    for label in labels {
        if label.is_empty() {
            bail!("empty label");
        }
        if label.contains('*') {
            bail!("'*' is only allowed as the whole first label (*.example.test)");
        }
        if label.len() > 63 {
            bail!("label longer than 63 characters");
        }
        if !label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("only letters, digits, '-' and '_' are allowed in DNS names (use punycode for IDNs)");
        }
        if label.starts_with('-') || label.ends_with('-') {
            bail!("a label may not start or end with '-'");
        }
    }
    Ok(())
}

/// Everything needed to make one certificate.
#[derive(Debug, Clone)]
pub struct CertSpec {
    /// Subject alternative names, in order.
    pub names: Vec<Name>,
    /// Common name; defaults to the first name.
    pub common_name: Option<String>,
    /// Key algorithm.
    pub key_type: KeyType,
    /// Server leaf, client leaf or CA.
    pub profile: Profile,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
}

/// The longest common name X.509 allows (`ub-common-name`, RFC 5280).
pub const MAX_CN: usize = 64;

/// How far back a default `not_before` is set, so that a peer whose clock is
/// a little behind still accepts a certificate made a moment ago.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

impl CertSpec {
    /// A spec valid from now (less [`CLOCK_SKEW`]) for `days` days.
    pub fn valid_for_days(
        names: Vec<Name>,
        key_type: KeyType,
        profile: Profile,
        days: u32,
    ) -> CertSpec {
        let not_before = OffsetDateTime::now_utc() - CLOCK_SKEW;
        CertSpec {
            names,
            common_name: None,
            key_type,
            profile,
            not_before,
            not_after: not_before + Duration::days(days.into()),
        }
    }

    /// The default names of a development server certificate.
    pub fn localhost_names() -> Vec<Name> {
        vec![
            Name::Dns("localhost".into()),
            Name::Ip(IpAddr::from([127, 0, 0, 1])),
            Name::Ip(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
        ]
    }

    /// The subject's common name: the one given, else the first name that fits
    /// in a CN ([`MAX_CN`] characters); `None` when no name fits, and the
    /// subject is then empty (the SANs alone name the certificate, as public CAs do).
    pub fn cn(&self) -> Option<String> {
        if let Some(cn) = &self.common_name {
            return Some(cn.clone());
        }
        if self.names.is_empty() {
            return Some(match self.profile {
                Profile::Ca => "tlskit local CA".to_string(),
                _ => "tlskit".to_string(),
            });
        }
        self.names
            .iter()
            .map(Name::to_string)
            .find(|n| n.chars().count() <= MAX_CN)
    }

    /// The subject as printed (`CN=…`, or empty).
    pub fn subject(&self) -> String {
        self.cn().map(|cn| format!("CN={cn}")).unwrap_or_default()
    }

    fn params(&self) -> Result<CertificateParams> {
        if self.not_after <= self.not_before {
            bail!("the certificate would end before it starts");
        }
        let mut params = CertificateParams::default();
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.serial_number = Some(random_serial()?);
        if self
            .common_name
            .as_ref()
            .is_some_and(|cn| cn.chars().count() > MAX_CN)
        {
            bail!("a common name is at most {MAX_CN} characters (RFC 5280; OpenSSL and CAs refuse longer ones)");
        }
        let mut dn = DistinguishedName::new();
        if let Some(cn) = self.cn() {
            dn.push(DnType::CommonName, cn);
        }
        params.distinguished_name = dn;
        params.subject_alt_names = self.names.iter().map(Name::to_san).collect::<Result<_>>()?;
        match self.profile {
            Profile::Ca => {
                params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
                params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            }
            Profile::Server | Profile::Client => {
                params.is_ca = IsCa::ExplicitNoCa;
                params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
                if self.key_type.is_rsa() {
                    // TLS 1.2 RSA key exchange needs it; harmless otherwise.
                    params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
                }
                params.extended_key_usages = match self.profile {
                    Profile::Client => vec![ExtendedKeyUsagePurpose::ClientAuth],
                    _ => vec![
                        ExtendedKeyUsagePurpose::ServerAuth,
                        ExtendedKeyUsagePurpose::ClientAuth,
                    ],
                };
            }
        }
        Ok(params)
    }
}

/// 128 random bits, positive, as the serial (CA/B Forum asks for 64 or more).
/// A default name for a new local CA: `tlskit local CA` and 8 random hex digits,
/// so that two CAs made on one machine never share a subject.
pub fn unique_ca_name() -> Result<String> {
    let mut id = [0u8; 4];
    aws_lc_rs::rand::fill(&mut id).map_err(|_| anyhow::anyhow!("the system RNG failed"))?;
    Ok(format!(
        "tlskit local CA {}",
        id.iter().map(|b| format!("{b:02X}")).collect::<String>()
    ))
}

fn random_serial() -> Result<SerialNumber> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| anyhow::anyhow!("the system RNG failed"))?;
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01; // keep the full length so the serial is always 16 bytes
    Ok(SerialNumber::from_slice(&bytes))
}

/// A CA that signs leaves: its certificate and its key.
pub struct CaIssuer {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate, DER.
    pub cert_der: CertificateDer<'static>,
    /// The certificates between this CA and its root (root excluded), which a
    /// certificate it signs is served with.
    pub chain: Vec<CertificateDer<'static>>,
    /// Whether the CA is a root (self-issued).
    pub is_root: bool,
    /// Its basicConstraints pathlen: how many CAs may follow it (`None`: any number).
    pub pathlen: Option<u32>,
    /// The names it may sign for.
    pub constraints: crate::pki::constraints::Constraints,
    /// The CA's start of validity.
    pub not_before: OffsetDateTime,
    /// The CA's end of validity.
    pub not_after: OffsetDateTime,
}

impl CaIssuer {
    /// Checks that `cert` is a CA that may sign certificates and that `key` is its key.
    pub fn new(cert: CertificateDer<'static>, key: &PrivateKeyDer<'_>) -> Result<CaIssuer> {
        let (_, parsed) = x509_parser::parse_x509_certificate(&cert)
            .map_err(|e| anyhow::anyhow!("issuer certificate does not parse: {e}"))?;
        if !parsed.is_ca() {
            bail!(
                "the issuer certificate ({}) is not a CA (no basicConstraints CA:TRUE)",
                crate::text::sanitize(&parsed.subject().to_string())
            );
        }
        if let Ok(Some(ku)) = parsed.key_usage() {
            if !ku.value.key_cert_sign() {
                bail!("the issuer certificate may not sign certificates (its key usage lacks keyCertSign)");
            }
        }
        let key_spki =
            super::certinfo::spki_of_private_key(key).context("reading the issuer key")?;
        if key_spki != parsed.public_key().raw {
            bail!("the issuer key does not match the issuer certificate");
        }
        let key_pair = KeyPair::try_from(key)
            .map_err(|e| anyhow::anyhow!("the issuer key cannot sign: {e}"))?;
        let not_before = parsed.validity().not_before.to_datetime();
        let not_after = parsed.validity().not_after.to_datetime();
        let pathlen = parsed
            .basic_constraints()
            .ok()
            .flatten()
            .and_then(|bc| bc.value.path_len_constraint);
        let constraints = crate::pki::constraints::Constraints::of_cert(&parsed)
            .context("reading the issuer certificate")?;
        let is_root = parsed.subject().as_raw() == parsed.issuer().as_raw();
        let issuer = Issuer::from_ca_cert_der(&cert, key_pair)
            .map_err(|e| anyhow::anyhow!("reading the issuer certificate: {e}"))?;
        Ok(CaIssuer {
            issuer,
            chain: Vec::new(),
            is_root,
            pathlen,
            constraints,
            cert_der: cert,
            not_before,
            not_after,
        })
    }
}

/// A freshly made certificate (or CSR) and its key.
pub struct Generated {
    /// The certificate, DER (empty for a CSR).
    pub cert_der: CertificateDer<'static>,
    /// The certificate (or CSR) as PEM.
    pub pem: String,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The private key, PKCS#8 DER.
    pub key_der: PrivateKeyDer<'static>,
    /// The DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
}

/// What a CA may do beyond the defaults: how many CAs may follow it, and
/// which names it and the CAs below it may sign for.
#[derive(Debug, Clone, Default)]
pub struct CaLimits {
    /// basicConstraints pathlen (0: it signs only leaves).
    pub pathlen: u8,
    /// Name constraints (none when empty).
    pub constraints: crate::pki::constraints::Constraints,
}

/// Revocation-related extensions a certificate may carry: where its issuer
/// answers OCSP, publishes CRLs and its own certificate, and must-staple.
#[derive(Debug, Clone, Default)]
pub struct Revocation {
    /// The TLS Feature extension with status_request (RFC 7633, "must-staple").
    pub must_staple: bool,
    /// AIA id-ad-ocsp: the OCSP responder's URL.
    pub ocsp_url: Option<String>,
    /// AIA id-ad-caIssuers: where the issuer's certificate is published.
    pub ca_issuers_url: Option<String>,
    /// CRL distribution point URL.
    pub crl_url: Option<String>,
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else {
        v.push(0x82);
        v.extend_from_slice(&(n.min(0xffff) as u16).to_be_bytes());
    }
    v.extend_from_slice(content);
    v
}

impl Revocation {
    fn apply(&self, params: &mut CertificateParams) -> Result<()> {
        for url in [&self.ocsp_url, &self.ca_issuers_url, &self.crl_url]
            .into_iter()
            .flatten()
        {
            if !url.is_ascii() || url.len() > 2000 || url.chars().any(|c| c.is_ascii_control()) {
                bail!("a URL in a certificate is ASCII, without control characters, at most 2000 characters");
            }
        }
        let mut access = Vec::new();
        // id-ad-ocsp 1.3.6.1.5.5.7.48.1 and id-ad-caIssuers 1.3.6.1.5.5.7.48.2;
        // accessLocation is a GeneralName uniformResourceIdentifier ([6] IA5String).
        for (arc, url) in [(1u8, &self.ocsp_url), (2u8, &self.ca_issuers_url)] {
            if let Some(url) = url {
                let oid = der(0x06, &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, arc]);
                access.extend(der(0x30, &[oid, der(0x86, url.as_bytes())].concat()));
            }
        }
        if !access.is_empty() {
            params
                .custom_extensions
                .push(rcgen::CustomExtension::from_oid_content(
                    &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                    der(0x30, &access),
                ));
        }
        if let Some(url) = &self.crl_url {
            params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                uris: vec![url.clone()],
            }];
        }
        if self.must_staple {
            // TLS Feature: SEQUENCE OF INTEGER { 5 (status_request) }.
            params
                .custom_extensions
                .push(rcgen::CustomExtension::from_oid_content(
                    &[1, 3, 6, 1, 5, 5, 7, 1, 24],
                    vec![0x30, 0x03, 0x02, 0x01, 0x05],
                ));
        }
        Ok(())
    }
}

/// Makes a certificate: self-signed when `issuer` is `None`.
pub fn generate(spec: &CertSpec, issuer: Option<&CaIssuer>) -> Result<Generated> {
    generate_full(spec, &CaLimits::default(), issuer, &Revocation::default())
}

/// Makes a certificate with CA limits (ignored unless `spec` is a CA).
pub fn generate_limited(
    spec: &CertSpec,
    limits: &CaLimits,
    issuer: Option<&CaIssuer>,
) -> Result<Generated> {
    generate_full(spec, limits, issuer, &Revocation::default())
}

/// Like [`generate`], with revocation-related extensions.
pub fn generate_with(
    spec: &CertSpec,
    issuer: Option<&CaIssuer>,
    revocation: &Revocation,
) -> Result<Generated> {
    generate_full(spec, &CaLimits::default(), issuer, revocation)
}

/// Makes a certificate with CA limits (ignored unless `spec` is a CA) and
/// revocation-related extensions.
pub fn generate_full(
    spec: &CertSpec,
    limits: &CaLimits,
    issuer: Option<&CaIssuer>,
    revocation: &Revocation,
) -> Result<Generated> {
    let mut params = spec.params()?;
    if spec.profile == Profile::Ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(limits.pathlen));
        params.name_constraints = limits.constraints.to_rcgen();
    }
    revocation.apply(&mut params)?;
    let key = spec.key_type.generate()?;
    let cert = match issuer {
        Some(ca) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, &ca.issuer)
        }
        None => params.self_signed(&key),
    }
    .context("signing the certificate")?;
    Ok(Generated {
        cert_der: cert.der().clone(),
        pem: cert.pem(),
        key_pem: key.serialize_pem(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        spki_der: rcgen::PublicKeyData::subject_public_key_info(&key),
    })
}

/// Signs a certificate for a public key someone else holds (a CSR's): `spec`
/// says what the certificate is, never the request.
pub fn sign_public_key(
    spec: &CertSpec,
    public_key: &impl rcgen::PublicKeyData,
    issuer: &CaIssuer,
) -> Result<CertificateDer<'static>> {
    let mut params = spec.params()?;
    params.use_authority_key_identifier_extension = true;
    let cert = params
        .signed_by(public_key, &issuer.issuer)
        .context("signing the certificate")?;
    Ok(cert.der().clone())
}

/// Makes a PKCS#10 request (and its key) for a real CA to sign.
pub fn generate_csr(spec: &CertSpec) -> Result<Generated> {
    let mut params = spec.params()?;
    // The CA picks the serial; a request carries none.
    params.serial_number = None;
    let key = spec.key_type.generate()?;
    let csr = params
        .serialize_request(&key)
        .context("making the certificate request")?;
    Ok(Generated {
        cert_der: CertificateDer::from(Vec::new()),
        pem: csr.pem().context("encoding the certificate request")?,
        key_pem: key.serialize_pem(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        spki_der: rcgen::PublicKeyData::subject_public_key_info(&key),
    })
}

/// An in-memory certificate for `serve` when no files are given.
pub fn ephemeral_localhost() -> Result<Generated> {
    let spec = CertSpec::valid_for_days(
        CertSpec::localhost_names(),
        KeyType::P256,
        Profile::Server,
        30,
    );
    generate(&spec, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse() {
        assert_eq!(
            Name::parse("Example.TEST").unwrap(),
            Name::Dns("example.test".into())
        );
        assert_eq!(
            Name::parse("*.example.test").unwrap(),
            Name::Dns("*.example.test".into())
        );
        assert_eq!(
            Name::parse("Example.TEST.").unwrap(),
            Name::Dns("example.test".into())
        );
        assert!(Name::parse("example.test..").is_err());
        assert!(matches!(Name::parse("::1").unwrap(), Name::Ip(_)));
        assert!(matches!(Name::parse("[2001:db8::1]").unwrap(), Name::Ip(_)));
        assert!(matches!(
            Name::parse("alice@example.test").unwrap(),
            Name::Email(_)
        ));
    }

    #[test]
    fn bad_names_fail_with_a_reason() {
        for bad in [
            "",
            "a..b",
            "*.test",
            "foo.*.test",
            "-a.test",
            "a b",
            "x@",
            "@x.test",
            "é.test",
        ] {
            let err = Name::parse(bad).unwrap_err();
            assert!(format!("{err:#}").contains("invalid"), "{bad}: {err:#}");
        }
        assert!(Name::parse(&"a".repeat(64)).is_err());
        let err = Name::parse("010.0.0.1").unwrap_err();
        assert!(format!("{err:#}").contains("all digits"), "{err:#}");
    }

    #[test]
    fn self_signed_leaf_is_not_a_ca() {
        let g = ephemeral_localhost().unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(&g.cert_der).unwrap();
        assert!(!cert.is_ca());
        assert_eq!(cert.public_key().raw, g.spki_der.as_slice());
        assert_eq!(cert.raw_serial().len(), 16);
    }
}
