//! Shared helpers for integration tests: a temp dir per test, running the
//! real binary with a scrubbed environment, and real peers that skip
//! locally (with a notice) but fail under `CI=true` when missing.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Mutex, Once};
use std::time::{Duration, Instant};

/// The tlskit binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tlskit"))
}

/// A temporary working directory, removed at the end of the test.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.join(name)).unwrap_or_else(|e| panic!("reading {name}: {e}"))
    }

    /// A `tlskit` command run in this directory with a clean environment.
    pub fn tlskit(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin());
        cmd.args(args).current_dir(self.path());
        scrub(&mut cmd);
        cmd
    }

    /// Runs tlskit to completion (at most 60 s) and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        run_bounded(self.tlskit(args), Duration::from_secs(60))
    }

    /// Runs tlskit and asserts exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.exits(args, 0);
        stdout(&out)
    }

    /// Lists the entries of the directory (sorted names).
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// Removes the variables that change tlskit's behaviour.
pub fn scrub(cmd: &mut Command) {
    for var in [
        "NO_COLOR",
        "SSLKEYLOGFILE",
        "TLSKIT_PIN_STORE",
        "TLSKIT_CA_HOME",
        "XDG_DATA_HOME",
        "CLICOLOR_FORCE",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", std::env::temp_dir());
}

pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs a command with stdin closed, killing it after `limit`.
pub fn run_bounded(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let deadline = Instant::now() + limit;
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("command {cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: t_out.join().unwrap_or_default(),
        stderr: t_err.join().unwrap_or_default(),
    }
}

/// Whether a real peer program is available. Missing: a notice and `false`
/// locally; a panic under `CI=true`, where `.ci/run` must have installed it.
pub fn have(program: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !found {
        if under_ci() {
            panic!("peer '{program}' is missing under CI=true: .ci/run must install it");
        }
        skip(program, "not installed");
    }
    found
}

/// Whether this run is CI's (`CI=true`), where a missing peer is a failure.
pub fn under_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The skips of this process: (what was missing, test name).
static SKIPS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
static SUMMARY_AT_EXIT: Once = Once::new();

/// Records that the running test skipped (some of) its checks because
/// `what` (a peer program, or a facility such as "IPv6 loopback") is
/// missing, for `why`. libtest captures a test's output, so besides the
/// notice (seen with --nocapture) the skip is kept, and when the test
/// process exits one line on stderr sums them all up:
/// `SKIPPED peers: gnutls-cli (3 tests), sslyze (2 tests)`, with the test
/// names in `target/tmp/skipped-peers.txt`.
pub fn skip(what: &str, why: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("(unnamed test)")
        .to_string();
    eprintln!("SKIPPED: {what}: {why}");
    SKIPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((what.to_string(), test));
    SUMMARY_AT_EXIT.call_once(|| {
        // SAFETY: registers a plain function with no arguments; it runs
        // once, on the thread that ends the process, after the tests.
        unsafe { libc::atexit(print_skip_summary) };
    });
}

/// The `atexit` hook: libtest's capture is per test thread, so stderr here
/// reaches the terminal whether or not --nocapture was given.
extern "C" fn print_skip_summary() {
    let skips = SKIPS.lock().unwrap_or_else(|e| e.into_inner());
    let mut by_what: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (what, test) in skips.iter() {
        by_what.entry(what).or_default().insert(test);
    }
    if by_what.is_empty() {
        return;
    }
    let counts: Vec<String> = by_what
        .iter()
        .map(|(what, tests)| {
            let n = tests.len();
            format!("{what} ({n} test{})", if n == 1 { "" } else { "s" })
        })
        .collect();
    let details: String = by_what
        .iter()
        .flat_map(|(what, tests)| tests.iter().map(move |t| format!("{what}\t{t}\n")))
        .collect();
    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("skipped-peers.txt");
    let saved = std::fs::write(&file, details).is_ok();
    let mut line = format!("SKIPPED peers: {}", counts.join(", "));
    if saved {
        line.push_str(&format!(" (tests: {})", file.display()));
    }
    let _ = writeln!(std::io::stderr(), "\n{line}");
}

/// A child process killed when dropped.
pub struct Background {
    pub child: Child,
    pub lines: mpsc::Receiver<String>,
}

impl Background {
    /// Starts `cmd` with piped stdout, forwarding its lines to a channel.
    pub fn spawn(cmd: Command) -> Background {
        Background::spawn_with_stdin(cmd, Stdio::null())
    }

    fn spawn_with_stdin(mut cmd: Command, stdin: Stdio) -> Background {
        cmd.stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn background");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Background { child, lines: rx }
    }

    /// The next stdout line, waiting at most `limit`.
    pub fn line(&self, limit: Duration) -> String {
        self.lines
            .recv_timeout(limit)
            .unwrap_or_else(|e| panic!("no line from background process within {limit:?}: {e}"))
    }

    /// The next JSON line whose `event` is `kind` (a tlskit `--json` run),
    /// skipping others, waiting at most `limit` in all.
    pub fn event(&self, kind: &str, limit: Duration) -> serde_json::Value {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .lines
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no '{kind}' event within {limit:?}: {e}"));
            let v: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
            if v["event"] == kind {
                return v;
            }
        }
    }

    /// The first line of a tlskit server run with `--json` (`serve`,
    /// `tunnel`), which must be its `listening` event: the address and port.
    pub fn listening(&self, limit: Duration) -> (String, u16) {
        let first = self.line(limit);
        let v: serde_json::Value =
            serde_json::from_str(&first).unwrap_or_else(|e| panic!("first line {first:?}: {e}"));
        assert_eq!(v["event"], "listening", "{first}");
        let addr = v["addr"].as_str().expect("addr").to_string();
        let port = addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        (addr, port)
    }

    /// Sends `signal` (`-TERM`, `-HUP`, …) to the process.
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(ok.success(), "kill {signal} {pid}");
    }

    /// Waits for exit at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free-for-now loopback port (for peers that cannot report the port they bound).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding a free port")
}

/// Waits until something accepts TCP on 127.0.0.1:port (at most `limit`).
pub fn wait_for_port(port: u16, limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("nothing listening on 127.0.0.1:{port} after {limit:?}");
}

impl Background {
    /// Like [`Background::spawn`], but stdin stays open (an empty pipe) until
    /// the process is dropped: `openssl s_server` closes its connections at end of stdin.
    pub fn spawn_stdin_open(cmd: Command) -> Background {
        Background::spawn_with_stdin(cmd, Stdio::piped())
    }
}

/// Runs `sh -c script` in `dir` (at most 60 s); panics with its stderr when it fails.
pub fn sh(dir: &Path, script: &str) -> String {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir);
    let out = run_bounded(cmd, Duration::from_secs(60));
    assert!(
        out.status.success(),
        "`{script}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts `openssl s_server -www` on a free loopback port with `cert`/`key`
/// (plus `extra` arguments) in `dir`, and waits until it accepts.
pub fn openssl_server(dir: &Path, cert: &str, key: &str, extra: &[&str]) -> (Background, u16) {
    let port = free_port();
    (openssl_server_at(dir, port, cert, key, extra), port)
}

/// Like [`openssl_server`], on a given port (to restart a server where it was).
pub fn openssl_server_at(
    dir: &Path,
    port: u16,
    cert: &str,
    key: &str,
    extra: &[&str],
) -> Background {
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir)
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
        .args(["-cert", cert, "-key", key, "-www", "-quiet"])
        .args(extra);
    let server = Background::spawn(cmd);
    wait_for_port(port, Duration::from_secs(10));
    server
}

/// A running `tlskit serve --json` on a free loopback port, killed when dropped.
pub struct Served {
    pub bg: Background,
    /// `127.0.0.1:PORT`, from the first line.
    pub addr: String,
    pub port: u16,
    /// The served certificate's SPKI pin (`sha256//…`), from the `ready` event.
    pub pin: String,
    /// The served certificate's SHA-256 fingerprint (`AB:CD:…`).
    pub fingerprint: String,
    /// The whole `ready` event.
    pub ready: serde_json::Value,
}

/// Starts `tlskit serve --json --listen 127.0.0.1:0 ARGS` in `dir` and reads its
/// `listening` and `ready` lines (at most 20 s).
pub fn spawn_serve(dir: &Dir, args: &[&str]) -> Served {
    spawn_serve_on(dir, "127.0.0.1:0", args)
}

/// Like [`spawn_serve`], listening on `listen` (to restart a server where it was).
pub fn spawn_serve_on(dir: &Dir, listen: &str, args: &[&str]) -> Served {
    spawn_serve_env(dir, listen, args, &[])
}

/// Like [`spawn_serve_on`], with environment variables set for the server.
pub fn spawn_serve_env(dir: &Dir, listen: &str, args: &[&str], env: &[(&str, &str)]) -> Served {
    let mut all = vec!["serve", "--json", "--listen", listen];
    all.extend_from_slice(args);
    let mut cmd = dir.tlskit(&all);
    cmd.envs(env.iter().copied());
    let bg = Background::spawn(cmd);
    let (addr, port) = bg.listening(Duration::from_secs(20));
    let second = bg.line(Duration::from_secs(20));
    let ready: serde_json::Value =
        serde_json::from_str(&second).unwrap_or_else(|e| panic!("second line {second:?}: {e}"));
    assert_eq!(ready["event"], "ready", "{second}");
    let pin = ready["certificate"]["spki_pin"]
        .as_str()
        .expect("pin")
        .to_string();
    let fingerprint = ready["certificate"]["sha256_fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    Served {
        bg,
        addr,
        port,
        pin,
        fingerprint,
        ready,
    }
}

impl Served {
    /// The next JSON line whose `event` is `kind`, skipping others (at most `limit`).
    pub fn event(&self, kind: &str, limit: Duration) -> serde_json::Value {
        self.bg.event(kind, limit)
    }

    /// The next `n` connection records (at most `limit` in all).
    pub fn connections(&self, n: usize, limit: Duration) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + limit;
        (0..n)
            .map(|_| {
                self.event(
                    "connection",
                    deadline.saturating_duration_since(Instant::now()),
                )
            })
            .collect()
    }

    /// Sends SIGTERM and waits for the exit status (at most `limit`).
    pub fn terminate(&mut self, limit: Duration) -> std::process::ExitStatus {
        self.bg.signal("-TERM");
        self.bg
            .wait(limit)
            .unwrap_or_else(|| panic!("serve did not exit within {limit:?} of SIGTERM"))
    }

    /// Everything serve wrote to stderr (call after it exited).
    pub fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut err) = self.bg.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut text);
        }
        text
    }
}

/// A running `tlskit --json tunnel ARGS`, killed when dropped.
pub struct Tunnel {
    pub bg: Background,
    /// The port it listens on, from the `listening` event.
    pub port: u16,
    /// The whole `ready` event.
    pub ready: serde_json::Value,
}

impl Tunnel {
    /// Starts `tlskit --json tunnel ARGS` in `dir` and reads its `listening`
    /// and `ready` lines (at most 20 s each).
    pub fn start(dir: &Dir, args: &[&str]) -> Tunnel {
        let mut all = vec!["--json", "tunnel"];
        all.extend_from_slice(args);
        let bg = Background::spawn(dir.tlskit(&all));
        let (_, port) = bg.listening(Duration::from_secs(20));
        let ready: serde_json::Value =
            serde_json::from_str(&bg.line(Duration::from_secs(20))).expect("ready is JSON");
        assert_eq!(ready["event"], "ready", "{ready}");
        Tunnel { bg, port, ready }
    }

    /// The next event of `kind`, skipping others.
    pub fn event(&self, kind: &str, limit: Duration) -> serde_json::Value {
        self.bg.event(kind, limit)
    }

    /// Sends `signal` (`-HUP`, `-TERM`, …).
    pub fn signal(&self, signal: &str) {
        self.bg.signal(signal)
    }

    /// SIGTERM, then the summary line; the tunnel must exit 0.
    pub fn stop(&mut self) -> serde_json::Value {
        self.signal("-TERM");
        let summary = self.event("summary", Duration::from_secs(20));
        let status = self
            .bg
            .wait(Duration::from_secs(20))
            .expect("the tunnel exits");
        assert!(status.success(), "{status:?}");
        summary
    }

    /// The served certificate's SHA-256 fingerprint, from the `ready` event.
    pub fn fingerprint(&self) -> String {
        self.ready["certificate"]["sha256_fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_string()
    }
}

/// The tunnel tests' PKI in `dir`: a CA, a localhost server certificate
/// `srv` from it, client certificates `app` and `intruder` from it, and
/// `stranger` (also CN=app) from another CA, `other-ca` (CN=Other CA).
pub fn tunnel_pki(dir: &Dir) {
    pki(
        dir,
        None,
        &[
            ("srv", &[]),
            ("app", &["--client", "app"]),
            ("intruder", &["--client", "intruder"]),
        ],
    );
    dir.ok(&[
        "gencert", "--ca", "-q", "--out", "other-ca", "--cn", "Other CA",
    ]);
    dir.ok(&[
        "gencert",
        "--client",
        "--issuer",
        "other-ca.pem",
        "app",
        "-q",
        "--out",
        "stranger",
    ]);
}

// ---------------------------------------------------------------- whole outputs

impl Dir {
    /// Runs tlskit ARGS here and asserts, in one go, the exit code and the
    /// whole stdout and stderr, each compared after [`redact`] (and with this
    /// directory's path shown as `<dir>`). An expected text may start with a
    /// newline, which is dropped, so that it can be written as a block.
    /// Returns the output for any further check.
    pub fn expect(&self, args: &[&str], code: i32, stdout: &str, stderr: &str) -> Output {
        let out = self.run(args);
        self.assert_whole(&format!("tlskit {args:?}"), &out, code, stdout, stderr);
        out
    }

    /// Like [`Dir::expect`], without [`redact`]: for outputs whose pins,
    /// fingerprints or times the test knows and wants checked exactly.
    pub fn expect_exact(&self, args: &[&str], code: i32, stdout: &str, stderr: &str) -> Output {
        let out = self.run(args);
        self.compare(
            &format!("tlskit {args:?}"),
            &out,
            code,
            stdout,
            stderr,
            false,
        );
        out
    }

    /// Like [`Dir::expect`], for an output obtained another way (stdin,
    /// environment); `what` names the run in a failure.
    pub fn assert_whole(&self, what: &str, out: &Output, code: i32, stdout: &str, stderr: &str) {
        self.compare(what, out, code, stdout, stderr, true);
    }

    fn compare(
        &self,
        what: &str,
        out: &Output,
        code: i32,
        stdout: &str,
        stderr: &str,
        redacted: bool,
    ) {
        let dir = self.path().to_string_lossy().into_owned();
        let shown = |text: &[u8]| {
            let text = String::from_utf8_lossy(text).replace(&dir, "<dir>");
            if redacted {
                redact(&text)
            } else {
                text
            }
        };
        let (got_out, got_err) = (shown(&out.stdout), shown(&out.stderr));
        let (want_out, want_err) = (block(stdout), block(stderr));
        if self::code(out) == code && got_out == want_out && got_err == want_err {
            return;
        }
        let mut report = format!("{what}: ");
        if self::code(out) != code {
            report += &format!("exit code {}, expected {code}\n", self::code(out));
        } else {
            report += &format!("exit code {code} as expected\n");
        }
        report += &difference("stdout", &want_out, &got_out);
        report += &difference("stderr", &want_err, &got_err);
        panic!("{report}");
    }

    /// Runs tlskit ARGS here and asserts the exit code only (both outputs are
    /// shown when it differs); returns the output.
    pub fn exits(&self, args: &[&str], code: i32) -> Output {
        let out = self.run(args);
        exit_is(&out, code, &format!("tlskit {args:?}"));
        out
    }
}

/// Asserts the exit code of a run (of tlskit or of a peer), showing both
/// outputs when it differs.
#[track_caller]
pub fn assert_exit(out: &Output, expected: i32) {
    exit_is(out, expected, "the command");
}

#[track_caller]
fn exit_is(out: &Output, expected: i32, what: &str) {
    assert_eq!(
        code(out),
        expected,
        "{what}: exit code\nstdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// An expected text written as a block: one leading newline is dropped.
fn block(text: &str) -> String {
    text.strip_prefix('\n').unwrap_or(text).to_string()
}

/// "stdout: as expected", or both texts and the first line that differs.
fn difference(name: &str, want: &str, got: &str) -> String {
    if want == got {
        return format!("{name}: as expected\n");
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let first = (0..w.len().max(g.len()))
        .find(|&i| w.get(i) != g.get(i))
        .unwrap_or(w.len().min(g.len()));
    format!(
        "{name} differs at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
         --- expected {name} ---\n{want}--- actual {name} ---\n{got}--- end ---\n",
        first + 1,
        w.get(first).copied().unwrap_or("<end>"),
        g.get(first).copied().unwrap_or("<end>"),
    )
}

/// Replaces what changes from run to run with a placeholder, so that whole
/// outputs can be compared:
/// - RFC 3339 times `2026-01-02T03:04:05Z` → `<time>`, dates `2026-01-02` → `<date>`,
///   clock times `03:04:05` → `<clock>`;
/// - colon-separated hex (fingerprints, serials, key ids) → `<hex:N>` (N bytes);
/// - SPKI pins `sha256//…=` → `sha256//<pin>`, a bare base64 SHA-256 → `<pin>`,
///   and a run of 40 or more hex digits → `<hex>`;
/// - a five-digit port after a colon (the OS gives those) → `:<port>`
///   (one above 65535 stays: it is a test's bad input);
/// - durations such as `12.5 ms`, `3s`, `40µs` → `<dur>`.
pub fn redact(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        let boundary = i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '.');
        if boundary {
            if let Some((len, with)) = redaction_at(&c[i..]) {
                out.push_str(&with);
                i += len;
                continue;
            }
        }
        if c[i] == ':' && i > 0 && !c[i - 1].is_whitespace() {
            let digits = run_len(&c[i + 1..], |ch| ch.is_ascii_digit());
            let after = c.get(i + 1 + digits);
            let port: String = c[i + 1..i + 1 + digits].iter().collect();
            let in_range = port.parse::<u32>().is_ok_and(|p| p <= 65535);
            if digits == 5 && in_range && !after.is_some_and(|ch| ch.is_alphanumeric()) {
                out.push_str(":<port>");
                i += 1 + digits;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

fn run_len(c: &[char], f: impl Fn(char) -> bool) -> usize {
    c.iter().take_while(|&&ch| f(ch)).count()
}

/// Whether `c` starts with `pattern`, where `9` stands for any digit.
fn shaped(c: &[char], pattern: &str) -> bool {
    pattern.chars().enumerate().all(|(k, p)| match c.get(k) {
        Some(ch) if p == '9' => ch.is_ascii_digit(),
        Some(ch) => *ch == p,
        None => false,
    })
}

/// The redaction that starts at `c[0]` (at a word start): (chars consumed, replacement).
fn redaction_at(c: &[char]) -> Option<(usize, String)> {
    let ends_word = |n: usize| !c.get(n).is_some_and(|ch| ch.is_alphanumeric());
    // RFC 3339 time, with optional fraction and offset.
    if shaped(c, "9999-99-99T99:99:99") {
        let mut n = 19;
        if c.get(n) == Some(&'.') {
            n += 1 + run_len(&c[n + 1..], |ch| ch.is_ascii_digit());
        }
        if c.get(n) == Some(&'Z') {
            n += 1;
        } else if matches!(c.get(n), Some('+' | '-')) && shaped(&c[n + 1..], "99:99") {
            n += 6;
        }
        return Some((n, "<time>".into()));
    }
    if shaped(c, "9999-99-99") && ends_word(10) {
        return Some((10, "<date>".into()));
    }
    // Colon-separated hex bytes: at least 8 of them.
    let hex2 = |k: usize| {
        c.get(k).is_some_and(|ch| ch.is_ascii_hexdigit())
            && c.get(k + 1).is_some_and(|ch| ch.is_ascii_hexdigit())
    };
    let mut bytes = 0;
    while hex2(bytes * 3) {
        bytes += 1;
        if c.get(bytes * 3 - 1) != Some(&':') || !hex2(bytes * 3) {
            break;
        }
    }
    let len = (bytes * 3).saturating_sub(1);
    if bytes >= 8 && ends_word(len) {
        return Some((len, format!("<hex:{bytes}>")));
    }
    if shaped(c, "99:99:99") && ends_word(8) {
        return Some((8, "<clock>".into()));
    }
    // Pins: `sha256//` + 43 base64 characters + `=`, or the bare base64.
    let b64 = |s: &[char]| {
        run_len(s, |ch| ch.is_ascii_alphanumeric() || ch == '+' || ch == '/') == 43
            && s.get(43) == Some(&'=')
    };
    let prefix: String = c.iter().take(8).collect();
    if prefix == "sha256//" && b64(&c[8..]) {
        return Some((52, "sha256//<pin>".into()));
    }
    if b64(c) && ends_word(44) {
        return Some((44, "<pin>".into()));
    }
    let hex = run_len(c, |ch| ch.is_ascii_hexdigit());
    if hex >= 40 && ends_word(hex) {
        return Some((hex, "<hex>".into()));
    }
    // Durations: a number and a unit of time.
    let int = run_len(c, |ch| ch.is_ascii_digit());
    if int > 0 {
        let mut n = int;
        if c.get(n) == Some(&'.') {
            let frac = run_len(&c[n + 1..], |ch| ch.is_ascii_digit());
            if frac > 0 {
                n += 1 + frac;
            }
        }
        let at = if c.get(n) == Some(&' ') { n + 1 } else { n };
        for unit in ["ms", "µs", "us", "ns", "s"] {
            let u: Vec<char> = unit.chars().collect();
            if c.get(at..at + u.len()) == Some(&u[..]) && ends_word(at + u.len()) {
                return Some((at + u.len(), "<dur>".into()));
            }
        }
    }
    None
}

#[test]
fn redact_replaces_what_changes_between_runs_and_nothing_else() {
    let text = "valid: 2026-12-03T09:04:25Z to 2027-01-02T09:09:25+01:00 (expires in 30 days)\n\
        SHA-256: 98:8A:08:59:51:A0:44:1B:58:CA:79:4E:10:8E:D4:08:4D:5F:85:10:E6:07:41:E8:97:B2:C0:8E:D3:5A:2B:D0\n\
        pin sha256//32Q+/2A6LlKUqytYTNLmwOBciBtXWNyX84eVtbKCdnY= and 32Q+/2A6LlKUqytYTNLmwOBciBtXWNyX84eVtbKCdnY=\n\
        listening on 127.0.0.1:43215, [::1]:51000 and 127.0.0.1:4433; IP:::1 DNS:a.test\n\
        bad: localhost:99999\n\
        handshake 12.5 ms, 3s, 40µs, 2 suites, on 2026-12-03 at 09:04:25\n\
        tlsa 0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 AB:CD\n";
    assert_eq!(
        redact(text),
        "valid: <time> to <time> (expires in 30 days)\n\
        SHA-256: <hex:32>\n\
        pin sha256//<pin> and <pin>\n\
        listening on 127.0.0.1:<port>, [::1]:<port> and 127.0.0.1:4433; IP:::1 DNS:a.test\n\
        bad: localhost:99999\n\
        handshake <dur>, <dur>, <dur>, 2 suites, on <date> at <clock>\n\
        tlsa <hex> AB:CD\n"
    );
}

// ---------------------------------------------------------------- shared fixtures and peers

/// A test PKI in `dir`: a CA (`ca.pem`, `ca-key.pem`; its common name
/// `ca_cn`, or gencert's default) and, for each `(out, args)`, a
/// certificate it issued (`OUT.pem`, `OUT-key.pem`) made by
/// `gencert ARGS --issuer ca.pem --out OUT`.
pub fn pki(dir: &Dir, ca_cn: Option<&str>, leaves: &[(&str, &[&str])]) {
    let mut ca = vec!["gencert", "--ca", "-q"];
    if let Some(cn) = ca_cn {
        ca.extend(["--cn", cn]);
    }
    dir.ok(&ca);
    for (out, args) in leaves {
        let mut all = vec!["gencert"];
        all.extend_from_slice(args);
        all.extend(["--issuer", "ca.pem", "--out", out, "-q"]);
        dir.ok(&all);
    }
}

impl Dir {
    /// Runs tlskit with `input` on stdin (then end of file), at most 30 s.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        run_bounded_with_input(self.tlskit(args), input, Duration::from_secs(30))
    }
}

/// Like [`run_bounded`], writing `input` to stdin (from a thread, so that a
/// large input cannot deadlock against unread output) and then closing it.
pub fn run_bounded_with_input(mut cmd: Command, input: &[u8], limit: Duration) -> Output {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let deadline = Instant::now() + limit;
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("command {cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    let _ = writer.join();
    out
}

/// `openssl x509 -fingerprint -DIGEST` of `file`, as `AB:CD:…`.
pub fn openssl_fingerprint(dir: &Dir, file: &str, digest: &str) -> String {
    let out = sh(
        dir.path(),
        &format!("openssl x509 -in {file} -noout -fingerprint -{digest}"),
    );
    let (_, value) = out
        .trim()
        .split_once('=')
        .expect("openssl fingerprint line");
    value.to_string()
}

/// The SPKI pin (`sha256//…`) OpenSSL computes for the public key that
/// `pubkey_cmd` prints in PEM (`openssl x509 -in c.pem -pubkey -noout`, …).
pub fn openssl_pin(dir: &Dir, pubkey_cmd: &str) -> String {
    let b64 = sh(
        dir.path(),
        &format!(
            "{pubkey_cmd} | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary \
             | base64"
        ),
    );
    format!("sha256//{}", b64.trim())
}

/// Makes, with `openssl ocsp`, a DER OCSP response about `cert` (issued by
/// `ca.pem`, signed with `ca-key.pem`), "good" or "revoked", into `out_file`.
pub fn ocsp_response(dir: &Dir, cert: &str, revoked: bool, out_file: &str) {
    let serial = sh(
        dir.path(),
        &format!("openssl x509 -in {cert} -noout -serial"),
    );
    let serial = serial.trim().trim_start_matches("serial=");
    assert!(!serial.is_empty(), "no serial for {cert}");
    let (flag, when) = if revoked {
        ("R", "240101000000Z,keyCompromise")
    } else {
        ("V", "")
    };
    std::fs::write(
        dir.join("index.txt"),
        format!("{flag}\t391231235959Z\t{when}\t{serial}\tunknown\t/CN=x\n"),
    )
    .expect("writing index.txt");
    sh(
        dir.path(),
        &format!(
            "openssl ocsp -index index.txt -rsigner ca.pem -rkey ca-key.pem -CA ca.pem \
             -issuer ca.pem -cert {cert} -respout {out_file} -ndays 7"
        ),
    );
}

/// A program from the Python virtualenv `.ci/run` makes for the audit peers
/// (`target/sslyze-venv`, or `$TLSKIT_AUDIT_VENV`): sslyze, tlslite-ng's
/// `tls.py`, its `python`. Missing: a recorded skip locally, a failure
/// under `CI=true`.
pub fn venv_bin(name: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("TLSKIT_AUDIT_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/sslyze-venv"));
    let path = venv.join("bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    if under_ci() {
        panic!(
            "{} is missing under CI=true: .ci/run must install it",
            path.display()
        );
    }
    skip(
        &format!("sslyze-venv/bin/{name}"),
        "not installed (python3 -m venv target/sslyze-venv && \
         target/sslyze-venv/bin/pip install sslyze tlslite-ng)",
    );
    None
}

/// What must never reach a terminal raw from text a peer or a file controls.
const FORBIDDEN: [(&[u8], &str); 5] = [
    (b"\x1b", "ESC"),
    (b"\x07", "BEL"),
    (b"\x00", "NUL"),
    (b"\xc2\x9b", "C1 CSI (U+009B)"),
    (b"\xe2\x80\xae", "RIGHT-TO-LEFT OVERRIDE (U+202E)"),
];

/// Fails when any forbidden character is in `bytes`.
pub fn assert_no_raw_controls(what: &str, bytes: &[u8]) {
    for (needle, name) in FORBIDDEN {
        if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
            let from = at.saturating_sub(60);
            let to = (at + 60).min(bytes.len());
            panic!(
                "{what}: a raw {name} at byte {at}: {:?}",
                String::from_utf8_lossy(&bytes[from..to])
            );
        }
    }
    // A lone 0x9b byte (8-bit CSI on a non-UTF-8 terminal) is just as bad.
    assert!(
        !bytes.contains(&0x9b) || std::str::from_utf8(bytes).is_ok(),
        "{what}: a raw 0x9b byte"
    );
}

// ---------------------------------------------------------------- an in-test TLS client

/// A blocking rustls client stream, for tests that talk to `serve` directly.
pub type Tls = rustls::StreamOwned<rustls::ClientConnection, std::net::TcpStream>;

/// A client config that trusts the key `pin` only, offering `alpn`.
pub fn client_config(
    pin: &str,
    alpn: &[&str],
    versions: tlskit::tls::config::Versions,
) -> std::sync::Arc<rustls::ClientConfig> {
    tlskit::tls::config::client_config(tlskit::tls::config::ClientOptions {
        pins: vec![tlskit::tls::pin::Pin::parse(pin).expect("pin")],
        alpn: alpn.iter().map(|a| a.as_bytes().to_vec()).collect(),
        versions,
        ..Default::default()
    })
    .expect("client config")
    .0
}

/// A client config that trusts the key `pin` only.
pub fn pinned(pin: &str) -> std::sync::Arc<rustls::ClientConfig> {
    client_config(pin, &[], tlskit::tls::config::Versions::Both)
}

/// Connects to 127.0.0.1:`port` as `localhost` and completes the handshake
/// (every wait bounded by a 20 s socket timeout).
pub fn try_connect(port: u16, cfg: std::sync::Arc<rustls::ClientConfig>) -> std::io::Result<Tls> {
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port))?;
    tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(20)))?;
    let name = rustls::pki_types::ServerName::try_from("localhost")
        .expect("name")
        .to_owned();
    let conn = rustls::ClientConnection::new(cfg, name).map_err(std::io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(tls)
}

/// [`try_connect`], failing the test when the handshake fails.
pub fn connect(port: u16, cfg: std::sync::Arc<rustls::ClientConfig>) -> Tls {
    try_connect(port, cfg).expect("TLS connection to serve")
}

/// Writes `msg` and reads the same bytes back.
pub fn echo_once(tls: &mut Tls, msg: &[u8]) {
    tls.write_all(msg).expect("write");
    tls.flush().expect("flush");
    let mut got = vec![0u8; msg.len()];
    tls.read_exact(&mut got).expect("read the echo");
    assert_eq!(got, msg, "echo differs");
}

/// Sends close_notify, closes, and reads the server's close_notify (or EOF),
/// so that the server has logged the connection before the test goes on.
pub fn close(mut tls: Tls) {
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = tls.sock.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 256];
    while matches!(tls.read(&mut sink), Ok(n) if n > 0) {}
}

/// A faithful SMTP STARTTLS front for a TLS server on `backend` (a running
/// `tlskit serve`): greets, answers EHLO with STARTTLS, says 220 to
/// STARTTLS, then relays the bytes both ways. Serves `connections` clients,
/// one at a time. Returns its port.
pub fn smtp_starttls_front(backend: u16, connections: usize) -> u16 {
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((client, _)) = listener.accept() else {
                return;
            };
            let _ = client.set_read_timeout(Some(Duration::from_secs(20)));
            let mut reader = BufReader::new(client.try_clone().expect("clone"));
            let mut w = client.try_clone().expect("clone");
            let mut line = String::new();
            let _ = w.write_all(b"220 mx.test ESMTP fake\r\n");
            let _ = reader.read_line(&mut line);
            let _ = w.write_all(b"250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
            line.clear();
            let _ = reader.read_line(&mut line);
            if !line.trim().eq_ignore_ascii_case("STARTTLS") {
                continue;
            }
            let _ = w.write_all(b"220 2.0.0 go ahead\r\n");
            let Ok(server) = TcpStream::connect(("127.0.0.1", backend)) else {
                continue;
            };
            let _ = server.set_read_timeout(Some(Duration::from_secs(20)));
            let (mut s_read, mut c_write) = (server.try_clone().expect("clone"), w);
            let up = std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_read, &mut c_write);
                let _ = c_write.shutdown(std::net::Shutdown::Write);
            });
            let mut s_write = server;
            let _ = std::io::copy(&mut reader, &mut s_write);
            let _ = s_write.shutdown(std::net::Shutdown::Write);
            let _ = up.join();
        }
    });
    port
}
