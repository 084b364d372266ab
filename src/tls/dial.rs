//! Dialling a TLS server: resolve, TCP connect (optionally to another
//! address, like curl's `--connect-to`), an optional STARTTLS preamble, and
//! the rustls handshake, all under one deadline, timing each step and
//! keeping what the verifier saw. `connect`, `inspect HOST:PORT`,
//! `pin HOST:PORT` and `scan` all dial through here.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rustls::pki_types::CertificateDer;
use rustls::ClientConfig;
use serde::Serialize;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::config::{self, ClientOptions};
use super::error::{self, Failure};
use super::explain;
use super::handshake::HandshakeInfo;
use super::starttls::{self, Preamble, StartTls};
use super::target::{self, Target};
use super::verify::{self, Observations, Observed};
use crate::text::sanitize;

/// The default bound on DNS + TCP + handshake.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to wait, after a TLS 1.3 handshake in which the server asked for
/// a client certificate, for the server's verdict on it (an alert, a ticket or data).
pub const SETTLE: Duration = Duration::from_millis(1500);

/// Where and how to dial.
#[derive(Debug, Clone)]
pub struct DialOptions {
    /// The server, and the name to send and verify.
    pub target: Target,
    /// Dial this host and port instead of the target's (the name is kept).
    pub connect_to: Option<(String, u16)>,
    /// Bound on DNS + TCP + STARTTLS + handshake (+ settling).
    pub timeout: Duration,
    /// A plaintext preamble to speak before TLS.
    pub starttls: Option<StartTls>,
    /// After a TLS 1.3 handshake, wait (within the timeout) for the first
    /// session ticket, so that a later dial with the same config can resume.
    pub await_ticket: bool,
}

impl DialOptions {
    /// Dial `target` directly with the given timeout.
    pub fn new(target: Target, timeout: Duration) -> DialOptions {
        DialOptions {
            target,
            connect_to: None,
            timeout,
            starttls: None,
            await_ticket: false,
        }
    }
}

/// Parses a `--connect-to` address: `HOST`, `HOST:PORT` or `[v6]:PORT` (port defaults to `port`);
/// a bad one is a usage error.
pub fn parse_connect_to(text: &str, port: u16) -> Result<(String, u16)> {
    target::split_host_port(text, port)
        .context("--connect-to")
        .map_err(|e| error::tag(Failure::Argument, e))
}

/// How long each step took, in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Name resolution (absent when the host is an IP address).
    pub dns_ms: Option<f64>,
    /// TCP connect to the address that answered.
    pub tcp_ms: Option<f64>,
    /// The STARTTLS preamble.
    pub starttls_ms: Option<f64>,
    /// The TLS handshake.
    pub tls_ms: Option<f64>,
}

/// Which step a dial reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Resolving the host name.
    Resolve,
    /// Opening the TCP connection.
    Connect,
    /// Speaking the STARTTLS preamble.
    Starttls,
    /// The TLS handshake (including certificate verification).
    Handshake,
    /// Done.
    Connected,
}

/// What one dial found, as far as it got.
#[derive(Debug, Clone, Serialize)]
pub struct DialReport {
    /// The target as given (`host:port`).
    pub target: String,
    /// The address dialled (the one that accepted, or the last one tried).
    pub address: Option<String>,
    /// Every address the name resolved to.
    pub resolved: Vec<String>,
    /// The name verified against the certificate.
    pub server_name: String,
    /// The SNI sent (`None` for IP addresses and `--no-sni`).
    pub sni: Option<String>,
    /// How far the dial got.
    pub stage: Stage,
    /// Step timings.
    pub timings: Timings,
    /// The STARTTLS exchange, if any.
    pub starttls: Option<Preamble>,
    /// What the handshake negotiated (absent when it failed).
    pub handshake: Option<HandshakeInfo>,
    /// What the verifier saw (chain, OCSP, verdict, pins, client-certificate request).
    #[serde(skip)]
    pub observed: Observed,
}

/// A completed dial.
pub struct Dialed {
    /// The TLS stream, ready for application data.
    pub stream: TlsStream<TcpStream>,
    /// What was found.
    pub report: DialReport,
    /// Application data the server sent while the dial waited for its verdict
    /// or a ticket (write it out before anything read later).
    pub early_data: Vec<u8>,
    /// The server closed the connection cleanly right after the handshake.
    pub peer_closed: bool,
}

/// A failed dial: the error (tagged with its exit code) and what was found before it.
#[derive(Debug)]
pub struct DialFailure {
    /// The error, with a sentence a person understands and an exit code.
    pub error: anyhow::Error,
    /// What the dial found before failing (the chain, when the handshake got that far).
    pub report: Box<DialReport>,
}

impl From<DialFailure> for anyhow::Error {
    fn from(f: DialFailure) -> anyhow::Error {
        f.error
    }
}

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

/// Dials `opts.target` with `config`; `observations` must be the record
/// returned with `config` by [`config::client_config`].
///
/// A config's record holds one handshake at a time: dial sequentially with it.
pub async fn dial(
    config: Arc<ClientConfig>,
    observations: &Observations,
    opts: &DialOptions,
) -> Result<Dialed, DialFailure> {
    dial_settling(config, observations, opts, SETTLE).await
}

/// Like [`dial`], settling for at most `settle_for` (instead of [`SETTLE`]) after
/// a TLS 1.3 handshake: `scan` waits a few round trips, not seconds, for a
/// ticket or a client-certificate verdict.
pub async fn dial_settling(
    config: Arc<ClientConfig>,
    observations: &Observations,
    opts: &DialOptions,
    settle_for: Duration,
) -> Result<Dialed, DialFailure> {
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let server_name = opts.target.server_name_str();
    let sni = (config.enable_sni && opts.target.name_is_dns()).then(|| server_name.clone());
    let mut report = DialReport {
        target: opts.target.to_string(),
        address: None,
        resolved: Vec::new(),
        server_name: server_name.clone(),
        sni,
        stage: Stage::Resolve,
        timings: Timings::default(),
        starttls: None,
        handshake: None,
        observed: Observed::default(),
    };
    {
        // A fresh record per dial; what the config offers stays.
        let mut obs = verify::lock(observations);
        let offered = obs.offered;
        *obs = Observed {
            offered,
            ..Observed::default()
        };
    }
    let secs = opts.timeout.as_secs_f64();
    let fail = |report: DialReport, error: anyhow::Error| DialFailure {
        error,
        report: Box::new(report),
    };
    let timed_out = |what: &str| {
        error::fail(
            Failure::Network,
            format!("timed out after {} s {what}", trim_secs(secs)),
        )
    };

    // Resolve.
    let (host, port) = opts
        .connect_to
        .clone()
        .unwrap_or_else(|| (opts.target.host.clone(), opts.target.port));
    let addrs: Vec<SocketAddr> = if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        vec![SocketAddr::new(ip, port)]
    } else {
        let started = Instant::now();
        let lookup = tokio::net::lookup_host((host.as_str(), port));
        let found = match tokio::time::timeout_at(deadline, lookup).await {
            Err(_) => {
                let e = timed_out(&format!("resolving '{}'", sanitize(&host)));
                return Err(fail(report, e));
            }
            Ok(Err(e)) => {
                let e = error::fail(
                    Failure::Network,
                    format!("cannot resolve '{}': {e}", sanitize(&host)),
                );
                return Err(fail(report, e));
            }
            Ok(Ok(found)) => found.collect::<Vec<_>>(),
        };
        report.timings.dns_ms = Some(ms(started));
        if found.is_empty() {
            let e = error::fail(
                Failure::Network,
                format!("'{}' resolves to no address", sanitize(&host)),
            );
            return Err(fail(report, e));
        }
        found
    };
    report.resolved = addrs.iter().map(SocketAddr::to_string).collect();

    // Connect: each address in turn, all within the deadline.
    report.stage = Stage::Connect;
    let mut tcp = match connect_any(&addrs, deadline, secs, &mut report).await {
        Ok(t) => t,
        Err(e) => return Err(fail(report, e)),
    };
    let _ = tcp.set_nodelay(true);

    // STARTTLS.
    if let Some(proto) = opts.starttls {
        report.stage = Stage::Starttls;
        let started = Instant::now();
        let talk = starttls::negotiate(&mut tcp, proto, &server_name);
        match tokio::time::timeout_at(deadline, talk).await {
            Err(_) => {
                let e = timed_out(&format!(
                    "in the {proto} STARTTLS exchange (if this port speaks TLS at once, as 465, 993 and 995 do, leave out --starttls)"
                ));
                return Err(fail(report, e));
            }
            Ok(Err(e)) => {
                // A network failure (marked, or an I/O error) stays one; a
                // refusal or a reply that makes no sense is a handshake failure.
                let code = match error::kind_of(&e) {
                    Some(Failure::Network) => Failure::Network,
                    _ => Failure::Handshake,
                };
                return Err(fail(report, error::tag(code, e)));
            }
            Ok(Ok(preamble)) => {
                report.timings.starttls_ms = Some(ms(started));
                report.starttls = Some(preamble);
            }
        }
    }

    // TLS.
    report.stage = Stage::Handshake;
    let started = Instant::now();
    let connector = TlsConnector::from(config);
    let handshake = connector.connect(opts.target.server_name.clone(), tcp);
    let result = tokio::time::timeout_at(deadline, handshake).await;
    report.observed = verify::lock(observations).clone();
    let mut stream = match result {
        Err(_) => {
            let e = timed_out(&format!(
                "waiting for the TLS handshake with {} (the server accepted the connection but did not complete a handshake)",
                report.address.as_deref().unwrap_or("the server")
            ));
            return Err(fail(report, e));
        }
        Ok(Err(e)) => {
            let e = handshake_error(&e, &report.observed, &server_name);
            return Err(fail(report, e));
        }
        Ok(Ok(s)) => s,
    };
    report.timings.tls_ms = Some(ms(started));
    report.handshake = Some(HandshakeInfo::from_state(stream.get_ref().1));

    // Settle: in TLS 1.3 the server judges a client certificate after the
    // client has finished, and sends tickets only then.
    let tls13 = stream.get_ref().1.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3);
    let observed_now = verify::lock(observations).clone();
    let mut early_data = Vec::new();
    let mut peer_closed = false;
    if tls13 && (opts.await_ticket || observed_now.client_cert_requested) {
        let limit = tokio::time::Instant::now() + settle_for;
        let until = limit.min(deadline);
        // A ticket ends the wait in both cases: it is what a resumption needs,
        // and a server sends one only once it has accepted the client's certificate.
        match tokio::time::timeout_at(until, settle(&mut stream)).await {
            Err(_) => {}
            Ok(Ok(Settled::Data(d))) => early_data = d,
            Ok(Ok(Settled::Closed)) => peer_closed = true,
            Ok(Ok(Settled::Ticket)) => {}
            Ok(Err(e)) => {
                report.observed = verify::lock(observations).clone();
                let e = handshake_error(&e, &report.observed, &server_name);
                return Err(fail(report, e));
            }
        }
    }
    report.observed = verify::lock(observations).clone();
    report.stage = Stage::Connected;
    Ok(Dialed {
        stream,
        report,
        early_data,
        peer_closed,
    })
}

/// Connects to the first of `addrs` that accepts, each in turn, within
/// `deadline` (`secs` long in all); records the address tried and the TCP time in `report`.
async fn connect_any(
    addrs: &[SocketAddr],
    deadline: tokio::time::Instant,
    secs: f64,
    report: &mut DialReport,
) -> Result<TcpStream> {
    let mut tried: Vec<String> = Vec::new();
    for (i, addr) in addrs.iter().enumerate() {
        report.address = Some(addr.to_string());
        let started = Instant::now();
        let until = attempt_deadline(deadline, addrs.len() - i);
        match tokio::time::timeout_at(until, TcpStream::connect(addr)).await {
            Err(_) if until >= deadline => {
                let mut what = format!("connecting to {addr}");
                if !tried.is_empty() {
                    what.push_str(&format!(" (before it: {})", tried.join("; ")));
                }
                return Err(error::fail(
                    Failure::Network,
                    format!("timed out after {} s {what}", trim_secs(secs)),
                ));
            }
            // This address does not answer: leave the rest of the time to the others.
            Err(_) => tried.push(format!(
                "{addr}: no answer within {} s",
                trim_secs(started.elapsed().as_secs_f64().round())
            )),
            Ok(Err(e)) => tried.push(format!("{addr}: {}", describe_io(&e))),
            Ok(Ok(s)) => {
                report.timings.tcp_ms = Some(ms(started));
                return Ok(s);
            }
        }
    }
    Err(match tried.len() {
        0 => error::fail(Failure::Network, "no address to connect to"),
        1 => error::fail(Failure::Network, format!("cannot connect to {}", tried[0])),
        n => error::fail(
            Failure::Network,
            format!(
                "cannot connect to any of the {n} addresses: {}",
                tried.join("; ")
            ),
        ),
    })
}

enum Settled {
    Data(Vec<u8>),
    Ticket,
    Closed,
}

/// Reads until application data, a session ticket, or the end.
async fn settle(stream: &mut TlsStream<TcpStream>) -> std::io::Result<Settled> {
    let mut buf = vec![0u8; 16 * 1024];
    std::future::poll_fn(|cx| {
        let mut rb = ReadBuf::new(&mut buf);
        match std::pin::Pin::new(&mut *stream).poll_read(cx, &mut rb) {
            Poll::Ready(Ok(())) if rb.filled().is_empty() => Poll::Ready(Ok(Settled::Closed)),
            Poll::Ready(Ok(())) => Poll::Ready(Ok(Settled::Data(rb.filled().to_vec()))),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if stream.get_ref().1.tls13_tickets_received() > 0 {
                    Poll::Ready(Ok(Settled::Ticket))
                } else {
                    Poll::Pending
                }
            }
        }
    })
    .await
}

/// Turns a handshake I/O error into a sentence and an exit code.
pub fn handshake_error(
    e: &std::io::Error,
    observed: &Observed,
    server_name: &str,
) -> anyhow::Error {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        let sentence = explain::describe_error(tls, observed, server_name);
        return error::tag(error::rustls_kind(tls), anyhow::anyhow!("{sentence}"));
    }
    use std::io::ErrorKind::*;
    let sentence = match e.kind() {
        UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => {
            if observed.client_cert_requested && !observed.client_cert_sent {
                "the server closed the connection after asking for a client certificate; give one with --cert FILE --key FILE".to_string()
            } else {
                "the server closed the connection during the TLS handshake (is this a TLS port? does it accept this server name?)".to_string()
            }
        }
        _ => format!("TLS handshake failed: {}", describe_io(e)),
    };
    error::fail(Failure::Handshake, sentence)
}

/// Turns an I/O error on an established connection (the data phase) into a
/// sentence and an exit code: 4 for a TLS error, 3 for the network.
pub fn data_error(e: &std::io::Error) -> anyhow::Error {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        return error::tag(
            error::rustls_kind(tls),
            anyhow::anyhow!("{}", explain::describe_data_error(tls)),
        );
    }
    use std::io::ErrorKind::*;
    let sentence = match e.kind() {
        ConnectionReset | ConnectionAborted | BrokenPipe => {
            "the server reset the connection (what it sent may be cut short)".to_string()
        }
        UnexpectedEof => "the server closed the connection without close_notify".to_string(),
        _ => describe_io(e),
    };
    error::fail(Failure::Network, sentence)
}

/// The deadline for one connection attempt when `left` addresses (this one
/// included) remain: an even share of the time left, but at least 2 s (or
/// all of it), so that one address that drops packets does not spend the
/// whole timeout and leave the others untried (Go's `net.Dialer` does the same).
fn attempt_deadline(deadline: tokio::time::Instant, left: usize) -> tokio::time::Instant {
    const SANE_MINIMUM: Duration = Duration::from_secs(2);
    let now = tokio::time::Instant::now();
    let remaining = deadline.saturating_duration_since(now);
    if left <= 1 {
        return deadline;
    }
    let share = remaining / u32::try_from(left).unwrap_or(u32::MAX);
    let share = if share >= SANE_MINIMUM {
        share
    } else {
        SANE_MINIMUM.min(remaining)
    };
    now + share
}

/// A connect or read error in a few words ("connection refused (nothing listens on that port)").
pub fn describe_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        ConnectionRefused => "connection refused (nothing listens on that port)".to_string(),
        TimedOut => "timed out".to_string(),
        HostUnreachable => "host unreachable".to_string(),
        NetworkUnreachable => "network unreachable".to_string(),
        _ => e.to_string(),
    }
}

fn trim_secs(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

/// The chain a server presents, and whether it verified (for `inspect`/`pin HOST:PORT`).
#[derive(Debug, Clone)]
pub struct FetchedChain {
    /// The chain as sent, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// `Ok` when it verified against the webpki roots for the target's name,
    /// else a sentence saying why not.
    pub verdict: std::result::Result<(), String>,
    /// The whole dial report (address, timings, negotiated parameters when the handshake completed).
    pub report: DialReport,
}

/// Fetches the certificate chain a server presents, whether or not it verifies.
///
/// Verification against the webpki roots still runs and is recorded in
/// `verdict`. Builds its own single-threaded runtime, so call it from
/// synchronous code only. Fails (exit codes 3/4) only when no chain was seen.
/// `dial_opts` says where to dial (its `connect_to`), the name to send, the
/// STARTTLS preamble and the deadline.
pub fn fetch_chain(dial_opts: &DialOptions) -> Result<FetchedChain> {
    let opts = ClientOptions {
        accept_unverified: Some(super::danger::accept_unverified()),
        ..ClientOptions::default()
    };
    let (config, observations) = config::client_config(opts)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let result = rt.block_on(async {
        match dial(config, &observations, dial_opts).await {
            Ok(mut d) => {
                use tokio::io::AsyncWriteExt;
                let _ = tokio::time::timeout(Duration::from_millis(200), d.stream.shutdown()).await;
                Ok(d.report)
            }
            Err(f) => Err(f),
        }
    });
    rt.shutdown_background();
    let (report, failure) = match result {
        Ok(r) => (r, None),
        Err(f) if !f.report.observed.chain.is_empty() => (*f.report, Some(f.error)),
        Err(f) => return Err(f.error),
    };
    let verdict = match (&report.observed.verdict, failure) {
        // The chain verified but the handshake then failed (a weak key, say).
        (Some(Ok(())), Some(e)) if error::kind_of(&e) == Some(Failure::Verification) => {
            Err(format!("{e:#}"))
        }
        (Some(Ok(())), _) => Ok(()),
        (Some(Err(e)), _) => Err(explain::describe_error(
            e,
            &report.observed,
            &report.server_name,
        )),
        (None, _) => Err("the certificate was not verified".to_string()),
    };
    Ok(FetchedChain {
        chain: report.observed.chain.clone(),
        verdict,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_report() -> DialReport {
        DialReport {
            target: "test:1".to_string(),
            address: None,
            resolved: Vec::new(),
            server_name: "test".to_string(),
            sni: None,
            stage: Stage::Connect,
            timings: Timings::default(),
            starttls: None,
            handshake: None,
            observed: Observed::default(),
        }
    }

    /// A listener whose accept queue is full: further SYNs are dropped, so a
    /// connect to it hangs like one to an address that drops packets.
    fn black_hole() -> (
        tokio::net::TcpListener,
        Vec<std::net::TcpStream>,
        SocketAddr,
    ) {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(0).unwrap();
        let addr = listener.local_addr().unwrap();
        // Fill the queue; the first connection that does not complete tells us it is full.
        let mut held = Vec::new();
        for _ in 0..16 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
                Ok(s) => held.push(s),
                Err(_) => break,
            }
        }
        assert!(!held.is_empty(), "could not queue a connection on {addr}");
        (listener, held, addr)
    }

    #[tokio::test]
    async fn an_address_that_does_not_answer_leaves_time_for_the_next() {
        let (_hole, _held, dead) = black_hole();
        let live = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let live_addr = live.local_addr().unwrap();
        let timeout = Duration::from_secs(6);
        let deadline = tokio::time::Instant::now() + timeout;
        let mut report = empty_report();
        let result = connect_any(&[dead, live_addr], deadline, 6.0, &mut report).await;
        assert!(
            result.is_ok(),
            "the second address was not tried: {:#}",
            result.err().unwrap()
        );
        assert_eq!(
            report.address.as_deref(),
            Some(live_addr.to_string().as_str())
        );
    }

    #[tokio::test]
    async fn every_failed_address_is_named() {
        let (_hole, _held, dead) = black_hole();
        let refused = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(6);
        let mut report = empty_report();
        let err = connect_any(&[dead, refused], deadline, 6.0, &mut report)
            .await
            .unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("any of the 2 addresses"), "{text}");
        assert!(
            text.contains(&format!("{dead}: no answer within")),
            "{text}"
        );
        assert!(
            text.contains(&format!("{refused}: connection refused")),
            "{text}"
        );
        assert_eq!(error::kind_of(&err), Some(Failure::Network));
    }
}
