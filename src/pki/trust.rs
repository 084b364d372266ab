//! Putting the CA home's root into the trust stores programs read, taking it
//! out again, and saying where it is trusted: the Debian/Ubuntu system store
//! (`update-ca-certificates`), the NSS databases Chromium and Firefox use
//! (`certutil`), and a Java keystore (`keytool`). Each change names how to
//! undo it. The external tools are run with fixed arguments; nothing here
//! prints.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use serde::Serialize;

use crate::text::sanitize;
use crate::tls::error::{fail, Failure};

/// A kind of trust store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Store {
    /// `/usr/local/share/ca-certificates` + `update-ca-certificates` (curl, OpenSSL, Python, Go).
    System,
    /// NSS databases: `~/.pki/nssdb` (Chromium) and Firefox profiles.
    Nss,
    /// A Java keystore (the JDK's cacerts by default).
    Java,
}

/// What was done to one store location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The root was added.
    Installed,
    /// It was there already.
    AlreadyInstalled,
    /// The root was removed.
    Removed,
    /// It was not there.
    NotInstalled,
}

/// One store location and what happened there.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The store.
    pub store: Store,
    /// Where (a file or an NSS database directory).
    pub location: String,
    /// What happened.
    pub outcome: Outcome,
    /// A command that undoes it (empty when nothing changed).
    pub undo: String,
}

/// Whether the root is in one store location.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The store.
    pub store: Store,
    /// Where.
    pub location: String,
    /// Whether the root is trusted there.
    pub trusted: bool,
}

/// The root and where the stores are.
#[derive(Debug, Clone)]
pub struct Target {
    /// The root certificate, PEM file.
    pub root_pem: PathBuf,
    /// Its name in stores (NSS nickname, Java alias, system file stem).
    pub nickname: String,
    /// The user's home (for `~/.pki/nssdb` and Firefox profiles).
    pub home: PathBuf,
    /// A Java keystore file instead of the JDK's cacerts.
    pub java_keystore: Option<PathBuf>,
}

/// Where the system store keeps local CAs.
pub const SYSTEM_DIR: &str = "/usr/local/share/ca-certificates";
const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The Debian package that provides a tool.
fn package_of(tool: &str) -> &'static str {
    match tool {
        "certutil" => "libnss3-tools",
        "keytool" => "default-jre-headless (or any JDK)",
        _ => "ca-certificates",
    }
}

/// Whether `tool` is on the PATH.
pub fn have(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(tool).is_file()))
}

fn need(tool: &str) -> Result<()> {
    if have(tool) {
        return Ok(());
    }
    Err(fail(
        Failure::Input,
        format!(
            "{tool} is not installed; it comes with the Debian package {} (apt-get install {})",
            package_of(tool),
            package_of(tool).split(' ').next().unwrap_or_default()
        ),
    ))
}

fn run(tool: &str, args: &[&str]) -> Result<(bool, String)> {
    need(tool)?;
    let out = Command::new(tool)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| fail(Failure::Input, format!("running {tool}: {e}")))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

fn run_ok(tool: &str, args: &[&str]) -> Result<()> {
    let (ok, text) = run(tool, args)?;
    if ok {
        return Ok(());
    }
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Err(fail(
        Failure::Input,
        format!(
            "{tool} {} failed: {}",
            args.first().unwrap_or(&""),
            sanitize(last.trim())
        ),
    ))
}

fn file_stem(nickname: &str) -> String {
    nickname
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn system_file(t: &Target) -> PathBuf {
    Path::new(SYSTEM_DIR).join(format!("{}.crt", file_stem(&t.nickname)))
}

/// The NSS databases of the user: `~/.pki/nssdb` and every Firefox profile
/// that has a `cert9.db`.
pub fn nss_databases(home: &Path) -> Vec<PathBuf> {
    let mut dbs = vec![home.join(".pki/nssdb")];
    for base in [".mozilla/firefox", "snap/firefox/common/.mozilla/firefox"] {
        let Ok(entries) = std::fs::read_dir(home.join(base)) else {
            continue;
        };
        let mut profiles: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("cert9.db").is_file())
            .collect();
        profiles.sort();
        dbs.extend(profiles);
    }
    dbs
}

fn sql(db: &Path) -> String {
    format!("sql:{}", db.display())
}

fn nss_has(db: &Path, nick: &str) -> Result<bool> {
    if !db.join("cert9.db").is_file() {
        return Ok(false);
    }
    Ok(run("certutil", &["-L", "-d", &sql(db), "-n", nick])?.0)
}

fn java_args<'a>(t: &'a Target, ks: &'a str) -> Vec<&'a str> {
    match &t.java_keystore {
        Some(_) => vec!["-keystore", ks, "-storepass", "changeit"],
        None => vec!["-cacerts", "-storepass", "changeit"],
    }
}

fn java_location(t: &Target) -> String {
    t.java_keystore
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the JDK's cacerts".into())
}

fn java_has(t: &Target) -> Result<bool> {
    let ks = java_location(t);
    let mut args = vec!["-list", "-alias", t.nickname.as_str()];
    args.extend(java_args(t, &ks));
    Ok(run("keytool", &args)?.0)
}

fn is_root_user() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Adds the root to `store`.
pub fn install(t: &Target, store: Store) -> Result<Vec<Change>> {
    let root = t.root_pem.display().to_string();
    match store {
        Store::System => {
            need("update-ca-certificates")?;
            let file = system_file(t);
            let undo = "tlskit ca uninstall --system".to_string();
            let pem = std::fs::read(&t.root_pem)
                .map_err(|e| fail(Failure::Input, format!("reading '{root}': {e}")))?;
            if std::fs::read(&file).is_ok_and(|have| have == pem) {
                return Ok(vec![change(
                    store,
                    &file.display().to_string(),
                    Outcome::AlreadyInstalled,
                    "",
                )]);
            }
            if !is_root_user() {
                return Err(fail(
                    Failure::Input,
                    "the system store is changed only by root: run sudo tlskit ca install --system (nothing was changed)",
                ));
            }
            crate::atomic::write_file(&file, &pem, crate::atomic::PUBLIC, true)?;
            if let Err(e) = run_ok("update-ca-certificates", &[]) {
                let _ = std::fs::remove_file(&file);
                return Err(e);
            }
            Ok(vec![change(
                store,
                &file.display().to_string(),
                Outcome::Installed,
                &undo,
            )])
        }
        Store::Nss => {
            need("certutil")?;
            let mut changes = Vec::new();
            for db in nss_databases(&t.home) {
                let loc = db.display().to_string();
                if nss_has(&db, &t.nickname)? {
                    changes.push(change(store, &loc, Outcome::AlreadyInstalled, ""));
                    continue;
                }
                if !db.join("cert9.db").is_file() {
                    std::fs::create_dir_all(&db)
                        .map_err(|e| fail(Failure::Input, format!("creating '{loc}': {e}")))?;
                    run_ok("certutil", &["-N", "--empty-password", "-d", &sql(&db)])?;
                }
                run_ok(
                    "certutil",
                    &[
                        "-A",
                        "-d",
                        &sql(&db),
                        "-t",
                        "C,,",
                        "-n",
                        &t.nickname,
                        "-i",
                        &root,
                    ],
                )?;
                let undo = format!("certutil -D -d {} -n '{}'", sql(&db), t.nickname);
                changes.push(change(store, &loc, Outcome::Installed, &undo));
            }
            Ok(changes)
        }
        Store::Java => {
            need("keytool")?;
            let loc = java_location(t);
            if java_has(t)? {
                return Ok(vec![change(store, &loc, Outcome::AlreadyInstalled, "")]);
            }
            let mut args = vec![
                "-importcert",
                "-noprompt",
                "-alias",
                t.nickname.as_str(),
                "-file",
                root.as_str(),
            ];
            args.extend(java_args(t, &loc));
            run_ok("keytool", &args)?;
            let undo = match &t.java_keystore {
                Some(ks) => format!(
                    "tlskit ca uninstall --java --java-keystore '{}'",
                    ks.display()
                ),
                None => "tlskit ca uninstall --java".to_string(),
            };
            Ok(vec![change(store, &loc, Outcome::Installed, &undo)])
        }
    }
}

/// Removes the root from `store`.
pub fn uninstall(t: &Target, store: Store) -> Result<Vec<Change>> {
    match store {
        Store::System => {
            let file = system_file(t);
            let loc = file.display().to_string();
            if !file.exists() {
                return Ok(vec![change(store, &loc, Outcome::NotInstalled, "")]);
            }
            need("update-ca-certificates")?;
            if !is_root_user() {
                return Err(fail(
                    Failure::Input,
                    "the system store is changed only by root: run sudo tlskit ca uninstall --system (nothing was changed)",
                ));
            }
            std::fs::remove_file(&file)
                .map_err(|e| fail(Failure::Input, format!("removing '{loc}': {e}")))?;
            run_ok("update-ca-certificates", &["--fresh"])?;
            Ok(vec![change(
                store,
                &loc,
                Outcome::Removed,
                "tlskit ca install --system",
            )])
        }
        Store::Nss => {
            need("certutil")?;
            let mut changes = Vec::new();
            for db in nss_databases(&t.home) {
                let loc = db.display().to_string();
                if !nss_has(&db, &t.nickname)? {
                    changes.push(change(store, &loc, Outcome::NotInstalled, ""));
                    continue;
                }
                run_ok("certutil", &["-D", "-d", &sql(&db), "-n", &t.nickname])?;
                changes.push(change(
                    store,
                    &loc,
                    Outcome::Removed,
                    "tlskit ca install --nss",
                ));
            }
            Ok(changes)
        }
        Store::Java => {
            need("keytool")?;
            let loc = java_location(t);
            if !java_has(t)? {
                return Ok(vec![change(store, &loc, Outcome::NotInstalled, "")]);
            }
            let mut args = vec!["-delete", "-alias", t.nickname.as_str()];
            args.extend(java_args(t, &loc));
            run_ok("keytool", &args)?;
            Ok(vec![change(
                store,
                &loc,
                Outcome::Removed,
                "tlskit ca install --java",
            )])
        }
    }
}

/// Where the root is trusted, for each store whose tool is installed.
pub fn status(t: &Target) -> Result<Vec<Status>> {
    let mut out = Vec::new();
    let pem = std::fs::read_to_string(&t.root_pem).unwrap_or_default();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let bundle: String = std::fs::read_to_string(SYSTEM_BUNDLE)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    out.push(Status {
        store: Store::System,
        location: SYSTEM_BUNDLE.into(),
        trusted: !body.is_empty() && bundle.contains(&body),
    });
    if have("certutil") {
        for db in nss_databases(&t.home) {
            out.push(Status {
                store: Store::Nss,
                location: db.display().to_string(),
                trusted: nss_has(&db, &t.nickname)?,
            });
        }
    }
    if have("keytool") {
        out.push(Status {
            store: Store::Java,
            location: java_location(t),
            trusted: java_has(t)?,
        });
    }
    Ok(out)
}

fn change(store: Store, location: &str, outcome: Outcome, undo: &str) -> Change {
    Change {
        store,
        location: location.to_string(),
        outcome,
        undo: undo.to_string(),
    }
}
