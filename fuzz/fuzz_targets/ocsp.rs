//! Fuzz target `ocsp`: the body is `tlskit::fuzzing::ocsp`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::ocsp(data));
