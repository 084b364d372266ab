//! Revocation, missing intermediates and must-staple against real peers, all
//! on 127.0.0.1: a CA made with `openssl ca` (index, serials, `-revoke`,
//! `-gencrl`), an OCSP responder answering through `openssl ocsp`, CRLs and
//! the intermediate served by `python3 -m http.server`, and `openssl s_server`
//! and `tlskit serve` as the TLS servers.

use crate::util;

use std::process::Command;
use std::time::Duration;

use crate::util::{code, have, openssl_server, stderr, stdout, Background, Dir};

/// The test PKI and the servers its certificates name.
struct Pki {
    dir: Dir,
    /// `python3 -m http.server` over www/ (CRLs, the intermediate).
    _www: Background,
    /// The OCSP responder (and the misbehaving distribution points).
    _ocsp: Background,
    /// A responder that answers every request with the good leaf's response.
    _fixed: Background,
}

fn python_port(bg: &Background) -> u16 {
    // http.server prints "Serving HTTP on 127.0.0.1 port N (…"; responder.py prints N.
    let line = bg.line(Duration::from_secs(20));
    let word = line
        .split_whitespace()
        .find_map(|w| w.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    util::wait_for_port(word, Duration::from_secs(10));
    word
}

fn pki() -> Option<Pki> {
    if !have("openssl") || !have("python3") {
        return None;
    }
    let dir = Dir::new();
    for (name, text) in [
        ("ca.cnf", include_str!("revocation_fixtures/ca.cnf")),
        (
            "responder.py",
            include_str!("revocation_fixtures/responder.py"),
        ),
        ("pki.sh", include_str!("revocation_fixtures/pki.sh")),
    ] {
        std::fs::write(dir.join(name), text).expect("writing fixture");
    }
    std::fs::create_dir_all(dir.join("www")).expect("www");
    let mut www = Command::new("python3");
    www.current_dir(dir.path()).args([
        "-u",
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        "--directory",
        "www",
        "0",
    ]);
    let www = Background::spawn(www);
    let www_port = python_port(&www);
    let mut ocsp = Command::new("python3");
    ocsp.current_dir(dir.path())
        .args(["-u", "responder.py", "ocsp"]);
    let ocsp = Background::spawn(ocsp);
    let ocsp_port = python_port(&ocsp);
    let mut fixed = Command::new("python3");
    fixed
        .current_dir(dir.path())
        .args(["-u", "responder.py", "fixed", "good-ocsp.der"]);
    let fixed = Background::spawn(fixed);
    let fixed_port = python_port(&fixed);
    let dead = util::free_port();
    let mut sh = Command::new("sh");
    sh.arg("pki.sh")
        .current_dir(dir.path())
        .env("WWW", www_port.to_string())
        .env("OCSP", ocsp_port.to_string())
        .env("FIXED", fixed_port.to_string())
        .env("DEAD", dead.to_string());
    let out = util::run_bounded(sh, Duration::from_secs(120));
    assert!(out.status.success(), "pki.sh: {}", stderr(&out));
    Some(Pki {
        dir,
        _www: www,
        _ocsp: ocsp,
        _fixed: fixed,
    })
}

impl Pki {
    /// `openssl s_server` with LEAF's chain (leaf + intermediate).
    fn server(&self, leaf: &str, extra: &[&str]) -> (Background, u16) {
        let mut args = vec!["-cert_chain", "int/cert.pem"];
        args.extend_from_slice(extra);
        openssl_server(
            self.dir.path(),
            &format!("{leaf}.pem"),
            &format!("{leaf}-key.pem"),
            &args,
        )
    }

    fn connect(&self, port: u16, extra: &[&str]) -> std::process::Output {
        let target = format!("127.0.0.1:{port}");
        let mut args = vec![
            "connect",
            &target,
            "--servername",
            "localhost",
            "--ca",
            "root/cert.pem",
            "--no-io",
            "--timeout",
            "5",
        ];
        args.extend_from_slice(extra);
        self.dir.run(&args)
    }

    fn connect_json(&self, port: u16, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let mut args = vec!["--json"];
        args.extend_from_slice(extra);
        // --json is global: it goes before the subcommand.
        let target = format!("127.0.0.1:{port}");
        let mut all = vec![
            "--json",
            "connect",
            &target,
            "--servername",
            "localhost",
            "--ca",
            "root/cert.pem",
            "--no-io",
            "--timeout",
            "5",
        ];
        all.extend_from_slice(extra);
        let out = self.dir.run(&all);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("JSON: {e}\n{}\n{}", stdout(&out), stderr(&out)));
        (code(&out), doc, stderr(&out))
    }
}

fn statuses(doc: &serde_json::Value) -> Vec<(String, String)> {
    doc["revocation"]["certificates"]
        .as_array()
        .unwrap_or_else(|| panic!("no revocation report: {doc}"))
        .iter()
        .map(|c| {
            (
                c["status"].as_str().unwrap_or("?").to_string(),
                c["source"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[test]
fn good_leaf_by_ocsp_and_intermediate_by_crl() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("good", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation=require"]);
    assert_eq!(rc, 0, "{err}\n{doc}");
    assert_eq!(
        statuses(&doc),
        vec![pair("good", "ocsp"), pair("good", "crl")],
        "{doc}"
    );
    let leaf = &doc["revocation"]["certificates"][0];
    assert!(leaf["next_update"].is_string(), "{leaf}");
    // The text report names each certificate's answer.
    let out = pki.connect(port, &["--check-revocation"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Revocation (leaf first):"), "{text}");
    assert!(
        text.contains("CN=good: good (per OCSP responder http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("CN=Test Intermediate: good (per CRL http://127.0.0.1:"),
        "{text}"
    );
}

#[test]
fn revoked_leaf_fails_with_date_and_reason() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("revoked", &[]);
    let out = pki.connect(port, &["--check-revocation"]);
    assert_eq!(code(&out), 5, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "tlskit: error: the server's certificate (CN=revoked, serial 10:01) was revoked on 20"
        ),
        "{err}"
    );
    assert!(err.contains("reason: key_compromise"), "{err}");
    assert!(err.contains("OCSP responder at http://127.0.0.1:"), "{err}");
    // Without the flag, the same server passes: nothing asked about revocation.
    let plain = pki.connect(port, &[]);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
}

#[test]
fn responder_down_is_unknown_a_warning_and_require_fails() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("down", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["status"], "unknown", "{leaf}");
    assert_eq!(leaf["unknown_reason"], "unreachable", "{leaf}");
    assert!(
        err.contains("warning: the revocation status of the server's certificate (CN=down"),
        "{err}"
    );
    assert!(err.contains("cannot reach http://127.0.0.1:"), "{err}");
    let out = pki.connect(port, &["--check-revocation=require"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is unknown: OCSP responder http://127.0.0.1:"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("(--check-revocation=require)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn response_about_another_certificate_is_not_believed() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("other", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["status"], "unknown", "{leaf}");
    assert_eq!(leaf["unknown_reason"], "other_certificate", "{leaf}");
    assert!(
        err.contains("the response is about another certificate"),
        "{err}"
    );
}

#[test]
fn expired_crl_is_unknown() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("stale", &[]);
    let out = pki.connect(port, &["--check-revocation=require"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the CRL expired at 2020-01-08T00:00:00Z"),
        "{err}"
    );
}

#[test]
fn crl_from_another_issuer_is_unknown() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("foreign", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["unknown_reason"], "crl_wrong_issuer", "{leaf}");
    assert!(err.contains("the CRL is issued by CN=Test Root, not by the certificate's issuer CN=Test Intermediate"), "{err}");
}

#[test]
fn huge_crl_is_cut_off() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("huge", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["unknown_reason"], "too_large", "{leaf}");
    assert!(err.contains("sent more than 10485760 bytes"), "{err}");
}

#[test]
fn stapled_revoked_response_fails() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("revoked", &["-status_file", "revoked-ocsp.der"]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation", "--offline"]);
    assert_eq!(rc, 5, "{err}\n{doc}");
    assert_eq!(statuses(&doc)[0], pair("revoked", "staple"), "{doc}");
    assert_eq!(
        doc["revocation"]["certificates"][0]["reason"],
        "key_compromise"
    );
    assert!(
        err.contains("according to the stapled OCSP response"),
        "{err}"
    );
    assert_eq!(doc["error"]["exit_code"], 5, "{doc}");
    assert_eq!(doc["verification"]["verified"], false, "{doc}");
}

#[test]
fn offline_fetches_nothing() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("revoked", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation", "--offline"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["status"], "unknown", "{leaf}");
    assert_eq!(leaf["unknown_reason"], "offline", "{leaf}");
    assert_eq!(doc["revocation"]["offline"], true);
}

#[test]
fn good_leaf_served_by_tlskit_serve() {
    let Some(pki) = pki() else { return };
    let served = util::spawn_serve(
        &pki.dir,
        &["--cert", "good-chain.pem", "--key", "good-key.pem"],
    );
    let (rc, doc, err) = pki.connect_json(served.port, &["--check-revocation=require"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(
        statuses(&doc),
        vec![pair("good", "ocsp"), pair("good", "crl")],
        "{doc}"
    );
}

#[test]
fn must_staple_without_a_staple_fails_and_with_one_passes() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("staple", &[]);
    let out = pki.connect(port, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("marked must-staple (TLS Feature status_request) but the server stapled no OCSP response"),
        "{}",
        stderr(&out)
    );
    drop(_s);
    let (_s2, port2) = pki.server("staple", &["-status_file", "staple-ocsp.der"]);
    let (rc, doc, err) = pki.connect_json(port2, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(statuses(&doc)[0], pair("good", "staple"), "{doc}");
}

fn leaf_only(pki: &Pki, leaf: &str) -> (Background, u16) {
    openssl_server(
        pki.dir.path(),
        &format!("{leaf}.pem"),
        &format!("{leaf}-key.pem"),
        &[],
    )
}

#[test]
fn missing_intermediate_is_named_and_fetched() {
    let Some(pki) = pki() else { return };
    let (_s, port) = leaf_only(&pki, "lonely");
    let out = pki.connect(port, &[]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the server sent no intermediate; the certificate names its issuer at http://127.0.0.1:"), "{err}");
    assert!(err.contains("--fetch-intermediates"), "{err}");

    let out = pki.connect(port, &["--fetch-intermediates", "--save-chain", "full.pem"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the server's chain is incomplete: the server sent no intermediate; with the issuer it names fetched, CN=Test Intermediate (SHA-256 "), "{err}");
    let (rc, doc, _) = pki.connect_json(port, &["--fetch-intermediates"]);
    assert_eq!(rc, 5);
    let fetched = &doc["fetched_intermediates"];
    assert_eq!(fetched["verifies"], true, "{doc}");
    assert_eq!(
        fetched["fetched"][0]["subject"], "CN=Test Intermediate",
        "{doc}"
    );
    assert!(
        fetched["fetched"][0]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/int.der")),
        "{doc}"
    );
    let saved = pki.dir.read("full.pem");
    assert_eq!(saved.matches("BEGIN CERTIFICATE").count(), 2, "{saved}");
    // The saved chain is what the server should send: openssl verifies it.
    let verify = Command::new("openssl")
        .current_dir(pki.dir.path())
        .args([
            "verify",
            "-CAfile",
            "root/cert.pem",
            "-untrusted",
            "full.pem",
            "lonely.pem",
        ])
        .output()
        .expect("openssl verify");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // And the server, fixed, verifies.
    let (_fixed, fixed_port) = openssl_server(
        pki.dir.path(),
        "lonely.pem",
        "lonely-key.pem",
        &["-cert_chain", "int/cert.pem"],
    );
    let out = pki.connect(fixed_port, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_fetched_intermediate_is_never_an_anchor() {
    let Some(pki) = pki() else { return };
    let (_s, port) = leaf_only(&pki, "lonely");
    // Trusting only the intermediate's own issuer's sibling: a root nobody chains to.
    util::sh(
        pki.dir.path(),
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-key.pem -out other-root.pem -days 2 -subj /CN=Other -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null",
    );
    let target = format!("127.0.0.1:{port}");
    let out = pki.dir.run(&[
        "connect",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "other-root.pem",
        "--no-io",
        "--fetch-intermediates",
    ]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did not complete the chain"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_intermediate_urls_fail_cleanly() {
    let Some(pki) = pki() else { return };
    for (leaf, expect) in [
        ("html", "it served HTML, not a certificate"),
        ("loop", "redirected more than 3 times"),
        ("trickle", "took longer than 2.0 s"),
        ("file", "uses file://, and only http:// URLs are fetched"),
    ] {
        let (_s, port) = leaf_only(&pki, leaf);
        let target = format!("127.0.0.1:{port}");
        let out = pki.dir.run(&[
            "connect",
            &target,
            "--servername",
            "localhost",
            "--ca",
            "root/cert.pem",
            "--no-io",
            "--fetch-intermediates",
            "--timeout",
            "2",
        ]);
        assert_eq!(code(&out), 5, "{leaf}: {}", stderr(&out));
        assert!(stderr(&out).contains(expect), "{leaf}: {}", stderr(&out));
    }
}

#[test]
fn gencert_must_staple_and_urls_with_serve_stapling() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--cn", "Staple CA"]);
    dir.ok(&[
        "gencert",
        "localhost",
        "--issuer",
        "ca.pem",
        "--must-staple",
        "--ocsp-url",
        "http://127.0.0.1:9/ocsp",
        "--crl-url",
        "http://127.0.0.1:9/ca.crl",
        "--ca-issuers-url",
        "http://127.0.0.1:9/ca.der",
    ]);
    // openssl reads the extensions back.
    let text = util::sh(dir.path(), "openssl x509 -in localhost.pem -noout -text");
    for want in [
        "TLS Feature",
        "status_request",
        "OCSP - URI:http://127.0.0.1:9/ocsp",
        "CA Issuers - URI:http://127.0.0.1:9/ca.der",
        "URI:http://127.0.0.1:9/ca.crl",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    // A CA-signed response from openssl ocsp, with an index written by hand.
    util::sh(
        dir.path(),
        "serial=$(openssl x509 -in localhost.pem -noout -serial | cut -d= -f2); \
         printf 'V\\t301231235959Z\\t\\t%s\\tunknown\\t/CN=localhost\\n' \"$serial\" > index.txt; \
         openssl ocsp -issuer ca.pem -cert localhost.pem -no_nonce -reqout req.der; \
         openssl ocsp -index index.txt -CA ca.pem -rsigner ca.pem -rkey ca-key.pem -reqin req.der -respout resp.der -ndays 1 2>/dev/null",
    );
    // Without a staple: must-staple fails the connection.
    let bare = util::spawn_serve(
        &dir,
        &["--cert", "localhost.pem", "--key", "localhost-key.pem"],
    );
    let out = dir.run(&[
        "connect",
        &bare.addr,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--no-io",
    ]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("must-staple"), "{}", stderr(&out));
    // With the response stapled by tlskit serve: verified, and good from the staple.
    let stapling = util::spawn_serve(
        &dir,
        &[
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
            "--ocsp-response",
            "resp.der",
        ],
    );
    let out = dir.run(&[
        "--json",
        "connect",
        &stapling.addr,
        "--servername",
        "localhost",
        "--ca",
        "ca.pem",
        "--no-io",
        "--check-revocation=require",
        "--offline",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(statuses(&doc), vec![pair("good", "staple")], "{doc}");
    assert_eq!(
        doc["revocation"]["certificates"][0]["serial"]
            .as_str()
            .map(|s| s.contains(':')),
        Some(true)
    );
}

#[test]
fn responder_signatures_issuer_delegated_and_forged() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("other", &[]);
    // The "fixed" responder answers with whatever good-ocsp.der holds at the time.
    std::fs::copy(
        pki.dir.join("other-by-root.der"),
        pki.dir.join("good-ocsp.der"),
    )
    .expect("copy");
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["unknown_reason"], "bad_signature", "{leaf}");
    assert!(
        err.contains(
            "not signed by the certificate's issuer nor by a responder the issuer authorised"
        ),
        "{err}"
    );

    std::fs::copy(
        pki.dir.join("other-delegated.der"),
        pki.dir.join("good-ocsp.der"),
    )
    .expect("copy");
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation=require"]);
    assert_eq!(rc, 0, "{err}\n{doc}");
    assert_eq!(statuses(&doc)[0], pair("good", "ocsp"), "{doc}");
    let signer = &doc["revocation"]["certificates"][0]["signer"];
    assert_eq!(signer, "CN=Test OCSP Responder", "{doc}");

    std::fs::copy(
        pki.dir.join("other-ocsp.der"),
        pki.dir.join("good-ocsp.der"),
    )
    .expect("copy");
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation=require"]);
    assert_eq!(rc, 0, "{err}\n{doc}");
    assert_eq!(statuses(&doc)[0], pair("good", "ocsp"), "{doc}");
    assert_eq!(
        doc["revocation"]["certificates"][0]["signer"], "issuer",
        "{doc}"
    );
}

#[test]
fn serve_ocsp_auto_staples_what_the_responder_says() {
    let Some(pki) = pki() else { return };
    let mut served = util::spawn_serve(
        &pki.dir,
        &[
            "--cert",
            "good-chain.pem",
            "--key",
            "good-key.pem",
            "--ocsp",
            "auto",
        ],
    );
    // openssl s_client -status shows the staple.
    let mut s_client = Command::new("openssl");
    s_client.current_dir(pki.dir.path()).args([
        "s_client",
        "-connect",
        &served.addr,
        "-servername",
        "localhost",
        "-CAfile",
        "root/cert.pem",
        "-status",
    ]);
    let out = util::run_bounded(s_client, Duration::from_secs(20));
    let text = stdout(&out);
    assert!(text.contains("OCSP Response Status: successful"), "{text}");
    assert!(text.contains("Cert Status: good"), "{text}");
    // And connect believes it, without fetching anything itself (the
    // intermediate's status then stays unknown: a warning).
    let (rc, doc, err) = pki.connect_json(served.port, &["--check-revocation", "--offline"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(statuses(&doc)[0], pair("good", "staple"), "{doc}");
    served.terminate(Duration::from_secs(10));
    let err = served.stderr();
    assert!(
        err.contains("ocsp: stapling a good response from http://127.0.0.1:"),
        "{err}"
    );
}

#[test]
fn serve_ocsp_auto_never_staples_a_revoked_response() {
    let Some(pki) = pki() else { return };
    util::sh(
        pki.dir.path(),
        "cat revoked.pem int/cert.pem > revoked-chain.pem",
    );
    let mut served = util::spawn_serve(
        &pki.dir,
        &[
            "--cert",
            "revoked-chain.pem",
            "--key",
            "revoked-key.pem",
            "--ocsp",
            "auto",
        ],
    );
    let (rc, doc, err) = pki.connect_json(served.port, &[]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(doc["ocsp"]["stapled"], false, "{doc}");
    served.terminate(Duration::from_secs(10));
    let err = served.stderr();
    assert!(err.contains("such a response is never stapled"), "{err}");
    assert!(err.contains("stapling nothing"), "{err}");
}

#[test]
fn inspect_server_checks_revocation() {
    let Some(pki) = pki() else { return };
    let (_good, good_port) = pki.server("good", &[]);
    let target = format!("127.0.0.1:{good_port}");
    let out = pki.dir.run(&[
        "--json",
        "inspect",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--check-revocation=require",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(
        statuses(&doc["inputs"][0]),
        vec![pair("good", "ocsp"), pair("good", "crl")]
    );

    let (_revoked, revoked_port) = pki.server("revoked", &[]);
    let target = format!("127.0.0.1:{revoked_port}");
    let out = pki.dir.run(&[
        "inspect",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--check-revocation",
    ]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("CN=revoked: REVOKED (revoked on "),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("reason: key_compromise"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn revoked_intermediate_fails() {
    let Some(pki) = pki() else { return };
    let (_s, port) = openssl_server(
        pki.dir.path(),
        "orphan.pem",
        "orphan-key.pem",
        &["-cert_chain", "int2/cert.pem"],
    );
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 5, "{err}\n{doc}");
    assert_eq!(
        statuses(&doc),
        vec![pair("good", "crl"), pair("revoked", "crl")],
        "{doc}"
    );
    assert!(
        err.contains(
            "chain certificate #1 (CN=Revoked Intermediate, serial 10:01) was revoked on 20"
        ),
        "{err}"
    );
    assert!(err.contains("reason: key_compromise"), "{err}");
}

#[test]
fn trickling_responder_is_cut_by_the_timeout() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("slow", &[]);
    let target = format!("127.0.0.1:{port}");
    let out = pki.dir.run(&[
        "connect",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--no-io",
        "--check-revocation=require",
        "--timeout",
        "2",
    ]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    // The trickle lasts two minutes: only the timeout ends this within
    // run's 60-second bound.
    assert!(
        stderr(&out).contains("took longer than 2.0 s"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn intermediates_as_pkcs7_and_pem_are_read() {
    let Some(pki) = pki() else { return };
    for leaf in ["p7", "pem"] {
        let (_s, port) = leaf_only(&pki, leaf);
        let out = pki.connect(port, &["--fetch-intermediates"]);
        assert_eq!(code(&out), 5, "{leaf}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("the server's chain is incomplete"),
            "{leaf}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn forged_crl_in_the_issuers_name_is_not_believed() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("forged", &[]);
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation"]);
    assert_eq!(rc, 0, "{err}");
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["status"], "unknown", "{leaf}");
    assert_eq!(leaf["unknown_reason"], "bad_signature", "{leaf}");
}

/// A running `tlskit --json tunnel …` in the PKI's directory and its port.
fn tunnel(pki: &Pki, args: &[&str]) -> (Background, u16) {
    let mut all = vec!["--json", "tunnel"];
    all.extend_from_slice(args);
    let bg = Background::spawn(pki.dir.tlskit(&all));
    let (_, port) = bg.listening(Duration::from_secs(30));
    (bg, port)
}

/// Sends an HTTP request to 127.0.0.1:port and reads until the end.
fn http_through(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = s.write_all(b"GET / HTTP/1.0\r\n\r\n");
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

fn client_tunnel(pki: &Pki, upstream: u16, extra: &[&str]) -> (Background, u16) {
    let target = format!("127.0.0.1:{upstream}");
    let mut args = vec![
        "client",
        "--listen",
        "127.0.0.1:0",
        "--target",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--connect-timeout",
        "10",
    ];
    args.extend_from_slice(extra);
    tunnel(pki, &args)
}

fn ocsp_requests(pki: &Pki) -> usize {
    std::fs::read_to_string(pki.dir.join("ocsp-requests.log"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn tunnel_client_refuses_a_revoked_upstream_before_forwarding() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("revoked", &[]);
    // Without the check, the request goes through: the refusal below is the check's.
    let (plain, local) = client_tunnel(&pki, port, &[]);
    assert!(http_through(local).starts_with("HTTP/1.0 200"));
    let rec = plain.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "closed", "{rec}");
    drop(plain);
    let (checked, local) = client_tunnel(&pki, port, &["--check-revocation"]);
    let got = http_through(local);
    assert_eq!(got, "", "the client got an answer from a revoked server");
    let rec = checked.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    assert_eq!(rec["bytes_up"], 0, "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(
            "refused to forward: the server's certificate (CN=revoked, serial 10:01) was revoked on 20"
        ),
        "{reason}"
    );
    assert!(reason.contains("reason: key_compromise"), "{reason}");
    assert!(
        reason.contains("(according to the OCSP responder at http://127.0.0.1:"),
        "{reason}"
    );
}

#[test]
fn tunnel_client_reuses_a_good_answer_until_its_next_update() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("good", &[]);
    let (t, local) = client_tunnel(&pki, port, &["--check-revocation=require"]);
    for i in 0..3 {
        let got = http_through(local);
        assert!(got.starts_with("HTTP/1.0 200"), "connection {i}: {got:?}");
        let rec = t.event("connection", Duration::from_secs(20));
        assert_eq!(rec["outcome"], "closed", "{rec}");
    }
    // The leaf's answer (valid for a day) was fetched once for three connections.
    assert_eq!(ocsp_requests(&pki), 1);
}

#[test]
fn tunnel_client_with_the_responder_down_warns_or_with_require_refuses() {
    let Some(pki) = pki() else { return };
    let (_s, port) = pki.server("down", &[]);
    let (warned, local) = client_tunnel(&pki, port, &["--check-revocation"]);
    assert!(http_through(local).starts_with("HTTP/1.0 200"));
    let w = warned.event("warning", Duration::from_secs(20));
    let message = w["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("the revocation status of the server's certificate (CN=down"),
        "{w}"
    );
    drop(warned);
    let (required, local) = client_tunnel(&pki, port, &["--check-revocation=require"]);
    assert_eq!(http_through(local), "");
    let rec = required.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("is unknown: OCSP responder http://127.0.0.1:"),
        "{reason}"
    );
    assert!(reason.ends_with("(--check-revocation=require)"), "{reason}");
}

/// `tlskit serve` with LEAF's chain (leaf + intermediate), on `listen`.
fn serve_leaf(pki: &Pki, leaf: &str, listen: &str) -> util::Served {
    util::spawn_serve_on(
        &pki.dir,
        listen,
        &[
            "--cert",
            &format!("{leaf}-chain.pem"),
            "--key",
            &format!("{leaf}-key.pem"),
        ],
    )
}

fn scan(pki: &Pki, targets: &[String], extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = vec!["scan"];
    args.extend(targets.iter().map(String::as_str));
    args.extend_from_slice(&[
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--timeout",
        "5",
    ]);
    args.extend_from_slice(extra);
    pki.dir.run(&args)
}

#[test]
fn scan_finds_a_revoked_leaf_critical_grade_f_policy_and_exit_5() {
    let Some(pki) = pki() else { return };
    let served = serve_leaf(&pki, "revoked", "127.0.0.1:0");
    let target = vec![served.addr.clone()];
    // Without the flag nothing is asked: no finding, exit 0.
    let plain = scan(&pki, &target, &[]);
    assert_eq!(code(&plain), 0, "{}", stderr(&plain));
    assert!(!stdout(&plain).contains("Revocation"), "{}", stdout(&plain));
    std::fs::write(
        pki.dir.join("p.toml"),
        "name = \"rev\"\nrequire = [\"not-revoked\"]\n",
    )
    .unwrap();
    let mut args = vec!["--json"];
    args.extend_from_slice(&["scan", &served.addr]);
    args.extend_from_slice(&[
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--check-revocation",
        "--policy",
        "p.toml",
    ]);
    let out = pki.dir.run(&args);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let f = &doc["revocation"];
    assert_eq!(f["severity"], "critical", "{f}");
    assert_eq!(f["status"], "revoked", "{f}");
    assert_eq!(f["leaf"]["source"], "ocsp", "{f}");
    assert_eq!(f["leaf"]["reason"], "key_compromise", "{f}");
    assert_eq!(doc["grade"], "F", "{doc}");
    assert!(
        doc["grade_caps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "cert-revoked"),
        "{doc}"
    );
    assert_eq!(
        doc["policy"]["violations"][0]["requirement"], "not-revoked",
        "{doc}"
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "tlskit: error: the server's certificate (CN=revoked, serial 10:01) was revoked on 20"
        ),
        "{err}"
    );
    // The text report has the line.
    let text = scan(&pki, &target, &["--check-revocation"]);
    assert_eq!(code(&text), 5);
    let report = stdout(&text);
    let line = report
        .lines()
        .find(|l| l.trim_start().starts_with("Revocation"))
        .unwrap_or_else(|| panic!("no Revocation line:\n{report}"));
    assert!(line.contains("REVOKED (revoked on 20"), "{line}");
    assert!(
        line.contains("reason key_compromise, per OCSP responder http://127.0.0.1:"),
        "{line}"
    );
}

#[test]
fn scan_fleet_reports_revocation_in_json_lines_prometheus_and_the_baseline() {
    let Some(pki) = pki() else { return };
    let good = serve_leaf(&pki, "good", "127.0.0.1:0");
    let port = util::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut changing = serve_leaf(&pki, "good", &listen);
    let targets = vec![good.addr.clone(), listen.clone()];
    let mut args = vec!["--json"];
    args.extend_from_slice(&["scan", &targets[0], &targets[1]]);
    args.extend_from_slice(&[
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--check-revocation=require",
    ]);
    let out = pki.dir.run(&args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = stdout(&out);
    for line in lines.lines() {
        let doc: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        assert_eq!(doc["revocation"]["status"], "good", "{doc}");
        assert_eq!(doc["revocation"]["severity"], "ok", "{doc}");
        assert_eq!(doc["revocation"]["mode"], "require", "{doc}");
    }
    assert_eq!(lines.lines().count(), 2);
    std::fs::write(pki.dir.join("base.jsonl"), &lines).unwrap();
    // The second server now presents a revoked certificate.
    changing.terminate(Duration::from_secs(10));
    let _revoked = serve_leaf(&pki, "revoked", &listen);
    let prom = scan(
        &pki,
        &targets,
        &["--check-revocation", "--format", "prometheus"],
    );
    assert_eq!(code(&prom), 5, "{}", stderr(&prom));
    let text = stdout(&prom);
    assert!(
        text.contains(&format!(
            "tlskit_scan_certificate_revoked{{target=\"{}\"}} 0\n",
            targets[0]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "tlskit_scan_certificate_revoked{{target=\"{listen}\"}} 1\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "tlskit_scan_revocation_known{{target=\"{listen}\"}} 1\n"
        )),
        "{text}"
    );
    let err = stderr(&prom);
    assert!(
        err.contains(&format!(
            "tlskit: {listen}: the server's certificate (CN=revoked, serial 10:01) was revoked on"
        )),
        "{err}"
    );
    // Against the baseline, the revoked leaf is a regression; the summary table names it.
    let base = scan(
        &pki,
        &targets,
        &["--check-revocation", "--baseline", "base.jsonl"],
    );
    assert_eq!(code(&base), 5, "{}", stderr(&base));
    let table = stdout(&base);
    assert!(
        table.contains("the certificate is now revoked (was good)"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.starts_with(&listen))
        .unwrap_or_else(|| panic!("no row for {listen}:\n{table}"));
    assert!(row.contains(" F "), "{row}");
    assert!(row.contains("was revoked on"), "{row}");
}

#[test]
fn scan_with_the_responder_down_warns_or_with_require_fails() {
    let Some(pki) = pki() else { return };
    let served = serve_leaf(&pki, "down", "127.0.0.1:0");
    let target = vec![served.addr.clone()];
    let warned = scan(&pki, &target, &["--check-revocation"]);
    assert_eq!(code(&warned), 0, "{}", stderr(&warned));
    let err = stderr(&warned);
    assert!(
        err.contains("tlskit: warning: the revocation status of the server's certificate (CN=down"),
        "{err}"
    );
    let text = stdout(&warned);
    assert!(
        text.contains("unknown (OCSP responder http://127.0.0.1:"),
        "{text}"
    );
    let required = scan(&pki, &target, &["--check-revocation=require"]);
    assert_eq!(code(&required), 5, "{}", stderr(&required));
    let err = stderr(&required);
    assert!(
        err.contains("tlskit: error: the revocation status of the server's certificate (CN=down"),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with("(--check-revocation=require)"),
        "{err}"
    );
}

/// `openssl s_client -status` against 127.0.0.1:port, with optional extra arguments.
fn s_client_status(pki: &Pki, port: u16, extra: &[&str]) -> String {
    let mut s_client = Command::new("openssl");
    s_client
        .current_dir(pki.dir.path())
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-servername",
            "localhost",
            "-CAfile",
            "root/cert.pem",
            "-status",
        ])
        .args(extra);
    let out = util::run_bounded(s_client, Duration::from_secs(20));
    stdout(&out)
}

fn server_tunnel(pki: &Pki, leaf: &str, extra: &[&str]) -> (Background, u16) {
    let chain = format!("{leaf}-chain.pem");
    let key = format!("{leaf}-key.pem");
    let mut args = vec![
        "server",
        "--listen",
        "127.0.0.1:0",
        "--target",
        "127.0.0.1:9",
        "--connect-timeout",
        "2",
        "--cert",
        &chain,
        "--key",
        &key,
    ];
    args.extend_from_slice(extra);
    tunnel(pki, &args)
}

#[test]
fn tunnel_server_ocsp_auto_staples_what_the_responder_says() {
    let Some(pki) = pki() else { return };
    // Without --ocsp nothing is stapled.
    let (plain, port) = server_tunnel(&pki, "good", &[]);
    let text = s_client_status(&pki, port, &[]);
    assert!(text.contains("OCSP response: no response sent"), "{text}");
    drop(plain);
    let (t, port) = server_tunnel(&pki, "good", &["--ocsp", "auto"]);
    // The first fetch is logged before the tunnel is ready.
    let fetched = t.event("ocsp", Duration::from_secs(20));
    assert_eq!(fetched["outcome"], "stapled", "{fetched}");
    assert_eq!(fetched["status"], "good", "{fetched}");
    assert!(fetched["next_update"].is_string(), "{fetched}");
    let text = s_client_status(&pki, port, &[]);
    assert!(text.contains("OCSP Response Status: successful"), "{text}");
    assert!(text.contains("Cert Status: good"), "{text}");
    // And tlskit connect believes the staple without fetching anything.
    let (rc, doc, err) = pki.connect_json(port, &["--check-revocation", "--offline"]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(statuses(&doc)[0], pair("good", "staple"), "{doc}");
}

#[test]
fn tunnel_server_ocsp_auto_never_staples_a_revoked_response_and_file_staples_a_good_one() {
    let Some(pki) = pki() else { return };
    let (t, port) = server_tunnel(&pki, "revoked", &["--ocsp", "auto"]);
    let fetched = t.event("ocsp", Duration::from_secs(20));
    assert_eq!(fetched["outcome"], "no_staple", "{fetched}");
    assert!(
        fetched["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("such a response is never stapled"),
        "{fetched}"
    );
    let text = s_client_status(&pki, port, &[]);
    assert!(text.contains("OCSP response: no response sent"), "{text}");
    drop(t);
    // A response from a file: the good leaf's is stapled as it is.
    let (_f, port) = server_tunnel(&pki, "good", &["--ocsp", "good-ocsp.der"]);
    let text = s_client_status(&pki, port, &[]);
    assert!(text.contains("Cert Status: good"), "{text}");
    // The revoked leaf's own (revoked) response is refused at start.
    let out = pki.dir.run(&[
        "tunnel",
        "server",
        "--listen",
        "127.0.0.1:0",
        "--target",
        "127.0.0.1:9",
        "--cert",
        "revoked-chain.pem",
        "--key",
        "revoked-key.pem",
        "--ocsp",
        "revoked-ocsp.der",
    ]);
    assert_ne!(code(&out), 0);
    let err = stderr(&out);
    assert!(
        err.contains("tlskit: error: --ocsp 'revoked-ocsp.der': the response says the certificate is revoked; it is not stapled"),
        "{err}"
    );
}

#[test]
fn tunnel_server_refuses_a_client_certificate_its_crl_lists() {
    let Some(pki) = pki() else { return };
    let client = |port: u16, who: &str| {
        let cert = format!("{who}.pem");
        let key = format!("{who}-key.pem");
        s_client_status(
            &pki,
            port,
            &["-cert", &cert, "-key", &key, "-cert_chain", "int/cert.pem"],
        );
    };
    // Without --crl, mallory's certificate passes the handshake (the target is down).
    let (plain, port) = server_tunnel(&pki, "good", &["--client-ca", "root/cert.pem"]);
    client(port, "mallory");
    let rec = plain.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "target_unreachable", "{rec}");
    drop(plain);
    let (t, port) = server_tunnel(
        &pki,
        "good",
        &["--client-ca", "root/cert.pem", "--crl", "www/int.crl"],
    );
    client(port, "alice");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "target_unreachable", "{rec}");
    client(port, "mallory");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert_eq!(
        rec["reason"], "the client certificate was refused: it has been revoked",
        "{rec}"
    );
}

#[test]
fn tunnel_server_check_revocation_refuses_a_client_its_crl_distribution_point_lists() {
    let Some(pki) = pki() else { return };
    let client = |port: u16, who: &str| {
        let cert = format!("{who}.pem");
        let key = format!("{who}-key.pem");
        s_client_status(
            &pki,
            port,
            &["-cert", &cert, "-key", &key, "-cert_chain", "int/cert.pem"],
        );
    };
    let (t, port) = server_tunnel(
        &pki,
        "good",
        &["--client-ca", "root/cert.pem", "--check-revocation=require"],
    );
    // alice is good: the handshake and the check pass, and the (down) target is dialled.
    client(port, "alice");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "target_unreachable", "{rec}");
    client(port, "mallory");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    assert_eq!(rec["client"]["cn"], "mallory", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("the client's certificate (CN=mallory, serial "),
        "{reason}"
    );
    assert!(reason.contains("reason: key_compromise"), "{reason}");
    assert!(
        reason.contains("(according to the CRL at http://127.0.0.1:"),
        "{reason}"
    );
}

#[test]
fn scan_checks_every_certificate_of_the_chain_and_names_a_revoked_intermediate() {
    let Some(pki) = pki() else { return };
    let (_s, port) = openssl_server(
        pki.dir.path(),
        "orphan.pem",
        "orphan-key.pem",
        &["-cert_chain", "int2/cert.pem"],
    );
    let target = vec![format!("127.0.0.1:{port}")];
    let mut args = vec!["--json"];
    args.extend_from_slice(&["scan", &target[0]]);
    args.extend_from_slice(&[
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--timeout",
        "5",
        "--check-revocation",
    ]);
    let out = pki.dir.run(&args);
    assert_eq!(code(&out), 5, "{}\n{}", stdout(&out), stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let f = &doc["revocation"];
    assert_eq!(f["status"], "revoked", "{f}");
    assert_eq!(f["severity"], "critical", "{f}");
    // The leaf itself is good; the intermediate above it is not.
    assert_eq!(f["leaf"]["status"], "good", "{f}");
    let statuses: Vec<(u64, String)> = f["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["position"].as_u64().unwrap(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![(0, "good".to_string()), (1, "revoked".to_string())],
        "{f}"
    );
    let sentence = f["sentence"].as_str().unwrap_or_default();
    assert!(sentence.contains("CN=Revoked Intermediate"), "{sentence}");
    // The text report lists both, leaf first.
    let text = scan(&pki, &target, &["--check-revocation"]);
    let text_out = stdout(&text);
    assert!(
        text_out.contains("#0 good") && text_out.contains("#1 REVOKED"),
        "{text_out}"
    );
}

/// `tlskit serve --dtls` with LEAF's certificate (DTLS sends the leaf only).
fn serve_dtls_leaf(pki: &Pki, leaf: &str) -> util::Served {
    let cert = format!("{leaf}.pem");
    let key = format!("{leaf}-key.pem");
    util::spawn_serve(&pki.dir, &["--dtls", "--cert", &cert, "--key", &key])
}

/// `openssl s_server -dtls1_2` with LEAF's certificate, on a free UDP port.
fn openssl_dtls_server(pki: &Pki, leaf: &str) -> (Background, u16) {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("a free UDP port")
        .port();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(pki.dir.path()).args([
        "s_server",
        "-dtls1_2",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cert",
        &format!("{leaf}.pem"),
        "-key",
        &format!("{leaf}-key.pem"),
    ]);
    let server = Background::spawn_stdin_open(cmd);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if server.line(Duration::from_secs(10)).contains("ACCEPT") {
            break;
        }
    }
    (server, port)
}

/// `tlskit [--json] connect --dtls` to 127.0.0.1:PORT, trusting the
/// intermediate (the leaf's issuer: DTLS here sees no intermediates).
fn connect_dtls(pki: &Pki, json: bool, port: u16, extra: &[&str]) -> std::process::Output {
    let target = format!("127.0.0.1:{port}");
    let mut args = Vec::new();
    if json {
        args.push("--json");
    }
    args.extend_from_slice(&[
        "connect",
        "--dtls",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "int/cert.pem",
        "--no-io",
        "--timeout",
        "5",
    ]);
    args.extend_from_slice(extra);
    pki.dir.run(&args)
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("JSON: {e}\n{}\n{}", stdout(out), stderr(out)))
}

#[test]
fn connect_dtls_checks_the_servers_leaf_good_and_revoked() {
    let Some(pki) = pki() else { return };
    let served = serve_dtls_leaf(&pki, "good");
    let out = connect_dtls(&pki, true, served.port, &["--check-revocation=require"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json_of(&out);
    // The leaf only: its issuer is the --ca certificate that verified it.
    assert_eq!(statuses(&doc), vec![pair("good", "ocsp")], "{doc}");
    assert_eq!(doc["verification"]["verified"], true, "{doc}");
    // The same in text: the report has the revocation line.
    let out = connect_dtls(&pki, false, served.port, &["--check-revocation"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "Revocation (leaf first):\n #0 CN=good: good (per OCSP responder http://127.0.0.1:"
        ),
        "{text}"
    );

    // A revoked leaf, served by a peer nobody here wrote: exit 5, as TLS connect.
    let (_s, port) = openssl_dtls_server(&pki, "revoked");
    let out = connect_dtls(&pki, false, port, &["--check-revocation"]);
    assert_eq!(code(&out), 5, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "tlskit: error: the server's certificate (CN=revoked, serial 10:01) was revoked on 20"
        ),
        "{err}"
    );
    assert!(err.contains("reason: key_compromise"), "{err}");
    assert!(err.contains("OCSP responder at http://127.0.0.1:"), "{err}");
}

#[test]
fn connect_dtls_revoked_in_json_and_unchecked_without_the_flag() {
    let Some(pki) = pki() else { return };
    let served = serve_dtls_leaf(&pki, "revoked");
    let out = connect_dtls(&pki, true, served.port, &["--check-revocation"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let doc = json_of(&out);
    assert_eq!(statuses(&doc), vec![pair("revoked", "ocsp")], "{doc}");
    assert_eq!(doc["verification"]["verified"], false, "{doc}");
    assert_eq!(doc["error"]["exit_code"], 5, "{doc}");
    // Without the flag nothing asks about revocation, and the server passes.
    let out = connect_dtls(&pki, true, served.port, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(json_of(&out).get("revocation").is_none());
}

#[test]
fn connect_dtls_with_the_responder_down_warns_or_with_require_fails() {
    let Some(pki) = pki() else { return };
    let served = serve_dtls_leaf(&pki, "down");
    let out = connect_dtls(&pki, true, served.port, &["--check-revocation"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json_of(&out);
    let leaf = &doc["revocation"]["certificates"][0];
    assert_eq!(leaf["status"], "unknown", "{leaf}");
    assert_eq!(leaf["unknown_reason"], "unreachable", "{leaf}");
    let err = stderr(&out);
    assert!(
        err.contains("warning: the revocation status of the server's certificate (CN=down"),
        "{err}"
    );
    let out = connect_dtls(&pki, false, served.port, &["--check-revocation=require"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("is unknown: OCSP responder http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("(--check-revocation=require)"), "{err}");
    // --offline: nothing is fetched, so =require fails for want of an answer.
    let out = connect_dtls(
        &pki,
        true,
        served.port,
        &["--check-revocation=require", "--offline"],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert_eq!(
        json_of(&out)["revocation"]["certificates"][0]["unknown_reason"],
        "offline"
    );
}

#[test]
fn connect_dtls_refuses_fetch_intermediates_with_a_sentence() {
    let dir = Dir::new();
    dir.expect(
        &["connect", "--dtls", "127.0.0.1:9", "--fetch-intermediates"],
        2,
        "",
        "tlskit: error: --fetch-intermediates does not apply to DTLS: tlskit's DTLS sees the server's own certificate only, so its issuer must be one of the --ca certificates\n",
    );
}

/// `tlskit tunnel server --udp` in front of a UDP echo, serving the good
/// leaf, with client certificates from the intermediate (DTLS here carries
/// the client's own certificate only, so its issuer is the --client-ca).
fn udp_server_tunnel(pki: &Pki, echo_port: u16, extra: &[&str]) -> util::Tunnel {
    let target = format!("127.0.0.1:{echo_port}");
    let mut args = vec![
        "server",
        "--udp",
        "--listen",
        "127.0.0.1:0",
        "--target",
        &target,
        "--cert",
        "good.pem",
        "--key",
        "good-key.pem",
        "--client-ca",
        "int/cert.pem",
        "--idle-timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    util::Tunnel::start(&pki.dir, &args)
}

/// `openssl s_client -dtls1_2` as WHO through the tunnel on `port`, sending a line.
fn dtls_client_as(pki: &Pki, port: u16, who: &str) -> String {
    let target = format!("127.0.0.1:{port}");
    let out = crate::tunnel_udp::openssl_with_input(
        &pki.dir,
        "through the tunnel\n",
        &[
            "s_client",
            "-dtls1_2",
            "-connect",
            &target,
            "-CAfile",
            "int/cert.pem",
            "-cert",
            &format!("{who}.pem"),
            "-key",
            &format!("{who}-key.pem"),
            "-ign_eof",
        ],
    );
    format!("{}\n{}", stdout(&out), stderr(&out))
}

#[test]
fn udp_tunnel_server_check_revocation_refuses_a_revoked_client_before_the_target() {
    let Some(pki) = pki() else { return };
    let (echo, echo_port) = crate::tunnel_udp::udp_echo();
    let mut t = udp_server_tunnel(&pki, echo_port, &["--check-revocation=require"]);
    // mallory's certificate is revoked (its CRL distribution point says so):
    // the handshake completes, then the association is closed, and the
    // target hears nothing of it.
    let seen = dtls_client_as(&pki, t.port, "mallory");
    assert!(!seen.contains("through the tunnel"), "{seen}");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    assert_eq!(rec["client"]["cn"], "mallory", "{rec}");
    assert_eq!(rec["bytes_up"], 0, "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("the client's certificate (CN=mallory, serial "),
        "{reason}"
    );
    assert!(reason.contains("reason: key_compromise"), "{reason}");
    assert!(
        reason.contains("(according to the CRL at http://127.0.0.1:"),
        "{reason}"
    );
    assert!(
        crate::tunnel_udp::echo_log(&echo, Duration::from_millis(500)).is_empty(),
        "a revoked client reached the target"
    );
    // alice is good: her line reaches the target and comes back.
    let seen = dtls_client_as(&pki, t.port, "alice");
    assert!(seen.contains("through the tunnel"), "{seen}");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["client"]["cn"], "alice", "{rec}");
    assert_eq!(rec["bytes_up"], 19, "{rec}");
    assert_eq!(
        crate::tunnel_udp::echo_log(&echo, Duration::from_millis(500)).len(),
        1
    );
    // The refusal is counted as the TCP tunnel counts it (the summary and --status share the counters).
    let summary = t.stop();
    assert_eq!(summary["connections"], 2, "{summary}");
    assert_eq!(summary["failed"]["revocation_refused"], 1, "{summary}");
}

#[test]
fn udp_tunnel_server_crl_refuses_a_listed_client_in_the_handshake() {
    let Some(pki) = pki() else { return };
    let (echo, echo_port) = crate::tunnel_udp::udp_echo();
    let t = udp_server_tunnel(&pki, echo_port, &["--crl", "www/int.crl"]);
    let seen = dtls_client_as(&pki, t.port, "mallory");
    assert!(seen.contains("certificate revoked"), "{seen}");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert_eq!(
        rec["reason"], "the client's certificate (CN=mallory) has been revoked (a --crl lists it)",
        "{rec}"
    );
    assert!(
        crate::tunnel_udp::echo_log(&echo, Duration::from_millis(500)).is_empty(),
        "a revoked client reached the target"
    );
    let seen = dtls_client_as(&pki, t.port, "alice");
    assert!(seen.contains("through the tunnel"), "{seen}");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["client"]["cn"], "alice", "{rec}");
}

/// `tlskit tunnel client --udp` in front of the DTLS server on `upstream`,
/// trusting the intermediate (the leaf's issuer).
fn udp_client_tunnel(pki: &Pki, upstream: u16, extra: &[&str]) -> util::Tunnel {
    let target = format!("127.0.0.1:{upstream}");
    let mut args = vec![
        "client",
        "--udp",
        "--listen",
        "127.0.0.1:0",
        "--target",
        &target,
        "--servername",
        "localhost",
        "--ca",
        "int/cert.pem",
        "--connect-timeout",
        "10",
        "--idle-timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    util::Tunnel::start(&pki.dir, &args)
}

/// Whether `server` printed a line containing `needle` within `wait`.
fn printed(server: &Background, needle: &str, wait: Duration) -> bool {
    let deadline = std::time::Instant::now() + wait;
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match server.lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

#[test]
fn udp_tunnel_client_check_revocation_forwards_nothing_to_a_revoked_server() {
    let Some(pki) = pki() else { return };
    let (server, port) = openssl_dtls_server(&pki, "revoked");
    let t = udp_client_tunnel(&pki, port, &["--check-revocation"]);
    let local = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    local
        .send_to(b"secret-for-a-revoked-server\n", ("127.0.0.1", t.port))
        .expect("send");
    let rec = t.event("connection", Duration::from_secs(30));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    assert_eq!(rec["bytes_up"], 0, "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(
            "refused to forward: the server's certificate (CN=revoked, serial 10:01) was revoked on 20"
        ),
        "{reason}"
    );
    assert!(
        reason.contains("(according to the OCSP responder at http://127.0.0.1:"),
        "{reason}"
    );
    assert!(
        !printed(
            &server,
            "secret-for-a-revoked-server",
            Duration::from_secs(1)
        ),
        "the datagram reached a revoked server"
    );
}

#[test]
fn udp_tunnel_client_check_revocation_passes_a_good_server_and_require_refuses_unknown() {
    let Some(pki) = pki() else { return };
    let (server, port) = openssl_dtls_server(&pki, "good");
    let t = udp_client_tunnel(&pki, port, &["--check-revocation=require"]);
    let local = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    local
        .send_to(b"hello-good-server\n", ("127.0.0.1", t.port))
        .expect("send");
    assert!(
        printed(&server, "hello-good-server", Duration::from_secs(20)),
        "the datagram did not reach a good server"
    );
    drop(t);
    drop(server);
    // The responder is down: =require refuses to forward.
    let (server, port) = openssl_dtls_server(&pki, "down");
    let t = udp_client_tunnel(&pki, port, &["--check-revocation=require"]);
    local
        .send_to(b"hello-unknown-server\n", ("127.0.0.1", t.port))
        .expect("send");
    let rec = t.event("connection", Duration::from_secs(30));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("is unknown: OCSP responder http://127.0.0.1:"),
        "{reason}"
    );
    assert!(reason.ends_with("(--check-revocation=require)"), "{reason}");
    assert!(!printed(
        &server,
        "hello-unknown-server",
        Duration::from_secs(1)
    ));
}

#[test]
fn udp_tunnel_server_check_revocation_over_dtls13_sends_certificate_revoked() {
    let Some(pki) = pki() else { return };
    let (echo, echo_port) = crate::tunnel_udp::udp_echo();
    let server = udp_server_tunnel(&pki, echo_port, &["--tls13", "--check-revocation"]);
    // tlskit's client tunnel as mallory (no Debian peer speaks DTLS 1.3).
    let upstream = server.port;
    let client = udp_client_tunnel(
        &pki,
        upstream,
        &[
            "--tls13",
            "--cert",
            "mallory.pem",
            "--key",
            "mallory-key.pem",
        ],
    );
    let local = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    local
        .send_to(b"from-a-revoked-client", ("127.0.0.1", client.port))
        .expect("send");
    let rec = server.event("connection", Duration::from_secs(30));
    assert_eq!(rec["outcome"], "revocation_refused", "{rec}");
    assert_eq!(rec["version"], "DTLSv1.3", "{rec}");
    assert_eq!(rec["bytes_up"], 0, "{rec}");
    // The client tunnel hears the alert and says so.
    let rec = client.event("connection", Duration::from_secs(30));
    assert_ne!(rec["outcome"], "closed", "{rec}");
    let reason = rec["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("revoked"), "{rec}");
    assert!(
        crate::tunnel_udp::echo_log(&echo, Duration::from_millis(500)).is_empty(),
        "a revoked client reached the target"
    );
}

/// The warning a tunnel gives for a `--crl` past its nextUpdate (stale.crl's: 2020-01-08).
fn stale_warning(file: &str) -> String {
    format!(
        "--crl '{file}' is stale: its nextUpdate (2020-01-08T00:00:00Z) has passed; every client certificate {} issued is refused until a current CRL is loaded (replace the file: it is read again when it changes or on SIGHUP)",
        "CN=Test Intermediate"
    )
}

#[test]
fn tunnel_server_warns_of_a_stale_crl_and_refuses_its_issuers_clients_as_openssl_does() {
    let Some(pki) = pki() else { return };
    // What OpenSSL makes of the stale list: with -crl_check, alice (whom it
    // does not list) fails, "CRL has expired"; with the current one she passes.
    let verify = |crl: &str| {
        let mut cmd = Command::new("openssl");
        cmd.current_dir(pki.dir.path()).args([
            "verify",
            "-crl_check",
            "-CAfile",
            "root/cert.pem",
            "-untrusted",
            "int/cert.pem",
            "-CRLfile",
            crl,
            "alice.pem",
        ]);
        util::run_bounded(cmd, Duration::from_secs(20))
    };
    let out = verify("www/stale.crl");
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("CRL has expired"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let crl_pem = pki.dir.join("int-crl.pem");
    assert!(verify(&crl_pem.to_string_lossy()).status.success());

    let client = |port: u16, who: &str| {
        let cert = format!("{who}.pem");
        let key = format!("{who}-key.pem");
        s_client_status(
            &pki,
            port,
            &["-cert", &cert, "-key", &key, "-cert_chain", "int/cert.pem"],
        );
    };
    let stale_reason = "the client certificate was refused: the --crl of its issuer is stale (past its nextUpdate), and no client of that CA is let in until a current one is loaded";
    // The status page's seconds to the soonest nextUpdate (negative: stale), JSON and Prometheus.
    let crl_seconds = |t: &Background| {
        let status = t.event("status_listening", Duration::from_secs(20));
        let addr = status["addr"].as_str().unwrap_or_default().to_string();
        move || {
            let page = crate::tunnel::http_get(&addr, "/");
            let body: serde_json::Value =
                serde_json::from_str(page.split("\r\n\r\n").nth(1).unwrap_or_default().trim())
                    .unwrap_or_else(|e| panic!("{e}: {page}"));
            let secs = body["crl_next_update_in_seconds"]
                .as_i64()
                .expect("crl seconds");
            let metrics = crate::tunnel::http_get(&addr, "/metrics");
            let gauge = metrics
                .lines()
                .find_map(|l| l.strip_prefix("tlskit_tunnel_crl_next_update_seconds "))
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or_else(|| panic!("no CRL gauge in {metrics}"));
            // The same deadline, read a moment later.
            assert!((secs - 5..=secs).contains(&gauge), "{gauge} vs {secs}");
            secs
        }
    };
    // At start: the warning is in the ready event, and alice is refused.
    let (t, port) = server_tunnel(
        &pki,
        "good",
        &[
            "--client-ca",
            "root/cert.pem",
            "--crl",
            "www/stale.crl",
            "--status",
            "127.0.0.1:0",
        ],
    );
    let ready = t.event("ready", Duration::from_secs(20));
    assert_eq!(
        ready["warnings"],
        serde_json::json!([stale_warning("www/stale.crl")]),
        "{ready}"
    );
    let seconds = crl_seconds(&t);
    assert!(seconds() < -86_400 * 365, "stale since 2020-01-08");
    client(port, "alice");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert_eq!(rec["reason"], stale_reason, "{rec}");
    drop(t);

    // A current list, then a stale one in its place: the reload says so.
    let current = std::fs::read(pki.dir.join("www/int.crl")).unwrap();
    let stale = std::fs::read(pki.dir.join("www/stale.crl")).unwrap();
    let put = |bytes: &[u8]| {
        std::fs::write(pki.dir.join("client.crl.new"), bytes).unwrap();
        std::fs::rename(pki.dir.join("client.crl.new"), pki.dir.join("client.crl")).unwrap();
    };
    put(&current);
    let (t, port) = server_tunnel(
        &pki,
        "good",
        &[
            "--client-ca",
            "root/cert.pem",
            "--crl",
            "client.crl",
            "--status",
            "127.0.0.1:0",
        ],
    );
    let ready = t.event("ready", Duration::from_secs(20));
    assert_eq!(ready["warnings"], serde_json::json!([]), "{ready}");
    let seconds = crl_seconds(&t);
    assert!(seconds() > 0, "a current CRL");
    client(port, "alice");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "target_unreachable", "{rec}");
    put(&stale);
    t.signal("-HUP");
    let reloaded = t.event("reloaded", Duration::from_secs(20));
    assert_eq!(
        reloaded["warnings"],
        serde_json::json!([stale_warning("client.crl")]),
        "{reloaded}"
    );
    assert!(seconds() < 0, "stale after the reload");
    client(port, "alice");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["reason"], stale_reason, "{rec}");
}

#[test]
fn udp_tunnel_server_warns_of_a_stale_crl_and_refuses_its_issuers_clients() {
    let Some(pki) = pki() else { return };
    let (echo, echo_port) = crate::tunnel_udp::udp_echo();
    let t = udp_server_tunnel(
        &pki,
        echo_port,
        &["--crl", "www/stale.crl", "--status", "127.0.0.1:0"],
    );
    let warnings = t.ready["warnings"].as_array().cloned().unwrap_or_default();
    assert!(
        warnings.contains(&serde_json::json!(stale_warning("www/stale.crl"))),
        "{}",
        t.ready
    );
    let status = t.event("status_listening", Duration::from_secs(20));
    let page = crate::tunnel::http_get(status["addr"].as_str().unwrap_or_default(), "/");
    let body: serde_json::Value =
        serde_json::from_str(page.split("\r\n\r\n").nth(1).unwrap_or_default().trim())
            .unwrap_or_else(|e| panic!("{e}: {page}"));
    assert!(
        body["crl_next_update_in_seconds"]
            .as_i64()
            .is_some_and(|s| s < 0),
        "{body}"
    );
    let seen = dtls_client_as(&pki, t.port, "alice");
    assert!(seen.contains("unknown ca"), "{seen}");
    let rec = t.event("connection", Duration::from_secs(20));
    assert_eq!(rec["outcome"], "handshake_failed", "{rec}");
    assert_eq!(
        rec["reason"],
        "the client's certificate (CN=alice) was issued by CN=Test Intermediate, whose --crl is stale (past its nextUpdate): no client of that CA is let in until a current one is loaded",
        "{rec}"
    );
    assert!(
        crate::tunnel_udp::echo_log(&echo, Duration::from_millis(500)).is_empty(),
        "a client of a stale CRL's issuer reached the target"
    );
}

/// `openssl s_server` that presents `good` (and its chain) to SNI localhost and
/// `api` (a certificate for api.test, with its chain) to any other name.
fn sni_server(pki: &Pki, api: &str) -> (Background, u16) {
    pki.server(
        api,
        &[
            "-servername",
            "localhost",
            "-cert2",
            "good.pem",
            "-key2",
            "good-key.pem",
            // The second certificate's chain is built from this store.
            "-CAfile",
            "int/cert.pem",
        ],
    )
}

/// `tlskit --json scan 127.0.0.1:PORT --servername localhost --ca … EXTRA`, parsed.
fn scan_json(pki: &Pki, port: u16, extra: &[&str]) -> (serde_json::Value, std::process::Output) {
    let target = format!("127.0.0.1:{port}");
    let mut args = vec!["--json", "scan", &target];
    args.extend_from_slice(&[
        "--servername",
        "localhost",
        "--ca",
        "root/cert.pem",
        "--timeout",
        "5",
    ]);
    args.extend_from_slice(extra);
    let out = pki.dir.run(&args);
    let doc = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    (doc, out)
}

/// The caps of a scan report that name an SNI name, as (code, sni, reason).
fn named_caps(r: &serde_json::Value) -> Vec<(String, String, String)> {
    r["grade_caps"]
        .as_array()
        .expect("grade_caps")
        .iter()
        .filter(|c| c.get("sni").is_some())
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("code"), s("sni"), s("reason"))
        })
        .collect()
}

#[test]
fn scan_checks_the_certificate_for_an_sni_name_and_a_revoked_one_caps_the_grade() {
    let Some(pki) = pki() else { return };
    let (_server, port) = sni_server(&pki, "apirevoked");
    // Without --sni only the main (good) certificate is checked: the grade and the gate hold.
    let (plain, out) = scan_json(&pki, port, &["--check-revocation", "--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(plain["revocation"]["status"], "good", "{plain:#}");
    assert_ne!(plain["grade"], "F", "{plain:#}");
    assert!(named_caps(&plain).is_empty(), "{plain:#}");
    // With --sni but without --check-revocation nothing says it is revoked (no staple).
    let (unchecked, out) = scan_json(&pki, port, &["--sni", "api.test", "--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let named = &unchecked["certificates_by_name"][0];
    assert_eq!(named["certificate"]["verified"], true, "{named:#}");
    assert!(named.get("revocation").is_none(), "{named:#}");
    assert_eq!(unchecked["grade"], plain["grade"], "{unchecked:#}");

    // With both, api.test's revoked certificate is found through its OCSP responder,
    // caps the grade at F naming the name, and fails the run as a revoked main
    // certificate does (exit 5, which outranks --min-grade's 8).
    let (r, out) = scan_json(
        &pki,
        port,
        &[
            "--sni",
            "api.test",
            "--check-revocation",
            "--min-grade",
            "B",
        ],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    let f = &r["certificates_by_name"][0]["revocation"];
    assert_eq!(f["status"], "revoked", "{f:#}");
    assert_eq!(f["severity"], "critical", "{f:#}");
    assert_eq!(f["leaf"]["source"], "ocsp", "{f:#}");
    assert_eq!(f["leaf"]["reason"], "key_compromise", "{f:#}");
    assert_eq!(r["grade"], "F", "{r:#}");
    let caps = named_caps(&r);
    assert_eq!(caps.len(), 1, "{caps:?}");
    let (cap, sni, reason) = &caps[0];
    assert_eq!((cap.as_str(), sni.as_str()), ("cert-revoked", "api.test"));
    assert!(
        reason.starts_with(
            "for SNI api.test: the server's certificate (CN=apirevoked, serial 10:14) was revoked on 20"
        ),
        "{reason}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("tlskit: error: for SNI api.test: the server's certificate (CN=apirevoked"),
        "{err}"
    );
    // A policy that forbids revoked certificates names the name's.
    std::fs::write(
        pki.dir.join("p.toml"),
        "name = \"rev\"\nrequire = [\"not-revoked\"]\n",
    )
    .unwrap();
    let (p, out) = scan_json(
        &pki,
        port,
        &[
            "--sni",
            "api.test",
            "--check-revocation",
            "--policy",
            "p.toml",
        ],
    );
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let v = &p["policy"]["violations"][0];
    assert_eq!(v["requirement"], "not-revoked", "{p:#}");
    assert!(
        v.to_string()
            .contains("for SNI api.test: the server's certificate (CN=apirevoked"),
        "{v}"
    );

    // The text report shows the status under the name's certificate.
    let text = scan(
        &pki,
        &[format!("127.0.0.1:{port}")],
        &["--sni", "api.test", "--check-revocation"],
    );
    assert_eq!(code(&text), 5, "{}", stderr(&text));
    let report = stdout(&text);
    let section = report
        .split("Certificate for SNI api.test")
        .nth(1)
        .unwrap_or_else(|| panic!("no section for api.test:\n{report}"));
    let line = section
        .lines()
        .find(|l| l.trim_start().starts_with("revocation"))
        .unwrap_or_else(|| panic!("no revocation line for api.test:\n{report}"));
    assert!(line.contains("REVOKED (revoked on 20"), "{line}");
}

#[test]
fn scan_finds_a_good_sni_certificate_good_and_asks_once_for_a_chain_seen_before() {
    let Some(pki) = pki() else { return };
    let (_server, port) = sni_server(&pki, "apigood");
    let (plain, out) = scan_json(&pki, port, &["--check-revocation=require"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (r, out) = scan_json(
        &pki,
        port,
        &[
            "--sni",
            "api.test",
            "--check-revocation=require",
            "--min-grade",
            "B",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let f = &r["certificates_by_name"][0]["revocation"];
    assert_eq!(f["status"], "good", "{f:#}");
    assert_eq!(f["severity"], "ok", "{f:#}");
    assert_eq!(f["mode"], "require", "{f:#}");
    assert_eq!(
        (&r["grade"], &r["grade_caps"]),
        (&plain["grade"], &plain["grade_caps"])
    );

    // A name that gets the main chain is judged from the main chain's answers:
    // no more OCSP requests than a scan without it.
    let before = ocsp_requests(&pki);
    let (_, out) = scan_json(&pki, port, &["--check-revocation"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let alone = ocsp_requests(&pki) - before;
    assert!(alone > 0, "the main chain was not asked about");
    let before = ocsp_requests(&pki);
    let (same, out) = scan_json(&pki, port, &["--sni", "localhost", "--check-revocation"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(ocsp_requests(&pki) - before, alone, "{same:#}");
    let f = &same["certificates_by_name"][0]["revocation"];
    assert_eq!(f["status"], "good", "{f:#}");
}

#[test]
fn scan_with_the_sni_certificates_responder_down_warns_or_with_require_fails() {
    let Some(pki) = pki() else { return };
    let (_server, port) = sni_server(&pki, "apidown");
    let target = vec![format!("127.0.0.1:{port}")];
    let warned = scan(
        &pki,
        &target,
        &[
            "--sni",
            "api.test",
            "--check-revocation",
            "--min-grade",
            "B",
        ],
    );
    assert_eq!(code(&warned), 0, "{}", stderr(&warned));
    let err = stderr(&warned);
    assert!(
        err.contains(
            "tlskit: warning: for SNI api.test: the revocation status of the server's certificate (CN=apidown"
        ),
        "{err}"
    );
    let (r, required) = scan_json(
        &pki,
        port,
        &["--sni", "api.test", "--check-revocation=require"],
    );
    assert_eq!(code(&required), 5, "{}", stderr(&required));
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    let f = &r["certificates_by_name"][0]["revocation"];
    assert_eq!(f["status"], "unknown", "{f:#}");
    assert_eq!(f["severity"], "failure", "{f:#}");
    // An unknown status does not cap the grade, for a name as for the main chain.
    assert!(named_caps(&r).is_empty(), "{r:#}");
    let err = stderr(&required);
    assert!(
        err.contains("tlskit: error: for SNI api.test: the revocation status of the server's certificate (CN=apidown"),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with("(--check-revocation=require)"),
        "{err}"
    );
}

#[test]
fn scan_checks_a_server_s_additional_certificate_and_a_revoked_one_caps_naming_its_key() {
    let Some(pki) = pki() else { return };
    // The good ECDSA certificate, and a revoked RSA one beside it (-dcert).
    let (_server, port) = pki.server(
        "good",
        &[
            "-dcert",
            "rsarevoked.pem",
            "-dkey",
            "rsarevoked-key.pem",
            "-dcert_chain",
            "int/cert.pem",
        ],
    );
    // Without --check-revocation nothing says it is revoked (no staple).
    let (plain, out) = scan_json(&pki, port, &["--min-grade", "B"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(plain["certificate"]["key_kind"], "ecdsa", "{plain:#}");
    let rsa = &plain["additional_certificates"][0];
    assert_eq!(rsa["key_kind"], "rsa", "{plain:#}");
    assert_eq!(rsa["verified"], true, "{rsa:#}");
    assert!(rsa.get("revocation").is_none(), "{rsa:#}");

    // With it, the RSA chain is asked about too: revoked, a cap naming the RSA
    // certificate, and exit 5 as for a revoked main certificate.
    let (r, out) = scan_json(&pki, port, &["--check-revocation", "--min-grade", "B"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert_eq!(r["revocation"]["status"], "good", "{r:#}");
    let f = &r["additional_certificates"][0]["revocation"];
    assert_eq!(f["status"], "revoked", "{f:#}");
    assert_eq!(f["severity"], "critical", "{f:#}");
    assert_eq!(f["leaf"]["source"], "ocsp", "{f:#}");
    assert_eq!(r["grade"], "F", "{r:#}");
    let caps: Vec<&serde_json::Value> = r["grade_caps"]
        .as_array()
        .expect("grade_caps")
        .iter()
        .filter(|c| c["code"] == "cert-revoked")
        .collect();
    assert_eq!(caps.len(), 1, "{caps:?}");
    assert_eq!(caps[0]["key_kind"], "rsa", "{caps:?}");
    let reason = caps[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(
            "for the RSA certificate: the server's certificate (CN=rsarevoked, serial "
        ),
        "{reason}"
    );
    assert!(
        stderr(&out).contains(
            "tlskit: error: for the RSA certificate: the server's certificate (CN=rsarevoked"
        ),
        "{}",
        stderr(&out)
    );

    // The text report shows the status under the RSA certificate.
    let text = scan(
        &pki,
        &[format!("127.0.0.1:{port}")],
        &["--check-revocation"],
    );
    assert_eq!(code(&text), 5, "{}", stderr(&text));
    let report = stdout(&text);
    let section = report
        .split("Certificate (RSA)")
        .nth(1)
        .unwrap_or_else(|| panic!("no section for the RSA certificate:\n{report}"));
    let line = section
        .lines()
        .find(|l| l.trim_start().starts_with("revocation"))
        .unwrap_or_else(|| panic!("no revocation line for the RSA certificate:\n{report}"));
    assert!(line.contains("REVOKED (revoked on 20"), "{line}");

    // Prometheus labels it with its kind of key.
    let prom = scan(
        &pki,
        &[format!("127.0.0.1:{port}")],
        &["--check-revocation", "--format", "prometheus"],
    );
    let metrics = stdout(&prom);
    assert!(
        metrics.contains(&format!(
            "tlskit_scan_certificate_revoked{{target=\"127.0.0.1:{port}\",key=\"rsa\"}} 1\n"
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            "tlskit_scan_certificate_revoked{{target=\"127.0.0.1:{port}\"}} 0\n"
        )),
        "{metrics}"
    );
}
