//! Where `inspect` and `pin` read from: a file (PEM or DER), standard input,
//! or a live server whose presented chain is fetched whether or not it verifies.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use super::files::{self, Item};

/// One thing named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-`.
    Stdin,
    /// A file.
    File(PathBuf),
    /// A live server: `HOST:PORT`, `[v6]:PORT` or a URL.
    Server(String),
}

/// What kind of thing a [`Source`] is, as reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A file named on the command line.
    File,
    /// Standard input (`-`).
    Stdin,
    /// A live server (`host:port`).
    Server,
}

impl Source {
    /// What kind of source this is.
    pub fn kind(&self) -> SourceKind {
        match self {
            Source::Stdin => SourceKind::Stdin,
            Source::File(_) => SourceKind::File,
            Source::Server(_) => SourceKind::Server,
        }
    }

    /// Decides what `text` names: an existing path is a file; a URL or
    /// `HOST:PORT` is a server; anything else is a file (which then fails to open).
    pub fn classify(text: &str) -> Source {
        if text == "-" {
            return Source::Stdin;
        }
        if std::fs::symlink_metadata(text).is_ok() {
            return Source::File(PathBuf::from(text));
        }
        if text.contains("://") || looks_like_host_port(text) {
            return Source::Server(text.to_string());
        }
        Source::File(PathBuf::from(text))
    }

    /// How the source is named in messages and reports.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "standard input".to_string(),
            Source::File(p) => format!("'{}'", p.display()),
            Source::Server(t) => t.clone(),
        }
    }

    /// Whether it is a live server.
    pub fn is_server(&self) -> bool {
        matches!(self, Source::Server(_))
    }
}

/// `host:port` or `[v6]:port`, with a numeric port.
fn looks_like_host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let port_ok = !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    let host_ok = !host.is_empty()
        && !host.contains('/')
        && !host.contains('\\')
        && (!host.contains(':') || (host.starts_with('[') && host.ends_with(']')));
    port_ok && host_ok
}

/// Options for fetching a live server's chain.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Name to send as SNI and verify against, instead of the target's host.
    pub server_name: Option<String>,
    /// Bound on resolve + connect + handshake.
    pub timeout: Duration,
    /// Verify against these CA certificates instead of Mozilla's roots.
    pub roots: Option<Vec<rustls_pki_types::CertificateDer<'static>>>,
    /// Speak this protocol's plaintext upgrade before TLS (its port is the default).
    pub starttls: Option<super::starttls::StartTls>,
    /// Dial this host and port instead of the target's (the name sent and
    /// verified stays the target's, or `server_name`).
    pub connect_to: Option<(String, u16)>,
}

/// What a live server presented.
#[derive(Debug, Clone)]
pub struct Served {
    /// `host:port` as dialled.
    pub target: String,
    /// The canonical pin-store key of the server.
    pub host_port: String,
    /// `Ok` when the chain verified (Mozilla's roots, the server name), else why not.
    pub verdict: std::result::Result<(), String>,
    /// The address that answered.
    pub address: Option<String>,
    /// The name verified against.
    pub server_name: String,
    /// Negotiated protocol and cipher suite, when the handshake completed.
    pub protocol: Option<crate::tls::handshake::Protocol>,
    /// Negotiated cipher suite.
    pub cipher_suite: Option<String>,
}

/// The objects read from one source.
#[derive(Debug)]
pub struct Loaded {
    /// Everything found, in order.
    pub items: Vec<Item>,
    /// Set for a live server.
    pub served: Option<Served>,
}

/// Reads and parses a source.
pub fn load(source: &Source, live: &LiveOptions) -> Result<Loaded> {
    match source {
        Source::Stdin => {
            let data = files::read_input(Path::new("-"))?;
            Ok(Loaded {
                items: files::parse_items(&data, "standard input")?,
                served: None,
            })
        }
        Source::File(path) => {
            let data = files::read_input(path).map_err(|e| with_host_hint(e, path))?;
            Ok(Loaded {
                items: files::parse_items(&data, &source.name())?,
                served: None,
            })
        }
        Source::Server(text) => fetch(text, live),
    }
}

/// A missing file whose name looks like a host: say how to name a server.
fn with_host_hint(err: anyhow::Error, path: &Path) -> anyhow::Error {
    let missing = err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    });
    let text = path.to_string_lossy();
    if missing && text.contains('.') && !text.contains('/') && !text.ends_with(".pem") {
        return anyhow::anyhow!(
            "{err:#}; for a server give HOST:PORT (e.g. {}:443)",
            crate::text::sanitize(&text)
        );
    }
    err
}

fn fetch(text: &str, live: &LiveOptions) -> Result<Loaded> {
    let default_port = live.starttls.map_or(
        super::target::DEFAULT_PORT,
        super::starttls::StartTls::default_port,
    );
    let mut target = super::target::Target::parse_with_default_port(text, default_port)?;
    if let Some(name) = &live.server_name {
        target = target.with_server_name(name)?;
    }
    let mut dial_opts = super::dial::DialOptions::new(target.clone(), live.timeout);
    dial_opts.starttls = live.starttls;
    dial_opts.connect_to = live.connect_to.clone();
    let fetched = super::dial::fetch_chain(&dial_opts)?;
    let report = &fetched.report;
    let verdict = match &live.roots {
        None => fetched.verdict.clone(),
        Some(roots) => verify_with(roots, &fetched.chain, &target)?
            .map_err(|e| super::explain::describe_error(&e, &report.observed, &report.server_name)),
    };
    let served = Served {
        target: target.to_string(),
        host_port: crate::pinstore::store_key(&target.host, target.port),
        verdict,
        address: report.address.clone(),
        server_name: report.server_name.clone(),
        protocol: report.handshake.as_ref().map(|h| h.protocol),
        cipher_suite: report.handshake.as_ref().map(|h| h.cipher_suite.clone()),
    };
    if fetched.chain.is_empty() {
        anyhow::bail!("{target}: the server sent no certificate");
    }
    Ok(Loaded {
        items: fetched.chain.into_iter().map(Item::Certificate).collect(),
        served: Some(served),
    })
}

/// Verifies a fetched chain against the given roots, for the target's name.
fn verify_with(
    roots: &[rustls_pki_types::CertificateDer<'static>],
    chain: &[rustls_pki_types::CertificateDer<'static>],
    target: &super::target::Target,
) -> Result<std::result::Result<(), rustls::Error>> {
    let mut store = rustls::RootCertStore::empty();
    let (added, _) = store.add_parsable_certificates(roots.iter().cloned());
    if added == 0 {
        anyhow::bail!("--ca: none of the certificates is usable as a trust anchor");
    }
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        std::sync::Arc::new(store),
        super::provider(),
    )
    .build()
    .context("building the certificate verifier")?;
    let Some((leaf, intermediates)) = chain.split_first() else {
        return Ok(Err(rustls::Error::NoCertificatesPresented));
    };
    use rustls::client::danger::ServerCertVerifier;
    Ok(verifier
        .verify_server_cert(
            leaf,
            intermediates,
            &target.server_name,
            &[],
            rustls_pki_types::UnixTime::now(),
        )
        .map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_targets() {
        assert_eq!(Source::classify("-"), Source::Stdin);
        assert!(Source::classify("example.com:443").is_server());
        assert!(Source::classify("[::1]:8443").is_server());
        assert!(Source::classify("https://example.com/x").is_server());
        assert!(!Source::classify("no-such-file.pem").is_server());
        assert!(!Source::classify("dir/file:1").is_server());
        assert!(!Source::classify("example.com").is_server());
    }
}
