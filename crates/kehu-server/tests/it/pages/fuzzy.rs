//! The new-customer form and fuzzy duplicates: a similar name holds the save until the
//! "different customer" box is ticked; a collaboration request can be aimed at the hit
//! without knowing its id.

use super::signed_in;
use crate::harness::{Org, fresh_phone, id_of, zh};
use kehu_domain::ids::CustomerId;
use kehu_testkit::BACKENDS;

#[tokio::test]
async fn a_similar_name_needs_the_box_ticked_and_the_hit_can_be_asked_for_collaboration() {
    for backend in BACKENDS {
        let o = Org::start(backend).await;
        let app = &o.app;
        let theirs = id_of(
            &app.customer(&o.rep_b, "苏州华星精密有限公司", &fresh_phone())
                .await,
        );
        let web = signed_in(app, "rep_a").await;
        let csrf = web.csrf().await;
        let phone = fresh_phone();
        let fields = [
            ("csrf", csrf.as_str()),
            ("name", "苏州华星精密机械"),
            ("phone", phone.as_str()),
            ("source", "web"),
            ("intent", "medium"),
        ];
        let r = web.post("/customers", &fields).await.status(409);
        let hit = r.text("#duplicate-warning li.duplicate");
        assert!(
            hit.contains("苏州华星精密有限公司") && hit.contains(&zh("fuzzy.reason.same_city")),
            "{}: {hit}",
            r.what
        );
        assert_eq!(r.count("#duplicate-warning a"), 0, "{}: no link", r.what);
        let confirm = r
            .attr("#confirm-distinct", "value")
            .unwrap_or_else(|| panic!("{}: no confirmation box in:\n{}", r.what, r.body));
        assert!(confirm.starts_with("ref|"), "{}: {confirm}", r.what);
        assert!(app.list_ids(&o.rep_a, "scope=mine").await.is_empty());

        // Asking the owner to collaborate, from the fuzzy hit.
        let request = format!("collaboration|{confirm}");
        let mut asked = fields.to_vec();
        asked.push(("request", &request));
        let r = web.post("/customers/requests", &asked).await.status(200);
        assert_eq!(
            r.text("#flash"),
            zh("identity.requested_collaboration"),
            "{}",
            r.what
        );
        let open = app
            .store()
            .open_requests(CustomerId(theirs))
            .await
            .expect("requests");
        assert_eq!(open.len(), 1, "{:?}: {open:?}", backend);

        let mut ticked = fields.to_vec();
        ticked.push(("confirm_distinct", &confirm));
        let r = web.post("/customers", &ticked).await.status(303);
        let page = web.get(&r.location()).await.status(200);
        let audit = page.text("#audit");
        assert!(
            audit.contains(&zh("customer.identity.distinct_from"))
                && audit.contains("苏州华星精密有限公司"),
            "{}: {audit}",
            page.what
        );
    }
}
