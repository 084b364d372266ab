//! Reading a stapled OCSP response (RFC 6960) far enough to show it: the
//! responder's status, and for the certificate it is about, good / revoked /
//! unknown with thisUpdate and nextUpdate.
//!
//! x509-parser has no OCSP parser, and displaying needs no cryptography, so
//! this is a small strict DER reader: definite lengths only, minimal length
//! encodings, nesting bounded by the structure, no trailing bytes. The
//! response's signature is not checked here; the report says so.

use serde::Serialize;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::certinfo::rfc3339;

/// The largest stapled response looked at (real ones are 1-4 KiB).
const MAX_RESPONSE: usize = 64 * 1024;

/// What a stapled OCSP response says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OcspSummary {
    /// `successful`, `malformed_request`, `internal_error`, `try_later`, `sig_required` or `unauthorized`.
    pub response_status: ResponseStatus,
    /// `good`, `revoked` or `unknown` for the server's certificate (absent unless successful).
    pub cert_status: Option<CertStatus>,
    /// When the response was signed, RFC 3339.
    pub produced_at: Option<String>,
    /// Start of the status's validity.
    pub this_update: Option<String>,
    /// End of the status's validity (absent: "newer information is always available").
    pub next_update: Option<String>,
    /// When the certificate was revoked.
    pub revocation_time: Option<String>,
    /// The CRL reason code name, when revoked with a reason.
    pub revocation_reason: Option<String>,
    /// Whether the status is about the leaf (matched by serial number); `false`
    /// when the response names only other certificates.
    pub matches_leaf: bool,
    /// How many single responses the response holds.
    pub responses: usize,
}

/// Why a response could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspError(pub String);

impl std::fmt::Display for OcspError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed OCSP response: {}", self.0)
    }
}

impl std::error::Error for OcspError {}

type R<T> = Result<T, OcspError>;

fn bad<T>(why: &str) -> R<T> {
    Err(OcspError(why.to_string()))
}

/// One DER element: its tag byte, content, and the whole encoding.
#[derive(Debug, Clone, Copy)]
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    raw: &'a [u8],
}

/// A cursor over consecutive DER elements.
struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    fn new(data: &'a [u8]) -> Der<'a> {
        Der { rest: data }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn next(&mut self) -> R<Tlv<'a>> {
        let start = self.rest;
        let (&tag, after) = match self.rest.split_first() {
            Some(x) => x,
            None => return bad("unexpected end of data"),
        };
        if tag & 0x1f == 0x1f {
            return bad("high tag numbers are not used in OCSP");
        }
        let (&first, after) = match after.split_first() {
            Some(x) => x,
            None => return bad("missing length"),
        };
        let (len, after) = if first < 0x80 {
            (first as usize, after)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 {
                return bad("indefinite length (BER, not DER)");
            }
            if n > 3 || after.len() < n {
                return bad("length too large");
            }
            let len = after[..n]
                .iter()
                .fold(0usize, |a, b| (a << 8) | *b as usize);
            if after[0] == 0 || len < 0x80 {
                return bad("non-minimal length encoding");
            }
            (len, &after[n..])
        };
        if after.len() < len {
            return bad("truncated element");
        }
        let (content, rest) = after.split_at(len);
        self.rest = rest;
        let raw = &start[..start.len() - rest.len()];
        Ok(Tlv { tag, content, raw })
    }

    fn expect(&mut self, tag: u8, what: &str) -> R<&'a [u8]> {
        Ok(self.expect_tlv(tag, what)?.content)
    }

    fn expect_tlv(&mut self, tag: u8, what: &str) -> R<Tlv<'a>> {
        let t = self.next()?;
        if t.tag != tag {
            return Err(OcspError(format!(
                "expected {what} (tag 0x{tag:02x}), found tag 0x{:02x}",
                t.tag
            )));
        }
        Ok(t)
    }

    fn end(&self, what: &str) -> R<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(OcspError(format!("trailing data after {what}")))
        }
    }
}

const SEQUENCE: u8 = 0x30;
const ENUMERATED: u8 = 0x0a;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const INTEGER: u8 = 0x02;
const GENERALIZED_TIME: u8 = 0x18;

/// id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1.
const OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// Parses a DER OCSP response about `leaf` (a DER certificate, if known): the
/// single response for its serial is the one shown.
pub fn parse_for_leaf(der: &[u8], leaf: Option<&[u8]>) -> R<OcspSummary> {
    let serial = leaf
        .and_then(|c| x509_parser::parse_x509_certificate(c).ok())
        .map(|(_, c)| c.raw_serial().to_vec());
    parse(der, serial.as_deref())
}

/// Whether an RFC 3339 time, as this module writes them, is before `now`.
pub fn is_before(rfc3339_time: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(rfc3339_time, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|t| t < now)
}

/// The response status of an OCSP response (RFC 6960 OCSPResponseStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// The response holds statuses.
    Successful,
    /// The responder could not read the request.
    MalformedRequest,
    /// The responder failed.
    InternalError,
    /// The responder asks to be asked later.
    TryLater,
    /// The responder wants signed requests.
    SigRequired,
    /// The responder does not answer for this certificate.
    Unauthorized,
}

impl ResponseStatus {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            ResponseStatus::Successful => "successful",
            ResponseStatus::MalformedRequest => "malformed_request",
            ResponseStatus::InternalError => "internal_error",
            ResponseStatus::TryLater => "try_later",
            ResponseStatus::SigRequired => "sig_required",
            ResponseStatus::Unauthorized => "unauthorized",
        }
    }
}

impl std::fmt::Display for ResponseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a single response says of a certificate (RFC 6960 CertStatus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked.
    Revoked,
    /// The responder does not know the certificate.
    Unknown,
}

impl CertStatus {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            CertStatus::Good => "good",
            CertStatus::Revoked => "revoked",
            CertStatus::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for CertStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A basic OCSP response taken apart, with the raw pieces its signature covers:
/// what a verifier needs ([`crate::revocation`] checks it).
#[derive(Debug, Clone)]
pub struct Basic<'a> {
    /// The responder's status.
    pub status: ResponseStatus,
    /// The DER `ResponseData` the signature covers (empty unless successful).
    pub tbs: &'a [u8],
    /// The DER `AlgorithmIdentifier` of the signature.
    pub signature_algorithm: &'a [u8],
    /// The BIT STRING content of the signature (first byte: unused bits).
    pub signature: &'a [u8],
    /// Certificates the responder included (a delegated responder's), DER.
    pub certs: Vec<&'a [u8]>,
    /// When the response was signed, RFC 3339.
    pub produced_at: Option<String>,
    /// Each single response.
    pub singles: Vec<SingleResponse>,
}

/// One certificate's status in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleResponse {
    /// The CertID's hash algorithm OID content (DER, without tag).
    pub hash_oid: Vec<u8>,
    /// Hash of the issuer's DER name.
    pub issuer_name_hash: Vec<u8>,
    /// Hash of the issuer's public key bits.
    pub issuer_key_hash: Vec<u8>,
    /// The serial number, as encoded.
    pub serial: Vec<u8>,
    /// Good, revoked or unknown.
    pub status: CertStatus,
    /// Start of validity, RFC 3339.
    pub this_update: String,
    /// End of validity, RFC 3339.
    pub next_update: Option<String>,
    /// When revoked.
    pub revocation_time: Option<String>,
    /// The CRL reason name, when revoked with one.
    pub revocation_reason: Option<String>,
}

impl SingleResponse {
    /// Whether this is about the certificate with this raw serial.
    pub fn serial_is(&self, serial: &[u8]) -> bool {
        strip_zeros(serial) == strip_zeros(&self.serial)
    }
}

/// Parses a DER OCSP response; `leaf_serial` (the raw serial bytes) picks the single response shown.
pub fn parse(der: &[u8], leaf_serial: Option<&[u8]>) -> R<OcspSummary> {
    let basic = parse_basic(der)?;
    let mut summary = OcspSummary {
        response_status: basic.status,
        cert_status: None,
        produced_at: basic.produced_at.clone(),
        this_update: None,
        next_update: None,
        revocation_time: None,
        revocation_reason: None,
        matches_leaf: false,
        responses: basic.singles.len(),
    };
    if basic.status != ResponseStatus::Successful {
        return Ok(summary);
    }
    let matching = leaf_serial.and_then(|s| basic.singles.iter().find(|r| r.serial_is(s)));
    let Some(single) = matching.or(basic.singles.first()) else {
        return bad("no single response");
    };
    summary.matches_leaf = matching.is_some();
    summary.cert_status = Some(single.status);
    summary.this_update = Some(single.this_update.clone());
    summary.next_update = single.next_update.clone();
    summary.revocation_time = single.revocation_time.clone();
    summary.revocation_reason = single.revocation_reason.clone();
    Ok(summary)
}

/// Takes a DER OCSP response apart (strictly; the signature is not checked here).
pub fn parse_basic(der: &[u8]) -> R<Basic<'_>> {
    if der.len() > MAX_RESPONSE {
        return bad("larger than 64 KiB");
    }
    let mut top = Der::new(der);
    let resp = top.expect(SEQUENCE, "OCSPResponse")?;
    top.end("the OCSPResponse")?;
    let mut resp = Der::new(resp);
    let status = match resp.expect(ENUMERATED, "responseStatus")? {
        [0] => ResponseStatus::Successful,
        [1] => ResponseStatus::MalformedRequest,
        [2] => ResponseStatus::InternalError,
        [3] => ResponseStatus::TryLater,
        [5] => ResponseStatus::SigRequired,
        [6] => ResponseStatus::Unauthorized,
        _ => return bad("unknown responseStatus"),
    };
    let mut out = Basic {
        status,
        tbs: &[],
        signature_algorithm: &[],
        signature: &[],
        certs: Vec::new(),
        produced_at: None,
        singles: Vec::new(),
    };
    if status != ResponseStatus::Successful {
        return Ok(out);
    }
    // responseBytes [0] EXPLICIT SEQUENCE { responseType OID, response OCTET STRING }
    let bytes = resp.expect(0xa0, "responseBytes")?;
    resp.end("responseBytes")?;
    let mut bytes = Der::new(bytes);
    let rb = bytes.expect(SEQUENCE, "ResponseBytes")?;
    bytes.end("ResponseBytes")?;
    let mut rb = Der::new(rb);
    if rb.expect(OID, "responseType")? != OCSP_BASIC {
        return bad("not a basic OCSP response");
    }
    let basic = rb.expect(OCTET_STRING, "response")?;
    rb.end("the response")?;

    // BasicOCSPResponse ::= SEQUENCE { tbsResponseData, signatureAlgorithm, signature, certs [0] OPTIONAL }
    let mut basic_outer = Der::new(basic);
    let basic = basic_outer.expect(SEQUENCE, "BasicOCSPResponse")?;
    basic_outer.end("the BasicOCSPResponse")?;
    let mut basic = Der::new(basic);
    let tbs_tlv = basic.expect_tlv(SEQUENCE, "ResponseData")?;
    out.tbs = tbs_tlv.raw;
    out.signature_algorithm = basic.expect_tlv(SEQUENCE, "signatureAlgorithm")?.raw;
    out.signature = basic.expect(0x03, "signature")?;
    if basic.peek_tag() == Some(0xa0) {
        let mut wrapper = Der::new(basic.expect(0xa0, "certs")?);
        let list = wrapper.expect(SEQUENCE, "certs")?;
        wrapper.end("certs")?;
        let mut list = Der::new(list);
        while !list.is_empty() {
            if out.certs.len() >= 16 {
                return bad("too many responder certificates");
            }
            out.certs
                .push(list.expect_tlv(SEQUENCE, "Certificate")?.raw);
        }
    }
    basic.end("the BasicOCSPResponse fields")?;

    // ResponseData ::= SEQUENCE { version [0] OPTIONAL, responderID, producedAt, responses, responseExtensions [1] OPTIONAL }
    let mut tbs = Der::new(tbs_tlv.content);
    if tbs.peek_tag() == Some(0xa0) {
        tbs.next()?;
    }
    match tbs.next()?.tag {
        0xa1 | 0xa2 => {}
        _ => return bad("bad responderID"),
    }
    out.produced_at = Some(time(tbs.expect(GENERALIZED_TIME, "producedAt")?)?);
    let responses = tbs.expect(SEQUENCE, "responses")?;
    if tbs.peek_tag() == Some(0xa1) {
        tbs.next()?;
    }
    tbs.end("the ResponseData")?;

    let mut responses = Der::new(responses);
    while !responses.is_empty() {
        if out.singles.len() >= 1000 {
            return bad("too many single responses");
        }
        out.singles
            .push(single(responses.expect(SEQUENCE, "SingleResponse")?)?);
    }
    if out.singles.is_empty() {
        return bad("no single response");
    }
    Ok(out)
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|x| **x == 0).count();
    &b[n.min(b.len().saturating_sub(1))..]
}

/// SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, nextUpdate [0] OPTIONAL, singleExtensions [1] OPTIONAL }
fn single(data: &[u8]) -> R<SingleResponse> {
    let mut d = Der::new(data);
    let cert_id = d.expect(SEQUENCE, "CertID")?;
    let mut id = Der::new(cert_id);
    let mut alg = Der::new(id.expect(SEQUENCE, "hashAlgorithm")?);
    let hash_oid = alg.expect(OID, "hash algorithm")?.to_vec();
    let issuer_name_hash = id.expect(OCTET_STRING, "issuerNameHash")?.to_vec();
    let issuer_key_hash = id.expect(OCTET_STRING, "issuerKeyHash")?.to_vec();
    let serial = id.expect(INTEGER, "serialNumber")?.to_vec();
    id.end("the CertID")?;
    let status = d.next()?;
    let (status, revocation_time, revocation_reason) = match status.tag {
        0x80 if status.content.is_empty() => (CertStatus::Good, None, None),
        0xa1 => {
            let mut r = Der::new(status.content);
            let when = time(r.expect(GENERALIZED_TIME, "revocationTime")?)?;
            let reason = if r.peek_tag() == Some(0xa0) {
                let mut e = Der::new(r.expect(0xa0, "revocationReason")?);
                let code = e.expect(ENUMERATED, "CRLReason")?;
                Some(crl_reason(code))
            } else {
                None
            };
            r.end("the RevokedInfo")?;
            (CertStatus::Revoked, Some(when), reason)
        }
        0x82 => (CertStatus::Unknown, None, None),
        _ => return bad("bad certStatus"),
    };
    let this_update = time(d.expect(GENERALIZED_TIME, "thisUpdate")?)?;
    let next_update = if d.peek_tag() == Some(0xa0) {
        let mut e = Der::new(d.expect(0xa0, "nextUpdate")?);
        let t = time(e.expect(GENERALIZED_TIME, "nextUpdate")?)?;
        e.end("nextUpdate")?;
        Some(t)
    } else {
        None
    };
    if d.peek_tag() == Some(0xa1) {
        d.next()?;
    }
    d.end("the SingleResponse")?;
    Ok(SingleResponse {
        hash_oid,
        issuer_name_hash,
        issuer_key_hash,
        serial,
        status,
        this_update,
        next_update,
        revocation_time,
        revocation_reason,
    })
}

fn crl_reason(code: &[u8]) -> String {
    match code {
        [0] => "unspecified",
        [1] => "key_compromise",
        [2] => "ca_compromise",
        [3] => "affiliation_changed",
        [4] => "superseded",
        [5] => "cessation_of_operation",
        [6] => "certificate_hold",
        [8] => "remove_from_crl",
        [9] => "privilege_withdrawn",
        [10] => "aa_compromise",
        _ => "unknown_reason",
    }
    .to_string()
}

/// GeneralizedTime in DER form, `YYYYMMDDHHMMSS[.fff]Z`, as RFC 3339.
fn time(text: &[u8]) -> R<String> {
    let s = std::str::from_utf8(text).map_err(|_| OcspError("time is not ASCII".into()))?;
    let Some(body) = s.strip_suffix('Z') else {
        return bad("time is not in UTC");
    };
    let (main, _fraction) = body.split_once('.').unwrap_or((body, ""));
    if main.len() != 14 || !main.bytes().all(|b| b.is_ascii_digit()) {
        return bad("malformed GeneralizedTime");
    }
    let n = |a: usize, b: usize| main[a..b].parse::<u32>().unwrap_or(u32::MAX);
    let month = Month::try_from(n(4, 6) as u8).map_err(|_| OcspError("bad month".into()))?;
    let date = Date::from_calendar_date(n(0, 4) as i32, month, n(6, 8) as u8)
        .map_err(|_| OcspError("bad date".into()))?;
    let t = Time::from_hms(n(8, 10) as u8, n(10, 12) as u8, n(12, 14) as u8)
        .map_err(|_| OcspError("bad time of day".into()))?;
    let dt: OffsetDateTime = PrimitiveDateTime::new(date, t).assume_utc();
    Ok(rfc3339(dt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_compare_with_now() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        assert!(is_before("2024-01-01T00:00:00Z", now));
        assert!(!is_before("2099-01-01T00:00:00Z", now));
        assert!(!is_before("not a time", now));
    }

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        if content.len() < 0x80 {
            v.push(content.len() as u8);
        } else if content.len() < 0x100 {
            v.extend_from_slice(&[0x81, content.len() as u8]);
        } else {
            v.push(0x82);
            v.extend_from_slice(&(content.len() as u16).to_be_bytes());
        }
        v.extend_from_slice(content);
        v
    }

    fn response(status: &[u8], next: bool) -> Vec<u8> {
        let cert_id = tlv(
            SEQUENCE,
            &[
                tlv(
                    SEQUENCE,
                    &[tlv(OID, &[0x2b, 0x0e, 0x03, 0x02, 0x1a]), tlv(0x05, &[])].concat(),
                ),
                tlv(OCTET_STRING, &[1; 20]),
                tlv(OCTET_STRING, &[2; 20]),
                tlv(INTEGER, &[0x00, 0x99]),
            ]
            .concat(),
        );
        let mut single = [
            cert_id,
            status.to_vec(),
            tlv(GENERALIZED_TIME, b"20250101000000Z"),
        ]
        .concat();
        if next {
            single.extend(tlv(0xa0, &tlv(GENERALIZED_TIME, b"20250108000000Z")));
        }
        let data = [
            tlv(0xa2, &tlv(OCTET_STRING, &[3; 20])),
            tlv(GENERALIZED_TIME, b"20250101120000Z"),
            tlv(SEQUENCE, &tlv(SEQUENCE, &single)),
        ]
        .concat();
        let basic = tlv(
            SEQUENCE,
            &[
                tlv(SEQUENCE, &data),
                tlv(SEQUENCE, &tlv(0x05, &[])),
                tlv(0x03, &[0, 1, 2]),
            ]
            .concat(),
        );
        let rb = tlv(
            SEQUENCE,
            &[tlv(OID, OCSP_BASIC), tlv(OCTET_STRING, &basic)].concat(),
        );
        tlv(SEQUENCE, &[tlv(ENUMERATED, &[0]), tlv(0xa0, &rb)].concat())
    }

    #[test]
    fn good_and_revoked() {
        let good = parse(&response(&tlv(0x80, &[]), true), Some(&[0x99])).unwrap();
        assert_eq!(good.cert_status, Some(CertStatus::Good));
        assert_eq!(good.this_update.as_deref(), Some("2025-01-01T00:00:00Z"));
        assert_eq!(good.next_update.as_deref(), Some("2025-01-08T00:00:00Z"));
        assert_eq!(good.produced_at.as_deref(), Some("2025-01-01T12:00:00Z"));
        assert!(good.matches_leaf);
        let revoked_info = tlv(
            0xa1,
            &[
                tlv(GENERALIZED_TIME, b"20241231000000Z"),
                tlv(0xa0, &tlv(ENUMERATED, &[1])),
            ]
            .concat(),
        );
        let revoked = parse(&response(&revoked_info, false), Some(&[0x01])).unwrap();
        assert_eq!(revoked.cert_status, Some(CertStatus::Revoked));
        assert_eq!(revoked.revocation_reason.as_deref(), Some("key_compromise"));
        assert_eq!(revoked.next_update, None);
        assert!(!revoked.matches_leaf);
        let unknown = parse(&response(&tlv(0x82, &[]), false), None).unwrap();
        assert_eq!(unknown.cert_status, Some(CertStatus::Unknown));
    }

    #[test]
    fn unsuccessful_and_malformed() {
        let try_later = tlv(SEQUENCE, &tlv(ENUMERATED, &[3]));
        assert_eq!(
            parse(&try_later, None).unwrap().response_status,
            ResponseStatus::TryLater
        );
        let good = response(&tlv(0x80, &[]), true);
        // Every truncation fails cleanly.
        for n in 0..good.len() {
            assert!(parse(&good[..n], None).is_err(), "prefix {n} parsed");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(parse(&trailing, None).is_err());
        // Indefinite length.
        assert!(parse(&[0x30, 0x80, 0, 0], None).is_err());
        // Non-minimal length.
        assert!(parse(&[0x30, 0x81, 0x01, 0x0a], None).is_err());
    }
}
