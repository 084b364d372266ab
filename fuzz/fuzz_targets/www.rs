//! Fuzz target `www`: the body is `tlskit::fuzzing::www`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::www(data));
