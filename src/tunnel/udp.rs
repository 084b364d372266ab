//! The tunnel over UDP: DTLS in front of a plaintext UDP service
//! ([`UdpServer`]), and a local UDP port in front of a DTLS service
//! ([`UdpClient`]).
//!
//! UDP has no connections, so an association stands in for one. In server
//! mode the DTLS engine of `serve --dtls` (`crate::dtls::server`) accepts the
//! associations, cookie exchange and client certificates included, and each
//! established one gets its own UDP socket to the target, so that the
//! target's answers find their way back. In client mode each local source
//! address gets its own DTLS association to the target. Both log one
//! [`ConnRecord`] per association, like the TCP tunnel's connections.

use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::allow::{self, AllowRules};
use super::client::{Judged, RevocationCheck, Roots};
use super::{
    human_duration, ConnRecord, Control, Event, Events, Limits, Mode, Outcome, PeerIdentity, Ready,
    Stats, Summary, Target, Transport,
};
use crate::dtls::client::{self as dtls_client, ClientOptions, RelayEnd};
use crate::dtls::server::{
    self as dtls_server, Association, End, Handler, Refusal, ServerOptions, Ticket, Verdict,
    Vetting,
};
use crate::dtls::Versions;
use crate::revocation;
use crate::text::sanitize;
use crate::tls::certgen;
use crate::tls::certinfo::CertSummary;
use crate::tls::config::{Identity, TrustRoots};
use crate::tls::error::{fail, kind_of, Failure};
use crate::tls::files;
use crate::tls::pin::Pin;
use crate::tls::target::Target as TlsTarget;

/// Datagrams waiting for one association (a handshake in progress, a slow
/// side); more are dropped, as UDP would.
const QUEUE: usize = 256;

/// Everything a UDP server tunnel is asked to do.
#[derive(Debug, Clone)]
pub struct UdpServerTunnel {
    /// The plaintext UDP service.
    pub target: Target,
    /// Accept a target that is not on this machine.
    pub allow_remote_target: bool,
    /// The certificate chain and key files (`None`: an ephemeral certificate).
    pub cert: Option<(PathBuf, PathBuf)>,
    /// Require client certificates from these CAs.
    pub client_ca: Option<PathBuf>,
    /// Narrow which client certificates pass.
    pub allow: AllowRules,
    /// CRL files client certificates are checked against in the handshake (with `client_ca`).
    pub client_crls: Vec<PathBuf>,
    /// Check each client certificate for revocation (its OCSP responder, else
    /// its CRL) after the handshake, before the target is addressed.
    pub revocation: Option<RevocationCheck>,
    /// DTLS versions accepted.
    pub versions: Versions,
    /// Largest datagram sent.
    pub mtu: usize,
    /// Limits and timeouts (`connect_timeout` is unused: UDP connects at once).
    pub limits: Limits,
}

/// The client CAs as a store, for checking OCSP and CRL answers about client
/// certificates (with `--check-revocation`); replaced on reload.
type ClientRoots = Arc<std::sync::RwLock<Option<Arc<rustls::RootCertStore>>>>;

/// A UDP server tunnel with its files loaded and target resolved.
pub struct UdpServer {
    opts: UdpServerTunnel,
    server: dtls_server::Server,
    client_roots: ClientRoots,
    target_addr: SocketAddr,
    leaf: CertSummary,
    /// The ephemeral certificate, made once (reloads keep it).
    ephemeral: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    warnings: Vec<String>,
    /// The soonest nextUpdate of the `--crl` files, seconds since the epoch.
    crl_next_update: Option<i64>,
}

impl std::fmt::Debug for UdpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpServer")
            .field("opts", &self.opts)
            .finish()
    }
}

/// Checks that the target is a host and port, and whether it is local.
fn udp_target(target: &Target, allow_remote: bool) -> Result<(String, u16)> {
    let Target::Tcp { host, port } = target else {
        return Err(fail(
            Failure::Argument,
            "--udp needs --target HOST:PORT (a Unix socket carries no datagrams here)",
        ));
    };
    if !target.is_local() && !allow_remote {
        return Err(fail(
            Failure::Argument,
            format!(
                "--target {} is not on this machine: forwarding to another host makes a relay anyone who passes the DTLS check can use; add --allow-remote-target if that is what you want",
                sanitize(&target.to_string())
            ),
        ));
    }
    Ok((host.clone(), *port))
}

/// Resolves a host and port to its first address.
fn resolve(host: &str, port: u16) -> Result<SocketAddr> {
    (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            fail(
                Failure::Network,
                format!("cannot resolve '{}': {e}", sanitize(host)),
            )
        })?
        .next()
        .ok_or_else(|| {
            fail(
                Failure::Network,
                format!("'{}' resolves to no address", sanitize(host)),
            )
        })
}

/// A DTLS server loaded from the files, and what else they give.
struct LoadedServer {
    server: dtls_server::Server,
    leaf: CertSummary,
    chain_len: usize,
    /// The client CAs as a store, with `--check-revocation`.
    client_roots: Option<Arc<rustls::RootCertStore>>,
    /// The `--crl` files past their nextUpdate, as warnings.
    crl_warnings: Vec<String>,
    /// The soonest nextUpdate of the `--crl` files, seconds since the epoch.
    crl_next_update: Option<i64>,
}

/// Loads the certificate, key, client CA and CRL files (or takes the
/// ephemeral certificate) into a DTLS server; what `prepare` and each reload do.
fn load_server(
    opts: &UdpServerTunnel,
    ephemeral: Option<&(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> Result<LoadedServer> {
    let (chain, key): (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) =
        match (&opts.cert, ephemeral) {
            (Some((cert, key)), _) => super::client::load_identity(cert, key)?,
            (None, Some((chain, key))) => (chain.clone(), key.clone_key()),
            (None, None) => {
                let g =
                    certgen::ephemeral_localhost().context("making the ephemeral certificate")?;
                (vec![g.cert_der], g.key_der)
            }
        };
    let leaf = chain
        .first()
        .map(|c| CertSummary::from_der(c))
        .transpose()
        .context("reading the certificate")?
        .ok_or_else(|| fail(Failure::Input, "the certificate file holds no certificate"))?;
    let client_cas = opts
        .client_ca
        .as_ref()
        .map(|p| {
            files::load_certs(p).with_context(|| format!("reading --client-ca '{}'", p.display()))
        })
        .transpose()?;
    let client_roots = match &client_cas {
        Some(cas) if opts.revocation.is_some() => Some(Arc::new(crate::tls::config::root_store(
            &TrustRoots::Certs(cas.clone()),
        )?)),
        _ => None,
    };
    let super::server::Crls {
        lists: client_crls,
        stale: crl_warnings,
        next_update: crl_next_update,
    } = super::server::load_crls(&opts.client_crls)?;
    let chain_len = chain.len();
    let l = &opts.limits;
    let server = dtls_server::prepare(ServerOptions {
        identity: Identity { chain, key },
        client_cas,
        client_crls,
        versions: opts.versions,
        mtu: opts.mtu,
        handshake_timeout: l.handshake_timeout,
        idle_timeout: l.idle_timeout,
        max_connections: l.max_connections,
        max_accept: None,
        grace: l.grace,
    })
    .map_err(|e| match &opts.cert {
        Some((cert, _)) => e.context(format!("--cert '{}'", cert.display())),
        None => e,
    })?;
    Ok(LoadedServer {
        server,
        leaf,
        chain_len,
        client_roots,
        crl_warnings,
        crl_next_update,
    })
}

/// Seconds from the Unix epoch to a certificate's notAfter.
fn not_after(leaf: &CertSummary) -> Option<i64> {
    time::OffsetDateTime::parse(
        &leaf.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()
    .map(|t| t.unix_timestamp())
}

impl UdpServer {
    /// Checks the options, loads the files and resolves the target.
    pub fn prepare(opts: UdpServerTunnel) -> Result<UdpServer> {
        let (host, port) = udp_target(&opts.target, opts.allow_remote_target)?;
        if opts.client_ca.is_none() && !opts.allow.is_empty() {
            return Err(fail(
                Failure::Argument,
                "the --allow-* rules need --client-ca: without it no client presents a certificate to check",
            ));
        }
        let target_addr = resolve(&host, port)?;
        let ephemeral = match &opts.cert {
            Some(_) => None,
            None => {
                let g =
                    certgen::ephemeral_localhost().context("making the ephemeral certificate")?;
                Some((vec![g.cert_der], g.key_der))
            }
        };
        let LoadedServer {
            server,
            leaf,
            chain_len,
            client_roots,
            crl_warnings,
            crl_next_update,
        } = load_server(&opts, ephemeral.as_ref())?;
        let mut warnings = crl_warnings;
        if opts.client_ca.is_none() {
            warnings.push(format!(
                "no --client-ca: anyone who can reach this port reaches {} (DTLS protects the traffic, but nobody is authenticated)",
                sanitize(&opts.target.to_string())
            ));
        }
        if leaf.days_left < 0 {
            warnings.push(format!(
                "the certificate expired on {}; clients will refuse it",
                leaf.not_after
            ));
        }
        if chain_len > 1 {
            warnings.push("DTLS here sends the server's own certificate only, not its intermediates: clients must trust its issuer directly".to_string());
        }
        Ok(UdpServer {
            ephemeral,
            opts,
            server,
            client_roots: Arc::new(std::sync::RwLock::new(client_roots)),
            target_addr,
            leaf,
            warnings,
            crl_next_update,
        })
    }

    /// The files a reload reads (watched for changes).
    fn watched(&self) -> Vec<PathBuf> {
        let mut watched = Vec::new();
        if let Some((cert, key)) = &self.opts.cert {
            watched.push(cert.clone());
            if key != cert {
                watched.push(key.clone());
            }
        }
        watched.extend(self.opts.client_ca.iter().cloned());
        watched.extend(self.opts.client_crls.iter().cloned());
        watched
    }

    /// Runs until a stop request; returns the summary. `status`, when given,
    /// serves the counters over HTTP.
    pub async fn run(
        self,
        socket: UdpSocket,
        status: Option<TcpListener>,
        events: Events,
        control: mpsc::UnboundedReceiver<Control>,
    ) -> Summary {
        let started = Instant::now();
        let addr = socket
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        events
            .important(Event::Listening { addr: addr.clone() })
            .await;
        let l = &self.opts.limits;
        events
            .important(Event::Ready(Ready {
                mode: Mode::Server,
                transport: Transport::Udp,
                addr,
                target: self.opts.target.to_string(),
                certificate: Some(self.leaf.clone()),
                ephemeral: self.ephemeral.is_some(),
                client_auth: self.opts.client_ca.is_some(),
                allow: self.opts.allow.describe(),
                server_name: None,
                max_connections: l.max_connections,
                handshake_timeout_ms: l.handshake_timeout.as_millis() as u64,
                connect_timeout_ms: l.connect_timeout.as_millis() as u64,
                idle_timeout_ms: l.idle_timeout.map(|d| d.as_millis() as u64),
                warnings: self.warnings.clone(),
            }))
            .await;
        let stats = Arc::new(Stats::default());
        let expires = Arc::new(std::sync::atomic::AtomicI64::new(
            not_after(&self.leaf).unwrap_or(i64::MIN),
        ));
        let crl_expires = Arc::new(std::sync::atomic::AtomicI64::new(
            self.crl_next_update.unwrap_or(i64::MIN),
        ));
        let expiry: super::status::Expiry = {
            let (expires, crl_expires) = (expires.clone(), crl_expires.clone());
            Arc::new(move || {
                let read = |at: &std::sync::atomic::AtomicI64| {
                    let t = at.load(std::sync::atomic::Ordering::Relaxed);
                    (t != i64::MIN).then_some(t)
                };
                super::status::Deadlines::from_now(read(&expires), read(&crl_expires))
            })
        };
        let status_task = super::status::start(status, Mode::Server, &stats, expiry, &events).await;
        let (stop_tx, stop_rx) = mpsc::unbounded_channel();
        let (update_tx, update_rx) = mpsc::unbounded_channel();
        let (stopped_tx, mut stopped_rx) = tokio::sync::oneshot::channel::<&'static str>();
        let reloader = Reloader {
            opts: self.opts.clone(),
            ephemeral: self
                .ephemeral
                .as_ref()
                .map(|(chain, key)| (chain.clone(), key.clone_key())),
            updates: update_tx,
            expires,
            crl_expires,
            client_roots: self.client_roots.clone(),
        };
        let relay = tokio::spawn(relay_control(
            control,
            stop_tx,
            events.clone(),
            stats.clone(),
            stopped_tx,
            self.opts.limits.grace,
            super::FileWatch::new(self.watched()),
            reloader,
        ));
        let (inbound_tx, inbound_rx) = mpsc::channel(4096);
        let (verdict_tx, verdict_rx) = mpsc::unbounded_channel();
        let mut forwarder = Forwarder {
            revocation: self.opts.revocation.map(|check| ClientRevocation {
                check,
                cache: Default::default(),
                roots: self.client_roots.clone(),
                verdicts: verdict_tx,
            }),
            leaves: HashMap::new(),
            target: self.target_addr,
            target_text: self.opts.target.to_string(),
            allow: self.opts.allow.clone(),
            tx: inbound_tx,
            upstream: HashMap::new(),
            identities: HashMap::new(),
            events: events.clone(),
            stats: stats.clone(),
        };
        let mut ignore = |_: &Association| {};
        let dtls_summary = dtls_server::run(
            socket,
            self.server,
            &mut forwarder,
            dtls_server::Links {
                inbound: Some(inbound_rx),
                verdicts: Some(verdict_rx),
                updates: Some(update_rx),
            },
            &mut ignore,
            stop_rx,
        )
        .await;
        relay.abort();
        drop(status_task);
        let stopped_by = stopped_rx.try_recv().ok();
        let mut summary = stats.summary(started, stopped_by, events.dropped());
        if dtls_summary.refused > 0 {
            summary.connections += dtls_summary.refused;
            *summary.failed.entry(Outcome::Busy).or_default() += dtls_summary.refused;
        }
        summary
    }
}

/// Reloads the server's files and hands the result to the running DTLS server.
struct Reloader {
    opts: UdpServerTunnel,
    ephemeral: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    updates: mpsc::UnboundedSender<dtls_server::Server>,
    /// The served certificate's notAfter, for the status page.
    expires: Arc<std::sync::atomic::AtomicI64>,
    /// The soonest nextUpdate of the `--crl` files, for the status page.
    crl_expires: Arc<std::sync::atomic::AtomicI64>,
    /// Where the reloaded client CAs go, for the revocation checks.
    client_roots: ClientRoots,
}

impl Reloader {
    /// Loads the files again; on failure the old configuration stays.
    fn reload(&self) -> Event {
        match load_server(&self.opts, self.ephemeral.as_ref()) {
            Ok(LoadedServer {
                server,
                leaf,
                client_roots,
                crl_warnings,
                crl_next_update,
                ..
            }) => {
                let _ = self.updates.send(server);
                *self.client_roots.write().unwrap_or_else(|p| p.into_inner()) = client_roots;
                self.expires.store(
                    not_after(&leaf).unwrap_or(i64::MIN),
                    std::sync::atomic::Ordering::Relaxed,
                );
                self.crl_expires.store(
                    crl_next_update.unwrap_or(i64::MIN),
                    std::sync::atomic::Ordering::Relaxed,
                );
                Event::Reloaded {
                    certificate: Some(leaf),
                    warnings: crl_warnings,
                }
            }
            Err(e) => Event::ReloadFailed {
                reason: format!("{e:#}; still serving the previous certificate and client CA"),
            },
        }
    }
}

/// Turns the tunnel's control requests into the DTLS server's stop signal
/// and reloads, and reloads when a watched file changes.
#[allow(clippy::too_many_arguments)]
async fn relay_control(
    mut control: mpsc::UnboundedReceiver<Control>,
    stop: mpsc::UnboundedSender<&'static str>,
    events: Events,
    stats: Arc<Stats>,
    stopped: tokio::sync::oneshot::Sender<&'static str>,
    grace: Duration,
    mut watch: super::FileWatch,
    reloader: Reloader,
) {
    let mut stopped = Some(stopped);
    loop {
        tokio::select! {
            _ = watch.changed() => events.important(reloader.reload()).await,
            c = control.recv() => match c {
                Some(Control::Stop(sig)) => {
                    if let Some(s) = stopped.take() {
                        events
                            .important(Event::Shutdown {
                                signal: sig.to_string(),
                                open_connections: stats.open(),
                                grace_ms: grace.as_millis() as u64,
                            })
                            .await;
                        let _ = s.send(sig);
                    }
                    // A second one cuts the grace period short.
                    let _ = stop.send(sig);
                }
                Some(Control::Reload) => {
                    watch.mark();
                    events.important(reloader.reload()).await;
                }
                None => return,
            },
        }
    }
}

/// One association's way to the target.
struct Upstream {
    /// Sends without waiting for the reactor: a tokio socket refuses to send
    /// (WouldBlock) until the reactor has seen it writable, which would drop
    /// the first datagram of every association.
    sender: std::net::UdpSocket,
    reader: JoinHandle<()>,
}

/// `--check-revocation` in server mode: what checks a client certificate
/// once the handshake completed.
struct ClientRevocation {
    check: RevocationCheck,
    /// Answers reused while valid.
    cache: Arc<revocation::Cache>,
    roots: ClientRoots,
    /// Where each check's verdict goes (to the DTLS server's loop).
    verdicts: mpsc::UnboundedSender<Verdict>,
}

/// The server tunnel's handler: allow rules, revocation, one target socket per association.
struct Forwarder {
    revocation: Option<ClientRevocation>,
    /// Client certificates that passed the allow rules, until they are checked for revocation.
    leaves: HashMap<SocketAddr, Vec<u8>>,
    target: SocketAddr,
    target_text: String,
    allow: AllowRules,
    tx: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    upstream: HashMap<SocketAddr, Upstream>,
    identities: HashMap<SocketAddr, PeerIdentity>,
    events: Events,
    stats: Arc<Stats>,
}

impl Handler for Forwarder {
    fn admit_certificate(&mut self, peer: SocketAddr, leaf: &[u8]) -> Result<(), String> {
        let Some(id) = allow::identity_of(leaf) else {
            return Err("the client certificate does not parse".to_string());
        };
        let verdict = self.allow.check(&id);
        self.identities.insert(peer, id);
        if verdict.is_ok() && self.revocation.is_some() {
            self.leaves.insert(peer, leaf.to_vec());
        }
        verdict
    }

    fn vet(&mut self, ticket: Ticket) -> Vetting {
        let Some(rev) = &self.revocation else {
            return Vetting::Pass;
        };
        // No client certificate (no --client-ca): nothing to check.
        let Some(leaf) = self.leaves.remove(&ticket.peer) else {
            return Vetting::Pass;
        };
        let roots = rev.roots.read().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(roots) = roots else {
            return Vetting::Pass;
        };
        // DTLS here carries the client's own certificate only: its issuer is a --client-ca.
        let chain = revocation::Chain {
            certs: vec![CertificateDer::from(leaf)],
            staple: Vec::new(),
            roots,
            server_name: None,
        };
        let (check, cache, verdicts, events) = (
            rev.check,
            rev.cache.clone(),
            rev.verdicts.clone(),
            self.events.clone(),
        );
        // The fetches run on their own task: the DTLS loop serves the other peers meanwhile.
        tokio::spawn(async move {
            let verdict = match check.judge(&cache, &chain).await {
                Judged::Pass(warnings) => {
                    for message in warnings {
                        events.send(Event::Warning { message });
                    }
                    Ok(())
                }
                Judged::Refuse { revoked, reason } => Err(Refusal {
                    alert: if revoked {
                        dtls_server::CERTIFICATE_REVOKED
                    } else {
                        dtls_server::CERTIFICATE_UNKNOWN
                    },
                    end: End::RevocationRefused,
                    reason,
                }),
            };
            let _ = verdicts.send((ticket, verdict));
        });
        Vetting::Wait
    }

    fn established(&mut self, peer: SocketAddr) -> Result<(), String> {
        // Only now, with the client authenticated, is the target addressed.
        let (sender, socket) = open_upstream(self.target).map_err(|e| {
            format!(
                "cannot reach the target {}: {}",
                sanitize(&self.target_text),
                crate::tls::dial::describe_io(&e)
            )
        })?;
        let reader = tokio::spawn(read_upstream(socket, peer, self.tx.clone()));
        self.upstream.insert(peer, Upstream { sender, reader });
        self.stats.start();
        Ok(())
    }

    fn data(&mut self, peer: SocketAddr, data: Vec<u8>) -> Vec<Vec<u8>> {
        // Counted as the association's `bytes_in` is, so that the record and
        // the status page agree.
        self.stats.moved_up(data.len() as u64);
        if let Some(up) = self.upstream.get(&peer) {
            // A full socket buffer or an ICMP error from an earlier send loses
            // this datagram, as UDP would; the association goes on.
            let _ = up.sender.send(&data);
        }
        Vec::new()
    }

    fn sent(&mut self, _peer: SocketAddr, len: usize) {
        self.stats.moved_down(len as u64);
    }

    fn ended(&mut self, peer: SocketAddr, a: &Association) {
        let counted_open = match self.upstream.remove(&peer) {
            Some(up) => {
                up.reader.abort();
                true
            }
            None => false,
        };
        self.leaves.remove(&peer);
        let mut rec = ConnRecord::new(peer);
        rec.client = self.identities.remove(&peer);
        if let Some(h) = &a.handshake {
            rec.version = Some(super::Version::Dtls(h.protocol));
            rec.suite = h.cipher_suite.clone();
        }
        rec.bytes_up = a.bytes_in;
        rec.bytes_down = a.bytes_out;
        rec.duration_ms = a.duration_ms;
        let reason = a.reason.clone().unwrap_or_default();
        match a.end {
            End::Closed => rec.ended(Outcome::Closed, ""),
            End::HandshakeTimeout => rec.ended(Outcome::HandshakeTimeout, reason),
            End::HandshakeFailed | End::CertificateRejected => {
                rec.ended(Outcome::HandshakeFailed, reason)
            }
            End::Denied => rec.ended(Outcome::Denied, reason),
            End::TargetUnreachable => rec.ended(Outcome::TargetUnreachable, reason),
            End::RevocationRefused => rec.ended(Outcome::RevocationRefused, reason),
            End::IdleTimeout => {
                rec.ended(Outcome::IdleTimeout, format!("{reason} (--idle-timeout)"))
            }
            End::Error => rec.ended(Outcome::Error, reason),
            End::Shutdown => rec.ended(Outcome::CutOff, "the tunnel stopped"),
            End::CutOff => rec.ended(Outcome::CutOff, format!("{reason} (--grace)")),
        }
        rec.time = super::now();
        self.stats.finish(&rec, counted_open);
        self.events.send(Event::Connection(rec));
    }
}

/// A UDP socket that talks to `target` only (and hears ICMP errors as such),
/// as a non-blocking std socket to send with and a tokio one to read with.
fn open_upstream(target: SocketAddr) -> std::io::Result<(std::net::UdpSocket, UdpSocket)> {
    let local: SocketAddr = if target.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = std::net::UdpSocket::bind(local)?;
    socket.connect(target)?;
    socket.set_nonblocking(true)?;
    let sender = socket.try_clone()?;
    Ok((sender, UdpSocket::from_std(socket)?))
}

/// Hands the target's datagrams for `peer` to the DTLS server.
async fn read_upstream(
    socket: UdpSocket,
    peer: SocketAddr,
    tx: mpsc::Sender<(SocketAddr, Vec<u8>)>,
) {
    let mut buf = vec![0u8; 65_536];
    loop {
        match socket.recv(&mut buf).await {
            Ok(n) => {
                if tx.send((peer, buf[..n].to_vec())).await.is_err() {
                    return;
                }
            }
            // ICMP port unreachable from an earlier datagram: the target may start later.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
            Err(_) => return,
        }
    }
}

/// Everything a UDP client tunnel is asked to do.
#[derive(Debug, Clone)]
pub struct UdpClientTunnel {
    /// The DTLS server, and the name verified.
    pub target: TlsTarget,
    /// Trust anchors.
    pub roots: Roots,
    /// SPKI pins (any match passes).
    pub pins: Vec<Pin>,
    /// Client certificate and key files.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// DTLS versions offered.
    pub versions: Versions,
    /// Largest datagram sent.
    pub mtu: usize,
    /// Limits and timeouts (`connect_timeout` bounds the DTLS handshake).
    pub limits: Limits,
    /// Check the target's certificate for revocation before forwarding anything.
    pub revocation: Option<RevocationCheck>,
}

/// A UDP client tunnel with its files loaded.
#[derive(Debug)]
pub struct UdpClient {
    opts: UdpClientTunnel,
    roots: TrustRoots,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    /// Revocation answers about the target's certificate, reused while valid.
    cache: Arc<revocation::Cache>,
}

/// `--check-revocation` in client mode: what one association needs to check
/// the target's certificate.
struct TargetRevocation {
    check: RevocationCheck,
    cache: Arc<revocation::Cache>,
    /// The trust anchors, as a store (the leaf's issuer is among them).
    roots: Arc<rustls::RootCertStore>,
    events: Events,
}

impl TargetRevocation {
    /// Checks the target's certificate: the sentence when nothing may be
    /// forwarded; a warning event when a fresh check leaves it unknown.
    async fn check(
        &self,
        report: &dtls_client::ClientReport,
        target: &TlsTarget,
    ) -> std::result::Result<(), String> {
        let observed = &report.observed;
        if observed.trusted_by_pin {
            return Ok(());
        }
        if observed.chain.is_empty() {
            return match self.check.mode {
                revocation::Mode::Require => Err(
                    "refused to forward: the target's certificate could not be checked for revocation (no certificate seen) (--check-revocation=require)"
                        .into(),
                ),
                revocation::Mode::Warn => Ok(()),
            };
        }
        // DTLS here sees the leaf only: its issuer is one of the trust anchors.
        let chain = revocation::Chain {
            certs: observed.chain.clone(),
            staple: Vec::new(),
            roots: self.roots.clone(),
            server_name: Some(target.server_name.clone()),
        };
        match self.check.judge(&self.cache, &chain).await {
            Judged::Pass(warnings) => {
                for s in warnings {
                    self.events.send(Event::Warning {
                        message: format!("target {target}: {s}"),
                    });
                }
                Ok(())
            }
            Judged::Refuse { reason, .. } => Err(format!("refused to forward: {reason}")),
        }
    }
}

/// The client tunnel's files as loaded; replaced whole on reload.
type ClientFiles = (
    TrustRoots,
    Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
);

/// Reads the CA file and the client certificate (checked to sign DTLS).
fn load_client_files(opts: &UdpClientTunnel) -> Result<ClientFiles> {
    let roots = super::client::load_roots(&opts.roots)?;
    let identity = match &opts.identity {
        None => None,
        Some((cert, key)) => {
            let (chain, key) = super::client::load_identity(cert, key)?;
            crate::dtls::dtls_identity(Identity {
                chain: chain.clone(),
                key: key.clone_key(),
            })
            .map_err(|e| e.context(format!("--cert '{}'", cert.display())))?;
            Some((chain, key))
        }
    };
    Ok((roots, identity))
}

impl UdpClient {
    /// Loads the files and checks that the client certificate can sign DTLS.
    pub fn prepare(opts: UdpClientTunnel) -> Result<UdpClient> {
        let (roots, identity) = load_client_files(&opts)?;
        Ok(UdpClient {
            opts,
            roots,
            identity,
            cache: Default::default(),
        })
    }

    /// What an association needs for `--check-revocation` (the anchors as loaded now).
    fn target_revocation(&self, events: &Events) -> Option<TargetRevocation> {
        let check = self.opts.revocation?;
        let roots = match crate::tls::config::root_store(&self.roots) {
            Ok(store) => Arc::new(store),
            Err(e) => {
                events.send(Event::Warning {
                    message: format!(
                        "the trust anchors cannot be used for revocation checks: {e:#}"
                    ),
                });
                Arc::new(rustls::RootCertStore::empty())
            }
        };
        Some(TargetRevocation {
            check,
            cache: self.cache.clone(),
            roots,
            events: events.clone(),
        })
    }

    fn client_options(&self) -> ClientOptions {
        ClientOptions {
            target: self.opts.target.clone(),
            connect_to: None,
            timeout: self.opts.limits.connect_timeout,
            mtu: self.opts.mtu,
            versions: self.opts.versions,
            roots: self.roots.clone(),
            pins: self.opts.pins.clone(),
            accept_unverified: None,
            identity: self.identity.as_ref().map(|(chain, key)| Identity {
                chain: chain.clone(),
                key: key.clone_key(),
            }),
            suites: None,
        }
    }

    /// The files a reload reads (watched for changes).
    fn watched(&self) -> Vec<PathBuf> {
        let mut watched = Vec::new();
        if let Roots::File(ca) = &self.opts.roots {
            watched.push(ca.clone());
        }
        if let Some((cert, key)) = &self.opts.identity {
            watched.extend([cert.clone(), key.clone()]);
        }
        watched
    }

    /// Loads the files again: associations from now on use them, open ones
    /// keep theirs; on failure the old ones stay.
    fn reload(&mut self) -> Event {
        match load_client_files(&self.opts) {
            Ok((roots, identity)) => {
                self.roots = roots;
                self.identity = identity;
                Event::Reloaded {
                    certificate: None,
                    warnings: Vec::new(),
                }
            }
            Err(e) => Event::ReloadFailed {
                reason: format!(
                    "{e:#}; new associations still use the previous CA and client certificate"
                ),
            },
        }
    }

    /// Runs until a stop request; returns the summary. `status`, when given,
    /// serves the counters over HTTP.
    pub async fn run(
        mut self,
        socket: UdpSocket,
        status: Option<TcpListener>,
        events: Events,
        mut control: mpsc::UnboundedReceiver<Control>,
    ) -> Summary {
        let started = Instant::now();
        // A std clone sends the answers (see `Upstream::sender`).
        let (local, sender) = match socket.into_std().and_then(|s| {
            let sender = s.try_clone()?;
            Ok((UdpSocket::from_std(s)?, sender))
        }) {
            Ok((l, s)) => (Arc::new(l), Arc::new(s)),
            Err(e) => {
                events.send(Event::Warning {
                    message: format!("the listening socket cannot be used: {e}"),
                });
                return Stats::default().summary(started, None, events.dropped());
            }
        };
        let addr = local
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        events
            .important(Event::Listening { addr: addr.clone() })
            .await;
        let l = self.opts.limits.clone();
        let ready = super::client_ready(
            Transport::Udp,
            local.local_addr(),
            &self.opts.target,
            self.opts.identity.is_some(),
            &l,
        );
        events.important(Event::Ready(ready)).await;
        let stats = Arc::new(Stats::default());
        let status_task = super::status::start(
            status,
            Mode::Client,
            &stats,
            Arc::new(super::status::Deadlines::default),
            &events,
        )
        .await;
        let mut watch = super::FileWatch::new(self.watched());
        let mut sessions: HashMap<SocketAddr, mpsc::Sender<Vec<u8>>> = HashMap::new();
        let mut tasks: JoinSet<(SocketAddr, ConnRecord)> = JoinSet::new();
        // Sources turned away lately: one log line each, not one per datagram.
        let mut turned_away: HashMap<SocketAddr, Instant> = HashMap::new();
        let mut buf = vec![0u8; 65_536];
        let mut stopped_by = None;
        let finish = |mut rec: ConnRecord, stats: &Stats| {
            rec.time = super::now();
            stats.finish(&rec, true);
            events.send(Event::Connection(rec));
        };
        // After a stop: when the grace period ends (open associations go on until then).
        let mut grace_ends: Option<Instant> = None;
        loop {
            if grace_ends.is_some() && tasks.is_empty() {
                break;
            }
            tokio::select! {
                got = local.recv_from(&mut buf) => {
                    let Ok((n, src)) = got else { continue };
                    let data = buf[..n].to_vec();
                    if let Some(tx) = sessions.get(&src) {
                        let _ = tx.try_send(data);
                        continue;
                    }
                    if grace_ends.is_some() {
                        // Stopping: no new associations.
                        continue;
                    }
                    if sessions.len() >= l.max_connections {
                        let now = Instant::now();
                        if turned_away.len() > 4096 {
                            turned_away.retain(|_, t| now.duration_since(*t) < Duration::from_secs(10));
                        }
                        if turned_away.get(&src).is_none_or(|t| now.duration_since(*t) >= Duration::from_secs(10)) {
                            turned_away.insert(src, now);
                            let mut rec = ConnRecord::new(src);
                            rec.ended(Outcome::Busy, format!(
                                "{} associations open (--max-connections): datagrams from this address are dropped",
                                l.max_connections
                            ));
                            rec.time = super::now();
                            stats.finish(&rec, false);
                            events.send(Event::Connection(rec));
                        }
                        continue;
                    }
                    let (tx, rx) = mpsc::channel(QUEUE);
                    let _ = tx.try_send(data);
                    sessions.insert(src, tx);
                    stats.start();
                    let revocation = self.target_revocation(&events);
                    tasks.spawn(association(src, rx, sender.clone(), self.client_options(), l.idle_timeout, revocation, stats.clone()));
                }
                Some(done) = tasks.join_next() => {
                    if let Ok((src, rec)) = done {
                        sessions.remove(&src);
                        finish(rec, &stats);
                    }
                }
                _ = watch.changed() => events.important(self.reload()).await,
                _ = sleep_until(grace_ends) => break,
                c = control.recv() => match c {
                    // A second stop: no more waiting.
                    Some(Control::Stop(_)) if grace_ends.is_some() => break,
                    Some(Control::Stop(sig)) => {
                        stopped_by = Some(sig);
                        events
                            .important(Event::Shutdown {
                                signal: sig.to_string(),
                                open_connections: stats.open(),
                                grace_ms: l.grace.as_millis() as u64,
                            })
                            .await;
                        if l.grace.is_zero() {
                            break;
                        }
                        grace_ends = Some(Instant::now() + l.grace);
                    }
                    Some(Control::Reload) => {
                        watch.mark();
                        events.important(self.reload()).await;
                    }
                    None => break,
                },
            }
        }
        if stopped_by.is_none() {
            events
                .important(Event::Shutdown {
                    signal: "end of input".to_string(),
                    open_connections: stats.open(),
                    grace_ms: 0,
                })
                .await;
        }
        // Whatever is still open is cut now: closing its queue ends it with close_notify.
        let cut: std::collections::HashSet<SocketAddr> = sessions.keys().copied().collect();
        sessions.clear();
        let cut_reason = format!(
            "still open when the {} grace period ended (--grace)",
            human_duration(l.grace.as_millis() as u64)
        );
        let hard_stop = Instant::now() + Duration::from_secs(2);
        while !tasks.is_empty() {
            tokio::select! {
                Some(done) = tasks.join_next() => {
                    if let Ok((src, mut rec)) = done {
                        if cut.contains(&src) && rec.outcome.is_ok() {
                            rec.ended(Outcome::CutOff, cut_reason.clone());
                        }
                        finish(rec, &stats);
                    }
                }
                _ = tokio::time::sleep_until(hard_stop) => {
                    tasks.shutdown().await;
                    break;
                }
            }
        }
        drop(status_task);
        stats.summary(started, stopped_by, events.dropped())
    }
}

/// Sleeps until `t`; never, without one.
async fn sleep_until(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// One local source's DTLS association: handshake, then datagrams both ways.
async fn association(
    src: SocketAddr,
    mut rx: mpsc::Receiver<Vec<u8>>,
    local: Arc<std::net::UdpSocket>,
    opts: ClientOptions,
    idle: Option<Duration>,
    revocation: Option<TargetRevocation>,
    stats: Arc<Stats>,
) -> (SocketAddr, ConnRecord) {
    let started = Instant::now();
    let target = opts.target.clone();
    // DTLS here sends no SNI: the name is only verified, so none is logged.
    let mut rec = ConnRecord::new(src);
    let conn = match dtls_client::connect(opts).await {
        Ok(c) => c,
        Err(f) => {
            let outcome = match kind_of(&f.error) {
                Some(Failure::Network) | None => Outcome::TargetUnreachable,
                _ => Outcome::HandshakeFailed,
            };
            rec.ended(outcome, format!("{:#}", f.error));
            rec.duration_ms = started.elapsed().as_millis() as u64;
            return (src, rec);
        }
    };
    if let Some(h) = &conn.report.handshake {
        rec.version = Some(super::Version::Dtls(h.protocol));
        rec.suite = h.cipher_suite.clone();
    }
    // Before a datagram of the client is sent on: a revoked target gets
    // nothing (what came meanwhile waits in `rx`, and is dropped).
    if let Some(rev) = &revocation {
        if let Err(why) = rev.check(&conn.report, &target).await {
            rec.ended(Outcome::RevocationRefused, why);
            conn.close().await;
            rec.duration_ms = started.elapsed().as_millis() as u64;
            return (src, rec);
        }
    }
    // The tunnel's totals move with each datagram, as the record's counts do.
    let mut deliver = |d: &[u8]| {
        stats.moved_down(d.len() as u64);
        // A local client that went away loses the datagram, as UDP would.
        let _ = local.send_to(d, src);
    };
    let mut sent = |len: usize| stats.moved_up(len as u64);
    let (moved, end) = conn.relay(&mut rx, &mut deliver, &mut sent, idle).await;
    rec.bytes_up = moved.bytes_up;
    rec.bytes_down = moved.bytes_down;
    match end {
        RelayEnd::ServerClosed => rec.ended(Outcome::Closed, "the server closed the association"),
        RelayEnd::InputClosed => rec.ended(Outcome::Closed, ""),
        RelayEnd::Idle => rec.ended(
            Outcome::IdleTimeout,
            format!(
                "nothing moved either way for {} (--idle-timeout)",
                human_duration(idle.unwrap_or_default().as_millis() as u64)
            ),
        ),
        RelayEnd::Failed(e) => rec.ended(Outcome::Error, format!("{e:#}")),
    }
    rec.duration_ms = started.elapsed().as_millis() as u64;
    (src, rec)
}
