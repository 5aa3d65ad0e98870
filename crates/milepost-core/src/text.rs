//! Validated text: titles and slugs, trimmed and bounded, so inner code never re-checks.

use serde::Serialize;
use thiserror::Error;

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Nothing but white space.
    #[error("must not be empty")]
    Empty,
    /// Longer than allowed.
    #[error("must be at most {max} characters (got {got})")]
    TooLong {
        /// The limit.
        max: usize,
        /// The length given.
        got: usize,
    },
    /// A slug with characters other than lower-case letters, digits and dashes.
    #[error("may hold only lower-case letters, digits and '-', and must start with a letter or digit (got {0:?})")]
    BadSlug(String),
}

/// A title or name: trimmed, not empty, at most [`Title::MAX`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    /// The longest title accepted, in characters.
    pub const MAX: usize = 300;

    /// Trims `text` and checks it is a usable title.
    pub fn parse(text: &str) -> Result<Title, TextError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(TextError::Empty);
        }
        let got = trimmed.chars().count();
        if got > Self::MAX {
            return Err(TextError::TooLong { max: Self::MAX, got });
        }
        Ok(Title(trimmed.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A short name used in URLs and files: `customer-support`, `2026-q4`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// The longest slug accepted.
    pub const MAX: usize = 64;

    /// Checks `text` is a slug: 1–64 of `a-z`, `0-9` and `-`, not starting with `-`.
    pub fn parse(text: &str) -> Result<Slug, TextError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TextError::Empty);
        }
        let got = text.chars().count();
        if got > Self::MAX {
            return Err(TextError::TooLong { max: Self::MAX, got });
        }
        let ok =
            text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !text.starts_with('-');
        if !ok {
            return Err(TextError::BadSlug(text.to_owned()));
        }
        Ok(Slug(text.to_owned()))
    }

    /// Makes a slug out of a free title: lower case, runs of other characters become `-`.
    pub fn from_title(title: &str) -> Option<Slug> {
        let mut out = String::new();
        for c in title.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let out = out.trim_end_matches('-');
        let out: String = out.chars().take(Self::MAX).collect();
        Slug::parse(out.trim_end_matches('-')).ok()
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Delight customers ").unwrap().as_str(), "Delight customers");
        assert_eq!(Title::parse("   "), Err(TextError::Empty));
        assert!(matches!(Title::parse(&"x".repeat(301)), Err(TextError::TooLong { max: 300, got: 301 })));
    }

    #[test]
    fn slugs_accept_only_url_safe_text() {
        assert!(Slug::parse("customer-support").is_ok());
        assert!(Slug::parse("2026-q4").is_ok());
        assert!(Slug::parse("Customer Support").is_err());
        assert!(Slug::parse("-x").is_err());
        assert_eq!(Slug::from_title("Customer Support!").unwrap().as_str(), "customer-support");
        assert_eq!(Slug::from_title("!!!"), None);
    }
}
