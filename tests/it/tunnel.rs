//! `tlskit tunnel` with real peers: redis-server and redis-cli, stunnel4,
//! curl and Python's http.server, plus sockets driven from the test for
//! half-close, reload, shutdown and bad input. Loopback only; every process
//! is killed when its guard drops.

use crate::util;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{code, have, stderr, stdout, wait_for_port, Background, Dir, Tunnel};
use serde_json::Value;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// An own redis-server on a free loopback port, with nothing written to disk.
fn redis(dir: &Dir) -> (Background, u16) {
    let port = util::free_port();
    let mut cmd = Command::new("redis-server");
    cmd.current_dir(dir.path()).args([
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        &dir.path().display().to_string(),
    ]);
    let bg = Background::spawn(cmd);
    wait_for_port(port, SECS(10));
    (bg, port)
}

fn redis_cli(dir: &Dir, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new("redis-cli");
    cmd.current_dir(dir.path()).args(args);
    util::run_bounded(cmd, SECS(30))
}

/// Redis' count of connections it has accepted (this query counts as one).
fn connections_received(dir: &Dir, port: u16) -> u64 {
    let out = redis_cli(dir, &["-p", &port.to_string(), "INFO", "stats"]);
    stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("total_connections_received:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("total_connections_received")
}

fn tls_cli(port: u16, cert: Option<&str>, cmd: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "-p",
        &port.to_string(),
        "--tls",
        "--cacert",
        "ca.pem",
        "--sni",
        "localhost",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(c) = cert {
        v.extend([
            "--cert".into(),
            format!("{c}.pem"),
            "--key".into(),
            format!("{c}-key.pem"),
        ]);
    }
    v.extend(cmd.iter().map(|s| s.to_string()));
    v
}

#[test]
fn redis_behind_the_tunnel_server_sees_only_allowed_clients() {
    if !have("redis-server") || !have("redis-cli") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_redis, rport) = redis(&dir);
    let target = format!("127.0.0.1:{rport}");
    let tunnel = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
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
    let run = |cert: Option<&str>, cmd: &[&str]| {
        let args = tls_cli(tunnel.port, cert, cmd);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        redis_cli(&dir, &args)
    };
    assert_eq!(stdout(&run(Some("app"), &["PING"])).trim(), "PONG");
    assert_eq!(
        stdout(&run(Some("app"), &["SET", "k", "tunnelled"])).trim(),
        "OK"
    );
    assert_eq!(stdout(&run(Some("app"), &["GET", "k"])).trim(), "tunnelled");
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    assert_eq!(rec["client"]["cn"], "app", "{rec}");
    assert_eq!(rec["sni"], "localhost");
    assert!(rec["bytes_up"].as_u64().unwrap() > 0 && rec["bytes_down"].as_u64().unwrap() > 0);
    tunnel.event("connection", SECS(10));
    tunnel.event("connection", SECS(10));

    let before = connections_received(&dir, rport);
    for (cert, outcome) in [
        (None, "handshake_failed"),
        (Some("stranger"), "handshake_failed"),
        (Some("intruder"), "denied"),
    ] {
        let out = run(cert, &["PING"]);
        assert!(
            !stdout(&out).contains("PONG"),
            "{cert:?} got through: {}",
            stdout(&out)
        );
        let rec = tunnel.event("connection", SECS(10));
        assert_eq!(rec["outcome"], outcome, "{cert:?}: {rec}");
        assert!(
            rec["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{rec}"
        );
    }
    // Only the INFO query itself was counted: no refused client reached redis.
    assert_eq!(connections_received(&dir, rport), before + 1);
}

#[test]
fn plain_redis_cli_through_tunnel_client_and_tunnel_server() {
    if !have("redis-server") || !have("redis-cli") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_redis, rport) = redis(&dir);
    let target = format!("127.0.0.1:{rport}");
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
        ],
    );
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
            "--cert",
            "app.pem",
            "--key",
            "app-key.pem",
        ],
    );
    let p = client.port.to_string();
    assert_eq!(stdout(&redis_cli(&dir, &["-p", &p, "PING"])).trim(), "PONG");
    assert_eq!(
        stdout(&redis_cli(&dir, &["-p", &p, "SET", "a", "b"])).trim(),
        "OK"
    );
    assert_eq!(
        stdout(&redis_cli(&dir, &["-p", &p, "GET", "a"])).trim(),
        "b"
    );
    let rec = server.event("connection", SECS(10));
    assert_eq!(rec["client"]["cn"], "app", "{rec}");
    assert_eq!(rec["resumed"], false, "{rec}");
    let rec = client.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    assert_eq!(rec["version"], "TLSv1.3", "{rec}");
    // The tunnel client keeps its sessions: later connections resume, and the
    // server still knows who the client is.
    let rec = server.event("connection", SECS(10));
    let rec3 = server.event("connection", SECS(10));
    assert!(
        rec["resumed"] == true || rec3["resumed"] == true,
        "{rec} {rec3}"
    );
    assert_eq!(rec3["client"]["cn"], "app", "{rec3}");
}

#[test]
fn a_server_that_fails_verification_closes_the_local_connection_with_connects_reason() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            "127.0.0.1:9",
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
        ],
    );
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--servername",
            "localhost",
            "--ca",
            "other-ca.pem",
        ],
    );
    let mut local = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    local.set_read_timeout(Some(SECS(20))).unwrap();
    let mut buf = Vec::new();
    let n = local.read_to_end(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the local client got data");
    let rec = client.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    let out = dir.run(&[
        "connect",
        &upstream,
        "--servername",
        "localhost",
        "--ca",
        "other-ca.pem",
    ]);
    assert_eq!(code(&out), 5);
    let said = stderr(&out);
    let sentence = said
        .lines()
        .find_map(|l| l.strip_prefix("tlskit: error: "))
        .expect("connect's error line");
    assert_eq!(rec["reason"], sentence, "{rec}");
}

/// A target that reads everything until end of input, then answers with the
/// byte count and closes: it works only if the client's FIN reaches it and
/// its answer still travels back.
fn counting_target() -> (std::thread::JoinHandle<()>, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(SECS(30))).unwrap();
        let mut all = Vec::new();
        s.read_to_end(&mut all).unwrap();
        s.write_all(format!("got {} bytes", all.len()).as_bytes())
            .unwrap();
    });
    (t, port)
}

#[test]
fn half_close_passes_the_end_on_and_the_answer_still_comes_back() {
    let dir = Dir::new();
    let (target_thread, tport) = counting_target();
    let target = format!("127.0.0.1:{tport}");
    let server = Tunnel::start(
        &dir,
        &["server", "--listen", "127.0.0.1:0", "--target", &target],
    );
    let pin = server.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--pin",
            &pin,
        ],
    );
    let mut s = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    s.set_read_timeout(Some(SECS(30))).unwrap();
    let body = vec![b'x'; 300_000];
    s.write_all(&body).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "got 300000 bytes");
    target_thread.join().unwrap();
    let rec = server.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    assert_eq!(rec["bytes_up"], 300_000);
    assert_eq!(rec["bytes_down"], 16);
}

#[test]
fn stunnel_as_client_into_the_tunnel_server_and_tunnel_client_into_stunnel() {
    if !have("stunnel4") || !have("redis-server") || !have("redis-cli") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let (_redis, rport) = redis(&dir);
    let target = format!("127.0.0.1:{rport}");
    // stunnel (client, with a client certificate) -> tlskit tunnel server -> redis.
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
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
    let sport = util::free_port();
    let conf = format!(
        "foreground = yes\npid =\n[redis]\nclient = yes\naccept = 127.0.0.1:{sport}\nconnect = 127.0.0.1:{}\ncert = app.pem\nkey = app-key.pem\nCAfile = ca.pem\nverifyChain = yes\ncheckHost = localhost\nsni = localhost\n",
        server.port
    );
    std::fs::write(dir.join("client.conf"), conf).unwrap();
    let mut cmd = Command::new("stunnel4");
    cmd.current_dir(dir.path()).arg("client.conf");
    let _stunnel_client = Background::spawn(cmd);
    wait_for_port(sport, SECS(10));
    let p = sport.to_string();
    assert_eq!(stdout(&redis_cli(&dir, &["-p", &p, "PING"])).trim(), "PONG");
    let rec = server.event("connection", SECS(10));
    assert_eq!(rec["client"]["cn"], "app", "{rec}");

    // tlskit tunnel client -> stunnel (server, requiring a client certificate) -> redis.
    let stport = util::free_port();
    let conf = format!(
        "foreground = yes\npid =\n[redis]\naccept = 127.0.0.1:{stport}\nconnect = 127.0.0.1:{rport}\ncert = srv.pem\nkey = srv-key.pem\nCAfile = ca.pem\nverifyChain = yes\n"
    );
    std::fs::write(dir.join("server.conf"), conf).unwrap();
    let mut cmd = Command::new("stunnel4");
    cmd.current_dir(dir.path()).arg("server.conf");
    let _stunnel_server = Background::spawn(cmd);
    wait_for_port(stport, SECS(10));
    let upstream = format!("127.0.0.1:{stport}");
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
            "--cert",
            "app.pem",
            "--key",
            "app-key.pem",
        ],
    );
    let p = client.port.to_string();
    assert_eq!(
        stdout(&redis_cli(&dir, &["-p", &p, "SET", "via", "stunnel"])).trim(),
        "OK"
    );
    assert_eq!(
        stdout(&redis_cli(&dir, &["-p", &p, "GET", "via"])).trim(),
        "stunnel"
    );
    let rec = client.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "closed", "{rec}");
}

/// Python's http.server on a free loopback port, serving `dir`.
fn http_server(dir: &Dir) -> (Background, u16) {
    let port = util::free_port();
    let mut cmd = Command::new("python3");
    cmd.current_dir(dir.path()).args([
        "-m",
        "http.server",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
    ]);
    let bg = Background::spawn(cmd);
    wait_for_port(port, SECS(20));
    (bg, port)
}

/// A file of `mib` MiB that is not all one byte.
fn big_file(dir: &Dir, name: &str, mib: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(mib << 20);
    let mut x: u32 = 0x1234_5678;
    while data.len() < mib << 20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data.extend_from_slice(&x.to_le_bytes());
    }
    std::fs::write(dir.join(name), &data).unwrap();
    data
}

#[test]
fn curl_with_a_client_certificate_fetches_64_mib_through_the_tunnel_intact() {
    if !have("curl") || !have("python3") {
        return;
    }
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    big_file(&dir, "big.bin", 64);
    let (_http, hport) = http_server(&dir);
    let target = format!("127.0.0.1:{hport}");
    let tunnel = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
        ],
    );
    let url = format!("https://localhost:{}/big.bin", tunnel.port);
    let mut cmd = Command::new("curl");
    cmd.current_dir(dir.path()).args([
        "-sS",
        "--fail",
        "--cacert",
        "ca.pem",
        "--cert",
        "app.pem",
        "--key",
        "app-key.pem",
        "-o",
        "got.bin",
        &url,
    ]);
    let out = util::run_bounded(cmd, SECS(120));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sums = util::sh(dir.path(), "sha256sum big.bin got.bin");
    let sums: Vec<&str> = sums
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(sums[0], sums[1], "the body changed on the way");
    let rec = tunnel.event("connection", SECS(10));
    assert!(rec["bytes_down"].as_u64().unwrap() > 64 << 20, "{rec}");
}

#[test]
fn stopping_lets_a_transfer_in_flight_finish_within_the_grace_period() {
    if !have("curl") || !have("python3") {
        return;
    }
    let dir = Dir::new();
    big_file(&dir, "slow.bin", 4);
    let (_http, hport) = http_server(&dir);
    let target = format!("127.0.0.1:{hport}");
    let mut tunnel = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--grace",
            "60",
        ],
    );
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("https://localhost:{}/slow.bin", tunnel.port);
    // About three seconds of transfer at 1.5 MiB/s.
    let mut cmd = Command::new("curl");
    cmd.current_dir(dir.path()).args([
        "-sS",
        "--fail",
        "-k",
        "--pinnedpubkey",
        &pin,
        "--limit-rate",
        "1500k",
        "-o",
        "got.bin",
        &url,
    ]);
    let curl = std::thread::spawn(move || util::run_bounded(cmd, SECS(120)));
    // Wait until the transfer is under way, then ask the tunnel to stop.
    let deadline = Instant::now() + SECS(30);
    while std::fs::metadata(dir.join("got.bin")).map_or(0, |m| m.len()) < 100_000 {
        assert!(Instant::now() < deadline, "the transfer did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    tunnel.signal("-TERM");
    let shutdown = tunnel.event("shutdown", SECS(10));
    assert_eq!(shutdown["open_connections"], 1, "{shutdown}");
    // No new connections once stopping.
    let out = curl.join().unwrap();
    assert_eq!(code(&out), 0, "curl: {}", stderr(&out));
    assert_eq!(
        std::fs::read(dir.join("got.bin")).unwrap(),
        std::fs::read(dir.join("slow.bin")).unwrap()
    );
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    let summary = tunnel.event("summary", SECS(10));
    assert_eq!(summary["stopped_by"], "SIGTERM");
    let status = tunnel.bg.wait(SECS(10)).expect("exit after the transfer");
    assert!(status.success());
}

/// An echo target that serves every connection it gets.
fn echo_target() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(16) {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

fn served_fingerprint(dir: &Dir, port: u16) -> String {
    let out = dir.run(&[
        "--json",
        "connect",
        &format!("localhost:{port}"),
        "--ca",
        "ca.pem",
        "--cert",
        "app.pem",
        "--key",
        "app-key.pem",
    ]);
    let v: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("connect: {e}: {}{}", stdout(&out), stderr(&out)));
    let fp = v["chain"][0]["sha256_fingerprint"]
        .as_str()
        .or_else(|| v["certificates"][0]["sha256_fingerprint"].as_str())
        .unwrap_or_else(|| panic!("no fingerprint in {v}"));
    fp.to_string()
}

#[test]
fn sighup_reloads_the_certificate_and_keeps_connections_in_flight() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
        ],
    );
    let first = server.fingerprint();
    assert_eq!(served_fingerprint(&dir, server.port), first);
    // A connection held open across the reload, through a tunnel client.
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
            "--cert",
            "app.pem",
            "--key",
            "app-key.pem",
        ],
    );
    let mut held = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    held.set_read_timeout(Some(SECS(20))).unwrap();
    let mut echo = |text: &[u8]| {
        held.write_all(text).unwrap();
        let mut got = vec![0u8; text.len()];
        held.read_exact(&mut got).unwrap();
        assert_eq!(got, text);
    };
    echo(b"before");

    dir.ok(&[
        "gencert", "--issuer", "ca.pem", "-q", "--out", "srv", "--force",
    ]);
    server.signal("-HUP");
    let reloaded = server.event("reloaded", SECS(10));
    let second = reloaded["certificate"]["sha256_fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second, first);
    assert_eq!(served_fingerprint(&dir, server.port), second);
    echo(b"after the reload");

    // A broken key: the reload fails and the last good certificate stays.
    std::fs::write(
        dir.join("srv-key.pem"),
        "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    server.signal("-HUP");
    let failed = server.event("reload_failed", SECS(10));
    assert!(
        failed["reason"].as_str().unwrap().contains("srv-key.pem"),
        "{failed}"
    );
    assert_eq!(served_fingerprint(&dir, server.port), second);
    echo(b"still here");

    // Files replaced without a signal are noticed too.
    dir.ok(&[
        "gencert", "--issuer", "ca.pem", "-q", "--out", "srv", "--force",
    ]);
    let third = loop {
        let e = server.event("reloaded", SECS(20));
        let fp = e["certificate"]["sha256_fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
        if fp != second {
            break fp;
        }
    };
    assert_eq!(served_fingerprint(&dir, server.port), third);
    echo(b"and still");
}

#[test]
fn garbage_instead_of_a_client_hello_and_a_target_that_is_down() {
    let dir = Dir::new();
    // Nothing listens on the target port.
    let dead = util::free_port();
    let target = format!("127.0.0.1:{dead}");
    let tunnel = Tunnel::start(
        &dir,
        &["server", "--listen", "127.0.0.1:0", "--target", &target],
    );
    let mut s = TcpStream::connect(("127.0.0.1", tunnel.port)).unwrap();
    s.set_read_timeout(Some(SECS(20))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert!(
        rec["reason"]
            .as_str()
            .unwrap()
            .contains("did not speak TLS"),
        "{rec}"
    );

    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let out = dir.run(&[
        "connect",
        &format!("localhost:{}", tunnel.port),
        "--pin",
        &pin,
        "--send",
        "hello\n",
    ]);
    // The client is closed (not left hanging: `run` would panic), and got nothing back.
    assert!(!stdout(&out).contains("hello"), "{}", stdout(&out));
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "target_unreachable", "{rec}");
    let reason = rec["reason"].as_str().unwrap();
    assert!(
        reason.contains(&target) && reason.contains("refused"),
        "{rec}"
    );
}

#[test]
fn a_remote_target_needs_allow_remote_target() {
    let dir = Dir::new();
    let out = dir.run(&[
        "tunnel",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--target",
        "192.0.2.1:80",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--allow-remote-target"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn text_mode_starts_with_listening_and_warns_when_anyone_may_pass() {
    if !have("curl") || !have("python3") {
        return;
    }
    let dir = Dir::new();
    std::fs::write(dir.join("hello.txt"), "hello\n").unwrap();
    let (_http, hport) = http_server(&dir);
    let target = format!("127.0.0.1:{hport}");
    let mut cmd = dir.tlskit(&[
        "tunnel",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--target",
        &target,
    ]);
    cmd.stderr(std::process::Stdio::piped());
    let bg = Background::spawn(cmd);
    let first = bg.line(SECS(20));
    assert!(first.starts_with("listening on 127.0.0.1:"), "{first}");
    let port: u16 = first.rsplit(':').next().unwrap().parse().unwrap();
    let mut banner = Vec::new();
    for _ in 0..6 {
        banner.push(bg.line(SECS(10)));
    }
    let banner = banner.join("\n");
    assert!(banner.contains("SPKI pin:"), "{banner}");
    assert!(
        banner.contains(&format!(
            "tlskit tunnel client --listen 127.0.0.1:0 --target 127.0.0.1:{port} --pin sha256//"
        )),
        "{banner}"
    );
    assert!(banner.contains("anyone (no --client-ca)"), "{banner}");
    // Through the tunnel with TLS 1.2 and TLS 1.3.
    let url = format!("https://localhost:{port}/hello.txt");
    for versions in [
        ["--tlsv1.2", "--tls-max", "1.2"],
        ["--tlsv1.3", "--tls-max", "1.3"],
    ] {
        let mut curl = Command::new("curl");
        curl.args(["-sS", "--fail", "-k"]).args(versions).arg(&url);
        let out = util::run_bounded(curl, SECS(30));
        assert_eq!(stdout(&out), "hello\n", "{versions:?}: {}", stderr(&out));
    }
    let mut lines = Vec::new();
    while lines.len() < 2 {
        let l = bg.line(SECS(10));
        if l.contains(" closed ") {
            lines.push(l);
        }
    }
    assert!(lines[0].contains(" sni=localhost TLSv1.2 "), "{lines:?}");
    assert!(lines[1].contains(" sni=localhost TLSv1.3 "), "{lines:?}");
    let mut bg = bg;
    bg.signal("-INT");
    assert!(bg.wait(SECS(20)).expect("exit on SIGINT").success());
    let mut err = String::new();
    bg.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains(
            "tlskit: warning: no --client-ca: anyone who can reach this port reaches 127.0.0.1:"
        ),
        "{err}"
    );
}

#[test]
fn a_stalled_handshake_an_idle_connection_and_one_too_many_are_closed() {
    let dir = Dir::new();
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let tunnel = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--handshake-timeout",
            "300ms",
            "--idle-timeout",
            "500ms",
            "--max-connections",
            "1",
        ],
    );
    // Says nothing: closed at the handshake deadline.
    let mut stalled = TcpStream::connect(("127.0.0.1", tunnel.port)).unwrap();
    stalled.set_read_timeout(Some(SECS(20))).unwrap();
    // While it is open, a second connection is one too many.
    let mut second = TcpStream::connect(("127.0.0.1", tunnel.port)).unwrap();
    second.set_read_timeout(Some(SECS(20))).unwrap();
    let mut buf = Vec::new();
    assert_eq!(second.read_to_end(&mut buf).unwrap_or(0), 0);
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "busy", "{rec}");
    assert_eq!(stalled.read_to_end(&mut buf).unwrap_or(0), 0);
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "handshake_timeout", "{rec}");
    // A handshake, then nothing either way: closed after the idle timeout.
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let upstream = format!("127.0.0.1:{}", tunnel.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--pin",
            &pin,
        ],
    );
    let mut idle = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    idle.set_read_timeout(Some(SECS(20))).unwrap();
    assert_eq!(idle.read_to_end(&mut buf).unwrap_or(0), 0);
    let rec = tunnel.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "idle_timeout", "{rec}");
}

#[test]
fn a_unix_socket_target_with_a_proxy_protocol_header() {
    use std::os::unix::net::UnixListener;
    let dir = Dir::new();
    let path = dir.join("app.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(SECS(20))).unwrap();
        let mut header = [0u8; 28];
        s.read_exact(&mut header).unwrap();
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).unwrap();
        s.write_all(b"bye").unwrap();
        (header, rest)
    });
    let target = format!("unix:{}", path.display());
    let tunnel = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--proxy-protocol",
        ],
    );
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let upstream = format!("127.0.0.1:{}", tunnel.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--pin",
            &pin,
        ],
    );
    let mut s = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    s.set_read_timeout(Some(SECS(20))).unwrap();
    s.write_all(b"hello").unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert_eq!(answer, "bye");
    let (header, rest) = reader.join().unwrap();
    assert_eq!(rest, b"hello");
    assert_eq!(&header[..12], b"\r\n\r\n\0\r\nQUIT\n");
    assert_eq!(&header[12..16], &[0x21, 0x11, 0, 12]);
    assert_eq!(&header[16..20], &[127, 0, 0, 1]);
    // The destination is the tunnel's own address; the source, the tunnel
    // client's side of the TLS connection, as the server tunnel saw it.
    assert_eq!(u16::from_be_bytes([header[26], header[27]]), tunnel.port);
    let rec = tunnel.event("connection", SECS(10));
    let peer_port: u16 = rec["peer"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(u16::from_be_bytes([header[24], header[25]]), peer_port);
}

pub(crate) fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(SECS(20))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_status_endpoint_counts_connections_failures_and_expiry() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let mut all = vec!["--json", "tunnel"];
    all.extend_from_slice(&[
        "server",
        "--listen",
        "127.0.0.1:0",
        "--target",
        &target,
        "--cert",
        "srv.pem",
        "--key",
        "srv-key.pem",
        "--client-ca",
        "ca.pem",
        "--allow-cn",
        "app",
        "--status",
        "127.0.0.1:0",
    ]);
    let bg = Background::spawn(dir.tlskit(&all));
    let listening: Value = serde_json::from_str(&bg.line(SECS(20))).unwrap();
    let port = listening["addr"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let tunnel = Tunnel {
        port: port.parse().unwrap(),
        ready: serde_json::from_str(&bg.line(SECS(20))).unwrap(),
        bg,
    };
    let status = tunnel.event("status_listening", SECS(10));
    let status_addr = status["addr"].as_str().unwrap().to_string();
    let upstream = format!("localhost:{port}");
    for cert in ["app", "intruder"] {
        let (c, k) = (format!("{cert}.pem"), format!("{cert}-key.pem"));
        dir.run(&[
            "connect", &upstream, "--ca", "ca.pem", "--cert", &c, "--key", &k, "--send", "hi",
        ]);
        tunnel.event("connection", SECS(10));
    }
    let page = http_get(&status_addr, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let body: Value = serde_json::from_str(page.split("\r\n\r\n").nth(1).unwrap().trim()).unwrap();
    assert_eq!(body["connections_total"], 2, "{body}");
    assert_eq!(body["connections_ok"], 1, "{body}");
    assert_eq!(body["failures"]["denied"], 1, "{body}");
    assert_eq!(body["bytes_up"], 2, "{body}");
    let left = body["certificate_expires_in_seconds"].as_i64().unwrap();
    assert!(left > 20 * 86_400 && left <= 30 * 86_400, "{body}");
    let metrics = http_get(&status_addr, "/metrics");
    assert!(
        metrics.contains("\r\n\r\n# HELP tlskit_tunnel_connections_open "),
        "{metrics}"
    );
    assert!(
        metrics.contains("\ntlskit_tunnel_connections_total 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\ntlskit_tunnel_connections_failed_total{outcome=\"denied\"} 1\n"),
        "{metrics}"
    );
    assert!(http_get(&status_addr, "/nope").starts_with("HTTP/1.1 404 "));
}

/// The JSON document a status page serves at `/`.
fn status_json(addr: &str) -> Value {
    let page = http_get(addr, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let body = page.split("\r\n\r\n").nth(1).unwrap_or_default().trim();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {page}"))
}

/// Fetches a status page's JSON with `fetch` until it counts `up` and `down`
/// bytes (at most 200 times, 20 s in all) and returns the last one, for the
/// caller to assert on. A count follows the write that moved the bytes, so
/// it may lag what a peer has already read by a moment.
pub(crate) fn status_counting(fetch: impl Fn() -> Value, up: u64, down: u64) -> Value {
    let deadline = Instant::now() + SECS(20);
    let mut last = fetch();
    for _ in 0..200 {
        let counted = (last["bytes_up"].as_u64(), last["bytes_down"].as_u64());
        if counted == (Some(up), Some(down)) || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
        last = fetch();
    }
    last
}

/// Asserts the Prometheus text counts `up` and `down` bytes.
pub(crate) fn assert_bytes_metrics(metrics: &str, up: u64, down: u64) {
    for line in [
        format!("tlskit_tunnel_bytes_total{{direction=\"up\"}} {up}"),
        format!("tlskit_tunnel_bytes_total{{direction=\"down\"}} {down}"),
    ] {
        assert!(
            metrics.contains(&format!("\n{line}\n")),
            "{line}: {metrics}"
        );
    }
}

/// A monitoring system must see the traffic of a connection that stays open
/// (a database session, a long transfer), not a jump when it closes: both
/// tunnels count the bytes while the connection is held open, and closing it
/// adds nothing more.
#[test]
fn both_tunnels_count_the_bytes_of_a_connection_still_open_on_their_status_pages() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
            "--status",
            "127.0.0.1:0",
        ],
    );
    let server_status = server.event("status_listening", SECS(10))["addr"]
        .as_str()
        .unwrap()
        .to_string();
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--servername",
            "localhost",
            "--ca",
            "ca.pem",
            "--cert",
            "app.pem",
            "--key",
            "app-key.pem",
            "--status",
            "127.0.0.1:0",
        ],
    );
    let client_status = client.event("status_listening", SECS(10))["addr"]
        .as_str()
        .unwrap()
        .to_string();

    // Ten chunks, each echoed back in full before the next; the connection stays open.
    let mut s = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    s.set_read_timeout(Some(SECS(30))).unwrap();
    let mut n = 0u64;
    for i in 0..10u8 {
        let chunk: Vec<u8> = (0..10_007u32).map(|j| (j as u8) ^ i).collect();
        s.write_all(&chunk).unwrap();
        let mut back = vec![0u8; chunk.len()];
        s.read_exact(&mut back).unwrap();
        assert!(back == chunk, "chunk {i} came back changed");
        n += chunk.len() as u64;
    }
    for addr in [&server_status, &client_status] {
        let open = status_counting(|| status_json(addr), n, n);
        assert_eq!(open["bytes_up"], n, "{addr}: {open}");
        assert_eq!(open["bytes_down"], n, "{addr}: {open}");
        assert_eq!(open["connections_open"], 1, "{addr}: {open}");
        assert_eq!(open["connections_total"], 1, "{addr}: {open}");
        assert_bytes_metrics(&http_get(addr, "/metrics"), n, n);
    }

    // Closed: each log line has the connection's own totals, and the pages add nothing.
    s.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "{} bytes after the end", rest.len());
    drop(s);
    for (tunnel, addr) in [(&server, &server_status), (&client, &client_status)] {
        let rec = tunnel.event("connection", SECS(20));
        assert_eq!(rec["outcome"], "closed", "{rec}");
        assert_eq!(rec["bytes_up"], n, "{rec}");
        assert_eq!(rec["bytes_down"], n, "{rec}");
        let done = status_json(addr);
        assert_eq!(done["bytes_up"], n, "{addr}: {done}");
        assert_eq!(done["bytes_down"], n, "{addr}: {done}");
        assert_eq!(done["connections_open"], 0, "{addr}: {done}");
        assert_eq!(done["connections_ok"], 1, "{addr}: {done}");
        assert_bytes_metrics(&http_get(addr, "/metrics"), n, n);
    }
}

#[test]
fn a_target_that_never_reads_holds_the_client_back_instead_of_filling_memory() {
    let dir = Dir::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let tport = listener.local_addr().unwrap().port();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Accepts, and never reads.
        if let Ok((s, _)) = listener.accept() {
            let _ = held_tx.send(s);
        }
    });
    let target = format!("127.0.0.1:{tport}");
    let server = Tunnel::start(
        &dir,
        &["server", "--listen", "127.0.0.1:0", "--target", &target],
    );
    let pin = server.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--pin",
            &pin,
        ],
    );
    let mut s = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
    s.set_write_timeout(Some(SECS(3))).unwrap();
    let chunk = vec![7u8; 1 << 20];
    let mut sent = 0usize;
    // Up to 256 MiB; the socket buffers on the way hold a few MiB each.
    while sent < 256 << 20 {
        match s.write(&chunk) {
            Ok(n) => sent += n,
            Err(_) => break,
        }
    }
    eprintln!("{} MiB went in before the client was held back", sent >> 20);
    assert!(
        sent < 64 << 20,
        "{} MiB went in: the tunnels buffered it",
        sent >> 20
    );
    let _held = held_rx
        .recv_timeout(SECS(10))
        .expect("the target got the connection");
    // Both tunnels still serve others meanwhile.
    let out = dir.run(&[
        "connect",
        &format!("localhost:{}", server.port),
        "--pin",
        &pin,
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_thousand_connections_with_echoed_data_all_pass_and_nothing_is_lost() {
    let dir = Dir::new();
    // An echo target with a thread per connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let eport = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(1000) {
            let Ok(mut s) = s else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 16384];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 || s.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let target = format!("127.0.0.1:{eport}");
    let mut tunnel = Tunnel::start(
        &dir,
        &["server", "--listen", "127.0.0.1:0", "--target", &target],
    );
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let out = dir.run(&[
        "--json",
        "bench",
        &format!("localhost:{}", tunnel.port),
        "--pin",
        &pin,
        "--connections",
        "1000",
        "--concurrency",
        "250",
        "--bytes",
        "4k",
        "--timeout",
        "30",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    tunnel.signal("-TERM");
    let summary = tunnel.event("summary", SECS(30));
    assert_eq!(summary["connections"], 1000, "{summary}");
    assert_eq!(summary["ok"], 1000, "{summary}");
    assert_eq!(summary["bytes_up"], 1000 * 4096, "{summary}");
    assert_eq!(summary["bytes_down"], 1000 * 4096, "{summary}");
    assert!(tunnel.bg.wait(SECS(20)).expect("exit").success());
}

#[test]
fn out_of_file_descriptors_the_tunnel_says_so_and_recovers() {
    let dir = Dir::new();
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    // Room for the runtime and a handful of connections only.
    let script = format!(
        "ulimit -n 40 && exec '{}' --json tunnel server --listen 127.0.0.1:0 --target {target} --handshake-timeout 30",
        util::bin().display()
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]).current_dir(dir.path());
    util::scrub(&mut cmd);
    let bg = Background::spawn(cmd);
    let first: Value = serde_json::from_str(&bg.line(SECS(20))).unwrap();
    let port: u16 = first["addr"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let tunnel = Tunnel {
        port,
        ready: serde_json::from_str(&bg.line(SECS(20))).unwrap(),
        bg,
    };
    // Silent connections hold a descriptor each until the descriptors run out.
    let held: Vec<TcpStream> = (0..60)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let warning = tunnel.event("warning", SECS(20));
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("accepting a connection failed"),
        "{warning}"
    );
    drop(held);
    // Once they are gone, the tunnel serves again.
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let deadline = Instant::now() + SECS(30);
    loop {
        let out = dir.run(&[
            "connect",
            &format!("localhost:{port}"),
            "--pin",
            &pin,
            "--send",
            "ping",
        ]);
        if code(&out) == 0 && stdout(&out) == "ping" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still not serving: {}",
            stderr(&out)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_target_that_closes_at_once_closes_the_client() {
    let dir = Dir::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let tport = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(1) {
            drop(s);
        }
    });
    let target = format!("127.0.0.1:{tport}");
    let tunnel = Tunnel::start(
        &dir,
        &["server", "--listen", "127.0.0.1:0", "--target", &target],
    );
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let out = dir.run(&[
        "connect",
        &format!("localhost:{}", tunnel.port),
        "--pin",
        &pin,
        "--send",
        "hi",
    ]);
    assert_eq!(stdout(&out), "", "{}", stderr(&out));
    let rec = tunnel.event("connection", SECS(10));
    assert!(
        rec["outcome"] == "closed" || rec["outcome"] == "error",
        "{rec}"
    );
    assert_eq!(rec["bytes_down"], 0, "{rec}");
}

#[test]
fn allow_rules_by_dns_name_and_pin_and_the_certificate_checks_in_the_handshake() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    dir.ok(&[
        "gencert", "--client", "--issuer", "ca.pem", "worker", "-q", "--out", "worker",
    ]);
    dir.ok(&[
        "gencert",
        "--client",
        "--issuer",
        "ca.pem",
        "app",
        "-q",
        "--out",
        "old",
        "--not-before",
        "-40d",
        "--days",
        "10",
    ]);
    // A certificate for servers only (extended key usage serverAuth), from the same CA.
    let have_openssl = have("openssl");
    if have_openssl {
        util::sh(
            dir.path(),
            "printf 'extendedKeyUsage=serverAuth\\nbasicConstraints=CA:FALSE\\n' > eku.ext && \
             openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout eku-key.pem \
               -subj /CN=worker -out eku.csr 2>/dev/null && \
             openssl x509 -req -in eku.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 5 \
               -extfile eku.ext -out eku.pem 2>/dev/null",
        );
    }
    let app_pin = dir.ok(&["pin", "app.pem"]).trim().to_string();
    assert!(app_pin.starts_with("sha256//"), "{app_pin}");
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let tunnel = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
            "--allow-dns",
            "worker",
            "--allow-pin",
            &app_pin,
        ],
    );
    assert_eq!(tunnel.ready["allow"][0], "dns:worker", "{}", tunnel.ready);
    let upstream = format!("localhost:{}", tunnel.port);
    for (cert, outcome, reason) in [
        ("app", "closed", None),
        ("worker", "closed", None),
        ("intruder", "denied", Some("matches no --allow-cn")),
        // A certificate for servers only is not for client authentication.
        ("eku", "handshake_failed", Some("clientAuth")),
        ("old", "handshake_failed", Some("expired")),
    ] {
        if cert == "eku" && !have_openssl {
            continue;
        }
        let (c, k) = (format!("{cert}.pem"), format!("{cert}-key.pem"));
        let out = dir.run(&[
            "connect", &upstream, "--ca", "ca.pem", "--cert", &c, "--key", &k, "--send", "echo me",
        ]);
        let rec = tunnel.event("connection", SECS(10));
        assert_eq!(rec["outcome"], outcome, "{cert}: {rec}");
        match reason {
            None => assert_eq!(stdout(&out), "echo me", "{cert}: {}", stderr(&out)),
            Some(r) => {
                assert_ne!(code(&out), 0, "{cert} got through");
                assert!(rec["reason"].as_str().unwrap().contains(r), "{cert}: {rec}");
            }
        }
    }
}

#[test]
fn tunnel_client_reloads_its_trust_and_forgets_sessions_made_under_the_old_one() {
    let dir = Dir::new();
    util::tunnel_pki(&dir);
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
        ],
    );
    std::fs::copy(dir.join("ca.pem"), dir.join("trust.pem")).unwrap();
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--servername",
            "localhost",
            "--ca",
            "trust.pem",
        ],
    );
    let echo_once = || {
        let mut s = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
        s.set_read_timeout(Some(SECS(20))).unwrap();
        let _ = s.write_all(b"ping");
        let _ = s.shutdown(Shutdown::Write);
        let mut got = String::new();
        let _ = s.read_to_string(&mut got);
        got
    };
    assert_eq!(echo_once(), "ping");
    assert_eq!(echo_once(), "ping");
    client.event("connection", SECS(10));
    let rec = client.event("connection", SECS(10));
    assert_eq!(rec["resumed"], true, "{rec}");
    // Trust another CA from now on: the kept session must not be resumed.
    std::fs::copy(dir.join("other-ca.pem"), dir.join("trust.pem")).unwrap();
    client.signal("-HUP");
    client.event("reloaded", SECS(10));
    assert_eq!(echo_once(), "");
    let rec = client.event("connection", SECS(10));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
}

#[test]
fn sixty_four_mib_each_way_through_the_tunnel_server_come_back_intact() {
    let dir = Dir::new();
    let eport = echo_target();
    let target = format!("127.0.0.1:{eport}");
    let tunnel = Tunnel::start(
        &dir,
        &["server", "--listen", "127.0.0.1:0", "--target", &target],
    );
    let pin = tunnel.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    // bench checks that exactly what it sent came back (SHA-256 of each stream).
    let out = dir.run(&[
        "--json",
        "bench",
        &format!("localhost:{}", tunnel.port),
        "--pin",
        &pin,
        "--connections",
        "2",
        "--concurrency",
        "2",
        "--bytes",
        "32m",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    for _ in 0..2 {
        let rec = tunnel.event("connection", SECS(30));
        assert_eq!(rec["outcome"], "closed", "{rec}");
        assert_eq!(rec["bytes_up"], rec["bytes_down"], "{rec}");
        assert!(rec["bytes_up"].as_u64().unwrap() >= 32 << 20, "{rec}");
    }
}

/// Every event up to and including the summary, after SIGTERM.
fn events_until_summary(t: &Tunnel) -> Vec<Value> {
    t.signal("-TERM");
    let mut seen = Vec::new();
    for _ in 0..100 {
        let line = t.bg.line(SECS(20));
        let v: Value = serde_json::from_str(&line).expect("JSON lines");
        let done = v["event"] == "summary";
        seen.push(v);
        if done {
            return seen;
        }
    }
    panic!("no summary within 100 lines: {seen:?}");
}

#[test]
fn no_log_drops_the_line_per_connection_and_still_counts_it() {
    let dir = Dir::new();
    let target = format!("127.0.0.1:{}", echo_target());
    let server = Tunnel::start(
        &dir,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &target,
            "--no-log",
        ],
    );
    let pin = server.ready["certificate"]["spki_pin"]
        .as_str()
        .unwrap()
        .to_string();
    let upstream = format!("127.0.0.1:{}", server.port);
    let client = Tunnel::start(
        &dir,
        &[
            "client",
            "--listen",
            "127.0.0.1:0",
            "--target",
            &upstream,
            "--pin",
            &pin,
            "--no-log",
        ],
    );
    for _ in 0..2 {
        let mut s = TcpStream::connect(("127.0.0.1", client.port)).unwrap();
        s.set_read_timeout(Some(SECS(20))).unwrap();
        s.write_all(b"hello").unwrap();
        let mut got = [0u8; 5];
        s.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hello");
    }
    // Both connections end (the client side closed) before the summaries.
    std::thread::sleep(SECS(1));
    for t in [&client, &server] {
        let seen = events_until_summary(t);
        assert!(
            seen.iter().all(|v| v["event"] != "connection"),
            "no connection lines with --no-log: {seen:?}"
        );
        let summary = seen.last().unwrap();
        assert_eq!(summary["connections"], 2, "{summary}");
        assert_eq!(summary["bytes_up"], 10, "{summary}");
    }
}
