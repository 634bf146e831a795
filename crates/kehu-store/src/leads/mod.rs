//! Leads (线索): sources and their intake tokens (`sources`), intake in one short write
//! transaction (`intake`), reading leads as an actor may (`read`), and a lead turned into a
//! customer (`convert`).

mod convert;
mod health;
mod intake;
mod pool;
mod read;
pub(crate) mod response;
mod sources;

pub use health::RegionBacklog;
pub use intake::{IntakeResult, LeadIntake, LeadReceipt};
pub use pool::{EarlierLead, LeadClaimRefusal};
pub use read::Lead;
pub use response::{DueStep, LeadEvent, RespondRefusal};
pub use sources::{LeadSource, SourceToken, TokenSource};
