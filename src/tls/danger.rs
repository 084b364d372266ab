//! The only way to accept a certificate that did not verify.
//!
//! `--insecure` (and `inspect`/`scan`, which must see a chain whether or not
//! it verifies) go through [`accept_unverified`]; nothing else in tlskit can
//! produce the token it returns, so skipping verification cannot happen by accident.

/// Proof that the caller asked to accept unverified certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptUnverified(());

/// Returns the token that turns certificate verification into report-only.
///
/// The verifier still runs and its verdict is still recorded and shown; only
/// its failure no longer stops the handshake. Signatures over the handshake
/// are always checked.
pub fn accept_unverified() -> AcceptUnverified {
    AcceptUnverified(())
}
