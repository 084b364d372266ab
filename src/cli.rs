//! The command line: global flags and the subcommands.

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::output::ColorChoice;

const ABOUT: &str = "A command-line TLS toolkit: certificates, connections, servers, pins and audits, with secure defaults";

const LONG_ABOUT: &str = "\
tlskit generates certificates (self-signed, a local CA, mTLS client certificates), \
test-connects to TLS servers and shows what was negotiated and verified, runs a \
concurrent echo or status-page TLS server, inspects and pins certificates, audits \
servers for legacy protocols, load-tests them, and puts TLS and mTLS in front of \
plaintext services (tunnel).

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

    /// Print JSON on stdout instead of text: one document (serve: one JSON object per line, for each event).
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
    /// Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port.
    Tunnel(cmd::tunnel::Args),
    /// Write shell completions and man pages (for packagers and the repository).
    #[command(hide = true)]
    Generate(crate::generate::Args),
}

/// A command line clap refused, as tlskit says every error: one sentence for
/// `tlskit: error: …` (and the JSON document), then clap's usage lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// The sentence: what is wrong, naming the argument.
    pub message: String,
    /// Where to read more: `tlskit connect --help` (runs as printed).
    pub help: String,
}

impl std::fmt::Display for UsageError {
    /// The one line after `tlskit: error: `.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (see '{}')", self.message, self.help)
    }
}

impl UsageError {
    /// From clap's error and the arguments it was given (without the program name).
    pub fn from_clap(err: &clap::Error, args: &[String]) -> UsageError {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        let rendered = err.render().to_string();
        let mut lines = rendered.lines();
        let first = lines.next().unwrap_or_default();
        let mut message = first.strip_prefix("error: ").unwrap_or(first).to_string();
        let mut listed = Vec::new();
        for line in lines {
            let t = line.trim();
            if t.starts_with("Usage:") || t.starts_with("For more information") {
                break;
            }
            if !t.is_empty() && !t.starts_with("tip:") {
                // The arguments listed under "…were not provided:".
                listed.push(t.to_string());
            }
        }
        use clap::CommandFactory;
        let sub = args.iter().take_while(|a| *a != "--").find(|a| {
            Cli::command()
                .get_subcommands()
                .any(|c| c.get_name() == a.as_str())
        });
        let help = match sub {
            Some(sub) => format!("tlskit {sub} --help"),
            None => "tlskit --help".to_string(),
        };
        let context = |kind: ContextKind| match err.get(kind) {
            Some(ContextValue::String(s)) => Some(s.clone()),
            Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join("' or '")),
            _ => None,
        };
        match err.kind() {
            ErrorKind::MissingRequiredArgument => {
                let names = if listed.is_empty() {
                    "see below".to_string()
                } else {
                    listed.join(", ")
                };
                let what = if listed.len() == 1 {
                    "a required argument is missing"
                } else {
                    "required arguments are missing"
                };
                message = format!("{what}: {names}");
            }
            ErrorKind::UnknownArgument => {
                let arg = context(ContextKind::InvalidArg).unwrap_or_default();
                let negative =
                    arg.len() > 1 && arg.starts_with('-') && arg[1..].parse::<f64>().is_ok();
                if negative {
                    // clap's tip, `-- -5`, would make it a positional argument.
                    let before = args
                        .iter()
                        .position(|a| *a == arg)
                        .and_then(|i| i.checked_sub(1))
                        .map(|i| args[i].as_str())
                        .filter(|a| a.starts_with('-'));
                    message = match before {
                        Some(flag) => format!(
                            "'{arg}' after {flag}: {flag} does not accept a negative number"
                        ),
                        None => format!("unexpected argument '{arg}' (a negative number)"),
                    };
                } else if let Some(similar) = context(ContextKind::SuggestedArg) {
                    message = format!("{message} (did you mean '{similar}'?)");
                } else if let Some(sub) = context(ContextKind::SuggestedSubcommand) {
                    message = format!("{message} (did you mean '{sub}'?)");
                }
            }
            ErrorKind::InvalidSubcommand => {
                if let Some(sub) = context(ContextKind::SuggestedSubcommand) {
                    message = format!("{message} (did you mean '{sub}'?)");
                }
            }
            // A value parser's own sentence, after the flag it is about:
            // `--groups: unknown key-exchange group 'x' (known: …)`.
            ErrorKind::ValueValidation => {
                let flag = context(ContextKind::InvalidArg)
                    .and_then(|a| a.split_whitespace().next().map(str::to_string));
                if let (Some(flag), Some(why)) = (flag, std::error::Error::source(err)) {
                    message = format!("{flag}: {why}");
                }
            }
            ErrorKind::InvalidValue => {
                if let Some(ContextValue::Strings(valid)) = err.get(ContextKind::ValidValue) {
                    message = format!("{message} (possible values: {})", valid.join(", "));
                }
            }
            _ => {}
        }
        UsageError { message, help }
    }
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

    fn usage(args: &[&str]) -> UsageError {
        let mut all = vec!["tlskit"];
        all.extend_from_slice(args);
        let err = Cli::try_parse_from(&all).unwrap_err();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        UsageError::from_clap(&err, &args)
    }

    #[test]
    fn usage_errors_are_one_sentence_naming_the_argument() {
        let e = usage(&["connect"]);
        assert_eq!(e.message, "a required argument is missing: <TARGET>");
        assert_eq!(e.help, "tlskit connect --help");
        let e = usage(&["gencert", "--days", "-5"]);
        assert!(!e.message.contains("-- -5"), "{e:?}");
        assert!(e.message.contains("'-5' after --days"), "{e:?}");
        let e = usage(&["connect", "x:1", "--tiemout", "3"]);
        assert!(e.message.contains("'--tiemout'"), "{e:?}");
        assert!(e.message.contains("did you mean '--timeout'"), "{e:?}");
    }

    #[test]
    fn help_lists_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Exit codes:"));
        assert!(help.contains("6  pin mismatch"));
    }
}
