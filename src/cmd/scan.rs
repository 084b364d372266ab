//! `tlskit scan`: audit servers for legacy protocols, weak suites and
//! groups, certificate problems and missing features, and grade each A+ to F
//! with the reasons. One target gets its full report; many (arguments or
//! `--targets FILE`) are scanned concurrently into a summary table, JSON
//! Lines or Prometheus metrics.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::exit::{self, Code};
use crate::output::{self, sanitize, Ctx};
use crate::revocation::Severity;
use crate::scan::baseline;
use crate::scan::fleet::{
    self, Limits, Outcome, Progress, ScanFailure, TargetSettings, TargetSpec,
};
use crate::scan::grade::Grade;
use crate::scan::policy::Policy;
use crate::scan::probe::Shared;
use crate::scan::report::{ProtocolEntry, Report};
use crate::tls::error::{fail, Failure};
use crate::tls::starttls::StartTls;

/// Arguments of `tlskit scan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit scan example.com                        versions, suites, groups, certificates, grade
  tlskit scan localhost:4433 --ca ca.pem         trust a local CA for the certificate verdict
  tlskit scan localhost:4433 --pin sha256//…     trust a key (serve prints its pin)
  tlskit scan example.com --min-grade A          exit 8 when the grade is below A (for CI)
  tlskit scan mail.example.com --starttls smtp   (port 25 by default)
  tlskit scan 192.0.2.7 --sni a.example --sni b.example   the certificate served for each name
  tlskit scan example.com --json > scan.json
  tlskit scan a.example b.example:8443           a summary table, worst first
  tlskit scan --targets hosts.txt --json         one JSON object per target per line
  tlskit scan --targets hosts.txt --format prometheus > tls.prom

A targets file has one target per line, optionally followed by settings, and # comments:
  mail.example.org:25 starttls=smtp servername=mx.example.org timeout=10
  web.example.org names=www.example.org,api.example.org

SSL 3.0 to TLS 1.2 are probed with hand-built ClientHellos (no handshake is completed, so
suites tlskit never negotiates are still found); TLS 1.3 groups and suites are enumerated
through HelloRetryRequests. The grade rubric is in the README.")]
pub struct Args {
    /// The servers: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/… (port 443, or the
    /// --starttls protocol's port, unless given).
    #[arg(value_name = "TARGET", required_unless_present = "targets_file")]
    pub targets: Vec<String>,

    /// Read targets from FILE, one per line with optional settings (starttls=PROTO,
    /// servername=NAME, connect-to=HOST[:PORT], timeout=SECS, names=NAME,NAME) and # comments;
    /// FILE may be - for stdin.
    #[arg(long = "targets", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,

    /// The name to send as SNI and verify the certificate against [default: the target's host].
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Also ask for the certificate the server presents for NAME (sent as SNI, verified
    /// against NAME): each is reported with its chain and findings. Repeatable; a targets
    /// file line may say names=NAME,NAME instead.
    #[arg(long = "sni", value_name = "NAME")]
    pub sni: Vec<String>,

    /// Dial this HOST[:PORT] instead, keeping the target's name for SNI and verification.
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Speak this protocol's plaintext upgrade before every probe.
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<StartTls>,

    /// Bound on each probe (TCP connect + STARTTLS + the server's answer), in seconds.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub timeout: Duration,

    /// Probes in flight at once over all targets.
    #[arg(long, value_name = "N", default_value_t = 32,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// Probes in flight at once for one target (kept small so that scanning a server is
    /// polite, and so that one slow server cannot take every slot).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub per_target: u16,

    #[command(flatten)]
    pub roots: super::RootArgs,

    #[command(flatten)]
    pub pin: super::PinArgs,

    #[command(flatten)]
    pub revocation: super::revocation_args::CheckArgs,

    /// Exit with code 8 when a grade is below GRADE (A+, A, A-, B, C, D, F).
    #[arg(long, value_name = "GRADE", value_parser = parse_grade)]
    pub min_grade: Option<Grade>,

    /// Check each server against a policy: mozilla-modern, mozilla-intermediate,
    /// mozilla-old (Mozilla's server-side TLS 5.7) or a TOML FILE; exit 8 on any violation.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,

    /// Compare with FILE, an earlier --json output (one document or JSON Lines): list what
    /// changed per target; exit 8 when anything regressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// With several targets, print each full report after the summary table.
    #[arg(long)]
    pub details: bool,

    /// Output format: text, or prometheus (node_exporter's textfile collector). --json
    /// prints JSON (one object per line with several targets).
    #[arg(long, value_name = "FORMAT", value_enum, default_value = "text")]
    pub format: ScanFormat,

    /// Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites
    /// per version that tlskit's DTLS can offer.
    #[arg(long, conflicts_with_all = ["starttls", "check_revocation"])]
    pub dtls: bool,
}

/// How `scan` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// A report (one target) or a summary table (several).
    Text,
    /// The Prometheus text exposition format.
    Prometheus,
}

fn parse_secs(s: &str) -> std::result::Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 3600.0) {
        return Err("must be more than 0 and at most 3600 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(v))
}

fn parse_grade(s: &str) -> std::result::Result<Grade, String> {
    s.parse()
}

/// The targets named on the command line and in `--targets`, each with its settings.
fn read_targets(args: &Args) -> Result<Vec<TargetSpec>> {
    let defaults = TargetSettings {
        starttls: args.starttls,
        servername: args.servername.clone(),
        connect_to: args.connect_to.clone(),
        timeout: None,
        names: args.sni.clone(),
    };
    let mut specs = Vec::new();
    for t in &args.targets {
        let spec = TargetSpec::new(t, &TargetSettings::default(), &defaults, args.timeout)
            .map_err(|e| fail(Failure::Argument, format!("{e:#}")))?;
        specs.push(spec);
    }
    if let Some(path) = &args.targets_file {
        let (name, text) = if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading targets from standard input")?;
            ("standard input".to_string(), text)
        } else {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading targets from '{}'", path.display()))?;
            (format!("'{}'", path.display()), text)
        };
        for (n, line) in text.lines().enumerate() {
            let at = |e: anyhow::Error| {
                fail(
                    Failure::Input,
                    format!("{name}, line {}: {}", n + 1, sanitize(&format!("{e:#}"))),
                )
            };
            let Some((target, settings)) = fleet::parse_line(line).map_err(at)? else {
                continue;
            };
            specs.push(TargetSpec::new(&target, &settings, &defaults, args.timeout).map_err(at)?);
        }
        if specs.is_empty() {
            return Err(fail(Failure::Input, format!("{name} names no target")));
        }
    }
    Ok(specs)
}

/// The policy named by `--policy`: a built-in name or a TOML file.
fn load_policy(arg: &str) -> Result<Policy> {
    if let Some(p) = Policy::builtin(arg) {
        return Ok(p);
    }
    if arg.starts_with("mozilla-") && !std::path::Path::new(arg).exists() {
        return Err(fail(
            Failure::Argument,
            format!(
                "--policy: '{}' is not mozilla-modern, mozilla-intermediate or mozilla-old (nor a file)",
                sanitize(arg)
            ),
        ));
    }
    let text = std::fs::read_to_string(arg)
        .with_context(|| format!("--policy: reading '{}'", sanitize(arg)))?;
    let stem = std::path::Path::new(arg)
        .file_name()
        .map_or_else(|| arg.to_string(), |n| n.to_string_lossy().into_owned());
    Policy::from_toml(&text, &stem).map_err(|e| {
        fail(
            Failure::Input,
            format!("--policy '{}': {e:#}", sanitize(arg)),
        )
    })
}

/// Runs `tlskit scan`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    if args.dtls {
        return super::dtls::scan(args, ctx);
    }
    let policy = args.policy.as_deref().map(load_policy).transpose()?;
    let baseline = match &args.baseline {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--baseline: reading '{}'", path.display()))?;
            Some(baseline::load(&text).map_err(|e| {
                fail(
                    Failure::Input,
                    format!("--baseline '{}': {e:#}", path.display()),
                )
            })?)
        }
        None => None,
    };
    let specs = read_targets(&args)?;
    // One target named as an argument keeps the single-report output.
    let many = specs.len() > 1 || args.targets_file.is_some();
    let (roots, _) = args.roots.load()?;
    let pins = args.pin.pins()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let shared = Arc::new(Shared::new(usize::from(args.concurrency)));
    let progress = Arc::new(Progress::default());
    let limits = Limits {
        concurrency: usize::from(args.concurrency),
        per_target: usize::from(args.per_target),
    };
    let show_progress = std::io::stderr().is_terminal() && !ctx.quiet;
    let total = specs.len();
    let specs = Arc::new(specs);
    let revocation = args
        .revocation
        .check_revocation
        .map(|mode| crate::scan::revocation::Check {
            mode: mode.into(),
            offline: args.revocation.offline,
            timeout: args.timeout,
        });
    let work = fleet::scan_all(
        specs,
        roots,
        pins,
        limits,
        shared.clone(),
        progress.clone(),
        revocation,
    );
    let outcomes = rt.block_on(async {
        if show_progress {
            with_progress(&shared, &progress, total, work).await
        } else {
            work.await
        }
    });
    rt.shutdown_background();
    let mut outcomes = outcomes;
    if let Some(p) = &policy {
        for r in outcomes.iter_mut().filter_map(|o| o.as_mut().ok()) {
            r.policy = Some(p.check(r));
        }
    }
    if let Some(base) = &baseline {
        for r in outcomes.iter_mut().filter_map(|o| o.as_mut().ok()) {
            let now = serde_json::to_value(&*r).context("comparing with the baseline")?;
            r.baseline = Some(baseline::diff(base.get(&r.target), &now));
        }
    }

    revocation_warnings(ctx, &outcomes, many);
    let codes: Vec<Code> = outcomes
        .iter()
        .map(|o| code_of(o, args.min_grade))
        .collect();
    if args.format == ScanFormat::Prometheus {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        output::scan::prometheus(&mut out, &outcomes)?;
        out.flush()?;
    } else if !many {
        return single(ctx, outcomes.into_iter().next(), args.min_grade);
    } else if ctx.json {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for o in &outcomes {
            let line = match o {
                Ok(r) => output::json::to_line(r)?,
                Err(f) => output::json::to_line(&failure_doc(f))?,
            };
            writeln!(out, "{line}")?;
        }
        out.flush()?;
    } else {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let style = ctx.stdout_style();
        output::scan::summary_table(&mut out, &outcomes, style)?;
        output::scan::policy_summary(&mut out, &outcomes, style)?;
        output::scan::baseline_summary(&mut out, &outcomes, style)?;
        if args.details {
            for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
                writeln!(out)?;
                output::scan::render(&mut out, r, ctx.quiet, style)?;
            }
        }
        out.flush()?;
    }
    if let Some(min) = args.min_grade {
        let below: Vec<String> = outcomes
            .iter()
            .filter_map(|o| o.as_ref().ok())
            .filter(|r| r.grade < min)
            .map(|r| format!("{} ({})", sanitize(&r.target), r.grade))
            .collect();
        if !below.is_empty() && !ctx.quiet {
            eprintln!(
                "tlskit: below the required grade {min} (--min-grade): {}",
                below.join(", ")
            );
        }
    }
    Ok(worst(&codes))
}

/// One target named as an argument: its full report, or its error as
/// `tlskit: error: …` (with `--json`, a JSON document with the error).
fn single(ctx: &Ctx, outcome: Option<Outcome>, min_grade: Option<Grade>) -> Result<Code> {
    let report = match outcome {
        Some(Ok(r)) => r,
        Some(Err(f)) => {
            if ctx.json {
                ctx.emit(&failure_doc(&f), |_| Ok(()))?;
            }
            return Err(f.error);
        }
        None => return Err(fail(Failure::Argument, "no target given")),
    };
    ctx.emit(&report, |out| {
        output::scan::render(out, &report, ctx.quiet, ctx.stdout_style())
    })?;
    let mut code = Code::Success;
    if let Some(p) = report.policy.as_ref().filter(|p| !p.violations.is_empty()) {
        if !ctx.quiet {
            eprintln!(
                "tlskit: {} violation{} of {} (--policy)",
                p.violations.len(),
                if p.violations.len() == 1 { "" } else { "s" },
                p.policy
            );
        }
        code = Code::GradeTooLow;
    }
    if let Some(b) = report.baseline.as_ref().filter(|b| b.regressed()) {
        if !ctx.quiet {
            let n = b
                .changes
                .iter()
                .filter(|c| c.direction == baseline::Direction::Regression)
                .count();
            eprintln!(
                "tlskit: {n} regression{} since the baseline (--baseline)",
                if n == 1 { "" } else { "s" }
            );
        }
        code = Code::GradeTooLow;
    }
    if let Some(min) = min_grade {
        if report.grade < min {
            if !ctx.quiet {
                eprintln!(
                    "tlskit: grade {} is below the required {min} (--min-grade)",
                    report.grade
                );
            }
            code = Code::GradeTooLow;
        }
    }
    if let Some(f) = report
        .revocation
        .as_ref()
        .filter(|_| revocation_fails(&report))
    {
        let sentence = f.sentence.clone().unwrap_or_default();
        let sentence = match f.severity {
            Severity::Failure => format!("{sentence} (--check-revocation=require)"),
            _ => sentence,
        };
        return Err(exit::fail(Code::Verification, sentence));
    }
    Ok(code)
}

/// The exit code one target alone would give.
fn code_of(o: &Outcome, min_grade: Option<Grade>) -> Code {
    match o {
        Err(f) => exit::classify(&f.error),
        Ok(r) if revocation_fails(r) => Code::Verification,
        Ok(r) if min_grade.is_some_and(|m| r.grade < m) => Code::GradeTooLow,
        Ok(r) if r.policy.as_ref().is_some_and(|p| !p.violations.is_empty()) => Code::GradeTooLow,
        Ok(_) => Code::Success,
    }
}

/// Whether `--check-revocation` fails this target: revoked, or (with
/// `=require`) a status that could not be learned.
fn revocation_fails(r: &Report) -> bool {
    r.revocation
        .as_ref()
        .is_some_and(|f| f.severity >= Severity::Failure)
}

/// The warnings of `--check-revocation` for each target, on stderr.
fn revocation_warnings(ctx: &Ctx, outcomes: &[Outcome], many: bool) {
    if ctx.quiet {
        return;
    }
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        let Some(f) = &r.revocation else { continue };
        let Some(sentence) = f.sentence.as_deref() else {
            continue;
        };
        let text = if many {
            format!("{}: {sentence}", r.target)
        } else {
            sentence.to_string()
        };
        match f.severity {
            Severity::Ok => {}
            Severity::Warning => {
                eprintln!("{}", output::warning_line(&text, ctx.stderr_style()))
            }
            // One target: the error line from main says it; many: say it here.
            Severity::Failure | Severity::Critical if many => {
                let suffix = if f.severity == Severity::Failure {
                    " (--check-revocation=require)"
                } else {
                    ""
                };
                eprintln!("tlskit: {}{suffix}", sanitize(&text))
            }
            Severity::Failure | Severity::Critical => {}
        }
    }
}

/// The most severe of several targets' codes: a target that could not be
/// scanned outranks one that was graded too low.
fn worst(codes: &[Code]) -> Code {
    let rank = |c: Code| match c {
        Code::Success => 0,
        Code::GradeTooLow => 1,
        Code::Expiring => 2,
        Code::Verification => 3,
        Code::Network => 4,
        Code::Handshake => 5,
        _ => 6,
    };
    codes
        .iter()
        .copied()
        .max_by_key(|c| rank(*c))
        .unwrap_or(Code::Success)
}

/// The JSON of a target that got no report: the target, the error (the
/// shape `connect --json` gives its errors) and, when the probes ran, what
/// each got.
#[derive(serde::Serialize)]
struct FailureDoc<'a> {
    target: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocols: Option<&'a [ProtocolEntry]>,
    error: FailureError,
}

#[derive(serde::Serialize)]
struct FailureError {
    message: String,
    exit_code: u8,
    stage: fleet::Stage,
}

fn failure_doc(f: &ScanFailure) -> FailureDoc<'_> {
    let probed: Option<&Report> = f.probed.as_deref();
    FailureDoc {
        target: &f.target,
        address: probed.map(|r| r.address.as_str()),
        protocols: probed.map(|r| r.protocols.as_slice()),
        error: FailureError {
            message: sanitize(&format!("{:#}", f.error)).into_owned(),
            exit_code: exit::classify(&f.error).as_u8(),
            stage: f.stage,
        },
    }
}

/// Runs `work` while a progress line on stderr counts targets and probes.
async fn with_progress<F: std::future::Future>(
    shared: &Shared,
    progress: &Progress,
    total: usize,
    work: F,
) -> F::Output {
    let started = Instant::now();
    let ticker = async {
        // The first line after 100 ms: a quick scan draws nothing at all.
        let period = Duration::from_millis(100);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            let done = progress.done.load(Ordering::Relaxed);
            let failed = progress.failed.load(Ordering::Relaxed);
            let targets = if total > 1 {
                format!("{done}/{total} targets, {failed} failed, ")
            } else {
                String::new()
            };
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[K  scanning: {targets}{} probes, {:.1} s",
                shared.probes_sent(),
                started.elapsed().as_secs_f64()
            );
            let _ = err.flush();
        }
    };
    let out = tokio::select! {
        out = work => out,
        _ = ticker => unreachable!("the ticker never ends"),
    };
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[K");
    let _ = err.flush();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_code_wins() {
        assert_eq!(worst(&[]), Code::Success);
        assert_eq!(
            worst(&[Code::Success, Code::GradeTooLow, Code::Success]),
            Code::GradeTooLow
        );
        assert_eq!(worst(&[Code::GradeTooLow, Code::Network]), Code::Network);
        assert_eq!(worst(&[Code::Handshake, Code::Network]), Code::Handshake);
    }
}
