//! Passwords: the rules a new one must meet, and Argon2id hashing and checking on a
//! blocking thread (about 30 ms each), so that an unknown account takes as long to
//! refuse as a known one.

use crate::access::new_secret;
use crate::error::{AppError, Problems};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// The longest password accepted (Argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD: usize = 256;

pub(crate) fn check_password(problems: &mut Problems, pointer: &str, password: &str) {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        problems.push(pointer, format!("must be at least {MIN_PASSWORD} characters (got {length})"));
    } else if length > MAX_PASSWORD {
        problems.push(pointer, format!("must be at most {MAX_PASSWORD} characters"));
    }
}

/// Hashes a password with Argon2id on a blocking thread.
pub(crate) async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default().hash_password(password.as_bytes()).map(|hash| hash.to_string()).ok()
    })
    .await
    .ok()
    .flatten()
    .ok_or_else(|| AppError::Unauthenticated { detail: "the password could not be hashed".to_owned() })
}

/// A hash no password matches, made once, to check unknown accounts against.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        Argon2::default().hash_password(new_secret("").as_bytes()).map(|h| h.to_string()).unwrap_or_default()
    })
}

/// Checks a password against a stored hash on a blocking thread. A missing hash is
/// checked against a decoy, so an unknown account takes as long as a known one.
pub(crate) async fn verify_password(password: String, hash: Option<String>) -> bool {
    let known = hash.is_some();
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| decoy().to_owned());
        let Ok(parsed) = PasswordHash::new(&hash) else { return false };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await
    .unwrap_or(false)
}
