//! The text form of a revocation report: one line per certificate, leaf first.

use std::io::{self, Write};

use colored::Colorize;

use crate::revocation::{CertRevocation, RevocationReport, Status};
use crate::text::sanitize;

/// One certificate's answer: status, then date and reason or source and validity.
pub fn status_line(c: &CertRevocation) -> String {
    let status = match c.status {
        Status::Good => "good".green().bold(),
        Status::Revoked => "REVOKED".red().bold(),
        Status::Unknown => "unknown".yellow().bold(),
    };
    let source = match (c.source, &c.url) {
        (Some(s), Some(u)) => format!("{} {}", s.label(), sanitize(u)),
        (Some(s), None) => s.label().to_string(),
        _ => String::new(),
    };
    let mut parts = Vec::new();
    match c.status {
        Status::Revoked => {
            parts.push(format!(
                "revoked on {}",
                c.revoked_at.as_deref().unwrap_or("an unstated date")
            ));
            parts.push(format!(
                "reason {}",
                c.reason.as_deref().unwrap_or("none given")
            ));
            parts.push(format!("per {source}"));
        }
        Status::Good => {
            parts.push(format!("per {source}"));
            if let Some(n) = &c.next_update {
                parts.push(format!("valid until {n}"));
            }
        }
        Status::Unknown => {
            parts.push(sanitize(c.detail.as_deref().unwrap_or("no answer")).into_owned());
        }
    }
    format!("{status} ({})", parts.join(", "))
}

/// Writes the report under a heading.
pub fn render(out: &mut dyn Write, r: &RevocationReport) -> io::Result<()> {
    let heading = if r.offline {
        "Revocation (leaf first; offline: nothing fetched):"
    } else {
        "Revocation (leaf first):"
    };
    writeln!(out, "{}", heading.bold())?;
    if r.certificates.is_empty() {
        writeln!(out, "  nothing to check (only self-signed certificates)")?;
    }
    for c in &r.certificates {
        writeln!(
            out,
            " {} {}: {}",
            format!("#{}", c.position).bold(),
            sanitize(&c.subject),
            status_line(c)
        )?;
    }
    Ok(())
}

/// One fetch of live OCSP stapling (`serve --ocsp auto`, `tunnel server
/// --ocsp auto`), as a log line without the `tlskit: ` prefix.
pub fn staple_line(e: &crate::revocation::staple::StapleEvent) -> String {
    use crate::revocation::staple::Outcome;
    let url = sanitize(&e.url);
    let why = sanitize(e.detail.as_deref().unwrap_or("")).into_owned();
    let until = e.next_update.as_deref().unwrap_or("no nextUpdate");
    match e.outcome {
        Outcome::Stapled => format!(
            "ocsp: stapling a good response from {url} (valid until {until}); next fetch in {} s",
            e.next_fetch_secs
        ),
        Outcome::KeptPrevious => format!(
            "ocsp: fetching from {url} failed ({why}); still stapling the last good response (valid until {until}); retry in {} s",
            e.next_fetch_secs
        ),
        Outcome::NoStaple => format!(
            "ocsp: fetching from {url} failed ({why}); stapling nothing; retry in {} s",
            e.next_fetch_secs
        ),
    }
}
