//! Another process's CPU time, read from /proc: `bench --server-pid` reports
//! the server's own CPU per handshake and per MiB beside the rates, which on
//! a machine shared by client and server says more than the rates do.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::tls::error::{fail, Failure};

/// User and system CPU time of this process so far, all threads (what
/// `bench` reports as the client's CPU).
pub fn own_times() -> (Duration, Duration) {
    // SAFETY: getrusage writes a plain struct we own; RUSAGE_SELF is always valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return (Duration::ZERO, Duration::ZERO);
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    (tv(ru.ru_utime), tv(ru.ru_stime))
}

/// User + system CPU time of `pids` and all their descendants (threads
/// included: the kernel sums them per process), as of now. Children that
/// have exited and been reaped (socat forks one per connection) count
/// through their parent's cutime and cstime, so every CPU second is counted
/// once whether its process is still alive or not.
pub fn total(pids: &[u32]) -> anyhow::Result<Duration> {
    let tick = clock_tick();
    let mut seen = BTreeSet::new();
    let mut ticks = 0u64;
    for &pid in pids {
        for p in with_descendants(pid)? {
            if seen.insert(p) {
                // A child that exits meanwhile is simply no longer counted.
                ticks += read_stat(p).map_or(0, |s| s.utime + s.stime + s.cutime + s.cstime);
            }
        }
    }
    Ok(Duration::from_secs_f64(ticks as f64 / tick))
}

/// Checks that each pid is a running process (a usage error otherwise).
pub fn check(pids: &[u32]) -> anyhow::Result<()> {
    for &pid in pids {
        if read_stat(pid).is_none() {
            return Err(fail(
                Failure::Argument,
                format!("--server-pid {pid}: no such process (or /proc is not readable)"),
            ));
        }
    }
    Ok(())
}

struct Stat {
    ppid: u32,
    utime: u64,
    stime: u64,
    cutime: u64,
    cstime: u64,
}

/// Fields 4 (ppid), 14 to 17 (utime, stime, cutime, cstime) of /proc/PID/stat; the command
/// name (field 2) is in parentheses and may hold spaces and parentheses, so
/// the fields are counted from the last ')'.
fn parse_stat(text: &str) -> Option<Stat> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state).
    Some(Stat {
        ppid: fields.get(1)?.parse().ok()?,
        utime: fields.get(11)?.parse().ok()?,
        stime: fields.get(12)?.parse().ok()?,
        cutime: fields.get(13)?.parse().ok()?,
        cstime: fields.get(14)?.parse().ok()?,
    })
}

fn read_stat(pid: u32) -> Option<Stat> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// `pid` and every process below it (nginx's workers, socat's forks).
fn with_descendants(pid: u32) -> anyhow::Result<Vec<u32>> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(s) = read_stat(p) {
                parents.push((p, s.ppid));
            }
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    // Bounded by the number of processes: each is added at most once.
    while i < out.len() && out.len() <= parents.len() + 1 {
        let parent = out[i];
        for &(p, pp) in &parents {
            if pp == parent && !out.contains(&p) {
                out.push(p);
            }
        }
        i += 1;
    }
    Ok(out)
}

fn clock_tick() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let line = "4242 (a) b (c)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 9 4 20 0 3 0";
        let s = parse_stat(line).unwrap();
        assert_eq!(
            (s.ppid, s.utime, s.stime, s.cutime, s.cstime),
            (17, 250, 75, 9, 4)
        );
        assert!(parse_stat("garbage").is_none());
    }

    #[test]
    fn own_process_is_found_and_a_missing_one_refused() {
        let me = std::process::id();
        assert!(check(&[me]).is_ok());
        assert!(total(&[me]).is_ok());
        assert!(check(&[u32::MAX - 1]).is_err());
    }
}
