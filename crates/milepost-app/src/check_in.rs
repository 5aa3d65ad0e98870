//! Check-ins: the weekly word on a key result. Every change of a key result's value is
//! a check-in, and check-ins are never rewritten, so history is never lost; a mistake
//! is corrected by a new check-in.

mod form;

pub use form::CheckInForm;

use crate::Caller;
use crate::access::record;
use crate::error::{AppError, FieldError, Location, Path, Problems};
use crate::key_result::{self, KeyResultView};
use crate::page::{self, ListParams, Paged};
use crate::permission::{Action, allows, require};
use crate::time::from_ms;
use jiff::{SignedDuration, Timestamp};
use milepost_core::{CheckInId, Confidence, CycleStatus, KeyResultKind};
use milepost_core::{KeyResultId, ObjectiveId};
use milepost_store::{CheckInRow, GoalChangeRow, NewCheckIn as StoreCheckIn, Tx};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest note or blockers text accepted, in characters.
const NOTE_MAX: usize = 10_000;
/// How far ahead of the server's clock a check-in's time may be (clock skew).
const FUTURE_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// A check-in to record.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCheckIn {
    /// The key result's value now (for a milestone, 0–1: the share done).
    pub value: f64,
    /// Confidence 0–10 that the target will be reached.
    #[schema(minimum = 0, maximum = 10)]
    pub confidence: Option<i64>,
    /// What happened since the last check-in.
    pub note: Option<String>,
    /// What stands in the way.
    pub blockers: Option<String>,
    /// The time the value describes (default now; may be earlier, never later).
    pub checked_in_at: Option<Timestamp>,
    /// Who checks in. A person logged in is always the author of their check-ins (naming
    /// anyone else is refused); an API token, which acts for no person, may name the
    /// person it reports for.
    pub author_person_id: Option<i64>,
}

/// A check-in.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: CheckInId,
    /// The key result.
    pub key_result_id: i64,
    /// The value reported.
    pub value: f64,
    /// Confidence 0–10.
    pub confidence: Option<i64>,
    /// What happened.
    pub note: String,
    /// What stands in the way.
    pub blockers: String,
    /// Who checked in.
    pub author_person_id: Option<i64>,
    /// Where the value came from: manual, api, kpi …
    pub source: String,
    /// The time the value describes.
    pub checked_in_at: Timestamp,
    /// When it was recorded.
    pub created_at: Timestamp,
}

/// A move of a key result's goal after its cycle began.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GoalChangeView {
    /// Its id.
    pub id: i64,
    /// The key result whose goal moved.
    pub key_result_id: i64,
    /// `start`, `target`, `range_low` or `range_high`.
    pub field: String,
    /// The value before.
    pub old_value: Option<f64>,
    /// The value after.
    pub new_value: Option<f64>,
    /// Why, in the words of whoever moved it.
    pub reason: String,
    /// Who moved it: the person logged in (none for an API token or the operator).
    pub author_person_id: Option<i64>,
    /// When.
    pub changed_at: Timestamp,
}

impl From<GoalChangeRow> for GoalChangeView {
    fn from(row: GoalChangeRow) -> Self {
        GoalChangeView {
            id: row.id,
            key_result_id: row.key_result_id,
            field: row.field,
            old_value: row.old_value,
            new_value: row.new_value,
            reason: row.reason,
            author_person_id: row.author_person_id,
            changed_at: from_ms(row.changed_at),
        }
    }
}

/// A recorded check-in and the key result as it stands after it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CheckInResult {
    /// The check-in.
    pub check_in: CheckInView,
    /// The key result with its new progress and status.
    pub key_result: KeyResultView,
}

/// One key result's row of the weekly check-in form: what the person entered, beside
/// what the form showed them.
#[derive(Debug, Clone, Default)]
pub struct CheckInEntry {
    /// The key result.
    pub key_result_id: i64,
    /// The value entered, or `None` when the field was left blank.
    pub value: Option<f64>,
    /// The confidence entered.
    pub confidence: Option<i64>,
    /// The note entered.
    pub note: Option<String>,
    /// The blockers entered.
    pub blockers: Option<String>,
    /// What the form showed in the value and confidence fields when it was drawn, or
    /// `None` when the form does not say (then whatever was entered is news).
    pub shown: Option<Shown>,
    /// "No change this week": record a check-in even when nothing differs from what
    /// was shown, to say on purpose that the key result did not move.
    pub no_change: bool,
}

/// What a row of the weekly check-in form showed when it was drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shown {
    /// The key result's current value then.
    pub value: Option<f64>,
    /// Its latest confidence then.
    pub confidence: Option<i64>,
}

impl CheckInEntry {
    /// Whether this row is to be recorded: the "no change this week" box is ticked, or
    /// the value or the confidence differs from what the row showed (numbers compared
    /// as numbers, so 3.6 and 3.60 are the same), or a note or blockers were written.
    /// A row is compared with what it showed, not with the key result as it stands now,
    /// so a row left alone on a form drawn before someone else's check-in is still
    /// skipped rather than putting the old value back.
    pub fn is_news(&self) -> bool {
        let written = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
        let differs = match self.shown {
            Some(shown) => self.value != shown.value || self.confidence != shown.confidence,
            None => self.value.is_some() || self.confidence.is_some(),
        };
        self.no_change || differs || written(&self.note) || written(&self.blockers)
    }
}

/// A problem at the value when a row left its value as shown but the key result has
/// moved since the form was drawn (someone else checked in): recording the shown value
/// would silently put the old value back, so the person is asked to give it again.
async fn moved_since_shown(
    tx: &mut Tx,
    caller: &Caller,
    entry: &CheckInEntry,
    value: f64,
) -> Result<Option<FieldError>, AppError> {
    let Some(shown) = entry.shown.filter(|shown| shown.value == Some(value)) else { return Ok(None) };
    // A key result that is missing is reported by `write_check_in`.
    let Some(row) = tx.key_result(caller.workspace, entry.key_result_id).await? else { return Ok(None) };
    if row.current_value == shown.value {
        return Ok(None);
    }
    let now = row.current_value.map_or_else(|| "no value".to_owned(), |v| v.to_string());
    Ok(Some(FieldError::body(
        "/value",
        format!("the value moved to {now} since this form was shown (another check-in): give the value now"),
    )))
}

impl From<CheckInRow> for CheckInView {
    fn from(row: CheckInRow) -> Self {
        CheckInView {
            id: CheckInId(row.id),
            key_result_id: row.key_result_id,
            value: row.value,
            confidence: row.confidence,
            note: row.note,
            blockers: row.blockers,
            author_person_id: row.author_person_id,
            source: row.source,
            checked_in_at: from_ms(row.checked_in_at),
            created_at: from_ms(row.created_at),
        }
    }
}

fn long_text(problems: &mut Problems, pointer: &str, text: Option<&str>) -> String {
    let text = text.unwrap_or_default().trim();
    if text.chars().count() > NOTE_MAX {
        problems.push(pointer, format!("must be at most {NOTE_MAX} characters"));
    }
    text.to_owned()
}

/// Check-ins on key results: one, a batch, a CSV history; and who moved a goal. Reached through [`App::check_ins`](crate::App::check_ins).
#[derive(Debug, Clone, Copy)]
pub struct CheckIns<'a> {
    pub(crate) app: &'a crate::App,
}

impl CheckIns<'_> {
    /// Records a check-in on a key result and updates its value, in one transaction.
    pub async fn create(
        self,
        caller: &Caller,
        key_result_id: KeyResultId,
        new: NewCheckIn,
    ) -> Result<CheckInResult, AppError> {
        let key_result_id = key_result_id.get();
        self.record(caller, KeyResultId(key_result_id), new, "manual").await
    }

    /// Records a check-in that came from `source` (manual, api, kpi …).
    pub async fn record(
        self,
        caller: &Caller,
        key_result_id: KeyResultId,
        new: NewCheckIn,
        source: &str,
    ) -> Result<CheckInResult, AppError> {
        let key_result_id = key_result_id.get();
        let now = self.app.now();
        let mut tx = self.app.write_key_results(caller.workspace, [key_result_id]).await?;
        let check_in = write_check_in(&mut tx, caller, key_result_id, new, source, Authority::CheckIn, now).await?;
        let updated = tx.refresh_current_value(caller.workspace, key_result_id).await?;
        tx.commit().await?;
        // The key result as this check-in left it, its numbers computed after commit.
        let key_result = self.app.key_results().written_view(caller, updated).await?;
        Ok(CheckInResult { check_in: check_in.into(), key_result })
    }

    /// Records the weekly check-in form's rows in one transaction: all are written, or
    /// none. Only the rows that say something new are written (see
    /// [`CheckInEntry::is_news`]); the others are skipped without a word, so a form that
    /// shows every key result does not invent check-ins. When no row says anything new,
    /// nothing is written at all (no transaction, no audit event) and the answer is
    /// empty. Every problem of every row is reported at once, its pointer prefixed with
    /// the row's place in `entries` (`/check_ins/2/confidence`).
    pub async fn create_many(
        self,
        caller: &Caller,
        entries: Vec<CheckInEntry>,
    ) -> Result<Vec<CheckInResult>, AppError> {
        self.many(caller, entries, true).await
    }

    /// Checks a batch as [`CheckIns::create_many`] would and writes nothing: every
    /// problem of every row at once. A form whose own fields could not be read (a value
    /// that is not a number) asks this for the rest, so that a bad value does not hide a
    /// bad confidence until the next submit.
    pub async fn check_many(self, caller: &Caller, entries: Vec<CheckInEntry>) -> Result<(), AppError> {
        self.many(caller, entries, false).await.map(|_| ())
    }

    async fn many(
        self,
        caller: &Caller,
        entries: Vec<CheckInEntry>,
        commit: bool,
    ) -> Result<Vec<CheckInResult>, AppError> {
        let now = self.app.now();
        let mut problems = Vec::new();
        let mut check_ins = Vec::new();
        for (index, entry) in entries.into_iter().enumerate() {
            if !entry.is_news() {
                continue;
            }
            match entry.value {
                Some(value) => check_ins.push((index, entry, value)),
                None => {
                    let at = |field: &str| Path::root().field("check_ins").index(index).field(field);
                    problems.push(FieldError::body(
                        at("value"),
                        "give the value now (the same as before, if it did not move)",
                    ));
                    // The row's other fields are still checked, so all its problems show.
                    if let Some(Err(error)) = entry.confidence.map(Confidence::try_new) {
                        problems.push(FieldError::body(at("confidence"), error));
                    }
                    for (field, text) in [("note", &entry.note), ("blockers", &entry.blockers)] {
                        let mut checked = Problems::new();
                        long_text(&mut checked, "", text.as_deref());
                        if let Err(AppError::Invalid(errors)) = checked.finish() {
                            problems.extend(errors.into_iter().map(|e| FieldError::body(at(field), e.detail)));
                        }
                    }
                }
            }
        }
        if check_ins.is_empty() && problems.is_empty() {
            return Ok(Vec::new());
        }
        let on = check_ins.iter().map(|(_, entry, _)| entry.key_result_id);
        let mut tx = self.app.write_key_results(caller.workspace, on).await?;
        let mut written = Vec::with_capacity(check_ins.len());
        for (index, entry, value) in check_ins {
            let prefix = |mut error: FieldError| {
                if let Location::Body(path) = &mut error.location {
                    *path = Path::root().field("check_ins").index(index).join(std::mem::take(path));
                }
                error
            };
            // Read before writing, said only once `write_check_in` has found the caller
            // may check in here, so the message tells nothing to those who may not.
            let moved = moved_since_shown(&mut tx, caller, &entry, value).await?;
            let new = NewCheckIn {
                value,
                confidence: entry.confidence,
                note: entry.note,
                blockers: entry.blockers,
                checked_in_at: None,
                author_person_id: caller.person,
            };
            match write_check_in(&mut tx, caller, entry.key_result_id, new, "manual", Authority::CheckIn, now).await {
                Ok(_) if moved.is_some() => problems.extend(moved.map(prefix)),
                Ok(row) => written.push(row),
                // Keep looking for problems in the others; nothing is committed.
                Err(AppError::Invalid(errors)) => problems.extend(errors.into_iter().map(prefix)),
                Err(other) => return Err(other),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        if !commit {
            // A dry run: the transaction is dropped, so nothing it wrote stays.
            return Ok(Vec::new());
        }
        let mut updated = Vec::with_capacity(written.len());
        for check_in in written {
            let key_result = tx.refresh_current_value(caller.workspace, check_in.key_result_id).await?;
            updated.push((check_in, key_result));
        }
        tx.commit().await?;
        // The key results as these check-ins left them, their numbers computed after
        // commit, in one read transaction.
        let (check_ins, rows): (Vec<CheckInRow>, Vec<_>) = updated.into_iter().unzip();
        let views = key_result::views(&mut self.app.store().read().await?, caller, rows, now).await?;
        Ok(check_ins
            .into_iter()
            .zip(views)
            .map(|(check_in, key_result)| CheckInResult { check_in: check_in.into(), key_result })
            .collect())
    }

    /// One check-in.
    pub async fn get(self, caller: &Caller, id: CheckInId) -> Result<CheckInView, AppError> {
        let mut tx = self.app.store().read().await?;
        let not_found = || AppError::NotFound { what: "check-in", id: id.to_string() };
        let row = tx.check_in(caller.workspace, id.get()).await?.ok_or_else(not_found)?;
        let key_result = tx.key_result(caller.workspace, row.key_result_id).await?.ok_or_else(not_found)?;
        key_result::parents(&mut tx, caller, key_result.objective_id).await.map_err(|_| not_found())?;
        Ok(row.into())
    }

    /// A key result's check-ins, oldest first.
    pub async fn list(
        self,
        caller: &Caller,
        key_result_id: KeyResultId,
        params: ListParams,
    ) -> Result<Paged<CheckInView>, AppError> {
        let key_result_id = key_result_id.get();
        let page = params.page()?;
        let mut tx = self.app.store().read().await?;
        let not_found = || AppError::NotFound { what: "key result", id: key_result_id.to_string() };
        let key_result = tx.key_result(caller.workspace, key_result_id).await?.ok_or_else(not_found)?;
        key_result::parents(&mut tx, caller, key_result.objective_id).await.map_err(|_| not_found())?;
        let rows = tx.list_check_ins(caller.workspace, key_result_id, page::probe(page)).await?;
        Ok(page::finish(rows, page, |r| r.id, CheckInView::from))
    }

    /// Every check-in of every key result of an objective the caller may see, by key
    /// result, each in id order (as [`CheckIns::list`] walks them), in one read: what
    /// the objective's page shows.
    pub async fn of_objective(
        self,
        caller: &Caller,
        objective: ObjectiveId,
    ) -> Result<HashMap<i64, Vec<CheckInView>>, AppError> {
        let mut tx = self.app.store().read().await?;
        let key_results = crate::permission::key_results_of_visible_objective(&mut tx, caller, objective).await?;
        let mut rows = tx.check_ins_of(caller.workspace, &key_results).await?;
        rows.sort_by_key(|c| (c.key_result_id, c.id));
        let mut out: HashMap<i64, Vec<CheckInView>> = HashMap::new();
        for check_in in rows {
            out.entry(check_in.key_result_id).or_default().push(CheckInView::from(check_in));
        }
        Ok(out)
    }

    /// Every move of the start, target or range of an objective's key results after
    /// the cycle began, by key result, oldest first: what the objective's page shows, in
    /// one read.
    pub async fn goal_changes_of_objective(
        self,
        caller: &Caller,
        objective: ObjectiveId,
    ) -> Result<HashMap<i64, Vec<GoalChangeView>>, AppError> {
        let mut tx = self.app.store().read().await?;
        let key_results = crate::permission::key_results_of_visible_objective(&mut tx, caller, objective).await?;
        let mut out: HashMap<i64, Vec<GoalChangeView>> = HashMap::new();
        for row in tx.goal_changes_of(caller.workspace, &key_results).await? {
            out.entry(row.key_result_id).or_default().push(GoalChangeView::from(row));
        }
        Ok(out)
    }

    /// Every move of a key result's start, target or range after its cycle began,
    /// oldest first: who moved it, when, from what to what, and why.
    pub async fn goal_changes(
        self,
        caller: &Caller,
        key_result_id: KeyResultId,
    ) -> Result<Vec<GoalChangeView>, AppError> {
        let key_result_id = key_result_id.get();
        let mut tx = self.app.store().read().await?;
        let not_found = || AppError::NotFound { what: "key result", id: key_result_id.to_string() };
        let key_result = tx.key_result(caller.workspace, key_result_id).await?.ok_or_else(not_found)?;
        key_result::parents(&mut tx, caller, key_result.objective_id).await.map_err(|_| not_found())?;
        let rows = tx.list_goal_changes(caller.workspace, key_result_id).await?;
        Ok(rows.into_iter().map(GoalChangeView::from).collect())
    }
}

/// What allows a check-in to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Authority {
    /// The caller checks in on a key result they may see and check in on
    /// ([`Action::CheckIn`]).
    CheckIn,
    /// A measurement of a KPI that the key result is linked to: whoever may record the
    /// KPI's measurements may have its value written there ([`Action::FeedFromKpi`]),
    /// whoever owns the key result, and nothing more.
    FedByKpi {
        /// The person who owns the KPI, if a person does.
        kpi_owner: Option<i64>,
    },
}

/// Checks and writes one check-in inside `tx`. The caller then moves the key result's
/// current value with `refresh_current_value`. Shared by every way a check-in arrives;
/// `authority` says which right allows it.
pub(crate) async fn write_check_in(
    tx: &mut Tx,
    caller: &Caller,
    key_result_id: i64,
    new: NewCheckIn,
    source: &str,
    authority: Authority,
    now: Timestamp,
) -> Result<CheckInRow, AppError> {
    let row = tx
        .key_result(caller.workspace, key_result_id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "key result", id: key_result_id.to_string() })?;
    let (objective, cycle) = match authority {
        Authority::CheckIn => {
            let (objective, cycle) = key_result::parents(tx, caller, row.objective_id)
                .await
                .map_err(|e| key_result::as_key_result(e, key_result_id))?;
            if !allows(caller, Action::CheckIn { owner: row.owner_person_id }) {
                require(caller, Action::CheckIn { owner: objective.owner_person_id })?;
            }
            (objective, cycle)
        }
        // The link to the KPI is what allows it, whoever may see the objective: the
        // person who linked them could.
        Authority::FedByKpi { kpi_owner } => {
            require(caller, Action::FeedFromKpi { kpi_owner })?;
            key_result::parents_unseen(tx, caller, row.objective_id)
                .await
                .map_err(|e| key_result::as_key_result(e, key_result_id))?
        }
    };
    if row.archived || objective.archived {
        return Err(AppError::Conflict {
            code: "archived",
            detail: format!("key result {key_result_id} is archived: restore it to check in"),
            location: None,
        });
    }
    if cycle.status == CycleStatus::Closed {
        return Err(AppError::Conflict {
            code: "cycle_closed",
            detail: format!("cycle {} is closed and graded: its key results take no more check-ins", cycle.slug),
            location: None,
        });
    }
    let mut problems = Problems::new();
    if !new.value.is_finite() {
        problems.push("/value", "must be a finite number");
    }
    if row.kind == KeyResultKind::Milestone && !(0.0..=1.0).contains(&new.value) {
        problems.push("/value", "a milestone's value is the share done, from 0 (not done) to 1 (done)");
    }
    let confidence = new.confidence.and_then(|c| problems.check("/confidence", Confidence::try_new(c)));
    let note = long_text(&mut problems, "/note", new.note.as_deref());
    let blockers = long_text(&mut problems, "/blockers", new.blockers.as_deref());
    let at = new.checked_in_at.unwrap_or(now);
    if at > now.saturating_add(FUTURE_SKEW).unwrap_or(now) {
        problems.push("/checked_in_at", format!("{at} is in the future: a check-in reports what is, not what will be"));
    }
    let author = match (caller.person, new.author_person_id) {
        // A person logged in checks in as themselves, whatever door they came through.
        (Some(me), Some(named)) if named != me => {
            problems.push(
                "/author_person_id",
                format!("you are logged in as person {me}: a check-in you make is yours; leave author_person_id out"),
            );
            None
        }
        (Some(me), _) => Some(me),
        // A machine token reports for whoever it names, or for nobody.
        (None, named) => named,
    };
    if let Some(author) = new.author_person_id
        && caller.person.is_none()
        && !tx.exists("people", caller.workspace, author).await?
    {
        problems.push("/author_person_id", format!("there is no person {author} in this workspace"));
    }
    problems.finish()?;
    let now_ms = now.as_millisecond();
    // Lock the key result first, so concurrent check-ins queue and the current value
    // recomputed after this sees every one of them.
    tx.touch_key_result(caller.workspace, key_result_id, now_ms).await?;
    let check_in = tx
        .insert_check_in(
            caller.workspace,
            &StoreCheckIn {
                key_result_id,
                value: new.value,
                confidence: confidence.map(|c| i64::from(c.get())),
                note,
                blockers,
                author_person_id: author,
                source: source.to_owned(),
                checked_in_at: at.as_millisecond(),
            },
            now_ms,
        )
        .await?;
    record(tx, caller, "create", "check_in", check_in.id, None::<&()>, Some(&check_in), now_ms).await?;
    // A history imported from a file is not news: it reaches no webhook.
    if source != "csv"
        && let Some(objective) = tx.objective(caller.workspace, row.objective_id).await?
    {
        let event = crate::outbox::Event::CheckInCreated {
            check_in_id: check_in.id,
            key_result: (row.id, row.title.clone()),
            objective: crate::outbox::ObjectiveRef::of(&objective),
            value: check_in.value,
            confidence: check_in.confidence,
            note: check_in.note.clone(),
            author_person_id: check_in.author_person_id,
        };
        crate::outbox::emit(tx, caller.workspace, &event, now).await?;
    }
    Ok(check_in)
}
