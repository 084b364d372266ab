//! `bench`'s flags: the clap `Args` (shared with `bench --dtls`), and the
//! parsers of its durations and sizes.

use crate::bench::echo::MAX_BYTES;
use crate::output;

/// Default run length when neither --duration nor --connections is given.
pub(super) const DEFAULT_SECS: f64 = 5.0;
/// The longest run.
pub(super) const MAX_SECS: f64 = output::bench::MAX_SECS;
/// The most connections one run may open.
const MAX_CONNECTIONS: u64 = 100_000_000;
/// The most connections open at once.
const MAX_CONCURRENCY: u32 = 10_000;

/// Arguments of `tlskit bench`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit bench localhost:4433 --ca ca.pem                full handshakes/s for 5 s, 8 at a time
  tlskit bench localhost:4433 --ca ca.pem --resume       resumed handshakes/s (session tickets)
  tlskit bench localhost:4433 --ca ca.pem --bytes 256m -c 1   echo throughput, SHA-256 checked
  tlskit bench 127.0.0.1:4433 --insecure -n 1000 -c 32   exactly 1000 connections, 32 at a time
  tlskit bench example.test:443 --pin sha256//... --json --duration 10
  tlskit bench localhost:4433 --ca ca.pem --groups x25519 --suites TLS_AES_128_GCM_SHA256

Every connection: TCP connect, TLS handshake, the echo if --bytes is given,
close_notify, and up to 1 s for the server to close. Exit 0 when any
connection succeeded; when all failed, the exit code of the first failure.

The server's chain is verified in full the first time; later connections must
present the very same chain for the same name (and it must still be in date),
and every handshake's signature is checked against it, so each server still
proves it holds the key. The client's CPU goes to handshakes, not to building
the same path again (browsers cache verifications too). With --bytes, the
data and its SHA-256 are made before the clock starts.
The report gives bench's own CPU use: near the machine's cores, the client,
not the server, is the limit.")]
pub struct Args {
    /// The server: HOST:PORT, [IPv6]:PORT, HOST (port 443) or https://HOST[:PORT]/.
    #[arg(value_name = "TARGET", required_unless_present = "floor")]
    pub target: Option<String>,

    /// Measure this machine's floor instead: the CPU that one full TLS 1.3 handshake's
    /// cryptography (ECDSA P-256 signature, X25519, ML-KEM-768) and one MiB of AES-256-GCM
    /// cost with the library tlskit uses, and what loopback TCP alone costs a server (on
    /// 127.0.0.1, no TLS) per connection and per MiB echoed or forwarded. No server does a
    /// handshake for less.
    #[arg(long, conflicts_with = "target")]
    pub floor: bool,

    /// Also read this process's CPU time (user + system, with its threads and child
    /// processes) before and after the run, and report the server's CPU per handshake and
    /// per MiB. Repeat for several processes.
    #[arg(long, value_name = "PID")]
    pub server_pid: Vec<u32>,

    /// Connections open at once.
    #[arg(short = 'c', long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=MAX_CONCURRENCY as i64))]
    pub concurrency: u32,

    /// Start no connection after SECS seconds [default: 5, or 3600 as the cap with
    /// --connections; at most 3600]. Running handshakes get --timeout more; running echoes
    /// finish while they move (within an hour of the start).
    #[arg(short = 'd', long, value_name = "SECS", value_parser = parse_secs)]
    pub duration: Option<f64>,

    /// Start exactly N connections (at most 100,000,000), within the --duration cap.
    #[arg(short = 'n', long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=MAX_CONNECTIONS))]
    pub connections: Option<u64>,

    /// Resume sessions (TLS 1.3 tickets, TLS 1.2 tickets or IDs) and count how many really
    /// resumed; without it every handshake is a full one.
    #[arg(long)]
    pub resume: bool,

    /// Echo mode: each connection sends SIZE bytes of pseudo-random data while reading them
    /// back, and checks by SHA-256 that exactly what was sent came back (sizes like 64k, 1m,
    /// 256m, 1g; powers of 1024; at most 16g).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub bytes: Option<u64>,

    /// With --bytes: at most SIZE bytes sent and not yet echoed back (default: as much as TCP
    /// takes). For servers that stall when the echo backs up (ncat --exec).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "bytes")]
    pub window: Option<u64>,

    /// Per connection: limit on TCP connect + handshake, and on any stall of an echo.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: f64,

    #[command(flatten)]
    pub trust: crate::cmd::TrustArgs,

    #[command(flatten)]
    pub identity: crate::cmd::IdentityArgs,

    #[command(flatten)]
    pub name: crate::cmd::ServerNameArgs,

    /// Dial ADDR (HOST, HOST:PORT or [IPv6]:PORT) instead of the target's address, keeping its
    /// name (like curl's --connect-to).
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Speak this protocol's plaintext upgrade before TLS on every connection (a target
    /// without a port gets the protocol's).
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<crate::tls::starttls::StartTls>,

    /// Offer TLS 1.2 only.
    #[arg(long, conflicts_with = "tls13")]
    pub tls12: bool,

    /// Offer TLS 1.3 only.
    #[arg(long)]
    pub tls13: bool,

    #[command(flatten)]
    pub algorithms: crate::cmd::AlgorithmArgs,

    /// Benchmark a DTLS server (UDP) instead: handshakes per second, and with --datagrams an
    /// echo where every datagram must come back intact (losses are counted).
    #[arg(long, conflicts_with_all = ["resume", "bytes"])]
    pub dtls: bool,

    /// With --dtls: datagrams echoed on each association (of --datagram-size bytes).
    #[arg(long, value_name = "N", requires = "dtls", default_value_t = 0)]
    pub datagrams: u64,

    /// With --dtls --datagrams: bytes per datagram (at most the MTU less the record overhead).
    #[arg(long, value_name = "BYTES", requires = "dtls", default_value_t = 512,
          value_parser = clap::value_parser!(u16).range(16..))]
    pub datagram_size: u16,
}

/// Parses seconds: `5`, `0.5`, `5s`, `500ms`, `2m`.
pub(super) fn parse_secs(text: &str) -> std::result::Result<f64, String> {
    let t = text.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{t}' is not a number of seconds (like 5, 0.5, 30s, 500ms or 2m)"))?;
    let v = v * mult;
    if !(v.is_finite() && (0.01..=MAX_SECS).contains(&v)) {
        return Err(format!("'{t}' is out of range (0.01 s to {MAX_SECS} s)"));
    }
    Ok(v)
}

/// Parses a size: `4096`, `64k`, `1m`, `256M`, `1g`, `64KiB` (k, m, g are powers of 1024).
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    if digits.is_empty() {
        return Err(format!("'{t}' is not a size (like 4096, 64k, 1m or 256m)"));
    }
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "'{t}': the unit must be k, m or g (powers of 1024)"
            ))
        }
    };
    let n: u64 = digits.parse().map_err(|_| format!("'{t}' is too large"))?;
    let v = n
        .checked_mul(1u64 << shift)
        .filter(|v| (1..=MAX_BYTES).contains(v))
        .ok_or_else(|| format!("'{t}' is out of range (1 byte to 16g)"))?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64k"), Ok(65_536));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("2KiB"), Ok(2048));
        assert!(parse_size("0").is_err());
        assert!(parse_size("17g").is_err());
        assert!(parse_size("1t").unwrap_err().contains("unit"));
        assert!(parse_size("m").is_err());
        assert!(parse_size("99999999999999999999k").is_err());
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_secs("5"), Ok(5.0));
        assert_eq!(parse_secs("0.5"), Ok(0.5));
        assert_eq!(parse_secs("30s"), Ok(30.0));
        assert_eq!(parse_secs("2m"), Ok(120.0));
        assert_eq!(parse_secs("500ms"), Ok(0.5));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("61m").is_err());
        assert!(parse_secs("NaN").is_err());
        assert!(parse_secs("soon").is_err());
    }
}
