//! Turning rustls errors into sentences a person understands: "expired on
//! 2025-01-01 (40 days ago)", "valid for a.test, b.test but not for c.test",
//! "issued by an unknown authority 'CN=Corp CA'", with the exit code each
//! deserves. The presented chain (recorded by the verifier) supplies the
//! names and dates that rustls' error variants leave out.

use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::{AlertDescription, CertificateError, Error, ExtendedKeyPurpose};
use time::OffsetDateTime;

use super::certinfo::{self, CertSummary};
use super::config::Versions;
use super::verify::Observed;
use crate::text::sanitize;

/// The smallest RSA key rustls (aws-lc-rs) accepts for a handshake signature.
pub const MIN_RSA_BITS: u32 = 2048;

/// A server key too weak to be accepted, recorded as a verification failure.
#[derive(Debug)]
pub struct WeakKey {
    /// The key's algorithm.
    pub algorithm: String,
    /// Its size.
    pub bits: u32,
}

impl std::fmt::Display for WeakKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server's {} key is only {} bits; at least {MIN_RSA_BITS} are required",
            self.algorithm, self.bits
        )
    }
}

impl std::error::Error for WeakKey {}

/// A sentence for any TLS error met while connecting, using what the verifier recorded.
pub fn describe_error(err: &Error, observed: &Observed, server_name: &str) -> String {
    let now = OffsetDateTime::now_utc();
    match err {
        Error::InvalidCertificate(ce) => describe_cert_error(ce, &observed.chain, server_name, now),
        Error::AlertReceived(alert) => describe_alert(*alert, observed),
        Error::InvalidMessage(m) => describe_invalid_message(m, err),
        Error::PeerSentOversizedRecord => {
            "the server sent a record larger than TLS allows".to_string()
        }
        Error::NoApplicationProtocol => {
            "the server accepts none of the ALPN protocols offered".to_string()
        }
        Error::PeerIncompatible(why) => {
            let what = describe_incompatible(why);
            match observed.offered.restriction() {
                Some(r) => format!("{what}; note: {r}"),
                None => what,
            }
        }
        Error::PeerMisbehaved(why) => {
            format!("the server broke the TLS protocol: {}", debug_words(why))
        }
        other => format!("TLS handshake failed: {other}"),
    }
}

/// For a command with no `--pin` (scan, pin): the advice given for a
/// self-signed certificate names only `--ca`, which takes the certificate itself.
pub fn without_pin_advice(why: String) -> String {
    match why.find(" or --pin ") {
        Some(i) => format!("{} (the certificate itself)", &why[..i]),
        None => why,
    }
}

/// A sentence for what the server and tlskit have no common ground on.
pub fn describe_incompatible(why: &rustls::PeerIncompatible) -> String {
    use rustls::PeerIncompatible as P;
    match why {
        P::ServerDoesNotSupportTls12Or13 => {
            "the server does not accept TLS 1.2 or 1.3 (tlskit speaks nothing older)".into()
        }
        P::ServerTlsVersionIsDisabledByOurConfig | P::Tls12NotOffered | P::Tls12NotOfferedOrEnabled => {
            "the server chose a protocol version that was not offered".into()
        }
        P::NoCipherSuitesInCommon => "no cipher suite in common with the server".into(),
        P::NoKxGroupsInCommon | P::NamedGroupsExtensionRequired => {
            "no key-exchange group in common with the server".into()
        }
        P::NoSignatureSchemesInCommon => "no signature scheme in common with the server".into(),
        P::NoCertificateRequestSignatureSchemesInCommon => {
            "the client certificate's key cannot make any signature the server accepts".into()
        }
        P::ExtendedMasterSecretExtensionRequired => {
            "the server does not support the extended master secret (RFC 7627), which TLS 1.2 requires here".into()
        }
        other => format!(
            "the server cannot negotiate with tlskit (TLS 1.2/1.3 only): {}",
            debug_words(other)
        ),
    }
}

/// A rustls error as words, for the brackets after a sentence: no Debug
/// names (`HandshakePayloadTooLarge` → "handshake payload too large").
pub fn error_words(err: &Error) -> String {
    match err {
        Error::InvalidMessage(m) => debug_words(m),
        Error::PeerMisbehaved(p) => debug_words(p),
        Error::PeerIncompatible(p) => describe_incompatible(p),
        Error::AlertReceived(a) => format!("alert {}", alert_name(&format!("{a:?}"))),
        Error::InappropriateMessage { got_type, .. } => {
            format!("an unexpected {} message", debug_words(got_type))
        }
        Error::InappropriateHandshakeMessage { got_type, .. } => {
            format!("an unexpected {} handshake message", debug_words(got_type))
        }
        Error::InvalidCertificate(c) => debug_words(c),
        other => other.to_string(),
    }
}

/// A rustls enum's Debug name as lower-case words, for the rare variant no
/// sentence was written for: `TooManyKeyUpdateRequests` → "too many key
/// update requests". Fields (if any) are dropped.
pub fn debug_words<T: std::fmt::Debug + ?Sized>(value: &T) -> String {
    let debug = format!("{value:?}");
    let name = debug.split(['(', ' ', '{']).next().unwrap_or_default();
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let starts_word = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if starts_word {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A sentence for a message rustls could not decode, during the handshake.
fn describe_invalid_message(m: &rustls::InvalidMessage, err: &Error) -> String {
    use rustls::InvalidMessage as M;
    match m {
        // Bytes that are not even a TLS record header: a plaintext service, most likely.
        M::InvalidContentType | M::UnknownProtocolVersion => format!(
            "the server did not answer with TLS ({}); is this a TLS port? A plaintext service that upgrades needs --starttls PROTO (tlskit connect and scan have it)",
            error_words(err)
        ),
        M::MessageTooLarge => format!(
            "the server sent a TLS record larger than the protocol allows (over 16 KiB of payload) ({})",
            error_words(err)
        ),
        M::HandshakePayloadTooLarge | M::CertificatePayloadTooLarge => format!(
            "the server sent a handshake message too large to accept (over 64 KiB: an endless or absurd certificate chain?) ({})",
            error_words(err)
        ),
        _ => format!("the server sent a malformed TLS message ({})", error_words(err)),
    }
}

/// A sentence for a TLS error on an established connection (after the handshake).
pub fn describe_data_error(err: &Error) -> String {
    use rustls::InvalidMessage as M;
    match err {
        Error::InvalidMessage(M::InvalidContentType | M::UnknownProtocolVersion) => {
            format!("the server sent bytes that are not TLS records after the handshake ({})", error_words(err))
        }
        Error::InvalidMessage(M::MessageTooLarge) | Error::PeerSentOversizedRecord => {
            format!("the server sent a TLS record larger than the protocol allows (over 16 KiB of payload) ({})", error_words(err))
        }
        Error::InvalidMessage(_) => format!("the server sent a malformed TLS message ({})", error_words(err)),
        Error::DecryptError => {
            "a record from the server did not decrypt: the data on the connection was corrupted or injected".to_string()
        }
        Error::AlertReceived(alert) => format!(
            "the server sent the alert {}",
            alert_name(&format!("{alert:?}"))
        ),
        Error::PeerMisbehaved(why) => {
            format!("the server broke the TLS protocol: {}", debug_words(why))
        }
        other => format!("TLS error: {other}"),
    }
}

fn describe_alert(alert: AlertDescription, observed: &Observed) -> String {
    let name = format!("{alert:?}");
    let why = match alert {
        AlertDescription::HandshakeFailure
        | AlertDescription::BadCertificate
        | AlertDescription::UnknownCA
        | AlertDescription::CertificateUnknown
        | AlertDescription::AccessDenied
            if observed.client_cert_requested && !observed.client_cert_sent =>
        {
            "the server asked for a client certificate and none was sent: give one with --cert FILE --key FILE"
        }
        AlertDescription::HandshakeFailure => {
            "no protocol version, cipher suite, group or signature scheme in common, or the server rejected the ClientHello"
        }
        AlertDescription::ProtocolVersion => match observed.offered.versions {
            Versions::Tls13 => {
                "the server does not accept TLS 1.3, the only version offered because of --tls13 (leave it out to offer TLS 1.2 too)"
            }
            Versions::Tls12 => {
                "the server does not accept TLS 1.2, the only version offered because of --tls12 (leave it out to offer TLS 1.3 too)"
            }
            Versions::Both => {
                "the server does not accept TLS 1.2 or 1.3 (tlskit speaks nothing older)"
            }
        },
        AlertDescription::CertificateRequired => {
            "the server requires a client certificate: give one with --cert FILE --key FILE"
        }
        AlertDescription::UnrecognisedName => "the server does not know the name sent as SNI",
        AlertDescription::NoApplicationProtocol => {
            "the server accepts none of the ALPN protocols offered"
        }
        AlertDescription::BadCertificate
        | AlertDescription::UnknownCA
        | AlertDescription::CertificateUnknown
        | AlertDescription::UnsupportedCertificate
        | AlertDescription::CertificateExpired
        | AlertDescription::AccessDenied
        | AlertDescription::DecryptError
            if observed.client_cert_sent =>
        {
            "the server rejected the client certificate"
        }
        AlertDescription::InsufficientSecurity => "the server wants stronger parameters",
        _ => "",
    };
    let alert_name = alert_name(&name);
    // A refusal for lack of something in common: say what the flags left out.
    let restricted = match alert {
        AlertDescription::HandshakeFailure
        | AlertDescription::InsufficientSecurity
        | AlertDescription::IllegalParameter => observed.offered.restriction(),
        _ => None,
    }
    .filter(|_| !observed.client_cert_requested || observed.client_cert_sent)
    .map(|r| format!("; note: {r}"))
    .unwrap_or_default();
    if why.is_empty() {
        format!("the server aborted the handshake (alert: {alert_name}){restricted}")
    } else {
        format!("{why} (alert: {alert_name}){restricted}")
    }
}

/// `CertificateRequired` → `certificate_required`, `UnknownCA` → `unknown_ca`:
/// the name RFC 8446 gives the alert.
pub fn alert_name(debug: &str) -> String {
    // rustls spells this one the British way; the RFC does not.
    if debug == "UnrecognisedName" {
        return "unrecognized_name".to_string();
    }
    crate::text::snake_words(debug, '_')
}

/// A sentence for a certificate verification failure.
pub fn describe_cert_error(
    err: &CertificateError,
    chain: &[CertificateDer<'_>],
    server_name: &str,
    now: OffsetDateTime,
) -> String {
    let summaries: Vec<CertSummary> = chain
        .iter()
        .filter_map(|c| {
            x509_parser::parse_x509_certificate(c)
                .ok()
                .map(|(_, p)| (c, p))
        })
        .map(|(der, parsed)| CertSummary::new(&parsed, der, now))
        .collect();
    let leaf = summaries.first();
    let name = sanitize(server_name);
    match err {
        CertificateError::ExpiredContext { time, not_after } => {
            let who = which_cert(&summaries, |s| same_time(&s.not_after, *not_after));
            let ago = days_between(*time, *not_after);
            format!(
                "{who} expired on {} ({} ago)",
                date(*not_after),
                plural_days(-ago.min(-1))
            )
        }
        CertificateError::Expired => match leaf {
            Some(l) if l.days_left < 0 => format!(
                "the server's certificate expired on {} ({} ago)",
                l.not_after,
                plural_days(-l.days_left)
            ),
            _ => "a certificate in the chain has expired".to_string(),
        },
        CertificateError::NotValidYetContext { time, not_before } => {
            let who = which_cert(&summaries, |s| same_time(&s.not_before, *not_before));
            let until = days_between(*time, *not_before);
            format!(
                "{who} is not valid until {} (in {}); check the clock of this machine and of the server",
                date(*not_before),
                plural_days(until.max(1))
            )
        }
        CertificateError::NotValidYet => match leaf {
            Some(l) => format!(
                "the server's certificate is not valid until {}",
                l.not_before
            ),
            None => "a certificate in the chain is not valid yet".to_string(),
        },
        CertificateError::NotValidForNameContext { presented, .. } => {
            not_for_name(presented, &name)
        }
        CertificateError::NotValidForName => {
            let presented: Vec<String> = leaf
                .map(|l| {
                    l.sans
                        .iter()
                        .map(|s| s.split_once(':').map_or(s.as_str(), |(_, v)| v).to_string())
                        .collect()
                })
                .unwrap_or_default();
            not_for_name(&presented, &name)
        }
        CertificateError::UnknownIssuer => unknown_issuer(&summaries),
        CertificateError::InvalidPurposeContext {
            required,
            presented,
        } => {
            let have: Vec<String> = presented.iter().map(purpose).collect();
            let allows = if have.is_empty() {
                "it allows no purpose tlskit knows".to_string()
            } else {
                format!("its extended key usage allows only {}", have.join(", "))
            };
            format!(
                "the server's certificate is not valid for {}: {allows}",
                purpose(required)
            )
        }
        CertificateError::InvalidPurpose => {
            "the server's certificate is not valid for server authentication (extended key usage)"
                .to_string()
        }
        CertificateError::Revoked => "the server's certificate has been revoked".to_string(),
        CertificateError::BadSignature
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            match leaf.and_then(weak_rsa) {
                Some(weak) => weak.to_string(),
                None => {
                    "a signature in the certificate chain or handshake does not verify".to_string()
                }
            }
        }
        CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id,
            ..
        } => match leaf.and_then(weak_rsa) {
            Some(weak) => weak.to_string(),
            None => format!(
                "a certificate is signed with an algorithm rustls does not support ({})",
                algorithm_name(signature_algorithm_id)
            ),
        },
        CertificateError::BadEncoding => {
            "the server's certificate is malformed (it does not parse as DER X.509)".to_string()
        }
        CertificateError::UnhandledCriticalExtension => {
            "a certificate in the chain has a critical extension that is not understood".to_string()
        }
        CertificateError::Other(other) => {
            let inner: &(dyn std::error::Error + 'static) = &*other.0;
            if let Some(pin) = inner.downcast_ref::<super::verify::PinMismatch>() {
                return pin.to_string();
            }
            if let Some(pin) = inner.downcast_ref::<super::verify::PinNotIssuer>() {
                return pin.to_string();
            }
            if let Some(weak) = inner.downcast_ref::<WeakKey>() {
                return weak.to_string();
            }
            describe_webpki(&inner.to_string(), leaf)
        }
        other => format!(
            "the server's certificate did not verify: {}",
            debug_words(other)
        ),
    }
}

/// webpki's errors that rustls passes on as `Other`, by their (Debug) name.
fn describe_webpki(name: &str, leaf: Option<&CertSummary>) -> String {
    let head = name.split(['(', ' ', '{']).next().unwrap_or(name);
    match head {
        "CaUsedAsEndEntity" => {
            let who = leaf
                .map(|l| format!(" ({})", sanitize(&l.subject)))
                .unwrap_or_default();
            format!("the server presents a CA certificate{who} as its own certificate (basicConstraints CA:TRUE); a server certificate must not be a CA")
        }
        "EndEntityUsedAsCa" => {
            "a certificate that is not a CA (CA:FALSE) was used to sign another certificate in the chain".to_string()
        }
        "PathLenConstraintViolated" => {
            "the chain is longer than a CA's path-length constraint allows".to_string()
        }
        "NameConstraintViolation" => {
            "the server's name is outside the names its CA may issue for (name constraints)"
                .to_string()
        }
        "MaximumPathDepthExceeded" => "the certificate chain is too long".to_string(),
        "UnsupportedCertVersion" => {
            "the certificate is not an X.509 v3 certificate".to_string()
        }
        "EmptyEkuExtension" => {
            "the server's certificate has an empty extended key usage".to_string()
        }
        "CertDistrusted" => "the certificate's issuer has been distrusted".to_string(),
        _ => format!(
            "the server's certificate did not verify ({})",
            sanitize(name)
        ),
    }
}

fn weak_rsa(leaf: &CertSummary) -> Option<WeakKey> {
    match leaf.key.bits {
        Some(bits) if leaf.key.algorithm == "RSA" && bits < MIN_RSA_BITS => Some(WeakKey {
            algorithm: "RSA".to_string(),
            bits,
        }),
        _ => None,
    }
}

/// The weak RSA key of a DER certificate, if it has one.
pub fn weak_key_of(cert: &CertificateDer<'_>) -> Option<WeakKey> {
    let (_, parsed) = x509_parser::parse_x509_certificate(cert).ok()?;
    let info = certinfo::key_info(parsed.public_key());
    match info.bits {
        Some(bits) if info.algorithm == "RSA" && bits < MIN_RSA_BITS => Some(WeakKey {
            algorithm: info.algorithm,
            bits,
        }),
        _ => None,
    }
}

fn not_for_name(presented: &[String], name: &str) -> String {
    if presented.is_empty() {
        return format!("the server's certificate names no host (it has no subject alternative names), so it is not valid for {name}");
    }
    let shown: Vec<String> = presented
        .iter()
        .take(10)
        .map(|s| sanitize(&presented_name(s)).into_owned())
        .collect();
    let more = if presented.len() > 10 {
        format!(" and {} more", presented.len() - 10)
    } else {
        String::new()
    };
    let hint = if name.parse::<std::net::IpAddr>().is_ok() {
        "; no SNI is sent to an IP address, so a server with several certificates shows its default one: to ask for a name and check it, add --servername NAME"
    } else {
        ""
    };
    format!(
        "the server's certificate is valid for {}{more} but not for {name}{hint}",
        shown.join(", ")
    )
}

/// webpki reports presented names in Debug form (`DnsName("a.test")`, `IpAddress(127.0.0.1)`).
/// IP addresses in their usual form (webpki writes `::1` as `0::1`).
fn presented_name(s: &str) -> String {
    for prefix in ["DnsName(\"", "IpAddress(", "URI(\"", "RFC822Name(\""] {
        if let Some(inner) = s.strip_prefix(prefix) {
            let inner = inner.trim_end_matches(')').trim_end_matches('"');
            return match inner.parse::<std::net::IpAddr>() {
                Ok(ip) => ip.to_string(),
                Err(_) => inner.to_string(),
            };
        }
    }
    s.to_string()
}

fn unknown_issuer(chain: &[CertSummary]) -> String {
    let Some(top) = chain.last() else {
        return "the certificate is issued by an unknown authority".to_string();
    };
    if chain.len() == 1 && top.self_issued {
        return format!(
            "the server's certificate is self-signed ({}), and no trusted CA vouches for it; trust it with --ca FILE or --pin {}",
            sanitize(&top.subject),
            top.spki_pin
        );
    }
    if top.self_issued {
        return format!(
            "the chain ends in a root that is not trusted: {}; trust it with --ca FILE",
            sanitize(&top.subject)
        );
    }
    if chain.len() == 1 {
        // Only the server's own certificate: its issuer may be a root nobody
        // trusts here, or an intermediate the server forgot to send.
        return format!(
            "the certificate is issued by an unknown authority: {}; the server did not send it and it is not a trusted root: if it is an intermediate CA, the server's chain is incomplete (a server must send its intermediate certificates after its own); if it is a root, trust it with --ca FILE",
            sanitize(&top.issuer)
        );
    }
    format!(
        "the certificate is issued by an unknown authority: {}; it is not among the trusted roots (give its CA with --ca FILE)",
        sanitize(&top.issuer)
    )
}

fn purpose(p: &ExtendedKeyPurpose) -> String {
    match p {
        ExtendedKeyPurpose::ServerAuth => "server authentication".to_string(),
        ExtendedKeyPurpose::ClientAuth => "client authentication".to_string(),
        other => format!("the purpose {other}"),
    }
}

fn algorithm_name(der: &[u8]) -> String {
    // The AlgorithmIdentifier's content: an OID TLV first.
    if der.len() > 2 && der[0] == 0x06 && (der[1] as usize) + 2 <= der.len() {
        let oid = x509_parser::der_parser::oid::Oid::new(der[2..2 + der[1] as usize].into());
        return oid.to_id_string();
    }
    "an unrecognised algorithm".to_string()
}

/// "the server's certificate" or "the certificate of CN=X (#N in the chain)".
fn which_cert(chain: &[CertSummary], matches: impl Fn(&CertSummary) -> bool) -> String {
    match chain.iter().position(matches) {
        Some(0) | None => "the server's certificate".to_string(),
        Some(i) => format!(
            "the certificate {} (#{i} in the chain)",
            sanitize(&chain[i].subject)
        ),
    }
}

fn same_time(rfc3339: &str, t: UnixTime) -> bool {
    OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|p| p.unix_timestamp() == t.as_secs() as i64)
}

fn to_datetime(t: UnixTime) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t.as_secs() as i64).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2025-01-31 12:00:00 UTC`.
fn date(t: UnixTime) -> String {
    let d = to_datetime(t);
    let fmt =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    d.format(&fmt).unwrap_or_else(|_| d.to_string())
}

/// Whole days from `now` to `t`, rounded away from zero.
fn days_between(now: UnixTime, t: UnixTime) -> i64 {
    certinfo::days_between(to_datetime(now), to_datetime(t))
}

use crate::text::plural_days;

#[cfg(test)]
mod tests {

    #[test]
    fn presented_names_are_shown_as_written_in_configs() {
        assert_eq!(presented_name("DnsName(\"a.test\")"), "a.test");
        assert_eq!(presented_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(presented_name("IpAddress(0::1)"), "::1");
        assert_eq!(
            presented_name("IpAddress(2001:db8:0:0:0:0:0:1)"),
            "2001:db8::1"
        );
        assert_eq!(presented_name("something else"), "something else");
    }

    use super::*;
    use rustls::pki_types::ServerName;
    use std::time::Duration;

    #[test]
    fn a_wrong_name_for_an_ip_address_suggests_servername() {
        let e = CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("127.0.0.1").unwrap().to_owned(),
            presented: vec!["DnsName(\"a.test\")".to_string()],
        };
        let s = describe_cert_error(&e, &[], "127.0.0.1", OffsetDateTime::now_utc());
        assert!(
            s.starts_with(
                "the server's certificate is valid for a.test but not for 127.0.0.1; no SNI"
            ),
            "{s}"
        );
        assert!(s.contains("add --servername NAME"), "{s}");
        let s = describe_cert_error(&e, &[], "b.test", OffsetDateTime::now_utc());
        assert_eq!(
            s,
            "the server's certificate is valid for a.test but not for b.test"
        );
    }

    #[test]
    fn alerts_have_their_rfc_names() {
        for (alert, name) in [
            (AlertDescription::UnknownCA, "unknown_ca"),
            (AlertDescription::UnrecognisedName, "unrecognized_name"),
            (AlertDescription::BadRecordMac, "bad_record_mac"),
            (
                AlertDescription::CertificateRequired,
                "certificate_required",
            ),
            (AlertDescription::UnknownPSKIdentity, "unknown_psk_identity"),
            (
                AlertDescription::NoApplicationProtocol,
                "no_application_protocol",
            ),
        ] {
            assert_eq!(alert_name(&format!("{alert:?}")), name);
        }
    }

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    #[test]
    fn alert_names_are_the_rfc_names_in_every_command() {
        assert_eq!(alert_name("UnknownCA"), "unknown_ca");
        assert_eq!(alert_name("UnknownPSKIdentity"), "unknown_psk_identity");
        assert_eq!(alert_name("CertificateRequired"), "certificate_required");
        let s = describe_alert(AlertDescription::UnknownCA, &Observed::default());
        assert!(s.ends_with("(alert: unknown_ca)"), "{s}");
    }

    #[test]
    fn expiry_sentences() {
        let day = 86_400;
        let e = CertificateError::ExpiredContext {
            time: at(100 * day),
            not_after: at(60 * day),
        };
        let s = describe_cert_error(&e, &[], "x.test", OffsetDateTime::now_utc());
        assert_eq!(
            s,
            "the server's certificate expired on 1970-03-02 00:00:00 UTC (40 days ago)"
        );
        let e = CertificateError::NotValidYetContext {
            time: at(day),
            not_before: at(3 * day),
        };
        let s = describe_cert_error(&e, &[], "x.test", OffsetDateTime::now_utc());
        assert!(
            s.starts_with(
                "the server's certificate is not valid until 1970-01-04 00:00:00 UTC (in 2 days)"
            ),
            "{s}"
        );
    }

    #[test]
    fn name_and_purpose_sentences() {
        let e = CertificateError::NotValidForNameContext {
            expected: rustls::pki_types::ServerName::try_from("c.test").unwrap(),
            presented: vec!["DnsName(\"a.test\")".into(), "IpAddress(127.0.0.1)".into()],
        };
        assert_eq!(
            describe_cert_error(&e, &[], "c.test", OffsetDateTime::now_utc()),
            "the server's certificate is valid for a.test, 127.0.0.1 but not for c.test"
        );
        let e = CertificateError::InvalidPurposeContext {
            required: ExtendedKeyPurpose::ServerAuth,
            presented: vec![ExtendedKeyPurpose::ClientAuth],
        };
        assert_eq!(
            describe_cert_error(&e, &[], "c.test", OffsetDateTime::now_utc()),
            "the server's certificate is not valid for server authentication: its extended key usage allows only client authentication"
        );
    }

    #[test]
    fn alerts_and_codes() {
        let obs = Observed::default();
        let s = describe_error(
            &Error::AlertReceived(AlertDescription::CertificateRequired),
            &obs,
            "x",
        );
        assert!(s.contains("--cert FILE --key FILE"), "{s}");
        assert!(s.ends_with("(alert: certificate_required)"), "{s}");
        assert_eq!(
            crate::tls::error::rustls_kind(&Error::InvalidCertificate(
                CertificateError::UnknownIssuer
            )),
            crate::tls::error::Failure::Verification
        );
        assert_eq!(
            crate::tls::error::rustls_kind(&Error::AlertReceived(
                AlertDescription::HandshakeFailure
            )),
            crate::tls::error::Failure::Handshake
        );
        assert!(describe_webpki("CaUsedAsEndEntity", None).contains("CA certificate"));
    }

    #[test]
    fn malformed_messages_are_told_apart() {
        use rustls::InvalidMessage as M;
        let obs = Observed::default();
        let not_tls = describe_error(&Error::InvalidMessage(M::InvalidContentType), &obs, "x");
        assert!(not_tls.contains("is this a TLS port?"), "{not_tls}");
        let huge = describe_error(
            &Error::InvalidMessage(M::HandshakePayloadTooLarge),
            &obs,
            "x",
        );
        assert!(huge.contains("handshake message too large"), "{huge}");
        assert!(!huge.contains("TLS port"), "{huge}");
        let big = describe_error(&Error::InvalidMessage(M::MessageTooLarge), &obs, "x");
        assert!(
            big.contains("record larger than the protocol allows"),
            "{big}"
        );
        // After the handshake there is no port to doubt and no handshake to fail.
        let after = describe_data_error(&Error::InvalidMessage(M::InvalidContentType));
        assert!(after.contains("after the handshake"), "{after}");
        assert!(describe_data_error(&Error::DecryptError).contains("did not decrypt"));
        assert_eq!(
            describe_data_error(&Error::AlertReceived(AlertDescription::DecodeError)),
            "the server sent the alert decode_error"
        );
    }
}
