//! Pages that scale (issue 14): on a workspace large enough to need the caps, the
//! dashboard's lists are capped, say their totals and link to paged lists of all of
//! them; the alignment tree opens level by level, with each team's rollup over its
//! whole subtree; the cycle page shows its objectives a page at a time and the timeline
//! only a few of each cycle. Paging loses nothing and repeats nothing.

use crate::harness::{Api, Org, id};
use crate::ui::Browser;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

/// The ids that follow each `prefix` in `html`, in order: `ids(html, "#key-result-")`.
fn ids(html: &str, prefix: &str) -> Vec<i64> {
    html.split(prefix)
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

/// The ids of the objectives in the rows of the tables of `html`.
fn objective_rows(html: &str) -> Vec<i64> {
    ids(html, "<th scope=\"row\"><a href=\"/objectives/")
}

/// The part of `html` from the element with `id="heading"` to the end of its section.
fn section<'a>(html: &'a str, heading: &str) -> &'a str {
    let start = html.find(&format!("id=\"{heading}\"")).unwrap_or_else(|| panic!("no {heading}: {html}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

/// The `href` of the link whose text starts with `text`, unescaped.
fn link(html: &str, text: &str) -> String {
    let at = html.find(&format!("\">{text}")).unwrap_or_else(|| panic!("no link {text:?}: {html}"));
    let start = html[..at].rfind("href=\"").unwrap() + "href=\"".len();
    let end = start + html[start..].find('"').unwrap();
    unescape(&html[start..end])
}

/// An attribute's value as the browser reads it: `&#38;` and `&amp;` are `&`.
fn unescape(text: &str) -> String {
    text.replace("&#38;", "&").replace("&amp;", "&")
}

/// The summary of the tree node named `name` (a team or a person): its doughnut and words.
fn node<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html.find(&format!("<strong>{name}</strong>")).unwrap_or_else(|| panic!("no node {name}: {html}"));
    let start = html[..at].rfind("<summary>").unwrap();
    let end = at + html[at..].find("</summary>").unwrap();
    &html[start..end]
}

/// The percentage a page shows for a share: `37%`.
fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Creates `count` objectives owned as `owner` says (`{"owner_team_id": 3}`), each with
/// `key_results` increase key results from 0 to 10 owned by `krs_owner`; returns their ids.
async fn objectives(
    org: &Org,
    title: &str,
    count: usize,
    owner: Value,
    key_results: usize,
    krs_owner: Option<i64>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for n in 0..count {
        let mut body = json!({"cycle_id": org.cycle, "title": format!("{title} {n}")});
        for (key, value) in owner.as_object().unwrap() {
            body[key] = value.clone();
        }
        body["key_results"] = (0..key_results)
            .map(|k| {
                json!({"title": format!("{title} {n} result {k}"), "kind": "increase", "start": 0, "target": 10,
                       "owner_person_id": krs_owner})
            })
            .collect();
        out.push(org.api.objective(body).await);
    }
    out
}

/// The ids of every objective of the cycle, as the API lists them.
async fn cycle_objectives(org: &Org) -> Vec<Value> {
    org.api.walk(&format!("/api/v1/objectives?cycle_id={}", org.cycle), 100).await
}

http_test!(the_dashboard_caps_each_list_says_its_total_and_links_to_all_of_it, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (pat, member) = org.person_with_session("pat", Some(org.team), "member").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    // 55 company objectives, 22 of the platform team and its people, one of eli's department.
    let company = objectives(&org, "Company goal", 55, json!({"owner_team_id": org.company}), 0, None).await;
    let mut team = objectives(&org, "Platform goal", 12, json!({"owner_team_id": org.team}), 0, None).await;
    team.extend(objectives(&org, "Dana goal", 5, json!({"owner_person_id": org.dana}), 0, None).await);
    team.extend(objectives(&org, "Pat goal", 5, json!({"owner_person_id": pat}), 0, None).await);
    objectives(&org, "Eli goal", 1, json!({"owner_person_id": org.eli}), 0, None).await;
    // 52 key results in the platform team, checked in behind their pace; 3 in the
    // department above it, which pat's dashboard leaves out and the company's has.
    let platform = objectives(&org, "Risky platform", 13, json!({"owner_team_id": org.team}), 4, Some(org.dana)).await;
    let department =
        objectives(&org, "Risky department", 1, json!({"owner_team_id": org.department}), 3, Some(org.eli)).await;
    let key_results = |objectives: &[Value]| -> Vec<i64> {
        objectives.iter().flat_map(|o| o["key_results"].as_array().unwrap().iter().map(id)).collect()
    };
    for (n, key_result) in key_results(&platform).into_iter().chain(key_results(&department)).enumerate() {
        // From nothing to a little: off track or at risk, some worse than others.
        org.api.check_in(key_result, json!({"value": (n % 4) as f64 * 0.5, "confidence": 3})).await;
    }
    // pat's own key result, one.
    let own = org
        .api
        .objective(json!({"cycle_id": org.cycle, "title": "Pat own", "owner_person_id": pat,
                          "key_results": [{"title": "Write 4 guides", "kind": "increase", "start": 0, "target": 4, "owner_person_id": pat}]}))
        .await;
    team.push(own);

    let browser = Browser::from_api(&api, &member);
    let dashboard = browser.get("/").await;
    let dashboard = dashboard.expect(200);
    assert!(section(dashboard, "mine-heading").contains("Write 4 guides"), "{dashboard}");

    // My team's objectives: the team's own and its people's, 20 of 23, with the total.
    let all_team: BTreeSet<i64> = team.iter().map(id).chain(platform.iter().map(id)).collect();
    let mine = section(dashboard, "team-heading");
    assert!(mine.contains("Objectives of Team platform <small>(36)</small>"), "{mine}");
    let shown = objective_rows(mine);
    assert_eq!(shown.len(), 20, "{mine}");
    assert!(shown.iter().all(|o| all_team.contains(o)), "only the team's and its people's: {mine}");
    assert!(!mine.contains("Eli goal") && !mine.contains("Company goal"), "{mine}");
    let see_all = link(mine, "See all 36 objectives of Team platform");
    assert_eq!(see_all, format!("/objectives?cycle_id={}&team_id={}", org.cycle, org.team));
    let listed = objective_rows(browser.get(&see_all).await.expect(200));
    assert_eq!(listed.iter().copied().collect::<BTreeSet<_>>(), all_team, "the full list has them all, once");
    assert_eq!(listed.len(), all_team.len());

    // The company's: 10 of 55, then all 55 on two pages, none twice, none lost.
    let top = section(dashboard, "company-heading");
    assert!(top.contains("Company objectives <small>(55)</small>"), "{top}");
    assert_eq!(objective_rows(top), company.iter().take(10).map(id).collect::<Vec<_>>(), "{top}");
    let see_all = link(top, "See all 55 company objectives");
    assert_eq!(see_all, format!("/objectives?cycle_id={}", org.cycle));
    let first = browser.get(&see_all).await;
    let first = first.expect(200);
    assert!(first.contains("Showing 1–50 of 55") && first.contains("page 1 of 2"), "{first}");
    let next = link(first, "Next page →");
    assert_eq!(next, format!("/objectives?cycle_id={}&page=2", org.cycle));
    let second = browser.get(&next).await;
    let second = second.expect(200);
    assert!(second.contains("Showing 51–55 of 55") && second.contains("← Previous page"), "{second}");
    let mut both = objective_rows(first);
    assert_eq!(both.len(), 50);
    both.extend(objective_rows(second));
    assert_eq!(both, company.iter().map(id).collect::<Vec<_>>(), "two pages: every one, in order, once");

    // The key results at risk in my team and the teams under it: the worst 20 of 52.
    let statuses: HashMap<i64, Value> = cycle_objectives(&org)
        .await
        .iter()
        .flat_map(|o| o["key_results"].as_array().unwrap().clone())
        .map(|k| (id(&k), k))
        .collect();
    let worst_first = |ids: &[i64]| -> Vec<i64> {
        let mut ids: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|k| matches!(statuses[k]["status"].as_str(), Some("off_track" | "at_risk" | "stale")))
            .collect();
        let behind =
            |k: &i64| statuses[k]["expected_progress"].as_f64().unwrap() - statuses[k]["progress"].as_f64().unwrap();
        ids.sort_by(|a, b| {
            let rank = |k: &i64| match statuses[k]["status"].as_str() {
                Some("off_track") => 0,
                Some("stale") => 1,
                _ => 2,
            };
            rank(a).cmp(&rank(b)).then(behind(b).total_cmp(&behind(a))).then(a.cmp(b))
        });
        ids
    };
    let in_team = worst_first(&key_results(&platform));
    assert_eq!(in_team.len(), 52, "every platform key result is behind: {statuses:?}");
    let risk = section(dashboard, "risk-heading");
    assert!(
        risk.contains(
            "Key results at risk, off track or stale in Team platform and the teams under it <small>(52)</small>"
        ),
        "{risk}"
    );
    assert_eq!(ids(risk, "#key-result-"), in_team[..20].to_vec(), "the worst first: {risk}");
    let see_all = link(risk, "See all 52 key results at risk");
    assert_eq!(see_all, format!("/key-results/at-risk?cycle_id={}&team_id={}", org.cycle, org.team));
    let first = browser.get(&see_all).await;
    let first = first.expect(200);
    let second = browser.get(&link(first, "Next page →")).await;
    let mut both = ids(first, "#key-result-");
    assert_eq!(both.len(), 50, "{first}");
    both.extend(ids(second.expect(200), "#key-result-"));
    assert_eq!(both, in_team, "two pages: every one, worst first, once");

    // An admin without a team sees the company's: the department's too.
    let dashboard = Browser::from_api(&api, &admin).get("/").await;
    let risk = section(dashboard.expect(200), "risk-heading");
    let everywhere =
        worst_first(&key_results(&platform).into_iter().chain(key_results(&department)).collect::<Vec<_>>());
    assert_eq!(everywhere.len(), 55);
    assert!(risk.contains("Key results at risk, off track or stale in the company <small>(55)</small>"), "{risk}");
    assert_eq!(ids(risk, "#key-result-"), everywhere[..20].to_vec(), "{risk}");
    assert_eq!(link(risk, "See all 55 key results at risk"), format!("/key-results/at-risk?cycle_id={}", org.cycle));
    assert!(!dashboard.text.contains("id=\"team-heading\""), "no team, no team section");

    // A team that is not there is a 404, a page past the end shows the last.
    assert_eq!(browser.get("/objectives?team_id=987654321").await.status, 404);
    let past = browser.get(&format!("/objectives?cycle_id={}&page=9", org.cycle)).await;
    assert!(past.expect(200).contains("Showing 51–55 of 55"), "{}", past.text);
    assert_eq!(browser.get("/objectives?page=none").await.status, 400);
});

http_test!(the_alignment_tree_opens_level_by_level_with_subtree_rollups, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, member) = org.person_with_session("mo", Some(org.department), "member").await;
    let ops = id(&org.api.team("ops", None).await);
    let data = id(&org.api.team("data", Some(org.department)).await);
    // One objective each, checked in so that their progress differs.
    let mut made = HashMap::new();
    for (title, owner, value) in [
        ("Company aim", json!({"owner_team_id": org.company}), Some(2.0)),
        ("Engineering aim", json!({"owner_team_id": org.department}), Some(5.0)),
        ("Platform aim", json!({"owner_team_id": org.team}), Some(7.0)),
        ("Platform plan without key results", json!({"owner_team_id": org.team}), None),
        ("Dana aim", json!({"owner_person_id": org.dana}), Some(3.0)),
        ("Data aim", json!({"owner_team_id": data}), Some(1.0)),
        ("Eli aim", json!({"owner_person_id": org.eli}), Some(4.0)),
        ("Ops aim", json!({"owner_team_id": ops}), Some(9.0)),
    ] {
        let key_results = if value.is_some() { 1 } else { 0 };
        let objective = objectives(&org, title, 1, owner, key_results, None).await.remove(0);
        if let Some(value) = value {
            org.api.check_in(id(&objective["key_results"][0]), json!({"value": value, "confidence": 6})).await;
        }
        made.insert(title, id(&objective));
    }
    let served = cycle_objectives(&org).await;
    let progress: HashMap<i64, Option<f64>> = served.iter().map(|o| (id(o), o["progress"].as_f64())).collect();
    // The mean progress of the objectives with a progress, computed here from the API.
    let made: HashMap<String, i64> = made.into_iter().map(|(k, v)| (format!("{k} 0"), v)).collect();
    let mean = |titles: &[&str]| {
        let measured: Vec<f64> = titles.iter().filter_map(|t| progress[&made[&format!("{t} 0")]]).collect();
        percent(measured.iter().sum::<f64>() / measured.len() as f64)
    };
    let browser = Browser::from_api(&api, &member);

    // The first view: the root teams only, each with its whole subtree's rollup.
    let page = browser.get("/alignment").await;
    let tree = page.expect(200).split("aria-label=\"Alignment tree\"").nth(1).unwrap();
    assert!(tree.contains("<strong>Team company</strong>") && tree.contains("<strong>Team ops</strong>"), "{tree}");
    for hidden in ["Team engineering", "Team platform", "Team data", "Company aim", "Person dana"] {
        assert!(!tree.contains(hidden), "{hidden} waits until its team is opened: {tree}");
    }
    assert!(page.text.contains("8 objectives under the company"), "{}", page.text);
    let company = node(tree, "Team company");
    let under_company = ["Company aim", "Engineering aim", "Platform aim", "Dana aim", "Data aim", "Eli aim"];
    assert!(company.contains(&format!("aria-label=\"Progress {}\"", mean(&under_company))), "{company}");
    assert!(company.contains("7 objectives"), "the one without key results counts too: {company}");
    assert!(node(tree, "Team ops").contains(&format!("aria-label=\"Progress {}\"", mean(&["Ops aim"]))), "{tree}");
    let fragment = format!("/alignment/teams/{}?cycle_id={}", org.company, org.cycle);
    assert!(tree.contains(&format!("hx-get=\"{fragment}\"")), "{tree}");
    let plain_link = format!("href=\"/alignment?cycle_id={}&team_id={}\"", org.cycle, org.company);
    assert!(unescape(tree).contains(&plain_link), "a link opens it without JavaScript: {tree}");

    // The company opened (htmx): its objective and the department under it, closed.
    let opened = browser.get_htmx(&fragment).await;
    let opened = opened.expect(200);
    assert!(!opened.contains("<html"), "a fragment, not a page: {opened}");
    assert!(opened.contains("Company aim"), "{opened}");
    let engineering = node(opened, "Team engineering");
    assert!(
        engineering.contains(&format!(
            "aria-label=\"Progress {}\"",
            mean(&["Engineering aim", "Platform aim", "Dana aim", "Data aim", "Eli aim"])
        )),
        "{engineering}"
    );
    for hidden in ["Engineering aim", "Team platform", "Team data", "Ops aim"] {
        assert!(!opened.contains(hidden), "{hidden} is not on the company's level: {opened}");
    }
    // The department opened: its objective, its person's, its two teams closed.
    let opened = browser.get_htmx(&format!("/alignment/teams/{}?cycle_id={}", org.department, org.cycle)).await;
    let opened = opened.expect(200);
    assert!(opened.contains("Engineering aim") && opened.contains("Eli aim"), "{opened}");
    assert!(node(opened, "Person eli").contains(&format!("Progress {}", mean(&["Eli aim"]))), "{opened}");
    let platform = node(opened, "Team platform");
    assert!(platform.contains(&format!("Progress {}", mean(&["Platform aim", "Dana aim"]))), "{platform}");
    assert!(platform.contains("3 objectives"), "{platform}");
    assert!(node(opened, "Team data").contains(&format!("Progress {}", mean(&["Data aim"]))), "{opened}");
    assert!(!opened.contains("Platform aim") && !opened.contains("Dana aim"), "{opened}");

    // Without JavaScript: the fragment's address sends to the page opened at the team,
    // which shows the same level under a breadcrumb.
    let plain = browser.get(&format!("/alignment/teams/{}?cycle_id={}", org.department, org.cycle)).await;
    assert_eq!(plain.status, 303);
    assert_eq!(plain.location(), format!("/alignment?cycle_id={}&team_id={}", org.cycle, org.department));
    let page = browser.get(plain.location()).await;
    let page = page.expect(200);
    let tree = page.split("aria-label=\"Alignment tree\"").nth(1).unwrap();
    assert!(tree.contains("Engineering aim") && tree.contains("<strong>Team platform</strong>"), "{tree}");
    assert!(!tree.contains("Platform aim") && !tree.contains("Company aim"), "{tree}");
    assert!(page.contains("6 objectives under Team engineering"), "{page}");
    let crumbs = unescape(page.split("aria-label=\"Breadcrumb\"").nth(1).unwrap());
    assert!(crumbs.contains(&format!("team_id={}\">Team company</a>", org.company)), "{crumbs}");

    // The status filter applies to the rollups and to what a level shows.
    let done = browser.get(&format!("/alignment?status=done&team_id={}", org.department)).await;
    assert!(done.expect(200).contains("0 objectives under Team engineering"), "{}", done.text);
    assert!(!done.text.contains("Engineering aim"), "{}", done.text);
    let fragment = browser.get_htmx(&format!("/alignment/teams/{}?status=done", org.department)).await;
    assert!(fragment.expect(200).contains("hx-get=\"/alignment/teams/"), "{}", fragment.text);
    assert!(fragment.text.contains("status=done"), "the filter follows into the next level: {}", fragment.text);
    assert_eq!(browser.get_htmx("/alignment/teams/987654321").await.status, 404);
});

http_test!(the_cycle_page_shows_its_objectives_a_page_at_a_time_and_the_timeline_a_few, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, member) = org.person_with_session("mo", Some(org.department), "member").await;
    objectives(&org, "Team goal", 8, json!({"owner_team_id": org.team}), 1, None).await;
    let company = objectives(&org, "Company goal", 53, json!({"owner_team_id": org.company}), 1, None).await;
    let every: Vec<i64> = cycle_objectives(&org).await.iter().map(id).collect();
    assert_eq!(every.len(), 61);
    let browser = Browser::from_api(&api, &member);
    let path = format!("/cycles/{}", org.cycle);
    let first = browser.get(&path).await;
    let first = first.expect(200);
    assert!(first.contains("61 objectives"), "{first}");
    assert!(first.contains("Showing 1–50 of 61"), "{first}");
    let next = link(first, "Next page →");
    assert_eq!(next, format!("{path}?page=2"));
    let second = browser.get(&next).await;
    let second = second.expect(200);
    assert!(second.contains("Showing 51–61 of 61") && !second.contains("Next page"), "{second}");
    assert_eq!(link(second, "← Previous page"), format!("{path}?page=1"));
    let mut both = ids(first, "<h3><a href=\"/objectives/");
    assert_eq!(both.len(), 50);
    both.extend(ids(second, "<h3><a href=\"/objectives/"));
    assert_eq!(both, every, "every objective once, in the API's order");

    // The timeline: the count, the first five (the company's first), a link to the rest.
    let timeline = browser.get("/cycles").await;
    let timeline = timeline.expect(200);
    assert!(timeline.contains("61 objectives"), "{timeline}");
    assert_eq!(objective_rows(timeline), company.iter().take(5).map(id).collect::<Vec<_>>(), "{timeline}");
    assert_eq!(link(timeline, "See all 61 objectives"), path);
});

http_test!(the_dashboard_shows_the_first_ten_lagging_kpis_and_links_to_the_board, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, member) = org.person_with_session("mo", Some(org.department), "member").await;
    // Twelve KPIs far below their target for ten days: red, and lagging.
    for n in 0..12 {
        let kpi = org
            .api
            .post(
                "/api/v1/kpis",
                json!({"name": format!("Uptime {n:02}"), "unit": "%", "direction": "higher_is_better",
                       "target": 99.9, "warning_band": 0.4, "cadence": "daily"}),
            )
            .await
            .expect(201);
        let rows: Vec<Value> = (1..=10)
            .rev()
            .map(|day| json!({"value": 97.0, "measured_at": crate::harness::at_hours(-24 * day)}))
            .collect();
        org.api.post(&format!("/api/v1/kpis/{}/measurements/batch", id(&kpi)), json!(rows)).await.expect(200);
    }
    let board = org.api.get("/api/v1/kpis/board").await.expect(200);
    assert_eq!(board["lagging"].as_array().unwrap().len(), 12, "{board}");
    let dashboard = Browser::from_api(&api, &member).get("/").await;
    let kpis = dashboard.expect(200).split("id=\"kpi-heading\"").nth(1).unwrap();
    assert!(kpis.contains("Lagging KPIs <small>(12)</small>"), "{kpis}");
    let kpi_pages = kpis
        .split("href=\"/kpis/")
        .skip(1)
        .filter(|rest| rest.split('"').next().is_some_and(|id| id.chars().all(|c| c.is_ascii_digit())))
        .count();
    assert_eq!(kpi_pages, 10, "ten of twelve: {kpis}");
    // A member may not make an objective for another's KPI: no link that would be refused.
    assert_eq!(kpis.matches("Create an OKR to fix this").count(), 0, "{kpis}");
    assert_eq!(link(kpis, "See all 12 lagging KPIs"), "/kpis");
});

http_test!(in_a_company_of_many_teams_the_team_filter_offers_the_teams_around_the_view, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, member) = org.person_with_session("mo", Some(org.team), "member").await;
    // 110 teams under the department, beside the platform team.
    let mut squads = Vec::new();
    for n in 0..110 {
        squads.push(id(&org.api.team(&format!("squad-{n:03}"), Some(org.department)).await));
    }
    let browser = Browser::from_api(&api, &member);
    let options = |html: &str| -> Vec<i64> {
        let select = html.split("<select id=\"team_id\"").nth(1).unwrap().split("</select>").next().unwrap();
        ids(select, "<option value=\"")
    };
    // At the root: the company, and my own team with the teams above it.
    let page = browser.get("/alignment").await;
    assert_eq!(options(page.expect(200)), vec![org.company, org.department, org.team], "{}", page.text);
    // Opened at the department: the teams right under it too, so any of them is a choice away.
    let page = browser.get(&format!("/alignment?team_id={}", org.department)).await;
    let offered = options(page.expect(200));
    assert_eq!(offered.len(), 3 + 110, "{offered:?}");
    assert!(squads.iter().all(|s| offered.contains(s)));
    // Opened at a squad: it is offered and selected, its brothers are not.
    let page = browser.get(&format!("/alignment?team_id={}", squads[7])).await;
    let text = page.expect(200);
    assert_eq!(options(text), vec![org.company, org.department, org.team, squads[7]], "{text}");
    assert!(text.contains(&format!("<option value=\"{}\" selected>", squads[7])), "{text}");
});
