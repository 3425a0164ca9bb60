//! The audit log through the library: log before disclose, checkpoints every N entries.

use std::sync::Arc;

use ketenpoort::audit::{self, AuditActor, AuditEntry, AuditEvent, AuditLog, CheckpointSigner};
use ketenpoort::framework::{OrgId, OrgKind, Purpose, Signal};
use ketenpoort::store::{Audited, DeliveredSignal, Effect, Organisation, SqlStore, Store, StoreError, YouthId};
use time::macros::datetime;

const T: time::OffsetDateTime = datetime!(2026-03-02 9:00 UTC);

async fn store() -> Arc<dyn Store> {
    let store: Arc<dyn Store> = Arc::new(SqlStore::open("sqlite::memory:").await.unwrap());
    for (id, kind) in [("lyceum-noord", OrgKind::School), ("buurtteam-oost", OrgKind::NeighbourhoodTeam)] {
        let org = Organisation { id: OrgId(id.into()), kind, name: id.into(), contact: None };
        store.upsert_org(&org).await.unwrap();
    }
    store
}

fn entry() -> AuditEntry {
    let actor = AuditActor {
        account: None,
        org: Some("lyceum-noord".into()),
        org_kind: Some(OrgKind::School),
        role: None,
        authenticated_by: "cli".into(),
    };
    AuditEntry::new(AuditEvent::Decision, actor, T, T, "req".into())
}

#[tokio::test]
async fn a_checkpoint_is_signed_every_n_entries() {
    let store = store().await;
    let signer = Arc::new(CheckpointSigner::generate().unwrap());
    let log = AuditLog::new(store.clone(), signer.clone(), 3);
    for _ in 0..7 {
        log.append(vec![Audited { entry: entry(), effect: None }], T).await.unwrap();
    }
    let seqs: Vec<u64> = store.checkpoints().await.unwrap().iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [3, 6]);
    log.checkpoint(T).await.unwrap();
    assert!(log.checkpoint(T).await.unwrap().is_none(), "no second checkpoint at the same head");
    let intact = audit::verify(&*store, &signer.verifier()).await.unwrap().unwrap();
    assert_eq!((intact.entries, intact.checkpoints), (7, 3));
}

#[tokio::test]
async fn an_effect_that_fails_takes_its_audit_entry_with_it() {
    let store = store().await;
    let log = AuditLog::new(store.clone(), Arc::new(CheckpointSigner::generate().unwrap()), 1_000);
    let revoke_nothing =
        Effect::RevokeConsent { id: "no-such-consent".into(), holder: OrgId("lyceum-noord".into()), at: T };
    let result = log.append(vec![Audited { entry: entry(), effect: Some(revoke_nothing) }], T).await;
    assert!(matches!(result, Err(StoreError::NotFound(_))), "{result:?}");
    assert_eq!(store.chain_head().await.unwrap().0, 0, "no entry without its effect");
}

#[tokio::test]
async fn a_delivered_signal_commits_with_the_entry_that_allowed_it() {
    let store = store().await;
    let log = AuditLog::new(store.clone(), Arc::new(CheckpointSigner::generate().unwrap()), 1_000);
    let pseudonym = ketenpoort::youth::Pseudonymiser::from_secret([1; 32]).pseudonymise(&"628194821".parse().unwrap());
    let (youth, reference) = store.enrol_youth(&pseudonym, "2011-10-01".parse().unwrap(), T).await.unwrap();
    assert!(reference.is_reference(), "a new youth is named in the log by a random reference");
    assert_ne!(reference.value, pseudonym.value);
    let signal = |to: &str| {
        Effect::Deliver(DeliveredSignal {
            id: uuid::Uuid::new_v4().to_string(),
            youth,
            from_org: OrgId("lyceum-noord".into()),
            from_account: None,
            to_org: OrgId(to.into()),
            signal: Signal::FeedbackRequest,
            purpose: Purpose::CareCoordination,
            in_reply_to: None,
            delivered_at: T,
        })
    };
    let seqs = log.append(vec![Audited { entry: entry(), effect: Some(signal("buurtteam-oost")) }], T).await.unwrap();
    assert_eq!(seqs, [1]);
    // A signal to an unknown organisation fails, and so does its entry.
    let failed = log.append(vec![Audited { entry: entry(), effect: Some(signal("nobody")) }], T).await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    assert_eq!(store.chain_head().await.unwrap().0, 1);
    // The same youth with another birth date is a conflict, not a second youth.
    let other = store.enrol_youth(&pseudonym, "2011-10-02".parse().unwrap(), T).await;
    assert!(matches!(other, Err(StoreError::BirthDateMismatch)));
    assert_eq!(store.enrol_youth(&pseudonym, "2011-10-01".parse().unwrap(), T).await.unwrap(), (youth, reference));
    let _ = YouthId(0);
}

#[tokio::test]
async fn an_export_reads_back_entry_for_entry_and_its_chain_verifies_on_its_own() {
    let db = crate::helpers::AuditedDatabase::new();
    let stored = SqlStore::open(&db.url).await.unwrap().audit_page(0, 10_000).await.unwrap();
    for format in ["jsonl", "csv"] {
        let run = crate::helpers::ketenpoort(&["--database", &db.url, "audit", "export", "--format", format]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let exported: Vec<audit::ExportedEntry> = if format == "jsonl" {
            run.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
        } else {
            csv::Reader::from_reader(run.stdout.as_bytes())
                .deserialize::<audit::CsvEntry>()
                .map(|row| audit::ExportedEntry::try_from(&row.unwrap()).unwrap())
                .collect()
        };
        // The export was audited before it was written: it holds every entry before its own.
        assert!(exported.len() > stored.len(), "{format}");
        let mut previous = audit::GENESIS;
        for (index, line) in exported.iter().enumerate() {
            let read_back = ketenpoort::store::StoredEntry::try_from(line).unwrap();
            if let Some(original) = stored.get(index) {
                assert_eq!(read_back.entry, original.entry, "{format}: entry {}", line.seq);
                assert_eq!(read_back.hash, original.hash);
            }
            let hash = audit::link(&previous, &read_back.entry);
            assert_eq!(hex::encode(hash), line.hash, "{format}: the file's own chain at {}", line.seq);
            previous = hash;
        }
        assert!(exported.iter().any(|e| e.event == "audit_exported"));
    }
    let decisions = crate::helpers::ketenpoort(&[
        "--database",
        &db.url,
        "audit",
        "export",
        "--event",
        "dry_run",
        "--signal",
        "help_started",
    ]);
    let lines: Vec<audit::ExportedEntry> = decisions.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|e| e.event == "dry_run" && e.signal.as_deref() == Some("help_started"))
    );
    let refused = crate::helpers::ketenpoort(&["--database", &db.url, "audit", "export", "--signal", "gossip"]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("gossip"), "{}", refused.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_share_commits_and_a_failing_one_leaves_no_gap_and_takes_no_other_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::database::fresh_url(dir.path(), "group.db");
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&url).await.unwrap());
    let signer = Arc::new(CheckpointSigner::generate().unwrap());
    let log = AuditLog::new(store.clone(), signer.clone(), 1_000);
    let mut tasks = Vec::new();
    for n in 0..200usize {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            // Every seventh unit's effect fails: revoking a consent that does not exist.
            let effect = (n % 7 == 3).then(|| Effect::RevokeConsent {
                id: format!("no-such-consent-{n}"),
                holder: OrgId("lyceum-noord".into()),
                at: T,
            });
            let work = vec![Audited { entry: entry(), effect }, Audited { entry: entry(), effect: None }];
            (n, log.append(work, T).await)
        }));
    }
    let (mut succeeded, mut refused) = (Vec::new(), 0);
    for task in tasks {
        let (n, result) = task.await.unwrap();
        match result {
            Ok(seqs) => {
                assert_eq!(seqs.len(), 2);
                assert_eq!(seqs[1], seqs[0] + 1, "a unit's entries stay together");
                succeeded.extend(seqs);
            }
            Err(StoreError::NotFound(_)) => {
                assert_eq!(n % 7, 3);
                refused += 1;
            }
            Err(other) => panic!("unit {n}: {other}"),
        }
    }
    assert_eq!(refused, (0..200).filter(|n| n % 7 == 3).count());
    succeeded.sort_unstable();
    let expected: Vec<u64> = (1..=succeeded.len() as u64).collect();
    assert_eq!(succeeded, expected, "every acknowledged entry, no gap");
    let intact = audit::verify(&*store, &signer.verifier()).await.unwrap().unwrap();
    assert_eq!(intact.entries, succeeded.len() as u64);
}

/// `audit verify` reads a SQLite file straight from the file; what it reads must be, byte for
/// byte, what the generic reader makes of the same entries (every field set, lists with
/// escapes, absent and empty texts).
#[tokio::test]
async fn the_fast_chain_reader_reads_what_the_generic_one_reads() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("chain.db").display());
    let store = SqlStore::open(&url).await.unwrap();
    let log = AuditLog::new(
        Arc::new(SqlStore::open(&url).await.unwrap()),
        Arc::new(CheckpointSigner::generate().unwrap()),
        1_000,
    );
    let mut full = entry();
    full.actor.account = Some("mentor@lyceum-noord".into());
    full.action = Some(ketenpoort::framework::Action::Send);
    full.signal = Some(Signal::HelpStarted);
    full.purpose = Some(Purpose::CareCoordination);
    full.youth = Some(ketenpoort::youth::Pseudonym { key_id: "k1".into(), value: "ab".repeat(32) });
    full.recipient_org = Some("buurtteam-oost".into());
    full.matched_rules = vec!["R3".into(), "quote \" and \\ back".into(), "ü".into()];
    full.obligations = vec![ketenpoort::framework::Obligation::PrivacyReview];
    full.justification = Some(String::new());
    full.consents = vec!["c-1".into()];
    full.subject = Some("s-1".into());
    for _ in 0..5 {
        log.append(vec![Audited { entry: entry(), effect: None }, Audited { entry: full.clone(), effect: None }], T)
            .await
            .unwrap();
    }
    let read = |fast: bool| {
        let store = &store;
        async move {
            let (batches, mut received) = tokio::sync::mpsc::channel(4);
            let reading = async {
                if fast {
                    store.read_chain(batches).await
                } else {
                    ketenpoort::store::read_chain_in_pages(store, batches).await
                }
            };
            let collecting = async {
                let mut all = Vec::new();
                while let Some(batch) = received.recv().await {
                    for i in 0..batch.len() {
                        let (seq, prev, hash, bytes) = batch.entry(i);
                        all.push((seq, prev.copied(), hash.copied(), bytes.to_vec()));
                    }
                }
                all
            };
            let (read, all) = tokio::join!(reading, collecting);
            read.unwrap();
            all
        }
    };
    let (fast, generic) = (read(true).await, read(false).await);
    assert_eq!(fast.len(), 10);
    assert!(fast.iter().all(|(_, prev, hash, _)| prev.is_some() && hash.is_some()));
    assert_eq!(fast, generic);
}
