//! The other endpoints: inbox pages, measures, cases and their lead, consent revocation,
//! OpenAPI, health, readiness and metrics.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, spawn_app};

#[tokio::test]
async fn the_inbox_pages_oldest_first_with_a_cursor() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let worker = app.family_worker();
    mentor.register().await;
    worker.register().await; // one match notice to the team
    for _ in 0..4 {
        let sent = mentor.send("contact_request", "buurtteam-oost", json!({})).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    }
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = worker.get(&format!("/inbox?after={after}&limit=2")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let items = page.body["items"].as_array().unwrap().clone();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["cursor"].as_u64().unwrap()));
        match page.body["next"].as_u64() {
            Some(next) => after = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "one match notice and four requests: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "oldest first, no repeats: {seen:?}");
    assert_eq!(worker.get("/inbox?limit=0").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(worker.get("/inbox?limit=many").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The school's inbox has its match notice only.
    let school = mentor.get("/inbox").await;
    assert_eq!(school.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_a_certified_institution_records_a_measure_which_then_opens_its_requests() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let protector = app.client("gi-midden", "youth_protector@gi-midden");
    mentor.register().await;
    let by_school = mentor.post("/measures", json!({ "bsn": BSN })).await;
    assert_eq!(by_school.status, StatusCode::FORBIDDEN);
    assert_eq!(by_school.error(), "forbidden");

    let ask = json!({ "bsn": BSN, "signal": "feedback_request", "to": "lyceum-noord", "purpose": "child_protection" });
    let before = protector.post("/signals", ask.clone()).await;
    assert_eq!(before.body["decision"]["reason"], "no_active_measure");
    let measure = protector.post("/measures", json!({ "bsn": BSN, "from": "2026-01-01T00:00:00Z" })).await;
    assert_eq!(measure.status, StatusCode::CREATED, "{}", measure.body);
    let allowed = protector.post("/signals", ask.clone()).await;
    assert_eq!(allowed.status, StatusCode::CREATED, "{}", allowed.body);
    assert_eq!(allowed.body["decision"]["basis"], "child_protection_measure");

    let id = measure.body["id"].as_str().unwrap();
    assert_eq!(
        app.client("gi-west", "youth_protector@gi-west").post(&format!("/measures/{id}/end"), json!({})).await.status,
        StatusCode::NOT_FOUND
    );
    let ended = protector.post(&format!("/measures/{id}/end"), json!({})).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(protector.post("/signals", ask).await.body["decision"]["reason"], "no_active_measure");
}

#[tokio::test]
async fn a_revoked_consent_no_longer_counts() {
    let app = spawn_app().await;
    let worker = app.family_worker();
    app.mentor().register().await;
    worker.register().await;
    worker.record_consent("youth").await;
    let parent = worker.record_consent("parent").await;
    assert_eq!(worker.send("help_ongoing", "lyceum-noord", json!({})).await.status, StatusCode::CREATED);
    let id = parent.body["id"].as_str().unwrap();
    assert_eq!(app.mentor().post(&format!("/consents/{id}/revoke"), json!({})).await.status, StatusCode::NOT_FOUND);
    let revoked = worker.post(&format!("/consents/{id}/revoke"), json!({})).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let after = worker.send("help_ongoing", "lyceum-noord", json!({})).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
    assert_eq!(after.body["decision"]["reason"], "consent_revoked");
    let bad = worker.post("/consents", json!({ "bsn": BSN, "given_by": "neighbour", "recipient_kinds": ["school"], "signals": ["help_started"], "purposes": ["care_coordination"], "valid_from": "2026-01-01T00:00:00Z" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_case_view_is_for_involved_organisations_only_and_shows_the_lead_and_threads() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let worker = app.family_worker();
    let youth_worker = app.client("jongerenwerk-west", "youth_worker@jongerenwerk-west");
    mentor.register().await;
    worker.register().await;
    let request = mentor.send("feedback_request", "buurtteam-oost", json!({})).await;

    let outsider = youth_worker.post("/cases/view", json!({ "bsn": BSN })).await;
    assert_eq!(outsider.status, StatusCode::FORBIDDEN);
    assert_eq!(outsider.error(), "no_relationship");
    // An unknown youth looks the same from outside.
    let unknown = youth_worker.post("/cases/view", json!({ "bsn": "079244026" })).await;
    assert_eq!((unknown.status, unknown.error()), (StatusCode::FORBIDDEN, "no_relationship"));

    // The team takes the lead; the school cannot take it over, the team hands it on.
    let handover_first = mentor.post("/cases/lead", json!({ "bsn": BSN, "org": "buurtteam-oost" })).await;
    assert_eq!(handover_first.status, StatusCode::CONFLICT, "no lead yet: one takes it for oneself");
    assert_eq!(worker.post("/cases/lead", json!({ "bsn": BSN, "org": "buurtteam-oost" })).await.status, StatusCode::OK);
    let grab = mentor.post("/cases/lead", json!({ "bsn": BSN, "org": "lyceum-noord" })).await;
    assert_eq!((grab.status, grab.error()), (StatusCode::CONFLICT, "case_lead"));
    let to_outsider = worker.post("/cases/lead", json!({ "bsn": BSN, "org": "jongerenwerk-west" })).await;
    assert_eq!(to_outsider.status, StatusCode::CONFLICT);

    let view = mentor.post("/cases/view", json!({ "bsn": BSN })).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let involved: Vec<&str> =
        view.body["involved"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(involved, ["lyceum-noord", "buurtteam-oost"]);
    assert_eq!(view.body["case_lead"], "buurtteam-oost");
    assert_eq!(view.body["threads"][0]["id"], request.body["id"]);
    // Every look-up is audited, the refused ones too.
    let views: Vec<String> = app
        .audit_entries()
        .await
        .iter()
        .filter(|e| e.event.as_str() == "case_viewed")
        .map(|e| e.decision.unwrap().to_string())
        .collect();
    assert_eq!(views, ["deny", "deny", "allow"]);
    // A match notice after the lead was taken names the lead.
    let gp = app.client("huisarts-jansen", "gp@huisarts-jansen");
    gp.post("/involvements", json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "purpose": "care_coordination" })).await;
    let notices = gp.get("/inbox").await;
    assert!(
        notices.body["items"].as_array().unwrap().iter().all(|i| i["case_lead"] == "buurtteam-oost"),
        "{}",
        notices.body
    );
}

#[tokio::test]
async fn openapi_health_readiness_and_metrics_answer() {
    let app = spawn_app().await;
    let http = crate::helpers::http_client(None, None);
    let response = http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2, "HTTP/2 is negotiated by ALPN");
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/signals", "/api/v1/involvements", "/api/v1/inbox", "/api/v1/consents", "/api/v1/cases/view"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    let ca =
        reqwest::Certificate::from_pem(&std::fs::read(crate::helpers::certs_dev().join("ca.crt")).unwrap()).unwrap();
    let http1 = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .http1_only()
        .build()
        .unwrap();
    let health = http1.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!((health.status(), health.version()), (StatusCode::OK, reqwest::Version::HTTP_11));
    let ready: serde_json::Value = http.get(app.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    app.mentor().register().await;
    let metrics = http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("ketenpoort_requests_total"), "{metrics}");
    assert!(metrics.contains("ketenpoort_decisions_total"), "{metrics}");
    assert!(metrics.contains("ketenpoort_audit_appends_total"), "{metrics}");
    assert!(!metrics.contains(BSN));
}

#[tokio::test]
async fn a_policy_version_activated_elsewhere_is_adopted_by_the_running_server_within_seconds() {
    use ketenpoort::audit::AuditActor;
    use ketenpoort::exchange::Occasion;
    let app = spawn_app().await;
    let ready = |app: &crate::helpers::TestApp| {
        let url = app.url("/readyz");
        async move {
            let body: serde_json::Value =
                crate::helpers::http_client(None, None).get(url).send().await.unwrap().json().await.unwrap();
            body["policy_version"].as_str().unwrap().to_owned()
        }
    };
    let before = ready(&app).await;

    // Another process (here: a second gateway on the same database) drafts, approves, activates.
    let store: std::sync::Arc<dyn ketenpoort::store::Store> =
        std::sync::Arc::new(ketenpoort::store::SqlStore::open(&app.database_url).await.unwrap());
    let keys = ketenpoort::keys::load(&app.dir.path().join("k.keys")).unwrap();
    let other = ketenpoort::app::gateway(store, &keys, 1_000).await.unwrap();
    let officer = |account: &str| AuditActor {
        account: Some(account.into()),
        org: Some("lyceum-noord".into()),
        org_kind: Some(ketenpoort::framework::OrgKind::School),
        role: Some(ketenpoort::framework::Role::PrivacyOfficer),
        authenticated_by: "cli".into(),
    };
    let rules = ketenpoort::policy::DEFAULT_RULES.replace("p, R9,", "# R9 retired for this test\n# p, R9,");
    let now = ketenpoort::clock::now();
    let draft = other
        .draft_policy(officer("po1"), ketenpoort::policy::DEFAULT_MODEL, &rules, "no R9", &Occasion::at(now))
        .await
        .unwrap();
    other.approve_policy(officer("po2"), &draft, &Occasion::at(now)).await.unwrap();
    other.activate_policy(officer("po2"), &draft, &Occasion::at(now)).await.unwrap();

    let started = std::time::Instant::now();
    let mut now_active = ready(&app).await;
    while now_active != draft && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        now_active = ready(&app).await;
    }
    assert_ne!(before, draft);
    assert_eq!(now_active, draft, "adopted within {:?}", started.elapsed());
    assert!(
        started.elapsed() < std::time::Duration::from_millis(2_500),
        "within about a second: {:?}",
        started.elapsed()
    );
}
