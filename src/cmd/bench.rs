//! `tlskit bench` (not implemented yet).

use crate::exit::Code;
use crate::output::Ctx;

/// Arguments of `tlskit bench`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `tlskit bench`.
pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Code> {
    Err(super::not_implemented("bench"))
}
