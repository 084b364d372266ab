//! Fuzz target `starttls`: the body is `tlskit::fuzzing::starttls`, shared with tests/it/fuzz_smoke.rs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tlskit::fuzzing::starttls(data));
