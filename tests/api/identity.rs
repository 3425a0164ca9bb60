//! Who is calling: the client certificate names the organisation, the actor header an account
//! of that organisation. Refusals are audited.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, Client, http_client, spawn_app};

fn body() -> serde_json::Value {
    json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "purpose": "care_coordination" })
}

#[tokio::test]
async fn without_a_client_certificate_the_api_answers_401_and_audits_it() {
    let app = spawn_app().await;
    let anonymous = Client { base: app.url("/api/v1"), http: http_client(None, Some("mentor@lyceum-noord")) };
    let reply = anonymous.post("/involvements", body()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error(), "certificate_required");
    let entry = app.audit_entries().await.pop().unwrap();
    assert_eq!(entry.event.as_str(), "access_denied");
    assert_eq!(entry.subject.as_deref(), Some("certificate_required"));
    assert_eq!(entry.actor.org, None);
    // Health needs no certificate.
    let health = anonymous.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_unregistered_certificate_is_403_and_audited_with_its_fingerprint() {
    let app = spawn_app().await;
    app.sql("DELETE FROM organisation_certificates WHERE org_id = 'obs-de-linde'").await;
    let reply = app.client("obs-de-linde", "mentor@obs-de-linde").post("/involvements", body()).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error(), "unknown_certificate");
    let entry = app.audit_entries().await.pop().unwrap();
    assert!(entry.actor.authenticated_by.starts_with("certificate:"), "{}", entry.actor.authenticated_by);
}

#[tokio::test]
async fn an_account_of_another_organisation_is_403_and_a_missing_actor_401() {
    let app = spawn_app().await;
    let borrowed = app.client("lyceum-noord", "family_worker@buurtteam-oost").post("/involvements", body()).await;
    assert_eq!(borrowed.status, StatusCode::FORBIDDEN);
    assert_eq!(borrowed.error(), "unknown_actor");
    let unknown = app.client("lyceum-noord", "nobody@lyceum-noord").post("/involvements", body()).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    let nameless = Client { base: app.url("/api/v1"), http: http_client(Some("lyceum-noord"), None) };
    let reply = nameless.post("/involvements", body()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error(), "actor_required");
    let denied: Vec<String> = app
        .audit_entries()
        .await
        .iter()
        .filter(|e| e.event.as_str() == "access_denied")
        .map(|e| e.subject.clone().unwrap())
        .collect();
    assert_eq!(denied, ["unknown_actor", "unknown_actor", "actor_required"]);
}

#[tokio::test]
async fn the_role_comes_from_the_account_not_from_the_caller() {
    let app = spawn_app().await;
    // The school's care coordinator may report absence; a forged role header changes nothing.
    let client = app.client("lyceum-noord", "care_coordinator@lyceum-noord");
    let reply = client
        .http
        .post(format!("{}/signals", client.base))
        .header("ketenpoort-role", "youth_protector")
        .json(&json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "signal": "school_absence", "to": "leerplicht", "purpose": "school_attendance" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), StatusCode::CREATED);
    let entry = app.audit_entries().await.pop().unwrap();
    assert_eq!(entry.actor.role.map(|r| r.as_str()), Some("care_coordinator"));
    assert_eq!(entry.actor.account.as_deref(), Some("care_coordinator@lyceum-noord"));
}

#[tokio::test]
async fn a_certificate_from_another_ca_fails_the_tls_handshake() {
    let app = spawn_app().await;
    // A stranger's own CA and client certificate, made here and now.
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap().signed_by(&key, &issuer).unwrap();
    let identity = reqwest::Identity::from_pem(format!("{}{}", key.serialize_pem(), cert.pem()).as_bytes()).unwrap();
    let ca_pem = std::fs::read(crate::helpers::certs_dev().join("ca.crt")).unwrap();
    let client = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&ca_pem).unwrap())
        .identity(identity)
        .build()
        .unwrap();
    let result = client.get(app.url("/api/v1/inbox")).header("ketenpoort-actor", "mentor@lyceum-noord").send().await;
    assert!(result.is_err(), "the handshake must fail: {result:?}");
}

#[tokio::test]
async fn a_certificate_registered_for_one_organisation_is_never_moved_to_another() {
    let app = spawn_app().await;
    let pem = std::fs::read(crate::helpers::certs_dev().join("lyceum-noord.crt")).unwrap();
    let fingerprint = ketenpoort::identity::mtls::fingerprint_of_pem(&pem).unwrap();
    let store = app.app.state().gateway.store();
    let now = ketenpoort::clock::now();
    let moved = store.add_certificate(&fingerprint, &ketenpoort::framework::OrgId("buurtteam-oost".into()), now).await;
    assert!(matches!(moved, Err(ketenpoort::store::StoreError::Conflict(_))), "{moved:?}");
    // Registering it again for its own organisation is harmless, and it still speaks for it.
    store.add_certificate(&fingerprint, &ketenpoort::framework::OrgId("lyceum-noord".into()), now).await.unwrap();
    assert_eq!(app.mentor().get("/inbox").await.status, reqwest::StatusCode::OK);
}
