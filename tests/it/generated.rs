//! completions/ and man/ must match what the current CLI generates.
//! `UPDATE_GENERATED=1 cargo test --test it generated` rewrites them.

use std::path::Path;

#[test]
fn completions_and_man_pages_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        tlskit::generate::write_all(root).expect("writing generated files");
        return;
    }
    let mut stale = Vec::new();
    for (rel, expected) in tlskit::generate::files().expect("generating") {
        match std::fs::read(root.join(&rel)) {
            Ok(actual) if actual == expected => {}
            _ => stale.push(rel.display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "generated files are stale: {stale:?}\nrun: UPDATE_GENERATED=1 cargo test --test it generated"
    );
}
