//! `pin`'s reports and their text forms: pins in each format, the
//! `--expect` and `--trust` outcomes, the pin store's list.

use std::io::Write;

use serde::Serialize;

use super::{sanitize, Style, Tone};
use crate::pinstore;
use crate::tls::pin::Pin;
use crate::tls::source::SourceKind;

/// How to write a pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `sha256//BASE64`, for curl's --pinnedpubkey (and tlskit's --pin).
    Curl,
    /// Lower-case hex of the SHA-256.
    Hex,
    /// Base64 of the SHA-256.
    Base64,
    /// `pin-sha256="BASE64"`, as in an HTTP Public-Key-Pins header.
    Hpkp,
    /// A DANE TLSA record (SPKI, SHA-256): `3 1 1 HEX` for a server's own
    /// certificate, `2 1 1 HEX` for a CA's.
    Tlsa,
    /// Every form, labelled.
    All,
}

/// One pinned key, in every form.
#[derive(Debug, Serialize)]
pub struct PinEntry {
    /// Position in the chain (certificates only).
    pub index: Option<usize>,
    /// `leaf`, `intermediate`, `root`, `private key`, `certificate request` or `public key`.
    pub label: &'static str,
    /// The certificate's or request's subject.
    pub subject: Option<String>,
    /// `sha256//BASE64`.
    pub pin: Pin,
    /// Hex.
    pub hex: String,
    /// Base64.
    pub base64: String,
    /// HPKP form.
    pub hpkp: String,
    /// TLSA record data: `3 1 1 HEX` (DANE-EE) for a leaf, key or request, `2 1 1 HEX` (DANE-TA) for a CA.
    pub tlsa: String,
}

impl PinEntry {
    /// The entry of `pin`, labelled (`label`: see [`PinEntry::label`]).
    pub fn new(
        index: Option<usize>,
        label: &'static str,
        subject: Option<String>,
        pin: Pin,
    ) -> Self {
        PinEntry {
            index,
            label,
            subject,
            hex: pin.hex(),
            base64: pin.base64(),
            hpkp: pin.hpkp(),
            // A CA's key is a trust anchor (DANE-TA, 2 1 1), anything else the server's own (3 1 1).
            tlsa: match label {
                "root" | "intermediate" => pin.tlsa_ta(),
                _ => pin.tlsa(),
            },
            pin,
        }
    }

    /// The pin in `format` (`all`: the curl form).
    pub fn formatted(&self, format: Format) -> String {
        match format {
            Format::Curl | Format::All => self.pin.to_string(),
            Format::Hex => self.hex.clone(),
            Format::Base64 => self.base64.clone(),
            Format::Hpkp => self.hpkp.clone(),
            Format::Tlsa => self.tlsa.clone(),
        }
    }
}

/// What `--trust` did with a server's pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustStatus {
    /// First use: the pin was recorded.
    Recorded,
    /// The pin matched the one recorded.
    Matched,
}

/// What happened in the pin store for one server.
#[derive(Debug, Serialize)]
pub struct TrustResult {
    /// `recorded` (first use) or `matched`.
    pub status: TrustStatus,
    /// The store key.
    pub host_port: String,
    /// When the pin was recorded.
    pub recorded_at: String,
    /// The store file.
    pub store: String,
}

/// The pins of one target.
#[derive(Debug, Serialize)]
pub struct TargetPins {
    /// The target as named.
    pub source: String,
    /// `file`, `stdin` or `server`.
    pub kind: SourceKind,
    /// Servers: whether the chain verified against Mozilla's roots.
    pub verified: Option<bool>,
    /// Servers: why not.
    pub verification_error: Option<String>,
    /// The pins (the leaf's, or every certificate's with --chain).
    pub pins: Vec<PinEntry>,
    /// With --expect: whether one of them matched.
    pub expect_matched: Option<bool>,
    /// With --trust.
    pub trust: Option<TrustResult>,
    /// Servers: the pin store's key.
    #[serde(skip)]
    pub host_port: Option<String>,
    /// Servers: the name the certificate was checked against.
    #[serde(skip)]
    pub server_name: Option<String>,
    /// The certificates, in the order given (to judge a pin on a CA of the chain).
    #[serde(skip)]
    pub certs: Vec<rustls::pki_types::CertificateDer<'static>>,
}

/// What `pin` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per target.
    pub targets: Vec<TargetPins>,
    /// The pins expected (with --expect).
    pub expected: Vec<Pin>,
}

/// The pin store as listed.
#[derive(Debug, Serialize)]
pub struct ListReport {
    /// The store file.
    pub store: String,
    /// Its entries.
    pub entries: Vec<pinstore::Entry>,
}

/// What `--forget` did.
#[derive(Debug, Serialize)]
pub struct ForgetReport {
    /// The store file.
    pub store: String,
    /// The entry removed.
    pub forgotten: pinstore::Entry,
}

/// The pins as text: one per line (with `chain`, each labelled; with
/// `--format all`, every form).
pub fn render(
    out: &mut dyn Write,
    report: &Report,
    format: Format,
    chain: bool,
    style: Style,
) -> std::io::Result<()> {
    let many = report.targets.len() > 1;
    for t in &report.targets {
        let source = sanitize(&t.source);
        if format == Format::All {
            for p in &t.pins {
                let what = match (&p.index, &p.subject) {
                    (Some(i), Some(s)) => format!("#{i} {} {}", p.label, sanitize(s)),
                    _ => p.label.to_string(),
                };
                writeln!(
                    out,
                    "{} {}",
                    style.paint(Tone::Strong, &source),
                    style.paint(Tone::Dim, what)
                )?;
                for (label, value) in [
                    ("curl", p.pin.to_string()),
                    ("hex", p.hex.clone()),
                    ("base64", p.base64.clone()),
                    ("hpkp", p.hpkp.clone()),
                    ("tlsa", p.tlsa.clone()),
                ] {
                    let label = format!("{:<7}", format!("{label}:"));
                    writeln!(out, "  {} {value}", style.paint(Tone::Dim, label))?;
                }
            }
        } else if chain {
            if many {
                writeln!(out, "{}", style.paint(Tone::Strong, &source))?;
            }
            for p in &t.pins {
                let subject = p.subject.as_deref().map(sanitize).unwrap_or_default();
                writeln!(
                    out,
                    "{}  {}",
                    p.formatted(format),
                    style.paint(
                        Tone::Dim,
                        format!("#{} {} {subject}", p.index.unwrap_or(0), p.label)
                    )
                )?;
            }
        } else {
            for p in &t.pins {
                if many {
                    writeln!(out, "{}  {source}", p.formatted(format))?;
                } else {
                    writeln!(out, "{}", p.formatted(format))?;
                }
            }
        }
    }
    Ok(())
}

/// `--expect` and `--trust` outcomes, for stderr so that stdout stays just the pins.
pub fn status(out: &mut dyn Write, report: &Report, style: Style) -> std::io::Result<()> {
    for t in &report.targets {
        let source = sanitize(&t.source);
        if let Some(m) = t.expect_matched {
            let verdict = if m {
                style.paint(Tone::GoodStrong, "matches an expected pin")
            } else {
                style.paint(Tone::Bad, "matches NO expected pin")
            };
            writeln!(out, "tlskit: {source}: {verdict}")?;
        }
        if let Some(tr) = &t.trust {
            let msg = match tr.status {
                TrustStatus::Recorded => style.paint(
                    Tone::Good,
                    format!(
                        "first use: recorded the pin of {} in '{}'",
                        tr.host_port,
                        sanitize(&tr.store)
                    ),
                ),
                TrustStatus::Matched => style.paint(
                    Tone::Good,
                    format!(
                        "the pin of {} matches the one recorded at {}",
                        tr.host_port, tr.recorded_at
                    ),
                ),
            };
            writeln!(out, "tlskit: {msg}")?;
        }
    }
    Ok(())
}

/// The note for a server whose chain did not verify (stderr).
pub fn unverified_note(source: &str, error: &str, style: Style) -> String {
    format!(
        "tlskit: {} {}: the chain did not verify ({}); these are the pins of what it presented",
        style.paint(Tone::Accent, "note:"),
        sanitize(source),
        sanitize(error)
    )
}

/// The pin store, one `host:port pin recorded-at` line per server.
pub fn list(out: &mut dyn Write, report: &ListReport) -> std::io::Result<()> {
    for e in &report.entries {
        writeln!(out, "{} {} {}", e.host_port, e.pin, e.recorded_at)?;
    }
    Ok(())
}

/// What `--forget` removed.
pub fn forgotten(out: &mut dyn Write, report: &ForgetReport) -> std::io::Result<()> {
    writeln!(
        out,
        "forgot {} {} (recorded at {})",
        report.forgotten.host_port, report.forgotten.pin, report.forgotten.recorded_at
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            targets: vec![TargetPins {
                source: "cert.pem".into(),
                kind: SourceKind::File,
                verified: None,
                verification_error: None,
                pins: vec![PinEntry::new(
                    Some(0),
                    "leaf",
                    Some("CN=a".into()),
                    Pin::of_spki(b"key"),
                )],
                expect_matched: Some(true),
                trust: None,
                host_port: None,
                server_name: None,
                certs: Vec::new(),
            }],
            expected: Vec::new(),
        }
    }

    fn text(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn colour_comes_from_the_style_and_labels_are_padded_inside_it() {
        let r = report();
        let plain = text(|out| render(out, &r, Format::All, false, Style::PLAIN));
        assert!(plain.contains("\n  curl:   sha256//"), "{plain}");
        assert!(!plain.contains('\x1b'), "{plain}");
        let on = Style { color: true };
        let coloured = text(|out| render(out, &r, Format::All, false, on));
        assert!(
            coloured.starts_with("\x1b[1mcert.pem\x1b[0m \x1b[2m#0 leaf CN=a\x1b[0m\n"),
            "{coloured}"
        );
        assert!(
            coloured.contains("\n  \x1b[2mcurl:  \x1b[0m sha256//"),
            "{coloured}"
        );
        let status = text(|out| status(out, &r, on));
        assert_eq!(
            status,
            "tlskit: cert.pem: \x1b[1;32mmatches an expected pin\x1b[0m\n"
        );
    }
}
