//! `tlskit connect`: test-connect to a TLS server and show, on one screen,
//! what was negotiated and verified, with exit codes a script can trust;
//! then, like `openssl s_client`, carry stdin to the server and its replies to stdout.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::stdin::{self, StdinMode};
use crate::exit::{self, Code};
use crate::output::{self, sanitize, Ctx};
use crate::pinstore::FirstUse;
use crate::report::connect::{
    Context as ReportContext, ErrorReport, Reconnect, Report, TofuReport,
};
use crate::report::Trust;
use crate::tls::config::{self, ClientOptions, Identity, KeyLogTo, Versions};
use crate::tls::dial::{self, DialFailure, DialOptions, DialReport, Stage};
use crate::tls::pin::Pin;
use crate::tls::pump::{self, Input};
use crate::tls::resume;
use crate::tls::starttls::StartTls;
use crate::tls::target::Target;
use crate::tls::{danger, explain, files};
use crate::when::parse_secs;

/// Arguments of `tlskit connect`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit connect example.com                       report, verified against the Mozilla roots
  tlskit connect localhost:4433 --ca ca.pem        trust a local CA instead
  tlskit connect localhost:4433 --pin sha256//...  trust one key (what `tlskit serve` prints)
  tlskit connect https://example.com/ --alpn h2,http/1.1 --json
  tlskit connect mail.example.com --starttls smtp  (port 25 by default)
  tlskit connect example.com --send $'HEAD / HTTP/1.0\\r\\n\\r\\n' > reply.txt
  tlskit connect example.com --showcerts -q > chain.pem
  tlskit connect example.com --connect-to 192.0.2.10  test one backend, keep the name

Without --no-io or --send, standard input goes to the server and its data to standard output
(the report then goes to standard error); with stdin at end of file (</dev/null) tlskit only reports.")]
pub struct Args {
    /// The server: HOST, HOST:PORT, [IPv6]:PORT or https://HOST[:PORT]/… (port 443, or the
    /// --starttls protocol's port, unless given).
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// The name to send as SNI and verify the certificate against [default: the target's host].
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Send no SNI (the name is still verified).
    #[arg(long)]
    pub no_sni: bool,

    /// Dial this HOST[:PORT] instead, keeping the target's name for SNI and verification.
    #[arg(long, value_name = "ADDR")]
    pub connect_to: Option<String>,

    /// Bound on DNS + TCP connect + STARTTLS + TLS handshake, in seconds.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,

    #[command(flatten)]
    pub trust: super::TrustArgs,

    #[command(flatten)]
    pub revocation: super::revocation_args::RevocationArgs,

    /// Trust on first use: on first contact record the server's pin in the pin store
    /// ($TLSKIT_PIN_STORE) even if no CA vouches for it; afterwards refuse (exit 6) a
    /// server whose key changed. The name and dates are still checked.
    #[arg(long, conflicts_with_all = ["insecure", "pin"])]
    pub tofu: bool,

    /// Client certificate (PEM chain) for mutual TLS.
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// Private key of the client certificate.
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// ALPN protocols to offer, comma-separated, in preference order (e.g. h2,http/1.1).
    #[arg(long, value_name = "LIST")]
    pub alpn: Option<String>,

    /// Offer TLS 1.3 only.
    #[arg(long, conflicts_with = "tls12")]
    pub tls13: bool,

    /// Offer TLS 1.2 only.
    #[arg(long)]
    pub tls12: bool,

    #[command(flatten)]
    pub algorithms: super::AlgorithmArgs,

    /// Append the session secrets to FILE (NSS key log format, for Wireshark); SSLKEYLOGFILE
    /// is honoured too.
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,

    /// Connect a second time, resuming the first session, and report whether it resumed.
    #[arg(long)]
    pub reconnect: bool,

    /// Send TEXT after the handshake and print the reply until the server closes or
    /// --read-timeout passes without data.
    #[arg(long, value_name = "TEXT", conflicts_with = "no_io")]
    pub send: Option<String>,

    /// With --send or piped input: stop after this many seconds without data from the server.
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub read_timeout: Duration,

    /// Only handshake and report; no data.
    #[arg(long)]
    pub no_io: bool,

    /// Write the presented chain as PEM to stdout (the report goes to stderr).
    #[arg(long)]
    pub showcerts: bool,

    /// Write the presented chain as PEM to FILE.
    #[arg(long, value_name = "FILE")]
    pub save_chain: Option<PathBuf>,

    /// Speak this protocol's plaintext upgrade before TLS.
    #[arg(long, value_name = "PROTO", value_enum)]
    pub starttls: Option<StartTls>,

    /// Speak DTLS (TLS over UDP) instead: each read of standard input (up to the MTU) is one
    /// datagram, and each datagram received is written out. --tls12/--tls13 pick DTLS 1.2/1.3.
    #[arg(long, conflicts_with_all = ["starttls", "reconnect", "tofu", "alpn", "keylog"])]
    pub dtls: bool,

    /// With --dtls: the largest datagram to send, in bytes [default: 1232].
    #[arg(long, value_name = "BYTES", requires = "dtls",
          value_parser = clap::value_parser!(u16).range(256..))]
    pub mtu: Option<u16>,
}

/// Runs `tlskit connect`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    if args.dtls {
        return super::dtls::connect(args, ctx);
    }
    let starttls: Option<StartTls> = args.starttls;
    let default_port = starttls.map_or(crate::tls::target::DEFAULT_PORT, StartTls::default_port);
    let mut target = Target::parse_with_default_port(&args.target, default_port)?;
    if let Some(name) = &args.servername {
        target = target.with_server_name(name)?;
    }
    let connect_to = args
        .connect_to
        .as_deref()
        .map(|c| dial::parse_connect_to(c, target.port))
        .transpose()?;
    let mut pins = args.trust.pins()?;
    let tofu = args
        .tofu
        .then(|| FirstUse::open(&target.host, target.port))
        .transpose()?;
    if let Some(entry) = tofu.as_ref().and_then(|t| t.entry.as_ref()) {
        pins.push(entry.pin.clone());
    }
    let first_use = tofu.as_ref().is_some_and(|t| t.entry.is_none());
    let (opts, trust) = client_options(&args, &pins, Weak::No, first_use)?;
    let (config, observations) = config::client_config(opts)?;
    if args.trust.insecure {
        eprintln!("{}", output::connect::insecure_warning(ctx.stderr_style()));
    }

    // Decide early how stdin is used, and start reading it so that an empty
    // pipe is known to be empty by the time the handshake is done.
    let wants_stdin = !args.no_io && args.send.is_none();
    let stdin_rx = (wants_stdin && stdin::mode_now() == StdinMode::Data)
        .then(|| stdin::spawn_reader(16 * 1024, 4));

    let dial_opts = DialOptions {
        target: target.clone(),
        connect_to,
        timeout: args.timeout,
        starttls,
        await_ticket: args.reconnect,
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let session = Session {
        args: &args,
        ctx,
        trust,
        pins: &pins,
        tofu: tofu.as_ref(),
    };
    let result = rt.block_on(session.go(config, &observations, dial_opts, stdin_rx));
    rt.shutdown_background();
    result
}

struct Session<'a> {
    args: &'a Args,
    ctx: &'a Ctx,
    trust: Trust,
    pins: &'a [Pin],
    tofu: Option<&'a FirstUse>,
}

/// Whether to accept a weak RSA key (only ever with --insecure, in a TLS 1.2 retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weak {
    No,
    RsaOverTls12,
}

/// The client options the flags ask for.
fn client_options(
    args: &Args,
    pins: &[Pin],
    weak: Weak,
    trust_first_use: bool,
) -> Result<(ClientOptions, Trust)> {
    let alpn = parse_alpn(args.alpn.as_deref()).map_err(|e| exit::tag(Code::Usage, e))?;
    let (roots, trust) = args.trust.roots.load()?;
    let identity = match (&args.cert, &args.key) {
        (Some(c), Some(k)) => Some(Identity {
            chain: files::load_certs(c).context("--cert")?,
            key: files::load_key(k).context("--key")?,
        }),
        _ => None,
    };
    let keylog = match &args.keylog {
        Some(p) => KeyLogTo::File(p.clone()),
        None if std::env::var_os("SSLKEYLOGFILE").is_some_and(|v| !v.is_empty()) => KeyLogTo::Env,
        None => KeyLogTo::Off,
    };
    let versions = if weak == Weak::RsaOverTls12 {
        Versions::Tls12
    } else {
        Versions::from_flags(args.tls12, args.tls13)
    };
    let accept_unverified = match (args.trust.insecure, weak) {
        (false, _) => None,
        (true, Weak::No) => Some(danger::accept_unverified()),
        (true, Weak::RsaOverTls12) => Some(danger::accept_unverified().with_weak_rsa()),
    };
    let opts = ClientOptions {
        roots,
        accept_unverified,
        pins: pins.to_vec(),
        trust_first_use,
        identity,
        alpn,
        versions,
        no_sni: args.no_sni,
        keylog,
        algorithms: args.algorithms.algorithms(versions)?,
        verify_once: false,
    };
    Ok((opts, trust))
}

impl Session<'_> {
    async fn go(
        &self,
        config: Arc<rustls::ClientConfig>,
        observations: &crate::tls::verify::Observations,
        dial_opts: DialOptions,
        stdin_rx: Option<mpsc::Receiver<Vec<u8>>>,
    ) -> Result<Code> {
        let mut extra_warnings = Vec::new();
        let (mut config, mut observations) = (config, observations.clone());
        let first = match dial::dial(config.clone(), &observations, &dial_opts).await {
            Ok(d) => d,
            Err(f) if self.weak_rsa_retry(&f) => {
                // rustls cannot check a TLS 1.3 signature by a small RSA key; with
                // --insecure, try TLS 1.2, where the legacy PKCS#1 check exists.
                let first_use = self.tofu.is_some_and(|t| t.entry.is_none());
                let (opts, _) =
                    client_options(self.args, self.pins, Weak::RsaOverTls12, first_use)?;
                (config, observations) = config::client_config(opts)?;
                match dial::dial(config.clone(), &observations, &dial_opts).await {
                    Ok(d) => {
                        extra_warnings.push(format!(
                            "{:#}: a TLS 1.3 handshake signed with it cannot be checked, so tlskit retried with TLS 1.2",
                            f.error
                        ));
                        d
                    }
                    Err(_) => return self.failed(f),
                }
            }
            Err(mut f) => {
                // An unknown issuer may be an intermediate the server forgot to send.
                let (error, completion) = super::revocation_args::missing_intermediate(
                    &self.args.revocation,
                    &self.args.trust,
                    &f.report.observed,
                    &f.report.server_name,
                    self.args.timeout,
                    f.error,
                )
                .await;
                f.error = error;
                return self.failed_with(f, completion);
            }
        };
        let observations = &observations;
        let tofu = match self.tofu {
            Some(t) => {
                let leaf = first.report.observed.chain.first();
                let leaf = leaf.context("--tofu: the server presented no certificate")?;
                Some(TofuReport::of(t.record(leaf)?, &t.store))
            }
            None => None,
        };
        let (mut conn, mut reconnect) = (first, None);
        if self.args.reconnect {
            match resume::reconnect(conn, config, observations, &dial_opts).await {
                Ok((again, test)) => (conn, reconnect) = (again, Some(test)),
                Err(f) => return self.failed(f),
            }
        }

        let (stdin_rx, first_chunk) = stdin::take_ready(stdin_rx);
        let data_mode = self.args.send.is_some() || stdin_rx.is_some();
        let pem_to_stdout = self.args.showcerts && self.args.save_chain.is_none() && !self.ctx.json;

        let mut report = self.build_report(&conn.report, reconnect);
        report.tofu = tofu;
        report.warnings.splice(0..0, extra_warnings);
        let checked = super::revocation_args::after_verify(
            &self.args.revocation,
            &self.args.trust,
            &conn.report.observed,
            &conn.report.server_name,
            self.args.timeout,
        )
        .await?;
        report.revocation = checked.report;
        report.warnings.extend(checked.warnings);
        if let Some(e) = &checked.failure {
            // Revoked, must-staple unstapled, or (=require) unknown: not verified after all.
            report.verification.verified = false;
            report.verification.error = Some(format!("{e:#}"));
            report.error = Some(error_report(e, conn.report.stage));
        }
        if let Some(path) = &self.args.save_chain {
            let pem = files::certs_to_pem(&conn.report.observed.chain);
            crate::atomic::write_file(path, pem.as_bytes(), crate::atomic::PUBLIC, true)
                .with_context(|| format!("--save-chain '{}'", path.display()))?;
        }
        let err_style = self.ctx.stderr_style();
        for w in &report.warnings {
            eprintln!("{}", output::warning_line(w, err_style));
        }
        output::connect::emit(
            self.ctx,
            data_mode || pem_to_stdout,
            &report,
            |out, style| output::connect::render(out, &report, style),
        )?;
        if pem_to_stdout {
            write_stdout(files::certs_to_pem(&conn.report.observed.chain).as_bytes())?;
        }
        if let Some(e) = checked.failure {
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.stream.shutdown()).await;
            return Err(e);
        }

        if !data_mode || conn.peer_closed {
            if data_mode {
                write_stdout(&conn.early_data)?;
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.stream.shutdown()).await;
            return Ok(Code::Success);
        }
        write_stdout(&conn.early_data)?;
        let input = match &self.args.send {
            Some(text) => Input::Text(text.clone().into_bytes()),
            None => Input::Chunks {
                rx: stdin_rx,
                first: first_chunk,
            },
        };
        if pump::pump(&mut conn, input, self.args.read_timeout, &mut write_stdout).await?
            == pump::End::Truncated
        {
            let text =
                "the server closed the connection without close_notify (the data may be truncated)";
            eprintln!("{}", output::warning_line(text, self.ctx.stderr_style()));
        }
        Ok(Code::Success)
    }

    /// Whether a failed dial is a weak RSA key that --insecure may still look past (over TLS 1.2).
    fn weak_rsa_retry(&self, f: &DialFailure) -> bool {
        self.args.trust.insecure
            && !self.args.tls13
            && f.report.stage == Stage::Handshake
            && exit::classify(&f.error) == Code::Verification
            && f.report
                .observed
                .chain
                .first()
                .is_some_and(|leaf| explain::weak_key_of(leaf).is_some())
    }

    fn failed(&self, f: DialFailure) -> Result<Code> {
        self.failed_with(f, None)
    }

    fn failed_with(
        &self,
        mut f: DialFailure,
        completion: Option<crate::revocation::aia::Completion>,
    ) -> Result<Code> {
        let leaf = f.report.observed.chain.first().map(|c| c.as_ref());
        if let Some(changed) = self.tofu.and_then(|t| t.key_changed(&f.error, leaf)) {
            f.error = anyhow::Error::new(changed);
        }
        // Like `s_client -showcerts`: the chain a refused server presented is what
        // one wants to look at (or to trust), so --showcerts and --save-chain still write it.
        let presented = &f.report.observed.chain;
        if !presented.is_empty() {
            let pem = files::certs_to_pem(presented);
            if let Some(path) = &self.args.save_chain {
                // With --fetch-intermediates, the chain the server should send.
                let to_save = files::certs_to_pem(super::revocation_args::chain_to_save(
                    presented,
                    completion.as_ref(),
                ));
                if let Err(e) =
                    crate::atomic::write_file(path, to_save.as_bytes(), crate::atomic::PUBLIC, true)
                {
                    let text = format!("--save-chain '{}': {e:#}", path.display());
                    eprintln!("{}", output::warning_line(&text, self.ctx.stderr_style()));
                }
            }
            if self.args.showcerts && self.args.save_chain.is_none() && !self.ctx.json {
                write_stdout(pem.as_bytes())?;
            }
        }
        if self.ctx.json {
            let mut report = self.build_report(&f.report, None);
            report.fetched_intermediates = completion;
            report.error = Some(error_report(&f.error, f.report.stage));
            let stdout = std::io::stdout();
            output::write_json(&mut stdout.lock(), &report)?;
        } else if !self.ctx.quiet && !f.report.observed.chain.is_empty() {
            // Show what the server presented: it is usually the quickest way to see why.
            output::connect::render_failed(
                &mut std::io::stderr().lock(),
                &f.report.target,
                f.report.address.as_deref(),
                &crate::report::chain(&f.report.observed, false),
                self.ctx.stderr_style(),
            )?;
        }
        Err(f.error)
    }

    fn build_report(&self, d: &DialReport, reconnect: Option<Reconnect>) -> Report {
        let cx = ReportContext {
            roots: self.trust,
            pinned: !self.pins.is_empty(),
            insecure: self.args.trust.insecure,
            client_cert_given: self.args.cert.is_some(),
            revocation_checked: self.args.revocation.check.check_revocation.is_some(),
            with_pem: self.args.showcerts && self.ctx.json,
        };
        Report::of(d, &cx, reconnect)
    }
}

/// A failure as the JSON report has it.
fn error_report(e: &anyhow::Error, stage: Stage) -> ErrorReport {
    let code = exit::classify(e);
    ErrorReport {
        message: format!("{e:#}"),
        exit_code: code.as_u8(),
        kind: code.kind(),
        stage,
    }
}

/// Writes the server's data to stdout as it comes.
fn write_stdout(data: &[u8]) -> std::io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(data)?;
    out.flush()
}

fn parse_alpn(list: Option<&str>) -> Result<Vec<Vec<u8>>> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for p in list.split(',') {
        let p = p.trim();
        if p.is_empty() {
            bail!("--alpn: empty protocol name in '{}'", sanitize(list));
        }
        if p.len() > 255 {
            bail!("--alpn: a protocol name is at most 255 bytes");
        }
        out.push(p.as_bytes().to_vec());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_and_alpn() {
        assert_eq!(parse_secs("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_secs("0").is_err());
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("x").is_err());
        assert!(parse_secs("NaN").is_err());
        assert_eq!(
            parse_alpn(Some("h2, http/1.1")).unwrap(),
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        );
        assert!(parse_alpn(Some("h2,,x")).is_err());
        assert!(parse_alpn(None).unwrap().is_empty());
    }
}
