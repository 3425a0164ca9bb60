//! ACTION-FRAMEWORK §4 and §6: which bases hold, and the one decision.
//!
//! [`decide`] is the only decision path: the scenario runner, the API and the web pages all
//! call it. It is pure: the request, the youth's facts, the rules that match (asked of the
//! policy through [`RuleBook`]) and the time T go in, a [`Decision`] comes out.

use time::OffsetDateTime;

use super::facts::{OrgId, Party, YouthFacts};
use super::request::ExchangeRequest;
use super::vocabulary::{Action, Basis, Consenter, DenyReason, Obligation, OrgKind, Outcome, Purpose, Role, Signal};

/// The six words a rule is matched on (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleQuery {
    pub role: Role,
    pub org_kind: OrgKind,
    pub action: Action,
    pub signal: Signal,
    /// An org kind, or `reference_index` for `register`.
    pub recipient_kind: &'static str,
    pub purpose: Purpose,
}

/// A rule of the table that matches a request, with the bases it contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedRule {
    pub id: String,
    pub bases: Vec<Basis>,
}

/// The policy could not be evaluated (a defect in a loaded policy, not bad input).
#[derive(Debug, thiserror::Error)]
#[error("the policy could not be evaluated: {0}")]
pub struct PolicyError(pub String);

/// The rule table as the decision sees it: which rules match, under which version.
pub trait RuleBook {
    /// Every rule that matches, in the order of the table.
    fn matching(&self, query: &RuleQuery) -> Result<Vec<MatchedRule>, PolicyError>;
    /// The version id (content hash) that every decision names.
    fn version(&self) -> &str;
}

/// §6: the decision, as audited and as shown to the professional.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    pub decision: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<DenyReason>,
    pub matched_rules: Vec<String>,
    pub policy_version: String,
    pub obligations: Vec<Obligation>,
    /// The ids of the consents an allow on basis `consent` relies on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consents: Vec<String>,
}

impl Decision {
    pub fn is_allow(&self) -> bool {
        self.decision == Outcome::Allow
    }
}

/// Whether one basis holds at T, and if not, why.
enum Verdict {
    /// Holds; for `consent`, the ids of the consents relied on.
    Holds(Vec<String>),
    Fails(DenyReason),
}

/// §6: decides `request` about the youth of `facts` at `now` under `policy`.
pub fn decide(
    request: &ExchangeRequest,
    facts: &YouthFacts,
    policy: &dyn RuleBook,
    now: OffsetDateTime,
) -> Result<Decision, PolicyError> {
    let query = RuleQuery {
        role: request.role,
        org_kind: request.actor.kind,
        action: request.action,
        signal: request.signal,
        recipient_kind: request.recipient_kind(),
        purpose: request.purpose,
    };
    let rules = policy.matching(&query)?;
    let deny = |reason| Decision {
        decision: Outcome::Deny,
        basis: None,
        reason: Some(reason),
        matched_rules: rules.iter().map(|rule| rule.id.clone()).collect(),
        policy_version: policy.version().to_owned(),
        obligations: Vec::new(),
        consents: Vec::new(),
    };

    // §8: the reference index reaches to 23, whatever the rules say.
    if request.action == Action::Register && facts.is_too_old_at(now) {
        return Ok(deny(DenyReason::YouthTooOld));
    }

    // §6.1: no rule matches.
    if rules.is_empty() {
        return Ok(deny(DenyReason::NoRule));
    }

    // Each matching rule contributes its bases; weigh them in order of precedence (§4).
    let mut bases: Vec<Basis> = rules.iter().flat_map(|rule| rule.bases.iter().copied()).collect();
    bases.sort();
    bases.dedup();
    let verdicts: Vec<(Basis, Verdict)> =
        bases.iter().map(|&basis| (basis, weigh(basis, request, facts, now))).collect();

    // §6.2: the first basis that holds.
    if let Some((basis, Verdict::Holds(consents))) =
        verdicts.iter().find(|(_, verdict)| matches!(verdict, Verdict::Holds(_)))
    {
        if *basis == Basis::ReportingCode && request.justification.is_none() {
            return Ok(deny(DenyReason::JustificationRequired));
        }
        return Ok(Decision {
            decision: Outcome::Allow,
            basis: Some(*basis),
            reason: None,
            obligations: obligations(request.action, *basis),
            consents: consents.clone(),
            ..deny(DenyReason::NoRule)
        });
    }

    // §6.3: the reason of `consent` tells the professional what to ask for; otherwise the
    // reason of the first basis in precedence order.
    let reason_of = |wanted: Option<Basis>| {
        verdicts.iter().find_map(|(basis, verdict)| match verdict {
            Verdict::Fails(reason) if wanted.is_none_or(|wanted| wanted == *basis) => Some(*reason),
            _ => None,
        })
    };
    let reason = reason_of(Some(Basis::Consent)).or_else(|| reason_of(None)).unwrap_or(DenyReason::NoRule);
    Ok(deny(reason))
}

/// §6, obligations on an allow.
fn obligations(action: Action, basis: Basis) -> Vec<Obligation> {
    match (action, basis) {
        (Action::Register, _) => vec![Obligation::InformSubject],
        (_, Basis::ReportingCode) => vec![Obligation::JustificationRequired, Obligation::PrivacyReview],
        _ => Vec::new(),
    }
}

/// §4: whether `basis` holds for this request at T.
///
/// A region may attach a basis to a rule whose signals lie outside that basis's statutory
/// scope; then the basis does not hold, with reason `no_rule` (nothing entitles the exchange).
fn weigh(basis: Basis, request: &ExchangeRequest, facts: &YouthFacts, now: OffsetDateTime) -> Verdict {
    let sender = &request.actor;
    let recipient = request.recipient.as_ref();
    let relationship = |party: &Party| facts.has_relationship(&party.org, now);
    match basis {
        // ACTION-FRAMEWORK §4, school_attendance_duty (Leerplichtwet art. 21a).
        Basis::SchoolAttendanceDuty => {
            let in_scope = sender.kind == OrgKind::School
                && request.signal == Signal::SchoolAbsence
                && recipient.is_some_and(|r| r.kind == OrgKind::CompulsoryEducation);
            if in_scope { Verdict::Holds(Vec::new()) } else { Verdict::Fails(DenyReason::NoRule) }
        }
        // ACTION-FRAMEWORK §4, reporting_code (meldrecht, Jeugdwet art. 7.3.8 / meldcode).
        Basis::ReportingCode => {
            let in_scope =
                request.signal == Signal::SafetyConcern && recipient.is_some_and(|r| r.kind == OrgKind::SafeHome);
            if in_scope { Verdict::Holds(Vec::new()) } else { Verdict::Fails(DenyReason::NoRule) }
        }
        // ACTION-FRAMEWORK §4, reporter_feedback: being the reporter suffices.
        Basis::ReporterFeedback => match recipient {
            Some(recipient) if sender.kind == OrgKind::SafeHome && request.signal.is_reporter_feedback() => {
                if facts.is_reporter(&recipient.org, &sender.org, now) {
                    Verdict::Holds(Vec::new())
                } else {
                    Verdict::Fails(DenyReason::NotReporter)
                }
            }
            _ => Verdict::Fails(DenyReason::NoRule),
        },
        // ACTION-FRAMEWORK §4, child_protection_measure (Jeugdwet art. 7.3.11): the certified
        // institution in the exchange holds an active measure; the other party needs a
        // relationship.
        Basis::ChildProtectionMeasure => {
            let Some(recipient) = recipient else { return Verdict::Fails(DenyReason::NoRule) };
            let (institution, other_is_recipient) = if sender.kind == OrgKind::CertifiedInstitution {
                (sender, true)
            } else if recipient.kind == OrgKind::CertifiedInstitution {
                (recipient, false)
            } else {
                return Verdict::Fails(DenyReason::NoActiveMeasure);
            };
            if !facts.holds_measure(&institution.org, now) {
                Verdict::Fails(DenyReason::NoActiveMeasure)
            } else if other_is_recipient && !relationship(recipient) {
                Verdict::Fails(DenyReason::RecipientNoRelationship)
            } else if !other_is_recipient && !relationship(sender) {
                Verdict::Fails(DenyReason::NoRelationship)
            } else {
                Verdict::Holds(Vec::new())
            }
        }
        // ACTION-FRAMEWORK §4, reference_index (Jeugdwet ch. 7.1).
        Basis::ReferenceIndex => match (request.action, recipient) {
            (Action::Register, _) => Verdict::Holds(Vec::new()),
            (Action::Send, Some(recipient))
                if matches!(request.signal, Signal::FeedbackRequest | Signal::ContactRequest) =>
            {
                if !relationship(sender) {
                    Verdict::Fails(DenyReason::NoRelationship)
                } else if !relationship(recipient) {
                    Verdict::Fails(DenyReason::RecipientNoRelationship)
                } else {
                    Verdict::Holds(Vec::new())
                }
            }
            _ => Verdict::Fails(DenyReason::NoRule),
        },
        // ACTION-FRAMEWORK §4, consent: both parties related, and every required consenter.
        Basis::Consent => match recipient {
            Some(recipient) => {
                if !relationship(sender) {
                    Verdict::Fails(DenyReason::NoRelationship)
                } else if !relationship(recipient) {
                    Verdict::Fails(DenyReason::RecipientNoRelationship)
                } else {
                    weigh_consent(request, recipient, facts, now)
                }
            }
            None => Verdict::Fails(DenyReason::NoRule),
        },
    }
}

/// §3 and §6, consent: every consenter the youth's age requires has an active consent held by
/// the sender that covers the exchange; otherwise the first failure, in the order of §6.
fn weigh_consent(request: &ExchangeRequest, recipient: &Party, facts: &YouthFacts, now: OffsetDateTime) -> Verdict {
    let sender: &OrgId = &request.actor.org;
    let required = facts.required_consenters(now);
    let held_from =
        |consenter: Consenter| facts.consents.iter().filter(move |c| c.holder == *sender && c.given_by == consenter);
    if required.iter().all(|&consenter| held_from(consenter).next().is_none()) {
        return Verdict::Fails(DenyReason::ConsentMissing);
    }

    let mut relied_on = Vec::new();
    // `required` lists the youth before the parent: the order in which failures are named.
    for &consenter in required {
        let covering: Vec<_> =
            held_from(consenter).filter(|c| c.covers(sender, recipient, request.signal, request.purpose)).collect();
        if let Some(active) = covering.iter().find(|c| c.is_active_at(now)) {
            relied_on.push(active.id.clone());
            continue;
        }
        let reason = if held_from(consenter).next().is_none() {
            match consenter {
                Consenter::Youth => DenyReason::ConsentMissingYouth,
                Consenter::Parent => DenyReason::ConsentMissingParent,
            }
        } else if covering.iter().any(|c| c.is_revoked_at(now)) {
            DenyReason::ConsentRevoked
        } else if !covering.is_empty() {
            DenyReason::ConsentExpired
        } else {
            DenyReason::ConsentOutOfScope
        };
        return Verdict::Fails(reason);
    }
    Verdict::Holds(relied_on)
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
