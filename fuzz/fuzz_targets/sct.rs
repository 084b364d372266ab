//! Fuzz target `sct`: the body is `tlskit::fuzzing::sct`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::sct(data));
