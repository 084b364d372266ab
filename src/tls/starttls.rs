//! The plaintext preambles that upgrade a connection to TLS (STARTTLS and
//! its relatives), as `openssl s_client -starttls` speaks them.
//!
//! Every reader here is strict and bounded: it reads byte by byte (so not a
//! byte of the TLS handshake that follows is consumed), caps line length,
//! line count and total bytes, and turns the server's refusal into an error
//! that quotes what the server said (sanitized). Time is bounded by the caller.
//!
//! Written by hand: the protocol crates that exist are whole clients that
//! read ahead (a buffered reader would swallow the first bytes of the TLS
//! handshake), and LDAP's ExtendedResponse is read with a lenient BER reader
//! because servers send BER that DER parsers such as x509-parser's refuse
//! (Active Directory writes every length in the four-byte long form).

use std::fmt;
use std::str::FromStr;

use anyhow::{bail, Result};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::text::sanitize;

/// The longest line a server may send in a preamble.
const MAX_LINE: usize = 4096;
/// The most lines one reply may have (a long EHLO list has ~20).
const MAX_LINES: usize = 100;
/// The most bytes a whole preamble may read.
const MAX_TOTAL: usize = 64 * 1024;

/// A protocol with an in-band upgrade to TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StartTls {
    /// SMTP (RFC 3207): EHLO, STARTTLS, 220.
    Smtp,
    /// IMAP (RFC 3501): `a1 STARTTLS`, `a1 OK`.
    Imap,
    /// POP3 (RFC 2595): STLS, +OK.
    Pop3,
    /// FTP (RFC 4217): AUTH TLS, 234.
    Ftp,
    /// XMPP client-to-server (RFC 6120): stream features, `<starttls/>`, `<proceed/>`.
    Xmpp,
    /// PostgreSQL: SSLRequest, 'S'.
    Postgres,
    /// LDAP (RFC 4511): StartTLS extended operation, resultCode 0.
    Ldap,
    /// LMTP (RFC 2033): LHLO, STARTTLS, 220.
    Lmtp,
    /// NNTP (RFC 4642): STARTTLS, 382.
    Nntp,
    /// ManageSieve (RFC 5804): capabilities, STARTTLS, OK.
    Sieve,
    /// IRC (the IRCv3 STARTTLS extension): STARTTLS, numeric 670.
    Irc,
    /// MySQL and MariaDB: the server's handshake, an SSLRequest packet.
    Mysql,
}

impl StartTls {
    /// Every protocol, in the order shown in help.
    pub const ALL: [StartTls; 12] = [
        StartTls::Smtp,
        StartTls::Imap,
        StartTls::Pop3,
        StartTls::Ftp,
        StartTls::Xmpp,
        StartTls::Postgres,
        StartTls::Ldap,
        StartTls::Lmtp,
        StartTls::Nntp,
        StartTls::Sieve,
        StartTls::Irc,
        StartTls::Mysql,
    ];

    /// The protocol's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            StartTls::Smtp => "smtp",
            StartTls::Imap => "imap",
            StartTls::Pop3 => "pop3",
            StartTls::Ftp => "ftp",
            StartTls::Xmpp => "xmpp",
            StartTls::Postgres => "postgres",
            StartTls::Ldap => "ldap",
            StartTls::Lmtp => "lmtp",
            StartTls::Nntp => "nntp",
            StartTls::Sieve => "sieve",
            StartTls::Irc => "irc",
            StartTls::Mysql => "mysql",
        }
    }

    /// The port the protocol's plaintext service listens on.
    pub fn default_port(self) -> u16 {
        match self {
            StartTls::Smtp => 25,
            StartTls::Imap => 143,
            StartTls::Pop3 => 110,
            StartTls::Ftp => 21,
            StartTls::Xmpp => 5222,
            StartTls::Postgres => 5432,
            StartTls::Ldap => 389,
            StartTls::Lmtp => 24,
            StartTls::Nntp => 119,
            StartTls::Sieve => 4190,
            StartTls::Irc => 6667,
            StartTls::Mysql => 3306,
        }
    }
}

impl fmt::Display for StartTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for StartTls {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<StartTls> {
        StartTls::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| anyhow::anyhow!("unknown STARTTLS protocol '{}'", sanitize(s)))
    }
}

/// What the server said before TLS began (sanitized, for the report).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Preamble {
    /// The protocol spoken.
    pub protocol: Option<StartTls>,
    /// The server's greeting (first line, or the PostgreSQL/LDAP answer).
    pub greeting: Option<String>,
}

/// Speaks `proto`'s upgrade on `io`; on success the next bytes on `io` are TLS.
///
/// `server_name` is used where the protocol names the server (XMPP's `to`).
pub async fn negotiate<S>(io: &mut S, proto: StartTls, server_name: &str) -> Result<Preamble>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut r = Reader {
        io,
        total: 0,
        proto,
    };
    let greeting = match proto {
        StartTls::Smtp => smtp(&mut r).await?,
        StartTls::Imap => imap(&mut r).await?,
        StartTls::Pop3 => pop3(&mut r).await?,
        StartTls::Ftp => ftp(&mut r).await?,
        StartTls::Xmpp => xmpp(&mut r, server_name).await?,
        StartTls::Postgres => postgres(&mut r).await?,
        StartTls::Ldap => ldap(&mut r).await?,
        StartTls::Lmtp => lmtp(&mut r).await?,
        StartTls::Nntp => nntp(&mut r).await?,
        StartTls::Sieve => sieve(&mut r).await?,
        StartTls::Irc => irc(&mut r).await?,
        StartTls::Mysql => mysql(&mut r).await?,
    };
    Ok(Preamble {
        protocol: Some(proto),
        greeting: Some(sanitize(&greeting).into_owned()),
    })
}

struct Reader<'a, S> {
    io: &'a mut S,
    total: usize,
    proto: StartTls,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Reader<'_, S> {
    async fn byte(&mut self) -> Result<u8> {
        if self.total >= MAX_TOTAL {
            bail!(
                "{}: the server sent more than {} KiB before TLS began",
                self.proto,
                MAX_TOTAL / 1024
            );
        }
        let mut b = [0u8; 1];
        let n = self
            .io
            .read(&mut b)
            .await
            .map_err(|e| self.io_error(e, "while waiting for the server's reply"))?;
        if n == 0 {
            bail!(
                "{}: the server closed the connection before TLS began",
                self.proto
            );
        }
        self.total += 1;
        Ok(b[0])
    }

    /// One line without its CRLF (a bare LF ends a line too).
    async fn line(&mut self) -> Result<String> {
        let mut buf = Vec::with_capacity(128);
        loop {
            let b = self.byte().await?;
            if b == b'\n' {
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
                return Ok(String::from_utf8_lossy(&buf).into_owned());
            }
            if buf.len() >= MAX_LINE {
                bail!(
                    "{}: the server sent a line longer than {MAX_LINE} bytes",
                    self.proto
                );
            }
            buf.push(b);
        }
    }

    /// A reply made of `CODE-text` lines ended by `CODE text` (SMTP, FTP).
    async fn coded_reply(&mut self) -> Result<(u16, Vec<String>)> {
        let mut lines = Vec::new();
        let mut code = None;
        for _ in 0..MAX_LINES {
            let line = self.line().await?;
            let (c, sep) = parse_code(&line).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: the server's reply '{}' does not start with a 3-digit code",
                    self.proto,
                    sanitize(&line)
                )
            })?;
            if *code.get_or_insert(c) != c {
                bail!(
                    "{}: the server changed reply code in the middle of a reply",
                    self.proto
                );
            }
            lines.push(line[3..].trim_start_matches(['-', ' ']).to_string());
            if sep != '-' {
                return Ok((c, lines));
            }
        }
        bail!(
            "{}: the server's reply has more than {MAX_LINES} lines",
            self.proto
        )
    }

    async fn send(&mut self, data: &[u8]) -> Result<()> {
        let sent = async {
            self.io.write_all(data).await?;
            self.io.flush().await
        };
        sent.await
            .map_err(|e| self.io_error(e, "while sending to the server"))
    }

    /// A failed read or write, with the protocol and the stage (a bare
    /// "Connection reset by peer" says neither); still a network failure.
    fn io_error(&self, e: std::io::Error, doing: &str) -> anyhow::Error {
        use std::io::ErrorKind as K;
        let what = match e.kind() {
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => {
                "the server reset the connection".to_string()
            }
            K::UnexpectedEof => "the server closed the connection".to_string(),
            _ => format!("the connection failed ({e})"),
        };
        crate::tls::error::tag(
            crate::tls::error::Failure::Network,
            anyhow::Error::new(e).context(format!(
                "{}: {what} {doing}, before TLS began (in the STARTTLS exchange)",
                self.proto
            )),
        )
    }
}

fn parse_code(line: &str) -> Option<(u16, char)> {
    let b = line.as_bytes();
    if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code = line[..3].parse().ok()?;
    let sep = line[3..].chars().next().unwrap_or(' ');
    if sep != ' ' && sep != '-' {
        return None;
    }
    Some((code, sep))
}

fn refused(proto: StartTls, what: &str, said: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{proto}: the server refused {what}: {}",
        sanitize(said.trim())
    )
}

async fn smtp<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let (code, greeting) = r.coded_reply().await?;
    let first = greeting.first().cloned().unwrap_or_default();
    if code != 220 {
        return Err(refused(r.proto, "the session", &format!("{code} {first}")));
    }
    r.send(b"EHLO tlskit.invalid\r\n").await?;
    let (code, caps) = r.coded_reply().await?;
    if code != 250 {
        return Err(refused(
            r.proto,
            "EHLO",
            &format!("{code} {}", caps.first().map_or("", String::as_str)),
        ));
    }
    if !caps
        .iter()
        .skip(1)
        .any(|c| c.trim().eq_ignore_ascii_case("STARTTLS"))
    {
        bail!(
            "smtp: the server does not offer STARTTLS (its EHLO reply lists: {})",
            sanitize(&caps.iter().skip(1).cloned().collect::<Vec<_>>().join(", "))
        );
    }
    r.send(b"STARTTLS\r\n").await?;
    let (code, reply) = r.coded_reply().await?;
    if code != 220 {
        return Err(refused(
            r.proto,
            "STARTTLS",
            &format!("{code} {}", reply.join(" ")),
        ));
    }
    Ok(format!("220 {first}"))
}

async fn lmtp<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let (code, greeting) = r.coded_reply().await?;
    let first = greeting.first().cloned().unwrap_or_default();
    if code != 220 {
        return Err(refused(r.proto, "the session", &format!("{code} {first}")));
    }
    r.send(b"LHLO tlskit.invalid\r\n").await?;
    let (code, caps) = r.coded_reply().await?;
    if code != 250 {
        return Err(refused(
            r.proto,
            "LHLO",
            &format!("{code} {}", caps.first().map_or("", String::as_str)),
        ));
    }
    if !caps
        .iter()
        .skip(1)
        .any(|c| c.trim().eq_ignore_ascii_case("STARTTLS"))
    {
        bail!(
            "lmtp: the server does not offer STARTTLS (its LHLO reply lists: {})",
            sanitize(&caps.iter().skip(1).cloned().collect::<Vec<_>>().join(", "))
        );
    }
    r.send(b"STARTTLS\r\n").await?;
    let (code, reply) = r.coded_reply().await?;
    if code != 220 {
        return Err(refused(
            r.proto,
            "STARTTLS",
            &format!("{code} {}", reply.join(" ")),
        ));
    }
    Ok(format!("220 {first}"))
}

async fn nntp<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let greeting = r.line().await?;
    // 200: posting allowed, 201: not; anything else refuses the session.
    if !(greeting.starts_with("200") || greeting.starts_with("201")) {
        return Err(refused(r.proto, "the session", &greeting));
    }
    r.send(b"STARTTLS\r\n").await?;
    let reply = r.line().await?;
    if !reply.starts_with("382") {
        return Err(refused(r.proto, "STARTTLS", &reply));
    }
    Ok(greeting)
}

/// ManageSieve: the greeting is capability lines ended by `OK …`.
async fn sieve_response<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut Reader<'_, S>,
    what: &str,
) -> Result<(Vec<String>, String)> {
    let mut lines = Vec::new();
    for _ in 0..MAX_LINES {
        let line = r.line().await?;
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("OK") {
            return Ok((lines, line));
        }
        if upper.starts_with("NO") || upper.starts_with("BYE") {
            return Err(refused(r.proto, what, &line));
        }
        lines.push(line);
    }
    bail!("sieve: no OK within {MAX_LINES} lines")
}

async fn sieve<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let (caps, ok) = sieve_response(r, "the session").await?;
    if !caps
        .iter()
        .any(|c| c.trim().eq_ignore_ascii_case("\"STARTTLS\""))
    {
        bail!("sieve: the server does not offer STARTTLS in its capabilities");
    }
    r.send(b"STARTTLS\r\n").await?;
    sieve_response(r, "STARTTLS").await?;
    Ok(caps
        .iter()
        .find(|c| c.to_ascii_uppercase().starts_with("\"IMPLEMENTATION\""))
        .cloned()
        .unwrap_or(ok))
}

async fn irc<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    // The client speaks first; the server may send NOTICEs before it answers.
    r.send(b"STARTTLS\r\n").await?;
    for _ in 0..MAX_LINES {
        let line = r.line().await?;
        let mut words = line.split(' ');
        let first = words.next().unwrap_or_default();
        let numeric = if first.starts_with(':') {
            words.next().unwrap_or_default()
        } else {
            first
        };
        match numeric {
            "670" => return Ok(line),
            "691" | "421" | "451" => return Err(refused(r.proto, "STARTTLS", &line)),
            "ERROR" => return Err(refused(r.proto, "the session", &line)),
            _ => continue,
        }
    }
    bail!("irc: no answer to STARTTLS within {MAX_LINES} lines")
}

/// MySQL capability flags used here.
const MYSQL_CLIENT_LONG_PASSWORD: u32 = 0x0000_0001;
const MYSQL_CLIENT_PROTOCOL_41: u32 = 0x0000_0200;
const MYSQL_CLIENT_SSL: u32 = 0x0000_0800;
const MYSQL_CLIENT_SECURE_CONNECTION: u32 = 0x0000_8000;

async fn mysql<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    // The server's initial handshake packet: 3-byte length, sequence number, payload.
    let mut header = [0u8; 4];
    for b in &mut header {
        *b = r.byte().await?;
    }
    let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    if len == 0 || len > 4096 {
        bail!("mysql: the server's first packet has an implausible length ({len} bytes)");
    }
    let mut payload = Vec::with_capacity(len);
    for _ in 0..len {
        payload.push(r.byte().await?);
    }
    if payload[0] == 0xff {
        // An error packet: code (2 bytes), then a message ('#' and a SQL state first, sometimes).
        let text = String::from_utf8_lossy(payload.get(3..).unwrap_or_default()).into_owned();
        return Err(refused(r.proto, "the session", &text));
    }
    if payload[0] != 10 {
        bail!(
            "mysql: the server's handshake has protocol version {} (10 expected): is this MySQL?",
            payload[0]
        );
    }
    let nul = payload[1..]
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| anyhow::anyhow!("mysql: the server's handshake is malformed"))?;
    let version = String::from_utf8_lossy(&payload[1..1 + nul]).into_owned();
    // After the version: connection id (4), auth data (8), filler (1), capabilities (2).
    let at = 1 + nul + 1 + 4 + 8 + 1;
    let caps = payload
        .get(at..at + 2)
        .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
        .ok_or_else(|| anyhow::anyhow!("mysql: the server's handshake is cut short"))?;
    if caps & MYSQL_CLIENT_SSL == 0 {
        return Err(refused(
            r.proto,
            "TLS",
            &format!("server {version} does not offer SSL (no CLIENT_SSL capability)"),
        ));
    }
    // SSLRequest: capabilities, max packet size, character set (utf8), 23 zero bytes.
    let flags = MYSQL_CLIENT_LONG_PASSWORD
        | MYSQL_CLIENT_PROTOCOL_41
        | MYSQL_CLIENT_SSL
        | MYSQL_CLIENT_SECURE_CONNECTION;
    let mut request = vec![32, 0, 0, header[3].wrapping_add(1)];
    request.extend_from_slice(&flags.to_le_bytes());
    request.extend_from_slice(&(16u32 << 20).to_le_bytes());
    request.push(0x21);
    request.extend_from_slice(&[0u8; 23]);
    r.send(&request).await?;
    Ok(format!("server {version}"))
}

async fn ftp<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let (code, greeting) = r.coded_reply().await?;
    let first = greeting.first().cloned().unwrap_or_default();
    if code != 220 {
        return Err(refused(r.proto, "the session", &format!("{code} {first}")));
    }
    r.send(b"AUTH TLS\r\n").await?;
    let (code, reply) = r.coded_reply().await?;
    if code != 234 {
        return Err(refused(
            r.proto,
            "AUTH TLS",
            &format!("{code} {}", reply.join(" ")),
        ));
    }
    Ok(format!("220 {first}"))
}

async fn pop3<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let greeting = r.line().await?;
    if !greeting.starts_with("+OK") {
        return Err(refused(r.proto, "the session", &greeting));
    }
    r.send(b"STLS\r\n").await?;
    let reply = r.line().await?;
    if !reply.starts_with("+OK") {
        return Err(refused(r.proto, "STLS", &reply));
    }
    Ok(greeting)
}

async fn imap<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    let greeting = r.line().await?;
    let upper = greeting.to_ascii_uppercase();
    if !(upper.starts_with("* OK") || upper.starts_with("* PREAUTH")) {
        return Err(refused(r.proto, "the session", &greeting));
    }
    r.send(b"a1 STARTTLS\r\n").await?;
    for _ in 0..MAX_LINES {
        let line = r.line().await?;
        // Untagged lines (`* CAPABILITY …`) may come first; only the tagged one answers.
        let Some(status) = line.strip_prefix("a1 ") else {
            if line.starts_with('*') {
                continue;
            }
            bail!("imap: unexpected reply to STARTTLS: {}", sanitize(&line));
        };
        if status.to_ascii_uppercase().starts_with("OK") {
            return Ok(greeting);
        }
        return Err(refused(r.proto, "STARTTLS", status));
    }
    bail!("imap: no answer to STARTTLS within {MAX_LINES} lines")
}

/// Reads XMPP until `needle` (or a `<failure`/`</stream:stream>`) has been seen.
///
/// Each search resumes where the last one stopped (less a marker's length, so
/// a marker split across two `>` is still found): the work is linear in what
/// the server sends, however many `>` it sends.
async fn xmpp_until<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut Reader<'_, S>,
    needle: &str,
    what: &str,
) -> Result<String> {
    const STOPS: [&str; 3] = ["<failure", "</stream:stream>", "<stream:error"];
    let longest = STOPS
        .iter()
        .map(|s| s.len())
        .chain([needle.len()])
        .max()
        .unwrap_or(0);
    let mut seen = Vec::new();
    let mut searched: usize = 0;
    loop {
        let b = r.byte().await?;
        seen.push(b);
        if b != b'>' {
            continue;
        }
        let from = searched.saturating_sub(longest);
        searched = seen.len();
        let window = &seen[from..];
        if find(window, needle.as_bytes()).is_some() {
            return Ok(String::from_utf8_lossy(&seen).into_owned());
        }
        for stop in STOPS {
            if let Some(at) = find(window, stop.as_bytes()) {
                let text = String::from_utf8_lossy(&seen[from + at..]).into_owned();
                return Err(refused(r.proto, what, &text));
            }
        }
    }
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn xmpp<S: AsyncRead + AsyncWrite + Unpin>(
    r: &mut Reader<'_, S>,
    server_name: &str,
) -> Result<String> {
    let to = xml_escape(server_name);
    let open = format!(
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' to='{to}' version='1.0'>"
    );
    r.send(open.as_bytes()).await?;
    // Read through the stream header and its features until the features end.
    let features = xmpp_until(r, "</stream:features>", "the stream").await?;
    if !features.contains("<starttls") {
        bail!("xmpp: the server does not offer STARTTLS in its stream features");
    }
    r.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        .await?;
    xmpp_until(r, "<proceed", "STARTTLS").await?;
    let header_end = features.find("<stream:features").unwrap_or(features.len());
    Ok(features[..header_end].trim().to_string())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&apos;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn postgres<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    // SSLRequest: length 8, code 1234.5679.
    r.send(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]).await?;
    match r.byte().await? {
        b'S' => Ok("S (the server accepts TLS)".to_string()),
        b'N' => bail!("postgres: the server refused TLS (it answered 'N': SSL is off)"),
        b'E' => bail!("postgres: the server answered the SSLRequest with an error (it is too old or not PostgreSQL)"),
        other => bail!("postgres: unexpected answer to the SSLRequest: byte 0x{other:02x}"),
    }
}

/// The StartTLS extended request (RFC 4511 §4.14.1), message ID 1.
const LDAP_STARTTLS: &[u8] = b"\x30\x1d\x02\x01\x01\x77\x18\x80\x16\x31\x2e\x33\x2e\x36\x2e\x31\x2e\x34\x2e\x31\x2e\x31\x34\x36\x36\x2e\x32\x30\x30\x33\x37";

async fn ldap<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<String> {
    r.send(LDAP_STARTTLS).await?;
    let msg = read_der(r).await?;
    let (result, diagnostic) = parse_ldap_extended_response(&msg).ok_or_else(|| {
        anyhow::anyhow!("ldap: the answer to StartTLS is not a well-formed LDAP ExtendedResponse")
    })?;
    if result != 0 {
        return Err(refused(
            r.proto,
            "StartTLS",
            &format!(
                "resultCode {result} ({}) {diagnostic}",
                ldap_result_name(result)
            ),
        ));
    }
    Ok("resultCode 0 (success)".to_string())
}

/// Reads one DER/BER element with a definite length of at most [`MAX_TOTAL`].
async fn read_der<S: AsyncRead + AsyncWrite + Unpin>(r: &mut Reader<'_, S>) -> Result<Vec<u8>> {
    let tag = r.byte().await?;
    let first = r.byte().await?;
    let mut out = vec![tag, first];
    let len = if first < 0x80 {
        first as usize
    } else {
        // Active Directory writes every length in the 4-byte form (84 00 00 00 LL).
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            bail!("ldap: the server's answer has an unsupported length encoding");
        }
        let mut len = 0usize;
        for _ in 0..n {
            let b = r.byte().await?;
            out.push(b);
            len = (len << 8) | b as usize;
        }
        len
    };
    if len > MAX_TOTAL {
        bail!("ldap: the server's answer is implausibly long ({len} bytes)");
    }
    for _ in 0..len {
        out.push(r.byte().await?);
    }
    Ok(out)
}

/// Splits a TLV (BER definite length) into tag, content and the rest.
fn tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | *b as usize);
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// `LDAPMessage { messageID, extendedResp [APPLICATION 24] { resultCode, matchedDN, diagnosticMessage, … } }`.
fn parse_ldap_extended_response(msg: &[u8]) -> Option<(u32, String)> {
    let (tag, body, _) = tlv(msg)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _id, rest) = tlv(body)?;
    if tag != 0x02 {
        return None;
    }
    let (tag, resp, _) = tlv(rest)?;
    if tag != 0x78 {
        return None;
    }
    let (tag, code, rest) = tlv(resp)?;
    if tag != 0x0a || code.is_empty() || code.len() > 4 {
        return None;
    }
    let result = code.iter().fold(0u32, |a, b| (a << 8) | *b as u32);
    let (_, _matched_dn, rest) = tlv(rest)?;
    let diagnostic = tlv(rest)
        .map(|(_, d, _)| String::from_utf8_lossy(d).into_owned())
        .unwrap_or_default();
    Some((result, diagnostic))
}

fn ldap_result_name(code: u32) -> &'static str {
    match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        80 => "other",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_roundtrip() {
        for p in StartTls::ALL {
            assert_eq!(p.name().parse::<StartTls>().unwrap(), p);
        }
        assert!("gopher".parse::<StartTls>().is_err());
    }

    #[test]
    fn codes() {
        assert_eq!(parse_code("250-PIPELINING"), Some((250, '-')));
        assert_eq!(parse_code("250 OK"), Some((250, ' ')));
        assert_eq!(parse_code("250"), Some((250, ' ')));
        assert_eq!(parse_code("25x"), None);
        assert_eq!(parse_code("250x"), None);
    }

    #[test]
    fn ldap_request_is_well_formed() {
        let (tag, body, rest) = tlv(LDAP_STARTTLS).unwrap();
        assert_eq!((tag, rest.len()), (0x30, 0));
        let (_, _, req) = tlv(body).unwrap();
        let (tag, req, _) = tlv(req).unwrap();
        assert_eq!(tag, 0x77);
        let (tag, oid, _) = tlv(req).unwrap();
        assert_eq!((tag, oid), (0x80, &b"1.3.6.1.4.1.1466.20037"[..]));
    }

    #[test]
    fn ldap_responses() {
        // resultCode 0, empty DN and message, responseName.
        let ok = b"\x30\x0c\x02\x01\x01\x78\x07\x0a\x01\x00\x04\x00\x04\x00";
        assert_eq!(parse_ldap_extended_response(ok), Some((0, String::new())));
        let no = b"\x30\x10\x02\x01\x01\x78\x0b\x0a\x01\x34\x04\x00\x04\x04busy";
        assert_eq!(parse_ldap_extended_response(no), Some((52, "busy".into())));
        assert_eq!(parse_ldap_extended_response(b"\x30\x03\x02\x01"), None);
        assert_eq!(parse_ldap_extended_response(b"\x31\x00"), None);
    }

    /// Active Directory encodes every length in the 4-byte long form
    /// (`84 00 00 00 LL`), with the responseName: the dump testssl.sh records.
    #[tokio::test]
    async fn ldap_active_directory_long_form_lengths() {
        let mut ad = b"\x30\x84\x00\x00\x00\x28\x02\x01\x01\x78\x84\x00\x00\x00\x1f\x0a\x01\x00\x04\x00\x04\x00\x8a\x16".to_vec();
        ad.extend_from_slice(b"1.3.6.1.4.1.1466.20037");
        assert_eq!(parse_ldap_extended_response(&ad), Some((0, String::new())));
        let (mut client, mut server) = tokio::io::duplex(4096);
        let script = tokio::spawn(async move {
            let mut buf = vec![0u8; 256];
            let n = server.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], LDAP_STARTTLS);
            server.write_all(&ad).await.unwrap();
        });
        let preamble = negotiate(&mut client, StartTls::Ldap, "dc.test")
            .await
            .unwrap();
        assert_eq!(preamble.greeting.as_deref(), Some("resultCode 0 (success)"));
        script.await.unwrap();
    }

    #[tokio::test]
    async fn smtp_against_a_script() {
        let (mut client, mut server) = tokio::io::duplex(4096);
        let script = tokio::spawn(async move {
            server
                .write_all(b"220-mx.test ESMTP\r\n220 ready\r\n")
                .await
                .unwrap();
            let mut buf = vec![0u8; 256];
            let n = server.read(&mut buf).await.unwrap();
            assert!(buf[..n].starts_with(b"EHLO "));
            server
                .write_all(b"250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
                .await
                .unwrap();
            let n = server.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"STARTTLS\r\n");
            server
                .write_all(b"454 4.7.0 TLS not available\r\n")
                .await
                .unwrap();
        });
        let err = negotiate(&mut client, StartTls::Smtp, "mx.test")
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "smtp: the server refused STARTTLS: 454 4.7.0 TLS not available"
        );
        script.await.unwrap();
    }

    #[tokio::test]
    async fn endless_lines_are_bounded() {
        let (mut client, mut server) = tokio::io::duplex(1 << 16);
        tokio::spawn(async move {
            let _ = server.write_all(&vec![b'x'; 10_000]).await;
            let _ = server.read(&mut [0u8; 1]).await;
        });
        let err = negotiate(&mut client, StartTls::Pop3, "x")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("longer than 4096"), "{err}");
    }
}
