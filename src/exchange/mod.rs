//! Effects under "log before disclose": decide, audit, and only then deliver.
//!
//! In the request flow this sits between the callers (the API, the scenario runner, later the
//! web pages) and the core: it loads the youth's facts, calls [`framework::decide`] with the
//! active policy, and hands the audit entry together with its effect to [`AuditLog::append`],
//! so a delivered signal and its entry commit in one transaction or not at all. Changes to the
//! facts themselves (consents, involvements, measures, reports) are audited the same way.

mod auditing;
mod policy_versions;
mod registry;
mod replay;
mod retention;
mod synthetic;

use std::sync::Arc;

use arc_swap::ArcSwap;

use time::OffsetDateTime;

use crate::audit::{AuditActor, AuditEntry, AuditEvent, AuditLog};
use crate::clock;
use crate::framework::{
    self, Action, Basis, Consent, Decision, DenyReason, ExchangeRequest, InputError, Involvement, Measure, NoticeKind,
    OrgId, Outcome, PolicyError, Report, RuleBook, Signal, WithdrawalReason, YouthFacts, registration_expiry,
};
use crate::identity::Principal;
use crate::policy::Policy;
use crate::store::{
    Audited, DeliveredSignal, Effect, FactKind, MatchNotice, Organisation, Store, StoreError, Thread, YouthId,
};
use crate::youth::{BirthDate, Pseudonym};

pub use auditing::{AuditAccessError, EntryDetail};
pub use policy_versions::PolicyVersionError;
pub use registry::RegistryError;
pub use replay::{ChangeGroup, ChangedDecision, ReplayReport, Turn};
pub use retention::{RetentionReport, retention_day};
pub use synthetic::{SeedPlan, Seeded, synthetic_bsn};

/// Whether an allowed exchange takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deliver the signal (or record the involvement) when allowed.
    Deliver,
    /// Only decide and audit the question: "may I send this?".
    DryRun,
}

/// One request's occasion: its id (also in the audit entry) and its time T.
#[derive(Debug, Clone)]
pub struct Occasion {
    pub request_id: String,
    pub at: OffsetDateTime,
}

impl Occasion {
    /// A fresh request id at time `at`.
    pub fn at(at: OffsetDateTime) -> Self {
        Occasion { request_id: uuid::Uuid::new_v4().to_string(), at }
    }
}

/// A youth the gateway knows: the store's id and the pseudonym.
#[derive(Debug, Clone)]
pub struct Youth {
    pub id: YouthId,
    pub pseudonym: Pseudonym,
    /// The facts as read together with the youth, when they were: the one exchange that
    /// follows in the same request decides on them without a second round trip. Whoever
    /// records facts in between takes [`Youth::without_facts`].
    facts: Option<YouthFacts>,
}

impl Youth {
    pub fn new(id: YouthId, pseudonym: Pseudonym) -> Self {
        Youth { id, pseudonym, facts: None }
    }

    /// The youth without the facts read at look-up: for a caller that records facts and then
    /// exchanges, so that the exchange reads them anew.
    pub fn without_facts(self) -> Self {
        Youth { facts: None, ..self }
    }
}

/// What came of an exchange.
#[derive(Debug, Clone)]
pub struct Exchanged {
    pub decision: Decision,
    /// The decision in plain words: why, and what would make it possible.
    pub message: String,
    /// The youth's age at T, which the message names when consent is at stake.
    pub age: u32,
    /// The delivered signal's or recorded involvement's id, when the exchange took effect.
    pub effect_id: Option<String>,
    /// For a registration: the organisations already involved, each sent a match notice.
    pub matches: Vec<Organisation>,
    /// For a registration: the organisations whose archive knew the youth (§8), each sent a
    /// historic match notice.
    pub historic_matches: Vec<Organisation>,
    /// For a registration: the organisations involved with another youth of the family (§8),
    /// each sent a family match notice; nothing about that youth.
    pub family_matches: Vec<Organisation>,
}

/// What an organisation with a relationship may see of a youth's case.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// The youth's own pseudonym (what case references are made from).
    pub youth: Pseudonym,
    /// The organisations with a relationship now (an active involvement or measure).
    pub involved: Vec<Organisation>,
    pub lead: Option<OrgId>,
    pub threads: Vec<Thread>,
    /// The youth's age now, which decides whose consent is needed.
    pub age: u32,
    /// The consents the viewing organisation holds for this youth.
    pub consents: Vec<Consent>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("your organisation is already involved with this youth (involvement {0})")]
    AlreadyInvolved(String),
    #[error("your organisation has no relationship with this youth")]
    NoRelationship,
    #[error("{0}")]
    CaseLead(String),
    /// A parent named by the same BSN as the youth, or twice.
    #[error("{0}")]
    Parents(String),
}

/// What every notice of one registration shares: who registered, under which decision, when.
#[derive(Clone, Copy)]
struct Notices<'a> {
    by: &'a Principal,
    decision: &'a Decision,
    occasion: &'a Occasion,
}

/// The gateway's core service.
#[derive(Clone)]
pub struct Gateway {
    store: Arc<dyn Store>,
    audit: AuditLog,
    /// The active policy. Activation swaps it atomically: a decision loads it once, so a
    /// request in flight finishes under the version it started with.
    policy: Arc<ArcSwap<Policy>>,
}

impl Gateway {
    pub fn new(store: Arc<dyn Store>, audit: AuditLog, policy: Arc<Policy>) -> Self {
        Gateway { store, audit, policy: Arc::new(ArcSwap::new(policy)) }
    }

    /// The active policy as of now.
    pub fn policy(&self) -> Arc<Policy> {
        self.policy.load_full()
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The store itself, for a task that outlives a request (the notice dispatcher).
    pub fn store_handle(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Registers an organisation (or updates its name and contact).
    pub async fn register_org(&self, org: &Organisation) -> Result<(), StoreError> {
        self.store.upsert_org(org).await
    }

    /// Finds or enrols the youth behind `pseudonyms` (a BSN's pseudonyms under the current key
    /// and every retired one, current first).
    pub async fn youth(
        &self,
        pseudonyms: &[Pseudonym],
        birth_date: BirthDate,
        at: OffsetDateTime,
    ) -> Result<Youth, StoreError> {
        if let Some((youth, known)) = self.find_youth(pseudonyms).await? {
            return if known == birth_date { Ok(youth) } else { Err(StoreError::BirthDateMismatch) };
        }
        let current = pseudonyms.first().ok_or_else(|| StoreError::NotFound("pseudonym".into()))?;
        let (id, own) = self.store.enrol_youth(current, birth_date, at).await?;
        Ok(Youth::new(id, own))
    }

    /// The youth behind `pseudonyms` if Ketenpoort knows them.
    pub async fn known_youth(&self, pseudonyms: &[Pseudonym]) -> Result<Option<Youth>, StoreError> {
        Ok(self.find_youth(pseudonyms).await?.map(|(youth, _)| youth))
    }

    /// The youth under the first pseudonym that is known, with their own pseudonym (the first
    /// they were known by: their identity in the log). Found under a retired key only, they get
    /// the current key's pseudonym as an alias, so the next look-up takes one query.
    async fn find_youth(&self, pseudonyms: &[Pseudonym]) -> Result<Option<(Youth, BirthDate)>, StoreError> {
        for (index, pseudonym) in pseudonyms.iter().enumerate() {
            if let Some((id, own, facts)) = self.store.youth_with_facts(pseudonym).await? {
                if index > 0
                    && let Some(current) = pseudonyms.first()
                {
                    self.store.add_youth_alias(id, current).await?;
                }
                let facts = facts.current();
                let birth_date = facts.birth_date;
                return Ok(Some((Youth { id, pseudonym: own, facts: Some(facts) }, birth_date)));
            }
        }
        Ok(None)
    }

    /// Decides `request` about `youth` at the occasion's time, audits the decision and, when
    /// allowed and `mode` says so, makes it take effect in the same transaction: the signal is
    /// delivered (answering `in_reply_to` when given), or the involvement recorded with a match
    /// notice to and from every organisation already involved (§7).
    // Only framework words and ids are traced: never the youth, the facts or a justification.
    #[tracing::instrument(skip_all, fields(
        request_id = %occasion.request_id,
        org = %principal.org,
        action = %request.action,
        signal = %request.signal,
        purpose = %request.purpose,
    ))]
    pub async fn exchange(
        &self,
        principal: &Principal,
        youth: &Youth,
        request: &ExchangeRequest,
        mode: Mode,
        in_reply_to: Option<&str>,
        occasion: &Occasion,
    ) -> Result<Exchanged, ExchangeError> {
        self.exchange_naming(principal, youth, request, mode, in_reply_to, &[], occasion).await
    }

    /// [`Gateway::exchange`] of a registration that names the youth's parents (§8): each
    /// parent as their BSN's pseudonyms (current key first), stored under the current key and
    /// matched under any. Their names go no further than the youth's record.
    #[allow(clippy::too_many_arguments)]
    pub async fn exchange_naming(
        &self,
        principal: &Principal,
        youth: &Youth,
        request: &ExchangeRequest,
        mode: Mode,
        in_reply_to: Option<&str>,
        parents: &[Vec<Pseudonym>],
        occasion: &Occasion,
    ) -> Result<Exchanged, ExchangeError> {
        if !parents.is_empty() && request.action != Action::Register {
            return Err(InputError::InvalidRequest("only a registration names parents".into()).into());
        }
        let loaded;
        let facts = match &youth.facts {
            Some(facts) => facts,
            None => {
                loaded = self.store.youth_facts(youth.id).await?;
                &loaded
            }
        };
        if let Some(request_id) = in_reply_to {
            self.check_reply(principal, youth, request_id).await?;
        }
        let involved_already =
            facts.involvements.iter().find(|i| i.org == principal.org && i.is_active_at(occasion.at));
        if let (Action::Register, Mode::Deliver, Some(existing)) = (request.action, mode, involved_already) {
            return Err(ExchangeError::AlreadyInvolved(existing.id.clone()));
        }
        let policy = self.policy();
        let decision = framework::decide(request, facts, &*policy, occasion.at)?;
        let age = facts.birth_date.age_at(occasion.at);
        let message = framework::explain(request, &decision, age);

        let mut entry = self.decision_entry(principal, youth, request, &decision, mode, occasion);

        let mut work = Vec::new();
        let mut matches = Vec::new();
        let (mut historic_matches, mut family_matches) = (Vec::new(), Vec::new());
        let mut effect = None;
        if decision.is_allow() && mode == Mode::Deliver {
            match (request.action, &request.recipient) {
                (Action::Register, _) => {
                    let involvement = Involvement {
                        id: new_id(),
                        org: request.actor.org.clone(),
                        registered_at: occasion.at,
                        // §8: a registration after the recorded death ends as it is made.
                        expires_at: facts.died_at.map_or_else(
                            || registration_expiry(occasion.at, facts.birth_date),
                            |died| registration_expiry(occasion.at, facts.birth_date).min(died.max(occasion.at)),
                        ),
                        withdrawn_at: None,
                        withdrawal: None,
                        historic_match_sent: false,
                    };
                    let others = facts.involved_orgs(occasion.at, &principal.org);
                    let notices = Notices { by: principal, decision: &decision, occasion };
                    for other in &others {
                        // ACTION-FRAMEWORK §7: a match notice each way, each a disclosure on
                        // basis reference_index, audited like any other.
                        work.push(self.notice(&notices, NoticeKind::Match, youth, other, &principal.org, None));
                        work.push(self.notice(&notices, NoticeKind::Match, youth, &principal.org, other, None));
                        if let Some(org) = self.store.org(other).await? {
                            matches.push(org);
                        }
                    }
                    // §8: each archived involvement of another organisation gives one historic
                    // match, both ways, and never again.
                    for archived in facts.unmatched_archive(occasion.at) {
                        if archived.org == principal.org {
                            continue;
                        }
                        let from = Some(archived.id.clone());
                        work.push(self.notice(
                            &notices,
                            NoticeKind::HistoricMatch,
                            youth,
                            &principal.org,
                            &archived.org,
                            from,
                        ));
                        work.push(self.notice(
                            &notices,
                            NoticeKind::HistoricMatch,
                            youth,
                            &archived.org,
                            &principal.org,
                            None,
                        ));
                        if let Some(org) = self.store.org(&archived.org).await?
                            && !historic_matches.contains(&org)
                        {
                            historic_matches.push(org);
                        }
                    }
                    if facts.died_at.is_none() {
                        family_matches = self.family_notices(&notices, youth, facts, parents, &mut work).await?;
                    }
                    let keep_until = involvement.keep_until(facts.birth_date, facts.died_at);
                    effect = Some(Effect::RecordInvolvement { youth: youth.id, involvement, keep_until });
                }
                (Action::Send, Some(recipient)) => {
                    effect = Some(Effect::Deliver(DeliveredSignal {
                        id: new_id(),
                        youth: youth.id,
                        from_org: request.actor.org.clone(),
                        from_account: principal.account.clone(),
                        to_org: recipient.org.clone(),
                        signal: request.signal,
                        purpose: request.purpose,
                        in_reply_to: in_reply_to.map(str::to_owned),
                        delivered_at: occasion.at,
                    }));
                }
                (Action::Send, None) => {}
            }
        }
        let effect_id = effect.as_ref().and_then(effect_id);
        entry.subject = effect_id.clone();
        work.insert(0, Audited { entry, effect });
        let seqs = self.audit.append(work, clock::now()).await?;
        // Debug, not info: who sent which signal to whom, and when, is the audit log's to keep
        // (searched, verified, reported to the youth); an operational log is not the place.
        tracing::debug!(
            decision = %decision.decision,
            basis = ?decision.basis.map(|b| b.as_str()),
            reason = ?decision.reason.map(|r| r.as_str()),
            policy_version = %decision.policy_version,
            audit_seq = ?seqs.first(),
            dry_run = mode == Mode::DryRun,
            matches = matches.len(),
            "decided"
        );
        metrics::counter!(
            "ketenpoort_decisions_total",
            "decision" => decision.decision.as_str(),
            "reason" => decision.reason.map_or("", |r| r.as_str()),
        )
        .increment(1);
        Ok(Exchanged { decision, message, age, effect_id, matches, historic_matches, family_matches })
    }

    /// §8, family match: the parents named now are recorded with the youth; every other youth
    /// with a parent in common and an active involvement gives a notice to each side, naming
    /// only the other organisation. The registering organisation hears of each sibling's
    /// organisations; when this registration is the first to link the families, the youth's
    /// other involved organisations do too. Returns the organisations the registrant hears of.
    async fn family_notices(
        &self,
        notices: &Notices<'_>,
        youth: &Youth,
        facts: &YouthFacts,
        parents: &[Vec<Pseudonym>],
        work: &mut Vec<Audited>,
    ) -> Result<Vec<Organisation>, ExchangeError> {
        let known = self.store.youth_parents(youth.id).await?;
        let mut named = Vec::new();
        for pseudonyms in parents {
            if pseudonyms.iter().any(|p| known.contains(p) || named.contains(p)) {
                continue;
            }
            named.extend(pseudonyms.first().cloned());
        }
        let all: Vec<Pseudonym> = known.iter().chain(parents.iter().flatten()).cloned().collect();
        if all.is_empty() {
            return Ok(Vec::new());
        }
        let registrant = &notices.by.org;
        let mut ours = vec![registrant.clone()];
        if !named.is_empty() {
            ours.extend(facts.involved_orgs(notices.occasion.at, registrant));
        }
        let mut heard = Vec::new();
        for (sibling, theirs) in self.store.family_involvements(youth.id, &all, notices.occasion.at).await? {
            let Some(sibling_ref) = self.store.youth_pseudonym(sibling).await? else { continue };
            let sibling = Youth::new(sibling, sibling_ref);
            for our in &ours {
                if *our == theirs {
                    continue;
                }
                work.push(self.notice(notices, NoticeKind::FamilyMatch, youth, our, &theirs, None));
                work.push(self.notice(notices, NoticeKind::FamilyMatch, &sibling, &theirs, our, None));
                if our == registrant
                    && let Some(org) = self.store.org(&theirs).await?
                    && !heard.contains(&org)
                {
                    heard.push(org);
                }
            }
        }
        if !named.is_empty() {
            // Audited as that parents were named, and how many: never who.
            let mut entry = self.entry(AuditEvent::ParentsNamed, notices.by, Some(youth), notices.occasion);
            entry.subject = Some(named.len().to_string());
            work.push(Audited { entry, effect: Some(Effect::NameParents { youth: youth.id, parents: named }) });
        }
        Ok(heard)
    }

    /// An answer must reply to a request that the answering organisation received about the
    /// same youth.
    async fn check_reply(&self, principal: &Principal, youth: &Youth, request_id: &str) -> Result<(), ExchangeError> {
        let request = self.store.delivered_signal(request_id).await?;
        match request {
            Some(request)
                if request.to_org == principal.org
                    && request.youth == youth.id
                    && matches!(request.signal, Signal::FeedbackRequest | Signal::ContactRequest) =>
            {
                Ok(())
            }
            _ => Err(InputError::InvalidRequest(
                "`in_reply_to` names no feedback or contact request your organisation received about this youth".into(),
            )
            .into()),
        }
    }

    /// A notice of `kind` about `youth` to `to`, naming `other`: a disclosure on basis
    /// `reference_index` under the registration's rules, audited like any other.
    fn notice(
        &self,
        notices: &Notices<'_>,
        kind: NoticeKind,
        youth: &Youth,
        to: &OrgId,
        other: &OrgId,
        from_archive: Option<String>,
    ) -> Audited {
        let Notices { by, decision, occasion } = *notices;
        let notice = MatchNotice {
            id: new_id(),
            kind,
            youth: youth.id,
            to_org: to.clone(),
            other_org: other.clone(),
            delivered_at: occasion.at,
            to_registrant: *to == by.org,
            from_archive,
        };
        let event = match kind {
            NoticeKind::Match => AuditEvent::MatchNotice,
            NoticeKind::HistoricMatch => AuditEvent::HistoricMatch,
            NoticeKind::FamilyMatch => AuditEvent::FamilyMatch,
        };
        let mut entry = self.entry(event, by, Some(youth), occasion);
        entry.recipient_org = Some(to.0.clone());
        entry.decision = Some(Outcome::Allow);
        entry.basis = Some(Basis::ReferenceIndex);
        entry.matched_rules = decision.matched_rules.clone();
        entry.policy_version = Some(decision.policy_version.clone());
        entry.subject = Some(notice.id.clone());
        Audited { entry, effect: Some(Effect::DeliverMatchNotice(notice)) }
    }

    /// A look at the case: only for an organisation with a relationship; audited either way,
    /// also when the youth is unknown (which the caller is not told).
    pub async fn view_case(
        &self,
        by: &Principal,
        pseudonyms: &[Pseudonym],
        occasion: &Occasion,
    ) -> Result<CaseView, ExchangeError> {
        let youth = self.known_youth(pseudonyms).await?;
        // A youth Ketenpoort does not know is not named: a BSN's pseudonym in the log would
        // find this entry again after the youth's data were destroyed (§8), or before they
        // were ever registered.
        let pseudonym = youth.as_ref().map(|y| y.pseudonym.clone());
        let facts = match &youth {
            Some(youth) => Some(self.store.youth_facts(youth.id).await?),
            None => None,
        };
        let related = facts.as_ref().is_some_and(|facts| facts.has_relationship(&by.org, occasion.at));
        let mut entry = self.entry(AuditEvent::CaseViewed, by, None, occasion);
        entry.youth = pseudonym;
        entry.decision = Some(if related { Outcome::Allow } else { Outcome::Deny });
        entry.reason = (!related).then_some(DenyReason::NoRelationship);
        entry.policy_version = Some(self.policy().version().to_owned());
        self.audit.append(vec![Audited { entry, effect: None }], clock::now()).await?;
        let (Some(youth), Some(facts), true) = (youth, facts, related) else {
            return Err(ExchangeError::NoRelationship);
        };
        let mut involved = Vec::new();
        for org in facts.related_orgs(occasion.at) {
            if let Some(org) = self.store.org(&org).await? {
                involved.push(org);
            }
        }
        Ok(CaseView {
            youth: youth.pseudonym.clone(),
            involved,
            lead: self.store.case_lead(youth.id).await?,
            threads: self.store.threads(youth.id, &by.org).await?,
            age: facts.birth_date.age_at(occasion.at),
            consents: facts.consents.into_iter().filter(|c| c.holder == by.org).collect(),
        })
    }

    /// Makes `lead` the case lead: an involved organisation takes the lead when there is none,
    /// and the lead hands it to another involved organisation.
    pub async fn set_case_lead(
        &self,
        by: &Principal,
        youth: &Youth,
        lead: &OrgId,
        occasion: &Occasion,
    ) -> Result<u64, ExchangeError> {
        let facts = self.store.youth_facts(youth.id).await?;
        if !facts.has_relationship(&by.org, occasion.at) {
            return Err(ExchangeError::NoRelationship);
        }
        if !facts.has_relationship(lead, occasion.at) {
            return Err(ExchangeError::CaseLead(format!(
                "`{lead}` is not involved with this youth: only an involved organisation can lead"
            )));
        }
        match self.store.case_lead(youth.id).await? {
            None if *lead != by.org => {
                return Err(ExchangeError::CaseLead(
                    "there is no case lead yet: your organisation can take the lead itself".into(),
                ));
            }
            Some(current) if current != by.org => {
                return Err(ExchangeError::CaseLead(format!(
                    "`{current}` leads this case: only the lead can hand it over"
                )));
            }
            _ => {}
        }
        let mut entry = self.entry(AuditEvent::CaseLeadChanged, by, Some(youth), occasion);
        entry.recipient_org = Some(lead.0.clone());
        entry.decision = Some(Outcome::Allow);
        self.record(entry, Effect::SetCaseLead { youth: youth.id, org: lead.clone(), at: occasion.at })
            .await
            .map_err(Into::into)
    }

    /// Audits a request refused before any decision (no certificate, unknown organisation or
    /// account): "who tried to learn what" has an answer for those too.
    pub async fn record_access_denied(
        &self,
        actor: AuditActor,
        why: &str,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry =
            AuditEntry::new(AuditEvent::AccessDenied, actor, occasion.at, clock::now(), occasion.request_id.clone());
        entry.decision = Some(Outcome::Deny);
        entry.subject = Some(why.to_owned());
        let seqs = self.audit.append(vec![Audited { entry, effect: None }], clock::now()).await?;
        Ok(seqs.first().copied().unwrap_or_default())
    }

    /// Whose a recorded fact is, for withdrawing, ending or revoking it.
    pub async fn owned_fact(&self, by: &Principal, kind: FactKind, id: &str) -> Result<Youth, ExchangeError> {
        match self.store.fact_owner(kind, id).await? {
            Some(owner) if owner.org == by.org => Ok(Youth::new(owner.youth, owner.pseudonym)),
            // Another organisation's fact is as good as none: its existence is not disclosed.
            _ => Err(StoreError::NotFound(format!("{kind:?} `{id}` of your organisation").to_lowercase()).into()),
        }
    }

    /// Records a registration that was made before (importing a history); audited.
    pub async fn record_involvement(
        &self,
        by: &Principal,
        youth: &Youth,
        involvement: Involvement,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let facts = self.store.youth_facts(youth.id).await?;
        let keep_until = involvement.keep_until(facts.birth_date, facts.died_at);
        let mut entry = self.entry(AuditEvent::InvolvementRecorded, by, Some(youth), occasion);
        entry.recipient_org = Some(involvement.org.0.clone());
        entry.subject = Some(involvement.id.clone());
        self.record(entry, Effect::RecordInvolvement { youth: youth.id, involvement, keep_until }).await
    }

    /// Withdraws one's own organisation's involvement, saying why (§8: it decides whether the
    /// involvement is archived): always allowed, audited, no disclosure.
    pub async fn withdraw_involvement(
        &self,
        by: &Principal,
        youth: &Youth,
        involvement_id: &str,
        reason: WithdrawalReason,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let facts = self.store.youth_facts(youth.id).await?;
        let involvement = facts
            .involvements
            .iter()
            .find(|i| i.id == involvement_id && i.org == by.org && i.is_active_at(occasion.at))
            .ok_or_else(|| StoreError::NotFound("an active involvement of this organisation".into()))?;
        let withdrawn =
            Involvement { withdrawn_at: Some(occasion.at), withdrawal: Some(reason), ..involvement.clone() };
        let keep_until = withdrawn.keep_until(facts.birth_date, facts.died_at);
        let mut entry = self.entry(AuditEvent::InvolvementWithdrawn, by, Some(youth), occasion);
        entry.subject = Some(involvement_id.to_owned());
        entry.withdrawal = Some(reason);
        let effect = Effect::WithdrawInvolvement {
            id: involvement_id.to_owned(),
            org: by.org.clone(),
            at: occasion.at,
            reason,
            keep_until,
        };
        self.record(entry, effect).await
    }

    /// §8: an organisation with a relationship records the youth's death. Every involvement
    /// and measure ends now and nothing is archived; the record is destroyed by the next
    /// retention run once nothing else is kept. Audited; no disclosure to anyone.
    pub async fn record_death(&self, by: &Principal, youth: &Youth, occasion: &Occasion) -> Result<u64, ExchangeError> {
        let facts = self.store.youth_facts(youth.id).await?;
        if let Some(died) = facts.died_at
            && facts.involvements.iter().any(|i| i.org == by.org && i.withdrawn_at == Some(died))
        {
            // Told only to an organisation whose own involvement the death ended.
            return Err(StoreError::Conflict("this youth's death is recorded already".into()).into());
        }
        if !facts.has_relationship(&by.org, occasion.at) {
            return Err(ExchangeError::NoRelationship);
        }
        let mut entry = self.entry(AuditEvent::DeathRecorded, by, Some(youth), occasion);
        entry.decision = Some(Outcome::Allow);
        Ok(self.record(entry, Effect::RecordDeath { youth: youth.id, at: occasion.at }).await?)
    }

    /// Records a child-protection measure held by `measure.org`; audited.
    pub async fn record_measure(
        &self,
        by: &Principal,
        youth: &Youth,
        measure: Measure,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::MeasureRecorded, by, Some(youth), occasion);
        entry.subject = Some(measure.id.clone());
        self.record(entry, Effect::RecordMeasure { youth: youth.id, measure }).await
    }

    /// Ends a running measure of the acting organisation; audited.
    pub async fn end_measure(
        &self,
        by: &Principal,
        youth: &Youth,
        measure_id: &str,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::MeasureEnded, by, Some(youth), occasion);
        entry.subject = Some(measure_id.to_owned());
        self.record(entry, Effect::EndMeasure { id: measure_id.to_owned(), org: by.org.clone(), at: occasion.at }).await
    }

    /// Records a consent held by its holder; audited with the consent's scope, never its
    /// content beyond the framework's words.
    pub async fn record_consent(
        &self,
        by: &Principal,
        youth: &Youth,
        consent: Consent,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::ConsentRecorded, by, Some(youth), occasion);
        entry.consents = vec![consent.id.clone()];
        entry.subject = Some(consent.id.clone());
        self.record(entry, Effect::RecordConsent { youth: youth.id, consent }).await
    }

    /// Revokes a consent held by the acting organisation; audited.
    pub async fn revoke_consent(
        &self,
        by: &Principal,
        youth: &Youth,
        consent_id: &str,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::ConsentRevoked, by, Some(youth), occasion);
        entry.consents = vec![consent_id.to_owned()];
        entry.subject = Some(consent_id.to_owned());
        self.record(entry, Effect::RevokeConsent { id: consent_id.to_owned(), holder: by.org.clone(), at: occasion.at })
            .await
    }

    /// Records a safety concern received earlier (importing a history); audited.
    pub async fn record_report(
        &self,
        by: &Principal,
        youth: &Youth,
        report: Report,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::ReportRecorded, by, Some(youth), occasion);
        entry.recipient_org = Some(report.to.0.clone());
        self.record(entry, Effect::RecordReport { youth: youth.id, report }).await
    }

    /// The audit entry of a decision on `request`: what was asked, what was decided and why.
    fn decision_entry(
        &self,
        principal: &Principal,
        youth: &Youth,
        request: &ExchangeRequest,
        decision: &Decision,
        mode: Mode,
        occasion: &Occasion,
    ) -> AuditEntry {
        let event = if mode == Mode::DryRun { AuditEvent::DryRun } else { AuditEvent::Decision };
        let mut entry = self.entry(event, principal, Some(youth), occasion);
        entry.action = Some(request.action);
        entry.signal = Some(request.signal);
        entry.purpose = Some(request.purpose);
        entry.recipient_org = request.recipient.as_ref().map(|r| r.org.0.clone());
        entry.decision = Some(decision.decision);
        entry.basis = decision.basis;
        entry.reason = decision.reason;
        entry.matched_rules = decision.matched_rules.clone();
        entry.policy_version = Some(decision.policy_version.clone());
        entry.obligations = decision.obligations.clone();
        entry.justification = request.justification.clone();
        entry.consents = decision.consents.clone();
        entry
    }

    fn entry(&self, event: AuditEvent, by: &Principal, youth: Option<&Youth>, occasion: &Occasion) -> AuditEntry {
        let mut entry =
            AuditEntry::new(event, by.audit_actor(), occasion.at, clock::now(), occasion.request_id.clone());
        entry.youth = youth.map(|y| y.pseudonym.clone());
        entry
    }

    async fn record(&self, entry: AuditEntry, effect: Effect) -> Result<u64, StoreError> {
        let seqs = self.audit.append(vec![Audited { entry, effect: Some(effect) }], clock::now()).await?;
        Ok(seqs.first().copied().unwrap_or_default())
    }
}

/// A new signal's, involvement's, consent's or notice's id. Time-ordered (UUIDv7): a table
/// keyed by it grows at its end, and a purge, which goes in time order, finds its keys together
/// (random ones cost it a rewrite of the whole key index per transaction). The time it tells is
/// no more than the record's own.
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn effect_id(effect: &Effect) -> Option<String> {
    match effect {
        Effect::Deliver(signal) => Some(signal.id.clone()),
        Effect::RecordInvolvement { involvement, .. } => Some(involvement.id.clone()),
        _ => None,
    }
}
