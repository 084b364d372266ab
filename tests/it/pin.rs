//! `tlskit pin`: pins equal what the openssl pipeline computes, curl accepts
//! them, `--expect` decides the exit code, and the trust-on-first-use store
//! records, checks, forgets and survives concurrent writers.

use crate::util;

use std::process::Command;
use std::time::Duration;

use crate::util::{assert_exit, code, have, sh, stderr, stdout, Dir};

/// `openssl req -x509` with one of the key algorithms, as a server certificate for localhost.
fn openssl_cert(dir: &Dir, stem: &str, newkey: &[&str]) {
    let mut args = vec![
        "req",
        "-x509",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=localhost",
    ];
    args.extend_from_slice(newkey);
    let cert = format!("{stem}.pem");
    let key = format!("{stem}-key.pem");
    args.extend_from_slice(&["-keyout", &key, "-out", &cert]);
    args.extend_from_slice(&[
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
    ]);
    let out = Command::new("openssl")
        .args(&args)
        .current_dir(dir.path())
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const KEY_TYPES: [(&str, &[&str]); 4] = [
    (
        "p256",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    ),
    (
        "p384",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    ),
    ("ed25519", &["-newkey", "ed25519"]),
    ("rsa", &["-newkey", "rsa:2048"]),
];

#[test]
fn pins_equal_the_openssl_pipeline_for_every_key_type() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    for (stem, newkey) in KEY_TYPES {
        openssl_cert(&dir, stem, newkey);
        let cert = format!("{stem}.pem");
        let key = format!("{stem}-key.pem");
        let expected = util::openssl_pin(&dir, &format!("openssl x509 -in {cert} -pubkey -noout"));
        assert_eq!(
            dir.ok(&["pin", &cert]).trim(),
            expected,
            "{stem} certificate"
        );
        // The private key gives the same pin as its certificate, as openssl computes it.
        let from_key = util::openssl_pin(&dir, &format!("openssl pkey -in {key} -pubout"));
        assert_eq!(from_key, expected, "{stem}: openssl itself agrees");
        assert_eq!(
            dir.ok(&["pin", &key]).trim(),
            expected,
            "{stem} private key"
        );
        // A CSR for the same key.
        let csr = format!("{stem}.csr");
        sh(
            dir.path(),
            &format!("openssl req -new -key {key} -subj /CN=localhost -out {csr}"),
        );
        let from_csr = util::openssl_pin(&dir, &format!("openssl req -in {csr} -pubkey -noout"));
        assert_eq!(dir.ok(&["pin", &csr]).trim(), from_csr, "{stem} CSR");
        assert_eq!(from_csr, expected);
        // DER input gives the same pin.
        sh(
            dir.path(),
            &format!("openssl x509 -in {cert} -outform der -out {stem}.der"),
        );
        assert_eq!(dir.ok(&["pin", &format!("{stem}.der")]).trim(), expected);
    }
}

#[test]
fn gencert_keys_pin_like_openssl() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    for kt in ["p256", "p384", "ed25519", "rsa2048"] {
        dir.ok(&["gencert", "localhost", "--key-type", kt, "--out", kt, "-q"]);
        let cert = format!("{kt}.pem");
        let expected = util::openssl_pin(&dir, &format!("openssl x509 -in {cert} -pubkey -noout"));
        assert_eq!(dir.ok(&["pin", &cert]).trim(), expected, "{kt}");
        assert_eq!(
            dir.ok(&["pin", &format!("{kt}-key.pem")]).trim(),
            expected,
            "{kt} key"
        );
    }
}

#[test]
fn tlsa_hex_base64_and_hpkp_forms() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    openssl_cert(
        &dir,
        "c",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    // DANE 3 1 1: SHA-256 of the DER SubjectPublicKeyInfo, in hex.
    let hex = sh(
        dir.path(),
        "openssl x509 -in c.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex",
    );
    let hex = hex.trim().rsplit(' ').next().unwrap().to_ascii_lowercase();
    assert_eq!(hex.len(), 64);
    assert_eq!(
        dir.ok(&["pin", "c.pem", "--format", "tlsa"]).trim(),
        format!("3 1 1 {hex}")
    );
    assert_eq!(dir.ok(&["pin", "c.pem", "--format", "hex"]).trim(), hex);
    let curl = util::openssl_pin(&dir, "openssl x509 -in c.pem -pubkey -noout");
    let b64 = curl.strip_prefix("sha256//").unwrap();
    assert_eq!(dir.ok(&["pin", "c.pem", "--format", "base64"]).trim(), b64);
    assert_eq!(
        dir.ok(&["pin", "c.pem", "--format", "hpkp"]).trim(),
        format!("pin-sha256=\"{b64}\"")
    );
    dir.expect_exact(
        &["pin", "c.pem", "--format", "all", "--color", "never"],
        0,
        &format!(
            "c.pem #0 leaf CN=localhost\n  \
             curl:   {curl}\n  \
             hex:    {hex}\n  \
             base64: {b64}\n  \
             hpkp:   pin-sha256=\"{b64}\"\n  \
             tlsa:   3 1 1 {hex}\n"
        ),
        "",
    );
    let json: serde_json::Value =
        serde_json::from_str(&dir.ok(&["pin", "c.pem", "--json"])).unwrap();
    let p = &json["targets"][0]["pins"][0];
    assert_eq!(p["pin"], curl.as_str());
    assert_eq!(p["tlsa"], format!("3 1 1 {hex}").as_str());
    assert_eq!(p["label"], "leaf");
}

#[test]
fn chain_pins_every_certificate_labelled() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
    let bundle = format!("{}{}", dir.read("localhost.pem"), dir.read("ca.pem"));
    std::fs::write(dir.join("chain.pem"), bundle).unwrap();
    let leaf = dir.ok(&["pin", "localhost.pem"]);
    let ca = dir.ok(&["pin", "ca.pem"]);
    let (leaf_pin, ca_pin) = (leaf.trim(), ca.trim());
    // The default CA name ends in a random suffix.
    let ca_json: serde_json::Value =
        serde_json::from_str(&dir.ok(&["--json", "inspect", "ca.pem"])).unwrap();
    let ca_name = ca_json["inputs"][0]["certificates"][0]["subject"]
        .as_str()
        .unwrap();
    assert!(ca_name.starts_with("CN=tlskit local CA "), "{ca_name}");
    dir.expect_exact(
        &["pin", "chain.pem", "--chain", "--color", "never"],
        0,
        &format!("{leaf_pin}  #0 leaf CN=localhost\n{ca_pin}  #1 root {ca_name}\n"),
        "",
    );
    // DANE: the server's own key is DANE-EE (3 1 1), a CA's is DANE-TA (2 1 1),
    // also when the CA is pinned on its own.
    let hex = |p: &str| {
        let b = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            p.trim().strip_prefix("sha256//").unwrap(),
        )
        .unwrap();
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    };
    dir.expect_exact(
        &["pin", "chain.pem", "--chain", "--format", "tlsa"],
        0,
        &format!(
            "3 1 1 {}  #0 leaf CN=localhost\n2 1 1 {}  #1 root {ca_name}\n",
            hex(&leaf),
            hex(&ca)
        ),
        "",
    );
    assert_eq!(
        dir.ok(&["pin", "ca.pem", "--format", "tlsa"]).trim(),
        format!("2 1 1 {}", hex(&ca))
    );
    let json: serde_json::Value =
        serde_json::from_str(&dir.ok(&["pin", "ca.pem", "--json"])).unwrap();
    assert_eq!(json["targets"][0]["pins"][0]["label"], "root");
    // Without --chain, only the leaf.
    assert_eq!(dir.ok(&["pin", "chain.pem"]), leaf);
    // Several targets: one labelled line each.
    let two = dir.ok(&["pin", "localhost.pem", "ca.pem"]);
    assert_eq!(
        two,
        format!("{}  localhost.pem\n{}  ca.pem\n", leaf.trim(), ca.trim())
    );
    // A key is not a chain.
    dir.expect(
        &["pin", "--chain", "localhost-key.pem"],
        1,
        "",
        "tlskit: error: --chain: 'localhost-key.pem' holds a private key, not a certificate \
         chain\n",
    );
}

#[test]
fn expect_decides_the_exit_code() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "-q"]);
    dir.ok(&["gencert", "other", "-q"]);
    let pin = dir.ok(&["pin", "localhost.pem"]).trim().to_string();
    let other = dir.ok(&["pin", "other.pem"]).trim().to_string();
    let hex = dir
        .ok(&["pin", "localhost.pem", "--format", "hex"])
        .trim()
        .to_string();

    dir.expect_exact(
        &["pin", "localhost.pem", "--expect", &pin],
        0,
        &format!("{pin}\n"),
        "tlskit: localhost.pem: matches an expected pin\n",
    );
    // Any one of several, in curl's list form or repeated, hex or HPKP too.
    assert_eq!(
        code(&dir.run(&[
            "pin",
            "localhost.pem",
            "--expect",
            &format!("{other};{pin}")
        ])),
        0
    );
    assert_eq!(
        code(&dir.run(&["pin", "localhost.pem", "--expect", &other, "--expect", &hex])),
        0
    );
    let hpkp = format!("pin-sha256=\"{}\"", pin.strip_prefix("sha256//").unwrap());
    assert_eq!(
        code(&dir.run(&["pin", "localhost-key.pem", "--expect", &hpkp])),
        0
    );

    // What was seen is printed, and the mismatch said twice: as a finding, then as the error.
    dir.expect_exact(
        &["pin", "localhost.pem", "--expect", &other],
        6,
        &format!("{pin}\n"),
        &format!(
            "tlskit: localhost.pem: matches NO expected pin\n\
             tlskit: error: pin mismatch for localhost.pem: it has {pin}; expected {other}\n"
        ),
    );

    dir.expect(
        &["pin", "localhost.pem", "--expect", "sha256//nope"],
        2,
        "",
        "tlskit: error: --expect: 'sha256//nope' is not a pin: a SHA-256 pin is 32 bytes, this \
         is 3\n",
    );
}

#[test]
fn curl_accepts_the_printed_pin_and_refuses_another() {
    if !have("curl") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "localhost", "--issuer", "ca.pem", "-q"]);
    dir.ok(&["gencert", "other", "-q"]);
    let pin = dir.ok(&["pin", "localhost.pem"]).trim().to_string();
    let wrong = dir.ok(&["pin", "other.pem"]).trim().to_string();
    let served = util::spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "localhost.pem",
            "--key",
            "localhost-key.pem",
        ],
    );
    assert_eq!(served.pin, pin, "serve prints the pin tlskit pin computes");
    let port = served.port;
    let url = format!("https://localhost:{port}/");
    let curl = |pin: &str| {
        let mut cmd = Command::new("curl");
        cmd.current_dir(dir.path()).args([
            "-sS",
            "-o",
            "/dev/null",
            "--max-time",
            "10",
            "--resolve",
            &format!("localhost:{port}:127.0.0.1"),
            "--cacert",
            "ca.pem",
            "--pinnedpubkey",
            pin,
            &url,
        ]);
        util::run_bounded(cmd, Duration::from_secs(30))
    };
    let ok = curl(&pin);
    assert_eq!(code(&ok), 0, "curl refused tlskit's pin: {}", stderr(&ok));
    let refused = curl(&wrong);
    assert_eq!(
        code(&refused),
        90,
        "curl accepted a wrong pin: {}",
        stderr(&refused)
    );
    // The live server's pin is the file's.
    assert_eq!(
        dir.ok(&["pin", &format!("127.0.0.1:{port}"), "-q"]).trim(),
        pin
    );
}

/// A pin store in the test's directory.
fn with_store(dir: &Dir, args: &[&str]) -> std::process::Output {
    let mut cmd = dir.tlskit(args);
    cmd.env("TLSKIT_PIN_STORE", dir.join("pins"));
    util::run_bounded(cmd, Duration::from_secs(60))
}

#[test]
fn trust_on_first_use_records_checks_refuses_and_forgets() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "--out", "a", "-q"]);
    dir.ok(&["gencert", "localhost", "--out", "b", "-q"]);
    let pin_a = dir.ok(&["pin", "a.pem"]).trim().to_string();
    let pin_b = dir.ok(&["pin", "b.pem"]).trim().to_string();
    let server = util::spawn_serve(&dir, &["--cert", "a.pem", "--key", "a-key.pem"]);
    let port = server.port;
    let target = format!("localhost:{port}");

    // First contact: recorded.
    let out = with_store(&dir, &["pin", &target, "--trust"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("first use: recorded"),
        "{}",
        stderr(&out)
    );
    let store = dir.read("pins");
    let fields: Vec<&str> = store.split_whitespace().collect();
    assert_eq!(fields.len(), 3, "{store}");
    assert_eq!((fields[0], fields[1]), (target.as_str(), pin_a.as_str()));
    let recorded_at = fields[2].to_string();

    // Second contact: passes, nothing rewritten.
    let out = with_store(&dir, &["pin", &target, "--trust"]);
    assert_exit(&out, 0);
    assert!(stderr(&out).contains("matches the one recorded"));
    assert_eq!(dir.read("pins"), store);

    // The server is restarted with another key: refused with 6, old and new pins and when.
    drop(server);
    let listen = format!("127.0.0.1:{port}");
    let _server_b = util::spawn_serve_on(&dir, &listen, &["--cert", "b.pem", "--key", "b-key.pem"]);
    let out = with_store(&dir, &["pin", &target, "--trust"]);
    assert_exit(&out, 6);
    let err = stderr(&out);
    assert!(
        err.contains(&pin_a) && err.contains(&pin_b) && err.contains(&recorded_at),
        "{err}"
    );
    assert!(err.contains("CHANGED"), "{err}");
    assert_eq!(dir.read("pins"), store, "a refused key is not recorded");

    // --list shows it; --forget clears it; then the new key is recorded.
    let list = with_store(&dir, &["pin", "--list"]);
    assert_eq!(
        stdout(&list).trim(),
        format!("{target} {pin_a} {recorded_at}")
    );
    let out = with_store(&dir, &["pin", "--forget", &target]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains(&pin_a));
    assert_eq!(stdout(&with_store(&dir, &["pin", "--list"])).trim(), "");
    let out = with_store(&dir, &["pin", "--forget", &target]);
    assert_eq!(code(&out), 1, "forgetting twice");
    assert!(stderr(&out).contains("no pin is recorded"));
    assert_eq!(code(&with_store(&dir, &["pin", &target, "--trust"])), 0);
    assert!(dir.read("pins").contains(&pin_b));

    // --trust needs servers.
    let out = with_store(&dir, &["pin", "a.pem", "--trust"]);
    assert_exit(&out, 2);
}

/// Two processes recording into one store at the same time: every line survives.
#[test]
fn store_survives_two_concurrent_writers() {
    let dir = Dir::new();
    let store = dir.join("pins");
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|w| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "pin::concurrent_writer_child",
                    "--ignored",
                    "--nocapture",
                ])
                .env("TLSKIT_TEST_WRITER", w.to_string())
                .env("TLSKIT_PIN_STORE", &store)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success(), "a writer failed");
    }
    let text = std::fs::read_to_string(&store).unwrap();
    assert_eq!(text.lines().count(), 2 * WRITES, "{text}");
    for w in 0..2 {
        for i in 0..WRITES {
            assert!(
                text.contains(&format!("w{w}-{i}.test:443 ")),
                "w{w}-{i} lost"
            );
        }
    }
    // And the binary reads what the library wrote.
    let mut cmd = dir.tlskit(&["pin", "--list"]);
    cmd.env("TLSKIT_PIN_STORE", &store);
    let out = util::run_bounded(cmd, Duration::from_secs(30));
    assert_eq!(stdout(&out).lines().count(), 2 * WRITES);
}

const WRITES: usize = 60;

/// Run only by `store_survives_two_concurrent_writers`, as a separate process.
#[test]
#[ignore = "a child process of store_survives_two_concurrent_writers"]
fn concurrent_writer_child() {
    let Ok(w) = std::env::var("TLSKIT_TEST_WRITER") else {
        eprintln!("run by store_survives_two_concurrent_writers only");
        return;
    };
    let store = tlskit::pinstore::PinStore::open_default().unwrap();
    for i in 0..WRITES {
        let pin = tlskit::tls::pin::Pin::of_spki(format!("{w}/{i}").as_bytes());
        let host = tlskit::pinstore::store_key(&format!("w{w}-{i}.test"), 443);
        let r = store.check_or_record(&host, &pin).unwrap();
        assert!(matches!(r, tlskit::pinstore::Tofu::Recorded(_)));
    }
}

/// The pin of the `n`th certificate of a file (`pin --chain -q`: a line each, the pin first).
fn chain_pin(dir: &Dir, file: &str, n: usize) -> String {
    let out = dir.ok(&["pin", file, "--chain", "-q"]);
    let line = out
        .lines()
        .nth(n)
        .unwrap_or_else(|| panic!("no pin #{n}: {out}"));
    line.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_expected_ca_pin_counts_only_for_certificates_that_ca_issued() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--out", "ca", "--cn", "Pinned CA", "-q"]);
    dir.ok(&[
        "gencert",
        "localhost",
        "--issuer",
        "ca.pem",
        "--out",
        "leaf",
        "-q",
    ]);
    dir.ok(&["gencert", "localhost", "--out", "impostor", "-q"]);
    let ca_pem = dir.read("ca.pem");
    std::fs::write(dir.join("good.pem"), dir.read("leaf.pem") + &ca_pem).unwrap();
    // An impostor's own leaf with the pinned CA's public certificate appended.
    std::fs::write(dir.join("bad.pem"), dir.read("impostor.pem") + &ca_pem).unwrap();
    let ca_pin = chain_pin(&dir, "ca.pem", 0);
    assert_eq!(chain_pin(&dir, "good.pem", 1), ca_pin);
    assert_eq!(chain_pin(&dir, "bad.pem", 1), ca_pin);

    dir.exits(&["pin", "good.pem", "--chain", "--expect", &ca_pin], 0);
    let out = dir.exits(&["pin", "bad.pem", "--chain", "--expect", &ca_pin], 6);
    assert!(
        stderr(&out).contains(
            "CN=Pinned CA, which it presents, but its first certificate does not chain up to it"
        ),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(
        &dir.run(&["--json", "pin", "bad.pem", "--chain", "--expect", &ca_pin]),
    ))
    .unwrap();
    assert_eq!(json["targets"][0]["expect_matched"], false, "{json:#}");

    // The same over the network: serve presents each chain as it is in the file.
    for (file, key, want) in [
        ("good.pem", "leaf-key.pem", 0),
        ("bad.pem", "impostor-key.pem", 6),
    ] {
        let served = util::spawn_serve(&dir, &["--cert", file, "--key", key]);
        dir.exits(&["pin", &served.addr, "--chain", "--expect", &ca_pin], want);
    }
}

/// A store reached through a symbolic link (dotfiles kept elsewhere) is
/// written through the link, in the real file's directory; the link stays a
/// link. A store over the size cap is refused with a sentence, not read.
#[cfg(unix)]
#[test]
fn a_store_behind_a_symlink_stays_one_store_and_a_huge_one_is_refused() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "127.0.0.1", "--out", "a", "-q"]);
    let pin_a = dir.ok(&["pin", "a.pem"]).trim().to_string();
    let server = util::spawn_serve(&dir, &["--cert", "a.pem", "--key", "a-key.pem"]);
    std::fs::create_dir(dir.join("dotfiles")).unwrap();
    // Dangling at first: the first record creates the link's target.
    std::os::unix::fs::symlink("dotfiles/pins", dir.join("pins")).unwrap();
    let target = format!("localhost:{}", server.port);
    let out = with_store(&dir, &["pin", &target, "--trust"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let meta = std::fs::symlink_metadata(dir.join("pins")).unwrap();
    assert!(
        meta.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let real = dir.read("dotfiles/pins");
    assert!(real.starts_with(&format!("{target} {pin_a} ")), "{real}");
    // A second server goes into the same real file, through the link.
    let target2 = format!("127.0.0.1:{}", server.port);
    let out = with_store(&dir, &["pin", &target2, "--trust"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::symlink_metadata(dir.join("pins"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(dir.read("dotfiles/pins").lines().count(), 2);
    assert!(
        !dir.join("pins.lock").exists(),
        "the lock is beside the real file"
    );

    // Over the cap: a clear error, exit 1, nothing read.
    let big = std::fs::File::create(dir.join("dotfiles/pins")).unwrap();
    big.set_len(17 * 1024 * 1024).unwrap();
    let out = with_store(&dir, &["pin", "--list"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("over the 16 MiB limit"),
        "{}",
        stderr(&out)
    );
}

/// `pin --trust` judges a server's certificate as `connect --tofu` does: one
/// for another name, or out of date, is refused (exit 5) and not recorded,
/// where `connect --tofu` would then refuse it for good.
#[test]
fn trust_refuses_a_certificate_for_another_name_or_out_of_date() {
    let dir = Dir::new();
    dir.ok(&["gencert", "other.test", "--out", "other", "-q"]);
    let served = util::spawn_serve(&dir, &["--cert", "other.pem", "--key", "other-key.pem"]);
    let target = format!("localhost:{}", served.port);
    let out = with_store(&dir, &["pin", &target, "--trust"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("was not recorded"), "{err}");
    assert!(
        err.contains("other.test"),
        "names what it is valid for: {err}"
    );
    assert!(!dir.join("pins").exists() || !dir.read("pins").contains("localhost"));
    // Its pin is still printed: only the recording is refused.
    let pin = dir.ok(&["pin", "other.pem"]).trim().to_string();
    assert!(stdout(&out).contains(&pin), "{}", stdout(&out));

    dir.ok(&[
        "gencert",
        "localhost",
        "--out",
        "old",
        "--not-before",
        "2001-01-01",
        "--days",
        "1",
        "-q",
    ]);
    let served = util::spawn_serve(&dir, &["--cert", "old.pem", "--key", "old-key.pem"]);
    let target = format!("localhost:{}", served.port);
    let out = with_store(&dir, &["pin", &target, "--trust"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    assert!(!dir.join("pins").exists() || !dir.read("pins").contains("localhost"));
}

/// The note `pin` prints for a chain that does not verify names only flags
/// `pin` has: `--ca FILE` (now a pin flag), never `--pin`; and giving the CA
/// as it says makes the note go.
#[test]
fn the_note_on_an_unverified_chain_names_flags_pin_has() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--out", "ca", "-q"]);
    dir.ok(&[
        "gencert",
        "localhost",
        "--issuer",
        "ca.pem",
        "--out",
        "leaf",
        "-q",
    ]);
    let served = util::spawn_serve(&dir, &["--cert", "leaf.pem", "--key", "leaf-key.pem"]);
    let target = format!("localhost:{}", served.port);
    let out = dir.run(&["pin", &target]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("--ca FILE"), "{}", stderr(&out));
    let out = dir.run(&["pin", &target, "--ca", "ca.pem"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stderr(&out).contains("did not verify"), "{}", stderr(&out));

    // A self-signed server: the advice names --ca (the certificate itself), not --pin.
    let served = util::spawn_serve(&dir, &[]);
    let out = dir.run(&["pin", &format!("localhost:{}", served.port)]);
    let err = stderr(&out);
    assert!(err.contains("--ca FILE"), "{err}");
    assert!(!err.contains("--pin"), "{err}");
}

/// `pin --starttls smtp`: the pin of a server behind a plaintext upgrade,
/// without `connect --showcerts | pin -`.
#[test]
fn starttls_pins_a_server_behind_a_plaintext_upgrade() {
    let dir = Dir::new();
    let served = util::spawn_serve(&dir, &[]);
    let front = util::smtp_starttls_front(served.port, 2);
    let target = format!("localhost:{front}");
    let out = dir.run(&["pin", &target, "--starttls", "smtp", "-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), served.pin);
    // Without it, the greeting is not TLS: said so, with the flag to use.
    let out = dir.run(&["pin", &target]);
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("--starttls"), "{}", stderr(&out));
}
