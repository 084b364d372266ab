//! The bounded HTTP fetch behind OCSP, CRL and caIssuers look-ups: hyper's
//! HTTP/1.1 client over a plain TCP stream. Only `http://` URLs (RFC 5280
//! publishes these objects over plain HTTP: they are signed), at most three
//! redirects, a size cap per kind of object, and the whole exchange, redirects
//! included, inside one deadline, so a responder that trickles is cut off.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use serde::Serialize;

/// The most redirects followed.
pub const MAX_REDIRECTS: usize = 3;
/// The largest CRL read.
pub const MAX_CRL: usize = 10 * 1024 * 1024;
/// The largest OCSP response read.
pub const MAX_OCSP: usize = 64 * 1024;
/// The largest caIssuers object read.
pub const MAX_CERTS: usize = 1024 * 1024;

/// Why a fetch failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchFailure {
    /// Fetching is forbidden (`--offline`).
    Offline,
    /// The URL is not a plain `http://` URL.
    UnsupportedUrl,
    /// The name did not resolve or the connection failed.
    Unreachable,
    /// The deadline passed.
    Timeout,
    /// The answer was larger than the cap.
    TooLarge,
    /// The server answered with an HTTP error.
    HttpStatus,
    /// Too many redirects, or a redirect without a usable location.
    Redirects,
    /// The exchange broke off.
    Protocol,
}

/// A failed fetch: the kind and a sentence.
#[derive(Debug, Clone)]
pub struct FetchError {
    /// What went wrong.
    pub kind: FetchFailure,
    /// The sentence for the report.
    pub message: String,
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FetchError {}

fn err(kind: FetchFailure, message: impl Into<String>) -> FetchError {
    FetchError {
        kind,
        message: message.into(),
    }
}

/// A request body, for POST.
#[derive(Debug, Clone)]
pub struct Post {
    /// The body.
    pub body: Vec<u8>,
    /// Its media type.
    pub content_type: &'static str,
}

/// What was fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body.
    pub body: Vec<u8>,
    /// The Content-Type the server named, if any.
    pub content_type: Option<String>,
    /// The URL finally answered (after redirects).
    pub url: String,
}

/// Checks that a URL is one tlskit may fetch: `http://HOST[:PORT]/…`.
pub fn check_url(url: &str) -> Result<Uri, FetchError> {
    let shown = crate::text::sanitize(url);
    if let Some((scheme, _)) = url.split_once("://") {
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(err(
                FetchFailure::UnsupportedUrl,
                format!(
                    "'{shown}' uses {}://, and only http:// URLs are fetched (the objects are signed; other schemes are refused)",
                    crate::text::sanitize(scheme)
                ),
            ));
        }
    }
    let uri: Uri = url.parse().map_err(|_| {
        err(
            FetchFailure::UnsupportedUrl,
            format!("'{shown}' is not a URL"),
        )
    })?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => {
            return Err(err(
                FetchFailure::UnsupportedUrl,
                format!(
                    "'{shown}' uses {}://, and only http:// URLs are fetched (the objects are signed; other schemes are refused)",
                    crate::text::sanitize(other)
                ),
            ))
        }
        None => {
            return Err(err(
                FetchFailure::UnsupportedUrl,
                format!("'{shown}' is not an absolute http:// URL"),
            ))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(err(
            FetchFailure::UnsupportedUrl,
            format!("'{shown}' names no host"),
        ));
    }
    Ok(uri)
}

/// Fetches `url` (GET, or POST with `post`), reading at most `limit` bytes,
/// all within `timeout`.
pub async fn fetch(
    url: &str,
    post: Option<&Post>,
    limit: usize,
    timeout: Duration,
) -> Result<Fetched, FetchError> {
    let shown = crate::text::sanitize(url).into_owned();
    match tokio::time::timeout(timeout, follow(url, post, limit)).await {
        Ok(r) => r,
        Err(_) => Err(err(
            FetchFailure::Timeout,
            format!(
                "fetching {shown} took longer than {:.1} s",
                timeout.as_secs_f64()
            ),
        )),
    }
}

async fn follow(url: &str, post: Option<&Post>, limit: usize) -> Result<Fetched, FetchError> {
    let mut current = url.to_string();
    for _ in 0..=MAX_REDIRECTS {
        let uri = check_url(&current)?;
        match once(&uri, post, limit).await? {
            Step::Done(body, content_type) => {
                return Ok(Fetched {
                    body,
                    content_type,
                    url: current,
                })
            }
            Step::Redirect(location) => {
                current = resolve(&uri, &location).ok_or_else(|| {
                    err(
                        FetchFailure::Redirects,
                        format!(
                            "{} redirected to '{}', which is not a usable URL",
                            crate::text::sanitize(&current),
                            crate::text::sanitize(&location)
                        ),
                    )
                })?;
            }
        }
    }
    Err(err(
        FetchFailure::Redirects,
        format!(
            "{} redirected more than {MAX_REDIRECTS} times",
            crate::text::sanitize(url)
        ),
    ))
}

enum Step {
    Done(Vec<u8>, Option<String>),
    Redirect(String),
}

/// A redirect's Location, made absolute against the URL that sent it.
fn resolve(base: &Uri, location: &str) -> Option<String> {
    if location.contains("://") {
        return Some(location.to_string());
    }
    let authority = base.authority()?;
    if location.starts_with('/') {
        return Some(format!("http://{authority}{location}"));
    }
    let path = base.path();
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    Some(format!("http://{authority}{dir}{location}"))
}

async fn once(uri: &Uri, post: Option<&Post>, limit: usize) -> Result<Step, FetchError> {
    let host = uri.host().unwrap_or_default();
    let host_bare = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(80);
    let shown = crate::text::sanitize(&uri.to_string()).into_owned();
    let stream = tokio::net::TcpStream::connect((host_bare, port))
        .await
        .map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    "connection refused (nothing listens there)".to_string()
                }
                _ => e.to_string(),
            };
            err(
                FetchFailure::Unreachable,
                format!("cannot reach {shown}: {why}"),
            )
        })?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| err(FetchFailure::Protocol, format!("{shown}: {e}")))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let authority = uri.authority().map_or(host, |a| a.as_str());
    let builder = Request::builder()
        .uri(path)
        .header(hyper::header::HOST, authority)
        .header(
            hyper::header::USER_AGENT,
            concat!("tlskit/", env!("CARGO_PKG_VERSION")),
        )
        .header(hyper::header::CONNECTION, "close");
    let request = match post {
        Some(p) => builder
            .method(hyper::Method::POST)
            .header(hyper::header::CONTENT_TYPE, p.content_type)
            .body(Full::new(Bytes::from(p.body.clone()))),
        None => builder
            .method(hyper::Method::GET)
            .body(Full::new(Bytes::new())),
    }
    .map_err(|e| err(FetchFailure::UnsupportedUrl, format!("{shown}: {e}")))?;
    let result = exchange(&mut sender, request, limit, &shown).await;
    driver.abort();
    result
}

async fn exchange(
    sender: &mut hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
    limit: usize,
    shown: &str,
) -> Result<Step, FetchError> {
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| err(FetchFailure::Protocol, format!("{shown}: {e}")))?;
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(hyper::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                err(
                    FetchFailure::Redirects,
                    format!("{shown} redirected without a Location"),
                )
            })?;
        return Ok(Step::Redirect(location.to_string()));
    }
    if status != StatusCode::OK {
        return Err(err(
            FetchFailure::HttpStatus,
            format!("{shown} answered HTTP {status}"),
        ));
    }
    let too_large = || {
        err(
            FetchFailure::TooLarge,
            format!(
                "{shown} sent more than {} bytes, the most tlskit reads for this",
                limit
            ),
        )
    };
    let declared = response
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let content_type = response
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = Limited::new(response.into_body(), limit)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                err(FetchFailure::Protocol, format!("{shown}: {e}"))
            }
        })?;
    Ok(Step::Done(body.to_bytes().to_vec(), content_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_is_fetched() {
        assert!(check_url("http://127.0.0.1:8080/ocsp").is_ok());
        assert!(check_url("http://[::1]/x.crl").is_ok());
        for bad in [
            "file:///etc/passwd",
            "ftp://x/y",
            "ldap://x/y",
            "/relative",
            "http://",
        ] {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.kind, FetchFailure::UnsupportedUrl, "{bad}");
        }
    }

    #[test]
    fn redirects_resolve() {
        let base: Uri = "http://h:1/a/b.crl".parse().unwrap();
        assert_eq!(resolve(&base, "/c").as_deref(), Some("http://h:1/c"));
        assert_eq!(resolve(&base, "d").as_deref(), Some("http://h:1/a/d"));
        assert_eq!(resolve(&base, "http://x/y").as_deref(), Some("http://x/y"));
    }
}
