//! What `serve` prints while it runs: one record per connection (coloured
//! text or a JSON line), the shutdown notice and the closing summary, plus
//! the counters behind the summary.
//!
//! Lines are handed to one writer thread through a bounded queue, so a slow
//! or stopped reader of stdout can never stall the connections; lines that
//! do not fit are counted, and the count is shown in the summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

use colored::Colorize;
use serde::Serialize;

use crate::text::sanitize;
use crate::tls::handshake::HandshakeInfo;

/// How many lines may wait for the writer before new ones are dropped.
pub const QUEUE_LINES: usize = 16 * 1024;

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
    fn label(self) -> &'static str {
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

    /// One JSON line.
    pub fn json_line(&self) -> String {
        crate::output::json::to_line(self).unwrap_or_default()
    }

    /// One line of text (coloured when colour is on).
    pub fn text_line(&self) -> String {
        let outcome = match self.end {
            End::Closed => self.end.label().green(),
            End::Timeout | End::Shutdown | End::Refused => self.end.label().yellow(),
            End::HandshakeError | End::Error => self.end.label().red().bold(),
        };
        let mut s = format!(
            "{} {} {}",
            self.time.dimmed(),
            sanitize(&self.peer),
            outcome
        );
        let opt = |v: &Option<String>| {
            v.as_deref()
                .map(sanitize)
                .unwrap_or("-".into())
                .into_owned()
        };
        if let Some(h) = &self.handshake {
            let group = match &h.group {
                Some(g) if h.post_quantum => format!("{g} (pq)"),
                Some(g) => g.clone(),
                None => "-".into(),
            };
            s.push_str(&format!(
                " {} {} {} sni={} alpn={} {} client={} in={} out={}",
                h.protocol,
                h.cipher_suite,
                group,
                opt(&self.sni),
                opt(&h.alpn),
                if self.resumed == Some(true) {
                    "resumed"
                } else {
                    "new-session"
                },
                opt(&self.client_subject),
                self.bytes_in,
                self.bytes_out,
            ));
            if let Some(n) = self.requests {
                s.push_str(&format!(" requests={n}"));
            }
        } else if self.sni.is_some() {
            s.push_str(&format!(" sni={}", opt(&self.sni)));
        }
        s.push_str(&format!(" {}", human_duration(self.duration_ms)));
        if let Some(reason) = &self.reason {
            s.push_str(&format!(": {}", sanitize(reason)));
        }
        s
    }
}

/// `850ms`, `12.3s`, `4m05s`.
pub fn human_duration(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms}ms"),
        1000..=59_999 if ms.is_multiple_of(1000) => format!("{}s", ms / 1000),
        1000..=59_999 => format!("{:.1}s", ms as f64 / 1000.0),
        _ => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
    }
}

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

impl Summary {
    /// The text form.
    pub fn render(&self, out: &mut dyn Write) -> std::io::Result<()> {
        use crate::output::field;
        let why = match self.stopped_by {
            Some(sig) => format!("on {sig}"),
            None => "after --max-accept connections".to_string(),
        };
        writeln!(
            out,
            "{} {why}, up {}",
            "stopped".bold(),
            human_duration(self.uptime_ms)
        )?;
        field(
            out,
            "connections",
            format!(
                "{} (peak {} at once), {} refused over --max-connections",
                self.connections, self.peak_concurrent, self.refused
            ),
        )?;
        let mut hs = format!(
            "{} completed, {} failed",
            self.handshakes, self.handshake_failures
        );
        if !self.failures_by_reason.is_empty() {
            let parts: Vec<String> = self
                .failures_by_reason
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            hs.push_str(&format!(" ({})", parts.join(", ")));
        }
        field(out, "handshakes", hs)?;
        field(
            out,
            "ended badly",
            format!(
                "{} idle timeouts, {} errors, {} cut off at shutdown",
                self.idle_timeouts, self.errors, self.aborted_at_shutdown
            ),
        )?;
        field(
            out,
            "bytes",
            format!("{} in, {} out", self.bytes_in, self.bytes_out),
        )?;
        if self.log_lines_dropped > 0 {
            field(
                out,
                "log",
                format!(
                    "{} lines dropped (stdout was not read fast enough)",
                    self.log_lines_dropped
                )
                .yellow(),
            )?;
        }
        Ok(())
    }
}

enum Msg {
    Line(String),
    Close,
}

/// The queue in front of the stdout writer thread.
pub struct Logger {
    tx: SyncSender<Msg>,
    dropped: AtomicU64,
    /// Print JSON lines instead of text.
    pub json: bool,
}

/// The writer thread; [`LogThread::finish`] flushes and stops it.
pub struct LogThread {
    handle: Option<JoinHandle<()>>,
}

impl Logger {
    /// Starts the writer thread.
    pub fn start(json: bool) -> (Logger, LogThread) {
        let (tx, rx) = mpsc::sync_channel(QUEUE_LINES);
        let handle = std::thread::Builder::new()
            .name("tlskit-log".into())
            .spawn(move || writer(rx))
            .ok();
        (
            Logger {
                tx,
                dropped: AtomicU64::new(0),
                json,
            },
            LogThread { handle },
        )
    }

    /// Queues one line; never blocks (a full queue drops the line and counts it).
    pub fn line(&self, line: String) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(Msg::Line(line)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Logs a connection record in the chosen format.
    pub fn connection(&self, rec: &ConnRecord) {
        self.line(if self.json {
            rec.json_line()
        } else {
            rec.text_line()
        });
    }

    /// Lines dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Asks the writer to finish once everything queued is written.
    pub fn close(&self) {
        let _ = self.tx.send(Msg::Close);
    }
}

impl LogThread {
    /// Waits for the writer to write everything queued before [`Logger::close`].
    pub fn finish(mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// How long the writer lets lines gather after writing a batch: under load it
/// wakes (and writes) a hundred times a second at most, not once per connection.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

fn writer(rx: Receiver<Msg>) {
    let stdout = std::io::stdout();
    let mut broken = false;
    while let Ok(first) = rx.recv() {
        // Stdout is line-buffered: a `BufWriter` makes the batch one write.
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Close => {
                    let _ = out.flush();
                    return;
                }
                // Once stdout is gone (a closed pipe), keep serving and stop writing.
                Msg::Line(line) if !broken => broken = writeln!(out, "{line}").is_err(),
                Msg::Line(_) => {}
            }
            next = rx.try_recv().ok();
        }
        if !broken {
            broken = out.flush().is_err();
        }
        drop(out);
        std::thread::sleep(GATHER);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(850), "850ms");
        assert_eq!(human_duration(12_345), "12.3s");
        assert_eq!(human_duration(10_000), "10s");
        assert_eq!(human_duration(245_000), "4m05s");
    }

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
        let json = rec.json_line();
        assert!(json.contains(r#""end":"handshake_error""#), "{json}");
        assert!(
            json.contains(r#""failure":"no_client_certificate""#),
            "{json}"
        );
    }

    #[test]
    fn text_line_escapes_peer_controlled_text() {
        colored::control::set_override(false);
        let mut rec = ConnRecord::new("127.0.0.1:1".parse().unwrap());
        rec.sni = Some("evil\x1b[31m".into());
        rec.ended(End::HandshakeError, "bad\u{202e}txt");
        let line = rec.text_line();
        assert!(
            !line.contains('\x1b') && !line.contains('\u{202e}'),
            "{line}"
        );
        assert!(line.contains("sni=evil\\e[31m"), "{line}");
    }
}
