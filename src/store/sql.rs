//! The SQL store: SQLite (one file in WAL mode, the embedded default) or PostgreSQL (the
//! production store), chosen by the URL. One implementation serves both through sqlx's `Any`
//! driver: the queries use numbered placeholders (`$1`), integers, text and bytes only, and
//! the few differences — schema, how appends are serialised — are in [`Backend`]. On a SQLite
//! file, the three paths every exchange or check takes go through rusqlite instead, on threads
//! that do not hand each row across: the youth look-up (`sqlite_direct`), the appends
//! (`writes::AppendThread`, the same statements as sqlx's, from `writes`) and the chain read
//! of `audit verify` (`sqlite_chain`).
//!
//! Durability: SQLite runs with `synchronous = FULL`, so a committed audit entry survives power
//! loss; PostgreSQL commits durably by default (keep `synchronous_commit = on`, `fsync = on`).
//! Appends are serialised so that the chain never forks: within a process by a lock, across
//! processes by `BEGIN IMMEDIATE` (SQLite) or a transaction-scoped advisory lock (PostgreSQL),
//! held until the entries and their effects commit.

use std::str::FromStr;

mod notices;

use async_trait::async_trait;
use serde::{Serialize, de::DeserializeOwned};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Connection as _, Row};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::directory::{DirectoryMemory, changes_directory};
use super::sqlite_direct::{self, DirectReads};
use super::writes::{AppendThread, Writes, v};
use super::{
    Account, Answer, Audited, Certificate, ChainBatch, DeliveredSignal, Effect, FactHistory, FactKind, FactOwner,
    InboxItem, Link, MatchNotice, OidcLogin, Organisation, PastDecision, PolicyText, PolicyVersion, Recorded,
    RetentionCounts, Store, StoreError, StoredEntry, Thread, WebSession, YouthId, read_chain_in_pages, word,
};
use crate::audit::{AuditActor, AuditEntry, AuditQuery, AuditScope, ChainHash, Checkpoint, Order, micros};
use crate::framework::{Consent, Involvement, Measure, OrgId, Report, Signal};
use crate::youth::{BirthDate, Pseudonym};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The row of `facts_of_youths!` that names a youth, from `$from` (id, birth_date, key_id,
/// pseudonym, died_at).
macro_rules! youth_row_of {
    ($from:expr) => {
        concat!(
            "SELECT 'youth' AS kind, id AS youth, key_id AS id, pseudonym AS org, died_at AS t1, \
                CAST(NULL AS BIGINT) AS t2, CAST(NULL AS BIGINT) AS t3, birth_date AS x1, CAST(NULL AS TEXT) AS x2, \
                CAST(NULL AS TEXT) AS x3, CAST(NULL AS TEXT) AS x4, CAST(NULL AS TEXT) AS x5, \
                CAST(NULL AS BIGINT) AS recorded_seq, CAST(NULL AS BIGINT) AS ended_seq FROM ",
            $from
        )
    };
}

/// The fact rows of `facts_of_youths!` of the youths whose id is `youth_id $which`.
macro_rules! fact_rows_of {
    ($which:expr) => {
        concat!(
            "SELECT 'involvement' AS kind, youth_id AS youth, id, org_id AS org, registered_at AS t1, \
                expires_at AS t2, withdrawn_at AS t3, withdrawal AS x1, \
                CASE WHEN historic_match_seq IS NULL THEN NULL ELSE 'sent' END AS x2, NULL AS x3, NULL AS x4, NULL AS x5, \
                recorded_seq, ended_seq FROM involvements WHERE youth_id ", $which, " \
            UNION ALL SELECT 'measure', youth_id, id, org_id, starts_at, ends_at, NULL, NULL, NULL, NULL, NULL, NULL, \
                recorded_seq, ended_seq FROM measures WHERE youth_id ", $which, " \
            UNION ALL SELECT 'consent', youth_id, id, holder_org_id, valid_from, valid_until, revoked_at, given_by, \
                recipient_orgs, recipient_kinds, signals, purposes, recorded_seq, ended_seq FROM consents \
                WHERE youth_id ", $which, " \
            UNION ALL SELECT 'report', youth_id, NULL, from_org_id, reported_at, NULL, NULL, to_org_id, NULL, NULL, \
                NULL, NULL, recorded_seq, NULL FROM reports WHERE youth_id ", $which
        )
    };
}

/// Everything known about the youths that `$youth` selects (id, birth_date, key_id, pseudonym)
/// in rows of one shape: `kind` says which, `youth` whose; the columns a kind does not have are
/// NULL.
macro_rules! facts_of_youths {
    ($youth:expr) => {
        concat!("WITH y AS (", $youth, ") ", youth_row_of!("y"), " UNION ALL ", fact_rows_of!("IN (SELECT id FROM y)"))
    };
}

/// The youth behind a pseudonym that is their own or an alias (`$1` key id, `$2` value).
macro_rules! youth_by_pseudonym {
    () => {
        "SELECT id, birth_date, key_id, pseudonym, died_at FROM youths WHERE key_id = $1 AND pseudonym = $2 \
         UNION ALL SELECT y.id, y.birth_date, y.key_id, y.pseudonym, y.died_at FROM youth_aliases a \
         JOIN youths y ON y.id = a.youth_id WHERE a.key_id = $1 AND a.pseudonym = $2 LIMIT 1"
    };
}

const FACTS_BY_ID: &str =
    facts_of_youths!("SELECT id, birth_date, key_id, pseudonym, died_at FROM youths WHERE id = $1");

const FACTS_BY_PSEUDONYM: &str = facts_of_youths!(youth_by_pseudonym!());

/// `FACTS_BY_PSEUDONYM` in two steps, the youth and then their facts by id, for SQLite: it
/// would keep the youth of the `WITH` in a temporary table, and the `IN` in four more.
const YOUTH_ROW_BY_PSEUDONYM: &str = youth_row_of!(concat!("(", youth_by_pseudonym!(), ")"));
const FACT_ROWS_BY_ID: &str = fact_rows_of!("= $1");

/// A row of `facts_of_youths!` as a driver hands it over: its columns by name.
pub(super) trait FactColumns {
    fn text(&self, column: &str) -> Result<Option<String>, StoreError>;
    fn int(&self, column: &str) -> Result<Option<i64>, StoreError>;
}

impl FactColumns for AnyRow {
    fn text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.try_get(column).map_err(db)
    }
    fn int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.try_get(column).map_err(db)
    }
}

impl FactColumns for rusqlite::Row<'_> {
    fn text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get(column).map_err(sqlite_direct::sqlite)
    }
    fn int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.get(column).map_err(sqlite_direct::sqlite)
    }
}

/// The youths' facts gathered from the rows of `facts_of_youths!`, each with the youth's id and
/// own pseudonym, in the order the youths came.
#[derive(Default)]
pub(super) struct FactsOfYouths {
    youths: Vec<(YouthId, Pseudonym, FactHistory)>,
    index: std::collections::HashMap<i64, usize>,
    facts: Vec<(i64, FactRow)>,
}

impl FactsOfYouths {
    pub fn add(&mut self, row: &impl FactColumns) -> Result<(), StoreError> {
        let needed = |column: &str| row.text(column)?.ok_or_else(|| StoreError::Corrupt(format!("fact {column}")));
        let at = |column: &str| row.int(column).and_then(optional_time);
        let needed_at = |column: &str| at(column)?.ok_or_else(|| StoreError::Corrupt(format!("fact {column}")));
        let youth = row.int("youth")?.ok_or_else(|| StoreError::Corrupt("fact youth".into()))?;
        let seq = |column| Ok::<_, StoreError>(row.int(column)?.and_then(|seq| u64::try_from(seq).ok()));
        let seqs = (seq("recorded_seq")?, seq("ended_seq")?);
        let fact = match needed("kind")?.as_str() {
            "youth" => {
                let birth_date: BirthDate =
                    needed("x1")?.parse().map_err(|_| StoreError::Corrupt("birth date".into()))?;
                let pseudonym = Pseudonym { key_id: needed("id")?, value: needed("org")? };
                self.index.insert(youth, self.youths.len());
                let history = FactHistory { died_at: at("t1")?, ..FactHistory::of(birth_date) };
                self.youths.push((YouthId(youth), pseudonym, history));
                return Ok(());
            }
            "involvement" => FactRow::Involvement(recorded(
                Involvement {
                    id: needed("id")?,
                    org: OrgId(needed("org")?),
                    registered_at: needed_at("t1")?,
                    expires_at: needed_at("t2")?,
                    withdrawn_at: at("t3")?,
                    withdrawal: optional_word(row.text("x1")?)?,
                    historic_match_sent: row.text("x2")?.is_some(),
                },
                seqs,
            )),
            "measure" => FactRow::Measure(recorded(
                Measure { id: needed("id")?, org: OrgId(needed("org")?), from: needed_at("t1")?, until: at("t2")? },
                seqs,
            )),
            "consent" => FactRow::Consent(recorded(
                Consent {
                    id: needed("id")?,
                    given_by: word(&needed("x1")?)?,
                    holder: OrgId(needed("org")?),
                    recipient_orgs: parse_list(&needed("x2")?)?,
                    recipient_kinds: parse_list(&needed("x3")?)?,
                    signals: parse_list(&needed("x4")?)?,
                    purposes: parse_list(&needed("x5")?)?,
                    valid_from: needed_at("t1")?,
                    valid_until: at("t2")?,
                    revoked_at: at("t3")?,
                },
                seqs,
            )),
            "report" => FactRow::Report(recorded(
                Report { from: OrgId(needed("org")?), to: OrgId(needed("x1")?), at: needed_at("t1")? },
                seqs,
            )),
            other => return Err(StoreError::Corrupt(format!("fact of kind `{other}`"))),
        };
        self.facts.push((youth, fact));
        Ok(())
    }

    /// The first youth added, if any.
    pub fn first_youth(&self) -> Option<YouthId> {
        self.youths.first().map(|(id, _, _)| *id)
    }

    pub fn finish(mut self) -> Vec<(YouthId, Pseudonym, FactHistory)> {
        for (youth, fact) in self.facts {
            let Some(&i) = self.index.get(&youth) else { continue };
            let history = &mut self.youths[i].2;
            match fact {
                FactRow::Involvement(mut fact) => {
                    // §8: whatever a registration from before said, it ends at the 23rd birthday.
                    fact.fact.expires_at = fact.fact.expires_at.min(history.birth_date.ages_out_at());
                    history.involvements.push(fact)
                }
                FactRow::Measure(fact) => history.measures.push(fact),
                FactRow::Consent(fact) => history.consents.push(fact),
                FactRow::Report(fact) => history.reports.push(fact),
            }
        }
        self.youths
    }
}

/// A fact with the audit entries that recorded it and its end.
fn recorded<T>(fact: T, (recorded_seq, ended_seq): (Option<u64>, Option<u64>)) -> Recorded<T> {
    Recorded { recorded_seq, ended_seq, fact }
}

fn youth_facts_of(rows: &[AnyRow]) -> Result<Vec<(YouthId, Pseudonym, FactHistory)>, StoreError> {
    let mut found = FactsOfYouths::default();
    for row in rows {
        found.add(row)?;
    }
    Ok(found.finish())
}

/// One fact row of `facts_of_youths!`.
enum FactRow {
    Involvement(Recorded<Involvement>),
    Measure(Recorded<Measure>),
    Consent(Recorded<Consent>),
    Report(Recorded<Report>),
}

/// §8: a youth (`y`) with nothing left to keep at `$1`, enrolled before `$2`: no involvement
/// kept beyond `$1`, and every consent and measure ended, or the youth 23 or dead. The grace of
/// `$2` spares a youth enrolled a moment ago whose registration is still on its way.
const DESTROYABLE: &str = "y.enrolled_at < $2 AND y.ages_out_at IS NOT NULL \
    AND NOT EXISTS (SELECT 1 FROM involvements i WHERE i.youth_id = y.id AND (i.keep_until IS NULL OR i.keep_until > $1)) \
    AND (y.ages_out_at <= $1 OR y.died_at <= $1 OR ( \
        NOT EXISTS (SELECT 1 FROM measures m WHERE m.youth_id = y.id AND (m.ends_at IS NULL OR m.ends_at > $1)) \
        AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.youth_id = y.id \
            AND (c.revoked_at IS NULL OR c.revoked_at > $1) AND (c.valid_until IS NULL OR c.valid_until > $1))))";

/// A delivered signal whose youth was destroyed: nothing reaches it, the purge deletes it.
const DESTROYED: &str = "NOT EXISTS (SELECT 1 FROM youths y WHERE y.id = delivered_signals.youth_id)";

/// How many rows of delivered signals one transaction of a purge looks at: long enough to be
/// quick in all, short enough (about a second at most) for exchanges to wait it out.
const PURGE_ROWS: i64 = 100_000;

/// The purge's own page cache, in MiB: a range's index pages stay in it until the commit
/// instead of being spilled to the WAL and read back (measured: 38 s with 8 MiB, 28 s with 64).
const PURGE_CACHE_MIB: u32 = 64;

/// Page cache per SQLite connection: eight connections stay well inside the memory budget.
const SQLITE_CACHE_MIB: u32 = 8;

/// The advisory lock key that serialises appends to the chain on PostgreSQL ("ketenpoo").
const CHAIN_LOCK: i64 = 0x6b65_7465_6e70_6f6f;

/// Which database the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Conflict(format!(
                "`{}` is not a database URL Ketenpoort knows: use sqlite://FILE or postgres://…",
                url.split('@').next_back().unwrap_or(url)
            )))
        }
    }
}

pub struct SqlStore {
    pool: AnyPool,
    /// Where a SQLite file's appends are written; `None`: on a connection of the pool.
    append_thread: Option<AppendThread>,
    backend: Backend,
    /// Kept for PostgreSQL's notification connection; it may hold a password: never logged.
    url: String,
    /// Serialises appends within this process; the database does so across processes.
    append_lock: Mutex<()>,
    directory: DirectoryMemory,
    /// The hot reads of a SQLite file, without sqlx's hand-over between threads.
    direct: Option<DirectReads>,
}

/// How long a unit of work waits for a connection before it is refused as busy: well inside
/// a request's timeout, so a surge is answered 503 rather than queued without end.
const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How every SQLite connection of the store is set up: durable commits, checked references, a
/// wait for the writer's lock rather than an error.
/// `secure_delete`: what retention destroys (§8) is overwritten in the file, not left in its
/// free pages for whoever reads the file's bytes.
pub(super) const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;";

/// A pool of `connections`, each set up for durability and the caller's page cache.
fn pool_options(backend: Backend, connections: u32, sqlite_cache_mib: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(connections).acquire_timeout(POOL_WAIT).after_connect(move |conn, _| {
        Box::pin(async move {
            if backend == Backend::Sqlite {
                sqlx::raw_sql(SQLITE_SETTINGS).execute(&mut *conn).await?;
                // Negative: in KiB.
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "PRAGMA cache_size = -{}",
                    u64::from(sqlite_cache_mib) * 1024
                )))
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    })
}

impl SqlStore {
    /// Opens the database at `url` (creating a SQLite file if missing) and brings its schema up
    /// to date. `pool_size` bounds the connections (PostgreSQL; SQLite uses 8, or 1 in memory).
    pub async fn open(url: &str) -> Result<SqlStore, StoreError> {
        Self::open_with(url, 10).await
    }

    pub async fn open_with(url: &str, pool_size: u32) -> Result<SqlStore, StoreError> {
        Self::open_tuned(url, pool_size, SQLITE_CACHE_MIB).await
    }

    /// As [`SqlStore::open_with`], with `sqlite_cache_mib` MiB of page cache per SQLite
    /// connection: more for a bulk load (`dev seed`), whose random index inserts otherwise read
    /// the same pages from the file again and again.
    pub async fn open_tuned(url: &str, pool_size: u32, sqlite_cache_mib: u32) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let (url, connections) = match backend {
            Backend::Sqlite => {
                // Each connection to `:memory:` is a database of its own: keep exactly one.
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let url = if in_memory || url.contains("mode=") {
                    url.to_owned()
                } else {
                    format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
                };
                (url, if in_memory { 1 } else { 8 })
            }
            Backend::Postgres => (url.to_owned(), pool_size.max(1)),
        };
        let listen_url = url.clone();
        let pool = pool_options(backend, connections, sqlite_cache_mib).connect(&url).await.map_err(db)?;
        let append_thread = match backend {
            Backend::Sqlite if connections > 1 => {
                let file =
                    super::sqlite_file(&listen_url).ok_or_else(|| StoreError::NotFound("database file".into()))?;
                Some(AppendThread::start(&file, sqlite_cache_mib)?)
            }
            _ => None,
        };
        let direct = match backend {
            Backend::Sqlite => super::sqlite_file(&listen_url).map(|file| DirectReads::new(file, sqlite_cache_mib)),
            Backend::Postgres => None,
        };
        let store = SqlStore {
            pool,
            append_thread,
            backend,
            url: listen_url,
            append_lock: Mutex::new(()),
            directory: DirectoryMemory::default(),
            direct,
        };
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite database file, when this store is one (not in memory).
    fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        super::sqlite_file(&self.url).filter(|path| path.is_file())
    }
}

/// A value bound to a query assembled at run time.
enum Bind {
    Text(String),
    Int(i64),
}

/// The conflicts a write meets, in the words either driver's error is told in.
pub(super) const ALREADY_EXISTS: &str = "it already exists";
pub(super) const UNKNOWN_REFERENCE: &str = "it refers to an unknown organisation, youth or signal";

pub(super) fn db(error: sqlx::Error) -> StoreError {
    if matches!(error, sqlx::Error::PoolTimedOut) {
        return StoreError::Busy;
    }
    if let Some(database) = error.as_database_error() {
        if database.is_unique_violation() {
            return StoreError::Conflict(ALREADY_EXISTS.into());
        }
        if database.is_foreign_key_violation() {
            return StoreError::Conflict(UNKNOWN_REFERENCE.into());
        }
    }
    StoreError::Database(Box::new(error))
}

fn time_of(micros: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .map_err(|_| StoreError::Corrupt(format!("time {micros} out of range")))
}

fn optional_time(micros: Option<i64>) -> Result<Option<OffsetDateTime>, StoreError> {
    micros.map(time_of).transpose()
}

fn list<T: Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn parse_list<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("list `{text}`: {e}")))
}

fn optional_word<T: FromStr>(text: Option<String>) -> Result<Option<T>, StoreError> {
    text.as_deref().map(word).transpose()
}

fn hash_of(bytes: &[u8]) -> Result<ChainHash, StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt("a chain hash is not 32 bytes".into()))
}

fn entry_of(row: &AnyRow) -> Result<StoredEntry, StoreError> {
    let get_text = |column: &str| row.try_get::<Option<String>, _>(column).map_err(db);
    let youth = match (get_text("youth_key_id")?, get_text("youth_pseudonym")?) {
        (Some(key_id), Some(value)) => Some(Pseudonym { key_id, value }),
        _ => None,
    };
    let mut entry = AuditEntry {
        seq: u64::try_from(row.try_get::<i64, _>("seq").map_err(db)?).unwrap_or_default(),
        at: time_of(row.try_get("at").map_err(db)?)?,
        recorded_at: time_of(row.try_get("recorded_at").map_err(db)?)?,
        request_id: row.try_get("request_id").map_err(db)?,
        actor: AuditActor {
            account: get_text("actor_account")?,
            org: get_text("actor_org")?,
            org_kind: optional_word(get_text("actor_org_kind")?)?,
            role: optional_word(get_text("actor_role")?)?,
            authenticated_by: row.try_get("authenticated_by").map_err(db)?,
        },
        event: word(&row.try_get::<String, _>("event").map_err(db)?)?,
        action: optional_word(get_text("action")?)?,
        signal: optional_word(get_text("signal")?)?,
        purpose: optional_word(get_text("purpose")?)?,
        youth,
        recipient_org: get_text("recipient_org")?,
        decision: optional_word(get_text("decision")?)?,
        basis: optional_word(get_text("basis")?)?,
        reason: None,
        withdrawal: None,
        matched_rules: parse_list(&row.try_get::<String, _>("matched_rules").map_err(db)?)?,
        policy_version: get_text("policy_version")?,
        obligations: parse_list(&row.try_get::<String, _>("obligations").map_err(db)?)?,
        justification: get_text("justification")?,
        consents: parse_list(&row.try_get::<String, _>("consents").map_err(db)?)?,
        subject: get_text("subject")?,
    };
    if let Some(reason) = get_text("reason")? {
        entry.set_reason_word(&reason).map_err(|_| StoreError::Corrupt(format!("unknown word `{reason}`")))?;
    }
    Ok(StoredEntry { entry, prev_hash: row.try_get("prev_hash").map_err(db)?, hash: row.try_get("hash").map_err(db)? })
}

fn past_decision_of(row: &AnyRow) -> Result<PastDecision, StoreError> {
    let get_text = |column: &str| row.try_get::<Option<String>, _>(column).map_err(db);
    let youth = match (get_text("youth_key_id")?, get_text("youth_pseudonym")?) {
        (Some(key_id), Some(value)) => Some(Pseudonym { key_id, value }),
        _ => None,
    };
    Ok(PastDecision {
        seq: u64::try_from(row.try_get::<i64, _>("seq").map_err(db)?).unwrap_or_default(),
        at: time_of(row.try_get("at").map_err(db)?)?,
        actor_org: get_text("actor_org")?.map(OrgId),
        actor_org_kind: optional_word(get_text("actor_org_kind")?)?,
        actor_role: optional_word(get_text("actor_role")?)?,
        action: optional_word(get_text("action")?)?,
        signal: optional_word(get_text("signal")?)?,
        purpose: optional_word(get_text("purpose")?)?,
        youth,
        recipient_org: get_text("recipient_org")?.map(OrgId),
        decision: optional_word(get_text("decision")?)?,
        matched_rules: parse_list(&row.try_get::<String, _>("matched_rules").map_err(db)?)?,
        justification: get_text("justification")?,
    })
}

fn checkpoint_of(row: &AnyRow) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        seq: u64::try_from(row.try_get::<i64, _>("seq").map_err(db)?).unwrap_or_default(),
        hash: hash_of(&row.try_get::<Vec<u8>, _>("hash").map_err(db)?)?,
        at: time_of(row.try_get("at").map_err(db)?)?,
        key_id: row.try_get("key_id").map_err(db)?,
        signature: row.try_get("signature").map_err(db)?,
    })
}

const SIGNAL_COLUMNS: &str = "s.id, s.youth_id, s.from_org_id, s.from_account, s.to_org_id, s.signal, s.purpose, \
     s.in_reply_to, s.delivered_at, s.audit_seq";

fn signal_of(row: &AnyRow) -> Result<DeliveredSignal, StoreError> {
    Ok(DeliveredSignal {
        id: row.try_get("id").map_err(db)?,
        youth: YouthId(row.try_get("youth_id").map_err(db)?),
        from_org: OrgId(row.try_get("from_org_id").map_err(db)?),
        from_account: row.try_get("from_account").map_err(db)?,
        to_org: OrgId(row.try_get("to_org_id").map_err(db)?),
        signal: word(&row.try_get::<String, _>("signal").map_err(db)?)?,
        purpose: word(&row.try_get::<String, _>("purpose").map_err(db)?)?,
        in_reply_to: row.try_get("in_reply_to").map_err(db)?,
        delivered_at: time_of(row.try_get("delivered_at").map_err(db)?)?,
    })
}

fn pseudonym_of(row: &AnyRow) -> Result<Pseudonym, StoreError> {
    Ok(Pseudonym { key_id: row.try_get("key_id").map_err(db)?, value: row.try_get("pseudonym").map_err(db)? })
}

fn seq_of(row: &AnyRow) -> Result<u64, StoreError> {
    Ok(u64::try_from(row.try_get::<i64, _>("audit_seq").map_err(db)?).unwrap_or_default())
}

fn org_of(row: &AnyRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: OrgId(row.try_get("id").map_err(db)?),
        kind: word(&row.try_get::<String, _>("kind").map_err(db)?)?,
        name: row.try_get("name").map_err(db)?,
        contact: row.try_get("contact").map_err(db)?,
    })
}

fn policy_version_of(row: &AnyRow) -> Result<PolicyVersion, StoreError> {
    Ok(PolicyVersion {
        text: PolicyText {
            version: row.try_get("id").map_err(db)?,
            model: row.try_get("model").map_err(db)?,
            rules: row.try_get("rules").map_err(db)?,
        },
        status: row.try_get::<String, _>("status").map_err(db)?.parse()?,
        note: row.try_get("note").map_err(db)?,
        author: row.try_get("author").map_err(db)?,
        approver: row.try_get("approver").map_err(db)?,
        created_at: time_of(row.try_get("created_at").map_err(db)?)?,
    })
}

fn account_of(row: &AnyRow) -> Result<Account, StoreError> {
    let issuer: Option<String> = row.try_get("oidc_issuer").map_err(db)?;
    let subject: Option<String> = row.try_get("oidc_subject").map_err(db)?;
    Ok(Account {
        id: row.try_get("id").map_err(db)?,
        org: OrgId(row.try_get("org_id").map_err(db)?),
        role: word(&row.try_get::<String, _>("role").map_err(db)?)?,
        display_name: row.try_get("display_name").map_err(db)?,
        contact: row.try_get("contact").map_err(db)?,
        oidc: issuer.zip(subject),
        email: row.try_get("email").map_err(db)?,
    })
}

/// When an organisation or account was disabled, if it was.
fn disabled_at_of(row: &AnyRow) -> Result<Option<OffsetDateTime>, StoreError> {
    optional_time(row.try_get("disabled_at").map_err(db)?)
}

/// A run that one instance of several does once a day, claimed by a row for the day.
#[derive(Clone, Copy)]
enum DailyRun {
    Retention,
    Digest,
}

impl SqlStore {
    /// Claims `day` for `run`: true for the one instance (of several) whose row went in.
    async fn claim_day(&self, run: DailyRun, day: &str, at: OffsetDateTime) -> Result<bool, StoreError> {
        let sql = match run {
            DailyRun::Retention => {
                "INSERT INTO retention_runs (day, started_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING"
            }
            DailyRun::Digest => {
                "INSERT INTO digest_runs (day, started_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING"
            }
        };
        let claimed = sqlx::query(sql).bind(day).bind(micros(at)).execute(&self.pool).await.map_err(db)?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The answers to `request`, in delivery order.
    async fn answers(&self, request: &str) -> Result<Vec<Answer>, StoreError> {
        sqlx::query(
            "SELECT id, signal, from_org_id, delivered_at FROM delivered_signals WHERE in_reply_to = $1 ORDER BY audit_seq",
        )
        .bind(request)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            Ok(Answer {
                id: row.try_get("id").map_err(db)?,
                signal: word(&row.try_get::<String, _>("signal").map_err(db)?)?,
                from_org: OrgId(row.try_get("from_org_id").map_err(db)?),
                delivered_at: time_of(row.try_get("delivered_at").map_err(db)?)?,
            })
        })
        .collect()
    }
}

fn is_request(signal: Signal) -> bool {
    matches!(signal, Signal::FeedbackRequest | Signal::ContactRequest)
}

/// Registers an organisation or updates its name and contact; its kind never changes.
async fn upsert_org(conn: &mut impl Writes, org: &Organisation) -> Result<(), StoreError> {
    let kind: Option<String> = conn.text("SELECT kind FROM organisations WHERE id = $1", &[v(&org.id.0)]).await?;
    if let Some(kind) = kind
        && kind != org.kind.as_str()
    {
        return Err(StoreError::Conflict(format!(
            "organisation `{}` is already registered as `{kind}`, not `{}`",
            org.id, org.kind
        )));
    }
    conn.run(
        "INSERT INTO organisations (id, kind, name, contact) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, contact = excluded.contact",
        &[v(&org.id.0), v(org.kind.as_str()), v(&org.name), v(&org.contact)],
    )
    .await?;
    Ok(())
}

async fn add_certificate(
    conn: &mut impl Writes,
    fingerprint: &str,
    org: &OrgId,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    conn.run(
        "INSERT INTO organisation_certificates (fingerprint, org_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (fingerprint) DO NOTHING",
        &[v(fingerprint), v(&org.0), v(micros(at))],
    )
    .await?;
    // A certificate never moves to another organisation: whoever registered it would otherwise
    // make a partner's system speak as their own organisation.
    let holder: String = conn
        .text("SELECT org_id FROM organisation_certificates WHERE fingerprint = $1", &[v(fingerprint)])
        .await?
        .ok_or_else(|| StoreError::NotFound("certificate".into()))?;
    if holder != org.0 {
        return Err(StoreError::Conflict("this certificate is registered for another organisation".into()));
    }
    // A disabled certificate stays disabled: a lost key must not come back by registering it.
    let disabled = conn
        .text(
            "SELECT fingerprint FROM organisation_certificates WHERE fingerprint = $1 AND disabled_at IS NOT NULL",
            &[v(fingerprint)],
        )
        .await?;
    if disabled.is_some() {
        return Err(StoreError::Conflict("this certificate was disabled; a new key needs a new certificate".into()));
    }
    Ok(())
}

/// Registers an account or updates its role, name and contact; it never moves to another
/// organisation.
async fn upsert_account(conn: &mut impl Writes, account: &Account) -> Result<(), StoreError> {
    let org: Option<String> = conn.text("SELECT org_id FROM accounts WHERE id = $1", &[v(&account.id)]).await?;
    if let Some(org) = org
        && org != account.org.0
    {
        return Err(StoreError::Conflict(format!("account `{}` belongs to `{org}`", account.id)));
    }
    conn.run(
        "INSERT INTO accounts (id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET role = excluded.role, \
         display_name = excluded.display_name, contact = excluded.contact, oidc_issuer = excluded.oidc_issuer, \
         oidc_subject = excluded.oidc_subject, email = excluded.email",
        &[
            v(&account.id),
            v(&account.org.0),
            v(account.role.as_str()),
            v(&account.display_name),
            v(&account.contact),
            v(account.oidc.as_ref().map(|(issuer, _)| issuer.as_str())),
            v(account.oidc.as_ref().map(|(_, subject)| subject.as_str())),
            v(&account.email),
        ],
    )
    .await?;
    Ok(())
}

/// Entries sealed into the chain (entry, previous hash, hash), waiting to be written.
type Sealed = (AuditEntry, ChainHash, ChainHash);

const ENTRY_COLUMNS: usize = 27;
/// Rows per INSERT: within SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const ENTRIES_PER_INSERT: usize = 128;

/// Writes sealed entries with multi-row INSERTs.
async fn insert_entries(conn: &mut impl Writes, backend: Backend, sealed: &[Sealed]) -> Result<(), StoreError> {
    for chunk in sealed.chunks(ENTRIES_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_entries (seq, at, recorded_at, request_id, actor_account, actor_org, actor_org_kind, \
             actor_role, authenticated_by, event, action, signal, purpose, youth_key_id, youth_pseudonym, \
             recipient_org, decision, basis, reason, matched_rules, policy_version, obligations, justification, \
             consents, subject, prev_hash, hash) VALUES ",
        );
        for row in 0..chunk.len() {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..ENTRY_COLUMNS {
                if column > 0 {
                    sql.push_str(", ");
                }
                // SQLite finds a numbered parameter by a scan of all names, which makes binding
                // thousands of them quadratic; its anonymous `?` are bound in order.
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => {
                        sql.push('$');
                        sql.push_str(&(row * ENTRY_COLUMNS + column + 1).to_string());
                    }
                }
            }
            sql.push(')');
        }
        let mut values = Vec::with_capacity(chunk.len() * ENTRY_COLUMNS);
        for (entry, prev, hash) in chunk {
            values.extend([
                v(i64::try_from(entry.seq).unwrap_or(i64::MAX)),
                v(micros(entry.at)),
                v(micros(entry.recorded_at)),
                v(entry.request_id.as_str()),
                v(entry.actor.account.as_deref()),
                v(entry.actor.org.as_deref()),
                v(entry.actor.org_kind.map(|k| k.as_str())),
                v(entry.actor.role.map(|r| r.as_str())),
                v(entry.actor.authenticated_by.as_str()),
                v(entry.event.as_str()),
                v(entry.action.map(|a| a.as_str())),
                v(entry.signal.map(|s| s.as_str())),
                v(entry.purpose.map(|p| p.as_str())),
                v(entry.youth.as_ref().map(|y| y.key_id.as_str())),
                v(entry.youth.as_ref().map(|y| y.value.as_str())),
                v(entry.recipient_org.as_deref()),
                v(entry.decision.map(|d| d.as_str())),
                v(entry.basis.map(|b| b.as_str())),
                v(entry.reason_word()),
                v(list(&entry.matched_rules)),
                v(entry.policy_version.as_deref()),
                v(list(&entry.obligations)),
                v(entry.justification.as_deref()),
                v(list(&entry.consents)),
                v(entry.subject.as_deref()),
                v(prev.as_slice()),
                v(hash.as_slice()),
            ]);
        }
        // Only placeholders are generated: every value is bound.
        conn.run(&sql, &values).await?;
    }
    Ok(())
}

/// Ends a fact of `org` at `at` (withdraws, ends, revokes); `NotFound` when there is none to end.
async fn end(
    conn: &mut impl Writes,
    sql: &'static str,
    (at, seq): (OffsetDateTime, i64),
    id: &str,
    org: &OrgId,
    what: &str,
) -> Result<(), StoreError> {
    let result = conn.run(sql, &[v(micros(at)), v(seq), v(id), v(&org.0)]).await?;
    if result == 0 { Err(StoreError::NotFound(what.into())) } else { Ok(()) }
}

/// Forwards PostgreSQL's policy notifications until the receiver is dropped.
async fn listen(url: &str, tell: &tokio::sync::mpsc::Sender<()>) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(POLICY_CHANNEL).await?;
    loop {
        listener.recv().await?;
        if tell.send(()).await.is_err() {
            return Ok(());
        }
    }
}

/// The channel on which PostgreSQL tells every instance that a policy version was activated.
const POLICY_CHANNEL: &str = "ketenpoort_policy";

async fn apply(conn: &mut impl Writes, backend: Backend, seq: u64, effect: &Effect) -> Result<(), StoreError> {
    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
    match effect {
        Effect::Deliver(signal) => {
            // No foreign key says so (a destroyed youth's signals wait for the purge without
            // them): a signal is delivered about a youth whose record is here.
            let youth = conn.text("SELECT CAST(id AS TEXT) FROM youths WHERE id = $1", &[v(signal.youth.0)]).await?;
            if youth.is_none() {
                return Err(StoreError::Conflict(UNKNOWN_REFERENCE.into()));
            }
            conn.run(
                "INSERT INTO delivered_signals (id, audit_seq, youth_id, from_org_id, from_account, to_org_id, signal, \
                 purpose, in_reply_to, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    v(&signal.id),
                    v(seq),
                    v(signal.youth.0),
                    v(&signal.from_org.0),
                    v(&signal.from_account),
                    v(&signal.to_org.0),
                    v(signal.signal.as_str()),
                    v(signal.purpose.as_str()),
                    v(&signal.in_reply_to),
                    v(micros(signal.delivered_at)),
                ],
            )
            .await?;
            notices::tell(conn, &signal.to_org, signal.signal.as_str(), seq).await?;
            if signal.signal == Signal::SafetyConcern {
                conn.run(
                    "INSERT INTO reports (id, youth_id, from_org_id, to_org_id, reported_at, signal_id, recorded_seq) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        v(uuid::Uuid::new_v4().to_string()),
                        v(signal.youth.0),
                        v(&signal.from_org.0),
                        v(&signal.to_org.0),
                        v(micros(signal.delivered_at)),
                        v(&signal.id),
                        v(seq),
                    ],
                )
                .await?;
            }
        }
        Effect::RecordInvolvement { youth, involvement: i, keep_until } => {
            conn.run(
                "INSERT INTO involvements (id, youth_id, org_id, registered_at, expires_at, withdrawn_at, withdrawal, \
                 keep_until, recorded_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    v(&i.id),
                    v(youth.0),
                    v(&i.org.0),
                    v(micros(i.registered_at)),
                    v(micros(i.expires_at)),
                    v(i.withdrawn_at.map(micros)),
                    v(i.withdrawal.map(|w| w.as_str())),
                    v(micros(*keep_until)),
                    v(seq),
                ],
            )
            .await?;
        }
        Effect::WithdrawInvolvement { id, org, at, reason, keep_until } => {
            let done = conn
                .run(
                    "UPDATE involvements SET withdrawn_at = $1, ended_seq = $2, withdrawal = $3, keep_until = $4 \
                     WHERE id = $5 AND org_id = $6 AND withdrawn_at IS NULL AND expires_at > $1",
                    &[v(micros(*at)), v(seq), v(reason.as_str()), v(micros(*keep_until)), v(id), v(&org.0)],
                )
                .await?;
            if done == 0 {
                return Err(StoreError::NotFound("an active involvement of this organisation".into()));
            }
        }
        Effect::RecordDeath { youth, at } => {
            let at = micros(*at);
            let done = conn
                .run(
                    "UPDATE youths SET died_at = $1, died_seq = $2 WHERE id = $3 AND died_at IS NULL",
                    &[v(at), v(seq), v(youth.0)],
                )
                .await?;
            if done == 0 {
                return Err(StoreError::Conflict("this youth's death is recorded already".into()));
            }
            // Every involvement that runs ends now, without a reason (the death is the reason);
            // no archive outlives the death.
            conn.run(
                "UPDATE involvements SET withdrawn_at = $1, ended_seq = $2, keep_until = $1 WHERE youth_id = $3 \
                 AND withdrawn_at IS NULL AND expires_at > $1",
                &[v(at), v(seq), v(youth.0)],
            )
            .await?;
            conn.run(
                "UPDATE involvements SET keep_until = $1 WHERE youth_id = $2 AND (keep_until IS NULL OR keep_until > $1)",
                &[v(at), v(youth.0)],
            )
            .await?;
            conn.run(
                "UPDATE measures SET ends_at = $1, ended_seq = $2 WHERE youth_id = $3 AND (ends_at IS NULL OR ends_at > $1)",
                &[v(at), v(seq), v(youth.0)],
            )
            .await?;
        }
        Effect::NameParents { youth, parents } => {
            for parent in parents {
                conn.run(
                    "INSERT INTO youth_parents (youth_id, key_id, pseudonym) VALUES ($1, $2, $3) \
                     ON CONFLICT (youth_id, key_id, pseudonym) DO NOTHING",
                    &[v(youth.0), v(&parent.key_id), v(&parent.value)],
                )
                .await?;
            }
        }
        Effect::DestroyInvolvement { id, due } => {
            let done = conn
                .run("DELETE FROM involvements WHERE id = $1 AND keep_until <= $2", &[v(id), v(micros(*due))])
                .await?;
            if done == 0 {
                return Err(StoreError::NotFound(format!("involvement `{id}` due for destruction")));
            }
        }
        Effect::DestroyYouth { youth, at, enrolled_before } => {
            // Checked again here, where appends are serialised: a consent or registration that
            // came since the run found this youth keeps them.
            let due = format!("SELECT CAST(y.id AS TEXT) FROM youths y WHERE {DESTROYABLE} AND y.id = $3");
            let still = conn.text(&due, &[v(micros(*at)), v(micros(*enrolled_before)), v(youth.0)]).await?;
            if still.is_none() {
                return Err(StoreError::Conflict("this youth has something to keep again".into()));
            }
            for sql in [
                "DELETE FROM involvements WHERE youth_id = $1",
                "DELETE FROM reports WHERE youth_id = $1",
                "DELETE FROM match_notices WHERE youth_id = $1",
                "DELETE FROM case_leads WHERE youth_id = $1",
                "DELETE FROM consents WHERE youth_id = $1",
                "DELETE FROM measures WHERE youth_id = $1",
                "DELETE FROM youth_parents WHERE youth_id = $1",
                "DELETE FROM youth_aliases WHERE youth_id = $1",
                "DELETE FROM youths WHERE id = $1",
            ] {
                conn.run(sql, &[v(youth.0)]).await?;
            }
        }
        Effect::RecordMeasure { youth, measure: m } => {
            conn.run("INSERT INTO measures (id, youth_id, org_id, starts_at, ends_at, recorded_seq) VALUES ($1, $2, $3, $4, $5, $6)", &[v(&m.id), v(youth.0), v(&m.org.0), v(micros(m.from)), v(m.until.map(micros)), v(seq)]).await?;
        }
        Effect::EndMeasure { id, org, at } => {
            let sql =
                "UPDATE measures SET ends_at = $1, ended_seq = $2 WHERE id = $3 AND org_id = $4 AND ends_at IS NULL";
            end(conn, sql, (*at, seq), id, org, "a running measure of this organisation").await?;
        }
        Effect::RecordConsent { youth, consent: c } => {
            conn.run(
                "INSERT INTO consents (id, youth_id, given_by, holder_org_id, recipient_orgs, recipient_kinds, signals, \
                 purposes, valid_from, valid_until, revoked_at, recorded_seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", &[v(&c.id), v(youth.0), v(c.given_by.as_str()), v(&c.holder.0), v(list(&c.recipient_orgs)), v(list(&c.recipient_kinds)), v(list(&c.signals)), v(list(&c.purposes)), v(micros(c.valid_from)), v(c.valid_until.map(micros)), v(c.revoked_at.map(micros)), v(seq)]).await?;
        }
        Effect::RevokeConsent { id, holder, at } => {
            let sql = "UPDATE consents SET revoked_at = $1, ended_seq = $2 WHERE id = $3 AND holder_org_id = $4 AND revoked_at IS NULL";
            end(conn, sql, (*at, seq), id, holder, "a consent held by this organisation that is not revoked").await?;
        }
        Effect::RecordReport { youth, report } => {
            conn.run(
                "INSERT INTO reports (id, youth_id, from_org_id, to_org_id, reported_at, recorded_seq) VALUES ($1, $2, $3, $4, $5, $6)", &[v(uuid::Uuid::new_v4().to_string()), v(youth.0), v(&report.from.0), v(&report.to.0), v(micros(report.at)), v(seq)]).await?;
        }
        Effect::DraftPolicy { text, note, author, at } => {
            conn.run(
                "INSERT INTO policy_versions (id, status, model, rules, note, author, created_at) VALUES ($1, 'draft', $2, $3, $4, $5, $6)", &[v(&text.version), v(&text.model), v(&text.rules), v(note), v(author), v(micros(*at))]).await?;
        }
        Effect::ApprovePolicy { id, approver, at } => {
            let done = conn
                .run(
                    "UPDATE policy_versions SET status = 'approved', approver = $1, approved_at = $2 \
                 WHERE id = $3 AND status = 'draft' AND (author IS NULL OR author <> $4)",
                    &[v(approver), v(micros(*at)), v(id), v(approver)],
                )
                .await?;
            if done == 0 {
                return Err(StoreError::Conflict(format!("`{id}` is not a draft that {approver} may approve")));
            }
        }
        Effect::ActivatePolicy { id, at } => {
            let status: Option<String> =
                conn.text("SELECT status FROM policy_versions WHERE id = $1", &[v(id)]).await?;
            match status.as_deref() {
                Some("approved" | "retired") => {}
                Some(other) => {
                    return Err(StoreError::Conflict(format!(
                        "version `{id}` is {other}: only an approved or retired version can be activated"
                    )));
                }
                None => return Err(StoreError::NotFound(format!("policy version `{id}`"))),
            }
            conn.run(
                "UPDATE policy_versions SET status = 'retired', retired_at = $1 WHERE status = 'active'",
                &[v(micros(*at))],
            )
            .await?;
            conn.run(
                "UPDATE policy_versions SET status = 'active', activated_at = $1 WHERE id = $2",
                &[v(micros(*at)), v(id)],
            )
            .await?;
            if backend == Backend::Postgres {
                // Delivered to every listening instance when this transaction commits.
                conn.run("SELECT pg_notify($1, $2)", &[v(POLICY_CHANNEL), v(id)]).await?;
            }
        }
        Effect::DeliverMatchNotice(notice) => {
            conn.run(
                "INSERT INTO match_notices (id, kind, audit_seq, youth_id, to_org_id, other_org_id, delivered_at, \
                 recipient_side) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    v(&notice.id),
                    v(notice.kind.as_str()),
                    v(seq),
                    v(notice.youth.0),
                    v(&notice.to_org.0),
                    v(&notice.other_org.0),
                    v(micros(notice.delivered_at)),
                    v(if notice.to_registrant { "registrant" } else { "known" }),
                ],
            )
            .await?;
            notices::tell(conn, &notice.to_org, notice.kind.as_str(), seq).await?;
            if let Some(archived) = &notice.from_archive {
                // Once per archived involvement (§8): a second registration finds it given, and
                // of two at the same moment, the later one fails whole rather than give it twice.
                let marked = conn
                    .run(
                        "UPDATE involvements SET historic_match_seq = $1 WHERE id = $2 AND historic_match_seq IS NULL",
                        &[v(seq), v(archived)],
                    )
                    .await?;
                if marked == 0 {
                    return Err(StoreError::Conflict(
                        "that archived involvement gave its historic match already".into(),
                    ));
                }
            }
        }
        Effect::RegisterOrg(org) => upsert_org(conn, org).await?,
        Effect::RegisterCertificate { fingerprint, org, at } => add_certificate(conn, fingerprint, org, *at).await?,
        Effect::RegisterAccount(account) => upsert_account(conn, account).await?,
        Effect::DisableOrg { id, at } => {
            let done = conn
                .run(
                    "UPDATE organisations SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL",
                    &[v(micros(*at)), v(&id.0)],
                )
                .await?;
            if done == 0 {
                return Err(StoreError::NotFound(format!("active organisation `{id}`")));
            }
        }
        Effect::DisableCertificate { fingerprint, org, at } => {
            let done = conn
                .run(
                    "UPDATE organisation_certificates SET disabled_at = $1 \
                     WHERE fingerprint = $2 AND org_id = $3 AND disabled_at IS NULL",
                    &[v(micros(*at)), v(fingerprint), v(&org.0)],
                )
                .await?;
            if done == 0 {
                return Err(StoreError::NotFound("active certificate of your organisation".into()));
            }
        }
        Effect::DisableAccount { id, at } => {
            let done = conn
                .run(
                    "UPDATE accounts SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL",
                    &[v(micros(*at)), v(id)],
                )
                .await?;
            if done == 0 {
                return Err(StoreError::NotFound(format!("active account `{id}`")));
            }
        }
        Effect::SetCaseLead { youth, org, at } => {
            conn.run(
                "INSERT INTO case_leads (youth_id, org_id, since, audit_seq) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (youth_id) DO UPDATE SET org_id = excluded.org_id, since = excluded.since, \
                 audit_seq = excluded.audit_seq",
                &[v(youth.0), v(&org.0), v(micros(*at)), v(seq)],
            )
            .await?;
        }
        Effect::SetWebhook(webhook) => notices::set_webhook(conn, webhook).await?,
        Effect::RemoveWebhook { org, at } => notices::remove_webhook(conn, org, *at).await?,
    }
    Ok(())
}

/// A purge on SQLite, which has one writer: ranges of rowids (the table's order, and the
/// signals' time order with it), each in a transaction of its own, in turn with the appends.
async fn purge_in_ranges(conn: &mut sqlx::AnyConnection, append_lock: &Mutex<()>) -> Result<u64, StoreError> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(rowid) FROM delivered_signals").fetch_one(&mut *conn).await.map_err(db)?;
    let sql = format!("DELETE FROM delivered_signals WHERE rowid > $1 AND rowid <= $2 AND {DESTROYED}");
    let (mut purged, mut from) = (0, 0);
    while from < last.unwrap_or(0) {
        let to = from.saturating_add(PURGE_ROWS);
        {
            let _serialised = append_lock.lock().await;
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            tx.commit().await.map_err(db)?;
            purged += done.rows_affected();
        }
        // Passive: it copies what no reader still needs and waits for nobody.
        sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *conn).await.map_err(db)?;
        from = to;
    }
    Ok(purged)
}

/// Whether an entry is an exchange done that waits for a privacy officer's review.
fn is_queued_for_review(entry: &AuditEntry) -> bool {
    entry.event == crate::audit::AuditEvent::Decision
        && entry.decision == Some(crate::framework::Outcome::Allow)
        && entry.obligations.contains(&crate::framework::Obligation::PrivacyReview)
}

/// Each unit's sealed entries, or why the unit left no trace; the outer error fails them all.
pub(super) type Outcomes = Result<Vec<Result<Vec<(u64, ChainHash)>, StoreError>>, StoreError>;

/// [`Store::append_group`] inside a transaction `tx` holds with the chain locked: the head read,
/// each unit sealed and written (behind a savepoint when it has effects). The caller commits.
pub(super) async fn append_units(
    tx: &mut impl Writes,
    backend: Backend,
    units: Vec<Vec<Audited>>,
    link: Link,
) -> Outcomes {
    let (mut seq, mut prev) = tx.chain_head().await?;
    let mut outcomes = Vec::with_capacity(units.len());
    // Units without effects (decisions not taken up, dry runs, looks) cannot fail on their
    // own: they are sealed at once and written together. A unit with effects is written
    // behind a savepoint, so that its failure leaves the chain as if it had never come.
    let mut unwritten: Vec<Sealed> = Vec::new();
    for work in units {
        if work.iter().all(|audited| audited.effect.is_none()) {
            let mut sealed = Vec::with_capacity(work.len());
            for Audited { mut entry, .. } in work {
                seq += 1;
                entry.seq = seq;
                let hash = link(&prev, &entry);
                sealed.push((seq, hash));
                unwritten.push((entry, prev, hash));
                prev = hash;
            }
            outcomes.push(Ok(sealed));
            continue;
        }
        insert_entries(tx, backend, &unwritten).await?;
        unwritten.clear();
        tx.run("SAVEPOINT unit", &[]).await?;
        let mut sealed = Vec::with_capacity(work.len());
        let mut entries = Vec::with_capacity(work.len());
        let mut effects = Vec::new();
        let (mut unit_seq, mut unit_prev) = (seq, prev);
        for Audited { mut entry, effect } in work {
            unit_seq += 1;
            entry.seq = unit_seq;
            let hash = link(&unit_prev, &entry);
            sealed.push((unit_seq, hash));
            entries.push((entry, unit_prev, hash));
            effects.extend(effect.map(|effect| (unit_seq, effect)));
            unit_prev = hash;
        }
        // The unit's entries first, then their effects, which refer to them.
        let mut failed = insert_entries(tx, backend, &entries).await.err();
        for (entry_seq, effect) in &effects {
            if failed.is_some() {
                break;
            }
            failed = apply(tx, backend, *entry_seq, effect).await.err();
        }
        // An exchange queued for the privacy officer's review (§6): they hear of it.
        for (entry, _, _) in &entries {
            if failed.is_some() {
                break;
            }
            if let Some(org) = entry.actor.org.as_deref().filter(|_| is_queued_for_review(entry)) {
                let seq = i64::try_from(entry.seq).unwrap_or(i64::MAX);
                failed = notices::tell_review(tx, org, seq).await.err();
            }
        }
        match failed {
            None => {
                tx.run("RELEASE SAVEPOINT unit", &[]).await?;
                (seq, prev) = (unit_seq, unit_prev);
                outcomes.push(Ok(sealed));
            }
            Some(error) => {
                // As if the unit had never come: the chain goes on from where it stood.
                tx.run("ROLLBACK TO SAVEPOINT unit", &[]).await?;
                tx.run("RELEASE SAVEPOINT unit", &[]).await?;
                outcomes.push(Err(error));
            }
        }
    }
    insert_entries(tx, backend, &unwritten).await?;
    Ok(outcomes)
}

#[async_trait]
impl Store for SqlStore {
    async fn webhook(&self, org: &OrgId) -> Result<Option<crate::notices::Webhook>, StoreError> {
        self.webhook_of(org).await
    }

    async fn take_due_notices(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<crate::notices::DueNotice>, StoreError> {
        self.take_notices(now, lease, limit).await
    }

    async fn settle_notices(&self, settled: &[crate::notices::Settled]) -> Result<(), StoreError> {
        self.settle(settled).await
    }

    async fn prune_notices(&self, before: OffsetDateTime, limit: u32) -> Result<u64, StoreError> {
        self.prune(before, limit).await
    }

    async fn deliveries(&self, org: &OrgId, limit: u32) -> Result<Vec<crate::notices::Delivery>, StoreError> {
        self.deliveries_of(org, limit).await
    }

    async fn take_digest_notices(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<crate::notices::DueNotice>, StoreError> {
        self.take_digests(now, lease, limit).await
    }

    async fn claim_digest_day(&self, day: &str, at: OffsetDateTime) -> Result<bool, StoreError> {
        self.claim_day(DailyRun::Digest, day, at).await
    }

    async fn notice_settings(&self, account: &str) -> Result<Option<crate::notices::mail::NoticeSettings>, StoreError> {
        self.notice_settings_of(account).await
    }

    async fn set_notice_settings(
        &self,
        account: &str,
        notify: crate::notices::mail::Notify,
        lang: crate::web::i18n::Lang,
    ) -> Result<(), StoreError> {
        self.set_notice_settings_of(account, notify, lang).await
    }

    async fn policy_changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>> {
        if self.backend != Backend::Postgres {
            return None;
        }
        let (tell, heard) = tokio::sync::mpsc::channel(8);
        let url = self.url.clone();
        tokio::spawn(async move {
            loop {
                match listen(&url, &tell).await {
                    // The receiver is gone: nobody listens any more.
                    Ok(()) => return,
                    Err(error) => {
                        tracing::warn!(%error, "policy notifications interrupted; the periodic check covers it");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Some(heard)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrations = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrations.run(&self.pool).await.map_err(|e| StoreError::Database(Box::new(e)))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    async fn add_certificate(&self, fingerprint: &str, org: &OrgId, at: OffsetDateTime) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let written = add_certificate(&mut *conn, fingerprint, org, at).await;
        self.directory.forget_all();
        written
    }

    async fn certificate_holder(
        &self,
        fingerprint: &str,
        account: Option<&str>,
    ) -> Result<Option<(Organisation, Option<Account>)>, StoreError> {
        if let Some(holder) = self.directory.holder(fingerprint, account) {
            return Ok(Some(holder));
        }
        let row = sqlx::query(
            "SELECT o.id, o.kind, o.name, o.contact, a.id AS account_id, a.org_id AS account_org, a.role, \
             a.display_name, a.contact AS account_contact, a.oidc_issuer, a.oidc_subject, a.email \
             FROM organisation_certificates c JOIN organisations o ON o.id = c.org_id \
             LEFT JOIN accounts a ON a.id = $2 AND a.disabled_at IS NULL \
             WHERE c.fingerprint = $1 AND c.disabled_at IS NULL AND o.disabled_at IS NULL",
        )
        .bind(fingerprint)
        .bind(account)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let account_found = match row.try_get::<Option<String>, _>("account_id").map_err(db)? {
            None => None,
            Some(id) => {
                let issuer: Option<String> = row.try_get("oidc_issuer").map_err(db)?;
                let subject: Option<String> = row.try_get("oidc_subject").map_err(db)?;
                Some(Account {
                    id,
                    org: OrgId(row.try_get("account_org").map_err(db)?),
                    role: word(&row.try_get::<String, _>("role").map_err(db)?)?,
                    display_name: row.try_get("display_name").map_err(db)?,
                    contact: row.try_get("account_contact").map_err(db)?,
                    oidc: issuer.zip(subject),
                    email: row.try_get("email").map_err(db)?,
                })
            }
        };
        let holder = (org_of(&row)?, account_found);
        self.directory.remember_holder(fingerprint, account, &holder);
        Ok(Some(holder))
    }

    async fn upsert_account(&self, account: &Account) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let written = upsert_account(&mut *conn, account).await;
        self.directory.forget_all();
        written
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email FROM accounts WHERE id = $1 AND disabled_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(account_of).transpose()
    }

    async fn orgs(&self) -> Result<Vec<Organisation>, StoreError> {
        sqlx::query("SELECT id, kind, name, contact FROM organisations WHERE disabled_at IS NULL ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(org_of)
            .collect()
    }

    async fn accounts(&self, org: &OrgId) -> Result<Vec<Account>, StoreError> {
        sqlx::query("SELECT id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email FROM accounts WHERE org_id = $1 ORDER BY id")
            .bind(&org.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(account_of)
            .collect()
    }

    async fn orgs_with_state(&self) -> Result<Vec<(Organisation, Option<OffsetDateTime>)>, StoreError> {
        sqlx::query("SELECT id, kind, name, contact, disabled_at FROM organisations ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(|row| Ok((org_of(row)?, disabled_at_of(row)?)))
            .collect()
    }

    async fn accounts_with_state(&self, org: &OrgId) -> Result<Vec<(Account, Option<OffsetDateTime>)>, StoreError> {
        sqlx::query(
            "SELECT id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email, disabled_at FROM accounts \
             WHERE org_id = $1 ORDER BY id",
        )
        .bind(&org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| Ok((account_of(row)?, disabled_at_of(row)?)))
        .collect()
    }

    async fn account_with_state(&self, id: &str) -> Result<Option<(Account, Option<OffsetDateTime>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email, disabled_at FROM accounts \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(|row| Ok((account_of(row)?, disabled_at_of(row)?))).transpose()
    }

    async fn account_by_oidc_with_state(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<(Account, Option<OffsetDateTime>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email, disabled_at FROM accounts \
             WHERE oidc_issuer = $1 AND oidc_subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(|row| Ok((account_of(row)?, disabled_at_of(row)?))).transpose()
    }

    async fn certificates(&self, org: &OrgId) -> Result<Vec<Certificate>, StoreError> {
        sqlx::query(
            "SELECT fingerprint, added_at, disabled_at FROM organisation_certificates WHERE org_id = $1 \
             ORDER BY fingerprint",
        )
        .bind(&org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| {
            Ok(Certificate {
                fingerprint: row.try_get("fingerprint").map_err(db)?,
                added_at: time_of(row.try_get("added_at").map_err(db)?)?,
                disabled_at: disabled_at_of(row)?,
            })
        })
        .collect()
    }

    async fn account_by_oidc(&self, issuer: &str, subject: &str) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT id, org_id, role, display_name, contact, oidc_issuer, oidc_subject, email FROM accounts \
             WHERE oidc_issuer = $1 AND oidc_subject = $2 AND disabled_at IS NULL",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(account_of).transpose()
    }

    async fn begin_oidc_login(&self, login: &OidcLogin) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_logins (state, provider, pkce_verifier, nonce, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&login.state)
        .bind(i64::try_from(login.provider).unwrap_or(i64::MAX))
        .bind(&login.pkce_verifier)
        .bind(&login.nonce)
        .bind(micros(login.created_at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn take_oidc_login(&self, state: &str) -> Result<Option<OidcLogin>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM oidc_logins WHERE state = $1 RETURNING state, provider, pkce_verifier, nonce, created_at",
        )
        .bind(state)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| {
            Ok(OidcLogin {
                state: row.try_get("state").map_err(db)?,
                provider: usize::try_from(row.try_get::<i64, _>("provider").map_err(db)?).unwrap_or(usize::MAX),
                pkce_verifier: row.try_get("pkce_verifier").map_err(db)?,
                nonce: row.try_get("nonce").map_err(db)?,
                created_at: time_of(row.try_get("created_at").map_err(db)?)?,
            })
        })
        .transpose()
    }

    async fn create_session(&self, session: &WebSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, account_id, authenticated_by, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(&session.account_id)
        .bind(&session.authenticated_by)
        .bind(&session.csrf_token)
        .bind(micros(session.created_at))
        .bind(micros(session.last_seen_at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, account_id, authenticated_by, csrf_token, created_at, last_seen_at \
             FROM web_sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| {
            Ok(WebSession {
                token_hash: row.try_get("token_hash").map_err(db)?,
                account_id: row.try_get("account_id").map_err(db)?,
                authenticated_by: row.try_get("authenticated_by").map_err(db)?,
                csrf_token: row.try_get("csrf_token").map_err(db)?,
                created_at: time_of(row.try_get("created_at").map_err(db)?)?,
                last_seen_at: time_of(row.try_get("last_seen_at").map_err(db)?)?,
            })
        })
        .transpose()
    }

    async fn touch_session(&self, token_hash: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(micros(at))
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn youth_pseudonym(&self, youth: YouthId) -> Result<Option<Pseudonym>, StoreError> {
        let row = sqlx::query("SELECT key_id, pseudonym FROM youths WHERE id = $1")
            .bind(youth.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(pseudonym_of).transpose()
    }

    async fn purge_sessions(
        &self,
        idle_before: OffsetDateTime,
        started_before: OffsetDateTime,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(micros(idle_before))
            .bind(micros(started_before))
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn purge_oidc_logins(&self, before: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
            .bind(micros(before))
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn find_youth(&self, youth: &Pseudonym) -> Result<Option<(YouthId, BirthDate, Pseudonym)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, birth_date, key_id, pseudonym, died_at FROM youths WHERE key_id = $1 AND pseudonym = $2 \
             UNION ALL SELECT y.id, y.birth_date, y.key_id, y.pseudonym, y.died_at FROM youth_aliases a \
             JOIN youths y ON y.id = a.youth_id WHERE a.key_id = $1 AND a.pseudonym = $2",
        )
        .bind(&youth.key_id)
        .bind(&youth.value)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|row| {
            let birth: String = row.try_get("birth_date").map_err(db)?;
            let birth = birth.parse().map_err(|_| StoreError::Corrupt("birth date".into()))?;
            Ok((YouthId(row.try_get("id").map_err(db)?), birth, pseudonym_of(&row)?))
        })
        .transpose()
    }

    async fn add_youth_alias(&self, youth: YouthId, alias: &Pseudonym) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO youth_aliases (key_id, pseudonym, youth_id) VALUES ($1, $2, $3) \
             ON CONFLICT (key_id, pseudonym) DO NOTHING",
        )
        .bind(&alias.key_id)
        .bind(&alias.value)
        .bind(youth.0)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn fact_owner(&self, kind: FactKind, id: &str) -> Result<Option<FactOwner>, StoreError> {
        let sql = match kind {
            FactKind::Involvement => {
                "SELECT f.youth_id, f.org_id AS owner, y.key_id, y.pseudonym FROM involvements f \
                 JOIN youths y ON y.id = f.youth_id WHERE f.id = $1"
            }
            FactKind::Measure => {
                "SELECT f.youth_id, f.org_id AS owner, y.key_id, y.pseudonym FROM measures f \
                 JOIN youths y ON y.id = f.youth_id WHERE f.id = $1"
            }
            FactKind::Consent => {
                "SELECT f.youth_id, f.holder_org_id AS owner, y.key_id, y.pseudonym FROM consents f \
                 JOIN youths y ON y.id = f.youth_id WHERE f.id = $1"
            }
        };
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await.map_err(db)?;
        row.map(|row| {
            Ok(FactOwner {
                youth: YouthId(row.try_get("youth_id").map_err(db)?),
                pseudonym: pseudonym_of(&row)?,
                org: OrgId(row.try_get("owner").map_err(db)?),
            })
        })
        .transpose()
    }

    async fn delivered_signal(&self, id: &str) -> Result<Option<DeliveredSignal>, StoreError> {
        // Joined with the youth: a destroyed youth's signals are gone already, purged or not.
        let sql = format!(
            "SELECT {SIGNAL_COLUMNS} FROM delivered_signals s JOIN youths y ON y.id = s.youth_id WHERE s.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(db)?;
        row.as_ref().map(signal_of).transpose()
    }

    async fn inbox(&self, org: &OrgId, after: u64, limit: u32) -> Result<Vec<InboxItem>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {SIGNAL_COLUMNS}, y.key_id, y.pseudonym FROM delivered_signals s JOIN youths y ON y.id = s.youth_id \
             WHERE s.to_org_id = $1 AND s.audit_seq > $2 ORDER BY s.audit_seq LIMIT $3"
        );
        let signals = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&org.0)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let notices = sqlx::query(
            "SELECT m.id, m.kind, m.audit_seq, m.youth_id, m.to_org_id, m.other_org_id, m.delivered_at, m.recipient_side, \
             y.key_id, y.pseudonym \
             FROM match_notices m JOIN youths y ON y.id = m.youth_id \
             WHERE m.to_org_id = $1 AND m.audit_seq > $2 ORDER BY m.audit_seq LIMIT $3",
        )
        .bind(&org.0)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;

        let mut items = Vec::with_capacity(signals.len() + notices.len());
        for row in &signals {
            let signal = signal_of(row)?;
            let answers = if is_request(signal.signal) { self.answers(&signal.id).await? } else { Vec::new() };
            items.push(InboxItem::Signal { seq: seq_of(row)?, signal, youth: pseudonym_of(row)?, answers });
        }
        for row in &notices {
            let notice = MatchNotice {
                id: row.try_get("id").map_err(db)?,
                kind: word(&row.try_get::<String, _>("kind").map_err(db)?)?,
                youth: YouthId(row.try_get("youth_id").map_err(db)?),
                to_org: OrgId(row.try_get("to_org_id").map_err(db)?),
                other_org: OrgId(row.try_get("other_org_id").map_err(db)?),
                delivered_at: time_of(row.try_get("delivered_at").map_err(db)?)?,
                to_registrant: row.try_get::<String, _>("recipient_side").map_err(db)? == "registrant",
                from_archive: None,
            };
            items.push(InboxItem::MatchNotice { seq: seq_of(row)?, notice, youth: pseudonym_of(row)? });
        }
        items.sort_by_key(InboxItem::seq);
        items.truncate(limit as usize);
        Ok(items)
    }

    async fn threads(&self, youth: YouthId, org: &OrgId) -> Result<Vec<Thread>, StoreError> {
        let sql = format!(
            "SELECT {SIGNAL_COLUMNS} FROM delivered_signals s WHERE s.youth_id = $1 AND (s.from_org_id = $2 OR s.to_org_id = $3) \
             AND s.signal IN ('feedback_request', 'contact_request') ORDER BY s.audit_seq"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(youth.0)
            .bind(&org.0)
            .bind(&org.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut threads = Vec::with_capacity(rows.len());
        for row in &rows {
            let request = signal_of(row)?;
            let answers = self.answers(&request.id).await?;
            threads.push(Thread { request, answers });
        }
        Ok(threads)
    }

    async fn case_lead(&self, youth: YouthId) -> Result<Option<OrgId>, StoreError> {
        let lead: Option<String> = sqlx::query_scalar("SELECT org_id FROM case_leads WHERE youth_id = $1")
            .bind(youth.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(lead.map(OrgId))
    }

    async fn upsert_org(&self, org: &Organisation) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let written = upsert_org(&mut *conn, org).await;
        self.directory.forget_all();
        written
    }

    async fn org(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError> {
        if let Some(org) = self.directory.org(&id.0) {
            return Ok(Some(org));
        }
        let row =
            sqlx::query("SELECT id, kind, name, contact FROM organisations WHERE id = $1 AND disabled_at IS NULL")
                .bind(&id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        let org = row.as_ref().map(org_of).transpose()?;
        if let Some(org) = &org {
            self.directory.remember_org(org);
        }
        Ok(org)
    }

    async fn enrol_youths(
        &self,
        youths: &[(Pseudonym, BirthDate)],
        at: OffsetDateTime,
    ) -> Result<Vec<(YouthId, Pseudonym)>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut enrolled = Vec::with_capacity(youths.len());
        for (youth, birth_date) in youths {
            let birth = birth_date.to_iso();
            // The write comes first: on SQLite a transaction that reads first cannot take the
            // write lock another writer holds (it fails at once, "database is locked").
            let reference = Pseudonym::random_reference(&youth.key_id);
            let insert = match self.backend {
                // SQLite would give a destroyed youth's id to the next youth enrolled (its rowid
                // is the highest plus one): a request that found the destroyed youth would then
                // write onto another child. Ids of destroyed youths are never given again.
                Backend::Sqlite => {
                    "INSERT INTO youths (id, key_id, pseudonym, birth_date, enrolled_at, ages_out_at) \
                     SELECT MAX(COALESCE((SELECT MAX(id) FROM youths), 0), f.floor) + 1, $1, $2, $3, $4, $5 \
                     FROM youth_id_floor f RETURNING id"
                }
                Backend::Postgres => {
                    "INSERT INTO youths (key_id, pseudonym, birth_date, enrolled_at, ages_out_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id"
                }
            };
            let id: i64 = sqlx::query(insert)
                .bind(&reference.key_id)
                .bind(&reference.value)
                .bind(&birth)
                .bind(micros(at))
                .bind(micros(birth_date.ages_out_at()))
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?
                .try_get("id")
                .map_err(db)?;
            // Known already (under this pseudonym, as their own from before references or as
            // an alias, perhaps enrolled a moment ago by another request): theirs is the youth.
            let known = sqlx::query(youth_by_pseudonym!())
                .bind(&youth.key_id)
                .bind(&youth.value)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            let aliased = match known {
                Some(_) => 0,
                None => sqlx::query(
                    "INSERT INTO youth_aliases (key_id, pseudonym, youth_id) VALUES ($1, $2, $3) \
                     ON CONFLICT (key_id, pseudonym) DO NOTHING",
                )
                .bind(&youth.key_id)
                .bind(&youth.value)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected(),
            };
            if aliased == 1 {
                enrolled.push((YouthId(id), reference));
                continue;
            }
            sqlx::query("DELETE FROM youths WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(db)?;
            let row = sqlx::query(youth_by_pseudonym!())
                .bind(&youth.key_id)
                .bind(&youth.value)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
                .ok_or_else(|| StoreError::NotFound("youth".into()))?;
            if row.try_get::<String, _>("birth_date").map_err(db)? != birth {
                return Err(StoreError::BirthDateMismatch);
            }
            enrolled.push((YouthId(row.try_get("id").map_err(db)?), pseudonym_of(&row)?));
        }
        tx.commit().await.map_err(db)?;
        Ok(enrolled)
    }

    async fn youth_parents(&self, youth: YouthId) -> Result<Vec<Pseudonym>, StoreError> {
        let rows =
            sqlx::query("SELECT key_id, pseudonym FROM youth_parents WHERE youth_id = $1 ORDER BY key_id, pseudonym")
                .bind(youth.0)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter().map(pseudonym_of).collect()
    }

    async fn family_involvements(
        &self,
        youth: YouthId,
        parents: &[Pseudonym],
        at: OffsetDateTime,
    ) -> Result<Vec<(YouthId, OrgId)>, StoreError> {
        let mut found: Vec<(YouthId, OrgId)> = Vec::new();
        for parent in parents {
            let rows = sqlx::query(
                "SELECT DISTINCT i.youth_id, i.org_id FROM youth_parents p \
                 JOIN involvements i ON i.youth_id = p.youth_id JOIN youths y ON y.id = p.youth_id \
                 WHERE p.key_id = $1 AND p.pseudonym = $2 AND p.youth_id <> $3 \
                 AND i.registered_at <= $4 AND i.expires_at > $4 AND (i.withdrawn_at IS NULL OR i.withdrawn_at > $4) \
                 AND (y.ages_out_at IS NULL OR y.ages_out_at > $4) AND (y.died_at IS NULL OR y.died_at > $4) \
                 ORDER BY i.youth_id, i.org_id",
            )
            .bind(&parent.key_id)
            .bind(&parent.value)
            .bind(youth.0)
            .bind(micros(at))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
            for row in &rows {
                let pair = (YouthId(row.try_get("youth_id").map_err(db)?), OrgId(row.try_get("org_id").map_err(db)?));
                if !found.contains(&pair) {
                    found.push(pair);
                }
            }
        }
        Ok(found)
    }

    async fn unplanned_youths(&self, limit: u32) -> Result<Vec<YouthId>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM youths WHERE ages_out_at IS NULL \
             UNION SELECT youth_id FROM involvements WHERE keep_until IS NULL ORDER BY 1 LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(|row| Ok(YouthId(row.try_get(0).map_err(db)?))).collect()
    }

    async fn plan_retention(
        &self,
        youth: YouthId,
        ages_out_at: OffsetDateTime,
        involvements: &[(String, OffsetDateTime)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        tx.run("UPDATE youths SET ages_out_at = $1 WHERE id = $2", &[v(micros(ages_out_at)), v(youth.0)]).await?;
        for (id, keep_until) in involvements {
            tx.run(
                "UPDATE involvements SET keep_until = $1 WHERE id = $2 AND keep_until IS NULL",
                &[v(micros(*keep_until)), v(id)],
            )
            .await?;
        }
        tx.commit().await.map_err(db)
    }

    async fn due_involvements(
        &self,
        at: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<(String, Pseudonym, OrgId)>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.id, i.org_id, y.key_id, y.pseudonym FROM involvements i JOIN youths y ON y.id = i.youth_id \
             WHERE i.keep_until <= $1 ORDER BY i.keep_until, i.id LIMIT $2",
        )
        .bind(micros(at))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok((row.try_get("id").map_err(db)?, pseudonym_of(row)?, OrgId(row.try_get("org_id").map_err(db)?)))
            })
            .collect()
    }

    async fn destroyable_youths(
        &self,
        at: OffsetDateTime,
        enrolled_before: OffsetDateTime,
        after: YouthId,
        limit: u32,
    ) -> Result<Vec<(YouthId, Pseudonym)>, StoreError> {
        let sql = format!(
            "SELECT y.id, y.key_id, y.pseudonym FROM youths y WHERE {DESTROYABLE} AND y.id > $3 ORDER BY y.id LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(micros(at))
            .bind(micros(enrolled_before))
            .bind(after.0)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(|row| Ok((YouthId(row.try_get("id").map_err(db)?), pseudonym_of(row)?))).collect()
    }

    async fn purge_destroyed_signals(&self) -> Result<u64, StoreError> {
        if self.backend == Backend::Postgres {
            // One statement: it locks only rows nothing reaches, and no append waits for it.
            let sql = format!("DELETE FROM delivered_signals WHERE {DESTROYED}");
            let done = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&self.pool).await.map_err(db)?;
            return Ok(done.rows_affected());
        }
        let mut pooled = self.pool.acquire().await.map_err(db)?;
        if self.append_thread.is_none() {
            // In memory: the pool's one connection is the database itself.
            return purge_in_ranges(&mut pooled, &self.append_lock).await;
        }
        // A file: on a connection of its own, closed after, with a larger cache and WAL
        // checkpoints done between the ranges, outside the writer's turn (done inside, at a
        // commit, they held the appends up for up to 7 s).
        let mut own = pooled.detach();
        let settings = format!("PRAGMA cache_size = -{}; PRAGMA wal_autocheckpoint = 0;", PURGE_CACHE_MIB * 1024);
        sqlx::raw_sql(sqlx::AssertSqlSafe(settings)).execute(&mut own).await.map_err(db)?;
        let purged = purge_in_ranges(&mut own, &self.append_lock).await;
        own.close().await.map_err(db)?;
        purged
    }

    async fn retention_preview(
        &self,
        at: OffsetDateTime,
        enrolled_before: OffsetDateTime,
    ) -> Result<RetentionCounts, StoreError> {
        let of_due = |table: &str| {
            format!("(SELECT COUNT(*) FROM {table} WHERE youth_id IN (SELECT y.id FROM youths y WHERE {DESTROYABLE}))")
        };
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM involvements WHERE keep_until <= $1) AS involvements, \
             (SELECT COUNT(*) FROM youths y WHERE {DESTROYABLE}) AS youths, {} AS consents, {} AS measures, \
             {} AS signals, {} AS notices, {} AS reports, {} AS parents",
            of_due("consents"),
            of_due("measures"),
            of_due("delivered_signals"),
            of_due("match_notices"),
            of_due("reports"),
            of_due("youth_parents"),
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(micros(at))
            .bind(micros(enrolled_before))
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        let count =
            |column: &str| Ok::<_, StoreError>(u64::try_from(row.try_get::<i64, _>(column).map_err(db)?).unwrap_or(0));
        Ok(RetentionCounts {
            involvements: count("involvements")?,
            youths: count("youths")?,
            consents: count("consents")?,
            measures: count("measures")?,
            signals: count("signals")?,
            notices: count("notices")?,
            reports: count("reports")?,
            parents: count("parents")?,
        })
    }

    async fn claim_retention_day(&self, day: &str, at: OffsetDateTime) -> Result<bool, StoreError> {
        self.claim_day(DailyRun::Retention, day, at).await
    }

    async fn fact_history(&self, youth: YouthId) -> Result<FactHistory, StoreError> {
        let rows = sqlx::query(FACTS_BY_ID).bind(youth.0).fetch_all(&self.pool).await.map_err(db)?;
        let found = youth_facts_of(&rows)?.pop().ok_or_else(|| StoreError::NotFound("youth".into()))?;
        Ok(found.2)
    }

    async fn fact_histories(&self, youths: &[Pseudonym]) -> Result<Vec<(Pseudonym, FactHistory)>, StoreError> {
        let mut found = Vec::with_capacity(youths.len());
        // By key, so that each look-up is one range of the (key_id, pseudonym) index.
        let mut keys: Vec<&str> = youths.iter().map(|y| y.key_id.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            let values: Vec<&str> = youths.iter().filter(|y| y.key_id == key).map(|y| y.value.as_str()).collect();
            for chunk in values.chunks(ENTRIES_PER_INSERT * 4) {
                let list = match self.backend {
                    Backend::Sqlite => vec!["?"; chunk.len()].join(", "),
                    Backend::Postgres => (2..chunk.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", "),
                };
                let first = if self.backend == Backend::Sqlite { "?" } else { "$1" };
                let youth = format!(
                    "SELECT id, birth_date, key_id, pseudonym, died_at FROM youths WHERE key_id = {first} AND pseudonym IN ({list})"
                );
                // Only placeholders are generated: every value is bound.
                let sql = facts_of_youths!("{youth}").replace("{youth}", &youth);
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key);
                for value in chunk {
                    query = query.bind(*value);
                }
                let rows = query.fetch_all(&self.pool).await.map_err(db)?;
                found.extend(youth_facts_of(&rows)?.into_iter().map(|(_, pseudonym, history)| (pseudonym, history)));
            }
        }
        Ok(found)
    }

    async fn youth_with_facts(
        &self,
        youth: &Pseudonym,
    ) -> Result<Option<(YouthId, Pseudonym, FactHistory)>, StoreError> {
        // Every exchange asks this first: on SQLite, read on this thread (see `sqlite_direct`).
        if let Some(direct) = &self.direct {
            let read = direct.read(|connection| {
                // One read transaction: the youth and their facts as of one moment.
                let snapshot = connection.unchecked_transaction().map_err(sqlite_direct::sqlite)?;
                let mut found = FactsOfYouths::default();
                let add_rows = |found: &mut FactsOfYouths, sql: &str, params: &[&dyn rusqlite::ToSql]| {
                    let mut statement = snapshot.prepare_cached(sql).map_err(sqlite_direct::sqlite)?;
                    let mut rows = statement.query(params).map_err(sqlite_direct::sqlite)?;
                    while let Some(row) = rows.next().map_err(sqlite_direct::sqlite)? {
                        found.add(row)?;
                    }
                    Ok::<_, StoreError>(())
                };
                add_rows(&mut found, YOUTH_ROW_BY_PSEUDONYM, &[&youth.key_id, &youth.value])?;
                if let Some(id) = found.first_youth() {
                    add_rows(&mut found, FACT_ROWS_BY_ID, &[&id.0])?;
                }
                Ok(found.finish().pop())
            });
            match read {
                // SQLite asked the reader to wait: wait the usual way, on sqlx's thread.
                Err(StoreError::Busy) => {}
                done => return done,
            }
        }
        let rows = sqlx::query(FACTS_BY_PSEUDONYM)
            .bind(&youth.key_id)
            .bind(&youth.value)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(youth_facts_of(&rows)?.pop())
    }

    async fn append_group(&self, units: Vec<Vec<Audited>>, link: Link) -> Outcomes {
        let _serialised = self.append_lock.lock().await;
        let directory_changed = units.iter().flatten().filter_map(|a| a.effect.as_ref()).any(changes_directory);
        let outcomes = match (&self.append_thread, self.backend) {
            (Some(thread), _) => thread.append(units, link).await?,
            (None, Backend::Sqlite) => {
                let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)?;
                let outcomes = append_units(&mut *tx, self.backend, units, link).await?;
                tx.commit().await.map_err(db)?;
                outcomes
            }
            (None, Backend::Postgres) => {
                let mut tx = self.pool.begin().await.map_err(db)?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(CHAIN_LOCK).execute(&mut *tx).await.map_err(db)?;
                let outcomes = append_units(&mut *tx, self.backend, units, link).await?;
                tx.commit().await.map_err(db)?;
                outcomes
            }
        };
        if directory_changed {
            self.directory.forget_all();
        }
        Ok(outcomes)
    }

    async fn chain_head(&self) -> Result<(u64, ChainHash), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        conn.chain_head().await
    }

    async fn read_chain(&self, batches: tokio::sync::mpsc::Sender<ChainBatch>) -> Result<(), StoreError> {
        match self.sqlite_file() {
            Some(path) => tokio::task::spawn_blocking(move || super::sqlite_chain::read_chain(&path, &batches))
                .await
                .map_err(|e| StoreError::Database(Box::new(e)))?,
            None => read_chain_in_pages(self, batches).await,
        }
    }

    async fn audit_page(&self, after: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError> {
        sqlx::query("SELECT * FROM audit_entries WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(entry_of)
            .collect()
    }

    async fn decisions_page(
        &self,
        after: u64,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PastDecision>, StoreError> {
        let mut after = i64::try_from(after).unwrap_or(i64::MAX);
        if after == 0 {
            // The first page starts at the first entry of `since` (by the index on time), not
            // at the start of the log.
            let first: Option<i64> = sqlx::query_scalar("SELECT MIN(seq) FROM audit_entries WHERE at >= $1")
                .bind(micros(since))
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
            let Some(first) = first else { return Ok(Vec::new()) };
            after = first - 1;
        }
        sqlx::query(
            "SELECT seq, at, actor_org, actor_org_kind, actor_role, action, signal, purpose, youth_key_id, \
             youth_pseudonym, recipient_org, decision, matched_rules, justification FROM audit_entries \
             WHERE event = 'decision' AND at >= $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(micros(since))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(past_decision_of)
        .collect()
    }

    async fn search_audit(&self, query: &AuditQuery) -> Result<Vec<StoredEntry>, StoreError> {
        // Numbered placeholders (`$1`), which both SQLite and PostgreSQL read.
        let mut binds: Vec<Bind> = Vec::new();
        let filter = &query.filter;
        // "An organisation as actor or recipient" is two index ranges, each in seq order: each
        // gives its first page and the two are merged, so that a first page never waits for a
        // sort of all of an organisation's entries.
        let (branch_org, other_org) = match (&query.scope, &filter.org) {
            (AuditScope::Org(scope), filter_org) => (Some(scope), filter_org.as_ref()),
            (AuditScope::All, filter_org) => (filter_org.as_ref(), None),
        };
        let (cursor, order) = match query.order {
            Order::NewestFirst => (" AND seq < ", " ORDER BY seq DESC"),
            Order::OldestFirst => (" AND seq > ", " ORDER BY seq ASC"),
        };
        let conditions = |binds: &mut Vec<Bind>| -> String {
            let mut sql = String::new();
            let mut bind = |sql: &mut String, value: Bind| {
                binds.push(value);
                sql.push_str(&format!("${}", binds.len()));
            };
            if let Some(org) = other_org {
                sql.push_str(" AND (actor_org = ");
                bind(&mut sql, Bind::Text(org.0.clone()));
                sql.push_str(" OR recipient_org = ");
                bind(&mut sql, Bind::Text(org.0.clone()));
                sql.push(')');
            }
            if let Some(youth) = &filter.youth {
                sql.push_str(" AND youth_pseudonym = ");
                bind(&mut sql, Bind::Text(youth.value.clone()));
                sql.push_str(" AND youth_key_id = ");
                bind(&mut sql, Bind::Text(youth.key_id.clone()));
            }
            let words: [(&str, Option<String>); 9] = [
                ("actor_account", filter.account.clone()),
                ("event", filter.event.map(|w| w.as_str().to_owned())),
                ("action", filter.action.map(|w| w.as_str().to_owned())),
                ("signal", filter.signal.map(|w| w.as_str().to_owned())),
                ("purpose", filter.purpose.map(|w| w.as_str().to_owned())),
                ("decision", filter.decision.map(|w| w.as_str().to_owned())),
                ("basis", filter.basis.map(|w| w.as_str().to_owned())),
                ("reason", filter.reason.map(|w| w.as_str().to_owned())),
                ("policy_version", filter.policy_version.clone()),
            ];
            for (column, value) in words {
                if let Some(value) = value {
                    // `column` comes from the list above, never from the caller.
                    sql.push_str(&format!(" AND {column} = "));
                    bind(&mut sql, Bind::Text(value));
                }
            }
            if let Some(from) = filter.from {
                sql.push_str(" AND at >= ");
                bind(&mut sql, Bind::Int(micros(from)));
            }
            if let Some(until) = filter.until {
                sql.push_str(" AND at < ");
                bind(&mut sql, Bind::Int(micros(until)));
            }
            if let Some(after) = query.after {
                sql.push_str(cursor);
                bind(&mut sql, Bind::Int(i64::try_from(after).unwrap_or(i64::MAX)));
            }
            sql.push_str(order);
            sql.push_str(" LIMIT ");
            bind(&mut sql, Bind::Int(i64::from(query.limit)));
            sql
        };
        let sql = match branch_org {
            None => format!("SELECT * FROM audit_entries WHERE 1 = 1{}", conditions(&mut binds)),
            Some(org) => {
                let branch = |column: &str, binds: &mut Vec<Bind>| {
                    binds.push(Bind::Text(org.0.clone()));
                    let org = binds.len();
                    format!(
                        "SELECT seq FROM (SELECT seq FROM audit_entries WHERE {column} = ${org}{}) AS {column}_page",
                        conditions(binds)
                    )
                };
                let as_actor = branch("actor_org", &mut binds);
                let as_recipient = branch("recipient_org", &mut binds);
                binds.push(Bind::Int(i64::from(query.limit)));
                format!(
                    "SELECT * FROM audit_entries WHERE seq IN ({as_actor} UNION {as_recipient}){order} LIMIT ${}",
                    binds.len()
                )
            }
        };
        let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in binds {
            statement = match value {
                Bind::Text(text) => statement.bind(text),
                Bind::Int(int) => statement.bind(int),
            };
        }
        statement.fetch_all(&self.pool).await.map_err(db)?.iter().map(entry_of).collect()
    }

    async fn audit_entry(&self, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        sqlx::query("SELECT * FROM audit_entries WHERE seq = $1")
            .bind(i64::try_from(seq).unwrap_or(i64::MAX))
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .as_ref()
            .map(entry_of)
            .transpose()
    }

    async fn checkpoint_covering(&self, seq: u64) -> Result<Option<Checkpoint>, StoreError> {
        sqlx::query(
            "SELECT seq, hash, at, key_id, signature FROM audit_checkpoints WHERE seq >= $1 ORDER BY seq LIMIT 1",
        )
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(checkpoint_of)
        .transpose()
    }

    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (seq) DO NOTHING",
        )
        .bind(i64::try_from(checkpoint.seq).unwrap_or(i64::MAX))
        .bind(checkpoint.hash.as_slice())
        .bind(micros(checkpoint.at))
        .bind(&checkpoint.key_id)
        .bind(&checkpoint.signature)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        sqlx::query("SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(checkpoint_of)
            .collect()
    }

    async fn active_policy(&self) -> Result<Option<PolicyText>, StoreError> {
        let row = sqlx::query("SELECT id, model, rules FROM policy_versions WHERE status = 'active'")
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|row| {
            Ok(PolicyText {
                version: row.try_get("id").map_err(db)?,
                model: row.try_get("model").map_err(db)?,
                rules: row.try_get("rules").map_err(db)?,
            })
        })
        .transpose()
    }

    async fn active_policy_version(&self) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT id FROM policy_versions WHERE status = 'active'")
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    async fn review_queue(&self, org: &OrgId) -> Result<Vec<AuditEntry>, StoreError> {
        sqlx::query(
            "SELECT * FROM audit_entries e WHERE e.event = 'decision' AND e.decision = 'allow' AND e.actor_org = $1 \
             AND e.obligations LIKE '%\"privacy_review\"%' AND NOT EXISTS (SELECT 1 FROM audit_entries r \
             WHERE r.event = 'privacy_reviewed' AND r.subject = CAST(e.seq AS TEXT)) ORDER BY e.seq",
        )
        .bind(&org.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(|row| entry_of(row).map(|stored| stored.entry))
        .collect()
    }

    async fn policy_version(&self, id: &str) -> Result<Option<PolicyVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT id, status, model, rules, note, author, approver, created_at FROM policy_versions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(policy_version_of).transpose()
    }

    async fn policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError> {
        sqlx::query(
            "SELECT id, status, model, rules, note, author, approver, created_at FROM policy_versions \
             ORDER BY created_at DESC, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(policy_version_of)
        .collect()
    }

    async fn install_policy(&self, policy: &PolicyText, note: &str, at: OffsetDateTime) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO policy_versions (id, status, model, rules, note, created_at, activated_at) \
             SELECT $1, 'active', $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM policy_versions WHERE status = 'active') \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&policy.version)
        .bind(&policy.model)
        .bind(&policy.rules)
        .bind(note)
        .bind(micros(at))
        .bind(micros(at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }
}
