//! `serve --dtls` and `connect --dtls`: the flags of `serve` and `connect`
//! turned into the DTLS engine's options, its reports rendered, and the
//! flags that mean nothing over DTLS refused with a sentence.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;
use tokio::sync::mpsc;

mod bench;
mod scan;

pub use bench::bench;
pub use scan::scan;

use super::connect;
use super::serve;
use super::stdin::{self, StdinMode};
use crate::dtls::client::{self, ClientOptions};
use crate::dtls::server::{self, ServerOptions};
use crate::dtls::{Versions, DEFAULT_MTU};
use crate::exit::{self, Code};
use crate::output::{self, Ctx};
use crate::report::dtls::{ClientAuth, ConnectReport, Context as ReportContext, Ready};
use crate::tls::certgen;
use crate::tls::certinfo::CertSummary;
use crate::tls::config::Identity;
use crate::tls::target::Target;
use crate::tls::{danger, files};

/// The port `connect --dtls` uses when none is given: `serve --dtls`'s default.
pub const DEFAULT_PORT: u16 = 4433;

/// A usage error naming the flags that do not apply to DTLS.
fn refuse(given: &[(&str, bool)]) -> Result<()> {
    let names: Vec<&str> = given
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    Err(exit::fail(
        Code::Usage,
        format!(
            "{} {} not apply to DTLS (tlskit's DTLS has no ALPN, session tickets, OCSP stapling, key log or choice of groups and suites)",
            names.join(", "),
            if names.len() == 1 { "does" } else { "do" }
        ),
    ))
}

fn versions(tls12: bool, tls13: bool) -> Versions {
    match (tls12, tls13) {
        (true, false) => Versions::Dtls12,
        (false, true) => Versions::Dtls13,
        _ => Versions::Both,
    }
}

/// Runs `tlskit serve --dtls`.
pub fn serve(args: serve::Args, ctx: &Ctx) -> Result<Code> {
    refuse(&[
        ("--www", args.www),
        ("--alpn", !args.alpn.is_empty()),
        ("--no-tickets", args.no_tickets),
        ("--ocsp-response", args.ocsp_response.is_some()),
        ("--keylog", args.keylog.is_some()),
        ("--groups", args.algorithms.groups.is_some()),
        ("--suites", args.algorithms.suites.is_some()),
        (
            "--client-auth optional",
            args.client_auth == Some(serve::ClientAuthMode::Optional),
        ),
    ])?;
    let addrs = serve::listen_addrs(&args.listen)?;
    let (identity, ephemeral) = match &args.cert {
        Some(cert) => (serve::load_identity(cert, args.key.as_deref())?, false),
        None => {
            let g = certgen::ephemeral_localhost().context("making the ephemeral certificate")?;
            (
                Identity {
                    chain: vec![g.cert_der],
                    key: g.key_der,
                },
                true,
            )
        }
    };
    let leaf = CertSummary::from_der(&identity.chain[0]).context("reading --cert")?;
    let mut warnings = Vec::new();
    if !ephemeral {
        for w in serve::certificate_warnings(&leaf) {
            serve::warn(&mut warnings, w);
        }
        if identity.chain.len() > 1 {
            serve::warn(&mut warnings, "DTLS here sends the server's own certificate only, not its intermediates: clients must trust its issuer directly".to_string());
        }
    }
    let client_cas = args
        .client_ca
        .as_ref()
        .map(|p| files::load_certs(p).context("reading --client-ca"))
        .transpose()?;
    let client_auth = if client_cas.is_some() {
        ClientAuth::Required
    } else {
        ClientAuth::Off
    };
    let mtu = args.mtu.map_or(DEFAULT_MTU, usize::from);
    let versions = versions(args.tls12, args.tls13);
    let prepared = server::prepare(ServerOptions {
        identity,
        client_cas,
        client_crls: Vec::new(),
        versions,
        mtu,
        handshake_timeout: args.handshake_timeout,
        idle_timeout: Some(args.idle_timeout).filter(|d| !d.is_zero()),
        max_connections: args.max_connections as usize,
        max_accept: args.max_accept,
        grace: Duration::ZERO,
    })
    .map_err(|e| e.context(format!("--cert '{}'", cert_name(&args))))?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    rt.block_on(async {
        let signals = serve::forward_stop_signals()?;
        let socket = crate::listen::udp(&addrs)?;
        let addr = socket
            .local_addr()
            .context("reading the listening address")?;
        {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if ctx.json {
                #[derive(Serialize)]
                struct Listening {
                    event: &'static str,
                    addr: String,
                    transport: &'static str,
                }
                let line = output::json::to_line(&Listening {
                    event: "listening",
                    addr: addr.to_string(),
                    transport: "udp",
                })?;
                writeln!(out, "{line}")?;
            } else {
                writeln!(out, "listening on {addr} (UDP, DTLS)")?;
            }
            out.flush()?;
            if !ctx.quiet {
                let connect = serve::connect_command(addr, &leaf, client_auth).replacen(
                    "tlskit connect ",
                    "tlskit connect --dtls ",
                    1,
                );
                let ready = Ready {
                    event: "ready",
                    addr: addr.to_string(),
                    transport: "udp",
                    certificate: &leaf,
                    ephemeral,
                    mode: "echo",
                    versions: versions.names(),
                    client_auth,
                    mtu,
                    max_connections: args.max_connections,
                    handshake_timeout_ms: args.handshake_timeout.as_millis() as u64,
                    idle_timeout_ms: Some(args.idle_timeout.as_millis() as u64)
                        .filter(|ms| *ms > 0),
                    max_accept: args.max_accept,
                    connect,
                    warnings: &warnings,
                };
                if ctx.json {
                    writeln!(out, "{}", output::json::to_line(&ready)?)?;
                } else {
                    output::dtls::render_banner(&mut out, &ready, ctx.stdout_style())?;
                }
                out.flush()?;
            }
        }
        let logger = output::lines::LineWriter::start();
        let summary = {
            let mut on_event = |a: &server::Association| {
                if args.no_log {
                    return;
                }
                logger.line(if ctx.json {
                    output::json::to_line(a).unwrap_or_default()
                } else {
                    output::dtls::association_line(a, ctx.stdout_style())
                });
            };
            server::serve(socket, prepared, &mut on_event, signals).await
        };
        logger.finish();
        if !ctx.quiet {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if ctx.json {
                writeln!(out, "{}", output::json::to_line(&summary)?)?;
            } else {
                output::dtls::render_summary(&mut out, &summary, ctx.stdout_style())?;
            }
            out.flush()?;
        }
        Ok(Code::Success)
    })
}

fn cert_name(args: &serve::Args) -> String {
    match (&args.key, &args.cert) {
        (Some(k), _) => k.display().to_string(),
        (None, Some(c)) => c.display().to_string(),
        _ => "ephemeral".to_string(),
    }
}

/// Runs `tlskit connect --dtls`.
pub fn connect(args: connect::Args, ctx: &Ctx) -> Result<Code> {
    refuse(&[
        ("--groups", args.algorithms.groups.is_some()),
        ("--suites", args.algorithms.suites.is_some()),
    ])?;
    if args.revocation.fetch_intermediates {
        return Err(exit::fail(
            Code::Usage,
            "--fetch-intermediates does not apply to DTLS: tlskit's DTLS sees the server's own certificate only, so its issuer must be one of the --ca certificates",
        ));
    }
    let mut target = Target::parse_with_default_port(&args.target, DEFAULT_PORT)?;
    if let Some(name) = &args.name.servername {
        target = target.with_server_name(name)?;
    }
    let connect_to = args
        .connect_to
        .as_deref()
        .map(|c| crate::tls::dial::parse_connect_to(c, target.port))
        .transpose()?;
    let pins = args.trust.pins()?;
    let (roots, trust) = args.trust.roots.load()?;
    let identity = args.identity.load()?;
    let err_style = ctx.stderr_style();
    if args.trust.insecure {
        eprintln!("{}", output::connect::insecure_warning(err_style));
    }
    let mtu = args.mtu.map_or(DEFAULT_MTU, usize::from);
    let wants_stdin = !args.no_io && args.send.is_none();
    let stdin_rx = (wants_stdin && stdin::mode_now() == StdinMode::Data)
        .then(|| stdin::spawn_reader(crate::dtls::max_payload(mtu), 16));
    let report_cx = ReportContext {
        roots: trust,
        pinned: !pins.is_empty(),
        insecure: args.trust.insecure,
        client_cert_given: args.identity.cert.is_some(),
        with_pem: args.showcerts && ctx.json,
    };
    let opts = ClientOptions {
        target,
        connect_to,
        timeout: args.timeout,
        mtu,
        versions: versions(args.tls12, args.tls13),
        roots,
        pins,
        accept_unverified: args.trust.insecure.then(danger::accept_unverified),
        identity,
        suites: None,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let result = rt.block_on(async {
        let conn = match client::connect(opts).await {
            Ok(c) => c,
            Err(f) => return failed(&args, ctx, &report_cx, f),
        };
        let mut report = ConnectReport::of(&conn.report, &report_cx);
        // --check-revocation: the leaf's issuer is the --ca certificate that
        // verified it (DTLS here sees no intermediates), and nothing is stapled.
        let checked = super::revocation_args::after_verify(
            &args.revocation,
            &args.trust,
            &conn.report.observed,
            &conn.report.server_name,
            args.timeout,
            super::revocation_args::Stapling::Impossible,
        )
        .await?;
        report.revocation = checked.report;
        report.warnings.extend(checked.warnings);
        if let Some(e) = &checked.failure {
            // Revoked, or (=require) unknown: not verified after all.
            report.verification.verified = false;
            report.verification.error = Some(format!("{e:#}"));
            report.error = Some(exit::error_report(e, conn.report.stage));
        }
        let data_mode = args.send.is_some() || stdin_rx.is_some();
        let pem_to_stdout = args.showcerts && args.save_chain.is_none() && !ctx.json;
        if pem_to_stdout {
            let mut out = std::io::stdout().lock();
            out.write_all(files::certs_to_pem(&conn.report.observed.chain).as_bytes())?;
            out.flush()?;
        }
        if let Some(path) = &args.save_chain {
            let pem = files::certs_to_pem(&conn.report.observed.chain);
            crate::atomic::write_file(path, pem.as_bytes(), crate::atomic::PUBLIC, true)
                .with_context(|| format!("--save-chain '{}'", path.display()))?;
        }
        for w in &report.warnings {
            eprintln!("{}", output::warning_line(w, err_style));
        }
        output::connect::emit(ctx, data_mode || pem_to_stdout, &report, |out, style| {
            output::dtls::render_connect(out, &report, style)
        })?;
        if let Some(e) = checked.failure {
            // Nothing is sent to a server that failed the check; the association is closed.
            let _ = conn
                .exchange(None, &mut |_| Ok(()), Duration::from_millis(1))
                .await;
            return Err(e);
        }
        if !data_mode {
            return conn
                .exchange(None, &mut |_| Ok(()), Duration::from_millis(1))
                .await
                .map(|_| Code::Success);
        }
        let input = match &args.send {
            Some(text) => {
                let (tx, rx) = mpsc::channel(1);
                let _ = tx.try_send(text.clone().into_bytes());
                Some(rx)
            }
            None => stdin_rx,
        };
        let mut write_out = |data: &[u8]| -> std::io::Result<()> {
            let mut out = std::io::stdout().lock();
            out.write_all(data)?;
            out.flush()
        };
        conn.exchange(input, &mut write_out, args.read_timeout)
            .await
            .map(|_| Code::Success)
    });
    rt.shutdown_background();
    result
}

fn failed(
    args: &connect::Args,
    ctx: &Ctx,
    report_cx: &ReportContext,
    f: client::Failed,
) -> Result<Code> {
    let presented = &f.report.observed.chain;
    if !presented.is_empty() {
        if let Some(path) = &args.save_chain {
            let pem = files::certs_to_pem(presented);
            let _ = crate::atomic::write_file(path, pem.as_bytes(), crate::atomic::PUBLIC, true);
        }
    }
    let mut report = ConnectReport::of(&f.report, report_cx);
    if ctx.json {
        report.error = Some(exit::error_report(&f.error, f.report.stage));
        output::write_json(&mut std::io::stdout().lock(), &report)?;
    } else if !ctx.quiet && !report.chain.is_empty() {
        output::connect::render_failed(
            &mut std::io::stderr().lock(),
            output::connect::Transport::Dtls,
            &f.report.target,
            f.report.address.as_deref(),
            &report.chain,
            ctx.stderr_style(),
        )?;
    }
    Err(f.error)
}
