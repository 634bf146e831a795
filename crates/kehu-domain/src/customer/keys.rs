//! Identity keys (查重): the normalised values that say two records are one customer.

use super::{Customer, NewCustomer, Phone};
use serde::Serialize;

/// What a key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
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

    /// Strong kinds identify a customer alone and are unique across all customers.
    /// A mobile belongs to one person and a credit code to one company; a landline may be
    /// a switchboard shared by many.
    pub fn is_strong(self) -> bool {
        matches!(self, KeyKind::Mobile | KeyKind::CreditCode)
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

    /// Whether this key must be unique.
    pub fn is_strong(&self) -> bool {
        self.kind.is_strong()
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
    fn mobiles_are_strong_and_landlines_weak() {
        let m = IdentityKey::phone(&Phone::parse("phone", "138 0013 8000").expect("valid"));
        assert_eq!(
            (m.kind, m.value.as_str(), m.is_strong()),
            (KeyKind::Mobile, "+8613800138000", true)
        );
        let l = IdentityKey::phone(&Phone::parse("phone", "0512-6550 0490 转 8").expect("valid"));
        assert_eq!((l.kind, l.is_strong()), (KeyKind::Landline, false));
        for k in KeyKind::ALL {
            assert_eq!(KeyKind::parse(k.code()), Some(k));
        }
    }
}
