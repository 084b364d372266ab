//! Certificates on screen: the one renderer of a certificate summary
//! (subject, issuer, SANs, key, validity, fingerprint, pin), used by gencert,
//! connect and scan.

use std::io::Write;

use super::{field, sanitize};
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
pub fn summary(out: &mut dyn Write, cert: &CertSummary) -> std::io::Result<()> {
    field(out, "subject", subject_text(&cert.subject))?;
    let issuer = match (cert.issuer.is_empty(), cert.self_issued) {
        (true, true) => "(empty; self-signed)".to_string(),
        (true, false) => "(empty)".to_string(),
        (false, true) => format!("{} (self-signed)", sanitize(&cert.issuer)),
        (false, false) => sanitize(&cert.issuer).into_owned(),
    };
    field(out, "issuer", issuer)?;
    if !cert.sans.is_empty() {
        field(out, "SANs", sanitize(&cert.sans.join(", ")))?;
    }
    field(out, "key", &cert.key)?;
    let when = super::describe_validity(cert.days_left, cert.days_until_valid);
    field(
        out,
        "valid",
        format!(
            "{} to {} ({})",
            cert.not_before,
            cert.not_after,
            super::days_left_colored(
                when,
                if cert.days_until_valid > 0 {
                    -1
                } else {
                    cert.days_left
                }
            )
        ),
    )?;
    if cert.is_ca {
        field(out, "CA", "yes")?;
    }
    field(out, "SHA-256", &cert.sha256_fingerprint)?;
    field(out, "SPKI pin", &cert.spki_pin)
}
