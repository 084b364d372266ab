//! What only a completed handshake shows, learnt with real rustls
//! handshakes dialled through `tls::dial` (the same code as `connect`): the
//! verification verdict, the chain and OCSP staple, ALPN, whether a client
//! certificate is asked for or required, and session resumption.

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, Tls12Resumption, WebPkiServerVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::probe::Endpoint;
use crate::tls::config::{self, ClientOptions, TrustRoots, Versions};
use crate::tls::dial::{self, DialOptions};
use crate::tls::error::{self, Failure};
use crate::tls::handshake::Kind;
use crate::tls::handshake::{HandshakeInfo, Protocol};
use crate::tls::starttls::StartTls;
use crate::tls::target::Target;
use crate::tls::verify::{Observations, Observed, RecordingVerifier};

/// What every rustls handshake of a scan shares.
#[derive(Debug, Clone)]
pub struct TlsSetup {
    /// The target (its name is sent as SNI and verified).
    pub target: Target,
    /// The address every dial goes to (resolved once, so all probes meet the same server).
    pub address: (String, u16),
    /// Trust anchors for the verdict.
    pub roots: TrustRoots,
    /// SPKI pins that vouch for the certificate as `connect --pin` does (a
    /// pin that matches nothing makes the verdict "not verified"; every probe
    /// still runs).
    pub pins: Vec<crate::tls::pin::Pin>,
    /// A plaintext preamble before TLS.
    pub starttls: Option<StartTls>,
    /// More names to ask for a certificate by SNI (each the target with that name).
    pub names: Vec<crate::tls::target::Target>,
}

/// One handshake's outcome.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// What was negotiated, when the handshake completed.
    pub info: Option<HandshakeInfo>,
    /// Why it failed, as a sentence, when it did.
    pub error: Option<String>,
    /// The kind of failure (handshake, network, verification), when it failed.
    pub failure: Option<Failure>,
    /// The alert the server sent, when one ended the handshake.
    pub alert: Option<rustls::AlertDescription>,
    /// What the verifier saw: chain, OCSP staple, verdict, client-certificate request.
    pub observed: Observed,
    /// TLS 1.3 session tickets received.
    pub tls13_tickets: u32,
}

impl Outcome {
    /// Whether the handshake completed.
    pub fn completed(&self) -> bool {
        self.info.is_some() && self.error.is_none()
    }
}

/// A client config for scanning: verification recorded, not enforced.
struct Client {
    config: Arc<ClientConfig>,
    observed: Observations,
}

fn client(
    setup: &TlsSetup,
    versions: Versions,
    alpn: &[&[u8]],
    tls12: Tls12Resumption,
) -> anyhow::Result<Client> {
    let opts = ClientOptions {
        roots: setup.roots.clone(),
        // A scan must see and grade a chain whether or not it verifies.
        accept_unverified: Some(crate::tls::danger::accept_unverified()),
        alpn: alpn.iter().map(|p| p.to_vec()).collect(),
        versions,
        ..ClientOptions::default()
    };
    let (config, observed) = config::client_config(opts)?;
    let mut config = (*config).clone();
    config.resumption = Resumption::in_memory_sessions(16).tls12_resumption(tls12);
    Ok(Client {
        config: Arc::new(config),
        observed,
    })
}

/// How long to wait after a TLS 1.3 handshake for the server's tickets:
/// servers send them as soon as they read the client's Finished, so a few
/// round trips suffice; a server that issues none costs only that.
fn ticket_wait(ep: &Endpoint) -> Duration {
    let rtt = ep.min_rtt().unwrap_or(Duration::from_millis(50));
    (rtt * 4)
        .clamp(Duration::from_millis(30), Duration::from_millis(600))
        .min(ep.timeout)
}

/// One handshake with `client`, holding one of the endpoint's slots. After a
/// TLS 1.3 handshake it waits a few round trips for what follows the
/// server's Finished: its tickets, or the alert of a server that requires a
/// client certificate.
async fn handshake(ep: &Endpoint, setup: &TlsSetup, client: &Client) -> Outcome {
    let _slot = ep.slot().await;
    let opts = DialOptions {
        target: setup.target.clone(),
        connect_to: Some(setup.address.clone()),
        timeout: ep.timeout,
        starttls: setup.starttls,
        await_ticket: true,
    };
    let dialed = dial::dial_settling(
        client.config.clone(),
        &client.observed,
        &opts,
        ticket_wait(ep),
    )
    .await;
    let mut dialed = match dialed {
        Ok(d) => d,
        Err(f) => {
            return Outcome {
                info: f.report.handshake.clone(),
                failure: error::kind_of(&f.error),
                error: Some(format!("{:#}", f.error)),
                alert: alert_in_text(&f.error),
                observed: f.report.observed.clone(),
                tls13_tickets: 0,
            };
        }
    };
    let out = Outcome {
        info: dialed.report.handshake.clone(),
        observed: dialed.report.observed.clone(),
        tls13_tickets: dialed.stream.get_ref().1.tls13_tickets_received(),
        ..Outcome::default()
    };
    let _ = tokio::time::timeout(Duration::from_millis(50), dialed.stream.shutdown()).await;
    out
}

/// The alert that ended a dial: `dial` turns rustls errors into sentences
/// that end with "(alert: NAME)".
fn alert_in_text(err: &anyhow::Error) -> Option<rustls::AlertDescription> {
    let text = format!("{err:#}").to_ascii_lowercase();
    if text.contains("certificate_required") || text.contains("certificaterequired") {
        Some(rustls::AlertDescription::CertificateRequired)
    } else if text.contains("no_application_protocol") || text.contains("noapplicationprotocol") {
        Some(rustls::AlertDescription::NoApplicationProtocol)
    } else {
        None
    }
}

/// The main handshake: what a browser would offer (TLS 1.3 and 1.2, h2 and
/// http/1.1), then a second one to see whether the session resumes.
#[derive(Debug, Clone, Default)]
pub struct MainFacts {
    /// The first handshake.
    pub first: Outcome,
    /// Whether the second handshake resumed the first one's session.
    pub resumed: Option<bool>,
}

/// Runs the main handshake and the resumption attempt.
pub async fn main_handshake(ep: &Endpoint, setup: &TlsSetup) -> anyhow::Result<MainFacts> {
    let c = client(
        setup,
        Versions::Both,
        &[b"h2", b"http/1.1"],
        Tls12Resumption::SessionIdOrTickets,
    )?;
    let first = handshake(ep, setup, &c).await;
    let resumable = first.completed()
        && (first.tls13_tickets > 0
            || first
                .info
                .as_ref()
                .is_some_and(|i| i.protocol != Protocol::Tls13));
    let resumed = if resumable {
        resumes(|| async {
            let second = handshake(ep, setup, &c).await;
            second.info.map(|i| i.handshake_kind == Kind::Resumed)
        })
        .await
    } else if first.completed() {
        // TLS 1.3 without a ticket: nothing to resume with.
        Some(false)
    } else {
        None
    };
    Ok(MainFacts { first, resumed })
}

/// Whether a TLS 1.2 session resumes by session ID (`tickets` false) or by ticket.
pub async fn tls12_resumption(
    ep: &Endpoint,
    setup: &TlsSetup,
    tickets: bool,
) -> anyhow::Result<Option<bool>> {
    let mode = if tickets {
        Tls12Resumption::SessionIdOrTickets
    } else {
        Tls12Resumption::SessionIdOnly
    };
    let c = client(setup, Versions::Tls12, &[], mode)?;
    let first = handshake(ep, setup, &c).await;
    if !first.completed() {
        return Ok(None);
    }
    Ok(resumes(|| async {
        let second = handshake(ep, setup, &c).await;
        second.info.map(|i| i.handshake_kind == Kind::Resumed)
    })
    .await)
}

/// Resumption attempts before a server is said not to resume: a server
/// whose session cache or ticket keys are shared between workers, or that
/// stores a session only after the first connection is fully closed, can
/// miss one attempt and still resume.
pub const RESUMPTION_ATTEMPTS: usize = 3;

/// Runs `attempt` until a session resumes (`Some(true)`), at most
/// [`RESUMPTION_ATTEMPTS`] times; the last answer otherwise.
pub async fn resumes<F, Fut>(mut attempt: F) -> Option<bool>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<bool>>,
{
    let mut last = None;
    for _ in 0..RESUMPTION_ATTEMPTS {
        last = attempt().await;
        if last == Some(true) {
            break;
        }
    }
    last
}

/// The kinds of key a server certificate can have, each asked for by
/// offering only its signature schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// RSA (PKCS#1 and PSS signatures).
    Rsa,
    /// ECDSA on a NIST curve.
    Ecdsa,
    /// Ed25519.
    Ed25519,
}

impl KeyKind {
    /// Every kind, in the order they are asked for.
    pub const ALL: [KeyKind; 3] = [KeyKind::Ecdsa, KeyKind::Rsa, KeyKind::Ed25519];

    /// The kind as written in a sentence (`RSA`, `ECDSA`, `Ed25519`).
    pub fn name(self) -> &'static str {
        match self {
            KeyKind::Rsa => "RSA",
            KeyKind::Ecdsa => "ECDSA",
            KeyKind::Ed25519 => "Ed25519",
        }
    }

    /// The kind of the key in a certificate.
    pub fn of_certificate(der: &[u8]) -> Option<KeyKind> {
        let cert = crate::tls::x509info::parse_cert(der).ok()?;
        let oid = cert
            .tbs_certificate
            .subject_pki
            .algorithm
            .algorithm
            .to_id_string();
        match oid.as_str() {
            "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => Some(KeyKind::Rsa),
            "1.2.840.10045.2.1" => Some(KeyKind::Ecdsa),
            "1.3.101.112" => Some(KeyKind::Ed25519),
            _ => None,
        }
    }

    fn allows(self, s: SignatureScheme) -> bool {
        use SignatureScheme as S;
        match self {
            KeyKind::Rsa => matches!(
                s,
                S::RSA_PKCS1_SHA256
                    | S::RSA_PKCS1_SHA384
                    | S::RSA_PKCS1_SHA512
                    | S::RSA_PSS_SHA256
                    | S::RSA_PSS_SHA384
                    | S::RSA_PSS_SHA512
            ),
            KeyKind::Ecdsa => matches!(
                s,
                S::ECDSA_NISTP256_SHA256 | S::ECDSA_NISTP384_SHA384 | S::ECDSA_NISTP521_SHA512
            ),
            KeyKind::Ed25519 => s == S::ED25519,
        }
    }
}

/// A verifier that offers only one kind of key's signature schemes, so that
/// a server with several certificates presents the one of that kind.
#[derive(Debug)]
struct OneKeyKind {
    inner: RecordingVerifier,
    kind: KeyKind,
}

impl ServerCertVerifier for OneKeyKind {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self.inner.supported_verify_schemes();
        schemes.retain(|s| self.kind.allows(*s));
        schemes
    }
}

/// A handshake offering only `kind`'s signature schemes: what a server with
/// a certificate of that kind presents (or a refusal when it has none).
pub async fn certificate_of_kind(
    ep: &Endpoint,
    setup: &TlsSetup,
    kind: KeyKind,
) -> anyhow::Result<Outcome> {
    let c = client(setup, Versions::Both, &[], Tls12Resumption::Disabled)?;
    let store = config::root_store(&setup.roots)?;
    let webpki =
        WebPkiServerVerifier::builder_with_provider(Arc::new(store), crate::tls::provider())
            .build()?;
    let recording = RecordingVerifier::new(
        webpki,
        Vec::new(),
        Some(crate::tls::danger::accept_unverified()),
        c.observed.clone(),
    );
    let mut cfg = (*c.config).clone();
    cfg.dangerous()
        .set_certificate_verifier(Arc::new(OneKeyKind {
            inner: recording,
            kind,
        }));
    let limited = Client {
        config: Arc::new(cfg),
        observed: c.observed,
    };
    Ok(handshake(ep, setup, &limited).await)
}

/// A handshake that sends `target`'s name as SNI: the certificate the server presents
/// for that name (verified against it, recorded whether or not it verifies).
pub async fn certificate_for_name(ep: &Endpoint, named: &TlsSetup) -> anyhow::Result<Outcome> {
    let c = client(named, Versions::Both, &[], Tls12Resumption::Disabled)?;
    Ok(handshake(ep, named, &c).await)
}

impl TlsSetup {
    /// The same setup for another name (sent as SNI and verified against).
    pub fn for_name(&self, target: &crate::tls::target::Target) -> TlsSetup {
        TlsSetup {
            target: target.clone(),
            address: self.address.clone(),
            roots: self.roots.clone(),
            pins: self.pins.clone(),
            starttls: self.starttls,
            names: Vec::new(),
        }
    }
}

/// Whether the server accepts `proto` when it is the only ALPN protocol offered.
pub async fn alpn_accepts(
    ep: &Endpoint,
    setup: &TlsSetup,
    proto: &[u8],
) -> anyhow::Result<Option<bool>> {
    let c = client(setup, Versions::Both, &[proto], Tls12Resumption::Disabled)?;
    let out = handshake(ep, setup, &c).await;
    Ok(match (&out.info, out.alert) {
        (Some(info), _) => Some(info.alpn.as_deref().map(str::as_bytes) == Some(proto)),
        (None, Some(rustls::AlertDescription::NoApplicationProtocol)) => Some(false),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn a_server_that_misses_one_resumption_is_still_said_to_resume() {
        let tries = Cell::new(0);
        let answer = run(resumes(|| {
            tries.set(tries.get() + 1);
            let n = tries.get();
            async move { Some(n >= 2) }
        }));
        assert_eq!(answer, Some(true));
        assert_eq!(tries.get(), 2);
    }

    #[test]
    fn a_server_that_never_resumes_is_asked_a_bounded_number_of_times() {
        let tries = Cell::new(0);
        let answer = run(resumes(|| {
            tries.set(tries.get() + 1);
            async { Some(false) }
        }));
        assert_eq!(answer, Some(false));
        assert_eq!(tries.get(), RESUMPTION_ATTEMPTS);
    }
}
