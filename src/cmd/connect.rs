//! `tlskit connect`: test-connect to a TLS server and show, on one screen,
//! what was negotiated and verified, with exit codes a script can trust;
//! then, like `openssl s_client`, carry stdin to the server and its replies to stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use colored::Colorize;
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::exit::{self, Code};
use crate::output::cert::summary as render_cert;
use crate::output::{self, field, sanitize, Ctx};
use crate::pinstore::{self, PinStore};
use crate::tls::certinfo::CertSummary;
use crate::tls::config::{self, ClientOptions, Identity, KeyLogTo, Versions};
use crate::tls::dial::{self, DialFailure, DialOptions, DialReport, Dialed, Stage, Timings};
use crate::tls::handshake::HandshakeInfo;
use crate::tls::handshake::Kind as HandshakeKind;
use crate::tls::ocsp::{self, OcspSummary};
use crate::tls::pin::Pin;
use crate::tls::starttls::{Preamble, StartTls};
use crate::tls::target::Target;
use crate::tls::verify::Observed;
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

/// The client-certificate part of the report.
#[derive(Debug, Serialize)]
pub struct ClientCertReport {
    /// Whether the server sent a CertificateRequest.
    pub requested: bool,
    /// The CA names the server hinted.
    pub ca_hints: Vec<String>,
    /// Whether a certificate was sent.
    pub sent: bool,
}

/// The OCSP part of the report.
#[derive(Debug, Serialize)]
pub struct OcspReport {
    /// Whether a response was stapled at all.
    pub stapled: bool,
    /// The parsed response (its signature is not checked).
    #[serde(flatten)]
    pub summary: Option<OcspSummary>,
    /// Why the stapled bytes could not be read.
    pub parse_error: Option<String>,
}

/// The verification part of the report.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// Whether the chain verified (and pins, if given, matched).
    pub verified: bool,
    /// `--insecure` was given.
    pub insecure: bool,
    /// What vouched for the chain: `webpki-roots`, `ca-file`, `system`, or
    /// `pin` when a matching pin stood in for a CA.
    pub trust: &'static str,
    /// Why it did not verify.
    pub error: Option<String>,
    /// `null` without --pin; else whether one matched.
    pub pin_matched: Option<bool>,
}

/// One certificate of the presented chain.
#[derive(Debug, Serialize)]
pub struct ChainCert {
    /// The summary every command shows.
    #[serde(flatten)]
    pub summary: CertSummary,
    /// PEM (with --showcerts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
}

/// The second connection of `--reconnect`.
#[derive(Debug, Serialize)]
pub struct Reconnect {
    /// Whether the session was resumed.
    pub resumed: bool,
    /// `full`, `full_with_hello_retry_request` or `resumed`.
    pub handshake_kind: HandshakeKind,
    /// Its timings.
    pub timings: Timings,
    /// TLS 1.3 session tickets the first connection received (`null` for TLS 1.2,
    /// where rustls does not tell): 0 means the server offered nothing to resume.
    pub tickets_received: Option<usize>,
}

/// A failure, in the JSON document.
#[derive(Debug, Serialize)]
pub struct ErrorReport {
    /// The sentence printed on stderr.
    pub message: String,
    /// The exit code.
    pub exit_code: u8,
    /// The failure's kind, one word (`network`, `handshake`, `verification`, `pin`, …).
    pub kind: &'static str,
    /// How far the dial got.
    pub stage: Stage,
}

/// What `tlskit connect` reports.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The target as given.
    pub target: String,
    /// The address dialled.
    pub address: Option<String>,
    /// Every address the name resolved to.
    pub resolved: Vec<String>,
    /// The name verified.
    pub server_name: String,
    /// The SNI sent.
    pub sni: Option<String>,
    /// Step timings in milliseconds.
    pub timings: Timings,
    /// The STARTTLS exchange.
    pub starttls: Option<Preamble>,
    /// What was negotiated.
    pub handshake: Option<HandshakeInfo>,
    /// Client certificate request and answer.
    pub client_certificate: ClientCertReport,
    /// The stapled OCSP response.
    pub ocsp: OcspReport,
    /// The verification result.
    pub verification: Verification,
    /// The chain as the server sent it, leaf first.
    pub chain: Vec<ChainCert>,
    /// The resumption test (with --reconnect).
    pub reconnect: Option<Reconnect>,
    /// What `--tofu` found or recorded (absent without --tofu).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tofu: Option<TofuReport>,
    /// Revocation status per certificate (with --check-revocation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation: Option<crate::revocation::RevocationReport>,
    /// The issuers fetched for an incomplete chain (with --fetch-intermediates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_intermediates: Option<crate::revocation::aia::Completion>,
    /// Things worth knowing.
    pub warnings: Vec<String>,
    /// Set when the connection failed.
    pub error: Option<ErrorReport>,
}

/// How stdin is to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StdinMode {
    /// At end of file or closed: handshake and report only.
    Closed,
    /// A terminal, a pipe or a file with data: carry it to the server.
    Data,
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
    let pins = args.trust.pins()?;
    let tofu = if args.tofu {
        let store = PinStore::open_default()?;
        let host_port = pinstore::store_key(&target.host, target.port);
        let entry = store.get(&host_port)?;
        Some(TofuState {
            store,
            host_port,
            entry,
        })
    } else {
        None
    };
    let mut pins = pins;
    if let Some(entry) = tofu.as_ref().and_then(|t| t.entry.as_ref()) {
        pins.push(entry.pin.clone());
    }
    let first_use = tofu.as_ref().is_some_and(|t| t.entry.is_none());
    let (opts, trust) = client_options(&args, &pins, Weak::No, first_use)?;
    let (config, observations) = config::client_config(opts)?;
    if args.trust.insecure {
        output::on_stderr(|| {
            eprintln!(
            "tlskit: {} {}",
            "warning:".red().bold(),
            "--insecure: the certificate is not verified; anyone on the path could impersonate this server"
                .red()
        )
        });
    }

    // Decide early how stdin is used, and start reading it so that an empty
    // pipe is known to be empty by the time the handshake is done.
    let wants_stdin = !args.no_io && args.send.is_none();
    let mut stdin_rx = None;
    let mut stdin_mode = StdinMode::Closed;
    if wants_stdin {
        stdin_mode = stdin_mode_now();
        if stdin_mode == StdinMode::Data {
            stdin_rx = Some(spawn_stdin_reader());
        }
    }

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
    let result = rt.block_on(session.go(config, &observations, dial_opts, stdin_rx, stdin_mode));
    rt.shutdown_background();
    result
}

struct Session<'a> {
    args: &'a Args,
    ctx: &'a Ctx,
    trust: &'static str,
    pins: &'a [Pin],
    tofu: Option<&'a TofuState>,
}

/// `--tofu`: the store, the server's key in it, and what it held before this connection.
struct TofuState {
    store: PinStore,
    host_port: String,
    entry: Option<pinstore::Entry>,
}

/// What `--tofu` did.
#[derive(Debug, Serialize)]
pub struct TofuReport {
    /// `recorded` (first contact) or `matched`.
    pub state: &'static str,
    /// The store key, `host:port`.
    pub host_port: String,
    /// The pin recorded for the server.
    pub pin: Pin,
    /// When it was recorded.
    pub recorded_at: String,
    /// The store file.
    pub store: String,
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
) -> Result<(ClientOptions, &'static str)> {
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
        mut stdin_rx: Option<mpsc::Receiver<Vec<u8>>>,
        mut stdin_mode: StdinMode,
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
            Some(t) => Some(record_tofu(t, &first.report.observed)?),
            None => None,
        };
        let mut reconnect = None;
        let mut conn = first;
        if self.args.reconnect {
            let mut old = conn;
            let tickets_received = {
                let state = old.stream.get_ref().1;
                (state.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3))
                    .then(|| state.tls13_tickets_received() as usize)
            };
            let _ = tokio::time::timeout(Duration::from_secs(1), old.stream.shutdown()).await;
            // The second connection resumes or not; it need not wait for a ticket of its own.
            let again_opts = DialOptions {
                await_ticket: false,
                ..dial_opts.clone()
            };
            let again = match dial::dial(config, observations, &again_opts).await {
                Ok(d) => d,
                Err(f) => return self.failed(f),
            };
            let kind = again
                .report
                .handshake
                .as_ref()
                .map_or(HandshakeKind::Unknown, |h| h.handshake_kind);
            reconnect = Some(Reconnect {
                resumed: kind == HandshakeKind::Resumed,
                handshake_kind: kind,
                timings: again.report.timings.clone(),
                tickets_received,
            });
            // The first connection saw the certificates; a resumed one sees none.
            conn = Dialed {
                report: old.report,
                ..again
            };
        }

        let mut first_chunk = None;
        if let Some(rx) = stdin_rx.as_mut() {
            match rx.try_recv() {
                Err(mpsc::error::TryRecvError::Disconnected) => stdin_mode = StdinMode::Closed,
                Ok(chunk) => first_chunk = Some(chunk),
                Err(mpsc::error::TryRecvError::Empty) => {}
            }
        }
        let data_mode = self.args.send.is_some() || stdin_mode == StdinMode::Data;
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
            let code = exit::classify(e);
            report.error = Some(ErrorReport {
                message: format!("{e:#}"),
                exit_code: code.as_u8(),
                kind: code.kind(),
                stage: conn.report.stage,
            });
        }
        if let Some(path) = &self.args.save_chain {
            let pem = files::certs_to_pem(&conn.report.observed.chain);
            crate::atomic::write_file(path, pem.as_bytes(), crate::atomic::PUBLIC, true)
                .with_context(|| format!("--save-chain '{}'", path.display()))?;
        }
        output::on_stderr(|| {
            for w in &report.warnings {
                eprintln!("tlskit: {} {}", "warning:".yellow().bold(), sanitize(w));
            }
        });
        let to_stderr = data_mode || pem_to_stdout;
        if !self.ctx.quiet || self.ctx.json {
            if to_stderr {
                let stderr = std::io::stderr();
                let mut err = stderr.lock();
                if self.ctx.json {
                    output::write_json(&mut err, &report)?;
                } else {
                    output::on_stderr(|| render(&mut err, &report))?;
                }
            } else {
                self.ctx.emit(&report, |out| render(out, &report))?;
            }
        }
        if pem_to_stdout {
            let mut out = std::io::stdout().lock();
            out.write_all(files::certs_to_pem(&conn.report.observed.chain).as_bytes())?;
            out.flush()?;
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
            None => Input::Stdin {
                rx: stdin_rx,
                first: first_chunk,
            },
        };
        pump(&mut conn, input, self.args.read_timeout).await?;
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
        if let Some(changed) = self.tofu.and_then(|t| key_changed(t, &f)) {
            f.error = anyhow::Error::new(changed);
        }
        let code = exit::classify(&f.error);
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
                    output::on_stderr(|| {
                        eprintln!(
                            "tlskit: {} --save-chain '{}': {e:#}",
                            "warning:".yellow().bold(),
                            path.display()
                        )
                    });
                }
            }
            if self.args.showcerts && self.args.save_chain.is_none() && !self.ctx.json {
                let mut out = std::io::stdout().lock();
                out.write_all(pem.as_bytes())?;
                out.flush()?;
            }
        }
        if self.ctx.json {
            let mut report = self.build_report(&f.report, None);
            report.fetched_intermediates = completion;
            report.error = Some(ErrorReport {
                message: format!("{:#}", f.error),
                exit_code: code.as_u8(),
                kind: code.kind(),
                stage: f.report.stage,
            });
            let stdout = std::io::stdout();
            output::write_json(&mut stdout.lock(), &report)?;
        } else if !self.ctx.quiet && !f.report.observed.chain.is_empty() {
            // Show what the server presented: it is usually the quickest way to see why.
            let mut err = std::io::stderr().lock();
            output::on_stderr(|| {
                writeln!(
                    err,
                    "{} {} ({}) {}",
                    "Handshake with".bold(),
                    sanitize(&f.report.target).bold(),
                    f.report.address.as_deref().unwrap_or("?"),
                    "failed.".bold()
                )?;
                render_chain(&mut err, &self.chain(&f.report.observed))
            })?;
        }
        Err(f.error)
    }

    fn chain(&self, observed: &Observed) -> Vec<ChainCert> {
        observed
            .chain
            .iter()
            .filter_map(|der| {
                CertSummary::from_der(der).ok().map(|summary| ChainCert {
                    summary,
                    pem: (self.args.showcerts && self.ctx.json)
                        .then(|| files::der_to_pem("CERTIFICATE", der)),
                })
            })
            .collect()
    }

    fn build_report(&self, d: &DialReport, reconnect: Option<Reconnect>) -> Report {
        let obs = &d.observed;
        let chain = self.chain(obs);
        let ocsp = if obs.ocsp.is_empty() {
            OcspReport {
                stapled: false,
                summary: None,
                parse_error: None,
            }
        } else {
            match ocsp::parse_for_leaf(&obs.ocsp, obs.chain.first().map(|c| c.as_ref())) {
                Ok(s) => OcspReport {
                    stapled: true,
                    summary: Some(s),
                    parse_error: None,
                },
                Err(e) => OcspReport {
                    stapled: true,
                    summary: None,
                    parse_error: Some(e.to_string()),
                },
            }
        };
        let (verified, error) = match &obs.verdict {
            Some(Ok(())) => (true, None),
            Some(Err(e)) => (false, Some(explain::describe_error(e, obs, &d.server_name))),
            None => (false, None),
        };
        let mut warnings = Vec::new();
        if let Some(leaf) = chain.first() {
            let s = &leaf.summary;
            if s.days_left >= 0 && s.days_left < 30 && s.days_until_valid <= 0 {
                warnings.push(format!(
                    "the server's certificate expires in {} days",
                    s.days_left
                ));
            }
        }
        if self.args.cert.is_some() && !obs.client_cert_requested && d.handshake.is_some() {
            warnings.push(
                "--cert was given, but the server did not ask for a client certificate during the handshake, so none was sent"
                    .to_string(),
            );
        }
        if let Some(o) = ocsp
            .summary
            .as_ref()
            .filter(|_| self.args.revocation.check.check_revocation.is_none())
        {
            if o.matches_leaf && o.cert_status.as_deref() == Some("revoked") {
                warnings.push(
                    "the server's own stapled OCSP response says its certificate is REVOKED (tlskit does not check the response's signature nor fail on it; browsers that read staples refuse such a server)"
                        .to_string(),
                );
            }
            if !o.matches_leaf && o.cert_status.is_some() {
                warnings.push(
                    "the stapled OCSP response is not about the server's certificate (serial numbers differ)"
                        .to_string(),
                );
            }
        }
        Report {
            target: d.target.clone(),
            address: d.address.clone(),
            resolved: d.resolved.clone(),
            server_name: d.server_name.clone(),
            sni: d.sni.clone(),
            timings: d.timings.clone(),
            starttls: d.starttls.clone(),
            handshake: d.handshake.clone(),
            client_certificate: ClientCertReport {
                requested: obs.client_cert_requested,
                ca_hints: obs
                    .client_ca_hints
                    .iter()
                    .map(|n| dn_text(n.as_ref()))
                    .collect(),
                sent: obs.client_cert_sent,
            },
            ocsp,
            verification: Verification {
                verified,
                insecure: self.args.trust.insecure,
                trust: if obs.trusted_by_pin {
                    "pin"
                } else {
                    self.trust
                },
                error,
                pin_matched: if self.pins.is_empty() {
                    None
                } else {
                    obs.pin_matched
                },
            },
            chain,
            reconnect,
            tofu: None,
            revocation: None,
            fetched_intermediates: None,
            warnings,
            error: None,
        }
    }
}

/// Records the leaf's pin on first contact, or confirms the recorded one.
fn record_tofu(t: &TofuState, observed: &Observed) -> Result<TofuReport> {
    let leaf = observed
        .chain
        .first()
        .context("--tofu: the server presented no certificate")?;
    let pin = Pin::of_cert(leaf)?;
    // check_or_record re-reads the store under its lock: another process may
    // have recorded this server since we looked.
    let (state, entry) = match t.store.check_or_record(&t.host_port, &pin)? {
        pinstore::Tofu::Recorded(e) => ("recorded", e),
        pinstore::Tofu::Matched(e) => ("matched", e),
    };
    Ok(TofuReport {
        state,
        host_port: entry.host_port,
        pin: entry.pin,
        recorded_at: entry.recorded_at,
        store: t.store.path().display().to_string(),
    })
}

/// A pin mismatch under `--tofu` means the server's key changed since it was recorded.
fn key_changed(t: &TofuState, f: &DialFailure) -> Option<pinstore::PinChanged> {
    let entry = t.entry.as_ref()?;
    if exit::classify(&f.error) != Code::PinMismatch {
        return None;
    }
    let new = Pin::of_cert(f.report.observed.chain.first()?).ok()?;
    Some(pinstore::PinChanged {
        host_port: t.host_port.clone(),
        old: entry.pin.clone(),
        new,
        recorded_at: entry.recorded_at.clone(),
        store: t.store.path().to_path_buf(),
    })
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

/// A distinguished name as text (RFC 4514 style), or hex when it does not parse.
fn dn_text(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        Ok((_, name)) => name.to_string(),
        Err(_) => crate::tls::pin::colon_hex(der),
    }
}

pub(crate) fn stdin_mode_now() -> StdinMode {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return StdinMode::Data;
    }
    #[cfg(unix)]
    {
        use std::io::Seek;
        use std::os::fd::AsFd;
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
            return StdinMode::Closed;
        };
        let mut file = std::fs::File::from(fd);
        let Ok(meta) = file.metadata() else {
            return StdinMode::Closed;
        };
        if meta.file_type().is_char_device() {
            if let Ok(null) = std::fs::metadata("/dev/null") {
                if null.rdev() == meta.rdev() {
                    return StdinMode::Closed;
                }
            }
        }
        if meta.is_file() && file.stream_position().unwrap_or(0) >= meta.len() {
            return StdinMode::Closed;
        }
    }
    StdinMode::Data
}

/// Reads stdin on its own thread (blocking reads cannot be cancelled; the
/// thread ends with the process). The channel closes at end of file.
fn spawn_stdin_reader() -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

enum Input {
    Text(Vec<u8>),
    Stdin {
        rx: Option<mpsc::Receiver<Vec<u8>>>,
        first: Option<Vec<u8>>,
    },
}

fn write_stdout(data: &[u8]) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(data)?;
    out.flush()?;
    Ok(())
}

/// Carries input to the server and the server's data to stdout, until the
/// server closes, or input has ended and the server has been quiet for `idle`.
async fn pump(conn: &mut Dialed, input: Input, idle: Duration) -> Result<()> {
    let stream = &mut conn.stream;
    let (mut rx, mut input_done) = match input {
        Input::Text(text) => {
            stream.write_all(&text).await.map_err(|e| sending(&e))?;
            stream.flush().await.map_err(|e| sending(&e))?;
            (None, true)
        }
        Input::Stdin { rx, first } => {
            if let Some(chunk) = first {
                stream.write_all(&chunk).await.map_err(|e| sending(&e))?;
                stream.flush().await.map_err(|e| sending(&e))?;
            }
            let done = rx.is_none();
            (rx, done)
        }
    };
    let mut buf = vec![0u8; 16 * 1024];
    let mut quiet_until = tokio::time::Instant::now() + idle;
    loop {
        tokio::select! {
            chunk = async { match rx.as_mut() { Some(r) => r.recv().await, None => None } }, if !input_done => {
                match chunk {
                    Some(data) => {
                        stream.write_all(&data).await.map_err(|e| sending(&e))?;
                        stream.flush().await.map_err(|e| sending(&e))?;
                    }
                    None => {
                        input_done = true;
                        quiet_until = tokio::time::Instant::now() + idle;
                    }
                }
            }
            read = stream.read(&mut buf) => {
                match read {
                    Ok(0) => break,
                    Ok(n) => {
                        write_stdout(&buf[..n])?;
                        quiet_until = tokio::time::Instant::now() + idle;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        output::on_stderr(|| eprintln!(
                            "tlskit: {} the server closed the connection without close_notify (the data may be truncated)",
                            "warning:".yellow().bold()
                        ));
                        return Ok(());
                    }
                    Err(e) => return Err(dial::data_error(&e).context("reading from the server")),
                }
            }
            _ = tokio::time::sleep_until(quiet_until), if input_done => break,
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
    Ok(())
}

/// A failed write to the server, in the data phase.
fn sending(e: &std::io::Error) -> anyhow::Error {
    dial::data_error(e).context("sending to the server")
}

pub(crate) fn trust_label(t: &str) -> &'static str {
    match t {
        "ca-file" => "the --ca file",
        "system" => "the system trust store",
        "pin" => "the pin alone: no trusted CA signed this certificate",
        _ => "the Mozilla roots (webpki-roots)",
    }
}

fn ms(v: Option<f64>) -> Option<String> {
    v.map(|v| format!("{v:.2} ms"))
}

/// The text report.
pub fn render(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let addr = r.address.as_deref().unwrap_or("?");
    writeln!(
        out,
        "{} {} ({addr})",
        "Connected to".green().bold(),
        sanitize(&r.target).bold()
    )?;
    let t = &r.timings;
    let mut steps = Vec::new();
    for (name, v) in [
        ("DNS", t.dns_ms),
        ("TCP", t.tcp_ms),
        ("STARTTLS", t.starttls_ms),
        ("TLS", t.tls_ms),
    ] {
        if let Some(v) = ms(v) {
            steps.push(format!("{name} {v}"));
        }
    }
    field(out, "timings", steps.join(", "))?;
    if let Some(p) = &r.starttls {
        let proto = p.protocol.map_or("?".to_string(), |p| p.to_string());
        let greeting = p.greeting.as_deref().unwrap_or("");
        field(out, "STARTTLS", format!("{proto} ({})", sanitize(greeting)))?;
    }
    if let Some(h) = &r.handshake {
        field(out, "protocol", &h.protocol)?;
        field(out, "cipher suite", &h.cipher_suite)?;
        let group = if h.post_quantum {
            h.group_display().green().to_string()
        } else {
            h.group_display()
        };
        field(out, "key exchange", group)?;
        field(
            out,
            "ALPN",
            h.alpn
                .as_deref()
                .map_or("none".to_string(), |a| sanitize(a).into_owned()),
        )?;
        field(out, "SNI", r.sni.as_deref().unwrap_or("not sent"))?;
        let kind = match h.handshake_kind {
            HandshakeKind::FullWithHelloRetryRequest => "full, with HelloRetryRequest",
            other => other.name(),
        };
        field(out, "handshake", kind)?;
    }
    let cc = &r.client_certificate;
    let client = if !cc.requested {
        "not requested".to_string()
    } else {
        let hints = if cc.ca_hints.is_empty() {
            "no CA hints".to_string()
        } else {
            format!("CAs: {}", sanitize(&cc.ca_hints.join("; ")))
        };
        format!(
            "requested ({hints}); {}",
            if cc.sent { "sent" } else { "none sent" }
        )
    };
    field(out, "client cert", client)?;
    field(out, "OCSP staple", ocsp_text(&r.ocsp))?;
    let v = &r.verification;
    let verdict = if v.verified && v.trust == "pin" {
        format!(
            "{} (trusted by the pin: no trusted CA signed this certificate)",
            "OK".green().bold()
        )
    } else if v.verified {
        let pin = match v.pin_matched {
            Some(true) => ", pin matched",
            _ => "",
        };
        format!(
            "{} (trusted via {}{pin})",
            "OK".green().bold(),
            trust_label(v.trust)
        )
    } else {
        let why = v.error.as_deref().unwrap_or("not checked");
        format!("{} {}", "NOT VERIFIED:".red().bold(), sanitize(why).red())
    };
    field(out, "verification", verdict)?;
    if let Some(t) = &r.tofu {
        let text = match t.state {
            "recorded" => format!(
                "{} {} for {} (first contact; in '{}')",
                "recorded".yellow().bold(),
                t.pin,
                sanitize(&t.host_port),
                sanitize(&t.store)
            ),
            _ => format!(
                "{} the pin recorded at {}",
                "matches".green().bold(),
                t.recorded_at
            ),
        };
        field(out, "TOFU", text)?;
    }
    if let Some(rc) = &r.reconnect {
        let text = if rc.resumed {
            format!(
                "{} (TLS {})",
                "resumed".green(),
                ms(rc.timings.tls_ms).unwrap_or_default()
            )
        } else {
            let why = match rc.tickets_received {
                Some(0) => "; the server sent no session ticket".to_string(),
                Some(n) => format!(
                    "; the server sent {n} session ticket{} but did not accept {}",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                ),
                None => String::new(),
            };
            format!(
                "{} ({}{why})",
                "not resumed".yellow(),
                rc.handshake_kind.name()
            )
        };
        field(out, "reconnect", text)?;
    }
    if let Some(rev) = &r.revocation {
        crate::output::revocation::render(out, rev, crate::output::global_style())?;
    }
    render_chain(out, &r.chain)
}

fn ocsp_text(o: &OcspReport) -> String {
    if !o.stapled {
        return "none".to_string();
    }
    if let Some(e) = &o.parse_error {
        return format!("{} {}", "unreadable:".red(), sanitize(e));
    }
    let Some(s) = &o.summary else {
        return "none".to_string();
    };
    let Some(status) = &s.cert_status else {
        return format!("responder said {}", s.response_status)
            .yellow()
            .to_string();
    };
    let painted = match status.as_str() {
        "good" => status.green().bold(),
        "revoked" => status.red().bold(),
        _ => status.yellow().bold(),
    };
    let mut parts = Vec::new();
    if let Some(t) = &s.revocation_time {
        let reason = s
            .revocation_reason
            .as_deref()
            .map(|r| format!(", {r}"))
            .unwrap_or_default();
        parts.push(format!("revoked at {t}{reason}"));
    }
    if let Some(t) = &s.this_update {
        parts.push(format!("this update {t}"));
    }
    match &s.next_update {
        Some(t) => parts.push(format!("next update {t}")),
        None => parts.push("no next update".to_string()),
    }
    parts.push("signature not checked".to_string());
    format!("{painted} ({})", parts.join(", "))
}

fn render_chain(out: &mut dyn Write, chain: &[ChainCert]) -> std::io::Result<()> {
    let n = chain.len();
    writeln!(
        out,
        "{}",
        format!(
            "Certificate chain ({n} certificate{}, as sent by the server):",
            if n == 1 { "" } else { "s" }
        )
        .bold()
    )?;
    for (i, c) in chain.iter().enumerate() {
        let role = if i == 0 { "server" } else { "chain" };
        writeln!(out, " {} {role}", format!("#{i}").bold())?;
        render_cert(out, &c.summary)?;
    }
    Ok(())
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
