//! The command line: global flags and the subcommands.

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::output::ColorChoice;

const ABOUT: &str = "A command-line TLS toolkit: certificates, connections, servers, pins and audits, with secure defaults";

const LONG_ABOUT: &str = "\
tlskit generates certificates (self-signed, a local CA, mTLS client certificates), \
test-connects to TLS servers and shows what was negotiated and verified, runs a \
concurrent echo or status-page TLS server, inspects and pins certificates, audits \
servers for legacy protocols and load-tests them.

TLS 1.3 first; nothing below TLS 1.2 is ever negotiated by tlskit; certificates are \
verified (hostname included) unless --insecure is given.";

/// tlskit's command line.
#[derive(Debug, Parser)]
#[command(
    name = "tlskit",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = crate::exit::help_table(),
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Print only what was asked for: no summaries, hints or progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// Parsed once per process: boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a CSR.
    Gencert(cmd::gencert::Args),
    /// A local CA: a root and a name-constrained intermediate, and trust-store install.
    Ca(cmd::ca::Args),
    /// Run a concurrent TLS echo or status-page server (ephemeral certificate by default).
    Serve(cmd::serve::Args),
    /// Connect to a TLS server and report what was negotiated and verified.
    Connect(cmd::connect::Args),
    /// Show certificates, keys and CSRs from files or live hosts.
    Inspect(cmd::inspect::Args),
    /// Compute, check and remember SPKI pins.
    Pin(cmd::pin::Args),
    /// Audit a server for legacy protocols, weak suites and certificate problems.
    Scan(cmd::scan::Args),
    /// Load-test a TLS endpoint: handshakes per second, resumption, throughput.
    Bench(cmd::bench::Args),
    /// Write shell completions and man pages (for packagers and the repository).
    #[command(hide = true)]
    Generate(crate::generate::Args),
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_parse_anywhere() {
        let cli =
            Cli::try_parse_from(["tlskit", "gencert", "--json", "-q", "--color", "never"]).unwrap();
        assert!(cli.json && cli.quiet);
        assert_eq!(cli.color, ColorChoice::Never);
    }

    #[test]
    fn help_lists_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"));
        assert!(help.contains("6  pin mismatch"));
    }
}
