//! The administration page and the sign-in page: disabling asks first and says what happened
//! in words; what is disabled looks it, is not offered again, and cannot sign in; an
//! administrator cannot disable their own account nor the operator's organisation, whatever
//! is posted; and, in Chromium with a real OpenID Connect provider, the whole of it passes
//! axe-core and the 390 px check in both languages (tests/web/admin.mjs).

use ketenpoort::framework::{OrgId, Role};
use ketenpoort::store::Account;
use reqwest::StatusCode;

use crate::browser::browse;
use crate::helpers::{certs_dev, demo_app};
use crate::oidc::app_with_provider;
use crate::web::{Browser, token};

/// The table row of a page with the cell `name` (or the whole cell given, as `<th …>name</th>`).
fn row<'a>(page: &'a str, name: &str) -> &'a str {
    let cells = if name.starts_with('<') {
        [name.to_owned(), name.to_owned()]
    } else {
        // A plain cell, or a name above its id.
        [format!("<td>{name}</td>"), format!("<td>{name}<br>")]
    };
    let row = page
        .split("<tr")
        .find(|row| cells.iter().any(|cell| row.contains(cell)))
        .unwrap_or_else(|| panic!("a row of {name} in {page}"));
    row.split("</tr>").next().unwrap_or_default()
}

fn audited(entries: &[ketenpoort::audit::AuditEntry], event: &str) -> usize {
    entries.iter().filter(|e| e.event.as_str() == event).count()
}

#[tokio::test]
async fn disabling_an_account_asks_first_says_what_happened_and_shows_it_disabled() {
    let app = demo_app().await;
    let admin = Browser::new(&app);
    let csrf = admin.sign_in("admin@lyceum-noord").await;
    let mentor = Browser::new(&app);
    mentor.sign_in("mentor@lyceum-noord").await;
    let (_, before) = admin.get("/admin").await;
    let active = row(&before, "Mentor");
    assert!(active.contains("<td>mentor</td>") && active.contains("actief"), "{active}");
    assert!(active.contains("aria-label=\"Uitschakelen: Mentor\""), "{active}");

    // The first post asks: what will happen, the same fields to post again, and nothing done.
    let disable = [("csrf", csrf.as_str()), ("id", "mentor@lyceum-noord")];
    let (status, asked) = admin.post("/admin/accounts/disable", &disable).await;
    assert_eq!(status, StatusCode::OK);
    assert!(asked.contains("<h1>Account Mentor uitschakelen?</h1>"), "{asked}");
    assert!(asked.contains("Mentor (mentor, Lyceum Noord) kan niet meer inloggen"), "{asked}");
    assert!(asked.contains("Dit kan niet ongedaan worden gemaakt"), "{asked}");
    assert!(
        asked.contains("name=\"id\" value=\"mentor@lyceum-noord\"") && asked.contains("name=\"confirm\" value=\"yes\"")
    );
    assert!(asked.contains("href=\"/admin\""), "cancel leads back: {asked}");
    assert_eq!(mentor.get("/app").await.0, StatusCode::OK, "asking disabled nothing");
    assert_eq!(audited(&app.audit_entries().await, "account_disabled"), 0);

    // Confirmed: said in words, audited once, the row greyed with a badge and no button.
    let confirmed = [&disable[..], &[("confirm", "yes")]].concat();
    let (status, done) = admin.post("/admin/accounts/disable", &confirmed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains("<p role=\"status\" class=\"done\">Account Mentor is uitgeschakeld.</p>"), "{done}");
    assert!(!done.contains('✗') && !done.contains('✓'));
    assert_eq!(audited(&app.audit_entries().await, "account_disabled"), 1);
    let store = app.app.state().gateway.store();
    let (_, disabled_at) = store.account_with_state("mentor@lyceum-noord").await.unwrap().unwrap();
    let when = ketenpoort::web::Lang::Nl.when(disabled_at.expect("disabled"));
    let greyed = row(&done, "Mentor");
    assert!(greyed.starts_with(" class=\"disabled\""), "{greyed}");
    assert!(greyed.contains(&format!("<span class=\"badge disabled\">uitgeschakeld sinds {when}</span>")), "{greyed}");
    assert!(!greyed.contains("<button"), "not offered again: {greyed}");
    let (_, english) = admin.get("/admin?lang=en").await;
    let greyed = row(&english, "Mentor");
    let when = ketenpoort::web::Lang::En.when(disabled_at.unwrap());
    assert!(greyed.contains(&format!("<span class=\"badge disabled\">disabled since {when}</span>")), "{greyed}");
    admin.get("/admin?lang=nl").await;

    // The mentor's session ends at the next click; the account is not offered at sign-in, and
    // naming it anyway is told plainly.
    let after = mentor.http.get(app.url("/app")).send().await.unwrap();
    assert_eq!(after.url().path(), "/signin");
    let (_, signin) = mentor.get("/signin").await;
    assert!(!signin.contains("value=\"mentor@lyceum-noord\""), "a disabled account is not offered");
    assert!(signin.contains("value=\"care_coordinator@lyceum-noord\""), "an active one is");
    let (status, refused) =
        mentor.post("/signin/demo", &[("csrf", &token(&signin)), ("account", "mentor@lyceum-noord")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Uw account is uitgeschakeld in Ketenpoort. Vraag uw beheerder"), "{refused}");

    // Posted again (a second tab, a forged form): refused in words, nothing audited twice.
    let (status, again) = admin.post("/admin/accounts/disable", &confirmed).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(again.contains("Account Mentor is al uitgeschakeld."), "{again}");
    assert_eq!(audited(&app.audit_entries().await, "account_disabled"), 1);
    // A disabled id cannot be saved again as if it were new: it stays disabled in the store.
    let (status, reuse) = admin
        .post(
            "/admin/accounts",
            &[("csrf", csrf.as_str()), ("id", "mentor@lyceum-noord"), ("role", "mentor"), ("name", "Nieuw")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(reuse.contains("is uitgeschakeld en kan niet opnieuw worden gebruikt"), "{reuse}");
}

#[tokio::test]
async fn an_administrator_is_not_offered_and_is_refused_disabling_their_own_account() {
    let app = demo_app().await;
    let admin = Browser::new(&app);
    let csrf = admin.sign_in("admin@lyceum-noord").await;
    let (_, page) = admin.get("/admin").await;
    let own = row(&page, "Beheerder");
    assert!(own.contains("uw eigen account") && !own.contains("<button"), "{own}");

    for confirm in ["", "yes"] {
        let (status, refused) = admin
            .post(
                "/admin/accounts/disable",
                &[("csrf", csrf.as_str()), ("id", "admin@lyceum-noord"), ("confirm", confirm)],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert!(refused.contains("U kunt uw eigen account niet uitschakelen."), "{refused}");
    }
    let (status, english) = admin
        .post(
            "/admin/accounts/disable?lang=en",
            &[("csrf", csrf.as_str()), ("id", "admin@lyceum-noord"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(english.contains("You cannot disable your own account."), "{english}");

    let store = app.app.state().gateway.store();
    assert!(store.account("admin@lyceum-noord").await.unwrap().is_some(), "still active");
    assert_eq!(audited(&app.audit_entries().await, "account_disabled"), 0);
    assert_eq!(admin.get("/admin").await.0, StatusCode::OK, "and still signed in");
}

#[tokio::test]
async fn the_operators_organisation_cannot_be_disabled_and_others_only_once_confirmed() {
    let app = demo_app().await;
    let operator = Browser::new(&app);
    let csrf = operator.sign_in("admin@jgz-utrecht").await;
    let (_, page) = operator.get("/admin").await;
    let own = row(&page, "JGZ Regio Midden");
    assert!(own.contains("draait de gateway") && !own.contains("<button"), "{own}");
    assert!(own.contains("<td>jeugdgezondheidszorg</td>"), "the kind in words: {own}");
    assert!(!page.contains(">youth_health<") && !page.contains(">gp_practice<"), "no codes shown");
    let linde = row(&page, "OBS De Linde");
    assert!(linde.contains("aria-label=\"Uitschakelen: OBS De Linde\""), "{linde}");

    for confirm in ["", "yes"] {
        let form = [("csrf", csrf.as_str()), ("id", "jgz-utrecht"), ("confirm", confirm)];
        let (status, refused) = operator.post("/admin/orgs/disable", &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
        assert!(refused.contains("De organisatie die de gateway draait, kan niet worden uitgeschakeld"), "{refused}");
    }
    let store = app.app.state().gateway.store();
    assert!(store.org(&OrgId("jgz-utrecht".into())).await.unwrap().is_some(), "still active");

    // Another organisation: the confirmation counts what stops, and only confirming acts.
    let disable = [("csrf", csrf.as_str()), ("id", "obs-de-linde")];
    let (_, asked) = operator.post("/admin/orgs/disable", &disable).await;
    assert!(asked.contains("<h1>Organisatie OBS De Linde uitschakelen?</h1>"), "{asked}");
    let people = store.accounts(&OrgId("obs-de-linde".into())).await.unwrap().len();
    assert!(
        asked.contains(&format!("Niemand van OBS De Linde kan nog inloggen ({people} accounts actief)")),
        "{asked}"
    );
    assert!(asked.contains("De API weigert de koppelingen van OBS De Linde (1 certificaat geregistreerd)."), "{asked}");
    assert!(store.org(&OrgId("obs-de-linde".into())).await.unwrap().is_some(), "asking disabled nothing");
    let (_, done) = operator.post("/admin/orgs/disable", &[&disable[..], &[("confirm", "yes")]].concat()).await;
    assert!(
        done.contains("<p role=\"status\" class=\"done\">Organisatie OBS De Linde is uitgeschakeld.</p>"),
        "{done}"
    );
    let greyed = row(&done, "OBS De Linde");
    assert!(greyed.starts_with(" class=\"disabled\"") && greyed.contains("badge disabled"), "{greyed}");
    assert!(!greyed.contains("<button"), "{greyed}");
    assert_eq!(audited(&app.audit_entries().await, "org_disabled"), 1);

    // Its people are no longer offered at sign-in, and told why when they try.
    let visitor = Browser::new(&app);
    let (_, signin) = visitor.get("/signin").await;
    assert!(!signin.contains("@obs-de-linde\""), "no account of a disabled organisation offered");
    let (status, refused) =
        visitor.post("/signin/demo", &[("csrf", &token(&signin)), ("account", "mentor@obs-de-linde")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Uw organisatie is uitgeschakeld in Ketenpoort"), "{refused}");

    // A school's administrator manages no organisations, whatever is posted.
    let school = Browser::new(&app);
    let s = school.sign_in("admin@lyceum-noord").await;
    let (status, refused) =
        school.post("/admin/orgs/disable", &[("csrf", s.as_str()), ("id", "buurtteam-oost"), ("confirm", "yes")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("Alleen de beheerders van de organisatie die de gateway draait"), "{refused}");
    assert!(store.org(&OrgId("buurtteam-oost".into())).await.unwrap().is_some());
}

#[tokio::test]
async fn the_admin_and_sign_in_pages_speak_the_vocabulary_and_refuse_bad_input_in_the_persons_language() {
    let app = demo_app().await;
    let visitor = Browser::new(&app);
    let (_, signin) = visitor.get("/signin").await;
    let lyceum = row(&signin, "<th scope=\"row\">Lyceum Noord</th>");
    assert!(lyceum.contains("aria-label=\"zorgcoördinator — Lyceum Noord\">zorgcoördinator</button>"), "{lyceum}");
    assert!(lyceum.contains("value=\"admin@lyceum-noord\""), "{lyceum}");
    assert!(!signin.contains("care coordinator") && !signin.contains(">care_coordinator<"), "{signin}");
    let (_, english) = visitor.get("/signin?lang=en").await;
    assert!(english.contains("aria-label=\"care coordinator — Lyceum Noord\">care coordinator</button>"), "{english}");

    let admin = Browser::new(&app);
    let csrf = admin.sign_in("admin@lyceum-noord").await;
    let (_, page) = admin.get("/admin").await;
    for heading in
        ["Account", "Rol", "Inloggen via OpenID Connect", "Status"].map(|h| format!("<th scope=\"col\">{h}</th>"))
    {
        assert!(page.contains(&heading), "{heading} in {page}");
    }
    assert!(page.contains("<option value=\"care_coordinator\">zorgcoördinator</option>"), "{page}");
    assert!(page.contains("<td>zorgcoördinator</td>") && !page.contains("<td>care_coordinator</td>"), "{page}");
    assert!(page.contains("Certificaten van de koppelingen van Lyceum Noord"), "{page}");
    let store = app.app.state().gateway.store();
    let registered = store.certificates(&OrgId("lyceum-noord".into())).await.unwrap()[0].added_at;
    assert!(page.contains(&ketenpoort::web::Lang::Nl.when(registered)), "the certificate's time in words");

    // Half an OpenID Connect identity is not silently dropped; errors follow the language.
    let half = [
        ("csrf", csrf.as_str()),
        ("id", "n@lyceum-noord"),
        ("role", "mentor"),
        ("name", "N"),
        ("oidc_issuer", "https://x"),
    ];
    let (_, refused) = admin.post("/admin/accounts", &half).await;
    assert!(refused.contains("zowel de issuer als de subject"), "{refused}");
    assert!(store.account("n@lyceum-noord").await.unwrap().is_none());
    // An OpenID Connect identity another account holds is a conflict, said in words.
    let identity = [("oidc_issuer", "https://login.example"), ("oidc_subject", "s-1")];
    let first =
        [&[("csrf", csrf.as_str()), ("id", "a@lyceum-noord"), ("role", "mentor"), ("name", "A")][..], &identity]
            .concat();
    assert_eq!(admin.post("/admin/accounts", &first).await.0, StatusCode::OK);
    let second =
        [&[("csrf", csrf.as_str()), ("id", "b@lyceum-noord"), ("role", "mentor"), ("name", "B")][..], &identity]
            .concat();
    let (status, taken) = admin.post("/admin/accounts", &second).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        taken.contains("Deze OpenID Connect-identiteit (issuer en subject) hoort al bij een ander account"),
        "{taken}"
    );
    // In English once the person chose it (the choice is remembered for what follows).
    let (_, bad) = admin.post("/admin/certificates?lang=en", &[("csrf", csrf.as_str()), ("fingerprint", "abc")]).await;
    assert!(bad.contains("role=\"alert\"") && bad.contains("64 hexadecimal characters"), "{bad}");
    let (_, gp) = admin
        .post(
            "/admin/accounts?lang=en",
            &[("csrf", csrf.as_str()), ("id", "g@lyceum-noord"), ("role", "gp"), ("name", "G")],
        )
        .await;
    assert!(gp.contains("The role GP does not exist in an organisation of the kind school"), "{gp}");
}

#[tokio::test]
async fn an_administrator_disables_an_account_after_confirming_in_chromium() {
    let (app, _provider, issuer) = app_with_provider().await;
    let store = app.app.state().gateway.store();
    for (id, role, name, subject) in [
        ("admin@lyceum-noord", Role::Admin, "A. de Vries", "admin-school"),
        ("j.jansen@lyceum-noord", Role::Mentor, "J. Jansen", "jjansen"),
    ] {
        let account = Account {
            id: id.into(),
            org: OrgId("lyceum-noord".into()),
            role,
            display_name: name.into(),
            contact: None,
            oidc: Some((issuer.clone(), subject.into())),
            email: None,
        };
        store.upsert_account(&account).await.unwrap();
    }
    // The operator's page and the demo sign-in, on an app as `ketenpoort demo` runs it.
    let demo = demo_app().await;
    let env = [("DEMO_URL", demo.url("").trim_end_matches('/').to_owned())];
    let said = browse(&app, &issuer, "admin.mjs", &env).await;
    assert!(said.contains("admin story complete"), "{said}");

    let entries = app.audit_entries().await;
    let disabled: Vec<_> = entries.iter().filter(|e| e.event.as_str() == "account_disabled").collect();
    assert_eq!(disabled.len(), 1, "cancelled once, confirmed once");
    assert_eq!(disabled[0].subject.as_deref(), Some("j.jansen@lyceum-noord"));
    let refused = entries.iter().find(|e| e.event.as_str() == "access_denied").expect("the refused sign-in audited");
    assert_eq!(refused.subject.as_deref(), Some("account_disabled"));
    assert_eq!(refused.actor.account.as_deref(), Some("j.jansen@lyceum-noord"));
    assert_eq!(audited(&demo.audit_entries().await, "org_disabled"), 1);
}

#[tokio::test]
async fn a_disabled_certificate_is_asked_first_then_refused_by_the_api_and_never_registered_again() {
    let app = demo_app().await;
    let mentor_system = app.mentor();
    assert_eq!(mentor_system.register().await.status, 201, "the school's system works");
    let pem = std::fs::read(certs_dev().join("lyceum-noord.crt")).unwrap();
    let fingerprint = ketenpoort::identity::mtls::fingerprint_of_pem(&pem).unwrap();
    let admin = Browser::new(&app);
    let csrf = admin.sign_in("admin@lyceum-noord").await;
    let (_, page) = admin.get("/admin").await;
    assert!(row(&page, &format!("<td><code>{fingerprint}</code></td>")).contains("Uitschakelen"), "offered");

    let disable = [("csrf", csrf.as_str()), ("id", fingerprint.as_str())];
    let (status, asked) = admin.post("/admin/certificates/disable", &disable).await;
    assert_eq!(status, StatusCode::OK);
    assert!(asked.contains("uitschakelen?</h1>") && asked.contains("nieuwe sleutel"), "{asked}");
    assert_eq!(mentor_system.get("/inbox").await.status, 200, "asking changes nothing");

    let (_, done) = admin.post("/admin/certificates/disable", &[&disable[..], &[("confirm", "yes")]].concat()).await;
    assert!(done.contains(&format!("Certificaat {fingerprint} is uitgeschakeld")), "{done}");
    let greyed = row(&done, &format!("<td><code>{fingerprint}</code></td>"));
    assert!(greyed.contains("class=\"disabled\"") && !greyed.contains("Uitschakelen"), "{greyed}");
    let refused = mentor_system.get("/inbox").await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(refused.body["error"], "unknown_certificate");

    // Once disabled, always: disabling again and registering it anew are refused in words.
    let (status, again) =
        admin.post("/admin/certificates/disable", &[&disable[..], &[("confirm", "yes")]].concat()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(again.contains("al uitgeschakeld"), "{again}");
    let (status, anew) =
        admin.post("/admin/certificates", &[("csrf", csrf.as_str()), ("fingerprint", fingerprint.as_str())]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(anew.contains("maak voor de koppeling een nieuwe sleutel"), "{anew}");
    let entries = app.audit_entries().await;
    assert_eq!(audited(&entries, "certificate_disabled"), 1);
    assert!(app.verify().await.entries > 0);
}
