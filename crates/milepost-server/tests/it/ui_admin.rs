//! The first run and the administration in the browser (issue 15): the set-up code's
//! rules (one set-up, none after a workspace exists, a wrong code spoils nothing, every
//! problem of the form at once), the login form with one workspace or several,
//! invitations accepted on their page, admin pages refused to members, the team tree
//! refusing a move into a team's own subtree, workspace settings over the API and
//! tokens made and revoked in the browser.

use crate::harness::{Api, Org, id};
use crate::ui::Browser;
use serde_json::json;

/// The fields of a set-up that works with `code`.
fn set_up_fields(code: &str) -> Vec<(&'static str, String)> {
    vec![
        ("code", code.to_lowercase().replace('-', " ")),
        ("name", "Acme Outfitters".to_owned()),
        ("slug", String::new()),
        ("admin_name", "Ada Admin".to_owned()),
        ("admin_email", "Ada@Example.com".to_owned()),
        ("password", "a long enough password".to_owned()),
        ("time_zone", "Europe/Paris".to_owned()),
        ("check_in_day", "friday".to_owned()),
        ("check_in_hour", "15".to_owned()),
        ("create_cycle", "on".to_owned()),
        ("cycle_name", "2026 Q4".to_owned()),
        ("cycle_start_date", "2026-10-01".to_owned()),
        ("cycle_end_date", "2026-12-31".to_owned()),
    ]
}

fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn with(fields: &[(&'static str, String)], changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut out = fields.to_vec();
    for (name, value) in changes {
        match out.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1 = (*value).to_owned(),
            None => out.push((name, (*value).to_owned())),
        }
    }
    out
}

async fn workspace_count(api: &Api) -> usize {
    api.app().workspaces().list().await.unwrap().len()
}

http_test!(a_set_up_code_opens_one_set_up_and_none_once_a_workspace_exists, |api: Api| async move {
    let browser = Browser::anonymous(&api);
    // Every page leads to the set-up while there is no workspace.
    for path in ["/", "/login", "/check-in", "/settings"] {
        let page = browser.get(path).await;
        assert_eq!((page.status, page.location()), (303, "/setup"), "{path}");
    }
    let form = browser.get("/setup").await;
    assert!(form.expect(200).contains("<label for=\"code\">Set-up code</label>"), "{}", form.text);
    assert!(form.text.contains("value=\"2026-10-01\""), "the current quarter is filled in: {}", form.text);
    let code = api.app().first_run().issue_code().await.unwrap().expect("a code while there is no workspace");

    // A wrong code is refused at its field and writes nothing; nor does it spoil the right one.
    let wrong = browser.post_form("/setup", &pairs(&with(&set_up_fields(&code), &[("code", "AAAA-BBBB-CCCC")]))).await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.text.contains("id=\"code-error\""), "{}", wrong.text);
    assert!(wrong.text.contains("value=\"Acme Outfitters\""), "what was typed stays: {}", wrong.text);
    assert_eq!(workspace_count(&api).await, 0);

    // Every problem of the form at once, each at its field; nothing written, the code still good.
    let bad = with(
        &set_up_fields(&code),
        &[
            ("name", ""),
            ("admin_email", "ada at example"),
            ("password", "short"),
            ("time_zone", "Mars/Olympus_Mons"),
            ("check_in_hour", "25"),
            ("cycle_end_date", "2026-09-30"),
        ],
    );
    let bad = browser.post_form("/setup", &pairs(&bad)).await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    for field in ["name", "admin_email", "password", "time_zone", "check_in_hour", "cycle_end_date"] {
        assert!(bad.text.contains(&format!("id=\"{field}-error\"")), "{field}: {}", bad.text);
    }
    assert!(bad.text.contains("IANA"), "the time zone's problem says what to write: {}", bad.text);
    assert_eq!(workspace_count(&api).await, 0);

    let done = browser.post_form("/setup", &pairs(&set_up_fields(&code))).await;
    assert_eq!((done.status, done.location()), (303, "/getting-started"), "{}", done.text);
    let cookie = done.session_cookie().expect("the admin is logged in");
    let admin = Browser::with_cookie(&api, &cookie);
    let guide = admin.get("/getting-started").await;
    let text = guide.expect(200);
    assert!(text.contains("2026 Q4 runs from 2026-10-01 to 2026-12-31 (active)"), "{text}");
    assert!(text.contains("href=\"/settings/people\""), "{text}");
    let workspace = admin.api().get("/api/v1/workspace").await.expect(200);
    assert_eq!(workspace["slug"], "acme-outfitters");
    assert_eq!(workspace["time_zone"], "Europe/Paris");
    assert_eq!(workspace["check_in_day"], "friday");
    assert_eq!(workspace["check_in_hour"], 15);
    let me = admin.api().get("/api/v1/session").await.expect(200);
    assert_eq!(me["person"]["role"], "admin");
    assert_eq!(me["person"]["email"], "ada@example.com");

    // The code is used; no other set-up happens, with it or with a new one.
    let again = browser.post_form("/setup", &pairs(&with(&set_up_fields(&code), &[("name", "Other Co")]))).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(again.text.contains("set up already"), "{}", again.text);
    assert_eq!(api.app().first_run().issue_code().await.unwrap(), None, "no code once a workspace exists");
    assert_eq!(workspace_count(&api).await, 1);
    assert_eq!(browser.get("/setup").await.location(), "/login");

    // With one workspace, the login form does not ask for it.
    let login = browser.get("/login").await;
    let text = login.expect(200);
    assert!(text.contains("type=\"hidden\" name=\"workspace\" value=\"acme-outfitters\""), "{text}");
    assert!(!text.contains("<label for=\"workspace\">"), "{text}");
    let fields =
        [("workspace", "acme-outfitters"), ("email", "ada@example.com"), ("password", "a long enough password")];
    assert_eq!(browser.post_form("/login", &fields).await.status, 303);
});

http_test!(with_several_workspaces_the_login_form_asks_and_remembers_the_last, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    api.new_workspace("beta").await;
    let (_, _) = org.person_with_session("mo", None, "member").await;
    let browser = Browser::anonymous(&api);
    let text = browser.get("/login").await.expect(200).to_owned();
    assert!(
        text.contains("<label for=\"workspace\">") && text.contains("id=\"workspace\" name=\"workspace\" value=\"\""),
        "{text}"
    );
    let password = crate::harness::password_of("mo");
    let fields = [("workspace", "acme"), ("email", "mo@example.com"), ("password", password.as_str())];
    let ok = browser.post_form("/login", &fields).await;
    let remembered: Vec<&str> = ok
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| c.starts_with("milepost_workspace="))
        .collect();
    assert_eq!(remembered.len(), 1, "{:?}", ok.headers);
    assert!(remembered[0].starts_with("milepost_workspace=acme;"), "{}", remembered[0]);
    let client = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let again = client.get(api.url("/login")).header("cookie", "milepost_workspace=acme").send().await.unwrap();
    let text = again.text().await.unwrap();
    assert!(text.contains("id=\"workspace\" name=\"workspace\" value=\"acme\""), "{text}");
});

/// The invitation link in the page an admin's invitation answers with.
fn invitation_path(text: &str) -> String {
    let start = text.find("/invitations/mi_").unwrap_or_else(|| panic!("no invitation link in {text}"));
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '_').collect()
}

http_test!(an_invitation_link_opens_a_page_to_choose_a_password_and_log_in, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let admin = Browser::from_api(&api, &admin);
    let invite = [("name", "Sam Colleague"), ("email", "sam@example.com"), ("role", "member"), ("team_id", "")];
    let invited = admin.post_form("/settings/people", &invite).await;
    let text = invited.expect(200);
    assert!(text.contains("Sam Colleague is invited"), "{text}");
    let link = invitation_path(text);

    let anonymous = Browser::anonymous(&api);
    let form = anonymous.get(&link).await;
    assert!(form.expect(200).contains("<label for=\"password\">"), "{}", form.text);
    let differ =
        anonymous.post_form(&link, &[("password", "one long password"), ("password_again", "another one")]).await;
    assert_eq!(differ.status, 422);
    assert!(differ.text.contains("id=\"password_again-error\""), "{}", differ.text);
    let short = anonymous.post_form(&link, &[("password", "short"), ("password_again", "short")]).await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("id=\"password-error\""), "{}", short.text);
    let wrong = anonymous
        .post_form("/invitations/mi_0000", &[("password", "sam's password!"), ("password_again", "sam's password!")])
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("not valid"), "{}", wrong.text);

    let accepted =
        anonymous.post_form(&link, &[("password", "sam's password!"), ("password_again", "sam's password!")]).await;
    assert_eq!((accepted.status, accepted.location()), (303, "/"), "{}", accepted.text);
    let sam = Browser::with_cookie(&api, &accepted.session_cookie().unwrap());
    assert_eq!(sam.get("/").await.status, 200);
    assert_eq!(sam.api().get("/api/v1/session").await.expect(200)["person"]["email"], "sam@example.com");
    // Once only.
    let twice =
        anonymous.post_form(&link, &[("password", "sam's password!"), ("password_again", "sam's password!")]).await;
    assert_eq!(twice.status, 401);
    // A duplicate email is refused at its field.
    let duplicate = admin.post_form("/settings/people", &invite).await;
    assert_eq!(duplicate.status, 409, "{}", duplicate.text);
});

http_test!(members_and_editors_get_403_on_admin_pages_and_change_nothing, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, member) = org.person_with_session("mo", Some(org.team), "member").await;
    let (_, editor) = org.person_with_session("ed", Some(org.team), "editor").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let pages = [
        "/settings".to_owned(),
        "/settings/teams".to_owned(),
        format!("/settings/teams/{}", org.team),
        "/settings/people".to_owned(),
        format!("/settings/people/{}", org.dana),
        "/settings/tokens".to_owned(),
    ];
    for person in [&member, &editor] {
        let browser = Browser::from_api(&api, person);
        for path in &pages {
            assert_eq!(browser.get(path).await.status, 403, "{path}");
        }
        assert!(!browser.get("/").await.text.contains("href=\"/settings\""), "the nav has no settings for them");
        let archive_dana = format!("/settings/people/{}/archive", org.dana);
        let posts: [(&str, Vec<(&str, &str)>); 5] = [
            ("/settings/teams", vec![("name", "Sneaky"), ("parent_team_id", "")]),
            ("/settings/people", vec![("name", "Sneaky"), ("email", "sneaky@example.com"), ("role", "admin")]),
            ("/settings/tokens", vec![("name", "sneaky"), ("role", "admin")]),
            ("/settings", vec![("version", "1"), ("name", "Sneaky"), ("time_zone", "UTC"), ("check_in_day", "monday")]),
            (archive_dana.as_str(), vec![("version", "1")]),
        ];
        for (path, fields) in &posts {
            assert_eq!(browser.post_form(path, fields).await.status, 403, "{path}");
        }
    }
    let teams = org.api.get("/api/v1/teams?limit=100").await.expect(200);
    assert!(teams["items"].as_array().unwrap().iter().all(|t| t["name"] != "Sneaky"), "{teams}");
    assert_eq!(org.api.get("/api/v1/tokens").await.expect(200).as_array().unwrap().len(), 1, "only the harness's");
    assert_ne!(org.api.get("/api/v1/workspace").await.expect(200)["name"], "Sneaky");
    let admin = Browser::from_api(&api, &admin);
    for path in &pages {
        assert_eq!(admin.get(path).await.status, 200, "{path}");
    }
    assert!(admin.get("/").await.text.contains("href=\"/settings\""), "the nav shows admins the settings");
});

http_test!(the_team_tree_refuses_a_move_into_a_teams_own_subtree, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let admin = Browser::from_api(&api, &admin);
    let tree = admin.get("/settings/teams").await;
    let text = tree.expect(200);
    let (company, department, platform) = (text.find(">company<"), text.find(">engineering<"), text.find(">platform<"));
    assert!(company < department && department < platform, "parents before their teams: {text}");

    let version = |team: serde_json::Value| team["version"].as_i64().unwrap().to_string();
    let company = org.api.get(&format!("/api/v1/teams/{}", org.company)).await.expect(200);
    // The company under its own grandchild: refused at the parent, nothing moved.
    for parent in [org.team, org.company] {
        let fields = [
            ("version", version(company.clone())),
            ("name", "company".to_owned()),
            ("slug", "company".to_owned()),
            ("parent_team_id", parent.to_string()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = admin.post_form(&format!("/settings/teams/{}", org.company), &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains("id=\"parent_team_id-error\""), "{}", refused.text);
        assert!(refused.text.contains("cannot be inside itself"), "{}", refused.text);
    }
    let after = org.api.get(&format!("/api/v1/teams/{}", org.company)).await.expect(200);
    assert_eq!(after["parent_team_id"], serde_json::Value::Null);
    assert_eq!(after["version"], company["version"]);

    // A new team, then renamed and moved under the platform team: fine.
    let made = admin.post_form("/settings/teams", &[("name", "Support"), ("slug", ""), ("parent_team_id", "")]).await;
    assert_eq!((made.status, made.location()), (303, "/settings/teams"), "{}", made.text);
    let teams = org.api.get("/api/v1/teams?limit=100").await.expect(200);
    let support = teams["items"].as_array().unwrap().iter().find(|t| t["slug"] == "support").unwrap().clone();
    let platform_id = org.team.to_string();
    let fields = [
        ("version", version(support.clone())),
        ("name", "Customer support".to_owned()),
        ("slug", "support".to_owned()),
        ("parent_team_id", platform_id),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let moved = admin.post_form(&format!("/settings/teams/{}", id(&support)), &fields).await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    let support = org.api.get(&format!("/api/v1/teams/{}", id(&support))).await.expect(200);
    assert_eq!(
        (support["name"].as_str(), support["parent_team_id"].as_i64()),
        (Some("Customer support"), Some(org.team))
    );

    // Archived, it leaves the tree and can be restored.
    let archive = [("version", version(support.clone())), ("archived", "true".to_owned())];
    let archive: Vec<(&str, &str)> = archive.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.post_form(&format!("/settings/teams/{}/archive", id(&support)), &archive).await.status, 303);
    let support = org.api.get(&format!("/api/v1/teams/{}", id(&support))).await.expect(200);
    assert_eq!(support["archived"], true);
    let tree = admin.get("/settings/teams").await;
    assert!(tree.text.contains("Restore<span class=\"visually-hidden\"> Customer support"), "{}", tree.text);
});

http_test!(workspace_settings_are_checked_versioned_and_for_admins, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let workspace = org.api.get("/api/v1/workspace").await.expect(200);
    assert_eq!((workspace["time_zone"].as_str(), workspace["check_in_day"].as_str()), (Some("UTC"), Some("monday")));
    assert_eq!(workspace["check_in_hour"], 9);
    let version = workspace["version"].as_i64().unwrap();
    let bad = org
        .api
        .patch(
            "/api/v1/workspace",
            json!({"version": version, "time_zone": "Europe/Atlantis", "check_in_hour": 24, "name": ""}),
        )
        .await;
    let problem = bad.expect(422);
    let pointers: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap_or_default()).collect();
    assert_eq!(pointers, ["/name", "/time_zone", "/check_in_hour"], "{problem}");
    let day = org.api.patch("/api/v1/workspace", json!({"version": version, "check_in_day": "someday"})).await;
    assert_eq!(day.status, 422, "an unknown day is not a day: {}", day.body);
    assert_eq!(day.body["errors"][0]["pointer"], "/check_in_day", "{}", day.body);
    let member = org.api.as_role("member").await;
    assert_eq!(member.patch("/api/v1/workspace", json!({"version": version, "name": "X"})).await.status, 403);
    let changed = org
        .api
        .patch(
            "/api/v1/workspace",
            json!({"version": version, "time_zone": "America/New_York", "check_in_day": "tuesday", "check_in_hour": 8}),
        )
        .await
        .expect(200);
    assert_eq!(changed["time_zone"], "America/New_York");
    assert_eq!((changed["check_in_day"].as_str(), changed["check_in_hour"].as_i64()), (Some("tuesday"), Some(8)));
    assert_eq!(changed["name"], workspace["name"], "a field left out stays");
    let stale = org.api.patch("/api/v1/workspace", json!({"version": version, "check_in_hour": 10})).await;
    assert_eq!(stale.status, 409);
    assert_eq!(org.api.get("/api/v1/workspace").await.expect(200)["check_in_hour"], 8);

    // The same rules in the browser.
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let admin = Browser::from_api(&api, &admin);
    let form = admin.get("/settings").await;
    assert!(form.expect(200).contains("value=\"America/New_York\""), "{}", form.text);
    let version = changed["version"].as_i64().unwrap().to_string();
    let fields = [
        ("version", version.as_str()),
        ("name", "Acme"),
        ("time_zone", "Nowhere/Land"),
        ("check_in_day", "friday"),
        ("check_in_hour", "10"),
    ];
    let refused = admin.post_form("/settings", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(refused.text.contains("id=\"time_zone-error\""), "{}", refused.text);
    let fields = [
        ("version", version.as_str()),
        ("name", "Acme"),
        ("time_zone", "Asia/Tokyo"),
        ("check_in_day", "friday"),
        ("check_in_hour", "10"),
    ];
    assert_eq!(admin.post_form("/settings", &fields).await.location(), "/settings?saved=1");
    let after = org.api.get("/api/v1/workspace").await.expect(200);
    assert_eq!((after["name"].as_str(), after["time_zone"].as_str()), (Some("Acme"), Some("Asia/Tokyo")));
});

http_test!(tokens_are_made_shown_once_and_revoked_in_the_browser, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let admin = Browser::from_api(&api, &admin);
    let bad = admin.post_form("/settings/tokens", &[("name", "ci"), ("role", "boss"), ("expires_in_days", "-3")]).await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("id=\"role-error\"") && bad.text.contains("id=\"expires_in_days-error\""),
        "{}",
        bad.text
    );
    let made = admin
        .post_form("/settings/tokens", &[("name", "ci import"), ("role", "viewer"), ("expires_in_days", "30")])
        .await;
    let text = made.expect(200);
    let start = text.find("value=\"mp_").unwrap_or_else(|| panic!("{text}")) + 7;
    let token: String = text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let machine = api.with_token(&token);
    assert_eq!(machine.get("/api/v1/objectives").await.status, 200);
    let list = admin.get("/settings/tokens").await;
    assert!(!list.text.contains(&token), "shown once only");
    let tokens = org.api.get("/api/v1/tokens").await.expect(200);
    let listed = tokens.as_array().unwrap().iter().find(|t| t["name"] == "ci import").unwrap().clone();
    let revoked = admin.post_form(&format!("/settings/tokens/{}/revoke", id(&listed)), &[]).await;
    assert_eq!(revoked.status, 303);
    assert_eq!(machine.get("/api/v1/objectives").await.status, 401);
});

http_test!(the_people_search_finds_by_name_or_email_and_archives_come_back, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (mo, member) = org.person_with_session("mo", Some(org.team), "member").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let admin = Browser::from_api(&api, &admin);
    let options = Browser::from_api(&api, &member).get_htmx("/people/options?q=DAN").await;
    let text = options.expect(200);
    assert!(text.contains("<option value=\"Person dana &#60;dana@example.com&#62;\">"), "{text}");
    assert!(!text.contains("eli@example.com"), "{text}");
    let by_email = admin.get("/settings/people?q=eli%40").await;
    assert!(
        by_email.expect(200).contains("eli@example.com") && !by_email.text.contains("dana@example.com"),
        "{}",
        by_email.text
    );

    // Role changed, then deactivated: logged out; reactivated.
    let person = org.api.get(&format!("/api/v1/people/{mo}")).await.expect(200);
    let version = person["version"].as_i64().unwrap().to_string();
    let team = org.team.to_string();
    let fields = [
        ("version", version.as_str()),
        ("name", "Mo"),
        ("email", "mo@example.com"),
        ("role", "editor"),
        ("team_id", team.as_str()),
    ];
    assert_eq!(admin.post_form(&format!("/settings/people/{mo}"), &fields).await.status, 303);
    let person = org.api.get(&format!("/api/v1/people/{mo}")).await.expect(200);
    assert_eq!(person["role"], "editor");
    let version = person["version"].as_i64().unwrap().to_string();
    let off = admin
        .post_form(&format!("/settings/people/{mo}/archive"), &[("version", version.as_str()), ("archived", "true")])
        .await;
    assert_eq!(off.status, 303);
    assert_eq!(Browser::from_api(&api, &member).get("/").await.location(), "/login?next=%2F", "logged out");
    let page = admin.get("/settings/people").await;
    assert!(page.text.contains("Deactivated"), "{}", page.text);
    let reset = admin.post_form(&format!("/settings/people/{mo}/password"), &[("new_password", "short")]).await;
    assert_eq!(reset.status, 422);
    assert!(reset.text.contains("id=\"new_password-error\""), "{}", reset.text);
});

http_test!(owner_pickers_search_in_a_large_workspace_and_read_names_or_emails, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let (_, admin) = org.person_with_session("ada", None, "admin").await;
    let admin = Browser::from_api(&api, &admin);
    // A small workspace keeps its selects.
    assert!(admin.get("/objectives/new").await.text.contains("<select id=\"owner\""));
    for n in 0..25 {
        org.api.person(&format!("person{n:02}"), Some(org.team), "member").await;
    }
    let form = admin.get("/objectives/new").await;
    let text = form.expect(200);
    assert!(text.contains("<input id=\"owner\" name=\"owner\" list=\"owner-options\""), "{text}");
    assert!(text.contains("id=\"kr-0-owner\" name=\"key_results.0.owner\" list=\"kr-0-owner-options\""), "{text}");
    assert!(text.contains("hx-get=\"/people/options\""), "{text}");
    assert!(text.matches("<option value=\"person").count() <= 20 * 4, "the lists offer 20 each, not everyone: {text}");
    let options = admin.get_htmx("/people/options?owner=person1").await;
    let text = options.expect(200);
    assert_eq!(text.matches("<option").count(), 10, "person10 … person19: {text}");
    let options = admin.get_htmx("/people/options?teams=1&owner=plat").await;
    assert!(options.text.contains("platform (team)"), "{}", options.text);

    // Typed as the list writes them, as an email, or a team: read back.
    let cycle = org.cycle.to_string();
    let fields = [
        ("title", "Searchable owners"),
        ("cycle_id", cycle.as_str()),
        ("owner", "platform (team)"),
        ("commitment", "committed"),
        ("visibility", "workspace"),
        ("key_results.0.title", "Increase owners found from 1 to 5"),
        ("key_results.0.owner", "Person person07 <person07@example.com>"),
        ("key_results.1.title", "Increase searches from 0 to 9"),
        ("key_results.1.owner", "DANA@example.com"),
    ];
    let made = admin.post_form("/objectives/new", &fields).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let objective_id = made.location().trim_start_matches("/objectives/").to_owned();
    let objective = org.api.get(&format!("/api/v1/objectives/{objective_id}")).await.expect(200);
    assert_eq!(objective["owner_team_id"], org.team);
    let person07 = org.api.get("/api/v1/people?limit=100").await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "person07")
        .map(id)
        .unwrap();
    let owners: Vec<i64> =
        objective["key_results"].as_array().unwrap().iter().map(|k| k["owner_person_id"].as_i64().unwrap()).collect();
    assert_eq!(owners, [person07, org.dana]);

    // Nobody by that name: refused at the field, nothing written.
    let unknown = [
        ("title", "Nobody owns this"),
        ("cycle_id", cycle.as_str()),
        ("owner", "Zed Nobody"),
        ("key_results.0.title", "Increase x from 1 to 5"),
        ("key_results.0.owner", "ghost@example.com"),
    ];
    let refused = admin.post_form("/objectives/new", &unknown).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert!(
        refused.text.contains("id=\"owner-error\"") && refused.text.contains("id=\"kr-0-owner-error\""),
        "{}",
        refused.text
    );
    assert!(refused.text.contains("value=\"Zed Nobody\""), "what was typed stays: {}", refused.text);

    // The key result's own form shows its owner by name and email.
    let key_result = objective["key_results"][0]["id"].as_i64().unwrap();
    let edit = admin.get(&format!("/key-results/{key_result}/edit")).await;
    assert!(edit.expect(200).contains("value=\"Person person07 &#60;person07@example.com&#62;\""), "{}", edit.text);
});

http_test!(two_set_ups_at_once_with_one_code_make_one_workspace, |api: Api| async move {
    let code = api.app().first_run().issue_code().await.unwrap().unwrap();
    let second_code = api.app().first_run().issue_code().await.unwrap().unwrap();
    let browser = Browser::anonymous(&api);
    let first = with(&set_up_fields(&code), &[("name", "First Co")]);
    let second = with(&set_up_fields(&second_code), &[("name", "Second Co")]);
    let (first_fields, second_fields) = (pairs(&first), pairs(&second));
    let (a, b) = tokio::join!(browser.post_form("/setup", &first_fields), browser.post_form("/setup", &second_fields));
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 303, "one set-up is made: {} / {}", a.text, b.text);
    assert!(statuses[1] == 409 || statuses[1] == 422, "the other is refused: {} / {}", a.text, b.text);
    assert_eq!(workspace_count(&api).await, 1);
    // Both codes are used now.
    let again = browser.post_form("/setup", &pairs(&with(&first, &[("name", "Third Co")]))).await;
    assert_eq!(again.status, 409, "{}", again.text);
});
