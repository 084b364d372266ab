//! `tlskit tunnel server --udp` and `tunnel client --udp` with real peers:
//! a Python UDP echo as the plaintext service (it logs every datagram it
//! gets, so a test sees who reached it), `openssl s_client -dtls1_2` as a
//! DTLS client of the server tunnel, `openssl s_server -dtls1_2` as the DTLS
//! upstream of the client tunnel, and tlskit's client tunnel in front of its
//! server tunnel over DTLS 1.3 (no Debian peer speaks DTLS 1.3).

use std::net::UdpSocket;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{self, code, have, run_bounded, stderr, stdout, Background, Dir, Tunnel};

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// A running `tlskit --json tunnel … --udp`, killed when dropped.
fn udp_tunnel(dir: &Dir, args: &[&str]) -> Tunnel {
    let t = Tunnel::start(dir, args);
    assert_eq!(t.ready["transport"], "udp", "{}", t.ready);
    t
}

/// A plaintext UDP echo service in Python on a loopback port; it prints
/// `PORT` first, then `from SRCPORT LEN` for every datagram it echoes.
pub(crate) fn udp_echo() -> (Background, u16) {
    let script = r#"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    data, addr = s.recvfrom(65535)
    print("from %d %d" % (addr[1], len(data)), flush=True)
    s.sendto(data, addr)
"#;
    let mut cmd = Command::new("python3");
    cmd.args(["-u", "-c", script]);
    let bg = Background::spawn(cmd);
    let port = bg.line(SECS(20)).trim().parse().expect("echo port");
    (bg, port)
}

/// Every `from SRCPORT LEN` line the echo printed so far (waiting `settle` for stragglers).
pub(crate) fn echo_log(echo: &Background, settle: Duration) -> Vec<(u16, usize)> {
    let mut seen = Vec::new();
    while let Ok(line) = echo.lines.recv_timeout(settle) {
        let mut parts = line.split_whitespace().skip(1);
        let port = parts.next().and_then(|p| p.parse().ok()).expect("port");
        let len = parts.next().and_then(|p| p.parse().ok()).expect("len");
        seen.push((port, len));
    }
    seen
}

/// Datagrams of many sizes holding every byte value.
fn payloads() -> Vec<Vec<u8>> {
    [1usize, 2, 17, 255, 256, 700, 1000, 1100]
        .iter()
        .enumerate()
        .map(|(i, &n)| (0..n).map(|j| ((j * 7 + i * 13) % 256) as u8).collect())
        .collect()
}

/// Sends each payload from `socket` to `port` and expects it back byte for
/// byte. A datagram whose answer is late is sent again (UDP), so a late
/// answer to an earlier one may still arrive: it must equal that one.
fn echo_through(socket: &UdpSocket, port: u16, payloads: &[Vec<u8>]) {
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = vec![0u8; 65_536];
    for (i, p) in payloads.iter().enumerate() {
        let mut answered = false;
        'sends: for _ in 0..20 {
            socket.send_to(p, ("127.0.0.1", port)).unwrap();
            while let Ok((n, _)) = socket.recv_from(&mut buf) {
                if buf[..n] == p[..] {
                    answered = true;
                    break 'sends;
                }
                assert!(
                    payloads[..i].iter().any(|q| buf[..n] == q[..]),
                    "a {n}-byte datagram came back that was never sent"
                );
            }
        }
        assert!(answered, "no echo of a {}-byte datagram", p.len());
    }
}

#[test]
fn tlskit_client_to_tlskit_server_over_dtls13_carries_datagrams_byte_for_byte() {
    if !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (echo, echo_port) = udp_echo();
    let mut server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--tls13",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
            "--allow-cn",
            "app",
        ],
    );
    assert_eq!(server.ready["mode"], "server");
    assert_eq!(server.ready["client_auth"], true);
    let mut client = udp_tunnel(
        &dir,
        &[
            "client",
            "--udp",
            "--tls13",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{}", server.port),
            "--ca",
            "ca.pem",
            "--cert",
            "app.pem",
            "--key",
            "app-key.pem",
            "--grace",
            "0",
        ],
    );
    // Two local sources: two associations, each with its own way to the target.
    let payloads = payloads();
    let total: usize = payloads.iter().map(Vec::len).sum();
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    echo_through(&a, client.port, &payloads);
    echo_through(&b, client.port, &payloads[..2]);
    echo_through(&a, client.port, &payloads[2..3]);
    let reached = echo_log(&echo, Duration::from_millis(300));
    let mut sources: Vec<u16> = reached.iter().map(|(p, _)| *p).collect();
    sources.sort_unstable();
    sources.dedup();
    assert_eq!(
        sources.len(),
        2,
        "one target socket per association: {reached:?}"
    );

    // UDP gives no sign that a local source is done: with --grace 0 both
    // associations are cut at the stop, each with close_notify to the server.
    let summary = client.stop();
    assert_eq!(summary["connections"], 2, "{summary}");
    assert_eq!(summary["failed"]["cut_off"], 2, "{summary}");
    let summary = server.stop();
    assert_eq!(summary["connections"], 2, "{summary}");
    assert_eq!(summary["ok"], 2, "{summary}");
    let carried = summary["bytes_up"].as_u64().unwrap();
    assert!(carried >= (total + 1 + 2 + 17) as u64, "{summary}");
    assert_eq!(summary["bytes_up"], summary["bytes_down"], "{summary}");
}

#[test]
fn server_tunnel_logs_one_line_per_association_with_the_client_and_version() {
    if !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_echo, echo_port) = udp_echo();
    let server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
            "--idle-timeout",
            "1",
        ],
    );
    let client = udp_tunnel(
        &dir,
        &[
            "client",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{}", server.port),
            "--ca",
            "ca.pem",
            "--cert",
            "app.pem",
            "--key",
            "app-key.pem",
            "--idle-timeout",
            "1",
        ],
    );
    // One datagram, never resent (the handshake happens first; give it time),
    // so that the counts below are exact.
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(SECS(15))).unwrap();
    s.send_to(b"ping", ("127.0.0.1", client.port)).unwrap();
    let mut buf = [0u8; 64];
    let (n, _) = s.recv_from(&mut buf).expect("the echo");
    assert_eq!(&buf[..n], b"ping");
    // Nothing more moves: both sides end the association on their idle timeout.
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["client"]["cn"], "app", "{rec}");
    assert_eq!(rec["version"], "DTLSv1.3", "{rec}");
    assert_eq!(rec["bytes_up"], 4, "{rec}");
    assert_eq!(rec["bytes_down"], 4, "{rec}");
    assert!(
        ["idle_timeout", "closed"].contains(&rec["outcome"].as_str().unwrap_or_default()),
        "{rec}"
    );
    let rec = client.event("connection", SECS(20));
    assert_eq!(rec["peer"], s.local_addr().unwrap().to_string(), "{rec}");
    assert_eq!(rec["version"], "DTLSv1.3", "{rec}");
    assert_eq!(rec["bytes_up"], 4, "{rec}");
    assert_eq!(rec["bytes_down"], 4, "{rec}");
}

/// `openssl ARGS` with `input` on stdin, at most 30 s.
pub(crate) fn openssl_with_input(dir: &Dir, input: &str, args: &[&str]) -> Output {
    std::fs::write(dir.join("stdin.txt"), input).unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("exec openssl \"$@\" < stdin.txt")
        .arg("openssl")
        .args(args)
        .current_dir(dir.path());
    run_bounded(cmd, SECS(30))
}

#[test]
fn openssl_s_client_dtls12_is_served_and_refused_clients_never_reach_the_target() {
    if !have("openssl") || !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (echo, echo_port) = udp_echo();
    let server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
            "--allow-cn",
            "app",
            "--idle-timeout",
            "2",
        ],
    );
    let target = format!("127.0.0.1:{}", server.port);
    let s_client = |who: &str| {
        openssl_with_input(
            &dir,
            "through the tunnel\n",
            &[
                "s_client",
                "-dtls1_2",
                "-connect",
                &target,
                "-CAfile",
                "ca.pem",
                "-verify_return_error",
                "-cert",
                &format!("{who}.pem"),
                "-key",
                &format!("{who}-key.pem"),
                "-ign_eof",
            ],
        )
    };
    let all = |o: &Output| format!("{}\n{}", stdout(o), stderr(o));

    let ok = s_client("app");
    assert!(
        stdout(&ok).contains("through the tunnel"),
        "the echo comes back: {}",
        all(&ok)
    );
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["client"]["cn"], "app", "{rec}");
    assert_eq!(rec["version"], "DTLSv1.2", "{rec}");
    assert_eq!(rec["bytes_up"], 19, "{rec}");
    assert_eq!(rec["bytes_down"], 19, "{rec}");
    assert_eq!(echo_log(&echo, Duration::from_millis(300)).len(), 1);

    // Issued by the CA but not allowed: access_denied, and no datagram reaches the target.
    let denied = s_client("intruder");
    assert_ne!(code(&denied), 0, "{}", all(&denied));
    assert!(all(&denied).contains("access denied"), "{}", all(&denied));
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "denied", "{rec}");
    assert_eq!(rec["client"]["cn"], "intruder", "{rec}");
    assert_eq!(
        rec["reason"],
        "the client certificate (CN=intruder, DNS:intruder) matches no --allow-cn, --allow-dns, --allow-uri or --allow-pin rule"
    );

    // Another CA: unknown_ca.
    let refused = s_client("stranger");
    assert_ne!(code(&refused), 0, "{}", all(&refused));
    assert!(all(&refused).contains("unknown ca"), "{}", all(&refused));
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert_eq!(rec["bytes_up"], 0, "{rec}");
    assert!(
        echo_log(&echo, Duration::from_millis(500)).is_empty(),
        "a refused client reached the target"
    );
}

#[test]
fn client_tunnel_speaks_dtls12_to_openssl_s_server_both_ways() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let port = {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.local_addr().unwrap().port()
    };
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path()).args([
        "s_server",
        "-dtls1_2",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        "srv.pem",
        "-key",
        "srv-key.pem",
    ]);
    let mut server = Background::spawn_stdin_open(cmd);
    let deadline = Instant::now() + SECS(10);
    while Instant::now() < deadline {
        if server.line(SECS(10)).contains("ACCEPT") {
            break;
        }
    }
    let client = udp_tunnel(
        &dir,
        &[
            "client",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{port}"),
            "--ca",
            "ca.pem",
        ],
    );
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(SECS(10))).unwrap();
    s.send_to(b"up the tunnel\n", ("127.0.0.1", client.port))
        .unwrap();
    // openssl prints what it decrypted on its stdout.
    let deadline = Instant::now() + SECS(20);
    let mut seen = Vec::new();
    loop {
        assert!(
            Instant::now() < deadline,
            "s_server never printed it: {seen:?}"
        );
        let line = server.line(SECS(20));
        if line == "up the tunnel" {
            break;
        }
        seen.push(line);
    }
    // And what it reads on stdin goes back as one datagram.
    {
        use std::io::Write;
        let stdin = server.child.stdin.as_mut().expect("s_server stdin");
        stdin.write_all(b"down the tunnel\n").unwrap();
        stdin.flush().unwrap();
    }
    let mut buf = [0u8; 2048];
    let (n, _) = s.recv_from(&mut buf).expect("the answer comes back");
    assert_eq!(&buf[..n], b"down the tunnel\n");
    drop(client);
    let _ = server.child.stdin.take();
    let _ = server.child.stdout.take().map(|_| Stdio::null());
}

#[test]
fn client_tunnel_logs_a_server_that_fails_verification_and_delivers_nothing() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    // A DTLS server tunnel with its ephemeral certificate, to be checked against a wrong pin.
    let server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            "127.0.0.1:9",
        ],
    );
    assert_eq!(server.ready["ephemeral"], true);
    let client = udp_tunnel(
        &dir,
        &[
            "client",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{}", server.port),
            "--pin",
            "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ],
    );
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.send_to(b"secret", ("127.0.0.1", client.port)).unwrap();
    let rec = client.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("pin"), "{reason}");
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(s.recv_from(&mut buf).is_err(), "nothing comes back");
}

#[test]
fn udp_refuses_what_only_tcp_has() {
    let dir = Dir::new();
    let server = [
        "tunnel",
        "server",
        "--udp",
        "--listen",
        "0",
        "--target",
        "127.0.0.1:1",
    ];
    let client = [
        "tunnel",
        "client",
        "--udp",
        "--listen",
        "0",
        "--target",
        "127.0.0.1:1",
    ];
    for (base, extra, expected) in [
        (
            &server,
            &["--proxy-protocol"][..],
            "--proxy-protocol is not available with --udp: a PROXY header needs a stream to the target, and UDP has none".to_string(),
        ),
        (
            &client,
            &["--alpn", "h2"][..],
            "--alpn is not available with --udp: DTLS here carries no ALPN".to_string(),
        ),
        (
            &server,
            &["--ocsp", "auto"][..],
            "--ocsp is not available with --udp: DTLS here cannot staple an OCSP response (it has no status_request); clients check the certificate themselves (tlskit connect --dtls --check-revocation)".to_string(),
        ),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let out = dir.run(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), format!("tlskit: error: {expected}\n"), "{args:?}");
    }
    // --mtu is a DTLS setting: without --udp it is a usage error (clap's).
    let out = dir.run(&[
        "tunnel",
        "server",
        "--listen",
        "0",
        "--target",
        "127.0.0.1:1",
        "--mtu",
        "600",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--udp"), "{}", stderr(&out));
    let out = dir.run(&[
        "tunnel",
        "server",
        "--udp",
        "--listen",
        "0",
        "--target",
        "unix:/tmp/x.sock",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--udp needs --target HOST:PORT"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn server_tunnel_turns_away_associations_over_max_connections() {
    if !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_echo, echo_port) = udp_echo();
    let mut server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--max-connections",
            "1",
        ],
    );
    let pin = server.ready["certificate"]["spki_pin"]
        .as_str()
        .expect("pin")
        .to_string();
    let client = udp_tunnel(
        &dir,
        &[
            "client",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{}", server.port),
            "--pin",
            &pin,
            "--connect-timeout",
            "2",
        ],
    );
    let first = UdpSocket::bind("127.0.0.1:0").unwrap();
    echo_through(&first, client.port, &[b"first".to_vec()]);
    // The one slot is taken: a second source's handshake gets no answer.
    let second = UdpSocket::bind("127.0.0.1:0").unwrap();
    second
        .send_to(b"second", ("127.0.0.1", client.port))
        .unwrap();
    let rec = client.event("connection", SECS(20));
    assert_eq!(
        rec["peer"],
        second.local_addr().unwrap().to_string(),
        "{rec}"
    );
    assert_eq!(rec["outcome"], "target_unreachable", "{rec}");
    // The first is still served.
    echo_through(&first, client.port, &[b"still here".to_vec()]);
    // Stopping closes the open association at once (close_notify, no --grace over UDP).
    let summary = server.stop();
    assert_eq!(summary["failed"]["cut_off"], 1, "{summary}");
    assert!(
        summary["failed"]["busy"].as_u64().unwrap_or_default() >= 1,
        "{summary}"
    );
}

#[test]
fn gnutls_cli_reaches_a_udp_service_through_the_server_tunnel_with_mtls() {
    if !have("gnutls-cli") || !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (echo, echo_port) = udp_echo();
    let server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
            "--allow-cn",
            "app",
        ],
    );
    std::fs::write(dir.join("stdin.txt"), "from gnutls\n").unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        // gnutls-cli closes at the end of its input: keep it open a second,
        // for the echo to come back from the target.
        .arg("{ cat stdin.txt; sleep 1; } | gnutls-cli \"$@\"")
        .arg("gnutls-cli")
        .args([
            "--udp",
            "--x509cafile",
            "ca.pem",
            "--x509certfile",
            "app.pem",
            "--x509keyfile",
            "app-key.pem",
            "-p",
            &server.port.to_string(),
            "localhost",
        ])
        .current_dir(dir.path());
    let out = run_bounded(cmd, SECS(30));
    let all = format!("{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(code(&out), 0, "{all}");
    assert!(stdout(&out).contains("from gnutls"), "{all}");
    // The target got the one datagram, unchanged in length.
    let reached = echo_log(&echo, Duration::from_millis(300));
    assert_eq!(reached.len(), 1, "{reached:?}");
    assert_eq!(reached[0].1, 12, "{reached:?}");
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["client"]["cn"], "app", "{rec}");
    assert_eq!(rec["version"], "DTLSv1.2", "{rec}");
    assert_eq!(rec["bytes_up"], 12, "{rec}");
}

/// `openssl s_client -dtls1_2` to `port` with its stdin held open by the
/// test: each line written goes out as one datagram, and what comes back is
/// on its stdout. Closing stdin ends the association with close_notify.
struct DtlsClient {
    bg: Background,
    stdin: Option<std::process::ChildStdin>,
}

impl DtlsClient {
    fn start(dir: &Dir, port: u16) -> DtlsClient {
        let mut cmd = Command::new("openssl");
        cmd.args([
            "s_client",
            "-dtls1_2",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-CAfile",
            "ca.pem",
            "-verify_return_error",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("openssl s_client");
        let stdin = child.stdin.take();
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        DtlsClient {
            bg: Background { child, lines },
            stdin,
        }
    }

    /// Sends `text` and waits for it to come back (skipping s_client's own lines).
    fn echo(&mut self, text: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{text}").expect("write to s_client");
        stdin.flush().expect("flush");
        let deadline = Instant::now() + SECS(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.bg.lines.recv_timeout(left) {
                Ok(line) if line == text => return,
                Ok(_) => continue,
                Err(e) => panic!("'{text}' did not come back through the tunnel: {e}"),
            }
        }
    }

    /// Closes stdin (s_client sends close_notify) and waits for it to exit.
    fn close(&mut self) {
        self.stdin.take();
        assert!(self.bg.wait(SECS(20)).is_some(), "s_client exits");
    }
}

/// The body of `curl -sS http://ADDR/PATH`.
fn curl(addr: &str, path: &str) -> String {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "20", &format!("http://{addr}{path}")]);
    let out = run_bounded(cmd, SECS(30));
    assert_eq!(code(&out), 0, "curl {addr}{path}: {}", stderr(&out));
    stdout(&out)
}

/// The SHA-256 fingerprint of the leaf that `connect --dtls` sees on `port`.
fn served_fingerprint(dir: &Dir, port: u16) -> String {
    let out = dir.run(&[
        "--json",
        "connect",
        "--dtls",
        &format!("127.0.0.1:{port}"),
        "--ca",
        "ca.pem",
        "--servername",
        "localhost",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("connect JSON");
    report["chain"][0]["sha256_fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string()
}

/// Replaces `to` with `from`'s content through a rename (as deploy tools do).
fn replace_file(dir: &Dir, from: &str, to: &str) {
    let tmp = dir.join(&format!("{to}.new"));
    std::fs::copy(dir.join(from), &tmp).unwrap();
    std::fs::rename(tmp, dir.join(to)).unwrap();
}

#[test]
fn server_tunnel_reloads_its_certificate_while_open_associations_keep_their_session() {
    if !have("openssl") || !have("python3") || !have("curl") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    dir.ok(&["gencert", "--issuer", "ca.pem", "-q", "--out", "srv2"]);
    // The files the tunnel serves, replaced under it later.
    replace_file(&dir, "srv.pem", "live.pem");
    replace_file(&dir, "srv-key.pem", "live-key.pem");
    let first = crate::util::openssl_fingerprint(&dir, "srv.pem", "sha256");
    let second = crate::util::openssl_fingerprint(&dir, "srv2.pem", "sha256");
    let (_echo, echo_port) = udp_echo();
    let mut server = Tunnel::start(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "live.pem",
            "--key",
            "live-key.pem",
            "--status",
            "127.0.0.1:0",
        ],
    );
    let status = server.event("status_listening", SECS(20));
    let status_addr = status["addr"].as_str().unwrap().to_string();
    assert_eq!(served_fingerprint(&dir, server.port), first);
    server.event("connection", SECS(20));

    // An association opened before the reload.
    let mut old = DtlsClient::start(&dir, server.port);
    old.echo("before the reload");
    let counters: serde_json::Value = serde_json::from_str(&curl(&status_addr, "/")).unwrap();
    assert_eq!(counters["mode"], "server", "{counters}");
    assert_eq!(counters["connections_open"], 1, "{counters}");
    assert_eq!(counters["connections_total"], 2, "{counters}");

    // SIGHUP with new files: the new certificate is served, the old association goes on.
    replace_file(&dir, "srv2.pem", "live.pem");
    replace_file(&dir, "srv2-key.pem", "live-key.pem");
    let pid = server.bg.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap()
        .success());
    let reloaded = server.event("reloaded", SECS(20));
    assert_eq!(
        reloaded["certificate"]["sha256_fingerprint"],
        second.as_str()
    );
    old.echo("after the reload");
    assert_eq!(served_fingerprint(&dir, server.port), second);
    server.event("connection", SECS(20));

    // A broken file (seen by the file watch, no signal): the last good one stays, and why is logged.
    std::fs::write(dir.join("live.pem.new"), "not a certificate\n").unwrap();
    std::fs::rename(dir.join("live.pem.new"), dir.join("live.pem")).unwrap();
    let failed = server.event("reload_failed", SECS(30));
    let reason = failed["reason"].as_str().unwrap();
    assert!(
        reason.ends_with("; still serving the previous certificate and client CA"),
        "{failed}"
    );
    assert!(reason.contains("live.pem"), "{failed}");
    old.echo("after the broken reload");
    assert_eq!(served_fingerprint(&dir, server.port), second);
    server.event("connection", SECS(20));

    let metrics = curl(&status_addr, "/metrics");
    assert!(
        metrics.contains("\ntlskit_tunnel_connections_open 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\ntlskit_tunnel_connections_total 4\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\ntlskit_tunnel_certificate_expiry_seconds "),
        "{metrics}"
    );
    old.close();
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    // The three lines above, each with its newline, went up and came back;
    // counted as they moved, and not again when the association ended.
    let up = "before the reload\nafter the reload\nafter the broken reload\n".len();
    assert_eq!(rec["bytes_up"], up, "{rec}");
    let metrics = curl(&status_addr, "/metrics");
    for line in [
        "tlskit_tunnel_connections_open 0".to_string(),
        format!("tlskit_tunnel_bytes_total{{direction=\"up\"}} {up}"),
        format!("tlskit_tunnel_bytes_total{{direction=\"down\"}} {up}"),
    ] {
        assert!(
            metrics.contains(&format!("\n{line}\n")),
            "{line}: {metrics}"
        );
    }
    let summary = server.stop();
    assert_eq!(summary["connections"], 4, "{summary}");
    assert_eq!(summary["ok"], 4, "{summary}");
}

#[test]
fn server_tunnel_grace_lets_an_open_association_finish_and_cuts_it_after() {
    if !have("openssl") || !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_echo, echo_port) = udp_echo();
    let target = format!("127.0.0.1:{echo_port}");
    let common = [
        "server",
        "--udp",
        "--listen",
        "127.0.0.1:0",
        "--target",
        &target,
        "--cert",
        "srv.pem",
        "--key",
        "srv-key.pem",
    ];

    // Within the grace period the association carries on, then ends as it would.
    let mut args = common.to_vec();
    args.extend(["--grace", "60"]);
    let mut server = Tunnel::start(&dir, &args);
    let mut client = DtlsClient::start(&dir, server.port);
    client.echo("before the stop");
    let pid = server.bg.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let shutdown = server.event("shutdown", SECS(20));
    assert_eq!(shutdown["open_connections"], 1, "{shutdown}");
    assert_eq!(shutdown["grace_ms"], 60_000, "{shutdown}");
    client.echo("during the grace period");
    // No new association while stopping.
    let late = dir.run(&[
        "connect",
        "--dtls",
        &format!("127.0.0.1:{}", server.port),
        "--ca",
        "ca.pem",
        "--servername",
        "localhost",
        "--timeout",
        "2",
    ]);
    assert_eq!(code(&late), 3, "{}", stderr(&late));
    client.close();
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    let summary = server.event("summary", SECS(20));
    assert_eq!(summary["ok"], 1, "{summary}");
    assert_eq!(summary["connections"], 1, "{summary}");
    assert!(server.bg.wait(SECS(20)).expect("exits").success());

    // A short grace period: the association still open when it ends is cut, and logged so.
    let mut args = common.to_vec();
    args.extend(["--grace", "1"]);
    let mut server = Tunnel::start(&dir, &args);
    let mut client = DtlsClient::start(&dir, server.port);
    client.echo("before the stop");
    let summary = server.stop();
    assert_eq!(summary["failed"]["cut_off"], 1, "{summary}");
    client.close();
}

/// Sends `text` from `socket` through the client tunnel on `port` until it
/// comes back (at most 20 tries), and returns whether it did.
fn round_trip(socket: &UdpSocket, port: u16, text: &str) -> bool {
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 2048];
    for _ in 0..20 {
        socket
            .send_to(text.as_bytes(), ("127.0.0.1", port))
            .unwrap();
        while let Ok((n, _)) = socket.recv_from(&mut buf) {
            if &buf[..n] == text.as_bytes() {
                return true;
            }
        }
    }
    false
}

#[test]
fn client_tunnel_reloads_its_ca_for_new_associations_and_counts_on_its_status_page() {
    if !have("python3") || !have("curl") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    replace_file(&dir, "ca.pem", "trust.pem");
    let (_echo, echo_port) = udp_echo();
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
        ],
    );
    let mut client = Tunnel::start(
        &dir,
        &[
            "client",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{}", server.port),
            "--ca",
            "trust.pem",
            "--status",
            "127.0.0.1:0",
            "--mtu",
            "600",
            "--grace",
            "0",
        ],
    );
    let status = client.event("status_listening", SECS(20));
    let status_addr = status["addr"].as_str().unwrap().to_string();
    let first = UdpSocket::bind("127.0.0.1:0").unwrap();
    assert!(round_trip(&first, client.port, "first source"));
    let counters: serde_json::Value = serde_json::from_str(&curl(&status_addr, "/")).unwrap();
    assert_eq!(counters["mode"], "client", "{counters}");
    assert_eq!(counters["connections_open"], 1, "{counters}");
    assert_eq!(
        counters["certificate_expires_in_seconds"],
        serde_json::Value::Null
    );

    // A broken CA file: the reload fails and says so; new associations still verify.
    std::fs::write(dir.join("trust.pem.new"), "garbage\n").unwrap();
    std::fs::rename(dir.join("trust.pem.new"), dir.join("trust.pem")).unwrap();
    let pid = client.bg.child.id().to_string();
    let hup = || {
        assert!(Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success());
    };
    hup();
    let failed = client.event("reload_failed", SECS(20));
    assert!(
        failed["reason"]
            .as_str()
            .unwrap()
            .ends_with("; new associations still use the previous CA and client certificate"),
        "{failed}"
    );
    let second = UdpSocket::bind("127.0.0.1:0").unwrap();
    assert!(round_trip(&second, client.port, "second source"));

    // Another CA: new associations no longer verify the server, the open ones go on.
    replace_file(&dir, "other-ca.pem", "trust.pem");
    hup();
    client.event("reloaded", SECS(20));
    let third = UdpSocket::bind("127.0.0.1:0").unwrap();
    third
        .send_to(b"third source", ("127.0.0.1", client.port))
        .unwrap();
    let rec = client.event("connection", SECS(30));
    assert_eq!(
        rec["peer"],
        third.local_addr().unwrap().to_string(),
        "{rec}"
    );
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert!(round_trip(&first, client.port, "first source, after"));

    let metrics = curl(&status_addr, "/metrics");
    for line in [
        "tlskit_tunnel_connections_open 2",
        "tlskit_tunnel_connections_total 3",
        "tlskit_tunnel_connections_failed_total{outcome=\"handshake_failed\"} 1",
    ] {
        assert!(
            metrics.contains(&format!("\n{line}\n")),
            "{line}: {metrics}"
        );
    }
    let summary = client.stop();
    assert_eq!(summary["connections"], 3, "{summary}");
    assert_eq!(summary["failed"]["cut_off"], 2, "{summary}");
}

/// An association that stays open (a VPN-like flow) shows its traffic on
/// both tunnels' status pages while it is open, and its end adds nothing.
#[test]
fn both_udp_tunnels_count_the_bytes_of_an_open_association_on_their_status_pages() {
    if !have("python3") || !have("curl") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_echo, echo_port) = udp_echo();
    let mut server = udp_tunnel(
        &dir,
        &[
            "server",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("127.0.0.1:{echo_port}"),
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--status",
            "127.0.0.1:0",
        ],
    );
    let server_status = server.event("status_listening", SECS(20))["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let client = udp_tunnel(
        &dir,
        &[
            "client",
            "--udp",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &format!("localhost:{}", server.port),
            "--ca",
            "ca.pem",
            "--status",
            "127.0.0.1:0",
            "--grace",
            "0",
        ],
    );
    let client_status = client.event("status_listening", SECS(20))["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let json = |addr: &str| -> serde_json::Value {
        let body = curl(addr, "/");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };

    // Each datagram sent once, its echo awaited before the next, so the counts are exact.
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(SECS(15))).unwrap();
    let mut buf = [0u8; 2048];
    let mut n = 0u64;
    for (i, len) in [1usize, 300, 1000].into_iter().enumerate() {
        let datagram: Vec<u8> = (0..len).map(|j| (j * 7 + i) as u8).collect();
        s.send_to(&datagram, ("127.0.0.1", client.port)).unwrap();
        let (got, _) = s.recv_from(&mut buf).expect("the echo");
        assert_eq!(&buf[..got], &datagram[..], "datagram {i}");
        n += len as u64;
    }
    for addr in [&server_status, &client_status] {
        let open = crate::tunnel::status_counting(|| json(addr), n, n);
        assert_eq!(open["bytes_up"], n, "{addr}: {open}");
        assert_eq!(open["bytes_down"], n, "{addr}: {open}");
        assert_eq!(open["connections_open"], 1, "{addr}: {open}");
        assert_eq!(open["connections_total"], 1, "{addr}: {open}");
        crate::tunnel::assert_bytes_metrics(&curl(addr, "/metrics"), n, n);
    }

    // Stopping the client tunnel (--grace 0) ends the association with
    // close_notify; each side logs the association's own totals once.
    client.signal("-TERM");
    let rec = client.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "cut_off", "{rec}");
    assert_eq!(rec["bytes_up"], n, "{rec}");
    assert_eq!(rec["bytes_down"], n, "{rec}");
    let summary = client.event("summary", SECS(20));
    assert_eq!(summary["bytes_up"], n, "{summary}");
    assert_eq!(summary["bytes_down"], n, "{summary}");
    let rec = server.event("connection", SECS(20));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    assert_eq!(rec["bytes_up"], n, "{rec}");
    assert_eq!(rec["bytes_down"], n, "{rec}");
    let done = json(&server_status);
    assert_eq!(done["bytes_up"], n, "{done}");
    assert_eq!(done["bytes_down"], n, "{done}");
    assert_eq!(done["connections_open"], 0, "{done}");
    crate::tunnel::assert_bytes_metrics(&curl(&server_status, "/metrics"), n, n);
    let summary = server.stop();
    assert_eq!(summary["bytes_up"], n, "{summary}");
    assert_eq!(summary["bytes_down"], n, "{summary}");
}
