//! The one interpretation of a key result sentence, shared by every door: the JSON API,
//! the web forms and their live preview, and OKR files. It is pure, so it lives beside
//! the sentence parser in `milepost-okrfile` (`interpretation`), where `milepost lint`
//! uses it too: lint refuses a new key result for the same reasons as apply.

pub use milepost_okrfile::interpretation::*;
