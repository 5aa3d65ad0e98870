//! `key-result-is-a-task`: a key result that names work to do rather than a result to
//! reach. SPEC §2: "key results are outcomes the team influences, not tasks it simply
//! does: tasks are initiatives that roll up to a key result."
//!
//! A sentence reads as a task when its verb names an activity and
//! - it has no number to move (the parser reads it as a milestone or as nothing
//!   measurable): "Write the onboarding guide", "Hold a customer offsite"; or
//! - its only number counts the activity itself: "Make 50 sales calls", "Hold 12
//!   customer interviews", "Write 5 blog posts".
//!
//! Verbs that name a change others can see ("launch", "ship", "publish", "release",
//! "migrate", "complete", "sign", "hire") are deliverables, not activities, so
//! "Launch the referral program" is a good milestone and is not flagged.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use crate::sentence::ParsedKeyResult;
use milepost_core::KeyResultKind;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "key-result-is-a-task",
    severity: Severity::Warning,
    summary: "a key result that names an activity (write, hold, attend, run …) rather than an outcome",
};

/// Verbs of activity: doing them says nothing about what changed.
const ACTIVITY_VERBS: &[&str] = &[
    "add",
    "analyse",
    "analyze",
    "arrange",
    "assess",
    "assist",
    "attend",
    "begin",
    "brainstorm",
    "build",
    "call",
    "conduct",
    "configure",
    "consider",
    "contact",
    "continue",
    "coordinate",
    "create",
    "design",
    "develop",
    "discuss",
    "do",
    "document",
    "draft",
    "email",
    "evaluate",
    "explore",
    "fix",
    "have",
    "help",
    "hold",
    "host",
    "install",
    "investigate",
    "make",
    "meet",
    "organise",
    "organize",
    "participate",
    "plan",
    "prepare",
    "present",
    "read",
    "refactor",
    "research",
    "review",
    "run",
    "schedule",
    "send",
    "start",
    "study",
    "talk",
    "test",
    "try",
    "update",
    "visit",
    "work",
    "write",
];

/// Two-word verbs of activity.
const ACTIVITY_PHRASES: &[(&str, &str)] = &[
    ("set", "up"),
    ("look", "into"),
    ("reach", "out"),
    ("follow", "up"),
    ("kick", "off"),
    ("think", "about"),
    ("figure", "out"),
    ("carry", "out"),
    ("clean", "up"),
    ("put", "together"),
    ("work", "on"),
];

/// Past forms people write in status-like sentences ("Held the offsite").
const IRREGULAR: &[(&str, &str)] = &[
    ("held", "hold"),
    ("ran", "run"),
    ("wrote", "write"),
    ("written", "write"),
    ("made", "make"),
    ("did", "do"),
    ("done", "do"),
    ("built", "build"),
    ("met", "meet"),
    ("sent", "send"),
    ("began", "begin"),
    ("read", "read"),
    ("had", "have"),
];

/// Things that are activities, so that counting them counts effort, not results.
const ACTIVITY_NOUNS: &[&str] = &[
    "meeting",
    "call",
    "session",
    "workshop",
    "interview",
    "post",
    "article",
    "email",
    "demo",
    "event",
    "webinar",
    "training",
    "presentation",
    "visit",
    "conference",
    "meetup",
    "talk",
    "review",
    "task",
    "survey",
    "report",
    "newsletter",
    "video",
    "course",
    "class",
    "standup",
    "retro",
    "retrospective",
    "sync",
    "offsite",
    "hackathon",
    "experiment",
    "outreach",
];

/// Words that may open a key result before its verb: labels and filler ("KR1:", "We will").
const FILLER: &[&str] = &[
    "we",
    "will",
    "we'll",
    "i",
    "to",
    "must",
    "should",
    "shall",
    "can",
    "also",
    "then",
    "successfully",
    "finally",
    "let's",
    "let",
    "us",
    "please",
    "and",
    "our",
    "team",
];

/// The activity verb a key result opens with, when it reads as a task.
pub(super) fn reads_as_task(text: &str, sentence: &ParsedKeyResult) -> Option<String> {
    let all = words(text);
    let mut rest = all.iter().map(String::as_str).skip_while(|w| is_label(w) || FILLER.contains(w));
    let first = rest.next()?;
    let next = rest.next().unwrap_or("");
    let lemma = lemma(first);
    let verb = if let Some((a, b)) = ACTIVITY_PHRASES.iter().find(|(a, b)| *a == lemma && *b == next) {
        format!("{a} {b}")
    } else if ACTIVITY_VERBS.contains(&lemma.as_str()) {
        lemma
    } else {
        return None;
    };
    let no_number = matches!(sentence.kind, None | Some(KeyResultKind::Milestone));
    let counts_activity = matches!(sentence.kind, Some(KeyResultKind::Increase | KeyResultKind::Maintain))
        && sentence.start.is_none()
        && sentence.relative_change.is_none()
        && sentence.delta.is_none()
        && sentence.target.is_some()
        && sentence.metric.as_deref().and_then(|m| words(m).pop()).is_some_and(|noun| is_activity_noun(&noun));
    (no_number || counts_activity).then_some(verb)
}

/// The lower-case words of a text: letters, digits, apostrophes and inner dashes.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// "kr1", "1", "o2": a label before the sentence.
fn is_label(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && word.len() - digits.len() <= 3)
        || word == "kr"
        || word == "okr"
}

/// The base form of a verb: "writing", "writes", "held" → "write", "write", "hold".
fn lemma(word: &str) -> String {
    if let Some((_, base)) = IRREGULAR.iter().find(|(form, _)| *form == word) {
        return (*base).to_owned();
    }
    if ACTIVITY_VERBS.contains(&word) {
        return word.to_owned();
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            for candidate in [stem.to_owned(), format!("{stem}e")] {
                if ACTIVITY_VERBS.contains(&candidate.as_str()) {
                    return candidate;
                }
            }
            // "running", "planned": a doubled last consonant.
            let mut chars = stem.chars();
            if let (Some(last), Some(before)) = (chars.next_back(), chars.clone().next_back())
                && last == before
                && ACTIVITY_VERBS.contains(&chars.as_str())
            {
                return chars.as_str().to_owned();
            }
        }
    }
    word.to_owned()
}

fn is_activity_noun(word: &str) -> bool {
    let singular = [word, word.strip_suffix("es").unwrap_or(word), word.strip_suffix('s').unwrap_or(word)];
    singular.iter().any(|w| ACTIVITY_NOUNS.contains(w))
}

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for k in input.key_results() {
        if super::key_result_incomplete::refused_as_unmeasurable(&k) {
            continue;
        }
        if let Some(verb) = reads_as_task(&k.key_result.text, k.sentence) {
            out.push(
                Diagnostic::new(
                    RULE.name,
                    RULE.severity,
                    k.at.text,
                    format!("the key result {} reads as a task (\"{verb}\"), not an outcome", quote(&k.key_result.text)),
                )
                .suggest("measure what the work should change, as in `Cut onboarding tickets by 30%`; track the work itself as an initiative"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_key_result;

    fn task(text: &str) -> Option<String> {
        reads_as_task(text, &parse_key_result(text).unwrap())
    }

    #[test]
    fn activities_read_as_tasks() {
        for (text, verb) in [
            ("Write the onboarding guide", "write"),
            ("Set up a weekly sync", "set up"),
            ("Organise a team offsite", "organise"),
            ("KR2: We will schedule quarterly reviews", "schedule"),
            ("Do user research", "do"),
            ("Have weekly meetings with customers", "have"),
            ("Make 50 sales calls", "make"),
            ("Hold 12 customer interviews", "hold"),
            ("Attend three conferences", "attend"),
            ("Running a pricing experiment", "run"),
            ("Planned the roadmap", "plan"),
        ] {
            assert_eq!(task(text).as_deref(), Some(verb), "{text}");
        }
    }

    #[test]
    fn outcomes_and_deliverables_do_not() {
        for text in [
            "Launch the referral program",
            "Ship SSO to all enterprise customers",
            "Publish 12 blog posts",
            "Hire 3 engineers",
            "Make onboarding 2x faster",
            "Increase weekly signups from 1,200 to 2,000",
            "Run 99.9% of builds under 10 minutes",
            "Reduce the time to first review from 3 days to 1",
            "Improve customer experience",
            "",
        ] {
            assert_eq!(task(text), None, "{text}");
        }
    }
}
