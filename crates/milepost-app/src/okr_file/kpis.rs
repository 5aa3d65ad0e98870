//! KPI files in an apply (docs/okr-files.md, "KPI files"): each KPI of a file is
//! created, taken over by slug, updated in the fields that differ, or restored; the
//! KPIs of a file's owner that no file of the apply names are archived. KPIs are
//! planned before objectives, so a key result may link to a KPI the same apply creates.

use super::{Action, Place, Run};
use crate::AppError;
use crate::kpi::{KpiPatch, KpiSource, NewKpi};
use milepost_core::{KpiDirection, KpiId, KpiTier};
use milepost_okrfile::{Kpi, KpiOwner, KpiSourceText, ParsedKpiFile};
use milepost_store::{KpiRow, Tx};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// A KPI file read and checked, ready to plan.
pub(super) struct CheckedKpis {
    pub index: usize,
    pub name: String,
    pub text: String,
    pub parsed: ParsedKpiFile,
}

/// A KPI as a plan shows it: what a person sets, the source's password hidden.
#[derive(Serialize)]
struct Shown {
    slug: String,
    name: String,
    description: String,
    owner_person_id: Option<i64>,
    unit: Option<String>,
    direction: KpiDirection,
    target: Option<f64>,
    range: Option<[f64; 2]>,
    warning_band: f64,
    cadence: milepost_core::Cadence,
    tier: KpiTier,
    tags: Vec<String>,
    lagging_after: i64,
    source: Option<KpiSource>,
    formula: Option<String>,
    drivers: Vec<String>,
}

impl Shown {
    fn of(row: &KpiRow) -> Shown {
        Shown {
            slug: row.slug.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            owner_person_id: row.owner_person_id,
            unit: row.unit.clone(),
            direction: row.direction,
            target: row.target,
            range: row.range_low.zip(row.range_high).map(|(low, high)| [low, high]),
            warning_band: row.warning_band,
            cadence: row.cadence,
            tier: row.tier,
            tags: serde_json::from_str(&row.tags).unwrap_or_default(),
            lagging_after: row.lagging_after,
            source: crate::kpi::source::source_of(row).map(|s| s.redacted()),
            formula: row.formula.clone(),
            drivers: crate::kpi::formula::drivers_of(row),
        }
    }
}

/// A file's source as the API's.
fn source_of(text: &KpiSourceText) -> KpiSource {
    match text.clone() {
        KpiSourceText::Sql { url, query } => KpiSource::Sql { url, query },
        KpiSourceText::Prometheus { url, query } => KpiSource::Prometheus { url, query },
        KpiSourceText::Json { url, path } => KpiSource::HttpJson { url, path },
    }
}

/// The API's source as a file writes it.
pub(super) fn source_text(source: &KpiSource) -> KpiSourceText {
    match source.clone() {
        KpiSource::Sql { url, query } => KpiSourceText::Sql { url, query: query.trim().to_owned() },
        KpiSource::Prometheus { url, query } => KpiSourceText::Prometheus { url, query: query.trim().to_owned() },
        KpiSource::HttpJson { url, path } => KpiSourceText::Json { url, path: path.trim().to_owned() },
    }
}

impl Run<'_> {
    /// Carries out every KPI file; returns the ids each file's new KPIs got.
    pub(super) async fn apply_kpis(
        &mut self,
        tx: &mut Tx,
        files: &[CheckedKpis],
    ) -> Result<Vec<Vec<Option<KpiId>>>, AppError> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        if let Err(AppError::Forbidden { detail }) =
            crate::permission::require(self.caller, crate::permission::Action::DefineKpi)
        {
            return Err(AppError::Forbidden { detail: format!("{}: {detail}", files[0].name) });
        }
        let rows = tx.list_kpis(self.caller.workspace).await?;
        let by_id: HashMap<i64, &KpiRow> = rows.iter().map(|r| (r.id, r)).collect();
        let by_slug: HashMap<&str, &KpiRow> = rows.iter().map(|r| (r.slug.as_str(), r)).collect();
        let named: HashSet<i64> =
            files.iter().flat_map(|f| f.parsed.file.kpis.iter().filter_map(|k| k.id)).map(|id| id.0).collect();
        let owners = self.kpi_owners(files);
        self.unique_slugs(files);
        self.finish_problems()?;
        let mut out = Vec::new();
        let mut kept: HashSet<i64> = HashSet::new();
        for (file, owner) in files.iter().zip(&owners) {
            let mut ids = Vec::new();
            for (position, kpi) in file.parsed.file.kpis.iter().enumerate() {
                let spans = &file.parsed.source_map.kpis[position];
                let place = Place { index: file.index, file: file.name.clone(), line: spans.heading.line };
                let slug = kpi.effective_slug().unwrap_or_default();
                let existing = match kpi.id {
                    Some(id) => match by_id.get(&id.0) {
                        Some(row) => Some(*row),
                        None => {
                            self.problems.push(place.problem(format!("KPI-{id} is no KPI of this workspace")));
                            None
                        }
                    },
                    // A KPI without a marker takes over the one with its slug, unless a
                    // marker elsewhere in the apply names that one.
                    None => match by_slug.get(slug.as_str()) {
                        Some(row) if named.contains(&row.id) => {
                            self.problems.push(place.problem(format!(
                                "the slug `{slug}` is KPI-{}'s, which another KPI heading of this apply names: \
                                 give this KPI a slug of its own",
                                row.id
                            )));
                            None
                        }
                        Some(row) => Some(*row),
                        None => None,
                    },
                };
                if kpi.id.is_some() && existing.is_none() {
                    ids.push(None);
                    continue;
                }
                let id = match existing {
                    None => {
                        let new = self.new_kpi(&place, kpi, *owner)?;
                        let row =
                            self.app.kpis().create_in(tx, self.caller, new).await.map_err(|e| super::at(&place, e))?;
                        self.push(&place, Action::Create, "kpi", row.id, &kpi.name, None, Some(&Shown::of(&row)));
                        self.resolver_mut().learn_kpi(&row.slug, row.id);
                        ids.push(Some(KpiId(row.id)));
                        row.id
                    }
                    Some(row) => {
                        self.settle_kpi(tx, &place, kpi, *owner, row).await?;
                        ids.push(kpi.id.is_none().then_some(KpiId(row.id)));
                        row.id
                    }
                };
                kept.insert(id);
                let stored = tx.kpi(self.caller.workspace, id).await?;
                let position = i64::try_from(position).unwrap_or(i64::MAX);
                if !self.only_named_kpis && stored.is_some_and(|row| row.position != Some(position)) {
                    tx.set_kpi_position(self.caller.workspace, id, position).await?;
                    self.layout_changed = true;
                }
            }
            out.push(ids);
        }
        self.finish_problems()?;
        // What no file names any more, of the files' owners, is archived (not in an
        // import of some KPIs).
        let archive_unnamed = !self.only_named_kpis;
        for row in rows.iter().filter(|_| archive_unnamed) {
            let owned = owners.contains(&row.owner_person_id);
            if owned && !row.archived && !kept.contains(&row.id) && !named.contains(&row.id) {
                self.app.kpis().archive_in(tx, self.caller, row.id, row.version, true).await?;
                self.push_unplaced(Action::Archive, "kpi", row.id, &row.name);
            }
        }
        Ok(out)
    }

    /// Each file's owner (a person's id, or `None` for nobody); one file per owner.
    fn kpi_owners(&mut self, files: &[CheckedKpis]) -> Vec<Option<i64>> {
        let mut seen: HashMap<Option<i64>, String> = HashMap::new();
        let mut out = Vec::new();
        for file in files {
            let place = Place { index: file.index, file: file.name.clone(), line: 1 };
            let owner = match &file.parsed.file.owner {
                Some(KpiOwner::Person(handle)) => match self.resolver().person(handle) {
                    Some(id) => Some(id),
                    None => {
                        self.problems.push(place.problem(format!("@{handle} is nobody here")));
                        None
                    }
                },
                _ => None,
            };
            if let Some(other) = seen.insert(owner, file.name.clone()) {
                self.problems.push(place.problem(format!(
                    "{other} already holds the KPIs of {}: one KPI file per owner",
                    file.parsed.file.owner.as_ref().map_or_else(|| "nobody".to_owned(), ToString::to_string)
                )));
            }
            out.push(owner);
        }
        out
    }

    /// Two files of one apply may not define KPIs with the same slug.
    fn unique_slugs(&mut self, files: &[CheckedKpis]) {
        let mut seen: HashMap<String, String> = HashMap::new();
        for file in files {
            for (kpi, spans) in file.parsed.file.kpis.iter().zip(&file.parsed.source_map.kpis) {
                let Some(slug) = kpi.effective_slug() else { continue };
                let place = Place { index: file.index, file: file.name.clone(), line: spans.heading.line };
                match seen.get(&slug) {
                    Some(other) if *other != file.name => self
                        .problems
                        .push(place.problem(format!(
                            "{other} defines a KPI with the slug `{slug}` too: a slug names one KPI"
                        ))),
                    _ => {
                        seen.insert(slug, file.name.clone());
                    }
                }
            }
        }
    }

    fn new_kpi(&mut self, place: &Place, kpi: &Kpi, owner: Option<i64>) -> Result<NewKpi, AppError> {
        let (Some(direction), Some(cadence)) = (kpi.direction, kpi.cadence) else {
            return Err(AppError::Invalid(vec![place.problem("a KPI needs a direction and a cadence")]));
        };
        Ok(NewKpi {
            slug: kpi.slug.clone(),
            name: kpi.name.clone(),
            description: Some(milepost_okrfile::normalize_description(&kpi.description)),
            owner_person_id: owner,
            unit: kpi.unit.clone(),
            direction,
            target: kpi.target,
            range: kpi.range,
            warning_band: kpi.warning_band,
            cadence,
            tier: kpi.tier,
            tags: kpi.tags.clone(),
            lagging_after: kpi.lagging_after,
            source: kpi.source.as_ref().map(source_of),
            formula: kpi.formula.clone(),
            drivers: kpi.drivers.clone(),
        })
    }

    /// Restores an archived KPI the file names again, and updates what differs.
    async fn settle_kpi(
        &mut self,
        tx: &mut Tx,
        place: &Place,
        kpi: &Kpi,
        owner: Option<i64>,
        row: &KpiRow,
    ) -> Result<(), AppError> {
        let mut current = row.clone();
        if current.archived {
            current = self
                .app
                .kpis()
                .archive_in(tx, self.caller, row.id, row.version, false)
                .await
                .map_err(|e| super::at(place, e))?;
            self.push(place, Action::Restore, "kpi", row.id, &kpi.name, None::<&Shown>, None);
        }
        let Some(change) = patch(kpi, owner, &current) else { return Ok(()) };
        let change_source = change.source.is_some();
        let after =
            self.app.kpis().update_in(tx, self.caller, row.id, change).await.map_err(|e| super::at(place, e))?;
        self.push(
            place,
            Action::Update,
            "kpi",
            row.id,
            &kpi.name,
            Some(&Shown::of(&current)),
            Some(&Shown::of(&after)),
        );
        // A new password changes the source, though both show as `***`: say so.
        if let Some(last) = self.changes.last_mut()
            && change_source
            && !last.fields.iter().any(|f| f.field == "source")
        {
            let shown = serde_json::to_value(Shown::of(&after).source).unwrap_or_default();
            last.fields.push(super::FieldChange {
                field: "source".to_owned(),
                before: shown.clone(),
                after: serde_json::json!({ "password": "changed", "source": shown }),
            });
        }
        self.resolver_mut().learn_kpi(&after.slug, after.id);
        Ok(())
    }
}

/// The change that makes a stored KPI what its file says, or `None` when it already is.
/// What the file leaves out is the default; a source written as export shows it (its
/// password as `***`) is the stored one.
fn patch(kpi: &Kpi, owner: Option<i64>, row: &KpiRow) -> Option<KpiPatch> {
    let slug = kpi.effective_slug().unwrap_or_else(|| row.slug.clone());
    let description = milepost_okrfile::normalize_description(&kpi.description);
    let stored_description = milepost_okrfile::normalize_description(&row.description);
    let direction = kpi.direction.unwrap_or(KpiDirection::HigherIsBetter);
    let stored_range = row.range_low.zip(row.range_high).map(|(low, high)| [low, high]);
    let (target, range) = match direction {
        KpiDirection::WithinRange => (None, kpi.range),
        _ => (kpi.target, None),
    };
    let cadence = kpi.cadence.unwrap_or(row.cadence);
    let tier = kpi.tier.unwrap_or(KpiTier::Kpi);
    let stored_tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
    let lagging_after = kpi.lagging_after.unwrap_or(2);
    let stored_source = crate::kpi::source::source_of(row);
    let stored_drivers = crate::kpi::formula::drivers_of(row);
    let source = kpi.source.as_ref().map(source_of);
    let same_source = match (&source, &stored_source) {
        (None, None) => true,
        (Some(new), Some(old)) => {
            source_text(new) == source_text(old) || source_text(new) == source_text(&old.redacted())
        }
        _ => false,
    };
    let change = KpiPatch {
        version: row.version,
        slug: (slug != row.slug).then(|| slug.clone()),
        name: (kpi.name != row.name).then(|| kpi.name.clone()),
        description: (description != stored_description).then(|| description.clone()),
        owner_person_id: (owner != row.owner_person_id).then_some(owner),
        // A formula KPI whose file leaves the unit out takes its formula's.
        unit: (kpi.unit != row.unit && !(kpi.unit.is_none() && kpi.formula.is_some())).then(|| kpi.unit.clone()),
        direction: (direction != row.direction).then_some(direction),
        target: (target != row.target).then_some(target),
        range: (range != stored_range).then_some(range),
        warning_band: (kpi.warning_band.unwrap_or(0.0) != row.warning_band).then(|| kpi.warning_band.unwrap_or(0.0)),
        cadence: (cadence != row.cadence).then_some(kpi.cadence).flatten(),
        tier: (tier != row.tier).then_some(tier),
        tags: (kpi.tags != stored_tags).then(|| kpi.tags.clone()),
        lagging_after: (i64::from(lagging_after) != row.lagging_after).then_some(lagging_after),
        source: (!same_source).then_some(source),
        formula: (kpi.formula != row.formula).then(|| kpi.formula.clone()),
        drivers: (kpi.drivers != stored_drivers).then(|| kpi.drivers.clone()),
    };
    let empty = change.slug.is_none()
        && change.name.is_none()
        && change.description.is_none()
        && change.owner_person_id.is_none()
        && change.unit.is_none()
        && change.direction.is_none()
        && change.target.is_none()
        && change.range.is_none()
        && change.warning_band.is_none()
        && change.cadence.is_none()
        && change.tier.is_none()
        && change.tags.is_none()
        && change.lagging_after.is_none()
        && change.source.is_none()
        && change.formula.is_none()
        && change.drivers.is_none();
    (!empty).then_some(change)
}

/// A stored KPI as its file writes it: what equals the default is left out, and a
/// source's password is `***`.
pub(super) fn kpi_of(row: &KpiRow) -> Kpi {
    let direction = Some(row.direction);
    let within = direction == Some(KpiDirection::WithinRange);
    let tier = Some(row.tier).filter(|t| *t != KpiTier::Kpi);
    Kpi {
        id: Some(KpiId(row.id)),
        name: row.name.clone(),
        description: milepost_okrfile::normalize_description(&row.description),
        slug: Some(row.slug.clone()),
        unit: row.unit.clone(),
        direction,
        target: if within { None } else { row.target },
        range: if within { row.range_low.zip(row.range_high).map(|(low, high)| [low, high]) } else { None },
        warning_band: (row.warning_band != 0.0).then_some(row.warning_band),
        cadence: Some(row.cadence),
        tier,
        tags: serde_json::from_str(&row.tags).unwrap_or_default(),
        lagging_after: u32::try_from(row.lagging_after).ok().filter(|n| *n != 2),
        source: crate::kpi::source::source_of(row).map(|s| source_text(&s.redacted())),
        formula: row.formula.clone(),
        drivers: crate::kpi::formula::drivers_of(row),
    }
}
