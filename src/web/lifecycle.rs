//! The end of a registration on the pages (ACTION-FRAMEWORK §8): a professional ends their own
//! organisation's involvement, saying why, or records the youth's death. Neither can be
//! undone, so each is asked first on the confirmation page; then the gateway does it, audited,
//! and the page says in words what came of it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

use super::confirm;
use super::error::WebError;
use super::form::Form;
use super::professionals::{DecisionPage, to_youth};
use super::session::Professional;
use crate::app::AppState;
use crate::clock;
use crate::exchange::{ExchangeError, Occasion};
use crate::framework::WithdrawalReason;
use crate::store::{FactKind, StoreError};
use crate::youth::Bsn;

pub fn routes() -> Router<AppState> {
    Router::new()
        // A result page's language switch asks for these by GET: back to finding a youth.
        .route("/app/involvement/{id}/withdraw", get(to_youth).post(withdraw_post))
        .route("/app/death", get(to_youth).post(death_post))
}

#[derive(Deserialize)]
struct WithdrawForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    /// Absent: `risk_gone`, the default (as in the API).
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    confirm: Option<String>,
}

/// Ending one's own organisation's involvement: always allowed, audited, no disclosure; the
/// reason decides whether the registration is archived (§8).
async fn withdraw_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let youth = state.gateway.owned_fact(&person.principal, FactKind::Involvement, &id).await?;
    let lang = person.lang;
    let texts = lang.texts();
    let reason = match form.reason.as_deref().map(str::trim) {
        None | Some("") => WithdrawalReason::RiskGone,
        Some(word) => word
            .parse()
            .map_err(|_| WebError::shown(StatusCode::UNPROCESSABLE_ENTITY, lang, texts.withdraw_unknown_reason))?,
    };
    if !confirm::confirmed(form.confirm.as_deref()) {
        return confirm::Confirmation {
            heading: texts.withdraw_confirm_heading.into(),
            consequences: vec![
                format!(
                    "{}: {}. {}",
                    texts.withdraw_reason_is,
                    lang.withdrawal(reason).to_lowercase(),
                    lang.withdrawal_meaning(reason)
                ),
                texts.withdraw_consequence.into(),
                texts.withdraw_audited.into(),
            ],
            action: format!("/app/involvement/{id}/withdraw"),
            fields: vec![("reason".into(), reason.as_str().into())],
            button: texts.withdraw_button.into(),
            cancel: "/app/youth".into(),
        }
        .page(&person);
    }
    state.gateway.withdraw_involvement(&person.principal, &youth, &id, reason, &Occasion::at(clock::now())).await?;
    let message = format!("{} {}", texts.withdrawn, lang.withdrawal_meaning(reason));
    Ok(Html(DecisionPage::done(&person, texts.withdrawn_heading.into(), texts.ended, message).render()?))
}

#[derive(Deserialize)]
struct DeathForm {
    /// Absent is the same as wrong: 403.
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    bsn: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Recording the youth's death: only an organisation with a relationship may (§8), and every
/// involvement and measure ends, nothing archived.
async fn death_post(
    State(state): State<AppState>,
    Professional(person): Professional,
    Form(form): Form<DeathForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let lang = person.lang;
    let texts = lang.texts();
    let not_related = || WebError::shown(StatusCode::FORBIDDEN, lang, texts.death_not_related);
    let bsn: Bsn = form.bsn.trim().parse().map_err(|_| WebError::Words {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        nl: "Geen geldig BSN: negen cijfers die de elfproef doorstaan.",
        en: "Not a valid BSN: nine digits that pass the elfproef.",
    })?;
    // Never enrolled here: a youth Ketenpoort does not know is one without a relationship.
    let youth =
        state.gateway.known_youth(&state.pseudonymiser.pseudonymise_all(&bsn)).await?.ok_or_else(not_related)?;
    if !confirm::confirmed(form.confirm.as_deref()) {
        // Asked only of an organisation that may do it: the others are told so at once.
        let facts = state.gateway.store().youth_facts(youth.id).await?;
        if !facts.has_relationship(&person.principal.org, clock::now()) {
            return Err(not_related());
        }
        return confirm::Confirmation {
            heading: texts.death_confirm_heading.into(),
            consequences: vec![texts.death_ends.into(), texts.death_not_archived.into(), texts.death_audited.into()],
            action: "/app/death".into(),
            fields: vec![("bsn".into(), form.bsn.trim().to_owned())],
            button: texts.death_button.into(),
            cancel: "/app/youth".into(),
        }
        .page(&person);
    }
    match state.gateway.record_death(&person.principal, &youth, &Occasion::at(clock::now())).await {
        Ok(_) => {
            let page = DecisionPage::done(
                &person,
                texts.death_recorded_heading.into(),
                texts.recorded,
                texts.death_recorded.into(),
            );
            Ok(Html(page.render()?))
        }
        Err(ExchangeError::NoRelationship) => Err(not_related()),
        Err(ExchangeError::Store(StoreError::Conflict(_))) => {
            Err(WebError::shown(StatusCode::CONFLICT, lang, texts.death_already))
        }
        Err(other) => Err(other.into()),
    }
}
