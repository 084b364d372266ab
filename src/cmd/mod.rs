//! One module per subcommand: its clap `Args` and its `run`.

pub mod bench;
pub mod connect;
pub mod gencert;
pub mod inspect;
pub mod pin;
pub mod scan;
pub mod serve;

use anyhow::Context as _;

use crate::cli::Command;
use crate::exit::{self, Code};
use crate::output::Ctx;
use crate::tls::algorithms::{self, Algorithms};
use crate::tls::config::Versions;

/// Runs one subcommand.
pub fn run(command: Command, ctx: &Ctx) -> anyhow::Result<Code> {
    match command {
        Command::Gencert(args) => gencert::run(args, ctx),
        Command::Serve(args) => serve::run(args, ctx),
        Command::Connect(args) => connect::run(args, ctx),
        Command::Inspect(args) => inspect::run(args, ctx),
        Command::Pin(args) => pin::run(args, ctx),
        Command::Scan(args) => scan::run(args, ctx),
        Command::Bench(args) => bench::run(args, ctx),
        Command::Generate(args) => crate::generate::run(args, ctx),
    }
}

/// The error of a subcommand that a later release fills in.
pub fn not_implemented(name: &str) -> anyhow::Error {
    anyhow::anyhow!("'tlskit {name}' is not implemented yet")
}

/// `--groups` and `--suites`, shared by connect, bench and serve.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AlgorithmArgs {
    /// Key-exchange groups, in preference order, comma-separated: X25519MLKEM768, X25519,
    /// secp256r1 (P-256), secp384r1 (P-384), secp256r1MLKEM768, MLKEM768, MLKEM1024
    /// [default: X25519MLKEM768, X25519, secp256r1, secp384r1].
    #[arg(long, value_name = "LIST")]
    pub groups: Option<String>,

    /// Cipher suites, in preference order, comma-separated, by rustls, IANA or OpenSSL name
    /// (TLS13_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, ECDHE-ECDSA-AES128-GCM-SHA256…)
    /// [default: the AES-GCM and ChaCha20-Poly1305 suites, AES-256 first].
    #[arg(long, value_name = "LIST")]
    pub suites: Option<String>,
}

impl AlgorithmArgs {
    /// The choice, checked against the versions in use (a usage error when it leaves nothing).
    pub fn algorithms(&self, versions: Versions) -> anyhow::Result<Algorithms> {
        fn parsed<T>(
            text: &Option<String>,
            flag: &'static str,
            parse: fn(&str) -> anyhow::Result<T>,
        ) -> anyhow::Result<Option<T>> {
            text.as_deref()
                .map(parse)
                .transpose()
                .context(flag)
                .map_err(|e| exit::tag(Code::Usage, e))
        }
        let groups = parsed(&self.groups, "--groups", algorithms::parse_groups)?;
        let suites = parsed(&self.suites, "--suites", algorithms::parse_suites)?;
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
