//! `kehu routing simulate`: the routing simulator on the command line, as the administrator.
//! Prints one table per rule list (the draft first, when given, then the live rules) and
//! the fairness figures under each.

use crate::cli::SimulateArgs;
use crate::commands::open;
use anyhow::{Context, bail};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use kehu_domain::error::FieldErrors;
use kehu_domain::routing::Simulation;
use kehu_server::error::AppError;
use kehu_server::simulator::{self, Comparison, SimulateInput};

/// Runs the simulation and prints it.
pub async fn run(url: &str, args: &SimulateArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let local = args.offset.offset()?;
    let rules = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let rules = simulator::parse_rules_json(&text).map_err(|e| {
                let errs: FieldErrors = e.into();
                anyhow::anyhow!(
                    "{}: {}",
                    path.display(),
                    simulator::error_lines(&errs).join("; ")
                )
            })?;
            Some(rules)
        }
        None => None,
    };
    let input = SimulateInput {
        from: Some(args.from.clone()),
        to: Some(args.to.clone()),
        rules,
    };
    let store = open(url).await?;
    let c = match simulator::compare(&store, &input, now, local).await {
        Err(AppError::Fields(errs)) => bail!("{}", simulator::error_lines(&errs).join("; ")),
        other => other?,
    };
    print!("{}", render(&c, local));
    Ok(())
}

/// The whole report as text.
fn render(c: &Comparison, local: FixedOffset) -> String {
    let day = |t: DateTime<Utc>| t.with_timezone(&local).format("%Y-%m-%d %H:%M").to_string();
    let mut out = format!(
        "Routing simulation of the leads received from {} to {} (UTC{}); nothing was written.\n",
        day(c.from),
        day(c.to - Duration::microseconds(1)),
        local
    );
    if let Some(d) = &c.draft {
        out.push_str(&section("Draft rules", d));
    }
    out.push_str(&section("Live rules", &c.live));
    out
}

fn section(title: &str, s: &Simulation) -> String {
    let header = [
        "rep",
        "received",
        "share",
        "target",
        "deviation",
        "exp. breaches",
    ];
    let rows: Vec<[String; 6]> = s
        .reps
        .iter()
        .map(|r| {
            [
                r.name.clone().map_or_else(
                    || format!("#{} (no such user)", r.user),
                    |n| format!("{n} (#{})", r.user),
                ),
                r.received.to_string(),
                format!("{:.1}%", r.share * 100.0),
                format!("{:.1}%", r.target * 100.0),
                format!("{:+.1} pp", r.deviation * 100.0),
                r.expected_breaches
                    .map_or_else(|| "-".to_owned(), |b| format!("{b:.1}")),
            ]
        })
        .collect();
    let mut out = format!("\n{title}\n");
    out.push_str(&table(&header, &rows));
    out.push_str(&format!(
        "leads {}, routed {}, pooled {}, unrouted {} (no rule matched {})\n",
        s.leads, s.routed, s.pooled, s.unrouted, s.unmatched
    ));
    let breaches = s
        .expected_breaches
        .map_or_else(|| "no history".to_owned(), |b| format!("{b:.1}"));
    out.push_str(&format!(
        "fairness: max deviation {:.1} pp, Gini {:.3}; expected window breaches {breaches}\n",
        s.fairness.max_deviation * 100.0,
        s.fairness.gini
    ));
    out
}

/// Columns padded to their widest cell: the first left-aligned, the others right-aligned.
fn table(header: &[&str; 6], rows: &[[String; 6]]) -> String {
    let mut widths = header.map(width);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w - width(cell));
            if i == 0 {
                s.push_str(&format!("{cell}{pad}"));
            } else {
                s.push_str(&format!("  {pad}{cell}"));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(&row.each_ref().map(String::as_str)));
    }
    out
}

/// Columns a terminal gives `s`: two for CJK and other wide characters, one otherwise.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c >= '\u{2E80}' { 2 } else { 1 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_with_chinese_names() {
        let rows = [
            [
                "张伟 (#2)".to_owned(),
                "3".into(),
                "a".into(),
                "b".into(),
                "c".into(),
                "d".into(),
            ],
            [
                "ab".to_owned(),
                "12".into(),
                "a".into(),
                "b".into(),
                "c".into(),
                "d".into(),
            ],
        ];
        let header = ["rep", "received", "s", "t", "d", "b"];
        let text = table(&header, &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "张伟 (#2)         3  a  b  c  d");
        assert_eq!(lines[2], "ab               12  a  b  c  d");
        assert_eq!(width(lines[1]), width(lines[2]));
    }
}
