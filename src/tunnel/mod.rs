//! The engine behind `tlskit tunnel`: TLS (and mTLS) in front of a plaintext
//! TCP or Unix-socket service ([`server`]), and a local plaintext port in
//! front of a TLS service ([`client`]), as stunnel and ghostunnel do.
//!
//! It never prints: everything it has to say (listening, each connection,
//! warnings, reloads, the shutdown) goes as an [`Event`] into a bounded
//! channel the caller drains, and the run ends with a [`Summary`].

pub mod allow;
pub mod client;
mod forward;
pub mod proxy_protocol;
pub mod server;
pub mod status;
pub mod udp;

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::text::sanitize;
use crate::tls::certinfo::CertSummary;
use crate::tls::error::{fail, Failure};

/// The addresses `localhost` stands for, in the order they are tried.
const LOOPBACK: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(Ipv6Addr::LOCALHOST),
];

/// `localhost`, in any case, with or without the root's dot.
fn is_localhost(host: &str) -> bool {
    host.strip_suffix('.')
        .unwrap_or(host)
        .eq_ignore_ascii_case("localhost")
}

/// Dials `port` on 127.0.0.1, then on ::1. When neither answers, the error
/// is 127.0.0.1's: on a machine without IPv6, ::1's would say the address is
/// unavailable where the truth is that the service is down.
async fn dial_loopback(port: u16) -> io::Result<TcpStream> {
    let [first, rest @ ..] = LOOPBACK;
    let refused = match TcpStream::connect(SocketAddr::new(first, port)).await {
        Ok(tcp) => return Ok(tcp),
        Err(e) => e,
    };
    for ip in rest {
        if let Ok(tcp) = TcpStream::connect(SocketAddr::new(ip, port)).await {
            return Ok(tcp);
        }
    }
    Err(refused)
}

/// Where plaintext goes (server mode) or where TLS is spoken (client mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A TCP service: a host name or IP address and a port.
    Tcp {
        /// Host name or IP address (IPv6 without brackets).
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A Unix-domain stream socket.
    Unix(PathBuf),
}

impl Target {
    /// Parses `HOST:PORT`, `[v6]:PORT` or `unix:PATH`; a bad one is an argument error.
    pub fn parse(text: &str) -> Result<Target> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(fail(
                    Failure::Argument,
                    "--target unix: needs a socket path (unix:/run/app.sock)",
                ));
            }
            return Ok(Target::Unix(PathBuf::from(path)));
        }
        let (host, port) = crate::tls::target::split_host_port(text, 0).map_err(|e| {
            crate::tls::error::tag(
                Failure::Argument,
                e.context(format!("--target '{}'", sanitize(text))),
            )
        })?;
        if port == 0 {
            return Err(fail(
                Failure::Argument,
                format!(
                    "--target '{}': give a port (HOST:PORT), or unix:PATH",
                    sanitize(text)
                ),
            ));
        }
        Ok(Target::Tcp { host, port })
    }

    /// Whether the target is on this machine for sure: a loopback address,
    /// `localhost`, or a Unix socket.
    pub fn is_local(&self) -> bool {
        match self {
            Target::Unix(_) => true,
            Target::Tcp { host, .. } => {
                is_localhost(host) || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
            }
        }
    }

    /// Opens a plaintext connection to the target. `localhost` is dialled
    /// as 127.0.0.1, then ::1, without asking the resolver (RFC 6761 §6.3, as
    /// curl does): a lookup per connection costs a blocking thread's round
    /// trip, and the name cannot lead anywhere but this machine, which is
    /// what `is_local` counted on.
    pub(crate) async fn connect(&self) -> io::Result<Plain> {
        match self {
            Target::Tcp { host, port } => {
                let tcp = if is_localhost(host) {
                    dial_loopback(*port).await?
                } else {
                    TcpStream::connect((host.as_str(), *port)).await?
                };
                let _ = tcp.set_nodelay(true);
                Ok(Plain::Tcp(tcp))
            }
            Target::Unix(path) => Ok(Plain::Unix(UnixStream::connect(path).await?)),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Tcp { host, port } => {
                write!(f, "{}", crate::tls::target::host_port(host, *port))
            }
            Target::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// A plaintext connection to a target.
pub(crate) enum Plain {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl AsyncRead for Plain {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Plain::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Plain::Unix(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Plain {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Plain::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Plain::Unix(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Plain::Tcp(s) => Pin::new(s).poll_flush(cx),
            Plain::Unix(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Plain::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Plain::Unix(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Timeouts and limits shared by both modes.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connecting to the target (TCP connect, plus the TLS handshake in client mode).
    pub connect_timeout: Duration,
    /// The client's TLS handshake, from accept to Finished (server mode).
    pub handshake_timeout: Duration,
    /// A connection on which nothing moved either way for this long is closed (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// Connections open at once; more are closed at once and logged.
    pub max_connections: usize,
    /// How long open connections may take to finish after a stop request.
    pub grace: Duration,
}

/// What the caller asks of a running tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Stop accepting, let connections finish within the grace period (the
    /// signal's name, for the log). A second one cuts the grace short.
    Stop(&'static str),
    /// Reload the certificate, key and client CA files.
    Reload,
}

/// Which way a tunnel faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// TLS in, plaintext to the target.
    Server,
    /// Plaintext in, TLS to the target.
    Client,
}

/// What the tunnel carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// TLS over TCP, plaintext over TCP or a Unix socket.
    #[default]
    Tcp,
    /// DTLS over UDP, plaintext over UDP.
    Udp,
}

/// How one connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Both sides finished.
    Closed,
    /// The TLS handshake failed (not TLS, a protocol error, a certificate that did not verify).
    HandshakeFailed,
    /// The client's certificate verified but its identity is not allowed.
    Denied,
    /// The handshake did not finish within `--handshake-timeout`.
    HandshakeTimeout,
    /// More than `--max-connections` were open.
    Busy,
    /// The target could not be reached (refused, timed out, no such socket).
    TargetUnreachable,
    /// The peer's certificate (the target's in client mode, the client's in
    /// server mode) is revoked, or its status unknown under
    /// `--check-revocation=require`: nothing was forwarded.
    RevocationRefused,
    /// Nothing moved either way for `--idle-timeout`.
    IdleTimeout,
    /// Still open when the grace period after a stop ended.
    CutOff,
    /// A read or write failed (a reset, a TLS error after the handshake).
    Error,
}

impl Outcome {
    /// Whether the connection did what it was for.
    pub fn is_ok(self) -> bool {
        matches!(self, Outcome::Closed)
    }
}

/// Who the client is, from its certificate (server mode with `--client-ca`).
#[derive(Debug, Clone, Serialize)]
pub struct PeerIdentity {
    /// The subject's common name, if any.
    pub cn: Option<String>,
    /// DNS and URI names (`DNS:…`, `URI:…`).
    pub sans: Vec<String>,
    /// SPKI pin of the certificate.
    pub pin: String,
}

/// The version a tunnelled connection negotiated: TLS for the TCP tunnel,
/// DTLS for `--udp`. JSON spells it as connect does (`TLSv1.3`, `DTLSv1.2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Version {
    /// The TCP tunnel's TLS version.
    Tls(crate::tls::handshake::Protocol),
    /// The UDP tunnel's DTLS version.
    Dtls(crate::dtls::Version),
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Version::Tls(v) => v.name(),
            Version::Dtls(v) => v.name(),
        })
    }
}

/// One connection, from accept to close.
#[derive(Debug, Clone, Serialize)]
pub struct ConnRecord {
    /// When it ended, RFC 3339.
    pub time: String,
    /// The address it came from.
    pub peer: String,
    /// The client certificate's identity (server mode, when one was sent).
    pub client: Option<PeerIdentity>,
    /// SNI: the name the client asked for (server mode), or sent (client mode).
    pub sni: Option<String>,
    /// Protocol version of the TLS (or DTLS) side.
    pub version: Option<Version>,
    /// Cipher suite of the TLS side.
    pub suite: Option<String>,
    /// ALPN protocol agreed on the TLS side.
    pub alpn: Option<String>,
    /// Whether the TLS session was resumed (no certificate exchanged).
    pub resumed: Option<bool>,
    /// Bytes from the client to the target.
    pub bytes_up: u64,
    /// Bytes from the target to the client.
    pub bytes_down: u64,
    /// From accept to close.
    pub duration_ms: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// Why, in a sentence (for everything but a plain close).
    pub reason: Option<String>,
}

impl ConnRecord {
    fn new(peer: SocketAddr) -> ConnRecord {
        ConnRecord {
            time: String::new(),
            peer: peer.to_string(),
            client: None,
            sni: None,
            version: None,
            suite: None,
            alpn: None,
            resumed: None,
            bytes_up: 0,
            bytes_down: 0,
            duration_ms: 0,
            outcome: Outcome::Closed,
            reason: None,
        }
    }

    fn ended(&mut self, outcome: Outcome, reason: impl Into<String>) {
        self.outcome = outcome;
        let r: String = reason.into();
        self.reason = (!r.is_empty()).then_some(r);
    }
}

/// What a client tunnel (TCP or UDP) announces once it listens on `local`:
/// the target it reaches, its limits, and a warning when the local port is
/// open beyond loopback (whoever reaches it speaks with this tunnel's identity).
fn client_ready(
    transport: Transport,
    local: io::Result<SocketAddr>,
    target: &crate::tls::target::Target,
    client_auth: bool,
    l: &Limits,
) -> Ready {
    let mut warnings = Vec::new();
    let addr = local.as_ref().map(|a| a.to_string()).unwrap_or_default();
    if !local.is_ok_and(|a| a.ip().is_loopback()) {
        warnings.push(format!(
            "listening on {addr}, not on loopback: anyone who can reach it talks to {target} with this tunnel's identity"
        ));
    }
    Ready {
        mode: Mode::Client,
        transport,
        addr,
        target: target.to_string(),
        certificate: None,
        ephemeral: false,
        client_auth,
        allow: Vec::new(),
        server_name: Some(target.server_name_str()),
        max_connections: l.max_connections,
        handshake_timeout_ms: l.handshake_timeout.as_millis() as u64,
        connect_timeout_ms: l.connect_timeout.as_millis() as u64,
        idle_timeout_ms: l.idle_timeout.map(|d| d.as_millis() as u64),
        warnings,
    }
}

/// What is being served, sent once after [`Event::Listening`].
#[derive(Debug, Clone, Serialize)]
pub struct Ready {
    /// Server or client.
    pub mode: Mode,
    /// TCP (TLS) or UDP (DTLS).
    pub transport: Transport,
    /// The address listened on.
    pub addr: String,
    /// Where connections go.
    pub target: String,
    /// The certificate presented to clients (server mode).
    pub certificate: Option<CertSummary>,
    /// Whether that certificate was made at start-up, in memory.
    pub ephemeral: bool,
    /// Whether clients must present a certificate (server mode).
    pub client_auth: bool,
    /// The identities allowed through, as `cn:…`, `dns:…`, `uri:…`, `pin:…` (empty: any the CA issued).
    pub allow: Vec<String>,
    /// The TLS name verified (client mode).
    pub server_name: Option<String>,
    /// Limits in force.
    pub max_connections: usize,
    /// Handshake timeout, milliseconds.
    pub handshake_timeout_ms: u64,
    /// Connect timeout, milliseconds.
    pub connect_timeout_ms: u64,
    /// Idle timeout, milliseconds (`None`: none).
    pub idle_timeout_ms: Option<u64>,
    /// Things the operator should know before the first client arrives.
    pub warnings: Vec<String>,
}

/// Everything the engine reports while it runs.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The listening socket is open (always the first event).
    Listening {
        /// The bound address, with the real port.
        addr: String,
    },
    /// What is served and how.
    Ready(Ready),
    /// One connection ended.
    Connection(ConnRecord),
    /// Something went wrong that does not stop the tunnel.
    Warning {
        /// A sentence.
        message: String,
    },
    /// The certificate files were reloaded.
    Reloaded {
        /// The certificate now presented (server mode).
        certificate: Option<CertSummary>,
        /// Things the operator should know about what was loaded (a stale `--crl`).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
    },
    /// Reloading failed; the previous configuration stays in use.
    ReloadFailed {
        /// Why, in a sentence.
        reason: String,
    },
    /// A stop was requested.
    Shutdown {
        /// What asked (SIGINT, SIGTERM).
        signal: String,
        /// Connections still open.
        open_connections: u64,
        /// How long they get.
        grace_ms: u64,
    },
    /// The status endpoint is listening.
    StatusListening {
        /// The bound address.
        addr: String,
    },
    /// One fetch of the served certificate's OCSP response (`--ocsp auto`).
    Ocsp(crate::revocation::staple::StapleEvent),
}

/// The end of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Always `summary` (for JSON lines).
    pub event: &'static str,
    /// Connections accepted.
    pub connections: u64,
    /// Connections that ended well.
    pub ok: u64,
    /// The rest, by outcome.
    pub failed: BTreeMap<Outcome, u64>,
    /// Bytes from clients to the target.
    pub bytes_up: u64,
    /// Bytes from the target to clients.
    pub bytes_down: u64,
    /// How long the tunnel ran, milliseconds.
    pub duration_ms: u64,
    /// What stopped it.
    pub stopped_by: Option<String>,
    /// Connection records the log could not keep up with (dropped, counted).
    pub dropped_events: u64,
}

/// Counters shared by every connection (also read by the status endpoint).
/// Bytes are counted as they move, not when a connection ends, so that the
/// status page shows the traffic of connections that stay open for hours.
#[derive(Debug, Default)]
pub struct Stats {
    total: AtomicU64,
    open: AtomicU64,
    ok: AtomicU64,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    failed: Mutex<BTreeMap<Outcome, u64>>,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Serialize)]
pub struct Counters {
    /// Connections accepted.
    pub connections_total: u64,
    /// Connections open now.
    pub connections_open: u64,
    /// Connections that ended well.
    pub connections_ok: u64,
    /// Failed connections by outcome.
    pub failures: BTreeMap<Outcome, u64>,
    /// Bytes from clients to the target.
    pub bytes_up: u64,
    /// Bytes from the target to clients.
    pub bytes_down: u64,
}

impl Stats {
    fn start(&self) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.open.fetch_add(1, Ordering::Relaxed);
    }

    /// Connections open now.
    pub fn open(&self) -> u64 {
        self.open.load(Ordering::Relaxed)
    }

    /// Bytes just moved from a client to the target.
    #[inline]
    pub(crate) fn moved_up(&self, n: u64) {
        self.bytes_up.fetch_add(n, Ordering::Relaxed);
    }

    /// Bytes just moved from the target to a client.
    #[inline]
    pub(crate) fn moved_down(&self, n: u64) {
        self.bytes_down.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts a connection that ended. Its bytes are not added here: they
    /// were counted as they moved ([`Stats::moved_up`], [`Stats::moved_down`]).
    fn finish(&self, rec: &ConnRecord, counted_open: bool) {
        if counted_open {
            self.open.fetch_sub(1, Ordering::Relaxed);
        } else {
            self.total.fetch_add(1, Ordering::Relaxed);
        }
        if rec.outcome.is_ok() {
            self.ok.fetch_add(1, Ordering::Relaxed);
        } else {
            *lock(&self.failed).entry(rec.outcome).or_default() += 1;
        }
    }

    /// The counters now.
    pub fn counters(&self) -> Counters {
        Counters {
            connections_total: self.total.load(Ordering::Relaxed),
            connections_open: self.open.load(Ordering::Relaxed),
            connections_ok: self.ok.load(Ordering::Relaxed),
            failures: lock(&self.failed).clone(),
            bytes_up: self.bytes_up.load(Ordering::Relaxed),
            bytes_down: self.bytes_down.load(Ordering::Relaxed),
        }
    }

    fn summary(&self, started: Instant, stopped_by: Option<&str>, dropped: u64) -> Summary {
        let c = self.counters();
        Summary {
            event: "summary",
            connections: c.connections_total,
            ok: c.connections_ok,
            failed: c.failures,
            bytes_up: c.bytes_up,
            bytes_down: c.bytes_down,
            duration_ms: started.elapsed().as_millis() as u64,
            stopped_by: stopped_by.map(str::to_string),
            dropped_events: dropped,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Where events go: a bounded channel. Connection records that do not fit
/// (a stalled reader of the log) are counted and dropped rather than let
/// memory grow or stall the data path.
#[derive(Debug, Clone)]
pub struct Events {
    tx: mpsc::Sender<Event>,
    dropped: std::sync::Arc<AtomicU64>,
    connections: bool,
}

impl Events {
    /// A sink and the receiver the caller drains.
    pub fn channel(capacity: usize) -> (Events, mpsc::Receiver<Event>) {
        let (tx, rx) = mpsc::channel(capacity.max(16));
        (
            Events {
                tx,
                dropped: Default::default(),
                connections: true,
            },
            rx,
        )
    }

    /// Finished connections and associations are counted (`--status`, the
    /// summary) but not queued: no line per connection, as nginx's
    /// `access_log off`. Warnings, reloads and the shutdown still are.
    pub fn without_connections(self) -> Events {
        Events {
            connections: false,
            ..self
        }
    }

    /// Sends an event that must not be lost (waits for room).
    async fn important(&self, event: Event) {
        let _ = self.tx.send(event).await;
    }

    /// Sends an event if there is room; counts it otherwise.
    fn send(&self, event: Event) {
        if !self.connections && matches!(event, Event::Connection(_)) {
            return;
        }
        if self.tx.try_send(event).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Where a running tunnel is in its life; connections watch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Phase {
    Running,
    /// Stop requested: no new connections; open ones may finish.
    Draining,
    /// The grace period is over: everything closes now.
    Stopping,
}

/// Milliseconds in a few words: `850 ms`, `2.5 s`, `3 min`.
pub fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        let s = ms as f64 / 1000.0;
        if ms.is_multiple_of(1000) {
            format!("{} s", ms / 1000)
        } else {
            format!("{s:.1} s")
        }
    } else if ms.is_multiple_of(60_000) {
        format!("{} min", ms / 60_000)
    } else {
        format!("{:.1} min", ms as f64 / 60_000.0)
    }
}

/// A connection to the target that failed, in a sentence.
fn target_error(target: &Target, e: &io::Error) -> String {
    let what = match e.kind() {
        io::ErrorKind::ConnectionRefused => {
            "connection refused (is the service running?)".to_string()
        }
        io::ErrorKind::NotFound => "no such socket".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => crate::tls::dial::describe_io(e),
    };
    format!("cannot reach the target {target}: {what}")
}

/// The moment, RFC 3339.
fn now() -> String {
    crate::tls::certinfo::rfc3339(time::OffsetDateTime::now_utc())
}

/// Keeps a failing `accept` (out of file descriptors, mostly) from spinning the CPU.
async fn accept_failed(e: io::Error, last: &mut Option<Instant>, events: &Events) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    let t = Instant::now();
    if last.is_none_or(|l| t.duration_since(l) >= Duration::from_secs(5)) {
        *last = Some(t);
        events.send(Event::Warning {
            message: format!("accepting a connection failed: {e} (pausing briefly)"),
        });
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// What each connection task gets from the accept loop.
pub(crate) struct Conn {
    pub tcp: TcpStream,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub phase: watch::Receiver<Phase>,
    /// The tunnel's counters, for the bytes as they move.
    pub stats: Arc<Stats>,
}

/// How often the certificate files are checked for a change.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// What identifies a version of the watched files: each one's size and
/// modification time (`None` for a file that cannot be read now).
fn files_state(paths: &[PathBuf]) -> Vec<Option<(u64, std::time::SystemTime)>> {
    paths
        .iter()
        .map(|p| {
            std::fs::metadata(p)
                .ok()
                .and_then(|m| Some((m.len(), m.modified().ok()?)))
        })
        .collect()
}

/// Notices when one of the certificate files changes (checked every
/// [`WATCH_EVERY`]), for a reload without a signal.
pub(crate) struct FileWatch {
    paths: Vec<PathBuf>,
    seen: Vec<Option<(u64, std::time::SystemTime)>>,
    tick: tokio::time::Interval,
}

impl FileWatch {
    /// Starts watching `paths` (none: [`FileWatch::changed`] never returns).
    pub(crate) fn new(paths: Vec<PathBuf>) -> FileWatch {
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        FileWatch {
            seen: files_state(&paths),
            paths,
            tick,
        }
    }

    /// Returns once a watched file differs from when it was last seen.
    pub(crate) async fn changed(&mut self) {
        if self.paths.is_empty() {
            return std::future::pending().await;
        }
        loop {
            self.tick.tick().await;
            let now = files_state(&self.paths);
            if now != self.seen {
                self.seen = now;
                return;
            }
        }
    }

    /// Takes the files as they are now as seen (after a reload on request).
    pub(crate) fn mark(&mut self) {
        self.seen = files_state(&self.paths);
    }
}

/// Runs an accept loop until a stop request, then lets open connections
/// finish within the grace period; every connection is handled by `handle`,
/// which returns its record. `reload` answers a reload request, or a change
/// of one of the `watched` files, with the event to log.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_loop<H, F, R>(
    listener: TcpListener,
    watched: Vec<PathBuf>,
    limits: &Limits,
    stats: Arc<Stats>,
    events: &Events,
    mut control: mpsc::UnboundedReceiver<Control>,
    handle: H,
    mut reload: R,
) -> Summary
where
    H: Fn(Conn) -> F,
    F: std::future::Future<Output = ConnRecord> + Send + 'static,
    R: FnMut() -> Event,
{
    let started = Instant::now();
    let (phase_tx, phase_rx) = watch::channel(Phase::Running);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let local = listener.local_addr().ok();
    let mut tasks = JoinSet::new();
    let mut stopped_by: Option<&'static str> = None;
    let mut last_accept_error = None;
    let mut watch = FileWatch::new(watched);
    let spawn = |tasks: &mut JoinSet<()>, conn: Conn, slot: tokio::sync::OwnedSemaphorePermit| {
        stats.start();
        let fut = handle(conn);
        let stats = stats.clone();
        let events = events.clone();
        tasks.spawn(async move {
            let mut rec = fut.await;
            rec.time = now();
            stats.finish(&rec, true);
            events.send(Event::Connection(rec));
            drop(slot);
        });
    };
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => match slots.clone().try_acquire_owned() {
                    Ok(slot) => {
                        let local = tcp.local_addr().ok().or(local).unwrap_or(peer);
                        let conn = Conn { tcp, peer, local, phase: phase_rx.clone(), stats: stats.clone() };
                        spawn(&mut tasks, conn, slot);
                    }
                    Err(_) => {
                        drop(tcp);
                        let mut rec = ConnRecord::new(peer);
                        rec.ended(Outcome::Busy, format!(
                            "{} connections open (--max-connections): closed at once",
                            limits.max_connections
                        ));
                        rec.time = now();
                        stats.finish(&rec, false);
                        events.send(Event::Connection(rec));
                    }
                },
                Err(e) => accept_failed(e, &mut last_accept_error, events).await,
            },
            Some(done) = tasks.join_next() => lost_task(done, events),
            _ = watch.changed() => events.important(reload()).await,
            c = control.recv() => match c {
                Some(Control::Reload) => {
                    watch.mark();
                    events.important(reload()).await;
                }
                Some(Control::Stop(sig)) => {
                    stopped_by = Some(sig);
                    break;
                }
                None => break,
            },
        }
    }
    // New connections are now refused by the kernel.
    drop(listener);
    let grace = limits.grace;
    events
        .important(Event::Shutdown {
            signal: stopped_by.unwrap_or("end of input").to_string(),
            open_connections: stats.open(),
            grace_ms: grace.as_millis() as u64,
        })
        .await;
    let _ = phase_tx.send(Phase::Draining);
    let mut grace_ends = Instant::now() + grace;
    let mut control_open = true;
    while !tasks.is_empty() {
        tokio::select! {
            Some(done) = tasks.join_next() => lost_task(done, events),
            c = control.recv(), if control_open => match c {
                // A second stop: no more waiting.
                Some(Control::Stop(_)) => grace_ends = Instant::now(),
                Some(Control::Reload) => events.important(reload()).await,
                None => control_open = false,
            },
            _ = tokio::time::sleep_until(grace_ends) => break,
        }
    }
    // Whatever is left is cut now; each task still logs how it ended.
    let _ = phase_tx.send(Phase::Stopping);
    let hard_stop = Instant::now() + Duration::from_secs(2);
    while !tasks.is_empty() {
        tokio::select! {
            Some(done) = tasks.join_next() => lost_task(done, events),
            _ = tokio::time::sleep_until(hard_stop) => {
                tasks.shutdown().await;
                break;
            }
        }
    }
    stats.summary(started, stopped_by, events.dropped())
}

fn lost_task(done: Result<(), tokio::task::JoinError>, events: &Events) {
    if let Err(e) = done {
        // A panic in one connection must not take the tunnel down; it is a bug, so say so.
        events.send(Event::Warning {
            message: format!("internal error in a connection task (please report): {e}"),
        });
    }
}

/// An I/O error on an established connection, in a few words.
fn io_reason(e: &io::Error) -> String {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return match tls {
            rustls::Error::AlertReceived(a) => format!(
                "sent the TLS alert {}",
                crate::tls::explain::alert_name(&format!("{a:?}"))
            ),
            rustls::Error::DecryptError => "sent a record that did not decrypt".to_string(),
            _ => "broke the TLS protocol".to_string(),
        };
    }
    match e.kind() {
        io::ErrorKind::ConnectionReset => "reset the connection".to_string(),
        io::ErrorKind::BrokenPipe => "went away while data was being sent".to_string(),
        _ => format!("failed: {e}"),
    }
}

/// The record's ending for how forwarding ended.
fn forward_ending(rec: &mut ConnRecord, ended: forward::Ended, limits: &Limits) {
    use forward::{Ended, Side};
    match ended {
        Ended::Done => rec.ended(Outcome::Closed, ""),
        Ended::Idle => rec.ended(
            Outcome::IdleTimeout,
            format!(
                "nothing moved either way for {} (--idle-timeout)",
                human_duration(limits.idle_timeout.unwrap_or_default().as_millis() as u64)
            ),
        ),
        Ended::CutOff => rec.ended(
            Outcome::CutOff,
            format!(
                "still open when the {} grace period ended (--grace)",
                human_duration(limits.grace.as_millis() as u64)
            ),
        ),
        Ended::Failed(side, e) => {
            let who = match side {
                Side::Client => "the client",
                Side::Target => "the target",
            };
            rec.ended(Outcome::Error, format!("{who} {}", io_reason(&e)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_tunnel_open_beyond_loopback_is_announced_with_a_warning() {
        let target = crate::tls::target::Target::parse("db.example:5432").unwrap();
        let limits = Limits {
            connect_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: None,
            max_connections: 8,
            grace: Duration::from_secs(1),
        };
        for transport in [Transport::Tcp, Transport::Udp] {
            let quiet = client_ready(
                transport,
                Ok("127.0.0.1:7000".parse().unwrap()),
                &target,
                true,
                &limits,
            );
            assert!(quiet.warnings.is_empty(), "{:?}", quiet.warnings);
            assert_eq!(quiet.addr, "127.0.0.1:7000");
            assert_eq!(quiet.server_name.as_deref(), Some("db.example"));
            assert!(quiet.client_auth);
            let open = client_ready(
                transport,
                Ok("0.0.0.0:7000".parse().unwrap()),
                &target,
                false,
                &limits,
            );
            assert_eq!(open.warnings.len(), 1);
            assert!(
                open.warnings[0].contains("not on loopback"),
                "{:?}",
                open.warnings
            );
            assert!(
                open.warnings[0].contains("db.example:5432"),
                "{:?}",
                open.warnings
            );
            assert_eq!(open.transport, transport);
        }
    }

    /// `localhost` is dialled as 127.0.0.1 and, when nothing listens there,
    /// as ::1 (a service bound to the IPv6 loopback alone).
    #[tokio::test]
    async fn localhost_is_dialled_as_127_0_0_1_then_as_ipv6_loopback() {
        let peer_of = |p: io::Result<Plain>| match p.unwrap() {
            Plain::Tcp(s) => s.peer_addr().unwrap(),
            Plain::Unix(_) => panic!("a TCP target gave a Unix socket"),
        };
        let v4 = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = v4.local_addr().unwrap().port();
        let target = Target::parse(&format!("LocalHost.:{port}")).unwrap();
        let (dialled, accepted) = tokio::join!(target.connect(), v4.accept());
        let at = peer_of(dialled);
        assert_eq!(at, accepted.unwrap().0.local_addr().unwrap());
        assert_eq!(at.ip(), IpAddr::V4(Ipv4Addr::LOCALHOST));

        let Ok(v6) = TcpListener::bind("[::1]:0").await else {
            eprintln!("notice: no IPv6 loopback here; the fallback to ::1 is not checked");
            return;
        };
        let port = v6.local_addr().unwrap().port();
        // The same port on 127.0.0.1, bound and not listening: refused there,
        // and nothing else can listen on it meanwhile.
        let hold = tokio::net::TcpSocket::new_v4().unwrap();
        if hold
            .bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
            .is_err()
        {
            eprintln!(
                "notice: port {port} is taken on 127.0.0.1; the fallback to ::1 is not checked"
            );
            return;
        }
        let target = Target::parse(&format!("localhost:{port}")).unwrap();
        let (dialled, accepted) = tokio::join!(target.connect(), v6.accept());
        let at = peer_of(dialled);
        assert_eq!(at, accepted.unwrap().0.local_addr().unwrap());
        assert_eq!(at.ip(), IpAddr::V6(Ipv6Addr::LOCALHOST));
        drop(hold);
    }

    /// A `localhost` target with nothing listening on either loopback
    /// address says the service is down, whatever IPv6 says.
    #[tokio::test]
    async fn localhost_with_nothing_listening_is_refused_and_says_so() {
        // A port held on 127.0.0.1 and not listened on: refused there, and
        // nothing else can take it meanwhile.
        let hold = tokio::net::TcpSocket::new_v4().unwrap();
        hold.bind(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0))
            .unwrap();
        let port = hold.local_addr().unwrap().port();
        // The same on ::1, where the machine has it.
        let hold6 = tokio::net::TcpSocket::new_v6().ok().filter(|s| {
            s.bind(SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port))
                .is_ok()
        });
        let target = Target::parse(&format!("localhost:{port}")).unwrap();
        let e = match target.connect().await {
            Ok(_) => panic!("localhost:{port} answered with nothing listening"),
            Err(e) => e,
        };
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}");
        let said = target_error(&target, &e);
        assert!(said.contains("connection refused"), "{said}");
        drop((hold, hold6));
    }

    #[test]
    fn targets_parse() {
        assert_eq!(
            Target::parse("127.0.0.1:6379").unwrap(),
            Target::Tcp {
                host: "127.0.0.1".into(),
                port: 6379
            }
        );
        assert!(Target::parse("127.0.0.1:6379").unwrap().is_local());
        assert!(Target::parse("[::1]:80").unwrap().is_local());
        assert!(Target::parse("localhost:80").unwrap().is_local());
        assert!(Target::parse("LocalHost.:80").unwrap().is_local());
        assert!(!Target::parse("localhost.example:80").unwrap().is_local());
        assert!(Target::parse("unix:/run/x.sock").unwrap().is_local());
        assert!(!Target::parse("10.0.0.1:80").unwrap().is_local());
        assert!(!Target::parse("db.example:5432").unwrap().is_local());
        for bad in ["", "unix:", "host", "127.0.0.1:99999"] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(
                crate::tls::error::kind_of(&e),
                Some(Failure::Argument),
                "{bad}"
            );
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(850), "850 ms");
        assert_eq!(human_duration(2000), "2 s");
        assert_eq!(human_duration(2500), "2.5 s");
        assert_eq!(human_duration(120_000), "2 min");
    }
}
