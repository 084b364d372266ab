//! Lines for stdout written by a thread of their own, through a bounded
//! queue: an engine's callback (`serve --dtls` logs each association from its
//! event loop) hands a rendered line over and never waits for a slow reader
//! of stdout. Lines that do not fit are counted.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

/// How many lines may wait before new ones are dropped.
const QUEUE_LINES: usize = 16 * 1024;

/// The queue and its writer thread.
pub struct LineWriter {
    tx: SyncSender<Option<String>>,
    dropped: AtomicU64,
    handle: Option<JoinHandle<()>>,
}

impl LineWriter {
    /// Starts the writer thread.
    pub fn start() -> LineWriter {
        let (tx, rx) = mpsc::sync_channel(QUEUE_LINES);
        let handle = std::thread::Builder::new()
            .name("tlskit-lines".into())
            .spawn(move || write_lines(rx))
            .ok();
        LineWriter {
            tx,
            dropped: AtomicU64::new(0),
            handle,
        }
    }

    /// Queues one line; never blocks (a full queue drops it and counts it).
    pub fn line(&self, line: String) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(Some(line)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Lines dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes what is queued, then stops the thread.
    pub fn finish(mut self) {
        let _ = self.tx.send(None);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn write_lines(rx: Receiver<Option<String>>) {
    let stdout = std::io::stdout();
    let mut broken = false;
    while let Ok(first) = rx.recv() {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
        let mut next = Some(first);
        while let Some(item) = next.take() {
            match item {
                None => {
                    let _ = out.flush();
                    return;
                }
                // Once stdout is gone (a closed pipe), keep going and stop writing.
                Some(line) if !broken => broken = writeln!(out, "{line}").is_err(),
                Some(_) => {}
            }
            next = rx.try_recv().ok();
        }
        if !broken {
            broken = out.flush().is_err();
        }
    }
}
