//! Scanning many targets at once: each target's own settings (a line of a
//! targets file), a bound on probes in flight over all of them and one per
//! target (so one slow server cannot starve the rest), and each target's
//! outcome: its report, or why there is none.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use super::engine;
use super::probe::{Endpoint, Shared};
use super::report::{self, Report};
use super::session::TlsSetup;
use crate::text::sanitize;
use crate::tls::config::TrustRoots;
use crate::tls::dial;
use crate::tls::error::{self, fail, Failure};
use crate::tls::starttls::StartTls;
use crate::tls::target::{self, Target};

/// One target and how to reach it.
#[derive(Debug, Clone)]
pub struct TargetSpec {
    /// The target as the user wrote it (`host:port`), for the output.
    pub shown: String,
    /// Where to dial and the name to send and verify.
    pub target: Target,
    /// Dial this host and port instead of the target's.
    pub connect_to: Option<(String, u16)>,
    /// A plaintext preamble before TLS.
    pub starttls: Option<StartTls>,
    /// Bound on each probe of this target.
    pub timeout: Duration,
    /// More names to ask the server for (SNI), each the target with that name: the
    /// certificate presented for each is reported beside the main one.
    pub names: Vec<Target>,
}

/// What a line of a targets file (or a target argument) sets besides the target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetSettings {
    /// `starttls=PROTO`.
    pub starttls: Option<StartTls>,
    /// `servername=NAME`.
    pub servername: Option<String>,
    /// `connect-to=HOST[:PORT]`.
    pub connect_to: Option<String>,
    /// `timeout=SECS`.
    pub timeout: Option<Duration>,
    /// `names=NAME,NAME…`: more names to ask for a certificate by SNI.
    pub names: Vec<String>,
}

/// One line of a targets file: `None` for a blank line or a `#` comment,
/// else the target and its `key=value` settings.
pub fn parse_line(line: &str) -> Result<Option<(String, TargetSettings)>> {
    let line = match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    };
    let mut words = line.split_whitespace();
    let Some(target) = words.next() else {
        return Ok(None);
    };
    let mut settings = TargetSettings::default();
    for word in words {
        let Some((key, value)) = word.split_once('=') else {
            return Err(fail(
                Failure::Input,
                format!(
                    "'{}' is not a setting (starttls=PROTO, servername=NAME, connect-to=HOST[:PORT], timeout=SECS, names=NAME,NAME…)",
                    sanitize(word)
                ),
            ));
        };
        match key {
            "starttls" => {
                let proto = StartTls::ALL
                    .iter()
                    .copied()
                    .find(|p| p.name().eq_ignore_ascii_case(value));
                let names: Vec<&str> = StartTls::ALL.iter().map(|p| p.name()).collect();
                settings.starttls = Some(proto.ok_or_else(|| {
                    fail(
                        Failure::Input,
                        format!(
                            "starttls={} is not one of {}",
                            sanitize(value),
                            names.join(", ")
                        ),
                    )
                })?);
            }
            "servername" | "sni" => settings.servername = Some(value.to_string()),
            "connect-to" | "connect_to" => settings.connect_to = Some(value.to_string()),
            "names" => settings.names.extend(
                value
                    .split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_string),
            ),
            "timeout" => {
                let secs: f64 = value
                    .parse()
                    .ok()
                    .filter(|v| *v > 0.0 && *v <= 3600.0)
                    .ok_or_else(|| {
                        fail(
                            Failure::Input,
                            format!(
                                "timeout={} is not a number of seconds from 0 to 3600",
                                sanitize(value)
                            ),
                        )
                    })?;
                settings.timeout = Some(Duration::from_secs_f64(secs));
            }
            other => {
                return Err(fail(
                    Failure::Input,
                    format!(
                        "unknown setting '{}' (starttls, servername, connect-to, timeout, names)",
                        sanitize(other)
                    ),
                ))
            }
        }
    }
    Ok(Some((target.to_string(), settings)))
}

impl TargetSpec {
    /// A target with its settings, each falling back to `defaults`.
    pub fn new(
        text: &str,
        settings: &TargetSettings,
        defaults: &TargetSettings,
        timeout: Duration,
    ) -> Result<TargetSpec> {
        let starttls = settings.starttls.or(defaults.starttls);
        let default_port = starttls.map_or(target::DEFAULT_PORT, StartTls::default_port);
        let mut target = Target::parse_with_default_port(text, default_port)?;
        if let Some(name) = settings
            .servername
            .as_ref()
            .or(defaults.servername.as_ref())
        {
            target = target.with_server_name(name)?;
        }
        let connect_to = match settings
            .connect_to
            .as_ref()
            .or(defaults.connect_to.as_ref())
        {
            Some(c) => Some(dial::parse_connect_to(c, target.port)?),
            None => None,
        };
        let wanted = if settings.names.is_empty() {
            &defaults.names
        } else {
            &settings.names
        };
        let mut names: Vec<Target> = Vec::new();
        for name in wanted {
            let t = target.clone().with_server_name(name).map_err(|_| {
                fail(
                    Failure::Argument,
                    format!(
                        "--sni (names=): '{}' is not a valid host name",
                        sanitize(name)
                    ),
                )
            })?;
            if !names.iter().any(|n| n.server_name == t.server_name) {
                names.push(t);
            }
        }
        Ok(TargetSpec {
            names,
            shown: target.to_string(),
            target,
            connect_to,
            starttls,
            timeout: settings.timeout.or(defaults.timeout).unwrap_or(timeout),
        })
    }
}

/// How far a scan that failed got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Resolving the name or connecting.
    Connect,
    /// The STARTTLS preamble.
    Starttls,
    /// The probes: the server never spoke TLS, or refused every version.
    Probe,
}

/// A target that could not be graded.
#[derive(Debug)]
pub struct ScanFailure {
    /// The target as given.
    pub target: String,
    /// How far it got.
    pub stage: Stage,
    /// Why, with its failure kind.
    pub error: anyhow::Error,
    /// What the probes found, when they ran.
    pub probed: Option<Box<Report>>,
}

/// One target's outcome.
pub type Outcome = std::result::Result<Report, ScanFailure>;

/// The limits of a scan.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Probes in flight over every target.
    pub concurrency: usize,
    /// Probes in flight for one target.
    pub per_target: usize,
}

/// Counters a progress line reads while a scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Targets finished.
    pub done: AtomicUsize,
    /// Targets that got no report.
    pub failed: AtomicUsize,
}

/// Scans one target.
pub async fn scan_one(
    spec: &TargetSpec,
    roots: TrustRoots,
    pins: Vec<crate::tls::pin::Pin>,
    per_target: usize,
    shared: Arc<Shared>,
    revocation: Option<super::revocation::Check>,
) -> Outcome {
    let failure = |stage: Stage, error: anyhow::Error| ScanFailure {
        target: spec.shown.clone(),
        stage,
        error,
        probed: None,
    };
    let (host, port) = spec
        .connect_to
        .clone()
        .unwrap_or_else(|| (spec.target.host.clone(), spec.target.port));
    let addr = reach(&host, port, spec.timeout)
        .await
        .map_err(|e| failure(Stage::Connect, e))?;
    let sni = spec
        .target
        .name_is_dns()
        .then(|| spec.target.server_name_str());
    let mut ep = Endpoint::new(addr, sni, spec.timeout, per_target);
    ep.shared = Some(shared);
    ep.starttls = spec.starttls.map(|p| (p, spec.target.server_name_str()));
    if let Err(e) = ep.check_starttls().await {
        let stage = if error::kind_of(&e) == Some(Failure::Handshake) {
            Stage::Starttls
        } else {
            Stage::Connect
        };
        return Err(failure(stage, e));
    }
    let setup = TlsSetup {
        target: spec.target.clone(),
        address: (addr.ip().to_string(), addr.port()),
        roots,
        pins,
        starttls: spec.starttls,
        names: spec.names.clone(),
    };
    let data = engine::run(&ep, &setup).await;
    let mut report = report::build(&data, &setup, &spec.shown, &addr.to_string());
    if let Some(check) = revocation.filter(|_| report.any_accepted()) {
        super::revocation::check_all(&data, &mut report, &setup, check).await;
        // A revoked certificate (the main one or a name's) caps the grade:
        // grade again with the findings.
        let verdict = super::grade::grade(&report);
        report.grade = verdict.grade;
        report.grade_caps = verdict.caps;
    }
    match report.no_tls_error() {
        Some(e) => Err(ScanFailure {
            probed: Some(Box::new(report)),
            ..failure(Stage::Probe, e)
        }),
        None => Ok(report),
    }
}

/// Scans every target, at most `limits.concurrency` probes in flight over
/// all of them; outcomes in the order of `specs`.
pub async fn scan_all(
    specs: Arc<Vec<TargetSpec>>,
    roots: TrustRoots,
    pins: Vec<crate::tls::pin::Pin>,
    limits: Limits,
    shared: Arc<Shared>,
    progress: Arc<Progress>,
    revocation: Option<super::revocation::Check>,
) -> Vec<Outcome> {
    let per_target = limits.per_target.min(limits.concurrency).max(1);
    // Targets in flight: enough to keep every probe slot busy, no more (a
    // target waiting for slots would only hold a socket and its timeout).
    let in_flight = Arc::new(tokio::sync::Semaphore::new(
        limits.concurrency.div_ceil(per_target).max(1) * 2,
    ));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..specs.len() {
        let (specs, roots, pins, shared, progress, gate) = (
            specs.clone(),
            roots.clone(),
            pins.clone(),
            shared.clone(),
            progress.clone(),
            in_flight.clone(),
        );
        tasks.spawn(async move {
            let _turn = gate.acquire_owned().await.ok();
            let out = scan_one(&specs[i], roots, pins, per_target, shared, revocation).await;
            if out.is_err() {
                progress.failed.fetch_add(1, Ordering::Relaxed);
            }
            progress.done.fetch_add(1, Ordering::Relaxed);
            (i, out)
        });
    }
    let mut outcomes: Vec<Option<Outcome>> = (0..specs.len()).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((i, out)) => outcomes[i] = Some(out),
            Err(e) => {
                // A task that panicked: its slot stays empty and is reported below.
                let _ = e;
            }
        }
    }
    outcomes
        .into_iter()
        .zip(specs.iter())
        .map(|(o, spec)| {
            o.unwrap_or_else(|| {
                Err(ScanFailure {
                    target: spec.shown.clone(),
                    stage: Stage::Probe,
                    error: fail(
                        Failure::Data,
                        "the scan of this target stopped unexpectedly",
                    ),
                    probed: None,
                })
            })
        })
        .collect()
}

/// Resolves `host` and returns the first address that accepts a TCP connection.
pub async fn reach(host: &str, port: u16, timeout: Duration) -> Result<SocketAddr> {
    let addrs: Vec<SocketAddr> = match host.parse::<std::net::IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            let lookup = tokio::net::lookup_host((host, port));
            match tokio::time::timeout(timeout, lookup).await {
                Err(_) => {
                    return Err(fail(
                        Failure::Network,
                        format!("timed out resolving '{}'", sanitize(host)),
                    ))
                }
                Ok(Err(e)) => {
                    return Err(fail(
                        Failure::Network,
                        format!("cannot resolve '{}': {e}", sanitize(host)),
                    ))
                }
                Ok(Ok(found)) => found.collect(),
            }
        }
    };
    let mut last = None;
    for addr in &addrs {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => return Ok(*addr),
            Ok(Err(e)) => {
                last = Some(format!(
                    "cannot connect to {addr}: {}",
                    dial::describe_io(&e)
                ))
            }
            Err(_) => last = Some(format!("timed out connecting to {addr}")),
        }
    }
    Err(fail(
        Failure::Network,
        last.unwrap_or_else(|| format!("'{}' resolves to no address", sanitize(host))),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_lines_with_comments_and_settings() {
        assert_eq!(parse_line("   # a comment").unwrap(), None);
        assert_eq!(parse_line("").unwrap(), None);
        let (t, s) = parse_line("mail.example.org:25 starttls=smtp servername=mx.example.org # mx")
            .unwrap()
            .unwrap();
        assert_eq!(t, "mail.example.org:25");
        assert_eq!(s.starttls, Some(StartTls::Smtp));
        assert_eq!(s.servername.as_deref(), Some("mx.example.org"));
        let (_, s) = parse_line("a.test timeout=2.5").unwrap().unwrap();
        assert_eq!(s.timeout, Some(Duration::from_millis(2500)));
        assert!(parse_line("a.test starttls=gopher").is_err());
        assert!(parse_line("a.test color=blue").is_err());
        assert!(parse_line("a.test loose").is_err());
    }

    #[test]
    fn names_to_ask_for_by_sni_come_from_the_line_or_the_flags() {
        let (t, s) =
            parse_line("10.0.0.8:443 servername=www.test names=api.test,static.test,api.test")
                .unwrap()
                .unwrap();
        let flags = TargetSettings {
            names: vec!["flag.test".to_string()],
            ..TargetSettings::default()
        };
        let spec = TargetSpec::new(&t, &s, &flags, Duration::from_secs(5)).unwrap();
        let names: Vec<String> = spec.names.iter().map(|n| n.server_name_str()).collect();
        assert_eq!(
            names,
            ["api.test", "static.test"],
            "the line's names, once each"
        );
        assert_eq!(spec.names[0].port, 443);
        let spec = TargetSpec::new(
            "10.0.0.8",
            &TargetSettings::default(),
            &flags,
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(spec.names[0].server_name_str(), "flag.test");
        let bad = TargetSettings {
            names: vec!["not a name".to_string()],
            ..TargetSettings::default()
        };
        assert!(TargetSpec::new("a.test", &bad, &flags, Duration::from_secs(5)).is_err());
    }
}
