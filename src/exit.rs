//! The exit-code table, defined once: scripts depend on these numbers, so
//! they are part of tlskit's interface and documented in `--help` and the README.

use std::fmt;

use crate::report::{ErrorKind, ErrorReport};
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
    pub fn kind(self) -> ErrorKind {
        match self {
            Code::Success => ErrorKind::Success,
            Code::Error => ErrorKind::Error,
            Code::Usage => ErrorKind::Usage,
            Code::Network => ErrorKind::Network,
            Code::Handshake => ErrorKind::Handshake,
            Code::Verification => ErrorKind::Verification,
            Code::PinMismatch => ErrorKind::Pin,
            Code::Expiring => ErrorKind::Expiring,
            Code::GradeTooLow => ErrorKind::Grade,
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

/// Marks `err` so that it ends the process with `code` (for commands; an
/// engine marks its errors with a [`Failure`] kind). There is one mechanism:
/// the code is stored as the kind [`code_for`] maps back to it, so
/// [`classify`] reads every error the same way.
pub fn tag(code: Code, err: impl Into<anyhow::Error>) -> anyhow::Error {
    crate::tls::error::tag(kind_for(code), err)
}

/// `err` as the `error` member of a JSON report: its sentence, exit code and
/// kind, and `stage`, how far the command got.
pub fn error_report<S>(err: &anyhow::Error, stage: S) -> ErrorReport<S> {
    let code = classify(err);
    ErrorReport {
        message: format!("{err:#}"),
        exit_code: code.as_u8(),
        kind: code.kind(),
        stage,
    }
}

/// A new error with a message and an exit code (for commands).
pub fn fail(code: Code, msg: impl fmt::Display) -> anyhow::Error {
    tag(code, anyhow::anyhow!("{msg}"))
}

/// The exit code of each kind of failure: the one table.
pub fn code_for(kind: Failure) -> Code {
    match kind {
        Failure::Argument => Code::Usage,
        Failure::Input | Failure::Data => Code::Error,
        Failure::Network => Code::Network,
        Failure::Handshake => Code::Handshake,
        Failure::Verification => Code::Verification,
        Failure::Pin => Code::PinMismatch,
        Failure::Expiring => Code::Expiring,
        Failure::Policy => Code::GradeTooLow,
    }
}

/// The kind a command's exit code stands for (the inverse of [`code_for`]).
fn kind_for(code: Code) -> Failure {
    match code {
        Code::Usage => Failure::Argument,
        Code::Success | Code::Error => Failure::Input,
        Code::Network => Failure::Network,
        Code::Handshake => Failure::Handshake,
        Code::Verification => Failure::Verification,
        Code::PinMismatch => Failure::Pin,
        Code::Expiring => Failure::Expiring,
        Code::GradeTooLow => Failure::Policy,
    }
}

/// The exit code an error ends the process with: its kind (see
/// [`crate::tls::error::kind_of`]) through [`code_for`]; a plain error is 1.
pub fn classify(err: &anyhow::Error) -> Code {
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
    fn every_failing_code_survives_the_round_trip_through_its_kind() {
        for code in Code::ALL.into_iter().filter(|c| *c != Code::Success) {
            assert_eq!(classify(&fail(code, "x")), code, "{code:?}");
        }
    }

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
