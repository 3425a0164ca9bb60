//! The compiled index against casbin's own answers, over the closed vocabulary.

use super::Policy;
use crate::framework::vocabulary::{Action, OrgKind, Purpose, REFERENCE_INDEX, Role, Signal};
use crate::framework::{RuleBook, RuleQuery};

/// A small deterministic generator: the same "random" tables and queries on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.next(words.len())]
    }

    /// A column as privacy officers write them: `*`, a list, or `* except` a list.
    fn column(&mut self, words: &[&str]) -> String {
        let list = |lcg: &mut Lcg| {
            let n = 1 + lcg.next(3);
            (0..n).map(|_| lcg.pick(words)).collect::<Vec<_>>().join(" ")
        };
        match self.next(3) {
            0 => "*".into(),
            1 => list(self),
            _ => format!("* except {}", list(self)),
        }
    }
}

fn recipient_kinds() -> Vec<&'static str> {
    OrgKind::WORDS.iter().copied().chain([REFERENCE_INDEX]).collect()
}

fn all_queries() -> Vec<RuleQuery> {
    let mut queries = Vec::new();
    let recipients = recipient_kinds();
    for &role in Role::ALL {
        for &org_kind in OrgKind::ALL {
            for &action in Action::ALL {
                for &signal in Signal::ALL {
                    for &recipient_kind in &recipients {
                        for &purpose in Purpose::ALL {
                            queries.push(RuleQuery { role, org_kind, action, signal, recipient_kind, purpose });
                        }
                    }
                }
            }
        }
    }
    queries
}

fn assert_same(policy: &Policy, queries: &[RuleQuery]) {
    assert!(policy.is_compiled());
    for query in queries {
        let ids = |matched: Vec<crate::framework::MatchedRule>| matched.into_iter().map(|m| m.id).collect::<Vec<_>>();
        let casbin = ids(policy.casbin_matching(query).unwrap());
        let index = ids(policy.matching(query).unwrap());
        assert_eq!(index, casbin, "{query:?}");
    }
}

#[tokio::test]
async fn the_default_table_matches_as_casbin_does_for_every_request_the_vocabulary_allows() {
    let policy = Policy::default_policy().await.unwrap();
    let queries = all_queries();
    assert_eq!(queries.len(), Role::ALL.len() * 9 * 2 * Signal::ALL.len() * 10 * 4);
    // Every seventh request (all of them take minutes in a debug build under casbin's scan); the
    // offset walks through every column's values.
    let sample: Vec<RuleQuery> = queries.into_iter().step_by(7).collect();
    assert_same(&policy, &sample);
}

#[tokio::test]
async fn generated_tables_match_as_casbin_does() {
    let mut lcg = Lcg(0x6b65_7465_6e70_6f6f);
    let professional: Vec<&str> = Role::ALL.iter().filter(|r| r.is_professional()).map(|r| r.as_str()).collect();
    let recipients = recipient_kinds();
    for table in 0..3 {
        let mut text = String::new();
        for rule in 0..(70 + table * 60) {
            text.push_str(&format!(
                "p, G{rule}, {}, {}, {}, {}, {}, {}, consent\n",
                lcg.column(&professional),
                lcg.column(OrgKind::WORDS),
                lcg.pick(Action::WORDS),
                lcg.column(Signal::WORDS),
                lcg.column(&recipients),
                lcg.column(Purpose::WORDS),
            ));
        }
        let policy = Policy::load(super::DEFAULT_MODEL, &text).await.unwrap();
        let queries: Vec<RuleQuery> = (0..1_500)
            .map(|_| RuleQuery {
                role: Role::ALL[lcg.next(Role::ALL.len())],
                org_kind: OrgKind::ALL[lcg.next(OrgKind::ALL.len())],
                action: Action::ALL[lcg.next(Action::ALL.len())],
                signal: Signal::ALL[lcg.next(Signal::ALL.len())],
                recipient_kind: lcg.pick(&recipients),
                purpose: Purpose::ALL[lcg.next(Purpose::ALL.len())],
            })
            .collect();
        assert_same(&policy, &queries);
        assert!(
            queries.iter().any(|q| !policy.matching(q).unwrap().is_empty()),
            "a generated table matches something, or the comparison proves little"
        );
    }
}

#[tokio::test]
async fn another_model_is_matched_by_casbin_itself() {
    let model = super::DEFAULT_MODEL.replace("within(r.purpose, p.purpose)", "true");
    let policy = Policy::load(&model, super::DEFAULT_RULES).await.unwrap();
    assert!(!policy.is_compiled());
    let commented = format!("# a privacy officer's note\n{}", super::DEFAULT_MODEL);
    assert!(Policy::load(&commented, super::DEFAULT_RULES).await.unwrap().is_compiled());
}
