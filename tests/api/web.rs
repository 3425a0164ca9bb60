//! The professionals' pages with the demo sign-in, in a real HTTPS session: the mentor's story
//! in Dutch and the refusal in English, CSRF, security headers. (A browser test with a real
//! OpenID Connect provider is still to come.)

use reqwest::StatusCode;

use crate::helpers::{BIRTH_DATE, BSN, TestApp, certs_dev, demo_app, spawn_app};

/// A browser-like client: cookies, no client certificate, no redirects followed by surprise.
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    base: String,
}

impl Browser {
    pub(crate) fn new(app: &TestApp) -> Browser {
        let ca = reqwest::Certificate::from_pem(&std::fs::read(certs_dev().join("ca.crt")).unwrap()).unwrap();
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(ca)
            .cookie_store(true)
            .build()
            .unwrap();
        Browser { http, base: app.url("") }
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    pub(crate) async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let response = self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Posts a `multipart/form-data` form: text fields and files (name, content).
    async fn post_files(&self, path: &str, fields: &[(&str, &str)], files: &[(&str, &str)]) -> (StatusCode, String) {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (file_name, content) in files {
            form = form
                .part("files", reqwest::multipart::Part::text(content.to_string()).file_name(file_name.to_string()));
        }
        let response = self.http.post(format!("{}{path}", self.base)).multipart(form).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Signs in as a demo account; returns the session's form token.
    pub(crate) async fn sign_in(&self, account: &str) -> String {
        let (status, page) = self.get("/signin").await;
        assert_eq!(status, StatusCode::OK);
        let (status, landing) = self.post("/signin/demo", &[("csrf", &token(&page)), ("account", account)]).await;
        assert_eq!(status, StatusCode::OK, "{landing}");
        let home = if account.starts_with("admin@") {
            "<h1>Beheer"
        } else if account.starts_with("privacy_officer@") {
            "<h1>Handelingskader</h1>"
        } else if account.starts_with("auditor@") {
            "<h1>Logboek</h1>"
        } else {
            "<h1>Overzicht</h1>"
        };
        assert!(landing.contains(home), "{landing}");
        token(&landing)
    }
}

/// The form token of a page.
pub(crate) fn token(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("a form token") + 19;
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_mentor_and_a_family_worker_walk_the_story_on_the_pages() {
    let app = demo_app().await;
    let mentor = Browser::new(&app);
    let worker = Browser::new(&app);
    let m = mentor.sign_in("mentor@lyceum-noord").await;
    let w = worker.sign_in("family_worker@buurtteam-oost").await;
    let youth = [("bsn", BSN), ("birth_date", BIRTH_DATE)];

    // The mentor finds the youth, is not involved yet, and registers.
    let (_, found) = mentor.post("/app/youth", &[&[("csrf", m.as_str())][..], &youth].concat()).await;
    assert!(found.contains("Betrokkenheid melden"), "{found}");
    let (_, registered) = mentor.post("/app/register", &[&[("csrf", m.as_str())][..], &youth].concat()).await;
    assert!(registered.contains("Geregistreerd in de verwijsindex"), "{registered}");
    let (_, registered) = worker.post("/app/register", &[&[("csrf", w.as_str())][..], &youth].concat()).await;
    assert!(registered.contains("Ook betrokken: Lyceum Noord"), "{registered}");

    // The mentor sees the decision before sending, then sends.
    let ask = [&[("csrf", m.as_str()), ("to", "buurtteam-oost")][..], &youth].concat();
    let (_, dry) = mentor.post("/app/ask", &ask).await;
    assert!(dry.contains("Mag verstuurd worden") && dry.contains("name=\"confirm\""), "{dry}");
    let (_, sent) = mentor.post("/app/ask", &[&ask[..], &[("confirm", "yes")]].concat()).await;
    assert!(sent.contains("Verstuurd."), "{sent}");

    // The family worker sees the request and is refused for missing consent, in Dutch.
    let (_, overview) = worker.get("/app").await;
    let start = overview.find("/app/answer/").expect("an answer link") + 12;
    let request = overview[start..].split('"').next().unwrap().to_owned();
    let answer = format!("/app/answer/{request}");
    let (status, form) = worker.get(&answer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("hulp gestart"));
    let (_, refused) = worker.post(&answer, &[("csrf", &w), ("signal", "help_started")]).await;
    assert!(refused.contains("Mag niet verstuurd worden"), "{refused}");
    assert!(
        refused.contains(
            "Niet verstuurd: toestemming ontbreekt. De jongere is 14: jongere én ouder moeten toestemming geven."
        ),
        "{refused}"
    );
    // The refusal offers the way forward: the consent form, filled in for this exchange.
    assert!(refused.contains("Toestemming van de jongere en de ouder (gezaghebbende) vastleggen"), "{refused}");
    assert!(refused.contains("action=\"/app/consent/form\""), "{refused}");
    let (status, filled) = worker
        .post(
            "/app/consent/form",
            &[
                ("csrf", w.as_str()),
                ("request", request.as_str()),
                ("given_by", "youth"),
                ("given_by", "parent"),
                ("recipient_org", "lyceum-noord"),
                ("signal", "help_started"),
                ("purpose", "care_coordination"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for checked in
        ["given_youth", "given_parent", "org_lyceum-noord", "signal_help_started", "purpose_care_coordination"]
    {
        let at = filled.find(&format!("id=\"{checked}\"")).unwrap_or_else(|| panic!("{checked}: {filled}"));
        assert!(filled[at..].split('>').next().unwrap().contains("checked"), "{checked} is checked");
    }
    assert!(
        !filled[filled.find("id=\"signal_help_ongoing\"").unwrap()..].split('>').next().unwrap().contains("checked")
    );
    assert!(filled.contains("Verzoek om terugkoppeling van Lyceum Noord, ontvangen"), "the form names the request");
    assert!(!filled.contains("name=\"bsn\""), "the youth is the request's: no BSN to type");
    assert!(filled.contains(">huisartspraktijk</label>") && !filled.contains("gp_practice</label>"), "kinds in words");

    // The youth consents; now the parent's consent is named as missing, in English too.
    let consent = |who: &'static str| {
        [
            ("csrf", w.clone()),
            ("bsn", BSN.into()),
            ("birth_date", String::new()),
            ("given_by", who.into()),
            ("recipient_kind", "school".into()),
            ("signal", "help_started".into()),
            ("purpose", "care_coordination".into()),
            ("valid_from", "2026-01-01".into()),
        ]
    };
    let youth_consent = consent("youth");
    let pairs: Vec<(&str, &str)> = youth_consent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, recorded) = worker.post("/app/consent", &pairs).await;
    assert!(recorded.contains("Toestemming vastgelegd."), "{recorded}");
    let (_, refused) = worker.post(&answer, &[("csrf", &w), ("signal", "help_started")]).await;
    assert!(refused.contains("toestemming van de ouder ontbreekt"), "{refused}");
    let (_, refused_en) = worker.post(&format!("{answer}?lang=en"), &[("csrf", &w), ("signal", "help_started")]).await;
    assert!(
        refused_en.contains("the parent&#39;s consent is missing")
            || refused_en.contains("the parent's consent is missing"),
        "{refused_en}"
    );

    worker.get("/app?lang=nl").await; // the switch is remembered: back to Dutch

    // The parent consents; the answer goes out; the mentor sees it.
    let parent_consent = consent("parent");
    let pairs: Vec<(&str, &str)> = parent_consent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    worker.post("/app/consent", &pairs).await;
    let (_, sent) = worker.post(&answer, &[("csrf", &w), ("signal", "help_started"), ("confirm", "yes")]).await;
    assert!(sent.contains("Verstuurd."), "{sent}");
    let (_, overview) = mentor.get("/app").await;
    assert!(overview.contains("hulp gestart"), "{overview}");
    assert!(!overview.contains(BSN));

    // Every step is in an intact audit log.
    assert!(app.verify().await.entries >= 12);
}

#[tokio::test]
async fn a_form_post_without_the_session_token_is_403_and_pages_need_a_session() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    let redirected = browser.http.get(app.url("/app")).send().await.unwrap();
    assert_eq!(redirected.url().path(), "/signin", "no session: to the sign-in page");
    browser.sign_in("mentor@lyceum-noord").await;
    let (status, page) = browser.post("/app/youth", &[("bsn", BSN), ("birth_date", BIRTH_DATE)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a form without its token is refused: {page}");
    let (status, page) =
        browser.post("/app/youth", &[("csrf", "forged"), ("bsn", BSN), ("birth_date", BIRTH_DATE)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Dit formulier is verlopen"), "{page}");
    // Signing out ends the session.
    let (_, overview) = browser.get("/app").await;
    let (status, _) = browser.post("/signout", &[("csrf", token(&overview).as_str())]).await;
    assert_eq!(status, StatusCode::OK);
    let after = browser.http.get(app.url("/app")).send().await.unwrap();
    assert_eq!(after.url().path(), "/signin", "the session is over");
}

#[tokio::test]
async fn bad_input_is_shown_beside_its_field_and_kept() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    let csrf = browser.sign_in("mentor@lyceum-noord").await;
    let (status, page) = browser
        .post("/app/youth", &[("csrf", csrf.as_str()), ("bsn", "123456789"), ("birth_date", "2012-03-15")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"bsn-error\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("value=\"2012-03-15\""), "the birth date is kept");
}

#[tokio::test]
async fn pages_carry_security_headers_and_serve_has_no_demo_sign_in() {
    let app = spawn_app().await;
    let browser = Browser::new(&app);
    let response = browser.http.get(app.url("/signin")).send().await.unwrap();
    let headers = response.headers().clone();
    assert!(headers["content-security-policy"].to_str().unwrap().contains("script-src 'none'"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(headers.contains_key("strict-transport-security"));
    let page = response.text().await.unwrap();
    assert!(!page.contains("/signin/demo"), "no demo accounts offered by serve");
    let (status, _) = browser.post("/signin/demo", &[("csrf", "any"), ("account", "mentor@lyceum-noord")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_language_follows_the_switch_and_the_browser() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    let (_, dutch) = browser.get("/signin").await;
    assert!(dutch.contains("<html lang=\"nl\">") && dutch.contains("Inloggen"));
    let english =
        browser.http.get(app.url("/signin")).header("accept-language", "en-GB,en;q=0.9").send().await.unwrap();
    // The cookie set by the first visit wins over the browser's language; the switch over both.
    assert!(english.text().await.unwrap().contains("Inloggen"));
    let (_, switched) = browser.get("/signin?lang=en").await;
    assert!(switched.contains("<html lang=\"en\">") && switched.contains("Sign in"), "{switched}");
    let fresh = Browser::new(&app);
    let english = fresh.http.get(app.url("/signin")).header("accept-language", "en-GB,en;q=0.9").send().await.unwrap();
    assert!(english.text().await.unwrap().contains("Sign in"));

    // Signed in, the switch is remembered for the pages that follow, also from a result page.
    let person = Browser::new(&app);
    person.sign_in("mentor@lyceum-noord").await;
    let (status, switched) = person.get("/app/ask?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(switched.contains("<h1>Find a youth</h1>"), "{switched}");
    let (_, overview) = person.get("/app").await;
    assert!(overview.contains("<h1>Overview</h1>"), "{overview}");
}

#[tokio::test]
async fn the_youth_page_names_whose_consent_is_needed_lists_consents_to_revoke_and_reports_to_veilig_thuis() {
    let app = demo_app().await;
    let worker = Browser::new(&app);
    let w = worker.sign_in("family_worker@buurtteam-oost").await;
    let youth = [("bsn", BSN), ("birth_date", BIRTH_DATE)];
    worker.post("/app/register", &[&[("csrf", w.as_str())][..], &youth].concat()).await;
    let consent = [
        ("csrf", w.as_str()),
        ("bsn", BSN),
        ("birth_date", ""),
        ("given_by", "parent"),
        ("recipient_kind", "school"),
        ("signal", "help_started"),
        ("purpose", "care_coordination"),
        ("valid_from", "2026-01-01"),
    ];
    let (_, recorded) = worker.post("/app/consent", &consent).await;
    assert!(recorded.contains("Toestemming vastgelegd."), "{recorded}");

    let (_, page) = worker.post("/app/youth", &[&[("csrf", w.as_str())][..], &youth].concat()).await;
    assert!(page.contains("De jeugdige is 14: jongere én ouder moeten toestemming geven."), "{page}");
    let start = page.find("/app/consent/").expect("a revoke form") + 13;
    let id = page[start..].split('/').next().unwrap().to_owned();
    // Revoking cannot be undone: it is asked first, and nothing changes until confirmed.
    let revoke = format!("/app/consent/{id}/revoke");
    let (_, asked) = worker.post(&revoke, &[("csrf", w.as_str())]).await;
    assert!(asked.contains("Toestemming intrekken?") && asked.contains("kan niet ongedaan"), "{asked}");
    let (_, page) = worker.post("/app/youth", &[&[("csrf", w.as_str())][..], &youth].concat()).await;
    assert!(!page.contains("(ingetrokken)"), "not revoked before confirming");
    let (_, revoked) = worker.post(&revoke, &[("csrf", w.as_str()), ("confirm", "yes")]).await;
    assert!(revoked.contains("Toestemming ingetrokken."), "{revoked}");
    let (_, page) = worker.post("/app/youth", &[&[("csrf", w.as_str())][..], &youth].concat()).await;
    assert!(page.contains("(ingetrokken)"), "{page}");

    // A safety concern needs a justification; with one, it goes to Veilig Thuis.
    let report = [&[("csrf", w.as_str()), ("to", "veilig-thuis")][..], &youth].concat();
    let (_, bare) = worker.post("/app/report", &[&report[..], &[("justification", " ")]].concat()).await;
    assert!(bare.contains("een onderbouwing ontbrak") && bare.contains("vraagt een onderbouwing"), "{bare}");
    let justified = [&report[..], &[("justification", "Blauwe plekken, twee keer gezien.")]].concat();
    let (_, dry) = worker.post("/app/report", &justified).await;
    assert!(dry.contains("Mag verstuurd worden") && dry.contains("meldcode"), "{dry}");
    let (_, sent) = worker.post("/app/report", &[&justified[..], &[("confirm", "yes")]].concat()).await;
    assert!(sent.contains("Verstuurd."), "{sent}");
    let last = app.audit_entries().await.pop().unwrap();
    assert_eq!(last.signal.map(|s| s.as_str()), Some("safety_concern"));
    assert_eq!(
        last.obligations.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
        ["justification_required", "privacy_review"]
    );
    assert_eq!(last.justification.as_deref(), Some("Blauwe plekken, twee keer gezien."));
}

#[tokio::test]
async fn an_administrator_registers_accounts_and_certificates_of_their_own_organisation() {
    let app = demo_app().await;
    let admin = Browser::new(&app);
    let csrf = admin.sign_in("admin@lyceum-noord").await;
    let (status, page) = admin.get("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("mentor@lyceum-noord"), "{page}");
    assert_eq!(admin.get("/app/youth").await.0, StatusCode::FORBIDDEN, "no professional pages for an admin");

    let account = |role: &'static str| {
        [("csrf", csrf.clone()), ("id", "new@lyceum-noord".into()), ("role", role.into()), ("name", "N. Nieuw".into())]
    };
    let gp = account("gp");
    let (_, refused) =
        admin.post("/admin/accounts", &gp.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert!(refused.contains("De rol huisarts bestaat niet bij een organisatie van de soort school"), "{refused}");
    let mentor = account("mentor");
    let (_, added) =
        admin.post("/admin/accounts", &mentor.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert!(added.contains("Account N. Nieuw (mentor) is opgeslagen."), "{added}");
    let (_, bad) = admin.post("/admin/certificates", &[("csrf", csrf.as_str()), ("fingerprint", "abc")]).await;
    assert!(bad.contains("64 hexadecimale tekens"), "{bad}");
    let fingerprint = "ab".repeat(32);
    let (_, ok) =
        admin.post("/admin/certificates", &[("csrf", csrf.as_str()), ("fingerprint", fingerprint.as_str())]).await;
    assert!(ok.contains(&format!("Certificaat {fingerprint} is geregistreerd voor Lyceum Noord.")), "{ok}");

    let entries = app.audit_entries().await;
    let registered: Vec<_> = entries.iter().filter(|e| e.event.as_str().ends_with("_registered")).collect();
    assert_eq!(registered.len(), 2);
    assert!(registered.iter().all(|e| e.actor.role.map(|r| r.as_str()) == Some("admin")));

    let mentor = Browser::new(&app);
    mentor.sign_in("mentor@lyceum-noord").await;
    assert_eq!(mentor.get("/admin").await.0, StatusCode::FORBIDDEN);

    // The admin disables an account of their organisation, once confirmed; not one of another
    // (as good as none), nor their own.
    let (status, other_org) =
        admin.post("/admin/accounts/disable", &[("csrf", csrf.as_str()), ("id", "family_worker@buurtteam-oost")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{other_org}");
    let (status, own) =
        admin.post("/admin/accounts/disable", &[("csrf", csrf.as_str()), ("id", "admin@lyceum-noord")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{own}");
    assert!(own.contains("U kunt uw eigen account niet uitschakelen."), "{own}");
    let disable = [("csrf", csrf.as_str()), ("id", "mentor@lyceum-noord")];
    let (_, asked) = admin.post("/admin/accounts/disable", &disable).await;
    assert!(asked.contains("Account Mentor uitschakelen?"), "{asked}");
    assert_eq!(mentor.get("/app").await.0, StatusCode::OK, "asking changes nothing");
    let (_, done) = admin.post("/admin/accounts/disable", &[&disable[..], &[("confirm", "yes")]].concat()).await;
    assert!(done.contains("Account Mentor is uitgeschakeld."), "{done}");
    let after = mentor.http.get(app.url("/app")).send().await.unwrap();
    assert_eq!(after.url().path(), "/signin", "the disabled mentor is signed out");
}

#[tokio::test]
async fn a_disabled_account_loses_its_session_at_the_next_request() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    browser.sign_in("mentor@lyceum-noord").await;
    assert_eq!(browser.get("/app").await.0, StatusCode::OK);
    app.sql("UPDATE accounts SET disabled_at = 1 WHERE id = 'mentor@lyceum-noord'").await;
    let after = browser.http.get(app.url("/app")).send().await.unwrap();
    assert_eq!(after.url().path(), "/signin");
}

#[tokio::test]
async fn the_operators_administrator_manages_the_regions_organisations_and_no_one_else_does() {
    let app = demo_app().await;
    let school_admin = Browser::new(&app);
    let s = school_admin.sign_in("admin@lyceum-noord").await;
    let (_, page) = school_admin.get("/admin").await;
    assert!(!page.contains("/admin/orgs"), "a school's admin manages no organisations");
    let (status, _) =
        school_admin.post("/admin/orgs", &[("csrf", s.as_str()), ("id", "x"), ("kind", "school"), ("name", "X")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let operator = Browser::new(&app);
    let o = operator.sign_in("admin@jgz-utrecht").await;
    let (_, page) = operator.get("/admin").await;
    assert!(page.contains("Organisaties in de regio") && page.contains("veilig-thuis"), "{page}");
    let (_, added) = operator
        .post(
            "/admin/orgs",
            &[("csrf", o.as_str()), ("id", "vo-zuid"), ("kind", "school"), ("name", "VO Zuid"), ("contact", "")],
        )
        .await;
    assert!(added.contains("Organisatie VO Zuid (school) is opgeslagen."), "{added}");
    let (_, kind_change) = operator
        .post("/admin/orgs", &[("csrf", o.as_str()), ("id", "vo-zuid"), ("kind", "gp_practice"), ("name", "VO Zuid")])
        .await;
    assert!(kind_change.contains("Organisatie vo-zuid is al geregistreerd als school"), "{kind_change}");
    let disable = [("csrf", o.as_str()), ("id", "obs-de-linde"), ("confirm", "yes")];
    let (_, disabled) = operator.post("/admin/orgs/disable", &disable).await;
    assert!(disabled.contains("Organisatie OBS De Linde is uitgeschakeld."), "{disabled}");
    let row = disabled.split("<tr").find(|row| row.contains("<td>OBS De Linde<br>")).expect("still listed");
    assert!(row.starts_with(" class=\"disabled\"") && row.contains("badge disabled"), "shown disabled: {row}");
    assert!(!row.contains("<button"), "not offered to disable again: {row}");
    let events: Vec<String> = app.audit_entries().await.iter().map(|e| e.event.to_string()).collect();
    assert!(events.contains(&"org_registered".to_owned()) && events.contains(&"org_disabled".to_owned()));
}

#[tokio::test]
async fn stale_sessions_are_refused_and_purged_when_someone_signs_in() {
    let app = demo_app().await;
    let old = Browser::new(&app);
    old.sign_in("mentor@lyceum-noord").await;
    // Idle for an hour: the session is over.
    let hour_ago = (ketenpoort::clock::now() - time::Duration::hours(1)).unix_timestamp() * 1_000_000;
    app.sql(&format!("UPDATE web_sessions SET last_seen_at = {hour_ago}")).await;
    let after = old.http.get(app.url("/app")).send().await.unwrap();
    assert_eq!(after.url().path(), "/signin");
    // Another stale one disappears from the database at the next sign-in.
    let stale = Browser::new(&app);
    stale.sign_in("family_worker@buurtteam-oost").await;
    app.sql(&format!("UPDATE web_sessions SET last_seen_at = {hour_ago}")).await;
    Browser::new(&app).sign_in("gp@huisarts-jansen").await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM web_sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(left, 1, "only the fresh session remains");
}

#[tokio::test]
async fn privacy_officers_see_the_rules_in_words_and_approve_and_activate_a_colleagues_draft() {
    use ketenpoort::audit::AuditActor;
    let app = demo_app().await;
    let gateway = &app.app.state().gateway;
    let author = AuditActor {
        account: Some("privacy_officer@lyceum-noord".into()),
        org: Some("lyceum-noord".into()),
        org_kind: Some(ketenpoort::framework::OrgKind::School),
        role: Some(ketenpoort::framework::Role::PrivacyOfficer),
        authenticated_by: "cli".into(),
    };
    let rules = ketenpoort::policy::DEFAULT_RULES.replace("p, R3,", "# R3 removed\n# p, R3,");
    let now = ketenpoort::exchange::Occasion::at(ketenpoort::clock::now());
    let draft =
        gateway.draft_policy(author, ketenpoort::policy::DEFAULT_MODEL, &rules, "zonder R3", &now).await.unwrap();

    let own = Browser::new(&app);
    let o = own.sign_in("privacy_officer@lyceum-noord").await;
    let (_, page) = own.get("/policy").await;
    assert!(
        page.contains("<td>R7</td><td>Een mentor of zorgcoördinator van een school mag verzuimmelding versturen"),
        "the table in words: {page}"
    );
    assert!(page.contains(&draft) && page.contains("zonder R3"), "{page}");
    assert!(page.contains("R3 verwijderd: een professional (behalve huisarts"), "the draft's difference: {page}");
    let (_, tested) = own.post_files(&format!("/policy/{draft}/test"), &[("csrf", o.as_str())], &[]).await;
    assert!(tested.contains(&format!("Versie {draft}: ")) && !tested.contains(" 0 mislukt"), "{tested}");
    assert!(
        tested.contains("„family worker answers a mentor, youth 14, youth and parent consented”: verwacht toegestaan"),
        "{tested}"
    );
    assert!(
        tested.find("scenario-summary") < tested.find("Actieve regels"),
        "the outcome is at the top, right after the action"
    );
    // A file of one's own: a malformed one is named with its line, a good one runs.
    let (_, malformed) =
        own.post_files(&format!("/policy/{draft}/test"), &[("csrf", o.as_str())], &[("mine.yaml", "orgs: [")]).await;
    assert!(malformed.contains("„mine.yaml”, regel ") && malformed.contains("role=\"alert\""), "{malformed}");
    let (_, forged) = own.post_files(&format!("/policy/{draft}/test"), &[("csrf", "forged")], &[]).await;
    assert!(!forged.contains("geslaagd"), "{forged}");
    let (_, refused) = own.post(&format!("/policy/{draft}/approve"), &[("csrf", o.as_str())]).await;
    assert!(
        refused.contains("U kunt uw eigen concept niet goedkeuren; een andere privacy officer moet dat doen."),
        "{refused}"
    );

    let colleague = Browser::new(&app);
    let c = colleague.sign_in("privacy_officer@buurtteam-oost").await;
    let (_, approved) = colleague.post(&format!("/policy/{draft}/approve"), &[("csrf", c.as_str())]).await;
    assert!(approved.contains(&format!("Versie {draft} goedgekeurd.")), "{approved}");
    use ketenpoort::framework::RuleBook;
    let before = gateway.policy().version().to_owned();
    // Activating asks first, saying what will happen, and changes nothing until confirmed.
    let (_, asked) = colleague.post(&format!("/policy/{draft}/activate"), &[("csrf", c.as_str())]).await;
    assert!(
        asked.contains(&format!("Versie {draft} wordt meteen actief voor alle organisaties in de regio")),
        "{asked}"
    );
    assert!(asked.contains("R3 verwijderd: ") && asked.contains("name=\"confirm\" value=\"yes\""), "{asked}");
    assert_eq!(gateway.policy().version(), before, "not yet activated");
    let (_, activated) =
        colleague.post(&format!("/policy/{draft}/activate"), &[("csrf", c.as_str()), ("confirm", "yes")]).await;
    assert!(
        activated.contains(&format!("Versie {draft} is nu actief voor de hele regio; versie {before} is uit gebruik."))
    );
    assert!(activated.contains(&format!("Actieve regels, versie <code>{draft}</code>")), "{activated}");
    assert!(!activated.contains("<td>R3</td>"));
    assert_eq!(gateway.policy().rules().len(), 8, "the running gateway decides under the new version at once");
    // And back: the retired version is offered as a roll-back, confirmed the same way.
    assert!(activated.contains("Terug naar deze versie"), "{activated}");
    let (_, asked) = colleague.post(&format!("/policy/{before}/activate"), &[("csrf", c.as_str())]).await;
    assert!(asked.contains(&format!("Terug naar versie {before}?")) && asked.contains("R3 toegevoegd: "), "{asked}");
    let (_, english) = colleague.post(&format!("/policy/{before}/activate?lang=en"), &[("csrf", c.as_str())]).await;
    assert!(english.contains(&format!("Roll back to version {before}?")), "{english}");
    let (_, back) = colleague
        .post(&format!("/policy/{before}/activate?lang=nl"), &[("csrf", c.as_str()), ("confirm", "yes")])
        .await;
    assert!(back.contains(&format!("Versie {before} is nu actief")), "{back}");
    assert_eq!(gateway.policy().rules().len(), 9);
    let mentor = Browser::new(&app);
    mentor.sign_in("mentor@lyceum-noord").await;
    assert_eq!(mentor.get("/policy").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_privacy_officer_reviews_the_safety_concerns_of_their_organisation() {
    let app = demo_app().await;
    let worker = Browser::new(&app);
    let w = worker.sign_in("family_worker@buurtteam-oost").await;
    let report = [
        ("csrf", w.as_str()),
        ("to", "veilig-thuis"),
        ("bsn", BSN),
        ("birth_date", BIRTH_DATE),
        ("justification", "Zorgen over de thuissituatie."),
        ("confirm", "yes"),
    ];
    let (_, sent) = worker.post("/app/report", &report).await;
    assert!(sent.contains("Verstuurd."), "{sent}");
    let seq = app.audit_entries().await.last().unwrap().seq;

    let other = Browser::new(&app);
    let o = other.sign_in("privacy_officer@lyceum-noord").await;
    let (_, none) = other.get("/review").await;
    assert!(none.contains("Niets te beoordelen."), "another organisation's reports are not theirs: {none}");
    let (status, _) = other.post(&format!("/review/{seq}"), &[("csrf", o.as_str()), ("note", "x")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let officer = Browser::new(&app);
    let p = officer.sign_in("privacy_officer@buurtteam-oost").await;
    let (_, queue) = officer.get("/review").await;
    assert!(
        queue.contains("Zorgen over de thuissituatie.") && queue.contains("family_worker@buurtteam-oost"),
        "{queue}"
    );
    assert!(queue.contains("zorgmelding bij Veilig Thuis"), "the signal in words: {queue}");
    assert!(
        queue.contains("Veilig Thuis Regio Midden") && !queue.contains(": veilig-thuis ·"),
        "the recipient by name: {queue}"
    );
    let (_, done) = officer.post(&format!("/review/{seq}"), &[("csrf", p.as_str()), ("note", "Proportioneel.")]).await;
    assert!(
        done.contains(" beoordeeld; uw notitie staat in het logboek.") && done.contains("Niets te beoordelen."),
        "{done}"
    );
    let (status, again) = officer.post(&format!("/review/{seq}"), &[("csrf", p.as_str()), ("note", "Nog eens.")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(again.contains("Deze melding wacht niet (meer) op beoordeling door uw organisatie."), "{again}");
    let review = app.audit_entries().await.pop().unwrap();
    assert_eq!(review.event.as_str(), "privacy_reviewed");
    assert_eq!(review.subject, Some(seq.to_string()));
    assert_eq!(review.justification.as_deref(), Some("Proportioneel."));
}

#[tokio::test]
async fn a_privacy_officer_drafts_changes_with_forms_that_accept_only_the_vocabulary() {
    let app = demo_app().await;
    let officer = Browser::new(&app);
    let p = officer.sign_in("privacy_officer@lyceum-noord").await;
    let drafts = || async { app.audit_entries().await.iter().filter(|e| e.event.as_str() == "policy_drafted").count() };
    // Removing asks first, saying what will happen; only the confirmed post drafts.
    let (_, asked) = officer.post("/policy/remove", &[("csrf", p.as_str()), ("id", "R9")]).await;
    assert!(asked.contains("Concept maken zonder R9?") && asked.contains("R9 verwijderd: een medewerker Veilig Thuis"));
    assert!(asked.contains("De actieve regels veranderen nog niet."), "{asked}");
    assert_eq!(drafts().await, 0, "nothing drafted before the confirmation");
    let (_, removed) = officer.post("/policy/remove", &[("csrf", p.as_str()), ("id", "R9"), ("confirm", "yes")]).await;
    assert!(
        removed.contains("class=\"done\">Concept ")
            && removed.contains(" opgeslagen: R9 verwijderd. Een andere privacy officer moet het goedkeuren."),
        "{removed}"
    );
    assert!(removed.contains("R9 verwijderd: "), "the new draft's difference: {removed}");
    let (_, absent) = officer.post("/policy/remove", &[("csrf", p.as_str()), ("id", "R99")]).await;
    assert!(absent.contains("Regel „R99” staat niet in de actieve regels."), "{absent}");

    // The editor offers the vocabulary in words, the code as the value; a rule opens in it.
    let (_, editing) = officer.get("/policy?edit=R7").await;
    assert!(editing.contains("value=\"school_absence\" checked> verzuimmelding"), "{editing}");
    assert!(editing.contains("name=\"role_mode\" value=\"only\" checked"), "{editing}");
    let rule = |signals: &[&'static str]| {
        let mut form = vec![
            ("csrf", p.clone()),
            ("id", "R10".to_owned()),
            ("role_mode", "only".to_owned()),
            ("role", "youth_worker".to_owned()),
            ("org_kind_mode", "only".to_owned()),
            ("org_kind", "youth_work".to_owned()),
            ("action", "send".to_owned()),
            ("signal_mode", "only".to_owned()),
            ("recipient_kind_mode", "except".to_owned()),
            ("recipient_kind", "safe_home".to_owned()),
            ("recipient_kind", "compulsory_education".to_owned()),
            ("purpose_mode", "all".to_owned()),
            ("basis", "consent".to_owned()),
            ("note", "jongerenwerk meldt hulp".to_owned()),
        ];
        form.extend(signals.iter().map(|s| ("signal", (*s).to_owned())));
        form
    };
    let officer = &officer;
    let post = move |form: Vec<(&'static str, String)>| async move {
        officer.post("/policy/rule", &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await
    };
    let (_, refused) = post(rule(&["hulp_gestart"])).await;
    assert!(refused.contains("Signaal: „hulp_gestart” is geen signaal; mogelijk zijn: betrokkenheid"), "{refused}");
    assert!(refused.contains("value=\"R10\""), "the editor keeps what was posted: {refused}");
    let (_, none) = post(rule(&[])).await;
    assert!(none.contains("Vink bij „signaal” minstens één woord aan, of kies „alle”."), "{none}");
    let (_, asked) = post(rule(&["help_started", "help_ongoing"])).await;
    assert!(asked.contains("Concept maken met R10 erbij?"), "{asked}");
    assert!(
        asked.contains(
            "R10 toegevoegd: een jongerenwerker van een jongerenwerk mag hulp gestart of hulp loopt versturen aan \
             elke organisatie behalve Veilig Thuis en leerplicht voor elk doel, op grond van toestemming."
        ),
        "{asked}"
    );
    let mut confirmed = rule(&["help_started", "help_ongoing"]);
    confirmed.push(("confirm", "yes".to_owned()));
    let (_, added) = post(confirmed).await;
    assert!(added.contains(" opgeslagen: R10 toegevoegd."), "{added}");
    let stored = app.app.state().gateway.store().policy_versions().await.unwrap();
    let newest = stored.iter().find(|v| v.note == "jongerenwerk meldt hulp").expect("the draft with its note");
    assert!(
        newest.text.rules.contains(
            "p, R10, youth_worker, youth_work, send, help_started help_ongoing, * except safe_home \
             compulsory_education, *, consent"
        ),
        "{}",
        newest.text.rules
    );
    // The same draft twice is the same text, the same version: said in words.
    let mut again = rule(&["help_started", "help_ongoing"]);
    again.push(("confirm", "yes".to_owned()));
    let (_, twice) = post(again).await;
    assert!(twice.contains("Deze regels zijn al opgeslagen als versie "), "{twice}");
    // A column as policy.csv writes it is read too (a form posted by hand); a rule as it is
    // already changes nothing.
    let (_, unchanged) = post(
        [
            ("csrf", p.clone()),
            ("id", "R7".into()),
            ("role", "mentor care_coordinator".into()),
            ("org_kind", "school".into()),
            ("action", "send".into()),
            ("signal", "school_absence".into()),
            ("recipient_kind", "compulsory_education".into()),
            ("purpose", "school_attendance".into()),
            ("basis", "school_attendance_duty".into()),
        ]
        .to_vec(),
    )
    .await;
    assert!(unchanged.contains("Regel R7 staat al zo in de actieve regels; er verandert niets."), "{unchanged}");
    assert_eq!(drafts().await, 2);
    // The same page in English: the rules, the differences and the editor in English words.
    let (_, english) = officer.get("/policy?lang=en").await;
    assert!(
        english.contains(
            "<td>R7</td><td>A mentor or care coordinator of a school may send school absence to compulsory \
             education (leerplicht) for school attendance, on the basis of the compulsory education act.</td>"
        ),
        "{english}"
    );
    assert!(english.contains("R9 removed: a Veilig Thuis worker of Veilig Thuis may send"), "{english}");
    assert!(english.contains("value=\"gp_practice\"> GP practice</label>"), "{english}");
}

#[tokio::test]
async fn an_auditor_searches_reads_an_entry_reports_to_a_youth_exports_and_verifies() {
    let app = demo_app().await;
    let (mentor, worker) = (app.mentor(), app.family_worker());
    assert_eq!(mentor.register().await.status, 201);
    assert_eq!(worker.register().await.status, 201);
    // The school asks for feedback; the team's answer is refused when asked in advance (as the
    // pages ask before they send), and refused when sent; with consent it goes through.
    let asked = mentor.send("feedback_request", "buurtteam-oost", serde_json::json!({})).await;
    assert_eq!(asked.status, 201, "{:?}", asked.body);
    let reply = serde_json::json!({ "bsn": BSN, "signal": "help_started", "to": "lyceum-noord",
        "purpose": "care_coordination", "in_reply_to": asked.body["id"] });
    assert_eq!(worker.post("/decisions", reply).await.body["decision"]["decision"], "deny");
    assert_eq!(worker.send("help_started", "lyceum-noord", serde_json::json!({})).await.status, 403);
    for consenter in ["youth", "parent"] {
        assert_eq!(worker.record_consent(consenter).await.status, 201);
    }
    assert_eq!(worker.send("help_started", "lyceum-noord", serde_json::json!({})).await.status, 201);
    // An organisation not involved tries to look at the case: refused, and on record.
    let stranger = app.client("jongerenwerk-west", "youth_worker@jongerenwerk-west");
    assert_eq!(stranger.post("/cases/view", serde_json::json!({ "bsn": BSN })).await.status, 403);
    app.app.state().gateway.audit().checkpoint(ketenpoort::clock::now()).await.unwrap();

    let school = Browser::new(&app);
    let csrf = school.sign_in("auditor@lyceum-noord").await;
    let (status, found) =
        school.post("/audit", &[("csrf", csrf.as_str()), ("signal", "help_started"), ("decision", "deny")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(found.contains("toestemming ontbreekt") && found.contains("Buurtteam Oost (gezinswerker)"), "{found}");
    let results = found.split("id=\"results\"").nth(1).unwrap().split("</table>").next().unwrap();
    assert!(results.contains("vooraf gevraagd besluit") && !results.contains("consent_missing"), "{results}");
    let seq = found.split("href=\"/audit/entry/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let (_, entry) = school.get(&format!("/audit/entry/{seq}")).await;
    assert!(
        entry.contains("id=\"hash\"")
            && entry.contains("hash van de vorige regel")
            && entry.contains("id=\"checkpoint\">Controlepunt bij regel"),
        "{entry}"
    );
    assert!(entry.contains("soort organisatie van de actor") && entry.contains("reden van weigering"), "{entry}");
    assert!(!entry.contains("actor_org_kind") && !entry.contains("+00:00:00"), "no field names, no raw times");
    let (_, wrong) = school.post("/audit", &[("csrf", csrf.as_str()), ("signal", "gossip")]).await;
    assert!(wrong.contains("role=\"alert\"") && wrong.contains("Onbekend signaal: “gossip”"), "{wrong}");

    // The disclosure report: what the team told the school and what it was refused, in words,
    // naming the youth as the auditor entered them.
    let report_form = |format: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("bsn", BSN.to_owned()),
            ("birth_date", BIRTH_DATE.to_owned()),
            ("format", format.to_owned()),
        ]
    };
    let as_pairs = |form: &Vec<(&'static str, String)>| form.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let html = school
        .http
        .post(format!("{}/audit/report", school.base))
        .form(&as_pairs(&report_form("html")))
        .send()
        .await
        .unwrap();
    assert_eq!(html.headers()["cache-control"], "no-store", "a page naming a youth is not cached");
    let html = html.text().await.unwrap().replace("<wbr>", "");
    assert!(html.contains("Buurtteam Oost (gezinswerker) stuurde Lyceum Noord “hulp gestart”, voor afstemming van zorg, op grond van toestemming."), "{html}");
    assert!(
        html.contains("voor afstemming van zorg: geweigerd, toestemming ontbreekt. Er is niets verstuurd."),
        "{html}"
    );
    assert!(
        html.contains(
            "“hulp gestart” sturen, voor afstemming van zorg (vooraf gevraagd): geweigerd, toestemming ontbreekt."
        ),
        "the refused answer: {html}"
    );
    assert!(html.contains("Lyceum Noord (mentor) meldde betrokkenheid in de verwijsindex."), "{html}");
    assert!(!html.contains("family_worker@buurtteam-oost"), "names only on request");
    assert!(html.contains(&format!("id=\"about\">Over: BSN {BSN}, geboren 15 maart 2012.")), "{html}");
    assert_eq!(html.matches(BSN).count(), 1, "the BSN once, where the report says whom it is about");
    assert!(!html.contains("Jongerenwerk West"), "another organisation's refused look is not the school's part");
    let english = school
        .http
        .post(format!("{}/audit/report?lang=en", school.base))
        .form(&as_pairs(&report_form("html")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("About: BSN 628194821, born 15 March 2012."), "{english}");
    assert!(english.contains("(asked in advance): refused, consent is missing. Nothing was sent."), "{english}");
    let mut full = as_pairs(&report_form("html"));
    full.push(("full", "on".into()));
    let detailed = school
        .http
        .post(format!("{}/audit/report?lang=nl", school.base))
        .form(&full)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Long tokens carry line-break hints (`<wbr>`) so that a phone's page does not scroll.
    assert!(detailed.replace("<wbr>", "").contains("family_worker@buurtteam-oost"), "{detailed}");
    let csv = school
        .http
        .post(format!("{}/audit/report", school.base))
        .form(&as_pairs(&report_form("csv")))
        .send()
        .await
        .unwrap();
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("inzageoverzicht.csv"));
    let csv = csv.text().await.unwrap();
    assert!(
        csv.starts_with("seq,at,from_org") && csv.contains("buurtteam-oost") && csv.contains("consent_missing"),
        "{csv}"
    );
    assert!(!csv.contains(BSN), "the CSV is lines only: it does not carry the BSN");
    let json: serde_json::Value = school
        .http
        .post(format!("{}/audit/report", school.base))
        .form(&as_pairs(&report_form("json")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["youth"], serde_json::json!({ "bsn": BSN, "birth_date": BIRTH_DATE }));
    let lines = json["lines"].as_array().unwrap();
    assert!(lines.iter().any(|l| l["signal"] == "help_started" && l["decision"] == "allow" && l["basis"] == "consent"));
    assert!(lines.iter().any(|l| l["asked_in_advance"] == true && l["reason"] == "consent_missing"), "{json}");
    assert!(lines.iter().all(|l| l.get("from_account").is_none()));

    // The operator's auditor sees the whole log: also the refused look at the case.
    let operator = Browser::new(&app);
    let o = operator.sign_in("auditor@jgz-utrecht").await;
    let whole = operator
        .http
        .post(format!("{}/audit/report", operator.base))
        .form(&[("csrf", o.as_str()), ("bsn", BSN), ("birth_date", BIRTH_DATE), ("format", "html")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        whole.contains("Jongerenwerk West (jongerenwerker) wilde zien welke organisaties bij deze jeugdige betrokken zijn: geweigerd, de organisatie is zelf niet betrokken."),
        "{whole}"
    );

    // The export streams the school's part of the log; it reads back.
    let export = school
        .http
        .post(format!("{}/audit/export", school.base))
        .form(&[("csrf", csrf.as_str()), ("format", "jsonl"), ("org", "buurtteam-oost")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let exported: Vec<ketenpoort::audit::ExportedEntry> =
        export.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!exported.is_empty());
    assert!(exported.iter().all(|e| e.actor_org.as_deref() == Some("lyceum-noord")
        || e.recipient_org.as_deref() == Some("lyceum-noord")
        || e.actor_org.as_deref() == Some("buurtteam-oost") && e.recipient_org.as_deref() == Some("lyceum-noord")));

    let (_, verified) = school.post("/audit/verify", &[("csrf", csrf.as_str())]).await;
    assert!(
        verified.contains("Logboek intact") && verified.contains("laatste ondertekende controlepunt"),
        "{verified}"
    );

    // Every look is on record; the privacy officer has no access.
    let events: Vec<String> = app.audit_entries().await.iter().map(|e| e.event.as_str().to_owned()).collect();
    for look in ["audit_searched", "audit_entry_viewed", "disclosure_reported", "audit_exported", "audit_verified"] {
        assert!(events.iter().any(|e| e == look), "{look}");
    }
    let officer = Browser::new(&app);
    officer.sign_in("privacy_officer@lyceum-noord").await;
    assert_eq!(officer.get("/audit").await.0, StatusCode::FORBIDDEN);
}

/// The `<nav>` of a page: the links a person is offered.
fn menu(page: &str) -> &str {
    let start = page.find("<nav").expect("a menu");
    &page[start..start + page[start..].find("</nav>").expect("the menu's end")]
}

#[tokio::test]
async fn menus_offer_only_what_the_role_may_open_and_every_page_has_a_skip_link() {
    let app = demo_app().await;
    let cases: [(&str, &str, &[&str], &[&str]); 4] = [
        (
            "mentor@lyceum-noord",
            "/app",
            &["/app\"", "/app/youth\"", "/app/consent\""],
            &["/admin", "/policy", "/audit"],
        ),
        ("admin@lyceum-noord", "/admin", &["/admin\""], &["/app", "/policy", "/audit"]),
        ("privacy_officer@lyceum-noord", "/policy", &["/policy\"", "/review\""], &["/app", "/admin", "/audit"]),
        ("auditor@lyceum-noord", "/audit", &["/audit\""], &["/app", "/admin", "/policy"]),
    ];
    for (account, home, offered, not_offered) in cases {
        let browser = Browser::new(&app);
        browser.sign_in(account).await;
        let (status, page) = browser.get(home).await;
        assert_eq!(status, StatusCode::OK, "{account}");
        let nav = menu(&page);
        for link in offered {
            assert!(nav.contains(&format!("href=\"{link}")), "{account} is offered {link}: {nav}");
        }
        for link in not_offered {
            assert!(!nav.contains(&format!("href=\"{link}")), "{account} is not offered {link}: {nav}");
        }
        assert!(page.contains(&format!("class=\"brand\" href=\"{home}\"")), "{account}'s home");
        assert!(page.contains("<a class=\"skip\" href=\"#main\">Naar de inhoud</a>") && page.contains("id=\"main\""));
        assert!(!page.contains("Logboek / Audit") && !page.contains("Beheer / Admin"), "one language per menu");
    }
    // The header names the person once, with their organisation once.
    let mentor = Browser::new(&app);
    mentor.sign_in("mentor@lyceum-noord").await;
    let (_, page) = mentor.get("/app").await;
    assert_eq!(page.matches("(Lyceum Noord)").count(), 1, "{}", menu(&page));
}

#[tokio::test]
async fn every_page_error_is_a_page_with_the_persons_header_and_the_api_keeps_its_json() {
    let app = demo_app().await;
    // Not signed in: a mistyped address is a page in words, with the way to sign in.
    let stranger = Browser::new(&app);
    let (status, page) = stranger.get("/app/nonsense").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html lang=\"nl\">") && page.contains("bestaat niet"), "{page}");
    assert!(menu(&page).contains("href=\"/signin\"") && menu(&page).contains("English"), "{page}");
    // The API answers JSON, as it always did.
    let response = stranger.http.get(app.url("/api/v1/nonsense")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");

    // An auditor opening a professional's page: refused, with their own header and sign-out.
    let auditor = Browser::new(&app);
    auditor.sign_in("auditor@lyceum-noord").await;
    let (status, page) = auditor.get("/app/youth").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("voor professionals"), "{page}");
    let nav = menu(&page);
    assert!(
        nav.contains("href=\"/audit\"") && nav.contains("Uitloggen") && !nav.contains("href=\"/app/youth\""),
        "{nav}"
    );
    assert!(page.contains("href=\"/audit\">Naar mijn startpagina"), "the way back leads home, not to the error");
    let (status, page) = auditor.get("/nonsense?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html lang=\"en\">") && page.contains("does not exist") && page.contains("Sign out"));
    // A result page's address opened again by GET: a page that says why, not JSON.
    let (status, page) = auditor.get("/audit/report?lang=nl").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(page.contains("antwoord op een formulier") && !page.contains("\"error\""), "{page}");
}

#[tokio::test]
async fn the_stylesheet_is_cached_for_ever_under_its_fingerprint_and_there_is_a_favicon() {
    let app = demo_app().await;
    let browser = Browser::new(&app);
    let (_, page) = browser.get("/signin").await;
    let start = page.find("href=\"/static/app-").expect("a fingerprinted stylesheet") + 6;
    let stylesheet = page[start..].split('"').next().unwrap();
    let response = browser.http.get(app.url(stylesheet)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(response.text().await.unwrap().contains(":focus-visible"));
    // The old name and a made-up one are not served for ever.
    assert_eq!(browser.get("/static/app.css").await.0, StatusCode::NOT_FOUND);
    let icon = browser.http.get(app.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(icon.status(), StatusCode::OK);
    assert!(icon.url().path().starts_with("/static/favicon-"), "{}", icon.url());
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(page.contains("rel=\"icon\""));
}

/// A made-up BSN that passes the elfproef, different for each `n` (never the demo youth's).
pub(crate) fn made_up_bsn(n: u32) -> String {
    (0..)
        .map(|i| format!("{:08}", 52_000_000 + n * 1_000 + i))
        .find_map(|first| {
            let sum: u32 = first.bytes().zip([9, 8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| u32::from(d - b'0') * w).sum();
            (sum % 11 < 10).then(|| format!("{first}{}", sum % 11))
        })
        .unwrap()
}

/// The first `/app/involvement/{id}/withdraw` a page offers.
fn withdraw_path(page: &str) -> String {
    let start = page.find("/app/involvement/").unwrap_or_else(|| panic!("a withdraw form in {page}"));
    page[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_professional_ends_their_involvement_saying_why_and_records_a_death_once_confirmed() {
    let app = demo_app().await;
    let (mentor, worker, protector) = (Browser::new(&app), Browser::new(&app), Browser::new(&app));
    let m = mentor.sign_in("mentor@lyceum-noord").await;
    let w = worker.sign_in("family_worker@buurtteam-oost").await;
    let g = protector.sign_in("youth_protector@gi-midden").await;
    let youth = [("bsn", BSN), ("birth_date", BIRTH_DATE)];
    let with = |csrf: &str, extra: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
        let mut form = vec![("csrf".to_owned(), csrf.to_owned())];
        form.extend(youth.iter().chain(extra).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        form
    };
    let pairs = |form: &[(String, String)]| form.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let post = |browser: &'static str, path: String, form: Vec<(String, String)>| {
        let who = match browser {
            "m" => &mentor,
            "w" => &worker,
            _ => &protector,
        };
        async move {
            let response = who.http.post(format!("{}{path}", who.base)).form(&form).send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };

    // Registered, the mentor's youth page offers to end the involvement, saying what each
    // reason means, the default chosen, and to record the death.
    let (_, registered) = post("m", "/app/register".into(), with(&m, &[])).await;
    assert!(registered.contains("<h2>Geregistreerd.</h2>"), "{registered}");
    let (_, page) = post("m", "/app/youth".into(), with(&m, &[])).await;
    for words in [
        "Waarom beëindigt uw organisatie de betrokkenheid?",
        "De zorg is weg",
        "De melding blijft 5 jaar in het archief van de verwijsindex",
        "De melding had nooit gemaakt mogen worden",
        "Bezwaar van de jongere of ouder is toegewezen",
        "Overlijden vastleggen",
    ] {
        assert!(page.contains(words), "{words}: {page}");
    }
    assert!(page.contains("value=\"risk_gone\" aria-describedby=\"reason_risk_gone-means\" checked"), "{page}");
    let withdraw = withdraw_path(&page);

    // Asked first: nothing changes until confirmed; a reason outside the list is refused.
    let (status, asked) = post("m", withdraw.clone(), pairs(&with(&m, &[("reason", "unjustified")]))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(asked.contains("Betrokkenheid van uw organisatie beëindigen?"), "{asked}");
    assert!(asked.contains("Reden: de melding had nooit gemaakt mogen worden. De melding gaat niet naar het archief"));
    assert!(asked.contains("name=\"reason\" value=\"unjustified\"") && asked.contains("name=\"confirm\""), "{asked}");
    let (_, still) = post("m", "/app/youth".into(), with(&m, &[])).await;
    assert!(still.contains("/app/involvement/"), "not withdrawn before confirming");
    let (status, odd) = post("m", withdraw.clone(), with(&m, &[("reason", "bored"), ("confirm", "yes")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(odd.contains("Kies een reden uit de lijst"), "{odd}");
    // Another organisation's involvement is as good as none.
    let (status, _) = post("w", withdraw.clone(), with(&w, &[("reason", "objection"), ("confirm", "yes")])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, done) = post("m", withdraw.clone(), with(&m, &[("reason", "unjustified"), ("confirm", "yes")])).await;
    assert!(done.contains("<h2>Beëindigd.</h2>"), "{done}");
    assert!(
        done.contains("Uw organisatie is niet meer betrokken bij deze jongere. De melding gaat niet naar het archief")
    );
    let last = app.audit_entries().await.pop().unwrap();
    assert_eq!(last.event.as_str(), "involvement_withdrawn");
    assert_eq!(last.withdrawal.map(|r| r.as_str()), Some("unjustified"));
    let (_, after) = post("m", "/app/youth".into(), with(&m, &[])).await;
    assert!(after.contains("Betrokkenheid melden") && !after.contains("Overlijden vastleggen"), "{after}");
    // Done once: the same form again finds nothing running to end.
    let (status, _) = post("m", withdraw, with(&m, &[("reason", "unjustified"), ("confirm", "yes")])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The death: only an organisation with a relationship is asked, and may record it.
    post("m", "/app/register".into(), with(&m, &[])).await;
    post("w", "/app/register".into(), with(&w, &[])).await;
    let (status, refused) = post("g", "/app/death".into(), with(&g, &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Alleen een organisatie die betrokken is bij deze jeugdige"), "{refused}");
    let (status, _) = post("g", "/app/death".into(), with(&g, &[("confirm", "yes")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, asked) = post("w", "/app/death".into(), with(&w, &[])).await;
    for words in
        ["Overlijden van de jongere vastleggen?", "ook die van de andere organisaties", "Niets gaat naar het archief"]
    {
        assert!(asked.contains(words), "{words}: {asked}");
    }
    let (_, asked_en) = post("w", "/app/death?lang=en".into(), with(&w, &[])).await;
    assert!(asked_en.contains("Record the youth&#39;s death?") || asked_en.contains("Record the youth's death?"));
    worker.get("/app?lang=nl").await;
    let (_, page) = post("m", "/app/youth".into(), with(&m, &[])).await;
    assert!(page.contains("Overlijden vastleggen"), "not recorded before confirming");
    let (_, done) = post("w", "/app/death".into(), with(&w, &[("confirm", "yes")])).await;
    assert!(done.contains("<h2>Vastgelegd.</h2>") && done.contains("Het overlijden is vastgelegd."), "{done}");
    assert!(app.audit_entries().await.iter().any(|e| e.event.as_str() == "death_recorded"));
    // Every involvement ended, the school's too; a second recording is refused in words.
    let (_, page) = post("m", "/app/youth".into(), with(&m, &[])).await;
    assert!(page.contains("Uw organisatie is (nog) niet betrokken"), "{page}");
    let (status, again) = post("w", "/app/death".into(), with(&w, &[("confirm", "yes")])).await;
    assert_eq!(status, StatusCode::CONFLICT, "told only to an organisation whose involvement the death ended");
    assert!(again.contains("is al vastgelegd; er is niets veranderd"), "{again}");
    assert!(app.verify().await.entries >= 10);
}

#[tokio::test]
async fn a_youth_of_23_is_not_registered_and_the_page_says_why_in_words() {
    let app = demo_app().await;
    let mentor = Browser::new(&app);
    let m = mentor.sign_in("mentor@lyceum-noord").await;
    let old = made_up_bsn(1);
    let form = [("csrf", m.as_str()), ("bsn", old.as_str()), ("birth_date", "2000-01-01")];
    let (status, refused) = mentor.post("/app/register", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(refused.contains("<h2>Niet geregistreerd</h2>"), "{refused}");
    assert!(refused.contains("Niet geregistreerd: de jongere is 2") && refused.contains("reikt tot de 23e verjaardag"));
    assert!(!refused.contains("Wat wel kan") && !refused.contains("youth_too_old"), "no step to offer: {refused}");
    let (_, english) = mentor.post("/app/register?lang=en", &form).await;
    assert!(english.contains("Not registered: the youth is 2") && english.contains("up to their 23rd birthday"));
}

#[tokio::test]
async fn registering_with_parents_gives_family_and_historic_matches_and_no_page_ever_shows_a_parents_bsn() {
    let app = demo_app().await;
    let (mentor, worker, auditor) = (Browser::new(&app), Browser::new(&app), Browser::new(&app));
    let m = mentor.sign_in("mentor@lyceum-noord").await;
    let w = worker.sign_in("family_worker@buurtteam-oost").await;
    let (mother, father, sibling, earlier) = (made_up_bsn(2), made_up_bsn(3), made_up_bsn(4), made_up_bsn(5));
    // A nine-digit number that fails the elfproef: not echoed either.
    let mistyped = "123456789";
    let mut pages: Vec<String> = Vec::new();
    let register = |bsn: &str, parents: [&str; 2], csrf: &str| {
        vec![
            ("csrf".to_owned(), csrf.to_owned()),
            ("bsn".to_owned(), bsn.to_owned()),
            ("birth_date".to_owned(), BIRTH_DATE.to_owned()),
            ("parent_bsn_1".to_owned(), parents[0].to_owned()),
            ("parent_bsn_2".to_owned(), parents[1].to_owned()),
        ]
    };
    async fn send(browser: &Browser, path: &str, form: &[(String, String)]) -> String {
        browser.http.post(format!("{}{path}", browser.base)).form(form).send().await.unwrap().text().await.unwrap()
    }

    // A parent's BSN that is not taken is said beside its field, which stays empty.
    for (parents, words) in [
        ([mistyped, father.as_str()], "Geen geldig BSN van een ouder"),
        ([mother.as_str(), BSN], "Dit is het BSN van de jeugdige zelf"),
        ([mother.as_str(), mother.as_str()], "Deze ouder staat er al"),
    ] {
        let page = send(&mentor, "/app/register", &register(BSN, parents, &m)).await;
        assert!(page.contains(words) && page.contains("aria-invalid=\"true\""), "{words}: {page}");
        assert!(page.contains("Ouders (niet verplicht)") && !page.contains("Geregistreerd"), "{page}");
        pages.push(page);
    }
    let registrations =
        app.audit_entries().await.iter().filter(|e| e.action.is_some_and(|a| a.as_str() == "register")).count();
    assert_eq!(registrations, 0, "nothing is decided while a parent's BSN is wrong");
    let registered = send(&mentor, "/app/register", &register(BSN, [&mother, &father], &m)).await;
    assert!(registered.contains("<h2>Geregistreerd.</h2>") && !registered.contains("gezin"), "{registered}");
    pages.push(registered);
    let (_, youth_page) = mentor.post("/app/youth", &[("csrf", &m), ("bsn", BSN), ("birth_date", "")]).await;
    let own_ref = youth_page.split("<code>").nth(1).unwrap().split("</code>").next().unwrap().to_owned();
    pages.push(youth_page);

    // The team registers a sibling naming the father: each hears of the other organisation,
    // with its contact, and nothing about the other youth.
    let family = send(&worker, "/app/register", &register(&sibling, [&father, ""], &w)).await;
    assert!(
        family.contains("Een andere jongere uit dit gezin is bekend bij Lyceum Noord (zorgteam@lyceum-noord.example)."),
        "{family}"
    );
    pages.push(family);
    let (_, school) = mentor.get("/app").await;
    let line = school.split("<li>").find(|l| l.contains("uit dit gezin")).unwrap_or_else(|| panic!("{school}"));
    assert!(
        line.contains("Een andere jongere uit dit gezin is bekend bij <strong>Buurtteam Oost</strong> (030-000 00 01)")
    );
    assert!(line.contains(&format!("<code>{own_ref}</code>")), "the school's own youth's reference: {line}");
    pages.push(school);
    let (_, team_en) = worker.get("/app?lang=en").await;
    assert!(team_en.contains("Another youth of this family is known to <strong>Lyceum Noord</strong>"), "{team_en}");
    pages.push(team_en);
    worker.get("/app?lang=nl").await;

    // The school ends an involvement because the worry is gone; when the team registers the
    // same youth, each hears of the other once: the team who knew them, the school who is
    // involved now.
    let earlier_youth = register(&earlier, ["", ""], &m);
    send(&mentor, "/app/register", &earlier_youth).await;
    let page = send(&mentor, "/app/youth", &earlier_youth).await;
    let withdraw = withdraw_path(&page);
    let ended = send(
        &mentor,
        &withdraw,
        &[("csrf".into(), m.clone()), ("reason".into(), "risk_gone".into()), ("confirm".into(), "yes".into())],
    )
    .await;
    assert!(ended.contains("De melding blijft 5 jaar in het archief"), "{ended}");
    let historic = send(&worker, "/app/register", &register(&earlier, ["", ""], &w)).await;
    assert!(
        historic.contains("Deze jongere was eerder bekend bij Lyceum Noord (zorgteam@lyceum-noord.example)."),
        "{historic}"
    );
    pages.push(historic);
    let (_, team) = worker.get("/app").await;
    assert!(team.contains("Deze jongere was eerder bekend bij <strong>Lyceum Noord</strong>"), "{team}");
    pages.push(team);
    let (_, school) = mentor.get("/app").await;
    assert!(
        school.contains(
            "<strong>Buurtteam Oost</strong> is nu betrokken bij een jongere die uw organisatie eerder kende"
        ),
        "{school}"
    );
    pages.push(school);
    let (_, school_en) = mentor.get("/app?lang=en").await;
    assert!(
        school_en
            .contains("<strong>Buurtteam Oost</strong> is now involved with a youth your organisation knew before")
    );
    pages.push(school_en);

    // Every page an auditor of the operator may open about it: the log and each entry, and the
    // disclosure reports of both youths.
    let a = auditor.sign_in("auditor@jgz-utrecht").await;
    pages.push(auditor.post("/audit", &[("csrf", a.as_str()), ("order", "newest")]).await.1);
    for entry in app.audit_entries().await {
        let (status, page) = auditor.get(&format!("/audit/entry/{}", entry.seq)).await;
        assert_eq!(status, StatusCode::OK);
        pages.push(page);
    }
    for youth in [BSN, sibling.as_str()] {
        let form = [("csrf", a.as_str()), ("bsn", youth), ("birth_date", BIRTH_DATE), ("format", "html")];
        pages.push(auditor.post("/audit/report", &form).await.1);
    }
    for page in &pages {
        let text = page.replace("<wbr>", "");
        for secret in [mother.as_str(), father.as_str(), mistyped] {
            assert!(!text.contains(secret), "a parent's BSN in a page: {text}");
        }
    }
    assert!(pages.len() > 20, "{} pages looked at", pages.len());
}
