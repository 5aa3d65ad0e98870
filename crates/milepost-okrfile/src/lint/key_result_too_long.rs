//! `key-result-too-long`: a key result sentence longer than the parser reads
//! ([`MAX_SENTENCE_CHARS`] characters). A key result is one sentence; a longer line is
//! a paste gone wrong, and no other rule reads it.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use crate::sentence::MAX_SENTENCE_CHARS;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "key-result-too-long",
    severity: Severity::Error,
    summary: "a key result sentence longer than 2,000 characters, which is not read",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for k in input.every_key_result() {
        let Some(too_long) = k.too_long else { continue };
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                k.at.text,
                format!(
                    "the key result {} has {} characters, more than the {MAX_SENTENCE_CHARS} a key result may have",
                    quote(&k.key_result.text),
                    too_long.chars
                ),
            )
            .suggest(format!(
                "keep a key result to one sentence of at most {MAX_SENTENCE_CHARS} characters; move the rest into the \
                 objective's description"
            )),
        );
    }
}
