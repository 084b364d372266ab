//! `bench`'s reports: the run's report and its text form, the warnings
//! bench prints on stderr, and the crypto floor (`bench --floor`).

use std::io::Write;

use serde::Serialize;

use super::{field_styled, sanitize, Style, Tone};
use crate::bench::floor::Floor;
use crate::bench::histogram::LatencySummary;
use crate::bench::{FailureCount, Kinds};
use crate::tls::handshake::HandshakeInfo;

/// The longest run, seconds (also the duration of a run limited by
/// `--connections` alone).
pub const MAX_SECS: f64 = 3600.0;

/// What was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Full handshakes (client resumption off).
    FullHandshakes,
    /// Handshakes with resumption on.
    ResumedHandshakes,
    /// Echo throughput.
    Echo,
}

/// The limits the run was given.
#[derive(Debug, Serialize)]
pub struct Limits {
    /// Connections open at once.
    pub concurrency: usize,
    /// No connection started after this many seconds.
    pub duration_s: f64,
    /// No connection started after this many.
    pub connections: Option<u64>,
    /// Per-connection timeout, seconds.
    pub timeout_s: f64,
    /// Echo size per connection.
    pub bytes_per_connection: Option<u64>,
    /// Echo bytes allowed in flight (`null`: no limit but TCP's).
    pub window: Option<u64>,
}

/// How many connections ended how.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Completed: handshake, echo if asked, close.
    pub succeeded: u64,
    /// Failed (see `failures`).
    pub failed: u64,
    /// Cut off by Ctrl-C or the hard time limit.
    pub unfinished: u64,
}

/// Echo throughput.
#[derive(Debug, Serialize)]
pub struct Throughput {
    /// Bytes echoed and verified (each counted once, not per direction).
    pub bytes: u64,
    /// Mebibytes (2^20) echoed per second of the run.
    pub mib_per_s: f64,
}

/// Latency distributions, milliseconds.
#[derive(Debug, Serialize)]
pub struct Latency {
    /// TCP connect + TLS handshake.
    pub handshake: Option<LatencySummary>,
    /// The whole connection, through the echo and the close.
    pub connection: Option<LatencySummary>,
}

/// The load generator's own CPU use: when it nears the machine's cores, the
/// client, not the server, is the limit.
#[derive(Debug, Serialize)]
pub struct ClientCpu {
    /// User CPU seconds.
    pub user_s: f64,
    /// System CPU seconds.
    pub system_s: f64,
    /// (user + system) ÷ elapsed: cores kept busy on average.
    pub cores: f64,
}

/// The server's CPU during the run (`--server-pid`), read from /proc.
#[derive(Debug, Serialize)]
pub struct ServerCpu {
    /// The processes measured (with their threads and children).
    pub pids: Vec<u32>,
    /// User + system CPU seconds they used during the run.
    pub total_s: f64,
    /// Microseconds of server CPU per successful connection (handshake, echo, close).
    pub per_connection_us: Option<f64>,
    /// Milliseconds of server CPU per MiB echoed (with --bytes).
    pub per_mib_ms: Option<f64>,
}

/// Whether bench verified the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checking {
    /// Verified (and pinned, with --pin).
    Verified,
    /// Not checked (`--insecure`).
    Insecure,
}

/// What `tlskit bench` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The target as given.
    pub target: String,
    /// The address dialled.
    pub address: String,
    /// The name sent as SNI and verified.
    pub server_name: String,
    /// What was measured.
    pub mode: Mode,
    /// Certificate checking: `verified`, or `insecure` (report-only).
    pub verification: Checking,
    /// The limits.
    pub limits: Limits,
    /// Seconds from the first connection's start to the last one's end.
    pub elapsed_s: f64,
    /// Connections by outcome.
    pub connections: Counts,
    /// Successful handshakes by kind.
    pub handshakes: Kinds,
    /// Successful connections (each one handshake) per second.
    pub handshakes_per_s: f64,
    /// Resumed handshakes per second (with --resume).
    pub resumed_per_s: Option<f64>,
    /// Echo throughput (with --bytes).
    pub throughput: Option<Throughput>,
    /// Latency percentiles.
    pub latency_ms: Latency,
    /// tlskit bench's own CPU time during the run (all its threads).
    pub client_cpu: ClientCpu,
    /// The server's CPU during the run, with --server-pid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu: Option<ServerCpu>,
    /// Milliseconds spent before the run making the echo body and its SHA-256
    /// (with --bytes; not part of `elapsed_s`).
    pub prepare_ms: Option<f64>,
    /// What the first successful handshake negotiated.
    pub negotiated: Option<HandshakeInfo>,
    /// Failures by kind, most frequent first.
    pub failures: Vec<FailureLine>,
    /// Stopped early by Ctrl-C or SIGTERM.
    pub interrupted: bool,
    /// Stopped early because every recent connection failed the same way.
    pub gave_up: Option<crate::bench::GaveUp>,
    /// The exit code of this run.
    pub exit_code: u8,
}

/// One line of the failures table: the engine's count and the exit code that
/// kind of failure ends the run with.
#[derive(Debug, Clone, Serialize)]
pub struct FailureLine {
    /// Kind, reason, count and example sentence.
    #[serde(flatten)]
    pub count: FailureCount,
    /// The exit code this failure maps to.
    pub exit_code: u8,
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1547.25` → `1,547.3`.
pub fn decimal(v: f64) -> String {
    let tenths = (v * 10.0).round().max(0.0) as u64;
    format!("{}.{}", thousands(tenths / 10), tenths % 10)
}

/// A size for people: `1,000 bytes`, `3.0 KiB`, `1.0 MiB`, `256 MiB` (an
/// echo of a few bytes is not `0.0 MiB`).
pub fn mib(bytes: u64) -> String {
    if bytes < 1024 {
        return format!(
            "{} byte{}",
            thousands(bytes),
            if bytes == 1 { "" } else { "s" }
        );
    }
    if bytes < 1 << 20 {
        return format!("{:.1} KiB", bytes as f64 / 1024.0);
    }
    let m = bytes as f64 / 1048576.0;
    if m >= 100.0 {
        format!("{m:.0} MiB")
    } else {
        format!("{m:.1} MiB")
    }
}

fn percentiles(s: &LatencySummary) -> String {
    format!(
        "p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        s.p50, s.p90, s.p99, s.max
    )
}

/// The headline figure: handshakes/s, or MiB/s in echo mode.
fn headline(r: &Report) -> String {
    match &r.throughput {
        Some(t) => format!("{:.1} MiB/s", t.mib_per_s),
        None => format!("{:.1} handshakes/s", r.handshakes_per_s),
    }
}

/// The text report (with `quiet`, the headline figure alone).
pub fn render(out: &mut dyn Write, r: &Report, quiet: bool, style: Style) -> std::io::Result<()> {
    let field = |out: &mut dyn Write, label: &str, value: &dyn std::fmt::Display| {
        field_styled(out, style, label, value)
    };
    if quiet {
        return writeln!(out, "{}", headline(r));
    }
    let what = match r.mode {
        Mode::FullHandshakes => "full handshakes".to_string(),
        Mode::ResumedHandshakes => "resumed handshakes".to_string(),
        Mode::Echo => format!(
            "echo of {} per connection",
            mib(r.limits.bytes_per_connection.unwrap_or(0))
        ),
    };
    let mut limit = match r.limits.connections {
        Some(1) => "1 connection".to_string(),
        Some(n) => format!("{} connections", thousands(n)),
        None => format!("{} s", r.limits.duration_s),
    };
    // Both given: the duration may stop the run before the count is reached.
    if r.limits.connections.is_some() && r.limits.duration_s < MAX_SECS {
        limit.push_str(&format!(" within {} s", r.limits.duration_s));
    }
    // Fewer connections than --concurrency never run more than their number at once.
    let at_once = r.limits.connections.map_or(r.limits.concurrency, |n| {
        r.limits.concurrency.min(n as usize)
    });
    writeln!(
        out,
        "{} {} ({})",
        style.paint(Tone::Strong, "bench"),
        sanitize(&r.target),
        sanitize(&r.server_name)
    )?;
    field(
        out,
        "mode",
        &format!("{what}, {at_once} at a time, {limit}"),
    )?;
    field(out, "address", &r.address)?;
    if let Some(n) = &r.negotiated {
        let mut parts = vec![n.protocol.to_string(), n.cipher_suite.clone()];
        if n.group.is_some() {
            parts.push(n.group_display());
        }
        field(out, "negotiated", &parts.join(", "))?;
    }
    if r.verification == Checking::Insecure {
        field(
            out,
            "verification",
            &style.paint(Tone::Bad, "OFF (--insecure)"),
        )?;
    }
    let failed = if r.connections.failed > 0 {
        style.paint(
            Tone::BadSoft,
            format!("{} failed", thousands(r.connections.failed)),
        )
    } else {
        "0 failed".to_string()
    };
    let mut conns = format!(
        "{} succeeded, {failed} in {:.2} s",
        thousands(r.connections.succeeded),
        r.elapsed_s
    );
    if r.connections.unfinished > 0 {
        conns.push_str(&format!(
            " ({} cut off)",
            thousands(r.connections.unfinished)
        ));
    }
    if r.interrupted {
        conns.push_str(", interrupted");
    }
    if let Some(g) = &r.gave_up {
        conns.push_str(&format!(
            ", stopped early: the last {} failed the same way ({})",
            thousands(g.after),
            g.kind.name()
        ));
    }
    field(out, "connections", &conns)?;
    if r.connections.succeeded == 0 {
        return render_failures(out, r, style);
    }
    let k = &r.handshakes;
    let mut kinds = vec![format!("{} full", thousands(k.full))];
    if k.full_with_hello_retry_request > 0 {
        kinds.push(format!(
            "{} full after HelloRetryRequest",
            thousands(k.full_with_hello_retry_request)
        ));
    }
    if r.mode == Mode::ResumedHandshakes || k.resumed > 0 {
        kinds.push(format!("{} resumed", thousands(k.resumed)));
    }
    field(out, "handshakes", &kinds.join(", "))?;
    match &r.throughput {
        Some(t) => field(
            out,
            "throughput",
            &format!(
                "{} echoed and verified (SHA-256), {}",
                mib(t.bytes),
                style.paint(Tone::Strong, format!("{} MiB/s", decimal(t.mib_per_s)))
            ),
        )?,
        None => {
            let mut rate = style.paint(
                Tone::Strong,
                format!("{} handshakes/s", decimal(r.handshakes_per_s)),
            );
            if let Some(res) = r.resumed_per_s {
                rate.push_str(&format!(" ({} resumed/s)", decimal(res)));
            }
            field(out, "rate", &rate)?;
        }
    }
    if let Some(s) = &r.latency_ms.handshake {
        field(out, "handshake", &percentiles(s))?;
    }
    if let Some(s) = &r.latency_ms.connection {
        field(out, "connection", &percentiles(s))?;
    }
    let c = &r.client_cpu;
    field(
        out,
        "client CPU",
        &format!(
            "{:.2} s user, {:.2} s system: {:.2} cores busy on average",
            c.user_s, c.system_s, c.cores
        ),
    )?;
    if let Some(sc) = &r.server_cpu {
        let mut parts = vec![format!("{:.2} s", sc.total_s)];
        if let Some(us) = sc.per_connection_us {
            parts.push(format!("{} µs per connection", decimal(us)));
        }
        if let Some(ms) = sc.per_mib_ms {
            parts.push(format!("{ms:.2} ms per MiB echoed"));
        }
        let pids: Vec<String> = sc.pids.iter().map(u32::to_string).collect();
        field(
            out,
            "server CPU",
            &format!("{} (pid {})", parts.join(", "), pids.join(", ")),
        )?;
    }
    render_failures(out, r, style)
}

fn render_failures(out: &mut dyn Write, r: &Report, style: Style) -> std::io::Result<()> {
    if !r.failures.is_empty() {
        writeln!(out, "  {}", style.paint(Tone::Dim, "failures:"))?;
        for f in &r.failures {
            writeln!(
                out,
                "  {:>10}  {}: {}",
                thousands(f.count.count),
                style.paint(Tone::BadSoft, f.count.kind.name()),
                sanitize(&f.count.example)
            )?;
        }
    }
    Ok(())
}

/// The crypto floor as text.
pub fn floor(out: &mut dyn Write, f: &Floor, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "Crypto floor of this machine (aws-lc through aws-lc-rs, one core, CPU time):"
    )?;
    let us = |v: f64| format!("{v:.1} µs");
    field_styled(
        out,
        style,
        "ECDSA P-256",
        format!("{} per signature", us(f.ecdsa_p256_sign_us)),
    )?;
    field_styled(
        out,
        style,
        "X25519",
        format!(
            "{} per key share, {} per agreement",
            us(f.x25519_keygen_us),
            us(f.x25519_agree_us)
        ),
    )?;
    field_styled(
        out,
        style,
        "ML-KEM-768",
        format!("{} per encapsulation", us(f.mlkem768_encapsulate_us)),
    )?;
    field_styled(
        out,
        style,
        "AES-256-GCM",
        format!(
            "{} per MiB sealed and opened (16 KiB records)",
            us(f.aes256gcm_seal_open_per_mib_us)
        ),
    )?;
    writeln!(out, "A full TLS 1.3 handshake costs a server at least:")?;
    field_styled(
        out,
        style,
        "X25519",
        format!(
            "{} (signature + key share + agreement)",
            us(f.handshake_x25519_us)
        ),
    )?;
    field_styled(
        out,
        style,
        "with ML-KEM",
        format!(
            "{} (X25519MLKEM768: the above + one ML-KEM-768 encapsulation)",
            us(f.handshake_x25519mlkem768_us)
        ),
    )?;
    field_styled(
        out,
        style,
        "key schedule",
        format!(
            "{} more (HKDF-SHA-384: 22 HMACs, the transcript, 4 AES keys)",
            us(f.key_schedule_sha384_us)
        ),
    )?;
    writeln!(
        out,
        "Loopback TCP with no TLS (this kernel, the server's system calls only):"
    )?;
    field_styled(
        out,
        style,
        "connection",
        format!(
            "{} (accept, two reads, a write, an alert with the FIN, close)",
            us(f.tcp.tcp_connection_us)
        ),
    )?;
    field_styled(
        out,
        style,
        "echo",
        format!(
            "{} per MiB read and written back",
            us(f.tcp.tcp_echo_per_mib_us)
        ),
    )?;
    field_styled(
        out,
        style,
        "forwarding",
        format!(
            "{} per MiB through a relay, both ways",
            us(f.tcp.tcp_relay_per_mib_us)
        ),
    )?;
    writeln!(
        out,
        "Together, a TLS server over loopback TCP spends at least:"
    )?;
    field_styled(
        out,
        style,
        "handshake",
        format!(
            "{} per full X25519 handshake",
            us(f.handshake_x25519_with_tcp_us)
        ),
    )?;
    field_styled(
        out,
        style,
        "echo",
        format!("{} per MiB echoed", us(f.echo_per_mib_with_tcp_us)),
    )?;
    field_styled(
        out,
        style,
        "tunnel",
        format!("{} per MiB forwarded", us(f.relay_per_mib_with_tcp_us)),
    )
}

/// The progress line a run on a terminal keeps rewriting on stderr
/// (`echoed`: bytes so far, in echo mode).
pub fn progress_line(secs: f64, ok: u64, failed: u64, echoed: Option<u64>) -> String {
    let rate = match echoed {
        Some(echoed) => {
            let per_s = (echoed as f64 / secs.max(1e-3)) as u64;
            format!("{} echoed, {}/s", mib(echoed), mib(per_s))
        }
        None => format!("{} handshakes/s", decimal(ok as f64 / secs.max(1e-3))),
    };
    format!(
        "\r\x1b[2K  {secs:5.1} s  {} ok  {} failed  {rate}",
        thousands(ok),
        thousands(failed)
    )
}

/// The warning `--insecure` prints on stderr before the run.
pub fn insecure_warning(style: Style) -> String {
    format!(
        "tlskit: {} {}",
        style.paint(Tone::Bad, "warning:"),
        style.paint(
            Tone::BadSoft,
            "--insecure: certificate errors are ignored; anyone on the path could impersonate this server"
        )
    )
}

/// The warning printed on stderr when `--resume` resumed nothing.
pub fn nothing_resumed_warning(style: Style) -> String {
    super::warning_line(
        "no session was resumed: does the server issue session tickets or keep session IDs?",
        style,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(decimal(1547.25), "1,547.3");
        assert_eq!(decimal(0.04), "0.0");
        assert_eq!(mib(1), "1 byte");
        assert_eq!(mib(1000), "1,000 bytes");
        assert_eq!(mib(65_537), "64.0 KiB");
        assert_eq!(mib(3 << 20), "3.0 MiB");
        assert_eq!(mib(256 << 20), "256 MiB");
    }
}
