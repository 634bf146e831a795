//! The import's row-by-row report, as data and in words (the page and the command line).

use super::mapping::{ColumnUse, Mapping};
use crate::error::{AppError, field_label, field_message};
use crate::i18n::T;
use kehu_domain::error::FieldErrors;
use kehu_store::leads::Lead;

/// What an import did, row by row.
#[derive(Debug)]
pub struct ImportReport {
    /// The file's columns and the lead field each fills.
    pub columns: Vec<ColumnUse>,
    /// Rows in the file.
    pub total: usize,
    /// Each row handled, in file order.
    pub rows: Vec<RowReport>,
    /// Where and why the import stopped early, if it did.
    pub stopped: Option<Stopped>,
}

/// One row's result.
#[derive(Debug)]
pub struct RowReport {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// What became of it.
    pub outcome: RowOutcome,
}

/// What became of a row.
#[derive(Debug)]
pub enum RowOutcome {
    /// A new lead, and where it stands after routing (`None` when the importer may not read
    /// it any more).
    Created {
        /// The lead.
        lead: i64,
        /// Where it went.
        placed: Option<Placed>,
    },
    /// A new lead that joined the open lead of the same person (an earlier row, say).
    Joined {
        /// The lead.
        lead: i64,
        /// The open lead it joined.
        open: i64,
    },
    /// Imported before (the same file): that lead, nothing new.
    Replayed {
        /// The lead.
        lead: i64,
    },
    /// Refused; nothing of the row was written.
    Failed {
        /// Each bad field: the file's column (when it has one), the field's label key and
        /// the error.
        errors: Vec<RowError>,
    },
}

/// One bad field of a row.
#[derive(Debug)]
pub struct RowError {
    /// The file's column it came from.
    pub column: Option<String>,
    /// The lead field (`phone`).
    pub field: String,
    /// The message key (`phone_invalid`).
    pub code: &'static str,
    /// The values the message names (a credit code's bad character and its position).
    pub args: Vec<(&'static str, String)>,
}

/// Where a created lead stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// `assigned`, `pooled`, `unrouted`.
    pub status: String,
    /// The rep who has it.
    pub rep: Option<String>,
    /// The team whose lead pool it waits in.
    pub pool: Option<String>,
}

/// Why an import stopped before the end.
#[derive(Debug)]
pub struct Stopped {
    /// The line it stopped at; the lines before it are in.
    pub line: u64,
    /// What failed.
    pub error: AppError,
}

/// How many rows ended which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// New leads (joined ones included).
    pub created: usize,
    /// Of those, the ones that joined an open lead.
    pub joined: usize,
    /// Imported before.
    pub replayed: usize,
    /// Refused.
    pub failed: usize,
}

impl ImportReport {
    pub(super) fn new(columns: Vec<ColumnUse>, total: usize) -> ImportReport {
        ImportReport {
            columns,
            total,
            rows: Vec::with_capacity(total),
            stopped: None,
        }
    }

    /// The rows counted by result.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.rows {
            match r.outcome {
                RowOutcome::Created { .. } => c.created += 1,
                RowOutcome::Joined { .. } => {
                    c.created += 1;
                    c.joined += 1;
                }
                RowOutcome::Replayed { .. } => c.replayed += 1,
                RowOutcome::Failed { .. } => c.failed += 1,
            }
        }
        c
    }

    /// "12 rows: 9 new leads (1 joined an open lead), 2 imported before, 1 refused".
    pub fn summary(&self, t: T) -> String {
        let c = self.counts();
        let n = |v: usize| v.to_string();
        t.fmt(
            "lead_import.summary",
            &[
                ("rows", &n(self.rows.len())),
                ("created", &n(c.created)),
                ("joined", &n(c.joined)),
                ("replayed", &n(c.replayed)),
                ("failed", &n(c.failed)),
            ],
        )
    }

    /// The early stop in words, if any.
    pub fn stopped_text(&self, t: T) -> Option<String> {
        self.stopped.as_ref().map(|s| {
            let why = s.error.message(t.locale());
            t.fmt(
                "lead_import.stopped",
                &[("line", &s.line.to_string()), ("error", &why)],
            )
        })
    }
}

impl RowOutcome {
    /// A refused row, each error named by the file's column where it has one.
    pub(super) fn failed(mapping: &Mapping, cells: &[String], errs: FieldErrors) -> RowOutcome {
        let errors = errs
            .0
            .into_iter()
            .map(|e| RowError {
                column: mapping.column_of(&e.field, cells),
                field: e.field.into_owned(),
                code: e.code,
                args: e.args,
            })
            .collect();
        RowOutcome::Failed { errors }
    }

    /// A stable code: `created`, `joined`, `replayed`, `error`.
    pub fn code(&self) -> &'static str {
        match self {
            RowOutcome::Created { .. } => "created",
            RowOutcome::Joined { .. } => "joined",
            RowOutcome::Replayed { .. } => "replayed",
            RowOutcome::Failed { .. } => "error",
        }
    }

    /// The lead the row is, if any.
    pub fn lead(&self) -> Option<i64> {
        match self {
            RowOutcome::Created { lead, .. }
            | RowOutcome::Joined { lead, .. }
            | RowOutcome::Replayed { lead } => Some(*lead),
            RowOutcome::Failed { .. } => None,
        }
    }

    /// The result in words: "new lead #12 → 王芳", "手机 (phone): not a valid phone number".
    pub fn text(&self, t: T) -> String {
        let id = |l: &i64| l.to_string();
        match self {
            RowOutcome::Created { lead, placed } => {
                let to = placed.as_ref().map(|p| p.text(t)).unwrap_or_default();
                let text = t.fmt(
                    "lead_import.row_created",
                    &[("lead", &id(lead)), ("to", &to)],
                );
                text.trim_end().to_owned()
            }
            RowOutcome::Joined { lead, open } => t.fmt(
                "lead_import.row_joined",
                &[("lead", &id(lead)), ("open", &id(open))],
            ),
            RowOutcome::Replayed { lead } => {
                t.fmt("lead_import.row_replayed", &[("lead", &id(lead))])
            }
            RowOutcome::Failed { errors } => errors
                .iter()
                .map(|e| e.text(t))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl RowError {
    /// "手机 (电话): 不是有效的电话号码": the column as in the file, the field, the error.
    pub fn text(&self, t: T) -> String {
        let field = field_label(t, &self.field);
        let mut error = kehu_domain::error::FieldError::new(self.field.clone(), self.code);
        error.args.clone_from(&self.args);
        let message = field_message(t, &error);
        match &self.column {
            Some(c) if *c != field => format!("{c} ({field}): {message}"),
            _ => format!("{field}: {message}"),
        }
    }
}

impl Placed {
    /// Where a lead stands now.
    pub fn of(lead: &Lead) -> Placed {
        Placed {
            status: lead.status.clone(),
            rep: lead.assignee_name.clone(),
            pool: lead.pool_team_name.clone(),
        }
    }

    /// "→ 王芳", "→ 华东组's lead pool", "→ awaiting routing".
    pub fn text(&self, t: T) -> String {
        match (self.status.as_str(), &self.rep, &self.pool) {
            ("assigned", Some(rep), _) => t.fmt("lead_import.to_rep", &[("rep", rep)]),
            ("pooled", _, Some(team)) => t.fmt("lead_import.to_pool", &[("team", team)]),
            _ => t.t("lead_import.unrouted").to_owned(),
        }
    }
}
