//! Latency rows and the Markdown table they print as.

use std::time::Duration;

/// One measured path.
pub struct Row {
    pub name: String,
    pub n: usize,
    pub mean_us: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    /// The mean this row is compared with (`None`: it is a baseline).
    pub base_mean_us: Option<f64>,
}

impl Row {
    pub fn new(name: impl Into<String>, samples: &[Duration], base: Option<&Row>) -> Row {
        let mut us: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e6).collect();
        us.sort_by(f64::total_cmp);
        let n = us.len().max(1);
        // Nearest-rank percentile.
        let rank = |p: f64| {
            us.get(((p * n as f64).ceil() as usize).clamp(1, n) - 1)
                .copied()
        };
        Row {
            name: name.into(),
            n: us.len(),
            mean_us: us.iter().sum::<f64>() / n as f64,
            p50_us: rank(0.50).unwrap_or(0.0),
            p99_us: rank(0.99).unwrap_or(0.0),
            base_mean_us: base.map(|b| b.mean_us),
        }
    }
}

pub fn print_latencies(title: &str, rows: &[Row]) {
    println!("{title}\n");
    println!("| path | N | mean µs | p50 µs | p99 µs | × its baseline (mean) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let ratio = r
            .base_mean_us
            .map_or("baseline".to_owned(), |b| format!("{:.2}", r.mean_us / b));
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {ratio} |",
            r.name, r.n, r.mean_us, r.p50_us, r.p99_us
        );
    }
    println!();
}

/// A bulk write: rows written and how long it took.
pub struct Throughput {
    pub name: String,
    pub rows: usize,
    pub took: Duration,
}

impl Throughput {
    pub fn per_s(&self) -> f64 {
        self.rows as f64 / self.took.as_secs_f64()
    }
}

pub fn print_throughput(title: &str, rows: &[Throughput]) {
    let base = rows.first().map_or(1.0, Throughput::per_s);
    println!("{title}\n");
    println!("| write | rows | seconds | rows/s | × baseline time per row |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.1} | {:.0} | {:.2} |",
            r.name,
            r.rows,
            r.took.as_secs_f64(),
            r.per_s(),
            base / r.per_s()
        );
    }
    println!();
}
