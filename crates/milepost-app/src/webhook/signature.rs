//! Signing as the Standard Webhooks specification says: a secret is `whsec_` and the
//! base64 of its key (24 to 64 random bytes); each request carries `webhook-id`,
//! `webhook-timestamp` (unix seconds) and `webhook-signature`, `v1,` and the base64 of
//! the HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed by the secret's key. Receivers
//! check it and reject old timestamps, so a captured request cannot be replayed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// The fewest bytes a secret's key may have.
pub const MIN_KEY_BYTES: usize = 24;
/// The most bytes a secret's key may have.
pub const MAX_KEY_BYTES: usize = 64;

/// A new secret: 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key of a secret, or why it is not one.
pub fn secret_key(secret: &str) -> Result<Vec<u8>, String> {
    let Some(encoded) = secret.strip_prefix(SECRET_PREFIX) else {
        return Err(format!(
            "a secret starts with {SECRET_PREFIX} and goes on with base64 (leave it out to have one made)"
        ));
    };
    let key = STANDARD.decode(encoded).map_err(|_| format!("what follows {SECRET_PREFIX} is not base64"))?;
    if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
        return Err(format!(
            "the key must be {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes (this one is {}): make one with `openssl rand -base64 32`",
            key.len()
        ));
    }
    Ok(key)
}

/// The `webhook-signature` header's value for this message.
pub fn sign(key: &[u8], message_id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(format!("{message_id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// A secret as listed: its first characters only.
pub fn masked(secret: &str) -> String {
    let shown: String = secret.chars().take(SECRET_PREFIX.len() + 4).collect();
    format!("{shown}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_standard_webhooks_reference_vector() {
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, r#"{"test": 2432232314}"#);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_checked_and_new_ones_are_valid() {
        assert!(secret_key(&new_secret()).is_ok());
        assert!(secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap_err().contains("whsec_"));
        assert!(secret_key("whsec_!!").unwrap_err().contains("base64"));
        assert!(secret_key("whsec_c2hvcnQ=").unwrap_err().contains("24 to 64 bytes"));
        assert_eq!(masked("whsec_abcdefgh"), "whsec_abcd…");
    }
}
