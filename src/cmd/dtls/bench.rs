//! `bench --dtls`: the bench flags turned into the DTLS bench engine's options.

use std::time::Duration;

use anyhow::{Context, Result};

use super::{refuse, versions, DEFAULT_PORT};
use crate::dtls::client::ClientOptions;
use crate::dtls::DEFAULT_MTU;
use crate::exit::Code;
use crate::output::{self, Ctx};
use crate::tls::danger;
use crate::tls::target::Target;

/// Runs `tlskit bench --dtls`.
pub fn bench(args: crate::cmd::bench::Args, ctx: &Ctx) -> Result<Code> {
    refuse(&[
        ("--groups", args.algorithms.groups.is_some()),
        ("--suites", args.algorithms.suites.is_some()),
        ("--cert", args.identity.cert.is_some()),
    ])?;
    let Some(target_text) = args.target.as_deref() else {
        return Err(crate::exit::fail(
            Code::Usage,
            "bench --dtls needs a TARGET",
        ));
    };
    let mut target = Target::parse_with_default_port(target_text, DEFAULT_PORT)?;
    if let Some(name) = &args.name.servername {
        target = target.with_server_name(name)?;
    }
    let connect_to = args
        .connect_to
        .as_deref()
        .map(|c| crate::tls::dial::parse_connect_to(c, target.port))
        .transpose()?;
    let pins = args.trust.pins()?;
    let (roots, _) = args.trust.roots.load()?;
    let insecure = args.trust.insecure;
    let timeout = Duration::from_secs_f64(args.timeout);
    let versions = versions(args.tls12, args.tls13);
    let make = move || ClientOptions {
        target: target.clone(),
        connect_to: connect_to.clone(),
        timeout,
        mtu: DEFAULT_MTU,
        versions,
        roots: roots.clone(),
        pins: pins.clone(),
        accept_unverified: insecure.then(danger::accept_unverified),
        identity: None,
        suites: None,
    };
    let opts = crate::dtls::bench::BenchOptions {
        concurrency: args.concurrency as usize,
        duration: Duration::from_secs_f64(args.duration.unwrap_or(if args.connections.is_some() {
            3600.0
        } else {
            5.0
        })),
        associations: args.connections,
        datagrams: args.datagrams,
        size: usize::from(args.datagram_size),
        echo_wait: Duration::from_secs(1),
    };
    crate::bench::cpu::check(&args.server_pid)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let server0 = crate::bench::cpu::total(&args.server_pid)?;
    let mut report = rt.block_on(crate::dtls::bench::run(make, opts))?;
    let server1 = crate::bench::cpu::total(&args.server_pid)?;
    rt.shutdown_background();
    if !args.server_pid.is_empty() {
        report.server_cpu = Some(crate::dtls::bench::ServerCpu::new(
            &args.server_pid,
            server1.saturating_sub(server0),
            report.handshakes,
        ));
    }
    ctx.emit(&report, |out| {
        output::dtls::render_bench(out, &report, ctx.stdout_style())
    })?;
    if report.datagrams_corrupted > 0 {
        return Err(crate::tls::error::fail(
            crate::tls::error::Failure::Data,
            format!(
                "{} echoed datagrams came back different from what was sent",
                report.datagrams_corrupted
            ),
        ));
    }
    if report.handshakes == 0 {
        return Err(crate::tls::error::fail(
            report
                .first_failure_kind
                .unwrap_or(crate::tls::error::Failure::Network),
            report
                .first_failure
                .clone()
                .unwrap_or_else(|| "no DTLS handshake completed".to_string()),
        ));
    }
    Ok(Code::Success)
}
