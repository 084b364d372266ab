//! `tlskit scan`: audit a server for legacy protocols, weak suites and
//! groups, certificate problems and missing features, in about a second,
//! and grade it A+ to F with the reasons.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use colored::{ColoredString, Colorize};

use crate::cmd::gencert::render_cert;
use crate::exit::{self, Code};
use crate::output::{field, sanitize, Ctx};
use crate::scan::engine;
use crate::scan::grade::Grade;
use crate::scan::probe::Endpoint;
use crate::scan::registry::Strength;
use crate::scan::report::{self, Report};
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

    /// Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites
    /// per version that tlskit's DTLS can offer.
    #[arg(long, conflicts_with = "starttls")]
    pub dtls: bool,
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
    if args.dtls {
        return super::dtls::scan(args, ctx);
    }
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
                print_error_json(ctx, &shown_target, &e)?;
            }
            return Err(e);
        }
    };
    ctx.emit(&report, |out| render(out, &report, ctx.quiet))?;

    if !report.any_accepted() {
        let unknown = report.protocols.iter().all(|p| p.accepted.is_none());
        let code = if unknown {
            Code::Network
        } else {
            Code::Handshake
        };
        // A server that answers every probe with junk (noise, an oversized
        // record) did not refuse anything: say what it sent.
        let malformed = report
            .protocols
            .iter()
            .filter_map(|p| p.detail.as_deref())
            .find(|d| d.starts_with("malformed answer"))
            .filter(|_| {
                report.protocols.iter().all(|p| {
                    p.detail
                        .as_deref()
                        .is_some_and(|d| d.starts_with("malformed answer"))
                })
            });
        let (why, what) = match (unknown, malformed) {
            (true, _) => ("no probe got an answer", String::new()),
            (false, Some(detail)) => (
                "no probe got a well-formed TLS answer",
                format!(
                    ": {}",
                    sanitize(detail.trim_start_matches("malformed answer: "))
                ),
            ),
            (false, None) => (
                "the server refused every SSL and TLS version offered",
                String::new(),
            ),
        };
        let said = |what: &str| {
            report
                .protocols
                .iter()
                .any(|p| p.detail.as_deref().is_some_and(|d| d.contains(what)))
        };
        let hint = if said("plain text") {
            "; is this a TLS port? For a plaintext service that upgrades, use --starttls"
        } else if said("unrecognized_name") {
            "; the server does not know the name sent as SNI: give the right one with --servername"
        } else {
            ""
        };
        return Err(exit::fail(
            code,
            format!("{why} ({}){what}{hint}", sanitize(&report.address)),
        ));
    }
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
fn print_error_json(ctx: &Ctx, target: &str, e: &anyhow::Error) -> Result<()> {
    #[derive(serde::Serialize)]
    struct Failure {
        message: String,
        exit_code: u8,
        stage: &'static str,
    }
    #[derive(serde::Serialize)]
    struct Failed<'a> {
        target: &'a str,
        error: Failure,
    }
    let doc = Failed {
        target,
        error: Failure {
            message: sanitize(&format!("{e:#}")).into_owned(),
            exit_code: exit::classify(e).as_u8(),
            stage: "connect",
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

/// The grade as a coloured badge (padded inside its background), or plain
/// text, aligned with the other values, when colour is off.
fn grade_colored(g: Grade) -> String {
    if !colored::control::SHOULD_COLORIZE.should_colorize() {
        return g.to_string();
    }
    let s = format!(" {g} ");
    match g {
        Grade::APlus | Grade::A => s.black().on_green().bold(),
        Grade::AMinus | Grade::B => s.black().on_yellow().bold(),
        _ => s.white().on_red().bold(),
    }
    .to_string()
}

fn yes_no(v: Option<bool>, good: bool) -> ColoredString {
    match v {
        Some(x) if x == good => (if x { "yes" } else { "no" }).green(),
        Some(x) => (if x { "yes" } else { "no" }).red(),
        None => "unknown".dimmed(),
    }
}

fn plain(v: Option<bool>) -> ColoredString {
    match v {
        Some(true) => "yes".normal(),
        Some(false) => "no".normal(),
        None => "unknown".dimmed(),
    }
}

/// Writes the report as text.
pub fn render(out: &mut dyn Write, r: &Report, quiet: bool) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} ({}, {})",
        "Scanned".bold(),
        sanitize(&r.target).bold(),
        r.address,
        sanitize(&r.server_name)
    )?;
    writeln!(
        out,
        "  {:<14} {}",
        "grade:".dimmed(),
        grade_colored(r.grade)
    )?;
    for c in &r.grade_caps {
        writeln!(
            out,
            "    {} {}",
            format!("{:<2}", c.grade).bold(),
            sanitize(&c.reason)
        )?;
    }
    if quiet {
        return Ok(());
    }

    writeln!(out, "{}", "Protocols".bold())?;
    for p in &r.protocols {
        let good = !p.version.deprecated();
        let state = match p.accepted {
            Some(true) if good => "accepted".green(),
            Some(true) => "accepted".red().bold(),
            Some(false) if good && p.version == crate::scan::registry::Version::Tls13 => {
                "not accepted".yellow()
            }
            Some(false) => "not accepted".normal(),
            None => "unknown".yellow(),
        };
        let detail = match (&p.detail, p.accepted) {
            (Some(d), Some(false) | None) => format!(" ({})", sanitize(d)).dimmed().to_string(),
            _ => String::new(),
        };
        writeln!(out, "  {:<14} {state}{detail}", p.version.name())?;
    }

    for s in &r.cipher_suites {
        let order = match s.server_preference {
            Some(true) => "server's order",
            Some(false) => "no server preference: follows the client",
            None => "order not determined",
        };
        writeln!(
            out,
            "{} {} ({} suites, {order})",
            "Cipher suites".bold(),
            s.version.name().bold(),
            s.suites.len()
        )?;
        for e in &s.suites {
            let strength = match e.strength {
                Strength::Strong => "strong".green(),
                Strength::Weak => "weak".yellow(),
                Strength::Insecure => "insecure".red().bold(),
            };
            let kx = match (&e.group, e.dh_bits) {
                (Some(g), _) => sanitize(g).into_owned(),
                (None, Some(b)) => format!("DH {b} bits"),
                _ => String::new(),
            };
            writeln!(out, "  {:<48} {:<18} {strength}", e.name, kx)?;
        }
        if let Some(why) = &s.incomplete {
            writeln!(out, "  {} {}", "incomplete:".yellow(), sanitize(why))?;
        }
    }

    for g in &r.groups {
        let title = if g.kind == "tls13" {
            "Groups (TLS 1.3)".to_string()
        } else {
            format!("Groups (ECDHE, {})", g.version.name())
        };
        let order = match g.server_preference {
            Some(true) => "server's order",
            Some(false) => "client's order",
            None => "order not determined",
        };
        writeln!(out, "{} ({order})", title.bold())?;
        let names: Vec<String> = g
            .groups
            .iter()
            .map(|e| {
                if e.post_quantum {
                    format!("{} (post-quantum)", e.name).green().to_string()
                } else if e.security_bits < 112 {
                    e.name.red().to_string()
                } else {
                    e.name.clone()
                }
            })
            .collect();
        writeln!(
            out,
            "  {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )?;
        if let Some(why) = &g.incomplete {
            writeln!(out, "  {} {}", "incomplete:".yellow(), sanitize(why))?;
        }
    }

    writeln!(out, "{}", "Features".bold())?;
    if let Some(n) = &r.negotiated {
        field(
            out,
            "negotiated",
            format!("{}, {}, {}", n.protocol, n.cipher_suite, n.group_display()),
        )?;
    } else if let Some(e) = &r.handshake_error {
        field(
            out,
            "handshake",
            format!("{} {}", "failed:".red(), sanitize(e)),
        )?;
    }
    let alpn: Vec<String> = r
        .alpn
        .iter()
        .map(|a| format!("{} {}", a.protocol, plain(a.accepted)))
        .collect();
    field(out, "ALPN", alpn.join(", "))?;
    field(out, "OCSP stapling", plain(r.ocsp_stapling))?;
    let res = &r.resumption;
    let mut parts = Vec::new();
    if res.tls13_tickets.is_some() {
        parts.push(format!("TLS 1.3 tickets {}", plain(res.tls13_tickets)));
    }
    if res.tls12_session_ids.is_some() || res.tls12_tickets.is_some() {
        parts.push(format!(
            "TLS 1.2 session IDs {}",
            plain(res.tls12_session_ids)
        ));
        parts.push(format!("TLS 1.2 tickets {}", plain(res.tls12_tickets)));
    }
    field(
        out,
        "resumption",
        if parts.is_empty() {
            "unknown".dimmed().to_string()
        } else {
            parts.join(", ")
        },
    )?;
    let cc = &r.client_certificate;
    let client = match (cc.requested, cc.required) {
        (Some(true), Some(true)) => "required".to_string(),
        (Some(true), _) => "requested (optional)".to_string(),
        (Some(false), _) => "not requested".to_string(),
        (None, _) => "unknown".dimmed().to_string(),
    };
    field(out, "client cert", client)?;
    if r.secure_renegotiation.is_some() {
        field(out, "secure reneg.", yes_no(r.secure_renegotiation, true))?;
    }
    if r.compression.is_some() {
        field(out, "compression", yes_no(r.compression, false))?;
    }
    if let Some(d) = &r.downgrade_protection {
        let how = match d.mechanism {
            "tls13_sentinel" => "TLS 1.3 downgrade sentinel",
            _ => "TLS_FALLBACK_SCSV",
        };
        field(
            out,
            "downgrade",
            format!("{} ({how})", yes_no(Some(d.protected), true)),
        )?;
    }

    match &r.certificate {
        None => writeln!(out, "{} {}", "Certificate".bold(), "none obtained".red())?,
        Some(c) => {
            let verdict = match &c.verification_error {
                None => "verified".green().bold().to_string(),
                Some(why) => format!("{} {}", "NOT VERIFIED:".red().bold(), sanitize(why).red()),
            };
            writeln!(out, "{} {verdict}", "Certificate".bold())?;
            if let Some(leaf) = c.chain.first() {
                render_cert(out, leaf)?;
            }
            if c.chain.len() > 1 {
                let issuers: Vec<String> = c.chain[1..]
                    .iter()
                    .map(|s| sanitize(&s.subject).into_owned())
                    .collect();
                field(out, "chain", issuers.join(" <- "))?;
            }
            for f in &c.findings {
                writeln!(
                    out,
                    "  {} {}: {}",
                    "finding".yellow(),
                    f.code,
                    sanitize(&f.message)
                )?;
            }
        }
    }
    writeln!(
        out,
        "{}",
        format!("{} probes in {:.2} s", r.probes, r.elapsed_ms / 1000.0).dimmed()
    )?;
    Ok(())
}
