//! The TLS core: loading certificates and keys, building rustls configs,
//! generating certificates, fingerprints and pins, and describing what a
//! handshake negotiated. No flag parsing and no printing here: plain option structs
//! in, rustls configs and report structs out.

pub mod algorithms;
pub mod certgen;
pub mod certinfo;
pub mod chain;
pub mod config;
pub mod danger;
pub mod dial;
pub mod error;
pub mod explain;
pub mod files;
pub mod handshake;
pub mod lint;
pub mod ocsp;
pub mod pin;
pub mod provider;
pub mod pump;
pub mod readahead;
pub mod resume;
pub mod source;
pub mod starttls;
pub mod target;
pub mod verify;
pub mod x509info;

use std::sync::Arc;

use rustls::crypto::CryptoProvider;

/// The one crypto provider tlskit uses: aws-lc-rs (see [`provider`]).
pub fn provider() -> Arc<CryptoProvider> {
    provider::shared()
}

/// Installs aws-lc-rs as the process-wide default provider.
///
/// Done once at start, explicitly, so that a second provider somewhere in the
/// dependency tree can never make rustls panic over an ambiguous default.
pub fn install_provider() {
    // An error only means a provider is installed already, which is fine.
    let _ = provider::aws_lc(None).install_default();
}
