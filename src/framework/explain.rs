//! Decisions in plain words for the professional: why, and what would make it possible
//! (DESIGN.md: "explains every refusal in words a professional understands").

use super::decision::Decision;
use super::request::ExchangeRequest;
use super::vocabulary::{Action, Basis, DenyReason};

/// Who must agree at this age, in words (§3).
fn who_must_agree(age: u32) -> &'static str {
    match age {
        0..=11 => "the parent must agree",
        12..=15 => "both youth and parent must agree",
        _ => "the youth decides alone",
    }
}

/// The decision as one or two sentences. `age` is the youth's age at T.
pub fn explain(request: &ExchangeRequest, decision: &Decision, age: u32) -> String {
    if let Some(basis) = decision.basis {
        return match (request.action, basis) {
            (Action::Register, _) => {
                "Registered in the reference index. Tell the youth and the parents about the registration.".into()
            }
            (_, Basis::SchoolAttendanceDuty) => "Allowed: the school's duty to report absence (Leerplichtwet art. 21a).".into(),
            (_, Basis::ReportingCode) => {
                "Allowed: the right to report under the reporting code (meldcode). A privacy officer will review the report."
                    .into()
            }
            (_, Basis::ReporterFeedback) => "Allowed: Veilig Thuis informs the organisation that reported.".into(),
            (_, Basis::ChildProtectionMeasure) => {
                "Allowed: a child-protection measure is in force (Jeugdwet art. 7.3.11).".into()
            }
            (_, Basis::ReferenceIndex) => "Allowed: both organisations are involved with this youth.".into(),
            (_, Basis::Consent) => format!("Allowed: the required consent was given (the youth is {age}: {}).", who_must_agree(age)),
        };
    }
    let recipient = request.recipient.as_ref().map_or("the reference index", |r| r.kind.as_str());
    match decision.reason.unwrap_or(DenyReason::NoRule) {
        DenyReason::NoRule => format!(
            "Not allowed: no rule lets a {} of a {} send {} to a {recipient} for {}.",
            request.role, request.actor.kind, request.signal, request.purpose
        ),
        DenyReason::NoRelationship => {
            "Not sent: your organisation is not involved with this youth. Register your involvement first.".into()
        }
        DenyReason::RecipientNoRelationship => "Not sent: the recipient is not involved with this youth.".into(),
        DenyReason::ConsentMissing => {
            format!("Not sent: consent is missing. The youth is {age}: {}.", who_must_agree(age))
        }
        DenyReason::ConsentMissingYouth => {
            format!("Not sent: the youth's consent is missing. The youth is {age}: {}.", who_must_agree(age))
        }
        DenyReason::ConsentMissingParent => {
            format!("Not sent: the parent's consent is missing. The youth is {age}: {}.", who_must_agree(age))
        }
        DenyReason::ConsentRevoked => "Not sent: the consent was revoked. Ask for consent again.".into(),
        DenyReason::ConsentExpired => {
            "Not sent: the consent is not valid now (it expired or has not started). Ask for a new consent.".into()
        }
        DenyReason::ConsentOutOfScope => {
            "Not sent: the consent does not cover this recipient, signal or purpose. Ask for consent that does.".into()
        }
        DenyReason::NoActiveMeasure => "Not sent: no child-protection measure is in force for this youth.".into(),
        DenyReason::NotReporter => "Not sent: that organisation did not report this youth to Veilig Thuis.".into(),
        DenyReason::JustificationRequired => {
            "Not sent: a report under the reporting code needs a justification.".into()
        }
        DenyReason::YouthTooOld => {
            format!("Not registered: the youth is {age}. The reference index reaches youths up to their 23rd birthday.")
        }
    }
}

/// Who must agree at this age, in Dutch.
fn wie_moet_instemmen(age: u32) -> &'static str {
    match age {
        0..=11 => "de ouder moet toestemming geven",
        12..=15 => "jongere én ouder moeten toestemming geven",
        _ => "de jongere beslist zelf",
    }
}

/// The decision in Dutch, for the professionals' pages (DESIGN.md, "Words the users use").
pub fn explain_nl(request: &ExchangeRequest, decision: &Decision, age: u32) -> String {
    if let Some(basis) = decision.basis {
        return match (request.action, basis) {
            (Action::Register, _) => {
                "Geregistreerd in de verwijsindex. Informeer de jongere en de ouders over de melding.".into()
            }
            (_, Basis::SchoolAttendanceDuty) => {
                "Toegestaan: de school moet verzuim melden (Leerplichtwet art. 21a).".into()
            }
            (_, Basis::ReportingCode) => {
                "Toegestaan: meldrecht volgens de meldcode. Een privacy officer beoordeelt de melding.".into()
            }
            (_, Basis::ReporterFeedback) => "Toegestaan: Veilig Thuis informeert de melder.".into(),
            (_, Basis::ChildProtectionMeasure) => {
                "Toegestaan: er loopt een kinderbeschermingsmaatregel (Jeugdwet art. 7.3.11).".into()
            }
            (_, Basis::ReferenceIndex) => "Toegestaan: beide organisaties zijn betrokken bij deze jongere.".into(),
            (_, Basis::Consent) => {
                format!(
                    "Toegestaan: de vereiste toestemming is gegeven (de jongere is {age}: {}).",
                    wie_moet_instemmen(age)
                )
            }
        };
    }
    match decision.reason.unwrap_or(DenyReason::NoRule) {
        DenyReason::NoRule => "Niet toegestaan: het handelingskader staat deze uitwisseling niet toe.".into(),
        DenyReason::NoRelationship => {
            "Niet verstuurd: uw organisatie is niet betrokken bij deze jongere. Meld eerst uw betrokkenheid.".into()
        }
        DenyReason::RecipientNoRelationship => "Niet verstuurd: de ontvanger is niet betrokken bij deze jongere.".into(),
        DenyReason::ConsentMissing => {
            format!("Niet verstuurd: toestemming ontbreekt. De jongere is {age}: {}.", wie_moet_instemmen(age))
        }
        DenyReason::ConsentMissingYouth => {
            format!("Niet verstuurd: toestemming van de jongere ontbreekt. De jongere is {age}: {}.", wie_moet_instemmen(age))
        }
        DenyReason::ConsentMissingParent => {
            format!("Niet verstuurd: toestemming van de ouder ontbreekt. De jongere is {age}: {}.", wie_moet_instemmen(age))
        }
        DenyReason::ConsentRevoked => "Niet verstuurd: de toestemming is ingetrokken. Vraag opnieuw toestemming.".into(),
        DenyReason::ConsentExpired => {
            "Niet verstuurd: de toestemming is nu niet geldig (verlopen of nog niet ingegaan). Vraag nieuwe toestemming.".into()
        }
        DenyReason::ConsentOutOfScope => {
            "Niet verstuurd: de toestemming geldt niet voor deze ontvanger, dit signaal of dit doel.".into()
        }
        DenyReason::NoActiveMeasure => "Niet verstuurd: er loopt geen kinderbeschermingsmaatregel voor deze jongere.".into(),
        DenyReason::NotReporter => "Niet verstuurd: die organisatie heeft deze jongere niet gemeld bij Veilig Thuis.".into(),
        DenyReason::JustificationRequired => "Niet verstuurd: een melding volgens de meldcode vraagt om een onderbouwing.".into(),
        DenyReason::YouthTooOld => {
            format!("Niet geregistreerd: de jongere is {age}. De verwijsindex reikt tot de 23e verjaardag.")
        }
    }
}
