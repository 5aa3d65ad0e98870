//! Nothing acknowledged is lost: a check-in that got a success answer survives the
//! server being killed with SIGKILL (no shutdown, no flush).

use super::*;

#[tokio::test]
async fn an_acknowledged_check_in_survives_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path(), &["--demo", "--data-dir", "data"]);
    let key_results = get_json(&server, "/api/v1/key-results?cycle_id=2&limit=500").await;
    let target = key_results["items"].as_array().unwrap().iter().find(|k| k["kind"] == "increase").unwrap().clone();
    let id = target["id"].as_i64().unwrap();
    let mut acknowledged = Vec::new();
    for step in 0..5 {
        let value = target["start"].as_f64().unwrap() + f64::from(step) * 0.25;
        let response = client()
            .post(format!("{}/api/v1/key-results/{id}/check-ins", server.base))
            .bearer_auth(server.token.as_deref().unwrap())
            .json(&serde_json::json!({ "value": value, "confidence": 6, "note": format!("kill test {step}") }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        acknowledged.push(body["check_in"]["id"].as_i64().unwrap());
    }
    // SIGKILL: the process gets no chance to flush anything.
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    let mut server = start(dir.path(), &["--data-dir", "data"]);
    server.token = Some(create_token(dir.path(), "data", "demo", "viewer"));
    for check_in in acknowledged {
        let found = get_json(&server, &format!("/api/v1/check-ins/{check_in}")).await;
        assert_eq!(found["key_result_id"], id);
    }
    let after = get_json(&server, &format!("/api/v1/key-results/{id}")).await;
    assert_eq!(after["current"], target["start"].as_f64().unwrap() + 1.0, "the last acknowledged value stands");
}
