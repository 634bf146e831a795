//! The customers: companies and a few private buyers, each entered by a rep of the team
//! covering its city, through the same parser as the customer form.

use super::fields::{creation_times, grade, intent, next_follow_up, source};
use super::names::{
    BRANDS, City, GIVEN_NAMES, INDUSTRIES, LEAD_TITLES, LEGAL_SUFFIXES, MOBILE_PREFIXES,
    OTHER_TITLES, PERSON_NEEDS, PERSON_TITLES, SURNAMES,
};
use super::org::Org;
use super::{CHINA, pick, pick_weighted};
use chrono::{DateTime, Utc};
use kehu_domain::Actor;
use kehu_domain::customer::{ContactInput, CustomerInput, NewCustomer};
use kehu_domain::identity::CreditCode;
use kehu_domain::ids::CustomerId;
use kehu_store::{Store, StoreError};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::HashSet;

/// A customer as created, for the history that follows.
pub(super) struct Created {
    /// Its id.
    pub id: CustomerId,
    /// Index of its team in `Org::teams`.
    pub team: usize,
    /// The rep who entered it and owns it at first.
    pub owner: Actor,
    /// When it was entered.
    pub at: DateTime<Utc>,
}

/// Creates `count` customers, oldest first, so ids grow with creation time as in real use.
pub(super) async fn create_all(
    store: &Store,
    rng: &mut StdRng,
    org: &Org,
    now: DateTime<Utc>,
    count: usize,
) -> Result<(Vec<Created>, Book), StoreError> {
    let team_shares: Vec<(usize, u32)> = org
        .teams
        .iter()
        .enumerate()
        .map(|(i, t)| (i, t.region.share))
        .collect();
    let mut book = Book::default();
    let mut out = Vec::with_capacity(count);
    for at in creation_times(rng, now, count) {
        let team_ix = pick_weighted(rng, &team_shares);
        let team = &org.teams[team_ix];
        let owner = pick_weighted(rng, &team.sellers());
        // The first city of a region is its biggest market.
        let cities: Vec<(&City, u32)> = team
            .region
            .cities
            .iter()
            .enumerate()
            .map(|(i, c)| (c, if i == 0 { 3 } else { 2 }))
            .collect();
        let city = pick_weighted(rng, &cities);
        let input = book.customer(rng, city, now)?;
        let new = NewCustomer::parse(&input, CHINA).map_err(|e| {
            StoreError::Corrupt(format!("demo: customer {:?} is invalid: {e}", input.name))
        })?;
        let id = store.create_customer(owner, &new, at).await?;
        out.push(Created {
            id,
            team: team_ix,
            owner: owner.clone(),
            at,
        });
    }
    Ok((out, book))
}

/// Remembers what was handed out, so names and phones stay distinct.
#[derive(Default)]
pub(super) struct Book {
    names: HashSet<String>,
    /// Brand + trade pairs, kept apart across cities so the demo has no accidental
    /// look-alikes for duplicate review to flag.
    cores: HashSet<String>,
    /// National numbers without punctuation.
    phones: HashSet<String>,
    /// Credit codes handed out (a strong key: each is unique).
    credit_codes: HashSet<String>,
}

impl Book {
    /// One customer as a rep would type it.
    pub(super) fn customer(
        &mut self,
        rng: &mut StdRng,
        city: &City,
        now: DateTime<Utc>,
    ) -> Result<CustomerInput, StoreError> {
        let person = if rng.random_bool(0.1) {
            self.person_name(rng)
        } else {
            None
        };
        let is_person = person.is_some();
        let (name, industry, contacts) = match person {
            Some((name, industry, surname)) => {
                let contact = ContactInput {
                    name: Some(format!("{surname}{}", pick(rng, GIVEN_NAMES).0)),
                    phone: Some(self.mobile(rng)?),
                    title: Some(pick(rng, PERSON_TITLES).to_owned()),
                };
                (name, industry, vec![contact])
            }
            None => {
                let (name, industry) = self.company_name(rng, city)?;
                (name, industry, self.company_contacts(rng)?)
            }
        };
        // Most small firms give the boss's mobile; some an office landline.
        let phone = if !is_person && rng.random_bool(0.1) {
            self.landline(rng, city)?
        } else {
            self.mobile(rng)?
        };
        // Most registered companies hand over their licence; private buyers have none.
        let credit_code = (!is_person && rng.random_bool(0.7)).then(|| self.credit_code(rng, city));
        Ok(CustomerInput {
            credit_code,
            name: Some(name),
            phone: Some(phone),
            source: Some(source(rng, is_person).to_owned()),
            intent: Some(intent(rng).to_owned()),
            grade: grade(rng, is_person).map(str::to_owned),
            industry: Some(industry.to_owned()),
            province: Some(city.province.to_owned()),
            city: Some(city.name.to_owned()),
            next_follow_up_at: rng.random_bool(0.6).then(|| next_follow_up(rng, now)),
            contacts,
        })
    }

    /// `{city}{brand}{trade}{suffix}`, e.g. 苏州华星精密机械有限公司, with its industry.
    fn company_name(
        &mut self,
        rng: &mut StdRng,
        city: &City,
    ) -> Result<(String, &'static str), StoreError> {
        for attempt in 0..1000 {
            let brand = pick(rng, BRANDS);
            let (industry, trades) = pick(rng, INDUSTRIES);
            let core = format!("{brand}{}", pick(rng, trades));
            if attempt < 200 && self.cores.contains(&core) {
                continue;
            }
            let name = format!("{}{core}{}", city.name, pick_weighted(rng, LEGAL_SUFFIXES));
            if self.names.insert(name.clone()) {
                self.cores.insert(core);
                return Ok((name, industry));
            }
        }
        Err(StoreError::Corrupt(
            "demo: too many customers to give distinct names".to_owned(),
        ))
    }

    /// A private buyer, `张先生 · 装修`, with the industry and the surname; `None` when the
    /// combinations are used up (the caller enters a company instead).
    fn person_name(&mut self, rng: &mut StdRng) -> Option<(String, &'static str, &'static str)> {
        for _ in 0..50 {
            let (surname, _) = pick(rng, SURNAMES);
            let honorific = if rng.random_bool(0.6) {
                "先生"
            } else {
                "女士"
            };
            let (need, industry) = pick(rng, PERSON_NEEDS);
            let name = format!("{surname}{honorific} · {need}");
            if self.names.insert(name.clone()) {
                return Some((name, industry, surname));
            }
        }
        None
    }

    /// One to three contacts: the decision maker first, then people around them.
    fn company_contacts(&mut self, rng: &mut StdRng) -> Result<Vec<ContactInput>, StoreError> {
        let count = pick_weighted(rng, &[(1, 50), (2, 35), (3, 15)]);
        let mut titles: Vec<&str> = vec![pick(rng, LEAD_TITLES)];
        while titles.len() < count {
            let t = pick(rng, OTHER_TITLES);
            if !titles.contains(&t) {
                titles.push(t);
            }
        }
        titles
            .into_iter()
            .map(|title| {
                Ok(ContactInput {
                    name: Some(format!(
                        "{}{}",
                        pick(rng, SURNAMES).0,
                        pick(rng, GIVEN_NAMES).0
                    )),
                    phone: Some(self.mobile(rng)?),
                    title: Some(title.to_owned()),
                })
            })
            .collect()
    }

    /// A mobile number not handed out before.
    fn mobile(&mut self, rng: &mut StdRng) -> Result<String, StoreError> {
        for _ in 0..1000 {
            let prefix = pick(rng, MOBILE_PREFIXES);
            let number = format!("{prefix}{:08}", rng.random_range(0..100_000_000u32));
            if self.phones.insert(number.clone()) {
                return Ok(number);
            }
        }
        Err(StoreError::Corrupt(
            "demo: ran out of distinct mobile numbers".to_owned(),
        ))
    }

    /// A valid, unused unified social credit code registered in `city` (企业: 91…).
    fn credit_code(&mut self, rng: &mut StdRng, city: &City) -> String {
        let chars: Vec<char> = CreditCode::CHARSET.chars().collect();
        loop {
            let org: String = (0..9)
                .map(|_| chars[rng.random_range(0..chars.len())])
                .collect();
            let first17 = format!("91{}{org}", city.division);
            if let Some(check) = CreditCode::check_char(&first17) {
                let code = format!("{first17}{check}");
                if self.credit_codes.insert(code.clone()) {
                    return code;
                }
            }
        }
    }

    /// An office landline in `city`, written the usual way: `0512-66881234`.
    fn landline(&mut self, rng: &mut StdRng, city: &City) -> Result<String, StoreError> {
        // Four trailing digits after an exchange prefix starting 5–8, as business lines do.
        let exchange_digits = city.local_digits.saturating_sub(4);
        let low = 5 * 10u32.pow(exchange_digits.saturating_sub(1));
        let high = 9 * 10u32.pow(exchange_digits.saturating_sub(1));
        for _ in 0..1000 {
            let exchange = rng.random_range(low..high);
            let line = rng.random_range(0..10_000u32);
            let number = format!("{}-{exchange}{line:04}", city.area_code);
            if self.phones.insert(number.replace('-', "")) {
                return Ok(number);
            }
        }
        Err(StoreError::Corrupt(
            "demo: ran out of distinct landline numbers".to_owned(),
        ))
    }
}
