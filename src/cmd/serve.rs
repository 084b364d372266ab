//! `tlskit serve`: a concurrent TLS echo or status-page server that starts
//! without any files (ephemeral certificate), logs every connection, and
//! stops cleanly on SIGINT/SIGTERM or after `--max-accept` connections, and
//! reads its certificate and key again on SIGHUP.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use colored::Colorize;
use serde::Serialize;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;

use crate::exit::{self, Code};
use crate::output::{self, field, sanitize, Ctx};
use crate::server::{self, limits, log, Mode, Settings};
use crate::tls::algorithms;
use crate::tls::certgen;
use crate::tls::certinfo::CertSummary;
use crate::tls::config::{self, ClientAuth, Identity, KeyLogTo, ServerOptions, Versions};
use crate::tls::{files, ocsp, x509info};

/// The listen backlog: room for a burst of clients connecting at once.
const BACKLOG: u32 = 1024;

/// Arguments of `tlskit serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit serve                                   echo server on 127.0.0.1:4433, ephemeral cert
  tlskit serve --www --listen '[::1]:8443'       status page: curl -k https://[::1]:8443/
  tlskit serve --cert site.pem --key site-key.pem --listen 0.0.0.0:443
  tlskit serve --client-ca ca.pem                mTLS: clients need a certificate from ca.pem
  tlskit serve --listen 127.0.0.1:0 --max-accept 1 --json   for scripts: the first line has the port
  tlskit serve --ocsp-response ocsp.der --alpn h2,http/1.1 --keylog keys.log

Signals:
  SIGINT, SIGTERM  stop accepting; open connections get --grace to finish
  SIGHUP           read --cert/--key (and --client-ca, --ocsp-response) again for
                   new connections; on an error the old ones stay, and the log says why")]
pub struct Args {
    /// Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a
    /// free port; the first line of output shows the real one.
    #[arg(
        long,
        short = 'l',
        value_name = "ADDR",
        default_value = "127.0.0.1:4433"
    )]
    pub listen: String,

    /// Certificate chain: PEM, leaf first, then intermediates (or one DER certificate)
    /// [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory].
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// The certificate's private key (PKCS#8, PKCS#1 or SEC1; PEM or DER)
    /// [default: the key in the --cert file, which may hold both, as for `openssl s_server -cert`].
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Answer HTTP requests (HTTP/2 when the client picks h2 by ALPN, else HTTP/1.1) with a page
    /// describing the client's handshake (JSON when the request accepts application/json)
    /// instead of echoing.
    #[arg(long)]
    pub www: bool,

    /// Ask clients for a certificate issued by a CA in FILE (PEM bundle); required unless
    /// --client-auth optional.
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,

    /// Whether clients must present a certificate [default: required].
    #[arg(long, value_enum, value_name = "WHEN", requires = "client_ca")]
    pub client_auth: Option<ClientAuthMode>,

    /// ALPN protocols, comma-separated, in the server's order of preference
    /// [default: none; h2,http/1.1 with --www].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub alpn: Vec<String>,

    /// Accept TLS 1.3 only (the default accepts 1.2 and 1.3).
    #[arg(long, conflicts_with = "tls12")]
    pub tls13: bool,

    /// Accept TLS 1.2 only (to test clients).
    #[arg(long)]
    pub tls12: bool,

    #[command(flatten)]
    pub algorithms: super::AlgorithmArgs,

    /// Issue no session tickets and cache no sessions: every handshake is a full one.
    #[arg(long)]
    pub no_tickets: bool,

    /// Staple this DER OCSP response (as written by `openssl ocsp -respout`) for clients that
    /// ask for one. It must be a successful response; one about another certificate, saying
    /// revoked or unknown, or out of date is served with a warning.
    #[arg(long, value_name = "FILE")]
    pub ocsp_response: Option<PathBuf>,

    /// `auto`: fetch the certificate's OCSP response from the responder it names (the
    /// issuer must follow it in --cert), staple it, and refresh it halfway to its
    /// nextUpdate; a failed refresh keeps the last good response until it expires.
    /// Only a checked, good response about this certificate is ever stapled.
    #[arg(
        long,
        value_name = "MODE",
        value_enum,
        conflicts_with = "ocsp_response",
        requires = "cert"
    )]
    pub ocsp: Option<super::revocation_args::OcspMode>,

    /// Append session secrets to FILE in NSS key log format, so Wireshark can decrypt
    /// [default: the file named by SSLKEYLOGFILE, if set].
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,

    /// Connections open at once; more are closed at once and counted.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Seconds the whole handshake may take, from accept to Finished (defeats slowloris).
    /// Fractions and units work: 2.5, 500ms, 1m.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub handshake_timeout: Duration,

    /// Seconds a connection may wait for the client to send, or to take what it is sent;
    /// 0 means no limit.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_timeout_or_zero)]
    pub idle_timeout: Duration,

    /// Stop accepting after N connections, wait for them to finish, and exit 0
    /// (like `openssl s_server -naccept`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_accept: Option<u64>,

    /// Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_timeout_or_zero)]
    pub grace: Duration,

    /// Serve DTLS (TLS over UDP) instead: an echo of each datagram, DTLS 1.3 and 1.2, ECDSA
    /// certificates only (the README's DTLS section says what else differs).
    #[arg(long)]
    pub dtls: bool,

    /// With --dtls: the largest datagram to send, in bytes [default: 1232].
    #[arg(long, value_name = "BYTES", requires = "dtls",
          value_parser = clap::value_parser!(u16).range(256..))]
    pub mtu: Option<u16>,
}

/// Whether a client certificate is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthMode {
    /// The handshake fails without a valid certificate.
    Required,
    /// A client may send none; one it sends must verify.
    Optional,
}

/// Parses `10`, `2.5`, `500ms`, `10s`, `2m` into a duration.
pub fn parse_duration_secs(text: &str) -> std::result::Result<Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{t}' is not a number of seconds (like 10, 2.5, 500ms or 1m)"))?;
    let secs = value * scale;
    if !secs.is_finite() || !(0.0..=7.0 * 86_400.0).contains(&secs) {
        return Err(format!("'{t}' is out of range (0 to 7 days)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_timeout(text: &str) -> std::result::Result<Duration, String> {
    let d = parse_duration_secs(text)?;
    if d < Duration::from_millis(1) {
        return Err("must be more than 0".into());
    }
    Ok(d)
}

fn parse_timeout_or_zero(text: &str) -> std::result::Result<Duration, String> {
    parse_duration_secs(text)
}

/// Turns `--listen` into the addresses to try, in order.
pub fn listen_addrs(text: &str) -> Result<Vec<SocketAddr>> {
    let usage = || {
        exit::fail(
            Code::Usage,
            format!(
                "--listen '{}': expected HOST:PORT, [::1]:PORT or a port number",
                sanitize(text)
            ),
        )
    };
    let t = text.trim();
    if let Ok(addr) = t.parse::<SocketAddr>() {
        return Ok(vec![addr]);
    }
    if let Ok(port) = t.parse::<u16>() {
        return Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]);
    }
    // An IPv6 address with a zone (`[fe80::1%eth0]:8443`): the system resolver
    // turns an interface name into its index, where the OS accepts it.
    if let Some((inside, port)) = t
        .strip_prefix('[')
        .and_then(|r| r.split_once("]:"))
        .filter(|(inside, _)| inside.contains('%'))
    {
        let port: u16 = port.parse().map_err(|_| usage())?;
        let addrs: Vec<SocketAddr> = (inside, port)
            .to_socket_addrs()
            .with_context(|| format!("--listen: '{}'", sanitize(inside)))
            .map_err(|e| exit::tag(Code::Network, e))?
            .collect();
        return Ok(addrs);
    }
    let Some((host, port)) = t.rsplit_once(':') else {
        return Err(usage());
    };
    if host.is_empty() || host.contains(':') || port.parse::<u16>().is_err() {
        return Err(usage());
    }
    let addrs: Vec<SocketAddr> = t
        .to_socket_addrs()
        .with_context(|| format!("--listen: resolving '{}'", sanitize(host)))
        .map_err(|e| exit::tag(Code::Network, e))?
        .collect();
    if addrs.is_empty() {
        return Err(exit::fail(
            Code::Network,
            format!("--listen: '{}' has no address", sanitize(host)),
        ));
    }
    Ok(addrs)
}

/// Everything prepared before the first socket opens.
struct Setup {
    config: Arc<rustls::ServerConfig>,
    leaf: CertSummary,
    chain_len: usize,
    ephemeral: bool,
    alpn: Vec<String>,
    versions: Versions,
    client_auth: &'static str,
    ocsp: bool,
    keylog: Option<String>,
    /// `--groups`, when given.
    groups: Option<Vec<String>>,
    /// `--suites`, when given.
    suites: Option<Vec<String>>,
    /// What was printed as warnings at start-up.
    warnings: Vec<String>,
}

/// The second event: what is being served, and how to connect to it.
#[derive(Debug, Serialize)]
struct Ready<'a> {
    event: &'static str,
    addr: String,
    certificate: &'a CertSummary,
    ephemeral: bool,
    chain_length: usize,
    mode: &'static str,
    versions: Vec<&'static str>,
    alpn: &'a [String],
    session_tickets: bool,
    client_auth: &'static str,
    ocsp_stapling: bool,
    keylog: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suites: Option<&'a [String]>,
    max_connections: u32,
    handshake_timeout_ms: u64,
    idle_timeout_ms: Option<u64>,
    max_accept: Option<u64>,
    connect: String,
    /// The start-up warnings (also on stderr).
    warnings: &'a [String],
}

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
    let listener = bind(&addrs)?;
    let addr = listener
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
            }
            let line = output::json::to_line(&Listening {
                event: "listening",
                addr: addr.to_string(),
            })?;
            writeln!(out, "{line}")?;
        } else {
            writeln!(out, "listening on {addr}")?;
        }
        // Scripts wait for this line before connecting.
        out.flush()?;
        if !ctx.quiet {
            banner(&mut out, &args, &setup, addr, ctx)?;
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
            // A restarted server must not wait for the last run's TIME_WAIT sockets.
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
        Some((addr, e)) => Err(bind_error(*addr, e)),
        None => bail!("--listen gave no address"),
    }
}

/// A failed bind as a network error (exit 3) that says what to do about it.
pub(crate) fn bind_error(addr: SocketAddr, e: std::io::Error) -> anyhow::Error {
    let port = addr.port();
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {port} is already in use: another process listens there (`ss -ltnp 'sport = :{port}'` shows which); stop it, or choose another port (--listen {}:0 picks a free port)",
            addr_host(addr)
        ),
        std::io::ErrorKind::PermissionDenied if port < 1024 => format!(
            "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE (`sudo setcap cap_net_bind_service=+ep \"$(command -v tlskit)\"`); or use a port from 1024 up, like {}:{}",
            addr_host(addr),
            8000 + port
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            format!("{} is not an address of this machine", addr.ip())
        }
        _ => {
            return exit::tag(
                Code::Network,
                anyhow::Error::new(e).context(format!("listening on {addr}")),
            )
        }
    };
    exit::fail(Code::Network, format!("listening on {addr}: {hint}"))
}

/// The host part of `addr` as `--listen` takes it.
fn addr_host(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
        SocketAddr::V4(v4) => v4.ip().to_string(),
    }
}

fn prepare(args: &Args) -> Result<Setup> {
    let (identity, ephemeral) = match (&args.cert, &args.key) {
        (Some(cert), key) => (load_identity(cert, key.as_deref())?, false),
        _ => {
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
    let chain_len = identity.chain.len();
    let mut warnings = Vec::new();
    if !ephemeral {
        for w in certificate_warnings(&leaf)
            .into_iter()
            .chain(chain_order_warnings(&identity.chain))
            .chain(chain_size_warning(&identity.chain))
        {
            warn(&mut warnings, w);
        }
    }

    let client_auth = match &args.client_ca {
        None => ClientAuth::Off,
        Some(path) => {
            let cas = files::load_certs(path).context("reading --client-ca")?;
            match args.client_auth.unwrap_or(ClientAuthMode::Required) {
                ClientAuthMode::Required => ClientAuth::Required(cas),
                ClientAuthMode::Optional => ClientAuth::Optional(cas),
            }
        }
    };
    let client_auth_name = match client_auth {
        ClientAuth::Off => "off",
        ClientAuth::Optional(_) => "optional",
        ClientAuth::Required(_) => "required",
    };

    let alpn = alpn_list(args)?;
    let versions = Versions::from_flags(args.tls12, args.tls13);
    let ocsp = match &args.ocsp_response {
        Some(path) => {
            let der = files::read_input(path)?;
            let ocsp_warnings =
                check_ocsp_response(&der, &identity.chain[0], time::OffsetDateTime::now_utc())
                    .with_context(|| format!("--ocsp-response '{}'", path.display()))?;
            for w in ocsp_warnings {
                warn(&mut warnings, sanitize(&w).into_owned());
            }
            Some(der)
        }
        None => None,
    };
    let (keylog, keylog_name) = match (&args.keylog, std::env::var_os("SSLKEYLOGFILE")) {
        (Some(path), _) => (
            KeyLogTo::File(path.clone()),
            Some(path.display().to_string()),
        ),
        (None, Some(env)) if !env.is_empty() => (
            KeyLogTo::Env,
            Some(format!("{} (SSLKEYLOGFILE)", Path::new(&env).display())),
        ),
        _ => (KeyLogTo::Off, None),
    };
    let has_ocsp = ocsp.is_some();
    let algorithms = args.algorithms.algorithms(versions)?;
    if let Some(suites) = &algorithms.suites {
        if let Some(w) = tls12_suites_fit_key(suites, &identity.key, versions)? {
            warn(&mut warnings, w);
        }
    }
    let groups = algorithms
        .groups
        .as_ref()
        .map(|g| g.iter().map(|g| algorithms::group_name(g.name())).collect());
    let suites = algorithms.suites.as_ref().map(|s| {
        s.iter()
            .map(|s| algorithms::suite_name(s.suite()))
            .collect()
    });
    let config = config::server_config(ServerOptions {
        identity,
        client_auth,
        alpn: alpn.iter().map(|a| a.as_bytes().to_vec()).collect(),
        versions,
        tickets: !args.no_tickets,
        ocsp,
        keylog,
        algorithms,
    })?;
    Ok(Setup {
        config,
        leaf,
        chain_len,
        ephemeral,
        alpn,
        versions,
        client_auth: client_auth_name,
        ocsp: has_ocsp,
        keylog: keylog_name,
        groups,
        suites,
        warnings,
    })
}

/// Prints a start-up warning and keeps it for the `ready` event.
pub(crate) fn warn(warnings: &mut Vec<String>, w: String) {
    eprintln!("tlskit: warning: {w}");
    warnings.push(w);
}

/// Loads the chain and key and checks, now rather than at the first handshake, that they match.
pub(crate) fn load_identity(cert: &Path, key: Option<&Path>) -> Result<Identity> {
    let chain = files::load_certs(cert).context("reading --cert")?;
    let key_der = match key {
        Some(key) => files::load_key(key).context("reading --key")?,
        // The file was read as certificates already; what fails here is about its key.
        None => files::load_key(cert).map_err(|e| {
            if format!("{e:#}").contains("no private key found") {
                exit::fail(
                    Code::Usage,
                    format!(
                        "--cert '{}' holds no private key: give the key with --key FILE",
                        cert.display()
                    ),
                )
            } else {
                e.context("reading the key in --cert")
            }
        })?,
    };
    let key = key.unwrap_or(cert);
    let context = || {
        format!(
            "key '{}' and certificate '{}'",
            key.display(),
            cert.display()
        )
    };
    let matches = |c: &rustls::pki_types::CertificateDer<'static>| {
        Identity {
            chain: vec![c.clone()],
            key: key_der.clone_key(),
        }
        .certified_key()
        .is_ok()
    };
    if let Err(e) = (Identity {
        chain: chain.clone(),
        key: key_der.clone_key(),
    })
    .certified_key()
    {
        // The usual cause: a chain file with the leaf not first.
        if let Some(n) = chain.iter().skip(1).position(matches) {
            let subject = CertSummary::from_der(&chain[n + 1])
                .map(|s| s.subject)
                .unwrap_or_default();
            bail!(
                "{}: the key belongs to certificate #{} ({}), not to the first one; put the server's certificate first, then its intermediates",
                context(),
                n + 2,
                sanitize(&subject)
            );
        }
        return Err(e.context(context()));
    }
    Ok(Identity {
        chain,
        key: key_der,
    })
}

/// A chain whose Certificate message is over what clients read (rustls'
/// clients refuse a handshake message over 64 KiB).
fn chain_size_warning(chain: &[rustls::pki_types::CertificateDer<'_>]) -> Option<String> {
    let size = config::certificate_message_len(chain);
    (size > config::MAX_HANDSHAKE_MESSAGE).then(|| {
        format!(
            "the certificate chain ({} certificate{}) makes a Certificate message of {size} bytes, over the 64 KiB ({} bytes) that rustls clients accept (they will fail the handshake): serve fewer or smaller certificates",
            chain.len(),
            if chain.len() == 1 { "" } else { "s" },
            config::MAX_HANDSHAKE_MESSAGE
        )
    })
}

/// Each certificate of a served chain should be issued by the one after it
/// (RFC 5246 requires that order; TLS 1.3 clients tolerate others, many older ones do not).
fn chain_order_warnings(chain: &[rustls::pki_types::CertificateDer<'_>]) -> Vec<String> {
    let parsed: Vec<_> = chain.iter().map(|c| x509info::parse_cert(c).ok()).collect();
    let subject = |i: usize| {
        parsed[i]
            .as_ref()
            .map(|c| sanitize(&c.subject().to_string()).into_owned())
            .unwrap_or_default()
    };
    let mut warnings = Vec::new();
    for i in 0..parsed.len().saturating_sub(1) {
        let (Some(cert), Some(next)) = (&parsed[i], &parsed[i + 1]) else {
            continue;
        };
        let issued = cert.issuer().as_raw() == next.subject().as_raw()
            && !matches!(
                crate::tls::chain::signed_by(cert, next.public_key()),
                Err(crate::tls::chain::SigError::Invalid)
            );
        if !issued {
            warnings.push(format!(
                "--cert: certificate #{} ({}) did not issue certificate #{} ({}); the file should hold the server's certificate, then each certificate's issuer in turn (clients may refuse a chain out of order)",
                i + 2,
                subject(i + 1),
                i + 1,
                subject(i)
            ));
        }
    }
    warnings
}

/// A TLS 1.2 suite signs with one key type (ECDHE-ECDSA or ECDHE-RSA): when
/// `--suites` names TLS 1.2 suites but none for the certificate's key, every
/// TLS 1.2 handshake fails. An error when TLS 1.2 is the only version; a
/// warning (returned) when TLS 1.3 is on too.
fn tls12_suites_fit_key(
    suites: &[rustls::SupportedCipherSuite],
    key: &rustls::pki_types::PrivateKeyDer<'static>,
    versions: Versions,
) -> Result<Option<String>> {
    use rustls::SignatureAlgorithm as Alg;
    let tls12: Vec<_> = suites
        .iter()
        .filter_map(|s| match s {
            rustls::SupportedCipherSuite::Tls12(t) => Some(*t),
            _ => None,
        })
        .collect();
    if tls12.is_empty() || versions == Versions::Tls13 {
        return Ok(None);
    }
    let Ok(signer) = crate::tls::provider()
        .key_provider
        .load_private_key(key.clone_key())
    else {
        return Ok(None);
    };
    let alg = signer.algorithm();
    if tls12.iter().any(|t| signer.choose_scheme(t.sign).is_some()) {
        return Ok(None);
    }
    let (kind, family) = match alg {
        Alg::RSA => ("RSA", "ECDHE-RSA"),
        Alg::ED25519 => ("Ed25519", "ECDHE-ECDSA"),
        _ => ("ECDSA", "ECDHE-ECDSA"),
    };
    let problem = format!(
        "--suites names no TLS 1.2 suite for the certificate's {kind} key (with it, TLS 1.2 needs {family} suites)"
    );
    if versions == Versions::Tls12 {
        return Err(exit::fail(
            Code::Usage,
            format!("{problem}: every handshake would fail"),
        ));
    }
    Ok(Some(format!(
        "{problem}: TLS 1.2 clients will fail the handshake"
    )))
}

/// Problems with a server certificate that clients will trip over.
pub(crate) fn certificate_warnings(leaf: &CertSummary) -> Vec<String> {
    let mut w = Vec::new();
    if leaf.days_left < 0 {
        w.push(format!(
            "the certificate expired on {}; clients will refuse it",
            leaf.not_after
        ));
    }
    if leaf.days_until_valid > 0 {
        w.push(format!(
            "the certificate is not valid until {}; clients will refuse it",
            leaf.not_before
        ));
    }
    if leaf.is_ca {
        w.push("the certificate is a CA (basicConstraints CA:TRUE); rustls and browsers refuse it as a server certificate".into());
    }
    w
}

fn alpn_list(args: &Args) -> Result<Vec<String>> {
    let mut list: Vec<String> = args
        .alpn
        .iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    for a in &list {
        if a.len() > 255 || !a.chars().all(|c| c.is_ascii_graphic()) {
            return Err(exit::fail(
                Code::Usage,
                format!(
                    "--alpn '{}': a protocol name is 1 to 255 printable ASCII characters",
                    sanitize(a)
                ),
            ));
        }
    }
    if args.www {
        if let Some(other) = list
            .iter()
            .find(|a| !matches!(a.as_str(), "h2" | "http/1.1" | "http/1.0"))
        {
            return Err(exit::fail(
                Code::Usage,
                format!(
                    "--www speaks HTTP/2 and HTTP/1.1, so --alpn may hold only h2, http/1.1 and http/1.0, not '{}'",
                    sanitize(other)
                ),
            ));
        }
        if list.is_empty() {
            list = vec!["h2".into(), "http/1.1".into()];
        }
    }
    Ok(list)
}

/// Checks a staple before it is served: an error unless it is a DER OCSP
/// response whose status is `successful`; warnings (returned) when it is
/// about another certificate, says revoked or unknown, or is out of date,
/// which a test server may mean to serve, but rarely does.
pub fn check_ocsp_response(
    der: &[u8],
    leaf: &[u8],
    now: time::OffsetDateTime,
) -> Result<Vec<String>> {
    if files::looks_like_pem(der) {
        bail!("this is PEM; give the DER response (`openssl ocsp -respout` writes DER)");
    }
    let s = ocsp::parse_for_leaf(der, Some(leaf))
        .map_err(|e| anyhow::anyhow!("not a DER OCSP response: {e}"))?;
    if s.response_status != "successful" {
        bail!(
            "the responder answered {}, not successful; a client would treat this staple as an error",
            s.response_status
        );
    }
    let mut warnings = Vec::new();
    if !s.matches_leaf {
        let serial = x509info::parse_cert(leaf)
            .map(|c| c.raw_serial_as_string())
            .unwrap_or_default();
        warnings.push(format!(
            "the OCSP response is not about the served certificate (serial {serial}): clients will reject or ignore it"
        ));
    }
    match s.cert_status.as_deref() {
        Some("revoked") => warnings.push(format!(
            "the OCSP response says the certificate was revoked{}",
            s.revocation_time
                .as_deref()
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        )),
        Some("unknown") => warnings
            .push("the OCSP response says the responder does not know the certificate".into()),
        _ => {}
    }
    if let Some(next) = s.next_update.as_deref().filter(|t| ocsp::is_before(t, now)) {
        warnings.push(format!(
            "the OCSP response is out of date (nextUpdate {next}): clients will reject it"
        ));
    }
    // A few minutes of clock skew between responder and server are normal.
    let soon = now + time::Duration::minutes(5);
    if let Some(this) = s
        .this_update
        .as_deref()
        .filter(|t| !ocsp::is_before(t, soon))
    {
        warnings.push(format!(
            "the OCSP response is not valid yet (thisUpdate {this})"
        ));
    }
    Ok(warnings)
}

/// The `tlskit connect` command line that reaches this server and trusts it by pin.
///
/// It dials the address the server listens on (the loopback address of that
/// family for 0.0.0.0 and [::]), never a name that may resolve elsewhere:
/// `localhost` only for 127.0.0.1, where every resolver sends it. The name
/// verified is one the certificate covers; when that is not the dialled
/// address, `--connect-to` keeps the two apart.
pub(crate) fn connect_command(addr: SocketAddr, leaf: &CertSummary, client_auth: &str) -> String {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let ip_host = match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    let covers = |san: String| leaf.sans.contains(&san);
    let port = addr.port();
    let target = if ip == IpAddr::V4(Ipv4Addr::LOCALHOST) && covers("DNS:localhost".into()) {
        format!("localhost:{port}")
    } else if covers(format!("IP:{ip}")) {
        format!("{ip_host}:{port}")
    } else if let Some(dns) = leaf
        .sans
        .iter()
        .find_map(|s| s.strip_prefix("DNS:").filter(|d| !d.starts_with('*')))
    {
        format!("{dns}:{port} --connect-to {ip_host}")
    } else {
        format!("{ip_host}:{port}")
    };
    let mut cmd = format!("tlskit connect {target} --pin {}", leaf.spki_pin);
    if client_auth == "required" {
        cmd.push_str(" --cert client.pem --key client-key.pem");
    }
    cmd
}

/// A path as one shell word: quoted when it holds anything a shell would split or expand.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@,=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", sanitize(text).replace('\'', "'\\''"))
    }
}

/// The URL of the status page: the dialled address when the connect command
/// needs `--connect-to` (curl -k checks the pin, not the name).
fn browse_url(connect: &str) -> String {
    let mut words = connect.split_whitespace().skip(2);
    let target = words.next().unwrap_or("localhost");
    let host = match (words.next(), words.next()) {
        (Some("--connect-to"), Some(ip)) => {
            let port = target.rsplit_once(':').map(|(_, p)| p).unwrap_or("443");
            format!("{ip}:{port}")
        }
        _ => target.to_string(),
    };
    format!("https://{host}/")
}

fn banner(
    out: &mut dyn Write,
    args: &Args,
    setup: &Setup,
    addr: SocketAddr,
    ctx: &Ctx,
) -> Result<()> {
    let connect = connect_command(addr, &setup.leaf, setup.client_auth);
    let versions: Vec<&'static str> = match setup.versions {
        Versions::Both => vec!["TLSv1.3", "TLSv1.2"],
        Versions::Tls13 => vec!["TLSv1.3"],
        Versions::Tls12 => vec!["TLSv1.2"],
    };
    let mode = if args.www { "www" } else { "echo" };
    if ctx.json {
        let ready = Ready {
            event: "ready",
            addr: addr.to_string(),
            certificate: &setup.leaf,
            ephemeral: setup.ephemeral,
            chain_length: setup.chain_len,
            mode,
            versions,
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
            connect,
            warnings: &setup.warnings,
        };
        writeln!(out, "{}", output::json::to_line(&ready)?)?;
        return Ok(());
    }
    let leaf = &setup.leaf;
    let origin = if setup.ephemeral {
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
    let when = output::describe_validity(leaf.days_left, leaf.days_until_valid);
    field(
        out,
        "valid until",
        format!(
            "{} ({})",
            leaf.not_after,
            output::days_left_colored(when, leaf.days_left)
        ),
    )?;
    if setup.chain_len > 1 {
        field(out, "chain", format!("{} certificates", setup.chain_len))?;
    }
    field(out, "SHA-256", &leaf.sha256_fingerprint)?;
    field(out, "SPKI pin", leaf.spki_pin.to_string().bold())?;
    let alpn = if setup.alpn.is_empty() {
        "no ALPN".to_string()
    } else {
        format!("ALPN {}", setup.alpn.join(","))
    };
    let clients = match setup.client_auth {
        "required" => "client certificates required",
        "optional" => "client certificates optional",
        _ => "no client certificates",
    };
    field(
        out,
        "serving",
        format!(
            "{mode}, {}, {alpn}, session tickets {}, {clients}{}",
            versions.join(" and "),
            if args.no_tickets { "off" } else { "on" },
            if setup.ocsp { ", OCSP stapled" } else { "" }
        ),
    )?;
    if let Some(g) = &setup.groups {
        field(out, "groups", g.join(", "))?;
    }
    if let Some(s) = &setup.suites {
        field(out, "suites", s.join(", "))?;
    }
    field(
        out,
        "limits",
        format!(
            "{} connections, handshake {}, idle {}",
            args.max_connections,
            crate::text::human_duration(args.handshake_timeout.as_millis() as u64),
            if args.idle_timeout.is_zero() {
                "unlimited".to_string()
            } else {
                crate::text::human_duration(args.idle_timeout.as_millis() as u64)
            }
        ),
    )?;
    if let (Some(ca), "required" | "optional") = (&args.client_ca, setup.client_auth) {
        // The connect command (and curl) name client.pem: this makes it, from a CA
        // that `tlskit gencert --ca` made (its key beside it).
        field(
            out,
            "client cert",
            format!(
                "tlskit gencert client@example.test --client --issuer {} --out client",
                shell_word(&ca.display().to_string())
            ),
        )?;
    }
    field(out, "connect", connect.bold())?;
    if args.www {
        let client = if setup.client_auth == "required" {
            " --cert client.pem --key client-key.pem"
        } else {
            ""
        };
        field(
            out,
            "browse",
            format!(
                "curl -k --pinnedpubkey {}{client} {}",
                leaf.spki_pin,
                browse_url(&connect)
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_fractions_and_units() {
        assert_eq!(parse_duration_secs("10").unwrap(), Duration::from_secs(10));
        assert_eq!(
            parse_duration_secs("2.5").unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            parse_duration_secs("500ms").unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(parse_duration_secs("1m").unwrap(), Duration::from_secs(60));
        assert!(parse_duration_secs("-1").is_err());
        assert!(parse_duration_secs("soon").is_err());
        assert!(parse_duration_secs("inf").is_err());
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout_or_zero("0").unwrap().is_zero());
    }

    #[test]
    fn listen_forms() {
        assert_eq!(
            listen_addrs("127.0.0.1:0").unwrap(),
            vec!["127.0.0.1:0".parse().unwrap()]
        );
        assert_eq!(
            listen_addrs("[::1]:4433").unwrap(),
            vec!["[::1]:4433".parse().unwrap()]
        );
        assert_eq!(
            listen_addrs("8443").unwrap(),
            vec!["127.0.0.1:8443".parse().unwrap()]
        );
        for bad in ["", "::1:4433", "host", ":4433", "127.0.0.1:99999"] {
            let err = listen_addrs(bad).unwrap_err();
            assert_eq!(exit::classify(&err), Code::Usage, "{bad}: {err:#}");
        }
    }

    #[test]
    fn ocsp_files_that_are_not_responses_are_refused() {
        let leaf = certgen::ephemeral_localhost().unwrap().cert_der;
        let now = time::OffsetDateTime::now_utc();
        // SEQUENCE { ENUMERATED 3 (tryLater) }
        let e = check_ocsp_response(&[0x30, 0x03, 0x0a, 0x01, 0x03], &leaf, now).unwrap_err();
        assert!(e.to_string().contains("try_later"), "{e}");
        for bad in [
            &[0x30, 0x05, 0x0a, 0x01, 0x00, 0xa0, 0x00][..],
            &[0x30, 0x03, 0x0a, 0x01, 0x00],
            b"garbage",
            b"-----BEGIN OCSP RESPONSE-----\n",
        ] {
            assert!(check_ocsp_response(bad, &leaf, now).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn connect_command_uses_a_name_the_certificate_covers() {
        let g = certgen::ephemeral_localhost().unwrap();
        let leaf = CertSummary::from_der(&g.cert_der).unwrap();
        let cmd = connect_command("127.0.0.1:4433".parse().unwrap(), &leaf, "off");
        assert_eq!(
            cmd,
            format!("tlskit connect localhost:4433 --pin {}", leaf.spki_pin)
        );
        // localhost may resolve to 127.0.0.1 only: [::1] is dialled as such.
        let cmd = connect_command("[::1]:9".parse().unwrap(), &leaf, "required");
        assert!(
            cmd.starts_with("tlskit connect [::1]:9 --pin sha256//"),
            "{cmd}"
        );
        assert!(cmd.ends_with("--cert client.pem --key client-key.pem"));
        assert_eq!(browse_url(&cmd), "https://[::1]:9/");
        let cmd = connect_command("[::]:9".parse().unwrap(), &leaf, "off");
        assert!(cmd.starts_with("tlskit connect [::1]:9 --pin"), "{cmd}");
        let cmd = connect_command("0.0.0.0:9".parse().unwrap(), &leaf, "off");
        assert!(cmd.starts_with("tlskit connect localhost:9 --pin"), "{cmd}");
        // An address the certificate does not cover: its name, dialled at the address.
        let cmd = connect_command("127.0.0.2:9".parse().unwrap(), &leaf, "off");
        assert!(
            cmd.starts_with("tlskit connect localhost:9 --connect-to 127.0.0.2 --pin"),
            "{cmd}"
        );
        assert_eq!(browse_url(&cmd), "https://127.0.0.2:9/");
    }
}
