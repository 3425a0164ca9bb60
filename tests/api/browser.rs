//! Stories in a real browser (Chromium via playwright-core) with a real OpenID Connect provider.
//! Screenshots of every page go to `$CARGO_TARGET_DIR/browser-screenshots/<story>/`.

use std::process::Command;

use ketenpoort::framework::{OrgId, Role};
use ketenpoort::store::{Account, SqlStore, Store};
use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, TestApp, contains};
use crate::oidc::app_with_provider;
use crate::web::made_up_bsn;

/// Accounts signed in at the test provider as `subject`: (id, org, role, subject).
async fn accounts(app: &TestApp, issuer: &str, people: &[(&str, &str, Role, &str)]) {
    let store = SqlStore::open(&app.database_url).await.unwrap();
    for (id, org, role, subject) in people {
        let account = Account {
            id: (*id).into(),
            org: OrgId((*org).into()),
            role: *role,
            display_name: (*subject).into(),
            contact: None,
            oidc: Some((issuer.to_owned(), (*subject).into())),
            email: None,
        };
        store.upsert_account(&account).await.unwrap();
    }
}

/// Runs `tests/web/<script>` with node against the app; returns what it printed once it passed.
pub(crate) async fn browse(app: &TestApp, issuer: &str, script: &str, env: &[(&str, String)]) -> String {
    assert!(std::path::Path::new("/usr/bin/chromium").exists(), "Chromium is needed: scripts/test installs it");
    let shots = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("browser-screenshots")
        .join(script.trim_end_matches(".mjs"));
    // Only this run's screenshots: a story that changed leaves no stale pages behind.
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let mut command = Command::new("node");
    command
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web").join(script))
        .env("BASE_URL", app.url("").trim_end_matches('/'))
        .env("ISSUER", issuer)
        .env("SHOTS", &shots);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{said}");
    said
}

#[tokio::test]
async fn the_mentors_story_runs_in_chromium_with_oidc_sign_in() {
    let (app, _provider, issuer) = app_with_provider().await;
    accounts(
        &app,
        &issuer,
        &[
            ("mentor@lyceum-noord", "lyceum-noord", Role::Mentor, "mentor"),
            ("family_worker@buurtteam-oost", "buurtteam-oost", Role::FamilyWorker, "family"),
        ],
    )
    .await;
    let env = [("BSN", BSN.to_owned()), ("BIRTH_DATE", BIRTH_DATE.to_owned())];
    let said = browse(&app, &issuer, "story.mjs", &env).await;
    assert!(said.contains("story complete"), "{said}");
    assert!(app.verify().await.entries >= 10);
}

#[tokio::test]
async fn professionals_end_an_involvement_hear_of_historic_and_family_matches_and_record_a_death_in_chromium() {
    let (app, _provider, issuer) = app_with_provider().await;
    accounts(
        &app,
        &issuer,
        &[
            ("mentor@lyceum-noord", "lyceum-noord", Role::Mentor, "mentor"),
            ("family_worker@buurtteam-oost", "buurtteam-oost", Role::FamilyWorker, "family"),
        ],
    )
    .await;
    let parent = made_up_bsn(13);
    let env = [
        ("CHILD", BSN.to_owned()),
        ("SIBLING", made_up_bsn(11)),
        ("EARLIER", made_up_bsn(12)),
        ("PARENT", parent.clone()),
        ("BIRTH_DATE", BIRTH_DATE.to_owned()),
    ];
    let said = browse(&app, &issuer, "lifecycle.mjs", &env).await;
    assert!(said.contains("lifecycle story complete"), "{said}");
    // What the pages said is what the log holds: a withdrawal because the worry was gone, the
    // matches of §8, the parents named (how many, never who), the death.
    let entries = app.audit_entries().await;
    for event in ["involvement_withdrawn", "historic_match", "family_match", "parents_named", "death_recorded"] {
        assert!(entries.iter().any(|e| e.event.as_str() == event), "{event} audited");
    }
    let withdrawn = entries.iter().find(|e| e.event.as_str() == "involvement_withdrawn").unwrap();
    assert_eq!(withdrawn.withdrawal.map(|r| r.as_str()), Some("risk_gone"));
    assert!(!contains(&app.database_bytes(), &parent), "the parent's BSN is kept only as pseudonyms");
    assert!(app.verify().await.entries >= 10);
}

#[tokio::test]
async fn privacy_officers_remove_r3_test_replay_and_activate_after_which_the_api_refuses_what_r3_allowed() {
    let (app, _provider, issuer) = app_with_provider().await;
    accounts(
        &app,
        &issuer,
        &[
            ("privacy@lyceum-noord", "lyceum-noord", Role::PrivacyOfficer, "privacy-school"),
            ("privacy@buurtteam-oost", "buurtteam-oost", Role::PrivacyOfficer, "privacy-team"),
        ],
    )
    .await;
    // The history to replay: a neighbourhood team tells the school that help started, on the
    // youth's and the parent's consent — allowed by R3.
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, 201);
    assert_eq!(worker.register().await.status, 201);
    for consenter in ["youth", "parent"] {
        assert_eq!(worker.record_consent(consenter).await.status, 201);
    }
    let before = worker.send("help_started", "lyceum-noord", json!({})).await;
    assert_eq!(before.body["decision"]["decision"], "allow", "{:?}", before.body);
    assert_eq!(before.body["decision"]["matched_rules"], json!(["R3"]));

    let scenarios = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/public.yaml");
    let env = [("SCENARIOS", scenarios.display().to_string())];
    let said = browse(&app, &issuer, "policy.mjs", &env).await;
    assert!(said.contains("policy story complete"), "{said}");

    // The running server decides under the new version at once.
    let after = worker.send("help_started", "lyceum-noord", json!({})).await;
    assert_eq!(after.status, 403, "{:?}", after.body);
    assert_eq!(after.body["decision"]["decision"], "deny");
    assert_ne!(after.body["decision"]["policy_version"], before.body["decision"]["policy_version"]);
    let events: Vec<String> = app.audit_entries().await.iter().map(|e| e.event.as_str().to_owned()).collect();
    for step in ["policy_drafted", "policy_replayed", "policy_approved", "policy_activated"] {
        assert!(events.iter().any(|e| e == step), "{step} audited: {events:?}");
    }
    assert!(app.verify().await.entries >= 10);

    // The same replay from the command line, the other way round: the retired version would
    // have allowed the exchange the new one refused.
    let retired = before.body["decision"]["policy_version"].as_str().unwrap();
    let simulate = |extra: &[&str]| {
        let mut args = vec!["--database", app.database_url.as_str(), "policy", "simulate", "--draft", retired];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_ketenpoort")).args(args).output().unwrap()
    };
    let json_run = simulate(&["--json"]);
    assert!(json_run.status.success(), "{}", String::from_utf8_lossy(&json_run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&json_run.stdout).unwrap();
    assert_eq!(report["replayed"], 4, "{report}");
    assert_eq!(report["deny_to_allow"], 1, "{report}");
    assert_eq!(report["allow_to_deny"], 0, "{report}");
    assert_eq!(report["changes"][0]["rules"], json!(["R3"]));
    let later = simulate(&["--since", "2100-01-01"]);
    assert!(String::from_utf8_lossy(&later.stdout).starts_with("replayed 0 decisions"));
    let wrong = simulate(&["--since", "yesterday"]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("neither a date"));
}

#[tokio::test]
async fn an_auditor_searches_opens_an_entry_reports_to_the_youth_and_verifies_in_chromium() {
    let (app, _provider, issuer) = app_with_provider().await;
    accounts(&app, &issuer, &[("auditor@lyceum-noord", "lyceum-noord", Role::Auditor, "auditor-school")]).await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, 201);
    assert_eq!(worker.register().await.status, 201);
    // The school asks the team for feedback; the team's answer is refused when asked in
    // advance (as the pages ask), and once more when sent; after consent it goes through.
    let asked = mentor.send("feedback_request", "buurtteam-oost", json!({})).await;
    assert_eq!(asked.status, 201, "{:?}", asked.body);
    let reply = json!({ "bsn": BSN, "signal": "help_started", "to": "lyceum-noord", "purpose": "care_coordination",
        "in_reply_to": asked.body["id"] });
    let answer = worker.post("/decisions", reply).await;
    assert_eq!(answer.body["decision"]["decision"], "deny", "{:?}", answer.body);
    assert_eq!(worker.send("help_started", "lyceum-noord", json!({})).await.status, 403);
    for consenter in ["youth", "parent"] {
        assert_eq!(worker.record_consent(consenter).await.status, 201);
    }
    assert_eq!(worker.send("help_started", "lyceum-noord", json!({})).await.status, 201);
    app.app.state().gateway.audit().checkpoint(ketenpoort::clock::now()).await.unwrap();

    let env = [("BSN", BSN.to_owned()), ("BIRTH_DATE", BIRTH_DATE.to_owned())];
    let said = browse(&app, &issuer, "audit.mjs", &env).await;
    assert!(said.contains("audit story complete"), "{said}");
    let entries = app.audit_entries().await;
    let looks: Vec<_> = entries.iter().filter(|e| e.actor.account.as_deref() == Some("auditor@lyceum-noord")).collect();
    for look in ["audit_searched", "audit_entry_viewed", "disclosure_reported", "audit_verified"] {
        assert!(looks.iter().any(|e| e.event.as_str() == look), "{look} audited");
    }
}
