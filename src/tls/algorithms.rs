//! Choosing key-exchange groups and cipher suites (`--groups`, `--suites`),
//! as `openssl -groups`/`-ciphersuites` and curl's `--curves`/`--tls13-ciphers`
//! do. Only what the aws-lc-rs provider implements can be named: nothing
//! weaker than rustls' own set is reachable from here.

use std::sync::Arc;

use anyhow::{bail, Result};
use rustls::crypto::{aws_lc_rs, CryptoProvider, SupportedKxGroup};
use rustls::{CipherSuite, NamedGroup, SupportedCipherSuite};

pub use super::handshake::{group_name, suite_name};

/// Groups and suites to use instead of the provider's defaults, in preference order.
#[derive(Debug, Clone, Default)]
pub struct Algorithms {
    /// Key-exchange groups (`None`: rustls' defaults, X25519MLKEM768 first).
    pub groups: Option<Vec<&'static dyn SupportedKxGroup>>,
    /// Cipher suites, TLS 1.3 and 1.2 together (`None`: rustls' defaults).
    pub suites: Option<Vec<SupportedCipherSuite>>,
}

impl Algorithms {
    /// The aws-lc-rs provider restricted to these groups and suites.
    pub fn provider(&self) -> Arc<CryptoProvider> {
        let mut p = super::provider::aws_lc(self.suites.as_deref());
        if let Some(groups) = &self.groups {
            p.kx_groups = groups.clone();
        }
        Arc::new(p)
    }

    /// Whether any choice was made.
    pub fn is_default(&self) -> bool {
        self.groups.is_none() && self.suites.is_none()
    }
}

/// Extra names people know groups by (OpenSSL's, NIST's), lower case.
const GROUP_ALIASES: &[(&str, NamedGroup)] = &[
    ("p-256", NamedGroup::secp256r1),
    ("p256", NamedGroup::secp256r1),
    ("prime256v1", NamedGroup::secp256r1),
    ("p-384", NamedGroup::secp384r1),
    ("p384", NamedGroup::secp384r1),
    ("x25519kyber768", NamedGroup::X25519MLKEM768),
];

/// OpenSSL's names for the TLS 1.2 suites rustls has.
const OPENSSL_SUITES: &[(&str, CipherSuite)] = &[
    (
        "ecdhe-ecdsa-aes256-gcm-sha384",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "ecdhe-ecdsa-aes128-gcm-sha256",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "ecdhe-ecdsa-chacha20-poly1305",
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
    (
        "ecdhe-rsa-aes256-gcm-sha384",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
    (
        "ecdhe-rsa-aes128-gcm-sha256",
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        "ecdhe-rsa-chacha20-poly1305",
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ),
];

fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', ':'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Every group that can be named, in rustls' order.
pub fn known_groups() -> Vec<String> {
    aws_lc_rs::ALL_KX_GROUPS
        .iter()
        .map(|g| group_name(g.name()))
        .collect()
}

/// Every suite that can be named, in rustls' order.
pub fn known_suites() -> Vec<String> {
    aws_lc_rs::ALL_CIPHER_SUITES
        .iter()
        .map(|s| suite_name(s.suite()))
        .collect()
}

/// Parses a `,`- or `:`-separated list, in order and without repeats: `find`
/// names an item (any case), `key` says when two are the same, and an
/// unknown name is an error that lists the `known` ones.
fn parse_list<T, K: PartialEq>(
    list: &str,
    what: &str,
    known: fn() -> Vec<String>,
    find: impl Fn(&str, &str) -> Option<T>,
    key: impl Fn(&T) -> K,
) -> Result<Vec<T>> {
    let mut out: Vec<T> = Vec::new();
    for item in items(list) {
        match find(item, &item.to_ascii_lowercase()) {
            Some(x) if out.iter().any(|o| key(o) == key(&x)) => {}
            Some(x) => out.push(x),
            None => bail!(
                "unknown {what} '{}' (known: {})",
                crate::text::sanitize(item),
                known().join(", ")
            ),
        }
    }
    if out.is_empty() {
        bail!("no {what} named");
    }
    Ok(out)
}

/// Parses `x25519,secp256r1` (also `:`-separated, any case, OpenSSL's and
/// NIST's names) into groups in that order, without repeats.
pub fn parse_groups(list: &str) -> Result<Vec<&'static dyn SupportedKxGroup>> {
    let find = |item: &str, lower: &str| {
        let alias = GROUP_ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map(|(_, g)| *g);
        aws_lc_rs::ALL_KX_GROUPS
            .iter()
            .copied()
            .find(|g| alias == Some(g.name()) || group_name(g.name()).eq_ignore_ascii_case(item))
    };
    parse_list(list, "key-exchange group", known_groups, find, |g| g.name())
}

/// Parses suites by rustls' name (`TLS13_AES_128_GCM_SHA256`), the IANA
/// name (`TLS_AES_128_GCM_SHA256`) or OpenSSL's (`ECDHE-ECDSA-AES128-GCM-SHA256`),
/// any case, `,`- or `:`-separated, in that order, without repeats.
pub fn parse_suites(list: &str) -> Result<Vec<SupportedCipherSuite>> {
    let find = |item: &str, lower: &str| {
        let openssl = OPENSSL_SUITES
            .iter()
            .find(|(name, _)| *name == lower)
            .map(|(_, s)| *s);
        aws_lc_rs::ALL_CIPHER_SUITES.iter().copied().find(|s| {
            let name = suite_name(s.suite());
            openssl == Some(s.suite())
                || name.eq_ignore_ascii_case(item)
                || s.suite()
                    .as_str()
                    .is_some_and(|rustls_name| rustls_name.eq_ignore_ascii_case(item))
        })
    };
    parse_list(list, "cipher suite", known_suites, find, |s| s.suite())
}

/// Whether `suites` leaves anything for `version` (TLS 1.3 or 1.2).
pub fn has_suite_for(suites: &[SupportedCipherSuite], tls13: bool) -> bool {
    suites.iter().any(|s| s.tls13().is_some() == tls13)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_any_common_name_in_order_without_repeats() {
        let g = parse_groups("X25519:p-256, secp384r1,prime256v1,x25519mlkem768").unwrap();
        let names: Vec<_> = g.iter().map(|g| g.name()).collect();
        assert_eq!(
            names,
            [
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1,
                NamedGroup::X25519MLKEM768
            ]
        );
    }

    #[test]
    fn suites_by_rustls_iana_and_openssl_names() {
        let s = parse_suites(
            "tls_aes_128_gcm_sha256:TLS13_AES_256_GCM_SHA384,ECDHE-ECDSA-AES128-GCM-SHA256,TLS_AES_128_GCM_SHA256",
        )
        .unwrap();
        let names: Vec<_> = s.iter().map(|s| s.suite()).collect();
        assert_eq!(
            names,
            [
                CipherSuite::TLS13_AES_128_GCM_SHA256,
                CipherSuite::TLS13_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            ]
        );
        assert!(has_suite_for(&s, true) && has_suite_for(&s, false));
    }

    #[test]
    fn unknown_names_are_refused_with_the_list() {
        let e = parse_groups("x25519,ffdhe2048").unwrap_err().to_string();
        assert!(e.contains("'ffdhe2048'") && e.contains("X25519"), "{e}");
        let e = parse_suites("RC4-SHA").unwrap_err().to_string();
        assert!(
            e.contains("'RC4-SHA'") && e.contains("TLS_AES_128_GCM_SHA256"),
            "{e}"
        );
        assert!(parse_groups(" , ").is_err());
        assert!(parse_suites("").is_err());
        let e = parse_groups("\u{1b}[31m").unwrap_err().to_string();
        assert!(!e.contains('\u{1b}'), "{e}");
    }

    #[test]
    fn the_provider_keeps_the_choice() {
        let a = Algorithms {
            groups: Some(parse_groups("secp256r1").unwrap()),
            suites: Some(parse_suites("TLS13_AES_128_GCM_SHA256").unwrap()),
        };
        let p = a.provider();
        assert_eq!(p.kx_groups.len(), 1);
        assert_eq!(p.cipher_suites.len(), 1);
        assert!(Algorithms::default().is_default() && !a.is_default());
    }
}
