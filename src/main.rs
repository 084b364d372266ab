//! The `tlskit` binary: parse, dispatch, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use colored::Colorize;
use tlskit::{cli::Cli, exit, output};

fn main() -> ExitCode {
    ignore_file_size_signal();
    tlskit::tls::install_provider();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => usage_error(err),
    };
    let color = cli.color.enabled(std::io::stdout().is_terminal());
    let color_stderr = cli.color.enabled(std::io::stderr().is_terminal());
    output::set_color(color, color_stderr);
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
            output::on_stderr(|| eprintln!("tlskit: {} {message}", "error:".red().bold()));
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

/// A command line clap refused (or `--help`/`--version`). Help and version
/// are printed by clap; an error is printed as every other error is, on one
/// line (`tlskit: error: --groups: unknown key-exchange group 'x' …`), and
/// with `--json` also as the JSON error document on stdout.
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
    let message = usage_message(&err);
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .take_while(|a| a != "--")
        .collect();
    let wants_json = args.iter().any(|a| a == "--json");
    // The --color choice as given, if clap got far enough to read it or not.
    let choice = args
        .iter()
        .enumerate()
        .find_map(|(i, a)| match a.strip_prefix("--color") {
            Some("") => args.get(i + 1).map(String::as_str),
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
    eprintln!(
        "tlskit: {} {}",
        style.paint(output::Tone::Bad, "error:"),
        output::sanitize(&message)
    );
    if wants_json {
        let _ = output::write_error_document(
            &mut std::io::stdout().lock(),
            &message,
            exit::Code::Usage.as_u8(),
        );
    }
    std::process::exit(i32::from(exit::Code::Usage.as_u8()))
}

/// One sentence for a usage error: the flag and what is wrong with its value
/// (the value parser's own sentence), the missing arguments by name, or
/// clap's own first line; never clap's advice to write `-- -5`, which would
/// turn a flag's value into a positional argument.
fn usage_message(err: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let flag = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split_whitespace().next().map(str::to_string),
        _ => None,
    };
    let source = std::error::Error::source(err).map(|e| e.to_string());
    match (err.kind(), flag, source) {
        (ErrorKind::ValueValidation, Some(flag), Some(why)) => format!("{flag}: {why}"),
        (ErrorKind::MissingRequiredArgument, _, _) => {
            let missing: Vec<String> = match err.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(v)) => v.clone(),
                Some(ContextValue::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            if missing.is_empty() {
                first_line(err)
            } else {
                format!("missing required argument: {}", missing.join(", "))
            }
        }
        (ErrorKind::UnknownArgument, Some(flag), _)
            if flag.starts_with('-') && flag[1..].parse::<f64>().is_ok() =>
        {
            format!("unexpected argument '{flag}' (a negative number is not a valid value here)")
        }
        (ErrorKind::InvalidValue, _, _) => {
            let mut m = first_line(err);
            if let Some(ContextValue::Strings(valid)) = err.get(ContextKind::ValidValue) {
                m.push_str(&format!(" (possible values: {})", valid.join(", ")));
            }
            m
        }
        (ErrorKind::UnknownArgument, _, _) => {
            let mut m = first_line(err);
            if let Some(ContextValue::String(similar)) = err.get(ContextKind::SuggestedArg) {
                m.push_str(&format!("; did you mean '{similar}'?"));
            }
            m
        }
        _ => first_line(err),
    }
}

/// clap's message without its `error: ` prefix, first line only.
fn first_line(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
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
