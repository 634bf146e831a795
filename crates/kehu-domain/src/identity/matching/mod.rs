//! Fuzzy matching (查重): are two records one customer, and which records of a data set are?
//!
//! A [`Record`] holds raw strings as typed or imported. [`Prepared::new`] normalises them with
//! the identity parsers (phones to E.164, company names to their core, credit codes checked…).
//! A [`Matcher`] compares two prepared records and explains its [`Match`] with [`Reason`]s;
//! [`cluster`] groups a whole data set, comparing only the pairs that blocking proposes.
//!
//! ```
//! use kehu_domain::identity::matching::{Level, Matcher, Prepared, Reason, Record};
//!
//! let a = Record { company: Some("苏州华星精密有限公司".into()), mobile: Some("13800138000".into()), ..Record::default() };
//! let b = Record { company: Some("华星精密".into()), mobile: Some("+86 138-0013-8000".into()), ..Record::default() };
//! let m = Matcher::new(Level::Account).compare(&Prepared::new(&a), &Prepared::new(&b));
//! assert!(m.is_match);
//! assert_eq!(m.reasons[0], Reason::SameMobile);
//! ```

mod area_codes;
mod blocking;
mod cluster;
pub mod index;
mod latin;
mod names;
mod prepare;
mod reason;
mod score;
mod similarity;
mod sound;

pub use cluster::{Clustering, Link, Progress, Stage, cluster};
pub use prepare::{Prepared, present};
pub use score::{Match, Matcher, Reason, SharedKeys};

/// What counts as one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Level {
    /// A customer is the organisation: different people at one company are one customer
    /// (what 撞单 is about). The default.
    #[default]
    Account,
    /// One person at one organisation.
    Contact,
}

/// One record as typed or imported: every field a raw string, any of them missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The record's id in its source (not compared).
    pub id: String,
    /// Company name, in any spelling (`苏州华星精密有限公司`, `Suzhou Huaxing Co., Ltd.`).
    pub company: Option<String>,
    /// Contact person (`张伟`, `张总`, `Zhang Wei`).
    pub contact: Option<String>,
    /// Mobile phone (a landline here is recognised as one).
    pub mobile: Option<String>,
    /// Landline (a mobile here is recognised as one).
    pub landline: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// WeChat id.
    pub wechat: Option<String>,
    /// City (`苏州`, `苏州市`, `江苏省苏州市`).
    pub city: Option<String>,
    /// Street address.
    pub address: Option<String>,
    /// Unified social credit code.
    pub credit_code: Option<String>,
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod sound_tests;
