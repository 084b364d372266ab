//! Reading a PKCS#10 request someone else made, to sign it: its signature is
//! checked, and only its public key and subject alternative names are kept.
//! Nothing else in a request (CA:TRUE, key usages, other extensions) ever
//! reaches a certificate: the CA decides what it signs.

use std::net::IpAddr;

use anyhow::Result;
use serde::Serialize;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION,
    OID_SIG_ED25519,
};
use x509_parser::prelude::FromDer;

use crate::text::sanitize;
use crate::tls::certgen::{KeyType, Name};
use crate::tls::error::{fail, Failure};
use crate::tls::files;

/// A request, checked, reduced to what tlskit takes from it.
#[derive(Debug)]
pub struct Request {
    /// The subject the request asked for (shown, never copied).
    pub subject: String,
    /// The names it asked for, in order, deduplicated.
    pub names: Vec<Name>,
    /// The kind of key, to choose key usages (RSA also gets keyEncipherment).
    pub key_type: KeyType,
    /// The DER SubjectPublicKeyInfo.
    pub spki_der: Vec<u8>,
    /// What the request asked for that tlskit will not copy.
    pub ignored: Vec<Ignored>,
    key: RequestKey,
}

/// Something a request asked for that is left out of the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ignored {
    /// basicConstraints CA:TRUE: a CSR never makes a CA.
    CaTrue,
    /// Key usages or extended key usages: the profile decides them.
    KeyUsage,
    /// A subject alternative name of a type tlskit does not sign (URI, other).
    OtherName,
    /// Any other requested extension.
    OtherExtension,
}

impl Ignored {
    /// What was left out, in a few words.
    pub fn describe(&self) -> &'static str {
        match self {
            Ignored::CaTrue => "the request asked to be a CA (CA:TRUE); it was not copied",
            Ignored::KeyUsage => {
                "the request's key usages were not copied; the certificate has tlskit's"
            }
            Ignored::OtherName => {
                "names other than DNS, IP and e-mail in the request were left out"
            }
            Ignored::OtherExtension => "other extensions in the request were not copied",
        }
    }
}

impl Request {
    /// The requester's public key, for signing.
    pub fn public_key(&self) -> &impl rcgen::PublicKeyData {
        &self.key
    }
}

#[derive(Debug)]
struct RequestKey {
    raw: Vec<u8>,
    alg: &'static rcgen::SignatureAlgorithm,
}

impl rcgen::PublicKeyData for RequestKey {
    fn der_bytes(&self) -> &[u8] {
        &self.raw
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

fn bad(msg: impl std::fmt::Display) -> anyhow::Error {
    fail(Failure::Input, msg)
}

/// Parses a request in PEM or DER and checks its signature.
pub fn parse(data: &[u8]) -> Result<Request> {
    let der = if files::looks_like_pem(data) {
        let items = files::parse_items(data, "certificate request")?;
        items
            .into_iter()
            .find_map(|i| match i {
                files::Item::Csr(der) => Some(der.as_ref().to_vec()),
                _ => None,
            })
            .ok_or_else(|| bad("it holds no certificate request (BEGIN CERTIFICATE REQUEST)"))?
    } else {
        data.to_vec()
    };
    let (_, csr) = X509CertificationRequest::from_der(&der).map_err(|_| {
        bad("it is not a certificate request (PKCS#10, PEM or DER) or it is damaged")
    })?;
    csr.verify_signature().map_err(|_| {
        bad("its signature does not verify: the request was damaged or altered, or was not signed by the key it names")
    })?;
    let info = &csr.certification_request_info;
    let spki = &info.subject_pki;
    let alg_oid = &spki.algorithm.algorithm;
    let param = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok());
    let (key_type, alg): (KeyType, &'static rcgen::SignatureAlgorithm) =
        if *alg_oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
            match param {
                Some(c) if c == OID_EC_P256 => (KeyType::P256, &rcgen::PKCS_ECDSA_P256_SHA256),
                Some(c) if c == OID_NIST_EC_P384 => (KeyType::P384, &rcgen::PKCS_ECDSA_P384_SHA384),
                _ => return Err(bad(
                    "its key is on an elliptic curve tlskit does not sign (P-256 and P-384 only)",
                )),
            }
        } else if *alg_oid == OID_SIG_ED25519 {
            (KeyType::Ed25519, &rcgen::PKCS_ED25519)
        } else if *alg_oid == OID_PKCS1_RSAENCRYPTION {
            (KeyType::Rsa2048, &rcgen::PKCS_RSA_SHA256)
        } else {
            return Err(bad(format!(
                "its key type ({}) is not one tlskit signs (P-256, P-384, Ed25519, RSA)",
                alg_oid
            )));
        };
    let mut names = Vec::new();
    let mut ignored = Vec::new();
    let note = |i: Ignored, ignored: &mut Vec<Ignored>| {
        if !ignored.contains(&i) {
            ignored.push(i);
        }
    };
    for ext in csr.requested_extensions().into_iter().flatten() {
        match ext {
            ParsedExtension::SubjectAlternativeName(san) => {
                for gn in &san.general_names {
                    match gn {
                        GeneralName::DNSName(d) | GeneralName::RFC822Name(d) => {
                            names.push(Name::parse(d).map_err(|e| {
                                bad(format!("it asks for a name tlskit refuses: {e:#}"))
                            })?)
                        }
                        GeneralName::IPAddress(b) => names.push(Name::Ip(ip_of(b)?)),
                        _ => note(Ignored::OtherName, &mut ignored),
                    }
                }
            }
            ParsedExtension::BasicConstraints(bc) if bc.ca => note(Ignored::CaTrue, &mut ignored),
            ParsedExtension::BasicConstraints(_) => {}
            ParsedExtension::KeyUsage(_) | ParsedExtension::ExtendedKeyUsage(_) => {
                note(Ignored::KeyUsage, &mut ignored)
            }
            ParsedExtension::SubjectKeyIdentifier(_) => {}
            _ => note(Ignored::OtherExtension, &mut ignored),
        }
    }
    let subject = info.subject.to_string();
    if names.is_empty() {
        // An old-style request names its host only in the CN.
        if let Some(cn) = info
            .subject
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
        {
            if let Ok(n) = Name::parse(cn) {
                names.push(n);
            }
        }
    }
    if names.is_empty() {
        return Err(bad(format!(
            "it names no host, address or e-mail (no subjectAltName, and its subject '{}' is not a name)",
            sanitize(&subject)
        )));
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    Ok(Request {
        subject,
        names,
        key_type,
        spki_der: spki.raw.to_vec(),
        ignored,
        key: RequestKey {
            raw: spki.subject_public_key.data.to_vec(),
            alg,
        },
    })
}

fn ip_of(b: &[u8]) -> Result<IpAddr> {
    Ok(match b.len() {
        4 => IpAddr::from(<[u8; 4]>::try_from(b)?),
        16 => IpAddr::from(<[u8; 16]>::try_from(b)?),
        _ => return Err(bad("it has an IP address that is neither IPv4 nor IPv6")),
    })
}
