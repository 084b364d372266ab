//! `tlskit tunnel`: TLS and mTLS in front of any TCP service (`server`), or
//! a local plaintext port in front of a TLS service (`client`), as stunnel
//! and ghostunnel do. The engine is `crate::tunnel`; this module holds the
//! flags (`args.rs`), the UDP glue (`udp.rs`), the signals, and the log's rendering thread.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::exit::{self, Code};
use crate::output::{self, sanitize, Ctx};
use crate::tls::config::Versions;
use crate::tls::pin::Pin;
use crate::tls::target::Target as TlsTarget;
use crate::tunnel::allow::AllowRules;
use crate::tunnel::client::{ClientTunnel, PreparedClient, RevocationCheck, Roots};
use crate::tunnel::server::{PreparedServer, ServerTunnel};
use crate::tunnel::{Control, Events, Limits, Summary, Target};

mod args;
mod udp;

pub use args::{Args, ClientArgs, CommonArgs, ServerArgs, TunnelMode};

/// The listen backlog: room for a burst of clients connecting at once.
const BACKLOG: u32 = 1024;

/// Runs `tlskit tunnel`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    match args.mode {
        TunnelMode::Server(a) => run_server(a, ctx),
        TunnelMode::Client(a) => run_client(a, ctx),
    }
}

fn run_server(a: ServerArgs, ctx: &Ctx) -> Result<Code> {
    if a.common.udp {
        return udp::run_server(a, ctx);
    }
    let addrs = crate::cmd::serve::listen_addrs(&a.common.listen)?;
    let target = Target::parse(&a.target)?;
    let mut pins = Vec::new();
    for text in &a.allow_pin {
        pins.extend(
            Pin::parse_list(text).map_err(|e| exit::tag(Code::Usage, e.context("--allow-pin")))?,
        );
    }
    let (versions, algorithms, alpn) = tls_choices(&a.common)?;
    let opts = ServerTunnel {
        target,
        allow_remote_target: a.allow_remote_target,
        cert: a
            .cert
            .clone()
            .map(|c| (c.clone(), a.key.clone().unwrap_or(c))),
        client_ca: a.client_ca.clone(),
        allow: AllowRules {
            cn: a.allow_cn.clone(),
            dns: a.allow_dns.clone(),
            uri: a.allow_uri.clone(),
            pin: pins,
        },
        versions,
        algorithms,
        alpn,
        proxy_protocol: a.proxy_protocol,
        limits: limits(&a.common, a.handshake_timeout),
        ocsp: a.ocsp.clone(),
        client_crls: a.crl.clone(),
        revocation: a.check_revocation.map(|mode| RevocationCheck {
            mode: mode.into(),
            offline: a.offline,
            timeout: a.common.connect_timeout,
        }),
    };
    let prepared = PreparedServer::prepare(opts)?;
    let status = status_addrs(&a.common)?;
    drive(
        &addrs,
        status,
        !a.common.no_log,
        ctx,
        tcp,
        |listener, status, events, control| prepared.run(listener, status, events, control),
    )
}

fn run_client(a: ClientArgs, ctx: &Ctx) -> Result<Code> {
    if a.common.udp {
        return udp::run_client(a, ctx);
    }
    let addrs = crate::cmd::serve::listen_addrs(&a.common.listen)?;
    let mut target = TlsTarget::parse(&a.target)?;
    if let Some(name) = &a.name.servername {
        target = target.with_server_name(name)?;
    }
    let mut pins = Vec::new();
    for text in &a.pin {
        pins.extend(Pin::parse_list(text).map_err(|e| exit::tag(Code::Usage, e.context("--pin")))?);
    }
    let roots = match &a.roots.ca {
        Some(path) => Roots::File(path.clone()),
        None if a.roots.system_roots => Roots::System,
        None => Roots::Webpki,
    };
    let (versions, algorithms, alpn) = tls_choices(&a.common)?;
    let opts = ClientTunnel {
        target,
        roots,
        pins,
        identity: match (&a.identity.cert, &a.identity.key) {
            (Some(c), Some(k)) => Some((c.clone(), k.clone())),
            _ => None,
        },
        alpn,
        versions,
        algorithms,
        // The handshake with the target is bounded by --connect-timeout.
        limits: limits(&a.common, a.common.connect_timeout),
        revocation: a.revocation.check_revocation.map(|mode| RevocationCheck {
            mode: mode.into(),
            offline: a.revocation.offline,
            timeout: a.common.connect_timeout,
        }),
    };
    let prepared = PreparedClient::prepare(opts)?;
    let status = status_addrs(&a.common)?;
    drive(
        &addrs,
        status,
        !a.common.no_log,
        ctx,
        tcp,
        |listener, status, events, control| prepared.run(listener, status, events, control),
    )
}

pub(super) fn status_addrs(c: &CommonArgs) -> Result<Option<Vec<SocketAddr>>> {
    c.status
        .as_deref()
        .map(|s| crate::cmd::serve::listen_addrs(s).context("--status"))
        .transpose()
}

type Choices = (Versions, crate::tls::algorithms::Algorithms, Vec<Vec<u8>>);

fn tls_choices(c: &CommonArgs) -> Result<Choices> {
    let versions = Versions::from_flags(c.tls12, c.tls13);
    let algorithms = c.algorithms.algorithms(versions)?;
    let mut alpn = Vec::new();
    for a in c.alpn.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if a.len() > 255 || !a.chars().all(|ch| ch.is_ascii_graphic()) {
            return Err(exit::fail(
                Code::Usage,
                format!(
                    "--alpn '{}': a protocol name is 1 to 255 printable ASCII characters",
                    sanitize(a)
                ),
            ));
        }
        alpn.push(a.as_bytes().to_vec());
    }
    Ok((versions, algorithms, alpn))
}

pub(super) fn limits(c: &CommonArgs, handshake_timeout: Duration) -> Limits {
    Limits {
        connect_timeout: c.connect_timeout,
        handshake_timeout,
        idle_timeout: Some(c.idle_timeout).filter(|d| !d.is_zero()),
        max_connections: c.max_connections as usize,
        grace: c.grace,
    }
}

/// Starts the runtime, binds with `bind` (TCP or UDP) and the status
/// endpoint, wires the signals, renders the events, and runs the engine.
pub(super) fn drive<S, B, F, Fut>(
    addrs: &[SocketAddr],
    status: Option<Vec<SocketAddr>>,
    log_connections: bool,
    ctx: &Ctx,
    bind: B,
    engine: F,
) -> Result<Code>
where
    B: FnOnce(&[SocketAddr]) -> Result<S>,
    F: FnOnce(S, Option<TcpListener>, Events, mpsc::UnboundedReceiver<Control>) -> Fut,
    Fut: std::future::Future<Output = Summary>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tlskit-tunnel")
        .build()
        .context("starting the async runtime")?;
    let (events, mut rx) = Events::channel(4096);
    let events = if log_connections {
        events
    } else {
        events.without_connections()
    };
    let json = ctx.json;
    let quiet = ctx.quiet;
    let (style, err_style) = (ctx.stdout_style(), ctx.stderr_style());
    let renderer = std::thread::spawn(move || {
        let stdout = std::io::stdout();
        while let Some(event) = rx.blocking_recv() {
            let mut out = stdout.lock();
            let written = if json {
                output::tunnel::json_line(&mut out, &event)
            } else {
                let _ =
                    output::tunnel::stderr_lines(&mut std::io::stderr().lock(), &event, err_style);
                output::tunnel::text(&mut out, &event, quiet, style)
            };
            // A closed stdout ends the log, not the tunnel.
            if written.and_then(|_| out.flush()).is_err() {
                continue;
            }
        }
    });
    let summary = runtime.block_on(async {
        // Signals first: a SIGTERM right after the first line must already be graceful.
        let control = forward_signals()?;
        let listener = bind(addrs)?;
        let status = status
            .as_deref()
            .map(|addrs| crate::listen::tcp(addrs, BACKLOG))
            .transpose()?;
        anyhow::Ok(engine(listener, status, events, control).await)
    });
    // The engine dropped its sender: the renderer drains the queue and ends.
    let _ = renderer.join();
    print_summary(&summary?, ctx)
}

/// The TCP tunnel's listener.
fn tcp(addrs: &[SocketAddr]) -> Result<TcpListener> {
    crate::listen::tcp(addrs, BACKLOG)
}

/// The summary at the end (text or one JSON line), unless `--quiet`.
pub(super) fn print_summary(summary: &Summary, ctx: &Ctx) -> Result<Code> {
    if !ctx.quiet {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if ctx.json {
            writeln!(out, "{}", output::json::to_line(summary)?)?;
        } else {
            output::tunnel::summary(&mut out, summary, ctx.stdout_style())?;
        }
        out.flush()?;
    }
    Ok(Code::Success)
}

/// SIGINT and SIGTERM stop the tunnel; SIGHUP reloads its files.
pub(super) fn forward_signals() -> Result<mpsc::UnboundedReceiver<Control>> {
    let (tx, rx) = mpsc::unbounded_channel();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt()).context("handling SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("handling SIGTERM")?;
        let mut hup = signal(SignalKind::hangup()).context("handling SIGHUP")?;
        tokio::spawn(async move {
            loop {
                let c = tokio::select! {
                    Some(()) = int.recv() => Control::Stop("SIGINT"),
                    Some(()) = term.recv() => Control::Stop("SIGTERM"),
                    Some(()) = hup.recv() => Control::Reload,
                    else => break,
                };
                if tx.send(c).is_err() {
                    break;
                }
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if tx.send(Control::Stop("Ctrl-C")).is_err() {
                break;
            }
        }
    });
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[test]
    fn allow_rules_need_a_client_ca() {
        let parsed = crate::cli::Cli::try_parse_from([
            "tlskit",
            "tunnel",
            "server",
            "--listen",
            "0",
            "--target",
            "127.0.0.1:1",
            "--allow-cn",
            "app",
        ]);
        assert!(parsed.is_err());
    }
}
