//! The PKCS#12 password that `gencert --p12`, `ca export` and `inspect` need:
//! read from a file, none at all, or asked twice on the terminal with echo off.

use std::path::Path;

use anyhow::{Context, Result};

use crate::exit::{self, Code};
use crate::tls::files;

/// The PKCS#12 password: from a file (its first line), none, or asked on the
/// terminal; refused when there is no way to get one.
pub(crate) fn p12_password(file: Option<&Path>, none: bool) -> Result<String> {
    if none {
        return Ok(String::new());
    }
    if let Some(path) = file {
        let data = files::read_input(path)
            .with_context(|| format!("reading the PKCS#12 password file '{}'", path.display()))?;
        let text = String::from_utf8(data).map_err(|_| {
            exit::fail(
                Code::Error,
                format!("the password file '{}' is not UTF-8 text", path.display()),
            )
        })?;
        let line = text.lines().next().unwrap_or("").to_string();
        if line.is_empty() {
            return Err(exit::fail(
                Code::Error,
                format!(
                    "the password file '{}' is empty; put a password in it, or use --p12-no-password for none",
                    path.display()
                ),
            ));
        }
        return Ok(line);
    }
    // SAFETY: isatty only inspects a file descriptor.
    if unsafe { libc::isatty(0) } != 1 {
        return Err(exit::fail(
            Code::Usage,
            "--p12 needs --p12-password-file FILE or --p12-no-password (stdin is not a terminal to ask on)",
        ));
    }
    let first = prompt("PKCS#12 password: ")?;
    let second = prompt("again: ")?;
    if first != second {
        return Err(exit::fail(
            Code::Usage,
            "the two passwords differ; nothing was written",
        ));
    }
    if first.is_empty() {
        return Err(exit::fail(
            Code::Usage,
            "an empty password: use --p12-no-password to write a file without one",
        ));
    }
    Ok(first)
}

/// Reads one line from the terminal with echo off.
fn prompt(label: &str) -> Result<String> {
    use std::io::Write as _;
    eprint!("{label}");
    let _ = std::io::stderr().flush();
    // SAFETY: termios is plain data; tcgetattr fills it, and it is only used
    // again to restore the terminal as it was.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    let have = unsafe { libc::tcgetattr(0, &mut saved) } == 0;
    if have {
        let mut quiet = saved;
        quiet.c_lflag &= !libc::ECHO;
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &quiet) };
    }
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line);
    if have {
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &saved) };
    }
    eprintln!();
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
