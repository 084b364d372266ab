//! `scan`'s report as text: the grade and its reasons, protocols, suites,
//! groups, features and the certificate (through the one certificate renderer).

use std::io::Write;

use colored::{ColoredString, Colorize};

use super::cert::summary as render_cert;
use super::{field, sanitize};
use crate::revocation::Status;
use crate::scan::baseline::{BaselineDiff, Direction};
use crate::scan::certs::CertReport;
use crate::scan::fleet::Outcome;
use crate::scan::grade::Grade;
use crate::scan::policy::PolicyVerdict;
use crate::scan::registry::{Strength, Version};
use crate::scan::report::{DowngradeMechanism, GroupSectionKind, Report};
use crate::scan::revocation::RevocationFinding;
use crate::scan::safe::{SafeCheck, SafeVerdict};
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
    if let Some(f) = &r.revocation {
        field(out, "Revocation", revocation_text(f))?;
    }
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

    if !r.safe_probes.is_empty() {
        writeln!(out, "{}", "Safe probes".bold())?;
        for f in &r.safe_probes {
            let name = match f.check {
                SafeCheck::Heartbleed => "Heartbleed",
                SafeCheck::CcsInjection => "CCS injection",
                SafeCheck::GreaseIntolerance => "GREASE",
                SafeCheck::VersionIntolerance => "versions",
                SafeCheck::ExtensionIntolerance => "extensions",
            };
            let intolerance = !matches!(f.check, SafeCheck::Heartbleed | SafeCheck::CcsInjection);
            let verdict = match (f.verdict, intolerance) {
                (SafeVerdict::Vulnerable, false) => "VULNERABLE".red().bold(),
                (SafeVerdict::Vulnerable, true) => "intolerant".yellow(),
                (SafeVerdict::NotVulnerable, false) => "not vulnerable".green(),
                (SafeVerdict::NotVulnerable, true) => "tolerant".green(),
                (SafeVerdict::Unknown, _) => "unknown".dimmed(),
            };
            field(
                out,
                name,
                format!(
                    "{verdict} {}",
                    format!("({})", sanitize(&f.detail)).dimmed()
                ),
            )?;
        }
    }

    match &r.certificate {
        None => writeln!(out, "{} {}", "Certificate".bold(), "none obtained".red())?,
        Some(c) => certificate(out, c, !r.additional_certificates.is_empty())?,
    }
    for c in &r.additional_certificates {
        certificate(out, c, true)?;
    }
    if let Some(p) = &r.policy {
        policy(out, p)?;
    }
    if let Some(b) = &r.baseline {
        baseline(out, b)?;
    }
    writeln!(
        out,
        "{}",
        format!("{} probes in {:.2} s", r.probes, r.elapsed_ms / 1000.0).dimmed()
    )?;
    Ok(())
}

/// A policy's verdict: compliant, or each violation with what to change.
fn policy(out: &mut dyn Write, p: &PolicyVerdict) -> std::io::Result<()> {
    let n = p.violations.len();
    let state = if n == 0 {
        "compliant".green().to_string()
    } else {
        format!("{n} violation{}", if n == 1 { "" } else { "s" })
            .red()
            .bold()
            .to_string()
    };
    writeln!(out, "{} {}: {state}", "Policy".bold(), sanitize(&p.policy))?;
    for v in &p.violations {
        writeln!(out, "  {} {}", "✗".red(), sanitize(&v.found))?;
        writeln!(out, "    {} {}", "change:".dimmed(), sanitize(&v.fix))?;
    }
    Ok(())
}

/// The changes since a baseline, regressions first.
fn baseline(out: &mut dyn Write, b: &BaselineDiff) -> std::io::Result<()> {
    let count = |d: Direction| b.changes.iter().filter(|c| c.direction == d).count();
    let (worse, better) = (count(Direction::Regression), count(Direction::Improvement));
    let other = b.changes.len() - worse - better;
    let head = if !b.in_baseline {
        "not in the baseline".dimmed().to_string()
    } else if b.changes.is_empty() {
        "no change".green().to_string()
    } else {
        let w = format!("{worse} regression{}", if worse == 1 { "" } else { "s" });
        let w = if worse > 0 {
            w.red().bold().to_string()
        } else {
            w
        };
        format!(
            "{w}, {better} improvement{}, {other} other change{}",
            if better == 1 { "" } else { "s" },
            if other == 1 { "" } else { "s" }
        )
    };
    writeln!(out, "{} {head}", "Since the baseline:".bold())?;
    if !b.in_baseline {
        return Ok(());
    }
    for c in &b.changes {
        let label = match c.direction {
            Direction::Regression => "regression ".red().bold(),
            Direction::Improvement => "improvement".green(),
            Direction::Neutral => "change     ".normal(),
        };
        writeln!(out, "  {label} {}", sanitize(&c.what))?;
    }
    Ok(())
}

/// After a summary table: each target's changes since the baseline.
pub fn baseline_summary(out: &mut dyn Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        if let Some(b) = r.baseline.as_ref().filter(|b| !b.changes.is_empty()) {
            writeln!(out, "{}", sanitize(&r.target).bold())?;
            baseline(out, b)?;
        }
    }
    Ok(())
}

/// After a summary table: each target's policy violations.
pub fn policy_summary(out: &mut dyn Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        if let Some(p) = r.policy.as_ref().filter(|p| !p.violations.is_empty()) {
            writeln!(out, "{}", sanitize(&r.target).bold())?;
            policy(out, p)?;
        }
    }
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
        None if c.trusted_by_pin => {
            format!("{} (by --pin)", "verified".green().bold())
        }
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

/// "1.3 1.2": the accepted versions, newest first.
fn versions_short(r: &Report) -> String {
    let v: Vec<&str> = r
        .protocols
        .iter()
        .filter(|p| p.accepted == Some(true))
        .map(|p| p.version.name().trim_start_matches("TLSv"))
        .collect();
    if v.is_empty() {
        "-".to_string()
    } else {
        v.join(" ")
    }
}

/// Every certificate of a report: the main one and the others.
fn all_certificates(r: &Report) -> impl Iterator<Item = &CertReport> {
    r.certificate.iter().chain(r.additional_certificates.iter())
}

/// When the soonest-expiring certificate expires, in words.
fn soonest_expiry(r: &Report) -> (String, i64) {
    let leaf = all_certificates(r)
        .filter_map(|c| c.chain.first())
        .min_by_key(|c| c.days_left);
    match leaf {
        Some(c) => (
            super::describe_validity(c.days_left, c.days_until_valid),
            c.days_left,
        ),
        None => ("-".to_string(), i64::MAX),
    }
}

/// `--check-revocation`'s finding about the leaf, on one line.
fn revocation_text(f: &RevocationFinding) -> String {
    match (&f.leaf, &f.sentence) {
        (Some(leaf), _) => super::revocation::status_line(leaf),
        (None, Some(s)) => format!("{} ({})", "not checked".yellow().bold(), sanitize(s)),
        (None, None) => "not checked".yellow().bold().to_string(),
    }
}

/// Cuts `text` to at most `max` characters, marking the cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// The summary of many targets, worst first: target, grade, versions,
/// certificate expiry and the worst finding (or why there is no grade).
pub fn summary_table(out: &mut dyn Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    struct Row {
        rank: usize,
        target: String,
        grade: String,
        grade_plain: Option<Grade>,
        versions: String,
        expiry: (String, i64),
        worst: String,
    }
    let mut rows: Vec<Row> = outcomes
        .iter()
        .map(|o| match o {
            Ok(r) => Row {
                rank: 1 + Grade::ALL.len()
                    - Grade::ALL.iter().position(|g| *g == r.grade).unwrap_or(0),
                target: sanitize(&r.target).into_owned(),
                grade: r.grade.to_string(),
                grade_plain: Some(r.grade),
                versions: versions_short(r),
                expiry: soonest_expiry(r),
                worst: r
                    .grade_caps
                    .first()
                    .map(|c| c.reason.as_str())
                    .or_else(|| r.revocation.as_ref().and_then(|f| f.sentence.as_deref()))
                    .map_or_else(|| "none".to_string(), |w| sanitize(w).into_owned()),
            },
            Err(f) => Row {
                rank: 0,
                target: sanitize(&f.target).into_owned(),
                grade: "error".to_string(),
                grade_plain: None,
                versions: "-".to_string(),
                expiry: ("-".to_string(), i64::MAX),
                worst: sanitize(&format!("{:#}", f.error)).into_owned(),
            },
        })
        .collect();
    // Worst first: no grade, then F up to A+; in the given order within each.
    rows.sort_by_key(|r| (r.rank, r.expiry.1));
    let width = |f: &dyn Fn(&Row) -> usize, title: &str| {
        rows.iter().map(f).max().unwrap_or(0).max(title.len())
    };
    let wt = width(&|r| r.target.chars().count(), "TARGET");
    let wg = width(&|r| r.grade.len(), "GRADE");
    let wv = width(&|r| r.versions.len(), "VERSIONS");
    let we = width(&|r| r.expiry.0.len(), "EXPIRY");
    writeln!(
        out,
        "{}",
        format!(
            "{:<wt$}  {:<wg$}  {:<wv$}  {:<we$}  WORST FINDING",
            "TARGET", "GRADE", "VERSIONS", "EXPIRY"
        )
        .bold()
    )?;
    for r in &rows {
        let grade = format!("{:<wg$}", r.grade);
        let grade = match r.grade_plain {
            Some(Grade::APlus | Grade::A) => grade.green(),
            Some(Grade::AMinus | Grade::B) => grade.yellow(),
            _ => grade.red().bold(),
        };
        let expiry = format!("{:<we$}", r.expiry.0);
        let expiry = if r.expiry.1 == i64::MAX {
            expiry.normal()
        } else {
            super::days_left_colored(expiry, r.expiry.1)
        };
        writeln!(
            out,
            "{:<wt$}  {grade}  {:<wv$}  {expiry}  {}",
            r.target,
            r.versions,
            clip(&r.worst, 100)
        )?;
    }
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    writeln!(
        out,
        "{}",
        format!(
            "{} targets: {} graded, {failed} not graded",
            outcomes.len(),
            outcomes.len() - failed
        )
        .dimmed()
    )
}

/// The grade as a number for metrics: 7 for A+ down to 1 for F.
pub fn grade_number(g: Grade) -> usize {
    Grade::ALL.len()
        - Grade::ALL
            .iter()
            .position(|x| *x == g)
            .unwrap_or(Grade::ALL.len() - 1)
}

/// A Prometheus label value: sanitized, with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    sanitize(v)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The results in the Prometheus text exposition format, for node_exporter's
/// textfile collector: per target, whether it was scanned, its grade as a
/// number, the versions it accepts and seconds to each certificate's expiry.
pub fn prometheus(out: &mut dyn Write, outcomes: &[Outcome]) -> std::io::Result<()> {
    let target = |o: &Outcome| match o {
        Ok(r) => label(&r.target),
        Err(f) => label(&f.target),
    };
    writeln!(
        out,
        "# HELP tlskit_scan_success Whether the target was scanned and graded (1) or not (0)."
    )?;
    writeln!(out, "# TYPE tlskit_scan_success gauge")?;
    for o in outcomes {
        writeln!(
            out,
            "tlskit_scan_success{{target=\"{}\"}} {}",
            target(o),
            u8::from(o.is_ok())
        )?;
    }
    writeln!(
        out,
        "# HELP tlskit_scan_grade The grade as a number: 7 A+, 6 A, 5 A-, 4 B, 3 C, 2 D, 1 F."
    )?;
    writeln!(out, "# TYPE tlskit_scan_grade gauge")?;
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        writeln!(
            out,
            "tlskit_scan_grade{{target=\"{}\",grade=\"{}\"}} {}",
            label(&r.target),
            r.grade,
            grade_number(r.grade)
        )?;
    }
    writeln!(out, "# HELP tlskit_scan_version_accepted Whether the target accepts the protocol version (1) or not (0).")?;
    writeln!(out, "# TYPE tlskit_scan_version_accepted gauge")?;
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        for p in r.protocols.iter().filter(|p| p.accepted.is_some()) {
            writeln!(
                out,
                "tlskit_scan_version_accepted{{target=\"{}\",version=\"{}\"}} {}",
                label(&r.target),
                p.version.name(),
                u8::from(p.accepted == Some(true))
            )?;
        }
    }
    let checked: Vec<(&Report, &RevocationFinding)> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .filter_map(|r| Some((r, r.revocation.as_ref()?)))
        .collect();
    if !checked.is_empty() {
        writeln!(out, "# HELP tlskit_scan_revocation_known Whether the certificate's revocation status could be learned (1) or not (0) (--check-revocation).")?;
        writeln!(out, "# TYPE tlskit_scan_revocation_known gauge")?;
        for (r, f) in &checked {
            let known = matches!(f.status, Some(Status::Good | Status::Revoked));
            writeln!(
                out,
                "tlskit_scan_revocation_known{{target=\"{}\"}} {}",
                label(&r.target),
                u8::from(known)
            )?;
        }
        writeln!(out, "# HELP tlskit_scan_certificate_revoked Whether the certificate is revoked (1) or not (0), where its status is known.")?;
        writeln!(out, "# TYPE tlskit_scan_certificate_revoked gauge")?;
        for (r, f) in &checked {
            if let Some(s @ (Status::Good | Status::Revoked)) = f.status {
                writeln!(
                    out,
                    "tlskit_scan_certificate_revoked{{target=\"{}\"}} {}",
                    label(&r.target),
                    u8::from(s == Status::Revoked)
                )?;
            }
        }
    }
    writeln!(out, "# HELP tlskit_scan_certificate_expiry_seconds Seconds until the certificate's notAfter (negative once expired).")?;
    writeln!(out, "# TYPE tlskit_scan_certificate_expiry_seconds gauge")?;
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        for c in all_certificates(r) {
            let Some(secs) = c.expires_in_seconds else {
                continue;
            };
            let key = c.key_kind.map_or("unknown", key_kind_label);
            writeln!(
                out,
                "tlskit_scan_certificate_expiry_seconds{{target=\"{}\",key=\"{key}\"}} {secs}",
                label(&r.target)
            )?;
        }
    }
    Ok(())
}

fn key_kind_label(k: KeyKind) -> &'static str {
    match k {
        KeyKind::Rsa => "rsa",
        KeyKind::Ecdsa => "ecdsa",
        KeyKind::Ed25519 => "ed25519",
    }
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

    #[test]
    fn grades_as_numbers_and_escaped_labels() {
        assert_eq!(grade_number(Grade::APlus), 7);
        assert_eq!(grade_number(Grade::A), 6);
        assert_eq!(grade_number(Grade::F), 1);
        assert_eq!(label("a\"b\\c"), "a\\\"b\\\\c");
    }

    #[test]
    fn prometheus_groups_each_metric() {
        let mut r = crate::scan::grade::tests::model();
        r.grade = Grade::A;
        let mut out = Vec::new();
        prometheus(&mut out, &[Ok(r)]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("tlskit_scan_success{target=\"t:443\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("tlskit_scan_grade{target=\"t:443\",grade=\"A\"} 6\n"),
            "{text}"
        );
        assert!(
            text.contains("tlskit_scan_version_accepted{target=\"t:443\",version=\"TLSv1.3\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("tlskit_scan_version_accepted{target=\"t:443\",version=\"SSLv3\"} 0\n"),
            "{text}"
        );
    }
}
