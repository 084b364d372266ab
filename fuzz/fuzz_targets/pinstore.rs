//! Fuzz target `pinstore`: the body is `tlskit::fuzzing::pinstore`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::pinstore(data));
