//! `scan`'s report as text: the grade and its reasons, protocols, suites,
//! groups, features and the certificate (through the one certificate renderer);
//! the summaries of many targets are in [`fleet`].

use std::io::Write;

mod fleet;

pub use fleet::{baseline_summary, grade_number, policy_summary, prometheus, summary_table};

use super::cert::{self, Cert};
use super::{field_styled, sanitize, Style, Tone};
use crate::scan::baseline::{BaselineDiff, Direction};
use crate::scan::certs::CertReport;
use crate::scan::grade::Grade;
use crate::scan::policy::PolicyVerdict;
use crate::scan::registry::{Strength, Version};
use crate::scan::report::{DowngradeMechanism, GroupSectionKind, Report};
use crate::scan::revocation::RevocationFinding;
use crate::scan::safe::{SafeCheck, SafeVerdict};
use crate::scan::session::KeyKind;

/// The grade as a coloured badge (padded inside its background), or plain
/// text, aligned with the other values, when colour is off.
fn grade_badge(g: Grade, style: Style) -> String {
    if !style.color {
        return g.to_string();
    }
    let tone = match g {
        Grade::APlus | Grade::A => Tone::BadgeGood,
        Grade::AMinus | Grade::B => Tone::BadgeWarn,
        _ => Tone::BadgeBad,
    };
    style.paint(tone, format!(" {g} "))
}

fn yes_no(v: Option<bool>, good: bool, style: Style) -> String {
    match v {
        Some(x) if x == good => style.paint(Tone::Good, if x { "yes" } else { "no" }),
        Some(x) => style.paint(Tone::BadSoft, if x { "yes" } else { "no" }),
        None => style.paint(Tone::Dim, "unknown"),
    }
}

fn plain(v: Option<bool>, style: Style) -> String {
    match v {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => style.paint(Tone::Dim, "unknown"),
    }
}

/// Writes the report as text.
pub fn render(out: &mut dyn Write, r: &Report, quiet: bool, style: Style) -> std::io::Result<()> {
    let field =
        |out: &mut dyn Write, label: &str, value: String| field_styled(out, style, label, value);
    writeln!(
        out,
        "{} {} ({}, {})",
        style.paint(Tone::Strong, "Scanned"),
        style.paint(Tone::Strong, sanitize(&r.target)),
        r.address,
        sanitize(&r.server_name)
    )?;
    field(out, "grade", grade_badge(r.grade, style))?;
    for c in &r.grade_caps {
        writeln!(
            out,
            "    {} {}",
            style.paint(Tone::Strong, format!("{:<2}", c.grade)),
            sanitize(&c.reason)
        )?;
    }
    if quiet {
        return Ok(());
    }

    writeln!(out, "{}", style.paint(Tone::Strong, "Protocols"))?;
    for p in &r.protocols {
        let good = !p.version.deprecated();
        let state = match p.accepted {
            Some(true) if good => style.paint(Tone::Good, "accepted"),
            Some(true) => style.paint(Tone::Bad, "accepted"),
            Some(false) if good && p.version == Version::Tls13 => {
                style.paint(Tone::Warn, "not accepted")
            }
            Some(false) => "not accepted".to_string(),
            None => style.paint(Tone::Warn, "unknown"),
        };
        let detail = match (&p.detail, p.accepted) {
            (Some(d), Some(false) | None) => style.paint(Tone::Dim, format!(" ({})", sanitize(d))),
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
            style.paint(Tone::Strong, "Cipher suites"),
            style.paint(Tone::Strong, s.version.name()),
            s.suites.len()
        )?;
        for e in &s.suites {
            let strength = match e.strength {
                Strength::Strong => style.paint(Tone::Good, "strong"),
                Strength::Weak => style.paint(Tone::Warn, "weak"),
                Strength::Insecure => style.paint(Tone::Bad, "insecure"),
            };
            let kx = match (&e.group, e.dh_bits) {
                (Some(g), _) => sanitize(g).into_owned(),
                (None, Some(b)) => format!("DH {b} bits"),
                _ => String::new(),
            };
            writeln!(out, "  {:<48} {:<18} {strength}", e.name, kx)?;
        }
        if let Some(why) = &s.incomplete {
            writeln!(
                out,
                "  {} {}",
                style.paint(Tone::Warn, "incomplete:"),
                sanitize(why)
            )?;
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
        writeln!(out, "{} ({order})", style.paint(Tone::Strong, title))?;
        let names: Vec<String> = g
            .groups
            .iter()
            .map(|e| {
                if e.post_quantum {
                    style.paint(Tone::Good, format!("{} (post-quantum)", e.name))
                } else if e.security_bits < 112 {
                    style.paint(Tone::BadSoft, &e.name)
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
            writeln!(
                out,
                "  {} {}",
                style.paint(Tone::Warn, "incomplete:"),
                sanitize(why)
            )?;
        }
    }

    writeln!(out, "{}", style.paint(Tone::Strong, "Features"))?;
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
            format!("{} {}", style.paint(Tone::BadSoft, "failed:"), sanitize(e)),
        )?;
    }
    let alpn: Vec<String> = r
        .alpn
        .iter()
        .map(|a| format!("{} {}", a.protocol, plain(a.accepted, style)))
        .collect();
    field(out, "ALPN", alpn.join(", "))?;
    field(out, "OCSP stapling", plain(r.ocsp_stapling, style))?;
    if let Some(f) = &r.revocation {
        field(out, "Revocation", revocation_text(f, style))?;
    }
    let res = &r.resumption;
    let mut parts = Vec::new();
    if res.tls13_tickets.is_some() {
        parts.push(format!(
            "TLS 1.3 tickets {}",
            plain(res.tls13_tickets, style)
        ));
    }
    if res.tls12_session_ids.is_some() || res.tls12_tickets.is_some() {
        parts.push(format!(
            "TLS 1.2 session IDs {}",
            plain(res.tls12_session_ids, style)
        ));
        parts.push(format!(
            "TLS 1.2 tickets {}",
            plain(res.tls12_tickets, style)
        ));
    }
    field(
        out,
        "resumption",
        if parts.is_empty() {
            style.paint(Tone::Dim, "unknown")
        } else {
            parts.join(", ")
        },
    )?;
    let cc = &r.client_certificate;
    let client = match (cc.requested, cc.required) {
        (Some(true), Some(true)) => "required".to_string(),
        (Some(true), _) => "requested (optional)".to_string(),
        (Some(false), _) => "not requested".to_string(),
        (None, _) => style.paint(Tone::Dim, "unknown"),
    };
    field(out, "client cert", client)?;
    if r.secure_renegotiation.is_some() {
        field(
            out,
            "secure reneg.",
            yes_no(r.secure_renegotiation, true, style),
        )?;
    }
    if r.compression.is_some() {
        field(out, "compression", yes_no(r.compression, false, style))?;
    }
    if let Some(d) = &r.downgrade_protection {
        let how = match d.mechanism {
            DowngradeMechanism::Tls13Sentinel => "TLS 1.3 downgrade sentinel",
            DowngradeMechanism::FallbackScsv => "TLS_FALLBACK_SCSV",
        };
        field(
            out,
            "downgrade",
            format!("{} ({how})", yes_no(Some(d.protected), true, style)),
        )?;
    }

    if !r.safe_probes.is_empty() {
        writeln!(out, "{}", style.paint(Tone::Strong, "Safe probes"))?;
        for f in &r.safe_probes {
            let name = match f.check {
                SafeCheck::Heartbleed => "Heartbleed",
                SafeCheck::CcsInjection => "CCS injection",
                SafeCheck::GreaseIntolerance => "GREASE",
                SafeCheck::VersionIntolerance => "versions",
                SafeCheck::ExtensionIntolerance => "extensions",
                SafeCheck::RecordSizeLimit => "record size",
            };
            let intolerance = !matches!(f.check, SafeCheck::Heartbleed | SafeCheck::CcsInjection);
            let verdict = match (f.verdict, intolerance) {
                (SafeVerdict::Vulnerable, false) => style.paint(Tone::Bad, "VULNERABLE"),
                (SafeVerdict::Vulnerable, true) => style.paint(Tone::Warn, "intolerant"),
                (SafeVerdict::NotVulnerable, false) => style.paint(Tone::Good, "not vulnerable"),
                (SafeVerdict::NotVulnerable, true) => style.paint(Tone::Good, "tolerant"),
                (SafeVerdict::Unknown, _) => style.paint(Tone::Dim, "unknown"),
            };
            field(
                out,
                name,
                format!(
                    "{verdict} {}",
                    style.paint(Tone::Dim, format!("({})", sanitize(&f.detail)))
                ),
            )?;
        }
    }

    match &r.certificate {
        None => writeln!(
            out,
            "{} {}",
            style.paint(Tone::Strong, "Certificate"),
            style.paint(Tone::BadSoft, "none obtained")
        )?,
        Some(c) => certificate(out, c, !r.additional_certificates.is_empty(), style)?,
    }
    for c in &r.additional_certificates {
        certificate(out, c, true, style)?;
        if let Some(f) = &c.revocation {
            field_styled(out, style, "revocation", revocation_text(f, style))?;
        }
    }
    for n in &r.certificates_by_name {
        let name = sanitize(&n.sni);
        // With several certificates for the name, each title names its kind of key.
        let kind =
            |c: &CertReport| match c.key_kind.filter(|_| !n.additional_certificates.is_empty()) {
                Some(k) => format!(" ({})", key_kind_name(k)),
                None => String::new(),
            };
        match &n.certificate {
            Some(c) => {
                let same = if n.same_as_main {
                    " (the main one)"
                } else {
                    ""
                };
                let title = format!("Certificate for SNI {name}{}{same}", kind(c));
                certificate_titled(out, c, &title, style)?;
            }
            None => writeln!(
                out,
                "{} {}",
                style.paint(Tone::Strong, format!("Certificate for SNI {name}")),
                style.paint(
                    Tone::BadSoft,
                    format!(
                        "none obtained: {}",
                        sanitize(n.error.as_deref().unwrap_or("no answer"))
                    )
                )
            )?,
        }
        if let Some(f) = &n.revocation {
            field_styled(out, style, "revocation", revocation_text(f, style))?;
        }
        for c in &n.additional_certificates {
            let title = format!("Certificate for SNI {name}{}", kind(c));
            certificate_titled(out, c, &title, style)?;
            if let Some(f) = &c.revocation {
                field_styled(out, style, "revocation", revocation_text(f, style))?;
            }
        }
    }
    if let Some(p) = &r.policy {
        policy(out, p, style)?;
    }
    if let Some(b) = &r.baseline {
        baseline(out, b, style)?;
    }
    writeln!(
        out,
        "{}",
        style.paint(
            Tone::Dim,
            format!("{} probes in {:.2} s", r.probes, r.elapsed_ms / 1000.0)
        )
    )?;
    Ok(())
}

/// A policy's verdict: compliant, or each violation with what to change.
fn policy(out: &mut dyn Write, p: &PolicyVerdict, style: Style) -> std::io::Result<()> {
    let n = p.violations.len();
    let state = if n == 0 {
        style.paint(Tone::Good, "compliant")
    } else {
        style.paint(
            Tone::Bad,
            format!("{n} violation{}", if n == 1 { "" } else { "s" }),
        )
    };
    writeln!(
        out,
        "{} {}: {state}",
        style.paint(Tone::Strong, "Policy"),
        sanitize(&p.policy)
    )?;
    for v in &p.violations {
        writeln!(
            out,
            "  {} {}",
            style.paint(Tone::BadSoft, "✗"),
            sanitize(&v.found)
        )?;
        writeln!(
            out,
            "    {} {}",
            style.paint(Tone::Dim, "change:"),
            sanitize(&v.fix)
        )?;
    }
    Ok(())
}

/// The changes since a baseline, regressions first.
fn baseline(out: &mut dyn Write, b: &BaselineDiff, style: Style) -> std::io::Result<()> {
    let count = |d: Direction| b.changes.iter().filter(|c| c.direction == d).count();
    let (worse, better) = (count(Direction::Regression), count(Direction::Improvement));
    let other = b.changes.len() - worse - better;
    let head = if !b.in_baseline {
        style.paint(Tone::Dim, "not in the baseline")
    } else if b.changes.is_empty() {
        style.paint(Tone::Good, "no change")
    } else {
        let w = format!("{worse} regression{}", if worse == 1 { "" } else { "s" });
        let w = if worse > 0 {
            style.paint(Tone::Bad, w)
        } else {
            w
        };
        format!(
            "{w}, {better} improvement{}, {other} other change{}",
            if better == 1 { "" } else { "s" },
            if other == 1 { "" } else { "s" }
        )
    };
    writeln!(
        out,
        "{} {head}",
        style.paint(Tone::Strong, "Since the baseline:")
    )?;
    if !b.in_baseline {
        return Ok(());
    }
    for c in &b.changes {
        let label = match c.direction {
            Direction::Regression => style.paint(Tone::Bad, "regression "),
            Direction::Improvement => style.paint(Tone::Good, "improvement"),
            Direction::Neutral => "change     ".to_string(),
        };
        writeln!(out, "  {label} {}", sanitize(&c.what))?;
    }
    Ok(())
}

fn key_kind_name(k: KeyKind) -> &'static str {
    k.name()
}

/// `--check-revocation`'s finding about the leaf, on one line.
fn revocation_text(f: &RevocationFinding, style: Style) -> String {
    match (&f.leaf, &f.sentence) {
        // Several certificates checked: each, leaf first.
        (Some(_), _) if f.certificates.len() > 1 => f
            .certificates
            .iter()
            .map(|c| {
                format!(
                    "#{} {}",
                    c.position,
                    super::revocation::status_line(c, style)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        (Some(leaf), _) => super::revocation::status_line(leaf, style),
        (None, Some(s)) => format!(
            "{} ({})",
            style.paint(Tone::WarnStrong, "not checked"),
            sanitize(s)
        ),
        (None, None) => style.paint(Tone::WarnStrong, "not checked"),
    }
}

/// One certificate with its verdict, chain and findings; `kind` names its
/// key kind in the title (a server with several certificates).
fn certificate(
    out: &mut dyn Write,
    c: &CertReport,
    kind: bool,
    style: Style,
) -> std::io::Result<()> {
    let title = match c.key_kind.filter(|_| kind) {
        Some(k) => format!("Certificate ({})", key_kind_name(k)),
        None => "Certificate".to_string(),
    };
    certificate_titled(out, c, &title, style)
}

/// One certificate under `title`.
fn certificate_titled(
    out: &mut dyn Write,
    c: &CertReport,
    title: &str,
    style: Style,
) -> std::io::Result<()> {
    let verdict = match &c.verification_error {
        None if c.trusted_by_pin => {
            format!("{} (by --pin)", style.paint(Tone::GoodStrong, "verified"))
        }
        None => style.paint(Tone::GoodStrong, "verified"),
        Some(why) => format!(
            "{} {}",
            style.paint(Tone::Bad, "NOT VERIFIED:"),
            style.paint(Tone::BadSoft, sanitize(why))
        ),
    };
    writeln!(out, "{} {verdict}", style.paint(Tone::Strong, title))?;
    if let Some(leaf) = c.chain.first() {
        cert::render(out, Cert::Summary(leaf), style)?;
    }
    if c.chain.len() > 1 {
        let issuers: Vec<String> = c.chain[1..]
            .iter()
            .map(|s| sanitize(&s.subject).into_owned())
            .collect();
        field_styled(out, style, "chain", issuers.join(" <- "))?;
    }
    for f in &c.findings {
        writeln!(
            out,
            "  {} {}: {}",
            style.paint(Tone::Warn, "finding"),
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
        let mut r = crate::scan::grade::tests::model();
        r.grade = Grade::A;
        let mut out = Vec::new();
        render(&mut out, &r, false, Style::PLAIN).unwrap();
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

    const ON: Style = Style { color: true };

    #[test]
    fn colour_paints_the_badge_headings_and_verdicts_and_nothing_when_off() {
        let mut r = crate::scan::grade::tests::model();
        r.grade = Grade::A;
        let mut out = Vec::new();
        render(&mut out, &r, false, ON).unwrap();
        let text = String::from_utf8(out).unwrap();
        let want = "\
\x1b[1mScanned\x1b[0m \x1b[1mt:443\x1b[0m (192.0.2.1:443, t)
  \x1b[2mgrade:        \x1b[0m \x1b[1;42;30m A \x1b[0m
\x1b[1mProtocols\x1b[0m
  TLSv1.3        \x1b[32maccepted\x1b[0m
  TLSv1.2        \x1b[32maccepted\x1b[0m
  TLSv1.1        not accepted
";
        assert!(text.starts_with(want), "{text:?}");
        assert!(
            text.contains(
                "  \x1b[2mdowngrade:    \x1b[0m \x1b[32myes\x1b[0m (TLS 1.3 downgrade sentinel)\n"
            ),
            "{text:?}"
        );
        assert!(
            text.ends_with("\x1b[2m0 probes in 0.00 s\x1b[0m\n"),
            "{text:?}"
        );
        // The same report without colour has no escape sequence at all.
        let mut plain = Vec::new();
        render(&mut plain, &r, false, Style::PLAIN).unwrap();
        assert!(!plain.contains(&0x1b));
        r.grade = Grade::F;
        let mut out = Vec::new();
        render(&mut out, &r, true, ON).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("  \x1b[2mgrade:        \x1b[0m \x1b[1;41;37m F \x1b[0m\n"),
            "{text:?}"
        );
    }
}
