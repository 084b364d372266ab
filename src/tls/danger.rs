//! The only way to accept a certificate that did not verify.
//!
//! `--insecure` (and `inspect`/`scan`, which must see a chain whether or not
//! it verifies) go through [`accept_unverified`]; nothing else in tlskit can
//! produce the token it returns, so skipping verification cannot happen by accident.

/// Proof that the caller asked to accept unverified certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptUnverified {
    weak_rsa: bool,
}

impl AcceptUnverified {
    /// Also accept TLS 1.2 handshake signatures (RSA PKCS#1) by RSA keys of
    /// 1024 to 2047 bits, which rustls refuses. The signature is still
    /// checked, with aws-lc-rs' legacy key-size limits; the verdict records
    /// the weak key as a verification failure. TLS 1.3 cannot be helped
    /// (aws-lc-rs has no RSA-PSS below 2048 bits): offer TLS 1.2 only with it.
    pub fn with_weak_rsa(self) -> AcceptUnverified {
        AcceptUnverified { weak_rsa: true }
    }

    /// Whether [`AcceptUnverified::with_weak_rsa`] was asked for.
    pub fn weak_rsa(self) -> bool {
        self.weak_rsa
    }
}

/// Returns the token that turns certificate verification into report-only.
///
/// The verifier still runs and its verdict is still recorded and shown; only
/// its failure no longer stops the handshake. Signatures over the handshake
/// are always checked.
pub fn accept_unverified() -> AcceptUnverified {
    AcceptUnverified { weak_rsa: false }
}
