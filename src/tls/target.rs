//! What a user names when they mean "that TLS server": `HOST`, `HOST:PORT`,
//! `[v6]:PORT`, a bare IPv6 address, or a URL (`https://host[:port]/path`),
//! turned into the host to dial, the port, and the server name to send as
//! SNI and verify the certificate against.

use std::fmt;
use std::net::IpAddr;

use anyhow::{bail, Context, Result};
use rustls::pki_types::ServerName;

use super::error::{self, Failure};
use crate::text::sanitize;

/// The port used when a target names none.
pub const DEFAULT_PORT: u16 = 443;

/// URL schemes tlskit understands, with their implicit-TLS default port.
const SCHEMES: &[(&str, u16)] = &[
    ("https", 443),
    ("wss", 443),
    ("smtps", 465),
    ("ldaps", 636),
    ("ftps", 990),
    ("imaps", 993),
    ("pop3s", 995),
];

/// A TLS endpoint: where to dial and which name to expect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// The name sent as SNI (DNS names only) and verified against the certificate.
    pub server_name: ServerName<'static>,
}

impl Target {
    /// Parses a target, with port 443 when none is given.
    pub fn parse(text: &str) -> Result<Target> {
        Target::parse_with_default_port(text, DEFAULT_PORT)
    }

    /// Parses a target, with `default_port` when none is given (a URL's scheme wins over it).
    ///
    /// Targets come from the command line: a bad one is a usage error (exit 2).
    pub fn parse_with_default_port(text: &str, default_port: u16) -> Result<Target> {
        let parsed = split_host_port(text, default_port)
            .and_then(|(host, port)| Ok((server_name(&host)?, host, port)));
        let (server_name, host, port) = parsed.map_err(|e| error::tag(Failure::Argument, e))?;
        Ok(Target {
            host,
            port,
            server_name,
        })
    }

    /// Replaces the name sent as SNI and verified (`--servername`); the host dialled is unchanged.
    pub fn with_server_name(mut self, name: &str) -> Result<Target> {
        self.server_name = server_name(name)
            .context("--servername")
            .map_err(|e| error::tag(Failure::Argument, e))?;
        Ok(self)
    }

    /// The server name as text (`example.com`, `127.0.0.1`, `::1`).
    pub fn server_name_str(&self) -> String {
        server_name_text(&self.server_name)
    }

    /// Whether the server name is a DNS name (only those are sent as SNI).
    pub fn name_is_dns(&self) -> bool {
        matches!(self.server_name, ServerName::DnsName(_))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", host_port(&self.host, self.port))
    }
}

/// `host:port`, with brackets around an IPv6 address.
pub fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The text of a server name.
pub fn server_name_text(name: &ServerName<'_>) -> String {
    match name {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// Splits `HOST`, `HOST:PORT`, `[v6]`, `[v6]:PORT`, a bare IPv6 address or a URL.
pub fn split_host_port(text: &str, default_port: u16) -> Result<(String, u16)> {
    let shown = sanitize(text);
    let t = text.trim();
    if t.is_empty() {
        bail!("the target is empty: give HOST, HOST:PORT, [IPv6]:PORT or https://HOST/");
    }
    if t.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("'{shown}' is not a target: it contains spaces or control characters");
    }
    let (authority, default_port) = match t.split_once("://") {
        Some((scheme, rest)) => {
            let lower = scheme.to_ascii_lowercase();
            let Some((_, port)) = SCHEMES.iter().find(|(s, _)| *s == lower) else {
                let known: Vec<&str> = SCHEMES.iter().map(|(s, _)| *s).collect();
                bail!(
                    "'{shown}': tlskit does not know the URL scheme '{}' (it knows {})",
                    sanitize(scheme),
                    known.join(", ")
                );
            };
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            let authority = &rest[..end];
            if authority.contains('@') {
                bail!("'{shown}': user names and passwords in the URL are not used by tlskit; remove them");
            }
            (authority, *port)
        }
        None => (t, default_port),
    };
    if authority.is_empty() {
        bail!("'{shown}' names no host");
    }
    let (host, port_text) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            bail!("'{shown}': '[' without a closing ']'");
        };
        // In a URL the zone's '%' is written %25 (RFC 6874).
        let inside = if t.contains("://") {
            inside.replacen("%25", "%", 1)
        } else {
            inside.to_string()
        };
        if !is_ipv6(&inside) {
            bail!(
                "'{shown}': '{}' in brackets is not an IPv6 address",
                sanitize(&inside)
            );
        }
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => bail!("'{shown}': expected ':PORT' after ']'"),
            },
        };
        (inside, port)
    } else if authority.matches(':').count() > 1 {
        // A bare IPv6 address: every colon belongs to it.
        if !is_ipv6(authority) {
            bail!("'{shown}' is not a target: write an IPv6 address with a port as [ADDRESS]:PORT");
        }
        // `::1:443` is an address, and also ::1 with port 443: refuse to guess
        // (s_client too), rather than dial an address nobody meant.
        if let Some((head, tail)) = authority.rsplit_once(':') {
            let digits =
                !tail.is_empty() && tail.len() <= 5 && tail.bytes().all(|b| b.is_ascii_digit());
            if digits && head.parse::<std::net::Ipv6Addr>().is_ok() {
                bail!(
                    "'{shown}' is ambiguous: write [{head}]:{tail} for port {tail} of {head}, or [{authority}] for that address"
                );
            }
        }
        (authority.to_string(), None)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        bail!("'{shown}' names no host");
    }
    let port = match port_text {
        None => default_port,
        Some(p) => parse_port(p).map_err(|why| anyhow::anyhow!("'{shown}': {why}"))?,
    };
    Ok((host, port))
}

/// Whether `text` is an IPv6 address, with or without a zone
/// (`fe80::1%eth0`, `::1%1`): the zone is an interface name or index, which
/// the system resolver checks when the target is dialled.
fn is_ipv6(text: &str) -> bool {
    let (addr, zone) = split_zone(text);
    addr.parse::<std::net::Ipv6Addr>().is_ok()
        && zone.is_none_or(|z| {
            !z.is_empty()
                && z.len() <= 64
                && z.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        })
}

/// `fe80::1%eth0` → (`fe80::1`, `Some("eth0")`).
pub fn split_zone(host: &str) -> (&str, Option<&str>) {
    match host.split_once('%') {
        Some((addr, zone)) => (addr, Some(zone)),
        None => (host, None),
    }
}

fn parse_port(p: &str) -> std::result::Result<u16, String> {
    if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("'{}' is not a port number", sanitize(p)));
    }
    match p.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(format!("port {} is out of range (1-65535)", sanitize(p))),
    }
}

/// The server name for a host: an IP address, or a DNS name (a trailing dot is dropped).
pub fn server_name(host: &str) -> Result<ServerName<'static>> {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    // A zone says which interface to dial; the certificate names the address.
    let (addr, zone) = split_zone(h);
    if let (Ok(ip), Some(_)) = (addr.parse::<std::net::Ipv6Addr>(), zone) {
        return Ok(ServerName::IpAddress(IpAddr::V6(ip).into()));
    }
    if let Ok(ip) = h.parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    let h = h.strip_suffix('.').unwrap_or(h);
    if !h.is_ascii() {
        bail!(
            "'{}' is not usable as a server name: write internationalised names in their xn-- (punycode) form",
            sanitize(host)
        );
    }
    ServerName::try_from(h.to_ascii_lowercase())
        .map_err(|_| anyhow::anyhow!("'{}' is not a valid host name", sanitize(host)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(t: &str) -> (String, u16) {
        split_host_port(t, 443).unwrap()
    }

    #[test]
    fn forms() {
        assert_eq!(hp("example.com"), ("example.com".into(), 443));
        assert_eq!(hp("example.com:8443"), ("example.com".into(), 8443));
        assert_eq!(hp("[::1]:4433"), ("::1".into(), 4433));
        assert_eq!(hp("[::1]"), ("::1".into(), 443));
        assert_eq!(hp("::1"), ("::1".into(), 443));
        assert_eq!(hp("2001:db8::1"), ("2001:db8::1".into(), 443));
        assert_eq!(hp("fe80::1234"), ("fe80::1234".into(), 443));
        assert_eq!(hp("[::1:443]"), ("::1:443".into(), 443));
        assert_eq!(hp("[fe80::1%eth0]:443"), ("fe80::1%eth0".into(), 443));
        assert_eq!(hp("[::1%1]:8443"), ("::1%1".into(), 8443));
        assert_eq!(hp("fe80::1%eth0"), ("fe80::1%eth0".into(), 443));
        assert_eq!(
            hp("https://[fe80::1%25eth0]:8443/"),
            ("fe80::1%eth0".into(), 8443)
        );
        assert!(split_host_port("[fe80::1%]:1", 443).is_err());
        assert!(split_host_port("[fe80::1%a b]:1", 443).is_err());
        assert_eq!(
            server_name("fe80::1%eth0").unwrap(),
            server_name("fe80::1").unwrap()
        );
        assert_eq!(hp("127.0.0.1:1"), ("127.0.0.1".into(), 1));
        assert_eq!(hp("https://example.com/a/b?c"), ("example.com".into(), 443));
        assert_eq!(hp("HTTPS://example.com:9/"), ("example.com".into(), 9));
        assert_eq!(
            hp("https://[2001:db8::1]:8443/x"),
            ("2001:db8::1".into(), 8443)
        );
        assert_eq!(hp("imaps://mail.example"), ("mail.example".into(), 993));
        assert_eq!(
            split_host_port("mail.example", 25).unwrap(),
            ("mail.example".into(), 25)
        );
    }

    #[test]
    fn bad_targets_are_clear() {
        let e = |t: &str| split_host_port(t, 443).unwrap_err().to_string();
        assert!(e("").contains("empty"));
        assert!(e("host:0").contains("out of range"));
        assert!(e("host:65536").contains("out of range"));
        assert!(e("host:http").contains("not a port number"));
        assert!(e("host:").contains("not a port number"));
        assert!(e("[::1").contains("closing"));
        assert!(e("[nope]:1").contains("not an IPv6"));
        assert!(e("[::1]x").contains("expected ':PORT'"));
        assert!(e("1:2:zz").contains("[ADDRESS]:PORT"));
        // The address ::1:443, or port 443 of ::1? Like s_client, refuse to guess.
        let amb = e("::1:443");
        assert!(
            amb.contains("ambiguous") && amb.contains("[::1]:443") && amb.contains("[::1:443]"),
            "{amb}"
        );
        assert!(e("2001:db8::8:8443").contains("[2001:db8::8]:8443"));
        assert!(e("gopher://x").contains("does not know the URL scheme"));
        assert!(e("https://u:p@x/").contains("user names"));
        assert!(e("https:///x").contains("names no host"));
        assert!(e(":443").contains("names no host"));
        assert!(e("a b").contains("spaces"));
    }

    #[test]
    fn server_names() {
        let t = Target::parse("Example.COM.:8443").unwrap();
        assert_eq!(t.server_name_str(), "example.com");
        assert!(t.name_is_dns());
        assert_eq!(t.to_string(), "Example.COM.:8443");
        let t = Target::parse("[::1]:1").unwrap();
        assert!(!t.name_is_dns());
        assert_eq!(t.server_name_str(), "::1");
        assert_eq!(t.to_string(), "[::1]:1");
        let t = t.with_server_name("localhost").unwrap();
        assert_eq!(t.server_name_str(), "localhost");
        assert_eq!(t.host, "::1");
        assert!(Target::parse("bad_name!").is_err());
        assert!(Target::parse("bücher.example")
            .unwrap_err()
            .to_string()
            .contains("punycode"));
    }
}
