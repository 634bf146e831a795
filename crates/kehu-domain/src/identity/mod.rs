//! Identity normalisers (查重): the keys that tell whether two records are one customer —
//! credit codes, company names, e-mail addresses. Pure functions; matching lives elsewhere.

mod company;
mod credit_code;
pub mod division;
mod email;
pub mod matching;
mod regions;

pub use company::CompanyName;
pub use credit_code::{CreditCode, CreditCodeError};
pub use email::Email;
pub use regions::{CITIES, PROVINCES};
