//! `tlskit inspect`: every detail of certificates, chains, keys and CSRs,
//! from files, standard input or live servers, with findings and an
//! expiry check for cron.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use rustls::pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;

use crate::exit::{self, Code};
use crate::output::inspect::{expiring_line, finding_line};
pub use crate::output::inspect::{
    render, CertEntry, Expiring, ExpiryCheck, InputReport, KeyCheck, KeyMatch, Report, ServerInfo,
};
use crate::output::Ctx;
use crate::report::inspect::{self, KeyTarget};
use crate::scan::fleet::{self, TargetSettings, TargetSpec};
use crate::text::sanitize;
use crate::tls::chain::TrustStore;
use crate::tls::error::{fail, Failure};
use crate::tls::files::{self, Item};
use crate::tls::source::{self, LiveOptions, Source};
use crate::tls::x509info;
use crate::when::parse_secs;

/// Arguments of `tlskit inspect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit inspect cert.pem                       every field, fingerprints, pin, findings
  tlskit inspect fullchain.pem                  order, who signed whom, where the chain ends
  tlskit inspect example.com:443                the chain a server presents, verified or not
  tlskit inspect cert.pem --key key.pem         does this key belong to this certificate?
  tlskit inspect key.pem request.csr            keys (never printed) and CSRs too
  tlskit inspect -q --expires-within 30d *.pem  exit 7 when any certificate expires within 30 days
  tlskit inspect example.com:443 --pem > chain.pem")]
pub struct Args {
    /// Files (PEM with any number of sections, or DER), `-` for standard input, or
    /// servers: HOST:PORT, [IPv6]:PORT, https://HOST/.
    #[arg(value_name = "INPUT", required_unless_present = "targets_file")]
    pub inputs: Vec<String>,

    /// Also inspect the servers listed in FILE (- for standard input), one per line with #
    /// comments, as scan --targets reads them: a line's starttls=, servername=,
    /// connect-to=HOST[:PORT] and timeout=SECS apply to its server (the flags are the
    /// defaults), and names=A,B also inspects the certificate presented for each name (SNI).
    #[arg(long = "targets", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,

    /// Check that this private key belongs to the certificate (the leaf of each input, or
    /// the request of an input without certificates); exit 1 when it does not.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Exit 7 when any certificate inspected expires within DURATION (30d, 12h, 2w),
    /// or has expired already.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub expires_within: Option<time::Duration>,

    /// Judge where chains end against these CA certificates instead of Mozilla's roots.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    #[command(flatten)]
    pub name: crate::cmd::ServerNameArgs,

    #[command(flatten)]
    pub starttls: super::StartTlsArgs,

    /// Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,

    /// Print the certificates as PEM instead of the report (to save a server's chain).
    #[arg(long)]
    pub pem: bool,

    /// The password of PKCS#12 inputs: the first line of FILE [default: an empty password].
    #[arg(long, value_name = "FILE")]
    pub p12_password_file: Option<PathBuf>,

    #[command(flatten)]
    pub revocation: super::revocation_args::CheckArgs,
}

/// One input to read, and how to fetch it when it is a server.
struct Wanted {
    source: Source,
    live: LiveOptions,
    /// For a certificate asked for by a targets file's `names=`: that name.
    sni: Option<String>,
}

/// The servers named in a targets file, each with its line's settings
/// (`starttls=`, `servername=`, `connect-to=`, `timeout=`; the flags are the
/// defaults, as in `scan`), and one more fetch per name of its `names=`.
fn read_targets_file(
    path: &std::path::Path,
    args: &Args,
    base: &LiveOptions,
) -> Result<Vec<Wanted>> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("--targets: reading standard input")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("--targets: reading '{}'", path.display()))?
    };
    let defaults = TargetSettings {
        starttls: args.starttls.starttls,
        servername: args.name.servername.clone(),
        ..TargetSettings::default()
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = |e: anyhow::Error| {
            fail(
                Failure::Input,
                format!(
                    "--targets '{}', line {}: {}",
                    path.display(),
                    n + 1,
                    sanitize(&format!("{e:#}"))
                ),
            )
        };
        let Some((target, settings)) = fleet::parse_line(line).map_err(at)? else {
            continue;
        };
        let spec = TargetSpec::new(&target, &settings, &defaults, args.timeout).map_err(at)?;
        let live = LiveOptions {
            server_name: settings.servername.or_else(|| defaults.servername.clone()),
            timeout: spec.timeout,
            roots: base.roots.clone(),
            starttls: spec.starttls,
            connect_to: spec.connect_to.clone(),
        };
        // The main certificate first, then those asked for by name.
        out.push(Wanted {
            source: Source::Server(target.clone()),
            live: live.clone(),
            sni: None,
        });
        for name in spec
            .names
            .iter()
            .filter(|t| t.server_name != spec.target.server_name)
        {
            let name = name.server_name_str();
            out.push(Wanted {
                source: Source::Server(target.clone()),
                live: LiveOptions {
                    server_name: Some(name.clone()),
                    ..live.clone()
                },
                sni: Some(name),
            });
        }
    }
    if out.is_empty() {
        bail!("--targets '{}' names no server", path.display());
    }
    Ok(out)
}

fn parse_duration(s: &str) -> Result<time::Duration> {
    crate::when::parse_duration(s)
}

/// Runs `tlskit inspect`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    let now = OffsetDateTime::now_utc();
    let ca_certs = match &args.ca {
        Some(path) => Some(files::load_certs(path).context("--ca")?),
        None => None,
    };
    let store = match &ca_certs {
        Some(certs) => TrustStore::from_certs(certs).context("--ca")?,
        None => TrustStore::webpki(),
    };
    let live = LiveOptions {
        server_name: args.name.servername.clone(),
        timeout: args.timeout,
        roots: ca_certs,
        starttls: args.starttls.starttls,
        connect_to: None,
    };
    let mut wanted: Vec<Wanted> = args
        .inputs
        .iter()
        .map(|t| Wanted {
            source: Source::classify(t),
            live: live.clone(),
            sni: None,
        })
        .collect();
    if let Some(path) = &args.targets_file {
        wanted.extend(read_targets_file(path, &args, &live)?);
    }
    if wanted.iter().filter(|w| w.source == Source::Stdin).count() > 1 {
        return Err(exit::fail(
            Code::Usage,
            "'-' (standard input) can be given only once",
        ));
    }
    let mut loaded = Vec::with_capacity(wanted.len());
    for w in &wanted {
        if let Source::File(path) = &w.source {
            let data = files::read_input(path)?;
            if crate::pki::p12::looks_like_p12(&data) {
                let password = match args.p12_password_file.as_deref() {
                    Some(f) => super::password::p12_password(Some(f), false)?,
                    None => String::new(),
                };
                let items = crate::pki::p12::decode(&data, &password)
                    .with_context(|| format!("'{}'", path.display()))?;
                loaded.push(source::Loaded {
                    items,
                    served: None,
                });
                continue;
            }
        }
        let fetched = source::load(&w.source, &w.live);
        loaded.push(match &w.sni {
            Some(name) => fetched.with_context(|| {
                sanitize(&format!("{} (SNI {name}, from names=)", w.source.name())).into_owned()
            })?,
            None => fetched?,
        });
    }
    // A CA certificate given beside others completes and verifies their
    // chains, as `openssl verify -CAfile ca.pem leaf.pem` does.
    let given: Vec<(usize, String, CertificateDer<'static>)> = loaded
        .iter()
        .zip(&wanted)
        .enumerate()
        .flat_map(|(n, (l, w))| {
            l.items.iter().filter_map(move |item| match item {
                Item::Certificate(c) => Some((n, plain_name(&w.source), c.clone())),
                _ => None,
            })
        })
        .collect();
    let mut inputs = Vec::with_capacity(wanted.len());
    for (n, (w, l)) in wanted.iter().zip(loaded).enumerate() {
        let others: Vec<(String, CertificateDer<'static>)> = given
            .iter()
            .filter(|(m, _, _)| *m != n)
            .map(|(_, name, c)| (name.clone(), c.clone()))
            .collect();
        let input_store;
        let store = if others.is_empty() {
            &store
        } else {
            input_store = store.with_inputs(&others);
            &input_store
        };
        let mut input = inspect_source(&w.source, l, store, now)?;
        input.sni = w.sni.clone();
        inputs.push(input);
    }

    let mut revocation_failure = None;
    if let Some(mode) = args.revocation.check_revocation {
        for (input, w) in inputs.iter_mut().zip(&wanted) {
            let Some(server) = input.server.as_ref().filter(|s| s.verified) else {
                continue;
            };
            let chain = input.ders.iter().map(|d| d.clone().into()).collect();
            let report = super::revocation_args::check_presented(
                &args.revocation,
                live.roots.as_deref(),
                chain,
                &server.server_name,
                w.live.timeout,
            )?;
            let (failure, warnings) = super::revocation_args::judge(&report, mode);
            for w in warnings {
                eprintln!("{}", crate::output::warning_line(&w, ctx.stderr_style()));
            }
            revocation_failure = revocation_failure.or(failure);
            input.revocation = Some(report);
        }
    }

    let key_check = match &args.key {
        Some(path) => Some(check_key(path, &inputs)?),
        None => None,
    };
    let expiry_check = args
        .expires_within
        .map(|within| inspect::expiry(&inputs, within));
    let report = Report {
        inputs,
        trust_store: store.kind,
        key_check,
        expiry_check,
    };

    if args.pem {
        if report.inputs.iter().all(|i| i.ders.is_empty()) {
            bail!("--pem: no certificate in the input to print (it prints certificates only; keys are never printed)");
        }
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for input in &report.inputs {
            for der in &input.ders {
                out.write_all(files::der_to_pem("CERTIFICATE", der).as_bytes())?;
            }
        }
        out.flush()?;
    } else if ctx.json || !ctx.quiet {
        ctx.emit(&report, |out| render(out, &report, ctx.stdout_style()))?;
    }
    if let Some(e) = revocation_failure {
        return Err(e);
    }
    if ctx.quiet && !ctx.json && !args.pem {
        // Quiet: the findings still matter, on stderr.
        for input in &report.inputs {
            for f in &input.findings {
                eprintln!("{}", finding_line(&input.label(), f, ctx.stderr_style()));
            }
        }
    }
    finish(&report, ctx)
}

/// The exit status, after the report is out: a key mismatch is an error,
/// an expiring certificate is exit 7.
fn finish(report: &Report, ctx: &Ctx) -> Result<Code> {
    if let Some(check) = &report.key_check {
        if let Some(bad) = check.results.iter().find(|r| !r.matches) {
            let what = bad.kind.name();
            bail!(
                "the private key '{}' does not belong to the {what} in {} ({}): \
                 the key's pin is {}, the {what}'s is {}",
                check.key,
                bad.source,
                bad.subject,
                check.key_pin,
                bad.certificate_pin
            );
        }
    }
    if let Some(check) = &report.expiry_check {
        if !check.expiring.is_empty() {
            for e in &check.expiring {
                eprintln!("{}", expiring_line(e, ctx.stderr_style()));
            }
            return Ok(Code::Expiring);
        }
    }
    Ok(Code::Success)
}

/// An input as the user wrote it (`ca.pem`, `-`, `host:443`), unquoted.
fn plain_name(src: &Source) -> String {
    match src {
        Source::File(p) => p.display().to_string(),
        Source::Stdin => "-".to_string(),
        Source::Server(t) => t.clone(),
    }
}

fn inspect_source(
    src: &Source,
    loaded: source::Loaded,
    store: &TrustStore,
    now: OffsetDateTime,
) -> Result<InputReport> {
    let name = src.name();
    let kind = src.kind();
    let shown = match src {
        Source::File(p) => p.display().to_string(),
        Source::Stdin => "-".to_string(),
        Source::Server(_) => loaded
            .served
            .as_ref()
            .map(|s| s.target.clone())
            .unwrap_or_else(|| name.clone()),
    };
    inspect::inspect_items(&name, kind, shown, loaded.items, loaded.served, store, now)
}

fn check_key(path: &std::path::Path, inputs: &[InputReport]) -> Result<KeyCheck> {
    let key = files::load_key(path).context("--key")?;
    let details = x509info::describe_private_key(&key)
        .with_context(|| format!("--key '{}'", path.display()))?;
    let key_bits = inspect::spki_bits(&details.spki_der)?;
    let mut results = Vec::new();
    for input in inputs {
        if let Some(leaf_index) = input.chain.as_ref().and_then(|c| c.path.first().copied()) {
            let der = &input.ders[leaf_index];
            let cert = x509info::parse_cert(der)?;
            let entry = &input.certificates[leaf_index];
            results.push(KeyMatch {
                source: input.label(),
                kind: KeyTarget::Certificate,
                subject: entry.details.subject.clone(),
                certificate_pin: entry.details.spki_pin.clone(),
                matches: cert.public_key().subject_public_key.data.as_ref() == key_bits.as_slice(),
            });
        } else if let (Some(der), Some(csr)) = (input.csr_ders.first(), input.csrs.first()) {
            // No certificate: the request then (does this key belong to the CSR I am sending?).
            let (_, req) =
                x509_parser::certification_request::X509CertificationRequest::from_der(der)
                    .map_err(|e| {
                        anyhow::anyhow!("{}: the request does not parse: {e}", input.source)
                    })?;
            results.push(KeyMatch {
                source: input.label(),
                kind: KeyTarget::Request,
                subject: csr.subject.clone(),
                certificate_pin: csr.spki_pin.clone(),
                matches: req
                    .certification_request_info
                    .subject_pki
                    .subject_public_key
                    .data
                    .as_ref()
                    == key_bits.as_slice(),
            });
        }
    }
    if results.is_empty() {
        bail!("--key: none of the inputs holds a certificate or request to check the key against");
    }
    Ok(KeyCheck {
        key: path.display().to_string(),
        key_pin: details.spki_pin,
        results,
    })
}
