//! Text safety, a leaf every layer may use: escapes what a peer or a file
//! controls before it reaches a terminal or a log, so that a certificate's CN
//! or a server's ALPN string cannot move the cursor, recolour the screen or
//! reorder text with bidi overrides. Engines build their error sentences with
//! it; renderers apply it to report fields.

pub mod json;

use std::borrow::Cow;

/// Whether `c` may be printed as it is.
pub fn is_safe(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// Bidi controls, zero-width characters and other invisible formatters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{061C}'                // Arabic letter mark
        | '\u{180E}'                // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{202E}'   // line/paragraph separators, bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'   // bidi isolates and deprecated formatters
        | '\u{FEFF}'                // zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotations
    )
}

/// Returns `s` with every unsafe character written as a `\u{…}` escape
/// (`\n`, `\t`, `\r`, `\0` and `\e` for the common ones). Borrowed when clean.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_safe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_safe(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            '\x1b' => out.push_str("\\e"),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`], for bytes that may not be UTF-8 (invalid sequences become U+FFFD).
pub fn sanitize_bytes(b: &[u8]) -> String {
    sanitize(&String::from_utf8_lossy(b)).into_owned()
}

/// "1 day" / "N days".
pub fn plural_days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// A duration for people: `850ms`, `12.3s`, `4m05s`.
pub fn human_duration(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms}ms"),
        1000..=59_999 if ms.is_multiple_of(1000) => format!("{}s", ms / 1000),
        1000..=59_999 => format!("{:.1}s", ms as f64 / 1000.0),
        _ => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
    }
}

/// `CamelCase` → `camel{sep}case`, keeping acronyms whole (`UnknownCA` →
/// `unknown_ca`, `UnknownPSKIdentity` → `unknown_psk_identity`); characters
/// other than ASCII letters and digits are dropped. The one converter for
/// names that come from rustls' Debug forms, so every command spells an alert
/// or an error kind alike.
pub fn snake_words(camel: &str, sep: char) -> String {
    let camel: Vec<char> = camel.chars().filter(char::is_ascii_alphanumeric).collect();
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, &c) in camel.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            // A word starts after a lower-case letter, or at the last capital of an acronym.
            let prev_lower = !camel[i - 1].is_ascii_uppercase();
            let next_lower = camel.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev_lower || next_lower {
                out.push(sep);
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize("example.com"), Cow::Borrowed(_)));
        assert_eq!(sanitize("Zürich Ünïcode"), "Zürich Ünïcode");
    }

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(sanitize("a\x1b[31mred"), "a\\e[31mred");
        assert_eq!(sanitize("nul\0here"), "nul\\0here");
        assert_eq!(sanitize("evil\u{202E}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(sanitize("zero\u{200B}width"), "zero\\u{200b}width");
        assert_eq!(sanitize("line\nbreak"), "line\\nbreak");
        assert_eq!(sanitize("\u{9b}csi"), "\\u{9b}csi");
    }

    #[test]
    fn bytes_are_sanitized_too() {
        assert_eq!(sanitize_bytes(b"h2\x07\xff"), "h2\\u{7}\u{fffd}");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(850), "850ms");
        assert_eq!(human_duration(12_345), "12.3s");
        assert_eq!(human_duration(10_000), "10s");
        assert_eq!(human_duration(245_000), "4m05s");
    }

    #[test]
    fn snake_words_keep_acronyms_whole() {
        assert_eq!(snake_words("UnknownCA", '_'), "unknown_ca");
        assert_eq!(
            snake_words("UnknownPSKIdentity", '_'),
            "unknown_psk_identity"
        );
        assert_eq!(snake_words("ConnectionReset", ' '), "connection reset");
        assert_eq!(snake_words("BadCertificate", '_'), "bad_certificate");
    }
}
