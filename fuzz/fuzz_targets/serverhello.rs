//! Fuzz target `serverhello`: the body is `tlskit::fuzzing::serverhello`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::serverhello(data));
