//! The API under load, as issue 8 measures it: 64 partner-system clients over mutual TLS with
//! keep-alive, first against `/healthz` (the ceiling of the same server over the same
//! connections), then sending audited exchanges (`POST /api/v1/decisions`: decided, audited,
//! durably committed before the 200). Prints `FIGURE name value` lines for scripts/bench.
//!
//! Usage: `load https://127.0.0.1:PORT CERTS_DIR [SECONDS]` against a running `ketenpoort demo`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;

fn client(certs: &std::path::Path) -> reqwest::Client {
    let read = |name: &str| std::fs::read(certs.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let ca = reqwest::Certificate::from_pem(&read("ca.crt")).expect("the CA");
    let mut pem = read("buurtteam-oost.key");
    pem.extend(read("buurtteam-oost.crt"));
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("ketenpoort-actor", "family_worker@buurtteam-oost".parse().expect("a header"));
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .identity(reqwest::Identity::from_pem(&pem).expect("the client certificate"))
        .default_headers(headers)
        .http1_only()
        .pool_max_idle_per_host(1)
        .build()
        .expect("a client")
}

/// Whether the call succeeded, its body read to the end: only then does the connection go
/// back to the pool for the next call (keep-alive), as a partner system's client would.
async fn answered(response: reqwest::Result<reqwest::Response>) -> bool {
    match response {
        Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
        _ => false,
    }
}

/// Runs `CLIENTS` loops of `call` for `seconds`; returns (calls per second, p99 latency).
async fn hammer(
    clients: &[reqwest::Client],
    seconds: u64,
    call: fn(reqwest::Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send>>,
) -> (f64, Duration, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in clients.iter().cloned() {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0usize);
            while !stop.load(Ordering::Relaxed) {
                let start = Instant::now();
                if call(client.clone()).await {
                    latencies.push(start.elapsed());
                } else {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut latencies, mut failures) = (Vec::new(), 0);
    for task in tasks {
        let (l, f) = task.await.expect("a client task");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let p99 = latencies.get(latencies.len() * 99 / 100).copied().unwrap_or_default();
    (latencies.len() as f64 / elapsed, p99, failures)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut args = std::env::args().skip(1);
    let base = args.next().expect("usage: load https://127.0.0.1:PORT CERTS_DIR [SECONDS]");
    let certs = std::path::PathBuf::from(args.next().expect("the certificate directory"));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BASE.set(base).expect("set once");
    let clients: Vec<reqwest::Client> = (0..CLIENTS).map(|_| client(&certs)).collect();

    // The youth the exchanges are about, known to both organisations.
    let first = clients[0]
        .post(format!("{}/api/v1/involvements", BASE.get().expect("base")))
        .json(&serde_json::json!({ "bsn": "628194821", "birth_date": "2012-03-15", "purpose": "care_coordination" }))
        .send()
        .await
        .expect("the server answers");
    assert!(first.status().is_success() || first.status().as_u16() == 409, "{}", first.status());

    let (health, health_p99, health_failed) = hammer(&clients, seconds, |client| {
        Box::pin(async move {
            let url = format!("{}/healthz", BASE.get().expect("base"));
            answered(client.get(url).send().await).await
        })
    })
    .await;
    let (exchanges, exchange_p99, exchange_failed) = hammer(&clients, seconds, |client| {
        Box::pin(async move {
            let url = format!("{}/api/v1/decisions", BASE.get().expect("base"));
            let body = serde_json::json!({
                "bsn": "628194821", "signal": "feedback_request", "to": "lyceum-noord", "purpose": "care_coordination"
            });
            answered(client.post(url).json(&body).send().await).await
        })
    })
    .await;
    println!("FIGURE api_healthz_per_s {health:.0}");
    println!("FIGURE api_healthz_p99_ms {:.2}", health_p99.as_secs_f64() * 1000.0);
    println!("FIGURE api_exchanges_per_s {exchanges:.0}");
    println!("FIGURE api_exchanges_p99_ms {:.2}", exchange_p99.as_secs_f64() * 1000.0);
    println!("FIGURE api_failures {}", health_failed + exchange_failed);
}
