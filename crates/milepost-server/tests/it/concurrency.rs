//! Concurrent requests: check-ins on one key result queue and every one counts; two
//! changes based on the same version race and exactly one wins, the other gets 409;
//! sixteen clients writing all kinds of things at once into a full cycle all succeed.

use crate::harness::{Api, Org, at_hours, id};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// How many check-ins race.
const RACERS: i64 = 20;

http_test!(concurrent_check_ins_on_one_key_result_all_count, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow from 0 to 100", 0.0, 100.0)])).await;
    let key_result = id(&objective["key_results"][0]);
    let path = format!("/api/v1/key-results/{key_result}");
    let before = api.get(&path).await.expect(200);
    let version = before["version"].as_i64().unwrap();

    // Racer i reports value i + 1 for `offset(i)` hours ago; the offsets are a
    // permutation of 0..20, so exactly one racer (not the first, not the last) is latest.
    let offset = |i: i64| (i * 7 + 3) % RACERS;
    let mut racers = JoinSet::new();
    for i in 0..RACERS {
        let api = api.clone();
        let body = json!({"value": i + 1, "checked_in_at": at_hours(-offset(i))});
        racers.spawn(async move { api.post(&format!("/api/v1/key-results/{key_result}/check-ins"), body).await });
    }
    let mut versions = Vec::new();
    while let Some(reply) = racers.join_next().await {
        let result = reply.unwrap().expect(201);
        versions.push(result["key_result"]["version"].as_i64().unwrap());
    }
    // Each check-in saw the key result after its own write and no other's at once.
    versions.sort_unstable();
    assert_eq!(versions, ((version + 1)..=(version + RACERS)).collect::<Vec<_>>());

    let latest = (0..RACERS).find(|i| offset(*i) == 0).unwrap();
    assert!(latest != 0 && latest != RACERS - 1);
    let after = api.get(&path).await.expect(200);
    assert_eq!(after["version"], version + RACERS);
    assert_eq!(after["current"], (latest + 1) as f64, "the check-in with the latest time decides the value");
    assert_eq!(after["last_check_in_at"], at_hours(0));
    let values: Vec<i64> =
        api.walk(&format!("{path}/check-ins"), 500).await.iter().map(|c| c["value"].as_f64().unwrap() as i64).collect();
    let mut sorted = values.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=RACERS).collect::<Vec<_>>(), "every check-in is kept, once");
});

http_test!(two_changes_on_the_same_version_race_and_exactly_one_wins, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective =
        org.team_objective("Grow", org.team, json!([Org::increase("Grow from 0 to 100", 0.0, 100.0)])).await;
    let targets = [
        format!("/api/v1/objectives/{}", id(&objective)),
        format!("/api/v1/key-results/{}", id(&objective["key_results"][0])),
        format!("/api/v1/teams/{}", org.team),
    ];
    for path in targets {
        for round in 0..3 {
            let current = api.get(&path).await.expect(200);
            let version = current["version"].as_i64().unwrap();
            let field = if path.contains("teams") { "name" } else { "title" };
            // A key result's title is its sentence: a new one that keeps its numbers.
            let text = |side: &str| match path.contains("key-results") {
                true => format!("Grow from 0 to 100, {side} {round}"),
                false => format!("{side} {round}"),
            };
            let mut racers = JoinSet::new();
            for side in ["left", "right"] {
                let api = api.clone();
                let path = path.clone();
                let body = json!({"version": version, field: text(side)});
                racers.spawn(async move { (side, api.patch(&path, body).await) });
            }
            let mut outcomes = Vec::new();
            while let Some(result) = racers.join_next().await {
                outcomes.push(result.unwrap());
            }
            let winners: Vec<_> = outcomes.iter().filter(|(_, r)| r.status == 200).collect();
            let losers: Vec<_> = outcomes.iter().filter(|(_, r)| r.status == 409).collect();
            assert_eq!((winners.len(), losers.len()), (1, 1), "{path}: {outcomes:?}");
            losers[0].1.problem(409, "stale_version");
            let (winner, reply) = winners[0];
            assert_eq!(reply.body["version"], version + 1);
            let now = api.get(&path).await.expect(200);
            assert_eq!(now[field], text(winner), "{path}: the winner's change is the one kept");
            assert_eq!(now["version"], version + 1, "{path}: the loser changed nothing");
        }
    }
});

/// How many objectives (three key results each) the cycle holds before the writers start.
const SEEDED: usize = 400;
/// How many clients write at once.
const WRITERS: usize = 16;
/// How many writes each client makes, one after another.
const ROUNDS: usize = 6;

/// An OKR file of `count` team objectives with three key results each.
fn seed_file(count: usize) -> String {
    let mut text = String::from("---\ncycle: 2026-q4\nowner: team/platform\n---\n\n");
    for i in 0..count {
        text.push_str(&format!(
            "# Seeded objective {i}\n\n- Cut deploy time from 40 min to 10 min\n\
             - Raise deploy success rate from 90% to 99%\n- Launch one-click rollback\n\n"
        ));
    }
    text
}

/// What one writer does, round after round.
#[derive(Debug, Clone)]
enum Work {
    /// Checks in on a key result of its own.
    CheckIn { key_result: i64 },
    /// Records a day of hourly measurements of its own KPI, which feeds a key result.
    Measurements { kpi: i64 },
    /// Creates an objective with three key results.
    CreateObjective,
    /// Adds a key result to its own objective, then edits it, and so on.
    KeyResults { objective: i64 },
    /// Renames an objective of its own.
    EditObjective { objective: i64 },
    /// Applies an OKR file of its own owner.
    Apply { handle: String },
}

/// One writer's rounds: each answer's request, status and how long it took.
async fn write(api: Api, cycle: i64, team: i64, writer: usize, work: Work) -> Vec<(String, u16, Duration)> {
    let mut answers = Vec::new();
    let mut key_result: Option<(i64, i64)> = None;
    let mut objective_version: Option<i64> = None;
    for round in 0..ROUNDS {
        let started = Instant::now();
        let reply = match &work {
            Work::CheckIn { key_result } => {
                let body = json!({"value": 90 + round, "note": format!("writer {writer} round {round}")});
                api.post(&format!("/api/v1/key-results/{key_result}/check-ins"), body).await
            }
            Work::Measurements { kpi } => {
                let rows: Vec<Value> = (0..24)
                    .map(|hour| json!({"measured_at": at_hours(-((round as i64) * 24 + hour) - 1), "value": 50 + hour}))
                    .collect();
                api.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), json!(rows)).await
            }
            Work::CreateObjective => {
                let key_results = json!([
                    Org::increase("Grow signups from 0 to 100", 0.0, 100.0),
                    Org::increase("Grow revenue from 0 to 50", 0.0, 50.0),
                    Org::increase("Grow usage from 0 to 10", 0.0, 10.0),
                ]);
                let body = json!({"cycle_id": cycle, "title": format!("Writer {writer} objective {round}"),
                                  "owner_team_id": team, "key_results": key_results});
                api.post("/api/v1/objectives", body).await
            }
            Work::KeyResults { objective } => match key_result {
                Some((id, version)) if round % 2 == 1 => {
                    // A new sentence that keeps the numbers (0 to 10), so no reason is needed.
                    let body =
                        json!({"version": version, "title": format!("Grow signups from 0 to 10, round {round}")});
                    api.patch(&format!("/api/v1/key-results/{id}"), body).await
                }
                _ => {
                    let body = Org::increase(&format!("Grow writer {writer}'s usage from 0 to {round}1"), 0.0, 10.0);
                    api.post(&format!("/api/v1/objectives/{objective}/key-results"), body).await
                }
            },
            Work::EditObjective { objective } => {
                let path = format!("/api/v1/objectives/{objective}");
                let version = match objective_version {
                    Some(version) => version,
                    None => api.get(&path).await.expect(200)["version"].as_i64().unwrap(),
                };
                api.patch(&path, json!({"version": version, "title": format!("Seeded, renamed in round {round}")}))
                    .await
            }
            Work::Apply { handle } => {
                let text = format!(
                    "---\ncycle: 2026-q4\nowner: @{handle}\n---\n\n# Writer {writer} round {round}\n\n\
                     - Launch one-click rollback\n- Cut deploy time from 40 min to 10 min\n"
                );
                // Each round's file replaces the last: the last round's objective is archived.
                let body = json!({"files": [{"name": "mine.md", "text": text}], "archive": true});
                api.post("/api/v1/okr-files/apply", body).await
            }
        };
        let took = started.elapsed();
        if (200..300).contains(&reply.status) {
            match &work {
                Work::KeyResults { .. } => {
                    key_result = Some((id(&reply.body), reply.body["version"].as_i64().unwrap()))
                }
                Work::EditObjective { .. } => objective_version = reply.body["version"].as_i64(),
                _ => {}
            }
        }
        let outcome = if (200..300).contains(&reply.status) { String::new() } else { format!(": {}", reply.text) };
        answers.push((format!("writer {writer}: {}{outcome}", reply.request), reply.status, took));
    }
    answers
}

http_test!(sixteen_writers_at_once_on_a_full_cycle_all_succeed, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let seeding = Instant::now();
    let plan = api
        .post("/api/v1/okr-files/apply", json!({"files": [{"name": "seed.md", "text": seed_file(SEEDED)}]}))
        .await
        .expect(200);
    let created = |what: &str| -> Vec<i64> {
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["what"] == what)
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let (objectives, key_results) = (created("objective"), created("key_result"));
    assert_eq!((objectives.len(), key_results.len()), (SEEDED, SEEDED * 3));

    let mut work = Vec::new();
    for writer in 0..WRITERS {
        work.push(match writer % 6 {
            0 => Work::CheckIn { key_result: key_results[writer * 3 + 1] },
            1 => {
                let kpi = json!({"name": format!("Load {writer}"), "direction": "higher_is_better", "target": 80,
                                 "cadence": "daily"});
                let kpi = id(&api.post("/api/v1/kpis", kpi).await.expect(201));
                let fed = json!({"title": "Raise load from 10 to 80", "kind": "increase", "start": 10, "target": 80,
                                 "kpi_id": kpi});
                org.team_objective(&format!("Fed by KPI {writer}"), org.team, json!([fed])).await;
                Work::Measurements { kpi }
            }
            2 => Work::CreateObjective,
            3 => Work::KeyResults {
                objective: id(&org.team_objective(&format!("Writer {writer}"), org.team, json!([])).await),
            },
            4 => Work::EditObjective { objective: objectives[writer] },
            _ => {
                let handle = format!("writer{writer}");
                api.person(&handle, Some(org.team), "editor").await;
                Work::Apply { handle }
            }
        });
    }

    eprintln!("seeded in {:?}", seeding.elapsed());
    let storm = Instant::now();
    let mut writers = JoinSet::new();
    for (writer, work) in work.into_iter().enumerate() {
        writers.spawn(write(api.clone(), org.cycle, org.team, writer, work));
    }
    let mut answers = Vec::new();
    while let Some(done) = writers.join_next().await {
        answers.extend(done.unwrap());
    }
    eprintln!("storm in {:?}", storm.elapsed());
    assert_eq!(answers.len(), WRITERS * ROUNDS);
    let failed: Vec<_> = answers.iter().filter(|(_, status, _)| !(200..300).contains(status)).collect();
    assert!(failed.is_empty(), "{} of {} writes failed: {failed:#?}", failed.len(), answers.len());

    // Every acknowledged write shows on the next read.
    let check_ins = api.walk(&format!("/api/v1/key-results/{}/check-ins", key_results[1]), 100).await;
    assert_eq!(check_ins.len(), ROUNDS, "every check-in of writer 0 is there");
    let renamed = api.get(&format!("/api/v1/objectives/{}", objectives[4])).await.expect(200);
    assert_eq!(renamed["title"], format!("Seeded, renamed in round {}", ROUNDS - 1));
    let slowest = answers.iter().map(|(_, _, took)| *took).max().unwrap();
    eprintln!(
        "{} writes by {WRITERS} writers on a cycle of {SEEDED} objectives; the slowest took {slowest:?}",
        answers.len()
    );
});
