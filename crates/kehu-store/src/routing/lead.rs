//! What routing reads of a lead, for routing it and for replaying it in the simulator: its
//! source and place, and its industry, grade and tags — the industry the lead's own, else its
//! matched customer's; the grade the customer's, else the one the lead states (the CRM's
//! judgement outranks a form's).

use super::{RouteFrom, from_json};
use crate::db::Tx;
use crate::db::query::Query;
use crate::error::StoreError;
use kehu_domain::customer::Grade;
use kehu_domain::ids::CustomerId;
use kehu_domain::lead::{LeadId, NewLead};
use kehu_domain::routing::LeadFacts;

/// The columns of a lead `l` left-joined to its customer `c` that [`facts`] reads, in order.
pub(super) const FACT_COLUMNS: &str = "l.source_id, l.province, l.city, \
     coalesce(l.industry, c.industry), l.tags, coalesce(c.grade, l.grade)";

/// [`FACT_COLUMNS`] as read.
pub(super) type FactRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The lead's facts from its [`FACT_COLUMNS`].
pub(super) fn facts(row: FactRow) -> Result<LeadFacts, StoreError> {
    let (source, province, city, industry, tags, grade) = row;
    Ok(LeadFacts {
        source,
        province,
        city,
        industry,
        // A grade the domain no longer knows reads as none rather than failing routing.
        grade: grade.as_deref().and_then(|g| Grade::parse(g).ok()),
        tags: tags
            .as_deref()
            .map(from_json)
            .transpose()?
            .unwrap_or_default(),
    })
}

/// What routing reads of a lead it routes.
pub(super) struct ToRoute {
    /// What the rules look at.
    pub facts: LeadFacts,
    /// Its source's name, for the notifications.
    pub source_name: String,
    /// Its source's response window (JSON), for the clock of a first routing.
    pub window: Option<String>,
    /// The customer it matched.
    pub customer: Option<CustomerId>,
}

/// The lead as routing reads it, when it still stands where `from` says.
pub(super) async fn to_route(
    tx: &mut Tx,
    lead: LeadId,
    from: RouteFrom,
) -> Result<Option<ToRoute>, StoreError> {
    type Row = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<i64>,
    );
    let select = format!(
        "select {FACT_COLUMNS}, s.name, s.response_window, l.customer_id from leads l \
         join lead_sources s on s.id = l.source_id \
         left join customers c on c.id = l.customer_id where l.id = $1 and "
    );
    let q = match from {
        RouteFrom::Unrouted => Query::new(format!("{select} l.status = 'unrouted'")).bind(lead.0),
        RouteFrom::Missed { rep, step } => Query::new(format!(
            "{select} l.status = 'assigned' and l.assigned_to = $2 and l.ladder_step = $3 \
             and l.responded_at is null"
        ))
        .bind(lead.0)
        .bind(rep.0)
        .bind(step),
    };
    let row: Option<Row> = tx.opt(&q).await?;
    let Some((source, province, city, industry, tags, grade, name, window, customer)) = row else {
        return Ok(None);
    };
    Ok(Some(ToRoute {
        facts: facts((source, province, city, industry, tags, grade))?,
        source_name: name,
        window,
        customer: customer.map(CustomerId),
    }))
}

/// The facts of a lead from `source` not yet written, as [`to_route`] would read them once
/// it is: the customer's industry and grade read here, under the same precedence.
pub(crate) async fn of_new(
    tx: &mut Tx,
    source: i64,
    lead: &NewLead,
    customer: Option<CustomerId>,
) -> Result<LeadFacts, StoreError> {
    let (industry, grade) = match customer {
        Some(c) => {
            let q = Query::new("select industry, grade from customers where id = $1").bind(c.0);
            let row: Option<(Option<String>, Option<String>)> = tx.opt(&q).await?;
            row.unwrap_or_default()
        }
        None => (None, None),
    };
    Ok(LeadFacts {
        source,
        province: lead.province.clone(),
        city: lead.city.clone(),
        industry: lead.industry.clone().or(industry),
        // As `coalesce(c.grade, l.grade)` then parsed, so a grade the domain no longer knows
        // reads as none here too.
        grade: grade
            .or_else(|| lead.grade.map(|g| g.code().to_owned()))
            .and_then(|g| Grade::parse(&g).ok()),
        tags: lead.tags.clone(),
    })
}
