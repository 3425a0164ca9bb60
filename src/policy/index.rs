//! The rule table compiled for matching without a scan (issue 8): for every column and every
//! word of the closed vocabulary, the set of rules that accept that word, as a bitset over the
//! rules in table order. A query is the intersection of six such sets; its set bits are the
//! matching rules, already in table order. That intersection is made when the table is
//! compiled, for every query the vocabulary allows (a few hundred thousand, each naming one of
//! the few distinct lists of rules): a decision then looks its rules up in one step, whatever
//! the size of the table.
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

/// The compiled table: for every query, which list of rules matches it.
pub struct RuleIndex {
    matched: Vec<MatchedRule>,
    /// The distinct lists of matching rules (indices into `matched`, in table order).
    lists: Vec<Vec<u32>>,
    /// For every query (role, org kind, action, signal, recipient kind, purpose), by
    /// [`query_number`], its list in `lists`.
    answers: Vec<u32>,
}

/// The recipient kinds a query may name: every org kind and the reference index.
fn recipient_count() -> usize {
    OrgKind::ALL.len() + 1
}

/// Where a query's answer is: its words' positions in the vocabulary, as digits of one number.
fn query_number(role: usize, org_kind: usize, action: usize, signal: usize, recipient: usize, purpose: usize) -> usize {
    let mut number = role;
    number = number * OrgKind::ALL.len() + org_kind;
    number = number * Action::ALL.len() + action;
    number = number * Signal::ALL.len() + signal;
    number = number * recipient_count() + recipient;
    number * Purpose::ALL.len() + purpose
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
        let w = rules.len().div_ceil(64);
        let role = Column::build(rules, 1, Role::WORDS, within);
        let org_kind = Column::build(rules, 2, OrgKind::WORDS, within);
        let action = Column::build(rules, 3, Action::WORDS, equal);
        let signal = Column::build(rules, 4, Signal::WORDS, within);
        let recipient_kind = Column::build(rules, 5, &recipient_kinds(), within);
        let purpose = Column::build(rules, 6, Purpose::WORDS, within);
        let mut lists: Vec<Vec<u32>> = vec![Vec::new()];
        let mut known: std::collections::HashMap<Vec<u32>, u32> = std::collections::HashMap::from([(Vec::new(), 0)]);
        let count = query_number(Role::ALL.len(), 0, 0, 0, 0, 0);
        let mut answers = vec![0u32; count];
        let mut partial = vec![0u64; w];
        let mut list = Vec::new();
        for r in 0..Role::ALL.len() {
            for k in 0..OrgKind::ALL.len() {
                for a in 0..Action::ALL.len() {
                    for s in 0..Signal::ALL.len() {
                        // The first four columns once for every recipient kind and purpose.
                        for (word, bits) in partial.iter_mut().enumerate() {
                            *bits = role.of(r, w)[word]
                                & org_kind.of(k, w)[word]
                                & action.of(a, w)[word]
                                & signal.of(s, w)[word];
                        }
                        if partial.iter().all(|bits| *bits == 0) {
                            continue;
                        }
                        for t in 0..recipient_count() {
                            for p in 0..Purpose::ALL.len() {
                                list.clear();
                                let (to, why) = (recipient_kind.of(t, w), purpose.of(p, w));
                                for (word, bits) in partial.iter().enumerate() {
                                    let mut bits = bits & to[word] & why[word];
                                    while bits != 0 {
                                        list.push((word * 64) as u32 + bits.trailing_zeros());
                                        bits &= bits - 1;
                                    }
                                }
                                if list.is_empty() {
                                    continue;
                                }
                                let at = *known.entry(list.clone()).or_insert_with(|| {
                                    lists.push(list.clone());
                                    (lists.len() - 1) as u32
                                });
                                answers[query_number(r, k, a, s, t, p)] = at;
                            }
                        }
                    }
                }
            }
        }
        RuleIndex {
            matched: rules.iter().map(|rule| MatchedRule { id: rule.id.clone(), bases: rule.bases.clone() }).collect(),
            lists,
            answers,
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
        let number = query_number(
            position(Role::ALL, &query.role),
            position(OrgKind::ALL, &query.org_kind),
            position(Action::ALL, &query.action),
            position(Signal::ALL, &query.signal),
            recipient,
            position(Purpose::ALL, &query.purpose),
        );
        let list = self.answers.get(number).map_or(&[][..], |&at| &self.lists[at as usize]);
        list.iter().map(|&rule| self.matched[rule as usize].clone()).collect()
    }
}
