//! The audit pages' own words, in Dutch and English (the shared vocabulary is in `super`): the
//! fixed texts of /audit, an entry and the disclosure report; every audit event, every field of
//! an entry, the ways an actor signs in, and a search's errors, in words.

use super::Lang;
use crate::audit::{AuditEvent, SearchError};

/// Every fixed text of the auditors' pages.
pub struct AuditTexts {
    pub title: &'static str,
    pub scope_all: &'static str,
    pub scope_org: &'static str,
    pub every_look_logged: &'static str,
    pub verify_now: &'static str,
    pub search: &'static str,
    pub youth: &'static str,
    pub birth_date: &'static str,
    pub organisation: &'static str,
    pub account: &'static str,
    pub event: &'static str,
    pub signal: &'static str,
    pub decision: &'static str,
    pub reason: &'static str,
    pub basis: &'static str,
    pub policy_version: &'static str,
    pub from: &'static str,
    pub until: &'static str,
    pub dates_hint: &'static str,
    pub order: &'static str,
    pub newest_first: &'static str,
    pub oldest_first: &'static str,
    pub any: &'static str,
    pub export_csv: &'static str,
    pub export_jsonl: &'static str,
    pub found: &'static str,
    pub nothing_found: &'static str,
    pub next_page: &'static str,
    pub results_caption: &'static str,
    pub col_seq: &'static str,
    pub col_when: &'static str,
    pub col_event: &'static str,
    pub col_by: &'static str,
    pub col_what: &'static str,
    pub col_to: &'static str,
    pub col_decision: &'static str,
    pub col_why: &'static str,
    pub report_heading: &'static str,
    pub report_full: &'static str,
    pub make_report: &'static str,
    pub entry: &'static str,
    pub entry_caption: &'static str,
    pub field: &'static str,
    pub value: &'static str,
    pub signed_checkpoint: &'static str,
    pub checkpoint_entry: &'static str,
    pub checkpoint_signed_at: &'static str,
    pub checkpoint_hash: &'static str,
    pub checkpoint_key: &'static str,
    pub no_checkpoint_yet: &'static str,
    pub back_to_log: &'static str,
    pub report_title: &'static str,
    pub report_intro: &'static str,
    pub report_about: &'static str,
    pub report_bsn: &'static str,
    pub report_born: &'static str,
    pub report_made_on: &'static str,
    pub report_by_role: &'static str,
    pub report_full_detail: &'static str,
    pub report_caption: &'static str,
    pub report_nothing: &'static str,
    /// A youth Ketenpoort does not know: never registered, or destroyed (§8).
    pub report_unknown: &'static str,
    pub col_date: &'static str,
    pub col_happened: &'static str,
    pub intact: &'static str,
    pub not_intact: &'static str,
    pub entries: &'static str,
    pub entry_one: &'static str,
    pub checkpoints: &'static str,
    pub checkpoint_one: &'static str,
    pub last_checkpoint: &'static str,
    pub no_checkpoint: &'static str,
    pub birth_date_mismatch: &'static str,
    pub youth_incomplete: &'static str,
    pub invalid_bsn: &'static str,
    pub not_a_date: &'static str,
    pub not_your_part: &'static str,
    pub only_auditors: &'static str,
    pub stored_as: &'static str,
    pub full_detail_short: &'static str,
}

pub static NL: AuditTexts = AuditTexts {
    title: "Logboek",
    scope_all: "U ziet het hele logboek (u bent auditor van de beheerder van de gateway).",
    scope_org: "U ziet wat uw organisatie deed en ontving.",
    every_look_logged: "Elke zoekvraag, elke bekeken regel, elk inzageoverzicht en elke export wordt zelf vastgelegd.",
    verify_now: "Nu controleren",
    search: "Zoeken",
    youth: "Jeugdige",
    birth_date: "Geboortedatum",
    organisation: "Organisatie",
    account: "Account",
    event: "Gebeurtenis",
    signal: "Signaal",
    decision: "Besluit",
    reason: "Reden",
    basis: "Grondslag",
    policy_version: "Versie van het handelingskader",
    from: "Vanaf",
    until: "Tot en met",
    dates_hint: "Een datum telt als hele dag, in UTC (de tijd van het logboek).",
    order: "Volgorde",
    newest_first: "nieuwste eerst",
    oldest_first: "oudste eerst",
    any: "alle",
    export_csv: "Exporteren (CSV)",
    export_jsonl: "Exporteren (JSON-regels)",
    found: "Gevonden",
    nothing_found: "Niets gevonden.",
    next_page: "Volgende pagina",
    results_caption: "Gevonden logregels",
    col_seq: "regel",
    col_when: "tijd",
    col_event: "gebeurtenis",
    col_by: "door",
    col_what: "wat",
    col_to: "aan",
    col_decision: "besluit",
    col_why: "grondslag of reden",
    report_heading: "Inzageoverzicht voor een jeugdige (AVG art. 15)",
    report_full: "Met accounts van professionals (volledig detail)",
    make_report: "Overzicht maken",
    entry: "Logregel",
    entry_caption: "De velden van deze logregel",
    field: "veld",
    value: "waarde",
    signed_checkpoint: "Ondertekend controlepunt",
    checkpoint_entry: "Controlepunt bij regel",
    checkpoint_signed_at: "ondertekend op",
    checkpoint_hash: "hash",
    checkpoint_key: "sleutel",
    no_checkpoint_yet: "Nog geen controlepunt na deze regel: het volgende dekt haar.",
    back_to_log: "Terug naar het logboek",
    report_title: "Inzageoverzicht",
    report_intro: "Alles wat via Ketenpoort over deze jeugdige is uitgewisseld of geweigerd, binnen het deel van het logboek dat u mag zien.",
    report_about: "Over",
    report_bsn: "BSN",
    report_born: "geboren",
    report_made_on: "Opgesteld op",
    report_by_role: "Professionals staan vermeld met organisatie en rol.",
    report_full_detail: "Professionals staan vermeld met organisatie, rol en account (volledig detail).",
    report_caption: "Uitwisselingen en weigeringen, oudste eerst",
    report_nothing: "Er is niets over deze jeugdige uitgewisseld of geweigerd.",
    report_unknown: "Ketenpoort kent geen jeugdige met dit BSN. Óf deze jeugdige is nooit aangemeld, óf de \
        gegevens zijn vernietigd zoals de wet voorschrijft: een melding blijft hooguit vijf jaar na afloop in \
        het archief, en nooit na de 23e verjaardag of het overlijden. Het logboek bewaart zijn regels, maar \
        weet niet meer dat ze over deze jeugdige gingen. Daarom is er niets te tonen.",
    col_date: "wanneer",
    col_happened: "wat er gebeurde",
    intact: "Logboek intact",
    not_intact: "Logboek NIET intact.",
    entries: "regels",
    entry_one: "regel",
    checkpoints: "controlepunten",
    checkpoint_one: "controlepunt",
    last_checkpoint: "laatste ondertekende controlepunt: regel",
    no_checkpoint: "nog geen ondertekend controlepunt",
    birth_date_mismatch: "Deze jeugdige is bekend met een andere geboortedatum: controleer BSN en geboortedatum.",
    youth_incomplete: "Zoek een jeugdige op BSN én geboortedatum.",
    invalid_bsn: "Dit is geen geldig BSN: een BSN heeft negen cijfers en voldoet aan de elfproef.",
    not_a_date: "is geen datum: vul een datum in als jjjj-mm-dd.",
    not_your_part: "staat niet in het deel van het logboek dat u mag zien.",
    only_auditors: "Alleen een auditor mag het logboek inzien.",
    stored_as: "zoals vastgelegd",
    full_detail_short: "volledig detail",
};

pub static EN: AuditTexts = AuditTexts {
    title: "Audit log",
    scope_all: "You see the whole log (you audit for the gateway's operator).",
    scope_org: "You see what your organisation did and received.",
    every_look_logged: "Every search, every entry viewed, every disclosure report and every export is recorded itself.",
    verify_now: "Verify now",
    search: "Search",
    youth: "Youth",
    birth_date: "Birth date",
    organisation: "Organisation",
    account: "Account",
    event: "Event",
    signal: "Signal",
    decision: "Decision",
    reason: "Reason",
    basis: "Legal basis",
    policy_version: "Policy version",
    from: "From",
    until: "Through",
    dates_hint: "A date counts as a whole day, in UTC (the log's time).",
    order: "Order",
    newest_first: "newest first",
    oldest_first: "oldest first",
    any: "any",
    export_csv: "Export (CSV)",
    export_jsonl: "Export (JSON lines)",
    found: "Found",
    nothing_found: "Nothing found.",
    next_page: "Next page",
    results_caption: "Audit entries found",
    col_seq: "entry",
    col_when: "time",
    col_event: "event",
    col_by: "by",
    col_what: "what",
    col_to: "to",
    col_decision: "decision",
    col_why: "basis or reason",
    report_heading: "Disclosure report for a youth (GDPR art. 15)",
    report_full: "With professionals' accounts (full detail)",
    make_report: "Make the report",
    entry: "Audit entry",
    entry_caption: "The fields of this audit entry",
    field: "field",
    value: "value",
    signed_checkpoint: "Signed checkpoint",
    checkpoint_entry: "Checkpoint at entry",
    checkpoint_signed_at: "signed on",
    checkpoint_hash: "hash",
    checkpoint_key: "key",
    no_checkpoint_yet: "No checkpoint after this entry yet: the next one covers it.",
    back_to_log: "Back to the log",
    report_title: "Disclosure report",
    report_intro: "Everything exchanged or refused about this youth through Ketenpoort, within the part of the log you may see.",
    report_about: "About",
    report_bsn: "BSN",
    report_born: "born",
    report_made_on: "Made on",
    report_by_role: "Professionals appear as organisation and role.",
    report_full_detail: "Professionals appear as organisation, role and account (full detail).",
    report_caption: "Exchanges and refusals, oldest first",
    report_nothing: "Nothing was exchanged or refused about this youth.",
    report_unknown: "Ketenpoort knows no youth with this BSN. Either they were never registered, or their data \
        were destroyed as the law requires: a registration stays in the archive at most five years after it \
        ended, and never past the 23rd birthday or death. The audit log keeps its entries, but no longer \
        knows they were about this youth. So there is nothing to show.",
    col_date: "when",
    col_happened: "what happened",
    intact: "Audit log intact",
    not_intact: "Audit log NOT intact.",
    entries: "entries",
    entry_one: "entry",
    checkpoints: "checkpoints",
    checkpoint_one: "checkpoint",
    last_checkpoint: "last signed checkpoint: entry",
    no_checkpoint: "no signed checkpoint yet",
    birth_date_mismatch: "This youth is known with another birth date: check the BSN and the birth date.",
    youth_incomplete: "Search for a youth by BSN and birth date together.",
    invalid_bsn: "This is not a valid BSN: a BSN has nine digits and passes the eleven test.",
    not_a_date: "is not a date: enter a date as yyyy-mm-dd.",
    not_your_part: "is not in the part of the log you may see.",
    only_auditors: "Only an auditor may read the audit log.",
    stored_as: "as stored",
    full_detail_short: "full detail",
};

/// The audit pages' texts in `lang`.
pub fn texts(lang: Lang) -> &'static AuditTexts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// What an audit entry records, in words.
pub fn event(lang: Lang, event: AuditEvent) -> &'static str {
    use AuditEvent::*;
    match (lang, event) {
        (Lang::Nl, Decision) => "besluit over een uitwisseling",
        (Lang::Nl, DryRun) => "vooraf gevraagd besluit",
        (Lang::Nl, InvolvementRecorded) => "betrokkenheid vastgelegd",
        (Lang::Nl, InvolvementWithdrawn) => "betrokkenheid beëindigd",
        (Lang::Nl, MeasureRecorded) => "maatregel vastgelegd",
        (Lang::Nl, MeasureEnded) => "maatregel beëindigd",
        (Lang::Nl, ConsentRecorded) => "toestemming vastgelegd",
        (Lang::Nl, ConsentRevoked) => "toestemming ingetrokken",
        (Lang::Nl, ReportRecorded) => "melding vastgelegd",
        (Lang::Nl, MatchNotice) => "matchbericht bezorgd",
        (Lang::Nl, CaseViewed) => "dossier bekeken",
        (Lang::Nl, CaseLeadChanged) => "regievoerder gewijzigd",
        (Lang::Nl, AccessDenied) => "toegang geweigerd",
        (Lang::Nl, OrgRegistered) => "organisatie geregistreerd",
        (Lang::Nl, CertificateRegistered) => "certificaat geregistreerd",
        (Lang::Nl, CertificateDisabled) => "certificaat uitgeschakeld",
        (Lang::Nl, AccountRegistered) => "account geregistreerd",
        (Lang::Nl, OrgDisabled) => "organisatie uitgeschakeld",
        (Lang::Nl, PolicyDrafted) => "concept van het handelingskader",
        (Lang::Nl, PolicyApproved) => "handelingskader goedgekeurd",
        (Lang::Nl, PolicyActivated) => "handelingskader in werking",
        (Lang::Nl, PrivacyReviewed) => "beoordeeld door de privacy officer",
        (Lang::Nl, AccountDisabled) => "account uitgeschakeld",
        (Lang::Nl, PolicyReplayed) => "eerdere besluiten opnieuw afgespeeld",
        (Lang::Nl, AuditSearched) => "logboek doorzocht",
        (Lang::Nl, AuditEntryViewed) => "logregel bekeken",
        (Lang::Nl, DisclosureReported) => "inzageoverzicht gemaakt",
        (Lang::Nl, AuditExported) => "logboek geëxporteerd",
        (Lang::Nl, AuditVerified) => "logboek gecontroleerd",
        (Lang::Nl, ParentsNamed) => "ouders vastgelegd",
        (Lang::Nl, DeathRecorded) => "overlijden vastgelegd",
        (Lang::Nl, HistoricMatch) => "historische match bezorgd",
        (Lang::Nl, FamilyMatch) => "gezinsmatch bezorgd",
        (Lang::Nl, InvolvementDestroyed) => "betrokkenheid vernietigd",
        (Lang::Nl, YouthDestroyed) => "gegevens van de jongere vernietigd",
        (Lang::Nl, WebhookSet) => "webhook ingesteld",
        (Lang::Nl, WebhookRemoved) => "webhook verwijderd",
        (Lang::En, WebhookSet) => "webhook set",
        (Lang::En, WebhookRemoved) => "webhook removed",
        (Lang::En, ParentsNamed) => "parents recorded",
        (Lang::En, DeathRecorded) => "death recorded",
        (Lang::En, HistoricMatch) => "historic match delivered",
        (Lang::En, FamilyMatch) => "family match delivered",
        (Lang::En, InvolvementDestroyed) => "involvement destroyed",
        (Lang::En, YouthDestroyed) => "the youth's data destroyed",
        (Lang::En, Decision) => "decision on an exchange",
        (Lang::En, DryRun) => "decision asked in advance",
        (Lang::En, InvolvementRecorded) => "involvement recorded",
        (Lang::En, InvolvementWithdrawn) => "involvement withdrawn",
        (Lang::En, MeasureRecorded) => "measure recorded",
        (Lang::En, MeasureEnded) => "measure ended",
        (Lang::En, ConsentRecorded) => "consent recorded",
        (Lang::En, ConsentRevoked) => "consent revoked",
        (Lang::En, ReportRecorded) => "report recorded",
        (Lang::En, MatchNotice) => "match notice delivered",
        (Lang::En, CaseViewed) => "case viewed",
        (Lang::En, CaseLeadChanged) => "case lead changed",
        (Lang::En, AccessDenied) => "access refused",
        (Lang::En, OrgRegistered) => "organisation registered",
        (Lang::En, CertificateRegistered) => "certificate registered",
        (Lang::En, CertificateDisabled) => "certificate disabled",
        (Lang::En, AccountRegistered) => "account registered",
        (Lang::En, OrgDisabled) => "organisation disabled",
        (Lang::En, PolicyDrafted) => "policy drafted",
        (Lang::En, PolicyApproved) => "policy approved",
        (Lang::En, PolicyActivated) => "policy activated",
        (Lang::En, PrivacyReviewed) => "reviewed by the privacy officer",
        (Lang::En, AccountDisabled) => "account disabled",
        (Lang::En, PolicyReplayed) => "past decisions replayed",
        (Lang::En, AuditSearched) => "audit log searched",
        (Lang::En, AuditEntryViewed) => "audit entry viewed",
        (Lang::En, DisclosureReported) => "disclosure report made",
        (Lang::En, AuditExported) => "audit log exported",
        (Lang::En, AuditVerified) => "audit log verified",
    }
}

/// The fields the entry page shows, in the order of the canonical encoding, with the exact
/// timestamps and the hashes last (the page's own test holds it to this list).
#[cfg(test)]
pub const FIELDS: &[&str] = &[
    "at",
    "recorded_at",
    "request_id",
    "event",
    "actor_account",
    "actor_org",
    "actor_org_kind",
    "actor_role",
    "authenticated_by",
    "action",
    "signal",
    "purpose",
    "youth_key_id",
    "youth_pseudonym",
    "recipient_org",
    "decision",
    "basis",
    "reason",
    "matched_rules",
    "policy_version",
    "obligations",
    "justification",
    "consents",
    "subject",
    "at_exact",
    "recorded_at_exact",
    "hash",
    "prev_hash",
];

/// A field of an audit entry (a column of the export) in words.
pub fn field(lang: Lang, name: &str) -> &'static str {
    match (lang, name) {
        (Lang::Nl, "at") => "tijdstip van de gebeurtenis",
        (Lang::Nl, "recorded_at") => "vastgelegd op",
        (Lang::Nl, "request_id") => "kenmerk van het verzoek",
        (Lang::Nl, "event") => "gebeurtenis",
        (Lang::Nl, "actor_account") => "account van de actor",
        (Lang::Nl, "actor_org") => "organisatie van de actor",
        (Lang::Nl, "actor_org_kind") => "soort organisatie van de actor",
        (Lang::Nl, "actor_role") => "rol van de actor",
        (Lang::Nl, "authenticated_by") => "aangemeld met",
        (Lang::Nl, "action") => "handeling",
        (Lang::Nl, "signal") => "signaal",
        (Lang::Nl, "purpose") => "doel",
        (Lang::Nl, "youth_key_id") => "sleutel van het pseudoniem",
        (Lang::Nl, "youth_pseudonym") => "pseudoniem van de jeugdige",
        (Lang::Nl, "recipient_org") => "ontvangende organisatie",
        (Lang::Nl, "decision") => "besluit",
        (Lang::Nl, "basis") => "grondslag",
        (Lang::Nl, "reason") => "reden van weigering",
        (Lang::Nl, "matched_rules") => "toegepaste regels",
        (Lang::Nl, "policy_version") => "versie van het handelingskader",
        (Lang::Nl, "obligations") => "verplichtingen",
        (Lang::Nl, "justification") => "onderbouwing",
        (Lang::Nl, "consents") => "gebruikte toestemmingen",
        (Lang::Nl, "subject") => "onderwerp",
        (Lang::Nl, "at_exact") => "tijdstip van de gebeurtenis, exact (UTC, zoals in de export)",
        (Lang::Nl, "recorded_at_exact") => "vastgelegd op, exact (UTC, zoals in de export)",
        (Lang::Nl, "hash") => "hash van deze regel",
        (Lang::Nl, "prev_hash") => "hash van de vorige regel",
        (Lang::En, "at") => "time of the event",
        (Lang::En, "recorded_at") => "recorded on",
        (Lang::En, "request_id") => "request reference",
        (Lang::En, "event") => "event",
        (Lang::En, "actor_account") => "actor's account",
        (Lang::En, "actor_org") => "actor's organisation",
        (Lang::En, "actor_org_kind") => "actor's kind of organisation",
        (Lang::En, "actor_role") => "actor's role",
        (Lang::En, "authenticated_by") => "signed in with",
        (Lang::En, "action") => "action",
        (Lang::En, "signal") => "signal",
        (Lang::En, "purpose") => "purpose",
        (Lang::En, "youth_key_id") => "pseudonym key",
        (Lang::En, "youth_pseudonym") => "youth's pseudonym",
        (Lang::En, "recipient_org") => "receiving organisation",
        (Lang::En, "decision") => "decision",
        (Lang::En, "basis") => "legal basis",
        (Lang::En, "reason") => "reason for refusal",
        (Lang::En, "matched_rules") => "rules applied",
        (Lang::En, "policy_version") => "policy version",
        (Lang::En, "obligations") => "obligations",
        (Lang::En, "justification") => "justification",
        (Lang::En, "consents") => "consents relied on",
        (Lang::En, "subject") => "subject",
        (Lang::En, "at_exact") => "time of the event, exact (UTC, as in the export)",
        (Lang::En, "recorded_at_exact") => "recorded on, exact (UTC, as in the export)",
        (Lang::En, "hash") => "hash of this entry",
        (Lang::En, "prev_hash") => "hash of the previous entry",
        (Lang::Nl, _) => "veld",
        (Lang::En, _) => "field",
    }
}

/// How an actor signed in, from its stored form (`certificate:<sha256>`, `oidc:<issuer>`,
/// `cli`, `scenario:<file>`, `demo`): the words, and the detail to show beside them.
pub fn authenticated_by(lang: Lang, stored: &str) -> (&'static str, Option<String>) {
    let (how, detail) = match stored.split_once(':') {
        Some((how, detail)) => (how, Some(detail.to_owned())),
        None => (stored, None),
    };
    let words = match (lang, how) {
        (Lang::Nl, "certificate") => "clientcertificaat van het systeem, vingerafdruk",
        (Lang::Nl, "oidc") => "inloggen bij de identiteitsprovider",
        (Lang::Nl, "cli") => "opdrachtregel op de server (beheerder)",
        (Lang::Nl, "scenario") => "scenariobestand",
        (Lang::Nl, "demo") => "demo-inlog",
        (Lang::En, "certificate") => "the system's client certificate, fingerprint",
        (Lang::En, "oidc") => "signing in at the identity provider",
        (Lang::En, "cli") => "the command line on the server (operator)",
        (Lang::En, "scenario") => "a scenario file",
        (Lang::En, "demo") => "the demo sign-in",
        (Lang::Nl, _) => "onbekende manier",
        (Lang::En, _) => "an unknown way",
    };
    match (how, detail) {
        ("certificate" | "oidc" | "scenario" | "cli" | "demo", detail) => (words, detail),
        // Not a form we know: the stored text as it stands.
        _ => (words, Some(stored.to_owned())),
    }
}

/// Why access was refused before any decision (the code an `access_denied` entry keeps).
pub fn access_denied(lang: Lang, code: &str) -> Option<&'static str> {
    Some(match (lang, code) {
        (Lang::Nl, "certificate_required") => "geen clientcertificaat",
        (Lang::Nl, "unknown_certificate") => "certificaat van geen enkele organisatie",
        (Lang::Nl, "actor_required") => "geen professional genoemd",
        (Lang::Nl, "unknown_actor") => "onbekend account bij deze organisatie",
        (Lang::Nl, "unknown_account") => "ingelogd zonder account bij Ketenpoort",
        (Lang::Nl, "account_disabled") => "ingelogd met een uitgeschakeld account",
        (Lang::Nl, "org_disabled") => "ingelogd bij een uitgeschakelde organisatie",
        (Lang::En, "certificate_required") => "no client certificate",
        (Lang::En, "unknown_certificate") => "a certificate of no organisation",
        (Lang::En, "actor_required") => "no professional named",
        (Lang::En, "unknown_actor") => "an account unknown at this organisation",
        (Lang::En, "unknown_account") => "signed in without a Ketenpoort account",
        (Lang::En, "account_disabled") => "signed in with a disabled account",
        (Lang::En, "org_disabled") => "signed in at a disabled organisation",
        _ => return None,
    })
}

/// A list of the closed vocabulary by name (`VocabularyError::what`), in words.
pub fn vocabulary_list(lang: Lang, what: &str) -> &'static str {
    match (lang, what) {
        (Lang::Nl, "signal") => "signaal",
        (Lang::Nl, "purpose") => "doel",
        (Lang::Nl, "basis" | "legal basis") => "grondslag",
        (Lang::Nl, "reason" | "deny reason") => "reden",
        (Lang::Nl, "decision" | "outcome") => "besluit",
        (Lang::Nl, "action") => "handeling",
        (Lang::Nl, "audit event") => "gebeurtenis",
        (Lang::Nl, "role") => "rol",
        (Lang::Nl, "org kind") => "soort organisatie",
        (Lang::Nl, _) => "woord",
        (Lang::En, "signal") => "signal",
        (Lang::En, "purpose") => "purpose",
        (Lang::En, "basis" | "legal basis") => "legal basis",
        (Lang::En, "reason" | "deny reason") => "reason",
        (Lang::En, "decision" | "outcome") => "decision",
        (Lang::En, "action") => "action",
        (Lang::En, "audit event") => "event",
        (Lang::En, "role") => "role",
        (Lang::En, "org kind") => "kind of organisation",
        (Lang::En, _) => "word",
    }
}

/// A search that does not parse, in words: never the BSN or the birth date typed.
pub fn search_error(lang: Lang, error: &SearchError) -> String {
    let t = texts(lang);
    match error {
        SearchError::YouthIncomplete => t.youth_incomplete.to_owned(),
        SearchError::Bsn(_) => t.invalid_bsn.to_owned(),
        SearchError::Time(text) if text == "birth_date" => format!("{} {}", t.birth_date, t.not_a_date),
        SearchError::Time(text) => format!("“{text}” {}", t.not_a_date),
        SearchError::Word(word) => match lang {
            Lang::Nl => {
                format!("Onbekend {}: “{}”. Kies er een uit de lijst.", vocabulary_list(lang, word.what), word.value)
            }
            Lang::En => {
                format!("Unknown {}: “{}”. Choose one from the list.", vocabulary_list(lang, word.what), word.value)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_event_has_words_in_both_languages() {
        for lang in [Lang::Nl, Lang::En] {
            let mut seen = std::collections::HashSet::new();
            for kind in AuditEvent::ALL {
                let words = event(lang, *kind);
                assert!(!words.is_empty() && !words.contains('_'), "{lang:?}: {kind:?} reads as code: {words}");
                assert!(seen.insert(words), "{lang:?}: two events read as {words:?}");
            }
        }
        assert_ne!(event(Lang::Nl, AuditEvent::Decision), event(Lang::En, AuditEvent::Decision));
    }

    #[test]
    fn every_field_of_an_entry_has_words_in_both_languages() {
        for lang in [Lang::Nl, Lang::En] {
            for name in FIELDS {
                let words = field(lang, name);
                assert!(!words.contains('_') && words != field(lang, "no such field"), "{lang:?}: {name}");
            }
        }
        assert_eq!(field(Lang::Nl, "actor_org_kind"), "soort organisatie van de actor");
    }

    #[test]
    fn sign_in_methods_read_as_words_and_keep_their_detail() {
        assert_eq!(
            authenticated_by(Lang::Nl, "oidc:https://idp.example"),
            ("inloggen bij de identiteitsprovider", Some("https://idp.example".to_owned()))
        );
        assert_eq!(authenticated_by(Lang::En, "cli").1, None);
        assert_eq!(authenticated_by(Lang::Nl, "carrier-pigeon").1.as_deref(), Some("carrier-pigeon"));
        for code in [
            "certificate_required",
            "unknown_certificate",
            "actor_required",
            "unknown_actor",
            "unknown_account",
            "account_disabled",
            "org_disabled",
        ] {
            assert!(access_denied(Lang::Nl, code).is_some() && access_denied(Lang::En, code).is_some(), "{code}");
        }
    }

    #[test]
    fn search_errors_name_the_list_in_the_page_language_and_never_echo_a_bsn() {
        let unknown: SearchError = "gossip".parse::<crate::framework::Signal>().unwrap_err().into();
        assert_eq!(search_error(Lang::Nl, &unknown), "Onbekend signaal: “gossip”. Kies er een uit de lijst.");
        let bsn = SearchError::Bsn("123456789 fails the eleven test".into());
        assert!(!search_error(Lang::Nl, &bsn).contains("123456789"));
        assert!(search_error(Lang::En, &SearchError::YouthIncomplete).starts_with("Search for a youth"));
    }
}
