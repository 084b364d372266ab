//! A log-linear latency histogram: fixed memory whatever the run length,
//! percentiles within 0.8 % (values below 128 exact, then 64 buckets per
//! power of two, a percentile being its bucket's middle), exact count,
//! minimum, maximum and mean. The idea of HdrHistogram, in a few lines.

use serde::Serialize;

/// Exact below 2^7 = 128; above, 2^6 = 64 buckets per power of two, so a
/// bucket's middle is within 1/128 (< 0.8 %) of any value in it.
const SUB_BITS: u32 = 7;
const SUB: u64 = 1 << SUB_BITS;
const HALF: u64 = SUB / 2;
/// Enough buckets for any `u64`.
const BUCKETS: usize = ((64 - SUB_BITS as usize) * HALF as usize) + SUB as usize;

/// Counts of values (microseconds, in tlskit bench) in log-linear buckets.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            count: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }
}

fn index(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let shift = msb - (SUB_BITS - 1);
    (shift as usize) * HALF as usize + (v >> shift) as usize
}

/// The smallest and largest value of bucket `i`.
fn bounds(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < SUB {
        return (i, i);
    }
    let shift = i / HALF - 1;
    let mantissa = i % HALF + HALF;
    let low = mantissa << shift;
    (low, low + ((1u64 << shift) - 1))
}

impl Histogram {
    /// Records one value.
    pub fn record(&mut self, v: u64) {
        self.counts[index(v)] += 1;
        self.count += 1;
        self.sum += u128::from(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// How many values were recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The value at quantile `q` (0..=1), nearest rank; exact at the extremes,
    /// the middle of its bucket (clamped to the recorded range) elsewhere.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        if rank >= self.count {
            return Some(self.max);
        }
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, hi) = bounds(i);
                return Some((lo + (hi - lo) / 2).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// The usual summary, in milliseconds (values recorded in microseconds).
    pub fn summary_ms(&self) -> Option<LatencySummary> {
        if self.count == 0 {
            return None;
        }
        let ms = |us: u64| (us as f64 / 10.0).round() / 100.0;
        Some(LatencySummary {
            count: self.count,
            min: ms(self.min),
            mean: ((self.sum as f64 / self.count as f64) / 10.0).round() / 100.0,
            p50: ms(self.quantile(0.50)?),
            p90: ms(self.quantile(0.90)?),
            p99: ms(self.quantile(0.99)?),
            max: ms(self.max),
        })
    }
}

/// Latency percentiles in milliseconds (to 0.01 ms).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencySummary {
    /// How many connections were measured.
    pub count: u64,
    /// Fastest.
    pub min: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_ordered() {
        let mut prev_hi = None;
        for i in 0..BUCKETS {
            let (lo, hi) = bounds(i);
            assert!(lo <= hi);
            if let Some(p) = prev_hi {
                assert_eq!(lo, p + 1, "gap before bucket {i}");
            }
            prev_hi = Some(hi);
            assert_eq!(index(lo), i);
            assert_eq!(index(hi), i);
        }
        assert_eq!(prev_hi, Some(u64::MAX));
    }

    #[test]
    fn small_values_are_exact_and_large_ones_close() {
        for v in [
            0u64,
            1,
            127,
            128,
            129,
            1000,
            123_456,
            9_999_999,
            u64::MAX / 3,
        ] {
            let (lo, hi) = bounds(index(v));
            assert!(lo <= v && v <= hi);
            assert!(
                (hi - lo) as f64 <= (v as f64) / 64.0 + 1.0,
                "{v}: {lo}..{hi}"
            );
        }
    }

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut h = Histogram::default();
        for v in 1..=10_000u64 {
            h.record(v);
        }
        let near = |got: u64, want: f64| (got as f64 - want).abs() <= want * 0.01 + 1.0;
        assert!(near(h.quantile(0.5).unwrap(), 5000.0));
        assert!(near(h.quantile(0.9).unwrap(), 9000.0));
        assert!(near(h.quantile(0.99).unwrap(), 9900.0));
        assert_eq!(h.quantile(1.0), Some(10_000));
        let s = h.summary_ms().unwrap();
        assert_eq!(s.count, 10_000);
        assert_eq!(s.min, 0.0); // 1 µs rounds to 0.00 ms
        assert_eq!(s.max, 10.0);
        assert!((s.mean - 5.0).abs() < 0.01);
    }

    #[test]
    fn percentiles_match_the_raw_data_within_the_claimed_precision() {
        // Nearest rank over the sorted raw values, against the histogram.
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut raw = Vec::new();
        let mut h = Histogram::default();
        for i in 0..5_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Latencies from 1 µs to about 16 s, spread over many powers of two.
            let v = (x % 1000) << (i % 15);
            raw.push(v);
            h.record(v);
        }
        raw.sort_unstable();
        for q in [0.01, 0.25, 0.5, 0.9, 0.99, 0.999] {
            let rank = ((q * raw.len() as f64).ceil() as usize).max(1);
            let exact = raw[rank - 1];
            let got = h.quantile(q).unwrap();
            let err = (got as f64 - exact as f64).abs();
            assert!(err <= exact as f64 / 128.0, "q {q}: {got} vs {exact}");
        }
        assert_eq!(h.quantile(1.0), raw.last().copied());
    }

    #[test]
    fn merge_and_empty() {
        let mut a = Histogram::default();
        assert!(a.summary_ms().is_none());
        assert_eq!(a.quantile(0.5), None);
        let mut b = Histogram::default();
        a.record(2_000);
        b.record(4_000);
        b.record(6_000);
        a.merge(&b);
        assert_eq!(a.count(), 3);
        let s = a.summary_ms().unwrap();
        assert_eq!((s.min, s.max), (2.0, 6.0));
        assert!((s.p50 - 4.0).abs() < 0.05);
    }
}
