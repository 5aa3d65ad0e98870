//! KPIs: the ongoing numbers of business as usual (SPEC §2–§4). This module defines
//! them (create, read, list, change, archive, restore; promoting to `kpi` or demoting
//! to `metric` is a change of `tier`); [`measurement`] records their values, [`board`]
//! computes health, trend, lagging, series and the board; [`source`] pulls values from
//! SQL, Prometheus and JSON sources on the KPI's cadence, through the app's
//! [`SourceReader`] ([`source_reader`]).
//!
//! Stable entry points for the web app and the CLI, all on [`App`]:
//! `create_kpi`, `get_kpi`, `find_kpi` (by id or slug), `list_kpis`, `update_kpi`,
//! `archive_kpi`, `record_measurement`, `record_measurements`, `kpi_series`,
//! `kpi_board`, `draft_objective_from_kpi`, `run_kpi_source` and `run_due_sources`.

pub mod board;
pub mod draft;
mod feed;
pub mod formula;
pub mod measurement;
pub mod source;
pub mod source_reader;
pub mod sql_query;
pub mod tree;

use crate::Caller;
use crate::access::record;
use crate::error::slug_or_from;
use crate::error::{AppError, Path, Problems, duplicate_or, on_update};
use crate::page::{ListParams, Paged};
use crate::patch;
use crate::permission::{Action, require};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::KpiId;
use milepost_core::{Cadence, KpiDirection, KpiGoal, KpiTier, Slug, Title};
use milepost_store::{KpiFields, KpiFilter, KpiRow, Page, Tx};
use serde::{Deserialize, Serialize};

pub use board::{KpiBoard, KpiBoardEntry, KpiSeries, KpiState, SeriesPoint, SeriesQuery, SparkPoint};
pub use draft::DraftObjective;
pub use measurement::{
    MeasurementBatchResult, MeasurementInput, MeasurementSource, MeasurementView, NewMeasurement, RecordedMeasurement,
};
pub use source::{KEPT_PASSWORD, KpiSource, SourceRunCounts, SourceRuns, SourceTest, SourceTestResult};
pub use source_reader::{Reading, RefuseAll, SourceReader};
pub use tree::{KpiTree, KpiTreeNode, KpiTreeRelation};

/// The longest unit accepted, in characters.
const UNIT_MAX: usize = 32;
/// The longest tag accepted, in characters.
const TAG_MAX: usize = 40;
/// The most tags a KPI may carry.
const TAGS_MAX: usize = 20;
/// The longest description accepted, in characters.
const DESCRIPTION_MAX: usize = 10_000;
/// The most red periods in a row a KPI may wait before it lags.
const LAGGING_AFTER_MAX: u32 = 52;

/// A KPI to define.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKpi {
    /// Short name, unique in the workspace (made from the name when left out).
    pub slug: Option<String>,
    /// Display name: "Website uptime".
    pub name: String,
    /// What it measures and why it matters.
    pub description: Option<String>,
    /// The person who owns it.
    pub owner_person_id: Option<i64>,
    /// Unit of the values: `%`, `ms`, `USD` …
    pub unit: Option<String>,
    /// Which way it is good.
    pub direction: KpiDirection,
    /// The target (higher or lower is better).
    pub target: Option<f64>,
    /// `[low, high]`, the good band (within a range).
    pub range: Option<[f64; 2]>,
    /// How far from the target (or band) is still amber (default 0).
    #[schema(minimum = 0)]
    pub warning_band: Option<f64>,
    /// How often it is measured.
    pub cadence: Cadence,
    /// `kpi` (default) or plain `metric`.
    pub tier: Option<KpiTier>,
    /// Tags, for grouping.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Red periods in a row after which it is lagging (default 2).
    #[schema(minimum = 1, maximum = 52)]
    pub lagging_after: Option<u32>,
    /// Where the server pulls its values from, on its cadence (none: fed from outside).
    pub source: Option<KpiSource>,
    /// A formula over other KPIs' slugs (`orders * average-order-value`): the KPI is
    /// then computed from them for each period of its cadence, and takes no
    /// measurements and no source of its own. Units are checked.
    pub formula: Option<String>,
    /// The slugs of the KPIs that drive this one (a formula's inputs drive it without
    /// being listed).
    #[serde(default)]
    pub drivers: Vec<String>,
}

/// Changes to a KPI; fields left out stay as they are. Promoting a metric to a KPI (or
/// demoting a KPI) is a change of `tier`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiPatch {
    /// The version the change is based on.
    pub version: i64,
    /// New slug.
    pub slug: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New owner; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub owner_person_id: Option<Option<i64>>,
    /// New unit; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<String>)]
    pub unit: Option<Option<String>>,
    /// New direction.
    pub direction: Option<KpiDirection>,
    /// New target; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<f64>)]
    pub target: Option<Option<f64>>,
    /// New good band; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<[f64; 2]>)]
    pub range: Option<Option<[f64; 2]>>,
    /// New warning band.
    #[schema(minimum = 0)]
    pub warning_band: Option<f64>,
    /// New cadence.
    pub cadence: Option<Cadence>,
    /// `kpi` to promote, `metric` to demote.
    pub tier: Option<KpiTier>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New number of red periods in a row after which it lags.
    #[schema(minimum = 1, maximum = 52)]
    pub lagging_after: Option<u32>,
    /// New pull source; `null` to remove it.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<KpiSource>)]
    pub source: Option<Option<KpiSource>>,
    /// New formula; `null` to make it a KPI measured itself again.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<String>)]
    pub formula: Option<Option<String>>,
    /// New drivers (slugs); `[]` for none.
    pub drivers: Option<Vec<String>>,
}

/// A KPI, with its health as it stands now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: KpiId,
    /// Short name, unique in the workspace.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// What it measures and why.
    pub description: String,
    /// The person who owns it.
    pub owner_person_id: Option<i64>,
    /// Unit of the values.
    pub unit: Option<String>,
    /// Which way it is good.
    pub direction: KpiDirection,
    /// The target.
    pub target: Option<f64>,
    /// The good band `[low, high]`.
    pub range: Option<[f64; 2]>,
    /// How far off is still amber.
    pub warning_band: f64,
    /// How often it is measured.
    pub cadence: Cadence,
    /// `kpi` or `metric`.
    pub tier: KpiTier,
    /// Tags.
    pub tags: Vec<String>,
    /// Red periods in a row after which it is lagging.
    pub lagging_after: u32,
    /// Health, trend, lagging and the latest value, now.
    pub state: KpiState,
    /// Whether archived.
    pub archived: bool,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Version: send it back with a change.
    pub version: i64,
    /// Where the server pulls its values from (a password in a URL shows as `***`).
    pub source: Option<KpiSource>,
    /// When its source last ran.
    pub last_run_at: Option<Timestamp>,
    /// Why its source's last run failed; `null` after a run that worked.
    pub last_error: Option<String>,
    /// When that failure was.
    pub last_error_at: Option<Timestamp>,
    /// The formula it is computed from, if it is a formula KPI.
    pub formula: Option<String>,
    /// The slugs of the KPIs named as driving it.
    pub drivers: Vec<String>,
}

/// Filters of the KPI list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// Only KPIs (`kpi`) or only plain metrics (`metric`).
    pub tier: Option<KpiTier>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Include archived KPIs.
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
}

/// The goal of a stored KPI; `None` only for a row written before goals were checked.
pub(crate) fn goal_of(row: &KpiRow) -> Option<KpiGoal> {
    let direction = row.direction;
    let range = row.range_low.zip(row.range_high);
    KpiGoal::try_new(direction, row.target, range, row.warning_band).ok()
}

/// The cadence of a stored KPI.
pub(crate) fn cadence_of(row: &KpiRow) -> Cadence {
    row.cadence
}

/// The number of red periods after which a stored KPI lags.
pub(crate) fn lagging_after_of(row: &KpiRow) -> u32 {
    u32::try_from(row.lagging_after).unwrap_or(2).max(1)
}

pub(crate) fn view(row: KpiRow, state: KpiState) -> KpiView {
    KpiView {
        source: source::source_of(&row).map(|s| s.redacted()),
        last_run_at: row.last_run_at.map(from_ms),
        last_error: row.last_error.clone(),
        last_error_at: row.last_error_at.map(from_ms),
        drivers: formula::drivers_of(&row),
        formula: row.formula.clone(),
        id: KpiId(row.id),
        direction: row.direction,
        cadence: cadence_of(&row),
        tier: row.tier,
        tags: serde_json::from_str(&row.tags).unwrap_or_default(),
        lagging_after: lagging_after_of(&row),
        range: row.range_low.zip(row.range_high).map(|(low, high)| [low, high]),
        slug: row.slug,
        name: row.name,
        description: row.description,
        owner_person_id: row.owner_person_id,
        unit: row.unit,
        target: row.target,
        warning_band: row.warning_band,
        state,
        archived: row.archived,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        version: row.version,
    }
}

pub(crate) fn not_found(id: impl ToString) -> AppError {
    AppError::NotFound { what: "KPI", id: id.to_string() }
}

/// The parts of a KPI definition, as a request gives them (after a patch is applied).
struct Definition<'a> {
    name: &'a str,
    description: Option<&'a str>,
    owner_person_id: Option<i64>,
    unit: Option<&'a str>,
    direction: KpiDirection,
    target: Option<f64>,
    range: Option<[f64; 2]>,
    warning_band: f64,
    cadence: Cadence,
    tier: KpiTier,
    tags: &'a [String],
    lagging_after: u32,
    source: Option<&'a KpiSource>,
    formula: Option<&'a str>,
    drivers: &'a [String],
    /// The KPI's id and slug before a change.
    current: Option<(i64, &'a str)>,
}

/// Checks a definition completely, noting every problem; the fields to store when
/// nothing is wrong.
async fn check_definition(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    slug: Option<String>,
    definition: Definition<'_>,
) -> Result<Option<KpiFields>, AppError> {
    let name = problems.check("/name", Title::parse(definition.name));
    let description = definition.description.unwrap_or_default().trim().to_owned();
    if description.chars().count() > DESCRIPTION_MAX {
        problems.push("/description", format!("must be at most {DESCRIPTION_MAX} characters"));
    }
    if let Some(owner) = definition.owner_person_id
        && !tx.exists("people", caller.workspace, owner).await?
    {
        problems.push("/owner_person_id", format!("there is no person {owner} in this workspace"));
    }
    let unit = definition.unit.map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    if unit.as_ref().is_some_and(|u| u.chars().count() > UNIT_MAX) {
        problems.push("/unit", format!("must be at most {UNIT_MAX} characters"));
    }
    let range = definition.range.map(|[low, high]| (low, high));
    if !definition.warning_band.is_finite() || definition.warning_band < 0.0 {
        problems.push("/warning_band", "must be a number, zero or more");
    }
    // The band was checked on its own: the goal is checked with a harmless one.
    let band = if definition.warning_band >= 0.0 { definition.warning_band } else { 0.0 };
    match KpiGoal::try_new(definition.direction, definition.target, range, band) {
        Ok(_) => {}
        Err(milepost_core::health::GoalError::MissingTarget(_)) => {
            problems.push("/target", "a KPI that is higher or lower is better needs a target");
        }
        Err(milepost_core::health::GoalError::BadRange) => {
            problems.push("/range", "a KPI within a range needs a range [low, high] with low below high");
        }
        Err(milepost_core::health::GoalError::NegativeBand) => {}
        Err(milepost_core::health::GoalError::NotFinite) => {
            if definition.warning_band.is_finite() {
                problems.push("/target", "targets and ranges must be finite numbers");
            }
        }
    }
    let mut tags = Vec::with_capacity(definition.tags.len());
    if definition.tags.len() > TAGS_MAX {
        problems.push("/tags", format!("at most {TAGS_MAX} tags"));
    }
    for (index, tag) in definition.tags.iter().enumerate() {
        let tag = tag.trim();
        if tag.is_empty() || tag.chars().count() > TAG_MAX {
            problems.push(Path::root().field("tags").index(index), format!("a tag has 1 to {TAG_MAX} characters"));
        } else if tags.iter().any(|t: &String| t == tag) {
            problems.push(Path::root().field("tags").index(index), format!("the tag {tag:?} is listed twice"));
        } else {
            tags.push(tag.to_owned());
        }
    }
    if !(1..=LAGGING_AFTER_MAX).contains(&definition.lagging_after) {
        problems.push("/lagging_after", format!("must be from 1 to {LAGGING_AFTER_MAX} periods"));
    }
    if let Some(source) = definition.source {
        source.check(problems);
    }
    let mut unit = unit;
    let mut links = None;
    if let Some(slug) = &slug {
        let wanted = formula::Links {
            slug,
            id: definition.current.map(|c| c.0),
            old_slug: definition.current.map(|c| c.1),
            formula: definition.formula,
            drivers: definition.drivers,
            has_source: definition.source.is_some(),
        };
        let checked = formula::check_links(tx, caller.workspace, problems, wanted, unit.as_deref()).await?;
        unit = unit.or(checked.unit.clone());
        links = Some(checked);
    }
    let (Some(name), Some(slug), Some(links)) = (name, slug, links) else { return Ok(None) };
    // A range is kept only where it means something, and so is a target.
    let (target, range) = match definition.direction {
        KpiDirection::WithinRange => (None, definition.range),
        _ => (definition.target, None),
    };
    Ok(Some(KpiFields {
        slug,
        name: name.into_string(),
        description,
        owner_person_id: definition.owner_person_id,
        unit,
        direction: definition.direction,
        target,
        range_low: range.map(|r| r[0]),
        range_high: range.map(|r| r[1]),
        warning_band: definition.warning_band,
        cadence: definition.cadence,
        tier: definition.tier,
        tags: serde_json::to_string(&tags).unwrap_or_else(|_| "[]".to_owned()),
        lagging_after: i64::from(definition.lagging_after),
        source: definition.source.and_then(|s| serde_json::to_string(s).ok()),
        formula: links.formula,
        drivers: links.drivers,
    }))
}

/// KPIs: definitions, measurements, pull sources, the board and recovery objectives. Reached through [`App::kpis`](crate::App::kpis).
#[derive(Debug, Clone, Copy)]
pub struct Kpis<'a> {
    pub(crate) app: &'a crate::App,
}

impl Kpis<'_> {
    /// The view of a KPI as just written, its health read after the write committed,
    /// so that SQLite's one write lock is held only for the writes.
    async fn written_view(self, row: KpiRow) -> Result<KpiView, AppError> {
        let state = board::state(&mut self.app.store().read().await?, &row, self.app.now()).await?;
        Ok(view(row, state))
    }

    /// Defines a KPI (editors and admins).
    pub async fn create(self, caller: &Caller, new: NewKpi) -> Result<KpiView, AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.create_in(&mut tx, caller, new).await?;
        tx.commit().await?;
        self.written_view(row).await
    }

    /// Checks `new` as [`Kpis::create`] would, and writes nothing (the transaction is
    /// dropped, not committed): for a form whose own fields could not all be read, so
    /// every problem shows at once.
    pub async fn check_new(self, caller: &Caller, new: NewKpi) -> Result<(), AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        self.create_in(&mut tx, caller, new).await.map(|_| ())
    }

    /// Checks `change` as [`Kpis::update`] would, and writes nothing.
    pub async fn check_update(self, caller: &Caller, id: KpiId, change: KpiPatch) -> Result<(), AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        self.update_in(&mut tx, caller, id.get(), change).await.map(|_| ())
    }

    /// `app.kpis().create` inside a transaction the caller commits (`milepost apply`).
    pub(crate) async fn create_in(self, tx: &mut Tx, caller: &Caller, new: NewKpi) -> Result<KpiRow, AppError> {
        require(caller, Action::DefineKpi)?;
        self.app.refuse_unallowed_source(new.source.as_ref()).await?;
        let mut problems = Problems::new();
        let slug = slug_or_from(&mut problems, new.slug.as_deref(), &new.name);
        let definition = Definition {
            name: &new.name,
            description: new.description.as_deref(),
            owner_person_id: new.owner_person_id,
            unit: new.unit.as_deref(),
            direction: new.direction,
            target: new.target,
            range: new.range,
            warning_band: new.warning_band.unwrap_or(0.0),
            cadence: new.cadence,
            tier: new.tier.unwrap_or(KpiTier::Kpi),
            tags: &new.tags,
            lagging_after: new.lagging_after.unwrap_or(2),
            source: new.source.as_ref(),
            formula: new.formula.as_deref(),
            drivers: &new.drivers,
            current: None,
        };
        let fields = check_definition(tx, caller, &mut problems, slug, definition).await?;
        problems.finish()?;
        let Some(fields) = fields else { return Err(AppError::invalid("/name", "missing")) };
        let mut row =
            tx.insert_kpi(caller.workspace, &fields, self.app.now_ms()).await.map_err(|e| duplicate_or(e, "KPI"))?;
        // A new source is due at once: the scheduler's next pass runs it.
        if row.source.is_some() {
            row.next_run_at = Some(self.app.now_ms());
            tx.schedule_kpi_source(caller.workspace, row.id, row.next_run_at).await?;
        }
        record(tx, caller, "create", "kpi", row.id, None::<&()>, Some(&row), self.app.now_ms()).await?;
        // A formula KPI's history is there at once, from its inputs'.
        formula::recompute(tx, caller, &row, None, self.app.now()).await?;
        Ok(row)
    }

    /// One KPI, with its health now.
    pub async fn get(self, caller: &Caller, id: KpiId) -> Result<KpiView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let row = tx.kpi(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let state = board::state(&mut tx, &row, self.app.now()).await?;
        Ok(view(row, state))
    }

    /// One KPI by its id (digits) or its slug, as people name it on a command line.
    pub async fn find(self, caller: &Caller, key: &str) -> Result<KpiView, AppError> {
        let mut tx = self.app.store().read().await?;
        let row = match key.parse::<i64>() {
            Ok(id) => tx.kpi(caller.workspace, id).await?,
            Err(_) => tx.kpi_by_slug(caller.workspace, key).await?,
        };
        let row = row.ok_or_else(|| not_found(key))?;
        let state = board::state(&mut tx, &row, self.app.now()).await?;
        Ok(view(row, state))
    }

    /// Lists KPIs in id order, filtered and paged, each with its health now.
    pub async fn list(self, caller: &Caller, query: KpiQuery) -> Result<Paged<KpiView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after }.page()?;
        let filter = KpiFilter {
            tier: query.tier,
            owner_person_id: query.owner_person_id,
            include_archived: query.include_archived,
        };
        let mut tx = self.app.store().read().await?;
        let rows = tx.filter_kpis(caller.workspace, &filter, crate::page::probe(page)).await?;
        let limit = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        let now = self.app.now();
        let mut items = Vec::with_capacity(rows.len().min(limit));
        for row in rows.into_iter().take(limit) {
            let state = board::state(&mut tx, &row, now).await?;
            items.push(view(row, state));
        }
        let last = items.last().map(|v: &KpiView| v.id);
        Ok(Paged::new(items, last.map(KpiId::get), more))
    }

    /// Changes a KPI's definition (editors and admins); `tier` promotes or demotes it.
    pub async fn update(self, caller: &Caller, id: KpiId, change: KpiPatch) -> Result<KpiView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.update_in(&mut tx, caller, id, change).await?;
        tx.commit().await?;
        self.written_view(row).await
    }

    /// `app.kpis().update` inside a transaction the caller commits (`milepost apply`).
    pub(crate) async fn update_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        change: KpiPatch,
    ) -> Result<KpiRow, AppError> {
        require(caller, Action::DefineKpi)?;
        let current = tx.kpi(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        // A URL password written `***` (as the KPI shows it) keeps the stored one.
        let mut change = change;
        change.source = match change.source.take() {
            Some(Some(given)) => Some(Some(
                given
                    .keeping_password(source::source_of(&current).as_ref())
                    .map_err(|problem| AppError::Invalid(vec![problem]))?,
            )),
            other => other,
        };
        self.app.refuse_unallowed_source(change.source.as_ref().and_then(Option::as_ref)).await?;
        let mut problems = Problems::new();
        let slug = match &change.slug {
            Some(slug) => problems.check("/slug", Slug::parse(slug)).map(|s| s.as_str().to_owned()),
            None => Some(current.slug.clone()),
        };
        let before = view(current.clone(), KpiState::default());
        let tags = change.tags.clone().unwrap_or_else(|| before.tags.clone());
        // The stored source, not the shown one: its password was replaced to show.
        let source = match &change.source {
            None => source::source_of(&current),
            Some(new) => new.clone(),
        };
        let unit = patch::apply(current.unit.clone(), change.unit.clone());
        let description = change.description.clone().unwrap_or_else(|| current.description.clone());
        let new_formula = patch::apply(current.formula.clone(), change.formula.clone());
        let definition = Definition {
            name: change.name.as_deref().unwrap_or(&current.name),
            description: Some(&description),
            owner_person_id: patch::apply(current.owner_person_id, change.owner_person_id),
            unit: unit.as_deref(),
            direction: change.direction.unwrap_or(before.direction),
            target: patch::apply(before.target, change.target),
            range: patch::apply(before.range, change.range),
            warning_band: change.warning_band.unwrap_or(before.warning_band),
            cadence: change.cadence.unwrap_or(before.cadence),
            tier: change.tier.unwrap_or(before.tier),
            tags: &tags,
            lagging_after: change.lagging_after.unwrap_or(before.lagging_after),
            source: source.as_ref(),
            formula: new_formula.as_deref(),
            drivers: change.drivers.as_deref().unwrap_or(&before.drivers),
            current: Some((current.id, &current.slug)),
        };
        let fields = check_definition(tx, caller, &mut problems, slug, definition).await?;
        problems.finish()?;
        let Some(fields) = fields else { return Err(AppError::invalid("/name", "missing")) };
        let mut row = tx
            .update_kpi(caller.workspace, id, change.version, &fields, current.archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "KPI", id, change.version))?;
        // A changed source is due at once; a removed one never.
        if row.source != current.source {
            row.next_run_at = row.source.as_ref().map(|_| self.app.now_ms());
            tx.schedule_kpi_source(caller.workspace, id, row.next_run_at).await?;
        }
        record(tx, caller, "update", "kpi", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        // A new or changed formula computes its history again (changed values are
        // corrections, new rows), and so a change of cadence does.
        if row.formula.is_some() && (row.formula != current.formula || row.cadence != current.cadence) {
            formula::recompute(tx, caller, &row, None, self.app.now()).await?;
        }
        Ok(row)
    }

    /// Archives a KPI (or restores it): archived KPIs leave the board and take no
    /// measurements; their history stays.
    pub async fn archive(self, caller: &Caller, id: KpiId, version: i64, archived: bool) -> Result<KpiView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.archive_in(&mut tx, caller, id, version, archived).await?;
        tx.commit().await?;
        self.written_view(row).await
    }

    /// `app.kpis().archive` inside a transaction the caller commits (`milepost apply`).
    pub(crate) async fn archive_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        version: i64,
        archived: bool,
    ) -> Result<KpiRow, AppError> {
        require(caller, Action::DefineKpi)?;
        let current = tx.kpi(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let row = tx
            .update_kpi(caller.workspace, id, version, &current.fields(), archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "KPI", id, version))?;
        let action = if archived { "archive" } else { "restore" };
        record(tx, caller, action, "kpi", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        Ok(row)
    }
}

/// Every KPI row of the workspace that the board shows: tier `kpi`, not archived.
pub(crate) async fn board_rows(tx: &mut Tx, caller: &Caller) -> Result<Vec<KpiRow>, AppError> {
    let filter = KpiFilter { tier: Some(KpiTier::Kpi), owner_person_id: None, include_archived: false };
    Ok(tx.filter_kpis(caller.workspace, &filter, Page::ALL).await?)
}
