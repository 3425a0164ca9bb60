//! Policy versions on the command line: check, import a draft, four-eyes approval, test a
//! draft against the scenarios, activate, roll back.

use crate::helpers::{ketenpoort, scenario_file};

fn policies() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

#[test]
fn policy_check_accepts_the_default_and_names_the_line_of_a_mistake() {
    let ok = ketenpoort(&["policy", "check", policies().to_str().unwrap()]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.starts_with("policy ok: 9 rules, version "), "{}", ok.stdout);

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(policies().join("model.conf"), dir.path().join("model.conf")).unwrap();
    let rules =
        std::fs::read_to_string(policies().join("policy.csv")).unwrap().replace("p, R7, mentor", "p, R7, mentr");
    std::fs::write(dir.path().join("policy.csv"), rules).unwrap();
    let refused = ketenpoort(&["policy", "check", dir.path().to_str().unwrap()]);
    assert_eq!(refused.code, 1);
    assert!(refused.stdout.contains("policy.csv line 14") && refused.stdout.contains("`mentr`"), "{}", refused.stdout);
}

#[test]
fn a_draft_is_approved_by_a_second_privacy_officer_tested_activated_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::helpers::database::fresh_url(dir.path(), "k.db");
    let run = |args: &[&str]| ketenpoort(&[&["--database", url.as_str()], args].concat());
    for step in [
        &["org", "add", "lyceum-noord", "--kind", "school", "--name", "Lyceum Noord"][..],
        &[
            "account",
            "add",
            "po1@lyceum-noord",
            "--org",
            "lyceum-noord",
            "--role",
            "privacy_officer",
            "--name",
            "P. Een",
        ],
        &[
            "account",
            "add",
            "po2@lyceum-noord",
            "--org",
            "lyceum-noord",
            "--role",
            "privacy_officer",
            "--name",
            "P. Twee",
        ],
        &["account", "add", "mentor@lyceum-noord", "--org", "lyceum-noord", "--role", "mentor", "--name", "M"],
    ] {
        let done = run(step);
        assert_eq!(done.code, 0, "{step:?}: {}", done.stderr);
    }
    // The default becomes the active version on first use.
    let listed = run(&["policy", "list"]);
    let default_version = listed.stdout.split('\t').next().unwrap().to_owned();
    assert!(listed.stdout.contains("\tactive\t"), "{}", listed.stdout);

    // A draft without R3 (help status on consent).
    let draft_dir = tempfile::tempdir().unwrap();
    std::fs::copy(policies().join("model.conf"), draft_dir.path().join("model.conf")).unwrap();
    let rules: String = std::fs::read_to_string(policies().join("policy.csv"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("p, R3,"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(draft_dir.path().join("policy.csv"), rules).unwrap();
    let draft_path = draft_dir.path().to_str().unwrap();
    let by_mentor = run(&["policy", "import", draft_path, "--note", "no R3", "--as", "mentor@lyceum-noord"]);
    assert_eq!(by_mentor.code, 1);
    assert!(by_mentor.stderr.contains("only a privacy officer"), "{}", by_mentor.stderr);
    let imported = run(&["policy", "import", draft_path, "--note", "no R3", "--as", "po1@lyceum-noord"]);
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let draft = imported.stdout.split_whitespace().nth(1).unwrap().to_owned();
    let again = run(&["policy", "import", draft_path, "--note", "twice", "--as", "po1@lyceum-noord"]);
    assert!(again.stderr.contains("already"), "{}", again.stderr);

    // Tested against the public scenarios: the consent scenarios now fail, under R3's absence.
    let tested = run(&["policy", "test", "--draft", &draft, scenario_file("public.yaml").to_str().unwrap()]);
    assert_eq!(tested.code, 1);
    assert!(tested.stdout.contains("FAIL family worker answers a mentor, youth 14, youth and parent consented: expected allow basis consent, got deny reason no_rule"), "{}", tested.stdout);
    assert!(tested.last_line().ends_with("failed") && !tested.last_line().ends_with(" 0 failed"), "{}", tested.stdout);

    // Four eyes: not its author; not activated before approval.
    let early = run(&["policy", "activate", &draft, "--as", "po2@lyceum-noord"]);
    assert_eq!(early.code, 1, "only an approved version is activated");
    let own = run(&["policy", "approve", &draft, "--as", "po1@lyceum-noord"]);
    assert_eq!(own.code, 1);
    assert!(own.stderr.contains("other than its author"), "{}", own.stderr);
    assert_eq!(run(&["policy", "approve", &draft, "--as", "po2@lyceum-noord"]).code, 0);
    assert_eq!(run(&["policy", "activate", &draft, "--as", "po2@lyceum-noord"]).code, 0);
    let listed = run(&["policy", "list"]);
    assert!(listed.stdout.contains(&format!("{draft}\tactive")), "{}", listed.stdout);
    assert!(listed.stdout.contains(&format!("{default_version}\tretired")), "{}", listed.stdout);

    // Decisions now name the new version; rolling back restores the default.
    assert_eq!(run(&["policy", "activate", &default_version, "--as", "po1@lyceum-noord"]).code, 0);
    let listed = run(&["policy", "list"]);
    assert!(listed.stdout.contains(&format!("{default_version}\tactive")), "{}", listed.stdout);
    let verify = run(&["audit", "verify"]);
    assert_eq!(verify.code, 0, "{}", verify.stdout);
}
