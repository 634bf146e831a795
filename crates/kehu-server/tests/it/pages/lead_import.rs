//! Importing a file of leads on `/leads/import`, on both engines: every row through intake
//! and routing with a row-by-row report (created, joined an open lead, refused naming its
//! column), the same file again replays, and reps may not import.

use super::{Page, Web, signed_in};
use crate::api_routing::{round_robin, set_rules};
use crate::harness::{Org, fresh_phone, id_of, ui_fmt, zh};
use crate::leads_kit::source;
use kehu_testkit::BACKENDS;
use serde_json::json;

const PAGE: &str = "/leads/import";

impl Web {
    /// Posts the import form as a browser does (multipart): csrf, source, the file.
    async fn upload(&self, csrf: &str, source: &str, name: &str, file: &[u8]) -> Page {
        let boundary = "kehu-import-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n{source}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .client
            .post(format!("{}{PAGE}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(req, format!("[{}] POST {PAGE} {name}", self.label))
            .await
    }
}

/// The report's rows: (line, result, detail text).
fn rows(page: &Page) -> Vec<(String, String, String)> {
    let lines = page.attrs("#import-rows tbody tr", "data-line");
    let results = page.attrs("#import-rows tbody tr", "data-result");
    let details = page.texts("#import-rows tbody tr td.detail");
    lines
        .into_iter()
        .zip(results)
        .zip(details)
        .map(|((l, r), d)| (l, r, d))
        .collect()
}

#[tokio::test]
async fn a_file_goes_in_row_by_row_and_the_same_file_again_is_replayed() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (src, _) = source(&o, 100).await;
        set_rules(&o, json!([round_robin("华东", &[], &[&o.rep_a])])).await;
        let (first, second) = (fresh_phone(), fresh_phone());
        // A good row, a bad phone, another good row, and the first person again.
        let csv = format!(
            "公司名称,联系人,手机,展会,行业,标签\n\
             苏州云帆科技,周经理,{first},上海工博会,机械设备,自动化、需要演示\n\
             杭州坏号码,吴先生,12345,上海工博会,,\n\
             南京长江电气,郑女士,{second},无,,\n\
             苏州云帆科技,周经理,{first},上海工博会(第二天),,\n"
        );
        let web = signed_in(&o.app, "mgr_east").await;
        let list = web.get("/leads").await.status(200);
        assert_eq!(
            list.attr("#import-leads-link", "href").as_deref(),
            Some(PAGE)
        );
        let csrf = web.get(PAGE).await.status(200).csrf();
        let src = src.to_string();
        let page = web.upload(&csrf, &src, "leads.csv", csv.as_bytes()).await;
        let page = page.status(200);
        let got = rows(&page);
        let results: Vec<&str> = got.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(
            results,
            ["created", "error", "created", "joined"],
            "{b:?}: {got:?}"
        );
        let lines: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(lines, ["2", "3", "4", "5"], "{b:?}");
        let to_rep = ui_fmt("zh-CN", "lead_import.to_rep", &[("rep", &o.rep_a.name)]);
        assert!(got[0].2.ends_with(&to_rep), "{b:?}: where it went: {got:?}");
        let bad = format!(
            "手机 ({}): {}",
            zh("field.phone"),
            zh("error.phone_invalid")
        );
        assert_eq!(got[1].2, bad, "{b:?}: the row's column and error");
        let leads = o
            .app
            .get(&o.admin, "/api/v1/leads")
            .await
            .assert_status(200);
        let ids: Vec<i64> = leads.items().iter().map(id_of).collect();
        assert_eq!(ids.len(), 3, "{b:?}: the bad row wrote nothing");
        let joined = leads.items()[0].clone();
        assert_eq!(
            joined["duplicate_of"], ids[2],
            "{b:?}: joins the first row's lead"
        );
        assert_eq!(joined["extra"]["展会"], "上海工博会(第二天)", "{b:?}");
        assert_eq!(
            leads.items()[1]["extra"],
            serde_json::Value::Null,
            "{b:?}: 无 is empty"
        );
        assert_eq!(joined["entered_by"], o.manager.name, "{b:?}");
        let first_lead = &leads.items()[2];
        assert_eq!(first_lead["industry"], "机械设备", "{b:?}: {first_lead}");
        assert_eq!(
            first_lead["tags"],
            json!(["自动化", "需要演示"]),
            "{b:?}: one cell, two tags"
        );

        // The same file again: nothing twice.
        let again = web.upload(&csrf, &src, "leads.csv", csv.as_bytes()).await;
        let again = rows(&again.status(200));
        let results: Vec<&str> = again.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(
            results,
            ["replayed", "error", "replayed", "replayed"],
            "{b:?}"
        );
        let after = o
            .app
            .get(&o.admin, "/api/v1/leads")
            .await
            .assert_status(200);
        assert_eq!(after.items().len(), 3, "{b:?}");
    }
}

#[tokio::test]
async fn reps_may_not_import_and_unusable_files_are_named() {
    for b in BACKENDS {
        let o = Org::start(b).await;
        let (src, _) = source(&o, 100).await;
        let src = src.to_string();
        let rep = signed_in(&o.app, "rep_a").await;
        rep.get(PAGE).await.status(403);
        let list = rep.get("/leads").await.status(200);
        assert_eq!(list.count("#import-leads-link"), 0, "{b:?}");
        let csrf = rep.csrf().await;
        let csv = format!("公司名称,手机\n华星,{}\n", fresh_phone());
        rep.upload(&csrf, &src, "a.csv", csv.as_bytes())
            .await
            .status(403);
        let none = o
            .app
            .get(&o.admin, "/api/v1/leads")
            .await
            .assert_status(200);
        assert!(none.items().is_empty(), "{b:?}: nothing imported");

        let admin = signed_in(&o.app, "admin").await;
        let csrf = admin.get(PAGE).await.status(200).csrf();
        let page = admin
            .upload(&csrf, &src, "a.csv", "email,city\nx@y.cn,苏州\n".as_bytes())
            .await;
        let page = page.status(422);
        assert_eq!(
            page.text("#error-file"),
            zh("lead_import.no_columns"),
            "{b:?}"
        );
        let page = admin
            .upload(&csrf, &src, "a.csv", b"company,phone\nA,1\nB\n")
            .await;
        let want = ui_fmt(
            "zh-CN",
            "table.ragged",
            &[("line", "3"), ("len", "1"), ("expected", "2")],
        );
        assert_eq!(page.status(422).text("#error-file"), want, "{b:?}");
        let page = admin.upload(&csrf, "", "a.csv", csv.as_bytes()).await;
        assert_eq!(page.status(422).text("#error-source"), zh("error.required"));
        admin
            .upload("forged", &src, "a.csv", csv.as_bytes())
            .await
            .assert_csrf_refused();
    }
}
