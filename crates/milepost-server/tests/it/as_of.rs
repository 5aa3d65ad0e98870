//! Reads as of a past instant (`?as_of=`, issue 18): the numbers as they stood then,
//! from what had been recorded by then; `as_of` now is the live view; late data shows
//! only when asked for (`known=now`); visibility is that of today.

use crate::harness::{Api, Org, id, now};
use jiff::SignedDuration;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

/// `NOW` shifted by `days` (negative is earlier), as RFC 3339 text.
fn day(days: i64) -> String {
    now().checked_add(SignedDuration::from_hours(24 * days)).unwrap().to_string()
}

/// Moves the clock to `NOW` + `days`.
fn clock(api: &Api, days: i64) {
    api.shift_clock(SignedDuration::from_hours(24 * days));
}

/// A workspace made 50 days before `NOW` (so its past can be read), with the clock left
/// there.
async fn org_in_the_past(api: &Api, slug: &str) -> Org {
    clock(api, -50);
    Org::new(api, slug).await
}

/// `path` as of `at`, with `extra` query text.
fn as_of(path: &str, at: &str, extra: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}as_of={}{extra}", at.replace('+', "%2B").replace(':', "%3A"))
}

http_test!(a_check_in_recorded_after_an_instant_never_changes_that_instants_view, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -40);
    let objective = org.team_objective("Ship faster", org.team, json!([Org::increase("Deploys", 0.0, 100.0)])).await;
    let (objective, key_result) = (id(&objective), id(&objective["key_results"][0]));
    clock(&api, -30);
    admin.check_in(key_result, json!({"value": 20, "confidence": 7})).await;
    let instant = day(-20);
    clock(&api, -20);
    let then_objective = admin.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
    let then_key_result = admin.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    // Later, a check-in about a day before the instant arrives, and another after it.
    clock(&api, -10);
    admin.check_in(key_result, json!({"value": 60, "checked_in_at": day(-25)})).await;
    clock(&api, -5);
    admin.check_in(key_result, json!({"value": 80})).await;
    clock(&api, 0);
    let path = format!("/api/v1/objectives/{objective}");
    let recorded = admin.get(&as_of(&path, &instant, "")).await.expect(200);
    same(&unversioned(then_objective), &unversioned(recorded), "the objective reads as it did then");
    let path = format!("/api/v1/key-results/{key_result}");
    let recorded = admin.get(&as_of(&path, &instant, "")).await.expect(200);
    same(&unversioned(then_key_result.clone()), &unversioned(recorded.clone()), "the key result reads as then");
    assert_eq!(recorded["current"], 20.0, "{recorded}");
    // As known now, the late check-in about the time before the instant counts.
    let known = admin.get(&as_of(&path, &instant, "&known=now")).await.expect(200);
    assert_eq!(known["current"], 60.0, "{known}");
    let live = admin.get(&path).await.expect(200);
    assert_eq!(live["current"], 80.0, "{live}");
    // The lists say the same as the single reads.
    let list =
        admin.get(&as_of(&format!("/api/v1/key-results?objective_id={objective}"), &instant, "")).await.expect(200);
    same(&unversioned(list["items"][0].clone()), &unversioned(then_key_result), "the list reads as then");
});

http_test!(an_objective_archived_later_appears_as_of_before_its_archiving, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -40);
    let kept = id(&org.team_objective("Kept", org.team, json!([Org::increase("A", 0.0, 10.0)])).await);
    let gone = org.team_objective("Archived later", org.team, json!([Org::increase("B", 0.0, 10.0)])).await;
    let gone_key_result = id(&gone["key_results"][0]);
    let gone = id(&gone);
    clock(&api, -10);
    admin.post(&format!("/api/v1/objectives/{gone}/archive"), json!({"version": 1})).await.expect(200);
    clock(&api, -5);
    let late = id(&org.team_objective("Made later", org.team, json!([Org::increase("C", 0.0, 10.0)])).await);
    clock(&api, 0);
    let list = |at: String| {
        let admin = admin.clone();
        let cycle = org.cycle;
        async move {
            let page = admin.get(&as_of(&format!("/api/v1/objectives?cycle_id={cycle}"), &at, "")).await.expect(200);
            page["items"].as_array().unwrap().iter().map(id).collect::<Vec<i64>>()
        }
    };
    assert_eq!(list(day(-20)).await, vec![kept, gone], "before its archiving it was there, and the later one was not");
    assert_eq!(list(day(-7)).await, vec![kept], "after its archiving it is gone");
    let live = admin.walk_ids(&format!("/api/v1/objectives?cycle_id={}", org.cycle), 10).await;
    assert_eq!(live, vec![kept, late]);
    let then = admin.get(&as_of(&format!("/api/v1/objectives/{gone}"), &day(-20), "")).await.expect(200);
    assert_eq!(then["archived"], false, "{then}");
    assert_eq!(then["key_results"][0]["id"], gone_key_result, "{then}");
    let archived = admin.get(&as_of(&format!("/api/v1/objectives/{gone}"), &day(-7), "")).await.expect(200);
    assert_eq!(archived["archived"], true, "{archived}");
    // A thing that did not exist yet is not found then.
    admin.get(&as_of(&format!("/api/v1/objectives/{late}"), &day(-20), "")).await.problem(404, "not_found");
    let path = format!("/api/v1/objectives?cycle_id={}&include_archived=true", org.cycle);
    let with_archived = admin.get(&as_of(&path, &day(-7), "")).await.expect(200);
    let ids: Vec<i64> = with_archived["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![kept, gone]);
});

http_test!(a_target_changed_later_shows_the_old_target_and_title, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -40);
    let objective = org.team_objective("Ship faster", org.team, json!([Org::increase("Deploys", 0.0, 100.0)])).await;
    let key_result = id(&objective["key_results"][0]);
    clock(&api, -30);
    admin.check_in(key_result, json!({"value": 50})).await;
    clock(&api, -10);
    let path = format!("/api/v1/key-results/{key_result}");
    let changed = admin
        .patch(&path, json!({"version": 2, "target": 200.0, "title": "Deploys, doubled", "reason": "too easy"}))
        .await
        .expect(200);
    assert_eq!(changed["target"], 200.0, "{changed}");
    clock(&api, 0);
    let then = admin.get(&as_of(&path, &day(-20), "")).await.expect(200);
    assert_eq!((then["target"].clone(), then["title"].clone()), (json!(100.0), json!("Deploys")), "{then}");
    let live = admin.get(&path).await.expect(200);
    assert_eq!((live["target"].clone(), live["title"].clone()), (json!(200.0), json!("Deploys, doubled")));
    assert!(then["progress"].as_f64().unwrap() > live["progress"].as_f64().unwrap(), "{then} {live}");
    let objective = admin.get(&as_of(&format!("/api/v1/objectives/{}", id(&objective)), &day(-20), "")).await;
    let objective = objective.expect(200);
    assert_eq!(objective["key_results"][0]["target"], 100.0, "{objective}");
});

http_test!(bad_as_of_values_are_refused_at_as_of, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -10);
    let objective = id(&org.team_objective("Ship", org.team, json!([Org::increase("A", 0.0, 10.0)])).await);
    clock(&api, 0);
    let paths = [
        format!("/api/v1/objectives/{objective}"),
        "/api/v1/objectives".to_owned(),
        "/api/v1/key-results".to_owned(),
        "/api/v1/kpis/board".to_owned(),
    ];
    for path in &paths {
        for (bad, says) in [
            (day(1), "in the future"),
            (day(-60), "before the workspace existed"),
            ("2026-11-17".to_owned(), "in the future"),
            ("last tuesday".to_owned(), "neither an instant nor a date"),
            ("2026-13-01".to_owned(), "neither an instant nor a date"),
        ] {
            let reply = admin.get(&as_of(path, &bad, "")).await;
            let body = reply.problem(422, "invalid").clone();
            assert_eq!(body["errors"][0]["pointer"], "/as_of", "{path} {bad}: {body}");
            assert!(body["errors"][0]["detail"].as_str().unwrap().contains(says), "{path} {bad}: {body}");
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        let body = admin.get(&format!("{path}{sep}known=now")).await.problem(422, "invalid").clone();
        assert_eq!(body["errors"][0]["pointer"], "/known", "{body}");
        admin.get(&format!("{path}{sep}as_of=2026-11-01&known=later")).await.problem(400, "bad_request");
    }
    // A date is the end of that day in the workspace's time zone; today is now.
    admin.get(&as_of(&paths[0], "2026-11-16", "")).await.expect(200);
    admin.get(&as_of(&paths[0], "2026-10-01", "")).await.problem(404, "not_found");
});

http_test!(history_shows_nothing_the_caller_may_not_see_now, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -40);
    let hidden = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [{"title": "Pages", "kind": "decrease", "start": 10, "target": 0}]}))
        .await;
    let (hidden_id, hidden_key_result) = (id(&hidden), id(&hidden["key_results"][0]));
    let open = id(&org.team_objective("Ship", org.team, json!([Org::increase("A", 0.0, 10.0)])).await);
    clock(&api, 0);
    let (_, outsider) = org.person_with_session("omar", Some(org.company), "member").await;
    let at = day(-20);
    let list = outsider.get(&as_of(&format!("/api/v1/objectives?cycle_id={}", org.cycle), &at, "")).await.expect(200);
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids, vec![open], "{list}");
    outsider.get(&as_of(&format!("/api/v1/objectives/{hidden_id}"), &at, "")).await.problem(404, "not_found");
    outsider.get(&as_of(&format!("/api/v1/key-results/{hidden_key_result}"), &at, "")).await.problem(404, "not_found");
    let key_results = outsider.get(&as_of("/api/v1/key-results", &at, "&include_archived=true")).await.expect(200);
    assert!(!key_results.to_string().contains("Pages"), "{key_results}");
    admin.get(&as_of(&format!("/api/v1/objectives/{hidden_id}"), &at, "")).await.expect(200);
});

http_test!(the_kpi_board_as_of_an_instant_counts_the_measurements_recorded_by_then, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -40);
    let kpi = admin
        .post(
            "/api/v1/kpis",
            json!({"name": "Uptime", "unit": "%", "direction": "higher_is_better",
                                     "target": 99.0, "warning_band": 0.1, "cadence": "daily"}),
        )
        .await
        .expect(201);
    let kpi = id(&kpi);
    clock(&api, -30);
    admin
        .post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 99.5, "measured_at": day(-30)}))
        .await
        .expect(201);
    clock(&api, -10);
    admin
        .post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 90.0, "measured_at": day(-25)}))
        .await
        .expect(201);
    clock(&api, 0);
    let board = admin.get(&as_of("/api/v1/kpis/board", &day(-20), "")).await.expect(200);
    assert_eq!(board["items"][0]["kpi"]["state"]["last_value"], 99.5, "{board}");
    assert_eq!(board["as_of"], day(-20), "{board}");
    let known = admin.get(&as_of("/api/v1/kpis/board", &day(-20), "&known=now")).await.expect(200);
    assert_eq!(known["items"][0]["kpi"]["state"]["last_value"], 90.0, "{known}");
    let before = admin.get(&as_of("/api/v1/kpis/board", &day(-45), "")).await.expect(200);
    assert_eq!(before["items"], json!([]), "the KPI did not exist yet: {before}");
});

/// One step of a generated history, at a day before `NOW`.
#[derive(Debug, Clone)]
enum Step {
    /// A check-in of key result `n % count` with this value, about `back` days earlier.
    CheckIn(usize, u8, u8),
    /// A new objective with one key result.
    Objective,
    /// The target of key result `n % count` moved.
    Target(usize, u8),
    /// Objective `n % count` archived.
    Archive(usize),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = proptest::prop_oneof![
        4 => (0..8usize, 0..100u8, 0..3u8).prop_map(|(n, v, b)| Step::CheckIn(n, v, b)),
        1 => proptest::strategy::Just(Step::Objective),
        1 => (0..8usize, 101..250u8).prop_map(|(n, t)| Step::Target(n, t)),
        1 => (0..8usize).prop_map(Step::Archive),
    ];
    proptest::collection::vec(step, 1..10)
}

http_test!(as_of_now_equals_the_live_view_over_generated_histories, |api: Api| async move {
    let mut runner = TestRunner::new_with_rng(
        Config { cases: 6, ..Config::default() },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[18; 32]),
    );
    for case in 0..6 {
        let history = steps().new_tree(&mut runner).unwrap().current();
        let org = org_in_the_past(&api, &format!("case{case}")).await;
        let admin = org.api.clone();
        clock(&api, -45);
        let first = org.team_objective("First", org.team, json!([Org::increase("KR", 0.0, 100.0)])).await;
        let mut objectives = vec![id(&first)];
        // Each objective's key result (one each, in the same order), with whether the
        // objective is archived.
        let mut key_results = vec![(id(&first["key_results"][0]), false)];
        for (at, step) in history.iter().enumerate() {
            let days = -40 + 4 * i64::try_from(at).unwrap();
            clock(&api, days);
            match step {
                Step::CheckIn(n, value, back) => {
                    let (key_result, archived) = key_results[n % key_results.len()];
                    if archived {
                        continue;
                    }
                    let when = day(days - i64::from(*back));
                    let body = json!({"value": value, "confidence": 5, "checked_in_at": when});
                    admin.post(&format!("/api/v1/key-results/{key_result}/check-ins"), body).await.expect(201);
                }
                Step::Objective => {
                    let made = org
                        .team_objective(&format!("Objective {at}"), org.team, json!([Org::increase("KR", 0.0, 50.0)]))
                        .await;
                    objectives.push(id(&made));
                    key_results.push((id(&made["key_results"][0]), false));
                }
                Step::Target(n, target) => {
                    let (key_result, archived) = key_results[n % key_results.len()];
                    if archived {
                        continue;
                    }
                    let current = admin.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
                    let body = json!({"version": current["version"], "target": f64::from(*target), "reason": "moved"});
                    admin.patch(&format!("/api/v1/key-results/{key_result}"), body).await.expect(200);
                }
                Step::Archive(n) => {
                    let at = n % objectives.len();
                    let objective = objectives[at];
                    key_results[at].1 = true;
                    let current = admin.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
                    if current["archived"] == false {
                        let body = json!({"version": current["version"]});
                        admin.post(&format!("/api/v1/objectives/{objective}/archive"), body).await.expect(200);
                    }
                }
            }
        }
        clock(&api, 0);
        let at = day(0);
        for path in [
            format!("/api/v1/objectives?cycle_id={}", org.cycle),
            format!("/api/v1/objectives?cycle_id={}&include_archived=true", org.cycle),
            "/api/v1/key-results".to_owned(),
            "/api/v1/key-results?include_archived=true".to_owned(),
            "/api/v1/kpis/board".to_owned(),
        ] {
            let live = admin.get(&path).await.expect(200);
            let then = admin.get(&as_of(&path, &at, "")).await.expect(200);
            same(&live, &then, &format!("{path} {history:?}"));
        }
        for objective in &objectives {
            let path = format!("/api/v1/objectives/{objective}");
            let live = admin.get(&path).await.expect(200);
            same(&live, &admin.get(&as_of(&path, &at, "")).await.expect(200), &format!("{path} {history:?}"));
        }
    }
});

/// Asserts that two answers agree field by field, naming the first field that does not.
#[track_caller]
fn same(live: &Value, then: &Value, context: &str) {
    fn walk(a: &Value, b: &Value, at: String, context: &str) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for key in keys {
                    let (p, q) = (x.get(key.as_str()), y.get(key.as_str()));
                    walk(p.unwrap_or(&Value::Null), q.unwrap_or(&Value::Null), format!("{at}/{key}"), context);
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                assert_eq!(x.len(), y.len(), "{at}: lengths differ ({context})");
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    walk(p, q, format!("{at}/{i}"), context);
                }
            }
            _ => assert_eq!(a, b, "{at} differs ({context})"),
        }
    }
    walk(live, then, String::new(), context);
}

/// `value` without its `version` and `updated_at` fields, at any depth: an as-of view
/// gives today's (a write names today's version).
fn unversioned(mut value: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("version");
                map.remove("updated_at");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

http_test!(ui_pages_as_of_a_date_show_the_banner_the_picker_and_keep_the_date_in_links, |api: Api| async move {
    let org = org_in_the_past(&api, "acme").await;
    let admin = org.api.clone();
    clock(&api, -40);
    let objective = org.team_objective("Ship faster", org.team, json!([Org::increase("Deploys", 0.0, 100.0)])).await;
    let (objective, key_result) = (id(&objective), id(&objective["key_results"][0]));
    clock(&api, -30);
    admin.check_in(key_result, json!({"value": 20})).await;
    clock(&api, -10);
    let path = format!("/api/v1/key-results/{key_result}");
    admin.patch(&path, json!({"version": 2, "target": 400.0, "reason": "bolder"})).await.expect(200);
    admin.check_in(key_result, json!({"value": 77, "note": "late news"})).await;
    clock(&api, 0);
    let (_, dana) = org.person_with_session("fay", Some(org.team), "member").await;
    let browser = crate::ui::Browser::logged_in(&api, &dana).await;
    let today = browser.get("/").await;
    assert_eq!(today.status, 200, "{}", today.text);
    assert!(today.text.contains("name=\"as_of\""), "the dashboard offers the date picker: {}", today.text);
    assert!(!today.text.contains("you are looking at the past"), "today has no banner");
    let past = browser.get("/?as_of=2026-10-27").await;
    assert_eq!(past.status, 200, "{}", past.text);
    assert!(past.text.contains("As of 2026-10-27 – you are looking at the past."), "{}", past.text);
    assert!(past.text.contains("value=\"2026-10-27\""), "the picker shows the date: {}", past.text);
    assert!(
        past.text.contains(&format!("href=\"/objectives/{objective}?as_of=2026-10-27\"")),
        "links inside the page keep the date: {}",
        past.text
    );
    assert!(past.text.contains("href=\"/\">Back to today"), "{}", past.text);
    let page = browser.get(&format!("/objectives/{objective}?as_of=2026-10-27")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("you are looking at the past"), "{}", page.text);
    assert!(page.text.contains("100") && !page.text.contains("400"), "the old target, not yet moved: {}", page.text);
    assert!(!page.text.contains("late news"), "a check-in recorded later is not in the history: {}", page.text);
    let live = browser.get(&format!("/objectives/{objective}")).await;
    assert!(live.text.contains("late news") && live.text.contains("400"), "{}", live.text);
    let known = browser.get(&format!("/objectives/{objective}?as_of=2026-10-27&known=now")).await;
    assert!(known.text.contains("Show as recorded then"), "the toggle back: {}", known.text);
    let board = browser.get("/kpis?as_of=2026-10-27").await;
    assert_eq!(board.status, 200, "{}", board.text);
    assert!(board.text.contains("you are looking at the past"), "{}", board.text);
    let bad = browser.get("/?as_of=2027-01-01").await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("in the future"), "{}", bad.text);
});
