//! `tlskit connect`: test-connect to a TLS server and show, on one screen,
//! what was negotiated and verified, with exit codes a script can trust;
//! then, like `openssl s_client`, carry stdin to the server and its replies to stdout.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::stdin::{self, StdinMode};
use crate::exit::{self, Code};
use crate::output::{self, Ctx};
use crate::pinstore::FirstUse;
use crate::report::connect::{Context as ReportContext, Reconnect, Report, TofuReport};
use crate::report::Trust;
use crate::tls::config;
use crate::tls::dial::{self, DialFailure, DialOptions, DialReport, Stage};
use crate::tls::pin::Pin;
use crate::tls::pump::{self, Input};
use crate::tls::resume;
use crate::tls::starttls::StartTls;
use crate::tls::target::Target;
use crate::tls::{explain, files};

mod args;

pub use args::Args;
use args::{client_options, Weak};

/// Runs `tlskit connect`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    if args.dtls {
        return super::dtls::connect(args, ctx);
    }
    let starttls: Option<StartTls> = args.starttls;
    let default_port = starttls.map_or(crate::tls::target::DEFAULT_PORT, StartTls::default_port);
    let mut target = Target::parse_with_default_port(&args.target, default_port)?;
    if let Some(name) = &args.name.servername {
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
            super::revocation_args::Stapling::Possible,
        )
        .await?;
        report.revocation = checked.report;
        report.warnings.extend(checked.warnings);
        if let Some(e) = &checked.failure {
            // Revoked, must-staple unstapled, or (=require) unknown: not verified after all.
            report.verification.verified = false;
            report.verification.error = Some(format!("{e:#}"));
            report.error = Some(exit::error_report(e, conn.report.stage));
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
            report.error = Some(exit::error_report(&f.error, f.report.stage));
            let stdout = std::io::stdout();
            output::write_json(&mut stdout.lock(), &report)?;
        } else if !self.ctx.quiet && !f.report.observed.chain.is_empty() {
            // Show what the server presented: it is usually the quickest way to see why.
            output::connect::render_failed(
                &mut std::io::stderr().lock(),
                output::connect::Transport::Tls,
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
            client_cert_given: self.args.identity.cert.is_some(),
            revocation_checked: self.args.revocation.check.check_revocation.is_some(),
            with_pem: self.args.showcerts && self.ctx.json,
        };
        Report::of(d, &cx, reconnect)
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
