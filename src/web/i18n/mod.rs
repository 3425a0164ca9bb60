//! The pages' words, in Dutch (the default) and English (by a visible switch, a cookie, or
//! `Accept-Language`). Domain words as the users say them (DESIGN.md, "Words the users use").

pub mod admin;
pub mod audit;
pub mod policy;

use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;

use crate::framework::{
    Action, AdminAction, Basis, Consenter, DenyReason, NoticeKind, Obligation, OrgKind, Outcome, Purpose, Role, Signal,
    WithdrawalReason,
};

/// The page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

pub const LANG_COOKIE: &str = "ketenpoort_lang";

impl Lang {
    /// Whose consent the framework needs at this age (§3), in words.
    pub fn who_consents(self, age: u32) -> &'static str {
        match (self, age) {
            (Lang::Nl, 0..=11) => "de ouder geeft toestemming",
            (Lang::Nl, 12..=15) => "jongere én ouder moeten toestemming geven",
            (Lang::Nl, _) => "de jongere beslist zelf",
            (Lang::En, 0..=11) => "the parent consents",
            (Lang::En, 12..=15) => "both youth and parent must consent",
            (Lang::En, _) => "the youth decides alone",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// The language of a code such as `nl` or `en-GB`.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::parse(code)
    }

    fn parse(code: &str) -> Option<Lang> {
        match code.trim().get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("nl") => Some(Lang::Nl),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The explicit choice (`?lang=`), else the cookie, else the browser's first known
    /// language, else Dutch.
    pub fn choose(query: Option<&str>, cookies: &CookieJar, headers: &HeaderMap) -> Lang {
        query
            .and_then(Lang::parse)
            .or_else(|| cookies.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())))
            .or_else(|| {
                let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE)?.to_str().ok()?;
                accept.split(',').find_map(Lang::parse)
            })
            .unwrap_or(Lang::Nl)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Nl => &NL,
            Lang::En => &EN,
        }
    }

    /// A signal in the users' words.
    pub fn signal(self, signal: Signal) -> &'static str {
        use Signal::*;
        match (self, signal) {
            (Lang::Nl, Involvement) => "betrokkenheid",
            (Lang::Nl, FeedbackRequest) => "verzoek om terugkoppeling",
            (Lang::Nl, ContactRequest) => "verzoek om contact",
            (Lang::Nl, HelpStarted) => "hulp gestart",
            (Lang::Nl, HelpOngoing) => "hulp loopt",
            (Lang::Nl, HelpEnded) => "hulp afgerond",
            (Lang::Nl, SchoolAbsence) => "verzuimmelding",
            (Lang::Nl, SafetyConcern) => "zorgmelding bij Veilig Thuis",
            (Lang::Nl, ReportReceived) => "melding ontvangen",
            (Lang::Nl, InvestigationStarted) => "onderzoek gestart",
            (Lang::Nl, ReportClosed) => "melding afgesloten",
            (Lang::En, Involvement) => "involvement",
            (Lang::En, FeedbackRequest) => "feedback request",
            (Lang::En, ContactRequest) => "contact request",
            (Lang::En, HelpStarted) => "help started",
            (Lang::En, HelpOngoing) => "help ongoing",
            (Lang::En, HelpEnded) => "help ended",
            (Lang::En, SchoolAbsence) => "school absence",
            (Lang::En, SafetyConcern) => "safety concern to Veilig Thuis",
            (Lang::En, ReportReceived) => "report received",
            (Lang::En, InvestigationStarted) => "investigation started",
            (Lang::En, ReportClosed) => "report closed",
        }
    }
}

impl Lang {
    /// A purpose in the users' words.
    pub fn purpose(self, purpose: Purpose) -> &'static str {
        use Purpose::*;
        match (self, purpose) {
            (Lang::Nl, CareCoordination) => "afstemming van zorg",
            (Lang::Nl, ChildProtection) => "jeugdbescherming",
            (Lang::Nl, SchoolAttendance) => "leerplicht",
            (Lang::Nl, Safety) => "veiligheid",
            (Lang::En, CareCoordination) => "care coordination",
            (Lang::En, ChildProtection) => "child protection",
            (Lang::En, SchoolAttendance) => "school attendance",
            (Lang::En, Safety) => "safety",
        }
    }

    /// A legal basis in the users' words.
    pub fn basis(self, basis: Basis) -> &'static str {
        use Basis::*;
        match (self, basis) {
            (Lang::Nl, SchoolAttendanceDuty) => "de leerplichtwet",
            (Lang::Nl, ReportingCode) => "de meldcode",
            (Lang::Nl, ReporterFeedback) => "terugkoppeling aan de melder",
            (Lang::Nl, ChildProtectionMeasure) => "een kinderbeschermingsmaatregel",
            (Lang::Nl, ReferenceIndex) => "de verwijsindex",
            (Lang::Nl, Consent) => "toestemming",
            (Lang::En, SchoolAttendanceDuty) => "the compulsory education act",
            (Lang::En, ReportingCode) => "the reporting code",
            (Lang::En, ReporterFeedback) => "feedback to the reporter",
            (Lang::En, ChildProtectionMeasure) => "a child protection measure",
            (Lang::En, ReferenceIndex) => "the reference index",
            (Lang::En, Consent) => "consent",
        }
    }

    /// Why an exchange was refused, in the users' words.
    pub fn reason(self, reason: DenyReason) -> &'static str {
        use DenyReason::*;
        match (self, reason) {
            (Lang::Nl, NoRule) => "geen regel staat dit toe",
            (Lang::Nl, NoRelationship) => "de afzender is niet betrokken",
            (Lang::Nl, RecipientNoRelationship) => "de ontvanger is niet betrokken",
            (Lang::Nl, ConsentMissing) => "toestemming ontbreekt",
            (Lang::Nl, ConsentMissingYouth) => "toestemming van de jongere ontbreekt",
            (Lang::Nl, ConsentMissingParent) => "toestemming van de ouder ontbreekt",
            (Lang::Nl, ConsentRevoked) => "toestemming is ingetrokken",
            (Lang::Nl, ConsentExpired) => "toestemming is verlopen",
            (Lang::Nl, ConsentOutOfScope) => "toestemming dekt dit niet",
            (Lang::Nl, NoActiveMeasure) => "geen lopende maatregel",
            (Lang::Nl, NotReporter) => "de ontvanger is niet de melder",
            (Lang::Nl, JustificationRequired) => "een onderbouwing ontbrak",
            (Lang::Nl, YouthTooOld) => "de jongere is 23 of ouder",
            (Lang::En, NoRule) => "no rule allows it",
            (Lang::En, NoRelationship) => "the sender is not involved",
            (Lang::En, RecipientNoRelationship) => "the recipient is not involved",
            (Lang::En, ConsentMissing) => "consent is missing",
            (Lang::En, ConsentMissingYouth) => "the youth's consent is missing",
            (Lang::En, ConsentMissingParent) => "the parent's consent is missing",
            (Lang::En, ConsentRevoked) => "consent was revoked",
            (Lang::En, ConsentExpired) => "consent has expired",
            (Lang::En, ConsentOutOfScope) => "the consent does not cover this",
            (Lang::En, NoActiveMeasure) => "no measure is running",
            (Lang::En, NotReporter) => "the recipient is not the reporter",
            (Lang::En, JustificationRequired) => "a justification was missing",
            (Lang::En, YouthTooOld) => "the youth is 23 or older",
        }
    }

    /// A role in the users' words.
    pub fn role(self, role: Role) -> &'static str {
        use Role::*;
        match (self, role) {
            (Lang::Nl, Mentor) => "mentor",
            (Lang::Nl, CareCoordinator) => "zorgcoördinator",
            (Lang::Nl, Gp) => "huisarts",
            (Lang::Nl, PracticeNurseYouth) => "praktijkondersteuner jeugd",
            (Lang::Nl, FamilyWorker) => "gezinswerker",
            (Lang::Nl, TeamLead) => "teamleider",
            (Lang::Nl, YouthDoctor) => "jeugdarts",
            (Lang::Nl, YouthNurse) => "jeugdverpleegkundige",
            (Lang::Nl, YouthWorker) => "jongerenwerker",
            (Lang::Nl, CareProfessional) => "hulpverlener",
            (Lang::Nl, YouthProtector) => "jeugdbeschermer",
            (Lang::Nl, SafeHomeWorker) => "medewerker Veilig Thuis",
            (Lang::Nl, AttendanceOfficer) => "leerplichtambtenaar",
            (Lang::Nl, PrivacyOfficer) => "privacy officer",
            (Lang::Nl, Auditor) => "auditor",
            (Lang::Nl, Admin) => "beheerder",
            (Lang::En, Mentor) => "mentor",
            (Lang::En, CareCoordinator) => "care coordinator",
            (Lang::En, Gp) => "GP",
            (Lang::En, PracticeNurseYouth) => "practice nurse (youth)",
            (Lang::En, FamilyWorker) => "family worker",
            (Lang::En, TeamLead) => "team lead",
            (Lang::En, YouthDoctor) => "youth doctor",
            (Lang::En, YouthNurse) => "youth nurse",
            (Lang::En, YouthWorker) => "youth worker",
            (Lang::En, CareProfessional) => "care professional",
            (Lang::En, YouthProtector) => "youth protector",
            (Lang::En, SafeHomeWorker) => "Veilig Thuis worker",
            (Lang::En, AttendanceOfficer) => "attendance officer",
            (Lang::En, PrivacyOfficer) => "privacy officer",
            (Lang::En, Auditor) => "auditor",
            (Lang::En, Admin) => "administrator",
        }
    }

    /// A kind of organisation in the users' words (ACTION-FRAMEWORK §1).
    pub fn org_kind(self, kind: OrgKind) -> &'static str {
        use OrgKind::*;
        match (self, kind) {
            (Lang::Nl, School) => "school",
            (Lang::Nl, GpPractice) => "huisartspraktijk",
            (Lang::Nl, NeighbourhoodTeam) => "buurtteam",
            (Lang::Nl, YouthHealth) => "jeugdgezondheidszorg",
            (Lang::Nl, YouthWork) => "jongerenwerk",
            (Lang::Nl, CareProvider) => "jeugdhulpaanbieder",
            (Lang::Nl, CertifiedInstitution) => "gecertificeerde instelling",
            (Lang::Nl, SafeHome) => "Veilig Thuis",
            (Lang::Nl, CompulsoryEducation) => "leerplicht",
            (Lang::En, School) => "school",
            (Lang::En, GpPractice) => "GP practice",
            (Lang::En, NeighbourhoodTeam) => "neighbourhood team",
            (Lang::En, YouthHealth) => "youth health care",
            (Lang::En, YouthWork) => "youth work",
            (Lang::En, CareProvider) => "care provider",
            (Lang::En, CertifiedInstitution) => "certified institution",
            (Lang::En, SafeHome) => "Veilig Thuis",
            (Lang::En, CompulsoryEducation) => "compulsory education (leerplicht)",
        }
    }

    /// A recipient kind as a rule names it: an org kind, or the reference index itself.
    pub fn recipient_kind(self, word: &str) -> &'static str {
        match word.parse::<OrgKind>() {
            Ok(kind) => self.org_kind(kind),
            Err(_) if word == crate::framework::vocabulary::REFERENCE_INDEX => match self {
                Lang::Nl => "de verwijsindex",
                Lang::En => "the reference index",
            },
            Err(_) => match self {
                Lang::Nl => "onbekend",
                Lang::En => "unknown",
            },
        }
    }

    /// What a professional does with a signal.
    pub fn action(self, action: Action) -> &'static str {
        match (self, action) {
            (Lang::Nl, Action::Register) => "melden in de verwijsindex",
            (Lang::Nl, Action::Send) => "versturen",
            (Lang::En, Action::Register) => "register with the reference index",
            (Lang::En, Action::Send) => "send",
        }
    }

    /// Who gave a consent.
    pub fn consenter(self, consenter: Consenter) -> &'static str {
        match (self, consenter) {
            (Lang::Nl, Consenter::Youth) => "de jongere",
            (Lang::Nl, Consenter::Parent) => "de ouder (gezaghebbende)",
            (Lang::En, Consenter::Youth) => "the youth",
            (Lang::En, Consenter::Parent) => "the parent (with parental authority)",
        }
    }

    /// The outcome of a decision.
    pub fn outcome(self, outcome: Outcome) -> &'static str {
        match (self, outcome) {
            (Lang::Nl, Outcome::Allow) => "toegestaan",
            (Lang::Nl, Outcome::Deny) => "geweigerd",
            (Lang::En, Outcome::Allow) => "allowed",
            (Lang::En, Outcome::Deny) => "refused",
        }
    }

    /// What a professional must do after an allow.
    pub fn obligation(self, obligation: Obligation) -> &'static str {
        match (self, obligation) {
            (Lang::Nl, Obligation::InformSubject) => "jongere en ouders informeren",
            (Lang::Nl, Obligation::JustificationRequired) => "onderbouwing vastleggen",
            (Lang::Nl, Obligation::PrivacyReview) => "beoordeling door de privacy officer",
            (Lang::En, Obligation::InformSubject) => "inform the youth and parents",
            (Lang::En, Obligation::JustificationRequired) => "record a justification",
            (Lang::En, Obligation::PrivacyReview) => "review by the privacy officer",
        }
    }

    /// An administrative action (a plain role check).
    pub fn admin_action(self, action: AdminAction) -> &'static str {
        use AdminAction::*;
        match (self, action) {
            (Lang::Nl, EditPolicy) => "handelingskader wijzigen",
            (Lang::Nl, ApprovePolicy) => "handelingskader goedkeuren",
            (Lang::Nl, ReadAudit) => "logboek inzien",
            (Lang::Nl, VerifyAudit) => "logboek controleren",
            (Lang::Nl, ExportAudit) => "logboek exporteren",
            (Lang::Nl, ManageOrgs) => "organisaties beheren",
            (Lang::En, EditPolicy) => "edit the policy",
            (Lang::En, ApprovePolicy) => "approve the policy",
            (Lang::En, ReadAudit) => "read the audit log",
            (Lang::En, VerifyAudit) => "verify the audit log",
            (Lang::En, ExportAudit) => "export the audit log",
            (Lang::En, ManageOrgs) => "manage organisations",
        }
    }

    /// Why an organisation ends its involvement (§8), as the radio button says it.
    pub fn withdrawal(self, reason: WithdrawalReason) -> &'static str {
        use WithdrawalReason::*;
        match (self, reason) {
            (Lang::Nl, RiskGone) => "De zorg is weg",
            (Lang::Nl, Unjustified) => "De melding had nooit gemaakt mogen worden",
            (Lang::Nl, Objection) => "Bezwaar van de jongere of ouder is toegewezen",
            (Lang::En, RiskGone) => "The worry is gone",
            (Lang::En, Unjustified) => "The registration should never have been made",
            (Lang::En, Objection) => "The youth's or parent's objection was granted",
        }
    }

    /// What a withdrawal for `reason` means for the registration (§8: only `risk_gone` is
    /// archived, five years, never past the 23rd birthday).
    pub fn withdrawal_meaning(self, reason: WithdrawalReason) -> &'static str {
        use WithdrawalReason::*;
        match (self, reason) {
            (Lang::Nl, RiskGone) => {
                "De melding blijft 5 jaar in het archief van de verwijsindex (nooit na de 23e verjaardag). Meldt een andere organisatie zich in die tijd, dan horen u en zij eenmaal van elkaar."
            }
            (Lang::Nl, Unjustified | Objection) => {
                "De melding gaat niet naar het archief: zij wordt vernietigd, en niemand hoort er later nog van."
            }
            (Lang::En, RiskGone) => {
                "The registration is kept 5 years in the reference index's archive (never past the 23rd birthday). When another organisation registers in that time, you and they hear of each other once."
            }
            (Lang::En, Unjustified | Objection) => {
                "The registration is not archived: it is destroyed, and no one hears of it later."
            }
        }
    }

    /// A notice in the inbox, as the words before and after the other organisation's name.
    /// `registrant`: whether the recipient's organisation registered when the notice was sent
    /// (a historic match tells the registrant who knew the youth before, and the organisation
    /// that knew them who is involved now).
    pub fn notice(self, kind: NoticeKind, registrant: bool) -> (&'static str, &'static str) {
        use NoticeKind::*;
        match (self, kind, registrant) {
            (_, Match, _) => ("", self.texts().also_involved),
            (Lang::Nl, HistoricMatch, true) => ("Deze jongere was eerder bekend bij", ""),
            (Lang::Nl, HistoricMatch, false) => ("", "is nu betrokken bij een jongere die uw organisatie eerder kende"),
            (Lang::Nl, FamilyMatch, _) => ("Een andere jongere uit dit gezin is bekend bij", ""),
            (Lang::En, HistoricMatch, true) => ("This youth was known to", "before"),
            (Lang::En, HistoricMatch, false) => ("", "is now involved with a youth your organisation knew before"),
            (Lang::En, FamilyMatch, _) => ("Another youth of this family is known to", ""),
        }
    }

    /// A registration's historic matches, in a sentence: "Deze jongere was eerder bekend bij …".
    pub fn known_before(self, names: &str) -> String {
        match self {
            Lang::Nl => format!("Deze jongere was eerder bekend bij {names}."),
            Lang::En => format!("This youth was known to {names} before."),
        }
    }

    /// A registration's family matches, in a sentence; nothing about the other youth.
    pub fn family_known(self, names: &str) -> String {
        match self {
            Lang::Nl => format!("Een andere jongere uit dit gezin is bekend bij {names}."),
            Lang::En => format!("Another youth of this family is known to {names}."),
        }
    }

    /// A moment as people read it, in Dutch civil time (the region's): "3 december 2026 06:36".
    pub fn when(self, at: time::OffsetDateTime) -> String {
        let civil = amsterdam(at);
        let month = match self {
            Lang::Nl => MONTHS_NL[usize::from(civil.month() as u8 - 1)],
            Lang::En => MONTHS_EN[usize::from(civil.month() as u8 - 1)],
        };
        format!("{} {month} {} {:02}:{:02}", civil.day(), civil.year(), civil.hour(), civil.minute())
    }

    /// A day as people read it: "3 december 2026".
    pub fn day(self, date: time::Date) -> String {
        let month = match self {
            Lang::Nl => MONTHS_NL[usize::from(date.month() as u8 - 1)],
            Lang::En => MONTHS_EN[usize::from(date.month() as u8 - 1)],
        };
        format!("{} {month} {}", date.day(), date.year())
    }
}

/// A sentence with its first letter capitalised, to stand alone.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The moment in Europe/Amsterdam (summer time included), from jiff's bundled time-zone
/// database: the pages' readers are in the Netherlands whatever the server's zone is.
fn amsterdam(at: time::OffsetDateTime) -> time::PrimitiveDateTime {
    let utc = time::PrimitiveDateTime::new(
        at.to_offset(time::UtcOffset::UTC).date(),
        at.to_offset(time::UtcOffset::UTC).time(),
    );
    let offset_seconds = jiff::tz::TimeZone::get("Europe/Amsterdam")
        .ok()
        .and_then(|zone| {
            let instant = jiff::Timestamp::from_second(at.unix_timestamp()).ok()?;
            Some(zone.to_offset(instant).seconds())
        })
        .unwrap_or(0);
    utc + time::Duration::seconds(i64::from(offset_seconds))
}

/// Every fixed text of the pages.
pub struct Texts {
    pub other_lang_code: &'static str,
    pub other_lang_name: &'static str,
    pub demo_banner: &'static str,
    pub sign_in: &'static str,
    pub sign_in_demo_intro: &'static str,
    pub sign_in_unavailable: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub overview: &'static str,
    pub find_youth: &'static str,
    pub match_notices: &'static str,
    pub no_match_notices: &'static str,
    pub also_involved: &'static str,
    pub requests_received: &'static str,
    pub no_requests: &'static str,
    pub answers_received: &'static str,
    pub no_answers: &'static str,
    pub answer: &'static str,
    pub answered: &'static str,
    pub from: &'static str,
    pub case_ref: &'static str,
    pub bsn: &'static str,
    pub birth_date: &'static str,
    pub birth_date_hint: &'static str,
    pub search: &'static str,
    pub involved_organisations: &'static str,
    pub case_lead: &'static str,
    pub none: &'static str,
    pub not_involved: &'static str,
    pub register_involvement: &'static str,
    pub ask_feedback: &'static str,
    pub record_consent: &'static str,
    pub report_concern: &'static str,
    pub justification: &'static str,
    pub decision_allowed: &'static str,
    pub decision_refused: &'static str,
    pub send: &'static str,
    pub sent: &'static str,
    pub back: &'static str,
    pub status_signal: &'static str,
    pub given_by: &'static str,
    pub youth: &'static str,
    pub parent: &'static str,
    pub consent_rule: &'static str,
    pub recipient_kinds: &'static str,
    pub valid_from: &'static str,
    pub save: &'static str,
    pub consent_recorded: &'static str,
    pub threads: &'static str,
    pub error_title: &'static str,
    pub age_is: &'static str,
    pub consents_held: &'static str,
    pub no_consents: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub consent_revoked: &'static str,
    pub report_to: &'static str,
    pub demo_youth: &'static str,
    pub cancel: &'static str,
    pub what_happens: &'static str,
    pub skip_to_content: &'static str,
    pub menu: &'static str,
    pub menu_admin: &'static str,
    pub menu_settings: &'static str,
    pub menu_policy: &'static str,
    pub menu_review: &'static str,
    pub menu_audit: &'static str,
    pub error_code: &'static str,
    pub to_my_pages: &'static str,
    pub back_to_youth: &'static str,
    pub back_to_answer: &'static str,
    pub registered_next: &'static str,
    pub not_involved_yet: &'static str,
    pub not_involved_explained: &'static str,
    pub consent_needs_consenter: &'static str,
    pub consent_needs_recipient: &'static str,
    pub consent_needs_signal: &'static str,
    pub consent_needs_purpose: &'static str,
    pub consent_until_after_from: &'static str,
    pub consent_check_fields: &'static str,
    pub revoke_heading: &'static str,
    pub revoke_consequence: &'static str,
    pub revoke_audited: &'static str,
    pub revoke_button: &'static str,
    pub recipient_orgs: &'static str,
    pub signals: &'static str,
    pub purposes: &'static str,
    pub valid_until: &'static str,
    pub valid_until_hint: &'static str,
    pub for_request: &'static str,
    pub answers_request: &'static str,
    pub next_step: &'static str,
    pub consent_of_youth: &'static str,
    pub parents_legend: &'static str,
    pub parent_bsn_1: &'static str,
    pub parent_bsn_2: &'static str,
    pub parents_hint: &'static str,
    pub parent_invalid: &'static str,
    pub parent_is_youth: &'static str,
    pub parent_twice: &'static str,
    pub withdraw_section: &'static str,
    pub withdraw_why: &'static str,
    pub withdraw_confirm_heading: &'static str,
    pub withdraw_reason_is: &'static str,
    pub withdraw_consequence: &'static str,
    pub withdraw_audited: &'static str,
    pub withdraw_button: &'static str,
    pub withdrawn_heading: &'static str,
    pub withdrawn: &'static str,
    pub death_section: &'static str,
    pub death_explained: &'static str,
    pub death_record: &'static str,
    pub death_confirm_heading: &'static str,
    pub death_ends: &'static str,
    pub death_not_archived: &'static str,
    pub death_audited: &'static str,
    pub death_button: &'static str,
    pub death_recorded_heading: &'static str,
    pub death_recorded: &'static str,
    pub registered: &'static str,
    pub not_registered: &'static str,
    pub ended: &'static str,
    pub recorded: &'static str,
    pub revoked_done: &'static str,
    pub withdraw_unknown_reason: &'static str,
    pub death_not_related: &'static str,
    pub death_already: &'static str,
}

static NL: Texts = Texts {
    other_lang_code: "en",
    other_lang_name: "English",
    demo_banner: "DEMO — alleen voor ontwikkeling en uitleg. Geen echte gegevens invoeren.",
    sign_in: "Inloggen",
    sign_in_demo_intro: "Kies een demo-professional om mee in te loggen.",
    sign_in_unavailable: "Inloggen via de identiteitsprovider van uw organisatie is nog niet ingericht. Vraag uw beheerder.",
    sign_out: "Uitloggen",
    signed_in_as: "Ingelogd als",
    overview: "Overzicht",
    find_youth: "Jeugdige zoeken",
    match_notices: "Matchberichten",
    no_match_notices: "Geen matchberichten.",
    also_involved: "is ook betrokken",
    requests_received: "Verzoeken om terugkoppeling",
    no_requests: "Geen openstaande verzoeken.",
    answers_received: "Ontvangen antwoorden",
    no_answers: "Nog geen antwoorden.",
    answer: "Beantwoorden",
    answered: "beantwoord",
    from: "van",
    case_ref: "dossierkenmerk",
    bsn: "BSN",
    birth_date: "Geboortedatum",
    birth_date_hint: "jjjj-mm-dd, nodig als de jeugdige nog niet bekend is",
    search: "Zoeken",
    involved_organisations: "Betrokken organisaties",
    case_lead: "Regievoerder",
    none: "geen",
    not_involved: "Uw organisatie is (nog) niet betrokken bij deze jeugdige.",
    register_involvement: "Betrokkenheid melden",
    ask_feedback: "Om terugkoppeling vragen",
    record_consent: "Toestemming vastleggen",
    report_concern: "Zorgmelding bij Veilig Thuis",
    justification: "Onderbouwing (verplicht)",
    decision_allowed: "Mag verstuurd worden",
    decision_refused: "Mag niet verstuurd worden",
    send: "Versturen",
    sent: "Verstuurd.",
    back: "Terug naar het overzicht",
    status_signal: "Antwoord",
    given_by: "Gegeven door",
    youth: "de jongere",
    parent: "de ouder (gezaghebbende)",
    consent_rule: "Onder 12 jaar geeft de ouder toestemming; van 12 tot 16 jongere én ouder; vanaf 16 de jongere zelf.",
    recipient_kinds: "Aan organisaties van het soort",
    valid_from: "Geldig vanaf",
    save: "Vastleggen",
    consent_recorded: "Toestemming vastgelegd.",
    threads: "Verzoeken en antwoorden",
    error_title: "Er ging iets mis",
    age_is: "De jeugdige is",
    consents_held: "Toestemmingen van uw organisatie",
    no_consents: "Uw organisatie heeft geen toestemming vastgelegd.",
    revoke: "Intrekken",
    revoked: "ingetrokken",
    consent_revoked: "Toestemming ingetrokken.",
    report_to: "Melden bij",
    demo_youth: "Demo-jeugdige (verzonnen) om mee te oefenen",
    cancel: "Annuleren",
    what_happens: "Wat er gebeurt",
    skip_to_content: "Naar de inhoud",
    menu: "Menu",
    menu_admin: "Beheer",
    menu_settings: "Meldingen",
    menu_policy: "Handelingskader",
    menu_review: "Beoordelen",
    menu_audit: "Logboek",
    error_code: "Foutcode",
    to_my_pages: "Naar mijn startpagina",
    back_to_youth: "Terug naar de jeugdige",
    back_to_answer: "Terug naar het verzoek: antwoord opnieuw versturen",
    registered_next: "Op de pagina van de jeugdige ziet u wie nog meer betrokken is en kunt u om terugkoppeling vragen.",
    not_involved_yet: "Nog niet betrokken",
    not_involved_explained: "U kunt deze organisaties om terugkoppeling vragen zodra zij ook betrokken zijn. Meldt een van hen zich, dan krijgen u en zij allebei een matchbericht.",
    consent_needs_consenter: "Kies wie de toestemming gaf: de jongere, de ouder, of allebei.",
    consent_needs_recipient: "Kies ten minste één ontvanger: een organisatie of een soort organisatie.",
    consent_needs_signal: "Kies ten minste één bericht waarvoor de toestemming geldt.",
    consent_needs_purpose: "Kies ten minste één doel.",
    consent_until_after_from: "De einddatum moet na de begindatum liggen.",
    consent_check_fields: "Controleer de velden: datums als jjjj-mm-dd, keuzes uit de lijsten.",
    revoke_heading: "Toestemming intrekken?",
    revoke_consequence: "Vanaf nu mag uw organisatie op grond van deze toestemming niets meer versturen; wat al verstuurd is, blijft verstuurd.",
    revoke_audited: "Het intrekken kan niet ongedaan worden gemaakt: daarvoor is een nieuwe toestemming nodig. Het komt in het logboek.",
    revoke_button: "Ja, toestemming intrekken",
    recipient_orgs: "Aan deze organisaties",
    signals: "Voor deze berichten",
    purposes: "Voor dit doel",
    valid_until: "Geldig tot (niet verplicht)",
    valid_until_hint: "leeg laten als de toestemming geen einddatum heeft",
    for_request: "Voor de jeugdige van",
    answers_request: "U beantwoordt",
    next_step: "Wat wel kan",
    consent_of_youth: "De jeugdige",
    parents_legend: "Ouders (niet verplicht)",
    parent_bsn_1: "BSN van ouder 1",
    parent_bsn_2: "BSN van ouder 2",
    parents_hint: "Alleen voor de gezinsmatch: is een andere jongere uit dit gezin bekend, dan horen u en die organisatie van elkaar. Het BSN wordt gepseudonimiseerd bewaard en nergens getoond, ook hier niet.",
    parent_invalid: "Geen geldig BSN van een ouder: negen cijfers die de elfproef doorstaan. Vul het opnieuw in.",
    parent_is_youth: "Dit is het BSN van de jeugdige zelf, niet van een ouder. Vul het opnieuw in.",
    parent_twice: "Deze ouder staat er al: noem elke ouder één keer.",
    withdraw_section: "Betrokkenheid beëindigen",
    withdraw_why: "Waarom beëindigt uw organisatie de betrokkenheid?",
    withdraw_confirm_heading: "Betrokkenheid van uw organisatie beëindigen?",
    withdraw_reason_is: "Reden",
    withdraw_consequence: "Uw organisatie is daarna niet meer betrokken bij deze jongere: u kunt geen terugkoppeling meer vragen of geven, en de andere betrokken organisaties zien uw organisatie niet meer staan.",
    withdraw_audited: "Dit kan niet ongedaan worden gemaakt; u kunt uw betrokkenheid later wel opnieuw melden. Het komt in het logboek.",
    withdraw_button: "Ja, betrokkenheid beëindigen",
    withdrawn_heading: "Betrokkenheid beëindigd",
    withdrawn: "Uw organisatie is niet meer betrokken bij deze jongere.",
    death_section: "Overlijden van de jongere",
    death_explained: "Is de jongere overleden? Leg het dan hier vast: elke betrokkenheid en maatregel eindigt.",
    death_record: "Overlijden vastleggen",
    death_confirm_heading: "Overlijden van de jongere vastleggen?",
    death_ends: "Elke betrokkenheid en elke kinderbeschermingsmaatregel voor deze jongere eindigt nu, ook die van de andere organisaties.",
    death_not_archived: "Niets gaat naar het archief: er volgt geen historische match, en de gegevens van de jongere worden vernietigd.",
    death_audited: "Dit kan niet ongedaan worden gemaakt. Het komt in het logboek; de andere organisaties krijgen er geen bericht van.",
    death_button: "Ja, overlijden vastleggen",
    death_recorded_heading: "Overlijden vastgelegd",
    death_recorded: "Het overlijden is vastgelegd. Elke betrokkenheid en maatregel voor deze jongere is beëindigd; er gaat niets naar het archief.",
    registered: "Geregistreerd.",
    not_registered: "Niet geregistreerd",
    ended: "Beëindigd.",
    recorded: "Vastgelegd.",
    revoked_done: "Ingetrokken.",
    withdraw_unknown_reason: "Kies een reden uit de lijst: de zorg is weg, de melding had nooit gemaakt mogen worden, of een bezwaar is toegewezen.",
    death_not_related: "Alleen een organisatie die betrokken is bij deze jeugdige kan het overlijden vastleggen. Uw organisatie is dat niet (meer); is het overlijden al vastgelegd, dan is elke betrokkenheid al beëindigd.",
    death_already: "Het overlijden van deze jeugdige is al vastgelegd; er is niets veranderd.",
};

static EN: Texts = Texts {
    other_lang_code: "nl",
    other_lang_name: "Nederlands",
    demo_banner: "DEMO — for development and explanation only. Do not enter real data.",
    sign_in: "Sign in",
    sign_in_demo_intro: "Choose a demo professional to sign in as.",
    sign_in_unavailable: "Signing in with your organisation's identity provider is not set up yet. Ask your administrator.",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    overview: "Overview",
    find_youth: "Find a youth",
    match_notices: "Match notices",
    no_match_notices: "No match notices.",
    also_involved: "is involved too",
    requests_received: "Feedback requests",
    no_requests: "No open requests.",
    answers_received: "Answers received",
    no_answers: "No answers yet.",
    answer: "Answer",
    answered: "answered",
    from: "from",
    case_ref: "case reference",
    bsn: "BSN",
    birth_date: "Birth date",
    birth_date_hint: "yyyy-mm-dd, needed when the youth is not known yet",
    search: "Search",
    involved_organisations: "Organisations involved",
    case_lead: "Case lead",
    none: "none",
    not_involved: "Your organisation is not (yet) involved with this youth.",
    register_involvement: "Register involvement",
    ask_feedback: "Ask for feedback",
    record_consent: "Record consent",
    report_concern: "Report a safety concern to Veilig Thuis",
    justification: "Justification (required)",
    decision_allowed: "May be sent",
    decision_refused: "May not be sent",
    send: "Send",
    sent: "Sent.",
    back: "Back to the overview",
    status_signal: "Answer",
    given_by: "Given by",
    youth: "the youth",
    parent: "the parent (with parental authority)",
    consent_rule: "Under 12 the parent consents; from 12 to 16 youth and parent; from 16 the youth alone.",
    recipient_kinds: "To organisations of the kind",
    valid_from: "Valid from",
    save: "Record",
    consent_recorded: "Consent recorded.",
    threads: "Requests and answers",
    error_title: "Something went wrong",
    age_is: "The youth is",
    consents_held: "Consents your organisation holds",
    no_consents: "Your organisation has recorded no consent.",
    revoke: "Revoke",
    revoked: "revoked",
    consent_revoked: "Consent revoked.",
    report_to: "Report to",
    demo_youth: "A made-up demo youth to try with",
    cancel: "Cancel",
    what_happens: "What will happen",
    skip_to_content: "Skip to content",
    menu: "Menu",
    menu_admin: "Administration",
    menu_settings: "Notices",
    menu_policy: "Action framework",
    menu_review: "Review",
    menu_audit: "Audit log",
    error_code: "Error code",
    to_my_pages: "To my start page",
    back_to_youth: "Back to the youth",
    back_to_answer: "Back to the request: send the answer again",
    registered_next: "On the youth's page you see who else is involved and can ask for feedback.",
    not_involved_yet: "Not involved yet",
    not_involved_explained: "You can ask these organisations for feedback once they are involved too. When one of them registers, you and they both receive a match notice.",
    consent_needs_consenter: "Choose who gave the consent: the youth, the parent, or both.",
    consent_needs_recipient: "Choose at least one recipient: an organisation or a kind of organisation.",
    consent_needs_signal: "Choose at least one message the consent covers.",
    consent_needs_purpose: "Choose at least one purpose.",
    consent_until_after_from: "The end date must be after the start date.",
    consent_check_fields: "Check the fields: dates as yyyy-mm-dd, choices from the lists.",
    revoke_heading: "Revoke this consent?",
    revoke_consequence: "From now on your organisation may send nothing on the strength of this consent; what was sent stays sent.",
    revoke_audited: "Revoking cannot be undone: that takes a new consent. It goes into the audit log.",
    revoke_button: "Yes, revoke the consent",
    recipient_orgs: "To these organisations",
    signals: "For these messages",
    purposes: "For this purpose",
    valid_until: "Valid until (optional)",
    valid_until_hint: "leave empty when the consent has no end date",
    for_request: "For the youth of",
    answers_request: "You are answering",
    next_step: "What is possible",
    consent_of_youth: "The youth",
    parents_legend: "Parents (optional)",
    parent_bsn_1: "BSN of parent 1",
    parent_bsn_2: "BSN of parent 2",
    parents_hint: "Only for the family match: when another youth of this family is known, you and that organisation hear of each other. The BSN is kept pseudonymised and shown nowhere, not here either.",
    parent_invalid: "Not a valid BSN of a parent: nine digits that pass the elfproef. Enter it again.",
    parent_is_youth: "This is the youth's own BSN, not a parent's. Enter it again.",
    parent_twice: "This parent is named already: name each parent once.",
    withdraw_section: "End your involvement",
    withdraw_why: "Why does your organisation end its involvement?",
    withdraw_confirm_heading: "End your organisation's involvement?",
    withdraw_reason_is: "Reason",
    withdraw_consequence: "From then on your organisation is no longer involved with this youth: you can no longer ask for or give feedback, and the other organisations involved no longer see yours.",
    withdraw_audited: "This cannot be undone; you can register your involvement again later. It goes into the audit log.",
    withdraw_button: "Yes, end the involvement",
    withdrawn_heading: "Involvement ended",
    withdrawn: "Your organisation is no longer involved with this youth.",
    death_section: "The youth's death",
    death_explained: "Has the youth died? Then record it here: every involvement and measure ends.",
    death_record: "Record the death",
    death_confirm_heading: "Record the youth's death?",
    death_ends: "Every involvement and every child protection measure for this youth ends now, also those of the other organisations.",
    death_not_archived: "Nothing is archived: no historic match follows, and the youth's data are destroyed.",
    death_audited: "This cannot be undone. It goes into the audit log; the other organisations receive no message about it.",
    death_button: "Yes, record the death",
    death_recorded_heading: "Death recorded",
    death_recorded: "The death is recorded. Every involvement and measure for this youth has ended; nothing is archived.",
    registered: "Registered.",
    not_registered: "Not registered",
    ended: "Ended.",
    recorded: "Recorded.",
    revoked_done: "Revoked.",
    withdraw_unknown_reason: "Choose a reason from the list: the worry is gone, the registration should never have been made, or an objection was granted.",
    death_not_related: "Only an organisation involved with this youth can record the death. Yours is not (or no longer); when the death is recorded already, every involvement has ended already.",
    death_already: "This youth's death is recorded already; nothing was changed.",
};

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_read_as_dutch_civil_time_in_winter_and_summer() {
        assert_eq!(Lang::Nl.when(datetime!(2026-12-03 06:36:06.620032 UTC)), "3 december 2026 07:36");
        assert_eq!(Lang::En.when(datetime!(2026-07-01 22:05 UTC)), "2 July 2026 00:05");
        assert_eq!(Lang::Nl.day(time::macros::date!(2026 - 03 - 29)), "29 maart 2026");
    }

    #[test]
    fn every_word_of_the_closed_vocabulary_has_words_in_both_languages() {
        for lang in [Lang::Nl, Lang::En] {
            let words: Vec<&str> = OrgKind::ALL
                .iter()
                .map(|k| lang.org_kind(*k))
                .chain(Role::ALL.iter().map(|r| lang.role(*r)))
                .chain(Signal::ALL.iter().map(|s| lang.signal(*s)))
                .chain(Purpose::ALL.iter().map(|p| lang.purpose(*p)))
                .chain(Basis::ALL.iter().map(|b| lang.basis(*b)))
                .chain(DenyReason::ALL.iter().map(|r| lang.reason(*r)))
                .chain(Action::ALL.iter().map(|a| lang.action(*a)))
                .chain(AdminAction::ALL.iter().map(|a| lang.admin_action(*a)))
                .chain(Obligation::ALL.iter().map(|o| lang.obligation(*o)))
                .chain(Consenter::ALL.iter().map(|c| lang.consenter(*c)))
                .chain(Outcome::ALL.iter().map(|o| lang.outcome(*o)))
                .chain(WithdrawalReason::ALL.iter().flat_map(|r| [lang.withdrawal(*r), lang.withdrawal_meaning(*r)]))
                .chain(NoticeKind::ALL.iter().flat_map(|k| {
                    let ((before, after), (other_before, other_after)) =
                        (lang.notice(*k, true), lang.notice(*k, false));
                    [before, after, other_before, other_after].into_iter().filter(|words| !words.is_empty())
                }))
                .collect();
            for word in words {
                assert!(!word.is_empty() && !word.contains('_'), "{lang:?}: {word:?} reads as code");
            }
        }
        assert_eq!(Lang::Nl.recipient_kind("reference_index"), "de verwijsindex");
        // A notice names the other organisation, never the other youth (§8).
        assert_eq!(Lang::Nl.notice(NoticeKind::HistoricMatch, true), ("Deze jongere was eerder bekend bij", ""));
        assert_eq!(Lang::En.notice(NoticeKind::HistoricMatch, true), ("This youth was known to", "before"));
        assert_eq!(Lang::En.family_known("Buurtteam Oost"), "Another youth of this family is known to Buurtteam Oost.");
        assert_eq!(Lang::Nl.recipient_kind("gp_practice"), "huisartspraktijk");
    }
}
