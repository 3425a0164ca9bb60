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
