//! Notices by e-mail, through a real SMTP server (nodemailer's smtp-server with STARTTLS, from
//! tests/web): at once to a professional who chose it, in their language, with a text and an
//! HTML part that say what and from whom and link to the page, and never a BSN, birth date or
//! case reference; a daily digest of what waited, in one mail per person; none for who chose
//! none; and the settings page where each person chooses.

use std::time::Duration;

use ketenpoort::framework::OrgId;
use ketenpoort::notices::NoticeState;
use ketenpoort::notices::dispatcher::Dispatcher;
use ketenpoort::notices::mail::{Mailer, Notify, SmtpConfig, SmtpTls};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{
    BIRTH_DATE, BSN, ChildGuard, TestApp, certs_dev, demo_app, http_client, node_peer, spawn_app_with,
};
use crate::web::Browser;

/// The SMTP server, listening; its port and the address of what it received.
pub struct MailServer {
    _child: ChildGuard,
    pub port: u16,
    control: String,
}

impl MailServer {
    pub fn start() -> MailServer {
        let certs = certs_dev();
        let (child, line) = node_peer("smtp-server.mjs", "smtp-server", |node| {
            node.arg(certs.join("server.crt")).arg(certs.join("server.key"))
        });
        // "smtp 127.0.0.1:PORT control https://127.0.0.1:PORT2"
        let words: Vec<&str> = line.split_whitespace().collect();
        let port = words.get(1).and_then(|a| a.rsplit(':').next()).and_then(|p| p.parse().ok());
        let port = port.unwrap_or_else(|| panic!("the mail server said: {line}"));
        MailServer { _child: child, port, control: words[3].to_owned() }
    }

    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(self.port),
            tls: SmtpTls::Starttls,
            from: "Ketenpoort <noreply@ketenpoort.test>".into(),
            base_url: "https://ketenpoort.test/".into(),
            ca: Some(certs_dev().join("ca.crt")),
            digest_hour: 7,
        }
    }

    pub async fn received(&self) -> Vec<Value> {
        let got = http_client(None, None).get(format!("{}/received", self.control)).send().await.unwrap();
        got.json().await.unwrap()
    }

    /// Answers the next `count` messages with a temporary failure (451) that quotes the recipient.
    pub async fn fail_next(&self, count: usize) {
        let url = format!("{}/fail", self.control);
        let answered = http_client(None, None).post(url).json(&serde_json::json!({ "count": count })).send().await;
        assert_eq!(answered.unwrap().status(), StatusCode::OK);
    }

    pub async fn wait_for(&self, count: usize) -> Vec<Value> {
        let until = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received().await;
            if received.len() >= count || std::time::Instant::now() > until {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Gives `account` an e-mail address and its choices.
async fn choose(app: &TestApp, account: &str, email: &str, notify: Notify, lang: &str) {
    let store = app.gateway().store();
    let mut found = store.account(account).await.unwrap().unwrap();
    found.email = Some(email.into());
    store.upsert_account(&found).await.unwrap();
    let lang = if lang == "en" { ketenpoort::web::Lang::En } else { ketenpoort::web::Lang::Nl };
    store.set_notice_settings(account, notify, lang).await.unwrap();
}

#[tokio::test]
async fn a_professional_hears_at_once_in_their_language_and_nothing_personal_is_in_the_mail() {
    let server = MailServer::start();
    let smtp = server.config();
    let app = spawn_app_with(|config| ketenpoort::config::Config { smtp: Some(smtp), ..config }).await;
    choose(&app, "mentor@lyceum-noord", "mentor@lyceum-noord.test", Notify::AtOnce, "nl").await;
    choose(&app, "family_worker@buurtteam-oost", "worker@buurtteam-oost.test", Notify::AtOnce, "en").await;
    // The team's other professionals want none: no mail for them.
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, StatusCode::CREATED);
    assert_eq!(worker.register().await.status, StatusCode::CREATED);

    let mails = server.wait_for(2).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let to = |address: &str| mails.iter().find(|m| m["to"][0] == address).unwrap_or_else(|| panic!("{mails:#?}"));
    let dutch = to("mentor@lyceum-noord.test");
    assert_eq!(dutch["secure"], true, "STARTTLS before the message");
    assert_eq!(dutch["from"], "noreply@ketenpoort.test");
    assert_eq!(dutch["subject"], "Ketenpoort: matchbericht van Buurtteam Oost");
    assert_eq!(dutch["language"], "nl");
    let text = dutch["text"].as_str().unwrap();
    assert!(
        text.contains("- matchbericht van Buurtteam Oost") && text.contains("https://ketenpoort.test/app"),
        "{text}"
    );
    let html = dutch["html"].as_str().unwrap();
    assert!(html.contains("<a href=\"https://ketenpoort.test/app\">Bekijk het in Ketenpoort</a>"), "{html}");
    assert!(html.contains("<html lang=\"nl\">"), "{html}");
    let english = to("worker@buurtteam-oost.test");
    assert_eq!(english["subject"], "Ketenpoort: match notice from Lyceum Noord");
    assert!(english["text"].as_str().unwrap().starts_with("Dear "), "{english:#}");

    // Nothing that names the youth: no BSN, birth date, nor either organisation's case reference.
    let case_refs: Vec<String> = [&mentor, &worker]
        .iter()
        .map(|client| async { client.get("/inbox").await.body["items"][0]["case_ref"].as_str().unwrap().to_owned() })
        .collect::<futures_util::future::JoinAll<_>>()
        .await;
    for mail in &mails {
        let raw = mail["raw"].as_str().unwrap();
        for personal in [BSN, BIRTH_DATE, "15-03-2012", &case_refs[0], &case_refs[1]] {
            assert!(!raw.contains(personal), "{personal} in {raw}");
        }
    }
    // The Message-ID is the notice's, delivered once (settled once the server took it).
    let until = std::time::Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = app.gateway().store().deliveries(&OrgId("lyceum-noord".into()), 10).await.unwrap();
        if log.iter().all(|d| d.state != NoticeState::Pending) || std::time::Instant::now() > until {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let email: Vec<_> = log.iter().filter(|d| d.channel == "email").collect();
    assert_eq!(email.len(), 1);
    assert_eq!(email[0].state, NoticeState::Delivered);
    assert!(dutch["message_id"].as_str().unwrap().contains(&email[0].notice_id), "{dutch:#}");
}

#[tokio::test]
async fn a_daily_digest_is_one_mail_per_person_of_what_waited_and_none_for_who_chose_none() {
    let server = MailServer::start();
    // The app sends nothing itself: the test's own dispatcher does, when the test says so.
    let app = spawn_app_with(|config| ketenpoort::config::Config {
        notices: ketenpoort::notices::NoticesConfig { dispatch: false, ..Default::default() },
        ..config
    })
    .await;
    choose(&app, "family_worker@buurtteam-oost", "worker@buurtteam-oost.test", Notify::DailyDigest, "nl").await;
    choose(&app, "mentor@lyceum-noord", "mentor@lyceum-noord.test", Notify::Never, "nl").await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, StatusCode::CREATED);
    assert_eq!(worker.register().await.status, StatusCode::CREATED);
    let request = mentor.send("feedback_request", "buurtteam-oost", serde_json::json!({})).await;
    assert_eq!(request.status, StatusCode::CREATED);

    // The digest's hour is midnight (Dutch time): any moment of the day is past it.
    let smtp = SmtpConfig { digest_hour: 0, ..server.config() };
    let login = || Some(("ketenpoort".to_owned(), "test-password-not-for-production".to_owned()));
    let store = app.gateway().store_handle();
    let keys = ketenpoort::keys::load(&app.keys).unwrap();
    let instance = || {
        let mailer = Mailer::new(&smtp, login()).unwrap();
        Dispatcher::new(store.clone(), keys.pseudonymiser.clone(), &Default::default(), Some(mailer)).unwrap()
    };
    let (dispatcher, other) = (instance(), instance());
    // Waiting for the digest, nothing goes at once.
    assert_eq!(dispatcher.round().await.unwrap(), 0);
    assert!(server.received().await.is_empty());

    // The day's digest, by the instance that claims the day; the other sends none.
    let now = ketenpoort::clock::now();
    assert_eq!(dispatcher.digest_if_due(now).await.unwrap(), 1);
    assert_eq!(other.digest_if_due(now).await.unwrap(), 0);
    assert_eq!(dispatcher.digest_if_due(now).await.unwrap(), 0, "once a day");
    let mails = server.received().await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0]["to"][0], "worker@buurtteam-oost.test");
    assert_eq!(mails[0]["user"], "ketenpoort", "logged in");
    assert_eq!(mails[0]["subject"], "Ketenpoort: 2 nieuwe berichten");
    let text = mails[0]["text"].as_str().unwrap();
    assert!(text.contains("- matchbericht van Lyceum Noord"), "{text}");
    assert!(text.contains("- verzoek om terugkoppeling van Lyceum Noord"), "{text}");
    assert!(!mails[0]["raw"].as_str().unwrap().contains(BSN));
    // Sent once: a second digest finds nothing waiting.
    assert_eq!(dispatcher.send_digests(ketenpoort::clock::now()).await.unwrap(), 0);
    let log = store.deliveries(&OrgId("buurtteam-oost".into()), 10).await.unwrap();
    assert!(log.iter().all(|d| d.channel == "digest" && d.state == NoticeState::Delivered), "{log:?}");
    // The mentor chose none: no notice was even queued for them.
    let school = store.deliveries(&OrgId("lyceum-noord".into()), 10).await.unwrap();
    assert!(school.is_empty(), "{school:?}");
}

#[tokio::test]
async fn each_professional_chooses_on_their_settings_page() {
    let app = demo_app().await;
    choose(&app, "mentor@lyceum-noord", "mentor@lyceum-noord.test", Notify::AtOnce, "nl").await;
    let browser = Browser::new(&app);
    let session = browser.sign_in("mentor@lyceum-noord").await;
    let (status, page) = browser.get("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<strong id=\"email\">mentor@lyceum-noord.test</strong>"), "{page}");
    assert!(page.contains("value=\"at_once\" checked"), "{page}");
    let form = [("csrf", session.as_str()), ("notify", "daily_digest"), ("lang", "en")];
    let (status, saved) = browser.post("/settings", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(saved.contains("Uw keuze is opgeslagen.") && saved.contains("value=\"daily_digest\" checked"), "{saved}");
    let settings = app.gateway().store().notice_settings("mentor@lyceum-noord").await.unwrap().unwrap();
    assert_eq!((settings.notify, settings.lang), (Notify::DailyDigest, ketenpoort::web::Lang::En));
    let (status, refused) =
        browser.post("/settings", &[("csrf", session.as_str()), ("notify", "hourly"), ("lang", "en")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(refused.contains("Kies hoe vaak en in welke taal uit de lijst."), "{refused}");
    // Without the session's token: refused.
    let (status, _) = browser.post("/settings", &[("notify", "none"), ("lang", "nl")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_privacy_officer_hears_of_an_exchange_queued_for_review_without_its_justification() {
    let server = MailServer::start();
    let smtp = server.config();
    let app = spawn_app_with(|config| ketenpoort::config::Config { smtp: Some(smtp), ..config }).await;
    choose(&app, "privacy_officer@lyceum-noord", "privacy@lyceum-noord.test", Notify::AtOnce, "nl").await;
    let mentor = app.mentor();
    assert_eq!(mentor.register().await.status, StatusCode::CREATED);
    let justification = "Blauwe plekken op beide armen";
    let concern = serde_json::json!({ "justification": justification, "purpose": "safety" });
    let sent = mentor.send("safety_concern", "veilig-thuis", concern).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);

    let mails = server.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert_eq!(mails[0]["to"][0], "privacy@lyceum-noord.test");
    assert_eq!(mails[0]["subject"], "Ketenpoort: melding om te beoordelen van Lyceum Noord");
    assert!(mails[0]["text"].as_str().unwrap().contains("https://ketenpoort.test/review"), "{:#}", mails[0]);
    let raw = mails[0]["raw"].as_str().unwrap();
    assert!(!raw.contains(justification) && !raw.contains("Blauwe") && !raw.contains(BSN), "{raw}");
}

#[tokio::test]
async fn a_mail_the_server_defers_is_sent_again_and_its_log_names_no_address() {
    let server = MailServer::start();
    let smtp = server.config();
    let app = spawn_app_with(|config| ketenpoort::config::Config { smtp: Some(smtp), ..config }).await;
    choose(&app, "mentor@lyceum-noord", "mentor@lyceum-noord.test", Notify::AtOnce, "nl").await;
    server.fail_next(1).await;
    assert_eq!(app.mentor().register().await.status, StatusCode::CREATED);
    assert_eq!(app.family_worker().register().await.status, StatusCode::CREATED);

    // The first attempt deferred: what went wrong is in the log, whose address is not.
    let school = OrgId("lyceum-noord".into());
    let until = std::time::Instant::now() + Duration::from_secs(10);
    let first = loop {
        let log = app.gateway().store().deliveries(&school, 10).await.unwrap();
        if log.first().is_some_and(|d| d.last_error.is_some()) || std::time::Instant::now() > until {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(first.len(), 1, "{first:?}");
    let error = first[0].last_error.as_deref().unwrap_or_default();
    assert!(error.contains("451") && error.contains("mailbox full"), "what went wrong is kept: {error}");
    assert!(!error.contains("mentor@lyceum-noord.test") && error.contains("[address]"), "{error}");

    // Sent again after its backoff (2.5 to 5 s), with the same Message-ID.
    let mails = server.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{mails:#?}");
    assert!(mails[0]["message_id"].as_str().unwrap().contains(&first[0].notice_id), "{:#}", mails[0]);
    let until = std::time::Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = app.gateway().store().deliveries(&school, 10).await.unwrap();
        if log[0].state != NoticeState::Pending || std::time::Instant::now() > until {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((log[0].state, log[0].attempts), (NoticeState::Delivered, 2), "{log:?}");
}
