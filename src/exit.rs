//! The exit-code table, defined once: scripts depend on these numbers, so
//! they are part of tlskit's interface and documented in `--help` and the README.

use std::fmt;

use crate::tls::error::Failure;

/// Every exit code tlskit can return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Everything worked.
    Success = 0,
    /// Bad input, I/O, anything not covered below.
    Error = 1,
    /// The command line could not be parsed (clap's own code).
    Usage = 2,
    /// Name resolution, TCP connect or a timeout.
    Network = 3,
    /// The TLS handshake failed.
    Handshake = 4,
    /// The peer's certificate did not verify.
    Verification = 5,
    /// A pin did not match, or a trusted pin changed.
    PinMismatch = 6,
    /// A certificate expires within the `--expires-within` threshold.
    Expiring = 7,
    /// An audit fell below the grade asked for with `--min-grade`.
    GradeTooLow = 8,
}

impl Code {
    /// All codes, in numeric order.
    pub const ALL: [Code; 9] = [
        Code::Success,
        Code::Error,
        Code::Usage,
        Code::Network,
        Code::Handshake,
        Code::Verification,
        Code::PinMismatch,
        Code::Expiring,
        Code::GradeTooLow,
    ];

    /// The number the process exits with.
    pub fn as_u8(self) -> u8 {
        self as u8
    }

    /// The kind of outcome, one word, as JSON error documents give it
    /// (`network`, `handshake`, `verification`, …).
    pub fn kind(self) -> &'static str {
        match self {
            Code::Success => "success",
            Code::Error => "error",
            Code::Usage => "usage",
            Code::Network => "network",
            Code::Handshake => "handshake",
            Code::Verification => "verification",
            Code::PinMismatch => "pin",
            Code::Expiring => "expiring",
            Code::GradeTooLow => "grade",
        }
    }

    /// What the code means, in a few words.
    pub fn meaning(self) -> &'static str {
        match self {
            Code::Success => "success",
            Code::Error => "error (bad input, I/O)",
            Code::Usage => "usage error (bad flags or arguments)",
            Code::Network => "network error (resolve, connect, timeout)",
            Code::Handshake => "TLS handshake failed",
            Code::Verification => "certificate verification failed",
            Code::PinMismatch => "pin mismatch (also a changed trusted pin)",
            Code::Expiring => "a certificate expires within --expires-within",
            Code::GradeTooLow => "an audit fell below the required --min-grade",
        }
    }
}

impl From<Code> for std::process::ExitCode {
    fn from(code: Code) -> Self {
        std::process::ExitCode::from(code.as_u8())
    }
}

/// The exit-code table as text, for `tlskit --help`.
pub fn help_table() -> String {
    let mut s = String::from("Exit codes:\n");
    for code in Code::ALL {
        s.push_str(&format!("  {}  {}\n", code.as_u8(), code.meaning()));
    }
    s
}

/// An error that carries the exit code it must end the process with.
///
/// It displays as its source does, so wrapping an error in it changes the
/// exit code and nothing else the user sees.
#[derive(Debug)]
pub struct Tagged {
    code: Code,
    inner: anyhow::Error,
}

impl fmt::Display for Tagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl std::error::Error for Tagged {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl Tagged {
    /// The error that was tagged.
    pub fn inner(&self) -> &anyhow::Error {
        &self.inner
    }
}

/// Every cause in an error chain, looking through [`Tagged`] wrappers and
/// the engines' kind marks (whose own chains skip the wrapped error itself,
/// so that it is not printed twice).
pub fn causes(err: &anyhow::Error) -> Vec<&(dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    for cause in err.chain() {
        out.push(cause);
        if let Some(t) = cause.downcast_ref::<Tagged>() {
            out.extend(causes(t.inner()));
        }
        if let Some(e) = cause.downcast_ref::<crate::tls::error::Error>() {
            out.extend(causes(e.inner()));
        }
    }
    out
}

/// Marks `err` so that it ends the process with `code`. For commands: an
/// engine marks its errors with a [`Failure`] kind instead.
pub fn tag(code: Code, err: impl Into<anyhow::Error>) -> anyhow::Error {
    anyhow::Error::new(Tagged {
        code,
        inner: err.into(),
    })
}

/// A new error with a message and an exit code (for commands).
pub fn fail(code: Code, msg: impl fmt::Display) -> anyhow::Error {
    tag(code, anyhow::anyhow!("{msg}"))
}

/// The exit code of each kind of engine failure: the one table.
pub fn code_for(kind: Failure) -> Code {
    match kind {
        Failure::Argument => Code::Usage,
        Failure::Input | Failure::Data => Code::Error,
        Failure::Network => Code::Network,
        Failure::Handshake => Code::Handshake,
        Failure::Verification => Code::Verification,
        Failure::Pin => Code::PinMismatch,
    }
}

/// The exit code an error ends the process with.
///
/// A command's explicit [`Tagged`] anywhere in the chain wins; otherwise the
/// engine's failure kind (see [`crate::tls::error::kind_of`]) decides through
/// [`code_for`]; anything else is a plain error.
pub fn classify(err: &anyhow::Error) -> Code {
    for cause in err.chain() {
        if let Some(t) = cause.downcast_ref::<Tagged>() {
            return t.code;
        }
    }
    crate::tls::error::kind_of(err).map_or(Code::Error, code_for)
}

/// Whether the error is a broken pipe on our output (`tlskit … | head`), which is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let numbers: Vec<u8> = Code::ALL.iter().map(|c| c.as_u8()).collect();
        assert_eq!(numbers, (0..=8).collect::<Vec<u8>>());
    }

    #[test]
    fn tag_survives_context() {
        let err = fail(Code::PinMismatch, "no pin matched").context("checking pins");
        assert_eq!(classify(&err), Code::PinMismatch);
        assert_eq!(format!("{err:#}"), "checking pins: no pin matched");
    }

    #[test]
    fn io_and_rustls_errors_are_classified() {
        let refused =
            anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&refused), Code::Network);
        let bad_cert = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
        );
        assert_eq!(classify(&anyhow::Error::new(bad_cert)), Code::Verification);
        let alert = rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure);
        assert_eq!(classify(&anyhow::Error::new(alert)), Code::Handshake);
        let pin =
            rustls::Error::InvalidCertificate(rustls::CertificateError::Other(rustls::OtherError(
                std::sync::Arc::new(crate::tls::verify::PinMismatch { seen: vec![] }),
            )));
        let pin = std::io::Error::new(std::io::ErrorKind::InvalidData, pin);
        assert_eq!(classify(&anyhow::Error::new(pin)), Code::PinMismatch);
        let file = anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert_eq!(classify(&file), Code::Error);
    }
}
