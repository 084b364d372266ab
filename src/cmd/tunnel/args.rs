//! The command line of `tlskit tunnel`: its modes, flags and their parsers.

use std::path::PathBuf;
use std::time::Duration;

use crate::tunnel::server::Stapling;

/// Arguments of `tlskit tunnel`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which way the tunnel faces.
    #[command(subcommand)]
    pub mode: TunnelMode,
}

/// The two directions.
#[derive(Debug, clap::Subcommand)]
pub enum TunnelMode {
    /// Accept TLS (and mTLS) and forward plaintext to a TCP or Unix-socket service.
    Server(ServerArgs),
    /// Accept plaintext locally and forward it over verified TLS to a server.
    Client(ClientArgs),
}

/// Flags both modes share: where to listen, timeouts and limits.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a
    /// free port; the first line of output shows the real one.
    #[arg(long, short = 'l', value_name = "ADDR")]
    pub listen: String,

    /// Seconds to wait for the target to accept (and, in client mode, to finish the TLS
    /// handshake). Fractions and units work: 2.5, 500ms, 1m.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub connect_timeout: Duration,

    /// Close a connection on which nothing moved either way for this long; 0 means never.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_timeout_or_zero)]
    pub idle_timeout: Duration,

    /// Connections open at once; more are closed at once and logged.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout_or_zero)]
    pub grace: Duration,

    /// ALPN protocols, comma-separated, in order of preference (offered in client mode,
    /// accepted in server mode).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub alpn: Vec<String>,

    /// Carry UDP datagrams over DTLS instead of TCP over TLS: one DTLS association per client
    /// address, and in server mode one UDP socket to the target per association (ECDSA
    /// certificates only).
    #[arg(long)]
    pub udp: bool,

    /// With --udp: the largest datagram sent on the DTLS side, in bytes [default: 1232].
    #[arg(long, value_name = "BYTES", requires = "udp",
          value_parser = clap::value_parser!(u16).range(256..))]
    pub mtu: Option<u16>,

    /// TLS 1.3 only.
    #[arg(long, conflicts_with = "tls12")]
    pub tls13: bool,

    /// TLS 1.2 only.
    #[arg(long)]
    pub tls12: bool,

    #[command(flatten)]
    pub algorithms: crate::cmd::AlgorithmArgs,

    /// Serve counters over HTTP on ADDR: JSON at / and the Prometheus text format at /metrics
    /// (connections open and total, bytes, failures by outcome, and in server mode the seconds
    /// until the certificate expires).
    #[arg(long, value_name = "ADDR")]
    pub status: Option<String>,

    /// No line per connection (as nginx's `access_log off`): connections are still counted
    /// in the summary and on --status, and warnings are still printed.
    #[arg(long)]
    pub no_log: bool,
}

/// Arguments of `tlskit tunnel server`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit tunnel server --listen 0.0.0.0:6380 --target 127.0.0.1:6379 \\
      --cert redis.pem --key redis-key.pem --client-ca ca.pem --allow-cn app
  tlskit tunnel server --listen 8443 --target unix:/run/app.sock --client-ca ca.pem \\
      --allow-uri spiffe://example.org/web
  tlskit tunnel server --listen 127.0.0.1:0 --target 127.0.0.1:8080   ephemeral certificate
  tlskit tunnel server --listen 8443 --target 127.0.0.1:8080 --cert chain.pem --key k.pem \\
      --ocsp auto --client-ca ca.pem --crl ca.crl

SIGHUP reloads --cert, --key, --client-ca, --crl and --ocsp FILE (a file that fails to load
keeps the old ones); SIGINT/SIGTERM stop accepting and give open connections --grace to finish.")]
pub struct ServerArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Where plaintext goes: HOST:PORT or unix:PATH. Over TCP, `localhost` is dialled as
    /// 127.0.0.1, then ::1, without a name lookup.
    #[arg(long, value_name = "TARGET")]
    pub target: String,

    /// Seconds a client's TLS handshake may take, from accept to Finished (defeats clients
    /// that stall).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub handshake_timeout: Duration,

    /// Allow a target that is not on this machine (not loopback, localhost or a Unix socket).
    #[arg(long)]
    pub allow_remote_target: bool,

    /// Certificate chain: PEM, leaf first [default: an ephemeral ECDSA P-256 certificate for
    /// localhost, 127.0.0.1 and ::1, made in memory; its pin is printed].
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// The certificate's private key [default: the key in the --cert file].
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Require a client certificate issued by a CA in FILE (chain, dates and clientAuth usage
    /// are checked in the handshake).
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,

    /// Let through only client certificates with this subject CN (repeatable; any allow rule
    /// that matches lets a client through).
    #[arg(long, value_name = "NAME", requires = "client_ca")]
    pub allow_cn: Vec<String>,

    /// Let through client certificates with this DNS subject alternative name.
    #[arg(long, value_name = "NAME", requires = "client_ca")]
    pub allow_dns: Vec<String>,

    /// Let through client certificates with this URI subject alternative name (a SPIFFE ID…).
    #[arg(long, value_name = "URI", requires = "client_ca")]
    pub allow_uri: Vec<String>,

    /// Let through client certificates with this SPKI pin (sha256//BASE64 or hex).
    #[arg(long, value_name = "PIN", requires = "client_ca")]
    pub allow_pin: Vec<String>,

    /// Send a PROXY protocol v2 header to the target first, so that it learns the client's
    /// real address (HAProxy, nginx and others read it).
    #[arg(long)]
    pub proxy_protocol: bool,

    /// Staple an OCSP response: `auto` fetches it from the responder the certificate names
    /// (its issuer must follow it in --cert) and refreshes it halfway to its nextUpdate,
    /// keeping the last good one while a refresh fails; FILE staples a DER response (read
    /// again on reload). Only a checked, good answer about this certificate is stapled.
    #[arg(long, value_name = "auto|FILE", value_parser = parse_stapling)]
    pub ocsp: Option<Stapling>,

    /// Refuse client certificates this CRL lists (PEM or DER, signed by their issuer;
    /// repeatable; read again on reload). The client's own certificate is checked; one whose
    /// issuer has no CRL among these passes. A CRL past its nextUpdate is stale: a warning at
    /// start and reload, and its issuer's clients are refused until a current one is loaded
    /// (as openssl -crl_check and stunnel do).
    #[arg(long, value_name = "FILE", requires = "client_ca")]
    pub crl: Vec<PathBuf>,

    /// After the handshake, before the target is dialled, check each client certificate for
    /// revocation: its OCSP responder, else its CRL distribution point (answers reused until
    /// their nextUpdate). Revoked is refused; =require also refuses an unknown status.
    #[arg(
        long,
        value_name = "MODE",
        value_enum,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "warn",
        requires = "client_ca"
    )]
    pub check_revocation: Option<crate::cmd::revocation_args::RevocationMode>,

    /// With --check-revocation: fetch nothing (a status is then unknown).
    #[arg(long, requires = "check_revocation")]
    pub offline: bool,
}

pub(super) fn parse_stapling(text: &str) -> std::result::Result<Stapling, String> {
    match text {
        "" => Err("give auto or a file".into()),
        "auto" => Ok(Stapling::Auto),
        path => Ok(Stapling::File(PathBuf::from(path))),
    }
}

/// Arguments of `tlskit tunnel client`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit tunnel client --listen 127.0.0.1:6379 --target redis.example:6380 \\
      --ca ca.pem --cert app.pem --key app-key.pem
  tlskit tunnel client --listen 8080 --target 127.0.0.1:8443 --pin sha256//…

Each local connection opens its own verified TLS connection; a server that fails
verification closes the local connection, and the log says why, as tlskit connect does.
With --check-revocation the server's chain is checked (its staple, else OCSP, else CRL)
before anything is forwarded; answers are reused until their nextUpdate.")]
pub struct ClientArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// The TLS server: HOST:PORT or [IPv6]:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    pub target: String,

    #[command(flatten)]
    pub name: crate::cmd::ServerNameArgs,

    #[command(flatten)]
    pub roots: crate::cmd::RootArgs,

    /// Require an SPKI pin on the server's chain: sha256//BASE64, pin-sha256="…" or 64 hex
    /// digits. Repeat to allow several. A matching pin also trusts a certificate no CA signed.
    #[arg(long, value_name = "PIN")]
    pub pin: Vec<String>,

    #[command(flatten)]
    pub identity: crate::cmd::IdentityArgs,

    #[command(flatten)]
    pub revocation: crate::cmd::revocation_args::CheckArgs,
}

pub(super) fn parse_timeout(text: &str) -> std::result::Result<Duration, String> {
    let d = crate::cmd::serve::parse_duration_secs(text)?;
    if d < Duration::from_millis(1) {
        return Err("must be more than 0".into());
    }
    Ok(d)
}

pub(super) fn parse_timeout_or_zero(text: &str) -> std::result::Result<Duration, String> {
    crate::cmd::serve::parse_duration_secs(text)
}
