//! Bulk insert (the import path): whole rows only, row errors naming row and field, strong
//! keys still unique.

use crate::support::*;
use chrono::FixedOffset;
use kehu_domain::customer::keys::keys_of_new;
use kehu_domain::customer::{ContactInput, CustomerInput, NewCustomer};
use kehu_domain::identity::CreditCode;
use kehu_domain::identity::matching::{Prepared, index};
use kehu_domain::ids::{CustomerId, UserId};
use kehu_domain::ownership::LedgerKind;
use kehu_store::customers::{BATCH_ROWS, BulkRow, RowError, RowProblem};
use kehu_store::match_index::record_of_new;
use kehu_testkit::BACKENDS;
use std::collections::HashMap;

/// Rows 1..=ROWS: more than one batch, so repeats across batches are covered too.
const ROWS: usize = BATCH_ROWS + 200;

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

fn mobile(i: usize) -> String {
    format!("139{i:08}")
}

/// A valid credit code in Suzhou's Gusu district with organisation digits from `n`.
fn credit_code(n: usize) -> String {
    let body = format!("91320508{n:09}");
    let check = CreditCode::check_char(&body).expect("valid body");
    format!("{body}{check}")
}

/// The input of row `r`: a company with a distinct mobile; every tenth has a contact.
fn input(r: usize) -> CustomerInput {
    CustomerInput {
        name: Some(format!("苏州{r}号精密机械有限公司")),
        phone: Some(mobile(r)),
        source: Some("trade_show".into()),
        contacts: if r.is_multiple_of(10) {
            vec![ContactInput {
                name: Some(format!("张伟{r}")),
                phone: Some(format!("0512-6550{r:04}")),
                title: Some("采购经理".into()),
            }]
        } else {
            Vec::new()
        },
        ..Default::default()
    }
}

/// The rows, with the special cases the assertions below expect.
fn rows(o: &Org) -> Vec<BulkRow> {
    (1..=ROWS)
        .map(|r| {
            let mut i = input(r);
            match r {
                8 => i.phone = Some("+86 138-0013-8000".into()), // held by an earlier customer
                50 => i.phone = Some("abc".into()),
                120 => (i.name, i.source) = (Some(" ".into()), Some("fax".into())),
                150 => i.phone = Some("+86 139 0000 0020".into()), // row 20's, same batch
                200 => i.contacts[0].name = None,
                30 | 230 => i.credit_code = Some(credit_code(7)), // 230 repeats row 30's
                60 | 61 => i.phone = Some("0512-8888 6666".into()), // a shared switchboard
                r if r == ROWS - 1 => i.phone = Some(mobile(20)), // row 20's, a later batch
                _ => {}
            }
            let owner = match r % 3 {
                0 => None,
                1 => Some(o.rep_a.user_id),
                _ => Some(o.rep_b.user_id),
            };
            BulkRow {
                row: r,
                customer: NewCustomer::parse(&i, china()),
                owner,
            }
        })
        .collect()
}

fn invalid(row: usize, field: &str, code: &'static str) -> RowError {
    RowError {
        row,
        field: field.to_owned().into(),
        problem: RowProblem::Invalid { code },
    }
}

fn duplicate(row: usize, field: &str, existing: CustomerId, same_as: Option<usize>) -> RowError {
    RowError {
        row,
        field: field.to_owned().into(),
        problem: RowProblem::Duplicate {
            existing,
            same_as_row: same_as,
        },
    }
}

#[tokio::test]
async fn bulk_insert_writes_whole_rows_and_reports_each_skipped_one() {
    for b in BACKENDS {
        let o = org(b).await;
        let s = &o.db.store;
        let earlier = s
            .create_customer(&o.rep_a, &new_customer("苏州华星精密", "13800138000"), t0())
            .await
            .expect("earlier customer");

        let report = s
            .bulk_insert_customers(&o.manager, &rows(&o), t0())
            .await
            .expect("bulk insert");
        let id: HashMap<usize, CustomerId> = report.created.iter().copied().collect();
        assert_eq!(
            report.rejected,
            vec![
                duplicate(8, "phone", earlier, None),
                invalid(50, "phone", "phone_invalid"),
                invalid(120, "name", "required"),
                invalid(120, "source", "unknown_value"),
                duplicate(150, "phone", id[&20], Some(20)),
                invalid(200, "contacts[0].name", "required"),
                duplicate(230, "credit_code", id[&30], Some(30)),
                duplicate(ROWS - 1, "phone", id[&20], Some(20)),
            ],
            "{b:?}"
        );
        assert_eq!(report.created.len(), ROWS - 7, "{b:?}");
        assert_eq!(
            s.customer_total().await.expect("count"),
            (ROWS - 7 + 1) as i64
        );

        // Each created row is the customer it says, found by its keys, with its owner,
        // contacts and one `create` event by the importing manager.
        for r in [20, 30, 90, 91, 100, ROWS] {
            let want = NewCustomer::parse(&input(r), china()).expect("valid");
            let hits = s
                .customers_sharing_keys(&keys_of_new(&want))
                .await
                .expect("check");
            assert_eq!(hits.len(), 1, "{b:?} row {r}: {hits:?}");
            assert_eq!(
                (hits[0].customer_id, hits[0].strong, hits[0].name.as_str()),
                (id[&r], true, want.name.as_str()),
                "{b:?} row {r}"
            );
            let owner = [None, Some(o.rep_a.user_id), Some(o.rep_b.user_id)][r % 3];
            let ledger = s.ledger(id[&r]).await.expect("ledger");
            assert_eq!(ledger.len(), 1, "{b:?} row {r}");
            assert_eq!(
                (ledger[0].kind, ledger[0].to_user, ledger[0].by_user),
                (LedgerKind::Create, owner, o.manager.user_id),
                "{b:?} row {r}"
            );
            let owner_name = owner.map(|u: UserId| {
                if u == o.rep_a.user_id {
                    "rep_a"
                } else {
                    "rep_b"
                }
            });
            assert_eq!(hits[0].owner_name.as_deref(), owner_name, "{b:?} row {r}");
            let contacts = s.contacts(id[&r]).await.expect("contacts");
            assert_eq!(
                contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                if r.is_multiple_of(10) {
                    vec![format!("张伟{r}")]
                } else {
                    vec![]
                },
                "{b:?} row {r}"
            );
        }
        let code = NewCustomer::parse(
            &CustomerInput {
                credit_code: Some(credit_code(7)),
                ..input(1)
            },
            china(),
        )
        .expect("valid");
        let by_code = s
            .customers_sharing_keys(&keys_of_new(&code)[1..])
            .await
            .expect("check");
        assert_eq!(
            by_code.iter().map(|h| h.customer_id).collect::<Vec<_>>(),
            vec![id[&30]],
            "{b:?}"
        );
        // The fuzzy check's index has them too: the name without its suffix and with
        // another phone proposes row 20's customer.
        let variant = NewCustomer::parse(
            &CustomerInput {
                name: Some("苏州20号精密机械".into()),
                phone: Some("13700000000".into()),
                ..input(20)
            },
            china(),
        )
        .expect("valid");
        let prepared = Prepared::new(&record_of_new(&variant));
        let candidates = s
            .match_candidates(&index::probes(&prepared), None, 24)
            .await
            .expect("candidates");
        assert_eq!(
            candidates.first().map(|c| c.customer_id),
            Some(id[&20]),
            "{b:?}"
        );
        // A weak key is shared freely: both rows of the switchboard are in.
        let board = s
            .customers_sharing_keys(&keys_of_new(&new_customer("x", "051288886666")))
            .await
            .expect("check");
        assert_eq!(board.len(), 2, "{b:?}: {board:?}");
        // Skipped rows left nothing: not the bad contact of row 200, not row 150's name.
        assert!(s.contacts(id[&190]).await.expect("contacts").len() == 1);
        assert!(
            !report
                .created
                .iter()
                .any(|(r, _)| [8, 50, 120, 150, 200, 230].contains(r))
        );

        // A second import meets the first one's keys as stored customers.
        let again = vec![
            BulkRow {
                row: 1,
                customer: NewCustomer::parse(&input(100), china()),
                owner: None,
            },
            BulkRow {
                row: 2,
                customer: NewCustomer::parse(&input(ROWS + 1), china()),
                owner: None,
            },
        ];
        let second = s
            .bulk_insert_customers(&o.manager, &again, t0())
            .await
            .expect("second bulk insert");
        assert_eq!(second.rejected, vec![duplicate(1, "phone", id[&100], None)]);
        assert_eq!(second.created.len(), 1, "{b:?}");
        assert_eq!(
            s.customer_total().await.expect("count"),
            (ROWS - 7 + 2) as i64
        );
    }
}
