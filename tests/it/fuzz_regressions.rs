//! Every input a fuzz target ever failed on, run through that target again
//! (the same `tlskit::fuzzing` function `cargo fuzz` drives). Each entry
//! names the bug it found; the unit tests beside the parsers check the fix
//! itself.

/// Runs `target` on `input`; the target panics if the bug is back.
fn replay(target: fn(&[u8]), input: &[u8]) {
    target(input);
}

/// A store whose last line is a lone CR: written back as CRLF, it read back
/// as an empty line, so the store text changed on every rewrite.
#[test]
fn pinstore_lone_carriage_return() {
    replay(tlskit::fuzzing::pinstore, b"\r");
}

/// The same with whitespace and two CRs: stripping one CR was not enough.
#[test]
fn pinstore_two_carriage_returns() {
    replay(tlskit::fuzzing::pinstore, &[32, 9, 13, 13]);
}

/// `]:8443` was accepted and canonicalised to `:8443`, which does not read
/// back: after the next rewrite the whole store failed to load.
#[test]
fn pinstore_stray_bracket_key() {
    let input = b"# tlsm\x04\x00\x00\x00\x00\x00\x00\x00256/\n]:8443 \
        sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= 2025-11-21T23:59:59+01:00\n";
    replay(tlskit::fuzzing::pinstore, input);
    let err = tlskit::pinstore::parse_store(input, "x").unwrap_err();
    assert!(format!("{err:#}").contains("line 2"), "{err:#}");
}
