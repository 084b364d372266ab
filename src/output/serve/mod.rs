//! `serve`'s events on screen: the first lines and the banner ([`banner`]),
//! one line per connection (text or a JSON line), the shutdown notice,
//! warnings on stderr and the closing summary.
//!
//! The server queues its events; [`EventWriter`] drains the queue on a thread
//! of its own and writes them in batches, so a slow reader of stdout never
//! stalls a connection.

use std::io::Write;
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;

mod banner;

pub use banner::{banner, connect_command, startup_warning, write_listening, write_ready, Ready};

use super::style::{Style, Tone};
use crate::server::log::{ConnRecord, End, Event, Reload, Shutdown, Summary};
use crate::server::ReloadOutcome;
use crate::text::{human_duration, sanitize};

/// How events are written: JSON lines or text in a style.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// One JSON object per line instead of text.
    pub json: bool,
    /// Colour for stdout.
    pub stdout: Style,
    /// Colour for stderr (warnings).
    pub stderr: Style,
}

/// One connection record as a line of text.
pub fn connection_line(rec: &ConnRecord, style: Style) -> String {
    let tone = match rec.end {
        End::Closed => Tone::Good,
        End::Timeout | End::Shutdown | End::Refused => Tone::Warn,
        End::HandshakeError | End::Error => Tone::Bad,
    };
    let mut s = format!(
        "{} {} {}",
        style.paint(Tone::Dim, &rec.time),
        sanitize(&rec.peer),
        style.paint(tone, rec.end.label())
    );
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(sanitize)
            .unwrap_or("-".into())
            .into_owned()
    };
    if let Some(h) = &rec.handshake {
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
            opt(&rec.sni),
            opt(&h.alpn),
            if rec.resumed == Some(true) {
                "resumed"
            } else {
                "new-session"
            },
            opt(&rec.client_subject),
            rec.bytes_in,
            rec.bytes_out,
        ));
        if let Some(n) = rec.requests {
            s.push_str(&format!(" requests={n}"));
        }
    } else if rec.sni.is_some() {
        s.push_str(&format!(" sni={}", opt(&rec.sni)));
    }
    s.push_str(&format!(" {}", human_duration(rec.duration_ms)));
    if let Some(reason) = &rec.reason {
        s.push_str(&format!(": {}", sanitize(reason)));
    }
    s
}

/// The shutdown notice as a line of text.
pub fn shutdown_line(n: &Shutdown) -> String {
    let open = n.open_connections;
    format!(
        "{}: no longer accepting; {open} open connection{} get{} up to {} to finish",
        n.signal,
        if open == 1 { "" } else { "s" },
        if open == 1 { "s" } else { "" },
        human_duration(n.grace_ms)
    )
}

/// What a SIGHUP did, as a line of text.
pub fn reload_line(r: &Reload) -> String {
    match r.outcome {
        ReloadOutcome::Reloaded => format!(
            "SIGHUP: reloaded the certificate and key; new connections get {} (SHA-256 {})",
            sanitize(r.subject.as_deref().unwrap_or("")),
            r.sha256_fingerprint.as_deref().unwrap_or("")
        ),
        ReloadOutcome::KeptOld => format!(
            "SIGHUP: still serving the old certificate: {}",
            sanitize(
                r.reason
                    .as_deref()
                    .unwrap_or("the new files could not be used")
            )
        ),
    }
}

/// The closing summary as text.
pub fn summary(out: &mut dyn Write, s: &Summary, style: Style) -> std::io::Result<()> {
    let why = match s.stopped_by {
        Some(sig) => format!("on {sig}"),
        None => "after --max-accept connections".to_string(),
    };
    writeln!(
        out,
        "{} {why}, up {}",
        style.paint(Tone::Strong, "stopped"),
        human_duration(s.uptime_ms)
    )?;
    let field = |out: &mut dyn Write, label: &str, value: String| {
        writeln!(
            out,
            "  {} {value}",
            style.paint(Tone::Dim, format!("{:<14}", format!("{label}:")))
        )
    };
    field(
        out,
        "connections",
        format!(
            "{} (peak {} at once), {} refused over --max-connections",
            s.connections, s.peak_concurrent, s.refused
        ),
    )?;
    let mut hs = format!(
        "{} completed, {} failed",
        s.handshakes, s.handshake_failures
    );
    if !s.failures_by_reason.is_empty() {
        let parts: Vec<String> = s
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
            s.idle_timeouts, s.errors, s.aborted_at_shutdown
        ),
    )?;
    field(
        out,
        "bytes",
        format!("{} in, {} out", s.bytes_in, s.bytes_out),
    )?;
    if s.log_lines_dropped > 0 {
        field(
            out,
            "log",
            style.paint(
                Tone::Warn,
                format!(
                    "{} lines dropped (stdout was not read fast enough)",
                    s.log_lines_dropped
                ),
            ),
        )?;
    }
    Ok(())
}

/// The thread that writes queued events; [`EventWriter::finish`] waits for it.
pub struct EventWriter {
    handle: Option<JoinHandle<()>>,
}

/// How long the writer lets events gather after writing a batch: under load
/// it wakes (and writes) a hundred times a second at most, not once per connection.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

impl EventWriter {
    /// Starts writing the events of `rx` in `format`.
    pub fn start(rx: Receiver<Event>, format: Format) -> EventWriter {
        let handle = std::thread::Builder::new()
            .name("tlskit-log".into())
            .spawn(move || write_events(rx, format))
            .ok();
        EventWriter { handle }
    }

    /// Waits until every event queued before `Event::Closed` is written.
    pub fn finish(mut self) {
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn write_events(rx: Receiver<Event>, format: Format) {
    let stdout = std::io::stdout();
    let mut broken = false;
    while let Ok(first) = rx.recv() {
        // Stdout is line-buffered: a `BufWriter` makes the batch one write.
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        let mut next = Some(first);
        while let Some(event) = next.take() {
            let line = match event {
                Event::Closed => {
                    let _ = out.flush();
                    return;
                }
                Event::Warning(text) => {
                    let _ = out.flush();
                    eprintln!("{}", super::warning_line(&text, format.stderr));
                    None
                }
                Event::Connection(rec) if format.json => super::json::to_line(&*rec).ok(),
                Event::Connection(rec) => Some(connection_line(&rec, format.stdout)),
                Event::Shutdown(n) if format.json => super::json::to_line(&n).ok(),
                Event::Shutdown(n) => Some(shutdown_line(&n)),
                Event::Reload(r) if format.json => super::json::to_line(&r).ok(),
                Event::Reload(r) => Some(reload_line(&r)),
            };
            // Once stdout is gone (a closed pipe), keep serving and stop writing.
            if let Some(line) = line.filter(|_| !broken) {
                broken = writeln!(out, "{line}").is_err();
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
    fn text_line_escapes_peer_controlled_text() {
        let mut rec = ConnRecord::new("127.0.0.1:1".parse().unwrap());
        rec.sni = Some("evil\x1b[31m".into());
        rec.ended(End::HandshakeError, "bad\u{202e}txt");
        let line = connection_line(&rec, Style::PLAIN);
        assert!(
            !line.contains('\x1b') && !line.contains('\u{202e}'),
            "{line}"
        );
        assert!(line.contains("sni=evil\\e[31m"), "{line}");
    }

    #[test]
    fn json_line_names_the_end_and_the_failure() {
        let mut rec = ConnRecord::new("127.0.0.1:1".parse().unwrap());
        rec.ended(End::HandshakeError, "the client sent no certificate");
        rec.failure = Some("no_client_certificate".into());
        let json = crate::text::json::to_line(&rec).unwrap();
        assert!(json.contains(r#""end":"handshake_error""#), "{json}");
        assert!(
            json.contains(r#""failure":"no_client_certificate""#),
            "{json}"
        );
    }

    #[test]
    fn shutdown_notice_agrees_in_number() {
        let n = Shutdown {
            event: "shutdown",
            signal: "SIGINT",
            open_connections: 1,
            grace_ms: 3000,
        };
        assert_eq!(
            shutdown_line(&n),
            "SIGINT: no longer accepting; 1 open connection gets up to 3s to finish"
        );
    }
}
