//! `tlskit inspect`: every field against what openssl says, chains and where
//! they end, findings, expiry checks, keys and CSRs, live servers, and bad
//! input that must fail with exit 1 and one clear line.

use crate::util;

use std::process::Command;
use std::time::Duration;

use crate::util::{assert_exit, code, have, sh, stderr, stdout, Dir};
use serde_json::Value;

fn json(dir: &Dir, args: &[&str]) -> Value {
    let mut all = vec!["--json", "inspect"];
    all.extend_from_slice(args);
    let out = dir.run(&all);
    assert!(
        code(&out) == 0 || code(&out) == 7,
        "tlskit {all:?}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("inspect --json prints one JSON document")
}

fn first_cert(v: &Value) -> &Value {
    &v["inputs"][0]["certificates"][0]
}

fn codes(input: &Value) -> Vec<String> {
    input["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// The TLS encoding of an SCT list, wrapped in the extension's OCTET STRING, as hex.
fn sct_extension_hex(scts: &[([u8; 32], u64)]) -> String {
    let mut list = Vec::new();
    for (log, ts) in scts {
        let mut sct = vec![0u8];
        sct.extend(log);
        sct.extend(ts.to_be_bytes());
        sct.extend([0, 0, 4, 3, 0, 4, 0xde, 0xad, 0xbe, 0xef]);
        list.extend((sct.len() as u16).to_be_bytes());
        list.extend(sct);
    }
    let mut tls = (list.len() as u16).to_be_bytes().to_vec();
    tls.extend(list);
    let mut der = vec![0x04, tls.len() as u8];
    der.extend(tls);
    der.iter().map(|b| format!("{b:02X}")).collect()
}

/// `inspect rich.pem` in text, after [`util::redact`].
const RICH_TEXT: &str = "
rich.pem: 1 certificate
#0 CN=www.example.test, O=Example [server, self-signed]
  subject:          CN=www.example.test, O=Example
  issuer:           CN=www.example.test, O=Example (self-signed)
  serial:           <hex:20>
  SANs:             DNS:www.example.test, DNS:*.example.test, IP:10.0.0.1, IP:2001:db8::1, email:ops@example.test, URI:https://example.test/id
  key:              ECDSA P-384
  valid:            <time> to <time> (expires in 90 days)
  signature:        ecdsa-with-SHA384
  basic constr.:    CA:FALSE (critical)
  key usage:        digitalSignature, keyEncipherment (critical)
  ext. key usage:   serverAuth, clientAuth
  subject key id:   <hex:20>
  auth. key id:     <hex:20>
  OCSP:             http://ocsp.example.test
  CA issuers:       http://ca.example.test/ca.crt
  CRL:              http://crl.example.test/ca.crl
  policies:         2.23.140.1.2.1 (domain validated)
  :                 1.3.6.1.4.1.44947.1.1.1
  SCTs:             <time>  log <pin>
  :                 <time>  log <pin>
  other ext.:       tlsFeature (must-staple)
  SHA-256:          <hex:32>
  SHA-1:            <hex:20>
  SPKI pin:         sha256//<pin>
Chain:
  ends at #0 CN=www.example.test, O=Example, a self-signed root NOT in Mozilla's roots
";

#[test]
fn every_field_of_a_rich_certificate() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let sct = sct_extension_hex(&[
        ([0x11; 32], 1_700_000_000_000),
        ([0x22; 32], 1_700_000_001_500),
    ]);
    let config = format!(
        "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = www.example.test\nO = Example\n\
         [ext]\n\
         subjectAltName = DNS:www.example.test,DNS:*.example.test,IP:10.0.0.1,IP:2001:db8::1,email:ops@example.test,URI:https://example.test/id\n\
         basicConstraints = critical,CA:FALSE\n\
         keyUsage = critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage = serverAuth,clientAuth\n\
         subjectKeyIdentifier = hash\n\
         authorityKeyIdentifier = keyid:always\n\
         authorityInfoAccess = OCSP;URI:http://ocsp.example.test,caIssuers;URI:http://ca.example.test/ca.crt\n\
         crlDistributionPoints = URI:http://crl.example.test/ca.crl\n\
         certificatePolicies = 2.23.140.1.2.1,@cps\n\
         tlsfeature = status_request\n\
         1.3.6.1.4.1.11129.2.4.2 = DER:{sct}\n\
         [cps]\npolicyIdentifier = 1.3.6.1.4.1.44947.1.1.1\nCPS.1 = \"http://cps.example.test\"\n"
    );
    std::fs::write(dir.join("rich.cnf"), config).unwrap();
    sh(
        dir.path(),
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout rich-key.pem \
         -out rich.pem -days 90 -config rich.cnf -extensions ext -sha384",
    );
    let v = json(&dir, &["rich.pem"]);
    let c = first_cert(&v);
    assert_eq!(c["version"], 3);
    assert!(c["subject"]
        .as_str()
        .unwrap()
        .contains("CN=www.example.test"));
    assert_eq!(c["subject"], c["issuer"]);
    let sans: Vec<(String, String)> = c["sans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["type"].as_str().unwrap().into(),
                s["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("dns", "www.example.test"),
        ("dns", "*.example.test"),
        ("ip", "10.0.0.1"),
        ("ip", "2001:db8::1"),
        ("email", "ops@example.test"),
        ("uri", "https://example.test/id"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(sans, expected);
    assert_eq!(c["key"]["algorithm"], "ECDSA");
    assert_eq!(c["key"]["curve"], "P-384");
    assert_eq!(c["signature_algorithm"], "ecdsa-with-SHA384");
    assert_eq!(c["basic_constraints"]["ca"], false);
    assert_eq!(c["basic_constraints"]["critical"], true);
    assert_eq!(
        c["key_usage"]["usages"],
        serde_json::json!(["digitalSignature", "keyEncipherment"])
    );
    assert_eq!(
        c["extended_key_usage"]["purposes"],
        serde_json::json!(["serverAuth", "clientAuth"])
    );
    let ski = sh(
        dir.path(),
        "openssl x509 -in rich.pem -noout -ext subjectKeyIdentifier",
    );
    assert_eq!(c["subject_key_id"], ski.lines().nth(1).unwrap().trim());
    assert_eq!(c["authority_key_id"], c["subject_key_id"]);
    assert_eq!(
        c["authority_info_access"]["ocsp"],
        serde_json::json!(["http://ocsp.example.test"])
    );
    assert_eq!(
        c["authority_info_access"]["ca_issuers"],
        serde_json::json!(["http://ca.example.test/ca.crt"])
    );
    assert_eq!(
        c["crl_distribution_points"],
        serde_json::json!(["http://crl.example.test/ca.crl"])
    );
    assert_eq!(c["policies"][0]["oid"], "2.23.140.1.2.1");
    assert_eq!(c["policies"][0]["name"], "domain validated");
    assert_eq!(c["policies"][1]["oid"], "1.3.6.1.4.1.44947.1.1.1");
    assert_eq!(
        c["policies"][1]["cps"],
        serde_json::json!(["http://cps.example.test"])
    );
    let scts = c["scts"].as_array().unwrap();
    assert_eq!(scts.len(), 2);
    assert_eq!(
        scts[0]["log_id"],
        "ERERERERERERERERERERERERERERERERERERERERERE="
    );
    assert_eq!(scts[0]["timestamp"], "2023-11-14T22:13:20Z");
    assert_eq!(scts[1]["timestamp"], "2023-11-14T22:13:21.5Z");
    assert_eq!(scts[1]["signature_algorithm"], "ecdsa-sha256");
    assert!(c["other_extensions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["oid"] == "1.3.6.1.5.5.7.1.24"));
    assert_eq!(c["malformed_extensions"], serde_json::json!([]));
    assert_eq!(
        c["sha256_fingerprint"],
        util::openssl_fingerprint(&dir, "rich.pem", "sha256")
    );
    assert_eq!(
        c["sha1_fingerprint"],
        util::openssl_fingerprint(&dir, "rich.pem", "sha1")
    );
    let serial = sh(dir.path(), "openssl x509 -in rich.pem -noout -serial");
    let ours = c["serial"].as_str().unwrap().replace(':', "");
    assert_eq!(
        ours.trim_start_matches("00"),
        serial
            .trim()
            .trim_start_matches("serial=")
            .trim_start_matches("00")
    );
    assert_eq!(c["self_signed"], true);
    assert_eq!(c["validity"], "valid");
    assert_eq!(c["days_left"], 90);
    let not_after = sh(
        dir.path(),
        "openssl x509 -in rich.pem -noout -enddate -dateopt iso_8601",
    );
    let not_after = not_after
        .trim()
        .trim_start_matches("notAfter=")
        .replace(' ', "T");
    assert_eq!(c["not_after"], not_after.as_str());

    // The text form shows the same, with IPs as addresses.
    let out = dir.expect(
        &["inspect", "rich.pem", "--color", "never"],
        0,
        RICH_TEXT,
        "",
    );
    let text = stdout(&out);
    // What the comparison redacts: the SCTs' fixed times and log ids, and
    // the fingerprint and pin, which must be those of the JSON form.
    for needle in [
        "2023-11-14T22:13:20Z  log ERERERERERERERERERERERERERERERERERERERERERE=",
        "2023-11-14T22:13:21.5Z  log IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=",
        c["sha256_fingerprint"].as_str().unwrap(),
        c["spki_pin"].as_str().unwrap(),
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn the_system_bundle_parses_every_certificate() {
    let bundle = "/etc/ssl/certs/ca-certificates.crt";
    let Ok(text) = std::fs::read_to_string(bundle) else {
        util::skip("system CA bundle", &format!("no {bundle} on this machine"));
        return;
    };
    let expected = text.matches("-----BEGIN CERTIFICATE-----").count();
    assert!(expected > 50);
    let dir = Dir::new();
    let v = json(&dir, &[bundle]);
    let certs = v["inputs"][0]["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), expected);
    assert_eq!(v["inputs"][0]["chain"]["shape"], "collection");
    let mut fingerprints: Vec<&str> = certs
        .iter()
        .map(|c| c["sha256_fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(
        fingerprints.len(),
        expected,
        "every certificate is distinct"
    );
    // Most roots of the system bundle are Mozilla's: they are found in the built-in store.
    let anchors = certs.iter().filter(|c| c["in_trust_store"] == true).count();
    assert!(
        anchors > expected / 2,
        "{anchors} of {expected} in the trust store"
    );
    if have("openssl") {
        assert_eq!(
            certs[0]["sha256_fingerprint"],
            util::openssl_fingerprint(&dir, bundle, "sha256")
        );
    }
}

/// root -> intermediate -> leaf, made by openssl.
fn three_level_chain(dir: &Dir) {
    std::fs::write(
        dir.join("int.ext"),
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n\
         subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:leaf.test\n",
    )
    .unwrap();
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    sh(
        dir.path(),
        &format!(
            "openssl req -x509 {ec} -keyout root-key.pem -out root.pem -days 60 -subj '/CN=Test Root' \
               -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign && \
             openssl req -new {ec} -keyout int-key.pem -out int.csr -subj '/CN=Test Intermediate' && \
             openssl x509 -req -in int.csr -CA root.pem -CAkey root-key.pem -CAcreateserial -days 50 \
               -extfile int.ext -out int.pem && \
             openssl req -new {ec} -keyout leaf-key.pem -out leaf.csr -subj /CN=leaf.test && \
             openssl x509 -req -in leaf.csr -CA int.pem -CAkey int-key.pem -CAcreateserial -days 40 \
               -extfile leaf.ext -out leaf.pem && \
             cat leaf.pem int.pem root.pem > full.pem && cat int.pem leaf.pem > reversed.pem && \
             cat leaf.pem root.pem > gap.pem && cat leaf.pem int.pem > served.pem"
        ),
    );
}

#[test]
fn chains_order_signatures_and_where_they_end() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    three_level_chain(&dir);

    let v = json(&dir, &["full.pem"]);
    let input = &v["inputs"][0];
    let chain = &input["chain"];
    assert_eq!(chain["shape"], "chain");
    assert_eq!(chain["in_order"], true);
    assert_eq!(chain["path"], serde_json::json!([0, 1, 2]));
    for link in chain["links"].as_array().unwrap() {
        assert_eq!(link["signed_by_next"]["status"], "signed", "{link}");
    }
    assert_eq!(chain["end"]["status"], "untrusted_root");
    assert_eq!(chain["end"]["index"], 2);
    assert!(codes(input).is_empty(), "{:?}", codes(input));
    let roles: Vec<&str> = input["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["server", "ca", "ca"]);

    // Trusted when the root is given with --ca, whether or not it was sent.
    let v = json(&dir, &["full.pem", "--ca", "root.pem"]);
    assert_eq!(v["inputs"][0]["chain"]["end"]["status"], "trusted_root");
    assert_eq!(v["inputs"][0]["chain"]["end"]["index"], 2);
    let v = json(&dir, &["served.pem", "--ca", "root.pem"]);
    let end = &v["inputs"][0]["chain"]["end"];
    assert_eq!(end["status"], "trusted_root");
    assert_eq!(end["index"], Value::Null);
    assert_eq!(end["root"], "CN=Test Root");

    // Out of order.
    let v = json(&dir, &["reversed.pem"]);
    let input = &v["inputs"][0];
    assert_eq!(input["chain"]["in_order"], false);
    assert_eq!(input["chain"]["path"], serde_json::json!([1, 0]));
    assert_eq!(
        input["chain"]["links"][0]["signed_by_next"]["status"],
        "not_issuer"
    );
    assert!(codes(input).contains(&"chain-order".to_string()));

    // Missing intermediate: the leaf's issuer is nowhere; the root is unrelated to it.
    let v = json(&dir, &["gap.pem"]);
    let input = &v["inputs"][0];
    let c = codes(input);
    assert!(c.contains(&"missing-intermediate".to_string()), "{c:?}");
    assert!(c.contains(&"chain-unrelated".to_string()), "{c:?}");
    assert_eq!(input["chain"]["end"]["status"], "issuer_not_found");
    assert_eq!(input["chain"]["end"]["issuer"], "CN=Test Intermediate");

    let text = dir.ok(&["inspect", "reversed.pem", "--color", "never"]);
    assert!(
        text.contains("#0 CN=Test Intermediate: NOT issued by #1"),
        "{text}"
    );
    assert!(text.contains("warning: chain-order"), "{text}");
    let text = dir.ok(&["inspect", "full.pem", "--color", "never"]);
    assert!(text.contains("#0 CN=leaf.test: signed by #1"), "{text}");
    assert!(
        text.contains("#1 CN=Test Intermediate: signed by #2"),
        "{text}"
    );
}

#[test]
fn a_live_server_shows_the_files_fingerprints() {
    let dir = Dir::new();
    three_level_chain(&dir);
    let served_chain = format!("{}{}", dir.read("leaf.pem"), dir.read("int.pem"));
    std::fs::write(dir.join("served.pem"), served_chain).unwrap();
    let served = util::spawn_serve(&dir, &["--cert", "served.pem", "--key", "leaf-key.pem"]);
    let port = served.port;
    let target = format!("127.0.0.1:{port}");

    let live = json(&dir, &[&target]);
    let input = &live["inputs"][0];
    assert_eq!(input["kind"], "server");
    assert_eq!(input["server"]["verified"], false);
    assert!(
        input["server"]["verification_error"]
            .as_str()
            .unwrap()
            .len()
            > 10
    );
    let files = json(&dir, &["leaf.pem", "int.pem"]);
    for (i, file) in ["leaf.pem", "int.pem"].iter().enumerate() {
        let from_file = &files["inputs"][i]["certificates"][0]["sha256_fingerprint"];
        assert_eq!(&input["certificates"][i]["sha256_fingerprint"], from_file);
        assert_eq!(
            input["certificates"][i]["sha256_fingerprint"],
            util::openssl_fingerprint(&dir, file, "sha256")
        );
    }
    assert_eq!(
        input["chain"]["links"][0]["signed_by_next"]["status"],
        "signed"
    );
    // The server did not send the root, and it is not a public one.
    assert!(codes(input).contains(&"missing-intermediate".to_string()));

    // With the root and the right name, it verifies and the chain ends in the store.
    let live = json(
        &dir,
        &[&target, "--ca", "root.pem", "--servername", "leaf.test"],
    );
    let input = &live["inputs"][0];
    assert_eq!(input["server"]["verified"], true, "{}", input["server"]);
    assert_eq!(input["chain"]["end"]["status"], "trusted_root");
    assert!(codes(input).is_empty(), "{:?}", codes(input));

    // --pem saves exactly the chain the server sent.
    let pem = dir.ok(&["inspect", &target, "--pem"]);
    assert_eq!(
        pem,
        format!("{}{}", dir.read("leaf.pem"), dir.read("int.pem"))
    );

    // --key against the live leaf.
    dir.exits(&["inspect", &target, "--key", "leaf-key.pem"], 0);
    dir.exits(&["inspect", &target, "--key", "int-key.pem"], 1);
}

#[test]
fn findings_name_what_is_wrong() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30";
    let leaf = "-addext basicConstraints=critical,CA:FALSE";
    sh(
        dir.path(),
        &format!(
            "openssl req -x509 {ec} -keyout k1.pem -out nosan.pem -subj /CN=nosan.test {leaf} && \
             openssl req -x509 {ec} -keyout k2.pem -out caserver.pem -subj /CN=localhost \
               -addext subjectAltName=DNS:localhost && \
             openssl req -x509 -newkey rsa:1024 -nodes -days 30 -keyout k3.pem -out rsa1024.pem \
               -subj /CN=weak.test -addext subjectAltName=DNS:weak.test {leaf} && \
             openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha1 -keyout k4.pem -out sha1.pem \
               -subj /CN=sha1.test -addext subjectAltName=DNS:sha1.test {leaf} && \
             openssl req -x509 {ec} -keyout k5.pem -out codesign.pem -subj /CN=code.test \
               -addext subjectAltName=DNS:code.test -addext extendedKeyUsage=codeSigning {leaf} && \
             openssl req -x509 {ec} -keyout k6.pem -out wild.pem -subj /CN=wild.test {leaf} \
               -addext 'subjectAltName=DNS:f*.wild.test,DNS:*.test,DNS:*.ok.wild.test'"
        ),
    );
    dir.ok(&[
        "gencert",
        "old.test",
        "--not-before",
        "-40d",
        "--days",
        "10",
        "-q",
    ]);
    dir.ok(&[
        "gencert",
        "new.test",
        "--not-before",
        "+2d",
        "--days",
        "10",
        "-q",
    ]);
    dir.ok(&["gencert", "fine.test", "-q"]);
    let cases: [(&str, &[&str]); 9] = [
        ("nosan.pem", &["no-san"]),
        ("caserver.pem", &["ca-server"]),
        ("rsa1024.pem", &["weak-key"]),
        ("sha1.pem", &["weak-signature"]),
        ("codesign.pem", &["no-server-auth"]),
        ("wild.pem", &["wildcard", "wildcard"]),
        ("old.test.pem", &["expired"]),
        ("new.test.pem", &["not-yet-valid"]),
        ("fine.test.pem", &[]),
    ];
    for (file, expected) in cases {
        let v = json(&dir, &[file]);
        assert_eq!(codes(&v["inputs"][0]), expected.to_vec(), "{file}");
    }
    let v = json(&dir, &["wild.pem"]);
    let messages: Vec<&str> = v["inputs"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("'f*.wild.test'") && messages[0].contains("partial"));
    assert!(messages[1].contains("'*.test'") && messages[1].contains("top-level"));
    let text = dir.ok(&["inspect", "sha1.pem", "--color", "never"]);
    assert!(
        text.contains("warning: #0 weak-signature: signed with SHA-1"),
        "{text}"
    );
}

#[test]
fn expires_within_exits_7_for_cron() {
    let dir = Dir::new();
    dir.ok(&["gencert", "soon.test", "--days", "10", "-q"]);
    dir.ok(&["gencert", "later.test", "--days", "60", "-q"]);
    dir.ok(&[
        "gencert",
        "old.test",
        "--not-before",
        "-40d",
        "--days",
        "10",
        "-q",
    ]);
    let out = dir.exits(
        &[
            "inspect",
            "-q",
            "--expires-within",
            "30d",
            "later.test.pem",
            "soon.test.pem",
        ],
        7,
    );
    assert!(stdout(&out).is_empty(), "quiet");
    let err = stderr(&out);
    assert!(
        err.contains("soon.test.pem #0 CN=soon.test") && !err.contains("later.test"),
        "{err}"
    );
    for within in ["5d", "12h", "1w"] {
        dir.exits(
            &["inspect", "-q", "--expires-within", within, "soon.test.pem"],
            0,
        );
    }
    assert_eq!(
        code(&dir.run(&["inspect", "-q", "--expires-within", "2w", "soon.test.pem"])),
        7
    );
    assert_eq!(
        code(&dir.run(&["inspect", "-q", "--expires-within", "12h", "old.test.pem"])),
        7
    );
    let v = json(
        &dir,
        &["--expires-within", "30d", "soon.test.pem", "later.test.pem"],
    );
    assert_eq!(v["expiry_check"]["within_seconds"], 30 * 86_400);
    assert_eq!(v["expiry_check"]["expiring"].as_array().unwrap().len(), 1);
    dir.exits(&["inspect", "--expires-within", "soon", "soon.test.pem"], 2);
}

#[test]
fn validity_is_coloured_by_urgency() {
    let dir = Dir::new();
    dir.ok(&["gencert", "soon.test", "--days", "10", "-q"]);
    dir.ok(&["gencert", "later.test", "--days", "60", "-q"]);
    dir.ok(&[
        "gencert",
        "old.test",
        "--not-before",
        "-40d",
        "--days",
        "10",
        "-q",
    ]);
    let coloured = |file: &str| dir.ok(&["inspect", file, "--color", "always"]);
    assert!(coloured("soon.test.pem").contains("\x1b[33mexpires in 10 days"));
    assert!(coloured("later.test.pem").contains("\x1b[32mexpires in 60 days"));
    dir.ok(&[
        "gencert",
        "new.test",
        "--not-before",
        "+2d",
        "--days",
        "10",
        "-q",
    ]);
    assert!(coloured("new.test.pem").contains("\x1b[1;31mnot yet valid"));
    // 30 or 31 days, depending on how long the test took to get here.
    assert!(coloured("old.test.pem").contains("\x1b[1;31mexpired 3"));
    assert!(!dir
        .ok(&["inspect", "old.test.pem", "--color", "never"])
        .contains('\x1b'));
}

#[test]
fn keys_csrs_and_key_matching() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "--key-type", "rsa2048", "-q"]);
    dir.ok(&["gencert", "other.test", "--key-type", "ed25519", "-q"]);
    dir.ok(&[
        "gencert",
        "req.test",
        "10.1.2.3",
        "--csr",
        "req.csr",
        "--key-type",
        "p384",
        "-q",
    ]);
    let key_pem = dir.read("localhost-key.pem");

    let text = dir.ok(&["inspect", "localhost-key.pem", "--color", "never"]);
    assert!(text.contains("RSA 2048 bits"), "{text}");
    let cert_pin = dir.ok(&["pin", "localhost.pem"]);
    assert!(text.contains(cert_pin.trim()), "{text}");
    // The key itself never appears.
    let body: String = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!text.contains(&body[..40]));
    let v = json(&dir, &["localhost-key.pem"]);
    assert!(!v.to_string().contains(&body[..40]));
    assert_eq!(v["inputs"][0]["private_keys"][0]["key"]["bits"], 2048);

    let v = json(&dir, &["req.csr"]);
    let csr = &v["inputs"][0]["csrs"][0];
    assert_eq!(csr["subject"], "CN=req.test");
    assert_eq!(csr["key"]["curve"], "P-384");
    assert_eq!(csr["signature_valid"], true);
    assert_eq!(csr["sans"][1]["value"], "10.1.2.3");
    assert_eq!(csr["spki_pin"], dir.ok(&["pin", "req.test-key.pem"]).trim());

    let out = dir.exits(
        &["inspect", "localhost.pem", "--key", "localhost-key.pem"],
        0,
    );
    assert!(stdout(&out).contains("matches"));
    let out = dir.exits(
        &["inspect", "localhost.pem", "--key", "other.test-key.pem"],
        1,
    );
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does not belong to the certificate"), "{err}");
    let out = dir.exits(
        &["inspect", "localhost-key.pem", "--key", "localhost-key.pem"],
        1,
    );
    assert!(stderr(&out).contains("none of the inputs holds a certificate"));
    // A request without its certificate: the key is checked against the request.
    let v = json(&dir, &["req.csr", "--key", "req.test-key.pem"]);
    assert_eq!(v["key_check"]["results"][0]["kind"], "request");
    assert_eq!(v["key_check"]["results"][0]["matches"], true);
    let out = dir.exits(&["inspect", "req.csr", "--key", "other.test-key.pem"], 1);
    assert!(
        stderr(&out).contains("does not belong to the request in req.csr"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn der_and_standard_input() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "-q"]);
    sh(
        dir.path(),
        "openssl x509 -in localhost.pem -outform der -out localhost.der",
    );
    let pem = json(&dir, &["localhost.pem"]);
    let der = json(&dir, &["localhost.der"]);
    assert_eq!(
        first_cert(&pem)["sha256_fingerprint"],
        first_cert(&der)["sha256_fingerprint"]
    );
    let out = dir.run_with_stdin(
        &["--json", "inspect", "-"],
        dir.read("localhost.pem").as_bytes(),
    );
    assert_exit(&out, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["kind"], "stdin");
    assert_eq!(
        first_cert(&v)["sha256_fingerprint"],
        first_cert(&pem)["sha256_fingerprint"]
    );
    let der_bytes = std::fs::read(dir.join("localhost.der")).unwrap();
    let out = dir.run_with_stdin(&["pin", "-"], &der_bytes);
    assert_eq!(stdout(&out), dir.ok(&["pin", "localhost.pem"]));
    dir.exits(&["inspect", "-", "-"], 2);
}

#[test]
fn strings_from_the_certificate_cannot_drive_the_terminal() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    let mut cmd = Command::new("openssl");
    cmd.current_dir(dir.path()).args([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "k.pem",
        "-out",
        "evil.pem",
        "-days",
        "5",
        "-utf8",
        "-subj",
        "/CN=evil\x1b[31mred\u{202e}txt",
        "-addext",
        "subjectAltName=DNS:x\x1b[2J.test",
    ]);
    let out = util::run_bounded(cmd, Duration::from_secs(30));
    assert!(out.status.success(), "{}", stderr(&out));
    for args in [
        &["inspect", "evil.pem", "--color", "always"][..],
        &["inspect", "evil.pem", "-q", "--color", "never"][..],
        &["pin", "evil.pem", "--chain", "--color", "never"][..],
    ] {
        let out = dir.exits(args, 0);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        // Colour codes tlskit adds are fine; none may come from the certificate.
        assert!(
            !text.contains("\x1b[31mred") && !text.contains("\x1b[2J"),
            "{args:?}: {text:?}"
        );
        assert!(!text.contains('\u{202e}'), "{args:?}");
    }
    let text = dir.ok(&["inspect", "evil.pem", "--color", "never"]);
    assert!(text.contains("CN=evil\\e[31mred\\u{202e}txt"), "{text}");
    assert!(text.contains("DNS:x\\e[2J.test"), "{text}");
    // JSON carries the real string, escaped by JSON itself.
    let v = json(&dir, &["evil.pem"]);
    assert_eq!(first_cert(&v)["subject"], "CN=evil\x1b[31mred\u{202e}txt");
}

/// Every bad input: exit 1, one line on stderr saying what is wrong, nothing on stdout.
#[test]
fn bad_input_is_one_clear_line_and_exit_1() {
    let dir = Dir::new();
    dir.ok(&["gencert", "localhost", "-q"]);
    let pem = dir.read("localhost.pem");
    let der = {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    };
    std::fs::write(dir.join("empty.pem"), "").unwrap();
    std::fs::write(dir.join("truncated.pem"), &pem[..pem.len() / 2]).unwrap();
    std::fs::write(
        dir.join("badbase64.pem"),
        "-----BEGIN CERTIFICATE-----\nMIIB!!not*base64??\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    // Deterministic noise that starts like neither PEM nor DER.
    let mut x: u32 = 0x1234_5678;
    let noise: Vec<u8> = std::iter::once(0x9c)
        .chain((0..4096).map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        }))
        .collect();
    std::fs::write(dir.join("random.bin"), noise).unwrap();
    std::fs::write(dir.join("half.der"), &der[..der.len() / 2]).unwrap();
    let big = std::fs::File::create(dir.join("big.pem")).unwrap();
    big.set_len(50 * 1024 * 1024).unwrap();
    std::fs::create_dir(dir.join("adir")).unwrap();

    // The whole of stderr for each file, alike in inspect and pin.
    let files = [
        ("empty.pem", "'empty.pem' is empty"),
        (
            "truncated.pem",
            "'truncated.pem': truncated PEM (a section has no END line)",
        ),
        (
            "badbase64.pem",
            "'badbase64.pem': PEM body is not valid base64",
        ),
        (
            "random.bin",
            "'random.bin': neither PEM nor DER (no '-----BEGIN' line and no DER structure)",
        ),
        (
            "half.der",
            "'half.der': not PEM, and not a DER certificate, key or request (truncated or \
             corrupt DER?)",
        ),
        (
            "big.pem",
            "reading 'big.pem': larger than 16 MiB; this is not a certificate or key file",
        ),
        ("adir", "reading 'adir': is a directory, not a file"),
        (
            "missing.pem",
            "reading 'missing.pem': No such file or directory (os error 2)",
        ),
    ];
    for (file, why) in files {
        for cmd in ["inspect", "pin"] {
            dir.expect(&[cmd, file], 1, "", &format!("tlskit: error: {why}\n"));
        }
    }
    // A key where a certificate is expected, and the other way round.
    let cases: [(&[&str], &str); 3] = [
        (
            &["inspect", "localhost.pem", "--ca", "localhost-key.pem"],
            "--ca: 'localhost-key.pem': no certificate found (it holds a private key)",
        ),
        (
            &["inspect", "localhost.pem", "--key", "localhost.pem"],
            "--key: 'localhost.pem': no private key found (it holds a certificate)",
        ),
        (
            &["pin", "--chain", "localhost-key.pem"],
            "--chain: 'localhost-key.pem' holds a private key, not a certificate chain",
        ),
    ];
    for (args, why) in cases {
        dir.expect(args, 1, "", &format!("tlskit: error: {why}\n"));
    }
}

#[test]
fn unreachable_and_silent_servers_are_network_errors() {
    let dir = Dir::new();
    // Nothing listens: refused.
    let port = util::free_port();
    let out = dir.exits(&["inspect", &format!("127.0.0.1:{port}")], 3);
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    // A listener that never answers the ClientHello: the timeout ends it.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{}", silent.local_addr().unwrap().port());
    let out = dir.exits(&["pin", &target, "--timeout", "1"], 3);
    assert!(stdout(&out).is_empty());
}

/// Files people really have, made by OpenSSL: what tlskit cannot read is named,
/// with the openssl command that converts it; old and alternative PEM labels are read.
#[test]
fn containers_encrypted_keys_and_old_labels_made_by_openssl() {
    if !have("openssl") {
        return;
    }
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "-q"]);
    dir.ok(&["gencert", "srv.test", "--issuer", "ca.pem", "-q"]);
    dir.ok(&["gencert", "csr.test", "--csr", "req.csr", "-q"]);
    dir.ok(&["gencert", "rsa.test", "--key-type", "rsa2048", "-q"]);
    sh(
        dir.path(),
        "cat srv.test.pem ca.pem > chain.pem \
         && openssl crl2pkcs7 -nocrl -certfile chain.pem -out p7.pem \
         && openssl crl2pkcs7 -nocrl -certfile chain.pem -outform der -out p7.der \
         && openssl pkcs12 -export -in srv.test.pem -inkey srv.test-key.pem -passout pass:x -out a.p12 \
         && openssl rsa -in rsa.test-key.pem -traditional -aes128 -passout pass:x -out rsaenc.pem \
         && openssl pkcs8 -topk8 -in srv.test-key.pem -passout pass:x -out enc8.pem \
         && cat srv.test.pem rsaenc.pem > cert-and-encrypted-key.pem \
         && openssl x509 -in srv.test.pem -outform der -out c.der && cat c.der c.der > two.der \
         && openssl x509 -in ca.pem -trustout -addtrust serverAuth -out trusted.pem \
         && sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' req.csr > newreq.pem",
    );
    let hint = "openssl pkey -in FILE -out plain.pem";
    let cases: [(&[&str], &str); 8] = [
        (&["inspect", "p7.pem"], "a PKCS#7 bundle (.p7b)"),
        (
            &["inspect", "p7.der"],
            "openssl pkcs7 -in FILE -print_certs",
        ),
        (&["inspect", "a.p12"], "a PKCS#12 (.p12/.pfx) archive"),
        (&["pin", "a.p12"], "openssl pkcs12 -in FILE -nodes"),
        (&["inspect", "rsaenc.pem"], hint),
        (&["inspect", "enc8.pem"], hint),
        (
            &[
                "inspect",
                "chain.pem",
                "--key",
                "cert-and-encrypted-key.pem",
            ],
            hint,
        ),
        (&["inspect", "two.der"], "a DER certificate followed by"),
    ];
    for (args, why) in cases {
        let out = dir.run(args);
        let err = stderr(&out);
        assert_eq!(code(&out), 1, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got: {err}");
        assert!(err.contains(why), "{args:?}: expected {why:?} in {err}");
    }
    // A certificate beside an encrypted key: the certificate is read, the key listed as skipped.
    let v = json(&dir, &["cert-and-encrypted-key.pem"]);
    assert_eq!(first_cert(&v)["subject"], "CN=srv.test");
    assert_eq!(v["inputs"][0]["skipped"][0], "an encrypted private key");
    // OpenSSL's TRUSTED CERTIFICATE (trust settings appended) and the old CSR label.
    let ca_fp = util::openssl_fingerprint(&dir, "ca.pem", "sha256");
    let v = json(&dir, &["trusted.pem"]);
    assert_eq!(first_cert(&v)["sha256_fingerprint"], ca_fp.as_str());
    assert_eq!(dir.ok(&["pin", "trusted.pem"]), dir.ok(&["pin", "ca.pem"]));
    let v = json(&dir, &["newreq.pem"]);
    assert_eq!(v["inputs"][0]["csrs"][0]["subject"], "CN=csr.test");
    assert_eq!(dir.ok(&["pin", "newreq.pem"]), dir.ok(&["pin", "req.csr"]));
}

/// Mistakes on the command line are usage errors (exit 2), in inspect, pin and gencert alike.
#[test]
fn command_line_mistakes_exit_2() {
    let dir = Dir::new();
    let cases: [&[&str]; 5] = [
        &["inspect", "-", "-"],
        &["pin", "-", "-"],
        &["gencert", "bad name!"],
        &["gencert", "--not-before", "yesterday"],
        &["gencert", "--ca", "x.test"],
    ];
    for args in &cases[..2] {
        dir.expect(
            args,
            2,
            "",
            "tlskit: error: '-' (standard input) can be given only once\n",
        );
    }
    for args in &cases[2..] {
        let out = dir.exits(args, 2);
        assert!(stderr(&out).starts_with("tlskit: error:"), "{args:?}");
    }
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

/// `--pem` on input without a certificate fails instead of printing nothing with exit 0
/// (a script's `> chain.pem` would silently be empty).
#[test]
fn pem_without_a_certificate_is_an_error() {
    let dir = Dir::new();
    dir.ok(&["gencert", "x.test", "--csr", "x.csr", "-q"]);
    for input in ["x.csr", "x.test-key.pem"] {
        dir.expect(
            &["inspect", "--pem", input],
            1,
            "",
            "tlskit: error: --pem: no certificate in the input to print (it prints certificates \
             only; keys are never printed)\n",
        );
    }
}

/// `inspect leaf.pem ca.pem`: the CA given beside the leaf completes and
/// verifies its chain, as `openssl verify -CAfile ca.pem leaf.pem` does; a CA
/// of the same name whose key did not sign it does not; the CA's own input
/// is judged as before.
#[test]
fn a_ca_among_the_inputs_completes_and_verifies_the_chain() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--cn", "Same CA", "--out", "ca", "-q"]);
    dir.ok(&["gencert", "--ca", "--cn", "Same CA", "--out", "other", "-q"]);
    dir.ok(&[
        "gencert",
        "localhost",
        "--issuer",
        "ca.pem",
        "--out",
        "leaf",
        "-q",
    ]);
    if have("openssl") {
        let out = sh(dir.path(), "openssl verify -CAfile ca.pem leaf.pem");
        assert!(out.contains("leaf.pem: OK"), "{out}");
    }
    let r = json(&dir, &["leaf.pem", "ca.pem"]);
    let end = &r["inputs"][0]["chain"]["end"];
    assert_eq!(end["status"], "trusted_root", "{end}");
    assert_eq!(end["store"], "input", "{end}");
    assert_eq!(end["given_in"], "ca.pem", "{end}");
    assert_eq!(r["inputs"][1]["chain"]["end"]["status"], "untrusted_root");
    let text = dir.ok(&["inspect", "leaf.pem", "ca.pem", "--color", "never"]);
    assert!(
        text.contains("ends at CN=Same CA, a CA given in 'ca.pem' on the command line"),
        "{text}"
    );

    // The same name, another key: it did not sign the leaf.
    let r = json(&dir, &["leaf.pem", "other.pem"]);
    assert_eq!(r["inputs"][0]["chain"]["end"]["status"], "issuer_not_found");
    // Alone, as before.
    let r = json(&dir, &["leaf.pem"]);
    assert_eq!(r["inputs"][0]["chain"]["end"]["status"], "issuer_not_found");
}

/// `inspect --starttls smtp`: the chain of a server behind a plaintext upgrade.
#[test]
fn starttls_inspects_a_server_behind_a_plaintext_upgrade() {
    let dir = Dir::new();
    let served = util::spawn_serve(&dir, &[]);
    let front = util::smtp_starttls_front(served.port, 1);
    let r = json(&dir, &[&format!("localhost:{front}"), "--starttls", "smtp"]);
    let cert = first_cert(&r);
    assert_eq!(cert["spki_pin"], served.pin.as_str(), "{r:#}");
}
