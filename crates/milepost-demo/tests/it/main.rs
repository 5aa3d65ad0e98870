//! The demo as a newcomer meets it, loaded from its files through the app on several
//! days (mid-quarter, early in a year, a quarter's first and last days, a leap year's
//! Q1): the story has enough of everything, its quarters are the one around today and
//! the one before, its history sits before now, its statuses and grades cover every
//! colour, and its KPIs have a year of history. On SQLite, and once on PostgreSQL when
//! `MILEPOST_TEST_POSTGRES_URL` is set.

#![expect(clippy::unwrap_used, reason = "a test that cannot set up should fail loudly")]

mod sentences;

use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use milepost_app::{App, Caller};
use milepost_core::KeyResultId;
use milepost_sql::test_support::{postgres_store, postgres_url, sqlite_store};
use milepost_sql::{Storage, Store};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Mid-quarter, early in a year, a quarter's first and last days, a leap year's Q1.
const DAYS: [(i16, i8, i8); 6] =
    [(2026, 12, 1), (2027, 2, 10), (2026, 7, 1), (2026, 9, 30), (2028, 3, 31), (2027, 5, 20)];

/// The demo's files' own day, and the same place in later quarters: mid-quarter.
const MID_QUARTER: [(i16, i8, i8); 2] = [(2026, 12, 7), (2027, 3, 9)];

/// Noon UTC on `day`.
fn noon(day: Date) -> Timestamp {
    day.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp().saturating_add(SignedDuration::from_hours(12)).unwrap()
}

/// The demo loaded on `day` (the app's clock at its noon), as JSON views.
struct Loaded {
    app: App,
    caller: Caller,
    store: Store,
    now: Timestamp,
    cycles: Vec<Value>,
    objectives: Vec<Value>,
    key_results: Vec<Value>,
    check_ins: HashMap<i64, Vec<Value>>,
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

fn query<T: serde::de::DeserializeOwned>() -> T {
    serde_json::from_value(json!({"limit": 500})).unwrap()
}

async fn load(store: Store, day: Date) -> Loaded {
    let now = noon(day);
    let app = App::with_clock(store.clone().into_database(), Arc::new(move || now));
    let summary = milepost_demo::load_demo(&app, day).await.unwrap();
    assert!(summary.loaded);
    let caller = app.workspaces().caller("demo").await.unwrap();
    let cycles = json_of(&app.cycles().list(&caller, query()).await.unwrap())["items"].as_array().unwrap().clone();
    let objectives =
        json_of(&app.objectives().list(&caller, query()).await.unwrap())["items"].as_array().unwrap().clone();
    let key_results =
        json_of(&app.key_results().list(&caller, query()).await.unwrap())["items"].as_array().unwrap().clone();
    let mut check_ins = HashMap::new();
    for key_result in &key_results {
        let id = key_result["id"].as_i64().unwrap();
        let page = app.check_ins().list(&caller, KeyResultId(id), query()).await.unwrap();
        check_ins.insert(id, json_of(&page)["items"].as_array().unwrap().clone());
    }
    Loaded { app, caller, store, now, cycles, objectives, key_results, check_ins }
}

async fn on_sqlite(day: Date) -> (Loaded, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await.unwrap();
    (load(store, day).await, dir)
}

fn count<T>(items: &[T], test: impl Fn(&T) -> bool) -> usize {
    items.iter().filter(|item| test(item)).count()
}

impl Loaded {
    fn cycle_of(&self, key_result: &Value) -> i64 {
        let objective = self.objectives.iter().find(|o| o["id"] == key_result["objective_id"]).unwrap();
        objective["cycle_id"].as_i64().unwrap()
    }

    fn in_cycle(&self, index: usize) -> Vec<&Value> {
        let cycle = self.cycles[index]["id"].as_i64().unwrap();
        self.key_results.iter().filter(|k| self.cycle_of(k) == cycle).collect()
    }

    fn history(&self, key_result: &Value) -> &Vec<Value> {
        &self.check_ins[&key_result["id"].as_i64().unwrap()]
    }

    /// Checks what holds on every day.
    async fn check_every_day(&self, day: Date) {
        // Enough of everything.
        let teams = json_of(&self.app.teams().list(&self.caller, query()).await.unwrap())["items"].clone();
        let people = json_of(&self.app.people().list(&self.caller, query()).await.unwrap())["items"].clone();
        let (teams, people) = (teams.as_array().unwrap(), people.as_array().unwrap());
        assert!(teams.len() >= 5 && (10..=12).contains(&people.len()));
        let role = |handle: &str| people.iter().find(|p| p["handle"] == handle).map(|p| p["role"].clone());
        assert_eq!((role("alex"), role("dana")), (Some(json!("admin")), Some(json!("member"))));
        assert_eq!(count(people, |p| p["role"] == "viewer"), 1);
        assert!(people.iter().all(|p| p["email"].as_str().unwrap().ends_with("@example.com")));
        assert_eq!(count(teams, |t| t["parent_team_id"].is_null()), 1);
        let statuses: Vec<&Value> = self.cycles.iter().map(|c| &c["status"]).collect();
        assert_eq!(statuses, [&json!("closed"), &json!("active")], "{day}");
        let in_cycle = |i: usize, o: &Value| o["cycle_id"] == self.cycles[i]["id"];
        assert!(count(&self.objectives, |o| in_cycle(0, o)) >= 4);
        assert!(count(&self.objectives, |o| in_cycle(1, o)) >= 10);
        assert_eq!(count(&self.objectives, |o| in_cycle(1, o) && o["parent_objective_id"].is_null()), 3);
        let personal = |o: &Value| o["owner_person_id"].is_i64() && o["parent_objective_id"].is_i64();
        assert!(count(&self.objectives, |o| in_cycle(1, o) && personal(o)) >= 3);
        for commitment in ["committed", "aspirational"] {
            assert!(self.objectives.iter().any(|o| o["commitment"] == commitment));
        }
        assert!(self.key_results.len() >= 40);
        for kind in ["increase", "decrease", "maintain", "range", "milestone"] {
            assert!(self.key_results.iter().any(|k| k["kind"] == kind), "no {kind}");
        }
        for unit in ["USD", "EUR", "%", "pp", "h", "ms"] {
            assert!(self.key_results.iter().any(|k| k["unit"] == unit), "no {unit}");
        }
        assert!((2..=3).contains(&count(&self.key_results, |k| k["kpi_id"].is_i64())));
        let initiatives = json_of(&self.app.initiatives().list(&self.caller, query()).await.unwrap())["items"].clone();
        let initiatives = initiatives.as_array().unwrap();
        assert!(initiatives.len() >= 6);
        let statuses: HashSet<&str> = initiatives.iter().map(|i| i["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, HashSet::from(["planned", "active", "done", "dropped"]));

        // The quarters: the one around today, active, and the one before, closed.
        let (closed, active) = (&self.cycles[0], &self.cycles[1]);
        let start = |c: &Value| c["start_date"].as_str().unwrap().parse::<Date>().unwrap();
        let end = |c: &Value| c["end_date"].as_str().unwrap().parse::<Date>().unwrap();
        assert!(start(active) <= day && day <= end(active), "{day}");
        assert_eq!(end(closed).tomorrow().unwrap(), start(active));
        for cycle in [closed, active] {
            let (year, quarter) = (start(cycle).year(), (start(cycle).month() + 2) / 3);
            assert_eq!((start(cycle).day(), start(cycle).month() % 3), (1, 1));
            assert_eq!(end(cycle), start(cycle).saturating_add(jiff::Span::new().months(3)).yesterday().unwrap());
            assert_eq!(cycle["slug"], format!("{year}-q{quarter}"));
            assert_eq!(cycle["name"], format!("{year} Q{quarter}"));
            assert_eq!(cycle["kind"], "quarter");
        }

        // Numbers that match their kind.
        for k in &self.key_results {
            assert!(k["weight"].as_f64().unwrap() > 0.0);
            let numbers = (k["start"].as_f64(), k["target"].as_f64(), k["range"].is_array(), k["comparator"].as_str());
            match (k["kind"].as_str().unwrap(), numbers) {
                ("increase", (Some(start), Some(target), false, None)) => assert!(target > start),
                ("decrease", (Some(start), Some(target), false, None)) => assert!(target < start),
                ("maintain", (None, Some(_), false, Some(">=" | "<="))) => {}
                ("range", (None, None, true, None)) => assert!(k["range"][0].as_f64() < k["range"][1].as_f64()),
                ("milestone", (None, None, false, None)) => {}
                _ => panic!("{} has the wrong numbers for its kind: {k}", k["title"]),
            }
        }

        // Check-ins inside their cycle, before now.
        for (index, cycle) in [closed, active].into_iter().enumerate() {
            let from = noon(start(cycle)).saturating_sub(SignedDuration::from_hours(12)).unwrap();
            let after = noon(end(cycle)).saturating_add(SignedDuration::from_hours(12)).unwrap();
            for k in self.in_cycle(index) {
                let history = self.history(k);
                let times: Vec<Timestamp> =
                    history.iter().map(|c| c["checked_in_at"].as_str().unwrap().parse().unwrap()).collect();
                assert!(times.windows(2).all(|pair| pair[0] < pair[1]), "{}", k["title"]);
                for (check_in, at) in history.iter().zip(&times) {
                    assert!(from <= *at && *at < after.min(self.now), "{}: {at}", k["title"]);
                    assert!(check_in["confidence"].as_i64().unwrap() <= 10);
                    assert!(!check_in["note"].as_str().unwrap().is_empty());
                    let value = check_in["value"].as_f64().unwrap();
                    assert!(k["kind"] != "milestone" || value == 0.0 || value == 1.0);
                }
                let weeks = if index == 0 { 12..=13 } else { 0..=12 };
                assert!(weeks.contains(&history.len()), "{}: {}", k["title"], history.len());
                if k["start"].is_f64() && !history.is_empty() {
                    assert!(k["progress"].as_f64().unwrap() >= 0.0, "{} went backwards", k["title"]);
                }
            }
        }

        // A year of KPI history, ending yesterday.
        let mut tx = self.store.read().await.unwrap();
        let kpis = json_of(&self.app.kpis().list(&self.caller, query()).await.unwrap())["items"].clone();
        let kpis = kpis.as_array().unwrap();
        assert!(kpis.len() >= 8);
        let year_ago = noon(day.saturating_sub(jiff::Span::new().days(364)));
        let midnight = |d: Date| noon(d).saturating_sub(SignedDuration::from_hours(12)).unwrap().as_millisecond();
        let yesterday = midnight(day.yesterday().unwrap())..midnight(day);
        // Formula KPIs are computed from their inputs, stamped at each week's start: see below.
        for kpi in kpis.iter().filter(|k| k["formula"].is_null()) {
            let series = tx.list_measurements(self.caller.workspace, kpi["id"].as_i64().unwrap()).await;
            let times: Vec<i64> = series.as_ref().unwrap().iter().map(|m| m.measured_at).collect();
            let expected = if kpi["cadence"] == "daily" { 365 } else { 53 };
            assert_eq!(times.len(), expected, "{}", kpi["slug"]);
            assert!(times.windows(2).all(|pair| pair[0] < pair[1]));
            assert!(times[0] < year_ago.as_millisecond(), "{}", kpi["slug"]);
            let last = times[expected - 1];
            assert!(yesterday.contains(&last), "{day}: {}", kpi["slug"]);
            assert_eq!(kpi["direction"] == "within_range", kpi["range"].is_array() && kpi["target"].is_null());
            assert!(series.unwrap().iter().all(|m| m.value.is_finite() && m.value >= 0.0));
        }
        // The driver tree: weekly revenue = orders × average order value, each week from
        // their values in it; it lags, and most of its fall comes from the orders.
        let slug_id = |slug: &str| kpis.iter().find(|k| k["slug"] == slug).unwrap()["id"].as_i64().unwrap();
        let mut values = HashMap::new();
        for slug in ["weekly-revenue", "orders", "average-order-value"] {
            let rows = tx.list_measurements(self.caller.workspace, slug_id(slug)).await.unwrap();
            let rows = milepost_core::health::latest_per_time(rows.iter().map(|m| (m.measured_at, m.value)).collect());
            values.insert(slug, rows);
        }
        let (revenue, orders, aov) = (&values["weekly-revenue"], &values["orders"], &values["average-order-value"]);
        assert_eq!(revenue.len(), 53, "{day}: a value for every week with orders");
        let week = |at: i64| {
            milepost_core::health::period_start(
                milepost_core::Cadence::Weekly,
                jiff::Timestamp::from_millisecond(at).unwrap(),
            )
        };
        for ((at, value), ((orders_at, orders), (_, aov))) in revenue.iter().zip(orders.iter().zip(aov)) {
            assert_eq!(jiff::Timestamp::from_millisecond(*at).unwrap(), week(*orders_at), "{day}");
            assert_eq!(*value, orders * aov, "{day}");
        }
        drop(tx);
        let tree = self.app.kpis().tree(&self.caller, milepost_core::KpiId(slug_id("weekly-revenue"))).await.unwrap();
        let slugs: Vec<&str> = tree.nodes.iter().map(|n| n.slug.as_str()).collect();
        assert_eq!(slugs, ["weekly-revenue", "orders", "average-order-value", "conversion-rate"], "{day}");
        assert!(tree.nodes[0].state.lagging, "{day}: {:?}", tree.nodes[0].state);
        assert_eq!(tree.nodes[0].explained_by.as_deref(), Some("orders"), "{day}");
        let health = |slug: &str| kpis.iter().find(|k| k["slug"] == slug).unwrap()["state"]["health"].clone();
        for (slug, colour) in [("monthly-churn", "red"), ("returns-rate", "red"), ("website-uptime", "green")] {
            assert_eq!(health(slug), colour, "{day}: {slug}");
        }
        let lagging = |slug: &str| kpis.iter().find(|k| k["slug"] == slug).unwrap()["state"]["lagging"].clone();
        assert_eq!((lagging("monthly-churn"), lagging("returns-rate")), (json!(true), json!(true)), "{day}");
    }

    /// Checks what a newcomer sees mid-quarter.
    fn check_mid_quarter(&self, day: Date) {
        let active = self.in_cycle(1);
        let statuses: HashSet<&str> = active.iter().map(|k| k["status"].as_str().unwrap()).collect();
        for status in ["on_track", "at_risk", "off_track", "stale", "done"] {
            assert!(statuses.contains(status), "{day}: no {status} in {statuses:?}");
        }
        let latest = |k: &Value| self.history(k).last().map_or(99, |c| c["confidence"].as_i64().unwrap());
        assert!(count(&active, |k| (4..=6).contains(&latest(k))) >= 4);
        assert!((2..=3).contains(&count(&active, |k| latest(k) <= 3)), "{day}");
        let weeks_ago = self.now.saturating_sub(SignedDuration::from_hours(24 * 21)).unwrap();
        let quiet = |k: &Value| {
            self.history(k)
                .last()
                .is_some_and(|c| c["checked_in_at"].as_str().unwrap().parse::<Timestamp>().unwrap() < weeks_ago)
        };
        assert_eq!(count(&active, |k| quiet(k)), 1, "{day}");
        let diverging = |k: &Value| {
            let history = self.history(k);
            let tail = &history[history.len().saturating_sub(6)..];
            let still = |c: &Value| c["value"] == tail[0]["value"] && c["confidence"].as_i64().unwrap() >= 8;
            k["kind"] != "milestone" && tail.len() == 6 && tail.iter().all(still)
        };
        assert_eq!(count(&active, |k| diverging(k)), 1, "{day}");
        let blocked = |k: &Value| self.history(k).iter().any(|c| !c["blockers"].as_str().unwrap().is_empty());
        assert!(count(&active, |k| blocked(k)) >= 5);
        // A maintain key result states its share ("in 75% of weeks"): two of its three
        // allowed missed weeks are used, and two misses in its last seven weeks burn the
        // rest before the quarter ends (issue 20).
        let checkout =
            active.iter().find(|k| k["title"] == "Keep checkout error rate at or below 0.5% in 75% of weeks").unwrap();
        let budget = &checkout["error_budget"];
        assert_eq!(checkout["required_share"], 0.75, "{day}: {checkout}");
        assert_eq!(
            (budget["budget_slices"].clone(), budget["slices_missed"].clone(), budget["budget_left_slices"].clone()),
            (json!(3), json!(2), json!(1)),
            "{day}: {budget}"
        );
        assert_eq!(budget["at_risk"], true, "{day}: {budget}");
        assert_eq!(
            (checkout["status"].clone(), checkout["status_reason"].clone()),
            (json!("at_risk"), json!("error_budget_burning")),
            "{day}: {checkout}"
        );
        // The closed quarter grades in every colour.
        let graded = self.in_cycle(0).into_iter().filter(|k| k["kind"] != "range" && k["kind"] != "maintain");
        let scores: Vec<f64> =
            graded.map(|k| (k["progress"].as_f64().unwrap().clamp(0.0, 1.0) * 10.0).round() / 10.0).collect();
        for (low, high) in [(1.0, 1.0), (0.7, 0.9), (0.4, 0.6), (0.0, 0.3)] {
            assert!(scores.iter().any(|s| (low..=high).contains(s)), "{low}–{high}");
        }
    }
}

#[tokio::test]
async fn the_demo_tells_its_story_on_every_day() {
    for (y, m, d) in DAYS {
        let (loaded, _dir) = on_sqlite(date(y, m, d)).await;
        loaded.check_every_day(date(y, m, d)).await;
    }
    // On a quarter's first day, the current quarter has no check-ins yet.
    let (first_day, _dir) = on_sqlite(date(2026, 7, 1)).await;
    assert!(first_day.in_cycle(1).iter().all(|k| first_day.history(k).is_empty()));
}

#[tokio::test]
async fn mid_quarter_shows_every_kind_of_status_and_the_same_story() {
    let mut stories = Vec::new();
    for (y, m, d) in MID_QUARTER {
        let (loaded, _dir) = on_sqlite(date(y, m, d)).await;
        loaded.check_mid_quarter(date(y, m, d));
        let history: Vec<Vec<(Value, Value, Value)>> = loaded
            .key_results
            .iter()
            .map(|k| {
                loaded
                    .history(k)
                    .iter()
                    .map(|c| (c["value"].clone(), c["confidence"].clone(), c["note"].clone()))
                    .collect()
            })
            .collect();
        stories.push(history);
    }
    assert_eq!(stories[0], stories[1], "the same place in another quarter tells the same story");
}

#[tokio::test]
async fn the_demo_loads_on_postgresql() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let (store, _) = postgres_store(&url).await.unwrap();
    let loaded = load(store, date(2026, 12, 7)).await;
    loaded.check_every_day(date(2026, 12, 7)).await;
    loaded.check_mid_quarter(date(2026, 12, 7));
    sentences::check(&loaded);
}
