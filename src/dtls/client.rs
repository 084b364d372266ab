//! The DTLS client: resolve, open a connected UDP socket, run the handshake
//! under one deadline (retransmitting as dimpl asks), verify the server's
//! certificate with tlskit's verifier, then carry datagrams both ways.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dimpl::{Dtls, Output};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, UnixTime};
use serde::Serialize;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::wire::HelloInfo;
use super::{Negotiated, Versions};
use crate::text::sanitize;
use crate::tls::config::{self, Identity, TrustRoots};
use crate::tls::danger::AcceptUnverified;
use crate::tls::error::{self, Failure};
use crate::tls::explain;
use crate::tls::pin::Pin;
use crate::tls::target::Target;
use crate::tls::verify::{self, Observations, Observed, RecordingVerifier};

/// Where and how to connect.
#[derive(Debug)]
pub struct ClientOptions {
    /// The server, and the name to verify.
    pub target: Target,
    /// Send to this host and port instead (the name is kept).
    pub connect_to: Option<(String, u16)>,
    /// Bound on resolution plus handshake.
    pub timeout: Duration,
    /// Largest datagram to send.
    pub mtu: usize,
    /// Versions to offer.
    pub versions: Versions,
    /// Trust anchors.
    pub roots: TrustRoots,
    /// SPKI pins (any match passes).
    pub pins: Vec<Pin>,
    /// `Some` only through [`crate::tls::danger::accept_unverified`].
    pub accept_unverified: Option<AcceptUnverified>,
    /// The client certificate offered when the server asks for one.
    pub identity: Option<Identity>,
    /// Offer only these cipher suites (IANA numbers) instead of all dimpl has.
    pub suites: Option<Vec<u16>>,
}

/// Which step a connection reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Resolving the host name.
    Resolve,
    /// The DTLS handshake (certificate verification included).
    Handshake,
    /// Done.
    Connected,
}

/// Step timings in milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Name resolution (absent for an IP address).
    pub dns_ms: Option<f64>,
    /// From the first ClientHello to the end of the handshake.
    pub handshake_ms: Option<f64>,
}

/// The client-certificate part of the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClientCertificate {
    /// Whether the server asked (`null` for DTLS 1.3, where the request is encrypted).
    pub requested: Option<bool>,
    /// Whether a certificate given with `--cert` was offered.
    pub offered: bool,
}

/// Datagram counts of the handshake.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Flights {
    /// Datagrams sent.
    pub datagrams_sent: u64,
    /// Datagrams received.
    pub datagrams_received: u64,
    /// Datagrams resent because an answer was late or lost.
    pub retransmissions: u64,
}

/// What one DTLS connection found, as far as it got.
#[derive(Debug, Clone, Serialize)]
pub struct ClientReport {
    /// The target as given (`host:port`).
    pub target: String,
    /// The address the datagrams went to.
    pub address: Option<String>,
    /// Every address the name resolved to.
    pub resolved: Vec<String>,
    /// The name verified against the certificate (DTLS here sends no SNI).
    pub server_name: String,
    /// How far the connection got.
    pub stage: Stage,
    /// Step timings.
    pub timings: Timings,
    /// What the handshake negotiated (absent when it failed).
    pub handshake: Option<Negotiated>,
    /// Handshake datagrams and retransmissions.
    pub flights: Flights,
    /// Client certificate request and answer.
    pub client_certificate: ClientCertificate,
    /// The largest datagram sent.
    pub mtu: usize,
    /// What the verifier saw: the leaf, the verdict, pins.
    #[serde(skip)]
    pub observed: Observed,
}

/// A failed connection: the error (with its kind) and what was found before it.
#[derive(Debug)]
pub struct Failed {
    /// The sentence, tagged with its kind.
    pub error: anyhow::Error,
    /// What was found before the failure.
    pub report: Box<ClientReport>,
}

/// What a relay carried.
#[derive(Debug, Clone, Default)]
pub struct Relayed {
    /// Datagrams sent to the server.
    pub datagrams_up: u64,
    /// Their bytes.
    pub bytes_up: u64,
    /// Datagrams received from the server.
    pub datagrams_down: u64,
    /// Their bytes.
    pub bytes_down: u64,
}

/// Why a relay ended.
#[derive(Debug)]
pub enum RelayEnd {
    /// The server sent close_notify.
    ServerClosed,
    /// The input closed (the tunnel is stopping).
    InputClosed,
    /// Nothing moved either way for the idle time.
    Idle,
    /// A DTLS or network error.
    Failed(anyhow::Error),
}

/// An established DTLS connection.
pub struct Connection {
    socket: UdpSocket,
    dtls: Dtls,
    buf: Vec<u8>,
    /// What was found.
    pub report: ClientReport,
    /// Application datagrams that arrived with the end of the handshake.
    pub early: Vec<Vec<u8>>,
    /// The server closed the connection right after the handshake.
    pub peer_closed: bool,
}

/// What the data phase carried.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DataStats {
    /// Datagrams of application data sent.
    pub datagrams_sent: u64,
    /// Datagrams of application data received.
    pub datagrams_received: u64,
    /// Whether the server ended with close_notify.
    pub closed_by_server: bool,
}

/// Connects and handshakes; the server's leaf is verified as soon as it arrives.
pub async fn connect(opts: ClientOptions) -> Result<Connection, Failed> {
    let deadline = tokio::time::Instant::now() + opts.timeout;
    let server_name = opts.target.server_name_str();
    let mut report = ClientReport {
        target: opts.target.to_string(),
        address: None,
        resolved: Vec::new(),
        server_name: server_name.clone(),
        stage: Stage::Resolve,
        timings: Timings::default(),
        handshake: None,
        flights: Flights::default(),
        client_certificate: ClientCertificate {
            requested: None,
            offered: opts.identity.is_some(),
        },
        mtu: opts.mtu,
        observed: Observed::default(),
    };
    macro_rules! bail {
        ($e:expr) => {
            return Err(Failed {
                error: $e,
                report: Box::new(report),
            })
        };
    }
    let verifier = match build_verifier(&opts) {
        Ok(v) => v,
        Err(e) => bail!(e),
    };
    let cert = match opts.identity {
        Some(id) => super::dtls_identity(id).map_err(|e| e.context("--cert")),
        None => throwaway_certificate(),
    };
    let cert = match cert {
        Ok(c) => c,
        Err(e) => bail!(e),
    };
    let config = match super::dimpl_config(opts.mtu, opts.timeout, false, opts.suites.as_deref()) {
        Ok(c) => c,
        Err(e) => bail!(e),
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
        match tokio::time::timeout_at(deadline, tokio::net::lookup_host((host.as_str(), port)))
            .await
        {
            Err(_) => bail!(error::fail(
                Failure::Network,
                format!("timed out resolving '{}'", sanitize(&host))
            )),
            Ok(Err(e)) => bail!(error::fail(
                Failure::Network,
                format!("cannot resolve '{}': {e}", sanitize(&host))
            )),
            Ok(Ok(found)) => {
                report.timings.dns_ms = Some(super::ms(started));
                found.collect()
            }
        }
    };
    report.resolved = addrs.iter().map(SocketAddr::to_string).collect();
    // UDP has no connection to try: the first address is the one used.
    let Some(&addr) = addrs.first() else {
        bail!(error::fail(
            Failure::Network,
            format!("'{}' resolves to no address", sanitize(&host))
        ))
    };
    report.address = Some(addr.to_string());
    let socket = match open_socket(addr).await {
        Ok(s) => s,
        Err(e) => bail!(error::fail(
            Failure::Network,
            format!(
                "cannot send to {addr}: {}",
                crate::tls::dial::describe_io(&e)
            )
        )),
    };

    // Handshake.
    report.stage = Stage::Handshake;
    let started = Instant::now();
    let mut dtls = super::endpoint(opts.versions, config, cert, started);
    dtls.set_active(true);
    let mut info = HelloInfo::default();
    let mut buf = vec![0u8; opts.mtu.max(2048)];
    let mut rbuf = vec![0u8; 65_536];
    let mut early = Vec::new();
    let mut timer_fired = false;
    let mut next_timer = None;
    let mut peer_closed = false;
    let result: Result<(), anyhow::Error> = async {
        loop {
            let mut connected = false;
            loop {
                match dtls.poll_output(&mut buf) {
                    Output::Packet(p) => {
                        // dimpl may emit the very first ClientHello on a timer: not a resend.
                        if timer_fired && report.flights.datagrams_sent > 0 {
                            report.flights.retransmissions += 1;
                        }
                        report.flights.datagrams_sent += 1;
                        send(&socket, p).await?;
                    }
                    Output::BufferTooSmall { needed } => buf.resize(needed, 0),
                    Output::Timeout(t) => {
                        next_timer = Some(t);
                        break;
                    }
                    Output::Connected => connected = true,
                    Output::PeerCert(der) => {
                        let leaf = CertificateDer::from(der.to_vec());
                        let verdict = verifier.verify_server_cert(
                            &leaf,
                            &[],
                            &opts.target.server_name,
                            &[],
                            UnixTime::now(),
                        );
                        report.observed = verify::lock(&verifier.observations).clone();
                        if let Err(e) = verdict {
                            let sentence =
                                explain::describe_error(&e, &report.observed, &server_name);
                            return Err(error::fail(error::rustls_kind(&e), sentence));
                        }
                    }
                    Output::ApplicationData(d) => early.push(d.to_vec()),
                    Output::CloseNotify => peer_closed = true,
                    _ => {}
                }
            }
            timer_fired = false;
            if connected {
                return Ok(());
            }
            if peer_closed {
                return Err(error::fail(
                    Failure::Handshake,
                    "the server closed the connection during the DTLS handshake",
                ));
            }
            let timer = next_timer.map(tokio::time::Instant::from_std);
            tokio::select! {
                got = socket.recv(&mut rbuf) => {
                    let n = got.map_err(|e| receive_error(&e, addr))?;
                    report.flights.datagrams_received += 1;
                    info.observe(&rbuf[..n]);
                    dtls.handle_timeout(Instant::now()).map_err(|e| super::dimpl_error(&e))?;
                    dtls.handle_packet(&rbuf[..n]).map_err(|e| super::dimpl_error(&e))?;
                }
                _ = sleep_until(timer) => {
                    timer_fired = true;
                    dtls.handle_timeout(Instant::now()).map_err(|e| super::dimpl_error(&e))?;
                }
                _ = tokio::time::sleep_until(deadline) => {
                    let what = if report.flights.datagrams_received == 0 {
                        format!("no answer from {addr} (is a DTLS server listening on that UDP port? UDP gives no sign when nothing listens unless the host answers with ICMP)")
                    } else {
                        format!("the server at {addr} answered but the DTLS handshake did not complete")
                    };
                    return Err(error::fail(
                        Failure::Network,
                        format!("timed out after {} s: {what}", trim_secs(opts.timeout.as_secs_f64())),
                    ));
                }
            }
        }
    }
    .await;
    // DTLS 1.3: dimpl counts the handshake done once our Finished is out, but
    // the server judges our certificate only when that flight arrives. Its
    // first answer (the ACK, or the alert that refuses us) is awaited briefly.
    let mut refused_late = false;
    let result = match result {
        Ok(()) if super::Version::of(&dtls) == Some(super::Version::Dtls13) => {
            let until = deadline.min(tokio::time::Instant::now() + SETTLE);
            let settled = settle(
                &mut dtls,
                &socket,
                addr,
                &mut buf,
                &mut rbuf,
                until,
                &mut early,
                &mut peer_closed,
            )
            .await;
            refused_late = settled.is_err();
            settled
        }
        other => other,
    };
    if info.certificate_request || info.server_hello && !info.dtls13 {
        report.client_certificate.requested = Some(info.certificate_request);
    }
    if let Err(e) = result {
        // A throwaway certificate went out because the server asked for one.
        let e = if (info.certificate_request || refused_late)
            && !report.client_certificate.offered
            && error::kind_of(&e) == Some(Failure::Handshake)
        {
            error::fail(
                Failure::Handshake,
                format!("{e:#}: the server asked for a client certificate and refused the connection without one; give one with --cert FILE --key FILE"),
            )
        } else {
            e
        };
        bail!(e);
    }
    report.timings.handshake_ms = Some(super::ms(started));
    report.handshake = Some(Negotiated::new(&dtls, &info));
    report.stage = Stage::Connected;
    Ok(Connection {
        socket,
        dtls,
        buf,
        report,
        early,
        peer_closed,
    })
}

/// The longest wait, after a DTLS 1.3 handshake, for the server's first answer.
const SETTLE: Duration = Duration::from_millis(500);

/// Waits for the server's first datagram after a DTLS 1.3 handshake (or
/// `until`), so that an alert refusing our certificate is an error of the
/// handshake and not of the first read.
#[allow(clippy::too_many_arguments)]
async fn settle(
    dtls: &mut Dtls,
    socket: &UdpSocket,
    addr: SocketAddr,
    buf: &mut Vec<u8>,
    rbuf: &mut [u8],
    until: tokio::time::Instant,
    early: &mut Vec<Vec<u8>>,
    peer_closed: &mut bool,
) -> anyhow::Result<()> {
    loop {
        let next_timer;
        loop {
            match dtls.poll_output(buf) {
                Output::Packet(p) => send(socket, p).await?,
                Output::BufferTooSmall { needed } => buf.resize(needed, 0),
                Output::Timeout(t) => {
                    next_timer = Some(t);
                    break;
                }
                Output::ApplicationData(d) => early.push(d.to_vec()),
                Output::CloseNotify => *peer_closed = true,
                _ => {}
            }
        }
        let timer = next_timer.map(tokio::time::Instant::from_std);
        tokio::select! {
            got = socket.recv(rbuf) => {
                let n = got.map_err(|e| receive_error(&e, addr))?;
                dtls.handle_timeout(Instant::now()).map_err(|e| super::dimpl_error(&e))?;
                dtls.handle_packet(&rbuf[..n]).map_err(|e| super::dimpl_error(&e))?;
                // Deliver what came with it, then stop waiting.
                loop {
                    match dtls.poll_output(buf) {
                        Output::Packet(p) => send(socket, p).await?,
                        Output::BufferTooSmall { needed } => buf.resize(needed, 0),
                        Output::Timeout(_) => return Ok(()),
                        Output::ApplicationData(d) => early.push(d.to_vec()),
                        Output::CloseNotify => *peer_closed = true,
                        _ => {}
                    }
                }
            }
            _ = sleep_until(timer) => {
                dtls.handle_timeout(Instant::now()).map_err(|e| super::dimpl_error(&e))?;
            }
            _ = tokio::time::sleep_until(until) => return Ok(()),
        }
    }
}

/// dimpl needs a certificate even when the server never asks for one: one
/// throwaway self-signed certificate per process (made once: `bench` would
/// otherwise spend a key generation on every association).
fn throwaway_certificate() -> anyhow::Result<dimpl::DtlsCertificate> {
    static MADE: std::sync::OnceLock<Option<dimpl::DtlsCertificate>> = std::sync::OnceLock::new();
    MADE.get_or_init(|| dimpl::certificate::generate_self_signed_certificate().ok())
        .clone()
        .ok_or_else(|| anyhow::anyhow!("making a throwaway client certificate failed"))
}

/// A verifier for one connection, and the record it fills in.
struct Verifier {
    inner: RecordingVerifier,
    observations: Observations,
}

impl std::ops::Deref for Verifier {
    type Target = RecordingVerifier;
    fn deref(&self) -> &RecordingVerifier {
        &self.inner
    }
}

fn build_verifier(opts: &ClientOptions) -> anyhow::Result<Verifier> {
    let provider = crate::tls::provider();
    let roots = Arc::new(config::root_store(&opts.roots)?);
    let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .map_err(|e| anyhow::anyhow!("building the certificate verifier: {e}"))?;
    let observations = Observations::default();
    let inner = RecordingVerifier::new(
        webpki,
        opts.pins.clone(),
        opts.accept_unverified,
        observations.clone(),
    );
    Ok(Verifier {
        inner,
        observations,
    })
}

async fn open_socket(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    // A connected socket hears ICMP port unreachable as ECONNREFUSED.
    socket.connect(addr).await?;
    Ok(socket)
}

async fn send(socket: &UdpSocket, datagram: &[u8]) -> anyhow::Result<()> {
    match socket.send(datagram).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let addr = socket
                .peer_addr()
                .map_or("the server".to_string(), |a| a.to_string());
            Err(receive_error(&e, addr))
        }
    }
}

fn receive_error(e: &std::io::Error, addr: impl std::fmt::Display) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        return error::fail(
            Failure::Network,
            format!("connection refused by {addr}: nothing listens on that UDP port (the host answered ICMP port unreachable)"),
        );
    }
    error::fail(
        Failure::Network,
        format!("{addr}: {}", crate::tls::dial::describe_io(e)),
    )
}

async fn sleep_until(t: Option<tokio::time::Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

fn trim_secs(s: f64) -> String {
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

impl Connection {
    /// The most application bytes one datagram carries.
    pub fn max_payload(&self) -> usize {
        super::max_payload(self.report.mtu)
    }

    /// Sends each chunk of `input` as one datagram and hands each datagram
    /// received to `output`, until the server closes, or `input` has ended
    /// and the server has been quiet for `idle`. Closes with close_notify.
    pub async fn exchange(
        mut self,
        mut input: Option<mpsc::Receiver<Vec<u8>>>,
        output: &mut (dyn FnMut(&[u8]) -> std::io::Result<()> + Send),
        idle: Duration,
    ) -> anyhow::Result<DataStats> {
        let mut stats = DataStats::default();
        for d in std::mem::take(&mut self.early) {
            stats.datagrams_received += 1;
            output(&d)?;
        }
        if self.peer_closed {
            stats.closed_by_server = true;
            return Ok(stats);
        }
        let addr = self
            .socket
            .peer_addr()
            .map_or("the server".to_string(), |a| a.to_string());
        let mut rbuf = vec![0u8; 65_536];
        let mut input_done = input.is_none();
        let mut quiet_until = tokio::time::Instant::now() + idle;
        let mut next_timer = self.drain(output, &mut stats).await?;
        while !stats.closed_by_server {
            let timer = next_timer.map(tokio::time::Instant::from_std);
            tokio::select! {
                chunk = async { match input.as_mut() { Some(r) => r.recv().await, None => None } }, if !input_done => {
                    match chunk {
                        Some(data) => {
                            self.dtls.send_application_data(&data).map_err(|e| data_error(&e))?;
                            stats.datagrams_sent += 1;
                        }
                        None => {
                            input_done = true;
                            quiet_until = tokio::time::Instant::now() + idle;
                        }
                    }
                }
                got = self.socket.recv(&mut rbuf) => {
                    let n = got.map_err(|e| receive_error(&e, &addr))?;
                    self.dtls.handle_timeout(Instant::now()).map_err(|e| data_error(&e))?;
                    self.dtls.handle_packet(&rbuf[..n]).map_err(|e| data_error(&e))?;
                    quiet_until = tokio::time::Instant::now() + idle;
                }
                _ = sleep_until(timer) => {
                    self.dtls.handle_timeout(Instant::now()).map_err(|e| data_error(&e))?;
                }
                _ = tokio::time::sleep_until(quiet_until), if input_done => break,
            }
            next_timer = self.drain(output, &mut stats).await?;
        }
        if !stats.closed_by_server && self.dtls.close().is_ok() {
            let _ = self.drain(output, &mut stats).await;
        }
        Ok(stats)
    }

    /// Carries datagrams both ways for a tunnel: each one from `input` goes
    /// out as one datagram (its length then told to `sent`, for counters
    /// that move while the relay runs), each one received goes to `deliver`,
    /// until the server closes, `input` closes, or nothing moved either way
    /// for `idle`. Ends with close_notify unless the server closed first.
    pub async fn relay(
        mut self,
        input: &mut mpsc::Receiver<Vec<u8>>,
        deliver: &mut (dyn FnMut(&[u8]) + Send),
        sent: &mut (dyn FnMut(usize) + Send),
        idle: Option<Duration>,
    ) -> (Relayed, RelayEnd) {
        let mut moved = Relayed::default();
        let mut rbuf = vec![0u8; 65_536];
        let addr = self
            .socket
            .peer_addr()
            .map_or("the server".to_string(), |a| a.to_string());
        let mut stats = DataStats::default();
        let mut last_move = tokio::time::Instant::now();
        let mut take = |d: &[u8], moved: &mut Relayed| {
            moved.datagrams_down += 1;
            moved.bytes_down += d.len() as u64;
            deliver(d);
        };
        for d in std::mem::take(&mut self.early) {
            take(&d, &mut moved);
        }
        let end = loop {
            if self.peer_closed || stats.closed_by_server {
                break RelayEnd::ServerClosed;
            }
            let mut got = Vec::new();
            let next_timer = {
                let mut keep = |d: &[u8]| {
                    got.push(d.to_vec());
                    Ok(())
                };
                match self.drain(&mut keep, &mut stats).await {
                    Ok(t) => t,
                    Err(e) => break RelayEnd::Failed(e),
                }
            };
            if !got.is_empty() {
                last_move = tokio::time::Instant::now();
            }
            for d in got {
                take(&d, &mut moved);
            }
            if stats.closed_by_server {
                continue;
            }
            let timer = next_timer.map(tokio::time::Instant::from_std);
            let idle_at = idle.map(|d| last_move + d);
            tokio::select! {
                chunk = input.recv() => match chunk {
                    Some(data) => {
                        if let Err(e) = self.dtls.send_application_data(&data) {
                            break RelayEnd::Failed(data_error(&e));
                        }
                        moved.datagrams_up += 1;
                        moved.bytes_up += data.len() as u64;
                        sent(data.len());
                        last_move = tokio::time::Instant::now();
                    }
                    None => break RelayEnd::InputClosed,
                },
                r = self.socket.recv(&mut rbuf) => {
                    let step = r
                        .map_err(|e| receive_error(&e, &addr))
                        .and_then(|n| {
                            self.dtls.handle_timeout(Instant::now()).map_err(|e| data_error(&e))?;
                            self.dtls.handle_packet(&rbuf[..n]).map_err(|e| data_error(&e))
                        });
                    if let Err(e) = step {
                        break RelayEnd::Failed(e);
                    }
                }
                _ = sleep_until(timer) => {
                    if let Err(e) = self.dtls.handle_timeout(Instant::now()) {
                        break RelayEnd::Failed(data_error(&e));
                    }
                }
                _ = sleep_until(idle_at) => break RelayEnd::Idle,
            }
        };
        if !matches!(end, RelayEnd::ServerClosed | RelayEnd::Failed(_)) && self.dtls.close().is_ok()
        {
            let mut ignore = |_: &[u8]| Ok(());
            let _ = self.drain(&mut ignore, &mut stats).await;
        }
        (moved, end)
    }

    /// Sends one datagram of application data.
    pub async fn send(&mut self, data: &[u8]) -> anyhow::Result<()> {
        self.dtls
            .send_application_data(data)
            .map_err(|e| data_error(&e))?;
        let mut ignore = |_: &[u8]| Ok(());
        let mut stats = DataStats::default();
        self.drain(&mut ignore, &mut stats).await?;
        Ok(())
    }

    /// The next datagram of application data, or `None` when none comes
    /// within `wait` (or the server closed).
    pub async fn recv(&mut self, wait: Duration) -> anyhow::Result<Option<Vec<u8>>> {
        let until = tokio::time::Instant::now() + wait;
        let mut rbuf = vec![0u8; 65_536];
        loop {
            if let Some(d) = self.early.pop() {
                return Ok(Some(d));
            }
            let mut got = Vec::new();
            let mut stats = DataStats::default();
            let next_timer = {
                let mut take = |d: &[u8]| {
                    got.push(d.to_vec());
                    Ok(())
                };
                self.drain(&mut take, &mut stats).await?
            };
            // Keep arrival order: the first datagram is returned, the rest wait.
            got.reverse();
            self.early.extend(got);
            if let Some(d) = self.early.pop() {
                return Ok(Some(d));
            }
            if stats.closed_by_server {
                return Ok(None);
            }
            let timer = next_timer.map(tokio::time::Instant::from_std);
            tokio::select! {
                r = self.socket.recv(&mut rbuf) => {
                    let n = r.map_err(|e| receive_error(&e, "the server"))?;
                    self.dtls.handle_timeout(Instant::now()).map_err(|e| data_error(&e))?;
                    self.dtls.handle_packet(&rbuf[..n]).map_err(|e| data_error(&e))?;
                }
                _ = sleep_until(timer) => {
                    self.dtls.handle_timeout(Instant::now()).map_err(|e| data_error(&e))?;
                }
                _ = tokio::time::sleep_until(until) => return Ok(None),
            }
        }
    }

    /// Closes with close_notify.
    pub async fn close(mut self) {
        if self.dtls.close().is_ok() {
            let mut ignore = |_: &[u8]| Ok(());
            let mut stats = DataStats::default();
            let _ = self.drain(&mut ignore, &mut stats).await;
        }
    }

    /// Sends what dimpl has queued and delivers what it decrypted; returns its next timer.
    async fn drain(
        &mut self,
        output: &mut (dyn FnMut(&[u8]) -> std::io::Result<()> + Send),
        stats: &mut DataStats,
    ) -> anyhow::Result<Option<Instant>> {
        loop {
            match self.dtls.poll_output(&mut self.buf) {
                Output::Packet(p) => send(&self.socket, p).await?,
                Output::BufferTooSmall { needed } => self.buf.resize(needed, 0),
                Output::Timeout(t) => return Ok(Some(t)),
                Output::ApplicationData(d) => {
                    stats.datagrams_received += 1;
                    output(d)?;
                }
                Output::CloseNotify => stats.closed_by_server = true,
                _ => {}
            }
        }
    }
}

fn data_error(e: &dimpl::Error) -> anyhow::Error {
    let (kind, sentence) = super::describe(e);
    error::fail(
        if kind == Failure::Network {
            Failure::Network
        } else {
            Failure::Handshake
        },
        sentence.replace("DTLS handshake failed", "DTLS connection failed"),
    )
}
