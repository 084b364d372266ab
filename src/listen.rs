//! Binding a server's listening socket, shared by `serve`, `tunnel` (TCP and
//! UDP) and `serve --dtls`: the first address that works, and when none
//! does, a network error (exit 3) that says what to do about it (a port in
//! use, a privileged port, an address this machine does not have).

use std::net::SocketAddr;

use anyhow::Result;
use tokio::net::{TcpListener, TcpSocket, UdpSocket};

use crate::tls::error::{fail, tag, Failure};

/// Listens on TCP at the first of `addrs` that binds, with SO_REUSEADDR (a
/// restarted server must not wait for the last run's TIME_WAIT sockets) and
/// `backlog`. Needs a tokio runtime.
pub fn tcp(addrs: &[SocketAddr], backlog: u32) -> Result<TcpListener> {
    first(addrs, |addr| {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(backlog)
    })
}

/// Binds a UDP socket at the first of `addrs` that binds. Needs a tokio runtime.
pub fn udp(addrs: &[SocketAddr]) -> Result<UdpSocket> {
    first(addrs, |addr| {
        let socket = std::net::UdpSocket::bind(addr)?;
        socket.set_nonblocking(true)?;
        UdpSocket::from_std(socket)
    })
}

/// The first of `addrs` that `bind` succeeds on; the last failure explained.
fn first<T>(addrs: &[SocketAddr], bind: impl Fn(SocketAddr) -> std::io::Result<T>) -> Result<T> {
    let mut last = None;
    for addr in addrs {
        match bind(*addr) {
            Ok(socket) => return Ok(socket),
            Err(e) => last = Some((*addr, e)),
        }
    }
    match last {
        Some((addr, e)) => Err(bind_error(addr, e)),
        None => Err(fail(Failure::Argument, "--listen gave no address")),
    }
}

/// A failed bind as a network error that says what to do about it.
pub fn bind_error(addr: SocketAddr, e: std::io::Error) -> anyhow::Error {
    let port = addr.port();
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {port} is already in use: another process listens there (`ss -ltnp 'sport = :{port}'` shows which); stop it, or choose another port (--listen {}:0 picks a free port)",
            addr_host(addr)
        ),
        std::io::ErrorKind::PermissionDenied if port < 1024 => format!(
            "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE (`sudo setcap cap_net_bind_service=+ep \"$(command -v tlskit)\"`); or use a port from 1024 up, like {}:{}",
            addr_host(addr),
            8000 + port
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            format!("{} is not an address of this machine", addr.ip())
        }
        _ => {
            return tag(
                Failure::Network,
                anyhow::Error::new(e).context(format!("listening on {addr}")),
            )
        }
    };
    fail(Failure::Network, format!("listening on {addr}: {hint}"))
}

/// The host part of `addr` as `--listen` takes it.
fn addr_host(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V6(v6) => format!("[{}]", v6.ip()),
        SocketAddr::V4(v4) => v4.ip().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_in_use_says_what_to_do() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let taken = tcp(&["127.0.0.1:0".parse().unwrap()], 16).expect("bind");
            let addr = taken.local_addr().expect("address");
            let err = tcp(&[addr], 16).expect_err("the port is taken");
            assert_eq!(crate::tls::error::kind_of(&err), Some(Failure::Network));
            let text = format!("{err:#}");
            assert!(
                text.starts_with(&format!(
                    "listening on {addr}: port {} is already in use",
                    addr.port()
                )),
                "{text}"
            );
            let udp_taken = udp(&["127.0.0.1:0".parse().unwrap()]).expect("bind");
            let addr = udp_taken.local_addr().expect("address");
            let err = udp(&[addr]).expect_err("the port is taken");
            assert_eq!(crate::tls::error::kind_of(&err), Some(Failure::Network));
            let none = tcp(&[], 16).expect_err("no address");
            assert_eq!(crate::tls::error::kind_of(&none), Some(Failure::Argument));
        });
    }
}
