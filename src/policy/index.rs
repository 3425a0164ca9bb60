//! The rule table compiled for matching without a scan (issue 8): for every column and every
//! word of the closed vocabulary, the set of rules that accept that word, as a bitset over the
//! rules in table order. A query is the intersection of six such sets; its set bits are the
//! matching rules, already in table order. Cost grows with rules / 64, not with rules.
//!
//! It implements the default model's matcher exactly — `professional(role)`, `within` on every
//! column and equality on the action — and is checked against casbin's own answers by tests.

use crate::framework::vocabulary::{Action, OrgKind, Purpose, REFERENCE_INDEX, Role, Signal};
use crate::framework::{MatchedRule, RuleQuery};

use super::table::{Rule, within};

/// Rules accepting each word of one column: `words` u64s per word, word-major.
struct Column {
    bits: Vec<u64>,
}

impl Column {
    fn build(rules: &[Rule], column: usize, vocabulary: &[&str], accepts: fn(&str, &str) -> bool) -> Column {
        let words = rules.len().div_ceil(64);
        let mut bits = vec![0u64; vocabulary.len() * words];
        for (value_index, value) in vocabulary.iter().enumerate() {
            for (rule_index, rule) in rules.iter().enumerate() {
                if accepts(value, &rule.columns[column]) {
                    bits[value_index * words + rule_index / 64] |= 1 << (rule_index % 64);
                }
            }
        }
        Column { bits }
    }

    fn of(&self, value_index: usize, words: usize) -> &[u64] {
        &self.bits[value_index * words..(value_index + 1) * words]
    }
}

/// The compiled table.
pub struct RuleIndex {
    words: usize,
    matched: Vec<MatchedRule>,
    role: Column,
    org_kind: Column,
    action: Column,
    signal: Column,
    recipient_kind: Column,
    purpose: Column,
}

fn equal(value: &str, column: &str) -> bool {
    value == column
}

/// The recipient kinds: every org kind, then the reference index.
fn recipient_kinds() -> Vec<&'static str> {
    OrgKind::WORDS.iter().copied().chain([REFERENCE_INDEX]).collect()
}

fn position<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(0)
}

impl RuleIndex {
    /// Compiles `rules` (columns as in `table::COLUMNS`: id, role, org kind, action, signal,
    /// recipient kind, purpose, basis).
    pub fn compile(rules: &[Rule]) -> RuleIndex {
        RuleIndex {
            words: rules.len().div_ceil(64),
            matched: rules.iter().map(|rule| MatchedRule { id: rule.id.clone(), bases: rule.bases.clone() }).collect(),
            role: Column::build(rules, 1, Role::WORDS, within),
            org_kind: Column::build(rules, 2, OrgKind::WORDS, within),
            action: Column::build(rules, 3, Action::WORDS, equal),
            signal: Column::build(rules, 4, Signal::WORDS, within),
            recipient_kind: Column::build(rules, 5, &recipient_kinds(), within),
            purpose: Column::build(rules, 6, Purpose::WORDS, within),
        }
    }

    /// Every rule that matches, in table order.
    pub fn matching(&self, query: &RuleQuery) -> Vec<MatchedRule> {
        if !query.role.is_professional() {
            return Vec::new();
        }
        let recipient = if query.recipient_kind == REFERENCE_INDEX {
            OrgKind::ALL.len()
        } else {
            OrgKind::WORDS.iter().position(|word| *word == query.recipient_kind).unwrap_or(usize::MAX)
        };
        if recipient == usize::MAX {
            return Vec::new();
        }
        let w = self.words;
        // The sparsest columns first: most words of the rule set fall out after one or two.
        let columns = [
            self.signal.of(position(Signal::ALL, &query.signal), w),
            self.recipient_kind.of(recipient, w),
            self.role.of(position(Role::ALL, &query.role), w),
            self.org_kind.of(position(OrgKind::ALL, &query.org_kind), w),
            self.purpose.of(position(Purpose::ALL, &query.purpose), w),
            self.action.of(position(Action::ALL, &query.action), w),
        ];
        let mut matched = Vec::new();
        'words: for word in 0..w {
            let mut bits = u64::MAX;
            for column in &columns {
                bits &= column[word];
                if bits == 0 {
                    continue 'words;
                }
            }
            while bits != 0 {
                let rule = word * 64 + bits.trailing_zeros() as usize;
                matched.push(self.matched[rule].clone());
                bits &= bits - 1;
            }
        }
        matched
    }
}
