//! `kehu dedupe` without `--input`: the duplicate review of the database's customers, as
//! the system's administrator or as one user (`--as LOGIN`, who reviews what they may see).

use super::report;
use crate::progress::Bar;
use anyhow::{Context, bail};
use kehu_domain::identity::matching::{Level, Prepared, Progress, cluster};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::{Actor, Role};
use kehu_store::Store;
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;

/// Reviews every customer `login` (or the administrator) may review and writes the cluster
/// report to `output`: an Excel workbook when it ends in `.xlsx`, CSV otherwise (standard
/// output when absent).
pub async fn run(
    store: &Store,
    login: Option<&str>,
    level: Level,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let actor = actor(store, login).await?;
    let bar = Bar::new();
    let started = Instant::now();
    bar.spinner("loading");
    let records = store
        .match_records(&actor)
        .await
        .context("cannot read the customers")?;
    bar.start_count("preparing", records.len() as u64);
    let prepared: Vec<Prepared> = records
        .par_chunks(4096)
        .flat_map_iter(|chunk| {
            bar.advance(chunk.len() as u64);
            chunk
                .iter()
                .map(|(_, r)| Prepared::new(r))
                .collect::<Vec<_>>()
        })
        .collect();
    let c = cluster(&prepared, level, &bar);
    let ids: Vec<CustomerId> = records.iter().map(|(id, _)| *id).collect();
    let rows = {
        let owners = store
            .review_owners(&actor, &in_clusters(&c.cluster_of, &ids))
            .await
            .context("cannot read the owners")?;
        report::rows(&records, &prepared, &c, &owners)
    };
    bar.clear();
    match output {
        Some(p) if is_xlsx(p) => report::write_xlsx(&rows, p)?,
        _ => super::with_output(output, |out| report::write_csv(&rows, out))?,
    }
    let clusters = rows
        .iter()
        .filter(|r| r.customer_id == r.cluster_id)
        .count();
    eprintln!(
        "{} customers reviewed as {}: {} customers in {clusters} cluster(s) of duplicates; {} pairs compared in {:.1} s",
        records.len(),
        actor.name,
        rows.len(),
        c.compared,
        started.elapsed().as_secs_f64(),
    );
    Ok(())
}

/// The ids of customers whose cluster has another member.
fn in_clusters(cluster_of: &[u32], ids: &[CustomerId]) -> Vec<CustomerId> {
    let mut size = vec![0_u32; cluster_of.len()];
    for f in cluster_of {
        size[*f as usize] += 1;
    }
    cluster_of
        .iter()
        .zip(ids)
        .filter(|(f, _)| size[**f as usize] >= 2)
        .map(|(_, id)| *id)
        .collect()
}

fn is_xlsx(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// The user behind `--as`, or the system's administrator: the command line has the database
/// itself, so it may review everything.
async fn actor(store: &Store, login: Option<&str>) -> anyhow::Result<Actor> {
    let Some(login) = login else {
        return Ok(Actor {
            user_id: UserId(0),
            role: Role::Admin,
            name: "administrator".to_owned(),
            team_id: None,
            team_path: None,
        });
    };
    let Some(user) = store.user_by_login(login).await? else {
        bail!("--as: no user {login}");
    };
    if !user.active {
        bail!("--as: {login} is disabled");
    }
    store
        .actor(UserId(user.id))
        .await?
        .with_context(|| format!("--as: {login} is disabled"))
}
