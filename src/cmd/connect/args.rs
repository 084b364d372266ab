//! `connect`'s flags: the clap `Args` (shared with `connect --dtls`), and the
//! client options they ask for.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Result};

use crate::exit::{self, Code};
use crate::output::sanitize;
use crate::report::Trust;
use crate::tls::config::{ClientOptions, KeyLogTo, Versions};
use crate::tls::danger;
use crate::tls::pin::Pin;
use crate::tls::starttls::StartTls;
use crate::when::parse_secs;

/// Arguments of `tlskit connect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit connect example.com                       report, verified against the Mozilla roots
  tlskit connect localhost:4433 --ca ca.pem        trust a local CA instead
  tlskit connect localhost:4433 --pin sha256//...  trust one key (what `tlskit serve` prints)
  tlskit connect https://example.com/ --alpn h2,http/1.1 --json
  tlskit connect mail.example.com --starttls smtp  (port 25 by default)
  tlskit connect example.com --send $'HEAD / HTTP/1.0\\r\\n\\r\\n' > reply.txt
  tlskit connect example.com --showcerts -q > chain.pem
  tlskit connect example.com --connect-to 192.0.2.10  test one backend, keep the name

Without --no-io or --send, standard input goes to the server and its data to standard output
(the report then goes to standard error); with stdin at end of file (</dev/null) tlskit only reports.")]
pub struct Args {
    /// The server: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/… (port 443, or the
    /// --starttls protocol's port, unless given).
    #[arg(value_name = "TARGET")]
    pub target: String,

    #[command(flatten)]
    pub name: crate::cmd::ServerNameArgs,

    /// Send no SNI (the name is still verified).
    #[arg(long)]
    pub no_sni: bool,

    /// Dial this HOST[:PORT] instead, keeping the target's name for SNI and verification.
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Bound on DNS + TCP connect + STARTTLS + TLS handshake, in seconds.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,

    #[command(flatten)]
    pub trust: crate::cmd::TrustArgs,

    #[command(flatten)]
    pub revocation: crate::cmd::revocation_args::RevocationArgs,

    /// Trust on first use: on first contact record the server's pin in the pin store
    /// ($TLSKIT_PIN_STORE) even if no CA vouches for it; afterwards refuse (exit 6) a
    /// server whose key changed. The name and dates are still checked.
    #[arg(long, conflicts_with_all = ["insecure", "pin"])]
    pub tofu: bool,

    #[command(flatten)]
    pub identity: crate::cmd::IdentityArgs,

    /// ALPN protocols to offer, comma-separated, in preference order (e.g. h2,http/1.1).
    #[arg(long, value_name = "LIST")]
    pub alpn: Option<String>,

    /// Offer TLS 1.3 only.
    #[arg(long, conflicts_with = "tls12")]
    pub tls13: bool,

    /// Offer TLS 1.2 only.
    #[arg(long)]
    pub tls12: bool,

    #[command(flatten)]
    pub algorithms: crate::cmd::AlgorithmArgs,

    /// Append the session secrets to FILE (NSS key log format, for Wireshark); SSLKEYLOGFILE
    /// is honoured too.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,

    /// Connect a second time, resuming the first session, and report whether it resumed.
    #[arg(long)]
    pub reconnect: bool,

    /// Send TEXT after the handshake and print the reply until the server closes or
    /// --read-timeout passes without data.
    #[arg(long, value_name = "TEXT", conflicts_with = "no_io")]
    pub send: Option<String>,

    /// With --send or piped input: stop after this many seconds without data from the server.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub read_timeout: Duration,

    /// Only handshake and report; no data.
    #[arg(long)]
    pub no_io: bool,

    /// Write the presented chain as PEM to stdout (the report goes to stderr).
    #[arg(long)]
    pub showcerts: bool,

    /// Write the presented chain as PEM to FILE.
    #[arg(long, value_name = "FILE")]
    pub save_chain: Option<PathBuf>,

    /// Speak this protocol's plaintext upgrade before TLS.
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<StartTls>,

    /// Speak DTLS (TLS over UDP) instead: each read of standard input (up to the MTU) is one
    /// datagram, and each datagram received is written out. --tls12/--tls13 pick DTLS 1.2/1.3.
    #[arg(long, conflicts_with_all = ["starttls", "reconnect", "tofu", "alpn", "keylog"])]
    pub dtls: bool,

    /// With --dtls: the largest datagram to send, in bytes [default: 1232].
    #[arg(long, value_name = "BYTES", requires = "dtls",
          value_parser = clap::value_parser!(u16).range(256..))]
    pub mtu: Option<u16>,
}

/// Whether to accept a weak RSA key (only ever with --insecure, in a TLS 1.2 retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weak {
    No,
    RsaOverTls12,
}

/// The client options the flags ask for.
pub(super) fn client_options(
    args: &Args,
    pins: &[Pin],
    weak: Weak,
    trust_first_use: bool,
) -> Result<(ClientOptions, Trust)> {
    let alpn = parse_alpn(args.alpn.as_deref()).map_err(|e| exit::tag(Code::Usage, e))?;
    let (roots, trust) = args.trust.roots.load()?;
    let identity = args.identity.load()?;
    let keylog = match &args.keylog {
        Some(p) => KeyLogTo::File(p.clone()),
        None if std::env::var_os("SSLKEYLOGFILE").is_some_and(|v| !v.is_empty()) => KeyLogTo::Env,
        None => KeyLogTo::Off,
    };
    let versions = if weak == Weak::RsaOverTls12 {
        Versions::Tls12
    } else {
        Versions::from_flags(args.tls12, args.tls13)
    };
    let accept_unverified = match (args.trust.insecure, weak) {
        (false, _) => None,
        (true, Weak::No) => Some(danger::accept_unverified()),
        (true, Weak::RsaOverTls12) => Some(danger::accept_unverified().with_weak_rsa()),
    };
    let opts = ClientOptions {
        roots,
        accept_unverified,
        pins: pins.to_vec(),
        trust_first_use,
        identity,
        alpn,
        versions,
        no_sni: args.no_sni,
        keylog,
        algorithms: args.algorithms.algorithms(versions)?,
        verify_once: false,
    };
    Ok((opts, trust))
}

fn parse_alpn(list: Option<&str>) -> Result<Vec<Vec<u8>>> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for p in list.split(',') {
        let p = p.trim();
        if p.is_empty() {
            bail!("--alpn: empty protocol name in '{}'", sanitize(list));
        }
        if p.len() > 255 {
            bail!("--alpn: a protocol name is at most 255 bytes");
        }
        out.push(p.as_bytes().to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_alpn() {
        assert_eq!(parse_secs("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("x").is_err());
        assert!(parse_secs("NaN").is_err());
        assert_eq!(
            parse_alpn(Some("h2, http/1.1")).unwrap(),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(parse_alpn(Some("h2,,x")).is_err());
        assert!(parse_alpn(None).unwrap().is_empty());
    }
}
