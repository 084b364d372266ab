//! Engine types as flag values: clap learns here how to parse and list them,
//! so the engines never name clap and no command keeps a mirror enum.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use rustls::crypto::SupportedKxGroup;
use rustls::SupportedCipherSuite;

use crate::tls::algorithms;
use crate::tls::certgen::KeyType;
use crate::tls::pin::Pin;
use crate::tls::starttls::StartTls;

/// One `--pin` value: a pin, or several separated by `;`.
#[derive(Debug, Clone)]
pub struct PinList(pub Vec<Pin>);

/// Parses a `--pin` value for clap.
pub fn pin_list(text: &str) -> anyhow::Result<PinList> {
    Pin::parse_list(text).map(PinList)
}

/// A `--groups` value: key-exchange groups in preference order.
#[derive(Debug, Clone)]
pub struct GroupList(pub Vec<&'static dyn SupportedKxGroup>);

/// Parses a `--groups` value for clap.
pub fn group_list(text: &str) -> anyhow::Result<GroupList> {
    algorithms::parse_groups(text).map(GroupList)
}

/// A `--suites` value: cipher suites in preference order.
#[derive(Debug, Clone)]
pub struct SuiteList(pub Vec<SupportedCipherSuite>);

/// Parses a `--suites` value for clap.
pub fn suite_list(text: &str) -> anyhow::Result<SuiteList> {
    algorithms::parse_suites(text).map(SuiteList)
}

impl ValueEnum for KeyType {
    fn value_variants<'a>() -> &'a [Self] {
        &KeyType::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            KeyType::P256 => "ECDSA on NIST P-256 (default: small, fast, universally supported)",
            KeyType::P384 => "ECDSA on NIST P-384",
            KeyType::Ed25519 => "Ed25519 (not accepted by browsers for TLS)",
            KeyType::Rsa2048 => "RSA, 2048-bit modulus",
            KeyType::Rsa3072 => "RSA, 3072-bit modulus",
            KeyType::Rsa4096 => "RSA, 4096-bit modulus",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

impl ValueEnum for StartTls {
    fn value_variants<'a>() -> &'a [Self] {
        &StartTls::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        let help = match self {
            StartTls::Smtp => "SMTP (EHLO, STARTTLS); port 25",
            StartTls::Imap => "IMAP (STARTTLS); port 143",
            StartTls::Pop3 => "POP3 (STLS); port 110",
            StartTls::Ftp => "FTP (AUTH TLS); port 21",
            StartTls::Xmpp => "XMPP client stream (<starttls/>); port 5222",
            StartTls::Postgres => "PostgreSQL (SSLRequest); port 5432",
            StartTls::Ldap => "LDAP (StartTLS extended operation); port 389",
            StartTls::Lmtp => "LMTP (LHLO, STARTTLS); port 24",
            StartTls::Nntp => "NNTP (STARTTLS); port 119",
            StartTls::Sieve => "ManageSieve (STARTTLS); port 4190",
            StartTls::Irc => "IRC (STARTTLS, numeric 670); port 6667",
            StartTls::Mysql => "MySQL/MariaDB (SSLRequest); port 3306",
        };
        Some(PossibleValue::new(self.name()).help(help))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_is_a_value_named_as_the_engine_names_it() {
        for k in KeyType::ALL {
            assert_eq!(KeyType::from_str(k.name(), false).ok(), Some(k));
        }
        for p in StartTls::ALL {
            assert_eq!(
                <StartTls as ValueEnum>::from_str(p.name(), true).ok(),
                Some(p)
            );
        }
    }
}
