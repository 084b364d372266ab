//! `tlskit serve` driven by clients written here on rustls: the first lines,
//! the log, concurrency, limits, timeouts, hostile input, --www, shutdown.
//! Interop with real peers (openssl, Python, curl, gnutls) is in serve_peers.rs.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use crate::util::{self, *};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};
use tlskit::tls::config::{self, ClientOptions, Identity, TrustRoots, Versions};
use tlskit::tls::files;
use tlskit::tls::pin::Pin;

const SECS: fn(u64) -> Duration = Duration::from_secs;

#[test]
fn text_mode_prints_address_fingerprint_pin_and_a_connect_command() {
    let dir = Dir::new();
    let bg = Background::spawn(dir.tlskit(&["serve", "--listen", "127.0.0.1:0"]));
    let first = bg.line(SECS(20));
    let port: u16 = first
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .parse()
        .expect("port on the first line");
    assert_ne!(port, 0);
    let mut banner = String::new();
    while !banner.contains("connect:") {
        banner.push_str(&bg.line(SECS(20)));
        banner.push('\n');
    }
    // What the server really presents must be what it printed.
    let tls = connect(port, client_config_unverified());
    let der = tls.conn.peer_certificates().expect("chain")[0].clone();
    let pin = Pin::of_cert(&der).unwrap().to_string();
    let fingerprint = tlskit::tls::pin::sha256_fingerprint(&der);
    assert!(
        banner.contains(&format!("SHA-256:       {fingerprint}")),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("SPKI pin:      {pin}")),
        "{banner}"
    );
    assert!(
        banner.contains(&format!("tlskit connect localhost:{port} --pin {pin}")),
        "{banner}"
    );
    assert!(banner.contains("CN=localhost (ephemeral"), "{banner}");
    assert!(
        banner.contains("DNS:localhost, IP:127.0.0.1, IP:::1"),
        "{banner}"
    );
    assert!(banner.contains("ECDSA P-256"), "{banner}");
    close(tls);
    // The connection is logged as one text line after the banner.
    let line = bg.line(SECS(20));
    assert!(line.contains(" 127.0.0.1:"), "{line}");
    assert!(line.contains(" closed TLSv1.3 "), "{line}");
    assert!(line.contains("sni=localhost"), "{line}");
}

/// A client that records the chain but does not require it to verify.
fn client_config_unverified() -> Arc<ClientConfig> {
    config::client_config(ClientOptions {
        accept_unverified: Some(tlskit::tls::danger::accept_unverified()),
        ..Default::default()
    })
    .expect("client config")
    .0
}

#[test]
fn no_arguments_listens_on_127_0_0_1_port_4433() {
    if std::net::TcpListener::bind("127.0.0.1:4433").is_err() {
        skip("port 4433", "in use on this machine");
        return;
    }
    let dir = Dir::new();
    let mut bg = Background::spawn(dir.tlskit(&["serve"]));
    let first = bg.line(SECS(20));
    if first.is_empty() || !first.starts_with("listening on") {
        // Someone took the port between the check and the start.
        skip(
            "port 4433",
            &format!("serve could not bind 127.0.0.1:4433: {first:?}"),
        );
        return;
    }
    assert_eq!(first, "listening on 127.0.0.1:4433");
    let pid = bg.child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let status = bg.wait(SECS(20)).expect("exit after SIGTERM");
    assert!(status.success(), "{status:?}");
}

#[test]
fn json_log_record_has_every_field_and_alpn_follows_the_server_order() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--alpn", "h2,http/1.1"]);
    assert_eq!(srv.ready["mode"], "echo");
    assert_eq!(srv.ready["ephemeral"], true);
    assert_eq!(
        srv.ready["connect"],
        format!("tlskit connect localhost:{} --pin {}", srv.port, srv.pin)
    );
    // The client prefers http/1.1; the server's order (h2 first) wins.
    let mut tls = connect(
        srv.port,
        client_config(&srv.pin, &["http/1.1", "h2"], Versions::Both),
    );
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"h2"[..]));
    echo_once(&mut tls, b"0123456789");
    close(tls);
    let rec = srv.event("connection", SECS(20));
    for key in [
        "time",
        "peer",
        "sni",
        "protocol",
        "cipher_suite",
        "group",
        "alpn",
        "resumed",
        "client_subject",
        "bytes_in",
        "bytes_out",
        "duration_ms",
        "end",
        "reason",
    ] {
        assert!(rec.get(key).is_some(), "no '{key}' in {rec}");
    }
    assert_eq!(rec["sni"], "localhost");
    assert_eq!(rec["protocol"], "TLSv1.3");
    assert_eq!(rec["alpn"], "h2");
    assert_eq!(rec["offered_alpn"], serde_json::json!(["http/1.1", "h2"]));
    assert_eq!(rec["resumed"], false);
    assert_eq!(rec["client_subject"], serde_json::Value::Null);
    assert_eq!(rec["bytes_in"], 10);
    assert_eq!(rec["bytes_out"], 10);
    assert_eq!(rec["end"], "closed");
    assert_eq!(rec["reason"], "the client sent close_notify");
    assert!(rec["peer"].as_str().unwrap().starts_with("127.0.0.1:"));
    assert!(rec["time"].as_str().unwrap().ends_with('Z'));
    // rustls offers the post-quantum hybrid first, and serve marks it.
    assert_eq!(rec["group"], "X25519MLKEM768");
    assert_eq!(rec["post_quantum"], true);
}

#[test]
fn two_hundred_concurrent_clients_echo_64_kib_each() {
    use aws_lc_rs::digest::{digest, SHA256};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const CLIENTS: usize = 200;
    const SIZE: usize = 64 * 1024;
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &[]);
    let cfg = pinned(&srv.pin);
    let port = srv.port;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let results: Vec<Result<(), String>> = rt.block_on(async move {
        // Every client finishes its handshake before any sends: 200 connections open at once.
        let barrier = Arc::new(tokio::sync::Barrier::new(CLIENTS));
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..CLIENTS {
            let cfg = cfg.clone();
            let barrier = barrier.clone();
            set.spawn(async move {
                let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| format!("connect: {e}"))?;
                let name = ServerName::try_from("localhost").unwrap().to_owned();
                let tls = tokio_rustls::TlsConnector::from(cfg)
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("handshake: {e}"))?;
                barrier.wait().await;
                let mut payload = vec![0u8; SIZE];
                aws_lc_rs::rand::fill(&mut payload).unwrap();
                let want = digest(&SHA256, &payload);
                let (mut r, mut w) = tokio::io::split(tls);
                let write = async {
                    w.write_all(&payload).await?;
                    w.flush().await?;
                    Ok::<_, std::io::Error>(())
                };
                let read = async {
                    let mut got = vec![0u8; SIZE];
                    r.read_exact(&mut got).await?;
                    Ok::<_, std::io::Error>(got)
                };
                let (_, got) = tokio::try_join!(write, read).map_err(|e| format!("echo: {e}"))?;
                if digest(&SHA256, &got).as_ref() != want.as_ref() {
                    return Err("SHA-256 of the echo differs".to_string());
                }
                let mut tls = r.unsplit(w);
                tls.shutdown().await.map_err(|e| format!("close: {e}"))?;
                Ok(())
            });
        }
        let all = async {
            let mut out = Vec::new();
            while let Some(r) = set.join_next().await {
                out.push(r.unwrap_or_else(|e| Err(format!("task: {e}"))));
            }
            out
        };
        tokio::time::timeout(SECS(120), all)
            .await
            .expect("200 clients within 120 s")
    });
    let failed: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{} failed: {:?}", failed.len(), failed);
    assert_eq!(results.len(), CLIENTS);
    let records = srv.connections(CLIENTS, SECS(60));
    for rec in &records {
        assert_eq!(rec["bytes_in"], SIZE, "{rec}");
        assert_eq!(rec["bytes_out"], SIZE, "{rec}");
        assert_eq!(rec["end"], "closed", "{rec}");
    }
    let status = srv.terminate(SECS(30));
    assert!(status.success());
    let summary = srv.event("summary", SECS(10));
    assert_eq!(summary["connections"], CLIENTS);
    assert_eq!(summary["handshakes"], CLIENTS);
    assert_eq!(summary["bytes_in"], CLIENTS * SIZE);
    assert!(
        summary["peak_concurrent"].as_u64().unwrap() >= CLIENTS as u64,
        "{summary}"
    );
}

#[test]
fn a_silent_client_is_dropped_at_the_handshake_timeout_while_others_are_served() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--handshake-timeout", "3"]);
    // One client says nothing; another sends a ClientHello header and stalls (slowloris).
    let mut silent = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    let mut slow = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    slow.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();
    // Meanwhile a real client is served.
    let mut tls = connect(srv.port, pinned(&srv.pin));
    echo_once(&mut tls, b"served while two clients stall");
    close(tls);
    let served = srv.event("connection", SECS(20));
    assert_eq!(served["end"], "closed", "{served}");
    assert_eq!(served["bytes_out"], 30);
    // ...while the stalled ones were still connected.
    silent.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    assert_eq!(
        silent.peek(&mut byte).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "the silent client was dropped before the other was served"
    );
    silent.set_nonblocking(false).unwrap();
    // Then both are dropped: EOF (or a reset), within the test's bound.
    for s in [&mut silent, &mut slow] {
        s.set_read_timeout(Some(SECS(20))).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => {}
            Ok(n) => panic!("a stalled client got {n} bytes instead of being dropped"),
            Err(e) => assert!(
                matches!(e.kind(), ErrorKind::ConnectionReset),
                "the server did not drop a stalled client: {e}"
            ),
        }
    }
    for rec in srv.connections(2, SECS(20)) {
        assert_eq!(rec["end"], "timeout", "{rec}");
        assert_eq!(rec["failure"], "timeout", "{rec}");
        let reason = rec["reason"].as_str().unwrap();
        assert!(reason.contains("--handshake-timeout"), "{reason}");
    }
}

#[test]
fn max_connections_refuses_the_excess_and_keeps_serving_the_rest() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--max-connections", "2"]);
    let cfg = pinned(&srv.pin);
    let mut a = connect(srv.port, cfg.clone());
    let mut b = connect(srv.port, cfg.clone());
    echo_once(&mut a, b"a");
    echo_once(&mut b, b"b");
    // A third is closed at once: its handshake cannot complete.
    let third = try_connect(srv.port, cfg.clone());
    assert!(third.is_err(), "a third connection was served");
    let refused = srv.event("connection", SECS(20));
    assert_eq!(refused["end"], "refused", "{refused}");
    assert!(refused["reason"]
        .as_str()
        .unwrap()
        .contains("--max-connections"));
    // The two open ones are unaffected.
    echo_once(&mut a, b"still here");
    echo_once(&mut b, b"me too");
    // Once one leaves, a new client gets its slot.
    close(a);
    let left = srv.event("connection", SECS(20));
    assert_eq!(left["end"], "closed", "{left}");
    let mut d = connect(srv.port, cfg);
    echo_once(&mut d, b"d");
    close(d);
    close(b);
    srv.connections(2, SECS(20));
    assert!(srv.terminate(SECS(20)).success());
    let summary = srv.event("summary", SECS(10));
    assert_eq!(summary["refused"], 1, "{summary}");
    assert_eq!(summary["connections"], 3, "{summary}");
    assert_eq!(summary["peak_concurrent"], 2, "{summary}");
}

#[test]
fn max_accept_1_exits_0_after_one_connection() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--max-accept", "1"]);
    let mut tls = connect(srv.port, pinned(&srv.pin));
    echo_once(&mut tls, b"only one");
    close(tls);
    let status = srv
        .bg
        .wait(SECS(20))
        .expect("serve exits after --max-accept 1");
    assert!(status.success(), "{status:?}");
    let rec = srv.event("connection", SECS(5));
    assert_eq!(rec["bytes_in"], 8);
    let summary = srv.event("summary", SECS(5));
    assert_eq!(summary["connections"], 1);
    assert_eq!(summary["stopped_by"], serde_json::Value::Null);
    // Nothing listens any more.
    assert!(TcpStream::connect(("127.0.0.1", srv.port)).is_err());
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_a_startup_error() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--out", "a", "-q"]);
    dir.ok(&["gencert", "--out", "b", "-q"]);
    // Nothing on stdout: it did not start listening.
    dir.expect(
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--cert",
            "a.pem",
            "--key",
            "b-key.pem",
        ],
        1,
        "",
        "tlskit: error: key 'b-key.pem' and certificate 'a.pem': the private key does not match \
         the certificate\n",
    );
    // A CA-issued chain with the right key starts.
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
    let srv = spawn_serve(
        &dir,
        &["--cert", "localhost.pem", "--key", "localhost-key.pem"],
    );
    assert_eq!(srv.ready["ephemeral"], false);
    assert_eq!(srv.ready["certificate"]["subject"], "CN=localhost");
    // ...and a client trusting only the CA verifies it.
    let ca = files::load_certs(&dir.join("ca.pem")).unwrap();
    let (cfg, _) = config::client_config(ClientOptions {
        roots: TrustRoots::Certs(ca),
        ..Default::default()
    })
    .unwrap();
    let mut tls = connect(srv.port, cfg);
    echo_once(&mut tls, b"verified");
}

#[test]
fn usage_errors_exit_2() {
    let dir = Dir::new();
    for (args, err) in [
        (
            &["serve", "--listen", "nonsense"][..],
            "tlskit: error: --listen 'nonsense': expected HOST:PORT, [::1]:PORT or a port number\n",
        ),
        // --www speaks h2 and http/1.x, nothing else.
        (
            &["serve", "--www", "--alpn", "spdy/3.1"],
            "tlskit: error: --www speaks HTTP/2 and HTTP/1.1, so --alpn may hold only h2, \
             http/1.1 and http/1.0, not 'spdy/3.1'\n",
        ),
        (
            &["serve", "--handshake-timeout", "0"],
            "tlskit: error: --handshake-timeout: must be more than 0 (see 'tlskit serve --help')\n",
        ),
        (
            &["serve", "--client-auth", "optional"],
            "tlskit: error: a required argument is missing: --client-ca <FILE> \
             (see 'tlskit serve --help')\n",
        ),
        (
            &["serve", "--tls12", "--tls13"],
            "tlskit: error: the argument '--tls12' cannot be used with '--tls13' \
             (see 'tlskit serve --help')\n",
        ),
    ] {
        dir.expect(args, 2, "", err);
    }
}

/// The first flight a rustls client sends (a ClientHello).
fn client_hello() -> Vec<u8> {
    let name = ServerName::try_from("localhost").unwrap().to_owned();
    let mut conn = ClientConnection::new(client_config_unverified(), name).unwrap();
    let mut out = Vec::new();
    conn.write_tls(&mut out).unwrap();
    out
}

#[test]
fn hostile_and_broken_clients_are_logged_and_do_not_hurt_the_server() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--handshake-timeout", "10"]);
    let send_then_read_to_end = |bytes: &[u8], half_close: bool| {
        let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
        s.set_read_timeout(Some(SECS(20))).unwrap();
        let _ = s.write_all(bytes);
        if half_close {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    };
    // Garbage instead of TLS.
    send_then_read_to_end(&[0xde; 4096], false);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert_eq!(rec["failure"], "not_tls", "{rec}");
    // Plain HTTP on the TLS port.
    send_then_read_to_end(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", false);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["failure"], "not_tls", "{rec}");
    assert!(
        rec["reason"].as_str().unwrap().contains("plain HTTP"),
        "{rec}"
    );
    // A ClientHello cut short, then the client leaves.
    let hello = client_hello();
    send_then_read_to_end(&hello[..hello.len() / 2], true);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["failure"], "client_closed", "{rec}");
    // A record header announcing more than TLS allows.
    send_then_read_to_end(&[0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x02], false);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert_eq!(rec["failure"], "malformed", "{rec}");
    // A full ClientHello, then gone before the handshake ends.
    {
        let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
        s.write_all(&hello).unwrap();
        s.set_read_timeout(Some(SECS(20))).unwrap();
        let mut first = [0u8; 5];
        s.read_exact(&mut first).unwrap();
        assert_eq!(
            first[0], 0x16,
            "the server answered with a handshake record"
        );
    }
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert!(
        matches!(rec["failure"].as_str(), Some("client_closed" | "reset")),
        "{rec}"
    );
    // A client that disconnects in the middle of a large echo.
    {
        let mut tls = connect(srv.port, pinned(&srv.pin));
        tls.sock.set_write_timeout(Some(SECS(2))).unwrap();
        // The client never reads its echo: the write may stall, which is the point.
        let _ = tls.write_all(&vec![7u8; 128 * 1024]);
        let _ = tls.flush();
    }
    let rec = srv.event("connection", SECS(20));
    assert!(
        matches!(rec["end"].as_str(), Some("error" | "closed")),
        "{rec}"
    );
    // After all that, the server still serves.
    let mut tls = connect(srv.port, pinned(&srv.pin));
    echo_once(&mut tls, b"still serving");
    close(tls);
    srv.event("connection", SECS(20));
    assert!(srv.terminate(SECS(20)).success());
    let summary = srv.event("summary", SECS(10));
    assert_eq!(summary["handshake_failures"], 5, "{summary}");
    assert_eq!(summary["failures_by_reason"]["not_tls"], 2, "{summary}");
}

#[test]
fn sigterm_closes_idle_connections_and_prints_a_summary() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--grace", "10"]);
    let mut tls = connect(srv.port, pinned(&srv.pin));
    echo_once(&mut tls, b"before the signal");
    let status = srv.terminate(SECS(20));
    assert!(status.success(), "{status:?}");
    // The idle connection was closed properly (close_notify), not cut.
    let mut buf = [0u8; 16];
    assert_eq!(tls.read(&mut buf).expect("clean close"), 0);
    let shutdown = srv.event("shutdown", SECS(5));
    assert_eq!(shutdown["signal"], "SIGTERM");
    assert_eq!(shutdown["open_connections"], 1);
    let rec = srv.event("connection", SECS(5));
    assert_eq!(rec["end"], "shutdown", "{rec}");
    let summary = srv.event("summary", SECS(5));
    assert_eq!(summary["stopped_by"], "SIGTERM");
    assert_eq!(summary["connections"], 1);
    assert_eq!(summary["bytes_out"], 17);
    assert_eq!(summary["aborted_at_shutdown"], 0);
}

/// Reads one HTTP response (head and, unless `head_only`, a Content-Length body).
fn read_response(tls: &mut Tls, head_only: bool) -> (String, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tls.read_exact(&mut byte).expect("response head");
        head.push(byte[0]);
        assert!(head.len() < 64 * 1024, "endless head");
    }
    let head = String::from_utf8(head).unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .expect("Content-Length")
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0u8; if head_only { 0 } else { len }];
    tls.read_exact(&mut body).expect("response body");
    (head, String::from_utf8(body).unwrap())
}

#[test]
fn www_answers_http_1_1_with_keep_alive_pipelining_and_correct_lengths() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--www"]);
    assert_eq!(srv.ready["alpn"], serde_json::json!(["h2", "http/1.1"]));
    let cfg = client_config(&srv.pin, &["http/1.1"], Versions::Both);
    let mut tls = connect(srv.port, cfg.clone());
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
    // Two pipelined requests in one write.
    tls.write_all(
        b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\nHEAD /x HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n",
    )
    .unwrap();
    tls.flush().unwrap();
    let (head, body) = read_response(&mut tls, false);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Connection: keep-alive\r\n"), "{head}");
    assert!(head.contains("Content-Type: text/plain"), "{head}");
    assert!(body.contains("protocol:       TLSv1.3\n"), "{body}");
    assert!(body.contains("SNI:            localhost\n"), "{body}");
    assert!(
        body.contains("ALPN:           http/1.1 (offered: http/1.1)\n"),
        "{body}"
    );
    assert!(
        body.contains("key exchange:   X25519MLKEM768 (post-quantum hybrid)\n"),
        "{body}"
    );
    assert!(
        body.contains("session:        new (full handshake)\n"),
        "{body}"
    );
    assert!(body.contains("client cert:    none\n"), "{body}");
    assert!(
        body.contains("request:        GET / HTTP/1.1 (#1 on this connection)\n"),
        "{body}"
    );
    let (head, _) = read_response(&mut tls, true);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("Content-Type: application/json\r\n"),
        "{head}"
    );
    // A POST with a body: 405, body read and dropped, connection kept.
    tls.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
        .unwrap();
    let (head, _) = read_response(&mut tls, false);
    assert!(
        head.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{head}"
    );
    assert!(head.contains("Allow: GET, HEAD\r\n"), "{head}");
    // JSON, then the client asks to close.
    tls.write_all(b"GET /?format=json HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (head, body) = read_response(&mut tls, false);
    assert!(head.contains("Connection: close\r\n"), "{head}");
    let page: serde_json::Value = serde_json::from_str(&body).expect("JSON page");
    assert_eq!(page["protocol"], "TLSv1.3");
    assert_eq!(page["sni"], "localhost");
    assert_eq!(page["alpn"], "http/1.1");
    assert_eq!(page["group"], "X25519MLKEM768");
    assert_eq!(page["post_quantum"], true);
    assert_eq!(page["resumed"], false);
    assert_eq!(page["client_certificate"], serde_json::Value::Null);
    assert_eq!(page["request"]["number"], 4);
    let mut rest = Vec::new();
    assert_eq!(tls.read_to_end(&mut rest).expect("close_notify"), 0);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["requests"], 4, "{rec}");
    assert_eq!(rec["end"], "closed", "{rec}");
    // A head over the limit gets 431 and a close, not unbounded buffering.
    let mut tls = connect(srv.port, cfg);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    let _ = tls.write_all(big.as_bytes());
    let _ = tls.flush();
    let (head, _) = read_response(&mut tls, false);
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
    assert!(head.contains("Connection: close\r\n"), "{head}");
}

/// SIGTERM with --www: an idle keep-alive connection is closed at once
/// (close_notify), while a request under way is answered, with
/// `Connection: close`, and then closed; the server exits when it is done.
#[test]
fn www_drains_on_sigterm_answering_the_request_under_way() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--www", "--grace", "30"]);
    let cfg = client_config(&srv.pin, &["http/1.1"], Versions::Both);
    let mut idle = connect(srv.port, cfg.clone());
    idle.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let (head, _) = read_response(&mut idle, false);
    assert!(head.contains("Connection: keep-alive\r\n"), "{head}");
    // A request whose body has not arrived yet.
    let mut busy = connect(srv.port, cfg);
    busy.write_all(b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n")
        .unwrap();
    busy.flush().unwrap();
    // Not an assertion: gives the server the moment it needs to read that head.
    std::thread::sleep(Duration::from_millis(300));
    let pid = srv.bg.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let shutdown = srv.event("shutdown", SECS(20));
    assert_eq!(shutdown["open_connections"], 2, "{shutdown}");
    let mut rest = Vec::new();
    assert_eq!(idle.read_to_end(&mut rest).expect("close_notify"), 0);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "shutdown", "{rec}");
    assert_eq!(rec["requests"], 1, "{rec}");
    busy.write_all(b"hello").unwrap();
    let (head, _) = read_response(&mut busy, false);
    assert!(head.starts_with("HTTP/1.1 405 "), "{head}");
    assert!(head.contains("Connection: close\r\n"), "{head}");
    assert_eq!(busy.read_to_end(&mut rest).expect("close_notify"), 0);
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "closed", "{rec}");
    assert_eq!(
        rec["reason"], "answered, and closed because the server is shutting down",
        "{rec}"
    );
    let summary = srv.event("summary", SECS(20));
    assert_eq!(summary["aborted_at_shutdown"], 0, "{summary}");
    assert!(srv.bg.wait(SECS(20)).expect("serve exits").success());
}

#[test]
fn optional_client_auth_shows_the_verified_subject_on_the_page() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&[
        "gencert", "--client", "--cn", "alice", "--out", "alice", "--issuer", "ca.pem", "-q",
    ]);
    let srv = spawn_serve(
        &dir,
        &[
            "--www",
            "--client-ca",
            "ca.pem",
            "--client-auth",
            "optional",
        ],
    );
    assert_eq!(srv.ready["client_auth"], "optional");
    let page = |identity: Option<Identity>| {
        let (cfg, _) = config::client_config(ClientOptions {
            pins: vec![Pin::parse(&srv.pin).unwrap()],
            identity,
            ..Default::default()
        })
        .unwrap();
        let mut tls = connect(srv.port, cfg);
        tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
            .unwrap();
        let (_, body) = read_response(&mut tls, false);
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let anonymous = page(None);
    assert_eq!(anonymous["client_certificate"], serde_json::Value::Null);
    let alice = page(Some(Identity {
        chain: files::load_certs(&dir.join("alice.pem")).unwrap(),
        key: files::load_key(&dir.join("alice-key.pem")).unwrap(),
    }));
    assert_eq!(alice["client_certificate"]["subject"], "CN=alice");
    assert_eq!(alice["client_certificate"]["verified"], true);
    // The two records may be logged in either order.
    let mut subjects: Vec<String> = srv
        .connections(2, SECS(20))
        .iter()
        .map(|r| r["client_subject"].to_string())
        .collect();
    subjects.sort();
    assert_eq!(subjects, ["\"CN=alice\"", "null"]);
}

#[test]
fn tls13_only_refuses_a_tls12_client_and_says_why() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--tls13"]);
    assert_eq!(srv.ready["versions"], serde_json::json!(["TLSv1.3"]));
    let err = try_connect(srv.port, client_config(&srv.pin, &[], Versions::Tls12)).unwrap_err();
    assert!(err.to_string().to_lowercase().contains("protocol"), "{err}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert_eq!(rec["failure"], "no_version_overlap", "{rec}");
    assert!(
        rec["reason"]
            .as_str()
            .unwrap()
            .contains("no protocol version in common"),
        "{rec}"
    );
    // TLS 1.2 is fine by default.
    let srv = spawn_serve(&dir, &[]);
    let tls = connect(srv.port, client_config(&srv.pin, &[], Versions::Tls12));
    assert_eq!(
        tls.conn.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_2)
    );
}

#[test]
fn keylog_file_and_sslkeylogfile_receive_the_session_secrets() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--keylog", "keys.log"]);
    assert_eq!(srv.ready["keylog"], "keys.log");
    let tls = connect(srv.port, pinned(&srv.pin));
    close(tls);
    srv.event("connection", SECS(20));
    let log = dir.read("keys.log");
    let line = log
        .lines()
        .find(|l| l.starts_with("CLIENT_HANDSHAKE_TRAFFIC_SECRET "))
        .unwrap_or_else(|| panic!("no TLS 1.3 secret in {log}"));
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields.len(), 3);
    assert_eq!(fields[1].len(), 64, "client random");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("keys.log"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // SSLKEYLOGFILE works without the flag.
    let mut cmd = dir.tlskit(&["serve", "--json", "--listen", "127.0.0.1:0"]);
    cmd.env("SSLKEYLOGFILE", dir.join("env.log"));
    let bg = Background::spawn(cmd);
    let first: serde_json::Value = serde_json::from_str(&bg.line(SECS(20))).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&bg.line(SECS(20))).unwrap();
    let port: u16 = first["addr"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let tls = connect(
        port,
        pinned(ready["certificate"]["spki_pin"].as_str().unwrap()),
    );
    close(tls);
    bg.line(SECS(20));
    assert!(dir.read("env.log").contains("SERVER_TRAFFIC_SECRET_0 "));
}

#[test]
fn ipv6_listen_address_and_a_certificate_chain() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        skip("IPv6 loopback", "no [::1] here");
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
    let chain = format!("{}{}", dir.read("localhost.pem"), dir.read("ca.pem"));
    std::fs::write(dir.join("chain.pem"), chain).unwrap();
    let bg = Background::spawn(dir.tlskit(&[
        "serve",
        "--json",
        "--listen",
        "[::1]:0",
        "--cert",
        "chain.pem",
        "--key",
        "localhost-key.pem",
    ]));
    let first: serde_json::Value = serde_json::from_str(&bg.line(SECS(20))).unwrap();
    let addr = first["addr"].as_str().unwrap().to_string();
    assert!(addr.starts_with("[::1]:"), "{addr}");
    let ready: serde_json::Value = serde_json::from_str(&bg.line(SECS(20))).unwrap();
    assert_eq!(ready["chain_length"], 2);
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    let tcp = TcpStream::connect(("::1", port)).unwrap();
    tcp.set_read_timeout(Some(SECS(20))).unwrap();
    let name = ServerName::try_from("localhost").unwrap().to_owned();
    let pin = ready["certificate"]["spki_pin"].as_str().unwrap();
    let conn = ClientConnection::new(pinned(pin), name).unwrap();
    let mut tls = StreamOwned::new(conn, tcp);
    echo_once(&mut tls, b"over IPv6");
    assert_eq!(tls.conn.peer_certificates().unwrap().len(), 2);
}

#[test]
fn a_client_that_rejects_the_certificate_is_logged_with_its_alert() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &[]);
    // Mozilla's roots only, no pin: the ephemeral certificate cannot verify.
    let (cfg, _) = config::client_config(ClientOptions::default()).unwrap();
    assert!(try_connect(srv.port, cfg).is_err());
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert_eq!(rec["failure"], "alert:unknown_ca", "{rec}");
    let reason = rec["reason"].as_str().unwrap();
    assert!(
        reason.contains("does not trust the server's certificate"),
        "{reason}"
    );
}

#[test]
fn sigint_cuts_a_stalled_handshake_off_after_the_grace_period() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--grace", "1", "--handshake-timeout", "60"]);
    let mut stalled = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    // Make sure the server has taken the connection on before the signal.
    let mut tls = connect(srv.port, pinned(&srv.pin));
    echo_once(&mut tls, b"x");
    let pid = srv.bg.child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status();
    let status = srv.bg.wait(SECS(20)).expect("exit within the bound");
    assert!(status.success(), "{status:?}");
    stalled.set_read_timeout(Some(SECS(5))).unwrap();
    let mut buf = [0u8; 8];
    assert!(matches!(stalled.read(&mut buf), Ok(0) | Err(_)));
    let shutdown = srv.event("shutdown", SECS(5));
    assert_eq!(shutdown["signal"], "SIGINT");
    assert_eq!(shutdown["open_connections"], 2);
    let records = srv.connections(2, SECS(5));
    let mut ends: Vec<String> = records
        .iter()
        .map(|r| format!("{}/{}", r["end"], r["failure"]))
        .collect();
    ends.sort();
    // The idle echo closes at once; the stalled handshake only when the grace period ends.
    assert_eq!(ends, ["\"shutdown\"/\"shutdown\"", "\"shutdown\"/null"]);
    for r in &records {
        let reason = r["reason"].as_str().unwrap_or_default();
        let stalled = r["failure"] == "shutdown";
        assert_eq!(reason.contains("cut off"), stalled, "{r}");
    }
    let summary = srv.event("summary", SECS(5));
    assert_eq!(summary["stopped_by"], "SIGINT");
    // The stalled handshake was still open when the grace period ran out.
    assert_eq!(summary["aborted_at_shutdown"], 1, "{summary}");
}

/// The `connect` command the banner prints must reach this server and verify,
/// whatever address it listens on (not only where `localhost` resolves).
#[test]
fn the_printed_connect_command_works_for_every_loopback_listen_form() {
    let dir = Dir::new();
    let mut forms = vec!["127.0.0.1:0", "127.0.0.2:0"];
    if std::net::TcpListener::bind("[::1]:0").is_ok() {
        forms.push("[::1]:0");
    } else {
        skip(
            "IPv6 loopback",
            "the [::1] form: no IPv6 loopback on this machine",
        );
    }
    for listen in forms {
        let mut srv = spawn_serve_on(&dir, listen, &["--max-accept", "1"]);
        let command = srv.ready["connect"].as_str().expect("connect").to_string();
        let words: Vec<&str> = command.split_whitespace().collect();
        assert_eq!(words[..2], ["tlskit", "connect"], "{command}");
        let mut cmd = dir.tlskit(&words[1..]);
        cmd.stdin(std::process::Stdio::null());
        let out = run_bounded(cmd, SECS(30));
        assert_eq!(
            code(&out),
            0,
            "{listen}: `{command}` failed: {}",
            stderr(&out)
        );
        assert!(
            srv.bg.wait(SECS(20)).is_some(),
            "{listen}: serve did not stop"
        );
    }
}

/// A port that is taken, or privileged, is a network error (exit 3) whose
/// message says what to do, like the other commands' network errors.
#[test]
fn a_port_in_use_or_privileged_says_what_to_do_and_exits_3() {
    let dir = Dir::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run_bounded(dir.tlskit(&["serve", "--listen", &port]), SECS(20));
    let err = stderr(&out);
    assert_exit(&out, 3);
    assert!(err.contains("already in use"), "{err}");
    assert!(err.contains("another process"), "{err}");
    assert!(err.contains(":0 picks a free port"), "{err}");

    // Port 1 without privilege: run as nobody when we are root.
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let unprivileged_start =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(1024);
    if unprivileged_start <= 1 || (root && !have("setpriv")) {
        skip(
            "privileged ports",
            "the privileged-port half: binding port 1 needs no privilege here",
        );
        return;
    }
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .args(["serve", "--listen", "127.0.0.1:1"]);
        scrub(&mut c);
        c.current_dir(std::env::temp_dir());
        c
    } else {
        dir.tlskit(&["serve", "--listen", "127.0.0.1:1"])
    };
    cmd.env("NO_COLOR", "1");
    let out = run_bounded(cmd, SECS(20));
    let err = stderr(&out);
    if !err.starts_with("tlskit:") {
        skip(
            "privileged ports",
            &format!("the privileged-port half: could not run tlskit as nobody: {err}"),
        );
        return;
    }
    assert_exit(&out, 3);
    assert!(err.contains("below 1024"), "{err}");
    assert!(err.contains("CAP_NET_BIND_SERVICE"), "{err}");
}

/// A chain file with the leaf not first: the key "does not match" the first
/// certificate, which is the wrong diagnosis; say which certificate it matches.
/// A chain whose next certificate did not issue the one before starts, with a warning.
#[test]
fn a_chain_out_of_order_is_named_as_such() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
    dir.ok(&[
        "gencert", "--ca", "--out", "other", "--cn", "Other CA", "-q",
    ]);
    let (ca, leaf, other) = (
        dir.read("ca.pem"),
        dir.read("localhost.pem"),
        dir.read("other.pem"),
    );
    std::fs::write(dir.join("reversed.pem"), format!("{ca}{leaf}")).unwrap();
    std::fs::write(dir.join("unrelated.pem"), format!("{leaf}{other}")).unwrap();
    std::fs::write(dir.join("good.pem"), format!("{leaf}{ca}")).unwrap();

    let out = run_bounded(
        dir.tlskit(&[
            "serve",
            "--cert",
            "reversed.pem",
            "--key",
            "localhost-key.pem",
        ]),
        SECS(20),
    );
    let err = stderr(&out);
    assert_exit(&out, 1);
    assert!(err.contains("certificate #2"), "{err}");
    assert!(err.contains("CN=localhost"), "{err}");
    assert!(err.contains("first"), "{err}");

    let mut srv = spawn_serve(
        &dir,
        &["--cert", "unrelated.pem", "--key", "localhost-key.pem"],
    );
    assert_eq!(srv.ready["chain_length"], 2);
    // --json consumers get the warnings in the ready event too.
    let warnings = srv.ready["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].as_str().unwrap().contains("did not issue"),
        "{warnings:?}"
    );
    srv.terminate(SECS(20));
    let err = srv.stderr();
    assert!(
        err.contains("certificate #2 (CN=Other CA) did not issue certificate #1 (CN=localhost)"),
        "{err}"
    );

    let mut srv = spawn_serve(&dir, &["--cert", "good.pem", "--key", "localhost-key.pem"]);
    assert_eq!(srv.ready["warnings"], serde_json::json!([]));
    srv.terminate(SECS(20));
    let err = srv.stderr();
    assert!(!err.contains("warning"), "{err}");
}

/// TLS 1.2 suites are made for one key type: --suites that leave none for the
/// certificate's key would fail every TLS 1.2 handshake, so say so at start-up.
#[test]
fn tls12_suites_that_do_not_fit_the_key_are_refused_or_warned_about() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--key-type", "rsa2048", "--out", "rsa", "-q"]);
    let key_args = ["--cert", "rsa.pem", "--key", "rsa-key.pem"];
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--tls12"];
    args.extend(key_args);
    args.extend(["--suites", "ECDHE-ECDSA-AES128-GCM-SHA256"]);
    let out = run_bounded(dir.tlskit(&args), SECS(20));
    let err = stderr(&out);
    assert_exit(&out, 2);
    assert!(err.contains("RSA key"), "{err}");
    assert!(err.contains("ECDHE-RSA"), "{err}");
    assert!(stdout(&out).is_empty(), "it started: {}", stdout(&out));

    // With TLS 1.3 on as well, it serves, and warns that TLS 1.2 clients will fail.
    let mut both: Vec<&str> = key_args.to_vec();
    both.extend([
        "--suites",
        "TLS13_AES_128_GCM_SHA256,ECDHE-ECDSA-AES128-GCM-SHA256",
    ]);
    let mut srv = spawn_serve(&dir, &both);
    srv.terminate(SECS(20));
    let err = srv.stderr();
    assert!(err.contains("TLS 1.2 clients"), "{err}");

    // Suites that fit: no warning.
    let mut fits: Vec<&str> = key_args.to_vec();
    fits.extend(["--suites", "ECDHE-RSA-AES128-GCM-SHA256"]);
    let mut srv = spawn_serve(&dir, &fits);
    srv.terminate(SECS(20));
    let err = srv.stderr();
    assert!(!err.contains("warning"), "{err}");
}

/// Like `openssl s_server -cert` and socat's `cert=`: one PEM file holding the
/// chain and the key serves without --key; a file without a key says to add --key.
#[test]
fn a_cert_file_that_holds_the_key_needs_no_key_flag() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "--out", "site", "-q"]);
    let combined = format!("{}{}", dir.read("site.pem"), dir.read("site-key.pem"));
    std::fs::write(dir.join("combined.pem"), combined).unwrap();
    let srv = spawn_serve(&dir, &["--cert", "combined.pem"]);
    assert_eq!(srv.ready["ephemeral"], false);
    let mut tls = connect(srv.port, pinned(&srv.pin));
    echo_once(&mut tls, b"one file");

    let out = run_bounded(dir.tlskit(&["serve", "--cert", "site.pem"]), SECS(20));
    let err = stderr(&out);
    assert_exit(&out, 2);
    assert!(err.contains("no private key"), "{err}");
    assert!(err.contains("--key"), "{err}");
}

/// A certificate file with an encrypted key in it: the error is about the key.
#[test]
fn a_cert_file_with_an_encrypted_key_says_so() {
    let dir = Dir::new();
    if !have("openssl") {
        return;
    }
    dir.ok(&["gencert", "localhost", "--out", "site", "-q"]);
    sh(
        dir.path(),
        "openssl pkey -in site-key.pem -aes256 -passout pass:x -out enc.pem && cat site.pem enc.pem > both.pem",
    );
    for args in [
        &["serve", "--cert", "both.pem"][..],
        &["serve", "--cert", "site.pem", "--key", "both.pem"],
    ] {
        let out = run_bounded(dir.tlskit(args), SECS(20));
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{args:?}: {err}");
        assert!(err.contains("an encrypted private key"), "{args:?}: {err}");
    }
}

/// Plain HTTP sent to a --www port gets a plaintext 400 that says to use
/// https:// (as nginx does), not a TLS alert an HTTP client cannot read.
#[test]
fn plain_http_to_a_www_port_gets_a_readable_400() {
    let dir = Dir::new();
    let srv = spawn_serve(&dir, &["--www"]);
    let mut tcp = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    tcp.set_read_timeout(Some(SECS(20))).unwrap();
    tcp.write_all(b"GET /x HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n")
        .unwrap();
    let mut reply = Vec::new();
    let _ = tcp.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{reply:?}"
    );
    assert!(reply.contains("Connection: close\r\n"), "{reply:?}");
    assert!(reply.contains("https://"), "{reply:?}");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["failure"], "not_tls", "{rec}");
    assert!(
        rec["reason"].as_str().unwrap().contains("plain HTTP"),
        "{rec}"
    );
    // TLS clients are served as before.
    let mut tls = connect(srv.port, pinned(&srv.pin));
    tls.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut page = String::new();
    let _ = tls.read_to_string(&mut page);
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
}

/// Sends SIGINT to a running serve.
fn sigint(srv: &Served) {
    signal(srv, "-INT");
}

/// A transfer in progress at SIGINT gets the whole grace period: it goes on
/// echoing after the signal and ends when the client closes (nothing cut);
/// one still sending when the grace period ends is cut off and counted.
#[test]
fn sigint_lets_an_active_transfer_finish_and_counts_one_cut_off() {
    let dir = Dir::new();
    let chunk = vec![0x5au8; 16 * 1024];

    // Finishes within the grace period.
    let mut srv = spawn_serve(&dir, &["--grace", "30"]);
    let mut tls = connect(srv.port, pinned(&srv.pin));
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let data = chunk.clone();
    let client = std::thread::spawn(move || {
        // Echoes without a pause until told to stop, then 100 rounds more, then closes.
        let mut left: Option<u32> = None;
        let mut rounds = 0u64;
        while rounds < 1_000_000 {
            echo_once(&mut tls, &data);
            rounds += 1;
            if rounds == 10 {
                let _ = done_tx.send(());
            }
            match left {
                None if stop_rx.try_recv().is_ok() => left = Some(100),
                None => {}
                Some(0) => break,
                Some(n) => left = Some(n - 1),
            }
        }
        close(tls);
        rounds
    });
    done_rx
        .recv_timeout(SECS(20))
        .expect("the transfer started");
    sigint(&srv);
    let shutdown = srv.event("shutdown", SECS(20));
    assert_eq!(shutdown["open_connections"], 1, "{shutdown}");
    stop_tx.send(()).unwrap();
    let rounds = client.join().expect("the client echoed to the end");
    let rec = srv.event("connection", SECS(20));
    assert_eq!(rec["end"], "closed", "{rec}");
    assert_eq!(rec["bytes_out"], rounds * chunk.len() as u64, "{rec}");
    let summary = srv.event("summary", SECS(20));
    assert_eq!(summary["aborted_at_shutdown"], 0, "{summary}");
    assert!(srv.bg.wait(SECS(20)).expect("exit").success());

    // Still sending when a 1 s grace period ends: cut off, and counted.
    let srv = spawn_serve(&dir, &["--grace", "1"]);
    let mut tls = connect(srv.port, pinned(&srv.pin));
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let data = chunk.clone();
    let client = std::thread::spawn(move || {
        for i in 0..1_000_000u64 {
            if tls.write_all(&data).and_then(|_| tls.flush()).is_err() {
                return;
            }
            let mut got = vec![0u8; data.len()];
            if tls.read_exact(&mut got).is_err() {
                return;
            }
            if i == 10 {
                let _ = done_tx.send(());
            }
        }
    });
    done_rx
        .recv_timeout(SECS(20))
        .expect("the transfer started");
    sigint(&srv);
    let rec = srv.event("connection", SECS(30));
    assert_eq!(rec["end"], "shutdown", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("cut off"), "{rec}");
    let summary = srv.event("summary", SECS(20));
    assert_eq!(summary["aborted_at_shutdown"], 1, "{summary}");
    client.join().unwrap();
}

fn signal(srv: &Served, sig: &str) {
    let pid = srv.bg.child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args([sig, &pid])
        .status();
}

/// SIGHUP reads the certificate and key again: new connections get the new
/// certificate; files that cannot be used keep the old one, with the reason
/// logged; the ephemeral certificate is kept. The server lives through each.
#[test]
fn sighup_reloads_the_certificate_or_keeps_the_old_one_and_says_why() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "--out", "a", "-q"]);
    dir.ok(&["gencert", "localhost", "--out", "b", "-q"]);
    std::fs::copy(dir.join("a.pem"), dir.join("cur.pem")).unwrap();
    std::fs::copy(dir.join("a-key.pem"), dir.join("cur-key.pem")).unwrap();
    let mut srv = spawn_serve(&dir, &["--cert", "cur.pem", "--key", "cur-key.pem"]);
    let pin_a = srv.pin.clone();
    close(connect(srv.port, pinned(&pin_a)));
    let _ = srv.event("connection", SECS(20));

    std::fs::copy(dir.join("b.pem"), dir.join("cur.pem")).unwrap();
    std::fs::copy(dir.join("b-key.pem"), dir.join("cur-key.pem")).unwrap();
    signal(&srv, "-HUP");
    let ev = srv.event("reload", SECS(20));
    assert_eq!(ev["outcome"], "reloaded", "{ev}");
    let pin_b = dir.ok(&["pin", "b.pem"]).trim().to_string();
    close(connect(srv.port, pinned(&pin_b)));
    let _ = srv.event("connection", SECS(20));

    // A certificate without its key: the old pair stays.
    std::fs::copy(dir.join("a.pem"), dir.join("cur.pem")).unwrap();
    signal(&srv, "-HUP");
    let ev = srv.event("reload", SECS(20));
    assert_eq!(ev["outcome"], "kept_old", "{ev}");
    let reason = ev["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("key"), "{ev}");
    close(connect(srv.port, pinned(&pin_b)));
    let _ = srv.event("connection", SECS(20));
    assert!(srv.terminate(SECS(20)).success());

    // The ephemeral certificate: nothing to reload, and the server goes on.
    let mut srv = spawn_serve(&dir, &[]);
    signal(&srv, "-HUP");
    let ev = srv.event("reload", SECS(20));
    assert_eq!(ev["outcome"], "kept_old", "{ev}");
    assert!(
        ev["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("ephemeral"),
        "{ev}"
    );
    close(connect(srv.port, pinned(&srv.pin)));
    let _ = srv.event("connection", SECS(20));
    assert!(srv.terminate(SECS(20)).success());
}

/// serve's `--json` is JSON lines, and its help says so (it said "one JSON document").
#[test]
fn serve_help_says_json_is_one_object_per_line() {
    let dir = Dir::new();
    let help = dir.ok(&["serve", "--help"]);
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("serve: one JSON object per line"), "{help}");
    let man = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man/tlskit-serve.1"),
    )
    .unwrap();
    assert!(man.contains("one JSON object per line"), "man page");
}

/// `n` names for a certificate, to make it big.
fn many_names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:05}.example")).collect()
}

/// A certificate over 64 KiB is named as the problem, with the limit (it was
/// blamed on the key: "the private key is not usable: BadEncoding"); a chain
/// whose Certificate message is over what rustls clients read is warned about.
#[test]
fn an_oversized_certificate_or_chain_is_named_with_the_limit() {
    let dir = Dir::new();
    let mut args: Vec<String> = vec!["gencert".into()];
    args.extend(many_names("n", 6000));
    args.extend(["--out", "big", "-q"].map(String::from));
    dir.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let out = dir.run(&[
        "serve",
        "--cert",
        "big.pem",
        "--key",
        "big-key.pem",
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("certificate #1 is"), "{err}");
    assert!(err.contains("over the 64 KiB (65535 bytes)"), "{err}");
    assert!(!err.contains("private key is not usable"), "{err}");

    // Two certificates of about 40 KiB each: each is fine, the message is not.
    for (stem, prefix) in [("one", "n"), ("two", "m")] {
        let mut args: Vec<String> = vec!["gencert".into()];
        args.extend(many_names(prefix, 2700));
        args.extend(["--out", stem, "-q"].map(String::from));
        dir.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    let chain = dir.read("one.pem") + &dir.read("two.pem");
    std::fs::write(dir.join("chain.pem"), chain).unwrap();
    let mut srv = spawn_serve(&dir, &["--cert", "chain.pem", "--key", "one-key.pem"]);
    let warnings = srv.ready["warnings"].to_string();
    assert!(
        warnings.contains("over the 64 KiB (65535 bytes) that rustls clients accept"),
        "{warnings}"
    );
    assert!(srv.terminate(SECS(20)).success());
}

/// Runs a command line tlskit printed, as a user pasting it would: through
/// `sh`, in `dir`, with this build's tlskit first on PATH.
fn run_printed(dir: &Dir, line: &str) -> std::process::Output {
    let bin_dir = util::bin().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("sh");
    cmd.current_dir(dir.path())
        .args(["-c", line])
        .env("PATH", path)
        .stdin(std::process::Stdio::null());
    util::scrub(&mut cmd);
    util::run_bounded(cmd, SECS(60))
}

/// Every command line serve's banner prints runs as printed: with
/// `--client-ca`, the line that makes client.pem, the connect command, and
/// the curl line (which used to lack the client certificate).
#[test]
fn every_command_the_banner_prints_runs_as_printed() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--out", "ca", "-q"]);
    let mut cmd = dir.tlskit(&[
        "serve",
        "--www",
        "--client-ca",
        "ca.pem",
        "--listen",
        "127.0.0.1:0",
        "--color",
        "never",
    ]);
    cmd.env("NO_COLOR", "1");
    let server = Background::spawn(cmd);
    let mut printed = Vec::new();
    while printed.len() < 3 {
        let line = server.line(SECS(20));
        for tool in ["tlskit ", "curl "] {
            if let Some(at) = line.find(tool) {
                printed.push(line[at..].trim().to_string());
            }
        }
    }
    assert!(printed[0].starts_with("tlskit gencert "), "{printed:?}");
    assert!(printed[1].starts_with("tlskit connect "), "{printed:?}");
    assert!(printed[2].starts_with("curl "), "{printed:?}");
    assert!(
        printed[2].contains("--cert client.pem --key client-key.pem"),
        "{printed:?}"
    );
    for line in &printed {
        if line.starts_with("curl") && !util::have("curl") {
            eprintln!("SKIPPED: curl is not installed: {line}");
            continue;
        }
        let out = run_printed(&dir, line);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{line}\nstdout: {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        );
    }
}

#[test]
fn no_log_prints_no_line_per_connection_and_still_counts_them() {
    let dir = Dir::new();
    let mut srv = spawn_serve(&dir, &["--max-accept", "2", "--no-log"]);
    for _ in 0..2 {
        let mut tls = connect(srv.port, pinned(&srv.pin));
        echo_once(&mut tls, b"counted");
        close(tls);
    }
    let status = srv
        .bg
        .wait(SECS(20))
        .expect("serve exits after --max-accept 2");
    assert!(status.success(), "{status:?}");
    let mut seen = Vec::new();
    while let Ok(line) = srv.bg.lines.recv_timeout(SECS(5)) {
        seen.push(line);
    }
    let events: Vec<serde_json::Value> = seen
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    assert!(
        events.iter().all(|v| v["event"] != "connection"),
        "{seen:?}"
    );
    let summary = events
        .iter()
        .find(|v| v["event"] == "summary")
        .expect("a summary");
    assert_eq!(summary["connections"], 2, "{summary}");
    assert_eq!(summary["bytes_in"], 14, "{summary}");
}
