//! The text of connect's report, plain and coloured, checked whole.

use super::*;
use crate::report::connect::{ClientCertReport, ErrorReport};
use crate::report::ChainCert;
use crate::tls::certinfo::CertSummary;
use crate::tls::dial::Timings;
use crate::tls::handshake::HandshakeInfo;
use crate::tls::ocsp::{CertStatus, OcspSummary, ResponseStatus};
use crate::tls::pin::Pin;

const PIN: &str = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const COLOUR: Style = Style { color: true };

fn cert(subject: &str, days_left: i64) -> ChainCert {
    let g = crate::tls::certgen::ephemeral_localhost().expect("certificate");
    let mut summary = CertSummary::from_der(&g.cert_der).expect("summary");
    summary.subject = subject.to_string();
    summary.issuer = "CN=Test CA".to_string();
    summary.sans = vec!["DNS:localhost".to_string()];
    summary.not_before = "2026-01-01T00:00:00Z".to_string();
    summary.not_after = "2027-01-01T00:00:00Z".to_string();
    summary.days_left = days_left;
    summary.days_until_valid = -30;
    summary.is_ca = false;
    summary.self_issued = false;
    summary.sha256_fingerprint = "AB:CD".to_string();
    summary.spki_pin = Pin::parse(PIN).expect("pin");
    ChainCert { summary, pem: None }
}

fn report() -> Report {
    Report {
        target: "localhost:4433".to_string(),
        address: Some("127.0.0.1:4433".to_string()),
        resolved: vec!["127.0.0.1:4433".to_string()],
        server_name: "localhost".to_string(),
        sni: Some("localhost".to_string()),
        timings: Timings {
            dns_ms: Some(0.5),
            tcp_ms: Some(1.25),
            starttls_ms: None,
            tls_ms: Some(3.0),
        },
        starttls: None,
        handshake: Some(HandshakeInfo {
            protocol: crate::tls::handshake::Protocol::Tls13,
            cipher_suite: "TLS_AES_256_GCM_SHA384".to_string(),
            group: Some("X25519MLKEM768".to_string()),
            post_quantum: true,
            alpn: Some("h2".to_string()),
            handshake_kind: HandshakeKind::FullWithHelloRetryRequest,
        }),
        client_certificate: ClientCertReport {
            requested: true,
            ca_hints: vec!["CN=Clients".to_string()],
            sent: false,
        },
        ocsp: OcspReport {
            stapled: true,
            summary: Some(OcspSummary {
                response_status: ResponseStatus::Successful,
                cert_status: Some(CertStatus::Good),
                produced_at: None,
                this_update: Some("2026-06-01T00:00:00Z".to_string()),
                next_update: None,
                revocation_time: None,
                revocation_reason: None,
                matches_leaf: true,
                responses: 1,
            }),
            parse_error: None,
        },
        verification: Verification {
            verified: true,
            insecure: false,
            trust: Trust::CaFile,
            error: None,
            pin_matched: Some(true),
        },
        chain: vec![cert("CN=localhost", 200), cert("CN=Test CA", 20)],
        reconnect: Some(Reconnect {
            resumed: false,
            handshake_kind: HandshakeKind::Full,
            timings: Timings::default(),
            tickets_received: Some(2),
        }),
        tofu: Some(TofuReport {
            state: TofuState::Recorded,
            host_port: "localhost:4433".to_string(),
            pin: Pin::parse(PIN).expect("pin"),
            recorded_at: "2026-06-01T00:00:00Z".to_string(),
            store: "/tmp/pins.json".to_string(),
        }),
        revocation: None,
        fetched_intermediates: None,
        warnings: Vec::new(),
        error: None::<ErrorReport>,
    }
}

fn text(r: &Report, style: Style) -> String {
    let mut out = Vec::new();
    render(&mut out, r, style).expect("render");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn plain_report_is_the_whole_text_without_escapes() {
    let cert_lines = |subject: &str, expiry: &str| {
        format!(
            "  subject:       {subject}\n  issuer:        CN=Test CA\n  SANs:          DNS:localhost\n  key:           ECDSA P-256\n  valid:         2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z ({expiry})\n  SHA-256:       AB:CD\n  SPKI pin:      {PIN}\n"
        )
    };
    let want = format!(
        "Connected to localhost:4433 (127.0.0.1:4433)
  timings:       DNS 0.50 ms, TCP 1.25 ms, TLS 3.00 ms
  protocol:      TLSv1.3
  cipher suite:  TLS_AES_256_GCM_SHA384
  key exchange:  X25519MLKEM768 (post-quantum hybrid)
  ALPN:          h2
  SNI:           localhost
  handshake:     full, with HelloRetryRequest
  client cert:   requested (CAs: CN=Clients); none sent
  OCSP staple:   good (this update 2026-06-01T00:00:00Z, no next update, signature not checked)
  verification:  OK (trusted via the --ca file, pin matched)
  TOFU:          recorded {PIN} for localhost:4433 (first contact; in '/tmp/pins.json')
  reconnect:     not resumed (full; the server sent 2 session tickets but did not accept them)
Certificate chain (2 certificates, as sent by the server):
 #0 server
{} #1 chain
{}",
        cert_lines("CN=localhost", "expires in 200 days"),
        cert_lines("CN=Test CA", "expires in 20 days"),
    );
    assert_eq!(text(&report(), Style::PLAIN), want);
}

#[test]
fn colour_paints_the_parts_that_carry_meaning() {
    let t = text(&report(), COLOUR);
    for want in [
        "\x1b[1;32mConnected to\x1b[0m \x1b[1mlocalhost:4433\x1b[0m (127.0.0.1:4433)\n",
        "  \x1b[2mtimings:      \x1b[0m DNS 0.50 ms",
        "\x1b[2mkey exchange: \x1b[0m \x1b[32mX25519MLKEM768 (post-quantum hybrid)\x1b[0m\n",
        "\x1b[2mOCSP staple:  \x1b[0m \x1b[1;32mgood\x1b[0m (this update",
        "\x1b[2mverification: \x1b[0m \x1b[1;32mOK\x1b[0m (trusted via the --ca file, pin matched)\n",
        "\x1b[2mTOFU:         \x1b[0m \x1b[1;33mrecorded\x1b[0m sha256//",
        "\x1b[2mreconnect:    \x1b[0m \x1b[33mnot resumed\x1b[0m (full;",
        "\x1b[1mCertificate chain (2 certificates, as sent by the server):\x1b[0m\n \x1b[1m#0\x1b[0m server\n",
        "(\x1b[32mexpires in 200 days\x1b[0m)",
        "(\x1b[33mexpires in 20 days\x1b[0m)",
    ] {
        assert!(t.contains(want), "missing {want:?} in\n{t}");
    }
    // Without the escapes, the coloured text is the plain one.
    let stripped = t.replace("\x1b[0m", "").replace("\x1b[1;32m", "");
    let stripped = ["\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[33m", "\x1b[1;33m"]
        .iter()
        .fold(stripped, |s, e| s.replace(e, ""));
    assert_eq!(stripped, text(&report(), Style::PLAIN));
}

#[test]
fn failures_and_other_outcomes() {
    let mut r = report();
    r.verification = Verification {
        verified: false,
        insecure: true,
        trust: Trust::WebpkiRoots,
        error: Some("issuer unknown\x1b[2J".to_string()),
        pin_matched: None,
    };
    r.ocsp = OcspReport {
        stapled: true,
        summary: None,
        parse_error: Some("truncated".to_string()),
    };
    r.reconnect = Some(Reconnect {
        resumed: true,
        handshake_kind: HandshakeKind::Resumed,
        timings: Timings {
            tls_ms: Some(0.75),
            ..Timings::default()
        },
        tickets_received: Some(1),
    });
    r.tofu = None;
    r.handshake = None;
    r.client_certificate.requested = false;
    let plain = text(&r, Style::PLAIN);
    // A peer's control characters are escaped, never passed to the terminal.
    assert!(
        plain.contains("  verification:  NOT VERIFIED: issuer unknown\\e[2J\n"),
        "{plain}"
    );
    assert!(
        plain.contains("  OCSP staple:   unreadable: truncated\n"),
        "{plain}"
    );
    assert!(
        plain.contains("  reconnect:     resumed (TLS 0.75 ms)\n"),
        "{plain}"
    );
    assert!(
        plain.contains("  client cert:   not requested\n"),
        "{plain}"
    );
    assert!(
        !plain.contains("TOFU") && !plain.contains("protocol:"),
        "{plain}"
    );
    let coloured = text(&r, COLOUR);
    assert!(
        coloured.contains("\x1b[1;31mNOT VERIFIED:\x1b[0m \x1b[31missuer unknown\\e[2J\x1b[0m\n"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\x1b[31munreadable:\x1b[0m truncated"),
        "{coloured}"
    );
    assert!(coloured.contains("\x1b[32mresumed\x1b[0m (TLS 0.75 ms)"));

    r.verification.verified = true;
    r.verification.trust = Trust::Pin;
    assert!(text(&r, Style::PLAIN).contains(
        "  verification:  OK (trusted by the pin: no trusted CA signed this certificate)\n"
    ));
    r.tofu = Some(TofuReport {
        state: TofuState::Matched,
        host_port: "h:1".to_string(),
        pin: Pin::parse(PIN).expect("pin"),
        recorded_at: "2026-06-01T00:00:00Z".to_string(),
        store: "s".to_string(),
    });
    assert!(text(&r, COLOUR)
        .contains("\x1b[1;32mmatches\x1b[0m the pin recorded at 2026-06-01T00:00:00Z\n"));
}

#[test]
fn ocsp_statuses_and_responder_answers() {
    let mut o = report().ocsp;
    let s = o.summary.as_mut().expect("summary");
    s.cert_status = Some(CertStatus::Revoked);
    s.revocation_time = Some("2026-02-01T00:00:00Z".to_string());
    s.revocation_reason = Some("key_compromise".to_string());
    s.next_update = Some("2026-06-02T00:00:00Z".to_string());
    assert_eq!(
        ocsp_text(&o, COLOUR),
        "\x1b[1;31mrevoked\x1b[0m (revoked at 2026-02-01T00:00:00Z, key_compromise, this update 2026-06-01T00:00:00Z, next update 2026-06-02T00:00:00Z, signature not checked)"
    );
    let s = o.summary.as_mut().expect("summary");
    s.cert_status = None;
    s.response_status = ResponseStatus::TryLater;
    assert_eq!(ocsp_text(&o, Style::PLAIN), "responder said try_later");
    assert_eq!(
        ocsp_text(&o, COLOUR),
        "\x1b[33mresponder said try_later\x1b[0m"
    );
    o.stapled = false;
    assert_eq!(ocsp_text(&o, COLOUR), "none");
}

#[test]
fn a_failed_handshake_shows_the_presented_chain() {
    let mut out = Vec::new();
    let chain = [cert("CN=evil\x07", 5)];
    render_failed(&mut out, Transport::Tls, "host:443", None, &chain, COLOUR).expect("render");
    let t = String::from_utf8(out).expect("utf-8");
    assert!(
        t.starts_with(
            "\x1b[1mHandshake with\x1b[0m \x1b[1mhost:443\x1b[0m (?) \x1b[1mfailed.\x1b[0m\n\x1b[1mCertificate chain (1 certificate, as sent by the server):\x1b[0m\n"
        ),
        "{t}"
    );
    assert!(t.contains("CN=evil\\u{7}"), "{t}");
    assert_eq!(
        insecure_warning(Style::PLAIN),
        "tlskit: warning: --insecure: the certificate is not verified; anyone on the path could impersonate this server"
    );
    assert!(insecure_warning(COLOUR)
        .starts_with("tlskit: \x1b[1;31mwarning:\x1b[0m \x1b[31m--insecure"));
}
