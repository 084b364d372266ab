//! Colour as a value: a renderer is handed a [`Style`] decided once in main
//! for the stream it writes to, so rendering into a buffer in a test, or to a
//! log file while stdout is a terminal, never depends on global state.

use std::fmt::Display;

use colored::{ColoredString, Colorize};

/// Whether the stream a renderer writes to gets colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Colour (ANSI SGR sequences) is on.
    pub color: bool,
}

/// What a piece of text means, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Fine: green.
    Good,
    /// Worth a look: yellow.
    Warn,
    /// Wrong: bold red.
    Bad,
    /// Wrong, in a line that says so already: red, not bold.
    BadSoft,
    /// Fine, and the point of the line: bold green.
    GoodStrong,
    /// Worth a look, as a label (`warning:`): bold yellow.
    WarnStrong,
    /// A name to notice (a new pin): bold cyan.
    Accent,
    /// Secondary (labels, times): dimmed.
    Dim,
    /// A heading: bold.
    Strong,
    /// A good grade as a badge: bold black on green.
    BadgeGood,
    /// A middling grade as a badge: bold black on yellow.
    BadgeWarn,
    /// A bad grade as a badge: bold white on red.
    BadgeBad,
}

impl Tone {
    /// `text` in this tone's colour, by `colored`.
    fn colored(self, text: &str) -> ColoredString {
        match self {
            Tone::Good => text.green(),
            Tone::Warn => text.yellow(),
            Tone::Bad => text.red().bold(),
            Tone::BadSoft => text.red(),
            Tone::GoodStrong => text.green().bold(),
            Tone::WarnStrong => text.yellow().bold(),
            Tone::Accent => text.cyan().bold(),
            Tone::Dim => text.dimmed(),
            Tone::Strong => text.bold(),
            Tone::BadgeGood => text.black().on_green().bold(),
            Tone::BadgeWarn => text.black().on_yellow().bold(),
            Tone::BadgeBad => text.white().on_red().bold(),
        }
    }
}

impl Style {
    /// No colour, whatever the stream is.
    pub const PLAIN: Style = Style { color: false };

    /// `text` in the colour of `tone` (as is when colour is off). A painted
    /// part inside `text` is followed by this tone again, so the rest of
    /// `text` keeps its colour.
    pub fn paint(self, tone: Tone, text: impl Display) -> String {
        let text = text.to_string();
        if !self.color {
            return text;
        }
        // The decision is this value's, made per stream: `colored`'s own
        // switch (which reads the environment and stdout) is held on, and
        // `colored` only writes the sequences.
        colored::control::set_override(true);
        tone.colored(&text).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_plain_and_colour_matches_the_sequences_users_see_today() {
        assert_eq!(Style::PLAIN.paint(Tone::Bad, "x"), "x");
        let on = Style { color: true };
        assert_eq!(on.paint(Tone::Bad, "error:"), "\x1b[1;31merror:\x1b[0m");
        assert_eq!(on.paint(Tone::Good, "ok"), "\x1b[32mok\x1b[0m");
        assert_eq!(on.paint(Tone::Accent, "pin"), "\x1b[1;36mpin\x1b[0m");
        // colored's `.red()`, `.green().bold()`, `.yellow().bold()`, `.dimmed()`.
        assert_eq!(on.paint(Tone::BadSoft, "x"), "\x1b[31mx\x1b[0m");
        assert_eq!(on.paint(Tone::GoodStrong, "x"), "\x1b[1;32mx\x1b[0m");
        assert_eq!(on.paint(Tone::WarnStrong, "x"), "\x1b[1;33mx\x1b[0m");
        assert_eq!(on.paint(Tone::Dim, ""), "\x1b[2m\x1b[0m");
        // `.black().on_green().bold()` and the like, for scan's grade badge.
        assert_eq!(on.paint(Tone::BadgeGood, " A "), "\x1b[1;42;30m A \x1b[0m");
        assert_eq!(on.paint(Tone::BadgeWarn, "B"), "\x1b[1;43;30mB\x1b[0m");
        assert_eq!(on.paint(Tone::BadgeBad, "F"), "\x1b[1;41;37mF\x1b[0m");
        let inner = on.paint(Tone::Good, "in");
        assert_eq!(
            on.paint(Tone::Strong, format!("a {inner} b")),
            "\x1b[1ma \x1b[32min\x1b[0m\x1b[1m b\x1b[0m"
        );
    }
}
