//! A test that panics with a live browser must leave no chromedriver or Chromium behind.
//! Its own test binary, so no other test's browser is running while it counts processes.

use kehu_testkit::browser::Browser;
use std::time::{Duration, Instant};

/// `(pid, ppid, pgrp, state)` of every process.
fn processes() -> Vec<(u32, u32, u32, String)> {
    std::fs::read_dir("/proc")
        .expect("read /proc")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            let (_, rest) = stat.rsplit_once(')')?;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((pid, f[1].parse().ok()?, f[2].parse().ok()?, f[0].to_owned()))
        })
        .collect()
}

/// Process groups of chromedriver children of this test process.
fn driver_groups() -> Vec<u32> {
    let me = std::process::id();
    processes()
        .into_iter()
        .filter(|&(pid, ppid, pgrp, ref state)| ppid == me && pgrp == pid && state != "Z")
        .filter(|&(pid, ..)| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "chromedriver")
        })
        .map(|(pid, ..)| pid)
        .collect()
}

fn live_members(pgid: u32) -> usize {
    processes()
        .iter()
        .filter(|(_, _, g, state)| *g == pgid && state != "Z" && state != "X")
        .count()
}

/// The `--user-data-dir` of a Chromium process in group `pgid`.
fn profile_dir(pgid: u32) -> Option<std::path::PathBuf> {
    processes()
        .iter()
        .filter(|(_, _, g, _)| *g == pgid)
        .filter_map(|(pid, ..)| std::fs::read(format!("/proc/{pid}/cmdline")).ok())
        .flat_map(|c| {
            c.split(|&b| b == 0)
                .filter_map(|a| a.strip_prefix(b"--user-data-dir="))
                .map(|a| std::path::PathBuf::from(String::from_utf8_lossy(a).into_owned()))
                .collect::<Vec<_>>()
        })
        .next()
}

#[tokio::test]
async fn a_panicking_test_leaves_no_browser_processes() {
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let browser = Browser::start().await;
        browser.goto("about:blank").await;
        started_tx.send(()).expect("report start");
        let _ = go_rx.await;
        panic!("deliberate panic with a live browser");
    });
    started_rx.await.expect("browser started");
    let groups = driver_groups();
    assert_eq!(groups.len(), 1, "one chromedriver child: {groups:?}");
    let pgid = groups[0];
    assert!(
        live_members(pgid) > 1,
        "Chromium runs in chromedriver's process group"
    );
    let profile = profile_dir(pgid).expect("Chromium's --user-data-dir");
    assert!(profile.is_dir());

    go_tx.send(()).expect("release the task");
    assert!(task.await.expect_err("the task panicked").is_panic());
    let deadline = Instant::now() + Duration::from_secs(10);
    while live_members(pgid) > 0 {
        assert!(
            Instant::now() < deadline,
            "browser processes survived the panic: group {pgid}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!profile.exists(), "{} was not deleted", profile.display());
}
