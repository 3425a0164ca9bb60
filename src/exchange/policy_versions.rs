//! Policy versions under four eyes: a privacy officer drafts, another approves, and activation
//! swaps the running policy at once. Every step is an audit entry; the version texts are kept,
//! so every decision's policy version stays readable.

use std::sync::Arc;

use super::{Gateway, Occasion};
use crate::audit::{AuditActor, AuditEntry, AuditEvent};
use crate::clock;
use crate::framework::{AdminAction, Outcome};
use crate::policy::{LoadError, Policy, version_of};
use crate::store::{Audited, Effect, PolicyStatus, PolicyText, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum PolicyVersionError {
    #[error("only a privacy officer may do this")]
    NotPrivacyOfficer,
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("this policy text is version {0} already")]
    Exists(String),
    #[error("a draft is approved by a privacy officer other than its author")]
    FourEyes,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Gateway {
    /// A stored version, or `NotFound` naming it.
    async fn policy_version(&self, id: &str) -> Result<crate::store::PolicyVersion, StoreError> {
        self.store.policy_version(id).await?.ok_or_else(|| StoreError::NotFound(format!("policy version `{id}`")))
    }

    async fn record_policy_step(
        &self,
        by: AuditActor,
        event: AuditEvent,
        id: &str,
        effect: Effect,
        occasion: &Occasion,
    ) -> Result<(), StoreError> {
        let mut entry = AuditEntry::new(event, by, occasion.at, clock::now(), occasion.request_id.clone());
        entry.decision = Some(Outcome::Allow);
        entry.policy_version = Some(id.to_owned());
        entry.subject = Some(id.to_owned());
        self.audit.append(vec![Audited { entry, effect: Some(effect) }], clock::now()).await.map(drop)
    }

    /// Checks and stores a model and rule table as a draft; returns its version id.
    pub async fn draft_policy(
        &self,
        by: AuditActor,
        model: &str,
        rules: &str,
        note: &str,
        occasion: &Occasion,
    ) -> Result<String, PolicyVersionError> {
        let author = privacy_officer(&by)?;
        Policy::load(model, rules).await?;
        let version = version_of(model, rules);
        if self.store.policy_version(&version).await?.is_some() {
            return Err(PolicyVersionError::Exists(version));
        }
        let text = PolicyText { version: version.clone(), model: model.to_owned(), rules: rules.to_owned() };
        let effect = Effect::DraftPolicy { text, note: note.to_owned(), author, at: occasion.at };
        self.record_policy_step(by, AuditEvent::PolicyDrafted, &version, effect, occasion).await?;
        Ok(version)
    }

    /// Approves a draft: four eyes, so never by its author.
    pub async fn approve_policy(
        &self,
        by: AuditActor,
        id: &str,
        occasion: &Occasion,
    ) -> Result<(), PolicyVersionError> {
        let approver = privacy_officer(&by)?;
        let version = self.policy_version(id).await?;
        if version.author.as_deref() == Some(approver.as_str()) {
            return Err(PolicyVersionError::FourEyes);
        }
        if version.status != PolicyStatus::Draft {
            return Err(
                StoreError::Conflict(format!("version `{id}` is {}, not a draft", version.status.as_str())).into()
            );
        }
        let effect = Effect::ApprovePolicy { id: id.to_owned(), approver, at: occasion.at };
        Ok(self.record_policy_step(by, AuditEvent::PolicyApproved, id, effect, occasion).await?)
    }

    /// Activates an approved (or, to roll back, a retired) version, retiring the active one,
    /// and swaps it in: the next decision uses it, one in flight finishes under the old one.
    pub async fn activate_policy(
        &self,
        by: AuditActor,
        id: &str,
        occasion: &Occasion,
    ) -> Result<(), PolicyVersionError> {
        privacy_officer(&by)?;
        let version = self.policy_version(id).await?;
        let loaded = Policy::load(&version.text.model, &version.text.rules).await?;
        let effect = Effect::ActivatePolicy { id: id.to_owned(), at: occasion.at };
        self.record_policy_step(by, AuditEvent::PolicyActivated, id, effect, occasion).await?;
        self.policy.store(Arc::new(loaded));
        Ok(())
    }
}

impl Gateway {
    /// Replays a version over the decisions since `since` for a privacy officer; the look across
    /// organisations is itself audited.
    pub async fn replay_version(
        &self,
        by: AuditActor,
        id: &str,
        since: time::OffsetDateTime,
        occasion: &Occasion,
    ) -> Result<super::ReplayReport, PolicyVersionError> {
        privacy_officer(&by)?;
        let version = self.policy_version(id).await?;
        let policy = Policy::load(&version.text.model, &version.text.rules).await?;
        let report = self.replay(&policy, since).await?;
        let mut entry =
            AuditEntry::new(AuditEvent::PolicyReplayed, by, occasion.at, clock::now(), occasion.request_id.clone());
        entry.decision = Some(Outcome::Allow);
        entry.policy_version = Some(id.to_owned());
        entry.subject = Some(id.to_owned());
        self.audit.append(vec![Audited { entry, effect: None }], clock::now()).await?;
        Ok(report)
    }

    /// Adopts the store's active version when it differs from the running one (activated by
    /// another process: the CLI, or another instance). Returns the version adopted, if any.
    pub async fn refresh_policy(&self) -> Result<Option<String>, PolicyVersionError> {
        let active = self.store.active_policy_version().await?;
        if active.is_none_or(|version| version == crate::framework::RuleBook::version(&*self.policy())) {
            return Ok(None);
        }
        // Changed: only now read the texts.
        let Some(active) = self.store.active_policy().await? else { return Ok(None) };
        let loaded = Policy::load(&active.model, &active.rules).await?;
        self.policy.store(Arc::new(loaded));
        Ok(Some(active.version))
    }
}

impl Gateway {
    /// Marks an exchange of the officer's organisation reviewed, with a note.
    pub async fn review_exchange(
        &self,
        by: AuditActor,
        seq: u64,
        note: &str,
        occasion: &Occasion,
    ) -> Result<(), PolicyVersionError> {
        privacy_officer(&by)?;
        let org = crate::framework::OrgId(by.org.clone().unwrap_or_default());
        let queued = self.store.review_queue(&org).await?;
        let Some(reviewed) = queued.iter().find(|entry| entry.seq == seq) else {
            return Err(StoreError::NotFound(format!("exchange {seq} awaiting review by your organisation")).into());
        };
        let mut entry =
            AuditEntry::new(AuditEvent::PrivacyReviewed, by, occasion.at, clock::now(), occasion.request_id.clone());
        entry.youth = reviewed.youth.clone();
        entry.recipient_org = reviewed.recipient_org.clone();
        entry.decision = Some(Outcome::Allow);
        entry.justification = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
        entry.subject = Some(seq.to_string());
        self.audit.append(vec![Audited { entry, effect: None }], clock::now()).await?;
        Ok(())
    }
}

/// The acting privacy officer's account id.
fn privacy_officer(by: &AuditActor) -> Result<String, PolicyVersionError> {
    match (&by.account, by.role) {
        (Some(account), Some(role)) if role.may(AdminAction::EditPolicy) => Ok(account.clone()),
        _ => Err(PolicyVersionError::NotPrivacyOfficer),
    }
}
