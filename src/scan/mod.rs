//! `scan`'s engine: hand-built probes for every protocol version, suite and
//! group a server accepts, real rustls handshakes for what only a completed
//! handshake shows, and the grade. No flag parsing and no printing here.

pub mod baseline;
pub mod certs;
pub mod clienthello;
pub mod engine;
pub mod enumerate;
pub mod fleet;
pub mod grade;
pub mod policy;
pub mod probe;
pub mod registry;
pub mod report;
pub mod revocation;
pub mod safe;
pub mod serverhello;
pub mod session;
