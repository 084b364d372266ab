//! JSON that is safe to print on a terminal and still exact.
//!
//! serde_json escapes only the C0 controls, `"` and `\`: a certificate name
//! holding U+009B (the one-character CSI of C1) or U+202E (right-to-left
//! override) would reach the terminal raw from `tlskit inspect --json`. This
//! formatter writes every character that [`crate::text::sanitize`] would escape as
//! a JSON `\uXXXX` escape instead, which any JSON parser decodes back to the
//! very same string: machines get the exact value, people a harmless screen.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

use super::is_safe;

/// Wraps a serde_json formatter, escaping what is unsafe on a terminal.
struct TerminalSafe<F>(F);

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_safe(c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // Layout: whatever the wrapped formatter does.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as indented JSON, terminal-safe (no trailing newline).
pub fn to_writer_pretty<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, TerminalSafe(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// `value` as one line of JSON, terminal-safe (for JSON-lines output).
pub fn to_line<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut buf = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, TerminalSafe(CompactFormatter));
    value.serialize(&mut ser)?;
    // The formatter writes only UTF-8 (serde_json's own output plus ASCII escapes).
    Ok(String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// `value` as indented JSON bytes, terminal-safe.
pub fn to_vec_pretty<T: Serialize + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(1024);
    to_writer_pretty(&mut buf, value)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NASTY: &str = "a\x1b[31m\u{9b}2J\u{202e}\u{200b}\u{7f}\0\"\\ é 😀";

    #[test]
    fn unsafe_characters_become_json_escapes_and_decode_back() {
        let line = to_line(&serde_json::json!({ "k\u{202e}": NASTY })).unwrap();
        assert_eq!(
            line,
            r#"{"k\u202e":"a\u001b[31m\u009b2J\u202e\u200b\u007f\u0000\"\\ é 😀"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["k\u{202e}"], NASTY);
    }

    #[test]
    fn pretty_layout_is_serde_jsons() {
        let v = serde_json::json!({"a": [1, {"b": "x\u{9b}"}], "c": null});
        let mut ours = Vec::new();
        to_writer_pretty(&mut ours, &v).unwrap();
        let theirs = serde_json::to_string_pretty(&v)
            .unwrap()
            .replace('\u{9b}', "\\u009b");
        assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        assert_eq!(
            to_line(&v).unwrap(),
            serde_json::to_string(&v)
                .unwrap()
                .replace('\u{9b}', "\\u009b")
        );
    }
}
