//! Shared helpers for integration tests: a temp dir per test, running the
//! real binary with a scrubbed environment, and real peers that skip
//! locally (with a notice) but fail under `CI=true` when missing.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
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
        let out = self.run(args);
        assert_eq!(
            code(&out),
            0,
            "tlskit {args:?} failed:\nstdout: {}\nstderr: {}",
            stdout(&out),
            stderr(&out)
        );
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
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("peer '{program}' is missing under CI=true: .ci/run must install it");
        }
        eprintln!("SKIPPED: peer '{program}' is not installed");
    }
    found
}

/// A child process killed when dropped.
pub struct Background {
    pub child: Child,
    pub lines: mpsc::Receiver<String>,
}

impl Background {
    /// Starts `cmd` with piped stdout, forwarding its lines to a channel.
    pub fn spawn(mut cmd: Command) -> Background {
        cmd.stdin(Stdio::null())
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
    pub fn spawn_stdin_open(mut cmd: Command) -> Background {
        cmd.stdin(Stdio::piped())
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
    let first = bg.line(Duration::from_secs(20));
    let listening: serde_json::Value =
        serde_json::from_str(&first).unwrap_or_else(|e| panic!("first line {first:?}: {e}"));
    assert_eq!(listening["event"], "listening", "{first}");
    let addr = listening["addr"].as_str().expect("addr").to_string();
    let port = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
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
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line =
                self.bg.lines.recv_timeout(left).unwrap_or_else(|e| {
                    panic!("no '{kind}' event from serve within {limit:?}: {e}")
                });
            let v: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
            if v["event"] == kind {
                return v;
            }
        }
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
        let pid = self.bg.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
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
