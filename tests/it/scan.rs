//! `tlskit scan` against real servers: `tlskit serve`, `openssl s_server`
//! configured with legacy versions and suites (checked against what OpenSSL
//! itself says the configuration accepts), a TLS 1.3-only s_server, fake
//! servers that answer garbage or nothing, and a cross-check with sslyze.
//! Loopback only; every server is killed when its test ends.

use crate::util;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::util::{assert_exit, code, stderr, stdout, Background, Dir};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

/// An RSA leaf (what legacy servers have) and an ECDSA leaf for `localhost 127.0.0.1`.
const LEAVES: &[(&str, &[&str])] = &[
    ("rsa", &["localhost", "127.0.0.1", "--key-type", "rsa2048"]),
    ("ec", &["localhost", "127.0.0.1", "--key-type", "p256"]),
];

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
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
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
    assert_exit(&out, 0);
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
    let out = dir.exits(
        &[
            "scan",
            &served.addr,
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
            "--color",
            "never",
        ],
        0,
    );
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("grade:") && l.ends_with(" A+")),
        "{text}"
    );
    assert!(text.contains("X25519MLKEM768 (post-quantum)"), "{text}");
    assert!(text.contains("Certificate verified"), "{text}");

    // --connect-to dials another address and keeps the target's name.
    let out = dir.exits(
        &[
            "scan",
            "localhost:1",
            "--connect-to",
            &served.addr,
            "--ca",
            "ca.pem",
            "--json",
            "-q",
        ],
        0,
    );
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["address"], served.addr.as_str());
    assert_eq!(r["sni"], "localhost");
    assert_eq!(r["certificate"]["verified"], true);
}

#[test]
fn serve_without_a_trusted_chain_is_f_and_min_grade_fails() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    // The ephemeral self-signed certificate does not chain to ca.pem.
    let served = util::spawn_serve(&dir, &[]);
    let (r, out) = scan(&dir, served.port, &["--min-grade", "B"]);
    assert_exit(&out, 8);
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
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
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
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let Some((_server, port)) = legacy_server(&dir) else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--min-grade", "C"]);
    assert_exit(&out, 8);
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
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
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
    assert_exit(&out, 0);
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
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
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
    assert_exit(&out, 8);
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
    match std::env::var_os("SSLYZE") {
        Some(path) => Some(PathBuf::from(path)),
        None => util::venv_bin("sslyze"),
    }
}

#[test]
fn sslyze_agrees_on_versions_and_suites() {
    let Some(sslyze) = sslyze() else { return };
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let Some((_server, port)) = legacy_server(&dir) else {
        return;
    };
    let (r, out) = scan(&dir, port, &[]);
    assert_exit(&out, 0);

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
    /// An SMTP server that offers no STARTTLS.
    SmtpWithoutStarttls,
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
    if let Fake::SmtpWithoutStarttls = mode {
        let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = sock.write_all(b"220 fake.test ESMTP\r\n");
        let _ = sock.read(&mut buf);
        let _ = sock.write_all(b"250-fake.test\r\n250 PIPELINING\r\n");
        let _ = sock.read(&mut buf);
        let _ = sock.write_all(b"502 5.5.1 no\r\n");
        return;
    }
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
        Fake::SlowClose | Fake::SmtpWithoutStarttls => {}
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
    // No grade for a server that never spoke TLS: the cause, and what each probe got.
    assert!(json.get("grade").is_none(), "{json}");
    assert_eq!(json["error"]["stage"], "probe", "{json}");
    assert_eq!(json["error"]["exit_code"], code(&out), "{json}");
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
        assert_exit(&out, 4);
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
    assert_exit(&out, 3);
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
    assert_exit(&out, 4);
    assert!(
        details(&r).contains("closed without an answer"),
        "{}",
        details(&r)
    );
}

#[test]
fn fake_server_with_truncated_or_malformed_hellos() {
    let (r, out, _) = scan_fake(Fake::Bytes(TRUNCATED_HELLO));
    assert_exit(&out, 4);
    assert!(
        details(&r).contains("closed inside a record"),
        "{}",
        details(&r)
    );

    let (r, out, _) = scan_fake(Fake::BytesThenHang(TRUNCATED_HELLO));
    assert_exit(&out, 3);
    assert!(
        details(&r).contains("no answer before the timeout"),
        "{}",
        details(&r)
    );

    let (r, out, _) = scan_fake(Fake::Bytes(MALFORMED_HELLO));
    assert_exit(&out, 4);
    assert!(details(&r).contains("malformed answer"), "{}", details(&r));
}

#[test]
fn fake_servers_that_speak_something_else() {
    let (r, out, _) = scan_fake(Fake::Bytes(b"HTTP/1.1 400 Bad Request\r\n\r\n"));
    assert_exit(&out, 4);
    assert!(
        details(&r).contains("plain text: 'HTTP/1.1 400"),
        "{}",
        details(&r)
    );

    // An SSL 2.0 SERVER-HELLO header.
    let (r, out, _) = scan_fake(Fake::Bytes(&[0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02]));
    assert_exit(&out, 4);
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
    dir.expect(
        &["scan", "127.0.0.1:1", "--min-grade", "E"],
        2,
        "",
        "tlskit: error: --min-grade: 'E' is not a grade: use A+, A, A-, B, C, D or F \
         (see 'tlskit scan --help')\n",
    );

    let port = util::free_port();
    // Worded as connect words it.
    dir.expect(
        &["scan", &format!("127.0.0.1:{port}"), "--timeout", "2"],
        3,
        "",
        "tlskit: error: cannot connect to 127.0.0.1:<port>: connection refused (nothing listens \
         on that port)\n",
    );
    // With --json, scripts get a JSON document with the error, as from connect.
    let target = format!("127.0.0.1:{port}");
    let out = dir.exits(&["scan", &target, "--timeout", "2", "--json"], 3);
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

    dir.expect(
        &["scan", "host:99999"],
        2,
        "",
        "tlskit: error: 'host:99999': port 99999 is out of range (1-65535)\n",
    );
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
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir.path())
        .args(["-c", SMTP_SERVER, "ec.pem", "ec-key.pem"]);
    let server = Background::spawn(cmd);
    let port: u16 = server.line(WAIT).trim().parse().expect("port");
    let (r, out) = scan(&dir, port, &["--starttls", "smtp"]);
    assert_exit(&out, 0);
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

// ---------------------------------------------------------------- accuracy

/// `openssl s_server` on a free port with `cert_args` for its certificates.
fn openssl_server_with(dir: &Dir, cert_args: &[&str]) -> Option<(Background, u16)> {
    openssl_server_on(dir, util::free_port(), cert_args)
}

/// `openssl s_server` on `port`.
fn openssl_server_on(dir: &Dir, port: u16, cert_args: &[&str]) -> Option<(Background, u16)> {
    if !util::have("openssl") {
        return None;
    }
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir.path())
        .arg("-c")
        .arg("exec openssl s_server \"$@\" 2>/dev/null")
        .arg("s_server")
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .args(cert_args);
    let server = Background::spawn_stdin_open(cmd);
    for _ in 0..20 {
        if server.line(WAIT).contains("ACCEPT") {
            return Some((server, port));
        }
    }
    panic!("openssl s_server did not say ACCEPT");
}

fn group_names(r: &Value, kind: &str) -> BTreeSet<String> {
    r["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .filter(|g| g["kind"] == kind)
        .flat_map(|g| g["groups"].as_array().unwrap().clone())
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_server_with_rsa_and_ecdsa_certificates_shows_both() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let Some((_server, port)) = openssl_server_with(
        &dir,
        &[
            "-cert",
            "rsa.pem",
            "-key",
            "rsa-key.pem",
            "-dcert",
            "ec.pem",
            "-dkey",
            "ec-key.pem",
        ],
    ) else {
        return;
    };
    let (r, out) = scan(&dir, port, &[]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    let mut kinds = vec![r["certificate"]["key_kind"].as_str().unwrap().to_string()];
    for c in r["additional_certificates"].as_array().unwrap() {
        assert_eq!(c["verified"], true, "{c}");
        kinds.push(c["key_kind"].as_str().unwrap().to_string());
    }
    kinds.sort();
    assert_eq!(kinds, ["ecdsa", "rsa"], "{}", r["additional_certificates"]);

    // The text shows each, titled by its key.
    let target = format!("127.0.0.1:{port}");
    let text = dir.ok(&[
        "scan",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--color",
        "never",
    ]);
    assert!(text.contains("Certificate (ECDSA) verified"), "{text}");
    assert!(text.contains("Certificate (RSA) verified"), "{text}");
    assert!(text.contains("key:           RSA 2048 bits"), "{text}");
}

#[test]
fn a_server_with_one_certificate_shows_one() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let Some((_server, port)) =
        openssl_server_with(&dir, &["-cert", "ec.pem", "-key", "ec-key.pem"])
    else {
        return;
    };
    let (r, out) = scan(&dir, port, &[]);
    assert_eq!(code(&out), 0, "stderr: {}", stderr(&out));
    assert_eq!(r["certificate"]["key_kind"], "ecdsa");
    assert_eq!(r["additional_certificates"], serde_json::json!([]));
    // Every TLS 1.2 curve OpenSSL enables is found, although the P-256
    // certificate needs P-256 offered for the server to sign.
    assert_eq!(
        group_names(&r, "ecdhe"),
        BTreeSet::from(["X25519", "X448", "secp256r1", "secp384r1", "secp521r1"].map(String::from)),
        "{}",
        r["groups"]
    );
}

/// The CA, a good ECDSA leaf for localhost (`ec`), and RSA leaves for it:
/// `rsa` (good), `rsa-expired` (expired 30 days ago), and for api.test
/// `api-ec` (good ECDSA) and `api-rsa-self` (self-signed RSA, so untrusted).
fn dual_pki(dir: &Dir) {
    util::pki(
        dir,
        Some("Scan Test CA"),
        &[
            ("ec", &["localhost", "127.0.0.1", "--key-type", "p256"]),
            ("rsa", &["localhost", "127.0.0.1", "--key-type", "rsa2048"]),
            (
                "rsa-expired",
                &[
                    "localhost",
                    "127.0.0.1",
                    "--key-type",
                    "rsa2048",
                    "--not-before",
                    "-40d",
                    "--days",
                    "10",
                ],
            ),
            ("api-ec", &["api.test", "--key-type", "p256"]),
        ],
    );
    dir.ok(&[
        "gencert",
        "api.test",
        "--key-type",
        "rsa2048",
        "--out",
        "api-rsa-self",
        "-q",
    ]);
}

/// `openssl s_server` serving the ECDSA `ec` leaf and `rsa` (a PREFIX as
/// `dual_pki` makes them) as its second certificate.
fn dual_server(dir: &Dir, rsa: &str) -> Option<(Background, u16)> {
    let (cert, key) = (format!("{rsa}.pem"), format!("{rsa}-key.pem"));
    openssl_server_with(
        dir,
        &[
            "-cert",
            "ec.pem",
            "-key",
            "ec-key.pem",
            "-dcert",
            &cert,
            "-dkey",
            &key,
        ],
    )
}

/// The caps of a scan report about an additional certificate, as (grade, code, key_kind, reason).
fn additional_caps(r: &Value) -> Vec<(String, String, String, String)> {
    r["grade_caps"]
        .as_array()
        .expect("grade_caps")
        .iter()
        .filter(|c| c.get("key_kind").is_some())
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("grade"), s("code"), s("key_kind"), s("reason"))
        })
        .collect()
}

#[test]
fn an_expired_rsa_certificate_beside_a_good_ecdsa_one_caps_the_grade_naming_it() {
    let dir = Dir::new();
    dual_pki(&dir);
    let Some((_server, port)) = dual_server(&dir, "rsa-expired") else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--min-grade", "B"]);
    // The main handshake gets the good ECDSA certificate; the RSA one is found
    // by offering only RSA signature schemes, and it is expired.
    assert_eq!(r["certificate"]["key_kind"], "ecdsa", "{r:#}");
    assert_eq!(r["certificate"]["verified"], true, "{r:#}");
    assert_eq!(r["additional_certificates"][0]["key_kind"], "rsa", "{r:#}");
    assert_eq!(r["additional_certificates"][0]["verified"], false, "{r:#}");
    assert_exit(&out, 8);
    assert_eq!(r["grade"], "F", "{r:#}");
    let caps = additional_caps(&r);
    assert_eq!(caps.len(), 1, "{caps:?}");
    let (grade, code_, kind, reason) = &caps[0];
    assert_eq!(
        (&grade[..], &code_[..], &kind[..]),
        ("F", "cert-not-verified", "rsa")
    );
    assert!(
        reason.starts_with(
            "the RSA certificate does not verify: the server's certificate expired on "
        ),
        "{reason}"
    );
    // No other cap is about a certificate: the ECDSA one is fine.
    let others: Vec<&Value> = r["grade_caps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("key_kind").is_none())
        .filter(|c| c["grade"] == "F")
        .collect();
    assert!(others.is_empty(), "{others:?}");

    // The text form says why, right under the grade, and exits 8 as well.
    let target = format!("127.0.0.1:{port}");
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &target,
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
            "--min-grade",
            "B",
            "--color",
            "never",
            "-q",
        ]),
        Duration::from_secs(60),
    );
    assert_exit(&out, 8);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "  grade:         F", "{text}");
    assert!(
        lines[2].starts_with(
            "    F  the RSA certificate does not verify: the server's certificate expired on "
        ),
        "{text}"
    );
}

#[test]
fn a_server_whose_two_certificates_are_fine_keeps_its_grade() {
    let dir = Dir::new();
    dual_pki(&dir);
    let Some((_server, port)) = dual_server(&dir, "rsa") else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(r["additional_certificates"][0]["key_kind"], "rsa", "{r:#}");
    assert_eq!(r["additional_certificates"][0]["verified"], true, "{r:#}");
    assert!(additional_caps(&r).is_empty(), "{}", r["grade_caps"]);
    let cert_caps: Vec<&Value> = r["grade_caps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"].as_str().is_some_and(|c| c.starts_with("cert")))
        .collect();
    assert!(cert_caps.is_empty(), "{cert_caps:?}");
    assert_ne!(r["grade"], "F", "{r:#}");
}

#[test]
fn an_untrusted_rsa_certificate_behind_an_sni_name_caps_naming_the_name_and_the_key() {
    let dir = Dir::new();
    dual_pki(&dir);
    // localhost gets the ECDSA leaf; any other name gets api.test's good
    // ECDSA leaf and its self-signed RSA one.
    let Some((_server, port)) = openssl_server_with(
        &dir,
        &[
            "-cert",
            "api-ec.pem",
            "-key",
            "api-ec-key.pem",
            "-dcert",
            "api-rsa-self.pem",
            "-dkey",
            "api-rsa-self-key.pem",
            "-servername",
            "localhost",
            "-cert2",
            "ec.pem",
            "-key2",
            "ec-key.pem",
        ],
    ) else {
        return;
    };
    let (plain, out) = scan(&dir, port, &["--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(additional_caps(&plain).is_empty(), "{plain:#}");

    let (r, out) = scan(&dir, port, &["--sni", "api.test", "--min-grade", "B"]);
    let named = &r["certificates_by_name"][0];
    assert_eq!(named["certificate"]["key_kind"], "ecdsa", "{named:#}");
    assert_eq!(named["certificate"]["verified"], true, "{named:#}");
    assert_eq!(
        named["additional_certificates"][0]["key_kind"], "rsa",
        "{named:#}"
    );
    assert_exit(&out, 8);
    assert_eq!(r["grade"], "F", "{r:#}");
    let caps = additional_caps(&r);
    assert_eq!(caps.len(), 1, "{caps:?}");
    let (grade, code_, kind, reason) = &caps[0];
    assert_eq!(
        (&grade[..], &code_[..], &kind[..]),
        ("F", "cert-not-verified", "rsa")
    );
    assert!(
        reason.starts_with("the RSA certificate for api.test does not verify: "),
        "{reason}"
    );
    assert_eq!(
        named_caps(&r)
            .into_iter()
            .map(|(_, c, sni, _)| (c, sni))
            .collect::<Vec<_>>(),
        [("cert-not-verified".to_string(), "api.test".to_string())]
    );
}

#[test]
fn a_target_that_is_not_tls_gets_its_cause_and_no_grade() {
    for (mode, said) in [
        (
            Fake::Bytes(b"HTTP/1.1 400 Bad Request\r\n\r\n"),
            "plain text: 'HTTP/1.1 400",
        ),
        (
            Fake::BytesThenHang(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"),
            "SSH-2.0-OpenSSH",
        ),
        (Fake::Silent, "no probe got an answer"),
    ] {
        let dir = Dir::new();
        let server = FakeServer::start(mode);
        let target = format!("127.0.0.1:{}", server.port);
        let out = util::run_bounded(
            dir.tlskit(&["scan", &target, "--timeout", "1", "--color", "never"]),
            Duration::from_secs(30),
        );
        assert!(matches!(code(&out), 3 | 4), "{}", stderr(&out));
        assert_eq!(stdout(&out), "", "no report for {said}");
        let err = stderr(&out);
        assert!(err.starts_with("tlskit: error: "), "{err}");
        assert!(err.contains(said), "{err}");
        assert!(!err.contains("grade:") && !err.contains("grade F"), "{err}");
    }
}

#[test]
fn starttls_refused_exits_4_and_quotes_the_server() {
    let dir = Dir::new();
    let smtp = FakeServer::start(Fake::SmtpWithoutStarttls);
    let target = format!("127.0.0.1:{}", smtp.port);
    let out = util::run_bounded(
        dir.tlskit(&["scan", &target, "--starttls", "smtp", "--timeout", "2"]),
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("STARTTLS"), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("no probe got an answer"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");

    // PostgreSQL with ssl=off answers the SSLRequest with 'N'.
    let pg = FakeServer::start(Fake::Bytes(b"N"));
    let target = format!("127.0.0.1:{}", pg.port);
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &target,
            "--starttls",
            "postgres",
            "--timeout",
            "2",
            "--json",
        ]),
        Duration::from_secs(30),
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(r["error"]["exit_code"], 4, "{r}");
    assert_eq!(r["error"]["stage"], "starttls", "{r}");
}

#[test]
fn a_sha1_signed_certificate_says_so_first() {
    if !util::have("openssl") {
        return;
    }
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    util::sh(
        dir.path(),
        "openssl req -new -newkey rsa:2048 -nodes -keyout sha1-key.pem -subj /CN=localhost -out sha1.csr 2>/dev/null && \
         printf 'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n' > ext.cnf && \
         openssl x509 -req -in sha1.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -sha1 -days 30 -extfile ext.cnf -out sha1.pem 2>/dev/null",
    );
    let Some((_server, port)) = openssl_server_with(
        &dir,
        &[
            "-cert",
            "sha1.pem",
            "-key",
            "sha1-key.pem",
            "-cipher",
            "DEFAULT@SECLEVEL=0",
        ],
    ) else {
        return;
    };
    let (r, _) = scan(&dir, port, &[]);
    let why = r["certificate"]["verification_error"]
        .as_str()
        .unwrap_or_default();
    assert!(
        why.starts_with("the certificate is signed with SHA-1"),
        "{why}"
    );
    let first_cap = r["grade_caps"][0]["reason"].as_str().unwrap_or_default();
    assert!(first_cap.contains("signed with SHA-1"), "{first_cap}");
}

// ---------------------------------------------------------------- many targets

#[test]
fn many_targets_summary_worst_first_json_lines_prometheus_and_exit_code() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let good = util::spawn_serve(&dir, &["--cert", "ec.pem", "--key", "ec-key.pem"]);
    let closed = util::free_port();
    let silent = FakeServer::start(Fake::Silent);
    std::fs::write(
        dir.join("hosts.txt"),
        format!(
            "# the fleet\n\
             127.0.0.1:{good} servername=localhost   # tlskit serve\n\
             \n\
             127.0.0.1:{closed}\n\
             127.0.0.1:{silent} timeout=1\n",
            good = good.port,
            silent = silent.port
        ),
    )
    .unwrap();
    let base = [
        "scan",
        "--targets",
        "hosts.txt",
        "--ca",
        "ca.pem",
        "--timeout",
        "3",
    ];

    // Text: a table, worst first; the exit code is the worst (network: 3).
    let out = util::run_bounded(
        dir.tlskit(&[&base[..], &["--color", "never"]].concat()),
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("TARGET"), "{text}");
    assert!(lines[0].contains("WORST FINDING"), "{text}");
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[1].contains(" error "), "{text}");
    assert!(lines[2].contains(" error "), "{text}");
    let good_row = lines[3];
    assert!(
        good_row.starts_with(&format!("127.0.0.1:{} ", good.port)),
        "{text}"
    );
    assert!(good_row.contains(" 1.3 1.2 "), "{text}");
    assert!(good_row.contains("expires in"), "{text}");
    assert!(text.contains("nothing listens on that port"), "{text}");
    assert!(text.contains("no probe got an answer"), "{text}");
    assert_eq!(lines[4], "3 targets: 1 graded, 2 not graded");
    // No progress line when stderr is not a terminal.
    assert!(!stderr(&out).contains("scanning"), "{}", stderr(&out));
    assert!(!stderr(&out).contains('\r'), "{}", stderr(&out));

    // --details adds the full reports.
    let out = util::run_bounded(
        dir.tlskit(&[&base[..], &["--color", "never", "--details"]].concat()),
        Duration::from_secs(60),
    );
    assert!(
        stdout(&out).contains("Cipher suites TLSv1.3"),
        "{}",
        stdout(&out)
    );

    // JSON Lines: one self-contained object per target, in the file's order.
    let out = util::run_bounded(
        dir.tlskit(&[&base[..], &["--json"]].concat()),
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let docs: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(docs.len(), 3, "{}", stdout(&out));
    assert_eq!(docs[0]["target"], format!("127.0.0.1:{}", good.port));
    assert_eq!(docs[0]["certificate"]["verified"], true);
    assert!(docs[0]["grade"].is_string());
    assert_eq!(docs[1]["error"]["stage"], "connect");
    assert_eq!(docs[1]["error"]["exit_code"], 3);
    assert_eq!(docs[2]["error"]["stage"], "probe");

    // Prometheus textfile format.
    let out = util::run_bounded(
        dir.tlskit(&[&base[..], &["--format", "prometheus"]].concat()),
        Duration::from_secs(60),
    );
    let prom = stdout(&out);
    let g = good.port;
    assert!(
        prom.contains(&format!(
            "tlskit_scan_success{{target=\"127.0.0.1:{g}\"}} 1\n"
        )),
        "{prom}"
    );
    assert!(
        prom.contains(&format!(
            "tlskit_scan_success{{target=\"127.0.0.1:{closed}\"}} 0\n"
        )),
        "{prom}"
    );
    assert!(
        prom.contains(&format!(
            "tlskit_scan_version_accepted{{target=\"127.0.0.1:{g}\",version=\"TLSv1.3\"}} 1\n"
        )),
        "{prom}"
    );
    let expiry = prom
        .lines()
        .find(|l| {
            l.starts_with(&format!(
                "tlskit_scan_certificate_expiry_seconds{{target=\"127.0.0.1:{g}\",key=\"ecdsa\"}} "
            ))
        })
        .unwrap_or_else(|| panic!("{prom}"));
    let secs: i64 = expiry.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(secs > 0 && secs < 400 * 86400, "{expiry}");
    for line in prom.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.starts_with("tlskit_scan_"), "{line}");
    }
}

#[test]
fn targets_from_stdin_and_a_bad_line_is_named() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let good = util::spawn_serve(&dir, &["--cert", "ec.pem", "--key", "ec-key.pem"]);
    let mut cmd = dir.tlskit(&[
        "scan",
        "--targets",
        "-",
        "--ca",
        "ca.pem",
        "--json",
        "--min-grade",
        "A+",
    ]);
    cmd.stdin(std::process::Stdio::piped());
    cmd.stdout(std::process::Stdio::piped());
    cmd.stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    writeln!(
        child.stdin.take().unwrap(),
        "127.0.0.1:{} servername=localhost",
        good.port
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let docs: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(docs.len(), 1, "{}", stdout(&out));
    let graded_a_plus = docs[0]["grade"] == "A+";
    assert_eq!(
        code(&out),
        if graded_a_plus { 0 } else { 8 },
        "{}",
        stderr(&out)
    );

    std::fs::write(dir.join("bad.txt"), "a.test\nb.test starttls=gopher\n").unwrap();
    let out = dir.run(&["scan", "--targets", "bad.txt"]);
    assert_ne!(code(&out), 0);
    assert!(
        stderr(&out).contains("'bad.txt', line 2"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("gopher"), "{}", stderr(&out));

    let out = dir.run(&["scan"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

#[test]
fn one_slow_target_cannot_take_every_probe_slot() {
    let dir = Dir::new();
    let a = FakeServer::start(Fake::SlowClose);
    let b = FakeServer::start(Fake::SlowClose);
    let ta = format!("127.0.0.1:{}", a.port);
    let tb = format!("127.0.0.1:{}", b.port);
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &ta,
            &tb,
            "--timeout",
            "2",
            "--per-target",
            "2",
            "--json",
        ]),
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    assert_eq!(a.peak.lock().unwrap().1, 2);
    assert_eq!(b.peak.lock().unwrap().1, 2);

    // The overall bound holds below the per-target one: one probe in flight
    // over both servers, so neither ever sees two at once.
    let c = FakeServer::start(Fake::SlowClose);
    let d = FakeServer::start(Fake::SlowClose);
    let tc = format!("127.0.0.1:{}", c.port);
    let td = format!("127.0.0.1:{}", d.port);
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &tc,
            &td,
            "--timeout",
            "2",
            "--concurrency",
            "1",
            "--json",
        ]),
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert_eq!(c.peak.lock().unwrap().1, 1);
    assert_eq!(d.peak.lock().unwrap().1, 1);
}

/// The advice for serve's ephemeral certificate runs as printed: `scan --pin`
/// with the pin serve prints vouches for it as `connect --pin` does, so the
/// default serve is graded on its merits (it could never get above F); a pin
/// that matches nothing leaves it not verified, with every probe still run.
#[test]
fn a_pin_vouches_for_the_certificate_as_in_connect() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
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

// ---------------------------------------------------------------- policies

/// The issue keys sslyze lists under its Mozilla compliance check.
fn sslyze_mozilla_issues(sslyze: &PathBuf, dir: &Dir, port: u16, level: &str) -> BTreeSet<String> {
    let mut cmd = Command::new(sslyze);
    cmd.current_dir(dir.path()).args([
        "--sni",
        "localhost",
        "--certinfo_ca_file",
        "ca.pem",
        "--mozilla_config",
        level,
        &format!("127.0.0.1:{port}"),
    ]);
    let out = util::run_bounded(cmd, Duration::from_secs(180));
    let text = stdout(&out);
    let compliance = text.split("COMPLIANCE AGAINST").nth(1).unwrap_or_else(|| {
        panic!(
            "no compliance section from sslyze: {text}\n{}",
            stderr(&out)
        )
    });
    compliance
        .lines()
        .filter_map(|l| l.trim().strip_prefix("* "))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect()
}

/// Our violations under sslyze's names for them.
fn ours_as_sslyze(r: &Value) -> BTreeSet<String> {
    r["policy"]["violations"]
        .as_array()
        .expect("policy violations")
        .iter()
        .map(|v| {
            let key = match (v["rule"].as_str().unwrap(), v["requirement"].as_str()) {
                ("versions", _) => "tls_versions",
                ("tls13_suites", _) => "ciphersuites",
                ("suites", _) => "ciphers",
                ("groups", _) => "tls_curves",
                ("dh_bits", _) => "dh_param_size",
                ("rsa_bits", _) => "rsa_key_size",
                ("certificate_types", _) => "certificate_types",
                ("certificate_curves", _) => "certificate_curves",
                ("certificate_signatures", _) => "certificate_signatures",
                ("certificate_lifetime", _) => "maximum_certificate_lifespan",
                ("required", Some("verified-chain")) => "certificate_path_validation",
                ("required", Some("no-compression")) => "tls_vulnerability_compression",
                ("required", Some("secure-renegotiation")) => "tls_vulnerability_renegotiation",
                ("required", Some("downgrade-protection")) => "tls_vulnerability_fallback_scsv",
                ("required", Some("extended-master-secret")) => {
                    "tls_vulnerability_extended_master_secret"
                }
                other => panic!("unmapped violation {other:?}"),
            };
            key.to_string()
        })
        .collect()
}

#[test]
fn mozilla_policies_agree_with_sslyze() {
    let Some(sslyze) = sslyze() else { return };
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let served = util::spawn_serve(&dir, &["--cert", "ec.pem", "--key", "ec-key.pem"]);
    let mut servers = vec![("tlskit serve", served.port, None)];
    if let Some(s) = openssl_server_with(
        &dir,
        &[
            "-cert",
            "rsa.pem",
            "-key",
            "rsa-key.pem",
            "-dcert",
            "ec.pem",
            "-dkey",
            "ec-key.pem",
        ],
    ) {
        servers.push(("openssl, two certificates, defaults", s.1, Some(s.0)));
    }
    if let Some(s) = openssl_server_with(
        &dir,
        &[
            "-cert",
            "ec.pem",
            "-key",
            "ec-key.pem",
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
            "-groups",
            "X25519:P-256",
        ],
    ) {
        servers.push(("openssl, TLS 1.2 only, intermediate suites", s.1, Some(s.0)));
    }
    for (what, port, _server) in &servers {
        for level in ["intermediate", "modern"] {
            let policy = format!("mozilla-{level}");
            let (r, out) = scan(&dir, *port, &["--policy", &policy]);
            assert_eq!(
                r["policy"]["policy"],
                format!("Mozilla {level} (server-side TLS 5.7)")
            );
            let ours = ours_as_sslyze(&r);
            assert_eq!(code(&out), if ours.is_empty() { 0 } else { 8 }, "{what}");
            let theirs = sslyze_mozilla_issues(&sslyze, &dir, *port, level);
            assert_eq!(ours, theirs, "{what}, {level}: {}", r["policy"]);
        }
    }
}

#[test]
fn a_toml_policy_gates_with_exit_8_and_says_what_to_change() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let served = util::spawn_serve(&dir, &["--cert", "ec.pem", "--key", "ec-key.pem"]);
    std::fs::write(
        dir.join("ours.toml"),
        "name = \"ours\"\n\
         versions = [\"TLSv1.3\"]\n\
         max_certificate_days = 7\n\
         require = [\"ocsp-staple\", \"post-quantum\", \"tls13\"]\n",
    )
    .unwrap();
    let target = format!("127.0.0.1:{}", served.port);
    let args = [
        "scan",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--policy",
        "ours.toml",
        "--color",
        "never",
    ];
    let out = util::run_bounded(dir.tlskit(&args), Duration::from_secs(60));
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    let text = stdout(&out);
    let section = text
        .split("Policy ours: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(section.starts_with("3 violations\n"), "{section}");
    assert!(
        section.contains("  ✗ TLSv1.2 accepted\n    change: disable TLSv1.2; allow only TLSv1.3\n"),
        "{section}"
    );
    assert!(
        section.contains("change: issue certificates valid for at most 7 days"),
        "{section}"
    );
    assert!(
        section.contains("  ✗ no OCSP response stapled\n    change: turn on OCSP stapling\n"),
        "{section}"
    );
    assert!(
        stderr(&out).contains("3 violations of ours (--policy)"),
        "{}",
        stderr(&out)
    );

    std::fs::write(dir.join("bad.toml"), "versions = [\"TLSv1.9\"]\n").unwrap();
    let out = dir.run(&["scan", &target, "--policy", "bad.toml"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown version 'TLSv1.9'"),
        "{}",
        stderr(&out)
    );
    let out = dir.run(&["scan", &target, "--policy", "mozilla-ancient"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

// ---------------------------------------------------------------- baselines

#[test]
fn a_baseline_lists_regressions_with_exit_8_and_improvements_with_exit_0() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let modern = ["-cert", "ec.pem", "-key", "ec-key.pem"];
    let Some((server, port)) = openssl_server_with(&dir, &modern) else {
        return;
    };
    // The baseline: TLS 1.3 and 1.2.
    let (r, out) = scan(&dir, port, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::write(dir.join("base.json"), stdout(&out)).unwrap();
    assert_eq!(
        accepted_versions(&r),
        BTreeSet::from(["TLSv1.2".into(), "TLSv1.3".into()])
    );

    // The same server again: no change.
    let (r, out) = scan(&dir, port, &["--baseline", "base.json"]);
    assert_eq!(code(&out), 0, "{}", r["baseline"]);
    assert_eq!(
        r["baseline"]["changes"],
        serde_json::json!([]),
        "{}",
        r["baseline"]
    );

    // TLS 1.3 turned off: a regression, exit 8, said in the text.
    drop(server);
    let no13 = [&modern[..], &["-no_tls1_3"]].concat();
    let Some((server, _)) = openssl_server_on(&dir, port, &no13) else {
        return;
    };
    let target = format!("127.0.0.1:{port}");
    let args = [
        "scan",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--baseline",
        "base.json",
        "--color",
        "never",
    ];
    let out = util::run_bounded(dir.tlskit(&args), Duration::from_secs(60));
    assert_eq!(code(&out), 8, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Since the baseline: "), "{text}");
    assert!(
        text.contains("  regression  TLSv1.3 no longer accepted\n"),
        "{text}"
    );
    assert!(
        stderr(&out).contains("since the baseline (--baseline)"),
        "{}",
        stderr(&out)
    );
    let (r, _) = scan(&dir, port, &[]);
    std::fs::write(
        dir.join("old.json"),
        serde_json::to_string(&r).unwrap() + "\n",
    )
    .unwrap();

    // Back on: an improvement against that (as JSON Lines), exit 0.
    drop(server);
    let Some((_server, _)) = openssl_server_on(&dir, port, &modern) else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--baseline", "old.json"]);
    assert_eq!(code(&out), 0, "{}", r["baseline"]);
    let changes = r["baseline"]["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["direction"] == "improvement" && c["what"] == "TLSv1.3 accepted (was not)"),
        "{}",
        r["baseline"]
    );
    assert!(
        changes.iter().all(|c| c["direction"] != "regression"),
        "{}",
        r["baseline"]
    );
}

// ---------------------------------------------------------------- safe probes

/// How a fake TLS 1.2 server misbehaves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flaw {
    /// None: an oversized heartbeat is dropped, an early CCS refused.
    Patched,
    /// Answers a heartbeat with 16 KiB of "memory".
    Heartbleed,
    /// Takes an early CCS, then fails to decrypt what follows.
    CcsInjection,
    /// Closes on a hello with GREASE suites.
    GreaseIntolerant,
    /// Closes on a legacy_version above TLS 1.2.
    VersionIntolerant,
    /// Closes on an extension it does not know.
    ExtensionIntolerant,
    /// Closes when the ClientHello does not fit in its first record.
    SplitIntolerant,
    /// Closes on a record over 4 KiB (as some middleboxes do), the largest allowed included.
    LargeRecordIntolerant,
    /// Answers record_size_limit (RFC 8449) with 16, below the minimum of 64.
    BadRecordSizeLimit,
}

/// A parsed ClientHello: legacy_version, suites, extension types.
fn parse_client_hello(body: &[u8]) -> Option<(u16, Vec<u16>, Vec<u16>)> {
    let b = body.get(4..)?;
    let version = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let mut p = 34;
    p += 1 + usize::from(*b.get(p)?);
    let slen = usize::from(u16::from_be_bytes([*b.get(p)?, *b.get(p + 1)?]));
    let suites = b
        .get(p + 2..p + 2 + slen)?
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    p += 2 + slen;
    p += 1 + usize::from(*b.get(p)?);
    let mut exts = Vec::new();
    if let (Some(hi), Some(lo)) = (b.get(p), b.get(p + 1)) {
        let end = p + 2 + usize::from(u16::from_be_bytes([*hi, *lo]));
        p += 2;
        while p + 4 <= end.min(b.len()) {
            exts.push(u16::from_be_bytes([b[p], b[p + 1]]));
            p += 4 + usize::from(u16::from_be_bytes([b[p + 2], b[p + 3]]));
        }
    }
    Some((version, suites, exts))
}

/// Reads one record: (type, body).
fn read_record(sock: &mut TcpStream) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    sock.read_exact(&mut head).ok()?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    sock.read_exact(&mut body).ok()?;
    Some((head[0], body))
}

fn tls_record(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![typ, 3, 3];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn serve_flawed(mut sock: TcpStream, flaw: Flaw) {
    let _ = sock.set_read_timeout(Some(Duration::from_secs(3)));
    let alert = |sock: &mut TcpStream, d: u8| {
        let _ = sock.write_all(&tls_record(21, &[2, d]));
    };
    // The ClientHello, reassembled from as many records as it takes (RFC 8446 §5.1).
    let mut hello = Vec::new();
    loop {
        let Some((22, body)) = read_record(&mut sock) else {
            return;
        };
        if body.len() > 16384 {
            return alert(&mut sock, 22); // record_overflow
        }
        if flaw == Flaw::LargeRecordIntolerant && body.len() > 4096 {
            return;
        }
        let first = hello.is_empty();
        hello.extend_from_slice(&body);
        let need = match hello.get(1..4) {
            Some(l) => {
                4 + usize::from(u16::from_be_bytes([l[1], l[2]])) + (usize::from(l[0]) << 16)
            }
            None => usize::MAX,
        };
        if hello.len() >= need {
            break;
        }
        if flaw == Flaw::SplitIntolerant && first {
            return;
        }
    }
    let Some((version, suites, exts)) = parse_client_hello(&hello) else {
        return;
    };
    let intolerant = match flaw {
        Flaw::GreaseIntolerant => suites.contains(&0x0A0A),
        Flaw::VersionIntolerant => version > 0x0303,
        Flaw::ExtensionIntolerant => exts.contains(&0xFF42),
        _ => false,
    };
    if intolerant {
        return;
    }
    // TLS 1.2 only: a TLS 1.3 hello (supported_versions) or an older one is refused.
    if exts.contains(&43) || version < 0x0303 {
        return alert(&mut sock, 70);
    }
    let Some(suite) = [0x009Cu16, 0x003C].into_iter().find(|s| suites.contains(s)) else {
        return alert(&mut sock, 40);
    };
    let mut sh = vec![3, 3];
    sh.extend_from_slice(&[0x42; 32]);
    sh.push(0);
    sh.extend_from_slice(&suite.to_be_bytes());
    sh.push(0);
    let mut e = vec![0xFF, 0x01, 0, 1, 0];
    if flaw == Flaw::Heartbleed && exts.contains(&15) {
        e.extend_from_slice(&[0, 15, 0, 1, 1]);
    }
    if exts.contains(&28) {
        // record_size_limit: the fake's own limit, 2^14 (or an illegal 16).
        let limit: u16 = if flaw == Flaw::BadRecordSizeLimit {
            16
        } else {
            16384
        };
        e.extend_from_slice(&[0, 28, 0, 2]);
        e.extend_from_slice(&limit.to_be_bytes());
    }
    sh.extend_from_slice(&(e.len() as u16).to_be_bytes());
    sh.extend_from_slice(&e);
    let mut flight = vec![2, 0, 0, sh.len() as u8];
    flight.extend_from_slice(&sh);
    flight.extend_from_slice(&[14, 0, 0, 0]);
    if sock.write_all(&tls_record(22, &flight)).is_err() {
        return;
    }
    let mut ccs_taken = false;
    while let Some((typ, _)) = read_record(&mut sock) {
        match (typ, flaw) {
            (24, Flaw::Heartbleed) => {
                let _ = sock.write_all(&tls_record(24, &[0x41; 16384 + 19]));
            }
            (24, _) => {}
            (20, Flaw::CcsInjection) => ccs_taken = true,
            (20, _) => return alert(&mut sock, 10),
            (22, _) if ccs_taken => return alert(&mut sock, 20),
            _ => return alert(&mut sock, 10),
        }
    }
}

/// A fake TLS 1.2 server with `flaw` on a loopback port, stopped on drop.
struct FlawedServer {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl FlawedServer {
    fn start(flaw: Flaw) -> FlawedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut accepted = 0;
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline && accepted < 500 {
                match listener.accept() {
                    Ok((sock, _)) => {
                        accepted += 1;
                        let _ = sock.set_nonblocking(false);
                        std::thread::spawn(move || serve_flawed(sock, flaw));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FlawedServer { port, stop }
    }
}

impl Drop for FlawedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The verdict of each safe probe against a fake server with `flaw`.
fn safe_verdicts(flaw: Flaw) -> (BTreeSet<(String, String)>, Value) {
    let dir = Dir::new();
    let server = FlawedServer::start(flaw);
    let target = format!("127.0.0.1:{}", server.port);
    let out = util::run_bounded(
        dir.tlskit(&["scan", &target, "--timeout", "2", "--json"]),
        Duration::from_secs(60),
    );
    let r: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{flaw:?}: no JSON ({e}): {}", stderr(&out)));
    let verdicts = r["safe_probes"]
        .as_array()
        .unwrap_or_else(|| panic!("{flaw:?}: {r}"))
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (verdicts, r)
}

#[test]
fn safe_probes_find_each_flaw_of_a_fake_server_and_nothing_on_a_patched_one() {
    let all = [
        "heartbleed",
        "ccs_injection",
        "grease_intolerance",
        "version_intolerance",
        "extension_intolerance",
        "record_size_limit",
    ];
    let (patched, r) = safe_verdicts(Flaw::Patched);
    let expect = |bad: Option<&str>| -> BTreeSet<(String, String)> {
        all.iter()
            .map(|c| {
                let v = if Some(*c) == bad {
                    "vulnerable"
                } else {
                    "not_vulnerable"
                };
                (c.to_string(), v.to_string())
            })
            .collect()
    };
    assert_eq!(patched, expect(None), "{}", r["safe_probes"]);
    assert_eq!(
        record_size_detail(&r),
        "split, full-size and record_size_limit hellos are accepted (TLSv1.2); record_size_limit supported (the server's own limit: 16384); a record of 16385 bytes is refused (alert record_overflow)"
    );
    for (flaw, check, cap) in [
        (Flaw::Heartbleed, "heartbleed", "heartbleed"),
        (Flaw::CcsInjection, "ccs_injection", "ccs-injection"),
        (
            Flaw::GreaseIntolerant,
            "grease_intolerance",
            "grease-intolerance",
        ),
        (
            Flaw::VersionIntolerant,
            "version_intolerance",
            "version-intolerance",
        ),
        (
            Flaw::ExtensionIntolerant,
            "extension_intolerance",
            "extension-intolerance",
        ),
        (
            Flaw::SplitIntolerant,
            "record_size_limit",
            "record-size-intolerance",
        ),
        (
            Flaw::LargeRecordIntolerant,
            "record_size_limit",
            "record-size-intolerance",
        ),
        (
            Flaw::BadRecordSizeLimit,
            "record_size_limit",
            "record-size-intolerance",
        ),
    ] {
        let (got, r) = safe_verdicts(flaw);
        assert_eq!(got, expect(Some(check)), "{flaw:?}: {}", r["safe_probes"]);
        assert!(
            cap_codes(&r).contains(&cap.to_string()),
            "{flaw:?}: {}",
            r["grade_caps"]
        );
        let leaked = serde_json::to_string(&r).unwrap();
        assert!(
            !leaked.contains("AAAAAAAA"),
            "leaked memory must not be kept"
        );
    }
}

// ---------------------------------------------------------------- certificates by SNI

/// nginx with two server blocks on one loopback port, each with its own certificates
/// (a.test: ECDSA, the default; b.test: RSA and ECDSA), run from a config in `dir` (its own pid
/// file and logs; a worker that is the master's child). Stopped (SIGTERM to the master,
/// which stops its worker) when dropped.
struct Nginx {
    child: std::process::Child,
    port: u16,
}

impl Nginx {
    fn start(dir: &Dir) -> Option<Nginx> {
        if !util::have("nginx") {
            return None;
        }
        let port = util::free_port();
        let d = dir.path().display();
        std::fs::create_dir(dir.join("nginx-tmp")).unwrap();
        let conf = format!(
            "worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {d}/nginx-tmp; proxy_temp_path {d}/nginx-tmp; fastcgi_temp_path {d}/nginx-tmp;
  uwsgi_temp_path {d}/nginx-tmp; scgi_temp_path {d}/nginx-tmp;
  server {{
    listen 127.0.0.1:{port} ssl default_server;
    server_name a.test;
    ssl_certificate {d}/a.pem;
    ssl_certificate_key {d}/a-key.pem;
    return 200 \"a\";
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name b.test;
    ssl_certificate {d}/b.pem;
    ssl_certificate_key {d}/b-key.pem;
    ssl_certificate {d}/b-ec.pem;
    ssl_certificate_key {d}/b-ec-key.pem;
    return 200 \"b\";
  }}
}}
"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new("nginx")
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(dir.join("nginx-error.log"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting nginx");
        util::wait_for_port(port, Duration::from_secs(10));
        Some(Nginx { child, port })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SAFETY: a plain kill(2) of our own child's PID.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn scan_sni_reports_the_certificate_nginx_serves_for_each_name() {
    let dir = Dir::new();
    util::pki(
        &dir,
        Some("Scan Test CA"),
        &[
            ("a", &["a.test"]),
            ("b", &["b.test", "--key-type", "rsa2048"]),
            ("b-ec", &["b.test"]),
        ],
    );
    let Some(nginx) = Nginx::start(&dir) else {
        return;
    };
    let target = format!("127.0.0.1:{}", nginx.port);
    let base = [
        "scan",
        target.as_str(),
        "--servername",
        "a.test",
        "--ca",
        "ca.pem",
        "--sni",
        "b.test",
        "--sni",
        "a.test",
        "--sni",
        "c.test",
    ];
    let out = util::run_bounded(
        dir.tlskit(&[&base[..], &["--json"]].concat()),
        Duration::from_secs(60),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).expect("scan JSON");
    assert_eq!(r["certificate"]["chain"][0]["subject"], "CN=a.test");
    let by_name: Vec<(String, bool, String, String, Value)> = r["certificates_by_name"]
        .as_array()
        .expect("certificates_by_name")
        .iter()
        .map(|n| {
            let c = &n["certificate"];
            (
                n["sni"].as_str().unwrap().to_string(),
                n["same_as_main"].as_bool().unwrap(),
                c["chain"][0]["subject"].as_str().unwrap_or("").to_string(),
                c["key_kind"].as_str().unwrap_or("").to_string(),
                c["verification_error"].clone(),
            )
        })
        .collect();
    assert_eq!(by_name.len(), 3, "{}", r["certificates_by_name"]);
    // b.test: its own server block's certificates, ECDSA (chosen first, as the client
    // prefers ECDSA signatures) and RSA, each verified against b.test.
    assert_eq!(
        (
            &by_name[0].0[..],
            by_name[0].1,
            &by_name[0].2[..],
            &by_name[0].3[..]
        ),
        ("b.test", false, "CN=b.test", "ecdsa")
    );
    assert_eq!(by_name[0].4, Value::Null);
    let b_more = &r["certificates_by_name"][0]["additional_certificates"];
    assert_eq!(b_more.as_array().map(Vec::len), Some(1), "{b_more}");
    assert_eq!(b_more[0]["key_kind"], "rsa", "{b_more}");
    assert_eq!(b_more[0]["chain"][0]["subject"], "CN=b.test", "{b_more}");
    assert_eq!(b_more[0]["verified"], true, "{b_more}");
    // a.test has one certificate: nothing more for it.
    assert_eq!(
        r["certificates_by_name"][1]["additional_certificates"],
        serde_json::json!([])
    );
    assert_eq!(
        (&by_name[1].0[..], by_name[1].1, &by_name[1].2[..]),
        ("a.test", true, "CN=a.test")
    );
    // c.test: no server block, so nginx's default server answers, and the name fails.
    assert_eq!(
        (&by_name[2].0[..], by_name[2].1, &by_name[2].2[..]),
        ("c.test", true, "CN=a.test")
    );
    assert_eq!(
        by_name[2].4,
        "the server's certificate is valid for a.test but not for c.test"
    );
    // Only c.test counts against the grade: the main certificate, served for a
    // name it is not valid for. a.test adds nothing, b.test's verify.
    let named_caps: Vec<(&str, &str)> = r["grade_caps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["sni"].as_str()?, c["code"].as_str()?)))
        .collect();
    assert_eq!(named_caps, [("c.test", "cert-not-verified")], "{r:#}");
    assert_eq!(r["grade"], "F");
    // Each name's certificate is judged in full: findings and chain come with it.
    for n in r["certificates_by_name"].as_array().unwrap() {
        assert!(n["certificate"]["findings"].is_array(), "{n}");
        assert!(
            n["certificate"]["chain"]
                .as_array()
                .is_some_and(|c| !c.is_empty()),
            "{n}"
        );
    }
    // The text form: a section per name, after the main certificate.
    let text = dir.ok(&[&base[..], &["--color", "never"]].concat());
    let titles: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Certificate"))
        .collect();
    assert_eq!(
        titles,
        [
            "Certificate verified",
            "Certificate for SNI b.test (ECDSA) verified",
            "Certificate for SNI b.test (RSA) verified",
            "Certificate for SNI a.test (the main one) verified",
            "Certificate for SNI c.test (the main one) NOT VERIFIED: the server's certificate is valid for a.test but not for c.test",
        ],
        "{text}"
    );
    assert!(text.contains("  subject:       CN=b.test\n"), "{text}");
    // Prometheus: the expiry of b.test's own certificates, labelled with the name (a name
    // served the main certificate adds no series).
    let prom = dir.ok(&[&base[..], &["--format", "prometheus"]].concat());
    let expiry: Vec<&str> = prom
        .lines()
        .filter(|l| l.starts_with("tlskit_scan_certificate_expiry_seconds{"))
        .map(|l| l.rsplit_once(' ').map_or(l, |(series, _)| series))
        .collect();
    assert_eq!(
        expiry,
        [
            format!("tlskit_scan_certificate_expiry_seconds{{target=\"{target}\",key=\"ecdsa\"}}"),
            format!("tlskit_scan_certificate_expiry_seconds{{target=\"{target}\",key=\"ecdsa\",sni=\"b.test\"}}"),
            format!("tlskit_scan_certificate_expiry_seconds{{target=\"{target}\",key=\"rsa\",sni=\"b.test\"}}"),
        ],
        "{prom}"
    );
}

// ------------------------------------------------ certificates asked for by SNI

/// The CA, the main certificate (localhost), and certificates for api.test:
/// `expired` (from the CA, expired 30 days ago), `fine` (from the CA) and
/// `self` (self-signed, so untrusted).
fn sni_pki(dir: &Dir) {
    util::pki(
        dir,
        Some("Scan Test CA"),
        &[
            ("main", &["localhost", "127.0.0.1"]),
            (
                "expired",
                &["api.test", "--not-before", "-40d", "--days", "10"],
            ),
            ("fine", &["api.test"]),
        ],
    );
    dir.ok(&["gencert", "api.test", "--out", "self", "-q"]);
}

/// `openssl s_server` that serves the main certificate to SNI localhost and
/// `other` (a PREFIX as `sni_pki` makes them) to any other name.
fn sni_server(dir: &Dir, other: &str, extra: &[&str]) -> Option<(Background, u16)> {
    let (cert, key) = (format!("{other}.pem"), format!("{other}-key.pem"));
    let mut args = vec![
        "-cert",
        cert.as_str(),
        "-key",
        key.as_str(),
        "-servername",
        "localhost",
        "-cert2",
        "main.pem",
        "-key2",
        "main-key.pem",
    ];
    args.extend_from_slice(extra);
    openssl_server_with(dir, &args)
}

/// The caps of a scan report that name an SNI name, as (grade, code, sni, reason).
fn named_caps(r: &Value) -> Vec<(String, String, String, String)> {
    r["grade_caps"]
        .as_array()
        .expect("grade_caps")
        .iter()
        .filter(|c| c.get("sni").is_some())
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("grade"), s("code"), s("sni"), s("reason"))
        })
        .collect()
}

#[test]
fn an_expired_certificate_behind_an_sni_name_caps_the_grade_and_fails_min_grade() {
    let dir = Dir::new();
    sni_pki(&dir);
    let Some((_server, port)) = sni_server(&dir, "expired", &[]) else {
        return;
    };
    // Without --sni only the main certificate is seen: a good grade, the gate passes.
    let (plain, out) = scan(&dir, port, &["--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_ne!(plain["grade"], "F", "{plain:#}");
    assert!(named_caps(&plain).is_empty(), "{plain:#}");

    // With it, api.test's expired certificate caps the grade at F, names the
    // name, and --min-grade fails the run.
    let (r, out) = scan(&dir, port, &["--sni", "api.test", "--min-grade", "B"]);
    assert_exit(&out, 8);
    assert_eq!(r["grade"], "F", "{r:#}");
    let caps = named_caps(&r);
    assert_eq!(caps.len(), 1, "{caps:?}");
    let (grade, code_, sni, reason) = &caps[0];
    assert_eq!(
        (&grade[..], &code_[..], &sni[..]),
        ("F", "cert-not-verified", "api.test")
    );
    assert!(
        reason.starts_with(
            "the certificate for api.test does not verify: the server's certificate expired on "
        ),
        "{reason}"
    );
    // The other caps are the main scan's, unchanged.
    let rest: Vec<&Value> = r["grade_caps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c.get("sni").is_none())
        .collect();
    assert_eq!(
        rest,
        plain["grade_caps"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>()
    );
    // The certificate's own findings stay with its name.
    let named = &r["certificates_by_name"][0];
    assert_eq!(named["sni"], "api.test");
    let findings: Vec<&str> = named["certificate"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(findings.contains(&"expired"), "{named}");

    // The text form says why, right under the grade.
    let target = format!("127.0.0.1:{port}");
    let text = dir.ok(&[
        "scan",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--sni",
        "api.test",
        "--color",
        "never",
        "-q",
    ]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "  grade:         F", "{text}");
    assert!(
        lines[2].starts_with(
            "    F  the certificate for api.test does not verify: the server's certificate expired on "
        ),
        "{text}"
    );

    // A targets file's names= gates a fleet the same way, and its table says why.
    std::fs::write(
        dir.join("fleet.txt"),
        format!("{target} servername=localhost names=api.test\n{target} servername=localhost\n"),
    )
    .expect("write fleet.txt");
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            "--targets",
            "fleet.txt",
            "--ca",
            "ca.pem",
            "--min-grade",
            "B",
            "--color",
            "never",
            "--concurrency",
            "1",
        ]),
        Duration::from_secs(60),
    );
    assert_exit(&out, 8);
    let table = stdout(&out);
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with(&target)).collect();
    assert_eq!(rows.len(), 2, "{table}");
    assert!(
        rows.iter().any(
            |r| r.contains(" F ") && r.contains("the certificate for api.test does not verify")
        ),
        "{table}"
    );
    assert!(rows.iter().any(|r| !r.contains(" F ")), "{table}");
    assert_eq!(
        stderr(&out),
        format!("tlskit: below the required grade B (--min-grade): {target} (F)\n")
    );
}

#[test]
fn an_untrusted_or_missing_certificate_behind_an_sni_name_caps_the_grade() {
    let dir = Dir::new();
    sni_pki(&dir);
    // Self-signed for api.test: not trusted, so F, naming the name.
    {
        let Some((_server, port)) = sni_server(&dir, "self", &[]) else {
            return;
        };
        let (r, out) = scan(&dir, port, &["--sni", "api.test", "--min-grade", "B"]);
        assert_exit(&out, 8);
        assert_eq!(r["grade"], "F", "{r:#}");
        let caps = named_caps(&r);
        assert_eq!(caps.len(), 1, "{caps:?}");
        assert_eq!(
            (&caps[0].0[..], &caps[0].1[..], &caps[0].2[..]),
            ("F", "cert-not-verified", "api.test")
        );
        assert!(
            caps[0]
                .3
                .starts_with("the certificate for api.test does not verify: "),
            "{caps:?}"
        );
        // The policy's verified-chain requirement asks it of the name too.
        let (r, _) = scan(
            &dir,
            port,
            &["--sni", "api.test", "--policy", "mozilla-old"],
        );
        let found: Vec<&str> = r["policy"]["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter(|v| v["requirement"] == "verified-chain")
            .filter_map(|v| v["found"].as_str())
            .collect();
        assert_eq!(found.len(), 1, "{}", r["policy"]);
        assert!(
            found[0].starts_with("the chain for SNI api.test does not verify: "),
            "{found:?}"
        );
    }
    // A server that refuses the name (a fatal unrecognized_name): no
    // certificate for it, which caps at F as a missing main certificate does.
    let Some((_server, port)) = sni_server(&dir, "fine", &["-servername_fatal"]) else {
        return;
    };
    let (r, out) = scan(&dir, port, &["--sni", "other.test", "--min-grade", "B"]);
    assert_exit(&out, 8);
    let caps = named_caps(&r);
    assert_eq!(caps.len(), 1, "{caps:?}");
    assert_eq!(
        (&caps[0].0[..], &caps[0].1[..], &caps[0].2[..]),
        ("F", "no-certificate", "other.test")
    );
    assert!(
        caps[0]
            .3
            .starts_with("no certificate could be obtained for other.test: "),
        "{caps:?}"
    );
}

#[test]
fn a_good_certificate_behind_an_sni_name_leaves_the_grade_as_it_was() {
    let dir = Dir::new();
    sni_pki(&dir);
    let Some((_server, port)) = sni_server(&dir, "fine", &[]) else {
        return;
    };
    let (plain, out) = scan(&dir, port, &["--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (r, out) = scan(&dir, port, &["--sni", "api.test", "--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        r["certificates_by_name"][0]["certificate"]["verified"],
        true
    );
    assert_eq!(r["certificates_by_name"][0]["same_as_main"], false);
    assert_eq!(
        (&r["grade"], &r["grade_caps"]),
        (&plain["grade"], &plain["grade_caps"])
    );
    assert_ne!(r["grade"], "F");
}

#[test]
fn a_warning_that_the_name_is_unknown_does_not_hide_tls12() {
    // s_server with -servername answers any other name (localhost here) with
    // a warning-level unrecognized_name alert before its TLS 1.2 ServerHello,
    // and goes on with the handshake.
    let dir = Dir::new();
    sni_pki(&dir);
    let Some((_server, port)) = openssl_server_with(
        &dir,
        &[
            "-cert",
            "main.pem",
            "-key",
            "main-key.pem",
            "-servername",
            "api.test",
            "-cert2",
            "fine.pem",
            "-key2",
            "fine-key.pem",
        ],
    ) else {
        return;
    };
    let (r, out) = scan(&dir, port, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let versions = accepted_versions(&r);
    assert!(versions.contains("TLSv1.2"), "{}", r["protocols"]);
    assert!(
        !suites_of(&r, "TLSv1.2").is_empty(),
        "{}",
        r["cipher_suites"]
    );
}

/// The detail of the record-size finding of a scan report.
fn record_size_detail(r: &Value) -> String {
    r["safe_probes"]
        .as_array()
        .expect("safe_probes")
        .iter()
        .find(|f| f["check"] == "record_size_limit")
        .and_then(|f| f["detail"].as_str())
        .unwrap_or_else(|| panic!("no record_size_limit finding: {}", r["safe_probes"]))
        .to_string()
}

/// The record-size probe against real servers, which handle records right: OpenSSL 3.0
/// (no RFC 8449) and GnuTLS (RFC 8449, the limit kept in its encrypted TLS 1.3 flight).
#[test]
fn record_size_probe_against_openssl_and_gnutls() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    if let Some((_server, port)) = openssl_server(&dir, &[]) {
        let (r, out) = scan(&dir, port, &[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let finding = r["safe_probes"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["check"] == "record_size_limit"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(finding["verdict"], "not_vulnerable", "{finding}");
        assert_eq!(finding["severity"], "low", "{finding}");
        // The RSA leaf makes the Certificate record larger than the 512 bytes asked for.
        let detail = record_size_detail(&r);
        assert!(
            detail.starts_with("split, full-size and record_size_limit hellos are accepted (TLSv1.3); record_size_limit not supported; TLS 1.3 records up to ")
                && detail.ends_with(" bytes: the 512-byte limit is not applied; a record of 16385 bytes is refused (alert record_overflow)"),
            "{detail}"
        );
        assert!(!cap_codes(&r).contains(&"record-size-intolerance".to_string()));
    }
    if !util::have("gnutls-serv") || !util::have("unshare") {
        return;
    }
    // gnutls-serv listens on every interface: run it, and the scan, in a network namespace
    // of their own, where loopback is the only interface.
    let script = r#"
        ip link set lo up || exit 97
        gnutls-serv --port 4433 --x509certfile rsa.pem --x509keyfile rsa-key.pem >gnutls.log 2>&1 &
        srv=$!
        i=0
        while ! (exec 3<>/dev/tcp/127.0.0.1/4433) 2>/dev/null; do
            i=$((i + 1)); [ $i -gt 200 ] && { kill $srv; exit 98; }; sleep 0.05
        done
        "$TLSKIT" scan 127.0.0.1:4433 --servername localhost --ca ca.pem --json >gnutls-scan.json
        rc=$?
        kill $srv
        wait $srv 2>/dev/null
        exit $rc
    "#;
    let mut cmd = Command::new("unshare");
    cmd.current_dir(dir.path())
        .env("TLSKIT", util::bin())
        .args(["-n", "bash", "-c", script]);
    let out = util::run_bounded(cmd, Duration::from_secs(60));
    if !out.status.success() && !dir.join("gnutls-scan.json").exists() {
        // No permission for a network namespace here (a container without CAP_SYS_ADMIN).
        util::skip("unshare -n", &stderr(&out));
        return;
    }
    assert_eq!(
        code(&out),
        0,
        "{}
{}",
        stderr(&out),
        dir.read("gnutls.log")
    );
    let r: Value = serde_json::from_str(&dir.read("gnutls-scan.json")).expect("scan JSON");
    assert_eq!(
        record_size_detail(&r),
        "split, full-size and record_size_limit hellos are accepted (TLSv1.3); record_size_limit supported (the server's own limit: 16384); TLS 1.3 records kept within the 512-byte limit asked for; a record of 16385 bytes is refused (alert record_overflow)"
    );
}

// ---------------------------------------------------------------- inspect, many servers

#[test]
fn inspect_targets_file_with_expires_within_lists_each_expiring_server() {
    let dir = Dir::new();
    util::pki(&dir, Some("Scan Test CA"), LEAVES);
    let a = util::spawn_serve(&dir, &["--cert", "ec.pem", "--key", "ec-key.pem"]);
    let b = util::spawn_serve(&dir, &["--cert", "rsa.pem", "--key", "rsa-key.pem"]);
    std::fs::write(
        dir.join("servers.txt"),
        format!(
            "# the same targets file as scan's\n127.0.0.1:{}\n127.0.0.1:{} servername=localhost\n",
            a.port, b.port
        ),
    )
    .unwrap();
    let base = [
        "inspect",
        "--targets",
        "servers.txt",
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "-q",
    ];
    // The test certificates are valid for 30 days.
    let out = dir.run(&[&base[..], &["--expires-within", "60d"]].concat());
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    for port in [a.port, b.port] {
        assert!(
            stderr(&out).contains(&format!("expiring: 127.0.0.1:{port} #0 CN=localhost")),
            "{}",
            stderr(&out)
        );
    }
    let out = dir.run(&[&base[..], &["--expires-within", "10d"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_progress_line_counts_targets_on_a_terminal() {
    if !util::have("script") {
        return;
    }
    let dir = Dir::new();
    let silent = FakeServer::start(Fake::Silent);
    let closed = FakeServer::start(Fake::Close);
    // `script` runs the scan on a pseudo-terminal, as a user would see it.
    let line = format!(
        "{} scan 127.0.0.1:{} 127.0.0.1:{} --timeout 1 --color never",
        util::bin().display(),
        silent.port,
        closed.port
    );
    let mut cmd = Command::new("script");
    cmd.current_dir(dir.path())
        .args(["-qec", &line, "/dev/null"]);
    let out = util::run_bounded(cmd, Duration::from_secs(60));
    let seen = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(seen.contains("\r\x1b[K  scanning: "), "{seen:?}");
    assert!(seen.contains("/2 targets, "), "{seen:?}");
    assert!(
        seen.contains("2 targets: 0 graded, 2 not graded"),
        "{seen:?}"
    );
}
