//! The storage port: one trait whose methods are units of work, each owning its transaction.
//!
//! Framework, audit and exchange code talk to [`Store`] only; `sqlite` (and later `postgres`)
//! hide SQL behind it. The one unit of work that matters most is [`Store::append`]: audit
//! entries and their effects (a delivered signal, a recorded consent) commit together or not
//! at all, chained in the order given, with appends serialised so the chain never forks.

mod directory;
mod sql;
mod sqlite_chain;
mod sqlite_direct;
mod writes;

use std::str::FromStr;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use directory::FRESH_FOR as DIRECTORY_FRESH_FOR;
pub use sql::{Backend, SqlStore};

use crate::audit::{AuditEntry, ChainHash, Checkpoint};
use crate::framework::{
    Consent, Involvement, Measure, NoticeKind, OrgId, OrgKind, Purpose, Report, Role, Signal, WithdrawalReason,
    YouthFacts,
};
use crate::notices::mail::{NoticeSettings, Notify};
use crate::notices::{Delivery, DueNotice, Settled, Webhook};
use crate::web::i18n::Lang;
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

/// A partner system's client certificate, as its organisation's administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// SHA-256 of the DER encoding, hex.
    pub fingerprint: String,
    pub added_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
}

/// A person's account at an organisation; the role comes from here, never from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub org: OrgId,
    pub role: Role,
    pub display_name: String,
    pub contact: Option<String>,
    /// The person's identity at the organisation's OpenID Connect provider: (issuer, subject).
    pub oidc: Option<(String, String)>,
    /// Where notices reach the person by e-mail (how often is theirs to choose).
    pub email: Option<String>,
}

/// A sign-in under way with an OpenID Connect provider.
#[derive(Debug, Clone)]
pub struct OidcLogin {
    pub state: String,
    pub provider: usize,
    pub pkce_verifier: String,
    pub nonce: String,
    pub created_at: OffsetDateTime,
}

/// A person's session on the web pages; the cookie's token is known here only by its hash.
#[derive(Debug, Clone)]
pub struct WebSession {
    pub token_hash: String,
    pub account_id: String,
    pub authenticated_by: String,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// A notice of the reference index delivered to one organisation about its youth: "another
/// professional is involved too" (a match), "was involved before" (a historic match), or
/// "another youth of this family is known to …" (a family match). It names only the other
/// organisation.
#[derive(Debug, Clone)]
pub struct MatchNotice {
    pub id: String,
    pub kind: NoticeKind,
    /// The recipient's youth: for a family match, not the other organisation's.
    pub youth: YouthId,
    pub to_org: OrgId,
    pub other_org: OrgId,
    pub delivered_at: OffsetDateTime,
    /// Whether it went to the organisation whose registration gave it; else to the one that
    /// knew the youth (or another youth of the family). A historic match tells each a
    /// different thing.
    pub to_registrant: bool,
    /// For a historic match: the archived involvement that gives it, marked as having given it
    /// in the same transaction (once per archived involvement, §8).
    pub from_archive: Option<String>,
}

/// The facts an organisation records and may later end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Involvement,
    Measure,
    Consent,
}

/// Whose a recorded fact is: the youth it is about and the organisation that holds it.
#[derive(Debug, Clone)]
pub struct FactOwner {
    pub youth: YouthId,
    pub pseudonym: Pseudonym,
    pub org: OrgId,
}

/// A fact with the audit entries that recorded it and, once it ended, its end; `None` for rows
/// kept from before Ketenpoort noted them, which count as known from the start.
#[derive(Debug, Clone)]
pub struct Recorded<T> {
    pub recorded_seq: Option<u64>,
    pub ended_seq: Option<u64>,
    pub fact: T,
}

impl<T: Clone> Recorded<T> {
    /// The fact as known before entry `seq` was written: `None` if not yet recorded, and with
    /// its end undone (`unend`) if that was recorded later.
    fn known_before(&self, seq: u64, unend: impl Fn(&mut T)) -> Option<T> {
        if self.recorded_seq.is_some_and(|recorded| recorded >= seq) {
            return None;
        }
        let mut fact = self.fact.clone();
        if self.ended_seq.is_some_and(|ended| ended >= seq) {
            unend(&mut fact);
        }
        Some(fact)
    }
}

/// Everything recorded about one youth, with when each fact became known: a replay re-decides
/// a past decision on the facts known then, not on today's.
#[derive(Debug, Clone)]
pub struct FactHistory {
    pub birth_date: BirthDate,
    pub died_at: Option<OffsetDateTime>,
    pub involvements: Vec<Recorded<Involvement>>,
    pub measures: Vec<Recorded<Measure>>,
    pub consents: Vec<Recorded<Consent>>,
    pub reports: Vec<Recorded<Report>>,
}

impl FactHistory {
    /// A youth of whom nothing is known but the birth date.
    pub fn of(birth_date: BirthDate) -> Self {
        FactHistory {
            birth_date,
            died_at: None,
            involvements: vec![],
            measures: vec![],
            consents: vec![],
            reports: vec![],
        }
    }

    /// The facts as they stand now.
    pub fn current(self) -> YouthFacts {
        YouthFacts {
            birth_date: self.birth_date,
            involvements: self.involvements.into_iter().map(|r| r.fact).collect(),
            measures: self.measures.into_iter().map(|r| r.fact).collect(),
            consents: self.consents.into_iter().map(|r| r.fact).collect(),
            reports: self.reports.into_iter().map(|r| r.fact).collect(),
            died_at: self.died_at,
        }
    }

    /// The facts as known just before audit entry `seq` was written.
    pub fn known_before(&self, seq: u64) -> YouthFacts {
        YouthFacts {
            birth_date: self.birth_date,
            involvements: self
                .involvements
                .iter()
                .filter_map(|r| {
                    r.known_before(seq, |i| {
                        i.withdrawn_at = None;
                        i.withdrawal = None;
                    })
                })
                .collect(),
            measures: self.measures.iter().filter_map(|r| r.known_before(seq, |m| m.until = None)).collect(),
            consents: self.consents.iter().filter_map(|r| r.known_before(seq, |c| c.revoked_at = None)).collect(),
            reports: self.reports.iter().filter_map(|r| r.known_before(seq, |_| {})).collect(),
            // A death is recorded once and stays: a replay of a decision before it is told by
            // the involvements, whose ends it undoes above.
            died_at: self.died_at,
        }
    }
}

/// A signal sent in reply to a request (`in_reply_to`).
#[derive(Debug, Clone)]
pub struct Answer {
    pub id: String,
    pub signal: Signal,
    pub from_org: OrgId,
    pub delivered_at: OffsetDateTime,
}

/// One item of an organisation's inbox, in audit order.
#[derive(Debug, Clone)]
pub enum InboxItem {
    Signal { seq: u64, signal: DeliveredSignal, youth: Pseudonym, answers: Vec<Answer> },
    MatchNotice { seq: u64, notice: MatchNotice, youth: Pseudonym },
}

impl InboxItem {
    /// The audit sequence number of the delivery: the inbox cursor.
    pub fn seq(&self) -> u64 {
        match self {
            InboxItem::Signal { seq, .. } | InboxItem::MatchNotice { seq, .. } => *seq,
        }
    }
}

/// A request about a youth and its answers.
#[derive(Debug, Clone)]
pub struct Thread {
    pub request: DeliveredSignal,
    pub answers: Vec<Answer>,
}

/// A change that commits together with its audit entry.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Deliver a signal; a `safety_concern` also makes its sender the reporter (§3).
    Deliver(DeliveredSignal),
    /// `keep_until`: until when the store keeps it, as [`Involvement::keep_until`] computes.
    RecordInvolvement {
        youth: YouthId,
        involvement: Involvement,
        keep_until: OffsetDateTime,
    },
    WithdrawInvolvement {
        id: String,
        org: OrgId,
        at: OffsetDateTime,
        reason: WithdrawalReason,
        keep_until: OffsetDateTime,
    },
    /// §8: the youth died at `at`: every involvement and measure ends then, and no archive
    /// outlives it.
    RecordDeath {
        youth: YouthId,
        at: OffsetDateTime,
    },
    /// The parents a registration named, as pseudonyms of their BSNs.
    NameParents {
        youth: YouthId,
        parents: Vec<Pseudonym>,
    },
    /// §8, a retention run: an involvement kept until `due` or before.
    DestroyInvolvement {
        id: String,
        due: OffsetDateTime,
    },
    /// §8, a retention run: the youth's own record with all that is left about them, if at
    /// `at` it is still as [`Store::destroyable_youths`] found it. Their delivered signals,
    /// unreachable from then on, go in [`Store::purge_destroyed_signals`].
    DestroyYouth {
        youth: YouthId,
        at: OffsetDateTime,
        enrolled_before: OffsetDateTime,
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
    DeliverMatchNotice(MatchNotice),
    /// Policy versions: a new draft, its approval by a second privacy officer, activation
    /// (which retires the active version in the same transaction).
    DraftPolicy {
        text: PolicyText,
        note: String,
        author: String,
        at: OffsetDateTime,
    },
    ApprovePolicy {
        id: String,
        approver: String,
        at: OffsetDateTime,
    },
    ActivatePolicy {
        id: String,
        at: OffsetDateTime,
    },
    /// Administration: organisations, their certificates and accounts.
    RegisterOrg(Organisation),
    RegisterCertificate {
        fingerprint: String,
        org: OrgId,
        at: OffsetDateTime,
    },
    RegisterAccount(Account),
    /// An organisation or account that may no longer act; its history stays.
    DisableOrg {
        id: OrgId,
        at: OffsetDateTime,
    },
    DisableAccount {
        id: String,
        at: OffsetDateTime,
    },
    /// A partner system's certificate of `org` stops identifying anyone.
    DisableCertificate {
        fingerprint: String,
        org: OrgId,
        at: OffsetDateTime,
    },
    SetCaseLead {
        youth: YouthId,
        org: OrgId,
        at: OffsetDateTime,
    },
    /// An organisation's webhook, set anew (a new secret) or for the first time.
    SetWebhook(Webhook),
    /// No more deliveries to the organisation's system; those still waiting are dropped.
    RemoveWebhook {
        org: OrgId,
        at: OffsetDateTime,
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

/// [`Store::read_chain`] by pages of whole entries: for any store.
pub async fn read_chain_in_pages<S: Store + ?Sized>(
    store: &S,
    batches: tokio::sync::mpsc::Sender<ChainBatch>,
) -> Result<(), StoreError> {
    let mut after = 0;
    loop {
        let page = store.audit_page(after, CHAIN_BATCH as u32).await?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.entry.seq;
        let mut batch = ChainBatch::default();
        for stored in &page {
            batch.push(stored.entry.seq, &stored.prev_hash, &stored.hash, |out| {
                out.extend_from_slice(&stored.entry.canonical_bytes())
            });
        }
        if batches.send(batch).await.is_err() {
            return Ok(());
        }
    }
}

/// An audited exchange decision as a replay reads it: the request and what was decided, and
/// no more of the entry.
#[derive(Debug, Clone)]
pub struct PastDecision {
    pub seq: u64,
    pub at: OffsetDateTime,
    pub actor_org: Option<OrgId>,
    pub actor_org_kind: Option<OrgKind>,
    pub actor_role: Option<Role>,
    pub action: Option<crate::framework::Action>,
    pub signal: Option<Signal>,
    pub purpose: Option<Purpose>,
    pub youth: Option<Pseudonym>,
    pub recipient_org: Option<OrgId>,
    pub decision: Option<crate::framework::Outcome>,
    pub matched_rules: Vec<String>,
    pub justification: Option<String>,
}

/// Entries a batch of [`Store::read_chain`] holds.
pub const CHAIN_BATCH: usize = 4_096;

/// Stored entries as the chain sees them: each one's sequence number, its stored hashes (`None`
/// for a stored value that is not 32 bytes: it matches nothing) and canonical bytes.
#[derive(Debug, Default)]
pub struct ChainBatch {
    pub seqs: Vec<u64>,
    pub prev_hashes: Vec<Option<ChainHash>>,
    pub hashes: Vec<Option<ChainHash>>,
    /// Every entry's canonical bytes, one after the other; `ends[i]` is where entry i's end.
    pub bytes: Vec<u8>,
    pub ends: Vec<usize>,
}

impl ChainBatch {
    /// A batch with room for a whole batch of entries of `bytes_each` canonical bytes: the
    /// vectors are made once, not grown and copied as entries come.
    pub fn with_room(bytes_each: usize) -> Self {
        ChainBatch {
            seqs: Vec::with_capacity(CHAIN_BATCH),
            prev_hashes: Vec::with_capacity(CHAIN_BATCH),
            hashes: Vec::with_capacity(CHAIN_BATCH),
            bytes: Vec::with_capacity(CHAIN_BATCH * bytes_each),
            ends: Vec::with_capacity(CHAIN_BATCH),
        }
    }

    /// Adds one entry; `canonical` writes its canonical bytes.
    pub fn push(&mut self, seq: u64, prev_hash: &[u8], hash: &[u8], canonical: impl FnOnce(&mut Vec<u8>)) {
        self.seqs.push(seq);
        self.prev_hashes.push(prev_hash.try_into().ok());
        self.hashes.push(hash.try_into().ok());
        canonical(&mut self.bytes);
        self.ends.push(self.bytes.len());
    }

    pub fn len(&self) -> usize {
        self.seqs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// Entry `i`: (seq, stored previous hash, stored hash, canonical bytes).
    pub fn entry(&self, i: usize) -> (u64, Option<&ChainHash>, Option<&ChainHash>, &[u8]) {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        (self.seqs[i], self.prev_hashes[i].as_ref(), self.hashes[i].as_ref(), &self.bytes[start..self.ends[i]])
    }
}

/// What a retention run destroys, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionCounts {
    /// Involvements whose time (and archive) is up, of youths who stay or go.
    pub involvements: u64,
    /// Youths' own records: birth date, parents, the link from the BSN's pseudonym.
    pub youths: u64,
    pub consents: u64,
    pub measures: u64,
    pub signals: u64,
    pub notices: u64,
    pub reports: u64,
    pub parents: u64,
}

/// Where a policy version stands: draft → approved (by a second privacy officer) → active →
/// retired; a retired version may be activated again (rollback).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyStatus {
    Draft,
    Approved,
    Active,
    Retired,
}

impl PolicyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyStatus::Draft => "draft",
            PolicyStatus::Approved => "approved",
            PolicyStatus::Active => "active",
            PolicyStatus::Retired => "retired",
        }
    }
}

impl FromStr for PolicyStatus {
    type Err = StoreError;
    fn from_str(text: &str) -> Result<Self, StoreError> {
        match text {
            "draft" => Ok(PolicyStatus::Draft),
            "approved" => Ok(PolicyStatus::Approved),
            "active" => Ok(PolicyStatus::Active),
            "retired" => Ok(PolicyStatus::Retired),
            other => Err(StoreError::Corrupt(format!("policy status `{other}`"))),
        }
    }
}

/// A stored policy version with its history.
#[derive(Debug, Clone)]
pub struct PolicyVersion {
    pub text: PolicyText,
    pub status: PolicyStatus,
    pub note: String,
    pub author: Option<String>,
    pub approver: Option<String>,
    pub created_at: OffsetDateTime,
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
    #[error("this youth is known with another birth date")]
    BirthDateMismatch,
    #[error("the database holds a value Ketenpoort cannot read: {0}")]
    Corrupt(String),
    /// No connection came free in time: the pool is bounded, and a request waits only so long.
    #[error("the database is busy: no connection came free in time")]
    Busy,
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The storage port.
#[async_trait]
pub trait Store: Send + Sync {
    /// Brings the schema up to date.
    async fn migrate(&self) -> Result<(), StoreError>;
    /// A signal each time another instance activates a policy version, where the database can
    /// tell (PostgreSQL's LISTEN/NOTIFY); `None` where only the periodic check can.
    async fn policy_changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>> {
        None
    }

    /// Registers an organisation, or updates its name and contact; its kind never changes.
    async fn upsert_org(&self, org: &Organisation) -> Result<(), StoreError>;
    async fn org(&self, id: &OrgId) -> Result<Option<Organisation>, StoreError>;

    /// Whether the database answers (readiness).
    async fn ping(&self) -> Result<(), StoreError>;

    /// Registers a partner system's client certificate (SHA-256 fingerprint, hex) for `org`.
    async fn add_certificate(&self, fingerprint: &str, org: &OrgId, at: OffsetDateTime) -> Result<(), StoreError>;
    /// The organisation a client certificate belongs to and, when `account` is given, that
    /// account if it is active (of whichever organisation: the caller checks it is this one).
    /// One query: it runs for every API request.
    async fn certificate_holder(
        &self,
        fingerprint: &str,
        account: Option<&str>,
    ) -> Result<Option<(Organisation, Option<Account>)>, StoreError>;
    /// Registers an account, or updates its name, role and contact.
    async fn upsert_account(&self, account: &Account) -> Result<(), StoreError>;
    /// An account that is not disabled.
    async fn account(&self, id: &str) -> Result<Option<Account>, StoreError>;

    /// Every active organisation, by id.
    async fn orgs(&self) -> Result<Vec<Organisation>, StoreError>;
    /// The accounts of an organisation, by id.
    async fn accounts(&self, org: &OrgId) -> Result<Vec<Account>, StoreError>;

    // What the administration pages and sign-in tell apart, where the look-ups above see only
    // what is active: disabled organisations and accounts, with when they were disabled.
    /// Every organisation, disabled ones too, by id, each with when it was disabled.
    async fn orgs_with_state(&self) -> Result<Vec<(Organisation, Option<OffsetDateTime>)>, StoreError>;
    /// The accounts of an organisation, disabled ones too, by id, each with when it was disabled.
    async fn accounts_with_state(&self, org: &OrgId) -> Result<Vec<(Account, Option<OffsetDateTime>)>, StoreError>;
    /// An account, disabled or not, with when it was disabled.
    async fn account_with_state(&self, id: &str) -> Result<Option<(Account, Option<OffsetDateTime>)>, StoreError>;
    /// The account of an OpenID Connect identity, disabled or not, with when it was disabled.
    async fn account_by_oidc_with_state(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<(Account, Option<OffsetDateTime>)>, StoreError>;
    /// The partner-system certificates registered for an organisation: (SHA-256 fingerprint,
    /// registered at), by fingerprint.
    async fn certificates(&self, org: &OrgId) -> Result<Vec<Certificate>, StoreError>;

    /// The account of a person signed in at an OpenID Connect provider.
    async fn account_by_oidc(&self, issuer: &str, subject: &str) -> Result<Option<Account>, StoreError>;
    async fn begin_oidc_login(&self, login: &OidcLogin) -> Result<(), StoreError>;
    /// The sign-in under way with this state, removed: each is used at most once.
    async fn take_oidc_login(&self, state: &str) -> Result<Option<OidcLogin>, StoreError>;

    async fn create_session(&self, session: &WebSession) -> Result<(), StoreError>;
    async fn session(&self, token_hash: &str) -> Result<Option<WebSession>, StoreError>;
    async fn touch_session(&self, token_hash: &str, at: OffsetDateTime) -> Result<(), StoreError>;
    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Removes sessions idle since `idle_before` or started before `started_before`.
    async fn purge_sessions(
        &self,
        idle_before: OffsetDateTime,
        started_before: OffsetDateTime,
    ) -> Result<(), StoreError>;
    /// Removes sign-ins under way that began before `before` and were never finished.
    async fn purge_oidc_logins(&self, before: OffsetDateTime) -> Result<(), StoreError>;

    /// The pseudonym of a youth the store knows.
    async fn youth_pseudonym(&self, youth: YouthId) -> Result<Option<Pseudonym>, StoreError>;
    /// The youth behind a pseudonym (their own or an alias), if known: their id, birth date and
    /// own pseudonym (the one the log knows them by).
    async fn find_youth(&self, youth: &Pseudonym) -> Result<Option<(YouthId, BirthDate, Pseudonym)>, StoreError>;
    /// The youth behind a pseudonym (their own or an alias) with their own pseudonym and every
    /// fact about them, in one round trip: what an exchange needs.
    async fn youth_with_facts(
        &self,
        youth: &Pseudonym,
    ) -> Result<Option<(YouthId, Pseudonym, FactHistory)>, StoreError>;
    /// Another pseudonym for a known youth: theirs under a newer key.
    async fn add_youth_alias(&self, youth: YouthId, alias: &Pseudonym) -> Result<(), StoreError>;
    /// Finds the youth by pseudonym, or enrols them under a new random reference (their name in
    /// the log; the pseudonym becomes their alias). A different birth date is a conflict.
    /// Returns their id and their own pseudonym or reference.
    async fn enrol_youth(
        &self,
        youth: &Pseudonym,
        birth_date: BirthDate,
        at: OffsetDateTime,
    ) -> Result<(YouthId, Pseudonym), StoreError> {
        let mut ids = self.enrol_youths(&[(youth.clone(), birth_date)], at).await?;
        ids.pop().ok_or_else(|| StoreError::NotFound("youth".into()))
    }
    /// [`Store::enrol_youth`] for many youths in one transaction: all or none.
    async fn enrol_youths(
        &self,
        youths: &[(Pseudonym, BirthDate)],
        at: OffsetDateTime,
    ) -> Result<Vec<(YouthId, Pseudonym)>, StoreError>;

    /// The parents' pseudonyms a registration of this youth named.
    async fn youth_parents(&self, youth: YouthId) -> Result<Vec<Pseudonym>, StoreError>;
    /// §8, family match: the other youths with a parent among `parents` and an active
    /// involvement at `at`, each with the organisation involved.
    async fn family_involvements(
        &self,
        youth: YouthId,
        parents: &[Pseudonym],
        at: OffsetDateTime,
    ) -> Result<Vec<(YouthId, OrgId)>, StoreError>;

    // §8, retention.
    /// Up to `limit` youths whose record or involvements lack what retention needs (their
    /// 23rd birthday; an involvement's `keep_until`): rows from before these were kept.
    async fn unplanned_youths(&self, limit: u32) -> Result<Vec<YouthId>, StoreError>;
    /// Stores a youth's 23rd birthday and their involvements' `keep_until`.
    async fn plan_retention(
        &self,
        youth: YouthId,
        ages_out_at: OffsetDateTime,
        involvements: &[(String, OffsetDateTime)],
    ) -> Result<(), StoreError>;
    /// Up to `limit` involvements kept until `at` or before: (id, youth's own name in the
    /// log, organisation).
    async fn due_involvements(
        &self,
        at: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<(String, Pseudonym, OrgId)>, StoreError>;
    /// Up to `limit` youths after id `after` with nothing left to keep at `at` (§8) and
    /// enrolled before `enrolled_before`, by id: (id, own name in the log).
    async fn destroyable_youths(
        &self,
        at: OffsetDateTime,
        enrolled_before: OffsetDateTime,
        after: YouthId,
        limit: u32,
    ) -> Result<Vec<(YouthId, Pseudonym)>, StoreError>;
    /// Deletes the delivered signals of youths destroyed (§8), which nothing reaches any more:
    /// in table order and short transactions, so that exchanges wait no longer than one of
    /// them. How many.
    async fn purge_destroyed_signals(&self) -> Result<u64, StoreError>;
    /// What a retention run at `at` would destroy, by kind, counted.
    async fn retention_preview(
        &self,
        at: OffsetDateTime,
        enrolled_before: OffsetDateTime,
    ) -> Result<RetentionCounts, StoreError>;
    /// Claims the retention run of `day` (YYYY-MM-DD) for this instance: `false` when another
    /// instance has it already.
    async fn claim_retention_day(&self, day: &str, at: OffsetDateTime) -> Result<bool, StoreError>;
    /// Everything the framework may know about one youth.
    async fn youth_facts(&self, youth: YouthId) -> Result<YouthFacts, StoreError> {
        Ok(self.fact_history(youth).await?.current())
    }
    /// The facts about a youth with the audit entries that recorded each and its end.
    async fn fact_history(&self, youth: YouthId) -> Result<FactHistory, StoreError>;
    /// [`Store::fact_history`] of many youths at once, by their own pseudonyms (as the log
    /// names them); youths not known are left out.
    async fn fact_histories(&self, youths: &[Pseudonym]) -> Result<Vec<(Pseudonym, FactHistory)>, StoreError>;

    /// Whose a recorded involvement, measure or consent is.
    async fn fact_owner(&self, kind: FactKind, id: &str) -> Result<Option<FactOwner>, StoreError>;
    async fn delivered_signal(&self, id: &str) -> Result<Option<DeliveredSignal>, StoreError>;
    /// Signals and match notices delivered to `org` after cursor `after`, oldest first.
    async fn inbox(&self, org: &OrgId, after: u64, limit: u32) -> Result<Vec<InboxItem>, StoreError>;
    /// The requests about `youth` that `org` sent or received, with their answers.
    async fn threads(&self, youth: YouthId, org: &OrgId) -> Result<Vec<Thread>, StoreError>;
    async fn case_lead(&self, youth: YouthId) -> Result<Option<OrgId>, StoreError>;

    /// Appends `work` to the chain with its effects, in one transaction; returns the sequence
    /// numbers and chain hashes given to the entries.
    async fn append(&self, work: Vec<Audited>, link: Link) -> Result<Vec<(u64, ChainHash)>, StoreError> {
        let mut results = self.append_group(vec![work], link).await?;
        results.pop().unwrap_or_else(|| Err(StoreError::Conflict("nothing was appended".into())))
    }
    /// Group commit: appends several units of work in one transaction and one durable commit,
    /// each unit all or nothing on its own (a unit whose effect fails leaves no trace and does
    /// not take the others with it). Returns each unit's outcome in order; the outer error is a
    /// failed commit, which fails them all.
    async fn append_group(
        &self,
        units: Vec<Vec<Audited>>,
        link: Link,
    ) -> Result<Vec<Result<Vec<(u64, ChainHash)>, StoreError>>, StoreError>;
    /// The last entry's sequence number and hash; `(0, GENESIS)` for an empty log.
    async fn chain_head(&self) -> Result<(u64, ChainHash), StoreError>;
    /// Up to `limit` entries after `after`, in sequence order.
    async fn audit_page(&self, after: u64, limit: u32) -> Result<Vec<StoredEntry>, StoreError>;
    /// The whole chain from entry 1, in sequence order, as batches of canonical bytes sent to
    /// `batches` (bounded: memory stays flat), until the log ends or the receiver hangs up.
    /// This generic version reads pages of entries; a store that can read its rows faster
    /// (SQLite, straight from the file) overrides it.
    async fn read_chain(&self, batches: tokio::sync::mpsc::Sender<ChainBatch>) -> Result<(), StoreError> {
        read_chain_in_pages(self, batches).await
    }
    /// The next `limit` exchange decisions after entry `after` made at or after `since`, in log order.
    async fn decisions_page(
        &self,
        after: u64,
        since: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<PastDecision>, StoreError>;
    /// One page of an auditor's search, within their scope.
    async fn search_audit(&self, query: &crate::audit::AuditQuery) -> Result<Vec<StoredEntry>, StoreError>;
    async fn audit_entry(&self, seq: u64) -> Result<Option<StoredEntry>, StoreError>;
    /// The first checkpoint at or after entry `seq`: the one whose signature covers it.
    async fn checkpoint_covering(&self, seq: u64) -> Result<Option<Checkpoint>, StoreError>;
    async fn add_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError>;
    /// Every checkpoint, in sequence order.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError>;

    async fn active_policy(&self) -> Result<Option<PolicyText>, StoreError>;
    /// Only the active version's id: what a running server compares every second.
    async fn active_policy_version(&self) -> Result<Option<String>, StoreError>;
    /// Allowed exchanges of `org` that carry the `privacy_review` obligation and have no
    /// review yet, oldest first.
    async fn review_queue(&self, org: &OrgId) -> Result<Vec<AuditEntry>, StoreError>;
    async fn policy_version(&self, id: &str) -> Result<Option<PolicyVersion>, StoreError>;
    /// Every version, newest first.
    async fn policy_versions(&self) -> Result<Vec<PolicyVersion>, StoreError>;
    /// Stores `policy` as the active version when no version is active yet.
    async fn install_policy(&self, policy: &PolicyText, note: &str, at: OffsetDateTime) -> Result<(), StoreError>;

    /// Notices (`crate::notices`): the organisation's webhook, if it has one.
    async fn webhook(&self, org: &OrgId) -> Result<Option<Webhook>, StoreError>;
    /// Takes up to `limit` notices due at `now`, oldest due first, for `lease`: another
    /// dispatcher (another instance) takes them only once the lease has run out unsettled.
    async fn take_due_notices(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<DueNotice>, StoreError>;
    /// Writes back what became of taken notices, in one transaction.
    async fn settle_notices(&self, settled: &[Settled]) -> Result<(), StoreError>;
    /// Deletes up to `limit` settled notices (delivered, failed or dropped) queued before
    /// `before`, oldest first; how many. The delivery log keeps what is newer.
    async fn prune_notices(&self, before: OffsetDateTime, limit: u32) -> Result<u64, StoreError>;
    /// The organisation's latest notices, newest first.
    async fn deliveries(&self, org: &OrgId, limit: u32) -> Result<Vec<Delivery>, StoreError>;
    /// Takes the digest's notices waiting, by person, as [`Store::take_due_notices`] takes others.
    async fn take_digest_notices(
        &self,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<DueNotice>, StoreError>;
    /// Claims the day's digest: true for the one instance (of several) that sends it.
    async fn claim_digest_day(&self, day: &str, at: OffsetDateTime) -> Result<bool, StoreError>;
    /// A person's choices for notices; `None` for an account not (or no longer) active.
    async fn notice_settings(&self, account: &str) -> Result<Option<NoticeSettings>, StoreError>;
    async fn set_notice_settings(&self, account: &str, notify: Notify, lang: Lang) -> Result<(), StoreError>;
}

/// Opens the store a database URL names: `sqlite://file.db`, `sqlite::memory:` or
/// `postgres://user@host/db`.
pub async fn open(url: &str) -> Result<Box<dyn Store>, StoreError> {
    Ok(Box::new(SqlStore::open(url).await?))
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

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::framework::Consenter;

    #[test]
    fn a_fact_is_known_only_after_the_entry_that_recorded_it_and_its_end_only_after_its_own() {
        let consent = Consent {
            id: "c".into(),
            given_by: Consenter::Youth,
            holder: "lyceum-noord".into(),
            recipient_orgs: vec![],
            recipient_kinds: vec![OrgKind::NeighbourhoodTeam],
            signals: vec![Signal::HelpStarted],
            purposes: vec![Purpose::CareCoordination],
            valid_from: datetime!(2026-01-01 0:00 UTC),
            valid_until: None,
            revoked_at: Some(datetime!(2026-03-01 0:00 UTC)),
        };
        let history = FactHistory {
            birth_date: "2011-05-01".parse().unwrap(),
            died_at: None,
            involvements: vec![],
            measures: vec![],
            consents: vec![Recorded { recorded_seq: Some(5), ended_seq: Some(9), fact: consent }],
            reports: vec![],
        };
        assert!(history.known_before(5).consents.is_empty(), "not yet recorded");
        let then = history.known_before(7);
        assert_eq!(then.consents.len(), 1);
        assert_eq!(then.consents[0].revoked_at, None, "the revocation came later");
        assert!(history.known_before(10).consents[0].revoked_at.is_some());
        assert!(history.current().consents[0].revoked_at.is_some());
    }
}
