//! The API under load, as issue 8 measures it: 64 partner-system clients over mutual TLS with
//! keep-alive, against `/healthz` (the ceiling of the same server over the same connections)
//! and, in turns with it, sending audited exchanges (`POST /api/v1/decisions`: decided, audited,
//! durably committed before the 200). Prints `FIGURE name value` lines for scripts/bench.
//!
//! Usage: `load https://127.0.0.1:PORT CERTS_DIR [SECONDS]` against a running `ketenpoort demo`:
//! SECONDS of each, in turns of two seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod partner;

const CLIENTS: usize = 64;
/// How long each turn of `/healthz` or of exchanges lasts.
const SLICE_SECONDS: u64 = 2;

/// Whether the call succeeded, its body read to the end: only then does the connection go
/// back to the pool for the next call (keep-alive), as a partner system's client would.
async fn answered(response: reqwest::Result<reqwest::Response>) -> bool {
    match response {
        Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
        _ => false,
    }
}

/// Calls made, their latencies and the failures, over some time.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failures: usize,
    elapsed: Duration,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.failures += other.failures;
        self.elapsed += other.elapsed;
    }

    /// (calls per second, p99 latency, failures)
    fn figures(mut self) -> (f64, Duration, usize) {
        self.latencies.sort_unstable();
        let p99 = self.latencies.get(self.latencies.len() * 99 / 100).copied().unwrap_or_default();
        (self.latencies.len() as f64 / self.elapsed.as_secs_f64(), p99, self.failures)
    }
}

type Call = fn(reqwest::Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>;

/// Runs `CLIENTS` loops of `call` for `span`.
async fn hammer(clients: &[reqwest::Client], span: Duration, call: Call) -> Tally {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in clients.iter().cloned() {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                if call(client.clone()).await {
                    tally.latencies.push(start.elapsed());
                } else {
                    tally.failures += 1;
                }
            }
            tally
        }));
    }
    tokio::time::sleep(span).await;
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::default();
    for task in tasks {
        tally.add(task.await.expect("a client task"));
    }
    tally.elapsed = started.elapsed();
    tally
}

/// The bodies and addresses, made once: the load generator shares the machine with the
/// server, and what it spends per call is not the server's to carry.
struct Calls {
    healthz: reqwest::Url,
    decisions: reqwest::Url,
    exchange: Vec<u8>,
}

static CALLS: std::sync::OnceLock<Calls> = std::sync::OnceLock::new();

fn calls() -> &'static Calls {
    CALLS.get().expect("set in main")
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut args = std::env::args().skip(1);
    let base = args.next().expect("usage: load https://127.0.0.1:PORT CERTS_DIR [SECONDS]");
    let certs = std::path::PathBuf::from(args.next().expect("the certificate directory"));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let url = |path: &str| reqwest::Url::parse(&format!("{base}{path}")).expect("a URL");
    let exchange = serde_json::json!({
        "bsn": "628194821", "signal": "feedback_request", "to": "lyceum-noord", "purpose": "care_coordination"
    });
    let made = Calls {
        healthz: url("/healthz"),
        decisions: url("/api/v1/decisions"),
        exchange: serde_json::to_vec(&exchange).expect("JSON"),
    };
    let involvement = url("/api/v1/involvements");
    CALLS.set(made).ok().expect("set once");
    let clients: Vec<reqwest::Client> = (0..CLIENTS).map(|_| partner::client(&certs, "buurtteam-oost", "family_worker@buurtteam-oost")).collect();

    // The youth the exchanges are about, known to both organisations.
    let first = clients[0]
        .post(involvement)
        .json(&serde_json::json!({ "bsn": "628194821", "birth_date": "2012-03-15", "purpose": "care_coordination" }))
        .send()
        .await
        .expect("the server answers");
    assert!(first.status().is_success() || first.status().as_u16() == 409, "{}", first.status());

    let healthz: Call =
        |client| Box::pin(async move { answered(client.get(calls().healthz.clone()).send().await).await });
    let exchanges: Call = |client| {
        Box::pin(async move {
            let request = client
                .post(calls().decisions.clone())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(calls().exchange.clone());
            answered(request.send().await).await
        })
    };
    // Side by side: slices of each in turn, so that a machine whose speed drifts (a shared
    // virtual machine) weighs on both figures alike.
    let (mut health, mut exchanged) = (Tally::default(), Tally::default());
    for _ in 0..seconds.div_ceil(SLICE_SECONDS) {
        health.add(hammer(&clients, Duration::from_secs(SLICE_SECONDS), healthz).await);
        exchanged.add(hammer(&clients, Duration::from_secs(SLICE_SECONDS), exchanges).await);
    }
    let (health, health_p99, health_failed) = health.figures();
    let (exchanges, exchange_p99, exchange_failed) = exchanged.figures();
    println!("FIGURE api_healthz_per_s {health:.0}");
    println!("FIGURE api_healthz_p99_ms {:.2}", health_p99.as_secs_f64() * 1000.0);
    println!("FIGURE api_exchanges_per_s {exchanges:.0}");
    println!("FIGURE api_exchanges_p99_ms {:.2}", exchange_p99.as_secs_f64() * 1000.0);
    println!("FIGURE api_failures {}", health_failed + exchange_failed);
}
