//! `kehu dedupe` as users run it: the real binary on CSV files in a temporary folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kehu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kehu"))
        .args(args)
        .env("KEHU_LOG", "warn")
        .output()
        .expect("run kehu")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Self {
        Self(tempfile::tempdir().expect("temp dir"))
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, bytes).expect("write file");
        p
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Runs `kehu dedupe --input` and returns `(record_id, cluster_id)` rows.
fn dedupe(dir: &Dir, input: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let out = dir.path("clusters.csv");
    let mut args = vec!["dedupe", "--input", s(input), "--output", s(&out)];
    args.extend(extra);
    let o = kehu(&args);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let body = std::fs::read_to_string(&out).expect("output written");
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("record_id,cluster_id"));
    lines
        .map(|l| {
            let (a, b) = l.split_once(',').expect("two columns");
            (a.to_owned(), b.to_owned())
        })
        .collect()
}

/// Records of one firm written four ways, a firm one character apart in the same city, and a
/// stranger; headers in Chinese, placeholders where values are unknown.
const FIRMS: &str = "\
编号,客户名称,联系人,手机,座机,城市,备注
a1,苏州华星精密机械有限公司,张伟,13800138000,0512-65500490,苏州,展会
a2,华星精密机械（苏州）有限公司,李娜,无,(0512) 6550 0490,苏州市,
a3,华星精密,张伟经理,+86 138-0013-8000,-,不详,电话
b1,苏州华兴精密机械有限公司,王丽娟,13912345678,0512-66778899,苏州,
c1,上海东升物流有限公司,不详,N/A,暂无,上海,
";

#[test]
fn chinese_headers_placeholders_and_input_order() {
    let dir = Dir::new();
    let rows = dedupe(&dir, &dir.file("firms.csv", FIRMS.as_bytes()), &[]);
    let expected = [
        ("a1", "a1"),
        ("a2", "a1"),
        ("a3", "a1"),
        ("b1", "b1"),
        ("c1", "c1"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn contact_level_keeps_colleagues_apart() {
    let dir = Dir::new();
    let rows = dedupe(
        &dir,
        &dir.file("firms.csv", FIRMS.as_bytes()),
        &["--level", "contact"],
    );
    let cluster = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| r.1.clone());
    assert_eq!(cluster("a3"), Some("a1".to_owned()), "{rows:?}");
    assert_ne!(cluster("a2"), Some("a1".to_owned()), "{rows:?}");
}

#[test]
fn gbk_and_bom_files_read_like_utf8() {
    let dir = Dir::new();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(FIRMS);
    assert!(!unmappable);
    let from_gbk = dedupe(&dir, &dir.file("gbk.csv", &gbk), &[]);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(FIRMS.as_bytes());
    let from_bom = dedupe(&dir, &dir.file("bom.csv", &bom), &[]);
    let from_utf8 = dedupe(&dir, &dir.file("utf8.csv", FIRMS.as_bytes()), &[]);
    assert_eq!(from_gbk, from_utf8);
    assert_eq!(from_bom, from_utf8);
}

#[test]
fn english_headers_and_pairs_with_reasons() {
    let dir = Dir::new();
    let csv = "\
Record ID,Company Name,Contact,Mobile,Email,City
1,Suzhou Huaxing Precision Co. Ltd.,Zhang Wei,,zhangwei@hx-precision.com,Suzhou
2,苏州华星精密有限公司,张伟,,ZhangWei@HX-Precision.com,苏州
";
    let pairs = dir.path("pairs.csv");
    let rows = dedupe(
        &dir,
        &dir.file("en.csv", csv.as_bytes()),
        &["--pairs", s(&pairs)],
    );
    assert_eq!(rows[1], ("2".to_owned(), "1".to_owned()));
    let pairs = std::fs::read_to_string(&pairs).expect("pairs written");
    assert!(
        pairs.starts_with("record_a,record_b,score,reasons\n"),
        "{pairs}"
    );
    assert!(pairs.contains("same email"), "{pairs}");
}

#[test]
fn a_row_with_the_wrong_number_of_fields_names_its_line() {
    let dir = Dir::new();
    let input = dir.file(
        "bad.csv",
        "id,company,mobile\n1,华星,13800138000\n2,华兴\n".as_bytes(),
    );
    let o = kehu(&[
        "dedupe",
        "--input",
        s(&input),
        "--output",
        s(&dir.path("out.csv")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("bad.csv") && err.contains("line 3"), "{err}");
}

#[test]
fn a_file_without_an_id_column_is_refused() {
    let dir = Dir::new();
    let input = dir.file("noid.csv", "company,mobile\n华星,13800138000\n".as_bytes());
    let o = kehu(&["dedupe", "--input", s(&input)]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("noid.csv") && err.contains("no id column"),
        "{err}"
    );
    let dup = dir.file("dup.csv", "id,company\n7,华星\n7,华兴\n".as_bytes());
    let err = text(&kehu(&["dedupe", "--input", s(&dup)]).stderr);
    assert!(err.contains("line 3") && err.contains("line 2"), "{err}");
}

#[test]
fn generated_data_is_deterministic_and_clustered_well() {
    let dir = Dir::new();
    let (a, b) = (dir.path("a.csv"), dir.path("b.csv"));
    for p in [&a, &b] {
        let o = kehu(&[
            "dedupe",
            "--generate",
            "5000",
            "--seed",
            "42",
            "--output",
            s(p),
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    let (x, y) = (std::fs::read(&a).expect("a"), std::fs::read(&b).expect("b"));
    assert_eq!(x, y, "the same seed gives the same file");
    assert_eq!(text(&x).lines().count(), 5001);
    for level in ["account", "contact"] {
        let o = kehu(&["dedupe", "--evaluate", s(&a), "--level", level]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        let figure = |name: &str| -> f64 {
            out.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in {out}"))
        };
        // The goal is for accounts; a person is harder to pin down (records that name
        // nobody belong to somebody), so contacts get a lower bar.
        let goal = if level == "account" { 0.95 } else { 0.93 };
        assert!(figure("F1:") >= goal, "{level}: {out}");
        assert!(figure("precision:") >= 0.95, "{level}: {out}");
        assert!(out.contains("false links on a strong key: 0"), "{out}");
    }
}

/// `kehu` on the database at `url`.
fn kehu_on(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kehu"))
        .args(args)
        .env("KEHU_DATABASE_URL", url)
        .env("KEHU_LOG", "warn")
        .output()
        .expect("run kehu")
}

mod database {
    use super::*;
    use chrono::{FixedOffset, TimeZone, Utc};
    use kehu_domain::customer::{ContactInput, CustomerInput, NewCustomer};
    use kehu_domain::{Actor, Role};
    use kehu_store::{NewUser, Store};
    use kehu_testkit::{BACKENDS, TestDb};

    fn t0() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0)
            .single()
            .expect("valid")
    }

    async fn user(s: &Store, login: &str, role: Role, team: &str) -> Actor {
        let team = match s.team_by_name(team).await.expect("team") {
            Some(t) => kehu_domain::ids::TeamId(t.id),
            None => s.create_team(team, None, t0()).await.expect("team"),
        };
        let new = NewUser {
            login,
            name: login,
            role,
            team_id: Some(team),
            password_hash: "x",
        };
        let id = s.create_user(&new, t0()).await.expect("user");
        if role == Role::Manager {
            s.set_team_manager(team, id).await.expect("manager");
        }
        s.actor(id).await.expect("load").expect("active")
    }

    async fn customer(
        s: &Store,
        owner: &Actor,
        name: &str,
        phone: &str,
        contact: Option<(&str, &str)>,
    ) {
        let input = CustomerInput {
            name: Some(name.into()),
            phone: Some(phone.into()),
            source: Some("web".into()),
            city: Some("苏州".into()),
            contacts: contact
                .map(|(n, p)| ContactInput {
                    name: Some(n.into()),
                    phone: Some(p.into()),
                    title: None,
                })
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let new = NewCustomer::parse(&input, FixedOffset::east_opt(8 * 3600).expect("offset"))
            .expect("valid");
        s.create_customer(owner, &new, t0()).await.expect("create");
    }

    /// One firm entered by three reps of two teams, and a stranger.
    async fn seeded(b: kehu_testkit::Backend) -> TestDb {
        let db = TestDb::new(b).await;
        let s = &db.store;
        let rep_a = user(s, "rep_a", Role::Rep, "华东").await;
        let rep_b = user(s, "rep_b", Role::Rep, "华东").await;
        user(s, "mgr_east", Role::Manager, "华东").await;
        let rep_c = user(s, "rep_c", Role::Rep, "华南").await;
        customer(
            s,
            &rep_a,
            "苏州华星精密机械有限公司",
            "13800138000",
            Some(("张伟", "13900139000")),
        )
        .await;
        customer(
            s,
            &rep_b,
            "华星精密机械（苏州）有限公司",
            "13900139000",
            None,
        )
        .await;
        customer(
            s,
            &rep_c,
            "华星精密机械",
            "0512-65500490",
            Some(("张伟", "13900139000")),
        )
        .await;
        customer(s, &rep_c, "上海东升物流有限公司", "13700137000", None).await;
        db
    }

    /// The report's rows as (cluster size, name, owner).
    fn csv_rows(body: &str) -> Vec<(String, String, String)> {
        let mut r = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = r
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            header,
            [
                "cluster_id",
                "cluster_size",
                "customer_id",
                "name",
                "owner",
                "city",
                "linked_to",
                "score",
                "reasons"
            ]
        );
        r.records()
            .map(|row| {
                let row = row.expect("row");
                (row[1].to_owned(), row[3].to_owned(), row[4].to_owned())
            })
            .collect()
    }

    #[tokio::test]
    async fn the_administrator_sees_every_duplicate_a_manager_their_team() {
        for b in BACKENDS {
            let db = seeded(b).await;
            let dir = Dir::new();
            let report = dir.path("report.csv");
            let o = kehu_on(&db.url, &["dedupe", "--output", s(&report)]);
            assert!(o.status.success(), "{b:?}: {}", text(&o.stderr));
            assert!(
                text(&o.stderr).contains("4 customers reviewed"),
                "{}",
                text(&o.stderr)
            );
            let body = std::fs::read_to_string(&report).expect("report");
            let rows = csv_rows(&body);
            let row = |size: &str, name: &str, owner: &str| {
                (size.to_owned(), name.to_owned(), owner.to_owned())
            };
            assert_eq!(
                rows,
                vec![
                    row("3", "苏州华星精密机械有限公司", "rep_a"),
                    row("3", "华星精密机械（苏州）有限公司", "rep_b"),
                    row("3", "华星精密机械", "rep_c"),
                ],
                "{b:?}: {body}"
            );
            assert!(
                body.contains("same mobile"),
                "{b:?}: reasons are given: {body}"
            );

            let o = kehu_on(&db.url, &["dedupe", "--as", "mgr_east"]);
            assert!(o.status.success(), "{b:?}: {}", text(&o.stderr));
            let rows = csv_rows(&text(&o.stdout));
            assert_eq!(
                rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
                ["rep_a", "rep_b"],
                "{b:?}: another team's customer stays out of a manager's review"
            );

            let o = kehu_on(&db.url, &["dedupe", "--as", "nobody"]);
            assert!(!o.status.success());
            assert!(
                text(&o.stderr).contains("--as: no user nobody"),
                "{}",
                text(&o.stderr)
            );
        }
    }

    #[tokio::test]
    async fn the_report_opens_as_a_workbook() {
        use calamine::{Reader, Xlsx, open_workbook};
        for b in BACKENDS {
            let db = seeded(b).await;
            let dir = Dir::new();
            let report = dir.path("report.xlsx");
            let o = kehu_on(&db.url, &["dedupe", "--output", s(&report)]);
            assert!(o.status.success(), "{b:?}: {}", text(&o.stderr));
            let mut book: Xlsx<_> = open_workbook(&report).expect("a workbook");
            let sheet = book
                .worksheet_range_at(0)
                .expect("a sheet")
                .expect("readable");
            let rows: Vec<Vec<String>> = sheet
                .rows()
                .map(|r| r.iter().map(ToString::to_string).collect())
                .collect();
            assert_eq!(rows.len(), 4, "{b:?}: header and three customers: {rows:?}");
            assert_eq!(rows[0][3], "客户名称 name");
            assert_eq!(rows[1][3], "苏州华星精密机械有限公司");
            assert_eq!(rows[1][4], "rep_a");
            assert_eq!(rows[1][1], "3");
        }
    }
}
