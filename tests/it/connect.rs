//! `tlskit connect` against real peers: `openssl s_server`, a Python `ssl`
//! server, a matrix of misconfigured servers with certificates made here,
//! in-test STARTTLS servers, and servers that refuse or never answer.
//! Loopback only; every server is killed when its test ends.

use crate::util;

use std::io::Write;
use std::process::{Command, Output};
use std::time::Duration;

use crate::util::{assert_exit, code, stderr, stdout, Background, Dir};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

/// A test CA ("Test CA") and a leaf for `localhost 127.0.0.1` that it issued (leaf.pem).
const LEAF: &[(&str, &[&str])] = &[("leaf", &["localhost", "127.0.0.1"])];

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
    let out = dir.exits(&all, 0);
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

fn target(port: u16) -> String {
    format!("localhost:{port}")
}

// ---------------------------------------------------------------- openssl s_server

#[test]
fn openssl_verified_with_ca_and_refused_without() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let t = target(port);
    let out = dir.run(&["connect", &t, "--ca", "ca.pem", "--color", "never"]);
    let text = stdout(&out);
    assert_exit(&out, 0);
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
    let out = dir.exits(&["connect", &t], 5);
    assert!(
        stderr(&out).contains("issued by an unknown authority: CN=Test CA"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn openssl_tls12_only_server_gives_tls12() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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
    dir.exits(&["connect", &target(port), "--ca", "ca.pem", "--tls13"], 4);
}

#[test]
fn openssl_alpn_is_negotiated() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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

#[test]
fn openssl_status_file_staple_is_shown() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    if !util::have("openssl") {
        return;
    }
    util::ocsp_response(&dir, "leaf.pem", false, "good.der");
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

    util::ocsp_response(&dir, "leaf.pem", true, "revoked.der");
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
    assert_eq!(r["ocsp"]["revocation_time"], "2024-01-01T00:00:00Z");
    assert_eq!(r["ocsp"]["revocation_reason"], "key_compromise");
    assert!(
        r["warnings"]
            .to_string()
            .contains("says its certificate is REVOKED"),
        "{r}"
    );

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
    util::pki(&dir, Some("Test CA"), LEAF);
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
        let out = dir.exits(&["connect", &t, "--ca", "ca.pem", version], 4);
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

/// A client certificate the server does not trust: exit 4, the alert by its RFC name.
#[test]
fn openssl_refused_client_certificate_is_named() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    // Self-signed: no CA the server knows issued it.
    dir.ok(&[
        "gencert",
        "mallory@example.test",
        "--client",
        "--out",
        "mallory",
        "-q",
    ]);
    let Some((_server, port)) = openssl_server(
        &dir,
        "leaf.pem",
        "leaf-key.pem",
        &["-Verify", "1", "-CAfile", "ca.pem", "-verify_return_error"],
    ) else {
        return;
    };
    let t = target(port);
    for version in ["--tls13", "--tls12"] {
        let out = dir.exits(
            &[
                "connect",
                &t,
                "--ca",
                "ca.pem",
                version,
                "--cert",
                "mallory.pem",
                "--key",
                "mallory-key.pem",
            ],
            4,
        );
        assert!(
            stderr(&out).contains("the server rejected the client certificate (alert: unknown_ca)"),
            "{version}: {}",
            stderr(&out)
        );
    }
}

/// In TLS 1.3 the server judges a client certificate after the handshake; the dial waits for
/// its verdict, and the session ticket a server sends once it accepted is that verdict: the
/// wait ends there, not at the settle bound (which here is two minutes).
#[test]
fn an_accepted_client_certificate_is_known_by_the_ticket_that_follows() {
    use tlskit::tls::{config, dial, files, target::Target};
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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
        &["-Verify", "1", "-CAfile", "ca.pem", "-verify_return_error"],
    ) else {
        return;
    };
    let opts = config::ClientOptions {
        roots: config::TrustRoots::Certs(files::load_certs(&dir.join("ca.pem")).unwrap()),
        identity: Some(config::Identity {
            chain: files::load_certs(&dir.join("alice.pem")).unwrap(),
            key: files::load_key(&dir.join("alice-key.pem")).unwrap(),
        }),
        versions: config::Versions::Tls13,
        ..config::ClientOptions::default()
    };
    let (cfg, observations) = config::client_config(opts).unwrap();
    let target = Target::parse(&target(port)).unwrap();
    let bound = Duration::from_secs(120);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dialed = rt.block_on(async {
        let opts = dial::DialOptions::new(target, bound);
        let settling = dial::dial_settling(cfg, &observations, &opts, bound);
        tokio::time::timeout(Duration::from_secs(30), settling).await
    });
    let dialed = dialed
        .expect("the dial waited past the server's session ticket")
        .unwrap_or_else(|f| panic!("{:#}", f.error));
    assert!(dialed.report.observed.client_cert_requested);
    assert!(dialed.report.observed.client_cert_sent);
    assert!(!dialed.peer_closed);
}

/// A client certificate given to a server that never asks for one: said, not silently dropped.
#[test]
fn a_client_certificate_nobody_asked_for_is_a_warning() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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
    let served = util::spawn_serve(&dir, &["--cert", "leaf.pem", "--key", "leaf-key.pem"]);
    let t = format!("localhost:{}", served.port);
    let args = [
        "connect",
        &t,
        "--ca",
        "ca.pem",
        "--cert",
        "alice.pem",
        "--key",
        "alice-key.pem",
        "--no-io",
    ];
    let r = ok_json(&dir, &args);
    assert_eq!(r["client_certificate"]["requested"], false, "{r}");
    assert!(
        r["warnings"]
            .to_string()
            .contains("the server did not ask for a client certificate"),
        "{r}"
    );
    let out = dir.run(&args);
    assert!(
        stderr(&out).contains("warning: --cert was given"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn openssl_reconnect_resumes() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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
        if extra.is_empty() {
            assert!(
                r["reconnect"]["tickets_received"].as_u64() >= Some(1),
                "{r}"
            );
        } else {
            assert_eq!(r["reconnect"]["tickets_received"], Value::Null, "{r}");
        }
        // The first connection's chain is reported (a resumed one sees none).
        assert_eq!(r["chain"].as_array().unwrap().len(), 1);
        assert_eq!(r["verification"]["verified"], true);
    }
}

/// A TLS 1.3 server that issues no tickets: not resumed, and the report says why.
#[test]
fn reconnect_says_why_it_did_not_resume() {
    let dir = Dir::new();
    let served = util::spawn_serve(&dir, &["--no-tickets", "--tls13"]);
    let t = format!("localhost:{}", served.port);
    let args = [
        "connect",
        &t,
        "--pin",
        &served.pin,
        "--reconnect",
        "--no-io",
    ];
    let r = ok_json(&dir, &args);
    assert_eq!(r["reconnect"]["resumed"], false, "{r}");
    assert_eq!(r["reconnect"]["handshake_kind"], "full", "{r}");
    assert_eq!(r["reconnect"]["tickets_received"], 0, "{r}");
    let mut text = args.to_vec();
    text.extend(["--color", "never"]);
    let out = dir.exits(&text, 0);
    assert!(
        stdout(&out)
            .contains("reconnect:     not resumed (full; the server sent no session ticket)"),
        "{}",
        stdout(&out)
    );
}

/// A refused server's chain is still written by --showcerts and --save-chain (as s_client does),
/// with the verification exit code.
#[test]
fn showcerts_and_save_chain_write_a_refused_chain() {
    let dir = Dir::new();
    let served = util::spawn_serve(&dir, &[]);
    let t = format!("localhost:{}", served.port);
    let out = dir.exits(&["connect", &t, "--showcerts", "-q", "--no-io"], 5);
    let pem = stdout(&out);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1, "{pem}");
    dir.exits(&["connect", &t, "--save-chain", "saved.pem", "--no-io"], 5);
    let saved = std::fs::read_to_string(dir.join("saved.pem")).expect("saved.pem written");
    assert_eq!(saved, pem);
    // What was saved is the served certificate.
    let r = ok_json(&dir, &["inspect", "saved.pem"]);
    assert!(r.to_string().contains(&served.fingerprint), "{r}");
}

#[test]
fn openssl_send_and_stdin_carry_data() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    // -rev: the server answers each line reversed.
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &["-rev"]) else {
        return;
    };
    let t = target(port);
    let out = dir.exits(
        &[
            "connect",
            &t,
            "--ca",
            "ca.pem",
            "--send",
            "hello\n",
            "--read-timeout",
            "2",
        ],
        0,
    );
    // Data on stdout, the report on stderr.
    assert_eq!(stdout(&out), "olleh\n");
    assert!(stderr(&out).contains("Connected to"), "{}", stderr(&out));

    let out = dir.run_with_stdin(
        &["connect", &t, "--ca", "ca.pem", "--read-timeout", "2"],
        b"abc\n",
    );
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "cba\n");
    assert!(stderr(&out).contains("verification:"), "{}", stderr(&out));

    // stdin at end of file: report only, on stdout.
    let out = dir.run_with_stdin(&["connect", &t, "--ca", "ca.pem"], b"");
    assert_exit(&out, 0);
    assert!(stdout(&out).starts_with("Connected to"), "{}", stdout(&out));
}

#[test]
fn openssl_showcerts_output_parses() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let out = dir.exits(
        &[
            "connect",
            &target(port),
            "--ca",
            "ca.pem",
            "--showcerts",
            "-q",
        ],
        0,
    );
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
    let out = dir.exits(
        &[
            "connect",
            &target(port),
            "--ca",
            "ca.pem",
            "--save-chain",
            "saved.pem",
        ],
        0,
    );
    assert!(stdout(&out).starts_with("Connected to"));
    assert_eq!(fp("saved.pem"), fp("leaf.pem"));
}

#[test]
fn openssl_pins_and_keylog() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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
    assert_eq!(
        r["verification"]["trust"], "ca-file",
        "the CA vouched, the pin only checked"
    );
    let keys = dir.read("keys.log");
    assert!(keys.contains("CLIENT_HANDSHAKE_TRAFFIC_SECRET "), "{keys}");

    let wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let out = dir.exits(&["connect", &t, "--ca", "ca.pem", "--pin", wrong], 6);
    assert!(
        stderr(&out).contains(&format!("the server presented {pin}")),
        "{}",
        stderr(&out)
    );
    // Pins apply with --insecure too.
    dir.exits(&["connect", &t, "--insecure", "--pin", wrong], 6);
}

// ---------------------------------------------------------------- Python ssl

#[test]
fn python_server_interop() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
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
    let out = dir.exits(
        &[
            "connect",
            &t,
            "--ca",
            "ca.pem",
            "--send",
            "ping\n",
            "--read-timeout",
            "10",
        ],
        0,
    );
    assert_eq!(
        stdout(&out),
        "sni=localhost alpn=None version=TLSv1.3 client=None resumed=False\nping\n"
    );
    let out = dir.exits(
        &[
            "connect",
            &t,
            "--ca",
            "ca.pem",
            "--no-sni",
            "--send",
            "x",
            "--read-timeout",
            "10",
        ],
        0,
    );
    assert!(stdout(&out).starts_with("sni=None "), "{}", stdout(&out));
    // --servername: verified against that name; the address is dialled as given.
    let out = dir.exits(
        &[
            "connect",
            &format!("127.0.0.1:{port}"),
            "--servername",
            "wrong.test",
            "--ca",
            "ca.pem",
        ],
        5,
    );
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
    let out = dir.exits(
        &[
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
        ],
        0,
    );
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
    let out = dir.exits(&["connect", &target(port), "--ca", "ca.pem"], 4);
    assert!(
        stderr(&out).contains("client certificate"),
        "{}",
        stderr(&out)
    );
    let out = dir.exits(
        &[
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
        ],
        0,
    );
    assert!(
        stdout(&out).contains("client=alice@example.test"),
        "{}",
        stdout(&out)
    );
}

// ---------------------------------------------------------------- bad servers

/// Signs `name`'s key with the test CA through `openssl x509 -req`, with the given extensions.
fn openssl_leaf(dir: &Dir, name: &str, keygen: &[&str], ext: &str) {
    let key = format!("{name}-key.pem");
    let csr = format!("{name}.csr");
    let extfile = format!("{name}.ext");
    std::fs::write(dir.join(&extfile), ext).unwrap();
    let mut genkey = vec!["genpkey"];
    genkey.extend_from_slice(keygen);
    genkey.extend_from_slice(&["-out", &key]);
    let cert = format!("{name}.pem");
    for args in [
        genkey,
        vec![
            "req",
            "-new",
            "-key",
            &key,
            "-subj",
            "/CN=localhost",
            "-out",
            &csr,
        ],
        vec![
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-days",
            "30",
            "-extfile",
            &extfile,
            "-out",
            &cert,
        ],
    ] {
        let o = Command::new("openssl")
            .current_dir(dir.path())
            .args(&args)
            .output()
            .expect("openssl");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// Runs openssl with `args` in `dir`, asserting success.
fn openssl_ok(dir: &Dir, args: &[&str]) {
    let o = Command::new("openssl")
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// With openssl: root.pem (CN=Chain Root) issues int.pem (CN=Chain Intermediate),
/// which issues leaf.pem (CN=localhost), each with its -key.pem.
fn openssl_chain(dir: &Dir) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut root = vec!["req", "-x509"];
    root.extend_from_slice(&ec);
    root.extend_from_slice(&[
        "-keyout",
        "root-key.pem",
        "-out",
        "root.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Chain Root",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl_ok(dir, &root);
    std::fs::write(
        dir.join("int.ext"),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    for (name, cn, issuer, ext) in [
        ("int", "/CN=Chain Intermediate", "root", "int.ext"),
        ("leaf", "/CN=localhost", "int", "leaf.ext"),
    ] {
        let (key, csr, cert) = (
            format!("{name}-key.pem"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        let mut req = vec!["req"];
        req.extend_from_slice(&ec);
        req.extend_from_slice(&["-keyout", &key, "-out", &csr, "-subj", cn]);
        openssl_ok(dir, &req);
        let (ca, ca_key) = (format!("{issuer}.pem"), format!("{issuer}-key.pem"));
        openssl_ok(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-days",
                "20",
                "-extfile",
                ext,
                "-out",
                &cert,
            ],
        );
    }
}

/// A server that sends only its own certificate, not the intermediate that issued it, is
/// named as a likely incomplete chain; one that sends the intermediate, as an untrusted root.
#[test]
fn incomplete_chain_is_told_from_an_untrusted_root() {
    let dir = Dir::new();
    if !util::have("openssl") {
        return;
    }
    openssl_chain(&dir);
    // Trusting an unrelated CA: neither chain verifies.
    dir.ok(&[
        "gencert",
        "--ca",
        "--cn",
        "Unrelated CA",
        "--out",
        "other",
        "-q",
    ]);

    let (_bare, port) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]).expect("openssl");
    let out = dir.exits(
        &["connect", &target(port), "--ca", "other.pem", "--no-io"],
        5,
    );
    let err = stderr(&out);
    assert!(
        err.contains("issued by an unknown authority: CN=Chain Intermediate"),
        "{err}"
    );
    assert!(err.contains("the server's chain is incomplete"), "{err}");

    let (_full, port) = openssl_server(
        &dir,
        "leaf.pem",
        "leaf-key.pem",
        &["-cert_chain", "int.pem"],
    )
    .expect("openssl");
    let out = dir.exits(
        &["connect", &target(port), "--ca", "other.pem", "--no-io"],
        5,
    );
    let err = stderr(&out);
    assert!(
        err.contains("issued by an unknown authority: CN=Chain Root"),
        "{err}"
    );
    assert!(err.contains("give its CA with --ca FILE"), "{err}");
    assert!(
        !err.contains("incomplete"),
        "the intermediate was sent: {err}"
    );
    // Trusting the root, the complete chain verifies.
    let r = ok_json(
        &dir,
        &["connect", &target(port), "--ca", "root.pem", "--no-io"],
    );
    assert_eq!(r["verification"]["verified"], true, "{r}");
}

/// A pin on an intermediate vouches only for a certificate that intermediate issued: appending
/// the pinned (public) intermediate to a leaf of one's own must not pass.
#[test]
fn a_pinned_intermediate_must_have_issued_the_leaf() {
    let dir = Dir::new();
    if !util::have("openssl") {
        return;
    }
    openssl_chain(&dir);
    let (_real, port) = openssl_server(
        &dir,
        "leaf.pem",
        "leaf-key.pem",
        &["-cert_chain", "int.pem"],
    )
    .expect("openssl");
    let t = target(port);
    let r = ok_json(&dir, &["connect", &t, "--ca", "root.pem", "--no-io"]);
    let int_pin = r["chain"][1]["spki_pin"].as_str().unwrap().to_string();
    // The real server, with no CA: the pinned intermediate vouches for its leaf.
    let r = ok_json(&dir, &["connect", &t, "--pin", &int_pin, "--no-io"]);
    assert_eq!(r["verification"]["verified"], true, "{r}");
    assert_eq!(r["verification"]["trust"], "pin", "{r}");
    // The same pin on top of a CA that verifies the chain.
    let r = ok_json(
        &dir,
        &[
            "connect", &t, "--ca", "root.pem", "--pin", &int_pin, "--no-io",
        ],
    );
    assert_eq!(r["verification"]["pin_matched"], true, "{r}");

    // An impostor: its own self-signed leaf for the name, followed by the real intermediate.
    dir.ok(&["gencert", "localhost", "--out", "impostor", "-q"]);
    let (_fake, port) = openssl_server(
        &dir,
        "impostor.pem",
        "impostor-key.pem",
        &["-cert_chain", "int.pem"],
    )
    .expect("openssl");
    let t = target(port);
    let out = dir.exits(&["connect", &t, "--pin", &int_pin, "--no-io"], 6);
    assert!(
        stderr(&out).contains("does not chain up to it"),
        "{}",
        stderr(&out)
    );
    // Also when a CA vouches for the impostor's leaf: the pin is what guards against that.
    std::fs::copy(dir.join("impostor.pem"), dir.join("impostor-ca.pem")).unwrap();
    dir.exits(
        &[
            "connect",
            &t,
            "--pin",
            &int_pin,
            "--ca",
            "impostor-ca.pem",
            "--no-io",
        ],
        6,
    );
    dir.exits(
        &["connect", &t, "--pin", &int_pin, "--insecure", "--no-io"],
        6,
    );
}

/// --starttls against a port that speaks TLS at once: the timeout says what to try.
#[test]
fn starttls_on_an_implicit_tls_port_says_to_leave_it_out() {
    let dir = Dir::new();
    let served = util::spawn_serve(&dir, &[]);
    let t = format!("localhost:{}", served.port);
    let out = dir.exits(
        &[
            "connect",
            &t,
            "--starttls",
            "smtp",
            "--timeout",
            "1",
            "--no-io",
        ],
        3,
    );
    assert!(
        stderr(&out).contains("in the smtp STARTTLS exchange (if this port speaks TLS at once"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_server_matrix() {
    let dir = Dir::new();
    if !util::have("openssl") {
        return;
    }
    util::pki(&dir, Some("Test CA"), LEAF);
    let gen = |args: &[&str]| {
        let mut all = vec!["gencert"];
        all.extend_from_slice(args);
        all.push("-q");
        dir.ok(&all);
    };
    gen(&[
        "localhost",
        "--issuer",
        "ca.pem",
        "--not-before",
        "-40d",
        "--days",
        "10",
        "--out",
        "expired",
    ]);
    gen(&[
        "localhost",
        "--issuer",
        "ca.pem",
        "--not-before",
        "+10d",
        "--days",
        "30",
        "--out",
        "notyet",
    ]);
    gen(&["wrong.test", "--issuer", "ca.pem", "--out", "wronghost"]);
    gen(&["--ca", "--cn", "Other CA", "--out", "other"]);
    gen(&["localhost", "--issuer", "other.pem", "--out", "unknownca"]);
    gen(&["localhost", "--out", "selfsigned"]);
    let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    openssl_leaf(
        &dir,
        "caleaf",
        &ec,
        "basicConstraints=critical,CA:TRUE\nsubjectAltName=DNS:localhost\n",
    );
    openssl_leaf(
        &dir,
        "clientonly",
        &ec,
        "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:localhost\n",
    );
    openssl_leaf(
        &dir,
        "rsa1024",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n",
    );

    let cases: [(&str, &[&str]); 8] = [
        ("expired", &["the server's certificate expired on ", " days ago)"]),
        ("notyet", &["the server's certificate is not valid until ", "(in 10 days)"]),
        ("wronghost", &["valid for wrong.test but not for localhost"]),
        (
            "unknownca",
            &[
                "issued by an unknown authority: CN=Other CA",
                // The client cannot tell a missing intermediate from an untrusted root: it says both.
                "if it is an intermediate CA, the server's chain is incomplete",
                "if it is a root, trust it with --ca FILE",
            ],
        ),
        ("selfsigned", &["self-signed (CN=localhost)", "--pin sha256//"]),
        ("caleaf", &["presents a CA certificate (CN=localhost) as its own certificate"]),
        (
            "clientonly",
            &["not valid for server authentication: its extended key usage allows only client authentication"],
        ),
        ("rsa1024", &["the server's RSA key is only 1024 bits; at least 2048 are required"]),
    ];
    for (name, reasons) in cases {
        let cert = format!("{name}.pem");
        let key = format!("{name}-key.pem");
        let (_server, port) =
            openssl_server(&dir, &cert, &key, &["-cipher", "DEFAULT:@SECLEVEL=0"])
                .expect("openssl is present");
        let t = target(port);

        // Refused: exit 5 and the reason, in text and in JSON.
        let out = dir.exits(&["connect", &t, "--ca", "ca.pem"], 5);
        for reason in reasons {
            assert!(
                stderr(&out).contains(reason),
                "{name}: want '{reason}' in:\n{}",
                stderr(&out)
            );
        }
        let out = dir.exits(&["connect", &t, "--ca", "ca.pem", "--json"], 5);
        let r = json(&out);
        assert_eq!(r["error"]["exit_code"], 5, "{name}: {r}");
        assert_eq!(r["error"]["stage"], "handshake");
        assert!(
            r["error"]["message"].as_str().unwrap().contains(reasons[0]),
            "{name}: {r}"
        );
        assert!(
            !r["chain"].as_array().unwrap().is_empty(),
            "{name}: the chain is shown"
        );

        // Accepted with --insecure, marked NOT VERIFIED with the same reason.
        let out = dir.exits(
            &[
                "connect",
                &t,
                "--ca",
                "ca.pem",
                "--insecure",
                "--color",
                "never",
            ],
            0,
        );
        let text = stdout(&out);
        assert!(
            text.contains("verification:  NOT VERIFIED: "),
            "{name}: {text}"
        );
        assert!(text.contains(reasons[0]), "{name}: {text}");
        assert!(stderr(&out).contains("warning: --insecure"), "{name}");
        let r = ok_json(&dir, &["connect", &t, "--ca", "ca.pem", "--insecure"]);
        assert_eq!(r["verification"]["verified"], false, "{name}");
        assert_eq!(r["verification"]["insecure"], true, "{name}");

        if name == "selfsigned" {
            // A correct pin is trust enough on its own.
            let pin = r["chain"][0]["spki_pin"].as_str().unwrap().to_string();
            let r = ok_json(&dir, &["connect", &t, "--pin", &pin]);
            assert_eq!(r["verification"]["verified"], true, "{r}");
            assert_eq!(r["verification"]["pin_matched"], true);
            assert_eq!(r["verification"]["trust"], "pin", "{r}");
        }
        if name == "rsa1024" {
            assert_eq!(
                r["handshake"]["protocol"], "TLSv1.2",
                "retried over TLS 1.2: {r}"
            );
        }
    }
    // A pin does not make an expired certificate acceptable.
    let (_server, port) =
        openssl_server(&dir, "expired.pem", "expired-key.pem", &[]).expect("openssl is present");
    let r = json(&dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--insecure",
        "--json",
    ]));
    let pin = r["chain"][0]["spki_pin"].as_str().unwrap().to_string();
    dir.exits(&["connect", &target(port), "--pin", &pin], 5);
}

// ---------------------------------------------------------------- network failures

#[test]
fn refused_is_a_network_error() {
    let dir = Dir::new();
    let port = util::free_port();
    dir.expect(
        &["connect", &format!("127.0.0.1:{port}"), "--timeout", "5"],
        3,
        "",
        "tlskit: error: cannot connect to 127.0.0.1:<port>: connection refused (nothing listens \
         on that port)\n",
    );
    let out = dir.exits(&["connect", &format!("127.0.0.1:{port}"), "--json"], 3);
    let r = json(&out);
    assert_eq!(r["error"]["stage"], "connect");
    assert_eq!(r["error"]["exit_code"], 3);
}

#[test]
fn silent_server_times_out() {
    let dir = Dir::new();
    // Accepts TCP (the kernel completes it from the backlog) and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let out = dir.run(&["connect", &format!("localhost:{port}"), "--timeout", "1"]);
    let c = code(&out);
    assert!(c == 3 || c == 4, "exit {c}: {}", stderr(&out));
    assert!(
        stderr(&out).contains("timed out after 1 s"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(30), "bounded");
    drop(listener);

    // A plaintext service answering with something that is not TLS: exit 4, with a hint.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let talker = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.write_all(b"220 mx.test ESMTP\r\n");
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let out = dir.exits(
        &["connect", &format!("127.0.0.1:{port}"), "--timeout", "5"],
        4,
    );
    assert!(stderr(&out).contains("--starttls"), "{}", stderr(&out));
    talker.join().unwrap();
}

#[test]
fn bad_targets_are_usage_errors() {
    let dir = Dir::new();
    for (t, why) in [
        (
            "localhost:0",
            "'localhost:0': port 0 is out of range (1-65535)",
        ),
        ("[::1", "'[::1': '[' without a closing ']'"),
        (
            "gopher://x/",
            "'gopher://x/': tlskit does not know the URL scheme 'gopher' (it knows https, wss, \
             smtps, ldaps, ftps, imaps, pop3s)",
        ),
        (
            "localhost:http",
            "'localhost:http': 'http' is not a port number",
        ),
        (
            "::1:443",
            "'::1:443' is ambiguous: write [::1]:443 for port 443 of ::1, or [::1:443] for that \
             address",
        ),
    ] {
        dir.expect(&["connect", t], 2, "", &format!("tlskit: error: {why}\n"));
    }
    dir.expect(
        &["connect", "localhost", "--pin", "md5//x"],
        2,
        "",
        "tlskit: error: --pin: 'md5//x' is not a pin: expected sha256//<base64 of 32 bytes> \
         (curl's --pinnedpubkey form) (see 'tlskit connect --help')\n",
    );
    dir.expect(
        &["connect", "localhost", "--timeout", "0"],
        2,
        "",
        "tlskit: error: --timeout: must be more than 0 and at most 86400 seconds \
         (see 'tlskit connect --help')\n",
    );
}

// ---------------------------------------------------------------- STARTTLS

/// A plaintext server for one STARTTLS protocol (argv: proto, mode ok|refuse,
/// cert, key). It speaks the preamble byte by byte, then hands the socket to
/// Python's `ssl`, writes one line over TLS and closes.
const PY_STARTTLS: &str = r#"
import socket, ssl, sys, threading
proto, mode, cert, key = sys.argv[1:5]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
print(srv.getsockname()[1], flush=True)

def line(c):
    b = b""
    while not b.endswith(b"\n"):
        x = c.recv(1)
        if not x:
            raise EOFError("client closed")
        b += x
        if len(b) > 4096:
            raise ValueError("line too long")
    return b.decode().rstrip("\r\n")

def until(c, marker):
    b = b""
    while marker not in b:
        x = c.recv(1)
        if not x:
            raise EOFError("client closed")
        b += x
        if len(b) > 65536:
            raise ValueError("too much")
    return b

def exactly(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x:
            raise EOFError("client closed")
        b += x
    return b

def preamble(c):
    ok = mode == "ok"
    if proto == "smtp":
        c.sendall(b"220-mx.test ESMTP tlskit-test\r\n220 ready\r\n")
        assert line(c).startswith("EHLO ")
        c.sendall(b"250-mx.test greets you\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
        assert line(c) == "STARTTLS"
        c.sendall(b"220 2.0.0 go ahead\r\n" if ok else b"454 4.7.0 TLS not available due to temporary reason\r\n")
    elif proto == "imap":
        c.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] imap.test ready\r\n")
        tag, cmd = line(c).split(" ", 1)
        assert cmd.upper() == "STARTTLS"
        c.sendall((tag + (" OK begin TLS now\r\n" if ok else " NO STARTTLS disabled\r\n")).encode())
    elif proto == "pop3":
        c.sendall(b"+OK pop.test ready\r\n")
        assert line(c) == "STLS"
        c.sendall(b"+OK begin TLS\r\n" if ok else b"-ERR STLS not permitted\r\n")
    elif proto == "ftp":
        c.sendall(b"220-ftp.test\r\n220 FTP ready\r\n")
        assert line(c) == "AUTH TLS"
        c.sendall(b"234 AUTH TLS successful\r\n" if ok else b"534 policy forbids TLS\r\n")
    elif proto == "xmpp":
        head = until(c, b">")
        if b"<?xml" in head:
            head += until(c, b">")
        assert b"<stream:stream" in head and b"to='localhost'" in head, head
        c.sendall(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  b"xmlns:stream='http://etherx.jabber.org/streams' id='t1' from='localhost' version='1.0'>"
                  b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
                  b"</stream:features>")
        assert b"<starttls" in until(c, b"/>")
        c.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" if ok
                  else b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
    elif proto == "postgres":
        assert exactly(c, 8) == b"\x00\x00\x00\x08\x04\xd2\x16\x2f"
        c.sendall(b"S" if ok else b"N")
    elif proto == "ldap":
        req = exactly(c, 2)
        req += exactly(c, req[1])
        assert b"1.3.6.1.4.1.1466.20037" in req, req
        if ok:
            c.sendall(b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00")
        else:
            c.sendall(b"\x30\x1b\x02\x01\x01\x78\x16\x0a\x01\x34\x04\x00\x04\x0funwilling today")
    elif proto == "lmtp":
        c.sendall(b"220 lmtp.test LMTP ready\r\n")
        assert line(c).startswith("LHLO ")
        c.sendall(b"250-lmtp.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 ENHANCEDSTATUSCODES\r\n")
        assert line(c) == "STARTTLS"
        c.sendall(b"220 2.0.0 Ready to start TLS\r\n" if ok else b"454 4.7.0 TLS not available\r\n")
    elif proto == "nntp":
        c.sendall(b"200 news.test InterNetNews server ready\r\n")
        assert line(c) == "STARTTLS"
        c.sendall(b"382 Continue with TLS negotiation\r\n" if ok else b"580 Can not initiate TLS negotiation\r\n")
    elif proto == "sieve":
        c.sendall(b'"IMPLEMENTATION" "Dovecot Pigeonhole"\r\n"SIEVE" "fileinto"\r\n"STARTTLS"\r\n"VERSION" "1.0"\r\nOK "Dovecot ready."\r\n')
        assert line(c) == "STARTTLS"
        c.sendall(b'OK "Begin TLS negotiation now."\r\n' if ok else b'NO "TLS is not available"\r\n')
    elif proto == "irc":
        assert line(c) == "STARTTLS"
        c.sendall(b":irc.test NOTICE * :*** Looking up your hostname...\r\n")
        c.sendall(b":irc.test 670 * :STARTTLS successful, proceed with TLS handshake\r\n" if ok
                  else b":irc.test 691 * :STARTTLS failed (Internal server error)\r\n")
    elif proto == "mysql":
        # MariaDB's initial handshake (protocol 10); CLIENT_SSL (0x0800) offered unless refusing.
        caps = 0xffff if ok else 0xf7ff
        payload = (b"\x0a" + b"10.11.6-MariaDB-test\x00" + b"\x01\x00\x00\x00" + b"abcdefgh" + b"\x00"
                   + caps.to_bytes(2, "little") + b"\x21" + b"\x02\x00" + b"\xff\x81" + b"\x15"
                   + b"\x00" * 10 + b"ijklmnopqrst\x00" + b"mysql_native_password\x00")
        c.sendall(len(payload).to_bytes(3, "little") + b"\x00" + payload)
        if ok:
            req = exactly(c, 36)
            assert req[:4] == b"\x20\x00\x00\x01", req
            assert int.from_bytes(req[4:8], "little") & 0x0800, req
    return ok

def handle(c):
    c.settimeout(10)
    try:
        if preamble(c):
            with ctx.wrap_socket(c, server_side=True) as s:
                s.sendall(("tls-ok " + proto + "\n").encode())
                s.unwrap()
    except Exception as e:
        print("server error:", repr(e), file=sys.stderr, flush=True)
    finally:
        c.close()

while True:
    conn, _ = srv.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
"#;

fn starttls_server(dir: &Dir, proto: &str, mode: &str) -> Option<(Background, u16)> {
    if !util::have("python3") {
        return None;
    }
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir.path())
        .args(["-c", PY_STARTTLS, proto, mode, "leaf.pem", "leaf-key.pem"]);
    let server = Background::spawn(cmd);
    let port = server
        .line(WAIT)
        .trim()
        .parse()
        .expect("starttls server port");
    Some((server, port))
}

#[test]
fn starttls_each_protocol() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let greetings = [
        ("smtp", "220 mx.test ESMTP tlskit-test"),
        (
            "imap",
            "* OK [CAPABILITY IMAP4rev1 STARTTLS] imap.test ready",
        ),
        ("pop3", "+OK pop.test ready"),
        ("ftp", "220 ftp.test"),
        ("xmpp", "<stream:stream"),
        ("postgres", "S (the server accepts TLS)"),
        ("ldap", "resultCode 0 (success)"),
        ("lmtp", "220 lmtp.test LMTP ready"),
        ("nntp", "200 news.test InterNetNews server ready"),
        ("sieve", "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\""),
        ("irc", ":irc.test 670 * :STARTTLS successful"),
        ("mysql", "server 10.11.6-MariaDB-test"),
    ];
    for (proto, greeting) in greetings {
        let Some((_server, port)) = starttls_server(&dir, proto, "ok") else {
            return;
        };
        let t = target(port);
        let r = ok_json(
            &dir,
            &[
                "connect",
                &t,
                "--starttls",
                proto,
                "--ca",
                "ca.pem",
                "--no-io",
            ],
        );
        assert_eq!(r["starttls"]["protocol"], proto, "{r}");
        assert!(
            r["starttls"]["greeting"]
                .as_str()
                .unwrap()
                .contains(greeting),
            "{proto}: {r}"
        );
        assert_eq!(r["handshake"]["protocol"], "TLSv1.3", "{proto}");
        assert_eq!(r["verification"]["verified"], true, "{proto}");
        assert!(r["timings"]["starttls_ms"].is_number(), "{proto}");
        // Data after the upgrade is TLS: the server's line arrives decrypted.
        let out = dir.exits(
            &[
                "connect",
                &t,
                "--starttls",
                proto,
                "--ca",
                "ca.pem",
                "--send",
                "",
                "--read-timeout",
                "10",
            ],
            0,
        );
        assert_eq!(stdout(&out), format!("tls-ok {proto}\n"), "{proto}");

        let Some((_refusing, port)) = starttls_server(&dir, proto, "refuse") else {
            return;
        };
        let out = dir.exits(
            &[
                "connect",
                &target(port),
                "--starttls",
                proto,
                "--ca",
                "ca.pem",
            ],
            4,
        );
        let err = stderr(&out);
        assert!(
            err.contains(&format!("tlskit: error: {proto}: the server refused")),
            "{proto}: {err}"
        );
    }
}

// ---------------------------------------------------------------- the JSON document

#[test]
fn json_report_fields_are_present_and_typed() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let served = util::spawn_serve(&dir, &["--cert", "leaf.pem", "--key", "leaf-key.pem"]);
    let t = target(served.port);
    let out = dir.exits(
        &[
            "connect",
            &t,
            "--ca",
            "ca.pem",
            "--json",
            "--showcerts",
            "--send",
            "abc\n",
            "--read-timeout",
            "2",
        ],
        0,
    );
    // Data on stdout (serve echoes it); the one JSON document on stderr.
    assert_eq!(stdout(&out), "abc\n");
    let r: Value = serde_json::from_slice(&out.stderr).expect("stderr is one JSON document");
    let s = |v: &Value| v.is_string();
    let n = |v: &Value| v.is_number();
    assert!(
        s(&r["target"]) && s(&r["address"]) && s(&r["server_name"]) && s(&r["sni"]),
        "{r}"
    );
    assert!(r["resolved"].is_array());
    for k in ["dns_ms", "tcp_ms", "tls_ms"] {
        assert!(n(&r["timings"][k]), "{k}: {r}");
    }
    assert!(r["timings"]["starttls_ms"].is_null());
    let h = &r["handshake"];
    assert!(
        s(&h["protocol"]) && s(&h["cipher_suite"]) && s(&h["group"]) && s(&h["handshake_kind"])
    );
    // Both ends are rustls: the post-quantum hybrid is negotiated and marked.
    assert_eq!(h["group"], "X25519MLKEM768", "{h}");
    assert_eq!(h["post_quantum"], true);
    assert_eq!(h["protocol"], "TLSv1.3");
    assert!(h["alpn"].is_null());
    assert!(r["client_certificate"]["requested"].is_boolean());
    assert!(r["client_certificate"]["ca_hints"].is_array());
    assert!(r["ocsp"]["stapled"].is_boolean());
    let v = &r["verification"];
    assert_eq!(v["verified"], true);
    assert_eq!(v["trust"], "ca-file");
    assert!(v["error"].is_null() && v["pin_matched"].is_null() && v["insecure"] == false);
    let leaf = &r["chain"][0];
    for k in [
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "signature_algorithm",
        "sha256_fingerprint",
        "spki_pin",
        "pem",
    ] {
        assert!(s(&leaf[k]), "{k}: {leaf}");
    }
    assert!(n(&leaf["days_left"]) && leaf["sans"].is_array() && leaf["is_ca"].is_boolean());
    assert_eq!(leaf["key"]["algorithm"], "ECDSA");
    assert_eq!(leaf["key"]["bits"], 256);
    assert!(leaf["pem"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert!(r["reconnect"].is_null() && r["warnings"].is_array() && r["error"].is_null());
}

#[test]
fn system_roots_and_sslkeylogfile() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    // rustls-native-certs reads SSL_CERT_FILE on Linux: the "system" store is the test CA here.
    let mut cmd = dir.tlskit(&["connect", &target(port), "--system-roots", "--json"]);
    cmd.env("SSL_CERT_FILE", dir.join("ca.pem"))
        .env("SSLKEYLOGFILE", dir.join("env-keys.log"));
    let out = util::run_bounded(cmd, Duration::from_secs(60));
    assert_exit(&out, 0);
    let r = json(&out);
    assert_eq!(r["verification"]["trust"], "system");
    assert_eq!(r["verification"]["verified"], true);
    assert!(dir
        .read("env-keys.log")
        .contains("SERVER_TRAFFIC_SECRET_0 "));
}

#[test]
fn openssl_hello_retry_request_is_reported() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    // tlskit sends key shares for X25519MLKEM768 and X25519; a P-256-only server must ask again.
    let Some((_server, port)) =
        openssl_server(&dir, "leaf.pem", "leaf-key.pem", &["-groups", "P-256"])
    else {
        return;
    };
    let r = ok_json(&dir, &["connect", &target(port), "--ca", "ca.pem"]);
    assert_eq!(
        r["handshake"]["handshake_kind"], "full_with_hello_retry_request",
        "{r}"
    );
    assert_eq!(r["handshake"]["group"], "secp256r1");
    assert_eq!(r["handshake"]["post_quantum"], false);
    let out = dir.run(&[
        "connect",
        &target(port),
        "--ca",
        "ca.pem",
        "--color",
        "never",
    ]);
    assert!(
        stdout(&out).contains("handshake:     full, with HelloRetryRequest"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn fetch_chain_for_inspect_and_pin() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    dir.ok(&["gencert", "localhost", "--out", "self", "-q"]);
    let Some((_server, port)) = openssl_server(&dir, "self.pem", "self-key.pem", &[]) else {
        return;
    };
    tlskit::tls::install_provider();
    let target = tlskit::tls::target::Target::parse(&format!("localhost:{port}")).unwrap();
    let fetched = tlskit::tls::dial::fetch_chain(&tlskit::tls::dial::DialOptions::new(
        target.clone(),
        Duration::from_secs(10),
    ))
    .unwrap();
    assert_eq!(fetched.chain.len(), 1);
    let expected = tlskit::tls::files::load_certs(&dir.join("self.pem")).unwrap();
    assert_eq!(fetched.chain[0], expected[0]);
    let why = fetched.verdict.unwrap_err();
    assert!(why.contains("self-signed"), "{why}");
    assert_eq!(fetched.report.address, Some(format!("127.0.0.1:{port}")));

    let closed =
        tlskit::tls::target::Target::parse(&format!("127.0.0.1:{}", util::free_port())).unwrap();
    let err = tlskit::tls::dial::fetch_chain(&tlskit::tls::dial::DialOptions::new(
        closed.clone(),
        Duration::from_secs(5),
    ))
    .unwrap_err();
    assert_eq!(
        tlskit::exit::classify(&err),
        tlskit::exit::Code::Network,
        "{err:#}"
    );
}

// ---------------------------------------------------------------- trust on first use

/// `tlskit serve` on a fixed port (to restart it there with another key).
fn serve_at(dir: &Dir, port: u16) -> util::Served {
    util::spawn_serve_on(dir, &format!("127.0.0.1:{port}"), &[])
}

fn connect_tofu(dir: &Dir, port: u16) -> Output {
    let mut cmd = dir.tlskit(&["connect", &format!("localhost:{port}"), "--tofu", "--json"]);
    cmd.env("TLSKIT_PIN_STORE", dir.join("pins"));
    util::run_bounded(cmd, Duration::from_secs(60))
}

#[test]
fn tofu_records_then_checks_and_refuses_a_changed_key() {
    let dir = Dir::new();
    let port = util::free_port();
    let server = serve_at(&dir, port);
    // First contact: a self-signed certificate, no CA, no pin: recorded.
    let out = connect_tofu(&dir, port);
    assert_exit(&out, 0);
    let r = json(&out);
    assert_eq!(r["tofu"]["state"], "recorded", "{r}");
    let pin = r["chain"][0]["spki_pin"].as_str().unwrap().to_string();
    assert_eq!(r["tofu"]["pin"], pin.as_str());
    assert_eq!(r["tofu"]["host_port"], format!("localhost:{port}"));
    let store = dir.read("pins");
    assert!(
        store.contains(&format!("localhost:{port} {pin}")),
        "{store}"
    );
    // Second contact: the recorded pin vouches for it.
    let r = json(&connect_tofu(&dir, port));
    assert_eq!(r["tofu"]["state"], "matched", "{r}");
    assert_eq!(r["verification"]["trust"], "pin");
    drop(server);

    // The server comes back with a new key: refused, exit 6, both pins named.
    let server = serve_at(&dir, port);
    let out = connect_tofu(&dir, port);
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(err.contains("has CHANGED"), "{err}");
    assert!(err.contains(&pin), "old pin named: {err}");
    assert!(
        err.contains(&format!("tlskit pin --forget localhost:{port}")),
        "{err}"
    );
    assert_eq!(dir.read("pins"), store, "a refused key is not recorded");

    // Forgetting it makes the next contact a first contact again.
    let mut forget = dir.tlskit(&["pin", "--forget", &format!("localhost:{port}")]);
    forget.env("TLSKIT_PIN_STORE", dir.join("pins"));
    let out = util::run_bounded(forget, Duration::from_secs(30));
    assert_exit(&out, 0);
    let r = json(&connect_tofu(&dir, port));
    assert_eq!(r["tofu"]["state"], "recorded", "{r}");
    assert_ne!(r["tofu"]["pin"], pin.as_str());
    drop(server);
}

#[test]
fn tofu_still_checks_names_and_dates() {
    let dir = Dir::new();
    dir.ok(&["gencert", "other.test", "--out", "other"]);
    let served = util::spawn_serve(&dir, &["--cert", "other.pem", "--key", "other-key.pem"]);
    let out = connect_tofu(&dir, served.port);
    assert_eq!(
        code(&out),
        5,
        "a wrong name is not excused by first use: {}",
        stderr(&out)
    );
    assert!(!dir.join("pins").exists() || !dir.read("pins").contains("localhost"));
    dir.exits(&["connect", "localhost:1", "--tofu", "--insecure"], 2);
}

#[test]
fn groups_and_suites_are_what_openssl_negotiates() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", &[]) else {
        return;
    };
    let t = target(port);
    let r = ok_json(
        &dir,
        &[
            "connect",
            &t,
            "--ca",
            "ca.pem",
            "--groups",
            "P-384",
            "--suites",
            "TLS_AES_128_GCM_SHA256",
        ],
    );
    assert_eq!(r["handshake"]["group"], "secp384r1", "{r}");
    assert_eq!(
        r["handshake"]["cipher_suite"], "TLS_AES_128_GCM_SHA256",
        "{r}"
    );
    let r = ok_json(
        &dir,
        &[
            "connect",
            &t,
            "--ca",
            "ca.pem",
            "--tls12",
            "--groups",
            "prime256v1",
            "--suites",
            "ECDHE-ECDSA-CHACHA20-POLY1305",
        ],
    );
    assert_eq!(r["handshake"]["protocol"], "TLSv1.2", "{r}");
    assert_eq!(r["handshake"]["group"], "secp256r1", "{r}");
    assert_eq!(
        r["handshake"]["cipher_suite"], "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "{r}"
    );
    // Nothing in common is a handshake failure (4), not a usage error.
    let Some((_x25519, port)) =
        openssl_server(&dir, "leaf.pem", "leaf-key.pem", &["-groups", "X25519"])
    else {
        return;
    };
    dir.exits(
        &[
            "connect",
            &target(port),
            "--ca",
            "ca.pem",
            "--groups",
            "secp256r1",
        ],
        4,
    );
}

#[test]
fn unusable_group_and_suite_choices_are_usage_errors() {
    let dir = Dir::new();
    for args in [
        &["--groups", "ffdhe2048"][..],
        &["--suites", "RC4-MD5"],
        &["--suites", "TLS_AES_128_GCM_SHA256", "--tls12"],
        &["--suites", "ECDHE-RSA-AES128-GCM-SHA256", "--tls13"],
        &["--groups", "MLKEM768", "--tls12"],
        &["--groups", ","],
    ] {
        let mut all = vec!["connect", "127.0.0.1:9"];
        all.extend_from_slice(args);
        let out = dir.exits(&all, 2);
        let err = stderr(&out);
        assert!(err.starts_with("tlskit: error: --"), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn ipv6_loopback_target_is_dialled_and_verified_by_address() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        util::skip("IPv6 loopback", "this machine has no IPv6 loopback");
        return;
    }
    let dir = Dir::new();
    // The ephemeral certificate names IP:::1, so the address itself is verified.
    let served = util::spawn_serve_on(&dir, "[::1]:0", &[]);
    assert!(served.addr.starts_with("[::1]:"), "{}", served.addr);
    let t = format!("[::1]:{}", served.port);
    let r = ok_json(&dir, &["connect", &t, "--pin", &served.pin, "--no-io"]);
    assert_eq!(r["address"], t.as_str(), "{r}");
    assert_eq!(r["server_name"], "::1", "{r}");
    assert_eq!(r["verification"]["verified"], true, "{r}");
    // Another name for the same address fails verification by name.
    dir.exits(
        &[
            "connect",
            &t,
            "--pin",
            &served.pin,
            "--servername",
            "example.test",
            "--no-io",
        ],
        5,
    );
}

/// A pinned CA and an expired leaf it issued: the pin still matches (it is
/// about who issued the leaf); the expiry is what fails, with exit 5, or is
/// reported as NOT VERIFIED with --insecure.
#[test]
fn a_pinned_ca_still_matches_an_expired_leaf_it_issued() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--out", "ca", "-q"]);
    dir.ok(&[
        "gencert",
        "localhost",
        "--issuer",
        "ca.pem",
        "--not-before",
        "-40d",
        "--days",
        "10",
        "--out",
        "old",
        "-q",
    ]);
    std::fs::write(
        dir.join("chain.pem"),
        dir.read("old.pem") + &dir.read("ca.pem"),
    )
    .unwrap();
    let ca_pin = dir
        .ok(&["pin", "ca.pem", "-q"])
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let served = util::spawn_serve(&dir, &["--cert", "chain.pem", "--key", "old-key.pem"]);
    let t = format!("localhost:{}", served.port);
    let out = dir.exits(&["connect", &t, "--pin", &ca_pin, "--no-io"], 5);
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    let out = dir.exits(
        &[
            "--json",
            "connect",
            &t,
            "--pin",
            &ca_pin,
            "--insecure",
            "--no-io",
        ],
        0,
    );
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["verification"]["verified"], false, "{r}");
    assert_eq!(r["verification"]["pin_matched"], true, "{r}");
}

/// A server that answers the XMPP stream opening with nothing but `>`: the
/// reader must give up at its 64 KiB cap, in time linear in what was sent
/// (it used to re-scan everything at each `>`, and ran out of time first).
#[test]
fn xmpp_flood_of_closing_brackets_hits_the_size_cap() {
    let dir = Dir::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let flood = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.set_write_timeout(Some(Duration::from_secs(30)));
            let _ = s.write_all(&vec![b'>'; 70_000]);
            std::thread::sleep(Duration::from_millis(500));
        }
    });
    let out = dir.run(&[
        "connect",
        &format!("127.0.0.1:{port}"),
        "--starttls",
        "xmpp",
        "--timeout",
        "4",
    ]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("more than 64 KiB before TLS began"),
        "{}",
        stderr(&out)
    );
    flood.join().unwrap();
}

/// A refusal caused by what a flag left out of the ClientHello says so:
/// `--tls13` against a TLS 1.2-only server is not "the server does not accept
/// TLS 1.2 or 1.3"; the same for `--tls12`, `--groups` and `--suites`.
#[test]
fn a_refusal_names_the_flag_that_restricted_the_offer() {
    let dir = Dir::new();
    util::pki(&dir, Some("Test CA"), LEAF);
    let cases: [(&[&str], &[&str], &str); 4] = [
        (
            &["-tls1_2"],
            &["--tls13"],
            "does not accept TLS 1.3, the only version offered because of --tls13",
        ),
        (
            &["-tls1_3"],
            &["--tls12"],
            "does not accept TLS 1.2, the only version offered because of --tls12",
        ),
        (
            &["-groups", "X25519"],
            &["--groups", "P-384"],
            "only the key-exchange groups given with --groups were offered",
        ),
        (
            &["-ciphersuites", "TLS_AES_128_GCM_SHA256"],
            &["--suites", "TLS_AES_256_GCM_SHA384"],
            "only the cipher suites given with --suites were offered",
        ),
    ];
    for (server_flags, client_flags, said) in cases {
        let Some((_server, port)) = openssl_server(&dir, "leaf.pem", "leaf-key.pem", server_flags)
        else {
            return;
        };
        let t = target(port);
        let mut args = vec!["connect", t.as_str(), "--ca", "ca.pem"];
        args.extend_from_slice(client_flags);
        let out = dir.run(&args);
        assert_eq!(code(&out), 4, "{client_flags:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(said),
            "{client_flags:?}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("TLS 1.2 or 1.3"),
            "{client_flags:?}: {}",
            stderr(&out)
        );
    }
}

/// A STARTTLS server that resets the connection in the middle of the
/// exchange: the error names the protocol and the stage (it was a bare
/// "Connection reset by peer (os error 104)"), and is a network failure.
#[test]
fn a_starttls_reset_names_the_protocol_and_the_stage() {
    let dir = Dir::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let _ = s.write_all(b"220 mx.test ESMTP\r\n");
            let mut buf = [0u8; 256];
            let _ = std::io::Read::read(&mut s, &mut buf);
            // SO_LINGER 0: close with a reset.
            linger_zero(&s);
            drop(s);
        }
    });
    let out = dir.run(&[
        "connect",
        &format!("127.0.0.1:{port}"),
        "--starttls",
        "smtp",
        "--timeout",
        "10",
    ]);
    server.join().unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("smtp: the server reset the connection"),
        "{err}"
    );
    assert!(err.contains("before TLS began"), "{err}");

    // In JSON, every failure has a machine-readable kind beside its sentence.
    let port = util::free_port();
    let out = dir.run(&["connect", &format!("127.0.0.1:{port}"), "--json"]);
    assert_eq!(code(&out), 3);
    let r = json(&out);
    assert_eq!(r["error"]["kind"], "network", "{r}");
    assert_eq!(r["error"]["stage"], "connect", "{r}");
}

/// Sets SO_LINGER to zero on `s`, so that closing it sends a reset.
fn linger_zero(s: &std::net::TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads one linger struct of the size given, on a socket we own.
    unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}

/// IPv6 addresses with a zone (`[fe80::1%eth0]:443`, `[::1%1]:443`) are
/// accepted and dialled where the system resolver accepts them; the address
/// without its zone is what the certificate is verified against. A zone
/// that is empty or not an interface name is a usage error.
#[test]
fn ipv6_zone_ids_are_accepted_where_the_os_accepts_them() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        util::skip("IPv6 loopback", "this machine has no IPv6 loopback");
        return;
    }
    // SAFETY: if_nametoindex reads a NUL-terminated string.
    let lo = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
    if lo == 0 {
        util::skip("interface lo", "no interface named lo");
        return;
    }
    let dir = Dir::new();
    let served = util::spawn_serve_on(&dir, "[::1]:0", &[]);
    let t = format!("[::1%{lo}]:{}", served.port);
    let r = ok_json(&dir, &["connect", &t, "--pin", &served.pin, "--no-io"]);
    assert_eq!(r["server_name"], "::1", "{r}");
    assert_eq!(r["verification"]["verified"], true, "{r}");
    // pin and bench take the same form.
    let out = dir.run(&["pin", &t]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(&served.pin), "{}", stdout(&out));

    for bad in ["[fe80::1%]:1", "[fe80::1%a/b]:1", "[::1%%1]:1"] {
        let out = dir.run(&["connect", bad]);
        assert_eq!(code(&out), 2, "{bad}: {}", stderr(&out));
    }
}
