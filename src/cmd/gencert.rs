//! `tlskit gencert`: self-signed leaves, a local CA, CA-issued server and
//! client certificates, and CSRs, written atomically with keys at mode 0600.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use time::{Duration, OffsetDateTime};

use crate::atomic::{self, FileSet};
use crate::exit::{self, Code};
pub use crate::output::gencert::{CsrSummary, Report, WrittenFile};
use crate::output::{self, sanitize, Ctx};
use crate::pki;
use crate::tls::certgen::{self, CaIssuer, CertSpec, KeyType, Name, Profile};
use crate::tls::certinfo::{self, CertSummary};
use crate::tls::files;
use crate::tls::pin::Pin;

const DEFAULT_LEAF_DAYS: u32 = 30;
const DEFAULT_CA_DAYS: u32 = 3650;

/// Arguments of `tlskit gencert`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit gencert                                  localhost.pem + localhost-key.pem, self-signed
  tlskit gencert example.test '*.example.test' 10.0.0.1
  tlskit gencert --ca --cn 'My Dev CA'            ca.pem + ca-key.pem
  tlskit gencert localhost --issuer ca.pem        a leaf signed by that CA
  tlskit gencert app.test --issuer                a leaf from the CA home (tlskit ca init)
  tlskit gencert --ca --pathlen 1 --out root      a root that may sign intermediates
  tlskit gencert --ca --issuer root.pem --out inter    an intermediate under it
  tlskit gencert --sign-csr app.csr --issuer      sign someone else's request
  tlskit gencert alice@example.test --client --issuer ca.pem
  tlskit gencert example.test --csr example.csr   a request for a real CA
  tlskit gencert --not-before -40d --days 10      an already-expired certificate, for testing")]
pub struct Args {
    /// Names the certificate is for: DNS names (`*.example.test` wildcards too), IPv4/IPv6
    /// addresses, e-mail addresses. The first is the CN and the default file prefix.
    /// Default for a server certificate: localhost 127.0.0.1 ::1.
    #[arg(value_name = "NAMES")]
    pub names: Vec<String>,

    /// Subject common name, at most 64 characters (default: the first name that fits).
    #[arg(long, value_name = "NAME")]
    pub cn: Option<String>,

    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = KeyType::P256, value_name = "TYPE")]
    pub key_type: KeyType,

    /// Days of validity [default: 30, or 3650 with --ca].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub days: Option<u32>,

    /// Start of validity: YYYY-MM-DD, RFC 3339, or relative like -40d (with --days, makes
    /// expired or not-yet-valid certificates for testing) [default: now, less 5 minutes].
    #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
    pub not_before: Option<String>,

    /// Write PREFIX.pem and PREFIX-key.pem.
    #[arg(long, value_name = "PREFIX", conflicts_with = "cert")]
    pub out: Option<PathBuf>,

    /// Write the certificate to FILE (with --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// Write the private key to FILE.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Make a local CA (CA:TRUE, pathlen 0, keyCertSign + cRLSign): ca.pem and ca-key.pem.
    /// With --issuer, an intermediate under that CA, carrying its name constraints.
    #[arg(long, conflicts_with_all = ["client", "csr", "sign_csr"])]
    pub ca: bool,

    /// How many CAs may follow this one below it (basicConstraints pathlen) [default: 0].
    #[arg(long, value_name = "N", requires = "ca",
          value_parser = clap::value_parser!(u8).range(0..=8))]
    pub pathlen: Option<u8>,

    /// Sign with this CA certificate instead of self-signing; without FILE, with the CA
    /// home's intermediate (tlskit ca init). The certificate file then holds the
    /// certificate followed by the issuer's intermediates, as servers send them.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub issuer: Option<Option<PathBuf>>,

    /// Sign the PKCS#10 request in FILE (PEM or DER) with --issuer: its signature is
    /// checked and only its names are copied (never CA:TRUE nor key usages).
    #[arg(long, value_name = "FILE", requires = "issuer",
          conflicts_with_all = ["ca", "csr", "names", "cn", "key"])]
    pub sign_csr: Option<PathBuf>,

    /// The issuer's private key [default: the -key.pem beside the issuer].
    #[arg(long, value_name = "FILE", requires = "issuer")]
    pub issuer_key: Option<PathBuf>,

    /// Make a client certificate for mTLS (clientAuth only; the CN is the identity).
    #[arg(long)]
    pub client: bool,

    /// Write a PKCS#10 request to FILE instead of a certificate (and its key beside it).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["issuer", "cert"])]
    pub csr: Option<PathBuf>,

    /// Also write the key, the certificate and its chain as PKCS#12 to FILE (for Windows,
    /// Java, browsers and Android), mode 0600.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["csr", "sign_csr"])]
    pub p12: Option<PathBuf>,

    /// The PKCS#12 password: the first line of FILE [default: asked on the terminal].
    #[arg(
        long,
        value_name = "FILE",
        requires = "p12",
        conflicts_with = "p12_no_password"
    )]
    pub p12_password_file: Option<PathBuf>,

    /// Write the PKCS#12 file with an empty password: whoever has the file has the key.
    #[arg(long, requires = "p12")]
    pub p12_no_password: bool,

    /// Mark the certificate must-staple (TLS Feature status_request): clients that honour
    /// it refuse a server that does not staple a good OCSP response.
    #[arg(long, conflicts_with = "csr")]
    pub must_staple: bool,

    /// Name this OCSP responder in the certificate (AIA), e.g. the issuer's
    /// `openssl ocsp` responder.
    #[arg(long, value_name = "URL", conflicts_with = "csr", value_parser = http_url)]
    pub ocsp_url: Option<String>,

    /// Name this CRL distribution point in the certificate.
    #[arg(long, value_name = "URL", conflicts_with = "csr", value_parser = http_url)]
    pub crl_url: Option<String>,

    /// Name where the issuer's certificate is published (AIA caIssuers), so that
    /// clients can fetch a missing intermediate.
    #[arg(long, value_name = "URL", conflicts_with = "csr", value_parser = http_url)]
    pub ca_issuers_url: Option<String>,

    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// An http:// URL, as certificates name responders and CRLs (RFC 5280).
fn http_url(text: &str) -> Result<String, String> {
    crate::revocation::fetch::check_url(text)
        .map(|_| text.to_string())
        .map_err(|e| e.message)
}

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

    let (cert_path, key_path) = output_paths(&args, &spec);
    let mut warnings = Vec::new();
    let (issuer, trust_file) = match &args.issuer {
        Some(path) => {
            let (ca, trust) =
                super::ca::resolve_issuer(path.as_deref(), args.issuer_key.as_deref())?;
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
        let (report, code) = super::ca::sign_csr(csr, ca, &spec, &args, warnings)?;
        return finish(ctx, &report, code);
    }
    let limits = match &issuer {
        Some(ca) => super::ca::check_issue(ca, &spec, args.pathlen)
            .map_err(|e| exit::tag(Code::Usage, e))?,
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
            files: output::gencert::written(&cert_path, "csr", &key_path),
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
            "certificate"
        } else {
            "certificate_chain"
        };
        let mut files = output::gencert::written(&cert_path, kind, &key_path);
        if let Some((path, _)) = &p12 {
            files.push(WrittenFile {
                path: path.display().to_string(),
                kind: "pkcs12",
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

pub(crate) fn output_paths(args: &Args, spec: &CertSpec) -> (PathBuf, PathBuf) {
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
pub(crate) fn load_issuer(cert_path: &Path, key_path: Option<&Path>) -> Result<CaIssuer> {
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
