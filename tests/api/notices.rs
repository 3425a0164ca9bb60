//! Notices by webhook, end to end: a real receiver (tests/web/webhook-receiver.mjs) checks
//! every delivery with the official Standard Webhooks library; what it receives is the inbox
//! item the organisation's API shows, never a BSN; a failing receiver gets the same notice
//! again until it answers, and one that never answers fails for good, counted in /metrics.

use std::time::Duration;

use ketenpoort::exchange::{Occasion, RegistryError};
use ketenpoort::framework::OrgId;
use ketenpoort::identity::operator;
use ketenpoort::notices::dispatcher::Dispatcher;
use ketenpoort::notices::webhook::WebhookError;
use ketenpoort::notices::{NoticeState, NoticesConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{BIRTH_DATE, BSN, ChildGuard, TestApp, certs_dev, http_client, node_peer, spawn_app_with};

/// The receiver, listening; its base URL.
pub struct Receiver {
    _child: ChildGuard,
    base: String,
    http: reqwest::Client,
}

impl Receiver {
    pub fn start() -> Receiver {
        let certs = certs_dev();
        let (child, line) = node_peer("webhook-receiver.mjs", "standardwebhooks", |node| {
            node.arg(certs.join("server.crt")).arg(certs.join("server.key"))
        });
        let base = line.strip_prefix("listening ").unwrap_or_else(|| panic!("the receiver said: {line}")).to_owned();
        Receiver { _child: child, base, http: http_client(None, None) }
    }

    /// The address of the hook named `name` (one per organisation, each with its secret).
    pub fn hook(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.base)
    }

    pub async fn control(&self, path: &str, body: Value) {
        let done = self.http.post(format!("{}/control/{path}", self.base)).json(&body).send().await.unwrap();
        assert_eq!(done.status(), StatusCode::OK);
    }

    pub async fn received(&self) -> Vec<Value> {
        let got = self.http.get(format!("{}/control/received", self.base)).send().await.unwrap();
        got.json::<Vec<Value>>().await.unwrap()
    }

    /// Waits until `count` attempts have arrived (at most `within`), and returns them all.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Value> {
        let until = std::time::Instant::now() + within;
        loop {
            let received = self.received().await;
            if received.len() >= count || std::time::Instant::now() > until {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// `org`'s delivery log once nothing in it is pending any more (a delivery is settled after the
/// receiver answered, so the log may lag what the receiver saw), at most 10 s on.
pub async fn settled(app: &TestApp, org: &str) -> Vec<ketenpoort::notices::Delivery> {
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let log = app.gateway().store().deliveries(&OrgId(org.into()), 100).await.unwrap();
        if log.iter().all(|d| d.state != NoticeState::Pending) || std::time::Instant::now() > until {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn notices(give_up_after_seconds: u64) -> NoticesConfig {
    NoticesConfig {
        dispatch: true,
        give_up_after_seconds,
        // The receiver is on loopback, its certificate from the development CA.
        allow_private_webhooks: true,
        webhook_ca: Some(certs_dev().join("ca.crt")),
        ..NoticesConfig::default()
    }
}

async fn app_telling(give_up_after_seconds: u64) -> TestApp {
    spawn_app_with(|config| ketenpoort::config::Config { notices: notices(give_up_after_seconds), ..config }).await
}

/// Sets `org`'s webhook to the receiver's hook of that name and gives the receiver the secret.
async fn connect(app: &TestApp, receiver: &Receiver, org: &str) {
    let occasion = Occasion::at(ketenpoort::clock::now());
    let (_, hook) = app
        .gateway()
        .set_webhook(operator(), &OrgId(org.into()), &receiver.hook(org), &notices(60), &occasion)
        .await
        .unwrap();
    assert!(hook.secret.starts_with("whsec_"));
    receiver.control("secret", json!({ "name": org, "secret": hook.secret })).await;
}

#[tokio::test]
async fn a_match_and_a_request_reach_each_organisations_system_signed_and_as_its_inbox_shows_them() {
    let receiver = Receiver::start();
    let app = app_telling(60).await;
    connect(&app, &receiver, "lyceum-noord").await;
    connect(&app, &receiver, "buurtteam-oost").await;

    // A match (a notice to each side) and a feedback request to the neighbourhood team.
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, StatusCode::CREATED);
    assert_eq!(worker.register().await.status, StatusCode::CREATED);
    let request = mentor.send("feedback_request", "buurtteam-oost", json!({})).await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.body);

    let received = receiver.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(received.len(), 3, "{received:#?}");
    for attempt in &received {
        assert_eq!(attempt["verified"], true, "the library's verdict: {attempt:#}");
        assert_eq!(attempt["status"], 204);
        assert_eq!(attempt["content_type"], "application/json");
        let raw = attempt["raw"].as_str().unwrap();
        assert!(!raw.contains(BSN) && !raw.contains(BIRTH_DATE), "{raw}");
    }

    // Each body is exactly the item of the organisation's own inbox, case reference and all.
    for (org, client, expected) in [("lyceum-noord", &mentor, 1), ("buurtteam-oost", &worker, 2)] {
        let inbox = client.get("/inbox").await;
        let items = inbox.body["items"].as_array().unwrap();
        let delivered: Vec<&Value> = received.iter().filter(|a| a["hook"] == org).map(|a| &a["body"]).collect();
        assert_eq!(delivered.len(), expected, "{org}: {received:#?}");
        for body in delivered {
            let item = items.iter().find(|item| item["id"] == body["id"]).unwrap_or_else(|| panic!("{body}"));
            assert_eq!(body, item, "{org}");
        }
        let log = settled(&app, org).await;
        assert_eq!(log.len(), expected);
        for delivery in &log {
            assert_eq!(
                (delivery.state, delivery.attempts, delivery.last_status),
                (NoticeState::Delivered, 1, Some(204))
            );
            assert!(received.iter().any(|a| a["id"] == delivery.notice_id.as_str()), "the notice id is webhook-id");
        }
    }
    let kinds: Vec<&str> = received.iter().filter_map(|a| a["body"]["kind"].as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "match_notice").count(), 2, "{kinds:?}");
    assert!(received.iter().any(|a| a["body"]["signal"] == "feedback_request"));

    // Setting a webhook is audited by its address; the secret is nowhere but its own row.
    let entries = app.audit_entries().await;
    let set: Vec<_> = entries.iter().filter(|e| e.event.as_str() == "webhook_set").collect();
    assert_eq!(set.len(), 2);
    assert!(set.iter().all(|e| e.subject.as_deref().is_some_and(|s| s.starts_with("https://127.0.0.1:"))));
    assert!(entries.iter().all(|e| !format!("{e:?}").contains("whsec_")));
}

#[tokio::test]
async fn a_receiver_that_fails_gets_the_same_notice_again_until_it_answers() {
    let receiver = Receiver::start();
    let app = app_telling(600).await;
    connect(&app, &receiver, "lyceum-noord").await;
    receiver.control("fail", json!({ "count": 2, "status": 503 })).await;

    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);

    // Backoff: the second try 2.5 to 5 s after the first, the third 5 to 10 s after that.
    let received = receiver.wait_for(3, Duration::from_secs(30)).await;
    assert_eq!(received.len(), 3, "{received:#?}");
    let statuses: Vec<i64> = received.iter().map(|a| a["status"].as_i64().unwrap()).collect();
    assert_eq!(statuses, [503, 503, 204]);
    assert!(received.iter().all(|a| a["id"] == received[0]["id"] && a["verified"] == true), "{received:#?}");
    assert!(received.iter().all(|a| a["raw"] == received[0]["raw"]), "the same body each time");
    let stamps: Vec<i64> = received.iter().map(|a| a["timestamp"].as_str().unwrap().parse().unwrap()).collect();
    assert!(stamps[1] - stamps[0] >= 2 && stamps[2] - stamps[1] >= 4, "backed off: {stamps:?}");

    let log = settled(&app, "lyceum-noord").await;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].state, log[0].attempts, log[0].last_status), (NoticeState::Delivered, 3, Some(204)));
}

#[tokio::test]
async fn a_notice_never_answered_fails_for_good_shown_in_the_log_and_counted() {
    let receiver = Receiver::start();
    let app = app_telling(3).await;
    connect(&app, &receiver, "lyceum-noord").await;
    receiver.control("fail", json!({ "count": 1000, "status": 500 })).await;

    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);

    let org = OrgId("lyceum-noord".into());
    let until = std::time::Instant::now() + Duration::from_secs(20);
    let log = loop {
        let log = app.gateway().store().deliveries(&org, 10).await.unwrap();
        if log.first().is_some_and(|d| d.state != NoticeState::Pending) || std::time::Instant::now() > until {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].state, NoticeState::Failed, "{log:?}");
    assert!(log[0].attempts >= 2, "tried again before giving up: {log:?}");
    assert_eq!(log[0].last_status, Some(500));
    assert_eq!(log[0].last_error.as_deref(), Some("the receiver answered 500"));
    let attempts = receiver.received().await.len();
    assert_eq!(attempts, log[0].attempts as usize);

    let http = http_client(None, None);
    let metrics = http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let failed = metrics
        .lines()
        .find(|l| l.starts_with("ketenpoort_notices_total") && l.contains("outcome=\"failed\""))
        .unwrap_or_else(|| panic!("{metrics}"));
    assert!(failed.rsplit(' ').next().unwrap().parse::<f64>().unwrap() >= 1.0, "{failed}");

    // Nothing more is sent once it has failed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().await.len(), attempts);
}

#[tokio::test]
async fn a_webhook_is_https_to_a_public_address_of_a_known_organisation_and_its_removal_drops_what_waits() {
    let app = app_telling(60).await;
    let occasion = Occasion::at(ketenpoort::clock::now());
    let set = |org: &'static str, url: &'static str| {
        let gateway = app.gateway().clone();
        let occasion = occasion.clone();
        async move { gateway.set_webhook(operator(), &OrgId(org.into()), url, &NoticesConfig::default(), &occasion).await }
    };
    for (url, refused) in [
        ("http://partner.example/hook", "https"),
        ("https://127.0.0.1:9/hook", "private"),
        ("https://10.0.0.8/hook", "private"),
        ("https://[::1]/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://user:secret@partner.example/hook", "credentials"),
        ("partner.example/hook", "url"),
    ] {
        let outcome = set("lyceum-noord", url).await;
        let matches = matches!(
            (&outcome, refused),
            (Err(RegistryError::Webhook(WebhookError::NotHttps)), "https")
                | (Err(RegistryError::Webhook(WebhookError::Private(_))), "private")
                | (Err(RegistryError::Webhook(WebhookError::Credentials)), "credentials")
                | (Err(RegistryError::Webhook(WebhookError::NotAUrl(_))), "url")
        );
        assert!(matches, "{url}: {:?}", outcome.map(|(seq, hook)| (seq, hook.url)));
    }
    assert!(matches!(set("no-such-org", "https://partner.example/hook").await, Err(RegistryError::Input(_))));
    assert!(app.gateway().store().webhook(&OrgId("lyceum-noord".into())).await.unwrap().is_none());

    // Set to a receiver that is not there: the notice waits, and removing the hook drops it.
    let (_, hook) = set("lyceum-noord", "https://partner.example/hook").await.unwrap();
    assert_eq!(hook.url, "https://partner.example/hook");
    let again = set("lyceum-noord", "https://partner.example/hook").await.unwrap().1;
    assert_ne!(again.secret, hook.secret, "a new secret each time it is set");
    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);
    let org = OrgId("lyceum-noord".into());
    app.gateway().remove_webhook(operator(), &org, &occasion).await.unwrap();
    let log = app.gateway().store().deliveries(&org, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].state, NoticeState::Dropped, "{log:?}");
    assert!(app.gateway().remove_webhook(operator(), &org, &occasion).await.is_err(), "none left to remove");
}

#[tokio::test]
async fn a_notice_waiting_when_its_youths_data_are_destroyed_is_dropped_with_nothing_sent() {
    let receiver = Receiver::start();
    let app = app_telling(600).await;
    connect(&app, &receiver, "lyceum-noord").await;
    receiver.control("fail", json!({ "count": 1000, "status": 503 })).await;
    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);
    let first = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(first.len(), 1, "tried once, refused");

    // Years on, past the 23rd birthday and every archive: the youth's data are destroyed (§8).
    let years_on = ketenpoort::clock::now() + time::Duration::days(12 * 366);
    let report = app.gateway().run_retention(years_on, false).await.unwrap();
    assert_eq!(report.destroyed.youths, 1, "{report:?}");
    receiver.control("fail", json!({ "count": 0 })).await;

    let org = OrgId("lyceum-noord".into());
    let until = std::time::Instant::now() + Duration::from_secs(20);
    let log = loop {
        let log = app.gateway().store().deliveries(&org, 10).await.unwrap();
        if log.first().is_some_and(|d| d.state != NoticeState::Pending) || std::time::Instant::now() > until {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(log[0].state, NoticeState::Dropped, "{log:?}");
    assert!(log[0].last_error.as_deref().unwrap_or_default().contains("destroyed"), "{log:?}");
    assert_eq!(receiver.received().await.len(), 1, "nothing more was sent");
}

#[tokio::test]
async fn a_graceful_stop_waits_for_the_notices_being_sent() {
    let receiver = Receiver::start();
    let app = app_telling(60).await;
    connect(&app, &receiver, "lyceum-noord").await;
    receiver.control("slow", json!({ "ms": 1500 })).await;
    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);

    // The delivery has arrived and waits for its answer when the instance is told to stop.
    assert_eq!(receiver.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    let store = app.gateway().store_handle();
    let TestApp { app: running, dir: _dir, .. } = app;
    running.run_until_stopped(async {}).await.unwrap();
    // Settled before the stop was done: not left leased for another instance to wait out.
    let log = store.deliveries(&OrgId("lyceum-noord".into()), 10).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!((log[0].state, log[0].attempts, log[0].last_status), (NoticeState::Delivered, 1, Some(204)));
}

#[tokio::test]
async fn notices_give_way_to_a_saturated_api_but_only_for_a_while() {
    let receiver = Receiver::start();
    let config = NoticesConfig { dispatch: false, give_way_seconds: 3, ..notices(60) };
    let app = spawn_app_with(|c| ketenpoort::config::Config { notices: config.clone(), ..c }).await;
    connect(&app, &receiver, "lyceum-noord").await;
    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);
    let keys = ketenpoort::keys::load(&app.keys).unwrap();
    let load = std::sync::Arc::new(ketenpoort::limits::Load::new());
    let dispatcher = std::sync::Arc::new(
        Dispatcher::new(app.gateway().store_handle(), keys.pseudonymiser.clone(), &config, None)
            .unwrap()
            .giving_way_to(load.clone()),
    );
    let round = || {
        let dispatcher = dispatcher.clone();
        tokio::spawn(async move { dispatcher.round().await.unwrap() })
    };
    // More requests in flight than the runtime has threads: they queue for a CPU.
    let saturate = || (0..=std::thread::available_parallelism().unwrap().get()).map(|_| load.answering()).collect();
    let busy: Vec<_> = saturate();
    assert!(load.saturated());

    let sending = round();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(receiver.received().await.is_empty(), "the match notice waits while the API is saturated");
    assert!(!sending.is_finished());
    drop(busy);
    assert_eq!(sending.await.unwrap(), 1);
    assert_eq!(receiver.received().await.len(), 1, "sent once the API has room");

    // Saturated for longer than the notice may wait: it goes all the same.
    let asked = app.family_worker().send("feedback_request", "lyceum-noord", json!({})).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let busy: Vec<_> = saturate();
    let sending = round();
    let received = receiver.wait_for(2, Duration::from_secs(15)).await;
    assert!(load.saturated());
    assert_eq!(received.len(), 2, "sent at the end of its wait: {received:#?}");
    assert_eq!(sending.await.unwrap(), 1);
    drop(busy);
}

#[tokio::test]
async fn settled_notices_leave_the_log_after_their_days_and_waiting_ones_stay() {
    let receiver = Receiver::start();
    let config = NoticesConfig { dispatch: false, keep_log_days: 30, ..notices(60) };
    let app = spawn_app_with(|c| ketenpoort::config::Config { notices: config.clone(), ..c }).await;
    connect(&app, &receiver, "lyceum-noord").await;
    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);
    let keys = ketenpoort::keys::load(&app.keys).unwrap();
    let store = app.gateway().store_handle();
    let dispatcher = Dispatcher::new(store.clone(), keys.pseudonymiser.clone(), &config, None).unwrap();
    assert_eq!(dispatcher.round().await.unwrap(), 1);
    // A second notice, not sent yet.
    let asked = app.family_worker().send("feedback_request", "lyceum-noord", json!({})).await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.body);
    let school = OrgId("lyceum-noord".into());
    assert_eq!(store.deliveries(&school, 10).await.unwrap().len(), 2);

    // Within its days, the delivered one stays.
    let now = ketenpoort::clock::now();
    let fresh = Dispatcher::new(store.clone(), keys.pseudonymiser.clone(), &config, None).unwrap();
    assert_eq!(fresh.prune_if_due(now + time::Duration::days(29)).await.unwrap(), 0);
    // After them, it goes; the waiting one stays, whatever its age.
    assert_eq!(dispatcher.prune_if_due(now + time::Duration::days(31)).await.unwrap(), 1);
    let log = store.deliveries(&school, 10).await.unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].state, NoticeState::Pending);
    assert_eq!(dispatcher.prune_if_due(now + time::Duration::days(31)).await.unwrap(), 0, "once a day");
}
