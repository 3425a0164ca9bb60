//! The database the integration tests run on. By default a SQLite file in the test's temporary
//! directory; with `KETENPOORT_TEST_BACKEND=postgres` a fresh database on the PostgreSQL server
//! of `KETENPOORT_TEST_POSTGRES_URL` (scripts/test starts a throwaway cluster and runs the
//! suite once per backend). Shared by the test crates through `#[path]`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which backend this run of the suite uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("KETENPOORT_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The PostgreSQL server's maintenance URL (`…/postgres`), which scripts/test always provides.
pub fn postgres_url() -> String {
    std::env::var("KETENPOORT_TEST_POSTGRES_URL")
        .expect("KETENPOORT_TEST_POSTGRES_URL: run the suite with scripts/test, which starts PostgreSQL")
}

fn psql() -> PathBuf {
    let bin = std::env::var("KETENPOORT_TEST_POSTGRES_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    Path::new(&bin).join("psql")
}

static CREATED: AtomicUsize = AtomicUsize::new(0);

/// A new, empty PostgreSQL database; its URL.
pub fn fresh_postgres() -> String {
    let base = postgres_url();
    let name = format!(
        "kp_{}_{}_{}",
        std::process::id(),
        CREATED.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::UNIX_EPOCH.elapsed().map(|d| d.subsec_nanos()).unwrap_or_default()
    );
    let output = Command::new(psql())
        .args([base.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "CREATE DATABASE: {}", String::from_utf8_lossy(&output.stderr));
    let (server, _) = base.rsplit_once('/').expect("a database name in KETENPOORT_TEST_POSTGRES_URL");
    format!("{server}/{name}")
}

/// A fresh, empty database of this run's backend: a SQLite file `name` in `dir`, or a new
/// PostgreSQL database.
pub fn fresh_url(dir: &Path, name: &str) -> String {
    match backend() {
        Backend::Sqlite => format!("sqlite://{}", dir.join(name).display()),
        Backend::Postgres => fresh_postgres(),
    }
}

/// Where the command line keeps the keys of a database: beside a SQLite file by itself; for
/// PostgreSQL a directory named after the database.
pub fn keys_dir(url: &str) -> Option<PathBuf> {
    url.starts_with("postgres")
        .then(|| std::env::temp_dir().join(format!("ketenpoort-test-keys-{}", url.rsplit('/').next().unwrap_or("db"))))
}

/// `args` with `--keys DIR` added when they name a PostgreSQL database and no keys.
pub fn with_keys(args: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let database = args.iter().position(|a| *a == "--database").and_then(|i| args.get(i + 1));
    if let Some(dir) = database.and_then(|url| keys_dir(url))
        && !args.contains(&"--keys")
    {
        out.splice(0..0, ["--keys".to_owned(), dir.display().to_string()]);
    }
    out
}

/// Runs SQL as someone with access to the database could: with the guards (append-only
/// triggers, foreign keys) off when `unguarded`.
pub async fn run_sql(url: &str, statements: &str, unguarded: bool) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    let guard_off = match (url.starts_with("postgres"), unguarded) {
        (_, false) => "",
        (true, true) => "SET session_replication_role = replica;",
        (false, true) => {
            "PRAGMA foreign_keys = OFF; DROP TRIGGER IF EXISTS audit_entries_no_update; \
             DROP TRIGGER IF EXISTS audit_entries_no_delete;"
        }
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("{guard_off} {statements}"))).execute(&mut *conn).await.unwrap();
    drop(conn);
    pool.close().await;
}

/// Every byte the database holds: the SQLite file with its WAL, or a dump of the PostgreSQL
/// database.
pub fn all_bytes(url: &str) -> Vec<u8> {
    if url.starts_with("postgres") {
        let bin = Path::new(&psql()).with_file_name("pg_dump");
        let output = Command::new(bin).args(["--data-only", url]).output().expect("pg_dump runs");
        assert!(output.status.success(), "pg_dump: {}", String::from_utf8_lossy(&output.stderr));
        return output.stdout;
    }
    let file = url.trim_start_matches("sqlite://");
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{file}{suffix}"));
        if path.is_file() {
            all.extend(file_bytes(&path));
        }
    }
    all
}

/// The bytes of the file at `path`, read by another process.
///
/// A database this process has open must not be opened and closed here: closing any
/// descriptor of a file drops every POSIX lock the process holds on it, SQLite's too
/// (sqlite.org/howtocorrupt.html, 2.2). A writer elsewhere then takes the readers here for
/// gone, resets the WAL under them, and their next reads see rows it destroyed.
pub fn file_bytes(path: &Path) -> Vec<u8> {
    let output = Command::new("cat").arg(path).output().expect("cat runs");
    assert!(output.status.success(), "cat {}: {}", path.display(), String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// A zero-filled 64-byte value in this database's SQL.
pub fn zero_bytes_64(url: &str) -> &'static str {
    if url.starts_with("postgres") { "decode(repeat('00', 64), 'hex')" } else { "zeroblob(64)" }
}

/// `bytes` as a literal of this database's SQL.
pub fn bytes_literal(url: &str, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if url.starts_with("postgres") { format!("decode('{hex}', 'hex')") } else { format!("X'{hex}'") }
}

/// The `n`th made-up BSN of the stories the tests tell: nine digits that pass the elfproef, a
/// different one for every `n`, none of them a BSN another test uses.
pub fn made_up_bsn(n: u64) -> String {
    let mut candidate = 50_000_000 + n * 11;
    loop {
        let digits: Vec<u64> = format!("{candidate:08}").bytes().map(|b| u64::from(b - b'0')).collect();
        let sum: u64 = digits.iter().zip([9, 8, 7, 6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
        if sum % 11 < 10 {
            return digits.iter().chain([&(sum % 11)]).map(|d| char::from(b'0' + *d as u8)).collect();
        }
        candidate += 1;
    }
}

/// Every table of the database with its columns, by name: the user's tables of SQLite, the
/// `public` schema of PostgreSQL.
async fn tables_and_columns(conn: &mut sqlx::AnyConnection, postgres: bool) -> Vec<(String, Vec<String>)> {
    use sqlx::Row;
    let tables: Vec<String> = if postgres {
        sqlx::query(
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
        )
    } else {
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    }
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|row| row.get::<String, _>("name"))
    .collect();
    let mut all = Vec::new();
    for table in tables {
        let columns = if postgres {
            sqlx::query(
                "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name = $1 ORDER BY 1",
            )
        } else {
            sqlx::query("SELECT name FROM pragma_table_info($1) ORDER BY name")
        }
        .bind(&table)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("name"))
        .collect();
        all.push((table, columns));
    }
    all
}

/// For each of `needles`, the (table, column) pairs of every row of every table whose value,
/// as text, contains it: what a person with the database in hand finds by searching for it.
pub async fn columns_holding_any(url: &str, needles: &[&str]) -> Vec<(String, String, String)> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    let mut found = Vec::new();
    for (table, columns) in tables_and_columns(&mut conn, url.starts_with("postgres")).await {
        for column in columns {
            let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1");
            for needle in needles {
                let count: i64 = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(format!("%{needle}%"))
                    .fetch_one(&mut conn)
                    .await
                    .unwrap()
                    .get("n");
                if count > 0 {
                    found.push((needle.to_string(), table.clone(), column.clone()));
                }
            }
        }
    }
    found
}

/// The (table, column) pairs in which some row's value, as text, contains `needle`.
pub async fn columns_holding(url: &str, needle: &str) -> Vec<(String, String)> {
    columns_holding_any(url, &[needle]).await.into_iter().map(|(_, table, column)| (table, column)).collect()
}

/// How many rows each table holds, by table.
pub async fn row_counts(url: &str) -> std::collections::BTreeMap<String, i64> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    let mut counts = std::collections::BTreeMap::new();
    for (table, _) in tables_and_columns(&mut conn, url.starts_with("postgres")).await {
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        let count: i64 = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut conn).await.unwrap().get("n");
        counts.insert(table, count);
    }
    counts
}
