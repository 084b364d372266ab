//! The data phase of a client connection, as `openssl s_client` has it:
//! input goes to the server and the server's data goes out, until the server
//! closes, or input has ended and the server has been quiet for a while.

use std::time::Duration;

use anyhow::Result;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::dial::{data_error, Dialed};

/// What to send.
pub enum Input {
    /// One text, sent at once.
    Text(Vec<u8>),
    /// Chunks as they come (`first` already taken off the channel); `None`
    /// when there is nothing more.
    Chunks {
        /// The rest of the input; the channel closes at its end.
        rx: Option<mpsc::Receiver<Vec<u8>>>,
        /// A chunk read before the data phase began.
        first: Option<Vec<u8>>,
    },
}

/// How the data phase ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The server closed, or went quiet after the input ended.
    Done,
    /// The server closed the connection without close_notify: what it sent
    /// may have been cut short.
    Truncated,
}

/// Carries `input` to the server and hands the server's data to `out`.
pub async fn pump(
    conn: &mut Dialed,
    input: Input,
    idle: Duration,
    out: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<End> {
    let stream = &mut conn.stream;
    let (mut rx, mut input_done) = match input {
        Input::Text(text) => {
            stream.write_all(&text).await.map_err(|e| sending(&e))?;
            stream.flush().await.map_err(|e| sending(&e))?;
            (None, true)
        }
        Input::Chunks { rx, first } => {
            if let Some(chunk) = first {
                stream.write_all(&chunk).await.map_err(|e| sending(&e))?;
                stream.flush().await.map_err(|e| sending(&e))?;
            }
            let done = rx.is_none();
            (rx, done)
        }
    };
    let mut buf = vec![0u8; 16 * 1024];
    let mut quiet_until = tokio::time::Instant::now() + idle;
    loop {
        tokio::select! {
            chunk = async { match rx.as_mut() { Some(r) => r.recv().await, None => None } }, if !input_done => {
                match chunk {
                    Some(data) => {
                        stream.write_all(&data).await.map_err(|e| sending(&e))?;
                        stream.flush().await.map_err(|e| sending(&e))?;
                    }
                    None => {
                        input_done = true;
                        quiet_until = tokio::time::Instant::now() + idle;
                    }
                }
            }
            read = stream.read(&mut buf) => {
                match read {
                    Ok(0) => break,
                    Ok(n) => {
                        out(&buf[..n])?;
                        quiet_until = tokio::time::Instant::now() + idle;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        return Ok(End::Truncated);
                    }
                    Err(e) => return Err(data_error(&e).context("reading from the server")),
                }
            }
            _ = tokio::time::sleep_until(quiet_until), if input_done => break,
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
    Ok(End::Done)
}

/// A failed write to the server, in the data phase.
fn sending(e: &std::io::Error) -> anyhow::Error {
    data_error(e).context("sending to the server")
}
