//! `inspect`'s report and its text form: every detail of certificates,
//! chains, keys and requests, the `--key` and `--expires-within` results.

use std::io::Write;

use super::cert::Cert;
use super::{sanitize, Style, Tone};
pub use crate::report::inspect::{
    CertEntry, Expiring, ExpiryCheck, InputReport, KeyCheck, KeyMatch, KeyTarget, Report,
    ServerInfo,
};
use crate::tls::chain::{ChainEnd, ChainReport, LinkStatus, Shape, StoreKind};
use crate::tls::lint::{Finding, Role};
use crate::tls::source::SourceKind;

// ---------------------------------------------------------------- rendering

/// The column of inspect's values: the full certificate view's.
const WIDTH: usize = super::cert::FULL_WIDTH;

/// `label: value`, with the value (which a file or peer controls) sanitized.
fn kv(out: &mut dyn Write, style: Style, label: &str, value: &str) -> std::io::Result<()> {
    kv_raw(out, style, label, &sanitize(value))
}

/// `label: value` for a value tlskit built (and sanitized) itself.
fn kv_raw(out: &mut dyn Write, style: Style, label: &str, value: &str) -> std::io::Result<()> {
    super::field_aligned(out, style, WIDTH, label, value)
}

/// Writes the text report (what `tlskit inspect` prints without `--json`).
pub fn render(out: &mut dyn Write, report: &Report, style: Style) -> std::io::Result<()> {
    for (n, input) in report.inputs.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        render_input(out, input, report.trust_store, style)?;
    }
    if let Some(check) = &report.key_check {
        writeln!(out)?;
        for r in &check.results {
            let verdict = if r.matches {
                style.paint(Tone::GoodStrong, "matches")
            } else {
                style.paint(Tone::Bad, "DOES NOT MATCH")
            };
            writeln!(
                out,
                "{} {} {verdict} {} ({})",
                style.paint(Tone::Strong, "Key"),
                sanitize(&check.key),
                sanitize(&r.source),
                sanitize(&r.subject)
            )?;
        }
    }
    Ok(())
}

fn render_input(
    out: &mut dyn Write,
    input: &InputReport,
    store: StoreKind,
    style: Style,
) -> std::io::Result<()> {
    let count = input.certificates.len();
    let what = match input.chain.as_ref().map(|c| c.shape) {
        _ if count == 0 => String::new(),
        Some(Shape::Collection) => format!("{count} unrelated certificates (a bundle)"),
        Some(Shape::Chain) => format!("a chain of {count} certificates"),
        _ => "1 certificate".to_string(),
    };
    let title = match input.kind {
        SourceKind::Server => format!("Server {}", sanitize(&input.label())),
        SourceKind::Stdin => "Standard input".to_string(),
        SourceKind::File => sanitize(&input.source).into_owned(),
    };
    writeln!(
        out,
        "{}{}",
        style.paint(Tone::Strong, title),
        if what.is_empty() {
            String::new()
        } else {
            format!(": {what}")
        }
    )?;
    if let Some(s) = &input.server {
        let verdict = match &s.verification_error {
            None => style.paint(
                Tone::Good,
                match store {
                    StoreKind::Webpki => "verified (Mozilla's roots)",
                    StoreKind::Custom => "verified (the --ca certificates)",
                    StoreKind::Input => "verified (a CA given among the inputs)",
                },
            ),
            Some(e) => format!(
                "{} {}",
                style.paint(Tone::Bad, "NOT verified:"),
                sanitize(e)
            ),
        };
        kv_raw(out, style, "verification", &verdict)?;
        if let Some(a) = &s.address {
            kv(out, style, "address", a)?;
        }
        kv(out, style, "server name", &s.server_name)?;
        if let (Some(p), Some(c)) = (&s.protocol, &s.cipher_suite) {
            kv(out, style, "negotiated", &format!("{p}, {c}"))?;
        }
    }
    for cert in &input.certificates {
        render_cert(out, cert, style)?;
    }
    if let Some(chain) = &input.chain {
        if chain.shape != Shape::Single || input.kind == SourceKind::Server || chain.end.is_some() {
            render_chain(out, chain, &input.certificates, store, style)?;
        }
    }
    if let Some(r) = &input.revocation {
        crate::output::revocation::render(out, r, style)?;
    }
    for (i, k) in input.private_keys.iter().enumerate() {
        writeln!(
            out,
            "{} {}",
            style.paint(Tone::Strong, "Private key"),
            style.paint(Tone::Dim, format!("#{i}"))
        )?;
        kv(out, style, "key", &k.key.to_string())?;
        kv(out, style, "format", k.format)?;
        kv(out, style, "SPKI pin", &k.spki_pin.to_string())?;
    }
    for (i, k) in input.public_keys.iter().enumerate() {
        writeln!(
            out,
            "{} {}",
            style.paint(Tone::Strong, "Public key"),
            style.paint(Tone::Dim, format!("#{i}"))
        )?;
        kv(out, style, "key", &k.key.to_string())?;
        kv(out, style, "SPKI pin", &k.spki_pin.to_string())?;
    }
    for (i, c) in input.csrs.iter().enumerate() {
        writeln!(
            out,
            "{} {}",
            style.paint(Tone::Strong, "Certificate request"),
            style.paint(Tone::Dim, format!("#{i}"))
        )?;
        kv(out, style, "subject", &c.subject)?;
        if !c.sans.is_empty() {
            kv(out, style, "SANs", &join(&c.sans))?;
        }
        kv(out, style, "key", &c.key.to_string())?;
        let sig = if c.signature_valid {
            format!("{} (valid)", sanitize(&c.signature_algorithm))
        } else {
            format!(
                "{} {}",
                sanitize(&c.signature_algorithm),
                style.paint(Tone::BadSoft, "(DOES NOT VERIFY)")
            )
        };
        kv_raw(out, style, "signature", &sig)?;
        kv(out, style, "SPKI pin", &c.spki_pin.to_string())?;
    }
    if !input.skipped.is_empty() {
        kv(out, style, "skipped", &input.skipped.join(", "))?;
    }
    if !input.findings.is_empty() {
        writeln!(out, "{}", style.paint(Tone::Strong, "Findings:"))?;
        for f in &input.findings {
            let at = f.certificate.map(|c| format!("#{c} ")).unwrap_or_default();
            writeln!(
                out,
                "  {} {at}{}: {}",
                style.paint(Tone::WarnStrong, "warning:"),
                f.code,
                sanitize(&f.message)
            )?;
        }
    }
    Ok(())
}

/// An expiring certificate as one line on stderr (`--expires-within`).
pub fn expiring_line(e: &Expiring, style: Style) -> String {
    let when = if e.days_left < 0 {
        format!("expired {}", e.not_after)
    } else {
        format!("expires {} (in {} days)", e.not_after, e.days_left)
    };
    let source = match &e.sni {
        Some(name) => format!("{} (SNI {name})", e.source),
        None => e.source.clone(),
    };
    format!(
        "tlskit: {} {} #{} {}: {when}",
        style.paint(Tone::WarnStrong, "expiring:"),
        sanitize(&source),
        e.index,
        sanitize(&e.subject)
    )
}

/// A finding as one line on stderr (what `-q` still prints).
pub fn finding_line(source: &str, f: &Finding, style: Style) -> String {
    let at = f.certificate.map(|c| format!(" #{c}")).unwrap_or_default();
    format!(
        "tlskit: {} {}{at}: {}: {}",
        style.paint(Tone::WarnStrong, "warning:"),
        sanitize(source),
        f.code,
        sanitize(&f.message)
    )
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_cert(out: &mut dyn Write, cert: &CertEntry, style: Style) -> std::io::Result<()> {
    let d = &cert.details;
    let role = match cert.role {
        Role::Server => "server",
        Role::Client => "client",
        Role::Ca => "CA",
        Role::Other => "other",
    };
    let mut tags = vec![role.to_string()];
    if d.self_signed {
        tags.push("self-signed".into());
    }
    if cert.in_trust_store {
        tags.push("in trust store".into());
    }
    writeln!(
        out,
        "{} {} {}",
        style.paint(Tone::Strong, format!("#{}", cert.index)),
        style.paint(Tone::Strong, sanitize(&d.subject)),
        style.paint(Tone::Dim, format!("[{}]", tags.join(", ")))
    )?;
    super::cert::render(out, Cert::Full(d), style)
}

fn render_chain(
    out: &mut dyn Write,
    chain: &ChainReport,
    certs: &[CertEntry],
    store: StoreKind,
    style: Style,
) -> std::io::Result<()> {
    let subject = |i: usize| {
        certs
            .get(i)
            .map(|c| sanitize(&c.details.subject).into_owned())
            .unwrap_or_default()
    };
    writeln!(out, "{}", style.paint(Tone::Strong, "Chain:"))?;
    if chain.shape == Shape::Collection {
        let anchors = chain.in_trust_store.iter().filter(|t| **t).count();
        writeln!(
            out,
            "  no certificate issued another; {anchors} of {} are in the trust store",
            certs.len()
        )?;
        return Ok(());
    }
    for link in &chain.links {
        let status = match &link.signed_by_next {
            LinkStatus::Signed => style.paint(Tone::Good, format!("signed by #{}", link.next)),
            LinkStatus::NotIssuer => {
                style.paint(Tone::BadSoft, format!("NOT issued by #{}", link.next))
            }
            LinkStatus::BadSignature => style.paint(
                Tone::BadSoft,
                format!(
                    "names #{} as issuer, but its signature does NOT verify",
                    link.next
                ),
            ),
            LinkStatus::Unchecked(why) => {
                style.paint(Tone::Warn, format!("issued by #{} ({why})", link.next))
            }
        };
        writeln!(out, "  #{} {}: {status}", link.index, subject(link.index))?;
    }
    if !chain.in_order {
        let order: Vec<String> = chain.path.iter().map(|i| format!("#{i}")).collect();
        writeln!(
            out,
            "  {} {}",
            style.paint(Tone::Warn, "out of order; issuing order:"),
            order.join(" -> ")
        )?;
    }
    let store_name = match store {
        StoreKind::Webpki => "Mozilla's roots",
        StoreKind::Custom => "the --ca certificates",
        StoreKind::Input => "the CAs given among the inputs",
    };
    let end = match &chain.end {
        Some(ChainEnd::TrustedRoot {
            root,
            given_in: Some(input),
            index,
            ..
        }) => style.paint(
            Tone::Good,
            format!(
                "{}{}, a CA given in '{}' on the command line (trusted as openssl verify -CAfile would)",
                index.map(|i| format!("#{i} ")).unwrap_or_default(),
                sanitize(root),
                sanitize(input)
            ),
        ),
        Some(ChainEnd::TrustedRoot {
            root,
            index: Some(i),
            ..
        }) => style.paint(
            Tone::Good,
            format!("#{i} {}, in {store_name}", sanitize(root)),
        ),
        Some(ChainEnd::TrustedRoot {
            root, index: None, ..
        }) => style.paint(
            Tone::Good,
            format!("{} from {store_name} (not sent)", sanitize(root)),
        ),
        Some(ChainEnd::UntrustedRoot { root, index }) => style.paint(
            Tone::Warn,
            format!(
                "#{index} {}, a self-signed root NOT in {store_name}",
                sanitize(root)
            ),
        ),
        Some(ChainEnd::IssuerNotFound { index, issuer }) => style.paint(
            Tone::Warn,
            format!(
                "#{index}, whose issuer {} is neither in the input nor in {store_name}",
                sanitize(issuer)
            ),
        ),
        None => "unknown".to_string(),
    };
    writeln!(out, "  {} {end}", style.paint(Tone::Dim, "ends at"))
}
