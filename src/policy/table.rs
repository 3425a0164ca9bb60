//! Reading `policy.csv`: the rule table as a privacy officer writes it, checked word by word.
//!
//! casbin would match a misspelt org kind against nothing and stay silent; a privacy officer
//! deserves the line number and the allowed words instead.

use std::str::FromStr;

use crate::framework::vocabulary::{Action, Basis, OrgKind, Purpose, REFERENCE_INDEX, Role, Signal, VocabularyError};

/// Columns of a rule line after the leading `p`.
pub const COLUMNS: [&str; 8] = ["id", "role", "org kind", "action", "signal", "recipient kind", "purpose", "basis"];

/// A rule of the table: its id, its bases, and its columns as casbin receives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub line: usize,
    pub id: String,
    pub bases: Vec<Basis>,
    /// The eight columns, trimmed, in the order of [`COLUMNS`].
    pub columns: Vec<String>,
}

/// What is wrong with a policy, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("policy.csv line {line}: {problem}")]
    Line { line: usize, problem: LineProblem },
    #[error("policy.csv has no rules")]
    Empty,
}

/// What is wrong with one line of the table: structured, so that a page can say it in the
/// reader's language; `Display` is the command line's English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("a rule line starts with `p,`; found `{found}`")]
    NotARule { found: String },
    #[error("a rule has {} columns ({}); found {found}", COLUMNS.len(), COLUMNS.join(", "))]
    ColumnCount { found: usize },
    #[error("a rule id is letters, digits, `-` or `_`; found `{found}`")]
    BadId { found: String },
    /// `column` indexes [`COLUMNS`].
    #[error("column `{}`: {error}", COLUMNS[*column])]
    Word { column: usize, error: VocabularyError },
    #[error("column `basis` names at least one basis")]
    NoBasis,
    #[error("rule id `{id}` is already used on line {earlier}")]
    DuplicateId { id: String, earlier: usize },
}

fn at(line: usize) -> impl Fn(LineProblem) -> TableError {
    move |problem| TableError::Line { line, problem }
}

/// Parses and checks the rule table.
pub fn parse(text: &str) -> Result<Vec<Rule>, TableError> {
    let mut rules: Vec<Rule> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut fields: Vec<String> = trimmed.split(',').map(|field| field.trim().to_owned()).collect();
        if fields.first().map(String::as_str) != Some("p") {
            return Err(at(line)(LineProblem::NotARule { found: fields[0].clone() }));
        }
        fields.remove(0);
        if fields.len() != COLUMNS.len() {
            return Err(at(line)(LineProblem::ColumnCount { found: fields.len() }));
        }
        let rule = check(line, fields)?;
        if let Some(earlier) = rules.iter().find(|earlier| earlier.id == rule.id) {
            return Err(at(line)(LineProblem::DuplicateId { id: rule.id.clone(), earlier: earlier.line }));
        }
        rules.push(rule);
    }
    if rules.is_empty() {
        return Err(TableError::Empty);
    }
    Ok(rules)
}

fn check(line: usize, columns: Vec<String>) -> Result<Rule, TableError> {
    let fail = at(line);
    let id = &columns[0];
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(fail(LineProblem::BadId { found: id.clone() }));
    }
    let word_error = |column: usize| {
        let fail = at(line);
        move |error: VocabularyError| fail(LineProblem::Word { column, error })
    };
    check_list::<Role>(&columns[1]).map_err(word_error(1))?;
    check_list::<OrgKind>(&columns[2]).map_err(word_error(2))?;
    columns[3].parse::<Action>().map_err(word_error(3))?;
    check_list::<Signal>(&columns[4]).map_err(word_error(4))?;
    check_list::<RecipientKind>(&columns[5]).map_err(word_error(5))?;
    check_list::<Purpose>(&columns[6]).map_err(word_error(6))?;
    let bases =
        columns[7].split_whitespace().map(str::parse::<Basis>).collect::<Result<Vec<_>, _>>().map_err(word_error(7))?;
    if bases.is_empty() {
        return Err(fail(LineProblem::NoBasis));
    }
    Ok(Rule { line, id: id.clone(), bases, columns })
}

/// A list column: `*`, `* except a b`, or `a b`; every word in the vocabulary.
fn check_list<T: FromStr<Err = VocabularyError>>(column: &str) -> Result<(), VocabularyError> {
    let words = match column.strip_prefix('*') {
        Some(rest) => match rest.trim().strip_prefix("except") {
            Some(excepted) => excepted,
            None if rest.trim().is_empty() => "",
            None => rest,
        },
        None => column,
    };
    words.split_whitespace().try_for_each(|word| word.parse::<T>().map(drop))
}

/// The recipient-kind column: an org kind or `reference_index`.
struct RecipientKind;

impl FromStr for RecipientKind {
    type Err = VocabularyError;
    fn from_str(word: &str) -> Result<Self, VocabularyError> {
        const WORDS: &[&str] = &[
            "school",
            "gp_practice",
            "neighbourhood_team",
            "youth_health",
            "youth_work",
            "care_provider",
            "certified_institution",
            "safe_home",
            "compulsory_education",
            REFERENCE_INDEX,
        ];
        if WORDS.contains(&word) {
            Ok(RecipientKind)
        } else {
            Err(VocabularyError { what: "recipient kind", value: word.to_owned(), allowed: WORDS })
        }
    }
}

/// casbin's `within(value, column)`: whether `value` is in the list the column describes.
pub fn within(value: &str, column: &str) -> bool {
    match column.strip_prefix('*') {
        Some(rest) => match rest.trim().strip_prefix("except") {
            Some(excepted) => !excepted.split_whitespace().any(|word| word == value),
            None => true,
        },
        None => column.split_whitespace().any(|word| word == value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_reads_star_lists_and_exceptions() {
        assert!(within("school", "*"));
        assert!(within("school", "school gp_practice"));
        assert!(!within("youth_work", "school gp_practice"));
        assert!(within("school", "* except safe_home"));
        assert!(!within("safe_home", "* except safe_home compulsory_education"));
        assert!(!within("", "school"));
    }

    #[test]
    fn the_default_table_parses_into_nine_rules() {
        let rules = parse(include_str!("../../policies/policy.csv")).unwrap();
        let ids: Vec<_> = rules.iter().map(|rule| rule.id.as_str()).collect();
        assert_eq!(ids, ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"]);
        assert_eq!(rules[5].bases, [Basis::ChildProtectionMeasure, Basis::Consent]);
    }

    #[test]
    fn a_misspelt_word_is_reported_with_its_line_and_the_allowed_words() {
        let text = "# comment\np, R1, *, shcool, register, involvement, reference_index, *, reference_index\n";
        let error = parse(text).unwrap_err().to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("`shcool`"), "{error}");
        assert!(error.contains("neighbourhood_team"), "{error}");
        assert!(error.starts_with("policy.csv line 2: column `org kind`: unknown org kind `shcool`; allowed: school"));
        let Err(TableError::Line { line: 2, problem: LineProblem::Word { column: 2, error } }) = parse(text) else {
            panic!("a structured word error")
        };
        assert_eq!(error.value, "shcool");
    }

    #[test]
    fn the_command_line_reads_every_problem_as_before() {
        let said = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(said("q, R1\n"), "policy.csv line 1: a rule line starts with `p,`; found `q`");
        assert_eq!(
            said("p, R1, *, *, register\n"),
            "policy.csv line 1: a rule has 8 columns (id, role, org kind, action, signal, recipient kind, purpose, basis); found 4"
        );
        assert_eq!(
            said("p, R 1, *, *, register, involvement, reference_index, *, reference_index\n"),
            "policy.csv line 1: a rule id is letters, digits, `-` or `_`; found `R 1`"
        );
        assert_eq!(
            said("p, R1, *, *, register, involvement, reference_index, *, \n"),
            "policy.csv line 1: column `basis` names at least one basis"
        );
        let twice = "p, R1, *, *, register, involvement, reference_index, *, reference_index\n".repeat(2);
        assert_eq!(said(&twice), "policy.csv line 2: rule id `R1` is already used on line 1");
    }

    #[test]
    fn wrong_column_counts_duplicate_ids_and_empty_tables_are_refused() {
        assert!(parse("p, R1, *, *, register\n").unwrap_err().to_string().contains("line 1"));
        let twice = "p, R1, *, *, register, involvement, reference_index, *, reference_index\n".repeat(2);
        assert!(parse(&twice).unwrap_err().to_string().contains("already used on line 1"));
        assert_eq!(parse("# nothing\n"), Err(TableError::Empty));
        let no_basis = "p, R1, *, *, register, involvement, reference_index, *, \n";
        assert!(parse(no_basis).is_err());
    }
}
