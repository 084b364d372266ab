//! The DTLS echo server: one UDP socket, one dimpl endpoint per peer address,
//! all driven by one task.
//!
//! A new address costs state only when its first datagram is a ClientHello,
//! and until the peer has answered the cookie challenge (a HelloVerifyRequest
//! in DTLS 1.2, a HelloRetryRequest in DTLS 1.3) it is held in a small,
//! separately bounded pool: a flood of ClientHellos from forged addresses
//! evicts only other unproven peers, is never answered more than once per
//! datagram (the challenge is not retransmitted), and never reaches the
//! associations of peers that proved their address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dimpl::{Dtls, DtlsCertificate, Output};
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use serde::Serialize;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::wire::{self, HelloInfo};
use super::{Negotiated, Version, Versions};
use crate::tls::config::Identity;
use crate::tls::error::{self, Failure};

/// At most this many peers may wait in the cookie exchange at once (fewer
/// when `max_connections` is smaller).
pub const MAX_UNPROVEN: usize = 256;

/// What the server is asked to do.
#[derive(Debug)]
pub struct ServerOptions {
    /// The server's certificate (the leaf is sent) and its ECDSA key.
    pub identity: Identity,
    /// Require a client certificate issued by one of these CAs.
    pub client_cas: Option<Vec<CertificateDer<'static>>>,
    /// Client certificates these CRLs list are refused in the handshake (with `client_cas`).
    pub client_crls: Vec<CertificateRevocationListDer<'static>>,
    /// Versions to accept.
    pub versions: Versions,
    /// Largest datagram to send.
    pub mtu: usize,
    /// From the first ClientHello to the end of the handshake.
    pub handshake_timeout: Duration,
    /// Longest silence from a peer after its handshake (`None`: no limit).
    pub idle_timeout: Option<Duration>,
    /// Peers held at once (associations and handshakes).
    pub max_connections: usize,
    /// Stop admitting peers after this many associations, and return when they end.
    pub max_accept: Option<u64>,
    /// After a stop request, how long open associations may go on (zero: closed at once).
    pub grace: Duration,
}

/// A server ready to run: the identity checked, the settings built.
pub struct Server {
    cert: DtlsCertificate,
    config: Arc<dimpl::Config>,
    client_verifier: Option<Arc<dyn ClientCertVerifier>>,
    opts: ServerOptions,
}

/// Servers prepared from reloaded files, for a running server to take up.
pub type Updates = mpsc::UnboundedReceiver<Server>;

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("opts", &self.opts).finish()
    }
}

/// Checks the identity (an ECDSA P-256 or P-384 key that matches) and the client CAs.
pub fn prepare(opts: ServerOptions) -> anyhow::Result<Server> {
    let identity = Identity {
        chain: opts.identity.chain.clone(),
        key: opts.identity.key.clone_key(),
    };
    let cert = super::dtls_identity(identity)?;
    let client_verifier = match &opts.client_cas {
        None => None,
        Some(cas) => {
            let mut store = rustls::RootCertStore::empty();
            let (added, _) = store.add_parsable_certificates(cas.iter().cloned());
            if added == 0 {
                return Err(error::fail(
                    Failure::Input,
                    "the client CA file holds no usable CA certificate",
                ));
            }
            let mut builder = WebPkiClientVerifier::builder_with_provider(
                Arc::new(store),
                crate::tls::provider(),
            );
            if !opts.client_crls.is_empty() {
                // A CRL answers for the certificates its issuer signed; a client
                // certificate no CRL covers is not refused for that. A stale
                // list (past its nextUpdate) refuses its issuer's clients, as
                // OpenSSL's -crl_check does.
                builder = builder
                    .with_crls(opts.client_crls.iter().cloned())
                    .only_check_end_entity_revocation()
                    .allow_unknown_revocation_status()
                    .enforce_revocation_expiration();
            }
            let v = builder.build().map_err(|e| {
                error::fail(Failure::Input, format!("building the client verifier: {e}"))
            })?;
            Some(v)
        }
    };
    let config = super::dimpl_config(
        opts.mtu,
        opts.handshake_timeout,
        client_verifier.is_some(),
        None,
    )?;
    Ok(Server {
        cert,
        config,
        client_verifier,
        opts,
    })
}

/// What the server does with an association's data: echo it (`serve
/// --dtls`) or forward it (`tunnel server --udp`).
pub trait Handler: Send {
    /// Judges a client certificate that verified against the client CAs;
    /// `Err(reason)` refuses it with the alert access_denied.
    fn admit_certificate(&mut self, _peer: SocketAddr, _leaf: &[u8]) -> Result<(), String> {
        Ok(())
    }

    /// The handshake completed, before anything of the peer's is handed on:
    /// [`Vetting::Wait`] holds the association (its data kept, up to a bound)
    /// until a [`Verdict`] for `ticket` arrives on the verdicts channel, so
    /// that a slow check (a revocation fetch) never holds up the other peers.
    fn vet(&mut self, _ticket: Ticket) -> Vetting {
        Vetting::Pass
    }

    /// The handshake completed (and passed [`Handler::vet`]); `Err(reason)`
    /// ends the association at once.
    fn established(&mut self, _peer: SocketAddr) -> Result<(), String> {
        Ok(())
    }

    /// One datagram of application data from the peer (counted in the
    /// association's `bytes_in`); returns the datagrams to send back.
    fn data(&mut self, peer: SocketAddr, data: Vec<u8>) -> Vec<Vec<u8>>;

    /// One datagram of application data of `len` bytes went to the peer
    /// (counted in the association's `bytes_out`): for counters that must
    /// move while the association is open.
    fn sent(&mut self, _peer: SocketAddr, _len: usize) {}

    /// An association ended (called once for each peer that proved its address).
    fn ended(&mut self, _peer: SocketAddr, _record: &Association) {}
}

/// One association, as [`Handler::vet`] and its [`Verdict`] name it: the
/// peer's address and a number no other association of the run has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ticket {
    /// The peer's address.
    pub peer: SocketAddr,
    id: u64,
}

/// Whether an association may go on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vetting {
    /// Yes.
    Pass,
    /// Not yet: a [`Verdict`] will say.
    Wait,
}

/// Why a vetted association is refused.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The alert sent (DTLS 1.3; a DTLS 1.2 peer gets close_notify).
    pub alert: u8,
    /// How the association ends.
    pub end: End,
    /// Why, in words.
    pub reason: String,
}

/// The answer to a [`Vetting::Wait`]: go on, or refuse.
pub type Verdict = (Ticket, Result<(), Refusal>);

/// Where verdicts arrive.
pub type Verdicts = mpsc::UnboundedReceiver<Verdict>;

/// The alert certificate_revoked.
pub const CERTIFICATE_REVOKED: u8 = 44;

/// The alert certificate_unknown: the certificate could not be accepted for
/// a reason no other alert names (its revocation status is unknown).
pub const CERTIFICATE_UNKNOWN: u8 = 46;

/// Datagrams kept from a peer whose vetting is pending; more are dropped, as UDP would.
const HELD_MAX: usize = 64;

/// The echo of `serve --dtls`: every datagram goes back as it came.
#[derive(Debug, Default)]
pub struct Echo;

impl Handler for Echo {
    fn data(&mut self, _peer: SocketAddr, data: Vec<u8>) -> Vec<Vec<u8>> {
        vec![data]
    }
}

/// Datagrams for peers that come from elsewhere (a tunnel's target): the
/// peer's address and the data to send it.
pub type Inbound = mpsc::Receiver<(SocketAddr, Vec<u8>)>;

/// How an association ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum End {
    /// The peer sent close_notify.
    Closed,
    /// The handshake did not finish within the handshake timeout.
    HandshakeTimeout,
    /// The handshake failed; the reason says why.
    HandshakeFailed,
    /// The client's certificate did not verify.
    CertificateRejected,
    /// The client's certificate verified but its identity is not allowed.
    Denied,
    /// The handshake completed but the association could not go on (a tunnel's target is unreachable).
    TargetUnreachable,
    /// The client's certificate was refused after the handshake: revoked, or
    /// (when a status is required) of unknown revocation status.
    RevocationRefused,
    /// The peer was silent for the idle timeout.
    IdleTimeout,
    /// A DTLS error after the handshake.
    Error,
    /// The server was stopped.
    Shutdown,
    /// Still open when the grace period after a stop ended.
    CutOff,
}

impl End {
    /// The words used in the log line.
    pub fn label(self) -> &'static str {
        match self {
            End::Closed => "closed",
            End::HandshakeTimeout => "handshake timeout",
            End::HandshakeFailed => "handshake failed",
            End::CertificateRejected => "certificate rejected",
            End::Denied => "denied",
            End::TargetUnreachable => "target unreachable",
            End::RevocationRefused => "revocation refused",
            End::IdleTimeout => "idle timeout",
            End::Error => "error",
            End::Shutdown => "shutdown",
            End::CutOff => "cut off",
        }
    }
}

/// One association (a peer that proved its address), logged when it ends.
#[derive(Debug, Clone, Serialize)]
pub struct Association {
    /// Always `association`.
    pub event: &'static str,
    /// When its first ClientHello arrived (RFC 3339, UTC).
    pub time: String,
    /// The peer's address and port.
    pub peer: String,
    /// What was negotiated (absent when the handshake failed before the ServerHello).
    #[serde(flatten)]
    pub handshake: Option<Negotiated>,
    /// Whether the handshake completed.
    pub established: bool,
    /// Subject of the verified client certificate, sanitized.
    pub client_subject: Option<String>,
    /// Application datagrams received.
    pub datagrams_in: u64,
    /// Application datagrams sent.
    pub datagrams_out: u64,
    /// Application bytes received.
    pub bytes_in: u64,
    /// Application bytes sent.
    pub bytes_out: u64,
    /// From the first ClientHello to the end, milliseconds.
    pub duration_ms: u64,
    /// How it ended.
    pub end: End,
    /// Why, in words.
    pub reason: Option<String>,
}

/// What the server did, when it stops.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Always `summary`.
    pub event: &'static str,
    /// `SIGINT`, `SIGTERM`, or absent after `--max-accept`.
    pub stopped_by: Option<&'static str>,
    /// How long it ran, milliseconds.
    pub uptime_ms: u64,
    /// Peers that proved their address (answered the cookie challenge).
    pub associations: u64,
    /// Completed handshakes.
    pub handshakes: u64,
    /// Associations whose handshake failed or timed out.
    pub handshake_failures: u64,
    /// Cookie challenges sent to peers that never answered (forged or lost).
    pub unanswered_challenges: u64,
    /// New peers turned away because the table was full of associations.
    pub refused: u64,
    /// Datagrams from unknown addresses that were not a ClientHello (dropped, no state kept).
    pub stray_datagrams: u64,
    /// Most peers held at once (associations and handshakes).
    pub peak_peers: u64,
    /// Application bytes received.
    pub bytes_in: u64,
    /// Application bytes sent.
    pub bytes_out: u64,
}

struct Peer {
    dtls: Dtls,
    rec: Association,
    started: Instant,
    last_seen: Instant,
    timer: Option<Instant>,
    connected: bool,
    /// The peer answered the cookie challenge: a real ServerHello went out.
    proven: bool,
    info: HelloInfo,
    verdict_pending: bool,
    /// The handler was told that the handshake completed.
    admitted: bool,
    /// This association's number (see [`Ticket`]).
    id: u64,
    /// The handler asked to wait for a verdict, which has not come yet.
    vetting: bool,
    /// The handler vetted the association (or a verdict let it through).
    vetted: bool,
    /// Application data received while vetting, handed on once it passes.
    held: Vec<Vec<u8>>,
    /// dimpl counts the handshake done (a refused client may get this far in DTLS 1.3).
    dimpl_connected: bool,
    /// A DTLS 1.3 client certificate was refused: the alert to send once
    /// dimpl has finished the handshake, and how the association ends.
    refusal: Option<(u8, End, String)>,
}

enum Step {
    Keep,
    End(End, Option<String>),
}

/// Runs the echo server until `stop` yields (a signal's name) or `--max-accept`
/// associations have ended; `on_event` gets each association as it ends.
pub async fn serve(
    socket: UdpSocket,
    server: Server,
    on_event: &mut (dyn FnMut(&Association) + Send),
    stop: mpsc::UnboundedReceiver<&'static str>,
) -> Summary {
    let links = Links {
        inbound: None,
        verdicts: None,
        updates: None,
    };
    run(socket, server, &mut Echo, links, on_event, stop).await
}

/// What reaches a running server from elsewhere (each optional).
#[derive(Default)]
pub struct Links {
    /// Datagrams to send to peers (a tunnel's target answering).
    pub inbound: Option<Inbound>,
    /// The verdicts that [`Vetting::Wait`] promised.
    pub verdicts: Option<Verdicts>,
    /// Reloaded identities.
    pub updates: Option<Updates>,
}

/// Runs the server with `handler` deciding what becomes of the data, and
/// `links` bringing datagrams to send to peers, verdicts and reloaded
/// identities. A first stop request ends admissions and lets open
/// associations go on for the grace period; a second one, or the end of the
/// grace period, closes them.
pub async fn run(
    socket: UdpSocket,
    mut server: Server,
    handler: &mut dyn Handler,
    links: Links,
    on_event: &mut (dyn FnMut(&Association) + Send),
    mut stop: mpsc::UnboundedReceiver<&'static str>,
) -> Summary {
    let Links {
        mut inbound,
        mut verdicts,
        mut updates,
    } = links;
    let mut next_id: u64 = 0;
    let started = Instant::now();
    let opts = &server.opts;
    let mut drain_until: Option<Instant> = None;
    let max_peers = opts.max_connections.max(1);
    let max_unproven = MAX_UNPROVEN.min(max_peers);
    let mut peers: HashMap<SocketAddr, Peer> = HashMap::new();
    let mut summary = Summary {
        event: "summary",
        ..Summary::default()
    };
    let mut rbuf = vec![0u8; 65_536];
    let mut out = vec![0u8; opts.mtu.max(2048)];
    let mut admitting = true;
    loop {
        if !admitting && peers.values().all(|p| !p.proven) {
            break;
        }
        let wake = next_wake(&peers, opts);
        tokio::select! {
            got = socket.recv_from(&mut rbuf) => {
                let Ok((n, from)) = got else {
                    // ICMP errors from earlier sends surface here: nothing to do.
                    continue;
                };
                let now = Instant::now();
                let datagram = &rbuf[..n];
                if !peers.contains_key(&from) {
                    if !admitting || !wire::starts_with_client_hello(datagram) {
                        summary.stray_datagrams += 1;
                        continue;
                    }
                    if !make_room(&mut peers, max_peers, max_unproven, &mut summary) {
                        summary.refused += 1;
                        continue;
                    }
                    let mut dtls = super::endpoint(opts.versions, server.config.clone(), server.cert.clone(), now);
                    let _ = dtls.handle_timeout(now);
                    next_id += 1;
                    peers.insert(from, Peer {
                        dtls,
                        rec: new_record(from),
                        started: now,
                        last_seen: now,
                        timer: None,
                        connected: false,
                        proven: false,
                        info: HelloInfo::default(),
                        verdict_pending: false,
                        admitted: false,
                        id: next_id,
                        vetting: false,
                        vetted: false,
                        held: Vec::new(),
                        dimpl_connected: false,
                        refusal: None,
                    });
                    summary.peak_peers = summary.peak_peers.max(peers.len() as u64);
                }
                let Some(peer) = peers.get_mut(&from) else { continue };
                peer.last_seen = now;
                let mut step = match peer.dtls.handle_timeout(now).and_then(|()| peer.dtls.handle_packet(datagram)) {
                    Ok(()) => Step::Keep,
                    Err(e) => failed(peer, &e),
                };
                if let Step::Keep = step {
                    step = drive(peer, from, &socket, &mut out, &server, handler, false).await;
                }
                finish_step(&mut peers, from, step, &mut summary, handler, on_event, opts, &mut admitting);
            }
            _ = sleep_until(wake) => {
                let now = Instant::now();
                let due: Vec<SocketAddr> = peers
                    .iter()
                    .filter(|(_, p)| p.timer.is_some_and(|t| t <= now) || deadline(p, opts).is_some_and(|d| d <= now))
                    .map(|(a, _)| *a)
                    .collect();
                for addr in due {
                    let Some(peer) = peers.get_mut(&addr) else { continue };
                    let step = if let Some(d) = deadline(peer, opts).filter(|d| *d <= now) {
                        let _ = d;
                        if peer.connected {
                            // Say goodbye: a peer waiting for the server to close must hear it.
                            if peer.dtls.close().is_ok() {
                                let _ = drive(peer, addr, &socket, &mut out, &server, handler, false).await;
                            }
                            Step::End(End::IdleTimeout, Some(format!("no datagram for {}", human(opts.idle_timeout.unwrap_or_default()))))
                        } else {
                            Step::End(End::HandshakeTimeout, Some(format!("the handshake did not finish within {}", human(opts.handshake_timeout))))
                        }
                    } else {
                        match peer.dtls.handle_timeout(now) {
                            Ok(()) => drive(peer, addr, &socket, &mut out, &server, handler, true).await,
                            Err(e) => failed(peer, &e),
                        }
                    };
                    finish_step(&mut peers, addr, step, &mut summary, handler, on_event, opts, &mut admitting);
                }
            }
            Some((addr, data)) = next_inbound(&mut inbound) => {
                let Some(peer) = peers.get_mut(&addr) else { continue };
                if !peer.connected {
                    continue;
                }
                peer.last_seen = Instant::now();
                let step = match peer.dtls.send_application_data(&data) {
                    Ok(_) => {
                        peer.rec.datagrams_out += 1;
                        peer.rec.bytes_out += data.len() as u64;
                        handler.sent(addr, data.len());
                        drive(peer, addr, &socket, &mut out, &server, handler, false).await
                    }
                    Err(e) => failed(peer, &e),
                };
                finish_step(&mut peers, addr, step, &mut summary, handler, on_event, opts, &mut admitting);
            }
            Some((ticket, verdict)) = next_verdict(&mut verdicts) => {
                let addr = ticket.peer;
                let Some(peer) = peers.get_mut(&addr) else { continue };
                if peer.id != ticket.id || !peer.vetting {
                    // An association that ended meanwhile (the address may be another's now).
                    continue;
                }
                peer.vetting = false;
                let step = match verdict {
                    Ok(()) => {
                        peer.vetted = true;
                        drive(peer, addr, &socket, &mut out, &server, handler, false).await
                    }
                    Err(refusal) => {
                        refuse(peer, addr, &socket, &mut out, refusal.alert).await;
                        Step::End(refusal.end, Some(refusal.reason))
                    }
                };
                finish_step(&mut peers, addr, step, &mut summary, handler, on_event, opts, &mut admitting);
            }
            Some(newer) = next_update(&mut updates) => {
                // A reload: handshakes from now on use the new certificate, key
                // and client CAs; open associations keep the session they have.
                server.cert = newer.cert;
                server.config = newer.config;
                server.client_verifier = newer.client_verifier;
            }
            sig = stop.recv() => {
                if summary.stopped_by.is_none() {
                    summary.stopped_by = sig;
                }
                if sig.is_some() && drain_until.is_none() && !opts.grace.is_zero() {
                    // No new peers; the associations open now may finish.
                    admitting = false;
                    drain_until = Some(Instant::now() + opts.grace);
                    peers.retain(|_, p| p.proven);
                    continue;
                }
                let reason = if drain_until.is_some() { "the server was told to stop at once" } else { "the server is stopping" };
                close_all(&mut peers, &socket, &mut out, &server, handler, &mut summary, on_event, &mut admitting, End::Shutdown, reason).await;
                break;
            }
            _ = sleep_until(drain_until) => {
                let reason = format!("still open when the {} grace period ended", human(opts.grace));
                close_all(&mut peers, &socket, &mut out, &server, handler, &mut summary, on_event, &mut admitting, End::CutOff, &reason).await;
                break;
            }
        }
    }
    summary.uptime_ms = started.elapsed().as_millis() as u64;
    summary
}

/// Closes every association (close_notify to those established) and logs each.
#[allow(clippy::too_many_arguments)]
async fn close_all(
    peers: &mut HashMap<SocketAddr, Peer>,
    socket: &UdpSocket,
    out: &mut Vec<u8>,
    server: &Server,
    handler: &mut dyn Handler,
    summary: &mut Summary,
    on_event: &mut (dyn FnMut(&Association) + Send),
    admitting: &mut bool,
    end: End,
    reason: &str,
) {
    let addrs: Vec<SocketAddr> = peers.keys().copied().collect();
    for addr in addrs {
        if let Some(peer) = peers.get_mut(&addr) {
            if peer.connected && peer.dtls.close().is_ok() {
                let _ = drive(peer, addr, socket, out, server, handler, false).await;
            }
        }
        let step = Step::End(end, Some(reason.to_string()));
        finish_step(
            peers,
            addr,
            step,
            summary,
            handler,
            on_event,
            &server.opts,
            admitting,
        );
    }
}

/// Ends an established association with `alert` (DTLS 1.3; close_notify in DTLS 1.2).
async fn refuse(
    peer: &mut Peer,
    addr: SocketAddr,
    socket: &UdpSocket,
    out: &mut Vec<u8>,
    alert: u8,
) {
    super::alert::close_with(&mut peer.dtls, alert);
    let mut bye = Vec::new();
    poll(peer, out, &mut bye, &mut Vec::new(), &mut false, &mut None);
    for p in &bye {
        let _ = socket.send_to(p, addr).await;
    }
}

/// The next verdict; never, without a source.
async fn next_verdict(verdicts: &mut Option<Verdicts>) -> Option<Verdict> {
    match verdicts {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The next reloaded identity; never, without a source.
async fn next_update(updates: &mut Option<Updates>) -> Option<Server> {
    match updates {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Makes room for one more new (unproven) peer; false when every slot holds an association.
fn make_room(
    peers: &mut HashMap<SocketAddr, Peer>,
    max_peers: usize,
    max_unproven: usize,
    summary: &mut Summary,
) -> bool {
    let unproven = peers.values().filter(|p| !p.proven).count();
    if peers.len() < max_peers && unproven < max_unproven {
        return true;
    }
    // Evict the unproven peer that has waited longest: a forged address never answers.
    let oldest = peers
        .iter()
        .filter(|(_, p)| !p.proven)
        .min_by_key(|(_, p)| p.started)
        .map(|(a, _)| *a);
    match oldest {
        Some(addr) => {
            peers.remove(&addr);
            summary.unanswered_challenges += 1;
            true
        }
        None => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn finish_step(
    peers: &mut HashMap<SocketAddr, Peer>,
    addr: SocketAddr,
    step: Step,
    summary: &mut Summary,
    handler: &mut dyn Handler,
    on_event: &mut (dyn FnMut(&Association) + Send),
    opts: &ServerOptions,
    admitting: &mut bool,
) {
    let Step::End(end, reason) = step else {
        return;
    };
    let Some(mut peer) = peers.remove(&addr) else {
        return;
    };
    if !peer.proven {
        // Never an association: a challenge unanswered, or noise that looked like a ClientHello.
        summary.unanswered_challenges += 1;
        return;
    }
    peer.rec.end = end;
    peer.rec.reason = reason;
    peer.rec.duration_ms = peer.started.elapsed().as_millis() as u64;
    peer.rec.established = peer.connected;
    if peer.rec.handshake.is_none() && peer.info.server_hello {
        peer.rec.handshake = Some(Negotiated::new(&peer.dtls, &peer.info));
    }
    summary.associations += 1;
    if peer.connected {
        summary.handshakes += 1;
    } else {
        summary.handshake_failures += 1;
    }
    summary.bytes_in += peer.rec.bytes_in;
    summary.bytes_out += peer.rec.bytes_out;
    handler.ended(addr, &peer.rec);
    on_event(&peer.rec);
    if opts.max_accept.is_some_and(|n| summary.associations >= n) {
        *admitting = false;
    }
}

/// Sends what dimpl has queued, hands what it decrypted to the handler (and
/// sends its answers), verifies a client certificate when one arrives;
/// `timer` says a retransmission timer fired.
async fn drive(
    peer: &mut Peer,
    addr: SocketAddr,
    socket: &UdpSocket,
    out: &mut Vec<u8>,
    server: &Server,
    handler: &mut dyn Handler,
    timer: bool,
) -> Step {
    loop {
        let mut packets: Vec<Vec<u8>> = Vec::new();
        let mut data: Vec<Vec<u8>> = Vec::new();
        let mut closed = false;
        let mut cert: Option<Vec<u8>> = None;
        poll(peer, out, &mut packets, &mut data, &mut closed, &mut cert);
        let was_proven = peer.proven;
        for p in &packets {
            peer.info.observe(p);
        }
        // Judge a client certificate before anything that answers it goes out
        // (dimpl has already queued its Finished): a refused client must not
        // see the handshake complete.
        if let Some(der) = cert {
            if let Some(verifier) = &server.client_verifier {
                let leaf = CertificateDer::from(der);
                let verdict = match verifier.verify_client_cert(&leaf, &[], UnixTime::now()) {
                    Err(e) => Err((
                        alert_for(&e),
                        End::CertificateRejected,
                        client_cert_reason(&e, &leaf),
                    )),
                    Ok(_) => handler
                        .admit_certificate(addr, &leaf)
                        .map_err(|why| (ACCESS_DENIED, End::Denied, why)),
                };
                peer.rec.client_subject = crate::tls::certinfo::CertSummary::from_der(&leaf)
                    .ok()
                    .map(|s| crate::text::sanitize(&s.subject).into_owned());
                if let Err((alert, end, reason)) = verdict {
                    // dimpl may count the handshake done already; the client never sees it so.
                    peer.connected = false;
                    if !peer.info.dtls13 {
                        // DTLS 1.2: the server has not switched to encryption
                        // yet, so a plaintext alert is what the client expects.
                        let _ = socket.send_to(&wire::plaintext_alert(alert), addr).await;
                        let _ = peer.dtls.close();
                        return Step::End(end, Some(reason));
                    }
                    peer.refusal = Some((alert, end, reason));
                }
            }
        }
        if peer.refusal.is_some() {
            // DTLS 1.3: the alert must be encrypted under the keys of the end
            // of the handshake, so dimpl finishes it first; until then the
            // client hears nothing (no ACK that it could take for a welcome).
            if !peer.dimpl_connected {
                return Step::Keep;
            }
            let Some((alert, end, reason)) = peer.refusal.take() else {
                return Step::Keep;
            };
            super::alert::close_with(&mut peer.dtls, alert);
            let mut alerts = Vec::new();
            poll(
                peer,
                out,
                &mut alerts,
                &mut Vec::new(),
                &mut false,
                &mut None,
            );
            for p in &alerts {
                let _ = socket.send_to(p, addr).await;
            }
            return Step::End(end, Some(reason));
        }
        if peer.info.server_hello && !was_proven {
            peer.proven = true;
        }
        // An unproven peer gets one answer per datagram it sends, never a
        // retransmission: a forged source address must not make us a reflector.
        if peer.proven || !timer {
            for p in &packets {
                let _ = socket.send_to(p, addr).await;
            }
        }
        if peer.connected && peer.rec.handshake.is_none() {
            peer.rec.handshake = Some(Negotiated::new(&peer.dtls, &peer.info));
        }
        if peer.connected && !peer.admitted && !peer.vetted && !peer.vetting {
            match handler.vet(Ticket {
                peer: addr,
                id: peer.id,
            }) {
                Vetting::Pass => peer.vetted = true,
                Vetting::Wait => peer.vetting = true,
            }
        }
        if peer.connected && !peer.admitted && peer.vetted {
            peer.admitted = true;
            if let Err(reason) = handler.established(addr) {
                if peer.dtls.close().is_ok() {
                    let mut bye = Vec::new();
                    poll(peer, out, &mut bye, &mut Vec::new(), &mut false, &mut None);
                    for p in &bye {
                        let _ = socket.send_to(p, addr).await;
                    }
                }
                return Step::End(End::TargetUnreachable, Some(reason));
            }
        }
        if closed {
            return Step::End(End::Closed, Some("the client sent close_notify".into()));
        }
        if peer.vetting {
            // Nothing is handed on before the verdict; a little is kept for then.
            let room = HELD_MAX.saturating_sub(peer.held.len());
            peer.held.extend(data.into_iter().take(room));
            return Step::Keep;
        }
        if !peer.held.is_empty() {
            let mut held = std::mem::take(&mut peer.held);
            held.append(&mut data);
            data = held;
        }
        if data.is_empty() {
            return Step::Keep;
        }
        for d in data {
            peer.rec.datagrams_in += 1;
            peer.rec.bytes_in += d.len() as u64;
            for reply in handler.data(addr, d) {
                match peer.dtls.send_application_data(&reply) {
                    Ok(_) => {
                        peer.rec.datagrams_out += 1;
                        peer.rec.bytes_out += reply.len() as u64;
                        handler.sent(addr, reply.len());
                    }
                    Err(e) => return failed(peer, &e),
                }
            }
        }
    }
}

/// Takes what dimpl has to say until its next timer.
fn poll(
    peer: &mut Peer,
    out: &mut Vec<u8>,
    packets: &mut Vec<Vec<u8>>,
    data: &mut Vec<Vec<u8>>,
    closed: &mut bool,
    cert: &mut Option<Vec<u8>>,
) {
    loop {
        match peer.dtls.poll_output(out) {
            Output::Packet(p) => packets.push(p.to_vec()),
            Output::BufferTooSmall { needed } => out.resize(needed, 0),
            Output::Timeout(t) => {
                peer.timer = Some(t);
                break;
            }
            Output::Connected => {
                peer.dimpl_connected = true;
                peer.connected = peer.refusal.is_none();
                peer.verdict_pending = false;
            }
            Output::PeerCert(der) => *cert = Some(der.to_vec()),
            // A refused client's data goes nowhere.
            Output::ApplicationData(d) if peer.refusal.is_none() => data.push(d.to_vec()),
            Output::CloseNotify => *closed = true,
            _ => {}
        }
    }
}

/// access_denied: the certificate is fine but its holder may not pass.
const ACCESS_DENIED: u8 = 49;

/// The alert that tells a client why its certificate was refused.
fn alert_for(e: &rustls::Error) -> u8 {
    match e {
        // unknown_ca for a stale CRL too, as rustls (and OpenSSL) send it over TLS.
        rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer
            | rustls::CertificateError::ExpiredRevocationList
            | rustls::CertificateError::ExpiredRevocationListContext { .. },
        ) => 48,
        rustls::Error::InvalidCertificate(rustls::CertificateError::Revoked) => CERTIFICATE_REVOKED,
        rustls::Error::InvalidCertificate(
            rustls::CertificateError::Expired | rustls::CertificateError::ExpiredContext { .. },
        ) => 45,
        _ => 42,
    }
}

fn client_cert_reason(e: &rustls::Error, leaf: &CertificateDer<'static>) -> String {
    use rustls::CertificateError as C;
    let summary = crate::tls::certinfo::CertSummary::from_der(leaf).ok();
    let subject = summary.as_ref().map_or("?".to_string(), |s| {
        crate::text::sanitize(&s.subject).into_owned()
    });
    let issuer = summary.as_ref().map_or("?".to_string(), |s| {
        crate::text::sanitize(&s.issuer).into_owned()
    });
    let why = match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            format!("was issued by {issuer}, which is not a CA in --client-ca")
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "has expired".to_string()
        }
        rustls::Error::InvalidCertificate(C::Revoked) => {
            "has been revoked (a --crl lists it)".to_string()
        }
        rustls::Error::InvalidCertificate(
            C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. },
        ) => format!(
            "was issued by {issuer}, whose --crl is stale (past its nextUpdate): no client of that CA is let in until a current one is loaded"
        ),
        rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            "is not valid yet".to_string()
        }
        rustls::Error::InvalidCertificate(C::InvalidPurpose | C::InvalidPurposeContext { .. }) => {
            "is not meant for client authentication (its extendedKeyUsage lacks clientAuth)"
                .to_string()
        }
        other => format!("did not verify ({other})"),
    };
    format!("the client's certificate ({subject}) {why}")
}

fn failed(peer: &Peer, e: &dimpl::Error) -> Step {
    let (_, sentence) = super::describe(e);
    let end = if peer.connected {
        End::Error
    } else if matches!(e, dimpl::Error::Timeout(_)) {
        End::HandshakeTimeout
    } else {
        End::HandshakeFailed
    };
    Step::End(end, Some(sentence))
}

/// When a peer must go: its handshake or idle deadline.
fn deadline(p: &Peer, opts: &ServerOptions) -> Option<Instant> {
    if p.connected {
        opts.idle_timeout.map(|d| p.last_seen + d)
    } else {
        Some(p.started + opts.handshake_timeout)
    }
}

fn next_wake(peers: &HashMap<SocketAddr, Peer>, opts: &ServerOptions) -> Option<Instant> {
    peers
        .values()
        .flat_map(|p| [p.timer, deadline(p, opts)])
        .flatten()
        .min()
}

/// The next datagram from elsewhere for a peer; never, without a source.
async fn next_inbound(inbound: &mut Option<Inbound>) -> Option<(SocketAddr, Vec<u8>)> {
    match inbound {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(tokio::time::Instant::from_std(t)).await,
        None => std::future::pending().await,
    }
}

fn new_record(peer: SocketAddr) -> Association {
    Association {
        event: "association",
        time: now_rfc3339(),
        peer: peer.to_string(),
        handshake: None,
        established: false,
        client_subject: None,
        datagrams_in: 0,
        datagrams_out: 0,
        bytes_in: 0,
        bytes_out: 0,
        duration_ms: 0,
        end: End::Closed,
        reason: None,
    }
}

fn now_rfc3339() -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    let now = time::OffsetDateTime::now_utc();
    now.format(&fmt).unwrap_or_else(|_| now.to_string())
}

fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{} s", (d.as_secs_f64() * 10.0).round() / 10.0)
    }
}

impl Server {
    /// The negotiable versions.
    pub fn versions(&self) -> Versions {
        self.opts.versions
    }
}

/// The version an association used, for callers that only have the record.
pub fn version_of(a: &Association) -> Option<Version> {
    a.handshake.as_ref().map(|h| h.protocol)
}
