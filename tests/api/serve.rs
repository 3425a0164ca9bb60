//! `ketenpoort serve --config` as an operator runs it: register a partner with the admin
//! commands, start the server from a TOML file with an environment override, call it, stop it
//! with SIGTERM, verify the log.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{BIRTH_DATE, BSN, ChildGuard, certs_dev, database, http_client, listening_address};

fn ketenpoort(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ketenpoort")).args(database::with_keys(args)).output().unwrap()
}

#[tokio::test]
async fn an_operator_registers_a_partner_serves_from_a_config_file_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_url(dir.path(), "k.db");
    let certs = certs_dev();
    let lyceum_cert = certs.join("lyceum-noord.crt");

    // Administration, each step audited.
    let steps: [&[&str]; 3] = [
        &[
            "org",
            "add",
            "lyceum-noord",
            "--kind",
            "school",
            "--name",
            "Lyceum Noord",
            "--contact",
            "zorg@lyceum.example",
        ],
        &["org", "cert", "add", "lyceum-noord", "--cert", lyceum_cert.to_str().unwrap()],
        &["account", "add", "mentor@lyceum-noord", "--org", "lyceum-noord", "--role", "mentor", "--name", "M. Mentor"],
    ];
    for step in steps {
        let output = ketenpoort(&[&["--database", &url], step].concat());
        assert!(output.status.success(), "{step:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    let wrong_role = ketenpoort(&[
        "--database",
        &url,
        "account",
        "add",
        "gp@lyceum-noord",
        "--org",
        "lyceum-noord",
        "--role",
        "gp",
        "--name",
        "x",
    ]);
    assert!(!wrong_role.status.success());
    assert!(
        String::from_utf8_lossy(&wrong_role.stderr).contains("mentor, care_coordinator"),
        "names the allowed roles"
    );
    let extra = ketenpoort(&[
        "--database",
        &url,
        "account",
        "add",
        "old@lyceum-noord",
        "--org",
        "lyceum-noord",
        "--role",
        "mentor",
        "--name",
        "x",
    ]);
    assert!(extra.status.success());
    let disabled = ketenpoort(&["--database", &url, "account", "disable", "old@lyceum-noord"]);
    assert!(disabled.status.success(), "{}", String::from_utf8_lossy(&disabled.stderr));
    let again = ketenpoort(&["--database", &url, "account", "disable", "old@lyceum-noord"]);
    assert!(!again.status.success(), "an account is disabled once");
    // A spare certificate, disabled from the command line once and for all.
    let spare = "ab".repeat(32);
    assert!(
        ketenpoort(&["--database", &url, "org", "cert", "add", "lyceum-noord", "--fingerprint", &spare])
            .status
            .success()
    );
    let off = ketenpoort(&["--database", &url, "org", "cert", "disable", "lyceum-noord", "--fingerprint", &spare]);
    assert!(off.status.success(), "{}", String::from_utf8_lossy(&off.stderr));
    let off_again =
        ketenpoort(&["--database", &url, "org", "cert", "disable", "lyceum-noord", "--fingerprint", &spare]);
    assert!(!off_again.status.success(), "a certificate is disabled once");
    assert!(String::from_utf8_lossy(&off_again.stderr).contains("no active certificate"));
    let back = ketenpoort(&["--database", &url, "org", "cert", "add", "lyceum-noord", "--fingerprint", &spare]);
    assert!(!back.status.success(), "a disabled certificate is never registered again");
    let listed = ketenpoort(&["--database", &url, "org", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).starts_with("lyceum-noord\tschool\tLyceum Noord"));

    // The server, from a TOML file; the environment overrides the body limit.
    let config = dir.path().join("ketenpoort.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"{url}\"\n{keys}[tls]\ncert = \"{0}/server.crt\"\nkey = \"{0}/server.key\"\nclient_ca = \"{0}/ca.crt\"\n",
            certs.display(),
            keys = database::keys_dir(&url).map(|dir| format!("keys = \"{}\"\n", dir.display())).unwrap_or_default()
        ),
    )
    .unwrap();
    let mut server = ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
            .args(["serve", "--config", config.to_str().unwrap()])
            .env("KETENPOORT_MAX_BODY_BYTES", "512")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = server.0.stderr.take().unwrap();
    let addr = listening_address(&mut stderr);
    let logs = std::thread::spawn(move || {
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).unwrap();
        rest
    });

    let client = http_client(Some("lyceum-noord"), Some("mentor@lyceum-noord"));
    let registered = client
        .post(format!("https://{addr}/api/v1/involvements"))
        .json(&json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "purpose": "care_coordination" }))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);
    let big = client
        .post(format!("https://{addr}/api/v1/signals"))
        .json(&json!({ "bsn": BSN, "signal": "safety_concern", "to": "lyceum-noord", "purpose": "safety", "justification": "x".repeat(1_000) }))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE, "KETENPOORT_MAX_BODY_BYTES applies");

    let stopping = Instant::now();
    Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status().unwrap();
    // Wait off the runtime: the client's open connection must keep answering the server's
    // graceful goodbye.
    let mut child = server;
    let (child, status) = tokio::task::spawn_blocking(move || {
        let status = child.0.wait().unwrap();
        (child, status)
    })
    .await
    .unwrap();
    drop(child);
    assert!(status.success());
    assert!(stopping.elapsed() < Duration::from_secs(5), "an idle server stops at once");
    let logs = logs.join().unwrap();
    assert!(logs.contains("checkpoint"), "{logs}");
    let verify = ketenpoort(&["--database", &url, "audit", "verify"]);
    // 5 registrations and 2 disablings by the operator (the refused ones leave no entry), 1
    // decision; the start signed the head it found (the operator's 7 entries), the shutdown the
    // head it left.
    assert_eq!(String::from_utf8_lossy(&verify.stdout), "audit log intact: 8 entries, 2 checkpoints\n");
}
