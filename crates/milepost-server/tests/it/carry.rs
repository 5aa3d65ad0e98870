//! Carry-over (issue 16): a closed cycle's unfinished objectives are copied into a
//! later cycle. A copy starts from the value reached (a KPI-linked key result from the
//! KPI's value at the new cycle's start), a milestone not done starts undone, the
//! initiatives not done follow, the copy aligns to its parent's copy, to its parent
//! while that is open, or asks; the copy and its origin link to each other; carrying
//! twice answers the existing copy; and every bad request is refused whole.

use crate::harness::{Api, GHOST, Org, at_hours, id};
use crate::ui::Browser;
use serde_json::{Value, json};

/// Closes a cycle the way an admin does today: PATCH with status closed.
pub async fn close(api: &Api, cycle: i64) {
    let path = format!("/api/v1/cycles/{cycle}");
    let version = api.get(&path).await.expect(200)["version"].clone();
    api.patch(&path, json!({"version": version, "status": "closed"})).await.expect(200);
}

fn by_origin(outcome: &Value, origin: i64) -> Value {
    outcome["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["origin_objective_id"] == origin)
        .cloned()
        .unwrap_or_else(|| panic!("objective {origin} not in {outcome}"))
}

fn key_result_by_origin(objective: &Value, origin: i64) -> Value {
    objective["key_results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["origin_key_result_id"] == origin)
        .cloned()
        .unwrap_or_else(|| panic!("key result {origin} not in {objective}"))
}

/// Ids of an objective's key results, in order.
fn key_results(objective: &Value) -> Vec<i64> {
    objective["key_results"].as_array().unwrap().iter().map(id).collect()
}

http_test!(a_carry_starts_from_the_value_reached_aligns_and_links_both_ways, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let year = id(&admin.cycle("fy27", "2026-10-01", "2027-09-30", "active").await);
    let yearly = admin
        .objective(json!({"cycle_id": year, "title": "Be the reference platform", "owner_team_id": org.company}))
        .await;
    let kpi = id(&admin
        .post(
            "/api/v1/kpis",
            json!({"name": "Signups", "direction": "higher_is_better", "target": 500, "cadence": "daily",
                   "owner_person_id": org.dana}),
        )
        .await
        .expect(201));
    // A: unfinished, with a key result half way, one done, a milestone not done and one a KPI feeds.
    let a = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Make onboarding effortless", "owner_team_id": org.team,
            "commitment": "aspirational", "rollup_children": true, "description": "Why it matters",
            "key_results": [
                Org::increase("Grow activation from 0 to 10", 0.0, 10.0),
                Org::increase("Grow reviews from 0 to 10", 0.0, 10.0),
                {"title": "Launch the guided tour", "kind": "milestone", "owner_person_id": org.dana},
                {"title": "Grow signups from 100 to 500", "kind": "increase", "start": 100, "target": 500,
                 "kpi_id": kpi, "owner_person_id": org.dana, "weight": 2}]}))
        .await;
    let a_id = id(&a);
    let [half, done, milestone, fed] = key_results(&a)[..] else { panic!("{a}") };
    admin.check_in(half, json!({"value": 4})).await;
    admin.check_in(done, json!({"value": 10})).await;
    admin
        .post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"measured_at": at_hours(-48), "value": 250}))
        .await
        .expect(201);
    let active = id(&admin
        .post("/api/v1/initiatives", json!({"title": "Tour copy", "status": "active", "key_result_ids": [half]}))
        .await
        .expect(201));
    let finished = id(&admin
        .post("/api/v1/initiatives", json!({"title": "Old survey", "status": "done", "key_result_ids": [half]}))
        .await
        .expect(201));
    // B aligns to A; C to the open yearly objective; D to S, which succeeded and stays.
    let b = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Shorter sign-up", "owner_person_id": org.dana,
            "parent_objective_id": a_id, "key_results": [Org::increase("Cut steps from 0 to 10", 0.0, 10.0)]}))
        .await;
    let c = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Faster builds", "owner_team_id": org.team,
            "parent_objective_id": id(&yearly), "key_results": [Org::increase("Grow cache hits from 0 to 10", 0.0, 10.0)]}))
        .await;
    let s = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Hire", "owner_team_id": org.team,
            "key_results": [Org::increase("Hire from 0 to 2", 0.0, 2.0)]}))
        .await;
    admin.check_in(id(&s["key_results"][0]), json!({"value": 2})).await;
    let d = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Onboard the hires", "owner_team_id": org.team,
            "parent_objective_id": id(&s), "key_results": [Org::increase("Pair from 0 to 10", 0.0, 10.0)]}))
        .await;
    let (b_id, c_id, d_id, s_id) = (id(&b), id(&c), id(&d), id(&s));

    close(&admin, org.cycle).await;
    let next = id(&admin.cycle("2027-q1", "2027-01-01", "2027-03-31", "planning").await);
    // A measurement after the close: the copy's baseline is the KPI's latest value before
    // the new cycle's start, not the value the closed key result reached.
    admin
        .post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"measured_at": at_hours(-1), "value": 320}))
        .await
        .expect(201);

    // The preview: the unfinished objectives (not S), parents first, every key result with
    // those below full progress selected, and the alignment each copy would get.
    let path = format!("/api/v1/cycles/{}/carry", org.cycle);
    let preview = admin.get(&path).await.expect(200);
    assert_eq!(preview["preview"], true);
    assert_eq!(preview["target_cycle_id"], next, "the next cycle by start date: {preview}");
    let origins: Vec<i64> =
        preview["objectives"].as_array().unwrap().iter().map(|o| o["origin_objective_id"].as_i64().unwrap()).collect();
    assert!(!origins.contains(&s_id), "{origins:?}");
    let (at_a, at_b) =
        (origins.iter().position(|o| *o == a_id).unwrap(), origins.iter().position(|o| *o == b_id).unwrap());
    assert!(at_a < at_b, "a parent before its children: {origins:?}");
    let planned = by_origin(&preview, a_id);
    assert_eq!(planned["copy_objective_id"], Value::Null);
    assert_eq!(key_result_by_origin(&planned, done)["selected"], false);
    assert_eq!(key_result_by_origin(&planned, half)["selected"], true);
    assert_eq!(key_result_by_origin(&planned, fed)["start"], 320.0);
    assert_eq!(by_origin(&preview, b_id)["alignment"]["by"], "carried_parent");
    assert_eq!(by_origin(&preview, c_id)["alignment"]["by"], "original_parent");
    assert_eq!(by_origin(&preview, d_id)["alignment"]["by"], "asks");
    assert_eq!(
        admin.get(&format!("/api/v1/objectives?cycle_id={next}")).await.expect(200)["items"],
        json!([]),
        "a preview writes nothing"
    );

    // The carry.
    let outcome = admin.post(&path, json!({})).await.expect(200);
    assert_eq!(outcome["preview"], false);
    let carried_a = by_origin(&outcome, a_id);
    assert_eq!(carried_a["created"], true);
    let copy_a = carried_a["copy_objective_id"].as_i64().unwrap();
    let copied: Vec<i64> = carried_a["key_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["origin_key_result_id"].as_i64().unwrap())
        .collect();
    assert_eq!(copied, [half, milestone, fed], "the done key result stays behind");
    assert_eq!(carried_a["initiative_ids"], json!([active]), "the done initiative stays behind");
    let carried_b = by_origin(&outcome, b_id);
    assert_eq!(carried_b["alignment"]["by"], "carried_parent");
    assert_eq!(carried_b["alignment"]["parent_objective_id"], copy_a);
    assert_eq!(by_origin(&outcome, c_id)["alignment"]["parent_objective_id"], id(&yearly));
    let carried_d = by_origin(&outcome, d_id);
    assert_eq!(carried_d["alignment"]["by"], "asks");
    assert_eq!(carried_d["alignment"]["parent_objective_id"], Value::Null);
    assert_eq!(carried_d["alignment"]["origin_parent_objective_id"], s_id);

    // The copy: same definition, starts from the value reached, links to its origin.
    let copy = admin.get(&format!("/api/v1/objectives/{copy_a}")).await.expect(200);
    assert_eq!(copy["cycle_id"], next);
    for field in ["title", "description", "owner_team_id", "commitment", "visibility", "rollup_children"] {
        assert_eq!(copy[field], a[field], "{field}");
    }
    assert_eq!(copy["carried_from_objective_id"], a_id);
    let krs = copy["key_results"].as_array().unwrap();
    assert_eq!(krs.len(), 3, "{copy}");
    assert_eq!(krs[0]["carried_from_key_result_id"], half);
    assert_eq!((krs[0]["start"].as_f64(), krs[0]["target"].as_f64()), (Some(4.0), Some(10.0)));
    assert_eq!(krs[1]["kind"], "milestone");
    assert_eq!(krs[1]["current"], Value::Null, "a milestone not done starts undone");
    assert_ne!(krs[1]["status"], "done");
    assert_eq!(
        (krs[2]["start"].as_f64(), krs[2]["kpi_id"].as_i64(), krs[2]["weight"].as_f64()),
        (Some(320.0), Some(kpi), Some(2.0))
    );
    let single = admin.get(&format!("/api/v1/key-results/{}", id(&krs[0]))).await.expect(200);
    assert_eq!(single["carried_from_key_result_id"], half);
    let origin = admin.get(&format!("/api/v1/objectives/{a_id}")).await.expect(200);
    assert_eq!(origin["carried_to"], json!([{"objective_id": copy_a, "cycle_id": next}]));
    let initiative = admin.get(&format!("/api/v1/initiatives/{active}")).await.expect(200);
    assert_eq!(initiative["key_result_ids"], json!([half, id(&krs[0])]));
    let old = admin.get(&format!("/api/v1/initiatives/{finished}")).await.expect(200);
    assert_eq!(old["key_result_ids"], json!([half]));

    // Twice: the existing copies, nothing new.
    let again = admin.post(&path, json!({"target_cycle_id": next})).await.expect(200);
    for objective in again["objectives"].as_array().unwrap() {
        assert_eq!(objective["created"], false, "{objective}");
        assert_eq!(
            objective["copy_objective_id"],
            by_origin(&outcome, objective["origin_objective_id"].as_i64().unwrap())["copy_objective_id"]
        );
    }
    assert_eq!(by_origin(&again, a_id)["key_results"].as_array().unwrap().len(), 3);
    let listed = admin.get(&format!("/api/v1/objectives?cycle_id={next}")).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 4, "{listed}");

    // The audit trail has the request and each copy.
    let events = admin.walk(&format!("/api/v1/events?entity=cycle&entity_id={}", org.cycle), 50).await;
    assert_eq!(events.iter().filter(|e| e["action"] == "carry").count(), 2, "{events:?}");
    let events = admin.walk(&format!("/api/v1/events?entity=objective&entity_id={copy_a}"), 50).await;
    assert_eq!(events[0]["action"], "carry");
    assert_eq!(events[0]["after"]["carried_from"], a_id);
});

http_test!(a_carry_is_refused_whole_when_anything_is_wrong, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let (mo, member) = org.person_with_session("mo", Some(org.team), "member").await;
    let team_objective = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Grow", "owner_team_id": org.team,
            "key_results": [Org::increase("Grow revenue from 0 to 10", 0.0, 10.0),
                            Org::increase("Grow margin from 0 to 10", 0.0, 10.0)]}))
        .await;
    let grow = id(&team_objective);
    let [revenue, margin] = key_results(&team_objective)[..] else { panic!("{team_objective}") };
    admin.check_in(revenue, json!({"value": 10})).await;
    admin.check_in(margin, json!({"value": 3})).await;
    let own = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Learn Rust", "owner_person_id": mo,
            "key_results": [Org::increase("Finish chapters from 0 to 10", 0.0, 10.0)]}))
        .await;
    let elsewhere = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Company things", "owner_team_id": org.company,
            "key_results": [Org::increase("Grow from 0 to 10", 0.0, 10.0)]}))
        .await;
    let path = format!("/api/v1/cycles/{}/carry", org.cycle);
    let next = id(&admin.cycle("2027-q1", "2027-01-01", "2027-03-31", "planning").await);
    let closed = id(&admin.cycle("2026-q3", "2026-07-01", "2026-09-30", "active").await);
    close(&admin, closed).await;

    // An open source cycle.
    admin.post(&path, json!({})).await.problem(409, "cycle_not_closed");
    admin.get(&path).await.problem(409, "cycle_not_closed");
    close(&admin, org.cycle).await;
    // A closed target, the same cycle, an unknown target.
    admin.post(&path, json!({"target_cycle_id": closed})).await.problem(409, "target_cycle_closed");
    admin.post(&path, json!({"target_cycle_id": org.cycle})).await.problem(409, "same_cycle");
    let spare = admin.cycle("2027-q2", "2027-04-01", "2027-06-30", "planning").await;
    admin
        .post(&format!("/api/v1/cycles/{}/archive", id(&spare)), json!({"version": spare["version"]}))
        .await
        .expect(200);
    admin.post(&path, json!({"target_cycle_id": id(&spare)})).await.problem(409, "target_cycle_archived");
    admin.post(&path, json!({"target_cycle_id": GHOST})).await.invalid_at(&["/target_cycle_id"]);
    // Bad ids, each at its pointer, all at once.
    let reply = admin
        .post(
            &path,
            json!({"scope": {"objective_ids": [grow, GHOST]},
            "overrides": [{"objective_id": grow, "key_result_ids": [revenue, GHOST], "parent_objective_id": GHOST},
                          {"objective_id": id(&own)}]}),
        )
        .await;
    reply.invalid_at(&[
        "/scope/objective_ids/1",
        "/overrides/0/key_result_ids/1",
        "/overrides/0/parent_objective_id",
        "/overrides/1/objective_id",
    ]);
    // A parent in the closed cycle cannot hold a copy in the next one.
    let reply = admin
        .post(&path, json!({"scope": {"objective_ids": [grow]}, "overrides": [{"objective_id": grow, "parent_objective_id": id(&elsewhere)}]}))
        .await;
    reply.invalid_at(&["/overrides/0/parent_objective_id"]);
    admin.post(&path, json!({"scope": {"team_id": GHOST}})).await.invalid_at(&["/scope/team_id"]);
    admin.post(&path, json!({"scope": "everything"})).await.problem(422, "invalid");
    admin.post(&path, json!({"scope": {"objective_ids": []}})).await.invalid_at(&["/scope/objective_ids"]);
    // Who may carry: not a viewer; a member only their own; another workspace sees no cycle.
    let viewer = admin.as_role("viewer").await;
    viewer.post(&path, json!({})).await.problem(403, "forbidden");
    viewer.get(&path).await.problem(403, "forbidden");
    member.post(&path, json!({"scope": {"objective_ids": [grow]}})).await.problem(403, "forbidden");
    let other = Org::new(&api, "globex").await;
    other.api.post(&path, json!({})).await.problem(404, "not_found");
    other.api.get(&path).await.problem(404, "not_found");
    assert_eq!(
        admin.get(&format!("/api/v1/objectives?cycle_id={next}")).await.expect(200)["items"],
        json!([]),
        "nothing written"
    );

    // A member's default carry is their own unfinished objectives.
    let mine = member.post(&path, json!({})).await.expect(200);
    let origins: Vec<&Value> =
        mine["objectives"].as_array().unwrap().iter().map(|o| &o["origin_objective_id"]).collect();
    assert_eq!(origins, [&json!(id(&own))]);

    // One team's objectives; a key result at its target is skipped with a reason, the rest copied.
    let team = admin
        .post(&path, json!({"scope": {"team_id": org.team}, "overrides": [{"objective_id": grow, "key_result_ids": [revenue, margin]}]}))
        .await
        .expect(200);
    // The team's own objective and the one of mo, who is in the team (carried before).
    let origins: Vec<&Value> =
        team["objectives"].as_array().unwrap().iter().map(|o| &o["origin_objective_id"]).collect();
    assert_eq!(origins, [&json!(grow), &json!(id(&own))], "{team}");
    assert_eq!(by_origin(&team, id(&own))["created"], false);
    let carried = [by_origin(&team, grow)];
    assert_eq!(carried[0]["key_results"].as_array().unwrap().len(), 1);
    assert_eq!(carried[0]["key_results"][0]["origin_key_result_id"], margin);
    assert_eq!(carried[0]["key_results"][0]["start"], 3.0);
    let skipped = &carried[0]["skipped_key_results"];
    assert_eq!(skipped[0]["origin_key_result_id"], revenue, "{skipped}");
    assert_eq!(skipped[0]["code"], "start_equals_target");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("already the target"), "{skipped}");

    // A parent chosen for a copy in the target cycle's covering open cycle.
    let year = id(&admin.cycle("fy27", "2027-01-01", "2027-12-31", "planning").await);
    let parent =
        id(&admin.objective(json!({"cycle_id": year, "title": "Grow up", "owner_team_id": org.company})).await);
    let given = admin
        .post(&path, json!({"scope": {"objective_ids": [id(&elsewhere)]}, "overrides": [{"objective_id": id(&elsewhere), "parent_objective_id": parent}]}))
        .await
        .expect(200);
    assert_eq!(given["objectives"][0]["alignment"]["by"], "given");
    let copy =
        admin.get(&format!("/api/v1/objectives/{}", given["objectives"][0]["copy_objective_id"])).await.expect(200);
    assert_eq!(copy["parent_objective_id"], parent);
});

http_test!(the_web_form_carries_what_is_checked_and_asks_for_a_parent, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let (_, viewer) = org.person_with_session("vic", Some(org.team), "viewer").await;
    let kept =
        admin.objective(json!({"cycle_id": org.cycle, "title": "Ship the API", "owner_team_id": org.team})).await;
    let ship = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Grow the community", "owner_team_id": org.team,
            "parent_objective_id": id(&kept),
            "key_results": [Org::increase("Grow members from 0 to 10", 0.0, 10.0),
                            Org::increase("Grow talks from 0 to 10", 0.0, 10.0)]}))
        .await;
    let skip = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Tidy the wiki", "owner_person_id": org.dana,
            "key_results": [Org::increase("Tidy pages from 0 to 10", 0.0, 10.0)]}))
        .await;
    let [members, talks] = key_results(&ship)[..] else { panic!("{ship}") };
    admin.check_in(members, json!({"value": 6})).await;
    // "Ship the API" is done: it stays behind, so "Grow the community" must ask for a parent.
    admin
        .post(&format!("/api/v1/objectives/{}/key-results", id(&kept)), Org::increase("Ship from 0 to 1", 0.0, 1.0))
        .await
        .expect(201);
    let done_kr =
        admin.get(&format!("/api/v1/objectives/{}", id(&kept))).await.expect(200)["key_results"][0]["id"].clone();
    admin.check_in(done_kr.as_i64().unwrap(), json!({"value": 1})).await;
    close(&admin, org.cycle).await;
    let next = id(&admin.cycle("2027-q1", "2027-01-01", "2027-03-31", "planning").await);
    let parent =
        id(&admin.objective(json!({"cycle_id": next, "title": "Own the niche", "owner_team_id": org.company})).await);

    let browser = Browser::from_api(&api, &editor);
    let cycle_page = browser.get(&format!("/cycles/{}", org.cycle)).await;
    let carry = format!("/cycles/{}/carry", org.cycle);
    assert!(cycle_page.expect(200).contains(&format!("href=\"{carry}\"")), "a closed cycle links to its carry-over");
    let vic = Browser::from_api(&api, &viewer);
    assert!(!vic.get(&format!("/cycles/{}", org.cycle)).await.expect(200).contains(&format!("href=\"{carry}\"")));
    assert_eq!(vic.get(&carry).await.status, 403);

    let form = browser.get(&carry).await;
    let form = form.expect(200);
    let ship_id = id(&ship);
    for needle in [
        format!(
            "<label for=\"carry-objective-{ship_id}\"><input type=\"checkbox\" id=\"carry-objective-{ship_id}\" name=\"objective.{ship_id}\" checked>"
        ),
        format!("name=\"key_result.{members}\" checked>"),
        format!("name=\"key_result.{talks}\" checked>"),
        format!("<label for=\"carry-parent-{ship_id}\">"),
        format!("<option value=\"{parent}\">Own the niche</option>"),
        "<legend><strong>Team platform</strong></legend>".to_owned(),
    ] {
        assert!(form.contains(&needle), "{needle} in {form}");
    }
    assert!(!form.contains(&format!("name=\"objective.{}\"", id(&kept))), "a finished objective is not offered");

    // Refused: a parent that cannot hold the copy, shown at its field; nothing written.
    let ship_field = format!("objective.{ship_id}");
    let members_field = format!("key_result.{members}");
    let parent_field = format!("parent.{ship_id}");
    let next_text = next.to_string();
    let wrong = id(&kept).to_string();
    let fields = [
        ("target_cycle_id", next_text.as_str()),
        (ship_field.as_str(), "on"),
        (members_field.as_str(), "on"),
        (parent_field.as_str(), wrong.as_str()),
    ];
    let refused = browser.post_form(&carry, &fields).await;
    assert!(refused.expect(422).contains(&format!("id=\"{parent_field}-error\"")), "{}", refused.text);
    assert_eq!(
        admin.get(&format!("/api/v1/objectives?cycle_id={next}")).await.expect(200)["items"].as_array().unwrap().len(),
        1
    );

    // Carried: "Grow the community" with one key result under the chosen parent; the wiki left unchecked.
    let parent_text = parent.to_string();
    let fields = [
        ("target_cycle_id", next_text.as_str()),
        (ship_field.as_str(), "on"),
        (members_field.as_str(), "on"),
        (parent_field.as_str(), parent_text.as_str()),
    ];
    let reply = browser.post_form(&carry, &fields).await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let result = browser.get(reply.location()).await;
    let result = result.expect(200);
    assert!(result.contains("Carried 1 objective(s)"), "{result}");
    let origin = admin.get(&format!("/api/v1/objectives/{ship_id}")).await.expect(200);
    let copy = origin["carried_to"][0]["objective_id"].as_i64().unwrap();
    assert!(result.contains(&format!("href=\"/objectives/{copy}\"")), "{result}");
    assert!(result.contains(&format!("name=\"objective.{}\"", id(&skip))), "the wiki can still be carried: {result}");
    let copied = admin.get(&format!("/api/v1/objectives/{copy}")).await.expect(200);
    assert_eq!(copied["parent_objective_id"], parent);
    assert_eq!(copied["key_results"].as_array().unwrap().len(), 1);
    assert_eq!(copied["key_results"][0]["start"], 6.0);

    // The copy's page links to its origin and to the origin key result's check-ins; the origin's to its copy.
    let page = browser.get(&format!("/objectives/{copy}")).await;
    let page = page.expect(200);
    assert!(page.contains(&format!("Carried over from <a href=\"/objectives/{ship_id}\">")), "{page}");
    assert!(page.contains(&format!("href=\"/objectives/{ship_id}#key-result-{members}\"")), "{page}");
    let page = browser.get(&format!("/objectives/{ship_id}")).await;
    assert!(page.expect(200).contains(&format!("<a href=\"/objectives/{copy}\">the copy</a>")), "{}", page.text);
});
