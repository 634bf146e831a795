//! Random secrets (session and API tokens) and their stored SHA-256 form.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits from a CSPRNG (rand's thread RNG: ChaCha12 seeded from the OS), hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a token: a fast hash is enough for 256-bit random secrets.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A readable random password for generated accounts.
pub fn random_password() -> String {
    random_token()[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }
}
