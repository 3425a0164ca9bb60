//! Bad input is a clear 4xx with a JSON `error` code, never a 500, never a BSN echoed.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, merge, spawn_app, spawn_app_with};

fn signal(extra: serde_json::Value) -> serde_json::Value {
    let mut body = json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" });
    merge(&mut body, extra);
    body
}

#[tokio::test]
async fn every_input_error_code_is_422_with_that_code() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let cases = [
        (signal(json!({ "bsn": "123456789" })), "invalid_bsn"),
        (signal(json!({ "to": "nobody" })), "unknown_org"),
        (signal(json!({ "signal": "gossip" })), "unknown_signal"),
        (signal(json!({ "purpose": "curiosity" })), "unknown_purpose"),
        (signal(json!({ "signal": "involvement" })), "invalid_request"),
        (signal(json!({ "birth_date": "15-03-2012" })), "invalid_request"),
    ];
    for (body, code) in cases {
        let reply = mentor.post("/signals", body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {}", reply.body);
        assert_eq!(reply.error(), code, "{body} → {}", reply.body);
        assert!(!reply.body.to_string().contains("123456789"), "the BSN is not echoed: {}", reply.body);
        assert!(!reply.body["message"].as_str().unwrap().is_empty());
    }
    // A role that does not exist in the account's org kind (a misregistered account).
    app.sql(
        "INSERT INTO accounts (id, org_id, role, display_name) VALUES ('gp@lyceum-noord', 'lyceum-noord', 'gp', 'x')",
    )
    .await;
    let misregistered = app.client("lyceum-noord", "gp@lyceum-noord").post("/signals", signal(json!({}))).await;
    assert_eq!(misregistered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(misregistered.error(), "invalid_role");
}

#[tokio::test]
async fn a_bsn_of_the_wrong_type_is_refused_without_echoing_it() {
    let app = spawn_app().await;
    let reply = app.mentor().post("/involvements", json!({ "bsn": 628194821, "purpose": "care_coordination" })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error(), "invalid_request");
    assert!(!reply.body.to_string().contains(BSN), "{}", reply.body);
    let missing = app.mentor().post("/involvements", json!({ "purpose": "care_coordination" })).await;
    assert!(missing.body["message"].as_str().unwrap().contains("missing field `bsn`"), "{}", missing.body);
}

#[tokio::test]
async fn malformed_json_is_400_and_a_wrong_content_type_415() {
    let app = spawn_app().await;
    let client = app.mentor();
    let url = format!("{}/signals", client.base);
    let reply =
        client.http.post(&url).header("content-type", "application/json").body("{\"bsn\": ").send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::BAD_REQUEST);
    assert_eq!(reply.json::<serde_json::Value>().await.unwrap()["error"], "malformed_json");
    let reply = client.http.post(&url).header("content-type", "text/plain").body("{}").send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app_with(|config| ketenpoort::config::Config { max_body_bytes: 1_024, ..config }).await;
    let reply = app.mentor().post("/signals", signal(json!({ "justification": "x".repeat(4_096) }))).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", reply.body);
    assert_eq!(reply.error(), "body_too_large");
}

#[tokio::test]
async fn a_new_youth_needs_a_birth_date_and_a_known_one_the_same_birth_date() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let no_birth = mentor.post("/involvements", json!({ "bsn": BSN, "purpose": "care_coordination" })).await;
    assert_eq!(no_birth.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_birth.body["message"].as_str().unwrap().contains("birth_date"));
    assert_eq!(mentor.register().await.status, StatusCode::CREATED);
    let other = app
        .family_worker()
        .post("/involvements", json!({ "bsn": BSN, "birth_date": "2012-03-16", "purpose": "care_coordination" }))
        .await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    assert_eq!(other.error(), "birth_date_mismatch");
}

#[tokio::test]
async fn an_unknown_field_is_named_unless_its_name_could_be_personal_data() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let reply = mentor.post("/involvements", json!({ "bsn": BSN, "purpose": "care_coordination", "bogus": 1 })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body["message"].as_str().unwrap().contains("unknown field `bogus`"), "{}", reply.body);
    let reply = mentor.post("/involvements", json!({ "purpose": "care_coordination", "628194821": 1 })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = reply.body["message"].as_str().unwrap();
    assert!(message.contains("an unknown field") && !message.contains("628194821"), "{message}");
}

#[tokio::test]
async fn a_path_or_cursor_out_of_its_kind_is_refused_in_json() {
    let app =
        spawn_app_with(|config| ketenpoort::config::Config { operator_org: Some("jgz-utrecht".into()), ..config })
            .await;
    let auditor = app.client("jgz-utrecht", "auditor@jgz-utrecht");
    let negative = auditor.get("/audit/-1").await;
    assert_eq!(negative.status, StatusCode::BAD_REQUEST, "{}", negative.body);
    assert_eq!(negative.error(), "invalid_path");
    // Beyond what a sequence number can be: never handed out, so not found.
    assert_eq!(auditor.get("/audit/9223372036854775808").await.status, StatusCode::NOT_FOUND);
    let cursor = app.mentor().get("/inbox?after=9223372036854775808").await;
    assert_eq!(cursor.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", cursor.body);
    assert_eq!(app.mentor().get("/inbox?after=9223372036854775807").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_document_names_every_refusal_and_the_bounds_of_every_body() {
    let app = spawn_app().await;
    let doc = app.mentor().get("/openapi.json").await.body;
    let signals = &doc["paths"]["/api/v1/signals"]["post"]["responses"];
    for status in ["201", "400", "401", "403", "413", "415", "422", "429", "503"] {
        assert!(signals[status].is_object(), "POST /signals does not document {status}");
    }
    let body = &doc["components"]["schemas"]["SignalBody"]["properties"];
    assert_eq!(body["to"]["maxLength"], 200);
    assert_eq!(body["justification"]["maxLength"], 4000);
    assert_eq!(doc["components"]["schemas"]["ConsentBody"]["properties"]["signals"]["maxItems"], 64);
    let search = doc["paths"]["/api/v1/audit"]["get"]["parameters"].as_array().unwrap();
    assert!(search.iter().all(|p| p["name"] != "bsn"), "a BSN is not a query parameter");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let missing = mentor.get("/nothing-here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error(), "not_found");
    let wrong = mentor.get("/signals").await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.error(), "method_not_allowed");
}
