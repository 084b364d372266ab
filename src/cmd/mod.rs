//! One module per subcommand: its clap `Args` and its `run`.

pub mod bench;
pub mod ca;
pub mod connect;
pub mod dtls;
pub mod gencert;
pub mod inspect;
mod password;
pub mod pin;
pub mod revocation_args;
pub mod scan;
pub mod serve;
mod stdin;
pub mod tunnel;
pub mod values;

use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::Command;
use crate::exit::{self, Code};
use crate::output::Ctx;
use crate::report::Trust;
use crate::tls::algorithms::{self, Algorithms};
use crate::tls::config::{Identity, TrustRoots, Versions};
use crate::tls::files;
use crate::tls::pin::Pin;

/// Runs one subcommand.
pub fn run(command: Command, ctx: &Ctx) -> anyhow::Result<Code> {
    match command {
        Command::Gencert(args) => gencert::run(args, ctx),
        Command::Ca(args) => ca::run(args, ctx),
        Command::Serve(args) => serve::run(args, ctx),
        Command::Connect(args) => connect::run(args, ctx),
        Command::Inspect(args) => inspect::run(args, ctx),
        Command::Pin(args) => pin::run(args, ctx),
        Command::Scan(args) => scan::run(args, ctx),
        Command::Bench(args) => bench::run(args, ctx),
        Command::Tunnel(args) => tunnel::run(args, ctx),
        Command::Generate(args) => crate::generate::run(args, ctx),
    }
}

/// `--ca` and `--system-roots`: what verifies a server's chain (connect, bench, scan).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RootArgs {
    /// Trust only the CA certificates in FILE (PEM bundle or DER) instead of the embedded
    /// Mozilla roots.
    #[arg(long, value_name = "FILE", conflicts_with = "system_roots")]
    pub ca: Option<PathBuf>,

    /// Trust the platform's certificate store instead of the embedded Mozilla roots.
    #[arg(long)]
    pub system_roots: bool,
}

impl RootArgs {
    /// The roots, and what they are, as reports name them.
    pub fn load(&self) -> anyhow::Result<(TrustRoots, Trust)> {
        Ok(match &self.ca {
            Some(path) => (
                TrustRoots::Certs(files::load_certs(path).context("--ca")?),
                Trust::CaFile,
            ),
            None if self.system_roots => (TrustRoots::System, Trust::System),
            None => (TrustRoots::Webpki, Trust::WebpkiRoots),
        })
    }
}

/// `--starttls` for commands that read a server's chain (inspect, pin).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StartTlsArgs {
    /// Servers: speak this protocol's plaintext upgrade before TLS (a server given without a
    /// port gets the protocol's port).
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<crate::tls::starttls::StartTls>,
}

/// `--cert` and `--key`: the client certificate for mutual TLS.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct IdentityArgs {
    /// Client certificate for mutual TLS: a PEM chain, leaf first (or DER).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// Private key of the client certificate (PKCS#8, PKCS#1 or SEC1; PEM or DER).
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
}

impl IdentityArgs {
    /// The certificate and key, loaded (`None` without `--cert`).
    pub fn load(&self) -> anyhow::Result<Option<Identity>> {
        let (Some(cert), Some(key)) = (&self.cert, &self.key) else {
            return Ok(None);
        };
        Ok(Some(Identity {
            chain: files::load_certs(cert).context("--cert")?,
            key: files::load_key(key).context("--key")?,
        }))
    }
}

/// The roots plus `--insecure` and `--pin`: how a client decides to trust a server
/// (connect, bench).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrustArgs {
    #[command(flatten)]
    pub roots: RootArgs,

    /// Do not fail on certificate errors: the chain is still verified and reported as NOT
    /// VERIFIED, and pins still apply. DANGEROUS outside a test bench.
    #[arg(long, short = 'k')]
    pub insecure: bool,

    #[command(flatten)]
    pub pin: PinArgs,
}

impl TrustArgs {
    /// The `--pin` values, parsed (a usage error when one is malformed).
    pub fn pins(&self) -> anyhow::Result<Vec<Pin>> {
        self.pin.pins()
    }
}

/// `--pin`: an SPKI pin that vouches for a server (connect, bench, scan).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PinArgs {
    /// Require an SPKI pin on some certificate of the chain: sha256//BASE64 (curl's form),
    /// pin-sha256="…" or 64 hex digits. Repeat, or separate with ';', to allow several. A
    /// CA's pin matches only when the server's certificate chains up to that CA. A
    /// matching pin also trusts a certificate no CA signed.
    #[arg(long, value_name = "PIN", value_parser = values::pin_list)]
    pub pin: Vec<values::PinList>,
}

impl PinArgs {
    /// The `--pin` values (parsed by clap: a malformed one is a usage error).
    pub fn pins(&self) -> anyhow::Result<Vec<Pin>> {
        Ok(self.pin.iter().flat_map(|l| l.0.iter().cloned()).collect())
    }
}

/// `--groups` and `--suites`, shared by connect, bench and serve.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AlgorithmArgs {
    /// Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519,
    /// secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024
    /// [default: X25519MLKEM768, X25519, secp256r1, secp384r1].
    #[arg(long, value_name = "LIST", value_parser = values::group_list)]
    pub groups: Option<values::GroupList>,

    /// Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name
    /// (TLS_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256, ECDHE-ECDSA-AES128-GCM-SHA256…)
    /// [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first].
    #[arg(long, value_name = "LIST", value_parser = values::suite_list)]
    pub suites: Option<values::SuiteList>,
}

impl AlgorithmArgs {
    /// The choice, checked against the versions in use (a usage error when it leaves nothing).
    pub fn algorithms(&self, versions: Versions) -> anyhow::Result<Algorithms> {
        let groups = self.groups.clone().map(|g| g.0);
        let suites = self.suites.clone().map(|s| s.0);
        if let Some(s) = &suites {
            let (v13, v12) = (
                algorithms::has_suite_for(s, true),
                algorithms::has_suite_for(s, false),
            );
            let missing = match versions {
                Versions::Tls13 if !v13 => Some("TLS 1.3"),
                Versions::Tls12 if !v12 => Some("TLS 1.2"),
                _ => None,
            };
            if let Some(v) = missing {
                return Err(exit::fail(
                    Code::Usage,
                    format!("--suites names no {v} suite, and only {v} is enabled"),
                ));
            }
        }
        if let (Some(g), Versions::Tls12) = (&groups, versions) {
            if g.iter()
                .all(|g| !g.usable_for_version(rustls::ProtocolVersion::TLSv1_2))
            {
                return Err(exit::fail(
                    Code::Usage,
                    "--groups names no group usable with TLS 1.2 (the ML-KEM ones are TLS 1.3 only)",
                ));
            }
        }
        Ok(Algorithms { groups, suites })
    }
}

/// `--servername`: one flag with one meaning for every command that dials a
/// server and verifies its certificate (connect, inspect, scan, bench,
/// tunnel client).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServerNameArgs {
    /// The name to send as SNI and verify the certificate against, instead of the target's host
    /// (which is still the one dialled).
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,
}
