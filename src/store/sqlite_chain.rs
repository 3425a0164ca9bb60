//! Reading the whole chain of a SQLite file for `audit verify`, straight from the file.
//!
//! sqlx copies every value of every row and hands rows one by one between threads; at a
//! million entries a second that is most of the time. This reader (rusqlite, the same SQLite
//! library) borrows each value from the row, writes the canonical bytes from the stored words
//! and hands them over a batch at a time, while the verifier hashes the batch before. Reading
//! is most of the work, so several readers take turns by batch (reader r reads batches r,
//! r + READERS, …), each on its own connection, and their batches are passed on in order.

use std::path::Path;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};

use super::{CHAIN_BATCH, ChainBatch, StoreError};
use crate::audit::EntryFields;

/// The columns in the order `fields_of` reads them, of the entries in a range of `seq`.
const CHAIN_COLUMNS: &str = "SELECT seq, at, recorded_at, request_id, actor_account, actor_org, actor_org_kind, \
     actor_role, authenticated_by, event, action, signal, purpose, youth_key_id, youth_pseudonym, recipient_org, \
     decision, basis, reason, matched_rules, policy_version, obligations, justification, consents, subject, \
     prev_hash, hash FROM audit_entries WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";

/// Readers side by side: SQLite reads a connection on one thread. Three on two cores: while
/// one waits for its turn to hand over, the others keep both cores reading (measured on 10
/// million entries: 9.2 s with two, 8.5 s with three).
const READERS: u64 = 3;

fn sqlite(error: rusqlite::Error) -> StoreError {
    StoreError::Database(Box::new(error))
}

/// Sends the chain of the database file at `path` in batches until it ends or the receiver
/// hangs up. Runs on a blocking thread.
///
/// The log is read up to the last entry when reading begins. The log only grows, so every
/// reader, in a read transaction of its own, sees the same entries up to there; checkpoints,
/// which the caller read before, are never beyond it.
pub(super) fn read_chain(path: &Path, batches: &tokio::sync::mpsc::Sender<ChainBatch>) -> Result<(), StoreError> {
    let head: i64 = open(path)?
        .query_row("SELECT COALESCE(MAX(seq), 0) FROM audit_entries", [], |row| row.get(0))
        .map_err(sqlite)?;
    let head = u64::try_from(head).unwrap_or_default();
    let span = CHAIN_BATCH as u64;
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..READERS)
            .map(|reader| {
                let (send, read) = std::sync::mpsc::sync_channel::<Result<ChainBatch, StoreError>>(2);
                scope.spawn(move || {
                    let read_ranges = || -> Result<(), StoreError> {
                        let connection = open(path)?;
                        connection.execute_batch("BEGIN").map_err(sqlite)?;
                        let mut statement = connection.prepare(CHAIN_COLUMNS).map_err(sqlite)?;
                        let mut start = reader * span;
                        while start < head {
                            let batch = read_range(&mut statement, start, (start + span).min(head))?;
                            if send.send(Ok(batch)).is_err() {
                                return Ok(());
                            }
                            start += READERS * span;
                        }
                        Ok(())
                    };
                    if let Err(error) = read_ranges() {
                        let _ = send.send(Err(error));
                    }
                });
                read
            })
            .collect();
        // Batch i comes from reader i % READERS; a reader that has no more has ended.
        let gaps = open(path)?;
        for turn in 0.. {
            let Ok(batch) = readers[turn % readers.len()].recv() else { return Ok(()) };
            let mut batch = batch?;
            if batch.is_empty() {
                // A whole range is missing: hand on the next entry stored, whose number is all
                // the check needs to name the gap, rather than every empty range up to it.
                let end = i64::try_from((turn as u64 + 1) * span).unwrap_or(i64::MAX);
                let next: Option<i64> = gaps
                    .query_row("SELECT MIN(seq) FROM audit_entries WHERE seq > ?1", [end], |row| row.get(0))
                    .map_err(sqlite)?;
                if let Some(next) = next {
                    batch.push(u64::try_from(next).unwrap_or_default(), &[], &[], |_| {});
                }
            }
            if batches.blocking_send(batch).is_err() {
                return Ok(());
            }
        }
        Ok(())
    })
}

fn open(path: &Path) -> Result<Connection, StoreError> {
    // No memory map: it would be quicker by a few per cent, but every page read stays in the
    // process's resident memory, and verification must stay flat at any size of log.
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(sqlite)
}

/// The entries with `after < seq <= last`.
fn read_range(statement: &mut rusqlite::Statement<'_>, after: u64, last: u64) -> Result<ChainBatch, StoreError> {
    let bound = |seq: u64| i64::try_from(seq).unwrap_or(i64::MAX);
    let mut rows = statement.query([bound(after), bound(last)]).map_err(sqlite)?;
    // An entry's canonical bytes are 300 to 500 as the framework writes them.
    let mut batch = ChainBatch::with_room(512);
    while let Some(row) = rows.next().map_err(sqlite)? {
        let lists = [list(row, 19)?, list(row, 21)?, list(row, 23)?];
        let fields = fields_of(row, &lists)?;
        let prev_hash = row.get_ref(25).map_err(sqlite)?.as_blob().map_err(|e| sqlite(e.into()))?;
        let hash = row.get_ref(26).map_err(sqlite)?.as_blob().map_err(|e| sqlite(e.into()))?;
        batch.push(fields.seq, prev_hash, hash, |out| fields.write_canonical(out));
    }
    Ok(batch)
}

/// A list column (JSON array of texts), borrowed from the row where no text needed escaping.
enum List<'a> {
    Borrowed(Vec<&'a str>),
    Owned(Vec<String>),
}

impl List<'_> {
    fn words(&self) -> Vec<&[u8]> {
        match self {
            List::Borrowed(words) => words.iter().map(|word| word.as_bytes()).collect(),
            List::Owned(words) => words.iter().map(String::as_bytes).collect(),
        }
    }
}

fn list<'a>(row: &'a Row<'_>, column: usize) -> Result<List<'a>, StoreError> {
    let text = text(row, column)?.unwrap_or_default();
    // Most lists are empty: no parse, no allocation.
    if text == b"[]" {
        return Ok(List::Borrowed(Vec::new()));
    }
    if let Ok(words) = serde_json::from_slice::<Vec<&str>>(text) {
        return Ok(List::Borrowed(words));
    }
    serde_json::from_slice::<Vec<String>>(text)
        .map(List::Owned)
        .map_err(|e| StoreError::Corrupt(format!("list `{}`: {e}", String::from_utf8_lossy(text))))
}

/// A text column's bytes, or `None` for NULL. Its type is checked; its UTF-8 is not: the
/// bytes are what was hashed, and comparing them is the check.
fn text<'a>(row: &'a Row<'_>, column: usize) -> Result<Option<&'a [u8]>, StoreError> {
    match row.get_ref(column).map_err(sqlite)? {
        ValueRef::Text(bytes) => Ok(Some(bytes)),
        ValueRef::Null => Ok(None),
        other => {
            Err(StoreError::Corrupt(format!("audit entry column {column} is a {:?}, not text", other.data_type())))
        }
    }
}

fn fields_of<'a>(row: &'a Row<'_>, lists: &'a [List<'a>; 3]) -> Result<EntryFields<'a>, StoreError> {
    let needed = |column: usize| -> Result<&'a [u8], StoreError> {
        text(row, column)?.ok_or_else(|| StoreError::Corrupt(format!("audit entry column {column} is empty")))
    };
    let integer = |column: usize| row.get::<_, i64>(column).map_err(sqlite);
    Ok(EntryFields {
        seq: u64::try_from(integer(0)?).unwrap_or_default(),
        at: integer(1)?,
        recorded_at: integer(2)?,
        request_id: needed(3)?,
        actor_account: text(row, 4)?,
        actor_org: text(row, 5)?,
        actor_org_kind: text(row, 6)?,
        actor_role: text(row, 7)?,
        authenticated_by: needed(8)?,
        event: needed(9)?,
        action: text(row, 10)?,
        signal: text(row, 11)?,
        purpose: text(row, 12)?,
        youth_key_id: text(row, 13)?,
        youth_pseudonym: text(row, 14)?,
        recipient_org: text(row, 15)?,
        decision: text(row, 16)?,
        basis: text(row, 17)?,
        reason: text(row, 18)?,
        matched_rules: lists[0].words(),
        policy_version: text(row, 20)?,
        obligations: lists[1].words(),
        justification: text(row, 22)?,
        consents: lists[2].words(),
        subject: text(row, 24)?,
    })
}
