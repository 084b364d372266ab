//! `tlskit scan` against real servers: `tlskit serve`, `openssl s_server`
//! configured with legacy versions and suites (checked against what OpenSSL
//! itself says the configuration accepts), a TLS 1.3-only s_server, fake
//! servers that answer garbage or nothing, and a cross-check with sslyze.
//! Loopback only; every server is killed when its test ends.

mod util;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{code, stderr, stdout, Background, Dir};

const WAIT: Duration = Duration::from_secs(20);

/// A test CA, an RSA leaf (what legacy servers have) and an ECDSA leaf for `localhost 127.0.0.1`.
fn pki(dir: &Dir) {
    dir.ok(&["gencert", "--ca", "--cn", "Scan Test CA", "-q"]);
    for (prefix, key) in [("rsa", "rsa2048"), ("ec", "p256")] {
        dir.ok(&[
            "gencert",
            "localhost",
            "127.0.0.1",
            "--key-type",
            key,
            "--issuer",
            "ca.pem",
            "--out",
            prefix,
            "-q",
        ]);
    }
}

/// `openssl s_server` with the RSA leaf on a free port, once it says ACCEPT.
fn openssl_server(dir: &Dir, extra: &[&str]) -> Option<(Background, u16)> {
    if !util::have("openssl") {
        return None;
    }
    let port = util::free_port();
    // Its stderr goes to /dev/null: a scan makes it log an error per refused
    // probe, and a full, unread pipe would stall it.
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir.path())
        .arg("-c")
        .arg("exec openssl s_server \"$@\" 2>/dev/null")
        .arg("s_server")
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .args(["-cert", "rsa.pem", "-key", "rsa-key.pem"])
        .args(extra);
    let server = Background::spawn_stdin_open(cmd);
    for _ in 0..20 {
        if server.line(WAIT).contains("ACCEPT") {
            return Some((server, port));
        }
    }
    panic!("openssl s_server did not say ACCEPT");
}

/// Runs `tlskit scan 127.0.0.1:PORT --servername localhost --ca ca.pem --json EXTRA`.
fn scan(dir: &Dir, port: u16, extra: &[&str]) -> (Value, std::process::Output) {
    let target = format!("127.0.0.1:{port}");
    let mut args = vec![
        "scan",
        target.as_str(),
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = util::run_bounded(dir.tlskit(&args), Duration::from_secs(60));
    let text = stdout(&out);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "scan printed no JSON ({e}); exit {}\nstdout: {text}\nstderr: {}",
            code(&out),
            stderr(&out)
        )
    });
    (json, out)
}

fn accepted_versions(r: &Value) -> BTreeSet<String> {
    r["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .filter(|p| p["accepted"] == true)
        .map(|p| p["version"].as_str().unwrap().to_string())
        .collect()
}

fn suites_of(r: &Value, version: &str) -> Vec<Value> {
    r["cipher_suites"]
        .as_array()
        .expect("cipher_suites")
        .iter()
        .find(|s| s["version"] == version)
        .map(|s| s["suites"].as_array().unwrap().clone())
        .unwrap_or_default()
}

fn suite_ids(r: &Value, version: &str) -> BTreeSet<String> {
    suites_of(r, version)
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn cap_codes(r: &Value) -> Vec<String> {
    r["grade_caps"]
        .as_array()
        .expect("grade_caps")
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

/// The suites OpenSSL says `cipher` enables for one version (`tls1`, `tls1_1`,
/// `tls1_2`), as `0xC02F` ids, less those this server cannot use: it has an
/// RSA certificate and no PSK or SRP configuration.
fn openssl_expects(version_flag: &str, cipher: &str) -> BTreeSet<String> {
    let out = Command::new("openssl")
        .args(["ciphers", "-s", "-V", &format!("-{version_flag}"), cipher])
        .output()
        .expect("openssl ciphers");
    assert!(out.status.success(), "openssl ciphers failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.contains("Au=ECDSA") && !l.contains("Au=DSS") && !l.contains("PSK"))
        .filter(|l| !l.contains("Kx=SRP"))
        .filter_map(|l| l.split_whitespace().next())
        .map(|id| {
            let hex = id.replace("0x", "").replace(',', "");
            format!("0x{}", hex.to_ascii_uppercase())
        })
        .collect()
}

// ---------------------------------------------------------------- tlskit serve

#[test]
fn tlskit_serve_grades_a_plus_with_modern_settings_only() {
    let dir = Dir::new();
    pki(&dir);
    let served = util::spawn_serve(
        &dir,
        &[
            "--cert",
            "ec.pem",
            "--key",
            "ec-key.pem",
            "--alpn",
            "h2,http/1.1",
        ],
    );
    let (r, out) = scan(&dir, served.port, &["--min-grade", "A"]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(
        accepted_versions(&r),
        BTreeSet::from(["TLSv1.2".to_string(), "TLSv1.3".to_string()])
    );
    for v in ["TLSv1.2", "TLSv1.3"] {
        let suites = suites_of(&r, v);
        assert!(!suites.is_empty(), "no suites for {v}");
        for s in &suites {
            assert_eq!(s["strength"], "strong", "{v}: {s}");
            assert_eq!(s["forward_secrecy"], true);
            assert_eq!(s["aead"], true);
        }
    }
    // rustls' TLS 1.3 suites with aws-lc-rs: the two AES-GCM ones and ChaCha20.
    assert_eq!(
        suite_ids(&r, "TLSv1.3"),
        BTreeSet::from(["0x1301".into(), "0x1302".into(), "0x1303".into()])
    );
    let tls13_groups: Vec<&str> = r["groups"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(r["groups"][0]["kind"], "tls13");
    assert!(tls13_groups.contains(&"X25519MLKEM768"), "{tls13_groups:?}");
    assert!(tls13_groups.contains(&"X25519"), "{tls13_groups:?}");
    assert_eq!(r["negotiated"]["protocol"], "TLSv1.3");
    assert_eq!(r["negotiated"]["group"], "X25519MLKEM768");
    assert_eq!(r["certificate"]["verified"], true, "{}", r["certificate"]);
    assert_eq!(r["certificate"]["source"], "handshake");
    assert_eq!(r["alpn"][0]["protocol"], "h2");
    assert_eq!(r["alpn"][0]["accepted"], true);
    assert_eq!(r["alpn"][1]["accepted"], true);
    assert_eq!(r["resumption"]["tls13_tickets"], true);
    assert_eq!(r["client_certificate"]["requested"], false);
    assert_eq!(r["downgrade_protection"]["protected"], true);
    assert_eq!(r["downgrade_protection"]["mechanism"], "tls13_sentinel");
    assert_eq!(r["secure_renegotiation"], true);
    // A client that offers the hybrid gets it, so nothing caps the grade.
    assert_eq!(r["grade"], "A+", "caps: {}", r["grade_caps"]);
    assert!(cap_codes(&r).is_empty(), "{}", r["grade_caps"]);

    // The text report says the same at a glance.
    let out = dir.run(&[
        "scan",
        &served.addr,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--color",
        "never",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("grade:") && l.ends_with(" A+")),
        "{text}"
    );
    assert!(text.contains("X25519MLKEM768 (post-quantum)"), "{text}");
    assert!(text.contains("Certificate verified"), "{text}");

    // --connect-to dials another address and keeps the target's name.
    let out = dir.run(&[
        "scan",
        "localhost:1",
        "--connect-to",
        &served.addr,
        "--ca",
        "ca.pem",
        "--json",
        "-q",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["address"], served.addr.as_str());
    assert_eq!(r["sni"], "localhost");
    assert_eq!(r["certificate"]["verified"], true);
}

#[test]
fn serve_without_a_trusted_chain_is_f_and_min_grade_fails() {
    let dir = Dir::new();
    pki(&dir);
    // The ephemeral self-signed certificate does not chain to ca.pem.
    let served = util::spawn_serve(&dir, &[]);
    let (r, out) = scan(&dir, served.port, &["--min-grade", "B"]);
    assert_eq!(code(&out), 8, "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("below the required B"),
        "{}",
        stderr(&out)
    );
    assert_eq!(r["grade"], "F");
    assert!(cap_codes(&r).contains(&"cert-not-verified".to_string()));
    assert_eq!(r["certificate"]["verified"], false);
    let why = r["certificate"]["verification_error"].as_str().unwrap();
    assert!(why.contains("self-signed"), "{why}");
    // The advice names flags scan has: --ca (the certificate itself) or --pin.
    assert!(why.contains("--ca"), "{why}");
    assert!(why.contains(&format!("--pin {}", served.pin)), "{why}");
    // Without colour the grade is plain text in the value column (the padding
    // is for the coloured badge only).
    let port = served.port.to_string();
    let text = stdout(&dir.run(&["scan", &format!("localhost:{port}"), "-q"]));
    assert!(
        text.contains(&format!("  {:<14} F\n", "grade:")),
        "{text:?}"
    );
}

/// A leaf whose issuer the server does not send and the client does not trust:
/// the reason names both causes, a missing intermediate first.
#[test]
fn an_issuer_neither_sent_nor_trusted_is_explained_as_a_possible_missing_intermediate() {
    let dir = Dir::new();
    pki(&dir);
    dir.ok(&[
        "gencert", "--ca", "--out", "other", "--cn", "Other CA", "-q",
    ]);
    let served = util::spawn_serve(&dir, &["--cert", "ec.pem", "--key", "ec-key.pem"]);
    let target = format!("127.0.0.1:{}", served.port);
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &target,
            "--servername",
            "localhost",
            "--ca",
            "other.pem",
            "--json",
        ]),
        Duration::from_secs(60),
    );
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let why = r["certificate"]["verification_error"].as_str().unwrap();
    assert!(why.contains("CN=Scan Test CA"), "{why}");
    assert!(why.contains("the server did not send it"), "{why}");
    assert!(why.contains("intermediate"), "{why}");
    assert!(why.contains("--ca FILE"), "{why}");
}

// ---------------------------------------------------------------- openssl s_server

const LEGACY_CIPHERS: &str = "ALL:@SECLEVEL=0";

/// A server accepting TLS 1.0 to 1.2 and every suite OpenSSL 3.0 still has.
fn legacy_server(dir: &Dir) -> Option<(Background, u16)> {
    openssl_server(
        dir,
        &[
            "-cipher",
            LEGACY_CIPHERS,
            "-min_protocol",
            "TLSv1",
            "-max_protocol",
            "TLSv1.2",
        ],
    )
}

#[test]
fn legacy_openssl_server_exact_versions_suites_and_grade() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = legacy_server(&dir) else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--min-grade", "C"]);
    assert_eq!(code(&out), 8, "stderr: {}", stderr(&out));
    assert_eq!(
        accepted_versions(&r),
        BTreeSet::from(["TLSv1.0".into(), "TLSv1.1".into(), "TLSv1.2".into()])
    );
    for (version, flag) in [
        ("TLSv1.0", "tls1"),
        ("TLSv1.1", "tls1_1"),
        ("TLSv1.2", "tls1_2"),
    ] {
        let expected = openssl_expects(flag, LEGACY_CIPHERS);
        assert!(expected.len() > 10, "{flag}: {expected:?}");
        assert_eq!(suite_ids(&r, version), expected, "{version}");
    }
    assert!(suites_of(&r, "TLSv1.3").is_empty());
    // Anonymous DH is in ALL at security level 0: that alone is an F.
    assert_eq!(r["grade"], "F");
    let caps = cap_codes(&r);
    for c in [
        "insecure-suite",
        "tls10",
        "tls11",
        "no-forward-secrecy",
        "no-tls13",
        "cbc",
    ] {
        assert!(caps.contains(&c.to_string()), "missing cap {c}: {caps:?}");
    }
    assert!(!caps.contains(&"no-modern-tls".to_string()));
    // DHE parameters are sized per suite; the ECDHE curves come from ServerKeyExchange.
    let dhe = suites_of(&r, "TLSv1.2")
        .into_iter()
        .find(|s| s["name"] == "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256")
        .expect("DHE suite");
    assert!(dhe["dh_bits"].as_u64().unwrap() >= 2048, "{dhe}");
    let ecdhe = &r["groups"][0];
    assert_eq!(ecdhe["kind"], "ecdhe");
    let curves: BTreeSet<&str> = ecdhe["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        curves,
        BTreeSet::from(["X25519", "X448", "secp256r1", "secp384r1", "secp521r1"])
    );
    assert_eq!(r["secure_renegotiation"], true);
    assert_eq!(r["compression"], false);
    assert_eq!(r["downgrade_protection"]["mechanism"], "fallback_scsv");
    assert_eq!(r["downgrade_protection"]["protected"], true);
    assert_eq!(r["negotiated"]["protocol"], "TLSv1.2");
    assert_eq!(r["certificate"]["verified"], true);
    assert_eq!(r["resumption"]["tls12_session_ids"], true);
}

#[test]
fn tls10_and_11_only_server_in_server_order() {
    let dir = Dir::new();
    pki(&dir);
    let order = "ECDHE-RSA-AES256-SHA:AES128-SHA:DHE-RSA-AES256-SHA:@SECLEVEL=0";
    let Some((_server, port)) = openssl_server(
        &dir,
        &[
            "-cipher",
            order,
            "-serverpref",
            "-min_protocol",
            "TLSv1",
            "-max_protocol",
            "TLSv1.1",
        ],
    ) else {
        return;
    };
    let (r, out) = scan(&dir, port, &[]);
    // No --min-grade: an F is reported, not an error.
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(
        accepted_versions(&r),
        BTreeSet::from(["TLSv1.0".into(), "TLSv1.1".into()])
    );
    for v in ["TLSv1.0", "TLSv1.1"] {
        let names: Vec<String> = suites_of(&r, v)
            .iter()
            .map(|s| s["openssl_name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            vec!["ECDHE-RSA-AES256-SHA", "AES128-SHA", "DHE-RSA-AES256-SHA"],
            "{v}"
        );
        let section = r["cipher_suites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["version"] == v)
            .unwrap();
        assert_eq!(section["server_preference"], true);
    }
    assert_eq!(r["grade"], "F");
    assert!(cap_codes(&r).contains(&"no-modern-tls".to_string()));
    // rustls cannot speak to it, but the chain still comes (and verifies) from a probe.
    assert_eq!(r["negotiated"], Value::Null);
    assert_eq!(r["certificate"]["source"], "probe");
    assert_eq!(r["certificate"]["verified"], true);
    let tls12 = r["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == "TLSv1.2")
        .unwrap();
    assert_eq!(tls12["accepted"], false);
    assert!(
        tls12["detail"].as_str().unwrap().contains("TLSv1.1"),
        "{tls12}"
    );
}

#[test]
fn tls13_only_openssl_server() {
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = openssl_server(
        &dir,
        &[
            "-tls1_3",
            "-ciphersuites",
            "TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
            "-groups",
            "secp384r1:X25519",
            "-serverpref",
        ],
    ) else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--min-grade", "A+"]);
    assert_eq!(code(&out), 8, "stderr: {}", stderr(&out));
    assert_eq!(accepted_versions(&r), BTreeSet::from(["TLSv1.3".into()]));
    let names: Vec<&str> = suites_of(&r, "TLSv1.3")
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|s| match s {
            "TLS_CHACHA20_POLY1305_SHA256" => "chacha",
            "TLS_AES_128_GCM_SHA256" => "aes128",
            _ => "other",
        })
        .collect();
    assert_eq!(names, vec!["chacha", "aes128"]);
    let groups: Vec<&str> = r["groups"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, vec!["secp384r1", "X25519"]);
    assert_eq!(r["groups"][0]["server_preference"], true);
    assert_eq!(r["groups"][0]["preferred"], "secp384r1");
    // Everything right but no post-quantum group: A, and only that reason.
    assert_eq!(r["grade"], "A");
    assert_eq!(cap_codes(&r), vec!["no-pq".to_string()]);
    assert_eq!(r["resumption"]["tls13_tickets"], true);
}

// ---------------------------------------------------------------- sslyze

/// sslyze from PyPI, in the virtualenv `.ci/run` makes (`target/sslyze-venv`), or `$SSLYZE`.
fn sslyze() -> Option<PathBuf> {
    let path = std::env::var_os("SSLYZE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/sslyze-venv/bin/sslyze")
        });
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("sslyze is missing under CI=true: .ci/run must install it into target/sslyze-venv");
    }
    util::skip("sslyze is not installed (python3 -m venv target/sslyze-venv && target/sslyze-venv/bin/pip install sslyze)");
    None
}

#[test]
fn sslyze_agrees_on_versions_and_suites() {
    let Some(sslyze) = sslyze() else { return };
    let dir = Dir::new();
    pki(&dir);
    let Some((_server, port)) = legacy_server(&dir) else {
        return;
    };
    let (r, out) = scan(&dir, port, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let mut cmd = Command::new(&sslyze);
    cmd.current_dir(dir.path()).args([
        "--sni",
        "localhost",
        "--sslv3",
        "--tlsv1",
        "--tlsv1_1",
        "--tlsv1_2",
        "--tlsv1_3",
        "--elliptic_curves",
        "--mozilla_config",
        "disable",
        "--json_out=sslyze.json",
        &format!("127.0.0.1:{port}"),
    ]);
    let out = util::run_bounded(cmd, Duration::from_secs(120));
    assert_eq!(code(&out), 0, "sslyze failed: {}", stderr(&out));
    let report: Value = serde_json::from_str(&dir.read("sslyze.json")).expect("sslyze JSON");
    let result = &report["server_scan_results"][0]["scan_result"];
    let names = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["cipher_suite"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mut compared = 0;
    for (key, version) in [
        ("ssl_3_0_cipher_suites", "SSLv3"),
        ("tls_1_0_cipher_suites", "TLSv1.0"),
        ("tls_1_1_cipher_suites", "TLSv1.1"),
        ("tls_1_2_cipher_suites", "TLSv1.2"),
        ("tls_1_3_cipher_suites", "TLSv1.3"),
    ] {
        let res = &result[key]["result"];
        assert_eq!(result[key]["status"], "COMPLETED", "{key}");
        let theirs = names(&res["accepted_cipher_suites"]);
        let rejected = names(&res["rejected_cipher_suites"]);
        let ours: BTreeSet<String> = suites_of(&r, version)
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect();
        // Both accept the version, or neither does.
        assert_eq!(
            !theirs.is_empty(),
            accepted_versions(&r).contains(version),
            "{version}"
        );
        // Every suite sslyze found accepted, tlskit found too…
        let missed: Vec<_> = theirs.difference(&ours).collect();
        assert!(missed.is_empty(), "{version}: tlskit missed {missed:?}");
        // …and every suite tlskit found was either accepted by sslyze or not tried by it.
        let contradicted: Vec<_> = ours.intersection(&rejected).collect();
        assert!(
            contradicted.is_empty(),
            "{version}: sslyze says these were rejected: {contradicted:?}"
        );
        compared += theirs.len();
    }
    assert!(compared > 50, "only {compared} suites compared");
    let curves: BTreeSet<String> = result["elliptic_curves"]["result"]["supported_curves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let ours: BTreeSet<String> = r["groups"][0]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(curves, ours);
}

// ---------------------------------------------------------------- fake servers

/// How a fake server answers each connection.
#[derive(Clone, Copy)]
enum Fake {
    /// Accepts and says nothing, holding the connection open.
    Silent,
    /// Reads the ClientHello and closes.
    Close,
    /// Sends these bytes and closes.
    Bytes(&'static [u8]),
    /// Sends these bytes and then holds the connection open.
    BytesThenHang(&'static [u8]),
    /// Holds each connection that sent something for 100 ms, then closes it.
    SlowClose,
}

/// A fake server on a loopback port, stopped (with its connections) on drop.
struct FakeServer {
    port: u16,
    stop: Arc<AtomicBool>,
    /// The most connections that had sent a ClientHello and were open at once.
    peak: Arc<std::sync::Mutex<(usize, usize)>>,
}

impl FakeServer {
    fn start(mode: Fake) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let peak = Arc::new(std::sync::Mutex::new((0usize, 0usize)));
        let counts = peak.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut accepted = 0;
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline && accepted < 500 {
                match listener.accept() {
                    Ok((sock, _)) => {
                        accepted += 1;
                        let flag = flag.clone();
                        let counts = counts.clone();
                        std::thread::spawn(move || serve_fake(sock, mode, &flag, &counts));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeServer { port, stop, peak }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve_fake(
    mut sock: TcpStream,
    mode: Fake,
    stop: &AtomicBool,
    counts: &std::sync::Mutex<(usize, usize)>,
) {
    let _ = sock.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    let got = sock.read(&mut buf).unwrap_or(0);
    let hang = |sock: &TcpStream| {
        let limit = Instant::now() + Duration::from_secs(30);
        while !stop.load(Ordering::Relaxed) && Instant::now() < limit {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = sock.shutdown(std::net::Shutdown::Both);
    };
    match mode {
        Fake::Silent => hang(&sock),
        Fake::Close => {}
        Fake::Bytes(b) => {
            let _ = sock.write_all(b);
        }
        Fake::BytesThenHang(b) => {
            let _ = sock.write_all(b);
            hang(&sock);
        }
        Fake::SlowClose if got > 0 => {
            {
                let mut c = counts.lock().unwrap();
                c.0 += 1;
                c.1 = c.1.max(c.0);
            }
            std::thread::sleep(Duration::from_millis(100));
            counts.lock().unwrap().0 -= 1;
        }
        Fake::SlowClose => {}
    }
}

/// The start of a real TLS 1.2 ServerHello record, cut short.
const TRUNCATED_HELLO: &[u8] = &[
    0x16, 0x03, 0x03, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03, 0x03, 0x11, 0x22, 0x33,
];

/// A complete record holding a ServerHello whose inner lengths lie.
const MALFORMED_HELLO: &[u8] = &[
    0x16, 0x03, 0x03, 0x00, 0x0a, 0x02, 0x00, 0x00, 0x06, 0x03, 0x03, 0xff, 0xff, 0xff, 0xff,
];

fn scan_fake(mode: Fake) -> (Value, std::process::Output, Duration) {
    let dir = Dir::new();
    let server = FakeServer::start(mode);
    let target = format!("127.0.0.1:{}", server.port);
    let started = Instant::now();
    let out = util::run_bounded(
        dir.tlskit(&["scan", &target, "--timeout", "1", "--json"]),
        Duration::from_secs(30),
    );
    let took = started.elapsed();
    let text = stdout(&out);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): exit {}\nstdout: {text}\nstderr: {}",
            code(&out),
            stderr(&out)
        )
    });
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    for p in json["protocols"].as_array().unwrap() {
        assert_ne!(p["accepted"], true, "{p}");
    }
    assert_eq!(json["grade"], "F");
    (json, out, took)
}

fn details(r: &Value) -> String {
    r["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["detail"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn probes_in_flight_are_bounded_by_concurrency() {
    for (flag, limit) in [(None, 4), (Some("2"), 2)] {
        let dir = Dir::new();
        let server = FakeServer::start(Fake::SlowClose);
        let target = format!("127.0.0.1:{}", server.port);
        let mut args = vec!["scan", target.as_str(), "--timeout", "2", "--json"];
        if let Some(n) = flag {
            args.extend(["--concurrency", n]);
        }
        let out = util::run_bounded(dir.tlskit(&args), Duration::from_secs(30));
        assert_eq!(code(&out), 4, "{}", stderr(&out));
        // Five version probes and a handshake all want to go at once: the limit is reached, never passed.
        assert_eq!(
            server.peak.lock().unwrap().1,
            limit,
            "--concurrency {flag:?}"
        );
    }
}

#[test]
fn fake_server_that_never_answers() {
    let (r, out, took) = scan_fake(Fake::Silent);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no probe got an answer"),
        "{}",
        stderr(&out)
    );
    assert!(
        details(&r).contains("no answer before the timeout"),
        "{}",
        details(&r)
    );
    // Bounded by the per-probe timeout, not hanging (the harness allows 30 s).
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn fake_server_that_closes_at_once() {
    let (r, out, _) = scan_fake(Fake::Close);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        details(&r).contains("closed without an answer"),
        "{}",
        details(&r)
    );
}

#[test]
fn fake_server_with_truncated_or_malformed_hellos() {
    let (r, out, _) = scan_fake(Fake::Bytes(TRUNCATED_HELLO));
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        details(&r).contains("closed inside a record"),
        "{}",
        details(&r)
    );

    let (r, out, _) = scan_fake(Fake::BytesThenHang(TRUNCATED_HELLO));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        details(&r).contains("no answer before the timeout"),
        "{}",
        details(&r)
    );

    let (r, out, _) = scan_fake(Fake::Bytes(MALFORMED_HELLO));
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(details(&r).contains("malformed answer"), "{}", details(&r));
}

#[test]
fn fake_servers_that_speak_something_else() {
    let (r, out, _) = scan_fake(Fake::Bytes(b"HTTP/1.1 400 Bad Request\r\n\r\n"));
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        details(&r).contains("plain text: 'HTTP/1.1 400"),
        "{}",
        details(&r)
    );

    // An SSL 2.0 SERVER-HELLO header.
    let (r, out, _) = scan_fake(Fake::Bytes(&[0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02]));
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(details(&r).contains("SSL 2.0"), "{}", details(&r));

    // Random-looking bytes, with an escape sequence that must not reach a terminal raw.
    let (r, out, _) = scan_fake(Fake::BytesThenHang(b"\x1b[2J\x07\x00\xfe garbage"));
    assert_ne!(code(&out), 0);
    assert!(!stdout(&out).contains('\x1b'));
    assert!(details(&r).contains("not a TLS answer"), "{}", details(&r));
}

// ---------------------------------------------------------------- usage and network errors

#[test]
fn usage_and_network_errors() {
    let dir = Dir::new();
    let out = dir.run(&["scan", "127.0.0.1:1", "--min-grade", "E"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not a grade"), "{}", stderr(&out));

    let port = util::free_port();
    let out = dir.run(&["scan", &format!("127.0.0.1:{port}"), "--timeout", "2"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot connect"), "{}", stderr(&out));
    // Worded as connect words it.
    assert!(
        stderr(&out).contains("nothing listens on that port"),
        "{}",
        stderr(&out)
    );
    // With --json, scripts get a JSON document with the error, as from connect.
    let target = format!("127.0.0.1:{port}");
    let out = dir.run(&["scan", &target, "--timeout", "2", "--json"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("no JSON ({e}): {:?}", stdout(&out)));
    assert_eq!(r["target"], target.as_str());
    assert_eq!(r["error"]["exit_code"], 3, "{r}");
    assert_eq!(r["error"]["stage"], "connect", "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cannot connect")),
        "{r}"
    );

    let out = dir.run(&["scan", "host:99999"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

// ---------------------------------------------------------------- STARTTLS

/// A Python SMTP server that upgrades with STARTTLS (Python's default server
/// context), one thread per connection; prints its port first.
const SMTP_SERVER: &str = r#"
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
print(srv.getsockname()[1], flush=True)
def handle(c):
    try:
        c.settimeout(10)
        f = c.makefile("rb")
        c.sendall(b"220 fake.test ESMTP ready\r\n")
        f.readline()
        c.sendall(b"250-fake.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        if not f.readline().upper().startswith(b"STARTTLS"):
            return
        c.sendall(b"220 2.0.0 go ahead\r\n")
        t = ctx.wrap_socket(c, server_side=True)
        t.recv(1)
    except Exception:
        pass
    finally:
        c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
"#;

#[test]
fn starttls_smtp_server_is_scanned_through_its_preamble() {
    if !util::have("python3") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir.path())
        .args(["-c", SMTP_SERVER, "ec.pem", "ec-key.pem"]);
    let server = Background::spawn(cmd);
    let port: u16 = server.line(WAIT).trim().parse().expect("port");
    let (r, out) = scan(&dir, port, &["--starttls", "smtp"]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(r["starttls"], "smtp");
    assert_eq!(
        accepted_versions(&r),
        BTreeSet::from(["TLSv1.2".into(), "TLSv1.3".into()])
    );
    assert!(
        suite_ids(&r, "TLSv1.2").contains("0xC02B"),
        "{}",
        r["cipher_suites"]
    );
    assert_eq!(r["certificate"]["verified"], true);
    assert_eq!(r["negotiated"]["protocol"], "TLSv1.3");
}

/// The advice for serve's ephemeral certificate runs as printed: `scan --pin`
/// with the pin serve prints vouches for it as `connect --pin` does, so the
/// default serve is graded on its merits (it could never get above F); a pin
/// that matches nothing leaves it not verified, with every probe still run.
#[test]
fn a_pin_vouches_for_the_certificate_as_in_connect() {
    let dir = Dir::new();
    pki(&dir);
    let served = util::spawn_serve(&dir, &[]);
    let (r, out) = scan(&dir, served.port, &["--pin", &served.pin]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(r["certificate"]["verified"], true, "{r:#}");
    assert_eq!(r["certificate"]["trusted_by_pin"], true, "{r:#}");
    assert!(
        !cap_codes(&r).contains(&"cert-not-verified".to_string()),
        "{r:#}"
    );
    assert_ne!(r["grade"], "F", "{r:#}");

    let wrong = format!("sha256//{}", "A".repeat(43) + "=");
    let (r, out) = scan(&dir, served.port, &["--pin", &wrong]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(r["certificate"]["verified"], false, "{r:#}");
    assert_eq!(r["grade"], "F", "{r:#}");
    let why = r["certificate"]["verification_error"].as_str().unwrap();
    assert!(why.contains("matches the pin"), "{why}");
    assert!(accepted_versions(&r).contains("TLSv1.3"), "{r:#}");
}
