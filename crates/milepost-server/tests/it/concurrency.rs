//! Concurrent requests: check-ins on one key result queue and every one counts; two
//! changes based on the same version race and exactly one wins, the other gets 409.

use crate::harness::{Api, Org, at_hours, id};
use serde_json::json;
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
            let mut racers = JoinSet::new();
            for side in ["left", "right"] {
                let api = api.clone();
                let path = path.clone();
                let body = json!({"version": version, field: format!("{side} {round}")});
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
            assert_eq!(now[field], format!("{winner} {round}"), "{path}: the winner's change is the one kept");
            assert_eq!(now["version"], version + 1, "{path}: the loser changed nothing");
        }
    }
});
