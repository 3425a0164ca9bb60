//! The action framework (ACTION-FRAMEWORK.md) as types, and the one decision function.
//!
//! In the request flow this is "decide": the exchange layer loads the youth's facts from the
//! store, asks the active policy which rules match, and calls [`decide`]. Nothing here reads a
//! clock, a database or the network; it can be read and tested alone.

mod decision;
mod explain;
mod facts;
mod lifecycle;
mod request;
pub mod vocabulary;

pub use decision::{Decision, MatchedRule, PolicyError, RuleBook, RuleQuery, decide};
pub use explain::{explain, explain_nl};
pub use facts::{Consent, Involvement, Measure, OrgId, Party, Report, YouthFacts, default_expiry};
pub use lifecycle::{ARCHIVE_YEARS, Ending, registration_expiry};
pub use request::{ExchangeRequest, InputError};
pub use vocabulary::{
    Action, AdminAction, Basis, Consenter, DenyReason, NoticeKind, Obligation, OrgKind, Outcome, Purpose, Role, Signal,
    VocabularyError, WithdrawalReason,
};
