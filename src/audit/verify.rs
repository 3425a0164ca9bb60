//! `ketenpoort audit verify`: recompute the chain from the first entry, check every stored hash
//! and every checkpoint signature, and name the first entry that does not verify.
//!
//! The log is read in pages, so memory stays flat however long it is. A deleted entry shows
//! as a gap in the sequence or a broken link; an altered, inserted or reordered entry as a
//! hash that no longer matches; a chain rewritten with every hash recomputed as a checkpoint
//! whose signed hash differs; a truncated tail as a checkpoint beyond the last entry.

use std::fmt;

use super::chain::{GENESIS, link};
use super::checkpoint::{Checkpoint, CheckpointVerifier};
use crate::store::{Store, StoreError};

const PAGE: u32 = 10_000;

/// The log verified: how much was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intact {
    pub entries: u64,
    pub checkpoints: u64,
    /// Checkpoints kept outside the log (anchors) found in it unchanged.
    pub anchors: u64,
    /// The last signed checkpoint verified: (entry, when it was signed).
    pub last_checkpoint: Option<(u64, time::OffsetDateTime)>,
}

/// The first place where the log does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub seq: u64,
    pub problem: String,
}

impl fmt::Display for Intact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "audit log intact: {} entries, {} checkpoints", self.entries, self.checkpoints)?;
        if self.anchors > 0 {
            write!(f, ", {} anchors", self.anchors)?;
        }
        Ok(())
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
    verify_with(store, key, &[], &mut |_| {}).await
}

/// Verifies the whole log, and that every checkpoint kept outside it (`anchors`, exported
/// earlier) is still in it with the same hash — so a removed tail or a chain rewritten and
/// signed with another key is found too. `progress` hears how many entries are verified.
pub async fn verify_with(
    store: &dyn Store,
    key: &CheckpointVerifier,
    anchors: &[Checkpoint],
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Result<Intact, Broken>, StoreError> {
    let mut anchors = anchors.to_vec();
    anchors.sort_by_key(|a| a.seq);
    let mut anchored = anchors.iter().peekable();
    let mut last_checkpoint = None;
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
                last_checkpoint = Some((checkpoint.seq, checkpoint.at));
            }
            while let Some(anchor) = anchored.next_if(|a| a.seq == seq) {
                if anchor.hash != hash {
                    return broken(
                        seq,
                        "the log differs from the checkpoint kept outside it (anchor) at this entry: the log was rewritten",
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
        progress(expected - 1);
    }
    if let Some(anchor) = anchored.next() {
        return broken(
            anchor.seq,
            format!(
                "a checkpoint kept outside the log (anchor) names this entry, but the log ends at entry {}: its tail was removed",
                expected - 1
            ),
        );
    }
    if let Some(checkpoint) = pending.next() {
        return broken(
            checkpoint.seq,
            format!("the log ends at entry {} but was checkpointed here: its tail was removed", expected - 1),
        );
    }
    Ok(Ok(Intact {
        entries: expected - 1,
        checkpoints: checkpoints.len() as u64,
        anchors: anchors.len() as u64,
        last_checkpoint,
    }))
}
