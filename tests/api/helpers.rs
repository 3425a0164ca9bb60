//! `spawn_app()`: a fresh database and keys, the demo region seeded, the server on port 0 with
//! the development certificates; and typed clients per organisation and account.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Once;

#[path = "../support/database.rs"]
pub mod database;
#[path = "../support/people.rs"]
mod people;

pub use people::{professional, registration};

use ketenpoort::app::App;
use ketenpoort::config::{Config, TlsConfig};
use ketenpoort::store::{SqlStore, Store};
use reqwest::{Certificate, Identity, Response, StatusCode};
use serde_json::{Value, json};

/// The demo youth: a made-up 14-year-old (tests/scenarios use the same test BSN).
pub const BSN: &str = "628194821";
pub const BIRTH_DATE: &str = "2012-03-15";

pub fn certs_dev() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("certs-dev")
}

fn install_ring() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub struct TestApp {
    pub app: App,
    pub dir: tempfile::TempDir,
    pub database_url: String,
    /// The app's key directory.
    pub keys: PathBuf,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.app.addr())
    }

    /// A client with `org`'s development certificate acting as `account`.
    pub fn client(&self, org: &str, account: &str) -> Client {
        Client { base: self.url("/api/v1"), http: http_client(Some(org), Some(account)) }
    }

    /// The mentor of Lyceum Noord.
    pub fn mentor(&self) -> Client {
        self.client("lyceum-noord", "mentor@lyceum-noord")
    }

    /// The family worker of Buurtteam Oost.
    pub fn family_worker(&self) -> Client {
        self.client("buurtteam-oost", "family_worker@buurtteam-oost")
    }

    /// Plain SQL on the app's database.
    pub async fn sql(&self, statement: &str) {
        database::run_sql(&self.database_url, statement, false).await;
    }

    /// Every audit entry, in order, through the store.
    pub async fn audit_entries(&self) -> Vec<ketenpoort::audit::AuditEntry> {
        let store = SqlStore::open(&self.database_url).await.unwrap();
        store.audit_page(0, 100_000).await.unwrap().into_iter().map(|stored| stored.entry).collect()
    }

    /// `ketenpoort audit verify` through the library, against the app's own key.
    pub async fn verify(&self) -> ketenpoort::audit::Intact {
        let store = SqlStore::open(&self.database_url).await.unwrap();
        let key = ketenpoort::keys::load_public(&self.keys).unwrap();
        ketenpoort::audit::verify(&store, &key).await.unwrap().unwrap()
    }

    /// The gateway the server runs: for what the API cannot do, a time other than now.
    pub fn gateway(&self) -> &ketenpoort::exchange::Gateway {
        &self.app.state().gateway
    }

    /// A BSN's pseudonyms under every key the app holds, current first.
    pub fn pseudonyms(&self, bsn: &str) -> Vec<ketenpoort::youth::Pseudonym> {
        self.app.state().pseudonymiser.pseudonymise_all(&bsn.parse().unwrap())
    }

    /// The youth behind a BSN, if the app knows them.
    pub async fn known_youth(&self, bsn: &str) -> Option<ketenpoort::exchange::Youth> {
        self.gateway().known_youth(&self.pseudonyms(bsn)).await.unwrap()
    }

    /// The auditor of Lyceum Noord: its part of the log.
    pub fn auditor(&self) -> Client {
        self.client("lyceum-noord", "auditor@lyceum-noord")
    }

    /// Every byte of the database (its files, or a dump) and of the files beside it.
    pub fn database_bytes(&self) -> Vec<u8> {
        let mut all = if self.database_url.starts_with("postgres") {
            database::all_bytes(&self.database_url)
        } else {
            Vec::new()
        };
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                all.extend(database::file_bytes(&path));
            }
        }
        all
    }
}

/// A reqwest client trusting the development CA, with `org`'s certificate and `account` in
/// the actor header when given.
pub fn http_client(org: Option<&str>, account: Option<&str>) -> reqwest::Client {
    install_ring();
    let certs = certs_dev();
    let ca = Certificate::from_pem(&std::fs::read(certs.join("ca.crt")).unwrap()).unwrap();
    let mut builder =
        reqwest::Client::builder().use_rustls_tls().tls_built_in_root_certs(false).add_root_certificate(ca);
    if let Some(org) = org {
        let mut pem = std::fs::read(certs.join(format!("{org}.key"))).unwrap();
        pem.extend(std::fs::read(certs.join(format!("{org}.crt"))).unwrap());
        builder = builder.identity(Identity::from_pem(&pem).unwrap());
    }
    if let Some(account) = account {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("ketenpoort-actor", account.parse().unwrap());
        builder = builder.default_headers(headers);
    }
    builder.build().unwrap()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|config| config).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(Config) -> Config) -> TestApp {
    install_ring();
    let dir = tempfile::tempdir().unwrap();
    let database_url = database::fresh_url(dir.path(), "k.db");
    ketenpoort::keys::generate(&dir.path().join("k.keys"), false).unwrap();
    let certs = certs_dev();
    let config = adjust(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.clone(),
        keys: Some(dir.path().join("k.keys")),
        tls: TlsConfig {
            cert: certs.join("server.crt"),
            key: certs.join("server.key"),
            client_ca: certs.join("ca.crt"),
            client_crl: None,
        },
        ..Config::default()
    });
    let app = App::build(&config).await.unwrap();
    let region = ketenpoort::demo::region().unwrap();
    ketenpoort::demo::seed(&app.state().gateway, &region, &certs, ketenpoort::clock::now()).await.unwrap();
    // What the app was built with, also when `adjust` pointed it elsewhere.
    let keys = config.keys.clone().unwrap_or_else(|| dir.path().join("k.keys"));
    TestApp { app, dir, database_url: config.database_url.clone(), keys }
}

/// An app as `ketenpoort demo` runs it: the demo sign-in on, JGZ Regio Midden the operator.
pub async fn demo_app() -> TestApp {
    spawn_app_with(|config| Config { demo_sign_in: true, operator_org: Some("jgz-utrecht".into()), ..config }).await
}

/// A partner system acting for one professional.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

/// A response's status and JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    async fn from(response: Response) -> Reply {
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    /// The body's `error` code.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or_default()
    }
}

impl Client {
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Reply::from(self.http.post(format!("{}{path}", self.base)).json(&body).send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(self.http.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Reply::from(self.http.delete(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    pub async fn register(&self) -> Reply {
        self.post("/involvements", json!({ "bsn": BSN, "birth_date": BIRTH_DATE, "purpose": "care_coordination" }))
            .await
    }

    /// Registers involvement with the youth of `bsn`, naming their parents.
    pub async fn register_youth(&self, bsn: &str, birth_date: &str, parents: &[&str]) -> Reply {
        self.post(
            "/involvements",
            json!({ "bsn": bsn, "birth_date": birth_date, "purpose": "care_coordination", "parents": parents }),
        )
        .await
    }

    pub async fn send(&self, signal: &str, to: &str, extra: Value) -> Reply {
        let mut body = json!({ "bsn": BSN, "signal": signal, "to": to, "purpose": "care_coordination" });
        merge(&mut body, extra);
        self.post("/signals", body).await
    }

    /// A consent of `given_by` held by this client's organisation, for help status to schools.
    pub async fn record_consent(&self, given_by: &str) -> Reply {
        self.post(
            "/consents",
            json!({
                "bsn": BSN, "given_by": given_by, "recipient_kinds": ["school"],
                "signals": ["help_started", "help_ongoing", "help_ended"], "purposes": ["care_coordination"],
                "valid_from": "2026-01-01T00:00:00Z"
            }),
        )
        .await
    }
}

pub fn merge(body: &mut Value, extra: Value) {
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

/// A child process that is killed when the test ends, also when it fails half-way.
pub struct ChildGuard(pub std::process::Child);

/// Reads a `ketenpoort serve` process's stderr until it says where it listens: its address.
pub fn listening_address(stderr: &mut impl std::io::Read) -> String {
    let mut said = String::new();
    let started = std::time::Instant::now();
    loop {
        let mut buffer = [0u8; 256];
        let read = stderr.read(&mut buffer).unwrap();
        said.push_str(&String::from_utf8_lossy(&buffer[..read]));
        if let Some(rest) = said.split("listening on https://").nth(1)
            && let Some(addr) = rest.split_whitespace().next()
            && rest.contains('\n')
        {
            return addr.to_owned();
        }
        assert!(read > 0 && started.elapsed() < std::time::Duration::from_secs(30), "the server said: {said}");
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

/// Starts one of the test peers of tests/web (`script`, which needs the npm package `package`)
/// with `command`'s arguments and environment added: the running peer and the first line it
/// printed (where it listens).
pub fn node_peer(
    script: &str,
    package: &str,
    command: impl FnOnce(&mut Command) -> &mut Command,
) -> (ChildGuard, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web").join(script);
    assert!(
        script.with_file_name("node_modules").join(package).exists(),
        "the test peers are not installed: run scripts/test (npm ci --prefix tests/web)"
    );
    let mut node = Command::new("node");
    node.arg(&script).stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = ChildGuard(command(&mut node).spawn().expect("node runs"));
    let mut stdout = BufReader::new(child.0.stdout.take().expect("its output"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("its first line");
    // Keep reading: a closed pipe would end the peer at its next line of output.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (child, line.trim().to_owned())
}
