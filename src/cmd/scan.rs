//! `tlskit scan`: audit a server for legacy protocols, weak suites and
//! groups, certificate problems and missing features, in about a second,
//! and grade it A+ to F with the reasons.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::exit::{self, Code};
use crate::output::{sanitize, Ctx};
use crate::scan::engine;
use crate::scan::grade::Grade;
use crate::scan::probe::Endpoint;
use crate::scan::report::{self, ProtocolEntry, Report};
use crate::scan::session::TlsSetup;
use crate::tls::dial;
use crate::tls::starttls::StartTls;
use crate::tls::target::{self, Target};

/// Arguments of `tlskit scan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit scan example.com                        versions, suites, groups, certificate, grade
  tlskit scan localhost:4433 --ca ca.pem         trust a local CA for the certificate verdict
  tlskit scan example.com --min-grade A          exit 8 when the grade is below A (for CI)
  tlskit scan mail.example.com --starttls smtp   (port 25 by default)
  tlskit scan example.com --json > scan.json

SSL 3.0 to TLS 1.2 are probed with hand-built ClientHellos (no handshake is completed, so
suites tlskit never negotiates are still found); TLS 1.3 groups and suites are enumerated
through HelloRetryRequests. The grade rubric is in the README.")]
pub struct Args {
    /// The server: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/… (port 443, or the
    /// --starttls protocol's port, unless given).
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// The name to send as SNI and verify the certificate against [default: the target's host].
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Dial this HOST[:PORT] instead, keeping the target's name for SNI and verification.
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Speak this protocol's plaintext upgrade before every probe.
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<StartTls>,

    /// Bound on each probe (TCP connect + STARTTLS + the server's answer), in seconds.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub timeout: Duration,

    /// Probes in flight at once (kept small so that scanning a server is polite).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,

    #[command(flatten)]
    pub roots: super::RootArgs,

    /// Exit with code 8 when the grade is below GRADE (A+, A, A-, B, C, D, F).
    #[arg(long, value_name = "GRADE", value_parser = parse_grade)]
    pub min_grade: Option<Grade>,
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

/// Runs `tlskit scan`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    let starttls: Option<StartTls> = args.starttls;
    let default_port = starttls.map_or(target::DEFAULT_PORT, StartTls::default_port);
    let mut target = Target::parse_with_default_port(&args.target, default_port)?;
    if let Some(name) = &args.servername {
        target = target.with_server_name(name)?;
    }
    let (host, port) = match &args.connect_to {
        Some(c) => dial::parse_connect_to(c, target.port)?,
        None => (target.host.clone(), target.port),
    };
    let (roots, _) = args.roots.load()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let progress = std::io::stderr().is_terminal() && !ctx.quiet && !ctx.json;
    let shown_target = target.to_string();
    let result = rt.block_on(async {
        let addr = reach(&host, port, args.timeout).await?;
        let sni = target.name_is_dns().then(|| target.server_name_str());
        let mut ep = Endpoint::new(addr, sni, args.timeout, usize::from(args.concurrency));
        ep.starttls = starttls.map(|p| (p, target.server_name_str()));
        ep.check_starttls().await?;
        let setup = TlsSetup {
            target: target.clone(),
            address: (addr.ip().to_string(), addr.port()),
            roots,
            starttls,
        };
        let data = if progress {
            with_progress(&ep, &shown_target, engine::run(&ep, &setup)).await
        } else {
            engine::run(&ep, &setup).await
        };
        Ok::<_, anyhow::Error>(report::build(
            &data,
            &setup,
            &shown_target,
            &addr.to_string(),
        ))
    });
    rt.shutdown_background();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            if ctx.json {
                let stage = if starttls.is_some() && exit::classify(&e) == Code::Handshake {
                    "starttls"
                } else {
                    "connect"
                };
                print_error_json(ctx, &shown_target, &e, stage, None)?;
            }
            return Err(e);
        }
    };
    // A server that never spoke TLS (or refused every version) has no grade:
    // the cause alone is printed (with --json, with what each probe got).
    if let Some(e) = report.no_tls_error() {
        if ctx.json {
            print_error_json(ctx, &shown_target, &e, "probe", Some(&report))?;
        }
        return Err(e);
    }
    ctx.emit(&report, |out| {
        crate::output::scan::render(out, &report, ctx.quiet)
    })?;

    if let Some(min) = args.min_grade {
        if report.grade < min {
            if !ctx.quiet {
                eprintln!(
                    "tlskit: grade {} is below the required {min} (--min-grade)",
                    report.grade
                );
            }
            return Ok(Code::GradeTooLow);
        }
    }
    Ok(Code::Success)
}

/// With `--json`, a scan that could not start still prints one document:
/// the target and the error (the shape `connect --json` gives its errors).
fn print_error_json(
    ctx: &Ctx,
    target: &str,
    e: &anyhow::Error,
    stage: &'static str,
    probed: Option<&Report>,
) -> Result<()> {
    #[derive(serde::Serialize)]
    struct Failure {
        message: String,
        exit_code: u8,
        stage: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Failed<'a> {
        target: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        address: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        protocols: Option<&'a [ProtocolEntry]>,
        error: Failure,
    }
    let doc = Failed {
        target,
        address: probed.map(|r| r.address.as_str()),
        protocols: probed.map(|r| r.protocols.as_slice()),
        error: Failure {
            message: sanitize(&format!("{e:#}")).into_owned(),
            exit_code: exit::classify(e).as_u8(),
            stage,
        },
    };
    ctx.emit(&doc, |_| Ok(()))
}

/// Resolves `host` and returns the first address that accepts a TCP connection.
async fn reach(host: &str, port: u16, timeout: Duration) -> Result<SocketAddr> {
    let addrs: Vec<SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            let lookup = tokio::net::lookup_host((host, port));
            match tokio::time::timeout(timeout, lookup).await {
                Err(_) => {
                    return Err(exit::fail(
                        Code::Network,
                        format!("timed out resolving '{}'", sanitize(host)),
                    ))
                }
                Ok(Err(e)) => {
                    return Err(exit::fail(
                        Code::Network,
                        format!("cannot resolve '{}': {e}", sanitize(host)),
                    ))
                }
                Ok(Ok(found)) => found.collect(),
            }
        }
    };
    let mut last = None;
    for addr in &addrs {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => return Ok(*addr),
            Ok(Err(e)) => {
                last = Some(format!(
                    "cannot connect to {addr}: {}",
                    dial::describe_io(&e)
                ))
            }
            Err(_) => last = Some(format!("timed out connecting to {addr}")),
        }
    }
    Err(exit::fail(
        Code::Network,
        last.unwrap_or_else(|| format!("'{}' resolves to no address", sanitize(host))),
    ))
}

/// Runs `work` while a progress line on stderr counts the probes sent.
async fn with_progress<F: std::future::Future>(ep: &Endpoint, target: &str, work: F) -> F::Output {
    let started = Instant::now();
    let ticker = async {
        // The first line after 100 ms: a quick scan draws nothing at all.
        let period = Duration::from_millis(100);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[K  scanning {}: {} probes, {:.1} s",
                sanitize(target),
                ep.probes_sent(),
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
