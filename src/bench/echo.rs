//! Echo mode: one connection sends SIZE bytes of pseudo-random data while it
//! reads them back, and hashes both directions with SHA-256. Writing and
//! reading are driven from one poll loop on the same stream (no split, no
//! lock, no second task), so neither side can stall the other: a server that
//! echoes as it reads never deadlocks against us, whatever the size.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aws_lc_rs::digest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Plaintext handed to the TLS stream per write, and read per read.
pub const CHUNK: usize = 64 * 1024;

/// The largest SIZE tlskit bench accepts per connection (16 GiB).
pub const MAX_BYTES: u64 = 16 << 30;

/// SplitMix64: fast, seedable, good enough to make every connection's data
/// different (a server that mixes up connections is caught).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one connection.
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

    /// Fills `buf` with the next bytes of the stream.
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

/// Why an echo failed.
#[derive(Debug)]
pub enum EchoError {
    /// Reading or writing failed.
    Io(io::Error),
    /// The server closed the connection before echoing everything.
    Short {
        /// Bytes echoed before the end.
        received: u64,
    },
    /// The server sent back more than it was sent.
    TooMuch {
        /// Bytes received, at least.
        received: u64,
    },
    /// Everything came back, but not what was sent.
    Mismatch {
        /// SHA-256 of what was sent, hex.
        sent: String,
        /// SHA-256 of what came back, hex.
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
    rng: Rng,
    generated: u64,
    sent: u64,
    wbuf: Vec<u8>,
    wpos: usize,
    wlen: usize,
    flushed: bool,
    rbuf: Vec<u8>,
    received: u64,
    tx: digest::Context,
    rx: digest::Context,
    last_progress: Instant,
    live: &'a AtomicU64,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Transfer<'_, S> {
    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), EchoError>> {
        loop {
            let mut moved = false;
            while self.sent < self.size {
                if self.wpos == self.wlen {
                    let n = (CHUNK as u64).min(self.size - self.generated) as usize;
                    self.rng.fill(&mut self.wbuf[..n]);
                    self.tx.update(&self.wbuf[..n]);
                    self.generated += n as u64;
                    self.wpos = 0;
                    self.wlen = n;
                }
                match Pin::new(&mut *self.stream).poll_write(cx, &self.wbuf[self.wpos..self.wlen]) {
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
                        let got = rb.filled();
                        if got.is_empty() {
                            return Poll::Ready(Err(EchoError::Short {
                                received: self.received,
                            }));
                        }
                        let n = got.len() as u64;
                        if self.received + n > self.sent {
                            // More came back than we have sent so far: never an echo.
                            return Poll::Ready(Err(EchoError::TooMuch {
                                received: self.received + n,
                            }));
                        }
                        self.rx.update(got);
                        self.received += n;
                        self.live.fetch_add(n, Ordering::Relaxed);
                        moved = true;
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

/// Sends `size` bytes from a generator seeded with `seed`, reads them back,
/// and compares the SHA-256 of both directions. Fails when nothing moves for
/// `idle`. `live` counts echoed bytes as they arrive (for a progress line).
pub async fn echo<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    size: u64,
    seed: u64,
    idle: Duration,
    live: &AtomicU64,
) -> Result<(), EchoError> {
    let buf_len = (CHUNK as u64).min(size.max(1)) as usize;
    let mut t = Transfer {
        stream,
        size,
        rng: Rng::new(seed),
        generated: 0,
        sent: 0,
        wbuf: vec![0; buf_len],
        wpos: 0,
        wlen: 0,
        flushed: false,
        rbuf: vec![0; CHUNK],
        received: 0,
        tx: digest::Context::new(&digest::SHA256),
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
    let sent = hex(t.tx.finish().as_ref());
    let received = hex(t.rx.finish().as_ref());
    if sent != received {
        return Err(EchoError::Mismatch { sent, received });
    }
    Ok(())
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
        rt().block_on(async {
            let (mut a, b) = tokio::io::duplex(16 * 1024);
            tokio::spawn(peer(b, flip_at, stop_at));
            let live = AtomicU64::new(0);
            let r = echo(&mut a, size, 42, Duration::from_secs(5), &live).await;
            if r.is_ok() {
                assert_eq!(live.load(Ordering::Relaxed), size);
            }
            r
        })
    }

    #[test]
    fn a_faithful_echo_passes_at_any_size() {
        for size in [0, 1, 7, 8, 65_535, 65_536, 65_537, 1_000_003] {
            run_echo(size, None, None).unwrap_or_else(|e| panic!("{size}: {e:?}"));
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
            Err(EchoError::Short { received }) => assert_eq!(received, 100_000),
            other => panic!("expected short, got {other:?}"),
        }
    }

    #[test]
    fn a_silent_peer_is_idle() {
        let r = rt().block_on(async {
            let (mut a, _b) = tokio::io::duplex(1 << 20);
            let live = AtomicU64::new(0);
            echo(&mut a, 1000, 1, Duration::from_millis(50), &live).await
        });
        match r {
            Err(EchoError::Idle { sent, received }) => {
                assert_eq!((sent, received), (1000, 0));
            }
            other => panic!("expected idle, got {other:?}"),
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
