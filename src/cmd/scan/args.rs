//! The command line of `tlskit scan`: its flags and their parsers.

use std::path::PathBuf;
use std::time::Duration;

use crate::scan::grade::Grade;
use crate::tls::starttls::StartTls;

/// Arguments of `tlskit scan`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit scan example.com                        versions, suites, groups, certificates, grade
  tlskit scan localhost:4433 --ca ca.pem         trust a local CA for the certificate verdict
  tlskit scan localhost:4433 --pin sha256//…     trust a key (serve prints its pin)
  tlskit scan example.com --min-grade A          exit 8 when the grade is below A (for CI)
  tlskit scan mail.example.com --starttls smtp   (port 25 by default)
  tlskit scan 192.0.2.7 --sni a.example --sni b.example   the certificate served for each name
  tlskit scan example.com --json > scan.json
  tlskit scan a.example b.example:8443           a summary table, worst first
  tlskit scan --targets hosts.txt --json         one JSON object per target per line
  tlskit scan --targets hosts.txt --format prometheus > tls.prom

A targets file has one target per line, optionally followed by settings, and # comments:
  mail.example.org:25 starttls=smtp servername=mx.example.org timeout=10
  web.example.org names=www.example.org,api.example.org

SSL 3.0 to TLS 1.2 are probed with hand-built ClientHellos (no handshake is completed, so
suites tlskit never negotiates are still found); TLS 1.3 groups and suites are enumerated
through HelloRetryRequests. The grade rubric is in the README.")]
pub struct Args {
    /// The servers: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/… (port 443, or the
    /// --starttls protocol's port, unless given).
    #[arg(value_name = "TARGET", required_unless_present = "targets_file")]
    pub targets: Vec<String>,

    /// Read targets from FILE, one per line with optional settings (starttls=PROTO,
    /// servername=NAME, connect-to=HOST[:PORT], timeout=SECS, names=NAME,NAME) and # comments;
    /// FILE may be - for stdin.
    #[arg(long = "targets", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,

    #[command(flatten)]
    pub name: crate::cmd::ServerNameArgs,

    /// Also ask for the certificate the server presents for NAME (sent as SNI, verified
    /// against NAME): each is reported with its chain and findings, and counts in the grade
    /// as the main certificate does. Repeatable; a targets file line may say names=NAME,NAME
    /// instead.
    #[arg(long = "sni", value_name = "NAME")]
    pub sni: Vec<String>,

    /// Dial this HOST[:PORT] instead, keeping the target's name for SNI and verification.
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Speak this protocol's plaintext upgrade before every probe.
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<StartTls>,

    /// Bound on each probe (TCP connect + STARTTLS + the server's answer), in seconds.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub timeout: Duration,

    /// Probes in flight at once over all targets.
    #[arg(long, value_name = "N", default_value_t = 32,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,

    /// Probes in flight at once for one target (kept small so that scanning a server is
    /// polite, and so that one slow server cannot take every slot).
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=32))]
    pub per_target: u16,

    #[command(flatten)]
    pub roots: crate::cmd::RootArgs,

    #[command(flatten)]
    pub pin: crate::cmd::PinArgs,

    #[command(flatten)]
    pub revocation: crate::cmd::revocation_args::CheckArgs,

    /// Exit with code 8 when a grade is below GRADE (A+, A, A-, B, C, D, F).
    #[arg(long, value_name = "GRADE", value_parser = parse_grade)]
    pub min_grade: Option<Grade>,

    /// Check each server against a policy: mozilla-modern, mozilla-intermediate,
    /// mozilla-old (Mozilla's server-side TLS 5.7) or a TOML FILE; exit 8 on any violation.
    #[arg(long, value_name = "NAME|FILE")]
    pub policy: Option<String>,

    /// Compare with FILE, an earlier --json output (one document or JSON Lines): list what
    /// changed per target; exit 8 when anything regressed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// With several targets, print each full report after the summary table.
    #[arg(long)]
    pub details: bool,

    /// Output format: text, or prometheus (node_exporter's textfile collector). --json
    /// prints JSON (one object per line with several targets).
    #[arg(long, value_name = "FORMAT", value_enum, default_value = "text")]
    pub format: ScanFormat,

    /// Scan a DTLS server (UDP) instead: which of DTLS 1.3 and 1.2 it accepts, and the suites
    /// per version that tlskit's DTLS can offer.
    #[arg(long, conflicts_with_all = ["starttls", "check_revocation"])]
    pub dtls: bool,
}

/// How `scan` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    /// A report (one target) or a summary table (several).
    Text,
    /// The Prometheus text exposition format.
    Prometheus,
}

pub(super) fn parse_secs(s: &str) -> std::result::Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v <= 3600.0) {
        return Err("must be more than 0 and at most 3600 seconds".to_string());
    }
    Ok(Duration::from_secs_f64(v))
}

pub(super) fn parse_grade(s: &str) -> std::result::Result<Grade, String> {
    s.parse()
}
