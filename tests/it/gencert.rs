//! `tlskit gencert` against real OpenSSL and Python's `ssl` module.

use crate::util;

use std::process::Command;
use std::time::Duration;

use crate::util::{code, have, run_bounded, stderr, stdout, Dir};

/// Runs a shell pipeline in `dir` and returns its trimmed stdout, asserting success.
fn sh(dir: &Dir, script: &str) -> String {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir.path());
    let out = run_bounded(cmd, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "`{script}` failed: {}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// Runs a shell command in `dir` and returns (exit code, stdout + stderr).
fn sh_status(dir: &Dir, script: &str) -> (i32, String) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir.path());
    let out = run_bounded(cmd, Duration::from_secs(60));
    (code(&out), format!("{}{}", stdout(&out), stderr(&out)))
}

fn json(dir: &Dir, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = dir.ok(&all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn default_is_a_localhost_leaf_openssl_accepts() {
    let dir = Dir::new();
    let report = json(&dir, &["gencert"]);
    assert_eq!(dir.entries(), ["localhost-key.pem", "localhost.pem"]);
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir.join("localhost-key.pem")), 0o600);
        assert_eq!(mode(&dir.join("localhost.pem")), 0o644);
    }
    let cert = &report["certificate"];
    assert_eq!(cert["subject"], "CN=localhost");
    assert_eq!(cert["is_ca"], false);
    assert_eq!(cert["key"]["curve"], "P-256");
    assert_eq!(
        cert["sans"],
        serde_json::json!(["DNS:localhost", "IP:127.0.0.1", "IP:::1"])
    );
    assert!(
        (29..=30).contains(&cert["days_left"].as_i64().unwrap()),
        "{cert}"
    );
    if !have("openssl") {
        return;
    }
    let text = sh(&dir, "openssl x509 -in localhost.pem -noout -text");
    assert!(text.contains("CA:FALSE"), "{text}");
    assert!(
        text.contains("TLS Web Server Authentication, TLS Web Client Authentication"),
        "{text}"
    );
    assert!(
        text.contains("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"),
        "{text}"
    );
    assert!(text.contains("ASN1 OID: prime256v1"), "{text}");
    // The key is the certificate's key.
    let cert_pub = sh(&dir, "openssl x509 -in localhost.pem -pubkey -noout");
    let key_pub = sh(&dir, "openssl pkey -in localhost-key.pem -pubout");
    assert_eq!(cert_pub, key_pub);
    // Valid now, and for no more than 30 days.
    sh(&dir, "openssl x509 -in localhost.pem -noout -checkend 0");
    let (rc, _) = sh_status(
        &dir,
        "openssl x509 -in localhost.pem -noout -checkend 2600000",
    );
    assert_eq!(rc, 1, "a 30-day certificate must end within 30.1 days");
}

#[test]
fn every_key_type_round_trips_through_openssl() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let expect = [
        ("p256", "prime256v1"),
        ("p384", "secp384r1"),
        ("ed25519", "ED25519"),
        ("rsa2048", "(2048 bit)"),
        ("rsa3072", "(3072 bit)"),
        ("rsa4096", "(4096 bit)"),
    ];
    for (key_type, marker) in expect {
        let report = json(
            &dir,
            &[
                "gencert",
                "example.test",
                "--key-type",
                key_type,
                "--out",
                key_type,
            ],
        );
        let cert_file = format!("{key_type}.pem");
        let text = sh(&dir, &format!("openssl x509 -in {cert_file} -noout -text"));
        assert!(text.contains(marker), "{key_type}: {text}");
        assert!(text.contains("DNS:example.test"), "{text}");
        let c = &report["certificate"];
        assert_eq!(
            c["spki_pin"].as_str().unwrap(),
            util::openssl_pin(
                &dir,
                &format!("openssl x509 -in {} -pubkey -noout", &cert_file)
            ),
            "{key_type} pin"
        );
        assert_eq!(
            c["sha256_fingerprint"].as_str().unwrap(),
            util::openssl_fingerprint(&dir, &cert_file, "sha256"),
            "{key_type} fingerprint"
        );
        // OpenSSL reads the key and finds it matches.
        let cert_pub = sh(
            &dir,
            &format!("openssl x509 -in {cert_file} -pubkey -noout"),
        );
        let key_pub = sh(
            &dir,
            &format!("openssl pkey -in {key_type}-key.pem -pubout"),
        );
        assert_eq!(cert_pub, key_pub, "{key_type} key matches");
        // A self-signed leaf verifies against itself (signature correct).
        sh(
            &dir,
            &format!("openssl verify -partial_chain -CAfile {cert_file} {cert_file}"),
        );
    }
}

#[test]
fn ca_issued_leaves_verify_with_openssl_and_not_with_another_ca() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    for ca_type in ["p256", "rsa2048", "ed25519"] {
        let ca = format!("ca-{ca_type}");
        let report = json(
            &dir,
            &[
                "gencert",
                "--ca",
                "--cn",
                "Test CA",
                "--key-type",
                ca_type,
                "--out",
                &ca,
            ],
        );
        assert_eq!(report["certificate"]["is_ca"], true);
        let ca_text = sh(&dir, &format!("openssl x509 -in {ca}.pem -noout -text"));
        assert!(ca_text.contains("CA:TRUE, pathlen:0"), "{ca_text}");
        assert!(ca_text.contains("Certificate Sign, CRL Sign"), "{ca_text}");
        let leaf = format!("leaf-{ca_type}");
        dir.ok(&[
            "gencert",
            "localhost",
            "--issuer",
            &format!("{ca}.pem"),
            "--out",
            &leaf,
            "--key-type",
            "p384",
        ]);
        sh(
            &dir,
            &format!("openssl verify -CAfile {ca}.pem -purpose sslserver {leaf}.pem"),
        );
        // The leaf's AKI is the CA's SKI.
        let ski = sh(
            &dir,
            &format!("openssl x509 -in {ca}.pem -noout -ext subjectKeyIdentifier | tail -1"),
        );
        let aki = sh(
            &dir,
            &format!("openssl x509 -in {leaf}.pem -noout -ext authorityKeyIdentifier | tail -1"),
        );
        assert_eq!(ski.trim(), aki.trim().trim_start_matches("keyid:"));
    }
    // A leaf of one CA does not verify under another.
    let (rc, out) = sh_status(&dir, "openssl verify -CAfile ca-p256.pem leaf-rsa2048.pem");
    assert_ne!(rc, 0, "{out}");
    assert!(
        out.contains("unable to get local issuer certificate"),
        "{out}"
    );
}

/// Two CAs made with the defaults have subjects of their own, so a leaf of one
/// checked against the other is "issuer unknown", not "bad signature".
#[test]
fn every_default_ca_has_a_name_of_its_own() {
    let dir = Dir::new();
    let mut subjects = Vec::new();
    for ca in ["one", "two"] {
        let report = json(&dir, &["gencert", "--ca", "--out", ca]);
        let subject = report["certificate"]["subject"]
            .as_str()
            .unwrap()
            .to_string();
        let id = subject
            .strip_prefix("CN=tlskit local CA ")
            .unwrap_or_else(|| panic!("{subject}"));
        assert!(
            id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()),
            "{subject}"
        );
        subjects.push(subject);
    }
    assert_ne!(subjects[0], subjects[1]);
    // --cn still names it as asked.
    let report = json(
        &dir,
        &["gencert", "--ca", "--cn", "Team CA", "--out", "team"],
    );
    assert_eq!(report["certificate"]["subject"], "CN=Team CA");
    dir.ok(&[
        "gencert",
        "localhost",
        "--issuer",
        "two.pem",
        "--out",
        "leaf",
    ]);
    if have("openssl") {
        let (rc, out) = sh_status(&dir, "openssl verify -CAfile one.pem leaf.pem");
        assert_ne!(rc, 0, "{out}");
        assert!(
            out.contains("unable to get local issuer certificate"),
            "{out}"
        );
    }
    let out = dir.run(&["inspect", "leaf.pem", "--ca", "one.pem"]);
    let want = format!(
        "whose issuer {} is neither in the input nor in the --ca certificates",
        subjects[1]
    );
    assert!(stdout(&out).contains(&want), "{}", stdout(&out));
}

#[test]
fn client_certificates_are_client_auth_only() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca"]);
    let report = json(
        &dir,
        &[
            "gencert",
            "alice@example.test",
            "--client",
            "--issuer",
            "ca.pem",
        ],
    );
    assert_eq!(report["certificate"]["subject"], "CN=alice@example.test");
    assert_eq!(report["files"][0]["path"], "alice@example.test.pem");
    let text = sh(&dir, "openssl x509 -in alice@example.test.pem -noout -text");
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
    assert!(!text.contains("TLS Web Server Authentication"), "{text}");
    assert!(text.contains("email:alice@example.test"), "{text}");
    sh(
        &dir,
        "openssl verify -CAfile ca.pem -purpose sslclient alice@example.test.pem",
    );
    let (rc, _) = sh_status(
        &dir,
        "openssl verify -CAfile ca.pem -purpose sslserver alice@example.test.pem",
    );
    assert_ne!(
        rc, 0,
        "a client certificate must not pass as a server certificate"
    );
    // A CN-only identity works too.
    dir.ok(&[
        "gencert",
        "--client",
        "--cn",
        "build bot",
        "--issuer",
        "ca.pem",
    ]);
    assert!(dir.join("build_bot.pem").exists());
}

#[test]
fn csr_is_a_valid_request_with_the_printed_pin() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let report = json(
        &dir,
        &[
            "gencert",
            "example.test",
            "www.example.test",
            "--csr",
            "req.csr",
        ],
    );
    assert_eq!(dir.entries(), ["example.test-key.pem", "req.csr"]);
    // In another directory, the key goes beside the request (not into the current one).
    std::fs::create_dir(dir.join("sub")).unwrap();
    dir.ok(&["gencert", "other.test", "--csr", "sub/other.csr", "-q"]);
    assert!(dir.join("sub/other.test-key.pem").exists());
    assert!(!dir.join("other.test-key.pem").exists());
    sh(&dir, "openssl req -in req.csr -noout -verify");
    let text = sh(&dir, "openssl req -in req.csr -noout -text");
    assert!(
        text.contains("DNS:example.test, DNS:www.example.test"),
        "{text}"
    );
    let b64 = sh(
        &dir,
        "openssl req -in req.csr -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
    );
    assert_eq!(
        report["csr"]["spki_pin"].as_str().unwrap(),
        format!("sha256//{b64}")
    );
}

#[test]
fn sans_of_every_kind() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&[
        "gencert",
        "*.example.test",
        "example.test",
        "192.0.2.7",
        "2001:db8::1",
        "ops@example.test",
        "--cn",
        "Example",
    ]);
    assert!(dir.join("_wildcard.example.test.pem").exists());
    let text = sh(
        &dir,
        "openssl x509 -in _wildcard.example.test.pem -noout -text",
    );
    assert!(text.contains("Subject: CN = Example"), "{text}");
    for want in [
        "DNS:*.example.test",
        "DNS:example.test",
        "IP Address:192.0.2.7",
        "IP Address:2001:DB8:0:0:0:0:0:1",
        "email:ops@example.test",
    ] {
        assert!(text.contains(want), "{want} missing in {text}");
    }
}

#[test]
fn a_name_too_long_for_a_common_name_leaves_the_subject_empty() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    // 127 characters: a valid DNS name, but twice what a CN may hold.
    let long = format!("{}.{}", "a".repeat(63), "b".repeat(63));
    let v = json(&dir, &["gencert", &long, "--out", "long"]);
    assert_eq!(v["certificate"]["subject"], "");
    // The text says so for the issuer too, rather than leaving a blank.
    let shown = dir.ok(&["gencert", &long, "--out", "shown"]);
    assert!(
        shown.contains("  issuer:        (empty; self-signed)\n"),
        "{shown}"
    );
    let text = sh(&dir, "openssl x509 -in long.pem -noout -text");
    assert!(
        text.contains("X509v3 Subject Alternative Name: critical"),
        "an empty subject needs a critical SAN: {text}"
    );
    let (rc, out) = sh_status(
        &dir,
        &format!("openssl verify -CAfile long.pem -verify_hostname {long} long.pem"),
    );
    assert_eq!(rc, 0, "{out}");
    // A shorter name after it becomes the CN instead.
    let v = json(&dir, &["gencert", &long, "short.test", "--out", "two"]);
    assert_eq!(v["certificate"]["subject"], "CN=short.test");
    // A request too: public CAs refuse a CN over 64 characters.
    let v = json(
        &dir,
        &["gencert", &long, "--csr", "long.csr", "--key", "k.pem"],
    );
    assert_eq!(v["csr"]["subject"], "");
    assert_eq!(
        sh(
            &dir,
            "openssl req -in long.csr -noout -subject -verify 2>&1"
        ),
        "Certificate request self-signature verify OK\nsubject="
    );
}

#[test]
fn a_fully_qualified_name_with_its_trailing_dot_matches_the_host() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let v = json(&dir, &["gencert", "Www.Example.Test."]);
    assert_eq!(v["certificate"]["sans"][0], "DNS:www.example.test");
    assert!(
        dir.join("www.example.test.pem").exists(),
        "{:?}",
        dir.entries()
    );
    let (rc, out) = sh_status(
        &dir,
        "openssl verify -CAfile www.example.test.pem -verify_hostname www.example.test \
         www.example.test.pem",
    );
    assert_eq!(rc, 0, "{out}");
    // The same name in other spellings is one SAN.
    let v = json(
        &dir,
        &[
            "gencert", "a.test", "A.TEST", "a.test.", "::1", "0:0::1", "--out", "dup",
        ],
    );
    assert_eq!(
        v["certificate"]["sans"],
        serde_json::json!(["DNS:a.test", "IP:::1"])
    );
}

#[test]
fn not_before_makes_expired_and_future_certificates() {
    let dir = Dir::new();
    let expired = json(
        &dir,
        &[
            "gencert",
            "--not-before",
            "-40d",
            "--days",
            "10",
            "--out",
            "expired",
        ],
    );
    assert!(expired["certificate"]["days_left"].as_i64().unwrap() < -29);
    let future = json(&dir, &["gencert", "--not-before", "+2d", "--out", "future"]);
    assert!(future["certificate"]["days_until_valid"].as_i64().unwrap() >= 1);
    let dated = json(
        &dir,
        &[
            "gencert",
            "--not-before",
            "2020-01-01",
            "--days",
            "1",
            "--out",
            "dated",
        ],
    );
    assert_eq!(dated["certificate"]["not_before"], "2020-01-01T00:00:00Z");
    assert_eq!(dated["certificate"]["not_after"], "2020-01-02T00:00:00Z");
    if have("openssl") {
        let (rc, _) = sh_status(&dir, "openssl x509 -in expired.pem -noout -checkend 0");
        assert_eq!(rc, 1, "expired certificate must fail -checkend 0");
        let (rc, out) = sh_status(&dir, "openssl verify -CAfile future.pem future.pem");
        assert_ne!(rc, 0);
        assert!(out.contains("not yet valid"), "{out}");
    }
}

#[test]
fn python_ssl_loads_the_pair_and_checks_hostnames() {
    if !have("python3") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem"]);
    dir.ok(&["gencert", "other.test", "--issuer", "ca.pem"]);
    let script = r#"
import socket, ssl, sys, threading
cert, key = sys.argv[1], sys.argv[2]
srv_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
srv_ctx.load_cert_chain(cert, key)
listener = socket.create_server(("127.0.0.1", 0))
listener.settimeout(10)
port = listener.getsockname()[1]
def serve():
    try:
        conn, _ = listener.accept()
        conn.settimeout(10)
        with srv_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(tls.recv(100))
    except Exception:
        pass
t = threading.Thread(target=serve, daemon=True)
t.start()
cli_ctx = ssl.create_default_context(cafile="ca.pem")
assert cli_ctx.check_hostname
try:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with cli_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"ping")
            assert tls.recv(100) == b"ping"
            print("OK", tls.version())
except ssl.SSLCertVerificationError as e:
    print("VERIFY_FAILED", e.verify_message)
t.join(10)
"#;
    let run = |cert: &str, key: &str| {
        let mut cmd = Command::new("python3");
        cmd.arg("-c")
            .arg(script)
            .arg(cert)
            .arg(key)
            .current_dir(dir.path());
        let out = run_bounded(cmd, Duration::from_secs(60));
        assert_eq!(code(&out), 0, "python failed: {}", stderr(&out));
        stdout(&out)
    };
    let good = run("localhost.pem", "localhost-key.pem");
    assert!(good.starts_with("OK TLSv1.3"), "{good}");
    let bad = run("other.test.pem", "other.test-key.pem");
    assert!(bad.starts_with("VERIFY_FAILED"), "{bad}");
    assert!(bad.contains("Hostname mismatch"), "{bad}");
}

#[test]
fn existing_files_need_force_and_are_never_half_replaced() {
    let dir = Dir::new();
    dir.ok(&["gencert"]);
    let cert_before = dir.read("localhost.pem");
    let key_before = dir.read("localhost-key.pem");
    // Only the key exists under the second name: still nothing is written.
    std::fs::remove_file(dir.join("localhost.pem")).unwrap();
    dir.expect(
        &["gencert"],
        1,
        "",
        "tlskit: error: 'localhost-key.pem' already exists; nothing was written (use --force to \
         overwrite)\n",
    );
    assert_eq!(dir.entries(), ["localhost-key.pem"]);
    assert_eq!(dir.read("localhost-key.pem"), key_before);
    // --force replaces both, keeping the key private.
    dir.ok(&["gencert", "--force"]);
    assert_ne!(dir.read("localhost-key.pem"), key_before);
    assert_ne!(dir.read("localhost.pem"), cert_before);
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("localhost-key.pem")), 0o600);
    assert_eq!(dir.entries(), ["localhost-key.pem", "localhost.pem"]);
}

#[test]
fn a_killed_run_leaves_no_partial_files() {
    let dir = Dir::new();
    for attempt in 0..3u64 {
        let mut child = dir
            .tlskit(&["gencert", "--key-type", "rsa4096", "--force"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20 + 40 * attempt));
        let _ = child.kill();
        let _ = child.wait();
        let entries = dir.entries();
        assert!(
            entries.is_empty() || entries == ["localhost-key.pem", "localhost.pem"],
            "partial output after a kill: {entries:?}"
        );
        for name in &entries {
            let text = dir.read(name);
            assert!(text.trim_end().ends_with("-----"), "{name} is truncated");
        }
    }
}

#[test]
fn bad_input_gets_one_clear_line() {
    let dir = Dir::new();
    std::fs::write(dir.join("not-a-dir"), "x").unwrap();
    dir.ok(&["gencert", "--out", "leaf"]);
    dir.ok(&["gencert", "--ca", "--out", "ca2"]);
    dir.ok(&["gencert", "--ca", "--cert", "lone.pem", "--key", "lone.key"]);
    // Each case: arguments, exit code, the whole of stderr.
    let long_cn = "x".repeat(65);
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["gencert", "bad name!"],
            2,
            "tlskit: error: invalid name 'bad name!': only letters, digits, '-' and '_' are \
             allowed in DNS names (use punycode for IDNs)\n",
        ),
        (
            &["gencert", "foo.*.test"],
            2,
            "tlskit: error: invalid name 'foo.*.test': '*' is only allowed as the whole first \
             label (*.example.test)\n",
        ),
        (
            &["gencert", "--days", "0"],
            2,
            "tlskit: error: --days: 0 is not in 1..=36500 (see 'tlskit gencert --help')\n",
        ),
        (
            &["gencert", "--key-type", "dsa"],
            2,
            "tlskit: error: invalid value 'dsa' for '--key-type <TYPE>' \
             (possible values: p256, p384, ed25519, rsa2048, rsa3072, rsa4096) \
             (see 'tlskit gencert --help')\n",
        ),
        (
            &["gencert", "--not-before", "yesterday"],
            2,
            "tlskit: error: --not-before: 'yesterday' is not a time: use YYYY-MM-DD, an RFC 3339 \
             timestamp, 'now', or a relative time like -40d or +2d\n",
        ),
        (
            &["gencert", "--not-before", "9999-12-01", "--days", "36500"],
            2,
            "tlskit: error: --not-before <date> with --days 36500 ends after the year 9999, the \
             last an X.509 certificate can express\n",
        ),
        (
            &[
                "gencert",
                "x.test",
                "--issuer",
                "leaf.pem",
                "--issuer-key",
                "leaf-key.pem",
            ],
            1,
            "tlskit: error: using 'leaf.pem' as issuer: the issuer certificate (CN=localhost) is \
             not a CA (no basicConstraints CA:TRUE)\n",
        ),
        (
            &[
                "gencert",
                "x.test",
                "--issuer",
                "ca2.pem",
                "--issuer-key",
                "leaf-key.pem",
            ],
            1,
            "tlskit: error: using 'ca2.pem' as issuer: the issuer key does not match the issuer \
             certificate\n",
        ),
        (
            &["gencert", "x.test", "--issuer", "missing.pem"],
            1,
            "tlskit: error: reading the issuer certificate: reading 'missing.pem': No such file or \
             directory (os error 2)\n",
        ),
        (
            &["gencert", "x.test", "--issuer", "lone.pem"],
            1,
            "tlskit: error: reading the issuer key (give it with --issuer-key if it is not \
             'lone-key.pem'): reading 'lone-key.pem': No such file or directory (os error 2)\n",
        ),
        (
            &["gencert", "--client"],
            2,
            "tlskit: error: a client certificate needs an identity: give a name \
             (alice@example.test) or --cn\n",
        ),
        (
            &["gencert", "010.0.0.1"],
            2,
            "tlskit: error: invalid name '010.0.0.1': the last label of a DNS name cannot be all \
             digits (an IP address is written like 192.0.2.1, without leading zeros)\n",
        ),
        (
            &["gencert", "--cn", &long_cn],
            2,
            "tlskit: error: --cn is 65 characters long; a common name is at most 64 (RFC 5280; \
             OpenSSL and CAs refuse longer ones)\n",
        ),
        (
            &["gencert", "--ca", "x.test"],
            2,
            "tlskit: error: a CA certificate takes no names; give its name with --cn\n",
        ),
        (
            &["gencert", "--cert", "same.pem", "--key", "same.pem"],
            1,
            "tlskit: error: 'same.pem' is named twice as an output file\n",
        ),
    ];
    let before = dir.entries();
    for (args, want_code, want) in cases {
        dir.expect(args, *want_code, "", want);
    }
    // The name of the temporary file in these two changes from run to run.
    for (args, want) in [
        (
            ["gencert", "--out", "not-a-dir/x"],
            "tlskit: error: cannot write in directory 'not-a-dir': Not a directory (os error 20)",
        ),
        (
            ["gencert", "--out", "no/such/dir/x"],
            "tlskit: error: cannot write in directory 'no/such/dir': No such file or directory",
        ),
    ] {
        let err = stderr(&dir.exits(&args, 1));
        assert!(
            err.starts_with(want),
            "{args:?}: expected {want:?} in {err}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
    assert_eq!(dir.entries(), before, "failed runs must not write anything");
}

#[test]
fn quiet_prints_nothing_and_text_names_the_next_step() {
    let dir = Dir::new();
    dir.expect(&["gencert", "-q", "--out", "q"], 0, "", "");
    // No colour with --color never.
    dir.expect(
        &["gencert", "--out", "t", "--color", "never"],
        0,
        "
Wrote t.pem (certificate) and t-key.pem (private key, mode 0600)
  subject:       CN=localhost
  issuer:        CN=localhost (self-signed)
  SANs:          DNS:localhost, IP:127.0.0.1, IP:::1
  key:           ECDSA P-256
  valid:         <time> to <time> (expires in 30 days)
  SHA-256:       <hex:32>
  SPKI pin:      sha256//<pin>
Next:
  tlskit serve --cert t.pem --key t-key.pem
  tlskit connect localhost:4433 --pin sha256//<pin>
",
        "",
    );
    let coloured = dir.ok(&["gencert", "--out", "c", "--color", "always"]);
    assert!(coloured.contains('\x1b'), "colour with --color always");
}

#[test]
fn an_expired_or_future_issuer_is_warned_about_as_such() {
    let dir = Dir::new();
    let ca = |out: &str, nb: &str| {
        dir.ok(&[
            "gencert",
            "--ca",
            "--not-before",
            nb,
            "--days",
            "10",
            "--out",
            out,
            "-q",
        ])
    };
    ca("old", "-400d");
    ca("future", "+10d");
    ca("short", "-1d");
    let warns = |issuer: &str, out: &str, stderr: &str| {
        dir.expect(
            &["gencert", "x.test", "--issuer", issuer, "--out", out, "-q"],
            0,
            "",
            stderr,
        );
    };
    // Expired: that warning alone (not also "outlives").
    warns(
        "old.pem",
        "a",
        "tlskit: warning: the issuer expired <time>: clients reject every certificate it signs; \
         make a new CA with: tlskit gencert --ca\n",
    );
    warns(
        "future.pem",
        "b",
        "tlskit: warning: the issuer is not valid before <time>: until then clients reject the \
         certificates it signs\n\
         tlskit: warning: the certificate outlives its issuer, which expires <time>; clients \
         will reject it after that\n",
    );
    // Valid now, but ends before the leaf does: the one warning that applies.
    warns(
        "short.pem",
        "c",
        "tlskit: warning: the certificate outlives its issuer, which expires <time>; clients will \
         reject it after that\n",
    );
    let v = json(&dir, &["gencert", "y.test", "--issuer", "old.pem"]);
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .contains("the issuer expired"),
        "{v}"
    );
}

/// The `connect` command gencert prints works as printed (on the port serve got),
/// whatever the certificate names: a wildcard, an IP address, a name that does not resolve.
#[test]
fn the_printed_connect_step_works() {
    let dir = Dir::new();
    for (n, name) in [
        "*.example.test",
        "192.0.2.7",
        "app.example.test",
        "localhost",
    ]
    .into_iter()
    .enumerate()
    {
        let out = format!("c{n}");
        let v = json(&dir, &["gencert", name, "--out", &out]);
        let next: Vec<&str> = v["next"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(next.len(), 2, "{name}: {next:?}");
        let mut served = util::spawn_serve(
            &dir,
            &[
                "--cert",
                &format!("{out}.pem"),
                "--key",
                &format!("{out}-key.pem"),
            ],
        );
        let step = next[1].replace(":4433", &format!(":{}", served.port));
        let args: Vec<&str> = step.split_whitespace().skip(1).collect();
        dir.exits(&args, 0);
        served.terminate(Duration::from_secs(20));
    }
    // E-mail addresses only: no host to connect to, so no connect step.
    let v = json(&dir, &["gencert", "ops@example.test", "--out", "mail"]);
    assert_eq!(v["next"].as_array().unwrap().len(), 1, "{v}");
}
