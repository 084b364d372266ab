//! `inspect`'s report and its text form: every detail of certificates,
//! chains, keys and requests, the `--key` and `--expires-within` results.

use std::io::Write;

use serde::Serialize;

use super::{sanitize, Style, Tone};
use crate::tls::chain::{ChainEnd, ChainReport, LinkStatus, Shape, StoreKind};
use crate::tls::lint::{Finding, Role};
use crate::tls::pin::Pin;
use crate::tls::x509info::{
    CertDetails, CsrDetails, PrivateKeyDetails, PublicKeyDetails, Validity,
};

/// One certificate in the report.
#[derive(Debug, Serialize)]
pub struct CertEntry {
    /// Position in its input (0: first presented).
    pub index: usize,
    /// What it is for, as far as tlskit can tell.
    pub role: Role,
    /// Whether it is itself a trust anchor of the store used.
    pub in_trust_store: bool,
    /// Every detail.
    #[serde(flatten)]
    pub details: CertDetails,
}

/// What a live server did.
#[derive(Debug, Serialize)]
pub struct ServerInfo {
    /// The target dialled.
    pub target: String,
    /// The address that answered.
    pub address: Option<String>,
    /// The name verified against.
    pub server_name: String,
    /// Whether the chain verified (Mozilla's roots, the server name).
    pub verified: bool,
    /// Why not.
    pub verification_error: Option<String>,
    /// Negotiated protocol.
    pub protocol: Option<String>,
    /// Negotiated cipher suite.
    pub cipher_suite: Option<String>,
}

/// Everything read from one input.
#[derive(Debug, Serialize)]
pub struct InputReport {
    /// The input as named.
    pub source: String,
    /// `file`, `stdin` or `server`.
    pub kind: &'static str,
    /// Set for a live server.
    pub server: Option<ServerInfo>,
    /// Certificates, in the order presented.
    pub certificates: Vec<CertEntry>,
    /// How the certificates relate (absent when there are none).
    pub chain: Option<ChainReport>,
    /// Private keys (described by their public half only).
    pub private_keys: Vec<PrivateKeyDetails>,
    /// Bare public keys.
    pub public_keys: Vec<PublicKeyDetails>,
    /// Certificate signing requests.
    pub csrs: Vec<CsrDetails>,
    /// PEM sections present but not inspected (a CRL, …).
    pub skipped: Vec<String>,
    /// What looks wrong.
    pub findings: Vec<Finding>,
    /// Servers, with --check-revocation: each certificate's revocation status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::RevocationReport>,
    /// The certificates as read (for `--pem` and `--key`).
    #[serde(skip)]
    pub ders: Vec<Vec<u8>>,
    /// The requests as read (for `--key`).
    #[serde(skip)]
    pub csr_ders: Vec<Vec<u8>>,
}

/// The result of `--key`.
#[derive(Debug, Serialize)]
pub struct KeyCheck {
    /// The key file.
    pub key: String,
    /// The key's pin.
    pub key_pin: Pin,
    /// One result per input with a certificate.
    pub results: Vec<KeyMatch>,
}

/// Whether the key belongs to one input's leaf.
#[derive(Debug, Serialize)]
pub struct KeyMatch {
    /// The input.
    pub source: String,
    /// What the key was checked against: `certificate` (the leaf), or `request`
    /// (the first CSR, for an input without certificates).
    pub kind: &'static str,
    /// The certificate's (or request's) subject.
    pub subject: String,
    /// The certificate's (or request's) pin.
    pub certificate_pin: Pin,
    /// Whether they belong together.
    pub matches: bool,
}

/// One certificate that expires within the threshold.
#[derive(Debug, Serialize)]
pub struct Expiring {
    /// The input.
    pub source: String,
    /// Index within it.
    pub index: usize,
    /// Subject.
    pub subject: String,
    /// notAfter.
    pub not_after: String,
    /// Days left (negative: expired).
    pub days_left: i64,
}

/// The result of `--expires-within`.
#[derive(Debug, Serialize)]
pub struct ExpiryCheck {
    /// The threshold, in seconds.
    pub within_seconds: i64,
    /// Certificates inside it.
    pub expiring: Vec<Expiring>,
}

/// What `inspect` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per input, in command-line order.
    pub inputs: Vec<InputReport>,
    /// The trust store chains were judged against.
    pub trust_store: StoreKind,
    /// With `--key`.
    pub key_check: Option<KeyCheck>,
    /// With `--expires-within`.
    pub expiry_check: Option<ExpiryCheck>,
}

// ---------------------------------------------------------------- rendering

const WIDTH: usize = 17;

/// `label: value`, with the value (which a file or peer controls) sanitized.
fn kv(out: &mut dyn Write, style: Style, label: &str, value: &str) -> std::io::Result<()> {
    kv_raw(out, style, label, &sanitize(value))
}

/// `label: value` for a value tlskit built (and sanitized) itself.
fn kv_raw(out: &mut dyn Write, style: Style, label: &str, value: &str) -> std::io::Result<()> {
    let label = format!("{:<WIDTH$}", format!("{label}:"));
    writeln!(out, "  {} {}", style.paint(Tone::Dim, label), value)
}

/// Continuation lines of a multi-value field.
fn kv_list(
    out: &mut dyn Write,
    style: Style,
    label: &str,
    values: &[String],
) -> std::io::Result<()> {
    for (i, v) in values.iter().enumerate() {
        kv(out, style, if i == 0 { label } else { "" }, v)?;
    }
    Ok(())
}

fn crit(critical: bool) -> &'static str {
    if critical {
        " (critical)"
    } else {
        ""
    }
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
        "server" => format!("Server {}", sanitize(&input.source)),
        "stdin" => "Standard input".to_string(),
        _ => sanitize(&input.source).into_owned(),
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
        if chain.shape != Shape::Single || input.kind == "server" || chain.end.is_some() {
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
    format!(
        "tlskit: {} {} #{} {}: {when}",
        style.paint(Tone::WarnStrong, "expiring:"),
        sanitize(&e.source),
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
    kv(out, style, "subject", &d.subject)?;
    kv(out, style, "issuer", &d.issuer)?;
    kv(out, style, "serial", &d.serial)?;
    let days_for_colour = match d.validity {
        Validity::Valid => d.days_left,
        _ => -1,
    };
    let valid = super::cert::validity_text(
        style,
        &d.not_before,
        &d.not_after,
        d.days_left,
        d.days_until_valid,
        days_for_colour,
    );
    kv_raw(out, style, "valid", &valid)?;
    if !d.sans.is_empty() {
        kv_raw(out, style, "SANs", &super::cert::sans_text(&d.sans))?;
    }
    kv(out, style, "key", &d.key.to_string())?;
    kv(out, style, "signature", &d.signature_algorithm)?;
    if let Some(bc) = &d.basic_constraints {
        let text = match (bc.ca, bc.path_len) {
            (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
            (true, None) => "CA:TRUE".to_string(),
            (false, _) => "CA:FALSE".to_string(),
        };
        kv(
            out,
            style,
            "basic constr.",
            &format!("{text}{}", crit(bc.critical)),
        )?;
    }
    if let Some(ku) = &d.key_usage {
        kv(
            out,
            style,
            "key usage",
            &format!("{}{}", ku.usages.join(", "), crit(ku.critical)),
        )?;
    }
    if let Some(eku) = &d.extended_key_usage {
        kv(
            out,
            style,
            "ext. key usage",
            &format!("{}{}", eku.purposes.join(", "), crit(eku.critical)),
        )?;
    }
    if let Some(ski) = &d.subject_key_id {
        kv(out, style, "subject key id", ski)?;
    }
    if let Some(aki) = &d.authority_key_id {
        kv(out, style, "auth. key id", aki)?;
    }
    if let Some(aia) = &d.authority_info_access {
        kv_list(out, style, "OCSP", &aia.ocsp)?;
        kv_list(out, style, "CA issuers", &aia.ca_issuers)?;
    }
    kv_list(out, style, "CRL", &d.crl_distribution_points)?;
    let policies: Vec<String> = d
        .policies
        .iter()
        .map(|p| match p.name {
            Some(n) => format!("{} ({n})", p.oid),
            None => p.oid.clone(),
        })
        .collect();
    kv_list(out, style, "policies", &policies)?;
    let scts: Vec<String> = d
        .scts
        .iter()
        .map(|s| format!("{}  log {}", s.timestamp, s.log_id))
        .collect();
    kv_list(out, style, "SCTs", &scts)?;
    let others: Vec<String> = d
        .other_extensions
        .iter()
        .map(|e| {
            let name = e.name.clone().unwrap_or_else(|| e.oid.clone());
            format!("{name}{}", crit(e.critical))
        })
        .collect();
    if !others.is_empty() {
        kv(out, style, "other ext.", &others.join(", "))?;
    }
    for m in &d.malformed_extensions {
        kv_raw(
            out,
            style,
            "malformed ext.",
            &style.paint(Tone::BadSoft, sanitize(m)),
        )?;
    }
    kv(out, style, "SHA-256", &d.sha256_fingerprint)?;
    kv(out, style, "SHA-1", &d.sha1_fingerprint)?;
    kv(out, style, "SPKI pin", &d.spki_pin.to_string())
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
