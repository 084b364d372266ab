//! Rendering: every report is a `Serialize` struct printed either as text
//! (coloured on a terminal) or as one JSON document.

/// Terminal-safe JSON (see [`crate::text::json`]); a JSON line made here
/// counts as JSON output for the error document of a failed `--json` run.
pub mod json {
    pub use crate::text::json::{to_vec_pretty, to_writer_pretty};

    /// `value` as one line of JSON, terminal-safe (for JSON-lines output).
    pub fn to_line<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
        super::mark_json_written();
        crate::text::json::to_line(value)
    }
}

pub mod bench;
pub mod ca;
pub mod cert;
pub mod connect;
pub mod dtls;
pub mod gencert;
pub mod inspect;
pub mod lines;
pub mod pin;
pub mod revocation;
pub mod scan;
pub mod serve;
pub mod style;
pub mod tunnel;

pub use crate::text::{plural_days, sanitize, sanitize_bytes};
pub use style::{Style, Tone};

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves `auto` against the environment and the terminal.
    pub fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// What every command gets from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// Print one JSON document instead of text.
    pub json: bool,
    /// Print only what was asked for (no summaries or hints).
    pub quiet: bool,
    /// Colour is on for stdout.
    pub color: bool,
    /// Colour is on for stderr.
    pub color_stderr: bool,
}

impl Ctx {
    /// The style for text written to stdout.
    pub fn stdout_style(&self) -> Style {
        Style { color: self.color }
    }

    /// The style for text written to stderr.
    pub fn stderr_style(&self) -> Style {
        Style {
            color: self.color_stderr,
        }
    }

    /// Writes `report` to stdout: JSON with `--json`, else through `text`.
    pub fn emit<T: Serialize>(
        &self,
        report: &T,
        text: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        let stdout = io::stdout();
        // One write for the whole report: stdout is line-buffered, and a
        // report of a few thousand lines was as many system calls.
        let mut out = io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        if self.json {
            write_json(&mut out, report)?;
        } else {
            text(&mut out)?;
        }
        out.flush()?;
        Ok(())
    }
}

/// `tlskit: warning: TEXT`, the one form of a warning on stderr; TEXT (which
/// may hold what a peer or file controls) is escaped.
pub fn warning_line(text: &str, style: Style) -> String {
    format!(
        "tlskit: {} {}",
        style.paint(Tone::WarnStrong, "warning:"),
        sanitize(text)
    )
}

/// Set once a JSON document or line has been made for the output.
static JSON_WRITTEN: AtomicBool = AtomicBool::new(false);

/// Whether this run has produced JSON output (a document, or `serve`'s lines):
/// with `--json`, a run that fails before it did prints [`write_error_document`].
pub fn json_written() -> bool {
    JSON_WRITTEN.load(Ordering::Relaxed)
}

fn mark_json_written() {
    JSON_WRITTEN.store(true, Ordering::Relaxed);
}

/// The JSON a `--json` run that failed before any report prints on stdout, on
/// one line: `{"error":{"message":"…","exit_code":N}}` (the shape of the
/// `error` member of `connect`'s and `scan`'s reports).
pub fn write_error_document(out: &mut dyn Write, message: &str, code: u8) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        error: Error<'a>,
    }
    #[derive(Serialize)]
    struct Error<'a> {
        message: &'a str,
        exit_code: u8,
        /// The failure's kind, one word (`network`, `usage`, …).
        kind: crate::report::ErrorKind,
    }
    let kind = crate::exit::Code::ALL
        .into_iter()
        .find(|c| c.as_u8() == code)
        .map_or(crate::report::ErrorKind::Error, crate::exit::Code::kind);
    let line = json::to_line(&Doc {
        error: Error {
            message,
            exit_code: code,
            kind,
        },
    })?;
    writeln!(out, "{line}")
}

/// Writes `value` as one pretty JSON document followed by a newline
/// (terminal-safe: see [`json`]).
pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    mark_json_written();
    json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// The column of a `label: value` line's value.
pub const FIELD_WIDTH: usize = 14;

/// Writes one aligned `label: value` line, the label dimmed when `style`
/// says so.
pub fn field_styled(
    out: &mut dyn Write,
    style: Style,
    label: &str,
    value: impl std::fmt::Display,
) -> io::Result<()> {
    field_aligned(out, style, FIELD_WIDTH, label, value)
}

/// Like [`field_styled`], with the values in column `width` (for label sets
/// longer than the usual ones).
pub fn field_aligned(
    out: &mut dyn Write,
    style: Style,
    width: usize,
    label: &str,
    value: impl std::fmt::Display,
) -> io::Result<()> {
    let label = format!("{:<width$}", format!("{label}:"));
    writeln!(out, "  {} {}", style.paint(Tone::Dim, label), value)
}

/// How soon a date is: the tone of "days left" figures.
pub fn days_left_tone(days_left: i64) -> Tone {
    if days_left < 0 {
        Tone::Bad
    } else if days_left < 30 {
        Tone::Warn
    } else {
        Tone::Good
    }
}

/// "expires in 29 days" / "expired 3 days ago" / "not valid for 2 more days".
pub fn describe_validity(days_until_expiry: i64, days_until_valid: i64) -> String {
    if days_until_valid > 0 {
        return format!("not yet valid: starts in {}", plural_days(days_until_valid));
    }
    match days_until_expiry {
        d if d < 0 => format!("expired {} ago", plural_days(-d)),
        0 => "expires today".to_string(),
        d => format!("expires in {}", plural_days(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_phrases() {
        assert_eq!(describe_validity(29, -5), "expires in 29 days");
        assert_eq!(describe_validity(-3, -400), "expired 3 days ago");
        assert_eq!(describe_validity(-1, -400), "expired 1 day ago");
        assert_eq!(describe_validity(0, -1), "expires today");
        assert_eq!(describe_validity(40, 2), "not yet valid: starts in 2 days");
    }

    #[test]
    fn never_and_always_ignore_the_terminal() {
        assert!(!ColorChoice::Never.enabled(true));
        assert!(ColorChoice::Always.enabled(false));
        assert!(!ColorChoice::Auto.enabled(false));
    }
}
