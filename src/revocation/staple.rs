//! Live OCSP stapling for a server: fetch the served certificate's OCSP
//! response from the responder it names, staple it, and refresh it about
//! halfway to its nextUpdate. A response is stapled only when it passed every
//! check of [`super::ocsp::verify`] and says good; while a refresh fails the
//! last good response is kept, until its own nextUpdate, never after.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use serde::Serialize;
use time::OffsetDateTime;

use super::fetch::{self, Post};
use super::{find_issuer, ocsp, urls, Issuer, Options, Status, UnknownReason};

/// The server's certificate, with whatever staple is current: the resolver
/// handed to rustls, and the handle the refresher updates.
#[derive(Debug)]
pub struct Stapler {
    key: RwLock<Arc<CertifiedKey>>,
}

impl Stapler {
    /// Serves `key` (its own `ocsp` field is cleared: only checked responses are stapled).
    pub fn new(mut key: CertifiedKey) -> Arc<Stapler> {
        key.ocsp = None;
        Arc::new(Stapler {
            key: RwLock::new(Arc::new(key)),
        })
    }

    fn set(&self, ocsp: Option<Vec<u8>>) {
        let mut slot = self.key.write().unwrap_or_else(|p| p.into_inner());
        let mut next = CertifiedKey::clone(&slot);
        next.ocsp = ocsp;
        *slot = Arc::new(next);
    }

    /// The response stapled now, if any.
    pub fn current(&self) -> Option<Vec<u8>> {
        self.key
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .ocsp
            .clone()
    }
}

impl ResolvesServerCert for Stapler {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.key.read().unwrap_or_else(|p| p.into_inner()).clone())
    }
}

/// Where the served certificate's status comes from.
#[derive(Debug, Clone)]
pub struct Source {
    leaf: CertificateDer<'static>,
    issuer: Issuer,
    /// The responder's URL.
    pub url: String,
}

/// Why live stapling cannot be set up for a chain.
pub fn source_for(chain: &[CertificateDer<'static>]) -> Result<Source, String> {
    let leaf = chain
        .first()
        .ok_or_else(|| "the certificate file holds no certificate".to_string())?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|_| "the certificate does not parse".to_string())?;
    let (ocsp_urls, _) = urls(&cert);
    let url = ocsp_urls
        .into_iter()
        .next()
        .ok_or_else(|| "the certificate names no OCSP responder (AIA)".to_string())?;
    let issuer = find_issuer(&cert, &chain[1..], &rustls::RootCertStore::empty()).ok_or_else(
        || {
            "the certificate's issuer is not in the chain file: OCSP needs it (put the intermediate after the certificate)"
                .to_string()
        },
    )?;
    Ok(Source {
        leaf: leaf.clone(),
        issuer,
        url,
    })
}

/// What one fetch did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A good response was fetched and is stapled now.
    Stapled,
    /// The fetch failed or was refused; the previous response is still stapled.
    KeptPrevious,
    /// The fetch failed and nothing (valid) is stapled.
    NoStaple,
}

/// One fetch, for the log.
#[derive(Debug, Clone, Serialize)]
pub struct StapleEvent {
    /// What happened.
    pub outcome: Outcome,
    /// The responder.
    pub url: String,
    /// The status answered (when one was read and checked).
    pub status: Option<Status>,
    /// Why the answer was not stapled.
    pub reason: Option<UnknownReason>,
    /// The same, as a sentence.
    pub detail: Option<String>,
    /// The stapled response's nextUpdate.
    pub next_update: Option<String>,
    /// Seconds until the next fetch.
    pub next_fetch_secs: u64,
}

/// When to fetch again: halfway to `next_update` (at least a minute from
/// now); a response without nextUpdate is fetched again in an hour.
pub fn refresh_after(now: OffsetDateTime, next_update: Option<OffsetDateTime>) -> Duration {
    let secs = match next_update {
        Some(n) => ((n - now).whole_seconds() / 2).clamp(60, 24 * 3600),
        None => 3600,
    };
    Duration::from_secs(secs as u64)
}

/// How soon to retry after a failure.
pub const RETRY: Duration = Duration::from_secs(60);

fn parse(t: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

/// The live state: the stapler, where responses come from, and until when the current one is good.
#[derive(Debug)]
pub struct Live {
    stapler: Arc<Stapler>,
    source: Source,
    opts: Options,
    valid_until: Option<OffsetDateTime>,
}

impl Live {
    /// Starts with nothing stapled.
    pub fn new(stapler: Arc<Stapler>, source: Source, opts: Options) -> Live {
        Live {
            stapler,
            source,
            opts,
            valid_until: None,
        }
    }

    async fn fetch(&self) -> Result<(Vec<u8>, ocsp::Answer), ocsp::Rejected> {
        let (_, cert) =
            x509_parser::parse_x509_certificate(&self.source.leaf).map_err(|_| ocsp::Rejected {
                reason: UnknownReason::BadResponse,
                detail: "the certificate does not parse".into(),
            })?;
        let body = ocsp::request(&cert, &self.source.issuer).ok_or_else(|| ocsp::Rejected {
            reason: UnknownReason::BadResponse,
            detail: "cannot build an OCSP request".into(),
        })?;
        let post = Post {
            body,
            content_type: "application/ocsp-request",
        };
        let fetched = fetch::fetch(
            &self.source.url,
            Some(&post),
            fetch::MAX_OCSP,
            self.opts.timeout,
        )
        .await
        .map_err(|e| ocsp::Rejected {
            reason: e.kind.into(),
            detail: e.message,
        })?;
        let answer = ocsp::verify(
            &fetched.body,
            &cert,
            &self.source.issuer,
            OffsetDateTime::now_utc(),
        )?;
        if answer.status != Status::Good {
            return Err(ocsp::Rejected {
                reason: UnknownReason::BadResponse,
                detail: format!(
                    "the responder says the certificate is revoked ({}); such a response is never stapled",
                    answer.reason.as_deref().unwrap_or("no reason given")
                ),
            });
        }
        Ok((fetched.body, answer))
    }

    /// Fetches once and updates the staple; says what happened.
    pub async fn refresh(&mut self) -> StapleEvent {
        let now = OffsetDateTime::now_utc();
        let mut event = StapleEvent {
            outcome: Outcome::NoStaple,
            url: self.source.url.clone(),
            status: None,
            reason: None,
            detail: None,
            next_update: None,
            next_fetch_secs: RETRY.as_secs(),
        };
        match self.fetch().await {
            Ok((der, answer)) => {
                let next = answer.next_update.as_deref().and_then(parse);
                self.stapler.set(Some(der));
                self.valid_until = next;
                event.outcome = Outcome::Stapled;
                event.status = Some(answer.status);
                event.next_update = answer.next_update;
                event.next_fetch_secs = refresh_after(now, next).as_secs();
            }
            Err(r) => {
                event.reason = Some(r.reason);
                event.detail = Some(r.detail);
                // Keep the last good response while it is valid; never an expired one.
                let still_good = self.stapler.current().is_some()
                    && self.valid_until.is_none_or(|until| until > now);
                if still_good {
                    event.outcome = Outcome::KeptPrevious;
                    event.next_update = self.valid_until.map(crate::tls::certinfo::rfc3339);
                    if let Some(until) = self.valid_until {
                        let left = (until - now).whole_seconds().max(1) as u64;
                        event.next_fetch_secs = RETRY.as_secs().min(left);
                    }
                } else {
                    self.stapler.set(None);
                    self.valid_until = None;
                }
            }
        }
        event
    }

    /// Refreshes forever, calling `log` after each fetch; the first fetch
    /// happens after `first_wait`.
    pub async fn run(mut self, first_wait: Duration, log: impl Fn(&StapleEvent) + Send) {
        let mut wait = first_wait;
        loop {
            tokio::time::sleep(wait).await;
            let event = self.refresh().await;
            log(&event);
            wait = Duration::from_secs(event.next_fetch_secs.max(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live_with_dead_responder() -> Live {
        let ca = rcgen::KeyPair::generate().unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let certified = CertifiedKey::from_der(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
            &crate::tls::provider(),
        )
        .unwrap();
        // Port 9 (discard) on loopback: nothing listens there in a test.
        let source = Source {
            leaf: leaf.der().clone(),
            issuer: Issuer {
                name: Vec::new(),
                spki: rcgen::PublicKeyData::subject_public_key_info(&ca),
            },
            url: "http://127.0.0.1:9/".into(),
        };
        Live::new(
            Stapler::new(certified),
            source,
            Options {
                timeout: Duration::from_secs(2),
                offline: false,
            },
        )
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_last_good_response_until_it_expires() {
        let mut live = live_with_dead_responder();
        let now = OffsetDateTime::now_utc();
        live.stapler.set(Some(vec![0x30, 0x00]));
        live.valid_until = Some(now + time::Duration::hours(1));
        let e = live.refresh().await;
        assert!(matches!(e.outcome, Outcome::KeptPrevious), "{e:?}");
        assert_eq!(live.stapler.current(), Some(vec![0x30, 0x00]));
        assert!(e.next_fetch_secs <= RETRY.as_secs());
        // Once its nextUpdate has passed, it is no longer stapled.
        live.valid_until = Some(now - time::Duration::seconds(1));
        let e = live.refresh().await;
        assert!(matches!(e.outcome, Outcome::NoStaple), "{e:?}");
        assert_eq!(live.stapler.current(), None);
    }

    #[test]
    fn refresh_halfway_within_bounds() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let day = time::Duration::days(1);
        assert_eq!(
            refresh_after(now, Some(now + day)),
            Duration::from_secs(43_200)
        );
        assert_eq!(
            refresh_after(now, Some(now + time::Duration::seconds(10))),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_after(now, Some(now + day * 10)),
            Duration::from_secs(86_400)
        );
        assert_eq!(refresh_after(now, None), Duration::from_secs(3600));
    }
}
