//! The policy pages' own words, in Dutch and English (the shared vocabulary is in `super`):
//! a rule of the table as a sentence, a draft's difference from the active rules, what the
//! four-eyes steps and the table check refuse, a scenario file's errors and a scenario run's
//! failures — all in the reader's language, never a code or a programmer's English.

use super::Lang;
use crate::exchange::PolicyVersionError;
use crate::framework::vocabulary::{
    Action, Basis, DenyReason, Obligation, OrgKind, Outcome, Purpose, REFERENCE_INDEX, Role, Signal, VocabularyError,
};
use crate::policy::{LineProblem, LoadError, Rule, TableError};
use crate::scenarios::FileError;
use crate::store::{PolicyStatus, StoreError};

/// The fixed texts of /policy and /review.
pub struct Texts {
    pub title: &'static str,
    pub intro: &'static str,
    pub active_title: &'static str,
    pub rule_heads: [&'static str; 3],
    pub edit: &'static str,
    pub remove: &'static str,
    pub versions_title: &'static str,
    pub version_heads: [&'static str; 7],
    pub approve: &'static str,
    pub activate: &'static str,
    pub roll_back: &'static str,
    pub tools: &'static str,
    pub test: &'static str,
    pub files_label: &'static str,
    pub replay: &'static str,
    pub since_label: &'static str,
    pub changes_title: &'static str,
    pub no_changes: &'static str,
    pub report_title: &'static str,
    pub failing: &'static str,
    pub replay_title: &'static str,
    pub replay_heads: [&'static str; 5],
    pub editor_title: &'static str,
    pub editor_help: &'static str,
    pub id_label: &'static str,
    pub id_hint: &'static str,
    pub note_label: &'static str,
    pub save_draft: &'static str,
    pub new_rule: &'static str,
    pub modes: [&'static str; 3],
    pub detail: &'static str,
    pub review_title: &'static str,
    pub review_empty: &'static str,
    pub review_note: &'static str,
    pub reviewed: &'static str,
    pub review_heads: [&'static str; 4],
}

pub static NL: Texts = Texts {
    title: "Handelingskader",
    intro: "Hier staat wie welk signaal aan wie mag versturen, waarvoor en op welke grond. Wijzigen of verwijderen maakt een concept; een andere privacy officer keurt het goed, daarna kan het actief worden.",
    active_title: "Actieve regels, versie",
    rule_heads: ["regel", "wat de regel toestaat", "aanpassen"],
    edit: "Wijzigen",
    remove: "Verwijderen (concept)",
    versions_title: "Versies",
    version_heads: ["versie", "status", "toelichting", "auteur", "goedgekeurd door", "gemaakt", "stap"],
    approve: "Goedkeuren",
    activate: "Activeren",
    roll_back: "Terug naar deze versie",
    tools: "Testen met scenario's en terugspelen",
    test: "Testen met de scenario's",
    files_label: "Eigen scenariobestanden (leeg: de ingebouwde)",
    replay: "Terugspelen sinds",
    since_label: "Terugspelen sinds datum (leeg: alles)",
    changes_title: "Verschil met de actieve versie",
    no_changes: "De regels zijn gelijk aan die van de actieve versie.",
    report_title: "Uitkomst van de scenario's",
    failing: "Mislukte scenario's:",
    replay_title: "Terugspelen",
    replay_heads: ["verandering", "regels", "soort organisatie", "aantal", "voorbeelden (pseudoniem)"],
    editor_title: "Regel toevoegen of wijzigen",
    editor_help: "Kies per kolom de woorden van het handelingskader. Opslaan maakt een concept van de actieve regels met deze regel erin; een andere privacy officer keurt het goed.",
    id_label: "Regel-id",
    id_hint: "een bestaand id wijzigt die regel, een nieuw id (bijvoorbeeld R10) voegt een regel toe",
    note_label: "Toelichting",
    save_draft: "Concept opslaan…",
    new_rule: "Nieuwe regel",
    modes: ["alle", "alleen de aangevinkte", "alle behalve de aangevinkte"],
    detail: "Technische melding (Engels):",
    review_title: "Te beoordelen meldingen",
    review_empty: "Niets te beoordelen.",
    review_note: "Notitie",
    reviewed: "Beoordeeld",
    review_heads: ["datum", "signaal", "aan", "door"],
};

pub static EN: Texts = Texts {
    title: "Action framework",
    intro: "Who may send which signal to whom, for what and on which basis. Changing or removing a rule makes a draft; another privacy officer approves it, after which it can become active.",
    active_title: "Active rules, version",
    rule_heads: ["rule", "what the rule allows", "adjust"],
    edit: "Change",
    remove: "Remove (draft)",
    versions_title: "Versions",
    version_heads: ["version", "status", "note", "author", "approved by", "made", "step"],
    approve: "Approve",
    activate: "Activate",
    roll_back: "Roll back to this version",
    tools: "Test with scenarios and replay",
    test: "Test with the scenarios",
    files_label: "Your scenario files (empty: the built-in ones)",
    replay: "Replay since",
    since_label: "Replay since date (empty: everything)",
    changes_title: "Difference from the active version",
    no_changes: "The rules are the same as the active version's.",
    report_title: "Outcome of the scenarios",
    failing: "Failed scenarios:",
    replay_title: "Replay",
    replay_heads: ["change", "rules", "kind of organisation", "count", "examples (pseudonym)"],
    editor_title: "Add or change a rule",
    editor_help: "Choose the framework's words for each column. Saving makes a draft of the active rules with this rule in it; another privacy officer approves it.",
    id_label: "Rule id",
    id_hint: "an existing id changes that rule, a new id (for example R10) adds a rule",
    note_label: "Note",
    save_draft: "Save draft…",
    new_rule: "New rule",
    modes: ["any", "only those ticked", "any except those ticked"],
    detail: "Technical detail:",
    review_title: "Reports awaiting review",
    review_empty: "Nothing to review.",
    review_note: "Note",
    reviewed: "Reviewed",
    review_heads: ["date", "signal", "to", "by"],
};

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Nl => &NL,
        Lang::En => &EN,
    }
}

/// A column of the rule table (indexes [`crate::policy::COLUMNS`]) as a heading.
pub fn column(lang: Lang, index: usize) -> &'static str {
    const NL: [&str; 8] =
        ["regel-id", "rol", "soort organisatie", "handeling", "signaal", "soort ontvanger", "doel", "grondslag"];
    const EN: [&str; 8] =
        ["rule id", "role", "kind of organisation", "action", "signal", "kind of recipient", "purpose", "legal basis"];
    let names = if lang == Lang::Nl { NL } else { EN };
    names.get(index).copied().unwrap_or("?")
}

/// "is geen signaal" / "is not a signal": what a word of a column is not.
fn not_a(lang: Lang, index: usize) -> String {
    const EN: [&str; 8] = [
        "a rule id",
        "a role",
        "a kind of organisation",
        "an action",
        "a signal",
        "a kind of recipient",
        "a purpose",
        "a legal basis",
    ];
    match lang {
        Lang::Nl => format!("is geen {}", column(lang, index)),
        Lang::En => format!("is not {}", EN.get(index).copied().unwrap_or("a known word")),
    }
}

/// The column a vocabulary error's list belongs to.
fn column_of(what: &str) -> Option<usize> {
    ["id", "role", "org kind", "action", "signal", "recipient kind", "purpose", "basis"].iter().position(|w| *w == what)
}

/// A word of the closed vocabulary in a column, in words; an unknown word stays as written.
pub fn word(lang: Lang, index: usize, code: &str) -> String {
    let known = match index {
        1 => code.parse::<Role>().ok().map(|r| lang.role(r)),
        2 => code.parse::<OrgKind>().ok().map(|k| lang.org_kind(k)),
        3 => code.parse::<Action>().ok().map(|a| lang.action(a)),
        4 => code.parse::<Signal>().ok().map(|s| lang.signal(s)),
        5 if code == REFERENCE_INDEX || code.parse::<OrgKind>().is_ok() => Some(lang.recipient_kind(code)),
        6 => code.parse::<Purpose>().ok().map(|p| lang.purpose(p)),
        7 => code.parse::<Basis>().ok().map(|b| lang.basis(b)),
        _ => None,
    };
    known.map_or_else(|| code.to_owned(), str::to_owned)
}

/// The words a column may hold, as (code, words), in the framework's order. Roles are the
/// professional ones: a rule's role is who sends.
pub fn choices(lang: Lang, index: usize) -> Vec<(&'static str, String)> {
    let codes: Vec<&'static str> = match index {
        1 => Role::ALL.iter().filter(|r| r.is_professional()).map(|r| r.as_str()).collect(),
        2 => OrgKind::WORDS.to_vec(),
        3 => Action::WORDS.to_vec(),
        4 => Signal::WORDS.to_vec(),
        5 => OrgKind::WORDS.iter().copied().chain([REFERENCE_INDEX]).collect(),
        6 => Purpose::WORDS.to_vec(),
        7 => Basis::WORDS.to_vec(),
        _ => Vec::new(),
    };
    codes.into_iter().map(|code| (code, word(lang, index, code))).collect()
}

/// What a list column of a rule says: `*`, `a b`, or `* except a b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    All,
    Only(Vec<String>),
    Except(Vec<String>),
}

impl Choice {
    /// Reads a column as policy.csv writes it.
    pub fn parse(column: &str) -> Choice {
        let words = |text: &str| text.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        match column.trim().strip_prefix('*') {
            Some(rest) => match rest.trim().strip_prefix("except") {
                Some(excepted) if !words(excepted).is_empty() => Choice::Except(words(excepted)),
                _ => Choice::All,
            },
            None => Choice::Only(words(column)),
        }
    }

    /// The column as policy.csv writes it.
    pub fn column(&self) -> String {
        match self {
            Choice::All => "*".to_owned(),
            Choice::Except(words) if words.is_empty() => "*".to_owned(),
            Choice::Except(words) => format!("* except {}", words.join(" ")),
            Choice::Only(words) => words.join(" "),
        }
    }

    pub fn words(&self) -> &[String] {
        match self {
            Choice::All => &[],
            Choice::Only(words) | Choice::Except(words) => words,
        }
    }

    /// The radio value of the editor: `all`, `only` or `except`.
    pub fn mode(&self) -> &'static str {
        match self {
            Choice::All => "all",
            Choice::Only(_) => "only",
            Choice::Except(_) => "except",
        }
    }
}

/// "a, b of c" / "a, b or c" (`or`), or "a, b en c" / "a, b and c".
fn listed(lang: Lang, words: &[String], or: bool) -> String {
    let last = match (lang, or) {
        (Lang::Nl, true) => "of",
        (Lang::Nl, false) => "en",
        (Lang::En, true) => "or",
        (Lang::En, false) => "and",
    };
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

fn in_words(lang: Lang, index: usize, codes: &[String]) -> Vec<String> {
    codes.iter().map(|code| word(lang, index, code)).collect()
}

/// The article before an organisation kind ("een school", "Veilig Thuis", "de verwijsindex").
fn article(lang: Lang, first: Option<&String>) -> &'static str {
    match first.map(String::as_str) {
        Some("safe_home" | "compulsory_education" | REFERENCE_INDEX) => "",
        Some("youth_health" | "youth_work") if lang == Lang::En => "",
        _ if lang == Lang::Nl => "een ",
        _ => "a ",
    }
}

/// A rule's columns (id first, as [`crate::policy::COLUMNS`]) as one sentence, without the id:
/// "een professional (behalve huisarts en praktijkondersteuner jeugd) van elke organisatie
/// behalve Veilig Thuis en leerplicht mag hulp gestart, hulp loopt of hulp afgerond versturen
/// aan een school, … voor afstemming van zorg, op grond van toestemming."
pub fn sentence(lang: Lang, columns: &[String]) -> String {
    let col = |i: usize| Choice::parse(columns.get(i).map(String::as_str).unwrap_or_default());
    let nl = lang == Lang::Nl;
    let (any_org, except, of) =
        if nl { ("elke organisatie", "behalve", "van") } else { ("any organisation", "except", "of") };
    let who = match col(1) {
        Choice::All => if nl { "een professional" } else { "a professional" }.to_owned(),
        Choice::Except(roles) => {
            let roles = listed(lang, &in_words(lang, 1, &roles), false);
            if nl { format!("een professional (behalve {roles})") } else { format!("a professional (except {roles})") }
        }
        Choice::Only(roles) => {
            format!("{}{}", if nl { "een " } else { "a " }, listed(lang, &in_words(lang, 1, &roles), true))
        }
    };
    let from = match col(2) {
        Choice::All => format!("{of} {any_org}"),
        Choice::Except(kinds) => format!("{of} {any_org} {except} {}", listed(lang, &in_words(lang, 2, &kinds), false)),
        Choice::Only(kinds) => {
            format!("{of} {}{}", article(lang, kinds.first()), listed(lang, &in_words(lang, 2, &kinds), true))
        }
    };
    let register = columns.get(3).map(String::as_str) == Some(Action::Register.as_str());
    let verb = match (lang, register) {
        (Lang::Nl, true) => "melden",
        (Lang::Nl, false) => "versturen",
        (Lang::En, true) => "register",
        (Lang::En, false) => "send",
    };
    let signals = match col(4) {
        Choice::All => if nl { "elk signaal" } else { "any signal" }.to_owned(),
        Choice::Except(signals) => format!(
            "{} {except} {}",
            if nl { "elk signaal" } else { "any signal" },
            listed(lang, &in_words(lang, 4, &signals), false)
        ),
        Choice::Only(signals) => listed(lang, &in_words(lang, 4, &signals), true),
    };
    let (to, into) = if nl { ("aan", "in") } else { ("to", "with") };
    let recipients = match col(5) {
        Choice::All => format!("{to} {any_org}"),
        Choice::Except(kinds) => format!("{to} {any_org} {except} {}", listed(lang, &in_words(lang, 5, &kinds), false)),
        Choice::Only(kinds) if register && kinds == [REFERENCE_INDEX] => {
            format!("{into} {}", word(lang, 5, REFERENCE_INDEX))
        }
        Choice::Only(kinds) => {
            format!("{to} {}{}", article(lang, kinds.first()), listed(lang, &in_words(lang, 5, &kinds), true))
        }
    };
    let purposes = match col(6) {
        Choice::All => if nl { "voor elk doel" } else { "for any purpose" }.to_owned(),
        Choice::Except(purposes) => format!(
            "{} {except} {}",
            if nl { "voor elk doel" } else { "for any purpose" },
            listed(lang, &in_words(lang, 6, &purposes), false)
        ),
        Choice::Only(purposes) => {
            format!("{} {}", if nl { "voor" } else { "for" }, listed(lang, &in_words(lang, 6, &purposes), true))
        }
    };
    let bases = listed(lang, &in_words(lang, 7, col(7).words()), true);
    match lang {
        Lang::Nl => format!("{who} {from} mag {signals} {verb} {recipients} {purposes}, op grond van {bases}."),
        Lang::En => format!("{who} {from} may {verb} {signals} {recipients} {purposes}, on the basis of {bases}."),
    }
}

/// How a draft differs from the active rules, one rule.
pub enum Change<'a> {
    Added(&'a Rule),
    Removed(&'a Rule),
    Changed { old: &'a Rule, new: &'a Rule },
}

impl Change<'_> {
    /// "R3 verwijderd: een professional …", "R3 gewijzigd (signaal): …. Was: …".
    pub fn said(&self, lang: Lang) -> String {
        let nl = lang == Lang::Nl;
        match self {
            Change::Added(rule) => {
                format!("{} {}: {}", rule.id, if nl { "toegevoegd" } else { "added" }, sentence(lang, &rule.columns))
            }
            Change::Removed(rule) => {
                format!("{} {}: {}", rule.id, if nl { "verwijderd" } else { "removed" }, sentence(lang, &rule.columns))
            }
            Change::Changed { old, new } => {
                let columns: Vec<String> = (1..8)
                    .filter(|i| old.columns.get(*i) != new.columns.get(*i))
                    .map(|i| column(lang, i).to_owned())
                    .collect();
                format!(
                    "{} {} ({}): {} {} {}",
                    new.id,
                    if nl { "gewijzigd" } else { "changed" },
                    columns.join(", "),
                    sentence(lang, &new.columns),
                    if nl { "Was:" } else { "Before:" },
                    sentence(lang, &old.columns)
                )
            }
        }
    }
}

/// The differences of `draft` from `active`, rule by rule, in the draft's order, then the
/// removed rules.
pub fn changes<'a>(active: &'a [Rule], draft: &'a [Rule]) -> Vec<Change<'a>> {
    let mut out = Vec::new();
    for rule in draft {
        match active.iter().find(|a| a.id == rule.id) {
            None => out.push(Change::Added(rule)),
            Some(old) if old.columns != rule.columns => out.push(Change::Changed { old, new: rule }),
            Some(_) => {}
        }
    }
    out.extend(active.iter().filter(|a| !draft.iter().any(|d| d.id == a.id)).map(Change::Removed));
    out
}

/// A version's status in words.
pub fn status(lang: Lang, status: PolicyStatus) -> &'static str {
    match (lang, status) {
        (Lang::Nl, PolicyStatus::Draft) => "concept",
        (Lang::Nl, PolicyStatus::Approved) => "goedgekeurd",
        (Lang::Nl, PolicyStatus::Active) => "actief",
        (Lang::Nl, PolicyStatus::Retired) => "uit gebruik",
        (Lang::En, PolicyStatus::Draft) => "draft",
        (Lang::En, PolicyStatus::Approved) => "approved",
        (Lang::En, PolicyStatus::Active) => "active",
        (Lang::En, PolicyStatus::Retired) => "retired",
    }
}

/// A word outside the vocabulary: "„hulp_gestart” is geen signaal; mogelijk zijn: …".
pub fn vocabulary_error(lang: Lang, error: &VocabularyError) -> String {
    let Some(index) = column_of(error.what) else {
        return match lang {
            Lang::Nl => format!("„{}” is een onbekend woord.", error.value),
            Lang::En => format!("“{}” is an unknown word.", error.value),
        };
    };
    let allowed: Vec<String> = error.allowed.iter().map(|code| word(lang, index, code)).collect();
    not_allowed(lang, index, &error.value, &allowed)
}

fn not_allowed(lang: Lang, index: usize, value: &str, allowed: &[String]) -> String {
    match lang {
        Lang::Nl => format!("„{value}” {}; mogelijk zijn: {}.", not_a(lang, index), allowed.join(", ")),
        Lang::En => format!("“{value}” {}; possible are: {}.", not_a(lang, index), allowed.join(", ")),
    }
}

/// A word the rule editor does not offer in a column (a form posted by hand).
pub fn unknown_word(lang: Lang, index: usize, value: &str) -> String {
    let allowed: Vec<String> = choices(lang, index).into_iter().map(|(_, words)| words).collect();
    format!("{}: {}", super::capitalised(column(lang, index)), not_allowed(lang, index, value, &allowed))
}

/// A list column of the rule editor with nothing ticked.
pub fn choose_words(lang: Lang, index: usize) -> String {
    let name = column(lang, index);
    match (lang, index) {
        (Lang::Nl, 3) => "Kies één handeling.".to_owned(),
        (Lang::En, 3) => "Choose one action.".to_owned(),
        (Lang::Nl, 7) => "Kies minstens één grondslag.".to_owned(),
        (Lang::En, 7) => "Choose at least one legal basis.".to_owned(),
        (Lang::Nl, _) => format!("Vink bij „{name}” minstens één woord aan, of kies „{}”.", NL.modes[0]),
        (Lang::En, _) => format!("Tick at least one word under “{name}”, or choose “{}”.", EN.modes[0]),
    }
}

/// A rule id that is not letters, digits, `-` or `_`.
pub fn bad_id(lang: Lang, found: &str) -> String {
    match lang {
        Lang::Nl => {
            format!("Een regel-id bestaat uit letters, cijfers, „-” en „_”, bijvoorbeeld R10; „{found}” is dat niet.")
        }
        Lang::En => format!("A rule id is letters, digits, “-” and “_”, for example R10; “{found}” is not."),
    }
}

/// A change that changes nothing.
pub fn nothing_changes(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Nl => format!("Regel {id} staat al zo in de actieve regels; er verandert niets."),
        Lang::En => format!("Rule {id} already reads so in the active rules; nothing changes."),
    }
}

/// A rule to remove that the active table does not have.
pub fn not_in_table(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Nl => format!("Regel „{id}” staat niet in de actieve regels."),
        Lang::En => format!("Rule “{id}” is not in the active rules."),
    }
}

/// A replay's date that is not one.
pub fn bad_date(lang: Lang, date: &str) -> String {
    match lang {
        Lang::Nl => format!("„{date}” is geen datum; schrijf jjjj-mm-dd, bijvoorbeeld 2026-12-03."),
        Lang::En => format!("“{date}” is not a date; write yyyy-mm-dd, for example 2026-12-03."),
    }
}

/// A step that failed for no reason the person can act on.
pub fn failed(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "Dit is niet gelukt; probeer het opnieuw of vraag de beheerder.",
        Lang::En => "This did not succeed; try again or ask the administrator.",
    }
}

/// Uploaded files that could not be read at all.
pub fn unreadable_files(lang: Lang) -> &'static str {
    match lang {
        Lang::Nl => "De bestanden konden niet worden gelezen (te groot, of geen tekst).",
        Lang::En => "The files could not be read (too large, or not text).",
    }
}

/// The confirmation of a draft: (heading, what will happen, button).
pub fn confirm_draft(lang: Lang, changes: &[Change<'_>]) -> (String, Vec<String>, String) {
    let heading = match (lang, changes) {
        (Lang::Nl, [Change::Removed(rule)]) => format!("Concept maken zonder {}?", rule.id),
        (Lang::Nl, [Change::Added(rule)]) => format!("Concept maken met {} erbij?", rule.id),
        (Lang::Nl, [Change::Changed { new, .. }]) => format!("Concept maken met {} gewijzigd?", new.id),
        (Lang::Nl, _) => "Concept maken?".to_owned(),
        (Lang::En, [Change::Removed(rule)]) => format!("Make a draft without {}?", rule.id),
        (Lang::En, [Change::Added(rule)]) => format!("Make a draft with {} added?", rule.id),
        (Lang::En, [Change::Changed { new, .. }]) => format!("Make a draft with {} changed?", new.id),
        (Lang::En, _) => "Make a draft?".to_owned(),
    };
    let mut consequences = vec![match lang {
        Lang::Nl => "Er komt een nieuw concept: de actieve regels met dit verschil.".to_owned(),
        Lang::En => "A new draft is stored: the active rules with this difference.".to_owned(),
    }];
    consequences.extend(changes.iter().map(|change| change.said(lang)));
    consequences.push(match lang {
        Lang::Nl => "De actieve regels veranderen nog niet. Een andere privacy officer moet het concept goedkeuren; daarna kan het worden geactiveerd.".to_owned(),
        Lang::En => "The active rules do not change yet. Another privacy officer must approve the draft; after that it can be activated.".to_owned(),
    });
    let button = if lang == Lang::Nl { "Ja, concept opslaan" } else { "Yes, save the draft" };
    (heading, consequences, button.to_owned())
}

/// The confirmation of an activation or a roll-back: (heading, what will happen, button).
pub fn confirm_activation(
    lang: Lang,
    id: &str,
    active: &str,
    rollback: bool,
    changes: &[Change<'_>],
) -> (String, Vec<String>, String) {
    let nl = lang == Lang::Nl;
    let heading = match (lang, rollback) {
        (Lang::Nl, false) => format!("Versie {id} activeren?"),
        (Lang::Nl, true) => format!("Terug naar versie {id}?"),
        (Lang::En, false) => format!("Activate version {id}?"),
        (Lang::En, true) => format!("Roll back to version {id}?"),
    };
    let mut consequences = match lang {
        Lang::Nl => vec![
            format!(
                "Versie {id} wordt meteen actief voor alle organisaties in de regio; elke volgende beslissing valt eronder."
            ),
            format!("De nu actieve versie {active} gaat uit gebruik; u kunt er later naar terug."),
        ],
        Lang::En => vec![
            format!(
                "Version {id} becomes active at once for every organisation in the region; every next decision falls under it."
            ),
            format!("The version active now, {active}, is retired; you can roll back to it later."),
        ],
    };
    if changes.is_empty() {
        consequences.push(texts(lang).no_changes.to_owned());
    } else {
        consequences.push(if nl { "Wat er verandert:" } else { "What changes:" }.to_owned());
        consequences.extend(changes.iter().map(|change| change.said(lang)));
    }
    let button = match (lang, rollback) {
        (Lang::Nl, false) => "Ja, nu activeren",
        (Lang::Nl, true) => "Ja, terug naar deze versie",
        (Lang::En, false) => "Yes, activate now",
        (Lang::En, true) => "Yes, roll back",
    };
    (heading, consequences, button.to_owned())
}

impl Change<'_> {
    /// "R3 verwijderd", "R10 toegevoegd", "R3 gewijzigd".
    pub fn short(&self, lang: Lang) -> String {
        let nl = lang == Lang::Nl;
        match self {
            Change::Added(rule) => format!("{} {}", rule.id, if nl { "toegevoegd" } else { "added" }),
            Change::Removed(rule) => format!("{} {}", rule.id, if nl { "verwijderd" } else { "removed" }),
            Change::Changed { new, .. } => format!("{} {}", new.id, if nl { "gewijzigd" } else { "changed" }),
        }
    }
}

/// A stored draft: "Concept x opgeslagen: R3 verwijderd. Een andere privacy officer moet het
/// goedkeuren."
pub fn drafted(lang: Lang, version: &str, changes: &[Change<'_>]) -> String {
    let what: Vec<String> = changes.iter().map(|change| change.short(lang)).collect();
    match lang {
        Lang::Nl => format!(
            "Concept {version} opgeslagen: {}. Een andere privacy officer moet het goedkeuren.",
            listed(lang, &what, false)
        ),
        Lang::En => {
            format!("Draft {version} saved: {}. Another privacy officer must approve it.", listed(lang, &what, false))
        }
    }
}

pub fn approved(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Nl => format!("Versie {id} goedgekeurd. Een privacy officer kan haar nu activeren."),
        Lang::En => format!("Version {id} approved. A privacy officer can now activate it."),
    }
}

pub fn activated(lang: Lang, id: &str, previous: &str) -> String {
    match lang {
        Lang::Nl => format!("Versie {id} is nu actief voor de hele regio; versie {previous} is uit gebruik."),
        Lang::En => format!("Version {id} is now active for the whole region; version {previous} is retired."),
    }
}

pub fn reviewed(lang: Lang, when: &str) -> String {
    match lang {
        Lang::Nl => format!("Melding van {when} beoordeeld; uw notitie staat in het logboek."),
        Lang::En => format!("Report of {when} reviewed; your note is in the audit log."),
    }
}

/// A replay's outcome in one sentence.
pub fn replay_summary(lang: Lang, report: &crate::exchange::ReplayReport) -> String {
    match lang {
        Lang::Nl => format!(
            "{} besluiten opnieuw genomen onder {}: {} anders ({} toegestaan → geweigerd, {} geweigerd → toegestaan); {} niet opnieuw te nemen; {} niet, omdat de gegevens van de jongere volgens de wet vernietigd zijn.",
            report.replayed,
            report.version,
            report.changed(),
            report.allow_to_deny,
            report.deny_to_allow,
            report.not_replayable,
            report.facts_destroyed
        ),
        Lang::En => format!(
            "{} decisions re-decided under {}: {} would change ({} allowed → refused, {} refused → allowed); {} could not be re-decided; {} not, because the youth's data were destroyed as the law requires.",
            report.replayed,
            report.version,
            report.changed(),
            report.allow_to_deny,
            report.deny_to_allow,
            report.not_replayable,
            report.facts_destroyed
        ),
    }
}

/// A rule table's error, naming the rule (from `text`, the table checked) and the line.
pub fn table_error(lang: Lang, error: &TableError, text: Option<&str>) -> String {
    let nl = lang == Lang::Nl;
    let (line, problem) = match error {
        TableError::Empty => {
            return if nl {
                "Een regeltabel heeft minstens één regel; dit concept zou er geen meer hebben.".to_owned()
            } else {
                "A rule table has at least one rule; this draft would have none.".to_owned()
            };
        }
        TableError::Line { line, problem } => (*line, problem),
    };
    let id = text
        .and_then(|text| text.lines().nth(line.saturating_sub(1)))
        .and_then(|raw| raw.split(',').nth(1))
        .map(str::trim)
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let place = match (lang, id) {
        (Lang::Nl, Some(id)) => format!("In regel {id} (tabelregel {line})"),
        (Lang::Nl, None) => format!("Op tabelregel {line}"),
        (Lang::En, Some(id)) => format!("In rule {id} (line {line} of the table)"),
        (Lang::En, None) => format!("On line {line} of the table"),
    };
    let names: Vec<&str> = (0..8).map(|i| column(lang, i)).collect();
    match (lang, problem) {
        (Lang::Nl, LineProblem::NotARule { found }) => {
            format!("{place}: een regel begint met „p,”; hier staat „{found}”.")
        }
        (Lang::En, LineProblem::NotARule { found }) => {
            format!("{place}: a rule starts with “p,”; this one with “{found}”.")
        }
        (Lang::Nl, LineProblem::ColumnCount { found }) => {
            format!("{place}: een regel heeft 8 kolommen ({}); hier staan er {found}.", names.join(", "))
        }
        (Lang::En, LineProblem::ColumnCount { found }) => {
            format!("{place}: a rule has 8 columns ({}); this one has {found}.", names.join(", "))
        }
        (Lang::Nl, LineProblem::BadId { found }) => {
            format!("{place}: een regel-id bestaat uit letters, cijfers, „-” en „_”; „{found}” is dat niet.")
        }
        (Lang::En, LineProblem::BadId { found }) => {
            format!("{place}: a rule id is letters, digits, “-” and “_”; “{found}” is not.")
        }
        (Lang::Nl, LineProblem::Word { column: index, error }) => {
            format!("{place}, kolom „{}”: {}", column(lang, *index), vocabulary_error(lang, error))
        }
        (Lang::En, LineProblem::Word { column: index, error }) => {
            format!("{place}, column “{}”: {}", column(lang, *index), vocabulary_error(lang, error))
        }
        (Lang::Nl, LineProblem::NoBasis) => format!("{place}, kolom „grondslag”: kies minstens één grondslag."),
        (Lang::En, LineProblem::NoBasis) => format!("{place}, column “legal basis”: choose at least one basis."),
        (Lang::Nl, LineProblem::DuplicateId { id, earlier }) => {
            format!("{place}: regel-id {id} staat al op tabelregel {earlier}.")
        }
        (Lang::En, LineProblem::DuplicateId { id, earlier }) => {
            format!("{place}: rule id {id} is already used on line {earlier}.")
        }
    }
}

/// Which step of the policy pages was refused, for its words.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Draft,
    Approve(&'a str),
    Activate(&'a str),
    Replay(&'a str),
    Review,
}

/// A refused step in words; `status` is the version's status now (None: no such version), and
/// `text` the rule table that was checked. None for a failure of the database: an error page.
pub fn version_error(
    lang: Lang,
    step: Step<'_>,
    error: &PolicyVersionError,
    status_now: Option<PolicyStatus>,
    text: Option<&str>,
) -> Option<String> {
    let nl = lang == Lang::Nl;
    let id = match step {
        Step::Approve(id) | Step::Activate(id) | Step::Replay(id) => id,
        Step::Draft | Step::Review => "",
    };
    let said = match error {
        PolicyVersionError::NotPrivacyOfficer => {
            if nl { "Alleen een privacy officer mag dit doen." } else { "Only a privacy officer may do this." }
                .to_owned()
        }
        PolicyVersionError::FourEyes => if nl {
            "U kunt uw eigen concept niet goedkeuren; een andere privacy officer moet dat doen."
        } else {
            "You cannot approve your own draft; another privacy officer must do that."
        }
        .to_owned(),
        PolicyVersionError::Exists(version) => match lang {
            Lang::Nl => format!("Deze regels zijn al opgeslagen als versie {version}; er is geen nieuw concept nodig."),
            Lang::En => format!("These rules are already stored as version {version}; no new draft is needed."),
        },
        PolicyVersionError::Load(LoadError::Table(table)) => table_error(lang, table, text),
        PolicyVersionError::Load(LoadError::Model(_)) => if nl {
            "Het model (model.conf) van deze versie kan niet worden geladen; vraag de beheerder van Ketenpoort."
        } else {
            "The model (model.conf) of this version cannot be loaded; ask Ketenpoort's administrator."
        }
        .to_owned(),
        PolicyVersionError::Store(StoreError::NotFound(_)) => match (lang, step) {
            (Lang::Nl, Step::Review) => "Deze melding wacht niet (meer) op beoordeling door uw organisatie.".to_owned(),
            (Lang::En, Step::Review) => {
                "This report is not (or no longer) awaiting your organisation's review.".to_owned()
            }
            _ => not_found(lang, id),
        },
        PolicyVersionError::Store(StoreError::Conflict(_)) => conflict(lang, step, id, status_now),
        PolicyVersionError::Store(_) => return None,
    };
    Some(said)
}

/// "Versie „x” bestaat niet."
pub fn not_found(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Nl => format!("Versie „{id}” bestaat niet."),
        Lang::En => format!("Version “{id}” does not exist."),
    }
}

/// Why a step did not fit the version's status.
fn conflict(lang: Lang, step: Step<'_>, id: &str, status_now: Option<PolicyStatus>) -> String {
    use PolicyStatus::*;
    let nl = lang == Lang::Nl;
    match (step, status_now) {
        (_, None) if !id.is_empty() => not_found(lang, id),
        (Step::Approve(_), Some(Approved)) => {
            if nl {
                format!("Versie {id} is al goedgekeurd.")
            } else {
                format!("Version {id} is approved already.")
            }
        }
        (Step::Approve(_) | Step::Activate(_), Some(Active)) => {
            if nl {
                format!("Versie {id} is al actief.")
            } else {
                format!("Version {id} is active already.")
            }
        }
        (Step::Approve(_), Some(Retired)) => {
            if nl {
                format!("Versie {id} is uit gebruik; alleen een concept kan worden goedgekeurd.")
            } else {
                format!("Version {id} is retired; only a draft can be approved.")
            }
        }
        (Step::Activate(_), Some(Draft)) => {
            if nl {
                format!("Versie {id} is nog een concept: een andere privacy officer moet haar eerst goedkeuren.")
            } else {
                format!("Version {id} is still a draft: another privacy officer must approve it first.")
            }
        }
        (Step::Review, _) => {
            if nl { "Deze melding is al beoordeeld." } else { "This report has been reviewed already." }.to_owned()
        }
        (Step::Draft, _) => if nl {
            "Deze regels zijn zojuist al als concept opgeslagen."
        } else {
            "These rules have just been stored as a draft already."
        }
        .to_owned(),
        _ => {
            if nl {
                format!("Versie {id} is intussen veranderd; open de pagina opnieuw en kijk naar haar status.")
            } else {
                format!("Version {id} changed meanwhile; open the page again and look at its status.")
            }
        }
    }
}

/// A scenario file that could not be run: (what happened, the reader's technical detail).
pub fn scenario_file_error(lang: Lang, error: &FileError) -> (String, Option<String>) {
    match (lang, error) {
        (Lang::Nl, FileError::Unreadable { file, .. }) => {
            (format!("Het bestand „{file}” kan niet worden gelezen."), None)
        }
        (Lang::En, FileError::Unreadable { file, .. }) => (format!("The file “{file}” cannot be read."), None),
        (Lang::Nl, FileError::Malformed { file, line, column, message }) => (
            format!("„{file}”, regel {line}, teken {column}: dit is geen geldig scenariobestand."),
            Some(message.clone()),
        ),
        (Lang::En, FileError::Malformed { file, line, column, message }) => (
            format!("“{file}”, line {line}, character {column}: this is not a valid scenario file."),
            Some(message.clone()),
        ),
        (Lang::Nl, FileError::Inconsistent { file, index, name, message }) => (
            format!(
                "„{file}”, scenario {index} („{name}”): de feiten passen niet bij de organisaties van het bestand."
            ),
            Some(message.clone()),
        ),
        (Lang::En, FileError::Inconsistent { file, index, name, message }) => (
            format!("“{file}”, scenario {index} (“{name}”): the facts do not fit the file's organisations."),
            Some(message.clone()),
        ),
        (Lang::Nl, FileError::Store { .. }) => {
            ("De scenario's konden niet worden uitgevoerd; probeer het opnieuw of vraag de beheerder.".to_owned(), None)
        }
        (Lang::En, FileError::Store { .. }) => {
            ("The scenarios could not be run; try again or ask the administrator.".to_owned(), None)
        }
    }
}

/// "Versie x: 12 geslaagd, 3 mislukt".
pub fn tally(lang: Lang, id: &str, passed: usize, failed: usize) -> String {
    match lang {
        Lang::Nl => format!("Versie {id}: {passed} geslaagd, {failed} mislukt"),
        Lang::En => format!("Version {id}: {passed} passed, {failed} failed"),
    }
}

/// One side of a scenario's failure line: what was expected, or what came.
#[derive(Debug, Default, PartialEq)]
struct Outcomes {
    decision: Option<Outcome>,
    error: Option<String>,
    basis: Option<Basis>,
    reason: Option<DenyReason>,
    obligations: Option<Vec<Obligation>>,
    rules: Option<Vec<String>>,
}

/// Reads "deny reason no_rule obligations [] rules [R1]" or "error invalid_role (…)".
fn outcomes(text: &str) -> Option<Outcomes> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("error ") {
        let code = rest.split_whitespace().next()?.to_owned();
        return Some(Outcomes { error: Some(code), ..Outcomes::default() });
    }
    let (first, mut rest) = text.split_once(' ').unwrap_or((text, ""));
    let mut said = Outcomes { decision: Some(first.parse().ok()?), ..Outcomes::default() };
    while !rest.trim().is_empty() {
        let (key, after) = rest.trim_start().split_once(' ')?;
        match key {
            "basis" | "reason" => {
                let (value, more) = after.split_once(' ').unwrap_or((after, ""));
                if key == "basis" {
                    said.basis = Some(value.parse().ok()?);
                } else {
                    said.reason = Some(value.parse().ok()?);
                }
                rest = more;
            }
            "obligations" | "rules" => {
                let (list, more) = after.strip_prefix('[')?.split_once(']')?;
                let items: Vec<&str> = list.split(", ").filter(|item| !item.is_empty()).collect();
                if key == "rules" {
                    said.rules = Some(items.iter().map(|s| (*s).to_owned()).collect());
                } else {
                    said.obligations = Some(items.iter().map(|s| s.parse()).collect::<Result<_, _>>().ok()?);
                }
                rest = more;
            }
            _ => return None,
        }
    }
    Some(said)
}

/// An input error a scenario may expect, in words.
fn input_error(lang: Lang, code: &str) -> String {
    let words = match (lang, code) {
        (Lang::Nl, "invalid_bsn") => "een ongeldig BSN",
        (Lang::Nl, "invalid_role") => "een ongeldige rol",
        (Lang::Nl, "unknown_org") => "een onbekende organisatie",
        (Lang::Nl, "unknown_signal") => "een onbekend signaal",
        (Lang::Nl, "unknown_purpose") => "een onbekend doel",
        (Lang::Nl, "unknown_action") => "een onbekende handeling",
        (Lang::Nl, "invalid_request") => "een ongeldig verzoek",
        (Lang::En, "invalid_bsn") => "an invalid BSN",
        (Lang::En, "invalid_role") => "an invalid role",
        (Lang::En, "unknown_org") => "an unknown organisation",
        (Lang::En, "unknown_signal") => "an unknown signal",
        (Lang::En, "unknown_purpose") => "an unknown purpose",
        (Lang::En, "unknown_action") => "an unknown action",
        (Lang::En, "invalid_request") => "an invalid request",
        (Lang::Nl, _) => "een invoerfout",
        (Lang::En, _) => "an input error",
    };
    match lang {
        Lang::Nl => format!("de foutmelding: {words}"),
        Lang::En => format!("the error: {words}"),
    }
}

fn outcomes_said(lang: Lang, said: &Outcomes, with_obligations: bool) -> String {
    let nl = lang == Lang::Nl;
    let Some(decision) = said.decision else {
        return input_error(lang, said.error.as_deref().unwrap_or_default());
    };
    let mut out = lang.outcome(decision).to_owned();
    if let Some(basis) = said.basis {
        out.push_str(&format!(" {} {}", if nl { "op grond van" } else { "on the basis of" }, lang.basis(basis)));
    }
    if let Some(reason) = said.reason {
        out.push_str(&format!(": {}", lang.reason(reason)));
    }
    if let Some(obligations) = said.obligations.as_ref().filter(|o| with_obligations || !o.is_empty()) {
        let words: Vec<&str> = obligations.iter().map(|o| lang.obligation(*o)).collect();
        out.push_str(&match (lang, words.is_empty()) {
            (Lang::Nl, true) => " (zonder verplichtingen)".to_owned(),
            (Lang::En, true) => " (without obligations)".to_owned(),
            (Lang::Nl, false) => format!(" (verplichtingen: {})", words.join(", ")),
            (Lang::En, false) => format!(" (obligations: {})", words.join(", ")),
        });
    }
    if let Some(rules) = said.rules.as_ref().filter(|r| !r.is_empty()) {
        out.push_str(&format!(" ({} {})", if nl { "regels" } else { "rules" }, rules.join(", ")));
    }
    out
}

/// A failing scenario as the runner reports it ("FAIL name: expected …, got …"), in words:
/// "„name”: verwacht toegestaan op grond van toestemming, maar het werd geweigerd: geen regel
/// staat dit toe." A line that does not read so is shown without its `FAIL`.
pub fn scenario_failure(lang: Lang, line: &str) -> String {
    let body = line.strip_prefix("FAIL ").unwrap_or(line);
    let read = || {
        let (name, rest) = body.rsplit_once(": expected ")?;
        let (expected, came) = rest.split_once(", got ")?;
        Some((name, outcomes(expected)?, outcomes(came)?))
    };
    let Some((name, expected, came)) = read() else { return body.to_owned() };
    let with_obligations = expected.obligations.is_some();
    let (expected, came) = (outcomes_said(lang, &expected, true), outcomes_said(lang, &came, with_obligations));
    match lang {
        Lang::Nl => format!("„{name}”: verwacht {expected}, maar het werd {came}."),
        Lang::En => format!("“{name}”: expected {expected}, but it was {came}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_rules() -> Vec<Rule> {
        crate::policy::parse_table(crate::policy::DEFAULT_RULES).unwrap()
    }

    #[test]
    fn r3_reads_as_a_dutch_and_an_english_sentence() {
        let r3 = &default_rules()[2];
        assert_eq!(
            sentence(Lang::Nl, &r3.columns),
            "een professional (behalve huisarts en praktijkondersteuner jeugd) van elke organisatie behalve \
             Veilig Thuis en leerplicht mag hulp gestart, hulp loopt of hulp afgerond versturen aan een school, \
             huisartspraktijk, buurtteam, jeugdgezondheidszorg, jongerenwerk of jeugdhulpaanbieder voor \
             afstemming van zorg, op grond van toestemming."
        );
        assert_eq!(
            sentence(Lang::En, &r3.columns),
            "a professional (except GP and practice nurse (youth)) of any organisation except Veilig Thuis and \
             compulsory education (leerplicht) may send help started, help ongoing or help ended to a school, GP \
             practice, neighbourhood team, youth health care, youth work or care provider for care coordination, \
             on the basis of consent."
        );
    }

    #[test]
    fn every_default_rule_reads_without_a_code() {
        for rule in default_rules() {
            for lang in [Lang::Nl, Lang::En] {
                let said = sentence(lang, &rule.columns);
                assert!(!said.contains('_') && !said.contains('*'), "{lang:?} {}: {said}", rule.id);
            }
        }
        let r1 = &default_rules()[0];
        assert_eq!(
            sentence(Lang::Nl, &r1.columns),
            "een professional van elke organisatie mag betrokkenheid melden in de verwijsindex voor elk doel, \
             op grond van de verwijsindex."
        );
        let r6 = &default_rules()[5];
        assert!(
            sentence(Lang::Nl, &r6.columns).ends_with("op grond van een kinderbeschermingsmaatregel of toestemming.")
        );
        let r9 = &default_rules()[8];
        assert!(sentence(Lang::Nl, &r9.columns).starts_with("een medewerker Veilig Thuis van Veilig Thuis mag"));
    }

    #[test]
    fn a_column_reads_and_writes_as_policy_csv_does() {
        for column in ["*", "school gp_practice", "* except safe_home compulsory_education"] {
            assert_eq!(Choice::parse(column).column(), column);
        }
        assert_eq!(Choice::parse("* except "), Choice::All);
        assert_eq!(Choice::Except(Vec::new()).column(), "*");
    }

    #[test]
    fn a_drafts_differences_name_the_rules_and_the_columns_changed() {
        let active = default_rules();
        let mut draft = active.clone();
        draft.remove(2);
        draft[0].columns[6] = "care_coordination".into();
        let said: Vec<String> = changes(&active, &draft).iter().map(|c| c.said(Lang::Nl)).collect();
        assert_eq!(said.len(), 2);
        assert!(said[0].starts_with("R1 gewijzigd (doel): een professional"), "{}", said[0]);
        assert!(said[0].contains("voor afstemming van zorg") && said[0].contains("Was: "), "{}", said[0]);
        assert!(said[1].starts_with("R3 verwijderd: een professional (behalve huisarts"), "{}", said[1]);
    }

    #[test]
    fn table_errors_name_the_rule_the_line_and_the_column_in_words() {
        let text = "# header\np, R10, *, *, send, hulp_gestart, school, care_coordination, consent\n";
        let error = crate::policy::parse_table(text).unwrap_err();
        let said = table_error(Lang::Nl, &error, Some(text));
        assert!(
            said.starts_with("In regel R10 (tabelregel 2), kolom „signaal”: „hulp_gestart” is geen signaal;"),
            "{said}"
        );
        assert!(said.contains("hulp gestart") && !said.contains("help_started"), "{said}");
        let said = table_error(Lang::En, &error, Some(text));
        assert!(said.starts_with("In rule R10 (line 2 of the table), column “signal”: “hulp_gestart” is not a signal"));
        let twice = "p, R1, *, *, register, involvement, reference_index, *, reference_index\n".repeat(2);
        let error = crate::policy::parse_table(&twice).unwrap_err();
        assert_eq!(
            table_error(Lang::Nl, &error, Some(&twice)),
            "In regel R1 (tabelregel 2): regel-id R1 staat al op tabelregel 1."
        );
        assert!(table_error(Lang::Nl, &TableError::Empty, None).contains("minstens één regel"));
    }

    #[test]
    fn every_refusal_of_a_version_step_is_said_in_both_languages() {
        let errors = [
            PolicyVersionError::NotPrivacyOfficer,
            PolicyVersionError::FourEyes,
            PolicyVersionError::Exists("abc".into()),
            PolicyVersionError::Load(LoadError::Table(TableError::Empty)),
            PolicyVersionError::Load(LoadError::Model("casbin says".into())),
            PolicyVersionError::Store(StoreError::NotFound("policy version `x`".into())),
            PolicyVersionError::Store(StoreError::Conflict("`x` is not a draft".into())),
        ];
        for lang in [Lang::Nl, Lang::En] {
            for error in &errors {
                for status in
                    [None, Some(PolicyStatus::Draft), Some(PolicyStatus::Approved), Some(PolicyStatus::Active)]
                {
                    for step in [Step::Approve("x"), Step::Activate("x"), Step::Draft, Step::Review] {
                        let said = version_error(lang, step, error, status, None).unwrap();
                        assert!(!said.contains('`') && !said.contains("casbin"), "{said}");
                    }
                }
            }
        }
        let four_eyes = version_error(Lang::Nl, Step::Approve("x"), &errors[1], Some(PolicyStatus::Draft), None);
        assert_eq!(
            four_eyes.as_deref(),
            Some("U kunt uw eigen concept niet goedkeuren; een andere privacy officer moet dat doen.")
        );
        let busy = PolicyVersionError::Store(StoreError::Busy);
        assert_eq!(
            version_error(Lang::Nl, Step::Draft, &busy, None, None),
            None,
            "a database failure is an error page"
        );
    }

    #[test]
    fn a_failing_scenario_reads_in_words() {
        let line = "FAIL family worker answers a mentor, youth 14: expected allow basis consent obligations \
                    [inform_subject], got deny reason no_rule obligations [] rules [R2, R5]";
        assert_eq!(
            scenario_failure(Lang::Nl, line),
            "„family worker answers a mentor, youth 14”: verwacht toegestaan op grond van toestemming \
             (verplichtingen: jongere en ouders informeren), maar het werd geweigerd: geen regel staat dit toe \
             (zonder verplichtingen) (regels R2, R5)."
        );
        let line = "FAIL x: expected error invalid_role, got allow basis consent obligations [inform_subject]";
        assert_eq!(
            scenario_failure(Lang::En, line),
            "“x”: expected the error: an invalid role, but it was allowed on the basis of consent (obligations: \
             inform the youth and parents)."
        );
        assert_eq!(scenario_failure(Lang::Nl, "FAIL something else"), "something else");
    }
}
