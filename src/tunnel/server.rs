//! Server mode: accept TLS (and mTLS) from clients and forward plaintext to
//! the target. The target is dialled only once the handshake, client
//! certificate and allow rules included, has succeeded.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::Acceptor;
use rustls::{CertificateError, ServerConfig};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_rustls::LazyConfigAcceptor;

use super::allow::{self, AllowRules, AllowingVerifier};
use super::forward::{self, Moved};
use super::{
    human_duration, run_loop, target_error, Conn, ConnRecord, Control, Event, Events, Limits, Mode,
    Outcome, Phase, Ready, Stats, Summary, Target,
};
use crate::revocation::{self, staple, staple::Stapler};
use crate::text::sanitize;
use crate::tls::algorithms::Algorithms;
use crate::tls::certgen;
use crate::tls::certinfo::CertSummary;
use crate::tls::config::{self, ClientAuth, Identity, KeyLogTo, ServerOptions, Versions};
use crate::tls::error::{fail, tag, Failure};
use crate::tls::files;
use crate::tls::handshake::HandshakeInfo;
use crate::tls::readahead::ReadAhead;

/// Everything a server tunnel is asked to do.
#[derive(Debug, Clone)]
pub struct ServerTunnel {
    /// Where plaintext goes.
    pub target: Target,
    /// Accept a target that is not on this machine.
    pub allow_remote_target: bool,
    /// The certificate chain and key files (`None`: an ephemeral certificate).
    pub cert: Option<(PathBuf, PathBuf)>,
    /// Require client certificates from these CAs.
    pub client_ca: Option<PathBuf>,
    /// Narrow which client certificates pass.
    pub allow: AllowRules,
    /// TLS versions accepted.
    pub versions: Versions,
    /// Groups and suites.
    pub algorithms: Algorithms,
    /// ALPN protocols offered, in preference order.
    pub alpn: Vec<Vec<u8>>,
    /// Send a PROXY protocol v2 header to the target first.
    pub proxy_protocol: bool,
    /// Limits and timeouts.
    pub limits: Limits,
    /// OCSP stapling.
    pub ocsp: Option<Stapling>,
    /// CRL files client certificates are checked against (with `client_ca`).
    pub client_crls: Vec<PathBuf>,
    /// Check each client certificate for revocation (its OCSP responder, else
    /// its CRL) after the handshake, before the target is dialled.
    pub revocation: Option<crate::tunnel::client::RevocationCheck>,
}

/// Where the stapled OCSP response comes from.
#[derive(Debug, Clone)]
pub enum Stapling {
    /// Fetched from the responder the certificate names, refreshed before nextUpdate.
    Auto,
    /// A DER response in this file (read again on reload).
    File(PathBuf),
}

/// How long one OCSP fetch of `--ocsp auto` may take.
const STAPLE_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The TLS side as loaded from files; replaced whole on reload.
struct Loaded {
    config: Arc<ServerConfig>,
    /// With `--ocsp auto`: the resolver that staples, and where responses come from.
    stapling: Option<(Arc<Stapler>, staple::Source)>,
    /// The client CAs as a store, for checking OCSP and CRL answers.
    client_roots: Option<Arc<rustls::RootCertStore>>,
    leaf: CertSummary,
    /// The leaf's notAfter, seconds since the epoch.
    not_after: Option<i64>,
    /// The `--crl` files past their nextUpdate, as warnings.
    crl_warnings: Vec<String>,
    /// The soonest nextUpdate of the `--crl` files, seconds since the epoch.
    crl_next_update: Option<i64>,
}

/// A server tunnel with its files loaded, ready to run.
pub struct PreparedServer {
    opts: ServerTunnel,
    /// The ephemeral certificate, made once (reloads keep it).
    ephemeral: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
    current: Arc<RwLock<Arc<Loaded>>>,
    warnings: Vec<String>,
    /// Where OCSP fetches are logged (set when the tunnel runs).
    events: std::sync::OnceLock<Events>,
    /// The task refreshing the staple of the certificate served now.
    refresher: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
    /// Revocation answers about client certificates, reused while valid.
    revocation: revocation::Cache,
}

impl PreparedServer {
    /// Checks the options and loads the files; an error means the tunnel cannot start.
    pub fn prepare(opts: ServerTunnel) -> Result<PreparedServer> {
        if !opts.target.is_local() && !opts.allow_remote_target {
            return Err(fail(
                Failure::Argument,
                format!(
                    "--target {} is not on this machine: forwarding to another host makes a relay anyone who passes the TLS check can use; add --allow-remote-target if that is what you want",
                    sanitize(&opts.target.to_string())
                ),
            ));
        }
        if opts.client_ca.is_none() && !opts.allow.is_empty() {
            return Err(fail(
                Failure::Argument,
                "the --allow-* rules need --client-ca: without it no client presents a certificate to check",
            ));
        }
        let ephemeral = match opts.cert {
            Some(_) => None,
            None => {
                let g =
                    certgen::ephemeral_localhost().context("making the ephemeral certificate")?;
                Some((g.cert_der, g.key_der))
            }
        };
        let mut warnings = Vec::new();
        if opts.client_ca.is_none() {
            warnings.push(format!(
                "no --client-ca: anyone who can reach this port reaches {} (TLS protects the traffic, but nobody is authenticated)",
                sanitize(&opts.target.to_string())
            ));
        }
        let loaded = load(&opts, ephemeral.as_ref())?;
        warnings.extend(loaded.crl_warnings.iter().cloned());
        if loaded.leaf.days_left < 0 {
            warnings.push(format!(
                "the certificate expired on {}; clients will refuse it",
                loaded.leaf.not_after
            ));
        }
        Ok(PreparedServer {
            opts,
            ephemeral,
            current: Arc::new(RwLock::new(Arc::new(loaded))),
            warnings,
            events: Default::default(),
            refresher: Default::default(),
            revocation: Default::default(),
        })
    }

    /// The certificate presented now.
    pub fn certificate(&self) -> CertSummary {
        current(&self.current).leaf.clone()
    }

    /// Runs until a stop request; returns the summary. `status`, when given,
    /// serves the counters over HTTP.
    pub async fn run(
        self,
        listener: TcpListener,
        status: Option<TcpListener>,
        events: Events,
        control: mpsc::UnboundedReceiver<Control>,
    ) -> Summary {
        let addr = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        events
            .important(Event::Listening { addr: addr.clone() })
            .await;
        let _ = self.events.set(events.clone());
        // The first fetch before the first client: it already gets a staple.
        if let Some(mut live) = self.live() {
            let first = live.refresh().await;
            let wait = std::time::Duration::from_secs(first.next_fetch_secs.max(1));
            events.important(Event::Ocsp(first)).await;
            self.spawn_refresher(live, wait);
        }
        let l = &self.opts.limits;
        events
            .important(Event::Ready(Ready {
                mode: Mode::Server,
                transport: super::Transport::Tcp,
                addr,
                target: self.opts.target.to_string(),
                certificate: Some(self.certificate()),
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
        let shared = Arc::new(self);
        let slot = shared.current.clone();
        let expiry: super::status::Expiry = Arc::new(move || {
            let loaded = current(&slot);
            super::status::Deadlines::from_now(loaded.not_after, loaded.crl_next_update)
        });
        let status_task = super::status::start(status, Mode::Server, &stats, expiry, &events).await;
        let reload = {
            let shared = shared.clone();
            move || shared.reload()
        };
        let handle = |conn: Conn| {
            let sh = shared.clone();
            async move { sh.connection(conn).await }
        };
        let limits = shared.opts.limits.clone();
        let mut watched: Vec<PathBuf> = Vec::new();
        if let Some((cert, key)) = &shared.opts.cert {
            watched.push(cert.clone());
            if key != cert {
                watched.push(key.clone());
            }
        }
        watched.extend(shared.opts.client_ca.iter().cloned());
        watched.extend(shared.opts.client_crls.iter().cloned());
        if let Some(Stapling::File(path)) = &shared.opts.ocsp {
            watched.push(path.clone());
        }
        let summary = run_loop(
            listener, watched, &limits, stats, &events, control, handle, reload,
        )
        .await;
        drop(status_task);
        if let Some(task) = shared
            .refresher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            task.abort();
        }
        summary
    }

    /// With `--ocsp auto`: the refresher of the certificate served now.
    fn live(&self) -> Option<staple::Live> {
        let (stapler, source) = current(&self.current).stapling.clone()?;
        Some(staple::Live::new(
            stapler,
            source,
            revocation::Options {
                timeout: STAPLE_FETCH_TIMEOUT,
                offline: false,
            },
        ))
    }

    /// Leaves `live` refreshing its staple before each nextUpdate (the first
    /// fetch after `wait`), replacing the previous certificate's refresher.
    fn spawn_refresher(&self, live: staple::Live, wait: std::time::Duration) {
        let events = self.events.get().cloned();
        let log = move |e: &staple::StapleEvent| {
            if let Some(events) = &events {
                events.send(Event::Ocsp(e.clone()));
            }
        };
        let task = tokio::spawn(live.run(wait, log)).abort_handle();
        let old = self
            .refresher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(task);
        if let Some(old) = old {
            old.abort();
        }
    }

    /// Loads the files again; on failure the old configuration stays.
    fn reload(&self) -> Event {
        match load(&self.opts, self.ephemeral.as_ref()) {
            Ok(loaded) => {
                let leaf = loaded.leaf.clone();
                let warnings = loaded.crl_warnings.clone();
                let stapling = loaded.stapling.is_some();
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(loaded);
                if stapling {
                    // The new certificate's staple is fetched at once, in the background.
                    if let Some(live) = self.live() {
                        self.spawn_refresher(live, std::time::Duration::ZERO);
                    }
                }
                Event::Reloaded {
                    certificate: Some(leaf),
                    warnings,
                }
            }
            Err(e) => Event::ReloadFailed {
                reason: format!("{e:#}; still serving the previous certificate and client CA"),
            },
        }
    }

    async fn connection(&self, conn: Conn) -> ConnRecord {
        let Conn {
            tcp,
            peer,
            local,
            mut phase,
            stats,
        } = conn;
        let started = Instant::now();
        let limits = &self.opts.limits;
        let mut rec = ConnRecord::new(peer);
        let _ = tcp.set_nodelay(true);
        let config = current(&self.current).config.clone();
        let deadline = started + limits.handshake_timeout;
        // The handshake deadline, or the end of the grace period, whichever comes first.
        let stopping = phase.clone();
        let limit = async move {
            let mut stopping = stopping;
            let stopped = async {
                if stopping.wait_for(|p| *p >= Phase::Stopping).await.is_err() {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {}
                _ = stopped => {}
            }
        };
        // Boxed, here and below: the handshake's state is freed once it is
        // done, instead of staying part of every idle connection's task.
        let (result, refusal) = Box::pin(allow::watching(async {
            tokio::select! {
                r = handshake(tcp, config, &mut rec) => Ok(r),
                _ = limit => Err(()),
            }
        }))
        .await;
        let mut tls = match (result, refusal) {
            (_, Some((why, who))) => {
                rec.client = Some(who);
                rec.ended(Outcome::Denied, why);
                return done(rec, started);
            }
            (Err(()), None) if *phase.borrow() >= Phase::Stopping => {
                rec.ended(
                    Outcome::CutOff,
                    "still in the TLS handshake when the grace period ended (--grace)",
                );
                return done(rec, started);
            }
            (Err(()), None) => {
                rec.ended(
                    Outcome::HandshakeTimeout,
                    format!(
                        "the client did not finish the TLS handshake within {} (--handshake-timeout)",
                        human_duration(limits.handshake_timeout.as_millis() as u64)
                    ),
                );
                return done(rec, started);
            }
            (Ok(Err(e)), None) => {
                rec.ended(Outcome::HandshakeFailed, handshake_reason(&e));
                return done(rec, started);
            }
            (Ok(Ok(tls)), None) => tls,
        };
        {
            let (_, session) = tls.get_ref();
            let info = HandshakeInfo::from_state(session);
            rec.version = Some(super::Version::Tls(info.protocol));
            rec.suite = Some(info.cipher_suite);
            rec.alpn = info.alpn;
            rec.resumed = Some(session.handshake_kind() == Some(rustls::HandshakeKind::Resumed));
            rec.client = session
                .peer_certificates()
                .and_then(|c| c.first())
                .and_then(|c| allow::identity_of(c));
        }

        // A revoked client certificate: refused before the target is dialled.
        if let Some(check) = self.opts.revocation {
            if let Err(why) = self.check_client(&tls, check).await {
                rec.ended(Outcome::RevocationRefused, why);
                close_promptly(&mut tls).await;
                return done(rec, started);
            }
        }

        // Only now, with the client authenticated, is the target dialled.
        let target = match Box::pin(tokio::time::timeout(
            limits.connect_timeout,
            self.opts.target.connect(),
        ))
        .await
        {
            Ok(Ok(t)) => t,
            Ok(Err(e)) => {
                rec.ended(
                    Outcome::TargetUnreachable,
                    target_error(&self.opts.target, &e),
                );
                close_promptly(&mut tls).await;
                return done(rec, started);
            }
            Err(_) => {
                rec.ended(
                    Outcome::TargetUnreachable,
                    format!(
                        "cannot reach the target {}: no answer within {} (--connect-timeout)",
                        self.opts.target,
                        human_duration(limits.connect_timeout.as_millis() as u64)
                    ),
                );
                close_promptly(&mut tls).await;
                return done(rec, started);
            }
        };
        let mut target = target;
        if self.opts.proxy_protocol {
            let header = super::proxy_protocol::header_v2(peer, local);
            if let Err(e) = target.write_all(&header).await {
                rec.ended(
                    Outcome::TargetUnreachable,
                    target_error(&self.opts.target, &e),
                );
                close_promptly(&mut tls).await;
                return done(rec, started);
            }
        }
        // rustls may hold as much ciphertext as one forwarding read makes
        // (its default is 64 KiB), so that all of it leaves in one `writev`.
        tls.get_mut().1.set_buffer_limit(Some(forward::SCRATCH));
        let moved = Moved::new(stats);
        let ended = forward::forward(tls, target, limits.idle_timeout, &mut phase, &moved).await;
        rec.bytes_up = moved.up.load(std::sync::atomic::Ordering::Relaxed);
        rec.bytes_down = moved.down.load(std::sync::atomic::Ordering::Relaxed);
        super::forward_ending(&mut rec, ended, limits);
        done(rec, started)
    }
}

impl PreparedServer {
    /// Checks the client's certificate for revocation (cached while the
    /// answers are valid): an error sentence when the connection must be
    /// refused, a warning event when a fresh check leaves it unknown.
    async fn check_client(
        &self,
        tls: &tokio_rustls::server::TlsStream<ReadAhead<TcpStream>>,
        check: crate::tunnel::client::RevocationCheck,
    ) -> std::result::Result<(), String> {
        let certs: Vec<CertificateDer<'static>> = match tls.get_ref().1.peer_certificates() {
            Some(c) if !c.is_empty() => c.iter().map(|c| c.clone().into_owned()).collect(),
            _ => return Ok(()),
        };
        let Some(roots) = current(&self.current).client_roots.clone() else {
            return Ok(());
        };
        let chain = revocation::Chain {
            certs,
            staple: Vec::new(),
            roots,
            server_name: None,
        };
        match check.judge(&self.revocation, &chain).await {
            crate::tunnel::client::Judged::Pass(warnings) => {
                if let Some(events) = self.events.get() {
                    for s in warnings {
                        events.send(Event::Warning { message: s });
                    }
                }
                Ok(())
            }
            crate::tunnel::client::Judged::Refuse { reason, .. } => Err(reason),
        }
    }
}

fn done(mut rec: ConnRecord, started: Instant) -> ConnRecord {
    rec.duration_ms = started.elapsed().as_millis() as u64;
    rec
}

/// Sends close_notify, but never waits long for a client that does not read.
async fn close_promptly(tls: &mut tokio_rustls::server::TlsStream<ReadAhead<TcpStream>>) {
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), tls.shutdown()).await;
}

fn current(slot: &RwLock<Arc<Loaded>>) -> Arc<Loaded> {
    slot.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// The handshake; notes the SNI in `rec` as soon as the ClientHello is read.
async fn handshake(
    tcp: TcpStream,
    config: Arc<ServerConfig>,
    rec: &mut ConnRecord,
) -> std::io::Result<tokio_rustls::server::TlsStream<ReadAhead<TcpStream>>> {
    // Read ahead: a bulk client's records arrive in a few large reads, not
    // 4 KiB at a time; the buffer exists only while it holds data.
    let start = LazyConfigAcceptor::new(
        Acceptor::default(),
        ReadAhead::with_size(tcp, forward::SCRATCH),
    )
    .await?;
    rec.sni = start
        .client_hello()
        .server_name()
        .map(|s| sanitize(s).into_owned());
    start.into_stream(config).await
}

/// Loads the certificate, key and client CA, and builds the rustls config.
fn load(
    opts: &ServerTunnel,
    ephemeral: Option<&(CertificateDer<'static>, PrivateKeyDer<'static>)>,
) -> Result<Loaded> {
    let identity = match (&opts.cert, ephemeral) {
        (Some((cert, key)), _) => Identity {
            chain: files::load_certs(cert)
                .with_context(|| format!("reading --cert '{}'", cert.display()))?,
            key: files::load_key(key)
                .with_context(|| format!("reading --key '{}'", key.display()))?,
        },
        (None, Some((cert, key))) => Identity {
            chain: vec![cert.clone()],
            key: key.clone_key(),
        },
        (None, None) => {
            return Err(fail(
                Failure::Input,
                "no certificate to serve (please report)",
            ));
        }
    };
    let leaf = identity
        .chain
        .first()
        .map(|c| CertSummary::from_der(c))
        .transpose()
        .context("reading the certificate")?
        .ok_or_else(|| fail(Failure::Input, "the certificate file holds no certificate"))?;
    let client_auth = match &opts.client_ca {
        None => ClientAuth::Off,
        Some(path) => ClientAuth::Required(
            files::load_certs(path)
                .with_context(|| format!("reading --client-ca '{}'", path.display()))?,
        ),
    };
    let client_roots = match &client_auth {
        ClientAuth::Required(cas) if opts.revocation.is_some() => Some(Arc::new(
            config::root_store(&config::TrustRoots::Certs(cas.clone()))?,
        )),
        _ => None,
    };
    let rules = opts.allow.clone();
    let Crls {
        lists: crls,
        stale: crl_warnings,
        next_update: crl_next_update,
    } = load_crls(&opts.client_crls)?;
    let ocsp_file = match &opts.ocsp {
        Some(Stapling::File(path)) => Some(read_staple(path, &identity.chain)?),
        _ => None,
    };
    let stapling = match &opts.ocsp {
        Some(Stapling::Auto) => {
            let source = staple::source_for(&identity.chain).map_err(|why| {
                fail(
                    Failure::Argument,
                    format!("--ocsp auto: {}", sanitize(&why)),
                )
            })?;
            let key = Identity {
                chain: identity.chain.clone(),
                key: identity.key.clone_key(),
            }
            .certified_key()?;
            Some((Stapler::new(key), source))
        }
        _ => None,
    };
    let config = config::server_config_with_crls(
        ServerOptions {
            identity,
            client_auth,
            alpn: opts.alpn.clone(),
            versions: opts.versions,
            tickets: true,
            ocsp: ocsp_file,
            keylog: KeyLogTo::Off,
            algorithms: opts.algorithms.clone(),
        },
        crls,
        |inner| Arc::new(AllowingVerifier::new(inner, rules)),
    )
    .map_err(|e| match &opts.cert {
        Some((cert, key)) => tag(
            Failure::Input,
            e.context(format!(
                "key '{}' and certificate '{}'",
                key.display(),
                cert.display()
            )),
        ),
        None => tag(Failure::Input, e),
    })?;
    let not_after = time::OffsetDateTime::parse(
        &leaf.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .ok()
    .map(|t| t.unix_timestamp());
    // With --ocsp auto the stapler presents the certificate (and its staple).
    let config = match &stapling {
        Some((stapler, _)) => {
            let mut with_stapler = ServerConfig::clone(&config);
            with_stapler.cert_resolver = stapler.clone();
            Arc::new(with_stapler)
        }
        None => config,
    };
    Ok(Loaded {
        config,
        stapling,
        client_roots,
        leaf,
        not_after,
        crl_warnings,
        crl_next_update,
    })
}

/// The `--crl` files as read.
pub(crate) struct Crls {
    /// The lists, as DER.
    pub(crate) lists: Vec<rustls::pki_types::CertificateRevocationListDer<'static>>,
    /// A warning for each list past its nextUpdate: clients of its issuer are
    /// refused while it is in use (as OpenSSL's `-crl_check` and stunnel do).
    pub(crate) stale: Vec<String>,
    /// The soonest nextUpdate of the lists, seconds since the epoch.
    pub(crate) next_update: Option<i64>,
}

/// Reads the `--crl` files (PEM or DER), for the TCP and UDP server tunnels.
pub(crate) fn load_crls(paths: &[PathBuf]) -> Result<Crls> {
    let now = time::OffsetDateTime::now_utc();
    let mut crls = Crls {
        lists: Vec::new(),
        stale: Vec::new(),
        next_update: None,
    };
    for path in paths {
        let bytes =
            std::fs::read(path).with_context(|| format!("reading --crl '{}'", path.display()))?;
        let crl = revocation::crl::decode(&bytes).map_err(|r| {
            fail(
                Failure::Input,
                format!("--crl '{}': {}", path.display(), sanitize(&r.detail)),
            )
        })?;
        if let Some((issuer, next)) = revocation::crl::next_update(&crl) {
            let at = next.unix_timestamp();
            crls.next_update = Some(crls.next_update.map_or(at, |t| t.min(at)));
            if next < now {
                crls.stale.push(format!(
                    "--crl '{}' is stale: its nextUpdate ({}) has passed; every client certificate {} issued is refused until a current CRL is loaded (replace the file: it is read again when it changes or on SIGHUP)",
                    path.display(),
                    crate::tls::certinfo::rfc3339(next),
                    sanitize(&issuer)
                ));
            }
        }
        crls.lists.push(crl);
    }
    Ok(crls)
}

/// Reads `--ocsp FILE`: a DER OCSP response that must be a checked, good
/// answer about the served certificate (signed by its issuer, when the chain
/// holds it), within its validity: a client would reject anything else.
fn read_staple(path: &std::path::Path, chain: &[CertificateDer<'static>]) -> Result<Vec<u8>> {
    let der =
        std::fs::read(path).with_context(|| format!("reading --ocsp '{}'", path.display()))?;
    let bad = |why: String| {
        fail(
            Failure::Input,
            format!("--ocsp '{}': {why}", path.display()),
        )
    };
    let leaf = chain
        .first()
        .ok_or_else(|| bad("there is no certificate to staple it for".into()))?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|_| bad("the certificate does not parse".into()))?;
    let now = time::OffsetDateTime::now_utc();
    match revocation::find_issuer(&cert, &chain[1..], &rustls::RootCertStore::empty()) {
        Some(issuer) => {
            let answer = revocation::ocsp::verify(&der, &cert, &issuer, now)
                .map_err(|r| bad(sanitize(&r.detail).into_owned()))?;
            if answer.status != revocation::Status::Good {
                return Err(bad(format!(
                    "the response says the certificate is {}; it is not stapled",
                    if answer.status == revocation::Status::Revoked {
                        "revoked"
                    } else {
                        "unknown"
                    }
                )));
            }
        }
        None => {
            let s = crate::tls::ocsp::parse_for_leaf(&der, Some(leaf.as_ref()))
                .map_err(|e| bad(format!("not an OCSP response: {e}")))?;
            if !s.matches_leaf || s.cert_status != Some(crate::tls::ocsp::CertStatus::Good) {
                return Err(bad(
                    "the response is not a good answer about this certificate".into(),
                ));
            }
            if s.next_update
                .as_deref()
                .is_some_and(|t| crate::tls::ocsp::is_before(t, now))
            {
                return Err(bad(
                    "the response has expired (its nextUpdate has passed)".into()
                ));
            }
        }
    }
    Ok(der)
}

/// Why a client's handshake failed, in a sentence about the client.
fn handshake_reason(e: &std::io::Error) -> String {
    use rustls::Error as E;
    let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) else {
        return match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                "the client closed the connection during the TLS handshake".to_string()
            }
            std::io::ErrorKind::ConnectionReset => {
                "the client reset the connection during the TLS handshake".to_string()
            }
            _ => format!("the TLS handshake failed: {e}"),
        };
    };
    match tls {
        E::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType
            | rustls::InvalidMessage::UnknownProtocolVersion,
        ) => "the client did not speak TLS (it sent something other than a ClientHello)"
            .to_string(),
        E::InvalidMessage(_) => "the client sent a malformed TLS message".to_string(),
        E::NoCertificatesPresented => {
            "the client sent no certificate, and --client-ca requires one".to_string()
        }
        E::InvalidCertificate(ce) => client_cert_reason(ce),
        E::AlertReceived(a) => format!(
            "the client aborted the handshake (alert: {}); it may not trust this server's certificate",
            crate::tls::explain::alert_name(&format!("{a:?}"))
        ),
        E::PeerIncompatible(_) => {
            "the client offers nothing in common with this server (TLS 1.2/1.3 only)".to_string()
        }
        E::NoApplicationProtocol => {
            "the client offers none of the ALPN protocols this tunnel accepts".to_string()
        }
        other => format!("the TLS handshake failed: {other}"),
    }
}

/// Why a client certificate did not verify.
fn client_cert_reason(ce: &CertificateError) -> String {
    use CertificateError as C;
    let why = match ce {
        C::UnknownIssuer => "it was not issued by a CA in --client-ca".to_string(),
        C::Expired | C::ExpiredContext { .. } => "it has expired".to_string(),
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet".to_string(),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "it is not for client authentication (its extended key usage lacks clientAuth)"
                .to_string()
        }
        C::Revoked => "it has been revoked".to_string(),
        C::ExpiredRevocationList | C::ExpiredRevocationListContext { .. } => {
            "the --crl of its issuer is stale (past its nextUpdate), and no client of that CA is let in until a current one is loaded".to_string()
        }
        C::BadSignature => "its signature does not verify".to_string(),
        C::BadEncoding => "it does not parse".to_string(),
        _ => "it did not verify against --client-ca".to_string(),
    };
    format!("the client certificate was refused: {why}")
}
