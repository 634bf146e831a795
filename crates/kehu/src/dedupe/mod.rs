//! `kehu dedupe`: duplicate customers in a CSV file, without a server, or in the database
//! (the cluster report of a duplicate review); and the labelled test data (`--generate`) and
//! measurement (`--evaluate`) that keep the matcher honest.

mod evaluate;
mod generate;
mod input;
mod render;
mod report;
mod review;
mod vocab;

use crate::progress::Bar;
use anyhow::Context;
use clap::{Args, ValueEnum};
use kehu_domain::identity::matching::{Level, cluster};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `kehu dedupe` options.
#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// CSV file to deduplicate: a header row, UTF-8 or GBK. Columns are found by name (id,
    /// company/公司名称/客户名称, contact/联系人, mobile/手机, phone/电话/座机, email/邮箱,
    /// wechat/微信, city/城市, address/地址, credit_code/统一社会信用代码); others are ignored.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["generate", "evaluate"])]
    pub input: Option<PathBuf>,
    /// Where to write `record_id,cluster_id` (the cluster is named by its first record's id),
    /// the generated records, or (without --input) the database's cluster report: an Excel
    /// workbook when FILE ends in .xlsx, CSV otherwise. Standard output when absent.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Without --input: review the customers this user may see (a manager their team's, a rep
    /// their own) instead of all of them as the administrator.
    #[arg(long = "as", value_name = "LOGIN", conflicts_with_all = ["input", "generate", "evaluate"])]
    pub as_login: Option<String>,
    /// What is one customer: the organisation (account) or one person at it (contact).
    #[arg(long, value_enum, default_value_t = LevelArg::Account)]
    pub level: LevelArg,
    /// Also write each link found (record_a, record_b, score, reasons) to this CSV file.
    #[arg(long, value_name = "FILE", requires = "input")]
    pub pairs: Option<PathBuf>,
    /// Write N labelled test records (with true_entity and true_contact columns) instead.
    #[arg(long, value_name = "N", conflicts_with = "evaluate")]
    pub generate: Option<usize>,
    /// The seed of --generate: the same seed gives the same records.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Cluster a labelled file (from --generate) and print pairwise precision, recall and F1.
    #[arg(long, value_name = "FILE")]
    pub evaluate: Option<PathBuf>,
    /// With --evaluate: print this many false links and missed pairs with their reasons.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub examples: usize,
    /// With --evaluate: score this `record_id,cluster_id` file (another tool's clustering)
    /// instead of clustering.
    #[arg(long, value_name = "FILE", requires = "evaluate")]
    pub clusters: Option<PathBuf>,
}

/// `--level` on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LevelArg {
    /// A customer is the organisation: its different people are one customer.
    Account,
    /// A customer is one person at one organisation.
    Contact,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::Account => Level::Account,
            LevelArg::Contact => Level::Contact,
        }
    }
}

/// Runs `kehu dedupe`; without a file, on the database at `database_url`.
pub async fn run(database_url: &str, args: &DedupeArgs) -> anyhow::Result<()> {
    if let Some(n) = args.generate {
        return with_output(args.output.as_deref(), |out| {
            generate::generate(n, args.seed, out)
        });
    }
    if let Some(path) = &args.evaluate {
        return evaluate::run(
            path,
            args.level.into(),
            args.examples,
            args.clusters.as_deref(),
        );
    }
    let Some(path) = &args.input else {
        let store = crate::commands::open(database_url).await?;
        return review::run(
            &store,
            args.as_login.as_deref(),
            args.level.into(),
            args.output.as_deref(),
        )
        .await;
    };
    dedupe(path, args)
}

fn dedupe(path: &Path, args: &DedupeArgs) -> anyhow::Result<()> {
    let bar = Bar::new();
    let started = Instant::now();
    let input = input::load(path, &[], &bar)?;
    let c = cluster(&input.prepared, args.level.into(), &bar);
    bar.clear();
    with_output(args.output.as_deref(), |out| {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["record_id", "cluster_id"])?;
        for (id, first) in input.ids.iter().zip(&c.cluster_of) {
            w.write_record([id, &input.ids[*first as usize]])?;
        }
        w.flush()?;
        Ok(())
    })?;
    if let Some(pairs) = &args.pairs {
        let file =
            File::create(pairs).with_context(|| format!("cannot create {}", pairs.display()))?;
        let mut w = csv::Writer::from_writer(BufWriter::new(file));
        w.write_record(["record_a", "record_b", "score", "reasons"])?;
        for l in &c.links {
            let (a, b) = (l.a as usize, l.b as usize);
            let m = c.matcher.compare(&input.prepared[a], &input.prepared[b]);
            let reasons: Vec<String> = m.reasons.iter().map(ToString::to_string).collect();
            w.write_record([
                &input.ids[a],
                &input.ids[b],
                &format!("{:.3}", m.score),
                &reasons.join("; "),
            ])?;
        }
        w.flush()
            .with_context(|| format!("cannot write {}", pairs.display()))?;
    }
    let n = input.ids.len();
    let mut firsts = c.cluster_of.clone();
    firsts.sort_unstable();
    firsts.dedup();
    eprintln!(
        "{n} records → {} customers ({} records are duplicates of an earlier one); {} pairs compared in {:.1} s{}",
        firsts.len(),
        n - firsts.len(),
        c.compared,
        started.elapsed().as_secs_f64(),
        if c.placeholder_values > 0 {
            format!(
                "; {} values shared by too many records were ignored as placeholders",
                c.placeholder_values
            )
        } else {
            String::new()
        }
    );
    Ok(())
}

/// Runs `write` on the output file (or standard output), naming the file in any error.
fn with_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match path {
        Some(p) => {
            let file = File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            let mut out = BufWriter::new(file);
            write(&mut out).with_context(|| format!("cannot write {}", p.display()))?;
            out.flush()
                .with_context(|| format!("cannot write {}", p.display()))
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write(&mut out)?;
            Ok(out.flush()?)
        }
    }
}
