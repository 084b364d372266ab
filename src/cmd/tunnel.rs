//! `tlskit tunnel`: TLS and mTLS in front of any TCP service (`server`), or
//! a local plaintext port in front of a TLS service (`client`), as stunnel
//! and ghostunnel do. The engine is `crate::tunnel`; this file holds the
//! flags, the signals, and the log's rendering thread.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;

use crate::exit::{self, Code};
use crate::output::{self, sanitize, Ctx};
use crate::tls::config::Versions;
use crate::tls::pin::Pin;
use crate::tls::target::Target as TlsTarget;
use crate::tunnel::allow::AllowRules;
use crate::tunnel::client::{ClientTunnel, PreparedClient, RevocationCheck, Roots};
use crate::tunnel::server::{PreparedServer, ServerTunnel, Stapling};
use crate::tunnel::{Control, Events, Limits, Summary, Target};

/// The listen backlog: room for a burst of clients connecting at once.
const BACKLOG: u32 = 1024;

/// Arguments of `tlskit tunnel`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which way the tunnel faces.
    #[command(subcommand)]
    pub mode: TunnelMode,
}

/// The two directions.
#[derive(Debug, clap::Subcommand)]
pub enum TunnelMode {
    /// Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service.
    Server(ServerArgs),
    /// Accept plaintext locally and forward it over verified TLS to a server.
    Client(ClientArgs),
}

/// Flags both modes share: where to listen, timeouts and limits.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a
    /// free port; the first line of output shows the real one.
    #[arg(long, short = 'l', value_name = "ADDR")]
    pub listen: String,

    /// Seconds to wait for the target to accept (and, in client mode, to finish the TLS
    /// handshake). Fractions and units work: 2.5, 500ms, 1m.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub connect_timeout: Duration,

    /// Close a connection on which nothing moved either way for this long; 0 means never.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_timeout_or_zero)]
    pub idle_timeout: Duration,

    /// Connections open at once; more are closed at once and logged.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout_or_zero)]
    pub grace: Duration,

    /// ALPN protocols, comma-separated, in order of preference (offered in client mode,
    /// accepted in server mode).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub alpn: Vec<String>,

    /// Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client
    /// address, and in server mode one UDP socket to the target per association (ECDSA
    /// certificates only).
    #[arg(long)]
    pub udp: bool,

    /// TLS 1.3 only.
    #[arg(long, conflicts_with = "tls12")]
    pub tls13: bool,

    /// TLS 1.2 only.
    #[arg(long)]
    pub tls12: bool,

    #[command(flatten)]
    pub algorithms: super::AlgorithmArgs,

    /// Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics
    /// (connections open and total, bytes, failures by outcome, and in server mode the seconds
    /// until the certificate expires).
    #[arg(long, value_name = "ADDR")]
    pub status: Option<String>,
}

/// Arguments of `tlskit tunnel server`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit tunnel server --listen 0.0.0.0:6380 --target 127.0.0.1:6379 \\
      --cert redis.pem --key redis-key.pem --client-ca ca.pem --allow-cn app
  tlskit tunnel server --listen 8443 --target unix:/run/app.sock --client-ca ca.pem \\
      --allow-uri spiffe://example.org/web
  tlskit tunnel server --listen 127.0.0.1:0 --target 127.0.0.1:8080   ephemeral certificate
  tlskit tunnel server --listen 8443 --target 127.0.0.1:8080 --cert chain.pem --key k.pem \\
      --ocsp auto --client-ca ca.pem --crl ca.crl

SIGHUP reloads --cert, --key, --client-ca, --crl and --ocsp FILE (a file that fails to load
keeps the old ones); SIGINT/SIGTERM stop accepting and give open connections --grace to finish.")]
pub struct ServerArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Where plaintext goes: HOST:PORT or unix:PATH.
    #[arg(long, value_name = "TARGET")]
    pub target: String,

    /// Seconds a client's TLS handshake may take, from accept to Finished (defeats clients
    /// that stall).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub handshake_timeout: Duration,

    /// Allow a target that is not on this machine (not loopback, localhost or a Unix socket).
    #[arg(long)]
    pub allow_remote_target: bool,

    /// Certificate chain: PEM, leaf first [default: an ephemeral ECDSA P-256 certificate for
    /// localhost, 127.0.0.1 and ::1, made in memory; its pin is printed].
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// The certificate's private key [default: the key in the --cert file].
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Require a client certificate issued by a CA in FILE (chain, dates and clientAuth usage
    /// are checked in the handshake).
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,

    /// Let through only client certificates with this subject CN (repeatable; any allow rule
    /// that matches lets a client through).
    #[arg(long, value_name = "NAME", requires = "client_ca")]
    pub allow_cn: Vec<String>,

    /// Let through client certificates with this DNS subject alternative name.
    #[arg(long, value_name = "NAME", requires = "client_ca")]
    pub allow_dns: Vec<String>,

    /// Let through client certificates with this URI subject alternative name (a SPIFFE ID…).
    #[arg(long, value_name = "URI", requires = "client_ca")]
    pub allow_uri: Vec<String>,

    /// Let through client certificates with this SPKI pin (sha256//BASE64 or hex).
    #[arg(long, value_name = "PIN", requires = "client_ca")]
    pub allow_pin: Vec<String>,

    /// Send a PROXY protocol v2 header to the target first, so that it learns the client's
    /// real address (HAProxy, nginx and others read it).
    #[arg(long)]
    pub proxy_protocol: bool,

    /// Staple an OCSP response: `auto` fetches it from the responder the certificate names
    /// (its issuer must follow it in --cert) and refreshes it halfway to its nextUpdate,
    /// keeping the last good one while a refresh fails; FILE staples a DER response (read
    /// again on reload). Only a checked, good answer about this certificate is stapled.
    #[arg(long, value_name = "auto|FILE", value_parser = parse_stapling)]
    pub ocsp: Option<Stapling>,

    /// Refuse client certificates this CRL lists (PEM or DER, signed by their issuer;
    /// repeatable; read again on reload). The client's own certificate is checked; one whose
    /// issuer has no CRL among these passes.
    #[arg(long, value_name = "FILE", requires = "client_ca")]
    pub crl: Vec<PathBuf>,

    /// After the handshake, before the target is dialled, check each client certificate for
    /// revocation: its OCSP responder, else its CRL distribution point (answers reused until
    /// their nextUpdate). Revoked is refused; =require also refuses an unknown status.
    #[arg(
        long,
        value_name = "MODE",
        value_enum,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "warn",
        requires = "client_ca"
    )]
    pub check_revocation: Option<super::revocation_args::RevocationMode>,

    /// With --check-revocation: fetch nothing (a status is then unknown).
    #[arg(long, requires = "check_revocation")]
    pub offline: bool,
}

fn parse_stapling(text: &str) -> std::result::Result<Stapling, String> {
    match text {
        "" => Err("give auto or a file".into()),
        "auto" => Ok(Stapling::Auto),
        path => Ok(Stapling::File(PathBuf::from(path))),
    }
}

/// Arguments of `tlskit tunnel client`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit tunnel client --listen 127.0.0.1:6379 --target redis.example:6380 \\
      --ca ca.pem --cert app.pem --key app-key.pem
  tlskit tunnel client --listen 8080 --target 127.0.0.1:8443 --pin sha256//…

Each local connection opens its own verified TLS connection; a server that fails
verification closes the local connection, and the log says why, as tlskit connect does.
With --check-revocation the server's chain is checked (its staple, else OCSP, else CRL)
before anything is forwarded; answers are reused until their nextUpdate.")]
pub struct ClientArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// The TLS server: HOST:PORT or [IPv6]:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    pub target: String,

    /// The name to send as SNI and verify the certificate against [default: the target's host].
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    #[command(flatten)]
    pub roots: super::RootArgs,

    /// Require an SPKI pin on the server's chain: sha256//BASE64, pin-sha256="…" or 64 hex
    /// digits. Repeat to allow several. A matching pin also trusts a certificate no CA signed.
    #[arg(long, value_name = "PIN")]
    pub pin: Vec<String>,

    #[command(flatten)]
    pub identity: super::IdentityArgs,

    #[command(flatten)]
    pub revocation: super::revocation_args::CheckArgs,
}

/// Runs `tlskit tunnel`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    match args.mode {
        TunnelMode::Server(a) => run_server(a, ctx),
        TunnelMode::Client(a) => run_client(a, ctx),
    }
}

fn run_server(a: ServerArgs, ctx: &Ctx) -> Result<Code> {
    if a.common.udp {
        return super::tunnel_udp::run_server(a, ctx);
    }
    let addrs = super::serve::listen_addrs(&a.common.listen)?;
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
    drive(&addrs, status, ctx, |listener, status, events, control| {
        prepared.run(listener, status, events, control)
    })
}

fn run_client(a: ClientArgs, ctx: &Ctx) -> Result<Code> {
    if a.common.udp {
        return super::tunnel_udp::run_client(a, ctx);
    }
    let addrs = super::serve::listen_addrs(&a.common.listen)?;
    let mut target = TlsTarget::parse(&a.target)?;
    if let Some(name) = &a.servername {
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
    drive(&addrs, status, ctx, |listener, status, events, control| {
        prepared.run(listener, status, events, control)
    })
}

pub(super) fn status_addrs(c: &CommonArgs) -> Result<Option<Vec<SocketAddr>>> {
    c.status
        .as_deref()
        .map(|s| super::serve::listen_addrs(s).context("--status"))
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

/// Starts the runtime, binds, wires the signals, renders the events, and runs the engine.
fn drive<F, Fut>(
    addrs: &[SocketAddr],
    status: Option<Vec<SocketAddr>>,
    ctx: &Ctx,
    engine: F,
) -> Result<Code>
where
    F: FnOnce(TcpListener, Option<TcpListener>, Events, mpsc::UnboundedReceiver<Control>) -> Fut,
    Fut: std::future::Future<Output = Summary>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("tlskit-tunnel")
        .build()
        .context("starting the async runtime")?;
    let (events, mut rx) = Events::channel(4096);
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
        let status = status.as_deref().map(bind).transpose()?;
        anyhow::Ok(engine(listener, status, events, control).await)
    });
    // The engine dropped its sender: the renderer drains the queue and ends.
    let _ = renderer.join();
    let summary = summary?;
    if !ctx.quiet {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if ctx.json {
            writeln!(out, "{}", output::json::to_line(&summary)?)?;
        } else {
            output::tunnel::summary(&mut out, &summary, ctx.stdout_style())?;
        }
        out.flush()?;
    }
    Ok(Code::Success)
}

/// SIGINT and SIGTERM stop the tunnel; SIGHUP reloads its files.
fn forward_signals() -> Result<mpsc::UnboundedReceiver<Control>> {
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

/// Binds the first address that works, with SO_REUSEADDR and a deep backlog.
fn bind(addrs: &[SocketAddr]) -> Result<TcpListener> {
    let mut last = None;
    for addr in addrs {
        let attempt = (|| {
            let socket = if addr.is_ipv4() {
                TcpSocket::new_v4()
            } else {
                TcpSocket::new_v6()
            }?;
            socket.set_reuseaddr(true)?;
            socket.bind(*addr)?;
            socket.listen(BACKLOG)
        })();
        match attempt {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some((addr, e)),
        }
    }
    match last {
        Some((addr, e)) => Err(exit::tag(
            Code::Network,
            anyhow::Error::new(e).context(format!("listening on {addr}")),
        )),
        None => Err(exit::fail(Code::Usage, "--listen gave no address")),
    }
}

fn parse_timeout(text: &str) -> std::result::Result<Duration, String> {
    let d = super::serve::parse_duration_secs(text)?;
    if d < Duration::from_millis(1) {
        return Err("must be more than 0".into());
    }
    Ok(d)
}

fn parse_timeout_or_zero(text: &str) -> std::result::Result<Duration, String> {
    super::serve::parse_duration_secs(text)
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
