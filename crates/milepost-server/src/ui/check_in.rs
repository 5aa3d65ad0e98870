//! `/check-in`: the weekly check-in. Every key result the person owns in the active
//! cycles on one form (new value, confidence 0–10, note, blockers), saved in one
//! submit by one app call, all or nothing; each problem is shown next to its field.
//! Each row also posts what it showed (hidden `shown_value.ID`, `shown_confidence.ID`)
//! and a "no change this week" box, so the app records only the rows that say
//! something new (`CheckInEntry::is_news`). A plain HTML form: it works with the
//! keyboard alone and without JavaScript.

use super::form::{self, Fields, Form, Problems};
use super::view::{KeyResultLine, Names};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::check_in::{CheckInEntry, Shown};
use milepost_app::key_result::KeyResultView;
use milepost_app::{App, AppError, Caller, Segment};
use milepost_core::KeyResultKind;
use std::collections::HashMap;

/// One key result's row of the form.
struct Row {
    line: KeyResultLine,
    milestone: bool,
    /// A milestone's done box.
    done: bool,
    value: String,
    confidence: String,
    note: String,
    blockers: String,
    /// What the value and confidence fields show when the form is drawn: posted back
    /// so that a row left alone is not recorded.
    shown_value: String,
    shown_confidence: String,
    no_change: bool,
    errors: HashMap<&'static str, String>,
}

impl Row {
    /// The problem with `field` of this row, or empty.
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }

    /// Whether `field` of this row has a problem.
    fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

#[derive(Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    layout: Layout,
    rows: Vec<Row>,
    ids: String,
    saved: Option<usize>,
    problems: Problems,
}

/// The form's read model, from the app's one use case: the key results `caller` owns
/// in the active cycles, and the names the rows show.
async fn my_key_results(app: &App, caller: &Caller) -> Result<(Vec<KeyResultView>, Names), AppError> {
    let form = app.check_ins().form(caller).await?;
    let people = form.people.into_iter().map(|p| (p.id.get(), p)).collect();
    Ok((form.key_results, Names { people: std::sync::Arc::new(people), ..Names::default() }))
}

const FIELDS: [&str; 4] = ["value", "confidence", "note", "blockers"];

/// Whether two number fields say the same number (3.6 and 3.60, 1,000 and 1000).
fn same_number(a: &str, b: &str) -> bool {
    matches!((form::number(a), form::number(b)), (Ok(a), Ok(b)) if a == b)
}

/// Whether two confidence fields say the same whole number (or are both blank).
fn same_whole(a: &str, b: &str) -> bool {
    let parse = |text: &str| match text.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some),
    };
    matches!((parse(a), parse(b)), (Ok(a), Ok(b)) if a == b)
}

fn rows(
    key_results: &[KeyResultView],
    names: &Names,
    now: jiff::Timestamp,
    posted: Option<&Fields>,
    problems: &Problems,
) -> Vec<Row> {
    key_results
        .iter()
        .map(|k| {
            let id = k.id;
            let field = |name: &str| format!("{name}.{id}");
            let shown_value = k.current.map(|v| v.to_string()).unwrap_or_default();
            let shown_confidence = k.confidence.map(|c| c.to_string()).unwrap_or_default();
            let (value, confidence, note, blockers, no_change) = match posted {
                // What was typed stays; a field left as it was shown follows the key
                // result as it stands now, so that a form drawn again after someone
                // else's check-in shows, and compares with, the new value.
                Some(fields) => {
                    let left = |name: &str, same: fn(&str, &str) -> bool| {
                        let shown = format!("shown_{name}.{id}");
                        fields.has(&shown) && same(fields.text(&field(name)), fields.text(&shown))
                    };
                    (
                        if left("value", same_number) {
                            shown_value.clone()
                        } else {
                            fields.text(&field("value")).to_owned()
                        },
                        if left("confidence", same_whole) {
                            shown_confidence.clone()
                        } else {
                            fields.text(&field("confidence")).to_owned()
                        },
                        fields.text(&field("note")).to_owned(),
                        fields.text(&field("blockers")).to_owned(),
                        fields.has(&field("no_change")),
                    )
                }
                None => (shown_value.clone(), shown_confidence.clone(), String::new(), String::new(), false),
            };
            let done = match posted {
                Some(fields) => fields.has(&field("done")),
                None => k.current.is_some_and(|v| v >= 1.0),
            };
            let errors = FIELDS
                .iter()
                .filter(|name| problems.has(&field(name)))
                .map(|name| (*name, problems.of(&field(name)).to_owned()))
                .collect();
            Row {
                line: KeyResultLine::of(k, names, now),
                milestone: k.kind == KeyResultKind::Milestone,
                done,
                value,
                confidence,
                note,
                blockers,
                shown_value,
                shown_confidence,
                no_change,
                errors,
            }
        })
        .collect()
}

/// What the form posted for key result `id`: what was entered beside what was shown.
/// Problems reading the entered numbers are recorded at their fields.
fn entry(fields: &Fields, id: i64, problems: &mut Problems) -> CheckInEntry {
    let field = |name: &str| format!("{name}.{id}");
    // What was shown is read quietly: the server wrote it, and if it cannot be read,
    // the row is taken as the person entered it.
    let shown = fields.has(&field("shown_value")).then(|| Shown {
        value: form::number(fields.text(&field("shown_value"))).ok().flatten(),
        confidence: fields.text(&field("shown_confidence")).parse().ok(),
    });
    // A milestone is checked in with its done box: ticked is done (1); left empty it
    // stays where it was (a share from an older check-in), or goes back to not done (0)
    // when it was done.
    let value = if fields.has(&field("milestone")) {
        let before = shown.as_ref().and_then(|s| s.value).filter(|v| *v < 1.0).unwrap_or(0.0);
        Some(if fields.has(&field("done")) { 1.0 } else { before })
    } else {
        fields.number(&field("value"), problems)
    };
    CheckInEntry {
        key_result_id: id,
        value,
        confidence: fields.whole(&field("confidence"), problems),
        note: fields.optional(&field("note")),
        blockers: fields.optional(&field("blockers")),
        shown,
        no_change: fields.has(&field("no_change")),
    }
}

/// The query of the check-in page: how many check-ins were just saved.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CheckInQuery {
    /// How many check-ins the last submit saved.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub saved: Option<usize>,
}

/// `GET /check-in`: the weekly check-in form.
pub async fn show_check_in(State(app): State<App>, viewer: Viewer, Query(query): Query<CheckInQuery>) -> PageResult {
    let caller = &viewer.caller;
    let (key_results, names) = my_key_results(&app, caller).await?;
    let problems = Problems::default();
    let template = CheckInPage {
        layout: Layout::new(&viewer, "check-in", "Weekly check-in"),
        ids: key_results.iter().map(|k| k.id.to_string()).collect::<Vec<_>>().join(","),
        rows: rows(&key_results, &names, app.now(), None, &problems),
        saved: query.saved,
        problems,
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /check-in`: saves the rows that say something new, in one transaction, and
/// says how many; a submit that changes nothing writes nothing and says so.
pub async fn save_check_in(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let ids: Vec<i64> = fields.text("key_results").split(',').filter_map(|id| id.trim().parse().ok()).collect();
    let entries: Vec<CheckInEntry> = ids.iter().map(|&id| entry(&fields, id, &mut problems)).collect();
    // `/check_ins/{n}/{field}` is the row of the n-th key result sent.
    let field_of = |path: &milepost_app::Path| {
        let [Segment::Field(list), Segment::Index(index), Segment::Field(field), ..] = path.segments() else {
            return None;
        };
        let id = ids.get(*index).filter(|_| list == "check_ins")?;
        let field = match field.as_str() {
            "confidence" => "confidence",
            "note" => "note",
            "blockers" => "blockers",
            _ => "value",
        };
        Some(format!("{field}.{id}"))
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.check_ins().create_many(caller, entries).await {
            Ok(saved) => return Ok(see_other(&format!("/check-in?saved={}", saved.len()))),
            Err(error) => status = problems.refused(error, field_of)?,
        }
    } else if let Err(error) = app.check_ins().check_many(caller, entries).await {
        // What the form could not read is marked already; the app's dry run finds the
        // rest (a confidence of 11 beside a value that is not a number), so every problem
        // shows at once. The first problem of a field is kept.
        problems.refused(error, field_of)?;
    }
    // Show the form again with what was typed, for the key results it was about.
    let (key_results, names) = my_key_results(&app, caller).await?;
    let key_results: Vec<KeyResultView> = key_results.into_iter().filter(|k| ids.contains(&k.id.get())).collect();
    let template = CheckInPage {
        layout: Layout::new(&viewer, "check-in", "Weekly check-in"),
        ids: key_results.iter().map(|k| k.id.to_string()).collect::<Vec<_>>().join(","),
        rows: rows(&key_results, &names, app.now(), Some(&fields), &problems),
        saved: None,
        problems,
    };
    Ok(page(status, &template))
}
