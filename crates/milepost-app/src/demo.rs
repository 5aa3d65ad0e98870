//! Loads the demo workspace (slug `demo`) of [`crate::demo_story`] through the same use
//! cases every front end calls, replaying its history on a clock that moves with it:
//! objectives are written before their cycle starts, each check-in at the moment it
//! describes, and the previous quarter is closed after it ended. The result looks
//! exactly as if a company had used Milepost for two quarters.

use crate::check_in::{NewCheckIn, write_check_in};
use crate::cycle::{CyclePatch, NewCycle};
use crate::demo_story::{DemoStory, demo_story};
use crate::error::AppError;
use crate::initiative::{InitiativeStatus, NewInitiative};
use crate::key_result::NewKeyResult;
use crate::objective::NewObjective;
use crate::person::{NewPerson, Role};
use crate::team::NewTeam;
use crate::workspace::NewWorkspace;
use crate::{App, Caller};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use milepost_core::cycle::midnight;
use milepost_core::{Cadence, Comparator, CycleStatus, KeyResultKind, KpiDirection, KpiTier, Named};
use milepost_store::{KpiFields, NewMeasurement};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The demo's people who can log in, with their known passwords: an admin and a member.
pub const DEMO_LOGINS: [(&str, &str); 2] = [("alex", "milepost-demo-admin"), ("dana", "milepost-demo-member")];

/// A demo person who can log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Their email.
    pub email: String,
    /// Their demo password.
    pub password: &'static str,
    /// Their role.
    pub role: crate::person::Role,
}

/// What the demo loader did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// The workspace's slug.
    pub workspace: String,
    /// Whether it was loaded now (false: it was already there and was left alone).
    pub loaded: bool,
    /// Teams created.
    pub teams: usize,
    /// People created.
    pub people: usize,
    /// Objectives created.
    pub objectives: usize,
    /// Key results created.
    pub key_results: usize,
    /// Check-ins recorded.
    pub check_ins: usize,
    /// KPIs created.
    pub kpis: usize,
    /// KPI measurements recorded.
    pub measurements: usize,
    /// Initiatives created.
    pub initiatives: usize,
    /// Who can log in, and how.
    pub logins: Vec<DemoLogin>,
}

/// A clock the loader moves through the story's history.
struct ReplayClock(Arc<AtomicI64>);

impl ReplayClock {
    fn set(&self, at: Timestamp) {
        self.0.store(at.as_millisecond(), Ordering::SeqCst);
    }
}

fn parse_role(text: &str) -> Role {
    match text {
        "admin" => Role::Admin,
        "editor" => Role::Editor,
        "viewer" => Role::Viewer,
        _ => Role::Member,
    }
}

fn parse_status(text: &str) -> InitiativeStatus {
    match text {
        "active" => InitiativeStatus::Active,
        "done" => InitiativeStatus::Done,
        "dropped" => InitiativeStatus::Dropped,
        _ => InitiativeStatus::Planned,
    }
}

fn missing(what: &'static str, key: &str) -> AppError {
    AppError::NotFound { what, id: key.to_owned() }
}

impl App {
    /// Loads the demo workspace as it stands on `today`, unless a workspace `demo`
    /// already exists, which is left exactly as it is.
    pub async fn load_demo(&self, today: Date) -> Result<DemoSummary, AppError> {
        let story = demo_story(today);
        if let Ok(caller) = self.caller_for_workspace(&story.workspace_slug).await {
            return Ok(DemoSummary {
                logins: self.demo_logins(&caller).await?,
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
        let clock = ReplayClock(Arc::new(AtomicI64::new(self.now_ms())));
        let shared = Arc::clone(&clock.0);
        let replay = App::with_clock(
            self.store.clone(),
            Arc::new(move || Timestamp::from_millisecond(shared.load(Ordering::SeqCst)).unwrap_or_default()),
        );
        replay.replay_story(&story, &clock, self.now()).await
    }

    async fn replay_story(
        &self,
        story: &DemoStory,
        clock: &ReplayClock,
        now: Timestamp,
    ) -> Result<DemoSummary, AppError> {
        let first_day = story.cycles.iter().map(|c| c.start).min().unwrap_or_default();
        clock.set(midnight(first_day).saturating_sub(SignedDuration::from_hours(24 * 14)).unwrap_or(now));
        let workspace = self
            .create_workspace(NewWorkspace {
                slug: Some(story.workspace_slug.clone()),
                name: story.workspace_name.clone(),
            })
            .await?;
        let caller = self.caller_for(&workspace);

        let mut teams = HashMap::new();
        for team in &story.teams {
            let parent_team_id =
                team.parent.as_ref().map(|p| teams.get(p).copied().ok_or_else(|| missing("team", p))).transpose()?;
            let view = self
                .create_team(
                    &caller,
                    NewTeam { slug: Some(team.slug.clone()), name: team.name.clone(), parent_team_id },
                )
                .await?;
            teams.insert(team.slug.clone(), view.id);
        }
        let mut people = HashMap::new();
        for person in &story.people {
            let team_id =
                person.team.as_ref().map(|t| teams.get(t).copied().ok_or_else(|| missing("team", t))).transpose()?;
            let view = self
                .create_person(
                    &caller,
                    NewPerson {
                        handle: Some(person.handle.clone()),
                        name: person.name.clone(),
                        email: person.email.clone(),
                        role: Some(parse_role(person.role)),
                        team_id,
                    },
                )
                .await?;
            people.insert(person.handle.clone(), view.id);
        }
        let person = |handle: &str| people.get(handle).copied().ok_or_else(|| missing("person", handle));

        let (kpis, measurements) = self.seed_kpis(&caller, story, &people, now).await?;

        let mut cycles = HashMap::new();
        for cycle in &story.cycles {
            clock.set(midnight(cycle.start).saturating_sub(SignedDuration::from_hours(24 * 7)).unwrap_or(now));
            let view = self
                .create_cycle(
                    &caller,
                    NewCycle {
                        slug: Some(cycle.slug.clone()),
                        name: cycle.name.clone(),
                        start_date: cycle.start.to_string(),
                        end_date: cycle.end.to_string(),
                        status: Some(CycleStatus::Active),
                        kind: None,
                    },
                )
                .await?;
            cycles.insert(cycle.slug.clone(), (view, cycle));
        }

        let mut objectives = HashMap::new();
        let mut key_results = HashMap::new();
        let mut key_result_count = 0;
        for objective in &story.objectives {
            let (cycle, demo_cycle) = cycles.get(&objective.cycle).ok_or_else(|| missing("cycle", &objective.cycle))?;
            // Planned a few days before the quarter begins.
            clock.set(midnight(demo_cycle.start).saturating_sub(SignedDuration::from_hours(24 * 3)).unwrap_or(now));
            let mut new_key_results = Vec::new();
            for kr in &objective.key_results {
                new_key_results.push(NewKeyResult {
                    title: kr.title.clone(),
                    kind: KeyResultKind::parse(kr.kind).ok_or_else(|| missing("key result kind", kr.kind))?,
                    metric: Some(kr.metric.clone()),
                    unit: kr.unit.map(str::to_owned),
                    start: kr.start,
                    target: kr.target,
                    range: kr.range.map(|(low, high)| [low, high]),
                    comparator: kr.comparator.and_then(Comparator::parse),
                    relative_change: None,
                    delta: None,
                    weight: Some(kr.weight),
                    owner_person_id: Some(person(&kr.owner)?),
                    cadence: None,
                    kpi_id: kr
                        .kpi
                        .as_ref()
                        .map(|k| kpis.get(k).copied().ok_or_else(|| missing("KPI", k)))
                        .transpose()?,
                    target_schedule: None,
                });
            }
            let parent_objective_id = objective
                .parent
                .as_ref()
                .map(|p| objectives.get(p).copied().ok_or_else(|| missing("objective", p)))
                .transpose()?;
            let view = self
                .create_objective(
                    &caller,
                    NewObjective {
                        cycle_id: cycle.id,
                        title: objective.title.clone(),
                        description: Some(objective.description.clone()),
                        owner_person_id: objective.owner_person.as_deref().map(&person).transpose()?,
                        owner_team_id: objective
                            .owner_team
                            .as_ref()
                            .map(|t| teams.get(t).copied().ok_or_else(|| missing("team", t)))
                            .transpose()?,
                        commitment: milepost_core::Commitment::parse(objective.commitment),
                        parent_objective_id,
                        parent_key_result_id: None,
                        visibility: None,
                        rollup_children: Some(objective.rollup_children),
                        key_results: new_key_results,
                    },
                )
                .await?;
            for (kr, created) in objective.key_results.iter().zip(&view.key_results) {
                key_results.insert(kr.key.clone(), (created.id, kr));
            }
            key_result_count += view.key_results.len();
            objectives.insert(objective.key.clone(), view.id);
        }

        // Every key result's history in one transaction: the check-ins go through the
        // same checks as any other, at the time each describes.
        let mut check_ins = 0;
        let mut tx = self.store.write().await?;
        for (id, kr) in key_results.values() {
            for check_in in &kr.check_ins {
                let new = NewCheckIn {
                    value: check_in.value,
                    confidence: Some(i64::from(check_in.confidence)),
                    note: Some(check_in.note.clone()),
                    blockers: check_in.blockers.clone(),
                    checked_in_at: Some(check_in.at),
                    author_person_id: Some(person(&kr.owner)?),
                };
                let recorded_at = check_in.at.saturating_add(SignedDuration::from_mins(3)).unwrap_or(check_in.at);
                write_check_in(&mut tx, &caller, *id, new, "manual", recorded_at).await?;
                check_ins += 1;
            }
            tx.refresh_current_value(caller.workspace, *id).await?;
        }
        tx.commit().await?;

        let current_start = story.cycles.iter().map(|c| c.start).max().unwrap_or(first_day);
        clock.set(midnight(current_start));
        for initiative in &story.initiatives {
            let key_result_ids = initiative
                .key_results
                .iter()
                .map(|k| key_results.get(k).map(|(id, _)| *id).ok_or_else(|| missing("key result", k)))
                .collect::<Result<Vec<_>, _>>()?;
            self.create_initiative(
                &caller,
                NewInitiative {
                    title: initiative.title.clone(),
                    description: None,
                    owner_person_id: Some(person(&initiative.owner)?),
                    status: Some(parse_status(initiative.status)),
                    due_date: initiative.due.map(|d| d.to_string()),
                    link: initiative.link.clone(),
                    key_result_ids,
                },
            )
            .await?;
        }

        for (cycle, demo_cycle) in cycles.values() {
            if demo_cycle.status == "closed" {
                clock.set(midnight(demo_cycle.end).saturating_add(SignedDuration::from_hours(24 * 3)).unwrap_or(now));
                let change = CyclePatch {
                    version: cycle.version,
                    slug: None,
                    name: None,
                    start_date: None,
                    end_date: None,
                    status: Some(CycleStatus::Closed),
                    kind: None,
                };
                self.update_cycle(&caller, cycle.id, change).await?;
            }
        }

        for (handle, password) in DEMO_LOGINS {
            self.set_password(&caller, person(handle)?, password).await?;
        }
        Ok(DemoSummary {
            logins: self.demo_logins(&caller).await?,
            workspace: workspace.slug,
            loaded: true,
            teams: teams.len(),
            people: people.len(),
            objectives: objectives.len(),
            key_results: key_result_count,
            check_ins,
            kpis: kpis.len(),
            measurements,
            initiatives: story.initiatives.len(),
        })
    }

    /// The demo's logins, read from its people.
    async fn demo_logins(&self, caller: &Caller) -> Result<Vec<DemoLogin>, AppError> {
        let mut tx = self.store.read().await?;
        let mut logins = Vec::new();
        for (handle, password) in DEMO_LOGINS {
            if let Some(person) = tx.person_by_handle(caller.workspace, handle).await? {
                logins.push(DemoLogin { email: person.email, password, role: Role::from_stored(&person.role) });
            }
        }
        Ok(logins)
    }

    /// Stores the story's KPIs and their year of measurements. KPIs have no use cases of
    /// their own yet (they arrive with the KPI capability), so this writes them directly.
    async fn seed_kpis(
        &self,
        caller: &Caller,
        story: &DemoStory,
        people: &HashMap<String, i64>,
        now: Timestamp,
    ) -> Result<(HashMap<String, i64>, usize), AppError> {
        let mut tx = self.store.write().await?;
        let mut ids = HashMap::new();
        let mut count = 0;
        for kpi in &story.kpis {
            let fields = KpiFields {
                slug: kpi.slug.clone(),
                name: kpi.name.clone(),
                description: kpi.description.clone(),
                owner_person_id: people.get(&kpi.owner).copied(),
                unit: kpi.unit.map(str::to_owned),
                direction: KpiDirection::parse(kpi.direction).unwrap_or(KpiDirection::HigherIsBetter),
                target: kpi.target,
                range_low: kpi.range.map(|r| r.0),
                range_high: kpi.range.map(|r| r.1),
                warning_band: kpi.warning_band,
                cadence: Cadence::parse(kpi.cadence).unwrap_or(Cadence::Weekly),
                tier: KpiTier::parse(kpi.tier).unwrap_or(KpiTier::Kpi),
                tags: serde_json::to_string(&kpi.tags).unwrap_or_else(|_| "[]".to_owned()),
                lagging_after: 2,
                source: None,
            };
            let created_at = kpi.measurements.first().map_or(now, |m| m.0);
            let row = tx.insert_kpi(caller.workspace, &fields, created_at.as_millisecond()).await?;
            let measurements: Vec<NewMeasurement<'_>> = kpi
                .measurements
                .iter()
                .map(|(at, value)| NewMeasurement { value: *value, measured_at: at.as_millisecond(), source: "api" })
                .collect();
            tx.insert_measurements(caller.workspace, row.id, &measurements, now.as_millisecond()).await?;
            count += measurements.len();
            ids.insert(kpi.slug.clone(), row.id);
        }
        tx.commit().await?;
        Ok((ids, count))
    }
}

/// The SQLite file, in the data directory, whose table feeds the demo's support KPI.
pub const DEMO_METRICS_FILE: &str = "demo-metrics.db";
/// The demo KPI fed by a SQL source.
const DEMO_SOURCED_KPI: &str = "first-response-time";

impl App {
    /// Gives the demo workspace's `first-response-time` KPI a SQL pull source: a small
    /// SQLite file written into `data_dir` ([`DEMO_METRICS_FILE`], a week of hours with
    /// the KPI's latest value last), so the scheduler has a source it can run locally.
    /// Leaves a KPI that already has a source as it is; whether it set one.
    pub async fn attach_demo_sources(
        &self,
        workspace_slug: &str,
        data_dir: &std::path::Path,
    ) -> Result<bool, AppError> {
        use sqlx::{ConnectOptions, Connection};
        let caller = self.caller_for_workspace(workspace_slug).await?;
        let kpi = self.find_kpi(&caller, DEMO_SOURCED_KPI).await?;
        if kpi.source.is_some() {
            return Ok(false);
        }
        // An absolute path: the source must read the same file whatever the directory
        // the server runs in later.
        let file = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_owned()).join(DEMO_METRICS_FILE);
        let url = format!("sqlite://{}", file.display());
        let failed = |e: sqlx::Error| AppError::Conflict {
            code: "demo_source",
            detail: format!("could not write the demo's metrics file {}: {e}", file.display()),
            location: None,
        };
        let latest = kpi.state.last_value.unwrap_or(4.0);
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&file).create_if_missing(true);
        let mut conn = options.connect().await.map_err(failed)?;
        let written = async {
            sqlx::query("CREATE TABLE IF NOT EXISTS first_response (day TEXT PRIMARY KEY, hours REAL NOT NULL)")
                .execute(&mut conn)
                .await?;
            for back in (0..7i32).rev() {
                let day = today.checked_sub(jiff::Span::new().days(back)).unwrap_or(today);
                // A week drifting down to the latest value, an hour a day.
                let hours = latest + f64::from(back) * 0.25;
                sqlx::query("INSERT OR REPLACE INTO first_response (day, hours) VALUES ($1, $2)")
                    .bind(day.to_string())
                    .bind(hours)
                    .execute(&mut conn)
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await;
        let _ = conn.close().await;
        written.map_err(failed)?;
        let change: crate::kpi::KpiPatch = serde_json::from_value(serde_json::json!({
            "version": kpi.version,
            "source": {"kind": "sql", "url": url,
                       "query": "SELECT hours AS value FROM first_response ORDER BY day DESC LIMIT 1"},
        }))
        .map_err(|e| AppError::invalid("/source", e))?;
        self.update_kpi(&caller, kpi.id, change).await?;
        Ok(true)
    }
}

/// The demo KPI fed by a PromQL source on the demo's stand-in for Prometheus.
pub const DEMO_PROMETHEUS_KPI: &str = "website-uptime";
/// The demo KPI fed by a JSON source on the demo's stand-in status document.
pub const DEMO_JSON_KPI: &str = "checkout-latency-p95";
/// The one PromQL query the demo's stand-in for Prometheus answers: the storefront's
/// uptime over the last day, in percent.
pub const DEMO_PROMQL: &str = "avg_over_time(probe_success{job=\"storefront\"}[1d]) * 100";
/// Where the number is in the demo's stand-in status document.
pub const DEMO_JSON_PATH: &str = "checkout.latency_p95_ms";

/// The numbers the demo's stand-in ops endpoint serves now, read from the demo's
/// metrics file ([`DEMO_METRICS_FILE`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoOps {
    /// The storefront's uptime over the last day, in percent.
    pub uptime_pct: f64,
    /// The checkout's p95 latency, in milliseconds.
    pub checkout_p95_ms: f64,
}

/// Reads the demo's ops numbers for the moment `now` from the metrics file `file`
/// (opened read-only): the day's row (the latest one up to that day), moved a little
/// with the time of day, so that each run measures something new. The error is a
/// sentence.
pub async fn read_demo_ops(file: &std::path::Path, now: Timestamp) -> Result<DemoOps, String> {
    use sqlx::{ConnectOptions, Connection, Row};
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file).read_only(true).create_if_missing(false);
    let failed = |e: sqlx::Error| format!("could not read the demo's metrics file {}: {e}", file.display());
    let mut conn = options.connect().await.map_err(failed)?;
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let row =
        sqlx::query("SELECT uptime_pct, checkout_p95_ms FROM ops_daily WHERE day <= $1 ORDER BY day DESC LIMIT 1")
            .bind(today)
            .fetch_optional(&mut conn)
            .await;
    let _ = conn.close().await;
    let row = row.map_err(failed)?.ok_or_else(|| "the demo's metrics file has no ops rows yet".to_owned())?;
    let (uptime, latency): (f64, f64) = (row.try_get(0).map_err(failed)?, row.try_get(1).map_err(failed)?);
    // A slow wave over the day, a few minutes a step: the numbers move, around the day's.
    let phase = (now.as_second() / 300) as f64 / 288.0 * std::f64::consts::TAU;
    Ok(DemoOps {
        uptime_pct: ((uptime + 0.02 * phase.sin()) * 1000.0).round().min(100_000.0) / 1000.0,
        checkout_p95_ms: (latency + 25.0 * phase.sin()).round(),
    })
}

impl App {
    /// Gives two demo KPIs sources on the demo's stand-in ops endpoint at `ops_base`
    /// (`http://127.0.0.1:8080/demo/ops/`, served by `milepost serve --demo` itself):
    /// `website-uptime` a PromQL source ([`DEMO_PROMQL`]), `checkout-latency-p95` a JSON
    /// one ([`DEMO_JSON_PATH`]), their numbers written as a week of rows into the
    /// metrics file in `data_dir` (table `ops_daily`). Run at every demo start: the
    /// server's address may have changed, and the sources follow it. Whether a source
    /// was set or changed.
    pub async fn attach_demo_ops_sources(
        &self,
        workspace_slug: &str,
        data_dir: &std::path::Path,
        ops_base: &str,
    ) -> Result<bool, AppError> {
        use sqlx::{ConnectOptions, Connection};
        let caller = self.caller_for_workspace(workspace_slug).await?;
        let uptime = self.find_kpi(&caller, DEMO_PROMETHEUS_KPI).await?;
        let latency = self.find_kpi(&caller, DEMO_JSON_KPI).await?;
        let base = ops_base.trim_end_matches('/');
        let prometheus = crate::kpi::KpiSource::Prometheus { url: base.to_owned(), query: DEMO_PROMQL.to_owned() };
        let json =
            crate::kpi::KpiSource::HttpJson { url: format!("{base}/status.json"), path: DEMO_JSON_PATH.to_owned() };
        let file = std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_owned()).join(DEMO_METRICS_FILE);
        let failed = |e: sqlx::Error| AppError::Conflict {
            code: "demo_source",
            detail: format!("could not write the demo's metrics file {}: {e}", file.display()),
            location: None,
        };
        let today = self.now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let (last_uptime, last_latency) =
            (uptime.state.last_value.unwrap_or(99.9), latency.state.last_value.unwrap_or(700.0));
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&file).create_if_missing(true);
        let mut conn = options.connect().await.map_err(failed)?;
        let written = async {
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS ops_daily \
                 (day TEXT PRIMARY KEY, uptime_pct REAL NOT NULL, checkout_p95_ms REAL NOT NULL)",
            )
            .execute(&mut conn)
            .await?;
            // A week up to today and one ahead, from the KPIs' latest values; days
            // already written keep their numbers.
            for offset in -7i32..=7 {
                let day = today.checked_add(jiff::Span::new().days(offset)).unwrap_or(today);
                let swing = f64::from((offset * 7).rem_euclid(5) - 2);
                sqlx::query("INSERT OR IGNORE INTO ops_daily (day, uptime_pct, checkout_p95_ms) VALUES ($1, $2, $3)")
                    .bind(day.to_string())
                    .bind((last_uptime + 0.01 * swing).min(100.0))
                    .bind(last_latency + 15.0 * swing)
                    .execute(&mut conn)
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await;
        let _ = conn.close().await;
        written.map_err(failed)?;
        let mut changed = false;
        for (kpi, source, what) in [(&uptime, prometheus, "Prometheus"), (&latency, json, "JSON status endpoint")] {
            if kpi.source.as_ref() == Some(&source) {
                continue;
            }
            let description = format!(
                "Demo: pulled from the demo's stand-in for your {what}, served by milepost serve --demo at {base}/. \
                 Point the source at your own to use it for real."
            );
            let change: crate::kpi::KpiPatch = serde_json::from_value(serde_json::json!({
                "version": kpi.version, "description": description, "source": source,
            }))
            .map_err(|e| AppError::invalid("/source", e))?;
            self.update_kpi(&caller, kpi.id, change).await?;
            changed = true;
        }
        Ok(changed)
    }
}
