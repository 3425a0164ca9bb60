//! The whole story through a real `ketenpoort serve` at its most verbose log level, then a
//! search for every clear BSN (the youth's and their parents'), birth date and free text used,
//! and for the secret keys (webhook secrets too): in the logs, in every response, in the
//! metrics, in every webhook delivery a partner system receives and every e-mail a person
//! receives, and in the database. A birth
//! date may be in one place only, the column that holds it (the consent rules depend on age); a
//! parent only as a pseudonym, in the youth's record; a justification only in the audit entry
//! that records it, for the privacy officer.

use std::io::Read;
use std::process::{Command, Stdio};

use ketenpoort::notices::mail::Notify;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{BIRTH_DATE, BSN, ChildGuard, certs_dev, contains, database, http_client, listening_address};

/// The youth's parents, as the registrations name them (§8, the family match).
fn parents() -> [String; 2] {
    [database::made_up_bsn(900), database::made_up_bsn(901)]
}

/// A parent's BSN that fails the elfproef: its check digit one off.
fn bad_parent() -> String {
    let mut digits = database::made_up_bsn(902).into_bytes();
    digits[8] = b'0' + (digits[8] - b'0' + 1) % 10;
    String::from_utf8(digits).unwrap()
}

/// A BSN that fails the elfproef: refused, and not echoed either.
const BAD_BSN: &str = "628194822";
/// Free text of a safety concern, stored for the privacy officer only.
const JUSTIFICATION: &str = "Blauwe plekken op beide armen, zei zelf gevallen";

/// What a partner system saw: every response's status line, headers and body, as text.
#[derive(Default)]
struct Seen(String);

impl Seen {
    async fn call(&mut self, request: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let response = request.send().await.unwrap();
        let status = response.status();
        self.0.push_str(&format!("{status}\n{:?}\n", response.headers()));
        let text = response.text().await.unwrap();
        self.0.push_str(&text);
        self.0.push('\n');
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn no_bsn_birth_date_free_text_or_key_is_found_in_logs_responses_metrics_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_url(dir.path(), "k.db");
    let keys_dir = database::keys_dir(&url).unwrap_or_else(|| dir.path().join("k.keys"));
    let certs = certs_dev();
    let parent_pseudonyms;
    // Partner systems told by webhook: what they receive is searched too.
    let receiver = crate::notices::Receiver::start();
    let mut webhook_secrets = Vec::new();
    // And people told by e-mail, through a real SMTP server.
    let mail = crate::mail::MailServer::start();
    {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let keys = ketenpoort::keys::generate(&keys_dir, true).unwrap();
        let store: std::sync::Arc<dyn ketenpoort::store::Store> =
            std::sync::Arc::new(ketenpoort::store::SqlStore::open(&url).await.unwrap());
        parent_pseudonyms = parents().map(|p| keys.pseudonymiser.pseudonymise(&p.parse().unwrap()).value);
        let gateway = ketenpoort::app::gateway(store, &keys, 1_000).await.unwrap();
        let region = ketenpoort::demo::region().unwrap();
        ketenpoort::demo::seed(&gateway, &region, &certs, ketenpoort::clock::now()).await.unwrap();
        let notices = ketenpoort::notices::NoticesConfig { allow_private_webhooks: true, ..Default::default() };
        for org in ["lyceum-noord", "buurtteam-oost", "veilig-thuis"] {
            let occasion = ketenpoort::exchange::Occasion::at(ketenpoort::clock::now());
            let org_id = ketenpoort::framework::OrgId(org.into());
            let operator = ketenpoort::identity::operator();
            let (_, hook) =
                gateway.set_webhook(operator, &org_id, &receiver.hook(org), &notices, &occasion).await.unwrap();
            receiver.control("secret", json!({ "name": org, "secret": hook.secret })).await;
            webhook_secrets.push(hook.secret);
        }
        let store = gateway.store();
        let safe_home = store.accounts(&ketenpoort::framework::OrgId("veilig-thuis".into())).await.unwrap();
        let at_veilig_thuis = safe_home.iter().filter(|a| a.role.is_professional()).map(|a| a.id.clone());
        let people = ["mentor@lyceum-noord", "family_worker@buurtteam-oost", "privacy_officer@lyceum-noord"]
            .map(String::from)
            .into_iter()
            .chain(at_veilig_thuis);
        for account in people {
            let mut found = store.account(&account).await.unwrap().unwrap();
            found.email = Some(format!("{}.test", account.replace('@', "@mail.")));
            store.upsert_account(&found).await.unwrap();
            store.set_notice_settings(&account, Notify::AtOnce, ketenpoort::web::Lang::Nl).await.unwrap();
        }
    }
    let config = dir.path().join("ketenpoort.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"{url}\"\nkeys = \"{}\"\noperator_org = \"jgz-utrecht\"\n\
             [notices]\nallow_private_webhooks = true\nwebhook_ca = \"{1}/ca.crt\"\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {2}\nfrom = \"noreply@ketenpoort.test\"\n\
             base_url = \"https://ketenpoort.test\"\nca = \"{1}/ca.crt\"\n\
             [tls]\ncert = \"{1}/server.crt\"\nkey = \"{1}/server.key\"\nclient_ca = \"{1}/ca.crt\"\n",
            keys_dir.display(),
            certs.display(),
            mail.port,
        ),
    )
    .unwrap();
    let mut server = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("KETENPOORT_LOG", "trace")
            .env("KETENPOORT_SMTP_USERNAME", "ketenpoort")
            .env("KETENPOORT_SMTP_PASSWORD", "test-password-not-for-production")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = server.0.stderr.take().unwrap();
    let mut stdout = server.0.stdout.take().unwrap();
    let addr = listening_address(&mut stderr);
    let logs = std::thread::spawn(move || {
        let mut all = String::new();
        stderr.read_to_string(&mut all).unwrap();
        stdout.read_to_string(&mut all).unwrap();
        all
    });
    let api = |path: &str| format!("https://{addr}/api/v1{path}");
    let mentor = http_client(Some("lyceum-noord"), Some("mentor@lyceum-noord"));
    let worker = http_client(Some("buurtteam-oost"), Some("family_worker@buurtteam-oost"));
    let auditor = http_client(Some("jgz-utrecht"), Some("auditor@jgz-utrecht"));
    let youth = json!({ "bsn": BSN, "birth_date": BIRTH_DATE });
    let with = |extra: Value| {
        let mut body = youth.clone();
        crate::helpers::merge(&mut body, extra);
        body
    };

    // The story of the README, and the mistakes a partner system makes along the way.
    let mut seen = Seen::default();
    let [first_parent, second_parent] = parents();
    let both = with(json!({ "purpose": "care_coordination", "parents": [first_parent, second_parent] }));
    assert_eq!(seen.call(mentor.post(api("/involvements")).json(&both)).await.0, StatusCode::CREATED);
    let one = with(json!({ "purpose": "care_coordination", "parents": [second_parent] }));
    assert_eq!(seen.call(worker.post(api("/involvements")).json(&one)).await.0, StatusCode::CREATED);
    let linde = http_client(Some("obs-de-linde"), Some("mentor@obs-de-linde"));
    let bad = with(json!({ "purpose": "care_coordination", "parents": [first_parent, bad_parent()] }));
    assert_eq!(seen.call(linde.post(api("/involvements")).json(&bad)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let own = with(json!({ "purpose": "care_coordination", "parents": [BSN, first_parent] }));
    assert_eq!(seen.call(linde.post(api("/involvements")).json(&own)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let ask = with(json!({ "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" }));
    let (status, asked) = seen.call(mentor.post(api("/signals")).json(&ask)).await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    let request = asked["id"].as_str().unwrap().to_owned();
    let answer = with(json!({ "signal": "help_started", "to": "lyceum-noord", "purpose": "care_coordination",
        "in_reply_to": request }));
    assert_eq!(seen.call(worker.post(api("/signals")).json(&answer)).await.0, StatusCode::FORBIDDEN);
    for given_by in ["youth", "parent"] {
        let consent = with(json!({ "given_by": given_by, "recipient_kinds": ["school"],
            "signals": ["help_started", "help_ongoing", "help_ended"], "purposes": ["care_coordination"],
            "valid_from": "2026-01-01T00:00:00Z" }));
        assert_eq!(seen.call(worker.post(api("/consents")).json(&consent)).await.0, StatusCode::CREATED);
    }
    assert_eq!(seen.call(worker.post(api("/signals")).json(&answer)).await.0, StatusCode::CREATED);
    let concern = with(json!({ "signal": "safety_concern", "to": "veilig-thuis", "purpose": "safety",
        "justification": JUSTIFICATION }));
    seen.call(mentor.post(api("/signals")).json(&concern)).await;
    for client in [&mentor, &worker] {
        assert_eq!(seen.call(client.get(api("/inbox"))).await.0, StatusCode::OK);
        assert_eq!(seen.call(client.post(api("/cases/view")).json(&json!({ "bsn": BSN }))).await.0, StatusCode::OK);
    }
    let bad = json!({ "bsn": BAD_BSN, "birth_date": BIRTH_DATE, "purpose": "care_coordination" });
    assert_eq!(seen.call(mentor.post(api("/involvements")).json(&bad)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let other_birth = json!({ "bsn": BSN, "birth_date": "2012-03-16", "purpose": "care_coordination" });
    assert_eq!(
        seen.call(
            http_client(Some("obs-de-linde"), Some("mentor@obs-de-linde"))
                .post(api("/involvements"))
                .json(&other_birth)
        )
        .await
        .0,
        StatusCode::CONFLICT
    );
    // The auditor of the operator: by youth (posted), by filters, one entry; a BSN in a URL
    // is refused without being echoed. The audit log is the one place a justification is
    // shown (each entry carries what its hash covers), so the auditor's answers are kept apart.
    let mut audited = Seen::default();
    let (status, found) = audited.call(auditor.post(api("/audit/search")).json(&youth)).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(found["entries"].as_array().is_some_and(|entries| entries.len() >= 6), "{found}");
    assert_eq!(audited.call(auditor.get(api("/audit?signal=help_started"))).await.0, StatusCode::OK);
    assert_eq!(audited.call(auditor.get(api("/audit/1"))).await.0, StatusCode::OK);
    let in_url = audited.call(auditor.get(api(&format!("/audit?bsn={BSN}")))).await.0;
    assert_eq!(in_url, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(audited.0.contains(JUSTIFICATION), "the auditor sees the safety concern's justification");
    let metrics = http_client(None, None).get(format!("https://{addr}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.contains("ketenpoort_requests_total"), "{metrics}");

    // The notices of the story: both sides of the match, the request, the answer, the concern.
    let told = receiver.wait_for(5, std::time::Duration::from_secs(20)).await;
    assert!(told.len() >= 5 && told.iter().all(|a| a["verified"] == true), "{told:#?}");
    let told: String = told.iter().map(|a| format!("{}\n", a["raw"].as_str().unwrap())).collect();
    assert!(told.contains("safety_concern"), "{told}");
    // The mails of the same story: the match to both sides, the request, the answer, the
    // concern to Veilig Thuis and to the school's privacy officer for review.
    let mails = mail.wait_for(6).await;
    assert!(mails.len() >= 6 && mails.iter().all(|m| m["secure"] == true), "{mails:#?}");
    let mailed: String = mails.iter().map(|m| format!("{}\n", m["raw"].as_str().unwrap())).collect();
    assert!(mailed.contains("melding om te beoordelen"), "{mailed}");

    Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().unwrap();
    let status = tokio::task::spawn_blocking(move || server.0.wait().unwrap()).await.unwrap();
    assert!(status.success());
    let logs = logs.join().unwrap();
    assert!(logs.contains("decided") && logs.len() > 10_000, "the logs are at their most verbose");

    let secret_keys: Vec<String> = ["pseudonym.key", "checkpoint.key"]
        .iter()
        .map(|file| std::fs::read_to_string(keys_dir.join(file)).unwrap().trim().to_owned())
        .collect();
    let birth_dates = [BIRTH_DATE, "2012-03-16", "15-03-2012", "15 maart 2012"];
    let bad_parent = bad_parent();
    let personal: Vec<&str> = [BSN, BAD_BSN, JUSTIFICATION, &first_parent, &second_parent, &bad_parent]
        .into_iter()
        .chain(birth_dates)
        .chain(secret_keys.iter().map(String::as_str))
        .chain(webhook_secrets.iter().map(String::as_str))
        .collect();
    let places = [
        ("the logs", &logs),
        ("a response to a partner", &seen.0),
        ("the metrics", &metrics),
        ("a webhook", &told),
        ("an e-mail", &mailed),
    ];
    for (place, text) in places {
        for value in &personal {
            assert!(!text.contains(value), "{value:?} found in {place}");
        }
    }
    for value in personal.iter().filter(|value| **value != JUSTIFICATION) {
        assert!(!audited.0.contains(value), "{value:?} found in a response to the auditor");
    }

    // The database: no BSN anywhere in its bytes; a birth date only where birth dates live; the
    // justification only in the audit entry.
    let bytes = database::all_bytes(&url);
    assert!(bytes.len() > 10_000);
    let clear = [BSN, BAD_BSN, &first_parent, &second_parent, &bad_parent];
    for value in clear.into_iter().chain(secret_keys.iter().map(String::as_str)) {
        assert!(!contains(&bytes, value), "{value} found in the database");
    }
    // A parent only as a pseudonym, in the record of the youth the registrations named them for.
    for pseudonym in &parent_pseudonyms {
        assert_eq!(
            database::columns_holding(&url, pseudonym).await,
            [("youth_parents".to_owned(), "pseudonym".to_owned())]
        );
    }
    assert_eq!(database::columns_holding(&url, BIRTH_DATE).await, [("youths".to_owned(), "birth_date".to_owned())]);
    assert_eq!(database::columns_holding(&url, "2012-03-16").await, Vec::<(String, String)>::new());
    assert_eq!(
        database::columns_holding(&url, JUSTIFICATION).await,
        [("audit_entries".to_owned(), "justification".to_owned())]
    );
}
