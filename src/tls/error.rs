//! What can go wrong in the engines, as kinds a caller can act on.
//!
//! An engine (tls, scan, server, bench, tunnel, …) never chooses an exit code
//! and never prints: it returns an error carrying a [`Failure`] kind, or an
//! error of a type [`kind_of`] recognises (rustls' own errors, network I/O
//! errors, timeouts). `crate::exit` alone turns a kind into an exit code, in
//! one table.

use std::fmt;

use serde::Serialize;

/// The kind of a failure, as the caller needs to tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// Something the caller passed in is malformed (a target, a pin, a value).
    Argument,
    /// A file or other local input is unusable, or an internal limit was hit.
    Input,
    /// The peer sent data that is wrong (an echo that differs from what was sent).
    Data,
    /// Name resolution, TCP connect, a reset, a refused STARTTLS upgrade
    /// before any TLS, or a timeout.
    Network,
    /// The TLS handshake failed (an alert, a protocol error, a peer that is
    /// not TLS, a STARTTLS upgrade the server refused).
    Handshake,
    /// The peer's certificate did not verify.
    Verification,
    /// No pin matched, or a remembered pin changed.
    Pin,
    /// A certificate expires within the window the caller asked about.
    Expiring,
    /// An audit fell short of what the caller required (a grade, a policy,
    /// a baseline).
    Policy,
}

impl Failure {
    /// The kind's name as it appears in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Failure::Argument => "argument",
            Failure::Input => "input",
            Failure::Data => "data",
            Failure::Network => "network",
            Failure::Handshake => "handshake",
            Failure::Verification => "verification",
            Failure::Pin => "pin",
            Failure::Expiring => "expiring",
            Failure::Policy => "policy",
        }
    }
}

/// An error with its kind. It displays as the error it wraps, so marking an
/// error changes how it is classified and nothing the user reads.
#[derive(Debug)]
pub struct Error {
    kind: Failure,
    inner: anyhow::Error,
}

impl Error {
    /// The kind of failure.
    pub fn kind(&self) -> Failure {
        self.kind
    }

    /// The error that was marked.
    pub fn inner(&self) -> &anyhow::Error {
        &self.inner
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

/// Marks `err` as a failure of `kind`.
pub fn tag(kind: Failure, err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(Error {
        kind,
        inner: err.into(),
    })
}

/// A new error of `kind` with a message.
pub fn fail(kind: Failure, msg: impl fmt::Display) -> anyhow::Error {
    tag(kind, anyhow::anyhow!("{msg}"))
}

/// Every cause in an error chain, looking through marking wrappers (whose own
/// chain skips the wrapped error itself, so that it is not printed twice).
pub fn causes(err: &anyhow::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    for cause in err.chain() {
        out.push(cause);
        if let Some(e) = cause.downcast_ref::<Error>() {
            out.extend(causes(e.inner()));
        }
    }
    out
}

/// The kind of an error: an explicit mark anywhere in the chain wins; then
/// rustls, network I/O and timeout errors are recognised by type. `None` for
/// anything else (a plain error).
pub fn kind_of(err: &anyhow::Error) -> Option<Failure> {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<Error>() {
            return Some(e.kind);
        }
    }
    for cause in causes(err) {
        if cause
            .downcast_ref::<crate::pinstore::PinChanged>()
            .is_some()
        {
            return Some(Failure::Pin);
        }
        if let Some(e) = cause.downcast_ref::<rustls::Error>() {
            return Some(rustls_kind(e));
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
                return Some(rustls_kind(inner));
            }
            if is_network_io(e.kind()) {
                return Some(Failure::Network);
            }
        }
        if cause
            .downcast_ref::<tokio::time::error::Elapsed>()
            .is_some()
        {
            return Some(Failure::Network);
        }
    }
    None
}

/// The kind of a rustls error: a pin, a certificate, or the handshake.
pub fn rustls_kind(e: &rustls::Error) -> Failure {
    if super::verify::is_pin_failure(e) {
        return Failure::Pin;
    }
    match e {
        rustls::Error::InvalidCertificate(_) => Failure::Verification,
        _ => Failure::Handshake,
    }
}

/// Whether an I/O error kind comes from the network rather than a file.
pub fn is_network_io(kind: std::io::ErrorKind) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        kind,
        ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | AddrInUse
            | AddrNotAvailable
            | TimedOut
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_survives_context_and_displays_as_its_message() {
        let err = fail(Failure::Pin, "no pin matched").context("checking pins");
        assert_eq!(kind_of(&err), Some(Failure::Pin));
        assert_eq!(format!("{err:#}"), "checking pins: no pin matched");
    }

    #[test]
    fn io_and_rustls_errors_are_recognised() {
        let refused =
            anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(kind_of(&refused), Some(Failure::Network));
        let bad_cert = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
        );
        assert_eq!(
            kind_of(&anyhow::Error::new(bad_cert)),
            Some(Failure::Verification)
        );
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(
            kind_of(&anyhow::Error::new(alert)),
            Some(Failure::Handshake)
        );
        let pin =
            rustls::Error::InvalidCertificate(rustls::CertificateError::Other(rustls::OtherError(
                std::sync::Arc::new(crate::tls::verify::PinMismatch { seen: vec![] }),
            )));
        let pin = std::io::Error::new(std::io::ErrorKind::InvalidData, pin);
        assert_eq!(kind_of(&anyhow::Error::new(pin)), Some(Failure::Pin));
        let file = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(kind_of(&file), None);
    }
}
