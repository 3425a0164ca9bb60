//! Crash safety: `ketenpoort serve` under concurrent exchanges, killed with SIGKILL at a random
//! moment, several rounds on one database. After each kill the server starts again on the same
//! database, and: every exchange it acknowledged (2xx) is there with its audit entry; every
//! delivery (signal, match notice, involvement, consent) has the audit entry that accounts for
//! it; a request cut off by the kill left nothing or its whole unit (entries and effects),
//! never an effect without its entry; `ketenpoort audit verify` says the log is intact.
//!
//! The kill moments come from a seed printed at the start; `KETENPOORT_CRASH_SEED=N` repeats
//! them.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{BIRTH_DATE, ChildGuard, certs_dev, database, http_client, listening_address};
use crate::notices::Receiver;

/// Kill-and-restart rounds on the same database.
const ROUNDS: usize = 8;
/// Youths' stories told at once.
const TASKS: usize = 24;
/// Small, so that checkpoints are signed under load and a kill can fall between an append and
/// its checkpoint.
const CHECKPOINT_EVERY: u64 = 25;
/// The kill comes this long after the first exchange of a round is acknowledged (drawn from
/// the seed): into the load, past the new connections' handshakes…
const KILL_AFTER_MS: std::ops::RangeInclusive<u64> = 100..=800;
/// …and not before this many exchanges were acknowledged in the round.
const ACKED_BEFORE_KILL: usize = 5;
/// How long a restarted server may take to listen and be ready.
const START_WITHIN: Duration = Duration::from_secs(10);

/// One step of a youth's story: each is one exchange, and each delivers something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The mentor registers involvement: an involvement.
    MentorRegisters,
    /// The family worker registers: an involvement and a match notice each way.
    WorkerRegisters,
    /// The mentor asks the team for feedback: a delivered signal.
    FeedbackRequest,
    /// The youth's and the parent's consent: a consent each.
    YouthConsents,
    ParentConsents,
    /// The team answers the request: a delivered signal.
    Answer,
}

const STORY: [Step; 6] = [
    Step::MentorRegisters,
    Step::WorkerRegisters,
    Step::FeedbackRequest,
    Step::YouthConsents,
    Step::ParentConsents,
    Step::Answer,
];

/// What the client heard of one request.
#[derive(Debug, Clone)]
enum Heard {
    /// A 2xx with the id of what it recorded or delivered.
    Acked { id: String },
    /// A 2xx whose body the kill cut off: acknowledged all the same.
    AckedWithoutBody,
    /// 429 or 503: turned away by load shedding. A 429 comes before any work; a 503 may be
    /// a timeout, after which a commit under way still completes.
    Shed { status: StatusCode },
    /// Another status: never expected, these exchanges are all allowed.
    Refused { status: StatusCode, body: String },
    /// Sent (or being sent) when the server died: no answer.
    CutOff,
    /// The server was gone before the connection: nothing was sent.
    NotConnected,
}

#[derive(Debug, Clone)]
struct Sent {
    request_id: String,
    step: Step,
    heard: Heard,
}

/// The load of one round: the server's address, the two clients and what was heard.
struct Load {
    base: String,
    mentor: reqwest::Client,
    worker: reqwest::Client,
    next_youth: Arc<AtomicU64>,
    round: usize,
    acked: AtomicUsize,
    /// Requests sent and not yet heard.
    in_flight: AtomicUsize,
    sent: Mutex<Vec<Sent>>,
}

impl Load {
    fn new(server: &Server, round: usize, next_youth: &Arc<AtomicU64>) -> Arc<Load> {
        Arc::new(Load {
            base: format!("https://{}/api/v1", server.addr),
            mentor: http_client(Some("lyceum-noord"), Some("mentor@lyceum-noord")),
            worker: http_client(Some("buurtteam-oost"), Some("family_worker@buurtteam-oost")),
            next_youth: next_youth.clone(),
            round,
            acked: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            sent: Mutex::new(Vec::new()),
        })
    }

    /// What was sent, and heard, so far.
    fn take_sent(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }

    fn record(&self, request_id: String, step: Step, heard: Heard) {
        if matches!(heard, Heard::Acked { .. } | Heard::AckedWithoutBody) {
            self.acked.fetch_add(1, Ordering::SeqCst);
        }
        self.sent.lock().unwrap().push(Sent { request_id, step, heard });
    }
}

/// How many of `sent` were acknowledged.
fn acked(sent: &[Sent]) -> usize {
    sent.iter().filter(|s| matches!(s.heard, Heard::Acked { .. } | Heard::AckedWithoutBody)).count()
}

/// A made-up BSN for youth `n`: nine digits passing the elfproef, a different one for every
/// `n` (steps of 11 between candidates, of which at most a few fail the check).
fn bsn(n: u64) -> String {
    let mut candidate = 10_000_000 + n * 11;
    loop {
        let digits: Vec<u64> = format!("{candidate:08}").bytes().map(|b| u64::from(b - b'0')).collect();
        let sum: u64 = digits.iter().zip([9, 8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
        if sum % 11 < 10 {
            return digits.iter().chain([&(sum % 11)]).map(|d| char::from(b'0' + *d as u8)).collect();
        }
        candidate += 1;
    }
}

/// Tells youths' stories one after the other until the server is gone.
async fn tell_stories(load: Arc<Load>) {
    loop {
        let n = load.next_youth.fetch_add(1, Ordering::SeqCst);
        let bsn = bsn(n);
        let mut request = None;
        let mut attempt = 0;
        let mut steps = STORY.into_iter().enumerate().peekable();
        while let Some(&(index, step)) = steps.peek() {
            attempt += 1;
            let request_id = format!("crash-{}-{n}-{index}-{attempt}", load.round);
            let (client, path, body) = request_of(&load, step, &bsn, request.as_deref());
            load.in_flight.fetch_add(1, Ordering::SeqCst);
            let heard = exchange(client, &format!("{}{path}", load.base), &request_id, &body).await;
            load.in_flight.fetch_sub(1, Ordering::SeqCst);
            if let (Step::FeedbackRequest, Heard::Acked { id }) = (step, &heard) {
                request = Some(id.clone());
            }
            let next = match &heard {
                Heard::Acked { .. } => Next::Step,
                // Load shedding (another item of the hardening) may turn a request away: try
                // again a little later, as a partner system would.
                Heard::Shed { .. } => Next::Again,
                Heard::Refused { .. } => Next::Youth,
                Heard::AckedWithoutBody | Heard::CutOff | Heard::NotConnected => Next::Stop,
            };
            load.record(request_id, step, heard);
            match next {
                Next::Step => {
                    steps.next();
                    attempt = 0;
                }
                Next::Again => tokio::time::sleep(Duration::from_millis(20)).await,
                Next::Youth => break,
                Next::Stop => return,
            }
        }
    }
}

enum Next {
    Step,
    Again,
    Youth,
    Stop,
}

/// The client, path and body of one step of the story of the youth with `bsn`; `request` is
/// the feedback request the answer replies to.
fn request_of<'a>(
    load: &'a Load,
    step: Step,
    bsn: &str,
    request: Option<&str>,
) -> (&'a reqwest::Client, &'static str, Value) {
    match step {
        Step::MentorRegisters | Step::WorkerRegisters => (
            if step == Step::MentorRegisters { &load.mentor } else { &load.worker },
            "/involvements",
            json!({ "bsn": bsn, "birth_date": BIRTH_DATE, "purpose": "care_coordination" }),
        ),
        Step::FeedbackRequest => (
            &load.mentor,
            "/signals",
            json!({ "bsn": bsn, "signal": "feedback_request", "to": "buurtteam-oost", "purpose": "care_coordination" }),
        ),
        Step::YouthConsents | Step::ParentConsents => (
            &load.worker,
            "/consents",
            json!({
                "bsn": bsn,
                "given_by": if step == Step::YouthConsents { "youth" } else { "parent" },
                "recipient_kinds": ["school"], "signals": ["help_started"],
                "purposes": ["care_coordination"], "valid_from": "2026-01-01T00:00:00Z"
            }),
        ),
        Step::Answer => (
            &load.worker,
            "/signals",
            json!({
                "bsn": bsn, "signal": "help_started", "to": "lyceum-noord",
                "purpose": "care_coordination", "in_reply_to": request
            }),
        ),
    }
}

async fn exchange(client: &reqwest::Client, url: &str, request_id: &str, body: &Value) -> Heard {
    let sending = client.post(url).header("x-request-id", request_id).json(body).send();
    let response = match tokio::time::timeout(Duration::from_secs(20), sending).await {
        Err(_) => panic!("{request_id}: no answer within 20 s while the server ran"),
        Ok(Err(error)) if error.is_connect() => return Heard::NotConnected,
        Ok(Err(_)) => return Heard::CutOff,
        Ok(Ok(response)) => response,
    };
    let status = response.status();
    match response.text().await {
        Ok(text) if status.is_success() => {
            let body: Value = serde_json::from_str(&text).unwrap();
            Heard::Acked { id: body["id"].as_str().unwrap().to_owned() }
        }
        Ok(_) if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE => {
            Heard::Shed { status }
        }
        Ok(text) => Heard::Refused { status, body: text },
        Err(_) if status.is_success() => Heard::AckedWithoutBody,
        Err(_) => Heard::CutOff,
    }
}

/// A running `ketenpoort serve` and what it says on stderr.
struct Server {
    child: ChildGuard,
    addr: String,
    logs: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    /// Starts the server from `config` and waits until it listens and is ready.
    async fn start(config: &Path) -> (Server, Duration) {
        let started = Instant::now();
        let mut child = ChildGuard(
            Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
                .args(["serve", "--config", config.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut stderr = child.0.stderr.take().unwrap();
        let (addr, mut stderr) =
            tokio::task::spawn_blocking(move || (listening_address(&mut stderr), stderr)).await.unwrap();
        let logs = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            rest
        });
        let ready = http_client(None, None).get(format!("https://{addr}/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK, "/readyz after the start");
        let took = started.elapsed();
        assert!(took < START_WITHIN, "the server took {took:?} to listen and be ready");
        (Server { child, addr, logs: Some(logs) }, took)
    }

    /// SIGKILL: no goodbye, no checkpoint, no finishing of requests in flight.
    fn kill(&mut self) -> String {
        self.child.0.kill().unwrap();
        let status = self.child.0.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "the server was killed, not stopped otherwise: {status:?}");
        self.logs.take().unwrap().join().unwrap()
    }

    /// SIGTERM: finishes requests in flight, signs a checkpoint and exits 0.
    fn stop(&mut self) -> String {
        Command::new("kill").args(["-TERM", &self.child.0.id().to_string()]).status().unwrap();
        let status = self.child.0.wait().unwrap();
        let logs = self.logs.take().unwrap().join().unwrap();
        assert!(status.success(), "{status:?}: {logs}");
        logs
    }
}

/// The database as the checks read it.
#[derive(Default)]
struct Db {
    /// seq → (request id, event, decision, subject).
    entries: HashMap<u64, Entry>,
    by_request: HashMap<String, Vec<u64>>,
    /// Effects: id → the audit entry that accounts for it.
    signals: HashMap<String, u64>,
    notices: HashMap<String, u64>,
    involvements: HashMap<String, Option<u64>>,
    consents: HashMap<String, Option<u64>>,
    checkpoints: usize,
    /// What arrived in an inbox, (audit seq, recipient), and the notices queued for it.
    arrivals: Vec<(u64, String)>,
    outbox: HashMap<(u64, String), Vec<(String, String)>>,
}

#[derive(Debug, Clone)]
struct Entry {
    request_id: String,
    event: String,
    decision: Option<String>,
    subject: Option<String>,
}

async fn read_db(url: &str) -> Db {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut db = Db::default();
    for row in sqlx::query("SELECT seq, request_id, event, decision, subject FROM audit_entries")
        .fetch_all(&pool)
        .await
        .unwrap()
    {
        let seq = u64::try_from(row.try_get::<i64, _>("seq").unwrap()).unwrap();
        let entry = Entry {
            request_id: row.try_get("request_id").unwrap(),
            event: row.try_get("event").unwrap(),
            decision: row.try_get("decision").unwrap(),
            subject: row.try_get("subject").unwrap(),
        };
        db.by_request.entry(entry.request_id.clone()).or_default().push(seq);
        db.entries.insert(seq, entry);
    }
    for seqs in db.by_request.values_mut() {
        seqs.sort_unstable();
    }
    let pairs = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(sql)
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|row| {
                    let seq = row.try_get::<Option<i64>, _>(1).unwrap().map(|seq| u64::try_from(seq).unwrap());
                    (row.try_get::<String, _>(0).unwrap(), seq)
                })
                .collect::<HashMap<String, Option<u64>>>()
        }
    };
    let required = |found: HashMap<String, Option<u64>>| -> HashMap<String, u64> {
        found.into_iter().map(|(id, seq)| (id, seq.unwrap())).collect()
    };
    db.signals = required(pairs("SELECT id, audit_seq FROM delivered_signals").await);
    db.notices = required(pairs("SELECT id, audit_seq FROM match_notices").await);
    db.involvements = pairs("SELECT id, recorded_seq FROM involvements").await;
    db.consents = pairs("SELECT id, recorded_seq FROM consents").await;
    let seq_and_org = |row: &sqlx::any::AnyRow| {
        (u64::try_from(row.try_get::<i64, _>(0).unwrap()).unwrap(), row.try_get::<String, _>(1).unwrap())
    };
    for sql in ["SELECT audit_seq, to_org_id FROM delivered_signals", "SELECT audit_seq, to_org_id FROM match_notices"]
    {
        db.arrivals.extend(sqlx::query(sql).fetch_all(&pool).await.unwrap().iter().map(seq_and_org));
    }
    for row in sqlx::query("SELECT audit_seq, org_id, notice_id, state FROM outbox").fetch_all(&pool).await.unwrap() {
        let notice = (row.try_get::<String, _>(2).unwrap(), row.try_get::<String, _>(3).unwrap());
        db.outbox.entry(seq_and_org(&row)).or_default().push(notice);
    }
    let checkpoints: i64 =
        sqlx::query("SELECT COUNT(*) FROM audit_checkpoints").fetch_one(&pool).await.unwrap().try_get(0).unwrap();
    db.checkpoints = usize::try_from(checkpoints).unwrap();
    pool.close().await;
    db
}

/// Whether a request left a trace.
#[derive(Debug, PartialEq, Eq)]
enum Unit {
    Absent,
    /// Its entries and every effect they account for; the id of what it recorded or delivered.
    Complete(String),
}

impl Db {
    /// What `sent` left: nothing, or its whole unit. Anything in between fails the test.
    fn unit_of(&self, sent: &Sent) -> Unit {
        let Some(seqs) = self.by_request.get(&sent.request_id) else { return Unit::Absent };
        let what = format!("{} ({:?})", sent.request_id, sent.step);
        let events: Vec<&str> = seqs.iter().map(|seq| self.entries[seq].event.as_str()).collect();
        let expected: &[&str] = match sent.step {
            Step::WorkerRegisters => &["decision", "match_notice", "match_notice"],
            Step::YouthConsents | Step::ParentConsents => &["consent_recorded"],
            _ => &["decision"],
        };
        assert_eq!(events, expected, "{what}: the unit's entries");
        assert!(seqs.windows(2).all(|pair| pair[1] == pair[0] + 1), "{what}: one unit is one run of the chain");
        let seq = seqs[0];
        let entry = &self.entries[&seq];
        let id = entry.subject.clone().unwrap_or_else(|| panic!("{what}: the entry names what it delivered"));
        let effect = match sent.step {
            Step::MentorRegisters | Step::WorkerRegisters => self.involvements.get(&id).copied().flatten(),
            Step::FeedbackRequest | Step::Answer => self.signals.get(&id).copied(),
            Step::YouthConsents | Step::ParentConsents => self.consents.get(&id).copied().flatten(),
        };
        assert_eq!(effect, Some(seq), "{what}: an entry without its effect");
        if entry.event == "decision" {
            assert_eq!(entry.decision.as_deref(), Some("allow"), "{what}");
        }
        for notice in &seqs[1..] {
            let subject = self.entries[notice].subject.clone().unwrap();
            assert_eq!(self.notices.get(&subject), Some(notice), "{what}: a match notice entry without its notice");
        }
        Unit::Complete(id)
    }

    /// Every arrival in an inbox queued exactly one notice for the recipient's webhook, and no
    /// notice was queued for an arrival that is not there.
    fn check_every_arrival_has_its_notice(&self) {
        for arrival in &self.arrivals {
            let queued = self.outbox.get(arrival).map_or(0, Vec::len);
            assert_eq!(queued, 1, "arrival {arrival:?}: {queued} notices queued");
        }
        assert_eq!(self.outbox.len(), self.arrivals.len(), "a notice queued for what did not arrive");
    }

    /// Nothing is delivered or recorded without the audit entry that accounts for it, and no
    /// entry says something was delivered that is not there.
    fn check_every_effect_has_its_entry(&self) {
        let accounted = |kind: &str, id: &str, seq: Option<u64>, event: &str| {
            let seq = seq.unwrap_or_else(|| panic!("{kind} {id} has no audit entry"));
            let entry = self.entries.get(&seq).unwrap_or_else(|| panic!("{kind} {id}: entry {seq} is not in the log"));
            assert_eq!(entry.event, event, "{kind} {id}: entry {seq}");
            assert_eq!(entry.subject.as_deref(), Some(id), "{kind} {id}: entry {seq} is about something else");
        };
        for (id, seq) in &self.signals {
            accounted("signal", id, Some(*seq), "decision");
        }
        for (id, seq) in &self.notices {
            accounted("match notice", id, Some(*seq), "match_notice");
        }
        for (id, seq) in &self.involvements {
            accounted("involvement", id, *seq, "decision");
        }
        for (id, seq) in &self.consents {
            accounted("consent", id, *seq, "consent_recorded");
        }
        for (seq, entry) in &self.entries {
            let Some(subject) = &entry.subject else { continue };
            let effect = match (entry.event.as_str(), entry.decision.as_deref()) {
                ("decision", Some("allow")) => {
                    self.signals.get(subject).copied().or(self.involvements.get(subject).copied().flatten())
                }
                ("match_notice", _) => self.notices.get(subject).copied(),
                ("consent_recorded", _) => self.consents.get(subject).copied().flatten(),
                _ => continue,
            };
            assert_eq!(effect, Some(*seq), "entry {seq} ({}) without the effect it records", entry.event);
        }
    }
}

/// How many of the requests in `sent` that got no answer had committed before the kill.
fn committed_unanswered(db: &Db, sent: &[Sent]) -> usize {
    sent.iter()
        .filter(|s| matches!(s.heard, Heard::CutOff | Heard::Shed { .. }) && db.unit_of(s) != Unit::Absent)
        .count()
}

/// The checks after a kill, over everything sent in every round so far.
fn check(db: &Db, sent: &[Sent]) {
    db.check_every_effect_has_its_entry();
    db.check_every_arrival_has_its_notice();
    let ours: HashMap<&str, &Sent> = sent.iter().map(|s| (s.request_id.as_str(), s)).collect();
    for (request_id, seqs) in &db.by_request {
        if request_id.starts_with("crash-") {
            assert!(ours.contains_key(request_id.as_str()), "entries {seqs:?} of a request never sent: {request_id}");
        }
    }
    for sent in sent {
        let unit = db.unit_of(sent);
        match &sent.heard {
            Heard::Acked { id } => {
                assert_eq!(unit, Unit::Complete(id.clone()), "{}: acknowledged, so it is there", sent.request_id)
            }
            Heard::AckedWithoutBody => {
                assert!(matches!(unit, Unit::Complete(_)), "{}: acknowledged, so it is there", sent.request_id)
            }
            Heard::NotConnected => assert_eq!(unit, Unit::Absent, "{}: never reached the server", sent.request_id),
            Heard::Shed { status } if *status == StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(unit, Unit::Absent, "{}: turned away, so nothing was done", sent.request_id)
            }
            // Nothing, or the whole unit: `unit_of` fails on anything in between.
            Heard::CutOff | Heard::Shed { .. } => {}
            Heard::Refused { status, body } => panic!("{}: {status} {body}", sent.request_id),
        }
    }
}

/// Waits until the outbox holds nothing pending, then checks that every notice is delivered
/// and reached the receiver with a signature its library accepts. How many there were.
async fn delivered_notices(url: &str, receiver: &Receiver) -> usize {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let until = Instant::now() + Duration::from_secs(120);
    let notices: Vec<(String, String)> = loop {
        let rows = sqlx::query("SELECT notice_id, state FROM outbox").fetch_all(&pool).await.unwrap();
        let notices: Vec<(String, String)> =
            rows.iter().map(|row| (row.try_get(0).unwrap(), row.try_get(1).unwrap())).collect();
        if notices.iter().all(|(_, state)| state != "pending") || Instant::now() > until {
            break notices;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    pool.close().await;
    let received = receiver.received().await;
    let verified: std::collections::HashSet<&str> =
        received.iter().filter(|a| a["verified"] == true).filter_map(|a| a["id"].as_str()).collect();
    for (id, state) in &notices {
        assert_eq!(state, "delivered", "notice {id}");
        assert!(verified.contains(id.as_str()), "notice {id} never reached the receiver");
    }
    assert!(received.iter().all(|a| a["verified"] == true), "every delivery verifies");
    notices.len()
}

/// `ketenpoort audit verify` on the database: exits 0 and says the log is intact.
fn verify(url: &str, keys: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_ketenpoort"))
        .args(["--database", url, "--keys", keys.to_str().unwrap(), "audit", "verify"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "audit verify: {said}{}", String::from_utf8_lossy(&output.stderr));
    assert!(said.starts_with("audit log intact: "), "{said}");
    said.trim().to_owned()
}

/// The demo region's organisations, accounts and certificates, straight into the store.
/// With webhooks for the school and the team, both to `receiver`.
async fn seed_region(url: &str, keys: &Path, receiver: &Receiver) {
    let store: Arc<dyn ketenpoort::store::Store> = Arc::new(ketenpoort::store::SqlStore::open(url).await.unwrap());
    let keys = ketenpoort::keys::load(keys).unwrap();
    let gateway = ketenpoort::app::gateway(store, &keys, CHECKPOINT_EVERY).await.unwrap();
    let region = ketenpoort::demo::region().unwrap();
    ketenpoort::demo::seed(&gateway, &region, &certs_dev(), ketenpoort::clock::now()).await.unwrap();
    let notices = ketenpoort::notices::NoticesConfig { allow_private_webhooks: true, ..Default::default() };
    for org in ["lyceum-noord", "buurtteam-oost"] {
        let occasion = ketenpoort::exchange::Occasion::at(ketenpoort::clock::now());
        let org_id = ketenpoort::framework::OrgId(org.into());
        let (_, hook) = gateway
            .set_webhook(ketenpoort::identity::operator(), &org_id, &receiver.hook(org), &notices, &occasion)
            .await
            .unwrap();
        receiver.control("secret", json!({ "name": org, "secret": hook.secret })).await;
    }
}

fn write_config(dir: &Path, url: &str, keys: &Path) -> PathBuf {
    let certs = certs_dev();
    let config = dir.join("ketenpoort.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"{url}\"\nkeys = \"{keys}\"\ncheckpoint_every = {CHECKPOINT_EVERY}\n\
             [notices]\nallow_private_webhooks = true\nwebhook_ca = \"{certs}/ca.crt\"\n\
             [tls]\ncert = \"{certs}/server.crt\"\nkey = \"{certs}/server.key\"\nclient_ca = \"{certs}/ca.crt\"\n",
            keys = keys.display(),
            certs = certs.display(),
        ),
    )
    .unwrap();
    config
}

/// Errors in a server's log are a failed start or a failure under load.
fn assert_no_errors(logs: &str) {
    assert!(!logs.lines().any(|line| line.contains("ERROR")), "the server logged errors:\n{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exchanges_acknowledged_before_a_sigkill_are_there_after_it_with_their_audit_entries() {
    let seed = std::env::var("KETENPOORT_CRASH_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("crash safety: seed {seed} (KETENPOORT_CRASH_SEED={seed} repeats the kill moments)");
    let mut rng = fastrand::Rng::with_seed(seed);
    let began = Instant::now();

    let dir = tempfile::tempdir().unwrap();
    let url = database::fresh_url(dir.path(), "k.db");
    let keys = dir.path().join("k.keys");
    ketenpoort::keys::generate(&keys, false).unwrap();
    let receiver = Receiver::start();
    seed_region(&url, &keys, &receiver).await;
    let config = write_config(dir.path(), &url, &keys);

    let next_youth = Arc::new(AtomicU64::new(0));
    let mut sent: Vec<Sent> = Vec::new();
    let (mut server, _) = Server::start(&config).await;
    for round in 1..=ROUNDS {
        let load = Load::new(&server, round, &next_youth);
        let kill_after = Duration::from_millis(rng.u64(KILL_AFTER_MS));
        let started = Instant::now();
        let tellers: Vec<_> = (0..TASKS).map(|_| tokio::spawn(tell_stories(load.clone()))).collect();
        let acked_at_least = |count: usize| {
            let load = load.clone();
            async move {
                while load.acked.load(Ordering::SeqCst) < count {
                    assert!(
                        started.elapsed() < Duration::from_secs(20),
                        "round {round}: too few exchanges acknowledged"
                    );
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
        };
        acked_at_least(1).await;
        let warm = started.elapsed();
        tokio::time::sleep(kill_after).await;
        acked_at_least(ACKED_BEFORE_KILL).await;
        // Not in a lull (every session backing off after load shedding): the kill is to fall on
        // requests under way.
        while load.in_flight.load(Ordering::SeqCst) < TASKS / 2 {
            assert!(started.elapsed() < Duration::from_secs(20), "round {round}: no requests under way");
            tokio::task::yield_now().await;
        }
        let acked_before_kill = load.acked.load(Ordering::SeqCst);
        let killed_at = started.elapsed() - warm;
        let logs = server.kill();
        for teller in tellers {
            tokio::time::timeout(Duration::from_secs(30), teller).await.unwrap().unwrap();
        }
        assert_no_errors(&logs);

        let this_round = load.take_sent();
        let acked = acked(&this_round);
        let cut_off = this_round.iter().filter(|s| matches!(s.heard, Heard::CutOff)).count();
        let shed = this_round.iter().filter(|s| matches!(s.heard, Heard::Shed { .. })).count();
        assert!(acked >= acked_before_kill.max(ACKED_BEFORE_KILL), "round {round}: the load ran before the kill");
        assert!(cut_off >= 1, "round {round}: the kill fell while requests were in flight");
        let from = sent.len();
        sent.extend(this_round);

        // The same database, a new process: it starts, is ready, and lost nothing it acknowledged.
        let (restarted, start_took) = Server::start(&config).await;
        server = restarted;
        let db = read_db(&url).await;
        check(&db, &sent);
        let committed_unanswered = committed_unanswered(&db, &sent[from..]);
        let intact = verify(&url, &keys);
        eprintln!(
            "round {round}: killed {killed_at:?} after the first acknowledgement (drawn {kill_after:?}, first after \
             {warm:?}); {acked} exchanges acknowledged \
             ({shed} turned away by load shedding first), {cut_off} cut off \
             ({committed_unanswered} of them had committed: whole units); restarted and ready in {start_took:?}; \
             {} entries, {} checkpoints; {intact}",
            db.entries.len(),
            db.checkpoints,
        );
    }

    // After the last crash the server works as before, and stops cleanly with a checkpoint.
    let last = Load::new(&server, ROUNDS + 1, &next_youth);
    let story = tokio::spawn(tell_stories(last.clone()));
    while last.acked.load(Ordering::SeqCst) < STORY.len() * 2 {
        assert!(!story.is_finished(), "the restarted server stopped answering");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let logs = server.stop();
    story.await.unwrap();
    assert_no_errors(&logs);
    assert!(logs.contains("checkpoint"), "{logs}");
    sent.extend(last.take_sent());
    let db = read_db(&url).await;
    check(&db, &sent);
    // Every notice queued is delivered at last, those a killed instance held once their lease
    // ran out: none lost (a repeat is allowed: at least once).
    let (mut server, _) = Server::start(&config).await;
    let sent_notices = delivered_notices(&url, &receiver).await;
    assert_no_errors(&server.stop());
    let intact = verify(&url, &keys);
    eprintln!(
        "crash safety: {ROUNDS} kills, {} exchanges acknowledged, all present; {sent_notices} notices, all \
         delivered; {intact}; {:?} in all",
        acked(&sent),
        began.elapsed()
    );
}
