//! Several instances on one PostgreSQL database: three `ketenpoort serve` processes take
//! exchanges at once and the audit chain stays one chain; a policy version activated on one
//! instance reaches the others within a second.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ketenpoort::framework::RuleBook;
use ketenpoort::store::{SqlStore, Store};
use serde_json::json;

use crate::helpers::{ChildGuard, certs_dev, database, http_client, listening_address, spawn_app_with};

/// The `n`th test BSN that passes the elfproef.
fn valid_bsn(n: usize) -> String {
    (100_000_000u64..)
        .map(|candidate| candidate.to_string())
        .filter(|bsn| {
            let digits: Vec<i64> = bsn.bytes().map(|b| i64::from(b - b'0')).collect();
            let sum: i64 = (0..8).map(|i| digits[i] * (9 - i as i64)).sum::<i64>() - digits[8];
            sum % 11 == 0
        })
        .nth(n)
        .unwrap()
}

/// A `serve` process on `url`; its address once it listens.
fn serve(dir: &std::path::Path, name: &str, url: &str, keys: &std::path::Path) -> (ChildGuard, String) {
    serve_with(dir, name, url, keys, "")
}

/// A `serve` process on `url` with `extra` top-level configuration lines.
fn serve_with(
    dir: &std::path::Path,
    name: &str,
    url: &str,
    keys: &std::path::Path,
    extra: &str,
) -> (ChildGuard, String) {
    let certs = certs_dev();
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"{url}\"\nkeys = \"{}\"\n{extra}\n[tls]\ncert = \"{1}/server.crt\"\nkey = \"{1}/server.key\"\nclient_ca = \"{1}/ca.crt\"\n",
            keys.display(),
            certs.display()
        ),
    )
    .unwrap();
    let mut child = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = child.0.stderr.take().unwrap();
    let addr = listening_address(&mut stderr);
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_append_to_one_chain_without_a_gap_or_a_fork() {
    if database::backend() != database::Backend::Postgres {
        // Several instances share a PostgreSQL database; the PostgreSQL pass runs this.
        return;
    }
    // The region and its certificates, through a first (in-process) instance.
    let seeded = spawn_app_with(|config| config).await;
    let url = seeded.database_url.clone();
    let keys = seeded.dir.path().join("k.keys");
    let dir = tempfile::tempdir().unwrap();
    let instances: Vec<(ChildGuard, String)> =
        (0..3).map(|i| serve(dir.path(), &format!("instance-{i}"), &url, &keys)).collect();

    // Each youth: registered by the mentor, then 7 more exchanges, spread over the instances.
    let mut tasks = Vec::new();
    for worker in 0..12usize {
        let addrs: Vec<String> = instances.iter().map(|(_, addr)| addr.clone()).collect();
        tasks.push(tokio::spawn(async move {
            let mentor = http_client(Some("lyceum-noord"), Some("mentor@lyceum-noord"));
            let mut acknowledged = Vec::new();
            for round in 0..8usize {
                let addr = &addrs[(worker + round) % addrs.len()];
                let bsn = valid_bsn(worker);
                let body = if round == 0 {
                    ("involvements", json!({ "bsn": bsn, "birth_date": "2012-03-15", "purpose": "care_coordination" }))
                } else {
                    ("decisions", json!({ "bsn": bsn, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" }))
                };
                let reply = mentor.post(format!("https://{addr}/api/v1/{}", body.0)).json(&body.1).send().await.unwrap();
                let status = reply.status().as_u16();
                assert!(status == 201 || status == 200, "{status}: {}", reply.text().await.unwrap());
                let id = reply.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned()).unwrap();
                acknowledged.push(id);
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.extend(task.await.unwrap());
    }
    for (mut child, _) in instances {
        Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
        tokio::task::spawn_blocking(move || child.0.wait().unwrap()).await.unwrap();
    }

    let store = SqlStore::open(&url).await.unwrap();
    let entries = store.audit_page(0, 100_000).await.unwrap();
    for (index, stored) in entries.iter().enumerate() {
        assert_eq!(stored.entry.seq, index as u64 + 1, "no gap");
    }
    let logged: std::collections::HashSet<&str> = entries.iter().map(|e| e.entry.request_id.as_str()).collect();
    for id in &acknowledged {
        assert!(logged.contains(id.as_str()), "acknowledged request {id} is in the log");
    }
    assert_eq!(acknowledged.len(), 96);
    let verified = seeded.verify().await;
    assert!(verified.entries >= 96, "{verified:?}");
}

/// Registers and withdraws (unjustified) an involvement with each youth three days ago, through
/// the library: at any time today each is due for destruction. Their involvements' ids.
async fn doomed_youths(app: &crate::helpers::TestApp, from: usize, count: usize) -> Vec<(String, String)> {
    let three_days_ago = ketenpoort::clock::now() - time::Duration::days(3);
    let lyceum = crate::helpers::professional("lyceum-noord");
    let mut doomed = Vec::new();
    for n in from..from + count {
        let bsn = valid_bsn(n);
        let id = crate::lifecycle::register_at(app, "lyceum-noord", &bsn, "2012-10-10", three_days_ago).await;
        let youth = app.known_youth(&bsn).await.unwrap();
        let withdrawn = ketenpoort::exchange::Occasion::at(three_days_ago + time::Duration::hours(1));
        app.gateway()
            .withdraw_involvement(
                &lyceum,
                &youth,
                &id,
                ketenpoort::framework::WithdrawalReason::Unjustified,
                &withdrawn,
            )
            .await
            .unwrap();
        doomed.push((bsn, id));
    }
    doomed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_three_serving_instances_one_runs_the_days_retention_and_none_runs_it_twice() {
    if database::backend() != database::Backend::Postgres {
        // Several instances share a PostgreSQL database; the PostgreSQL pass runs this.
        return;
    }
    let seeded = spawn_app_with(|config| ketenpoort::config::Config { daily_retention: false, ..config }).await;
    let url = seeded.database_url.clone();
    let keys = seeded.dir.path().join("k.keys");
    let doomed = doomed_youths(&seeded, 500, 12).await;
    let dir = tempfile::tempdir().unwrap();
    // Each looks every second whether today's run is still to be done: a second instance
    // running it too would destroy nothing more but audit a second run's destructions.
    let instances: Vec<(ChildGuard, String)> = (0..3)
        .map(|i| serve_with(dir.path(), &format!("retainer-{i}"), &url, &keys, "retention_check_seconds = 1"))
        .collect();

    let started = Instant::now();
    loop {
        let mut known = 0;
        for (bsn, _) in &doomed {
            known += usize::from(seeded.known_youth(bsn).await.is_some());
        }
        if known == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{known} doomed youths still known after 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Later youths, due as much: today's run is done, so they wait for tomorrow's, however
    // often the three instances look meanwhile.
    let later = doomed_youths(&seeded, 600, 3).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    for (bsn, _) in &later {
        assert!(seeded.known_youth(bsn).await.is_some(), "a youth due after today's run waits for tomorrow's");
    }
    for (mut child, _) in instances {
        Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
        tokio::task::spawn_blocking(move || child.0.wait().unwrap()).await.unwrap();
    }

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let days: Vec<String> = sqlx::query_scalar("SELECT day FROM retention_runs").fetch_all(&pool).await.unwrap();
    assert_eq!(days, vec![ketenpoort::exchange::retention_day(ketenpoort::clock::now())], "one run, today's");
    let entries = seeded.audit_entries().await;
    for (_, id) in &doomed {
        let destroyed = entries
            .iter()
            .filter(|e| {
                e.event == ketenpoort::audit::AuditEvent::InvolvementDestroyed && e.subject.as_ref() == Some(id)
            })
            .count();
        assert_eq!(destroyed, 1, "involvement {id} destroyed once");
    }
    let youths = entries.iter().filter(|e| e.event == ketenpoort::audit::AuditEvent::YouthDestroyed).count();
    assert_eq!(youths, doomed.len(), "each youth destroyed once, the later ones not yet");
    assert!(seeded.verify().await.entries as usize >= entries.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_activated_on_one_instance_reaches_another_within_a_second() {
    if database::backend() != database::Backend::Postgres {
        return;
    }
    let first = spawn_app_with(|config| config).await;
    let url = first.database_url.clone();
    let keys = first.dir.path().join("k.keys");
    let second = spawn_app_with(|config| ketenpoort::config::Config {
        database_url: url.clone(),
        keys: Some(keys.clone()),
        ..config
    })
    .await;
    let officer = |org: &str| ketenpoort::audit::AuditActor {
        account: Some(format!("privacy@{org}")),
        org: Some(org.into()),
        org_kind: Some(ketenpoort::framework::OrgKind::School),
        role: Some(ketenpoort::framework::Role::PrivacyOfficer),
        authenticated_by: "test".into(),
    };
    let now = || ketenpoort::exchange::Occasion::at(ketenpoort::clock::now());
    let a = &first.app.state().gateway;
    let b = &second.app.state().gateway;
    let rules = ketenpoort::policy::DEFAULT_RULES.replace("p, R3,", "p, R3b,");
    let draft = a
        .draft_policy(officer("lyceum-noord"), ketenpoort::policy::DEFAULT_MODEL, &rules, "R3b", &now())
        .await
        .unwrap();
    a.approve_policy(officer("obs-de-linde"), &draft, &now()).await.unwrap();
    // Let the second instance's listener settle before the moment that counts.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let activated = Instant::now();
    a.activate_policy(officer("obs-de-linde"), &draft, &now()).await.unwrap();
    while b.policy().version() != draft {
        assert!(activated.elapsed() < Duration::from_secs(1), "not adopted within a second");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!("adopted by the other instance in {:?}", activated.elapsed());
}

#[tokio::test]
async fn after_a_pseudonym_key_rotation_known_youths_are_found_with_their_case_references_and_history() {
    let before = spawn_app_with(|config| config).await;
    let url = before.database_url.clone();
    let keys = before.dir.path().join("k.keys");
    let mentor = before.mentor();
    assert_eq!(mentor.register().await.status, 201);
    let case = json!({ "bsn": crate::helpers::BSN });
    let old_ref = mentor.post("/cases/view", case.clone()).await.body["case_ref"].clone();
    assert!(old_ref.is_string());

    let (retired, new) = ketenpoort::keys::rotate_pseudonym_key(&keys).unwrap();
    assert_ne!(retired, new);
    // A restarted instance: the new key, the retired one kept for look-ups.
    let after = spawn_app_with(|config| ketenpoort::config::Config {
        database_url: url.clone(),
        keys: Some(keys.clone()),
        ..config
    })
    .await;
    let mentor = after.mentor();
    let again = mentor.register().await;
    assert_eq!((again.status.as_u16(), again.error()), (409, "already_involved"), "the same youth, found again");
    assert_eq!(mentor.post("/cases/view", case.clone()).await.body["case_ref"], old_ref, "the same case reference");
    let auditor = after.client("lyceum-noord", "auditor@lyceum-noord");
    let history = auditor
        .post(
            "/audit/search",
            json!({ "bsn": crate::helpers::BSN, "birth_date": crate::helpers::BIRTH_DATE, "event": "case_viewed" }),
        )
        .await;
    assert_eq!(history.body["entries"].as_array().unwrap().len(), 2, "before and after, under one pseudonym");
    let other = mentor
        .post(
            "/involvements",
            json!({ "bsn": "111222333", "birth_date": "2013-01-01", "purpose": "care_coordination" }),
        )
        .await;
    assert_eq!(other.status, 201);
    let entries = before.audit_entries().await;
    let key_ids: std::collections::HashSet<&str> =
        entries.iter().filter_map(|e| e.youth.as_ref()).map(|y| y.key_id.as_str()).collect();
    // Youths are named in the log by random references, each made beside the key then current.
    let (retired, new) = (format!("ref:{retired}"), format!("ref:{new}"));
    assert!(key_ids.contains(retired.as_str()) && key_ids.contains(new.as_str()), "{key_ids:?}");
    assert!(entries.iter().filter_map(|e| e.youth.as_ref()).all(|y| y.is_reference()), "never a BSN's pseudonym");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_three_instances_each_notice_is_sent_by_one_and_only_once() {
    if database::backend() != database::Backend::Postgres {
        return;
    }
    let receiver = crate::notices::Receiver::start();
    // The seeding instance sends nothing itself: the three below do.
    let seeded = spawn_app_with(|config| ketenpoort::config::Config {
        notices: ketenpoort::notices::NoticesConfig { dispatch: false, ..Default::default() },
        ..config
    })
    .await;
    let allowing = ketenpoort::notices::NoticesConfig { allow_private_webhooks: true, ..Default::default() };
    for org in ["lyceum-noord", "buurtteam-oost"] {
        let occasion = ketenpoort::exchange::Occasion::at(ketenpoort::clock::now());
        let org_id = ketenpoort::framework::OrgId(org.into());
        let operator = ketenpoort::identity::operator();
        let (_, hook) =
            seeded.gateway().set_webhook(operator, &org_id, &receiver.hook(org), &allowing, &occasion).await.unwrap();
        receiver.control("secret", json!({ "name": org, "secret": hook.secret })).await;
    }
    let (url, keys) = (seeded.database_url.clone(), seeded.dir.path().join("k.keys"));
    let dir = tempfile::tempdir().unwrap();
    let notices =
        format!("[notices]\nallow_private_webhooks = true\nwebhook_ca = \"{}\"", certs_dev().join("ca.crt").display());
    let instances: Vec<(ChildGuard, String)> =
        (0..3).map(|i| serve_with(dir.path(), &format!("teller-{i}"), &url, &keys, &notices)).collect();

    // 20 youths, each a match (a notice to each side) and a feedback request, over all three.
    let addrs: Vec<String> = instances.iter().map(|(_, addr)| addr.clone()).collect();
    let mentor = http_client(Some("lyceum-noord"), Some("mentor@lyceum-noord"));
    let worker = http_client(Some("buurtteam-oost"), Some("family_worker@buurtteam-oost"));
    for n in 0..20usize {
        let bsn = valid_bsn(100 + n);
        let registration = json!({ "bsn": bsn, "birth_date": "2012-03-15", "purpose": "care_coordination" });
        let request =
            json!({ "bsn": bsn, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" });
        for (client, path, body, at) in [
            (&mentor, "involvements", &registration, n),
            (&worker, "involvements", &registration, n + 1),
            (&mentor, "signals", &request, n + 2),
        ] {
            let reply =
                client.post(format!("https://{}/api/v1/{path}", addrs[at % 3])).json(body).send().await.unwrap();
            assert_eq!(reply.status(), 201, "{}", reply.text().await.unwrap());
        }
    }

    let store = SqlStore::open(&url).await.unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    let (mut queued, mut delivered) = (Vec::new(), 0);
    while Instant::now() < until {
        queued = Vec::new();
        for org in ["lyceum-noord", "buurtteam-oost"] {
            queued.extend(store.deliveries(&ketenpoort::framework::OrgId(org.into()), 1000).await.unwrap());
        }
        delivered = queued.iter().filter(|d| d.state == ketenpoort::notices::NoticeState::Delivered).count();
        if delivered == 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!((queued.len(), delivered), (60, 60), "{queued:?}");
    let received = receiver.received().await;
    let mut ids: Vec<&str> = received.iter().map(|a| a["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!((before, ids.len()), (60, 60), "each notice sent once, by one instance");
    assert!(received.iter().all(|a| a["verified"] == true));
    assert!(queued.iter().all(|d| d.attempts == 1));
    drop(instances);
}
