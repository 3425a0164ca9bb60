//! Partner systems: the client certificate names the organisation (registered by SHA-256
//! fingerprint), and the `Ketenpoort-Actor` header names the professional by an account id of
//! that organisation. The role comes from the account in Ketenpoort, never from the caller.

use ring::digest;

use super::{Authentication, Principal};
use crate::audit::AuditActor;
use crate::store::{Store, StoreError};

/// The header in which a partner system names the acting professional.
pub const ACTOR_HEADER: &str = "ketenpoort-actor";

/// The SHA-256 fingerprint of a DER certificate, lowercase hex.
pub fn fingerprint(der: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, der))
}

/// The fingerprint of the first certificate in a PEM text.
pub fn fingerprint_of_pem(pem: &[u8]) -> Option<String> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let der = CertificateDer::pem_slice_iter(pem).next()?.ok()?;
    Some(fingerprint(&der))
}

/// Why a request was refused before anything was decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    #[error("a client certificate is required: connect with your organisation's certificate")]
    NoCertificate,
    #[error("this certificate is not registered for any organisation: ask the Ketenpoort administrator to register it")]
    UnknownCertificate,
    #[error("name the acting professional in the Ketenpoort-Actor header (an account id of your organisation)")]
    NoActor,
    #[error("the Ketenpoort-Actor header names no account of your organisation")]
    UnknownActor,
}

impl AccessDenied {
    /// The stable code in the JSON error and the audit entry.
    pub fn code(&self) -> &'static str {
        match self {
            AccessDenied::NoCertificate => "certificate_required",
            AccessDenied::UnknownCertificate => "unknown_certificate",
            AccessDenied::NoActor => "actor_required",
            AccessDenied::UnknownActor => "unknown_actor",
        }
    }

    /// Whether the caller failed to authenticate at all (401) rather than was refused (403).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, AccessDenied::NoCertificate | AccessDenied::NoActor)
    }
}

/// A refusal and the actor as far as they were known, for the audit entry.
#[derive(Debug)]
pub struct Refusal {
    pub denied: AccessDenied,
    pub actor: AuditActor,
}

/// The principal behind a connection's client certificates and the actor header.
pub async fn principal(
    store: &dyn Store,
    peer_certificates: &[Vec<u8>],
    actor: Option<&str>,
) -> Result<Result<Principal, Refusal>, StoreError> {
    let mut known =
        AuditActor { account: None, org: None, org_kind: None, role: None, authenticated_by: "none".into() };
    let refuse = |denied, actor: &AuditActor| Ok(Err(Refusal { denied, actor: actor.clone() }));

    let Some(leaf) = peer_certificates.first() else { return refuse(AccessDenied::NoCertificate, &known) };
    let fingerprint = fingerprint(leaf);
    let authentication = Authentication::Certificate { fingerprint: fingerprint.clone() };
    known.authenticated_by = authentication.to_string();
    let actor = actor.map(str::trim).filter(|a| !a.is_empty());
    let Some((org, account)) = store.certificate_holder(&fingerprint, actor).await? else {
        return refuse(AccessDenied::UnknownCertificate, &known);
    };
    known.org = Some(org.id.0.clone());
    known.org_kind = Some(org.kind);

    let Some(actor) = actor else {
        return refuse(AccessDenied::NoActor, &known);
    };
    known.account = Some(actor.chars().take(200).collect());
    match account {
        Some(account) if account.org == org.id => Ok(Ok(Principal {
            account: Some(account.id),
            org: org.id,
            org_kind: org.kind,
            role: Some(account.role),
            authenticated_by: authentication,
        })),
        _ => refuse(AccessDenied::UnknownActor, &known),
    }
}
