//! `serve --www`: a small, strict HTTP/1.1 server whose one page describes
//! the client's TLS handshake, as text or (for `Accept: application/json`) JSON.
//!
//! The request reader is bounded: a head larger than [`MAX_HEAD`] gets 431,
//! a body larger than [`MAX_BODY`] gets 413, and the whole head must arrive
//! within the idle timeout, so a client trickling bytes cannot hold memory or
//! a connection forever. Keep-alive and pipelining follow RFC 9112.

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::watch;

use super::log::{ConnRecord, End};
use super::{from_now, wait, Ending, Phase, Shared, Stream, Wait};
use crate::text::sanitize;
use crate::tls::handshake::HandshakeInfo;

/// The largest request head (request line and headers) accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// The largest request body read (and discarded) to keep a connection alive.
pub const MAX_BODY: u64 = 1024 * 1024;
/// The most header fields in one request.
pub const MAX_HEADERS: usize = 100;

const SERVER: &str = concat!("tlskit/", env!("CARGO_PKG_VERSION"));

/// An HTTP version tlskit answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// HTTP/1.0: close unless the client asks for keep-alive.
    #[serde(rename = "HTTP/1.0")]
    Http10,
    /// HTTP/1.1: keep-alive unless the client asks to close.
    #[serde(rename = "HTTP/1.1")]
    Http11,
}

impl Version {
    fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent.
    pub method: String,
    /// The request target, as sent (printable ASCII).
    pub target: String,
    /// The protocol version.
    pub version: Version,
    /// Whether the connection stays open after the response.
    pub keep_alive: bool,
    /// Whether the client prefers JSON (`Accept: application/json` or `?format=json`).
    pub wants_json: bool,
    /// The length of the body that follows the head.
    pub content_length: u64,
}

/// A request that gets an error status instead of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError {
    /// The status code.
    pub status: u16,
    /// Why, for the log and the response body.
    pub detail: String,
}

fn bad(status: u16, detail: impl Into<String>) -> HttpError {
    HttpError {
        status,
        detail: detail.into(),
    }
}

/// The reason phrase of the status codes tlskit sends.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// Where the head ends: the index just past the empty line (CRLF CRLF, or bare LF LF).
pub fn head_end(buf: &[u8]) -> Option<usize> {
    head_end_from(buf, 0)
}

/// [`head_end`], looking only at line ends from `from` on: a caller that
/// appends to `buf` resumes two bytes before the old end (an empty line is at
/// most a line feed and two more bytes), so a head that trickles in a byte at
/// a time is scanned once, not once per byte.
fn head_end_from(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from.min(buf.len());
    while let Some(off) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + off;
        let rest = &buf[nl + 1..];
        if rest.starts_with(b"\r\n") {
            return Some(nl + 3);
        }
        if rest.starts_with(b"\n") {
            return Some(nl + 2);
        }
        i = nl + 1;
    }
    None
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn has_token(list: &str, token: &str) -> bool {
    list.split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// Parses a request head (everything up to and including the empty line).
pub fn parse_head(head: &[u8]) -> Result<Request, HttpError> {
    let text = std::str::from_utf8(head).map_err(|_| bad(400, "the request head is not UTF-8"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        // `GET /` typed into `openssl s_client`, as `s_server -www` accepts it.
        let words: Vec<&str> = request_line.split(' ').collect();
        if words.len() == 2 && is_token(words[0]) && words[1].starts_with('/') {
            return Err(bad(
                400,
                "HTTP/0.9 requests are not served: send 'GET / HTTP/1.0' and an empty line",
            ));
        }
        return Err(bad(400, "malformed request line"));
    };
    if !is_token(method) {
        return Err(bad(400, "malformed method"));
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad(400, "malformed request target"));
    }
    if !(target.starts_with('/') || target == "*" || target.starts_with("http")) {
        return Err(bad(400, "the request target must be a path"));
    }
    let version = match version {
        "HTTP/1.1" => Version::Http11,
        "HTTP/1.0" => Version::Http10,
        v if v.starts_with("HTTP/") => {
            return Err(bad(505, "only HTTP/1.0 and HTTP/1.1 are spoken here"))
        }
        _ => return Err(bad(400, "malformed HTTP version")),
    };

    let mut connection = String::new();
    let mut accept = String::new();
    let mut hosts = 0;
    let mut content_length: Option<u64> = None;
    let mut transfer_encoding = false;
    let mut count = 0;
    for line in lines {
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > MAX_HEADERS {
            return Err(bad(431, format!("more than {MAX_HEADERS} header fields")));
        }
        if line.starts_with([' ', '\t']) {
            return Err(bad(400, "obsolete line folding in a header"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad(400, "a header line without ':'"));
        };
        if !is_token(name) {
            return Err(bad(400, "malformed header name"));
        }
        let value = value.trim_matches([' ', '\t']);
        match name.to_ascii_lowercase().as_str() {
            "host" => hosts += 1,
            "connection" => {
                connection.push(',');
                connection.push_str(value);
            }
            "accept" => {
                accept.push(',');
                accept.push_str(value);
            }
            "transfer-encoding" => transfer_encoding = true,
            "content-length" => {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(400, "malformed Content-Length"));
                }
                let n: u64 = value
                    .parse()
                    .map_err(|_| bad(413, "Content-Length too large"))?;
                if content_length.is_some_and(|old| old != n) {
                    return Err(bad(400, "conflicting Content-Length headers"));
                }
                content_length = Some(n);
            }
            _ => {}
        }
    }
    if version == Version::Http11 && hosts != 1 {
        return Err(bad(
            400,
            "an HTTP/1.1 request needs exactly one Host header",
        ));
    }
    if transfer_encoding {
        if content_length.is_some() {
            return Err(bad(400, "both Transfer-Encoding and Content-Length"));
        }
        return Err(bad(
            501,
            "request bodies with Transfer-Encoding are not supported",
        ));
    }
    let keep_alive = match version {
        Version::Http11 => !has_token(&connection, "close"),
        Version::Http10 => has_token(&connection, "keep-alive"),
    };
    let wants_json = accept.split(',').any(|t| {
        t.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    }) || target
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|kv| kv == "format=json"));
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        version,
        keep_alive,
        wants_json,
        content_length: content_length.unwrap_or(0),
    })
}

/// The client's certificate as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ClientCertificate {
    /// Subject DN, sanitized.
    pub subject: String,
    /// Always true: rustls verified it against `--client-ca` before the page existed.
    pub verified: bool,
}

/// The request as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestLine {
    /// Method.
    pub method: String,
    /// Target, sanitized.
    pub target: String,
    /// Version.
    pub version: Version,
    /// 1 for the first request on this connection.
    pub number: u64,
}

/// What the status page says about the client's connection.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The server software.
    pub server: &'static str,
    /// The client's address.
    pub client_address: String,
    /// What the handshake negotiated.
    #[serde(flatten)]
    pub handshake: HandshakeInfo,
    /// Whether the session was resumed.
    pub resumed: bool,
    /// The server name the client sent.
    pub sni: Option<String>,
    /// ALPN protocols the client offered.
    pub offered_alpn: Vec<String>,
    /// The client's verified certificate, if it sent one.
    pub client_certificate: Option<ClientCertificate>,
    /// The request being answered.
    pub request: RequestLine,
}

impl Page {
    /// The page for `req` on the connection `rec` describes.
    pub fn new(rec: &ConnRecord, info: &HandshakeInfo, req: &Request, number: u64) -> Page {
        Page {
            server: SERVER,
            client_address: rec.peer.clone(),
            handshake: info.clone(),
            resumed: rec.resumed == Some(true),
            sni: rec.sni.clone(),
            offered_alpn: rec.offered_alpn.clone(),
            client_certificate: rec.client_subject.as_ref().map(|s| ClientCertificate {
                subject: s.clone(),
                verified: true,
            }),
            request: RequestLine {
                method: sanitize(&req.method).into_owned(),
                target: sanitize(&req.target).into_owned(),
                version: req.version,
                number,
            },
        }
    }

    /// The plain-text body.
    pub fn text(&self) -> String {
        let h = &self.handshake;
        let mut rows: Vec<(&str, String)> = vec![
            ("protocol", h.protocol.clone()),
            ("cipher suite", h.cipher_suite.clone()),
            ("key exchange", h.group_display()),
            ("SNI", self.sni.clone().unwrap_or_else(|| "none".into())),
        ];
        let offered = if self.offered_alpn.is_empty() {
            "none offered".to_string()
        } else {
            format!("offered: {}", self.offered_alpn.join(", "))
        };
        rows.push((
            "ALPN",
            match &h.alpn {
                Some(a) => format!("{a} ({offered})"),
                None => format!("none ({offered})"),
            },
        ));
        rows.push((
            "session",
            if self.resumed {
                "resumed (abbreviated handshake)".to_string()
            } else if h.handshake_kind == crate::tls::handshake::Kind::FullWithHelloRetryRequest {
                "new (full handshake, after a HelloRetryRequest)".to_string()
            } else {
                "new (full handshake)".to_string()
            },
        ));
        rows.push((
            "client cert",
            match &self.client_certificate {
                Some(c) => format!("{} (verified against --client-ca)", c.subject),
                None => "none".to_string(),
            },
        ));
        rows.push(("client address", self.client_address.clone()));
        rows.push((
            "request",
            format!(
                "{} {} {} (#{} on this connection)",
                self.request.method,
                self.request.target,
                self.request.version.as_str(),
                self.request.number
            ),
        ));
        let mut out = format!("{}: your TLS connection\n\n", self.server);
        for (label, value) in rows {
            out.push_str(&format!("{:<15} {value}\n", format!("{label}:")));
        }
        out
    }
}

/// The `Date` header value (IMF-fixdate, RFC 9110).
pub fn http_date() -> String {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let now = time::OffsetDateTime::now_utc();
    now.format(&fmt).unwrap_or_default()
}

/// A whole response: head and (unless `head_only`) body.
pub fn response(
    status: u16,
    content_type: &str,
    body: &[u8],
    keep_alive: bool,
    head_only: bool,
    extra: &[(&str, &str)],
) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nDate: {}\r\nServer: {SERVER}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        reason_phrase(status),
        http_date(),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if !head_only {
        out.extend_from_slice(body);
    }
    out
}

/// The response to the `number`th request `req` on the connection `rec` describes.
pub fn answer(
    req: &Request,
    rec: &ConnRecord,
    info: &HandshakeInfo,
    number: u64,
    keep_alive: bool,
) -> Vec<u8> {
    let head_only = req.method == "HEAD";
    match req.method.as_str() {
        "GET" | "HEAD" if req.target.starts_with("/favicon.ico") => response(
            404,
            "text/plain; charset=utf-8",
            b"404 Not Found\n",
            keep_alive,
            head_only,
            &[],
        ),
        "GET" | "HEAD" => {
            let page = Page::new(rec, info, req, number);
            if req.wants_json {
                let mut body = crate::text::json::to_vec_pretty(&page).unwrap_or_default();
                body.push(b'\n');
                response(200, "application/json", &body, keep_alive, head_only, &[])
            } else {
                response(
                    200,
                    "text/plain; charset=utf-8",
                    page.text().as_bytes(),
                    keep_alive,
                    head_only,
                    &[("Vary", "Accept")],
                )
            }
        }
        _ => response(
            405,
            "text/plain; charset=utf-8",
            b"405 Method Not Allowed: only GET and HEAD\n",
            keep_alive,
            false,
            &[("Allow", "GET, HEAD")],
        ),
    }
}

/// The response to a request that gets an error status (the connection then closes).
pub fn error_response(err: &HttpError) -> Vec<u8> {
    let body = format!(
        "{} {}: {}\n",
        err.status,
        reason_phrase(err.status),
        err.detail
    );
    response(
        err.status,
        "text/plain; charset=utf-8",
        body.as_bytes(),
        false,
        false,
        &[],
    )
}

/// When the client's first byte is an ASCII letter (a TLS record starts with
/// 0x16), it sent plain HTTP to this TLS port: reads what it sent (so that
/// closing does not reset the connection under the answer), answers a
/// plaintext 400 that says to use https://, and returns true. Anything else
/// is left for the TLS handshake to read and judge.
pub(super) async fn answer_plain_http(
    tcp: &mut tokio::net::TcpStream,
    deadline: tokio::time::Instant,
    phase: &mut watch::Receiver<Phase>,
) -> bool {
    use tokio::io::AsyncReadExt;
    let mut first = [0u8; 1];
    match wait(tcp.peek(&mut first), Some(deadline), phase, Phase::Stopping).await {
        Wait::Done(Ok(1)) if first[0].is_ascii_alphabetic() => {}
        _ => return false,
    }
    // The head, or what arrives of it within a moment (bounded in size and time).
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    let until = std::cmp::min(
        deadline,
        tokio::time::Instant::now() + std::time::Duration::from_secs(2),
    );
    while head.len() < MAX_HEAD && head_end(&head).is_none() {
        match wait(tcp.read(&mut chunk), Some(until), phase, Phase::Stopping).await {
            Wait::Done(Ok(n)) if n > 0 => head.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    let body = "400 Bad Request: this is a TLS port, and the request came as plain HTTP; use https:// instead of http://\n";
    let reply = format!(
        "HTTP/1.1 400 Bad Request\r\nServer: {SERVER}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let write = async {
        tcp.write_all(reply.as_bytes()).await?;
        tcp.shutdown().await
    };
    let _ = wait(write, Some(until), phase, Phase::Stopping).await;
    true
}

/// What the head reader got.
enum Head {
    /// A complete head of this many bytes at the start of the buffer.
    Complete(usize),
    /// The connection is over.
    Over(Ending),
}

/// Answers requests until the client closes, asks to close, errs, or idles out.
pub(super) async fn serve(
    stream: &mut Stream,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Ending {
    let Some(info) = rec.handshake.clone() else {
        return Ending::new(End::Error, "no handshake information");
    };
    // Bytes received but not yet parsed: at most one head (plus pipelined bytes behind it).
    let mut buf: Vec<u8> = Vec::new();
    let mut number = 0u64;
    loop {
        let head_len = match read_head(stream, &mut buf, sh, phase, rec).await {
            Head::Complete(n) => n,
            Head::Over(ending) => return ending,
        };
        let parsed = parse_head(&buf[..head_len]);
        buf.drain(..head_len);
        let req = match parsed {
            Ok(req) if req.content_length > MAX_BODY => {
                let err = bad(
                    413,
                    format!("request bodies over {MAX_BODY} bytes are not read"),
                );
                return send_error(stream, &err, sh, phase, rec).await;
            }
            Ok(req) => req,
            Err(err) => return send_error(stream, &err, sh, phase, rec).await,
        };
        if let Err(ending) =
            discard_body(stream, &mut buf, req.content_length, sh, phase, rec).await
        {
            return ending;
        }
        number += 1;
        rec.requests = Some(number);
        // While the server drains, answer this request and then close.
        let keep_alive = req.keep_alive && *phase.borrow() == Phase::Running;
        let bytes = answer(&req, rec, &info, number, keep_alive);
        if let Some(ending) = send(stream, &bytes, sh, phase, rec).await {
            return ending;
        }
        if !keep_alive {
            let why = if req.keep_alive {
                "answered, and closed because the server is shutting down"
            } else {
                "answered a request that asked to close the connection"
            };
            return Ending::new(End::Closed, why);
        }
    }
}

/// Reads until `buf` starts with a complete head, within one idle-timeout deadline.
async fn read_head(
    stream: &mut Stream,
    buf: &mut Vec<u8>,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Head {
    let deadline = from_now(sh.settings.idle_timeout);
    let mut scanned = 0;
    loop {
        if let Some(n) = head_end_from(buf, scanned) {
            return Head::Complete(n);
        }
        scanned = buf.len().saturating_sub(2);
        if buf.len() >= MAX_HEAD {
            let err = bad(431, format!("the request head is over {MAX_HEAD} bytes"));
            return Head::Over(send_error(stream, &err, sh, phase, rec).await);
        }
        // Between requests a draining server closes at once; mid-request it lets the request finish.
        let idle_between = buf.is_empty();
        let stop_at = if idle_between {
            Phase::Draining
        } else {
            Phase::Stopping
        };
        let taken = match wait(stream.fill_buf(), deadline, phase, stop_at).await {
            Wait::Done(Ok([])) if idle_between => {
                return Head::Over(Ending::new(End::Closed, "the client sent close_notify"))
            }
            Wait::Done(Ok([])) => {
                return Head::Over(Ending::new(
                    End::Closed,
                    "the client closed in the middle of a request",
                ))
            }
            Wait::Done(Ok(data)) => {
                let n = data.len().min(MAX_HEAD - buf.len());
                buf.extend_from_slice(&data[..n]);
                n
            }
            Wait::Done(Err(e)) => return Head::Over(Ending::from_io(&e)),
            Wait::TimedOut if idle_between => {
                return Head::Over(Ending::idle(sh, "no request received"))
            }
            Wait::TimedOut => {
                let err = bad(408, "the request head did not arrive in time");
                let _ = send_error(stream, &err, sh, phase, rec).await;
                return Head::Over(Ending::idle(sh, "the request head was incomplete"));
            }
            Wait::Stopped => return Head::Over(Ending::shutdown()),
        };
        stream.consume(taken);
        rec.bytes_in += taken as u64;
    }
}

/// Reads and drops a request body of `len` bytes (some may already be in `buf`).
async fn discard_body(
    stream: &mut Stream,
    buf: &mut Vec<u8>,
    len: u64,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Result<(), Ending> {
    let in_buf = (buf.len() as u64).min(len) as usize;
    buf.drain(..in_buf);
    let mut left = len - in_buf as u64;
    let deadline = from_now(sh.settings.idle_timeout);
    while left > 0 {
        let taken = match wait(stream.fill_buf(), deadline, phase, Phase::Stopping).await {
            Wait::Done(Ok([])) => {
                return Err(Ending::new(
                    End::Closed,
                    "the client closed in the middle of a request body",
                ))
            }
            Wait::Done(Ok(data)) => (data.len() as u64).min(left) as usize,
            Wait::Done(Err(e)) => return Err(Ending::from_io(&e)),
            Wait::TimedOut => return Err(Ending::idle(sh, "the request body was incomplete")),
            Wait::Stopped => return Err(Ending::shutdown()),
        };
        stream.consume(taken);
        rec.bytes_in += taken as u64;
        left -= taken as u64;
    }
    Ok(())
}

/// Writes a response; `Some` when the connection is over.
async fn send(
    stream: &mut Stream,
    bytes: &[u8],
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Option<Ending> {
    let write = async {
        stream.write_all(bytes).await?;
        stream.flush().await
    };
    match wait(
        write,
        from_now(sh.settings.idle_timeout),
        phase,
        Phase::Stopping,
    )
    .await
    {
        Wait::Done(Ok(())) => {
            rec.bytes_out += bytes.len() as u64;
            None
        }
        Wait::Done(Err(e)) => Some(Ending::from_io(&e)),
        Wait::TimedOut => Some(Ending::idle(sh, "the client took no data")),
        Wait::Stopped => Some(Ending::shutdown()),
    }
}

/// Sends an error response and ends the connection.
async fn send_error(
    stream: &mut Stream,
    err: &HttpError,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Ending {
    let bytes = error_response(err);
    if let Some(ending) = send(stream, &bytes, sh, phase, rec).await {
        return ending;
    }
    Ending::new(
        End::Closed,
        format!(
            "answered {} {}: {}",
            err.status,
            reason_phrase(err.status),
            err.detail
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_found_a_byte_at_a_time_is_where_a_whole_scan_finds_it() {
        for head in [
            &b"GET / HTTP/1.1\r\nHost: x\r\n\r\nrest"[..],
            b"GET / HTTP/1.1\nHost: x\n\nrest",
            b"GET / HTTP/1.1\r\n\r\n",
            b"\n\n",
            b"\r\n\r\n",
        ] {
            let whole = head_end(head);
            assert!(whole.is_some(), "{head:?}");
            let mut scanned = 0;
            let mut found = None;
            for len in 1..=head.len() {
                if let Some(n) = head_end_from(&head[..len], scanned) {
                    found = Some(n);
                    break;
                }
                scanned = len.saturating_sub(2);
            }
            assert_eq!(found, whole, "{head:?}");
        }
    }

    fn parse(s: &str) -> Result<Request, HttpError> {
        parse_head(s.as_bytes())
    }

    #[test]
    fn a_plain_get() {
        let r = parse("GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/");
        assert_eq!(r.version, Version::Http11);
        assert!(r.keep_alive && !r.wants_json);
        assert_eq!(r.content_length, 0);
    }

    #[test]
    fn connection_handling_by_version() {
        let close = parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive, close\r\n\r\n");
        assert!(!close.unwrap().keep_alive);
        assert!(!parse("GET / HTTP/1.0\r\n\r\n").unwrap().keep_alive);
        assert!(
            parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                .unwrap()
                .keep_alive
        );
    }

    #[test]
    fn json_is_negotiated() {
        let r =
            parse("GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html;q=0.9, application/json\r\n\r\n");
        assert!(r.unwrap().wants_json);
        assert!(
            parse("GET /?format=json HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap()
                .wants_json
        );
        let html = parse("GET / HTTP/1.1\r\nHost: x\r\nAccept: application/jsonx\r\n\r\n");
        assert!(!html.unwrap().wants_json);
    }

    #[test]
    fn malformed_requests_get_the_right_status() {
        let status = |s: &str| parse(s).unwrap_err().status;
        assert_eq!(status("GET /\r\n\r\n"), 400);
        let detail = parse("GET /\r\n\r\n").unwrap_err().detail;
        assert!(detail.contains("GET / HTTP/1.0"), "{detail}");
        assert_eq!(status("GET / HTTP/1.1\r\n\r\n"), 400); // no Host
        assert_eq!(status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
        assert_eq!(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
        assert_eq!(status("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n"), 400);
        assert_eq!(
            status("GET / HTTP/1.1\r\nBad Name: a\r\nHost: a\r\n\r\n"),
            400
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            400
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
            501
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"),
            400
        );
        assert_eq!(status("GET http\x01 HTTP/1.1\r\nHost: a\r\n\r\n"), 400);
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: v\r\n")).collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n")),
            431
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
            413
        );
    }

    #[test]
    fn head_end_finds_the_empty_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.0\n\nrest"), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
        assert_eq!(head_end(b""), None);
    }

    #[test]
    fn responses_have_a_correct_length() {
        let r = response(200, "text/plain", b"hello", true, false, &[]);
        let text = String::from_utf8(r).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(text.contains("Content-Length: 5\r\n"));
        assert!(text.contains("Connection: keep-alive\r\n"));
        assert!(text.ends_with("\r\n\r\nhello"));
        let head =
            String::from_utf8(response(200, "text/plain", b"hello", false, true, &[])).unwrap();
        assert!(head.contains("Content-Length: 5\r\n") && head.ends_with("\r\n\r\n"));
        assert!(head.contains("Connection: close\r\n"));
    }

    #[test]
    fn dates_look_like_imf_fixdate() {
        let d = http_date();
        assert!(d.ends_with(" GMT") && d.len() == 29, "{d}");
    }
}
