use super::*;
use serde_json::json;

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("offset")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00")
        .expect("t")
        .with_timezone(&Utc)
}

fn fields(body: &Value) -> Vec<String> {
    match parse_feed(body, cst(), now()) {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(|f| f.field.to_string()).collect(),
    }
}

#[test]
fn a_good_push_reads_every_record_with_local_dates() {
    let body = json!({ "version": 1, "generated_at": "2026-12-01T08:00:00+08:00", "records": [
        { "user": "wangfang", "from": "2026-12-02", "until": "2026-12-05", "note": "年假" },
        { "user": " lili ", "from": "2026-12-01T13:00", "until": "2026-12-01T18:00" },
    ] });
    let recs = parse_feed(&body, cst(), now()).expect("valid");
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].login, "wangfang");
    assert_eq!(
        recs[0].leave.span.from,
        DateTime::parse_from_rfc3339("2026-12-02T00:00:00+08:00").unwrap()
    );
    assert_eq!(recs[1].login, "lili");
    assert_eq!(recs[0].leave.note, "年假");
}

#[test]
fn a_renamed_field_is_named_twice_unknown_and_missing() {
    // HR renamed `from` to `start`: the push is refused, not read as "nobody away".
    let body = json!({ "version": 1, "records": [
        { "user": "wangfang", "start": "2026-12-02", "until": "2026-12-05" },
    ] });
    assert_eq!(fields(&body), ["records[0].start", "records[0].from"]);
}

#[test]
fn version_records_and_shapes_are_checked() {
    assert_eq!(fields(&json!({ "records": [] })), ["version"]);
    assert_eq!(fields(&json!({ "version": 2, "records": [] })), ["version"]);
    assert_eq!(fields(&json!({ "version": 1 })), ["records"]);
    assert_eq!(fields(&json!([])), ["body"]);
    assert_eq!(
        fields(
            &json!({ "version": 1, "records": [7, { "from": "2026-12-02", "until": "2026-12-01" }], "extra": 1 })
        ),
        ["extra", "records[0]", "records[1].user", "records[1].until"]
    );
    assert!(fields(&json!({ "version": 1, "records": [] })).is_empty());
}

#[test]
fn health_failing_wins_then_the_heartbeat_decides() {
    let s = FeedSettings::default();
    let at = |h: i64| now() - Duration::hours(h);
    let status = |ok: Option<i64>, failing: Option<i64>| FeedStatus {
        last_ok_at: ok.map(at),
        failing_since: failing.map(at),
    };
    assert_eq!(
        FeedHealth::of(&status(None, None), &s, now()),
        FeedHealth::Unused
    );
    assert_eq!(
        FeedHealth::of(&status(Some(24), None), &s, now()),
        FeedHealth::Healthy
    );
    assert_eq!(
        FeedHealth::of(&status(Some(25), None), &s, now()),
        FeedHealth::Stale { since: at(25) }
    );
    assert_eq!(
        FeedHealth::of(&status(Some(1), Some(0)), &s, now()),
        FeedHealth::Invalid { since: at(0) }
    );
    assert!(!FeedHealth::Unused.is_alert());
    assert!(FeedHealth::Stale { since: at(25) }.is_alert());
    let bad = FeedSettings {
        stale_after_hours: 0,
        ..s
    };
    assert_eq!(bad.validate().unwrap_err().0[0].field, "stale_after_hours");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any JSON at all: an answer, never a panic.
        #[test]
        fn never_panics_on_any_record(user in ".*", from in ".*", key in "[a-z]{1,8}") {
            let body = json!({ "version": 1, "records": [{ "user": user, "from": from, key: 1 }] });
            let _ = parse_feed(&body, cst(), now());
        }
    }
}
