//! Auditors' API: the scope of each auditor, search by youth and filters, one entry with its
//! hashes and checkpoint, and every look itself audited.

use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, spawn_app, spawn_app_with};

/// A history across two schools: the mentor of Lyceum Noord and the family worker exchange
/// about one youth; OBS De Linde registers another youth.
async fn history(app: &crate::helpers::TestApp) {
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, 201);
    assert_eq!(worker.register().await.status, 201);
    assert_eq!(worker.send("help_started", "lyceum-noord", json!({})).await.status, 403, "no consent yet");
    for consenter in ["youth", "parent"] {
        assert_eq!(worker.record_consent(consenter).await.status, 201);
    }
    assert_eq!(worker.send("help_started", "lyceum-noord", json!({})).await.status, 201);
    let linde = app.client("obs-de-linde", "mentor@obs-de-linde");
    let other = linde
        .post(
            "/involvements",
            json!({ "bsn": "111222333", "birth_date": "2013-01-01", "purpose": "care_coordination" }),
        )
        .await;
    assert_eq!(other.status, 201, "{:?}", other.body);
}

#[tokio::test]
async fn a_schools_auditor_sees_its_own_part_of_the_log_and_not_another_schools() {
    let app = spawn_app().await;
    history(&app).await;
    let auditor = app.client("lyceum-noord", "auditor@lyceum-noord");
    let page = auditor.get("/audit?limit=500").await;
    assert_eq!(page.status, 200, "{:?}", page.body);
    let entries = page.body["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    for entry in entries {
        let ours = entry["actor_org"] == "lyceum-noord" || entry["recipient_org"] == "lyceum-noord";
        assert!(ours, "outside the school's part: {entry}");
    }
    assert!(
        entries.iter().any(|e| e["actor_org"] == "buurtteam-oost" && e["signal"] == "help_started"),
        "what the school received is in its part"
    );
    let linde = auditor.get("/audit?org=obs-de-linde").await;
    assert_eq!(linde.body["entries"], json!([]), "another school's exchanges stay hidden");

    // The operator's auditor sees everything, OBS De Linde included.
    let app_ops =
        spawn_app_with(|config| ketenpoort::config::Config { operator_org: Some("jgz-utrecht".into()), ..config })
            .await;
    history(&app_ops).await;
    let operator = app_ops.client("jgz-utrecht", "auditor@jgz-utrecht");
    let all = operator.get("/audit?org=obs-de-linde").await;
    assert!(!all.body["entries"].as_array().unwrap().is_empty(), "{:?}", all.body);
}

#[tokio::test]
async fn only_auditors_read_the_log() {
    let app = spawn_app().await;
    for account in ["privacy_officer@lyceum-noord", "admin@lyceum-noord", "mentor@lyceum-noord"] {
        let reply = app.client("lyceum-noord", account).get("/audit").await;
        assert_eq!(reply.status, 403, "{account}");
        assert_eq!(reply.error(), "not_an_auditor");
    }
}

#[tokio::test]
async fn a_search_by_youth_and_filters_pages_newest_first_and_is_itself_audited() {
    let app = spawn_app().await;
    history(&app).await;
    let auditor = app.client("lyceum-noord", "auditor@lyceum-noord");
    let youth = |extra: serde_json::Value| {
        let mut body = json!({ "bsn": BSN, "birth_date": BIRTH_DATE });
        crate::helpers::merge(&mut body, extra);
        body
    };
    let denied = auditor.post("/audit/search", youth(json!({ "decision": "deny", "event": "decision" }))).await;
    assert_eq!(denied.status, 200, "{:?}", denied.body);
    let denied = denied.body["entries"].as_array().unwrap().clone();
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0]["reason"], "consent_missing");

    let first = auditor.post("/audit/search", youth(json!({ "limit": 2 }))).await;
    let next = first.body["next"].as_u64().expect("a next page");
    let second = auditor.post("/audit/search", youth(json!({ "limit": 2, "after": next }))).await;
    let (a, b) = (&first.body["entries"], &second.body["entries"]);
    assert!(a[0]["seq"].as_u64() > a[1]["seq"].as_u64(), "newest first");
    assert!(a[1]["seq"].as_u64() > b[0]["seq"].as_u64(), "the next page goes on where the first ended");
    let oldest = auditor.post("/audit/search", youth(json!({ "order": "oldest", "limit": 1 }))).await;
    assert_eq!(oldest.body["entries"][0]["action"], "register", "the mentor's registration came first");

    let mismatch = auditor.post("/audit/search", json!({ "bsn": BSN, "birth_date": "2001-01-01" })).await;
    assert_eq!(mismatch.status, 409);
    let in_url = auditor.get(&format!("/audit?bsn={BSN}&birth_date={BIRTH_DATE}")).await;
    assert_eq!((in_url.status.as_u16(), in_url.error()), (422, "bsn_in_url"));
    for (query, code) in [
        ("signal=gossip", "unknown_signal"),
        ("from=yesterday", "invalid_request"),
        ("limit=0", "invalid_request"),
        ("order=sideways", "invalid_request"),
    ] {
        let reply = auditor.get(&format!("/audit?{query}")).await;
        assert_eq!((reply.status.as_u16(), reply.error()), (422, code), "{query}: {:?}", reply.body);
    }
    for (body, code) in [
        (json!({ "bsn": BSN }), "invalid_request"),
        (json!({ "bsn": "123", "birth_date": "2012-01-01" }), "invalid_bsn"),
    ] {
        let reply = auditor.post("/audit/search", body).await;
        assert_eq!((reply.status.as_u16(), reply.error()), (422, code), "{:?}", reply.body);
    }

    let entries = app.audit_entries().await;
    let searches: Vec<_> = entries.iter().filter(|e| e.event.as_str() == "audit_searched").collect();
    assert!(searches.len() >= 4);
    assert!(searches.iter().any(|e| e.youth.is_some() && e.subject.as_deref().unwrap_or("").contains("youth=given")));
    assert!(searches.iter().all(|e| !e.subject.as_deref().unwrap_or("").contains(BSN)), "no BSN in the log");
}

#[tokio::test]
async fn one_entry_shows_its_hashes_and_the_checkpoint_that_signs_it() {
    let app = spawn_app().await;
    history(&app).await;
    app.app.state().gateway.audit().checkpoint(ketenpoort::clock::now()).await.unwrap();
    let auditor = app.client("lyceum-noord", "auditor@lyceum-noord");
    let page = auditor.get("/audit?event=decision&order=oldest&limit=2").await;
    let (first, second) = (&page.body["entries"][0], &page.body["entries"][1]);
    let detail = auditor.get(&format!("/audit/{}", second["seq"])).await;
    assert_eq!(detail.status, 200, "{:?}", detail.body);
    assert_eq!(detail.body["entry"]["hash"], second["hash"]);
    assert_eq!(detail.body["entry"]["hash"].as_str().unwrap().len(), 64);
    assert_ne!(first["hash"], second["hash"]);
    let checkpoint = &detail.body["checkpoint"];
    assert!(checkpoint["seq"].as_u64().unwrap() >= second["seq"].as_u64().unwrap(), "{checkpoint}");
    assert_eq!(checkpoint["signature"].as_str().unwrap().len(), 128);

    // An entry of another school's exchange is as absent as one that does not exist.
    let entries = app.audit_entries().await;
    let linde = entries.iter().find(|e| e.actor.org.as_deref() == Some("obs-de-linde")).unwrap();
    let hidden = auditor.get(&format!("/audit/{}", linde.seq)).await;
    assert_eq!(hidden.status, 404);
    assert_eq!(auditor.get("/audit/999999").await.status, 404);
}
