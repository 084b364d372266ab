//! `tlskit bench`: a concurrent load generator for TLS endpoints (what
//! `openssl s_time` would be if it opened more than one connection at a
//! time): full or resumed handshakes per second, or echo throughput with an
//! end-to-end SHA-256 check, with latency percentiles and failures by kind.

use std::io::{IsTerminal, Write};

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::bench::echo;
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

mod args;

pub use args::{parse_size, Args};
use args::{DEFAULT_SECS, MAX_SECS};

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
    if let Some(name) = &args.name.servername {
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
        let addrs = bench::resolve(&dial_host, dial_port, timeout).await?;
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
            crate::output::bench::Checking::Insecure
        } else {
            crate::output::bench::Checking::Verified
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
