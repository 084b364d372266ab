//! The fuzz targets on stable Rust: each target's body (`tlskit::fuzzing`,
//! the same function `cargo fuzz` drives) over its committed seed corpus and
//! a fixed number of deterministic mutations of it, so that CI catches a
//! parser that panics, or breaks a property the target checks, without
//! nightly or libFuzzer. Each seed and mutation that fails is printed as hex.

use std::path::{Path, PathBuf};

use tlskit::tls::files::{self, Item};

/// Mutations per target: enough to leave the happy paths, few enough for a debug build.
const MUTATIONS: usize = 2_000;

/// xorshift64*: tiny, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

/// The committed seeds of `target` (files named `seed-*`), sorted by name.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = corpus_dir(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("seed-"))
        })
        .collect();
    paths.sort();
    let seeds: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(
        seeds.len() >= 2,
        "{}: the seed corpus is missing",
        dir.display()
    );
    seeds
}

/// One to four random edits of `input`: bit flips, byte overwrites with
/// interesting values, truncation, insertion, deletion, duplication, and
/// splices from `other`.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    const INTERESTING: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0xff, b'\n'];
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next() as u8;
            }
            3 => out.truncate(rng.below(len + 1)),
            4 => {
                let at = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            5 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(32));
                out.drain(at..at + n);
            }
            6 if len > 0 => {
                let at = rng.below(len);
                let n = 1 + rng.below((len - at).min(64));
                let chunk = out[at..at + n].to_vec();
                let to = rng.below(len + 1);
                out.splice(to..to, chunk);
            }
            _ if !other.is_empty() => {
                let from = rng.below(other.len());
                let n = 1 + rng.below((other.len() - from).min(64));
                let at = rng.below(len + 1);
                let end = (at + n).min(len);
                out.splice(at..end, other[from..from + n].iter().copied());
            }
            _ => out.push(rng.next() as u8),
        }
    }
    out
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `target` on one input, naming the input when it panics.
fn run_one(name: &str, target: fn(&[u8]), input: &[u8]) {
    if std::panic::catch_unwind(|| target(input)).is_err() {
        panic!("fuzz target '{name}' failed on input (hex) {}", hex(input));
    }
}

/// The seeds, then [`MUTATIONS`] mutants; returns how many inputs ran.
fn smoke(name: &str, target: fn(&[u8]), seed: u64) -> usize {
    smoke_with(name, target, seed, &seeds(name), |_, m| m)
}

/// Like [`smoke`], with `post` applied to each mutant (to re-wrap it, say).
fn smoke_with(
    name: &str,
    target: fn(&[u8]),
    seed: u64,
    seeds: &[Vec<u8>],
    post: impl Fn(usize, Vec<u8>) -> Vec<u8>,
) -> usize {
    for s in seeds {
        run_one(name, target, s);
    }
    let mut rng = Rng(seed);
    for n in 0..MUTATIONS {
        let a = rng.below(seeds.len());
        let b = rng.below(seeds.len());
        // Mutants of mutants reach further than single edits of the seeds.
        let mut m = mutate(&mut rng, &seeds[a], &seeds[b]);
        if rng.below(4) == 0 {
            m = mutate(&mut rng, &m, &seeds[b]);
        }
        run_one(name, target, &post(n, m));
    }
    seeds.len() + MUTATIONS
}

#[test]
fn files_survive_mutations() {
    // PEM seeds are mostly base64: mutating that text only tests the base64
    // decoder. So the DER inside each section is mutated too, and re-wrapped
    // in PEM with its label every other time.
    let mut ders: Vec<Vec<u8>> = Vec::new();
    let mut labels: Vec<&'static str> = Vec::new();
    for s in seeds("files") {
        if !files::looks_like_pem(&s) {
            ders.push(s);
            labels.push("");
            continue;
        }
        for item in files::parse_items(&s, "seed").expect("seeds parse") {
            let (label, der) = match item {
                Item::Certificate(c) => ("CERTIFICATE", c.as_ref().to_vec()),
                Item::Csr(c) => ("CERTIFICATE REQUEST", c.as_ref().to_vec()),
                Item::PublicKey(k) => ("PUBLIC KEY", k),
                Item::PrivateKey(k) => (
                    match k {
                        rustls_pki_types::PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
                        rustls_pki_types::PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
                        _ => "PRIVATE KEY",
                    },
                    k.secret_der().to_vec(),
                ),
                Item::Other(_) => continue,
            };
            ders.push(der);
            labels.push(label);
        }
    }
    let as_text = smoke("files", tlskit::fuzzing::files, 0x9e37_79b9_7f4a_7c15);
    let der_labels = labels.clone();
    let as_der = smoke_with(
        "files",
        tlskit::fuzzing::files,
        0x0123_4567_89ab_cdef,
        &ders,
        move |n, m| {
            // Which seed a mutant came from is not tracked; any label will do.
            let label = der_labels[n % der_labels.len()];
            if n % 2 == 0 || label.is_empty() {
                m
            } else {
                files::der_to_pem(label, &m).into_bytes()
            }
        },
    );
    assert!(as_text + as_der >= 2 * MUTATIONS);
}

#[test]
fn starttls_survives_mutations() {
    smoke("starttls", tlskit::fuzzing::starttls, 0x5151_0001);
}

#[test]
fn www_survives_mutations() {
    smoke("www", tlskit::fuzzing::www, 0x5151_0002);
}

#[test]
fn pinstore_survives_mutations() {
    smoke("pinstore", tlskit::fuzzing::pinstore, 0x5151_0003);
}

#[test]
fn ocsp_survives_mutations() {
    smoke("ocsp", tlskit::fuzzing::ocsp, 0x5151_0004);
}

#[test]
fn sct_survives_mutations() {
    smoke("sct", tlskit::fuzzing::sct, 0x5151_0005);
}

#[test]
fn serverhello_survives_mutations() {
    smoke("serverhello", tlskit::fuzzing::serverhello, 0x5151_0006);
}

/// Inputs past the readers' bounds (libFuzzer's default 4 KiB inputs do not
/// reach them): a request head over 16 KiB, preambles with an endless line
/// and over 64 KiB of lines.
#[test]
fn oversized_inputs_hit_the_bounds() {
    let mut head = vec![0xff];
    head.extend_from_slice(b"GET / HTTP/1.1\r\nHost: a\r\n");
    while head.len() < 20_000 {
        head.extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    run_one("www", tlskit::fuzzing::www, &head);
    run_one("starttls", tlskit::fuzzing::starttls, &vec![b'2'; 70_000]);
    let lines: Vec<u8> = b"250-x\r\n".iter().copied().cycle().take(70_000).collect();
    run_one("starttls", tlskit::fuzzing::starttls, &lines);
    let mut flight = vec![0xff];
    flight.extend_from_slice(&[0x16, 0x03, 0x03, 0x40, 0x00]);
    flight.extend(std::iter::repeat_n(0x0b, 300_000));
    run_one("serverhello", tlskit::fuzzing::serverhello, &flight);
}

/// The harness must be able to fail: a target that panics on some input is caught.
#[test]
fn a_panicking_target_is_caught() {
    fn picky(data: &[u8]) {
        assert!(!data.contains(&0xff), "0xff");
    }
    let seeds = vec![b"abc".to_vec(), b"def".to_vec()];
    let caught = std::panic::catch_unwind(|| {
        smoke_with("picky", picky, 7, &seeds, |_, m| m);
    });
    let msg = caught.expect_err("a mutant with 0xff must be found");
    let text = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        text.contains("fuzz target 'picky' failed on input"),
        "{text}"
    );
}

/// The seeds reach deep: they parse, so mutants start from valid inputs.
#[test]
fn seeds_are_valid_inputs() {
    for s in seeds("files") {
        assert!(files::parse_items(&s, "seed").is_ok());
    }
    for s in seeds("ocsp") {
        assert!(tlskit::tls::ocsp::parse(&s, None).is_ok());
    }
    for s in seeds("pinstore") {
        let lines = tlskit::pinstore::parse_store(&s, "seed").unwrap();
        assert!(lines
            .iter()
            .any(|l| matches!(l, tlskit::pinstore::Line::Entry(_))));
    }
    // Real servers' first flights (the first byte is the read size): each is
    // a well-formed answer, not a parse error.
    for s in seeds("serverhello") {
        use tlskit::scan::probe::{Answer, AnswerReader, Want};
        let mut r = AnswerReader::new(Want::Flight);
        let answer = r.feed(&s[1..]).unwrap_or_else(|| r.closed());
        assert!(
            matches!(answer, Answer::Hello(_) | Answer::Alert(_))
                || (s.len() < 40 && matches!(answer, Answer::Malformed(_))),
            "{answer:?}"
        );
    }
    for s in seeds("sct") {
        let ok = tlskit::tls::x509info::parse_sct_list(&s).is_ok()
            || tlskit::tls::x509info::parse_sct_extension(&s).is_ok();
        assert!(ok);
    }
}
