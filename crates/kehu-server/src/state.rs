//! Shared state of every request: the store, the clock, the config, login throttles.

use crate::config::ServerConfig;
use chrono::{DateTime, Duration, Utc};
use kehu_domain::auth::Throttle;
use kehu_store::Store;
use std::sync::{Arc, Mutex};

/// Where "now" comes from: the system clock, or a test's hand.
#[derive(Clone, Debug)]
pub enum Clock {
    /// Wall-clock time.
    System,
    /// A settable instant, for tests that fast-forward.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A manual clock standing at `t` (tests that fast-forward).
    pub fn at(t: DateTime<Utc>) -> Clock {
        Clock::Manual(Arc::new(Mutex::new(t)))
    }

    /// Moves a manual clock to `t` (a system clock cannot be moved: nothing happens).
    pub fn set(&self, t: DateTime<Utc>) {
        if let Clock::Manual(m) = self {
            *m.lock().unwrap_or_else(|e| e.into_inner()) = t;
        }
    }

    /// The current instant. The only place the server reads the wall clock.
    #[expect(clippy::disallowed_methods, reason = "this is the clock")]
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// Failed-login counters, per login and per client address.
#[derive(Debug)]
pub struct LoginThrottles {
    /// 5 failures per login per 15 minutes.
    pub per_login: Throttle,
    /// 30 failures per address per 15 minutes.
    pub per_ip: Throttle,
}

impl Default for LoginThrottles {
    fn default() -> Self {
        Self {
            per_login: Throttle::new(5, Duration::minutes(15)),
            per_ip: Throttle::new(30, Duration::minutes(15)),
        }
    }
}

/// The axum state.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The clock.
    pub clock: Clock,
    /// Configuration.
    pub config: Arc<ServerConfig>,
    /// Login throttles (per instance; several instances each keep their own).
    pub throttles: Arc<Mutex<LoginThrottles>>,
    /// Per-token lead intake rate limits (per instance).
    pub intake_limits: Arc<crate::leads::IntakeLimits>,
}

impl AppState {
    /// The state of a server that is not listening (jobs from the command line, tests).
    pub fn new(store: Store, clock: Clock, config: ServerConfig) -> AppState {
        AppState {
            store,
            clock,
            config: Arc::new(config),
            throttles: Arc::new(Mutex::new(LoginThrottles::default())),
            intake_limits: Arc::default(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}
