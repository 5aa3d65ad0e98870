//! Check-in histories in: a CSV file of check-ins on any key results of a workspace,
//! recorded all or nothing, each row through the same checks as a single check-in
//! ([`crate::check_in::write_check_in`]).
//!
//! The file has a header naming its columns, in any order:
//!
//! | column | required | value |
//! |---|---|---|
//! | `key_result` | yes | the key result as OKR files mark it, `KR-41` (or `41`) |
//! | `checked_in_at` | yes | the time the value describes: RFC 3339 or a day (midnight UTC); never in the future |
//! | `value` | yes | the value then (a milestone: 0 to 1) |
//! | `confidence` | no | 0 to 10 |
//! | `note` | no | what happened |
//! | `blockers` | no | what stands in the way |
//! | `author` | no | who checked in, `@dana` (or `dana`); a person logged in is always the author |
//!
//! Fields may be quoted as in RFC 4180 (`"a note, with a comma"`, `""` for a quote), so
//! a note may hold commas; a quoted field may not span lines. A problem names its row
//! (the first data row is row 1), its line and its column, at the pointer
//! `/<row - 1>/<column>`, and every problem is reported at once (up to 100).

use crate::check_in::CheckIns;
use crate::check_in::{Authority, NewCheckIn, write_check_in};
use crate::error::{AppError, FieldError, Path, Segment};
use crate::kpi::measurement::parse_time;
use crate::{Caller, Location};
use jiff::Timestamp;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// The most check-ins one import may carry.
pub const IMPORT_MAX: usize = 10_000;
/// The most problems one refused import reports (the first ones, by row).
const PROBLEMS_MAX: usize = 100;
/// The columns a check-in file may have, as the header names them.
const COLUMNS: [&str; 7] = ["key_result", "checked_in_at", "value", "confidence", "note", "blockers", "author"];

/// One check-in of an imported file (or of a JSON array of them), read but not yet
/// checked against the workspace.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedCheckIn {
    /// The key result's id (`KR-41` in a file).
    pub key_result_id: i64,
    /// The time the value describes.
    pub checked_in_at: Timestamp,
    /// The value then.
    pub value: f64,
    /// Confidence 0–10, when given.
    #[schema(minimum = 0, maximum = 10)]
    pub confidence: Option<i64>,
    /// What happened.
    pub note: Option<String>,
    /// What stands in the way.
    pub blockers: Option<String>,
    /// The author's handle (`dana`), when given; a person logged in is always the author.
    pub author: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInImportResult {
    /// Check-ins recorded (every row: an import records all of them or none).
    pub imported: u64,
    /// The key results that got check-ins.
    pub key_results: u64,
    /// The earliest time in the file.
    pub first_checked_in_at: Option<Timestamp>,
    /// The latest time in the file.
    pub last_checked_in_at: Option<Timestamp>,
}

/// Splits one CSV line into fields as this module reads them (double quotes honoured,
/// unquoted fields trimmed); `None` for an unclosed quote.
pub fn split_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.trim().is_empty() && !was_quoted => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            ',' if !quoted => {
                fields.push(if was_quoted { std::mem::take(&mut field) } else { field.trim().to_owned() });
                field.clear();
                was_quoted = false;
            }
            _ if was_quoted && !quoted => {
                // Text after a closing quote is kept only if it is blank.
                if !c.is_whitespace() {
                    field.push(c);
                }
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(if was_quoted { field } else { field.trim().to_owned() });
    Some(fields)
}

/// Reads `KR-41`, `kr-41` or `41`.
fn parse_key_result(text: &str) -> Option<i64> {
    let digits = text.strip_prefix("KR-").or_else(|| text.strip_prefix("kr-")).unwrap_or(text);
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Reads a whole check-in file (see the module documentation), reporting every bad row.
pub fn parse_check_in_csv(text: &str) -> Result<Vec<ImportedCheckIn>, AppError> {
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line_number = number + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(fields) = split_fields(line) else {
            let index = rows.len();
            problems.push(FieldError::csv(index, line_number, "", "a quote is not closed on this line"));
            rows.push(None);
            continue;
        };
        let Some(header) = &columns else {
            let names: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            if let Some(unknown) = names.iter().find(|n| !COLUMNS.contains(&n.as_str())) {
                return Err(AppError::invalid(
                    "",
                    format!(
                        "line {line_number}: the header names a column {unknown:?}; the columns are {}",
                        COLUMNS.join(", ")
                    ),
                ));
            }
            let missing: Vec<&str> = COLUMNS[..3].iter().copied().filter(|c| !names.iter().any(|n| n == c)).collect();
            if !missing.is_empty() {
                return Err(AppError::invalid(
                    "",
                    format!(
                        "line {line_number}: the first line must be a header naming the columns \
                         key_result, checked_in_at and value (and any of confidence, note, blockers, author); \
                         it lacks {}",
                        missing.join(", ")
                    ),
                ));
            }
            columns = Some(COLUMNS.iter().map(|c| names.iter().position(|n| n == c)).collect());
            continue;
        };
        let index = rows.len();
        let problem = |column: &str, detail: String| FieldError::csv(index, line_number, column, detail);
        if fields.len() != header.iter().flatten().count() {
            problems.push(FieldError::csv(
                index,
                line_number,
                "",
                format!("has {} columns, the header {}", fields.len(), header.iter().flatten().count()),
            ));
            rows.push(None);
            continue;
        }
        let field = |column: usize| header[column].map(|at| fields[at].as_str()).filter(|text| !text.is_empty());
        let before = problems.len();
        let key_result_id = match field(0).and_then(parse_key_result) {
            Some(id) => id,
            None => {
                let given = field(0).unwrap_or_default();
                problems.push(problem("key_result", format!("{given:?} is not a key result: write KR-41")));
                0
            }
        };
        let checked_in_at = field(1).and_then(parse_time).unwrap_or_else(|| {
            let given = field(1).unwrap_or_default();
            problems.push(problem(
                "checked_in_at",
                format!("{given:?} is not a time: write 2026-11-16T09:00:00Z or 2026-11-16"),
            ));
            Timestamp::UNIX_EPOCH
        });
        let value = field(2).and_then(|v| v.replace(',', "").parse::<f64>().ok()).filter(|v| v.is_finite());
        let value = value.unwrap_or_else(|| {
            let given = field(2).unwrap_or_default();
            problems.push(problem("value", format!("{given:?} is not a finite number")));
            0.0
        });
        let confidence = field(3).and_then(|text| {
            let parsed = text.parse::<i64>().ok();
            if parsed.is_none() {
                problems.push(problem("confidence", format!("{text:?} is not a whole number from 0 to 10")));
            }
            parsed
        });
        let author = field(6).map(|text| text.trim_start_matches('@').to_owned());
        let row = ImportedCheckIn {
            key_result_id,
            checked_in_at,
            value,
            confidence,
            note: field(4).map(str::to_owned),
            blockers: field(5).map(str::to_owned),
            author,
        };
        rows.push((problems.len() == before).then_some(row));
    }
    if columns.is_none() {
        return Err(AppError::invalid("", "the file is empty: write a header, then one check-in a line"));
    }
    problems.truncate(PROBLEMS_MAX);
    if problems.is_empty() { Ok(rows.into_iter().flatten().collect()) } else { Err(AppError::Invalid(problems)) }
}

/// The file's column for a pointer of a single check-in's problem.
fn column_of(field: &str) -> &str {
    match field {
        "author_person_id" => "author",
        other => other,
    }
}

/// Rewrites a single check-in's problem (at a field of a check-in, `/value`) as the
/// import's, at its row and the file's column (`/3/value`, "row 4 (value): …").
fn at_row(index: usize, mut problem: FieldError) -> FieldError {
    if let Location::Body(path) = &mut problem.location {
        let column = match path.segments() {
            [Segment::Field(field), ..] => column_of(field).to_owned(),
            _ => String::new(),
        };
        problem.detail = format!("row {} ({column}): {}", index + 1, problem.detail);
        *path = if column.is_empty() { Path::root().index(index) } else { Path::root().index(index).field(column) };
    }
    problem
}

impl CheckIns<'_> {
    /// Records a history of check-ins, all or nothing, in one transaction: each row
    /// goes through the same checks and permissions as a single check-in (a time in
    /// the future, a confidence out of range, a closed cycle, an archived key result,
    /// someone else's key result for a member are refused), and every problem is
    /// reported at once at its row and column, in row order. Rows are written oldest
    /// first, whatever their order in the file, and each key result's current value is
    /// then its latest check-in's.
    pub async fn import(self, caller: &Caller, rows: Vec<ImportedCheckIn>) -> Result<CheckInImportResult, AppError> {
        if rows.is_empty() {
            return Err(AppError::invalid("", "the file has no check-ins"));
        }
        if rows.len() > IMPORT_MAX {
            return Err(AppError::invalid(
                "",
                format!("the file has {} check-ins; import at most {IMPORT_MAX} at a time", rows.len()),
            ));
        }
        let now = self.app.now();
        // Of what the read model holds, an import changes only the key results it
        // checks in on (named before the commit, below).
        let mut tx = self.app.write_key_results(caller.workspace, []).await?;
        let mut people: HashMap<String, Option<i64>> = HashMap::new();
        let mut problems = Vec::new();
        let mut touched = BTreeSet::new();
        // Written oldest first, so a key result's history lists them in time order; a
        // problem still names the row of the file.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_key(|&index| rows[index].checked_in_at);
        for index in order {
            let row = &rows[index];
            if problems.len() >= PROBLEMS_MAX {
                break;
            }
            let author_person_id = match &row.author {
                Some(handle) => {
                    if !people.contains_key(handle) {
                        let found = tx.person_by_handle(caller.workspace, handle).await?.map(|p| p.id);
                        people.insert(handle.clone(), found);
                    }
                    match people.get(handle).copied().flatten() {
                        Some(id) => Some(id),
                        None => {
                            problems.push(FieldError::body(
                                Path::root().index(index).field("author"),
                                format!("row {} (author): there is nobody @{handle} in this workspace", index + 1),
                            ));
                            continue;
                        }
                    }
                }
                // A person logged in is the author of what they import.
                None => caller.person,
            };
            let new = NewCheckIn {
                value: row.value,
                confidence: row.confidence,
                note: row.note.clone(),
                blockers: row.blockers.clone(),
                checked_in_at: Some(row.checked_in_at),
                author_person_id,
            };
            let key_result = Path::root().index(index).field("key_result");
            let at_key_result =
                |detail: String| FieldError::body(key_result.clone(), format!("row {}: {detail}", index + 1));
            match write_check_in(&mut tx, caller, row.key_result_id, new, "csv", Authority::CheckIn, now).await {
                Ok(_) => {
                    touched.insert(row.key_result_id);
                }
                Err(AppError::Invalid(errors)) => problems.extend(errors.into_iter().map(|e| at_row(index, e))),
                Err(AppError::NotFound { .. }) => {
                    problems.push(at_key_result(format!("there is no key result KR-{}", row.key_result_id)));
                }
                Err(AppError::Conflict { detail, .. }) => problems.push(at_key_result(detail)),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|problem| match &problem.location {
                Location::Body(path) => match path.segments().first() {
                    Some(Segment::Index(row)) => *row,
                    _ => usize::MAX,
                },
                _ => usize::MAX,
            });
            problems.truncate(PROBLEMS_MAX);
            return Err(AppError::Invalid(problems));
        }
        for id in &touched {
            tx.refresh_current_value(caller.workspace, *id).await?;
        }
        tx.changes(caller.workspace, milepost_store::Change::KeyResults(touched.iter().copied().collect()));
        tx.commit().await?;
        Ok(CheckInImportResult {
            imported: rows.len() as u64,
            key_results: touched.len() as u64,
            first_checked_in_at: rows.iter().map(|r| r.checked_in_at).min(),
            last_checked_in_at: rows.iter().map(|r| r.checked_in_at).max(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_may_be_quoted_with_commas_and_quotes_inside() {
        let fields = split_fields(r#"KR-4, 2026-11-16 ,"a note, with ""quotes""",,@dana"#).unwrap();
        assert_eq!(fields, ["KR-4", "2026-11-16", "a note, with \"quotes\"", "", "@dana"]);
        assert_eq!(split_fields(r#"KR-4,"open"#), None);
    }

    #[test]
    fn a_file_reads_its_header_in_any_order() {
        let text =
            "value,key_result,checked_in_at,note\n3.5,KR-12,2026-11-16,\"Up, at last\"\n\n4,7,2026-11-20T15:00:00Z,\n";
        let rows = parse_check_in_csv(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].key_result_id, 12);
        assert_eq!(rows[0].note.as_deref(), Some("Up, at last"));
        assert_eq!(rows[1].key_result_id, 7);
        assert_eq!(rows[1].note, None);
        assert_eq!(rows[1].checked_in_at, "2026-11-20T15:00:00Z".parse::<Timestamp>().unwrap());
    }

    #[test]
    fn problems_name_row_line_and_column() {
        let text = "key_result,checked_in_at,value,confidence\nKR-1,2026-11-16,1,7\nO-3,2026-11-16,lots,high\n";
        let Err(AppError::Invalid(problems)) = parse_check_in_csv(text) else { panic!("bad rows accepted") };
        let pointers: Vec<_> = problems.iter().map(|p| p.location.clone()).collect();
        assert_eq!(pointers, ["/1/key_result", "/1/value", "/1/confidence"].map(|p| Location::Body(p.into())).to_vec());
        assert!(problems[0].detail.starts_with("row 2 (line 3)"), "{}", problems[0].detail);
        let Err(AppError::Invalid(header)) = parse_check_in_csv("KR-1,2026-11-16,1\n") else { panic!("no header") };
        assert!(header[0].detail.contains("header"), "{}", header[0].detail);
    }
}
