//! Pools (公海): the rules that recycle neglected customers into a pool and hand them out
//! fairly. Every rule is a pure function of (facts, rules, now), so the job runner, the
//! preview of a rule change and the tests all ask the same question.

mod claim;
mod due_filter;
mod leave;
mod leave_input;
mod recycle;
mod rules;

pub use claim::{ClaimFacts, ClaimLimits, ClaimRefusal};
pub use due_filter::DueFilter;
pub use leave::{Leave, paused_deadline};
pub use leave_input::{LeaveInput, MAX_BACKDATE_DAYS, MAX_LEAVE_DAYS, NewLeave};
pub use recycle::{
    Exemption, RecycleCause, RecycleCauseRecord, RecycleFacts, RecycleRecord, RecycleRule,
    RecycleVerdict, judge, recycle_change,
};
pub use rules::{LockLimitReached, PoolRules};

#[cfg(test)]
mod tests;
