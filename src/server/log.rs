//! What `serve` reports while it runs, as data: one record per connection,
//! the shutdown notice, warnings and the closing summary, plus the counters
//! behind the summary. The server prints nothing itself: events go through a
//! bounded queue to whoever started it (the command renders them in
//! `output::serve`), so a slow or stopped reader of stdout can never stall the
//! connections; events that do not fit are counted, and the count is shown in
//! the summary.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

use crate::tls::handshake::HandshakeInfo;

/// How many events may wait for the reader before new ones are dropped.
pub const QUEUE_EVENTS: usize = 16 * 1024;

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// The client closed the connection (or asked to, over HTTP).
    Closed,
    /// The handshake or the data phase took too long.
    Timeout,
    /// The handshake failed; `reason` says why.
    HandshakeError,
    /// A TLS or I/O error after the handshake.
    Error,
    /// Over `--max-connections`: closed at once.
    Refused,
    /// The server shut down while the connection was open.
    Shutdown,
}

impl End {
    /// The outcome in words, for a log line.
    pub fn label(self) -> &'static str {
        match self {
            End::Closed => "closed",
            End::Timeout => "timeout",
            End::HandshakeError => "handshake failed",
            End::Error => "error",
            End::Refused => "refused",
            End::Shutdown => "shutdown",
        }
    }
}

/// Everything logged about one connection.
#[derive(Debug, Clone, Serialize)]
pub struct ConnRecord {
    /// Always `connection`.
    pub event: &'static str,
    /// When the TCP connection was accepted (RFC 3339, UTC, milliseconds).
    pub time: String,
    /// The client's address.
    pub peer: String,
    /// The server name the client asked for (SNI), sanitized.
    pub sni: Option<String>,
    /// ALPN protocols the client offered, sanitized.
    pub offered_alpn: Vec<String>,
    /// What the handshake negotiated (absent when it failed).
    #[serde(flatten)]
    pub handshake: Option<HandshakeInfo>,
    /// Whether the session was resumed (absent when the handshake failed).
    pub resumed: Option<bool>,
    /// Subject of the verified client certificate, sanitized.
    pub client_subject: Option<String>,
    /// HTTP requests answered (`--www` only).
    pub requests: Option<u64>,
    /// Application bytes received.
    pub bytes_in: u64,
    /// Application bytes sent.
    pub bytes_out: u64,
    /// From accept to close, milliseconds.
    pub duration_ms: u64,
    /// How the connection ended.
    pub end: End,
    /// A short, stable key for a failed handshake (`no_client_certificate`,
    /// `unknown_issuer`, `alert:bad_certificate`, `timeout`, …).
    pub failure: Option<String>,
    /// Why it ended, in words.
    pub reason: Option<String>,
}

impl ConnRecord {
    /// A record for a connection accepted now from `peer`.
    pub fn new(peer: SocketAddr) -> ConnRecord {
        ConnRecord {
            event: "connection",
            time: now_rfc3339(),
            peer: peer.to_string(),
            sni: None,
            offered_alpn: Vec::new(),
            handshake: None,
            resumed: None,
            client_subject: None,
            requests: None,
            bytes_in: 0,
            bytes_out: 0,
            duration_ms: 0,
            end: End::Closed,
            failure: None,
            reason: None,
        }
    }

    /// Sets how the connection ended.
    pub fn ended(&mut self, end: End, reason: impl Into<String>) {
        self.end = end;
        self.reason = Some(reason.into());
    }
}

pub use crate::text::human_duration;

/// The current time as RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    let now = time::OffsetDateTime::now_utc();
    now.format(&fmt).unwrap_or_else(|_| now.to_string())
}

/// The counters behind the summary.
#[derive(Debug, Default)]
pub struct Stats {
    connections: AtomicU64,
    handshakes: AtomicU64,
    refused: AtomicU64,
    timeouts: AtomicU64,
    errors: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    active: AtomicU64,
    peak: AtomicU64,
    cut_off: AtomicU64,
    failures: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    /// A connection was taken on (it holds a slot until [`Stats::finish`]).
    pub fn start(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        let now = self.active.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    /// A connection over the limit was refused.
    pub fn refuse(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Connections open right now.
    pub fn active(&self) -> u64 {
        self.active.load(Ordering::Relaxed)
    }

    /// A connection taken on by [`Stats::start`] is over.
    pub fn finish(&self, rec: &ConnRecord) {
        self.active.fetch_sub(1, Ordering::Relaxed);
        self.bytes_in.fetch_add(rec.bytes_in, Ordering::Relaxed);
        self.bytes_out.fetch_add(rec.bytes_out, Ordering::Relaxed);
        if rec.handshake.is_some() {
            self.handshakes.fetch_add(1, Ordering::Relaxed);
            match rec.end {
                End::Timeout => {
                    self.timeouts.fetch_add(1, Ordering::Relaxed);
                }
                End::Error => {
                    self.errors.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        } else if let Some(key) = &rec.failure {
            let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            *f.entry(key.clone()).or_default() += 1;
        }
    }

    /// A connection was still busy when the grace period ended.
    pub fn cut_off(&self) {
        self.cut_off.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection task died without finishing its record (a bug).
    pub fn lost(&self) {
        self.active.fetch_sub(1, Ordering::Relaxed);
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The summary as of now.
    pub fn summary(
        &self,
        uptime: Duration,
        aborted: u64,
        dropped_lines: u64,
        stopped_by: Option<&'static str>,
    ) -> Summary {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Summary {
            event: "summary",
            stopped_by,
            uptime_ms: uptime.as_millis() as u64,
            connections: get(&self.connections),
            handshakes: get(&self.handshakes),
            handshake_failures: failures.values().sum(),
            failures_by_reason: failures,
            refused: get(&self.refused),
            idle_timeouts: get(&self.timeouts),
            errors: get(&self.errors),
            aborted_at_shutdown: aborted + get(&self.cut_off),
            bytes_in: get(&self.bytes_in),
            bytes_out: get(&self.bytes_out),
            peak_concurrent: get(&self.peak),
            log_lines_dropped: dropped_lines,
        }
    }
}

/// What `serve` reports when it stops.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Always `summary`.
    pub event: &'static str,
    /// `SIGINT`, `SIGTERM`, or absent when `--max-accept` was reached.
    pub stopped_by: Option<&'static str>,
    /// How long the server ran, milliseconds.
    pub uptime_ms: u64,
    /// Connections taken on (not counting refused ones).
    pub connections: u64,
    /// Completed handshakes.
    pub handshakes: u64,
    /// Failed handshakes (handshake timeouts included).
    pub handshake_failures: u64,
    /// Failed handshakes by reason key.
    pub failures_by_reason: BTreeMap<String, u64>,
    /// Connections refused over `--max-connections`.
    pub refused: u64,
    /// Connections closed by `--idle-timeout` after their handshake.
    pub idle_timeouts: u64,
    /// Connections that ended in an error after their handshake.
    pub errors: u64,
    /// Connections still open when the grace period ran out.
    pub aborted_at_shutdown: u64,
    /// Application bytes received.
    pub bytes_in: u64,
    /// Application bytes sent.
    pub bytes_out: u64,
    /// Most connections open at once.
    pub peak_concurrent: u64,
    /// Log lines dropped because stdout was not being read fast enough.
    pub log_lines_dropped: u64,
}

/// The shutdown notice: a signal arrived and the server stops accepting.
#[derive(Debug, Clone, Serialize)]
pub struct Shutdown {
    /// Always `shutdown`.
    pub event: &'static str,
    /// `SIGINT` or `SIGTERM`.
    pub signal: &'static str,
    /// Connections open when it arrived.
    pub open_connections: u64,
    /// How long they get to finish, milliseconds.
    pub grace_ms: u64,
}

/// What a SIGHUP did.
#[derive(Debug, Clone, Serialize)]
pub struct Reload {
    /// Always `reload`.
    pub event: &'static str,
    /// Always `SIGHUP`.
    pub signal: &'static str,
    /// Whether new connections get the new certificate.
    pub outcome: super::ReloadOutcome,
    /// The new leaf's subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The new leaf's SHA-256 fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256_fingerprint: Option<String>,
    /// Why the old certificate is still served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Something the server reports while it runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A connection is over.
    Connection(Box<ConnRecord>),
    /// A signal began the shutdown.
    Shutdown(Shutdown),
    /// SIGHUP read the certificate and key again.
    Reload(Reload),
    /// Something went wrong beside the connections (accept failed, a task
    /// died); a sentence.
    Warning(String),
    /// The server is done: nothing follows.
    Closed,
}

/// The sending end of the event queue, shared by every connection task.
pub struct Events {
    tx: SyncSender<Event>,
    dropped: AtomicU64,
    connections: bool,
}

impl Events {
    /// A queue of [`QUEUE_EVENTS`]; the receiver goes to the renderer.
    pub fn channel() -> (Events, Receiver<Event>) {
        let (tx, rx) = mpsc::sync_channel(QUEUE_EVENTS);
        (
            Events {
                tx,
                dropped: AtomicU64::new(0),
                connections: true,
            },
            rx,
        )
    }

    /// Finished connections are counted but not queued (no line per
    /// connection, as nginx's `access_log off`); other events still are.
    pub fn without_connections(self) -> Events {
        Events {
            connections: false,
            ..self
        }
    }

    /// Queues one event; never blocks (a full queue drops it and counts it).
    pub fn send(&self, event: Event) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(event) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Logs a finished connection.
    pub fn connection(&self, rec: ConnRecord) {
        if !self.connections {
            return;
        }
        self.send(Event::Connection(Box::new(rec)));
    }

    /// Events dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Tells the reader that nothing follows (it finishes what is queued).
    pub fn close(&self) {
        let _ = self.tx.send(Event::Closed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_handshake_record_is_counted_by_reason() {
        let stats = Stats::default();
        let mut rec = ConnRecord::new("127.0.0.1:1".parse().unwrap());
        rec.ended(End::HandshakeError, "the client sent no certificate");
        rec.failure = Some("no_client_certificate".into());
        stats.start();
        stats.finish(&rec);
        let s = stats.summary(Duration::from_secs(1), 0, 0, Some("SIGTERM"));
        assert_eq!(s.handshake_failures, 1);
        assert_eq!(s.failures_by_reason["no_client_certificate"], 1);
        assert_eq!(stats.active(), 0);
    }
}
