//! A person's own settings: how they hear of notices by e-mail (at once, a daily digest, or not
//! at all) and the language of those mails. For professionals (their inbox) and privacy officers
//! (exchanges waiting for their review). The address itself is their
//! administrator's to set, with the account.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

use super::Chrome;
use super::error::WebError;
use super::form::Form;
use super::i18n::Lang;
use super::session::{Notified, Person};
use crate::app::AppState;
use crate::notices::mail::Notify;
use crate::store::StoreError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/settings", get(settings_get).post(settings_post))
}

struct Choice {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    w: &'static SettingsWords,
    email: Option<String>,
    notify: Vec<Choice>,
    languages: Vec<Choice>,
    done: Option<&'static str>,
    error: Option<&'static str>,
}

pub struct SettingsWords {
    title: &'static str,
    intro: &'static str,
    address: &'static str,
    no_address: &'static str,
    how_often: &'static str,
    at_once: &'static str,
    daily_digest: &'static str,
    never: &'static str,
    language: &'static str,
    save: &'static str,
    saved: &'static str,
    bad_choice: &'static str,
}

static NL: SettingsWords = SettingsWords {
    title: "Meldingen per e-mail",
    intro: "Ketenpoort kan u per e-mail laten weten dat er een nieuw bericht voor u is. De e-mail zegt wat voor bericht het is en van welke organisatie, met een link; nooit welke jongere het betreft.",
    address: "Uw e-mailadres",
    no_address: "Er is nog geen e-mailadres voor u vastgelegd; vraag de beheerder van uw organisatie.",
    how_often: "Hoe vaak wilt u een e-mail?",
    at_once: "Meteen, bij elk nieuw bericht",
    daily_digest: "Eén keer per dag, een overzicht",
    never: "Nooit",
    language: "Taal van de e-mails",
    save: "Opslaan",
    saved: "Uw keuze is opgeslagen.",
    bad_choice: "Kies hoe vaak en in welke taal uit de lijst.",
};

static EN: SettingsWords = SettingsWords {
    title: "Notices by e-mail",
    intro: "Ketenpoort can let you know by e-mail that there is a new item for you. The e-mail says what kind of item it is and from which organisation, with a link; never which youth it is about.",
    address: "Your e-mail address",
    no_address: "No e-mail address is on record for you yet; ask your organisation's administrator.",
    how_often: "How often do you want an e-mail?",
    at_once: "At once, for every new item",
    daily_digest: "Once a day, a summary",
    never: "Never",
    language: "Language of the e-mails",
    save: "Save",
    saved: "Your choice is saved.",
    bad_choice: "Choose how often and which language from the list.",
};

fn words(lang: Lang) -> &'static SettingsWords {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

async fn page(
    state: &AppState,
    person: &Person,
    done: Option<&'static str>,
    error: Option<&'static str>,
) -> Result<Html<String>, WebError> {
    let w = words(person.lang);
    let account = person.principal.account.as_deref().unwrap_or_default();
    let settings =
        state.gateway.store().notice_settings(account).await?.ok_or(StoreError::NotFound("account".into()))?;
    let notify = [(Notify::AtOnce, w.at_once), (Notify::DailyDigest, w.daily_digest), (Notify::Never, w.never)]
        .into_iter()
        .map(|(notify, label)| Choice { value: notify.as_str(), label, checked: settings.notify == notify })
        .collect();
    let languages = [(Lang::Nl, "Nederlands"), (Lang::En, "English")]
        .into_iter()
        .map(|(lang, label)| Choice { value: lang.code(), label, checked: settings.lang == lang })
        .collect();
    let page = SettingsPage { c: Chrome::of(person), w, email: settings.email, notify, languages, done, error };
    Ok(Html(page.render()?))
}

async fn settings_get(State(state): State<AppState>, Notified(person): Notified) -> Result<Html<String>, WebError> {
    page(&state, &person, None, None).await
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    notify: String,
    #[serde(default)]
    lang: String,
}

async fn settings_post(
    State(state): State<AppState>,
    Notified(person): Notified,
    Form(form): Form<SettingsForm>,
) -> Result<Html<String>, WebError> {
    person.check_csrf(&form.csrf)?;
    let w = words(person.lang);
    let (Some(notify), Some(lang)) = (Notify::parse(&form.notify), Lang::from_code(&form.lang)) else {
        return page(&state, &person, None, Some(w.bad_choice)).await;
    };
    let account = person.principal.account.as_deref().unwrap_or_default();
    state.gateway.store().set_notice_settings(account, notify, lang).await?;
    page(&state, &person, Some(w.saved), None).await
}
