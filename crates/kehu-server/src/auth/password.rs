//! Argon2id password hashes with OWASP's minimum parameters (m = 19 MiB, t = 2, p = 1).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password to a PHC string. CPU-bound (~15 ms): call from a blocking thread.
pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Checks a password against a PHC string. CPU-bound: call from a blocking thread.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
}

/// [`hash_blocking`] off the async runtime.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .unwrap_or_default()
}

/// [`verify_blocking`] off the async runtime.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_blocking(&password, &phc))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let phc = hash_blocking("demo1234");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking("demo1234", &phc));
        assert!(!verify_blocking("demo12345", &phc));
        assert!(!verify_blocking("demo1234", "not a hash"));
    }
}
