//! `kehu dedupe --evaluate FILE`: clusters a labelled file and compares with the truth,
//! pair by pair — precision (of the pairs put together, how many are one entity), recall (of
//! the pairs that are one entity, how many were put together) and F1.

use super::input::{self, Input};
use crate::progress::Bar;
use anyhow::{Context, bail};
use kehu_domain::identity::matching::{Clustering, Level, Reason, cluster};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// Pairwise counts of a clustering against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Pairs in one predicted cluster.
    pub predicted: u64,
    /// Pairs in one true entity.
    pub truth: u64,
    /// Pairs in both.
    pub both: u64,
}

impl Counts {
    /// Compares `predicted[i]` with `truth[i]` over all records.
    pub fn of(predicted: &[u32], truth: &[u32]) -> Self {
        fn pairs<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> u64 {
            let mut sizes: HashMap<K, u64> = HashMap::new();
            for k in keys {
                *sizes.entry(k).or_default() += 1;
            }
            sizes.values().map(|n| n * (n - 1) / 2).sum()
        }
        Self {
            predicted: pairs(predicted.iter()),
            truth: pairs(truth.iter()),
            both: pairs(predicted.iter().zip(truth)),
        }
    }

    /// Of the pairs put together, the share that are one entity (1 when none were).
    pub fn precision(&self) -> f64 {
        ratio(self.both, self.predicted)
    }

    /// Of the pairs that are one entity, the share put together (1 when there are none).
    pub fn recall(&self) -> f64 {
        ratio(self.both, self.truth)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Runs the evaluation and prints the figures; `examples` false links and missed pairs are
/// printed with their reasons. With `clusters`, scores that `record_id,cluster_id` file (from
/// another tool, say) instead of clustering.
pub fn run(
    path: &Path,
    level: Level,
    examples: usize,
    clusters: Option<&Path>,
) -> anyhow::Result<()> {
    if let Some(clusters) = clusters {
        return run_external(path, level, clusters);
    }
    let bar = Bar::new();
    let column = truth_column(level);
    let started = Instant::now();
    let input = input::load(path, &[column], &bar)?;
    let read = started.elapsed();
    let started = Instant::now();
    let clustering = cluster(&input.prepared, level, &bar);
    let took = started.elapsed();
    bar.clear();
    let truth = numbered(input.extra[0].iter().map(String::as_str));
    let entities = truth.iter().max().map_or(0, |m| m + 1);
    let counts = Counts::of(&clustering.cluster_of, &truth);
    let clusters = {
        let mut c = clustering.cluster_of.clone();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    let strong_false = clustering
        .links
        .iter()
        .filter(|l| truth[l.a as usize] != truth[l.b as usize])
        .filter(|l| {
            let m = clustering
                .matcher
                .compare(&input.prepared[l.a as usize], &input.prepared[l.b as usize]);
            // A credit code is the firm's: at contact level it does not say which person.
            m.reasons.iter().any(|r| {
                *r == Reason::SameMobile
                    || (level == Level::Account && *r == Reason::SameCreditCode)
            })
        })
        .count();
    println!("file:        {}", path.display());
    println!("level:       {level:?}");
    println!("records:     {}", truth.len());
    println!("entities:    {entities} true, {clusters} found");
    println!(
        "pairs:       {} true, {} found, {} correct",
        counts.truth, counts.predicted, counts.both
    );
    println!("precision:   {:.4}", counts.precision());
    println!("recall:      {:.4}", counts.recall());
    println!("F1:          {:.4}", counts.f1());
    println!(
        "false links on a strong key: {strong_false} (same mobile; same credit code at account level)"
    );
    println!(
        "time:        {:.2} s clustering ({} pairs compared), {:.2} s reading",
        took.as_secs_f64(),
        clustering.compared,
        read.as_secs_f64()
    );
    if examples > 0 {
        print_examples(&input, &clustering, &truth, examples);
    }
    Ok(())
}

/// The truth column of `level`.
fn truth_column(level: Level) -> &'static str {
    match level {
        Level::Account => "true_entity",
        Level::Contact => "true_contact",
    }
}

/// Numbers each distinct value of `values` (in order of first appearance).
fn numbered<'a>(values: impl Iterator<Item = &'a str>) -> Vec<u32> {
    let mut names: HashMap<&str, u32> = HashMap::new();
    values
        .map(|v| {
            let next = names.len() as u32;
            *names.entry(v).or_insert(next)
        })
        .collect()
}

/// Scores a clustering made elsewhere (`record_id,cluster_id`; a record it leaves out is a
/// cluster of its own) against the truth of the labelled file.
fn run_external(path: &Path, level: Level, clusters: &Path) -> anyhow::Result<()> {
    let bar = Bar::new();
    let input = input::load(path, &[truth_column(level)], &bar)?;
    bar.clear();
    let mut reader = csv::Reader::from_path(clusters)
        .with_context(|| format!("cannot read {}", clusters.display()))?;
    let mut cluster_of: HashMap<String, String> = HashMap::with_capacity(input.ids.len());
    for row in reader.records() {
        let row = row.with_context(|| format!("cannot read {}", clusters.display()))?;
        let (Some(id), Some(cluster)) = (row.get(0), row.get(1)) else {
            bail!("{}: want record_id,cluster_id rows", clusters.display());
        };
        cluster_of.insert(id.to_owned(), format!("c{cluster}"));
    }
    let keys: Vec<String> = input
        .ids
        .iter()
        .map(|id| {
            cluster_of
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("r{id}"))
        })
        .collect();
    let predicted = numbered(keys.iter().map(String::as_str));
    let truth = numbered(input.extra[0].iter().map(String::as_str));
    let counts = Counts::of(&predicted, &truth);
    println!("file:        {}", path.display());
    println!("clusters:    {}", clusters.display());
    println!("level:       {level:?}");
    println!("records:     {}", truth.len());
    println!(
        "pairs:       {} true, {} found, {} correct",
        counts.truth, counts.predicted, counts.both
    );
    println!("precision:   {:.4}", counts.precision());
    println!("recall:      {:.4}", counts.recall());
    println!("F1:          {:.4}", counts.f1());
    Ok(())
}

fn print_examples(input: &Input, c: &Clustering, truth: &[u32], n: usize) {
    let show = |a: usize, b: usize| {
        let m = c.matcher.compare(&input.prepared[a], &input.prepared[b]);
        let reasons: Vec<String> = m.reasons.iter().map(ToString::to_string).collect();
        println!(
            "  {} ~ {}  score {:.3}: {}",
            input.ids[a],
            input.ids[b],
            m.score,
            reasons.join(", ")
        );
    };
    println!("false links:");
    for l in c
        .links
        .iter()
        .filter(|l| truth[l.a as usize] != truth[l.b as usize])
        .take(n)
    {
        show(l.a as usize, l.b as usize);
    }
    println!("missed pairs:");
    let mut first_of: HashMap<u32, usize> = HashMap::new();
    let mut shown = 0;
    for (i, t) in truth.iter().enumerate() {
        let first = *first_of.entry(*t).or_insert(i);
        if first != i && c.cluster_of[first] != c.cluster_of[i] && shown < n {
            show(first, i);
            shown += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_counts() {
        // truth {0,1,2} {3}; predicted {0,1} {2,3}
        let c = Counts::of(&[0, 0, 2, 2], &[7, 7, 7, 9]);
        assert_eq!(
            c,
            Counts {
                predicted: 2,
                truth: 3,
                both: 1
            }
        );
        assert!((c.precision() - 0.5).abs() < 1e-9);
        assert!((c.recall() - 1.0 / 3.0).abs() < 1e-9);
        assert!((c.f1() - 0.4).abs() < 1e-9);
    }
}
