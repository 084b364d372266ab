//! Moving bytes both ways between the two sides of a tunnel.
//!
//! Each direction has one fixed buffer and writes what it read before it
//! reads again: a side that does not take data stops the other side from
//! sending (backpressure), and memory per connection stays bounded. When one
//! side finishes sending (FIN, or close_notify), the other side's write half
//! is shut down and the opposite direction keeps flowing (half-close).

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::Instant;

use super::Phase;

/// The most read (and written) at once, per direction.
const BUF_MAX: usize = 16 * 1024;

/// What a direction holds while traffic is light (or none): an idle
/// connection costs two of these, not two of [`BUF_MAX`].
const BUF_MIN: usize = 2 * 1024;

/// Which way bytes were going when something failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// Reading from the client or writing to it.
    Client,
    /// Reading from the target or writing to it.
    Target,
}

/// How forwarding ended.
pub(crate) enum Ended {
    /// Both directions finished.
    Done,
    /// Nothing moved for the idle timeout.
    Idle,
    /// The grace period ran out.
    CutOff,
    /// A read or write failed on one side.
    Failed(Side, io::Error),
}

/// Bytes moved so far, each way.
#[derive(Debug, Default)]
pub(crate) struct Moved {
    pub up: AtomicU64,
    pub down: AtomicU64,
    /// Milliseconds since `start` at the last movement.
    last: AtomicU64,
}

/// Forwards between `client` and `target` until both directions finish,
/// one fails, nothing moves for `idle`, or the tunnel reaches `Stopping`.
pub(crate) async fn forward<C, T>(
    client: C,
    target: T,
    idle: Option<Duration>,
    phase: &mut watch::Receiver<Phase>,
    moved: &Moved,
) -> Ended
where
    C: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let start = Instant::now();
    let (cr, cw) = tokio::io::split(client);
    let (tr, tw) = tokio::io::split(target);
    let up = pump(
        cr,
        tw,
        &moved.up,
        &moved.last,
        start,
        Side::Client,
        Side::Target,
    );
    let down = pump(
        tr,
        cw,
        &moved.down,
        &moved.last,
        start,
        Side::Target,
        Side::Client,
    );
    tokio::pin!(up, down);
    let (mut up_done, mut down_done) = (false, false);
    let idle_check = async {
        let Some(limit) = idle else {
            return std::future::pending::<()>().await;
        };
        loop {
            let last = start + Duration::from_millis(moved.last.load(Ordering::Relaxed));
            let due = last + limit;
            if Instant::now() >= due {
                return;
            }
            tokio::time::sleep_until(due).await;
        }
    };
    tokio::pin!(idle_check);
    let stopping = async {
        if phase.wait_for(|p| *p >= Phase::Stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            r = &mut up, if !up_done => {
                up_done = true;
                if let Err((side, e)) = r {
                    return Ended::Failed(side, e);
                }
            }
            r = &mut down, if !down_done => {
                down_done = true;
                if let Err((side, e)) = r {
                    return Ended::Failed(side, e);
                }
            }
            _ = &mut idle_check => return Ended::Idle,
            _ = &mut stopping => return Ended::CutOff,
        }
        if up_done && down_done {
            return Ended::Done;
        }
    }
}

/// Copies `from` to `to` until `from` ends, then shuts `to`'s write half.
async fn pump<R, W>(
    mut from: R,
    mut to: W,
    count: &AtomicU64,
    last: &AtomicU64,
    start: Instant,
    from_side: Side,
    to_side: Side,
) -> Result<(), (Side, io::Error)>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; BUF_MIN];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => n,
            // A TLS peer that closes TCP without close_notify: its data is
            // all here (rustls checked every record); treat it as the end.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err((from_side, e)),
        };
        to.write_all(&buf[..n]).await.map_err(|e| (to_side, e))?;
        to.flush().await.map_err(|e| (to_side, e))?;
        count.fetch_add(n as u64, Ordering::Relaxed);
        last.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
        // Bulk traffic fills the buffer: let it grow. Light traffic: give the memory back.
        if n == buf.len() && buf.len() < BUF_MAX {
            buf.resize(buf.len() * 2, 0);
        } else if n < BUF_MIN / 2 && buf.len() > BUF_MIN {
            buf = vec![0u8; BUF_MIN];
        }
    }
    // Pass the end on; the other direction keeps flowing. A peer that is
    // already gone makes this fail, which changes nothing.
    let _ = to.shutdown().await;
    Ok(())
}
