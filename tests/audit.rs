//! External audits of `tlskit serve` by tools nobody here wrote: sslyze
//! (versions, suites, forward secrecy, Mozilla's "intermediate" and
//! "modern" profiles) and tlslite-ng (a pure-Python TLS stack) as a client.
//! Both come from PyPI into the virtualenv `.ci/run` makes
//! (`target/sslyze-venv`, or `$TLSKIT_AUDIT_VENV`).

mod util;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use util::{code, run_bounded, stderr, stdout, Dir};

/// A program from the audit virtualenv; skips locally, fails under CI=true.
fn venv_bin(name: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("TLSKIT_AUDIT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/sslyze-venv"));
    let path = venv.join("bin").join(name);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{} is missing under CI=true: .ci/run must install it",
            path.display()
        );
    }
    util::skip(format!(
        "{name} is not installed (python3 -m venv target/sslyze-venv && \
         target/sslyze-venv/bin/pip install sslyze tlslite-ng)"
    ));
    None
}

/// A CA and a CA-issued `localhost` leaf, so that sslyze can validate the chain.
fn pki(dir: &Dir) {
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
}

fn sslyze(dir: &Dir, sslyze: &PathBuf, port: u16, profile: &str) -> (i32, Value, String) {
    let mut cmd = Command::new(sslyze);
    cmd.current_dir(dir.path()).args([
        "--sni",
        "localhost",
        &format!("127.0.0.1:{port}"),
        "--certinfo_ca_file",
        "ca.pem",
        "--mozilla_config",
        profile,
        "--json_out=sslyze.json",
    ]);
    let out = run_bounded(cmd, Duration::from_secs(120));
    let json: Value = serde_json::from_str(&dir.read("sslyze.json")).expect("sslyze JSON");
    (code(&out), json, stdout(&out))
}

/// The accepted suites per protocol of an sslyze scan result.
fn accepted(result: &Value, key: &str) -> Vec<String> {
    result[key]["result"]["accepted_cipher_suites"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    s["cipher_suite"]["name"]
                        .as_str()
                        .unwrap_or("?")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sslyze_finds_modern_tls_only_and_mozilla_intermediate_compliance() {
    let Some(sslyze_bin) = venv_bin("sslyze") else {
        return;
    };
    let dir = Dir::new();
    pki(&dir);
    let served = util::spawn_serve(
        &dir,
        &["--cert", "localhost.pem", "--key", "localhost-key.pem"],
    );
    let (rc, json, text) = sslyze(&dir, &sslyze_bin, served.port, "intermediate");
    assert_eq!(
        rc, 0,
        "sslyze found tlskit serve not compliant with Mozilla intermediate:\n{text}"
    );
    assert!(text.contains("OK - Compliant"), "{text}");
    let result = &json["server_scan_results"][0]["scan_result"];
    for legacy in [
        "ssl_2_0_cipher_suites",
        "ssl_3_0_cipher_suites",
        "tls_1_0_cipher_suites",
        "tls_1_1_cipher_suites",
    ] {
        assert!(
            accepted(result, legacy).is_empty(),
            "{legacy} accepted: {:?}",
            accepted(result, legacy)
        );
    }
    let tls12 = accepted(result, "tls_1_2_cipher_suites");
    let tls13 = accepted(result, "tls_1_3_cipher_suites");
    assert!(
        !tls12.is_empty() && !tls13.is_empty(),
        "TLS 1.2 {tls12:?} / 1.3 {tls13:?}"
    );
    // Forward secrecy everywhere: every TLS 1.2 suite is ECDHE (1.3 suites always are).
    for suite in &tls12 {
        assert!(
            suite.starts_with("TLS_ECDHE_"),
            "non-forward-secret suite {suite}"
        );
        assert!(
            suite.contains("GCM") || suite.contains("CHACHA20"),
            "non-AEAD suite {suite}"
        );
    }
}

#[test]
fn sslyze_finds_tls13_only_serve_mozilla_modern_compliant() {
    let Some(sslyze_bin) = venv_bin("sslyze") else {
        return;
    };
    let dir = Dir::new();
    pki(&dir);
    let served = util::spawn_serve(
        &dir,
        &[
            "--tls13",
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
        ],
    );
    let (rc, json, text) = sslyze(&dir, &sslyze_bin, served.port, "modern");
    assert_eq!(
        rc, 0,
        "sslyze found tlskit serve --tls13 not compliant with Mozilla modern:\n{text}"
    );
    let result = &json["server_scan_results"][0]["scan_result"];
    assert!(accepted(result, "tls_1_2_cipher_suites").is_empty());
    assert_eq!(
        accepted(result, "tls_1_3_cipher_suites").len(),
        3,
        "rustls offers the three TLS 1.3 AEAD suites"
    );
}

#[test]
fn tlslite_ng_client_handshakes_resumes_and_echoes() {
    let (Some(tls_py), Some(python)) = (venv_bin("tls.py"), venv_bin("python")) else {
        return;
    };
    let dir = Dir::new();
    pki(&dir);
    // tls.py's client sends an HTTP/1.0 request and reads until the server closes: --www.
    let www = util::spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
        ],
    );
    let mut cmd = Command::new(&tls_py);
    cmd.current_dir(dir.path()).args([
        "client",
        "--resumption",
        &format!("localhost:{}", www.port),
    ]);
    let out = run_bounded(cmd, Duration::from_secs(60));
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert_eq!(text.matches("Handshake success").count(), 2, "{text}");
    assert!(text.contains("Version: TLS 1.3"), "{text}");
    assert!(
        text.contains("Session Resumed: True"),
        "resumption with tlslite-ng:\n{text}"
    );

    // Echo, through tlslite-ng's API: 16 KiB out, the same 16 KiB back.
    let echo = util::spawn_serve(
        &dir,
        &["--cert", "localhost.pem", "--key", "localhost-key.pem"],
    );
    let script = r#"
import socket, sys
from tlslite import TLSConnection
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
conn = TLSConnection(sock)
conn.handshakeClientCert(serverName="localhost")
payload = bytes(range(256)) * 64
conn.sendall(payload)
got = b""
while len(got) < len(payload):
    chunk = conn.recv(65536)
    if not chunk:
        break
    got += chunk
print(conn.version, len(got), got == payload)
conn.close()
"#;
    let mut cmd = Command::new(&python);
    cmd.current_dir(dir.path())
        .arg("-c")
        .arg(script)
        .arg(echo.port.to_string());
    let out = run_bounded(cmd, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "(3, 4) 16384 True");
}
