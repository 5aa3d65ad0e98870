//! The small values of a file: ids, slugs, owners and alignments, each read from its
//! text or refused with what was expected.

use crate::file::{Alignment, Owner};
use milepost_core::{KeyResultId, ObjectiveId, Slug};

/// Why a value was refused: a message and, where one exists, a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// What is wrong and what was expected.
    pub message: String,
    /// A suggested fix.
    pub suggestion: Option<String>,
}

impl Problem {
    pub(crate) fn new(message: impl Into<String>, suggestion: Option<String>) -> Problem {
        Problem { message: message.into(), suggestion }
    }
}

/// What an id marker names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Id {
    /// `O-12`.
    Objective(ObjectiveId),
    /// `KR-40`.
    KeyResult(KeyResultId),
}

/// Reads `O-12` or `KR-40` (the prefix in any case).
pub(crate) fn parse_id(text: &str) -> Result<Id, Problem> {
    let expected = || format!("expected an id such as `O-12` or `KR-40`, found `{text}`");
    let (prefix, digits) = text.split_once('-').ok_or_else(|| Problem::new(expected(), None))?;
    let number = positive(digits).ok_or_else(|| Problem::new(expected(), None))?;
    match prefix.to_ascii_uppercase().as_str() {
        "O" => Ok(Id::Objective(ObjectiveId(number))),
        "KR" => Ok(Id::KeyResult(KeyResultId(number))),
        _ => Err(Problem::new(expected(), None)),
    }
}

/// A positive decimal number that fits an `i64`.
fn positive(digits: &str) -> Option<i64> {
    let ok = !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| digits.parse::<i64>().ok()).flatten().filter(|n| *n > 0)
}

/// Reads a slug (`customer-support`): lower-case letters, digits and dashes.
pub(crate) fn parse_slug(text: &str, what: &str) -> Result<String, Problem> {
    if text.is_empty() {
        return Err(Problem::new(format!("expected {what}, found nothing"), None));
    }
    match Slug::parse(text) {
        Ok(slug) => Ok(slug.as_str().to_owned()),
        Err(_) => {
            let fix = Slug::from_title(text).map(|s| format!("write `{}`", s.as_str()));
            Err(Problem::new(format!("{what} may hold only lower-case letters, digits and `-` (found `{text}`)"), fix))
        }
    }
}

/// Reads an owner: `team/<slug>` or `@<handle>`.
pub(crate) fn parse_owner(text: &str) -> Result<Owner, Problem> {
    if let Some(handle) = text.strip_prefix('@') {
        return parse_slug(handle, "a person's handle").map(Owner::Person);
    }
    if let Some(team) = text.strip_prefix("team/") {
        return parse_slug(team, "a team's slug").map(Owner::Team);
    }
    let fix = Slug::from_title(text)
        .map(|s| format!("write `team/{}` for a team or `@{}` for a person", s.as_str(), s.as_str()));
    Err(Problem::new(format!("expected `team/<slug>` or `@<handle>`, found `{text}`"), fix))
}

/// Reads an alignment: `O-12`, `KR-40`, `<team>/<objective-slug>` or
/// `@<handle>/<objective-slug>`.
pub(crate) fn parse_alignment(text: &str) -> Result<Alignment, Problem> {
    if let Ok(id) = parse_id(text) {
        return Ok(match id {
            Id::Objective(id) => Alignment::Objective { id },
            Id::KeyResult(id) => Alignment::KeyResult { id },
        });
    }
    let expected = || {
        format!(
            "expected what this aligns to: `O-12` (an objective), `KR-40` (a key result) or \
             `<team>/<objective>`, found `{text}`"
        )
    };
    // `team/company/delight` says what `company/delight` says, in the owner's own words.
    let long = text.strip_prefix("team/").and_then(|rest| rest.split_once('/'));
    let Some((owner, objective)) = long.or_else(|| text.split_once('/')) else {
        return Err(Problem::new(expected(), None));
    };
    if objective.contains('/') {
        return Err(Problem::new(expected(), None));
    }
    let owner = match owner.strip_prefix('@') {
        Some(handle) => Owner::Person(parse_slug(handle, "a person's handle")?),
        None => Owner::Team(parse_slug(owner, "a team's slug")?),
    };
    let objective = parse_slug(objective, "an objective's slug")?;
    Ok(Alignment::Path { owner, objective })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_their_kind() {
        assert_eq!(parse_id("O-12"), Ok(Id::Objective(ObjectiveId(12))));
        assert_eq!(parse_id("kr-40"), Ok(Id::KeyResult(KeyResultId(40))));
        assert_eq!(parse_id("O-9223372036854775807"), Ok(Id::Objective(ObjectiveId(i64::MAX))));
        for bad in
            ["O12", "O-", "O-0", "O--1", "X-3", "O-9223372036854775808", "O-99999999999999999999", "KR-1a", "O-+1"]
        {
            assert!(parse_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn owners_are_teams_or_people() {
        assert_eq!(parse_owner("team/customer-support"), Ok(Owner::Team("customer-support".into())));
        assert_eq!(parse_owner("@dana"), Ok(Owner::Person("dana".into())));
        let bad = parse_owner("Customer Support").unwrap_err();
        assert_eq!(
            bad.suggestion.as_deref(),
            Some("write `team/customer-support` for a team or `@customer-support` for a person")
        );
        assert_eq!(parse_owner("@Dana").unwrap_err().suggestion.as_deref(), Some("write `dana`"));
    }

    #[test]
    fn alignments_are_ids_or_paths() {
        assert_eq!(parse_alignment("O-3"), Ok(Alignment::Objective { id: ObjectiveId(3) }));
        assert_eq!(parse_alignment("KR-9"), Ok(Alignment::KeyResult { id: KeyResultId(9) }));
        let path = Alignment::Path { owner: Owner::Team("company".into()), objective: "delight-customers".into() };
        assert_eq!(parse_alignment("company/delight-customers"), Ok(path.clone()));
        assert_eq!(parse_alignment("team/company/delight-customers"), Ok(path));
        assert_eq!(
            parse_alignment("@dana/ship"),
            Ok(Alignment::Path { owner: Owner::Person("dana".into()), objective: "ship".into() })
        );
        assert_eq!(
            parse_alignment("team/x"),
            Ok(Alignment::Path { owner: Owner::Team("team".into()), objective: "x".into() })
        );
        for bad in ["delight", "a/b/c", "/x", "a/", "A/b"] {
            assert!(parse_alignment(bad).is_err(), "{bad}");
        }
    }
}
