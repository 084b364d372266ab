//! `tlskit pin`: SPKI pins of certificates, keys, CSRs and live servers in
//! curl's `sha256//` form (and hex, base64, HPKP, TLSA); checking them with
//! `--expect`; remembering them on first use with `--trust`.

use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::exit::{self, Code};
pub use crate::output::pin::{
    ForgetReport, Format, ListReport, PinEntry, Report, TargetPins, TrustResult, TrustStatus,
};
use crate::output::{self, sanitize, Ctx};
use crate::pinstore::{self, PinStore, Tofu};
use crate::tls::files::Item;
use crate::tls::pin::Pin;
use crate::tls::source::{self, LiveOptions, Source};
use crate::tls::{verify, x509info};
use crate::when::parse_secs;

/// Arguments of `tlskit pin`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  tlskit pin cert.pem                          sha256//… for curl --pinnedpubkey
  tlskit pin key.pem                           the same pin, before the certificate exists
  tlskit pin example.com:443 --chain           every certificate's pin, to keep a backup pin
  tlskit pin cert.pem --format tlsa            3 1 1 … for a DANE TLSA record
  tlskit pin example.com:443 --expect sha256//AAAA… --expect sha256//BBBB…
  tlskit pin localhost:4433 --trust            remember the key (trust on first use)
  tlskit pin --list
  tlskit pin --forget localhost:4433

Pin store: $TLSKIT_PIN_STORE, else tlskit/pins in the user's config directory; one
'host:port pin recorded-at' line per server. 'tlskit connect HOST --tofu' uses it too.")]
pub struct Args {
    /// Certificate files (the first certificate is pinned), private keys, CSRs, public
    /// keys, `-` for standard input, or servers: HOST:PORT, https://HOST/.
    #[arg(value_name = "TARGET", required_unless_present_any = ["list", "forget"])]
    pub targets: Vec<String>,

    /// How to write pins.
    #[arg(long, value_enum, default_value_t = Format::Curl, value_name = "FORMAT")]
    pub format: Format,

    /// Pin every certificate of the chain, labelled (to keep an intermediate as a backup pin).
    #[arg(long)]
    pub chain: bool,

    /// Exit 0 when a pin matches one of these, 6 otherwise (repeatable; curl's
    /// `sha256//a;sha256//b` lists, HPKP and hex forms are accepted too). With --chain, a pin
    /// on a CA certificate counts only if the first certificate chains up to it.
    #[arg(long, value_name = "PIN", conflicts_with = "trust")]
    pub expect: Vec<String>,

    /// Servers: record the pin in the pin store on first use; afterwards exit 6 if it changed.
    #[arg(long)]
    pub trust: bool,

    /// List the pin store.
    #[arg(long, conflicts_with_all = ["targets", "trust", "expect", "chain", "forget"])]
    pub list: bool,

    /// Remove a server from the pin store.
    #[arg(long, value_name = "HOST:PORT", conflicts_with_all = ["targets", "trust", "expect", "chain"])]
    pub forget: Option<String>,

    /// Servers: the name to send as SNI, instead of the host.
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Servers: verify the chain against the CA certificates in FILE instead of Mozilla's
    /// roots (a chain that does not verify is still pinned, with a note).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<std::path::PathBuf>,

    #[command(flatten)]
    pub starttls: super::StartTlsArgs,

    /// Servers: bound on DNS + TCP connect + TLS handshake, in seconds (as for connect).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub timeout: Duration,
}

/// Runs `tlskit pin`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Code> {
    if args.list {
        return list(ctx);
    }
    if let Some(text) = &args.forget {
        return forget(text, ctx);
    }
    let expected = parse_expected(&args.expect)?;
    let sources: Vec<Source> = args.targets.iter().map(|t| Source::classify(t)).collect();
    if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
        return Err(exit::fail(
            Code::Usage,
            "'-' (standard input) can be given only once",
        ));
    }
    if args.trust {
        if let Some(s) = sources.iter().find(|s| !s.is_server()) {
            return Err(exit::fail(
                Code::Usage,
                format!(
                    "--trust records servers: {} is not HOST:PORT (the pin store keys pins by server)",
                    sanitize(&s.name())
                ),
            ));
        }
    }
    let roots = match &args.ca {
        Some(path) => Some(crate::tls::files::load_certs(path).context("--ca")?),
        None => None,
    };
    let live = LiveOptions {
        server_name: args.servername.clone(),
        timeout: args.timeout,
        roots,
        starttls: args.starttls.starttls,
        connect_to: None,
    };
    let mut targets = Vec::with_capacity(sources.len());
    for src in &sources {
        targets.push(pins_of(src, &live, args.chain)?);
    }
    if !expected.is_empty() {
        for t in &mut targets {
            // A pin on a CA of the chain counts only if the first certificate
            // chains up to it: anyone can append a CA's public certificate.
            t.expect_matched = Some(t.pins.iter().any(|p| {
                expected.contains(&p.pin)
                    && p.index.is_none_or(|i| verify::chains_up_to(&t.certs, i))
            }));
        }
    }
    let mut trust_error = None;
    if args.trust {
        let store = PinStore::open_default()?;
        for t in &mut targets {
            let (Some(host_port), Some(leaf)) = (t.host_port.clone(), t.pins.first()) else {
                continue;
            };
            // Judged as `connect --tofu` judges it: a key is trusted for a name
            // and a time only if the certificate is valid for them.
            if let Err(why) = first_use_check(t) {
                if trust_error.is_none() {
                    trust_error = Some(exit::fail(
                        Code::Verification,
                        format!(
                            "--trust: {} was not recorded: {why} (connect --tofu would refuse it too)",
                            sanitize(&host_port)
                        ),
                    ));
                }
                continue;
            }
            match store.check_or_record(&host_port, &leaf.pin) {
                Ok(tofu) => {
                    let e = tofu.entry();
                    t.trust = Some(TrustResult {
                        status: match tofu {
                            Tofu::Recorded(_) => TrustStatus::Recorded,
                            Tofu::Matched(_) => TrustStatus::Matched,
                        },
                        host_port: e.host_port.clone(),
                        recorded_at: e.recorded_at.clone(),
                        store: store.path().display().to_string(),
                    });
                }
                Err(e) if trust_error.is_none() => trust_error = Some(e),
                Err(_) => {}
            }
        }
    }

    let report = Report { targets, expected };
    for t in &report.targets {
        if let (Some(err), false) = (&t.verification_error, ctx.quiet || ctx.json) {
            eprintln!(
                "{}",
                output::pin::unverified_note(&t.source, err, ctx.stderr_style())
            );
        }
    }
    ctx.emit(&report, |out| {
        output::pin::render(out, &report, args.format, args.chain, ctx.stdout_style())
    })?;
    if !ctx.quiet && !ctx.json {
        output::pin::status(&mut std::io::stderr().lock(), &report, ctx.stderr_style())?;
    }
    if let Some(e) = trust_error {
        return Err(e);
    }
    if let Some(t) = report
        .targets
        .iter()
        .find(|t| t.expect_matched == Some(false))
    {
        // An expected pin on a CA the first certificate does not chain up to.
        if let Some(ca) = t
            .pins
            .iter()
            .find(|p| p.index.is_some_and(|i| i > 0) && report.expected.contains(&p.pin))
        {
            return Err(exit::fail(
                Code::PinMismatch,
                format!(
                    "pin mismatch for {}: the expected pin is that of {}, which it presents, but its first certificate does not chain up to it (a pinned CA vouches only for certificates it issued)",
                    sanitize(&t.source),
                    sanitize(ca.subject.as_deref().unwrap_or("a certificate"))
                ),
            ));
        }
        let seen: Vec<String> = t.pins.iter().map(|p| p.pin.to_string()).collect();
        let wanted: Vec<String> = report.expected.iter().map(Pin::to_string).collect();
        return Err(exit::fail(
            Code::PinMismatch,
            format!(
                "pin mismatch for {}: it has {}; expected {}",
                sanitize(&t.source),
                seen.join(", "),
                wanted.join(" or ")
            ),
        ));
    }
    Ok(Code::Success)
}

fn parse_expected(texts: &[String]) -> Result<Vec<Pin>> {
    let mut pins = Vec::new();
    for t in texts {
        let list = Pin::parse_list(t).map_err(|e| exit::tag(Code::Usage, e.context("--expect")))?;
        if list.is_empty() {
            return Err(exit::fail(Code::Usage, "--expect: empty pin"));
        }
        pins.extend(list);
    }
    Ok(pins)
}

fn pins_of(src: &Source, live: &LiveOptions, chain: bool) -> Result<TargetPins> {
    let name = src.name();
    let loaded = source::load(src, live)?;
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    let mut csrs = Vec::new();
    let mut public_keys = Vec::new();
    let mut other = None;
    for item in loaded.items {
        match item {
            Item::Certificate(c) => certs.push(c),
            Item::PrivateKey(k) => keys.push(k),
            Item::Csr(c) => csrs.push(c),
            Item::PublicKey(p) => public_keys.push(p),
            Item::Other(what) => other = other.or(Some(what)),
        }
    }
    let mut pins = Vec::new();
    if !certs.is_empty() {
        let take = if chain { certs.len() } else { 1 };
        for (i, der) in certs.iter().take(take).enumerate() {
            let cert = x509info::parse_cert(der)
                .with_context(|| format!("{name}: certificate #{i} does not parse"))?;
            let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
            // What the certificate is, not where it stands: a CA first in its file
            // (ca.pem, a chain in reverse order) is not a leaf.
            let label = match (i, cert.is_ca(), self_issued) {
                (_, true, true) => "root",
                (_, true, false) => "intermediate",
                (0, false, _) => "leaf",
                (_, false, _) => "intermediate",
            };
            pins.push(PinEntry::new(
                Some(i),
                label,
                Some(cert.subject().to_string()),
                Pin::of_spki(cert.public_key().raw),
            ));
        }
    } else {
        let what = if !keys.is_empty() {
            "a private key"
        } else if !csrs.is_empty() {
            "a certificate request"
        } else if !public_keys.is_empty() {
            "a public key"
        } else {
            other.unwrap_or("nothing")
        };
        if chain {
            bail!("--chain: {name} holds {what}, not a certificate chain");
        }
        if let Some(k) = keys.first() {
            let d = x509info::describe_private_key(k).with_context(|| name.clone())?;
            pins.push(PinEntry::new(None, "private key", None, d.spki_pin));
        } else if let Some(c) = csrs.first() {
            let d = x509info::describe_csr(c.as_ref()).with_context(|| name.clone())?;
            pins.push(PinEntry::new(
                None,
                "certificate request",
                Some(d.subject),
                d.spki_pin,
            ));
        } else if let Some(p) = public_keys.first() {
            let d = x509info::describe_public_key(p).with_context(|| name.clone())?;
            pins.push(PinEntry::new(None, "public key", None, d.spki_pin));
        } else {
            bail!("{name}: nothing to pin (it holds {what})");
        }
    }
    let served = loaded.served;
    Ok(TargetPins {
        source: match (src, &served) {
            (_, Some(s)) => s.target.clone(),
            (Source::File(p), _) => p.display().to_string(),
            _ => "-".to_string(),
        },
        kind: src.kind(),
        verified: served.as_ref().map(|s| s.verdict.is_ok()),
        // pin has --ca but no --pin: the advice names only what it has.
        verification_error: served
            .as_ref()
            .and_then(|s| s.verdict.clone().err())
            .map(crate::tls::explain::without_pin_advice),
        pins,
        expect_matched: None,
        trust: None,
        server_name: served.as_ref().map(|s| s.server_name.clone()),
        host_port: served.map(|s| s.host_port),
        certs,
    })
}

/// Why a server's certificate may not be trusted on first use (name, dates).
fn first_use_check(t: &TargetPins) -> std::result::Result<(), String> {
    let (Some(leaf), Some(name)) = (t.certs.first(), &t.server_name) else {
        return Ok(());
    };
    verify::check_first_use(leaf, name).map_err(|e| match &e {
        rustls::Error::InvalidCertificate(ce) => crate::tls::explain::describe_cert_error(
            ce,
            &t.certs,
            name,
            time::OffsetDateTime::now_utc(),
        ),
        other => format!("{other}"),
    })
}

fn list(ctx: &Ctx) -> Result<Code> {
    let store = PinStore::open_default()?;
    let report = ListReport {
        store: store.path().display().to_string(),
        entries: store.list()?,
    };
    if report.entries.is_empty() && !ctx.json && !ctx.quiet {
        eprintln!("tlskit: no pins recorded in '{}'", sanitize(&report.store));
    }
    ctx.emit(&report, |out| output::pin::list(out, &report))?;
    Ok(Code::Success)
}

fn forget(text: &str, ctx: &Ctx) -> Result<Code> {
    let target = crate::tls::target::Target::parse(text).context("--forget")?;
    let host_port = pinstore::store_key(&target.host, target.port);
    let store = PinStore::open_default()?;
    let Some(entry) = store.forget(&host_port)? else {
        bail!(
            "no pin is recorded for {host_port} in '{}' (see tlskit pin --list)",
            store.path().display()
        );
    };
    let report = ForgetReport {
        store: store.path().display().to_string(),
        forgotten: entry,
    };
    if ctx.json || !ctx.quiet {
        ctx.emit(&report, |out| output::pin::forgotten(out, &report))?;
    }
    Ok(Code::Success)
}
