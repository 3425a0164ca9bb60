//! The storage port: one trait whose methods are units of work, each owning its transaction.
//!
//! Framework, audit and exchange code talk to [`Store`] only; `sqlite` (and later `postgres`)
//! hide SQL behind it. The one unit of work that matters most is [`Store::append`]: audit
//! entries and their effects (a delivered signal, a recorded consent) commit together or not
//! at all, chained in the order given, with appends serialised so the chain never forks.

mod sqlite;

use std::str::FromStr;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use sqlite::SqliteStore;

use crate::audit::{AuditEntry, ChainHash, Checkpoint};
use crate::framework::{Consent, Involvement, Measure, OrgId, OrgKind, Purpose, Report, Signal, YouthFacts};
use crate::youth::{BirthDate, Pseudonym};

/// The store's own id of a youth; never leaves the store and the exchange layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct YouthId(pub i64);

/// A registered organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub contact: Option<String>,
}

/// A signal delivered to a recipient organisation's inbox.
#[derive(Debug, Clone)]
pub struct DeliveredSignal {
    pub id: String,
    pub youth: YouthId,
    pub from_org: OrgId,
    pub from_account: Option<String>,
    pub to_org: OrgId,
    pub signal: Signal,
    pub purpose: Purpose,
    pub in_reply_to: Option<String>,
    pub delivered_at: OffsetDateTime,
}

/// A change that commits together with its audit entry.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Deliver a signal; a `safety_concern` also makes its sender the reporter (§3).
    Deliver(DeliveredSignal),
    RecordInvolvement {
        youth: YouthId,
        involvement: Involvement,
    },
    WithdrawInvolvement {
        id: String,
        org: OrgId,
        at: OffsetDateTime,
    },
    RecordMeasure {
        youth: YouthId,
        measure: Measure,
    },
    EndMeasure {
        id: String,
        org: OrgId,
        at: OffsetDateTime,
    },
    RecordConsent {
        youth: YouthId,
        consent: Consent,
    },
    RevokeConsent {
        id: String,
        holder: OrgId,
        at: OffsetDateTime,
    },
    RecordReport {
        youth: YouthId,
        report: Report,
    },
}

/// An audit entry and the effect it accounts for, if any.
#[derive(Debug, Clone)]
pub struct Audited {
    pub entry: AuditEntry,
    pub effect: Option<Effect>,
}

/// How the chain links an entry to its predecessor; owned by `audit::chain`.
pub type Link = fn(&ChainHash, &AuditEntry) -> ChainHash;

/// An entry as stored, with the hashes the store holds for it.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub entry: AuditEntry,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// A policy version's texts.
#[derive(Debug, Clone)]
pub struct PolicyText {
    pub version: String,
    pub model: String,
    pub rules: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the database holds a value Ketenpoort cannot read: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The storage port.
#[async_trait]
pub trait Store: Send + Sync {
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Registers an organisation, or updates its name and contact; its kind never changes.
    async fn upsert_org(&self, org: &Organisation) -> Result<(), StoreError>;
    async fn org(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError>;

    /// Finds the youth by pseudonym, or enrols them. A different birth date is a conflict.
    async fn enrol_youth(
        &self,
        youth: &Pseudonym,
        birth_date: BirthDate,
        at: OffsetDateTime,
    ) -> Result<YouthId, StoreError>;
    /// Everything the framework may know about one youth.
    async fn youth_facts(&self, youth: YouthId) -> Result<YouthFacts, StoreError>;

    /// Appends `work` to the chain with its effects, in one transaction; returns the sequence
    /// numbers and chain hashes given to the entries.
    async fn append(&self, work: Vec<Audited>, link: Link) -> Result<Vec<(u64, ChainHash)>, StoreError>;
    /// The last entry's sequence number and hash; `(0, GENESIS)` for an empty log.
    async fn chain_head(&self) -> Result<(u64, ChainHash), StoreError>;
    /// Up to `limit` entries after `after`, in sequence order (verification streams pages).
    async fn audit_page(&self, after: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError>;
    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError>;
    /// Every checkpoint, in sequence order.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError>;

    async fn active_policy(&self) -> Result<Option<PolicyText>, StoreError>;
    /// Stores `policy` as the active version when no version is active yet.
    async fn install_policy(&self, policy: &PolicyText, note: &str, at: OffsetDateTime) -> Result<(), StoreError>;
}

/// Opens the store a database URL names (`sqlite://file.db`, `sqlite::memory:`).
pub async fn open(url: &str) -> Result<Box<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Box::new(SqliteStore::open(url).await?))
    } else {
        Err(StoreError::Conflict(format!(
            "unsupported database URL `{}`: use sqlite://FILE (PostgreSQL comes in a later release)",
            url.split(['?', '@']).next().unwrap_or_default()
        )))
    }
}

/// The file of a SQLite database URL (`sqlite://data/k.db` → `data/k.db`); `None` for memory.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Parses a stored vocabulary word.
fn word<T: FromStr>(text: &str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("unknown word `{text}`")))
}
