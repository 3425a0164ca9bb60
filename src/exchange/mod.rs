//! Effects under "log before disclose": decide, audit, and only then deliver.
//!
//! In the request flow this sits between the callers (scenario runner, later API and web
//! pages) and the core: it loads the youth's facts, calls [`framework::decide`] with the
//! active policy, and hands the audit entry together with its effect to [`AuditLog::append`],
//! so a delivered signal and its entry commit in one transaction or not at all. Changes to the
//! facts themselves (consents, involvements, measures, reports) are audited the same way.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::audit::{AuditEntry, AuditEvent, AuditLog};
use crate::clock;
use crate::framework::{
    self, Action, Consent, Decision, ExchangeRequest, InputError, Involvement, Measure, PolicyError, Report,
    default_expiry,
};
use crate::identity::Principal;
use crate::policy::Policy;
use crate::store::{Audited, DeliveredSignal, Effect, Organisation, Store, StoreError, YouthId};
use crate::youth::{BirthDate, Pseudonym};

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
}

/// What came of an exchange.
#[derive(Debug, Clone)]
pub struct Exchanged {
    pub decision: Decision,
    pub audit_seq: u64,
    /// The delivered signal's or recorded involvement's id, when the exchange took effect.
    pub effect_id: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

/// The gateway's core service.
#[derive(Clone)]
pub struct Gateway {
    store: Arc<dyn Store>,
    audit: AuditLog,
    policy: Arc<Policy>,
}

impl Gateway {
    pub fn new(store: Arc<dyn Store>, audit: AuditLog, policy: Arc<Policy>) -> Self {
        Gateway { store, audit, policy }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// Registers an organisation (or updates its name and contact).
    pub async fn register_org(&self, org: &Organisation) -> Result<(), StoreError> {
        self.store.upsert_org(org).await
    }

    /// Finds or enrols the youth behind `pseudonym`.
    pub async fn youth(
        &self,
        pseudonym: Pseudonym,
        birth_date: BirthDate,
        at: OffsetDateTime,
    ) -> Result<Youth, StoreError> {
        let id = self.store.enrol_youth(&pseudonym, birth_date, at).await?;
        Ok(Youth { id, pseudonym })
    }

    /// Decides `request` about `youth` at the occasion's time, audits the decision and, when
    /// allowed and `mode` says so, makes it take effect in the same transaction.
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
        occasion: &Occasion,
    ) -> Result<Exchanged, ExchangeError> {
        let facts = self.store.youth_facts(youth.id).await?;
        let decision = framework::decide(request, &facts, &*self.policy, occasion.at)?;

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

        let effect = match (decision.is_allow(), mode, request.action) {
            (true, Mode::Deliver, Action::Register) => {
                let already =
                    facts.involvements.iter().find(|i| i.org == request.actor.org && i.is_active_at(occasion.at));
                match already {
                    // Registering twice changes nothing: the existing registration stands.
                    Some(existing) => {
                        entry.subject = Some(existing.id.clone());
                        None
                    }
                    None => Some(Effect::RecordInvolvement {
                        youth: youth.id,
                        involvement: Involvement {
                            id: new_id(),
                            org: request.actor.org.clone(),
                            registered_at: occasion.at,
                            expires_at: default_expiry(occasion.at),
                            withdrawn_at: None,
                        },
                    }),
                }
            }
            (true, Mode::Deliver, Action::Send) => request.recipient.as_ref().map(|recipient| {
                Effect::Deliver(DeliveredSignal {
                    id: new_id(),
                    youth: youth.id,
                    from_org: request.actor.org.clone(),
                    from_account: principal.account.clone(),
                    to_org: recipient.org.clone(),
                    signal: request.signal,
                    purpose: request.purpose,
                    in_reply_to: None,
                    delivered_at: occasion.at,
                })
            }),
            _ => None,
        };
        let effect_id = effect.as_ref().and_then(effect_id);
        if effect_id.is_some() {
            entry.subject = effect_id.clone();
        }
        let seqs = self.audit.append(vec![Audited { entry, effect }], clock::now()).await?;
        tracing::info!(
            decision = %decision.decision,
            basis = ?decision.basis.map(|b| b.as_str()),
            reason = ?decision.reason.map(|r| r.as_str()),
            policy_version = %decision.policy_version,
            audit_seq = ?seqs.first(),
            dry_run = mode == Mode::DryRun,
            "decided"
        );
        Ok(Exchanged { decision, audit_seq: seqs.first().copied().unwrap_or_default(), effect_id })
    }

    /// Records a registration that was made before (importing a history); audited.
    pub async fn record_involvement(
        &self,
        by: &Principal,
        youth: &Youth,
        involvement: Involvement,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::InvolvementRecorded, by, Some(youth), occasion);
        entry.recipient_org = Some(involvement.org.0.clone());
        entry.subject = Some(involvement.id.clone());
        self.record(entry, Effect::RecordInvolvement { youth: youth.id, involvement }).await
    }

    /// Withdraws one's own organisation's involvement: always allowed, audited, no disclosure.
    pub async fn withdraw_involvement(
        &self,
        by: &Principal,
        youth: &Youth,
        involvement_id: &str,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = self.entry(AuditEvent::InvolvementWithdrawn, by, Some(youth), occasion);
        entry.subject = Some(involvement_id.to_owned());
        self.record(
            entry,
            Effect::WithdrawInvolvement { id: involvement_id.to_owned(), org: by.org.clone(), at: occasion.at },
        )
        .await
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

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn effect_id(effect: &Effect) -> Option<String> {
    match effect {
        Effect::Deliver(signal) => Some(signal.id.clone()),
        Effect::RecordInvolvement { involvement, .. } => Some(involvement.id.clone()),
        _ => None,
    }
}
