//! The statements that change the store, written once for either driver: sqlx's connection
//! (PostgreSQL, and SQLite's rarer writes) and rusqlite's (a SQLite file's appends, on a thread
//! of their own: see [`AppendThread`]).

use std::borrow::Cow;
use std::path::Path;
use std::task::{Context, Poll, Waker};

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, Row};

use super::sql::{Outcomes, SQLITE_SETTINGS, append_units, db};
use super::{Audited, Link, StoreError};
use crate::audit::{ChainHash, GENESIS};

/// A value bound to a statement; a NULL keeps its type (PostgreSQL asks for one).
pub(super) enum Value<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
    Bytes(&'a [u8]),
}

/// Shorthand for the values of a statement: `&[v(id), v(seq)]`.
pub(super) fn v<'a>(value: impl Into<Value<'a>>) -> Value<'a> {
    value.into()
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}

impl From<Option<i64>> for Value<'_> {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Value::Text(Some(Cow::Borrowed(value)))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Value::Text(Some(Cow::Borrowed(value)))
    }
}

impl From<String> for Value<'_> {
    fn from(value: String) -> Self {
        Value::Text(Some(Cow::Owned(value)))
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Value::Text(value.map(Cow::Borrowed))
    }
}

impl<'a> From<&'a Option<String>> for Value<'a> {
    fn from(value: &'a Option<String>) -> Self {
        Value::Text(value.as_deref().map(Cow::Borrowed))
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(value: &'a [u8]) -> Self {
        Value::Bytes(value)
    }
}

/// A connection the store's changes are written on.
pub(super) trait Writes {
    /// Runs one statement; how many rows it changed.
    async fn run(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError>;
    /// The first column of the first row a query returns, as text.
    async fn text(&mut self, sql: &str, values: &[Value<'_>]) -> Result<Option<String>, StoreError>;
    /// The last entry's sequence number and hash; `(0, GENESIS)` for an empty log.
    async fn chain_head(&mut self) -> Result<(u64, ChainHash), StoreError>;
}

const HEAD: &str = "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1";

fn head_of(seq: i64, hash: &[u8]) -> Result<(u64, ChainHash), StoreError> {
    let hash = hash.try_into().map_err(|_| StoreError::Corrupt("a chain hash is not 32 bytes".into()))?;
    Ok((u64::try_from(seq).unwrap_or_default(), hash))
}

fn bound<'q>(sql: &str, values: &'q [Value<'q>]) -> sqlx::query::Query<'q, Any, AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for value in values {
        query = match value {
            Value::Int(int) => query.bind(*int),
            Value::Text(text) => query.bind(text.as_deref()),
            Value::Bytes(bytes) => query.bind(*bytes),
        };
    }
    query
}

impl Writes for AnyConnection {
    async fn run(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        Ok(bound(sql, values).execute(&mut *self).await.map_err(db)?.rows_affected())
    }

    async fn text(&mut self, sql: &str, values: &[Value<'_>]) -> Result<Option<String>, StoreError> {
        let row = bound(sql, values).fetch_optional(&mut *self).await.map_err(db)?;
        Ok(row.map(|row| row.try_get::<Option<String>, _>(0)).transpose().map_err(db)?.flatten())
    }

    async fn chain_head(&mut self) -> Result<(u64, ChainHash), StoreError> {
        match sqlx::query(HEAD).fetch_optional(&mut *self).await.map_err(db)? {
            None => Ok((0, GENESIS)),
            Some(row) => head_of(row.try_get("seq").map_err(db)?, &row.try_get::<Vec<u8>, _>("hash").map_err(db)?),
        }
    }
}

impl Writes for rusqlite::Connection {
    async fn run(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64, StoreError> {
        let mut statement = self.prepare_cached(sql).map_err(written)?;
        bind(&mut statement, values)?;
        Ok(statement.raw_execute().map_err(written)? as u64)
    }

    async fn text(&mut self, sql: &str, values: &[Value<'_>]) -> Result<Option<String>, StoreError> {
        let mut statement = self.prepare_cached(sql).map_err(written)?;
        bind(&mut statement, values)?;
        let mut rows = statement.raw_query();
        match rows.next().map_err(written)? {
            Some(row) => row.get(0).map_err(written),
            None => Ok(None),
        }
    }

    async fn chain_head(&mut self) -> Result<(u64, ChainHash), StoreError> {
        let mut statement = self.prepare_cached(HEAD).map_err(written)?;
        let mut rows = statement.raw_query();
        match rows.next().map_err(written)? {
            None => Ok((0, GENESIS)),
            Some(row) => head_of(row.get(0).map_err(written)?, &row.get::<_, Vec<u8>>(1).map_err(written)?),
        }
    }
}

/// Binds `values` in order: to `$1`, `$2`, … where the statement numbers its parameters, else
/// to its `?` one after the other.
fn bind(statement: &mut rusqlite::Statement<'_>, values: &[Value<'_>]) -> Result<(), StoreError> {
    let numbered = statement.parameter_name(1).is_some_and(|name| name.starts_with('$'));
    for (i, value) in values.iter().enumerate() {
        let index = if numbered {
            statement
                .parameter_index(&format!("${}", i + 1))
                .map_err(written)?
                .ok_or_else(|| StoreError::Database(format!("the statement has no parameter ${}", i + 1).into()))?
        } else {
            i + 1
        };
        match value {
            Value::Int(int) => statement.raw_bind_parameter(index, int),
            Value::Text(text) => statement.raw_bind_parameter(index, text.as_deref()),
            Value::Bytes(bytes) => statement.raw_bind_parameter(index, bytes),
        }
        .map_err(written)?;
    }
    Ok(())
}

/// rusqlite's errors as sqlx's are read in [`db`].
fn written(error: rusqlite::Error) -> StoreError {
    use rusqlite::ffi;
    if let rusqlite::Error::SqliteFailure(failure, _) = &error {
        match failure.extended_code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                return StoreError::Conflict(super::sql::ALREADY_EXISTS.into());
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::Conflict(super::sql::UNKNOWN_REFERENCE.into()),
            _ => {}
        }
    }
    super::sqlite_direct::sqlite(error)
}

/// A SQLite file's appends on a thread of their own, with rusqlite. A group's transaction is a
/// handful of statements; through sqlx each was handed to its connection's thread and back, and
/// every hand-back waited its turn among hundreds of requests on the runtime while the next
/// group waited on it. Here the transaction runs start to end on one thread, on a connection
/// whose page cache (the indexes' hot pages) no other writer empties.
pub(super) struct AppendThread {
    jobs: std::sync::mpsc::Sender<AppendJob>,
}

/// The units to append and where to send their outcomes.
type AppendJob = (Vec<Vec<Audited>>, Link, tokio::sync::oneshot::Sender<Outcomes>);

impl AppendThread {
    pub fn start(path: &Path, cache_mib: u32) -> Result<AppendThread, StoreError> {
        let mut connection = rusqlite::Connection::open(path).map_err(written)?;
        connection
            .execute_batch(&format!("{SQLITE_SETTINGS} PRAGMA cache_size = -{};", u64::from(cache_mib) * 1024))
            .map_err(written)?;
        // The effects' statements and the inserts of each size of group.
        connection.set_prepared_statement_cache_capacity(256);
        let (jobs, queue) = std::sync::mpsc::channel::<AppendJob>();
        std::thread::Builder::new()
            .name("sqlite-appends".into())
            .spawn(move || {
                for (units, link, answer) in queue {
                    let _ = answer.send(append_in_transaction(&mut connection, units, link));
                }
            })
            .map_err(|e| StoreError::Database(Box::new(e)))?;
        Ok(AppendThread { jobs })
    }

    pub async fn append(&self, units: Vec<Vec<Audited>>, link: Link) -> Outcomes {
        let lost = || StoreError::Database("the append was lost: the append thread stopped".into());
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs.send((units, link, answer)).map_err(|_| lost())?;
        answered.await.map_err(|_| lost())?
    }
}

/// One group in one transaction, committed, or rolled back when it fails as a whole.
fn append_in_transaction(connection: &mut rusqlite::Connection, units: Vec<Vec<Audited>>, link: Link) -> Outcomes {
    connection.execute_batch("BEGIN IMMEDIATE").map_err(written)?;
    // A panic in a group must not take the thread, and with it every later append, along.
    let written_units = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        at_once(append_units(&mut *connection, super::Backend::Sqlite, units, link))
    }))
    .unwrap_or_else(|_| Err(StoreError::Database("the append failed unexpectedly".into())));
    match written_units {
        Ok(outcomes) => {
            connection.execute_batch("COMMIT").map_err(written)?;
            Ok(outcomes)
        }
        Err(error) => {
            let _ = connection.execute_batch("ROLLBACK");
            Err(error)
        }
    }
}

/// The output of a future that never waits: the writes on a rusqlite connection are done when
/// asked, so their `async` is only the shape they share with sqlx's.
fn at_once<T>(future: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => Err(StoreError::Database("a rusqlite write waited, which it never does".into())),
    }
}
