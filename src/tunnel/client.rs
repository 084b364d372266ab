//! Client mode: a local plaintext port; each connection accepted there opens
//! a verified TLS (optionally mTLS) connection to the target through
//! [`crate::tls::dial`], as `tlskit connect` does, and forwards both ways.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use anyhow::{Context, Result};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::forward::{self, Moved};
use super::{
    run_loop, Conn, ConnRecord, Control, Event, Events, Limits, Mode, Outcome, Stats, Summary,
};
use crate::revocation;
use crate::tls::algorithms::Algorithms;
use crate::tls::config::{self, ClientOptions, Identity, KeyLogTo, TrustRoots, Versions};
use crate::tls::dial::{self, DialOptions};
use crate::tls::error::{kind_of, Failure};
use crate::tls::files;
use crate::tls::pin::Pin;
use crate::tls::target::Target as TlsTarget;

/// After a TLS 1.3 handshake in which the server asked for our certificate,
/// how long to wait for its verdict (a ticket, data, or an alert) before
/// forwarding: long enough for a refusal to be logged as one, short enough
/// not to delay every connection to a server that sends no tickets.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(300);

/// What verifies the target's certificate.
#[derive(Debug, Clone)]
pub enum Roots {
    /// Mozilla's roots, embedded.
    Webpki,
    /// The platform's store.
    System,
    /// The CA certificates in this file (reloaded on request).
    File(PathBuf),
}

/// Everything a client tunnel is asked to do.
#[derive(Debug, Clone)]
pub struct ClientTunnel {
    /// The TLS server, and the name verified.
    pub target: TlsTarget,
    /// Trust anchors.
    pub roots: Roots,
    /// SPKI pins (any match passes; a matching pin also trusts a certificate no CA signed).
    pub pins: Vec<Pin>,
    /// Client certificate and key files for mTLS.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// ALPN protocols offered.
    pub alpn: Vec<Vec<u8>>,
    /// Versions offered.
    pub versions: Versions,
    /// Groups and suites.
    pub algorithms: Algorithms,
    /// Limits and timeouts (`connect_timeout` bounds TCP + TLS to the target).
    pub limits: Limits,
    /// Check the target's chain for revocation before forwarding anything.
    pub revocation: Option<RevocationCheck>,
}

/// `--check-revocation`: how the target's chain is checked at each connection.
#[derive(Debug, Clone, Copy)]
pub struct RevocationCheck {
    /// Whether an unknown status refuses the connection.
    pub mode: revocation::Mode,
    /// Fetch nothing (only a stapled response can answer).
    pub offline: bool,
    /// The bound on each fetch.
    pub timeout: std::time::Duration,
}

/// What a tunnel's revocation check decided about one chain.
#[derive(Debug)]
pub(crate) enum Judged {
    /// Go on; the sentences deserve a warning (a fresh check left a status unknown).
    Pass(Vec<String>),
    /// Refuse, and why.
    Refuse {
        /// A certificate is revoked (rather than of unknown status under =require).
        revoked: bool,
        /// The sentence.
        reason: String,
    },
}

impl RevocationCheck {
    /// Checks `chain` (the answer cached in `cache` while valid) and judges
    /// the report under the mode: the TCP and UDP tunnels' one rule.
    pub(crate) async fn judge(
        self,
        cache: &revocation::Cache,
        chain: &revocation::Chain,
    ) -> Judged {
        let opts = revocation::Options {
            timeout: self.timeout,
            offline: self.offline,
        };
        let (report, cached) = cache.check(chain, opts).await;
        let (severity, sentences) = report.judge(self.mode);
        match severity {
            revocation::Severity::Ok => Judged::Pass(Vec::new()),
            // A cached unknown was warned about when it was fetched.
            revocation::Severity::Warning if cached => Judged::Pass(Vec::new()),
            revocation::Severity::Warning => Judged::Pass(sentences),
            revocation::Severity::Failure => Judged::Refuse {
                revoked: false,
                reason: format!("{} (--check-revocation=require)", sentences.join("; ")),
            },
            revocation::Severity::Critical => Judged::Refuse {
                revoked: true,
                reason: sentences.join("; "),
            },
        }
    }
}

/// The files as loaded; replaced whole on reload.
struct Loaded {
    roots: TrustRoots,
    /// The same anchors as a store, for checking OCSP and CRL answers.
    store: Arc<rustls::RootCertStore>,
    identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
}

/// A client config with the record its verifier fills in during a handshake.
type Config = (Arc<rustls::ClientConfig>, crate::tls::verify::Observations);

/// Configs not in use, each good for one handshake at a time. Reusing them
/// lets connections resume TLS sessions with the target (rustls resumes only
/// with the config that made the session); a reload empties the pool.
#[derive(Default)]
struct Pool {
    idle: Vec<Config>,
    /// Bumped on reload: configs made before it are not returned to the pool.
    generation: u64,
}

/// At most this many idle configs are kept.
const POOL_MAX: usize = 64;

/// A client tunnel with its files loaded, ready to run.
pub struct PreparedClient {
    opts: ClientTunnel,
    current: RwLock<Arc<Loaded>>,
    pool: std::sync::Mutex<Pool>,
    /// Revocation answers, reused while valid.
    revocation: revocation::Cache,
    /// Where warnings go (set when the tunnel runs).
    events: std::sync::OnceLock<Events>,
}

impl PreparedClient {
    /// Loads the files and checks that a configuration can be built from them.
    pub fn prepare(opts: ClientTunnel) -> Result<PreparedClient> {
        let loaded = load(&opts)?;
        let prepared = PreparedClient {
            opts,
            current: RwLock::new(Arc::new(loaded)),
            pool: Default::default(),
            revocation: Default::default(),
            events: Default::default(),
        };
        // Fail now, not at the first connection, if the files do not fit together.
        prepared.client_config()?;
        Ok(prepared)
    }

    /// A config from the pool, or a new one, and the pool's generation.
    fn take_config(&self) -> Result<(Config, u64)> {
        let generation = {
            let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = pool.idle.pop() {
                return Ok((c, pool.generation));
            }
            pool.generation
        };
        Ok((self.client_config()?, generation))
    }

    /// Returns a config after its handshake, unless a reload came in between.
    fn give_back(&self, config: Config, generation: u64) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        if pool.generation == generation && pool.idle.len() < POOL_MAX {
            pool.idle.push(config);
        }
    }

    /// A new config. Each one records its own handshake, so that a failure is
    /// explained with what that handshake saw: one handshake at a time per config.
    fn client_config(
        &self,
    ) -> Result<(Arc<rustls::ClientConfig>, crate::tls::verify::Observations)> {
        let loaded = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        config::client_config(ClientOptions {
            roots: loaded.roots.clone(),
            accept_unverified: None,
            pins: self.opts.pins.clone(),
            trust_first_use: false,
            identity: loaded.identity.as_ref().map(|(chain, key)| Identity {
                chain: chain.clone(),
                key: key.clone_key(),
            }),
            alpn: self.opts.alpn.clone(),
            versions: self.opts.versions,
            no_sni: false,
            keylog: KeyLogTo::Off,
            algorithms: self.opts.algorithms.clone(),
            verify_once: false,
        })
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
        let l = &self.opts.limits;
        let ready = super::client_ready(
            super::Transport::Tcp,
            listener.local_addr(),
            &self.opts.target,
            self.opts.identity.is_some(),
            l,
        );
        events.important(Event::Ready(ready)).await;
        let stats = Arc::new(Stats::default());
        let _ = self.events.set(events.clone());
        let shared = Arc::new(self);
        let status_task = super::status::start(
            status,
            Mode::Client,
            &stats,
            Arc::new(super::status::Deadlines::default),
            &events,
        )
        .await;
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
        if let Roots::File(ca) = &shared.opts.roots {
            watched.push(ca.clone());
        }
        if let Some((cert, key)) = &shared.opts.identity {
            watched.extend([cert.clone(), key.clone()]);
        }
        let summary = run_loop(
            listener, watched, &limits, stats, &events, control, handle, reload,
        )
        .await;
        drop(status_task);
        summary
    }

    fn reload(&self) -> Event {
        match load(&self.opts) {
            Ok(loaded) => {
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(loaded);
                let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
                pool.idle.clear();
                pool.generation += 1;
                Event::Reloaded {
                    certificate: None,
                    warnings: Vec::new(),
                }
            }
            Err(e) => Event::ReloadFailed {
                reason: format!("{e:#}; still using the previous files"),
            },
        }
    }

    async fn connection(&self, conn: Conn) -> ConnRecord {
        let Conn {
            tcp,
            peer,
            mut phase,
            stats,
            ..
        } = conn;
        let started = Instant::now();
        let limits = &self.opts.limits;
        let mut rec = ConnRecord::new(peer);
        let _ = tcp.set_nodelay(true);
        let server_name = self.opts.target.server_name_str();
        rec.sni = self.opts.target.name_is_dns().then(|| server_name.clone());
        let ((config, observations), generation) = match self.take_config() {
            Ok(c) => c,
            Err(e) => {
                rec.ended(Outcome::Error, format!("{e:#}"));
                return done(rec, started);
            }
        };
        let opts = DialOptions::new(self.opts.target.clone(), limits.connect_timeout);
        let result = dial::dial_settling(config.clone(), &observations, &opts, SETTLE).await;
        self.give_back((config, observations), generation);
        let dialed = match result {
            Ok(d) => d,
            Err(f) => {
                // The same sentence `tlskit connect` gives; the local client is closed at once.
                let outcome = match kind_of(&f.error) {
                    Some(Failure::Network) | None => Outcome::TargetUnreachable,
                    _ => Outcome::HandshakeFailed,
                };
                rec.ended(outcome, format!("{:#}", f.error));
                return done(rec, started);
            }
        };
        if let Some(h) = &dialed.report.handshake {
            rec.version = Some(super::Version::Tls(h.protocol));
            rec.suite = Some(h.cipher_suite.clone());
            rec.alpn = h.alpn.clone();
        }
        rec.resumed = Some(
            dialed.stream.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
        );
        // Before a byte of the client is read: a revoked target gets nothing.
        if let Some(check) = self.opts.revocation {
            if let Err(why) = self.check_revocation(&dialed, check).await {
                rec.ended(Outcome::RevocationRefused, why);
                let mut stream = dialed.stream;
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), stream.shutdown())
                    .await;
                return done(rec, started);
            }
        }
        let mut tcp = tcp;
        if !dialed.early_data.is_empty() {
            if let Err(e) = tcp.write_all(&dialed.early_data).await {
                rec.ended(
                    Outcome::Error,
                    format!("the client {}", super::io_reason(&e)),
                );
                return done(rec, started);
            }
            rec.bytes_down += dialed.early_data.len() as u64;
            stats.moved_down(dialed.early_data.len() as u64);
        }
        let moved = Moved::new(stats);
        let ended =
            forward::forward(tcp, dialed.stream, limits.idle_timeout, &mut phase, &moved).await;
        rec.bytes_up = moved.up.load(std::sync::atomic::Ordering::Relaxed);
        rec.bytes_down += moved.down.load(std::sync::atomic::Ordering::Relaxed);
        super::forward_ending(&mut rec, ended, limits);
        done(rec, started)
    }
}

impl PreparedClient {
    /// Checks the target's chain (cached while its answers are valid): an
    /// error sentence when the connection must be refused; a warning event
    /// when a fresh check leaves a status unknown.
    async fn check_revocation(
        &self,
        dialed: &dial::Dialed,
        check: RevocationCheck,
    ) -> std::result::Result<(), String> {
        let observed = &dialed.report.observed;
        if observed.trusted_by_pin {
            return Ok(());
        }
        // A resumed session carries the chain of the handshake that made it.
        let certs: Vec<CertificateDer<'static>> =
            match dialed.stream.get_ref().1.peer_certificates() {
                Some(c) if !c.is_empty() => c.iter().map(|c| c.clone().into_owned()).collect(),
                _ => observed.chain.clone(),
            };
        if certs.is_empty() {
            return match check.mode {
                revocation::Mode::Require => Err(
                    "the target's certificate could not be checked for revocation (no chain seen) (--check-revocation=require)"
                        .into(),
                ),
                revocation::Mode::Warn => Ok(()),
            };
        }
        let loaded = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let server_name = self.opts.target.server_name.clone();
        let chain = revocation::Chain {
            certs,
            staple: observed.ocsp.clone(),
            roots: loaded.store.clone(),
            server_name: Some(server_name),
        };
        match check.judge(&self.revocation, &chain).await {
            Judged::Pass(warnings) => {
                if let Some(events) = self.events.get() {
                    for s in warnings {
                        events.send(Event::Warning {
                            message: format!("target {}: {s}", self.opts.target),
                        });
                    }
                }
                Ok(())
            }
            Judged::Refuse { reason, .. } => Err(format!("refused to forward: {reason}")),
        }
    }
}

fn done(mut rec: ConnRecord, started: Instant) -> ConnRecord {
    rec.duration_ms = started.elapsed().as_millis() as u64;
    rec
}

fn load(opts: &ClientTunnel) -> Result<Loaded> {
    let roots = load_roots(&opts.roots)?;
    let identity = match &opts.identity {
        None => None,
        Some((cert, key)) => Some(load_identity(cert, key)?),
    };
    let store = Arc::new(config::root_store(&roots)?);
    Ok(Loaded {
        roots,
        store,
        identity,
    })
}

/// The certificate chain and key files of `--cert` and `--key`.
pub(crate) fn load_identity(
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    Ok((
        files::load_certs(cert).with_context(|| format!("reading --cert '{}'", cert.display()))?,
        files::load_key(key).with_context(|| format!("reading --key '{}'", key.display()))?,
    ))
}

/// The trust anchors `roots` names, read now.
pub(crate) fn load_roots(roots: &Roots) -> Result<TrustRoots> {
    Ok(match roots {
        Roots::Webpki => TrustRoots::Webpki,
        Roots::File(path) => TrustRoots::Certs(
            files::load_certs(path)
                .with_context(|| format!("reading --ca '{}'", path.display()))?,
        ),
        // Read once: the store is large, and a connection should not wait for it.
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            if found.certs.is_empty() {
                anyhow::bail!("the system trust store holds no usable certificate");
            }
            TrustRoots::Certs(found.certs)
        }
    })
}
