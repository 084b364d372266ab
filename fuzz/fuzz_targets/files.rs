//! Fuzz target `files`: the body is `tlskit::fuzzing::files`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::files(data));
