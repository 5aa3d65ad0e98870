//! OKR files through the API: apply plans and carries out in one transaction, applying
//! twice changes nothing, export → apply is a no-op, apply → export gives a canonical
//! file back unchanged, and a bad file changes nothing and says where it is wrong.

use crate::harness::{Api, Org, Reply, id};
use serde_json::{Value, json};

const PLATFORM: &str = "---
cycle: 2026-q4
owner: team/platform
---

# Make deploys boring (committed)

Nobody should fear Friday.

- Cut deploy time from 40 min to 10 min
- Raise deploy success rate from 90% to 99% @dana (weight: 2)
- Launch one-click rollback
";

pub(crate) fn files(list: &[(&str, &str)]) -> Value {
    let files: Vec<Value> = list.iter().map(|(name, text)| json!({"name": name, "text": text})).collect();
    json!({ "files": files })
}

pub(crate) async fn apply(api: &Api, list: &[(&str, &str)]) -> Reply {
    api.post("/api/v1/okr-files/apply", files(list)).await
}

async fn dry_run(api: &Api, list: &[(&str, &str)]) -> Reply {
    let mut body = files(list);
    body["dry_run"] = json!(true);
    api.post("/api/v1/okr-files/apply", body).await
}

/// How many events the audit trail has: a change of anything adds one.
pub(crate) async fn events(admin: &Api) -> usize {
    admin.walk("/api/v1/events", 500).await.len()
}

pub(crate) fn actions(plan: &Value) -> Vec<String> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {} {}", c["action"].as_str().unwrap(), c["what"].as_str().unwrap(), c["title"]))
        .collect()
}

/// The text apply wrote its new ids into.
pub(crate) fn written(plan: &Value, name: &str) -> String {
    let file = plan["files"].as_array().unwrap().iter().find(|f| f["name"] == name);
    file.unwrap_or_else(|| panic!("{name} not among {}", plan["files"]))["text"].as_str().unwrap().to_owned()
}

pub(crate) async fn export(api: &Api, query: &str) -> Vec<(String, String)> {
    let files = api.get(&format!("/api/v1/okr-files{query}")).await.expect(200);
    files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_owned(), f["text"].as_str().unwrap().to_owned()))
        .collect()
}

http_test!(a_new_file_is_created_and_applying_it_again_changes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let plan = apply(&org.api, &[("platform.md", PLATFORM)]).await.expect(200);
    assert_eq!(plan["applied"], true);
    assert_eq!(
        actions(&plan),
        [
            "create objective \"Make deploys boring\"",
            "create key_result \"Cut deploy time from 40 min to 10 min\"",
            "create key_result \"Raise deploy success rate from 90% to 99%\"",
            "create key_result \"Launch one-click rollback\"",
        ]
    );
    // What the sentences say is what the key results hold.
    let objective = org.api.get(&format!("/api/v1/objectives/{}", id(&plan["changes"][0]))).await.expect(200);
    assert_eq!(objective["owner_team_id"], org.team);
    assert_eq!(objective["description"], "Nobody should fear Friday.");
    let krs = objective["key_results"].as_array().unwrap();
    assert_eq!(
        (krs[0]["kind"].as_str(), krs[0]["start"].as_f64(), krs[0]["target"].as_f64()),
        (Some("decrease"), Some(40.0), Some(10.0))
    );
    assert_eq!(
        (krs[1]["owner_person_id"].as_i64(), krs[1]["weight"].as_f64(), krs[1]["unit"].as_str()),
        (Some(org.dana), Some(2.0), Some("%"))
    );
    assert_eq!(krs[2]["kind"], "milestone");

    // The ids went into the text; applying it again changes nothing, not even a version.
    let text = written(&plan, "platform.md");
    assert!(text.contains("# Make deploys boring (committed) <!-- id: O-"), "{text}");
    assert_eq!(text.matches("<!-- id: KR-").count(), 3, "{text}");
    let before = events(&org.api).await;
    let again = apply(&org.api, &[("platform.md", &text)]).await.expect(200);
    assert_eq!((again["changes"].as_array().unwrap().len(), &again["applied"]), (0, &json!(false)), "{again}");
    assert!(again["files"].as_array().unwrap().is_empty());
    assert_eq!(events(&org.api).await, before);
    let same = org.api.get(&format!("/api/v1/objectives/{}", id(&objective))).await.expect(200);
    assert_eq!(same["version"], objective["version"]);
});

http_test!(export_then_apply_is_a_no_op_and_apply_then_export_gives_the_text_back, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    // Made through the API, not from a file: export must still round-trip.
    let company = org
        .team_objective(
            "Delight our customers",
            org.company,
            json!([Org::increase("Grow NPS from 30 to 50", 30.0, 50.0)]),
        )
        .await;
    org.api
        .objective(json!({"cycle_id": org.cycle, "title": "Ship faster", "owner_person_id": org.dana,
                          "commitment": "aspirational", "parent_objective_id": id(&company),
                          "key_results": [Org::increase("Grow builds a day from 5 to 20", 5.0, 20.0)]}))
        .await;
    let exported = export(&org.api, "").await;
    let names: Vec<&str> = exported.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["2026-q4/people/dana.md", "2026-q4/teams/company.md"]);
    assert!(exported[0].1.contains(&format!("aligns: O-{}", id(&company))), "{}", exported[0].1);
    let list: Vec<(&str, &str)> = exported.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let before = events(&org.api).await;
    let plan = apply(&org.api, &list).await.expect(200);
    assert!(plan["changes"].as_array().unwrap().is_empty(), "{plan}");
    assert_eq!(events(&org.api).await, before);

    // A canonical file with new lines: after apply, export gives exactly its text back.
    let mut text = exported[1].1.clone();
    text.push_str("\n# Answer every ticket within a day (aspirational)\n\n- Cut first response time from 8h to 2h\n");
    let plan = apply(&org.api, &[("company.md", &text)]).await.expect(200);
    let applied = written(&plan, "company.md");
    assert_eq!(
        export(&org.api, "?owner=team/company&cycle=2026-Q4").await,
        [("2026-q4/teams/company.md".to_owned(), applied)]
    );
});

// Adding a file for an owner who already has objectives (made in the web app, say) must
// not archive them as a side effect: the apply lists them and needs `archive`.
http_test!(an_apply_that_would_archive_unmentioned_objectives_lists_them_and_needs_archive, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let plan = apply(&org.api, &[("p.md", PLATFORM)]).await.expect(200);
    let objective = id(&plan["changes"][0]);
    let title = plan["changes"][0]["title"].as_str().unwrap().to_owned();
    // The same owner and cycle, in a new file that does not mention that objective.
    let other =
        "---\ncycle: 2026-q4\nowner: team/platform\n---\n\n# Ship the new build farm\n\n- Launch the new build farm\n";
    let before = events(&org.api).await;
    let refused = apply(&org.api, &[("other.md", other)]).await;
    refused.problem(409, "would_archive");
    let detail = refused.detail();
    assert!(detail.contains(&format!("O-{objective} \"{title}\"")) && detail.contains("--archive"), "{detail}");
    assert_eq!(events(&org.api).await, before, "nothing was applied, the new objective included");
    let view = org.api.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
    assert_eq!(view["archived"], false);
    // A dry run shows the archive in its plan, without refusing.
    let planned = dry_run(&org.api, &[("other.md", other)]).await.expect(200);
    assert!(actions(&planned).contains(&format!("archive objective \"{title}\"")), "{planned}");
    // Said explicitly, it archives.
    let mut body = files(&[("other.md", other)]);
    body["archive"] = json!(true);
    let done = org.api.post("/api/v1/okr-files/apply", body).await.expect(200);
    assert!(actions(&done).contains(&format!("archive objective \"{title}\"")), "{done}");
    let view = org.api.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
    assert_eq!(view["archived"], true, "archived, never deleted");
});

http_test!(renaming_keeps_identity_and_a_removed_line_is_archived_until_it_returns, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let plan = apply(&org.api, &[("p.md", PLATFORM)]).await.expect(200);
    let text = written(&plan, "p.md");
    let objective = id(&plan["changes"][0]);
    let first_kr = id(&plan["changes"][1]);
    org.api.check_in(first_kr, json!({"value": 30, "confidence": 6})).await;

    // Reworded, reordered and one line dropped: updates and an archive, ids kept.
    let lines: Vec<&str> = text.lines().collect();
    let renamed = text
        .replace("# Make deploys boring", "# Make deploys dull")
        .replace(&format!("{}\n", lines[10]), "")
        .replace("40 min to 10 min", "40 min to 5 min");
    let refused = apply(&org.api, &[("p.md", &renamed)]).await;
    refused.problem(422, "invalid");
    assert!(refused.detail().contains("p.md:10: the cycle has begun"), "{}", refused.text);
    let mut body = files(&[("p.md", &renamed)]);
    body["reason"] = json!("the new pipeline makes 5 minutes possible");
    let plan = org.api.post("/api/v1/okr-files/apply", body).await.expect(200);
    assert_eq!(
        actions(&plan),
        [
            "update objective \"Make deploys dull\"",
            "update key_result \"Cut deploy time from 40 min to 5 min\"",
            "archive key_result \"Raise deploy success rate from 90% to 99%\"",
        ]
    );
    assert_eq!(
        plan["changes"][0]["fields"],
        json!([{"field": "title", "before": "Make deploys boring", "after": "Make deploys dull"}])
    );
    let kr = org.api.get(&format!("/api/v1/key-results/{first_kr}")).await.expect(200);
    assert_eq!(
        (kr["target"].as_f64(), kr["current"].as_f64()),
        (Some(5.0), Some(30.0)),
        "history stays with the key result"
    );
    let view = org.api.get(&format!("/api/v1/objectives/{objective}")).await.expect(200);
    assert_eq!(view["title"], "Make deploys dull");
    assert_eq!(view["key_results"].as_array().unwrap().len(), 2);

    // The line comes back with its marker: restored, not created anew.
    let plan =
        apply(&org.api, &[("p.md", &text.replace("40 min to 10 min", "40 min to 5 min").replace("boring", "dull"))])
            .await
            .expect(200);
    assert_eq!(actions(&plan), ["restore key_result \"Raise deploy success rate from 90% to 99%\""]);
});

http_test!(a_dry_run_plans_what_a_run_does_and_changes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let before = events(&org.api).await;
    let plan = dry_run(&org.api, &[("p.md", PLATFORM)]).await.expect(200);
    assert_eq!(plan["applied"], false);
    assert_eq!(plan["changes"].as_array().unwrap().len(), 4);
    assert!(plan["changes"].as_array().unwrap().iter().all(|c| c["id"].is_null()), "{plan}");
    assert!(plan["files"].as_array().unwrap().is_empty());
    assert_eq!(events(&org.api).await, before);
    assert!(export(&org.api, "").await.is_empty());
    let real = apply(&org.api, &[("p.md", PLATFORM)]).await.expect(200);
    assert_eq!(actions(&real), actions(&plan));
});

http_test!(a_bad_file_changes_nothing_and_says_where, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let other = Org::new(&api, "globex").await;
    let theirs = other.team_objective("Theirs", other.team, json!([])).await;
    let before = events(&org.api).await;

    // A lint error: file, line and column, with the rule.
    let broken = PLATFORM.replace("from 90% to 99%", "from 90% to 90%");
    let reply =
        apply(&org.api, &[("good.md", PLATFORM.replace("team/platform", "team/company").as_str()), ("p.md", &broken)])
            .await;
    reply.invalid_at(&["/files/1/text"]);
    assert!(reply.text.contains("p.md:11:3:") && reply.text.contains("[start-equals-target]"), "{}", reply.text);

    // Another workspace's objective is, to this one, an objective that does not exist.
    let ghost = PLATFORM.replace("(committed)", "(committed) <!-- id: O-999999 -->");
    let stolen = PLATFORM.replace("(committed)", &format!("(committed) <!-- id: O-{} -->", id(&theirs)));
    let a = apply(&org.api, &[("p.md", &ghost)]).await;
    let b = apply(&org.api, &[("p.md", &stolen)]).await;
    a.invalid_at(&["/files/0/text"]);
    assert_eq!(a.text.replace("999999", "N"), b.text.replace(&id(&theirs).to_string(), "N"));

    // A good file and a bad one: the good one is not written either.
    let unknown_start = "---\ncycle: 2026-q4\nowner: @dana\n---\n\n# Grow\n\n- Reduce churn by 20%\n";
    let reply = apply(&org.api, &[("p.md", PLATFORM), ("dana.md", unknown_start)]).await;
    reply.invalid_at(&["/files/1/text"]);
    assert!(
        reply.detail().contains("dana.md:8:3: the key result \"Reduce churn by 20%\" does not say where it starts")
            && reply.detail().contains("[key-result-incomplete]"),
        "{}",
        reply.text
    );
    // The same owner twice: the linter says it, in the second file at its owner.
    let reply = apply(&org.api, &[("a.md", PLATFORM), ("b.md", PLATFORM)]).await;
    reply.invalid_at(&["/files/1/text"]);
    assert!(
        reply.detail().contains("b.md:3:8: a.md already holds the objectives of team/platform")
            && reply.detail().contains("[duplicate-file-owner]"),
        "{}",
        reply.text
    );
    apply(&org.api, &[]).await.invalid_at(&["/files"]);

    assert_eq!(events(&org.api).await, before);
    assert!(export(&org.api, "").await.is_empty());
    org.api.get("/api/v1/okr-files?owner=nobody").await.bad_parameter("owner");
    org.api.get("/api/v1/okr-files?cycle=1999-q1").await.bad_parameter("cycle");
});

http_test!(key_results_move_and_paths_align_to_objectives_made_in_the_same_apply, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    // The child's file comes first and names its parent by path; the parent is new.
    let child = "---\ncycle: 2026-q4\nowner: team/platform\naligns: company/delight-our-customers\n---\n\n# Fast pages (committed)\n\n- Cut page load from 3 s to 1 s\n";
    let parent = "---\ncycle: 2026-q4\nowner: team/company\n---\n\n# Delight our customers (committed)\n\n- Grow NPS from 30 to 50\n\n# Grow revenue (committed)\n\n- Launch the shop\n";
    let plan = apply(&org.api, &[("child.md", child), ("parent.md", parent)]).await.expect(200);
    let child_text = written(&plan, "child.md");
    let parent_text = written(&plan, "parent.md");
    let exported = export(&org.api, "?owner=team/platform").await;
    let parent_id = id(&plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Delight our customers")
        .unwrap()
        .clone());
    assert!(exported[0].1.contains(&format!("aligns: O-{parent_id}")), "{}", exported[0].1);
    let fast = org.api.get(&format!("/api/v1/objectives/{}", id(&plan["changes"][0]))).await.expect(200);
    assert_eq!(fast["parent_objective_id"], parent_id);

    // Moving the NPS line, marker and all, under the other objective moves it.
    let lines: Vec<&str> = parent_text.lines().collect();
    let nps = lines.iter().find(|l| l.contains("NPS")).unwrap();
    let launch = lines.iter().find(|l| l.contains("Launch the shop")).unwrap();
    let moved = parent_text.replace(&format!("{nps}\n\n"), "").replace(launch, &format!("{launch}\n{nps}"));
    let plan = apply(&org.api, &[("child.md", &child_text), ("parent.md", &moved)]).await.expect(200);
    assert_eq!(actions(&plan), ["update key_result \"Grow NPS from 30 to 50\""], "{plan}");
    assert_eq!(plan["changes"][0]["fields"][0]["field"], "objective_id");
    let exported = export(&org.api, "?owner=team/company").await;
    assert_eq!(exported[0].1, moved);
});

http_test!(a_viewer_applies_nothing_and_a_member_only_their_own, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let viewer = org.api.as_role("viewer").await;
    apply(&viewer, &[("p.md", PLATFORM)]).await.problem(403, "forbidden");
    dry_run(&viewer, &[("p.md", PLATFORM)]).await.problem(403, "forbidden");
    let (_, mia) = org.person_with_session("mia", Some(org.team), "member").await;
    let before = events(&org.api).await;
    let reply = apply(&mia, &[("p.md", PLATFORM)]).await;
    reply.problem(403, "forbidden");
    assert!(reply.detail().starts_with("p.md:6: "), "{}", reply.text);
    assert_eq!(events(&org.api).await, before);
    let own = "---\ncycle: 2026-q4\nowner: @mia\n---\n\n# Learn Rust\n\n- Ship 3 services in Rust\n";
    let plan = apply(&mia, &[("mia.md", own)]).await.expect(200);
    assert_eq!(plan["applied"], true);
    // Export shows each caller only what it may see.
    org.team_objective("Secret plan", org.team, json!([])).await;
    let hidden = org
        .api
        .objective(
            json!({"cycle_id": org.cycle, "title": "Team only", "owner_team_id": org.team, "visibility": "team"}),
        )
        .await;
    let all = export(&org.api, "").await;
    assert!(all.iter().any(|(_, text)| text.contains(&format!("O-{}", id(&hidden)))));
    let seen = export(&viewer, "").await;
    assert!(seen.iter().all(|(_, text)| !text.contains("Team only")), "{seen:?}");
    assert!(seen.iter().any(|(_, text)| text.contains("Secret plan")));
});

http_test!(a_key_result_over_two_thousand_characters_is_refused_at_its_line, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let before = events(&org.api).await;
    let sentence = "Raise deploy success rate from 90% to 99%";
    // Characters, not bytes: 2,001 of them, most two bytes long.
    let long = format!("{sentence} {}", "é".repeat(2_000 - sentence.chars().count()));
    assert_eq!(long.chars().count(), 2_001);
    let reply = apply(&org.api, &[("p.md", &PLATFORM.replace(sentence, &long))]).await;
    reply.invalid_at(&["/files/0/text"]);
    assert!(reply.text.contains("p.md:11:3:") && reply.text.contains("[key-result-too-long]"), "{}", reply.text);
    assert!(reply.text.contains("2001 characters (too long to read at all), more than the 300"), "{}", reply.text);
    // A key result is stored with its sentence as its title, of at most 300 characters:
    // one character more is refused at the line by the same rule.
    let long = format!("{sentence} {}", "é".repeat(300 - sentence.chars().count()));
    let reply = apply(&org.api, &[("p.md", &PLATFORM.replace(sentence, &long))]).await;
    reply.invalid_at(&["/files/0/text"]);
    assert!(
        reply.text.contains("p.md:11:3:") && reply.text.contains("301 characters, more than the 300"),
        "{}",
        reply.text
    );
    assert_eq!(events(&org.api).await, before, "nothing changed");
});
