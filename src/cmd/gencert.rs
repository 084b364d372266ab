//! `tlskit gencert`: self-signed leaves, a local CA, CA-issued server and
//! client certificates, and CSRs, written atomically with keys at mode 0600.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use time::{Duration, OffsetDateTime};

use crate::atomic::{self, FileSet};
use crate::exit::{self, Code};
pub use crate::output::gencert::{CsrSummary, Report, WrittenFile};
use crate::output::{self, sanitize, Ctx};
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
    #[arg(long, conflicts_with_all = ["client", "issuer", "csr"])]
    pub ca: bool,

    /// Sign with this CA certificate instead of self-signing.
    #[arg(long, value_name = "FILE")]
    pub issuer: Option<PathBuf>,

    /// The issuer's private key [default: the -key.pem beside the issuer].
    #[arg(long, value_name = "FILE", requires = "issuer")]
    pub issuer_key: Option<PathBuf>,

    /// Make a client certificate for mTLS (clientAuth only; the CN is the identity).
    #[arg(long)]
    pub client: bool,

    /// Write a PKCS#10 request to FILE instead of a certificate (and its key beside it).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["issuer", "cert"])]
    pub csr: Option<PathBuf>,

    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
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
    let issuer = match &args.issuer {
        Some(path) => Some(load_issuer(path, args.issuer_key.as_deref())?),
        None => None,
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
    // Refuse before generating anything (RSA keys take a while).
    atomic::check_targets([cert_path.as_path(), key_path.as_path()], args.force)?;

    let mut set = FileSet::new(args.force);
    let report = if args.csr.is_some() {
        let generated = certgen::generate_csr(&spec)?;
        set.add(&cert_path, generated.pem.as_bytes(), atomic::PUBLIC);
        set.add(&key_path, generated.key_pem.as_bytes(), atomic::PRIVATE);
        let csr = CsrSummary {
            subject: spec.subject(),
            sans: spec.names.iter().map(name_label).collect(),
            key: certinfo::key_info_of_spki_der(&generated.spki_der)?,
            spki_pin: Pin::of_spki(&generated.spki_der),
        };
        set.commit()?;
        Report {
            files: written(&cert_path, "csr", &key_path),
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
        let generated = certgen::generate(&spec, issuer.as_ref())?;
        set.add(&cert_path, generated.pem.as_bytes(), atomic::PUBLIC);
        set.add(&key_path, generated.key_pem.as_bytes(), atomic::PRIVATE);
        let summary = CertSummary::from_der(&generated.cert_der)?;
        set.commit()?;
        Report {
            files: written(&cert_path, "certificate", &key_path),
            profile,
            next: next_steps(&args, profile, &cert_path, &key_path, &summary),
            certificate: Some(summary),
            csr: None,
            warnings,
        }
    };

    for w in &report.warnings {
        eprintln!("{}", output::gencert::warning_line(w, ctx.stderr_style()));
    }
    if ctx.quiet && !ctx.json {
        return Ok(Code::Success);
    }
    ctx.emit(&report, |out| {
        output::gencert::render(out, &report, ctx.stdout_style())
    })?;
    Ok(Code::Success)
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
    if names.is_empty() && profile == Profile::Server {
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
    if profile == Profile::Client && names.is_empty() && args.cn.is_none() {
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

fn name_label(n: &Name) -> String {
    match n {
        Name::Dns(s) => format!("DNS:{s}"),
        Name::Ip(ip) => format!("IP:{ip}"),
        Name::Email(s) => format!("email:{s}"),
    }
}

fn written(main: &Path, kind: &'static str, key: &Path) -> Vec<WrittenFile> {
    vec![
        WrittenFile {
            path: main.display().to_string(),
            kind,
            mode: format!("{:04o}", atomic::PUBLIC),
        },
        WrittenFile {
            path: key.display().to_string(),
            kind: "private_key",
            mode: format!("{:04o}", atomic::PRIVATE),
        },
    ]
}

/// A file-name-safe form of a name: `*.example.test` becomes `_wildcard.example.test`.
fn file_stem(name: &str) -> String {
    let name = name.replacen("*.", "_wildcard.", 1);
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn output_paths(args: &Args, spec: &CertSpec) -> (PathBuf, PathBuf) {
    let prefix = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(match spec.profile {
            Profile::Ca => "ca".to_string(),
            _ => match spec.names.first() {
                Some(n) => file_stem(&n.to_string()),
                None => file_stem(&spec.cn().unwrap_or_else(|| "tlskit".into())),
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

/// `ca.pem` → `ca-key.pem`; `ca.crt` → `ca-key.crt`; `ca` → `ca-key.pem`.
fn default_issuer_key(issuer: &Path) -> PathBuf {
    let stem = issuer
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = issuer
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pem".into());
    issuer.with_file_name(format!("{stem}-key.{ext}"))
}

fn load_issuer(cert_path: &Path, key_path: Option<&Path>) -> Result<CaIssuer> {
    let key_path = key_path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_issuer_key(cert_path));
    let cert = files::load_certs(cert_path)
        .context("reading the issuer certificate")?
        .swap_remove(0);
    let key = files::load_key(&key_path).with_context(|| {
        format!(
            "reading the issuer key (give it with --issuer-key if it is not '{}')",
            key_path.display()
        )
    })?;
    CaIssuer::new(cert, &key).with_context(|| format!("using '{}' as issuer", cert_path.display()))
}

fn next_steps(
    args: &Args,
    profile: Profile,
    cert: &Path,
    key: &Path,
    summary: &CertSummary,
) -> Vec<String> {
    let (c, k) = (quote(cert), quote(key));
    match profile {
        Profile::Ca => vec![
            format!("tlskit gencert localhost --issuer {c}"),
            format!("tlskit gencert alice@example.test --client --issuer {c}"),
            format!("tlskit serve --client-ca {c}   # require client certificates from this CA"),
        ],
        Profile::Client => vec![format!("tlskit connect HOST:PORT --cert {c} --key {k}")],
        Profile::Server => {
            let trust = match &args.issuer {
                Some(ca) => format!("--ca {}", quote(ca)),
                None => format!("--pin {}", summary.spki_pin),
            };
            let mut next = vec![format!("tlskit serve --cert {c} --key {k}")];
            if let Some(target) = connect_target(&summary.sans) {
                next.push(format!("tlskit connect {target} {trust}"));
            }
            next
        }
    }
}

/// What to give `tlskit connect` to reach `tlskit serve` (127.0.0.1:4433) under a
/// name the certificate holds: the name itself, dialled at 127.0.0.1 unless it
/// is localhost or 127.0.0.1 (a wildcard stands for `www.`). `None` when the
/// certificate names no host (e-mail addresses only).
fn connect_target(sans: &[String]) -> Option<String> {
    let host = sans.iter().find_map(|s| {
        if let Some(dns) = s.strip_prefix("DNS:") {
            return Some(match dns.strip_prefix("*.") {
                Some(parent) => format!("www.{parent}"),
                None => dns.to_string(),
            });
        }
        let ip = s.strip_prefix("IP:")?;
        Some(if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.to_string()
        })
    })?;
    Some(if host == "localhost" || host == "127.0.0.1" {
        format!("{host}:4433")
    } else {
        format!("{host}:4433 --connect-to 127.0.0.1")
    })
}

/// Quotes a path for a shell command line when it needs it.
fn quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "./_-@:+=".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_keys() {
        assert_eq!(file_stem("*.example.test"), "_wildcard.example.test");
        assert_eq!(file_stem("::1"), "__1");
        assert_eq!(
            default_issuer_key(Path::new("dir/ca.pem")),
            Path::new("dir/ca-key.pem")
        );
        assert_eq!(
            default_issuer_key(Path::new("ca.crt")),
            Path::new("ca-key.crt")
        );
        assert_eq!(quote(Path::new("a b.pem")), "'a b.pem'");
    }
}
