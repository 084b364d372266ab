//! `tlskit scan`: audit servers for legacy protocols, weak suites and
//! groups, certificate problems and missing features, and grade each A+ to F
//! with the reasons. One target gets its full report; many (arguments or
//! `--targets FILE`) are scanned concurrently into a summary table, JSON
//! Lines or Prometheus metrics.

use std::io::{IsTerminal, Read, Write};
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

mod args;
pub use args::{Args, ScanFormat};

/// The targets named on the command line and in `--targets`, each with its settings.
fn read_targets(args: &Args) -> Result<Vec<TargetSpec>> {
    let defaults = TargetSettings {
        starttls: args.starttls,
        servername: args.name.servername.clone(),
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
    // The first finding that fails the run (the main chain's before a name's).
    if let Some(f) = report
        .revocation_findings()
        .find(|f| f.severity >= Severity::Failure)
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
    r.revocation_findings()
        .any(|f| f.severity >= Severity::Failure)
}

/// The warnings of `--check-revocation` for each target (its main chain,
/// then each SNI name's), on stderr.
fn revocation_warnings(ctx: &Ctx, outcomes: &[Outcome], many: bool) {
    if ctx.quiet {
        return;
    }
    let findings = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .flat_map(|r| r.revocation_findings().map(move |f| (r, f)));
    for (r, f) in findings {
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
