//! The policy: the rule table of ACTION-FRAMEWORK §5 as a casbin model and rule lines.
//!
//! In the request flow this answers one question for [`crate::framework::decide`]: which rules
//! match this role, org kind, action, signal, recipient kind and purpose, and with which bases.
//! The facts and bases themselves are weighed in `framework`, never here.

mod index;
#[cfg(test)]
mod index_tests;
mod table;

use casbin::function_map::OperatorFunction;
use casbin::rhai::Dynamic;
use casbin::{CoreApi, DefaultModel, Enforcer, MemoryAdapter, MgmtApi};
use ring::digest;

pub use table::{COLUMNS, LineProblem, Rule, TableError, parse as parse_table};

use crate::framework::{MatchedRule, PolicyError, RuleBook, RuleQuery};

/// The default policy shipped in `policies/`: ACTION-FRAMEWORK.md §5 exactly.
pub const DEFAULT_MODEL: &str = include_str!("../../policies/model.conf");
pub const DEFAULT_RULES: &str = include_str!("../../policies/policy.csv");

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("model.conf: {0}")]
    Model(String),
}

/// A loaded policy version: a casbin enforcer over the rule table, its version id, and — for
/// the default model — the table compiled into an index, which decides without casbin's scan
/// over every line.
pub struct Policy {
    version: String,
    rules: Vec<Rule>,
    enforcer: Enforcer,
    index: Option<index::RuleIndex>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("version", &self.version).field("rules", &self.rules.len()).finish()
    }
}

/// The content hash that names a policy version: SHA-256 over both texts, length-prefixed.
pub fn version_of(model: &str, rules: &str) -> String {
    let mut context = digest::Context::new(&digest::SHA256);
    context.update(b"ketenpoort-policy/1\0");
    for text in [model, rules] {
        context.update(&(text.len() as u64).to_be_bytes());
        context.update(text.as_bytes());
    }
    hex::encode(&context.finish().as_ref()[..8])
}

impl Policy {
    /// The default policy of `policies/`.
    pub async fn default_policy() -> Result<Policy, LoadError> {
        Policy::load(DEFAULT_MODEL, DEFAULT_RULES).await
    }

    /// Loads a model and a rule table, checking every word of the table first.
    pub async fn load(model: &str, rules: &str) -> Result<Policy, LoadError> {
        let table = table::parse(rules)?;
        let casbin_model = DefaultModel::from_str(model).await.map_err(|e| LoadError::Model(e.to_string()))?;
        let mut enforcer =
            Enforcer::new(casbin_model, MemoryAdapter::default()).await.map_err(|e| LoadError::Model(e.to_string()))?;
        enforcer.add_function("within", OperatorFunction::Arg2(within));
        enforcer.add_function("professional", OperatorFunction::Arg1(professional));
        let lines: Vec<Vec<String>> = table.iter().map(|rule| rule.columns.clone()).collect();
        enforcer.add_policies(lines).await.map_err(|e| LoadError::Model(e.to_string()))?;
        // The index implements the default model's matcher; another model is matched by casbin.
        let index = same_model(model, DEFAULT_MODEL).then(|| index::RuleIndex::compile(&table));
        let policy = Policy { version: version_of(model, rules), rules: table, enforcer, index };
        // A model that cannot evaluate a request is refused now, not at the first exchange.
        policy.enforce_probe().map_err(|e| LoadError::Model(format!("the matcher cannot be evaluated: {e}")))?;
        Ok(policy)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn enforce_probe(&self) -> Result<(), PolicyError> {
        use crate::framework::vocabulary::*;
        let probe = RuleQuery {
            role: Role::Mentor,
            org_kind: OrgKind::School,
            action: Action::Register,
            signal: Signal::Involvement,
            recipient_kind: REFERENCE_INDEX,
            purpose: Purpose::CareCoordination,
        };
        self.matching(&probe).map(drop)
    }
}

/// Whether two model texts say the same, comments and blank lines aside.
fn same_model(a: &str, b: &str) -> bool {
    let meaning = |text: &str| -> Vec<String> {
        text.lines()
            .map(|line| line.split('#').next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect()
    };
    meaning(a) == meaning(b)
}

impl Policy {
    /// casbin's own answer: every matching line (the slow path, and the index's oracle).
    pub fn casbin_matching(&self, query: &RuleQuery) -> Result<Vec<MatchedRule>, PolicyError> {
        let request = (
            query.role.as_str(),
            query.org_kind.as_str(),
            query.action.as_str(),
            query.signal.as_str(),
            query.recipient_kind,
            query.purpose.as_str(),
        );
        let (_, lines) = self.enforcer.enforce_ex(request).map_err(|e| PolicyError(e.to_string()))?;
        // casbin explains with the matching lines themselves; their first column is the rule id.
        let mut matched: Vec<&Rule> =
            lines.iter().filter_map(|line| self.rules.iter().find(|rule| Some(&rule.id) == line.first())).collect();
        matched.sort_by_key(|rule| rule.line);
        matched.dedup_by_key(|rule| rule.line);
        Ok(matched.into_iter().map(|rule| MatchedRule { id: rule.id.clone(), bases: rule.bases.clone() }).collect())
    }

    /// Whether this version decides through the compiled index.
    pub fn is_compiled(&self) -> bool {
        self.index.is_some()
    }
}

impl RuleBook for Policy {
    fn matching(&self, query: &RuleQuery) -> Result<Vec<MatchedRule>, PolicyError> {
        match &self.index {
            Some(index) => Ok(index.matching(query)),
            None => self.casbin_matching(query),
        }
    }

    fn version(&self) -> &str {
        &self.version
    }
}

fn text(value: Dynamic) -> String {
    value.into_immutable_string().map(|s| s.to_string()).unwrap_or_default()
}

/// casbin function `within(value, column)`.
fn within(value: Dynamic, column: Dynamic) -> Dynamic {
    Dynamic::from(table::within(&text(value), &text(column)))
}

/// casbin function `professional(role)`.
fn professional(role: Dynamic) -> Dynamic {
    let professional = text(role).parse::<crate::framework::Role>().is_ok_and(|role| role.is_professional());
    Dynamic::from(professional)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::vocabulary::*;

    async fn default() -> Policy {
        Policy::default_policy().await.unwrap()
    }

    fn query(
        role: Role,
        org_kind: OrgKind,
        signal: Signal,
        recipient_kind: &'static str,
        purpose: Purpose,
    ) -> RuleQuery {
        let action = if signal == Signal::Involvement { Action::Register } else { Action::Send };
        RuleQuery { role, org_kind, action, signal, recipient_kind, purpose }
    }

    fn ids(policy: &Policy, query: RuleQuery) -> Vec<String> {
        policy.matching(&query).unwrap().into_iter().map(|rule| rule.id).collect()
    }

    #[tokio::test]
    async fn every_professional_may_register_for_any_purpose_and_no_administrative_role_may() {
        let policy = default().await;
        for kind in OrgKind::ALL {
            for role in kind.professional_roles() {
                let q = query(*role, *kind, Signal::Involvement, REFERENCE_INDEX, Purpose::Safety);
                assert_eq!(ids(&policy, q), ["R1"], "{role} in {kind}");
            }
            for role in [Role::PrivacyOfficer, Role::Auditor, Role::Admin] {
                let q = query(role, *kind, Signal::Involvement, REFERENCE_INDEX, Purpose::CareCoordination);
                assert!(ids(&policy, q).is_empty(), "{role} in {kind}");
            }
        }
    }

    #[tokio::test]
    async fn rules_match_as_the_table_of_section_5_reads() {
        let policy = default().await;
        use OrgKind::*;
        /// Who, of which kind, sends what, to which kind, for what: and the rules expected.
        type Case = (Role, OrgKind, Signal, OrgKind, Purpose, &'static [&'static str]);
        let cases: &[Case] = &[
            (Role::Mentor, School, Signal::FeedbackRequest, NeighbourhoodTeam, Purpose::CareCoordination, &["R2"]),
            (Role::Mentor, School, Signal::FeedbackRequest, SafeHome, Purpose::CareCoordination, &[]),
            (Role::FamilyWorker, NeighbourhoodTeam, Signal::HelpStarted, School, Purpose::CareCoordination, &["R3"]),
            (
                Role::FamilyWorker,
                NeighbourhoodTeam,
                Signal::HelpStarted,
                CertifiedInstitution,
                Purpose::CareCoordination,
                &[],
            ),
            (Role::Gp, GpPractice, Signal::HelpOngoing, School, Purpose::CareCoordination, &["R4"]),
            (Role::Gp, GpPractice, Signal::HelpOngoing, YouthWork, Purpose::CareCoordination, &[]),
            (
                Role::YouthProtector,
                CertifiedInstitution,
                Signal::ContactRequest,
                School,
                Purpose::ChildProtection,
                &["R5"],
            ),
            (Role::Gp, GpPractice, Signal::HelpOngoing, CertifiedInstitution, Purpose::ChildProtection, &["R6"]),
            (Role::Mentor, School, Signal::SchoolAbsence, CertifiedInstitution, Purpose::ChildProtection, &["R6"]),
            (
                Role::YouthProtector,
                CertifiedInstitution,
                Signal::HelpStarted,
                CertifiedInstitution,
                Purpose::ChildProtection,
                &[],
            ),
            (
                Role::CareCoordinator,
                School,
                Signal::SchoolAbsence,
                CompulsoryEducation,
                Purpose::SchoolAttendance,
                &["R7"],
            ),
            (Role::AttendanceOfficer, CompulsoryEducation, Signal::SafetyConcern, SafeHome, Purpose::Safety, &["R8"]),
            (Role::SafeHomeWorker, SafeHome, Signal::SafetyConcern, SafeHome, Purpose::Safety, &[]),
            (Role::SafeHomeWorker, SafeHome, Signal::ReportClosed, GpPractice, Purpose::Safety, &["R9"]),
            (Role::SafeHomeWorker, SafeHome, Signal::ReportClosed, GpPractice, Purpose::CareCoordination, &[]),
        ];
        for (role, kind, signal, to, purpose, expected) in cases {
            let q = query(*role, *kind, *signal, to.as_str(), *purpose);
            assert_eq!(ids(&policy, q), *expected, "{role} {kind} {signal} → {to} for {purpose}");
        }
        let r6 = policy
            .matching(&query(
                Role::Gp,
                GpPractice,
                Signal::HelpOngoing,
                "certified_institution",
                Purpose::ChildProtection,
            ))
            .unwrap();
        assert_eq!(r6[0].bases, [Basis::ChildProtectionMeasure, Basis::Consent]);
    }

    #[tokio::test]
    async fn several_matching_rules_are_all_reported_in_table_order() {
        let rules = "p, B, *, *, send, feedback_request, *, care_coordination, consent\n\
                     p, A, mentor, school, send, feedback_request, school, *, reference_index\n";
        let policy = Policy::load(DEFAULT_MODEL, rules).await.unwrap();
        let q = query(Role::Mentor, OrgKind::School, Signal::FeedbackRequest, "school", Purpose::CareCoordination);
        assert_eq!(ids(&policy, q), ["B", "A"]);
    }

    #[tokio::test]
    async fn the_version_is_a_content_hash_of_model_and_rules() {
        let policy = default().await;
        assert_eq!(policy.version(), version_of(DEFAULT_MODEL, DEFAULT_RULES));
        assert_eq!(policy.version().len(), 16);
        let changed = format!("{DEFAULT_RULES}\n# a comment changes the text, and so the version\n");
        assert_ne!(Policy::load(DEFAULT_MODEL, &changed).await.unwrap().version(), policy.version());
    }

    #[tokio::test]
    async fn a_model_that_cannot_evaluate_is_refused_at_load() {
        let broken = DEFAULT_MODEL.replace("within(r.purpose, p.purpose)", "no_such_function(r.purpose)");
        let error = Policy::load(&broken, DEFAULT_RULES).await.unwrap_err();
        assert!(matches!(error, LoadError::Model(_)), "{error}");
        let error = Policy::load("[nonsense", DEFAULT_RULES).await.unwrap_err();
        assert!(matches!(error, LoadError::Model(_)), "{error}");
    }
}
