//! `tlskit connect` against real peers: `openssl s_server`, a Python `ssl`
//! server, a matrix of misconfigured servers with certificates made here,
//! in-test STARTTLS servers, and servers that refuse or never answer.
//! Loopback only; every server is killed when its test ends.

mod util;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use util::{code, stderr, stdout, Background, Dir};

const WAIT: Duration = Duration::from_secs(20);

/// A test CA, and a leaf for `localhost 127.0.0.1` that it issued.
fn pki(dir: &Dir) {
    dir.ok(&["gencert", "--ca", "--cn", "Test CA", "-q"]);
    dir.ok(&[
        "gencert",
        "localhost",
        "127.0.0.1",
        "--issuer",
        "ca.pem",
        "--out",
        "leaf",
        "-q",
    ]);
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr: {}",
            stdout(out),
            stderr(out)
        )
    })
}

fn ok_json(dir: &Dir, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = dir.run(&all);
    assert_eq!(
        code(&out),
        0,
        "tlskit {all:?}\nstdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    json(&out)
}

/// `openssl s_server` on a free port, ready (it prints ACCEPT when listening).
fn openssl_server(dir: &Dir, cert: &str, key: &str, extra: &[&str]) -> Option<(Background, u16)> {
    if !util::have("openssl") {
        return None;
    }
    let port = util::free_port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_server", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-cert", cert, "-key", key])
        .args(extra);
    let server = Background::spawn_stdin_open(cmd);
    for _ in 0..20 {
        if server.line(WAIT).contains("ACCEPT") {
            return Some((server, port));
        }
    }
    panic!("openssl s_server did not say ACCEPT");
}

/// A Python `ssl` server, configured by JSON; prints its port first.
/// After each handshake it sends one line describing the connection, echoes
/// one chunk, and closes with close_notify.
const PY_SERVER: &str = r#"
import json, socket, ssl, sys, threading
cfg = json.loads(sys.argv[1])
# As in the server examples of the Python documentation.
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cfg["cert"], cfg["key"])
if cfg.get("client_ca"):
    ctx.load_verify_locations(cfg["client_ca"])
    ctx.verify_mode = ssl.CERT_REQUIRED
if cfg.get("max") == "1.2":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if cfg.get("alpn"):
    ctx.set_alpn_protocols(cfg["alpn"])
sni = {}
def on_sni(sock, name, c):
    sni[id(sock)] = name
ctx.sni_callback = on_sni
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print(srv.getsockname()[1], flush=True)
def handle(raw):
    raw.settimeout(10)
    try:
        with ctx.wrap_socket(raw, server_side=True) as s:
            peer = s.getpeercert()
            who = dict(x[0] for x in peer["subject"]).get("commonName") if peer else None
            s.sendall(("sni=%s alpn=%s version=%s client=%s resumed=%s\n" % (
                sni.get(id(s)), s.selected_alpn_protocol(), s.version(), who, s.session_reused)).encode())
            data = s.recv(65536)
            if data:
                s.sendall(data)
            s.unwrap()
    except Exception as e:
        print("server error:", e, file=sys.stderr, flush=True)
    finally:
        raw.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
"#;

fn python_server(dir: &Dir, cfg: Value) -> Option<(Background, u16)> {
    if !util::have("python3") {
        return None;
    }
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir.path())
        .args(["-c", PY_SERVER])
        .arg(cfg.to_string());
    let server = Background::spawn(cmd);
    let port = server
        .line(WAIT)
        .trim()
        .parse()
        .expect("python server port");
    Some((server, port))
}

/// Runs tlskit with `input` on stdin (then end of file), bounded.
fn run_with_stdin(dir: &Dir, args: &[&str], input: &[u8]) -> Output {
    let mut cmd = dir.tlskit(args);
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn tlskit");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("writing stdin");
    drop(stdin);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("tlskit {args:?} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

fn target(port: u16) -> String {
    format!("localhost:{port}")
}

// ---------------------------------------------------------------- openssl s_server

#[test]
fn openssl_verified_with_ca_and_refused_without() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let t = target(port);
    let out = dir.run(&["connect", &t, "--ca", "ca.pem", "--color", "never"]);
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{text}\n{}", stderr(&out));
    assert!(
        text.starts_with(&format!("Connected to {t} (127.0.0.1:{port})")),
        "{text}"
    );
    assert!(
        text.contains("verification:  OK (trusted via the --ca file)"),
        "{text}"
    );
    assert!(text.contains("protocol:      TLSv1.3"), "{text}");
    assert!(text.contains("SNI:           localhost"), "{text}");
    assert!(text.contains("subject:       CN=localhost"), "{text}");
    assert!(text.contains("issuer:        CN=Test CA"), "{text}");

    // The default trust store (Mozilla's roots) does not know the test CA.
    let out = dir.run(&["connect", &t]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("issued by an unknown authority: CN=Test CA"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn openssl_tls12_only_server_gives_tls12() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &["-tls1_2"])
    else {
        return;
    };
    let r = ok_json(&dir, &["connect", &target(port), "--ca", "ca.pem"]);
    assert_eq!(r["handshake"]["protocol"], "TLSv1.2");
    assert!(
        r["handshake"]["cipher_suite"]
            .as_str()
            .unwrap()
            .starts_with("TLS_ECDHE_ECDSA_WITH_"),
        "{r}"
    );
    // Forcing TLS 1.3 against it is a handshake failure (4), not a verification one.
    let out = dir.run(&["connect", &target(port), "--ca", "ca.pem", "--tls13"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
}

#[test]
fn openssl_alpn_is_negotiated() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &["-alpn", "h2"])
    else {
        return;
    };
    let r = ok_json(
        &dir,
        &[
            "connect",
            &target(port),
            "--ca",
            "ca.pem",
            "--alpn",
            "http/1.1,h2",
        ],
    );
    assert_eq!(r["handshake"]["alpn"], "h2");
    let r = ok_json(&dir, &["connect", &target(port), "--ca", "ca.pem"]);
    assert_eq!(r["handshake"]["alpn"], Value::Null);
}

/// An OCSP response for the leaf made by `openssl ocsp` from an index file.
fn ocsp_response(dir: &Dir, revoked: bool, out: &str) {
    let serial = Command::new("openssl")
        .current_dir(dir.path())
        .args(["x509", "-in", "leaf.pem", "-noout", "-serial"])
        .output()
        .expect("openssl x509");
    let serial = String::from_utf8_lossy(&serial.stdout)
        .trim()
        .trim_start_matches("serial=")
        .to_string();
    let (status, revoked_at) = if revoked {
        ("R", "250101000000Z,keyCompromise")
    } else {
        ("V", "")
    };
    std::fs::write(
        dir.join("index.txt"),
        format!("{status}\t491231235959Z\t{revoked_at}\t{serial}\tunknown\t/CN=localhost\n"),
    )
    .unwrap();
    for args in [
        vec![
            "ocsp",
            "-issuer",
            "ca.pem",
            "-cert",
            "leaf.pem",
            "-no_nonce",
            "-reqout",
            "req.der",
        ],
        vec![
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "ca.pem",
            "-rkey",
            "ca-key.pem",
            "-CA",
            "ca.pem",
            "-reqin",
            "req.der",
            "-respout",
            out,
            "-ndays",
            "7",
        ],
    ] {
        let o = Command::new("openssl")
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("openssl ocsp");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn openssl_status_file_staple_is_shown() {
    let dir = Dir::new();
    pki(&dir);
    if !util::have("openssl") {
        return;
    }
    ocsp_response(&dir, false, "good.der");
    let Some((server, port)) = openssl_server(
        &dir,
        "leaf.pem",
        "leaf-key.pem",
        &["-status_file", "good.der"],
    ) else {
        return;
    };
    let r = ok_json(&dir, &["connect", &target(port), "--ca", "ca.pem"]);
    let o = &r["ocsp"];
    assert_eq!(o["stapled"], true, "{r}");
    assert_eq!(o["response_status"], "successful");
    assert_eq!(o["cert_status"], "good");
    assert_eq!(o["matches_leaf"], true);
    let this = o["this_update"].as_str().unwrap();
    let next = o["next_update"].as_str().unwrap();
    assert!(this < next, "{this} < {next}");
    let out = dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--color",
        "never",
    ]);
    assert!(
        stdout(&out).contains(&format!(
            "OCSP staple:   good (this update {this}, next update {next}"
        )),
        "{}",
        stdout(&out)
    );
    drop(server);

    ocsp_response(&dir, true, "revoked.der");
    let Some((_server, port)) = openssl_server(
        &dir,
        "leaf.pem",
        "leaf-key.pem",
        &["-status_file", "revoked.der", "-tls1_2"],
    ) else {
        return;
    };
    let r = ok_json(&dir, &["connect", &target(port), "--ca", "ca.pem"]);
    assert_eq!(r["ocsp"]["cert_status"], "revoked", "{r}");
    assert_eq!(r["ocsp"]["revocation_time"], "2025-01-01T00:00:00Z");
    assert_eq!(r["ocsp"]["revocation_reason"], "key_compromise");

    // No staple at all.
    let Some((_plain, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let r = ok_json(&dir, &["connect", &target(port), "--ca", "ca.pem"]);
    assert_eq!(r["ocsp"]["stapled"], false);
    assert_eq!(r["ocsp"]["cert_status"], Value::Null);
}

#[test]
fn openssl_verify_1_requires_a_client_certificate() {
    let dir = Dir::new();
    pki(&dir);
    dir.ok(&[
        "gencert",
        "alice@example.test",
        "--client",
        "--issuer",
        "ca.pem",
        "--out",
        "alice",
        "-q",
    ]);
    let Some((_server, port)) = openssl_server(
        &dir,
        "leaf.pem",
        "leaf-key.pem",
        &["-Verify", "1", "-CAfile", "ca.pem"],
    ) else {
        return;
    };
    let t = target(port);
    for version in ["--tls13", "--tls12"] {
        let out = dir.run(&["connect", &t, "--ca", "ca.pem", version]);
        assert_eq!(code(&out), 4, "{version}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--cert FILE --key FILE"),
            "{version}: {}",
            stderr(&out)
        );
        let r = ok_json(
            &dir,
            &[
                "connect",
                &t,
                "--ca",
                "ca.pem",
                version,
                "--cert",
                "alice.pem",
                "--key",
                "alice-key.pem",
            ],
        );
        let cc = &r["client_certificate"];
        assert_eq!(cc["requested"], true, "{r}");
        assert_eq!(cc["sent"], true);
        assert_eq!(cc["ca_hints"][0], "CN=Test CA");
    }
}

#[test]
fn openssl_reconnect_resumes() {
    let dir = Dir::new();
    pki(&dir);
    for extra in [&[][..], &["-tls1_2"][..]] {
        let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", extra) else {
            return;
        };
        let r = ok_json(
            &dir,
            &["connect", &target(port), "--ca", "ca.pem", "--reconnect"],
        );
        assert_eq!(r["handshake"]["handshake_kind"], "full", "{r}");
        assert_eq!(r["reconnect"]["resumed"], true, "{extra:?}: {r}");
        assert_eq!(r["reconnect"]["handshake_kind"], "resumed");
        // The first connection's chain is reported (a resumed one sees none).
        assert_eq!(r["chain"].as_array().unwrap().len(), 1);
        assert_eq!(r["verification"]["verified"], true);
    }
}

#[test]
fn openssl_send_and_stdin_carry_data() {
    let dir = Dir::new();
    pki(&dir);
    // -rev: the server answers each line reversed.
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &["-rev"]) else {
        return;
    };
    let t = target(port);
    let out = dir.run(&[
        "connect",
        &t,
        "--ca",
        "ca.pem",
        "--send",
        "hello\n",
        "--read-timeout",
        "1",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Data on stdout, the report on stderr.
    assert_eq!(stdout(&out), "olleh\n");
    assert!(stderr(&out).contains("Connected to"), "{}", stderr(&out));

    let out = run_with_stdin(
        &dir,
        &["connect", &t, "--ca", "ca.pem", "--read-timeout", "1"],
        b"abc\n",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "cba\n");
    assert!(stderr(&out).contains("verification:"), "{}", stderr(&out));

    // stdin at end of file: report only, on stdout.
    let out = run_with_stdin(&dir, &["connect", &t, "--ca", "ca.pem"], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Connected to"), "{}", stdout(&out));
}

#[test]
fn openssl_showcerts_output_parses() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let out = dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--showcerts",
        "-q",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("got.pem"), &out.stdout).unwrap();
    let fp = |file: &str| {
        let o = Command::new("openssl")
            .current_dir(dir.path())
            .args(["x509", "-in", file, "-noout", "-fingerprint", "-sha256"])
            .output()
            .expect("openssl x509");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert_eq!(fp("got.pem"), fp("leaf.pem"));

    // --save-chain writes the same PEM; the report stays on stdout.
    let out = dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--save-chain",
        "saved.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Connected to"));
    assert_eq!(fp("saved.pem"), fp("leaf.pem"));
}

#[test]
fn openssl_pins_and_keylog() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let t = target(port);
    let r = ok_json(&dir, &["connect", &t, "--ca", "ca.pem"]);
    let pin = r["chain"][0]["spki_pin"].as_str().unwrap().to_string();
    let r = ok_json(
        &dir,
        &[
            "connect", &t, "--ca", "ca.pem", "--pin", &pin, "--keylog", "keys.log",
        ],
    );
    assert_eq!(r["verification"]["pin_matched"], true);
    let keys = dir.read("keys.log");
    assert!(keys.contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET "), "{keys}");

    let wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let out = dir.run(&["connect", &t, "--ca", "ca.pem", "--pin", wrong]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("the server presented {pin}")),
        "{}",
        stderr(&out)
    );
    // Pins apply with --insecure too.
    let out = dir.run(&["connect", &t, "--insecure", "--pin", wrong]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
}

// ---------------------------------------------------------------- Python ssl

#[test]
fn python_server_interop() {
    let dir = Dir::new();
    pki(&dir);
    dir.ok(&[
        "gencert",
        "alice@example.test",
        "--client",
        "--issuer",
        "ca.pem",
        "--out",
        "alice",
        "-q",
    ]);
    let base = serde_json::json!({"cert": "leaf.pem", "key": "leaf-key.pem"});
    let Some((_server, port)) = python_server(&dir, base.clone()) else {
        return;
    };
    let t = target(port);
    // Verified; the server reports the SNI it saw, then echoes.
    let out = dir.run(&[
        "connect",
        &t,
        "--ca",
        "ca.pem",
        "--send",
        "ping\n",
        "--read-timeout",
        "10",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "sni=localhost alpn=None version=TLSv1.3 client=None resumed=False\nping\n"
    );
    let out = dir.run(&[
        "connect",
        &t,
        "--ca",
        "ca.pem",
        "--no-sni",
        "--send",
        "x",
        "--read-timeout",
        "10",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("sni=None "), "{}", stdout(&out));
    // --servername: verified against that name; the address is dialled as given.
    let out = dir.run(&[
        "connect",
        &format!("127.0.0.1:{port}"),
        "--servername",
        "wrong.test",
        "--ca",
        "ca.pem",
    ]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("valid for localhost, 127.0.0.1 but not for wrong.test"),
        "{}",
        stderr(&out)
    );
    // --connect-to: the name stays, the address changes; nothing is resolved.
    let r = ok_json(
        &dir,
        &[
            "connect",
            "localhost.invalid:1",
            "--connect-to",
            &format!("127.0.0.1:{port}"),
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
        ],
    );
    assert_eq!(r["address"], format!("127.0.0.1:{port}"));
    assert_eq!(r["sni"], "localhost");
    assert_eq!(r["timings"]["dns_ms"], Value::Null);
    // Resumption.
    let r = ok_json(&dir, &["connect", &t, "--ca", "ca.pem", "--reconnect"]);
    assert_eq!(r["reconnect"]["resumed"], true, "{r}");

    // TLS 1.2 only, with ALPN.
    let mut cfg = base.clone();
    cfg["max"] = "1.2".into();
    cfg["alpn"] = serde_json::json!(["http/1.1"]);
    let Some((_s12, port)) = python_server(&dir, cfg) else {
        return;
    };
    let out = dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--alpn",
        "h2,http/1.1",
        "--send",
        "x",
        "--read-timeout",
        "10",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("sni=localhost alpn=http/1.1 version=TLSv1.2"),
        "{}",
        stdout(&out)
    );

    // Client certificate required.
    let mut cfg = base;
    cfg["client_ca"] = "ca.pem".into();
    let Some((_mtls, port)) = python_server(&dir, cfg) else {
        return;
    };
    let out = dir.run(&["connect", &target(port), "--ca", "ca.pem"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("client certificate"),
        "{}",
        stderr(&out)
    );
    let out = dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--cert",
        "alice.pem",
        "--key",
        "alice-key.pem",
        "--send",
        "x",
        "--read-timeout",
        "10",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("client=alice@example.test"),
        "{}",
        stdout(&out)
    );
}
