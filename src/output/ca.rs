//! Renderers of `tlskit ca` reports.

use std::io::Write;

use colored::Colorize;

use super::{field, sanitize};
use crate::pki::home::{InitReport, Layout, ShowReport};

fn files(out: &mut dyn Write, home: &Layout, root_key: Option<&str>) -> std::io::Result<()> {
    field(out, "CA home", sanitize(&home.dir.display().to_string()))?;
    field(out, "root", sanitize(&home.root.display().to_string()))?;
    field(
        out,
        "root key",
        sanitize(root_key.unwrap_or(&home.root_key.display().to_string())),
    )?;
    field(
        out,
        "intermediate",
        sanitize(&home.intermediate.display().to_string()),
    )?;
    field(
        out,
        "signing key",
        sanitize(&home.intermediate_key.display().to_string()),
    )
}

/// `ca init`.
pub fn init(out: &mut dyn Write, r: &InitReport) -> std::io::Result<()> {
    writeln!(
        out,
        "{} a CA in {}",
        "Made".green().bold(),
        sanitize(&r.home.dir.display().to_string()).bold()
    )?;
    let offline = r.offline_root_key.as_ref().map(|p| {
        format!(
            "{} (move it offline: it is not needed to issue)",
            p.display()
        )
    });
    files(out, &r.home, offline.as_deref())?;
    field(out, "may sign for", r.constraints.describe())?;
    field(out, "root pin", &r.root.spki_pin)?;
    field(out, "root SHA-256", &r.root.sha256_fingerprint)?;
    writeln!(out, "{}", "Next:".bold())?;
    writeln!(out, "  tlskit gencert app.test --issuer")?;
    writeln!(out, "  tlskit ca show")
}

/// `ca show`.
pub fn show(out: &mut dyn Write, r: &ShowReport) -> std::io::Result<()> {
    let offline = (!r.root_key_present).then(|| "offline (not in the CA home)".to_string());
    files(out, &r.home, offline.as_deref())?;
    field(out, "may sign for", r.constraints.describe())?;
    writeln!(out, "{}", "Root:".bold())?;
    super::cert::summary(out, &r.root)?;
    writeln!(out, "{}", "Intermediate:".bold())?;
    super::cert::summary(out, &r.intermediate)
}
