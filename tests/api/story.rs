//! The story of the mission through the API: register, match, ask, refused for consent,
//! consent, answer, the mentor's inbox, and an intact audit log that holds every step.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, contains, spawn_app};

#[tokio::test]
async fn the_whole_story_of_the_mission_runs_and_every_step_is_audited() {
    let app = spawn_app().await;
    let mentor = app.mentor();
    let worker = app.family_worker();

    // 1. The mentor registers involvement: no match yet, and the duty to inform.
    let first = mentor.register().await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["decision"]["basis"], "reference_index");
    assert_eq!(first.body["decision"]["obligations"], json!(["inform_subject"]));
    assert_eq!(first.body["matches"], json!([]));
    let mentor_case = first.body["case_ref"].as_str().unwrap().to_owned();

    // 2. The family worker registers: a match with the school.
    let second = worker.register().await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.body["matches"][0]["id"], "lyceum-noord");
    assert_eq!(second.body["matches"][0]["contact"], "zorgteam@lyceum-noord.example");
    assert_ne!(second.body["case_ref"], first.body["case_ref"], "case references are per organisation");

    // 3. The mentor asks the neighbourhood team for feedback.
    let request = mentor.send("feedback_request", "buurtteam-oost", json!({})).await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.body);
    let request_id = request.body["id"].as_str().unwrap().to_owned();

    // 4. The youth (14) consents; the answer is still refused: the parent's consent is missing.
    assert_eq!(worker.record_consent("youth").await.status, StatusCode::CREATED);
    let refused = worker.send("help_started", "lyceum-noord", json!({ "in_reply_to": request_id })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.error(), "denied");
    assert_eq!(refused.body["decision"]["reason"], "consent_missing_parent");
    assert_eq!(refused.body["decision"]["matched_rules"], json!(["R3"]));
    let message = refused.body["message"].as_str().unwrap();
    assert!(message.contains("parent's consent is missing") && message.contains("14"), "{message}");

    // 5. The parent consents; the answer is delivered.
    assert_eq!(worker.record_consent("parent").await.status, StatusCode::CREATED);
    let answer = worker.send("help_started", "lyceum-noord", json!({ "in_reply_to": request_id })).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["decision"]["basis"], "consent");

    // 6. The mentor's inbox: the match notice, then the answer, under the mentor's case ref.
    let inbox = mentor.get("/inbox").await;
    assert_eq!(inbox.status, StatusCode::OK);
    let items = inbox.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", inbox.body);
    assert_eq!(items[0]["kind"], "match_notice");
    assert_eq!(items[0]["from"]["id"], "buurtteam-oost");
    assert_eq!(items[1]["kind"], "signal");
    assert_eq!(items[1]["signal"], "help_started");
    assert_eq!(items[1]["in_reply_to"], request_id.as_str());
    assert_eq!(items[1]["from_account"], "family_worker@buurtteam-oost");
    assert!(items.iter().all(|item| item["case_ref"] == mentor_case.as_str()));
    // The team's inbox shows the request with its answer.
    let team = worker.get("/inbox").await;
    let request_item = team.body["items"].as_array().unwrap().iter().find(|i| i["id"] == request_id.as_str()).unwrap();
    assert_eq!(request_item["answers"][0]["signal"], "help_started");

    // 7. Every decision and fact change is one entry: 2 registrations + 2 match notices, the
    //    request, 2 consents, the refused and the delivered answer.
    let entries = app.audit_entries().await;
    let events: Vec<&str> = entries.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "decision",
            "decision",
            "match_notice",
            "match_notice",
            "decision",
            "consent_recorded",
            "decision",
            "consent_recorded",
            "decision"
        ]
    );
    let intact = app.verify().await;
    assert_eq!(intact.entries, 9);

    // 8. No clear BSN anywhere in the database; and not in any response.
    assert!(!contains(&app.database_bytes(), BSN));
    for reply in [&first, &second, &request, &refused, &answer, &inbox, &team] {
        assert!(!reply.body.to_string().contains(BSN));
        assert!(!reply.body.to_string().contains(BIRTH_DATE));
    }
}

#[tokio::test]
async fn a_dry_run_decides_and_audits_but_delivers_nothing() {
    let app = spawn_app().await;
    app.mentor().register().await;
    app.family_worker().register().await;
    let dry = app
        .mentor()
        .post(
            "/decisions",
            json!({ "bsn": BSN, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" }),
        )
        .await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(dry.body["decision"]["decision"], "allow");
    let inbox = app.family_worker().get("/inbox").await;
    assert!(inbox.body["items"].as_array().unwrap().iter().all(|i| i["kind"] == "match_notice"), "{}", inbox.body);
    let last = app.audit_entries().await.pop().unwrap();
    assert_eq!(last.event.as_str(), "dry_run");
    assert_eq!(last.subject, None);
}

#[tokio::test]
async fn registering_twice_is_a_conflict_and_withdrawing_ends_the_relationship() {
    let app = spawn_app().await;
    let first = app.mentor().register().await;
    let again = app.mentor().register().await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error(), "already_involved");
    let id = first.body["id"].as_str().unwrap();
    // Another organisation cannot withdraw it, nor learn that it exists.
    let foreign = app.family_worker().delete(&format!("/involvements/{id}")).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let withdrawn = app.mentor().delete(&format!("/involvements/{id}")).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["status"], "withdrawn");
    assert_eq!(app.mentor().delete(&format!("/involvements/{id}")).await.status, StatusCode::NOT_FOUND);
    let ask = app.mentor().send("feedback_request", "buurtteam-oost", json!({})).await;
    assert_eq!(ask.body["decision"]["reason"], "no_relationship");
    // Withdrawing is audited, not a disclosure.
    assert!(app.audit_entries().await.iter().any(|e| e.event.as_str() == "involvement_withdrawn"));
}
