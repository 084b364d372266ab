//! The open-file limit: every connection is a file descriptor, and many
//! systems start processes with a soft limit of 1024, below what
//! `--max-connections` may ask for. The soft limit is raised up to the hard
//! limit (as Go's runtime does at start-up); nothing is raised past it.

/// Descriptors kept for everything that is not a connection (stdio, listener, runtime, key log).
pub const RESERVED_FDS: u64 = 64;

/// The soft open-file limit before and after raising it towards `wanted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdLimit {
    /// The limit the process started with.
    pub before: u64,
    /// The limit now.
    pub now: u64,
}

/// Raises the soft limit so that `connections` sockets fit, within the hard limit.
#[cfg(unix)]
#[allow(clippy::unnecessary_cast)] // rlim_t is u64 on Linux, not on every Unix
pub fn raise_for(connections: u64) -> Option<FdLimit> {
    let wanted = connections.saturating_add(RESERVED_FDS);
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit struct, which `lim` is.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    let before = lim.rlim_cur as u64;
    if before >= wanted {
        return Some(FdLimit {
            before,
            now: before,
        });
    }
    let target = if lim.rlim_max == libc::RLIM_INFINITY {
        wanted
    } else {
        wanted.min(lim.rlim_max as u64)
    };
    let new = libc::rlimit {
        rlim_cur: target as libc::rlim_t,
        rlim_max: lim.rlim_max,
    };
    // SAFETY: setrlimit reads one rlimit struct, which `new` is.
    let now = if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) } == 0 {
        target
    } else {
        before
    };
    Some(FdLimit { before, now })
}

/// Elsewhere there is nothing to raise.
#[cfg(not(unix))]
pub fn raise_for(_connections: u64) -> Option<FdLimit> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn never_lowers_the_limit() {
        let l = raise_for(1).expect("getrlimit works");
        assert!(l.now >= l.before);
    }
}
