//! OCSP (RFC 6960): the request for one certificate, and the checks a response
//! must pass before its answer is believed: the certificate ID (issuer name
//! hash, issuer key hash, serial) is the one asked about, the signature is the
//! issuer's or a delegated responder's (id-kp-OCSPSigning, issued by the
//! issuer), and the answer is inside its thisUpdate / nextUpdate window.
//! Signatures are checked by x509-parser's `verify` (ring / aws-lc-rs); the
//! DER is read by [`crate::tls::ocsp`].

use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

use super::{Issuer, Status, UnknownReason};
use crate::tls::ocsp::{parse_basic, CertStatus, ResponseStatus, SingleResponse};

/// SHA-1 (1.3.14.3.2.26), the CertID hash every responder understands.
const SHA1_OID: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
/// SHA-256 (2.16.840.1.101.3.4.2.1).
const SHA256_OID: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/// A response's answer, once it passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Good or revoked (an `unknown` answer is a [`Rejected`]).
    pub status: Status,
    /// When revoked, RFC 3339.
    pub revoked_at: Option<String>,
    /// The CRL reason name.
    pub reason: Option<String>,
    /// Start of validity.
    pub this_update: String,
    /// End of validity.
    pub next_update: Option<String>,
    /// Who signed: `issuer` or the delegated responder's subject.
    pub signer: String,
}

/// Why a response was not believed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The kind.
    pub reason: UnknownReason,
    /// A sentence.
    pub detail: String,
}

fn reject(reason: UnknownReason, detail: impl Into<String>) -> Rejected {
    Rejected {
        reason,
        detail: detail.into(),
    }
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let n = content.len();
    if n < 0x80 {
        v.push(n as u8);
    } else if n < 0x100 {
        v.extend_from_slice(&[0x81, n as u8]);
    } else {
        v.push(0x82);
        v.extend_from_slice(&(n as u16).to_be_bytes());
    }
    v.extend_from_slice(content);
    v
}

fn digest(oid: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::digest;
    let alg = match oid {
        SHA1_OID => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        SHA256_OID => &digest::SHA256,
        _ => return None,
    };
    Some(digest::digest(alg, data).as_ref().to_vec())
}

/// The issuer's public key bits (the BIT STRING content without its unused-bits byte).
fn key_bits(spki_der: &[u8]) -> Option<Vec<u8>> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    Some(spki.subject_public_key.data.to_vec())
}

/// The DER OCSPRequest for `cert` (SHA-1 CertID, no nonce: answers may be cached).
pub fn request(cert: &X509Certificate<'_>, issuer: &Issuer) -> Option<Vec<u8>> {
    let name_hash = digest(SHA1_OID, cert.issuer().as_raw())?;
    let key_hash = digest(SHA1_OID, &key_bits(&issuer.spki)?)?;
    let alg = tlv(0x30, &[tlv(0x06, SHA1_OID), tlv(0x05, &[])].concat());
    let cert_id = tlv(
        0x30,
        &[
            alg,
            tlv(0x04, &name_hash),
            tlv(0x04, &key_hash),
            tlv(0x02, cert.raw_serial()),
        ]
        .concat(),
    );
    let request = tlv(0x30, &cert_id);
    let list = tlv(0x30, &request);
    let tbs = tlv(0x30, &list);
    Some(tlv(0x30, &tbs))
}

fn is_about(single: &SingleResponse, cert: &X509Certificate<'_>, issuer: &Issuer) -> bool {
    let Some(bits) = key_bits(&issuer.spki) else {
        return false;
    };
    single.serial_is(cert.raw_serial())
        && digest(&single.hash_oid, cert.issuer().as_raw()).as_deref()
            == Some(single.issuer_name_hash.as_slice())
        && digest(&single.hash_oid, &bits).as_deref() == Some(single.issuer_key_hash.as_slice())
}

fn signature_ok(spki_der: &[u8], alg: &[u8], signature: &[u8], tbs: &[u8]) -> bool {
    let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(spki_der) else {
        return false;
    };
    let Ok((_, alg)) = AlgorithmIdentifier::from_der(alg) else {
        return false;
    };
    let Some((&unused, bits)) = signature.split_first() else {
        return false;
    };
    let bits = x509_parser::asn1_rs::BitString::new(unused, bits);
    x509_parser::verify::verify_signature(&spki, &alg, &bits, tbs).is_ok()
}

/// How far a responder's clock may run ahead of ours.
const SKEW: i64 = 5 * 60;
/// How old a response without nextUpdate may be.
const MAX_AGE_WITHOUT_NEXT: i64 = 7 * 24 * 3600;

fn parse_time(t: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

/// Checks a DER response about `cert`, issued by `issuer`, at `now`.
pub fn verify(
    der: &[u8],
    cert: &X509Certificate<'_>,
    issuer: &Issuer,
    now: OffsetDateTime,
) -> Result<Answer, Rejected> {
    let basic = parse_basic(der).map_err(|e| reject(UnknownReason::BadResponse, e.to_string()))?;
    if basic.status != ResponseStatus::Successful {
        return Err(reject(
            UnknownReason::ResponderRefused,
            format!("the responder answered {}", basic.status.name()),
        ));
    }
    let Some(single) = basic.singles.iter().find(|s| is_about(s, cert, issuer)) else {
        return Err(reject(
            UnknownReason::OtherCertificate,
            "the response is about another certificate (its certificate ID does not match)",
        ));
    };
    let signer = if signature_ok(
        &issuer.spki,
        basic.signature_algorithm,
        basic.signature,
        basic.tbs,
    ) {
        "issuer".to_string()
    } else {
        delegated(&basic.certs, issuer, now, |spki| {
            signature_ok(spki, basic.signature_algorithm, basic.signature, basic.tbs)
        })
        .ok_or_else(|| {
            reject(
                UnknownReason::BadSignature,
                "the response is not signed by the certificate's issuer nor by a responder the issuer authorised",
            )
        })?
    };
    let this_update = parse_time(&single.this_update)
        .ok_or_else(|| reject(UnknownReason::BadResponse, "unreadable thisUpdate"))?;
    if this_update.unix_timestamp() > now.unix_timestamp() + SKEW {
        return Err(reject(
            UnknownReason::NotYetValid,
            format!("the response is not valid before {}", single.this_update),
        ));
    }
    match single.next_update.as_deref() {
        Some(next) => {
            let next_t = parse_time(next)
                .ok_or_else(|| reject(UnknownReason::BadResponse, "unreadable nextUpdate"))?;
            if next_t < now {
                return Err(reject(
                    UnknownReason::TooOld,
                    format!("the response expired at {next} (its nextUpdate)"),
                ));
            }
        }
        None if now.unix_timestamp() - this_update.unix_timestamp() > MAX_AGE_WITHOUT_NEXT => {
            return Err(reject(
                UnknownReason::TooOld,
                format!(
                    "the response dates from {} and names no nextUpdate",
                    single.this_update
                ),
            ));
        }
        None => {}
    }
    let status = match single.status {
        CertStatus::Good => Status::Good,
        CertStatus::Revoked => Status::Revoked,
        CertStatus::Unknown => {
            return Err(reject(
                UnknownReason::ResponderUnknown,
                "the responder does not know the certificate (status unknown)",
            ))
        }
    };
    Ok(Answer {
        status,
        revoked_at: single.revocation_time.clone(),
        reason: single.revocation_reason.clone(),
        this_update: single.this_update.clone(),
        next_update: single.next_update.clone(),
        signer,
    })
}

/// A delegated responder among `certs`: issued by `issuer`, for OCSP signing,
/// in date, and its key made the signature (`signed`). Its subject.
fn delegated(
    certs: &[&[u8]],
    issuer: &Issuer,
    now: OffsetDateTime,
    signed: impl Fn(&[u8]) -> bool,
) -> Option<String> {
    let (_, issuer_spki) = SubjectPublicKeyInfo::from_der(&issuer.spki).ok()?;
    for der in certs {
        let Ok((_, c)) = x509_parser::parse_x509_certificate(der) else {
            continue;
        };
        let ocsp_signing = c
            .extended_key_usage()
            .ok()
            .flatten()
            .is_some_and(|e| e.value.ocsp_signing);
        let ts = now.unix_timestamp();
        let in_date =
            c.validity().not_before.timestamp() <= ts && ts <= c.validity().not_after.timestamp();
        if ocsp_signing
            && in_date
            && c.issuer().as_raw() == issuer.name.as_slice()
            && c.verify_signature(Some(&issuer_spki)).is_ok()
            && signed(c.public_key().raw)
        {
            return Some(c.subject().to_string());
        }
    }
    None
}
