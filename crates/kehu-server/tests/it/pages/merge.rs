//! The duplicate review, the field-by-field merge with its confirmation step, the redirect
//! of a merged-away id, and an admin's undo from the kept customer's page.

use super::signed_in;
use crate::api_merge::create_despite_warning;
use crate::harness::{Org, fresh_phone, id_of, zh};
use kehu_testkit::BACKENDS;
use serde_json::json;

/// Two records of one company in 华东 (rep_a's and rep_b's).
async fn duplicates(o: &Org) -> (i64, i64) {
    let record = |name: &str| {
        json!({
            "name": name, "phone": fresh_phone(), "source": "web", "city": "苏州",
            "contacts": [{ "name": "张伟" }]
        })
    };
    let a = create_despite_warning(&o.app, &o.rep_a, record("苏州华星精密")).await;
    let b = create_despite_warning(&o.app, &o.rep_b, record("苏州华星精密有限公司")).await;
    (id_of(&a), id_of(&b))
}

#[tokio::test]
async fn a_manager_reviews_merges_with_a_confirmation_and_an_admin_undoes_it() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
        let (a, b) = duplicates(&o).await;

        let rep = signed_in(&o.app, "rep_a").await;
        rep.get("/customers/duplicates").await.status(403);
        rep.get(&format!("/customers/merge?ids={a},{b}"))
            .await
            .status(403);

        let web = signed_in(&o.app, "mgr_east").await;
        let review = web.get("/customers/duplicates").await.status(200);
        let ids = format!("{a},{b}");
        let cluster = format!("section.cluster[data-ids=\"{ids}\"]");
        assert_eq!(
            review.count(&cluster),
            1,
            "{}:\n{}",
            review.what,
            review.body
        );
        assert!(review.text(&format!("{cluster} .score")).ends_with('%'));
        assert!(!review.text(&format!("{cluster} .reasons")).is_empty());
        // Outside the manager's scope: 404, as for any id they cannot see.
        let body = json!({ "name": "华星精密", "phone": fresh_phone(), "source": "web" });
        let south = id_of(&create_despite_warning(&o.app, &o.south_rep, body).await);
        web.get(&format!("/customers/merge?ids={a},{south}"))
            .await
            .status(404);

        let form = web
            .get(&format!("/customers/merge?ids={ids}"))
            .await
            .status(200);
        assert_eq!(form.count("tr.field-row"), 11, "{}", form.what);
        assert_eq!(
            form.attr(&format!("#kept-{a}"), "checked").as_deref(),
            Some("")
        );
        let version = |id: i64| form.attr(&format!("input[name=v_{id}]"), "value");
        let (va, vb) = (version(a).expect("v"), version(b).expect("v"));
        let csrf = form.csrf();
        let (sa, sb) = (a.to_string(), b.to_string());
        let post: Vec<(String, String)> = [
            ("ids", ids.clone()),
            ("kept", sa.clone()),
            ("f_name", sb.clone()),
            ("f_owner", sb.clone()),
            ("f_phone", sa.clone()),
            (&format!("v_{a}"), va),
            (&format!("v_{b}"), vb),
            ("csrf", csrf.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let as_refs = |extra: &'static str| {
            let mut v: Vec<(&str, &str)> =
                post.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            v.push(("step", extra));
            v
        };
        let confirm = web
            .post("/customers/merge", &as_refs("preview"))
            .await
            .status(200);
        assert_eq!(
            confirm.text("#kept"),
            format!("苏州华星精密 #{a}"),
            "{}",
            confirm.what
        );
        // Nothing is written before the confirmation.
        web.get(&format!("/customers/{b}")).await.status(200);
        let done = web
            .post("/customers/merge", &as_refs("confirm"))
            .await
            .status(303);
        assert_eq!(done.location(), format!("/customers/{a}?flash=merged"));

        let review = web.get("/customers/duplicates").await.status(200);
        assert_eq!(review.count(&cluster), 0, "merged: no longer a duplicate");
        let moved = web.get(&format!("/customers/{b}")).await.status(303);
        assert_eq!(moved.location(), format!("/customers/{a}"));
        let kept = web
            .get(&format!("/customers/{a}?flash=merged"))
            .await
            .status(200);
        assert_eq!(kept.text("#flash"), zh("merge.flash_merged"));
        assert_eq!(kept.text("#customer-name"), "苏州华星精密有限公司");
        assert_eq!(kept.text("#owner"), o.rep_b.name);
        assert_eq!(kept.count("#merges li.merge"), 1);
        assert_eq!(kept.count("a.undo-merge"), 0, "managers do not undo");
        assert!(kept.count("#timeline li.event") >= 4, "{}", kept.body);

        let admin = signed_in(&o.app, "admin").await;
        let page = admin.get(&format!("/customers/{a}")).await.status(200);
        let undo = page.attr("a.undo-merge", "href").expect("undo link");
        let confirm = admin.get(&undo).await.status(200);
        let token = confirm.csrf();
        web.post(&undo, &[("csrf", &csrf)]).await.status(403);
        let back = admin.post(&undo, &[("csrf", &token)]).await.status(303);
        assert_eq!(back.location(), format!("/customers/{a}?flash=unmerged"));
        let restored = web.get(&format!("/customers/{b}")).await.status(200);
        assert_eq!(restored.text("#customer-name"), "苏州华星精密有限公司");
        let kept = web.get(&format!("/customers/{a}")).await.status(200);
        assert_eq!(kept.text("#customer-name"), "苏州华星精密");
        assert_eq!(kept.text("#merges .badge"), zh("merge.reverted"));
        admin.get(&undo).await.status(404);
    }
}
