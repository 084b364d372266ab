//! Text and JSON-lines rendering of `tlskit tunnel`'s events: the first line
//! `listening on ADDR`, a banner, one line per connection, reloads, the
//! shutdown and the summary.

use std::io::{self, Write};

use super::{field_styled, sanitize, Style, Tone};
use crate::tunnel::{human_duration, ConnRecord, Event, Mode, Outcome, Ready, Summary, Transport};

/// Writes one event as a JSON line.
pub fn json_line(out: &mut dyn Write, event: &Event) -> io::Result<()> {
    let line = super::json::to_line(event).map_err(io::Error::other)?;
    writeln!(out, "{line}")
}

/// Writes what of an event belongs on stderr (warnings, a failed reload), in
/// text mode; `style` is the one decided for stderr.
pub fn stderr_lines(err: &mut dyn Write, event: &Event, style: Style) -> io::Result<()> {
    match event {
        Event::Ready(ready) => {
            for w in &ready.warnings {
                warning(err, w, style)?;
            }
            Ok(())
        }
        Event::Reloaded { warnings, .. } => {
            for w in warnings {
                warning(err, w, style)?;
            }
            Ok(())
        }
        Event::Warning { message } => warning(err, message, style),
        Event::Ocsp(e) => writeln!(err, "tlskit: {}", super::revocation::staple_line(e)),
        Event::ReloadFailed { reason } => writeln!(
            err,
            "tlskit: {} {}",
            style.paint(Tone::Bad, "reload failed:"),
            sanitize(reason)
        ),
        _ => Ok(()),
    }
}

/// Writes one event as text on stdout (the log). With `quiet`, only
/// `listening on`, the connection lines and reloads are written.
pub fn text(out: &mut dyn Write, event: &Event, quiet: bool, style: Style) -> io::Result<()> {
    match event {
        Event::Listening { addr } => writeln!(out, "listening on {addr}"),
        Event::Ready(ready) => {
            if quiet {
                return Ok(());
            }
            banner(out, ready, style)
        }
        Event::Connection(rec) => writeln!(out, "{}", connection_line(rec, style)),
        Event::Warning { .. } | Event::Ocsp(_) => Ok(()),
        Event::Reloaded { certificate, .. } => match certificate {
            Some(c) => writeln!(
                out,
                "{}: now serving {} (SHA-256 {}, {})",
                style.paint(Tone::Good, "reloaded"),
                sanitize(&c.subject),
                c.sha256_fingerprint,
                c.spki_pin
            ),
            None => writeln!(
                out,
                "{}: certificate and CA files read again",
                style.paint(Tone::Good, "reloaded")
            ),
        },
        Event::ReloadFailed { reason } => writeln!(
            out,
            "{} {}",
            style.paint(Tone::Bad, "reload failed:"),
            sanitize(reason)
        ),
        Event::Shutdown {
            signal,
            open_connections,
            grace_ms,
        } => {
            let n = *open_connections;
            writeln!(
                out,
                "{signal}: no longer accepting; {n} open connection{} get{} up to {} to finish",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" },
                human_duration(*grace_ms)
            )
        }
        Event::StatusListening { addr } => {
            if quiet {
                return Ok(());
            }
            field_styled(
                out,
                style,
                "status",
                format!("http://{addr}/ (JSON), http://{addr}/metrics (Prometheus)"),
            )
        }
    }
}

fn warning(err: &mut dyn Write, message: &str, style: Style) -> io::Result<()> {
    writeln!(
        err,
        "tlskit: {} {}",
        style.paint(Tone::Bad, "warning:"),
        style.paint(Tone::BadSoft, sanitize(message))
    )
}

fn banner(out: &mut dyn Write, r: &Ready, style: Style) -> io::Result<()> {
    let field =
        |out: &mut dyn Write, label: &str, value: String| field_styled(out, style, label, value);
    // (secure side, plaintext side) as the forwarding line names them.
    let (secure, plain) = match r.transport {
        Transport::Tcp => ("TLS", "plaintext"),
        Transport::Udp => ("DTLS", "UDP"),
    };
    match r.mode {
        Mode::Server => {
            field(
                out,
                "forwarding",
                match r.transport {
                    Transport::Tcp => format!("TLS on {} to {}", r.addr, sanitize(&r.target)),
                    Transport::Udp => format!("DTLS on {} to UDP {}", r.addr, sanitize(&r.target)),
                },
            )?;
            if let Some(c) = &r.certificate {
                let origin = if r.ephemeral {
                    " (ephemeral: made at start-up, in memory only)"
                } else {
                    ""
                };
                field(
                    out,
                    "certificate",
                    format!("{}{origin}", sanitize(&c.subject)),
                )?;
                field(out, "SHA-256", c.sha256_fingerprint.clone())?;
                field(out, "SPKI pin", style.paint(Tone::Strong, &c.spki_pin))?;
                if r.ephemeral {
                    // The ephemeral certificate covers 127.0.0.1 and ::1: dial one of those.
                    let dial = r
                        .addr
                        .replace("0.0.0.0:", "127.0.0.1:")
                        .replace("[::]:", "[::1]:");
                    field(
                        out,
                        "connect",
                        format!(
                            "tlskit tunnel client{} --listen 127.0.0.1:0 --target {dial} --pin {}",
                            if r.transport == Transport::Udp {
                                " --udp"
                            } else {
                                ""
                            },
                            c.spki_pin
                        ),
                    )?;
                }
            }
            let clients = if !r.client_auth {
                style.paint(Tone::BadSoft, "anyone (no --client-ca)")
            } else if r.allow.is_empty() {
                "any certificate from --client-ca".to_string()
            } else {
                format!(
                    "certificates from --client-ca matching {}",
                    sanitize(&r.allow.join(", "))
                )
            };
            field(out, "clients", clients)?;
        }
        Mode::Client => {
            field(
                out,
                "forwarding",
                format!("{plain} on {} to {secure} {}", r.addr, sanitize(&r.target)),
            )?;
            if let Some(name) = &r.server_name {
                field(
                    out,
                    "verifying",
                    format!("the certificate is checked for {}", sanitize(name)),
                )?;
            }
            if r.client_auth {
                field(out, "client certificate", "sent when asked (--cert)".into())?;
            }
        }
    }
    field(
        out,
        "limits",
        format!(
            "{} connections, connect {}, handshake {}, idle {}",
            r.max_connections,
            human_duration(r.connect_timeout_ms),
            human_duration(r.handshake_timeout_ms),
            r.idle_timeout_ms
                .map(human_duration)
                .unwrap_or_else(|| "unlimited".into())
        ),
    )
}

/// One connection as one line of text.
pub fn connection_line(rec: &ConnRecord, style: Style) -> String {
    let tone = match rec.outcome {
        Outcome::Closed => Tone::Good,
        Outcome::IdleTimeout | Outcome::CutOff | Outcome::Busy => Tone::Warn,
        _ => Tone::Bad,
    };
    let mut s = format!(
        "{} {} {}",
        style.paint(Tone::Dim, &rec.time),
        sanitize(&rec.peer),
        style.paint(tone, outcome_label(rec.outcome))
    );
    if let Some(id) = &rec.client {
        let who = match &id.cn {
            Some(cn) => format!("CN={cn}"),
            None => id.sans.first().cloned().unwrap_or_else(|| id.pin.clone()),
        };
        s.push_str(&format!(" client={}", sanitize(&who)));
    }
    if let Some(sni) = &rec.sni {
        s.push_str(&format!(" sni={}", sanitize(sni)));
    }
    if let (Some(v), Some(suite)) = (&rec.version, &rec.suite) {
        s.push_str(&format!(" {v} {suite}"));
    }
    if let Some(alpn) = &rec.alpn {
        s.push_str(&format!(" alpn={}", sanitize(alpn)));
    }
    if rec.resumed == Some(true) {
        s.push_str(" resumed");
    }
    s.push_str(&format!(
        " up={} down={} {}",
        rec.bytes_up,
        rec.bytes_down,
        human_duration(rec.duration_ms)
    ));
    if let Some(reason) = &rec.reason {
        s.push_str(&format!(": {}", sanitize(reason)));
    }
    s
}

/// The outcome as a word or two.
pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Closed => "closed",
        Outcome::HandshakeFailed => "handshake-failed",
        Outcome::Denied => "denied",
        Outcome::HandshakeTimeout => "handshake-timeout",
        Outcome::Busy => "busy",
        Outcome::TargetUnreachable => "target-unreachable",
        Outcome::RevocationRefused => "revocation-refused",
        Outcome::IdleTimeout => "idle-timeout",
        Outcome::CutOff => "cut-off",
        Outcome::Error => "error",
    }
}

/// The summary as text.
pub fn summary(out: &mut dyn Write, s: &Summary, style: Style) -> io::Result<()> {
    let field =
        |out: &mut dyn Write, label: &str, value: String| field_styled(out, style, label, value);
    let why = match &s.stopped_by {
        Some(sig) => format!("on {sig}"),
        None => "at the end of its input".into(),
    };
    writeln!(
        out,
        "{} {why}, up {}",
        style.paint(Tone::Strong, "stopped"),
        human_duration(s.duration_ms)
    )?;
    let mut conns = format!("{} ({} ok", s.connections, s.ok);
    for (outcome, n) in &s.failed {
        conns.push_str(&format!(", {n} {}", outcome_label(*outcome)));
    }
    conns.push(')');
    field(out, "connections", conns)?;
    field(
        out,
        "bytes",
        format!(
            "{} up (client to target), {} down",
            s.bytes_up, s.bytes_down
        ),
    )?;
    if s.dropped_events > 0 {
        field(
            out,
            "log",
            style.paint(
                Tone::Warn,
                format!(
                    "{} connection lines dropped (stdout was not read fast enough)",
                    s.dropped_events
                ),
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tunnel::PeerIdentity;

    fn record() -> ConnRecord {
        ConnRecord {
            time: "2026-01-01T00:00:00Z".into(),
            peer: "127.0.0.1:5000".into(),
            client: Some(PeerIdentity {
                cn: Some("app\u{1b}[31m".into()),
                sans: vec![],
                pin: "sha256//x".into(),
            }),
            sni: Some("localhost".into()),
            version: Some(crate::tunnel::Version::Tls(
                crate::tls::handshake::Protocol::Tls13,
            )),
            suite: Some("TLS_AES_256_GCM_SHA384".into()),
            alpn: None,
            resumed: Some(false),
            bytes_up: 10,
            bytes_down: 20,
            duration_ms: 1500,
            outcome: Outcome::TargetUnreachable,
            reason: Some("cannot reach the target 127.0.0.1:1: connection refused".into()),
        }
    }

    #[test]
    fn a_connection_line_says_who_what_and_how_it_ended() {
        let rec = record();
        let line = connection_line(&rec, Style::PLAIN);
        assert!(!line.contains('\u{1b}'), "{line}");
        assert!(
            line.starts_with(
                "2026-01-01T00:00:00Z 127.0.0.1:5000 target-unreachable client=CN=app"
            ),
            "{line}"
        );
        assert!(line.ends_with(" sni=localhost TLSv1.3 TLS_AES_256_GCM_SHA384 up=10 down=20 1.5 s: cannot reach the target 127.0.0.1:1: connection refused"), "{line}");
    }

    const ON: Style = Style { color: true };

    #[test]
    fn colour_marks_the_time_and_the_outcome_only_when_asked() {
        let mut rec = record();
        rec.outcome = Outcome::Closed;
        rec.reason = None;
        let plain = connection_line(&rec, Style::PLAIN);
        assert!(
            plain.starts_with("2026-01-01T00:00:00Z 127.0.0.1:5000 closed "),
            "{plain}"
        );
        let coloured = connection_line(&rec, ON);
        assert!(
            coloured.starts_with(
                "\x1b[2m2026-01-01T00:00:00Z\x1b[0m 127.0.0.1:5000 \x1b[32mclosed\x1b[0m client="
            ),
            "{coloured:?}"
        );
        rec.outcome = Outcome::Busy;
        assert!(connection_line(&rec, ON).contains(" \x1b[33mbusy\x1b[0m"));
        rec.outcome = Outcome::Denied;
        assert!(connection_line(&rec, ON).contains(" \x1b[1;31mdenied\x1b[0m"));
    }

    fn summary_text(s: &Summary, style: Style) -> String {
        let mut out = Vec::new();
        summary(&mut out, s, style).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_summary_in_both_styles() {
        let s = Summary {
            event: "summary",
            stopped_by: Some("SIGTERM".into()),
            duration_ms: 2500,
            connections: 3,
            ok: 2,
            failed: [(Outcome::Busy, 1)].into_iter().collect(),
            bytes_up: 10,
            bytes_down: 20,
            dropped_events: 4,
        };
        assert_eq!(
            summary_text(&s, Style::PLAIN),
            "stopped on SIGTERM, up 2.5 s
  connections:   3 (2 ok, 1 busy)
  bytes:         10 up (client to target), 20 down
  log:           4 connection lines dropped (stdout was not read fast enough)
"
        );
        assert_eq!(
            summary_text(&s, ON),
            "\x1b[1mstopped\x1b[0m on SIGTERM, up 2.5 s
  \x1b[2mconnections:  \x1b[0m 3 (2 ok, 1 busy)
  \x1b[2mbytes:        \x1b[0m 10 up (client to target), 20 down
  \x1b[2mlog:          \x1b[0m \x1b[33m4 connection lines dropped (stdout was not read fast enough)\x1b[0m
"
        );
    }

    #[test]
    fn warnings_and_failed_reloads_on_stderr_are_red_when_coloured() {
        let mut err = Vec::new();
        let event = Event::Warning {
            message: "odd\x1b[0m".into(),
        };
        stderr_lines(&mut err, &event, Style::PLAIN).unwrap();
        stderr_lines(&mut err, &event, ON).unwrap();
        stderr_lines(
            &mut err,
            &Event::ReloadFailed {
                reason: "no key".into(),
            },
            ON,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(err).unwrap(),
            "tlskit: warning: odd\\e[0m
tlskit: \x1b[1;31mwarning:\x1b[0m \x1b[31modd\\e[0m\x1b[0m
tlskit: \x1b[1;31mreload failed:\x1b[0m no key
"
        );
    }
}
