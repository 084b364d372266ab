//! `scan`'s engine: hand-built probes for every protocol version, suite and
//! group a server accepts, real rustls handshakes for what only a completed
//! handshake shows, and the grade. No clap and no printing here.

pub mod clienthello;
pub mod enumerate;
pub mod probe;
pub mod registry;
pub mod serverhello;
