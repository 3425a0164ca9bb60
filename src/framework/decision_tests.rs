//! Unit tests of §4 and §6 with a fixed rule book: the table is policy's business, the weighing
//! of bases and the choice of reason are ours.

use time::macros::datetime;

use super::*;
use crate::framework::facts::{Consent, Involvement, Measure, Report, default_expiry};
use crate::youth::BirthDate;

const NOW: OffsetDateTime = datetime!(2026-03-02 09:00 UTC);

/// A rule book in which the given rules match every request.
struct Matching(Vec<MatchedRule>);

impl RuleBook for Matching {
    fn matching(&self, _: &RuleQuery) -> Result<Vec<MatchedRule>, PolicyError> {
        Ok(self.0.clone())
    }
    fn version(&self) -> &str {
        "test"
    }
}

fn rule(id: &str, bases: &[Basis]) -> Matching {
    Matching(vec![MatchedRule { id: id.into(), bases: bases.to_vec() }])
}

fn party(org: &str, kind: OrgKind) -> Party {
    Party { org: org.into(), kind }
}

fn school() -> Party {
    party("lyceum-noord", OrgKind::School)
}
fn team() -> Party {
    party("buurtteam-oost", OrgKind::NeighbourhoodTeam)
}
fn gi() -> Party {
    party("gi-midden", OrgKind::CertifiedInstitution)
}
fn gp() -> Party {
    party("huisarts-jansen", OrgKind::GpPractice)
}
fn safe_home() -> Party {
    party("veilig-thuis", OrgKind::SafeHome)
}

fn youth(born: &str) -> YouthFacts {
    YouthFacts {
        birth_date: born.parse::<BirthDate>().unwrap(),
        involvements: Vec::new(),
        measures: Vec::new(),
        consents: Vec::new(),
        reports: Vec::new(),
        died_at: None,
    }
}

/// A youth of 14 with whom the school and the neighbourhood team are both involved.
fn fourteen_both_involved() -> YouthFacts {
    let mut facts = youth("2011-10-01");
    involve(&mut facts, "lyceum-noord");
    involve(&mut facts, "buurtteam-oost");
    facts
}

fn involve(facts: &mut YouthFacts, org: &str) {
    let registered_at = datetime!(2025-09-01 08:00 UTC);
    facts.involvements.push(Involvement {
        id: format!("inv-{org}"),
        org: org.into(),
        registered_at,
        expires_at: default_expiry(registered_at),
        withdrawn_at: None,
        withdrawal: None,
        historic_match_sent: false,
    });
}

fn consent(id: &str, given_by: Consenter) -> Consent {
    Consent {
        id: id.into(),
        given_by,
        holder: "buurtteam-oost".into(),
        recipient_orgs: Vec::new(),
        recipient_kinds: vec![OrgKind::School],
        signals: vec![Signal::HelpStarted, Signal::HelpOngoing, Signal::HelpEnded],
        purposes: vec![Purpose::CareCoordination],
        valid_from: datetime!(2026-01-01 0:00 UTC),
        valid_until: None,
        revoked_at: None,
    }
}

fn send(actor: Party, role: Role, signal: Signal, to: Party, purpose: Purpose) -> ExchangeRequest {
    ExchangeRequest::new(actor, role, Action::Send, signal, Some(to), purpose, None).unwrap()
}

/// The family worker tells the school that help started.
fn help_started() -> ExchangeRequest {
    send(team(), Role::FamilyWorker, Signal::HelpStarted, school(), Purpose::CareCoordination)
}

fn decided(request: &ExchangeRequest, facts: &YouthFacts, rules: &Matching) -> Decision {
    decide(request, facts, rules, NOW).unwrap()
}

fn reason(request: &ExchangeRequest, facts: &YouthFacts, rules: &Matching) -> DenyReason {
    let decision = decided(request, facts, rules);
    assert_eq!(decision.decision, Outcome::Deny, "{decision:?}");
    decision.reason.unwrap()
}

fn consent_reason(facts: &YouthFacts) -> DenyReason {
    reason(&help_started(), facts, &rule("R3", &[Basis::Consent]))
}

#[test]
fn no_matching_rule_is_deny_no_rule() {
    let decision = decided(&help_started(), &fourteen_both_involved(), &Matching(Vec::new()));
    assert_eq!(decision.reason, Some(DenyReason::NoRule));
    assert!(decision.matched_rules.is_empty());
    assert_eq!(decision.policy_version, "test");
}

#[test]
fn registering_involvement_needs_no_relationship_and_obliges_informing_the_subject() {
    let request = ExchangeRequest::new(
        school(),
        Role::Mentor,
        Action::Register,
        Signal::Involvement,
        None,
        Purpose::CareCoordination,
        None,
    )
    .unwrap();
    let decision = decided(&request, &youth("2011-10-01"), &rule("R1", &[Basis::ReferenceIndex]));
    assert_eq!(decision.basis, Some(Basis::ReferenceIndex));
    assert_eq!(decision.obligations, [Obligation::InformSubject]);
    assert_eq!(decision.matched_rules, ["R1"]);
}

#[test]
fn registering_a_youth_of_23_is_denied_whatever_the_rules_say() {
    let request = ExchangeRequest::new(
        school(),
        Role::Mentor,
        Action::Register,
        Signal::Involvement,
        None,
        Purpose::CareCoordination,
        None,
    )
    .unwrap();
    let birthday = NOW.date().replace_year(NOW.year() - 23).unwrap();
    let on_the_birthday = youth(&birthday.to_string());
    assert_eq!(reason(&request, &on_the_birthday, &rule("R1", &[Basis::ReferenceIndex])), DenyReason::YouthTooOld);
    assert_eq!(reason(&request, &on_the_birthday, &Matching(Vec::new())), DenyReason::YouthTooOld);
    let a_day_younger = youth(&birthday.next_day().unwrap().to_string());
    assert!(decided(&request, &a_day_younger, &rule("R1", &[Basis::ReferenceIndex])).is_allow());
}

#[test]
fn a_feedback_request_needs_both_relationships() {
    let rules = rule("R2", &[Basis::ReferenceIndex]);
    let request = send(school(), Role::Mentor, Signal::FeedbackRequest, team(), Purpose::CareCoordination);
    let mut facts = youth("2011-10-01");
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NoRelationship);
    involve(&mut facts, "lyceum-noord");
    assert_eq!(reason(&request, &facts, &rules), DenyReason::RecipientNoRelationship);
    involve(&mut facts, "buurtteam-oost");
    let decision = decided(&request, &facts, &rules);
    assert_eq!(decision.basis, Some(Basis::ReferenceIndex));
    assert!(decision.obligations.is_empty());
}

#[test]
fn a_fourteen_year_old_needs_both_youth_and_parent_consent() {
    let mut facts = fourteen_both_involved();
    facts.consents.push(consent("c-youth", Consenter::Youth));
    assert_eq!(consent_reason(&facts), DenyReason::ConsentMissingParent);
    facts.consents.push(consent("c-parent", Consenter::Parent));
    let decision = decided(&help_started(), &facts, &rule("R3", &[Basis::Consent]));
    assert_eq!(decision.basis, Some(Basis::Consent));
    assert_eq!(decision.consents, ["c-youth", "c-parent"]);
}

#[test]
fn with_only_the_parents_consent_the_youths_is_missing() {
    let mut facts = fourteen_both_involved();
    facts.consents.push(consent("c-parent", Consenter::Parent));
    assert_eq!(consent_reason(&facts), DenyReason::ConsentMissingYouth);
}

#[test]
fn no_consent_from_any_required_consenter_is_consent_missing() {
    let mut facts = fourteen_both_involved();
    assert_eq!(consent_reason(&facts), DenyReason::ConsentMissing);
    // A consent held by another organisation does not count.
    facts.consents.push(Consent { holder: "jgz-utrecht".into(), ..consent("c", Consenter::Youth) });
    assert_eq!(consent_reason(&facts), DenyReason::ConsentMissing);
}

#[test]
fn under_twelve_the_parent_alone_consents() {
    let mut facts = youth("2015-05-05");
    involve(&mut facts, "lyceum-noord");
    involve(&mut facts, "buurtteam-oost");
    facts.consents.push(consent("c-youth", Consenter::Youth));
    assert_eq!(consent_reason(&facts), DenyReason::ConsentMissing, "the youth's consent plays no part");
    facts.consents.push(consent("c-parent", Consenter::Parent));
    assert_eq!(decided(&help_started(), &facts, &rule("R3", &[Basis::Consent])).basis, Some(Basis::Consent));
}

#[test]
fn from_sixteen_the_youth_alone_consents_and_the_parents_refusal_plays_no_part() {
    let mut facts = youth("2010-03-02"); // 16 today
    involve(&mut facts, "lyceum-noord");
    involve(&mut facts, "buurtteam-oost");
    facts
        .consents
        .push(Consent { revoked_at: Some(datetime!(2026-02-01 0:00 UTC)), ..consent("p", Consenter::Parent) });
    assert_eq!(consent_reason(&facts), DenyReason::ConsentMissing);
    facts.consents.push(consent("y", Consenter::Youth));
    let decision = decided(&help_started(), &facts, &rule("R3", &[Basis::Consent]));
    assert_eq!(decision.consents, ["y"]);
}

#[test]
fn a_consent_revoked_at_or_before_t_is_consent_revoked() {
    let mut facts = fourteen_both_involved();
    facts.consents.push(Consent { revoked_at: Some(NOW), ..consent("y", Consenter::Youth) });
    facts.consents.push(consent("p", Consenter::Parent));
    assert_eq!(consent_reason(&facts), DenyReason::ConsentRevoked);
    // Revoked a second later: still active at T.
    facts.consents[0].revoked_at = Some(NOW + time::Duration::SECOND);
    assert!(decided(&help_started(), &facts, &rule("R3", &[Basis::Consent])).is_allow());
}

#[test]
fn a_consent_outside_its_validity_period_is_consent_expired() {
    let mut facts = fourteen_both_involved();
    facts.consents.push(consent("y", Consenter::Youth));
    facts.consents.push(Consent { valid_until: Some(NOW), ..consent("p", Consenter::Parent) });
    assert_eq!(consent_reason(&facts), DenyReason::ConsentExpired);
    // Not yet valid counts as outside the period too.
    facts.consents[1] = Consent { valid_from: datetime!(2026-04-01 0:00 UTC), ..consent("p", Consenter::Parent) };
    assert_eq!(consent_reason(&facts), DenyReason::ConsentExpired);
}

#[test]
fn a_consent_for_another_recipient_signal_or_purpose_is_consent_out_of_scope() {
    let scopes = [
        Consent { recipient_kinds: vec![OrgKind::YouthWork], ..consent("y", Consenter::Youth) },
        Consent { signals: vec![Signal::HelpEnded], ..consent("y", Consenter::Youth) },
        Consent { purposes: vec![Purpose::ChildProtection], ..consent("y", Consenter::Youth) },
    ];
    for youth_consent in scopes {
        let mut facts = fourteen_both_involved();
        facts.consents.push(youth_consent.clone());
        facts.consents.push(consent("p", Consenter::Parent));
        assert_eq!(consent_reason(&facts), DenyReason::ConsentOutOfScope, "{youth_consent:?}");
    }
}

#[test]
fn a_consent_naming_the_recipient_organisation_covers_it() {
    let mut facts = youth("2008-01-01");
    involve(&mut facts, "lyceum-noord");
    involve(&mut facts, "buurtteam-oost");
    facts.consents.push(Consent {
        recipient_orgs: vec!["lyceum-noord".into()],
        recipient_kinds: Vec::new(),
        ..consent("y", Consenter::Youth)
    });
    assert!(decided(&help_started(), &facts, &rule("R3", &[Basis::Consent])).is_allow());
}

#[test]
fn failures_are_named_for_the_youth_before_the_parent_and_missing_before_revoked() {
    let mut facts = fourteen_both_involved();
    // The youth's consent is out of scope, the parent's revoked: the youth's failure is named.
    facts.consents.push(Consent { signals: vec![Signal::HelpEnded], ..consent("y", Consenter::Youth) });
    facts.consents.push(Consent { revoked_at: Some(NOW), ..consent("p", Consenter::Parent) });
    assert_eq!(consent_reason(&facts), DenyReason::ConsentOutOfScope);
    // One consenter with a revoked and an expired covering consent: revoked comes first.
    let mut facts = fourteen_both_involved();
    facts.consents.push(Consent { valid_until: Some(NOW), ..consent("y1", Consenter::Youth) });
    facts.consents.push(Consent { revoked_at: Some(NOW), ..consent("y2", Consenter::Youth) });
    facts.consents.push(consent("p", Consenter::Parent));
    assert_eq!(consent_reason(&facts), DenyReason::ConsentRevoked);
}

#[test]
fn consent_needs_both_relationships_before_any_consent_is_weighed() {
    let mut facts = youth("2011-10-01");
    facts.consents.push(consent("y", Consenter::Youth));
    assert_eq!(consent_reason(&facts), DenyReason::NoRelationship);
    involve(&mut facts, "buurtteam-oost");
    assert_eq!(consent_reason(&facts), DenyReason::RecipientNoRelationship);
}

#[test]
fn a_measure_lets_the_certified_institution_ask_a_related_organisation() {
    let rules = rule("R5", &[Basis::ChildProtectionMeasure]);
    let request = send(gi(), Role::YouthProtector, Signal::FeedbackRequest, school(), Purpose::ChildProtection);
    let mut facts = youth("2011-10-01");
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NoActiveMeasure);
    facts.measures.push(Measure {
        id: "m".into(),
        org: "gi-midden".into(),
        from: datetime!(2025-06-01 0:00 UTC),
        until: None,
    });
    assert_eq!(reason(&request, &facts, &rules), DenyReason::RecipientNoRelationship);
    involve(&mut facts, "lyceum-noord");
    assert_eq!(decided(&request, &facts, &rules).basis, Some(Basis::ChildProtectionMeasure));
    // A measure of another institution does not count; an ended one neither.
    facts.measures[0].org = "gi-west".into();
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NoActiveMeasure);
    facts.measures[0] =
        Measure { id: "m".into(), org: "gi-midden".into(), from: datetime!(2025-06-01 0:00 UTC), until: Some(NOW) };
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NoActiveMeasure);
}

#[test]
fn telling_the_institution_that_holds_a_measure_needs_the_senders_relationship() {
    let rules = rule("R6", &[Basis::ChildProtectionMeasure]);
    let request = send(gp(), Role::Gp, Signal::HelpOngoing, gi(), Purpose::ChildProtection);
    let mut facts = youth("2011-10-01");
    facts.measures.push(Measure {
        id: "m".into(),
        org: "gi-midden".into(),
        from: datetime!(2025-06-01 0:00 UTC),
        until: None,
    });
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NoRelationship);
    involve(&mut facts, "huisarts-jansen");
    assert_eq!(decided(&request, &facts, &rules).basis, Some(Basis::ChildProtectionMeasure));
}

#[test]
fn a_statutory_basis_goes_before_consent() {
    let rules = rule("R6", &[Basis::Consent, Basis::ChildProtectionMeasure]);
    let request = send(team(), Role::FamilyWorker, Signal::HelpStarted, gi(), Purpose::ChildProtection);
    let mut facts = youth("2008-01-01");
    involve(&mut facts, "buurtteam-oost");
    facts.measures.push(Measure {
        id: "m".into(),
        org: "gi-midden".into(),
        from: datetime!(2025-06-01 0:00 UTC),
        until: None,
    });
    facts.consents.push(Consent {
        recipient_kinds: vec![OrgKind::CertifiedInstitution],
        purposes: vec![Purpose::ChildProtection],
        ..consent("y", Consenter::Youth)
    });
    let decision = decided(&request, &facts, &rules);
    assert_eq!(decision.basis, Some(Basis::ChildProtectionMeasure));
    assert!(decision.consents.is_empty(), "no consent is relied on under a statutory basis");
    // Without the measure, consent carries it.
    facts.measures.clear();
    involve(&mut facts, "gi-midden");
    assert_eq!(decided(&request, &facts, &rules).basis, Some(Basis::Consent));
}

#[test]
fn a_denial_names_the_consent_reason_when_consent_is_among_the_bases() {
    let rules = rule("R6", &[Basis::ChildProtectionMeasure, Basis::Consent]);
    let request = send(team(), Role::FamilyWorker, Signal::HelpStarted, gi(), Purpose::ChildProtection);
    let mut facts = youth("2008-01-01");
    involve(&mut facts, "buurtteam-oost");
    involve(&mut facts, "gi-midden");
    // The measure basis fails with no_active_measure, but the professional is told about consent.
    assert_eq!(reason(&request, &facts, &rules), DenyReason::ConsentMissing);
}

#[test]
fn without_consent_the_reason_of_the_first_basis_in_precedence_is_named() {
    let rules = Matching(vec![
        MatchedRule { id: "X1".into(), bases: vec![Basis::ReferenceIndex] },
        MatchedRule { id: "X2".into(), bases: vec![Basis::ChildProtectionMeasure] },
    ]);
    let request = send(gi(), Role::YouthProtector, Signal::FeedbackRequest, school(), Purpose::CareCoordination);
    let decision = decided(&request, &youth("2011-10-01"), &rules);
    assert_eq!(decision.reason, Some(DenyReason::NoActiveMeasure));
    assert_eq!(decision.matched_rules, ["X1", "X2"]);
}

#[test]
fn veilig_thuis_answers_only_its_reporter() {
    let rules = rule("R9", &[Basis::ReporterFeedback]);
    let worker = party("jongerenwerk-west", OrgKind::YouthWork);
    let request = send(safe_home(), Role::SafeHomeWorker, Signal::ReportReceived, worker.clone(), Purpose::Safety);
    let mut facts = youth("2011-10-01");
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NotReporter);
    // A report made after T does not make a reporter at T.
    facts.reports.push(Report { from: worker.org.clone(), to: safe_home().org, at: NOW + time::Duration::MINUTE });
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NotReporter);
    // A report to another Veilig Thuis neither.
    facts.reports.push(Report { from: worker.org.clone(), to: "veilig-thuis-west".into(), at: NOW });
    assert_eq!(reason(&request, &facts, &rules), DenyReason::NotReporter);
    facts.reports.push(Report { from: worker.org, to: safe_home().org, at: NOW });
    assert_eq!(decided(&request, &facts, &rules).basis, Some(Basis::ReporterFeedback));
}

#[test]
fn a_safety_concern_needs_a_justification_and_is_queued_for_privacy_review() {
    let rules = rule("R8", &[Basis::ReportingCode]);
    let worker = party("jongerenwerk-west", OrgKind::YouthWork);
    let bare = send(worker.clone(), Role::YouthWorker, Signal::SafetyConcern, safe_home(), Purpose::Safety);
    assert_eq!(reason(&bare, &youth("2011-10-01"), &rules), DenyReason::JustificationRequired);
    let justified = ExchangeRequest { justification: Some("Bruises seen twice.".into()), ..bare };
    let decision = decided(&justified, &youth("2011-10-01"), &rules);
    assert_eq!(decision.basis, Some(Basis::ReportingCode));
    assert_eq!(decision.obligations, [Obligation::JustificationRequired, Obligation::PrivacyReview]);
}

#[test]
fn a_school_reports_absence_to_leerplicht_without_relationship_or_obligation() {
    let rules = rule("R7", &[Basis::SchoolAttendanceDuty]);
    let leerplicht = party("leerplicht", OrgKind::CompulsoryEducation);
    let request = send(school(), Role::Mentor, Signal::SchoolAbsence, leerplicht, Purpose::SchoolAttendance);
    let decision = decided(&request, &youth("2011-10-01"), &rules);
    assert_eq!(decision.basis, Some(Basis::SchoolAttendanceDuty));
    assert!(decision.obligations.is_empty());
}

#[test]
fn a_basis_attached_outside_its_statutory_scope_does_not_hold() {
    // A regional rule granting help status on `reporting_code` entitles nothing.
    let rules = rule("X", &[Basis::ReportingCode]);
    assert_eq!(reason(&help_started(), &fourteen_both_involved(), &rules), DenyReason::NoRule);
}
