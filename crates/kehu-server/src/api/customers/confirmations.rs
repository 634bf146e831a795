//! The "this is a different customer" confirmations recorded on a customer, as JSON: the
//! other customer's id only when the reader may open it.

use crate::error::AppError;
use crate::i18n::{Locale, T};
use crate::state::AppState;
use kehu_domain::Actor;
use kehu_domain::ids::CustomerId;
use serde_json::{Value, json};

/// The confirmations of `customer` (which `actor` may read), oldest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    customer: CustomerId,
) -> Result<Vec<Value>, AppError> {
    let mut out = Vec::new();
    for c in state.store.distinct_confirmations(customer).await? {
        let readable = state.store.customer_for(actor, c.other_id).await?.is_some();
        out.push(json!({
            "other": { "id": readable.then_some(c.other_id.0), "name": c.other_name },
            "confirmed_by": c.confirmed_by,
            "confirmed_at": c.confirmed_at,
            "score": c.score,
            "reasons": c.reasons,
            "detail": detail(&c.reasons).unwrap_or_default(),
        }));
    }
    Ok(out)
}

/// The stored reasons in words, read back from their JSON form.
fn detail(reasons: &Value) -> Option<String> {
    let list = reasons.as_array()?;
    let words: Vec<String> = list
        .iter()
        .filter_map(|r| {
            let code = r.get("code")?.as_str()?;
            let t = T(Locale::En);
            let key = format!("fuzzy.reason.{code}");
            Some(match r.get("similarity").and_then(Value::as_f64) {
                Some(s) => t.fmt(&key, &[("pct", &format!("{:.0}", s * 100.0))]),
                None => t.t(&key).to_owned(),
            })
        })
        .collect();
    Some(words.join(T(Locale::En).t("fuzzy.separator")))
}
