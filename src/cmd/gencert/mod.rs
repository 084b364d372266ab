//! `tlskit gencert`: self-signed leaves, a local CA, CA-issued server and
//! client certificates, and CSRs, written atomically with keys at mode 0600.

use anyhow::{bail, Context, Result};
use time::{Duration, OffsetDateTime};

use crate::atomic::{self, FileSet};
use crate::exit::{self, Code};
pub use crate::output::gencert::{CsrSummary, FileKind, Report, WrittenFile};
use crate::output::{self, sanitize, Ctx};
use crate::pki;
use crate::tls::certgen::{self, CertSpec, Name, Profile};
use crate::tls::certinfo::{self, CertSummary};
use crate::tls::pin::Pin;

mod args;
mod issue;

pub use args::Args;
use args::{DEFAULT_CA_DAYS, DEFAULT_LEAF_DAYS};

/// Runs `tlskit gencert`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    let now = OffsetDateTime::now_utc();
    // Everything wrong here is wrong on the command line: exit 2, like a bad flag.
    let (profile, names, not_before, not_after) =
        check_args(&args, now).map_err(|e| exit::tag(Code::Usage, e))?;
    // Every CA gets a name of its own: CAs with one name (and other keys) make
    // chains link by name and fail by signature, a confusing error.
    let common_name = match (&args.cn, profile, names.is_empty()) {
        (Some(cn), _, _) => Some(cn.clone()),
        (None, Profile::Ca, true) => Some(certgen::unique_ca_name()?),
        (None, _, _) => None,
    };
    let spec = CertSpec {
        names,
        common_name,
        key_type: args.key_type,
        profile,
        not_before,
        not_after,
    };

    let (cert_path, key_path) = issue::output_paths(&args, &spec);
    let mut warnings = Vec::new();
    let (issuer, trust_file) = match &args.issuer {
        Some(path) => {
            let (ca, trust) = issue::resolve_issuer(path.as_deref(), args.issuer_key.as_deref())?;
            (Some(ca), Some(trust))
        }
        None => (None, None),
    };
    if let Some(ca) = &issuer {
        if ca.not_after <= now {
            warnings.push(format!(
                "the issuer expired {}: clients reject every certificate it signs; make a new CA with: tlskit gencert --ca",
                certinfo::rfc3339(ca.not_after)
            ));
        } else if ca.not_before > now {
            warnings.push(format!(
                "the issuer is not valid before {}: until then clients reject the certificates it signs",
                certinfo::rfc3339(ca.not_before)
            ));
        }
        if not_after > ca.not_after && ca.not_after > now {
            warnings.push(format!(
                "the certificate outlives its issuer, which expires {}; clients will reject it after that",
                certinfo::rfc3339(ca.not_after)
            ));
        }
    }
    // Without --days, nothing outlives its issuer: clients would reject it then.
    let mut spec = spec;
    if let (Some(ca), None) = (&issuer, args.days) {
        if ca.not_after > spec.not_before && ca.not_after < spec.not_after {
            spec.not_after = ca.not_after;
        }
    }
    if let (Some(csr), Some(ca)) = (&args.sign_csr, &issuer) {
        let (report, code) = issue::sign_csr(csr, ca, &spec, &args, warnings)?;
        return finish(ctx, &report, code);
    }
    let limits = match &issuer {
        Some(ca) => {
            issue::check_issue(ca, &spec, args.pathlen).map_err(|e| exit::tag(Code::Usage, e))?
        }
        None => certgen::CaLimits {
            pathlen: args.pathlen.unwrap_or(0),
            ..Default::default()
        },
    };
    // Refuse before generating anything (RSA keys take a while).
    atomic::check_targets([cert_path.as_path(), key_path.as_path()], args.force)?;
    let p12 = match &args.p12 {
        Some(path) => {
            atomic::check_targets([path.as_path()], args.force)?;
            let password = super::password::p12_password(
                args.p12_password_file.as_deref(),
                args.p12_no_password,
            )?;
            Some((path.clone(), password))
        }
        None => None,
    };

    let mut set = FileSet::new(args.force);
    let report = if args.csr.is_some() {
        let generated = certgen::generate_csr(&spec)?;
        set.add(&cert_path, generated.pem.as_bytes(), atomic::PUBLIC);
        set.add(&key_path, generated.key_pem.as_bytes(), atomic::PRIVATE);
        let csr = CsrSummary {
            subject: spec.subject(),
            sans: spec.names.iter().map(Name::label).collect(),
            key: certinfo::key_info_of_spki_der(&generated.spki_der)?,
            spki_pin: Pin::of_spki(&generated.spki_der),
        };
        set.commit()?;
        Report {
            files: output::gencert::written(&cert_path, FileKind::Csr, &key_path),
            profile,
            certificate: None,
            csr: Some(csr),
            next: vec![format!(
                "send {} to your CA; inspect it with: tlskit inspect {}",
                cert_path.display(),
                cert_path.display()
            )],
            warnings,
        }
    } else {
        let revocation = certgen::Revocation {
            must_staple: args.must_staple,
            ocsp_url: args.ocsp_url.clone(),
            ca_issuers_url: args.ca_issuers_url.clone(),
            crl_url: args.crl_url.clone(),
        };
        let generated = certgen::generate_full(&spec, &limits, issuer.as_ref(), &revocation)?;
        let chain = issuer.as_ref().map(pki::chain_pem).unwrap_or_default();
        let pem = format!("{}{chain}", generated.pem);
        set.add(&cert_path, pem.as_bytes(), atomic::PUBLIC);
        set.add(&key_path, generated.key_pem.as_bytes(), atomic::PRIVATE);
        let summary = CertSummary::from_der(&generated.cert_der)?;
        if let Some((path, password)) = &p12 {
            let mut certs = vec![generated.cert_der.clone()];
            if let Some(ca) = &issuer {
                certs.push(ca.cert_der.clone());
                certs.extend(ca.chain.iter().cloned());
            }
            let alias = spec.cn().unwrap_or_else(|| "tlskit".into());
            let der = crate::pki::p12::encode(&certs, &generated.key_der, password, &alias)?;
            set.add(path, der, atomic::PRIVATE);
        }
        set.commit()?;
        let kind = if chain.is_empty() {
            FileKind::Certificate
        } else {
            FileKind::CertificateChain
        };
        let mut files = output::gencert::written(&cert_path, kind, &key_path);
        if let Some((path, _)) = &p12 {
            files.push(WrittenFile {
                path: path.display().to_string(),
                kind: FileKind::Pkcs12,
                mode: format!("{:04o}", atomic::PRIVATE),
            });
        }
        Report {
            files,
            profile,
            next: output::gencert::next_steps(
                trust_file.as_deref(),
                profile,
                &cert_path,
                &key_path,
                &summary,
            ),
            certificate: Some(summary),
            csr: None,
            warnings,
        }
    };

    finish(ctx, &report, Code::Success)
}

/// Prints the warnings and the report.
pub(crate) fn finish(ctx: &Ctx, report: &Report, code: Code) -> Result<Code> {
    for w in &report.warnings {
        eprintln!("{}", output::warning_line(w, ctx.stderr_style()));
    }
    if ctx.quiet && !ctx.json {
        return Ok(code);
    }
    ctx.emit(report, |out| {
        output::gencert::render(out, report, ctx.stdout_style())
    })?;
    Ok(code)
}

/// Validates what the command line asks for: the profile, the names and the validity.
fn check_args(
    args: &Args,
    now: OffsetDateTime,
) -> Result<(Profile, Vec<Name>, OffsetDateTime, OffsetDateTime)> {
    let profile = match (args.ca, args.client) {
        (true, _) => Profile::Ca,
        (_, true) => Profile::Client,
        _ => Profile::Server,
    };
    let mut names = args
        .names
        .iter()
        .map(|n| Name::parse(n))
        .collect::<Result<Vec<_>>>()?;
    // The same name twice (`a.test A.test a.test.`) is one SAN.
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    if profile == Profile::Ca && !names.is_empty() {
        bail!("a CA certificate takes no names; give its name with --cn");
    }
    if names.is_empty() && profile == Profile::Server && args.sign_csr.is_none() {
        names = CertSpec::localhost_names();
    }
    if let Some(cn) = &args.cn {
        if cn.trim().is_empty() || cn.chars().any(char::is_control) {
            bail!("--cn must be non-empty printable text");
        }
        if cn.chars().count() > certgen::MAX_CN {
            bail!(
                "--cn is {} characters long; a common name is at most {} (RFC 5280; OpenSSL and CAs refuse longer ones)",
                cn.chars().count(),
                certgen::MAX_CN
            );
        }
    }
    if profile == Profile::Client
        && names.is_empty()
        && args.cn.is_none()
        && args.sign_csr.is_none()
    {
        bail!("a client certificate needs an identity: give a name (alice@example.test) or --cn");
    }

    let days = args.days.unwrap_or(if args.ca {
        DEFAULT_CA_DAYS
    } else {
        DEFAULT_LEAF_DAYS
    });
    let (not_before, not_after) = match &args.not_before {
        Some(text) => {
            let nb = crate::when::parse_time(text, now).context("--not-before")?;
            // X.509 times end with the year 9999 (GeneralizedTime has four digits).
            let end = nb
                .checked_add(Duration::days(days.into()))
                .filter(|end| end.year() <= 9999)
                .with_context(|| {
                    format!(
                        "--not-before {} with --days {days} ends after the year 9999, \
                         the last an X.509 certificate can express",
                        sanitize(text)
                    )
                })?;
            (nb, end)
        }
        None => (now - certgen::CLOCK_SKEW, now + Duration::days(days.into())),
    };
    Ok((profile, names, not_before, not_after))
}
