//! `/customers/duplicates`: the batch duplicate review (查重) for managers and admins —
//! clusters of customers in their scope, each with its score, reasons, and a merge link.

use crate::auth::Session;
use crate::error::{AppError, PageError};
use crate::i18n::T;
use crate::identity::reasons_text;
use crate::merge::require_merger;
use crate::pages::Nav;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use kehu_domain::identity::matching::{Level, Prepared, Reason, Record, cluster};
use kehu_domain::ids::CustomerId;
use std::collections::{BTreeMap, HashMap};

/// The most clusters one page shows, strongest first.
const SHOWN: usize = 200;

/// One record of a cluster.
pub struct Member {
    id: i64,
    name: String,
    owner: String,
    city: String,
}

/// A cluster: records the matcher takes for one customer.
pub struct Group {
    /// Score of the strongest link, as a percentage.
    score: String,
    /// Why, in words.
    reasons: String,
    members: Vec<Member>,
    /// `1,2,3`: the merge page's `ids`.
    ids: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates/review.html")]
/// The review page.
pub struct ReviewPage {
    t: T,
    nav: Option<Nav>,
    flash: Option<String>,
    groups: Vec<Group>,
    /// "12 customers reviewed, 2 clusters".
    summary: String,
}

/// A cluster found: its best link's score, its records (indexes), the reasons of that link.
type Found = (f32, Vec<usize>, Vec<Reason>);

/// Clusters with their strongest link's score and reasons, strongest first.
fn clusters(records: &[(CustomerId, Record)]) -> Vec<Found> {
    let prepared: Vec<Prepared> = records.iter().map(|(_, r)| Prepared::new(r)).collect();
    let c = cluster(&prepared, Level::Account, &());
    let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, root) in c.cluster_of.iter().enumerate() {
        groups.entry(*root).or_default().push(i);
    }
    // Links come strongest first, so the first link seen in a cluster is its best.
    let mut best: HashMap<u32, (u32, u32, f32)> = HashMap::new();
    for l in &c.links {
        best.entry(c.cluster_of[l.a as usize])
            .or_insert((l.a, l.b, l.score));
    }
    let mut out: Vec<Found> = groups
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .filter_map(|(root, members)| {
            let (a, b, score) = *best.get(&root)?;
            let m = c
                .matcher
                .compare(&prepared[a as usize], &prepared[b as usize]);
            Some((score, members, m.reasons))
        })
        .collect();
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.truncate(SHOWN);
    out
}

/// The review page: reps may not review (403).
pub async fn page(
    State(state): State<AppState>,
    session: Session,
) -> Result<ReviewPage, PageError> {
    let actor = &session.actor;
    require_merger(actor)?;
    let t = T(session.locale);
    let records = state.store.match_records(actor).await?;
    let reviewed = records.len();
    // Clustering is CPU work: keep it off the async workers.
    let (records, found) = tokio::task::spawn_blocking(move || {
        let found = clusters(&records);
        (records, found)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let ids: Vec<CustomerId> = found
        .iter()
        .flat_map(|(_, m, _)| m.iter().map(|i| records[*i].0))
        .collect();
    let owners: HashMap<CustomerId, String> = state.store.review_owners(actor, &ids).await?;
    let pool = t.t("customer.in_pool");
    let summary = t.fmt(
        "merge.reviewed",
        &[
            ("records", &reviewed.to_string()),
            ("clusters", &found.len().to_string()),
        ],
    );
    let groups = found
        .into_iter()
        .map(|(score, members, reasons)| {
            let members: Vec<Member> = members
                .iter()
                .map(|i| {
                    let (id, r) = &records[*i];
                    Member {
                        id: id.0,
                        name: r.company.clone().unwrap_or_default(),
                        owner: owners.get(id).cloned().unwrap_or_else(|| pool.to_owned()),
                        city: r.city.clone().unwrap_or_default(),
                    }
                })
                .collect();
            Group {
                score: format!("{:.0}%", score * 100.0),
                reasons: reasons_text(t, &reasons),
                ids: members
                    .iter()
                    .map(|m| m.id.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                members,
            }
        })
        .collect();
    Ok(ReviewPage {
        t,
        nav: Some(Nav::new(&session, "duplicates")),
        flash: None,
        groups,
        summary,
    })
}
