//! The layering, checked: engines know no flags, no screen and no exit codes
//! (docs/ARCHITECTURE.md). This test reads the engine sources and fails when
//! one of them reaches up into the command line, the renderers or the exit
//! table, or prints. A crate split would let the compiler check the imports;
//! one crate keeps the build simple, so the check is this test.

use std::path::{Path, PathBuf};

/// Engine modules: directories under `src/` and single files.
const ENGINES: &[&str] = &[
    "tls",
    "scan",
    "server",
    "bench",
    "tunnel",
    "dtls",
    "revocation",
    "pki",
    "report",
    "pinstore.rs",
    "listen.rs",
];

/// What an engine may not name, and why.
const FORBIDDEN: &[(&str, &str)] = &[
    (
        "crate::cli",
        "the command line belongs to src/cli.rs and src/cmd/",
    ),
    (
        "crate::cmd",
        "commands call engines, not the other way round",
    ),
    ("crate::output", "rendering belongs to src/output/"),
    (
        "crate::exit",
        "exit codes are decided in src/exit.rs from error kinds",
    ),
    ("clap::", "flags are parsed in src/cmd/"),
    ("colored::", "colour is chosen by the renderers"),
    ("Colorize", "colour is chosen by the renderers"),
    ("println!", "engines report data; commands print"),
    ("eprintln!", "engines report data; commands print"),
    ("print!(", "engines report data; commands print"),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The violations in one file's text: (line number, what, why). Comments and
/// `#[cfg(test)]` modules (which sit at the end of a file) are not checked.
fn violations(text: &str) -> Vec<(usize, &'static str, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            break;
        }
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or(code);
        for (what, why) in FORBIDDEN {
            if names(code, what) {
                found.push((i + 1, *what, *why));
            }
        }
    }
    found
}

/// Whether `code` names `what` as a whole path or macro (`eprintln!` does
/// not name `println!`; `my_clap::` does not name `clap::`).
fn names(code: &str, what: &str) -> bool {
    code.match_indices(what).any(|(at, _)| {
        !code[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[test]
fn engines_know_no_flags_no_screen_and_no_exit_codes() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for engine in ENGINES {
        rust_files(&src.join(engine), &mut files);
    }
    assert!(
        files.len() > 30,
        "found only {} engine files under {}",
        files.len(),
        src.display()
    );
    let mut report = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (line, what, why) in violations(&text) {
            let rel = file.strip_prefix(&src).unwrap_or(file);
            report.push(format!(
                "src/{}:{line}: names `{what}`: {why}",
                rel.display()
            ));
        }
    }
    assert!(report.is_empty(), "layering broken:\n{}", report.join("\n"));
}

#[test]
fn the_check_sees_what_it_must_and_skips_comments_and_tests() {
    let bad = "use crate::output::sanitize;\nfn f() { eprintln!(\"x\"); }\n";
    let found: Vec<_> = violations(bad).into_iter().map(|v| (v.0, v.1)).collect();
    assert_eq!(found, vec![(1, "crate::output"), (2, "eprintln!")]);
    let fine =
        "// crate::output is not for engines\n#[cfg(test)]\nmod tests { use crate::exit; }\n";
    assert!(violations(fine).is_empty());
}
