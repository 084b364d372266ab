//! `--check-revocation`, `--fetch-intermediates` and `--offline`: the flags that
//! let a client fetch what verification alone cannot know (OCSP answers, CRLs,
//! a missing intermediate), and the glue that runs the revocation engine after
//! a handshake and turns its report into warnings or an exit code.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, Error as TlsError};

use crate::exit::{self, Code};
use crate::revocation::aia::{self, Completion};
use crate::revocation::{self, Chain, Options, RevocationReport};
use crate::tls::config;
use crate::tls::verify::Observed;

/// What an unknown revocation status does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RevocationMode {
    /// Unknown is a warning; revoked fails (exit 5).
    Warn,
    /// Unknown fails too (exit 5).
    Require,
}

impl From<RevocationMode> for revocation::Mode {
    fn from(m: RevocationMode) -> revocation::Mode {
        match m {
            RevocationMode::Warn => revocation::Mode::Warn,
            RevocationMode::Require => revocation::Mode::Require,
        }
    }
}

/// `--check-revocation` and `--offline` (connect, inspect, scan, tunnel client).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CheckArgs {
    /// Check whether each certificate of the chain was revoked: the stapled OCSP response,
    /// else the certificate's OCSP responder, else its CRL. Revoked fails (exit 5);
    /// =require also fails when the status cannot be learned.
    #[arg(
        long,
        value_name = "MODE",
        value_enum,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "warn"
    )]
    pub check_revocation: Option<RevocationMode>,

    /// Fetch nothing (no OCSP, CRL or intermediate downloads), for air-gapped use.
    #[arg(long)]
    pub offline: bool,
}

/// The revocation and chain-completion flags (connect).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RevocationArgs {
    #[command(flatten)]
    pub check: CheckArgs,

    /// When the server sent no intermediate and its certificate names its issuer
    /// (caIssuers), fetch it and verify again, to tell whether the chain is only
    /// incomplete (a fetched certificate is never trusted as a root).
    #[arg(long)]
    pub fetch_intermediates: bool,
}

/// What the checks after a successful handshake found.
#[derive(Debug, Default)]
pub struct AfterVerify {
    /// The revocation report (with --check-revocation).
    pub report: Option<RevocationReport>,
    /// Things worth a warning.
    pub warnings: Vec<String>,
    /// The verification failure to exit with (exit 5), if any.
    pub failure: Option<anyhow::Error>,
}

fn server_name(name: &str) -> Result<ServerName<'static>> {
    Ok(ServerName::try_from(name.to_string())?)
}

fn roots(trust: &super::RootArgs) -> Result<Arc<rustls::RootCertStore>> {
    let (roots, _) = trust.load()?;
    Ok(Arc::new(config::root_store(&roots)?))
}

/// Whether the protocol could have carried a stapled OCSP response: TLS can;
/// DTLS here cannot (no status_request), so must-staple is not judged there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stapling {
    /// The server could have stapled.
    Possible,
    /// Nothing can be stapled (DTLS).
    Impossible,
}

/// Must-staple and revocation, once the chain verified.
pub async fn after_verify(
    args: &RevocationArgs,
    trust: &super::TrustArgs,
    observed: &Observed,
    name: &str,
    timeout: Duration,
    stapling: Stapling,
) -> Result<AfterVerify> {
    let mut out = AfterVerify::default();
    let verified = matches!(observed.verdict, Some(Ok(())));
    let Some(leaf) = observed.chain.first() else {
        return Ok(out);
    };
    if stapling == Stapling::Possible && revocation::must_staple(leaf) && observed.ocsp.is_empty() {
        let sentence = "the server's certificate is marked must-staple (TLS Feature status_request) but the server stapled no OCSP response".to_string();
        if verified && !trust.insecure {
            out.failure = Some(exit::fail(Code::Verification, sentence));
            return Ok(out);
        }
        out.warnings.push(sentence);
    }
    let Some(mode) = args.check.check_revocation else {
        return Ok(out);
    };
    if !verified || observed.trusted_by_pin {
        out.warnings.push(
            "revocation was not checked: the chain did not verify up to a trusted root".into(),
        );
        return Ok(out);
    }
    let chain = Chain {
        certs: observed.chain.clone(),
        staple: observed.ocsp.clone(),
        roots: roots(&trust.roots)?,
        server_name: Some(server_name(name)?),
    };
    let report = revocation::check(
        &chain,
        Options {
            timeout,
            offline: args.check.offline,
        },
    )
    .await;
    let (failure, warnings) = judge(&report, mode);
    out.failure = failure;
    out.warnings.extend(warnings);
    out.report = Some(report);
    Ok(out)
}

/// What a report means under `mode`: the failure (exit 5) and the warnings.
pub fn judge(
    report: &RevocationReport,
    mode: RevocationMode,
) -> (Option<anyhow::Error>, Vec<String>) {
    let mut out = AfterVerify::default();
    if let Some(revoked) = report.revoked() {
        out.failure = Some(exit::fail(Code::Verification, revoked.revoked_sentence()));
    } else {
        let unknown: Vec<String> = report.unknown().map(|c| c.unknown_sentence()).collect();
        if mode == RevocationMode::Require && !unknown.is_empty() {
            out.failure = Some(exit::fail(
                Code::Verification,
                format!("{} (--check-revocation=require)", unknown.join("; ")),
            ));
        } else {
            out.warnings.extend(unknown);
        }
    }
    (out.failure, out.warnings)
}

/// `inspect HOST:PORT --check-revocation`: checks a chain a server presented
/// (and that verified against `ca`, or Mozilla's roots), on a runtime of its own.
pub fn check_presented(
    args: &CheckArgs,
    ca: Option<&[CertificateDer<'static>]>,
    chain: Vec<CertificateDer<'static>>,
    name: &str,
    timeout: Duration,
) -> Result<RevocationReport> {
    let roots = match ca {
        Some(certs) => config::TrustRoots::Certs(certs.to_vec()),
        None => config::TrustRoots::Webpki,
    };
    let chain = Chain {
        certs: chain,
        staple: Vec::new(),
        roots: Arc::new(config::root_store(&roots)?),
        server_name: Some(server_name(name)?),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = rt.block_on(revocation::check(
        &chain,
        Options {
            timeout,
            offline: args.offline,
        },
    ));
    Ok(report)
}

/// Whether a failed handshake failed because the issuer is unknown.
fn unknown_issuer(observed: &Observed) -> bool {
    matches!(
        observed.verdict,
        Some(Err(TlsError::InvalidCertificate(
            CertificateError::UnknownIssuer
        )))
    )
}

/// For a chain refused for an unknown issuer: the caIssuers hint, and with
/// `--fetch-intermediates` the fetched issuer and whether the chain then
/// verifies. Returns the error to report instead, and the completion.
pub async fn missing_intermediate(
    args: &RevocationArgs,
    trust: &super::TrustArgs,
    observed: &Observed,
    name: &str,
    timeout: Duration,
    error: anyhow::Error,
) -> (anyhow::Error, Option<Completion>) {
    if !unknown_issuer(observed) {
        return (error, None);
    }
    let Some(last) = observed.chain.last() else {
        return (error, None);
    };
    let Some(url) = aia::ca_issuers(last).into_iter().next() else {
        return (error, None);
    };
    let shown = crate::text::sanitize(&url).into_owned();
    let issuer = x509_parser::parse_x509_certificate(last)
        .map(|(_, c)| c.issuer().to_string())
        .unwrap_or_default();
    let unknown = format!(
        "the certificate is issued by an unknown authority: {}",
        crate::text::sanitize(&issuer)
    );
    let sent = observed.chain.len();
    let sent_text = if sent == 1 {
        "the server sent no intermediate".to_string()
    } else {
        format!("the server sent {sent} certificates, and the last one's issuer is missing")
    };
    if !args.fetch_intermediates {
        let e = exit::fail(
            Code::Verification,
            format!(
                "{unknown}; {sent_text}; the certificate names its issuer at {shown} (--fetch-intermediates fetches it and checks the rest of the chain)"
            ),
        );
        return (e, None);
    }
    let setup = async {
        let roots = roots(&trust.roots)?;
        let name = server_name(name)?;
        anyhow::Ok((roots, name))
    };
    let (roots, name) = match setup.await {
        Ok(x) => x,
        Err(e) => return (e, None),
    };
    let opts = Options {
        timeout,
        offline: args.check.offline,
    };
    let completion = aia::complete(&observed.chain, roots, &name, opts).await;
    let e = if completion.verifies {
        let issuers: Vec<String> = completion
            .fetched
            .iter()
            .map(|f| {
                format!(
                    "{} (SHA-256 {}, from {})",
                    crate::text::sanitize(&f.subject),
                    f.sha256,
                    crate::text::sanitize(&f.url)
                )
            })
            .collect();
        exit::fail(
            Code::Verification,
            format!(
                "the server's chain is incomplete: {sent_text}; with the issuer it names fetched, {}, the chain verifies. Fix the server: configure it with its certificate followed by that intermediate (--save-chain FILE writes the complete chain)",
                issuers.join(", then ")
            ),
        )
    } else {
        exit::fail(
            Code::Verification,
            format!(
                "{unknown}; {sent_text}; fetching the issuer it names at {shown} did not complete the chain: {}",
                crate::text::sanitize(completion.error.as_deref().unwrap_or("no certificate"))
            ),
        )
    };
    (e, Some(completion))
}

/// The chain to save with `--save-chain` after a failure: the completed one
/// when fetching made it verify, else what the server sent.
pub fn chain_to_save<'a>(
    presented: &'a [CertificateDer<'static>],
    completion: Option<&'a Completion>,
) -> &'a [CertificateDer<'static>] {
    match completion {
        Some(c) if c.verifies => &c.chain,
        _ => presented,
    }
}

/// `serve --ocsp`: how the served certificate's OCSP response is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OcspMode {
    /// Fetch it from the responder the certificate names, and keep it fresh.
    Auto,
}

/// How long one OCSP fetch of `serve --ocsp auto` may take.
const STAPLE_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Sets up `serve --ocsp auto`: a resolver that staples checked responses,
/// installed in `config`, and the first fetch made now (so the first client
/// already gets a staple). Returns the refresher to run on the server's runtime.
pub fn start_stapling(
    identity: crate::tls::config::Identity,
    config: &mut Arc<rustls::ServerConfig>,
    runtime: &tokio::runtime::Runtime,
) -> Result<(revocation::staple::Live, Duration)> {
    use revocation::staple::{self, Live, Stapler};
    let source = staple::source_for(&identity.chain).map_err(|why| {
        exit::fail(
            Code::Usage,
            format!("--ocsp auto: {}", crate::text::sanitize(&why)),
        )
    })?;
    let key = identity.certified_key()?;
    let stapler = Stapler::new(key);
    let mut with_stapler = rustls::ServerConfig::clone(config);
    with_stapler.cert_resolver = stapler.clone();
    *config = Arc::new(with_stapler);
    let mut live = Live::new(
        stapler,
        source,
        Options {
            timeout: STAPLE_FETCH_TIMEOUT,
            offline: false,
        },
    );
    let first = runtime.block_on(live.refresh());
    // Before "listening": stdout's first line belongs to the listening address,
    // so the start-up fetch is reported on stderr, as start-up warnings are.
    log_staple(&first, false);
    Ok((live, Duration::from_secs(first.next_fetch_secs.max(1))))
}

/// Logs one fetch of `serve --ocsp auto`: a JSON line on stdout with --json,
/// else a line on stderr.
pub fn log_staple(e: &revocation::staple::StapleEvent, json: bool) {
    use std::io::Write as _;
    if json {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            event: &'static str,
            #[serde(flatten)]
            fetch: &'a revocation::staple::StapleEvent,
        }
        if let Ok(line) = crate::output::json::to_line(&Line {
            event: "ocsp",
            fetch: e,
        }) {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        return;
    }
    let line = crate::output::revocation::staple_line(e);
    let _ = writeln!(std::io::stderr().lock(), "tlskit: {line}");
}
