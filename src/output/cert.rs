//! Certificates on screen: the one renderer of a certificate summary
//! (subject, issuer, SANs, key, validity, fingerprint, pin), used by gencert,
//! connect and scan.

use std::io::Write;

use super::{field_styled, sanitize, Style};
use crate::tls::certinfo::CertSummary;

/// A subject for the terminal; an empty one (a name too long for a CN) said in words.
pub fn subject_text(subject: &str) -> String {
    if subject.is_empty() {
        "(empty; the SANs name it)".to_string()
    } else {
        sanitize(subject).into_owned()
    }
}

/// The text form of a certificate summary: what gencert prints after writing
/// one, and each certificate of connect's and scan's chains.
pub fn summary(out: &mut dyn Write, cert: &CertSummary, style: Style) -> std::io::Result<()> {
    let field = |out: &mut dyn Write, label: &str, value: &dyn std::fmt::Display| {
        field_styled(out, style, label, value)
    };
    field(out, "subject", &subject_text(&cert.subject))?;
    let issuer = match (cert.issuer.is_empty(), cert.self_issued) {
        (true, true) => "(empty; self-signed)".to_string(),
        (true, false) => "(empty)".to_string(),
        (false, true) => format!("{} (self-signed)", sanitize(&cert.issuer)),
        (false, false) => sanitize(&cert.issuer).into_owned(),
    };
    field(out, "issuer", &issuer)?;
    if !cert.sans.is_empty() {
        field(out, "SANs", &sans_text(&cert.sans))?;
    }
    field(out, "key", &cert.key)?;
    let colour_days = if cert.days_until_valid > 0 {
        -1
    } else {
        cert.days_left
    };
    field(
        out,
        "valid",
        &validity_text(
            style,
            &cert.not_before,
            &cert.not_after,
            cert.days_left,
            cert.days_until_valid,
            colour_days,
        ),
    )?;
    if cert.is_ca {
        field(out, "CA", &"yes")?;
    }
    field(out, "SHA-256", &cert.sha256_fingerprint)?;
    field(out, "SPKI pin", &cert.spki_pin)
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
