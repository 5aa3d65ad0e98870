//! `GET /api/v1/me/inbox`: check-ins due, mentions and replies, key results in trouble,
//! lagging KPIs and cycles to close, only about what the person may see; items
//! dismissed stay away, computed ones come back in a later period.

use crate::comments::session;
use crate::harness::{Api, Org, id};
use jiff::SignedDuration;
use serde_json::{Value, json};

async fn inbox(api: &Api) -> Vec<Value> {
    let mut items = Vec::new();
    let mut after = String::new();
    loop {
        let page = api.get(&format!("/api/v1/me/inbox?limit=2{after}")).await.expect(200);
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => after = format!("&after={cursor}"),
            None => {
                assert_eq!(page["total"].as_u64(), Some(items.len() as u64));
                return items;
            }
        }
    }
}

fn kinds(items: &[Value]) -> Vec<(String, Option<i64>)> {
    items
        .iter()
        .map(|i| {
            let about = i["comment_id"].as_i64().or(i["key_result_id"].as_i64()).or(i["cycle_id"].as_i64());
            (i["kind"].as_str().unwrap().to_owned(), about)
        })
        .collect()
}

http_test!(mentions_and_replies_reach_the_inbox_and_stay_dismissed, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let dana = session(&org, "dana").await;
    let eli = session(&org, "eli").await;
    let open = org.team_objective("Ship faster", org.team, json!([])).await;
    let thread = format!("/api/v1/objectives/{}/comments", id(&open));
    let mention = admin.post(&thread, json!({"body": "@eli can you look?"})).await.expect(201);
    let mine = eli.post(&thread, json!({"body": "On it"})).await.expect(201);
    let reply = dana.post(&thread, json!({"body": "Thanks", "reply_to": id(&mine)})).await.expect(201);
    // Their own comments are not news to them.
    let items = inbox(&eli).await;
    assert_eq!(kinds(&items), [("reply".to_owned(), Some(id(&reply))), ("mention".to_owned(), Some(id(&mention)))]);
    assert!(items[1]["detail"].as_str().unwrap().contains("can you look"));
    assert!(items[1]["link"].as_str().unwrap().starts_with(&format!("/objectives/{}", id(&open))));
    assert!(inbox(&dana).await.is_empty());
    // Dismissed, it stays away.
    let key = items[1]["key"].as_str().unwrap();
    eli.post("/api/v1/me/inbox/dismiss", json!({"key": key})).await.expect(204);
    eli.post("/api/v1/me/inbox/dismiss", json!({"key": key})).await.expect(204);
    assert_eq!(kinds(&inbox(&eli).await), [("reply".to_owned(), Some(id(&reply)))]);
    eli.post("/api/v1/me/inbox/dismiss", json!({"key": "<script>"})).await.problem(422, "invalid");
    eli.post("/api/v1/me/inbox/dismiss", json!({})).await.problem(422, "invalid");
    // A deleted comment leaves the inbox.
    dana.delete(&format!("/api/v1/comments/{}?version=1", id(&reply))).await.expect(204);
    assert!(inbox(&eli).await.is_empty());
    // Bad paging is a 400 naming the parameter.
    eli.get("/api/v1/me/inbox?limit=0").await.bad_parameter("limit");
    eli.get("/api/v1/me/inbox?after=x").await.bad_parameter("after");
    // A machine token has no inbox.
    assert!(admin.get("/api/v1/me/inbox").await.expect(200)["items"].as_array().unwrap().is_empty());
});

http_test!(the_inbox_shows_only_what_its_person_may_see, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let hidden = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
                          "visibility": "team", "key_results": []}))
        .await;
    let thread = format!("/api/v1/objectives/{}/comments", id(&hidden));
    let dana = session(&org, "dana").await;
    admin.post(&thread, json!({"body": "@dana please"})).await.expect(201);
    assert_eq!(inbox(&dana).await.len(), 1);
    // dana moves to another team: the objective, and the mention, are out of her sight.
    let sales = id(&admin.team("sales", Some(org.company)).await);
    let person = admin.get(&format!("/api/v1/people/{}", org.dana)).await.expect(200);
    admin
        .patch(&format!("/api/v1/people/{}", org.dana), json!({"version": person["version"], "team_id": sales}))
        .await
        .expect(200);
    let dana = org.log_in("dana").await;
    assert!(inbox(&dana).await.is_empty(), "{:?}", inbox(&dana).await);
});

http_test!(check_ins_due_and_trouble_come_back_in_a_later_period, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let admin = org.api.clone();
    let objective = admin
        .objective(json!({"cycle_id": org.cycle, "title": "Grow", "owner_person_id": org.eli,
                          "key_results": [{"title": "Grow revenue from 0 to 100", "kind": "increase", "start": 0,
                                           "target": 100, "owner_person_id": org.eli}]}))
        .await;
    let key_result = id(&objective["key_results"][0]);
    session(&org, "eli").await;
    // A new key result's first check-in is due a week on.
    admin.shift_clock(SignedDuration::from_hours(24 * 8));
    // Sessions end when idle that long: log in again after each move of the clock.
    let eli = org.log_in("eli").await;
    let items = inbox(&eli).await;
    let due: Vec<&Value> = items.iter().filter(|i| i["kind"] == "check_in_due").collect();
    assert_eq!(due.len(), 1, "{items:?}");
    assert_eq!(due[0]["key_result_id"], key_result);
    let trouble: Vec<&Value> =
        items.iter().filter(|i| ["at_risk", "off_track", "stale"].contains(&i["kind"].as_str().unwrap())).collect();
    for item in items.iter() {
        eli.post("/api/v1/me/inbox/dismiss", json!({"key": item["key"]})).await.expect(204);
    }
    assert!(inbox(&eli).await.is_empty());
    // A check-in later, and a week on, the next check-in is due again: a new item.
    eli.post(&format!("/api/v1/key-results/{key_result}/check-ins"), json!({"value": 1})).await.expect(201);
    admin.shift_clock(SignedDuration::from_hours(24 * 16));
    let eli = org.log_in("eli").await;
    let later = inbox(&eli).await;
    assert!(later.iter().any(|i| i["kind"] == "check_in_due" && i["key_result_id"] == key_result), "{later:?}");
    // Trouble dismissed last week is back this week while still true.
    for item in trouble {
        let kind = item["kind"].as_str().unwrap();
        let again = later.iter().find(|i| {
            i["key_result_id"] == key_result && ["at_risk", "off_track", "stale"].contains(&i["kind"].as_str().unwrap())
        });
        assert!(again.is_some(), "{kind} should be back: {later:?}");
    }
    // Admins see the cycles past their end waiting to be closed; others do not.
    admin.shift_clock(SignedDuration::from_hours(24 * 60));
    let admin_person = org.api.person("ada", None, "admin").await;
    org.api.give_password(id(&admin_person), &crate::harness::password_of("ada")).await;
    let ada = org.log_in("ada").await;
    let items = inbox(&ada).await;
    assert!(items.iter().any(|i| i["kind"] == "cycle_to_close" && i["cycle_id"] == org.cycle), "{items:?}");
    let eli = org.log_in("eli").await;
    assert!(!inbox(&eli).await.iter().any(|i| i["kind"] == "cycle_to_close"));
});
