//! The log at the size of a region, as issue 8 measures it, on a database that
//! `ketenpoort dev seed` filled (scripts/bench makes and keeps one): `audit verify`'s rate,
//! the first page of filtered audit searches, and a replay of a million past decisions.
//! Prints `FIGURE name value` lines for scripts/bench.
//!
//! Usage: `region DATABASE_URL KEYS_DIR`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ketenpoort::audit::{self, AuditEvent, AuditFilter, AuditQuery, AuditScope, Order};
use ketenpoort::framework::{OrgId, Outcome, Purpose, Signal};
use ketenpoort::store::{SqlStore, Store};

/// Decisions the replay figure is about.
const REPLAYED: f64 = 1_000_000.0;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(keys)) = (args.next(), args.next()) else {
        eprintln!("usage: region DATABASE_URL KEYS_DIR");
        std::process::exit(2);
    };
    let store: Arc<dyn Store> = Arc::new(SqlStore::open(&url).await.expect("the seeded database"));
    let keys = ketenpoort::keys::load(std::path::Path::new(&keys)).expect("its keys");

    // Twice, the first to bring the file into the system's cache (just seeded, it may not be):
    // the figure is the check's pace, not the disk's.
    audit::verify(&*store, &keys.signer.verifier()).await.expect("read").expect("intact");
    let started = Instant::now();
    let intact = audit::verify(&*store, &keys.signer.verifier()).await.expect("read").expect("intact");
    let seconds = started.elapsed().as_secs_f64();
    println!("FIGURE region_entries {}", intact.entries);
    println!("FIGURE region_verify_entries_per_s {:.0}", intact.entries as f64 / seconds);

    // Filtered searches as an auditor makes them; the first page (50) of each, newest first.
    let newest = first_page(&*store, AuditFilter { event: Some(AuditEvent::Decision), ..Default::default() }).await;
    let last = newest.first().expect("decisions in the log").entry.clone();
    let youth = last.youth.clone().expect("a decision about a youth");
    let a_week_ago = last.at - time::Duration::days(7);
    let searches: Vec<(&str, AuditFilter)> = vec![
        ("one youth", AuditFilter { youth: Some(youth), ..Default::default() }),
        ("one organisation", AuditFilter { org: Some(OrgId("zorg-de-brug".into())), ..Default::default() }),
        (
            "denials of one organisation",
            AuditFilter {
                org: Some(OrgId("buurtteam-oost".into())),
                decision: Some(Outcome::Deny),
                ..Default::default()
            },
        ),
        (
            "one signal and purpose in one week",
            AuditFilter {
                signal: Some(Signal::SchoolAbsence),
                purpose: Some(Purpose::SchoolAttendance),
                from: Some(a_week_ago),
                until: Some(a_week_ago + time::Duration::days(1)),
                ..Default::default()
            },
        ),
        ("consents recorded", AuditFilter { event: Some(AuditEvent::ConsentRecorded), ..Default::default() }),
    ];
    let mut slowest = (Duration::ZERO, "");
    for (name, filter) in &searches {
        let mut times: Vec<Duration> = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let page = first_page(&*store, filter.clone()).await;
            times.push(started.elapsed());
            assert!(!page.is_empty(), "the search `{name}` finds entries");
        }
        times.sort();
        let median = times[times.len() / 2];
        println!("search `{name}`: {:.2} ms", median.as_secs_f64() * 1000.0);
        if median > slowest.0 {
            slowest = (median, name);
        }
    }
    println!("FIGURE region_search_slowest_ms {:.2}", slowest.0.as_secs_f64() * 1000.0);
    println!("FIGURE region_search_slowest_name {}", slowest.1.replace(' ', "_"));

    // A replay of the active version since the day that leaves about a million decisions.
    let oldest =
        search(&*store, AuditFilter { event: Some(AuditEvent::Decision), ..Default::default() }, Order::OldestFirst)
            .await;
    let first_at = oldest.first().expect("decisions").entry.at;
    let decisions = decisions_in(&*store).await;
    let share = (REPLAYED * 1.02 / decisions as f64).min(1.0);
    let since = last.at - (last.at - first_at) * share;
    let gateway = ketenpoort::app::gateway(store.clone(), &keys, 1_000).await.expect("a gateway");
    let policy = gateway.policy();
    let started = Instant::now();
    let report = gateway.replay(&*policy, since).await.expect("replayed");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "replayed {} decisions in {seconds:.1} s: {} allow → deny, {} deny → allow, {} not replayable",
        report.replayed, report.allow_to_deny, report.deny_to_allow, report.not_replayable
    );
    println!("FIGURE region_replay_decisions {}", report.replayed);
    println!("FIGURE region_replay_seconds {seconds:.1}");
    println!("FIGURE region_replay_changes {}", report.allow_to_deny + report.deny_to_allow);
}

async fn first_page(store: &dyn Store, filter: AuditFilter) -> Vec<ketenpoort::store::StoredEntry> {
    search(store, filter, Order::NewestFirst).await
}

async fn search(store: &dyn Store, filter: AuditFilter, order: Order) -> Vec<ketenpoort::store::StoredEntry> {
    let query = AuditQuery { scope: AuditScope::All, filter, order, after: None, limit: audit::DEFAULT_PAGE };
    store.search_audit(&query).await.expect("searched")
}

/// The decisions in the log, counted from the entries' own sequence: the seeded region is
/// facts first, then exchanges only.
async fn decisions_in(store: &dyn Store) -> u64 {
    let first =
        search(store, AuditFilter { event: Some(AuditEvent::Decision), ..Default::default() }, Order::OldestFirst)
            .await;
    let last = first_page(store, AuditFilter { event: Some(AuditEvent::Decision), ..Default::default() }).await;
    match (first.first(), last.first()) {
        (Some(first), Some(last)) => last.entry.seq - first.entry.seq + 1,
        _ => 0,
    }
}
