//! The simulator's bar chart, laid out in Rust and drawn as SVG by the template: per rep a
//! group with one bar per rule list (live, then the draft) for the share received, and a
//! target mark across each bar at that list's target share.

use crate::i18n::T;
use kehu_domain::routing::{RepOutcome, Simulation};

/// Left margin (the axis labels).
const LEFT: f64 = 48.0;
/// Top margin.
const TOP: f64 = 24.0;
/// Height of the plot area.
const PLOT: f64 = 200.0;
/// Room under the plot for the reps' names.
const BOTTOM: f64 = 40.0;
/// Width of one bar, and of the gap between a group's bars.
const BAR: f64 = 20.0;
const GAP: f64 = 4.0;
/// Space between two groups.
const SPACING: f64 = 20.0;
/// Characters of a rep's name shown under their group (the full name is in the tooltip).
const LABEL_CHARS: usize = 6;

/// The chart, ready to draw: every coordinate formatted.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Total width and height.
    pub width: String,
    /// Total height.
    pub height: String,
    /// Where the plot's x axis starts and ends.
    pub left: String,
    /// End of the x axis.
    pub right: String,
    /// The y of the x axis.
    pub base: String,
    /// Horizontal grid lines with their percentage labels.
    pub ticks: Vec<Tick>,
    /// One group per rep.
    pub groups: Vec<Group>,
}

/// A grid line.
#[derive(Debug, Clone)]
pub struct Tick {
    /// Its y.
    pub y: String,
    /// "20%".
    pub label: String,
}

/// One rep's bars.
#[derive(Debug, Clone)]
pub struct Group {
    /// The rep's id (`data-user`).
    pub user: i64,
    /// The rep's name, shortened.
    pub label: String,
    /// Where the label is centred.
    pub label_x: String,
    /// The label's baseline.
    pub label_y: String,
    /// One bar per rule list.
    pub bars: Vec<Bar>,
}

/// One bar with its target mark.
#[derive(Debug, Clone)]
pub struct Bar {
    /// `live` or `draft` (the CSS class and the fill).
    pub list: &'static str,
    /// The fill colour.
    pub fill: &'static str,
    /// The rectangle.
    pub x: String,
    /// Top of the bar.
    pub y: String,
    /// Bar width.
    pub w: String,
    /// Bar height.
    pub h: String,
    /// Whether the rep is in this list's rules (a mark is drawn only then).
    pub in_list: bool,
    /// The target mark, from `x1` to `x2` at `ty`.
    pub x1: String,
    /// End of the mark.
    pub x2: String,
    /// Height of the mark.
    pub ty: String,
    /// Tooltip: "张伟 · Live rules: share 33.3%, target 25.0%".
    pub title: String,
}

fn px(v: f64) -> String {
    format!("{v:.1}")
}

/// The y-axis top and step, in whole percent: a round number at or above the largest value.
fn scale(max: f64) -> (u32, u32) {
    let pct = (max * 100.0).clamp(0.0, 100.0);
    let step = match pct {
        p if p <= 25.0 => 5,
        p if p <= 50.0 => 10,
        _ => 20,
    };
    let top = ((pct / f64::from(step)).ceil() as u32).max(1) * step;
    (top, step)
}

/// Lays out `reps` (id and name, in table order) with each list's outcome; `lists` pairs a
/// list's key (`live`, `draft`) with its simulation. Tooltips are in `t`'s words.
pub fn layout(t: T, reps: &[(i64, String)], lists: &[(&'static str, &Simulation)]) -> Chart {
    let max = lists
        .iter()
        .flat_map(|(_, s)| s.reps.iter())
        .map(|r| r.share.max(r.target))
        .fold(0.0, f64::max);
    let (top, step) = scale(max);
    let y_of = |v: f64| TOP + PLOT - (v * 100.0 / f64::from(top)).min(1.0) * PLOT;
    let group_w = lists.len() as f64 * (BAR + GAP) - GAP;
    let groups: Vec<Group> = reps
        .iter()
        .enumerate()
        .map(|(i, (user, name))| {
            let x0 = LEFT + SPACING / 2.0 + i as f64 * (group_w + SPACING);
            let bars = lists
                .iter()
                .enumerate()
                .map(|(j, (list, sim))| {
                    let x = x0 + j as f64 * (BAR + GAP);
                    let r = sim.reps.iter().find(|r| r.user.0 == *user);
                    bar(t, list, x, r, name, &y_of)
                })
                .collect();
            Group {
                user: *user,
                label: name.chars().take(LABEL_CHARS).collect(),
                label_x: px(x0 + group_w / 2.0),
                label_y: px(TOP + PLOT + 16.0),
                bars,
            }
        })
        .collect();
    let right = LEFT + reps.len() as f64 * (group_w + SPACING);
    let ticks = (0..=top / step)
        .map(|k| Tick {
            y: px(y_of(f64::from(k * step) / 100.0)),
            label: format!("{}%", k * step),
        })
        .collect();
    Chart {
        width: px(right + 8.0),
        height: px(TOP + PLOT + BOTTOM),
        left: px(LEFT),
        right: px(right),
        base: px(TOP + PLOT),
        ticks,
        groups,
    }
}

/// A share as "33.3%".
pub fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The bar of `list` for the rep `name` (`r`: their outcome, if the list names them).
fn bar(
    t: T,
    list: &'static str,
    x: f64,
    r: Option<&RepOutcome>,
    name: &str,
    y_of: &dyn Fn(f64) -> f64,
) -> Bar {
    let (share, target) = r.map_or((0.0, 0.0), |r| (r.share, r.target));
    let y = y_of(share);
    let key = format!("simulate.{list}");
    let words = [
        ("rep", name),
        ("list", t.t(&key)),
        ("share", &percent(share)),
        ("target", &percent(target)),
    ];
    Bar {
        list,
        fill: if list == "live" { "#8aa4c8" } else { "#e08a3c" },
        x: px(x),
        y: px(y),
        w: px(BAR),
        h: px(TOP + PLOT - y),
        in_list: r.is_some(),
        x1: px(x - 2.0),
        x2: px(x + BAR + 2.0),
        ty: px(y_of(target)),
        title: t.fmt("simulate.bar_title", &words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_top_is_a_round_number_above_the_largest_share() {
        assert_eq!(scale(0.0), (5, 5));
        assert_eq!(scale(0.12), (15, 5));
        assert_eq!(scale(0.333), (40, 10));
        assert_eq!(scale(0.75), (80, 20));
        assert_eq!(scale(1.0), (100, 20));
    }
}
