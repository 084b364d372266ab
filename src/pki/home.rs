//! The CA home: one directory holding a root and the name-constrained
//! intermediate that signs everyday certificates, so that `gencert --issuer`
//! needs no path and the root can be installed in trust stores once.
//!
//! Layout: `root.pem`, `root-key.pem` (absent when the root key was set
//! aside with `--offline-root`), `intermediate.pem`, `intermediate-key.pem`.
//! The directory is mode 0700 and keys 0600; a home that is incomplete or
//! readable by others is refused rather than used.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::constraints::Constraints;
use crate::atomic::{self, FileSet};
use crate::tls::certgen::{self, CaIssuer, CaLimits, CertSpec, KeyType, Profile};
use crate::tls::certinfo::CertSummary;
use crate::tls::error::{fail, Failure};
use crate::tls::files;

/// The environment variable naming the CA home.
pub const ENV: &str = "TLSKIT_CA_HOME";

/// The files of a CA home.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// The directory.
    pub dir: PathBuf,
    /// The root certificate (what trust stores get).
    pub root: PathBuf,
    /// The root key (absent from the home when kept offline).
    pub root_key: PathBuf,
    /// The intermediate certificate, which signs certificates.
    pub intermediate: PathBuf,
    /// The intermediate's key.
    pub intermediate_key: PathBuf,
}

impl Layout {
    /// The layout of a home at `dir`.
    pub fn at(dir: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
            root: dir.join("root.pem"),
            root_key: dir.join("root-key.pem"),
            intermediate: dir.join("intermediate.pem"),
            intermediate_key: dir.join("intermediate-key.pem"),
        }
    }

    /// The home named by `$TLSKIT_CA_HOME`, else `tlskit/ca` under the user's
    /// data directory (`$XDG_DATA_HOME`, or `~/.local/share`).
    pub fn default_home() -> Result<Layout> {
        let env = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let dir = env(ENV)
            .or_else(|| env("XDG_DATA_HOME").map(|d| d.join("tlskit").join("ca")))
            .or_else(|| env("HOME").map(|h| h.join(".local/share/tlskit/ca")))
            .ok_or_else(|| {
                fail(
                    Failure::Input,
                    format!("cannot find a data directory for the CA home; set {ENV}"),
                )
            })?;
        Ok(Layout::at(&dir))
    }
}

/// How to make a CA home.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Where.
    pub layout: Layout,
    /// The CA's name (its certificates' CNs start with it).
    pub name: String,
    /// The names the CA may sign for (empty: any).
    pub constraints: Constraints,
    /// Write the root key here instead of into the home.
    pub offline_root: Option<PathBuf>,
    /// Key algorithm of both CAs.
    pub key_type: KeyType,
    /// Days of validity of the root (the intermediate gets at most as many).
    pub days: u32,
    /// Replace an existing home.
    pub force: bool,
}

/// What `ca init` made.
#[derive(Debug, Serialize)]
pub struct InitReport {
    /// The home's files.
    pub home: Layout,
    /// Where the root key went when kept offline.
    pub offline_root_key: Option<PathBuf>,
    /// The root.
    pub root: CertSummary,
    /// The intermediate.
    pub intermediate: CertSummary,
    /// The name constraints of both.
    pub constraints: Constraints,
}

/// Makes the root and the intermediate and writes them, all or nothing.
pub fn init(opts: &InitOptions) -> Result<InitReport> {
    let l = &opts.layout;
    let root_key_path = opts
        .offline_root
        .clone()
        .unwrap_or_else(|| l.root_key.clone());
    let targets = [
        &l.root,
        &root_key_path,
        &l.intermediate,
        &l.intermediate_key,
    ];
    if !opts.force {
        if let Some(p) = targets.iter().find(|p| p.exists()) {
            return Err(fail(
                Failure::Input,
                format!(
                    "'{}' already exists: there is a CA here already; nothing was changed (use --force to replace it)",
                    p.display()
                ),
            ));
        }
    }
    atomic::check_targets(targets.iter().map(|p| p.as_path()), opts.force)?;
    let now = OffsetDateTime::now_utc() - certgen::CLOCK_SKEW;
    let spec = |cn: String, days: u32| CertSpec {
        names: Vec::new(),
        common_name: Some(cn),
        key_type: opts.key_type,
        profile: Profile::Ca,
        not_before: now,
        not_after: now + Duration::days(days.into()),
    };
    let root_cn = format!("{} root", opts.name);
    let inter_cn = format!("{} intermediate", opts.name);
    for cn in [&root_cn, &inter_cn] {
        if cn.chars().count() > certgen::MAX_CN {
            return Err(fail(
                Failure::Argument,
                format!(
                    "the CA name is too long: '{}' is over {} characters",
                    crate::text::sanitize(cn),
                    certgen::MAX_CN
                ),
            ));
        }
    }
    let root = certgen::generate_limited(
        &spec(root_cn, opts.days),
        &CaLimits {
            pathlen: 1,
            constraints: opts.constraints.clone(),
        },
        None,
    )?;
    let root_issuer = CaIssuer::new(root.cert_der.clone(), &root.key_der)?;
    let inter = certgen::generate_limited(
        &spec(inter_cn, opts.days.min(3650)),
        &CaLimits {
            pathlen: 0,
            constraints: opts.constraints.clone(),
        },
        Some(&root_issuer),
    )?;

    let created = !l.dir.exists();
    if created {
        create_private_dir(&l.dir)?;
    }
    let mut set = FileSet::new(opts.force);
    set.add(&l.root, root.pem.as_bytes(), atomic::PUBLIC);
    set.add(&root_key_path, root.key_pem.as_bytes(), atomic::PRIVATE);
    set.add(&l.intermediate, inter.pem.as_bytes(), atomic::PUBLIC);
    set.add(
        &l.intermediate_key,
        inter.key_pem.as_bytes(),
        atomic::PRIVATE,
    );
    if let Err(e) = set.commit() {
        if created {
            let _ = std::fs::remove_dir(&l.dir);
        }
        return Err(e);
    }
    // A replaced home whose new root key went offline must not keep the old one.
    if opts.offline_root.is_some() && l.root_key.exists() {
        std::fs::remove_file(&l.root_key).map_err(|e| {
            input(format!(
                "the old root key '{}' could not be removed: {e}",
                l.root_key.display()
            ))
        })?;
    }
    Ok(InitReport {
        home: l.clone(),
        offline_root_key: opts.offline_root.clone(),
        root: CertSummary::from_der(&root.cert_der)?,
        intermediate: CertSummary::from_der(&inter.cert_der)?,
        constraints: opts.constraints.clone(),
    })
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .with_context(|| format!("creating the CA home '{}'", dir.display()))
}

fn input(msg: String) -> anyhow::Error {
    fail(Failure::Input, msg)
}

/// Checks that the home is complete and private, without changing it.
pub fn check(l: &Layout) -> Result<()> {
    let d = l.dir.display();
    let meta = match std::fs::metadata(&l.dir) {
        Ok(m) if m.is_dir() => m,
        Ok(_) => return Err(input(format!("the CA home '{d}' is not a directory"))),
        Err(_) => {
            return Err(input(format!(
                "there is no CA home at '{d}'; make one with: tlskit ca init (or set {ENV})"
            )))
        }
    };
    let required = [&l.root, &l.intermediate, &l.intermediate_key];
    let missing: Vec<String> = required
        .iter()
        .filter(|p| !p.exists())
        .map(|p| file_name(p))
        .collect();
    if missing.len() == required.len() {
        return Err(input(format!(
            "'{d}' holds no CA; make one with: tlskit ca init"
        )));
    }
    if !missing.is_empty() {
        return Err(input(format!(
            "the CA home '{d}' is incomplete ({} missing); restore it from a backup or make a new one with: tlskit ca init --force",
            missing.join(", ")
        )));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(input(format!(
                "the CA home '{d}' belongs to another user (uid {}); tlskit uses only a CA home of its own user",
                meta.uid()
            )));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(input(format!(
                "the CA home '{d}' is writable by others (mode {:04o}); fix it with: chmod 700 '{d}'",
                meta.mode() & 0o7777
            )));
        }
        for key in [&l.intermediate_key, &l.root_key] {
            let Ok(m) = std::fs::metadata(key) else {
                continue;
            };
            if m.uid() != me {
                return Err(input(format!(
                    "'{}' belongs to another user (uid {})",
                    key.display(),
                    m.uid()
                )));
            }
            if m.mode() & 0o077 != 0 {
                return Err(input(format!(
                    "'{}' is readable by others (mode {:04o}); fix it with: chmod 600 '{}'",
                    key.display(),
                    m.mode() & 0o7777,
                    key.display()
                )));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What `ca show` reports.
#[derive(Debug, Serialize)]
pub struct ShowReport {
    /// The home's files.
    pub home: Layout,
    /// Whether the root key is in the home (false: kept offline).
    pub root_key_present: bool,
    /// The root.
    pub root: CertSummary,
    /// The intermediate.
    pub intermediate: CertSummary,
    /// The intermediate's name constraints (what leaves it may sign).
    pub constraints: Constraints,
}

/// Reads a home for `ca show` (checked first).
pub fn show(l: &Layout) -> Result<ShowReport> {
    check(l)?;
    let root = read_cert(&l.root)?;
    let inter = read_cert(&l.intermediate)?;
    let (_, parsed) = x509_parser::parse_x509_certificate(&inter).map_err(|e| {
        input(format!(
            "'{}' does not parse: {e}",
            l.intermediate.display()
        ))
    })?;
    let constraints = Constraints::of_cert(&parsed)
        .with_context(|| format!("reading '{}'", l.intermediate.display()))?;
    Ok(ShowReport {
        home: l.clone(),
        root_key_present: l.root_key.exists(),
        root: CertSummary::from_der(&root)?,
        intermediate: CertSummary::from_der(&inter)?,
        constraints,
    })
}

fn read_cert(p: &Path) -> Result<rustls_pki_types::CertificateDer<'static>> {
    let mut certs = files::load_certs(p).map_err(|e| tag_input(e, p))?;
    Ok(certs.swap_remove(0))
}

fn tag_input(e: anyhow::Error, p: &Path) -> anyhow::Error {
    crate::tls::error::tag(
        Failure::Input,
        e.context(format!("reading '{}'", p.display())),
    )
}

/// The issuing CA of a home: the intermediate and its key, checked.
pub fn issuer(l: &Layout) -> Result<CaIssuer> {
    check(l)?;
    let cert = read_cert(&l.intermediate)?;
    let key =
        files::load_key(&l.intermediate_key).map_err(|e| tag_input(e, &l.intermediate_key))?;
    CaIssuer::new(cert, &key).map_err(|e| tag_input(e, &l.intermediate))
}
