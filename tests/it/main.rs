//! The integration tests, as one binary: one module per command or theme,
//! sharing the helpers in `util` (a temp dir per test, running the real
//! binary, real peers, whole-output checks). One binary links once, where a
//! crate per file linked the library and its dependencies once per file.
//!
//! `cargo test --test it MODULE` runs one module (`connect`, `serve`, ...);
//! `cargo test --test it MODULE::NAME` one test.

mod util;

mod audit;
mod bench;
mod cli;
mod connect;
mod file_safety;
mod fuzz_regressions;
mod fuzz_smoke;
mod gencert;
mod generated;
mod hostile_serve;
mod hostile_server;
mod inspect;
mod pin;
mod scan;
mod serve;
mod serve_peers;
mod terminal_safety;
mod tunnel;
