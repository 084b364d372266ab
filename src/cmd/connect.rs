//! `tlskit connect` (not implemented yet).

use crate::exit::Code;
use crate::output::Ctx;

/// Arguments of `tlskit connect`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `tlskit connect`.
pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Code> {
    Err(super::not_implemented("connect"))
}
