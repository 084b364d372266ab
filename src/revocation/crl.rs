//! CRL checking through rustls' own CRL support: the fetched list is handed to
//! a `WebPkiServerVerifier` (`with_crls`), which checks its signature, its
//! scope and its dates and says whether the certificate is on it. x509-parser
//! reads the list only to name the issuer, the revocation date and reason in
//! the report.

use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, Error, RootCertStore};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use super::ocsp::Rejected;
use super::{Status, UnknownReason};

/// A CRL's answer about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Good (not listed) or revoked.
    pub status: Status,
    /// When revoked, RFC 3339.
    pub revoked_at: Option<String>,
    /// The CRL reason name.
    pub reason: Option<String>,
    /// The list's thisUpdate.
    pub this_update: String,
    /// The list's nextUpdate.
    pub next_update: Option<String>,
}

fn reject(reason: UnknownReason, detail: impl Into<String>) -> Rejected {
    Rejected {
        reason,
        detail: detail.into(),
    }
}

/// A fetched CRL as DER (it may come as PEM).
pub fn decode(bytes: &[u8]) -> Result<CertificateRevocationListDer<'static>, Rejected> {
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        return CertificateRevocationListDer::from_pem_slice(bytes).map_err(|_| {
            reject(
                UnknownReason::BadResponse,
                "the CRL is PEM with no X509 CRL block",
            )
        });
    }
    if bytes.first() != Some(&0x30) {
        return Err(reject(
            UnknownReason::BadResponse,
            "what the distribution point served is not a CRL (neither DER nor PEM)",
        ));
    }
    Ok(CertificateRevocationListDer::from(bytes.to_vec()))
}

/// A CRL's issuer and nextUpdate (`None` for a list without nextUpdate, or one
/// that does not parse: the verifier rejects those on its own).
pub fn next_update(
    crl: &CertificateRevocationListDer<'_>,
) -> Option<(String, time::OffsetDateTime)> {
    let (_, parsed) = CertificateRevocationList::from_der(crl.as_ref()).ok()?;
    let next = parsed.next_update()?;
    Some((parsed.issuer().to_string(), next.to_datetime()))
}

fn rfc3339(t: x509_parser::time::ASN1Time) -> String {
    crate::tls::certinfo::rfc3339(t.to_datetime())
}

/// Checks `chain[index]` against `crl`, verifying the whole chain (leaf first)
/// against `roots` the way the handshake did, with the list added: for
/// `server_name`, or as a client's certificate when there is none.
pub fn check(
    crl: CertificateRevocationListDer<'static>,
    chain: &[CertificateDer<'static>],
    index: usize,
    roots: &Arc<RootCertStore>,
    server_name: Option<&ServerName<'static>>,
    now: UnixTime,
) -> Result<Answer, Rejected> {
    let (_, parsed) = CertificateRevocationList::from_der(crl.as_ref())
        .map_err(|_| reject(UnknownReason::BadResponse, "the CRL does not parse"))?;
    let cert_der = chain
        .get(index)
        .ok_or_else(|| reject(UnknownReason::BadResponse, "no such certificate"))?;
    let (_, cert) = X509Certificate::from_der(cert_der.as_ref())
        .map_err(|_| reject(UnknownReason::BadResponse, "the certificate does not parse"))?;
    if parsed.issuer().as_raw() != cert.issuer().as_raw() {
        return Err(reject(
            UnknownReason::CrlWrongIssuer,
            format!(
                "the CRL is issued by {}, not by the certificate's issuer {}",
                parsed.issuer(),
                cert.issuer()
            ),
        ));
    }
    let this_update = rfc3339(parsed.last_update());
    let next_update = parsed.next_update().map(rfc3339);
    let list = || [CertificateRevocationListDer::from(crl.as_ref().to_vec())];
    let unusable = |e: rustls::server::VerifierBuilderError| {
        reject(
            UnknownReason::BadResponse,
            format!("the CRL is not usable: {e}"),
        )
    };
    let result = match server_name {
        Some(name) => {
            let mut builder =
                WebPkiServerVerifier::builder_with_provider(roots.clone(), crate::tls::provider())
                    .with_crls(list())
                    .allow_unknown_revocation_status()
                    .enforce_revocation_expiration();
            if index == 0 {
                builder = builder.only_check_end_entity_revocation();
            }
            let verifier = builder.build().map_err(unusable)?;
            verifier
                .verify_server_cert(&chain[0], &chain[1..], name, &[], now)
                .map(|_| ())
        }
        // A client's certificate: verified for clientAuth, as the handshake did.
        None => {
            let mut builder =
                WebPkiClientVerifier::builder_with_provider(roots.clone(), crate::tls::provider())
                    .with_crls(list())
                    .allow_unknown_revocation_status()
                    .enforce_revocation_expiration();
            if index == 0 {
                builder = builder.only_check_end_entity_revocation();
            }
            let verifier = builder.build().map_err(unusable)?;
            verifier
                .verify_client_cert(&chain[0], &chain[1..], now)
                .map(|_| ())
        }
    };
    match result {
        Ok(_) => Ok(Answer {
            status: Status::Good,
            revoked_at: None,
            reason: None,
            this_update,
            next_update,
        }),
        Err(Error::InvalidCertificate(CertificateError::Revoked)) => {
            let entry = parsed
                .iter_revoked_certificates()
                .find(|r| strip(r.raw_serial()) == strip(cert.raw_serial()));
            Ok(Answer {
                status: Status::Revoked,
                revoked_at: entry.map(|r| rfc3339(r.revocation_date)),
                reason: entry
                    .and_then(|r| r.reason_code())
                    .map(|(_, code)| reason_name(code.0).to_string()),
                this_update,
                next_update,
            })
        }
        Err(Error::InvalidCertificate(
            CertificateError::ExpiredRevocationList
            | CertificateError::ExpiredRevocationListContext { .. },
        )) => Err(reject(
            UnknownReason::CrlExpired,
            format!(
                "the CRL expired at {} (its nextUpdate)",
                next_update.as_deref().unwrap_or("?")
            ),
        )),
        Err(Error::InvalidCertificate(
            CertificateError::BadSignature
            | CertificateError::UnsupportedSignatureAlgorithmContext { .. },
        )) => Err(reject(
            UnknownReason::BadSignature,
            "the CRL's signature is not the issuer's",
        )),
        Err(Error::InvalidCertRevocationList(e)) => Err(reject(
            UnknownReason::BadSignature,
            format!(
                "the CRL is not valid ({})",
                crate::text::snake_words(&format!("{e:?}"), ' ')
            ),
        )),
        Err(e) => Err(reject(
            UnknownReason::BadResponse,
            format!("checking with the CRL failed: {e}"),
        )),
    }
}

fn strip(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n.min(b.len().saturating_sub(1))..]
}

/// The snake_case name of a CRL reason code (as the OCSP reader names them).
pub fn reason_name(code: u8) -> &'static str {
    match code {
        0 => "unspecified",
        1 => "key_compromise",
        2 => "ca_compromise",
        3 => "affiliation_changed",
        4 => "superseded",
        5 => "cessation_of_operation",
        6 => "certificate_hold",
        8 => "remove_from_crl",
        9 => "privilege_withdrawn",
        10 => "aa_compromise",
        _ => "unknown_reason",
    }
}
