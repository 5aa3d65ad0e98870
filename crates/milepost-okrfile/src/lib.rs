//! Milepost's plain-text OKRs (SPEC §5).
//!
//! Teams keep OKRs in git as Markdown and review them like code. This crate reads that
//! text and nothing else: it is pure, with no I/O, no clock and no runtime, so every rule
//! can be tested with a string. The first piece is the key result sentence parser,
//! [`parse_key_result`], which reads the kind, metric, numbers and unit out of a sentence
//! such as "Cut first response time from 8h to 2h".

pub mod sentence;

pub use sentence::{ParsedKeyResult, parse_key_result};
