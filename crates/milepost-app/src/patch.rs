//! Partial updates. A field left out of a `PATCH` body keeps its value; a field sent as
//! `null` is cleared (for fields that may be empty); anything else replaces it.

use serde::{Deserialize, Deserializer};

/// Reads a field that may be absent, `null` or a value, so the three can be told apart:
/// `None` absent, `Some(None)` null, `Some(Some(v))` a value. Use with
/// `#[serde(default, deserialize_with = "patch::nullable")]`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Applies a nullable patch field to the current value.
pub fn apply<T>(current: Option<T>, patch: Option<Option<T>>) -> Option<T> {
    match patch {
        None => current,
        Some(new) => new,
    }
}
