//! The transport under hyper: byte counts for the log, the time bytes last
//! moved for the idle watch, and a close that does not reset the connection
//! under the last answer.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::server::{wait, Phase, Stream, Wait};

/// How long, at most, a closed connection keeps reading what the client still sends.
const LINGER: Duration = Duration::from_secs(2);
/// How much a closed connection reads, at most, before it stops waiting for the client.
const LINGER_BYTES: u64 = 4 * 1024 * 1024;

/// When a connection last moved bytes, and how many: shared between the
/// transport hyper drives and the watch kept on it.
#[derive(Debug)]
pub struct Activity {
    start: Instant,
    /// Milliseconds after `start` of the last read or write that moved bytes.
    last_ms: AtomicU64,
    /// Bytes read since the last byte written (a request under way).
    unanswered: AtomicBool,
    /// A write is waiting for the client to take data.
    write_blocked: AtomicBool,
    /// The client closed its side (close_notify, or TCP).
    eof: AtomicBool,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
}

impl Default for Activity {
    fn default() -> Activity {
        Activity::new()
    }
}

impl Activity {
    /// A connection on which nothing has moved yet.
    pub fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            unanswered: AtomicBool::new(false),
            write_blocked: AtomicBool::new(false),
            eof: AtomicBool::new(false),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// When bytes last moved.
    pub(super) fn last(&self) -> Instant {
        self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed))
    }

    /// Whether bytes arrived after the last byte was sent (a request under way).
    pub(super) fn unanswered(&self) -> bool {
        self.unanswered.load(Ordering::Relaxed)
    }

    /// Whether a write waits for the client to take data.
    pub(super) fn write_blocked(&self) -> bool {
        self.write_blocked.load(Ordering::Relaxed)
    }

    /// Whether the client closed its side.
    pub(super) fn eof(&self) -> bool {
        self.eof.load(Ordering::Relaxed)
    }

    /// Application bytes received and sent.
    pub(super) fn bytes(&self) -> (u64, u64) {
        (
            self.bytes_in.load(Ordering::Relaxed),
            self.bytes_out.load(Ordering::Relaxed),
        )
    }
}

/// A transport that counts the bytes it moves and notes when it last moved any.
pub struct Counted<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Counted<T> {
    /// Wraps `inner`, reporting to `activity`.
    pub fn new(inner: T, activity: Arc<Activity>) -> Counted<T> {
        Counted { inner, activity }
    }

    fn wrote(&self, poll: &Poll<io::Result<usize>>) {
        let a = &self.activity;
        match poll {
            Poll::Ready(Ok(n)) if *n > 0 => {
                a.bytes_out.fetch_add(*n as u64, Ordering::Relaxed);
                a.unanswered.store(false, Ordering::Relaxed);
                a.write_blocked.store(false, Ordering::Relaxed);
                a.touch();
            }
            Poll::Pending => a.write_blocked.store(true, Ordering::Relaxed),
            _ => a.write_blocked.store(false, Ordering::Relaxed),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Counted<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        if n == 0 && buf.remaining() > 0 && matches!(poll, Poll::Ready(Ok(()))) {
            self.activity.eof.store(true, Ordering::Relaxed);
        }
        if n > 0 {
            let a = &self.activity;
            a.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
            a.unanswered.store(true, Ordering::Relaxed);
            a.touch();
        }
        poll
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Counted<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.wrote(&poll);
        poll
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(&poll);
        poll
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        if poll.is_pending() {
            self.activity.write_blocked.store(true, Ordering::Relaxed);
        }
        poll
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Sends close_notify, then reads and drops what the client still sends
/// until it closes too (bounded in time and bytes). Closing a socket with
/// unread data makes the kernel reset the connection, and a reset can
/// destroy the answer and the close_notify before the client has read them:
/// after a 431 or 413 the client's unread request is exactly such data.
pub(super) async fn close(stream: &mut Stream, phase: &mut watch::Receiver<Phase>) {
    let until = Instant::now() + LINGER;
    // Best effort, and never long for a client that does not read.
    if !matches!(
        tokio::time::timeout_at(until, stream.shutdown()).await,
        Ok(Ok(()))
    ) {
        return;
    }
    linger(stream.get_mut().0, until, phase).await;
}

/// Reads and drops what arrives until the peer closes, `until` passes, or
/// [`LINGER_BYTES`] have been read.
pub(super) async fn linger<R: AsyncRead + Unpin>(
    tcp: &mut R,
    until: Instant,
    phase: &mut watch::Receiver<Phase>,
) {
    use tokio::io::AsyncReadExt;
    let mut sink = vec![0u8; 16 * 1024];
    let mut drained = 0u64;
    while drained < LINGER_BYTES {
        match wait(tcp.read(&mut sink), Some(until), phase, Phase::Stopping).await {
            Wait::Done(Ok(n)) if n > 0 => drained += n as u64,
            _ => return,
        }
    }
}
