//! A read-ahead buffer between a socket and rustls.
//!
//! rustls reads TLS records from its transport 4 KiB at a time (and shrinks
//! its buffer back to 4 KiB after each record), so a 16 KiB record costs
//! four or five `recv` calls. [`ReadAhead`] asks the socket for up to 64 KiB
//! at once and hands it to rustls from memory: bulk transfers make a
//! fraction of the system calls. The buffer exists only while data is
//! arriving (it is released when a read finds nothing waiting), so an idle
//! connection costs nothing extra. Writes pass straight through.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How much is read from the socket at once, unless told otherwise.
pub const READ_AHEAD: usize = 64 * 1024;

/// A transport that reads ahead; see the module documentation.
#[derive(Debug)]
pub struct ReadAhead<S> {
    inner: S,
    buf: Vec<u8>,
    pos: usize,
    size: usize,
    /// How much the next socket read asks for: [`FIRST_READ`] (or `size`,
    /// if smaller) at first, `size` once a read has filled its buffer.
    next: usize,
}

/// What a handshake or a quiet connection reads at once: enough for a
/// flight, and below the sizes `crate::allocator` aligns (aligned
/// allocations made at every read would fragment the heap).
const FIRST_READ: usize = 8 * 1024;

impl<S> ReadAhead<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> ReadAhead<S> {
        ReadAhead::with_size(inner, READ_AHEAD)
    }

    /// Wraps `inner`, reading up to `size` bytes at once (a bulk client that
    /// is alone on its connection can afford more than a server with many).
    pub fn with_size(inner: S, size: usize) -> ReadAhead<S> {
        let size = size.max(1);
        ReadAhead {
            inner,
            buf: Vec::new(),
            pos: 0,
            size,
            next: size.min(FIRST_READ),
        }
    }

    /// The wrapped transport.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Bytes read from the socket and not yet handed on.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.pos
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ReadAhead<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos == this.buf.len() {
            // Nothing buffered: a caller that asks for as much as we would read gets it directly.
            if out.remaining() >= this.size {
                return Pin::new(&mut this.inner).poll_read(cx, out);
            }
            this.buf.clear();
            // Only a sender that fills a read (bulk) gets the full size.
            if this.buf.capacity() < this.next {
                this.buf = Vec::with_capacity(this.next);
            }
            let mut rb = ReadBuf::uninit(this.buf.spare_capacity_mut());
            let result = Pin::new(&mut this.inner).poll_read(cx, &mut rb);
            let filled = rb.filled().len();
            match result {
                Poll::Ready(Ok(())) => {
                    // SAFETY: `ReadBuf` guarantees that its first `filled` bytes, the start of
                    // `buf`'s spare capacity, were initialised by the read.
                    unsafe { this.buf.set_len(filled) };
                    this.pos = 0;
                    if filled == this.buf.capacity() {
                        this.next = this.size;
                    }
                    if filled == 0 {
                        // End of stream: release the buffer.
                        this.buf = Vec::new();
                        return Poll::Ready(Ok(()));
                    }
                }
                other => {
                    // Nothing was read: keep no buffer while waiting.
                    this.buf = Vec::new();
                    this.pos = 0;
                    this.next = this.size.min(FIRST_READ);
                    return other;
                }
            }
        }
        let n = out.remaining().min(this.buf.len() - this.pos);
        out.put_slice(&this.buf[this.pos..this.pos + n]);
        this.pos += n;
        // Drained, the buffer is kept for the next read (in bulk there is
        // one at once); it is released when a read finds nothing waiting,
        // so an idle connection keeps none.
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ReadAhead<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn passes_every_byte_in_order_whatever_the_read_sizes() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let (a, mut b) = tokio::io::duplex(1 << 20);
            let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 256) as u8).collect();
            let sent = data.clone();
            let writer = tokio::spawn(async move {
                b.write_all(&sent).await.unwrap();
                b.shutdown().await.unwrap();
                b
            });
            let mut r = ReadAhead::new(a);
            let mut got = Vec::new();
            let sizes = [1usize, 4096, 100, READ_AHEAD, 5000, READ_AHEAD + 10];
            let mut i = 0;
            loop {
                let mut buf = vec![0u8; sizes[i % sizes.len()]];
                i += 1;
                let n = r.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, data);
            assert_eq!(r.buffered(), 0);
            assert_eq!(r.buf.capacity(), 0, "a drained reader keeps no buffer");
            let _ = writer.await.unwrap();
        });
    }
}
