use super::*;
use serde_json::json;

fn input(v: Value) -> LeadInput {
    serde_json::from_value(v).expect("input")
}

#[test]
fn someone_to_call_is_required_and_every_error_is_named() {
    let e = NewLead::parse(&input(json!({ "message": "报价" }))).unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_ref()).collect();
    assert_eq!(fields, ["company", "contact_name", "phone"]);
    assert!(e.0.iter().all(|f| f.code == "lead_who_required"));
    let e = NewLead::parse(&input(json!({
        "company": "华星", "phone": "12", "email": "x@", "extra": [1]
    })))
    .unwrap_err();
    let named: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_ref(), f.code)).collect();
    assert_eq!(
        named,
        [
            ("phone", "phone_invalid"),
            ("email", "email_invalid"),
            ("extra", "extra_not_object")
        ]
    );
}

#[test]
fn extra_is_bounded() {
    let big = "x".repeat(EXTRA_MAX_BYTES);
    let e = NewLead::parse(&input(
        json!({ "company": "华星", "extra": { "utm": big } }),
    ));
    assert_eq!(
        e.unwrap_err().0,
        [FieldError::new("extra", "extra_too_large")]
    );
}

#[test]
fn keys_are_normalised_and_fingerprints_ignore_spelling() {
    let a = NewLead::parse(&input(json!({
        "contact_name": "张伟", "phone": "138-0013-8000", "email": "Zhang.Wei@QQ.com",
        "extra": { "b": 1, "a": { "y": 2, "x": 1 } }
    })))
    .expect("valid");
    let b = NewLead::parse(&input(json!({
        "contact_name": " 张伟 ", "phone": "+86 13800138000", "email": "zhang.wei@qq.com",
        "extra": { "a": { "x": 1, "y": 2 }, "b": 1 }
    })))
    .expect("valid");
    assert_eq!(a.fingerprint(1), b.fingerprint(1));
    assert_ne!(a.fingerprint(1), a.fingerprint(2));
    let keys = a.keys();
    let kinds: Vec<(&str, &str)> = keys
        .iter()
        .map(|k| (k.kind.code(), k.value.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [("mobile", "+8613800138000"), ("email", "zhang.wei@qq.com")]
    );
    let other = NewLead::parse(&input(json!({ "contact_name": "李四" }))).expect("valid");
    assert_ne!(other.fingerprint(1), a.fingerprint(1));
}

#[test]
fn the_routing_fields_count_in_the_fingerprint_only_when_given() {
    let plain = json!({ "contact_name": "张伟", "phone": "13800138000" });
    let a = NewLead::parse(&input(plain.clone())).expect("valid");
    // SHA-256 of the canonical JSON as it was before industry, tags and grade existed:
    // a retry across the upgrade is the same request.
    assert_eq!(
        a.fingerprint(1),
        "b8e4dc42145250bd3550ddeae9cc0261a3b35209aa128002a9207dda58dbe766"
    );
    let mut blank = plain.clone();
    blank["tags"] = json!(["", " "]);
    blank["industry"] = json!(" ");
    let b = NewLead::parse(&input(blank)).expect("valid");
    assert_eq!(b.fingerprint(1), a.fingerprint(1));
    let tagged = |tags: Value| {
        let mut v = plain.clone();
        v["tags"] = tags;
        v["grade"] = json!("A");
        NewLead::parse(&input(v)).expect("valid").fingerprint(1)
    };
    assert_ne!(tagged(json!(["ERP"])), a.fingerprint(1));
    assert_eq!(tagged(json!(["ERP", "MES"])), tagged(json!(["mes", "erp"])));
}
