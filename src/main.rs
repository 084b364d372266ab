//! The `tlskit` binary: parse, dispatch, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tlskit::{cli::Cli, exit, output};

/// Large buffers on 64-byte boundaries: see `tlskit::allocator`.
#[global_allocator]
static ALLOCATOR: tlskit::allocator::Aligned = tlskit::allocator::Aligned;

fn main() -> ExitCode {
    ignore_file_size_signal();
    tlskit::tls::install_provider();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => usage_error(err),
    };
    let color = cli.color.enabled(std::io::stdout().is_terminal());
    let color_stderr = cli.color.enabled(std::io::stderr().is_terminal());
    let ctx = output::Ctx {
        json: cli.json,
        quiet: cli.quiet,
        color,
        color_stderr,
    };
    match tlskit::cmd::run(cli.command, &ctx) {
        Ok(code) => code.into(),
        Err(err) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let message = output::sanitize(&format!("{err:#}")).into_owned();
            let error = ctx.stderr_style().paint(output::Tone::Bad, "error:");
            eprintln!("tlskit: {error} {message}");
            let code = exit::classify(&err);
            // A script that asked for JSON gets a document on failure too.
            if ctx.json && !output::json_written() {
                let _ = output::write_error_document(
                    &mut std::io::stdout().lock(),
                    &format!("{err:#}"),
                    code.as_u8(),
                );
            }
            code.into()
        }
    }
}

/// A command line clap refused (or `--help`/`--version`): an error is said as
/// every other one is, one line `tlskit: error: <sentence> (see 'tlskit CMD --help')`,
/// and with `--json` also as the JSON document on stdout. Help and version
/// are clap's to print.
fn usage_error(err: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        err.exit()
    }
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let before_dashes = || args.iter().take_while(|a| *a != "--");
    let wants_json = before_dashes().any(|a| a == "--json");
    // The --color choice as given (clap may have stopped before reading it).
    let flags: Vec<&String> = before_dashes().collect();
    let choice = flags
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--color") {
            Some("") => flags.get(i + 1).map(|s| s.as_str()),
            Some(v) => v.strip_prefix('='),
            None => None,
        });
    let style = output::Style {
        color: match choice {
            Some("always") => true,
            Some("never") => false,
            _ => {
                std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        },
    };
    let usage = tlskit::cli::UsageError::from_clap(&err, &args);
    eprintln!(
        "tlskit: {} {}",
        style.paint(output::Tone::Bad, "error:"),
        output::sanitize(&usage.to_string())
    );
    if wants_json {
        let _ = output::write_error_document(
            &mut std::io::stdout().lock(),
            &usage.message,
            exit::Code::Usage.as_u8(),
        );
    }
    std::process::exit(exit::Code::Usage.as_u8().into())
}

/// Over a file-size limit (`ulimit -f`) the kernel would kill tlskit with
/// SIGXFSZ half-way through a write; ignored, the write fails with EFBIG
/// instead, and the atomic writer cleans up and reports it.
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists;
    // SIG_IGN is a valid disposition for SIGXFSZ.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
