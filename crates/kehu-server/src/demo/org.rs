//! The people: a root team, three regional teams, their managers and reps, and an admin.

use super::names::{GIVEN_NAMES, REGIONS, ROOT_TEAM, Region, SURNAMES};
use super::{DemoLogin, HISTORY_DAYS, pick};
use chrono::{DateTime, TimeDelta, Utc};
use kehu_domain::ids::UserId;
use kehu_domain::{Actor, Role, TeamId};
use kehu_store::{NewUser, Store, StoreError};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::HashSet;

/// A regional team as the seeder uses it.
pub(super) struct DemoTeam {
    /// The cities it covers.
    pub region: &'static Region,
    /// Its manager.
    pub manager: Actor,
    /// Its reps, each with how much business they bring in (some reps sell more).
    pub reps: Vec<(Actor, u32)>,
}

impl DemoTeam {
    /// Who enters this team's customers: its reps, or the manager of a team without reps.
    pub fn sellers(&self) -> Vec<(&Actor, u32)> {
        if self.reps.is_empty() {
            vec![(&self.manager, 1)]
        } else {
            self.reps.iter().map(|(a, w)| (a, *w)).collect()
        }
    }

    /// A rep of this team other than `not`, if there is one.
    pub fn other_rep(&self, rng: &mut StdRng, not: UserId) -> Option<&Actor> {
        let others: Vec<&Actor> = self
            .reps
            .iter()
            .map(|(a, _)| a)
            .filter(|a| a.user_id != not)
            .collect();
        (!others.is_empty()).then(|| others[rng.random_range(0..others.len())])
    }
}

/// The whole organisation.
pub(super) struct Org {
    /// The administrator.
    pub admin: Actor,
    /// The department above the regional teams.
    pub root: TeamId,
    /// The regional teams, in [`REGIONS`] order.
    pub teams: Vec<DemoTeam>,
    /// Every account, for the summary.
    pub logins: Vec<DemoLogin>,
}

/// Hands out distinct names and logins.
#[derive(Default)]
struct People {
    names: HashSet<String>,
    logins: HashSet<String>,
}

impl People {
    /// A fresh full name and its pinyin login (`wangfang`, or `wangfang2` for a second 汪芳).
    fn next(&mut self, rng: &mut StdRng) -> Result<(String, String), StoreError> {
        for _ in 0..10_000 {
            let (surname, surname_py) = pick(rng, SURNAMES);
            let (given, given_py) = pick(rng, GIVEN_NAMES);
            let name = format!("{surname}{given}");
            if !self.names.insert(name.clone()) {
                continue;
            }
            let base = format!("{surname_py}{given_py}");
            let mut login = base.clone();
            let mut n = 2;
            while !self.logins.insert(login.clone()) {
                login = format!("{base}{n}");
                n += 1;
            }
            return Ok((name, login));
        }
        Err(StoreError::Corrupt(
            "demo: too many users to give distinct names".to_owned(),
        ))
    }
}

/// Creates the teams and users, and loads each user's actor once.
pub(super) async fn build(
    store: &Store,
    rng: &mut StdRng,
    now: DateTime<Utc>,
    reps_per_team: usize,
    password_hash: &str,
) -> Result<Org, StoreError> {
    // The organisation predates its oldest customer.
    let founded = now - TimeDelta::days(HISTORY_DAYS + 10);
    let root = store.create_team(ROOT_TEAM, None, founded).await?;
    let mut people = People::default();
    // `admin` is a word, not a name: keep a person from ever getting it.
    people.logins.insert("admin".to_owned());
    let admin = NewUser {
        login: "admin",
        name: "系统管理员",
        role: Role::Admin,
        team_id: None,
        password_hash,
    };
    let admin_id = store.create_user(&admin, founded).await?;
    let mut logins = vec![DemoLogin {
        login: admin.login.to_owned(),
        name: admin.name.to_owned(),
        role: Role::Admin,
        team: None,
    }];
    let mut teams = Vec::with_capacity(REGIONS.len());
    for region in REGIONS {
        let hiring = Hiring {
            store,
            team: store.create_team(region.team, Some(root), founded).await?,
            team_name: region.team,
            password_hash,
            at: founded,
        };
        let (manager, login) = hiring.hire(&mut people, rng, Role::Manager).await?;
        logins.push(login);
        store.set_team_manager(hiring.team, manager.user_id).await?;
        let mut reps = Vec::with_capacity(reps_per_team);
        for _ in 0..reps_per_team {
            let (rep, login) = hiring.hire(&mut people, rng, Role::Rep).await?;
            logins.push(login);
            reps.push((rep, rng.random_range(2..=5)));
        }
        teams.push(DemoTeam {
            region,
            manager,
            reps,
        });
    }
    let admin = store
        .actor(admin_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("demo: the admin vanished".to_owned()))?;
    Ok(Org {
        admin,
        root,
        teams,
        logins,
    })
}

/// What every member of one team has in common.
struct Hiring<'a> {
    store: &'a Store,
    team: TeamId,
    team_name: &'static str,
    password_hash: &'a str,
    at: DateTime<Utc>,
}

impl Hiring<'_> {
    /// Creates one team member and loads the actor they will act as.
    async fn hire(
        &self,
        people: &mut People,
        rng: &mut StdRng,
        role: Role,
    ) -> Result<(Actor, DemoLogin), StoreError> {
        let (name, login) = people.next(rng)?;
        let id = self
            .store
            .create_user(
                &NewUser {
                    login: &login,
                    name: &name,
                    role,
                    team_id: Some(self.team),
                    password_hash: self.password_hash,
                },
                self.at,
            )
            .await?;
        let actor = self
            .store
            .actor(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("demo: user {login} vanished")))?;
        let login = DemoLogin {
            login,
            name,
            role,
            team: Some(self.team_name.to_owned()),
        };
        Ok((actor, login))
    }
}
