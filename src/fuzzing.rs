//! The bodies of the fuzz targets under `fuzz/`, one function per parser of
//! untrusted bytes. They live in the library so that `cargo fuzz` (nightly
//! features, sanitizers) and `tests/it/fuzz_smoke.rs` (stable, in CI) drive the
//! very same code.
//!
//! Each function must return normally for every input: a panic is a bug in
//! tlskit. Beyond "no panic", each checks what must hold for any input (text
//! meant for a terminal is escaped, a re-read pin store reads the same, a
//! reader never reads past its bound), so the fuzzer also finds wrong answers.
//!
//! The functions switch `colored` off for the whole process (rendered text is
//! checked byte by byte); nothing but fuzzing and tests should call them.

use std::pin::Pin as StdPin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use time::OffsetDateTime;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::output::inspect::Report;
use crate::output::sanitize;
use crate::report::inspect;
use crate::tls::chain::TrustStore;
use crate::tls::files::{self, Item};
use crate::tls::source::Served;
use crate::tls::starttls::{self, StartTls};

/// A fixed "now" (2026-01-01T00:00:00Z), so a run is reproducible.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Panics when `text` holds a character a terminal would act on (other than
/// a line feed): everything a file or a peer controls must be escaped.
fn assert_terminal_safe(text: &str, what: &str) {
    for line in text.split('\n') {
        assert!(
            sanitize(line) == line,
            "{what}: unescaped control or bidi character in {line:?}"
        );
    }
}

fn webpki_store() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(TrustStore::webpki)
}

/// Certificate, key and CSR loading (PEM or DER) and `inspect`'s report:
/// `files::parse_items`, then the x509info/chain/lint builders, then the
/// text renderer and the JSON serializer.
pub fn files(data: &[u8]) {
    let Ok(items) = files::parse_items(data, "fuzz input") else {
        return;
    };
    // The certificates as a `--ca` store too, to exercise custom stores.
    let certs: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Certificate(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let _ = files::certs_from_items(
        items
            .iter()
            .filter_map(|i| match i {
                Item::Certificate(c) => Some(Item::Certificate(c.clone())),
                _ => None,
            })
            .collect(),
        "fuzz input",
    );
    render_inspect(items, None, webpki_store());

    // The same bytes as a live server's chain, judged against its own certificates.
    if let Ok(store) = TrustStore::from_certs(&certs) {
        let Ok(items) = files::parse_items(data, "fuzz input") else {
            panic!("parse_items is not deterministic");
        };
        let served = Served {
            target: "fuzz.invalid:443".to_string(),
            host_port: "fuzz.invalid:443".to_string(),
            verdict: Err("fuzzing".to_string()),
            address: Some("127.0.0.1:443".to_string()),
            server_name: "fuzz.invalid".to_string(),
            protocol: Some(crate::tls::handshake::Protocol::Tls13),
            cipher_suite: Some("TLS_AES_128_GCM_SHA256".to_string()),
        };
        render_inspect(items, Some(served), &store);
    }
}

fn render_inspect(items: Vec<Item>, served: Option<Served>, store: &TrustStore) {
    let kind = if served.is_some() {
        crate::tls::source::SourceKind::Server
    } else {
        crate::tls::source::SourceKind::File
    };
    let Ok(input) = inspect::inspect_items(
        "fuzz input",
        kind,
        "fuzz-input".to_string(),
        items,
        served,
        store,
        now(),
    ) else {
        return;
    };
    let inputs = vec![input];
    let expiry_check = Some(inspect::expiry(&inputs, time::Duration::days(30)));
    let report = Report {
        inputs,
        trust_store: store.kind,
        key_check: None,
        expiry_check,
    };
    let mut text = Vec::new();
    crate::output::inspect::render(&mut text, &report, crate::output::Style::PLAIN)
        .expect("writing to a Vec cannot fail");
    let text = String::from_utf8(text).expect("the text report is UTF-8");
    assert_terminal_safe(&text, "inspect report");
    let mut json = Vec::new();
    crate::output::write_json(&mut json, &report).expect("the report serializes");
    serde_json::from_slice::<serde_json::Value>(&json).expect("the JSON report parses");
}

/// An in-memory peer: reads come from `input`, writes are counted and dropped.
struct Script<'a> {
    input: &'a [u8],
    read: usize,
}

impl AsyncRead for Script<'_> {
    fn poll_read(
        mut self: StdPin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = buf.remaining().min(self.input.len() - self.read);
        let start = self.read;
        buf.put_slice(&self.input[start..start + n]);
        self.read += n;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Script<'_> {
    fn poll_write(
        self: StdPin<&mut Self>,
        _cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: StdPin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: StdPin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Runs a future whose I/O is always ready to completion, without a runtime.
fn block_on_ready<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    // Each poll makes progress on ready I/O; the bound only guards the harness.
    for _ in 0..1_000_000 {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("a STARTTLS reader made no progress on ready input");
}

/// The STARTTLS preamble readers: `data` is what the server sends, fed to
/// every protocol's reader in turn.
pub fn starttls(data: &[u8]) {
    for proto in StartTls::ALL {
        let mut io = Script {
            input: data,
            read: 0,
        };
        let result = block_on_ready(starttls::negotiate(&mut io, proto, "fuzz.invalid"));
        // The readers are bounded and never read ahead into the TLS handshake.
        assert!(
            io.read <= 64 * 1024,
            "{proto}: read {} bytes of preamble",
            io.read
        );
        match result {
            Ok(preamble) => {
                assert_eq!(preamble.protocol, Some(proto));
                let greeting = preamble.greeting.unwrap_or_default();
                assert!(
                    !greeting.contains(['\n', '\r']),
                    "{proto}: greeting spans lines"
                );
                assert_terminal_safe(&greeting, "STARTTLS greeting");
            }
            Err(e) => assert_terminal_safe(&format!("{e:#}"), "STARTTLS error"),
        }
    }
}

/// `serve --www`'s HTTP/1.1 side (hyper and the request handler): `data`
/// is what a client sends on one connection (the first byte sets how much
/// arrives per write), answered request by request as the server does.
/// Every response must be well formed, with a status the server means to
/// send, and what the page shows of the request must be escaped.
pub fn www(data: &[u8]) {
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use crate::server::log::ConnRecord;
    use crate::server::www::{self, Activity, Conn, Outcome};
    use crate::server::Phase;
    use crate::tls::handshake::HandshakeInfo;

    let Some((&chunk, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk) * 64 + 1;
    let rec = ConnRecord::new(std::net::SocketAddr::from(([127, 0, 0, 1], 4433)));
    let info = HandshakeInfo {
        protocol: crate::tls::handshake::Protocol::Tls13,
        cipher_suite: "TLS_AES_128_GCM_SHA256".to_string(),
        group: Some("X25519MLKEM768".to_string()),
        post_quantum: true,
        alpn: Some("http/1.1".to_string()),
        handshake_kind: crate::tls::handshake::Kind::Full,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let output = runtime.block_on(async {
        let (_tx, mut phase) = tokio::sync::watch::channel(Phase::Running);
        let conn = Arc::new(Conn::new(&rec, info, None, phase.clone()));
        let activity = Activity::new();
        let (client, server) = tokio::io::duplex(64 * 1024);
        let (mut from_server, mut to_server) = tokio::io::split(client);
        let serve = async {
            let outcome = www::run(server, false, conn.clone(), &activity, &mut phase).await;
            assert!(
                matches!(outcome, Outcome::Finished(_)),
                "the conversation ended otherwise than by HTTP"
            );
        };
        let send = async {
            for piece in input.chunks(chunk) {
                if to_server.write_all(piece).await.is_err() {
                    return;
                }
            }
            let _ = to_server.shutdown().await;
        };
        let receive = async {
            let mut out = Vec::new();
            let _ = from_server.read_to_end(&mut out).await;
            out
        };
        let ((), (), out) = tokio::join!(serve, send, receive);
        (out, conn.requests())
    });
    let (output, requests) = output;
    check_www_responses(&output, requests);
}

/// Checks a stream of HTTP/1.1 responses: each head well formed, each
/// status one the server sends, as many pages (200, 404, 405) as it counted.
fn check_www_responses(mut rest: &[u8], requests: u64) {
    let mut answered = 0;
    while !rest.is_empty() {
        let end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|i| i + 4)
            .expect("a response has a complete head");
        let head = std::str::from_utf8(&rest[..end]).expect("a response head is UTF-8");
        assert!(
            head.starts_with("HTTP/1.1 ") || head.starts_with("HTTP/1.0 "),
            "{head:?}"
        );
        let status: u16 = head[9..12].parse().expect("a status code");
        assert!(
            matches!(status, 200 | 400 | 404 | 405 | 408 | 413 | 431),
            "unexpected status {status}: {head:?}"
        );
        if matches!(status, 200 | 404 | 405) {
            answered += 1;
        }
        for line in head.trim_end_matches("\r\n").split("\r\n") {
            assert!(
                !line.contains(['\r', '\n']),
                "a bare CR or LF in the response head: {head:?}"
            );
        }
        let len: usize = head
            .split("\r\n")
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .map(|v| v.parse().expect("a numeric Content-Length"))
            .unwrap_or(0);
        rest = &rest[end..];
        // A HEAD response announces a length and sends no body.
        if rest.is_empty() || rest.starts_with(b"HTTP/1.") {
            continue;
        }
        assert!(rest.len() >= len, "a body shorter than its Content-Length");
        // What the page shows of the request is escaped.
        if let Ok(body) = std::str::from_utf8(&rest[..len]) {
            assert_terminal_safe(body.trim_end_matches('\n'), "www page");
        }
        rest = &rest[len..];
    }
    assert_eq!(answered, requests, "responses and counted requests differ");
}

/// The pin-store reader: parses `data` as a store file; what parses must
/// write back and re-read to the same entries, and that text is stable.
pub fn pinstore(data: &[u8]) {
    use crate::pinstore::{parse_store, render_store, Line};

    let Ok(lines) = parse_store(data, "fuzz") else {
        return;
    };
    let text = render_store(&lines);
    let again = parse_store(text.as_bytes(), "fuzz").expect("a written store reads back");
    let entries = |lines: &[Line]| -> Vec<crate::pinstore::Entry> {
        lines
            .iter()
            .filter_map(|l| match l {
                Line::Entry(e) => Some(e.clone()),
                Line::Verbatim(_) => None,
            })
            .collect()
    };
    assert_eq!(
        entries(&lines),
        entries(&again),
        "entries change on rewrite"
    );
    assert_eq!(render_store(&again), text, "the store text is not stable");
    for e in entries(&lines) {
        // A key as written is a key as a user would type it.
        assert_eq!(
            crate::pinstore::parse_host_port(&e.host_port)
                .ok()
                .as_deref(),
            Some(e.host_port.as_str()),
            "the stored key is not canonical"
        );
    }
}

/// The stapled OCSP response reader, with no leaf serial and with the first
/// bytes of the input taken as one.
pub fn ocsp(data: &[u8]) {
    use crate::tls::ocsp::parse;
    for serial in [None, Some(&data[..data.len().min(20)])] {
        match parse(data, serial) {
            Ok(summary) => {
                if summary.response_status != crate::tls::ocsp::ResponseStatus::Successful {
                    assert!(summary.cert_status.is_none() && summary.responses == 0);
                }
                if summary.revocation_time.is_some() {
                    assert_eq!(
                        summary.cert_status,
                        Some(crate::tls::ocsp::CertStatus::Revoked)
                    );
                }
                serde_json::to_string(&summary).expect("the summary serializes");
            }
            Err(e) => assert_terminal_safe(&e.to_string(), "OCSP error"),
        }
    }
}

/// The embedded SCT list parsers: `data` as the extension value (a DER OCTET
/// STRING) and as the bare TLS-encoded list.
pub fn sct(data: &[u8]) {
    use crate::tls::x509info::{parse_sct_extension, parse_sct_list};
    for scts in [parse_sct_extension(data), parse_sct_list(data)]
        .into_iter()
        .flatten()
    {
        assert!(!scts.is_empty());
        for s in &scts {
            assert_terminal_safe(&s.log_id, "SCT log id");
            assert_terminal_safe(&s.timestamp, "SCT timestamp");
        }
    }
}

/// `scan`'s reader of a server's first flight (records, ServerHello or
/// HelloRetryRequest, Certificate, CertificateStatus, ServerKeyExchange,
/// alerts): `data` is what the server sends after a ClientHello, the first
/// byte setting how much arrives per read, read as a probe that wants the
/// ServerHello only and as one that wants the whole TLS 1.2 flight.
pub fn serverhello(data: &[u8]) {
    use crate::scan::probe::{Answer, AnswerReader, Want};

    let Some((&chunk, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk) * 64 + 1;
    for want in [Want::Hello, Want::Flight] {
        let mut reader = AnswerReader::new(want);
        let mut answer = None;
        for part in input.chunks(chunk) {
            if let Some(a) = reader.feed(part) {
                answer = Some(a);
                break;
            }
        }
        let answer = answer.unwrap_or_else(|| reader.closed());
        match &answer {
            Answer::Hello(flight) => {
                let hello = &flight.hello;
                let _ = hello.key_share_group();
                let _ = hello.alpn();
                let _ = hello.downgrade_sentinel();
                if want == Want::Hello {
                    assert!(flight.certs.is_empty() && flight.ocsp.is_none() && !flight.complete);
                }
                if let Some(ocsp) = &flight.ocsp {
                    let _ = crate::tls::ocsp::parse(ocsp, None);
                }
            }
            Answer::Alert(alert) => assert_terminal_safe(&alert.name(), "alert name"),
            Answer::Malformed(why) => assert_terminal_safe(why, "scan's malformed answer"),
            Answer::Closed => assert!(input.is_empty(), "bytes arrived, yet 'closed'"),
            other => panic!("no I/O, yet {other:?}"),
        }
    }
}
