//! What `serve` says before its first connection: the `listening on` line
//! (scripts wait for it), the `ready` banner (what is served, its limits, and
//! the commands that reach it) and the start-up warnings.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::super::style::{Style, Tone};
use super::super::{days_left_tone, describe_validity, field_styled, json};
use crate::report::ClientAuth;
use crate::server::Mode;
use crate::text::{human_duration, sanitize};
use crate::tls::certinfo::CertSummary;

/// The first line: where the server listens (a JSON line with `json`).
pub fn write_listening(out: &mut dyn Write, addr: SocketAddr, json: bool) -> io::Result<()> {
    if json {
        #[derive(Serialize)]
        struct Listening {
            event: &'static str,
            addr: String,
        }
        let line = json::to_line(&Listening {
            event: "listening",
            addr: addr.to_string(),
        })
        .map_err(io::Error::other)?;
        writeln!(out, "{line}")
    } else {
        writeln!(out, "listening on {addr}")
    }
}

/// The second event: what is being served, and how to connect to it.
#[derive(Debug, Serialize)]
pub struct Ready<'a> {
    /// Always `ready`.
    pub event: &'static str,
    /// The address listened on.
    pub addr: String,
    /// The served certificate.
    pub certificate: &'a CertSummary,
    /// The certificate was made at start-up (no --cert).
    pub ephemeral: bool,
    /// Certificates in the served chain.
    pub chain_length: usize,
    /// Echo or status page.
    pub mode: Mode,
    /// The versions accepted, newest first.
    pub versions: Vec<&'static str>,
    /// ALPN protocols, in the server's order.
    pub alpn: &'a [String],
    /// Session tickets are issued.
    pub session_tickets: bool,
    /// `off`, `optional` or `required`.
    pub client_auth: ClientAuth,
    /// An OCSP response is stapled.
    pub ocsp_stapling: bool,
    /// Where session secrets are written.
    pub keylog: Option<&'a str>,
    /// `--groups`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<&'a [String]>,
    /// `--suites`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suites: Option<&'a [String]>,
    /// `--max-connections`.
    pub max_connections: u32,
    /// `--handshake-timeout`, milliseconds.
    pub handshake_timeout_ms: u64,
    /// `--idle-timeout`, milliseconds (none when unlimited).
    pub idle_timeout_ms: Option<u64>,
    /// `--max-accept`.
    pub max_accept: Option<u64>,
    /// The `tlskit connect` command that reaches the server ([`connect_command`]).
    pub connect: String,
    /// The start-up warnings (also on stderr).
    pub warnings: &'a [String],
    /// `--client-ca`, for the hint that makes a client certificate (text only).
    #[serde(skip)]
    pub client_ca: Option<&'a Path>,
    /// `--idle-timeout` as given: zero is unlimited (text only).
    #[serde(skip)]
    pub idle_timeout: Duration,
}

/// The `ready` event: a JSON line with `json`, else the banner in `style`.
pub fn write_ready(out: &mut dyn Write, r: &Ready, json: bool, style: Style) -> io::Result<()> {
    if json {
        let line = json::to_line(r).map_err(io::Error::other)?;
        writeln!(out, "{line}")
    } else {
        banner(out, r, style)
    }
}

/// A start-up warning (a problem with the served files or the limits) on
/// stderr. Uncoloured, unlike the warnings logged once the server runs.
pub fn startup_warning(err: &mut dyn Write, text: &str) -> io::Result<()> {
    writeln!(err, "tlskit: warning: {text}")
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Echo => "echo",
        Mode::Www => "www",
    }
}

/// The banner as text: the certificate, what is served, the limits, and the
/// commands that reach the server.
pub fn banner(out: &mut dyn Write, r: &Ready, style: Style) -> io::Result<()> {
    let field =
        |out: &mut dyn Write, label: &str, value: String| field_styled(out, style, label, value);
    let leaf = r.certificate;
    let origin = if r.ephemeral {
        "ephemeral: made at start-up, in memory only"
    } else if leaf.self_issued {
        "self-signed"
    } else {
        "CA-issued"
    };
    field(
        out,
        "certificate",
        format!("{} ({origin})", sanitize(&leaf.subject)),
    )?;
    if !leaf.sans.is_empty() {
        field(out, "SANs", sanitize(&leaf.sans.join(", ")).into_owned())?;
    }
    field(out, "key", leaf.key.to_string())?;
    let when = describe_validity(leaf.days_left, leaf.days_until_valid);
    field(
        out,
        "valid until",
        format!(
            "{} ({})",
            leaf.not_after,
            style.paint(days_left_tone(leaf.days_left), when)
        ),
    )?;
    if r.chain_length > 1 {
        field(out, "chain", format!("{} certificates", r.chain_length))?;
    }
    field(out, "SHA-256", leaf.sha256_fingerprint.clone())?;
    field(out, "SPKI pin", style.paint(Tone::Strong, &leaf.spki_pin))?;
    let alpn = if r.alpn.is_empty() {
        "no ALPN".to_string()
    } else {
        format!("ALPN {}", r.alpn.join(","))
    };
    let clients = match r.client_auth {
        ClientAuth::Required => "client certificates required",
        ClientAuth::Optional => "client certificates optional",
        ClientAuth::Off => "no client certificates",
    };
    field(
        out,
        "serving",
        format!(
            "{}, {}, {alpn}, session tickets {}, {clients}{}",
            mode_name(r.mode),
            r.versions.join(" and "),
            if r.session_tickets { "on" } else { "off" },
            if r.ocsp_stapling {
                ", OCSP stapled"
            } else {
                ""
            }
        ),
    )?;
    if let Some(g) = r.groups {
        field(out, "groups", g.join(", "))?;
    }
    if let Some(s) = r.suites {
        field(out, "suites", s.join(", "))?;
    }
    field(
        out,
        "limits",
        format!(
            "{} connections, handshake {}, idle {}",
            r.max_connections,
            human_duration(r.handshake_timeout_ms),
            if r.idle_timeout.is_zero() {
                "unlimited".to_string()
            } else {
                human_duration(r.idle_timeout.as_millis() as u64)
            }
        ),
    )?;
    if let (Some(ca), ClientAuth::Required | ClientAuth::Optional) = (r.client_ca, r.client_auth) {
        // The connect command (and curl) name client.pem: this makes it, from a CA
        // that `tlskit gencert --ca` made (its key beside it).
        field(
            out,
            "client cert",
            format!(
                "tlskit gencert client@example.test --client --issuer {} --out client",
                shell_word(&ca.display().to_string())
            ),
        )?;
    }
    field(out, "connect", style.paint(Tone::Strong, &r.connect))?;
    if r.mode == Mode::Www {
        let client = if r.client_auth == ClientAuth::Required {
            " --cert client.pem --key client-key.pem"
        } else {
            ""
        };
        field(
            out,
            "browse",
            format!(
                "curl -k --pinnedpubkey {}{client} {}",
                leaf.spki_pin,
                browse_url(&r.connect)
            ),
        )?;
    }
    Ok(())
}

/// The `tlskit connect` command line that reaches this server and trusts it by pin.
///
/// It dials the address the server listens on (the loopback address of that
/// family for 0.0.0.0 and [::]), never a name that may resolve elsewhere:
/// `localhost` only for 127.0.0.1, where every resolver sends it. The name
/// verified is one the certificate covers; when that is not the dialled
/// address, `--connect-to` keeps the two apart.
pub fn connect_command(addr: SocketAddr, leaf: &CertSummary, client_auth: ClientAuth) -> String {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let ip_host = match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    let covers = |san: String| leaf.sans.contains(&san);
    let port = addr.port();
    let target = if ip == IpAddr::V4(Ipv4Addr::LOCALHOST) && covers("DNS:localhost".into()) {
        format!("localhost:{port}")
    } else if covers(format!("IP:{ip}")) {
        format!("{ip_host}:{port}")
    } else if let Some(dns) = leaf
        .sans
        .iter()
        .find_map(|s| s.strip_prefix("DNS:").filter(|d| !d.starts_with('*')))
    {
        format!("{dns}:{port} --connect-to {ip_host}")
    } else {
        format!("{ip_host}:{port}")
    };
    let mut cmd = format!("tlskit connect {target} --pin {}", leaf.spki_pin);
    if client_auth == ClientAuth::Required {
        cmd.push_str(" --cert client.pem --key client-key.pem");
    }
    cmd
}

/// A path as one shell word: quoted when it holds anything a shell would split or expand.
fn shell_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@,=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", sanitize(text).replace('\'', "'\\''"))
    }
}

/// The URL of the status page: the dialled address when the connect command
/// needs `--connect-to` (curl -k checks the pin, not the name).
fn browse_url(connect: &str) -> String {
    let mut words = connect.split_whitespace().skip(2);
    let target = words.next().unwrap_or("localhost");
    let host = match (words.next(), words.next()) {
        (Some("--connect-to"), Some(ip)) => {
            let port = target.rsplit_once(':').map(|(_, p)| p).unwrap_or("443");
            format!("{ip}:{port}")
        }
        _ => target.to_string(),
    };
    format!("https://{host}/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::certgen;

    fn leaf() -> CertSummary {
        let g = certgen::ephemeral_localhost().unwrap();
        CertSummary::from_der(&g.cert_der).unwrap()
    }

    fn ready<'a>(leaf: &'a CertSummary, alpn: &'a [String]) -> Ready<'a> {
        Ready {
            event: "ready",
            addr: "127.0.0.1:4433".into(),
            certificate: leaf,
            ephemeral: true,
            chain_length: 1,
            mode: Mode::Www,
            versions: vec!["TLSv1.3", "TLSv1.2"],
            alpn,
            session_tickets: true,
            client_auth: ClientAuth::Off,
            ocsp_stapling: false,
            keylog: None,
            groups: None,
            suites: None,
            max_connections: 1024,
            handshake_timeout_ms: 10_000,
            idle_timeout_ms: None,
            max_accept: None,
            connect: connect_command("127.0.0.1:4433".parse().unwrap(), leaf, ClientAuth::Off),
            warnings: &[],
            client_ca: None,
            idle_timeout: Duration::ZERO,
        }
    }

    fn text(r: &Ready, style: Style) -> String {
        let mut out = Vec::new();
        write_ready(&mut out, r, false, style).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_banner_plain_and_coloured() {
        let leaf = leaf();
        let alpn = ["h2".to_string(), "http/1.1".to_string()];
        let r = ready(&leaf, &alpn);
        let pin = &leaf.spki_pin;
        let when = describe_validity(leaf.days_left, leaf.days_until_valid);
        let plain = format!(
            "  certificate:   {subject} (ephemeral: made at start-up, in memory only)
  SANs:          {sans}
  key:           {key}
  valid until:   {not_after} ({when})
  SHA-256:       {sha}
  SPKI pin:      {pin}
  serving:       www, TLSv1.3 and TLSv1.2, ALPN h2,http/1.1, session tickets on, no client certificates
  limits:        1024 connections, handshake 10s, idle unlimited
  connect:       tlskit connect localhost:4433 --pin {pin}
  browse:        curl -k --pinnedpubkey {pin} https://localhost:4433/
",
            subject = leaf.subject,
            sans = leaf.sans.join(", "),
            key = leaf.key,
            not_after = leaf.not_after,
            sha = leaf.sha256_fingerprint,
        );
        assert_eq!(text(&r, Style::PLAIN), plain);
        let on = text(&r, Style { color: true });
        assert!(on.starts_with("  \x1b[2mcertificate:  \x1b[0m "), "{on:?}");
        assert!(
            on.contains(&format!(
                "  \x1b[2mvalid until:  \x1b[0m {} ({})\n",
                leaf.not_after,
                Style { color: true }.paint(days_left_tone(leaf.days_left), &when)
            )),
            "{on:?}"
        );
        assert!(
            on.contains(&format!(
                "  \x1b[2mSPKI pin:     \x1b[0m \x1b[1m{pin}\x1b[0m\n"
            )),
            "{on:?}"
        );
        assert!(
            on.contains(&format!(
                "  \x1b[2mconnect:      \x1b[0m \x1b[1mtlskit connect localhost:4433 --pin {pin}\x1b[0m\n"
            )),
            "{on:?}"
        );
        // Without the escape sequences, the coloured banner is the plain one.
        let stripped = on
            .replace("\x1b[2m", "")
            .replace("\x1b[1m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[33m", "")
            .replace("\x1b[0m", "");
        assert_eq!(stripped, plain);
    }

    #[test]
    fn the_banner_names_the_client_certificate_limits_and_a_ca_for_clients() {
        let leaf = leaf();
        let mut r = ready(&leaf, &[]);
        r.mode = Mode::Echo;
        r.client_auth = ClientAuth::Required;
        r.client_ca = Some(Path::new("my ca.pem"));
        r.session_tickets = false;
        r.idle_timeout = Duration::from_secs(90);
        r.chain_length = 2;
        let groups = ["X25519".to_string()];
        r.groups = Some(&groups);
        let text = text(&r, Style::PLAIN);
        assert!(text.contains("  chain:         2 certificates\n"), "{text}");
        assert!(text.contains("  serving:       echo, TLSv1.3 and TLSv1.2, no ALPN, session tickets off, client certificates required\n"), "{text}");
        assert!(text.contains("  groups:        X25519\n"), "{text}");
        assert!(
            text.contains("  limits:        1024 connections, handshake 10s, idle 1m30s\n"),
            "{text}"
        );
        assert!(text.contains("  client cert:   tlskit gencert client@example.test --client --issuer 'my ca.pem' --out client\n"), "{text}");
        assert!(!text.contains("browse:"), "{text}");
    }

    #[test]
    fn the_json_forms_of_listening_and_ready() {
        let leaf = leaf();
        let r = ready(&leaf, &[]);
        let mut out = Vec::new();
        write_listening(&mut out, "[::1]:9".parse().unwrap(), true).unwrap();
        write_listening(&mut out, "[::1]:9".parse().unwrap(), false).unwrap();
        write_ready(&mut out, &r, true, Style { color: true }).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], r#"{"event":"listening","addr":"[::1]:9"}"#);
        assert_eq!(lines[1], "listening on [::1]:9");
        assert!(
            lines[2].starts_with(r#"{"event":"ready","addr":"127.0.0.1:4433","certificate":{"#),
            "{}",
            lines[2]
        );
        assert!(
            lines[2].contains(r#""chain_length":1,"mode":"www","versions":["TLSv1.3","TLSv1.2"],"alpn":[],"session_tickets":true,"client_auth":"off","ocsp_stapling":false,"keylog":null,"max_connections":1024,"handshake_timeout_ms":10000,"idle_timeout_ms":null,"max_accept":null,"connect":"tlskit connect localhost:4433 --pin "#),
            "{}",
            lines[2]
        );
        assert!(lines[2].ends_with(r#","warnings":[]}"#), "{}", lines[2]);
        assert!(!lines[2].contains('\x1b') && !lines[2].contains("client_ca"));
    }

    #[test]
    fn start_up_warnings_are_one_plain_line() {
        let mut err = Vec::new();
        startup_warning(&mut err, "the certificate expired").unwrap();
        assert_eq!(err, b"tlskit: warning: the certificate expired\n");
    }

    #[test]
    fn connect_command_uses_a_name_the_certificate_covers() {
        let leaf = leaf();
        let cmd = connect_command("127.0.0.1:4433".parse().unwrap(), &leaf, ClientAuth::Off);
        assert_eq!(
            cmd,
            format!("tlskit connect localhost:4433 --pin {}", leaf.spki_pin)
        );
        // localhost may resolve to 127.0.0.1 only: [::1] is dialled as such.
        let cmd = connect_command("[::1]:9".parse().unwrap(), &leaf, ClientAuth::Required);
        assert!(
            cmd.starts_with("tlskit connect [::1]:9 --pin sha256//"),
            "{cmd}"
        );
        assert!(cmd.ends_with("--cert client.pem --key client-key.pem"));
        assert_eq!(browse_url(&cmd), "https://[::1]:9/");
        let cmd = connect_command("[::]:9".parse().unwrap(), &leaf, ClientAuth::Off);
        assert!(cmd.starts_with("tlskit connect [::1]:9 --pin"), "{cmd}");
        let cmd = connect_command("0.0.0.0:9".parse().unwrap(), &leaf, ClientAuth::Off);
        assert!(cmd.starts_with("tlskit connect localhost:9 --pin"), "{cmd}");
        // An address the certificate does not cover: its name, dialled at the address.
        let cmd = connect_command("127.0.0.2:9".parse().unwrap(), &leaf, ClientAuth::Off);
        assert!(
            cmd.starts_with("tlskit connect localhost:9 --connect-to 127.0.0.2 --pin"),
            "{cmd}"
        );
        assert_eq!(browse_url(&cmd), "https://127.0.0.2:9/");
    }
}
