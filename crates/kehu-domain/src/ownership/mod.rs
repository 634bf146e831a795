//! Ownership (归属): who owns a customer, and the only ways that may change.

pub mod appeal;
pub mod handover;
mod ledger;
pub mod protection;
mod transition;

pub use ledger::{LedgerEntry, LedgerKind, OwnerChange, owner_at};
pub use transition::{
    CLAIM_RACE_WINDOW_MINUTES, OwnershipError, OwnershipState, Reason, TransferTarget, claim,
    create, lost_claim_race, release, transfer,
};
