//! `tlskit ca`: the CA home (init, show, export) and installing its root in
//! the trust stores. Issuing with a CA is `gencert`'s (`cmd/gencert/issue.rs`).

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::atomic;
use crate::exit::{self, Code};
use crate::output::Ctx;
use crate::pki::constraints::{Constraints, IpNet};
use crate::pki::home::{self, InitOptions, Layout};
use crate::tls::certgen::{self, KeyType};
use crate::tls::certinfo::CertSummary;
use crate::tls::files;

/// Arguments of `tlskit ca`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The CA home is $TLSKIT_CA_HOME, else $XDG_DATA_HOME/tlskit/ca, else ~/.local/share/tlskit/ca.

Examples:
  tlskit ca init                                  root + intermediate for localhost, .test, 127.0.0.0/8, ::1
  tlskit ca init --permit-dns .test,.internal --permit-ip 10.0.0.0/8
  tlskit gencert app.test --issuer                a leaf from the CA home
  tlskit ca show")]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The `ca` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Make a root and a name-constrained intermediate in the CA home.
    Init(InitArgs),
    /// Show the CA home: its CAs, name constraints, pins and files.
    Show,
    /// Write the intermediate, its key and the root as PKCS#12 (to sign elsewhere).
    Export(ExportArgs),
    /// Trust the CA home's root: the system store (as root), NSS (Chromium, Firefox),
    /// Java [default: the system store when run as root, and NSS when certutil is
    /// installed].
    Install(StoreArgs),
    /// Remove the CA home's root from the trust stores it was installed in.
    Uninstall(StoreArgs),
    /// Say where the CA home's root is trusted.
    Status(StoreArgs),
}

/// Which trust stores.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// The system store: /usr/local/share/ca-certificates and update-ca-certificates (root only).
    #[arg(long)]
    pub system: bool,
    /// The NSS databases of Chromium (~/.pki/nssdb) and of each Firefox profile (certutil).
    #[arg(long)]
    pub nss: bool,
    /// A Java keystore (keytool): the JDK's cacerts unless --java-keystore.
    #[arg(long)]
    pub java: bool,
    /// The Java keystore to change instead of the JDK's cacerts (password changeit).
    #[arg(long, value_name = "FILE", requires = "java")]
    pub java_keystore: Option<PathBuf>,
}

/// Arguments of `tlskit ca export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The PKCS#12 file to write (mode 0600).
    #[arg(long, value_name = "FILE")]
    pub p12: PathBuf,
    /// The PKCS#12 password: the first line of FILE [default: asked on the terminal].
    #[arg(long, value_name = "FILE", conflicts_with = "p12_no_password")]
    pub p12_password_file: Option<PathBuf>,
    /// Write the PKCS#12 file with an empty password.
    #[arg(long)]
    pub p12_no_password: bool,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `tlskit ca init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The CA's name: its certificates are "NAME root" and "NAME intermediate"
    /// [default: tlskit local CA and 8 random hex digits].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// DNS names the CA may sign for, comma-separated: `.test` (or `test`) allows test and
    /// every name under it [default: localhost,.test].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub permit_dns: Vec<String>,

    /// IP networks the CA may sign for, comma-separated [default: 127.0.0.0/8,::1/128].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub permit_ip: Vec<String>,

    /// Make a CA that may sign for any name (not recommended: once trusted, it can
    /// impersonate any site).
    #[arg(long, conflicts_with_all = ["permit_dns", "permit_ip"])]
    pub no_constraints: bool,

    /// Write the root's key to FILE instead of the CA home, to be moved offline: it is
    /// never needed to issue certificates.
    #[arg(long, value_name = "FILE")]
    pub offline_root: Option<PathBuf>,

    /// Key algorithm of the root and the intermediate.
    #[arg(long, value_enum, default_value_t = KeyType::P256, value_name = "TYPE")]
    pub key_type: KeyType,

    /// Days of validity of the root (the intermediate: at most 3650).
    #[arg(long, value_name = "N", default_value_t = 3650,
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub days: u32,

    /// Replace an existing CA home.
    #[arg(long)]
    pub force: bool,
}

/// Runs `tlskit ca`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    match args.action {
        Action::Init(a) => init(a, ctx),
        Action::Show => {
            let report = home::show(&Layout::default_home()?)?;
            ctx.emit(&report, |out| {
                crate::output::ca::show(out, &report, ctx.stdout_style())
            })?;
            Ok(Code::Success)
        }
        Action::Export(a) => export(a, ctx),
        Action::Install(a) => stores(a, ctx, StoreAction::Install),
        Action::Uninstall(a) => stores(a, ctx, StoreAction::Uninstall),
        Action::Status(a) => stores(a, ctx, StoreAction::Status),
    }
}

fn export(args: ExportArgs, ctx: &Ctx) -> Result<Code> {
    let layout = Layout::default_home()?;
    let ca = home::issuer(&layout)?;
    atomic::check_targets([args.p12.as_path()], args.force)?;
    let password =
        super::password::p12_password(args.p12_password_file.as_deref(), args.p12_no_password)?;
    let key = files::load_key(&layout.intermediate_key)?;
    let mut certs = vec![ca.cert_der.clone()];
    certs.extend(files::load_certs(&layout.root)?);
    let der = crate::pki::p12::encode(&certs, &key, &password, "tlskit intermediate")?;
    atomic::write_file(&args.p12, &der, atomic::PRIVATE, args.force)?;
    let report = crate::output::ca::Exported {
        path: args.p12.display().to_string(),
        certificates: certs.len(),
    };
    if !ctx.quiet || ctx.json {
        ctx.emit(&report, |out| {
            crate::output::ca::exported(out, &report, ctx.stdout_style())
        })?;
    }
    Ok(Code::Success)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StoreAction {
    Install,
    Uninstall,
    Status,
}

fn stores(args: StoreArgs, ctx: &Ctx, action: StoreAction) -> Result<Code> {
    use crate::pki::trust::{self, Store, Target};
    let layout = Layout::default_home()?;
    home::check(&layout)?;
    let root = CertSummary::from_der(&files::load_certs(&layout.root)?.swap_remove(0))?;
    let nickname = root
        .subject
        .strip_prefix("CN=")
        .unwrap_or(&root.subject)
        .to_string();
    let target = Target {
        root_pem: layout.root.clone(),
        nickname,
        home: std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default(),
        java_keystore: args.java_keystore.clone(),
    };
    if action == StoreAction::Status {
        let report = crate::output::ca::TrustStatus {
            root: root.subject.clone(),
            stores: trust::status(&target)?,
        };
        ctx.emit(&report, |out| {
            crate::output::ca::status(out, &report, ctx.stdout_style())
        })?;
        return Ok(Code::Success);
    }
    let mut notes = Vec::new();
    let chosen: Vec<Store> = if args.system || args.nss || args.java {
        [
            (args.system, Store::System),
            (args.nss, Store::Nss),
            (args.java, Store::Java),
        ]
        .into_iter()
        .filter_map(|(on, s)| on.then_some(s))
        .collect()
    } else {
        let mut v = Vec::new();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            v.push(Store::System);
        } else {
            notes.push(
                "the system store was left alone: it needs root (sudo tlskit ca install --system)"
                    .to_string(),
            );
        }
        if trust::have("certutil") {
            v.push(Store::Nss);
        } else {
            notes.push("NSS (Chromium, Firefox) was left alone: certutil is not installed (Debian package libnss3-tools)".to_string());
        }
        v
    };
    let mut warnings = Vec::new();
    if action == StoreAction::Install {
        let root_der = files::load_certs(&layout.root)?.swap_remove(0);
        let (_, parsed) = x509_parser::parse_x509_certificate(&root_der)
            .map_err(|e| anyhow::anyhow!("'{}' does not parse: {e}", layout.root.display()))?;
        if Constraints::of_cert(&parsed)?.is_empty() {
            warnings.push(
                "this CA has no name constraints: once trusted, it can impersonate any site"
                    .to_string(),
            );
        }
    }
    // Said before anything changes, so that it can still be stopped.
    for w in &warnings {
        eprintln!("{}", crate::output::warning_line(w, ctx.stderr_style()));
    }
    let mut changes = Vec::new();
    for store in chosen {
        changes.extend(match action {
            StoreAction::Install => trust::install(&target, store)?,
            _ => trust::uninstall(&target, store)?,
        });
    }
    let report = crate::output::ca::TrustChanges {
        root: root.subject,
        changes,
        notes,
        warnings,
    };
    if !ctx.quiet || ctx.json {
        ctx.emit(&report, |out| {
            crate::output::ca::changes(out, &report, ctx.stdout_style())
        })?;
    }
    Ok(Code::Success)
}

fn init(args: InitArgs, ctx: &Ctx) -> Result<Code> {
    let usage = |e: anyhow::Error| exit::tag(Code::Usage, e);
    let constraints = if args.no_constraints {
        Constraints::default()
    } else {
        let dns = if args.permit_dns.is_empty() {
            vec!["localhost".to_string(), "test".to_string()]
        } else {
            args.permit_dns
                .iter()
                .map(|d| Constraints::parse_dns(d).context("--permit-dns"))
                .collect::<Result<_>>()
                .map_err(usage)?
        };
        let ip = if args.permit_ip.is_empty() {
            vec![IpNet::parse("127.0.0.0/8")?, IpNet::parse("::1")?]
        } else {
            args.permit_ip
                .iter()
                .map(|n| IpNet::parse(n).context("--permit-ip"))
                .collect::<Result<_>>()
                .map_err(usage)?
        };
        Constraints {
            permitted_dns: dns,
            permitted_ip: ip,
            ..Constraints::default()
        }
    };
    let name = match args.name {
        Some(n) if n.trim().is_empty() || n.chars().any(char::is_control) => {
            return Err(exit::fail(
                Code::Usage,
                "--name must be non-empty printable text",
            ))
        }
        Some(n) => n,
        None => certgen::unique_ca_name()?,
    };
    let report = home::init(&InitOptions {
        layout: Layout::default_home()?,
        name,
        constraints,
        offline_root: args.offline_root,
        key_type: args.key_type,
        days: args.days,
        force: args.force,
    })?;
    if report.constraints.is_empty() {
        eprintln!(
            "{}",
            crate::output::warning_line(
                "this CA may sign for any name: once trusted, it can impersonate any site",
                ctx.stderr_style()
            )
        );
    }
    if ctx.quiet && !ctx.json {
        return Ok(Code::Success);
    }
    ctx.emit(&report, |out| {
        crate::output::ca::init(out, &report, ctx.stdout_style())
    })?;
    Ok(Code::Success)
}
