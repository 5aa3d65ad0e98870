//! Lists page by keyset (`limit`, `after` = the previous page's `next_cursor`) in id
//! order and filter by what people ask for: objectives and key results by cycle, owner,
//! team and computed status; initiatives by key result, owner and status; people by
//! team and role; cycles by status; teams by parent.

use crate::harness::{Api, Org, id};
use serde_json::{Value, json};
use std::collections::HashSet;

/// A workspace with enough of everything to span pages, and the ids of what it holds.
struct Fixture {
    org: Org,
    /// Cycles: 2026-Q4 (active), 2026-H2 (active), 2027-Q1 (planning), 2026-Q3 (closed), 2027-Q2 (planning).
    cycles: [i64; 5],
    /// Teams beyond the Org's: sales (under the company), design and mobile (under engineering).
    sales: i64,
    design: i64,
    mobile: i64,
    /// People beyond the Org's: fay (platform, member), gus (sales, admin), hal (platform, viewer),
    /// ivy (no team, member), jon (design, member).
    people: [i64; 5],
    /// O1 company (K1 dana, K2 eli), O2 platform (K3 dana, done), O3 dana (K4 dana), O4 platform
    /// (K5 fay), O5 eli (K6, done): all in 2026-Q4; O6 platform (K7 dana) in 2026-H2.
    objectives: [i64; 6],
    key_results: [i64; 7],
    /// I1 (K1, planned, dana), I2 (K1 and K3, active, fay), I3 (K3, done), I4 (none, dropped),
    /// I5 (K5, active, dana).
    initiatives: [i64; 5],
    /// Five check-ins on K4.
    check_ins: [i64; 5],
}

async fn fixture(api: &Api) -> Fixture {
    let org = Org::new(api, "acme").await;
    let api = org.api.clone();
    let h2 = id(&api.cycle("2026-h2", "2026-07-01", "2026-12-31", "active").await);
    let q1 = id(&api.cycle("2027-q1", "2027-01-01", "2027-03-31", "planning").await);
    let q3 = id(&api.cycle("2026-q3", "2026-07-01", "2026-09-30", "closed").await);
    let q2 = id(&api.cycle("2027-q2", "2027-04-01", "2027-06-30", "planning").await);
    let sales = id(&api.team("sales", Some(org.company)).await);
    let design = id(&api.team("design", Some(org.department)).await);
    let mobile = id(&api.team("mobile", Some(org.department)).await);
    let fay = id(&api.person("fay", Some(org.team), "member").await);
    let gus = id(&api.person("gus", Some(sales), "admin").await);
    let hal = id(&api.person("hal", Some(org.team), "viewer").await);
    let ivy = id(&api.person("ivy", None, "member").await);
    let jon = id(&api.person("jon", Some(design), "member").await);

    let objective = |cycle: i64, owner: (&str, i64), key_results: Value| {
        let api = api.clone();
        let mut body = json!({"cycle_id": cycle, "title": "Objective", "key_results": key_results});
        body[owner.0] = json!(owner.1);
        async move { api.objective(body).await }
    };
    let increase = |owner: i64| json!({"title": "Grow from 0 to 10", "kind": "increase", "start": 0, "target": 10, "owner_person_id": owner});
    let milestone = |owner: i64| json!({"title": "Ship it", "kind": "milestone", "owner_person_id": owner});
    let o1 =
        objective(org.cycle, ("owner_team_id", org.company), json!([increase(org.dana), milestone(org.eli)])).await;
    let o2 = objective(org.cycle, ("owner_team_id", org.team), json!([increase(org.dana)])).await;
    let o3 = objective(
        org.cycle,
        ("owner_person_id", org.dana),
        json!([{"title": "Grow", "kind": "increase", "start": 0, "target": 10}]),
    )
    .await;
    let o4 = objective(
        org.cycle,
        ("owner_team_id", org.team),
        json!([{"title": "Cut from 10 to 0", "kind": "decrease", "start": 10, "target": 0, "owner_person_id": fay}]),
    )
    .await;
    let o5 = objective(org.cycle, ("owner_person_id", org.eli), json!([{"title": "Ship", "kind": "milestone"}])).await;
    let o6 = objective(h2, ("owner_team_id", org.team), json!([increase(org.dana)])).await;
    let kr = |objective: &Value, index: usize| id(&objective["key_results"][index]);
    let key_results = [kr(&o1, 0), kr(&o1, 1), kr(&o2, 0), kr(&o3, 0), kr(&o4, 0), kr(&o5, 0), kr(&o6, 0)];
    api.check_in(key_results[2], json!({"value": 10})).await;
    api.check_in(key_results[5], json!({"value": 1})).await;
    let mut check_ins = [0; 5];
    for (index, value) in [1.0, 2.0, 3.0, 4.0, 5.0].into_iter().enumerate() {
        let hours = -24 * (5 - index as i64);
        check_ins[index] = id(&api
            .check_in(key_results[3], json!({"value": value, "checked_in_at": crate::harness::at_hours(hours)}))
            .await["check_in"]);
    }

    let initiative = |key_result_ids: Vec<i64>, status: &str, owner: Option<i64>| {
        let api = api.clone();
        let body = json!({"title": "Initiative", "key_result_ids": key_result_ids, "status": status, "owner_person_id": owner});
        async move { id(&api.post("/api/v1/initiatives", body).await.expect(201)) }
    };
    let initiatives = [
        initiative(vec![key_results[0]], "planned", Some(org.dana)).await,
        initiative(vec![key_results[0], key_results[2]], "active", Some(fay)).await,
        initiative(vec![key_results[2]], "done", None).await,
        initiative(vec![], "dropped", None).await,
        initiative(vec![key_results[4]], "active", Some(org.dana)).await,
    ];
    Fixture {
        cycles: [org.cycle, h2, q1, q3, q2],
        sales,
        design,
        mobile,
        people: [fay, gus, hal, ivy, jon],
        objectives: [id(&o1), id(&o2), id(&o3), id(&o4), id(&o5), id(&o6)],
        key_results,
        initiatives,
        check_ins,
        org,
    }
}

/// Walks `path` at several page sizes and asserts every walk gives `expected`, each
/// item once, in id order, with no empty page at the end.
async fn assert_walk(api: &Api, path: &str, expected: &[i64]) {
    let mut sorted = expected.to_vec();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "{path}: the expectation itself must be in id order");
    for limit in [1, 2, 3, 500] {
        let ids = api.walk_ids(path, limit).await;
        assert_eq!(ids, expected, "{path} walked {limit} at a time");
        let unique: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{path}: an item appeared twice");
    }
    // A page that holds exactly the rest has no next cursor: no empty page follows.
    if let Some(limit) = u32::try_from(expected.len()).ok().filter(|n| *n > 0) {
        let separator = if path.contains('?') { '&' } else { '?' };
        let page = api.get(&format!("{path}{separator}limit={limit}")).await.expect(200);
        assert!(page["next_cursor"].is_null(), "{path}: a full last page claims more: {page}");
        if limit > 1 {
            let page = api.get(&format!("{path}{separator}limit={}", limit - 1)).await.expect(200);
            let next = page["next_cursor"].as_str().unwrap_or_else(|| panic!("{path}: no cursor"));
            let rest = api.get(&format!("{path}{separator}limit={limit}&after={next}")).await.expect(200);
            assert_eq!(rest["items"].as_array().unwrap().len(), 1, "{path}");
            assert!(rest["next_cursor"].is_null(), "{path}");
        }
    }
}

http_test!(every_list_walks_each_item_once_in_id_order, |api: Api| async move {
    let f = fixture(&api).await;
    let api = f.org.api.clone();
    let o = f.org.clone();
    let mut cycles = f.cycles.to_vec();
    cycles.sort_unstable();
    assert_walk(&api, "/api/v1/cycles", &cycles).await;
    assert_walk(&api, "/api/v1/teams", &[o.company, o.department, o.team, f.sales, f.design, f.mobile]).await;
    let mut people = vec![o.dana, o.eli];
    people.extend(f.people);
    assert_walk(&api, "/api/v1/people", &people).await;
    assert_walk(&api, "/api/v1/objectives", &f.objectives).await;
    assert_walk(&api, "/api/v1/key-results", &f.key_results).await;
    assert_walk(&api, "/api/v1/initiatives", &f.initiatives).await;
    assert_walk(&api, &format!("/api/v1/key-results/{}/check-ins", f.key_results[3]), &f.check_ins).await;

    // Objectives carry their key results on every page.
    for objective in api.walk("/api/v1/objectives", 2).await {
        let own: Vec<i64> = objective["key_results"].as_array().unwrap().iter().map(id).collect();
        assert!(!own.is_empty(), "{objective}");
        assert!(own.iter().all(|k| f.key_results.contains(k)));
    }
    // An archived item in the middle leaves no hole in the walk.
    let middle = f.objectives[2];
    let version = api.get(&format!("/api/v1/objectives/{middle}")).await.expect(200)["version"].clone();
    api.post(&format!("/api/v1/objectives/{middle}/archive"), json!({"version": version})).await.expect(200);
    let rest: Vec<i64> = f.objectives.iter().copied().filter(|o| *o != middle).collect();
    assert_walk(&api, "/api/v1/objectives", &rest).await;
    assert_walk(&api, "/api/v1/objectives?include_archived=true", &f.objectives).await;
});

http_test!(filters_narrow_every_list, |api: Api| async move {
    let f = fixture(&api).await;
    let api = f.org.api.clone();
    let o = f.org.clone();
    let [q4, h2, q1, q3, q2] = f.cycles;
    let [fay, _gus, hal, ivy, jon] = f.people;
    let [o1, o2, o3, o4, o5, o6] = f.objectives;
    let [k1, k2, k3, k4, k5, k6, k7] = f.key_results;
    let [i1, i2, i3, _i4, i5] = f.initiatives;

    let cases: Vec<(String, Vec<i64>)> = vec![
        ("/api/v1/cycles?status=active".to_owned(), vec![q4, h2]),
        ("/api/v1/cycles?status=planning".to_owned(), vec![q1, q2]),
        ("/api/v1/cycles?status=closed".to_owned(), vec![q3]),
        (format!("/api/v1/teams?parent_team_id={}", o.department), vec![o.team, f.design, f.mobile]),
        (format!("/api/v1/teams?parent_team_id={}", o.company), vec![o.department, f.sales]),
        (format!("/api/v1/people?team_id={}", o.team), vec![o.dana, fay, hal]),
        ("/api/v1/people?role=member".to_owned(), vec![o.eli, fay, ivy, jon]),
        (format!("/api/v1/people?team_id={}&role=member", o.team), vec![fay]),
        ("/api/v1/people?role=admin".to_owned(), vec![f.people[1]]),
        (format!("/api/v1/objectives?cycle_id={q4}"), vec![o1, o2, o3, o4, o5]),
        (format!("/api/v1/objectives?cycle_id={h2}"), vec![o6]),
        (format!("/api/v1/objectives?cycle_id={q1}"), vec![]),
        (format!("/api/v1/objectives?owner_person_id={}", o.dana), vec![o3]),
        (format!("/api/v1/objectives?team_id={}", o.team), vec![o2, o4, o6]),
        (format!("/api/v1/objectives?team_id={}&cycle_id={q4}", o.team), vec![o2, o4]),
        ("/api/v1/objectives?status=done".to_owned(), vec![o2, o5]),
        (format!("/api/v1/objectives?status=done&team_id={}", o.team), vec![o2]),
        ("/api/v1/objectives?status=on_track".to_owned(), vec![o3]),
        (format!("/api/v1/key-results?objective_id={o1}"), vec![k1, k2]),
        (format!("/api/v1/key-results?cycle_id={q4}"), vec![k1, k2, k3, k4, k5, k6]),
        (format!("/api/v1/key-results?owner_person_id={}", o.dana), vec![k1, k3, k4, k7]),
        (format!("/api/v1/key-results?owner_person_id={fay}"), vec![k5]),
        (format!("/api/v1/key-results?team_id={}", o.team), vec![k3, k5, k7]),
        ("/api/v1/key-results?status=done".to_owned(), vec![k3, k6]),
        ("/api/v1/key-results?status=on_track".to_owned(), vec![k4]),
        ("/api/v1/key-results?status=not_started".to_owned(), vec![k1, k2, k5, k7]),
        (format!("/api/v1/key-results?status=done&cycle_id={q4}&owner_person_id={}", o.dana), vec![k3]),
        (format!("/api/v1/initiatives?key_result_id={k1}"), vec![i1, i2]),
        (format!("/api/v1/initiatives?key_result_id={k3}"), vec![i2, i3]),
        (format!("/api/v1/initiatives?key_result_id={k7}"), vec![]),
        ("/api/v1/initiatives?status=active".to_owned(), vec![i2, i5]),
        ("/api/v1/initiatives?status=dropped".to_owned(), vec![f.initiatives[3]]),
        (format!("/api/v1/initiatives?owner_person_id={}", o.dana), vec![i1, i5]),
        (format!("/api/v1/initiatives?status=active&key_result_id={k3}"), vec![i2]),
    ];
    for (path, expected) in cases {
        assert_walk(&api, &path, &expected).await;
    }

    // Every item a status filter returns is in that status.
    for status in ["done", "on_track", "stale", "at_risk", "off_track", "not_started"] {
        for item in api.walk(&format!("/api/v1/key-results?status={status}"), 2).await {
            assert_eq!(item["status"], status);
        }
        for item in api.walk(&format!("/api/v1/objectives?status={status}"), 2).await {
            assert_eq!(item["status"], status);
        }
    }
    // An initiative shows the key results it moves.
    let i2 = api.get(&format!("/api/v1/initiatives/{i2}")).await.expect(200);
    assert_eq!(i2["key_result_ids"], json!([k1, k3]));
});
