//! `ketenpoort audit verify`: recompute the chain from the first entry, check every stored hash
//! and every checkpoint signature, and name the first entry that does not verify.
//!
//! The log is read in pages, so memory stays flat however long it is. A deleted entry shows
//! as a gap in the sequence or a broken link; an altered, inserted or reordered entry as a
//! hash that no longer matches; a chain rewritten with every hash recomputed as a checkpoint
//! whose signed hash differs; a truncated tail as a checkpoint beyond the last entry.

use std::fmt;

use super::chain::{ChainHash, GENESIS, link_bytes};
use super::checkpoint::{Checkpoint, CheckpointVerifier};
use crate::store::{Store, StoreError};

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

/// Verifies the whole log against the checkpoint key's public half.
pub async fn verify(store: &dyn Store, key: &CheckpointVerifier) -> Result<Result<Intact, Broken>, StoreError> {
    verify_with(store, key, &[], &mut |_| {}).await
}

/// Verifies the whole log, and that every checkpoint kept outside it (`anchors`, exported
/// earlier) is still in it with the same hash — so a removed tail or a chain rewritten and
/// signed with another key is found too. `progress` hears how many entries are verified.
///
/// The store reads the chain while this hashes it: batches come over a short queue, so the
/// reading and the hashing run side by side and memory stays flat.
pub async fn verify_with(
    store: &dyn Store,
    key: &CheckpointVerifier,
    anchors: &[Checkpoint],
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Result<Intact, Broken>, StoreError> {
    let checkpoints = store.checkpoints().await?;
    let (batches, received) = tokio::sync::mpsc::channel(4);
    let reading = store.read_chain(batches);
    let checking = async {
        // Owned here, so that a check that stops early drops the queue with it and the
        // reading, which may be far from done, stops too.
        let mut received = received;
        let mut chain = ChainCheck::new(key, anchors, &checkpoints);
        while let Some(batch) = received.recv().await {
            for i in 0..batch.len() {
                chain.next(batch.entry(i))?;
            }
            progress(chain.expected - 1);
        }
        chain.end()
    };
    // When the check stops early it drops the queue, and the reading stops too.
    let (read, checked) = tokio::join!(reading, checking);
    read?;
    Ok(checked.map(|(entries, anchors, last_checkpoint)| Intact {
        entries,
        checkpoints: checkpoints.len() as u64,
        anchors,
        last_checkpoint,
    }))
}

/// The chain checked so far: the next entry expected and its predecessor's hash, and the
/// checkpoints and anchors not yet reached.
struct ChainCheck<'a> {
    key: &'a CheckpointVerifier,
    expected: u64,
    previous: ChainHash,
    pending: std::iter::Peekable<std::slice::Iter<'a, Checkpoint>>,
    anchored: std::iter::Peekable<std::vec::IntoIter<Checkpoint>>,
    anchors: u64,
    last_checkpoint: Option<(u64, time::OffsetDateTime)>,
}

impl<'a> ChainCheck<'a> {
    fn new(key: &'a CheckpointVerifier, anchors: &[Checkpoint], checkpoints: &'a [Checkpoint]) -> Self {
        let mut anchors = anchors.to_vec();
        anchors.sort_by_key(|a| a.seq);
        ChainCheck {
            key,
            expected: 1,
            previous: GENESIS,
            pending: checkpoints.iter().peekable(),
            anchors: anchors.len() as u64,
            anchored: anchors.into_iter().peekable(),
            last_checkpoint: None,
        }
    }

    /// Checks one stored entry: (seq, stored previous hash, stored hash, canonical bytes).
    fn next(
        &mut self,
        (seq, prev_hash, stored_hash, canonical): (u64, Option<&ChainHash>, Option<&ChainHash>, &[u8]),
    ) -> Result<(), Broken> {
        let broken = |seq, problem: String| Err(Broken { seq, problem });
        if seq != self.expected {
            return broken(self.expected, format!("the entry is missing (the next one stored is {seq})"));
        }
        if prev_hash != Some(&self.previous) {
            return broken(
                seq,
                "its link to the previous entry does not match: an entry before it was removed, inserted or replaced"
                    .into(),
            );
        }
        let hash = link_bytes(&self.previous, canonical);
        if stored_hash != Some(&hash) {
            return broken(seq, "its content does not match its hash: the entry was altered or moved".into());
        }
        while let Some(checkpoint) = self.pending.next_if(|c| c.seq == seq) {
            if checkpoint.hash != hash {
                return broken(
                    seq,
                    "the signed checkpoint at this entry holds another hash: the log was rewritten".into(),
                );
            }
            if !self.key.verify(checkpoint) {
                return broken(
                    seq,
                    format!(
                        "the checkpoint at this entry is not signed by the checkpoint key {} (signed with {})",
                        self.key.key_id(),
                        checkpoint.key_id
                    ),
                );
            }
            self.last_checkpoint = Some((checkpoint.seq, checkpoint.at));
        }
        while let Some(anchor) = self.anchored.next_if(|a| a.seq == seq) {
            if anchor.hash != hash {
                return broken(
                    seq,
                    "the log differs from the checkpoint kept outside it (anchor) at this entry: the log was rewritten"
                        .into(),
                );
            }
        }
        if let Some(checkpoint) = self.pending.peek()
            && checkpoint.seq < seq
        {
            return broken(checkpoint.seq, "a checkpoint refers to an entry that is not in the log".into());
        }
        self.previous = hash;
        self.expected += 1;
        Ok(())
    }

    /// The end of the log: (entries, anchors, last checkpoint), unless a checkpoint or anchor
    /// lies beyond it.
    #[allow(clippy::type_complexity)]
    fn end(mut self) -> Result<(u64, u64, Option<(u64, time::OffsetDateTime)>), Broken> {
        let last = self.expected - 1;
        if let Some(anchor) = self.anchored.next() {
            return Err(Broken {
                seq: anchor.seq,
                problem: format!(
                    "a checkpoint kept outside the log (anchor) names this entry, but the log ends at entry {last}: its tail was removed"
                ),
            });
        }
        if let Some(checkpoint) = self.pending.next() {
            return Err(Broken {
                seq: checkpoint.seq,
                problem: format!("the log ends at entry {last} but was checkpointed here: its tail was removed"),
            });
        }
        Ok((last, self.anchors, self.last_checkpoint))
    }
}
