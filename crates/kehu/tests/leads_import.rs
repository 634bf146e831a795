//! `kehu leads import` as users run it, on both engines: a GBK CSV file row by row with a
//! refused row named by its column, the same file again replayed, an Excel workbook, and
//! who may import.
#![expect(
    clippy::disallowed_methods,
    reason = "tests stand in for the wall clock"
)]

use chrono::Utc;
use kehu_domain::Role;
use kehu_server::auth::password;
use kehu_store::{NewUser, Store};
use kehu_testkit::{BACKENDS, TestDb};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn kehu(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kehu"))
        .args(args)
        .env("KEHU_DATABASE_URL", url)
        .env("KEHU_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("run kehu")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An admin, a manager and a rep in one team, and the source 展会 (code `expo`).
async fn org(store: &Store) {
    let hash = password::hash_blocking("not-used-here");
    let team = store
        .create_team("华东组", None, Utc::now())
        .await
        .expect("team");
    let mut ids = Vec::new();
    for (login, role) in [
        ("boss", Role::Admin),
        ("mgr", Role::Manager),
        ("zw", Role::Rep),
    ] {
        let user = NewUser {
            login,
            name: login,
            role,
            team_id: Some(team),
            password_hash: &hash,
        };
        ids.push(store.create_user(&user, Utc::now()).await.expect("user"));
    }
    store
        .create_lead_source("expo", "展会", ids[0], Utc::now())
        .await
        .expect("source");
}

async fn lead_count(store: &Store) -> usize {
    let admin = store
        .user_by_login("boss")
        .await
        .expect("read")
        .expect("boss");
    let actor = store
        .actor(kehu_domain::ids::UserId(admin.id))
        .await
        .expect("read")
        .expect("actor");
    store
        .leads_for(&actor, None, 100)
        .await
        .expect("leads")
        .len()
}

fn write_gbk(path: &Path, csv: &str) {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(csv);
    assert!(!unmappable);
    std::fs::write(path, bytes).expect("write csv");
}

#[tokio::test]
async fn a_file_is_imported_row_by_row_and_again_is_replayed() {
    for b in BACKENDS {
        let db = TestDb::new(b).await;
        org(&db.store).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("expo.csv");
        write_gbk(
            &file,
            "客户名称,联系人,手机号码,备注\n\
             苏州华星精密,王经理,13900001111,要报价\n\
             无锡坏号码,李先生,138,\n\
             常州恒力,赵女士,13900002222,\n",
        );
        let file = file.display().to_string();
        let args = [
            "leads", "import", "--source", "展会", "--file", &file, "--as", "mgr",
        ];
        let o = kehu(&db.url, &args);
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert_eq!(
            o.status.code(),
            Some(1),
            "{b:?}: a row was refused: {out}{err}"
        );
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines[0].starts_with("line 2: created: lead #"),
            "{b:?}: {out}"
        );
        assert!(lines[0].ends_with("→ awaiting routing"), "{b:?}: {out}");
        assert_eq!(
            lines[1],
            "line 3: error: 手机号码 (Phone): is not a valid phone number (mobile, or landline with area code)",
            "{b:?}"
        );
        assert!(lines[2].starts_with("line 4: created"), "{b:?}: {out}");
        assert!(lines[3].starts_with("3 rows: 2 new leads"), "{b:?}: {out}");
        assert!(err.contains("1 rows were refused"), "{b:?}: {err}");
        assert_eq!(lead_count(&db.store).await, 2, "{b:?}");

        let o = kehu(&db.url, &args);
        let out = text(&o.stdout);
        assert!(
            out.contains("line 2: imported before: lead #"),
            "{b:?}: {out}"
        );
        assert!(out.contains("line 4: imported before"), "{b:?}: {out}");
        assert!(out.contains("2 imported before"), "{b:?}: {out}");
        assert_eq!(lead_count(&db.store).await, 2, "{b:?}: nothing twice");

        let rep = [
            "leads", "import", "--source", "expo", "--file", &file, "--as", "zw",
        ];
        let o = kehu(&db.url, &rep);
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("--as: zw is a rep"), "{b:?}");
        let o = kehu(
            &db.url,
            &["leads", "import", "--source", "抖音", "--file", &file],
        );
        assert!(text(&o.stderr).contains("--source: no active lead source 抖音"));
        assert_eq!(lead_count(&db.store).await, 2, "{b:?}");
    }
}

#[tokio::test]
async fn an_excel_workbook_is_imported_as_the_system_user() {
    let db = TestDb::new(kehu_testkit::Backend::Sqlite).await;
    org(&db.store).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("leads.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Company", "Mobile", "City"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    sheet.write_string(1, 0, "嘉兴海宁皮革").expect("cell");
    // A phone typed as a number, as Excel users do.
    sheet.write_number(1, 1, 13900003333.0).expect("cell");
    sheet.write_string(1, 2, "嘉兴").expect("cell");
    book.save(&path).expect("save workbook");
    let file = path.display().to_string();
    let o = kehu(
        &db.url,
        &["leads", "import", "--source", "expo", "--file", &file],
    );
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    assert!(out.starts_with("line 2: created: lead #"), "{out}");
    assert_eq!(lead_count(&db.store).await, 1);
}
