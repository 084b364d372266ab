//! The local PKI: intermediates, CSR signing, name constraints and the CA
//! home, checked with real OpenSSL and curl.

use std::process::Command;
use std::time::Duration;

use crate::util::*;

/// Runs a shell script in `dir`; (exit code, stdout + stderr).
fn sh_status(dir: &Dir, script: &str) -> (i32, String) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir.path());
    let out = run_bounded(cmd, Duration::from_secs(60));
    (code(&out), format!("{}{}", stdout(&out), stderr(&out)))
}

/// tlskit with the CA home inside the test directory.
fn with_home(dir: &Dir, args: &[&str]) -> std::process::Output {
    let mut cmd = dir.tlskit(args);
    cmd.env("TLSKIT_CA_HOME", dir.join("home"));
    run_bounded(cmd, Duration::from_secs(60))
}

fn home_ok(dir: &Dir, args: &[&str]) -> String {
    let out = with_home(dir, args);
    assert_eq!(code(&out), 0, "{args:?}: {}{}", stdout(&out), stderr(&out));
    stdout(&out)
}

/// A peer CI does not install (a JDK is large): skipped with a notice when
/// missing, even under CI.
fn optional(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("SKIPPED: {program} is not installed");
    }
    found
}

fn pem_count(text: &str) -> usize {
    text.matches("-----BEGIN CERTIFICATE-----").count()
}

fn curl_ok(dir: &Dir, port: u16, cacert: &str) -> bool {
    let resolve = format!("app.test:{port}:127.0.0.1");
    let url = format!("https://app.test:{port}/");
    let mut c = Command::new("curl");
    c.args([
        "-sS",
        "--max-time",
        "20",
        "--resolve",
        &resolve,
        "--cacert",
        cacert,
        &url,
    ])
    .current_dir(dir.path());
    scrub(&mut c);
    code(&run_bounded(c, Duration::from_secs(30))) == 0
}

#[test]
fn intermediate_chain_verifies_with_openssl_and_serves_to_curl() {
    let dir = Dir::new();
    dir.ok(&["gencert", "--ca", "--pathlen", "1", "--out", "root", "-q"]);
    dir.ok(&[
        "gencert", "--ca", "--issuer", "root.pem", "--out", "inter", "-q",
    ]);
    // The intermediate may sign only leaves: pathlen 0, under the root's 1.
    let text = sh(dir.path(), "openssl x509 -in inter.pem -noout -text");
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
    dir.ok(&["gencert", "app.test", "--issuer", "inter.pem", "-q"]);
    // The certificate file holds the leaf, then the intermediate.
    let chain = dir.read("app.test.pem");
    assert_eq!(pem_count(&chain), 2, "{chain}");
    sh(
        dir.path(),
        "openssl x509 -in app.test.pem -noout -subject | grep -q 'CN *= *app.test'",
    );
    let v = sh(
        dir.path(),
        "openssl verify -CAfile root.pem -untrusted inter.pem app.test.pem",
    );
    assert!(v.contains("app.test.pem: OK"), "{v}");
    // Without the intermediate, the leaf alone does not verify: the chain matters.
    let (c, _) = sh_status(
        &dir,
        "openssl x509 -in app.test.pem -out leaf.pem && openssl verify -CAfile root.pem leaf.pem",
    );
    assert_ne!(c, 0);
    // The intermediate may not sign another CA.
    let out = dir.run(&["gencert", "--ca", "--issuer", "inter.pem", "--out", "sub"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("pathlen is 0"), "{}", stderr(&out));
    assert!(!dir.join("sub.pem").exists());

    if !have("curl") {
        return;
    }
    let srv = spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "app.test.pem",
            "--key",
            "app.test-key.pem",
        ],
    );
    assert!(
        curl_ok(&dir, srv.port, "root.pem"),
        "curl with the root failed"
    );
    drop(srv);
}

/// A root that may sign intermediates, and an intermediate under it.
fn two_level_ca(dir: &Dir) {
    dir.ok(&["gencert", "--ca", "--pathlen", "1", "--out", "root", "-q"]);
    dir.ok(&[
        "gencert", "--ca", "--issuer", "root.pem", "--out", "inter", "-q",
    ]);
}

const OPENSSL_CSR: &str = "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout req-key.pem -out req.csr -subj /CN=app.test \
    -addext subjectAltName=DNS:app.test,DNS:www.app.test";

#[test]
fn sign_csr_from_openssl_verifies_and_serves_to_curl() {
    let dir = Dir::new();
    two_level_ca(&dir);
    sh(dir.path(), &format!("{OPENSSL_CSR} 2>/dev/null"));
    let out = dir.run(&[
        "--json",
        "gencert",
        "--sign-csr",
        "req.csr",
        "--issuer",
        "inter.pem",
        "--out",
        "signed",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["certificate"]["sans"],
        serde_json::json!(["DNS:app.test", "DNS:www.app.test"])
    );
    assert_eq!(
        report["files"].as_array().unwrap().len(),
        1,
        "no key is written"
    );
    assert_eq!(pem_count(&dir.read("signed.pem")), 2);
    let v = sh(
        dir.path(),
        "openssl verify -CAfile root.pem -untrusted inter.pem signed.pem",
    );
    assert!(v.contains("OK"), "{v}");
    // The same request in DER signs too.
    sh(
        dir.path(),
        "openssl req -in req.csr -outform DER -out req.der",
    );
    dir.ok(&[
        "gencert",
        "--sign-csr",
        "req.der",
        "--issuer",
        "inter.pem",
        "--out",
        "der",
        "-q",
    ]);
    if !have("curl") {
        return;
    }
    let srv = spawn_serve(
        &dir,
        &["--www", "--cert", "signed.pem", "--key", "req-key.pem"],
    );
    assert!(curl_ok(&dir, srv.port, "root.pem"));
}

#[test]
fn csr_asking_for_ca_true_and_key_usages_is_stripped() {
    let dir = Dir::new();
    two_level_ca(&dir);
    sh(
        dir.path(),
        &format!(
            "{OPENSSL_CSR} -addext basicConstraints=critical,CA:TRUE \
             -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null"
        ),
    );
    let out = dir.run(&[
        "gencert",
        "--sign-csr",
        "req.csr",
        "--issuer",
        "inter.pem",
        "--out",
        "s",
        "-q",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("asked to be a CA (CA:TRUE); it was not copied"),
        "{}",
        stderr(&out)
    );
    let text = sh(dir.path(), "openssl x509 -in s.pem -noout -text");
    assert!(text.contains("CA:FALSE"), "{text}");
    assert!(!text.contains("Certificate Sign"), "{text}");
    // And openssl refuses to use it as a CA.
    let (c, msg) = sh_status(
        &dir,
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout e-key.pem \
         -subj /CN=evil.test -out e.csr 2>/dev/null && \
         openssl x509 -req -in e.csr -CA s.pem -CAkey req-key.pem -CAcreateserial -out e.pem 2>&1 && \
         cat s.pem inter.pem > both.pem && openssl verify -CAfile root.pem -untrusted both.pem e.pem",
    );
    assert_ne!(c, 0, "{msg}");
}

#[test]
fn bad_csrs_are_refused_with_a_sentence_and_nothing_written() {
    let dir = Dir::new();
    two_level_ca(&dir);
    sh(
        dir.path(),
        &format!("{OPENSSL_CSR} 2>/dev/null && openssl req -in req.csr -outform DER -out req.der"),
    );
    // Alter the request's subject: it still parses, but its signature no longer matches.
    sh(
        dir.path(),
        "python3 -c \"d=open('req.der','rb').read(); open('altered.der','wb').write(d.replace(b'app.test', b'app.tesu', 1))\"",
    );
    std::fs::write(dir.join("garbage.csr"), "not a request\n").unwrap();
    let before = dir.entries();
    for (file, why) in [
        ("altered.der", "its signature does not verify"),
        ("garbage.csr", "not a certificate request"),
        ("missing.csr", "missing.csr"),
    ] {
        let out = dir.run(&[
            "gencert",
            "--sign-csr",
            file,
            "--issuer",
            "inter.pem",
            "--out",
            "x",
        ]);
        assert_eq!(code(&out), 1, "{file}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("tlskit: error: ") && err.contains(why),
            "{file}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(dir.entries(), before);
}

/// `openssl req` + `openssl x509 -req` under the CA home's intermediate: what
/// another tool signs without looking at the constraints.
fn forced_by_openssl(dir: &Dir, name: &str, out: &str) {
    sh(
        dir.path(),
        &format!(
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout {out}-key.pem \
             -subj /CN={name} -addext subjectAltName=DNS:{name} -out {out}.csr 2>/dev/null && \
             printf 'subjectAltName=DNS:{name}\\nbasicConstraints=critical,CA:FALSE\\n' > ext.cnf && \
             openssl x509 -req -in {out}.csr -CA home/intermediate.pem -CAkey home/intermediate-key.pem \
             -CAcreateserial -extfile ext.cnf -days 5 -out {out}.pem 2>/dev/null"
        ),
    );
}

#[test]
fn ca_home_name_constraints_hold_for_openssl_and_tlskit() {
    let dir = Dir::new();
    home_ok(
        &dir,
        &["ca", "init", "--name", "Dev", "--permit-dns", ".test", "-q"],
    );
    let out = with_home(&dir, &["gencert", "app.test", "--issuer"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(pem_count(&dir.read("app.test.pem")), 2);
    let v = sh(
        dir.path(),
        "openssl verify -CAfile home/root.pem -untrusted home/intermediate.pem app.test.pem",
    );
    assert!(v.contains("OK"), "{v}");
    // tlskit refuses a name outside the constraints...
    let out = with_home(&dir, &["gencert", "example.com", "--issuer"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(
            "'example.com' is outside the CA's name constraints (it may sign only DNS test;"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("example.com.pem").exists());
    // ...and a certificate another tool forced through is rejected by OpenSSL.
    forced_by_openssl(&dir, "example.com", "forced");
    forced_by_openssl(&dir, "ok.test", "allowed");
    let (c, msg) = sh_status(
        &dir,
        "openssl verify -CAfile home/root.pem -untrusted home/intermediate.pem forced.pem",
    );
    assert_ne!(c, 0, "{msg}");
    assert!(msg.contains("permitted subtree violation"), "{msg}");
    let v = sh(
        dir.path(),
        "openssl verify -CAfile home/root.pem -untrusted home/intermediate.pem allowed.pem",
    );
    assert!(v.contains("OK"), "{v}");

    // rustls (tlskit connect) rejects it too, served with its chain; the allowed one connects.
    sh(dir.path(), "cat forced.pem home/intermediate.pem > forced-chain.pem && cat allowed.pem home/intermediate.pem > allowed-chain.pem");
    for (name, chain, want) in [("example.com", "forced", 5), ("ok.test", "allowed", 0)] {
        let srv = spawn_serve(
            &dir,
            &[
                "--cert",
                &format!("{chain}-chain.pem"),
                "--key",
                &format!("{chain}-key.pem"),
            ],
        );
        let target = format!("{name}:{}", srv.port);
        let out = dir.run(&[
            "connect",
            &target,
            "--connect-to",
            "127.0.0.1",
            "--ca",
            "home/root.pem",
            "--send",
            "x",
        ]);
        assert_eq!(code(&out), want, "{name}: {}{}", stdout(&out), stderr(&out));
    }
    // ca show, as JSON: the constraints, the pins and the files.
    let show: serde_json::Value =
        serde_json::from_str(&home_ok(&dir, &["--json", "ca", "show"])).unwrap();
    assert_eq!(
        show["constraints"]["permitted_dns"],
        serde_json::json!(["test"])
    );
    assert_eq!(show["root"]["subject"], "CN=Dev root");
    assert_eq!(show["intermediate"]["subject"], "CN=Dev intermediate");
    assert!(show["root"]["spki_pin"]
        .as_str()
        .unwrap()
        .starts_with("sha256//"));
    assert_eq!(show["root_key_present"], true);
    let text = home_ok(&dir, &["ca", "show"]);
    assert!(
        text.contains("may sign for:  DNS test; IP 127.0.0.0/8, ::1/128"),
        "{text}"
    );
}

#[test]
fn ca_init_twice_and_offline_root() {
    let dir = Dir::new();
    home_ok(
        &dir,
        &["ca", "init", "--offline-root", "root-key.pem", "-q"],
    );
    assert!(dir.join("root-key.pem").exists());
    assert!(!dir.join("home/root-key.pem").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| std::fs::metadata(dir.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("home"), 0o700);
        assert_eq!(mode("home/intermediate-key.pem"), 0o600);
        assert_eq!(mode("root-key.pem"), 0o600);
    }
    let show = home_ok(&dir, &["ca", "show"]);
    assert!(show.contains("offline (not in the CA home)"), "{show}");
    let root = dir.read("home/root.pem");
    let out = with_home(&dir, &["ca", "init"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("there is a CA here already; nothing was changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(dir.read("home/root.pem"), root);
    // Replaced with --force, with the root key in the home, then offline again:
    // the old key does not stay behind.
    home_ok(&dir, &["ca", "init", "--force", "-q"]);
    assert!(dir.join("home/root-key.pem").exists());
    assert_ne!(dir.read("home/root.pem"), root);
    home_ok(
        &dir,
        &[
            "ca",
            "init",
            "--force",
            "--offline-root",
            "root-key.pem",
            "-q",
        ],
    );
    assert!(!dir.join("home/root-key.pem").exists());
}

#[test]
fn a_missing_half_written_or_exposed_ca_home_is_refused() {
    let dir = Dir::new();
    let out = with_home(&dir, &["ca", "show"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("there is no CA home at"),
        "{}",
        stderr(&out)
    );
    let out = with_home(&dir, &["gencert", "app.test", "--issuer"]);
    assert_eq!(code(&out), 1);
    assert_eq!(dir.entries(), Vec::<String>::new());

    home_ok(&dir, &["ca", "init", "-q"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = dir.join("home/intermediate-key.pem");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = with_home(&dir, &["gencert", "app.test", "--issuer"]);
        assert_eq!(code(&out), 1);
        assert!(
            stderr(&out).contains("is readable by others (mode 0644); fix it with: chmod 600"),
            "{}",
            stderr(&out)
        );
        assert!(!dir.join("app.test.pem").exists());
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::remove_file(dir.join("home/intermediate.pem")).unwrap();
    let out = with_home(&dir, &["ca", "show"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("is incomplete (intermediate.pem missing)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(dir.entries(), ["home"]);
}

#[test]
fn p12_reads_with_openssl_and_its_password_only() {
    let dir = Dir::new();
    two_level_ca(&dir);
    std::fs::write(dir.join("pw"), "s3cret\n").unwrap();
    std::fs::write(dir.join("wrong"), "nope\n").unwrap();
    dir.ok(&[
        "gencert",
        "app.test",
        "--issuer",
        "inter.pem",
        "--p12",
        "app.p12",
        "--p12-password-file",
        "pw",
        "-q",
    ]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("app.p12"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    let info = sh(
        dir.path(),
        "openssl pkcs12 -info -in app.p12 -passin file:pw -nodes 2>&1",
    );
    assert!(info.contains("subject=CN = app.test"), "{info}");
    assert!(info.contains("BEGIN PRIVATE KEY"), "{info}");
    assert_eq!(pem_count(&info), 2, "leaf and intermediate: {info}");
    let (c, _) = sh_status(
        &dir,
        "openssl pkcs12 -info -in app.p12 -passin file:wrong -nokeys",
    );
    assert_ne!(c, 0, "a wrong password must fail");

    // An empty password file is refused, and nothing is written.
    std::fs::write(dir.join("empty"), "").unwrap();
    let before = dir.entries();
    let out = dir.run(&[
        "gencert",
        "b.test",
        "--p12",
        "b.p12",
        "--p12-password-file",
        "empty",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("is empty; put a password in it, or use --p12-no-password"),
        "{}",
        stderr(&out)
    );
    assert_eq!(dir.entries(), before);
    // No password source and no terminal: a usage error.
    let out = dir.run(&["gencert", "b.test", "--p12", "b.p12"]);
    assert_eq!(code(&out), 2);
    assert_eq!(dir.entries(), before);
    // Java reads it too (keytool, when a JDK is installed).
    if optional("keytool") {
        let list = sh(
            dir.path(),
            "keytool -list -v -keystore app.p12 -storetype PKCS12 -storepass s3cret 2>&1",
        );
        assert!(list.contains("PrivateKeyEntry"), "{list}");
        assert!(list.contains("Certificate chain length: 2"), "{list}");
    }
    // inspect reads it back with the password, and refuses the wrong one.
    let shown = dir.ok(&["inspect", "app.p12", "--p12-password-file", "pw"]);
    assert!(
        shown.contains("app.p12: a chain of 2 certificates"),
        "{shown}"
    );
    assert!(shown.contains("CN=app.test"), "{shown}");
    let out = dir.run(&["inspect", "app.p12", "--p12-password-file", "wrong"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("a PKCS#12 (.p12/.pfx) archive whose password is not the one given"),
        "{}",
        stderr(&out)
    );
    // --p12-no-password: an empty password, as asked.
    dir.ok(&[
        "gencert",
        "c.test",
        "--p12",
        "c.p12",
        "--p12-no-password",
        "-q",
    ]);
    let info = sh(
        dir.path(),
        "openssl pkcs12 -info -in c.p12 -passin pass: -nokeys 2>&1",
    );
    assert!(info.contains("subject=CN = c.test"), "{info}");
}

/// tlskit with the CA home in the test directory and HOME set to `home`.
fn with_env(
    dir: &Dir,
    args: &[&str],
    home: &std::path::Path,
    path: Option<&str>,
) -> std::process::Output {
    let mut cmd = dir.tlskit(args);
    cmd.env("TLSKIT_CA_HOME", dir.join("home"))
        .env("HOME", home);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    run_bounded(cmd, Duration::from_secs(60))
}

#[test]
fn nss_install_uninstall_and_status_in_a_throwaway_home() {
    if !have("certutil") {
        return;
    }
    let dir = Dir::new();
    let user = dir.join("user");
    let profile = user.join(".mozilla/firefox/abcd.default-release");
    std::fs::create_dir_all(&profile).unwrap();
    sh(
        dir.path(),
        &format!("certutil -N --empty-password -d sql:{}", profile.display()),
    );
    home_ok(&dir, &["ca", "init", "--name", "Throwaway", "-q"]);
    let out = with_env(&dir, &["ca", "install", "--nss"], &user, None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("installed in") && text.contains("undo: certutil -D -d sql:"),
        "{text}"
    );
    for db in [user.join(".pki/nssdb"), profile.clone()] {
        let list = sh(dir.path(), &format!("certutil -L -d sql:{}", db.display()));
        assert!(list.contains("Throwaway root"), "{}: {list}", db.display());
    }
    let out = with_env(&dir, &["--json", "ca", "status"], &user, None);
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nss: Vec<&serde_json::Value> = status["stores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["store"] == "nss")
        .collect();
    assert_eq!(nss.len(), 2, "{status}");
    assert!(nss.iter().all(|s| s["trusted"] == true), "{status}");
    // Installing again changes nothing.
    let again = with_env(&dir, &["--json", "ca", "install", "--nss"], &user, None);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(again["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["outcome"] == "already_installed"));
    let out = with_env(&dir, &["ca", "uninstall", "--nss"], &user, None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list = sh(
        dir.path(),
        &format!("certutil -L -d sql:{}", profile.display()),
    );
    assert!(!list.contains("Throwaway root"), "{list}");
}

#[test]
fn missing_tools_are_named_with_their_debian_package() {
    let dir = Dir::new();
    home_ok(&dir, &["ca", "init", "-q"]);
    let user = dir.join("user");
    for (flag, package) in [
        ("--nss", "libnss3-tools"),
        ("--java", "default-jre-headless"),
    ] {
        let out = with_env(&dir, &["ca", "install", flag], &user, Some("/nonexistent"));
        assert_eq!(code(&out), 1, "{flag}");
        assert!(
            stderr(&out).contains(&format!("it comes with the Debian package {package}")),
            "{}",
            stderr(&out)
        );
    }
    assert!(!user.exists(), "nothing was created");
}

#[test]
fn an_unconstrained_ca_is_warned_about_before_install() {
    let dir = Dir::new();
    let out = with_home(&dir, &["ca", "init", "--no-constraints", "-q"]);
    assert_eq!(code(&out), 0);
    assert!(
        stderr(&out).contains("this CA may sign for any name"),
        "{}",
        stderr(&out)
    );
    let user = dir.join("user");
    let out = with_env(
        &dir,
        &["ca", "install", "--nss"],
        &user,
        Some("/nonexistent"),
    );
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some("tlskit: warning: this CA has no name constraints: once trusted, it can impersonate any site"),
        "{err}"
    );
    assert!(
        lines
            .next()
            .unwrap_or("")
            .contains("certutil is not installed"),
        "{err}"
    );
}

#[test]
fn java_install_into_a_keystore_file() {
    if !optional("keytool") {
        return;
    }
    let dir = Dir::new();
    home_ok(&dir, &["ca", "init", "--name", "JavaDev", "-q"]);
    let user = dir.join("user");
    let out = with_env(
        &dir,
        &["ca", "install", "--java", "--java-keystore", "ks.p12"],
        &user,
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list = sh(
        dir.path(),
        "keytool -list -keystore ks.p12 -storepass changeit",
    );
    assert!(list.to_lowercase().contains("javadev root"), "{list}");
    let out = with_env(
        &dir,
        &["ca", "uninstall", "--java", "--java-keystore", "ks.p12"],
        &user,
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let list = sh(
        dir.path(),
        "keytool -list -keystore ks.p12 -storepass changeit",
    );
    assert!(!list.to_lowercase().contains("javadev root"), "{list}");
}

#[test]
fn ca_export_p12_holds_the_intermediate_key_and_root() {
    let dir = Dir::new();
    home_ok(&dir, &["ca", "init", "--name", "Exp", "-q"]);
    std::fs::write(dir.join("pw"), "pass phrase\n").unwrap();
    home_ok(
        &dir,
        &[
            "ca",
            "export",
            "--p12",
            "ca.p12",
            "--p12-password-file",
            "pw",
            "-q",
        ],
    );
    let info = sh(
        dir.path(),
        "openssl pkcs12 -info -in ca.p12 -passin file:pw -nodes 2>&1",
    );
    assert!(info.contains("subject=CN = Exp intermediate"), "{info}");
    assert!(info.contains("subject=CN = Exp root"), "{info}");
    assert!(info.contains("BEGIN PRIVATE KEY"), "{info}");
}

/// The system store, changed only inside a private mount namespace with
/// tmpfs copies over /etc/ssl/certs and /usr/local/share/ca-certificates:
/// curl trusts the CA without --cacert after install, and not after uninstall.
#[test]
fn system_store_install_makes_curl_trust_and_uninstall_undoes_it() {
    if !have("curl") || !have("update-ca-certificates") {
        return;
    }
    let probe = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs tmpfs /usr/local/share/ca-certificates",
        ])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED: cannot make a private mount namespace here (unshare -m needs root)");
        if std::env::var_os("CI").is_some_and(|v| v == "true") {
            panic!("unshare -m is needed under CI");
        }
        return;
    }
    let dir = Dir::new();
    home_ok(&dir, &["ca", "init", "--name", "Sys", "-q"]);
    home_ok(&dir, &["gencert", "app.test", "--issuer", "-q"]);
    let srv = spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "app.test.pem",
            "--key",
            "app.test-key.pem",
        ],
    );
    let port = srv.port;
    let script = format!(
        "set -e
stage=$PWD/stage; mkdir -p $stage/certs $stage/local
cp -a /etc/ssl/certs/. $stage/certs/; cp -a /usr/local/share/ca-certificates/. $stage/local/
mount -t tmpfs tmpfs /etc/ssl/certs; cp -a $stage/certs/. /etc/ssl/certs/
mount -t tmpfs tmpfs /usr/local/share/ca-certificates; cp -a $stage/local/. /usr/local/share/ca-certificates/
get() {{ curl -sS --max-time 10 --resolve app.test:{port}:127.0.0.1 https://app.test:{port}/ >/dev/null 2>&1 && echo $1=ok || echo $1=fail; }}
get before
\"$TLSKIT\" ca install --system
get installed
\"$TLSKIT\" ca status | grep -q 'trusted  ' && echo status=ok
\"$TLSKIT\" ca uninstall --system
get removed
"
    );
    let mut cmd = Command::new("unshare");
    cmd.args(["-m", "sh", "-c", &script])
        .current_dir(dir.path())
        .env("TLSKIT", bin())
        .env("TLSKIT_CA_HOME", dir.join("home"));
    let out = run_bounded(cmd, Duration::from_secs(120));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(code(&out), 0, "{text}");
    assert!(text.contains("before=fail"), "{text}");
    assert!(text.contains("installed=ok"), "{text}");
    assert!(text.contains("status=ok"), "{text}");
    assert!(text.contains("removed=fail"), "{text}");
    assert!(
        text.contains("undo: tlskit ca uninstall --system"),
        "{text}"
    );
    // The machine's own store never saw it.
    let bundle = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
    let root = dir.read("home/root.pem");
    let body: String = root.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!bundle.lines().collect::<String>().contains(&body));
    drop(srv);
}

/// Headless Chromium with a throwaway HOME and profile, loading `url` with
/// app.test mapped to loopback; returns (DOM, stderr).
fn chromium(dir: &Dir, user: &std::path::Path, port: u16, profile: &str) -> (String, String) {
    let mut c = Command::new("chromium");
    c.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP app.test 127.0.0.1",
    ])
    .arg(format!("--user-data-dir={}", dir.join(profile).display()))
    .arg("--dump-dom")
    .arg(format!("https://app.test:{port}/"))
    .current_dir(dir.path());
    scrub(&mut c);
    c.env("HOME", user);
    let out = run_bounded(c, Duration::from_secs(90));
    (stdout(&out), stderr(&out))
}

/// After `ca install --nss` into a throwaway HOME, Chromium loads `serve --www`
/// with a certificate from the CA home, with no extra flags; after `ca
/// uninstall` it refuses the same server.
#[test]
fn chromium_trusts_the_ca_through_nss_and_stops_after_uninstall() {
    if !have("chromium") || !have("certutil") {
        return;
    }
    let dir = Dir::new();
    let user = dir.join("user");
    std::fs::create_dir_all(&user).unwrap();
    home_ok(&dir, &["ca", "init", "-q"]);
    home_ok(&dir, &["gencert", "app.test", "--issuer", "-q"]);
    let out = with_env(&dir, &["ca", "install", "--nss", "-q"], &user, None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let srv = spawn_serve(
        &dir,
        &[
            "--www",
            "--cert",
            "app.test.pem",
            "--key",
            "app.test-key.pem",
        ],
    );
    let (dom, err) = chromium(&dir, &user, srv.port, "profile1");
    assert!(
        dom.contains("your TLS connection") && dom.contains("SNI:            app.test"),
        "{dom}\n{err}"
    );
    let out = with_env(&dir, &["ca", "uninstall", "--nss", "-q"], &user, None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (dom, err) = chromium(&dir, &user, srv.port, "profile2");
    assert!(!dom.contains("your TLS connection"), "{dom}");
    assert!(err.contains("ERR_CERT_AUTHORITY_INVALID"), "{err}");
}

/// As an unprivileged user, `ca install --system` is refused with a sentence
/// and nothing changes; as root, a CA home of another user is refused.
#[cfg(unix)]
#[test]
fn system_install_needs_root_and_a_home_of_another_user_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc_geteuid() } != 0 || !have("setpriv") {
        eprintln!("SKIPPED: needs root and setpriv to act as another user");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let script = format!(
        "export TLSKIT_CA_HOME=$PWD/home; '{bin}' ca init -q && '{bin}' ca install --system",
        bin = bin().display()
    );
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "sh",
        "-c",
        &script,
    ])
    .current_dir(dir.path());
    scrub(&mut cmd);
    let out = run_bounded(cmd, Duration::from_secs(60));
    if !dir.join("home/root.pem").exists() {
        eprintln!(
            "SKIPPED: the unprivileged user cannot run the test binary here: {}",
            stderr(&out)
        );
        return;
    }
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim(),
        "tlskit: error: the system store is changed only by root: run sudo tlskit ca install --system (nothing was changed)"
    );
    // Back as root: that home belongs to uid 65534.
    let out = with_home(&dir, &["ca", "show"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("belongs to another user (uid 65534)"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}
