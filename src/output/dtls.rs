//! Text for DTLS: the `connect --dtls` report, the one line `serve --dtls`
//! logs per association, and its closing summary.

use std::io::Write;

use super::cert::{self, Cert};
use super::connect::verdict;
use super::{field_styled as field, sanitize, Style, Tone};
use crate::dtls::server::{Association, End, Summary};
use crate::report::dtls::{ClientAuth, ConnectReport, Ready};
use crate::report::ChainCert;
use crate::server::log::human_duration;

fn ms(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.2} ms"))
}

/// The report of `tlskit connect --dtls`.
pub fn render_connect(out: &mut dyn Write, r: &ConnectReport, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} ({} over UDP)",
        style.paint(Tone::GoodStrong, "Connected to"),
        style.paint(Tone::Strong, sanitize(&r.target)),
        r.address.as_deref().unwrap_or("?")
    )?;
    let mut steps = Vec::new();
    if let Some(v) = ms(r.timings.dns_ms) {
        steps.push(format!("DNS {v}"));
    }
    if let Some(v) = ms(r.timings.handshake_ms) {
        steps.push(format!("DTLS {v}"));
    }
    field(out, style, "timings", steps.join(", "))?;
    if let Some(h) = &r.handshake {
        field(out, style, "protocol", h.protocol.name())?;
        field(
            out,
            style,
            "cipher suite",
            h.cipher_suite.as_deref().unwrap_or("unknown"),
        )?;
        field(
            out,
            style,
            "key exchange",
            h.group.as_deref().unwrap_or("unknown"),
        )?;
        let cookie = if h.cookie_exchange {
            "yes (the server made us prove our address before it answered in full)"
        } else {
            "no (the server answered in full without checking our address)"
        };
        field(out, style, "cookie", cookie)?;
    }
    let f = &r.flights;
    let resent = if f.retransmissions == 0 {
        "none resent".to_string()
    } else {
        style.paint(Tone::Warn, format!("{} resent", f.retransmissions))
    };
    field(
        out,
        style,
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
    field(out, style, "client cert", client)?;
    field(out, style, "verification", verdict(&r.verification, style))?;
    if let Some(rev) = &r.revocation {
        super::revocation::render(out, rev, style)?;
    }
    render_chain(out, &r.chain, style)
}

/// The server's certificate as DTLS shows it (the leaf only).
pub fn render_chain(out: &mut dyn Write, chain: &[ChainCert], style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{}",
        style.paint(
            Tone::Strong,
            "Server certificate (DTLS here sees the leaf only):"
        )
    )?;
    for c in chain {
        cert::render(out, Cert::Summary(&c.summary), style)?;
    }
    Ok(())
}

/// What `serve --dtls` prints once it listens: its certificate, what it
/// serves, its limits, and the command that connects to it.
pub fn render_banner(out: &mut dyn Write, r: &Ready<'_>, style: Style) -> std::io::Result<()> {
    let leaf = r.certificate;
    let origin = if r.ephemeral {
        "ephemeral: made at start-up, in memory only"
    } else if leaf.self_issued {
        "self-signed"
    } else {
        "CA-issued"
    };
    field(
        out,
        style,
        "certificate",
        format!("{} ({origin})", sanitize(&leaf.subject)),
    )?;
    if !leaf.sans.is_empty() {
        field(out, style, "SANs", sanitize(&leaf.sans.join(", ")))?;
    }
    field(out, style, "key", &leaf.key)?;
    field(
        out,
        style,
        "valid until",
        format!(
            "{} ({})",
            leaf.not_after,
            style.paint(
                super::days_left_tone(leaf.days_left),
                super::describe_validity(leaf.days_left, leaf.days_until_valid)
            )
        ),
    )?;
    field(out, style, "SHA-256", &leaf.sha256_fingerprint)?;
    field(
        out,
        style,
        "SPKI pin",
        style.paint(Tone::Strong, &leaf.spki_pin),
    )?;
    let clients = match r.client_auth {
        ClientAuth::Required => "client certificates required",
        ClientAuth::Optional => "client certificates optional",
        ClientAuth::Off => "no client certificates",
    };
    field(
        out,
        style,
        "serving",
        format!(
            "DTLS echo, {}, {clients}, datagrams up to {} bytes, cookie exchange on",
            r.versions.join(" and "),
            r.mtu
        ),
    )?;
    field(
        out,
        style,
        "limits",
        format!(
            "{} peers, handshake {}, idle {}",
            r.max_connections,
            human_duration(r.handshake_timeout_ms),
            r.idle_timeout_ms
                .map_or("unlimited".to_string(), human_duration)
        ),
    )?;
    field(out, style, "connect", style.paint(Tone::Strong, &r.connect))
}

/// One line per association, as `serve` logs a connection.
pub fn association_line(a: &Association, style: Style) -> String {
    let tone = match a.end {
        End::Closed => Tone::Good,
        End::IdleTimeout | End::Shutdown | End::CutOff | End::HandshakeTimeout => Tone::Warn,
        End::HandshakeFailed
        | End::CertificateRejected
        | End::Denied
        | End::TargetUnreachable
        | End::RevocationRefused
        | End::Error => Tone::Bad,
    };
    let mut s = format!(
        "{} {} {}",
        style.paint(Tone::Dim, &a.time),
        sanitize(&a.peer),
        style.paint(tone, a.end.label())
    );
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
pub fn render_summary(out: &mut dyn Write, s: &Summary, style: Style) -> std::io::Result<()> {
    let why = match s.stopped_by {
        Some(sig) => format!("on {sig}"),
        None => "after --max-accept associations".to_string(),
    };
    writeln!(
        out,
        "{} {why}, up {}",
        style.paint(Tone::Strong, "stopped"),
        human_duration(s.uptime_ms)
    )?;
    field(
        out,
        style,
        "associations",
        format!(
            "{} ({} handshakes completed, {} failed; peak {} peers at once)",
            s.associations, s.handshakes, s.handshake_failures, s.peak_peers
        ),
    )?;
    field(
        out,
        style,
        "turned away",
        format!(
            "{} cookie challenges unanswered, {} refused (table full), {} stray datagrams",
            s.unanswered_challenges, s.refused, s.stray_datagrams
        ),
    )?;
    field(
        out,
        style,
        "bytes",
        format!("{} in, {} out", s.bytes_in, s.bytes_out),
    )
}

/// The report of `tlskit bench --dtls`.
pub fn render_bench(
    out: &mut dyn Write,
    r: &crate::dtls::bench::BenchReport,
    style: Style,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {:.1} DTLS handshakes/s ({} completed, {} failed, in {:.2} s)",
        style.paint(Tone::Strong, "bench:"),
        r.handshakes_per_s,
        r.handshakes,
        r.failed,
        r.elapsed_s
    )?;
    if let (Some(p50), Some(p99)) = (r.handshake_p50_ms, r.handshake_p99_ms) {
        field(
            out,
            style,
            "handshake",
            format!("p50 {p50:.2} ms, p99 {p99:.2} ms"),
        )?;
    }
    field(out, style, "retransmitted", r.retransmissions)?;
    if r.datagrams_sent > 0 {
        let corrupted = if r.datagrams_corrupted == 0 {
            style.paint(Tone::Good, "0 corrupted")
        } else {
            style.paint(Tone::Bad, format!("{} CORRUPTED", r.datagrams_corrupted))
        };
        field(
            out,
            style,
            "echo",
            format!(
                "{} sent, {} back intact ({:.1}/s), {} lost, {corrupted}",
                r.datagrams_sent, r.datagrams_echoed, r.datagrams_per_s, r.datagrams_lost
            ),
        )?;
    }
    if let Some(f) = &r.first_failure {
        field(out, style, "first failure", sanitize(f))?;
    }
    if let Some(cpu) = &r.server_cpu {
        let per = cpu
            .per_handshake_us
            .map_or(String::new(), |us| format!(", {us:.1} µs per handshake"));
        field(
            out,
            style,
            "server CPU",
            format!("{:.3} s{per}", cpu.total_s),
        )?;
    }
    Ok(())
}

/// The report of `tlskit scan --dtls`.
pub fn render_scan(
    out: &mut dyn Write,
    r: &crate::dtls::scan::ScanReport,
    style: Style,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} (DTLS)",
        style.paint(Tone::Strong, "Scan of"),
        style.paint(Tone::Strong, sanitize(&r.target))
    )?;
    for v in &r.versions {
        let text = match v.accepted {
            Some(true) => format!(
                "{} ({})",
                style.paint(Tone::GoodStrong, "accepted"),
                v.suites.join(", ")
            ),
            Some(false) => format!(
                "{}{}",
                style.paint(Tone::Warn, "not accepted"),
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
        field(out, style, v.version, text)?;
    }
    for f in &r.findings {
        field(
            out,
            style,
            "finding",
            style.paint(Tone::Bad, sanitize(&f.message)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtls::{Negotiated, Version};

    fn association(end: End) -> Association {
        Association {
            event: "association",
            time: "12:00:00".to_string(),
            peer: "127.0.0.1:5000".to_string(),
            handshake: Some(Negotiated {
                protocol: Version::Dtls13,
                cipher_suite: Some("TLS_AES_128_GCM_SHA256".to_string()),
                group: Some("X25519".to_string()),
                cookie_exchange: true,
            }),
            established: true,
            client_subject: Some("CN=client\x1b]".to_string()),
            datagrams_in: 2,
            bytes_in: 20,
            datagrams_out: 3,
            bytes_out: 30,
            duration_ms: 1500,
            end,
            reason: None,
        }
    }

    #[test]
    fn association_lines_plain_and_coloured() {
        let a = association(End::Closed);
        assert_eq!(
            association_line(&a, Style::PLAIN),
            "12:00:00 127.0.0.1:5000 closed DTLSv1.3 TLS_AES_128_GCM_SHA256 X25519 client=CN=client\\e] in=2/20B out=3/30B 1.5s"
        );
        let on = Style { color: true };
        assert!(association_line(&a, on)
            .starts_with("\x1b[2m12:00:00\x1b[0m 127.0.0.1:5000 \x1b[32mclosed\x1b[0m DTLSv1.3 "));
        let mut failed = association(End::HandshakeFailed);
        failed.reason = Some("bad record".to_string());
        assert!(association_line(&failed, on).contains("\x1b[1;31mhandshake failed\x1b[0m"));
        assert!(association_line(&failed, on).ends_with(": bad record"));
    }
}
