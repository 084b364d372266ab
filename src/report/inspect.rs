//! `inspect`'s report: every detail of certificates, chains, keys and
//! requests read from one input, and the `--key` and `--expires-within`
//! results. Built here from what was read; rendered by `output::inspect`.

use anyhow::{bail, Context, Result};
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::tls::chain::{self, ChainReport, StoreKind, TrustStore};
use crate::tls::files::Item;
use crate::tls::lint::{self, Finding, Role};
use crate::tls::pin::Pin;
use crate::tls::source::Served;
use crate::tls::source::SourceKind;
use crate::tls::x509info::{self, CertDetails, CsrDetails, PrivateKeyDetails, PublicKeyDetails};

/// One certificate in the report.
#[derive(Debug, Serialize)]
pub struct CertEntry {
    /// Position in its input (0: first presented).
    pub index: usize,
    /// What it is for, as far as tlskit can tell.
    pub role: Role,
    /// Whether it is itself a trust anchor of the store used.
    pub in_trust_store: bool,
    /// Every detail.
    #[serde(flatten)]
    pub details: CertDetails,
}

/// What a live server did.
#[derive(Debug, Serialize)]
pub struct ServerInfo {
    /// The target dialled.
    pub target: String,
    /// The address that answered.
    pub address: Option<String>,
    /// The name verified against.
    pub server_name: String,
    /// Whether the chain verified (Mozilla's roots, the server name).
    pub verified: bool,
    /// Why not.
    pub verification_error: Option<String>,
    /// Negotiated protocol.
    pub protocol: Option<crate::tls::handshake::Protocol>,
    /// Negotiated cipher suite.
    pub cipher_suite: Option<String>,
}

/// What a `--key` was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyTarget {
    /// The input's leaf certificate.
    Certificate,
    /// The input's first certificate request (an input without certificates).
    Request,
}

impl KeyTarget {
    /// The word a sentence uses.
    pub fn name(self) -> &'static str {
        match self {
            KeyTarget::Certificate => "certificate",
            KeyTarget::Request => "request",
        }
    }
}

/// Everything read from one input.
#[derive(Debug, Serialize)]
pub struct InputReport {
    /// The input as named.
    pub source: String,
    /// `file`, `stdin` or `server`.
    pub kind: SourceKind,
    /// For a certificate asked for by a targets file's `names=`: the name sent
    /// as SNI (the server is `source`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// Set for a live server.
    pub server: Option<ServerInfo>,
    /// Certificates, in the order presented.
    pub certificates: Vec<CertEntry>,
    /// How the certificates relate (absent when there are none).
    pub chain: Option<ChainReport>,
    /// Private keys (described by their public half only).
    pub private_keys: Vec<PrivateKeyDetails>,
    /// Bare public keys.
    pub public_keys: Vec<PublicKeyDetails>,
    /// Certificate signing requests.
    pub csrs: Vec<CsrDetails>,
    /// PEM sections present but not inspected (a CRL, …).
    pub skipped: Vec<String>,
    /// What looks wrong.
    pub findings: Vec<Finding>,
    /// Servers, with --check-revocation: each certificate's revocation status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::RevocationReport>,
    /// The certificates as read (for `--pem` and `--key`).
    #[serde(skip)]
    pub ders: Vec<Vec<u8>>,
    /// The requests as read (for `--key`).
    #[serde(skip)]
    pub csr_ders: Vec<Vec<u8>>,
}

impl InputReport {
    /// The input as messages name it: `source`, and the SNI name it was asked
    /// for, if any (`host:443 (SNI api.example.com)`).
    pub fn label(&self) -> String {
        match &self.sni {
            Some(name) => format!("{} (SNI {name})", self.source),
            None => self.source.clone(),
        }
    }
}

/// The result of `--key`.
#[derive(Debug, Serialize)]
pub struct KeyCheck {
    /// The key file.
    pub key: String,
    /// The key's pin.
    pub key_pin: Pin,
    /// One result per input with a certificate.
    pub results: Vec<KeyMatch>,
}

/// Whether the key belongs to one input's leaf.
#[derive(Debug, Serialize)]
pub struct KeyMatch {
    /// The input.
    pub source: String,
    /// What the key was checked against: `certificate` (the leaf), or `request`
    /// (the first CSR, for an input without certificates).
    pub kind: KeyTarget,
    /// The certificate's (or request's) subject.
    pub subject: String,
    /// The certificate's (or request's) pin.
    pub certificate_pin: Pin,
    /// Whether they belong together.
    pub matches: bool,
}

/// One certificate that expires within the threshold.
#[derive(Debug, Serialize)]
pub struct Expiring {
    /// The input.
    pub source: String,
    /// The name asked for by SNI, for a targets file's `names=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// Index within it.
    pub index: usize,
    /// Subject.
    pub subject: String,
    /// notAfter.
    pub not_after: String,
    /// Days left (negative: expired).
    pub days_left: i64,
}

/// The result of `--expires-within`.
#[derive(Debug, Serialize)]
pub struct ExpiryCheck {
    /// The threshold, in seconds.
    pub within_seconds: i64,
    /// Certificates inside it.
    pub expiring: Vec<Expiring>,
}

/// What `inspect` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per input, in command-line order.
    pub inputs: Vec<InputReport>,
    /// The trust store chains were judged against.
    pub trust_store: StoreKind,
    /// With `--key`.
    pub key_check: Option<KeyCheck>,
    /// With `--expires-within`.
    pub expiry_check: Option<ExpiryCheck>,
}

/// Builds the report of one input from the objects read from it (`kind`:
/// `file`, `stdin` or `server`; `name` is used in errors, `shown` in the report).
pub fn inspect_items(
    name: &str,
    kind: SourceKind,
    shown: String,
    items: Vec<Item>,
    served_by: Option<Served>,
    store: &TrustStore,
    now: OffsetDateTime,
) -> Result<InputReport> {
    let served = served_by.is_some();
    let mut certs_der = Vec::new();
    let mut private_keys = Vec::new();
    let mut public_keys = Vec::new();
    let mut csrs = Vec::new();
    let mut csr_ders = Vec::new();
    let mut skipped = Vec::new();
    let mut findings = Vec::new();
    for item in items {
        match item {
            Item::Certificate(c) => certs_der.push(c.as_ref().to_vec()),
            Item::PrivateKey(k) => {
                let n = private_keys.len() + 1;
                private_keys.push(
                    x509info::describe_private_key(&k)
                        .with_context(|| format!("{name}: private key #{n}"))?,
                );
            }
            Item::PublicKey(spki) => {
                let n = public_keys.len() + 1;
                public_keys.push(
                    x509info::describe_public_key(&spki)
                        .with_context(|| format!("{name}: public key #{n}"))?,
                );
            }
            Item::Csr(der) => {
                let n = csrs.len() + 1;
                let csr = x509info::describe_csr(der.as_ref())
                    .with_context(|| format!("{name}: certificate request #{n}"))?;
                if !csr.signature_valid {
                    findings.push(Finding {
                        certificate: None,
                        code: "csr-signature",
                        message: format!(
                            "certificate request #{n}: its signature does not verify with its own key (altered, or not made with this key)"
                        ),
                    });
                }
                csrs.push(csr);
                csr_ders.push(der.as_ref().to_vec());
            }
            Item::Other(what) => skipped.push(what.to_string()),
        }
    }
    if certs_der.is_empty() && private_keys.is_empty() && public_keys.is_empty() && csrs.is_empty()
    {
        bail!(
            "{name}: nothing to inspect (it holds {})",
            if skipped.is_empty() {
                "nothing".to_string()
            } else {
                skipped.join(", ")
            }
        );
    }

    let mut parsed = Vec::with_capacity(certs_der.len());
    for (i, der) in certs_der.iter().enumerate() {
        let cert = x509info::parse_cert(der).with_context(|| {
            if certs_der.len() == 1 {
                format!("{name}: the certificate does not parse")
            } else {
                format!("{name}: certificate #{i} does not parse")
            }
        })?;
        parsed.push(cert);
    }
    let details: Vec<CertDetails> = parsed
        .iter()
        .zip(&certs_der)
        .map(|(c, der)| x509info::describe_parsed(c, der, now))
        .collect();
    let chain = (!parsed.is_empty()).then(|| chain::analyze(&parsed, store));
    let mut certificates = Vec::with_capacity(details.len());
    for (i, d) in details.into_iter().enumerate() {
        let (issuer_in_chain, on_path) = match &chain {
            Some(c) => {
                let pos = c.path.iter().position(|&p| p == i);
                (pos.is_some_and(|p| p > 0), pos.is_some())
            }
            None => (false, false),
        };
        let role = lint::infer_role(&d, issuer_in_chain, served && i == 0);
        let public = on_path && chain.as_ref().is_some_and(ChainReport::publicly_trusted);
        findings.extend(lint::lint_cert(i, &d, role, public));
        certificates.push(CertEntry {
            index: i,
            role,
            in_trust_store: chain
                .as_ref()
                .is_some_and(|c| c.in_trust_store.get(i).copied().unwrap_or(false)),
            details: d,
        });
    }
    if let Some(c) = &chain {
        let subjects: Vec<String> = certificates
            .iter()
            .map(|c| c.details.subject.clone())
            .collect();
        findings.extend(lint::lint_chain(c, &subjects, served));
    }
    findings.sort_by_key(|f| f.certificate.map_or(usize::MAX, |c| c));

    Ok(InputReport {
        kind,
        source: shown,
        sni: None,
        server: served_by.map(|s| ServerInfo {
            target: s.target,
            address: s.address,
            server_name: s.server_name,
            verified: s.verdict.is_ok(),
            verification_error: s.verdict.err(),
            protocol: s.protocol,
            cipher_suite: s.cipher_suite,
        }),
        certificates,
        chain,
        private_keys,
        public_keys,
        csrs,
        skipped,
        findings,
        revocation: None,
        ders: certs_der,
        csr_ders,
    })
}

/// The public key bits of a DER SubjectPublicKeyInfo (what must match, whatever the encoding of the parameters).
pub fn spki_bits(spki_der: &[u8]) -> Result<Vec<u8>> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| anyhow::anyhow!("the key's public half does not parse: {e}"))?;
    Ok(spki.subject_public_key.data.to_vec())
}

/// The certificates of `inputs` that expire within `within` (or have expired).
pub fn expiry(inputs: &[InputReport], within: time::Duration) -> ExpiryCheck {
    let limit = within.whole_seconds();
    let expiring = inputs
        .iter()
        .flat_map(|input| {
            input
                .certificates
                .iter()
                .filter(move |c| c.details.seconds_left <= limit)
                .map(move |c| Expiring {
                    source: input.source.clone(),
                    sni: input.sni.clone(),
                    index: c.index,
                    subject: c.details.subject.clone(),
                    not_after: c.details.not_after.clone(),
                    days_left: c.details.days_left,
                })
        })
        .collect();
    ExpiryCheck {
        within_seconds: limit,
        expiring,
    }
}
