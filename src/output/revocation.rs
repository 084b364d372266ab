//! The text form of a revocation report: one line per certificate, leaf
//! first; and the log line of each OCSP fetch `serve --ocsp auto` makes.

use std::io::{self, Write};

use super::{Style, Tone};
use crate::revocation::staple::{Outcome, StapleEvent};
use crate::revocation::{CertRevocation, RevocationReport, Status};
use crate::text::sanitize;

/// One certificate's answer: status, then date and reason or source and validity.
pub fn status_line(c: &CertRevocation, style: Style) -> String {
    let status = match c.status {
        Status::Good => style.paint(Tone::GoodStrong, "good"),
        Status::Revoked => style.paint(Tone::Bad, "REVOKED"),
        Status::Unknown => style.paint(Tone::WarnStrong, "unknown"),
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
pub fn render(out: &mut dyn Write, r: &RevocationReport, style: Style) -> io::Result<()> {
    let heading = if r.offline {
        "Revocation (leaf first; offline: nothing fetched):"
    } else {
        "Revocation (leaf first):"
    };
    writeln!(out, "{}", style.paint(Tone::Strong, heading))?;
    if r.certificates.is_empty() {
        writeln!(out, "  nothing to check (only self-signed certificates)")?;
    }
    for c in &r.certificates {
        writeln!(
            out,
            " {} {}: {}",
            style.paint(Tone::Strong, format!("#{}", c.position)),
            sanitize(&c.subject),
            status_line(c, style)
        )?;
    }
    Ok(())
}

/// One fetch of live OCSP stapling (`serve --ocsp auto`, `tunnel server
/// --ocsp auto`), as a log line without the `tlskit: ` that starts it on
/// stderr; uncoloured.
pub fn staple_line(e: &StapleEvent) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revocation::Source;

    fn cert(position: usize, status: Status) -> CertRevocation {
        CertRevocation {
            position,
            subject: "CN=leaf\u{1b}[31m".into(),
            serial: "01".into(),
            status,
            source: Some(Source::Ocsp),
            url: Some("http://ocsp.test/".into()),
            revoked_at: Some("2026-01-02T00:00:00Z".into()),
            reason: Some("key_compromise".into()),
            this_update: None,
            next_update: Some("2026-02-01T00:00:00Z".into()),
            signer: None,
            unknown_reason: None,
            detail: Some("the responder did not answer".into()),
            attempts: Vec::new(),
            of_client: false,
        }
    }

    fn text(r: &RevocationReport, style: Style) -> String {
        let mut out = Vec::new();
        render(&mut out, r, style).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_certificate_on_a_line_plain_and_coloured() {
        let r = RevocationReport {
            certificates: vec![
                cert(0, Status::Revoked),
                cert(1, Status::Good),
                cert(2, Status::Unknown),
            ],
            offline: false,
        };
        assert_eq!(
            text(&r, Style::PLAIN),
            "\
Revocation (leaf first):
 #0 CN=leaf\\e[31m: REVOKED (revoked on 2026-01-02T00:00:00Z, reason key_compromise, per OCSP responder http://ocsp.test/)
 #1 CN=leaf\\e[31m: good (per OCSP responder http://ocsp.test/, valid until 2026-02-01T00:00:00Z)
 #2 CN=leaf\\e[31m: unknown (the responder did not answer)
"
        );
        assert_eq!(
            text(&r, Style { color: true }),
            "\
\x1b[1mRevocation (leaf first):\x1b[0m
 \x1b[1m#0\x1b[0m CN=leaf\\e[31m: \x1b[1;31mREVOKED\x1b[0m (revoked on 2026-01-02T00:00:00Z, reason key_compromise, per OCSP responder http://ocsp.test/)
 \x1b[1m#1\x1b[0m CN=leaf\\e[31m: \x1b[1;32mgood\x1b[0m (per OCSP responder http://ocsp.test/, valid until 2026-02-01T00:00:00Z)
 \x1b[1m#2\x1b[0m CN=leaf\\e[31m: \x1b[1;33munknown\x1b[0m (the responder did not answer)
"
        );
        let offline = RevocationReport {
            certificates: Vec::new(),
            offline: true,
        };
        assert_eq!(
            text(&offline, Style { color: true }),
            "\x1b[1mRevocation (leaf first; offline: nothing fetched):\x1b[0m\n  nothing to check (only self-signed certificates)\n"
        );
    }

    #[test]
    fn a_staple_fetch_says_what_is_stapled_and_when_next() {
        let mut e = StapleEvent {
            outcome: Outcome::Stapled,
            url: "http://ocsp.test/\u{1b}".into(),
            status: None,
            reason: None,
            detail: None,
            next_update: Some("2026-02-01T00:00:00Z".into()),
            next_fetch_secs: 60,
        };
        assert_eq!(
            staple_line(&e),
            "ocsp: stapling a good response from http://ocsp.test/\\e (valid until 2026-02-01T00:00:00Z); next fetch in 60 s"
        );
        e.outcome = Outcome::NoStaple;
        e.detail = Some("timed out".into());
        assert_eq!(
            staple_line(&e),
            "ocsp: fetching from http://ocsp.test/\\e failed (timed out); stapling nothing; retry in 60 s"
        );
    }
}
