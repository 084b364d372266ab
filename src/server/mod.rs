//! The engine behind `tlskit serve`: the accept loop, one task per
//! connection, the limits that keep one client from hurting the others
//! (connection cap, handshake deadline, idle timeout, fixed-size buffers),
//! and the graceful shutdown.
//!
//! It prints nothing: what happens goes out as [`log::Event`]s through
//! [`log::Events`]; the command in `cmd/serve.rs` builds the configuration,
//! owns the terminal and renders the events (`output::serve`).

pub mod limits;
pub mod log;
pub mod www;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::server::Acceptor;
use rustls::ServerConfig;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::server::TlsStream;
use tokio_rustls::LazyConfigAcceptor;

use crate::text::{sanitize, sanitize_bytes};
use crate::tls::handshake::HandshakeInfo;
use crate::tls::readahead::ReadAhead;
use log::{ConnRecord, End, Event, Events, Stats, Summary};

/// The TLS stream of one client (rustls reads through a [`ReadAhead`]: fewer system calls).
pub type Stream = TlsStream<ReadAhead<TcpStream>>;

/// What the server does with a connection once the handshake is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Write back every byte read.
    Echo,
    /// Answer HTTP/1.1 requests with a page describing the handshake.
    Www,
}

/// The limits and the mode of a running server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Echo or status page.
    pub mode: Mode,
    /// The whole handshake, from accept to Finished, must fit in this.
    pub handshake_timeout: Duration,
    /// Longest wait for the client to send or to take data (`None`: no limit).
    pub idle_timeout: Option<Duration>,
    /// Connections open at once; more are closed at once.
    pub max_connections: usize,
    /// Stop accepting after this many connections and exit when they are done.
    pub max_accept: Option<u64>,
    /// How long open connections may take to finish after SIGINT/SIGTERM.
    pub grace: Duration,
}

/// Where a running server is in its life; connections watch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Serving.
    Running,
    /// A signal arrived: idle connections close, busy ones finish.
    Draining,
    /// The grace period is over: everything closes now.
    Stopping,
}

/// What the command tells a running server (from the signals it handles).
pub enum Control {
    /// SIGINT/SIGTERM (by name): stop accepting, let open connections finish.
    Stop(&'static str),
    /// SIGHUP: the certificate and key files were read again. New connections
    /// get the new configuration; open ones keep theirs. An error keeps the
    /// old configuration, and says why.
    Reload(Result<Reloaded, String>),
}

/// A configuration read again on SIGHUP.
pub struct Reloaded {
    /// The new rustls configuration.
    pub config: Arc<ServerConfig>,
    /// The new leaf's subject (sanitized by the caller).
    pub subject: String,
    /// The new leaf's SHA-256 fingerprint.
    pub fingerprint: String,
}

/// How a SIGHUP ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReloadOutcome {
    /// New connections get the new certificate.
    Reloaded,
    /// The files could not be used: the old certificate is still served.
    KeptOld,
}

/// What every connection task shares.
pub struct Shared {
    /// The rustls server configuration (replaced on SIGHUP).
    config: std::sync::RwLock<Arc<ServerConfig>>,
    /// Mode and limits.
    pub settings: Settings,
    /// Counters for the summary.
    pub stats: Stats,
    /// Where events go.
    pub log: Events,
    phase: watch::Receiver<Phase>,
}

/// The outcome of waiting on a connection's I/O.
pub(crate) enum Wait<T> {
    /// The I/O finished.
    Done(T),
    /// The deadline passed first.
    TimedOut,
    /// The server reached the phase that ends this wait.
    Stopped,
}

/// Waits for `fut`, unless `deadline` passes or the server reaches `stop_at` first.
pub(crate) async fn wait<F: Future>(
    fut: F,
    deadline: Option<Instant>,
    phase: &mut watch::Receiver<Phase>,
    stop_at: Phase,
) -> Wait<F::Output> {
    let timer = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    let stopped = async {
        // The sender lives as long as the server; if it is gone, never fire.
        if phase.wait_for(|p| *p >= stop_at).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        biased;
        r = fut => Wait::Done(r),
        _ = stopped => Wait::Stopped,
        _ = timer => Wait::TimedOut,
    }
}

/// A deadline `d` from now, if there is a limit.
pub(crate) fn from_now(d: Option<Duration>) -> Option<Instant> {
    d.map(|d| Instant::now() + d)
}

/// Runs the server until `--max-accept` is reached or a signal arrives, then
/// lets open connections finish (up to the grace period) and returns the summary.
///
/// `signals` yields a [`Control::Stop`] for each SIGINT/SIGTERM received (a
/// second one during the grace period cuts it short) and a
/// [`Control::Reload`] for each SIGHUP.
pub async fn serve(
    listener: TcpListener,
    config: Arc<ServerConfig>,
    settings: Settings,
    log: Events,
    mut signals: mpsc::UnboundedReceiver<Control>,
) -> Summary {
    let started = Instant::now();
    let (phase_tx, phase_rx) = watch::channel(Phase::Running);
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let max_accept = settings.max_accept;
    let shared = Arc::new(Shared {
        config: std::sync::RwLock::new(config),
        settings,
        stats: Stats::default(),
        log,
        phase: phase_rx,
    });
    let mut tasks = JoinSet::new();
    let mut taken: u64 = 0;
    let mut stopped_by = None;
    let mut accept_errors = AcceptErrors::default();
    // Set once on the listener, TCP_NODELAY is inherited by every accepted
    // socket (Linux): one system call less per connection.
    let nodelay_inherited = nodelay_on_listener(&listener);

    // Accept until --max-accept or a signal.
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => match slots.clone().try_acquire_owned() {
                    Ok(slot) => {
                        taken += 1;
                        shared.stats.start();
                        let sh = shared.clone();
                        // Boxed: the connection's state (about 10 KiB, the
                        // handshake's included) is then made in place on the
                        // heap, and tokio moves a pointer instead of copying
                        // it each time the task changes stage (callgrind: 5 %
                        // of serve's instructions per full handshake).
                        tasks.spawn(Box::pin(async move {
                            connection(tcp, peer, &sh, nodelay_inherited).await;
                            drop(slot);
                        }));
                        if max_accept.is_some_and(|n| taken >= n) {
                            break;
                        }
                    }
                    Err(_) => refuse(tcp, peer, &shared),
                },
                Err(e) => accept_errors.pause_after(e, &shared.log).await,
            },
            Some(done) = tasks.join_next() => reap(done, &shared),
            Some(ctl) = signals.recv() => match ctl {
                Control::Stop(sig) => {
                    stopped_by = Some(sig);
                    break;
                }
                Control::Reload(r) => reload(r, &shared),
            }
        }
    }
    // Nothing more is accepted: new connections are refused by the kernel.
    drop(listener);

    let mut grace_ends = None;
    if let Some(sig) = stopped_by {
        grace_ends = Some(begin_drain(sig, &shared, &phase_tx));
    }
    // Let open connections finish: all of them after --max-accept, up to the grace period after a signal.
    while !tasks.is_empty() {
        let grace_timer = async {
            match grace_ends {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            Some(done) = tasks.join_next() => reap(done, &shared),
            Some(ctl) = signals.recv() => {
                let Control::Stop(sig) = ctl else {
                    // Nothing new is accepted any more: a reload would serve no one.
                    continue;
                };
                if grace_ends.is_none() {
                    stopped_by = Some(sig);
                    grace_ends = Some(begin_drain(sig, &shared, &phase_tx));
                } else {
                    // A second signal: no more waiting.
                    grace_ends = Some(Instant::now());
                }
            }
            _ = grace_timer => break,
        }
    }

    // Whatever is left closes now; each task still logs how it ended.
    let _ = phase_tx.send(Phase::Stopping);
    let hard_stop = Instant::now() + Duration::from_secs(2);
    let mut aborted = 0;
    while !tasks.is_empty() {
        tokio::select! {
            Some(done) = tasks.join_next() => reap(done, &shared),
            _ = tokio::time::sleep_until(hard_stop) => {
                aborted = tasks.len() as u64;
                tasks.shutdown().await;
                for _ in 0..aborted {
                    shared.stats.lost();
                }
                break;
            }
        }
    }
    let summary =
        shared
            .stats
            .summary(started.elapsed(), aborted, shared.log.dropped(), stopped_by);
    shared.log.close();
    summary
}

/// Tells connections to wrap up and logs the shutdown; returns the end of the grace period.
fn begin_drain(sig: &'static str, sh: &Shared, phase_tx: &watch::Sender<Phase>) -> Instant {
    // Counted and logged before the news goes out: idle connections close (and log) the
    // moment they hear it.
    let open = sh.stats.active();
    let grace = sh.settings.grace;
    sh.log.send(Event::Shutdown(log::Shutdown {
        event: "shutdown",
        signal: sig,
        open_connections: open,
        grace_ms: grace.as_millis() as u64,
    }));
    let _ = phase_tx.send(Phase::Draining);
    Instant::now() + grace
}

/// Applies (or logs the failure of) a SIGHUP reload.
fn reload(r: Result<Reloaded, String>, sh: &Shared) {
    let mut event = log::Reload {
        event: "reload",
        signal: "SIGHUP",
        outcome: ReloadOutcome::KeptOld,
        subject: None,
        sha256_fingerprint: None,
        reason: None,
    };
    match r {
        Ok(new) => {
            match sh.config.write() {
                Ok(mut config) => *config = new.config.clone(),
                Err(poisoned) => *poisoned.into_inner() = new.config.clone(),
            }
            event.outcome = ReloadOutcome::Reloaded;
            event.subject = Some(new.subject);
            event.sha256_fingerprint = Some(new.fingerprint);
        }
        Err(why) => event.reason = Some(why),
    }
    sh.log.send(Event::Reload(event));
}

fn reap(done: Result<(), tokio::task::JoinError>, sh: &Shared) {
    if let Err(e) = done {
        // A panic in one connection must not take the server down; it is a bug, so say so.
        sh.stats.lost();
        sh.log.send(Event::Warning(format!(
            "internal error in a connection task (please report): {e}"
        )));
    }
}

/// Closes a connection over `--max-connections` at once.
fn refuse(tcp: TcpStream, peer: SocketAddr, sh: &Shared) {
    drop(tcp);
    sh.stats.refuse();
    let mut rec = ConnRecord::new(peer);
    rec.ended(
        End::Refused,
        format!(
            "{} connections open (--max-connections)",
            sh.settings.max_connections
        ),
    );
    sh.log.connection(rec);
}

/// Keeps a failing `accept` (out of file descriptors, mostly) from spinning the CPU.
#[derive(Default)]
struct AcceptErrors {
    last_report: Option<Instant>,
}

impl AcceptErrors {
    async fn pause_after(&mut self, e: io::Error, log: &Events) {
        // A client that resets before we accept it is routine; do not pause for that.
        if matches!(
            e.kind(),
            io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
        ) {
            return;
        }
        let now = Instant::now();
        if self
            .last_report
            .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(5))
        {
            self.last_report = Some(now);
            log.send(Event::Warning(format!(
                "accepting a connection failed: {e} (pausing briefly)"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sets TCP_NODELAY on the listening socket, for the sockets it accepts to
/// inherit; false where that is not how it works (they then get it one by one).
fn nodelay_on_listener(listener: &TcpListener) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        // SAFETY: a valid socket descriptor, and a pointer to a c_int with its size.
        let r = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        r == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = listener;
        false
    }
}

/// Serves one connection from accept to close, then logs it.
async fn connection(tcp: TcpStream, peer: SocketAddr, sh: &Shared, nodelay_inherited: bool) {
    let started = Instant::now();
    let mut rec = ConnRecord::new(peer);
    let mut phase = sh.phase.clone();
    // Echoed chunks and HTTP responses go out as soon as they are written.
    if !nodelay_inherited {
        let _ = tcp.set_nodelay(true);
    }
    let mut tcp = tcp;
    if sh.settings.mode == Mode::Www {
        let deadline = started + sh.settings.handshake_timeout;
        if www::answer_plain_http(&mut tcp, deadline, &mut phase).await {
            rec.ended(
                End::HandshakeError,
                "the client sent plain HTTP to this TLS port: answered 400 (use https://)",
            );
            rec.failure = Some("not_tls".into());
            rec.duration_ms = started.elapsed().as_millis() as u64;
            sh.stats.finish(&rec);
            sh.log.connection(rec);
            return;
        }
    }
    // Boxed: the handshake's state (about 7 KiB: rustls' acceptor and the
    // connection as it is built) lives on the heap only until the handshake
    // ends, instead of in the task for as long as the connection stays open.
    let handshaken = Box::pin(handshake(tcp, started, sh, &mut phase, &mut rec)).await;
    if let Some(mut stream) = handshaken {
        let (_, conn) = stream.get_ref();
        let info = HandshakeInfo::from_state(conn);
        rec.resumed = Some(info.handshake_kind == crate::tls::handshake::Kind::Resumed);
        rec.handshake = Some(info);
        rec.client_subject = client_subject(conn);
        if rec.sni.is_none() {
            rec.sni = conn.server_name().map(|s| sanitize(s).into_owned());
        }
        let end = match sh.settings.mode {
            Mode::Echo => echo(&mut stream, sh, &mut phase, &mut rec).await,
            Mode::Www => www::serve(&mut stream, sh, &mut phase, &mut rec).await,
        };
        if end.close_notify {
            // Best effort: send close_notify, but never wait long for a client that does not read.
            let done = end.end == End::Closed;
            let _ =
                tokio::time::timeout(Duration::from_secs(1), close_notify(&mut stream, done)).await;
        }
        rec.ended(end.end, end.reason);
        if end.failure.is_some() {
            rec.failure = end.failure;
        }
    }
    // Still busy when the grace period ended (or a second signal cut it short): cut off.
    if rec.end == End::Shutdown && *phase.borrow() >= Phase::Stopping {
        rec.reason = Some(format!(
            "cut off: still busy when the {} grace period ended (--grace)",
            log::human_duration(sh.settings.grace.as_millis() as u64)
        ));
        sh.stats.cut_off();
    }
    rec.duration_ms = started.elapsed().as_millis() as u64;
    sh.stats.finish(&rec);
    sh.log.connection(rec);
}

/// Sends close_notify (with whatever rustls still holds) and the TCP FIN.
///
/// tokio-rustls' `shutdown` writes the alert and then shuts the socket down:
/// two segments, each crossing the network stack. Here the alert is queued
/// with `MSG_MORE`, so the FIN rides in the same segment. When the client has
/// finished sending (`client_done`: it sent close_notify), nothing can be left
/// unread, so the `shutdown(SHUT_WR)` is left to the close that follows (the
/// caller drops the stream), which sends the queued alert and the FIN the
/// same way: a system call fewer per connection. Otherwise the FIN goes out
/// now, so that the alert is sent whatever the close later finds unread.
async fn close_notify(stream: &mut Stream, client_done: bool) -> io::Result<()> {
    let (io, conn) = stream.get_mut();
    conn.send_close_notify();
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out)?;
    }
    let sent = send_more(io.get_ref(), &out);
    // Whatever the socket did not take at once goes the ordinary way.
    io.write_all(&out[sent..]).await?;
    if client_done {
        io.flush().await
    } else {
        io.shutdown().await
    }
}

/// Sends what the socket takes of `data` at once, without pushing it out
/// (`MSG_MORE`: the next write or the FIN joins it); returns how much it took.
#[cfg(target_os = "linux")]
fn send_more(tcp: &TcpStream, data: &[u8]) -> usize {
    use std::os::fd::AsRawFd;
    let fd = tcp.as_raw_fd();
    tcp.try_io(tokio::io::Interest::WRITABLE, || {
        // SAFETY: a valid socket descriptor and an initialised buffer of that length.
        let n = unsafe {
            libc::send(
                fd,
                data.as_ptr().cast(),
                data.len(),
                libc::MSG_MORE | libc::MSG_NOSIGNAL,
            )
        };
        usize::try_from(n).map_err(|_| io::Error::last_os_error())
    })
    .unwrap_or(0)
}

#[cfg(not(target_os = "linux"))]
fn send_more(_: &TcpStream, _: &[u8]) -> usize {
    0
}

/// How a data phase ended.
pub(crate) struct Ending {
    pub end: End,
    pub reason: String,
    /// A short, stable key when the connection failed (as for handshakes).
    pub failure: Option<String>,
    /// Whether to send close_notify (not after a transport error).
    pub close_notify: bool,
}

impl Ending {
    pub(crate) fn new(end: End, reason: impl Into<String>) -> Ending {
        Ending {
            end,
            reason: reason.into(),
            failure: None,
            close_notify: !matches!(end, End::Error),
        }
    }

    /// The end of a connection whose read or write failed.
    pub(crate) fn from_io(e: &io::Error) -> Ending {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            return Ending {
                end: End::Closed,
                reason: "the client closed TCP without close_notify".into(),
                failure: None,
                close_notify: false,
            };
        }
        let (failure, reason) = match tls_error(e) {
            Some(_) => {
                let (key, reason) = describe_handshake_error(e);
                (key, reason)
            }
            None => match e.kind() {
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => (
                    "reset".to_string(),
                    "the client reset the connection".to_string(),
                ),
                io::ErrorKind::BrokenPipe => (
                    "reset".to_string(),
                    "the client went away while data was being sent to it".to_string(),
                ),
                _ => ("io_error".to_string(), format!("I/O error: {e}")),
            },
        };
        Ending {
            end: End::Error,
            reason,
            failure: Some(failure),
            close_notify: false,
        }
    }

    pub(crate) fn idle(sh: &Shared, waiting_for: &str) -> Ending {
        let secs = sh.settings.idle_timeout.unwrap_or_default();
        let mut ending = Ending::new(
            End::Timeout,
            format!(
                "idle timeout: {waiting_for} for {}",
                log::human_duration(secs.as_millis() as u64)
            ),
        );
        ending.failure = Some("idle_timeout".into());
        ending
    }

    pub(crate) fn shutdown() -> Ending {
        Ending::new(End::Shutdown, "the server is shutting down")
    }
}

/// How many offered ALPN protocols are kept for the log and the page.
const MAX_OFFERED_ALPN: usize = 16;
/// How many bytes of each offered protocol name are kept.
const MAX_ALPN_SHOWN: usize = 64;

/// Runs the whole handshake under one deadline; on failure, fills in `rec` and returns `None`.
async fn handshake(
    tcp: TcpStream,
    started: Instant,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Option<Stream> {
    let limit = sh.settings.handshake_timeout;
    let deadline = started + limit;
    let mut acceptor =
        LazyConfigAcceptor::new(Acceptor::default(), ReadAhead::with_size(tcp, ECHO_CHUNK));
    let start = match wait(&mut acceptor, Some(deadline), phase, Phase::Stopping).await {
        Wait::Done(Ok(start)) => start,
        Wait::Done(Err(e)) => {
            if let (Some(alert), Some(mut io)) = (missing_alert(&e), acceptor.take_io()) {
                let send = async {
                    io.write_all(&alert_record(alert)).await?;
                    io.flush().await
                };
                let _ = tokio::time::timeout_at(deadline, send).await;
            }
            fail_handshake(rec, &e);
            return None;
        }
        Wait::TimedOut => {
            handshake_timeout(rec, limit, "no complete ClientHello");
            return None;
        }
        Wait::Stopped => {
            rec.ended(End::Shutdown, "the server shut down during the handshake");
            rec.failure = Some("shutdown".into());
            return None;
        }
    };
    let hello = start.client_hello();
    rec.sni = hello.server_name().map(|s| sanitize(s).into_owned());
    // Kept for the connection's life, so bounded: a ClientHello may list hundreds.
    rec.offered_alpn = hello
        .alpn()
        .map(|list| {
            list.take(MAX_OFFERED_ALPN)
                .map(|p| sanitize_bytes(&p[..p.len().min(MAX_ALPN_SHOWN)]))
                .collect()
        })
        .unwrap_or_default();
    let config = match sh.config.read() {
        Ok(c) => c.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    let accept = start.into_stream(config);
    match wait(accept, Some(deadline), phase, Phase::Stopping).await {
        Wait::Done(Ok(stream)) => Some(stream),
        Wait::Done(Err(e)) => {
            fail_handshake(rec, &e);
            None
        }
        Wait::TimedOut => {
            handshake_timeout(rec, limit, "the handshake was not complete");
            None
        }
        Wait::Stopped => {
            rec.ended(End::Shutdown, "the server shut down during the handshake");
            rec.failure = Some("shutdown".into());
            None
        }
    }
}

/// The alert the protocol requires for an error that rustls' early path
/// (`Acceptor`, reading the ClientHello before a config is chosen) leaves
/// unsent: a first message that is not a ClientHello gets `unexpected_message`
/// (RFC 8446 §6), as a plain rustls server sends it. Errors rustls queues an
/// alert for (a garbled ClientHello: `decode_error`) are answered by tokio-rustls.
fn missing_alert(e: &io::Error) -> Option<rustls::AlertDescription> {
    match tls_error(e)? {
        rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => {
            Some(rustls::AlertDescription::UnexpectedMessage)
        }
        _ => None,
    }
}

/// A fatal alert as a plaintext TLS record (nothing is encrypted yet).
fn alert_record(alert: rustls::AlertDescription) -> [u8; 7] {
    [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, u8::from(alert)]
}

fn handshake_timeout(rec: &mut ConnRecord, limit: Duration, what: &str) {
    rec.ended(
        End::Timeout,
        format!(
            "handshake timeout: {what} after {} (--handshake-timeout)",
            log::human_duration(limit.as_millis() as u64)
        ),
    );
    rec.failure = Some("timeout".into());
}

fn fail_handshake(rec: &mut ConnRecord, e: &io::Error) {
    let (key, reason) = describe_handshake_error(e);
    rec.ended(End::HandshakeError, reason);
    rec.failure = Some(key);
}

/// The rustls error inside an I/O error from tokio-rustls, if there is one.
pub fn tls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

/// `BadCertificate` → `bad_certificate` (the name RFC 8446 gives the alert).
pub fn alert_name(alert: rustls::AlertDescription) -> String {
    crate::tls::explain::alert_name(&format!("{alert:?}"))
}

/// A stable key and a sentence for a failed handshake, from the server's point of view.
pub fn describe_handshake_error(e: &io::Error) -> (String, String) {
    use rustls::{CertificateError as C, Error as E};
    let Some(tls) = tls_error(e) else {
        return match e.kind() {
            io::ErrorKind::UnexpectedEof => (
                "client_closed".into(),
                "the client closed the connection during the handshake".into(),
            ),
            io::ErrorKind::ConnectionReset => (
                "reset".into(),
                "the client reset the connection during the handshake".into(),
            ),
            _ => ("io_error".into(), format!("I/O error: {e}")),
        };
    };
    let (key, text): (&str, String) = match tls {
        E::NoCertificatesPresented => (
            "no_client_certificate",
            "the client sent no certificate, and --client-ca requires one".into(),
        ),
        E::InvalidCertificate(ce) => {
            let why = match ce {
                C::UnknownIssuer => {
                    return (
                        "unknown_issuer".into(),
                        "client certificate rejected: not issued by a CA in --client-ca (unknown issuer)".into(),
                    )
                }
                C::Expired | C::ExpiredContext { .. } => "it has expired".to_string(),
                C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".into(),
                C::BadSignature => "its signature does not verify".into(),
                C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                    "it is not for client authentication (extended key usage)".into()
                }
                C::Revoked => "it is revoked".into(),
                C::BadEncoding => "it does not parse".into(),
                other => crate::tls::explain::debug_words(other),
            };
            (
                "bad_client_certificate",
                format!("client certificate rejected: {why}"),
            )
        }
        E::AlertReceived(alert) => {
            let name = alert_name(*alert);
            let hint = match alert {
                rustls::AlertDescription::BadCertificate
                | rustls::AlertDescription::UnknownCA
                | rustls::AlertDescription::CertificateUnknown => {
                    " (it does not trust the server's certificate)"
                }
                rustls::AlertDescription::ProtocolVersion => " (no protocol version in common)",
                rustls::AlertDescription::HandshakeFailure => " (nothing in common, or it gave up)",
                _ => "",
            };
            return (
                format!("alert:{name}"),
                format!("the client sent alert {name}{hint}"),
            );
        }
        E::NoApplicationProtocol => (
            "no_alpn_overlap",
            "the client offered ALPN protocols, none of them in --alpn".into(),
        ),
        E::PeerIncompatible(p) => {
            use rustls::PeerIncompatible as P;
            let (key, text): (&str, &str) = match p {
                P::SignatureAlgorithmsExtensionRequired => (
                    "no_version_overlap",
                    "no protocol version in common: the client sent no signature_algorithms, so it offers TLS 1.1 or older (serve speaks TLS 1.2 and 1.3)",
                ),
                P::SupportedVersionsExtensionRequired => (
                    "no_version_overlap",
                    "no protocol version in common: the client offers TLS 1.2 or older, the server TLS 1.3 only (--tls13)",
                ),
                P::Tls12NotOffered | P::Tls12NotOfferedOrEnabled => (
                    "no_version_overlap",
                    "no protocol version in common: one side accepts TLS 1.2 only, the other TLS 1.3 only (--tls12 and --tls13 restrict the server)",
                ),
                P::NoCipherSuitesInCommon => (
                    "no_suite_overlap",
                    "no cipher suite in common with the client (the server's are set by --suites)",
                ),
                P::NoKxGroupsInCommon | P::NamedGroupsExtensionRequired => (
                    "no_group_overlap",
                    "no key-exchange group in common with the client (the server's are set by --groups)",
                ),
                P::NoSignatureSchemesInCommon => (
                    "no_signature_overlap",
                    "no signature scheme in common: the client accepts none that the certificate's key can make",
                ),
                _ => {
                    return (
                        "incompatible".into(),
                        format!(
                            "nothing in common with the client: {}",
                            crate::tls::explain::debug_words(p)
                        ),
                    )
                }
            };
            (key, text.to_string())
        }
        E::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => (
            "not_tls",
            "the client does not speak TLS (plain HTTP or another protocol on this port?)".into(),
        ),
        E::InvalidMessage(rustls::InvalidMessage::HandshakePayloadTooLarge) => (
            "malformed",
            "the client sent a handshake message over the 64 KiB limit".into(),
        ),
        E::InvalidMessage(m) => (
            "malformed",
            format!(
                "the client sent a malformed TLS message ({})",
                crate::tls::explain::debug_words(m)
            ),
        ),
        E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => (
            "protocol_violation",
            format!(
                "the client broke the protocol: it sent {}",
                crate::tls::explain::error_words(tls)
            ),
        ),
        E::PeerMisbehaved(p) => (
            "protocol_violation",
            format!(
                "the client broke the protocol: {}",
                crate::tls::explain::debug_words(p)
            ),
        ),
        E::DecryptError => (
            "decrypt_error",
            "a record from the client did not decrypt".into(),
        ),
        E::PeerSentOversizedRecord => (
            "protocol_violation",
            "the client sent an oversized record".into(),
        ),
        other => (
            "tls_error",
            format!("TLS error: {}", crate::tls::explain::error_words(other)),
        ),
    };
    (key.to_string(), text)
}

/// The verified client certificate's subject, sanitized.
fn client_subject(conn: &rustls::ServerConnection) -> Option<String> {
    let der = conn.peer_certificates()?.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(sanitize(&cert.subject().to_string()).into_owned())
}

/// The most echoed at once: up to sixteen TLS records' worth of plaintext,
/// gathered from what has already arrived and written back with one system
/// call. A connection gets this much room only once it sends in bulk.
const ECHO_CHUNK: usize = 256 * 1024;

/// The echo buffer of a connection that sends little: one record's plaintext.
const ECHO_FIRST: usize = 16 * 1024;

/// How long a connection may be quiet, once a signal has started the drain,
/// before it counts as idle and closes (one still sending gets the whole
/// grace period).
const DRAIN_QUIET: Duration = Duration::from_millis(250);

/// Writes back every byte read (memory: one chunk per connection, once it sends).
async fn echo(
    stream: &mut Stream,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Ending {
    let idle = sh.settings.idle_timeout;
    // Allocated on first data: a connection that never sends costs no buffer.
    let mut chunk: Vec<u8> = Vec::new();
    // rustls may hold a whole chunk's records (its default is 64 KiB), so
    // that they leave in one `writev`.
    stream.get_mut().1.set_buffer_limit(Some(ECHO_CHUNK));
    loop {
        // Once the server drains, a connection that keeps sending is a transfer
        // in progress: it gets the whole grace period. One quiet for
        // DRAIN_QUIET is idle and closes cleanly. (`fill_buf` is cancel-safe.)
        let draining = *phase.borrow() >= Phase::Draining;
        let (deadline, stop_at) = if draining {
            let quiet = Instant::now() + DRAIN_QUIET;
            let d = from_now(idle).map_or(quiet, |d| d.min(quiet));
            (Some(d), Phase::Stopping)
        } else {
            (from_now(idle), Phase::Draining)
        };
        match wait(stream.fill_buf(), deadline, phase, stop_at).await {
            Wait::Done(Ok([])) => return Ending::new(End::Closed, "the client sent close_notify"),
            Wait::Done(Ok(_)) => {}
            Wait::Done(Err(e)) => return Ending::from_io(&e),
            Wait::TimedOut if draining => return Ending::shutdown(),
            Wait::TimedOut => return Ending::idle(sh, "nothing received"),
            // The drain began while waiting: wait again, as a draining connection.
            Wait::Stopped if !draining => continue,
            Wait::Stopped => return Ending::shutdown(),
        }
        chunk.clear();
        if let Err(e) = take_arrived(stream, &mut chunk) {
            return Ending::from_io(&e);
        }
        let n = chunk.len();
        rec.bytes_in += n as u64;
        let write = async {
            stream.write_all(&chunk).await?;
            stream.flush().await
        };
        match wait(write, from_now(idle), phase, Phase::Stopping).await {
            Wait::Done(Ok(())) => {
                rec.bytes_out += n as u64;
                if n <= ECHO_FIRST && chunk.capacity() > ECHO_FIRST {
                    // The bulk is over: give the large buffer back.
                    chunk = Vec::new();
                }
            }
            Wait::Done(Err(e)) => return Ending::from_io(&e),
            Wait::TimedOut => return Ending::idle(sh, "the client took no data"),
            Wait::Stopped => return Ending::shutdown(),
        }
    }
}

/// Moves the plaintext that has already arrived (at least what the last
/// `fill_buf` returned) into `chunk`, up to [`ECHO_CHUNK`], without waiting.
fn take_arrived(stream: &mut Stream, chunk: &mut Vec<u8>) -> io::Result<()> {
    use tokio::io::AsyncBufRead;
    // Polled with a waker that does nothing: whatever is not ready now is
    // waited for, with the real waker, at the next `fill_buf`.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    while chunk.len() < ECHO_CHUNK {
        match std::pin::Pin::new(&mut *stream).poll_fill_buf(&mut cx) {
            std::task::Poll::Ready(Ok(data)) if !data.is_empty() => {
                if chunk.len() == chunk.capacity() {
                    // Room for one record at first; a sender that fills it
                    // is sending in bulk and gets room for many.
                    let room = if chunk.capacity() == 0 {
                        ECHO_FIRST
                    } else {
                        ECHO_CHUNK - chunk.len()
                    };
                    chunk.reserve_exact(room);
                }
                let n = data.len().min(chunk.capacity() - chunk.len());
                chunk.extend_from_slice(&data[..n]);
                std::pin::Pin::new(&mut *stream).consume(n);
            }
            std::task::Poll::Ready(Err(e)) if chunk.is_empty() => return Err(e),
            // The end, an error after some data, or nothing more yet: echo what there is.
            _ => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(e: rustls::Error) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }

    #[test]
    fn alert_names_follow_the_rfc() {
        assert_eq!(
            alert_name(rustls::AlertDescription::BadCertificate),
            "bad_certificate"
        );
        assert_eq!(
            alert_name(rustls::AlertDescription::UnknownCA),
            "unknown_ca"
        );
        assert_eq!(
            alert_name(rustls::AlertDescription::UnknownPSKIdentity),
            "unknown_psk_identity"
        );
    }

    #[test]
    fn handshake_errors_have_keys_and_reasons() {
        let (k, r) = describe_handshake_error(&tls(rustls::Error::NoCertificatesPresented));
        assert_eq!(k, "no_client_certificate");
        assert!(r.contains("no certificate"), "{r}");
        let (k, r) = describe_handshake_error(&tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        )));
        assert_eq!(k, "unknown_issuer");
        assert!(r.contains("--client-ca"), "{r}");
        let (k, _) = describe_handshake_error(&tls(rustls::Error::AlertReceived(
            rustls::AlertDescription::DecodeError,
        )));
        assert_eq!(k, "alert:decode_error");
        let (k, _) = describe_handshake_error(&io::Error::from(io::ErrorKind::UnexpectedEof));
        assert_eq!(k, "client_closed");
    }

    #[test]
    fn nothing_in_common_is_said_in_words() {
        use rustls::PeerIncompatible as P;
        for (p, key, words) in [
            (
                P::SignatureAlgorithmsExtensionRequired,
                "no_version_overlap",
                "TLS 1.1 or older",
            ),
            (
                P::SupportedVersionsExtensionRequired,
                "no_version_overlap",
                "--tls13",
            ),
            (
                P::Tls12NotOfferedOrEnabled,
                "no_version_overlap",
                "TLS 1.2 only",
            ),
            (P::NoCipherSuitesInCommon, "no_suite_overlap", "--suites"),
            (P::NoKxGroupsInCommon, "no_group_overlap", "--groups"),
            (
                P::NoSignatureSchemesInCommon,
                "no_signature_overlap",
                "signature scheme",
            ),
        ] {
            let (k, r) = describe_handshake_error(&tls(rustls::Error::PeerIncompatible(p)));
            assert_eq!(k, key, "{r}");
            assert!(r.contains(words), "{r}");
            assert!(!r.contains("Required") && !r.contains("InCommon"), "{r}");
        }
    }
}
