//! A professional's request for an exchange, checked against the closed vocabulary.
//!
//! Everything that can be wrong with a request before any fact is consulted is an
//! [`InputError`] (HTTP 422, a scenario's `error:`), not a deny.

use super::facts::Party;
use super::vocabulary::{Action, OrgKind, Purpose, Role, Signal, VocabularyError};

/// A justification longer than this is not a justification but a file: refuse it.
const MAX_JUSTIFICATION_CHARS: usize = 2_000;

/// Bad input, with the stable codes of the scenario format and the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("invalid BSN: {0}")]
    InvalidBsn(String),
    #[error("the role `{role}` does not exist in an organisation of kind `{org_kind}`; allowed: {allowed}")]
    InvalidRole { role: String, org_kind: OrgKind, allowed: String },
    #[error("unknown organisation `{0}`")]
    UnknownOrg(String),
    #[error("{0}")]
    UnknownSignal(VocabularyError),
    #[error("{0}")]
    UnknownPurpose(VocabularyError),
    #[error("{0}")]
    UnknownAction(VocabularyError),
    #[error("{0}")]
    UnknownWithdrawalReason(VocabularyError),
    #[error("{0}")]
    InvalidRequest(String),
}

impl InputError {
    /// The stable snake_case code (`invalid_bsn`, `unknown_signal`, …).
    pub fn code(&self) -> &'static str {
        match self {
            InputError::InvalidBsn(_) => "invalid_bsn",
            InputError::InvalidRole { .. } => "invalid_role",
            InputError::UnknownOrg(_) => "unknown_org",
            InputError::UnknownSignal(_) => "unknown_signal",
            InputError::UnknownPurpose(_) => "unknown_purpose",
            InputError::UnknownAction(_) => "unknown_action",
            InputError::UnknownWithdrawalReason(_) => "unknown_withdrawal_reason",
            InputError::InvalidRequest(_) => "invalid_request",
        }
    }

    /// A role word for `org_kind` that is unknown or belongs to another kind.
    pub fn invalid_role(role: &str, org_kind: OrgKind) -> Self {
        let mut allowed: Vec<&str> = org_kind.professional_roles().iter().map(|r| r.as_str()).collect();
        allowed.extend(["privacy_officer", "auditor", "admin"]);
        InputError::InvalidRole { role: role.to_owned(), org_kind, allowed: allowed.join(", ") }
    }
}

impl From<VocabularyError> for InputError {
    fn from(error: VocabularyError) -> Self {
        match error.what {
            "signal" => InputError::UnknownSignal(error),
            "purpose" => InputError::UnknownPurpose(error),
            "action" => InputError::UnknownAction(error),
            "withdrawal reason" => InputError::UnknownWithdrawalReason(error),
            _ => InputError::InvalidRequest(error.to_string()),
        }
    }
}

/// A checked request: the role exists in the actor's org kind, and the shape fits the action
/// (`register` an `involvement` with no recipient; `send` another signal to one organisation).
#[derive(Debug, Clone)]
pub struct ExchangeRequest {
    pub actor: Party,
    pub role: Role,
    pub action: Action,
    pub signal: Signal,
    pub recipient: Option<Party>,
    pub purpose: Purpose,
    pub justification: Option<String>,
}

impl ExchangeRequest {
    pub fn new(
        actor: Party,
        role: Role,
        action: Action,
        signal: Signal,
        recipient: Option<Party>,
        purpose: Purpose,
        justification: Option<String>,
    ) -> Result<Self, InputError> {
        if !actor.kind.has_role(role) {
            return Err(InputError::invalid_role(role.as_str(), actor.kind));
        }
        match (action, signal, &recipient) {
            (Action::Register, Signal::Involvement, None) => {}
            (Action::Register, Signal::Involvement, Some(_)) => {
                return Err(InputError::InvalidRequest(
                    "`register` goes to the reference index: leave out the recipient (`to`)".into(),
                ));
            }
            (Action::Register, _, _) => {
                return Err(InputError::InvalidRequest("`register` is only for the signal `involvement`".into()));
            }
            (Action::Send, Signal::Involvement, _) => {
                return Err(InputError::InvalidRequest("an `involvement` is registered (`register`), not sent".into()));
            }
            (Action::Send, _, None) => {
                return Err(InputError::InvalidRequest("`send` needs a recipient organisation (`to`)".into()));
            }
            (Action::Send, _, Some(_)) => {}
        }
        let justification = justification.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty());
        if justification.as_ref().is_some_and(|text| text.chars().count() > MAX_JUSTIFICATION_CHARS) {
            return Err(InputError::InvalidRequest(format!(
                "a justification has at most {MAX_JUSTIFICATION_CHARS} characters"
            )));
        }
        Ok(ExchangeRequest { actor, role, action, signal, recipient, purpose, justification })
    }

    /// The recipient kind as the rule table names it: an org kind, or `reference_index`.
    pub fn recipient_kind(&self) -> &'static str {
        self.recipient.as_ref().map_or(super::vocabulary::REFERENCE_INDEX, |recipient| recipient.kind.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn school() -> Party {
        Party { org: "lyceum-noord".into(), kind: OrgKind::School }
    }

    fn team() -> Party {
        Party { org: "buurtteam-oost".into(), kind: OrgKind::NeighbourhoodTeam }
    }

    #[test]
    fn a_role_of_another_org_kind_is_invalid_role() {
        let err = ExchangeRequest::new(
            school(),
            Role::Gp,
            Action::Register,
            Signal::Involvement,
            None,
            Purpose::CareCoordination,
            None,
        )
        .unwrap_err();
        assert_eq!(err.code(), "invalid_role");
        assert!(err.to_string().contains("mentor"), "names the allowed roles: {err}");
    }

    #[test]
    fn send_needs_a_recipient_and_register_has_none() {
        let send = ExchangeRequest::new(
            school(),
            Role::Mentor,
            Action::Send,
            Signal::FeedbackRequest,
            None,
            Purpose::CareCoordination,
            None,
        );
        assert_eq!(send.unwrap_err().code(), "invalid_request");
        let register = ExchangeRequest::new(
            school(),
            Role::Mentor,
            Action::Register,
            Signal::Involvement,
            Some(team()),
            Purpose::CareCoordination,
            None,
        );
        assert_eq!(register.unwrap_err().code(), "invalid_request");
        let sent_involvement = ExchangeRequest::new(
            school(),
            Role::Mentor,
            Action::Send,
            Signal::Involvement,
            Some(team()),
            Purpose::CareCoordination,
            None,
        );
        assert_eq!(sent_involvement.unwrap_err().code(), "invalid_request");
    }

    #[test]
    fn a_blank_justification_counts_as_none() {
        let request = ExchangeRequest::new(
            school(),
            Role::Mentor,
            Action::Send,
            Signal::SafetyConcern,
            Some(team()),
            Purpose::Safety,
            Some("   ".into()),
        )
        .unwrap();
        assert_eq!(request.justification, None);
        let too_long = "x".repeat(2_001);
        let err = ExchangeRequest::new(
            school(),
            Role::Mentor,
            Action::Send,
            Signal::SafetyConcern,
            Some(team()),
            Purpose::Safety,
            Some(too_long),
        );
        assert_eq!(err.unwrap_err().code(), "invalid_request");
    }

    #[test]
    fn vocabulary_errors_map_to_their_codes() {
        assert_eq!(InputError::from("gossip".parse::<Signal>().unwrap_err()).code(), "unknown_signal");
        assert_eq!(InputError::from("fun".parse::<Purpose>().unwrap_err()).code(), "unknown_purpose");
        assert_eq!(InputError::from("shout".parse::<Action>().unwrap_err()).code(), "unknown_action");
    }
}
