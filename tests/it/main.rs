//! The integration tests, as one binary: one module per command or theme,
//! sharing the helpers in `util` (a temp dir per test, running the real
//! binary, real peers, whole-output checks). One binary links once, where a
//! crate per file linked the library and its dependencies once per file.
//!
//! `cargo test --test it MODULE` runs one module (`connect`, `serve`, ...);
//! `cargo test --test it MODULE::NAME` one test.
//!
//! Every module runs in the same process, on libtest's parallel threads, so
//! no test may change process-wide state that another could observe: no
//! `set_var`, no `set_current_dir`, no umask (run such things in a child
//! process, as the tests do through `sh`). What is process-wide today and
//! harmless: `hostile_serve` raises the soft limit on open files (only
//! ever up), the fuzz targets switch `colored` off (no test renders with
//! colour in-process), and `util::skip` keeps its list for the summary
//! printed at exit.

mod util;

mod audit;
mod bench;
mod cli;
mod connect;
mod dtls;
mod file_safety;
mod fuzz_regressions;
mod fuzz_smoke;
mod gencert;
mod generated;
mod hostile_serve;
mod hostile_server;
mod inspect;
mod inspect_targets;
mod pin;
mod pki;
mod revocation;
mod scan;
mod serve;
mod serve_peers;
mod starttls_servers;
mod terminal_safety;
mod tunnel;
mod tunnel_udp;
