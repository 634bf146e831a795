//! A deal's amount: yuan with at most two decimals, kept as whole fen so no float ever
//! rounds a price.

use crate::error::FieldError;

/// The largest amount accepted, in fen (one trillion yuan less a fen): beyond that a typo is
/// likelier than a deal.
const MAX_FEN: i64 = 100_000_000_000_000 - 1;

/// A non-negative amount in fen (分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    /// From whole fen, as stored; `None` when negative or too large.
    pub fn from_fen(fen: i64) -> Option<Amount> {
        (0..=MAX_FEN).contains(&fen).then_some(Amount(fen))
    }

    /// Whole fen.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses yuan as typed: `12345`, `12,345.6`, `¥12345.60`, full-width digits too.
    /// More than two decimals, a sign or anything else is `amount_invalid`; beyond the
    /// maximum, `amount_too_large`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Amount, FieldError> {
        let invalid = || FieldError::new(field, "amount_invalid");
        let folded = crate::text::fold_width(raw);
        let s = folded.trim();
        let s = s.strip_prefix(['¥', '￥']).unwrap_or(s).trim();
        let s: String = s.chars().filter(|c| *c != ',').collect();
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
            return Err(invalid());
        }
        if whole.trim_start_matches('0').len() > 12 {
            return Err(FieldError::new(field, "amount_too_large"));
        }
        let yuan: i64 = whole.parse().map_err(|_| invalid())?;
        let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| invalid())?;
        Amount::from_fen(yuan * 100 + cents)
            .ok_or_else(|| FieldError::new(field, "amount_too_large"))
    }
}

impl Amount {
    /// Yuan with two decimals and thousands separators, for pages: `12,345.60`.
    pub fn grouped(self) -> String {
        let yuan = (self.0 / 100).to_string();
        let mut out = String::new();
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        format!("{out}.{:02}", self.0 % 100)
    }
}

impl std::fmt::Display for Amount {
    /// Yuan with two decimals, as the API writes it: `12345.60`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}
