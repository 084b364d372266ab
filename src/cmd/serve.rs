//! `tlskit serve` (not implemented yet).

use crate::exit::Code;
use crate::output::Ctx;

/// Arguments of `tlskit serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `tlskit serve`.
pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<Code> {
    Err(super::not_implemented("serve"))
}
