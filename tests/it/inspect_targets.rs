//! `tlskit inspect --targets FILE`: each line's settings (servername=,
//! names=, starttls=, connect-to=, timeout=) apply to that server's fetch,
//! against `openssl s_server` presenting a second certificate by SNI.

use crate::util;

use crate::util::{code, have, stderr, Background, Dir};
use serde_json::Value;

/// A CA, `main.test` (60 days) and `other.test` (10 days), and an `openssl
/// s_server` presenting `main.test`'s certificate, or `other.test`'s to a
/// client that asks for other.test by SNI. `None` when openssl is missing.
fn two_names(dir: &Dir) -> Option<(Background, u16)> {
    if !have("openssl") {
        return None;
    }
    util::pki(
        dir,
        Some("Fleet CA"),
        &[
            ("main", &["main.test", "--days", "60"]),
            ("other", &["other.test", "--days", "10"]),
        ],
    );
    Some(util::openssl_server(
        dir.path(),
        "main.pem",
        "main-key.pem",
        &[
            "-servername",
            "other.test",
            "-cert2",
            "other.pem",
            "-key2",
            "other-key.pem",
        ],
    ))
}

/// `tlskit --json inspect ARGS`, which must exit `want`.
fn json(dir: &Dir, args: &[&str], want: i32) -> Value {
    let mut all = vec!["--json", "inspect"];
    all.extend_from_slice(args);
    let out = dir.run(&all);
    assert_eq!(code(&out), want, "tlskit {all:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("inspect --json prints one JSON document")
}

/// Each input as (source, sni, subject of the first certificate, name verified, verified).
fn summary(v: &Value) -> Vec<(String, Option<String>, String, String, bool)> {
    v["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| {
            (
                i["source"].as_str().unwrap_or_default().to_string(),
                i["sni"].as_str().map(str::to_string),
                i["certificates"][0]["subject"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                i["server"]["server_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                i["server"]["verified"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

fn entry(
    source: &str,
    sni: Option<&str>,
    subject: &str,
    name: &str,
) -> (String, Option<String>, String, String, bool) {
    (
        source.to_string(),
        sni.map(str::to_string),
        subject.to_string(),
        name.to_string(),
        true,
    )
}

#[test]
fn servername_and_names_on_a_line_choose_the_certificates_inspected() {
    let dir = Dir::new();
    let Some((_server, port)) = two_names(&dir) else {
        return;
    };
    let target = format!("127.0.0.1:{port}");
    // Asked for nothing by name, the server presents main.test's certificate.
    let plain = json(&dir, &[&target, "--ca", "ca.pem"], 0);
    assert_eq!(
        plain["inputs"][0]["certificates"][0]["subject"],
        "CN=main.test"
    );

    std::fs::write(
        dir.join("fleet.txt"),
        format!(
            "# one server, two names\n\
             {target} servername=main.test names=other.test,main.test\n\
             {target} servername=other.test   # the second certificate as the main one\n\
             {target}\n"
        ),
    )
    .unwrap();
    // --servername is the default of the line that names none.
    let v = json(
        &dir,
        &[
            "--targets",
            "fleet.txt",
            "--ca",
            "ca.pem",
            "--servername",
            "other.test",
        ],
        0,
    );
    assert_eq!(
        summary(&v),
        [
            entry(&target, None, "CN=main.test", "main.test"),
            entry(&target, Some("other.test"), "CN=other.test", "other.test"),
            entry(&target, None, "CN=other.test", "other.test"),
            entry(&target, None, "CN=other.test", "other.test"),
        ],
        "names=main.test repeats the line's own name and is fetched once: {v:#}"
    );

    // The text report labels the certificate asked for by name.
    let out = dir.exits(&["inspect", "--targets", "fleet.txt", "--ca", "ca.pem"], 0);
    let titles: Vec<String> = util::stdout(&out)
        .lines()
        .filter(|l| l.starts_with("Server "))
        .map(util::redact)
        .collect();
    assert_eq!(
        titles,
        [
            "Server 127.0.0.1:<port>: 1 certificate",
            "Server 127.0.0.1:<port> (SNI other.test): 1 certificate",
            "Server 127.0.0.1:<port>: 1 certificate",
            "Server 127.0.0.1:<port>: 1 certificate",
        ]
    );
}

#[test]
fn expires_within_sees_the_certificate_asked_for_by_names() {
    let dir = Dir::new();
    let Some((_server, port)) = two_names(&dir) else {
        return;
    };
    let target = format!("127.0.0.1:{port}");
    std::fs::write(
        dir.join("main.txt"),
        format!("{target} servername=main.test\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("both.txt"),
        format!("{target} servername=main.test names=other.test\n"),
    )
    .unwrap();
    // main.test's certificate has 60 days left: nothing to report.
    dir.expect(
        &[
            "inspect",
            "-q",
            "--targets",
            "main.txt",
            "--ca",
            "ca.pem",
            "--expires-within",
            "30d",
        ],
        0,
        "",
        "",
    );
    // The one other.test presents has 10: exit 7, named with its SNI name.
    dir.expect(
        &[
            "inspect",
            "-q",
            "--targets",
            "both.txt",
            "--ca",
            "ca.pem",
            "--expires-within",
            "30d",
        ],
        7,
        "",
        "
tlskit: expiring: 127.0.0.1:<port> (SNI other.test) #0 CN=other.test: expires <time> (in 10 days)
",
    );
    let v = json(
        &dir,
        &["--targets", "both.txt", "--expires-within", "30d"],
        7,
    );
    let expiring = &v["expiry_check"]["expiring"];
    assert_eq!(expiring.as_array().map(Vec::len), Some(1), "{v:#}");
    assert_eq!(expiring[0]["source"], target.as_str());
    assert_eq!(expiring[0]["sni"], "other.test");
    assert_eq!(expiring[0]["subject"], "CN=other.test");
}

#[test]
fn starttls_connect_to_and_timeout_on_a_line_apply_to_its_server() {
    let dir = Dir::new();
    let Some((_server, port)) = two_names(&dir) else {
        return;
    };
    // other.test's mail server, reached on loopback through connect-to=, behind
    // SMTP STARTTLS (its port, 25, is the target's default): the name sent
    // is the target's, so s_server presents other.test's certificate.
    let front = util::smtp_starttls_front(port, 1);
    std::fs::write(
        dir.join("mail.txt"),
        format!("other.test starttls=smtp connect-to=127.0.0.1:{front} timeout=20\n"),
    )
    .unwrap();
    let v = json(&dir, &["--targets", "mail.txt", "--ca", "ca.pem"], 0);
    assert_eq!(
        summary(&v),
        [entry("other.test:25", None, "CN=other.test", "other.test")],
        "{v:#}"
    );
    assert_eq!(
        v["inputs"][0]["server"]["address"],
        format!("127.0.0.1:{front}")
    );

    // A server that never answers: the line's timeout=1 ends the wait, not --timeout 30.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    std::fs::write(
        dir.join("silent.txt"),
        format!("127.0.0.1:{silent_port} timeout=1\n"),
    )
    .unwrap();
    let out = dir.exits(
        &["inspect", "--targets", "silent.txt", "--timeout", "30"],
        3,
    );
    assert!(
        stderr(&out).contains("timed out after 1 s"),
        "{}",
        stderr(&out)
    );

    // A bad setting is named with its line.
    std::fs::write(dir.join("bad.txt"), "# fleet\nmx.test starttls=gopher\n").unwrap();
    dir.expect(
        &["inspect", "--targets", "bad.txt"],
        1,
        "",
        "tlskit: error: --targets 'bad.txt', line 2: starttls=gopher is not one of smtp, imap, pop3, ftp, xmpp, postgres, ldap, lmtp, nntp, sieve, irc, mysql\n",
    );
}
