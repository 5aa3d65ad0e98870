//! Numbers that agree and explain themselves (issue 15, point 3), through the API and
//! the pages on both databases: a status never contradicts the forecast written under
//! it without saying which signal decided; an objective added mid-cycle is paced from
//! the day it was added and a parent that rolls it up says so and can stop; an edited
//! sentence is read again, and the change shows before it is saved; a moved target shows
//! who, when and why; the alignment tree gives each team a status and pace and sorts by
//! how far behind; the dashboard lists stale key results with those at risk; the check-in
//! form reports every problem at once and checks a milestone in with a done box.

use crate::harness::{Api, Org, assert_close, at_hours, id, password_of};
use crate::ui::Browser;
use jiff::SignedDuration;
use serde_json::{Value, json};

const DAY: i64 = 24;

async fn get(api: &Api, path: &str) -> Value {
    api.get(path).await.expect(200)
}

/// Dana (an editor of the platform team) with a password, logged in.
async fn dana(org: &Org) -> Api {
    org.api.give_password(org.dana, &password_of("dana")).await;
    org.log_in("dana").await
}

http_test!(an_objective_added_mid_cycle_is_paced_from_the_day_it_was_added, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let api = org.api.clone();
    let parent = api
        .objective_planned(json!({
            "cycle_id": org.cycle, "title": "Grow the business", "owner_team_id": org.company, "rollup_children": true,
            "key_results": [Org::increase("Grow revenue from 0 to 100", 0.0, 100.0)],
        }))
        .await;
    let parent_id = id(&parent);
    api.check_in(id(&parent["key_results"][0]), json!({"value": 50, "confidence": 8})).await;
    let objective = |id: i64| {
        let api = api.clone();
        async move { get(&api, &format!("/api/v1/objectives/{id}")).await }
    };
    assert_eq!(objective(parent_id).await["status"], "on_track");

    // Added today, day 46 of the cycle's 92: nothing is expected of it yet.
    let child = api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Sign partners", "owner_team_id": org.team,
            "parent_objective_id": parent_id,
            "key_results": [Org::increase("Sign 10 partners", 0.0, 10.0)],
        }))
        .await;
    assert_eq!(child["added_after_start"], true);
    let kr = id(&child["key_results"][0]);
    assert_close(&child["key_results"][0]["expected_progress"], 0.0);
    let first = api.check_in(kr, json!({"value": 0, "confidence": 8})).await;
    assert_eq!(first["key_result"]["status"], "on_track", "nothing is expected on its first day: {first}");
    assert_eq!(first["key_result"]["status_reason"], "pace");
    let parent = objective(parent_id).await;
    assert_eq!(parent["status"], "on_track", "a child added today does not drag its parent: {parent}");
    assert_close(&parent["progress"], 0.25); // (0.5 + 0.0) / 2
    assert_close(&parent["expected_progress"], 0.25); // (0.5 + 0.0) / 2

    // A week later, still at nothing: 7 of its 46 days have gone, so 15% is expected
    // of it (from the cycle's start it would be 58%, off track).
    api.shift_clock(SignedDuration::from_hours(7 * DAY));
    let later = api.check_in(kr, json!({"value": 0, "confidence": 8})).await;
    assert_close(&later["key_result"]["expected_progress"], 7.0 / 46.0);
    assert_eq!(later["key_result"]["status"], "at_risk", "{later}");

    // The parent's page says it rolls up, and its owner can stop it.
    let browser = Browser::logged_in(&api, &admin).await;
    let page = browser.get(&format!("/objectives/{parent_id}")).await;
    let text = page.expect(200);
    assert!(text.contains("Rolls up: its progress and status count the 1 objective aligned to it"), "{text}");
    let version = objective(parent_id).await["version"].as_i64().unwrap().to_string();
    let stop = browser
        .post_form(
            &format!("/objectives/{parent_id}/rollup"),
            &[("version", version.as_str()), ("rollup_children", "no")],
        )
        .await;
    assert_eq!(stop.status, 303, "{}", stop.text);
    let parent = objective(parent_id).await;
    assert_eq!(parent["rollup_children"], false);
    assert_close(&parent["progress"], 0.5);
    let text = browser.get(&format!("/objectives/{parent_id}")).await.expect(200).to_owned();
    assert!(!text.contains("Rolls up:") && text.contains("Roll them up"), "{text}");
    // A switch that says neither yes nor no is refused, and changes nothing.
    let version = parent["version"].as_i64().unwrap().to_string();
    let bad = browser
        .post_form(
            &format!("/objectives/{parent_id}/rollup"),
            &[("version", version.as_str()), ("rollup_children", "maybe")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(objective(parent_id).await["rollup_children"], false);
});

/// A small deterministic generator, so the histories are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
}

http_test!(a_status_never_contradicts_its_forecast_without_saying_why, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let api = org.api.clone();
    let mut random = Lcg(15);
    let mut key_results = Vec::new();
    for objective in 0..8 {
        let krs: Vec<Value> = (0..5)
            .map(|k| match (objective + k) % 3 {
                0 => Org::increase(&format!("Grow signups {objective}.{k} from 0 to 100"), 0.0, 100.0),
                1 => json!({"title": format!("Cut churn {objective}.{k} from 10 to 4"), "kind": "decrease", "start": 10, "target": 4}),
                _ => json!({"title": format!("Keep uptime {objective}.{k} at or above 99"), "kind": "maintain", "target": 99, "comparator": ">="}),
            })
            .collect();
        let created = api
            .objective_planned(json!({"cycle_id": org.cycle, "title": format!("Objective {objective}"),
                "owner_team_id": org.team, "key_results": krs}))
            .await;
        for kr in created["key_results"].as_array().unwrap() {
            key_results.push((id(kr), kr["kind"].as_str().unwrap().to_owned()));
        }
    }
    // Histories of 3 to 6 weekly points (a forecast from the third), with a trend and
    // noise of every size, and a confidence from 0 to 10 at the latest.
    for (kr, kind) in &key_results {
        let points = 3 + (random.next() * 4.0) as i64;
        let trend = random.next() * 1.6; // share of the way per half cycle
        let noise = random.next() * 0.3;
        let confidence = (random.next() * 11.0).floor().min(10.0) as i64;
        for point in 0..points {
            let days_ago = (points - 1 - point) * 7 + 1;
            let elapsed = (46 - days_ago) as f64 / 46.0;
            let share = trend * elapsed + noise * (random.next() - 0.5);
            let value = match kind.as_str() {
                "increase" => 100.0 * share,
                "decrease" => 10.0 - 6.0 * share,
                _ => 99.0 + (random.next() - 0.5 + trend - 0.6) * 2.0,
            };
            let body = json!({"value": value, "confidence": confidence, "checked_in_at": at_hours(-days_ago * DAY)});
            api.check_in(*kr, body).await;
        }
    }
    let mut forecast_decided = 0;
    let mut other_signal = 0;
    let browser = Browser::logged_in(&api, &admin).await;
    for (kr, _) in &key_results {
        let view = get(&api, &format!("/api/v1/key-results/{kr}")).await;
        let status = view["status"].as_str().unwrap();
        let reason = view["status_reason"].as_str().unwrap();
        let Some(probability) = view["forecast"]["probability"].as_f64() else { continue };
        if status == "on_track" {
            assert!(probability >= 0.5, "on track over an unlikely forecast: {view}");
        }
        if matches!(status, "at_risk" | "off_track") && probability >= 0.5 {
            assert_ne!(reason, "forecast", "the forecast says likely, so another signal decided: {view}");
            other_signal += 1;
            // The page says which, in words, beside the status.
            let page = browser.get(&format!("/objectives/{}", view["objective_id"])).await;
            let text = page.expect(200);
            let block = text.split(&format!("id=\"key-result-{kr}\"")).nth(1).unwrap();
            let block = block.split("</header>").next().unwrap();
            let words = match reason {
                "confidence" => format!("decided by the owner&#39;s confidence: {}/10", view["confidence"]),
                "check_in_missed" => "decided by a missed check-in".to_owned(),
                "latest_misses_goal" => "decided by the latest value, which misses the goal".to_owned(),
                "pace" => "decided by pace".to_owned(),
                "error_budget_burning" | "error_budget_spent" => "decided by the error budget".to_owned(),
                other => panic!("an unexpected reason {other}: {view}"),
            };
            assert!(block.contains(&words), "{words} in {block}");
        }
        if reason == "forecast" {
            forecast_decided += 1;
        }
    }
    assert!(forecast_decided >= 5, "the forecast decides most statuses ({forecast_decided})");
    assert!(other_signal >= 1, "some statuses are decided against a likely forecast ({other_signal})");
});

http_test!(an_edited_sentence_is_read_again_and_the_change_shows_before_saving, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (ada, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let api = org.api.clone();
    let objective = api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Be reliable", "owner_team_id": org.company,
            "key_results": [{"title": "Keep uptime at or above 94%"}]}))
        .await;
    let kr = &objective["key_results"][0];
    let kr_id = id(kr);
    assert_eq!(kr["kind"], "maintain");
    assert_close(&kr["target"], 94.0);
    let browser = Browser::logged_in(&api, &admin).await;

    // As the sentence is typed, the form's boxes follow it and say what will change.
    let title = "Keep uptime at or above 95%";
    let encoded: String = form_urlencoded::byte_serialize(title.as_bytes()).collect();
    let preview =
        browser.get_htmx(&format!("/key-results/{kr_id}/reread?title={encoded}&target=94&kind=maintain")).await;
    let text = preview.expect(200);
    assert!(text.contains("target 94% → 95%"), "{text}");
    assert!(text.contains("needs a reason"), "the cycle has begun: {text}");
    assert!(text.contains("id=\"target\" name=\"target\" value=\"95\""), "{text}");
    // An unchanged sentence changes nothing.
    let same: String = form_urlencoded::byte_serialize(kr["title"].as_str().unwrap().as_bytes()).collect();
    let text = browser.get_htmx(&format!("/key-results/{kr_id}/reread?title={same}")).await.expect(200).to_owned();
    assert!(!text.contains("reread-note"), "{text}");

    // Saving without a reason is refused at the reason; with one, the target moves.
    let version = kr["version"].as_i64().unwrap().to_string();
    let mut fields = vec![
        ("version", version.as_str()),
        ("title", title),
        ("kind", "maintain"),
        ("start", ""),
        ("target", "94"),
        ("unit", "%"),
        ("weight", "1"),
        ("owner", ""),
        ("reason", ""),
    ];
    let refused = browser.post_form(&format!("/key-results/{kr_id}/edit"), &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("id=\"reason-error\""), "{}", refused.text);
    fields.retain(|(name, _)| *name != "reason");
    fields.push(("reason", "Customers asked for a fifth nine's worth"));
    let saved = browser.post_form(&format!("/key-results/{kr_id}/edit"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let view = get(&api, &format!("/api/v1/key-results/{kr_id}")).await;
    assert_close(&view["target"], 95.0);
    assert_eq!(view["title"], title);

    // The objective page shows who moved it, when and why.
    let page = browser.get(&format!("/objectives/{}", id(&objective))).await;
    let text = page.expect(200);
    let moves = text.split("Goal moved after the cycle began").nth(1).expect("the moves are listed");
    let moves = moves.split("</ul>").next().unwrap();
    assert!(moves.contains("2026-11-16"), "{moves}");
    assert!(moves.contains("target 94% → 95%"), "{moves}");
    assert!(moves.contains("by Person ada"), "{moves}");
    assert!(moves.contains("Customers asked for a fifth nine"), "{moves}");
    let changes = get(&api, &format!("/api/v1/key-results/{kr_id}/goal-changes")).await;
    assert_eq!(changes.as_array().map(Vec::len), Some(1), "{changes}");
    assert_eq!(changes[0]["author_person_id"], ada);
});

http_test!(the_alignment_tree_gives_each_team_a_status_and_pace_and_sorts_by_how_far_behind, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let api = org.api.clone();
    let analytics = id(&api.team("analytics", Some(org.company)).await);
    let sales = id(&api.team("sales", Some(org.company)).await);
    // Half the cycle has gone: analytics is ahead (90%), engineering on pace (50%),
    // sales far behind (10%).
    for (team, value) in [(analytics, 90.0), (org.department, 50.0), (sales, 10.0)] {
        let created = api
            .objective_planned(json!({"cycle_id": org.cycle, "title": format!("Objective of {team}"),
                "owner_team_id": team, "key_results": [Org::increase("Grow from 0 to 100", 0.0, 100.0)]}))
            .await;
        api.check_in(id(&created["key_results"][0]), json!({"value": value, "confidence": 8})).await;
    }
    let browser = Browser::logged_in(&api, &admin).await;
    let order = |text: &str| {
        let mut found: Vec<(usize, &str)> = ["analytics", "engineering", "sales"]
            .into_iter()
            .filter_map(|name| text.find(&format!("<strong>Team {name}</strong>")).map(|at| (at, name)))
            .collect();
        found.sort();
        found.into_iter().map(|(_, name)| name).collect::<Vec<_>>()
    };
    let page = browser.get(&format!("/alignment?team_id={}", org.company)).await;
    let text = page.expect(200).to_owned();
    assert_eq!(order(&text), ["engineering", "analytics", "sales"], "as arranged (in the order they were made)");
    let sales_node = text.split("<strong>Team sales</strong>").nth(1).unwrap().split("</summary>").next().unwrap();
    assert!(sales_node.contains("Off track"), "{sales_node}");
    assert!(sales_node.contains("progress 10%, pace 50%: 40 points behind"), "{sales_node}");
    let analytics_node =
        text.split("<strong>Team analytics</strong>").nth(1).unwrap().split("</summary>").next().unwrap();
    assert!(analytics_node.contains("On track") && analytics_node.contains("40 points ahead"), "{analytics_node}");
    // The company rolls its teams up: (90 + 50 + 10) / 3 = 50% against 50%.
    let root = browser.get("/alignment").await;
    let root = root.expect(200);
    assert!(root.contains("progress 50%, pace 50%: on pace"), "{root}");

    let sorted = browser.get(&format!("/alignment?team_id={}&sort=behind", org.company)).await;
    assert_eq!(order(sorted.expect(200)), ["sales", "engineering", "analytics"], "furthest behind first");
    // The fragment a team opens to keeps the order; a sort it does not know is refused.
    let fragment = browser.get_htmx(&format!("/alignment/teams/{}?sort=behind", org.company)).await;
    assert_eq!(order(fragment.expect(200)), ["sales", "engineering", "analytics"]);
    assert_eq!(browser.get("/alignment?sort=sideways").await.status, 400);
});

http_test!(the_dashboard_lists_a_stale_key_result_with_those_at_risk, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let dana_api = dana(&org).await;
    let api = org.api.clone();
    let objective = api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Platform goals", "owner_team_id": org.team,
            "key_results": [
                {"title": "Grow adoption from 0 to 100", "kind": "increase", "start": 0, "target": 100, "owner_person_id": org.dana},
                {"title": "Cut build time from 10 to 5", "kind": "decrease", "start": 10, "target": 5, "owner_person_id": org.dana},
            ]}))
        .await;
    let silent = id(&objective["key_results"][0]);
    api.check_in(id(&objective["key_results"][1]), json!({"value": 10, "confidence": 3})).await;
    let view = get(&api, &format!("/api/v1/key-results/{silent}")).await;
    assert_eq!(view["status"], "stale", "no check-in since the cycle began: {view}");
    let dashboard = Browser::logged_in(&api, &dana_api).await.get("/").await;
    let text = dashboard.expect(200);
    let risk = text.split("id=\"risk-heading\"").nth(1).unwrap().split("</section>").next().unwrap();
    assert!(risk.contains(&format!("#key-result-{silent}")), "the stale key result is listed: {risk}");
    assert!(risk.contains("decided by a missed check-in"), "{risk}");
    assert!(risk.contains("The company's key results at risk"), "the company's list is behind a link: {risk}");
});

http_test!(
    the_check_in_form_reports_every_problem_at_once_and_checks_a_milestone_in_with_a_done_box,
    |api: Api| async move {
        let org = Org::new(&api, "acme").await;
        let dana = dana(&org).await;
        let api = org.api.clone();
        let objective = api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Platform goals", "owner_team_id": org.team,
            "key_results": [
                {"title": "Grow adoption from 0 to 100", "kind": "increase", "start": 0, "target": 100, "owner_person_id": org.dana},
                {"title": "Launch the new console", "kind": "milestone", "owner_person_id": org.dana},
            ]}))
        .await;
        let (number, milestone) = (id(&objective["key_results"][0]), id(&objective["key_results"][1]));
        let browser = Browser::logged_in(&api, &dana).await;
        let form = browser.get("/check-in").await;
        let text = form.expect(200);
        assert!(text.contains(&format!("id=\"done-{milestone}\" name=\"done.{milestone}\"")), "a done box: {text}");
        assert!(!text.contains(&format!("id=\"value-{milestone}\"")), "no fraction to type for a milestone: {text}");

        let ids = format!("{number},{milestone}");
        let (value, confidence) = (format!("value.{number}"), format!("confidence.{number}"));
        let marker = format!("milestone.{milestone}");
        let both = browser
            .post_form(
                "/check-in",
                &[
                    ("key_results", ids.as_str()),
                    (value.as_str(), "lots"),
                    (confidence.as_str(), "11"),
                    (marker.as_str(), "yes"),
                ],
            )
            .await;
        assert_eq!(both.status, 422, "{}", both.text);
        assert!(both.text.contains(&format!("id=\"value-{number}-error\"")), "{}", both.text);
        assert!(
            both.text.contains(&format!("id=\"confidence-{number}-error\"")),
            "a bad value does not hide a bad confidence: {}",
            both.text
        );
        assert!(both.text.contains("Fix the 2 fields"), "{}", both.text);
        let list = get(&api, &format!("/api/v1/key-results/{number}/check-ins")).await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing saved");

        // The done box: ticked, the milestone is done (1).
        let done = format!("done.{milestone}");
        let saved = browser
            .post_form(
                "/check-in",
                &[("key_results", milestone.to_string().as_str()), (marker.as_str(), "yes"), (done.as_str(), "yes")],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.text);
        let view = get(&api, &format!("/api/v1/key-results/{milestone}")).await;
        assert_close(&view["current"], 1.0);
        assert_eq!(view["status"], "done");
        // Left unticked on a form that showed it done, a milestone goes back to not done.
        let shown = format!("shown_value.{milestone}");
        let undone = browser
            .post_form(
                "/check-in",
                &[("key_results", milestone.to_string().as_str()), (marker.as_str(), "yes"), (shown.as_str(), "1")],
            )
            .await;
        assert_eq!(undone.status, 303, "{}", undone.text);
        assert_close(&get(&api, &format!("/api/v1/key-results/{milestone}")).await["current"], 0.0);
    }
);

http_test!(the_objective_and_key_result_forms_report_every_problem_at_once, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let api = org.api.clone();
    let browser = Browser::logged_in(&api, &admin).await;
    // A target that is not a number (the form's own problem) beside a title too long
    // (the app's): both are marked, and nothing is written.
    let long = "x".repeat(301);
    let cycle = org.cycle.to_string();
    let owner = format!("team:{}", org.company);
    let page = browser
        .post_form(
            "/objectives/new",
            &[
                ("cycle_id", cycle.as_str()),
                ("title", long.as_str()),
                ("owner", owner.as_str()),
                ("commitment", "committed"),
                ("visibility", "workspace"),
                ("key_results.0.title", "Grow revenue from 10 to 20"),
                ("key_results.0.start", "10"),
                ("key_results.0.target", "lots"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(page.text.contains("id=\"kr-0-target-error\""), "the form's own problem: {}", page.text);
    assert!(page.text.contains("id=\"title-error\""), "and the app's, at once: {}", page.text);
    let list = get(&api, &format!("/api/v1/objectives?cycle_id={}", org.cycle)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing written: {list}");

    // A new key result: a target that is not a number beside a sentence longer than a
    // title may be (300 characters; the app's check, not the form's).
    let objective = api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Grow more", "owner_team_id": org.company,
            "key_results": [Org::increase("Grow signups from 10 to 20", 10.0, 20.0)]}))
        .await;
    let long_sentence = format!("Grow revenue from 10 to 20 {}", "and keep growing ".repeat(20));
    let page = browser
        .post_form(
            &format!("/objectives/{}/key-results/new", id(&objective)),
            &[
                ("key_results.0.title", long_sentence.as_str()),
                ("key_results.0.start", "10"),
                ("key_results.0.target", "lots"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(page.text.contains("id=\"kr-0-target-error\""), "{}", page.text);
    assert!(page.text.contains("id=\"kr-0-title-error\""), "the app's problem, at once: {}", page.text);
    let view = get(&api, &format!("/api/v1/objectives/{}", id(&objective))).await;
    assert_eq!(view["key_results"].as_array().map(Vec::len), Some(1), "nothing added: {view}");

    // The key result form: a weight that is not a number beside a moved target without
    // the reason the running cycle needs.
    let objective = api
        .objective_planned(json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.company,
            "key_results": [Org::increase("Grow revenue from 10 to 20", 10.0, 20.0)]}))
        .await;
    let kr = &objective["key_results"][0];
    let kr_id = id(kr);
    let version = kr["version"].as_i64().unwrap().to_string();
    let title = kr["title"].as_str().unwrap();
    let page = browser
        .post_form(
            &format!("/key-results/{kr_id}/edit"),
            &[
                ("version", version.as_str()),
                ("title", title),
                ("kind", "increase"),
                ("start", "10"),
                ("target", "25"),
                ("unit", ""),
                ("weight", "heavy"),
                ("owner", ""),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(page.text.contains("id=\"weight-error\""), "{}", page.text);
    assert!(page.text.contains("id=\"reason-error\""), "a moved target needs a reason, said at once: {}", page.text);
    assert_close(&get(&api, &format!("/api/v1/key-results/{kr_id}")).await["target"], 20.0);
});

http_test!(the_kpi_form_reports_every_problem_at_once, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", Some(org.company), "admin").await;
    let browser = Browser::logged_in(&org.api, &admin).await;
    // A target that is not a number (the form's own problem) beside a name left empty
    // (the app's): both are marked at once, and nothing is defined.
    let page = browser
        .post_form(
            "/kpis/new",
            &[
                ("name", ""),
                ("direction", "higher_is_better"),
                ("cadence", "daily"),
                ("tier", "kpi"),
                ("target", "lots"),
                ("warning_band", "1"),
                ("owner", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text);
    assert!(page.text.contains("id=\"target-error\""), "the form's own problem: {}", page.text);
    assert!(page.text.contains("id=\"name-error\""), "and the app's, at once: {}", page.text);
    let list = get(&org.api, "/api/v1/kpis").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing defined: {list}");
});
