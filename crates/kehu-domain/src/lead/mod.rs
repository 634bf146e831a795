//! Leads (线索): inbound inquiries. Intake parses the payload ([`input`]), fingerprints it
//! for idempotency, and decides match-first where the lead goes ([`decision`]): to the owner
//! of the customer it matches, to the open lead of the same person, or to routing. Its
//! industry, tags and stated grade ([`profile`]) are what routing rules may ask for.

pub mod decision;
pub mod health;
pub mod input;
pub mod profile;
pub mod response;

pub use decision::{
    CustomerHit, Decision, Explanation, HitOwner, MATCH_SCORE, MatchReason, OpenLead, Outcome,
    decide,
};
pub use input::{EXTRA_MAX_BYTES, LeadInput, LeadKey, LeadKeyKind, NewLead};
pub use response::{LadderStep, ResponseWindow, ResponseWindowInput, StepAction};

use serde::{Deserialize, Serialize};

/// A lead (线索).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadId(pub i64);

/// A lead source (线索来源): 官网表单, 抖音, 展会, 电话 ….
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeadSourceId(pub i64);

/// Where a lead stands now. Intake sets one of these; routing (later) moves leads on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Awaiting routing: it matched a pool customer or nothing.
    Unrouted,
    /// A rep has it.
    Assigned,
    /// Waits in a team's lead pool (认领池) for one of its reps to claim it.
    Pooled,
    /// Joined the open lead of the same person (`duplicate_of`); not worked on its own.
    Duplicate,
}

impl LeadStatus {
    /// Every status.
    pub const ALL: [LeadStatus; 4] = [
        Self::Unrouted,
        Self::Assigned,
        Self::Pooled,
        Self::Duplicate,
    ];

    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unrouted => "unrouted",
            Self::Assigned => "assigned",
            Self::Pooled => "pooled",
            Self::Duplicate => "duplicate",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<LeadStatus> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Open leads are worked on (or wait to be); a new lead of the same person joins one.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Unrouted | Self::Assigned | Self::Pooled)
    }
}
