//! The mentor's story in a real browser (Chromium via playwright-core) with a real OpenID
//! Connect provider: sign in, find the youth, register, ask for feedback; the family worker
//! is refused for missing consent, records it, answers; the mentor sees the answer.
//! Screenshots of every page go to `target/browser-screenshots/`.

use std::process::Command;

use ketenpoort::framework::{OrgId, Role};
use ketenpoort::store::{Account, SqliteStore, Store};

use crate::helpers::{BIRTH_DATE, BSN};
use crate::oidc::app_with_provider;

#[tokio::test]
async fn the_mentors_story_runs_in_chromium_with_oidc_sign_in() {
    assert!(std::path::Path::new("/usr/bin/chromium").exists(), "Chromium is needed: scripts/test installs it");
    let (app, _provider, issuer) = app_with_provider().await;
    let store = SqliteStore::open(&app.database_url).await.unwrap();
    for (id, org, role, name, subject) in [
        ("mentor@lyceum-noord", "lyceum-noord", Role::Mentor, "M. Mentor", "mentor"),
        ("family_worker@buurtteam-oost", "buurtteam-oost", Role::FamilyWorker, "F. Werker", "family"),
    ] {
        let account = Account {
            id: id.into(),
            org: OrgId(org.into()),
            role,
            display_name: name.into(),
            contact: None,
            oidc: Some((issuer.clone(), subject.into())),
        };
        store.upsert_account(&account).await.unwrap();
    }
    let shots = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let story = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web/story.mjs");
    let base = app.url("");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(story)
            .env("BASE_URL", base.trim_end_matches('/'))
            .env("ISSUER", issuer)
            .env("BSN", BSN)
            .env("BIRTH_DATE", BIRTH_DATE)
            .env("SHOTS", &shots)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{said}");
    assert!(said.contains("story complete"), "{said}");
    assert!(app.verify().await.entries >= 10);
}
