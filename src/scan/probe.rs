//! One probe: open a connection, send a hand-built ClientHello, read the
//! server's answer (bounded in bytes and time), close. The answer is data:
//! accepted (with what the server chose), refused (alert or silence),
//! garbage, or no answer.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use super::clienthello::HelloSpec;
use super::registry;
use super::serverhello::{self, Alert, FlightReader, KxParams, Message, ParseError, ServerHello};
use crate::tls::error::{self, Failure};
use crate::tls::starttls::{self, StartTls};

/// How much of the server's answer a probe needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The ServerHello (or HelloRetryRequest) only.
    Hello,
    /// For TLS 1.2 and below, the whole first flight up to ServerHelloDone.
    Flight,
}

/// The plaintext first flight of a server, as far as it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flight {
    /// The ServerHello or HelloRetryRequest.
    pub hello: ServerHello,
    /// The certificate chain (TLS 1.2 and below), leaf first.
    pub certs: Vec<Vec<u8>>,
    /// A stapled OCSP response (TLS 1.2 and below).
    pub ocsp: Option<Vec<u8>>,
    /// The key-exchange parameters of the ServerKeyExchange.
    pub kx: Option<KxParams>,
    /// Whether a CertificateRequest came.
    pub cert_request: bool,
    /// Whether the flight was read to its end (ServerHelloDone).
    pub complete: bool,
}

/// What a server did with one ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// It answered with a ServerHello or HelloRetryRequest.
    Hello(Box<Flight>),
    /// It refused with an alert.
    Alert(Alert),
    /// It closed the connection without a word.
    Closed,
    /// It sent something that is not a valid TLS answer.
    Malformed(String),
    /// It said nothing within the timeout.
    Timeout,
    /// The connection could not be made.
    Unreachable(String),
}

impl Answer {
    /// The ServerHello, when there is one.
    pub fn hello(&self) -> Option<&ServerHello> {
        match self {
            Answer::Hello(f) => Some(&f.hello),
            _ => None,
        }
    }

    /// A short description of a refusal or failure (`alert handshake_failure`).
    pub fn describe(&self) -> String {
        match self {
            Answer::Hello(f) => format!(
                "answered {} with {}",
                registry::Version::from_wire(f.hello.version).map_or_else(
                    || format!("version 0x{:04X}", f.hello.version),
                    |v| v.name().to_string()
                ),
                registry::suite_name(f.hello.suite)
            ),
            Answer::Alert(a) => format!("alert {}", a.name()),
            Answer::Closed => "connection closed without an answer".to_string(),
            Answer::Malformed(why) => format!("malformed answer: {why}"),
            Answer::Timeout => "no answer before the timeout".to_string(),
            Answer::Unreachable(why) => format!("connection failed: {why}"),
        }
    }
}

/// Something that can answer probes: the real network, or a simulation in tests.
pub trait Prober {
    /// Sends `hello` and reports the answer.
    fn ask(&self, hello: HelloSpec, want: Want) -> impl std::future::Future<Output = Answer>;
}

/// A server on the network, probed politely: a bounded number of probes in flight, each with a timeout.
#[derive(Debug)]
pub struct Endpoint {
    /// Where to connect.
    pub addr: SocketAddr,
    /// The DNS name sent as SNI.
    pub sni: Option<String>,
    /// The limit on one probe, from connect to the last byte read.
    pub timeout: Duration,
    /// A plaintext preamble to speak before each ClientHello, and the name it may need.
    pub starttls: Option<(StartTls, String)>,
    /// A limit and a count shared with the other targets of a many-target scan.
    pub shared: Option<Arc<Shared>>,
    limiter: Semaphore,
    sent: AtomicUsize,
    rtt_micros: AtomicUsize,
}

/// What the endpoints of a many-target scan share: the bound on probes in
/// flight over all targets, and the count of probes sent.
#[derive(Debug)]
pub struct Shared {
    limiter: Semaphore,
    sent: AtomicUsize,
}

impl Shared {
    /// A bound of `concurrency` probes in flight over every endpoint that shares it.
    pub fn new(concurrency: usize) -> Shared {
        Shared {
            limiter: Semaphore::new(concurrency.max(1)),
            sent: AtomicUsize::new(0),
        }
    }

    /// Probes sent so far by every endpoint sharing this.
    pub fn probes_sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }
}

/// The in-flight slots one probe holds: its target's and the shared one.
pub struct Slot<'a> {
    _own: Option<tokio::sync::SemaphorePermit<'a>>,
    _shared: Option<tokio::sync::SemaphorePermit<'a>>,
}

impl Endpoint {
    /// An endpoint allowing `concurrency` probes in flight.
    pub fn new(
        addr: SocketAddr,
        sni: Option<String>,
        timeout: Duration,
        concurrency: usize,
    ) -> Endpoint {
        Endpoint {
            addr,
            sni,
            timeout,
            starttls: None,
            shared: None,
            limiter: Semaphore::new(concurrency.max(1)),
            sent: AtomicUsize::new(0),
            rtt_micros: AtomicUsize::new(usize::MAX),
        }
    }

    /// Probes sent so far.
    pub fn probes_sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// The fastest ClientHello-to-answer time seen, a fair estimate of the round trip.
    pub fn min_rtt(&self) -> Option<Duration> {
        match self.rtt_micros.load(Ordering::Relaxed) {
            usize::MAX => None,
            us => Some(Duration::from_micros(us as u64)),
        }
    }

    /// Holds one of the in-flight slots for a rustls handshake (counted as a probe).
    pub async fn slot(&self) -> Slot<'_> {
        let own = self.limiter.acquire().await.ok();
        let shared = match &self.shared {
            Some(s) => {
                s.sent.fetch_add(1, Ordering::Relaxed);
                s.limiter.acquire().await.ok()
            }
            None => None,
        };
        self.sent.fetch_add(1, Ordering::Relaxed);
        Slot {
            _own: own,
            _shared: shared,
        }
    }

    /// Speaks the STARTTLS preamble once, before any probe, so that a server
    /// that refuses the upgrade is reported as such (its words quoted, a
    /// handshake failure) rather than as a server that never answered.
    pub async fn check_starttls(&self) -> anyhow::Result<()> {
        let Some((proto, name)) = &self.starttls else {
            return Ok(());
        };
        let talk = async {
            let mut stream = TcpStream::connect(self.addr)
                .await
                .map_err(|e| error::tag(Failure::Network, e))?;
            match starttls::negotiate(&mut stream, *proto, name).await {
                Ok(_) => Ok(()),
                Err(e) => {
                    let network = e
                        .downcast_ref::<std::io::Error>()
                        .is_some_and(|io| error::is_network_io(io.kind()));
                    let kind = if network {
                        Failure::Network
                    } else {
                        Failure::Handshake
                    };
                    Err(error::tag(kind, e))
                }
            }
        };
        match tokio::time::timeout(self.timeout, talk).await {
            Ok(r) => r,
            Err(_) => Err(error::fail(
                Failure::Network,
                format!(
                    "timed out in the {proto} STARTTLS exchange (if this port speaks TLS at once, as 465, 993 and 995 do, leave out --starttls)"
                ),
            )),
        }
    }

    /// Opens a connection to the server, through the STARTTLS preamble if there is one.
    async fn open(&self) -> Result<TcpStream, Answer> {
        let mut stream = TcpStream::connect(self.addr)
            .await
            .map_err(|e| Answer::Unreachable(e.to_string()))?;
        let _ = stream.set_nodelay(true);
        if let Some((proto, name)) = &self.starttls {
            if let Err(e) = starttls::negotiate(&mut stream, *proto, name).await {
                return Err(Answer::Unreachable(format!(
                    "{proto} STARTTLS failed: {e:#}"
                )));
            }
        }
        Ok(stream)
    }

    async fn exchange(&self, hello: &[u8], want: Want) -> Answer {
        let mut stream = match self.open().await {
            Ok(s) => s,
            Err(answer) => return answer,
        };
        if let Err(e) = stream.write_all(hello).await {
            return io_answer(&e, None);
        }
        let started = Instant::now();
        let mut answer = AnswerReader::new(want);
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match stream.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => return answer.io_error(&e),
            };
            if n == 0 {
                return answer.closed();
            }
            if !answer.received_any() {
                let us = started.elapsed().as_micros().min(usize::MAX as u128 - 1) as usize;
                self.rtt_micros.fetch_min(us, Ordering::Relaxed);
            }
            if let Some(done) = answer.feed(&buf[..n]) {
                return done;
            }
        }
    }
}

/// What a server sent after one step of a follow-up (records by header only:
/// their contents, which may be leaked memory, are never kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heard {
    /// Each record: content type, length, and the first two bytes (an alert's level and description).
    pub records: Vec<(u8, usize, [u8; 2])>,
    /// The server closed the connection.
    pub closed: bool,
}

impl Heard {
    /// The description of the first alert heard.
    pub fn alert(&self) -> Option<u8> {
        self.records
            .iter()
            .find(|(t, len, _)| *t == 21 && *len >= 2)
            .map(|(_, _, b)| b[1])
    }
}

/// The most bytes a follow-up reads after the flight.
const FOLLOW_UP_LIMIT: usize = 256 * 1024;

impl Endpoint {
    /// Sends `hello`, reads the first flight to its end, then sends each of
    /// `steps` in turn, listening `listen` after each for what the server
    /// does; stops after a step the server answered or closed on. The
    /// safe-probe checks (Heartbleed, CCS injection) are built on this.
    pub async fn follow_up(
        &self,
        mut hello: HelloSpec,
        steps: &[Vec<u8>],
        listen: Duration,
    ) -> (Answer, Vec<Heard>) {
        let _slot = self.slot().await;
        if hello.server_name.is_none() {
            hello.server_name = self.sni.clone();
        }
        let work = async {
            let mut stream = match self.open().await {
                Ok(s) => s,
                Err(a) => return (a, Vec::new()),
            };
            if let Err(e) = stream.write_all(&hello.to_records()).await {
                return (io_answer(&e, None), Vec::new());
            }
            let mut reader = AnswerReader::new(Want::Flight);
            let mut buf = vec![0u8; 16 * 1024];
            let answer = loop {
                let n = match stream.read(&mut buf).await {
                    Ok(0) => break reader.closed(),
                    Ok(n) => n,
                    Err(e) => break reader.io_error(&e),
                };
                if let Some(done) = reader.feed(&buf[..n]) {
                    break done;
                }
            };
            let complete = matches!(&answer, Answer::Hello(f) if f.complete);
            let mut heard = Vec::new();
            if !complete {
                return (answer, heard);
            }
            let mut pending: Vec<u8> = Vec::new();
            let mut total = 0usize;
            for step in steps {
                let mut h = Heard::default();
                if stream.write_all(step).await.is_err() {
                    h.closed = true;
                    heard.push(h);
                    break;
                }
                let until = tokio::time::Instant::now() + listen;
                loop {
                    match tokio::time::timeout_at(until, stream.read(&mut buf)).await {
                        Err(_) => break,
                        Ok(Ok(0)) | Ok(Err(_)) => {
                            h.closed = true;
                            break;
                        }
                        Ok(Ok(n)) => {
                            total += n;
                            pending.extend_from_slice(&buf[..n]);
                            // Whole records only, by header; contents dropped at once.
                            while pending.len() >= 5 {
                                let len = usize::from(u16::from_be_bytes([pending[3], pending[4]]));
                                let first = [
                                    pending.get(5).copied().unwrap_or(0),
                                    pending.get(6).copied().unwrap_or(0),
                                ];
                                if pending.len() < 5 + len {
                                    break;
                                }
                                h.records.push((pending[0], len, first));
                                pending.drain(..5 + len);
                            }
                            if total > FOLLOW_UP_LIMIT {
                                break;
                            }
                        }
                    }
                }
                let answered = h.closed || !h.records.is_empty();
                heard.push(h);
                if answered {
                    break;
                }
            }
            (answer, heard)
        };
        match tokio::time::timeout(self.timeout + listen * steps.len() as u32, work).await {
            Ok(r) => r,
            Err(_) => (Answer::Timeout, Vec::new()),
        }
    }
}

impl Endpoint {
    /// Sends `bytes`, a ClientHello already put in records by the caller (split, or in one
    /// record of a chosen size), and reads the answer as [`Prober::ask`] does.
    pub async fn ask_bytes(&self, bytes: &[u8], want: Want) -> Answer {
        let _slot = self.slot().await;
        match tokio::time::timeout(self.timeout, self.exchange(bytes, want)).await {
            Ok(answer) => answer,
            Err(_) => Answer::Timeout,
        }
    }

    /// Sends `bytes` (a ClientHello in records), reads the answer, and goes on reading
    /// until the server is quiet for `listen`, closes, or has sent 256 KiB: the type and
    /// length of every record it sent, the ServerHello's included (contents dropped; a
    /// TLS 1.3 flight after the ServerHello is encrypted and only its sizes count).
    pub async fn record_sizes(&self, bytes: &[u8], listen: Duration) -> (Answer, Vec<(u8, usize)>) {
        let _slot = self.slot().await;
        let work = async {
            let mut stream = match self.open().await {
                Ok(s) => s,
                Err(a) => return (a, Vec::new()),
            };
            if let Err(e) = stream.write_all(bytes).await {
                return (io_answer(&e, None), Vec::new());
            }
            // The reader until the answer is known; then only record headers are kept.
            let mut reader = Some(AnswerReader::new(Want::Hello));
            let mut answer = None;
            let mut records = Vec::new();
            let mut pending: Vec<u8> = Vec::new();
            let mut total = 0usize;
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let read = match reader {
                    Some(_) => stream.read(&mut buf).await,
                    None => match tokio::time::timeout(listen, stream.read(&mut buf)).await {
                        Ok(r) => r,
                        Err(_) => break,
                    },
                };
                let n = match read {
                    Ok(0) => {
                        if let Some(r) = reader.take() {
                            answer = Some(r.closed());
                        }
                        break;
                    }
                    Ok(n) => n,
                    Err(e) => {
                        if let Some(r) = reader.take() {
                            answer = Some(r.io_error(&e));
                        }
                        break;
                    }
                };
                total += n;
                pending.extend_from_slice(&buf[..n]);
                while pending.len() >= 5 {
                    let len = usize::from(u16::from_be_bytes([pending[3], pending[4]]));
                    if pending.len() < 5 + len {
                        break;
                    }
                    records.push((pending[0], len));
                    pending.drain(..5 + len);
                }
                if let Some(r) = reader.as_mut() {
                    if let Some(done) = r.feed(&buf[..n]) {
                        reader = None;
                        let hello = matches!(done, Answer::Hello(_));
                        answer = Some(done);
                        if !hello {
                            break;
                        }
                    }
                }
                if total > FOLLOW_UP_LIMIT {
                    break;
                }
            }
            let answer = answer.unwrap_or_else(|| {
                Answer::Malformed("more than 256 KiB without a ServerHello".to_string())
            });
            (answer, records)
        };
        match tokio::time::timeout(self.timeout + listen, work).await {
            Ok(r) => r,
            Err(_) => (Answer::Timeout, Vec::new()),
        }
    }
}

/// Turns the bytes a server sends after a ClientHello, as they arrive, into
/// an [`Answer`]: the I/O-free core of a probe (also driven by the
/// `serverhello` fuzz target).
#[derive(Debug)]
pub struct AnswerReader {
    reader: FlightReader,
    state: Option<Flight>,
    want: Want,
}

impl AnswerReader {
    /// A reader for a probe that needs `want`.
    pub fn new(want: Want) -> AnswerReader {
        AnswerReader {
            reader: FlightReader::new(),
            state: None,
            want,
        }
    }

    /// Whether any bytes have arrived.
    pub fn received_any(&self) -> bool {
        self.reader.received_any()
    }

    /// Takes the next bytes; `Some` once the answer is known.
    pub fn feed(&mut self, data: &[u8]) -> Option<Answer> {
        if let Err(e) = self.reader.push(data) {
            return Some(malformed(e, self.state.take()));
        }
        loop {
            let msg = match self.reader.next_message() {
                Ok(Some(m)) => m,
                Ok(None) => return None,
                Err(e) => return Some(malformed(e, self.state.take())),
            };
            match step(self.state.take(), msg, self.want) {
                Step::More(f) => self.state = Some(f),
                Step::Wait => {}
                Step::Done(answer) => return Some(answer),
            }
        }
    }

    /// The answer when the server closed the connection.
    pub fn closed(self) -> Answer {
        match self.state {
            Some(f) => Answer::Hello(Box::new(f)),
            None if self.reader.received_any() => {
                Answer::Malformed("the connection closed inside a record".to_string())
            }
            None => Answer::Closed,
        }
    }

    /// The answer when reading failed.
    pub fn io_error(self, e: &std::io::Error) -> Answer {
        io_answer(e, self.state)
    }
}

impl Prober for Endpoint {
    async fn ask(&self, mut hello: HelloSpec, want: Want) -> Answer {
        let _slot = self.slot().await;
        if hello.server_name.is_none() {
            hello.server_name = self.sni.clone();
        }
        let bytes = hello.to_records();
        match tokio::time::timeout(self.timeout, self.exchange(&bytes, want)).await {
            Ok(answer) => answer,
            Err(_) => Answer::Timeout,
        }
    }
}

enum Step {
    More(Flight),
    /// Nothing read yet that counts: keep reading for the ServerHello.
    Wait,
    Done(Answer),
}

/// The unrecognized_name alert (RFC 6066).
const UNRECOGNIZED_NAME: u8 = 112;

/// Advances the reading of a first flight by one message.
fn step(state: Option<Flight>, msg: Message, want: Want) -> Step {
    let Some(mut flight) = state else {
        return match msg {
            // A warning that the name sent as SNI is not one the server knows
            // (OpenSSL's s_server with -servername sends it, RFC 6066 allows it)
            // does not end the handshake: the ServerHello follows.
            Message::Alert(a) if a.level == 1 && a.description == UNRECOGNIZED_NAME => Step::Wait,
            Message::Alert(a) => Step::Done(Answer::Alert(a)),
            Message::ChangeCipherSpec => Step::Done(Answer::Malformed(
                "ChangeCipherSpec before ServerHello".to_string(),
            )),
            Message::Handshake(2, body) => match serverhello::parse_server_hello(&body) {
                Ok(hello) => {
                    let tls13 = hello.version >= 0x0304;
                    let flight = Flight {
                        hello,
                        certs: Vec::new(),
                        ocsp: None,
                        kx: None,
                        cert_request: false,
                        complete: false,
                    };
                    if want == Want::Hello || tls13 {
                        Step::Done(Answer::Hello(Box::new(flight)))
                    } else {
                        Step::More(flight)
                    }
                }
                Err(e) => Step::Done(Answer::Malformed(e.to_string())),
            },
            Message::Handshake(t, _) => Step::Done(Answer::Malformed(
                ParseError::UnexpectedMessage(t).to_string(),
            )),
        };
    };
    let parsed: Result<(), ParseError> = match msg {
        // An alert after the ServerHello ends the flight early; what was read stands.
        Message::Alert(_) | Message::ChangeCipherSpec => {
            return Step::Done(Answer::Hello(Box::new(flight)))
        }
        Message::Handshake(11, body) => {
            serverhello::parse_certificate(&body).map(|c| flight.certs = c)
        }
        Message::Handshake(22, body) => {
            serverhello::parse_certificate_status(&body).map(|o| flight.ocsp = Some(o))
        }
        Message::Handshake(12, body) => {
            let ecdhe = registry::suite(flight.hello.suite).is_some_and(|s| s.kx.is_ecdhe());
            serverhello::parse_server_key_exchange(&body, ecdhe).map(|k| flight.kx = Some(k))
        }
        Message::Handshake(13, _) => {
            flight.cert_request = true;
            Ok(())
        }
        Message::Handshake(14, body) => {
            if body.is_empty() {
                flight.complete = true;
                return Step::Done(Answer::Hello(Box::new(flight)));
            }
            Err(ParseError::Malformed("ServerHelloDone"))
        }
        Message::Handshake(t, _) => Err(ParseError::UnexpectedMessage(t)),
    };
    match parsed {
        Ok(()) => Step::More(flight),
        // The ServerHello stands even when what follows it is broken.
        Err(_) => Step::Done(Answer::Hello(Box::new(flight))),
    }
}

fn malformed(e: ParseError, state: Option<Flight>) -> Answer {
    match state {
        Some(f) => Answer::Hello(Box::new(f)),
        None => Answer::Malformed(e.to_string()),
    }
}

fn io_answer(e: &std::io::Error, state: Option<Flight>) -> Answer {
    if let Some(f) = state {
        return Answer::Hello(Box::new(f));
    }
    match e.kind() {
        std::io::ErrorKind::ConnectionReset
        | std::io::ErrorKind::ConnectionAborted
        | std::io::ErrorKind::BrokenPipe
        | std::io::ErrorKind::UnexpectedEof => Answer::Closed,
        _ => Answer::Unreachable(e.to_string()),
    }
}
