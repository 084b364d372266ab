//! The certificates a TLS server presented, as `connect` shows them: after
//! its report, and alone when the handshake failed.

use std::io::Write;

use crate::output::cert::{self, Cert};
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
        cert::render(out, Cert::Summary(&c.summary), style)?;
    }
    Ok(())
}

/// Which handshake failed: a TLS server's chain is shown whole, DTLS sees
/// the leaf only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TLS over TCP (`connect`).
    Tls,
    /// DTLS over UDP (`connect --dtls`).
    Dtls,
}

/// What a failed handshake shows (on stderr, before the error): the
/// certificates the server presented, which is usually the quickest way to
/// see why.
pub fn render_failed(
    out: &mut dyn Write,
    transport: Transport,
    target: &str,
    address: Option<&str>,
    chain: &[ChainCert],
    style: Style,
) -> std::io::Result<()> {
    let what = match transport {
        Transport::Tls => "Handshake with",
        Transport::Dtls => "DTLS handshake with",
    };
    writeln!(
        out,
        "{} {} ({}) {}",
        style.paint(Tone::Strong, what),
        style.paint(Tone::Strong, sanitize(target)),
        address.unwrap_or("?"),
        style.paint(Tone::Strong, "failed.")
    )?;
    match transport {
        Transport::Tls => render_chain(out, chain, style),
        Transport::Dtls => crate::output::dtls::render_chain(out, chain, style),
    }
}
