//! What `serve` prepares before its first socket opens: the identity read
//! and checked, the warnings about it, the ALPN list, the staple checked and
//! the rustls configuration built.

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use super::args::{Args, ClientAuthMode};
use crate::exit::{self, Code};
use crate::output::{self, sanitize};
use crate::tls::algorithms;
use crate::tls::certgen;
use crate::tls::certinfo::CertSummary;
use crate::tls::config::{self, ClientAuth, Identity, KeyLogTo, ServerOptions, Versions};
use crate::tls::{files, ocsp, x509info};

/// Everything prepared before the first socket opens.
pub(super) struct Setup {
    pub(super) config: Arc<rustls::ServerConfig>,
    pub(super) leaf: CertSummary,
    pub(super) chain_len: usize,
    pub(super) ephemeral: bool,
    pub(super) alpn: Vec<String>,
    pub(super) versions: Versions,
    pub(super) client_auth: crate::report::ClientAuth,
    pub(super) ocsp: bool,
    pub(super) keylog: Option<String>,
    /// `--groups`, when given.
    pub(super) groups: Option<Vec<String>>,
    /// `--suites`, when given.
    pub(super) suites: Option<Vec<String>>,
    /// What was printed as warnings at start-up.
    pub(super) warnings: Vec<String>,
}

/// Reads the files, checks them and builds the server's configuration.
pub(super) fn prepare(args: &Args) -> Result<Setup> {
    let (identity, ephemeral) = match (&args.cert, &args.key) {
        (Some(cert), key) => (load_identity(cert, key.as_deref())?, false),
        _ => {
            let g = certgen::ephemeral_localhost().context("making the ephemeral certificate")?;
            (
                Identity {
                    chain: vec![g.cert_der],
                    key: g.key_der,
                },
                true,
            )
        }
    };
    let leaf = CertSummary::from_der(&identity.chain[0]).context("reading --cert")?;
    let chain_len = identity.chain.len();
    let mut warnings = Vec::new();
    if !ephemeral {
        for w in certificate_warnings(&leaf)
            .into_iter()
            .chain(chain_order_warnings(&identity.chain))
            .chain(chain_size_warning(&identity.chain))
        {
            warn(&mut warnings, w);
        }
    }

    let client_auth = match &args.client_ca {
        None => ClientAuth::Off,
        Some(path) => {
            let cas = files::load_certs(path).context("reading --client-ca")?;
            match args.client_auth.unwrap_or(ClientAuthMode::Required) {
                ClientAuthMode::Required => ClientAuth::Required(cas),
                ClientAuthMode::Optional => ClientAuth::Optional(cas),
            }
        }
    };
    let client_auth_name = match client_auth {
        ClientAuth::Off => crate::report::ClientAuth::Off,
        ClientAuth::Optional(_) => crate::report::ClientAuth::Optional,
        ClientAuth::Required(_) => crate::report::ClientAuth::Required,
    };

    let alpn = alpn_list(args)?;
    let versions = Versions::from_flags(args.tls12, args.tls13);
    let ocsp = match &args.ocsp_response {
        Some(path) => {
            let der = files::read_input(path)?;
            let ocsp_warnings =
                check_ocsp_response(&der, &identity.chain[0], time::OffsetDateTime::now_utc())
                    .with_context(|| format!("--ocsp-response '{}'", path.display()))?;
            for w in ocsp_warnings {
                warn(&mut warnings, sanitize(&w).into_owned());
            }
            Some(der)
        }
        None => None,
    };
    let (keylog, keylog_name) = match (&args.keylog, std::env::var_os("SSLKEYLOGFILE")) {
        (Some(path), _) => (
            KeyLogTo::File(path.clone()),
            Some(path.display().to_string()),
        ),
        (None, Some(env)) if !env.is_empty() => (
            KeyLogTo::Env,
            Some(format!("{} (SSLKEYLOGFILE)", Path::new(&env).display())),
        ),
        _ => (KeyLogTo::Off, None),
    };
    let has_ocsp = ocsp.is_some();
    let algorithms = args.algorithms.algorithms(versions)?;
    if let Some(suites) = &algorithms.suites {
        if let Some(w) = tls12_suites_fit_key(suites, &identity.key, versions)? {
            warn(&mut warnings, w);
        }
    }
    let groups = algorithms
        .groups
        .as_ref()
        .map(|g| g.iter().map(|g| algorithms::group_name(g.name())).collect());
    let suites = algorithms.suites.as_ref().map(|s| {
        s.iter()
            .map(|s| algorithms::suite_name(s.suite()))
            .collect()
    });
    let config = config::server_config(ServerOptions {
        identity,
        client_auth,
        alpn: alpn.iter().map(|a| a.as_bytes().to_vec()).collect(),
        versions,
        tickets: !args.no_tickets,
        ocsp,
        keylog,
        algorithms,
    })?;
    Ok(Setup {
        config,
        leaf,
        chain_len,
        ephemeral,
        alpn,
        versions,
        client_auth: client_auth_name,
        ocsp: has_ocsp,
        keylog: keylog_name,
        groups,
        suites,
        warnings,
    })
}

/// Prints a start-up warning on stderr and keeps it for the `ready` event.
pub(crate) fn warn(warnings: &mut Vec<String>, w: String) {
    // Nothing useful is left to do when stderr is gone.
    let _ = output::serve::startup_warning(&mut std::io::stderr().lock(), &w);
    warnings.push(w);
}

/// Loads the chain and key and checks, now rather than at the first handshake, that they match.
pub(crate) fn load_identity(cert: &Path, key: Option<&Path>) -> Result<Identity> {
    let chain = files::load_certs(cert).context("reading --cert")?;
    let key_der = match key {
        Some(key) => files::load_key(key).context("reading --key")?,
        // The file was read as certificates already; what fails here is about its key.
        None => files::load_key(cert).map_err(|e| {
            if format!("{e:#}").contains("no private key found") {
                exit::fail(
                    Code::Usage,
                    format!(
                        "--cert '{}' holds no private key: give the key with --key FILE",
                        cert.display()
                    ),
                )
            } else {
                e.context("reading the key in --cert")
            }
        })?,
    };
    let key = key.unwrap_or(cert);
    let context = || {
        format!(
            "key '{}' and certificate '{}'",
            key.display(),
            cert.display()
        )
    };
    let matches = |c: &rustls::pki_types::CertificateDer<'static>| {
        Identity {
            chain: vec![c.clone()],
            key: key_der.clone_key(),
        }
        .certified_key()
        .is_ok()
    };
    if let Err(e) = (Identity {
        chain: chain.clone(),
        key: key_der.clone_key(),
    })
    .certified_key()
    {
        // The usual cause: a chain file with the leaf not first.
        if let Some(n) = chain.iter().skip(1).position(matches) {
            let subject = CertSummary::from_der(&chain[n + 1])
                .map(|s| s.subject)
                .unwrap_or_default();
            bail!(
                "{}: the key belongs to certificate #{} ({}), not to the first one; put the server's certificate first, then its intermediates",
                context(),
                n + 2,
                sanitize(&subject)
            );
        }
        return Err(e.context(context()));
    }
    Ok(Identity {
        chain,
        key: key_der,
    })
}

/// A chain whose Certificate message is over what clients read (rustls'
/// clients refuse a handshake message over 64 KiB).
fn chain_size_warning(chain: &[rustls::pki_types::CertificateDer<'_>]) -> Option<String> {
    let size = config::certificate_message_len(chain);
    (size > config::MAX_HANDSHAKE_MESSAGE).then(|| {
        format!(
            "the certificate chain ({} certificate{}) makes a Certificate message of {size} bytes, over the 64 KiB ({} bytes) that rustls clients accept (they will fail the handshake): serve fewer or smaller certificates",
            chain.len(),
            if chain.len() == 1 { "" } else { "s" },
            config::MAX_HANDSHAKE_MESSAGE
        )
    })
}

/// Each certificate of a served chain should be issued by the one after it
/// (RFC 5246 requires that order; TLS 1.3 clients tolerate others, many older ones do not).
fn chain_order_warnings(chain: &[rustls::pki_types::CertificateDer<'_>]) -> Vec<String> {
    let parsed: Vec<_> = chain.iter().map(|c| x509info::parse_cert(c).ok()).collect();
    let subject = |i: usize| {
        parsed[i]
            .as_ref()
            .map(|c| sanitize(&c.subject().to_string()).into_owned())
            .unwrap_or_default()
    };
    let mut warnings = Vec::new();
    for i in 0..parsed.len().saturating_sub(1) {
        let (Some(cert), Some(next)) = (&parsed[i], &parsed[i + 1]) else {
            continue;
        };
        let issued = cert.issuer().as_raw() == next.subject().as_raw()
            && !matches!(
                crate::tls::chain::signed_by(cert, next.public_key()),
                Err(crate::tls::chain::SigError::Invalid)
            );
        if !issued {
            warnings.push(format!(
                "--cert: certificate #{} ({}) did not issue certificate #{} ({}); the file should hold the server's certificate, then each certificate's issuer in turn (clients may refuse a chain out of order)",
                i + 2,
                subject(i + 1),
                i + 1,
                subject(i)
            ));
        }
    }
    warnings
}

/// A TLS 1.2 suite signs with one key type (ECDHE-ECDSA or ECDHE-RSA): when
/// `--suites` names TLS 1.2 suites but none for the certificate's key, every
/// TLS 1.2 handshake fails. An error when TLS 1.2 is the only version; a
/// warning (returned) when TLS 1.3 is on too.
fn tls12_suites_fit_key(
    suites: &[rustls::SupportedCipherSuite],
    key: &rustls::pki_types::PrivateKeyDer<'static>,
    versions: Versions,
) -> Result<Option<String>> {
    use rustls::SignatureAlgorithm as Alg;
    let tls12: Vec<_> = suites
        .iter()
        .filter_map(|s| match s {
            rustls::SupportedCipherSuite::Tls12(t) => Some(*t),
            _ => None,
        })
        .collect();
    if tls12.is_empty() || versions == Versions::Tls13 {
        return Ok(None);
    }
    let Ok(signer) = crate::tls::provider()
        .key_provider
        .load_private_key(key.clone_key())
    else {
        return Ok(None);
    };
    let alg = signer.algorithm();
    if tls12.iter().any(|t| signer.choose_scheme(t.sign).is_some()) {
        return Ok(None);
    }
    let (kind, family) = match alg {
        Alg::RSA => ("RSA", "ECDHE-RSA"),
        Alg::ED25519 => ("Ed25519", "ECDHE-ECDSA"),
        _ => ("ECDSA", "ECDHE-ECDSA"),
    };
    let problem = format!(
        "--suites names no TLS 1.2 suite for the certificate's {kind} key (with it, TLS 1.2 needs {family} suites)"
    );
    if versions == Versions::Tls12 {
        return Err(exit::fail(
            Code::Usage,
            format!("{problem}: every handshake would fail"),
        ));
    }
    Ok(Some(format!(
        "{problem}: TLS 1.2 clients will fail the handshake"
    )))
}

/// Problems with a server certificate that clients will trip over.
pub(crate) fn certificate_warnings(leaf: &CertSummary) -> Vec<String> {
    let mut w = Vec::new();
    if leaf.days_left < 0 {
        w.push(format!(
            "the certificate expired on {}; clients will refuse it",
            leaf.not_after
        ));
    }
    if leaf.days_until_valid > 0 {
        w.push(format!(
            "the certificate is not valid until {}; clients will refuse it",
            leaf.not_before
        ));
    }
    if leaf.is_ca {
        w.push("the certificate is a CA (basicConstraints CA:TRUE); rustls and browsers refuse it as a server certificate".into());
    }
    w
}

fn alpn_list(args: &Args) -> Result<Vec<String>> {
    let mut list: Vec<String> = args
        .alpn
        .iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    for a in &list {
        if a.len() > 255 || !a.chars().all(|c| c.is_ascii_graphic()) {
            return Err(exit::fail(
                Code::Usage,
                format!(
                    "--alpn '{}': a protocol name is 1 to 255 printable ASCII characters",
                    sanitize(a)
                ),
            ));
        }
    }
    if args.www {
        if let Some(other) = list
            .iter()
            .find(|a| !matches!(a.as_str(), "h2" | "http/1.1" | "http/1.0"))
        {
            return Err(exit::fail(
                Code::Usage,
                format!(
                    "--www speaks HTTP/2 and HTTP/1.1, so --alpn may hold only h2, http/1.1 and http/1.0, not '{}'",
                    sanitize(other)
                ),
            ));
        }
        if list.is_empty() {
            list = vec!["h2".into(), "http/1.1".into()];
        }
    }
    Ok(list)
}

/// Checks a staple before it is served: an error unless it is a DER OCSP
/// response whose status is `successful`; warnings (returned) when it is
/// about another certificate, says revoked or unknown, or is out of date,
/// which a test server may mean to serve, but rarely does.
pub fn check_ocsp_response(
    der: &[u8],
    leaf: &[u8],
    now: time::OffsetDateTime,
) -> Result<Vec<String>> {
    if files::looks_like_pem(der) {
        bail!("this is PEM; give the DER response (`openssl ocsp -respout` writes DER)");
    }
    let s = ocsp::parse_for_leaf(der, Some(leaf))
        .map_err(|e| anyhow::anyhow!("not a DER OCSP response: {e}"))?;
    if s.response_status != ocsp::ResponseStatus::Successful {
        bail!(
            "the responder answered {}, not successful; a client would treat this staple as an error",
            s.response_status
        );
    }
    let mut warnings = Vec::new();
    if !s.matches_leaf {
        let serial = x509info::parse_cert(leaf)
            .map(|c| c.raw_serial_as_string())
            .unwrap_or_default();
        warnings.push(format!(
            "the OCSP response is not about the served certificate (serial {serial}): clients will reject or ignore it"
        ));
    }
    match s.cert_status {
        Some(ocsp::CertStatus::Revoked) => warnings.push(format!(
            "the OCSP response says the certificate was revoked{}",
            s.revocation_time
                .as_deref()
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        )),
        Some(ocsp::CertStatus::Unknown) => warnings
            .push("the OCSP response says the responder does not know the certificate".into()),
        _ => {}
    }
    if let Some(next) = s.next_update.as_deref().filter(|t| ocsp::is_before(t, now)) {
        warnings.push(format!(
            "the OCSP response is out of date (nextUpdate {next}): clients will reject it"
        ));
    }
    // A few minutes of clock skew between responder and server are normal.
    let soon = now + time::Duration::minutes(5);
    if let Some(this) = s
        .this_update
        .as_deref()
        .filter(|t| !ocsp::is_before(t, soon))
    {
        warnings.push(format!(
            "the OCSP response is not valid yet (thisUpdate {this})"
        ));
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocsp_files_that_are_not_responses_are_refused() {
        let leaf = certgen::ephemeral_localhost().unwrap().cert_der;
        let now = time::OffsetDateTime::now_utc();
        // SEQUENCE { ENUMERATED 3 (tryLater) }
        let e = check_ocsp_response(&[0x30, 0x03, 0x0a, 0x01, 0x03], &leaf, now).unwrap_err();
        assert!(e.to_string().contains("try_later"), "{e}");
        for bad in [
            &[0x30, 0x05, 0x0a, 0x01, 0x00, 0xa0, 0x00][..],
            &[0x30, 0x03, 0x0a, 0x01, 0x00],
            b"garbage",
            b"-----BEGIN OCSP RESPONSE-----\n",
        ] {
            assert!(check_ocsp_response(bad, &leaf, now).is_err(), "{bad:?}");
        }
    }
}
