//! Live activation under load: partner systems keep sending allowed exchanges while a privacy
//! officer activates a new version. No request fails, and every decision is made wholly under
//! one version — its version id and its matched rules belong together.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use ketenpoort::audit::AuditActor;
use ketenpoort::exchange::Occasion;
use ketenpoort::framework::{OrgKind, Role};
use ketenpoort::policy::{DEFAULT_MODEL, DEFAULT_RULES};
use serde_json::json;

use crate::helpers::spawn_app;

fn officer(org: &str) -> AuditActor {
    AuditActor {
        account: Some(format!("privacy@{org}")),
        org: Some(org.into()),
        org_kind: Some(OrgKind::School),
        role: Some(Role::PrivacyOfficer),
        authenticated_by: "test".into(),
    }
}

/// One exchange as its sender saw it.
struct Sent {
    started: Instant,
    finished: Instant,
    status: u16,
    version: String,
    rules: serde_json::Value,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchanges_sent_during_activation_all_succeed_each_under_one_whole_version() {
    let app = spawn_app().await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, 201);
    assert_eq!(worker.register().await.status, 201);
    for consenter in ["youth", "parent"] {
        assert_eq!(worker.record_consent(consenter).await.status, 201);
    }
    // The new version allows the same exchange under another rule id, so a decision that mixed
    // the versions would show.
    let renamed = DEFAULT_RULES.replace("p, R3,", "p, R3b,");
    let gateway = &app.app.state().gateway;
    let old = ketenpoort::framework::RuleBook::version(&*gateway.policy()).to_owned();
    let new = gateway
        .draft_policy(officer("lyceum-noord"), DEFAULT_MODEL, &renamed, "R3 renamed R3b", &Occasion::at(now()))
        .await
        .unwrap();
    gateway.approve_policy(officer("buurtteam-oost"), &new, &Occasion::at(now())).await.unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..8 {
        let client = app.family_worker();
        let (stop, done) = (stop.clone(), done.clone());
        senders.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let reply = client.send("help_started", "lyceum-noord", json!({})).await;
                sent.push(Sent {
                    started,
                    finished: Instant::now(),
                    status: reply.status.as_u16(),
                    version: reply.body["decision"]["policy_version"].as_str().unwrap_or_default().to_owned(),
                    rules: reply.body["decision"]["matched_rules"].clone(),
                });
                done.fetch_add(1, Ordering::Relaxed);
            }
            sent
        }));
    }
    while done.load(Ordering::Relaxed) < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let activating = Instant::now();
    gateway.activate_policy(officer("buurtteam-oost"), &new, &Occasion::at(now())).await.unwrap();
    let activated = Instant::now();
    let target = done.load(Ordering::Relaxed) + 100;
    while done.load(Ordering::Relaxed) < target {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut sent = Vec::new();
    for sender in senders {
        sent.extend(sender.await.unwrap());
    }

    assert!(sent.len() >= 200);
    let (mut under_old, mut under_new) = (0, 0);
    for exchange in &sent {
        assert_eq!(exchange.status, 201, "no exchange fails during activation");
        if exchange.version == old {
            assert_eq!(exchange.rules, json!(["R3"]), "an old decision with the old rules");
            assert!(exchange.started < activated, "only a request begun before activation ends under the old");
            under_old += 1;
        } else {
            assert_eq!(exchange.version, new);
            assert_eq!(exchange.rules, json!(["R3b"]), "a new decision with the new rules");
            assert!(exchange.finished > activating, "nothing decided under the new before activation");
            under_new += 1;
        }
    }
    assert!(under_old >= 100 && under_new >= 100, "{under_old} old, {under_new} new");
    // The log agrees with what the senders saw, entry by entry.
    let decisions = app.audit_entries().await;
    let decided: Vec<_> = decisions.iter().filter(|e| e.event.as_str() == "decision" && e.signal.is_some()).collect();
    for entry in decided.iter().filter(|e| e.action.map(|a| a.as_str()) == Some("send")) {
        let version = entry.policy_version.as_deref().unwrap();
        let rule = if version == old { "R3" } else { "R3b" };
        assert_eq!(entry.matched_rules, [rule], "entry {} decided under one version", entry.seq);
    }
    assert!(app.verify().await.entries as usize >= sent.len());
}

fn now() -> time::OffsetDateTime {
    ketenpoort::clock::now()
}
