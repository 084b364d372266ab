//! The command-line frame: help, version, usage errors and exit codes.

use crate::util;

use crate::util::{code, stderr, stdout, Dir};

#[test]
fn help_documents_every_subcommand_and_exit_code() {
    let dir = Dir::new();
    let help = dir.ok(&["--help"]);
    // Every subcommand, and not the hidden generator.
    assert_eq!(
        section(&help, "Commands:").to_string(),
        "
  gencert  Generate a self-signed certificate, a local CA, a CA-issued or client certificate, or a
           CSR
  ca       A local CA: a root and a name-constrained intermediate, and trust-store install
  serve    Run a concurrent TLS echo or status-page server (ephemeral certificate by default)
  connect  Connect to a TLS server and report what was negotiated and verified
  inspect  Show certificates, keys and CSRs from files or live hosts
  pin      Compute, check and remember SPKI pins
  scan     Audit a server for legacy protocols, weak suites and certificate problems
  bench    Load-test a TLS endpoint: handshakes per second, resumption, throughput
  tunnel   Put TLS and mTLS in front of a TCP service, or reach a TLS service through a local port
  help     Print this message or the help of the given subcommand(s)
"[1..]
            .to_string(),
        "{help}"
    );
    assert_eq!(
        section(&help, "Exit codes:").to_string(),
        "
  0  success
  1  error (bad input, I/O)
  2  usage error (bad flags or arguments)
  3  network error (resolve, connect, timeout)
  4  TLS handshake failed
  5  certificate verification failed
  6  pin mismatch (also a changed trusted pin)
  7  a certificate expires within --expires-within
  8  an audit fell below the required --min-grade
"[1..]
            .to_string(),
        "{help}"
    );
}

/// The lines of `help` under the heading `title`, up to the next blank line.
fn section<'a>(help: &'a str, title: &str) -> &'a str {
    let start = help
        .find(&format!("\n{title}\n"))
        .map(|i| i + title.len() + 2)
        .unwrap_or_else(|| panic!("no {title} in:\n{help}"));
    let rest = &help[start..];
    &rest[..rest.find("\n\n").map_or(rest.len(), |i| i + 1)]
}

#[test]
fn version_and_usage_errors() {
    let dir = Dir::new();
    assert!(dir.ok(&["--version"]).starts_with("tlskit "));
    dir.expect(
        &["--bogus"],
        2,
        "",
        "tlskit: error: unexpected argument '--bogus' found (see 'tlskit --help')\n",
    );
    // No subcommand is a usage error, with the short help on stderr.
    let out = dir.exits(&[], 2);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).starts_with("A command-line TLS toolkit")
            && stderr(&out).contains("\nUsage: tlskit [OPTIONS] <COMMAND>\n"),
        "{}",
        stderr(&out)
    );
    dir.expect(
        &["gencert", "--color", "sometimes"],
        2,
        "",
        "tlskit: error: invalid value 'sometimes' for '--color <WHEN>' \
         (possible values: auto, always, never) (see 'tlskit gencert --help')\n",
    );
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
    // A bad flag value is a usage error.
    dir.expect(
        &["gencert", "--cn", ""],
        2,
        "",
        "tlskit: error: --cn must be non-empty printable text\n",
    );
}

#[test]
fn a_bad_target_servername_or_connect_to_is_a_usage_error_in_every_client_command() {
    let dir = Dir::new();
    let commands = ["connect", "bench", "scan", "inspect", "pin"];
    for cmd in commands {
        dir.expect(
            &[cmd, "localhost:99999"],
            2,
            "",
            "tlskit: error: 'localhost:99999': port 99999 is out of range (1-65535)\n",
        );
        dir.expect(
            &[cmd, "127.0.0.1:1", "--servername", "not a name!"],
            2,
            "",
            "tlskit: error: --servername: 'not a name!' is not a valid host name\n",
        );
    }
    for cmd in ["connect", "bench", "scan"] {
        dir.expect(
            &[cmd, "localhost:443", "--connect-to", "[::1"],
            2,
            "",
            "tlskit: error: --connect-to: '[::1': '[' without a closing ']'\n",
        );
    }
    dir.expect(
        &["pin", "--forget", "x:0"],
        2,
        "",
        "tlskit: error: --forget: 'x:0': port 0 is out of range (1-65535)\n",
    );
}

#[test]
fn with_json_a_failure_before_any_report_is_still_a_json_document() {
    let dir = Dir::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().to_string();
    for (args, want) in [
        (vec!["--json", "inspect", "missing.pem"], 1),
        (vec!["--json", "pin", "missing.pem"], 1),
        (vec!["--json", "gencert", "--not-before", "someday"], 2),
        (vec!["--json", "connect", "localhost:99999"], 2),
        (vec!["--json", "serve", "--listen", busy.as_str()], 3),
    ] {
        let out = dir.exits(&args, want);
        let text = stdout(&out);
        assert_eq!(text.lines().count(), 1, "{args:?}: {text}");
        let doc: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"));
        assert_eq!(doc["error"]["exit_code"], want, "{args:?}: {doc}");
        // The message is the one on stderr, without the prefix.
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(
            stderr(&out).contains(message),
            "{args:?}: {message} / {}",
            stderr(&out)
        );
    }
    // A command that printed its own document with the error adds nothing.
    let out = dir.run(&["--json", "connect", "127.0.0.1:1"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["error"]["stage"], "connect", "{doc}");
    // Without --json, stdout stays empty.
    assert!(stdout(&dir.run(&["inspect", "missing.pem"])).is_empty());
}

#[test]
fn every_help_example_fits_on_its_line() {
    // clap wraps long help at 100 columns: an example line that does not fit
    // is cut in two, and its tail reads like a command of its own.
    let dir = Dir::new();
    for sub in [
        "gencert", "serve", "connect", "inspect", "pin", "scan", "bench",
    ] {
        let help = dir.ok(&[sub, "--help"]);
        let examples = help
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{sub} --help has no Examples section:\n{help}"));
        let lines: Vec<&str> = examples.lines().take_while(|l| !l.is_empty()).collect();
        assert!(lines.len() >= 3, "{sub}: {examples}");
        for line in lines {
            assert!(
                line.starts_with(&format!("  tlskit {sub}")),
                "{sub} --help: a wrapped or stray example line {line:?}"
            );
        }
    }
}

#[test]
fn colour_on_stderr_follows_stderr_not_stdout() {
    // `script` (util-linux) gives the command a terminal; one stream at a time
    // is redirected to a file. Colour is for terminals: the file never gets
    // escape sequences, the terminal does.
    if !util::have("script") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "-q"]);
    let bin = util::bin();
    let bin = bin.display();
    // stdout on the terminal, stderr to a file.
    util::sh(
        dir.path(),
        &format!("script -qec '{bin} gencert 2>err.log' /dev/null >/dev/null || true"),
    );
    let log = dir.read("err.log");
    assert!(log.contains("tlskit: error: "), "{log:?}");
    assert!(!log.contains('\x1b'), "escape sequences in a file: {log:?}");
    // stdout to a file, stderr on the terminal.
    let tty = util::sh(
        dir.path(),
        &format!("env -u NO_COLOR script -qec '{bin} gencert >out.txt' /dev/null || true"),
    );
    assert!(
        tty.contains("\x1b[1;31merror:"),
        "no colour on a terminal: {tty:?}"
    );
    // NO_COLOR wins on the terminal.
    let tty = util::sh(
        dir.path(),
        &format!("NO_COLOR=1 script -qec '{bin} gencert >out.txt' /dev/null || true"),
    );
    assert!(
        tty.contains("tlskit: error: ") && !tty.contains('\x1b'),
        "{tty:?}"
    );
}

#[test]
fn with_json_a_usage_error_from_the_parser_is_a_json_document_too() {
    let dir = Dir::new();
    for args in [
        vec!["--json", "gencert", "--bogus"],
        vec!["gencert", "--json", "--color", "sometimes"],
        vec!["connect", "--json"],
    ] {
        let out = dir.exits(&args, 2);
        let text = stdout(&out);
        assert_eq!(text.lines().count(), 1, "{args:?}: {text:?}");
        let doc: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"));
        assert_eq!(doc["error"]["exit_code"], 2, "{args:?}: {doc}");
        let message = doc["error"]["message"].as_str().unwrap();
        assert!(
            !message.is_empty() && stderr(&out).contains(message),
            "{args:?}: {message:?} / {}",
            stderr(&out)
        );
    }
    // Help and version are not errors, and a value that happens to be
    // "--json" after `--` does not ask for JSON.
    assert!(!dir.ok(&["--json", "gencert", "--help"]).starts_with('{'));
    let out = dir.exits(&["gencert", "--bogus", "--", "--json"], 2);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

/// The parser's errors follow the documented format too: one line,
/// `tlskit: error: <sentence>`, naming what is missing, with no tip that
/// would change the meaning (`-- -5` would make `-5` a NAME), and a help
/// command that runs as printed.
#[test]
fn parser_errors_are_one_line_in_the_documented_format() {
    let dir = Dir::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["connect", "127.0.0.1:9", "--groups", "ffdhe2048"],
            "--groups: unknown key-exchange group 'ffdhe2048'",
        ),
        (
            &["connect", "127.0.0.1:9", "--pin", "md5//x"],
            "--pin: 'md5//x' is not a pin",
        ),
        (
            &["gencert", "--color", "sometimes"],
            "invalid value 'sometimes' for '--color <WHEN>' (possible values: auto, always, never)",
        ),
        (&["connect", "x", "--insecur"], "did you mean '--insecure'?"),
        (
            &["gencert", "--days", "-5"],
            "'-5' after --days: --days does not accept a negative number",
        ),
        (&["connect"], "a required argument is missing: <TARGET>"),
        (
            &["connect", "x:1", "--timeout", "abc"],
            "--timeout: 'abc' is not a number of seconds",
        ),
        (
            &["connect", "x:1", "--tiemout", "3"],
            "did you mean '--timeout'?",
        ),
    ];
    for &(args, said) in cases {
        let out = dir.run(args);
        assert_eq!(code(&out), 2, "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("tlskit: error: "), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(said), "{args:?}: {err}");
        assert!(!err.contains("-- -5"), "{args:?}: {err}");
        // The help it points to runs.
        let help = err
            .rsplit_once("(see '")
            .and_then(|(_, h)| h.strip_suffix("')\n"))
            .unwrap_or_else(|| panic!("{args:?}: no help hint in {err}"));
        let words: Vec<&str> = help.split_whitespace().collect();
        assert_eq!(words[0], "tlskit", "{help}");
        dir.ok(&words[1..]);
    }
    let out = dir.run(&["--json", "connect"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        doc["error"]["message"],
        "a required argument is missing: <TARGET>"
    );
    assert_eq!(doc["error"]["kind"], "usage", "{doc}");
}
