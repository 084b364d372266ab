//! `scan`'s report as text: the grade and its reasons, protocols, suites,
//! groups, features and the certificate (through the one certificate renderer).

use std::io::Write;

use colored::{ColoredString, Colorize};

use super::cert::summary as render_cert;
use super::{field, sanitize};
use crate::scan::certs::CertReport;
use crate::scan::grade::Grade;
use crate::scan::registry::{Strength, Version};
use crate::scan::report::{DowngradeMechanism, GroupSectionKind, Report};
use crate::scan::session::KeyKind;

/// The grade as a coloured badge (padded inside its background), or plain
/// text, aligned with the other values, when colour is off.
fn grade_colored(g: Grade) -> String {
    if !colored::control::SHOULD_COLORIZE.should_colorize() {
        return g.to_string();
    }
    let s = format!(" {g} ");
    match g {
        Grade::APlus | Grade::A => s.black().on_green().bold(),
        Grade::AMinus | Grade::B => s.black().on_yellow().bold(),
        _ => s.white().on_red().bold(),
    }
    .to_string()
}

fn yes_no(v: Option<bool>, good: bool) -> ColoredString {
    match v {
        Some(x) if x == good => (if x { "yes" } else { "no" }).green(),
        Some(x) => (if x { "yes" } else { "no" }).red(),
        None => "unknown".dimmed(),
    }
}

fn plain(v: Option<bool>) -> ColoredString {
    match v {
        Some(true) => "yes".normal(),
        Some(false) => "no".normal(),
        None => "unknown".dimmed(),
    }
}

/// Writes the report as text.
pub fn render(out: &mut dyn Write, r: &Report, quiet: bool) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} ({}, {})",
        "Scanned".bold(),
        sanitize(&r.target).bold(),
        r.address,
        sanitize(&r.server_name)
    )?;
    writeln!(
        out,
        "  {:<14} {}",
        "grade:".dimmed(),
        grade_colored(r.grade)
    )?;
    for c in &r.grade_caps {
        writeln!(
            out,
            "    {} {}",
            format!("{:<2}", c.grade).bold(),
            sanitize(&c.reason)
        )?;
    }
    if quiet {
        return Ok(());
    }

    writeln!(out, "{}", "Protocols".bold())?;
    for p in &r.protocols {
        let good = !p.version.deprecated();
        let state = match p.accepted {
            Some(true) if good => "accepted".green(),
            Some(true) => "accepted".red().bold(),
            Some(false) if good && p.version == Version::Tls13 => "not accepted".yellow(),
            Some(false) => "not accepted".normal(),
            None => "unknown".yellow(),
        };
        let detail = match (&p.detail, p.accepted) {
            (Some(d), Some(false) | None) => format!(" ({})", sanitize(d)).dimmed().to_string(),
            _ => String::new(),
        };
        writeln!(out, "  {:<14} {state}{detail}", p.version.name())?;
    }

    for s in &r.cipher_suites {
        let order = match s.server_preference {
            Some(true) => "server's order",
            Some(false) => "no server preference: follows the client",
            None => "order not determined",
        };
        writeln!(
            out,
            "{} {} ({} suites, {order})",
            "Cipher suites".bold(),
            s.version.name().bold(),
            s.suites.len()
        )?;
        for e in &s.suites {
            let strength = match e.strength {
                Strength::Strong => "strong".green(),
                Strength::Weak => "weak".yellow(),
                Strength::Insecure => "insecure".red().bold(),
            };
            let kx = match (&e.group, e.dh_bits) {
                (Some(g), _) => sanitize(g).into_owned(),
                (None, Some(b)) => format!("DH {b} bits"),
                _ => String::new(),
            };
            writeln!(out, "  {:<48} {:<18} {strength}", e.name, kx)?;
        }
        if let Some(why) = &s.incomplete {
            writeln!(out, "  {} {}", "incomplete:".yellow(), sanitize(why))?;
        }
    }

    for g in &r.groups {
        let title = if g.kind == GroupSectionKind::Tls13 {
            "Groups (TLS 1.3)".to_string()
        } else {
            format!("Groups (ECDHE, {})", g.version.name())
        };
        let order = match g.server_preference {
            Some(true) => "server's order",
            Some(false) => "client's order",
            None => "order not determined",
        };
        writeln!(out, "{} ({order})", title.bold())?;
        let names: Vec<String> = g
            .groups
            .iter()
            .map(|e| {
                if e.post_quantum {
                    format!("{} (post-quantum)", e.name).green().to_string()
                } else if e.security_bits < 112 {
                    e.name.red().to_string()
                } else {
                    e.name.clone()
                }
            })
            .collect();
        writeln!(
            out,
            "  {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )?;
        if let Some(why) = &g.incomplete {
            writeln!(out, "  {} {}", "incomplete:".yellow(), sanitize(why))?;
        }
    }

    writeln!(out, "{}", "Features".bold())?;
    if let Some(n) = &r.negotiated {
        field(
            out,
            "negotiated",
            format!("{}, {}, {}", n.protocol, n.cipher_suite, n.group_display()),
        )?;
    } else if let Some(e) = &r.handshake_error {
        field(
            out,
            "handshake",
            format!("{} {}", "failed:".red(), sanitize(e)),
        )?;
    }
    let alpn: Vec<String> = r
        .alpn
        .iter()
        .map(|a| format!("{} {}", a.protocol, plain(a.accepted)))
        .collect();
    field(out, "ALPN", alpn.join(", "))?;
    field(out, "OCSP stapling", plain(r.ocsp_stapling))?;
    let res = &r.resumption;
    let mut parts = Vec::new();
    if res.tls13_tickets.is_some() {
        parts.push(format!("TLS 1.3 tickets {}", plain(res.tls13_tickets)));
    }
    if res.tls12_session_ids.is_some() || res.tls12_tickets.is_some() {
        parts.push(format!(
            "TLS 1.2 session IDs {}",
            plain(res.tls12_session_ids)
        ));
        parts.push(format!("TLS 1.2 tickets {}", plain(res.tls12_tickets)));
    }
    field(
        out,
        "resumption",
        if parts.is_empty() {
            "unknown".dimmed().to_string()
        } else {
            parts.join(", ")
        },
    )?;
    let cc = &r.client_certificate;
    let client = match (cc.requested, cc.required) {
        (Some(true), Some(true)) => "required".to_string(),
        (Some(true), _) => "requested (optional)".to_string(),
        (Some(false), _) => "not requested".to_string(),
        (None, _) => "unknown".dimmed().to_string(),
    };
    field(out, "client cert", client)?;
    if r.secure_renegotiation.is_some() {
        field(out, "secure reneg.", yes_no(r.secure_renegotiation, true))?;
    }
    if r.compression.is_some() {
        field(out, "compression", yes_no(r.compression, false))?;
    }
    if let Some(d) = &r.downgrade_protection {
        let how = match d.mechanism {
            DowngradeMechanism::Tls13Sentinel => "TLS 1.3 downgrade sentinel",
            DowngradeMechanism::FallbackScsv => "TLS_FALLBACK_SCSV",
        };
        field(
            out,
            "downgrade",
            format!("{} ({how})", yes_no(Some(d.protected), true)),
        )?;
    }

    match &r.certificate {
        None => writeln!(out, "{} {}", "Certificate".bold(), "none obtained".red())?,
        Some(c) => certificate(out, c, !r.additional_certificates.is_empty())?,
    }
    for c in &r.additional_certificates {
        certificate(out, c, true)?;
    }
    writeln!(
        out,
        "{}",
        format!("{} probes in {:.2} s", r.probes, r.elapsed_ms / 1000.0).dimmed()
    )?;
    Ok(())
}

fn key_kind_name(k: KeyKind) -> &'static str {
    match k {
        KeyKind::Rsa => "RSA",
        KeyKind::Ecdsa => "ECDSA",
        KeyKind::Ed25519 => "Ed25519",
    }
}

/// One certificate with its verdict, chain and findings; `kind` names its
/// key kind in the title (a server with several certificates).
fn certificate(out: &mut dyn Write, c: &CertReport, kind: bool) -> std::io::Result<()> {
    let verdict = match &c.verification_error {
        None => "verified".green().bold().to_string(),
        Some(why) => format!("{} {}", "NOT VERIFIED:".red().bold(), sanitize(why).red()),
    };
    let title = match c.key_kind.filter(|_| kind) {
        Some(k) => format!("Certificate ({})", key_kind_name(k)),
        None => "Certificate".to_string(),
    };
    writeln!(out, "{} {verdict}", title.bold())?;
    if let Some(leaf) = c.chain.first() {
        render_cert(out, leaf)?;
    }
    if c.chain.len() > 1 {
        let issuers: Vec<String> = c.chain[1..]
            .iter()
            .map(|s| sanitize(&s.subject).into_owned())
            .collect();
        field(out, "chain", issuers.join(" <- "))?;
    }
    for f in &c.findings {
        writeln!(
            out,
            "  {} {}: {}",
            "finding".yellow(),
            f.code,
            sanitize(&f.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_report_renders_in_full_without_colour() {
        colored::control::set_override(false);
        let mut r = crate::scan::grade::tests::model();
        r.grade = Grade::A;
        let mut out = Vec::new();
        render(&mut out, &r, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let want = "\
Scanned t:443 (192.0.2.1:443, t)
  grade:         A
Protocols
  TLSv1.3        accepted
  TLSv1.2        accepted
  TLSv1.1        not accepted
  TLSv1.0        not accepted
  SSLv3          not accepted
Cipher suites TLSv1.3 (3 suites, no server preference: follows the client)
  TLS_AES_128_GCM_SHA256                           ";
        assert!(text.starts_with(want), "{text}");
        assert!(
            text.contains("  downgrade:     yes (TLS 1.3 downgrade sentinel)\n"),
            "{text}"
        );
        assert!(text.contains("Groups (TLS 1.3) (client's order)\n  X25519, secp256r1, X25519MLKEM768 (post-quantum)\n"), "{text}");
        assert!(text.ends_with("0 probes in 0.00 s\n"), "{text}");
    }
}
