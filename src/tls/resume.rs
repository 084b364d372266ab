//! The resumption test (`connect --reconnect`): close the first connection,
//! dial again with the same client config, whose session cache holds what the
//! first one received, and tell whether the server resumed the session.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::dial::{dial, DialFailure, DialOptions, Dialed, Timings};
use super::handshake::Kind;
use super::verify::Observations;

/// The second connection of the test.
#[derive(Debug, Serialize)]
pub struct Reconnect {
    /// Whether the session was resumed.
    pub resumed: bool,
    /// `full`, `full_with_hello_retry_request` or `resumed`.
    pub handshake_kind: Kind,
    /// Its timings.
    pub timings: Timings,
    /// TLS 1.3 session tickets the first connection received (`null` for TLS 1.2,
    /// where rustls does not tell): 0 means the server offered nothing to resume.
    pub tickets_received: Option<usize>,
}

/// Closes `first` and dials again. The connection returned is the second
/// one carrying `first`'s report: the first connection saw the
/// certificates, and a resumed one sees none.
pub async fn reconnect(
    first: Dialed,
    config: Arc<ClientConfig>,
    observations: &Observations,
    opts: &DialOptions,
) -> Result<(Dialed, Reconnect), DialFailure> {
    let mut old = first;
    let tickets_received = {
        let state = old.stream.get_ref().1;
        (state.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3))
            .then(|| state.tls13_tickets_received() as usize)
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), old.stream.shutdown()).await;
    // The second connection resumes or not; it need not wait for a ticket of its own.
    let again_opts = DialOptions {
        await_ticket: false,
        ..opts.clone()
    };
    let again = dial(config, observations, &again_opts).await?;
    let kind = again
        .report
        .handshake
        .as_ref()
        .map_or(Kind::Unknown, |h| h.handshake_kind);
    let reconnect = Reconnect {
        resumed: kind == Kind::Resumed,
        handshake_kind: kind,
        timings: again.report.timings.clone(),
        tickets_received,
    };
    Ok((
        Dialed {
            report: old.report,
            ..again
        },
        reconnect,
    ))
}
