//! What the routing simulator reads, in one read-only transaction (nothing is written): the
//! leads received in a range, with the same facts routing reads of them, in arrival order
//! through the `leads_received` index; which sources have a response window; and the facts
//! of the reps the rule lists name.

use crate::Store;
use crate::error::StoreError;
use crate::rows::micros;
use chrono::{DateTime, Utc};
use kehu_domain::ids::UserId;
use kehu_domain::lead::Outcome;
use kehu_domain::routing::{CandidateFacts, PastWindow, ReplayLead};
use std::collections::{HashMap, HashSet};

/// The facts a simulation replays.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimulationFacts {
    /// The leads of the range that went to routing at intake, in arrival order. Leads given
    /// to the owner of a matched customer, or joined to an open lead, never reach routing.
    pub leads: Vec<ReplayLead>,
    /// The leads of the range that had a response clock with someone, for breach rates.
    pub windows: Vec<PastWindow>,
    /// The facts of the reps asked for (unknown ids are left out).
    pub candidates: HashMap<UserId, CandidateFacts>,
}

/// A lead as the simulator reads it: routing's facts, then arrival, outcome and clock.
type LeadRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    String,
    Option<i64>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// One range scan of `leads_received`, already in arrival order, with each matched
/// customer's industry and grade by its primary key.
fn leads_in_range() -> String {
    format!(
        "select {}, l.received_at, l.outcome, l.assigned_to, l.window_due_at, \
         l.responded_at from leads l left join customers c on c.id = l.customer_id \
         where l.received_at >= $1 and l.received_at < $2 order by l.received_at, l.id",
        super::lead::FACT_COLUMNS
    )
}

impl Store {
    /// The leads received in `[from, to)` and the facts of `users`, with leave read from
    /// `from` on, in one snapshot.
    pub async fn simulation_facts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        users: &[UserId],
    ) -> Result<SimulationFacts, StoreError> {
        let mut tx = self.begin_read().await?;
        let windowed: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "select id from lead_sources where response_window is not null"
        )
        .fetch_all(&mut *c)
        .await)?;
        let windowed: HashSet<i64> = windowed.into_iter().collect();
        let sql = sqlx::AssertSqlSafe(leads_in_range());
        let rows: Vec<LeadRow> = on_tx!(&mut tx, |c| sqlx::query_as(sql)
            .bind(micros(from))
            .bind(micros(to))
            .fetch_all(&mut *c)
            .await)?;
        let mut facts = SimulationFacts::default();
        let routed = Outcome::Unrouted.code();
        for row in rows {
            let (source, province, city, industry, tags, grade, at, outcome, rep, due, responded) =
                row;
            if let (Some(rep), Some(due)) = (rep, due) {
                facts.windows.push(PastWindow {
                    rep: UserId(rep),
                    due,
                    responded,
                });
            }
            if outcome == routed {
                let lead = super::lead::facts((source, province, city, industry, tags, grade))?;
                facts.leads.push(ReplayLead {
                    facts: lead,
                    at,
                    windowed: windowed.contains(&source),
                });
            }
        }
        // Leave not over by the range's start; the track record for the dynamic strategy.
        let wanted = super::facts::Wanted::all(true);
        facts.candidates = super::facts::candidates(&mut tx, users, from, &wanted).await?;
        Ok(facts)
    }
}
