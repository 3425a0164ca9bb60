//! Notices (issue 18), against a release build of Ketenpoort in this process, its dispatcher
//! giving way to the API as `serve`'s does: the audited exchanges through the API with notices
//! on (the recipient has a webhook) as a ratio to the same exchanges with notices off (no
//! webhook: nothing is queued), in bursts of two seconds each followed by the time their
//! notices take, and sustained for three times the give-way bound; then how many notices a
//! dispatcher delivers per second to a local receiver, from a backlog. The receiver checks
//! every signature. Prints `FIGURE name value` lines for scripts/bench.
//!
//! Usage: `notices CERTS_DIR [SECONDS [GIVE_WAY]]`: SECONDS of bursts of each, in turns of two
//! seconds; GIVE_WAY overrides `notices.give_way_seconds` (0: no giving way, for comparison).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use ketenpoort::exchange::Occasion;
use ketenpoort::framework::OrgId;
use ketenpoort::notices::NoticesConfig;
use ketenpoort::notices::dispatcher::Dispatcher;

mod partner;

const CLIENTS: usize = 64;
const SLICE: Duration = Duration::from_secs(2);
/// The organisation whose system is told: the recipient of every exchange.
const TOLD: &str = "buurtteam-oost";

/// What the receiver checks with, and what it counted.
struct Receiver {
    secret: std::sync::Mutex<String>,
    verified: AtomicU64,
    refused: AtomicU64,
}

async fn receive(
    axum::extract::State(receiver): axum::extract::State<Arc<Receiver>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (id, timestamp, signature) = (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
    let secret = receiver.secret.lock().expect("the secret").clone();
    let expected = timestamp
        .parse()
        .ok()
        .and_then(|timestamp| ketenpoort::notices::webhook::signature(&secret, &id, timestamp, &body).ok());
    if expected.as_deref() == Some(signature.as_str()) {
        receiver.verified.fetch_add(1, Ordering::Relaxed);
        StatusCode::NO_CONTENT
    } else {
        receiver.refused.fetch_add(1, Ordering::Relaxed);
        StatusCode::BAD_REQUEST
    }
}

/// The `n`th BSN that passes the elfproef.
fn bsn(n: usize) -> String {
    (200_000_000u64..)
        .map(|candidate| candidate.to_string())
        .filter(|bsn| {
            let digits: Vec<i64> = bsn.bytes().map(|b| i64::from(b - b'0')).collect();
            let sum: i64 = (0..8).map(|i| digits[i] * (9 - i as i64)).sum::<i64>() - digits[8];
            sum % 11 == 0
        })
        .nth(n)
        .expect("a BSN")
}

/// Each client asks the team for feedback about its own youth, again and again, for `span`;
/// how many were delivered (201), and how many failed.
async fn exchanges(clients: &[(reqwest::Client, Vec<u8>)], url: &reqwest::Url, span: Duration) -> (u64, u64) {
    let stop = Arc::new(AtomicBool::new(false));
    let (done, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for (client, body) in clients.iter().cloned() {
        let (stop, done, failed, url) = (stop.clone(), done.clone(), failed.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let sent = client.post(url.clone()).header("content-type", "application/json").body(body.clone());
                // Read to its end: only then does the connection go back to the pool.
                let delivered = match sent.send().await {
                    Ok(response) => response.status() == StatusCode::CREATED && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if delivered {
                    done.fetch_add(1, Ordering::Relaxed)
                } else {
                    failed.fetch_add(1, Ordering::Relaxed)
                };
            }
        }));
    }
    tokio::time::sleep(span).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("a client task");
    }
    (done.load(Ordering::Relaxed), failed.load(Ordering::Relaxed))
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut args = std::env::args().skip(1);
    let certs = std::path::PathBuf::from(args.next().expect("usage: notices CERTS_DIR [SECONDS [GIVE_WAY]]"));
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    // For comparison only: 0 makes the dispatcher send at once, as it did before it gave way.
    let give_way = args.next().and_then(|s| s.parse().ok()).unwrap_or(NoticesConfig::default().give_way_seconds);

    // The receiver, on loopback with the development server certificate.
    let receiver = Arc::new(Receiver {
        secret: std::sync::Mutex::new(String::new()),
        verified: AtomicU64::new(0),
        refused: AtomicU64::new(0),
    });
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(certs.join("server.crt"), certs.join("server.key"))
        .await
        .expect("the server certificate");
    let handle: axum_server::Handle<std::net::SocketAddr> = axum_server::Handle::new();
    let router = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
    let bound = axum_server::bind_rustls("127.0.0.1:0".parse().expect("an address"), tls).handle(handle.clone());
    tokio::spawn(bound.serve(router.into_make_service()));
    let hook = format!("https://{}/hook", handle.listening().await.expect("the receiver listens"));

    // Ketenpoort, sending nothing itself: this program starts and stops the dispatcher.
    let dir = tempfile::tempdir().expect("a directory");
    ketenpoort::keys::generate(&dir.path().join("k.keys"), false).expect("keys");
    let notices = NoticesConfig {
        dispatch: false,
        allow_private_webhooks: true,
        webhook_ca: Some(certs.join("ca.crt")),
        give_way_seconds: give_way,
        ..NoticesConfig::default()
    };
    let mut limits = ketenpoort::config::LimitsConfig::default();
    (limits.per_org_per_second, limits.in_flight) = (0, 4096);
    let config = ketenpoort::config::Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        database_url: format!("sqlite://{}", dir.path().join("k.db").display()),
        keys: Some(dir.path().join("k.keys")),
        tls: ketenpoort::config::TlsConfig {
            cert: certs.join("server.crt"),
            key: certs.join("server.key"),
            client_ca: certs.join("ca.crt"),
            client_crl: None,
        },
        notices: notices.clone(),
        daily_retention: false,
        limits,
        ..ketenpoort::config::Config::default()
    };
    let app = ketenpoort::app::App::build(&config).await.expect("Ketenpoort starts");
    let gateway = app.state().gateway.clone();
    let region = ketenpoort::demo::region().expect("the demo region");
    ketenpoort::demo::seed(&gateway, &region, &certs, ketenpoort::clock::now()).await.expect("seeded");
    let base = format!("https://{}/api/v1", app.addr());
    let keys = ketenpoort::keys::load(&dir.path().join("k.keys")).expect("keys");

    // A youth per client, known to both organisations, so that every request is allowed.
    let mentor = || partner::client(&certs, "lyceum-noord", "mentor@lyceum-noord");
    let worker = partner::client(&certs, TOLD, "family_worker@buurtteam-oost");
    let involvements = reqwest::Url::parse(&format!("{base}/involvements")).expect("a URL");
    let mut clients = Vec::with_capacity(CLIENTS);
    for n in 0..CLIENTS {
        let youth = serde_json::json!({ "bsn": bsn(n), "birth_date": "2012-03-15", "purpose": "care_coordination" });
        let ask = mentor();
        for who in [&ask, &worker] {
            let registered = who.post(involvements.clone()).json(&youth).send().await.expect("an answer");
            assert_eq!(registered.status(), StatusCode::CREATED, "{}", registered.text().await.unwrap_or_default());
        }
        let request = serde_json::json!({
            "bsn": bsn(n), "signal": "feedback_request", "to": TOLD, "purpose": "care_coordination"
        });
        clients.push((ask, serde_json::to_vec(&request).expect("JSON")));
    }
    let signals = reqwest::Url::parse(&format!("{base}/signals")).expect("a URL");
    let told = OrgId(TOLD.into());
    let operator = ketenpoort::identity::operator;
    let set_hook = || async {
        let occasion = Occasion::at(ketenpoort::clock::now());
        let (_, set) = gateway.set_webhook(operator(), &told, &hook, &notices, &occasion).await.expect("set");
        *receiver.secret.lock().expect("the secret") = set.secret;
    };
    let dispatcher = || {
        let store = gateway.store_handle();
        Dispatcher::new(store, keys.pseudonymiser.clone(), &notices, None).expect("a dispatcher")
    };

    // One dispatcher, as serve runs it: giving way to the API's load (notices.give_way_seconds).
    let load = app.state().load.clone();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sending = tokio::spawn(dispatcher().giving_way_to(load).run(stopped));
    let verified = || receiver.verified.load(Ordering::Relaxed);
    // Until the receiver has verified `count` more than `before` (at most a minute): how long.
    let drained = |before: u64, count: u64| async move {
        let started = Instant::now();
        while verified() < before + count && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        started.elapsed()
    };

    // Bursts, in turns: off (no webhook: nothing is queued), on (a webhook); after each, the
    // machine idles until every notice of the burst is delivered, so that none is sent during
    // another turn. The longest wait after a burst's end for its last notice is the delay.
    let (mut off, mut on, mut failures, mut delay) = ((0u64, Duration::ZERO), (0u64, Duration::ZERO), 0u64, Duration::ZERO);
    let mut sent_in_bursts = 0;
    for turn in 0..(seconds / SLICE.as_secs()).max(1) * 2 {
        let notices_on = turn % 4 == 1 || turn % 4 == 2;
        if notices_on {
            set_hook().await;
        } else {
            let _ = gateway.remove_webhook(operator(), &told, &Occasion::at(ketenpoort::clock::now())).await;
        }
        let before = verified();
        let started = Instant::now();
        let (done, failed) = exchanges(&clients, &signals, SLICE).await;
        let side = if notices_on { &mut on } else { &mut off };
        side.0 += done;
        side.1 += started.elapsed();
        failures += failed;
        if notices_on {
            sent_in_bursts += verified() - before;
            delay = delay.max(drained(before, done).await);
        }
    }
    let rate = |(done, took): (u64, Duration)| done as f64 / took.as_secs_f64();
    let (off_rate, on_rate) = (rate(off), rate(on));
    println!("FIGURE notices_exchanges_off_per_s {off_rate:.0}");
    println!("FIGURE notices_exchanges_on_per_s {on_rate:.0}");
    println!("FIGURE notices_exchange_ratio {:.3}", on_rate / off_rate);
    println!("FIGURE notices_exchange_failures {failures}");
    println!("FIGURE notices_sent_during_bursts {sent_in_bursts}");
    println!("FIGURE notices_burst_delay_s {:.1}", delay.as_secs_f64());

    // Sustained: the same load for three times the give-way bound, off and then on; from the
    // bound on, notices are sent while the exchanges go on.
    let span = Duration::from_secs(NoticesConfig::default().give_way_seconds * 3);
    let _ = gateway.remove_webhook(operator(), &told, &Occasion::at(ketenpoort::clock::now())).await;
    let (off_done, _) = exchanges(&clients, &signals, span).await;
    set_hook().await;
    let before = verified();
    let (on_done, _) = exchanges(&clients, &signals, span).await;
    let sent_meanwhile = verified() - before;
    drained(before, on_done).await;
    let _ = stop.send(true);
    let _ = sending.await;
    println!("FIGURE notices_sustained_seconds {}", span.as_secs());
    println!("FIGURE notices_sustained_off_per_s {:.0}", off_done as f64 / span.as_secs_f64());
    println!("FIGURE notices_sustained_on_per_s {:.0}", on_done as f64 / span.as_secs_f64());
    println!("FIGURE notices_sustained_ratio {:.3}", on_done as f64 / off_done as f64);
    println!("FIGURE notices_sustained_sent {sent_meanwhile}");

    // A backlog queued with no dispatcher running, then drained by one.
    set_hook().await;
    let (queued, _) = exchanges(&clients, &signals, Duration::from_secs(seconds.max(3))).await;
    let before = receiver.verified.load(Ordering::Relaxed);
    let draining = dispatcher();
    let started = Instant::now();
    while draining.round().await.expect("a round") > 0 {}
    let took = started.elapsed();
    let delivered = receiver.verified.load(Ordering::Relaxed) - before;
    println!("FIGURE notices_backlog {queued}");
    println!("FIGURE notices_delivered {delivered}");
    println!("FIGURE notices_per_s {:.0}", delivered as f64 / took.as_secs_f64());
    println!("FIGURE notices_refused_by_receiver {}", receiver.refused.load(Ordering::Relaxed));
}
