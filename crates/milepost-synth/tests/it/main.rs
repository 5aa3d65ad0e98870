//! The synthetic organisation, generated without a database: the same seed gives the
//! same rows, another seed other rows, and the rows hold together the way the app's
//! own writes would.

#![expect(clippy::unwrap_used, reason = "a test that cannot set up should fail loudly")]

mod generate;
