//! A KPI feeding a key result writes under its own permission ("fed by KPI"), not a
//! borrowed admin role: whoever may record a measurement of the KPI has it written as a
//! check-in on the key results linked to it, and that right allows nothing else.

use crate::harness::{Api, Org, id};
use serde_json::json;

http_test!(a_member_recording_a_kpi_feeds_someone_elses_key_result_but_cannot_check_in_on_it, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, member) = org.person_with_session("mo", Some(org.team), "member").await;
    // mo owns the KPI; dana owns the objective and the key result it feeds.
    let kpi = id(&org
        .api
        .post(
            "/api/v1/kpis",
            json!({"name": "Signups", "direction": "higher_is_better", "target": 500, "cadence": "daily",
                   "owner_person_id": mo}),
        )
        .await
        .expect(201));
    let objective = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Grow", "owner_person_id": org.dana,
                          "key_results": [{"title": "Grow signups from 100 to 500", "kind": "increase",
                                           "start": 100, "target": 500, "kpi_id": kpi,
                                           "owner_person_id": org.dana}]}))
        .await;
    let key_result = id(&objective["key_results"][0]);

    // mo records a measurement: the key result is checked in, with mo as its author.
    let reply = member.post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 180})).await;
    reply.expect(201);
    let check_ins = org.api.get(&format!("/api/v1/key-results/{key_result}/check-ins")).await.expect(200);
    let check_ins = check_ins["items"].as_array().unwrap();
    assert_eq!(check_ins.len(), 1, "{check_ins:?}");
    assert_eq!(check_ins[0]["source"], "kpi");
    assert_eq!(check_ins[0]["value"], 180.0);
    assert_eq!(check_ins[0]["author_person_id"], mo, "the recorder is the author: {check_ins:?}");
    let view = org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!(view["current"], 180.0, "{view}");

    // The same member may not check in on that key result directly, nor change it.
    let direct = member.post(&format!("/api/v1/key-results/{key_result}/check-ins"), json!({"value": 300})).await;
    direct.problem(403, "forbidden");
    let edit = member
        .patch(&format!("/api/v1/key-results/{key_result}"), json!({"version": view["version"], "target": 900}))
        .await;
    edit.problem(403, "forbidden");
    let check_ins = org.api.get(&format!("/api/v1/key-results/{key_result}/check-ins")).await.expect(200);
    assert_eq!(check_ins["items"].as_array().unwrap().len(), 1, "nothing written by the refused calls");

    // A member who may not record the KPI's measurements feeds nothing either.
    let (_, other) = org.person_with_session("nia", Some(org.team), "member").await;
    other.post(&format!("/api/v1/kpis/{kpi}/measurements"), json!({"value": 250})).await.problem(403, "forbidden");
    let view = org.api.get(&format!("/api/v1/key-results/{key_result}")).await.expect(200);
    assert_eq!(view["current"], 180.0, "{view}");
});
