//! The access policy: what an actor may read, see unmasked, and change.

mod policy;

pub use policy::{AccessFacts, CollaboratorAccess, Visibility, can_change, visibility};
