//! Signing in to the pages with a real OpenID Connect provider (panva's oidc-provider on
//! loopback, from tests/web): the code flow with PKCE, state and nonce, an unknown person
//! refused and audited, a replayed callback refused.

use ketenpoort::config::OidcProviderConfig;
use ketenpoort::framework::{OrgId, Role};
use ketenpoort::store::{Account, SqlStore, Store};
use reqwest::StatusCode;

use crate::helpers::{ChildGuard, TestApp, certs_dev, node_peer, spawn_app_with};

/// The provider, listening; its issuer URL.
fn start_provider(redirect: &str) -> (ChildGuard, String) {
    let (child, line) = node_peer("oidc-provider.mjs", "oidc-provider", |node| node.env("REDIRECT_URI", redirect));
    let issuer = line.strip_prefix("issuer ").unwrap_or_else(|| panic!("the provider said: {line}")).to_owned();
    (child, issuer)
}

/// An app with one provider; the app's port is chosen first so the provider knows the callback.
pub async fn app_with_provider() -> (TestApp, ChildGuard, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect = format!("https://127.0.0.1:{port}/signin/oidc/callback");
    let (provider, issuer) = start_provider(&redirect);
    let oidc = OidcProviderConfig {
        name: "Test IdP".into(),
        issuer: issuer.clone(),
        client_id: "ketenpoort".into(),
        client_secret: "test-secret-not-for-production".into(),
        redirect_url: redirect,
    };
    let app = spawn_app_with(|config| ketenpoort::config::Config {
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
        oidc: vec![oidc],
        ..config
    })
    .await;
    (app, provider, issuer)
}

fn browser() -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(&std::fs::read(certs_dev().join("ca.crt")).unwrap()).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(ca)
        .cookie_store(true)
        // Node closes kept-alive connections on its own schedule; a fresh one per request
        // keeps the test about sign-in, not about connection reuse.
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// The value of a form's `action` in an HTML page, as a path on the provider.
fn form_action(page: &str) -> String {
    let start = page.find("action=\"").unwrap_or_else(|| panic!("a form in {page}")) + 8;
    let action = page[start..].split('"').next().unwrap().replace("&amp;", "&");
    match action.find("/interaction") {
        Some(path) => action[path..].to_owned(),
        None => action,
    }
}

/// Signs in at the provider's development login as `subject`; returns the final response.
async fn sign_in(browser: &reqwest::Client, app: &TestApp, issuer: &str, subject: &str) -> reqwest::Response {
    let login_page = browser.get(app.url("/signin/oidc/0")).send().await.unwrap();
    assert!(login_page.url().as_str().starts_with(issuer), "at the provider: {}", login_page.url());
    let html = login_page.text().await.unwrap();
    let action = form_action(&html);
    let consent = browser
        .post(format!("{issuer}{action}"))
        .form(&[("prompt", "login"), ("login", subject), ("password", "any")])
        .send()
        .await
        .unwrap();
    if consent.url().as_str().starts_with(issuer) {
        let html = consent.text().await.unwrap();
        let action = form_action(&html);
        browser.post(format!("{issuer}{action}")).form(&[("prompt", "consent")]).send().await.unwrap()
    } else {
        consent
    }
}

#[tokio::test]
async fn a_registered_person_signs_in_with_the_provider_and_an_unknown_one_is_refused() {
    let (app, _provider, issuer) = app_with_provider().await;
    let browser = browser();

    // Not registered: refused with a clear page, and audited.
    let refused = sign_in(&browser, &app, &issuer, "stranger").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = refused.text().await.unwrap();
    assert!(page.contains("niet geregistreerd"), "{page}");
    let denied = app.audit_entries().await.pop().unwrap();
    assert_eq!(denied.event.as_str(), "access_denied");
    assert_eq!(denied.actor.authenticated_by, format!("oidc:{issuer}"));

    // Registered with (issuer, subject): signed in as the mentor of Lyceum Noord.
    let store = SqlStore::open(&app.database_url).await.unwrap();
    store
        .upsert_account(&Account {
            id: "j.jansen@lyceum-noord".into(),
            org: OrgId("lyceum-noord".into()),
            role: Role::Mentor,
            display_name: "J. Jansen".into(),
            contact: None,
            oidc: Some((issuer.clone(), "jjansen".into())),
            email: None,
        })
        .await
        .unwrap();
    // A fresh browser: the provider remembers who signed in before.
    let signed_in = sign_in(&self::browser(), &app, &issuer, "jjansen").await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(signed_in.url().path(), "/app");
    let page = signed_in.text().await.unwrap();
    assert!(page.contains("J. Jansen") && page.contains("Lyceum Noord"), "{page}");
}

#[tokio::test]
async fn a_forged_or_used_callback_is_refused() {
    let (app, _provider, issuer) = app_with_provider().await;
    let store = SqlStore::open(&app.database_url).await.unwrap();
    store
        .upsert_account(&Account {
            id: "mentor2@lyceum-noord".into(),
            org: OrgId("lyceum-noord".into()),
            role: Role::Mentor,
            display_name: "M. Twee".into(),
            contact: None,
            oidc: Some((issuer.clone(), "mentor2".into())),
            email: None,
        })
        .await
        .unwrap();
    // Capture the callback instead of following it.
    let browser = browser();
    let login = browser.get(app.url("/signin/oidc/0")).send().await.unwrap();
    let html = login.text().await.unwrap();
    let no_redirects = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(certs_dev().join("ca.crt")).unwrap()).unwrap(),
        )
        .redirect(reqwest::redirect::Policy::limited(10))
        .cookie_store(true)
        .build()
        .unwrap();
    let _ = no_redirects;
    let done = browser
        .post(format!("{issuer}{}", form_action(&html)))
        .form(&[("prompt", "login"), ("login", "mentor2"), ("password", "any")])
        .send()
        .await
        .unwrap();
    let done = if done.url().as_str().starts_with(&issuer) {
        let html = done.text().await.unwrap();
        browser.post(format!("{issuer}{}", form_action(&html))).form(&[("prompt", "consent")]).send().await.unwrap()
    } else {
        done
    };
    assert_eq!(done.url().path(), "/app", "signed in once");
    // A callback whose state was never issued (or was used already) finds nothing.
    let forged = browser.get(app.url("/signin/oidc/callback?code=forged&state=forged")).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.text().await.unwrap().contains("verlopen of al gebruikt"));
    let denied = browser.get(app.url("/signin/oidc/callback?error=access_denied")).send().await.unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn id_tokens_with_a_wrong_signature_issuer_audience_expiry_or_nonce_are_refused() {
    let (app, _provider, issuer) = app_with_provider().await;
    let store = SqlStore::open(&app.database_url).await.unwrap();
    store
        .upsert_account(&Account {
            id: "mentor3@lyceum-noord".into(),
            org: OrgId("lyceum-noord".into()),
            role: Role::Mentor,
            display_name: "M. Drie".into(),
            contact: None,
            oidc: Some((issuer.clone(), "mentor3".into())),
            email: None,
        })
        .await
        .unwrap();
    let control = reqwest::Client::new();
    for mode in ["signature", "issuer", "audience", "expired", "nonce"] {
        let set = control.get(format!("{issuer}/test/tamper?mode={mode}")).send().await.unwrap().text().await.unwrap();
        assert_eq!(set, format!("mode {mode}"));
        let browser = browser();
        let refused = sign_in(&browser, &app, &issuer, "mentor3").await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{mode}");
        assert!(refused.text().await.unwrap().contains("Inloggen is niet gelukt"), "{mode}");
        let after = browser.get(app.url("/app")).send().await.unwrap();
        assert_eq!(after.url().path(), "/signin", "{mode}: no session");
    }
    // The same provider, behaving again: signed in.
    control.get(format!("{issuer}/test/tamper?mode=none")).send().await.unwrap();
    let signed_in = sign_in(&browser(), &app, &issuer, "mentor3").await;
    assert_eq!(signed_in.url().path(), "/app");
}
