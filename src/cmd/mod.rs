//! One module per subcommand: its clap `Args` and its `run`.

pub mod bench;
pub mod connect;
pub mod gencert;
pub mod inspect;
pub mod pin;
pub mod scan;
pub mod serve;

use crate::cli::Command;
use crate::exit::Code;
use crate::output::Ctx;

/// Runs one subcommand.
pub fn run(command: Command, ctx: &Ctx) -> anyhow::Result<Code> {
    match command {
        Command::Gencert(args) => gencert::run(args, ctx),
        Command::Serve(args) => serve::run(args, ctx),
        Command::Connect(args) => connect::run(args, ctx),
        Command::Inspect(args) => inspect::run(args, ctx),
        Command::Pin(args) => pin::run(args, ctx),
        Command::Scan(args) => scan::run(args, ctx),
        Command::Bench(args) => bench::run(args, ctx),
        Command::Generate(args) => crate::generate::run(args, ctx),
    }
}

/// The error of a subcommand that a later release fills in.
pub fn not_implemented(name: &str) -> anyhow::Error {
    anyhow::anyhow!("'tlskit {name}' is not implemented yet")
}
