//! The words of the administration page and the sign-in page, in Dutch and English (the shared
//! vocabulary — kinds of organisation, roles, times — is in `super`). Sentences that name an
//! account or organisation are functions; refusals are enums, so a handler names what went
//! wrong and this file says it.

use super::Lang;
use crate::framework::{OrgKind, Role};

/// Every fixed text of the administration page.
pub struct AdminTexts {
    pub title: &'static str,
    pub orgs_title: &'static str,
    pub add_org: &'static str,
    pub accounts_of: &'static str,
    pub add_account: &'static str,
    pub certificates_of: &'static str,
    pub add_certificate: &'static str,
    pub no_certificates: &'static str,
    pub col_org: &'static str,
    pub col_kind: &'static str,
    pub col_contact: &'static str,
    pub col_status: &'static str,
    pub col_account: &'static str,
    pub col_role: &'static str,
    pub col_sign_in: &'static str,
    pub col_fingerprint: &'static str,
    pub col_registered: &'static str,
    pub active: &'static str,
    pub disabled: &'static str,
    pub since: &'static str,
    pub disable: &'static str,
    /// In place of the disable button on the administrator's own row.
    pub own_account: &'static str,
    /// In place of the disable button on the operator's row.
    pub runs_the_gateway: &'static str,
    pub no_oidc: &'static str,
    pub label_account_id: &'static str,
    pub hint_account_id: &'static str,
    pub label_name: &'static str,
    pub label_role: &'static str,
    pub label_oidc_issuer: &'static str,
    pub label_oidc_subject: &'static str,
    pub label_email: &'static str,
    pub hint_email: &'static str,
    pub hint_oidc: &'static str,
    pub label_org_id: &'static str,
    pub hint_org_id: &'static str,
    pub label_kind: &'static str,
    pub label_contact: &'static str,
    pub label_fingerprint: &'static str,
    pub hint_fingerprint: &'static str,
    pub hint_change: &'static str,
    pub webhook_title: &'static str,
    pub webhook_intro: &'static str,
    pub webhook_none: &'static str,
    pub webhook_address: &'static str,
    pub webhook_set_on: &'static str,
    pub label_webhook_url: &'static str,
    pub hint_webhook_url: &'static str,
    pub webhook_save: &'static str,
    pub webhook_remove: &'static str,
    pub secret_once: &'static str,
    pub deliveries_title: &'static str,
    pub no_deliveries: &'static str,
    pub col_when: &'static str,
    pub col_what: &'static str,
    pub col_attempts: &'static str,
    pub col_last_answer: &'static str,
}

static NL: AdminTexts = AdminTexts {
    title: "Beheer",
    orgs_title: "Organisaties in de regio",
    add_org: "Organisatie toevoegen of wijzigen",
    accounts_of: "Accounts van",
    add_account: "Account toevoegen of wijzigen",
    certificates_of: "Certificaten van de koppelingen van",
    add_certificate: "Certificaat van een koppeling registreren",
    no_certificates: "Nog geen certificaten geregistreerd.",
    col_org: "Organisatie",
    col_kind: "Soort",
    col_contact: "Contact",
    col_status: "Status",
    col_account: "Account",
    col_role: "Rol",
    col_sign_in: "Inloggen via OpenID Connect",
    col_fingerprint: "Vingerafdruk (SHA-256)",
    col_registered: "Geregistreerd op",
    active: "actief",
    disabled: "uitgeschakeld",
    since: "sinds",
    disable: "Uitschakelen",
    own_account: "uw eigen account",
    runs_the_gateway: "draait de gateway",
    no_oidc: "niet ingericht",
    label_account_id: "Account-id",
    hint_account_id: "bijvoorbeeld j.jansen@lyceum-noord; een bestaand id wijzigt dat account",
    label_name: "Naam",
    label_role: "Rol",
    label_oidc_issuer: "OpenID Connect-issuer",
    label_oidc_subject: "OpenID Connect-subject",
    hint_oidc: "Vul beide in om de persoon te laten inloggen via de identiteitsprovider van uw organisatie, of geen van beide.",
    label_org_id: "Organisatie-id",
    hint_org_id: "letters, cijfers, - en _; een bestaand id wijzigt die organisatie",
    label_kind: "Soort organisatie",
    label_contact: "Contact",
    label_fingerprint: "Vingerafdruk (SHA-256)",
    hint_fingerprint: "64 hexadecimale tekens; dubbele punten mogen",
    hint_change: "De soort van een organisatie verandert nooit; naam en contact wel.",
    label_email: "E-mailadres",
    hint_email: "Voor meldingen per e-mail; hoe vaak kiest de persoon zelf bij Instellingen.",
    webhook_title: "Webhook naar uw eigen systeem",
    webhook_intro: "Ketenpoort meldt elk nieuw bericht in de inbox van uw organisatie aan dit adres, ondertekend volgens Standard Webhooks. Een melding noemt de jongere alleen met het dossiernummer van uw organisatie, nooit met een BSN.",
    webhook_none: "Er is nog geen webhook ingesteld.",
    webhook_address: "Adres",
    webhook_set_on: "ingesteld op",
    label_webhook_url: "Adres van de webhook",
    hint_webhook_url: "Alleen https, op een openbaar netwerk. Opslaan maakt een nieuw geheim; het vorige werkt dan niet meer.",
    webhook_save: "Webhook opslaan",
    webhook_remove: "Webhook verwijderen",
    secret_once: "Geheim om de handtekening mee te controleren. Het is alleen nu te zien: geef het aan uw systeem.",
    deliveries_title: "Laatste meldingen",
    no_deliveries: "Nog geen meldingen.",
    col_when: "Wanneer",
    col_what: "Wat",
    col_attempts: "Pogingen",
    col_last_answer: "Laatste antwoord",
};

static EN: AdminTexts = AdminTexts {
    title: "Administration",
    orgs_title: "Organisations of the region",
    add_org: "Add or change an organisation",
    accounts_of: "Accounts of",
    add_account: "Add or change an account",
    certificates_of: "Partner-system certificates of",
    add_certificate: "Register a partner system's certificate",
    no_certificates: "No certificates registered yet.",
    col_org: "Organisation",
    col_kind: "Kind",
    col_contact: "Contact",
    col_status: "Status",
    col_account: "Account",
    col_role: "Role",
    col_sign_in: "Sign-in with OpenID Connect",
    col_fingerprint: "Fingerprint (SHA-256)",
    col_registered: "Registered on",
    active: "active",
    disabled: "disabled",
    since: "since",
    disable: "Disable",
    own_account: "your own account",
    runs_the_gateway: "runs the gateway",
    no_oidc: "not set up",
    label_account_id: "Account id",
    hint_account_id: "for example j.jansen@lyceum-noord; an existing id changes that account",
    label_name: "Name",
    label_role: "Role",
    label_oidc_issuer: "OpenID Connect issuer",
    label_oidc_subject: "OpenID Connect subject",
    hint_oidc: "Fill in both to let the person sign in with your organisation's identity provider, or neither.",
    label_org_id: "Organisation id",
    hint_org_id: "letters, digits, - and _; an existing id changes that organisation",
    label_kind: "Kind of organisation",
    label_contact: "Contact",
    label_fingerprint: "Fingerprint (SHA-256)",
    hint_fingerprint: "64 hexadecimal characters; colons are fine",
    hint_change: "An organisation's kind never changes; its name and contact may.",
    label_email: "E-mail address",
    hint_email: "For notices by e-mail; how often is the person's own choice, under Settings.",
    webhook_title: "Webhook to your own system",
    webhook_intro: "Ketenpoort tells this address of every new item in your organisation's inbox, signed by the Standard Webhooks scheme. A notice names the youth only by your organisation's case reference, never by a BSN.",
    webhook_none: "No webhook is set yet.",
    webhook_address: "Address",
    webhook_set_on: "set on",
    label_webhook_url: "The webhook's address",
    hint_webhook_url: "https only, on a public network. Saving makes a new secret; the previous one stops working.",
    webhook_save: "Save webhook",
    webhook_remove: "Remove webhook",
    secret_once: "The secret to check signatures with. It is shown only now: give it to your system.",
    deliveries_title: "Latest notices",
    no_deliveries: "No notices yet.",
    col_when: "When",
    col_what: "What",
    col_attempts: "Attempts",
    col_last_answer: "Last answer",
};

pub fn texts(lang: Lang) -> &'static AdminTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// "1 account", "3 accounts" (the same word in both languages).
fn accounts(n: usize) -> String {
    if n == 1 { "1 account".into() } else { format!("{n} accounts") }
}

fn certificates(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Nl, 1) => "1 certificaat".into(),
        (Lang::Nl, _) => format!("{n} certificaten"),
        (Lang::En, 1) => "1 certificate".into(),
        (Lang::En, _) => format!("{n} certificates"),
    }
}

/// What the confirmation page of disabling something says.
pub struct ConfirmWords {
    pub heading: String,
    pub consequences: Vec<String>,
    pub button: &'static str,
}

/// Disabling an account as the store and the session extractor carry it out: no sign-in, its
/// sessions refused at their next request, the API refuses it as actor, the log keeps its
/// history, and its id and OpenID Connect identity stay bound to it (the store never re-enables).
pub fn confirm_account(lang: Lang, name: &str, role: Role, org: &str, has_oidc: bool) -> ConfirmWords {
    let role = lang.role(role);
    match lang {
        Lang::Nl => ConfirmWords {
            heading: format!("Account {name} uitschakelen?"),
            consequences: vec![
                format!(
                    "{name} ({role}, {org}) kan niet meer inloggen; wie nu met dit account is ingelogd, wordt bij de volgende klik uitgelogd."
                ),
                format!("Koppelingen van {org} kunnen niet meer namens dit account handelen."),
                "Wat dit account heeft gedaan, blijft in het logboek; het uitschakelen wordt er ook in vastgelegd.".into(),
                if has_oidc {
                    "Dit kan niet ongedaan worden gemaakt: het account-id en de OpenID Connect-identiteit van dit account kunnen niet opnieuw worden gebruikt."
                } else {
                    "Dit kan niet ongedaan worden gemaakt: het account-id kan niet opnieuw worden gebruikt."
                }
                .into(),
            ],
            button: "Ja, account uitschakelen",
        },
        Lang::En => ConfirmWords {
            heading: format!("Disable account {name}?"),
            consequences: vec![
                format!(
                    "{name} ({role}, {org}) can no longer sign in; whoever is signed in with this account now is signed out at their next click."
                ),
                format!("{org}'s partner systems can no longer act on behalf of this account."),
                "What this account did stays in the audit log; disabling it is recorded there too.".into(),
                if has_oidc {
                    "This cannot be undone: the account id and this account's OpenID Connect identity cannot be used again."
                } else {
                    "This cannot be undone: the account id cannot be used again."
                }
                .into(),
            ],
            button: "Yes, disable the account",
        },
    }
}

/// Disabling an organisation: its people and partner systems stop, no one can send it signals.
pub fn confirm_org(lang: Lang, name: &str, active_accounts: usize, certs: usize) -> ConfirmWords {
    let (people, certs) = (accounts(active_accounts), certificates(lang, certs));
    match lang {
        Lang::Nl => ConfirmWords {
            heading: format!("Organisatie {name} uitschakelen?"),
            consequences: vec![
                format!(
                    "Niemand van {name} kan nog inloggen ({people} actief); wie nu is ingelogd, wordt bij de volgende klik uitgelogd."
                ),
                format!("De API weigert de koppelingen van {name} ({certs} geregistreerd)."),
                format!("Andere organisaties kunnen {name} geen signalen meer sturen."),
                format!(
                    "Wat {name} heeft gedaan en ontvangen, blijft in het logboek; het uitschakelen wordt er ook in vastgelegd."
                ),
                "Dit kan niet ongedaan worden gemaakt: het organisatie-id kan niet opnieuw worden gebruikt.".into(),
            ],
            button: "Ja, organisatie uitschakelen",
        },
        Lang::En => ConfirmWords {
            heading: format!("Disable organisation {name}?"),
            consequences: vec![
                format!(
                    "No one at {name} can sign in any more ({people} active); whoever is signed in now is signed out at their next click."
                ),
                format!("The API refuses {name}'s partner systems ({certs} registered)."),
                format!("Other organisations can no longer send {name} signals."),
                format!("What {name} did and received stays in the audit log; disabling it is recorded there too."),
                "This cannot be undone: the organisation id cannot be used again.".into(),
            ],
            button: "Yes, disable the organisation",
        },
    }
}

/// Disabling a partner system's certificate: the API refuses it (within a second on other
/// instances), the system's accounts stay, and it is never enabled again.
pub fn confirm_certificate(lang: Lang, fingerprint: &str, org: &str) -> ConfirmWords {
    let short = &fingerprint[..fingerprint.len().min(16)];
    match lang {
        Lang::Nl => ConfirmWords {
            heading: format!("Certificaat {short}… uitschakelen?"),
            consequences: vec![
                format!("De API weigert de koppeling die zich met dit certificaat meldt; zij kan niet meer namens {org} handelen."),
                format!("Andere koppelingen en de accounts van {org} werken gewoon door."),
                "Het uitschakelen wordt vastgelegd in het logboek.".into(),
                "Dit kan niet ongedaan worden gemaakt: voor de koppeling is daarna een nieuwe sleutel met een nieuw certificaat nodig.".into(),
            ],
            button: "Ja, certificaat uitschakelen",
        },
        Lang::En => ConfirmWords {
            heading: format!("Disable certificate {short}…?"),
            consequences: vec![
                format!("The API refuses the partner system that presents this certificate; it can no longer act for {org}."),
                format!("{org}'s other partner systems and accounts go on working."),
                "Disabling it is recorded in the audit log.".into(),
                "This cannot be undone: the partner system then needs a new key with a new certificate.".into(),
            ],
            button: "Yes, disable the certificate",
        },
    }
}

/// What was done, in a sentence.
pub enum Done<'a> {
    AccountDisabled { name: &'a str },
    OrgDisabled { name: &'a str },
    AccountSaved { name: &'a str, role: Role },
    OrgSaved { name: &'a str, kind: OrgKind },
    CertificateRegistered { fingerprint: &'a str, org: &'a str },
    CertificateDisabled { fingerprint: &'a str },
    WebhookSet { url: &'a str },
    WebhookRemoved,
}

pub fn done(lang: Lang, done: &Done<'_>) -> String {
    match (lang, done) {
        (Lang::Nl, Done::AccountDisabled { name }) => format!("Account {name} is uitgeschakeld."),
        (Lang::En, Done::AccountDisabled { name }) => format!("Account {name} is disabled."),
        (Lang::Nl, Done::OrgDisabled { name }) => format!("Organisatie {name} is uitgeschakeld."),
        (Lang::En, Done::OrgDisabled { name }) => format!("Organisation {name} is disabled."),
        (Lang::Nl, Done::AccountSaved { name, role }) => {
            format!("Account {name} ({}) is opgeslagen.", lang.role(*role))
        }
        (Lang::En, Done::AccountSaved { name, role }) => format!("Account {name} ({}) is saved.", lang.role(*role)),
        (Lang::Nl, Done::OrgSaved { name, kind }) => {
            format!("Organisatie {name} ({}) is opgeslagen.", lang.org_kind(*kind))
        }
        (Lang::En, Done::OrgSaved { name, kind }) => {
            format!("Organisation {name} ({}) is saved.", lang.org_kind(*kind))
        }
        (Lang::Nl, Done::CertificateRegistered { fingerprint, org }) => {
            format!("Certificaat {fingerprint} is geregistreerd voor {org}.")
        }
        (Lang::En, Done::CertificateRegistered { fingerprint, org }) => {
            format!("Certificate {fingerprint} is registered for {org}.")
        }
        (Lang::Nl, Done::CertificateDisabled { fingerprint }) => {
            format!("Certificaat {fingerprint} is uitgeschakeld; de API weigert het voortaan.")
        }
        (Lang::En, Done::CertificateDisabled { fingerprint }) => {
            format!("Certificate {fingerprint} is disabled; the API refuses it from now on.")
        }
        (Lang::Nl, Done::WebhookSet { url }) => format!("De webhook is ingesteld op {url}."),
        (Lang::En, Done::WebhookSet { url }) => format!("The webhook is set to {url}."),
        (Lang::Nl, Done::WebhookRemoved) => {
            "De webhook is verwijderd; meldingen die nog wachtten, worden niet meer verstuurd.".into()
        }
        (Lang::En, Done::WebhookRemoved) => "The webhook is removed; notices still waiting are not sent.".into(),
    }
}

/// What the administration page refuses, and why.
#[derive(Debug)]
pub enum AdminRefusal {
    OwnAccount,
    OperatorOrg,
    NotOperator,
    AccountNotFound,
    OrgNotFound,
    AccountAlreadyDisabled {
        name: String,
    },
    OrgAlreadyDisabled {
        name: String,
    },
    AccountOfAnotherOrg,
    AccountIdDisabled {
        id: String,
    },
    OidcIdentityInUse,
    OidcHalf,
    AccountIncomplete,
    UnknownRole,
    RoleNotInKind {
        role: Role,
        kind: OrgKind,
    },
    UnknownKind,
    BadOrgId,
    OrgIncomplete,
    KindNeverChanges {
        id: String,
        kind: OrgKind,
    },
    OrgIdDisabled {
        id: String,
    },
    BadFingerprint,
    CertificateOfAnotherOrg,
    CertificateNotFound,
    CertificateAlreadyDisabled,
    /// Registering again a certificate that was disabled.
    CertificateWasDisabled,
    BadEmail,
    WebhookNotHttps,
    WebhookPrivate,
    WebhookCredentials,
    WebhookNotAUrl,
    NoWebhook,
}

impl AdminRefusal {
    pub fn words(&self, lang: Lang) -> String {
        use AdminRefusal::*;
        match (lang, self) {
            (Lang::Nl, OwnAccount) => {
                "U kunt uw eigen account niet uitschakelen. Vraag zo nodig een andere beheerder van uw organisatie.".into()
            }
            (Lang::En, OwnAccount) => {
                "You cannot disable your own account. If it must be done, ask another administrator of your organisation."
                    .into()
            }
            (Lang::Nl, OperatorOrg) => {
                "De organisatie die de gateway draait, kan niet worden uitgeschakeld: zonder haar kan niemand nog organisaties beheren.".into()
            }
            (Lang::En, OperatorOrg) => {
                "The organisation that runs the gateway cannot be disabled: without it no one could manage organisations."
                    .into()
            }
            (Lang::Nl, NotOperator) => {
                "Alleen de beheerders van de organisatie die de gateway draait, beheren organisaties.".into()
            }
            (Lang::En, NotOperator) => {
                "Only the administrators of the organisation that runs the gateway manage organisations.".into()
            }
            (Lang::Nl, AccountNotFound) => "Uw organisatie heeft geen account met dit id.".into(),
            (Lang::En, AccountNotFound) => "Your organisation has no account with this id.".into(),
            (Lang::Nl, OrgNotFound) => "Er is geen organisatie met dit id.".into(),
            (Lang::En, OrgNotFound) => "There is no organisation with this id.".into(),
            (Lang::Nl, AccountAlreadyDisabled { name }) => format!("Account {name} is al uitgeschakeld."),
            (Lang::En, AccountAlreadyDisabled { name }) => format!("Account {name} is disabled already."),
            (Lang::Nl, OrgAlreadyDisabled { name }) => format!("Organisatie {name} is al uitgeschakeld."),
            (Lang::En, OrgAlreadyDisabled { name }) => format!("Organisation {name} is disabled already."),
            (Lang::Nl, AccountOfAnotherOrg) => {
                "Dit account-id is in gebruik bij een andere organisatie; kies een ander account-id.".into()
            }
            (Lang::En, AccountOfAnotherOrg) => "This account id is in use at another organisation; choose another.".into(),
            (Lang::Nl, AccountIdDisabled { id }) => {
                format!("Account {id} is uitgeschakeld en kan niet opnieuw worden gebruikt; kies een ander account-id.")
            }
            (Lang::En, AccountIdDisabled { id }) => {
                format!("Account {id} is disabled and cannot be used again; choose another account id.")
            }
            (Lang::Nl, OidcIdentityInUse) => {
                "Deze OpenID Connect-identiteit (issuer en subject) hoort al bij een ander account, mogelijk een uitgeschakeld account.".into()
            }
            (Lang::En, OidcIdentityInUse) => {
                "This OpenID Connect identity (issuer and subject) belongs to another account already, possibly a disabled one."
                    .into()
            }
            (Lang::Nl, OidcHalf) => {
                "Vul voor inloggen via OpenID Connect zowel de issuer als de subject in, of geen van beide.".into()
            }
            (Lang::En, OidcHalf) => "For sign-in with OpenID Connect fill in both the issuer and the subject, or neither.".into(),
            (Lang::Nl, AccountIncomplete) => "Vul een account-id en een naam in.".into(),
            (Lang::En, AccountIncomplete) => "Fill in an account id and a name.".into(),
            (Lang::Nl, UnknownRole) => "Kies een rol uit de lijst.".into(),
            (Lang::En, UnknownRole) => "Choose a role from the list.".into(),
            (Lang::Nl, RoleNotInKind { role, kind }) => format!(
                "De rol {} bestaat niet bij een organisatie van de soort {}; kies een rol uit de lijst.",
                lang.role(*role),
                lang.org_kind(*kind)
            ),
            (Lang::En, RoleNotInKind { role, kind }) => format!(
                "The role {} does not exist in an organisation of the kind {}; choose a role from the list.",
                lang.role(*role),
                lang.org_kind(*kind)
            ),
            (Lang::Nl, UnknownKind) => "Kies een soort organisatie uit de lijst.".into(),
            (Lang::En, UnknownKind) => "Choose a kind of organisation from the list.".into(),
            (Lang::Nl, BadOrgId) => {
                "Een organisatie-id bestaat alleen uit letters, cijfers, - en _, zonder spaties.".into()
            }
            (Lang::En, BadOrgId) => "An organisation id has only letters, digits, - and _, no spaces.".into(),
            (Lang::Nl, OrgIncomplete) => "Vul een organisatie-id en een naam in.".into(),
            (Lang::En, OrgIncomplete) => "Fill in an organisation id and a name.".into(),
            (Lang::Nl, KindNeverChanges { id, kind }) => format!(
                "Organisatie {id} is al geregistreerd als {}; de soort van een organisatie verandert nooit.",
                lang.org_kind(*kind)
            ),
            (Lang::En, KindNeverChanges { id, kind }) => format!(
                "Organisation {id} is registered as {} already; an organisation's kind never changes.",
                lang.org_kind(*kind)
            ),
            (Lang::Nl, OrgIdDisabled { id }) => format!(
                "Organisatie {id} is uitgeschakeld en kan niet opnieuw worden gebruikt; kies een ander organisatie-id."
            ),
            (Lang::En, OrgIdDisabled { id }) => {
                format!("Organisation {id} is disabled and cannot be used again; choose another organisation id.")
            }
            (Lang::Nl, BadFingerprint) => {
                "Een vingerafdruk is de SHA-256 van het certificaat: 64 hexadecimale tekens (0–9, a–f); dubbele punten mogen.".into()
            }
            (Lang::En, BadFingerprint) => {
                "A fingerprint is the certificate's SHA-256: 64 hexadecimal characters (0–9, a–f); colons are fine.".into()
            }
            (Lang::Nl, CertificateOfAnotherOrg) => "Dit certificaat is geregistreerd voor een andere organisatie.".into(),
            (Lang::En, CertificateOfAnotherOrg) => "This certificate is registered for another organisation.".into(),
            (Lang::Nl, CertificateNotFound) => "Uw organisatie heeft geen certificaat met deze vingerafdruk.".into(),
            (Lang::En, CertificateNotFound) => "Your organisation has no certificate with this fingerprint.".into(),
            (Lang::Nl, CertificateAlreadyDisabled) => "Dit certificaat is al uitgeschakeld.".into(),
            (Lang::En, CertificateAlreadyDisabled) => "This certificate is disabled already.".into(),
            (Lang::Nl, CertificateWasDisabled) => {
                "Dit certificaat is uitgeschakeld en blijft dat: maak voor de koppeling een nieuwe sleutel en een nieuw certificaat.".into()
            }
            (Lang::En, CertificateWasDisabled) => {
                "This certificate was disabled and stays so: make a new key and a new certificate for the partner system.".into()
            }
            (Lang::Nl, WebhookNotHttps) => {
                "Een webhook-adres begint met https://: meldingen gaan nooit onversleuteld over het netwerk.".into()
            }
            (Lang::En, WebhookNotHttps) => {
                "A webhook address starts with https://: notices never cross the network unencrypted.".into()
            }
            (Lang::Nl, WebhookPrivate) => {
                "Dit adres ligt op een intern of lokaal netwerk; Ketenpoort meldt alleen aan openbare adressen.".into()
            }
            (Lang::En, WebhookPrivate) => {
                "This address is on an internal or local network; Ketenpoort sends notices to public addresses only.".into()
            }
            (Lang::Nl, WebhookCredentials) => {
                "Zet geen gebruikersnaam of wachtwoord in het adres: de handtekening laat uw systeem zien dat de melding van Ketenpoort komt.".into()
            }
            (Lang::En, WebhookCredentials) => {
                "Put no user name or password in the address: the signature shows your system the notice comes from Ketenpoort.".into()
            }
            (Lang::Nl, WebhookNotAUrl) => "Vul een volledig adres in, zoals https://systeem.voorbeeld.nl/ketenpoort.".into(),
            (Lang::En, WebhookNotAUrl) => "Fill in a whole address, such as https://system.example.org/ketenpoort.".into(),
            (Lang::Nl, BadEmail) => "Vul een geldig e-mailadres in, of laat het veld leeg.".into(),
            (Lang::En, BadEmail) => "Fill in a valid e-mail address, or leave the field empty.".into(),
            (Lang::Nl, NoWebhook) => "Uw organisatie heeft geen webhook.".into(),
            (Lang::En, NoWebhook) => "Your organisation has no webhook.".into(),
        }
    }
}

/// What a notice tells of, in words for the delivery log: a signal's or a match notice's word.
pub fn notice_kind(lang: Lang, word: &str) -> String {
    if let Ok(signal) = word.parse::<crate::framework::Signal>() {
        return lang.signal(signal).to_owned();
    }
    match (lang, word) {
        (Lang::Nl, "match") => "matchbericht".into(),
        (Lang::En, "match") => "match notice".into(),
        (Lang::Nl, "historic_match") => "historische match".into(),
        (Lang::En, "historic_match") => "historic match".into(),
        (Lang::Nl, "family_match") => "gezinsmatch".into(),
        (Lang::En, "family_match") => "family match".into(),
        (Lang::Nl, "privacy_review") => "melding om te beoordelen".into(),
        (Lang::En, "privacy_review") => "exchange to review".into(),
        (_, other) => other.to_owned(),
    }
}

/// Where a notice stands, in words.
pub fn notice_state(lang: Lang, state: crate::notices::NoticeState) -> &'static str {
    use crate::notices::NoticeState::*;
    match (lang, state) {
        (Lang::Nl, Pending) => "wacht op een nieuwe poging",
        (Lang::En, Pending) => "waiting for another attempt",
        (Lang::Nl, Delivered) => "bezorgd",
        (Lang::En, Delivered) => "delivered",
        (Lang::Nl, Failed) => "definitief mislukt",
        (Lang::En, Failed) => "failed for good",
        (Lang::Nl, Dropped) => "vervallen",
        (Lang::En, Dropped) => "dropped",
    }
}

/// How many notices failed for good, and what to do.
pub fn failed_notices(lang: Lang, n: usize) -> String {
    match (lang, n) {
        (Lang::Nl, 1) => {
            "1 melding is definitief mislukt: controleer het adres en het systeem dat de meldingen ontvangt.".into()
        }
        (Lang::Nl, _) => format!(
            "{n} meldingen zijn definitief mislukt: controleer het adres en het systeem dat de meldingen ontvangt."
        ),
        (Lang::En, 1) => "1 notice failed for good: check the address and the system that receives the notices.".into(),
        (Lang::En, _) => {
            format!("{n} notices failed for good: check the address and the system that receives the notices.")
        }
    }
}

/// The sign-in page's own texts (the shared ones are in `super::Texts`).
pub struct SignInTexts {
    pub col_org: &'static str,
    pub col_sign_in_as: &'static str,
}

static SIGN_IN_NL: SignInTexts = SignInTexts { col_org: "Organisatie", col_sign_in_as: "Inloggen als" };
static SIGN_IN_EN: SignInTexts = SignInTexts { col_org: "Organisation", col_sign_in_as: "Sign in as" };

pub fn sign_in_texts(lang: Lang) -> &'static SignInTexts {
    match lang {
        Lang::Nl => &SIGN_IN_NL,
        Lang::En => &SIGN_IN_EN,
    }
}

/// Why signing in did not work, in words that say what to do.
#[derive(Debug, Clone, Copy)]
pub enum SignInRefusal {
    NoDemo,
    UnknownAccount,
    AccountDisabled,
    OrgDisabled,
    ProviderRefused,
    Incomplete,
    Expired,
    ProviderAnswerWrong,
}

impl SignInRefusal {
    pub fn words(self, lang: Lang) -> &'static str {
        use SignInRefusal::*;
        match (lang, self) {
            (Lang::Nl, NoDemo) => "Deze Ketenpoort heeft geen demo-inlog. Log in via uw organisatie.",
            (Lang::En, NoDemo) => "This Ketenpoort has no demo sign-in. Sign in with your organisation.",
            (Lang::Nl, UnknownAccount) => "Dit account is niet geregistreerd in Ketenpoort. Vraag uw beheerder.",
            (Lang::En, UnknownAccount) => "This account is not registered in Ketenpoort. Ask your administrator.",
            (Lang::Nl, AccountDisabled) => {
                "Uw account is uitgeschakeld in Ketenpoort. Vraag uw beheerder als u weer toegang nodig hebt."
            }
            (Lang::En, AccountDisabled) => {
                "Your account has been disabled in Ketenpoort. Ask your administrator if you need access again."
            }
            (Lang::Nl, OrgDisabled) => {
                "Uw organisatie is uitgeschakeld in Ketenpoort: niemand van uw organisatie kan inloggen. Vraag uw beheerder."
            }
            (Lang::En, OrgDisabled) => {
                "Your organisation has been disabled in Ketenpoort: no one of your organisation can sign in. Ask your administrator."
            }
            (Lang::Nl, ProviderRefused) => "De identiteitsprovider heeft het inloggen geweigerd. Probeer het opnieuw.",
            (Lang::En, ProviderRefused) => "The identity provider refused the sign-in. Try again.",
            (Lang::Nl, Incomplete) => "Het antwoord van de identiteitsprovider was onvolledig. Log opnieuw in.",
            (Lang::En, Incomplete) => "The identity provider's answer was incomplete. Sign in again.",
            (Lang::Nl, Expired) => "Deze inlogpoging is verlopen of al gebruikt. Log opnieuw in.",
            (Lang::En, Expired) => "This sign-in has expired or was used already. Sign in again.",
            (Lang::Nl, ProviderAnswerWrong) => {
                "Inloggen is niet gelukt: het antwoord van de identiteitsprovider klopte niet. Probeer het opnieuw of vraag uw beheerder."
            }
            (Lang::En, ProviderAnswerWrong) => {
                "Signing in failed: the identity provider's answer did not check out. Try again or ask your administrator."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmation_names_the_person_their_role_in_words_and_what_cannot_be_undone() {
        let words = confirm_account(Lang::Nl, "J. Jansen", Role::CareCoordinator, "Lyceum Noord", true);
        assert_eq!(words.heading, "Account J. Jansen uitschakelen?");
        assert!(words.consequences[0].starts_with("J. Jansen (zorgcoördinator, Lyceum Noord) kan niet meer inloggen"));
        assert!(words.consequences.iter().any(|c| c.contains("OpenID Connect-identiteit")));
        let english = confirm_org(Lang::En, "OBS De Linde", 1, 2);
        assert!(english.consequences[0].contains("(1 account active)"), "{:?}", english.consequences);
        assert!(english.consequences[1].contains("2 certificates"));
    }

    #[test]
    fn refusals_speak_the_vocabulary_in_both_languages() {
        let refusal = AdminRefusal::RoleNotInKind { role: Role::Gp, kind: OrgKind::School };
        assert!(
            refusal.words(Lang::Nl).contains("De rol huisarts bestaat niet bij een organisatie van de soort school")
        );
        assert!(refusal.words(Lang::En).contains("The role GP does not exist"));
        let kind = AdminRefusal::KindNeverChanges { id: "vo-zuid".into(), kind: OrgKind::GpPractice };
        assert!(kind.words(Lang::Nl).contains("al geregistreerd als huisartspraktijk"));
        assert_eq!(done(Lang::Nl, &Done::AccountDisabled { name: "J. Jansen" }), "Account J. Jansen is uitgeschakeld.");
    }
}
