//! `ketenpoort scenarios run`: the conformance scenarios, failures and malformed files.

use std::path::Path;

use crate::helpers::{ketenpoort, scenario_file};

#[test]
fn the_public_scenarios_pass_completely() {
    let run = ketenpoort(&["scenarios", "run", scenario_file("public.yaml").to_str().unwrap()]);
    assert_eq!(run.stdout, "36 passed, 0 failed\n", "{}", run.stderr);
    assert_eq!(run.code, 0);
}

#[test]
fn the_repository_copy_is_identical_to_the_shared_scenarios_where_they_exist() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/scenarios");
    if !shared.exists() {
        return; // A user's machine has no ../shared; the copy is then the reference.
    }
    let ours = std::fs::read(scenario_file("public.yaml")).unwrap();
    let theirs = std::fs::read(shared.join("public.yaml")).unwrap();
    assert!(ours == theirs, "tests/scenarios/public.yaml differs from ../shared/scenarios/public.yaml: copy it again");
    // Version 1 as shared, word for word; version 2 (the life of a registration) follows it here.
    let ours = std::fs::read_to_string(scenario_file("FORMAT.md")).unwrap();
    let theirs = std::fs::read_to_string(shared.join("FORMAT.md")).unwrap();
    assert!(
        ours.starts_with(&theirs),
        "tests/scenarios/FORMAT.md does not begin with ../shared/scenarios/FORMAT.md: copy it again"
    );
}

#[test]
fn the_life_of_a_registration_scenarios_pass_completely() {
    let run = ketenpoort(&["scenarios", "run", scenario_file("lifecycle.yaml").to_str().unwrap()]);
    assert_eq!(run.stdout, "62 passed, 0 failed\n", "{}", run.stderr);
    assert_eq!(run.code, 0);
}

const ORGS: &str = "format: ketenpoort-scenarios/1
orgs:
  - { id: lyceum-noord, kind: school, name: Lyceum Noord }
  - { id: buurtteam-oost, kind: neighbourhood_team, name: Buurtteam Oost }
scenarios:
";

fn write(dir: &Path, text: &str) -> String {
    let path = dir.join("scenarios.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_failing_scenario_is_named_with_what_was_expected_and_what_came() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        &format!(
            "{ORGS}  - name: a mentor without involvement expects too much
    now: 2026-03-02T09:00:00Z
    youth: {{ bsn: \"628194821\", birth_date: 2011-10-01 }}
    request: {{ actor: {{ org: lyceum-noord, role: mentor }}, action: send, signal: feedback_request,
               to: buurtteam-oost, purpose: care_coordination }}
    expect: {{ decision: allow, basis: reference_index }}
  - name: this one holds
    now: 2026-03-02T09:00:00Z
    youth: {{ bsn: \"628194821\", birth_date: 2011-10-01 }}
    request: {{ actor: {{ org: lyceum-noord, role: mentor }}, action: register, signal: involvement,
               purpose: care_coordination }}
    expect: {{ decision: allow, basis: reference_index, obligations: [inform_subject] }}
"
        ),
    );
    let run = ketenpoort(&["scenarios", "run", &file]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(lines[0].starts_with("FAIL a mentor without involvement expects too much: expected allow basis reference_index, got deny reason no_relationship"), "{}", lines[0]);
    assert_eq!(lines[1], "1 passed, 1 failed");
}

#[test]
fn a_wrong_word_in_the_facts_is_a_malformed_file_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        &format!(
            "{ORGS}  - name: consent for gossip
    now: 2026-03-02T09:00:00Z
    youth: {{ bsn: \"628194821\", birth_date: 2011-10-01 }}
    consents:
      - {{ given_by: youth, holder: buurtteam-oost, signals: [gossip], purposes: [care_coordination],
          valid_from: 2026-01-01T00:00:00Z }}
    request: {{ actor: {{ org: lyceum-noord, role: mentor }}, action: register, signal: involvement,
               purpose: care_coordination }}
    expect: {{ decision: allow }}
"
        ),
    );
    let run = ketenpoort(&["scenarios", "run", &file]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(&format!("{file}:10:61: ")), "names line and column: {}", run.stderr);
    assert!(run.stderr.contains("gossip"), "{}", run.stderr);
}

#[test]
fn broken_yaml_an_unknown_format_and_a_missing_expectation_are_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("format: ketenpoort-scenarios/1\nscenarios: [ {name: x\n", "scenarios.yaml:"),
        ("format: ketenpoort-scenarios/9\nscenarios: []\n", "unsupported format"),
        (
            &*format!(
                "{ORGS}  - name: no expectation
    now: 2026-03-02T09:00:00Z
    youth: {{ bsn: \"628194821\", birth_date: 2011-10-01 }}
    request: {{ actor: {{ org: lyceum-noord, role: mentor }}, action: register, signal: involvement,
               purpose: care_coordination }}
    expect: {{ basis: consent }}
"
            ),
            "expect a `decision`",
        ),
    ];
    for (text, message) in cases {
        let file = write(dir.path(), text);
        let run = ketenpoort(&["scenarios", "run", &file]);
        assert_eq!(run.code, 2, "{text}\n{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(message), "{text}\n{}", run.stderr);
    }
}

const ORGS_2: &str = "format: ketenpoort-scenarios/2
orgs:
  - { id: lyceum-noord, kind: school, name: Lyceum Noord }
  - { id: buurtteam-oost, kind: neighbourhood_team, name: Buurtteam Oost }
scenarios:
";

#[test]
fn a_failing_step_is_named_with_its_time_and_what_was_expected_and_what_came() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        &format!(
            "{ORGS_2}  - name: a historic match expected where the archive is gone
    youth: {{ bsn: \"628194821\", birth_date: 2010-05-01 }}
    involvements:
      - {{ org: lyceum-noord, registered_at: 2020-01-10T08:00:00Z }}
    steps:
      - at: 2026-03-01T09:00:00Z
        retention: {{}}
        expect: {{ destroyed: {{ involvements: 0 }} }}
      - at: 2027-01-10T08:00:01Z
        register: {{ org: buurtteam-oost, role: family_worker }}
        expect:
          notices: [ {{ kind: historic_match, to: buurtteam-oost, names: lyceum-noord }} ]
  - name: the steps that hold
    youth: {{ bsn: \"628194821\", birth_date: 2010-05-01 }}
    steps:
      - at: 2026-03-01T09:00:00Z
        register: {{ org: lyceum-noord, role: mentor }}
        expect: {{ decision: allow, notices: [], known: {{ youth: true }} }}
"
        ),
    );
    let run = ketenpoort(&["scenarios", "run", &file]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "FAIL a historic match expected where the archive is gone: step 2 (register by buurtteam-oost at \
             2027-01-10T08:00:01Z): expected notices [historic_match to buurtteam-oost naming lyceum-noord], got \
             notices []",
            "1 passed, 1 failed"
        ]
    );
}

#[test]
fn a_version_1_file_with_steps_is_malformed_where_they_stand() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        &format!(
            "{ORGS}  - name: steps in a version 1 file
    now: 2026-03-02T09:00:00Z
    youth: {{ bsn: \"628194821\", birth_date: 2011-10-01 }}
    steps:
      - {{ at: 2026-03-01T09:00:00Z, retention: {{}} }}
    request: {{ actor: {{ org: lyceum-noord, role: mentor }}, action: register, signal: involvement,
               purpose: care_coordination }}
    expect: {{ decision: allow }}
"
        ),
    );
    let run = ketenpoort(&["scenarios", "run", &file]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(&format!("{file}:9:5: ")), "names line and column: {}", run.stderr);
    assert!(run.stderr.contains("unknown field `steps`"), "{}", run.stderr);
    assert!(run.stderr.contains("(`steps` is a field of `ketenpoort-scenarios/2`)"), "{}", run.stderr);
}

#[test]
fn steps_out_of_time_order_or_a_youth_unknown_make_the_file_inconsistent() {
    let dir = tempfile::tempdir().unwrap();
    let youth = "    youth: { bsn: \"628194821\", birth_date: 2010-05-01 }\n";
    let cases = [
        (
            "    steps:
      - { at: 2026-03-02T09:00:00Z, register: { org: lyceum-noord, role: mentor } }
      - { at: 2026-03-01T09:00:00Z, retention: {} }
",
            "the steps are in time order: step 2 comes before step 1",
        ),
        (
            "    steps:
      - { at: 2026-03-02T09:00:00Z, register: { youth: brother, org: lyceum-noord, role: mentor } }
",
            "`brother` is no youth of this scenario",
        ),
        (
            "    now: 2026-03-02T09:00:00Z
    steps:
      - { at: 2026-03-02T09:00:00Z, retention: {} }
",
            "`now`, `request` and `expect` go together",
        ),
    ];
    for (rest, message) in cases {
        let file = write(dir.path(), &format!("{ORGS_2}  - name: inconsistent\n{youth}{rest}"));
        let run = ketenpoort(&["scenarios", "run", &file]);
        assert_eq!(run.code, 2, "{rest}\n{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("scenario 1 (\"inconsistent\")") && run.stderr.contains(message), "{}", run.stderr);
    }
}

#[test]
fn steps_run_in_a_world_of_their_own_so_a_second_run_on_a_database_comes_out_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("run.db").display());
    let lifecycle = scenario_file("lifecycle.yaml");
    let first = ketenpoort(&["--database", &url, "scenarios", "run", lifecycle.to_str().unwrap()]);
    let second = ketenpoort(&["--database", &url, "scenarios", "run", lifecycle.to_str().unwrap()]);
    assert!(first.last_line().ends_with(" failed"), "{}{}", first.stdout, first.stderr);
    assert_eq!(first.stdout, second.stdout, "{}", second.stderr);
    // Only the ten scenarios without steps were recorded and decided into it: 16 entries a run.
    let verify = ketenpoort(&["--database", &url, "audit", "verify"]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(verify.stdout, "audit log intact: 32 entries, 2 checkpoints\n");
}

#[test]
fn a_missing_file_is_reported_not_a_panic() {
    let run = ketenpoort(&["scenarios", "run", "/nonexistent/scenarios.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("/nonexistent/scenarios.yaml: cannot read"), "{}", run.stderr);
}

#[test]
fn with_a_database_the_runner_keeps_the_chain_it_wrote_for_verification() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("run.db").display());
    let public = scenario_file("public.yaml");
    let first = ketenpoort(&["--database", &url, "scenarios", "run", public.to_str().unwrap()]);
    assert_eq!(first.last_line(), "36 passed, 0 failed");
    assert!(dir.path().join("run.keys/checkpoint.pub").exists(), "keys are made beside the database");
    // A second run appends to the same chain, with the same keys.
    let second = ketenpoort(&["--database", &url, "scenarios", "run", public.to_str().unwrap()]);
    assert_eq!(second.last_line(), "36 passed, 0 failed", "{}", second.stderr);
    let verify = ketenpoort(&["--database", &url, "audit", "verify"]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    assert_eq!(verify.stdout, "audit log intact: 194 entries, 2 checkpoints\n");
}

#[test]
fn verify_without_a_database_or_keys_tells_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("absent.db").display());
    let run = ketenpoort(&["--database", &url, "audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no database at"), "{}", run.stderr);
    assert!(!dir.path().join("absent.db").exists(), "verification creates nothing");

    let migrate = ketenpoort(&["--database", &url, "migrate"]);
    assert_eq!(migrate.code, 0, "{}", migrate.stderr);
    let run = ketenpoort(&["--database", &url, "audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("ketenpoort keys generate"), "{}", run.stderr);
}

#[test]
fn keys_are_generated_once_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let keys = keys.to_str().unwrap();
    let first = ketenpoort(&["--keys", keys, "keys", "generate"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let public = ketenpoort(&["--keys", keys, "keys", "export-public"]);
    assert_eq!(public.stdout.trim().len(), 64, "{}", public.stdout);
    let again = ketenpoort(&["--keys", keys, "keys", "generate"]);
    assert_eq!(again.code, 1);
    assert!(again.stderr.contains("never overwritten"), "{}", again.stderr);
    let unchanged = ketenpoort(&["--keys", keys, "keys", "export-public"]);
    assert_eq!(unchanged.stdout, public.stdout);
}
