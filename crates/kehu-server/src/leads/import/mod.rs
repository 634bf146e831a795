//! Lead import (线索导入): a CSV or Excel file of leads, every row through the one intake path
//! ([`super::intake`]: match first, then routing) as the importing user. Each row's
//! `Idempotency-Key` is the file's content hash and the row's line, so importing the same
//! file again creates nothing twice: its rows are replayed. Rows are written one by one, each
//! atomic as intake is; a bad row is reported with its column and the others go in.

mod mapping;
mod report;

pub use mapping::{ColumnUse, Mapping, split_tags};
pub use report::{ImportReport, Placed, RowOutcome, RowReport, Stopped};

use super::{Sender, intake};
use crate::error::AppError;
use crate::state::AppState;
use crate::tabular::{self, TableError};
use kehu_domain::lead::{LeadSourceId, Outcome};
use kehu_domain::{Actor, Role};
use kehu_store::leads::LeadSource;
use sha2::{Digest, Sha256};

/// The most rows the import page takes in one request (it answers when all are in); larger
/// files go through `kehu leads import`.
pub const PAGE_MAX_ROWS: usize = 5_000;

/// Why a file is not imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not a table.
    #[error(transparent)]
    Table(#[from] TableError),
    /// No column says who to call.
    #[error("no company, contact or phone column")]
    NoColumns,
    /// Anything else (the actor may not import, the source is unknown …).
    #[error(transparent)]
    App(#[from] AppError),
}

/// Who may import leads: managers and admins. A rep enters leads one by one (the form or the
/// API); a file of hundreds is a manager's decision.
pub fn may_import(actor: &Actor) -> bool {
    actor.role != Role::Rep
}

/// The active source named by `raw`: its id, code or name.
pub async fn find_source(state: &AppState, raw: &str) -> Result<Option<LeadSource>, AppError> {
    let raw = raw.trim();
    let sources = state.store.lead_sources().await?;
    Ok(sources
        .into_iter()
        .filter(|s| s.active)
        .find(|s| s.id.to_string() == raw || s.code == raw || s.name == raw))
}

/// Reads `file` and takes in each row as a lead of `source` entered by `actor`, at most
/// `max_rows` rows; `progress` hears (rows done, rows in the file): first with none done,
/// then after each row. A failure other
/// than a row's bad fields (the database going away) stops the import there, which
/// [`ImportReport::stopped`] says; the rows before it are in, and importing the same file
/// again replays them and goes on.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    source: LeadSourceId,
    file: &[u8],
    max_rows: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ImportReport, ImportError> {
    if !may_import(actor) {
        return Err(AppError::Forbidden.into());
    }
    let table = tabular::read(file, max_rows)?;
    let mapping = Mapping::of(&table.header).ok_or(ImportError::NoColumns)?;
    let hash = hex::encode(Sha256::digest(file));
    let sender = Sender::User(actor.clone());
    let total = table.rows.len();
    let mut report = ImportReport::new(mapping.uses(), total);
    progress(0, total);
    for (done, row) in table.rows.iter().enumerate() {
        let key = format!("import-{}-{}", &hash[..32], row.line);
        let input = mapping.input(source.0, &row.cells);
        let outcome = match intake(state, &sender, Some(&key), &input).await {
            Ok(taken) => outcome_of(state, actor, &taken).await,
            Err(AppError::Fields(errs)) => Ok(RowOutcome::failed(&mapping, &row.cells, errs)),
            Err(error) => Err(error),
        };
        match outcome {
            Ok(outcome) => report.rows.push(RowReport {
                line: row.line,
                outcome,
            }),
            Err(error) => {
                report.stopped = Some(Stopped {
                    line: row.line,
                    error,
                });
                break;
            }
        }
        progress(done + 1, total);
    }
    Ok(report)
}

/// What became of a row that intake took: created (and where it went), joined an open lead,
/// or replayed.
async fn outcome_of(
    state: &AppState,
    actor: &Actor,
    done: &super::Intake,
) -> Result<RowOutcome, AppError> {
    let lead = done.receipt.id;
    if done.replayed {
        return Ok(RowOutcome::Replayed { lead });
    }
    if let Some(open) = done.receipt.duplicate_of
        && done.receipt.outcome == Outcome::Duplicate.code()
    {
        return Ok(RowOutcome::Joined { lead, open });
    }
    let placed = state
        .store
        .lead_for(actor, lead)
        .await?
        .map(|l| Placed::of(&l));
    Ok(RowOutcome::Created { lead, placed })
}
