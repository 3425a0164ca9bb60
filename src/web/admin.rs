//! The administrator's page: the accounts and partner-system certificates of the admin's own
//! organisation, and — for the administrators of the organisation that runs the gateway
//! (`operator_org`) — the region's organisations; each change audited like every other.
//!
//! Disabling cannot be undone (the store keeps a disabled id, and its OpenID Connect identity,
//! bound to it), so it goes through the confirmation page first, and the handlers refuse what
//! would lock the administrators out: their own account, the operator's organisation.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use serde::Deserialize;

use super::confirm::{Confirmation, confirmed};
use super::form::Form;
use super::i18n::admin::{self as words, AdminRefusal, AdminTexts, Done};
use super::session::{Admin, Person};
use super::{Chrome, WebError};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{Occasion, RegistryError};
use crate::framework::{OrgId, OrgKind, Role};
use crate::notices::NoticeState;
use crate::notices::webhook::WebhookError;
use crate::store::{Account, Organisation, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_get))
        .route("/admin/accounts", post(account_post))
        .route("/admin/accounts/disable", post(disable_post))
        .route("/admin/certificates", post(certificate_post))
        .route("/admin/certificates/disable", post(certificate_disable_post))
        .route("/admin/orgs", post(org_post))
        .route("/admin/orgs/disable", post(org_disable_post))
        .route("/admin/webhook", post(webhook_post))
        .route("/admin/webhook/remove", post(webhook_remove_post))
}

/// An organisation of the region as the operator's administrators see it.
struct OrgRow {
    id: String,
    name: String,
    kind: &'static str,
    contact: String,
    /// When it was disabled, in words.
    disabled: Option<String>,
    /// Whether the disable button is offered; when not, and active, why not.
    may_disable: bool,
    why_not: Option<&'static str>,
}

struct AccountRow {
    id: String,
    name: String,
    role: &'static str,
    /// (issuer, subject) at the OpenID Connect provider.
    oidc: Option<(String, String)>,
    disabled: Option<String>,
    may_disable: bool,
    why_not: Option<&'static str>,
}

struct CertificateRow {
    fingerprint: String,
    registered: String,
    disabled: Option<String>,
}

/// One notice of the organisation's delivery log.
struct DeliveryRow {
    when: String,
    what: String,
    state: &'static str,
    failed: bool,
    attempts: u32,
    /// The receiver's status and the error, as far as known.
    last_answer: String,
}

/// The delivery log shows this many of the latest notices.
const DELIVERIES_SHOWN: u32 = 20;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Chrome,
    a: &'static AdminTexts,
    /// Whether the admin belongs to the gateway operator, who manages the organisations.
    operator: bool,
    orgs: Vec<OrgRow>,
    /// (word, label) of every kind of organisation.
    kinds: Vec<(&'static str, &'static str)>,
    accounts: Vec<AccountRow>,
    /// (word, label) of every role an account of this organisation may have.
    roles: Vec<(&'static str, &'static str)>,
    certificates: Vec<CertificateRow>,
    /// The webhook's address and when it was set.
    webhook: Option<(String, String)>,
    /// A webhook's new secret, shown this once.
    secret: Option<String>,
    deliveries: Vec<DeliveryRow>,
    /// How many of them failed for good, in words, when any did.
    failed: Option<String>,
    done: Option<String>,
    error: Option<String>,
}

/// The page, with what was just done or why nothing was.
async fn page(
    state: &AppState,
    person: &Person,
    done: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    page_showing(state, person, done, error, None).await
}

/// The page, with a webhook's new secret shown once.
async fn page_showing(
    state: &AppState,
    person: &Person,
    done: Option<String>,
    error: Option<String>,
    secret: Option<String>,
) -> Result<Html<String>, WebError> {
    let lang = person.lang;
    let a = words::texts(lang);
    let store = state.gateway.store();
    let own = person.principal.account.as_deref();
    let accounts = store
        .accounts_with_state(&person.principal.org)
        .await?
        .into_iter()
        .map(|(account, disabled_at)| {
            let is_own = own == Some(account.id.as_str());
            AccountRow {
                may_disable: disabled_at.is_none() && !is_own,
                why_not: (disabled_at.is_none() && is_own).then_some(a.own_account),
                disabled: disabled_at.map(|at| lang.when(at)),
                role: lang.role(account.role),
                id: account.id,
                name: account.display_name,
                oidc: account.oidc,
            }
        })
        .collect();
    let kind = person.principal.org_kind;
    let roles = kind
        .professional_roles()
        .iter()
        .chain(&[Role::PrivacyOfficer, Role::Auditor, Role::Admin])
        .map(|role| (role.as_str(), lang.role(*role)))
        .collect();
    let certificates = store
        .certificates(&person.principal.org)
        .await?
        .into_iter()
        .map(|certificate| CertificateRow {
            fingerprint: certificate.fingerprint,
            registered: lang.when(certificate.added_at),
            disabled: certificate.disabled_at.map(|at| lang.when(at)),
        })
        .collect();
    let operator = is_operator(state, person);
    let orgs = if operator {
        store
            .orgs_with_state()
            .await?
            .into_iter()
            .map(|(org, disabled_at)| {
                let runs_gateway = state.operator_org.as_ref() == Some(&org.id);
                OrgRow {
                    may_disable: disabled_at.is_none() && !runs_gateway,
                    why_not: (disabled_at.is_none() && runs_gateway).then_some(a.runs_the_gateway),
                    disabled: disabled_at.map(|at| lang.when(at)),
                    kind: lang.org_kind(org.kind),
                    id: org.id.0,
                    name: org.name,
                    contact: org.contact.unwrap_or_default(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let org = &person.principal.org;
    let webhook = store.webhook(org).await?.map(|hook| (hook.url, lang.when(hook.set_at)));
    let deliveries: Vec<DeliveryRow> = store
        .deliveries(org, DELIVERIES_SHOWN)
        .await?
        .into_iter()
        .map(|d| DeliveryRow {
            when: lang.when(d.created_at),
            what: words::notice_kind(lang, &d.kind),
            state: words::notice_state(lang, d.state),
            failed: d.state == NoticeState::Failed,
            attempts: d.attempts,
            last_answer: match (d.last_status, d.last_error) {
                (Some(status), Some(error)) => format!("{status}: {error}"),
                (Some(status), None) => status.to_string(),
                (None, Some(error)) => error,
                (None, None) => String::new(),
            },
        })
        .collect();
    let failed = deliveries.iter().filter(|d| d.failed).count();
    let page = AdminPage {
        c: Chrome::of(person),
        a,
        operator,
        webhook,
        secret,
        failed: (failed > 0).then(|| words::failed_notices(lang, failed)),
        deliveries,
        orgs,
        kinds: OrgKind::ALL.iter().map(|kind| (kind.as_str(), lang.org_kind(*kind))).collect(),
        accounts,
        roles,
        certificates,
        done,
        error,
    };
    Ok(Html(page.render()?))
}

async fn admin_get(State(state): State<AppState>, Admin(person): Admin) -> Result<Html<String>, WebError> {
    page(&state, &person, None, None).await
}

/// The status a refusal is answered with; `None`: bad input, shown on the page above its forms.
fn status(refusal: &AdminRefusal) -> Option<StatusCode> {
    use AdminRefusal::*;
    match refusal {
        OwnAccount | OperatorOrg | NotOperator => Some(StatusCode::FORBIDDEN),
        AccountNotFound | OrgNotFound | CertificateNotFound | NoWebhook => Some(StatusCode::NOT_FOUND),
        AccountAlreadyDisabled { .. }
        | OrgAlreadyDisabled { .. }
        | AccountOfAnotherOrg
        | AccountIdDisabled { .. }
        | OidcIdentityInUse
        | CertificateOfAnotherOrg
        | CertificateAlreadyDisabled
        | CertificateWasDisabled => Some(StatusCode::CONFLICT),
        OidcHalf
        | AccountIncomplete
        | UnknownRole
        | RoleNotInKind { .. }
        | UnknownKind
        | BadOrgId
        | OrgIncomplete
        | KindNeverChanges { .. }
        | OrgIdDisabled { .. }
        | BadFingerprint
        | BadEmail
        | WebhookNotHttps
        | WebhookPrivate
        | WebhookCredentials
        | WebhookNotAUrl => None,
    }
}

/// Answers a refusal: an error page with its status, or the page saying what to correct.
async fn refuse(state: &AppState, person: &Person, refusal: AdminRefusal) -> Result<Html<String>, WebError> {
    let message = refusal.words(person.lang);
    match status(&refusal) {
        Some(status) => Err(WebError::shown(status, person.lang, message)),
        None => page(state, person, None, Some(message)).await,
    }
}

#[derive(Deserialize)]
struct AccountForm {
    #[serde(default)]
    csrf: String,
    id: String,
    role: String,
    name: String,
    #[serde(default)]
    oidc_issuer: String,
    #[serde(default)]
    oidc_subject: String,
    #[serde(default)]
    email: String,
}

async fn account_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<AccountForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let (id, name) = (form.id.trim(), form.name.trim());
    if id.is_empty() || name.is_empty() {
        return refuse(&state, &person, AdminRefusal::AccountIncomplete).await;
    }
    let Ok(role) = form.role.parse::<Role>() else {
        return refuse(&state, &person, AdminRefusal::UnknownRole).await;
    };
    let kind = person.principal.org_kind;
    if !kind.has_role(role) {
        return refuse(&state, &person, AdminRefusal::RoleNotInKind { role, kind }).await;
    }
    let oidc = match (form.oidc_issuer.trim(), form.oidc_subject.trim()) {
        ("", "") => None,
        (issuer, subject) if !issuer.is_empty() && !subject.is_empty() => Some((issuer.to_owned(), subject.to_owned())),
        _ => return refuse(&state, &person, AdminRefusal::OidcHalf).await,
    };
    let email = match form.email.trim() {
        "" => None,
        email if email.parse::<lettre::Address>().is_ok() => Some(email.to_owned()),
        _ => return refuse(&state, &person, AdminRefusal::BadEmail).await,
    };
    // The store would update another organisation's account's row, or a disabled one's (which
    // stays disabled): both are refused here, in words.
    match state.gateway.store().account_with_state(id).await? {
        Some((existing, _)) if existing.org != person.principal.org => {
            return refuse(&state, &person, AdminRefusal::AccountOfAnotherOrg).await;
        }
        Some((_, Some(_))) => {
            return refuse(&state, &person, AdminRefusal::AccountIdDisabled { id: id.to_owned() }).await;
        }
        _ => {}
    }
    let account = Account {
        id: id.to_owned(),
        org: person.principal.org.clone(),
        role,
        display_name: name.to_owned(),
        contact: None,
        oidc,
        email,
    };
    match state.gateway.add_account(person.principal.audit_actor(), account, &Occasion::at(clock::now())).await {
        Ok(_) => {
            let done = words::done(person.lang, &Done::AccountSaved { name, role });
            page(&state, &person, Some(done), None).await
        }
        // The id's owner was checked above: the conflict left is the unique OpenID Connect
        // identity, held by another account (disabled ones keep theirs).
        Err(RegistryError::Store(StoreError::Conflict(_))) => {
            refuse(&state, &person, AdminRefusal::OidcIdentityInUse).await
        }
        Err(RegistryError::Store(store)) => Err(store.into()),
        // The role and the organisation were checked above; anything else is not the admin's input.
        Err(RegistryError::Input(input)) => Err(WebError::Internal(input.to_string())),
        Err(RegistryError::Webhook(webhook)) => Err(WebError::Internal(webhook.to_string())),
    }
}

#[derive(Deserialize)]
struct CertificateForm {
    #[serde(default)]
    csrf: String,
    fingerprint: String,
}

async fn certificate_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<CertificateForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let fingerprint = form.fingerprint.trim().replace(':', "").to_ascii_lowercase();
    if fingerprint.len() != 64 || !fingerprint.chars().all(|c| c.is_ascii_hexdigit()) {
        return refuse(&state, &person, AdminRefusal::BadFingerprint).await;
    }
    // Another organisation's certificate stays theirs: registered here, their partner system
    // would act as this organisation and no longer as their own. Whose it is goes unsaid.
    let own = state.gateway.store().certificates(&person.principal.org).await?;
    if own.iter().any(|c| c.fingerprint == fingerprint && c.disabled_at.is_some()) {
        return refuse(&state, &person, AdminRefusal::CertificateWasDisabled).await;
    }
    let holder = state.gateway.store().certificate_holder(&fingerprint, None).await?;
    if holder.is_some_and(|(org, _)| org.id != person.principal.org) {
        return refuse(&state, &person, AdminRefusal::CertificateOfAnotherOrg).await;
    }
    let occasion = Occasion::at(clock::now());
    match state
        .gateway
        .add_certificate(person.principal.audit_actor(), &person.principal.org, &fingerprint, &occasion)
        .await
    {
        Ok(_) => {
            let done = Done::CertificateRegistered { fingerprint: &fingerprint, org: &person.org_name };
            page(&state, &person, Some(words::done(person.lang, &done)), None).await
        }
        // A disabled organisation's certificate is not found as a holder above, but stays theirs.
        Err(RegistryError::Store(StoreError::Conflict(_))) => {
            refuse(&state, &person, AdminRefusal::CertificateOfAnotherOrg).await
        }
        Err(RegistryError::Store(store)) => Err(store.into()),
        Err(RegistryError::Input(input)) => Err(WebError::Internal(input.to_string())),
        Err(RegistryError::Webhook(webhook)) => Err(WebError::Internal(webhook.to_string())),
    }
}

/// Disables a partner system's certificate of the admin's own organisation (a lost or replaced
/// key), after the confirmation page.
async fn certificate_disable_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<DisableForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let own = state.gateway.store().certificates(&person.principal.org).await?;
    // Another organisation's certificate is as good as none: its existence is not disclosed.
    let Some(certificate) = own.into_iter().find(|c| c.fingerprint == form.id) else {
        return refuse(&state, &person, AdminRefusal::CertificateNotFound).await;
    };
    if certificate.disabled_at.is_some() {
        return refuse(&state, &person, AdminRefusal::CertificateAlreadyDisabled).await;
    }
    if !confirmed(form.confirm.as_deref()) {
        let words = words::confirm_certificate(person.lang, &certificate.fingerprint, &person.org_name);
        return confirmation(&person, words, "/admin/certificates/disable", &certificate.fingerprint);
    }
    let occasion = Occasion::at(clock::now());
    let by = person.principal.audit_actor();
    match state.gateway.disable_certificate(by, &person.principal.org, &certificate.fingerprint, &occasion).await {
        Ok(_) => {
            let done = words::done(person.lang, &Done::CertificateDisabled { fingerprint: &certificate.fingerprint });
            page(&state, &person, Some(done), None).await
        }
        // Disabled by someone else since it was looked up.
        Err(StoreError::NotFound(_)) => refuse(&state, &person, AdminRefusal::CertificateAlreadyDisabled).await,
        Err(other) => Err(other.into()),
    }
}

/// A disable button's form; the confirmation page posts it again with `confirm=yes`.
#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    csrf: String,
    id: String,
    confirm: Option<String>,
}

/// Disables an account of the admin's own organisation, never the admin's own: they would be
/// locked out, and an organisation may be left without an administrator.
async fn disable_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<DisableForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    if person.principal.account.as_deref() == Some(form.id.as_str()) {
        return refuse(&state, &person, AdminRefusal::OwnAccount).await;
    }
    // Another organisation's account is as good as none: its existence is not disclosed.
    let found = state.gateway.store().account_with_state(&form.id).await?;
    let Some((account, disabled_at)) = found.filter(|(account, _)| account.org == person.principal.org) else {
        return refuse(&state, &person, AdminRefusal::AccountNotFound).await;
    };
    let already = AdminRefusal::AccountAlreadyDisabled { name: account.display_name.clone() };
    if disabled_at.is_some() {
        return refuse(&state, &person, already).await;
    }
    if !confirmed(form.confirm.as_deref()) {
        let words = words::confirm_account(
            person.lang,
            &account.display_name,
            account.role,
            &person.org_name,
            account.oidc.is_some(),
        );
        return confirmation(&person, words, "/admin/accounts/disable", &account.id);
    }
    match state.gateway.disable_account(person.principal.audit_actor(), &account, &Occasion::at(clock::now())).await {
        Ok(_) => {
            let done = words::done(person.lang, &Done::AccountDisabled { name: &account.display_name });
            page(&state, &person, Some(done), None).await
        }
        // Disabled by someone else since it was looked up.
        Err(StoreError::NotFound(_)) => refuse(&state, &person, already).await,
        Err(other) => Err(other.into()),
    }
}

/// The confirmation page of disabling the account or organisation `id`.
fn confirmation(person: &Person, words: words::ConfirmWords, action: &str, id: &str) -> Result<Html<String>, WebError> {
    Confirmation {
        heading: words.heading,
        consequences: words.consequences,
        action: action.to_owned(),
        fields: vec![("id".to_owned(), id.to_owned())],
        button: words.button.to_owned(),
        cancel: "/admin".to_owned(),
    }
    .page(person)
}

/// Whether the admin belongs to the organisation that runs the gateway.
fn is_operator(state: &AppState, person: &Person) -> bool {
    state.operator_org.as_ref() == Some(&person.principal.org)
}

fn operator_only(state: &AppState, person: &Person) -> Result<(), WebError> {
    if is_operator(state, person) {
        Ok(())
    } else {
        Err(WebError::shown(StatusCode::FORBIDDEN, person.lang, AdminRefusal::NotOperator.words(person.lang)))
    }
}

/// Every organisation, disabled ones too: the one with this id, if any.
async fn org_with_state(
    state: &AppState,
    id: &str,
) -> Result<Option<(Organisation, Option<time::OffsetDateTime>)>, WebError> {
    Ok(state.gateway.store().orgs_with_state().await?.into_iter().find(|(org, _)| org.id.0 == id))
}

#[derive(Deserialize)]
struct OrgForm {
    #[serde(default)]
    csrf: String,
    id: String,
    kind: String,
    name: String,
    #[serde(default)]
    contact: String,
}

async fn org_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<OrgForm>,
) -> Result<Html<String>, WebError> {
    operator_only(&state, &person)?;
    person.check_csrf(&form.csrf)?;
    let (id, name) = (form.id.trim(), form.name.trim());
    if id.is_empty() || name.is_empty() {
        return refuse(&state, &person, AdminRefusal::OrgIncomplete).await;
    }
    let Ok(kind) = form.kind.parse::<OrgKind>() else {
        return refuse(&state, &person, AdminRefusal::UnknownKind).await;
    };
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return refuse(&state, &person, AdminRefusal::BadOrgId).await;
    }
    // The store keeps a kind for good and a disabled organisation disabled: said here in words.
    match org_with_state(&state, id).await? {
        Some((_, Some(_))) => return refuse(&state, &person, AdminRefusal::OrgIdDisabled { id: id.to_owned() }).await,
        Some((existing, None)) if existing.kind != kind => {
            return refuse(&state, &person, AdminRefusal::KindNeverChanges { id: id.to_owned(), kind: existing.kind })
                .await;
        }
        _ => {}
    }
    let contact = Some(form.contact.trim().to_owned()).filter(|c| !c.is_empty());
    let org = Organisation { id: OrgId(id.to_owned()), kind, name: name.to_owned(), contact };
    state.gateway.add_org(person.principal.audit_actor(), org, &Occasion::at(clock::now())).await?;
    page(&state, &person, Some(words::done(person.lang, &Done::OrgSaved { name, kind })), None).await
}

/// Disables an organisation of the region, never the operator's own: no one could manage
/// organisations any more.
async fn org_disable_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<DisableForm>,
) -> Result<Html<String>, WebError> {
    operator_only(&state, &person)?;
    person.check_csrf(&form.csrf)?;
    let id = OrgId(form.id.clone());
    if state.operator_org.as_ref() == Some(&id) {
        return refuse(&state, &person, AdminRefusal::OperatorOrg).await;
    }
    let Some((org, disabled_at)) = org_with_state(&state, &form.id).await? else {
        return refuse(&state, &person, AdminRefusal::OrgNotFound).await;
    };
    let already = AdminRefusal::OrgAlreadyDisabled { name: org.name.clone() };
    if disabled_at.is_some() {
        return refuse(&state, &person, already).await;
    }
    if !confirmed(form.confirm.as_deref()) {
        let store = state.gateway.store();
        let active = store.accounts_with_state(&id).await?.iter().filter(|(_, disabled)| disabled.is_none()).count();
        let certificates = store.certificates(&id).await?.len();
        let words = words::confirm_org(person.lang, &org.name, active, certificates);
        return confirmation(&person, words, "/admin/orgs/disable", &form.id);
    }
    match state.gateway.disable_org(person.principal.audit_actor(), &id, &Occasion::at(clock::now())).await {
        Ok(_) => {
            let done = words::done(person.lang, &Done::OrgDisabled { name: &org.name });
            page(&state, &person, Some(done), None).await
        }
        Err(StoreError::NotFound(_)) => refuse(&state, &person, already).await,
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;

    #[test]
    fn refusals_that_guard_the_administrators_are_forbidden_and_bad_input_stays_on_the_page() {
        assert_eq!(status(&AdminRefusal::OwnAccount), Some(StatusCode::FORBIDDEN));
        assert_eq!(status(&AdminRefusal::OperatorOrg), Some(StatusCode::FORBIDDEN));
        assert_eq!(status(&AdminRefusal::AccountNotFound), Some(StatusCode::NOT_FOUND));
        assert_eq!(status(&AdminRefusal::AccountAlreadyDisabled { name: "x".into() }), Some(StatusCode::CONFLICT));
        assert_eq!(status(&AdminRefusal::BadFingerprint), None);
        // Every refusal has words in both languages.
        assert_ne!(AdminRefusal::OwnAccount.words(Lang::Nl), AdminRefusal::OwnAccount.words(Lang::En));
    }
}

#[derive(Deserialize)]
struct WebhookForm {
    #[serde(default)]
    csrf: String,
    url: String,
}

/// Sets the organisation's webhook; the page shows its new secret this once.
async fn webhook_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<WebhookForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let occasion = Occasion::at(clock::now());
    let org = &person.principal.org;
    let actor = person.principal.audit_actor();
    match state.gateway.set_webhook(actor, org, &form.url, &state.notices, &occasion).await {
        Ok((_, hook)) => {
            let done = words::done(person.lang, &Done::WebhookSet { url: &hook.url });
            page_showing(&state, &person, Some(done), None, Some(hook.secret)).await
        }
        Err(RegistryError::Webhook(refused)) => {
            let refusal = match refused {
                WebhookError::NotHttps => AdminRefusal::WebhookNotHttps,
                WebhookError::Private(_) => AdminRefusal::WebhookPrivate,
                WebhookError::Credentials => AdminRefusal::WebhookCredentials,
                WebhookError::NotAUrl(_) | WebhookError::TooLong => AdminRefusal::WebhookNotAUrl,
                WebhookError::Random | WebhookError::Client(_) => return Err(WebError::Internal(refused.to_string())),
            };
            refuse(&state, &person, refusal).await
        }
        Err(RegistryError::Store(store)) => Err(store.into()),
        Err(RegistryError::Input(input)) => Err(WebError::Internal(input.to_string())),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Removes the organisation's webhook; notices still waiting for it are dropped.
async fn webhook_remove_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<CsrfForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let occasion = Occasion::at(clock::now());
    match state.gateway.remove_webhook(person.principal.audit_actor(), &person.principal.org, &occasion).await {
        Ok(_) => page(&state, &person, Some(words::done(person.lang, &Done::WebhookRemoved)), None).await,
        Err(StoreError::NotFound(_)) => refuse(&state, &person, AdminRefusal::NoWebhook).await,
        Err(other) => Err(other.into()),
    }
}
