//! The `tlskit` binary: parse, dispatch, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use colored::Colorize;
use tlskit::{cli::Cli, exit, output};

fn main() -> ExitCode {
    tlskit::tls::install_provider();
    let cli = Cli::parse();
    let color = cli.color.enabled(std::io::stdout().is_terminal());
    colored::control::set_override(color);
    let ctx = output::Ctx {
        json: cli.json,
        quiet: cli.quiet,
        color,
    };
    match tlskit::cmd::run(cli.command, &ctx) {
        Ok(code) => code.into(),
        Err(err) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let message = output::sanitize(&format!("{err:#}")).into_owned();
            eprintln!("tlskit: {} {message}", "error:".red().bold());
            exit::classify(&err).into()
        }
    }
}
