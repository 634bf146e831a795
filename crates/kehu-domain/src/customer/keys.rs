//! Identity keys (查重): the normalised values that say two records are one customer.

use super::{Customer, NewCustomer, Phone};
use serde::{Deserialize, Serialize};

/// What a key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A mobile number (E.164).
    Mobile,
    /// A landline (E.164, extension apart).
    Landline,
    /// A unified social credit code.
    CreditCode,
}

impl KeyKind {
    /// Every kind.
    pub const ALL: [KeyKind; 3] = [KeyKind::Mobile, KeyKind::Landline, KeyKind::CreditCode];

    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            KeyKind::Mobile => "mobile",
            KeyKind::Landline => "landline",
            KeyKind::CreditCode => "credit_code",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<KeyKind> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// The input field a key comes from, for "already exists" errors.
    pub fn field(self) -> &'static str {
        match self {
            KeyKind::Mobile | KeyKind::Landline => "phone",
            KeyKind::CreditCode => "credit_code",
        }
    }
}

/// Which kinds are strong: a strong key identifies a customer alone, is unique across all
/// customers, and refuses a save that holds one another customer has. An admin setting.
///
/// By default a mobile (it belongs to one person) and a credit code (one company); a
/// landline may be a switchboard shared by many, so it only warns unless a team says
/// otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StrongKeysInput")]
pub struct StrongKeys {
    /// The strong kinds, each once, in [`KeyKind::ALL`]'s order.
    kinds: Vec<KeyKind>,
}

/// [`StrongKeys`] as sent: the kinds in any order, repeats allowed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrongKeysInput {
    kinds: Vec<KeyKind>,
}

impl From<StrongKeysInput> for StrongKeys {
    fn from(input: StrongKeysInput) -> Self {
        StrongKeys::of(&input.kinds)
    }
}

impl Default for StrongKeys {
    fn default() -> Self {
        StrongKeys::of(&[KeyKind::Mobile, KeyKind::CreditCode])
    }
}

impl StrongKeys {
    /// The set of `kinds` (repeats and order do not matter).
    pub fn of(kinds: &[KeyKind]) -> StrongKeys {
        let mut kinds = kinds.to_vec();
        kinds.sort_unstable();
        kinds.dedup();
        StrongKeys { kinds }
    }

    /// Whether keys of `kind` are strong.
    pub fn contains(&self, kind: KeyKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Whether `key` is strong.
    pub fn holds(&self, key: &IdentityKey) -> bool {
        self.contains(key.kind)
    }

    /// The strong kinds.
    pub fn kinds(&self) -> &[KeyKind] {
        &self.kinds
    }
}

/// One key of one customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IdentityKey {
    /// Kind.
    pub kind: KeyKind,
    /// Normalised value.
    pub value: String,
}

impl IdentityKey {
    /// The key of a phone number: mobile (strong) or landline (weak).
    pub fn phone(p: &Phone) -> IdentityKey {
        let kind = if p.is_mobile() {
            KeyKind::Mobile
        } else {
            KeyKind::Landline
        };
        IdentityKey {
            kind,
            value: p.e164().to_owned(),
        }
    }

    /// The key of a (validated) credit code.
    pub fn credit_code(code: &str) -> IdentityKey {
        IdentityKey {
            kind: KeyKind::CreditCode,
            value: code.to_owned(),
        }
    }
}

/// The keys of a customer about to be created: its main phone. Contacts' phones are not
/// keys yet: several customers may share one contact person (a purchasing agent).
pub fn keys_of_new(c: &NewCustomer) -> Vec<IdentityKey> {
    let mut keys = vec![IdentityKey::phone(&c.phone)];
    keys.extend(
        c.credit_code
            .as_ref()
            .map(|cc| IdentityKey::credit_code(cc.as_str())),
    );
    keys
}

/// The keys of an existing customer.
pub fn keys_of(c: &Customer) -> Vec<IdentityKey> {
    let mut keys = vec![IdentityKey::phone(&c.phone)];
    keys.extend(c.credit_code.as_deref().map(IdentityKey::credit_code));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_strong_and_landlines_weak_by_default() {
        let strong = StrongKeys::default();
        let m = IdentityKey::phone(&Phone::parse("phone", "138 0013 8000").expect("valid"));
        assert_eq!(
            (m.kind, m.value.as_str(), strong.holds(&m)),
            (KeyKind::Mobile, "+8613800138000", true)
        );
        let l = IdentityKey::phone(&Phone::parse("phone", "0512-6550 0490 转 8").expect("valid"));
        assert_eq!((l.kind, strong.holds(&l)), (KeyKind::Landline, false));
        assert!(strong.contains(KeyKind::CreditCode));
        for k in KeyKind::ALL {
            assert_eq!(KeyKind::parse(k.code()), Some(k));
        }
    }

    #[test]
    fn strong_kinds_are_a_set_read_from_their_codes() {
        let s: StrongKeys =
            serde_json::from_str(r#"{"kinds": ["landline", "mobile", "landline"]}"#).expect("ok");
        assert_eq!(s.kinds(), &[KeyKind::Mobile, KeyKind::Landline]);
        assert!(!s.contains(KeyKind::CreditCode));
        assert_eq!(
            serde_json::to_string(&s).expect("json"),
            r#"{"kinds":["mobile","landline"]}"#
        );
        assert!(serde_json::from_str::<StrongKeys>(r#"{"kinds": ["email"]}"#).is_err());
        assert!(serde_json::from_str::<StrongKeys>(r#"{"kinds": [], "x": 1}"#).is_err());
    }
}
