//! Loads the demo's files into a new workspace through the use cases a user's front
//! ends call, replaying the story on a clock that moves with it: the workspace, teams,
//! people and KPIs first; each quarter's objectives a few days before it starts (its
//! OKR files through `app.okr_files().apply`, as `milepost apply` does); each day's
//! check-ins at the moment they describe (`app.check_ins().import`, as
//! `milepost check-ins import` does); the KPIs' year of measurements
//! (`app.kpis().record_many`, as `milepost kpi import` does); and the previous
//! quarter closed after it ended.
//!
//! What the files cannot say is done through the use case the web app and the API
//! call for it: creating the workspace, its teams and people and their passwords
//! (`data/teams.csv`, `data/people.csv`), the two cycles, the initiatives
//! (`data/initiatives.csv`), the objectives that roll up their children
//! (`data/okrs/rollups.txt`), the key results whose numbers are not the ones their
//! sentence says (`data/okrs/numbers.csv`), and closing the previous quarter.

use crate::files::{self, ANCHOR_CURRENT, ANCHOR_PREVIOUS, Row};
use crate::shift::{Quarter, Shift};
use crate::{DEMO_LOGINS, DEMO_WORKSPACE, DemoLogin, DemoSummary};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use milepost_app::check_in_import::{parse_check_in_csv, split_fields};
use milepost_app::cycle::{CyclePatch, NewCycle};
use milepost_app::kpi::MeasurementSource;
use milepost_app::kpi::measurement::parse_csv;
use milepost_app::okr_file::{Action, ApplyRequest, OkrFileText, Plan};
use milepost_app::person::{NewPerson, PersonQuery};
use milepost_app::team::NewTeam;
use milepost_app::workspace::NewWorkspace;
use milepost_app::{App, AppError, Caller, Clock};
use milepost_core::CycleStatus;
use milepost_core::cycle::midnight;
use milepost_core::{KeyResultId, ObjectiveId, PersonId};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The workspace's display name.
const WORKSPACE_NAME: &str = "Acme Outfitters";

/// A clock the loader moves through the story's history.
struct ReplayClock(Arc<AtomicI64>);

impl ReplayClock {
    fn set(&self, at: Timestamp) {
        self.0.store(at.as_millisecond(), Ordering::SeqCst);
    }
}

/// `days` before (negative: after) midnight UTC of `day`.
fn before(day: Date, days: i64) -> Timestamp {
    let at = midnight(day);
    at.saturating_sub(SignedDuration::from_hours(24 * days)).unwrap_or(at)
}

fn missing(what: &'static str, key: &str) -> AppError {
    AppError::NotFound { what, id: key.to_owned() }
}

/// Loads the demo workspace as it stands on `today`, unless a workspace `demo`
/// already exists, which is left exactly as it is.
pub async fn load_demo(app: &App, today: Date) -> Result<DemoSummary, AppError> {
    if let Ok(caller) = app.workspaces().caller(DEMO_WORKSPACE).await {
        return Ok(DemoSummary {
            logins: demo_logins(app, &caller).await?,
            workspace: caller.workspace_slug,
            loaded: false,
            teams: 0,
            people: 0,
            objectives: 0,
            key_results: 0,
            check_ins: 0,
            kpis: 0,
            measurements: 0,
            initiatives: 0,
        });
    }
    let now = app.now();
    let clock = ReplayClock(Arc::new(AtomicI64::new(now.as_millisecond())));
    let shared = Arc::clone(&clock.0);
    let replay: Clock =
        Arc::new(move || Timestamp::from_millisecond(shared.load(Ordering::SeqCst)).unwrap_or_default());
    let loader = Loader { app: app.with_clock_from(replay), clock, shift: Shift::to(today), now };
    loader.load().await
}

/// The demo's logins, read from its people.
async fn demo_logins(app: &App, caller: &Caller) -> Result<Vec<DemoLogin>, AppError> {
    let people = app.people().list(caller, PersonQuery { limit: Some(500), ..PersonQuery::default() }).await?;
    Ok(DEMO_LOGINS
        .iter()
        .filter_map(|&(handle, password)| {
            let person = people.items.iter().find(|p| p.handle == handle)?;
            Some(DemoLogin { email: person.email.clone(), password, role: person.role })
        })
        .collect())
}

/// One load: the app on the replay clock, and how far the files move.
struct Loader {
    app: App,
    clock: ReplayClock,
    shift: Shift,
    now: Timestamp,
}

/// What one quarter's OKR files created: ids by title and sentence.
#[derive(Default)]
struct Created {
    objectives: HashMap<String, i64>,
    key_results: HashMap<String, i64>,
}

impl Created {
    /// Takes the ids of what a plan created.
    fn add(&mut self, plan: &Plan) {
        for change in plan.changes.iter().filter(|c| c.action == Action::Create) {
            let Some(id) = change.id else { continue };
            match change.what.as_str() {
                "objective" => self.objectives.insert(change.title.clone(), id),
                "key_result" => self.key_results.insert(change.title.clone(), id),
                _ => None,
            };
        }
    }

    fn key_result(&self, sentence: &str) -> Result<i64, AppError> {
        self.key_results.get(sentence).copied().ok_or_else(|| missing("key result", sentence))
    }
}

impl Loader {
    async fn load(&self) -> Result<DemoSummary, AppError> {
        let (previous, current) = (self.shift.previous, self.shift.current);
        self.clock.set(before(previous.start, 14));
        let workspace = self
            .app
            .workspaces()
            .create(NewWorkspace { slug: Some(DEMO_WORKSPACE.to_owned()), name: WORKSPACE_NAME.to_owned() })
            .await?;
        let caller = self.app.workspaces().caller_for(&workspace);
        let teams = self.teams(&caller).await?;
        let people = self.people(&caller, &teams).await?;

        // KPIs are defined a year before, then take their year of measurements: before
        // any key result links to them, so the history feeds no check-ins.
        let kpi_plan = self.apply(&caller, files::under("kpis/")?).await?;
        let kpis: Vec<(String, i64)> = kpi_plan
            .changes
            .iter()
            .filter(|c| c.what == "kpi" && c.action == Action::Create)
            .filter_map(|c| c.id.map(|id| (c.title.clone(), id)))
            .collect();
        self.clock.set(self.now);
        let mut measurements = 0;
        for (path, text) in files::under("measurements/")? {
            let slug = path.trim_start_matches("measurements/").trim_end_matches(".csv");
            let kpi = self.app.kpis().find(&caller, slug).await?;
            let mut rows = parse_csv(&text)?;
            for row in &mut rows {
                row.measured_at = self.shift.kpi_time(row.measured_at);
            }
            rows.retain(|row| row.measured_at <= self.now);
            measurements += self.app.kpis().record_many(&caller, kpi.id, rows, MeasurementSource::Csv).await?.written;
        }

        let mut cycles = Vec::new();
        for quarter in [previous, current] {
            self.clock.set(before(quarter.start, 7));
            let cycle = self
                .app
                .cycles()
                .create(
                    &caller,
                    NewCycle {
                        slug: Some(quarter.slug()),
                        name: quarter.name(),
                        start_date: quarter.start.to_string(),
                        end_date: quarter.end.to_string(),
                        status: Some(CycleStatus::Active),
                        kind: None,
                    },
                )
                .await?;
            cycles.push((quarter, cycle));
        }

        let mut created = Created::default();
        let mut key_results = 0;
        for (quarter, anchor_name) in [(previous, ANCHOR_PREVIOUS), (current, ANCHOR_CURRENT)] {
            // Planned a few days before the quarter begins.
            self.clock.set(before(quarter.start, 3));
            let this_quarter = self.quarter(&caller, &people, quarter, anchor_name).await?;
            key_results += this_quarter.key_results.len();
            created.objectives.extend(this_quarter.objectives);
            created.key_results.extend(this_quarter.key_results);
        }
        let check_ins = self.check_ins(&caller, &created).await?;

        self.clock.set(midnight(current.start));
        let initiatives = self.initiatives(&caller, &people, &created).await?;

        let (previous_quarter, previous_cycle) = &cycles[0];
        self.clock.set(before(previous_quarter.end, -3));
        let close = CyclePatch {
            version: previous_cycle.version,
            slug: None,
            name: None,
            start_date: None,
            end_date: None,
            status: Some(CycleStatus::Closed),
            kind: None,
        };
        self.app.cycles().update(&caller, previous_cycle.id, close).await?;

        for (handle, password) in DEMO_LOGINS {
            let id = people.get(handle).copied().ok_or_else(|| missing("person", handle))?;
            self.app.access().set_password(&caller, PersonId(id), password).await?;
        }
        Ok(DemoSummary {
            logins: demo_logins(&self.app, &caller).await?,
            workspace: workspace.slug,
            loaded: true,
            teams: teams.len(),
            people: people.len(),
            objectives: created.objectives.len(),
            key_results,
            check_ins,
            kpis: kpis.len(),
            measurements: usize::try_from(measurements).unwrap_or(usize::MAX),
            initiatives,
        })
    }

    /// Applies files as `milepost apply` does, all in one transaction.
    async fn apply(&self, caller: &Caller, files: Vec<(String, String)>) -> Result<Plan, AppError> {
        let files = files.into_iter().map(|(name, text)| OkrFileText { name, text }).collect();
        self.app.okr_files().apply(caller, ApplyRequest { files, dry_run: false, reason: None, archive: false }).await
    }

    /// The teams of `data/teams.csv`, parents first: slug → id.
    async fn teams(&self, caller: &Caller) -> Result<HashMap<String, i64>, AppError> {
        let mut teams = HashMap::new();
        for row in files::rows("teams.csv")? {
            let parent_team_id =
                row.get("parent").map(|p| teams.get(p).copied().ok_or_else(|| missing("team", p))).transpose()?;
            let new = NewTeam {
                slug: Some(row.need("slug")?.to_owned()),
                name: row.need("name")?.to_owned(),
                parent_team_id,
            };
            let team = self.app.teams().create(caller, new).await?;
            teams.insert(team.slug, team.id.get());
        }
        Ok(teams)
    }

    /// The people of `data/people.csv`: handle → id.
    async fn people(&self, caller: &Caller, teams: &HashMap<String, i64>) -> Result<HashMap<String, i64>, AppError> {
        let mut people = HashMap::new();
        for row in files::rows("people.csv")? {
            let team_id =
                row.get("team").map(|t| teams.get(t).copied().ok_or_else(|| missing("team", t))).transpose()?;
            let role = serde_json::from_value(json!(row.need("role")?)).map_err(|e| AppError::invalid("/role", e))?;
            let new = NewPerson {
                handle: Some(row.need("handle")?.to_owned()),
                name: row.need("name")?.to_owned(),
                email: row.need("email")?.to_owned(),
                role: Some(role),
                team_id,
            };
            let person = self.app.people().create(caller, new).await?;
            people.insert(person.handle, person.id.get());
        }
        Ok(people)
    }

    /// A quarter's OKR files, their `cycle:` line naming the quarter they move to.
    fn okr_files(&self, quarter: Quarter, anchor_name: &str) -> Result<Vec<(String, String)>, AppError> {
        let from = format!("cycle: {anchor_name}\n");
        let to = format!("cycle: {}\n", quarter.file_name());
        Ok(files::under(&format!("okrs/{anchor_name}/"))?
            .into_iter()
            .map(|(path, text)| (path.replace(anchor_name, &quarter.file_name()), text.replacen(&from, &to, 1)))
            .collect())
    }

    /// One quarter's OKR files, applied a few days before it begins, and what they
    /// cannot say, through the use cases the API calls: the key results whose sentence
    /// apply cannot read as the demo has them (a relative change with no start, another
    /// kind) are added to their objective at their place (`data/okrs/numbers.csv` rows
    /// with an objective), the key results whose numbers are not the ones their sentence
    /// says are changed (the other rows; before the quarter starts, so no goal moves),
    /// and the objectives of `data/okrs/rollups.txt` roll up their aligned children.
    ///
    /// Key results are listed in the order they were made, so the files are applied in
    /// steps, as a team would after adding a key result through the web app and
    /// exporting: each step holds, in each objective, the lines up to the next key
    /// result to add, and the ids of everything made before.
    async fn quarter(
        &self,
        caller: &Caller,
        people: &HashMap<String, i64>,
        quarter: Quarter,
        anchor_name: &str,
    ) -> Result<Created, AppError> {
        self.clock.set(before(quarter.start, 3));
        let numbers = files::rows("okrs/numbers.csv")?;
        let mut parsed: Vec<(String, milepost_okrfile::OkrFile)> = self
            .okr_files(quarter, anchor_name)?
            .into_iter()
            .map(|(name, text)| (name, milepost_okrfile::parse(&text).file))
            .collect();
        let mut to_add: HashMap<String, &Row> = HashMap::new();
        for row in numbers.iter().filter(|row| row.get("objective").is_some()) {
            let objective = row.need("objective")?;
            let Some(found) =
                parsed.iter_mut().flat_map(|(_, f)| f.objectives.iter_mut()).find(|o| o.title == objective)
            else {
                continue;
            };
            let sentence = row.need("key_result")?;
            let position = row.get("position").and_then(|p| p.parse().ok()).unwrap_or(usize::MAX);
            let mut line = milepost_okrfile::KeyResult::new(sentence);
            line.owner = row.get("owner").map(|o| o.trim_start_matches('@').to_owned());
            line.weight = row
                .get("weight")
                .and_then(|w| w.parse().ok())
                .filter(|w| *w != 1.0)
                .and_then(|w| milepost_core::Weight::try_new(w).ok());
            found.key_results.insert(position.min(found.key_results.len()), line);
            to_add.insert(sentence.to_owned(), row);
        }
        let mut created = Created::default();
        loop {
            let step = parsed.iter().map(|(name, file)| (name.clone(), step_text(file, &created, &to_add))).collect();
            let plan = self.apply(caller, step).await?;
            created.add(&plan);
            let next: Vec<(i64, &Row)> = parsed
                .iter()
                .flat_map(|(_, file)| &file.objectives)
                .filter_map(|o| {
                    let row = o.key_results.iter().find_map(|k| to_add.get(&k.text).copied())?;
                    Some((*created.objectives.get(&o.title)?, row))
                })
                .collect();
            if next.is_empty() {
                break;
            }
            for (objective, row) in next {
                let sentence = row.need("key_result")?;
                let owner = row.need("owner")?.trim_start_matches('@');
                let mut new = numbers_of(row)?;
                new["title"] = json!(sentence);
                new["weight"] = json!(row.get("weight").and_then(|w| w.parse::<f64>().ok()));
                new["owner_person_id"] = json!(people.get(owner).copied().ok_or_else(|| missing("person", owner))?);
                let new = serde_json::from_value(new).map_err(|e| AppError::invalid("", e))?;
                let key_result = self.app.key_results().create(caller, ObjectiveId(objective), new).await?;
                created.key_results.insert(sentence.to_owned(), key_result.id.get());
                to_add.remove(sentence);
            }
        }
        for row in numbers.iter().filter(|row| row.get("objective").is_none()) {
            let Some(&id) = created.key_results.get(row.need("key_result")?) else { continue };
            let mut change = numbers_of(row)?;
            change["version"] = json!(self.app.key_results().get(caller, KeyResultId(id)).await?.version);
            let change = serde_json::from_value(change).map_err(|e| AppError::invalid("", e))?;
            self.app.key_results().update(caller, KeyResultId(id), change).await?;
        }
        let slug_of = |title: &str| milepost_core::Slug::from_title(title).map(|s| s.as_str().to_owned());
        let rollups = files::text("okrs/rollups.txt")?;
        for path in rollups.lines().filter_map(|l| l.strip_prefix(anchor_name)).map(str::trim) {
            let slug = path.rsplit_once('/').map_or(path, |(_, slug)| slug);
            let id = created
                .objectives
                .iter()
                .find(|(title, _)| slug_of(title).as_deref() == Some(slug))
                .map(|(_, id)| *id)
                .ok_or_else(|| missing("objective", path))?;
            let objective = self.app.objectives().get(caller, ObjectiveId(id)).await?;
            let change = serde_json::from_value(json!({"version": objective.version, "rollup_children": true}))
                .map_err(|e| AppError::invalid("", e))?;
            self.app.objectives().update(caller, ObjectiveId(id), change).await?;
        }
        Ok(created)
    }

    /// Every quarter's check-in history, each day's imported at the moment it
    /// describes. The files name key results by their sentence; the ids apply gave
    /// them are put in their place, as `KR-41`, as a user's file would have them.
    async fn check_ins(&self, caller: &Caller, created: &Created) -> Result<usize, AppError> {
        let mut days: BTreeMap<Timestamp, Vec<String>> = BTreeMap::new();
        let mut header = String::new();
        for (path, text) in files::under("check-ins/")? {
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            header = lines.next().unwrap_or_default().to_owned();
            for line in lines {
                let broken = || AppError::invalid("", format!("the demo file {path} has a broken line: {line}"));
                let mut fields = split_fields(line).ok_or_else(broken)?;
                let at: Timestamp = fields.get(1).and_then(|t| t.parse().ok()).ok_or_else(broken)?;
                let at = self.shift.okr_time(at);
                if at > self.now {
                    continue;
                }
                let sentence = fields.first().ok_or_else(broken)?;
                fields[0] = format!("KR-{}", created.key_result(sentence)?);
                fields[1] = at.to_string();
                let day = at.to_zoned(jiff::tz::TimeZone::UTC).date();
                days.entry(midnight(day)).or_default().push(csv_line(&fields));
            }
        }
        let mut count = 0;
        for lines in days.into_values() {
            let rows = parse_check_in_csv(&format!("{header}\n{}\n", lines.join("\n")))?;
            let last = rows.iter().map(|r| r.checked_in_at).max().unwrap_or(self.now);
            // Recorded a few minutes after the latest of the day's check-ins.
            self.clock.set(last.saturating_add(SignedDuration::from_mins(3)).unwrap_or(last).min(self.now));
            count += usize::try_from(self.app.check_ins().import(caller, rows).await?.imported).unwrap_or(0);
        }
        Ok(count)
    }

    /// The initiatives of `data/initiatives.csv`, through the API's use case.
    async fn initiatives(
        &self,
        caller: &Caller,
        people: &HashMap<String, i64>,
        created: &Created,
    ) -> Result<usize, AppError> {
        let rows: Vec<Row> = files::rows("initiatives.csv")?;
        for row in &rows {
            let owner = row.need("owner")?.trim_start_matches('@');
            let key_result_ids = row
                .need("key_results")?
                .split(" | ")
                .map(|sentence| created.key_result(sentence))
                .collect::<Result<Vec<_>, _>>()?;
            let due = row.get("due").and_then(|d| d.parse::<Date>().ok()).map(|d| self.shift.okr_day(d).to_string());
            let new = serde_json::from_value(json!({
                "title": row.need("title")?,
                "owner_person_id": people.get(owner).copied().ok_or_else(|| missing("person", owner))?,
                "status": row.need("status")?,
                "due_date": due,
                "link": row.get("link"),
                "key_result_ids": key_result_ids,
            }))
            .map_err(|e| AppError::invalid("", e))?;
            self.app.initiatives().create(caller, new).await?;
        }
        Ok(rows.len())
    }
}

/// A key result's numbers as a `data/okrs/numbers.csv` row gives them, as the API's
/// body has them.
fn numbers_of(row: &Row) -> Result<serde_json::Value, AppError> {
    let number = |name: &str| row.get(name).and_then(|v| v.parse::<f64>().ok());
    Ok(json!({
        "kind": row.need("kind")?,
        "metric": row.get("metric"),
        "unit": row.get("unit"),
        "start": number("start"),
        "target": number("target"),
        "range": number("low").zip(number("high")).map(|(low, high)| [low, high]),
        "comparator": row.get("comparator"),
    }))
}

/// One step of a quarter's file (see [`Loader::quarter`]): what was made carries its
/// id, and each objective stops before its next key result still to add.
fn step_text(file: &milepost_okrfile::OkrFile, created: &Created, to_add: &HashMap<String, &Row>) -> String {
    let mut step = file.clone();
    for objective in &mut step.objectives {
        objective.id = created.objectives.get(&objective.title).map(|id| milepost_core::ObjectiveId(*id));
        let stop = objective.key_results.iter().position(|k| to_add.contains_key(&k.text));
        objective.key_results.truncate(stop.unwrap_or(usize::MAX));
        for key_result in &mut objective.key_results {
            key_result.id = created.key_results.get(&key_result.text).map(|id| milepost_core::KeyResultId(*id));
        }
    }
    milepost_okrfile::render(&step)
}

/// One CSV line of `fields`, each quoted when it must be.
fn csv_line(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"']) || f.trim() != f { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() }
        })
        .collect();
    quoted.join(",")
}
