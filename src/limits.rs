//! Load shedding at the edge, before anything reaches the store: a rate per organisation, and
//! per address for callers refused before an organisation is known (429 with `Retry-After`),
//! a bound on requests in flight (503 at once, not a queue), and a
//! timeout per request (503). The database pool is bounded too (`store`): a request that waits
//! too long for a connection is 503 `busy`. Each refusal comes before a decision is made, so a
//! shed request has disclosed nothing and written nothing.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Router};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;

use crate::config::LimitsConfig;
use crate::framework::OrgId;

/// Who a rate is counted for: an organisation, once its certificate or session says which;
/// before that, the address a refused caller connects from (every refusal is written to the
/// audit log, so unidentified callers are held to a rate too).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Requester {
    Org(OrgId),
    Address(IpAddr),
}

/// The rate each requester (organisation or refused address) is held to.
pub struct RequestRates {
    limiter: Option<DefaultKeyedRateLimiter<Requester>>,
    clock: DefaultClock,
}

/// Over its rate: come back after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Whole seconds, at least 1 (the unit of `Retry-After`).
    pub retry_after_seconds: u64,
}

/// How busy the API is: the requests it is answering now. Work that no one waits for (notices)
/// gives way while there are more of them than the runtime has threads, that is, while
/// requests queue for a CPU, and for a moment after: between one request and the next a
/// client's own work can leave the count low for a few milliseconds, and that is no lull.
#[derive(Debug)]
pub struct Load {
    in_flight: AtomicUsize,
    threads: usize,
    started: std::time::Instant,
    /// When requests last queued, in milliseconds since `started`, plus one (0: never).
    queued_at: AtomicU64,
}

/// How long after requests last queued the API still counts as saturated, in milliseconds.
const LULL_MILLIS: u64 = 100;

/// One request being answered; counted until dropped.
pub struct Answering<'a>(&'a Load);

impl Load {
    pub fn new() -> Load {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let started = std::time::Instant::now();
        Load { in_flight: AtomicUsize::new(0), threads, started, queued_at: AtomicU64::new(0) }
    }

    pub fn answering(&self) -> Answering<'_> {
        if self.in_flight.fetch_add(1, Ordering::Relaxed) >= self.threads {
            self.queued_at.store(self.millis() + 1, Ordering::Relaxed);
        }
        Answering(self)
    }

    /// Whether requests are waiting for a CPU, or were a moment ago.
    pub fn saturated(&self) -> bool {
        if self.in_flight.load(Ordering::Relaxed) > self.threads {
            return true;
        }
        let queued_at = self.queued_at.load(Ordering::Relaxed);
        queued_at > 0 && (self.millis() + 1).saturating_sub(queued_at) < LULL_MILLIS
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }
}

impl Default for Load {
    fn default() -> Load {
        Load::new()
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Addresses remembered before the ones that have recovered their whole burst are forgotten.
const REMEMBERED_ADDRESSES: usize = 10_000;

impl RequestRates {
    pub fn new(limits: &LimitsConfig) -> Self {
        let limiter = NonZeroU32::new(limits.per_org_per_second).map(|rate| {
            let burst = NonZeroU32::new(limits.per_org_burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        RequestRates { limiter, clock: DefaultClock::default() }
    }

    /// Counts one request of `org`; refuses it when the organisation is over its rate. The
    /// organisations are the registered ones, so the limiter's memory stays small.
    pub fn admit(&self, org: &OrgId) -> Result<(), RateLimited> {
        self.admit_requester(&Requester::Org(org.clone()))
    }

    /// Counts one refused request from `address`, with the same rate as an organisation.
    pub fn admit_address(&self, address: IpAddr) -> Result<(), RateLimited> {
        if let Some(limiter) = &self.limiter
            && limiter.len() > REMEMBERED_ADDRESSES
        {
            limiter.retain_recent();
        }
        self.admit_requester(&Requester::Address(address))
    }

    fn admit_requester(&self, requester: &Requester) -> Result<(), RateLimited> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        limiter.check_key(requester).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            RateLimited { retry_after_seconds: seconds.max(1) }
        })
    }
}

/// The `Retry-After` header of a refusal.
pub fn retry_after(seconds: u64) -> (axum::http::HeaderName, HeaderValue) {
    (axum::http::header::RETRY_AFTER, HeaderValue::from(seconds.max(1)))
}

/// `router` with the bound on requests in flight and the timeout around it: a request beyond
/// `in_flight` is refused at once (503 `overloaded`, `Retry-After: 1`), one that takes longer
/// than the timeout is answered 503 `timeout`. The bound is one semaphore for all routes
/// (axum layers each route: a per-route limit would multiply it).
pub fn shedding<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: &LimitsConfig) -> Router<S> {
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(shed))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::new(limits.in_flight.max(1)))
            .timeout(Duration::from_secs(limits.request_timeout_seconds.max(1))),
    )
}

/// The answer to a request shed by the in-flight bound or stopped by the timeout: JSON under
/// `/api`, a page elsewhere.
async fn shed(uri: Uri, error: BoxError) -> Response {
    let timed_out = error.is::<tower::timeout::error::Elapsed>();
    let (code, message, retry) = if timed_out {
        ("timeout", "Ketenpoort could not answer in time; if it changed anything, the audit log shows it", None)
    } else {
        if !error.is::<tower::load_shed::error::Overloaded>() {
            tracing::error!(%error, "request failed in a layer");
        }
        ("overloaded", "Ketenpoort is busy; nothing was done: try again in a second", Some(1))
    };
    let mut response = if uri.path().starts_with("/api/") {
        crate::api::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message).into_response()
    } else {
        crate::web::unavailable_page(timed_out)
    };
    if let Some(seconds) = retry {
        let (name, value) = retry_after(seconds);
        response.headers_mut().insert(name, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_is_saturated_while_requests_queue_for_a_cpu_and_a_moment_after() {
        let load = Load::new();
        let few: Vec<_> = (0..load.threads).map(|_| load.answering()).collect();
        assert!(!load.saturated(), "one request per thread: none waits");
        let more = load.answering();
        assert!(load.saturated());
        drop((few, more));
        assert!(load.saturated(), "a lull of a few milliseconds is no lull");
        std::thread::sleep(std::time::Duration::from_millis(LULL_MILLIS + 50));
        assert!(!load.saturated());
    }

    #[test]
    fn an_organisation_over_its_rate_is_told_when_to_return_and_others_are_not_held_back() {
        let rates =
            RequestRates::new(&LimitsConfig { per_org_per_second: 2, per_org_burst: 3, ..LimitsConfig::default() });
        let school = OrgId("lyceum-noord".into());
        for _ in 0..3 {
            assert_eq!(rates.admit(&school), Ok(()));
        }
        let refused = rates.admit(&school).unwrap_err();
        assert_eq!(refused.retry_after_seconds, 1, "half a second rounds up to one");
        assert_eq!(rates.admit(&OrgId("buurtteam-oost".into())), Ok(()));
    }

    /// A router whose one page takes `delay` (a slow database, say), behind the real layers.
    fn slow_router(delay: Duration, limits: &LimitsConfig) -> Router {
        let slow = axum::routing::get(move || async move {
            tokio::time::sleep(delay).await;
            "done"
        });
        shedding(Router::new().route("/api/v1/slow", slow.clone()).route("/slow", slow), limits)
    }

    async fn call(router: &Router, path: &str) -> (StatusCode, Option<String>, String) {
        use tower::ServiceExt;
        let request = axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, retry, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn requests_beyond_the_bound_in_flight_are_refused_at_once_with_retry_after() {
        let limits = LimitsConfig { in_flight: 2, ..LimitsConfig::default() };
        let router = slow_router(Duration::from_millis(300), &limits);
        let started = std::time::Instant::now();
        let calls: Vec<_> = (0..6)
            .map(|_| {
                let router = router.clone();
                tokio::spawn(async move { call(&router, "/api/v1/slow").await })
            })
            .collect();
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.unwrap());
        }
        let served = answers.iter().filter(|(status, _, _)| *status == StatusCode::OK).count();
        assert_eq!(served, 2, "{answers:?}");
        for (status, retry, body) in answers.iter().filter(|(status, _, _)| *status != StatusCode::OK) {
            assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(retry.as_deref(), Some("1"));
            assert!(body.contains("\"error\":\"overloaded\""), "{body}");
        }
        assert!(started.elapsed() < Duration::from_millis(1_000), "the excess was not queued");
        // A page is told in words, not in JSON.
        let limits = LimitsConfig { in_flight: 1, ..LimitsConfig::default() };
        let router = slow_router(Duration::from_millis(300), &limits);
        let (first, second) = tokio::join!(call(&router, "/slow"), call(&router, "/slow"));
        let refused = if first.0 == StatusCode::OK { second } else { first };
        assert_eq!(refused.0, StatusCode::SERVICE_UNAVAILABLE);
        assert!(refused.2.contains("te druk"), "{}", refused.2);
    }

    #[tokio::test]
    async fn a_request_that_takes_longer_than_the_timeout_is_answered_503_in_time() {
        let limits = LimitsConfig { request_timeout_seconds: 1, ..LimitsConfig::default() };
        let router = slow_router(Duration::from_secs(5), &limits);
        let started = std::time::Instant::now();
        let (status, _, body) = call(&router, "/api/v1/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("\"error\":\"timeout\""), "{body}");
        assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());
    }

    #[test]
    fn refused_callers_are_held_to_a_rate_by_address_apart_from_the_organisations() {
        let rates =
            RequestRates::new(&LimitsConfig { per_org_per_second: 1, per_org_burst: 2, ..LimitsConfig::default() });
        let stranger: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(rates.admit_address(stranger).is_ok() && rates.admit_address(stranger).is_ok());
        assert!(rates.admit_address(stranger).is_err());
        assert!(rates.admit_address("192.0.2.8".parse().unwrap()).is_ok());
        assert!(rates.admit(&OrgId("lyceum-noord".into())).is_ok());
    }

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let rates = RequestRates::new(&LimitsConfig { per_org_per_second: 0, ..LimitsConfig::default() });
        let school = OrgId("lyceum-noord".into());
        assert!((0..10_000).all(|_| rates.admit(&school).is_ok()));
    }
}
