//! Standard input for `connect` (TLS and DTLS): whether it holds data to
//! carry to the server, and a reader thread that hands it over in chunks.

use std::io::IsTerminal;

use tokio::sync::mpsc;

/// How stdin is to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdinMode {
    /// At end of file or closed: handshake and report only.
    Closed,
    /// A terminal, a pipe or a file with data: carry it to the server.
    Data,
}

/// Whether stdin, as it is now, has data to carry (`</dev/null` and a file
/// read to its end have none).
pub(crate) fn mode_now() -> StdinMode {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return StdinMode::Data;
    }
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
            return StdinMode::Closed;
        };
        let mut file = std::fs::File::from(fd);
        let Ok(meta) = file.metadata() else {
            return StdinMode::Closed;
        };
        if meta.file_type().is_char_device() {
            if let Ok(null) = std::fs::metadata("/dev/null") {
                if null.rdev() == meta.rdev() {
                    return StdinMode::Closed;
                }
            }
        }
        if meta.is_file() && file.stream_position().unwrap_or(0) >= meta.len() {
            return StdinMode::Closed;
        }
    }
    StdinMode::Data
}

/// Reads stdin on its own thread (blocking reads cannot be cancelled; the
/// thread ends with the process), one read of at most `chunk` bytes per
/// message, at most `queue` messages waiting. The channel closes at end of file.
pub(crate) fn spawn_reader(chunk: usize, queue: usize) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(queue);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0u8; chunk];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// What stdin has delivered by now (after the handshake): `None` for the
/// channel when stdin already ended empty, so there is nothing to carry.
pub(crate) fn take_ready(
    rx: Option<mpsc::Receiver<Vec<u8>>>,
) -> (Option<mpsc::Receiver<Vec<u8>>>, Option<Vec<u8>>) {
    let Some(mut rx) = rx else {
        return (None, None);
    };
    match rx.try_recv() {
        Ok(chunk) => (Some(rx), Some(chunk)),
        Err(mpsc::error::TryRecvError::Empty) => (Some(rx), None),
        Err(mpsc::error::TryRecvError::Disconnected) => (None, None),
    }
}
