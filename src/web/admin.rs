//! The administrator's page: the accounts and partner-system certificates of the admin's own
//! organisation, and — for the administrators of the organisation that runs the gateway
//! (`operator_org`) — the region's organisations; each change audited like every other.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::{Form, IdForm};
use super::session::{Admin, Person};
use super::{Chrome, Lang, WebError};
use crate::app::AppState;
use crate::clock;
use crate::exchange::{Occasion, RegistryError};
use crate::framework::{OrgId, OrgKind, Role};
use crate::store::Account;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_get))
        .route("/admin/accounts", post(account_post))
        .route("/admin/accounts/disable", post(disable_post))
        .route("/admin/certificates", post(certificate_post))
        .route("/admin/orgs", post(org_post))
        .route("/admin/orgs/disable", post(org_disable_post))
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Chrome,
    title: &'static str,
    accounts_title: &'static str,
    add_account: &'static str,
    add_certificate: &'static str,
    disable: &'static str,
    /// Whether the admin belongs to the gateway operator, who manages the organisations.
    operator: bool,
    orgs_title: &'static str,
    add_org: &'static str,
    /// (id, kind, name, contact) of every active organisation (operator only).
    orgs: Vec<(String, String, String, String)>,
    kinds: Vec<&'static str>,
    /// (id, role, name, "issuer subject")
    accounts: Vec<(String, String, String, String)>,
    roles: Vec<&'static str>,
    done: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    person: &Person,
    done: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    let accounts = state
        .gateway
        .store()
        .accounts(&person.principal.org)
        .await?
        .into_iter()
        .map(|a| {
            let oidc = a.oidc.map(|(issuer, subject)| format!("{issuer} {subject}")).unwrap_or_default();
            (a.id, a.role.to_string(), a.display_name, oidc)
        })
        .collect();
    let mut roles: Vec<&'static str> =
        person.principal.org_kind.professional_roles().iter().map(|r| r.as_str()).collect();
    roles.extend(["privacy_officer", "auditor", "admin"]);
    let dutch = person.lang == Lang::Nl;
    let operator = is_operator(state, person);
    let orgs = if operator {
        state
            .gateway
            .store()
            .orgs()
            .await?
            .into_iter()
            .map(|o| (o.id.0, o.kind.to_string(), o.name, o.contact.unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    let page = AdminPage {
        operator,
        orgs_title: if dutch { "Organisaties in de regio" } else { "Organisations of the region" },
        add_org: if dutch { "Organisatie toevoegen of wijzigen" } else { "Add or change an organisation" },
        orgs,
        kinds: OrgKind::WORDS.to_vec(),
        c: Chrome::of(person),
        title: if dutch { "Beheer" } else { "Administration" },
        accounts_title: "Accounts",
        add_account: if dutch { "Account toevoegen of wijzigen" } else { "Add or change an account" },
        add_certificate: if dutch {
            "Certificaat van een koppeling registreren"
        } else {
            "Register a partner system's certificate"
        },
        disable: if dutch { "Uitschakelen" } else { "Disable" },
        accounts,
        roles,
        done,
        error,
    };
    Ok(Html(page.render()?))
}

async fn admin_get(State(state): State<AppState>, Admin(person): Admin) -> Result<Html<String>, WebError> {
    page(&state, &person, None, None).await
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
}

async fn account_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<AccountForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let Ok(role) = form.role.parse::<Role>() else {
        return page(&state, &person, None, Some(format!("role `{}`?", form.role))).await;
    };
    let oidc = (!form.oidc_issuer.trim().is_empty() && !form.oidc_subject.trim().is_empty())
        .then(|| (form.oidc_issuer.trim().to_owned(), form.oidc_subject.trim().to_owned()));
    let account = Account {
        id: form.id.trim().to_owned(),
        org: person.principal.org.clone(),
        role,
        display_name: form.name.trim().to_owned(),
        contact: None,
        oidc,
    };
    let id = account.id.clone();
    match state.gateway.add_account(person.principal.audit_actor(), account, &Occasion::at(clock::now())).await {
        Ok(_) => page(&state, &person, Some(format!("{id} ✓")), None).await,
        Err(RegistryError::Input(input)) => page(&state, &person, None, Some(input.to_string())).await,
        Err(RegistryError::Store(store)) => Err(store.into()),
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
    // Another organisation's certificate stays theirs: registered here, their partner system
    // would act as this organisation and no longer as their own. Whose it is goes unsaid.
    let holder = state.gateway.store().certificate_holder(&fingerprint, None).await?;
    if holder.is_some_and(|(org, _)| org.id != person.principal.org) {
        return Err(crate::store::StoreError::Conflict(
            match person.lang {
                Lang::Nl => "Dit certificaat is geregistreerd voor een andere organisatie.",
                Lang::En => "This certificate is registered for another organisation.",
            }
            .into(),
        )
        .into());
    }
    let occasion = Occasion::at(clock::now());
    match state
        .gateway
        .add_certificate(person.principal.audit_actor(), &person.principal.org, &fingerprint, &occasion)
        .await
    {
        Ok(_) => page(&state, &person, Some(format!("{fingerprint} ✓")), None).await,
        Err(RegistryError::Input(input)) => page(&state, &person, None, Some(input.to_string())).await,
        Err(RegistryError::Store(store)) => Err(store.into()),
    }
}

/// Disables an account of the admin's own organisation (never the admin's own account).
async fn disable_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<IdForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let account = state.gateway.store().account(&form.id).await?.filter(|a| a.org == person.principal.org);
    let own = person.principal.account.as_deref() == Some(form.id.as_str());
    match account {
        Some(account) if !own => {
            state
                .gateway
                .disable_account(person.principal.audit_actor(), &account, &Occasion::at(clock::now()))
                .await?;
            page(&state, &person, Some(format!("{} ✗", account.id)), None).await
        }
        _ => page(&state, &person, None, Some(format!("{}: —", form.id))).await,
    }
}

/// Whether the admin belongs to the organisation that runs the gateway.
fn is_operator(state: &AppState, person: &Person) -> bool {
    state.operator_org.as_ref() == Some(&person.principal.org)
}

fn operator_only(state: &AppState, person: &Person) -> Result<(), WebError> {
    if is_operator(state, person) {
        Ok(())
    } else {
        Err(WebError::shown(
            axum::http::StatusCode::FORBIDDEN,
            person.lang,
            match person.lang {
                Lang::Nl => "Alleen de beheerder van de organisatie die de gateway draait beheert organisaties.",
                Lang::En => "Only the administrators of the organisation that runs the gateway manage organisations.",
            },
        ))
    }
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
    let Ok(kind) = form.kind.parse::<OrgKind>() else {
        return page(&state, &person, None, Some(format!("kind `{}`?", form.kind))).await;
    };
    let id = form.id.trim().to_owned();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return page(&state, &person, None, Some("id: a-z, 0-9, -, _".into())).await;
    }
    let contact = Some(form.contact.trim().to_owned()).filter(|c| !c.is_empty());
    let org = crate::store::Organisation { id: OrgId(id.clone()), kind, name: form.name.trim().to_owned(), contact };
    match state.gateway.add_org(person.principal.audit_actor(), org, &Occasion::at(clock::now())).await {
        Ok(_) => page(&state, &person, Some(format!("{id} ✓")), None).await,
        Err(crate::store::StoreError::Conflict(message)) => page(&state, &person, None, Some(message)).await,
        Err(other) => Err(other.into()),
    }
}

async fn org_disable_post(
    State(state): State<AppState>,
    Admin(person): Admin,
    Form(form): Form<IdForm>,
) -> Result<Html<String>, WebError> {
    operator_only(&state, &person)?;
    person.check_csrf(&form.csrf)?;
    if form.id == person.principal.org.0 {
        return page(&state, &person, None, Some(format!("{}: —", form.id))).await;
    }
    match state
        .gateway
        .disable_org(person.principal.audit_actor(), &OrgId(form.id.clone()), &Occasion::at(clock::now()))
        .await
    {
        Ok(_) => page(&state, &person, Some(format!("{} ✗", form.id)), None).await,
        Err(crate::store::StoreError::NotFound(what)) => page(&state, &person, None, Some(what)).await,
        Err(other) => Err(other.into()),
    }
}
