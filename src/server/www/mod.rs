//! `serve --www`: an HTTP server whose one page describes the client's TLS
//! handshake, as text or (for `Accept: application/json`) JSON.
//!
//! HTTP itself is hyper's: HTTP/2 when the handshake chose ALPN `h2`,
//! HTTP/1.1 (and 1.0) otherwise, over the connection's rustls stream. This
//! module holds the page, the one request handler, and the limits hyper is
//! given: a head over [`MAX_HEAD`] bytes or [`MAX_HEADERS`] fields gets 431,
//! a body over [`MAX_BODY`] gets 413, a head must arrive whole within the
//! idle timeout (slowloris), a body too, and a client that takes no data for
//! that long is dropped. After the last response the server sends
//! close_notify and reads what the client still sends (briefly, and bounded)
//! so that closing does not reset the connection under the answer.

mod page;
mod transport;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;
use tokio::time::Instant;

pub use page::{ClientCertificate, Page, RequestLine, Version, SERVER};
pub use transport::{Activity, Counted};

use super::log::{ConnRecord, End};
use super::{wait, Ending, Phase, Shared, Stream, Wait};
use crate::text::sanitize;
use crate::tls::handshake::HandshakeInfo;

/// The largest request head (request line and headers) accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// The largest request body read (and discarded) to keep a connection alive.
pub const MAX_BODY: u64 = 1024 * 1024;
/// The most header fields in one request.
pub const MAX_HEADERS: usize = 100;
/// HTTP/2 requests one connection may have open at once.
pub const MAX_STREAMS: u32 = 32;

/// Whether the client prefers JSON: `Accept: application/json` or `?format=json`.
pub fn wants_json(headers: &HeaderMap, query: Option<&str>) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
        || query.is_some_and(|q| q.split('&').any(|kv| kv == "format=json"))
}

/// Whether an HTTP/1.x client wants the connection kept open (RFC 9112 §9.3).
fn client_keeps_alive(version: Version, headers: &HeaderMap) -> bool {
    let has = |token: &str| {
        headers
            .get_all(header::CONNECTION)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    match version {
        Version::Http11 => !has("close"),
        Version::Http10 => has("keep-alive"),
        Version::Http2 => true,
    }
}

/// What one connection's requests share with the connection that serves them.
pub(crate) struct Conn {
    rec: ConnRecord,
    info: HandshakeInfo,
    idle: Option<Duration>,
    phase: watch::Receiver<Phase>,
    /// Requests answered with the page, a 404 or a 405.
    requests: AtomicU64,
    /// Why the server closed the connection after its last response, if it chose to.
    closing: Mutex<Option<String>>,
}

impl Conn {
    pub(crate) fn new(
        rec: &ConnRecord,
        info: HandshakeInfo,
        idle: Option<Duration>,
        phase: watch::Receiver<Phase>,
    ) -> Conn {
        Conn {
            rec: rec.clone(),
            info,
            idle,
            phase,
            requests: AtomicU64::new(0),
            closing: Mutex::new(None),
        }
    }

    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn close_because(&self, why: String) {
        if let Ok(mut c) = self.closing.lock() {
            c.get_or_insert(why);
        }
    }

    fn closing(&self) -> Option<String> {
        self.closing.lock().ok().and_then(|c| c.clone())
    }
}

/// A response with the headers every answer carries.
fn response(
    status: StatusCode,
    content_type: &'static str,
    body: Vec<u8>,
    connection: Option<&'static str>,
    extra: &[(header::HeaderName, &'static str)],
) -> Response<Full<Bytes>> {
    let len = body.len();
    let mut res = Response::new(Full::new(Bytes::from(body)));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(header::SERVER, HeaderValue::from_static(SERVER));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Set here so that a HEAD response announces the length the GET body has.
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2).
    if let Some(c) = connection {
        h.insert(header::CONNECTION, HeaderValue::from_static(c));
    }
    for (name, value) in extra {
        h.insert(name.clone(), HeaderValue::from_static(value));
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // RFC 9110's name for 413.
        res.extensions_mut()
            .insert(hyper::ext::ReasonPhrase::from_static(b"Content Too Large"));
    }
    res
}

fn reason_phrase(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
        s => s.canonical_reason().unwrap_or("Unknown"),
    }
}

/// An error status, after which an HTTP/1 connection closes (an HTTP/2 one goes on).
fn refuse(
    status: StatusCode,
    detail: &str,
    version: Version,
    conn: &Conn,
) -> Response<Full<Bytes>> {
    let phrase = reason_phrase(status);
    let body = format!("{} {phrase}: {detail}\n", status.as_u16());
    let close = version != Version::Http2;
    if close {
        conn.close_because(format!("answered {} {phrase}: {detail}", status.as_u16()));
    }
    response(
        status,
        "text/plain; charset=utf-8",
        body.into_bytes(),
        close.then_some("close"),
        &[],
    )
}

/// Why a request body was not read to its end.
enum BodyProblem {
    TooLarge,
    TimedOut,
    CutShort,
}

/// Reads and drops a request body, up to [`MAX_BODY`] bytes within the idle timeout.
async fn discard_body(mut body: Incoming, idle: Option<Duration>) -> Result<(), BodyProblem> {
    let read = async {
        let mut seen = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyProblem::CutShort)?;
            if let Some(data) = frame.data_ref() {
                seen += data.len() as u64;
                if seen > MAX_BODY {
                    return Err(BodyProblem::TooLarge);
                }
            }
        }
        Ok(())
    };
    match idle {
        Some(d) => tokio::time::timeout(d, read)
            .await
            .unwrap_or(Err(BodyProblem::TimedOut)),
        None => read.await,
    }
}

/// Answers one request.
async fn handle(req: Request<Incoming>, conn: Arc<Conn>) -> Response<Full<Bytes>> {
    let head_only = req.method() == Method::HEAD;
    let mut res = answer(req, &conn).await;
    if head_only {
        // The length of the GET body stays announced; HTTP/2 needs the body gone
        // itself (hyper's HTTP/1 would drop it, its HTTP/2 sends it).
        *res.body_mut() = Full::default();
    }
    res
}

/// The response to one request, body included even for HEAD.
async fn answer(req: Request<Incoming>, conn: &Conn) -> Response<Full<Bytes>> {
    let version = Version::of(req.version());
    let (parts, body) = req.into_parts();
    // RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request (HTTP/2 has :authority).
    if version == Version::Http11 && parts.headers.get_all(header::HOST).iter().count() != 1 {
        return refuse(
            StatusCode::BAD_REQUEST,
            "an HTTP/1.1 request needs exactly one Host header",
            version,
            conn,
        );
    }
    // A request target in authority form is for CONNECT alone (RFC 9112 §3.2.3).
    if parts.uri.scheme().is_none() && parts.uri.authority().is_some() {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the request target must be a path",
            version,
            conn,
        );
    }
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = format!("request bodies over {MAX_BODY} bytes are not read");
    if announced.is_some_and(|n| n > MAX_BODY) {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, &too_large, version, conn);
    }
    match discard_body(body, conn.idle).await {
        Ok(()) => {}
        Err(BodyProblem::TooLarge) => {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, &too_large, version, conn)
        }
        Err(BodyProblem::TimedOut) => {
            return refuse(
                StatusCode::REQUEST_TIMEOUT,
                "the request body did not arrive in time",
                version,
                conn,
            )
        }
        Err(BodyProblem::CutShort) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the request body was cut short",
                version,
                conn,
            )
        }
    }
    let number = conn.requests.fetch_add(1, Ordering::Relaxed) + 1;
    // While the server drains, answer this request and then close.
    let running = *conn.phase.borrow() == Phase::Running;
    let wants_open = client_keeps_alive(version, &parts.headers);
    let connection = match version {
        Version::Http2 => None,
        // hyper closes after a chunked request that also had a Content-Length
        // (a smuggling pattern: RFC 9112 §6.3) and then says `close` itself.
        _ if parts.headers.contains_key(header::TRANSFER_ENCODING) => None,
        _ if wants_open && running => Some("keep-alive"),
        _ => {
            conn.close_because(
                if wants_open {
                    "answered, and closed because the server is shutting down"
                } else {
                    "answered a request that asked to close the connection"
                }
                .into(),
            );
            Some("close")
        }
    };
    let target = match version {
        // HTTP/2 sends the path apart from the scheme and authority.
        Version::Http2 => parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        _ => parts.uri.to_string(),
    };
    let text = "text/plain; charset=utf-8";
    match parts.method {
        Method::GET | Method::HEAD if parts.uri.path().starts_with("/favicon.ico") => response(
            StatusCode::NOT_FOUND,
            text,
            b"404 Not Found\n".to_vec(),
            connection,
            &[],
        ),
        Method::GET | Method::HEAD => {
            let request = RequestLine {
                method: parts.method.as_str().to_string(),
                target: sanitize(&target).into_owned(),
                version,
                number,
            };
            let page = Page::new(&conn.rec, &conn.info, request);
            if wants_json(&parts.headers, parts.uri.query()) {
                let mut body = crate::text::json::to_vec_pretty(&page).unwrap_or_default();
                body.push(b'\n');
                response(StatusCode::OK, "application/json", body, connection, &[])
            } else {
                response(
                    StatusCode::OK,
                    text,
                    page.text().into_bytes(),
                    connection,
                    &[(header::VARY, "Accept")],
                )
            }
        }
        _ => response(
            StatusCode::METHOD_NOT_ALLOWED,
            text,
            b"405 Method Not Allowed: only GET and HEAD\n".to_vec(),
            connection,
            &[(header::ALLOW, "GET, HEAD")],
        ),
    }
}

/// The HTTP/1 side of hyper, with tlskit's limits.
pub(crate) fn http1(idle: Option<Duration>) -> hyper::server::conn::http1::Builder {
    let mut b = hyper::server::conn::http1::Builder::new();
    b.timer(TokioTimer::new())
        // The whole head within one idle timeout, and no idle wait between requests longer.
        .header_read_timeout(idle)
        .max_header_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .max_buf_size(2 * MAX_HEAD)
        // `Content-Length`, as most servers spell it (HTTP/1 names are case-insensitive).
        .title_case_headers(true)
        // A client may send close_notify after its request and still read the answer.
        .half_close(true);
    b
}

fn http2() -> hyper::server::conn::http2::Builder<TokioExecutor> {
    let mut b = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
    b.timer(TokioTimer::new())
        .max_concurrent_streams(MAX_STREAMS)
        .max_header_list_size(MAX_HEAD as u32);
    b
}

/// How serving HTTP on a connection ended.
pub(crate) enum Outcome {
    /// hyper finished: the client or the server closed, or the client broke HTTP.
    Finished(Result<(), hyper::Error>),
    /// Nothing moved for the idle timeout while the server waited on the client.
    Idle(&'static str),
    /// The grace period ended.
    Stopped,
    /// The server began to drain and closed the connection between requests.
    Drained,
}

/// Waits until the server reaches `at` (never, if the server is gone).
async fn reached(phase: &mut watch::Receiver<Phase>, at: Phase) {
    if phase.wait_for(|p| *p >= at).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Resolves when nothing has moved for `idle` while HTTP/2 waits for the
/// client or a response waits for the client to read it. (An idle HTTP/1
/// connection is hyper's: its head timeout also bounds the wait for the next request.)
async fn idle_watch(activity: &Activity, idle: Option<Duration>, h2: bool) -> &'static str {
    let Some(idle) = idle else {
        return std::future::pending().await;
    };
    loop {
        let due = activity.last() + idle;
        if Instant::now() >= due {
            if activity.write_blocked() {
                return "the client took no data";
            }
            if h2 {
                return "nothing received";
            }
            tokio::time::sleep(idle).await;
        } else {
            tokio::time::sleep_until(due).await;
        }
    }
}

/// Drives one hyper connection until it ends, the idle watch fires, or the
/// server stops; when the server drains, hyper is asked to finish what is
/// under way and close.
async fn drive<C>(
    conn: C,
    graceful: impl Fn(Pin<&mut C>),
    activity: &Activity,
    idle: Option<Duration>,
    h2: bool,
    phase: &mut watch::Receiver<Phase>,
) -> Outcome
where
    C: Future<Output = Result<(), hyper::Error>>,
{
    let mut conn = std::pin::pin!(conn);
    let mut draining = false;
    loop {
        let next = if draining {
            Phase::Stopping
        } else {
            Phase::Draining
        };
        tokio::select! {
            biased;
            r = conn.as_mut() => {
                return match r {
                    Ok(()) if draining => Outcome::Drained,
                    r => Outcome::Finished(r),
                }
            }
            _ = reached(phase, next) => {
                if draining {
                    return Outcome::Stopped;
                }
                draining = true;
                graceful(conn.as_mut());
            }
            why = idle_watch(activity, idle, h2) => return Outcome::Idle(why),
        }
    }
}

/// Serves HTTP on `io` (HTTP/2 when `h2`) until the connection is over.
pub(crate) async fn run<T>(
    io: T,
    h2: bool,
    conn: Arc<Conn>,
    activity: &Activity,
    phase: &mut watch::Receiver<Phase>,
) -> Outcome
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let idle = conn.idle;
    let service = hyper::service::service_fn(move |req| {
        let conn = conn.clone();
        async move { Ok::<_, Infallible>(handle(req, conn).await) }
    });
    let io = TokioIo::new(io);
    if h2 {
        let c = http2().serve_connection(io, service);
        drive(c, |c| c.graceful_shutdown(), activity, idle, true, phase).await
    } else {
        let c = http1(idle).serve_connection(io, service);
        drive(c, |c| c.graceful_shutdown(), activity, idle, false, phase).await
    }
}

/// Says in words how a connection that hyper served ended.
fn ending(outcome: Outcome, conn: &Conn, activity: &Activity, sh: &Shared) -> Ending {
    let e = match outcome {
        // The server closed after an answer it chose to close on.
        Outcome::Finished(Ok(())) | Outcome::Drained if conn.closing().is_some() => {
            return Ending::new(End::Closed, conn.closing().unwrap_or_default())
        }
        Outcome::Finished(Ok(())) if activity.eof() => {
            return Ending::new(End::Closed, "the client sent close_notify")
        }
        // HTTP/2 ends without an error when the client says GOAWAY.
        Outcome::Finished(Ok(())) if conn.info.alpn.as_deref() == Some("h2") => {
            return Ending::new(End::Closed, "the client closed HTTP/2 (GOAWAY)")
        }
        Outcome::Finished(Ok(())) => {
            return Ending::new(
                End::Closed,
                "answered, and closed as HTTP/1.1 requires after that request",
            )
        }
        Outcome::Finished(Err(e)) => e,
        Outcome::Idle(why) => return Ending::idle(sh, why),
        Outcome::Stopped | Outcome::Drained => return Ending::shutdown(),
    };
    if e.is_timeout() {
        let what = if activity.unanswered() {
            "the request head was incomplete"
        } else {
            "no request received"
        };
        return Ending::idle(sh, what);
    }
    if e.is_parse_too_large() {
        return Ending::new(
            End::Closed,
            format!(
                "answered 431 Request Header Fields Too Large: the request head is over {MAX_HEAD} bytes or {MAX_HEADERS} fields"
            ),
        );
    }
    if e.is_parse_version_h2() {
        return Ending::new(
            End::Closed,
            "the client sent HTTP/2 without choosing it by ALPN (h2)",
        );
    }
    if e.is_parse() {
        return Ending::new(End::Closed, format!("answered 400 Bad Request: {e}"));
    }
    if e.is_incomplete_message() {
        return Ending::new(End::Closed, "the client closed in the middle of a request");
    }
    let io_error = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<io::Error>());
    match io_error {
        Some(io) => Ending::from_io(io),
        None => Ending {
            end: End::Error,
            reason: format!("HTTP error: {e}"),
            failure: Some("http_error".to_string()),
            close_notify: false,
        },
    }
}

/// Answers requests until the client closes, asks to close, errs, or idles
/// out; then closes the TLS connection cleanly (close_notify) itself.
pub(super) async fn serve(
    stream: &mut Stream,
    sh: &Shared,
    phase: &mut watch::Receiver<Phase>,
    rec: &mut ConnRecord,
) -> Ending {
    let Some(info) = rec.handshake.clone() else {
        return Ending::new(End::Error, "no handshake information");
    };
    let h2 = info.alpn.as_deref() == Some("h2");
    let conn = Arc::new(Conn::new(
        rec,
        info,
        sh.settings.idle_timeout,
        phase.clone(),
    ));
    let activity = Arc::new(Activity::new());
    let io = Counted::new(&mut *stream, activity.clone());
    let outcome = run(io, h2, conn.clone(), &activity, phase).await;
    let (bytes_in, bytes_out) = activity.bytes();
    rec.bytes_in += bytes_in;
    rec.bytes_out += bytes_out;
    rec.requests = Some(conn.requests());
    let mut end = ending(outcome, &conn, &activity, sh);
    if end.close_notify {
        transport::close(stream, phase).await;
        // Sent: the caller need not.
        end.close_notify = false;
    }
    end
}

/// The answer to plain HTTP on the TLS port.
fn plain_http_refusal() -> Response<Full<Bytes>> {
    response(
        StatusCode::BAD_REQUEST,
        "text/plain; charset=utf-8",
        b"400 Bad Request: this is a TLS port, and the request came as plain HTTP; use https:// instead of http://\n".to_vec(),
        Some("close"),
        &[],
    )
}

/// When the client's first byte is an ASCII letter (a TLS record starts with
/// 0x16), it sent plain HTTP to this TLS port: answers a plaintext 400 that
/// says to use https:// (hyper reads the request; what follows it is read
/// and dropped, so that closing does not reset the connection under the
/// answer), and returns true. Anything else is left for the TLS handshake
/// to read and judge.
pub(super) async fn answer_plain_http(
    tcp: &mut tokio::net::TcpStream,
    deadline: Instant,
    phase: &mut watch::Receiver<Phase>,
) -> bool {
    let mut first = [0u8; 1];
    match wait(tcp.peek(&mut first), Some(deadline), phase, Phase::Stopping).await {
        Wait::Done(Ok(1)) if first[0].is_ascii_alphabetic() => {}
        _ => return false,
    }
    // The request, or what arrives of it within a moment.
    let moment = Duration::from_secs(2);
    let until = std::cmp::min(deadline, Instant::now() + moment);
    let service =
        hyper::service::service_fn(|_req| async { Ok::<_, Infallible>(plain_http_refusal()) });
    let mut http = http1(Some(moment));
    http.keep_alive(false);
    let answer = http.serve_connection(TokioIo::new(&mut *tcp), service);
    // Answered (hyper answers a malformed request with its own 400): then linger.
    if let Wait::Done(_) = wait(answer, Some(until), phase, Phase::Stopping).await {
        transport::linger(tcp, until, phase).await;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_static(k),
                HeaderValue::from_static(v),
            );
        }
        h
    }

    #[test]
    fn json_is_negotiated() {
        let h = headers(&[("accept", "text/html;q=0.9, application/json")]);
        assert!(wants_json(&h, None));
        assert!(wants_json(&HeaderMap::new(), Some("a=b&format=json")));
        assert!(!wants_json(
            &headers(&[("accept", "application/jsonx")]),
            None
        ));
        assert!(!wants_json(&HeaderMap::new(), Some("format=jsonx")));
    }

    #[test]
    fn connection_handling_by_version() {
        let close = headers(&[("connection", "Keep-Alive, close")]);
        assert!(!client_keeps_alive(Version::Http11, &close));
        assert!(client_keeps_alive(Version::Http11, &HeaderMap::new()));
        assert!(!client_keeps_alive(Version::Http10, &HeaderMap::new()));
        let ka = headers(&[("connection", "keep-alive")]);
        assert!(client_keeps_alive(Version::Http10, &ka));
    }

    #[test]
    fn versions_are_named_as_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&Version::Http2).unwrap(),
            "\"HTTP/2\""
        );
        assert_eq!(Version::of(hyper::Version::HTTP_10).as_str(), "HTTP/1.0");
    }
}
