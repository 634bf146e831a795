//! A routing decision as data, stored with the lead: each rule tried in order and why it
//! did not decide, and for the rule that tried its reps each candidate's score or skip.

use super::former::FormerVerdict;
use super::rule::Miss;
use super::strategy::{Factors, Skip};
use crate::availability::{FeedFallback, FeedHealth};
use crate::ids::{TeamId, UserId};
use serde::{Deserialize, Serialize};

/// Why a lead went where it went (or stayed unrouted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingExplanation {
    /// The rules tried, in order, up to the one that decided.
    pub rules: Vec<RuleTrial>,
    /// The rep who got the lead; `None`: it went to a lead pool, or stays unrouted.
    pub chosen: Option<UserId>,
    /// The team whose lead pool took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled: Option<TeamId>,
    /// The availability feed could not be trusted when this was decided, and what routing
    /// did instead.
    #[serde(default)]
    pub availability: Option<FeedAlert>,
    /// The matched pool customer's former owner, when preferred, and what came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_owner: Option<FormerVerdict>,
    /// That former owner's name, for the explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_owner_name: Option<String>,
}

/// A decision taken without a trustworthy availability feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedAlert {
    /// Stale or invalid, since when.
    pub health: FeedHealth,
    /// What routing used instead.
    pub fallback: FeedFallback,
}

impl RoutingExplanation {
    /// The trial that chose, if any.
    pub fn deciding(&self) -> Option<&RuleTrial> {
        self.rules.iter().find(|r| {
            matches!(
                r.result,
                TrialResult::Chosen { .. } | TrialResult::Pooled { .. }
            )
        })
    }
}

/// One rule as tried for a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTrial {
    /// Its position in the list, from 0.
    pub position: usize,
    /// Its name.
    pub name: String,
    /// What came of it.
    pub result: TrialResult,
    /// Its reps with scores or skip reasons (empty when it did not match).
    #[serde(default)]
    pub candidates: Vec<CandidateVerdict>,
}

impl RuleTrial {
    /// A trial not yet decided.
    pub fn new(position: usize, name: &str) -> Self {
        RuleTrial {
            position,
            name: name.to_owned(),
            result: TrialResult::AllSkipped,
            candidates: Vec::new(),
        }
    }
}

/// What came of trying one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TrialResult {
    /// The rule is switched off.
    Inactive,
    /// The lead failed a criterion.
    NoMatch {
        /// Which.
        miss: Miss,
    },
    /// It matched, but every rep was skipped.
    AllSkipped,
    /// It matched and chose this rep.
    Chosen {
        /// The rep.
        user: UserId,
    },
    /// It matched and sent the lead to this team's lead pool.
    Pooled {
        /// The team.
        team: TeamId,
    },
}

/// One target rep as the strategy saw them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateVerdict {
    /// The rep.
    pub user: UserId,
    /// Their name (`None` for an unknown user).
    pub name: Option<String>,
    /// The strategy's score (turns away, current weight, open leads, dynamic score in
    /// millionths), when eligible.
    pub score: Option<i64>,
    /// The dynamic strategy's factors behind the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factors: Option<Factors>,
    /// Why they were passed over, when skipped.
    pub skip: Option<Skip>,
    /// Whether they got the lead.
    pub chosen: bool,
}
