//! Ownership (归属): who owns a customer, and the only ways that may change.

mod ledger;
mod transition;

pub use ledger::{LedgerEntry, LedgerKind, OwnerChange, owner_at};
pub use transition::{
    OwnershipError, OwnershipState, Reason, TransferTarget, claim, create, release, transfer,
};
