//! No clear BSN in the database, and no BSN, birth date or consent content in the logs.

use crate::helpers::{AuditedDatabase, contains, ketenpoort_with, scenario_file};

/// Every BSN and birth date the scenario files use.
const BSNS: &[&str] = &["628194821", "079244026", "123456789"];
const BIRTH_DATES: &[&str] =
    &["2011-10-01", "2008-06-15", "2015-05-05", "2009-12-24", "2010-03-02", "2008-01-01", "2014-03-02", "2012-02-29"];

#[test]
fn the_database_never_holds_a_clear_bsn() {
    let db = AuditedDatabase::new();
    let bytes = db.bytes();
    assert!(bytes.len() > 10_000, "the database was written");
    for bsn in BSNS {
        assert!(!contains(&bytes, bsn), "BSN {bsn} found in the database files");
    }
    // Birth dates are stored, by design, in the youths table: the one place they belong.
    assert!(contains(&bytes, "2011-10-01"));
}

#[test]
fn the_most_verbose_logs_hold_no_bsn_birth_date_or_consent_content() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::database::fresh_url(dir.path(), "logged.db");
    let public = scenario_file("public.yaml");
    let edges = scenario_file("edge-cases.yaml");
    let run = ketenpoort_with(
        &["--database", &url, "scenarios", "run", public.to_str().unwrap(), edges.to_str().unwrap()],
        &[("KETENPOORT_LOG", "trace")],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stderr.contains("decided"), "decisions are logged at all");
    for value in BSNS.iter().chain(BIRTH_DATES) {
        assert!(!run.stderr.contains(value), "{value} found in the logs");
    }
    // A justification is consent-like free text: stored in the audit entry, never logged.
    assert!(!run.stderr.contains("Bruises"), "a justification found in the logs");
}

/// §8: a registration names the youth's parents by BSN. The database holds no parent's BSN in
/// clear, and a retention run at its most verbose logs nothing of the youth or the parents: no
/// BSN, birth date, pseudonym or the youth's reference in the log.
#[tokio::test]
async fn the_database_holds_no_parents_bsn_and_a_retention_run_logs_nothing_personal() {
    use crate::helpers::database::made_up_bsn;
    let world = crate::helpers::World::new().await;
    let now = ketenpoort::clock::now();
    let (youth, born, parents) = (made_up_bsn(500), "2013-11-30", [made_up_bsn(501), made_up_bsn(502)]);
    let registered = world.register("lyceum-noord", &youth, born, &[&parents[0], &parents[1]], now).await;
    assert!(registered.effect_id.is_some());
    world.register("buurtteam-oost", &made_up_bsn(503), "2014-01-31", &[&parents[1]], now).await;
    let known = world.known(&youth).await.unwrap();
    let reference = known.pseudonym.clone();
    // Withdrawn as never justified: the run two days on destroys the youth.
    let (by, reason) =
        (crate::helpers::professional("lyceum-noord"), ketenpoort::framework::WithdrawalReason::Unjustified);
    let id = registered.effect_id.clone().unwrap();
    let occasion = ketenpoort::exchange::Occasion::at(now);
    world.gateway.withdraw_involvement(&by, &known, &id, reason, &occasion).await.unwrap();

    let bytes = world_bytes(&world);
    assert!(bytes.len() > 10_000, "the database was written");
    for bsn in [&youth].into_iter().chain(&parents) {
        assert!(!contains(&bytes, bsn), "BSN {bsn} found in the database");
    }

    let two_days_on = (now + time::Duration::days(2)).format(&time::format_description::well_known::Rfc3339).unwrap();
    for dry_run in [true, false] {
        let mut args = vec!["--database", world.url.as_str(), "dev", "retention-at", two_days_on.as_str()];
        if dry_run {
            args.push("--dry-run");
        }
        let run = ketenpoort_with(&args, &[("KETENPOORT_LOG", "trace")]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.len() > 1_000, "the run logged at its most verbose: {}", run.stderr);
        let mut personal = vec![youth.clone(), born.to_owned(), reference.value.clone()];
        personal.extend(parents.iter().cloned());
        for bsn in [&youth].into_iter().chain(&parents) {
            personal.extend(world.pseudonyms(bsn).into_iter().map(|p| p.value));
        }
        for value in &personal {
            assert!(!run.stderr.contains(value.as_str()) && !run.stdout.contains(value.as_str()), "{value} logged");
        }
        assert!(run.stdout.contains(&format!("{:>9} youths", 1)), "{}", run.stdout);
    }
    assert!(world.known(&youth).await.is_none());
}

/// Every byte of a world's database and of the files beside it.
fn world_bytes(world: &crate::helpers::World) -> Vec<u8> {
    let mut all = crate::helpers::database::all_bytes(&world.url);
    for entry in std::fs::read_dir(world.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            all.extend(crate::helpers::database::file_bytes(&path));
        }
    }
    all
}
