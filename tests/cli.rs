//! The command-line frame: help, version, usage errors and exit codes.

mod util;

use util::{code, stderr, stdout, Dir};

#[test]
fn help_documents_every_subcommand_and_exit_code() {
    let dir = Dir::new();
    let help = dir.ok(&["--help"]);
    for sub in [
        "gencert", "serve", "connect", "inspect", "pin", "scan", "bench",
    ] {
        assert!(
            help.contains(&format!("  {sub}")),
            "{sub} missing from --help:\n{help}"
        );
    }
    assert!(
        !help.contains("\n  generate "),
        "the generator stays hidden"
    );
    for line in [
        "0  success",
        "1  error (bad input, I/O)",
        "2  usage error",
        "3  network error",
        "4  TLS handshake failed",
        "5  certificate verification failed",
        "6  pin mismatch",
        "7  a certificate expires within",
        "8  an audit fell below",
    ] {
        assert!(
            help.contains(line),
            "exit code line {line:?} missing:\n{help}"
        );
    }
}

#[test]
fn version_and_usage_errors() {
    let dir = Dir::new();
    assert!(dir.ok(&["--version"]).starts_with("tlskit "));
    let out = dir.run(&["--bogus"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unexpected argument '--bogus'"));
    let out = dir.run(&[]);
    assert_eq!(code(&out), 2, "no subcommand is a usage error");
    let out = dir.run(&["gencert", "--color", "sometimes"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn readme_documents_the_same_exit_codes() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for code in tlskit::exit::Code::ALL {
        let row = format!("| {} | {} |", code.as_u8(), code.meaning());
        assert!(readme.contains(&row), "README lacks the row {row:?}");
    }
}

#[test]
fn errors_are_one_line_on_stderr_with_nothing_on_stdout() {
    let dir = Dir::new();
    let out = dir.run(&["gencert", "--cn", ""]);
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    assert_eq!(
        stderr(&out),
        "tlskit: error: --cn must be non-empty printable text\n"
    );
}
