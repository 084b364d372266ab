//! `gencert`'s flags: the clap `Args` and the check of its URLs.

use std::path::PathBuf;

use crate::tls::certgen::KeyType;

pub(super) const DEFAULT_LEAF_DAYS: u32 = 30;
pub(super) const DEFAULT_CA_DAYS: u32 = 3650;

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
