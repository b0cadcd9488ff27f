//! Identifiers and secrets.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new time-ordered identifier (UUID v7, hyphenated lower case).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A new random identifier that reveals nothing about when it was made (UUID v4).
pub fn new_random_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new secret token: 32 random bytes, URL-safe base64 without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a token, hex-encoded: what the database stores instead of the token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_hash_stably() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), hash_token(&b));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
    }
}
