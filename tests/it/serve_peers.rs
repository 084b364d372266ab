//! `tlskit serve` against real peers nobody here wrote: openssl s_client
//! (verification, TLS 1.3, OCSP stapling, mTLS), Python's ssl module, curl
//! (the --www page, --pinnedpubkey) and gnutls-cli.

use std::process::{Command, Output};
use std::time::Duration;

use crate::util::*;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// A server leaf for localhost and a client certificate for alice, from the test CA.
const PKI: &[(&str, &[&str])] = &[
    ("localhost", &["localhost"]),
    ("alice", &["--client", "--cn", "alice"]),
];

/// Runs `program args...` in `dir` with stdin from the file `input` (at most 30 s).
fn run_with_input(dir: &Dir, input: &str, program: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("stdin.txt"), input).unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("exec {program} \"$@\" < stdin.txt"))
        .arg("sh")
        .args(args)
        .current_dir(dir.path());
    scrub(&mut cmd);
    run_bounded(cmd, SECS(30))
}

fn all_output(out: &Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out))
}

fn s_client(dir: &Dir, port: u16, input: &str, extra: &[&str]) -> Output {
    let target = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_client",
        "-connect",
        &target,
        "-servername",
        "localhost",
        "-CAfile",
        "ca.pem",
        "-verify_return_error",
        "-verify_hostname",
        "localhost",
        // Keep reading after stdin ends; serve's --idle-timeout ends the session.
        "-ign_eof",
    ];
    args.extend_from_slice(extra);
    run_with_input(dir, input, "openssl", &args)
}

#[test]
fn serve_warns_about_a_staple_for_another_certificate_or_a_revoked_one() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    ocsp_response(&dir, "alice.pem", false, "alice-ocsp.der");
    ocsp_response(&dir, "localhost.pem", true, "revoked-ocsp.der");
    ocsp_response(&dir, "localhost.pem", false, "ocsp.der");
    let serve_with = |staple: &str| {
        let mut srv = spawn_serve(
            &dir,
            &[
                "--cert",
                "localhost.pem",
                "--key",
                "localhost-key.pem",
                "--ocsp-response",
                staple,
            ],
        );
        assert_eq!(srv.ready["ocsp_stapling"], true);
        srv.terminate(SECS(20));
        srv.stderr()
    };
    let err = serve_with("ocsp.der");
    assert!(
        !err.contains("OCSP"),
        "a good staple is served quietly: {err}"
    );
    let err = serve_with("alice-ocsp.der");
    assert!(
        err.contains("warning: the OCSP response is not about the served certificate"),
        "{err}"
    );
    let err = serve_with("revoked-ocsp.der");
    assert!(
        err.contains("warning: the OCSP response says the certificate was revoked at 2024-01-01"),
        "{err}"
    );
    // Not an OCSP response at all: serve does not start.
    std::fs::write(dir.join("junk.der"), b"\x30\x03\x0a\x01\x03").unwrap();
    let out = dir.exits(
        &[
            "serve",
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--ocsp-response",
            "junk.der",
        ],
        1,
    );
    assert!(stderr(&out).contains("try_later"), "{}", stderr(&out));
}

#[test]
fn openssl_s_client_verifies_negotiates_tls13_echoes_and_sees_the_ocsp_staple() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    ocsp_response(&dir, "localhost.pem", false, "ocsp.der");
    let srv = spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--ocsp-response",
            "ocsp.der",
            "--idle-timeout",
            "2",
        ],
    );
    assert_eq!(srv.ready["ocsp_stapling"], true);
    let out = s_client(&dir, srv.port, "hello from openssl\n", &["-status"]);
    let text = all_output(&out);
    assert_exit(&out, 0);
    assert!(text.contains("hello from openssl"), "no echo: {text}");
    assert!(text.contains("Protocol  : TLSv1.3"), "{text}");
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
    assert!(
        text.contains("OCSP Response Status: successful (0x0)"),
        "{text}"
    );
    assert!(text.contains("Cert Status: good"), "{text}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["protocol"], "TLSv1.3");
    assert_eq!(rec["bytes_in"], 19);
    assert_eq!(rec["bytes_out"], 19);
    assert_eq!(rec["end"], "timeout", "{rec}");
    // Without a staple configured, s_client -status sees none.
    let srv = spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--idle-timeout",
            "1",
        ],
    );
    let out = s_client(&dir, srv.port, "x\n", &["-status"]);
    assert!(
        all_output(&out).contains("OCSP response: no response sent"),
        "{}",
        all_output(&out)
    );
}

#[test]
fn openssl_s_client_sees_the_ephemeral_certificate_serve_printed() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--idle-timeout", "1"]);
    let target = format!("127.0.0.1:{}", srv.port);
    let out = run_with_input(
        &dir,
        "",
        "openssl",
        &[
            "s_client",
            "-connect",
            &target,
            "-servername",
            "localhost",
            "-ign_eof",
        ],
    );
    let text = stdout(&out);
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .expect("a certificate");
    let end = text.find("-----END CERTIFICATE-----").expect("its end") + 25;
    std::fs::write(dir.join("seen.pem"), &text[begin..end]).unwrap();
    let mut c = Command::new("openssl");
    c.args([
        "x509",
        "-in",
        "seen.pem",
        "-noout",
        "-fingerprint",
        "-sha256",
    ])
    .current_dir(dir.path());
    let fp = stdout(&run_bounded(c, SECS(30)));
    let fp = fp.trim().rsplit('=').next().unwrap().to_ascii_uppercase();
    assert_eq!(fp, srv.fingerprint);
    assert!(text.contains("subject=CN = localhost"), "{text}");
}

#[test]
fn openssl_s_client_is_refused_without_a_client_certificate_and_accepted_with_one() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    // A client certificate from another CA.
    dir.ok(&[
        "gencert", "--ca", "--out", "other", "--cn", "Other CA", "-q",
    ]);
    dir.ok(&[
        "gencert",
        "--client",
        "--cn",
        "mallory",
        "--out",
        "mallory",
        "--issuer",
        "other.pem",
        "-q",
    ]);
    let srv = spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--client-ca",
            "ca.pem",
            "--idle-timeout",
            "2",
        ],
    );
    assert_eq!(srv.ready["client_auth"], "required");

    let out = s_client(&dir, srv.port, "no cert\n", &[]);
    let text = all_output(&out);
    assert_ne!(code(&out), 0, "{text}");
    assert!(
        !stdout(&out).contains("no cert"),
        "echoed without a certificate: {text}"
    );
    assert!(text.contains("alert certificate required"), "{text}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert_eq!(rec["failure"], "no_client_certificate", "{rec}");
    assert!(
        rec["reason"]
            .as_str()
            .unwrap()
            .contains("sent no certificate"),
        "{rec}"
    );

    let out = s_client(
        &dir,
        srv.port,
        "wrong ca\n",
        &["-cert", "mallory.pem", "-key", "mallory-key.pem"],
    );
    assert!(!stdout(&out).contains("wrong ca"), "{}", all_output(&out));
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["failure"], "unknown_issuer", "{rec}");

    let out = s_client(
        &dir,
        srv.port,
        "with cert\n",
        &["-cert", "alice.pem", "-key", "alice-key.pem"],
    );
    let text = all_output(&out);
    assert_exit(&out, 0);
    assert!(text.contains("with cert"), "no echo: {text}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["client_subject"], "CN=alice", "{rec}");
    assert_eq!(rec["bytes_out"], 10, "{rec}");
}

const PYTHON_CLIENT: &str = r#"
import os, socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=cafile)
assert ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
payload = os.urandom(100_000)

def run(session=None):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            got = bytearray()
            for i in range(0, len(payload), 8192):
                chunk = payload[i:i + 8192]
                s.sendall(chunk)
                need = len(chunk)
                while need:
                    data = s.recv(need)
                    if not data:
                        sys.exit("EOF before the whole echo")
                    got += data
                    need -= len(data)
            if bytes(got) != payload:
                sys.exit("the echo differs")
            print(s.version(), s.cipher()[0], "resumed" if s.session_reused else "new")
            session = s.session
            s.unwrap()
            return session

run(run())
"#;

#[test]
fn python_ssl_client_gets_its_bytes_back_and_resumes_with_a_ticket() {
    if !have("python3") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    std::fs::write(dir.join("client.py"), PYTHON_CLIENT).unwrap();
    let srv = spawn_serve(
        &dir,
        &["--cert", "localhost.pem", "--key", "localhost-key.pem"],
    );
    let port = srv.port.to_string();
    let mut c = Command::new("python3");
    c.args(["client.py", &port, "ca.pem"])
        .current_dir(dir.path());
    let out = run_bounded(c, SECS(60));
    assert_exit(&out, 0);
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("TLSv1.3 ") && lines[0].ends_with(" new"),
        "{lines:?}"
    );
    assert!(lines[1].ends_with(" resumed"), "{lines:?}");
    let recs = srv.connections(2, SECS(20));
    for rec in &recs {
        assert_eq!(rec["bytes_in"], 100_000, "{rec}");
        assert_eq!(rec["bytes_out"], 100_000, "{rec}");
        assert_eq!(rec["end"], "closed", "{rec}");
        assert_eq!(rec["reason"], "the client sent close_notify", "{rec}");
    }
    // One full handshake and one resumed (the two records may come in either order).
    let resumed: Vec<bool> = recs.iter().map(|r| r["resumed"] == true).collect();
    assert_eq!(resumed.iter().filter(|r| **r).count(), 1, "{recs:?}");
    // --no-tickets: the same client cannot resume.
    let srv = spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--no-tickets",
        ],
    );
    let port = srv.port.to_string();
    let mut c = Command::new("python3");
    c.args(["client.py", &port, "ca.pem"])
        .current_dir(dir.path());
    let out = run_bounded(c, SECS(60));
    assert_exit(&out, 0);
    assert!(
        stdout(&out).lines().all(|l| l.ends_with(" new")),
        "{}",
        stdout(&out)
    );
}

fn curl(dir: &Dir, port: u16, args: &[&str]) -> Output {
    let resolve = format!("localhost:{port}:127.0.0.1");
    let mut c = Command::new("curl");
    c.args(["-sS", "--max-time", "20", "--resolve", &resolve])
        .args(args)
        .current_dir(dir.path());
    scrub(&mut c);
    run_bounded(c, SECS(30))
}

#[test]
fn curl_gets_the_www_page_as_text_and_json_over_one_kept_alive_connection() {
    if !have("curl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    let srv = spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--client-ca",
            "ca.pem",
            "--client-auth",
            "optional",
        ],
    );
    let url = format!("https://localhost:{}/", srv.port);
    let out = curl(
        &dir,
        srv.port,
        &["--cacert", "ca.pem", "-w", "%{http_code}\n", &url, &url],
    );
    let text = stdout(&out);
    assert_exit(&out, 0);
    assert_eq!(text.matches("200\n").count(), 2, "{text}");
    assert!(text.contains("protocol:       TLSv1.3\n"), "{text}");
    assert!(text.contains("SNI:            localhost\n"), "{text}");
    assert!(
        text.contains("ALPN:           http/1.1 (offered: "),
        "{text}"
    );
    assert!(text.contains("client cert:    none\n"), "{text}");
    assert!(text.contains("(#1 on this connection)"), "{text}");
    // curl reused the connection for the second URL.
    assert!(text.contains("(#2 on this connection)"), "{text}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["requests"], 2, "{rec}");

    let out = curl(
        &dir,
        srv.port,
        &[
            "--cacert",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--key",
            "alice-key.pem",
            "-H",
            "Accept: application/json",
            &url,
        ],
    );
    assert_exit(&out, 0);
    let page: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("a JSON page");
    assert_eq!(page["protocol"], "TLSv1.3");
    assert_eq!(page["alpn"], "http/1.1");
    assert_eq!(page["sni"], "localhost");
    assert_eq!(page["client_certificate"]["subject"], "CN=alice");
    assert_eq!(page["request"]["method"], "GET");
    // IANA names, as s_client and curl print them.
    assert!(page["cipher_suite"]
        .as_str()
        .unwrap()
        .starts_with("TLS_AES_"));
    assert!(page["group"].is_string());
}

#[test]
fn curl_pinnedpubkey_accepts_the_printed_pin_and_rejects_another() {
    if !have("curl") {
        return;
    }
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--www"]);
    let url = format!("https://localhost:{}/", srv.port);
    // -k: the ephemeral certificate has no CA; the pin alone is the trust.
    let out = curl(
        &dir,
        srv.port,
        &["-k", "--pinnedpubkey", &srv.pin, "-w", "%{http_code}", &url],
    );
    assert_exit(&out, 0);
    assert!(stdout(&out).ends_with("200"), "{}", stdout(&out));
    let wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let out = curl(&dir, srv.port, &["-k", "--pinnedpubkey", wrong, &url]);
    assert_eq!(
        code(&out),
        90,
        "curl must fail on the wrong pin: {}",
        all_output(&out)
    );
}

#[test]
fn gnutls_cli_completes_a_handshake_and_echoes() {
    if !have("gnutls-cli") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    let srv = spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--idle-timeout",
            "5",
        ],
    );
    let port = format!("--port={}", srv.port);
    let out = run_with_input(
        &dir,
        "hello gnutls\n",
        "gnutls-cli",
        &[
            "--x509cafile=ca.pem",
            &port,
            "--sni-hostname=localhost",
            "--verify-hostname=localhost",
            "127.0.0.1",
        ],
    );
    let text = all_output(&out);
    assert_exit(&out, 0);
    assert!(text.contains("hello gnutls"), "no echo: {text}");
    assert!(text.contains("Handshake was completed"), "{text}");
    // gnutls computes the same SPKI pin serve printed.
    let b64 = srv.pin.trim_start_matches("sha256//");
    assert!(text.contains(&format!("pin-sha256:{b64}")), "{text}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["bytes_in"], 13, "{rec}");
    assert_eq!(rec["bytes_out"], 13, "{rec}");
}

#[test]
fn openssl_s_client_gets_the_groups_and_suites_serve_was_told_to_use() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir, None, PKI);
    let srv = spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--groups",
            "secp384r1",
            "--suites",
            "TLS_AES_128_GCM_SHA256,ECDHE-ECDSA-AES256-GCM-SHA384",
            "--idle-timeout",
            "1",
        ],
    );
    assert_eq!(srv.ready["groups"], serde_json::json!(["secp384r1"]));
    assert_eq!(
        srv.ready["suites"],
        serde_json::json!([
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        ])
    );
    // OpenSSL sends an X25519 key share; serve asks for P-384 (HelloRetryRequest).
    let out = s_client(&dir, srv.port, "groups\n", &[]);
    let text = all_output(&out);
    assert_exit(&out, 0);
    assert!(text.contains("groups"), "no echo: {text}");
    assert!(text.contains("Cipher is TLS_AES_128_GCM_SHA256"), "{text}");
    assert!(text.contains("Server Temp Key: ECDH, secp384r1"), "{text}");
    let out = s_client(&dir, srv.port, "x\n", &["-tls1_2"]);
    let text = all_output(&out);
    assert_exit(&out, 0);
    assert!(text.contains("ECDHE-ECDSA-AES256-GCM-SHA384"), "{text}");
    // What serve was told not to use, it refuses.
    for refused in [
        &["-ciphersuites", "TLS_AES_256_GCM_SHA384"][..],
        &["-groups", "X25519:P-256"],
        &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
    ] {
        let out = s_client(&dir, srv.port, "x\n", refused);
        assert_ne!(code(&out), 0, "{refused:?}: {}", all_output(&out));
        assert!(!all_output(&out).contains("\nx\n"), "{refused:?} echoed");
    }
}
