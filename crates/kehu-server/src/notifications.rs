//! Notifications as people read them: the message of each kind in the reader's language.

use crate::i18n::T;
use kehu_store::notifications::Notification;

/// The sentence of a notification, e.g. "张伟 将客户「苏州华星精密」转移给你".
pub fn message(t: T, n: &Notification) -> String {
    let mut p = n.param_map();
    if let Some(a) = p.get("access").cloned() {
        p.insert(
            "access".into(),
            t.t(&format!("people.access_{a}")).to_owned(),
        );
    }
    if let Some(d) = p.get("decision").cloned() {
        let share = p.get("share").cloned().unwrap_or_default();
        let rest = p.get("rest").cloned().unwrap_or_default();
        let text = t.fmt(
            &format!("people.decision_{d}"),
            &[("share", &share), ("rest", &rest)],
        );
        p.insert("decision".into(), text);
    }
    let args: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    t.fmt(&format!("people.notify_{}", n.kind), &args)
}
