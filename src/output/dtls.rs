//! Text for DTLS: the `connect --dtls` report, the one line `serve --dtls`
//! logs per association, and its closing summary.

use std::io::Write;

use colored::Colorize;

use super::{field, sanitize};
use crate::cmd::connect::{trust_label, ChainCert};
use crate::cmd::dtls::ConnectReport;
use crate::dtls::server::{Association, End, Summary};
use crate::output::cert::summary as render_cert;
use crate::server::log::human_duration;

fn ms(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.2} ms"))
}

/// The report of `tlskit connect --dtls`.
pub fn render_connect(out: &mut dyn Write, r: &ConnectReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} ({} over UDP)",
        "Connected to".green().bold(),
        sanitize(&r.target).bold(),
        r.address.as_deref().unwrap_or("?")
    )?;
    let mut steps = Vec::new();
    if let Some(v) = ms(r.timings.dns_ms) {
        steps.push(format!("DNS {v}"));
    }
    if let Some(v) = ms(r.timings.handshake_ms) {
        steps.push(format!("DTLS {v}"));
    }
    field(out, "timings", steps.join(", "))?;
    if let Some(h) = &r.handshake {
        field(out, "protocol", h.protocol.name())?;
        field(
            out,
            "cipher suite",
            h.cipher_suite.as_deref().unwrap_or("unknown"),
        )?;
        field(out, "key exchange", h.group.as_deref().unwrap_or("unknown"))?;
        let cookie = if h.cookie_exchange {
            "yes (the server made us prove our address before it answered in full)"
        } else {
            "no (the server answered in full without checking our address)"
        };
        field(out, "cookie", cookie)?;
    }
    let f = &r.flights;
    let resent = if f.retransmissions == 0 {
        "none resent".to_string()
    } else {
        format!("{} resent", f.retransmissions).yellow().to_string()
    };
    field(
        out,
        "datagrams",
        format!(
            "{} sent, {} received in the handshake, {resent}; MTU {} bytes",
            f.datagrams_sent, f.datagrams_received, r.mtu
        ),
    )?;
    let cc = &r.client_certificate;
    let client = match cc.requested {
        Some(false) => "not requested".to_string(),
        Some(true) if cc.offered => "requested; sent".to_string(),
        Some(true) => "requested; none given (a throwaway self-signed one was sent)".to_string(),
        None if cc.offered => "offered if requested (DTLS 1.3 encrypts the request)".to_string(),
        None => "not known (DTLS 1.3 encrypts the request)".to_string(),
    };
    field(out, "client cert", client)?;
    let v = &r.verification;
    let verdict = if v.verified && v.trust == "pin" {
        format!(
            "{} (trusted by the pin: no trusted CA signed this certificate)",
            "OK".green().bold()
        )
    } else if v.verified {
        let pin = if v.pin_matched == Some(true) {
            ", pin matched"
        } else {
            ""
        };
        format!(
            "{} (trusted via {}{pin})",
            "OK".green().bold(),
            trust_label(v.trust)
        )
    } else {
        let why = v.error.as_deref().unwrap_or("not checked");
        format!("{} {}", "NOT VERIFIED:".red().bold(), sanitize(why).red())
    };
    field(out, "verification", verdict)?;
    render_chain(out, &r.chain)
}

/// The server's certificate as DTLS shows it (the leaf only).
pub fn render_chain(out: &mut dyn Write, chain: &[ChainCert]) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        "Server certificate (DTLS here sees the leaf only):".bold()
    )?;
    for c in chain {
        render_cert(out, &c.summary)?;
    }
    Ok(())
}

/// One line per association, as `serve` logs a connection.
pub fn association_line(a: &Association) -> String {
    let outcome = match a.end {
        End::Closed => a.end.label().green(),
        End::IdleTimeout | End::Shutdown | End::HandshakeTimeout => a.end.label().yellow(),
        End::HandshakeFailed
        | End::CertificateRejected
        | End::Denied
        | End::TargetUnreachable
        | End::Error => a.end.label().red().bold(),
    };
    let mut s = format!("{} {} {}", a.time.dimmed(), sanitize(&a.peer), outcome);
    if let Some(h) = &a.handshake {
        s.push_str(&format!(
            " {} {} {}",
            h.protocol.name(),
            h.cipher_suite.as_deref().unwrap_or("-"),
            h.group.as_deref().unwrap_or("-")
        ));
    }
    if a.established {
        s.push_str(&format!(
            " client={} in={}/{}B out={}/{}B",
            a.client_subject
                .as_deref()
                .map(sanitize)
                .unwrap_or("-".into()),
            a.datagrams_in,
            a.bytes_in,
            a.datagrams_out,
            a.bytes_out
        ));
    }
    s.push_str(&format!(" {}", human_duration(a.duration_ms)));
    if let Some(reason) = &a.reason {
        s.push_str(&format!(": {}", sanitize(reason)));
    }
    s
}

/// The closing summary of `serve --dtls`.
pub fn render_summary(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    let why = match s.stopped_by {
        Some(sig) => format!("on {sig}"),
        None => "after --max-accept associations".to_string(),
    };
    writeln!(
        out,
        "{} {why}, up {}",
        "stopped".bold(),
        human_duration(s.uptime_ms)
    )?;
    field(
        out,
        "associations",
        format!(
            "{} ({} handshakes completed, {} failed; peak {} peers at once)",
            s.associations, s.handshakes, s.handshake_failures, s.peak_peers
        ),
    )?;
    field(
        out,
        "turned away",
        format!(
            "{} cookie challenges unanswered, {} refused (table full), {} stray datagrams",
            s.unanswered_challenges, s.refused, s.stray_datagrams
        ),
    )?;
    field(
        out,
        "bytes",
        format!("{} in, {} out", s.bytes_in, s.bytes_out),
    )
}

/// The report of `tlskit bench --dtls`.
pub fn render_bench(
    out: &mut dyn Write,
    r: &crate::dtls::bench::BenchReport,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {:.1} DTLS handshakes/s ({} completed, {} failed, in {:.2} s)",
        "bench:".bold(),
        r.handshakes_per_s,
        r.handshakes,
        r.failed,
        r.elapsed_s
    )?;
    if let (Some(p50), Some(p99)) = (r.handshake_p50_ms, r.handshake_p99_ms) {
        field(
            out,
            "handshake",
            format!("p50 {p50:.2} ms, p99 {p99:.2} ms"),
        )?;
    }
    field(out, "retransmitted", r.retransmissions)?;
    if r.datagrams_sent > 0 {
        let corrupted = if r.datagrams_corrupted == 0 {
            "0 corrupted".green().to_string()
        } else {
            format!("{} CORRUPTED", r.datagrams_corrupted)
                .red()
                .bold()
                .to_string()
        };
        field(
            out,
            "echo",
            format!(
                "{} sent, {} back intact ({:.1}/s), {} lost, {corrupted}",
                r.datagrams_sent, r.datagrams_echoed, r.datagrams_per_s, r.datagrams_lost
            ),
        )?;
    }
    if let Some(f) = &r.first_failure {
        field(out, "first failure", sanitize(f))?;
    }
    Ok(())
}

/// The report of `tlskit scan --dtls`.
pub fn render_scan(out: &mut dyn Write, r: &crate::dtls::scan::ScanReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} (DTLS)",
        "Scan of".bold(),
        sanitize(&r.target).bold()
    )?;
    for v in &r.versions {
        let text = match v.accepted {
            Some(true) => format!("{} ({})", "accepted".green().bold(), v.suites.join(", ")),
            Some(false) => format!(
                "{}{}",
                "not accepted".yellow(),
                v.note
                    .as_deref()
                    .map(|n| format!(" ({})", sanitize(n)))
                    .unwrap_or_default()
            ),
            None => v
                .note
                .as_deref()
                .map(sanitize)
                .unwrap_or_default()
                .into_owned(),
        };
        field(out, v.version, text)?;
    }
    for f in &r.findings {
        field(out, "finding", sanitize(&f.message).red().bold())?;
    }
    Ok(())
}
