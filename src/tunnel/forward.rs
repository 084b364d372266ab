//! Moving bytes both ways between the two sides of a tunnel.
//!
//! One task polls both directions. Each read goes into a scratch buffer that
//! belongs to the worker thread (lent to one poll at a time) and is handed
//! straight to the other side's writer; only bytes that writer cannot take
//! yet are copied to the heap, and that copy is dropped once written. An idle connection therefore holds no
//! forwarding buffer at all, and a side that does not take data stops the
//! other side from sending (backpressure: nothing more is read while a
//! leftover is waiting). When one side finishes sending (FIN, or
//! close_notify), the other side's write half is shut down and the opposite
//! direction keeps flowing (half-close).

use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::watch;
use tokio::time::Instant;

use super::{Phase, Stats};

/// The most read at once, per direction: up to sixteen full TLS records, so
/// that in bulk each side makes one system call for many records (and the
/// TLS side, given a send buffer as large, one `writev` for all of them).
pub(crate) const SCRATCH: usize = 256 * 1024;

thread_local! {
    /// The scratch buffer of this worker thread: made on first use, then
    /// lent to each poll in turn (a poll never waits, so one is enough).
    static SCRATCH_BUF: RefCell<Box<[MaybeUninit<u8>]>> =
        RefCell::new(Box::new_uninit_slice(0));
}

/// Runs `f` with the thread's scratch buffer (a fresh one, should it be lent out already).
fn with_scratch<R>(f: impl FnOnce(&mut [MaybeUninit<u8>]) -> R) -> R {
    SCRATCH_BUF.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < SCRATCH {
                *buf = Box::new_uninit_slice(SCRATCH);
            }
            f(&mut buf)
        }
        Err(_) => f(&mut Box::new_uninit_slice(SCRATCH)),
    })
}

/// Another read is tried while at least this much of the scratch buffer is free.
const GATHER_ROOM: usize = 16 * 1024;

/// Reads (each followed by its writes) one direction makes before it lets
/// the other direction and the rest of the runtime have a turn.
const ROUNDS: usize = 16;

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

/// Bytes moved so far, each way: the connection's own counts (for its log
/// line) and the tunnel's totals (for the status page, live while the
/// connection is open).
#[derive(Debug)]
pub(crate) struct Moved {
    pub up: AtomicU64,
    pub down: AtomicU64,
    /// Milliseconds since `start` at the last movement.
    last: AtomicU64,
    /// The tunnel's counters, added to as the bytes move.
    total: Arc<Stats>,
}

impl Moved {
    /// Nothing moved yet; what moves is also counted into `total`.
    pub(crate) fn new(total: Arc<Stats>) -> Moved {
        Moved {
            up: AtomicU64::new(0),
            down: AtomicU64::new(0),
            last: AtomicU64::new(0),
            total,
        }
    }
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
    let (mut client, mut target) = (client, target);
    let mut up = Direction::new(Side::Client, Side::Target);
    let mut down = Direction::new(Side::Target, Side::Client);
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
    std::future::poll_fn(|cx| {
        // Lent for this poll only: never part of the connection's state.
        with_scratch(|scratch| {
            let counters = Counters {
                last: &moved.last,
                start,
            };
            if !up.done {
                let tally = Tally {
                    conn: &moved.up,
                    total: &moved.total.bytes_up,
                };
                if let Poll::Ready(Err((side, e))) =
                    up.poll(cx, &mut client, &mut target, scratch, &tally, &counters)
                {
                    return Poll::Ready(Ended::Failed(side, e));
                }
            }
            if !down.done {
                let tally = Tally {
                    conn: &moved.down,
                    total: &moved.total.bytes_down,
                };
                if let Poll::Ready(Err((side, e))) =
                    down.poll(cx, &mut target, &mut client, scratch, &tally, &counters)
                {
                    return Poll::Ready(Ended::Failed(side, e));
                }
            }
            if up.done && down.done {
                return Poll::Ready(Ended::Done);
            }
            if idle_check.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ended::Idle);
            }
            if stopping.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ended::CutOff);
            }
            Poll::Pending
        })
    })
    .await
}

/// Where one direction's bytes are counted: the connection's count and the
/// tunnel's total (one relaxed add each per write, no lock).
struct Tally<'a> {
    conn: &'a AtomicU64,
    total: &'a AtomicU64,
}

/// When anything last moved (either way), for the idle timeout.
struct Counters<'a> {
    last: &'a AtomicU64,
    start: Instant,
}

/// One direction's state between polls.
struct Direction {
    /// Bytes read that the writer has not taken yet (empty, and unallocated, when caught up).
    leftover: Vec<u8>,
    /// How much of `leftover` is written.
    pos: usize,
    /// The reader has ended.
    eof: bool,
    /// Bytes were written since the last flush.
    unflushed: bool,
    /// The writer is shut down: this direction is finished.
    done: bool,
    from: Side,
    to: Side,
}

impl Direction {
    fn new(from: Side, to: Side) -> Direction {
        Direction {
            leftover: Vec::new(),
            pos: 0,
            eof: false,
            unflushed: false,
            done: false,
            from,
            to,
        }
    }

    /// Moves what can be moved now; `Ready(Ok)` once the direction is finished.
    fn poll<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        from: &mut R,
        to: &mut W,
        scratch: &mut [MaybeUninit<u8>],
        count: &Tally<'_>,
        counters: &Counters<'_>,
    ) -> Poll<Result<(), (Side, io::Error)>>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let to_side = self.to;
        for _ in 0..ROUNDS {
            // What the writer could not take last time goes first.
            while self.pos < self.leftover.len() {
                let n = match Pin::new(&mut *to).poll_write(cx, &self.leftover[self.pos..]) {
                    Poll::Ready(Ok(n)) => n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err((to_side, e))),
                    Poll::Pending => return Poll::Pending,
                };
                if n == 0 {
                    return Poll::Ready(Err((to_side, io::ErrorKind::WriteZero.into())));
                }
                self.pos += n;
                self.unflushed = true;
                moved(count, counters, n);
            }
            if !self.leftover.is_empty() {
                self.leftover = Vec::new();
                self.pos = 0;
            }
            if self.eof {
                // Pass the end on; the other direction keeps flowing. A peer
                // that is already gone makes this fail, which changes nothing.
                if let Poll::Ready(r) = Pin::new(&mut *to).poll_shutdown(cx) {
                    let _ = r;
                    self.done = true;
                    return Poll::Ready(Ok(()));
                }
                return Poll::Pending;
            }
            let mut buf = ReadBuf::uninit(scratch);
            match Pin::new(&mut *from).poll_read(cx, &mut buf) {
                Poll::Pending => {
                    // Nothing more to read for now: push out what was written.
                    if self.unflushed {
                        match Pin::new(&mut *to).poll_flush(cx) {
                            Poll::Ready(Ok(())) => self.unflushed = false,
                            Poll::Ready(Err(e)) => return Poll::Ready(Err((to_side, e))),
                            Poll::Pending => {}
                        }
                    }
                    return Poll::Pending;
                }
                Poll::Ready(Ok(())) if buf.filled().is_empty() => self.eof = true,
                Poll::Ready(Ok(())) => {
                    // Gather what else is ready (TLS hands out one record at a
                    // time): one larger write instead of several small ones.
                    while buf.remaining() >= GATHER_ROOM {
                        let before = buf.filled().len();
                        match Pin::new(&mut *from).poll_read(cx, &mut buf) {
                            Poll::Ready(Ok(())) if buf.filled().len() > before => {}
                            Poll::Ready(Ok(())) => {
                                self.eof = true;
                                break;
                            }
                            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => {
                                self.eof = true;
                                break;
                            }
                            Poll::Ready(Err(e)) => return Poll::Ready(Err((self.from, e))),
                            Poll::Pending => break,
                        }
                    }
                    let data = buf.filled();
                    let mut off = 0;
                    while off < data.len() {
                        match Pin::new(&mut *to).poll_write(cx, &data[off..]) {
                            Poll::Ready(Ok(0)) => {
                                return Poll::Ready(Err((to_side, io::ErrorKind::WriteZero.into())))
                            }
                            Poll::Ready(Ok(n)) => off += n,
                            Poll::Ready(Err(e)) => return Poll::Ready(Err((to_side, e))),
                            Poll::Pending => {
                                // Kept until the writer takes it; nothing more is read meanwhile.
                                self.leftover = data[off..].to_vec();
                                break;
                            }
                        }
                    }
                    if off > 0 {
                        self.unflushed = true;
                        moved(count, counters, off);
                    }
                }
                // A TLS peer that closes TCP without close_notify: its data is
                // all here (rustls checked every record); treat it as the end.
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::UnexpectedEof => self.eof = true,
                Poll::Ready(Err(e)) => return Poll::Ready(Err((self.from, e))),
            }
        }
        // Busy: give others a turn, and come back at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn moved(count: &Tally<'_>, counters: &Counters<'_>, n: usize) {
    count.conn.fetch_add(n as u64, Ordering::Relaxed);
    count.total.fetch_add(n as u64, Ordering::Relaxed);
    counters.last.store(
        counters.start.elapsed().as_millis() as u64,
        Ordering::Relaxed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Tiny pipes make nearly every write partial, so the leftover path
    /// (bytes the writer could not take yet) carries most of the data.
    #[tokio::test]
    async fn every_byte_arrives_in_order_through_slow_writers_and_the_end_is_passed_on() {
        let (client, mut client_far) = tokio::io::duplex(61);
        let (target, mut target_far) = tokio::io::duplex(53);
        let (_tx, mut phase) = watch::channel(Phase::Running);
        let stats = Arc::new(Stats::default());
        let moved = Moved::new(stats.clone());
        let up: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let down: Vec<u8> = (0..150_000u32).map(|i| (i * 13 % 241) as u8).collect();
        let (up2, down2) = (up.clone(), down.clone());
        let client_side = async move {
            let (mut r, mut w) = tokio::io::split(&mut client_far);
            let send = async {
                w.write_all(&up2).await.unwrap();
                w.shutdown().await.unwrap();
            };
            let mut got = Vec::new();
            let recv = r.read_to_end(&mut got);
            let (_, n) = tokio::join!(send, recv);
            n.unwrap();
            got
        };
        let target_side = async move {
            let (mut r, mut w) = tokio::io::split(&mut target_far);
            let send = async {
                w.write_all(&down2).await.unwrap();
                w.shutdown().await.unwrap();
            };
            let mut got = Vec::new();
            let recv = r.read_to_end(&mut got);
            let (_, n) = tokio::join!(send, recv);
            n.unwrap();
            got
        };
        let fwd = forward(client, target, None, &mut phase, &moved);
        let (ended, at_client, at_target) = tokio::join!(fwd, client_side, target_side);
        assert!(matches!(ended, Ended::Done));
        assert_eq!(at_target, up);
        assert_eq!(at_client, down);
        assert_eq!(moved.up.load(Ordering::Relaxed), up.len() as u64);
        assert_eq!(moved.down.load(Ordering::Relaxed), down.len() as u64);
        // The tunnel's totals saw the same bytes, as they moved.
        let c = stats.counters();
        assert_eq!(
            (c.bytes_up, c.bytes_down),
            (up.len() as u64, down.len() as u64)
        );
    }

    /// The tunnel's totals move while the connection is still open, and
    /// two connections add up.
    #[tokio::test]
    async fn the_tunnels_totals_count_bytes_before_the_connection_ends() {
        let stats = Arc::new(Stats::default());
        let (_tx, phase) = watch::channel(Phase::Running);
        let mut ends = Vec::new();
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let (client, client_far) = tokio::io::duplex(1024);
            let (target, target_far) = tokio::io::duplex(1024);
            let moved = Moved::new(stats.clone());
            let mut phase = phase.clone();
            tasks.push(tokio::spawn(async move {
                let ended = forward(client, target, None, &mut phase, &moved).await;
                (ended, moved)
            }));
            ends.push((client_far, target_far));
        }
        for (client_far, target_far) in &mut ends {
            client_far.write_all(b"hello").await.unwrap();
            let mut got = [0u8; 5];
            target_far.read_exact(&mut got).await.unwrap();
            target_far.write_all(b"hi").await.unwrap();
            let mut got = [0u8; 2];
            client_far.read_exact(&mut got).await.unwrap();
        }
        // Both connections are open; what they carried is already counted
        // (one thread: each count is made in the poll that wrote the bytes).
        let c = stats.counters();
        assert_eq!((c.bytes_up, c.bytes_down), (10, 4));
        drop(ends);
        for task in tasks {
            let (ended, moved) = task.await.unwrap();
            assert!(matches!(ended, Ended::Done));
            assert_eq!(moved.up.load(Ordering::Relaxed), 5);
            assert_eq!(moved.down.load(Ordering::Relaxed), 2);
        }
        let c = stats.counters();
        assert_eq!((c.bytes_up, c.bytes_down), (10, 4));
    }
}
