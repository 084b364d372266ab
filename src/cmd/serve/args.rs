//! `serve`'s flags: the clap `Args` (shared with `serve --dtls`), and the
//! parsers of its durations and `--listen` addresses (shared with `tunnel`).

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::exit::{self, Code};
use crate::output::sanitize;

/// Arguments of `tlskit serve`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit serve                                   echo server on 127.0.0.1:4433, ephemeral cert
  tlskit serve --www --listen '[::1]:8443'       status page: curl -k https://[::1]:8443/
  tlskit serve --cert site.pem --key site-key.pem --listen 0.0.0.0:443
  tlskit serve --client-ca ca.pem                mTLS: clients need a certificate from ca.pem
  tlskit serve --listen 127.0.0.1:0 --max-accept 1 --json   for scripts: the first line has the port
  tlskit serve --ocsp-response ocsp.der --alpn h2,http/1.1 --keylog keys.log

Signals:
  SIGINT, SIGTERM  stop accepting; open connections get --grace to finish
  SIGHUP           read --cert/--key (and --client-ca, --ocsp-response) again for
                   new connections; on an error the old ones stay, and the log says why")]
pub struct Args {
    /// Where to listen: HOST:PORT, [::1]:PORT, or just a port (on 127.0.0.1). Port 0 picks a
    /// free port; the first line of output shows the real one.
    #[arg(
        long,
        short = 'l',
        value_name = "ADDR",
        default_value = "127.0.0.1:4433"
    )]
    pub listen: String,

    /// Certificate chain: PEM, leaf first, then intermediates (or one DER certificate)
    /// [default: an ephemeral ECDSA P-256 certificate for localhost, 127.0.0.1 and ::1, made in memory].
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// The certificate's private key (PKCS#8, PKCS#1 or SEC1; PEM or DER)
    /// [default: the key in the --cert file, which may hold both, as for `openssl s_server -cert`].
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Answer HTTP requests (HTTP/2 when the client picks h2 by ALPN, else HTTP/1.1) with a page
    /// describing the client's handshake (JSON when the request accepts application/json)
    /// instead of echoing.
    #[arg(long)]
    pub www: bool,

    /// Ask clients for a certificate issued by a CA in FILE (PEM bundle); required unless
    /// --client-auth optional.
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,

    /// Whether clients must present a certificate [default: required].
    #[arg(long, value_enum, value_name = "WHEN", requires = "client_ca")]
    pub client_auth: Option<ClientAuthMode>,

    /// ALPN protocols, comma-separated, in the server's order of preference
    /// [default: none; h2,http/1.1 with --www].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub alpn: Vec<String>,

    /// Accept TLS 1.3 only (the default accepts 1.2 and 1.3).
    #[arg(long, conflicts_with = "tls12")]
    pub tls13: bool,

    /// Accept TLS 1.2 only (to test clients).
    #[arg(long)]
    pub tls12: bool,

    #[command(flatten)]
    pub algorithms: crate::cmd::AlgorithmArgs,

    /// Issue no session tickets and cache no sessions: every handshake is a full one.
    #[arg(long)]
    pub no_tickets: bool,

    /// Staple this DER OCSP response (as written by `openssl ocsp -respout`) for clients that
    /// ask for one. It must be a successful response; one about another certificate, saying
    /// revoked or unknown, or out of date is served with a warning.
    #[arg(long, value_name = "FILE")]
    pub ocsp_response: Option<PathBuf>,

    /// `auto`: fetch the certificate's OCSP response from the responder it names (the
    /// issuer must follow it in --cert), staple it, and refresh it halfway to its
    /// nextUpdate; a failed refresh keeps the last good response until it expires.
    /// Only a checked, good response about this certificate is ever stapled.
    #[arg(
        long,
        value_name = "MODE",
        value_enum,
        conflicts_with = "ocsp_response",
        requires = "cert"
    )]
    pub ocsp: Option<crate::cmd::revocation_args::OcspMode>,

    /// Append session secrets to FILE in NSS key log format, so Wireshark can decrypt
    /// [default: the file named by SSLKEYLOGFILE, if set].
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,

    /// Connections open at once; more are closed at once and counted.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,

    /// No line per connection (as nginx's `access_log off`): connections are still counted
    /// in the summary and on the --www page, and warnings are still printed.
    #[arg(long)]
    pub no_log: bool,

    /// Seconds the whole handshake may take, from accept to Finished (defeats slowloris).
    /// Fractions and units work: 2.5, 500ms, 1m.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub handshake_timeout: Duration,

    /// Seconds a connection may wait for the client to send, or to take what it is sent;
    /// 0 means no limit.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_timeout_or_zero)]
    pub idle_timeout: Duration,

    /// Stop accepting after N connections, wait for them to finish, and exit 0
    /// (like `openssl s_server -naccept`).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_accept: Option<u64>,

    /// Seconds open connections get to finish after SIGINT/SIGTERM (a second signal cuts it short).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_timeout_or_zero)]
    pub grace: Duration,

    /// Serve DTLS (TLS over UDP) instead: an echo of each datagram, DTLS 1.3 and 1.2, ECDSA
    /// certificates only (the README's DTLS section says what else differs).
    #[arg(long)]
    pub dtls: bool,

    /// With --dtls: the largest datagram to send, in bytes [default: 1232].
    #[arg(long, value_name = "BYTES", requires = "dtls",
          value_parser = clap::value_parser!(u16).range(256..))]
    pub mtu: Option<u16>,
}

/// Whether a client certificate is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthMode {
    /// The handshake fails without a valid certificate.
    Required,
    /// A client may send none; one it sends must verify.
    Optional,
}

/// Parses `10`, `2.5`, `500ms`, `10s`, `2m` into a duration.
pub fn parse_duration_secs(text: &str) -> std::result::Result<Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{t}' is not a number of seconds (like 10, 2.5, 500ms or 1m)"))?;
    let secs = value * scale;
    if !secs.is_finite() || !(0.0..=7.0 * 86_400.0).contains(&secs) {
        return Err(format!("'{t}' is out of range (0 to 7 days)"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_timeout(text: &str) -> std::result::Result<Duration, String> {
    let d = parse_duration_secs(text)?;
    if d < Duration::from_millis(1) {
        return Err("must be more than 0".into());
    }
    Ok(d)
}

fn parse_timeout_or_zero(text: &str) -> std::result::Result<Duration, String> {
    parse_duration_secs(text)
}

/// Turns `--listen` into the addresses to try, in order.
pub fn listen_addrs(text: &str) -> Result<Vec<SocketAddr>> {
    let usage = || {
        exit::fail(
            Code::Usage,
            format!(
                "--listen '{}': expected HOST:PORT, [::1]:PORT or a port number",
                sanitize(text)
            ),
        )
    };
    let t = text.trim();
    if let Ok(addr) = t.parse::<SocketAddr>() {
        return Ok(vec![addr]);
    }
    if let Ok(port) = t.parse::<u16>() {
        return Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]);
    }
    // An IPv6 address with a zone (`[fe80::1%eth0]:8443`): the system resolver
    // turns an interface name into its index, where the OS accepts it.
    if let Some((inside, port)) = t
        .strip_prefix('[')
        .and_then(|r| r.split_once("]:"))
        .filter(|(inside, _)| inside.contains('%'))
    {
        let port: u16 = port.parse().map_err(|_| usage())?;
        let addrs: Vec<SocketAddr> = (inside, port)
            .to_socket_addrs()
            .with_context(|| format!("--listen: '{}'", sanitize(inside)))
            .map_err(|e| exit::tag(Code::Network, e))?
            .collect();
        return Ok(addrs);
    }
    let Some((host, port)) = t.rsplit_once(':') else {
        return Err(usage());
    };
    if host.is_empty() || host.contains(':') || port.parse::<u16>().is_err() {
        return Err(usage());
    }
    let addrs: Vec<SocketAddr> = t
        .to_socket_addrs()
        .with_context(|| format!("--listen: resolving '{}'", sanitize(host)))
        .map_err(|e| exit::tag(Code::Network, e))?
        .collect();
    if addrs.is_empty() {
        return Err(exit::fail(
            Code::Network,
            format!("--listen: '{}' has no address", sanitize(host)),
        ));
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_fractions_and_units() {
        assert_eq!(parse_duration_secs("10").unwrap(), Duration::from_secs(10));
        assert_eq!(
            parse_duration_secs("2.5").unwrap(),
            Duration::from_millis(2500)
        );
        assert_eq!(
            parse_duration_secs("500ms").unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(parse_duration_secs("1m").unwrap(), Duration::from_secs(60));
        assert!(parse_duration_secs("-1").is_err());
        assert!(parse_duration_secs("soon").is_err());
        assert!(parse_duration_secs("inf").is_err());
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout_or_zero("0").unwrap().is_zero());
    }

    #[test]
    fn listen_forms() {
        assert_eq!(
            listen_addrs("127.0.0.1:0").unwrap(),
            vec!["127.0.0.1:0".parse().unwrap()]
        );
        assert_eq!(
            listen_addrs("[::1]:4433").unwrap(),
            vec!["[::1]:4433".parse().unwrap()]
        );
        assert_eq!(
            listen_addrs("8443").unwrap(),
            vec!["127.0.0.1:8443".parse().unwrap()]
        );
        for bad in ["", "::1:4433", "host", ":4433", "127.0.0.1:99999"] {
            let err = listen_addrs(bad).unwrap_err();
            assert_eq!(exit::classify(&err), Code::Usage, "{bad}: {err:#}");
        }
    }
}
