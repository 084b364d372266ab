//! Terminal safety: a certificate chain whose names carry ANSI escape
//! sequences (`ESC [31m`, `ESC ]0;title BEL`), a C1 control (U+009B, the
//! one-byte CSI), a bidi override (U+202E) and NULs, in the subject CN, the
//! issuer, and DNS, e-mail and URI SANs. Shown by `inspect` (file and live),
//! `connect` (report and error paths, text and JSON), `scan`, and logged by `serve`
//! (banner, client-certificate subject over mTLS, an SNI with odd bytes),
//! none of them may reach stdout or stderr raw: text shows them escaped
//! (`\e`, `\u{202e}`, `\0`), JSON as `\uXXXX` escapes that decode to the
//! exact original.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use crate::util::*;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, SanType,
};
use rustls::pki_types::ServerName;
use rustls::ClientConnection;

const SECS: fn(u64) -> Duration = Duration::from_secs;

/// The leaf's common name: every kind of hostile character.
const EVIL_CN: &str = "evil\x1b[31mRED\x1b]0;pwned title\x07 \u{202e}gnp.exe\0nul \u{9b}2J end";
/// The CA's common name (the leaf's issuer).
const EVIL_CA: &str = "Hostile\x1b[5m CA\u{202e}\0\x07";
/// An organisation name on the CA, so the issuer has more than one attribute.
const EVIL_ORG: &str = "Org\x1b]8;;https://x.test\x07link\x1b]8;;\x07";
/// A DNS SAN with an escape sequence (SANs are IA5: ASCII only, so no bidi here).
const EVIL_DNS: &str = "x\x1b[2Jclear.test";
const EVIL_EMAIL: &str = "a\x1b]0;mail\x07@x.test";
const EVIL_URI: &str = "https://x.test/\x1b[1m\0path";

/// The leaf's CN as `output::sanitize` writes it.
const ESCAPED_CN: &str =
    "evil\\e[31mRED\\e]0;pwned title\\u{7} \\u{202e}gnp.exe\\0nul \\u{9b}2J end";

/// Both streams of a finished command are free of raw controls; returns them as text.
fn safe_output(what: &str, out: &Output) -> (String, String) {
    assert_no_raw_controls(&format!("{what} stdout"), &out.stdout);
    assert_no_raw_controls(&format!("{what} stderr"), &out.stderr);
    (stdout(out), stderr(out))
}

/// The escaped forms of the leaf's CN are in `text`.
fn assert_escaped_cn(what: &str, text: &str) {
    assert!(
        text.contains(ESCAPED_CN),
        "{what}: no {ESCAPED_CN:?} in:\n{text}"
    );
}

fn assert_escaped_issuer(what: &str, text: &str) {
    assert!(
        text.contains("Hostile\\e[5m CA\\u{202e}\\0\\u{7}"),
        "{what}: no escaped issuer in:\n{text}"
    );
}

fn assert_escaped_sans(what: &str, text: &str) {
    for escaped in [
        "DNS:x\\e[2Jclear.test",
        "email:a\\e]0;mail\\u{7}@x.test",
        "URI:https://x.test/\\e[1m\\0path",
    ] {
        assert!(text.contains(escaped), "{what}: no {escaped:?} in:\n{text}");
    }
}

fn dn(pairs: &[(DnType, &str)]) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    for (t, v) in pairs {
        d.push(t.clone(), *v);
    }
    d
}

/// Writes ca.pem, evil.pem (leaf), evil-key.pem and chain.pem (leaf + CA) in `dir`.
fn make_hostile_chain(dir: &Dir) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name = dn(&[
        (DnType::CommonName, EVIL_CA),
        (DnType::OrganizationName, EVIL_ORG),
    ]);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();

    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.distinguished_name = dn(&[(DnType::CommonName, EVIL_CN)]);
    leaf.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().unwrap()),
        SanType::DnsName(EVIL_DNS.try_into().unwrap()),
        SanType::Rfc822Name(EVIL_EMAIL.try_into().unwrap()),
        SanType::URI(EVIL_URI.try_into().unwrap()),
        SanType::IpAddress("127.0.0.1".parse().unwrap()),
    ];
    leaf.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca).unwrap();
    let ca_pem = ca.as_ref().pem();
    std::fs::write(dir.join("ca.pem"), &ca_pem).unwrap();
    std::fs::write(dir.join("evil.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("evil-key.pem"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("chain.pem"), format!("{}{ca_pem}", cert.pem())).unwrap();
}

#[test]
fn inspect_shows_a_hostile_certificate_file_escaped() {
    let dir = Dir::new();
    make_hostile_chain(&dir);
    let out = dir.run(&["inspect", "chain.pem"]);
    let (text, err) = safe_output("inspect chain.pem", &out);
    assert!(
        matches!(code(&out), 0 | 5),
        "inspect: {}\n{err}",
        code(&out)
    );
    assert_escaped_cn("inspect", &text);
    assert_escaped_issuer("inspect", &text);
    assert_escaped_sans("inspect", &text);
    // JSON: escaped for the terminal, yet exactly the original value.
    let out = dir.run(&["inspect", "chain.pem", "--json"]);
    let (json, _) = safe_output("inspect --json", &out);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let strings = json_strings(&v);
    assert!(
        strings.iter().any(|s| s.contains(EVIL_CN)),
        "the JSON lost the exact CN: {strings:?}"
    );
    assert!(strings.iter().any(|s| s.contains(EVIL_URI)), "{strings:?}");
    // The CA alone.
    let out = dir.run(&["inspect", "ca.pem"]);
    let (text, _) = safe_output("inspect ca.pem", &out);
    assert_escaped_issuer("inspect ca.pem", &text);
    // pin shows subjects in JSON.
    let out = dir.run(&["pin", "chain.pem", "--json"]);
    let (json, _) = safe_output("pin --json", &out);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json_strings(&v).iter().any(|s| s.contains(EVIL_CN)), "{v}");
}

/// Every string in a JSON document.
fn json_strings(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().flat_map(json_strings).collect(),
        serde_json::Value::Object(o) => o
            .iter()
            .flat_map(|(k, v)| {
                let mut s = json_strings(v);
                s.push(k.clone());
                s
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Collects everything a background process printed until `done` says so (at most `limit`).
fn lines_until(bg: &Background, limit: Duration, done: impl Fn(&str) -> bool) -> String {
    let mut all = String::new();
    let deadline = std::time::Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = bg
            .lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("not seen in time; so far:\n{all}"));
        all.push_str(&line);
        all.push('\n');
        if done(&line) {
            return all;
        }
    }
}

#[test]
fn serve_connect_and_live_inspect_escape_hostile_names() {
    let dir = Dir::new();
    make_hostile_chain(&dir);
    // A text-mode server: its banner and its log lines are what a person reads.
    let bg = Background::spawn(dir.tlskit(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        "chain.pem",
        "--key",
        "evil-key.pem",
        "--client-ca",
        "ca.pem",
        "--client-auth",
        "optional",
    ]));
    let first = bg.line(SECS(20));
    let port: u16 = first
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("{first}"))
        .parse()
        .unwrap();
    let banner = lines_until(&bg, SECS(20), |l| l.contains("connect:"));
    assert_no_raw_controls("serve banner", banner.as_bytes());
    assert_escaped_cn("serve banner", &banner);
    assert_escaped_sans("serve banner", &banner);
    let addr = format!("127.0.0.1:{port}");

    // connect, text report, with the hostile certificate as its client certificate too.
    let connect_args = |extra: &[&str]| {
        let mut a = vec![
            "connect",
            addr.as_str(),
            "--servername",
            "localhost",
            "--cert",
            "evil.pem",
            "--key",
            "evil-key.pem",
            "--no-io",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        dir.run(&refs)
    };
    let out = run(connect_args(&["--ca", "ca.pem"]));
    let (text, _) = safe_output("connect", &out);
    assert_exit(&out, 0);
    assert_escaped_cn("connect", &text);
    assert_escaped_issuer("connect", &text);
    assert_escaped_sans("connect", &text);
    // The server logged the client certificate's subject, escaped.
    let log = lines_until(&bg, SECS(20), |l| {
        l.contains(" closed ") || l.contains("client=")
    });
    assert_no_raw_controls("serve log (mTLS)", log.as_bytes());
    assert!(log.contains(&format!("client=CN={ESCAPED_CN}")), "{log}");

    // connect --json keeps the exact names, escaped for the terminal.
    let out = run(connect_args(&["--ca", "ca.pem", "--json"]));
    let (json, _) = safe_output("connect --json", &out);
    assert_exit(&out, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["chain"][0]["subject"], format!("CN={EVIL_CN}"), "{v}");
    lines_until(&bg, SECS(20), |l| l.contains("client="));

    // Error paths: an unknown issuer (the chain is shown), then a name mismatch
    // (the names are quoted in the error).
    let out = run(connect_args(&[]));
    let (_, err) = safe_output("connect (unknown issuer)", &out);
    assert_exit(&out, 5);
    assert!(err.contains("failed."), "{err}");
    assert_escaped_cn("connect error (chain)", &err);
    assert_escaped_issuer("connect error", &err);
    let out = run(vec![
        "connect".into(),
        addr.clone(),
        "--servername".into(),
        "other.test".into(),
        "--ca".into(),
        "ca.pem".into(),
        "--no-io".into(),
    ]);
    let (_, err) = safe_output("connect (wrong name)", &out);
    assert_exit(&out, 5);
    assert!(err.contains("x\\e[2Jclear.test"), "{err}");
    let out = run(connect_args(&["--json"]));
    let (json, _) = safe_output("connect --json (unknown issuer)", &out);
    assert_exit(&out, 5);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["error"]["message"].as_str().unwrap().contains("Hostile"),
        "{v}"
    );

    // inspect, live.
    let out = dir.run(&["inspect", &addr, "--servername", "localhost"]);
    let (text, err) = safe_output("inspect (live)", &out);
    assert!(matches!(code(&out), 0 | 5), "{err}");
    assert_escaped_cn("inspect (live)", &text);
    assert_escaped_issuer("inspect (live)", &text);
    assert_escaped_sans("inspect (live)", &text);
    let out = dir.run(&["inspect", &addr, "--servername", "localhost", "--json"]);
    safe_output("inspect --json (live)", &out);

    // scan shows the certificate too.
    let out = dir.run(&["scan", &addr, "--servername", "localhost", "--ca", "ca.pem"]);
    let (text, _) = safe_output("scan", &out);
    assert_exit(&out, 0);
    assert_escaped_cn("scan", &text);
    let out = dir.run(&["scan", &addr, "--servername", "localhost", "--json"]);
    let (json, _) = safe_output("scan --json", &out);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json_strings(&v).iter().any(|s| s.contains(EVIL_CN)), "{v}");

    // An SNI with control bytes (a rustls client cannot send one: patch a real
    // ClientHello). rustls refuses a host name that is not a DNS name, so the
    // bytes never get as far as the log; the refusal is logged, and harmlessly.
    let odd = send_hello_with_sni(port, b"\x1b[31mx\x07\x00z");
    let log = lines_until(&bg, SECS(20), |l| l.contains(&odd));
    assert_no_raw_controls("serve log (odd SNI)", log.as_bytes());
    let line = log.lines().last().unwrap();
    assert!(line.contains(" handshake failed "), "{line}");
    assert!(!line.contains("sni="), "{line}");
}

/// Sends a real rustls ClientHello for `localhost` whose SNI bytes are replaced
/// by `sni` (9 bytes, so every length stays right), reads the answer, closes.
/// Returns the client's address as serve logs it.
fn send_hello_with_sni(port: u16, sni: &[u8; 9]) -> String {
    let cfg = tlskit::tls::config::client_config(tlskit::tls::config::ClientOptions {
        accept_unverified: Some(tlskit::tls::danger::accept_unverified()),
        ..Default::default()
    })
    .unwrap()
    .0;
    let name = ServerName::try_from("localhost").unwrap().to_owned();
    let mut conn = ClientConnection::new(Arc::clone(&cfg), name).unwrap();
    let mut hello = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut hello).unwrap();
    }
    let at = hello
        .windows(9)
        .position(|w| w == b"localhost")
        .expect("SNI in the ClientHello");
    hello[at..at + 9].copy_from_slice(sni);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let me = s.local_addr().unwrap().to_string();
    s.set_read_timeout(Some(SECS(20))).unwrap();
    s.write_all(&hello).unwrap();
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
    me
}

#[test]
fn serve_json_log_and_ready_line_escape_hostile_names() {
    let dir = Dir::new();
    make_hostile_chain(&dir);
    let mut bg = Background::spawn(dir.tlskit(&[
        "serve",
        "--json",
        "--listen",
        "127.0.0.1:0",
        "--cert",
        "chain.pem",
        "--key",
        "evil-key.pem",
        "--client-ca",
        "ca.pem",
    ]));
    // Every raw line is checked before it is parsed.
    let next = |bg: &Background| {
        let line = bg.line(SECS(20));
        assert_no_raw_controls("serve --json line", line.as_bytes());
        serde_json::from_str::<serde_json::Value>(&line).unwrap_or_else(|e| panic!("{line}: {e}"))
    };
    let listening = next(&bg);
    let addr = listening["addr"].as_str().unwrap().to_string();
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    let ready = next(&bg);
    assert_eq!(
        ready["certificate"]["subject"],
        format!("CN={EVIL_CN}"),
        "the ready line keeps the exact subject"
    );
    let out = dir.run(&[
        "connect",
        &addr,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--cert",
        "evil.pem",
        "--key",
        "evil-key.pem",
        "--send",
        "hi",
    ]);
    safe_output("connect --send", &out);
    assert_exit(&out, 0);
    let rec = next(&bg);
    assert_eq!(rec["event"], "connection", "{rec}");
    // The log's client_subject is the sanitized text the text log shows.
    assert_eq!(rec["client_subject"], format!("CN={ESCAPED_CN}"), "{rec}");
    send_hello_with_sni(port, b"\x1b[31mx\x07\x00z");
    let rec = next(&bg);
    eprintln!("odd SNI, JSON log: {rec}");
    assert!(
        rec["sni"].is_null() || !rec["sni"].as_str().unwrap().contains('\x1b'),
        "{rec}"
    );
    let pid = bg.child.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let shutdown = next(&bg);
    assert_eq!(shutdown["event"], "shutdown", "{shutdown}");
    let summary = next(&bg);
    assert_eq!(summary["event"], "summary", "{summary}");
    assert!(bg.wait(SECS(20)).is_some_and(|s| s.success()));
}
