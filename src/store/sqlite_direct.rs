//! The hot reads of a SQLite file, on the caller's own thread.
//!
//! sqlx runs each SQLite connection on a worker thread of its own and hands every statement
//! and every row across between threads. For a look-up that SQLite answers from its page cache
//! in microseconds, that hand-over (a futex wait and a wake-up on either side, per row) cost
//! several times the query: under load it was most of an exchange's cost. These reads run
//! with rusqlite (the same SQLite library) on the thread that asks, each on a connection from
//! a small pool. In WAL mode a reader never waits for the writer, so the thread is held for
//! the query alone; the rare moment SQLite asks a reader to wait (a checkpoint restarting the
//! log) is answered `Busy` at once, and the caller goes the usual way instead.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// Connections kept between reads: one per thread that reads at the same time.
const MOST_IDLE: usize = 8;

pub(super) struct DirectReads {
    path: PathBuf,
    cache_mib: u32,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReads {
    pub fn new(path: PathBuf, cache_mib: u32) -> Self {
        DirectReads { path, cache_mib, idle: Mutex::default() }
    }

    /// Runs `read` on a connection of the pool, on this thread.
    pub fn read<T>(&self, read: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let pooled = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = read(&connection);
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MOST_IDLE {
            idle.push(connection);
        }
        result
    }

    fn open(&self) -> Result<Connection, StoreError> {
        // No CREATE: the file is sqlx's, made and migrated when the store opened.
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        // Negative: in KiB.
        connection
            .execute_batch(&format!(
                "PRAGMA query_only = ON; PRAGMA cache_size = -{};",
                u64::from(self.cache_mib) * 1024
            ))
            .map_err(sqlite)?;
        Ok(connection)
    }
}

/// A read refused because SQLite asked it to wait is `Busy`: the caller may go the way that
/// waits, on a thread of its own.
pub(super) fn sqlite(error: rusqlite::Error) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => StoreError::Busy,
        _ => StoreError::Database(Box::new(error)),
    }
}
