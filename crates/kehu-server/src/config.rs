//! Server configuration, resolved by the CLI from flags, `KEHU_*` variables and defaults.

use chrono::FixedOffset;
use std::net::SocketAddr;

/// Everything `Server::build` needs.
#[derive(Clone)]
pub struct ServerConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// `sqlite://kehu.db` or `postgres://…`.
    pub database_url: String,
    /// Mark cookies `Secure` (set when Kehu is served over HTTPS).
    pub secure_cookies: bool,
    /// Session lifetime in hours.
    pub session_hours: i64,
    /// The team's UTC offset, for reading times typed without one (Asia/Shanghai: +8).
    pub utc_offset: FixedOffset,
}

impl std::fmt::Debug for ServerConfig {
    // The database URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("secure_cookies", &self.secure_cookies)
            .field("session_hours", &self.session_hours)
            .field("utc_offset", &self.utc_offset)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl ServerConfig {
    /// Defaults for a local run on `database_url`.
    pub fn new(listen: SocketAddr, database_url: impl Into<String>) -> Self {
        Self {
            listen,
            database_url: database_url.into(),
            secure_cookies: false,
            session_hours: 12,
            utc_offset: FixedOffset::east_opt(8 * 3600)
                .unwrap_or(FixedOffset::east_opt(0).expect("zero offset")),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://kehu:s3cret@db:5432/kehu"),
            "postgres://kehu:***@db:5432/kehu"
        );
        assert_eq!(super::redact_url("sqlite://kehu.db"), "sqlite://kehu.db");
    }
}
