//! From a decision to what the professional can do next: the refusal in the professional's
//! words, and the one step that would make the exchange possible (ACTION-FRAMEWORK §6's
//! reasons, read backwards). Pure: the page turns a [`Step`] into a button that carries what is
//! already known (the youth, the recipient, the signal, the purpose).

use super::i18n::Lang;
use crate::framework::{Action, Consenter, Decision, DenyReason, ExchangeRequest};

/// What would make a refused exchange possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Record these consenters' consent, scoped to this exchange.
    RecordConsent(Vec<Consenter>),
    /// Register the sender's own involvement first.
    RegisterFirst,
    /// Nothing the sender can do: the recipient must be involved too.
    RecipientMustBeInvolved,
    /// The rule table does not provide for it: a question for the privacy officer.
    AskPrivacyOfficer,
    /// Write the justification the reporting code asks for.
    Justify,
    /// No step exists (no measure, not the reporter): the words say why.
    None,
}

/// Whose consent the framework needs at this age (§3).
pub fn required_consenters(age: u32) -> Vec<Consenter> {
    match age {
        0..=11 => vec![Consenter::Parent],
        12..=15 => vec![Consenter::Youth, Consenter::Parent],
        _ => vec![Consenter::Youth],
    }
}

/// The step after a refusal.
pub fn step(decision: &Decision, age: u32) -> Step {
    use DenyReason::*;
    match decision.reason {
        None => Step::None,
        Some(ConsentMissingYouth) => Step::RecordConsent(vec![Consenter::Youth]),
        Some(ConsentMissingParent) => Step::RecordConsent(vec![Consenter::Parent]),
        Some(ConsentMissing | ConsentRevoked | ConsentExpired | ConsentOutOfScope) => {
            Step::RecordConsent(required_consenters(age))
        }
        Some(NoRelationship) => Step::RegisterFirst,
        Some(RecipientNoRelationship) => Step::RecipientMustBeInvolved,
        Some(NoRule) => Step::AskPrivacyOfficer,
        Some(JustificationRequired) => Step::Justify,
        Some(NoActiveMeasure | NotReporter | YouthTooOld) => Step::None,
    }
}

/// The words of a step: what would make it possible. `recipient` is the recipient's name.
pub fn step_words(lang: Lang, step: &Step, request: &ExchangeRequest, recipient: &str) -> String {
    let nl = lang == Lang::Nl;
    match step {
        Step::RecordConsent(consenters) => {
            let who = consenters.iter().map(|c| lang.consenter(*c)).collect::<Vec<_>>().join(if nl { " en " } else { " and " });
            if nl {
                format!(
                    "Het kan wel met toestemming van {who}, vastgelegd door uw organisatie voor {} aan {recipient} voor {}.",
                    lang.signal(request.signal),
                    lang.purpose(request.purpose)
                )
            } else {
                format!(
                    "It is possible with the consent of {who}, recorded by your organisation for {} to {recipient} for {}.",
                    lang.signal(request.signal),
                    lang.purpose(request.purpose)
                )
            }
        }
        Step::RegisterFirst => if nl {
            "Uw organisatie is niet (meer) betrokken bij deze jeugdige. Meld eerst uw betrokkenheid; daarna kunt u dit versturen."
        } else {
            "Your organisation is not (or no longer) involved with this youth. Register your involvement first; then you can send this."
        }
        .into(),
        Step::RecipientMustBeInvolved => {
            if nl {
                format!(
                    "{recipient} is nog niet betrokken bij deze jeugdige; u kunt om terugkoppeling vragen zodra zij ook betrokken zijn. Meldt {recipient} zich, dan krijgen u en zij allebei een matchbericht."
                )
            } else {
                format!(
                    "{recipient} is not involved with this youth yet; you can ask for feedback as soon as they are involved too. When {recipient} registers, you and they both receive a match notice."
                )
            }
        }
        Step::AskPrivacyOfficer => {
            let role = request.role;
            if nl {
                format!(
                    "Het handelingskader van de regio staat een {} van een {} niet toe om {} te versturen aan {} voor {}. Hoort dit wel te kunnen, bespreek het dan met de privacy officer van uw organisatie.",
                    lang.role(role),
                    lang.org_kind(request.actor.kind),
                    lang.signal(request.signal),
                    request.recipient.as_ref().map_or(lang.recipient_kind("reference_index"), |r| lang.org_kind(r.kind)),
                    lang.purpose(request.purpose)
                )
            } else {
                format!(
                    "The region's action framework does not let a {} of a {} send {} to a {} for {}. If it should, discuss it with your organisation's privacy officer.",
                    lang.role(role),
                    lang.org_kind(request.actor.kind),
                    lang.signal(request.signal),
                    request.recipient.as_ref().map_or(lang.recipient_kind("reference_index"), |r| lang.org_kind(r.kind)),
                    lang.purpose(request.purpose)
                )
            }
        }
        Step::Justify => if nl {
            "Een zorgmelding volgens de meldcode vraagt een onderbouwing: schrijf op waarom u meldt."
        } else {
            "A report under the reporting code needs a justification: write down why you report."
        }
        .into(),
        Step::None => String::new(),
    }
}

/// The button of a consent step: "Toestemming van de ouder vastleggen".
pub fn consent_button(lang: Lang, consenters: &[Consenter]) -> String {
    let nl = lang == Lang::Nl;
    let who = consenters.iter().map(|c| lang.consenter(*c)).collect::<Vec<_>>().join(if nl { " en " } else { " and " });
    if nl { format!("Toestemming van {who} vastleggen") } else { format!("Record the consent of {who}") }
}

/// The refusal's reason in words, with the age when consent is at stake. A registration is
/// not sent but registered, and one refused for the youth's age says how far the reference
/// index reaches (§8), since nothing else would make it possible.
pub fn refusal_words(lang: Lang, action: Action, decision: &Decision, age: u32) -> String {
    let reason = decision.reason.unwrap_or(DenyReason::NoRule);
    if reason == DenyReason::YouthTooOld {
        return match lang {
            Lang::Nl => format!(
                "Niet geregistreerd: de jongere is {age}, en de verwijsindex reikt tot de 23e verjaardag. Niemand kan deze jongere nog melden."
            ),
            Lang::En => format!(
                "Not registered: the youth is {age}, and the reference index reaches youths up to their 23rd birthday. No one can register them any more."
            ),
        };
    }
    let consent = matches!(step(decision, age), Step::RecordConsent(_));
    let mut words = match (lang, action) {
        (Lang::Nl, Action::Register) => format!("Niet geregistreerd: {}.", lang.reason(reason)),
        (Lang::En, Action::Register) => format!("Not registered: {}.", lang.reason(reason)),
        (Lang::Nl, Action::Send) => format!("Niet verstuurd: {}.", lang.reason(reason)),
        (Lang::En, Action::Send) => format!("Not sent: {}.", lang.reason(reason)),
    };
    if consent {
        let age_words = match lang {
            Lang::Nl => format!(" De jongere is {age}: {}.", lang.who_consents(age)),
            Lang::En => format!(" The youth is {age}: {}.", lang.who_consents(age)),
        };
        words.push_str(&age_words);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{OrgId, OrgKind, Outcome, Party, Purpose, Role, Signal};

    fn refused(reason: DenyReason) -> Decision {
        Decision {
            decision: Outcome::Deny,
            basis: None,
            reason: Some(reason),
            matched_rules: vec!["R3".into()],
            policy_version: "v".into(),
            obligations: Vec::new(),
            consents: Vec::new(),
        }
    }

    fn answer() -> ExchangeRequest {
        let team = Party { org: OrgId("buurtteam-oost".into()), kind: OrgKind::NeighbourhoodTeam };
        let school = Party { org: OrgId("lyceum-noord".into()), kind: OrgKind::School };
        ExchangeRequest::new(
            team,
            Role::FamilyWorker,
            Action::Send,
            Signal::HelpStarted,
            Some(school),
            Purpose::CareCoordination,
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_missing_consent_leads_to_recording_exactly_the_consent_that_is_missing() {
        assert_eq!(step(&refused(DenyReason::ConsentMissingParent), 14), Step::RecordConsent(vec![Consenter::Parent]));
        assert_eq!(
            step(&refused(DenyReason::ConsentMissing), 14),
            Step::RecordConsent(vec![Consenter::Youth, Consenter::Parent])
        );
        assert_eq!(step(&refused(DenyReason::ConsentMissing), 9), Step::RecordConsent(vec![Consenter::Parent]));
        assert_eq!(step(&refused(DenyReason::ConsentRevoked), 17), Step::RecordConsent(vec![Consenter::Youth]));
        assert_eq!(
            consent_button(Lang::Nl, &[Consenter::Parent]),
            "Toestemming van de ouder (gezaghebbende) vastleggen"
        );
        let words = step_words(Lang::Nl, &Step::RecordConsent(vec![Consenter::Parent]), &answer(), "Lyceum Noord");
        assert!(words.contains("hulp gestart aan Lyceum Noord voor afstemming van zorg"), "{words}");
    }

    #[test]
    fn every_refusal_says_in_words_what_would_make_it_possible() {
        for reason in DenyReason::ALL {
            let decision = refused(*reason);
            for lang in [Lang::Nl, Lang::En] {
                let said = refusal_words(lang, Action::Send, &decision, 14);
                let next = step_words(lang, &step(&decision, 14), &answer(), "Lyceum Noord");
                assert!(!said.contains('_') && !next.contains('_'), "{reason:?}: {said} {next}");
                let dead_end =
                    matches!(reason, DenyReason::NoActiveMeasure | DenyReason::NotReporter | DenyReason::YouthTooOld);
                assert_eq!(next.is_empty(), dead_end, "{reason:?} {lang:?}");
            }
        }
        let too_old = refusal_words(Lang::Nl, Action::Register, &refused(DenyReason::YouthTooOld), 24);
        assert_eq!(
            too_old,
            "Niet geregistreerd: de jongere is 24, en de verwijsindex reikt tot de 23e verjaardag. Niemand kan deze jongere nog melden."
        );
        assert_eq!(step(&refused(DenyReason::YouthTooOld), 24), Step::None);
        let nobody = step_words(Lang::Nl, &Step::RecipientMustBeInvolved, &answer(), "Buurtteam Oost");
        assert!(nobody.starts_with("Buurtteam Oost is nog niet betrokken"), "{nobody}");
        let no_rule = step_words(Lang::Nl, &Step::AskPrivacyOfficer, &answer(), "Lyceum Noord");
        assert!(no_rule.contains("gezinswerker van een buurtteam") && no_rule.contains("aan school"), "{no_rule}");
    }
}
