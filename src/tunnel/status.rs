//! `--status ADDR`: a small HTTP endpoint with the tunnel's counters, as
//! JSON (`/`) and in the Prometheus text format (`/metrics`). One request per
//! connection, bounded in size and time; nothing here can stall the tunnel.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Counters, Event, Events, Mode, Outcome, Stats};

/// Where a status page gets the seconds left on what the tunnel loaded.
pub(crate) type Expiry = Arc<dyn Fn() -> Deadlines + Send + Sync>;

/// Seconds left, now, on what a server tunnel loaded (negative once past).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Deadlines {
    /// The served certificate's notAfter.
    pub(crate) certificate: Option<i64>,
    /// The soonest nextUpdate of the `--crl` files.
    pub(crate) crl: Option<i64>,
}

impl Deadlines {
    /// The seconds from now to `certificate` and `crl` (seconds since the epoch).
    pub(crate) fn from_now(certificate: Option<i64>, crl: Option<i64>) -> Deadlines {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        Deadlines {
            certificate: certificate.map(|t| t - now),
            crl: crl.map(|t| t - now),
        }
    }
}

/// The JSON document at `/`.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Server or client.
    pub mode: Mode,
    /// The counters.
    #[serde(flatten)]
    pub counters: Counters,
    /// Seconds until the served certificate expires (server mode; negative once expired).
    pub certificate_expires_in_seconds: Option<i64>,
    /// Seconds until the soonest nextUpdate of the `--crl` files (server mode with
    /// `--crl`); negative once one is stale, when the clients of its issuer are refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crl_next_update_in_seconds: Option<i64>,
}

/// The status endpoint while it runs: it stops when dropped.
pub(crate) struct Running(tokio::task::JoinHandle<()>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts serving the counters on `listener`, when `--status` gave one, and
/// announces the address it listens on.
pub(crate) async fn start(
    listener: Option<TcpListener>,
    mode: Mode,
    stats: &Arc<Stats>,
    expiry: Expiry,
    events: &Events,
) -> Option<Running> {
    let listener = listener?;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let task = tokio::spawn(serve(listener, mode, stats.clone(), expiry));
    events.important(Event::StatusListening { addr }).await;
    Some(Running(task))
}

/// Serves status requests until the task is dropped.
async fn serve(listener: TcpListener, mode: Mode, stats: Arc<Stats>, expiry: Expiry) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let stats = stats.clone();
        let expiry = expiry.clone();
        tokio::spawn(async move {
            let _ =
                tokio::time::timeout(Duration::from_secs(5), answer(tcp, mode, &stats, &expiry))
                    .await;
        });
    }
}

async fn answer(
    mut tcp: TcpStream,
    mode: Mode,
    stats: &Stats,
    expiry: &Expiry,
) -> std::io::Result<()> {
    // The request line and headers; nothing larger is read.
    let mut buf = vec![0u8; 4096];
    let mut len = 0;
    while len < buf.len() {
        let n = tcp.read(&mut buf[len..]).await?;
        if n == 0 {
            break;
        }
        len += n;
        if buf[..len].windows(4).any(|w| w == b"\r\n\r\n")
            || buf[..len].windows(2).any(|w| w == b"\n\n")
        {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buf[..len]);
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let deadlines = expiry();
    let status = Status {
        mode,
        counters: stats.counters(),
        certificate_expires_in_seconds: deadlines.certificate,
        crl_next_update_in_seconds: deadlines.crl,
    };
    let (code, kind, body) = match (method, path.split('?').next().unwrap_or("")) {
        ("GET" | "HEAD", "/" | "/status") => (
            "200 OK",
            "application/json",
            crate::text::json::to_line(&status).unwrap_or_default() + "\n",
        ),
        ("GET" | "HEAD", "/metrics") => (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            prometheus(&status),
        ),
        ("GET" | "HEAD", _) => (
            "404 Not Found",
            "text/plain",
            "try / or /metrics\n".to_string(),
        ),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            "GET only\n".to_string(),
        ),
    };
    let mut response = format!(
        "HTTP/1.1 {code}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        response.push_str(&body);
    }
    tcp.write_all(response.as_bytes()).await?;
    tcp.shutdown().await
}

/// The counters in the Prometheus text exposition format.
pub fn prometheus(s: &Status) -> String {
    let c = &s.counters;
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
        out.push_str(&format!("# HELP tlskit_tunnel_{name} {help}\n"));
        out.push_str(&format!("# TYPE tlskit_tunnel_{name} {kind}\n"));
        for (labels, value) in samples {
            out.push_str(&format!("tlskit_tunnel_{name}{labels} {value}\n"));
        }
    };
    metric(
        "connections_open",
        "gauge",
        "Connections open now.",
        &[(String::new(), c.connections_open.to_string())],
    );
    metric(
        "connections_total",
        "counter",
        "Connections accepted.",
        &[(String::new(), c.connections_total.to_string())],
    );
    let failures: Vec<(String, String)> = ALL_FAILURES
        .iter()
        .map(|o| {
            let n = c.failures.get(o).copied().unwrap_or(0);
            (
                format!("{{outcome=\"{}\"}}", outcome_name(*o)),
                n.to_string(),
            )
        })
        .collect();
    metric(
        "connections_failed_total",
        "counter",
        "Connections that did not end well, by outcome (handshake failures, refusals, timeouts).",
        &failures,
    );
    metric(
        "bytes_total",
        "counter",
        "Bytes forwarded, by direction (up: client to target).",
        &[
            ("{direction=\"up\"}".into(), c.bytes_up.to_string()),
            ("{direction=\"down\"}".into(), c.bytes_down.to_string()),
        ],
    );
    if let Some(secs) = s.certificate_expires_in_seconds {
        metric(
            "certificate_expiry_seconds",
            "gauge",
            "Seconds until the served certificate expires.",
            &[(String::new(), secs.to_string())],
        );
    }
    if let Some(secs) = s.crl_next_update_in_seconds {
        metric(
            "crl_next_update_seconds",
            "gauge",
            "Seconds until the soonest nextUpdate of the --crl files; negative once one is stale (its issuer's clients are refused).",
            &[(String::new(), secs.to_string())],
        );
    }
    out
}

const ALL_FAILURES: [Outcome; 9] = [
    Outcome::HandshakeFailed,
    Outcome::Denied,
    Outcome::HandshakeTimeout,
    Outcome::Busy,
    Outcome::TargetUnreachable,
    Outcome::RevocationRefused,
    Outcome::IdleTimeout,
    Outcome::CutOff,
    Outcome::Error,
];

fn outcome_name(o: Outcome) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_text_names_every_failure_outcome() {
        let stats = Stats::default();
        let text = prometheus(&Status {
            mode: Mode::Server,
            counters: stats.counters(),
            certificate_expires_in_seconds: Some(86_400),
            crl_next_update_in_seconds: Some(-60),
        });
        assert!(
            text.contains("tlskit_tunnel_connections_open 0\n"),
            "{text}"
        );
        assert!(text.contains("tlskit_tunnel_connections_failed_total{outcome=\"denied\"} 0\n"));
        assert!(text.contains("tlskit_tunnel_bytes_total{direction=\"up\"} 0\n"));
        assert!(text.contains("tlskit_tunnel_certificate_expiry_seconds 86400\n"));
        assert!(text.contains("tlskit_tunnel_crl_next_update_seconds -60\n"));
    }
}
