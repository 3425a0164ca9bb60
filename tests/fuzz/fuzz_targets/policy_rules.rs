//! The policy loader: `Policy::load` with the default model (policies/model.conf) and a rule
//! table (policy.csv) from the fuzzer, as a privacy officer's draft arrives.
//!
//! Asserts: a table that fails its check fails the load with the same error, at a line of the
//! text; a table that passes always loads, keeps its rules and is compiled into the index; and
//! for requests drawn from the table's own words and at random, the index matches exactly the
//! rules casbin matches, each once, in table order.

#![no_main]

use std::sync::LazyLock;

use ketenpoort::framework::vocabulary::{Action, OrgKind, Purpose, REFERENCE_INDEX, Role, Signal};
use ketenpoort::framework::{RuleBook, RuleQuery};
use ketenpoort::policy::{DEFAULT_MODEL, LoadError, Policy, TableError, parse_table};
use libfuzzer_sys::fuzz_target;

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().build().unwrap());

/// Requests drawn from each rule (up to this many) and at random.
const QUERIES: usize = 8;

/// A small deterministic generator seeded by the input: the same requests on every replay.
struct Lcg(u64);

impl Lcg {
    fn seeded(data: &[u8]) -> Self {
        Lcg(data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)))
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }

    /// A word of the column when it lists words, else any word of the vocabulary.
    fn word<'a>(&mut self, column: &str, all: &[&'a str]) -> &'a str {
        let listed: Vec<&'a str> = all.iter().copied().filter(|w| column.split_whitespace().any(|c| c == *w)).collect();
        if !listed.is_empty() && self.below(4) != 0 {
            listed[self.below(listed.len())]
        } else {
            all[self.below(all.len())]
        }
    }
}

fn query(lcg: &mut Lcg, columns: Option<&[String]>) -> RuleQuery {
    let column = |i: usize| columns.and_then(|c| c.get(i)).map_or("", String::as_str);
    let recipients: Vec<&'static str> = OrgKind::WORDS.iter().copied().chain([REFERENCE_INDEX]).collect();
    RuleQuery {
        role: lcg.word(column(1), Role::WORDS).parse().unwrap(),
        org_kind: lcg.word(column(2), OrgKind::WORDS).parse().unwrap(),
        action: lcg.word(column(3), Action::WORDS).parse().unwrap(),
        signal: lcg.word(column(4), Signal::WORDS).parse().unwrap(),
        recipient_kind: lcg.word(column(5), &recipients),
        purpose: lcg.word(column(6), Purpose::WORDS).parse().unwrap(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(rules) = std::str::from_utf8(data) else { return };
    let checked = parse_table(rules);
    let loaded = RUNTIME.block_on(Policy::load(DEFAULT_MODEL, rules));
    let (table, policy) = match (checked, loaded) {
        (Err(error), Err(LoadError::Table(refused))) => {
            assert_eq!(error, refused, "the load refuses for another reason than the check");
            if let TableError::Line { line, .. } = error {
                assert!((1..=rules.lines().count()).contains(&line), "line {line} is not in the text");
            }
            return;
        }
        (Err(error), other) => panic!("a table that fails its check ({error}) loaded as {other:?}"),
        (Ok(_), Err(error)) => panic!("a checked table does not load under the default model: {error}"),
        (Ok(table), Ok(policy)) => (table, policy),
    };
    assert_eq!(policy.rules(), table.as_slice(), "the policy keeps other rules than the table");
    assert!(policy.is_compiled(), "the default model is decided by the index");

    let mut lcg = Lcg::seeded(data);
    let mut queries: Vec<RuleQuery> =
        table.iter().take(QUERIES).map(|rule| query(&mut lcg, Some(&rule.columns))).collect();
    while queries.len() < QUERIES {
        queries.push(query(&mut lcg, None));
    }
    for query in &queries {
        let index = policy.matching(query).unwrap();
        let casbin = policy.casbin_matching(query).unwrap();
        assert_eq!(index, casbin, "the index and casbin disagree on {query:?}");
        let lines: Vec<usize> = index
            .iter()
            .map(|matched| table.iter().find(|rule| rule.id == matched.id).map(|rule| rule.line).unwrap())
            .collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "matched rules out of table order or twice: {query:?}");
    }
});
