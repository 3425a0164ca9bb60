//! `ketenpoort audit verify`: recompute the chain from the first entry, check every stored hash
//! and every checkpoint signature, and name the first entry that does not verify.
//!
//! The log is read in pages, so memory stays flat however long it is. A deleted entry shows
//! as a gap in the sequence or a broken link; an altered, inserted or reordered entry as a
//! hash that no longer matches; a chain rewritten with every hash recomputed as a checkpoint
//! whose signed hash differs; a truncated tail as a checkpoint beyond the last entry.

use std::fmt;

use super::chain::{GENESIS, link};
use super::checkpoint::CheckpointVerifier;
use crate::store::{Store, StoreError};

const PAGE: u32 = 10_000;

/// The log verified: how much was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intact {
    pub entries: u64,
    pub checkpoints: u64,
}

/// The first place where the log does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: u64,
    pub problem: String,
}

impl fmt::Display for Intact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit log intact: {} entries, {} checkpoints", self.entries, self.checkpoints)
    }
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit log broken at entry {}: {}", self.seq, self.problem)
    }
}

fn broken(seq: u64, problem: impl Into<String>) -> Result<Result<Intact, Broken>, StoreError> {
    Ok(Err(Broken { seq, problem: problem.into() }))
}

/// Verifies the whole log against the checkpoint key's public half.
pub async fn verify(store: &dyn Store, key: &CheckpointVerifier) -> Result<Result<Intact, Broken>, StoreError> {
    let checkpoints = store.checkpoints().await?;
    let mut pending = checkpoints.iter().peekable();
    let mut expected = 1u64;
    let mut previous = GENESIS;
    loop {
        let page = store.audit_page(expected - 1, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for stored in &page {
            let seq = stored.entry.seq;
            if seq != expected {
                return broken(expected, format!("the entry is missing (the next one stored is {seq})"));
            }
            if stored.prev_hash != previous {
                return broken(
                    seq,
                    "its link to the previous entry does not match: an entry before it was removed, inserted or replaced",
                );
            }
            let hash = link(&previous, &stored.entry);
            if stored.hash != hash {
                return broken(seq, "its content does not match its hash: the entry was altered or moved");
            }
            while let Some(checkpoint) = pending.next_if(|c| c.seq == seq) {
                if checkpoint.hash != hash {
                    return broken(
                        seq,
                        "the signed checkpoint at this entry holds another hash: the log was rewritten",
                    );
                }
                if !key.verify(checkpoint) {
                    return broken(
                        seq,
                        format!(
                            "the checkpoint at this entry is not signed by the checkpoint key {} (signed with {})",
                            key.key_id(),
                            checkpoint.key_id
                        ),
                    );
                }
            }
            if let Some(checkpoint) = pending.peek()
                && checkpoint.seq < seq
            {
                return broken(checkpoint.seq, "a checkpoint refers to an entry that is not in the log");
            }
            previous = hash;
            expected += 1;
        }
    }
    if let Some(checkpoint) = pending.next() {
        return broken(
            checkpoint.seq,
            format!("the log ends at entry {} but was checkpointed here: its tail was removed", expected - 1),
        );
    }
    Ok(Ok(Intact { entries: expected - 1, checkpoints: checkpoints.len() as u64 }))
}
