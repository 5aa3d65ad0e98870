//! A closed cycle's review report (`GET /api/v1/cycles/{id}/report?format=…` and the
//! cycle page's downloads `/cycles/{id}/report.{md,html,csv,json}`), and objectives'
//! retrospective notes (`GET/PUT /api/v1/objectives/{id}/retrospective`, the web form):
//! each format's content on a small closed cycle, who sees what, and the bad paths.

use crate::harness::{Api, Org, id, password_of};
use crate::ui::Browser;
use reqwest::Method;
use serde_json::{Value, json};

/// `PUT path` with a JSON body.
async fn put(api: &Api, path: &str, body: Value) -> crate::harness::Reply {
    Api::send(format!("PUT {path}"), api.request(Method::PUT, path).json(&body)).await
}

/// A small cycle: a committed objective of Dana's, in the platform team (two key results, one
/// reaching its target), an aspirational one of the company (0.7: a success) and a
/// team-only one of the platform team. Returns the objectives' ids.
async fn small_cycle(org: &Org) -> (i64, i64, i64) {
    let grow = |title: &str| Org::increase(title, 0.0, 10.0);
    let committed = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Ship the platform", "owner_person_id": org.dana,
                          "key_results": [grow("Grow A from 0 to 10"), grow("Grow C from 0 to 10")]}))
        .await;
    let aspirational = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Reach further", "owner_team_id": org.company,
                          "commitment": "aspirational", "key_results": [grow("Grow B from 0 to 10")]}))
        .await;
    let hidden = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Secret plan", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [grow("Grow D from 0 to 10")]}))
        .await;
    let kr = |o: &Value, i: usize| id(&o["key_results"][i]);
    for (key_result, value, confidence) in
        [(kr(&committed, 0), 10, 9), (kr(&committed, 1), 4, 3), (kr(&aspirational, 0), 7, 6), (kr(&hidden, 0), 2, 8)]
    {
        org.api
            .check_in(key_result, json!({"value": value, "confidence": confidence, "author_person_id": org.dana}))
            .await;
    }
    (id(&committed), id(&aspirational), id(&hidden))
}

/// Dana (an editor in the platform team, made without a password) logged in.
async fn dana_logged_in(org: &Org) -> Api {
    org.api.give_password(org.dana, &password_of("dana")).await;
    org.log_in("dana").await
}

async fn close(org: &Org) {
    let path = format!("/api/v1/cycles/{}", org.cycle);
    let cycle = org.api.get(&path).await.expect(200);
    org.api.patch(&path, json!({"version": cycle["version"], "status": "closed"})).await.expect(200);
}

http_test!(a_closed_cycles_report_in_every_format, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (committed, aspirational, _hidden) = small_cycle(&org).await;
    let path = format!("/api/v1/cycles/{}/report", org.cycle);

    // While the cycle runs, its scores are not frozen: no report.
    org.api.get(&path).await.problem(409, "cycle_not_closed");
    put(
        &org.api,
        &format!("/api/v1/objectives/{committed}/retrospective"),
        json!({"version": 0, "worked": "Pairing on the migration", "did_not_work": "Too many meetings"}),
    )
    .await
    .expect(200);
    close(&org).await;

    let report = org.api.get(&path).await.expect(200);
    assert_eq!(report["cycle"]["id"], org.cycle, "{report}");
    assert_eq!(report["cycle"]["status"], "closed");
    assert_eq!(report["workspace"], "acme");
    assert_eq!(
        (report["summary"]["objectives"].clone(), report["summary"]["key_results"].clone()),
        (json!(3), json!(4))
    );
    let titles: Vec<&str> =
        report["objectives"].as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Ship the platform", "Reach further", "Secret plan"]);
    let ship = &report["objectives"][0];
    // A: 10 of 10 → 1.0; C: 4 of 10 → 0.4; the objective 0.7, which misses a committed mark.
    assert_eq!(
        (ship["score"].clone(), ship["colour"].clone(), ship["succeeded"].clone()),
        (json!(0.7), json!("green"), json!(false))
    );
    assert_eq!(ship["team"], "Team platform");
    assert_eq!(ship["owner"], "Person dana");
    assert_eq!(ship["key_results"][0]["score"], 1.0);
    assert_eq!(ship["key_results"][0]["succeeded"], true);
    assert_eq!(ship["key_results"][1]["succeeded"], false);
    assert_eq!(ship["key_results"][1]["confidence"], 3);
    assert_eq!(ship["retrospective"]["worked"], "Pairing on the migration");
    assert_eq!(report["objectives"][1]["id"], aspirational);
    assert_eq!(report["objectives"][1]["succeeded"], true, "0.7 is an aspirational success");
    assert!(report["objectives"][1]["retrospective"].is_null());
    let commitments = &report["commitments"];
    assert_eq!(
        (
            commitments[0]["commitment"].clone(),
            commitments[0]["objectives"].clone(),
            commitments[0]["succeeded"].clone()
        ),
        (json!("committed"), json!(2), json!(0)),
        "{commitments}"
    );
    assert_eq!((commitments[1]["objectives"].clone(), commitments[1]["succeeded"].clone()), (json!(1), json!(1)));
    let teams: Vec<(String, u64)> = report["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_owned(), t["objectives"].as_u64().unwrap()))
        .collect();
    assert_eq!(teams, [("Team company".to_owned(), 1), ("Team platform".to_owned(), 2)]);
    assert_eq!(report["owners"][0]["name"], "Person dana");
    assert_eq!(report["calibration"]["key_results"], 4);
    assert_eq!(report["calibration"]["reliability"].as_array().unwrap().len(), 11);
    assert_eq!(report["movers"]["up"][0]["title"], "Grow A from 0 to 10", "{}", report["movers"]);
    assert!(report["carried_over"].as_array().unwrap().is_empty());

    // CSV: a header and one row per key result.
    let csv = org.api.get(&format!("{path}?format=csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines.len(), 1 + 4, "{}", csv.text);
    assert!(lines[0].starts_with("objective,team,owner,commitment,key_result,start,target,value_reached,progress,score,colour,succeeded,last_confidence"));
    assert!(
        lines.contains(
            // An increase has no error budget: its five budget columns are empty.
            &"Ship the platform,Team platform,Person dana,committed,Grow A from 0 to 10,0,10,10,1.0000,1.0,green,true,9,,,,,"
        ),
        "{}",
        csv.text
    );

    // Markdown: readable sections and tables.
    let md = org.api.get(&format!("{path}?format=md")).await;
    assert_eq!(md.status, 200);
    for section in [
        "# Review: Cycle 2026-q4",
        "## Scores by team",
        "## Scores by owner",
        "## Committed and aspirational",
        "## Confidence calibration",
        "## Biggest movers",
        "## KPIs that lagged",
        "## Carried over",
        "Nothing carried over.",
        "### Ship the platform",
        "> Pairing on the migration",
        "| Team platform | 2 |",
    ] {
        assert!(md.text.contains(section), "the Markdown report lacks {section:?}:\n{}", md.text);
    }

    // HTML: one self-contained file with an inline SVG chart, no script, nothing outside.
    let html = org.api.get(&format!("{path}?format=html")).await;
    assert_eq!(html.status, 200);
    assert!(html.header("content-disposition").unwrap().contains("review-acme-2026-q4.html"));
    assert!(html.header("content-security-policy").unwrap().starts_with("default-src 'none'"));
    let text = &html.text;
    assert!(text.starts_with("<!doctype html>") && text.contains("<svg class=\"reliability\""), "{text}");
    assert!(text.contains("Pairing on the migration") && text.contains("<style>"));
    for outside in ["http", "src=", "<script", "<link", "url(", "@import"] {
        assert!(!text.contains(outside), "the HTML report holds {outside:?}");
    }

    // A bad format is the query's fault.
    org.api.get(&format!("{path}?format=pdf")).await.bad_parameter("format");
});

http_test!(a_report_holds_only_what_its_reader_may_see, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    small_cycle(&org).await;
    close(&org).await;
    // Mo is in the department, outside the platform team: its team-only objective is absent.
    let (_, mo) = org.person_with_session("mo", Some(org.department), "member").await;
    let path = format!("/api/v1/cycles/{}/report", org.cycle);
    let report = mo.get(&path).await.expect(200);
    assert_eq!(report["summary"]["objectives"], 2, "{report}");
    for format in ["json", "md", "html", "csv"] {
        let text = mo.get(&format!("{path}?format={format}")).await.text;
        assert!(!text.contains("Secret plan") && !text.contains("Grow D"), "{format} shows a hidden objective");
    }
    let csv = mo.get(&format!("{path}?format=csv")).await.text;
    assert_eq!(csv.lines().count(), 1 + 3);
    // Dana, in the platform team, sees it.
    let dana = dana_logged_in(&org).await;
    let theirs = dana.get(&path).await.expect(200);
    assert_eq!(theirs["summary"]["objectives"], 3);
    // The same on the page's downloads.
    let browser = Browser::from_api(&api, &mo);
    let page = browser.get(&format!("/cycles/{}", org.cycle)).await;
    assert!(
        page.expect(200).contains(&format!("/cycles/{}/report.html", org.cycle)),
        "the cycle page links to the report"
    );
    let download = browser.get(&format!("/cycles/{}/report.html", org.cycle)).await;
    assert!(download.expect(200).contains("<svg"));
    assert!(download.header("content-disposition").starts_with("attachment"));
    assert!(!download.text.contains("Secret plan"));
    for ext in ["md", "csv", "json"] {
        browser.get(&format!("/cycles/{}/report.{ext}", org.cycle)).await.expect(200);
    }
});

http_test!(a_report_of_an_unknown_or_open_cycle_is_refused, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    org.api.get("/api/v1/cycles/999999/report").await.problem(404, "not_found");
    org.api.get(&format!("/api/v1/cycles/{}/report?format=md", org.cycle)).await.problem(409, "cycle_not_closed");
    // Another workspace's closed cycle looks exactly like a missing one.
    let other = Org::new(&api, "other").await;
    close(&other).await;
    other.api.get(&format!("/api/v1/cycles/{}/report", other.cycle)).await.expect(200);
    org.api.get(&format!("/api/v1/cycles/{}/report", other.cycle)).await.problem(404, "not_found");
    let (_, ada) = org.person_with_session("ada", Some(org.company), "admin").await;
    let browser = Browser::from_api(&api, &ada);
    assert_eq!(browser.get(&format!("/cycles/{}/report.html", other.cycle)).await.status, 404);
    assert_eq!(browser.get(&format!("/cycles/{}/report.csv", org.cycle)).await.status, 409);
});

http_test!(a_retrospective_is_version_checked_and_written_by_whoever_may_change_the_objective, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (committed, _, hidden) = small_cycle(&org).await;
    let path = format!("/api/v1/objectives/{committed}/retrospective");
    let blank = org.api.get(&path).await.expect(200);
    assert_eq!(
        blank,
        json!({"objective_id": committed, "worked": "", "did_not_work": "", "author_person_id": null,
                             "updated_at": null, "version": 0})
    );
    let first = put(&org.api, &path, json!({"version": 0, "worked": "  Pairing ", "did_not_work": "Meetings"}))
        .await
        .expect(200);
    assert_eq!((first["worked"].clone(), first["version"].clone()), (json!("Pairing"), json!(1)));
    // A second first note, or a change on an old version, is stale.
    put(&org.api, &path, json!({"version": 0, "worked": "x", "did_not_work": "y"})).await.problem(409, "stale_version");
    put(&org.api, &path, json!({"version": 7, "worked": "x", "did_not_work": "y"})).await.problem(409, "stale_version");
    put(&org.api, &path, json!({"version": 1, "worked": "Pairing, daily", "did_not_work": "Meetings"}))
        .await
        .expect(200);
    assert_eq!(org.api.get(&path).await.expect(200)["version"], 2);
    // Too long, in both fields at once, and nothing written.
    let long = "x".repeat(4_001);
    put(&org.api, &path, json!({"version": 2, "worked": long, "did_not_work": long}))
        .await
        .invalid_at(&["/worked", "/did_not_work"]);
    put(&org.api, &path, json!({"version": 2, "worked": "x", "did_not_work": "y", "extra": 1}))
        .await
        .invalid_at(&["/extra"]);
    assert_eq!(org.api.get(&path).await.expect(200)["worked"], "Pairing, daily");
    // A viewer and a member who does not own the objective may read but not write.
    let viewer = org.api.as_role("viewer").await;
    viewer.get(&path).await.expect(200);
    put(&viewer, &path, json!({"version": 2, "worked": "x", "did_not_work": "y"})).await.problem(403, "forbidden");
    let (_, mo) = org.person_with_session("mo", Some(org.department), "member").await;
    put(&mo, &path, json!({"version": 2, "worked": "x", "did_not_work": "y"})).await.problem(403, "forbidden");
    // A team-only objective outside the reader's team, and an unknown one, do not exist.
    let secret = format!("/api/v1/objectives/{hidden}/retrospective");
    mo.get(&secret).await.problem(404, "not_found");
    put(&mo, &secret, json!({"version": 0, "worked": "x", "did_not_work": "y"})).await.problem(404, "not_found");
    org.api.get("/api/v1/objectives/999999/retrospective").await.problem(404, "not_found");

    // The web form: shown on the objective's page once the cycle has ended or closed.
    let dana = dana_logged_in(&org).await;
    let browser = Browser::from_api(&api, &dana);
    let page = browser.get(&format!("/objectives/{committed}")).await;
    assert!(page.expect(200).contains("Pairing, daily"), "a written note shows on the page at any time");
    let form = browser.get(&format!("/objectives/{committed}/retrospective")).await;
    assert!(form.expect(200).contains("name=\"did_not_work\""));
    let saved = browser
        .post_form(
            &format!("/objectives/{committed}/retrospective"),
            &[("version", "2"), ("worked", "Pair programming"), ("did_not_work", "Scope creep")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert!(browser.get(&format!("/objectives/{committed}")).await.expect(200).contains("Scope creep"));
    let stale = browser
        .post_form(
            &format!("/objectives/{committed}/retrospective"),
            &[("version", "2"), ("worked", "x"), ("did_not_work", "y")],
        )
        .await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    let too_long = browser
        .post_form(
            &format!("/objectives/{committed}/retrospective"),
            &[("version", "3"), ("worked", &"x".repeat(4_001)), ("did_not_work", "y")],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.text.contains("worked-error"));
    let other = Browser::from_api(&api, &mo);
    assert_eq!(other.get(&format!("/objectives/{committed}/retrospective")).await.status, 403);
});
