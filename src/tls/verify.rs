//! Verification that records what it saw: the chain as presented, the
//! stapled OCSP response, the verdict, pins, and whether the server asked
//! for a client certificate. rustls shows a client the OCSP staple only
//! inside `ServerCertVerifier`, so the WebPKI verifier is wrapped here.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

use super::danger::AcceptUnverified;
use super::pin::Pin;

/// What the client saw during one handshake.
#[derive(Debug, Default, Clone)]
pub struct Observed {
    /// The chain as the server sent it, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The stapled OCSP response, DER (empty when none was stapled).
    pub ocsp: Vec<u8>,
    /// `None` when verification never ran; `Some(Ok)` or the error otherwise.
    pub verdict: Option<Result<(), Error>>,
    /// Whether a pin was given and one matched.
    pub pin_matched: Option<bool>,
    /// Whether the pin alone vouched for a certificate no trusted CA signed.
    pub trusted_by_pin: bool,
    /// Whether the server sent a CertificateRequest.
    pub client_cert_requested: bool,
    /// The CA names the server hinted in its CertificateRequest.
    pub client_ca_hints: Vec<DistinguishedName>,
    /// Whether we sent a certificate in answer.
    pub client_cert_sent: bool,
    /// What the client was restricted to offer (to explain a refusal).
    pub offered: Offered,
}

/// The restrictions the caller put on the ClientHello, so that a refusal can
/// say the server was offered less than tlskit would offer by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Offered {
    /// The versions offered (`--tls12`/`--tls13` restrict them).
    pub versions: super::config::Versions,
    /// Whether only the groups given with `--groups` were offered.
    pub groups_restricted: bool,
    /// Whether only the suites given with `--suites` were offered.
    pub suites_restricted: bool,
}

impl Offered {
    /// "only TLS 1.3 was offered, because of --tls13", or `None` with no restriction.
    pub fn restriction(&self) -> Option<String> {
        use super::config::Versions;
        let mut parts = Vec::new();
        match self.versions {
            Versions::Both => {}
            Versions::Tls13 => parts.push("only TLS 1.3 was offered, because of --tls13"),
            Versions::Tls12 => parts.push("only TLS 1.2 was offered, because of --tls12"),
        }
        if self.groups_restricted {
            parts.push("only the key-exchange groups given with --groups were offered");
        }
        if self.suites_restricted {
            parts.push("only the cipher suites given with --suites were offered");
        }
        if parts.is_empty() {
            None
        } else {
            Some(parts.join("; "))
        }
    }
}

/// Shared, lockable record of a handshake's observations.
pub type Observations = Arc<Mutex<Observed>>;

/// Locks the record, surviving a panicked holder (the data is plain values).
pub fn lock(obs: &Observations) -> std::sync::MutexGuard<'_, Observed> {
    obs.lock().unwrap_or_else(|p| p.into_inner())
}

/// A pin that matched no certificate of the chain.
#[derive(Debug)]
pub struct PinMismatch {
    /// The pins of every certificate the server presented, leaf first.
    pub seen: Vec<Pin>,
}

impl std::fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no certificate in the chain matches the pin; the server presented"
        )?;
        for (i, p) in self.seen.iter().enumerate() {
            write!(f, "{}{p}", if i == 0 { " " } else { ", " })?;
        }
        Ok(())
    }
}

impl std::error::Error for PinMismatch {}

/// Finds a [`PinMismatch`] inside a rustls error.
pub fn as_pin_mismatch(err: &Error) -> Option<&PinMismatch> {
    match err {
        Error::InvalidCertificate(CertificateError::Other(other)) => {
            let inner: &(dyn std::error::Error + 'static) = &*other.0;
            inner.downcast_ref::<PinMismatch>()
        }
        _ => None,
    }
}

/// Whether a rustls error is a pin failure: no pin matched ([`PinMismatch`]), or
/// the one that matched is a CA the server's certificate does not chain up to
/// ([`PinNotIssuer`]). Both exit 6.
pub fn is_pin_failure(err: &Error) -> bool {
    match err {
        Error::InvalidCertificate(CertificateError::Other(other)) => {
            let inner: &(dyn std::error::Error + 'static) = &*other.0;
            inner.is::<PinMismatch>() || inner.is::<PinNotIssuer>()
        }
        _ => false,
    }
}

/// The server-certificate verifier of every tlskit client.
#[derive(Debug)]
pub struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    algorithms: WebPkiSupportedAlgorithms,
    pins: Vec<Pin>,
    accept_unverified: Option<AcceptUnverified>,
    first_use: bool,
    observed: Observations,
}

impl RecordingVerifier {
    /// Wraps `inner`; `pins` are checked on top; `accept_unverified` makes failures report-only.
    pub fn new(
        inner: Arc<WebPkiServerVerifier>,
        pins: Vec<Pin>,
        accept_unverified: Option<AcceptUnverified>,
        observed: Observations,
    ) -> RecordingVerifier {
        RecordingVerifier {
            inner,
            algorithms: super::provider().signature_verification_algorithms,
            pins,
            accept_unverified,
            first_use: false,
            observed,
        }
    }

    /// Trust on first use: with no pin to check, a certificate no trusted CA
    /// signed is accepted as a pin would accept it (in date, valid for the
    /// name), so that its pin can be recorded. Only `connect --tofu` sets this,
    /// and only when the pin store has nothing for the server yet.
    pub fn trust_first_use(mut self, yes: bool) -> RecordingVerifier {
        self.first_use = yes;
        self
    }

    /// Whether a pin matches the chain: the leaf's own key, or the key of a
    /// certificate of the chain that the leaf chains up to (an intermediate or
    /// root the server sent is public: anyone can append it to a leaf of their own).
    fn check_pins(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<Option<bool>, Error> {
        if self.pins.is_empty() {
            return Ok(None);
        }
        let chain = std::iter::once(end_entity).chain(intermediates);
        let mut seen = Vec::with_capacity(intermediates.len() + 1);
        let mut not_issuer = None;
        for (i, cert) in chain.enumerate() {
            let pin = Pin::of_cert(cert)
                .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
            if self.pins.contains(&pin) {
                let at = moment_valid(end_entity, now);
                if i == 0 || issued_under(cert, end_entity, intermediates, server_name, at) {
                    return Ok(Some(true));
                }
                not_issuer.get_or_insert_with(|| subject_of(cert));
            }
            seen.push(pin);
        }
        let error: Arc<dyn std::error::Error + Send + Sync> = match not_issuer {
            Some(subject) => Arc::new(PinNotIssuer { subject }),
            None => Arc::new(PinMismatch { seen }),
        };
        Err(Error::InvalidCertificate(CertificateError::Other(
            rustls::OtherError(error),
        )))
    }
}

/// A pin matched a CA certificate the server sent, but the server's own
/// certificate does not chain up to that CA.
#[derive(Debug)]
pub struct PinNotIssuer {
    /// The subject of the certificate the pin matched.
    pub subject: String,
}

impl std::fmt::Display for PinNotIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the pin matches {}, which the server sent, but the server's certificate does not chain up to it (a pinned CA vouches only for certificates it issued)",
            crate::text::sanitize(&self.subject)
        )
    }
}

impl std::error::Error for PinNotIssuer {}

fn subject_of(cert: &CertificateDer<'_>) -> String {
    x509_parser::parse_x509_certificate(cert)
        .map(|(_, c)| c.subject().to_string())
        .unwrap_or_else(|_| "a certificate".to_string())
}

/// Whether `chain[0]` chains up to `chain[anchor]`, the other certificates
/// serving as intermediates: what a pin on a CA certificate of a chain means.
/// Names are not judged, and dates at a moment the first certificate is valid
/// ([`moment_valid`]), so the answer is about who issued it.
pub fn chains_up_to(chain: &[CertificateDer<'_>], anchor: usize) -> bool {
    let (Some(first), Some(ca)) = (chain.first(), chain.get(anchor)) else {
        return false;
    };
    if anchor == 0 {
        return true;
    }
    let intermediates: Vec<CertificateDer<'_>> = chain
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 0 && *i != anchor)
        .map(|(_, c)| c.clone())
        .collect();
    // Any name will do: issued_under does not judge it (192.0.2.1 is TEST-NET-1).
    let name = ServerName::from(std::net::IpAddr::from([192, 0, 2, 1]));
    issued_under(
        ca,
        first,
        &intermediates,
        &name,
        moment_valid(first, UnixTime::now()),
    )
}

/// `now`, or the nearest moment the certificate is valid: a pin is about who
/// issued a certificate, and an expired one is judged (and reported) as such
/// elsewhere.
fn moment_valid(cert: &CertificateDer<'_>, now: UnixTime) -> UnixTime {
    let Ok((_, c)) = x509_parser::parse_x509_certificate(cert) else {
        return now;
    };
    let (nb, na) = (
        c.validity().not_before.timestamp(),
        c.validity().not_after.timestamp(),
    );
    let at = (now.as_secs() as i64).clamp(nb, na.max(nb));
    u64::try_from(at).map_or(now, |s| {
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(s))
    })
}

/// Whether `end_entity` chains up, through `intermediates`, to `anchor`, as if
/// `anchor` were the only trusted root (WebPKI's path rules: CA flags, path
/// length, key usage, dates of the certificates below the anchor).
fn issued_under(
    anchor: &CertificateDer<'_>,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> bool {
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(anchor.clone().into_owned()).is_err() {
        return false;
    }
    let Ok(verifier) =
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), super::provider()).build()
    else {
        return false;
    };
    match verifier.verify_server_cert(end_entity, intermediates, server_name, &[], now) {
        Ok(_) => true,
        // rustls checks the name only once the path to the anchor is built; the
        // name is judged elsewhere (or not at all, with --insecure).
        Err(Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => true,
        Err(_) => false,
    }
}

/// The checks WebPKI would have made on a leaf, for a pinned certificate no CA signed:
/// validity period and server name.
fn check_pinned_leaf(
    end_entity: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> Result<(), Error> {
    let (_, cert) = x509_parser::parse_x509_certificate(end_entity)
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let now_secs = now.as_secs() as i64;
    let nb = cert.validity().not_before.timestamp();
    let na = cert.validity().not_after.timestamp();
    if now_secs < nb {
        return Err(Error::InvalidCertificate(CertificateError::NotValidYet));
    }
    if now_secs > na {
        return Err(Error::InvalidCertificate(CertificateError::Expired));
    }
    let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
    rustls::client::verify_server_name(&parsed, server_name)
}

/// What trust on first use requires of a server's certificate, whoever signed
/// it: in date now and valid for `server_name`. `connect --tofu` checks this
/// in its verifier; `pin --trust` calls it before recording, so both judge alike.
pub fn check_first_use(end_entity: &CertificateDer<'_>, server_name: &str) -> Result<(), Error> {
    let name = ServerName::try_from(server_name.to_string())
        .map_err(|_| Error::General(format!("'{server_name}' is not a server name")))?;
    check_pinned_leaf(end_entity, &name, UnixTime::now())
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let chain: Vec<&CertificateDer<'_>> =
            std::iter::once(end_entity).chain(intermediates).collect();
        {
            let mut obs = lock(&self.observed);
            obs.chain = chain.iter().map(|c| (*c).clone().into_owned()).collect();
            obs.ocsp = ocsp_response.to_vec();
        }
        let pin_result = self.check_pins(end_entity, intermediates, server_name, now);
        let mut trusted_by_pin = false;
        let mut verdict = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        // A matching pin stands in for a CA: an unknown issuer is then fine,
        // but the leaf must still be in date and valid for the name.
        let pin_vouches = matches!(pin_result, Ok(Some(true)))
            || (self.first_use && matches!(pin_result, Ok(None)));
        if pin_vouches
            && matches!(
                verdict,
                Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
            )
        {
            verdict = check_pinned_leaf(end_entity, server_name, now);
            trusted_by_pin = verdict.is_ok();
        }
        if verdict.is_ok() && self.accept_unverified.is_some_and(|a| a.weak_rsa()) {
            if let Some(weak) = super::explain::weak_key_of(end_entity) {
                verdict = Err(Error::InvalidCertificate(CertificateError::Other(
                    rustls::OtherError(Arc::new(weak)),
                )));
            }
        }
        {
            let mut obs = lock(&self.observed);
            obs.verdict = Some(verdict.clone());
            obs.pin_matched = match &pin_result {
                Ok(matched) => *matched,
                Err(_) => Some(false),
            };
            obs.trusted_by_pin = trusted_by_pin;
        }
        pin_result?;
        match (verdict, self.accept_unverified) {
            (Ok(()), _) | (Err(_), Some(_)) => Ok(ServerCertVerified::assertion()),
            (Err(e), None) => Err(e),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        let result = verify_tls12_signature(message, cert, dss, &self.algorithms);
        match result {
            Err(_) if self.accept_unverified.is_some_and(|a| a.weak_rsa()) => {
                verify_tls12_signature(message, cert, dss, &legacy_rsa::ALGORITHMS).or(result)
            }
            other => other,
        }
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self.algorithms.supported_schemes();
        if self.accept_unverified.is_some_and(|a| a.weak_rsa()) {
            // Steer an RSA server to the PKCS#1 schemes the legacy verifier has.
            schemes.retain(|s| {
                !matches!(
                    s,
                    SignatureScheme::RSA_PSS_SHA256
                        | SignatureScheme::RSA_PSS_SHA384
                        | SignatureScheme::RSA_PSS_SHA512
                        | SignatureScheme::RSA_PKCS1_SHA384
                )
            });
        }
        schemes
    }
}

/// A verifier that verifies a chain once and then accepts the very same
/// chain, byte for byte, for the same name, until a certificate of it
/// expires, without building the path again. The handshake signature is
/// still checked on every connection, so each server still proves it holds
/// the key of that verified certificate. This is what `tlskit bench` uses:
/// a load generator that repeats the certificate check thousands of times
/// measures its own CPU, not the server's (browsers cache verifications too).
#[derive(Debug)]
pub struct VerifyOnce<V> {
    inner: V,
    verified: Mutex<Option<Verified>>,
}

#[derive(Debug)]
struct Verified {
    chain: Vec<CertificateDer<'static>>,
    name: ServerName<'static>,
    from: u64,
    until: u64,
}

impl<V: ServerCertVerifier> VerifyOnce<V> {
    /// Wraps `inner`, which decides every chain not seen before.
    pub fn new(inner: V) -> VerifyOnce<V> {
        VerifyOnce {
            inner,
            verified: Mutex::new(None),
        }
    }

    fn known(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        now: UnixTime,
    ) -> bool {
        let held = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        held.as_ref().is_some_and(|v| {
            (v.from..=v.until).contains(&now.as_secs())
                && v.name == *name
                && v.chain.len() == intermediates.len() + 1
                && v.chain[0] == *end_entity
                && v.chain[1..] == *intermediates
        })
    }
}

/// The span in which every certificate of `chain` is in date (seconds since 1970).
fn common_validity(chain: &[CertificateDer<'_>]) -> Option<(u64, u64)> {
    let mut from = 0u64;
    let mut until = u64::MAX;
    for cert in chain {
        let (_, c) = x509_parser::parse_x509_certificate(cert).ok()?;
        let v = c.validity();
        from = from.max(u64::try_from(v.not_before.timestamp()).unwrap_or(0));
        until = until.min(u64::try_from(v.not_after.timestamp()).ok()?);
    }
    (from <= until).then_some((from, until))
}

impl<V: ServerCertVerifier> ServerCertVerifier for VerifyOnce<V> {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.known(end_entity, intermediates, server_name, now) {
            return Ok(ServerCertVerified::assertion());
        }
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        let chain: Vec<CertificateDer<'static>> = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        if let Some((from, until)) = common_validity(&chain) {
            *self.verified.lock().unwrap_or_else(|p| p.into_inner()) = Some(Verified {
                chain,
                name: server_name.to_owned(),
                from,
                until,
            });
        }
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// Client-certificate resolver that records whether the server asked, and what it hinted.
#[derive(Debug)]
pub struct RecordingClientCert {
    key: Option<Arc<CertifiedKey>>,
    observed: Observations,
}

impl RecordingClientCert {
    /// Offers `key` (if any) when a server asks for a certificate.
    pub fn new(key: Option<Arc<CertifiedKey>>, observed: Observations) -> RecordingClientCert {
        RecordingClientCert { key, observed }
    }
}

impl ResolvesClientCert for RecordingClientCert {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let chosen = self
            .key
            .as_ref()
            .filter(|k| {
                sigschemes
                    .iter()
                    .any(|s| k.key.choose_scheme(&[*s]).is_some())
            })
            .cloned();
        let mut obs = lock(&self.observed);
        obs.client_cert_requested = true;
        obs.client_ca_hints = root_hint_subjects
            .iter()
            .map(|s| DistinguishedName::from(s.to_vec()))
            .collect();
        obs.client_cert_sent = chosen.is_some();
        chosen
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// RSA PKCS#1 verification for keys of 1024-8192 bits, reachable only through
/// [`super::danger::AcceptUnverified::with_weak_rsa`] (TLS 1.2 handshake signatures only).
mod legacy_rsa {
    use aws_lc_rs::signature::{self, RsaParameters, UnparsedPublicKey};
    use rustls::crypto::WebPkiSupportedAlgorithms;
    use rustls::pki_types::SignatureVerificationAlgorithm;
    use rustls::pki_types::{alg_id, AlgorithmIdentifier, InvalidSignature};
    use rustls::SignatureScheme;

    #[derive(Debug)]
    struct LegacyRsa {
        signature_alg_id: AlgorithmIdentifier,
        params: &'static RsaParameters,
    }

    impl SignatureVerificationAlgorithm for LegacyRsa {
        fn public_key_alg_id(&self) -> AlgorithmIdentifier {
            alg_id::RSA_ENCRYPTION
        }

        fn signature_alg_id(&self) -> AlgorithmIdentifier {
            self.signature_alg_id
        }

        fn verify_signature(
            &self,
            public_key: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), InvalidSignature> {
            UnparsedPublicKey::new(self.params, public_key)
                .verify(message, signature)
                .map_err(|_| InvalidSignature)
        }
    }

    static SHA256: LegacyRsa = LegacyRsa {
        signature_alg_id: alg_id::RSA_PKCS1_SHA256,
        params: &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    };
    static SHA512: LegacyRsa = LegacyRsa {
        signature_alg_id: alg_id::RSA_PKCS1_SHA512,
        params: &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
    };

    pub(super) static ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
        all: &[&SHA256, &SHA512],
        mapping: &[
            (SignatureScheme::RSA_PKCS1_SHA256, &[&SHA256]),
            (SignatureScheme::RSA_PKCS1_SHA512, &[&SHA512]),
        ],
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Accepts what it is told to, and counts how often it was asked.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        accept: bool,
    }

    impl ServerCertVerifier for Counting {
        fn verify_server_cert(
            &self,
            _: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.accept {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
            }
        }

        fn verify_tls12_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            Err(Error::General("not used".into()))
        }

        fn verify_tls13_signature(
            &self,
            _: &[u8],
            _: &CertificateDer<'_>,
            _: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            Err(Error::General("not used".into()))
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            vec![SignatureScheme::ECDSA_NISTP256_SHA256]
        }
    }

    fn cert() -> CertificateDer<'static> {
        super::super::certgen::ephemeral_localhost()
            .unwrap()
            .cert_der
    }

    #[test]
    fn verify_once_skips_only_the_same_chain_for_the_same_name_in_date() {
        let calls = Arc::new(AtomicUsize::new(0));
        let v = VerifyOnce::new(Counting {
            calls: calls.clone(),
            accept: true,
        });
        let (a, b) = (cert(), cert());
        let host = ServerName::try_from("localhost").unwrap();
        let other = ServerName::try_from("example.test").unwrap();
        let now = UnixTime::now();
        let check = |ee: &CertificateDer<'_>, mid: &[CertificateDer<'_>], n: &ServerName<'_>, t| {
            v.verify_server_cert(ee, mid, n, &[], t).is_ok()
        };
        assert!(check(&a, &[], &host, now));
        assert!(check(&a, &[], &host, now));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "the same chain is verified once"
        );
        assert!(check(&a, &[], &other, now));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "another name is verified again"
        );
        assert!(check(&b, &[], &other, now));
        assert!(check(&b, std::slice::from_ref(&a), &other, now));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            4,
            "another chain is verified again"
        );
        let later = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            now.as_secs() + 400 * 86_400,
        ));
        assert!(check(&b, std::slice::from_ref(&a), &other, later));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            5,
            "past its expiry it is verified again"
        );
    }

    #[test]
    fn verify_once_never_remembers_a_failure() {
        let calls = Arc::new(AtomicUsize::new(0));
        let v = VerifyOnce::new(Counting {
            calls: calls.clone(),
            accept: false,
        });
        let a = cert();
        let host = ServerName::try_from("localhost").unwrap();
        for _ in 0..3 {
            assert!(v
                .verify_server_cert(&a, &[], &host, &[], UnixTime::now())
                .is_err());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
