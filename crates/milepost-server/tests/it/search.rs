//! Search through the front door, on both databases: `GET /api/v1/search` finds
//! objectives, key results, KPIs, people and teams by a word and by the start of one,
//! ranks a title above a description, keeps to the caller's workspace and to what the
//! caller may see (a team-only objective and its key results are found by no one
//! outside its reach), leaves archived things out unless asked (then marks them and
//! lists them last), follows renames, finds what OKR files wrote, and answers any text
//! at all with results or a 400 naming `q`, never a 500. `/search` shows the same as a
//! page.

use crate::harness::{Api, Org, Reply, id};
use crate::ui::Browser;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

/// `GET /api/v1/search` with these query parameters, properly encoded.
async fn search(api: &Api, params: &[(&str, &str)]) -> Reply {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        query.append_pair(name, value);
    }
    api.get(&format!("/api/v1/search?{}", query.finish())).await
}

/// The titles found of `kind` for `q`.
async fn titles(api: &Api, q: &str, kind: &str) -> Vec<String> {
    let found = search(api, &[("q", q), ("kind", kind)]).await.expect(200);
    hits(&found, kind).iter().map(|h| h["title"].as_str().unwrap().to_owned()).collect()
}

fn hits<'a>(found: &'a Value, kind: &str) -> &'a Vec<Value> {
    let group = found["groups"].as_array().unwrap().iter().find(|g| g["kind"] == kind).unwrap();
    group["hits"].as_array().unwrap()
}

/// The words a highlight marks.
fn marked(fragments: &Value) -> Vec<String> {
    fragments
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["matched"] == true)
        .map(|f| f["text"].as_str().unwrap().to_owned())
        .collect()
}

/// Acme with an objective "Raise customer retention", its key result about churn, a
/// KPI, and the people and teams of [`Org`].
async fn acme(api: &Api) -> (Org, Value) {
    let org = Org::new(api, "acme").await;
    let objective = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Raise customer retention", "owner_team_id": org.company,
                          "description": "Customers who stay are the cheapest growth we have.",
                          "key_results": [{"title": "Cut monthly churn from 4% to 2%", "kind": "decrease", "start": 4, "target": 2}]}))
        .await;
    let kpi = json!({"name": "Net revenue retention", "direction": "higher_is_better", "target": 110.0,
                     "cadence": "monthly", "description": "Revenue kept from last year's customers."});
    org.api.post("/api/v1/kpis", kpi).await.expect(201);
    (org, objective)
}

http_test!(finds_each_kind_by_a_word_and_by_its_start, |api: Api| async move {
    let (org, objective) = acme(&api).await;
    let admin = &org.api;
    let found = search(admin, &[("q", "reten")]).await.expect(200);
    assert_eq!(found["query"], "reten");
    assert_eq!(found["words"], json!(["reten"]));
    let kinds: Vec<&str> = found["groups"].as_array().unwrap().iter().map(|g| g["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["objective", "key_result", "kpi", "person", "team"], "every kind, in a fixed order");
    let hit = &hits(&found, "objective")[0];
    assert_eq!(hit["title"], "Raise customer retention");
    assert_eq!(hit["id"], objective["id"]);
    assert_eq!(hit["url"], format!("/objectives/{}", objective["id"]));
    assert_eq!(hit["context"], "Cycle 2026-q4", "an objective's cycle");
    assert_eq!(hit["archived"], false);
    assert_eq!(marked(&hit["title_highlight"]), ["retention"]);
    assert_eq!(hits(&found, "kpi")[0]["title"], "Net revenue retention");
    assert!(hits(&found, "key_result").is_empty() && hits(&found, "person").is_empty());

    // A key result by its sentence, with its objective and its place on the objective's page.
    let found = search(admin, &[("q", "CHURN")]).await.expect(200);
    let key_result = &hits(&found, "key_result")[0];
    assert_eq!(key_result["title"], "Cut monthly churn from 4% to 2%");
    assert_eq!(key_result["context"], "Raise customer retention");
    let key_result_id = objective["key_results"][0]["id"].clone();
    assert_eq!(key_result["url"], format!("/objectives/{}#key-result-{key_result_id}", objective["id"]));

    // Every word must match, each as the start of a word, in any column.
    assert_eq!(titles(admin, "customer reten", "objective").await, ["Raise customer retention"]);
    assert_eq!(titles(admin, "cheapest raise", "objective").await, ["Raise customer retention"]);
    assert!(titles(admin, "retention banana", "objective").await.is_empty());
    assert!(titles(admin, "etention", "objective").await.is_empty(), "the start of a word, not its middle");

    // A description's match is shown as a snippet.
    let found = search(admin, &[("q", "cheap"), ("kind", "objective")]).await.expect(200);
    let hit = &hits(&found, "objective")[0];
    assert_eq!(marked(&hit["snippet"]), ["cheapest"]);
    assert!(marked(&hit["title_highlight"]).is_empty());

    // People by name, handle or email; teams by name or slug.
    assert_eq!(titles(admin, "dan", "person").await, ["Person dana"]);
    assert_eq!(titles(admin, "example dana", "person").await, ["Person dana"]);
    let found = search(admin, &[("q", "eli"), ("kind", "person")]).await.expect(200);
    assert_eq!(hits(&found, "person")[0]["context"], "Team engineering", "a person's team");
    assert_eq!(titles(admin, "platf", "team").await, ["Team platform"]);
    let found = search(admin, &[("q", "platform"), ("kind", "team")]).await.expect(200);
    assert_eq!(hits(&found, "team")[0]["context"], "Team engineering", "a team's parent");
    assert_eq!(hits(&found, "team")[0]["url"], format!("/objectives?team_id={}", org.team));
    assert_eq!(found["groups"].as_array().unwrap().len(), 1, "one kind asked for, one group");
});

http_test!(a_title_outranks_a_description_and_pages_follow_each_other, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let mentioned = org.team_objective("Ship the mobile app", org.team, json!([])).await;
    let patch = json!({"version": mentioned["version"], "description": "Onboarding first, then retention."});
    org.api.patch(&format!("/api/v1/objectives/{}", mentioned["id"]), patch).await.expect(200);
    let titled = org.team_objective("Retention above all", org.team, json!([])).await;
    let found = search(&org.api, &[("q", "retention"), ("kind", "objective")]).await.expect(200);
    let ids: Vec<i64> = hits(&found, "objective").iter().map(id).collect();
    assert_eq!(ids, [id(&titled), id(&mentioned)], "the title's match first");

    // Twelve more, paged five at a time: no hit twice, none lost, `more` until the end.
    for n in 0..12 {
        org.team_objective(&format!("Retention plan {n}"), org.team, json!([])).await;
    }
    let mut seen = Vec::new();
    for page in 0..3 {
        let offset = (page * 5).to_string();
        let params = [("q", "retention"), ("kind", "objective"), ("limit", "5"), ("offset", offset.as_str())];
        let found = search(&org.api, &params).await.expect(200);
        let group = &found["groups"][0];
        seen.extend(group["hits"].as_array().unwrap().iter().map(id));
        assert_eq!(group["more"], page < 2, "page {page}");
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 14);
});

http_test!(team_only_objectives_are_found_only_by_those_who_may_see_them, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let body = json!({"cycle_id": org.cycle, "title": "Quietly replace the pager", "owner_team_id": org.team,
                      "visibility": "team", "key_results": [{"title": "Silence escalations from 30 to 3", "kind": "decrease", "start": 30, "target": 3}]});
    org.api.objective(body).await;
    let (_, insider) = org.person_with_session("ina", Some(org.team), "member").await;
    let (_, outsider) = org.person_with_session("otto", Some(org.department), "editor").await;
    let (_, company_viewer) = org.person_with_session("vik", Some(org.company), "viewer").await;
    let member_token = org.api.as_role("member").await;
    let insiders = [("admin token", org.api.clone()), ("team member", insider)];
    let outsiders = [
        ("an editor of another team", outsider),
        ("a viewer of the company", company_viewer),
        ("a member token (no team)", member_token),
    ];
    for (who, caller) in &insiders {
        assert_eq!(titles(caller, "pager", "objective").await, ["Quietly replace the pager"], "{who}");
        assert_eq!(titles(caller, "escalat", "key_result").await, ["Silence escalations from 30 to 3"], "{who}");
    }
    for (who, caller) in &outsiders {
        for q in ["pager", "quietly replace", "escalations", "silence"] {
            let found = search(caller, &[("q", q)]).await.expect(200);
            let all: Vec<&Value> =
                found["groups"].as_array().unwrap().iter().flat_map(|g| g["hits"].as_array().unwrap()).collect();
            assert!(all.is_empty(), "{who} found {q:?}: {found}");
        }
    }
    // The web page hides it the same way.
    let page = Browser::from_api(&api, &outsiders[0].1).get("/search?q=pager").await;
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("Quietly replace"), "{}", page.text);
});

http_test!(a_search_keeps_to_the_callers_workspace, |api: Api| async move {
    let (_acme, _) = acme(&api).await;
    let other = Org::new(&api, "globex").await;
    other.team_objective("Raise retention at Globex", other.team, json!([])).await;
    let found = search(&other.api, &[("q", "retention")]).await.expect(200);
    let all: Vec<String> = found["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(all, ["Raise retention at Globex"]);
});

http_test!(archived_things_are_left_out_unless_asked_for_then_marked_and_last, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let kept =
        org.team_objective("Retention, kept", org.team, json!([Org::increase("Retain 80 accounts", 0.0, 80.0)])).await;
    let gone = org
        .team_objective("Retention, dropped", org.team, json!([Org::increase("Retain 90 accounts", 0.0, 90.0)]))
        .await;
    let path = format!("/api/v1/objectives/{}/archive", gone["id"]);
    org.api.post(&path, json!({"version": gone["version"]})).await.expect(200);
    assert_eq!(titles(&org.api, "retention", "objective").await, ["Retention, kept"]);
    assert_eq!(
        titles(&org.api, "retain", "key_result").await,
        ["Retain 80 accounts"],
        "an archived objective's key results too"
    );
    let params = [("q", "retention"), ("kind", "objective"), ("include_archived", "true")];
    let found = search(&org.api, &params).await.expect(200);
    let found = hits(&found, "objective");
    assert_eq!((found[0]["id"].clone(), found[0]["archived"].clone()), (kept["id"].clone(), json!(false)));
    assert_eq!((found[1]["id"].clone(), found[1]["archived"].clone()), (gone["id"].clone(), json!(true)));
    let params = [("q", "retain"), ("kind", "key_result"), ("include_archived", "true")];
    let found = search(&org.api, &params).await.expect(200);
    assert_eq!(hits(&found, "key_result")[1]["archived"], true);
    // A person archived is not found either.
    let person = org.api.get(&format!("/api/v1/people/{}", org.eli)).await.expect(200);
    let path = format!("/api/v1/people/{}/archive", org.eli);
    org.api.post(&path, json!({"version": person["version"]})).await.expect(200);
    assert!(titles(&org.api, "eli", "person").await.is_empty());
});

http_test!(the_index_follows_every_write_renames_and_okr_files_included, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let objective = org.team_objective("Make deploys boring", org.team, json!([])).await;
    let patch = json!({"version": objective["version"], "title": "Make releases uneventful"});
    org.api.patch(&format!("/api/v1/objectives/{}", objective["id"]), patch).await.expect(200);
    assert!(titles(&org.api, "deploys", "objective").await.is_empty(), "the old title is forgotten");
    assert_eq!(titles(&org.api, "unevent", "objective").await, ["Make releases uneventful"]);
    let team = org.api.get(&format!("/api/v1/teams/{}", org.team)).await.expect(200);
    let patch = json!({"version": team["version"], "name": "Reliability"});
    org.api.patch(&format!("/api/v1/teams/{}", org.team), patch).await.expect(200);
    assert_eq!(titles(&org.api, "reliab", "team").await, ["Reliability"]);
    assert!(titles(&org.api, "Team platform", "team").await.is_empty());

    let file = "---\ncycle: 2026-q4\nowner: team/platform\n---\n\n# Tame the on-call rota (committed)\n\n\
                - Cut pages from 40 to 10\n";
    // The file does not mention the team's objective: it is archived, which takes `archive`.
    let mut body = crate::okr_files::files(&[("platform.md", file)]);
    body["archive"] = json!(true);
    let applied = org.api.post("/api/v1/okr-files/apply", body).await.expect(200);
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(titles(&org.api, "rota", "objective").await, ["Tame the on-call rota"]);
    assert_eq!(titles(&org.api, "pages", "key_result").await, ["Cut pages from 40 to 10"]);
});

http_test!(bad_searches_are_400s_that_name_the_parameter, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let long = "x".repeat(201);
    let many = "a b c d e f g h i j k";
    for (params, parameter, says) in [
        (vec![], "q", "type a word"),
        (vec![("q", "   ")], "q", "type a word"),
        (vec![("q", long.as_str())], "q", "at most 200 characters"),
        (vec![("q", many)], "q", "at most 10 different words"),
        (vec![("q", "\"*-()")], "q", "punctuation alone"),
        (vec![("q", "ok"), ("kind", "robots")], "kind", "objective, key_result, kpi, person, team"),
        (vec![("q", "ok"), ("limit", "0")], "limit", "from 1 to 50"),
        (vec![("q", "ok"), ("limit", "51")], "limit", "from 1 to 50"),
        (vec![("q", "ok"), ("offset", "1001")], "offset", "narrower"),
    ] {
        let reply = search(&org.api, &params).await;
        reply.bad_parameter(parameter);
        assert!(reply.text.contains(says), "{}: {}", reply.request, reply.text);
    }
    let reply = org.api.get("/api/v1/search?q=ok&limit=many").await;
    reply.bad_parameter("limit");
    let reply = org.api.get("/api/v1/search?q=ok&colour=red").await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    // Every problem at once.
    let reply = search(&org.api, &[("q", "*"), ("kind", "x"), ("limit", "0")]).await;
    assert_eq!(reply.status, 400);
    let mut named: Vec<&str> =
        reply.body["errors"].as_array().unwrap().iter().map(|e| e["parameter"].as_str().unwrap()).collect();
    named.sort_unstable();
    assert_eq!(named, ["kind", "limit", "q"], "{}", reply.text);
});

/// Text that full-text engines read as syntax, and text that is hard to carry at all.
const HOSTILE: &[&str] = &[
    "\"",
    "\"\"",
    "*",
    "**",
    "AND(",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "NEAR(a b, 2)",
    "-",
    "--",
    "-retention",
    "a -b",
    "'",
    "''",
    "it's",
    "\\",
    "\\'",
    ":",
    "a:b",
    "title:retention",
    "^retention",
    "retention*",
    "(",
    ")",
    "()",
    "{a b}",
    "a & b",
    "a | b",
    "!a",
    "a <-> b",
    "a:*",
    "'a':*",
    "<script>alert(1)</script>",
    "%",
    "%25",
    "_",
    "\u{0}",
    "a\u{0}b",
    "\u{202e}reten",
    "ﬁ",
    "İ",
    "ß",
    "🙂 retention",
    "١٢٣",
    "東京",
    "e\u{301}",
    "\t\n",
    "a\u{FEFF}",
    "a b c d e f g h i j",
    "¹²³",
    "Ⅻ",
    "ǅ",
    "re*ten",
    "\"reten",
    "reten\"",
    "r\"e\"t",
];

http_test!(any_text_is_answered_with_results_or_a_400_never_a_500, |api: Api| async move {
    let (org, _) = acme(&api).await;
    let mut inputs: Vec<String> = HOSTILE.iter().map(|s| (*s).to_owned()).collect();
    inputs.extend(["x".repeat(200), "é".repeat(200), "\"".repeat(200), "a ".repeat(100)]);
    // Arbitrary strings, and strings made of the hostile pieces, the same every run.
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let arbitrary = proptest::arbitrary::any::<String>();
    let pieces = proptest::collection::vec(proptest::sample::select(HOSTILE.to_vec()), 1..6).prop_map(|p| p.join(" "));
    for _ in 0..150 {
        inputs.push(arbitrary.new_tree(&mut runner).unwrap().current());
        inputs.push(pieces.new_tree(&mut runner).unwrap().current());
    }
    for q in &inputs {
        let reply = search(&org.api, &[("q", q.as_str())]).await;
        match reply.status {
            200 => assert_eq!(reply.body["groups"].as_array().map(Vec::len), Some(5), "{}", reply.text),
            400 => reply.bad_parameter("q"),
            _ => panic!("{q:?} got {}: {}", reply.status, reply.text),
        }
    }
    // Undecodable bytes in the query string too.
    for raw in ["%FF%FE", "%", "%2", "%00", "%22%2A%22", "a%20AND%28"] {
        let reply = org.api.get(&format!("/api/v1/search?q={raw}")).await;
        assert!(reply.status == 200 || reply.status == 400, "{raw}: {} {}", reply.status, reply.text);
    }
    // The web page, the same.
    let (_, person) = org.person_with_session("pat", Some(org.team), "member").await;
    let browser = Browser::from_api(&api, &person);
    for q in inputs.iter().take(60) {
        let encoded: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let page = browser.get(&format!("/search?q={encoded}")).await;
        assert!(page.status == 200 || page.status == 422, "{q:?}: {} {}", page.status, page.text);
    }
});

http_test!(the_search_page_shows_results_by_kind_with_the_words_marked, |api: Api| async move {
    let (org, objective) = acme(&api).await;
    org.team_objective("<b>Retention</b> & friends", org.team, json!([])).await;
    let (_, person) = org.person_with_session("pat", Some(org.team), "member").await;
    let browser = Browser::from_api(&api, &person);

    // Every page's navigation holds the search box, a plain GET form.
    let dashboard = browser.get("/").await;
    assert!(dashboard.text.contains("<form method=\"get\" action=\"/search\" role=\"search\""), "{}", dashboard.text);
    assert!(dashboard.text.contains("name=\"q\""));
    let empty = browser.get("/search").await;
    assert_eq!(empty.status, 200);
    assert!(!empty.text.contains("role=\"status\""), "nothing searched yet");

    let page = browser.get("/search?q=reten").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let text = &page.text;
    assert!(text.contains("<h2 id=\"results-objective\">Objectives"), "{text}");
    assert!(text.contains("<h2 id=\"results-kpi\">KPIs"), "{text}");
    assert!(!text.contains("results-person"), "kinds with nothing found are left out");
    assert!(
        text.contains(&format!(
            "<a href=\"/objectives/{}\">Raise customer <mark>retention</mark></a>",
            objective["id"]
        )),
        "{text}"
    );
    // A title is text, never markup.
    assert!(text.contains("&#60;b&#62;<mark>Retention</mark>&#60;/b&#62; &#38; friends"), "{text}");
    assert!(!text.contains("<b>Retention"), "{text}");

    // One kind, paged; a bad search says what is wrong at the field.
    let page = browser.get("/search?q=reten&kind=kpi").await;
    assert!(page.text.contains("<option value=\"kpi\" selected>"), "{}", page.text);
    assert!(!page.text.contains("results-objective"), "{}", page.text);
    let page = browser.get("/search?q=%22*%22").await;
    assert_eq!(page.status, 422);
    assert!(page.text.contains("aria-invalid=\"true\"") && page.text.contains("punctuation alone"), "{}", page.text);
});
