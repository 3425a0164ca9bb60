//! Administration under the same rule as every other change: organisations, their partner
//! systems' certificates and their accounts are registered together with an audit entry.

use super::{Gateway, Occasion};
use crate::audit::{AuditActor, AuditEntry, AuditEvent};
use crate::clock;
use crate::framework::{InputError, OrgId};
use crate::notices::webhook::{self, WebhookError};
use crate::notices::{NoticesConfig, Webhook};
use crate::store::{Account, Audited, Effect, Organisation, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
}

impl Gateway {
    async fn administer(
        &self,
        by: AuditActor,
        event: AuditEvent,
        org: &OrgId,
        subject: String,
        effect: Effect,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let mut entry = AuditEntry::new(event, by, occasion.at, clock::now(), occasion.request_id.clone());
        entry.recipient_org = Some(org.0.clone());
        entry.subject = Some(subject);
        let seqs = self.audit.append(vec![Audited { entry, effect: Some(effect) }], clock::now()).await?;
        Ok(seqs.first().copied().unwrap_or_default())
    }

    /// Registers an organisation, or updates its name and contact.
    pub async fn add_org(&self, by: AuditActor, org: Organisation, occasion: &Occasion) -> Result<u64, StoreError> {
        let id = org.id.clone();
        self.administer(by, AuditEvent::OrgRegistered, &id, id.0.clone(), Effect::RegisterOrg(org), occasion).await
    }

    /// Registers a partner system's client certificate (SHA-256 fingerprint) for `org`.
    pub async fn add_certificate(
        &self,
        by: AuditActor,
        org: &OrgId,
        fingerprint: &str,
        occasion: &Occasion,
    ) -> Result<u64, RegistryError> {
        if fingerprint.len() != 64 || !fingerprint.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(InputError::InvalidRequest(
                "a fingerprint is the SHA-256 of the certificate: 64 hexadecimal characters".into(),
            )
            .into());
        }
        self.store.org(org).await?.ok_or_else(|| InputError::UnknownOrg(org.0.clone()))?;
        let fingerprint = fingerprint.to_ascii_lowercase();
        let effect =
            Effect::RegisterCertificate { fingerprint: fingerprint.clone(), org: org.clone(), at: occasion.at };
        Ok(self.administer(by, AuditEvent::CertificateRegistered, org, fingerprint, effect, occasion).await?)
    }

    /// Registers an account of `account.org` with a role that exists in its org kind.
    pub async fn add_account(
        &self,
        by: AuditActor,
        account: Account,
        occasion: &Occasion,
    ) -> Result<u64, RegistryError> {
        let org = self.store.org(&account.org).await?.ok_or_else(|| InputError::UnknownOrg(account.org.0.clone()))?;
        if !org.kind.has_role(account.role) {
            return Err(InputError::invalid_role(account.role.as_str(), org.kind).into());
        }
        if let Some(email) = &account.email
            && email.parse::<lettre::Address>().is_err()
        {
            return Err(InputError::InvalidRequest(format!("`{email}` is not an e-mail address")).into());
        }
        let (org_id, id) = (account.org.clone(), account.id.clone());
        Ok(self
            .administer(by, AuditEvent::AccountRegistered, &org_id, id, Effect::RegisterAccount(account), occasion)
            .await?)
    }

    /// Disables an organisation: its certificates and people can no longer act; history stays.
    pub async fn disable_org(&self, by: AuditActor, org: &OrgId, occasion: &Occasion) -> Result<u64, StoreError> {
        let effect = Effect::DisableOrg { id: org.clone(), at: occasion.at };
        self.administer(by, AuditEvent::OrgDisabled, org, org.0.clone(), effect, occasion).await
    }

    /// Disables a partner system's certificate of `org`: it identifies no one from then on.
    pub async fn disable_certificate(
        &self,
        by: AuditActor,
        org: &OrgId,
        fingerprint: &str,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let effect =
            Effect::DisableCertificate { fingerprint: fingerprint.to_owned(), org: org.clone(), at: occasion.at };
        self.administer(by, AuditEvent::CertificateDisabled, org, fingerprint.to_owned(), effect, occasion).await
    }

    /// Disables an account: its sessions end at the next request; history stays.
    pub async fn disable_account(
        &self,
        by: AuditActor,
        account: &Account,
        occasion: &Occasion,
    ) -> Result<u64, StoreError> {
        let effect = Effect::DisableAccount { id: account.id.clone(), at: occasion.at };
        self.administer(by, AuditEvent::AccountDisabled, &account.org, account.id.clone(), effect, occasion).await
    }

    /// Sets `org`'s webhook to `url` with a new secret, which is returned to be shown once:
    /// Ketenpoort keeps it to sign with, and no page or command shows it again.
    pub async fn set_webhook(
        &self,
        by: AuditActor,
        org: &OrgId,
        url: &str,
        notices: &NoticesConfig,
        occasion: &Occasion,
    ) -> Result<(u64, Webhook), RegistryError> {
        let url = webhook::check_url(url, notices.allow_private_webhooks)?;
        self.store.org(org).await?.ok_or_else(|| InputError::UnknownOrg(org.0.clone()))?;
        let hook =
            Webhook { org: org.clone(), url: url.to_string(), secret: webhook::new_secret()?, set_at: occasion.at };
        let seq = self
            .administer(by, AuditEvent::WebhookSet, org, hook.url.clone(), Effect::SetWebhook(hook.clone()), occasion)
            .await?;
        Ok((seq, hook))
    }

    /// Removes `org`'s webhook; notices still waiting for it are dropped.
    pub async fn remove_webhook(&self, by: AuditActor, org: &OrgId, occasion: &Occasion) -> Result<u64, StoreError> {
        let effect = Effect::RemoveWebhook { org: org.clone(), at: occasion.at };
        self.administer(by, AuditEvent::WebhookRemoved, org, org.0.clone(), effect, occasion).await
    }
}
