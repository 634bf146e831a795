//! Why two records are, or are not, one customer: the reasons every score carries, with
//! stable codes for translations.

use serde::Serialize;
use std::fmt;

/// Why two records are, or are not, one customer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "code", content = "similarity", rename_all = "snake_case")]
pub enum Reason {
    /// Same unified social credit code.
    SameCreditCode,
    /// Both have a credit code and they differ: two legal entities.
    DifferentCreditCode,
    /// A mobile number in common.
    SameMobile,
    /// Both have mobiles, none in common.
    DifferentMobile,
    /// A landline (switchboard) in common.
    SameLandline,
    /// Same e-mail address.
    SameEmail,
    /// Same e-mail domain, and not a public mail provider: the company's own domain.
    SameEmailDomain,
    /// Same WeChat id.
    SameWechat,
    /// Company names with the same core (suffix, region, width and punctuation aside).
    CompanyNameSame,
    /// Company names this similar (0–1), in the same script.
    CompanyNameSimilar(f32),
    /// A Latin-letter name this similar (0–1) to the pinyin of a Chinese one.
    CompanyNamePinyin(f32),
    /// Company names this dissimilar (similarity 0–1).
    CompanyNameDifferent(f32),
    /// Different branches (分公司), or a branch and its parent: separate customers.
    DifferentBranch,
    /// Same city.
    SameCity,
    /// Different cities.
    DifferentCity,
    /// Same contact person's name (also across pinyin and Chinese).
    SameContact,
    /// One side gives only a surname (`张总`), and it agrees.
    SameSurname,
    /// Different contact persons.
    DifferentContact,
    /// Addresses this similar (0–1).
    SameAddress(f32),
    /// At contact level: nothing says it is the same person (no name, mobile, e-mail or
    /// WeChat in common), however alike the companies are.
    NoCommonPerson,
}

impl Reason {
    /// A stable key for translations: `same_mobile`, `company_name_similar`, ….
    pub fn code(&self) -> &'static str {
        match self {
            Self::SameCreditCode => "same_credit_code",
            Self::DifferentCreditCode => "different_credit_code",
            Self::SameMobile => "same_mobile",
            Self::DifferentMobile => "different_mobile",
            Self::SameLandline => "same_landline",
            Self::SameEmail => "same_email",
            Self::SameEmailDomain => "same_email_domain",
            Self::SameWechat => "same_wechat",
            Self::CompanyNameSame => "company_name_same",
            Self::CompanyNameSimilar(_) => "company_name_similar",
            Self::CompanyNamePinyin(_) => "company_name_pinyin",
            Self::CompanyNameDifferent(_) => "company_name_different",
            Self::DifferentBranch => "different_branch",
            Self::SameCity => "same_city",
            Self::DifferentCity => "different_city",
            Self::SameContact => "same_contact",
            Self::SameSurname => "same_surname",
            Self::DifferentContact => "different_contact",
            Self::SameAddress(_) => "same_address",
            Self::NoCommonPerson => "no_common_person",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |s: f32| (s * 100.0).round();
        match self {
            Self::CompanyNameSimilar(s) => write!(f, "company name {}% similar", pct(*s)),
            Self::CompanyNamePinyin(s) => write!(f, "company name {}% similar in pinyin", pct(*s)),
            Self::CompanyNameDifferent(s) => {
                write!(f, "company names differ ({}% similar)", pct(*s))
            }
            Self::SameAddress(s) => write!(f, "address {}% similar", pct(*s)),
            other => f.write_str(&other.code().replace('_', " ")),
        }
    }
}
