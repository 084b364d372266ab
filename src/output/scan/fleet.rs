//! `scan` of many targets: the summary table, each target's policy
//! violations and changes since the baseline after it, and the Prometheus
//! exposition of the results.

use std::io::Write;

use super::{baseline, policy};
use crate::output::{days_left_tone, describe_validity, sanitize, Style, Tone};
use crate::revocation::Status;
use crate::scan::certs::CertReport;
use crate::scan::fleet::Outcome;
use crate::scan::grade::Grade;
use crate::scan::report::Report;
use crate::scan::revocation::RevocationFinding;
use crate::scan::session::KeyKind;

/// After a summary table: each target's changes since the baseline.
pub fn baseline_summary(
    out: &mut dyn Write,
    outcomes: &[Outcome],
    style: Style,
) -> std::io::Result<()> {
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        if let Some(b) = r.baseline.as_ref().filter(|b| !b.changes.is_empty()) {
            writeln!(out, "{}", style.paint(Tone::Strong, sanitize(&r.target)))?;
            baseline(out, b, style)?;
        }
    }
    Ok(())
}

/// After a summary table: each target's policy violations.
pub fn policy_summary(
    out: &mut dyn Write,
    outcomes: &[Outcome],
    style: Style,
) -> std::io::Result<()> {
    for r in outcomes.iter().filter_map(|o| o.as_ref().ok()) {
        if let Some(p) = r.policy.as_ref().filter(|p| !p.violations.is_empty()) {
            writeln!(out, "{}", style.paint(Tone::Strong, sanitize(&r.target)))?;
            policy(out, p, style)?;
        }
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

/// The `--check-revocation` findings of additional certificates, each with
/// `labels` and its kind of key as Prometheus labels.
fn additional_revocations<'a>(
    labels: &str,
    certs: &'a [CertReport],
) -> Vec<(String, &'a RevocationFinding)> {
    certs
        .iter()
        .filter_map(|c| {
            let key = c.key_kind.map_or("unknown", key_kind_label);
            Some((format!("{labels},key=\"{key}\""), c.revocation.as_ref()?))
        })
        .collect()
}

/// Every certificate of a report: the main one and the others.
fn all_certificates(r: &Report) -> impl Iterator<Item = &CertReport> {
    r.certificate.iter().chain(r.additional_certificates.iter())
}

/// The certificates served for names asked for by SNI that differ from the main one.
fn named_certificates(r: &Report) -> impl Iterator<Item = (&str, &CertReport)> {
    r.certificates_by_name.iter().flat_map(|n| {
        let main = n.certificate.as_ref().filter(|_| !n.same_as_main);
        main.into_iter()
            .chain(n.additional_certificates.iter())
            .map(move |c| (n.sni.as_str(), c))
    })
}

/// When the soonest-expiring certificate expires, in words.
fn soonest_expiry(r: &Report) -> (String, i64) {
    let leaf = all_certificates(r)
        .chain(named_certificates(r).map(|(_, c)| c))
        .filter_map(|c| c.chain.first())
        .min_by_key(|c| c.days_left);
    match leaf {
        Some(c) => (
            describe_validity(c.days_left, c.days_until_valid),
            c.days_left,
        ),
        None => ("-".to_string(), i64::MAX),
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
pub fn summary_table(
    out: &mut dyn Write,
    outcomes: &[Outcome],
    style: Style,
) -> std::io::Result<()> {
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
                    .or_else(|| r.revocation_findings().find_map(|f| f.sentence.as_deref()))
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
        style.paint(
            Tone::Strong,
            format!(
                "{:<wt$}  {:<wg$}  {:<wv$}  {:<we$}  WORST FINDING",
                "TARGET", "GRADE", "VERSIONS", "EXPIRY"
            )
        )
    )?;
    for r in &rows {
        let grade = format!("{:<wg$}", r.grade);
        let grade = match r.grade_plain {
            Some(Grade::APlus | Grade::A) => style.paint(Tone::Good, grade),
            Some(Grade::AMinus | Grade::B) => style.paint(Tone::Warn, grade),
            _ => style.paint(Tone::Bad, grade),
        };
        let expiry = format!("{:<we$}", r.expiry.0);
        let expiry = if r.expiry.1 == i64::MAX {
            expiry
        } else {
            style.paint(days_left_tone(r.expiry.1), expiry)
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
        style.paint(
            Tone::Dim,
            format!(
                "{} targets: {} graded, {failed} not graded",
                outcomes.len(),
                outcomes.len() - failed
            )
        )
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
    // The main chain's finding, the additional certificates' (labelled with
    // their kind of key), then each name's asked for by SNI (labelled with the
    // name; a name served the main certificate shares its status) and its
    // additional certificates'.
    let checked: Vec<(String, &RevocationFinding)> = outcomes
        .iter()
        .filter_map(|o| o.as_ref().ok())
        .flat_map(|r| {
            let target = format!("target=\"{}\"", label(&r.target));
            let mut rows: Vec<(String, &RevocationFinding)> = Vec::new();
            rows.extend(r.revocation.as_ref().map(|f| (target.clone(), f)));
            rows.extend(additional_revocations(&target, &r.additional_certificates));
            for n in &r.certificates_by_name {
                let labels = format!("{target},sni=\"{}\"", label(&n.sni));
                if !n.same_as_main {
                    rows.extend(n.revocation.as_ref().map(|f| (labels.clone(), f)));
                }
                rows.extend(additional_revocations(&labels, &n.additional_certificates));
            }
            rows
        })
        .collect();
    if !checked.is_empty() {
        writeln!(out, "# HELP tlskit_scan_revocation_known Whether the certificate's revocation status could be learned (1) or not (0) (--check-revocation).")?;
        writeln!(out, "# TYPE tlskit_scan_revocation_known gauge")?;
        for (labels, f) in &checked {
            let known = matches!(f.status, Some(Status::Good | Status::Revoked));
            writeln!(
                out,
                "tlskit_scan_revocation_known{{{labels}}} {}",
                u8::from(known)
            )?;
        }
        writeln!(out, "# HELP tlskit_scan_certificate_revoked Whether the certificate is revoked (1) or not (0), where its status is known.")?;
        writeln!(out, "# TYPE tlskit_scan_certificate_revoked gauge")?;
        for (labels, f) in &checked {
            if let Some(s @ (Status::Good | Status::Revoked)) = f.status {
                writeln!(
                    out,
                    "tlskit_scan_certificate_revoked{{{labels}}} {}",
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
        // Certificates served for other names (--sni), labelled with the name.
        for (sni, c) in named_certificates(r) {
            let Some(secs) = c.expires_in_seconds else {
                continue;
            };
            let key = c.key_kind.map_or("unknown", key_kind_label);
            writeln!(
                out,
                "tlskit_scan_certificate_expiry_seconds{{target=\"{}\",key=\"{key}\",sni=\"{}\"}} {secs}",
                label(&r.target),
                label(sni)
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

    const ON: Style = Style { color: true };

    #[test]
    fn the_summary_table_colours_grades_and_dims_the_count() {
        let mut r = crate::scan::grade::tests::model();
        r.grade = Grade::B;
        let outcomes = [Ok(r)];
        let mut plain = Vec::new();
        summary_table(&mut plain, &outcomes, Style::PLAIN).unwrap();
        let plain = String::from_utf8(plain).unwrap();
        assert!(
            plain.starts_with("TARGET  GRADE  VERSIONS  EXPIRY"),
            "{plain}"
        );
        assert!(
            plain.ends_with("\n1 targets: 1 graded, 0 not graded\n"),
            "{plain}"
        );
        let mut on = Vec::new();
        summary_table(&mut on, &outcomes, ON).unwrap();
        let on = String::from_utf8(on).unwrap();
        assert!(on.starts_with("\x1b[1mTARGET  GRADE"), "{on:?}");
        assert!(on.contains("t:443   \x1b[33mB    \x1b[0m  "), "{on:?}");
        assert!(
            on.ends_with("\n\x1b[2m1 targets: 1 graded, 0 not graded\x1b[0m\n"),
            "{on:?}"
        );
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
        // Without --check-revocation, no revocation metric.
        assert!(!text.contains("revoc"), "{text}");
    }

    #[test]
    fn prometheus_reports_the_revocation_of_each_name_asked_for_by_sni() {
        use crate::revocation::{Mode, Severity};
        use crate::scan::report::NamedCertificate;
        let finding = |status: Option<Status>| RevocationFinding {
            severity: Severity::Warning,
            mode: Mode::Warn,
            status,
            sentence: None,
            leaf: None,
            certificates: Vec::new(),
        };
        let name = |sni: &str, same_as_main: bool, status: Option<Status>| NamedCertificate {
            sni: sni.into(),
            same_as_main,
            certificate: None,
            error: None,
            additional_certificates: Vec::new(),
            revocation: Some(finding(status)),
        };
        let mut r = crate::scan::grade::tests::model();
        r.revocation = Some(finding(Some(Status::Good)));
        r.certificates_by_name = vec![
            name("api.t", false, Some(Status::Revoked)),
            name("old.t", false, Some(Status::Unknown)),
            // Served the main certificate: the main chain's series says it.
            name("www.t", true, Some(Status::Good)),
        ];
        // An additional RSA certificate, for the target and for api.t.
        let mut rsa = r.certificate.clone().unwrap();
        rsa.key_kind = Some(KeyKind::Rsa);
        rsa.revocation = Some(finding(Some(Status::Revoked)));
        r.additional_certificates.push(rsa.clone());
        rsa.revocation = Some(finding(Some(Status::Good)));
        r.certificates_by_name[0].additional_certificates.push(rsa);
        let mut out = Vec::new();
        prometheus(&mut out, &[Ok(r)]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with("tlskit_scan_revocation_known")
                    || l.starts_with("tlskit_scan_certificate_revoked")
            })
            .collect();
        assert_eq!(
            lines,
            [
                "tlskit_scan_revocation_known{target=\"t:443\"} 1",
                "tlskit_scan_revocation_known{target=\"t:443\",key=\"rsa\"} 1",
                "tlskit_scan_revocation_known{target=\"t:443\",sni=\"api.t\"} 1",
                "tlskit_scan_revocation_known{target=\"t:443\",sni=\"api.t\",key=\"rsa\"} 1",
                "tlskit_scan_revocation_known{target=\"t:443\",sni=\"old.t\"} 0",
                "tlskit_scan_certificate_revoked{target=\"t:443\"} 0",
                "tlskit_scan_certificate_revoked{target=\"t:443\",key=\"rsa\"} 1",
                "tlskit_scan_certificate_revoked{target=\"t:443\",sni=\"api.t\"} 1",
                "tlskit_scan_certificate_revoked{target=\"t:443\",sni=\"api.t\",key=\"rsa\"} 0",
            ],
            "{text}"
        );
    }
}
