//! Auditors' access to the log: every search, entry, report, export and verification is itself
//! an audit entry, written before anything is shown — log before disclose holds here too.

use super::{Gateway, Occasion};
use crate::audit::{
    AuditActor, AuditEntry, AuditEvent, AuditFilter, AuditQuery, AuditScope, Checkpoint, Disclosure, MAX_PAGE, Order,
};
use crate::clock;
use crate::framework::Outcome;
use crate::identity::Principal;
use crate::store::{Audited, StoreError, StoredEntry};
use crate::youth::{BirthDate, Pseudonym};

#[derive(Debug, thiserror::Error)]
pub enum AuditAccessError {
    #[error("entry {0} is not in the log, or not in your organisation's part of it")]
    NotFound(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One entry in detail: its hashes, and the signed checkpoint that covers it (if one does yet).
#[derive(Debug, Clone)]
pub struct EntryDetail {
    pub stored: StoredEntry,
    pub checkpoint: Option<Checkpoint>,
}

impl Gateway {
    /// Writes the entry that records an auditor's look; `what` says what was looked at, without
    /// personal data (a youth is in the entry's youth column, by pseudonym).
    pub async fn record_audit_access(
        &self,
        by: AuditActor,
        event: AuditEvent,
        youth: Option<Pseudonym>,
        what: String,
        occasion: &Occasion,
    ) -> Result<(), StoreError> {
        let mut entry = AuditEntry::new(event, by, occasion.at, clock::now(), occasion.request_id.clone());
        // A youth Ketenpoort does not know (never registered, or destroyed, §8) is not named:
        // their BSN's pseudonym in this entry would let the BSN find the log again.
        entry.youth = match youth {
            Some(youth) if self.store.find_youth(&youth).await?.is_some() => Some(youth),
            _ => None,
        };
        entry.decision = Some(Outcome::Allow);
        entry.subject = Some(what);
        self.audit.append(vec![Audited { entry, effect: None }], clock::now()).await.map(drop)
    }

    /// A youth searched for by pseudonyms (current key first), by their own pseudonym in the
    /// log; checked against the birth date Ketenpoort knows (a mistyped BSN should not quietly
    /// show another child's record). Unknown youths pass: the search then finds nothing, which
    /// is the truth.
    pub async fn youth_for_audit(
        &self,
        pseudonyms: &[Pseudonym],
        birth_date: BirthDate,
    ) -> Result<Pseudonym, StoreError> {
        match self.find_youth_quietly(pseudonyms).await? {
            Some((_, known)) if known != birth_date => Err(StoreError::BirthDateMismatch),
            Some((own, _)) => Ok(own),
            None => pseudonyms.first().cloned().ok_or_else(|| StoreError::NotFound("pseudonym".into())),
        }
    }

    /// Whether Ketenpoort knows the youth behind `pseudonyms` (looked up without a trace). A
    /// youth whose data were destroyed (§8) is as unknown as one never registered: nothing
    /// tells the two apart, by design.
    pub async fn knows_youth(&self, pseudonyms: &[Pseudonym]) -> Result<bool, StoreError> {
        Ok(self.find_youth_quietly(pseudonyms).await?.is_some())
    }

    /// The youth's own pseudonym and birth date, without adding an alias: an auditor's look
    /// changes nothing.
    async fn find_youth_quietly(&self, pseudonyms: &[Pseudonym]) -> Result<Option<(Pseudonym, BirthDate)>, StoreError> {
        for pseudonym in pseudonyms {
            if let Some((_, birth_date, own)) = self.store.find_youth(pseudonym).await? {
                return Ok(Some((own, birth_date)));
            }
        }
        Ok(None)
    }

    /// One page of a search within the auditor's scope.
    pub async fn search_audit(
        &self,
        by: &Principal,
        query: &AuditQuery,
        occasion: &Occasion,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let what = query.filter.describe();
        self.record_audit_access(
            by.audit_actor(),
            AuditEvent::AuditSearched,
            query.filter.youth.clone(),
            what,
            occasion,
        )
        .await?;
        self.store.search_audit(query).await
    }

    /// One entry with its hashes and checkpoint, if it lies within the auditor's scope.
    pub async fn audit_entry_detail(
        &self,
        by: &Principal,
        scope: &AuditScope,
        seq: u64,
        occasion: &Occasion,
    ) -> Result<EntryDetail, AuditAccessError> {
        self.record_audit_access(
            by.audit_actor(),
            AuditEvent::AuditEntryViewed,
            None,
            format!("entry {seq}"),
            occasion,
        )
        .await?;
        let stored = self
            .store
            .audit_entry(seq)
            .await?
            .filter(|stored| scope.covers(&stored.entry))
            .ok_or(AuditAccessError::NotFound(seq))?;
        let checkpoint = self.store.checkpoint_covering(seq).await?;
        Ok(EntryDetail { stored, checkpoint })
    }

    /// The disclosure report of one youth within the auditor's scope, oldest first.
    pub async fn disclosure_report(
        &self,
        by: &Principal,
        scope: &AuditScope,
        youth: &Pseudonym,
        full_detail: bool,
        occasion: &Occasion,
    ) -> Result<Vec<Disclosure>, StoreError> {
        let what = if full_detail { "disclosure report, full detail" } else { "disclosure report" };
        self.record_audit_access(
            by.audit_actor(),
            AuditEvent::DisclosureReported,
            Some(youth.clone()),
            what.into(),
            occasion,
        )
        .await?;
        let filter = AuditFilter { youth: Some(youth.clone()), ..AuditFilter::default() };
        let mut lines = Vec::new();
        let mut after = None;
        loop {
            let query = AuditQuery {
                scope: scope.clone(),
                filter: filter.clone(),
                order: Order::OldestFirst,
                after,
                limit: MAX_PAGE,
            };
            let page = self.store.search_audit(&query).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.entry.seq);
            lines.extend(page.iter().filter_map(|stored| Disclosure::of(&stored.entry, full_detail)));
        }
        Ok(lines)
    }
}
