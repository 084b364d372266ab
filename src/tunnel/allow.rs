//! Who may pass a server tunnel: the client-certificate verifier of
//! `--client-ca`, wrapped so that the allow rules (CN, DNS SAN, URI SAN, SPKI
//! pin) are checked *inside* the handshake. A certificate that chains to the
//! CA but names nobody allowed fails the handshake with `access_denied`, so
//! the target is never dialled for it.
//!
//! The verifier is shared by every connection; the reason for a refusal is
//! handed to the connection being served through a task-local slot (rustls
//! calls the verifier synchronously, inside that connection's task).

use std::cell::RefCell;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};
use serde::Serialize;
use x509_parser::extensions::GeneralName;

use super::PeerIdentity;
use crate::text::sanitize;
use crate::tls::pin::Pin;

/// The identities allowed through. Empty: any certificate the CA issued.
/// Otherwise a certificate passes when any one rule matches it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AllowRules {
    /// Subject common names, exactly.
    pub cn: Vec<String>,
    /// DNS subject alternative names, exactly (case-insensitive).
    pub dns: Vec<String>,
    /// URI subject alternative names, exactly (SPIFFE IDs, for instance).
    pub uri: Vec<String>,
    /// SPKI pins of the client certificate.
    pub pin: Vec<Pin>,
}

impl AllowRules {
    /// Whether no rule narrows the CA's say.
    pub fn is_empty(&self) -> bool {
        self.cn.is_empty() && self.dns.is_empty() && self.uri.is_empty() && self.pin.is_empty()
    }

    /// The rules as `cn:…`, `dns:…`, `uri:…`, `pin:…`.
    pub fn describe(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        v.extend(self.cn.iter().map(|c| format!("cn:{c}")));
        v.extend(self.dns.iter().map(|c| format!("dns:{c}")));
        v.extend(self.uri.iter().map(|c| format!("uri:{c}")));
        v.extend(self.pin.iter().map(|p| format!("pin:{p}")));
        v
    }

    /// Lets `id` pass, or says in a sentence why not.
    pub fn check(&self, id: &PeerIdentity) -> Result<(), String> {
        if self.allows(id) {
            return Ok(());
        }
        let mut names: Vec<String> = id.cn.iter().map(|c| format!("CN={c}")).collect();
        names.extend(id.sans.iter().cloned());
        Err(format!(
            "the client certificate ({}) matches no --allow-cn, --allow-dns, --allow-uri or --allow-pin rule",
            sanitize(&names.join(", "))
        ))
    }

    /// Whether `id` may pass.
    pub fn allows(&self, id: &PeerIdentity) -> bool {
        if self.is_empty() {
            return true;
        }
        let cn = id
            .cn
            .as_deref()
            .is_some_and(|cn| self.cn.iter().any(|a| a == cn));
        let dns = id
            .sans
            .iter()
            .filter_map(|s| s.strip_prefix("DNS:"))
            .any(|d| self.dns.iter().any(|a| a.eq_ignore_ascii_case(d)));
        let uri = id
            .sans
            .iter()
            .filter_map(|s| s.strip_prefix("URI:"))
            .any(|u| self.uri.iter().any(|a| a == u));
        let pin = self.pin.iter().any(|p| p.to_string() == id.pin);
        cn || dns || uri || pin
    }
}

/// Reads the identity a client certificate claims.
pub fn identity_of(der: &[u8]) -> Option<PeerIdentity> {
    let cert = crate::tls::x509info::parse_cert(der).ok()?;
    let cn = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|c| c.as_str().ok())
        .map(str::to_string);
    let mut sans = Vec::new();
    if let Ok(Some(ext)) = cert.subject_alternative_name() {
        for name in &ext.value.general_names {
            match name {
                GeneralName::DNSName(d) => sans.push(format!("DNS:{d}")),
                GeneralName::URI(u) => sans.push(format!("URI:{u}")),
                _ => {}
            }
        }
    }
    let pin = Pin::of_spki(cert.public_key().raw).to_string();
    Some(PeerIdentity { cn, sans, pin })
}

tokio::task_local! {
    /// Why the current connection's client certificate was refused, if it was.
    static REFUSAL: RefCell<Option<(String, PeerIdentity)>>;
}

/// Runs `fut` (a handshake) with a slot for the refusal reason; returns its
/// output and, if the allow rules refused the client, why and who it was.
pub(crate) async fn watching<F: std::future::Future>(
    fut: F,
) -> (F::Output, Option<(String, PeerIdentity)>) {
    REFUSAL
        .scope(RefCell::new(None), async move {
            let out = fut.await;
            let why = REFUSAL.with(|r| r.borrow_mut().take());
            (out, why)
        })
        .await
}

/// The client verifier of a server tunnel: the CA's verdict first, then the allow rules.
#[derive(Debug)]
pub struct AllowingVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    rules: AllowRules,
}

impl AllowingVerifier {
    /// Wraps `inner` (the WebPKI verifier for `--client-ca`).
    pub fn new(inner: Arc<dyn ClientCertVerifier>, rules: AllowRules) -> AllowingVerifier {
        AllowingVerifier { inner, rules }
    }
}

impl ClientCertVerifier for AllowingVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        if self.rules.is_empty() {
            return Ok(verified);
        }
        let Some(id) = identity_of(end_entity) else {
            return Err(Error::InvalidCertificate(CertificateError::BadEncoding));
        };
        let Err(why) = self.rules.check(&id) else {
            return Ok(verified);
        };
        let _ = REFUSAL.try_with(|r| *r.borrow_mut() = Some((why, id)));
        // rustls answers this with the access_denied alert.
        Err(Error::InvalidCertificate(
            CertificateError::ApplicationVerificationFailure,
        ))
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(cn: &str, sans: &[&str]) -> PeerIdentity {
        PeerIdentity {
            cn: Some(cn.into()),
            sans: sans.iter().map(|s| s.to_string()).collect(),
            pin: "sha256//AAAA".into(),
        }
    }

    #[test]
    fn any_rule_lets_a_client_through() {
        let open = AllowRules::default();
        assert!(open.allows(&id("anyone", &[])));
        let rules = AllowRules {
            cn: vec!["app".into()],
            dns: vec!["Worker.Example".into()],
            uri: vec!["spiffe://example.org/web".into()],
            pin: vec![],
        };
        assert!(rules.allows(&id("app", &[])));
        assert!(rules.allows(&id("x", &["DNS:worker.example"])));
        assert!(rules.allows(&id("x", &["URI:spiffe://example.org/web"])));
        assert!(!rules.allows(&id("App", &[])));
        assert!(!rules.allows(&id("x", &["URI:spiffe://example.org/db", "DNS:app"])));
    }
}
