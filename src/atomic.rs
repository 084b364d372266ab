//! Writing files so that nothing is lost: every file is first written in
//! full to a temporary file beside its target, given its final mode, synced,
//! and only then renamed into place. A set of files is all-or-nothing: an
//! existing file stops the whole set (unless forced) before anything is
//! written, and a failure half-way removes what this set already placed.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Mode of a private key file.
pub const PRIVATE: u32 = 0o600;
/// Mode of a certificate or other public file.
pub const PUBLIC: u32 = 0o644;

/// Files to be written together.
#[derive(Debug)]
pub struct FileSet {
    force: bool,
    planned: Vec<(PathBuf, Vec<u8>, u32)>,
}

impl FileSet {
    /// A new empty set; `force` allows replacing existing files.
    pub fn new(force: bool) -> FileSet {
        FileSet {
            force,
            planned: Vec::new(),
        }
    }

    /// Adds a file to write with `contents` and Unix `mode`.
    pub fn add(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>, mode: u32) {
        self.planned.push((path.into(), contents.into(), mode));
    }

    /// Checks, before any work is done, that the targets are distinct and
    /// (without `force`) do not exist yet.
    pub fn check(&self) -> Result<()> {
        check_targets(self.planned.iter().map(|(p, _, _)| p.as_path()), self.force)
    }

    /// Writes every file, or none.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        self.check()?;
        let mut staged = Vec::with_capacity(self.planned.len());
        for (path, contents, mode) in &self.planned {
            staged.push((path, stage(path, contents, *mode)?));
        }
        // Synced only once all are written: on journalling filesystems the
        // first sync then commits every file at once, and the others cost
        // next to nothing (one journal commit instead of one per file).
        for (path, tmp) in &staged {
            tmp.as_file().sync_all().with_context(|| {
                format!("cannot write in directory '{}'", parent_dir(path).display())
            })?;
        }
        let mut placed: Vec<&PathBuf> = Vec::new();
        for (path, tmp) in staged {
            let result = if self.force {
                tmp.persist(path).map(|_| ()).map_err(|e| e.error)
            } else {
                tmp.persist_noclobber(path).map(|_| ()).map_err(|e| e.error)
            };
            if let Err(e) = result {
                // Undo this set's own files; anything that existed before is untouched
                // (without --force nothing existing was replaced).
                if !self.force {
                    for p in &placed {
                        let _ = std::fs::remove_file(p);
                    }
                }
                let why = if e.kind() == std::io::ErrorKind::AlreadyExists {
                    "it appeared while writing; use --force to replace it".to_string()
                } else {
                    e.to_string()
                };
                bail!("writing '{}': {why}", path.display());
            }
            placed.push(path);
        }
        if let Some((first, _, _)) = self.planned.first() {
            sync_dir(first);
        }
        Ok(self.planned.into_iter().map(|(p, _, _)| p).collect())
    }
}

/// Fails with the first target that exists (unless `force`), or a repeated target.
pub fn check_targets<'a>(paths: impl IntoIterator<Item = &'a Path>, force: bool) -> Result<()> {
    let mut seen = HashSet::new();
    for path in paths {
        if !seen.insert(path.to_path_buf()) {
            bail!("'{}' is named twice as an output file", path.display());
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => bail!("'{}' is a directory", path.display()),
            Ok(_) if !force => bail!(
                "'{}' already exists; nothing was written (use --force to overwrite)",
                path.display()
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Writes one file atomically (temp file, sync, rename), replacing it if `force`.
pub fn write_file(path: &Path, contents: &[u8], mode: u32, force: bool) -> Result<()> {
    let mut set = FileSet::new(force);
    set.add(path, contents, mode);
    set.commit().map(|_| ())
}

/// How this module's temporary files are named: `.tlskit-XXXXXX.tmp`.
const TEMP_PREFIX: &str = ".tlskit-";
const TEMP_SUFFIX: &str = ".tmp";

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn stage(path: &Path, contents: &[u8], mode: u32) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    let context = || format!("cannot write in directory '{}'", dir.display());
    // tempfile creates the file with mode 0600, so a key is never readable by others, even briefly.
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .with_context(context)?;
    tmp.write_all(contents).with_context(context)?;
    set_mode(tmp.as_file(), mode).with_context(context)?;
    Ok(tmp)
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Temporary files of this module's in `dir` that are older than `age`:
/// what a process killed between writing and renaming left behind (a live
/// writer's are seconds old at most). Removes them; returns how many.
pub fn sweep_stale(dir: &Path, age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    // Bounded: a directory with more entries than this is not ours to tidy.
    for entry in entries.flatten().take(10_000) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|d| d > age);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Makes the renames durable; best effort (not every filesystem allows it).
fn sync_dir(path: &Path) {
    if let Ok(dir) = std::fs::File::open(parent_dir(path)) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_temporary_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str, age_s: u64| {
            let path = dir.path().join(name);
            let f = std::fs::File::create(&path).unwrap();
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_s);
            f.set_modified(when).unwrap();
            path
        };
        let stale = make(".tlskit-abc123.tmp", 3600);
        let fresh = make(".tlskit-def456.tmp", 1);
        let other = make(".other-abc123.tmp", 3600);
        let store = make("pins", 3600);
        assert_eq!(
            sweep_stale(dir.path(), std::time::Duration::from_secs(600)),
            1
        );
        assert!(!stale.exists());
        assert!(fresh.exists() && other.exists() && store.exists());
        assert_eq!(
            sweep_stale(&dir.path().join("missing"), std::time::Duration::ZERO),
            0
        );
    }

    #[test]
    fn refuses_existing_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.pem");
        let b = dir.path().join("b.pem");
        std::fs::write(&b, "old").unwrap();
        let mut set = FileSet::new(false);
        set.add(&a, "new a", PUBLIC);
        set.add(&b, "new b", PRIVATE);
        let err = set.commit().unwrap_err().to_string();
        assert!(err.contains("b.pem' already exists"), "{err}");
        assert!(!a.exists());
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp files left"
        );
    }

    #[test]
    fn force_replaces_and_modes_are_set() {
        let dir = tempfile::tempdir().unwrap();
        let k = dir.path().join("k.pem");
        std::fs::write(&k, "old").unwrap();
        write_file(&k, b"secret", PRIVATE, true).unwrap();
        assert_eq!(std::fs::read_to_string(&k).unwrap(), "secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&k).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn same_target_twice_is_an_error() {
        let err = check_targets([Path::new("x.pem"), Path::new("x.pem")], true).unwrap_err();
        assert!(err.to_string().contains("named twice"));
    }
}
