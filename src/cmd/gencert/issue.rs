//! Issuing with a CA for `gencert`: finding the issuer (a file or the CA
//! home), what it may sign, where the files go, and `--sign-csr`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::atomic::{self, FileSet};
use crate::exit::Code;
use crate::output::{
    self,
    gencert::{FileKind, Report, WrittenFile},
};
use crate::pki::{
    self, csr,
    home::{self, Layout},
};
use crate::tls::certgen::{self, CaIssuer, CaLimits, CertSpec, Profile};
use crate::tls::certinfo::CertSummary;
use crate::tls::error::{tag, Failure};
use crate::tls::files;

pub(super) fn output_paths(args: &super::Args, spec: &CertSpec) -> (PathBuf, PathBuf) {
    let prefix = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(match spec.profile {
            Profile::Ca => "ca".to_string(),
            _ => match spec.names.first() {
                Some(n) => pki::file_stem(&n.to_string()),
                None => pki::file_stem(&spec.cn().unwrap_or_else(|| "tlskit".into())),
            },
        })
    });
    let with_suffix = |suffix: &str| {
        let mut s = prefix.clone().into_os_string();
        s.push(suffix);
        PathBuf::from(s)
    };
    let main = args
        .csr
        .clone()
        .or_else(|| args.cert.clone())
        .unwrap_or_else(|| with_suffix(".pem"));
    let mut key = args.key.clone().unwrap_or_else(|| with_suffix("-key.pem"));
    if let (Some(csr), None, None) = (&args.csr, &args.key, &args.out) {
        // The key goes beside the request, wherever that is.
        if let (Some(dir), Some(name)) = (csr.parent(), key.file_name()) {
            key = dir.join(name);
        }
    }
    (main, key)
}

/// Loads a CA and its key from files; the certificates after the first in the
/// CA's file (its own intermediates, roots left out) become its chain.
fn load_issuer(cert_path: &Path, key_path: Option<&Path>) -> Result<CaIssuer> {
    let key_path = key_path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| pki::default_issuer_key(cert_path));
    let mut certs = files::load_certs(cert_path).context("reading the issuer certificate")?;
    let cert = certs.remove(0);
    let chain: Vec<_> = certs
        .into_iter()
        .filter(|c| !crate::pki::is_self_issued(c))
        .collect();
    let key = files::load_key(&key_path).with_context(|| {
        format!(
            "reading the issuer key (give it with --issuer-key if it is not '{}')",
            key_path.display()
        )
    })?;
    let mut ca = CaIssuer::new(cert, &key)
        .with_context(|| format!("using '{}' as issuer", cert_path.display()))?;
    ca.chain = chain;
    Ok(ca)
}
/// The CA `gencert --issuer [FILE]` signs with, and the file a client should trust.
pub(super) fn resolve_issuer(
    path: Option<&Path>,
    key: Option<&Path>,
) -> Result<(CaIssuer, PathBuf)> {
    match path {
        Some(p) => Ok((load_issuer(p, key)?, p.to_path_buf())),
        None => {
            let layout = Layout::default_home()?;
            let ca = home::issuer(&layout).context("--issuer without a file uses the CA home")?;
            Ok((ca, layout.root))
        }
    }
}

/// Checks that `ca` may sign what `spec` describes; the limits of a CA it makes.
pub(super) fn check_issue(ca: &CaIssuer, spec: &CertSpec, pathlen: Option<u8>) -> Result<CaLimits> {
    if spec.profile == Profile::Ca {
        let want = pathlen.unwrap_or(0);
        match ca.pathlen {
            Some(0) => anyhow::bail!(
                "the issuer may sign only leaves (its pathlen is 0), not another CA; \
                 make a root that may with: tlskit gencert --ca --pathlen 1"
            ),
            Some(n) if u32::from(want) >= n => {
                anyhow::bail!("--pathlen {want} is not below the issuer's pathlen ({n})")
            }
            _ => {}
        }
        return Ok(CaLimits {
            pathlen: want,
            constraints: ca.constraints.clone(),
        });
    }
    for name in &spec.names {
        ca.constraints.check(name)?;
    }
    Ok(CaLimits::default())
}

/// `gencert --sign-csr`: signs a request with `ca`, taking only its names.
pub(super) fn sign_csr(
    path: &Path,
    ca: &CaIssuer,
    spec: &CertSpec,
    args: &super::Args,
    mut warnings: Vec<String>,
) -> Result<(Report, Code)> {
    let shown = path.display().to_string();
    let data = files::read_input(path).with_context(|| format!("reading '{shown}'"))?;
    let request = csr::parse(&data).with_context(|| format!("the request '{shown}'"))?;
    for name in &request.names {
        ca.constraints
            .check(name)
            .map_err(|e| tag(Failure::Input, e.context(format!("the request '{shown}'"))))?;
    }
    let spec = CertSpec {
        names: request.names.clone(),
        common_name: None,
        key_type: request.key_type,
        profile: spec.profile,
        not_before: spec.not_before,
        not_after: spec.not_after,
    };
    let (cert_path, _) = output_paths(args, &spec);
    atomic::check_targets([cert_path.as_path()], args.force)?;
    let der = certgen::sign_public_key(&spec, request.public_key(), ca)?;
    let pem = format!(
        "{}{}",
        files::der_to_pem("CERTIFICATE", &der),
        crate::pki::chain_pem(ca)
    );
    let mut set = FileSet::new(args.force);
    set.add(&cert_path, pem.as_bytes(), atomic::PUBLIC);
    set.commit()?;
    warnings.extend(request.ignored.iter().map(|i| i.describe().to_string()));
    let summary = CertSummary::from_der(&der)?;
    Ok((
        Report {
            files: vec![WrittenFile {
                path: cert_path.display().to_string(),
                kind: if ca.is_root && ca.chain.is_empty() {
                    FileKind::Certificate
                } else {
                    FileKind::CertificateChain
                },
                mode: format!("{:04o}", atomic::PUBLIC),
            }],
            profile: spec.profile,
            certificate: Some(summary),
            csr: None,
            next: vec![format!(
                "send {} back to whoever made the request; it goes with their key",
                output::gencert::quote(&cert_path)
            )],
            warnings,
        },
        Code::Success,
    ))
}
