//! Notices by e-mail: to a person's address, at once or in a daily digest, over SMTP with
//! STARTTLS or implicit TLS (lettre with rustls), in the person's language, with a text and an
//! HTML part. A mail says what kind of notice it is, from which organisation, and links to the
//! page: never a BSN, birth date, case reference, justification or the youth's name.

use std::path::PathBuf;
use std::time::Duration;

use askama::Template;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::web::i18n::Lang;

/// The environment variables that hold the SMTP login, kept out of the configuration file.
pub const SMTP_USERNAME_ENV: &str = "KETENPOORT_SMTP_USERNAME";
pub const SMTP_PASSWORD_ENV: &str = "KETENPOORT_SMTP_PASSWORD";

/// How long one message may take to be handed over, connection included (lettre's own timeout
/// covers the connection only).
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// `[smtp]` of the configuration: without it, no e-mail is sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    /// [default: 587 with STARTTLS, 465 with implicit TLS]
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (the default) or `implicit`; never in the clear.
    #[serde(default)]
    pub tls: SmtpTls,
    /// The sender, e.g. `Ketenpoort <noreply@ketenpoort.example>`.
    pub from: String,
    /// Where the mails' links lead: the pages' address, e.g. `https://ketenpoort.example`.
    pub base_url: String,
    /// A CA (PEM) trusted for the SMTP server besides the public roots.
    #[serde(default)]
    pub ca: Option<PathBuf>,
    /// The hour of the day (Dutch time) the daily digest goes out [default: 7].
    #[serde(default = "default_digest_hour")]
    pub digest_hour: u8,
}

fn default_digest_hour() -> u8 {
    7
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    #[default]
    Starttls,
    Implicit,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("[smtp] {0}")]
    Config(String),
}

/// How often a person hears of notices by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    AtOnce,
    DailyDigest,
    Never,
}

impl Notify {
    pub const ALL: [Notify; 3] = [Notify::AtOnce, Notify::DailyDigest, Notify::Never];

    pub const fn as_str(self) -> &'static str {
        match self {
            Notify::AtOnce => "at_once",
            Notify::DailyDigest => "daily_digest",
            Notify::Never => "none",
        }
    }

    pub fn parse(word: &str) -> Option<Notify> {
        Notify::ALL.into_iter().find(|notify| notify.as_str() == word)
    }
}

/// A person's choices for notices.
#[derive(Debug, Clone)]
pub struct NoticeSettings {
    pub email: Option<String>,
    pub notify: Notify,
    pub lang: Lang,
}

/// Who a mail goes to.
pub struct Recipient<'a> {
    pub address: &'a str,
    pub name: &'a str,
    pub lang: Lang,
}

/// One line of a mail: what kind of notice, from which organisation, and the page it is on.
pub struct Told {
    pub kind: String,
    pub from: String,
    /// `/app` (the inbox) or `/review` (the privacy officer's queue).
    pub path: &'static str,
}

#[derive(Template)]
#[template(path = "mail/notices.txt")]
struct MailText<'a> {
    w: &'static MailWords,
    name: &'a str,
    told: &'a [Told],
    link: &'a str,
    settings: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notices.html")]
struct MailHtml<'a> {
    w: &'static MailWords,
    lang: &'static str,
    name: &'a str,
    told: &'a [Told],
    link: &'a str,
    settings: &'a str,
}

/// A mail's fixed words.
pub struct MailWords {
    pub greeting: &'static str,
    pub one: &'static str,
    pub many: &'static str,
    pub from: &'static str,
    pub open: &'static str,
    pub why: &'static str,
    pub change: &'static str,
}

static NL: MailWords = MailWords {
    greeting: "Beste",
    one: "Er is een nieuw bericht voor u in Ketenpoort:",
    many: "Er zijn nieuwe berichten voor u in Ketenpoort:",
    from: "van",
    open: "Bekijk het in Ketenpoort",
    why: "U krijgt deze e-mail omdat u meldingen per e-mail hebt gekozen. De e-mail noemt geen jongere: wie het betreft, ziet u na het inloggen.",
    change: "Meldingen wijzigen",
};

static EN: MailWords = MailWords {
    greeting: "Dear",
    one: "There is a new item for you in Ketenpoort:",
    many: "There are new items for you in Ketenpoort:",
    from: "from",
    open: "See it in Ketenpoort",
    why: "You receive this e-mail because you chose notices by e-mail. It names no youth: who it is about you see once signed in.",
    change: "Change notices",
};

fn words(lang: Lang) -> &'static MailWords {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// The mail's subject: the one notice, or how many.
fn subject(lang: Lang, told: &[Told]) -> String {
    match (lang, told) {
        (Lang::Nl, [one]) => format!("Ketenpoort: {} van {}", one.kind, one.from),
        (Lang::En, [one]) => format!("Ketenpoort: {} from {}", one.kind, one.from),
        (Lang::Nl, many) => format!("Ketenpoort: {} nieuwe berichten", many.len()),
        (Lang::En, many) => format!("Ketenpoort: {} new items", many.len()),
    }
}

/// The SMTP connection (pooled) and what every mail shares.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
    /// The domain of the Message-IDs: the sender's.
    domain: String,
    pub digest_hour: u8,
}

/// The SMTP login from [`SMTP_USERNAME_ENV`] and [`SMTP_PASSWORD_ENV`], if set.
pub fn login_from_env() -> Result<Option<(String, String)>, MailError> {
    match (std::env::var(SMTP_USERNAME_ENV), std::env::var(SMTP_PASSWORD_ENV)) {
        (Ok(user), Ok(password)) => Ok(Some((user, password))),
        (Err(_), Err(_)) => Ok(None),
        _ => Err(MailError::Config(format!("set both {SMTP_USERNAME_ENV} and {SMTP_PASSWORD_ENV}, or neither"))),
    }
}

impl Mailer {
    /// A mailer for `config`, logging in with `login` (user, password) when given.
    pub fn new(config: &SmtpConfig, login: Option<(String, String)>) -> Result<Mailer, MailError> {
        let from: Mailbox =
            config.from.parse().map_err(|e| MailError::Config(format!("`from` is not an address: {e}")))?;
        let domain = from.email.domain().to_owned();
        let mut tls = TlsParameters::builder(config.host.clone());
        if let Some(path) = &config.ca {
            let pem = std::fs::read(path)
                .map_err(|e| MailError::Config(format!("cannot read the CA at {}: {e}", path.display())))?;
            let ca = Certificate::from_pem(&pem)
                .map_err(|e| MailError::Config(format!("the CA at {} does not load: {e}", path.display())))?;
            tls = tls.add_root_certificate(ca);
        }
        let tls = tls.build_rustls().map_err(|e| MailError::Config(format!("TLS: {e}")))?;
        let (tls, port) = match config.tls {
            SmtpTls::Starttls => (Tls::Required(tls), config.port.unwrap_or(587)),
            SmtpTls::Implicit => (Tls::Wrapper(tls), config.port.unwrap_or(465)),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(port)
            .tls(tls)
            .timeout(Some(SEND_TIMEOUT));
        if let Some((user, password)) = login {
            builder = builder.credentials(Credentials::new(user, password));
        }
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        Ok(Mailer { transport: builder.build(), from, base_url, domain, digest_hour: config.digest_hour })
    }

    /// Sends one mail of `told` to `to`; `id` makes its Message-ID (the same on every attempt).
    pub async fn send(&self, to: &Recipient<'_>, told: &[Told], id: &str) -> Result<(), String> {
        let message = self.compose(to, told, id)?;
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            // A server's answer often quotes the recipient ("<jan@school.nl>: mailbox full");
            // the delivery log and the server's log keep what went wrong, not whose address.
            Ok(Err(error)) => Err(without_addresses(&format!("the mail server refused or failed: {error}"))),
            Err(_) => Err("the mail server did not answer in time".into()),
        }
    }

    fn compose(&self, to: &Recipient<'_>, told: &[Told], id: &str) -> Result<Message, String> {
        let address: lettre::Address =
            to.address.parse().map_err(|_| "the account's e-mail address is not an address".to_owned())?;
        let w = words(to.lang);
        let path = told.first().map_or("/app", |t| t.path);
        let (link, settings) = (format!("{}{path}", self.base_url), format!("{}/settings", self.base_url));
        let text = MailText { w, name: to.name, told, link: &link, settings: &settings };
        let html = MailHtml { w, lang: to.lang.code(), name: to.name, told, link: &link, settings: &settings };
        let (text, html) = (text.render().map_err(|e| e.to_string())?, html.render().map_err(|e| e.to_string())?);
        let mut message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(to.name.to_owned()), address))
            .subject(subject(to.lang, told))
            .message_id(Some(format!("<{id}@{}>", self.domain)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
            )
            .map_err(|e| e.to_string())?;
        message.headers_mut().insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            to.lang.code().to_owned(),
        ));
        Ok(message)
    }
}

/// `text` with every e-mail address in it replaced by `[address]`.
fn without_addresses(text: &str) -> String {
    let apart = |c: char| c.is_whitespace() || "<>\"'(),;:[]".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if apart(c) {
            out.push_str(if word.contains('@') { "[address]" } else { &word });
            word.clear();
            out.push(c);
        } else {
            word.push(c);
        }
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::without_addresses;

    #[test]
    fn an_answer_from_the_mail_server_keeps_its_words_but_not_the_address() {
        assert_eq!(
            without_addresses("permanent error (550): 5.1.1 <jan.de.vries@school.nl>: unknown, also j@x.nl."),
            "permanent error (550): 5.1.1 <[address]>: unknown, also [address]"
        );
        assert_eq!(without_addresses("no answer in time"), "no answer in time");
    }
}
