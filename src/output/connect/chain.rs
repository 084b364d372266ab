//! The certificates a TLS server presented, as `connect` shows them: after
//! its report, and alone when the handshake failed.

use std::io::Write;

use crate::output::cert::summary;
use crate::output::{sanitize, Style, Tone};
use crate::report::ChainCert;

/// The chain as the server sent it, each certificate summarised.
pub fn render_chain(out: &mut dyn Write, chain: &[ChainCert], style: Style) -> std::io::Result<()> {
    let n = chain.len();
    writeln!(
        out,
        "{}",
        style.paint(
            Tone::Strong,
            format!(
                "Certificate chain ({n} certificate{}, as sent by the server):",
                if n == 1 { "" } else { "s" }
            )
        )
    )?;
    for (i, c) in chain.iter().enumerate() {
        let role = if i == 0 { "server" } else { "chain" };
        writeln!(
            out,
            " {} {role}",
            style.paint(Tone::Strong, format!("#{i}"))
        )?;
        summary(out, &c.summary, style)?;
    }
    Ok(())
}

/// What a failed handshake shows (on stderr, before the error): the chain the
/// server presented, which is usually the quickest way to see why.
pub fn render_failed(
    out: &mut dyn Write,
    target: &str,
    address: Option<&str>,
    chain: &[ChainCert],
    style: Style,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} ({}) {}",
        style.paint(Tone::Strong, "Handshake with"),
        style.paint(Tone::Strong, sanitize(target)),
        address.unwrap_or("?"),
        style.paint(Tone::Strong, "failed.")
    )?;
    render_chain(out, chain, style)
}
