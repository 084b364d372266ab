//! tlskit: a command-line TLS toolkit. The library holds everything the
//! binary does, so that tests and benches can drive the same code.

pub mod allocator;
pub mod atomic;
pub mod bench;
pub mod cli;
pub mod cmd;
pub mod dtls;
pub mod exit;
pub mod fuzzing;
pub mod generate;
pub mod listen;
pub mod output;
pub mod pinstore;
pub mod pki;
pub mod report;
pub mod revocation;
pub mod scan;
pub mod server;
pub mod text;
pub mod tls;
pub mod tunnel;
pub mod when;

#[cfg(test)]
mod layering;
