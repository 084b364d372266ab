//! Certificates on screen: the one certificate renderer, used by gencert,
//! inspect, connect, scan (and ca, dtls). [`Cert`] is the detail level: a
//! summary (subject, issuer, SANs, key, validity, fingerprint, pin) where a
//! certificate is one part of a larger report, every field where it is the
//! report (`inspect`).

use std::io::Write;

use super::{sanitize, Style, Tone};
use crate::tls::certinfo::{CertSummary, KeyInfo};
use crate::tls::pin::Pin;
use crate::tls::x509info::CertDetails;

/// A certificate to render, at a detail level.
#[derive(Debug, Clone, Copy)]
pub enum Cert<'a> {
    /// The summary gencert prints after writing a certificate, and each
    /// certificate of connect's and scan's chains.
    Summary(&'a CertSummary),
    /// Every field `inspect` shows: the summary's, and serial, signature,
    /// extensions, SCTs and the SHA-1 fingerprint.
    Full(&'a CertDetails),
}

/// The column of the full view's values (its labels are longer:
/// "ext. key usage"); the summary's is [`super::FIELD_WIDTH`].
pub const FULL_WIDTH: usize = 17;

/// What every detail level shows, whichever model the certificate came in.
struct Common<'a> {
    subject: &'a str,
    issuer: &'a str,
    self_issued: bool,
    sans: String,
    key: &'a KeyInfo,
    not_before: &'a str,
    not_after: &'a str,
    days_left: i64,
    days_until_valid: i64,
    sha256: &'a str,
    spki_pin: &'a Pin,
}

impl<'a> Cert<'a> {
    fn common(self) -> Common<'a> {
        match self {
            Cert::Summary(c) => Common {
                subject: &c.subject,
                issuer: &c.issuer,
                self_issued: c.self_issued,
                sans: sans_text(&c.sans),
                key: &c.key,
                not_before: &c.not_before,
                not_after: &c.not_after,
                days_left: c.days_left,
                days_until_valid: c.days_until_valid,
                sha256: &c.sha256_fingerprint,
                spki_pin: &c.spki_pin,
            },
            Cert::Full(d) => Common {
                subject: &d.subject,
                issuer: &d.issuer,
                self_issued: d.self_issued,
                sans: sans_text(&d.sans),
                key: &d.key,
                not_before: &d.not_before,
                not_after: &d.not_after,
                days_left: d.days_left,
                days_until_valid: d.days_until_valid,
                sha256: &d.sha256_fingerprint,
                spki_pin: &d.spki_pin,
            },
        }
    }
}

/// A subject for the terminal; an empty one (a name too long for a CN) said in words.
pub fn subject_text(subject: &str) -> String {
    if subject.is_empty() {
        "(empty; the SANs name it)".to_string()
    } else {
        sanitize(subject).into_owned()
    }
}

/// Writes `cert`'s fields, one `label: value` line each, at its detail level.
/// Values a file or peer controls are sanitized here.
pub fn render(out: &mut dyn Write, cert: Cert<'_>, style: Style) -> std::io::Result<()> {
    let width = match cert {
        Cert::Summary(_) => super::FIELD_WIDTH,
        Cert::Full(_) => FULL_WIDTH,
    };
    let field = |out: &mut dyn Write, label: &str, value: &dyn std::fmt::Display| {
        super::field_aligned(out, style, width, label, value)
    };
    // Values from the certificate, sanitized.
    let text = |out: &mut dyn Write, label: &str, value: &str| field(out, label, &sanitize(value));
    let list = |out: &mut dyn Write, label: &str, values: &[String]| {
        for (i, v) in values.iter().enumerate() {
            text(out, if i == 0 { label } else { "" }, v)?;
        }
        Ok::<(), std::io::Error>(())
    };
    let c = cert.common();
    field(out, "subject", &subject_text(c.subject))?;
    let issuer = match (c.issuer.is_empty(), c.self_issued) {
        (true, true) => "(empty; self-signed)".to_string(),
        (true, false) => "(empty)".to_string(),
        (false, true) => format!("{} (self-signed)", sanitize(c.issuer)),
        (false, false) => sanitize(c.issuer).into_owned(),
    };
    field(out, "issuer", &issuer)?;
    if let Cert::Full(d) = cert {
        text(out, "serial", &d.serial)?;
    }
    if !c.sans.is_empty() {
        field(out, "SANs", &c.sans)?;
    }
    field(out, "key", c.key)?;
    let colour_days = if c.days_until_valid > 0 {
        -1
    } else {
        c.days_left
    };
    field(
        out,
        "valid",
        &validity_text(
            style,
            &c.not_before,
            &c.not_after,
            c.days_left,
            c.days_until_valid,
            colour_days,
        ),
    )?;
    match cert {
        Cert::Summary(s) => {
            if s.is_ca {
                field(out, "CA", &"yes")?;
            }
        }
        Cert::Full(d) => {
            text(out, "signature", &d.signature_algorithm)?;
            if let Some(bc) = &d.basic_constraints {
                let ca = match (bc.ca, bc.path_len) {
                    (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
                    (true, None) => "CA:TRUE".to_string(),
                    (false, _) => "CA:FALSE".to_string(),
                };
                text(out, "basic constr.", &format!("{ca}{}", crit(bc.critical)))?;
            }
            if let Some(ku) = &d.key_usage {
                let usages = ku.usages.join(", ");
                text(out, "key usage", &format!("{usages}{}", crit(ku.critical)))?;
            }
            if let Some(eku) = &d.extended_key_usage {
                let purposes = eku.purposes.join(", ");
                let value = format!("{purposes}{}", crit(eku.critical));
                text(out, "ext. key usage", &value)?;
            }
            if let Some(ski) = &d.subject_key_id {
                text(out, "subject key id", ski)?;
            }
            if let Some(aki) = &d.authority_key_id {
                text(out, "auth. key id", aki)?;
            }
            if let Some(aia) = &d.authority_info_access {
                list(out, "OCSP", &aia.ocsp)?;
                list(out, "CA issuers", &aia.ca_issuers)?;
            }
            list(out, "CRL", &d.crl_distribution_points)?;
            let policies: Vec<String> = d
                .policies
                .iter()
                .map(|p| match p.name {
                    Some(n) => format!("{} ({n})", p.oid),
                    None => p.oid.clone(),
                })
                .collect();
            list(out, "policies", &policies)?;
            let scts: Vec<String> = d
                .scts
                .iter()
                .map(|s| format!("{}  log {}", s.timestamp, s.log_id))
                .collect();
            list(out, "SCTs", &scts)?;
            let others: Vec<String> = d
                .other_extensions
                .iter()
                .map(|e| {
                    let name = e.name.clone().unwrap_or_else(|| e.oid.clone());
                    format!("{name}{}", crit(e.critical))
                })
                .collect();
            if !others.is_empty() {
                text(out, "other ext.", &others.join(", "))?;
            }
            for m in &d.malformed_extensions {
                let m = style.paint(Tone::BadSoft, sanitize(m));
                field(out, "malformed ext.", &m)?;
            }
        }
    }
    field(out, "SHA-256", &c.sha256)?;
    if let Cert::Full(d) = cert {
        field(out, "SHA-1", &d.sha1_fingerprint)?;
    }
    field(out, "SPKI pin", c.spki_pin)?;
    Ok(())
}

fn crit(critical: bool) -> &'static str {
    if critical {
        " (critical)"
    } else {
        ""
    }
}

/// The SANs of a certificate or request on one line, sanitized.
pub fn sans_text<T: std::fmt::Display>(sans: &[T]) -> String {
    let joined = sans
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    sanitize(&joined).into_owned()
}

/// "NOT_BEFORE to NOT_AFTER (expires in N days)", the phrase coloured by how
/// soon `colour_days` is (negative: red).
pub fn validity_text(
    style: Style,
    not_before: &dyn std::fmt::Display,
    not_after: &dyn std::fmt::Display,
    days_left: i64,
    days_until_valid: i64,
    colour_days: i64,
) -> String {
    let when = super::describe_validity(days_left, days_until_valid);
    format!(
        "{not_before} to {not_after} ({})",
        style.paint(super::days_left_tone(colour_days), when)
    )
}
