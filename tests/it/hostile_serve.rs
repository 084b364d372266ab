//! `tlskit serve` under attack from clients written here: hundreds of
//! connections that never speak, thousands that send noise, ClientHellos cut
//! at every length, clients that vanish mid-handshake and mid-transfer, and a
//! flood above `--max-connections`. After each attack the server is alive,
//! serves a new client, holds no leaked socket, and its resident memory is
//! back near where it started.
//!
//! Loopback only; every loop is bounded in count, every wait in time.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::util::*;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// How far the server's resident memory may stay above its warmed-up
/// baseline after an attack, once every attacking connection is logged as
/// closed: a fixed allowance plus a share per connection held at once.
///
/// Measured on a 2-core Debian 12 machine, debug build, warmed-up baseline
/// about 16 MiB: attacks that hold few connections at once (noise, truncated
/// ClientHellos, vanishing clients, 4 at a time) end within 0.1 to 0.5 MiB of
/// it. Connections held at once leave their high-water mark behind: glibc
/// keeps the freed memory in the arenas of tokio's worker threads for the
/// next burst rather than giving it back (about 14 KiB per silent connection
/// in a debug build: 500 leave +6.5 MiB, 1,000 leave +13 MiB; a repeated
/// burst may land in the other worker's arena and add up to 3.5 MiB once,
/// then no more; the leak test below takes the arenas out of it). So:
/// 3 MiB (six times the worst low-concurrency figure) plus 24 KiB (1.7 times
/// the measured retention) per connection held at once. A leak of 2 KiB per
/// connection in the 2,000-connection noise test, or 16 KiB per held
/// connection in the flood, exceeds it.
fn rss_slack_kib(held_at_once: usize) -> u64 {
    3 * 1024 + 24 * held_at_once as u64
}

/// Raises this test process's soft open-file limit: hundreds of sockets are
/// held at once, and several tests run in parallel.
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write one rlimit struct, which `lim` is.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        let want: libc::rlim_t = 8192;
        if lim.rlim_cur < want {
            lim.rlim_cur = if lim.rlim_max == libc::RLIM_INFINITY {
                want
            } else {
                want.min(lim.rlim_max)
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Resident memory of a process, KiB (VmRSS in /proc/PID/status).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Open sockets of a process (entries of /proc/PID/fd that are sockets).
fn sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("/proc fd")
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.to_string_lossy().starts_with("socket:"))
        .count()
}

/// Closes with a TCP reset instead of a FIN (SO_LINGER with a zero timeout).
fn reset(tcp: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads one linger struct of the size given, on a socket we own.
    unsafe {
        libc::setsockopt(
            tcp.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(tcp);
}

/// A small deterministic PRNG (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Runs `job(i)` for i in 0..n on `threads` threads; returns how many failed, and the first failure.
fn parallel(n: usize, threads: usize, job: impl Fn(usize) -> Result<(), String> + Sync) {
    let next = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                if let Err(e) = job(i) {
                    failures.lock().unwrap().push(format!("#{i}: {e}"));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {n} failed, first: {}",
        failures.len(),
        failures[0]
    );
}

/// A served `tlskit serve --json` with its memory and socket baseline.
struct Target {
    srv: Served,
    pid: u32,
    cfg: Arc<ClientConfig>,
    rss_before: u64,
    sockets_before: usize,
}

impl Target {
    fn start(dir: &Dir, args: &[&str]) -> Target {
        Target::start_env(dir, args, &[])
    }

    fn start_env(dir: &Dir, args: &[&str], env: &[(&str, &str)]) -> Target {
        raise_fd_limit();
        let srv = spawn_serve_env(dir, "127.0.0.1:0", args, env);
        let pid = srv.bg.child.id();
        let cfg = pinned(&srv.pin);
        let mut t = Target {
            srv,
            pid,
            cfg,
            rss_before: 0,
            sockets_before: 0,
        };
        // Warm up: the first connections allocate the runtime's and rustls' lasting state.
        for _ in 0..3 {
            t.serve_one_client();
        }
        t.rss_before = rss_kib(pid);
        t.sockets_before = sockets(pid);
        t
    }

    fn port(&self) -> u16 {
        self.srv.port
    }

    /// A well-behaved client: handshake, echo, close; and the server logs it as closed.
    fn serve_one_client(&self) {
        let mut tls = connect(self.port(), self.cfg.clone());
        echo_once(&mut tls, b"a well-behaved client");
        close(tls);
        let rec = self.srv.event("connection", SECS(30));
        assert_eq!(rec["end"], "closed", "{rec}");
        assert_eq!(rec["bytes_out"], 21, "{rec}");
    }

    /// The next `n` connection records.
    fn records(&self, n: usize) -> Vec<serde_json::Value> {
        self.srv.connections(n, SECS(60))
    }

    /// After an attack: alive, serving, no leaked socket, memory back within
    /// the bound; returns the RSS (KiB).
    fn check_recovered(&mut self, scenario: &str, held_at_once: usize) -> u64 {
        assert!(
            self.srv.bg.child.try_wait().unwrap().is_none(),
            "{scenario}: the server died"
        );
        self.serve_one_client();
        let rss = rss_kib(self.pid);
        let socks = sockets(self.pid);
        eprintln!(
            "{scenario}: RSS before {} KiB, after {rss} KiB ({:+} KiB); sockets before {}, after {socks}",
            self.rss_before,
            rss as i64 - self.rss_before as i64,
            self.sockets_before
        );
        assert_eq!(
            socks, self.sockets_before,
            "{scenario}: the server holds sockets it should have closed"
        );
        let slack = rss_slack_kib(held_at_once);
        assert!(
            rss <= self.rss_before + slack,
            "{scenario}: RSS grew from {} KiB to {rss} KiB (bound +{slack} KiB)",
            self.rss_before
        );
        rss
    }

    fn finish(mut self) -> serde_json::Value {
        assert!(self.srv.terminate(SECS(30)).success());
        self.srv.event("summary", SECS(10))
    }
}

/// Waits until the server's RSS has not moved for 100 ms (at most 5 s).
fn wait_for_steady_rss(pid: u32) {
    let deadline = Instant::now() + SECS(5);
    let (mut last, mut same) = (rss_kib(pid), 0);
    while same < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(25));
        let now = rss_kib(pid);
        same = if now == last { same + 1 } else { 0 };
        last = now;
    }
}

/// Waits until the server holds at least `n` more sockets than at its baseline.
fn wait_for_sockets(t: &Target, n: usize) {
    let deadline = Instant::now() + SECS(30);
    while sockets(t.pid) < t.sockets_before + n {
        assert!(
            Instant::now() < deadline,
            "the server took on only {} of {n} connections",
            sockets(t.pid).saturating_sub(t.sockets_before)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn five_hundred_silent_connections_do_not_delay_a_real_client() {
    const SILENT: usize = 500;
    let dir = Dir::new();
    let mut t = Target::start(&dir, &["--handshake-timeout", "5"]);
    let silent: Vec<TcpStream> = (0..SILENT)
        .map(|_| TcpStream::connect(("127.0.0.1", t.port())).expect("silent connect"))
        .collect();
    // All 500 are accepted and waiting for a ClientHello before the real client comes.
    wait_for_sockets(&t, SILENT);
    let mut latencies = Vec::new();
    for i in 0..5 {
        let started = Instant::now();
        let mut tls = connect(t.port(), t.cfg.clone());
        echo_once(&mut tls, format!("served despite {SILENT} #{i}").as_bytes());
        latencies.push(started.elapsed());
        close(tls);
        let rec = t.srv.event("connection", SECS(30));
        assert_eq!(rec["end"], "closed", "{rec}");
    }
    // None of the silent ones was dropped while the real clients were served...
    let mut probe = [0u8; 1];
    silent[0].set_nonblocking(true).unwrap();
    assert_eq!(
        silent[0].peek(&mut probe).map_err(|e| e.kind()),
        Err(ErrorKind::WouldBlock),
        "the silent connections timed out before the measurement ended (machine overloaded?)"
    );
    eprintln!("connect + handshake + echo with {SILENT} silent connections open: {latencies:?}");
    let mut sorted = latencies.clone();
    sorted.sort();
    // The issue asks for "within a second": the median of five must be. Each
    // one gets 3 s, so that one scheduling hiccup on a loaded 2-core machine
    // is not a failure while a server that queues clients behind the silent
    // ones (5 s each here) still is.
    assert!(
        sorted[2] < SECS(1),
        "median {:?} with {SILENT} silent connections open: {latencies:?}",
        sorted[2]
    );
    assert!(sorted[4] < SECS(3), "{latencies:?}");
    // ...and every one is dropped at the handshake deadline.
    for rec in t.records(SILENT) {
        assert_eq!(rec["end"], "timeout", "{rec}");
        assert_eq!(rec["failure"], "timeout", "{rec}");
    }
    drop(silent);
    t.check_recovered("500 silent connections", SILENT);
    let summary = t.finish();
    assert_eq!(
        summary["failures_by_reason"]["timeout"], SILENT,
        "{summary}"
    );
    assert!(summary["peak_concurrent"].as_u64().unwrap() > SILENT as u64);
}

/// Bursts of connections that come and go must leave memory flat: what the
/// server keeps per connection after it ends is zero.
///
/// glibc gives each thread that allocates its own arena and keeps what is freed
/// there, so with tokio's workers a later burst can land in an arena the first
/// one never grew and add up to 3.5 MiB once (measured: +2.1 to +3.5 MiB by the
/// third burst, flat after). That is retention, not a leak, and it made a
/// two-burst comparison flaky. Here the server runs with `MALLOC_ARENA_MAX=1`:
/// one arena, so each burst reuses what the one before freed, and RSS moves
/// by what the server did not free plus a little fragmentation. Measured with
/// it, both cores otherwise busy, ten runs: +0 to +412 KiB from the first burst
/// to the sixteenth, with no trend; the bound is 4 MiB. Checked the other way:
/// 600 bytes leaked per connection on purpose grew it by 4.9 MiB over the 7,500
/// connections after the first burst, and 1 KiB broke the per-burst bound.
#[test]
fn bursts_of_connections_that_come_and_go_leave_memory_flat() {
    const PER_BURST: usize = 500;
    const BURSTS: usize = 16;
    let dir = Dir::new();
    let mut t = Target::start_env(
        &dir,
        &["--handshake-timeout", "30"],
        &[("MALLOC_ARENA_MAX", "1")],
    );
    let mut after = Vec::new();
    for burst in 0..BURSTS {
        let held: Vec<TcpStream> = (0..PER_BURST)
            .map(|_| TcpStream::connect(("127.0.0.1", t.port())).expect("connect"))
            .collect();
        wait_for_sockets(&t, PER_BURST);
        // Accepted is not yet allocated: on a loaded machine some tasks have
        // not run yet. Wait for the burst's full footprint, so that every
        // burst reaches the same peak.
        wait_for_steady_rss(t.pid);
        // Half end with a FIN, half with a reset: both paths must free everything.
        for (i, tcp) in held.into_iter().enumerate() {
            if i % 2 == 0 {
                drop(tcp);
            } else {
                reset(tcp);
            }
        }
        let mut ends = std::collections::BTreeMap::new();
        for rec in t.records(PER_BURST) {
            assert_eq!(rec["end"], "handshake_error", "{rec}");
            *ends.entry(rec["failure"].to_string()).or_insert(0) += 1;
        }
        assert_eq!(
            ends,
            [
                ("\"client_closed\"".to_string(), PER_BURST / 2),
                ("\"reset\"".to_string(), PER_BURST / 2)
            ]
            .into(),
        );
        after.push(t.check_recovered(&format!("burst {} of {PER_BURST}", burst + 1), PER_BURST));
    }
    let growth = after[BURSTS - 1].saturating_sub(after[0]);
    assert!(
        growth <= 4 * 1024,
        "RSS grew by {growth} KiB over {} connections after the first burst \
         (KiB after each burst: {after:?})",
        (BURSTS - 1) * PER_BURST
    );
    let summary = t.finish();
    assert!(summary["peak_concurrent"].as_u64().unwrap() >= PER_BURST as u64);
}

#[test]
fn two_thousand_connections_of_random_bytes_are_refused_as_not_tls() {
    const N: usize = 2000;
    let dir = Dir::new();
    let mut t = Target::start(&dir, &["--handshake-timeout", "10"]);
    let port = t.port();
    parallel(N, 4, |i| {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        let len = 1 + (rng.next() % 2048) as usize;
        let mut noise = vec![0u8; len];
        rng.fill(&mut noise);
        // Every fourth one looks like a TLS handshake record for its first bytes.
        if i % 4 == 0 && len > 3 {
            noise[..3].copy_from_slice(&[0x16, 0x03, 0x01]);
        }
        let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(SECS(30))).unwrap();
        // The server may close before it has read it all: a failed write is fine.
        let _ = s.write_all(&noise);
        let _ = s.shutdown(Shutdown::Write);
        let mut sink = [0u8; 4096];
        let mut got = 0;
        loop {
            match s.read(&mut sink) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
                Err(e) => return Err(format!("waiting for the server to close: {e}")),
            }
            if got > 64 * 1024 {
                return Err("the server answers noise with a stream of data".into());
            }
        }
        Ok(())
    });
    let records = t.records(N);
    let mut by_failure = std::collections::BTreeMap::<String, usize>::new();
    for rec in &records {
        assert_eq!(rec["end"], "handshake_error", "{rec}");
        *by_failure
            .entry(rec["failure"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    eprintln!("{N} noise connections: {by_failure:?}");
    // Noise that happens to start like a handshake record is refused as malformed or cut short.
    for key in by_failure.keys() {
        assert!(
            matches!(
                key.as_str(),
                "not_tls" | "malformed" | "client_closed" | "protocol_violation"
            ),
            "unexpected failure {key}: {by_failure:?}"
        );
    }
    assert!(by_failure.get("not_tls").copied().unwrap_or(0) >= N / 2);
    t.check_recovered("2000 random-byte connections", 4);
    let summary = t.finish();
    assert_eq!(summary["handshake_failures"], N, "{summary}");
}

/// The ClientHello record a rustls client sends, captured on a local socket.
fn captured_client_hello(cfg: Arc<ClientConfig>) -> Vec<u8> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        let mut tcp = TcpStream::connect(addr).unwrap();
        let name = ServerName::try_from("localhost").unwrap().to_owned();
        let mut conn = ClientConnection::new(cfg, name).unwrap();
        while conn.wants_write() {
            conn.write_tls(&mut tcp).unwrap();
        }
        // Wait for the capture to finish before closing.
        let mut b = [0u8; 1];
        let _ = tcp.read(&mut b);
    });
    let (mut s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(SECS(20))).unwrap();
    let mut header = [0u8; 5];
    s.read_exact(&mut header).unwrap();
    assert_eq!(header[0], 0x16, "a handshake record");
    let len = u16::from_be_bytes([header[3], header[4]]) as usize;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    assert_eq!(body[0], 0x01, "a ClientHello");
    drop(s);
    client.join().unwrap();
    [&header[..], &body].concat()
}

#[test]
fn client_hellos_truncated_at_every_length_are_logged_as_cut_short() {
    let dir = Dir::new();
    let mut t = Target::start(&dir, &["--handshake-timeout", "10"]);
    let hello = captured_client_hello(t.cfg.clone());
    let port = t.port();
    // Every proper prefix, from one byte to all but the last.
    let cuts = hello.len() - 1;
    parallel(cuts, 4, |i| {
        let prefix = &hello[..i + 1];
        let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(SECS(30))).unwrap();
        s.write_all(prefix).map_err(|e| e.to_string())?;
        s.shutdown(Shutdown::Write).map_err(|e| e.to_string())?;
        let mut sink = Vec::new();
        match s.read_to_end(&mut sink) {
            Ok(_) if sink.is_empty() => Ok(()),
            Ok(_) => Err(format!(
                "the server answered {} bytes to a partial ClientHello",
                sink.len()
            )),
            Err(e) => Err(format!("waiting for the server to close: {e}")),
        }
    });
    let records = t.records(cuts);
    for rec in &records {
        assert_eq!(rec["end"], "handshake_error", "{rec}");
        assert_eq!(rec["failure"], "client_closed", "{rec}");
    }
    // The whole ClientHello, for contrast, gets an answer.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(SECS(20))).unwrap();
    s.write_all(&hello).unwrap();
    let mut first = [0u8; 1];
    s.read_exact(&mut first).unwrap();
    assert_eq!(first[0], 0x16, "a ServerHello record");
    drop(s);
    let whole = t.records(1).remove(0);
    eprintln!("ClientHello of {} bytes cut at {cuts} lengths", hello.len());
    t.check_recovered("truncated ClientHellos", 4);
    let summary = t.finish();
    let whole_closed = usize::from(whole["failure"] == "client_closed");
    assert_eq!(
        summary["failures_by_reason"]["client_closed"],
        cuts + whole_closed,
        "{summary}"
    );
}

#[test]
fn clients_vanishing_mid_handshake_and_mid_transfer() {
    const MID_HANDSHAKE: usize = 150;
    const MID_TRANSFER: usize = 60;
    let dir = Dir::new();
    let mut t = Target::start(&dir, &["--handshake-timeout", "10"]);
    let port = t.port();
    let hello = captured_client_hello(t.cfg.clone());

    // Mid-handshake: the ClientHello, then gone: at once, after the first
    // byte of the answer, or with a reset after reading it.
    parallel(MID_HANDSHAKE, 4, |i| {
        let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(SECS(30))).unwrap();
        s.write_all(&hello).map_err(|e| e.to_string())?;
        match i % 3 {
            0 => drop(s),
            1 => {
                let mut b = [0u8; 1];
                s.read_exact(&mut b).map_err(|e| e.to_string())?;
                drop(s);
            }
            _ => {
                let mut b = [0u8; 512];
                let _ = s.read(&mut b).map_err(|e| e.to_string())?;
                reset(s);
            }
        }
        Ok(())
    });
    let mut by_failure = std::collections::BTreeMap::<String, usize>::new();
    for rec in t.records(MID_HANDSHAKE) {
        assert_eq!(rec["end"], "handshake_error", "{rec}");
        *by_failure
            .entry(rec["failure"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    eprintln!("{MID_HANDSHAKE} clients gone mid-handshake: {by_failure:?}");
    for key in by_failure.keys() {
        assert!(
            matches!(key.as_str(), "client_closed" | "reset"),
            "a vanished client is described as {key}: {by_failure:?}"
        );
    }
    t.check_recovered("clients vanishing mid-handshake", 4);

    // Mid-transfer: a full handshake, then 256 KiB sent while the echo is
    // not read, then gone (a FIN or a reset).
    let cfg = t.cfg.clone();
    parallel(MID_TRANSFER, 2, |i| {
        let mut tls = connect(port, cfg.clone());
        tls.sock.set_write_timeout(Some(SECS(2))).unwrap();
        let payload = vec![i as u8; 256 * 1024];
        // The server stops reading once its echo backs up: the write may stall, which is the point.
        let _ = tls.write_all(&payload);
        let _ = tls.flush();
        if i % 2 == 0 {
            let mut b = [0u8; 1000];
            let _ = tls.read(&mut b);
            reset(tls.sock);
        } else {
            drop(tls);
        }
        Ok(())
    });
    for rec in t.records(MID_TRANSFER) {
        assert!(rec.get("protocol").is_some(), "handshake done: {rec}");
        assert!(
            matches!(rec["end"].as_str(), Some("error" | "closed")),
            "{rec}"
        );
        assert!(rec["bytes_in"].as_u64().unwrap() > 0, "{rec}");
    }
    t.check_recovered("clients vanishing mid-transfer", 2);
    let summary = t.finish();
    assert_eq!(summary["aborted_at_shutdown"], 0, "{summary}");
}

#[test]
fn a_flood_above_max_connections_is_refused_and_the_slots_come_back() {
    const LIMIT: usize = 50;
    const FLOOD: usize = 300;
    let dir = Dir::new();
    let mut t = Target::start(
        &dir,
        &["--max-connections", "50", "--handshake-timeout", "60"],
    );
    let flood: Vec<TcpStream> = (0..FLOOD)
        .map(|_| TcpStream::connect(("127.0.0.1", t.port())).expect("flood connect"))
        .collect();
    // The first LIMIT hold their slots (silent); everything beyond is closed at once.
    let refused = t.records(FLOOD - LIMIT);
    for rec in &refused {
        assert_eq!(rec["end"], "refused", "{rec}");
    }
    wait_for_sockets(&t, LIMIT);
    assert_eq!(
        sockets(t.pid),
        t.sockets_before + LIMIT,
        "only the slots are held"
    );
    // A real client is refused too while every slot is taken.
    let tcp = TcpStream::connect(("127.0.0.1", t.port())).unwrap();
    let rec = t.srv.event("connection", SECS(30));
    assert_eq!(rec["end"], "refused", "{rec}");
    drop(tcp);
    // The holders leave; their slots come back.
    drop(flood);
    for rec in t.records(LIMIT) {
        assert_eq!(rec["failure"], "client_closed", "{rec}");
    }
    t.check_recovered("flood above --max-connections", LIMIT);
    let summary = t.finish();
    assert_eq!(summary["refused"], FLOOD - LIMIT + 1, "{summary}");
    assert_eq!(summary["peak_concurrent"], LIMIT, "{summary}");
}

/// What the server sends back to `bytes` before it closes (at most 20 s).
fn answer_to(port: u16, bytes: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("TCP connect");
    s.set_read_timeout(Some(SECS(20))).unwrap();
    s.write_all(bytes).expect("write");
    let mut got = Vec::new();
    let _ = s.read_to_end(&mut got);
    got
}

/// A first handshake message that is not a ClientHello (type 0x45, as
/// tlsfuzzer's record-overflow script sends) gets a fatal
/// `unexpected_message` alert, as from a plain rustls server; a garbled
/// ClientHello still gets `decode_error`.
#[test]
fn a_first_message_that_is_not_a_client_hello_gets_an_alert() {
    let dir = Dir::new();
    let served = spawn_serve(&dir, &["--handshake-timeout", "10"]);
    // Handshake record, one message of type 0x45 with a 4-byte body.
    let not_hello = [
        0x16, 0x03, 0x01, 0x00, 0x08, 0x45, 0x00, 0x00, 0x04, 0, 0, 0, 0,
    ];
    let got = answer_to(served.port, &not_hello);
    assert_eq!(
        got,
        [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a],
        "a fatal unexpected_message alert"
    );
    let rec = served.event("connection", SECS(20));
    assert_eq!(rec["end"], "handshake_error", "{rec}");
    assert_eq!(rec["failure"], "protocol_violation", "{rec}");

    // A ClientHello whose body is garbage: rustls itself queues decode_error.
    let garbled = [
        0x16, 0x03, 0x01, 0x00, 0x08, 0x01, 0x00, 0x00, 0x04, 0xff, 0, 0, 0,
    ];
    let got = answer_to(served.port, &garbled);
    assert_eq!(got.len(), 7, "{got:02x?}");
    assert_eq!(got[..2], [0x15, 0x03], "{got:02x?}");
    assert_eq!(got[6], 0x32, "decode_error: {got:02x?}");
}

/// Whether `text` holds a Rust-style Debug name (`InvalidEmptyPayload`):
/// a lower-case letter followed by an upper-case one.
fn has_debug_name(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// What the log says of a failure is a sentence, never a rustls Debug name,
/// and every failed connection has a machine-readable `failure` kind, in the
/// handshake (an empty handshake record) and after it (a reset mid-echo).
#[test]
fn failures_are_logged_in_words_with_a_kind() {
    let dir = Dir::new();
    let served = spawn_serve(&dir, &["--handshake-timeout", "10"]);
    let _ = answer_to(served.port, &[0x16, 0x03, 0x01, 0x00, 0x00]);
    let rec = served.event("connection", SECS(20));
    assert_eq!(rec["failure"], "malformed", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("invalid empty payload"), "{rec}");
    assert!(!has_debug_name(reason), "{rec}");

    let cfg = pinned(&served.pin);
    let mut tls = connect(served.port, cfg);
    echo_once(&mut tls, b"before the reset");
    reset(tls.sock);
    let rec = served.event("connection", SECS(20));
    assert_eq!(rec["end"], "error", "{rec}");
    assert_eq!(rec["failure"], "reset", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert_eq!(reason, "the client reset the connection", "{rec}");
}
