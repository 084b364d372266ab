//! gencert under failure: a full disk, a read-only directory, a file-size
//! limit. Nothing partial or world-readable is left behind, and nothing that
//! existed is lost. Uses small tmpfs mounts, which need root (CI runs as
//! root); elsewhere these tests skip with a notice.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use util::{code, run_bounded, stderr, Dir};

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
            eprintln!("SKIPPED: cannot mount a tmpfs here (not root?)");
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
