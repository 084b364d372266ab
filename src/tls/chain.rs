//! Chains as data: the order certificates were presented in, whether each is
//! signed by the next, and where the chain ends (a root in the trust store,
//! an untrusted root, or an issuer nobody sent).
//!
//! Signatures are checked with aws-lc-rs directly rather than through
//! x509-parser's `verify` module, which has no P-521, no ECDSA with SHA-512
//! and refuses RSA keys under 2048 bits: a chain with a weak key must be
//! reported as weak, not as "not signed by the next certificate".

use std::collections::HashMap;

use aws_lc_rs::signature::{self, VerificationAlgorithm};
use rustls_pki_types::CertificateDer;
use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};

/// Why a signature was not confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigError {
    /// The algorithm (or key and algorithm pair) is not one tlskit can check.
    Unsupported(String),
    /// The signature is wrong for this key and data.
    Invalid,
}

impl std::fmt::Display for SigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigError::Unsupported(what) => write!(f, "cannot check a {what} signature"),
            SigError::Invalid => f.write_str("the signature does not verify"),
        }
    }
}

const OID_RSA_SHA1: &str = "1.2.840.113549.1.1.5";
const OID_RSA_SHA1_OIW: &str = "1.3.14.3.2.29";
const OID_RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const OID_RSA_SHA384: &str = "1.2.840.113549.1.1.12";
const OID_RSA_SHA512: &str = "1.2.840.113549.1.1.13";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_ECDSA_SHA1: &str = "1.2.840.10045.4.1";
const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const OID_ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const OID_ED25519: &str = "1.3.101.112";
const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_SHA384: &str = "2.16.840.1.101.3.4.2.2";
const OID_SHA512: &str = "2.16.840.1.101.3.4.2.3";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";

/// Checks a signature over `data` made with the key `signer`.
pub fn verify_raw(
    signer: &SubjectPublicKeyInfo<'_>,
    algorithm: &AlgorithmIdentifier<'_>,
    signature_value: &x509_parser::asn1_rs::BitString<'_>,
    data: &[u8],
) -> Result<(), SigError> {
    let alg = algorithm.algorithm.to_id_string();
    let unsupported = || {
        let name = x509_parser::objects::oid2sn(
            &algorithm.algorithm,
            x509_parser::objects::oid_registry(),
        )
        .map(str::to_string)
        .unwrap_or_else(|_| alg.clone());
        SigError::Unsupported(name)
    };
    let curve = signer
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    type Alg = Option<&'static dyn VerificationAlgorithm>;
    let ecdsa = |p256: Alg, p384: Alg, p521: Alg| -> Alg {
        match curve.as_deref() {
            Some(OID_P256) => p256,
            Some(OID_P384) => p384,
            Some(OID_P521) => p521,
            _ => None,
        }
    };
    let verifier: &'static dyn VerificationAlgorithm = match alg.as_str() {
        OID_RSA_SHA1 | OID_RSA_SHA1_OIW => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        OID_RSA_SHA256 => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        OID_RSA_SHA384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        OID_RSA_SHA512 => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        OID_RSA_PSS => {
            let params = algorithm
                .parameters
                .as_ref()
                .and_then(|p| RsaSsaPssParams::try_from(p).ok())
                .ok_or_else(unsupported)?;
            match params.hash_algorithm_oid().to_id_string().as_str() {
                OID_SHA256 => &signature::RSA_PSS_2048_8192_SHA256,
                OID_SHA384 => &signature::RSA_PSS_2048_8192_SHA384,
                OID_SHA512 => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return Err(unsupported()),
            }
        }
        OID_ECDSA_SHA1 => ecdsa(
            Some(&signature::ECDSA_P256_SHA1_ASN1),
            None,
            Some(&signature::ECDSA_P521_SHA1_ASN1),
        )
        .ok_or_else(unsupported)?,
        OID_ECDSA_SHA256 => ecdsa(
            Some(&signature::ECDSA_P256_SHA256_ASN1),
            Some(&signature::ECDSA_P384_SHA256_ASN1),
            Some(&signature::ECDSA_P521_SHA256_ASN1),
        )
        .ok_or_else(unsupported)?,
        OID_ECDSA_SHA384 => ecdsa(
            Some(&signature::ECDSA_P256_SHA384_ASN1),
            Some(&signature::ECDSA_P384_SHA384_ASN1),
            Some(&signature::ECDSA_P521_SHA384_ASN1),
        )
        .ok_or_else(unsupported)?,
        OID_ECDSA_SHA512 => ecdsa(
            Some(&signature::ECDSA_P256_SHA512_ASN1),
            Some(&signature::ECDSA_P384_SHA512_ASN1),
            Some(&signature::ECDSA_P521_SHA512_ASN1),
        )
        .ok_or_else(unsupported)?,
        OID_ED25519 => &signature::ED25519,
        _ => return Err(unsupported()),
    };
    signature::UnparsedPublicKey::new(verifier, &signer.subject_public_key.data)
        .verify(data, &signature_value.data)
        .map_err(|_| SigError::Invalid)
}

/// Checks that `cert` was signed with the key `signer`.
pub fn signed_by(
    cert: &X509Certificate<'_>,
    signer: &SubjectPublicKeyInfo<'_>,
) -> Result<(), SigError> {
    verify_raw(
        signer,
        &cert.signature_algorithm,
        &cert.signature_value,
        cert.tbs_certificate.as_ref(),
    )
}

/// One trust anchor.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The DER Name, with its SEQUENCE header.
    pub subject: Vec<u8>,
    /// The DER SubjectPublicKeyInfo, with its SEQUENCE header.
    pub spki: Vec<u8>,
    /// The input it was given in, for a CA certificate given beside the
    /// certificates it judges (`inspect leaf.pem ca.pem`); `None` from the store.
    pub given_in: Option<String>,
}

impl Anchor {
    /// The subject as text.
    pub fn name(&self) -> String {
        X509Name::from_der(&self.subject)
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|_| "(unparsable name)".to_string())
    }
}

/// Where trust anchors come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// Mozilla's roots, built in (webpki-roots).
    Webpki,
    /// Certificates the user gave with `--ca`.
    Custom,
    /// A CA certificate given among the inputs (`inspect leaf.pem ca.pem`).
    Input,
}

/// A set of trust anchors, indexed by subject.
#[derive(Debug, Clone)]
pub struct TrustStore {
    /// Where the anchors come from.
    pub kind: StoreKind,
    anchors: Vec<Anchor>,
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
}

/// Wraps `content` in a DER SEQUENCE header.
fn der_sequence(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend(&bytes[skip..]);
    }
    out.extend(content);
    out
}

impl TrustStore {
    fn from_anchors(kind: StoreKind, anchors: Vec<Anchor>) -> TrustStore {
        let mut by_subject: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (i, a) in anchors.iter().enumerate() {
            by_subject.entry(a.subject.clone()).or_default().push(i);
        }
        TrustStore {
            kind,
            anchors,
            by_subject,
        }
    }

    /// Mozilla's root program, as compiled into tlskit (the same roots `connect` trusts).
    pub fn webpki() -> TrustStore {
        let anchors = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|ta| Anchor {
                subject: der_sequence(ta.subject.as_ref()),
                spki: der_sequence(ta.subject_public_key_info.as_ref()),
                given_in: None,
            })
            .collect();
        TrustStore::from_anchors(StoreKind::Webpki, anchors)
    }

    /// The given CA certificates only.
    pub fn from_certs(certs: &[CertificateDer<'_>]) -> anyhow::Result<TrustStore> {
        let mut anchors = Vec::with_capacity(certs.len());
        for (i, der) in certs.iter().enumerate() {
            let cert = super::x509info::parse_cert(der)
                .map_err(|e| anyhow::anyhow!("CA certificate #{}: {e}", i + 1))?;
            anchors.push(Anchor {
                subject: cert.subject().as_raw().to_vec(),
                spki: cert.public_key().raw.to_vec(),
                given_in: None,
            });
        }
        Ok(TrustStore::from_anchors(StoreKind::Custom, anchors))
    }

    /// This store plus CA certificates given among the inputs, as
    /// `openssl verify -CAfile` trusts them: `(input name, certificate)`.
    /// Certificates that are not CAs, or do not parse, are left out.
    pub fn with_inputs(&self, extra: &[(String, CertificateDer<'_>)]) -> TrustStore {
        let mut anchors = self.anchors.clone();
        for (name, der) in extra {
            let Ok(cert) = super::x509info::parse_cert(der) else {
                continue;
            };
            if !cert.is_ca() {
                continue;
            }
            anchors.push(Anchor {
                subject: cert.subject().as_raw().to_vec(),
                spki: cert.public_key().raw.to_vec(),
                given_in: Some(name.clone()),
            });
        }
        TrustStore::from_anchors(self.kind, anchors)
    }

    /// The anchor that is `cert` itself (same subject and key), if any.
    pub fn anchor_for(&self, cert: &X509Certificate<'_>) -> Option<&Anchor> {
        self.by_subject
            .get(cert.subject().as_raw())
            .and_then(|ids| {
                ids.iter()
                    .map(|&i| &self.anchors[i])
                    .find(|a| a.spki == cert.public_key().raw)
            })
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there are no anchors.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Whether `cert` is itself a trust anchor (same subject and key).
    pub fn contains(&self, cert: &X509Certificate<'_>) -> bool {
        self.by_subject
            .get(cert.subject().as_raw())
            .is_some_and(|ids| {
                ids.iter()
                    .any(|&i| self.anchors[i].spki == cert.public_key().raw)
            })
    }

    /// The anchor that issued and signed `cert`, if any.
    pub fn issuer_of(&self, cert: &X509Certificate<'_>) -> Option<&Anchor> {
        let ids = self.by_subject.get(cert.issuer().as_raw())?;
        ids.iter().map(|&i| &self.anchors[i]).find(|a| {
            SubjectPublicKeyInfo::from_der(&a.spki)
                .is_ok_and(|(_, spki)| signed_by(cert, &spki).is_ok())
        })
    }
}

/// Whether a certificate is signed by the one presented after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum LinkStatus {
    /// The next certificate's subject is this one's issuer and its key made the signature.
    Signed,
    /// The next certificate is not this one's issuer (by name).
    NotIssuer,
    /// Names match, but the signature does not verify with the next key.
    BadSignature,
    /// The signature could not be checked (algorithm).
    Unchecked(String),
}

/// One presented certificate and the next one.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Index of the certificate.
    pub index: usize,
    /// Index of the certificate after it.
    pub next: usize,
    /// Whether `next` signed `index`.
    pub signed_by_next: LinkStatus,
}

/// How the certificates of one input relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// One certificate.
    Single,
    /// A chain: certificates that issue one another.
    Chain,
    /// Unrelated certificates (a CA bundle): none issued another.
    Collection,
}

/// Where the chain ends.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum ChainEnd {
    /// It reaches a trust anchor.
    TrustedRoot {
        /// The anchor's subject.
        root: String,
        /// Index of the anchor in the input, when it was sent; absent when it came from the store.
        index: Option<usize>,
        /// Which store.
        store: StoreKind,
        /// The input that gave the anchor, when it was a CA among the inputs.
        #[serde(skip_serializing_if = "Option::is_none")]
        given_in: Option<String>,
    },
    /// It ends at a self-signed certificate that is not in the trust store.
    UntrustedRoot {
        /// The root's subject.
        root: String,
        /// Its index.
        index: usize,
    },
    /// The last certificate's issuer is neither in the input nor in the trust store.
    IssuerNotFound {
        /// Index of the last certificate of the chain.
        index: usize,
        /// The issuer nobody sent.
        issuer: String,
    },
}

/// The chain analysis of one input.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// Single, chain or collection.
    pub shape: Shape,
    /// Each presented certificate and whether the next signed it.
    pub links: Vec<Link>,
    /// Indices in issuing order, leaf first (empty for a collection).
    pub path: Vec<usize>,
    /// Whether the certificates were presented in issuing order.
    pub in_order: bool,
    /// Indices of certificates that are not part of the chain.
    pub unrelated: Vec<usize>,
    /// Where the chain ends (absent for a collection).
    pub end: Option<ChainEnd>,
    /// Per certificate: whether it is itself a trust anchor.
    pub in_trust_store: Vec<bool>,
}

impl ChainReport {
    /// Whether the chain ends in a root of Mozilla's program.
    pub fn publicly_trusted(&self) -> bool {
        matches!(
            self.end,
            Some(ChainEnd::TrustedRoot {
                store: StoreKind::Webpki,
                ..
            })
        )
    }
}

fn link_status(cert: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> LinkStatus {
    if cert.issuer().as_raw() != issuer.subject().as_raw() {
        return LinkStatus::NotIssuer;
    }
    match signed_by(cert, issuer.public_key()) {
        Ok(()) => LinkStatus::Signed,
        Err(SigError::Invalid) => LinkStatus::BadSignature,
        Err(e @ SigError::Unsupported(_)) => LinkStatus::Unchecked(e.to_string()),
    }
}

fn self_issued(cert: &X509Certificate<'_>) -> bool {
    cert.subject().as_raw() == cert.issuer().as_raw()
}

/// The longest chain tlskit follows: real ones have three or four certificates.
const MAX_PATH: usize = 16;
/// How many same-named issuers are tried at each step.
const MAX_CANDIDATES: usize = 8;

/// Analyses certificates as presented (leaf first, if it is a chain).
pub fn analyze(certs: &[X509Certificate<'_>], store: &TrustStore) -> ChainReport {
    let n = certs.len();
    let in_trust_store: Vec<bool> = certs.iter().map(|c| store.contains(c)).collect();
    // Who could have issued whom, by name (self-issued certificates excluded).
    // Nothing quadratic is materialised: a hostile 16 MiB bundle of certificates
    // that all name each other must cost linear time, not n² edges.
    let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
    for (j, c) in certs.iter().enumerate() {
        by_subject.entry(c.subject().as_raw()).or_default().push(j);
    }
    let candidates_of = |i: usize| -> &[usize] {
        if self_issued(&certs[i]) {
            return &[];
        }
        by_subject
            .get(certs[i].issuer().as_raw())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    };
    // `is_issuer[j]`: another certificate names j's subject as its issuer.
    let referenced: std::collections::HashSet<&[u8]> = certs
        .iter()
        .filter(|c| !self_issued(c))
        .map(|c| c.issuer().as_raw())
        .filter(|name| by_subject.contains_key(name))
        .collect();
    let any_edge = !referenced.is_empty();
    let mut is_issuer = vec![false; n];
    for js in referenced.iter().filter_map(|name| by_subject.get(name)) {
        for &j in js {
            is_issuer[j] = true;
        }
    }
    let shape = match n {
        0 | 1 => Shape::Single,
        // Unrelated CAs (a bundle of roots); a leaf among them is a chain missing its links.
        _ if !any_edge && certs.iter().all(|c| c.is_ca() || self_issued(c)) => Shape::Collection,
        _ => Shape::Chain,
    };
    if shape == Shape::Collection {
        return ChainReport {
            shape,
            links: Vec::new(),
            path: Vec::new(),
            in_order: true,
            unrelated: Vec::new(),
            end: None,
            in_trust_store,
        };
    }
    let links: Vec<Link> = (0..n.saturating_sub(1))
        .map(|i| Link {
            index: i,
            next: i + 1,
            signed_by_next: link_status(&certs[i], &certs[i + 1]),
        })
        .collect();

    // The leaf issues nothing; prefer the first certificate when it qualifies.
    let leaf = if n == 0 || !is_issuer[0] {
        0
    } else {
        (0..n).find(|&j| !is_issuer[j]).unwrap_or(0)
    };
    let mut path = Vec::new();
    let mut on_path = vec![false; n];
    if n > 0 {
        path.push(leaf);
        on_path[leaf] = true;
        let mut cur = leaf;
        while path.len() < n.min(MAX_PATH) {
            // A candidate whose key verifies first, then the one presented next.
            let mut best: Option<((bool, bool, usize), usize)> = None;
            for &j in candidates_of(cur)
                .iter()
                .filter(|&&j| j != cur && !on_path[j])
                .take(MAX_CANDIDATES)
            {
                let key = (
                    link_status(&certs[cur], &certs[j]) != LinkStatus::Signed,
                    j != cur + 1,
                    j,
                );
                if best.as_ref().is_none_or(|(k, _)| key < *k) {
                    best = Some((key, j));
                }
            }
            match best {
                Some((_, next)) => {
                    path.push(next);
                    on_path[next] = true;
                    cur = next;
                }
                None => break,
            }
        }
    }
    let in_order = path.iter().enumerate().all(|(pos, &i)| pos == i);
    let unrelated: Vec<usize> = (0..n).filter(|&i| !on_path[i]).collect();

    let end = path.iter().position(|&i| in_trust_store[i]).map_or_else(
        || {
            let &last = path.last()?;
            let cert = &certs[last];
            Some(if let Some(anchor) = store.issuer_of(cert) {
                ChainEnd::TrustedRoot {
                    root: anchor.name(),
                    index: None,
                    store: if anchor.given_in.is_some() {
                        StoreKind::Input
                    } else {
                        store.kind
                    },
                    given_in: anchor.given_in.clone(),
                }
            } else if self_issued(cert) {
                ChainEnd::UntrustedRoot {
                    root: cert.subject().to_string(),
                    index: last,
                }
            } else {
                ChainEnd::IssuerNotFound {
                    index: last,
                    issuer: cert.issuer().to_string(),
                }
            })
        },
        |pos| {
            let i = path[pos];
            let given_in = store.anchor_for(&certs[i]).and_then(|a| a.given_in.clone());
            Some(ChainEnd::TrustedRoot {
                root: certs[i].subject().to_string(),
                index: Some(i),
                store: if given_in.is_some() {
                    StoreKind::Input
                } else {
                    store.kind
                },
                given_in,
            })
        },
    );
    ChainReport {
        shape,
        links,
        path,
        in_order,
        unrelated,
        end,
        in_trust_store,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::certgen::{self, CaIssuer, CertSpec, KeyType, Name, Profile};

    fn ca_and_leaf() -> (Vec<u8>, Vec<u8>) {
        let ca_spec = CertSpec::valid_for_days(vec![], KeyType::P384, Profile::Ca, 10);
        let ca = certgen::generate(&ca_spec, None).unwrap();
        let issuer = CaIssuer::new(ca.cert_der.clone(), &ca.key_der).unwrap();
        let leaf_spec = CertSpec::valid_for_days(
            vec![Name::Dns("a.test".into())],
            KeyType::Ed25519,
            Profile::Server,
            5,
        );
        let leaf = certgen::generate(&leaf_spec, Some(&issuer)).unwrap();
        (leaf.cert_der.to_vec(), ca.cert_der.to_vec())
    }

    fn parse(ders: &[&Vec<u8>]) -> Vec<X509Certificate<'static>> {
        ders.iter()
            .map(|d| {
                let leaked: &'static [u8] = Box::leak(d.to_vec().into_boxed_slice());
                x509_parser::parse_x509_certificate(leaked).unwrap().1
            })
            .collect()
    }

    #[test]
    fn chain_in_order_ends_at_untrusted_root() {
        let (leaf, ca) = ca_and_leaf();
        let r = analyze(&parse(&[&leaf, &ca]), &TrustStore::webpki());
        assert_eq!(r.shape, Shape::Chain);
        assert_eq!(r.links[0].signed_by_next, LinkStatus::Signed);
        assert!(r.in_order);
        assert_eq!(r.path, [0, 1]);
        assert!(matches!(
            r.end,
            Some(ChainEnd::UntrustedRoot { index: 1, .. })
        ));
    }

    #[test]
    fn reversed_chain_is_out_of_order() {
        let (leaf, ca) = ca_and_leaf();
        let r = analyze(&parse(&[&ca, &leaf]), &TrustStore::webpki());
        assert_eq!(r.shape, Shape::Chain);
        assert_eq!(r.links[0].signed_by_next, LinkStatus::NotIssuer);
        assert!(!r.in_order);
        assert_eq!(r.path, [1, 0]);
    }

    #[test]
    fn custom_store_anchors_a_lone_leaf() {
        let (leaf, ca) = ca_and_leaf();
        let store = TrustStore::from_certs(&[CertificateDer::from(ca.clone())]).unwrap();
        let r = analyze(&parse(&[&leaf]), &store);
        assert!(matches!(
            r.end,
            Some(ChainEnd::TrustedRoot {
                index: None,
                store: StoreKind::Custom,
                ..
            })
        ));
        let r = analyze(&parse(&[&leaf]), &TrustStore::webpki());
        assert!(matches!(
            r.end,
            Some(ChainEnd::IssuerNotFound { index: 0, .. })
        ));
        // A different CA with the same name does not anchor it: the signature decides.
        let (_, other_ca) = ca_and_leaf();
        let store = TrustStore::from_certs(&[CertificateDer::from(other_ca)]).unwrap();
        let r = analyze(&parse(&[&leaf]), &store);
        assert!(matches!(r.end, Some(ChainEnd::IssuerNotFound { .. })));
        let r = analyze(&parse(&[&leaf, &ca]), &store);
        assert!(matches!(r.end, Some(ChainEnd::UntrustedRoot { .. })));
    }

    #[test]
    fn same_name_other_key_is_a_bad_signature() {
        let (_, a) = ca_and_leaf();
        let (leaf, _) = ca_and_leaf();
        // Both CAs are "CN=tlskit local CA": the names link the leaf to `a`, the signature does not.
        let r = analyze(&parse(&[&leaf, &a]), &TrustStore::webpki());
        assert_eq!(r.links[0].signed_by_next, LinkStatus::BadSignature);
    }

    #[test]
    fn unrelated_roots_are_a_collection() {
        let (_, a) = ca_and_leaf();
        let (_, b) = ca_and_leaf();
        let r = analyze(&parse(&[&a, &b]), &TrustStore::webpki());
        assert_eq!(r.shape, Shape::Collection);
        assert!(r.end.is_none());
        assert!(r.path.is_empty());
    }
}
