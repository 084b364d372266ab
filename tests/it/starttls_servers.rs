//! `--starttls mysql|lmtp|sieve|irc` against the real Debian servers, beside
//! the faithful fakes of `connect::starttls_each_protocol`: MariaDB
//! (`mariadb-server`), Dovecot's LMTP (`dovecot-lmtpd`) and ManageSieve
//! (`dovecot-managesieved`) services, and InspIRCd (`inspircd`). NNTP has no
//! test against a real server: INN (`inn2`) pulls in a mail transport agent
//! and a news spool to set up, so it stays with its fake.
//!
//! How they run here (each an unprivileged-port instance of its own, on
//! loopback, configured in the test's temp dir; nothing system-wide is
//! started or changed):
//! - MariaDB: `mysqld --no-defaults --datadir=EMPTY_DIR --skip-grant-tables`
//!   with `--port`, `--socket` and `--pid-file` in the temp dir and
//!   `--ssl-cert/--ssl-key` from `tlskit gencert`. An empty datadir and no
//!   grant tables skip `mariadb-install-db` (about 1.3 s): the server is up
//!   in about 0.3 s and the TLS upgrade is all these tests need. As root it
//!   needs `--user=root`. A SIGKILL is enough to stop it (one process).
//! - Dovecot: `dovecot -F -c DIR/dovecot.conf` with `base_dir`/`state_dir`
//!   in the temp dir, `protocols = lmtp sieve`, an `inet_listener` on a free
//!   loopback port for each, `ssl = yes` with the test's certificate, and no
//!   chroot for the login and anvil processes (the chroot would need
//!   root-owned directories). Up in well under a second. The master must get
//!   SIGTERM, not SIGKILL: it stops its children (log, config, lmtp,
//!   managesieve-login) only when asked; the guard below does that.
//! - InspIRCd 3: `inspircd --nofork --runasroot --nolog --config=DIR/inspircd.conf`
//!   with a `clients` bind on a free loopback port, the `ssl_gnutls` module
//!   (an `sslprofile` with the test's certificate), `starttls` (pointing at
//!   that profile) and `cap`; a 1 s DNS timeout against 127.0.0.1 keeps its
//!   host lookups local. Up in about 0.2 s. It crashes on SIGTERM in Debian's
//!   3.15 (a core dump), so it is stopped with SIGKILL: one process, nothing left.
//!
//! `.ci/run` installs the three packages; elsewhere a missing server is a
//! skip with a notice.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{self, code, stderr, stdout, Dir};

const LEAF: &[(&str, &[&str])] = &[("leaf", &["localhost", "127.0.0.1"])];

/// A server process stopped with SIGTERM (then SIGKILL after 5 s) when dropped, or with
/// SIGKILL at once when `kill_at_once`.
struct Server {
    child: Child,
    kill_at_once: bool,
}

impl Server {
    fn spawn(mut cmd: Command, log: &Path) -> Server {
        let log = std::fs::File::create(log).expect("server log");
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone().expect("server log"))
            .stderr(log);
        Server {
            child: cmd.spawn().expect("spawning the server"),
            kill_at_once: false,
        }
    }

    /// Waits until every port accepts TCP (at most 15 s), failing with the log when the
    /// server exits or never listens.
    fn ready(&mut self, ports: &[u16], log: &Path) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if ports
                .iter()
                .all(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_ok())
            {
                return;
            }
            let exited = self.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "the server did not listen on {ports:?} ({exited:?}): {}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.kill_at_once {
            let _ = self.child.kill();
            let _ = self.child.wait();
            return;
        }
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

/// Whether `path` exists, else a skip notice (a failure under CI).
fn have_file(path: &str, package: &str) -> bool {
    if Path::new(path).exists() {
        return true;
    }
    if util::under_ci() {
        panic!("{path} is missing under CI=true: .ci/run must install {package}");
    }
    util::skip(package, &format!("{path} is not installed"));
    false
}

/// A MariaDB server with the test's certificate; its port.
fn mariadb(dir: &Dir) -> Option<(Server, u16)> {
    if !have_file("/usr/sbin/mysqld", "mariadb-server") {
        return None;
    }
    let port = util::free_port();
    let data = dir.join("mysql-data");
    std::fs::create_dir(&data).expect("datadir");
    let path = |name: &str| dir.join(name).display().to_string();
    let mut cmd = Command::new("/usr/sbin/mysqld");
    cmd.arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--socket={}", path("mysql.sock")))
        .arg(format!("--pid-file={}", path("mysql.pid")))
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg(format!("--ssl-cert={}", path("leaf.pem")))
        .arg(format!("--ssl-key={}", path("leaf-key.pem")))
        .arg("--skip-grant-tables")
        .arg("--skip-log-bin")
        .arg("--innodb-buffer-pool-size=8M")
        .arg(format!("--log-error={}", path("mysql-error.log")));
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.arg("--user=root");
    }
    let log = dir.join("mysqld.out");
    let mut server = Server::spawn(cmd, &log);
    server.ready(&[port], &dir.join("mysql-error.log"));
    Some((server, port))
}

/// A Dovecot with LMTP and ManageSieve listeners, TLS on; (server, lmtp port, sieve port).
fn dovecot(dir: &Dir) -> Option<(Server, u16, u16)> {
    if !have_file("/usr/sbin/dovecot", "dovecot-core")
        || !have_file("/usr/lib/dovecot/lmtp", "dovecot-lmtpd")
        || !have_file("/usr/lib/dovecot/managesieve-login", "dovecot-managesieved")
    {
        return None;
    }
    let (lmtp, sieve) = (util::free_port(), util::free_port());
    let base = dir.join("dovecot");
    std::fs::create_dir(&base).expect("base_dir");
    let d = dir.path().display();
    let conf = format!(
        "base_dir = {d}/dovecot
state_dir = {d}/dovecot
instance_name = tlskit-test-{lmtp}
log_path = {d}/dovecot.log
protocols = lmtp sieve
listen = 127.0.0.1
ssl = yes
ssl_cert = <{d}/leaf.pem
ssl_key = <{d}/leaf-key.pem
passdb {{
  driver = static
  args = password=unused
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/home/%u
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0
  }}
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
service managesieve-login {{
  chroot =
  inet_listener sieve {{
    address = 127.0.0.1
    port = {sieve}
  }}
}}
service anvil {{
  chroot =
}}
"
    );
    let conf_path = dir.join("dovecot.conf");
    std::fs::write(&conf_path, conf).expect("dovecot.conf");
    let mut cmd = Command::new("/usr/sbin/dovecot");
    cmd.arg("-F").arg("-c").arg(&conf_path);
    let log = dir.join("dovecot.out");
    let mut server = Server::spawn(cmd, &log);
    server.ready(&[lmtp, sieve], &log);
    Some((server, lmtp, sieve))
}

/// InspIRCd with STARTTLS on a client port; its port.
fn inspircd(dir: &Dir) -> Option<(Server, u16)> {
    if !have_file("/usr/sbin/inspircd", "inspircd") {
        return None;
    }
    let port = util::free_port();
    let d = dir.path().display();
    std::fs::write(dir.join("motd"), "tlskit test\n").expect("motd");
    let conf = format!(
        r#"<server name="irc.test" description="tlskit test" network="Test">
<admin name="test" nick="test" email="test@irc.test">
<bind address="127.0.0.1" port="{port}" type="clients">
<connect allow="*" timeout="60" localmax="100" globalmax="100">
<module name="ssl_gnutls">
<module name="starttls">
<module name="cap">
<sslprofile name="Clients" provider="gnutls" certfile="{d}/leaf.pem" keyfile="{d}/leaf-key.pem" hash="sha256" requestclientcert="no">
<starttls provider="Clients">
<pid file="{d}/inspircd.pid">
<dns server="127.0.0.1" timeout="1">
<files motd="{d}/motd">
<options>
<security>
<performance>
"#
    );
    let conf_path = dir.join("inspircd.conf");
    std::fs::write(&conf_path, conf).expect("inspircd.conf");
    let mut cmd = Command::new("/usr/sbin/inspircd");
    cmd.current_dir(dir.path())
        .args(["--nofork", "--runasroot", "--nolog"])
        .arg(format!("--config={}", conf_path.display()));
    let log = dir.join("inspircd.out");
    let mut server = Server::spawn(cmd, &log);
    server.kill_at_once = true;
    server.ready(&[port], &log);
    Some((server, port))
}

/// `connect --starttls PROTO --json` to 127.0.0.1:PORT as localhost, verified with the test CA.
fn connect_json(dir: &Dir, proto: &str, port: u16) -> Value {
    let target = format!("127.0.0.1:{port}");
    let out = dir.run(&[
        "connect",
        &target,
        "--servername",
        "localhost",
        "--starttls",
        proto,
        "--ca",
        "ca.pem",
        "--no-io",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{proto}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{proto}: {e}: {}", stdout(&out)))
}

/// What every upgrade must show: the protocol, the server's own greeting, a verified TLS 1.3
/// handshake and the certificate the server was given.
fn assert_upgraded(r: &Value, proto: &str, greeting: &str) {
    assert_eq!(r["starttls"]["protocol"], proto, "{r}");
    let said = r["starttls"]["greeting"].as_str().unwrap_or_default();
    assert!(said.contains(greeting), "{proto}: greeting {said:?}");
    assert_eq!(r["handshake"]["protocol"], "TLSv1.3", "{proto}: {r}");
    assert_eq!(r["verification"]["verified"], true, "{proto}: {r}");
    assert_eq!(r["chain"][0]["subject"], "CN=localhost", "{proto}: {r}");
    assert_eq!(
        r["chain"][0]["sans"],
        serde_json::json!(["DNS:localhost", "IP:127.0.0.1"]),
        "{proto}: {r}"
    );
}

#[test]
fn connect_starttls_mysql_to_mariadb() {
    let dir = Dir::new();
    util::pki(&dir, Some("MariaDB Test CA"), LEAF);
    let Some((_server, port)) = mariadb(&dir) else {
        return;
    };
    let r = connect_json(&dir, "mysql", port);
    assert_upgraded(&r, "mysql", "MariaDB");
    // The text form names the server and shows the certificate.
    let target = format!("127.0.0.1:{port}");
    let out = dir.exits(
        &[
            "connect",
            &target,
            "--servername",
            "localhost",
            "--starttls",
            "mysql",
            "--ca",
            "ca.pem",
            "--no-io",
        ],
        0,
    );
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("  STARTTLS:      mysql (server ") && l.contains("MariaDB")),
        "{text}"
    );
    assert!(
        text.contains("  verification:  OK (trusted via the --ca file)"),
        "{text}"
    );
    assert!(text.contains("  subject:       CN=localhost"), "{text}");
}

#[test]
fn scan_starttls_mysql_reports_mariadb() {
    let dir = Dir::new();
    util::pki(&dir, Some("MariaDB Test CA"), LEAF);
    let Some((_server, port)) = mariadb(&dir) else {
        return;
    };
    let target = format!("127.0.0.1:{port}");
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &target,
            "--servername",
            "localhost",
            "--starttls",
            "mysql",
            "--ca",
            "ca.pem",
            "--json",
        ]),
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).expect("scan JSON");
    // Debian's MariaDB is built on OpenSSL 3: TLS 1.2 and 1.3, nothing older.
    let accepted: Vec<&str> = r["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .filter(|p| p["accepted"] == true)
        .filter_map(|p| p["version"].as_str())
        .collect();
    assert_eq!(accepted, ["TLSv1.3", "TLSv1.2"], "{}", r["protocols"]);
    assert!(r["grade"].is_string(), "{r}");
    let leaf = &r["certificate"]["chain"][0];
    assert_eq!(leaf["subject"], "CN=localhost", "{}", r["certificate"]);
    assert_eq!(r["certificate"]["verified"], true, "{}", r["certificate"]);
}

#[test]
fn connect_starttls_lmtp_and_sieve_to_dovecot() {
    let dir = Dir::new();
    util::pki(&dir, Some("Dovecot Test CA"), LEAF);
    let Some((_server, lmtp, sieve)) = dovecot(&dir) else {
        return;
    };
    let r = connect_json(&dir, "lmtp", lmtp);
    assert_upgraded(&r, "lmtp", "Dovecot");
    assert!(
        r["starttls"]["greeting"]
            .as_str()
            .is_some_and(|g| g.starts_with("220 ")),
        "{r}"
    );
    let r = connect_json(&dir, "sieve", sieve);
    assert_upgraded(&r, "sieve", "\"IMPLEMENTATION\" \"Dovecot");
    // A scan through ManageSieve's upgrade gets a whole report too.
    let target = format!("127.0.0.1:{sieve}");
    let out = util::run_bounded(
        dir.tlskit(&[
            "scan",
            &target,
            "--servername",
            "localhost",
            "--starttls",
            "sieve",
            "--ca",
            "ca.pem",
            "--json",
        ]),
        Duration::from_secs(120),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).expect("scan JSON");
    assert!(r["grade"].is_string(), "{r}");
    assert_eq!(r["certificate"]["verified"], true, "{}", r["certificate"]);
}

#[test]
fn connect_starttls_irc_to_inspircd() {
    let dir = Dir::new();
    util::pki(&dir, Some("IRC Test CA"), LEAF);
    let Some((_server, port)) = inspircd(&dir) else {
        return;
    };
    let r = connect_json(&dir, "irc", port);
    // The server's 670 numeric (RPL_STARTTLS) is the greeting shown.
    assert_upgraded(&r, "irc", ":irc.test 670 ");
}
