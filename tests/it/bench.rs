//! `tlskit bench` against real servers (`openssl s_server`, `socat`) and
//! against small TLS echo servers written here: one faithful and counting,
//! one that corrupts a byte. No assertion depends on speed.

use crate::util;

use std::net::TcpListener;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::util::{
    assert_exit, code, free_port, have, spawn_serve, stderr, stdout, wait_for_port, Background, Dir,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A directory with an ECDSA P-256 certificate for localhost (srv.pem, srv-key.pem).
fn dir_with_cert() -> Dir {
    let dir = Dir::new();
    dir.ok(&["gencert", "--out", "srv"]);
    dir
}

/// Runs `tlskit --json bench ARGS` and returns (exit code, report, stderr).
fn bench(dir: &Dir, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["--json", "bench"];
    all.extend_from_slice(args);
    let out = dir.run(&all);
    let text = stdout(&out);
    let report = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}) from bench {args:?}:\n{text}\nstderr: {}",
            stderr(&out)
        )
    });
    (code(&out), report, stderr(&out))
}

/// [`bench`] against ADDR, trusting the directory's certificate for localhost, with EXTRA.
fn bench_localhost(dir: &Dir, addr: &str, extra: &[&str]) -> (i32, Value, String) {
    let mut args = vec![addr, "--ca", "srv.pem", "--servername", "localhost"];
    args.extend_from_slice(extra);
    bench(dir, &args)
}

/// `tlskit bench` (text report) against ADDR, trusting the directory's certificate
/// for localhost, with EXTRA.
fn bench_text_localhost(dir: &Dir, addr: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "bench",
        addr,
        "--ca",
        "srv.pem",
        "--servername",
        "localhost",
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

fn n(v: &Value, path: &str) -> u64 {
    v.pointer(path)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no number at {path} in {v:#}"))
}

/// `openssl s_server` on a free port with the directory's certificate.
fn s_server(dir: &Dir, extra: &[&str]) -> (Background, String) {
    let port = free_port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path())
        .args(["s_server", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-cert", "srv.pem", "-key", "srv-key.pem", "-quiet"])
        .args(extra);
    // s_server drops its connection at end of stdin: keep stdin open.
    let server = Background::spawn_stdin_open(cmd);
    wait_for_port(port, Duration::from_secs(10));
    (server, format!("127.0.0.1:{port}"))
}

/// A TLS echo server in this process: counts completed handshakes, and
/// optionally flips one bit at offset `corrupt_at` of each connection's stream.
struct EchoServer {
    addr: String,
    handshakes: Arc<AtomicUsize>,
}

fn echo_server(dir: &Dir, corrupt_at: Option<u64>) -> EchoServer {
    use tlskit::tls::config::{self, ClientAuth, Identity, KeyLogTo, ServerOptions, Versions};
    use tlskit::tls::files;
    let identity = Identity {
        chain: files::load_certs(&dir.join("srv.pem")).expect("cert"),
        key: files::load_key(&dir.join("srv-key.pem")).expect("key"),
    };
    let server_config = config::server_config(ServerOptions {
        identity,
        client_auth: ClientAuth::Off,
        alpn: vec![],
        versions: Versions::Both,
        tickets: false,
        ocsp: None,
        keylog: KeyLogTo::Off,
        algorithms: Default::default(),
    })
    .expect("server config");
    echo_server_with(server_config, corrupt_at)
}

fn echo_server_with(
    server_config: Arc<rustls::ServerConfig>,
    corrupt_at: Option<u64>,
) -> EchoServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr").to_string();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let count = handshakes.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let acceptor = tokio_rustls::TlsAcceptor::from(server_config);
            // Bounded: the test process ends, and with it this thread.
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let count = count.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    let mut buf = vec![0u8; 32 * 1024];
                    let mut seen = 0u64;
                    loop {
                        let n = match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if let Some(at) = corrupt_at {
                            if (seen..seen + n as u64).contains(&at) {
                                buf[(at - seen) as usize] ^= 0x20;
                            }
                        }
                        seen += n as u64;
                        if tls.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = tls.shutdown().await;
                });
            }
        });
    });
    EchoServer { addr, handshakes }
}

#[test]
fn full_handshakes_against_openssl_are_counted() {
    if !have("openssl") {
        return;
    }
    let dir = dir_with_cert();
    let (_server, addr) = s_server(&dir, &[]);
    let (code, r, err) = bench_localhost(&dir, &addr, &["-n", "12", "-c", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["mode"], "full_handshakes");
    assert_eq!(n(&r, "/connections/succeeded"), 12);
    assert_eq!(n(&r, "/connections/failed"), 0);
    assert_eq!(
        n(&r, "/handshakes/full") + n(&r, "/handshakes/full_with_hello_retry_request"),
        12
    );
    assert_eq!(n(&r, "/handshakes/resumed"), 0);
    assert_eq!(n(&r, "/latency_ms/handshake/count"), 12);
    assert_eq!(r["negotiated"]["protocol"], "TLSv1.3");
    assert!(r["handshakes_per_s"].as_f64().unwrap() > 0.0);
    let lat = &r["latency_ms"]["handshake"];
    assert!(lat["p50"].as_f64() <= lat["p99"].as_f64());
    assert!(lat["p99"].as_f64() <= lat["max"].as_f64());
}

#[test]
fn resume_really_resumes_against_openssl() {
    if !have("openssl") {
        return;
    }
    let dir = dir_with_cert();
    let (_server, addr) = s_server(&dir, &[]);
    let args = [
        addr.as_str(),
        "--ca",
        "srv.pem",
        "--servername",
        "localhost",
        "-n",
        "10",
        "-c",
        "1",
    ];
    let mut with_resume = args.to_vec();
    with_resume.push("--resume");
    let (code, r, err) = bench(&dir, &with_resume);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["mode"], "resumed_handshakes");
    assert_eq!(n(&r, "/connections/succeeded"), 10);
    // The first connection is full and brings the ticket; one at a time, every later one resumes.
    assert_eq!(n(&r, "/handshakes/resumed"), 9, "{r:#}");
    assert!(r["resumed_per_s"].as_f64().unwrap() > 0.0);
    // TLS 1.2 resumes too (session IDs or tickets).
    let mut tls12 = with_resume.clone();
    tls12.push("--tls12");
    let (code, r, err) = bench(&dir, &tls12);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["negotiated"]["protocol"], "TLSv1.2");
    assert_eq!(n(&r, "/handshakes/resumed"), 9, "{r:#}");
    // Without --resume, nothing resumes.
    let (code, r, err) = bench(&dir, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/handshakes/resumed"), 0);
}

#[test]
fn against_tlskit_serve_every_mode_works() {
    let dir = dir_with_cert();
    let served = spawn_serve(&dir, &["--cert", "srv.pem", "--key", "srv-key.pem"]);
    let base = [
        served.addr.as_str(),
        "--ca",
        "srv.pem",
        "--servername",
        "localhost",
        "--pin",
        served.pin.as_str(),
    ];
    let with = |extra: &[&str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        bench(&dir, &v)
    };
    let (code, r, err) = with(&["-n", "20", "-c", "4"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/connections/succeeded"), 20);
    assert_eq!(n(&r, "/handshakes/full"), 20, "{r:#}");
    // serve's own log agrees: 20 full handshakes, each closed cleanly by the client.
    for c in served.connections(20, Duration::from_secs(20)) {
        assert_eq!(c["end"], "closed", "{c:#}");
        assert_eq!(c["resumed"], false, "{c:#}");
    }
    let (code, r, err) = with(&["-n", "10", "-c", "1", "--resume"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/handshakes/resumed"), 9, "{r:#}");
    let (code, r, err) = with(&["-n", "2", "-c", "2", "--bytes", "3m"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/throughput/bytes"), 6 << 20);
    let (code, r, err) = with(&[
        "-n",
        "8",
        "-c",
        "2",
        "--groups",
        "x25519",
        "--suites",
        "TLS_AES_128_GCM_SHA256",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/connections/succeeded"), 8);
    assert_eq!(r["negotiated"]["group"], "X25519", "{r:#}");
    assert_eq!(
        r["negotiated"]["cipher_suite"], "TLS_AES_128_GCM_SHA256",
        "{r:#}"
    );
}

/// Presents srv.pem with its own key for the first `honest` handshakes, then
/// the same certificate with another key (an impostor that copied the chain).
#[derive(Debug)]
struct Impostor {
    honest: usize,
    seen: AtomicUsize,
    real: Arc<rustls::sign::CertifiedKey>,
    fake: Arc<rustls::sign::CertifiedKey>,
}

impl rustls::server::ResolvesServerCert for Impostor {
    fn resolve(
        &self,
        _: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        Some(
            if n < self.honest {
                &self.real
            } else {
                &self.fake
            }
            .clone(),
        )
    }
}

#[test]
fn every_connection_still_proves_the_key_of_the_verified_certificate() {
    // bench verifies a chain once, then only checks that a server presents the
    // same chain; the handshake signature is still checked every time, so an
    // impostor with the verified certificate but another key always fails.
    use tlskit::tls::files;
    let dir = dir_with_cert();
    dir.ok(&["gencert", "--out", "other"]);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let chain = files::load_certs(&dir.join("srv.pem")).expect("cert");
    let key = |name: &str| {
        provider
            .key_provider
            .load_private_key(files::load_key(&dir.join(name)).expect("key"))
            .expect("signing key")
    };
    let resolver = Impostor {
        honest: 3,
        seen: AtomicUsize::new(0),
        real: Arc::new(rustls::sign::CertifiedKey::new(
            chain.clone(),
            key("srv-key.pem"),
        )),
        fake: Arc::new(rustls::sign::CertifiedKey::new(chain, key("other-key.pem"))),
    };
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    let server = echo_server_with(Arc::new(config), None);
    let (code, r, _) = bench_localhost(&dir, &server.addr, &["-n", "8", "-c", "1"]);
    assert_eq!(n(&r, "/connections/succeeded"), 3, "{r:#}");
    assert_eq!(n(&r, "/connections/failed"), 5, "{r:#}");
    assert_eq!(code, 0, "some connections succeeded");
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 3);
    let failure = &r["failures"][0];
    assert_eq!(failure["kind"], "verification", "{r:#}");
    assert!(failure["reason"] == "bad_signature", "{r:#}");
}

/// Runs a long bench against serve, sends `signal` once the run is under way,
/// and checks that the run so far is reported (exit 0, `interrupted`).
fn a_signal_stops_early_and_still_reports(signal: &str) {
    let dir = dir_with_cert();
    let served = spawn_serve(&dir, &["--cert", "srv.pem", "--key", "srv-key.pem"]);
    let cmd = dir.tlskit(&[
        "--json",
        "bench",
        &served.addr,
        "--ca",
        "srv.pem",
        "--servername",
        "localhost",
        "-d",
        "600",
        "-c",
        "2",
    ]);
    let mut bench = Background::spawn(cmd);
    // Each of the 2 workers records a connection before it opens the next, so
    // at most 2 are not yet counted: once the server has seen three through,
    // the client has counted at least one.
    served.connections(3, Duration::from_secs(20));
    let pid = bench.child.id().to_string();
    assert!(Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .expect("kill")
        .success());
    let status = bench
        .wait(Duration::from_secs(30))
        .unwrap_or_else(|| panic!("bench did not end after SIG{signal}"));
    // The process is gone, so its stdout is closed and the reader ends.
    let text = bench.lines.iter().collect::<Vec<_>>().join("\n");
    assert!(status.success(), "SIG{signal}: {status:?}: {text}");
    let r: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(r["interrupted"], true, "{r:#}");
    assert!(n(&r, "/connections/succeeded") >= 1, "{r:#}");
    assert_eq!(n(&r, "/connections/failed"), 0, "{r:#}");
}

#[test]
fn ctrl_c_stops_early_and_still_reports() {
    a_signal_stops_early_and_still_reports("INT");
}

#[test]
fn connections_stop_at_exactly_n() {
    let dir = dir_with_cert();
    let server = echo_server(&dir, None);
    let (code, r, err) = bench_localhost(&dir, &server.addr, &["-n", "37", "-c", "8"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/connections/succeeded"), 37);
    assert_eq!(n(&r, "/limits/connections"), 37);
    // Every connection waits for the server's close, so the server is done counting.
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 37);
}

#[test]
fn echo_is_verified_end_to_end() {
    let dir = dir_with_cert();
    let server = echo_server(&dir, None);
    let (code, r, err) =
        bench_localhost(&dir, &server.addr, &["--bytes", "1m", "-n", "3", "-c", "2"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["mode"], "echo");
    assert_eq!(n(&r, "/connections/succeeded"), 3);
    assert_eq!(n(&r, "/throughput/bytes"), 3 << 20);
    assert!(r["throughput"]["mib_per_s"].as_f64().unwrap() > 0.0);
    assert_eq!(n(&r, "/limits/bytes_per_connection"), 1 << 20);
}

#[test]
fn a_corrupted_byte_is_a_data_mismatch() {
    let dir = dir_with_cert();
    let server = echo_server(&dir, Some(100_000));
    let (code, r, _) = bench_localhost(
        &dir,
        &server.addr,
        &["--bytes", "256k", "-n", "4", "-c", "2"],
    );
    assert_eq!(code, 1, "{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 0);
    assert_eq!(n(&r, "/connections/failed"), 4);
    let f = &r["failures"][0];
    assert_eq!(f["kind"], "data_mismatch");
    assert_eq!(f["reason"], "sha-256 differs");
    assert_eq!(n(f, "/count"), 4);
    assert!(f["example"].as_str().unwrap().contains("SHA-256"));
    // The handshakes did succeed: what they negotiated is reported.
    assert_eq!(r["negotiated"]["protocol"], "TLSv1.3", "{r:#}");
    // A byte beyond the echo is never touched: the same server passes a shorter echo.
    let (code, r, err) = bench_localhost(&dir, &server.addr, &["--bytes", "64k", "-n", "2"]);
    assert_eq!(code, 0, "{err}\n{r:#}");
}

#[test]
fn echo_through_socat() {
    if !have("socat") {
        return;
    }
    let dir = dir_with_cert();
    let port = free_port();
    let mut cmd = Command::new("socat");
    cmd.current_dir(dir.path()).args([
        &format!(
            "OPENSSL-LISTEN:{port},bind=127.0.0.1,cert=srv.pem,key=srv-key.pem,verify=0,fork,reuseaddr"
        ),
        "EXEC:cat",
    ]);
    let _server = Background::spawn(cmd);
    wait_for_port(port, Duration::from_secs(10));
    let addr = format!("127.0.0.1:{port}");
    let (code, r, err) = bench_localhost(&dir, &addr, &["--bytes", "4m", "-n", "2", "-c", "2"]);
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(n(&r, "/throughput/bytes"), 8 << 20);
}

#[test]
fn a_wrong_pin_fails_every_connection_with_exit_6() {
    if !have("openssl") {
        return;
    }
    let dir = dir_with_cert();
    let (_server, addr) = s_server(&dir, &[]);
    let wrong = format!("sha256//{}", "A".repeat(43) + "=");
    let (code, r, err) = bench_localhost(&dir, &addr, &["--pin", &wrong, "-n", "3", "-c", "1"]);
    assert_eq!(code, 6, "{r:#}");
    // The first connection's pin failure stops the run: the others would fail alike.
    assert_eq!(n(&r, "/connections/failed"), 1);
    assert_eq!(r["failures"][0]["kind"], "pin");
    assert_eq!(n(&r["failures"][0], "/exit_code"), 6);
    assert!(err.contains("every connection failed"), "{err}");
    assert!(err.contains("pin"), "{err}");
}

#[test]
fn an_unknown_issuer_is_a_verification_failure() {
    let dir = dir_with_cert();
    let server = echo_server(&dir, None);
    // Without --ca the built-in roots do not know this certificate.
    let (code, r, _) = bench(
        &dir,
        &[&server.addr, "--servername", "localhost", "-n", "2"],
    );
    assert_eq!(code, 5, "{r:#}");
    assert_eq!(r["failures"][0]["kind"], "verification");
    assert_eq!(r["failures"][0]["reason"], "unknown_issuer");
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 0);
    // With a duration, too, the first failure stops the run (it hammered the
    // server for the whole --duration with handshakes bound to fail).
    let (code, r, _) = bench(
        &dir,
        &[&server.addr, "--servername", "localhost", "-d", "30"],
    );
    assert_eq!(code, 5, "{r:#}");
    assert_eq!(n(&r, "/connections/failed"), 1, "{r:#}");
    // --insecure: the same server passes, with a warning and the report saying so.
    let (code, r, err) = bench(
        &dir,
        &[
            &server.addr,
            "--servername",
            "localhost",
            "-n",
            "2",
            "--insecure",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["verification"], "insecure");
    assert!(err.contains("--insecure"), "{err}");
}

#[test]
fn refused_is_exit_3_and_stops_at_once() {
    let dir = Dir::new();
    let addr = format!("127.0.0.1:{}", free_port());
    let (code, r, err) = bench(&dir, &[&addr, "--insecure", "--duration", "30"]);
    assert_eq!(code, 3, "{err}");
    // Nothing answers: the first connection says so, and no other is tried.
    assert_eq!(n(&r, "/connections/failed"), 1);
    assert_eq!(r["failures"][0]["kind"], "refused");
    assert!(err.contains("connection refused"), "{err}");
    // The text report says the same.
    dir.expect(
        &["bench", &addr, "--insecure", "--duration", "30"],
        3,
        "
bench 127.0.0.1:<port> (127.0.0.1)
  mode:          full handshakes, 8 at a time, <dur>
  address:       127.0.0.1:<port>
  verification:  OFF (--insecure)
  connections:   0 succeeded, 1 failed in <dur>
  failures:
           1  refused: cannot connect to 127.0.0.1:<port>: connection refused (nothing listens on that port)
",
        "
tlskit: warning: --insecure: certificate errors are ignored; anyone on the path could impersonate this server
tlskit: error: every connection failed (1); the first: cannot connect to 127.0.0.1:<port>: connection refused (nothing listens on that port)
",
    );
}

#[test]
fn quiet_prints_the_headline_only() {
    let dir = dir_with_cert();
    let server = echo_server(&dir, None);
    let out = bench_text_localhost(&dir, &server.addr, &["-n", "3", "-q"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.trim_end().ends_with(" handshakes/s"), "{text}");
    let text_mode = dir.ok(&[
        "bench",
        &server.addr,
        "--ca",
        "srv.pem",
        "--servername",
        "localhost",
        "-n",
        "2",
    ]);
    assert!(text_mode.contains("2 succeeded"), "{text_mode}");
    // Two connections never run eight at a time, whatever --concurrency says.
    assert!(
        text_mode.contains("mode:          full handshakes, 2 at a time, 2 connections\n"),
        "{text_mode}"
    );
    assert!(text_mode.contains("p99"), "{text_mode}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = Dir::new();
    // A value clap refuses: (flag, value, why).
    for (flag, value, why) in [
        ("--bytes", "0", "'0' is out of range (1 byte to 16g)"),
        (
            "--bytes",
            "1t",
            "'1t': the unit must be k, m or g (powers of 1024)",
        ),
        ("--duration", "0", "'0' is out of range (0.01 s to 3600 s)"),
        (
            "--duration",
            "2h",
            "'2h' is not a number of seconds (like 5, 0.5, 30s, 500ms or 2m)",
        ),
        ("-c", "0", "0 is not in 1..=10000"),
        ("-n", "0", "0 is not in 1..=100000000"),
    ] {
        let long = match flag {
            "-c" => "--concurrency <N>",
            "-n" => "--connections <N>",
            "--bytes" => "--bytes <SIZE>",
            _ => "--duration <SECS>",
        };
        let out = dir.exits(&["bench", "127.0.0.1:1", flag, value], 2);
        // Compared without redaction: "0.01 s" is part of the sentence.
        let long = long.split(' ').next().unwrap_or(long);
        assert_eq!(
            stderr(&out),
            format!("tlskit: error: {long}: {why} (see 'tlskit bench --help')\n"),
            "{flag} {value}"
        );
    }
    for (args, conflict) in [
        (
            &["bench", "127.0.0.1:1", "--tls12", "--tls13"][..],
            "'--tls12' cannot be used with '--tls13'\n\nUsage: tlskit bench --tls12 <TARGET>",
        ),
        (
            &["bench", "127.0.0.1:1", "--ca", "x.pem", "--system-roots"],
            "'--ca <FILE>' cannot be used with '--system-roots'\n\n\
             Usage: tlskit bench --ca <FILE> <TARGET>",
        ),
    ] {
        dir.expect(
            args,
            2,
            "",
            &format!(
                "tlskit: error: the argument {} (see 'tlskit bench --help')\n",
                conflict.split("\n\n").next().unwrap_or(conflict)
            ),
        );
    }
    dir.expect(
        &["bench", "127.0.0.1:1", "--pin", "nope"],
        2,
        "",
        "tlskit: error: --pin: 'nope' is not a pin: expected sha256//<base64 of 32 bytes> \
         (curl's --pinnedpubkey form) (see 'tlskit bench --help')\n",
    );
}

/// CPU time (user + system) a process has used so far, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after ")".
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    tick(11) + tick(12)
}

#[test]
fn ctrl_c_while_the_echo_data_is_prepared_ends_at_once() {
    let dir = dir_with_cert();
    // A server that is never answered: the run must not start at all.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // 16 GiB takes several seconds of CPU to generate and hash, so the
    // interrupt lands inside the preparation on any machine.
    let cmd = dir.tlskit(&["bench", &addr, "--bytes", "16g", "-n", "1"]);
    let mut bench = Background::spawn(cmd);
    let pid = bench.child.id();
    // Start-up costs a few tens of ms of CPU; a quarter of a second means the
    // data is being made.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while cpu_ticks(pid) < 25 {
        assert!(
            std::time::Instant::now() < deadline,
            "bench used no CPU within 30 s"
        );
        assert!(
            bench.child.try_wait().unwrap().is_none(),
            "bench ended before the interrupt"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill")
        .success());
    let status = bench
        .wait(Duration::from_secs(30))
        .expect("bench ends after SIGINT");
    let mut err = String::new();
    if let Some(mut pipe) = bench.child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut err);
    }
    assert_eq!(status.code(), Some(1), "{status:?}: {err}");
    assert_eq!(
        err, "tlskit: error: interrupted while preparing the echo data\n",
        "{err}"
    );
    assert_eq!(
        listener.accept().map(|_| ()).map_err(|e| e.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "a connection was made after the interrupt"
    );
}

/// A directory with srv.pem (self-signed, localhost), a CA (ca.pem) and a
/// client certificate it issued (alice.pem, alice-key.pem).
fn dir_with_client_cert() -> Dir {
    let dir = dir_with_cert();
    dir.ok(&["gencert", "--ca", "--out", "ca"]);
    dir.ok(&[
        "gencert",
        "alice@example.test",
        "--client",
        "--issuer",
        "ca.pem",
        "--out",
        "alice",
    ]);
    dir
}

#[test]
fn mutual_tls_with_cert_and_key_and_a_refusal_without() {
    let dir = dir_with_client_cert();
    let served = spawn_serve(
        &dir,
        &[
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
        ],
    );
    let client = ["--cert", "alice.pem", "--key", "alice-key.pem"];
    let (code, r, err) = bench_localhost(
        &dir,
        &served.addr,
        &[&client[..], &["-n", "6", "-c", "2"]].concat(),
    );
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 6, "{r:#}");
    for c in served.connections(6, Duration::from_secs(20)) {
        assert_eq!(c["end"], "closed", "{c:#}");
        assert_eq!(c["client_subject"], "CN=alice@example.test", "{c:#}");
    }
    // TLS 1.3: the client is done before the server checks its certificate, so
    // the refusal arrives as an alert after the handshake. It must still fail.
    for versions in [&["--tls13"][..], &["--tls12"][..]] {
        let (code, r, err) = bench_localhost(
            &dir,
            &served.addr,
            &[versions, &["-n", "3", "-c", "1"]].concat(),
        );
        assert_eq!(code, 4, "{versions:?}: {err}\n{r:#}");
        assert_eq!(n(&r, "/connections/succeeded"), 0, "{r:#}");
        assert_eq!(n(&r, "/connections/failed"), 3, "{r:#}");
        assert_eq!(r["failures"][0]["kind"], "handshake", "{r:#}");
        assert_eq!(
            r["failures"][0]["reason"], "alert certificate_required",
            "{r:#}"
        );
        assert!(err.contains("--cert FILE --key FILE"), "{err}");
    }
    // A key that is not the certificate's is refused before any connection.
    let out = bench_text_localhost(
        &dir,
        &served.addr,
        &["--cert", "alice.pem", "--key", "srv-key.pem"],
    );
    assert_eq!(util::code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the private key does not match the certificate"),
        "{}",
        stderr(&out)
    );
    let out = dir.run(&["bench", &served.addr, "--cert", "alice.pem"]);
    assert_eq!(util::code(&out), 2, "{}", stderr(&out));
}

#[test]
fn mutual_tls_against_openssl_s_server() {
    if !have("openssl") {
        return;
    }
    let dir = dir_with_client_cert();
    let (_server, addr) = s_server(
        &dir,
        &["-Verify", "1", "-verify_return_error", "-CAfile", "ca.pem"],
    );
    let (code, r, err) = bench_localhost(
        &dir,
        &addr,
        &[
            "--cert",
            "alice.pem",
            "--key",
            "alice-key.pem",
            "-n",
            "4",
            "-c",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 4, "{r:#}");
    let (code, r, err) = bench_localhost(&dir, &addr, &["-n", "2", "-c", "1"]);
    assert_eq!(code, 4, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/failed"), 2, "{r:#}");
    assert_eq!(r["failures"][0]["kind"], "handshake", "{r:#}");
}

#[test]
fn a_port_that_does_not_speak_tls_is_named_as_such() {
    let dir = Dir::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // An HTTP server, answering every connection with plaintext (three at most).
    std::thread::spawn(move || {
        for stream in listener.incoming().take(3) {
            let Ok(mut s) = stream else { break };
            let _ = std::io::Write::write_all(&mut s, b"HTTP/1.1 400 Bad Request\r\n\r\n");
        }
    });
    let (code, r, _) = bench(&dir, &[&addr, "--insecure", "-n", "3", "-c", "1"]);
    assert_eq!(code, 4, "{r:#}");
    let example = r["failures"][0]["example"].as_str().unwrap();
    assert!(
        example.contains("did not answer with TLS")
            && example.contains("needs --starttls PROTO (tlskit connect and scan have it)"),
        "{example}"
    );
}

/// The directory's certificate as a rustls server configuration (TLS 1.2 and 1.3, no tickets).
fn plain_server_config(dir: &Dir) -> Arc<rustls::ServerConfig> {
    use tlskit::tls::config::{self, ClientAuth, Identity, KeyLogTo, ServerOptions, Versions};
    use tlskit::tls::files;
    let identity = Identity {
        chain: files::load_certs(&dir.join("srv.pem")).expect("cert"),
        key: files::load_key(&dir.join("srv-key.pem")).expect("key"),
    };
    config::server_config(ServerOptions {
        identity,
        client_auth: ClientAuth::Off,
        alpn: vec![],
        versions: Versions::Both,
        tickets: false,
        ocsp: None,
        keylog: KeyLogTo::Off,
        algorithms: Default::default(),
    })
    .expect("server config")
}

type Tls = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;

/// A TLS server in this process that hands each connection, after its
/// handshake, to `serve` (given the number of handshakes so far).
fn tls_server<F, Fut>(dir: &Dir, serve: F) -> EchoServer
where
    F: Fn(Tls, Arc<AtomicUsize>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let server_config = plain_server_config(dir);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let addr = listener.local_addr().expect("addr").to_string();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let count = handshakes.clone();
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let acceptor = tokio_rustls::TlsAcceptor::from(server_config);
            // Bounded: the test process ends, and with it this thread.
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let count = count.clone();
                let serve = serve.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    serve(tls, count).await;
                });
            }
        });
    });
    EchoServer { addr, handshakes }
}

/// Echoes what it reads, each read after `delay`, and closes with close_notify.
async fn echo_slowly(mut tls: Tls, delay: Duration) {
    let mut buf = vec![0u8; 32 * 1024];
    loop {
        let n = match tls.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        tokio::time::sleep(delay).await;
        if tls.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = tls.shutdown().await;
}

/// A TLS echo server that echoes nothing until `gate` connections have
/// finished their handshakes (waiting at most 20 s), then echoes faithfully.
fn gated_echo_server(dir: &Dir, gate: usize) -> EchoServer {
    tls_server(dir, move |tls, count| async move {
        // Bounded: 200 waits of 100 ms.
        for _ in 0..200 {
            if count.load(Ordering::SeqCst) >= gate {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        echo_slowly(tls, Duration::ZERO).await;
    })
}

#[test]
fn echo_connections_really_run_at_once_from_the_start() {
    // `-n 2 -c 2 --bytes`: two echoes at once. The server echoes only once
    // both are connected, so a first connection that ran its echo alone
    // would stall until --timeout.
    let dir = dir_with_cert();
    let server = gated_echo_server(&dir, 2);
    let (code, r, err) = bench_localhost(
        &dir,
        &server.addr,
        &["--bytes", "64k", "-n", "2", "-c", "2", "--timeout", "5"],
    );
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 2, "{r:#}");
    assert_eq!(server.handshakes.load(Ordering::SeqCst), 2);
}

#[test]
fn the_text_report_gives_small_sizes_and_kinds_as_the_json_does() {
    let dir = dir_with_cert();
    let server = echo_server(&dir, Some(40));
    let out = bench_text_localhost(&dir, &server.addr, &["--bytes", "1000", "-n", "1"]);
    let text = stdout(&out);
    assert!(
        text.contains("echo of 1,000 bytes per connection"),
        "{text}"
    );
    // The kind as the JSON and the README spell it.
    assert!(text.contains("data_mismatch: "), "{text}");
    let server = echo_server(&dir, None);
    let out = bench_text_localhost(&dir, &server.addr, &["--bytes", "3k", "-n", "2"]);
    let text = stdout(&out);
    assert!(text.contains("6.0 KiB echoed and verified"), "{text}");
    // -n and -d together: the mode line gives both limits, as the JSON does.
    let out = bench_text_localhost(&dir, &server.addr, &["-n", "3", "-d", "20"]);
    let text = stdout(&out);
    assert!(text.contains("3 connections within 20 s"), "{text}");
}

#[test]
fn an_echo_still_moving_at_the_deadline_is_let_finish() {
    // `-d 0.1 --timeout 1`: with at most 512 bytes in flight and 0.1 s per
    // echo step, 21,504 bytes take at least 42 steps, 4.2 s, twice the old
    // cut-off at deadline + timeout + 1 s (which left nothing to report); each
    // step is a tenth of the stall limit. Started before the deadline, it finishes.
    let dir = dir_with_cert();
    let server = tls_server(&dir, |tls, _| echo_slowly(tls, Duration::from_millis(100)));
    let (code, r, err) = bench_localhost(
        &dir,
        &server.addr,
        &[
            "--bytes",
            "21504",
            "--window",
            "512",
            "-d",
            "0.1",
            "-c",
            "1",
            "--timeout",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 1, "{r:#}");
    assert_eq!(n(&r, "/connections/unfinished"), 0, "{r:#}");
    assert_eq!(n(&r, "/throughput/bytes"), 21504);
}

#[test]
fn an_echo_cut_short_without_close_notify_says_how_much_came_back() {
    // The server echoes 1,000 bytes, then closes its TCP connection without
    // close_notify: a truncated echo, said in those terms, not a rustls URL.
    let dir = dir_with_cert();
    let server = tls_server(&dir, |mut tls, _| async move {
        let mut buf = vec![0u8; 1000];
        if tls.read_exact(&mut buf).await.is_ok() {
            let _ = tls.write_all(&buf).await;
            let _ = tls.flush().await;
        }
        let (mut tcp, _) = tls.into_inner();
        let _ = tcp.shutdown().await;
        // Let the client read the FIN before the socket goes.
        tokio::time::sleep(Duration::from_millis(500)).await;
    });
    let (code, r, _) = bench_localhost(&dir, &server.addr, &["--bytes", "64k", "-n", "1"]);
    // No byte differed: the connection ended early, a network failure (exit 3).
    assert_eq!(code, 3, "{r:#}");
    let f = &r["failures"][0];
    assert_eq!(f["kind"], "closed", "{r:#}");
    assert_eq!(f["exit_code"], 3, "{r:#}");
    assert_eq!(f["reason"], "echo cut short", "{r:#}");
    let example = f["example"].as_str().unwrap();
    assert!(
        example.contains("after echoing 1000 of 65536 bytes"),
        "{r:#}"
    );
    assert!(example.contains("without close_notify"), "{r:#}");
    assert!(!example.contains("https://"), "{r:#}");
}

#[test]
fn sigterm_stops_early_and_still_reports_as_ctrl_c_does() {
    // `timeout 60 tlskit bench …` sends SIGTERM: the run so far is reported.
    a_signal_stops_early_and_still_reports("TERM");
}

#[test]
fn resume_keeps_a_ticket_for_every_connection_open_at_once() {
    // With 32 at a time, the 31 that start beside the first (and its ticket)
    // are full; after that, every connection finds a ticket (each brings one back).
    // rustls' own store keeps 8 per server, so more than 8 at once went full
    // again and again.
    let dir = dir_with_cert();
    let served = spawn_serve(&dir, &["--cert", "srv.pem", "--key", "srv-key.pem"]);
    let (code, r, err) = bench_localhost(
        &dir,
        &served.addr,
        &["-n", "320", "-c", "32", "--resume", "--tls13"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(n(&r, "/connections/succeeded"), 320, "{r:#}");
    let full = n(&r, "/handshakes/full") + n(&r, "/handshakes/full_with_hello_retry_request");
    assert!(full <= 32, "{full} full handshakes: {r:#}");
}

#[test]
fn the_progress_line_on_a_terminal_gives_small_echoes_in_bytes_or_kib() {
    // `script` gives bench a terminal, so it shows its progress line.
    if !have("script") {
        return;
    }
    let dir = dir_with_cert();
    let server = echo_server(&dir, None);
    let line = format!(
        "{} bench {} --ca srv.pem --servername localhost --bytes 1k -d 0.6 -c 1",
        util::bin().display(),
        server.addr
    );
    let out = Command::new("script")
        .current_dir(dir.path())
        .args(["-qec", &line, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" echoed, "), "no progress line: {text}");
    // Less than a MiB in all: never '0 MiB echoed, 0.0 MiB/s'.
    assert!(!text.contains(" 0 MiB echoed"), "{text}");
}

#[test]
fn floor_is_measured_and_adds_up() {
    let dir = Dir::new();
    let (c, r, err) = bench(&dir, &["--floor"]);
    assert_eq!(c, 0, "{err}");
    let f = |k: &str| r[k].as_f64().unwrap_or_else(|| panic!("no {k} in {r:#}"));
    for k in [
        "ecdsa_p256_sign_us",
        "x25519_keygen_us",
        "x25519_agree_us",
        "mlkem768_encapsulate_us",
        "aes256gcm_seal_open_per_mib_us",
    ] {
        assert!(f(k) > 0.0, "{k} in {r:#}");
    }
    let parts = f("ecdsa_p256_sign_us") + f("x25519_keygen_us") + f("x25519_agree_us");
    assert!((f("handshake_x25519_us") - parts).abs() < 0.05, "{r:#}");
    assert!(f("handshake_x25519mlkem768_us") > f("handshake_x25519_us"));
    // The kernel's share over loopback, and the sums the record uses.
    for k in [
        "tcp_connection_us",
        "tcp_echo_per_mib_us",
        "tcp_relay_per_mib_us",
    ] {
        assert!(f(k) > 0.0, "{k} in {r:#}");
    }
    assert!(f("key_schedule_sha384_us") > 0.0, "{r:#}");
    let sum = f("handshake_x25519_us") + f("key_schedule_sha384_us") + f("tcp_connection_us");
    assert!(
        (f("handshake_x25519_with_tcp_us") - sum).abs() < 0.05,
        "{r:#}"
    );
    let aes = f("aes256gcm_seal_open_per_mib_us");
    let sum = aes + f("tcp_echo_per_mib_us");
    assert!((f("echo_per_mib_with_tcp_us") - sum).abs() < 0.05, "{r:#}");
    let sum = aes + f("tcp_relay_per_mib_us");
    assert!((f("relay_per_mib_with_tcp_us") - sum).abs() < 0.05, "{r:#}");
    // A target and --floor exclude each other; neither is a usage error.
    assert_eq!(code(&dir.run(&["bench", "--floor", "localhost:1"])), 2);
    assert_eq!(code(&dir.run(&["bench"])), 2);
}

#[test]
fn server_pid_reports_the_servers_cpu_per_connection() {
    let dir = dir_with_cert();
    let served = spawn_serve(&dir, &["--cert", "srv.pem", "--key", "srv-key.pem"]);
    let pid = served.bg.child.id().to_string();
    let (c, r, err) = bench_localhost(
        &dir,
        &served.addr,
        &["-n", "40", "-c", "2", "--server-pid", &pid],
    );
    assert_eq!(c, 0, "{err}");
    let sc = &r["server_cpu"];
    assert_eq!(sc["pids"][0].as_u64(), pid.parse().ok(), "{r:#}");
    // 40 handshakes cost the server some CPU; the figure is that divided by 40.
    let total = sc["total_s"].as_f64().expect("total_s");
    let per = sc["per_connection_us"].as_f64().expect("per_connection_us");
    assert!(
        (per - total * 1e6 / 40.0).abs() <= 0.1 + total * 1e6 / 40.0 * 0.001,
        "{r:#}"
    );
    assert!(sc["per_mib_ms"].is_null(), "{r:#}");
    // Without the flag the report has no server_cpu member.
    let (_, plain, _) = bench_localhost(&dir, &served.addr, &["-n", "2", "-c", "1"]);
    assert!(plain.get("server_cpu").is_none(), "{plain:#}");
    // A process that does not exist is a usage error, said plainly.
    let out = dir.run(&["bench", &served.addr, "--server-pid", "4000000000"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--server-pid 4000000000: no such process"),
        "{}",
        stderr(&out)
    );
}

/// A server that goes away in the middle of a run: once the last
/// `GIVE_UP_AFTER` (100) connections have all failed the same way, the run
/// stops and says so (it went on refusing for the whole `-d`: 189,044
/// connections in 5 s). A server that refuses every client alike (no client
/// certificate) stops the run the same way.
#[test]
fn a_server_that_dies_or_refuses_everyone_stops_the_run() {
    let dir = dir_with_client_cert();
    // Serves 20 connections, then exits: the rest are refused.
    let served = spawn_serve(
        &dir,
        &[
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--max-accept",
            "20",
        ],
    );
    let (code, r, err) = bench_localhost(&dir, &served.addr, &["-d", "120", "-c", "2"]);
    assert_eq!(code, 3, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 20, "{r:#}");
    assert_eq!(r["gave_up"]["kind"], "refused", "{r:#}");
    assert_eq!(n(&r, "/gave_up/after"), 100, "{r:#}");
    // Stopped within a few hundred failures, not after two minutes of them
    // (the accept queue's leftovers may fail otherwise first, and break the run of 100).
    assert!(n(&r, "/connections/failed") < 1000, "{r:#}");
    assert!(
        err.contains("stopped early: the last 100 connections all failed the same way"),
        "{err}"
    );

    // Every handshake refused for want of a client certificate.
    let served = spawn_serve(
        &dir,
        &[
            "--cert",
            "srv.pem",
            "--key",
            "srv-key.pem",
            "--client-ca",
            "ca.pem",
        ],
    );
    let (code, r, err) = bench_localhost(&dir, &served.addr, &["-d", "120", "-c", "2", "--tls12"]);
    assert_eq!(code, 4, "{err}\n{r:#}");
    assert_eq!(r["gave_up"]["kind"], "handshake", "{r:#}");
    assert!(n(&r, "/connections/failed") < 1000, "{r:#}");
    assert!(err.contains("--cert FILE --key FILE"), "{err}");
}

/// `bench --starttls smtp`: every connection speaks the plaintext upgrade
/// first (through a faithful SMTP front to tlskit serve); a server that
/// refuses the upgrade fails each connection as a handshake failure (exit 4).
#[test]
fn starttls_benchmarks_a_server_behind_a_plaintext_upgrade() {
    let dir = Dir::new();
    let served = spawn_serve(&dir, &[]);
    let front = util::smtp_starttls_front(served.port, 6);
    let target = format!("localhost:{front}");
    let (code, r, err) = bench(
        &dir,
        &[
            &target,
            "--starttls",
            "smtp",
            "--pin",
            &served.pin,
            "-n",
            "3",
            "-c",
            "1",
        ],
    );
    assert_eq!(code, 0, "{err}\n{r:#}");
    assert_eq!(n(&r, "/connections/succeeded"), 3, "{r:#}");

    // IMAP spoken to an SMTP server: refused at its greeting.
    let (code, r, err) = bench(
        &dir,
        &[
            &target,
            "--starttls",
            "imap",
            "--pin",
            &served.pin,
            "-n",
            "3",
            "-c",
            "1",
        ],
    );
    assert_eq!(code, 4, "{err}\n{r:#}");
    assert_eq!(r["failures"][0]["reason"], "imap refused", "{r:#}");
    assert!(
        err.contains("imap: the server refused the session"),
        "{err}"
    );
}
