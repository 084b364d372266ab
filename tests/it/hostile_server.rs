//! `tlskit connect` against servers written here to misbehave: an endless
//! certificate chain, records far over the TLS size limit, garbage after a
//! real handshake, a server that never speaks and one that never closes.
//! Each time tlskit must end on its own, within `--timeout` (or
//! `--read-timeout` in the data phase), with a clear one-line error, the
//! right exit code, no panic, and bounded memory (its peak RSS is measured).
//! `scan`, whose probes all meet the same hostile server, must end in bounded
//! time and memory too.
//!
//! The servers are threads of this test: raw bytes on a socket, or a real
//! rustls `ServerConnection` that turns hostile once the handshake is done.
//! Loopback only; every loop is bounded in count and time.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::util::*;
use tlskit::tls::certgen;
use tlskit::tls::config::{self, ClientAuth, Identity, KeyLogTo, ServerOptions, Versions};
use tlskit::tls::pin::Pin;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// The longest any misbehaving server keeps going: far beyond every timeout
/// given to tlskit here, so a hang shows up as a failed bound, not a stuck test.
const SERVER_LIFETIME: Duration = Duration::from_secs(40);

/// A finished tlskit run: its output, how long it took, and its peak RSS.
struct Run {
    out: Output,
    elapsed: Duration,
    peak_rss_kib: u64,
    stdout_bytes: usize,
}

impl Run {
    fn code(&self) -> i32 {
        code(&self.out)
    }

    fn stderr(&self) -> String {
        stderr(&self.out)
    }

    /// The one error line, checked for shape: `tlskit: error: ...`, no panic.
    fn error_line(&self) -> String {
        let err = self.stderr();
        assert!(!err.contains("panicked"), "tlskit panicked: {err}");
        let line = err
            .lines()
            .find(|l| l.starts_with("tlskit: error: "))
            .unwrap_or_else(|| panic!("no error line in: {err}"))
            .to_string();
        eprintln!("{line}");
        line
    }
}

/// The high-water mark of a live process's resident memory, KiB (VmHWM).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs tlskit in `dir` with stdin closed, killing it after `limit`; samples
/// its peak resident memory every 2 ms. (VmHWM is a high-water mark, so only
/// growth in the last 2 ms before exit could be missed; wait4's ru_maxrss is
/// no use here: after a vfork-style spawn it counts this test process too.)
/// Stdout is counted, and its first 64 KiB kept.
fn run_measured(dir: &Dir, args: &[&str], limit: Duration) -> Run {
    let mut cmd = dir.tlskit(args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn tlskit");
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut head = Vec::new();
        let mut total = 0usize;
        let mut buf = [0u8; 64 * 1024];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n;
            if head.len() < 64 * 1024 {
                head.extend_from_slice(&buf[..n.min(64 * 1024 - head.len())]);
            }
        }
        (head, total)
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = started + limit;
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tlskit {args:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let elapsed = started.elapsed();
    let (stdout, stdout_bytes) = t_out.join().unwrap();
    Run {
        out: Output {
            status,
            stdout,
            stderr: t_err.join().unwrap(),
        },
        elapsed,
        peak_rss_kib: peak,
        stdout_bytes,
    }
}

/// A one-connection server on a free loopback port; `behave` gets the accepted socket.
fn raw_server(behave: impl FnOnce(TcpStream) + Send + 'static) -> (u16, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + SERVER_LIFETIME;
        let tcp = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => panic!("nobody connected: {e}"),
            }
        };
        tcp.set_nonblocking(false).unwrap();
        tcp.set_read_timeout(Some(SERVER_LIFETIME)).unwrap();
        tcp.set_write_timeout(Some(SERVER_LIFETIME)).unwrap();
        behave(tcp);
    });
    (port, handle)
}

/// Reads one TLS record: (content type, body).
fn read_record(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut header = [0u8; 5];
    s.read_exact(&mut header).expect("record header");
    let len = u16::from_be_bytes([header[3], header[4]]) as usize;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).expect("record body");
    (header[0], body)
}

fn record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![content_type, 0x03, 0x03];
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// A TLS 1.2 ServerHello choosing ECDHE-ECDSA-AES128-GCM-SHA256 (which rustls offers).
fn server_hello_tls12() -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[0x42; 32]); // random (no downgrade sentinel)
    body.push(0); // no session id
    body.extend_from_slice(&[0xc0, 0x2b]); // cipher suite
    body.push(0); // null compression
    let mut msg = vec![0x02];
    msg.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    record(0x16, &msg)
}

/// Reads the ClientHello, answers with a TLS 1.2 ServerHello, and writes
/// `stream` (a generator of handshake-record payloads) until the client goes
/// away or SERVER_LIFETIME passes; returns how many bytes were written.
fn fake_tls12_then(mut s: TcpStream, mut next: impl FnMut(usize) -> Vec<u8>) -> usize {
    let (kind, hello) = read_record(&mut s);
    assert_eq!((kind, hello[0]), (0x16, 0x01), "a ClientHello");
    s.write_all(&server_hello_tls12()).unwrap();
    let deadline = Instant::now() + SERVER_LIFETIME;
    let mut written = 0;
    let mut i = 0;
    while Instant::now() < deadline {
        let chunk = next(i);
        if chunk.is_empty() {
            break;
        }
        i += 1;
        match s.write_all(&chunk) {
            Ok(()) => written += chunk.len(),
            Err(_) => break,
        }
    }
    written
}

/// Certificate-message bytes without end: a Certificate header announcing
/// 16 MiB, then one real certificate after another.
fn endless_chain(cert_der: Vec<u8>) -> impl FnMut(usize) -> Vec<u8> {
    let mut entry = (cert_der.len() as u32).to_be_bytes()[1..].to_vec();
    entry.extend_from_slice(&cert_der);
    let mut pending: Vec<u8> = vec![0x0b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfc];
    move |_| {
        while pending.len() < 16 * 1024 {
            pending.extend_from_slice(&entry);
        }
        let rest = pending.split_off(16 * 1024);
        let payload = std::mem::replace(&mut pending, rest);
        record(0x16, &payload)
    }
}

/// The ephemeral identity of a test server and its pin.
fn identity() -> (Identity, Vec<u8>, String) {
    let g = certgen::ephemeral_localhost().unwrap();
    let der = g.cert_der.to_vec();
    let pin = Pin::of_cert(&der).unwrap().to_string();
    (
        Identity {
            chain: vec![g.cert_der],
            key: g.key_der,
        },
        der,
        pin,
    )
}

/// A real TLS server: completes the handshake with rustls, then `after` gets
/// the connection and the socket to misbehave on. Returns the port and the pin.
fn tls_server(
    versions: Versions,
    after: impl FnOnce(&mut rustls::ServerConnection, &mut TcpStream) + Send + 'static,
) -> (u16, String, JoinHandle<()>) {
    let (identity, _, pin) = identity();
    let config = config::server_config(ServerOptions {
        identity,
        client_auth: ClientAuth::Off,
        alpn: Vec::new(),
        versions,
        tickets: false,
        ocsp: None,
        keylog: KeyLogTo::Off,
        algorithms: Default::default(),
    })
    .unwrap();
    let (port, handle) = raw_server(move |mut tcp| {
        let mut conn = rustls::ServerConnection::new(config).unwrap();
        while conn.is_handshaking() {
            if conn.complete_io(&mut tcp).is_err() {
                return;
            }
        }
        // Flush what rustls still holds (tickets, the last flight).
        while conn.wants_write() {
            if conn.write_tls(&mut tcp).is_err() {
                return;
            }
        }
        after(&mut conn, &mut tcp);
    });
    (port, pin, handle)
}

/// A client-side view of the target: 127.0.0.1:PORT verified as localhost.
fn target(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// The peak RSS of a plain, successful `connect` run: the baseline the hostile runs are held to.
fn baseline_rss(dir: &Dir) -> u64 {
    let (port, pin, server) = tls_server(Versions::Both, |conn, tcp| {
        // Echo one message, then close properly.
        let mut buf = [0u8; 64];
        let deadline = Instant::now() + SECS(20);
        while Instant::now() < deadline {
            match conn.reader().read(&mut buf) {
                Ok(n) if n > 0 => {
                    let _ = conn.writer().write_all(&buf[..n]);
                    conn.send_close_notify();
                    while conn.wants_write() && conn.write_tls(tcp).is_ok() {}
                    return;
                }
                _ => {}
            }
            if conn.read_tls(tcp).map(|n| n == 0).unwrap_or(true) {
                return;
            }
            let _ = conn.process_new_packets();
        }
    });
    let port_s = target(port);
    let run = run_measured(
        dir,
        &[
            "connect",
            &port_s,
            "--servername",
            "localhost",
            "--pin",
            &pin,
            "--send",
            "hello",
        ],
        SECS(60),
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.out.stdout, b"hello");
    server.join().unwrap();
    run.peak_rss_kib
}

/// How much more than a plain run a hostile one may use at its peak.
///
/// A plain `connect` peaks at about 14.5 MiB (debug build, measured on the
/// 2-core Debian machine, also with both cores busy); against every hostile
/// server here, 16 MiB streamed included, the peak stays within about 1 MiB
/// of it. 8 MiB of slack leaves room for allocator noise and is still half of
/// what buffering the 16 MiB a hostile server sends would cost.
const RSS_SLACK_KIB: u64 = 8 * 1024;

fn check_memory(run: &Run, baseline: u64, scenario: &str) {
    eprintln!(
        "{scenario}: exit {} after {:?}, peak RSS {} KiB (plain connect {baseline} KiB)",
        run.code(),
        run.elapsed,
        run.peak_rss_kib
    );
    assert!(
        run.peak_rss_kib <= baseline + RSS_SLACK_KIB,
        "{scenario}: peak RSS {} KiB, a plain connect needs {baseline} KiB",
        run.peak_rss_kib
    );
}

#[test]
fn an_endless_certificate_chain_is_refused_at_once() {
    let dir = Dir::new();
    let baseline = baseline_rss(&dir);
    let (_, der, _) = identity();
    let (port, server) = raw_server(move |s| {
        let written = fake_tls12_then(s, endless_chain(der));
        eprintln!("endless chain: the server wrote {written} bytes before the client left");
        assert!(written < 8 * 1024 * 1024, "the client kept reading");
    });
    let t = target(port);
    let run = run_measured(
        &dir,
        &[
            "connect",
            &t,
            "--servername",
            "localhost",
            "--insecure",
            "--timeout",
            "10",
        ],
        SECS(30),
    );
    server.join().unwrap();
    assert_eq!(run.code(), 4, "{}", run.stderr());
    let line = run.error_line();
    assert!(line.contains("handshake message too large"), "{line}");
    assert!(!line.contains("is this a TLS port"), "misleading: {line}");
    assert!(
        run.elapsed < SECS(10),
        "not within --timeout: {:?}",
        run.elapsed
    );
    check_memory(&run, baseline, "endless certificate chain");
}

#[test]
fn an_endless_certificate_chain_trickled_slowly_ends_at_the_timeout() {
    let dir = Dir::new();
    let (_, der, _) = identity();
    let (port, server) = raw_server(move |s| {
        // A Certificate message announcing 60,000 bytes (within what a client
        // accepts), sent in 256-byte records, one every 100 ms: it would take
        // 23 s to complete.
        let mut entry = (der.len() as u32).to_be_bytes()[1..].to_vec();
        entry.extend_from_slice(&der);
        let mut body = vec![0x0b];
        body.extend_from_slice(&60_000u32.to_be_bytes()[1..]);
        body.extend_from_slice(&59_997u32.to_be_bytes()[1..]);
        while body.len() < 60_004 {
            body.extend_from_slice(&entry);
        }
        body.truncate(60_004);
        let mut pieces = body
            .chunks(256)
            .map(|c| record(0x16, c))
            .collect::<Vec<_>>()
            .into_iter();
        fake_tls12_then(s, move |_| {
            std::thread::sleep(Duration::from_millis(100));
            pieces.next().unwrap_or_default()
        });
    });
    let t = target(port);
    let run = run_measured(
        &dir,
        &[
            "connect",
            &t,
            "--servername",
            "localhost",
            "--insecure",
            "--timeout",
            "2",
        ],
        SECS(30),
    );
    assert_eq!(run.code(), 3, "{}", run.stderr());
    let line = run.error_line();
    assert!(line.contains("timed out after 2 s"), "{line}");
    assert!(line.contains("TLS handshake"), "{line}");
    eprintln!("trickled chain: exit 3 after {:?}", run.elapsed);
    assert!(run.elapsed >= SECS(2), "{:?}", run.elapsed);
    assert!(run.elapsed < SECS(10), "--timeout 2 took {:?}", run.elapsed);
    server.join().unwrap();
}

#[test]
fn a_record_over_the_size_limit_is_refused_in_the_handshake_and_after_it() {
    let dir = Dir::new();
    let baseline = baseline_rss(&dir);
    // In the handshake: a record header announcing 65535 bytes (TLS allows 16 KiB
    // plus expansion), then 16 MiB behind it.
    let (port, server) = raw_server(|s| {
        let mut sent_header = false;
        let written = fake_tls12_then(s, move |i| {
            if i >= 1024 {
                return Vec::new();
            }
            let mut chunk = Vec::new();
            if !sent_header {
                chunk.extend_from_slice(&[0x16, 0x03, 0x03, 0xff, 0xff]);
                sent_header = true;
            }
            chunk.extend_from_slice(&[0x0b; 16 * 1024]);
            chunk
        });
        assert!(written < 8 * 1024 * 1024, "the client kept reading");
    });
    let t = target(port);
    let run = run_measured(
        &dir,
        &[
            "connect",
            &t,
            "--servername",
            "localhost",
            "--insecure",
            "--timeout",
            "10",
        ],
        SECS(30),
    );
    server.join().unwrap();
    assert_eq!(run.code(), 4, "{}", run.stderr());
    let line = run.error_line();
    assert!(line.contains("larger than the protocol allows"), "{line}");
    assert!(!line.contains("is this a TLS port"), "misleading: {line}");
    check_memory(&run, baseline, "oversized record in the handshake");

    // After a real handshake: the same 16 MiB record in the data phase.
    let (port, pin, server) = tls_server(Versions::Both, |_, tcp| {
        let _ = tcp.write_all(&[0x17, 0x03, 0x03, 0xff, 0xff]);
        let chunk = vec![0x17; 64 * 1024];
        for _ in 0..256 {
            if tcp.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let t = target(port);
    let run = run_measured(
        &dir,
        &[
            "connect",
            &t,
            "--servername",
            "localhost",
            "--pin",
            &pin,
            "--send",
            "hi",
            "--read-timeout",
            "5",
        ],
        SECS(30),
    );
    server.join().unwrap();
    assert_eq!(run.code(), 4, "{}", run.stderr());
    let line = run.error_line();
    assert!(line.contains("reading from the server"), "{line}");
    assert!(line.contains("larger than the protocol allows"), "{line}");
    assert!(!line.contains("handshake failed"), "misleading: {line}");
    assert_eq!(run.stdout_bytes, 0, "nothing of it reached stdout");
    check_memory(&run, baseline, "oversized record after the handshake");
}

#[test]
fn garbage_after_the_handshake_is_a_clear_protocol_error() {
    let dir = Dir::new();
    let baseline = baseline_rss(&dir);
    for (name, garbage) in [
        // Not even a record header.
        ("noise", {
            let mut v = vec![0u8; 64 * 1024];
            aws_lc_rs::rand::fill(&mut v).unwrap();
            v[0] = 0xde;
            v
        }),
        // Well-formed application-data records that do not decrypt.
        ("undecryptable records", {
            let mut v = Vec::new();
            for _ in 0..4 {
                let mut body = vec![0u8; 1000];
                aws_lc_rs::rand::fill(&mut body).unwrap();
                v.extend_from_slice(&record(0x17, &body));
            }
            v
        }),
    ] {
        let (port, pin, server) = tls_server(Versions::Both, move |_, tcp| {
            let _ = tcp.write_all(&garbage);
            // Stay until the client leaves.
            let mut sink = [0u8; 1024];
            while matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
        });
        let t = target(port);
        let run = run_measured(
            &dir,
            &[
                "connect",
                &t,
                "--servername",
                "localhost",
                "--pin",
                &pin,
                "--send",
                "hi",
                "--read-timeout",
                "5",
            ],
            SECS(30),
        );
        server.join().unwrap();
        assert_eq!(run.code(), 4, "{name}: {}", run.stderr());
        let line = run.error_line();
        assert!(line.contains("reading from the server"), "{name}: {line}");
        assert!(
            !line.contains("handshake failed") && !line.contains("is this a TLS port"),
            "{name}: misleading: {line}"
        );
        assert!(run.elapsed < SECS(5), "{name}: waited for --read-timeout");
        assert_eq!(run.stdout_bytes, 0, "{name}: garbage reached stdout");
        check_memory(
            &run,
            baseline,
            &format!("garbage after the handshake ({name})"),
        );
    }
}

#[test]
fn a_server_that_never_speaks_ends_at_the_timeout() {
    let dir = Dir::new();
    let (port, server) = raw_server(|mut s| {
        // Accept, read the ClientHello, say nothing; leave when the client does.
        let mut sink = [0u8; 4096];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    let t = target(port);
    let run = run_measured(
        &dir,
        &[
            "connect",
            &t,
            "--servername",
            "localhost",
            "--insecure",
            "--timeout",
            "1.5",
        ],
        SECS(30),
    );
    server.join().unwrap();
    assert_eq!(run.code(), 3, "{}", run.stderr());
    let line = run.error_line();
    assert!(line.contains("timed out after 1.5 s"), "{line}");
    assert!(line.contains("did not complete a handshake"), "{line}");
    assert!(run.elapsed >= Duration::from_millis(1500));
    assert!(
        run.elapsed < SECS(8),
        "--timeout 1.5 took {:?}",
        run.elapsed
    );
}

#[test]
fn a_server_that_never_closes_after_the_handshake() {
    let dir = Dir::new();
    let baseline = baseline_rss(&dir);
    for versions in [Versions::Tls13, Versions::Tls12] {
        // It reads what it is sent and answers nothing; it never closes.
        let hold = |conn: &mut rustls::ServerConnection, tcp: &mut TcpStream| {
            let _ = conn;
            let mut sink = [0u8; 4096];
            while matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
        };
        // --send: the reply ends after --read-timeout of silence; that is success.
        let (port, pin, server) = tls_server(versions, hold);
        let t = target(port);
        let run = run_measured(
            &dir,
            &[
                "connect",
                &t,
                "--servername",
                "localhost",
                "--pin",
                &pin,
                "--send",
                "ping",
                "--read-timeout",
                "1",
            ],
            SECS(30),
        );
        server.join().unwrap();
        assert_eq!(run.code(), 0, "{versions:?}: {}", run.stderr());
        assert!(run.elapsed >= SECS(1), "{:?}", run.elapsed);
        assert!(
            run.elapsed < SECS(8),
            "--read-timeout 1 took {:?}",
            run.elapsed
        );
        assert!(!run.stderr().contains("panicked"));
        check_memory(
            &run,
            baseline,
            &format!("never closes, --send ({versions:?})"),
        );
        // Report only: done right after the handshake.
        let (port, pin, server) = tls_server(versions, hold);
        let t = target(port);
        let run = run_measured(
            &dir,
            &[
                "connect",
                &t,
                "--servername",
                "localhost",
                "--pin",
                &pin,
                "--no-io",
                "--timeout",
                "10",
            ],
            SECS(30),
        );
        server.join().unwrap();
        assert_eq!(run.code(), 0, "{versions:?}: {}", run.stderr());
        assert!(run.elapsed < SECS(8), "--no-io took {:?}", run.elapsed);
    }
}

#[test]
fn sixteen_mib_of_data_streams_through_in_bounded_memory() {
    let dir = Dir::new();
    let baseline = baseline_rss(&dir);
    const TOTAL: usize = 16 * 1024 * 1024;
    let (port, pin, server) = tls_server(Versions::Both, |conn, tcp| {
        // Wait for the request ("go"), so that nothing unread makes the close a reset.
        // It may already be buffered: it can arrive with the client's Finished.
        let mut got = Vec::new();
        loop {
            let mut buf = [0u8; 64];
            if let Ok(n) = conn.reader().read(&mut buf) {
                got.extend_from_slice(&buf[..n]);
            }
            if got.len() >= 2 {
                break;
            }
            match conn.read_tls(tcp) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if conn.process_new_packets().is_err() {
                return;
            }
        }
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < TOTAL {
            if conn.writer().write_all(&chunk).is_err() {
                return;
            }
            sent += chunk.len();
            while conn.wants_write() {
                if conn.write_tls(tcp).is_err() {
                    return;
                }
            }
        }
        conn.send_close_notify();
        while conn.wants_write() && conn.write_tls(tcp).is_ok() {}
        let _ = tcp.shutdown(std::net::Shutdown::Write);
        let mut sink = [0u8; 1024];
        while matches!(tcp.read(&mut sink), Ok(n) if n > 0) {}
    });
    let t = target(port);
    let run = run_measured(
        &dir,
        &[
            "connect",
            &t,
            "--servername",
            "localhost",
            "--pin",
            &pin,
            "--send",
            "go",
            "--read-timeout",
            "5",
        ],
        SECS(60),
    );
    server.join().unwrap();
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(run.stdout_bytes, TOTAL);
    check_memory(&run, baseline, "16 MiB of data");
}

// ---- scan: every probe meets the same hostile server ----

/// A server that treats every connection with `behave` (each on its own
/// thread) until dropped; `behave` gets the socket and a flag set at the end.
struct ManyServer {
    port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    handle: Option<JoinHandle<()>>,
}

impl ManyServer {
    fn start(behave: impl Fn(TcpStream, &AtomicBool) + Send + Sync + 'static) -> ManyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let behave = Arc::new(behave);
        let (stop2, accepted2) = (stop.clone(), accepted.clone());
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + SERVER_LIFETIME;
            let mut workers = Vec::new();
            while !stop2.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((tcp, _)) if workers.len() < 2000 => {
                        accepted2.fetch_add(1, Ordering::Relaxed);
                        tcp.set_nonblocking(false).unwrap();
                        // Short socket timeouts: every worker notices the end soon.
                        tcp.set_read_timeout(Some(Duration::from_millis(200)))
                            .unwrap();
                        tcp.set_write_timeout(Some(Duration::from_millis(200)))
                            .unwrap();
                        let (behave, stop) = (behave.clone(), stop2.clone());
                        workers.push(std::thread::spawn(move || behave(tcp, &stop)));
                    }
                    Ok(_) => panic!("more than 2000 connections"),
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
            stop2.store(true, Ordering::Relaxed);
            for w in workers {
                let _ = w.join();
            }
        });
        ManyServer {
            port,
            stop,
            accepted,
            handle: Some(handle),
        }
    }
}

impl Drop for ManyServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Reads one record, waiting through the short socket timeout until `stop`.
fn read_record_until(s: &mut TcpStream, stop: &AtomicBool) -> Option<(u8, Vec<u8>)> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if got.len() >= 5 {
            let len = u16::from_be_bytes([got[3], got[4]]) as usize;
            if got.len() >= 5 + len {
                return Some((got[0], got[5..5 + len].to_vec()));
            }
        }
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        match s.read(&mut buf) {
            Ok(0) => return None,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return None,
        }
    }
}

/// Writes chunks from `next` until it gives none, the client leaves, or `stop`.
fn write_until(s: &mut TcpStream, stop: &AtomicBool, mut next: impl FnMut(usize) -> Vec<u8>) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let chunk = next(i);
        if chunk.is_empty() {
            return;
        }
        i += 1;
        let mut off = 0;
        while off < chunk.len() {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            match s.write(&chunk[off..]) {
                Ok(0) => return,
                Ok(n) => off += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return,
            }
        }
    }
}

/// Waits until the client leaves (or `stop`).
fn hold(s: &mut TcpStream, stop: &AtomicBool) {
    let mut sink = [0u8; 4096];
    while !stop.load(Ordering::Relaxed) {
        match s.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

/// Runs `tlskit scan 127.0.0.1:PORT --timeout SECS` and checks what every run must do.
fn scan(dir: &Dir, port: u16, timeout: &str, scenario: &str) -> Run {
    let t = target(port);
    let run = run_measured(
        dir,
        &[
            "scan",
            &t,
            "--servername",
            "localhost",
            "--timeout",
            timeout,
        ],
        SECS(60),
    );
    let err = run.stderr();
    assert!(!err.contains("panicked"), "{scenario}: {err}");
    assert_no_raw_controls(scenario, &run.out.stdout);
    assert_no_raw_controls(scenario, &run.out.stderr);
    eprintln!(
        "scan, {scenario}: exit {} after {:?}, peak RSS {} KiB, {}",
        run.code(),
        run.elapsed,
        run.peak_rss_kib,
        err.lines().last().unwrap_or("")
    );
    run
}

/// A plain scan of a well-behaved rustls server: the baseline for time and memory.
fn scan_baseline(dir: &Dir) -> Run {
    let server = tls_many(|_, _, _| {});
    scan(dir, server.port, "5", "well-behaved server")
}

/// A real TLS server (rustls) on every connection; `after` runs once a handshake is done.
fn tls_many(
    after: impl Fn(&mut rustls::ServerConnection, &mut TcpStream, &AtomicBool) + Send + Sync + 'static,
) -> ManyServer {
    let (identity, _, _) = identity();
    let config = config::server_config(ServerOptions {
        identity,
        client_auth: ClientAuth::Off,
        alpn: Vec::new(),
        versions: Versions::Both,
        tickets: true,
        ocsp: None,
        keylog: KeyLogTo::Off,
        algorithms: Default::default(),
    })
    .unwrap();
    ManyServer::start(move |mut tcp, stop| {
        let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
        let deadline = Instant::now() + SECS(10);
        while conn.is_handshaking() {
            if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                return;
            }
            match conn.complete_io(&mut tcp) {
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => {
                    while conn.wants_write() && conn.write_tls(&mut tcp).is_ok() {}
                    return;
                }
            }
        }
        while conn.wants_write() && conn.write_tls(&mut tcp).is_ok() {}
        after(&mut conn, &mut tcp, stop);
    })
}

#[test]
fn scan_against_hostile_servers_ends_in_bounded_time_and_memory() {
    let dir = Dir::new();
    let base = scan_baseline(&dir);
    assert_eq!(base.code(), 0, "{}", base.stderr());
    // Scan's --timeout bounds each probe; the whole scan makes a few rounds of
    // them. 1 s per probe: a hang shows as far more than the bound below.
    let bound = SECS(15);
    let memory = |run: &Run, scenario: &str| {
        assert!(
            run.peak_rss_kib <= base.peak_rss_kib + RSS_SLACK_KIB,
            "scan, {scenario}: peak RSS {} KiB, a plain scan needs {} KiB",
            run.peak_rss_kib,
            base.peak_rss_kib
        );
        assert!(
            run.elapsed < bound,
            "scan, {scenario}: took {:?}",
            run.elapsed
        );
    };

    // Every probe is answered with a TLS 1.2 ServerHello and then Certificate bytes forever.
    let (_, der, _) = identity();
    let server = ManyServer::start(move |mut s, stop| {
        if read_record_until(&mut s, stop).is_none() {
            return;
        }
        let hello = server_hello_tls12();
        let mut chain = endless_chain(der.clone());
        write_until(
            &mut s,
            stop,
            |i| if i == 0 { hello.clone() } else { chain(i) },
        );
    });
    let run = scan(&dir, server.port, "1", "endless certificate chain");
    memory(&run, "endless certificate chain");
    // The ServerHellos stand (TLS 1.2 is reported), the chain is not taken, and
    // the real handshake's failure is named in the report.
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let report = String::from_utf8_lossy(&run.out.stdout).into_owned();
    assert!(report.contains("handshake message too large"), "{report}");
    assert!(server.accepted.load(Ordering::Relaxed) > 1);
    drop(server);

    // A record header announcing 65535 bytes, then 16 MiB.
    let server = ManyServer::start(|mut s, stop| {
        if read_record_until(&mut s, stop).is_none() {
            return;
        }
        write_until(&mut s, stop, |i| match i {
            0 => vec![0x16, 0x03, 0x03, 0xff, 0xff],
            1..=1024 => vec![0x0b; 16 * 1024],
            _ => Vec::new(),
        });
        hold(&mut s, stop);
    });
    let run = scan(&dir, server.port, "1", "record over the size limit");
    memory(&run, "record over the size limit");
    assert_eq!(run.code(), 4, "{}", run.stderr());
    let line = run.error_line();
    assert!(
        line.contains("no probe got a well-formed TLS answer"),
        "{line}"
    );
    assert!(line.contains("record is longer than allowed"), "{line}");
    drop(server);

    // Garbage instead of a ServerHello.
    let server = ManyServer::start(|mut s, stop| {
        if read_record_until(&mut s, stop).is_none() {
            return;
        }
        let mut noise = vec![0u8; 64 * 1024];
        aws_lc_rs::rand::fill(&mut noise).unwrap();
        // Top bit set and a third byte of 4 is an SSL 2.0 SERVER-HELLO, which
        // scan names as such: random noise did that for one probe in 256.
        noise[0] = 0xde;
        noise[2] = 0xad;
        write_until(&mut s, stop, |i| {
            if i == 0 {
                noise.clone()
            } else {
                Vec::new()
            }
        });
        hold(&mut s, stop);
    });
    let run = scan(&dir, server.port, "1", "garbage");
    memory(&run, "garbage");
    assert_eq!(run.code(), 4, "{}", run.stderr());
    let line = run.error_line();
    assert!(
        line.contains("no probe got a well-formed TLS answer"),
        "{line}"
    );
    assert!(line.contains("not a TLS answer: first bytes de "), "{line}");
    drop(server);

    // Accepts, reads, never answers.
    let server = ManyServer::start(|mut s, stop| hold(&mut s, stop));
    let run = scan(&dir, server.port, "1", "silent server");
    memory(&run, "silent server");
    assert_eq!(run.code(), 3, "{}", run.stderr());
    assert!(
        run.stderr().contains("no probe got an answer"),
        "{}",
        run.stderr()
    );
    drop(server);

    // A real TLS server that never closes a connection after the handshake.
    let server = tls_many(|_, tcp, stop| hold(tcp, stop));
    let run = scan(&dir, server.port, "1", "never closes");
    memory(&run, "never closes");
    assert_eq!(run.code(), 0, "{}", run.stderr());
    drop(server);
}
