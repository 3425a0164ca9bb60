//! The audit log at size: appending entries (with the chain and the store's durable commit)
//! and `audit verify`'s rate over a log of a million entries, on SQLite in a temporary file.
//! Prints `FIGURE name value` lines for scripts/bench.

use std::sync::Arc;
use std::time::Instant;

use ketenpoort::audit::{AuditActor, AuditEntry, AuditEvent, AuditLog, CheckpointSigner};
use ketenpoort::framework::vocabulary::{Action, OrgKind, Outcome, Purpose, Role, Signal};
use ketenpoort::store::{Audited, SqlStore, Store};
use time::macros::datetime;

const ENTRIES: u64 = 1_000_000;
const BATCH: usize = 1_000;

fn entry(n: u64) -> AuditEntry {
    let actor = AuditActor {
        account: Some("family_worker@buurtteam-oost".into()),
        org: Some("buurtteam-oost".into()),
        org_kind: Some(OrgKind::NeighbourhoodTeam),
        role: Some(Role::FamilyWorker),
        authenticated_by: "certificate:bench".into(),
    };
    let at = datetime!(2026-01-01 0:00 UTC) + time::Duration::seconds(n as i64);
    let mut entry = AuditEntry::new(AuditEvent::Decision, actor, at, at, format!("bench-{n}"));
    entry.action = Some(Action::Send);
    entry.signal = Some(Signal::HelpStarted);
    entry.purpose = Some(Purpose::CareCoordination);
    entry.recipient_org = Some("lyceum-noord".into());
    entry.decision = Some(if n % 7 == 0 { Outcome::Deny } else { Outcome::Allow });
    entry.matched_rules = vec!["R3".into()];
    entry.policy_version = Some("cf34e52e475ff91d".into());
    entry
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("ketenpoort-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let url = format!("sqlite://{}", dir.join("audit.db").display());
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&url).await.expect("a store"));
    let signer = Arc::new(CheckpointSigner::generate().expect("a key"));
    let log = AuditLog::new(store.clone(), signer.clone(), 10_000);

    // Appends in batches (as a group commit would), each batch one durable transaction.
    let started = Instant::now();
    let mut n = 0;
    while n < ENTRIES {
        let work: Vec<Audited> = (0..BATCH).map(|i| Audited { entry: entry(n + i as u64), effect: None }).collect();
        log.append(work, ketenpoort::clock::now()).await.expect("appended");
        n += BATCH as u64;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("FIGURE audit_append_batched_entries_per_s {:.0}", ENTRIES as f64 / seconds);

    // One entry per transaction: the cost of a commit (fsync) per exchange.
    let single = 300;
    let started = Instant::now();
    for i in 0..single {
        log.append(vec![Audited { entry: entry(ENTRIES + i), effect: None }], ketenpoort::clock::now())
            .await
            .expect("appended");
    }
    println!("FIGURE audit_append_single_entries_per_s {:.0}", single as f64 / started.elapsed().as_secs_f64());

    let verifier = signer.verifier();
    let started = Instant::now();
    let intact = ketenpoort::audit::verify(&*store, &verifier).await.expect("read").expect("intact");
    let seconds = started.elapsed().as_secs_f64();
    println!("FIGURE audit_verify_entries {}", intact.entries);
    println!("FIGURE audit_verify_entries_per_s {:.0}", intact.entries as f64 / seconds);
    std::fs::remove_dir_all(&dir).ok();
}
