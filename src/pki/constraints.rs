//! Name constraints: which names a CA may sign for, read from a certificate,
//! written into one, and checked before tlskit signs anything (so that tlskit
//! refuses what a verifier would reject, with a sentence instead of a
//! certificate nobody accepts).

use std::fmt;
use std::net::IpAddr;

use anyhow::{bail, Result};
use serde::Serialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use crate::text::sanitize;
use crate::tls::certgen::Name;
use crate::tls::error::{fail, Failure};

/// An IP network: an address and a prefix length (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    /// The network address.
    pub addr: IpAddr,
    /// Leading bits that must match.
    pub prefix: u8,
}

impl IpNet {
    /// Parses `10.0.0.0/8`, `::1/128`, or a bare address (a single host).
    pub fn parse(text: &str) -> Result<IpNet> {
        let shown = sanitize(text);
        let (addr, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let Ok(addr) = addr.parse::<IpAddr>() else {
            bail!("'{shown}' is not an IP network (like 10.0.0.0/8 or fd00::/8)");
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => bail!("'{shown}': the prefix length must be 0 to {max}"),
            },
        };
        Ok(IpNet { addr, prefix }.normalized())
    }

    /// From the encoding in a certificate: address then mask.
    fn from_bytes(bytes: &[u8]) -> Result<IpNet> {
        let (addr, mask): (IpAddr, &[u8]) = match bytes.len() {
            8 => {
                let mut a = [0u8; 4];
                a.copy_from_slice(&bytes[..4]);
                (IpAddr::from(a), &bytes[4..])
            }
            32 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(&bytes[..16]);
                (IpAddr::from(a), &bytes[16..])
            }
            _ => bail!("an IP name constraint is neither IPv4 nor IPv6"),
        };
        let bits: u32 = mask.iter().map(|b| b.count_ones()).sum();
        let leading: u32 = {
            let mut n = 0;
            for b in mask {
                n += b.leading_ones();
                if *b != 0xff {
                    break;
                }
            }
            n
        };
        if bits != leading {
            bail!("an IP name constraint has a mask that is not a prefix");
        }
        Ok(IpNet {
            addr,
            prefix: leading as u8,
        })
    }

    fn normalized(self) -> IpNet {
        IpNet {
            addr: mask_addr(self.addr, self.prefix),
            prefix: self.prefix,
        }
    }

    /// Whether `ip` is inside this network (an IPv4 address is never inside an IPv6 one).
    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.addr.is_ipv4() && mask_addr(ip, self.prefix) == self.addr
    }

    fn to_rcgen(self) -> rcgen::CidrSubnet {
        rcgen::CidrSubnet::from_addr_prefix(self.addr, self.prefix)
    }
}

fn mask_addr(addr: IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u32::from(a) & m).to_be_bytes())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::from((u128::from(a) & m).to_be_bytes())
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl Serialize for IpNet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The name constraints of a CA. Empty lists constrain nothing of that type
/// (RFC 5280: a permitted list limits only names of its own type).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Constraints {
    /// DNS subtrees allowed: `test` allows `test` and every name under it.
    pub permitted_dns: Vec<String>,
    /// IP networks allowed.
    pub permitted_ip: Vec<IpNet>,
    /// E-mail subtrees allowed (`example.test`, `@`-less: a domain).
    pub permitted_email: Vec<String>,
    /// DNS subtrees refused.
    pub excluded_dns: Vec<String>,
    /// IP networks refused.
    pub excluded_ip: Vec<IpNet>,
    /// E-mail subtrees refused.
    pub excluded_email: Vec<String>,
}

impl Constraints {
    /// Whether there is no constraint at all.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }

    /// A DNS constraint from the command line: `.test` and `test` both mean
    /// `test` and the names under it (written without the dot, the form every
    /// verifier reads alike).
    pub fn parse_dns(text: &str) -> Result<String> {
        let bare = text.trim().trim_start_matches('.').to_ascii_lowercase();
        if bare.is_empty() {
            bail!("an empty DNS name constraint would allow every name");
        }
        match Name::parse(&bare) {
            Ok(Name::Dns(d)) if !d.starts_with('*') => Ok(d),
            _ => bail!(
                "'{}' is not a DNS name constraint (like .test or example.internal)",
                sanitize(text)
            ),
        }
    }

    /// The constraints of a certificate (empty when it has none).
    pub fn of_cert(cert: &X509Certificate<'_>) -> Result<Constraints> {
        let mut c = Constraints::default();
        let ext = cert.name_constraints().map_err(|e| {
            fail(
                Failure::Input,
                format!("its name constraints do not parse: {e}"),
            )
        })?;
        let Some(ext) = ext else {
            return Ok(c);
        };
        let lists = [
            (ext.value.permitted_subtrees.as_ref(), true),
            (ext.value.excluded_subtrees.as_ref(), false),
        ];
        for (list, permitted) in lists {
            for sub in list.into_iter().flatten() {
                let (dns, ip, email) = if permitted {
                    (
                        &mut c.permitted_dns,
                        &mut c.permitted_ip,
                        &mut c.permitted_email,
                    )
                } else {
                    (
                        &mut c.excluded_dns,
                        &mut c.excluded_ip,
                        &mut c.excluded_email,
                    )
                };
                match &sub.base {
                    GeneralName::DNSName(d) => dns.push(d.to_ascii_lowercase()),
                    GeneralName::IPAddress(b) => ip.push(IpNet::from_bytes(b)?),
                    GeneralName::RFC822Name(e) => email.push(e.to_ascii_lowercase()),
                    other => bail!(
                        "it has a name constraint tlskit cannot check ({})",
                        sanitize(&format!("{other:?}"))
                    ),
                }
            }
        }
        Ok(c)
    }

    /// The extension for rcgen, or `None` when there is nothing to constrain.
    pub fn to_rcgen(&self) -> Option<rcgen::NameConstraints> {
        if self.is_empty() {
            return None;
        }
        let subtrees = |dns: &[String], ip: &[IpNet], email: &[String]| {
            let mut v: Vec<rcgen::GeneralSubtree> = dns
                .iter()
                .map(|d| rcgen::GeneralSubtree::DnsName(d.clone()))
                .collect();
            v.extend(
                ip.iter()
                    .map(|n| rcgen::GeneralSubtree::IpAddress(n.to_rcgen())),
            );
            v.extend(
                email
                    .iter()
                    .map(|e| rcgen::GeneralSubtree::Rfc822Name(e.clone())),
            );
            v
        };
        Some(rcgen::NameConstraints {
            permitted_subtrees: subtrees(
                &self.permitted_dns,
                &self.permitted_ip,
                &self.permitted_email,
            ),
            excluded_subtrees: subtrees(
                &self.excluded_dns,
                &self.excluded_ip,
                &self.excluded_email,
            ),
        })
    }

    /// Checks that a CA with these constraints may sign `name`: an error
    /// sentence (kind Argument) naming what is allowed when it may not.
    pub fn check(&self, name: &Name) -> Result<()> {
        let allowed = match name {
            Name::Dns(d) => {
                (self.permitted_dns.is_empty() || self.permitted_dns.iter().any(|b| dns_in(d, b)))
                    && !self.excluded_dns.iter().any(|b| dns_in(d, b))
            }
            Name::Ip(ip) => {
                (self.permitted_ip.is_empty() || self.permitted_ip.iter().any(|n| n.contains(*ip)))
                    && !self.excluded_ip.iter().any(|n| n.contains(*ip))
            }
            Name::Email(e) => {
                let domain = e.rsplit_once('@').map(|(_, d)| d).unwrap_or(e);
                let domain = domain.to_ascii_lowercase();
                let by_email = (self.permitted_email.is_empty()
                    || self.permitted_email.iter().any(|b| email_in(e, b)))
                    && !self.excluded_email.iter().any(|b| email_in(e, b));
                // A CA limited to some DNS names but not to e-mail addresses would
                // otherwise sign any address: hold e-mail domains to the DNS list too.
                let by_dns = !self.permitted_email.is_empty()
                    || self.permitted_dns.is_empty()
                    || self.permitted_dns.iter().any(|b| dns_in(&domain, b));
                by_email && by_dns
            }
        };
        if allowed {
            return Ok(());
        }
        Err(fail(
            Failure::Argument,
            format!(
                "'{}' is outside the CA's name constraints (it may sign only {})",
                sanitize(&name.to_string()),
                self.describe()
            ),
        ))
    }

    /// The constraints in a few words: `DNS test, localhost; IP 127.0.0.0/8`.
    pub fn describe(&self) -> String {
        if self.is_empty() {
            return "any name".into();
        }
        let mut parts = Vec::new();
        let join = |v: &[String]| v.join(", ");
        if !self.permitted_dns.is_empty() {
            parts.push(format!("DNS {}", join(&self.permitted_dns)));
        }
        if !self.permitted_ip.is_empty() {
            let ips: Vec<String> = self.permitted_ip.iter().map(|n| n.to_string()).collect();
            parts.push(format!("IP {}", join(&ips)));
        }
        if !self.permitted_email.is_empty() {
            parts.push(format!("e-mail {}", join(&self.permitted_email)));
        }
        let mut excluded: Vec<String> = self.excluded_dns.clone();
        excluded.extend(self.excluded_ip.iter().map(|n| n.to_string()));
        excluded.extend(self.excluded_email.iter().cloned());
        if !excluded.is_empty() {
            parts.push(format!("not {}", join(&excluded)));
        }
        sanitize(&parts.join("; ")).into_owned()
    }
}

/// RFC 5280 DNS subtree matching: `base` and any name that adds labels on its
/// left; a base written with a leading dot (`.test`) matches only names under it.
fn dns_in(name: &str, base: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let base = base.to_ascii_lowercase();
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return name.ends_with(&base);
    }
    name == base || name.ends_with(&format!(".{base}"))
}

/// RFC 5280 e-mail constraints: a full address, a host (`example.test`), or a
/// domain (`.example.test`: any host under it).
fn email_in(addr: &str, base: &str) -> bool {
    let addr = addr.to_ascii_lowercase();
    let base = base.to_ascii_lowercase();
    let domain = addr.rsplit_once('@').map(|(_, d)| d).unwrap_or(&addr);
    if base.contains('@') {
        addr == base
    } else if base.starts_with('.') {
        domain.ends_with(&base)
    } else {
        domain == base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dns(s: &str) -> Name {
        Name::Dns(s.into())
    }

    #[test]
    fn dns_and_ip_constraints() {
        let c = Constraints {
            permitted_dns: vec![Constraints::parse_dns(".test").unwrap()],
            permitted_ip: vec![IpNet::parse("10.0.0.0/8").unwrap()],
            ..Constraints::default()
        };
        assert_eq!(c.permitted_dns, ["test"]);
        assert!(c.check(&dns("app.test")).is_ok());
        assert!(c.check(&dns("*.app.test")).is_ok());
        assert!(c.check(&dns("example.com")).is_err());
        assert!(c.check(&dns("nottest")).is_err());
        assert!(c.check(&Name::Ip("10.1.2.3".parse().unwrap())).is_ok());
        assert!(c.check(&Name::Ip("11.1.2.3".parse().unwrap())).is_err());
        assert!(c.check(&Name::Email("a@x.test".into())).is_ok());
        assert!(c.check(&Name::Email("a@x.com".into())).is_err());
        let err = c.check(&dns("example.com")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "'example.com' is outside the CA's name constraints (it may sign only DNS test; IP 10.0.0.0/8)"
        );
        assert!(dns_in("a.test", ".test") && !dns_in("test", ".test"));
    }

    #[test]
    fn networks_parse_and_normalize() {
        assert_eq!(
            IpNet::parse("10.1.2.3/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert_eq!(IpNet::parse("::1").unwrap().to_string(), "::1/128");
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("x").is_err());
        let n = IpNet::from_bytes(&[10, 0, 0, 0, 255, 0, 0, 0]).unwrap();
        assert_eq!(n.to_string(), "10.0.0.0/8");
        assert!(IpNet::from_bytes(&[10, 0, 0, 0, 255, 0, 255, 0]).is_err());
    }
}
