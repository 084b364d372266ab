//! Echo mode: one connection sends SIZE bytes while it reads them back, and
//! checks that exactly what was sent came back. Writing and reading are
//! driven from one poll loop on the same stream (no split, no lock, no
//! second task), so neither side can stall the other: a server that echoes
//! as it reads never deadlocks against us, whatever the size.
//!
//! What is sent: a 32-byte header of the connection's own (its number and a
//! random nonce), then a body of pseudo-random bytes that is the same for
//! every connection of a run. What comes back is checked with SHA-256: the
//! header byte for byte (so data from another connection is caught), the
//! body against the SHA-256 of the body as sent, computed once before the
//! run starts ([`Body::prepare`]). The client thus hashes each byte once
//! (what comes back), not twice, and the first connection costs what the
//! others do: on a machine the server shares, the integrity check takes as
//! little from the server as it can.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Plaintext handed to the TLS stream per write, and read per read, when
/// many connections run at once.
pub const CHUNK: usize = 64 * 1024;

/// The same for a few connections (see [`chunk_for`]): a quarter of a MiB per
/// system call keeps the kernel's share of the client's work, and its
/// wake-ups, down (a 256 MiB echo: about 7 % more MiB/s, 7 % less CPU).
pub const BULK_CHUNK: usize = 256 * 1024;

/// The chunk for `concurrency` connections at once: large buffers only
/// where they cannot add up (each connection holds two, and its read-ahead).
pub fn chunk_for(concurrency: usize) -> usize {
    if concurrency <= 16 {
        BULK_CHUNK
    } else {
        CHUNK
    }
}

/// The largest SIZE tlskit bench accepts per connection (16 GiB).
pub const MAX_BYTES: u64 = 16 << 30;

/// Bytes of each stream that belong to one connection only.
pub const HEADER_LEN: usize = 32;

/// SplitMix64: fast, seedable, and without short cycles, so a server that
/// echoes bytes from the wrong offset is caught.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one run.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Fills `buf` with the next bytes of the stream (`buf.len()` a multiple
    /// of 8, except for the stream's last call).
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for c in &mut chunks {
            c.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let last = self.next_u64().to_le_bytes();
            rest.copy_from_slice(&last[..rest.len()]);
        }
    }
}

/// What one run's echoes share: the body's seed and its SHA-256.
#[derive(Debug)]
pub struct Body {
    seed: u64,
    size: u64,
    digest: [u8; 32],
}

impl Body {
    /// The body of every stream of `size` bytes (header included) in a run:
    /// generates it once and hashes it (about 0.6 ms per MiB), so call it
    /// before the clock starts, off the async runtime.
    pub fn prepare(seed: u64, size: u64) -> Body {
        let mut rng = Rng::new(seed);
        let mut ctx = digest::Context::new(&digest::SHA256);
        let mut buf = vec![0u8; CHUNK];
        // The stream's body is the generator's output after the header, in
        // CHUNK pieces (multiples of 8), exactly as `Transfer::refill` makes it.
        let mut left = size.saturating_sub(HEADER_LEN as u64);
        while left > 0 {
            let n = (CHUNK as u64).min(left) as usize;
            rng.fill(&mut buf[..n]);
            ctx.update(&buf[..n]);
            left -= n as u64;
        }
        Body {
            seed,
            size,
            digest: to_array(ctx.finish().as_ref()),
        }
    }

    /// Bytes per stream, header included.
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// Why an echo failed.
#[derive(Debug)]
pub enum EchoError {
    /// Reading or writing failed.
    Io(io::Error),
    /// The server closed the connection before echoing everything.
    Short {
        /// Bytes echoed before the end.
        received: u64,
        /// The server sent close_notify first (otherwise its TCP connection just ended).
        notified: bool,
    },
    /// The server sent back more than it was sent.
    TooMuch {
        /// Bytes received, at least.
        received: u64,
    },
    /// What came back starts with another connection's header.
    NotOurs,
    /// Everything came back, but not what was sent.
    Mismatch {
        /// SHA-256 of the body as sent, hex.
        sent: String,
        /// SHA-256 of the body as it came back, hex.
        received: String,
    },
    /// Nothing moved in either direction for the idle limit.
    Idle {
        /// Bytes sent by then.
        sent: u64,
        /// Bytes echoed by then.
        received: u64,
    },
}

struct Transfer<'a, S> {
    stream: &'a mut S,
    size: u64,
    window: u64,
    header: [u8; HEADER_LEN],
    header_len: usize,
    rng: Rng,
    generated: u64,
    sent: u64,
    wbuf: Vec<u8>,
    wpos: usize,
    wlen: usize,
    flushed: bool,
    rbuf: Vec<u8>,
    /// Bytes per write and per read (a multiple of 8: the generator's unit).
    chunk: usize,
    received: u64,
    rx: digest::Context,
    last_progress: Instant,
    live: &'a AtomicU64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Transfer<'_, S> {
    /// The next chunk to send: the header, then the body in chunks of `self.chunk`.
    fn refill(&mut self) {
        let left = self.size - self.generated;
        let n = if self.generated == 0 && self.header_len > 0 {
            self.wbuf[..self.header_len].copy_from_slice(&self.header[..self.header_len]);
            self.header_len
        } else {
            let n = (self.chunk as u64).min(left) as usize;
            self.rng.fill(&mut self.wbuf[..n]);
            n
        };
        self.generated += n as u64;
        self.wpos = 0;
        self.wlen = n;
    }

    /// Takes in `got`, the echo of stream bytes from `self.received` on.
    fn take(&mut self, mut got: &[u8]) -> Result<(), EchoError> {
        let n = got.len() as u64;
        if self.received + n > self.sent {
            // More came back than we have sent so far: never an echo.
            return Err(EchoError::TooMuch {
                received: self.received + n,
            });
        }
        let at = self.received as usize;
        if at < self.header_len {
            let k = (self.header_len - at).min(got.len());
            if got[..k] != self.header[at..at + k] {
                return Err(EchoError::NotOurs);
            }
            got = &got[k..];
        }
        self.rx.update(got);
        self.received += n;
        self.live.fetch_add(n, Ordering::Relaxed);
        Ok(())
    }

    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), EchoError>> {
        loop {
            let mut moved = false;
            while self.sent < self.size && self.sent - self.received < self.window {
                if self.wpos == self.wlen {
                    self.refill();
                }
                let room = (self.window - (self.sent - self.received)).min(usize::MAX as u64);
                let end = self.wlen.min(self.wpos.saturating_add(room as usize));
                match Pin::new(&mut *self.stream).poll_write(cx, &self.wbuf[self.wpos..end]) {
                    Poll::Ready(Ok(0)) => {
                        return Poll::Ready(Err(EchoError::Io(io::ErrorKind::WriteZero.into())))
                    }
                    Poll::Ready(Ok(n)) => {
                        self.wpos += n;
                        self.sent += n as u64;
                        moved = true;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(EchoError::Io(e))),
                    Poll::Pending => break,
                }
            }
            if self.sent == self.size && !self.flushed {
                match Pin::new(&mut *self.stream).poll_flush(cx) {
                    Poll::Ready(Ok(())) => {
                        self.flushed = true;
                        moved = true;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(EchoError::Io(e))),
                    Poll::Pending => {}
                }
            }
            while self.received < self.size {
                let mut rb = ReadBuf::new(&mut self.rbuf);
                match Pin::new(&mut *self.stream).poll_read(cx, &mut rb) {
                    Poll::Ready(Ok(())) => {
                        if rb.filled().is_empty() {
                            return Poll::Ready(Err(EchoError::Short {
                                received: self.received,
                                notified: true,
                            }));
                        }
                        let len = rb.filled().len();
                        // The read buffer is taken out to lend it to `take` beside `self`.
                        let rbuf = std::mem::take(&mut self.rbuf);
                        let r = self.take(&rbuf[..len]);
                        self.rbuf = rbuf;
                        if let Err(e) = r {
                            return Poll::Ready(Err(e));
                        }
                        moved = true;
                    }
                    // rustls: the TCP connection ended without close_notify.
                    Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                        return Poll::Ready(Err(EchoError::Short {
                            received: self.received,
                            notified: false,
                        }))
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(EchoError::Io(e))),
                    Poll::Pending => break,
                }
            }
            if moved {
                self.last_progress = Instant::now();
            }
            if self.received == self.size && self.flushed {
                return Poll::Ready(Ok(()));
            }
            if !moved {
                return Poll::Pending;
            }
        }
    }
}

/// How one connection's echo runs.
#[derive(Debug, Clone, Copy)]
pub struct EchoPlan {
    /// This connection's number in the run (goes into its header).
    pub seq: u64,
    /// A random number of this connection's own (goes into its header).
    pub nonce: u64,
    /// At most this many bytes sent but not yet echoed (`u64::MAX`: no limit but TCP's).
    pub window: u64,
    /// Fail when nothing moves for this long.
    pub idle: Duration,
    /// Bytes per write and per read ([`chunk_for`]).
    pub chunk: usize,
}

/// Sends `body.size` bytes (this connection's header, then the run's body),
/// reads them back, and checks them: the header byte for byte, the body by
/// its SHA-256. `live` counts echoed bytes as they arrive (for a progress line).
pub async fn echo<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    body: &Body,
    plan: EchoPlan,
    live: &AtomicU64,
) -> Result<(), EchoError> {
    let size = body.size;
    let idle = plan.idle;
    let mut header = [0u8; HEADER_LEN];
    header[..8].copy_from_slice(b"tlskit\x00\x01");
    header[8..16].copy_from_slice(&plan.seq.to_be_bytes());
    header[16..24].copy_from_slice(&plan.nonce.to_be_bytes());
    header[24..].copy_from_slice(&(!plan.nonce).to_be_bytes());
    let header_len = (HEADER_LEN as u64).min(size) as usize;
    let chunk = plan.chunk.max(HEADER_LEN) & !7;
    let buf_len = (chunk as u64).min(size.max(1)) as usize;
    let mut t = Transfer {
        stream,
        size,
        window: plan.window.max(1),
        header,
        header_len,
        rng: Rng::new(body.seed),
        generated: 0,
        sent: 0,
        wbuf: vec![0; buf_len.max(HEADER_LEN)],
        wpos: 0,
        wlen: 0,
        flushed: false,
        rbuf: vec![0; chunk],
        chunk,
        received: 0,
        rx: digest::Context::new(&digest::SHA256),
        last_progress: Instant::now(),
        live,
    };
    let sleep = tokio::time::sleep(idle);
    tokio::pin!(sleep);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(r) = t.poll_step(cx) {
            return Poll::Ready(r);
        }
        while sleep.as_mut().poll(cx).is_ready() {
            if t.last_progress.elapsed() >= idle {
                return Poll::Ready(Err(EchoError::Idle {
                    sent: t.sent,
                    received: t.received,
                }));
            }
            let next = tokio::time::Instant::from_std(t.last_progress + idle);
            sleep.as_mut().reset(next);
        }
        Poll::Pending
    })
    .await?;
    let sent = body.digest;
    let received = to_array(t.rx.finish().as_ref());
    if sent != received {
        return Err(EchoError::Mismatch {
            sent: hex(&sent),
            received: hex(&received),
        });
    }
    Ok(())
}

fn to_array(d: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let n = d.len().min(32);
    out[..n].copy_from_slice(&d[..n]);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// An in-memory echo peer that can flip one byte, stop early, or add a byte.
    async fn peer(mut s: tokio::io::DuplexStream, flip_at: Option<u64>, stop_at: Option<u64>) {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 7000];
        let mut seen = 0u64;
        loop {
            let n = match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if let Some(at) = flip_at {
                if at >= seen && at < seen + n as u64 {
                    buf[(at - seen) as usize] ^= 0x01;
                }
            }
            let mut n = n;
            if let Some(stop) = stop_at {
                if seen + n as u64 >= stop {
                    n = (stop - seen) as usize;
                    let _ = s.write_all(&buf[..n]).await;
                    // Close our side, and swallow the rest so the writer never blocks.
                    let _ = s.shutdown().await;
                    while let Ok(m) = s.read(&mut buf).await {
                        if m == 0 {
                            return;
                        }
                    }
                    return;
                }
            }
            seen += n as u64;
            if s.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    }

    fn run_echo(size: u64, flip_at: Option<u64>, stop_at: Option<u64>) -> Result<(), EchoError> {
        run_windowed(size, u64::MAX, flip_at, stop_at)
    }

    fn run_windowed(
        size: u64,
        window: u64,
        flip_at: Option<u64>,
        stop_at: Option<u64>,
    ) -> Result<(), EchoError> {
        let body = Body::prepare(42, size);
        run_with(&body, 7, window, flip_at, stop_at)
    }

    fn run_with(
        body: &Body,
        seq: u64,
        window: u64,
        flip_at: Option<u64>,
        stop_at: Option<u64>,
    ) -> Result<(), EchoError> {
        rt().block_on(async {
            let (mut a, b) = tokio::io::duplex(16 * 1024);
            tokio::spawn(peer(b, flip_at, stop_at));
            let live = AtomicU64::new(0);
            let plan = EchoPlan {
                seq,
                nonce: seq * 31,
                window,
                idle: Duration::from_secs(5),
                chunk: if seq.is_multiple_of(2) {
                    CHUNK
                } else {
                    BULK_CHUNK
                },
            };
            let r = echo(&mut a, body, plan, &live).await;
            if r.is_ok() {
                assert_eq!(live.load(Ordering::Relaxed), body.size);
            }
            r
        })
    }

    #[test]
    fn a_faithful_echo_passes_at_any_size() {
        for size in [
            0, 1, 7, 8, 65_535, 65_536, 65_537, 262_143, 262_144, 262_145, 1_000_003,
        ] {
            run_echo(size, None, None).unwrap_or_else(|e| panic!("{size}: {e:?}"));
        }
    }

    #[test]
    fn a_window_bounds_what_is_in_flight() {
        for window in [1, 1000, 16 * 1024, 100_000] {
            run_windowed(300_001, window, None, None).unwrap_or_else(|e| panic!("{window}: {e:?}"));
        }
    }

    #[test]
    fn connections_share_the_digest_and_still_catch_corruption() {
        let body = Body::prepare(9, 200_000);
        run_with(&body, 1, u64::MAX, None, None).unwrap();
        run_with(&body, 2, u64::MAX, None, None).unwrap();
        match run_with(&body, 3, u64::MAX, Some(150_000), None) {
            Err(EchoError::Mismatch { .. }) => {}
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }

    #[test]
    fn a_corrupted_header_is_not_ours() {
        match run_echo(1000, Some(12), None) {
            Err(EchoError::NotOurs) => {}
            other => panic!("expected not-ours, got {other:?}"),
        }
    }

    #[test]
    fn one_flipped_bit_is_a_mismatch() {
        match run_echo(300_000, Some(123_457), None) {
            Err(EchoError::Mismatch { sent, received }) => {
                assert_ne!(sent, received);
                assert_eq!(sent.len(), 64);
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }

    #[test]
    fn an_early_close_is_short() {
        match run_echo(300_000, None, Some(100_000)) {
            Err(EchoError::Short { received, .. }) => assert_eq!(received, 100_000),
            other => panic!("expected short, got {other:?}"),
        }
    }

    #[test]
    fn a_silent_peer_is_idle() {
        let r = rt().block_on(async {
            let (mut a, _b) = tokio::io::duplex(1 << 20);
            let live = AtomicU64::new(0);
            let plan = EchoPlan {
                seq: 0,
                nonce: 1,
                window: u64::MAX,
                idle: Duration::from_millis(50),
                chunk: CHUNK,
            };
            echo(&mut a, &Body::prepare(1, 1000), plan, &live).await
        });
        match r {
            Err(EchoError::Idle { sent, received }) => {
                assert_eq!((sent, received), (1000, 0));
            }
            other => panic!("expected idle, got {other:?}"),
        }
    }

    #[test]
    fn the_prepared_digest_is_that_of_the_body_as_sent() {
        // Odd sizes too: the last chunk is not a multiple of 8.
        for size in [
            0,
            31,
            32,
            33,
            100,
            65_536 + 32,
            262_144 + 32,
            262_144 + 45,
            600_003,
        ] {
            let body = Body::prepare(77, size);
            let mut stream = vec![0u8; (size as usize).saturating_sub(HEADER_LEN)];
            let mut rng = Rng::new(77);
            for chunk in stream.chunks_mut(CHUNK) {
                rng.fill(chunk);
            }
            let want = digest::digest(&digest::SHA256, &stream);
            assert_eq!(&body.digest[..], want.as_ref(), "{size}");
        }
    }

    #[test]
    fn streams_differ_by_seed_and_repeat_by_seed() {
        let mut a = vec![0u8; 100];
        let mut b = vec![0u8; 100];
        Rng::new(1).fill(&mut a);
        Rng::new(2).fill(&mut b);
        assert_ne!(a, b);
        Rng::new(1).fill(&mut b);
        assert_eq!(a, b);
    }
}
