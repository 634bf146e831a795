use super::*;
use crate::error::FieldErrors;
use proptest::prelude::*;

fn fields(e: &FieldErrors) -> Vec<(&str, &str)> {
    e.0.iter().map(|e| (e.field.as_ref(), e.code)).collect()
}

fn input(title: &str, amount: &str, stage: &str, date: &str) -> DealInput {
    DealInput {
        title: Some(title.into()),
        amount: Some(amount.into()),
        stage: Some(stage.into()),
        expected_close_date: Some(date.into()),
    }
}

#[test]
fn amounts_are_yuan_with_at_most_two_decimals_kept_as_fen() {
    let fen = |s| Amount::parse("amount", s).map(Amount::fen);
    assert_eq!(fen("12345"), Ok(1_234_500));
    assert_eq!(fen(" ¥12,345.6 "), Ok(1_234_560));
    assert_eq!(fen("￥１２.０５"), Ok(1205));
    assert_eq!(fen("0.01"), Ok(1));
    for bad in ["-5", "1.234", "12a", ".5", "1e3", "", "1.2.3"] {
        assert_eq!(
            fen(bad).map_err(|e| e.code),
            Err("amount_invalid"),
            "{bad:?}"
        );
    }
    assert_eq!(fen("999999999999.99"), Ok(99_999_999_999_999));
    assert_eq!(
        fen("1000000000000").map_err(|e| e.code),
        Err("amount_too_large")
    );
    let a = Amount::parse("amount", "1234567.8").expect("valid");
    assert_eq!(
        (a.to_string(), a.grouped()),
        ("1234567.80".to_owned(), "1,234,567.80".to_owned())
    );
    assert_eq!(
        Amount::from_fen(5).map(|a| a.grouped()),
        Some("0.05".to_owned())
    );
    assert_eq!(Amount::from_fen(-1), None);
}

proptest! {
    #[test]
    fn an_amount_reads_back_as_written(fen in 0i64..99_999_999_999_999) {
        let a = Amount::from_fen(fen).expect("in range");
        prop_assert_eq!(Amount::parse("amount", &a.to_string()), Ok(a));
        prop_assert_eq!(Amount::parse("amount", &a.grouped()), Ok(a));
    }
}

#[test]
fn a_new_deal_starts_open_and_names_every_bad_field() {
    let d = NewDeal::parse(&input(" 2027 年度  维保 ", "80000", "", "2027-03-31")).expect("valid");
    assert_eq!(d.title, "2027 年度 维保");
    assert_eq!(d.stage, Stage::Contact);
    assert_eq!(d.amount.map(Amount::fen), Some(8_000_000));
    assert_eq!(
        d.expected_close_date.map(|d| d.to_string()).as_deref(),
        Some("2027-03-31")
    );
    let d = NewDeal::parse(&DealInput {
        title: Some("设备".into()),
        ..DealInput::default()
    })
    .expect("only the title is required");
    assert_eq!((d.amount, d.expected_close_date), (None, None));

    let e = NewDeal::parse(&input(" ", "12.345", "closing", "2027-02-30")).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            ("title", "required"),
            ("amount", "amount_invalid"),
            ("stage", "stage_invalid"),
            ("expected_close_date", "date_invalid"),
        ]
    );
    let e = NewDeal::parse(&input("设备", "", "won", "")).unwrap_err();
    assert_eq!(fields(&e), [("stage", "stage_not_open")]);
    let e = NewDeal::parse(&input(&"长".repeat(201), "", "", "")).unwrap_err();
    assert_eq!(fields(&e), [("title", "too_long")]);
}

fn to(stage: &str, reason: Option<&str>) -> StageInput {
    StageInput {
        stage: Some(stage.into()),
        lost_reason: reason.map(Into::into),
    }
}

#[test]
fn open_deals_move_anywhere_and_say_how() {
    let m = move_stage(Stage::Contact, &to("needs", None)).expect("next");
    assert_eq!(
        (m.from, m.to, m.step()),
        (Stage::Contact, Stage::Needs, Step::Next)
    );
    let m = move_stage(Stage::Contact, &to("negotiation", None)).expect("skip");
    assert_eq!(m.step(), Step::Skip);
    let m = move_stage(Stage::Proposal, &to("needs", None)).expect("back");
    assert_eq!(m.step(), Step::Back);
    let m = move_stage(Stage::Needs, &to("won", None)).expect("won");
    assert_eq!((m.step(), m.lost_reason), (Step::Close, None));
    let m = move_stage(Stage::Needs, &to("lost", Some("  预算 取消 "))).expect("lost");
    assert_eq!(m.lost_reason.as_deref(), Some("预算 取消"));
}

#[test]
fn a_lost_deal_needs_a_reason_and_closed_deals_stay_closed() {
    let code = |cur, i: StageInput| {
        move_stage(cur, &i).map_err(|e| {
            fields(&e)
                .iter()
                .map(|(f, c)| format!("{f}:{c}"))
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        code(Stage::Proposal, to("lost", None)),
        Err(vec!["lost_reason:required".to_owned()])
    );
    assert_eq!(
        code(Stage::Proposal, to("lost", Some(" "))),
        Err(vec!["lost_reason:required".to_owned()])
    );
    assert_eq!(
        code(Stage::Proposal, to("lost", Some(&"因".repeat(501)))),
        Err(vec!["lost_reason:too_long".to_owned()])
    );
    assert_eq!(
        code(Stage::Proposal, to("won", Some("价格"))),
        Err(vec!["lost_reason:only_when_lost".to_owned()])
    );
    assert_eq!(
        code(Stage::Proposal, to("proposal", None)),
        Err(vec!["stage:stage_unchanged".to_owned()])
    );
    assert_eq!(
        code(Stage::Proposal, to("", None)),
        Err(vec!["stage:stage_invalid".to_owned()])
    );
    for closed in [Stage::Won, Stage::Lost] {
        assert_eq!(
            code(closed, to("contact", None)),
            Err(vec!["stage:deal_closed".to_owned()]),
            "{closed:?}"
        );
    }
}

#[test]
fn stage_codes_read_back() {
    for s in Stage::ALL {
        assert_eq!(Stage::parse("stage", s.code()), Ok(s));
    }
    assert!(Stage::OPEN.iter().all(|s| s.is_open()));
    assert!(!Stage::Won.is_open() && !Stage::Lost.is_open());
}
