//! A throwaway PostgreSQL cluster per test process, and a database per test.

use kehu_store::Store;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use tokio::sync::OnceCell;

struct Cluster {
    port: u16,
    bin: PathBuf,
    run_as_postgres: bool,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static TEMPLATE: OnceCell<()> = OnceCell::const_new();

/// A database created for one test; dropped with it.
pub(crate) struct DbGuard {
    pub url: String,
    name: String,
}

impl DbGuard {
    pub(crate) fn drop_database(&self) {
        let cluster = cluster();
        // Best effort: the whole cluster is deleted when the process ends anyway.
        let _ = cluster
            .command("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &cluster.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-q",
                "-c",
            ])
            .arg(format!(
                "drop database if exists {} with (force)",
                self.name
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn find_bin() -> PathBuf {
    if let Ok(dir) = std::env::var("KEHU_PG_BIN") {
        return PathBuf::from(dir);
    }
    let on_path = Command::new("sh")
        .args(["-c", "command -v pg_ctl"])
        .output()
        .ok();
    if let Some(out) = on_path.filter(|o| o.status.success()) {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let real = std::fs::canonicalize(&p).unwrap_or(p);
        if let Some(dir) = real.parent() {
            return dir.to_path_buf();
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().expect(
        "PostgreSQL server binaries not found (initdb/pg_ctl): install Debian's `postgresql` \
         or set KEHU_PG_BIN; the README's test command installs it",
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Cluster {
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        let exe = if exe.exists() {
            exe
        } else {
            PathBuf::from(tool)
        };
        if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn start() -> Cluster {
        let run_as_postgres = is_root();
        let bin = find_bin();
        let dir = tempfile::Builder::new()
            .prefix("kehu-pg-")
            .tempdir()
            .expect("temp dir")
            .keep();
        if run_as_postgres {
            // initdb refuses to run as root; the cluster belongs to the postgres user.
            chown_postgres(&dir);
        }
        let cluster = Cluster {
            port: free_port(),
            bin,
            run_as_postgres,
        };
        let data = dir.join("data");
        let status = cluster
            .command("initdb")
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdout(Stdio::null())
            .status()
            .expect("run initdb");
        assert!(status.success(), "initdb failed");
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300",
            cluster.port,
            dir.display()
        );
        let status = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &opts, "-l"])
            .arg(dir.join("log"))
            .args(["-w", "start"])
            .stdout(Stdio::null())
            .status()
            .expect("run pg_ctl");
        assert!(
            status.success(),
            "pg_ctl start failed; see {}",
            dir.join("log").display()
        );
        cluster.watch(&data, &dir);
        cluster
    }

    /// Stops and deletes the cluster when this process ends, however it ends.
    #[expect(
        clippy::zombie_processes,
        reason = "the watchdog must outlive this process"
    )]
    fn watch(&self, data: &Path, dir: &Path) {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = if self.run_as_postgres {
            format!(
                "runuser -u postgres -- {} -D {} -m immediate stop",
                pg_ctl.display(),
                data.display()
            )
        } else {
            format!(
                "{} -D {} -m immediate stop",
                pg_ctl.display(),
                data.display()
            )
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
            pid = std::process::id(),
            dir = dir.display()
        );
        // In its own session, so a Ctrl-C to the test run does not kill the cleanup too.
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn cluster watchdog");
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

fn chown_postgres(dir: &Path) {
    let status = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(dir)
        .status()
        .expect("chown");
    assert!(status.success(), "chown postgres failed");
}

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(Cluster::start)
}

/// A new database cloned from the migrated template.
pub(crate) async fn fresh_database() -> DbGuard {
    let cluster = cluster();
    TEMPLATE
        .get_or_init(|| async {
            let admin = Store::connect(&cluster.url("postgres"))
                .await
                .expect("connect cluster");
            admin
                .execute_admin("create database kehu_template")
                .await
                .expect("create template");
            admin.close().await;
            let t = Store::connect(&cluster.url("kehu_template"))
                .await
                .expect("connect template");
            t.migrate().await.expect("migrate template");
            t.close().await;
        })
        .await;
    let name = format!("t_{}_{}", std::process::id(), crate::unique());
    let admin = Store::connect(&cluster.url("postgres"))
        .await
        .expect("connect cluster");
    admin
        .execute_admin(&format!("create database {name} template kehu_template"))
        .await
        .expect("create test database");
    admin.close().await;
    DbGuard {
        url: cluster.url(&name),
        name,
    }
}
