//! KPI files through the API (docs/okr-files.md, "KPI files"): apply creates, updates,
//! takes over, restores and archives KPIs in one transaction with the OKR files beside
//! them; applying twice changes nothing; export → apply is a no-op and apply → export
//! gives the text back; a bad file or a member's file changes nothing.

use crate::harness::{Api, Org, id};
use crate::okr_files::{actions, apply, events, export, written};
use serde_json::{Value, json};

const SUPPORT: &str = "---
kpis: @dana
---

# Customer satisfaction

Share of surveyed customers who rate their support 4 or 5.

- slug: csat
- unit: %
- direction: higher is better
- target: 92
- warning band: 3
- cadence: weekly
- tags: support, quality

# Ticket backlog

- direction: within a range
- range: 50 to 200
- cadence: daily
- tier: metric
- lagging after: 3 periods
";

/// An OKR file whose key result links to a KPI that SUPPORT creates.
const OKRS: &str = "---
cycle: 2026-Q4
owner: @dana
---

# Delight the customers who write to us

- Keep CSAT at or above 92% (kpi: csat)
";

async fn kpi(api: &Api, slug: &str) -> Value {
    let all = api.walk("/api/v1/kpis?include_archived=true", 100).await;
    all.into_iter().find(|k| k["slug"] == slug).unwrap_or_else(|| panic!("no KPI {slug}"))
}

http_test!(a_kpi_file_defines_kpis_and_applying_it_again_changes_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let plan = apply(&org.api, &[("okrs/dana.md", OKRS), ("kpis/dana.md", SUPPORT)]).await.expect(200);
    assert_eq!(
        actions(&plan),
        [
            "create kpi \"Customer satisfaction\"",
            "create kpi \"Ticket backlog\"",
            "create objective \"Delight the customers who write to us\"",
            "create key_result \"Keep CSAT at or above 92%\"",
        ],
        "KPIs are planned first, so the key result can link to one"
    );
    let csat = kpi(&org.api, "csat").await;
    assert_eq!(
        (&csat["name"], &csat["owner_person_id"], &csat["unit"], &csat["direction"], &csat["target"]),
        (&json!("Customer satisfaction"), &json!(org.dana), &json!("%"), &json!("higher_is_better"), &json!(92.0))
    );
    assert_eq!(
        (&csat["warning_band"], &csat["cadence"], &csat["tags"]),
        (&json!(3.0), &json!("weekly"), &json!(["support", "quality"]))
    );
    assert_eq!(csat["description"], "Share of surveyed customers who rate their support 4 or 5.");
    let backlog = kpi(&org.api, "ticket-backlog").await;
    assert_eq!(
        (&backlog["range"], &backlog["tier"], &backlog["lagging_after"], &backlog["target"]),
        (&json!([50.0, 200.0]), &json!("metric"), &json!(3), &Value::Null)
    );
    let kr = id(&plan["changes"][3]);
    let kr = org.api.get(&format!("/api/v1/key-results/{kr}")).await.expect(200);
    assert_eq!(kr["kpi_id"], csat["id"], "the key result links to the KPI the same apply made");

    // The KPIs' ids went into their file, and applying both again changes nothing.
    let text = written(&plan, "kpis/dana.md");
    assert!(text.contains(&format!("# Customer satisfaction <!-- id: KPI-{} -->", id(&csat))), "{text}");
    assert!(text.contains(&format!("# Ticket backlog <!-- id: KPI-{} -->", id(&backlog))), "{text}");
    let okrs = written(&plan, "okrs/dana.md");
    let before = events(&org.api).await;
    let again = apply(&org.api, &[("okrs/dana.md", &okrs), ("kpis/dana.md", &text)]).await.expect(200);
    assert_eq!((again["changes"].as_array().unwrap().len(), &again["applied"]), (0, &json!(false)), "{again}");
    assert_eq!(events(&org.api).await, before);
    assert_eq!(kpi(&org.api, "csat").await["version"], csat["version"]);

    // A new target and a removed KPI: one update, in that field only, and one archive.
    let edited = text.replace("- target: 92", "- target: 95");
    let cut = edited.find("\n# Ticket backlog").unwrap();
    // Archiving a KPI the files no longer mention takes `archive`: without it, the apply
    // is refused with the list and changes nothing.
    let refused = apply(&org.api, &[("kpis/dana.md", &edited[..=cut])]).await;
    refused.problem(409, "would_archive");
    assert!(refused.detail().contains(&format!("KPI-{} \"Ticket backlog\"", id(&backlog))), "{}", refused.text);
    assert_eq!(kpi(&org.api, "csat").await["target"], 92.0, "nothing applied");
    let mut body = crate::okr_files::files(&[("kpis/dana.md", &edited[..=cut])]);
    body["archive"] = json!(true);
    let plan = org.api.post("/api/v1/okr-files/apply", body).await.expect(200);
    assert_eq!(actions(&plan), ["update kpi \"Customer satisfaction\"", "archive kpi \"Ticket backlog\""]);
    let fields: Vec<&str> =
        plan["changes"][0]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["target"]);
    assert_eq!(kpi(&org.api, "csat").await["target"], 95.0);
    assert_eq!(kpi(&org.api, "ticket-backlog").await["archived"], true, "archived, never deleted");

    // Its marker back in the file restores it.
    let plan = apply(&org.api, &[("kpis/dana.md", &edited)]).await.expect(200);
    assert_eq!(actions(&plan), ["restore kpi \"Ticket backlog\""]);
    assert_eq!(kpi(&org.api, "ticket-backlog").await["archived"], false);
});

http_test!(export_then_apply_is_a_no_op_for_kpis_and_passwords_stay_hidden, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    // Made through the API, not from a file, with a source whose URL holds a password,
    // on a database that is not Milepost's own (which no source may read).
    crate::harness::postgres_source_database().await;
    let source = json!({"kind": "sql", "url": "postgres://postgres:s3cret@127.0.0.1:5432/milepost_kpi_sources", "query": "SELECT 42 AS value"});
    org.api
        .post("/api/v1/kpis", json!({"name": "Website uptime", "owner_person_id": org.dana, "unit": "%",
            "direction": "higher_is_better", "target": 99.9, "warning_band": 0.2, "cadence": "daily",
            "tags": ["reliability"], "source": source, "description": "Share of probes that succeed.\n\nFrom the edge."}))
        .await
        .expect(201);
    org.api
        .post(
            "/api/v1/kpis",
            json!({"name": "Member churn", "direction": "within_range", "range": [1.5, 3],
            "cadence": "monthly", "tier": "metric", "lagging_after": 4}),
        )
        .await
        .expect(201);
    let exported = export(&org.api, "").await;
    let names: Vec<&str> = exported.iter().map(|(n, _)| n.as_str()).collect();
    let handle =
        org.api.get(&format!("/api/v1/people/{}", org.dana)).await.expect(200)["handle"].as_str().unwrap().to_owned();
    assert_eq!(names, [format!("kpis/{handle}.md"), "kpis/nobody.md".to_owned()]);
    let uptime = &exported[0].1;
    assert!(uptime.starts_with(&format!("---\nkpis: @{handle}\n---\n\n# Website uptime <!-- id: KPI-")), "{uptime}");
    assert!(
        uptime.contains(
            "- source: sql postgres://postgres:***@127.0.0.1:5432/milepost_kpi_sources\n- query: `SELECT 42 AS value`\n"
        ),
        "{uptime}"
    );
    assert!(!uptime.contains("s3cret"));
    assert!(
        exported[1].1.contains("- range: 1.5 to 3\n- cadence: monthly\n- tier: metric\n- lagging after: 4 periods\n"),
        "{}",
        exported[1].1
    );

    // Export then apply: nothing to do, and the stored password is kept.
    let list: Vec<(&str, &str)> = exported.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let plan = apply(&org.api, &list).await.expect(200);
    assert!(plan["changes"].as_array().unwrap().is_empty(), "{plan}");
    let run = org
        .api
        .post(&format!("/api/v1/kpis/{}/source/run", id(&kpi(&org.api, "website-uptime").await)), json!({}))
        .await;
    let run = run.expect(200);
    assert_eq!(run["last_error"], Value::Null, "the source still runs: {run}");
    // A password written in the file is a change of the source, and the plan hides it.
    let repassed = exported[0].1.replace(":***@", ":n3w@");
    let plan = apply(&org.api, &[(&exported[0].0, &repassed), (&exported[1].0, &exported[1].1)]).await.expect(200);
    assert_eq!(actions(&plan), ["update kpi \"Website uptime\""]);
    assert_eq!(plan["changes"][0]["fields"][0]["field"], "source");
    assert!(!plan.to_string().contains("n3w") && !plan.to_string().contains("s3cret"), "{plan}");

    // A canonical file with a new KPI: after apply, export gives its text back.
    let mut text = exported[1].1.clone();
    text.push_str("\n# Refund rate\n\n- slug: refunds\n- unit: %\n- direction: lower is better\n- target: 2\n- cadence: monthly\n");
    let plan = apply(&org.api, &[("kpis/nobody.md", &text)]).await.expect(200);
    assert_eq!(actions(&plan), ["create kpi \"Refund rate\""]);
    let again = export(&org.api, "").await;
    assert_eq!(again[1].1, written(&plan, "kpis/nobody.md"));
    // A cycle's export holds no KPI files; one person's holds theirs.
    assert!(export(&org.api, "?cycle=2026-Q4").await.iter().all(|(n, _)| !n.starts_with("kpis/")));
    let dana: Vec<String> = export(&org.api, &format!("?owner=@{handle}")).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(dana, [format!("kpis/{handle}.md")]);
});

http_test!(an_existing_kpi_is_taken_over_by_its_slug_and_the_file_order_is_kept, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let made = org
        .api
        .post(
            "/api/v1/kpis",
            json!({"name": "CSAT", "slug": "csat", "direction": "higher_is_better",
            "target": 90, "cadence": "weekly", "owner_person_id": org.dana}),
        )
        .await
        .expect(201);
    let plan = apply(&org.api, &[("kpis/dana.md", SUPPORT)]).await.expect(200);
    assert_eq!(actions(&plan), ["update kpi \"Customer satisfaction\"", "create kpi \"Ticket backlog\""]);
    assert_eq!(id(&plan["changes"][0]), id(&made), "the same KPI, not a second one");
    assert!(written(&plan, "kpis/dana.md").contains(&format!("<!-- id: KPI-{} -->", id(&made))));
    // The file's order, not the ids', is the order export writes them in.
    let text = written(&plan, "kpis/dana.md");
    let (first, second) = text.split_at(text.find("\n# Ticket backlog").unwrap());
    let header_end = first.find("\n# ").unwrap();
    let swapped = format!("{}{}\n{}", &first[..header_end], second, &first[header_end..]);
    apply(&org.api, &[("kpis/dana.md", &swapped)]).await.expect(200);
    let handle =
        org.api.get(&format!("/api/v1/people/{}", org.dana)).await.expect(200)["handle"].as_str().unwrap().to_owned();
    let exported = export(&org.api, &format!("?owner=@{handle}")).await;
    let backlog = exported[0].1.find("# Ticket backlog").unwrap();
    let csat = exported[0].1.find("# Customer satisfaction").unwrap();
    assert!(backlog < csat, "{}", exported[0].1);
});

http_test!(a_bad_kpi_file_changes_nothing_and_says_where, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let before = events(&org.api).await;
    let bad = SUPPORT.replace("- direction: higher is better\n", "");
    let problem = apply(&org.api, &[("kpis/dana.md", &bad), ("okrs/dana.md", OKRS)]).await.expect(422);
    let detail = problem["errors"][0]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with(
            "kpis/dana.md:5:3: the KPI \"Customer satisfaction\" does not say which way is good [incomplete-kpi]"
        ),
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["pointer"], "/files/0/text");
    // Two files for one owner, and two files defining one slug.
    let problem = apply(&org.api, &[("a.md", SUPPORT), ("b.md", SUPPORT)]).await.expect(422);
    let details: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
    assert!(details.iter().any(|d| d.contains("one KPI file per owner")), "{details:?}");
    assert!(details.iter().any(|d| d.contains("a slug names one KPI")), "{details:?}");
    // A marker of no KPI of this workspace.
    let ghost = SUPPORT.replace("# Ticket backlog", "# Ticket backlog <!-- id: KPI-999999 -->");
    let problem = apply(&org.api, &[("kpis/dana.md", &ghost)]).await.expect(422);
    assert!(problem.to_string().contains("KPI-999999 is no KPI of this workspace"), "{problem}");
    assert_eq!(events(&org.api).await, before, "nothing was written");
    assert!(org.api.walk("/api/v1/kpis?include_archived=true", 100).await.is_empty());

    // Members may not define KPIs, so a member's apply of a KPI file is refused whole.
    let member = org.api.as_role("member").await;
    let refused = apply(&member, &[("kpis/dana.md", SUPPORT)]).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.body.to_string().contains("kpis/dana.md"), "{:?}", refused.body);
    assert!(org.api.walk("/api/v1/kpis?include_archived=true", 100).await.is_empty());
});
