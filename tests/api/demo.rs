//! `ketenpoort demo` as a newcomer uses it: start it, paste the printed commands, see the story
//! work; then stop it. Its logs and database hold no clear BSN or birth date.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{ChildGuard, contains};

#[test]
fn the_printed_walkthrough_tells_the_whole_story_and_the_logs_hold_no_personal_data() {
    if Command::new("curl").arg("--version").output().is_err() {
        panic!("curl is needed for the demo walkthrough (scripts/test installs it)");
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut demo = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
            .args(["demo", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("KETENPOORT_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );

    // Drain the logs as they come: a full pipe would stall the server.
    let mut stderr = demo.0.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut logs = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut logs).unwrap();
        logs
    });

    // Read the printed walkthrough, up to its last command.
    let mut stdout = BufReader::new(demo.0.stdout.take().unwrap());
    let mut printed = String::new();
    let started = Instant::now();
    while !printed.contains("audit verify") {
        assert!(started.elapsed() < Duration::from_secs(30), "the demo printed: {printed}");
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
    }
    let story = &printed[printed.find("# The story").expect("a walkthrough")..];
    // The walkthrough's made-up youth: a fresh BSN every run.
    let field = |name: &str| {
        let start = story.find(&format!("\"{name}\": \"")).unwrap() + name.len() + 5;
        story[start..].split('"').next().unwrap().to_owned()
    };
    let (bsn, birth_date) = (field("bsn"), field("birth_date"));
    assert!(bsn.parse::<ketenpoort::youth::Bsn>().is_ok(), "{bsn}");
    // The browser's way in: the demo sign-in lists the demo professionals and names the youth.
    let addr = printed.split("listening on https://").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let signin = Command::new("curl")
        .args(["-sS", "--cacert", "certs-dev/ca.crt", &format!("https://{addr}/signin")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let signin = String::from_utf8_lossy(&signin.stdout);
    assert!(signin.contains("mentor@lyceum-noord") && signin.contains(&bsn), "{signin}");
    let output = Command::new("bash").arg("-c").arg(story).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    let told = String::from_utf8_lossy(&output.stdout);

    // Stop it as an operator would, and read its logs.
    Command::new("kill").args(["-TERM", &demo.0.id().to_string()]).status().unwrap();
    let stopped = demo.0.wait().unwrap();
    let logs = logs.join().unwrap();

    assert!(told.contains("\"matches\":[{\"id\":\"lyceum-noord\""), "a match: {told}");
    assert!(told.contains("consent_missing_parent") && told.contains("→ HTTP 403"), "refused first: {told}");
    assert!(told.contains("→ HTTP 201"), "delivered after consent: {told}");
    assert!(told.contains("\"kind\":\"match_notice\"") && told.contains("\"in_reply_to\""), "the inbox: {told}");
    assert!(told.contains("audit log intact: 9 entries"), "{told}");
    assert!(stopped.success(), "a clean stop: {logs}");
    assert!(logs.contains("decided"), "the server logged its decisions");
    for secret in [&bsn, &birth_date] {
        assert!(!logs.contains(secret), "{secret} in the server's logs");
        assert!(!told.contains(secret), "{secret} in a response");
    }

    // The shutdown signed a checkpoint; no clear BSN in the database.
    let verify = Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
        .args(["audit", "verify", "--database", &format!("sqlite://{}", data.join("ketenpoort.db").display())])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&verify.stdout), "audit log intact: 9 entries, 1 checkpoints\n");
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    assert!(!contains(&bytes, &bsn));
}
