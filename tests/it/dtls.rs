//! `serve --dtls` and `connect --dtls` against each other and against real
//! DTLS peers nobody here wrote: openssl s_server / s_client -dtls1_2 and
//! gnutls-cli --udp (OpenSSL 3.0 and GnuTLS speak no DTLS 1.3, so DTLS 1.3
//! is tested tlskit against tlskit), plus hostile input: garbage datagrams,
//! a ClientHello flood from many ports, an RSA key, a closed port.

use std::io::Write;
use std::net::UdpSocket;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::util::*;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// A local CA with a localhost leaf and a client certificate for alice; a
/// second CA with a client certificate for mallory.
fn pki(dir: &Dir) {
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
    dir.ok(&[
        "gencert", "--client", "--cn", "alice", "--out", "alice", "--issuer", "ca.pem", "-q",
    ]);
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
}

/// Runs `program args...` in `dir` with stdin from `input` (at most 30 s).
fn run_with_input(dir: &Dir, input: &str, program: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("stdin.txt"), input).unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("exec \"$0\" \"$@\" < stdin.txt")
        .arg(program)
        .args(args)
        .current_dir(dir.path());
    scrub(&mut cmd);
    run_bounded(cmd, SECS(30))
}

/// `tlskit ARGS` with `input` on stdin.
fn tlskit_with_input(dir: &Dir, input: &str, args: &[&str]) -> Output {
    let bin = bin();
    run_with_input(dir, input, bin.to_str().unwrap(), args)
}

fn serve_dtls(dir: &Dir, args: &[&str]) -> Served {
    let mut all = vec!["--dtls"];
    all.extend_from_slice(args);
    spawn_serve(dir, &all)
}

/// A UDP port nothing listens on right now.
fn free_udp_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.local_addr().unwrap().port()
}

fn all_output(out: &Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out))
}

/// The JSON report `connect --dtls --json` writes to stderr in data mode.
fn report_on_stderr(out: &Output) -> serde_json::Value {
    let err = stderr(out);
    serde_json::from_str(&err)
        .unwrap_or_else(|e| panic!("stderr is not one JSON report: {e}\n{err}"))
}

#[test]
fn dtls13_tlskit_to_tlskit_echoes_and_reports() {
    let dir = Dir::new();
    let mut served = serve_dtls(&dir, &[]);
    let target = format!("localhost:{}", served.port);
    let out = tlskit_with_input(
        &dir,
        "one datagram\n",
        &[
            "connect",
            "--dtls",
            &target,
            "--pin",
            &served.pin,
            "--json",
            "--read-timeout",
            "1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "one datagram\n");
    let report = report_on_stderr(&out);
    assert_eq!(report["transport"], "udp");
    assert_eq!(report["handshake"]["protocol"], "DTLSv1.3");
    assert_eq!(report["handshake"]["cookie_exchange"], true, "{report}");
    assert!(
        report["handshake"]["cipher_suite"]
            .as_str()
            .is_some_and(|s| s.starts_with("TLS_AES_") || s.starts_with("TLS_CHACHA20")),
        "{report}"
    );
    assert_eq!(report["verification"]["verified"], true);
    assert_eq!(report["verification"]["trust"], "pin");
    assert_eq!(report["chain"][0]["spki_pin"], served.pin.as_str());
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["protocol"], "DTLSv1.3");
    assert_eq!(assoc["end"], "closed", "{assoc}");
    assert_eq!(assoc["bytes_in"], 13);
    assert_eq!(assoc["bytes_out"], 13);
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn dtls12_tlskit_to_tlskit_in_text() {
    let dir = Dir::new();
    let mut served = serve_dtls(&dir, &["--tls12"]);
    let target = format!("localhost:{}", served.port);
    let out = tlskit_with_input(
        &dir,
        "",
        &[
            "connect",
            "--dtls",
            &target,
            "--pin",
            &served.pin,
            "--color",
            "never",
        ],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let text = stdout(&out);
    assert!(text.contains("protocol:      DTLSv1.2"), "{text}");
    assert!(
        text.contains("cipher suite:  TLS_ECDHE_ECDSA_WITH_"),
        "{text}"
    );
    assert!(
        text.contains("verification:  OK (trusted by the pin"),
        "{text}"
    );
    assert!(text.contains("client cert:   not requested"), "{text}");
    // A DTLS 1.3-only client cannot talk to a DTLS 1.2-only server.
    let out = tlskit_with_input(
        &dir,
        "",
        &[
            "connect",
            "--dtls",
            "--tls13",
            &target,
            "--pin",
            &served.pin,
            "--timeout",
            "5",
        ],
    );
    // dimpl drops the association without an alert: the client times out (exit 3).
    assert_eq!(code(&out), 3, "{}", all_output(&out));
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn openssl_s_client_echoes_through_serve_dtls() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    let mut served = serve_dtls(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--idle-timeout",
            "2",
        ],
    );
    let target = format!("127.0.0.1:{}", served.port);
    let out = run_with_input(
        &dir,
        "ping from openssl\n",
        "openssl",
        &[
            "s_client",
            "-dtls1_2",
            "-connect",
            &target,
            "-CAfile",
            "ca.pem",
            "-verify_return_error",
            "-verify_hostname",
            "localhost",
            "-ign_eof",
        ],
    );
    let text = all_output(&out);
    assert!(text.contains("Verification: OK"), "{text}");
    assert!(text.contains("Protocol  : DTLSv1.2"), "{text}");
    // The echo comes back after the session details.
    let echoed = stdout(&out)
        .split("---")
        .last()
        .unwrap_or_default()
        .contains("ping from openssl");
    assert!(echoed, "{text}");
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["protocol"], "DTLSv1.2", "{assoc}");
    assert_eq!(assoc["bytes_in"], 18, "{assoc}");
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn tlskit_and_openssl_s_server_carry_datagrams_both_ways() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    let port = free_udp_port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path()).args([
        "s_server",
        "-dtls1_2",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        "localhost.pem",
        "-key",
        "localhost-key.pem",
    ]);
    let mut server = Background::spawn_stdin_open(cmd);
    wait_for_line(&server, "ACCEPT", SECS(10));
    let target = format!("localhost:{port}");
    let mut client = dir.tlskit(&[
        "connect",
        "--dtls",
        &target,
        "--ca",
        "ca.pem",
        "--send",
        "hello-from-tlskit\n",
        "--read-timeout",
        "5",
    ]);
    client.stderr(std::process::Stdio::null());
    let client = Background::spawn(client);
    wait_for_line(&server, "hello-from-tlskit", SECS(20));
    let stdin = server.child.stdin.as_mut().expect("s_server stdin");
    stdin.write_all(b"hello-from-openssl\n").unwrap();
    stdin.flush().unwrap();
    assert_eq!(client.line(SECS(20)), "hello-from-openssl");
}

/// Waits for a line of `bg` containing `needle`.
fn wait_for_line(bg: &Background, needle: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match bg
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(line) if line.contains(needle) => return,
            Ok(line) => seen.push(line),
            Err(_) => break,
        }
    }
    panic!("no line with {needle:?} within {limit:?}; saw {seen:?}");
}

#[test]
fn mtls_accepts_a_client_of_the_ca_and_refuses_another() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    let mut served = serve_dtls(
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
    assert_eq!(served.ready["client_auth"], "required");
    let target = format!("127.0.0.1:{}", served.port);
    let s_client = |cert: &str, key: &str| {
        run_with_input(
            &dir,
            "ping with a certificate\n",
            "openssl",
            &[
                "s_client",
                "-dtls1_2",
                "-connect",
                &target,
                "-CAfile",
                "ca.pem",
                "-verify_return_error",
                "-cert",
                cert,
                "-key",
                key,
                "-ign_eof",
            ],
        )
    };
    let ok = s_client("alice.pem", "alice-key.pem");
    assert!(
        stdout(&ok).contains("ping with a certificate"),
        "{}",
        all_output(&ok)
    );
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["client_subject"], "CN=alice", "{assoc}");
    assert_eq!(assoc["established"], true);

    let refused = s_client("mallory.pem", "mallory-key.pem");
    assert_ne!(code(&refused), 0, "{}", all_output(&refused));
    assert!(
        all_output(&refused).contains("alert unknown ca"),
        "{}",
        all_output(&refused)
    );
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["end"], "certificate_rejected", "{assoc}");
    assert_eq!(assoc["established"], false, "{assoc}");
    let reason = assoc["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("(CN=mallory) was issued by CN=Other CA, which is not a CA in --client-ca"),
        "{reason}"
    );

    // tlskit's own client over DTLS 1.2: with alice's certificate it is served,
    // without one it is told to give one.
    let target = format!("localhost:{}", served.port);
    let out = tlskit_with_input(
        &dir,
        "mine\n",
        &[
            "connect",
            "--dtls",
            "--tls12",
            &target,
            "--ca",
            "ca.pem",
            "--cert",
            "alice.pem",
            "--key",
            "alice-key.pem",
            "--read-timeout",
            "1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "mine\n");
    let out = tlskit_with_input(
        &dir,
        "",
        &["connect", "--dtls", "--tls12", &target, "--ca", "ca.pem"],
    );
    assert_eq!(code(&out), 4, "{}", all_output(&out));
    assert!(
        stderr(&out).contains("give one with --cert FILE --key FILE"),
        "{}",
        stderr(&out)
    );
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn dtls13_a_refused_client_certificate_gets_the_alert_and_exit_4() {
    let dir = Dir::new();
    pki(&dir);
    let mut served = serve_dtls(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--client-ca",
            "ca.pem",
        ],
    );
    let target = format!("localhost:{}", served.port);
    let connect = |extra: &[&str]| {
        let mut args = vec![
            "connect",
            "--dtls",
            "--tls13",
            &target,
            "--ca",
            "ca.pem",
            "--timeout",
            "20",
        ];
        args.extend_from_slice(extra);
        tlskit_with_input(&dir, "ping\n", &args)
    };
    // A certificate from another CA: the server's encrypted unknown_ca alert
    // arrives, and the handshake fails with exit 4 (not a timeout, exit 3).
    let out = connect(&["--cert", "mallory.pem", "--key", "mallory-key.pem"]);
    assert_eq!(code(&out), 4, "{}", all_output(&out));
    assert_eq!(stdout(&out), "", "no data went either way");
    assert!(
        stderr(&out).contains(
            "tlskit: error: the peer sent the alert unknown_ca (the peer refused the certificate it was given)\n"
        ),
        "{}",
        stderr(&out)
    );
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["protocol"], "DTLSv1.3", "{assoc}");
    assert_eq!(assoc["end"], "certificate_rejected", "{assoc}");
    assert_eq!(assoc["established"], false, "{assoc}");
    assert_eq!(assoc["bytes_in"], 0, "{assoc}");

    // No certificate at all: the same alert, and the hint to give one.
    let out = connect(&[]);
    assert_eq!(code(&out), 4, "{}", all_output(&out));
    assert!(
        stderr(&out).contains("alert unknown_ca")
            && stderr(&out).contains("give one with --cert FILE --key FILE"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        served.event("association", SECS(10))["end"],
        "certificate_rejected"
    );

    // Alice's certificate still passes over DTLS 1.3.
    let out = connect(&[
        "--cert",
        "alice.pem",
        "--key",
        "alice-key.pem",
        "--read-timeout",
        "1",
    ]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "ping\n");
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["client_subject"], "CN=alice", "{assoc}");
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn a_wrong_name_is_refused_with_exit_5_and_a_wrong_pin_with_exit_6() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    let port = free_udp_port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path()).args([
        "s_server",
        "-dtls1_2",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        "localhost.pem",
        "-key",
        "localhost-key.pem",
    ]);
    let server = Background::spawn_stdin_open(cmd);
    wait_for_line(&server, "ACCEPT", SECS(10));
    let target = format!("127.0.0.1:{port}");
    let out = tlskit_with_input(
        &dir,
        "",
        &[
            "connect",
            "--dtls",
            &target,
            "--servername",
            "wrong.example",
            "--ca",
            "ca.pem",
            "--timeout",
            "10",
        ],
    );
    assert_eq!(code(&out), 5, "{}", all_output(&out));
    assert!(
        stderr(&out).contains("valid for localhost but not for wrong.example"),
        "{}",
        stderr(&out)
    );
    drop(server);

    let mut served = serve_dtls(&dir, &[]);
    let out = tlskit_with_input(
        &dir,
        "",
        &[
            "connect",
            "--dtls",
            &format!("localhost:{}", served.port),
            "--pin",
            "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ],
    );
    assert_eq!(code(&out), 6, "{}", all_output(&out));
    assert!(
        stderr(&out).contains(&served.pin),
        "the refusal names the pin seen: {}",
        stderr(&out)
    );
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn gnutls_cli_echoes_through_serve_dtls() {
    if !have("gnutls-cli") {
        return;
    }
    // gnutls-serv cannot be bound to loopback (it listens on every
    // interface), so only gnutls' client is used here.
    let dir = Dir::new();
    pki(&dir);
    let mut served = serve_dtls(
        &dir,
        &["--cert", "localhost.pem", "--key", "localhost-key.pem"],
    );
    let port = served.port.to_string();
    let out = run_with_input(
        &dir,
        "from gnutls\n",
        "gnutls-cli",
        &["--udp", "--x509cafile", "ca.pem", "-p", &port, "localhost"],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert!(stdout(&out).contains("from gnutls"), "{}", all_output(&out));
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["protocol"], "DTLSv1.2", "{assoc}");
    assert_eq!(assoc["bytes_in"], 12, "{assoc}");
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn an_rsa_key_is_refused_with_a_sentence() {
    let dir = Dir::new();
    dir.ok(&[
        "gencert",
        "localhost",
        "--key-type",
        "rsa2048",
        "--out",
        "rsa",
        "-q",
    ]);
    let out = dir.run(&[
        "serve",
        "--dtls",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        "rsa.pem",
        "--key",
        "rsa-key.pem",
    ]);
    assert_eq!(code(&out), 1, "{}", all_output(&out));
    let err = stderr(&out);
    assert!(
        err.contains("DTLS here needs an ECDSA key (P-256 or P-384), and this is an RSA key; `tlskit gencert` makes an ECDSA P-256 certificate and key"),
        "{err}"
    );
    assert!(
        stdout(&out).is_empty(),
        "nothing was served: {}",
        stdout(&out)
    );
}

#[test]
fn a_closed_udp_port_is_refused_with_exit_3_not_a_timeout() {
    let dir = Dir::new();
    let port = free_udp_port();
    let out = tlskit_with_input(
        &dir,
        "",
        &[
            "connect",
            "--dtls",
            &format!("127.0.0.1:{port}"),
            "--timeout",
            "20",
            "--insecure",
        ],
    );
    assert_eq!(code(&out), 3, "{}", all_output(&out));
    let err = stderr(&out);
    assert!(err.contains("nothing listens on that UDP port"), "{err}");
    assert!(!err.contains("timed out"), "{err}");
}

/// The first datagram `connect --dtls` sends (with `extra` flags): a real ClientHello to replay.
fn capture_client_hello(dir: &Dir, extra: &[&str]) -> Vec<u8> {
    let sink = UdpSocket::bind("127.0.0.1:0").unwrap();
    sink.set_read_timeout(Some(SECS(10))).unwrap();
    let port = sink.local_addr().unwrap().port();
    let target = format!("127.0.0.1:{port}");
    let mut args = vec!["connect", "--dtls", &target, "--insecure", "--timeout", "3"];
    args.extend_from_slice(extra);
    let mut cmd = dir.tlskit(&args);
    cmd.stdin(std::process::Stdio::null());
    let _client = Background::spawn(cmd);
    let mut buf = [0u8; 4096];
    let (n, _) = sink.recv_from(&mut buf).expect("a ClientHello");
    buf[..n].to_vec()
}

#[test]
fn garbage_and_a_client_hello_flood_leave_the_server_serving() {
    let dir = Dir::new();
    let mut served = serve_dtls(&dir, &["--max-connections", "32"]);
    let server = format!("127.0.0.1:{}", served.port);
    let hello = capture_client_hello(&dir, &[]);
    assert_eq!(hello[0], 22, "a handshake record");
    let hello12 = capture_client_hello(&dir, &["--tls12"]);

    // Garbage, truncated and oversized records from one port: no answer, no state.
    let noise = UdpSocket::bind("127.0.0.1:0").unwrap();
    noise
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut oversized = vec![22, 0xfe, 0xfd];
    oversized.resize(60_000, 0);
    for d in [
        b"garbage".to_vec(),
        vec![0u8; 1],
        hello[..20].to_vec(),
        vec![23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5],
        oversized,
    ] {
        noise.send_to(&d, &server).unwrap();
    }

    // 400 ClientHellos from 400 ports, DTLS 1.3 and 1.2 ones in turn: each
    // gets at most one answer, no larger than what it sent, and only the cookie
    // challenge (a HelloRetryRequest, a HelloVerifyRequest), not the certificate.
    let flood_wave = |count: usize, check: bool| {
        let mut answered = 0;
        let flood: Vec<(UdpSocket, &Vec<u8>)> = (0..count)
            .map(|i| {
                let s = UdpSocket::bind("127.0.0.1:0").unwrap();
                (s, if i % 2 == 0 { &hello } else { &hello12 })
            })
            .collect();
        for (s, h) in &flood {
            s.send_to(h, &server).unwrap();
        }
        let mut buf = [0u8; 65_536];
        for (s, h) in &flood {
            s.set_read_timeout(Some(Duration::from_millis(if check { 20 } else { 1 })))
                .unwrap();
            let mut replies = 0;
            while let Ok(n) = s.recv(&mut buf) {
                replies += 1;
                if !check {
                    continue;
                }
                assert!(
                    n <= h.len(),
                    "a reply of {n} bytes to a ClientHello of {}",
                    h.len()
                );
                // Handshake record, then the message type at byte 13: 3 is
                // HelloVerifyRequest (DTLS 1.2), 2 a HelloRetryRequest (DTLS 1.3).
                let expected = if std::ptr::eq(*h, &hello12) { 3 } else { 2 };
                assert_eq!((buf[0], buf[13]), (22, expected), "{:?}", &buf[..n.min(40)]);
            }
            assert!(replies <= 1, "{replies} replies to one ClientHello");
            answered += replies;
        }
        answered
    };
    let answered = flood_wave(400, true);
    assert!(answered > 0, "the server answered no ClientHello");
    // Memory stays flat under more of the same: the state of peers that never
    // answer their challenge is bounded, not kept per address.
    let rss = || {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", served.bg.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmRSS")
    };
    let before = rss();
    for _ in 0..5 {
        flood_wave(400, false);
    }
    let after = rss();
    assert!(
        after <= before + 4 * 1024,
        "serve grew from {before} kB to {after} kB under 2,000 more forged ClientHellos"
    );
    let mut buf = [0u8; 64];
    assert!(noise.recv(&mut buf).is_err(), "noise was answered");

    // A real client still gets through.
    let out = tlskit_with_input(
        &dir,
        "still here\n",
        &[
            "connect",
            "--dtls",
            &format!("localhost:{}", served.port),
            "--pin",
            &served.pin,
            "--read-timeout",
            "1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "still here\n");
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["end"], "closed", "{assoc}");
    assert!(served.terminate(SECS(10)).success());
    let summary = served.event("summary", SECS(10));
    assert_eq!(summary["associations"], 1, "{summary}");
    assert!(
        summary["peak_peers"].as_u64().unwrap() <= 32,
        "the peer table grew past --max-connections: {summary}"
    );
    // The kernel drops what the server cannot read in time; of what it read,
    // every peer beyond the table's room was a challenge never answered.
    assert!(
        summary["unanswered_challenges"].as_u64().unwrap() > 0,
        "{summary}"
    );
    assert!(
        summary["stray_datagrams"].as_u64().unwrap() >= 4,
        "{summary}"
    );
}

/// How much slower than an idle machine this one may be now: the 1-minute
/// load average per core (at least 1, at most 8), or `TLSKIT_TEST_TIME_SCALE`
/// when set. It stretches how long a test waits, never what it asserts.
fn time_scale() -> u32 {
    if let Some(n) = std::env::var("TLSKIT_TEST_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
    {
        return n.clamp(1, 20);
    }
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    (load / cores).ceil().clamp(1.0, 8.0) as u32
}

/// What the lossy relay does with the `index`-th datagram going `dir`
/// (0: client to server): a fixed function of both, so every run sees the
/// same pattern whatever the timing. A datagram after a dropped one in the
/// same direction always passes, so 25 % drawn gives 20 % dropped and no
/// flight's retransmission is lost twice in a row by the same bad luck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Pass,
    Drop,
    Duplicate,
    Reorder,
}

fn fate(dir: u64, index: u64, after_drop: bool) -> Fate {
    // splitmix64 of a fixed seed, the direction and the index.
    let mut z = 0x2545_f491_4f6c_dd1d_u64 ^ (dir << 40) ^ index;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    match z % 100 {
        0..=24 if !after_drop => Fate::Drop,
        0..=24 => Fate::Pass,
        25..=36 => Fate::Duplicate,
        37..=48 => Fate::Reorder,
        _ => Fate::Pass,
    }
}

/// A loopback UDP relay between one client and `server` that drops (20 %),
/// duplicates and reorders (about 10 % each) datagrams in both directions
/// by [`fate`], until `stop` is set or `limit` passes. Returns how many of
/// each it did.
fn lossy_relay(
    server: std::net::SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    limit: Duration,
) -> (u16, std::thread::JoinHandle<[u64; 4]>) {
    use std::sync::atomic::Ordering;
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").unwrap();
    back.connect(server).unwrap();
    let port = front.local_addr().unwrap().port();
    for s in [&front, &back] {
        s.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
    }
    let handle = std::thread::spawn(move || {
        let (mut passed, mut dropped, mut duplicated, mut reordered) = (0, 0, 0, 0);
        let mut client = None;
        let mut index = [0u64; 2];
        let mut after_drop = [false; 2];
        // A datagram held back, per direction, to be sent after the next one.
        let mut held: [Option<Vec<u8>>; 2] = [None, None];
        let deadline = Instant::now() + limit;
        let mut buf = vec![0u8; 65_536];
        while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
            for (dir, hold) in held.iter_mut().enumerate() {
                let got = if dir == 0 {
                    front.recv_from(&mut buf).map(|(n, a)| {
                        client = Some(a);
                        n
                    })
                } else {
                    back.recv(&mut buf)
                };
                let Ok(n) = got else { continue };
                let Some(to) = client else { continue };
                let send = |d: &[u8]| {
                    let _ = if dir == 0 {
                        back.send(d)
                    } else {
                        front.send_to(d, to)
                    };
                };
                let d = buf[..n].to_vec();
                let f = fate(dir as u64, index[dir], after_drop[dir]);
                index[dir] += 1;
                after_drop[dir] = f == Fate::Drop;
                match f {
                    Fate::Drop => dropped += 1,
                    Fate::Duplicate => {
                        duplicated += 1;
                        send(&d);
                        send(&d);
                    }
                    Fate::Reorder if hold.is_none() => {
                        reordered += 1;
                        *hold = Some(d);
                        continue;
                    }
                    Fate::Reorder | Fate::Pass => {
                        passed += 1;
                        send(&d);
                    }
                }
                if let Some(h) = hold.take() {
                    send(&h);
                }
            }
        }
        [passed, dropped, duplicated, reordered]
    });
    (port, handle)
}

#[test]
fn lossy_pattern_drops_a_fifth_and_never_twice_in_a_row() {
    for dir in 0..2 {
        let mut after = false;
        let mut drops = 0;
        for i in 0..10_000 {
            let f = fate(dir, i, after);
            assert!(!(after && f == Fate::Drop), "two drops in a row at {i}");
            after = f == Fate::Drop;
            drops += u32::from(after);
        }
        assert!((1_800..=2_200).contains(&drops), "{drops} of 10000 dropped");
    }
}

/// Through a relay that drops a fifth of the datagrams each way, duplicates
/// and reorders others (a fixed pattern), the DTLS 1.3 handshake completes
/// (retransmission works both ways), no echoed datagram is corrupted, and
/// none is delivered twice (replay protection). Load on the machine makes
/// the run longer, never a failure: every wait scales with [`time_scale`],
/// and nothing is asserted about time.
#[test]
fn loss_duplication_and_reordering_neither_stop_the_handshake_nor_corrupt_or_repeat_data() {
    use std::io::{BufRead, BufReader};
    use std::sync::atomic::{AtomicBool, Ordering};
    let scale = time_scale();
    let secs = |n: u64| SECS(n * u64::from(scale));
    let dir = Dir::new();
    // The server's handshake deadline as long as the client's: dimpl doubles
    // its retransmission timer each time (1, 2, 4, 8 s…), and a server that
    // gave up sooner would forget a client still trying.
    let timeout = (60 * scale).to_string();
    let mut served = serve_dtls(&dir, &["--handshake-timeout", &timeout]);
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let (port, relay) = lossy_relay(served.addr.parse().unwrap(), stop.clone(), secs(180));
    let mut cmd = dir.tlskit(&[
        "connect",
        "--dtls",
        &format!("localhost:{port}"),
        "--pin",
        &served.pin,
        "--timeout",
        &timeout,
        "--read-timeout",
        "3",
        "--json",
    ]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, echoes) = std::sync::mpsc::channel();
    let reader = {
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    };
    // Numbered datagrams, one at a time, each waited for a moment (late
    // echoes still count): until 30 have come back, at most 400 sent. Data
    // sent before the server has the client's last handshake flight is lost
    // like any other datagram.
    // Every line that came back, in order; checked once the client is done
    // (a client that failed writes its report there instead).
    let mut sent: Vec<String> = Vec::new();
    let mut received: Vec<String> = Vec::new();
    let mut distinct = std::collections::HashSet::new();
    let mut take = |line: String, sent: &[String]| {
        if sent.contains(&line) {
            distinct.insert(line.clone());
        }
        received.push(line);
        distinct.len()
    };
    let mut back_so_far = 0;
    for i in 0..400 {
        if back_so_far >= 30 {
            break;
        }
        let line = format!("datagram-{i:03}");
        sent.push(line.clone());
        if stdin.write_all(format!("{line}\n").as_bytes()).is_err() {
            break;
        }
        let wait = Duration::from_millis(250 * u64::from(scale));
        while let Ok(back) = echoes.recv_timeout(wait) {
            back_so_far = take(back, &sent);
        }
    }
    drop(stdin);
    let limit = Instant::now() + secs(120);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < limit, "connect --dtls did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = reader.join();
    // Echoes that came in after the last wait.
    while let Ok(back) = echoes.try_recv() {
        take(back, &sent);
    }
    let out = child.wait_with_output().unwrap();
    stop.store(true, Ordering::Relaxed);
    let [passed, dropped, duplicated, reordered] = relay.join().unwrap();
    let text = received.join("\n");
    assert_eq!(code(&out), 0, "{}\n{text}", stderr(&out));
    assert!(
        dropped > 0 && duplicated > 0 && reordered > 0,
        "the relay did nothing: {passed} {dropped} {duplicated} {reordered}"
    );
    let report = report_on_stderr(&out);
    assert_eq!(report["handshake"]["protocol"], "DTLSv1.3", "{report}");
    let mut seen = std::collections::HashSet::new();
    for line in &received {
        assert!(
            sent.contains(line),
            "a corrupted datagram: {line:?}\n{text}"
        );
        assert!(seen.insert(line), "delivered twice: {line:?}\n{text}");
    }
    assert!(
        seen.len() >= 30,
        "only {} of {} datagrams came back through the relay\n{text}",
        seen.len(),
        sent.len()
    );
    let status = served.terminate(secs(10));
    assert!(status.success(), "serve: {status:?}\n{}", served.stderr());
    let assoc = served.event("association", secs(10));
    assert!(
        assoc["datagrams_in"].as_u64().unwrap() <= sent.len() as u64,
        "a duplicated record reached the server twice: {assoc}"
    );
}

#[test]
fn bench_dtls_counts_handshakes_and_checks_every_echo() {
    let dir = Dir::new();
    let mut served = serve_dtls(&dir, &[]);
    let out = dir.run(&[
        "bench",
        "--dtls",
        &format!("localhost:{}", served.port),
        "--pin",
        &served.pin,
        "-n",
        "10",
        "-c",
        "2",
        "--datagrams",
        "20",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["handshakes"], 10, "{r}");
    assert_eq!(r["failed"], 0, "{r}");
    assert_eq!(r["datagrams_sent"], 200, "{r}");
    assert_eq!(r["datagrams_corrupted"], 0, "{r}");
    let back = r["datagrams_echoed"].as_u64().unwrap() + r["datagrams_lost"].as_u64().unwrap();
    assert_eq!(
        back, 200,
        "every datagram is either back intact or counted lost: {r}"
    );
    // A wrong pin: no handshake completes, and the exit code says why.
    let out = dir.run(&[
        "bench",
        "--dtls",
        &format!("localhost:{}", served.port),
        "--pin",
        "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "-n",
        "2",
    ]);
    assert_eq!(code(&out), 6, "{}", all_output(&out));
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn socat_dtls_server_and_client() {
    if !have("socat") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    // socat's OPENSSL-DTLS-SERVER echoing through cat, tlskit as the client.
    let port = free_udp_port();
    let mut cmd = Command::new("socat");
    cmd.current_dir(dir.path()).args([
        &format!(
            "OPENSSL-DTLS-SERVER:{port},bind=127.0.0.1,cert=localhost.pem,key=localhost-key.pem,verify=0"
        ),
        "EXEC:cat",
    ]);
    let server = Background::spawn(cmd);
    // socat binds at once but says nothing: retry until the first association works.
    let target = format!("localhost:{port}");
    let mut out = None;
    for _ in 0..20 {
        let o = tlskit_with_input(
            &dir,
            "",
            &[
                "connect",
                "--dtls",
                &target,
                "--ca",
                "ca.pem",
                "--send",
                "via socat\n",
                "--read-timeout",
                "2",
                "--timeout",
                "5",
            ],
        );
        if code(&o) != 3 {
            out = Some(o);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = out.expect("socat never answered");
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "via socat\n");
    drop(server);

    // socat's OPENSSL-DTLS-CLIENT, verifying the name, against serve --dtls.
    let mut served = serve_dtls(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--idle-timeout",
            "2",
        ],
    );
    let out = run_with_input(
        &dir,
        "from socat\n",
        "socat",
        &[
            "-",
            &format!(
                "OPENSSL-DTLS-CLIENT:127.0.0.1:{},cafile=ca.pem,commonname=localhost",
                served.port
            ),
        ],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "from socat\n");
    let assoc = served.event("association", SECS(10));
    assert_eq!(assoc["protocol"], "DTLSv1.2", "{assoc}");
    assert!(served.terminate(SECS(10)).success());
}

#[test]
fn scan_dtls_finds_versions_and_suites() {
    let dir = Dir::new();
    pki(&dir);
    let mut served = serve_dtls(&dir, &["--tls12"]);
    let out = dir.run(&[
        "scan",
        "--dtls",
        &format!("localhost:{}", served.port),
        "--timeout",
        "3",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["versions"][0]["version"], "DTLSv1.3");
    assert_eq!(r["versions"][0]["accepted"], false, "{r}");
    assert_eq!(r["versions"][1]["version"], "DTLSv1.2");
    assert_eq!(
        r["versions"][1]["suites"].as_array().unwrap().len(),
        3,
        "{r}"
    );
    assert!(served.terminate(SECS(10)).success());

    if !have("openssl") {
        return;
    }
    // openssl s_server limited to one suite: exactly that one is found.
    let port = free_udp_port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path()).args([
        "s_server",
        "-dtls1_2",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        "localhost.pem",
        "-key",
        "localhost-key.pem",
        "-cipher",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ]);
    let server = Background::spawn_stdin_open(cmd);
    wait_for_line(&server, "ACCEPT", SECS(10));
    let out = dir.run(&[
        "scan",
        "--dtls",
        &format!("localhost:{port}"),
        "--timeout",
        "3",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["versions"][1]["accepted"], true, "{r}");
    assert_eq!(
        r["versions"][1]["suites"],
        serde_json::json!(["TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]),
        "{r}"
    );
    assert_eq!(r["versions"][0]["accepted"], false, "{r}");
}

#[test]
fn scan_dtls_finds_dtls10_where_openssl_allows_it_and_reports_it_as_deprecated() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    pki(&dir);
    let scan = |extra: &[&str]| {
        let port = free_udp_port();
        let mut args = vec![
            "s_server".to_string(),
            "-accept".to_string(),
            format!("127.0.0.1:{port}"),
            "-cert".into(),
            "localhost.pem".into(),
            "-key".into(),
            "localhost-key.pem".into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let mut cmd = Command::new("openssl");
        cmd.current_dir(dir.path()).args(&args);
        let server = Background::spawn_stdin_open(cmd);
        wait_for_line(&server, "ACCEPT", SECS(10));
        let target = format!("localhost:{port}");
        let json = dir.run(&["scan", "--dtls", &target, "--timeout", "3", "--json"]);
        assert_eq!(code(&json), 0, "{}", all_output(&json));
        drop(server);
        serde_json::from_str::<serde_json::Value>(&stdout(&json)).unwrap()
    };
    // OpenSSL 3.0 offers DTLS 1.0 only at security level 0.
    let r = scan(&["-dtls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    assert_eq!(r["versions"][2]["version"], "DTLSv1.0", "{r}");
    assert_eq!(r["versions"][2]["accepted"], true, "{r}");
    assert_eq!(
        r["versions"][2]["suites"],
        serde_json::json!(["TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"]),
        "{r}"
    );
    assert_eq!(r["versions"][1]["accepted"], false, "{r}");
    assert_eq!(
        r["findings"],
        serde_json::json!([{
            "kind": "deprecated_version",
            "message": "DTLS 1.0 is accepted: it is deprecated by RFC 8996 (its TLS 1.1 base lacks modern AEAD suites); turn it off"
        }]),
        "{r}"
    );
    // A DTLS 1.2 server refuses the DTLS 1.0 ClientHello with protocol_version.
    let r = scan(&["-dtls1_2"]);
    assert_eq!(r["versions"][1]["accepted"], true, "{r}");
    assert_eq!(r["versions"][2]["accepted"], false, "{r}");
    assert_eq!(
        r["versions"][2]["note"], "the server answered with the alert protocol_version",
        "{r}"
    );
    assert_eq!(r["findings"], serde_json::json!([]), "{r}");
}

#[test]
fn dtls_scan_and_bench_need_exactly_one_target() {
    let dir = Dir::new();
    dir.expect(
        &["scan", "--dtls", "127.0.0.1:1", "127.0.0.1:2"],
        2,
        "",
        "tlskit: error: scan --dtls takes one TARGET (and no --targets file)\n",
    );
    dir.expect(
        &["bench", "--dtls"],
        2,
        "",
        "tlskit: error: a required argument is missing: <TARGET> (see 'tlskit bench --help')\n",
    );
}

/// `gnutls-serv --udp` binds every interface (it has no option for
/// loopback only), so it runs in a network namespace of its own with only
/// loopback up (`unshare -n`, which needs root), with `connect --dtls` and
/// `bench --dtls` beside it in the same namespace. It asks for a client
/// certificate, which tlskit answers with a throwaway one; its echo takes at
/// most 254 bytes at a time, so the bench's datagrams are that long.
#[test]
fn connect_and_bench_dtls_against_gnutls_serv_in_a_private_network_namespace() {
    if !have("gnutls-serv") || !have("unshare") || !have("ip") {
        return;
    }
    let probe = run_bounded(
        {
            let mut c = Command::new("unshare");
            c.args(["-n", "true"]);
            c
        },
        SECS(10),
    );
    if code(&probe) != 0 {
        skip(
            "unshare -n",
            "a private network namespace needs root; gnutls-serv cannot be bound to loopback only",
        );
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "-q", "--out", "srv"]);
    std::fs::write(dir.join("input.txt"), "through gnutls-serv\n").unwrap();
    let script = r#"
set -u
ip link set lo up || exit 90
gnutls-serv --udp --echo -q -p 5684 --x509certfile srv.pem --x509keyfile srv-key.pem >serv.log 2>&1 &
serv=$!
i=0
until [ -n "$(ss -Hlun 'sport = :5684' 2>/dev/null)" ]; do
  i=$((i + 1)); [ $i -gt 200 ] && { kill $serv; exit 91; }
  sleep 0.05
done
"$0" --json connect --dtls 127.0.0.1:5684 --ca srv.pem --servername localhost --read-timeout 2 \
  <input.txt >echo.txt 2>connect.json
echo "connect $?" >codes.txt
"$0" --json bench --dtls 127.0.0.1:5684 --ca srv.pem --servername localhost -c 1 -n 3 \
  --datagrams 20 --datagram-size 254 --server-pid $serv >bench.json 2>bench.err
echo "bench $?" >>codes.txt
kill $serv
wait $serv 2>/dev/null
exit 0
"#;
    let mut cmd = Command::new("unshare");
    cmd.args(["-n", "sh", "-c", script])
        .arg(bin())
        .current_dir(dir.path());
    let out = run_bounded(cmd, SECS(120));
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
    assert_eq!(
        read("codes.txt"),
        "connect 0\nbench 0\n",
        "{}",
        read("connect.json") + &read("bench.err")
    );
    assert_eq!(read("echo.txt"), "through gnutls-serv\n");
    let report: serde_json::Value = serde_json::from_str(&read("connect.json")).unwrap();
    assert_eq!(report["handshake"]["protocol"], "DTLSv1.2", "{report}");
    assert_eq!(report["handshake"]["cookie_exchange"], true, "{report}");
    assert_eq!(report["verification"]["verified"], true, "{report}");
    let bench: serde_json::Value = serde_json::from_str(&read("bench.json")).unwrap();
    assert_eq!(bench["handshakes"], 3, "{bench}");
    assert_eq!(bench["datagrams_echoed"], 60, "{bench}");
    assert_eq!(bench["datagrams_corrupted"], 0, "{bench}");
    // Counted in clock ticks: three handshakes may cost less than one.
    assert!(bench["server_cpu"]["total_s"].as_f64().is_some(), "{bench}");
}

/// A client that answers the cookie challenge and then vanishes (a relay
/// that passes its first two datagrams and nothing after) is forgotten at
/// the handshake timeout with one log line, and the server goes on serving.
#[test]
fn a_peer_that_vanishes_mid_handshake_is_dropped_at_the_handshake_timeout() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = Dir::new();
    let served = serve_dtls(&dir, &["--handshake-timeout", "1"]);
    let server: std::net::SocketAddr = served.addr.parse().unwrap();
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").unwrap();
    back.connect(server).unwrap();
    for s in [&front, &back] {
        s.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
    }
    let port = front.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let relay = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut passed = 0;
            let mut client = None;
            let mut buf = vec![0u8; 65_536];
            let deadline = Instant::now() + SECS(60);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Ok((n, from)) = front.recv_from(&mut buf) {
                    client = Some(from);
                    // The ClientHello and its answer to the challenge, then silence.
                    if passed < 2 {
                        passed += 1;
                        let _ = back.send(&buf[..n]);
                    }
                }
                if let (Ok(n), Some(to)) = (back.recv(&mut buf), client) {
                    let _ = front.send_to(&buf[..n], to);
                }
            }
        })
    };
    let out = dir.run(&[
        "connect",
        "--dtls",
        &format!("localhost:{port}"),
        "--pin",
        &served.pin,
        "--tls12",
        "--timeout",
        "4",
    ]);
    stop.store(true, Ordering::Relaxed);
    relay.join().unwrap();
    assert_ne!(code(&out), 0, "{}", all_output(&out));
    let assoc = served.event("association", SECS(20));
    assert_eq!(assoc["end"], "handshake_timeout", "{assoc}");
    assert_eq!(assoc["established"], false, "{assoc}");
    assert_eq!(
        assoc["reason"], "the handshake did not finish within 1 s",
        "{assoc}"
    );
    // The next client is served.
    let out = tlskit_with_input(
        &dir,
        "after the vanished one\n",
        &[
            "connect",
            "--dtls",
            &format!("localhost:{}", served.port),
            "--pin",
            &served.pin,
            "--read-timeout",
            "1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "after the vanished one\n");
}

/// `serve --dtls` in text mode: the banner names the UDP address, the
/// ephemeral certificate and its pin, and its ready-to-copy `connect --dtls`
/// line works as printed.
#[test]
fn the_serve_dtls_banner_gives_a_connect_line_that_works() {
    let dir = Dir::new();
    let bg = Background::spawn(dir.tlskit(&[
        "--color",
        "never",
        "serve",
        "--dtls",
        "--listen",
        "127.0.0.1:0",
    ]));
    let first = bg.line(SECS(20));
    assert!(
        first.starts_with("listening on 127.0.0.1:") && first.ends_with(" (UDP, DTLS)"),
        "{first}"
    );
    let mut pin = None;
    let connect = loop {
        let line = bg.line(SECS(20));
        if let Some(p) = line.trim().strip_prefix("SPKI pin:") {
            pin = Some(p.trim().to_string());
        }
        if let Some(c) = line.trim().strip_prefix("connect:") {
            break c.trim().to_string();
        }
    };
    let pin = pin.expect("the banner shows the pin");
    let words: Vec<&str> = connect.split_whitespace().collect();
    assert_eq!(words[..3], ["tlskit", "connect", "--dtls"], "{connect}");
    assert!(words[3].starts_with("localhost:"), "{connect}");
    assert_eq!(words[4..], ["--pin", pin.as_str()], "{connect}");
    let mut args = words[1..].to_vec();
    args.extend(["--read-timeout", "1"]);
    let out = tlskit_with_input(&dir, "as printed\n", &args);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), "as printed\n");
}

/// `--mtu` on both sides: every datagram of the handshake (the certificate
/// fragmented) and of the data stays within it, each way.
#[test]
fn mtu_bounds_every_datagram_both_ways() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = Dir::new();
    let served = serve_dtls(&dir, &["--mtu", "400"]);
    let server: std::net::SocketAddr = served.addr.parse().unwrap();
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").unwrap();
    back.connect(server).unwrap();
    for s in [&front, &back] {
        s.set_read_timeout(Some(Duration::from_millis(5))).unwrap();
    }
    let port = front.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let relay = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            // The largest datagram and how many, each way.
            let mut seen = [(0usize, 0u32); 2];
            let mut client = None;
            let mut buf = vec![0u8; 65_536];
            let deadline = Instant::now() + SECS(60);
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                if let Ok((n, from)) = front.recv_from(&mut buf) {
                    client = Some(from);
                    seen[0] = (seen[0].0.max(n), seen[0].1 + 1);
                    let _ = back.send(&buf[..n]);
                }
                if let (Ok(n), Some(to)) = (back.recv(&mut buf), client) {
                    seen[1] = (seen[1].0.max(n), seen[1].1 + 1);
                    let _ = front.send_to(&buf[..n], to);
                }
            }
            seen
        })
    };
    let line = "x".repeat(300);
    let out = tlskit_with_input(
        &dir,
        &format!("{line}\n"),
        &[
            "connect",
            "--dtls",
            &format!("localhost:{port}"),
            "--pin",
            &served.pin,
            "--mtu",
            "400",
            "--read-timeout",
            "1",
        ],
    );
    stop.store(true, Ordering::Relaxed);
    let [up, down] = relay.join().unwrap();
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    assert_eq!(stdout(&out), format!("{line}\n"));
    assert!(
        up.0 <= 400 && down.0 <= 400,
        "largest datagrams: {up:?} up, {down:?} down"
    );
    // The server's flight (its certificate) did not fit one datagram.
    assert!(down.1 >= 3, "{down:?}");
}
