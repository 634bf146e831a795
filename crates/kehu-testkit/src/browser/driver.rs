//! The chromedriver process behind a [`super::Browser`]: started in its own process group on
//! a port it picks itself, watched so it dies with the test process, killed on drop.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The chromedriver process group (chromedriver and every Chromium process it started) and
/// the watchdog that kills it if the test process dies without dropping us.
pub(super) struct Driver {
    child: Child,
    watchdog: Option<Child>,
}

impl Driver {
    /// Starts `chromedriver` logging to `log_path`, with a watchdog that cleans up `dir`;
    /// answers it and the port it listens on.
    pub(super) async fn spawn(chromedriver: &Path, dir: &Path, log_path: &Path) -> (Driver, u16) {
        let log = File::create(log_path).expect("create chromedriver log");

        // Port 0: chromedriver picks a free port itself and prints it, so parallel browsers
        // cannot race for the same port.
        let mut child = Command::new(chromedriver)
            .args(["--port=0", "--log-level=WARNING"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            // Own process group: one signal reaches Chromium too, and a Ctrl-C meant for
            // the test runner does not kill the browser before Drop can clean up.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", chromedriver.display()));
        let stdout = child.stdout.take().expect("chromedriver stdout");
        let mut driver = Driver {
            child,
            watchdog: None,
        };
        driver.watchdog = Some(spawn_watchdog(driver.child.id(), dir));

        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            // Keeps reading to EOF so chromedriver never blocks on a full pipe.
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(port) = started_port(&line)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(port);
                }
            }
        });
        let Ok(Ok(port)) = tokio::time::timeout(Duration::from_secs(30), rx).await else {
            panic!(
                "chromedriver ({}) did not report its port; log:\n{}",
                chromedriver.display(),
                read_log(log_path)
            )
        };
        (driver, port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Chromium processes are chromedriver's children in its process group.
        let pgid = self.child.id();
        let _ = Command::new("sh")
            .args(["-c", &format!("kill -9 -{pgid} 2>/dev/null")])
            .stdin(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        // Wait for the group to die so the profile dir is not written while it is deleted.
        let deadline = Instant::now() + Duration::from_secs(5);
        while group_alive(pgid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Parses chromedriver's "ChromeDriver was started successfully on port 43087." line.
fn started_port(line: &str) -> Option<u16> {
    line.split_once("started successfully on port ")?
        .1
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
}

/// `var`, else `default`, else the first of `names` on PATH.
pub(super) fn find_binary(var: &str, default: &str, names: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "{var}={} does not exist", path.display());
        return path;
    }
    let default = PathBuf::from(default);
    if default.is_file() {
        return default;
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{} not found: install Debian's `chromium` and `chromium-driver` \
                 (./scripts/test does), or set KEHU_CHROMIUM and KEHU_CHROMEDRIVER",
                names[0]
            )
        })
}

/// Kills the browser's process group and deletes its directory once the test process is
/// gone, for the cases where Drop never runs (abort, SIGKILL, a timeout in CI).
fn spawn_watchdog(pgid: u32, dir: &Path) -> Child {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; kill -9 -{pgid} 2>/dev/null; rm -rf '{dir}'",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group, so the Ctrl-C that stops the tests does not stop the watchdog.
        .process_group(0)
        .spawn()
        .expect("spawn browser watchdog")
}

/// Whether any live (not zombie) process is still in process group `pgid`.
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return false;
    };
    entries.filter_map(Result::ok).any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        pgrp == Some(pgid.to_string().as_str()) && !matches!(state, Some("Z" | "X"))
    })
}

pub(super) fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("(unreadable: {e})"))
}
