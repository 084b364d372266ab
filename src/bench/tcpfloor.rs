//! The kernel's floor: what loopback TCP alone costs a server, with no TLS,
//! for one connection and for each MiB it echoes or forwards.
//!
//! A TLS server pays the crypto floor ([`super::floor`]) and, on top, the
//! kernel's work for every connection (accept, reads, writes, shutdown,
//! close) and for every byte it moves (each transfer through a socket copies
//! it once). Both ends run here, in one thread and in lockstep, over
//! 127.0.0.1: data is always waiting when the server side reads, so nothing
//! sleeps, nothing polls, and only the server side's system calls are timed
//! (by this thread's CPU clock, less what reading the clock costs). That is
//! the least any server using these sockets can spend; an event loop adds
//! its polling and wake-ups on top.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::floor::thread_cpu;

/// What loopback TCP costs the server side, in microseconds of CPU time.
#[derive(Debug, Clone, Serialize)]
pub struct TcpFloor {
    /// One connection with a TLS 1.3 handshake's socket traffic and none of
    /// its work: accept, read a 300-byte hello, write a 1,100-byte flight,
    /// read 80 bytes, write a 24-byte alert with the FIN behind it, close.
    pub tcp_connection_us: f64,
    /// Each MiB echoed: read from the client, written back (two transfers).
    pub tcp_echo_per_mib_us: f64,
    /// Each MiB forwarded both ways, as a tunnel does: read from the client
    /// and written to the target, read from the target and written back to
    /// the client (four transfers).
    pub tcp_relay_per_mib_us: f64,
}

/// The sizes of a TLS 1.3 handshake with ECDSA P-256 and X25519, as seen on
/// the wire by the server: what it reads, writes, reads, writes.
const HELLO: usize = 300;
const FLIGHT: usize = 1_100;
const FINISHED: usize = 80;
const ALERT: usize = 24;

/// Connections per batch, and batches (the median is kept). Kept small: each
/// connection leaves a TIME_WAIT entry behind for a minute.
const CONNECTIONS: usize = 250;
const BATCHES: usize = 7;
/// MiB moved per batch, in reads and writes of [`CHUNK`] bytes (the size
/// tlskit's bulk paths use).
const MIB_PER_BATCH: usize = 8;
const CHUNK: usize = 256 * 1024;
/// Where in a page the buffers start (see [`Held`]).
const FAST_OFFSET: usize = 64;
const MIB: usize = 1024 * 1024;
/// Steps of a lockstep transfer before it is given up as stuck.
const MAX_STEPS: usize = 1_000_000;
/// How long a lockstep transfer may make no progress before it is given up.
const STALL: Duration = Duration::from_secs(10);

/// Measures the three figures (under a second on an idle machine).
pub fn measure() -> io::Result<TcpFloor> {
    let clock = clock_cost();
    Ok(TcpFloor {
        tcp_connection_us: round(median(connection_batches(clock)?)),
        tcp_echo_per_mib_us: round(median(echo_batches(clock, BATCHES, MIB_PER_BATCH)?.0)),
        tcp_relay_per_mib_us: round(median(relay_batches(clock, BATCHES, MIB_PER_BATCH)?.0)),
    })
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// What one reading of the thread's CPU clock costs (a system call), so that
/// the timed sections can be charged for their system calls alone.
fn clock_cost() -> Duration {
    const N: u32 = 2_000;
    let before = thread_cpu();
    for _ in 0..N {
        std::hint::black_box(thread_cpu());
    }
    (thread_cpu() - before) / (N + 1)
}

/// Times `f` on this thread's CPU clock, less one clock reading.
fn timed<R>(spent: &mut Duration, clock: Duration, f: impl FnOnce() -> R) -> R {
    let before = thread_cpu();
    let r = f();
    *spent += (thread_cpu() - before).saturating_sub(clock);
    r
}

/// A listener on 127.0.0.1 whose accepted sockets inherit TCP_NODELAY, as
/// tlskit's listeners do.
fn listener() -> io::Result<(TcpListener, SocketAddr)> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let one: libc::c_int = 1;
    // SAFETY: `l` is an open socket and `one` a valid c_int for this option.
    let rc = unsafe {
        libc::setsockopt(
            l.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // Accepted sockets inherit a receive timeout: a blocking read that never
    // gets its bytes fails instead of hanging.
    let timeout = libc::timeval {
        tv_sec: STALL.as_secs() as libc::time_t,
        tv_usec: 0,
    };
    // SAFETY: as above, with a valid timeval for this option.
    let rc = unsafe {
        libc::setsockopt(
            l.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&timeout as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let addr = l.local_addr()?;
    Ok((l, addr))
}

/// `send` with MSG_MORE: the FIN that follows shares the segment.
fn send_more(s: &TcpStream, data: &[u8]) -> io::Result<usize> {
    // SAFETY: `data` is a valid slice for its length and `s` an open socket.
    let n = unsafe {
        libc::send(
            s.as_raw_fd(),
            data.as_ptr().cast(),
            data.len(),
            libc::MSG_MORE | libc::MSG_NOSIGNAL,
        )
    };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// Reads exactly `n` bytes that are known to be waiting.
fn read_n(s: &mut TcpStream, buf: &mut [u8], n: usize) -> io::Result<()> {
    s.read_exact(&mut buf[..n])
}

/// Microseconds per connection, one figure per batch.
fn connection_batches(clock: Duration) -> io::Result<Vec<f64>> {
    let (listener, addr) = listener()?;
    let mut buf = vec![0u8; 4096];
    let hello = vec![0x16u8; HELLO];
    let flight = vec![0x17u8; FLIGHT];
    let finished = vec![0x17u8; FINISHED];
    let alert = vec![0x15u8; ALERT];
    let mut batches = Vec::with_capacity(BATCHES);
    // One batch warms up and is not kept.
    for batch in 0..=BATCHES {
        let mut spent = Duration::ZERO;
        for _ in 0..CONNECTIONS {
            // The client's side is not timed. Loopback delivers within the
            // sender's system call, so every read below finds its bytes.
            let mut client = TcpStream::connect(addr)?;
            client.set_read_timeout(Some(STALL))?;
            client.write_all(&hello)?;
            let mut server = timed(&mut spent, clock, || -> io::Result<TcpStream> {
                let (mut s, _) = listener.accept()?;
                read_n(&mut s, &mut buf, HELLO)?;
                s.write_all(&flight)?;
                Ok(s)
            })?;
            read_n(&mut client, &mut buf, FLIGHT)?;
            client.write_all(&finished)?;
            timed(&mut spent, clock, || -> io::Result<()> {
                read_n(&mut server, &mut buf, FINISHED)?;
                send_more(&server, &alert)?;
                server.shutdown(Shutdown::Write)?;
                drop(server);
                Ok(())
            })?;
            read_n(&mut client, &mut buf, ALERT)?;
            drop(client);
        }
        if batch > 0 {
            batches.push(spent.as_secs_f64() * 1e6 / CONNECTIONS as f64);
        }
    }
    Ok(batches)
}

/// A connected pair over loopback: (client, accepted server side), both
/// non-blocking.
fn pair(listener: &TcpListener, addr: SocketAddr) -> io::Result<(TcpStream, TcpStream)> {
    let client = TcpStream::connect(addr)?;
    let (server, _) = listener.accept()?;
    client.set_nonblocking(true)?;
    server.set_nonblocking(true)?;
    Ok((client, server))
}

/// A read or write that would block moved nothing.
fn moved(r: io::Result<usize>) -> io::Result<usize> {
    match r {
        Ok(n) => Ok(n),
        Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(0),
        Err(e) => Err(e),
    }
}

/// A buffer in one side's hands: what it read and has yet to write on.
///
/// Where a buffer lies matters on some CPUs: the kernel copies with
/// `rep movsb`, which on the AMD EPYC this was measured on runs at a third
/// of its speed when the destination lies 1–31 bytes past the source modulo
/// 4 KiB. A fresh 256 KiB allocation from glibc lies 16 bytes into a page,
/// which is exactly that for every `recv` of page-aligned socket data, and
/// doubled the figures here. The floor uses the placement that copies
/// fastest: 64 bytes into a page.
struct Held {
    store: Vec<u8>,
    off: usize,
    start: usize,
    end: usize,
}

/// Where a side's system calls are charged: the CPU they cost, less the
/// clock reading, for the calls that moved bytes (a read that finds nothing
/// is what polling would have spared).
struct Meter {
    spent: Duration,
    clock: Duration,
    on: bool,
    /// Bytes moved by the calls charged.
    bytes: u64,
}

impl Meter {
    fn new(clock: Duration) -> Meter {
        Meter {
            spent: Duration::ZERO,
            clock,
            on: true,
            bytes: 0,
        }
    }

    /// A meter that charges nothing (the sides that are not measured).
    fn off() -> Meter {
        Meter {
            spent: Duration::ZERO,
            clock: Duration::ZERO,
            on: false,
            bytes: 0,
        }
    }

    fn call(&mut self, f: impl FnOnce() -> io::Result<usize>) -> io::Result<usize> {
        if !self.on {
            return moved(f());
        }
        let before = thread_cpu();
        let n = moved(f())?;
        if n > 0 {
            self.spent += (thread_cpu() - before).saturating_sub(self.clock);
            self.bytes += n as u64;
        }
        Ok(n)
    }
}

impl Held {
    fn new() -> Held {
        let store = vec![0u8; CHUNK + 4096 + FAST_OFFSET];
        let addr = store.as_ptr() as usize;
        let off = (4096 - addr % 4096) % 4096 + FAST_OFFSET;
        Held {
            store,
            off,
            start: 0,
            end: 0,
        }
    }

    /// Reads into the buffer once it is empty; writes what it holds. True
    /// if any byte moved.
    fn step(&mut self, from: &TcpStream, to: &TcpStream, meter: &mut Meter) -> io::Result<bool> {
        let mut progress = false;
        if self.start == self.end {
            let n =
                meter.call(|| (&mut &*from).read(&mut self.store[self.off..self.off + CHUNK]))?;
            self.start = 0;
            self.end = n;
            progress |= n > 0;
        }
        if self.start < self.end {
            let n = meter.call(|| {
                (&mut &*to).write(&self.store[self.off + self.start..self.off + self.end])
            })?;
            self.start += n;
            progress |= n > 0;
        }
        Ok(progress)
    }
}

/// The client's side of a transfer: sends `total` bytes and reads them back.
struct Client {
    data: Vec<u8>,
    sink: Vec<u8>,
    sent: usize,
    received: usize,
    total: usize,
}

impl Client {
    fn new(total: usize) -> Client {
        Client {
            data: vec![0x42; CHUNK],
            sink: vec![0; CHUNK],
            sent: 0,
            received: 0,
            total,
        }
    }

    fn step(&mut self, s: &TcpStream) -> io::Result<bool> {
        let mut progress = false;
        if self.sent < self.total {
            let len = (self.total - self.sent).min(CHUNK);
            let n = moved((&mut &*s).write(&self.data[..len]))?;
            self.sent += n;
            progress |= n > 0;
        }
        let n = moved((&mut &*s).read(&mut self.sink))?;
        self.received += n;
        Ok(progress || n > 0)
    }

    fn done(&self) -> bool {
        self.received >= self.total
    }
}

fn stuck() -> io::Error {
    io::Error::other("a loopback transfer made no progress")
}

/// Runs `step` until the client has its bytes back; an error if nothing
/// moves for [`STALL`] or the steps run out. Loopback normally delivers
/// within the sender's own system call, but on a loaded machine the kernel
/// may leave delivery to its softirq thread: a step that moves nothing then
/// waits a little (the wait is no system call that the meter charges).
fn until_echoed(
    client: &mut Client,
    mut step: impl FnMut(&mut Client) -> io::Result<bool>,
) -> io::Result<()> {
    let mut idle_since: Option<Instant> = None;
    for _ in 0..MAX_STEPS {
        if client.done() {
            return Ok(());
        }
        if step(client)? {
            idle_since = None;
            continue;
        }
        let since = *idle_since.get_or_insert_with(Instant::now);
        if since.elapsed() > STALL {
            return Err(stuck());
        }
        std::thread::sleep(Duration::from_micros(50));
    }
    Err(stuck())
}

/// Microseconds per MiB echoed (the server reads and writes back), per batch.
/// Also returns the bytes the timed calls moved in all, warm-up included.
fn echo_batches(clock: Duration, count: usize, mib: usize) -> io::Result<(Vec<f64>, u64)> {
    let (listener, addr) = listener()?;
    let (client_side, server_side) = pair(&listener, addr)?;
    let mut server = Held::new();
    let mut batches = Vec::with_capacity(count);
    let mut bytes = 0;
    for batch in 0..=count {
        let mut client = Client::new(mib * MIB);
        let mut meter = Meter::new(clock);
        until_echoed(&mut client, |client| {
            let a = client.step(&client_side)?;
            let b = server.step(&server_side, &server_side, &mut meter)?;
            Ok(a || b)
        })?;
        bytes += meter.bytes;
        if batch > 0 {
            batches.push(meter.spent.as_secs_f64() * 1e6 / mib as f64);
        }
    }
    Ok((batches, bytes))
}

/// Microseconds per MiB forwarded both ways (client → relay → echo target →
/// relay → client; only the relay is timed), per batch.
/// Also returns the bytes the timed calls moved in all, warm-up included.
fn relay_batches(clock: Duration, count: usize, mib: usize) -> io::Result<(Vec<f64>, u64)> {
    let (front, front_addr) = listener()?;
    let (back, back_addr) = listener()?;
    let (client_side, relay_in) = pair(&front, front_addr)?;
    let (relay_out, target_side) = pair(&back, back_addr)?;
    let (mut up, mut down, mut target) = (Held::new(), Held::new(), Held::new());
    let mut batches = Vec::with_capacity(count);
    let mut bytes = 0;
    for batch in 0..=count {
        let mut client = Client::new(mib * MIB);
        let mut meter = Meter::new(clock);
        let mut untimed = Meter::off();
        until_echoed(&mut client, |client| {
            let a = client.step(&client_side)?;
            let b = up.step(&relay_in, &relay_out, &mut meter)?;
            let c = target.step(&target_side, &target_side, &mut untimed)?;
            let d = down.step(&relay_out, &relay_in, &mut meter)?;
            Ok(a || b || c || d)
        })?;
        bytes += meter.bytes;
        if batch > 0 {
            batches.push(meter.spent.as_secs_f64() * 1e6 / mib as f64);
        }
    }
    Ok((batches, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_sockets_inherit_the_read_timeout_so_no_read_hangs() {
        let (l, addr) = listener().unwrap();
        let _client = TcpStream::connect(addr).unwrap();
        let (server, _) = l.accept().unwrap();
        assert_eq!(server.read_timeout().unwrap(), Some(STALL));
    }

    #[test]
    fn loopback_floor_is_measured() {
        let f = measure().unwrap();
        assert!(f.tcp_connection_us > 0.0, "{f:?}");
        assert!(f.tcp_echo_per_mib_us > 0.0, "{f:?}");
        assert!(f.tcp_relay_per_mib_us > 0.0, "{f:?}");
    }

    /// What is charged, counted in bytes rather than time (which a loaded
    /// machine would blur): the echo's server reads and writes each byte
    /// once, the relay each byte four times (in and out, both ways), and
    /// the target's transfers are not charged to it.
    #[test]
    fn the_echo_is_charged_two_transfers_per_byte_and_the_relay_four() {
        let mib = 1u64 << 20;
        let (echo, echo_bytes) = echo_batches(Duration::ZERO, 2, 1).unwrap();
        let (relay, relay_bytes) = relay_batches(Duration::ZERO, 2, 1).unwrap();
        assert_eq!((echo.len(), relay.len()), (2, 2));
        // Three transfers of 1 MiB each, the warm-up included.
        assert_eq!(echo_bytes, 3 * 2 * mib);
        assert_eq!(relay_bytes, 3 * 4 * mib);
    }
}
