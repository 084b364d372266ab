//! `tlskit bench`: a concurrent load generator for TLS endpoints (what
//! `openssl s_time` would be if it opened more than one connection at a
//! time): full or resumed handshakes per second, or echo throughput with an
//! end-to-end SHA-256 check, with latency percentiles and failures by kind.

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::bench::echo::{self, MAX_BYTES};
use crate::bench::{self, Live, Outcome, Plan};
use crate::exit::{self, Code};
use crate::output::bench::{mib, render};
pub use crate::output::bench::{
    ClientCpu, Counts, FailureLine, Latency, Limits, Mode, Report, ServerCpu, Throughput,
};
use crate::output::{self, sanitize, Ctx};
use crate::tls::config::{self, ClientOptions, Versions};
use crate::tls::target::Target;
use crate::tls::{danger, dial};

/// Default run length when neither --duration nor --connections is given.
const DEFAULT_SECS: f64 = 5.0;
/// The longest run.
const MAX_SECS: f64 = output::bench::MAX_SECS;
/// The most connections one run may open.
const MAX_CONNECTIONS: u64 = 100_000_000;
/// The most connections open at once.
const MAX_CONCURRENCY: u32 = 10_000;

/// Arguments of `tlskit bench`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit bench localhost:4433 --ca ca.pem                full handshakes/s for 5 s, 8 at a time
  tlskit bench localhost:4433 --ca ca.pem --resume       resumed handshakes/s (session tickets)
  tlskit bench localhost:4433 --ca ca.pem --bytes 256m -c 1   echo throughput, SHA-256 checked
  tlskit bench 127.0.0.1:4433 --insecure -n 1000 -c 32   exactly 1000 connections, 32 at a time
  tlskit bench example.test:443 --pin sha256//... --json --duration 10
  tlskit bench localhost:4433 --ca ca.pem --groups x25519 --suites TLS_AES_128_GCM_SHA256

Every connection: TCP connect, TLS handshake, the echo if --bytes is given,
close_notify, and up to 1 s for the server to close. Exit 0 when any
connection succeeded; when all failed, the exit code of the first failure.

The server's chain is verified in full the first time; later connections must
present the very same chain for the same name (and it must still be in date),
and every handshake's signature is checked against it, so each server still
proves it holds the key. The client's CPU goes to handshakes, not to building
the same path again (browsers cache verifications too). With --bytes, the
data and its SHA-256 are made before the clock starts.
The report gives bench's own CPU use: near the machine's cores, the client,
not the server, is the limit.")]
pub struct Args {
    /// The server: HOST:PORT, [IPv6]:PORT, HOST (port 443) or https://HOST[:PORT]/.
    #[arg(value_name = "TARGET", required_unless_present = "floor")]
    pub target: Option<String>,

    /// Measure this machine's crypto floor instead, with no network: the CPU that one full
    /// TLS 1.3 handshake's cryptography (ECDSA P-256 signature, X25519, ML-KEM-768) and one
    /// MiB of AES-256-GCM cost with the library tlskit uses. No server does a handshake for
    /// less.
    #[arg(long, conflicts_with = "target")]
    pub floor: bool,

    /// Also read this process's CPU time (user + system, with its threads and child
    /// processes) before and after the run, and report the server's CPU per handshake and
    /// per MiB. Repeat for several processes.
    #[arg(long, value_name = "PID")]
    pub server_pid: Vec<u32>,

    /// Connections open at once.
    #[arg(short = 'c', long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=MAX_CONCURRENCY as i64))]
    pub concurrency: u32,

    /// Start no connection after SECS seconds [default: 5, or 3600 as the cap with
    /// --connections; at most 3600]. Running handshakes get --timeout more; running echoes
    /// finish while they move (within an hour of the start).
    #[arg(short = 'd', long, value_name = "SECS", value_parser = parse_secs)]
    pub duration: Option<f64>,

    /// Start exactly N connections (at most 100,000,000), within the --duration cap.
    #[arg(short = 'n', long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=MAX_CONNECTIONS))]
    pub connections: Option<u64>,

    /// Resume sessions (TLS 1.3 tickets, TLS 1.2 tickets or IDs) and count how many really
    /// resumed; without it every handshake is a full one.
    #[arg(long)]
    pub resume: bool,

    /// Echo mode: each connection sends SIZE bytes of pseudo-random data while reading them
    /// back, and checks by SHA-256 that exactly what was sent came back (sizes like 64k, 1m,
    /// 256m, 1g; powers of 1024; at most 16g).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub bytes: Option<u64>,

    /// With --bytes: at most SIZE bytes sent and not yet echoed back (default: as much as TCP
    /// takes). For servers that stall when the echo backs up (ncat --exec).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "bytes")]
    pub window: Option<u64>,

    /// Per connection: limit on TCP connect + handshake, and on any stall of an echo.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: f64,

    #[command(flatten)]
    pub trust: super::TrustArgs,

    #[command(flatten)]
    pub identity: super::IdentityArgs,

    /// Send NAME as SNI and verify the certificate against it (the host is still dialled).
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Dial ADDR (HOST, HOST:PORT or [IPv6]:PORT) instead of the target's address, keeping its
    /// name (like curl's --connect-to).
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Speak this protocol's plaintext upgrade before TLS on every connection (a target
    /// without a port gets the protocol's).
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<crate::tls::starttls::StartTls>,

    /// Offer TLS 1.2 only.
    #[arg(long, conflicts_with = "tls13")]
    pub tls12: bool,

    /// Offer TLS 1.3 only.
    #[arg(long)]
    pub tls13: bool,

    #[command(flatten)]
    pub algorithms: super::AlgorithmArgs,

    /// Benchmark a DTLS server (UDP) instead: handshakes per second, and with --datagrams an
    /// echo where every datagram must come back intact (losses are counted).
    #[arg(long, conflicts_with_all = ["resume", "bytes"])]
    pub dtls: bool,

    /// With --dtls: datagrams echoed on each association (of --datagram-size bytes).
    #[arg(long, value_name = "N", requires = "dtls", default_value_t = 0)]
    pub datagrams: u64,

    /// With --dtls --datagrams: bytes per datagram (at most the MTU less the record overhead).
    #[arg(long, value_name = "BYTES", requires = "dtls", default_value_t = 512,
          value_parser = clap::value_parser!(u16).range(16..))]
    pub datagram_size: u16,
}

/// Parses seconds: `5`, `0.5`, `5s`, `500ms`, `2m`.
fn parse_secs(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{t}' is not a number of seconds (like 5, 0.5, 30s, 500ms or 2m)"))?;
    let v = v * mult;
    if !(v.is_finite() && (0.01..=MAX_SECS).contains(&v)) {
        return Err(format!("'{t}' is out of range (0.01 s to {MAX_SECS} s)"));
    }
    Ok(v)
}

/// Parses a size: `4096`, `64k`, `1m`, `256M`, `1g`, `64KiB` (k, m, g are powers of 1024).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    if digits.is_empty() {
        return Err(format!("'{t}' is not a size (like 4096, 64k, 1m or 256m)"));
    }
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "'{t}': the unit must be k, m or g (powers of 1024)"
            ))
        }
    };
    let n: u64 = digits.parse().map_err(|_| format!("'{t}' is too large"))?;
    let v = n
        .checked_mul(1u64 << shift)
        .filter(|v| (1..=MAX_BYTES).contains(v))
        .ok_or_else(|| format!("'{t}' is out of range (1 byte to 16g)"))?;
    Ok(v)
}

impl ServerCpu {
    fn new(pids: &[u32], used: Duration, connections: u64, bytes: u64) -> ServerCpu {
        let secs = used.as_secs_f64();
        ServerCpu {
            pids: pids.to_vec(),
            total_s: round3(secs),
            per_connection_us: (connections > 0)
                .then(|| (secs * 1e6 / connections as f64 * 10.0).round() / 10.0),
            per_mib_ms: (bytes > 0)
                .then(|| (secs * 1e3 / (bytes as f64 / 1048576.0) * 100.0).round() / 100.0),
        }
    }
}

/// Runs `tlskit bench`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    if args.floor {
        let floor = bench::floor::measure()?;
        ctx.emit(&floor, |out| {
            output::bench::floor(out, &floor, ctx.stdout_style())
        })?;
        return Ok(Code::Success);
    }
    let Some(target_text) = args.target.as_deref() else {
        return Err(exit::fail(Code::Usage, "a TARGET is needed (or --floor)"));
    };
    if args.dtls {
        return super::dtls::bench(args, ctx);
    }
    bench::cpu::check(&args.server_pid)?;
    let default_port = args.starttls.map_or(
        crate::tls::target::DEFAULT_PORT,
        crate::tls::starttls::StartTls::default_port,
    );
    let mut target = Target::parse_with_default_port(target_text, default_port)?;
    if let Some(name) = &args.servername {
        target = target.with_server_name(name)?;
    }
    let (dial_host, dial_port) = match &args.connect_to {
        Some(c) => dial::parse_connect_to(c, target.port)?,
        None => (target.host.clone(), target.port),
    };
    let pins = args.trust.pins()?;
    let (roots, _) = args.trust.roots.load()?;
    let versions = Versions::from_flags(args.tls12, args.tls13);
    let opts = ClientOptions {
        roots,
        accept_unverified: args.trust.insecure.then(danger::accept_unverified),
        pins,
        versions,
        algorithms: args.algorithms.algorithms(versions)?,
        identity: args.identity.load()?,
        verify_once: true,
        ..ClientOptions::default()
    };
    let (config, observations) = config::client_config(opts)?;
    let mut config = Arc::unwrap_or_clone(config);
    config.resumption = if args.resume {
        bench::SessionPool::resumption(args.concurrency as usize)
    } else {
        bench::GroupMemory::resumption()
    };
    if args.trust.insecure && !ctx.quiet {
        eprintln!("{}", output::bench::insecure_warning(ctx.stderr_style()));
    }

    let duration = match (args.duration, args.connections) {
        (Some(d), _) => d,
        (None, Some(_)) => MAX_SECS,
        (None, None) => DEFAULT_SECS,
    };
    let timeout = Duration::from_secs_f64(args.timeout);
    // Every connection is a file descriptor; many systems start with a soft limit of 1024.
    crate::server::limits::raise_for(u64::from(args.concurrency));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let live = Arc::new(Live::default());
    let progress = std::io::stderr().is_terminal() && !ctx.quiet && !ctx.json;
    let result: Result<(Outcome, Option<Duration>, ClientCpu, Duration)> = rt.block_on(async {
        // Ctrl-C is caught from here on: the handler is installed now, not when
        // a task first waits for it (a SIGINT before that would kill the process
        // without a report).
        let mut sigint = StopSignals::install()?;
        let addrs = resolve(&dial_host, dial_port, timeout).await?;
        let (body, prepared) = match args.bytes {
            Some(size) => {
                let started = Instant::now();
                if progress {
                    eprint!("preparing {} of data and its SHA-256…", mib(size));
                }
                let seed = bench::fresh_seed();
                let work = tokio::task::spawn_blocking(move || echo::Body::prepare(seed, size));
                let body = tokio::select! {
                    body = work => body.context("preparing the echo data")?,
                    _ = sigint.recv() => {
                        return Err(exit::fail(Code::Error, "interrupted while preparing the echo data"));
                    }
                };
                if progress {
                    eprint!("\r\x1b[2K");
                }
                (Some(Arc::new(body)), Some(started.elapsed()))
            }
            None => (None, None),
        };
        let plan = Plan {
            addrs,
            server_name: target.server_name.clone(),
            config: Arc::new(config),
            observations,
            concurrency: args.concurrency as usize,
            duration: Duration::from_secs_f64(duration),
            connections: args.connections,
            timeout,
            bytes: body,
            window: args.window.unwrap_or(u64::MAX),
            resume: args.resume,
            starttls: args.starttls.map(|p| (p, target.server_name_str())),
        };
        let interrupt = async move { sigint.recv().await };
        let ticker = progress.then(|| tokio::spawn(show_progress(live.clone(), args.bytes)));
        let (user0, sys0) = bench::cpu::own_times();
        let server0 = bench::cpu::total(&args.server_pid)?;
        let outcome = bench::run(plan, live.clone(), interrupt).await;
        let server1 = bench::cpu::total(&args.server_pid)?;
        let (user1, sys1) = bench::cpu::own_times();
        if let Some(t) = ticker {
            t.abort();
            eprint!("\r\x1b[2K");
        }
        let (user, system) = (
            user1.saturating_sub(user0).as_secs_f64(),
            sys1.saturating_sub(sys0).as_secs_f64(),
        );
        let secs = outcome.elapsed.as_secs_f64();
        let cpu = ClientCpu {
            user_s: round3(user),
            system_s: round3(system),
            cores: if secs > 0.0 {
                ((user + system) / secs * 100.0).round() / 100.0
            } else {
                0.0
            },
        };
        Ok((outcome, prepared, cpu, server1.saturating_sub(server0)))
    });
    rt.shutdown_timeout(Duration::from_millis(500));
    let (outcome, prepared, cpu, server_cpu) = result?;

    let mut report = build_report(&args, &target, duration, timeout, &outcome, cpu);
    if !args.server_pid.is_empty() {
        report.server_cpu = Some(ServerCpu::new(
            &args.server_pid,
            server_cpu,
            outcome.succeeded,
            outcome.bytes,
        ));
    }
    report.prepare_ms = prepared.map(|d| (d.as_secs_f64() * 10_000.0).round() / 10.0);
    ctx.emit(&report, |out| {
        render(out, &report, ctx.quiet, ctx.stdout_style())
    })?;
    if args.resume
        && report.connections.succeeded > 0
        && report.handshakes.resumed == 0
        && !ctx.quiet
    {
        eprintln!(
            "{}",
            output::bench::nothing_resumed_warning(ctx.stderr_style())
        );
    }
    if let Some(g) = &outcome.gave_up {
        let example = outcome
            .failures
            .iter()
            .find(|f| f.kind == g.kind && f.reason == g.reason)
            .map_or(g.reason.as_str(), |f| f.example.as_str());
        return Err(exit::fail(
            exit::code_for(g.failure),
            format!(
                "stopped early: the last {} connections all failed the same way ({}: {}); {} succeeded before",
                g.after,
                g.kind.name(),
                sanitize(example),
                outcome.succeeded
            ),
        ));
    }
    if outcome.succeeded > 0 {
        return Ok(Code::Success);
    }
    match outcome.first_failure {
        Some((kind, message)) => Err(exit::fail(
            exit::code_for(kind),
            format!(
                "every connection failed ({}); the first: {message}",
                outcome.failed
            ),
        )),
        None if outcome.unfinished > 0 && !outcome.interrupted => Err(exit::fail(
            Code::Error,
            format!(
                "no connection completed: {} still running were cut off an hour after the start",
                outcome.unfinished
            ),
        )),
        None => Err(exit::fail(Code::Error, "no connection completed")),
    }
}

/// SIGINT (Ctrl-C) and SIGTERM (`timeout`, `kill`): either one stops the
/// run early, and the run so far is still reported.
struct StopSignals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> Result<StopSignals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(StopSignals {
            int: signal(SignalKind::interrupt()).context("handling SIGINT")?,
            term: signal(SignalKind::terminate()).context("handling SIGTERM")?,
        })
    }

    /// Waits for either signal (forever if neither can come any more).
    async fn recv(&mut self) {
        tokio::select! {
            Some(()) = self.int.recv() => {}
            Some(()) = self.term.recv() => {}
            else => std::future::pending::<()>().await,
        }
    }
}

async fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let shown = sanitize(host);
    let found = match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
        Err(_) => {
            return Err(exit::fail(
                Code::Network,
                format!("timed out resolving '{shown}'"),
            ))
        }
        Ok(Err(e)) => {
            return Err(exit::fail(
                Code::Network,
                format!("cannot resolve '{shown}': {e}"),
            ))
        }
        Ok(Ok(found)) => found.collect::<Vec<_>>(),
    };
    if found.is_empty() {
        return Err(exit::fail(
            Code::Network,
            format!("'{shown}' resolves to no address"),
        ));
    }
    Ok(found)
}

async fn show_progress(live: Arc<Live>, bytes: Option<u64>) {
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        let secs = start.elapsed().as_secs_f64();
        let ok = live.ok.load(Ordering::Relaxed);
        let failed = live.failed.load(Ordering::Relaxed);
        let echoed = bytes.map(|_| live.bytes.load(Ordering::Relaxed));
        eprint!("{}", output::bench::progress_line(secs, ok, failed, echoed));
        let _ = std::io::stderr().flush();
    }
}

fn build_report(
    args: &Args,
    target: &Target,
    duration: f64,
    timeout: Duration,
    o: &Outcome,
    client_cpu: ClientCpu,
) -> Report {
    let secs = o.elapsed.as_secs_f64();
    let per_s = |n: u64| {
        if secs > 0.0 {
            ((n as f64 / secs) * 10.0).round() / 10.0
        } else {
            0.0
        }
    };
    let mode = match (args.bytes, args.resume) {
        (Some(_), _) => Mode::Echo,
        (None, true) => Mode::ResumedHandshakes,
        (None, false) => Mode::FullHandshakes,
    };
    let exit_code = if let Some(g) = &o.gave_up {
        exit::code_for(g.failure)
    } else if o.succeeded > 0 {
        Code::Success
    } else {
        o.first_failure
            .as_ref()
            .map_or(Code::Error, |(kind, _)| exit::code_for(*kind))
    };
    Report {
        target: target.to_string(),
        address: o.address.to_string(),
        server_name: target.server_name_str(),
        mode,
        verification: if args.trust.insecure {
            "insecure"
        } else {
            "verified"
        },
        limits: Limits {
            concurrency: args.concurrency as usize,
            duration_s: duration,
            connections: args.connections,
            timeout_s: timeout.as_secs_f64(),
            bytes_per_connection: args.bytes,
            window: args.window,
        },
        elapsed_s: (secs * 1000.0).round() / 1000.0,
        connections: Counts {
            succeeded: o.succeeded,
            failed: o.failed,
            unfinished: o.unfinished,
        },
        handshakes: o.kinds,
        handshakes_per_s: per_s(o.succeeded),
        resumed_per_s: args.resume.then(|| per_s(o.kinds.resumed)),
        throughput: args.bytes.map(|_| Throughput {
            bytes: o.bytes,
            mib_per_s: if secs > 0.0 {
                ((o.bytes as f64 / 1048576.0 / secs) * 10.0).round() / 10.0
            } else {
                0.0
            },
        }),
        latency_ms: Latency {
            handshake: o.handshake.summary_ms(),
            connection: o.connection.summary_ms(),
        },
        client_cpu,
        server_cpu: None,
        prepare_ms: None,
        negotiated: o.negotiated.clone(),
        failures: o
            .failures
            .iter()
            .map(|f| FailureLine {
                count: f.clone(),
                exit_code: exit::code_for(f.failure).as_u8(),
            })
            .collect(),
        interrupted: o.interrupted,
        gave_up: o.gave_up.clone(),
        exit_code: exit_code.as_u8(),
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64k"), Ok(65_536));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("2KiB"), Ok(2048));
        assert!(parse_size("0").is_err());
        assert!(parse_size("17g").is_err());
        assert!(parse_size("1t").unwrap_err().contains("unit"));
        assert!(parse_size("m").is_err());
        assert!(parse_size("99999999999999999999k").is_err());
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_secs("5"), Ok(5.0));
        assert_eq!(parse_secs("0.5"), Ok(0.5));
        assert_eq!(parse_secs("30s"), Ok(30.0));
        assert_eq!(parse_secs("2m"), Ok(120.0));
        assert_eq!(parse_secs("500ms"), Ok(0.5));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("61m").is_err());
        assert!(parse_secs("NaN").is_err());
        assert!(parse_secs("soon").is_err());
    }
}
