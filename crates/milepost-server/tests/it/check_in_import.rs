//! `POST /api/v1/check-ins/import`: a CSV history of check-ins, all or nothing, each
//! row checked as a single check-in is, problems named by row and column.

use crate::harness::{Api, Org, at_hours, id, password_of};
use serde_json::json;

const PATH: &str = "/api/v1/check-ins/import";
const HEADER: &str = "key_result,checked_in_at,value,confidence,note,blockers,author";

http_test!(a_check_in_history_is_imported_all_or_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let objective = org
        .team_objective(
            "Answer customers sooner",
            org.team,
            json!([Org::increase("Resolve 600 tickets a week, up from 500", 500.0, 600.0),
                   {"title": "Launch the help-centre search", "kind": "milestone"}]),
        )
        .await;
    let (tickets, search) = (id(&objective["key_results"][0]), id(&objective["key_results"][1]));
    let check_ins = |key_result: i64| {
        let api = api.clone();
        async move { api.get(&format!("/api/v1/key-results/{key_result}/check-ins")).await.expect(200)["items"].clone() }
    };

    // Bad rows refuse the whole file, each named by its row and column.
    let bad = format!(
        "{HEADER}\nKR-{tickets},{},520,7,A good week,,@dana\n\
         KR-{tickets},{},530,11,,,@dana\n\
         KR-{search},{},2,5,,,@dana\n\
         KR-{tickets},{},540,7,\"Busy, but fine\",,@nobody\n\
         KR-987654321,{},1,,,,\n\
         KR-{tickets},{},550,7,,,\n",
        at_hours(-72),
        at_hours(-48),
        at_hours(-24),
        at_hours(-12),
        at_hours(-6),
        at_hours(24),
    );
    let refused = api.post_raw(PATH, Some("text/csv"), bad).await;
    refused.invalid_at(&["/1/confidence", "/2/value", "/3/author", "/4/key_result", "/5/checked_in_at"]);
    let errors = refused.body["errors"].as_array().unwrap();
    assert!(errors[0]["detail"].as_str().unwrap().starts_with("row 2 (confidence)"), "{}", refused.text);
    assert!(errors[4]["detail"].as_str().unwrap().contains("in the future"), "{}", refused.text);
    assert_eq!(check_ins(tickets).await, json!([]), "nothing of a refused file is written");
    // A row that cannot be read is named with its line too.
    let unreadable = format!("{HEADER}\nKR-{tickets},{},lots,7,,,\n", at_hours(-3));
    let refused = api.post_raw(PATH, Some("text/csv"), unreadable).await;
    refused.invalid_at(&["/0/value"]);
    assert!(refused.detail().starts_with("row 1 (line 2)"), "{}", refused.text);
    api.post_raw(PATH, Some("text/csv"), "KR-1,2026-11-01,3\n").await.problem(422, "invalid");
    api.post_raw(PATH, Some("text/plain"), "x").await.problem(415, "unsupported_media_type");
    // As JSON: the same rows, the same checks.
    let json_rows = json!([{"key_result_id": tickets, "checked_in_at": at_hours(-5), "value": 510, "confidence": 12}]);
    api.post(PATH, json_rows).await.invalid_at(&["/0/confidence"]);
    api.post(PATH, json!([{"key_result_id": tickets, "value": 510}])).await.invalid_at(&["/0"]);

    // A good file: in any order, with quoted notes; the latest check-in sets the value.
    let good = format!(
        "{HEADER}\nKR-{tickets},{},540,8,\"Macros live, backlog down\",,@dana\n\
         {tickets},{},520,7,Slow start,\"Two people \"\"out\"\"\",dana\n\
         KR-{search},{},1,10,Shipped,,\n",
        at_hours(-24),
        at_hours(-72),
        at_hours(-2),
    );
    let imported = api.post_raw(PATH, Some("text/csv"), good).await.expect(200);
    assert_eq!((imported["imported"].clone(), imported["key_results"].clone()), (json!(3), json!(2)), "{imported}");
    assert_eq!(imported["first_checked_in_at"], json!(at_hours(-72)));
    let history = check_ins(tickets).await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["note"], "Slow start", "oldest first");
    assert_eq!(history[0]["blockers"], "Two people \"out\"");
    assert_eq!(history[0]["author_person_id"], org.dana);
    assert_eq!(history[1]["note"], "Macros live, backlog down");
    assert_eq!(history[1]["source"], "csv");
    let tickets_now = api.get(&format!("/api/v1/key-results/{tickets}")).await.expect(200);
    assert_eq!(tickets_now["current"], 540.0, "the latest check-in's value: {tickets_now}");
    assert_eq!(check_ins(search).await[0]["author_person_id"], json!(null));
    let json_rows = json!([{"key_result_id": tickets, "checked_in_at": at_hours(-1), "value": 545, "author": "dana"}]);
    assert_eq!(api.post(PATH, json_rows).await.expect(200)["imported"], 1);
    assert_eq!(check_ins(tickets).await.as_array().unwrap().len(), 3);

    // A member imports only on what they may check in on, and only as themselves.
    let eli = org.eli;
    org.api.give_password(eli, &password_of("eli")).await;
    let member = org.log_in("eli").await;
    let own = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Learn the codebase", "owner_person_id": eli,
                         "key_results": [Org::increase("Ship 5 fixes, up from 0", 0.0, 5.0)]}))
        .await;
    let own_key_result = id(&own["key_results"][0]);
    let someone_elses = format!("{HEADER}\nKR-{own_key_result},{},1,,,,@dana\n", at_hours(-1));
    member.post_raw(PATH, Some("text/csv"), someone_elses).await.invalid_at(&["/0/author"]);
    let mine = format!("{HEADER}\nKR-{own_key_result},{},1,,,,\n", at_hours(-1));
    member.post_raw(PATH, Some("text/csv"), mine).await.expect(200);
    assert_eq!(check_ins(own_key_result).await[0]["author_person_id"], eli);
});
