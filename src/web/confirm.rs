//! The one page that stands between a person and an irreversible or sweeping action: it says
//! what will happen, and only its own button (posting `confirm=yes` with the same fields) does
//! it. Handlers of such actions show it first when the form did not carry `confirm=yes`.

use askama::Template;
use axum::response::Html;

use super::Chrome;
use super::error::WebError;
use super::session::Person;

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    c: Chrome,
    heading: String,
    consequences: Vec<String>,
    action: String,
    fields: Vec<(String, String)>,
    button: String,
    cancel: String,
}

/// What a confirmation page asks.
pub struct Confirmation {
    /// The question, e.g. "Account j.jansen uitschakelen?".
    pub heading: String,
    /// What will happen, one sentence each, in the person's language.
    pub consequences: Vec<String>,
    /// Where the confirmed form posts to (the same handler).
    pub action: String,
    /// The form's fields, carried over unchanged.
    pub fields: Vec<(String, String)>,
    /// The button's words, e.g. "Ja, uitschakelen".
    pub button: String,
    /// Where "cancel" leads (back to the page the person came from).
    pub cancel: String,
}

/// Whether a form's `confirm` field says the person confirmed on the confirmation page.
pub fn confirmed(confirm: Option<&str>) -> bool {
    confirm == Some("yes")
}

impl Confirmation {
    pub fn page(self, person: &Person) -> Result<Html<String>, WebError> {
        let page = ConfirmPage {
            c: Chrome::of(person),
            heading: self.heading,
            consequences: self.consequences,
            action: self.action,
            fields: self.fields,
            button: self.button,
            cancel: self.cancel,
        };
        Ok(Html(page.render()?))
    }
}
