//! `tlskit tunnel server --udp` and `tunnel client --udp`: the same flags as
//! the TCP tunnel, checked for what DTLS here can do, handed to
//! `crate::tunnel::udp`; the log is rendered as the TCP tunnel's.

use anyhow::Result;

use super::{limits, ClientArgs, CommonArgs, ServerArgs};
use crate::dtls::{Versions, DEFAULT_MTU};
use crate::exit::{self, Code};
use crate::output::Ctx;
use crate::tls::pin::Pin;
use crate::tls::target::Target as TlsTarget;
use crate::tunnel::allow::AllowRules;
use crate::tunnel::client::{RevocationCheck, Roots};
use crate::tunnel::udp::{UdpClient, UdpClientTunnel, UdpServer, UdpServerTunnel};
use crate::tunnel::Target;

/// Runs `tunnel server --udp`.
pub fn run_server(a: ServerArgs, ctx: &Ctx) -> Result<Code> {
    refuse_tcp_only(
        &a.common,
        &[
            (
                a.proxy_protocol,
                "--proxy-protocol",
                "a PROXY header needs a stream to the target, and UDP has none",
            ),
            (
                a.ocsp.is_some(),
                "--ocsp",
                "DTLS here cannot staple an OCSP response (it has no status_request); clients check the certificate themselves (tlskit connect --dtls --check-revocation)",
            ),
        ],
    )?;
    let addrs = crate::cmd::serve::listen_addrs(&a.common.listen)?;
    let target = Target::parse(&a.target)?;
    let mut pins = Vec::new();
    for text in &a.allow_pin {
        pins.extend(
            Pin::parse_list(text).map_err(|e| exit::tag(Code::Usage, e.context("--allow-pin")))?,
        );
    }
    let opts = UdpServerTunnel {
        target,
        allow_remote_target: a.allow_remote_target,
        cert: a
            .cert
            .clone()
            .map(|c| (c.clone(), a.key.clone().unwrap_or(c))),
        client_ca: a.client_ca.clone(),
        allow: AllowRules {
            cn: a.allow_cn.clone(),
            dns: a.allow_dns.clone(),
            uri: a.allow_uri.clone(),
            pin: pins,
        },
        client_crls: a.crl.clone(),
        revocation: a.check_revocation.map(|mode| RevocationCheck {
            mode: mode.into(),
            offline: a.offline,
            timeout: a.common.connect_timeout,
        }),
        versions: versions(&a.common),
        mtu: a.common.mtu.map_or(DEFAULT_MTU, usize::from),
        limits: limits(&a.common, a.handshake_timeout),
    };
    let prepared = UdpServer::prepare(opts)?;
    let status = super::status_addrs(&a.common)?;
    super::drive(
        &addrs,
        status,
        !a.common.no_log,
        ctx,
        crate::listen::udp,
        |socket, status, events, control| prepared.run(socket, status, events, control),
    )
}

/// Runs `tunnel client --udp`.
pub fn run_client(a: ClientArgs, ctx: &Ctx) -> Result<Code> {
    refuse_tcp_only(&a.common, &[])?;
    let addrs = crate::cmd::serve::listen_addrs(&a.common.listen)?;
    let mut target = TlsTarget::parse(&a.target)?;
    if let Some(name) = &a.name.servername {
        target = target.with_server_name(name)?;
    }
    let mut pins = Vec::new();
    for text in &a.pin {
        pins.extend(Pin::parse_list(text).map_err(|e| exit::tag(Code::Usage, e.context("--pin")))?);
    }
    let roots = match &a.roots.ca {
        Some(path) => Roots::File(path.clone()),
        None if a.roots.system_roots => Roots::System,
        None => Roots::Webpki,
    };
    let opts = UdpClientTunnel {
        target,
        roots,
        pins,
        identity: match (&a.identity.cert, &a.identity.key) {
            (Some(c), Some(k)) => Some((c.clone(), k.clone())),
            _ => None,
        },
        versions: versions(&a.common),
        mtu: a.common.mtu.map_or(DEFAULT_MTU, usize::from),
        // The DTLS handshake with the target is bounded by --connect-timeout.
        limits: limits(&a.common, a.common.connect_timeout),
        revocation: a.revocation.check_revocation.map(|mode| RevocationCheck {
            mode: mode.into(),
            offline: a.revocation.offline,
            timeout: a.common.connect_timeout,
        }),
    };
    let prepared = UdpClient::prepare(opts)?;
    let status = super::status_addrs(&a.common)?;
    super::drive(
        &addrs,
        status,
        !a.common.no_log,
        ctx,
        crate::listen::udp,
        |socket, status, events, control| prepared.run(socket, status, events, control),
    )
}

/// A flag that means something over TCP only: whether it was given, its
/// name, and why it does not apply to --udp.
type TcpOnly = (bool, &'static str, &'static str);

/// Flags that mean something over TCP only are a usage error with --udp.
fn refuse_tcp_only(c: &CommonArgs, mode_flags: &[TcpOnly]) -> Result<()> {
    let suites = "DTLS here negotiates its own suites and groups";
    let common: [TcpOnly; 3] = [
        (!c.alpn.is_empty(), "--alpn", "DTLS here carries no ALPN"),
        (c.algorithms.groups.is_some(), "--groups", suites),
        (c.algorithms.suites.is_some(), "--suites", suites),
    ];
    match common.iter().chain(mode_flags).find(|(on, _, _)| *on) {
        Some((_, flag, why)) => Err(exit::fail(
            Code::Usage,
            format!("{flag} is not available with --udp: {why}"),
        )),
        None => Ok(()),
    }
}

/// --tls12 and --tls13 name the DTLS versions over UDP.
fn versions(c: &CommonArgs) -> Versions {
    match (c.tls12, c.tls13) {
        (true, false) => Versions::Dtls12,
        (false, true) => Versions::Dtls13,
        _ => Versions::Both,
    }
}
