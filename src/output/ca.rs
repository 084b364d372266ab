//! Renderers of `tlskit ca` reports.

use std::io::Write;

use super::cert::Cert;
use super::{field_styled, sanitize, Style, Tone};
use crate::pki::home::{InitReport, Layout, ShowReport};

fn files(
    out: &mut dyn Write,
    style: Style,
    home: &Layout,
    root_key: Option<&str>,
) -> std::io::Result<()> {
    field_styled(
        out,
        style,
        "CA home",
        sanitize(&home.dir.display().to_string()),
    )?;
    field_styled(
        out,
        style,
        "root",
        sanitize(&home.root.display().to_string()),
    )?;
    field_styled(
        out,
        style,
        "root key",
        sanitize(root_key.unwrap_or(&home.root_key.display().to_string())),
    )?;
    field_styled(
        out,
        style,
        "intermediate",
        sanitize(&home.intermediate.display().to_string()),
    )?;
    field_styled(
        out,
        style,
        "signing key",
        sanitize(&home.intermediate_key.display().to_string()),
    )
}

/// `ca init`.
pub fn init(out: &mut dyn Write, r: &InitReport, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{} a CA in {}",
        style.paint(Tone::GoodStrong, "Made"),
        style.paint(Tone::Strong, sanitize(&r.home.dir.display().to_string()))
    )?;
    let offline = r.offline_root_key.as_ref().map(|p| {
        format!(
            "{} (move it offline: it is not needed to issue)",
            p.display()
        )
    });
    files(out, style, &r.home, offline.as_deref())?;
    field_styled(out, style, "may sign for", r.constraints.describe())?;
    field_styled(out, style, "root pin", &r.root.spki_pin)?;
    field_styled(out, style, "root SHA-256", &r.root.sha256_fingerprint)?;
    writeln!(out, "{}", style.paint(Tone::Strong, "Next:"))?;
    writeln!(out, "  tlskit gencert app.test --issuer")?;
    writeln!(out, "  tlskit ca show")
}

/// `ca show`.
pub fn show(out: &mut dyn Write, r: &ShowReport, style: Style) -> std::io::Result<()> {
    let offline = (!r.root_key_present).then(|| "offline (not in the CA home)".to_string());
    files(out, style, &r.home, offline.as_deref())?;
    field_styled(out, style, "may sign for", r.constraints.describe())?;
    writeln!(out, "{}", style.paint(Tone::Strong, "Root:"))?;
    super::cert::render(out, Cert::Summary(&r.root), style)?;
    writeln!(out, "{}", style.paint(Tone::Strong, "Intermediate:"))?;
    super::cert::render(out, Cert::Summary(&r.intermediate), style)
}

/// What `ca export` wrote.
#[derive(Debug, serde::Serialize)]
pub struct Exported {
    /// The PKCS#12 file.
    pub path: String,
    /// How many certificates it holds (intermediate, root).
    pub certificates: usize,
}

/// `ca export`.
pub fn exported(out: &mut dyn Write, r: &Exported, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} (PKCS#12, mode 0600): the intermediate, its key and the root",
        style.paint(Tone::GoodStrong, "Wrote"),
        style.paint(Tone::Strong, sanitize(&r.path))
    )
}

/// What `ca install` / `ca uninstall` did.
#[derive(Debug, serde::Serialize)]
pub struct TrustChanges {
    /// The root's subject.
    pub root: String,
    /// Each store location and what happened there.
    pub changes: Vec<crate::pki::trust::Change>,
    /// Stores left alone, and why.
    pub notes: Vec<String>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
}

/// Where the root is trusted.
#[derive(Debug, serde::Serialize)]
pub struct TrustStatus {
    /// The root's subject.
    pub root: String,
    /// Each store location.
    pub stores: Vec<crate::pki::trust::Status>,
}

fn store_name(s: crate::pki::trust::Store) -> &'static str {
    use crate::pki::trust::Store;
    match s {
        Store::System => "system",
        Store::Nss => "NSS",
        Store::Java => "Java",
    }
}

/// `ca install` and `ca uninstall`.
pub fn changes(out: &mut dyn Write, r: &TrustChanges, style: Style) -> std::io::Result<()> {
    use crate::pki::trust::Outcome;
    writeln!(
        out,
        "{} {}",
        style.paint(Tone::Strong, "Root:"),
        super::cert::subject_text(&r.root)
    )?;
    for c in &r.changes {
        let what = match c.outcome {
            Outcome::Installed => style.paint(Tone::Good, "installed in"),
            Outcome::AlreadyInstalled => "already in".to_string(),
            Outcome::Removed => style.paint(Tone::Warn, "removed from"),
            Outcome::NotInstalled => "was not in".to_string(),
        };
        writeln!(
            out,
            "  {what} {} ({})",
            sanitize(&c.location),
            store_name(c.store)
        )?;
        if !c.undo.is_empty() {
            writeln!(out, "    undo: {}", sanitize(&c.undo))?;
        }
    }
    if r.changes.is_empty() {
        writeln!(out, "  no store was changed")?;
    }
    for n in &r.notes {
        writeln!(out, "  note: {}", sanitize(n))?;
    }
    Ok(())
}

/// `ca status`.
pub fn status(out: &mut dyn Write, r: &TrustStatus, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}",
        style.paint(Tone::Strong, "Root:"),
        super::cert::subject_text(&r.root)
    )?;
    for s in &r.stores {
        let mark = if s.trusted {
            style.paint(Tone::Good, "trusted    ")
        } else {
            "not trusted".to_string()
        };
        writeln!(
            out,
            "  {mark}  {} ({})",
            sanitize(&s.location),
            store_name(s.store)
        )?;
    }
    Ok(())
}
