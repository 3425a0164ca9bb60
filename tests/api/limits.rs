//! Bounds on what a request may be, and load shedding: each bound refused with its own code,
//! an organisation over its rate told when to return, and under four times the capacity the
//! server answering in time, shedding the excess and keeping everything it acknowledged.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ketenpoort::config::{Config, LimitsConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{BIRTH_DATE, BSN, http_client, spawn_app, spawn_app_with};

fn signal(extra: Value) -> Value {
    let mut body = json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "signal": "involved", "to": "buurtteam-oost",
        "purpose": "care_coordination" });
    crate::helpers::merge(&mut body, extra);
    body
}

#[tokio::test]
async fn a_body_too_deep_or_with_a_string_or_list_too_long_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let mentor = app.mentor();

    let deep = format!(r#"{{"bsn": "{BSN}", "to": {}1{}}}"#, "[".repeat(64), "]".repeat(64));
    let url = format!("{}/signals", mentor.base);
    let reply = mentor.http.post(&url).header("content-type", "application/json").body(deep).send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    assert_eq!(reply.json::<Value>().await.unwrap()["error"], "json_too_deep");

    let long_id = "x".repeat(201);
    let reply = mentor.post("/signals", signal(json!({ "to": long_id }))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(reply.error(), "too_long");
    assert_eq!(reply.body["message"], "`to` is longer than 200 characters");

    // A justification is free text: longer is fine, up to its own bound.
    let reply = mentor.post("/signals", signal(json!({ "justification": "x".repeat(4_001) }))).await;
    assert_eq!(reply.error(), "too_long", "{}", reply.body);
    assert!(reply.body["message"].as_str().unwrap().contains("`justification` is longer than 4000"));

    let kinds: Vec<&str> = vec!["school"; 65];
    let consent = json!({ "bsn": BSN, "given_by": "parent", "recipient_kinds": kinds, "signals": ["help_started"],
        "purposes": ["care_coordination"], "valid_from": "2026-01-01T00:00:00Z" });
    let reply = app.family_worker().post("/consents", consent).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    assert_eq!(reply.error(), "too_many_items");
    assert!(reply.body["message"].as_str().unwrap().contains("recipient_kinds"));

    // Nothing of it was decided, so nothing of it is in the log.
    assert!(app.audit_entries().await.iter().all(|entry| entry.decision.is_none()), "a refused body was decided");
}

#[tokio::test]
async fn a_request_head_over_its_bound_is_431_over_http1_and_refused_over_http2() {
    let app = spawn_app().await;
    let filler = "a".repeat(20 * 1024);
    let url = app.url("/api/v1/inbox");

    let http1 = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(crate::helpers::certs_dev().join("ca.crt")).unwrap())
                .unwrap(),
        )
        .http1_only()
        .build()
        .unwrap();
    let reply = http1.get(&url).header("x-filler", &filler).send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    // Within the bound, the same client is served (here: refused for want of a certificate).
    let reply = http1.get(&url).header("x-filler", "a".repeat(1024)).send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);

    // HTTP/2 (what the partner client negotiates): the header list is over the limit the server
    // announced, so the request never reaches a handler.
    let mentor = http_client(Some("lyceum-noord"), Some("mentor@lyceum-noord"));
    match mentor.get(&url).header("x-filler", &filler).send().await {
        Ok(reply) => assert_eq!(reply.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        Err(error) => assert!(error.is_request() || error.is_connect() || error.is_body(), "{error:?}"),
    }
    assert_eq!(mentor.get(&url).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn an_organisation_over_its_rate_gets_429_with_retry_after_and_the_others_are_served() {
    let limits = LimitsConfig { per_org_per_second: 2, per_org_burst: 5, ..LimitsConfig::default() };
    let app = spawn_app_with(|config| Config { limits, ..config }).await;
    let mentor = app.mentor();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..8 {
        let reply = mentor.http.get(format!("{}/inbox", mentor.base)).send().await.unwrap();
        statuses.push(reply.status());
        if reply.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = reply.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            assert_eq!(reply.json::<Value>().await.unwrap()["error"], "rate_limited");
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 5, "the burst is served: {statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert!(retry_after.is_some_and(|seconds| (1..=2).contains(&seconds)), "{retry_after:?}");
    // Another organisation has its own rate.
    assert_eq!(app.family_worker().get("/inbox").await.status, StatusCode::OK);
    // And after the wait the organisation is served again.
    tokio::time::sleep(Duration::from_secs(retry_after.unwrap())).await;
    assert_eq!(mentor.get("/inbox").await.status, StatusCode::OK);
}

/// A BSN that passes the elfproef, different for every `n`.
fn bsn(n: u32) -> String {
    (0..).map(|i| 100_000_000 + n * 97 + i).map(|c: u32| c.to_string()).find(|c| passes_elfproef(c)).unwrap()
}

fn passes_elfproef(digits: &str) -> bool {
    let d: Vec<i64> = digits.bytes().map(|b| i64::from(b - b'0')).collect();
    let sum: i64 = (0..8).map(|i| d[i] * (9 - i as i64)).sum::<i64>() - d[8];
    sum % 11 == 0
}

/// Capacity here is what the limits admit: four organisations at 20 requests a second. The
/// load is four times that, sent at a steady pace whatever the answers (an open loop, as real
/// partner systems behave), for three seconds.
#[tokio::test]
async fn under_four_times_its_capacity_the_server_answers_in_time_sheds_the_excess_and_keeps_what_it_acknowledged() {
    let limits = LimitsConfig {
        per_org_per_second: 20,
        per_org_burst: 20,
        in_flight: 16,
        request_timeout_seconds: 2,
        ..LimitsConfig::default()
    };
    let app = spawn_app_with(|config| Config { limits, ..config }).await;
    let callers =
        ["mentor@lyceum-noord", "family_worker@buurtteam-oost", "youth_worker@jongerenwerk-west", "gp@huisarts-jansen"]
            .map(|account| Arc::new(http_client(Some(account.split('@').nth(1).unwrap()), Some(account))));
    let url = app.url("/api/v1/involvements");
    let capacity_per_second = 4 * 20;
    let offered_per_second = 4 * capacity_per_second;
    let seconds = 3;

    let started = Instant::now();
    let mut pace = tokio::time::interval(Duration::from_secs(1) / offered_per_second);
    let mut requests = Vec::new();
    for n in 0..offered_per_second * seconds {
        pace.tick().await;
        let client = callers[n as usize % callers.len()].clone();
        let (url, request_id) = (url.clone(), format!("load-{n}"));
        let body = json!({ "bsn": bsn(n), "birth_date": "2012-03-15", "purpose": "care_coordination" });
        requests.push(tokio::spawn(async move {
            let sent = Instant::now();
            let reply = client.post(&url).header("x-request-id", &request_id).json(&body).send().await.unwrap();
            let status = reply.status();
            let retry_after = reply.headers().get("retry-after").is_some();
            let took = sent.elapsed();
            let error = reply.json::<Value>().await.unwrap()["error"].as_str().unwrap_or_default().to_owned();
            (request_id, status, retry_after, took, error)
        }));
    }
    let mut answers = Vec::new();
    for request in requests {
        answers.push(request.await.unwrap());
    }
    let elapsed = started.elapsed();

    let created: HashSet<String> = answers.iter().filter(|a| a.1 == StatusCode::CREATED).map(|a| a.0.clone()).collect();
    let shed =
        answers.iter().filter(|a| a.1 == StatusCode::TOO_MANY_REQUESTS || a.1 == StatusCode::SERVICE_UNAVAILABLE);
    let slowest = answers.iter().map(|a| a.3).max().unwrap();
    println!(
        "offered {} in {elapsed:?}: {} created, {} shed (429/503), slowest answer {slowest:?}",
        answers.len(),
        created.len(),
        shed.clone().count()
    );
    for (request_id, status, retry_after, took, error) in &answers {
        assert!(
            [StatusCode::CREATED, StatusCode::TOO_MANY_REQUESTS, StatusCode::SERVICE_UNAVAILABLE].contains(status),
            "{request_id}: {status} {error}"
        );
        assert!(*took < Duration::from_secs(2) + Duration::from_millis(500), "{request_id} took {took:?}");
        if *status != StatusCode::CREATED && error != "timeout" {
            assert!(retry_after, "{request_id}: {status} without Retry-After");
        }
    }
    // The excess was shed, and what the limits admit was served.
    let admitted_at_most = 4 * (20 + 20 * (elapsed.as_secs_f64().ceil() as usize + 1));
    assert!(created.len() <= admitted_at_most, "{} created: the rate was not held", created.len());
    assert!(created.len() >= capacity_per_second as usize, "only {} created", created.len());
    assert!(shed.count() >= answers.len() / 2, "the excess was not shed");

    // Every acknowledged exchange is in the log with its decision; nothing shed was decided.
    let logged: HashSet<String> = app
        .audit_entries()
        .await
        .into_iter()
        .filter(|entry| entry.request_id.starts_with("load-") && entry.decision.is_some())
        .map(|entry| entry.request_id)
        .collect();
    let missing: Vec<_> = created.difference(&logged).collect();
    assert!(missing.is_empty(), "acknowledged but not in the log: {missing:?}");
    let shed_but_logged: Vec<_> = answers
        .iter()
        .filter(|a| a.1 == StatusCode::TOO_MANY_REQUESTS && logged.contains(&a.0))
        .map(|a| &a.0)
        .collect();
    assert!(shed_but_logged.is_empty(), "refused for the rate, yet decided: {shed_but_logged:?}");
    assert!(app.verify().await.entries > 0);
}

#[tokio::test]
async fn callers_without_a_certificate_are_held_to_a_rate_by_address_before_their_refusals_fill_the_log() {
    let limits = LimitsConfig { per_org_per_second: 1, per_org_burst: 5, ..LimitsConfig::default() };
    let app = spawn_app_with(|config| Config { limits, ..config }).await;
    let before = app.audit_entries().await.len();
    let stranger = http_client(None, Some("mentor@lyceum-noord"));
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(stranger.get(app.url("/api/v1/inbox")).send().await.unwrap().status());
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(refused, 5, "the burst is refused as usual: {statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    assert_eq!(app.audit_entries().await.len(), before + refused, "only the refusals within the rate were written");
    // An organisation's own rate is not touched by the stranger's.
    assert_eq!(app.mentor().get("/inbox").await.status, StatusCode::OK);
}
