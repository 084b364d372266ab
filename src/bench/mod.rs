//! The load generator behind `tlskit bench`: N workers on a multi-thread
//! tokio runtime share one rustls `ClientConfig` and open connection after
//! connection, each taking a ticket from a global counter, until the count
//! or the deadline is reached. Every connection is bounded by a timeout, its
//! latency goes into a histogram, and each failure is counted by kind.
//! No printing here: the command renders the [`Outcome`].

pub mod cpu;
pub mod echo;
pub mod floor;
pub mod histogram;
pub mod tcpfloor;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::{ClientSessionStore, Resumption, Tls12Resumption};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, HandshakeKind, NamedGroup};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::tls::error::Failure as Kind;
use crate::tls::explain;
use crate::tls::handshake::HandshakeInfo;
use crate::tls::readahead::{ReadAhead, READ_AHEAD};
use crate::tls::verify::{self, Observations};
use echo::EchoError;
use histogram::Histogram;

/// How long a finished connection waits for the server to close after our
/// close_notify (this is also when TLS 1.3 session tickets arrive).
pub const LINGER: Duration = Duration::from_secs(1);

/// How long echoes started before the deadline may go on, from the start.
pub const MAX_RUN: Duration = Duration::from_secs(3600);

/// Client session storage that keeps no session at all, only the key-exchange
/// group each server chose, as browsers do: every handshake is full, but a
/// server that wants, say, P-256 is not sent a ClientHello it must answer with
/// a HelloRetryRequest every time.
#[derive(Debug, Default)]
pub struct GroupMemory {
    groups: Mutex<HashMap<ServerName<'static>, NamedGroup>>,
}

impl GroupMemory {
    /// Resumption settings for full handshakes only.
    pub fn resumption() -> Resumption {
        Resumption::store(Arc::new(GroupMemory::default()))
            .tls12_resumption(Tls12Resumption::Disabled)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ServerName<'static>, NamedGroup>> {
        self.groups.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ClientSessionStore for GroupMemory {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        let mut g = self.lock();
        // Bounded: one entry per server name, and bench dials one name.
        if g.len() < 64 || g.contains_key(&server_name) {
            g.insert(server_name, group);
        }
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.lock().get(server_name).copied()
    }

    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        None
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }

    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        None
    }
}

/// Client session storage for `--resume`: like rustls' in-memory cache, but
/// with room for a TLS 1.3 ticket per connection open at once. rustls keeps 8
/// per server (single-use tickets, newest first): with more connections than
/// that at once, some found none and went full though the server resumes.
#[derive(Debug)]
pub struct SessionPool {
    tickets_per_server: usize,
    servers: Mutex<HashMap<ServerName<'static>, Sessions>>,
}

#[derive(Debug, Default)]
struct Sessions {
    kx: Option<NamedGroup>,
    tls12: Option<rustls::client::Tls12ClientSessionValue>,
    /// Oldest first.
    tls13: std::collections::VecDeque<rustls::client::Tls13ClientSessionValue>,
}

impl SessionPool {
    /// Resumption settings with up to `concurrency` + 8 TLS 1.3 tickets per server.
    pub fn resumption(concurrency: usize) -> Resumption {
        Resumption::store(Arc::new(SessionPool {
            tickets_per_server: concurrency.saturating_add(8),
            servers: Mutex::new(HashMap::new()),
        }))
    }

    /// Runs `f` on the server's entry (made if there is room: bench dials one name).
    fn edit(&self, name: ServerName<'static>, f: impl FnOnce(&mut Sessions)) {
        let mut servers = self.servers.lock().unwrap_or_else(|p| p.into_inner());
        if servers.len() < 64 || servers.contains_key(&name) {
            f(servers.entry(name).or_default());
        }
    }

    fn read<T>(
        &self,
        name: &ServerName<'static>,
        f: impl FnOnce(&mut Sessions) -> Option<T>,
    ) -> Option<T> {
        let mut servers = self.servers.lock().unwrap_or_else(|p| p.into_inner());
        servers.get_mut(name).and_then(f)
    }
}

impl ClientSessionStore for SessionPool {
    fn set_kx_hint(&self, name: ServerName<'static>, group: NamedGroup) {
        self.edit(name, |s| s.kx = Some(group));
    }

    fn kx_hint(&self, name: &ServerName<'_>) -> Option<NamedGroup> {
        self.read(&name.to_owned(), |s| s.kx)
    }

    fn set_tls12_session(
        &self,
        name: ServerName<'static>,
        value: rustls::client::Tls12ClientSessionValue,
    ) {
        self.edit(name, |s| s.tls12 = Some(value));
    }

    fn tls12_session(
        &self,
        name: &ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.read(&name.to_owned(), |s| s.tls12.clone())
    }

    fn remove_tls12_session(&self, name: &ServerName<'static>) {
        self.read(name, |s| s.tls12.take());
    }

    fn insert_tls13_ticket(
        &self,
        name: ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        let cap = self.tickets_per_server;
        self.edit(name, |s| {
            if s.tls13.len() >= cap {
                s.tls13.pop_front();
            }
            s.tls13.push_back(value);
        });
    }

    fn take_tls13_ticket(
        &self,
        name: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.read(name, |s| s.tls13.pop_back())
    }
}

/// A seed that differs from run to run (the echo's data, the connections' nonces).
pub fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0x5EED)
        ^ u64::from(std::process::id()).rotate_left(32)
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The addresses to try, in order (the first connection picks the one that answers).
    pub addrs: Vec<SocketAddr>,
    /// The name sent as SNI and verified.
    pub server_name: ServerName<'static>,
    /// One config for every connection (resumption on or off already set).
    pub config: Arc<ClientConfig>,
    /// The record `config`'s verifier writes to (read only to explain a failure).
    pub observations: Observations,
    /// Connections open at once.
    pub concurrency: usize,
    /// No connection starts after this much time.
    pub duration: Duration,
    /// No connection starts after this many have started.
    pub connections: Option<u64>,
    /// Bound on TCP connect + handshake, and on any stall of an echo.
    pub timeout: Duration,
    /// Echo this many bytes per connection: the body, prepared before the run
    /// ([`echo::Body::prepare`]).
    pub bytes: Option<Arc<echo::Body>>,
    /// At most this many echo bytes in flight (`u64::MAX`: no limit).
    pub window: u64,
    /// Resumption is on: the first connection finishes (and brings its
    /// session ticket) before any other starts.
    pub resume: bool,
    /// Speak this protocol's plaintext upgrade on every connection before TLS,
    /// with the server's name where the protocol names it.
    pub starttls: Option<(crate::tls::starttls::StartTls, String)>,
}

/// The kinds of failure counted separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The TCP connection was refused: nothing listens.
    Refused,
    /// A step took longer than the timeout.
    Timeout,
    /// Another network error (unreachable, reset during connect).
    Network,
    /// The server closed or reset the connection.
    Closed,
    /// The TLS handshake failed (an alert, a protocol error).
    Handshake,
    /// The server's certificate did not verify.
    Verification,
    /// No certificate matched the pins.
    Pin,
    /// The echoed data differs from what was sent (or is short or too long).
    DataMismatch,
    /// A local resource ran out (file descriptors, ports).
    Local,
}

impl FailureKind {
    /// The kind as the JSON report spells it (`data_mismatch`).
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Refused => "refused",
            FailureKind::Timeout => "timeout",
            FailureKind::Network => "network",
            FailureKind::Closed => "closed",
            FailureKind::Handshake => "handshake",
            FailureKind::Verification => "verification",
            FailureKind::Pin => "pin",
            FailureKind::DataMismatch => "data_mismatch",
            FailureKind::Local => "local",
        }
    }
}

enum Detail {
    Text(String),
    Tls(rustls::Error),
}

/// One failed connection, before it is counted.
struct Failure {
    kind: FailureKind,
    reason: String,
    code: Kind,
    detail: Detail,
    /// Failed before any TCP connection existed (another address may answer).
    at_connect: bool,
}

impl Failure {
    fn new(kind: FailureKind, reason: impl Into<String>, code: Kind, text: String) -> Failure {
        Failure {
            kind,
            reason: reason.into(),
            code,
            detail: Detail::Text(text),
            at_connect: false,
        }
    }
}

/// After this many connections in a row fail the same way (and none
/// succeeds between them), the run stops: the server is down or refuses
/// every client alike, and hammering it on proves nothing.
pub const GIVE_UP_AFTER: u64 = 100;

/// Why a run stopped before its limits.
#[derive(Debug, Clone, Serialize)]
pub struct GaveUp {
    /// How many connections in a row failed the same way.
    pub after: u64,
    /// Their kind.
    pub kind: FailureKind,
    /// Their reason, as in `failures`.
    pub reason: String,
    /// What kind of failure this is, for the caller's exit code.
    #[serde(skip)]
    pub failure: Kind,
}

/// Failures of one kind and reason.
#[derive(Debug, Clone, Serialize)]
pub struct FailureCount {
    /// The kind.
    pub kind: FailureKind,
    /// A short, stable reason (`connection refused`, `alert handshake_failure`, `unknown_issuer`).
    pub reason: String,
    /// What kind of failure this is, for the caller's exit code.
    #[serde(skip)]
    pub failure: Kind,
    /// How many connections failed this way.
    pub count: u64,
    /// The full sentence for the first one.
    pub example: String,
    #[serde(skip)]
    first_seq: u64,
}

/// One successful connection.
struct Success {
    handshake_us: u64,
    total_us: u64,
    kind: Option<HandshakeKind>,
    bytes: u64,
}

/// Counts shown while the run goes on.
#[derive(Debug, Default)]
pub struct Live {
    /// Connections that succeeded.
    pub ok: AtomicU64,
    /// Connections that failed.
    pub failed: AtomicU64,
    /// Bytes echoed so far (including connections still running).
    pub bytes: AtomicU64,
}

/// Handshakes by kind.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Kinds {
    /// Full handshakes.
    pub full: u64,
    /// Full handshakes after a HelloRetryRequest (the server wanted another key share).
    pub full_with_hello_retry_request: u64,
    /// Resumed sessions.
    pub resumed: u64,
}

/// Everything a run measured.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The address used.
    pub address: SocketAddr,
    /// From the first connection's start to the end of the last.
    pub elapsed: Duration,
    /// Connections that completed (handshake, echo if asked, close).
    pub succeeded: u64,
    /// Connections that failed.
    pub failed: u64,
    /// Connections cut off by Ctrl-C or the hard time limit (not counted either way).
    pub unfinished: u64,
    /// Successful handshakes by kind.
    pub kinds: Kinds,
    /// TCP connect + TLS handshake, microseconds.
    pub handshake: Histogram,
    /// The whole connection (through the echo and the close), microseconds.
    pub connection: Histogram,
    /// Bytes echoed and verified, in successful connections.
    pub bytes: u64,
    /// What the first successful handshake negotiated.
    pub negotiated: Option<HandshakeInfo>,
    /// Failures, most frequent first.
    pub failures: Vec<FailureCount>,
    /// The kind and sentence of the first failure.
    pub first_failure: Option<(Kind, String)>,
    /// Stopped early by Ctrl-C or SIGTERM.
    pub interrupted: bool,
    /// Stopped early because every recent connection failed the same way.
    pub gave_up: Option<GaveUp>,
}

#[derive(Default)]
struct Stats {
    succeeded: u64,
    failed: u64,
    unfinished: u64,
    kinds: Kinds,
    handshake: Histogram,
    connection: Histogram,
    bytes: u64,
    negotiated: Option<HandshakeInfo>,
    failures: HashMap<(FailureKind, String), FailureCount>,
    last_end: Option<Instant>,
    /// The latest run of identical failures, and its length.
    streak: Option<((FailureKind, String), u64)>,
    gave_up: Option<GaveUp>,
}

struct Shared {
    plan: Plan,
    connector: TlsConnector,
    server_name_text: String,
    issued: AtomicU64,
    deadline: Instant,
    stop: AtomicBool,
    need_info: AtomicBool,
    seed: u64,
    stats: Mutex<Stats>,
    live: Arc<Live>,
}

impl Shared {
    /// Whether another connection may start (and takes its number).
    fn ticket(&self) -> Option<u64> {
        if self.stop.load(Ordering::Relaxed) || Instant::now() >= self.deadline {
            return None;
        }
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        match self.plan.connections {
            Some(limit) if n >= limit => None,
            _ => Some(n),
        }
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn record(&self, seq: u64, result: Result<Success, Failure>) {
        let now = Instant::now();
        match result {
            Ok(s) => {
                self.live.ok.fetch_add(1, Ordering::Relaxed);
                let mut st = self.stats();
                st.succeeded += 1;
                match s.kind {
                    Some(HandshakeKind::Resumed) => st.kinds.resumed += 1,
                    Some(HandshakeKind::FullWithHelloRetryRequest) => {
                        st.kinds.full_with_hello_retry_request += 1
                    }
                    _ => st.kinds.full += 1,
                }
                st.handshake.record(s.handshake_us);
                st.connection.record(s.total_us);
                st.bytes += s.bytes;
                st.last_end = Some(now);
                st.streak = None;
            }
            Err(f) => {
                self.live.failed.fetch_add(1, Ordering::Relaxed);
                let mut st = self.stats();
                st.failed += 1;
                st.last_end = Some(now);
                let key = (f.kind, f.reason);
                let run = match st.streak.take() {
                    Some((k, n)) if k == key => n + 1,
                    _ => 1,
                };
                st.streak = Some((key.clone(), run));
                if run >= GIVE_UP_AFTER && st.gave_up.is_none() {
                    st.gave_up = Some(GaveUp {
                        after: run,
                        kind: key.0,
                        reason: key.1.clone(),
                        failure: f.code,
                    });
                    self.stop.store(true, Ordering::Relaxed);
                }
                if let Some(c) = st.failures.get_mut(&key) {
                    c.count += 1;
                    if seq < c.first_seq {
                        c.first_seq = seq;
                    }
                    return;
                }
                drop(st);
                // The first of its kind: worth a full sentence (outside the lock).
                let example = match f.detail {
                    Detail::Text(t) => t,
                    Detail::Tls(e) => {
                        let observed = verify::lock(&self.plan.observations).clone();
                        explain::describe_error(&e, &observed, &self.server_name_text)
                    }
                };
                let mut st = self.stats();
                st.failures
                    .entry(key.clone())
                    .and_modify(|c| {
                        c.count += 1;
                        c.first_seq = c.first_seq.min(seq);
                    })
                    .or_insert(FailureCount {
                        kind: key.0,
                        reason: key.1,
                        failure: f.code,
                        count: 1,
                        example,
                        first_seq: seq,
                    });
            }
        }
    }
}

/// Runs the plan: call inside a multi-thread tokio runtime. `live` is updated
/// as connections finish; `interrupt` resolving (Ctrl-C) stops the run early.
pub async fn run(
    plan: Plan,
    live: Arc<Live>,
    interrupt: impl std::future::Future<Output = ()> + Send + 'static,
) -> Outcome {
    let start = Instant::now();
    let deadline = start + plan.duration;
    let seed = fresh_seed();
    let shared = Arc::new(Shared {
        connector: TlsConnector::from(plan.config.clone()),
        server_name_text: crate::tls::target::server_name_text(&plan.server_name),
        plan,
        issued: AtomicU64::new(0),
        deadline,
        stop: AtomicBool::new(false),
        need_info: AtomicBool::new(true),
        seed,
        stats: Mutex::new(Stats::default()),
        live,
    });
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let cancel_tx = Arc::new(cancel_tx);

    // Ctrl-C: no new connections, and those running are cut off.
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let shared = shared.clone();
        let cancel = cancel_tx.clone();
        let interrupted = interrupted.clone();
        tokio::spawn(async move {
            interrupt.await;
            interrupted.store(true, Ordering::Relaxed);
            shared.stop.store(true, Ordering::Relaxed);
            let _ = cancel.send(true);
        });
    }
    // The hard limit. A handshake-only connection is bounded by the timeout
    // and the linger anyway: one still running that long after the deadline
    // is cut off. An echo started before the deadline is let finish while it
    // moves (each stall is bounded by the timeout), within an hour of the
    // start: `--bytes 1g` through a slow server must not end with nothing.
    {
        let cancel = cancel_tx.clone();
        let last_start = match shared.plan.bytes {
            Some(_) => shared.plan.duration.max(MAX_RUN),
            None => shared.plan.duration,
        };
        let hard = start + last_start + shared.plan.timeout + LINGER;
        tokio::spawn(async move {
            tokio::time::sleep_until(tokio::time::Instant::from_std(hard)).await;
            let _ = cancel.send(true);
        });
    }

    // The first connection goes ahead alone: it finds the address that answers
    // (as `dial` does), and brings home what the others reuse: the verified
    // chain and the server's key-exchange group, once its handshake is done;
    // with --resume, the first session ticket, once it has closed. Then the
    // others start, while it goes on (an echo does not run alone first).
    let (found_tx, found_rx) = watch::channel(None::<SocketAddr>);
    let first = {
        let shared = shared.clone();
        let cancel_rx = cancel_rx.clone();
        tokio::spawn(async move {
            let mut address = shared.plan.addrs[0];
            if let Some(seq) = shared.ticket() {
                let addrs = shared.plan.addrs.clone();
                for (i, addr) in addrs.iter().enumerate() {
                    address = *addr;
                    let mut cancel = cancel_rx.clone();
                    let result = tokio::select! {
                        r = one(&shared, *addr, seq, Some(&found_tx)) => Some(r),
                        _ = cancel.wait_for(|c| *c) => None,
                    };
                    let Some(result) = result else {
                        shared.stats().unfinished += 1;
                        break;
                    };
                    let unreachable = matches!(&result, Err(f) if f.at_connect);
                    if unreachable && i + 1 < addrs.len() {
                        continue;
                    }
                    // A certificate that does not verify, or no pin matching, fails
                    // every connection alike (same config, same server).
                    let untrusted = matches!(&result,
                        Err(f) if matches!(f.kind, FailureKind::Verification | FailureKind::Pin));
                    shared.record(seq, result);
                    if unreachable || untrusted {
                        // Hammering it for the whole duration would prove nothing.
                        shared.stop.store(true, Ordering::Relaxed);
                    }
                    break;
                }
            }
            // Releases the others if the first connection did not (`ticket` says whether they go on).
            found_tx.send_replace(Some(address));
            work(&shared, address, cancel_rx).await;
            address
        })
    };

    let mut workers = Vec::with_capacity(shared.plan.concurrency);
    for _ in 1..shared.plan.concurrency {
        let shared = shared.clone();
        let mut cancel = cancel_rx.clone();
        let mut found = found_rx.clone();
        workers.push(tokio::spawn(async move {
            let address = tokio::select! {
                a = found.wait_for(|a| a.is_some()) => match a {
                    Ok(a) => *a,
                    Err(_) => None,
                },
                _ = cancel.wait_for(|c| *c) => None,
            };
            if let Some(address) = address {
                work(&shared, address, cancel).await;
            }
        }));
    }
    // A task only ends by returning; a panic in one is a bug, and the others' counts still stand.
    let address = first.await.unwrap_or(shared.plan.addrs[0]);
    for w in workers {
        let _ = w.await;
    }

    let mut st = std::mem::take(&mut *shared.stats());
    let end = st.last_end.unwrap_or_else(Instant::now);
    let mut failures: Vec<FailureCount> = st.failures.drain().map(|(_, v)| v).collect();
    failures.sort_by(|a, b| b.count.cmp(&a.count).then(a.first_seq.cmp(&b.first_seq)));
    let first_failure = failures
        .iter()
        .min_by_key(|f| f.first_seq)
        .map(|f| (f.failure, f.example.clone()));
    Outcome {
        address,
        elapsed: end.saturating_duration_since(start),
        succeeded: st.succeeded,
        failed: st.failed,
        unfinished: st.unfinished,
        kinds: st.kinds,
        handshake: st.handshake,
        connection: st.connection,
        bytes: st.bytes,
        negotiated: st.negotiated,
        failures,
        first_failure,
        interrupted: interrupted.load(Ordering::Relaxed),
        gave_up: st.gave_up,
    }
}

/// One worker: connection after connection to `address` while tickets last.
async fn work(shared: &Shared, address: SocketAddr, mut cancel: watch::Receiver<bool>) {
    while let Some(seq) = shared.ticket() {
        let result = tokio::select! {
            r = one(shared, address, seq, None) => Some(r),
            _ = cancel.wait_for(|c| *c) => None,
        };
        match result {
            Some(r) => shared.record(seq, r),
            None => {
                shared.stats().unfinished += 1;
                break;
            }
        }
    }
}

fn us(d: Duration) -> u64 {
    d.as_micros().min(u128::from(u64::MAX)) as u64
}

/// One connection: TCP connect, handshake, the echo if asked, close_notify,
/// and a short wait for the server's own close. `release`, for the first
/// connection: told `addr` once the others may start (after the handshake;
/// with --resume, not before the end, when the session ticket is in).
async fn one(
    shared: &Shared,
    addr: SocketAddr,
    seq: u64,
    release: Option<&watch::Sender<Option<SocketAddr>>>,
) -> Result<Success, Failure> {
    let plan = &shared.plan;
    let started = Instant::now();
    let deadline = tokio::time::Instant::from_std(started + plan.timeout);
    let secs = plan.timeout.as_secs_f64();

    let tcp = match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
        Err(_) => {
            let mut f = Failure::new(
                FailureKind::Timeout,
                "connect",
                Kind::Network,
                format!("timed out after {secs} s connecting to {addr}"),
            );
            f.at_connect = true;
            return Err(f);
        }
        Ok(Err(e)) => {
            let mut f = connect_failure(&e, addr);
            f.at_connect = true;
            return Err(f);
        }
        Ok(Ok(s)) => s,
    };
    let _ = tcp.set_nodelay(true);
    let mut tcp = tcp;
    if let Some((proto, name)) = &plan.starttls {
        let talk = crate::tls::starttls::negotiate(&mut tcp, *proto, name);
        match tokio::time::timeout_at(deadline, talk).await {
            Err(_) => {
                return Err(Failure::new(
                    FailureKind::Timeout,
                    "starttls",
                    Kind::Network,
                    format!(
                        "timed out after {secs} s in the {proto} STARTTLS exchange with {addr}"
                    ),
                ))
            }
            Ok(Err(e)) => {
                let network = crate::tls::error::kind_of(&e) == Some(Kind::Network);
                return Err(Failure::new(
                    if network {
                        FailureKind::Closed
                    } else {
                        FailureKind::Handshake
                    },
                    if network {
                        format!("{proto} exchange failed")
                    } else {
                        format!("{proto} refused")
                    },
                    if network {
                        Kind::Network
                    } else {
                        Kind::Handshake
                    },
                    format!("{e:#}"),
                ));
            }
            Ok(Ok(_)) => {}
        }
    }
    let chunk = echo::chunk_for(plan.concurrency);

    let handshake = shared.connector.connect(
        plan.server_name.clone(),
        ReadAhead::with_size(tcp, chunk.max(READ_AHEAD)),
    );
    let mut stream = match tokio::time::timeout_at(deadline, handshake).await {
        Err(_) => {
            return Err(Failure::new(
                FailureKind::Timeout,
                "handshake",
                Kind::Network,
                format!("timed out after {secs} s waiting for the TLS handshake with {addr}"),
            ))
        }
        Ok(Err(e)) => return Err(handshake_failure(e)),
        Ok(Ok(s)) => s,
    };
    let handshake_us = us(started.elapsed());
    if let Some(tx) = release.filter(|_| !plan.resume) {
        tx.send_replace(Some(addr));
    }
    let conn = stream.get_ref().1;
    let kind = conn.handshake_kind();
    if shared.need_info.swap(false, Ordering::Relaxed) {
        // Kept even if this connection fails later (in its echo, at its close).
        shared.stats().negotiated = Some(HandshakeInfo::from_state(conn));
    }

    let mut bytes = 0;
    if let Some(body) = &plan.bytes {
        let size = body.size();
        let echo_plan = echo::EchoPlan {
            seq,
            nonce: shared.seed.rotate_left(17) ^ seq.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            window: plan.window,
            idle: plan.timeout,
            chunk,
        };
        echo::echo(&mut stream, body, echo_plan, &shared.live.bytes)
            .await
            .map_err(|e| echo_failure(e, size))?;
        bytes = size;
    }

    let extra = close(&mut stream).await?;
    if plan.bytes.is_some() && extra > 0 {
        return Err(Failure::new(
            FailureKind::DataMismatch,
            "more data than was sent",
            Kind::Data,
            format!("the server sent {extra} bytes more than it was sent"),
        ));
    }
    Ok(Success {
        handshake_us,
        total_us: us(started.elapsed()),
        kind,
        bytes,
    })
}

/// Sends close_notify and reads until the server closes (at most [`LINGER`]);
/// returns how many bytes of application data arrived meanwhile.
///
/// A TLS alert from the server fails the connection: with TLS 1.3 the client's
/// handshake is over before the server has checked the client's certificate,
/// so a server that refuses it (none given, unknown CA) says so only now.
/// A plain close or reset is not a failure: many servers end that way.
async fn close(stream: &mut TlsStream<ReadAhead<TcpStream>>) -> Result<u64, Failure> {
    let until = tokio::time::Instant::now() + LINGER;
    if tokio::time::timeout_at(until, stream.shutdown())
        .await
        .is_err()
    {
        return Ok(0);
    }
    let mut extra = 0u64;
    let mut buf = [0u8; 2048];
    loop {
        match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => extra += n as u64,
            Ok(Err(e)) if is_tls_error(&e) => return Err(handshake_failure(e)),
            Ok(Err(_)) => break,
        }
    }
    Ok(extra)
}

fn is_tls_error(e: &std::io::Error) -> bool {
    e.get_ref()
        .is_some_and(|i| i.downcast_ref::<rustls::Error>().is_some())
}

fn connect_failure(e: &std::io::Error, addr: SocketAddr) -> Failure {
    use std::io::ErrorKind::*;
    // EMFILE / ENFILE: the process or the system ran out of file descriptors.
    if matches!(e.raw_os_error(), Some(23) | Some(24)) {
        return Failure::new(
            FailureKind::Local,
            "too many open files",
            Kind::Input,
            "too many open files: lower --concurrency or raise the limit (ulimit -n)".to_string(),
        );
    }
    match e.kind() {
        ConnectionRefused => Failure::new(
            FailureKind::Refused,
            "connection refused",
            Kind::Network,
            format!("cannot connect to {addr}: connection refused (nothing listens on that port)"),
        ),
        AddrNotAvailable => Failure::new(
            FailureKind::Local,
            "no local address",
            Kind::Network,
            format!(
                "cannot connect to {addr}: no local port free (too many connections in TIME_WAIT?)"
            ),
        ),
        TimedOut => Failure::new(
            FailureKind::Timeout,
            "connect",
            Kind::Network,
            format!("cannot connect to {addr}: timed out"),
        ),
        _ => Failure::new(
            FailureKind::Network,
            io_reason(e),
            Kind::Network,
            format!("cannot connect to {addr}: {e}"),
        ),
    }
}

fn handshake_failure(e: std::io::Error) -> Failure {
    use std::io::ErrorKind::*;
    if is_tls_error(&e) {
        // Checked just above; the fallback is never taken.
        let tls = match e.into_inner().map(|i| i.downcast::<rustls::Error>()) {
            Some(Ok(t)) => *t,
            _ => rustls::Error::General("unknown TLS error".into()),
        };
        let code = crate::tls::error::rustls_kind(&tls);
        let kind = match code {
            Kind::Pin => FailureKind::Pin,
            Kind::Verification => FailureKind::Verification,
            _ => FailureKind::Handshake,
        };
        return Failure {
            kind,
            reason: tls_reason(&tls),
            code,
            detail: Detail::Tls(tls),
            at_connect: false,
        };
    }
    match e.kind() {
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => Failure::new(
            FailureKind::Closed,
            "closed during the handshake",
            Kind::Handshake,
            "the server closed the connection during the TLS handshake (is this a TLS port? does it accept this server name?)".to_string(),
        ),
        TimedOut => Failure::new(
            FailureKind::Timeout,
            "handshake",
            Kind::Network,
            "the TLS handshake timed out".to_string(),
        ),
        _ => Failure::new(
            FailureKind::Network,
            io_reason(&e),
            Kind::Network,
            format!("TLS handshake failed: {e}"),
        ),
    }
}

fn echo_failure(e: EchoError, size: u64) -> Failure {
    match e {
        EchoError::Mismatch { sent, received } => Failure::new(
            FailureKind::DataMismatch,
            "sha-256 differs",
            Kind::Data,
            format!(
                "the echoed data differs from what was sent: SHA-256 {}… sent, {}… received",
                &sent[..16],
                &received[..16]
            ),
        ),
        // Nothing differed: the connection ended early, a network failure.
        EchoError::Short { received, notified } => Failure::new(
            FailureKind::Closed,
            "echo cut short",
            Kind::Network,
            format!(
                "the server closed the connection{} after echoing {received} of {size} bytes",
                if notified { "" } else { " (without close_notify)" }
            ),
        ),
        EchoError::NotOurs => Failure::new(
            FailureKind::DataMismatch,
            "another connection's data",
            Kind::Data,
            "the echo does not start with this connection's own header: the server mixed up connections".to_string(),
        ),
        EchoError::TooMuch { received } => Failure::new(
            FailureKind::DataMismatch,
            "more data than was sent",
            Kind::Data,
            format!("the server sent back more than it was sent ({received} bytes received)"),
        ),
        EchoError::Idle { sent, received } => Failure::new(
            FailureKind::Timeout,
            "echo stalled",
            Kind::Network,
            format!(
                "the echo stalled: nothing moved within the timeout after {sent} bytes sent, {received} of {size} echoed"
            ),
        ),
        EchoError::Io(e) => {
            if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return Failure::new(
                    FailureKind::Handshake,
                    tls_reason(tls),
                    Kind::Handshake,
                    format!("TLS error during the echo: {tls}"),
                );
            }
            Failure::new(
                FailureKind::Closed,
                format!("{} during the echo", io_reason(&e)),
                Kind::Network,
                format!("the connection failed during the echo: {e}"),
            )
        }
    }
}

/// `ConnectionReset` → `connection reset`.
fn io_reason(e: &std::io::Error) -> String {
    words(&format!("{:?}", e.kind()), ' ')
}

/// A short, stable name for a TLS error: `alert handshake_failure`, `unknown_issuer`, `pin mismatch`.
fn tls_reason(e: &rustls::Error) -> String {
    if crate::tls::verify::is_pin_failure(e) {
        return "no pin matched".to_string();
    }
    match e {
        rustls::Error::AlertReceived(a) => {
            format!("alert {}", explain::alert_name(&format!("{a:?}")))
        }
        rustls::Error::InvalidCertificate(ce) => words(&format!("{ce:?}"), '_'),
        other => words(&format!("{other:?}"), '_'),
    }
}

/// The leading identifier of a Debug string, `CamelCase` → `camel{sep}case`
/// (acronyms kept whole, as connect and serve spell them).
fn words(debug: &str, sep: char) -> String {
    let ident: String = debug
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    crate::text::snake_words(&ident, sep)
}

/// Resolves the host to dial (an IP address is taken as is), within `timeout`.
pub async fn resolve(host: &str, port: u16, timeout: Duration) -> anyhow::Result<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let shown = crate::text::sanitize(host);
    let found = match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
        Err(_) => {
            return Err(crate::tls::error::fail(
                Kind::Network,
                format!("timed out resolving '{shown}'"),
            ))
        }
        Ok(Err(e)) => {
            return Err(crate::tls::error::fail(
                Kind::Network,
                format!("cannot resolve '{shown}': {e}"),
            ))
        }
        Ok(Ok(found)) => found.collect::<Vec<_>>(),
    };
    if found.is_empty() {
        return Err(crate::tls::error::fail(
            Kind::Network,
            format!("'{shown}' resolves to no address"),
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_named_as_connect_names_them() {
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::UnknownCA);
        assert_eq!(tls_reason(&alert), "alert unknown_ca");
        let cert = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(tls_reason(&cert), "unknown_issuer");
    }

    #[test]
    fn reasons_are_short_and_stable() {
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(tls_reason(&alert), "alert handshake_failure");
        let ce = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        assert_eq!(tls_reason(&ce), "unknown_issuer");
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(io_reason(&io), "connection reset");
    }

    #[test]
    fn kinds_are_named_as_in_the_json() {
        for kind in [
            FailureKind::Refused,
            FailureKind::Timeout,
            FailureKind::Network,
            FailureKind::Closed,
            FailureKind::Handshake,
            FailureKind::Verification,
            FailureKind::Pin,
            FailureKind::DataMismatch,
            FailureKind::Local,
        ] {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json.as_str(), Some(kind.name()));
        }
    }

    #[test]
    fn refused_and_fd_exhaustion_are_told_apart() {
        let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let refused = connect_failure(&std::io::ErrorKind::ConnectionRefused.into(), addr);
        assert_eq!(refused.kind, FailureKind::Refused);
        assert_eq!(refused.code, Kind::Network);
        let emfile = connect_failure(&std::io::Error::from_raw_os_error(24), addr);
        assert_eq!(emfile.kind, FailureKind::Local);
    }
}
