//! gencert and the pin store under failure: a full disk, a read-only
//! directory, a file-size limit, a kill between writing and renaming.
//! Nothing partial or world-readable is left behind, and nothing that
//! existed is lost. Uses small tmpfs mounts, which need root (CI runs as
//! root), and strace's fault injection for the kill; elsewhere these tests
//! skip with a notice.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use util::{code, run_bounded, stderr, stdout, Dir};

/// A tmpfs mounted on a fresh directory, unmounted on drop.
struct Tmpfs {
    _dir: Dir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(options: &str) -> Option<Tmpfs> {
        let dir = Dir::new();
        let path = dir.join("mnt");
        std::fs::create_dir(&path).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&path)
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("cannot mount a tmpfs under CI=true (CI runs as root)");
            }
            util::skip("cannot mount a tmpfs here (not root?)");
            return None;
        }
        Some(Tmpfs { _dir: dir, path })
    }

    fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "remount {options}");
    }

    fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn gencert_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(util::bin());
    cmd.arg("gencert").args(args).current_dir(dir);
    util::scrub(&mut cmd);
    run_bounded(cmd, Duration::from_secs(60))
}

/// Fills the filesystem at `dir` until fewer than `leave` bytes are free.
fn fill(dir: &Path, leave: usize) {
    let filler = dir.join("filler");
    let mut size = 0usize;
    let chunk = vec![0u8; 1024];
    let mut f = std::fs::File::create(&filler).unwrap();
    use std::io::Write;
    // tmpfs rounds to pages: write until it refuses, then give back `leave` bytes.
    while f.write_all(&chunk).is_ok() && f.sync_all().is_ok() {
        size += chunk.len();
        assert!(size < 64 * 1024 * 1024, "tmpfs never filled up");
    }
    drop(f);
    let keep = size.saturating_sub(leave);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(keep as u64)
        .unwrap();
}

#[test]
fn a_full_disk_leaves_nothing_partial_and_loses_nothing() {
    let Some(fs) = Tmpfs::mount("size=64k,mode=0755") else {
        return;
    };
    // Existing files that a forced run would replace.
    let out = gencert_in(&fs.path, &["--out", "site"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let cert_before = std::fs::read(fs.path.join("site.pem")).unwrap();
    let key_before = std::fs::read(fs.path.join("site-key.pem")).unwrap();
    fill(&fs.path, 1024);
    let out = gencert_in(
        &fs.path,
        &["--out", "site", "--force", "--key-type", "rsa4096"],
    );
    assert_eq!(code(&out), 1, "a full disk is an error");
    let err = stderr(&out);
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        fs.entries(),
        ["filler", "site-key.pem", "site.pem"],
        "no temp files left"
    );
    assert_eq!(
        std::fs::read(fs.path.join("site.pem")).unwrap(),
        cert_before
    );
    assert_eq!(
        std::fs::read(fs.path.join("site-key.pem")).unwrap(),
        key_before
    );
    // And a fresh run writes neither file.
    let out = gencert_in(&fs.path, &["--out", "fresh", "--key-type", "rsa4096"]);
    assert_eq!(code(&out), 1);
    assert_eq!(fs.entries(), ["filler", "site-key.pem", "site.pem"]);
}

#[test]
fn a_read_only_directory_is_a_clear_error() {
    let Some(fs) = Tmpfs::mount("size=64k,mode=0755") else {
        return;
    };
    fs.remount("ro");
    let out = gencert_in(&fs.path, &[]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("cannot write in directory '.'"), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
    assert!(fs.entries().is_empty());
}

#[test]
fn a_file_size_limit_is_an_error_not_a_crash() {
    if !util::have("sh") {
        return;
    }
    let dir = Dir::new();
    // RLIMIT_FSIZE of 1 KiB: the RSA key does not fit. Without care the
    // kernel's SIGXFSZ would kill tlskit and leave its temporary file behind.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -f 2 && exec '{}' gencert --key-type rsa4096",
            util::bin().display()
        ))
        .current_dir(dir.path());
    util::scrub(&mut cmd);
    let out = run_bounded(cmd, Duration::from_secs(60));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("File too large"), "{}", stderr(&out));
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

// ---- The pin store: `pin --trust`, `pin --forget` and `connect --tofu` ----

/// Runs tlskit in `cwd` with `TLSKIT_PIN_STORE=store`.
fn with_store(cwd: &Path, store: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(util::bin());
    cmd.args(args).current_dir(cwd);
    util::scrub(&mut cmd);
    cmd.env("TLSKIT_PIN_STORE", store);
    run_bounded(cmd, Duration::from_secs(60))
}

/// A store of `n` servers under a comment line, mode 0600, as tlskit writes it.
fn seed_store(store: &Path, n: usize) -> Vec<u8> {
    let mut text = String::from("# pins recorded by hand, kept as they are\n");
    for i in 0..n {
        let pin = tlskit::tls::pin::Pin::of_spki(format!("server {i}").as_bytes());
        text.push_str(&format!(
            "host{i}.test:443 {pin} 2024-01-0{}T00:00:00Z\n",
            1 + i % 9
        ));
    }
    std::fs::write(store, &text).unwrap();
    set_mode(store, 0o600);
    text.into_bytes()
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The store is exactly `before`, still private, and nothing else but `expected` is beside it.
fn assert_store_intact(store: &Path, before: &[u8], what: &str) {
    let now = std::fs::read(store).unwrap();
    assert!(
        now == before,
        "{what}: the store changed:\n{}",
        String::from_utf8_lossy(&now)
    );
    assert_eq!(mode_of(store), 0o600, "{what}: store mode");
}

/// Asserts a failed run: exit 1 and a one-line error mentioning `why`.
fn assert_failed_with(out: &std::process::Output, why: &str, what: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 1, "{what}: {err}");
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("tlskit: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{what}: {err}");
    assert!(errors[0].contains(why), "{what}: {err}");
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[test]
fn a_full_disk_never_loses_or_truncates_the_pin_store() {
    let Some(fs) = Tmpfs::mount("size=64k,mode=0755") else {
        return;
    };
    let dir = Dir::new();
    let srv = util::spawn_serve(&dir, &[]);
    let target = srv.addr.clone();
    let store = fs.path.join("pins");
    let before = seed_store(&store, 40);
    // The lock file exists, as after any earlier write.
    let out = with_store(&fs.path, &store, &["pin", "--forget", "nobody.test:1"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    fill(&fs.path, 0);
    for (args, what) in [
        (vec!["pin", target.as_str(), "--trust"], "pin --trust"),
        (vec!["pin", "--forget", "host7.test:443"], "pin --forget"),
        (
            vec!["connect", target.as_str(), "--tofu", "--no-io"],
            "connect --tofu",
        ),
    ] {
        let out = with_store(&fs.path, &store, &args);
        assert_failed_with(&out, "No space left on device", what);
        assert_store_intact(&store, &before, what);
        assert_eq!(
            fs.entries(),
            ["filler", "pins", "pins.lock"],
            "{what}: temp files left behind"
        );
    }
    // With room again, the next write keeps every old line and adds the new one.
    std::fs::remove_file(fs.path.join("filler")).unwrap();
    let out = with_store(&fs.path, &store, &["pin", &target, "--trust"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = std::fs::read_to_string(&store).unwrap();
    assert!(
        after.starts_with(std::str::from_utf8(&before).unwrap()),
        "{after}"
    );
    assert!(
        after.contains(&format!("\n{target} {} ", srv.pin)),
        "{after}"
    );
    assert_eq!(after.lines().count(), 42);
    assert_eq!(mode_of(&store), 0o600);
}

#[test]
fn a_read_only_pin_store_still_checks_and_refuses_to_change() {
    let Some(fs) = Tmpfs::mount("size=64k,mode=0755") else {
        return;
    };
    let dir = Dir::new();
    let srv = util::spawn_serve(&dir, &[]);
    let other = util::spawn_serve(&dir, &[]);
    let target = srv.addr.clone();
    let store = fs.path.join("pins");
    seed_store(&store, 5);
    let out = with_store(&fs.path, &store, &["pin", &target, "--trust"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let before = std::fs::read(&store).unwrap();
    fs.remount("ro");
    // Checking a recorded server needs no write: it works on a read-only store.
    let out = with_store(&fs.path, &store, &["pin", &target, "--trust"]);
    assert_eq!(
        code(&out),
        0,
        "pin --trust (known server): {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("matches the one recorded"),
        "{}",
        stderr(&out)
    );
    let out = with_store(&fs.path, &store, &["connect", &target, "--tofu", "--no-io"]);
    assert_eq!(
        code(&out),
        0,
        "connect --tofu (known server): {}",
        stderr(&out)
    );
    let out = with_store(&fs.path, &store, &["pin", "--list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 6);
    // Forgetting a server that is not there needs no write either.
    let out = with_store(&fs.path, &store, &["pin", "--forget", "nobody.test:1"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("no pin is recorded"),
        "{}",
        stderr(&out)
    );
    // Changes are refused, clearly, and change nothing.
    for (args, what) in [
        (
            vec!["pin", other.addr.as_str(), "--trust"],
            "pin --trust (new server)",
        ),
        (vec!["pin", "--forget", "host3.test:443"], "pin --forget"),
        (
            vec!["connect", other.addr.as_str(), "--tofu", "--no-io"],
            "connect --tofu (new server)",
        ),
    ] {
        let out = with_store(&fs.path, &store, &args);
        assert_failed_with(&out, "Read-only file system", what);
        assert_store_intact(&store, &before, what);
    }
    assert_eq!(fs.entries(), ["pins", "pins.lock"]);
}

/// Whether strace can trace here (it is installed and ptrace is allowed).
fn can_strace() -> bool {
    if !util::have("strace") {
        return false;
    }
    let ok = Command::new("strace")
        .args(["-qq", "-o", "/dev/null", "true"])
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("strace cannot trace under CI=true (ptrace not permitted?)");
        }
        util::skip("strace cannot trace here (ptrace not permitted?)");
    }
    ok
}

#[test]
fn a_kill_between_writing_and_renaming_leaves_the_pin_store_whole() {
    if !can_strace() {
        return;
    }
    let dir = Dir::new();
    let srv = util::spawn_serve(&dir, &[]);
    let target = srv.addr.clone();
    let store_dir = dir.join("store");
    std::fs::create_dir(&store_dir).unwrap();
    let store = store_dir.join("pins");
    let before = seed_store(&store, 20);
    let tlskit = util::bin().display().to_string();
    // strace kills tlskit with SIGKILL as it enters the syscall: before the
    // temporary file is synced, or after it is complete and synced, just
    // before the rename that would put it in place.
    for (syscalls, moment) in [
        ("/^f(data)?sync$", "before sync"),
        ("/^rename", "before rename"),
    ] {
        for (args, what) in [
            (vec!["pin", target.as_str(), "--trust"], "pin --trust"),
            (vec!["pin", "--forget", "host7.test:443"], "pin --forget"),
            (
                vec!["connect", target.as_str(), "--tofu", "--no-io"],
                "connect --tofu",
            ),
        ] {
            let what = format!("{what}, killed {moment}");
            let mut cmd = Command::new("strace");
            cmd.args(["-f", "-qq", "-o", "/dev/null", "-e"])
                .arg(format!("inject={syscalls}:signal=KILL"))
                .arg(&tlskit)
                .args(&args)
                .current_dir(dir.path());
            util::scrub(&mut cmd);
            cmd.env("TLSKIT_PIN_STORE", &store);
            let out = run_bounded(cmd, Duration::from_secs(60));
            assert_ne!(code(&out), 0, "{what}: it was not killed: {}", stderr(&out));
            assert_ne!(
                code(&out),
                1,
                "{what}: it failed instead of being killed: {}",
                stderr(&out)
            );
            assert_store_intact(&store, &before, &what);
            // What the kill leaves behind is a private temporary file, never the store.
            let mut temps = 0;
            for entry in std::fs::read_dir(&store_dir).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                if name == "pins" || name == "pins.lock" {
                    continue;
                }
                assert!(
                    name.starts_with(".tlskit-"),
                    "{what}: unexpected file {name}"
                );
                assert_eq!(
                    mode_of(&path) & 0o077,
                    0,
                    "{what}: {name} is readable by others"
                );
                temps += 1;
                std::fs::remove_file(&path).unwrap();
            }
            assert_eq!(temps, 1, "{what}: one temporary file");
        }
    }
    // Undisturbed, the same commands work on the same store.
    let out = with_store(dir.path(), &store, &["pin", &target, "--trust"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = with_store(dir.path(), &store, &["pin", "--forget", "host7.test:443"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let after = std::fs::read_to_string(&store).unwrap();
    assert_eq!(after.lines().count(), 21, "{after}");
    assert!(
        after.contains(&srv.pin) && !after.contains("host7.test"),
        "{after}"
    );
    assert_eq!(mode_of(&store), 0o600);
}

#[test]
fn the_pin_store_is_private_whatever_the_umask_and_the_old_mode() {
    if !util::have("sh") {
        return;
    }
    let dir = Dir::new();
    let srv = util::spawn_serve(&dir, &[]);
    // A store in directories that do not exist yet, created under umask 000.
    let store = dir.join("config/tlskit/pins");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "umask 000 && exec '{}' pin {} --trust",
            util::bin().display(),
            srv.addr
        ))
        .current_dir(dir.path());
    util::scrub(&mut cmd);
    cmd.env("TLSKIT_PIN_STORE", &store);
    let out = run_bounded(cmd, Duration::from_secs(60));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(mode_of(&store), 0o600);
    assert_eq!(mode_of(&dir.join("config/tlskit/pins.lock")), 0o600);
    assert_eq!(mode_of(&dir.join("config/tlskit")), 0o700);
    // A store someone made world-readable is private again after the next write.
    set_mode(&store, 0o644);
    let out = with_store(dir.path(), &store, &["pin", "--forget", &srv.addr]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(mode_of(&store), 0o600);
}

#[test]
fn a_file_size_limit_leaves_the_pin_store_whole() {
    if !util::have("sh") {
        return;
    }
    let dir = Dir::new();
    let srv = util::spawn_serve(&dir, &[]);
    let store = dir.join("pins");
    let before = seed_store(&store, 40);
    // 2 blocks of 512 bytes: the 4 KiB store cannot be rewritten.
    for args in [
        format!("pin {} --trust", srv.addr),
        "pin --forget host7.test:443".to_string(),
    ] {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!(
                "ulimit -f 2 && exec '{}' {args}",
                util::bin().display()
            ))
            .current_dir(dir.path());
        util::scrub(&mut cmd);
        cmd.env("TLSKIT_PIN_STORE", &store);
        let out = run_bounded(cmd, Duration::from_secs(60));
        assert_failed_with(&out, "File too large", &args);
        assert_store_intact(&store, &before, &args);
    }
    assert_eq!(dir.entries(), ["pins", "pins.lock"]);
}

#[test]
fn a_killed_writers_leftover_is_swept_by_the_next_write() {
    let dir = Dir::new();
    let store_dir = dir.join("store");
    std::fs::create_dir(&store_dir).unwrap();
    let store = store_dir.join("pins");
    seed_store(&store, 3);
    let leftover = |name: &str, age: Duration| {
        let path = store_dir.join(name);
        std::fs::write(&path, "host9.test:443 sha256//old 2024-01-01T00:00:00Z\n").unwrap();
        set_mode(&path, 0o600);
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(std::time::SystemTime::now() - age).unwrap();
        path
    };
    let stale = leftover(".tlskit-Ab12Cd.tmp", Duration::from_secs(3600));
    let live = leftover(".tlskit-Ef34Gh.tmp", Duration::from_secs(5));
    // A read does not tidy (it takes no lock)...
    let out = with_store(dir.path(), &store, &["pin", "--list"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stale.exists());
    // ...a write does, and leaves what may belong to a live writer.
    let out = with_store(dir.path(), &store, &["pin", "--forget", "host1.test:443"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stale.exists(), "the stale temporary file is still there");
    assert!(live.exists(), "a recent temporary file was removed");
    let text = std::fs::read_to_string(&store).unwrap();
    assert!(
        !text.contains("host1.test") && text.contains("host2.test"),
        "{text}"
    );
}
