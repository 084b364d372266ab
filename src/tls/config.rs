//! Building rustls client and server configs from plain option structs.
//! Nothing below TLS 1.2 is ever offered or accepted: rustls cannot speak it.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, KeyLog, RootCertStore, ServerConfig, SupportedProtocolVersion};

use super::algorithms::Algorithms;
use super::danger::AcceptUnverified;
use super::pin::Pin;
use super::verify::{Observations, RecordingClientCert, RecordingVerifier};

/// Which protocol versions to offer or accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Versions {
    /// TLS 1.3 and TLS 1.2 (1.3 preferred).
    #[default]
    Both,
    /// TLS 1.3 only.
    Tls13,
    /// TLS 1.2 only.
    Tls12,
}

impl Versions {
    /// From `--tls12` and `--tls13` (the command line keeps them apart; neither is both).
    pub fn from_flags(tls12: bool, tls13: bool) -> Versions {
        match (tls12, tls13) {
            (true, false) => Versions::Tls12,
            (false, true) => Versions::Tls13,
            _ => Versions::Both,
        }
    }

    fn list(self) -> &'static [&'static SupportedProtocolVersion] {
        static BOTH: [&SupportedProtocolVersion; 2] =
            [&rustls::version::TLS13, &rustls::version::TLS12];
        static V13: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        static V12: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        match self {
            Versions::Both => &BOTH,
            Versions::Tls13 => &V13,
            Versions::Tls12 => &V12,
        }
    }
}

/// Where session secrets are logged (NSS key log format, for Wireshark).
#[derive(Debug, Clone, Default)]
pub enum KeyLogTo {
    /// Nowhere.
    #[default]
    Off,
    /// The file named by `SSLKEYLOGFILE`, if set.
    Env,
    /// This file (appended to, created with mode 0600).
    File(PathBuf),
}

/// Trust anchors for verifying servers.
#[derive(Debug, Clone, Default)]
pub enum TrustRoots {
    /// Mozilla's roots, embedded via webpki-roots.
    #[default]
    Webpki,
    /// These certificates only (`--ca FILE`).
    Certs(Vec<CertificateDer<'static>>),
    /// The platform's trust store (rustls-native-certs: the OpenSSL bundle on Linux,
    /// honouring `SSL_CERT_FILE`/`SSL_CERT_DIR`; the keychain on macOS; the system store on Windows).
    System,
}

/// The largest certificate webpki parses (its DER length is read as two bytes).
pub const MAX_CERT_BYTES: usize = 0xffff;

/// The largest handshake message rustls accepts by default (its clients
/// refuse a Certificate message over this).
pub const MAX_HANDSHAKE_MESSAGE: usize = 0xffff;

/// The size of the TLS 1.3 Certificate message carrying `chain` (TLS 1.2's
/// is a few bytes smaller): header, request context, list length, and per
/// certificate its length and an empty extensions block.
pub fn certificate_message_len(chain: &[CertificateDer<'_>]) -> usize {
    4 + 1 + 3 + chain.iter().map(|c| 3 + c.len() + 2).sum::<usize>()
}

/// A certificate chain and its private key.
#[derive(Debug)]
pub struct Identity {
    /// Leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key.
    pub key: PrivateKeyDer<'static>,
}

impl Identity {
    /// Checks that the key parses and belongs to the leaf, and makes a rustls `CertifiedKey`.
    pub fn certified_key(self) -> Result<CertifiedKey> {
        if self.chain.is_empty() {
            bail!("the certificate file holds no certificate");
        }
        // webpki (and so rustls, and most TLS stacks) reads no certificate
        // over 64 KiB: say so rather than let it fail as a bad encoding.
        if let Some((i, c)) = self
            .chain
            .iter()
            .enumerate()
            .find(|(_, c)| c.len() > MAX_CERT_BYTES)
        {
            bail!(
                "certificate #{} is {} bytes, over the 64 KiB ({MAX_CERT_BYTES} bytes) a certificate may have; \
                 rustls and most TLS clients cannot read it (too many names or extensions?)",
                i + 1,
                c.len()
            );
        }
        CertifiedKey::from_der(self.chain, self.key, &super::provider()).map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => {
                anyhow::anyhow!("the private key does not match the certificate")
            }
            other => anyhow::anyhow!("the private key is not usable: {other}"),
        })
    }
}

/// Everything a tlskit client can be asked to do.
#[derive(Debug, Default)]
pub struct ClientOptions {
    /// Trust anchors.
    pub roots: TrustRoots,
    /// `Some` only through [`super::danger::accept_unverified`].
    pub accept_unverified: Option<AcceptUnverified>,
    /// SPKI pins; any match passes (checked on top of verification).
    pub pins: Vec<Pin>,
    /// Trust on first use: accept a certificate no CA signed (in date and
    /// valid for the name) so that its pin can be recorded.
    pub trust_first_use: bool,
    /// Client certificate for mTLS.
    pub identity: Option<Identity>,
    /// ALPN protocols to offer, in preference order.
    pub alpn: Vec<Vec<u8>>,
    /// Versions to offer.
    pub versions: Versions,
    /// Send SNI (the default).
    pub no_sni: bool,
    /// Key logging.
    pub keylog: KeyLogTo,
    /// Groups and suites to offer instead of the defaults.
    pub algorithms: Algorithms,
    /// Verify a chain once and accept the same chain again without redoing
    /// the path building (a load generator's choice: see [`super::verify::VerifyOnce`]).
    pub verify_once: bool,
}

/// Builds a client config; the returned record fills in during each handshake.
pub fn client_config(opts: ClientOptions) -> Result<(Arc<ClientConfig>, Observations)> {
    let provider = opts.algorithms.provider();
    let observed = Observations::default();
    super::verify::lock(&observed).offered = super::verify::Offered {
        versions: opts.versions,
        groups_restricted: opts.algorithms.groups.is_some(),
        suites_restricted: opts.algorithms.suites.is_some(),
    };
    let roots = Arc::new(root_store(&opts.roots)?);
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .context("building the certificate verifier")?;
    let verifier =
        RecordingVerifier::new(webpki, opts.pins, opts.accept_unverified, observed.clone())
            .trust_first_use(opts.trust_first_use);
    let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = if opts.verify_once {
        Arc::new(super::verify::VerifyOnce::new(verifier))
    } else {
        Arc::new(verifier)
    };
    let key = opts
        .identity
        .map(|id| id.certified_key().context("loading the client certificate"))
        .transpose()?
        .map(Arc::new);
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(opts.versions.list())
        .context("selecting protocol versions")?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(Arc::new(RecordingClientCert::new(key, observed.clone())));
    config.alpn_protocols = opts.alpn;
    config.enable_sni = !opts.no_sni;
    config.key_log = key_log(&opts.keylog)?;
    Ok((Arc::new(config), observed))
}

/// The rustls root store for a choice of trust anchors.
pub fn root_store(roots: &TrustRoots) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match roots {
        TrustRoots::Webpki => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        TrustRoots::Certs(certs) => {
            let (added, _ignored) = store.add_parsable_certificates(certs.iter().cloned());
            if added == 0 {
                bail!("none of the CA certificates is usable as a trust anchor");
            }
        }
        TrustRoots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                match found.errors.first() {
                    Some(e) => bail!("the system trust store holds no usable certificate ({e})"),
                    None => bail!("the system trust store holds no usable certificate"),
                }
            }
        }
    }
    Ok(store)
}

/// Who must present a client certificate.
#[derive(Debug, Clone, Default)]
pub enum ClientAuth {
    /// Nobody is asked.
    #[default]
    Off,
    /// Asked; a client may decline, but a certificate it sends must verify.
    Optional(Vec<CertificateDer<'static>>),
    /// Required: the handshake fails without a certificate from these CAs.
    Required(Vec<CertificateDer<'static>>),
}

/// Everything a tlskit server can be asked to do.
#[derive(Debug)]
pub struct ServerOptions {
    /// The server's chain and key.
    pub identity: Identity,
    /// Client certificate policy.
    pub client_auth: ClientAuth,
    /// ALPN protocols, in the server's preference order.
    pub alpn: Vec<Vec<u8>>,
    /// Versions to accept.
    pub versions: Versions,
    /// Issue TLS 1.3 session tickets (stateless resumption).
    pub tickets: bool,
    /// A DER OCSP response to staple.
    pub ocsp: Option<Vec<u8>>,
    /// Key logging.
    pub keylog: KeyLogTo,
    /// Groups and suites to accept instead of the defaults.
    pub algorithms: Algorithms,
}

/// Builds a server config; fails at once when the key does not match the certificate.
pub fn server_config(opts: ServerOptions) -> Result<Arc<ServerConfig>> {
    server_config_wrapping(opts, |verifier| verifier)
}

/// Like [`server_config`], with the client-certificate verifier passed through
/// `wrap` first (the tunnel checks its allow rules inside the handshake this way).
pub fn server_config_wrapping(
    opts: ServerOptions,
    wrap: impl FnOnce(Arc<dyn ClientCertVerifier>) -> Arc<dyn ClientCertVerifier>,
) -> Result<Arc<ServerConfig>> {
    server_config_with_crls(opts, Vec::new(), wrap)
}

/// Like [`server_config_wrapping`], with CRLs that client certificates are
/// checked against (rustls' own CRL support: signature, scope, serials). Only
/// the client's own certificate is checked, and one whose issuer has no CRL
/// among `crls` passes, as it would without them.
pub fn server_config_with_crls(
    opts: ServerOptions,
    crls: Vec<rustls::pki_types::CertificateRevocationListDer<'static>>,
    wrap: impl FnOnce(Arc<dyn ClientCertVerifier>) -> Arc<dyn ClientCertVerifier>,
) -> Result<Arc<ServerConfig>> {
    let provider = opts.algorithms.provider();
    let mut key = opts.identity.certified_key()?;
    key.ocsp = opts.ocsp.filter(|o| !o.is_empty());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(opts.versions.list())
        .context("selecting protocol versions")?;
    let builder = match &opts.client_auth {
        ClientAuth::Off => builder.with_no_client_auth(),
        ClientAuth::Optional(cas) | ClientAuth::Required(cas) => {
            let mut store = RootCertStore::empty();
            let (added, _) = store.add_parsable_certificates(cas.iter().cloned());
            if added == 0 {
                bail!("the client CA file holds no usable CA certificate");
            }
            let mut vb = WebPkiClientVerifier::builder_with_provider(Arc::new(store), provider);
            if matches!(opts.client_auth, ClientAuth::Optional(_)) {
                vb = vb.allow_unauthenticated();
            }
            if !crls.is_empty() {
                // A stale list (past its nextUpdate) refuses its issuer's
                // clients, as OpenSSL's -crl_check does, rather than being
                // trusted silently.
                vb = vb
                    .with_crls(crls)
                    .only_check_end_entity_revocation()
                    .allow_unknown_revocation_status()
                    .enforce_revocation_expiration();
            }
            builder.with_client_cert_verifier(wrap(
                vb.build().context("building the client verifier")?,
            ))
        }
    };
    let mut config =
        builder.with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(key)));
    config.alpn_protocols = opts.alpn;
    config.key_log = key_log(&opts.keylog)?;
    if opts.tickets {
        config.ticketer =
            rustls::crypto::aws_lc_rs::Ticketer::new().context("creating the session ticketer")?;
        // One ticket per connection, not rustls' (and OpenSSL's) two: each
        // costs a fresh resumption secret, a random nonce and an encryption
        // (callgrind: 5 % of a resumed handshake's instructions), and a client
        // that resumes gets a new one every time, so one is all it uses.
        config.send_tls13_tickets = 1;
    } else {
        config.send_tls13_tickets = 0;
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    }
    Ok(Arc::new(config))
}

fn key_log(to: &KeyLogTo) -> Result<Arc<dyn KeyLog>> {
    Ok(match to {
        KeyLogTo::Off => Arc::new(rustls::NoKeyLog),
        KeyLogTo::Env => Arc::new(rustls::KeyLogFile::new()),
        KeyLogTo::File(path) => Arc::new(FileKeyLog::open(path.clone())?),
    })
}

/// NSS key log lines appended to a file of the user's choosing.
#[derive(Debug)]
struct FileKeyLog {
    file: Mutex<std::fs::File>,
}

impl FileKeyLog {
    fn open(path: PathBuf) -> Result<FileKeyLog> {
        let mut opts = OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts
            .open(&path)
            .with_context(|| format!("opening key log file '{}'", path.display()))?;
        Ok(FileKeyLog {
            file: Mutex::new(file),
        })
    }
}

impl KeyLog for FileKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let line = format!("{label} {} {}\n", hex(client_random), hex(secret));
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        // A failed key-log write must not break the connection it describes.
        let _ = f.write_all(line.as_bytes());
    }
}
