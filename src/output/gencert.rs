//! `gencert`'s report and its text form: the files written, the
//! certificate (through [`super::cert::render`]) or request made, and
//! what to run next.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{field_styled, sanitize, Style, Tone};
use crate::tls::certgen::Profile;
use crate::tls::certinfo::{CertSummary, KeyInfo};
use crate::tls::pin::Pin;

/// What a written file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// The certificate alone.
    Certificate,
    /// The certificate followed by its issuers.
    CertificateChain,
    /// The private key.
    PrivateKey,
    /// A certificate signing request.
    Csr,
    /// A PKCS#12 bundle.
    Pkcs12,
}

/// One file written.
#[derive(Debug, Serialize)]
pub struct WrittenFile {
    /// Where.
    pub path: String,
    /// `certificate`, `certificate_chain`, `private_key`, `csr` or `pkcs12`.
    pub kind: FileKind,
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
                FileKind::PrivateKey => format!("private key, mode {}", f.mode),
                FileKind::Pkcs12 => format!("PKCS#12, mode {}", f.mode),
                FileKind::Certificate => "certificate".to_string(),
                FileKind::CertificateChain => "certificate chain".to_string(),
                FileKind::Csr => "csr".to_string(),
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
        super::cert::render(out, super::cert::Cert::Summary(cert), style)?;
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

/// The certificate (or request) and its key, as files written.
pub fn written(main: &Path, kind: FileKind, key: &Path) -> Vec<WrittenFile> {
    vec![
        WrittenFile {
            path: main.display().to_string(),
            kind,
            mode: format!("{:04o}", crate::atomic::PUBLIC),
        },
        WrittenFile {
            path: key.display().to_string(),
            kind: FileKind::PrivateKey,
            mode: format!("{:04o}", crate::atomic::PRIVATE),
        },
    ]
}

/// What to run next with what was just made.
pub fn next_steps(
    issuer: Option<&Path>,
    profile: Profile,
    cert: &Path,
    key: &Path,
    summary: &CertSummary,
) -> Vec<String> {
    let (c, k) = (quote(cert), quote(key));
    match profile {
        Profile::Ca => vec![
            format!("tlskit gencert localhost --issuer {c}"),
            format!("tlskit gencert alice@example.test --client --issuer {c}"),
            format!("tlskit serve --client-ca {c}   # require client certificates from this CA"),
        ],
        Profile::Client => vec![format!("tlskit connect HOST:PORT --cert {c} --key {k}")],
        Profile::Server => {
            let trust = match issuer {
                Some(ca) => format!("--ca {}", quote(ca)),
                None => format!("--pin {}", summary.spki_pin),
            };
            let mut next = vec![format!("tlskit serve --cert {c} --key {k}")];
            if let Some(target) = connect_target(&summary.sans) {
                next.push(format!("tlskit connect {target} {trust}"));
            }
            next
        }
    }
}

/// What to give `tlskit connect` to reach `tlskit serve` (127.0.0.1:4433) under a
/// name the certificate holds: the name itself, dialled at 127.0.0.1 unless it
/// is localhost or 127.0.0.1 (a wildcard stands for `www.`). `None` when the
/// certificate names no host (e-mail addresses only).
fn connect_target(sans: &[String]) -> Option<String> {
    let host = sans.iter().find_map(|s| {
        if let Some(dns) = s.strip_prefix("DNS:") {
            return Some(match dns.strip_prefix("*.") {
                Some(parent) => format!("www.{parent}"),
                None => dns.to_string(),
            });
        }
        let ip = s.strip_prefix("IP:")?;
        Some(if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.to_string()
        })
    })?;
    Some(if host == "localhost" || host == "127.0.0.1" {
        format!("{host}:4433")
    } else {
        format!("{host}:4433 --connect-to 127.0.0.1")
    })
}

/// Quotes a path for a shell command line when it needs it.
pub fn quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "./_-@:+=".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote(Path::new("a b.pem")), "'a b.pem'");
        assert_eq!(quote(Path::new("dir/a.pem")), "dir/a.pem");
    }
}
