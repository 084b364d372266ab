//! `connect`'s text: the report of a TLS connection (what was negotiated and
//! verified, the chain as sent), the heading shown when a handshake failed,
//! and the `--insecure` warning. Colour comes as a [`Style`] for the stream
//! written to.

use std::io::Write;

use serde::Serialize;

use super::{field_styled, sanitize, Ctx, Style, Tone};
use crate::report::connect::{OcspReport, Reconnect, Report, TofuReport, TofuState};
use crate::report::{Trust, Verification};
use crate::tls::handshake::Kind as HandshakeKind;
use crate::tls::ocsp::CertStatus;

mod chain;

pub use chain::{render_chain, render_failed, Transport};

/// How the report names what vouched for a verified chain.
pub fn trust_label(t: Trust) -> &'static str {
    match t {
        Trust::CaFile => "the --ca file",
        Trust::System => "the system trust store",
        Trust::Pin => "the pin alone: no trusted CA signed this certificate",
        Trust::WebpkiRoots => "the Mozilla roots (webpki-roots)",
    }
}

/// The line `--insecure` earns on stderr.
pub fn insecure_warning(style: Style) -> String {
    format!(
        "tlskit: {} {}",
        style.paint(Tone::Bad, "warning:"),
        style.paint(
            Tone::BadSoft,
            "--insecure: the certificate is not verified; anyone on the path could impersonate this server"
        )
    )
}

/// Writes a connect report (TLS or DTLS): JSON with `--json`, else `text`
/// in the style of the stream; nothing with `-q`. `to_stderr` when stdout
/// carries the server's data or the PEM chain.
pub fn emit<T: Serialize>(
    ctx: &Ctx,
    to_stderr: bool,
    report: &T,
    text: impl FnOnce(&mut dyn Write, Style) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if ctx.quiet && !ctx.json {
        return Ok(());
    }
    if !to_stderr {
        return ctx.emit(report, |out| text(out, ctx.stdout_style()));
    }
    let mut err = std::io::stderr().lock();
    if ctx.json {
        super::write_json(&mut err, report)?;
    } else {
        text(&mut err, ctx.stderr_style())?;
    }
    Ok(())
}

fn ms(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.2} ms"))
}

/// `label: value`, the label dimmed.
fn field(
    out: &mut dyn Write,
    style: Style,
    label: &str,
    value: impl std::fmt::Display,
) -> std::io::Result<()> {
    field_styled(out, style, label, value)
}

/// The text report.
pub fn render(out: &mut dyn Write, r: &Report, style: Style) -> std::io::Result<()> {
    let addr = r.address.as_deref().unwrap_or("?");
    writeln!(
        out,
        "{} {} ({addr})",
        style.paint(Tone::GoodStrong, "Connected to"),
        style.paint(Tone::Strong, sanitize(&r.target))
    )?;
    let t = &r.timings;
    let mut steps = Vec::new();
    for (name, v) in [
        ("DNS", t.dns_ms),
        ("TCP", t.tcp_ms),
        ("STARTTLS", t.starttls_ms),
        ("TLS", t.tls_ms),
    ] {
        if let Some(v) = ms(v) {
            steps.push(format!("{name} {v}"));
        }
    }
    field(out, style, "timings", steps.join(", "))?;
    if let Some(p) = &r.starttls {
        let proto = p.protocol.map_or("?".to_string(), |p| p.to_string());
        let greeting = p.greeting.as_deref().unwrap_or("");
        field(
            out,
            style,
            "STARTTLS",
            format!("{proto} ({})", sanitize(greeting)),
        )?;
    }
    if let Some(h) = &r.handshake {
        field(out, style, "protocol", h.protocol)?;
        field(out, style, "cipher suite", &h.cipher_suite)?;
        let group = if h.post_quantum {
            style.paint(Tone::Good, h.group_display())
        } else {
            h.group_display()
        };
        field(out, style, "key exchange", group)?;
        field(
            out,
            style,
            "ALPN",
            h.alpn
                .as_deref()
                .map_or("none".to_string(), |a| sanitize(a).into_owned()),
        )?;
        field(out, style, "SNI", r.sni.as_deref().unwrap_or("not sent"))?;
        let kind = match h.handshake_kind {
            HandshakeKind::FullWithHelloRetryRequest => "full, with HelloRetryRequest",
            other => other.name(),
        };
        field(out, style, "handshake", kind)?;
    }
    let cc = &r.client_certificate;
    let client = if !cc.requested {
        "not requested".to_string()
    } else {
        let hints = if cc.ca_hints.is_empty() {
            "no CA hints".to_string()
        } else {
            format!("CAs: {}", sanitize(&cc.ca_hints.join("; ")))
        };
        format!(
            "requested ({hints}); {}",
            if cc.sent { "sent" } else { "none sent" }
        )
    };
    field(out, style, "client cert", client)?;
    field(out, style, "OCSP staple", ocsp_text(&r.ocsp, style))?;
    field(out, style, "verification", verdict(&r.verification, style))?;
    if let Some(t) = &r.tofu {
        field(out, style, "TOFU", tofu_text(t, style))?;
    }
    if let Some(rc) = &r.reconnect {
        field(out, style, "reconnect", reconnect_text(rc, style))?;
    }
    if let Some(rev) = &r.revocation {
        // Colour here still follows the global switch until the revocation
        // renderer takes a Style of its own.
        super::revocation::render(out, rev, style)?;
    }
    render_chain(out, &r.chain, style)
}

/// The verification line: OK and what vouched, or why not.
pub fn verdict(v: &Verification, style: Style) -> String {
    if v.verified && v.trust == Trust::Pin {
        format!(
            "{} (trusted by the pin: no trusted CA signed this certificate)",
            style.paint(Tone::GoodStrong, "OK")
        )
    } else if v.verified {
        let pin = match v.pin_matched {
            Some(true) => ", pin matched",
            _ => "",
        };
        format!(
            "{} (trusted via {}{pin})",
            style.paint(Tone::GoodStrong, "OK"),
            trust_label(v.trust)
        )
    } else {
        let why = v.error.as_deref().unwrap_or("not checked");
        format!(
            "{} {}",
            style.paint(Tone::Bad, "NOT VERIFIED:"),
            style.paint(Tone::BadSoft, sanitize(why))
        )
    }
}

fn tofu_text(t: &TofuReport, style: Style) -> String {
    match t.state {
        TofuState::Recorded => format!(
            "{} {} for {} (first contact; in '{}')",
            style.paint(Tone::WarnStrong, "recorded"),
            t.pin,
            sanitize(&t.host_port),
            sanitize(&t.store)
        ),
        TofuState::Matched => format!(
            "{} the pin recorded at {}",
            style.paint(Tone::GoodStrong, "matches"),
            t.recorded_at
        ),
    }
}

fn reconnect_text(rc: &Reconnect, style: Style) -> String {
    if rc.resumed {
        return format!(
            "{} (TLS {})",
            style.paint(Tone::Good, "resumed"),
            ms(rc.timings.tls_ms).unwrap_or_default()
        );
    }
    let why = match rc.tickets_received {
        Some(0) => "; the server sent no session ticket".to_string(),
        Some(n) => format!(
            "; the server sent {n} session ticket{} but did not accept {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        ),
        None => String::new(),
    };
    format!(
        "{} ({}{why})",
        style.paint(Tone::Warn, "not resumed"),
        rc.handshake_kind.name()
    )
}

fn ocsp_text(o: &OcspReport, style: Style) -> String {
    if !o.stapled {
        return "none".to_string();
    }
    if let Some(e) = &o.parse_error {
        return format!(
            "{} {}",
            style.paint(Tone::BadSoft, "unreadable:"),
            sanitize(e)
        );
    }
    let Some(s) = &o.summary else {
        return "none".to_string();
    };
    let Some(status) = &s.cert_status else {
        return style.paint(Tone::Warn, format!("responder said {}", s.response_status));
    };
    let tone = match status {
        CertStatus::Good => Tone::GoodStrong,
        CertStatus::Revoked => Tone::Bad,
        CertStatus::Unknown => Tone::WarnStrong,
    };
    let mut parts = Vec::new();
    if let Some(t) = &s.revocation_time {
        let reason = s
            .revocation_reason
            .as_deref()
            .map(|r| format!(", {r}"))
            .unwrap_or_default();
        parts.push(format!("revoked at {t}{reason}"));
    }
    if let Some(t) = &s.this_update {
        parts.push(format!("this update {t}"));
    }
    match &s.next_update {
        Some(t) => parts.push(format!("next update {t}")),
        None => parts.push("no next update".to_string()),
    }
    parts.push("signature not checked".to_string());
    format!("{} ({})", style.paint(tone, status), parts.join(", "))
}

#[cfg(test)]
mod tests;
