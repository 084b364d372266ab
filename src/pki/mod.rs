//! The local PKI: a CA home (a root and a name-constrained intermediate in one
//! directory), CSR signing, name constraints, PKCS#12 export and trust-store
//! installation. Options in, reports and typed errors out; nothing printed.

pub mod constraints;
pub mod csr;
pub mod home;
pub mod p12;
pub mod trust;

/// Whether a certificate names itself as its issuer (a root, for our purposes).
pub fn is_self_issued(der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, c)| c.subject().as_raw() == c.issuer().as_raw())
        .unwrap_or(false)
}
