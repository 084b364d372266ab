//! `scan --dtls`: the scan flags turned into the DTLS scan engine's options.

use anyhow::{Context, Result};

use super::DEFAULT_PORT;
use crate::dtls::DEFAULT_MTU;
use crate::exit::Code;
use crate::output::{self, Ctx};
use crate::tls::target::Target;

/// Runs `tlskit scan --dtls`.
pub fn scan(args: crate::cmd::scan::Args, ctx: &Ctx) -> Result<Code> {
    let (Some(one), 1, None) = (args.targets.first(), args.targets.len(), &args.targets_file)
    else {
        return Err(crate::exit::fail(
            Code::Usage,
            "scan --dtls takes one TARGET (and no --targets file)",
        ));
    };
    let mut target = Target::parse_with_default_port(one, DEFAULT_PORT)?;
    if let Some(name) = &args.name.servername {
        target = target.with_server_name(name)?;
    }
    let connect_to = args
        .connect_to
        .as_deref()
        .map(|c| crate::tls::dial::parse_connect_to(c, target.port))
        .transpose()?;
    let opts = crate::dtls::scan::ScanOptions {
        target,
        connect_to,
        timeout: args.timeout,
        mtu: DEFAULT_MTU,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let report = rt.block_on(crate::dtls::scan::scan(&opts));
    rt.shutdown_background();
    let report = report?;
    ctx.emit(&report, |out| {
        output::dtls::render_scan(out, &report, ctx.stdout_style())
    })?;
    Ok(Code::Success)
}
