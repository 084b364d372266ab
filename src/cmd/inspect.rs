//! `tlskit inspect`: every detail of certificates, chains, keys and CSRs,
//! from files, standard input or live servers, with findings and an
//! expiry check for cron.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use colored::Colorize;
use rustls::pki_types::CertificateDer;
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::exit::{self, Code};
use crate::output::{self, sanitize, Ctx};
use crate::tls::chain::{self, ChainEnd, ChainReport, LinkStatus, Shape, StoreKind, TrustStore};
use crate::tls::files::{self, Item};
use crate::tls::lint::{self, Finding, Role};
use crate::tls::pin::Pin;
use crate::tls::source::{self, LiveOptions, Served, Source};
use crate::tls::x509info::{
    self, CertDetails, CsrDetails, PrivateKeyDetails, PublicKeyDetails, Validity,
};
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

    /// Also inspect the servers listed in FILE, one per line with # comments (a scan
    /// --targets file; its per-line settings are not used here); - for standard input.
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

    /// Servers: the name to send as SNI and verify, instead of the host.
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

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

/// The servers named in a targets file (the first word of each line).
fn read_targets_file(path: &std::path::Path) -> Result<Vec<String>> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("--targets: reading standard input")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("--targets: reading '{}'", path.display()))?
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        match crate::scan::fleet::parse_line(line) {
            Ok(Some((target, _))) => out.push(target),
            Ok(None) => {}
            Err(e) => bail!("--targets '{}', line {}: {e:#}", path.display(), n + 1),
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

/// One certificate in the report.
#[derive(Debug, Serialize)]
pub struct CertEntry {
    /// Position in its input (0: first presented).
    pub index: usize,
    /// What it is for, as far as tlskit can tell.
    pub role: Role,
    /// Whether it is itself a trust anchor of the store used.
    pub in_trust_store: bool,
    /// Every detail.
    #[serde(flatten)]
    pub details: CertDetails,
}

/// What a live server did.
#[derive(Debug, Serialize)]
pub struct ServerInfo {
    /// The target dialled.
    pub target: String,
    /// The address that answered.
    pub address: Option<String>,
    /// The name verified against.
    pub server_name: String,
    /// Whether the chain verified (Mozilla's roots, the server name).
    pub verified: bool,
    /// Why not.
    pub verification_error: Option<String>,
    /// Negotiated protocol.
    pub protocol: Option<String>,
    /// Negotiated cipher suite.
    pub cipher_suite: Option<String>,
}

/// Everything read from one input.
#[derive(Debug, Serialize)]
pub struct InputReport {
    /// The input as named.
    pub source: String,
    /// `file`, `stdin` or `server`.
    pub kind: &'static str,
    /// Set for a live server.
    pub server: Option<ServerInfo>,
    /// Certificates, in the order presented.
    pub certificates: Vec<CertEntry>,
    /// How the certificates relate (absent when there are none).
    pub chain: Option<ChainReport>,
    /// Private keys (described by their public half only).
    pub private_keys: Vec<PrivateKeyDetails>,
    /// Bare public keys.
    pub public_keys: Vec<PublicKeyDetails>,
    /// Certificate signing requests.
    pub csrs: Vec<CsrDetails>,
    /// PEM sections present but not inspected (a CRL, …).
    pub skipped: Vec<String>,
    /// What looks wrong.
    pub findings: Vec<Finding>,
    /// Servers, with --check-revocation: each certificate's revocation status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::RevocationReport>,
    #[serde(skip)]
    ders: Vec<Vec<u8>>,
    #[serde(skip)]
    csr_ders: Vec<Vec<u8>>,
}

/// The result of `--key`.
#[derive(Debug, Serialize)]
pub struct KeyCheck {
    /// The key file.
    pub key: String,
    /// The key's pin.
    pub key_pin: Pin,
    /// One result per input with a certificate.
    pub results: Vec<KeyMatch>,
}

/// Whether the key belongs to one input's leaf.
#[derive(Debug, Serialize)]
pub struct KeyMatch {
    /// The input.
    pub source: String,
    /// What the key was checked against: `certificate` (the leaf), or `request`
    /// (the first CSR, for an input without certificates).
    pub kind: &'static str,
    /// The certificate's (or request's) subject.
    pub subject: String,
    /// The certificate's (or request's) pin.
    pub certificate_pin: Pin,
    /// Whether they belong together.
    pub matches: bool,
}

/// One certificate that expires within the threshold.
#[derive(Debug, Serialize)]
pub struct Expiring {
    /// The input.
    pub source: String,
    /// Index within it.
    pub index: usize,
    /// Subject.
    pub subject: String,
    /// notAfter.
    pub not_after: String,
    /// Days left (negative: expired).
    pub days_left: i64,
}

/// The result of `--expires-within`.
#[derive(Debug, Serialize)]
pub struct ExpiryCheck {
    /// The threshold, in seconds.
    pub within_seconds: i64,
    /// Certificates inside it.
    pub expiring: Vec<Expiring>,
}

/// What `inspect` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per input, in command-line order.
    pub inputs: Vec<InputReport>,
    /// The trust store chains were judged against.
    pub trust_store: StoreKind,
    /// With `--key`.
    pub key_check: Option<KeyCheck>,
    /// With `--expires-within`.
    pub expiry_check: Option<ExpiryCheck>,
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
        server_name: args.servername.clone(),
        timeout: args.timeout,
        roots: ca_certs,
        starttls: args.starttls.starttls,
    };
    let mut inputs_given = args.inputs.clone();
    if let Some(path) = &args.targets_file {
        inputs_given.extend(read_targets_file(path)?);
    }
    let sources: Vec<Source> = inputs_given.iter().map(|t| Source::classify(t)).collect();
    if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
        return Err(exit::fail(
            Code::Usage,
            "'-' (standard input) can be given only once",
        ));
    }
    let mut loaded = Vec::with_capacity(sources.len());
    for src in &sources {
        if let Source::File(path) = src {
            let data = files::read_input(path)?;
            if crate::pki::p12::looks_like_p12(&data) {
                let password = match args.p12_password_file.as_deref() {
                    Some(f) => super::ca::p12_password(Some(f), false)?,
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
        loaded.push(source::load(src, &live)?);
    }
    // A CA certificate given beside others completes and verifies their
    // chains, as `openssl verify -CAfile ca.pem leaf.pem` does.
    let given: Vec<(usize, String, CertificateDer<'static>)> = loaded
        .iter()
        .zip(&sources)
        .enumerate()
        .flat_map(|(n, (l, src))| {
            l.items.iter().filter_map(move |item| match item {
                Item::Certificate(c) => Some((n, plain_name(src), c.clone())),
                _ => None,
            })
        })
        .collect();
    let mut inputs = Vec::with_capacity(sources.len());
    for (n, (src, l)) in sources.iter().zip(loaded).enumerate() {
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
        inputs.push(inspect_source(src, l, store, now)?);
    }

    let mut revocation_failure = None;
    if let Some(mode) = args.revocation.check_revocation {
        for input in inputs.iter_mut() {
            let Some(server) = input.server.as_ref().filter(|s| s.verified) else {
                continue;
            };
            let chain = input.ders.iter().map(|d| d.clone().into()).collect();
            let report = super::revocation_args::check_presented(
                &args.revocation,
                live.roots.as_deref(),
                chain,
                &server.server_name,
                args.timeout,
            )?;
            let (failure, warnings) = super::revocation_args::judge(&report, mode);
            for w in warnings {
                output::on_stderr(|| {
                    eprintln!("tlskit: {} {}", "warning:".yellow().bold(), sanitize(&w))
                });
            }
            revocation_failure = revocation_failure.or(failure);
            input.revocation = Some(report);
        }
    }

    let key_check = match &args.key {
        Some(path) => Some(check_key(path, &inputs)?),
        None => None,
    };
    let expiry_check = args.expires_within.map(|within| expiry(&inputs, within));
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
        ctx.emit(&report, |out| render(out, &report))?;
    }
    if let Some(e) = revocation_failure {
        return Err(e);
    }
    if ctx.quiet && !ctx.json && !args.pem {
        // Quiet: the findings still matter, on stderr.
        for input in &report.inputs {
            for f in &input.findings {
                output::on_stderr(|| eprintln!("{}", finding_line(&input.source, f)));
            }
        }
    }
    finish(&report)
}

/// The exit status, after the report is out: a key mismatch is an error,
/// an expiring certificate is exit 7.
fn finish(report: &Report) -> Result<Code> {
    if let Some(check) = &report.key_check {
        if let Some(bad) = check.results.iter().find(|r| !r.matches) {
            let what = if bad.kind == "request" {
                "request"
            } else {
                "certificate"
            };
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
                let when = if e.days_left < 0 {
                    format!("expired {}", e.not_after)
                } else {
                    format!("expires {} (in {} days)", e.not_after, e.days_left)
                };
                output::on_stderr(|| {
                    eprintln!(
                        "tlskit: {} {} #{} {}: {when}",
                        "expiring:".yellow().bold(),
                        sanitize(&e.source),
                        e.index,
                        sanitize(&e.subject)
                    )
                });
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
    let kind = match src {
        Source::Stdin => "stdin",
        Source::File(_) => "file",
        Source::Server(_) => "server",
    };
    let shown = match src {
        Source::File(p) => p.display().to_string(),
        Source::Stdin => "-".to_string(),
        Source::Server(_) => loaded
            .served
            .as_ref()
            .map(|s| s.target.clone())
            .unwrap_or_else(|| name.clone()),
    };
    inspect_items(&name, kind, shown, loaded.items, loaded.served, store, now)
}

/// Builds the report of one input from the objects read from it (`kind`:
/// `file`, `stdin` or `server`; `name` is used in errors, `shown` in the report).
pub fn inspect_items(
    name: &str,
    kind: &'static str,
    shown: String,
    items: Vec<Item>,
    served_by: Option<Served>,
    store: &TrustStore,
    now: OffsetDateTime,
) -> Result<InputReport> {
    let served = served_by.is_some();
    let mut certs_der = Vec::new();
    let mut private_keys = Vec::new();
    let mut public_keys = Vec::new();
    let mut csrs = Vec::new();
    let mut csr_ders = Vec::new();
    let mut skipped = Vec::new();
    let mut findings = Vec::new();
    for item in items {
        match item {
            Item::Certificate(c) => certs_der.push(c.as_ref().to_vec()),
            Item::PrivateKey(k) => {
                let n = private_keys.len() + 1;
                private_keys.push(
                    x509info::describe_private_key(&k)
                        .with_context(|| format!("{name}: private key #{n}"))?,
                );
            }
            Item::PublicKey(spki) => {
                let n = public_keys.len() + 1;
                public_keys.push(
                    x509info::describe_public_key(&spki)
                        .with_context(|| format!("{name}: public key #{n}"))?,
                );
            }
            Item::Csr(der) => {
                let n = csrs.len() + 1;
                let csr = x509info::describe_csr(der.as_ref())
                    .with_context(|| format!("{name}: certificate request #{n}"))?;
                if !csr.signature_valid {
                    findings.push(Finding {
                        certificate: None,
                        code: "csr-signature",
                        message: format!(
                            "certificate request #{n}: its signature does not verify with its own key (altered, or not made with this key)"
                        ),
                    });
                }
                csrs.push(csr);
                csr_ders.push(der.as_ref().to_vec());
            }
            Item::Other(what) => skipped.push(what.to_string()),
        }
    }
    if certs_der.is_empty() && private_keys.is_empty() && public_keys.is_empty() && csrs.is_empty()
    {
        bail!(
            "{name}: nothing to inspect (it holds {})",
            if skipped.is_empty() {
                "nothing".to_string()
            } else {
                skipped.join(", ")
            }
        );
    }

    let mut parsed = Vec::with_capacity(certs_der.len());
    for (i, der) in certs_der.iter().enumerate() {
        let cert = x509info::parse_cert(der).with_context(|| {
            if certs_der.len() == 1 {
                format!("{name}: the certificate does not parse")
            } else {
                format!("{name}: certificate #{i} does not parse")
            }
        })?;
        parsed.push(cert);
    }
    let details: Vec<CertDetails> = parsed
        .iter()
        .zip(&certs_der)
        .map(|(c, der)| x509info::describe_parsed(c, der, now))
        .collect();
    let chain = (!parsed.is_empty()).then(|| chain::analyze(&parsed, store));
    let mut certificates = Vec::with_capacity(details.len());
    for (i, d) in details.into_iter().enumerate() {
        let (issuer_in_chain, on_path) = match &chain {
            Some(c) => {
                let pos = c.path.iter().position(|&p| p == i);
                (pos.is_some_and(|p| p > 0), pos.is_some())
            }
            None => (false, false),
        };
        let role = lint::infer_role(&d, issuer_in_chain, served && i == 0);
        let public = on_path && chain.as_ref().is_some_and(ChainReport::publicly_trusted);
        findings.extend(lint::lint_cert(i, &d, role, public));
        certificates.push(CertEntry {
            index: i,
            role,
            in_trust_store: chain
                .as_ref()
                .is_some_and(|c| c.in_trust_store.get(i).copied().unwrap_or(false)),
            details: d,
        });
    }
    if let Some(c) = &chain {
        let subjects: Vec<String> = certificates
            .iter()
            .map(|c| c.details.subject.clone())
            .collect();
        findings.extend(lint::lint_chain(c, &subjects, served));
    }
    findings.sort_by_key(|f| f.certificate.map_or(usize::MAX, |c| c));

    Ok(InputReport {
        kind,
        source: shown,
        server: served_by.map(|s| ServerInfo {
            target: s.target,
            address: s.address,
            server_name: s.server_name,
            verified: s.verdict.is_ok(),
            verification_error: s.verdict.err(),
            protocol: s.protocol,
            cipher_suite: s.cipher_suite,
        }),
        certificates,
        chain,
        private_keys,
        public_keys,
        csrs,
        skipped,
        findings,
        revocation: None,
        ders: certs_der,
        csr_ders,
    })
}

fn check_key(path: &std::path::Path, inputs: &[InputReport]) -> Result<KeyCheck> {
    let key = files::load_key(path).context("--key")?;
    let details = x509info::describe_private_key(&key)
        .with_context(|| format!("--key '{}'", path.display()))?;
    let key_bits = spki_bits(&details.spki_der)?;
    let mut results = Vec::new();
    for input in inputs {
        if let Some(leaf_index) = input.chain.as_ref().and_then(|c| c.path.first().copied()) {
            let der = &input.ders[leaf_index];
            let cert = x509info::parse_cert(der)?;
            let entry = &input.certificates[leaf_index];
            results.push(KeyMatch {
                source: input.source.clone(),
                kind: "certificate",
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
                source: input.source.clone(),
                kind: "request",
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

/// The public key bits of a DER SubjectPublicKeyInfo (what must match, whatever the encoding of the parameters).
fn spki_bits(spki_der: &[u8]) -> Result<Vec<u8>> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| anyhow::anyhow!("the key's public half does not parse: {e}"))?;
    Ok(spki.subject_public_key.data.to_vec())
}

/// The certificates of `inputs` that expire within `within` (or have expired).
pub fn expiry(inputs: &[InputReport], within: time::Duration) -> ExpiryCheck {
    let limit = within.whole_seconds();
    let expiring = inputs
        .iter()
        .flat_map(|input| {
            input
                .certificates
                .iter()
                .filter(move |c| c.details.seconds_left <= limit)
                .map(move |c| Expiring {
                    source: input.source.clone(),
                    index: c.index,
                    subject: c.details.subject.clone(),
                    not_after: c.details.not_after.clone(),
                    days_left: c.details.days_left,
                })
        })
        .collect();
    ExpiryCheck {
        within_seconds: limit,
        expiring,
    }
}

// ---------------------------------------------------------------- rendering

const WIDTH: usize = 17;

/// `label: value`, with the value (which a file or peer controls) sanitized.
fn kv(out: &mut dyn Write, label: &str, value: &str) -> std::io::Result<()> {
    kv_raw(out, label, &sanitize(value))
}

/// `label: value` for a value tlskit built (and sanitized) itself.
fn kv_raw(out: &mut dyn Write, label: &str, value: &str) -> std::io::Result<()> {
    writeln!(out, "  {:<WIDTH$} {}", format!("{label}:").dimmed(), value)
}

/// Continuation lines of a multi-value field.
fn kv_list(out: &mut dyn Write, label: &str, values: &[String]) -> std::io::Result<()> {
    for (i, v) in values.iter().enumerate() {
        kv(out, if i == 0 { label } else { "" }, v)?;
    }
    Ok(())
}

fn crit(critical: bool) -> &'static str {
    if critical {
        " (critical)"
    } else {
        ""
    }
}

/// Writes the text report (what `tlskit inspect` prints without `--json`).
pub fn render(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    for (n, input) in report.inputs.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        render_input(out, input, report.trust_store)?;
    }
    if let Some(check) = &report.key_check {
        writeln!(out)?;
        for r in &check.results {
            let verdict = if r.matches {
                "matches".green().bold()
            } else {
                "DOES NOT MATCH".red().bold()
            };
            writeln!(
                out,
                "{} {} {verdict} {} ({})",
                "Key".bold(),
                sanitize(&check.key),
                sanitize(&r.source),
                sanitize(&r.subject)
            )?;
        }
    }
    Ok(())
}

fn render_input(out: &mut dyn Write, input: &InputReport, store: StoreKind) -> std::io::Result<()> {
    let count = input.certificates.len();
    let what = match input.chain.as_ref().map(|c| c.shape) {
        _ if count == 0 => String::new(),
        Some(Shape::Collection) => format!("{count} unrelated certificates (a bundle)"),
        Some(Shape::Chain) => format!("a chain of {count} certificates"),
        _ => "1 certificate".to_string(),
    };
    let title = match input.kind {
        "server" => format!("Server {}", sanitize(&input.source)),
        "stdin" => "Standard input".to_string(),
        _ => sanitize(&input.source).into_owned(),
    };
    writeln!(
        out,
        "{}{}",
        title.bold(),
        if what.is_empty() {
            String::new()
        } else {
            format!(": {what}")
        }
    )?;
    if let Some(s) = &input.server {
        let verdict = match &s.verification_error {
            None => match store {
                StoreKind::Webpki => "verified (Mozilla's roots)",
                StoreKind::Custom => "verified (the --ca certificates)",
                StoreKind::Input => "verified (a CA given among the inputs)",
            }
            .green()
            .to_string(),
            Some(e) => format!("{} {}", "NOT verified:".red().bold(), sanitize(e)),
        };
        kv_raw(out, "verification", &verdict)?;
        if let Some(a) = &s.address {
            kv(out, "address", a)?;
        }
        kv(out, "server name", &s.server_name)?;
        if let (Some(p), Some(c)) = (&s.protocol, &s.cipher_suite) {
            kv(out, "negotiated", &format!("{p}, {c}"))?;
        }
    }
    for cert in &input.certificates {
        render_cert(out, cert)?;
    }
    if let Some(chain) = &input.chain {
        if chain.shape != Shape::Single || input.kind == "server" || chain.end.is_some() {
            render_chain(out, chain, &input.certificates, store)?;
        }
    }
    if let Some(r) = &input.revocation {
        crate::output::revocation::render(out, r)?;
    }
    for (i, k) in input.private_keys.iter().enumerate() {
        writeln!(out, "{} {}", "Private key".bold(), format!("#{i}").dimmed())?;
        kv(out, "key", &k.key.to_string())?;
        kv(out, "format", k.format)?;
        kv(out, "SPKI pin", &k.spki_pin.to_string())?;
    }
    for (i, k) in input.public_keys.iter().enumerate() {
        writeln!(out, "{} {}", "Public key".bold(), format!("#{i}").dimmed())?;
        kv(out, "key", &k.key.to_string())?;
        kv(out, "SPKI pin", &k.spki_pin.to_string())?;
    }
    for (i, c) in input.csrs.iter().enumerate() {
        writeln!(
            out,
            "{} {}",
            "Certificate request".bold(),
            format!("#{i}").dimmed()
        )?;
        kv(out, "subject", &c.subject)?;
        if !c.sans.is_empty() {
            kv(out, "SANs", &join(&c.sans))?;
        }
        kv(out, "key", &c.key.to_string())?;
        let sig = if c.signature_valid {
            format!("{} (valid)", sanitize(&c.signature_algorithm))
        } else {
            format!(
                "{} {}",
                sanitize(&c.signature_algorithm),
                "(DOES NOT VERIFY)".red()
            )
        };
        kv_raw(out, "signature", &sig)?;
        kv(out, "SPKI pin", &c.spki_pin.to_string())?;
    }
    if !input.skipped.is_empty() {
        kv(out, "skipped", &input.skipped.join(", "))?;
    }
    if !input.findings.is_empty() {
        writeln!(out, "{}", "Findings:".bold())?;
        for f in &input.findings {
            let at = f.certificate.map(|c| format!("#{c} ")).unwrap_or_default();
            writeln!(
                out,
                "  {} {at}{}: {}",
                "warning:".yellow().bold(),
                f.code,
                sanitize(&f.message)
            )?;
        }
    }
    Ok(())
}

fn finding_line(source: &str, f: &Finding) -> String {
    let at = f.certificate.map(|c| format!(" #{c}")).unwrap_or_default();
    format!(
        "tlskit: {} {}{at}: {}: {}",
        "warning:".yellow().bold(),
        sanitize(source),
        f.code,
        sanitize(&f.message)
    )
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_cert(out: &mut dyn Write, cert: &CertEntry) -> std::io::Result<()> {
    let d = &cert.details;
    let role = match cert.role {
        Role::Server => "server",
        Role::Client => "client",
        Role::Ca => "CA",
        Role::Other => "other",
    };
    let mut tags = vec![role.to_string()];
    if d.self_signed {
        tags.push("self-signed".into());
    }
    if cert.in_trust_store {
        tags.push("in trust store".into());
    }
    writeln!(
        out,
        "{} {} {}",
        format!("#{}", cert.index).bold(),
        sanitize(&d.subject).bold(),
        format!("[{}]", tags.join(", ")).dimmed()
    )?;
    kv(out, "subject", &d.subject)?;
    kv(out, "issuer", &d.issuer)?;
    kv(out, "serial", &d.serial)?;
    let days_for_colour = match d.validity {
        Validity::Valid => d.days_left,
        _ => -1,
    };
    let when = output::days_left_colored(
        output::describe_validity(d.days_left, d.days_until_valid),
        days_for_colour,
    );
    kv_raw(
        out,
        "valid",
        &format!("{} to {} ({when})", d.not_before, d.not_after),
    )?;
    if !d.sans.is_empty() {
        kv(out, "SANs", &join(&d.sans))?;
    }
    kv(out, "key", &d.key.to_string())?;
    kv(out, "signature", &d.signature_algorithm)?;
    if let Some(bc) = &d.basic_constraints {
        let text = match (bc.ca, bc.path_len) {
            (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
            (true, None) => "CA:TRUE".to_string(),
            (false, _) => "CA:FALSE".to_string(),
        };
        kv(
            out,
            "basic constr.",
            &format!("{text}{}", crit(bc.critical)),
        )?;
    }
    if let Some(ku) = &d.key_usage {
        kv(
            out,
            "key usage",
            &format!("{}{}", ku.usages.join(", "), crit(ku.critical)),
        )?;
    }
    if let Some(eku) = &d.extended_key_usage {
        kv(
            out,
            "ext. key usage",
            &format!("{}{}", eku.purposes.join(", "), crit(eku.critical)),
        )?;
    }
    if let Some(ski) = &d.subject_key_id {
        kv(out, "subject key id", ski)?;
    }
    if let Some(aki) = &d.authority_key_id {
        kv(out, "auth. key id", aki)?;
    }
    if let Some(aia) = &d.authority_info_access {
        kv_list(out, "OCSP", &aia.ocsp)?;
        kv_list(out, "CA issuers", &aia.ca_issuers)?;
    }
    kv_list(out, "CRL", &d.crl_distribution_points)?;
    let policies: Vec<String> = d
        .policies
        .iter()
        .map(|p| match p.name {
            Some(n) => format!("{} ({n})", p.oid),
            None => p.oid.clone(),
        })
        .collect();
    kv_list(out, "policies", &policies)?;
    let scts: Vec<String> = d
        .scts
        .iter()
        .map(|s| format!("{}  log {}", s.timestamp, s.log_id))
        .collect();
    kv_list(out, "SCTs", &scts)?;
    let others: Vec<String> = d
        .other_extensions
        .iter()
        .map(|e| {
            let name = e.name.clone().unwrap_or_else(|| e.oid.clone());
            format!("{name}{}", crit(e.critical))
        })
        .collect();
    if !others.is_empty() {
        kv(out, "other ext.", &others.join(", "))?;
    }
    for m in &d.malformed_extensions {
        kv_raw(out, "malformed ext.", &sanitize(m).red().to_string())?;
    }
    kv(out, "SHA-256", &d.sha256_fingerprint)?;
    kv(out, "SHA-1", &d.sha1_fingerprint)?;
    kv(out, "SPKI pin", &d.spki_pin.to_string())
}

fn render_chain(
    out: &mut dyn Write,
    chain: &ChainReport,
    certs: &[CertEntry],
    store: StoreKind,
) -> std::io::Result<()> {
    let subject = |i: usize| {
        certs
            .get(i)
            .map(|c| sanitize(&c.details.subject).into_owned())
            .unwrap_or_default()
    };
    writeln!(out, "{}", "Chain:".bold())?;
    if chain.shape == Shape::Collection {
        let anchors = chain.in_trust_store.iter().filter(|t| **t).count();
        writeln!(
            out,
            "  no certificate issued another; {anchors} of {} are in the trust store",
            certs.len()
        )?;
        return Ok(());
    }
    for link in &chain.links {
        let status = match &link.signed_by_next {
            LinkStatus::Signed => format!("signed by #{}", link.next).green().to_string(),
            LinkStatus::NotIssuer => format!("NOT issued by #{}", link.next).red().to_string(),
            LinkStatus::BadSignature => format!(
                "names #{} as issuer, but its signature does NOT verify",
                link.next
            )
            .red()
            .to_string(),
            LinkStatus::Unchecked(why) => format!("issued by #{} ({why})", link.next)
                .yellow()
                .to_string(),
        };
        writeln!(out, "  #{} {}: {status}", link.index, subject(link.index))?;
    }
    if !chain.in_order {
        let order: Vec<String> = chain.path.iter().map(|i| format!("#{i}")).collect();
        writeln!(
            out,
            "  {} {}",
            "out of order; issuing order:".yellow(),
            order.join(" -> ")
        )?;
    }
    let store_name = match store {
        StoreKind::Webpki => "Mozilla's roots",
        StoreKind::Custom => "the --ca certificates",
        StoreKind::Input => "the CAs given among the inputs",
    };
    let end = match &chain.end {
        Some(ChainEnd::TrustedRoot {
            root,
            given_in: Some(input),
            index,
            ..
        }) => format!(
            "{}{}, a CA given in '{}' on the command line (trusted as openssl verify -CAfile would)",
            index.map(|i| format!("#{i} ")).unwrap_or_default(),
            sanitize(root),
            sanitize(input)
        )
        .green()
        .to_string(),
        Some(ChainEnd::TrustedRoot {
            root,
            index: Some(i),
            ..
        }) => format!("#{i} {}, in {store_name}", sanitize(root))
            .green()
            .to_string(),
        Some(ChainEnd::TrustedRoot {
            root, index: None, ..
        }) => format!("{} from {store_name} (not sent)", sanitize(root))
            .green()
            .to_string(),
        Some(ChainEnd::UntrustedRoot { root, index }) => format!(
            "#{index} {}, a self-signed root NOT in {store_name}",
            sanitize(root)
        )
        .yellow()
        .to_string(),
        Some(ChainEnd::IssuerNotFound { index, issuer }) => format!(
            "#{index}, whose issuer {} is neither in the input nor in {store_name}",
            sanitize(issuer)
        )
        .yellow()
        .to_string(),
        None => "unknown".to_string(),
    };
    writeln!(out, "  {} {end}", "ends at".dimmed())
}
