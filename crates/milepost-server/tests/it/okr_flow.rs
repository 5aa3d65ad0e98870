//! A whole OKR cycle through the API: a team tree, people, an active cycle, a company
//! objective with increase, decrease and maintain key results, team objectives aligned
//! to it, and check-ins, with every computed number checked against SPEC §4 by hand.
//!
//! The clock stands at 2026-11-16T00:00Z, day 46 of the 92-day cycle 2026-Q4, so the
//! elapsed share, the expected progress of increase and decrease key results, is 0.5;
//! maintain key results are expected to hold all the time (1.0).

use crate::harness::{Api, NOW, Org, assert_close, at_hours, id, now};
use jiff::SignedDuration;
use serde_json::{Value, json};

const DAY: i64 = 24;

/// The key result at `index` of an objective view.
fn key_result(objective: &Value, index: usize) -> &Value {
    &objective["key_results"][index]
}

http_test!(a_full_cycle_computes_progress_pace_and_status, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();

    // The company objective, with its three key results in one request, planned the
    // hour before the cycle began.
    api.shift_clock(SignedDuration::from_hours(-46 * 24 - 1));
    let reply = api
        .post(
            "/api/v1/objectives",
            json!({
                "cycle_id": org.cycle,
                "title": "Delight our customers",
                "description": "Customers who love us stay with us.",
                "owner_team_id": org.company,
                "commitment": "committed",
                "key_results": [
                    {"title": "Increase NPS from 30 to 50", "kind": "increase", "metric": "NPS", "start": 30, "target": 50,
                     "weight": 2, "owner_person_id": org.dana},
                    {"title": "Cut first response time from 8h to 2h", "kind": "decrease", "unit": "h", "start": 8,
                     "target": 2, "owner_person_id": org.eli},
                    {"title": "Keep uptime at or above 99.9%", "kind": "maintain", "unit": "%", "target": 99.9,
                     "comparator": ">="},
                ],
            }),
        )
        .await;
    let location = reply.header("location").map(str::to_owned);
    let company = reply.expect(201);
    api.shift_clock(SignedDuration::ZERO);
    let company_id = id(&company);
    assert_eq!(location, Some(format!("/api/v1/objectives/{company_id}")));
    assert_eq!(company["cycle_id"], org.cycle);
    assert_eq!(company["owner_team_id"], org.company);
    assert_eq!(company["owner_person_id"], Value::Null);
    assert_eq!(company["commitment"], "committed");
    assert_eq!(company["visibility"], "workspace");
    assert_eq!(company["rollup_children"], false);
    assert_eq!(company["added_after_start"], false, "created before the cycle began");
    assert_eq!(company["version"], 1);
    assert_eq!(company["score"], Value::Null, "no score before the cycle closes");
    let key_results = company["key_results"].as_array().unwrap();
    assert_eq!(key_results.len(), 3);
    let (nps, response_time, uptime) = (id(&key_results[0]), id(&key_results[1]), id(&key_results[2]));
    assert!(nps < response_time && response_time < uptime, "key results keep the order they were given in");
    for (kr, kind) in key_results.iter().zip(["increase", "decrease", "maintain"]) {
        assert_eq!(kr["objective_id"], company_id);
        assert_eq!(kr["kind"], kind);
        assert_eq!(kr["current"], Value::Null);
        assert_eq!(kr["cadence"], "weekly");
        assert_close(&kr["progress"], 0.0);
        // The cycle had not begun when it was written.
        assert_eq!(kr["status"], "not_started", "{kr}");
        assert_eq!(kr["status_reason"], "cycle_not_begun", "{kr}");
        assert_eq!(kr["version"], 1);
    }
    assert_eq!(key_results[0]["owner_person_id"], org.dana);
    assert_close(&key_results[0]["weight"], 2.0);
    assert_eq!(key_results[0]["metric"], "NPS");
    assert_eq!(key_results[1]["unit"], "h");
    assert_eq!(key_results[2]["owner_person_id"], Value::Null, "a team-owned objective gives no owner");
    assert_eq!(key_results[2]["comparator"], ">=");
    // Before the cycle began nothing was expected yet, and nothing was started.
    for kr in key_results {
        assert_close(&kr["expected_progress"], 0.0);
    }
    assert_close(&company["progress"], 0.0);
    assert_close(&company["expected_progress"], 0.0);
    assert_eq!(company["status"], "not_started");
    // Half way through the cycle, paced from its start: weighted expected progress
    // (2·0.5 + 0.5 + 1.0) / 4 = 0.625. Nobody has checked in for 46 days: stale.
    let company = api.get(&format!("/api/v1/objectives/{company_id}")).await.expect(200);
    let key_results = company["key_results"].as_array().unwrap();
    assert_close(&key_results[0]["expected_progress"], 0.5);
    assert_close(&key_results[1]["expected_progress"], 0.5);
    assert_close(&key_results[2]["expected_progress"], 1.0);
    for kr in key_results {
        assert_eq!(kr["status"], "stale", "{kr}");
        assert_eq!(kr["status_reason"], "check_in_missed", "{kr}");
    }
    assert_close(&company["progress"], 0.0);
    assert_close(&company["expected_progress"], 0.625);

    // NPS: 40 six days ago is half way, on pace, and the owner is confident.
    let path = format!("/api/v1/key-results/{nps}/check-ins");
    let reply = api
        .post(
            &path,
            json!({"value": 40, "confidence": 8, "note": "Survey results are in", "blockers": "None",
                   "checked_in_at": at_hours(-6 * DAY), "author_person_id": org.dana}),
        )
        .await;
    let location = reply.header("location").map(str::to_owned);
    let first = reply.expect(201);
    let first_id = id(&first["check_in"]);
    assert_eq!(location, Some(format!("/api/v1/check-ins/{first_id}")));
    assert_eq!(first["check_in"]["key_result_id"], nps);
    assert_close(&first["check_in"]["value"], 40.0);
    assert_eq!(first["check_in"]["confidence"], 8);
    assert_eq!(first["check_in"]["note"], "Survey results are in");
    assert_eq!(first["check_in"]["blockers"], "None");
    assert_eq!(first["check_in"]["author_person_id"], org.dana);
    assert_eq!(first["check_in"]["source"], "manual");
    assert_eq!(first["check_in"]["checked_in_at"], "2026-11-10T00:00:00Z");
    assert_eq!(first["check_in"]["created_at"], NOW);
    let kr = &first["key_result"];
    assert_eq!(kr["id"], nps);
    assert_close(&kr["current"], 40.0);
    assert_close(&kr["progress"], 0.5); // (40 − 30) / (50 − 30)
    assert_close(&kr["expected_progress"], 0.5);
    assert_eq!(kr["status"], "on_track");
    assert_eq!(kr["confidence"], 8);
    assert_eq!(kr["last_check_in_at"], "2026-11-10T00:00:00Z");
    // Weekly cadence: due a week after the last check-in plus half a week of grace.
    assert_eq!(kr["check_in_due_at"], "2026-11-20T12:00:00Z");
    assert_eq!(kr["version"], 2, "a check-in changes the key result, so its version moves");

    // A check-in back-dated before the latest one is history, not the current value.
    let late = api
        .check_in(nps, json!({"value": 35, "confidence": 3, "note": "Forgot to report this", "checked_in_at": at_hours(-15 * DAY)}))
        .await;
    assert_eq!(late["check_in"]["checked_in_at"], "2026-11-01T00:00:00Z");
    let kr = &late["key_result"];
    assert_close(&kr["current"], 40.0);
    assert_close(&kr["progress"], 0.5);
    assert_eq!(kr["confidence"], 8, "the latest word is the one of the latest check-in");
    assert_eq!(kr["last_check_in_at"], "2026-11-10T00:00:00Z");
    assert_eq!(kr["status"], "on_track");
    assert_eq!(kr["version"], 3);

    // Response time: 5h now is half way down, on pace, but the owner doubts it.
    let reply = api.check_in(response_time, json!({"value": 5, "confidence": 4, "author_person_id": org.eli})).await;
    assert_eq!(reply["check_in"]["checked_in_at"], NOW, "a check-in without a time is for now");
    let kr = &reply["key_result"];
    assert_close(&kr["current"], 5.0);
    assert_close(&kr["progress"], 0.5); // (5 − 8) / (2 − 8)
    assert_eq!(kr["status"], "at_risk", "confidence 4 is at risk even on pace");

    // Uptime: three of four observations at or above 99.9%.
    let mut last = Value::Null;
    for (days_ago, value) in [(8, 99.95), (6, 99.97), (4, 99.5)] {
        last = api.check_in(uptime, json!({"value": value, "checked_in_at": at_hours(-days_ago * DAY)})).await;
    }
    let kr = &last["key_result"];
    assert_close(&kr["progress"], 2.0 / 3.0);
    assert_eq!(kr["status"], "off_track", "expected 1.0, met 2/3: a gap of a third");
    let last = api.check_in(uptime, json!({"value": 99.93, "checked_in_at": at_hours(-2 * DAY)})).await;
    let kr = &last["key_result"];
    assert_close(&kr["current"], 99.93);
    assert_close(&kr["progress"], 0.75);
    assert_close(&kr["expected_progress"], 1.0);
    assert_eq!(kr["status"], "at_risk");

    // The objective: (2·0.5 + 1·0.5 + 1·0.75) / 4 = 0.5625 against 0.625 expected.
    let company = api.get(&format!("/api/v1/objectives/{company_id}")).await.expect(200);
    assert_close(&company["progress"], 0.5625);
    assert_close(&company["expected_progress"], 0.625);
    assert_eq!(company["status"], "on_track");
    assert_eq!(company["version"], 1, "check-ins change key results, not their objective");
    let embedded = key_result(&company, 0).clone();
    let alone = api.get(&format!("/api/v1/key-results/{nps}")).await.expect(200);
    assert_eq!(embedded, alone, "a key result reads the same alone and inside its objective");

    // A team objective aligned to the company objective, and one aligned to its NPS key result.
    let team = api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Publish a status page", "owner_team_id": org.team,
            "parent_objective_id": company_id, "commitment": "aspirational", "visibility": "team",
            "key_results": [{"title": "Launch the status page", "kind": "milestone"}],
        }))
        .await;
    assert_eq!(team["parent_objective_id"], company_id);
    assert_eq!(team["parent_key_result_id"], Value::Null);
    assert_eq!(team["commitment"], "aspirational");
    assert_eq!(team["visibility"], "team");
    let launch = id(key_result(&team, 0));
    let personal = api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Hear every detractor", "owner_person_id": org.dana,
            "parent_key_result_id": nps,
            "key_results": [Org::increase("Call 40 detractors", 0.0, 40.0)],
        }))
        .await;
    assert_eq!(personal["parent_key_result_id"], nps);
    assert_eq!(personal["parent_objective_id"], company_id, "a parent key result implies its objective");
    assert_eq!(key_result(&personal, 0)["owner_person_id"], org.dana, "a person's objective gives its owner");
    let children = api.walk_ids(&format!("/api/v1/objectives?parent_objective_id={company_id}"), 10).await;
    assert_eq!(children, [id(&team), id(&personal)]);

    // Launching is done; the team objective with it.
    let done = api.check_in(launch, json!({"value": 1, "confidence": 10})).await;
    assert_close(&done["key_result"]["progress"], 1.0);
    assert_eq!(done["key_result"]["status"], "done");
    let team = api.get(&format!("/api/v1/objectives/{}", id(&team))).await.expect(200);
    assert_close(&team["progress"], 1.0);
    assert_eq!(team["status"], "done");
    let company = api.get(&format!("/api/v1/objectives/{company_id}")).await.expect(200);
    assert_close(&company["progress"], 0.5625);

    // NPS overshoots: shown unclamped on the key result, clamped in the objective.
    let over = api.check_in(nps, json!({"value": 55, "confidence": 9, "checked_in_at": at_hours(-1)})).await;
    let kr = &over["key_result"];
    assert_close(&kr["current"], 55.0);
    assert_close(&kr["progress"], 1.25);
    assert_eq!(kr["status"], "done");
    assert_eq!(kr["last_check_in_at"], "2026-11-15T23:00:00Z");
    let company = api.get(&format!("/api/v1/objectives/{company_id}")).await.expect(200);
    // (2·1.0 + 0.5 + 0.75) / 4 = 0.8125; not every key result is done.
    assert_close(&company["progress"], 0.8125);
    assert_eq!(company["status"], "on_track");

    // The check-ins of NPS, in the order they were recorded, each readable alone.
    let list = api.get(&path).await.expect(200);
    let items = list["items"].as_array().unwrap();
    let values: Vec<f64> = items.iter().map(|c| c["value"].as_f64().unwrap()).collect();
    assert_eq!(values, [40.0, 35.0, 55.0]);
    assert!(list["next_cursor"].is_null());
    assert!(items.iter().all(|c| c["key_result_id"] == nps));
    assert_eq!(items[0], first["check_in"]);
    for item in items {
        let alone = api.get(&format!("/api/v1/check-ins/{}", id(item))).await.expect(200);
        assert_eq!(&alone, item);
    }
    assert_eq!(api.walk_ids(&path, 1).await, items.iter().map(id).collect::<Vec<_>>());
});

http_test!(an_objective_that_rolls_up_counts_its_aligned_children, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let parent = api
        .objective_planned(json!({
            "cycle_id": org.cycle, "title": "Grow the business", "owner_team_id": org.company, "rollup_children": true,
            "key_results": [Org::increase("Grow revenue from 0 to 100", 0.0, 100.0)],
        }))
        .await;
    let parent_id = id(&parent);
    assert_eq!(parent["rollup_children"], true);
    api.check_in(id(key_result(&parent, 0)), json!({"value": 50})).await;
    // The same key result, same check-in, without rollup: a control.
    let control = api
        .objective_planned(json!({
            "cycle_id": org.cycle, "title": "Grow alone", "owner_team_id": org.company,
            "key_results": [Org::increase("Grow revenue from 0 to 100", 0.0, 100.0)],
        }))
        .await;
    api.check_in(id(key_result(&control, 0)), json!({"value": 50})).await;

    let child = api
        .objective_planned(json!({
            "cycle_id": org.cycle, "title": "Launch in Spain", "owner_team_id": org.department,
            "parent_objective_id": parent_id,
            "key_results": [{"title": "Open the Madrid office", "kind": "milestone"}],
        }))
        .await;
    let child_id = id(&child);
    api.check_in(id(key_result(&child, 0)), json!({"value": 1})).await;
    api.objective_planned(json!({
        "cycle_id": org.cycle, "title": "Launch in Portugal", "owner_team_id": org.department,
        "parent_objective_id": id(&control),
        "key_results": [{"title": "Open the Lisbon office", "kind": "milestone"}],
    }))
    .await;

    let get = |id: i64| {
        let api = api.clone();
        async move { api.get(&format!("/api/v1/objectives/{id}")).await.expect(200) }
    };
    // (0.5 + 1.0) / 2: one key result and one child, each of weight one.
    let parent = get(parent_id).await;
    assert_close(&parent["progress"], 0.75);
    assert_close(&parent["expected_progress"], 0.5);
    assert_eq!(parent["status"], "on_track");
    assert_close(&get(id(&control)).await["progress"], 0.5);

    // A grandchild with nothing done counts only once the child rolls up too.
    let grandchild = api
        .objective_planned(json!({
            "cycle_id": org.cycle, "title": "Hire in Madrid", "owner_team_id": org.team,
            "parent_objective_id": child_id,
            "key_results": [Org::increase("Hire 4 engineers", 0.0, 4.0)],
        }))
        .await;
    assert_close(&get(parent_id).await["progress"], 0.75);
    let child = get(child_id).await;
    let child = api
        .patch(&format!("/api/v1/objectives/{child_id}"), json!({"version": child["version"], "rollup_children": true}))
        .await
        .expect(200);
    assert_close(&child["progress"], 0.5); // (1.0 + 0.0) / 2
    assert_close(&get(parent_id).await["progress"], 0.5); // (0.5 + 0.5) / 2

    // An archived child leaves the rollup.
    let archived = api
        .post(&format!("/api/v1/objectives/{}/archive", id(&grandchild)), json!({"version": grandchild["version"]}))
        .await
        .expect(200);
    assert_eq!(archived["archived"], true);
    assert_close(&get(child_id).await["progress"], 1.0);
    assert_close(&get(parent_id).await["progress"], 0.75);
});

http_test!(an_archived_key_result_leaves_its_objective_and_takes_no_check_ins, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective = org
        .team_objective(
            "Ship faster",
            org.team,
            json!([
                Org::increase("Deploy from 1 to 11 times a week", 1.0, 11.0),
                Org::increase("Cut lead time", 10.0, 20.0)
            ]),
        )
        .await;
    let (deploys, lead_time) = (id(key_result(&objective, 0)), id(key_result(&objective, 1)));
    api.check_in(deploys, json!({"value": 11})).await;
    let objective_path = format!("/api/v1/objectives/{}", id(&objective));
    assert_close(&api.get(&objective_path).await.expect(200)["progress"], 0.5);

    let kr = api.get(&format!("/api/v1/key-results/{lead_time}")).await.expect(200);
    let archived = api
        .post(&format!("/api/v1/key-results/{lead_time}/archive"), json!({"version": kr["version"]}))
        .await
        .expect(200);
    assert_eq!(archived["archived"], true);
    let objective = api.get(&objective_path).await.expect(200);
    assert_close(&objective["progress"], 1.0);
    assert_eq!(objective["status"], "done");
    assert_eq!(objective["key_results"].as_array().unwrap().len(), 1, "archived key results are not shown");

    let refused = api.post(&format!("/api/v1/key-results/{lead_time}/check-ins"), json!({"value": 15})).await;
    refused.problem(409, "archived");
    let history = api.get(&format!("/api/v1/key-results/{lead_time}/check-ins")).await.expect(200);
    assert_eq!(history["items"], json!([]));
});

http_test!(alignment_follows_the_cycles_and_never_loops, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let h2 = id(&api.cycle("2026-h2", "2026-07-01", "2026-12-31", "active").await);
    let half_year = api
        .objective(json!({"cycle_id": h2, "title": "Win the year", "owner_team_id": org.company,
                          "key_results": [Org::increase("Grow revenue from 0 to 10", 0.0, 10.0)]}))
        .await;
    // A quarter's objective may align to the half-year around it…
    let quarter = api
        .objective(json!({"cycle_id": org.cycle, "title": "Win the quarter", "owner_team_id": org.team,
                          "parent_objective_id": id(&half_year)}))
        .await;
    assert_eq!(quarter["parent_objective_id"], id(&half_year));
    // …but not the other way round.
    let wider = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": h2, "title": "Win more", "owner_team_id": org.team, "parent_objective_id": id(&quarter)}),
        )
        .await;
    wider.invalid_at(&["/parent_objective_id"]);
    assert!(wider.detail().contains("does not cover"), "{}", wider.text);
    // A parent key result and a parent objective must agree.
    let disagree = api
        .post(
            "/api/v1/objectives",
            json!({"cycle_id": org.cycle, "title": "Confused", "owner_team_id": org.team,
                   "parent_key_result_id": id(&half_year["key_results"][0]), "parent_objective_id": id(&quarter)}),
        )
        .await;
    disagree.invalid_at(&["/parent_objective_id"]);
    let grandchild = api
        .objective(json!({"cycle_id": org.cycle, "title": "Win the week", "owner_person_id": org.dana,
                          "parent_objective_id": id(&quarter)}))
        .await;

    // No objective aligns to itself, or to one aligned below it.
    for (objective, parent) in [(&quarter, &quarter), (&quarter, &grandchild)] {
        let path = format!("/api/v1/objectives/{}", id(objective));
        let version = api.get(&path).await.expect(200)["version"].clone();
        let reply = api.patch(&path, json!({"version": version, "parent_objective_id": id(parent)})).await;
        reply.invalid_at(&["/parent_objective_id"]);
    }
    // Dropping the parent key result drops the parent objective it implied.
    let via_key_result = api
        .objective(json!({"cycle_id": org.cycle, "title": "Sell more", "owner_team_id": org.team,
                          "parent_key_result_id": id(&half_year["key_results"][0])}))
        .await;
    assert_eq!(via_key_result["parent_objective_id"], id(&half_year));
    let path = format!("/api/v1/objectives/{}", id(&via_key_result));
    let dropped = api.patch(&path, json!({"version": 1, "parent_key_result_id": null})).await.expect(200);
    assert_eq!(dropped["parent_key_result_id"], Value::Null);
    assert_eq!(dropped["parent_objective_id"], Value::Null);
});

http_test!(silence_turns_a_key_result_stale_and_a_check_in_brings_it_back, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective =
        org.team_objective("Ship faster", org.team, json!([Org::increase("Deploy 10 times a week", 0.0, 10.0)])).await;
    let kr = id(&objective["key_results"][0]);
    let path = format!("/api/v1/key-results/{kr}/check-ins");
    // The last word was 20 days ago: a weekly check-in is overdue by more than its grace.
    api.post(&path, json!({"value": 5, "confidence": 9, "checked_in_at": at_hours(-20 * 24)})).await.expect(201);
    let silent = api.get(&format!("/api/v1/key-results/{kr}")).await.expect(200);
    assert_eq!(silent["status"], "stale", "on pace and confident, but silent: {silent}");
    let due: jiff::Timestamp = silent["check_in_due_at"].as_str().unwrap().parse().unwrap();
    assert!(due < now(), "the check-in was due at {due}");
    let objective = api.get(&format!("/api/v1/objectives/{}", id(&objective))).await.expect(200);
    assert_eq!(objective["status"], "stale", "an objective on pace with a silent key result is stale");
    // A fresh check-in at the same value brings it back on track.
    let fresh = api.post(&path, json!({"value": 5, "confidence": 9})).await.expect(201);
    assert_eq!(fresh["key_result"]["status"], "on_track");
});

http_test!(a_yearly_objective_rolls_up_its_quarterly_children, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let half = id(&api.cycle("2026-h2", "2026-07-01", "2026-12-31", "active").await);
    let parent = api
        .objective_planned(json!({"cycle_id": half, "title": "Win the outdoor season", "owner_team_id": org.company,
            "rollup_children": true, "key_results": [Org::increase("Grow revenue from 0 to 100", 0.0, 100.0)]}))
        .await;
    let own_kr = id(&parent["key_results"][0]);
    api.check_in(own_kr, json!({"value": 50})).await;
    // A quarterly objective aligned to the half-year one, its key result fully done.
    let child = api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Ship the winter range", "owner_team_id": org.team,
            "parent_objective_id": id(&parent), "key_results": [Org::increase("Launch 10 products", 0.0, 10.0)]}))
        .await;
    api.check_in(id(&child["key_results"][0]), json!({"value": 10})).await;

    let parent = api.get(&format!("/api/v1/objectives/{}", id(&parent))).await.expect(200);
    // (0.5 for its own key result + 1.0 for the child) / 2.
    assert_close(&parent["progress"], 0.75);
    // The child is measured against its own quarter: half of Q4 has passed.
    let child = api.get(&format!("/api/v1/objectives/{}", id(&child))).await.expect(200);
    assert_close(&child["expected_progress"], 0.5);
    assert_eq!(child["status"], "done");
});
