//! `ketenpoort audit verify` finds every kind of tampering, each made with plain SQL on the file.

use ketenpoort::audit::link;
use ketenpoort::store::{SqlStore, Store};

use crate::helpers::AuditedDatabase;

/// What a forger who knows the algorithm does after a change: recompute every hash from the
/// first entry on. Returns the last entry and its new hash.
async fn recompute_every_hash(db: &AuditedDatabase) -> (u64, ketenpoort::audit::ChainHash) {
    let store = SqlStore::open(&db.url).await.unwrap();
    let entries = store.audit_page(0, 1_000).await.unwrap();
    let mut previous = ketenpoort::audit::GENESIS;
    let mut statements = String::new();
    for stored in &entries {
        let hash = link(&previous, &stored.entry);
        let (prev, new) = (
            crate::helpers::database::bytes_literal(&db.url, &previous),
            crate::helpers::database::bytes_literal(&db.url, &hash),
        );
        statements.push_str(&format!(
            "UPDATE audit_entries SET prev_hash = {prev}, hash = {new} WHERE seq = {};\n",
            stored.entry.seq
        ));
        previous = hash;
    }
    db.sql_unguarded(&statements).await;
    (entries.last().unwrap().entry.seq, previous)
}

fn assert_broken_at(db: &AuditedDatabase, seq: u64) -> String {
    let run = db.verify();
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with(&format!("audit log broken at entry {seq}:")), "{}", run.stdout);
    run.stdout
}

#[test]
fn an_untouched_log_is_intact() {
    let db = AuditedDatabase::new();
    let run = db.verify();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "audit log intact: 97 entries, 1 checkpoints\n");
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes_from_sql() {
    let db = AuditedDatabase::new();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let update = sqlx::raw_sql("UPDATE audit_entries SET decision = 'allow' WHERE seq = 3").execute(&pool).await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::raw_sql("DELETE FROM audit_entries WHERE seq = 3").execute(&pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[tokio::test]
async fn an_altered_field_is_found() {
    let db = AuditedDatabase::new();
    db.sql_unguarded("UPDATE audit_entries SET decision = 'allow', reason = NULL WHERE seq = 10").await;
    let message = assert_broken_at(&db, 10);
    assert!(message.contains("altered"), "{message}");
}

#[tokio::test]
async fn a_deleted_entry_is_found() {
    let db = AuditedDatabase::new();
    db.sql_unguarded("DELETE FROM audit_entries WHERE seq = 20").await;
    let message = assert_broken_at(&db, 20);
    assert!(message.contains("missing"), "{message}");
}

#[tokio::test]
async fn an_inserted_entry_is_found() {
    let db = AuditedDatabase::new();
    // Make room at 30 and put in a copy of entry 5 there, as a forger would.
    db.sql_unguarded(
        "
         UPDATE audit_entries SET seq = seq + 1000000 WHERE seq >= 30;
         UPDATE audit_entries SET seq = seq - 999999 WHERE seq >= 1000000;
         CREATE TEMP TABLE forged AS SELECT * FROM audit_entries WHERE seq = 5;
         UPDATE forged SET seq = 30;
         INSERT INTO audit_entries SELECT * FROM forged;",
    )
    .await;
    assert_broken_at(&db, 30);
}

#[tokio::test]
async fn two_swapped_entries_are_found() {
    let db = AuditedDatabase::new();
    db.sql_unguarded(
        "
         UPDATE audit_entries SET seq = -1 WHERE seq = 40;
         UPDATE audit_entries SET seq = 40 WHERE seq = 41;
         UPDATE audit_entries SET seq = 41 WHERE seq = -1;",
    )
    .await;
    assert_broken_at(&db, 40);
}

#[tokio::test]
async fn swapped_contents_under_the_original_hashes_are_found() {
    let db = AuditedDatabase::new();
    // Swap what two entries say but leave the hash columns in place.
    db.sql_unguarded(
        "
         CREATE TEMP TABLE a AS SELECT * FROM audit_entries WHERE seq = 50;
         CREATE TEMP TABLE b AS SELECT * FROM audit_entries WHERE seq = 51;
         UPDATE audit_entries SET event = (SELECT event FROM b), decision = (SELECT decision FROM b),
             reason = (SELECT reason FROM b), basis = (SELECT basis FROM b), subject = (SELECT subject FROM b)
             WHERE seq = 50;
         UPDATE audit_entries SET event = (SELECT event FROM a), decision = (SELECT decision FROM a),
             reason = (SELECT reason FROM a), basis = (SELECT basis FROM a), subject = (SELECT subject FROM a)
             WHERE seq = 51;",
    )
    .await;
    assert_broken_at(&db, 50);
}

#[tokio::test]
async fn a_removed_tail_is_found_by_the_checkpoint_at_its_end() {
    let db = AuditedDatabase::new();
    db.sql_unguarded("DELETE FROM audit_entries WHERE seq > 90").await;
    let message = assert_broken_at(&db, 97);
    assert!(message.contains("tail was removed"), "{message}");
}

#[tokio::test]
async fn a_chain_rewritten_with_every_hash_recomputed_is_found_by_the_signed_checkpoint() {
    let db = AuditedDatabase::new();
    db.sql_unguarded("UPDATE audit_entries SET decision = 'allow', reason = NULL WHERE seq = 12").await;
    // The forger knows the algorithm: recompute every hash after the change.
    recompute_every_hash(&db).await;
    let message = assert_broken_at(&db, 97);
    assert!(message.contains("rewritten"), "{message}");
}

#[tokio::test]
async fn a_checkpoint_signed_with_another_key_is_found() {
    let db = AuditedDatabase::new();
    let zeros = crate::helpers::database::zero_bytes_64(&db.url);
    db.sql(&format!("UPDATE audit_checkpoints SET key_id = 'cforged', signature = {zeros}")).await;
    let message = assert_broken_at(&db, 97);
    assert!(message.contains("not signed by the checkpoint key"), "{message}");
}

/// The checkpoints exported before the tampering, as a third party keeps them.
fn anchors(db: &AuditedDatabase) -> std::path::PathBuf {
    let run = crate::helpers::ketenpoort(&["--database", &db.url, "audit", "checkpoints"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.lines().count() >= 1 && run.stdout.contains("\"signature\""), "{}", run.stdout);
    let file = db.dir.path().join("anchors.jsonl");
    std::fs::write(&file, &run.stdout).unwrap();
    file
}

fn verify_with_anchors(db: &AuditedDatabase, anchors: &std::path::Path) -> crate::helpers::Run {
    crate::helpers::ketenpoort(&["--database", &db.url, "audit", "verify", "--anchors", anchors.to_str().unwrap()])
}

#[tokio::test]
async fn a_tail_removed_with_its_checkpoints_passes_alone_but_not_against_the_anchors() {
    let db = AuditedDatabase::new();
    let anchors = anchors(&db);
    assert!(verify_with_anchors(&db, &anchors).stdout.contains("1 anchors"));
    db.sql_unguarded("DELETE FROM audit_entries WHERE seq > 90; DELETE FROM audit_checkpoints;").await;
    assert_eq!(db.verify().code, 0, "without anchors a clean cut cannot be seen");
    let run = verify_with_anchors(&db, &anchors);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.starts_with("audit log broken at entry 97:"), "{}", run.stdout);
    assert!(run.stdout.contains("tail was removed"), "{}", run.stdout);
}

#[tokio::test]
async fn a_log_rewritten_and_re_signed_under_a_new_key_is_found_by_the_anchors() {
    let db = AuditedDatabase::new();
    let anchors = anchors(&db);
    db.sql_unguarded("UPDATE audit_entries SET decision = 'allow', reason = NULL WHERE seq = 12").await;
    let (last, head) = recompute_every_hash(&db).await;
    // A new key, and a checkpoint signed with it over the forged chain.
    db.sql("DELETE FROM audit_checkpoints").await;
    let keys = db.keys();
    std::fs::remove_dir_all(&keys).unwrap();
    let signer = ketenpoort::keys::generate(&keys, false).unwrap().signer;
    let store = SqlStore::open(&db.url).await.unwrap();
    store.add_checkpoint(&signer.sign(last, head, ketenpoort::clock::now())).await.unwrap();

    assert_eq!(db.verify().code, 0, "the forged log verifies under the forger's key");
    let run = verify_with_anchors(&db, &anchors);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("the log was rewritten"), "{}", run.stdout);
}

/// The last entry moved a trillion numbers on: verification names the gap at once instead of
/// reading every empty stretch up to it.
#[tokio::test]
async fn an_entry_moved_far_beyond_the_end_is_a_gap_found_at_once() {
    let db = AuditedDatabase::new();
    let far = 1_000_000_000_000u64;
    db.sql_unguarded(&format!("UPDATE audit_entries SET seq = {far} WHERE seq = 97")).await;
    let stdout = assert_broken_at(&db, 97);
    assert!(stdout.contains(&format!("the next one stored is {far}")), "{stdout}");
}
