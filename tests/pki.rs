//! The local PKI: intermediates, CSR signing, name constraints and the CA
//! home, checked with real OpenSSL and curl.

mod util;

use std::process::Command;
use std::time::Duration;

use util::*;

/// Runs a shell script in `dir`; (exit code, stdout + stderr).
fn sh_status(dir: &Dir, script: &str) -> (i32, String) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir.path());
    let out = run_bounded(cmd, Duration::from_secs(60));
    (code(&out), format!("{}{}", stdout(&out), stderr(&out)))
}

/// tlskit with the CA home inside the test directory.
fn with_home(dir: &Dir, args: &[&str]) -> std::process::Output {
    let mut cmd = dir.tlskit(args);
    cmd.env("TLSKIT_CA_HOME", dir.join("home"));
    run_bounded(cmd, Duration::from_secs(60))
}

fn home_ok(dir: &Dir, args: &[&str]) -> String {
    let out = with_home(dir, args);
    assert_eq!(code(&out), 0, "{args:?}: {}{}", stdout(&out), stderr(&out));
    stdout(&out)
}

fn pem_count(text: &str) -> usize {
    text.matches("-----BEGIN CERTIFICATE-----").count()
}

fn curl_ok(dir: &Dir, port: u16, cacert: &str) -> bool {
    let resolve = format!("app.test:{port}:127.0.0.1");
    let url = format!("https://app.test:{port}/");
    let mut c = Command::new("curl");
    c.args([
        "-sS",
        "--max-time",
        "20",
        "--resolve",
        &resolve,
        "--cacert",
        cacert,
        &url,
    ])
    .current_dir(dir.path());
    scrub(&mut c);
    code(&run_bounded(c, Duration::from_secs(30))) == 0
}

#[test]
fn intermediate_chain_verifies_with_openssl_and_serves_to_curl() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--pathlen", "1", "--out", "root", "-q"]);
    dir.ok(&[
        "gencert", "--ca", "--issuer", "root.pem", "--out", "inter", "-q",
    ]);
    // The intermediate may sign only leaves: pathlen 0, under the root's 1.
    let text = sh(dir.path(), "openssl x509 -in inter.pem -noout -text");
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
    dir.ok(&["gencert", "app.test", "--issuer", "inter.pem", "-q"]);
    // The certificate file holds the leaf, then the intermediate.
    let chain = dir.read("app.test.pem");
    assert_eq!(pem_count(&chain), 2, "{chain}");
    sh(
        dir.path(),
        "openssl x509 -in app.test.pem -noout -subject | grep -q 'CN *= *app.test'",
    );
    let v = sh(
        dir.path(),
        "openssl verify -CAfile root.pem -untrusted inter.pem app.test.pem",
    );
    assert!(v.contains("app.test.pem: OK"), "{v}");
    // Without the intermediate, the leaf alone does not verify: the chain matters.
    let (c, _) = sh_status(
        &dir,
        "openssl x509 -in app.test.pem -out leaf.pem && openssl verify -CAfile root.pem leaf.pem",
    );
    assert_ne!(c, 0);
    // The intermediate may not sign another CA.
    let out = dir.run(&["gencert", "--ca", "--issuer", "inter.pem", "--out", "sub"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("pathlen is 0"), "{}", stderr(&out));
    assert!(!dir.join("sub.pem").exists());

    if !have("curl") {
        return;
    }
    let srv = spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "app.test.pem",
            "--key",
            "app.test-key.pem",
        ],
    );
    assert!(
        curl_ok(&dir, srv.port, "root.pem"),
        "curl with the root failed"
    );
    drop(srv);
}
