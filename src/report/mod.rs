//! Reports that a command assembles from what the engines observed: the
//! parts `connect` shows for TLS and DTLS alike (what vouched for the server,
//! the verdict, the chain). Data only, for `output/` to render and serde to
//! write as JSON; nothing here prints or knows a flag.

pub mod connect;
pub mod dtls;
pub mod inspect;

use serde::Serialize;

use crate::tls::certinfo::CertSummary;
use crate::tls::files;
use crate::tls::verify::Observed;

/// The kind of a failure, one word per exit code, as JSON error documents
/// name it (the exit-code table gives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Exit 0.
    Success,
    /// Exit 1: bad input, I/O, anything not covered below.
    Error,
    /// Exit 2: the command line.
    Usage,
    /// Exit 3: resolve, connect, timeout.
    Network,
    /// Exit 4: the TLS handshake.
    Handshake,
    /// Exit 5: certificate verification.
    Verification,
    /// Exit 6: a pin did not match.
    Pin,
    /// Exit 7: a certificate expires soon.
    Expiring,
    /// Exit 8: an audit fell below the grade asked for.
    Grade,
}

/// A failure as a JSON report has it (`connect`'s, over TLS or DTLS);
/// `S` is how far the dial got.
#[derive(Debug, Serialize)]
pub struct ErrorReport<S> {
    /// The sentence printed on stderr.
    pub message: String,
    /// The exit code.
    pub exit_code: u8,
    /// The failure's kind, one word (`network`, `handshake`, `verification`,
    /// `pin`, …), as the exit-code table names it.
    pub kind: ErrorKind,
    /// How far the dial got.
    pub stage: S,
}

/// Whether a server (`serve`, `serve --dtls`) asks clients for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// A certificate signed by a `--client-ca` is required.
    Required,
    /// A client may send none; one it sends must verify.
    Optional,
    /// No certificate is asked for.
    Off,
}

impl ClientAuth {
    /// The name as JSON spells it.
    pub fn name(self) -> &'static str {
        match self {
            ClientAuth::Required => "required",
            ClientAuth::Optional => "optional",
            ClientAuth::Off => "off",
        }
    }
}

/// What vouched for a server's chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// The Mozilla roots built in (webpki-roots).
    WebpkiRoots,
    /// The CA certificates of `--ca`.
    CaFile,
    /// The operating system's trust store.
    System,
    /// A matching pin stood in for a CA.
    Pin,
}

/// The verification part of a report.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// Whether the chain verified (and pins, if given, matched).
    pub verified: bool,
    /// `--insecure` was given.
    pub insecure: bool,
    /// What vouched for the chain: `webpki-roots`, `ca-file`, `system`, or
    /// `pin` when a matching pin stood in for a CA.
    pub trust: Trust,
    /// Why it did not verify.
    pub error: Option<String>,
    /// `null` without --pin; else whether one matched.
    pub pin_matched: Option<bool>,
}

impl Verification {
    /// The verdict on what a client observed: `roots` is what it trusted,
    /// `pinned` whether pins were given.
    pub fn of(
        observed: &Observed,
        server_name: &str,
        roots: Trust,
        pinned: bool,
        insecure: bool,
    ) -> Verification {
        let (verified, error) = match &observed.verdict {
            Some(Ok(())) => (true, None),
            Some(Err(e)) => (
                false,
                Some(crate::tls::explain::describe_error(
                    e,
                    observed,
                    server_name,
                )),
            ),
            None => (false, None),
        };
        Verification {
            verified,
            insecure,
            trust: if observed.trusted_by_pin {
                Trust::Pin
            } else {
                roots
            },
            error,
            pin_matched: if pinned { observed.pin_matched } else { None },
        }
    }
}

/// One certificate of a presented chain.
#[derive(Debug, Serialize)]
pub struct ChainCert {
    /// The summary every command shows.
    #[serde(flatten)]
    pub summary: CertSummary,
    /// PEM (with --showcerts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
}

/// The certificates a server presented, leaf first, each summarised (and as
/// PEM when `with_pem`); one that does not parse is left out.
pub fn chain(observed: &Observed, with_pem: bool) -> Vec<ChainCert> {
    observed
        .chain
        .iter()
        .filter_map(|der| {
            CertSummary::from_der(der).ok().map(|summary| ChainCert {
                summary,
                pem: with_pem.then(|| files::der_to_pem("CERTIFICATE", der)),
            })
        })
        .collect()
}

/// The warning when the server's certificate expires within 30 days.
pub fn expiry_warning(leaf: &CertSummary) -> Option<String> {
    (leaf.days_left >= 0 && leaf.days_left < 30 && leaf.days_until_valid <= 0).then(|| {
        format!(
            "the server's certificate expires in {} days",
            leaf.days_left
        )
    })
}
