//! `tlskit serve`: a concurrent TLS echo or status-page server that starts
//! without any files (ephemeral certificate), logs every connection, and
//! stops cleanly on SIGINT/SIGTERM or after `--max-accept` connections, and
//! reads its certificate and key again on SIGHUP.
//!
//! The flags are in [`args`], what is read and checked before the first
//! socket opens in [`setup`]; everything said on screen is rendered by
//! `output::serve`.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::sync::mpsc;

use crate::exit::Code;
use crate::output::{self, sanitize, Ctx};
use crate::server::{self, limits, log, Mode, Settings};
use crate::tls::config::Versions;

mod args;
mod setup;

pub use crate::output::serve::connect_command;
pub use args::{listen_addrs, parse_duration_secs, Args, ClientAuthMode};
pub use setup::check_ocsp_response;
pub(crate) use setup::{certificate_warnings, load_identity, warn};
use setup::{prepare, Setup};

/// The listen backlog: room for a burst of clients connecting at once.
const BACKLOG: u32 = 1024;

/// Runs `tlskit serve`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    if args.dtls {
        return super::dtls::serve(args, ctx);
    }
    let addrs = listen_addrs(&args.listen)?;
    let mut setup = prepare(&args)?;
    let wanted = u64::from(args.max_connections);
    if let Some(fd) = limits::raise_for(wanted) {
        if fd.now < wanted + limits::RESERVED_FDS {
            warn(&mut setup.warnings, format!(
                "the open-file limit is {} (hard limit); fewer than --max-connections {} connections fit",
                fd.now, args.max_connections
            ));
        }
    }
    if let Some(path) = setup.keylog.clone() {
        warn(&mut setup.warnings, format!(
            "writing TLS session secrets to '{}': anyone who can read it can decrypt these sessions",
            sanitize(&path)
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tlskit-serve")
        .build()
        .context("starting the async runtime")?;
    if args.ocsp.is_some() {
        if let Some(cert) = &args.cert {
            let identity = load_identity(cert, args.key.as_deref())?;
            let (live, first) =
                super::revocation_args::start_stapling(identity, &mut setup.config, &runtime)?;
            let json = ctx.json;
            runtime.spawn(live.run(first, move |e| super::revocation_args::log_staple(e, json)));
            setup.ocsp = true;
        }
    }
    runtime.block_on(serve_async(Arc::new(args), addrs, setup, ctx))
}

async fn serve_async(
    args: Arc<Args>,
    addrs: Vec<SocketAddr>,
    setup: Setup,
    ctx: &Ctx,
) -> Result<Code> {
    // Signals first: a SIGTERM right after the first line must already be graceful.
    let signals = forward_signals(args.clone(), setup.ephemeral)?;
    let listener = crate::listen::tcp(&addrs, BACKLOG)?;
    let addr = listener
        .local_addr()
        .context("reading the listening address")?;

    {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        output::serve::write_listening(&mut out, addr, ctx.json)?;
        // Scripts wait for this line before connecting.
        out.flush()?;
        if !ctx.quiet {
            let ready = ready(&args, &setup, addr);
            output::serve::write_ready(&mut out, &ready, ctx.json, ctx.stdout_style())?;
            out.flush()?;
        }
    }

    let settings = Settings {
        mode: if args.www { Mode::Www } else { Mode::Echo },
        handshake_timeout: args.handshake_timeout,
        idle_timeout: Some(args.idle_timeout).filter(|d| !d.is_zero()),
        max_connections: args.max_connections as usize,
        max_accept: args.max_accept,
        grace: args.grace,
    };
    let (events, rx) = log::Events::channel();
    let events = if args.no_log {
        events.without_connections()
    } else {
        events
    };
    let log_thread = output::serve::EventWriter::start(
        rx,
        output::serve::Format {
            json: ctx.json,
            stdout: ctx.stdout_style(),
            stderr: ctx.stderr_style(),
        },
    );
    // The accept loop runs as a task on the runtime's workers, not on this
    // `block_on` thread: a connection task spawned from a worker starts on that
    // worker, without waking another thread (about a tenth of the CPU per handshake).
    let summary = tokio::spawn(server::serve(
        listener,
        setup.config,
        settings,
        events,
        signals,
    ))
    .await
    .context("the server's accept loop failed (please report)")?;
    // `serve` closed the event queue; let the writer drain what is left.
    log_thread.finish();
    if !ctx.quiet {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if ctx.json {
            writeln!(out, "{}", output::json::to_line(&summary)?)?;
        } else {
            output::serve::summary(&mut out, &summary, ctx.stdout_style())?;
        }
        out.flush()?;
    }
    Ok(Code::Success)
}

/// The `ready` event: what is served, and how to connect to it.
fn ready<'a>(args: &'a Args, setup: &'a Setup, addr: SocketAddr) -> output::serve::Ready<'a> {
    output::serve::Ready {
        event: "ready",
        addr: addr.to_string(),
        certificate: &setup.leaf,
        ephemeral: setup.ephemeral,
        chain_length: setup.chain_len,
        mode: if args.www { Mode::Www } else { Mode::Echo },
        versions: match setup.versions {
            Versions::Both => vec!["TLSv1.3", "TLSv1.2"],
            Versions::Tls13 => vec!["TLSv1.3"],
            Versions::Tls12 => vec!["TLSv1.2"],
        },
        alpn: &setup.alpn,
        session_tickets: !args.no_tickets,
        client_auth: setup.client_auth,
        ocsp_stapling: setup.ocsp,
        keylog: setup.keylog.as_deref(),
        groups: setup.groups.as_deref(),
        suites: setup.suites.as_deref(),
        max_connections: args.max_connections,
        handshake_timeout_ms: args.handshake_timeout.as_millis() as u64,
        idle_timeout_ms: Some(args.idle_timeout.as_millis() as u64).filter(|ms| *ms > 0),
        max_accept: args.max_accept,
        connect: connect_command(addr, &setup.leaf, setup.client_auth),
        warnings: &setup.warnings,
        client_ca: args.client_ca.as_deref(),
        idle_timeout: args.idle_timeout,
    }
}

/// Forwards each SIGINT and SIGTERM as a stop, and each SIGHUP as the
/// certificate and key files read again (checked as at start-up).
fn forward_signals(
    args: Arc<Args>,
    ephemeral: bool,
) -> Result<mpsc::UnboundedReceiver<server::Control>> {
    let (tx, rx) = mpsc::unbounded_channel();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt()).context("handling SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("handling SIGTERM")?;
        let mut hup = signal(SignalKind::hangup()).context("handling SIGHUP")?;
        tokio::spawn(async move {
            loop {
                let ctl = tokio::select! {
                    Some(()) = int.recv() => server::Control::Stop("SIGINT"),
                    Some(()) = term.recv() => server::Control::Stop("SIGTERM"),
                    Some(()) = hup.recv() => {
                        let args = args.clone();
                        let r = tokio::task::spawn_blocking(move || reload(&args, ephemeral))
                            .await
                            .unwrap_or_else(|e| Err(format!("reading the files failed: {e}")));
                        server::Control::Reload(r)
                    }
                    else => break,
                };
                if tx.send(ctl).is_err() {
                    break;
                }
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        let _ = (args, ephemeral);
        while tokio::signal::ctrl_c().await.is_ok() {
            if tx.send(server::Control::Stop("Ctrl-C")).is_err() {
                break;
            }
        }
    });
    Ok(rx)
}

/// Forwards each SIGINT and SIGTERM as its name (for servers that do not
/// reload: `serve --dtls`).
pub(crate) fn forward_stop_signals() -> Result<mpsc::UnboundedReceiver<&'static str>> {
    let (tx, rx) = mpsc::unbounded_channel();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt()).context("handling SIGINT")?;
        let mut term = signal(SignalKind::terminate()).context("handling SIGTERM")?;
        tokio::spawn(async move {
            loop {
                let name = tokio::select! {
                    Some(()) = int.recv() => "SIGINT",
                    Some(()) = term.recv() => "SIGTERM",
                    else => break,
                };
                if tx.send(name).is_err() {
                    break;
                }
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if tx.send("Ctrl-C").is_err() {
                break;
            }
        }
    });
    Ok(rx)
}

/// Reads `--cert`/`--key` (and the other files) again for SIGHUP, as at start-up.
fn reload(args: &Args, ephemeral: bool) -> std::result::Result<server::Reloaded, String> {
    if ephemeral {
        return Err(
            "there is nothing to reload: the certificate is ephemeral (no --cert)".to_string(),
        );
    }
    let setup = prepare(args).map_err(|e| format!("{e:#}"))?;
    Ok(server::Reloaded {
        config: setup.config,
        subject: sanitize(&setup.leaf.subject).into_owned(),
        fingerprint: setup.leaf.sha256_fingerprint,
    })
}
