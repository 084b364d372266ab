//! `serve --dtls` and `connect --dtls`: the flags of `serve` and `connect`
//! turned into the DTLS engine's options, its reports rendered, and the
//! flags that mean nothing over DTLS refused with a sentence.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, Result};
use colored::Colorize;
use serde::Serialize;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

mod bench;
mod scan;

pub use bench::bench;
pub use scan::scan;

use super::connect::{self, ChainCert, StdinMode, Verification};
use super::serve;
use crate::dtls::client::{
    self, ClientCertificate, ClientOptions, ClientReport, Flights, Stage, Timings,
};
use crate::dtls::server::{self, ServerOptions};
use crate::dtls::{Negotiated, Versions, DEFAULT_MTU};
use crate::exit::{self, Code};
use crate::output::{self, field, sanitize, Ctx};
use crate::tls::certgen;
use crate::tls::certinfo::CertSummary;
use crate::tls::config::Identity;
use crate::tls::target::Target;
use crate::tls::{danger, explain, files};

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

/// The `ready` event of `serve --dtls`.
#[derive(Debug, Serialize)]
struct Ready<'a> {
    event: &'static str,
    addr: String,
    transport: &'static str,
    certificate: &'a CertSummary,
    ephemeral: bool,
    mode: &'static str,
    versions: Vec<&'static str>,
    client_auth: &'static str,
    mtu: usize,
    max_connections: u32,
    handshake_timeout_ms: u64,
    idle_timeout_ms: Option<u64>,
    max_accept: Option<u64>,
    connect: String,
    warnings: &'a [String],
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
        "required"
    } else {
        "off"
    };
    let mtu = args.mtu.map_or(DEFAULT_MTU, usize::from);
    let versions = versions(args.tls12, args.tls13);
    let prepared = server::prepare(ServerOptions {
        identity,
        client_cas,
        versions,
        mtu,
        handshake_timeout: args.handshake_timeout,
        idle_timeout: Some(args.idle_timeout).filter(|d| !d.is_zero()),
        max_connections: args.max_connections as usize,
        max_accept: args.max_accept,
    })
    .map_err(|e| e.context(format!("--cert '{}'", cert_name(&args))))?;

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    rt.block_on(async {
        let signals = serve::forward_stop_signals()?;
        let socket = bind(&addrs)?;
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
                    banner(&mut out, &ready, &leaf)?;
                }
                out.flush()?;
            }
        }
        let logger = output::lines::LineWriter::start();
        let summary = {
            let mut on_event = |a: &server::Association| {
                logger.line(if ctx.json {
                    output::json::to_line(a).unwrap_or_default()
                } else {
                    output::dtls::association_line(a)
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
                output::dtls::render_summary(&mut out, &summary)?;
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

fn bind(addrs: &[SocketAddr]) -> Result<UdpSocket> {
    let mut last = None;
    for addr in addrs {
        match std::net::UdpSocket::bind(addr).and_then(|s| {
            s.set_nonblocking(true)?;
            UdpSocket::from_std(s)
        }) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some((*addr, e)),
        }
    }
    match last {
        Some((addr, e)) => Err(serve::bind_error(addr, e)),
        None => anyhow::bail!("--listen gave no address"),
    }
}

fn banner(out: &mut dyn Write, r: &Ready<'_>, leaf: &CertSummary) -> std::io::Result<()> {
    let origin = if r.ephemeral {
        "ephemeral: made at start-up, in memory only"
    } else if leaf.self_issued {
        "self-signed"
    } else {
        "CA-issued"
    };
    field(
        out,
        "certificate",
        format!("{} ({origin})", sanitize(&leaf.subject)),
    )?;
    if !leaf.sans.is_empty() {
        field(out, "SANs", sanitize(&leaf.sans.join(", ")))?;
    }
    field(out, "key", &leaf.key)?;
    field(
        out,
        "valid until",
        format!(
            "{} ({})",
            leaf.not_after,
            output::days_left_colored(
                output::describe_validity(leaf.days_left, leaf.days_until_valid),
                leaf.days_left
            )
        ),
    )?;
    field(out, "SHA-256", &leaf.sha256_fingerprint)?;
    field(out, "SPKI pin", leaf.spki_pin.to_string().bold())?;
    let clients = if r.client_auth == "required" {
        "client certificates required"
    } else {
        "no client certificates"
    };
    field(
        out,
        "serving",
        format!(
            "DTLS echo, {}, {clients}, datagrams up to {} bytes, cookie exchange on",
            r.versions.join(" and "),
            r.mtu
        ),
    )?;
    field(
        out,
        "limits",
        format!(
            "{} peers, handshake {}, idle {}",
            r.max_connections,
            crate::server::log::human_duration(r.handshake_timeout_ms),
            r.idle_timeout_ms
                .map_or("unlimited".to_string(), crate::server::log::human_duration)
        ),
    )?;
    field(out, "connect", r.connect.as_str().bold())
}

/// What `tlskit connect --dtls` reports.
#[derive(Debug, Serialize)]
pub struct ConnectReport {
    /// The target as given.
    pub target: String,
    /// Always `udp`.
    pub transport: &'static str,
    /// The address the datagrams went to.
    pub address: Option<String>,
    /// Every address the name resolved to.
    pub resolved: Vec<String>,
    /// The name verified (DTLS here sends no SNI).
    pub server_name: String,
    /// Step timings in milliseconds.
    pub timings: Timings,
    /// What was negotiated.
    pub handshake: Option<Negotiated>,
    /// Handshake datagrams and retransmissions.
    pub flights: Flights,
    /// The largest datagram sent.
    pub mtu: usize,
    /// Client certificate request and answer.
    pub client_certificate: ClientCertificate,
    /// The verification result.
    pub verification: Verification,
    /// The server's certificate (DTLS here sees the leaf only).
    pub chain: Vec<ChainCert>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
    /// Set when the connection failed.
    pub error: Option<ErrorReport>,
}

/// A failure, in the JSON document.
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    /// The sentence printed on stderr.
    pub message: String,
    /// The exit code.
    pub exit_code: u8,
    /// How far the connection got.
    pub stage: Stage,
}

/// Runs `tlskit connect --dtls`.
pub fn connect(args: connect::Args, ctx: &Ctx) -> Result<Code> {
    refuse(&[
        ("--groups", args.algorithms.groups.is_some()),
        ("--suites", args.algorithms.suites.is_some()),
    ])?;
    let mut target = Target::parse_with_default_port(&args.target, DEFAULT_PORT)?;
    if let Some(name) = &args.servername {
        target = target.with_server_name(name)?;
    }
    let connect_to = args
        .connect_to
        .as_deref()
        .map(|c| crate::tls::dial::parse_connect_to(c, target.port))
        .transpose()?;
    let pins = args.trust.pins()?;
    let (roots, trust) = args.trust.roots.load()?;
    let identity = match (&args.cert, &args.key) {
        (Some(c), Some(k)) => Some(Identity {
            chain: files::load_certs(c).context("--cert")?,
            key: files::load_key(k).context("--key")?,
        }),
        _ => None,
    };
    if args.trust.insecure {
        output::on_stderr(|| {
            eprintln!(
                "tlskit: {} {}",
                "warning:".red().bold(),
                "--insecure: the certificate is not verified; anyone on the path could impersonate this server".red()
            )
        });
    }
    let mtu = args.mtu.map_or(DEFAULT_MTU, usize::from);
    let wants_stdin = !args.no_io && args.send.is_none();
    let stdin_rx = (wants_stdin && connect::stdin_mode_now() == StdinMode::Data)
        .then(|| spawn_stdin_reader(crate::dtls::max_payload(mtu)));
    let opts = ClientOptions {
        target,
        connect_to,
        timeout: args.timeout,
        mtu,
        versions: versions(args.tls12, args.tls13),
        roots,
        pins: pins.clone(),
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
            Err(f) => return failed(&args, ctx, trust, !pins.is_empty(), f),
        };
        let mut report = build_report(&args, trust, !pins.is_empty(), &conn.report);
        report.chain = chain(&args, ctx, &conn.report);
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
        output::on_stderr(|| {
            for w in &report.warnings {
                eprintln!("tlskit: {} {}", "warning:".yellow().bold(), sanitize(w));
            }
        });
        if !ctx.quiet || ctx.json {
            if data_mode || pem_to_stdout {
                let mut err = std::io::stderr().lock();
                if ctx.json {
                    output::write_json(&mut err, &report)?;
                } else {
                    output::on_stderr(|| output::dtls::render_connect(&mut err, &report))?;
                }
            } else {
                ctx.emit(&report, |out| output::dtls::render_connect(out, &report))?;
            }
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

fn verification(
    args: &connect::Args,
    trust: &'static str,
    pinned: bool,
    r: &ClientReport,
) -> Verification {
    let obs = &r.observed;
    let (verified, error) = match &obs.verdict {
        Some(Ok(())) => (true, None),
        Some(Err(e)) => (false, Some(explain::describe_error(e, obs, &r.server_name))),
        None => (false, None),
    };
    Verification {
        verified,
        insecure: args.trust.insecure,
        trust: if obs.trusted_by_pin { "pin" } else { trust },
        error,
        pin_matched: if pinned { obs.pin_matched } else { None },
    }
}

fn chain(args: &connect::Args, ctx: &Ctx, r: &ClientReport) -> Vec<ChainCert> {
    r.observed
        .chain
        .iter()
        .filter_map(|der| {
            CertSummary::from_der(der).ok().map(|summary| ChainCert {
                summary,
                pem: (args.showcerts && ctx.json).then(|| files::der_to_pem("CERTIFICATE", der)),
            })
        })
        .collect()
}

fn build_report(
    args: &connect::Args,
    trust: &'static str,
    pinned: bool,
    r: &ClientReport,
) -> ConnectReport {
    let mut warnings = Vec::new();
    let summary = r
        .observed
        .chain
        .first()
        .and_then(|c| CertSummary::from_der(c).ok());
    if let Some(s) = &summary {
        if s.days_left >= 0 && s.days_left < 30 && s.days_until_valid <= 0 {
            warnings.push(format!(
                "the server's certificate expires in {} days",
                s.days_left
            ));
        }
    }
    if args.cert.is_some() && r.client_certificate.requested == Some(false) {
        warnings.push(
            "--cert was given, but the server did not ask for a client certificate, so none was sent"
                .to_string(),
        );
    }
    ConnectReport {
        target: r.target.clone(),
        transport: "udp",
        address: r.address.clone(),
        resolved: r.resolved.clone(),
        server_name: r.server_name.clone(),
        timings: r.timings.clone(),
        handshake: r.handshake.clone(),
        flights: r.flights.clone(),
        mtu: r.mtu,
        client_certificate: r.client_certificate.clone(),
        verification: verification(args, trust, pinned, r),
        chain: Vec::new(),
        warnings,
        error: None,
    }
}

fn failed(
    args: &connect::Args,
    ctx: &Ctx,
    trust: &'static str,
    pinned: bool,
    f: client::Failed,
) -> Result<Code> {
    let code = exit::classify(&f.error);
    let presented = &f.report.observed.chain;
    if !presented.is_empty() {
        if let Some(path) = &args.save_chain {
            let pem = files::certs_to_pem(presented);
            let _ = crate::atomic::write_file(path, pem.as_bytes(), crate::atomic::PUBLIC, true);
        }
    }
    let certs = chain(args, ctx, &f.report);
    if ctx.json {
        let mut report = build_report(args, trust, pinned, &f.report);
        report.chain = certs;
        report.error = Some(ErrorReport {
            message: format!("{:#}", f.error),
            exit_code: code.as_u8(),
            stage: f.report.stage,
        });
        output::write_json(&mut std::io::stdout().lock(), &report)?;
    } else if !ctx.quiet && !certs.is_empty() {
        let mut err = std::io::stderr().lock();
        output::on_stderr(|| {
            writeln!(
                err,
                "{} {} ({}) {}",
                "DTLS handshake with".bold(),
                sanitize(&f.report.target).bold(),
                f.report.address.as_deref().unwrap_or("?"),
                "failed.".bold()
            )?;
            output::dtls::render_chain(&mut err, &certs)
        })?;
    }
    Err(f.error)
}

/// Reads stdin on its own thread, one read (at most `chunk` bytes) per datagram.
fn spawn_stdin_reader(chunk: usize) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0u8; chunk];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}
