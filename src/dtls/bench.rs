//! `bench --dtls`: DTLS handshakes per second with a few associations at
//! once, and optionally an echo of numbered datagrams on each, where every
//! datagram that comes back must match what was sent; losses are counted,
//! not hidden (UDP may drop them, and DTLS does not resend application data).

use std::time::{Duration, Instant};

use serde::Serialize;

use super::client::{self, ClientOptions};
use crate::tls::error::{self, Failure};

/// How hard and how long to push.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Associations open at once.
    pub concurrency: usize,
    /// Start no association after this long.
    pub duration: Duration,
    /// Start exactly this many associations (within `duration`).
    pub associations: Option<u64>,
    /// Datagrams echoed on each association (0: handshakes only).
    pub datagrams: u64,
    /// Bytes per echoed datagram.
    pub size: usize,
    /// How long to wait for each echo before counting it lost.
    pub echo_wait: Duration,
}

/// What `bench --dtls` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BenchReport {
    /// Associations started.
    pub started: u64,
    /// Handshakes completed (and verified).
    pub handshakes: u64,
    /// Associations that failed, by the first failure's sentence.
    pub failed: u64,
    /// The first failure, in words.
    pub first_failure: Option<String>,
    /// The kind of the first failure.
    pub first_failure_kind: Option<Failure>,
    /// Wall time, seconds.
    pub elapsed_s: f64,
    /// Completed handshakes per second of wall time.
    pub handshakes_per_s: f64,
    /// Median handshake time, milliseconds.
    pub handshake_p50_ms: Option<f64>,
    /// 99th percentile handshake time, milliseconds.
    pub handshake_p99_ms: Option<f64>,
    /// Handshake datagrams resent, in all.
    pub retransmissions: u64,
    /// Echo datagrams sent.
    pub datagrams_sent: u64,
    /// Echo datagrams that came back intact.
    pub datagrams_echoed: u64,
    /// Echo datagrams that never came back.
    pub datagrams_lost: u64,
    /// Echo datagrams that came back different from what was sent (never expected).
    pub datagrams_corrupted: u64,
    /// Intact echoes per second of wall time.
    pub datagrams_per_s: f64,
    /// The server's own CPU during the run (`--server-pid`).
    pub server_cpu: Option<ServerCpu>,
}

/// The server's CPU time over a run, read by the caller from the processes it was given.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServerCpu {
    /// The processes measured (with their threads and children).
    pub pids: Vec<u32>,
    /// User + system CPU seconds they used during the run.
    pub total_s: f64,
    /// Microseconds of server CPU per completed handshake (the echo included, when there is one).
    pub per_handshake_us: Option<f64>,
}

impl ServerCpu {
    /// The CPU `used` by `pids` over a run, shared out over its handshakes.
    pub fn new(pids: &[u32], used: Duration, handshakes: u64) -> ServerCpu {
        let secs = used.as_secs_f64();
        ServerCpu {
            pids: pids.to_vec(),
            total_s: (secs * 1000.0).round() / 1000.0,
            per_handshake_us: (handshakes > 0)
                .then(|| (secs * 1e6 / handshakes as f64 * 10.0).round() / 10.0),
        }
    }
}

struct One {
    handshake_ms: Option<f64>,
    retransmissions: u64,
    sent: u64,
    echoed: u64,
    lost: u64,
    corrupted: u64,
    failure: Option<anyhow::Error>,
}

/// Runs the benchmark; `options` makes the client options for each association.
pub async fn run(
    options: impl Fn() -> ClientOptions + Send + Sync + 'static,
    opts: BenchOptions,
) -> anyhow::Result<BenchReport> {
    let options = std::sync::Arc::new(options);
    let started = Instant::now();
    let stop_at = started + opts.duration;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..opts.concurrency.max(1) {
        let options = options.clone();
        let opts = opts.clone();
        let counter = counter.clone();
        tasks.spawn(async move {
            let mut results = Vec::new();
            loop {
                if Instant::now() >= stop_at {
                    break;
                }
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if opts.associations.is_some_and(|max| n >= max) {
                    break;
                }
                results.push(one(options(), &opts, n).await);
            }
            results
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(
            done.map_err(|e| error::fail(Failure::Input, format!("a bench task failed: {e}")))?,
        );
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut r = BenchReport {
        started: all.len() as u64,
        elapsed_s: (elapsed * 1000.0).round() / 1000.0,
        ..BenchReport::default()
    };
    let mut times: Vec<f64> = Vec::new();
    for o in all {
        if let Some(ms) = o.handshake_ms {
            r.handshakes += 1;
            times.push(ms);
        }
        r.retransmissions += o.retransmissions;
        r.datagrams_sent += o.sent;
        r.datagrams_echoed += o.echoed;
        r.datagrams_lost += o.lost;
        r.datagrams_corrupted += o.corrupted;
        if let Some(e) = o.failure {
            r.failed += 1;
            if r.first_failure.is_none() {
                r.first_failure = Some(format!("{e:#}"));
                r.first_failure_kind = error::kind_of(&e);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        (!times.is_empty()).then(|| {
            let i = ((times.len() - 1) as f64 * q).round() as usize;
            (times[i] * 100.0).round() / 100.0
        })
    };
    r.handshake_p50_ms = pick(0.5);
    r.handshake_p99_ms = pick(0.99);
    if elapsed > 0.0 {
        r.handshakes_per_s = (r.handshakes as f64 / elapsed * 10.0).round() / 10.0;
        r.datagrams_per_s = (r.datagrams_echoed as f64 / elapsed * 10.0).round() / 10.0;
    }
    Ok(r)
}

/// The payload of echo datagram `seq` of association `assoc`: a header and a
/// pattern derived from both, so that any change, swap or replay shows.
fn payload(assoc: u64, seq: u64, size: usize) -> Vec<u8> {
    let mut d = Vec::with_capacity(size.max(16));
    d.extend_from_slice(&assoc.to_be_bytes());
    d.extend_from_slice(&seq.to_be_bytes());
    let mut x = assoc.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seq;
    while d.len() < size {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        d.push(x as u8);
    }
    d
}

/// Whether `d` is the intact payload of an earlier datagram of this association.
fn is_earlier(d: &[u8], assoc: u64, seq: u64, size: usize) -> bool {
    let Some(head) = d.get(8..16) else {
        return false;
    };
    let earlier = u64::from_be_bytes(head.try_into().unwrap_or([0xff; 8]));
    earlier < seq && d == payload(assoc, earlier, size).as_slice()
}

async fn one(options: ClientOptions, opts: &BenchOptions, assoc: u64) -> One {
    let mut o = One {
        handshake_ms: None,
        retransmissions: 0,
        sent: 0,
        echoed: 0,
        lost: 0,
        corrupted: 0,
        failure: None,
    };
    let mut conn = match client::connect(options).await {
        Ok(c) => c,
        Err(f) => {
            o.retransmissions = f.report.flights.retransmissions;
            o.failure = Some(f.error);
            return o;
        }
    };
    o.handshake_ms = conn.report.timings.handshake_ms;
    o.retransmissions = conn.report.flights.retransmissions;
    let size = opts.size.min(conn.max_payload()).max(16);
    for seq in 0..opts.datagrams {
        let d = payload(assoc, seq, size);
        if let Err(e) = conn.send(&d).await {
            o.failure = Some(e);
            return o;
        }
        o.sent += 1;
        loop {
            match conn.recv(opts.echo_wait).await {
                Ok(Some(back)) if back == d => o.echoed += 1,
                // The echo of an earlier datagram, already counted lost: late, not wrong.
                Ok(Some(back)) if is_earlier(&back, assoc, seq, size) => {
                    o.lost -= 1;
                    o.echoed += 1;
                    continue;
                }
                Ok(Some(_)) => o.corrupted += 1,
                Ok(None) => o.lost += 1,
                Err(e) => {
                    o.failure = Some(e);
                    return o;
                }
            }
            break;
        }
    }
    conn.close().await;
    o
}

#[cfg(test)]
mod tests {
    use super::payload;

    #[test]
    fn payloads_differ_by_association_and_sequence() {
        assert_eq!(payload(1, 2, 64).len(), 64);
        assert_ne!(payload(1, 2, 64), payload(1, 3, 64));
        assert_ne!(payload(1, 2, 64), payload(2, 2, 64));
        assert_eq!(payload(1, 2, 64), payload(1, 2, 64));
    }
}
