//! `gencert`'s report and its text form: the files written, the
//! certificate (through [`super::cert::summary`]) or request made, and
//! what to run next.

use std::io::Write;

use serde::Serialize;

use super::{field_styled, sanitize, Style, Tone};
use crate::tls::certgen::Profile;
use crate::tls::certinfo::{CertSummary, KeyInfo};
use crate::tls::pin::Pin;

/// One file written.
#[derive(Debug, Serialize)]
pub struct WrittenFile {
    /// Where.
    pub path: String,
    /// `certificate`, `private_key` or `csr`.
    pub kind: &'static str,
    /// Unix mode, octal.
    pub mode: String,
}

/// Summary of a CSR.
#[derive(Debug, Serialize)]
pub struct CsrSummary {
    /// Requested subject.
    pub subject: String,
    /// Requested SANs.
    pub sans: Vec<String>,
    /// Public key.
    pub key: KeyInfo,
    /// SPKI pin of the key, usable before the certificate exists.
    pub spki_pin: Pin,
}

/// What `gencert` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Files written.
    pub files: Vec<WrittenFile>,
    /// `server`, `client` or `ca`.
    pub profile: Profile,
    /// The certificate made (absent for a CSR).
    pub certificate: Option<CertSummary>,
    /// The request made (with --csr).
    pub csr: Option<CsrSummary>,
    /// Commands to run next.
    pub next: Vec<String>,
    /// Things worth knowing that did not stop the command.
    pub warnings: Vec<String>,
}

/// The text report: the files written, the certificate or request, what to
/// run next.
pub fn render(out: &mut dyn Write, report: &Report, style: Style) -> std::io::Result<()> {
    let field = |out: &mut dyn Write, label: &str, value: &dyn std::fmt::Display| {
        field_styled(out, style, label, value)
    };
    let files: Vec<String> = report
        .files
        .iter()
        .map(|f| {
            let what = match f.kind {
                "private_key" => format!("private key, mode {}", f.mode),
                "pkcs12" => format!("PKCS#12, mode {}", f.mode),
                other => other.replace('_', " "),
            };
            format!("{} ({what})", style.paint(Tone::Strong, sanitize(&f.path)))
        })
        .collect();
    writeln!(
        out,
        "{} {}",
        style.paint(Tone::GoodStrong, "Wrote"),
        files.join(" and ")
    )?;
    if let Some(cert) = &report.certificate {
        super::cert::summary(out, cert, style)?;
    }
    if let Some(csr) = &report.csr {
        field(out, "subject", &super::cert::subject_text(&csr.subject))?;
        if !csr.sans.is_empty() {
            field(out, "SANs", &super::cert::sans_text(&csr.sans))?;
        }
        field(out, "key", &csr.key)?;
        field(out, "SPKI pin", &csr.spki_pin)?;
    }
    if !report.next.is_empty() {
        writeln!(out, "{}", style.paint(Tone::Strong, "Next:"))?;
        for n in &report.next {
            writeln!(out, "  {}", sanitize(n))?;
        }
    }
    Ok(())
}
