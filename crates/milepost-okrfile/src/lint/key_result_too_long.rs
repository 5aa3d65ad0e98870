//! `key-result-too-long`: a key result sentence longer than a key result may be: its
//! sentence is its title, which holds at most [`Title::MAX`] characters (apply refuses a
//! longer one), and the parser does not even read one over [`MAX_SENTENCE_CHARS`]. A key
//! result is one sentence; a longer line is a paste gone wrong.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use crate::sentence::MAX_SENTENCE_CHARS;
use milepost_core::Title;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "key-result-too-long",
    severity: Severity::Error,
    summary: "a key result sentence longer than the 300 characters a key result's title holds",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for k in input.every_key_result() {
        let chars = match k.too_long {
            Some(too_long) => too_long.chars,
            None => k.key_result.text.trim().chars().count(),
        };
        if chars <= Title::MAX {
            continue;
        }
        let unread = if chars > MAX_SENTENCE_CHARS { " (too long to read at all)" } else { "" };
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                k.at.text,
                format!(
                    "the key result {} has {chars} characters{unread}, more than the {} a key result may have",
                    quote(&k.key_result.text),
                    Title::MAX
                ),
            )
            .suggest(format!(
                "keep a key result to one sentence of at most {} characters; move the rest into the objective's \
                 description",
                Title::MAX
            )),
        );
    }
}
