//! What the web app's tests share: a [`Browser`] that speaks to the pages as a browser
//! does (a session cookie, form posts with `Sec-Fetch-Site`, redirects not followed so
//! that they can be checked), and [`seed`], a small workspace with an objective, its
//! key results, check-ins, an initiative and an aligned child.

use crate::harness::{Api, Org, id};
use reqwest::{Client, Method};
use serde_json::json;
use std::time::Duration;

/// The Content-Security-Policy of every page.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A browser: a session cookie (or none) and a client that does not follow redirects.
#[derive(Debug, Clone)]
pub struct Browser {
    api: Api,
    client: Client,
    cookie: Option<String>,
}

/// A page's answer.
#[derive(Debug)]
pub struct Page {
    /// What was asked.
    pub request: String,
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub text: String,
}

impl Page {
    /// A header's value, or empty.
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// Where a redirect points.
    pub fn location(&self) -> &str {
        self.header("location")
    }

    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &str {
        assert_eq!(self.status, status, "{} answered {}: {}", self.request, self.status, self.text);
        &self.text
    }

    /// The value the answer sets the session cookie to.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|cookie| {
            let (name, value) = cookie.split(';').next()?.split_once('=')?;
            (name.trim() == "milepost_session").then(|| value.trim().to_owned())
        })
    }
}

fn client() -> Client {
    Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

impl Browser {
    /// A browser with no session.
    pub fn anonymous(api: &Api) -> Browser {
        Browser { api: api.without_token(), client: client(), cookie: None }
    }

    /// A browser sending the session cookie `cookie`.
    pub fn with_cookie(api: &Api, cookie: &str) -> Browser {
        Browser { api: api.without_token(), client: client(), cookie: Some(cookie.to_owned()) }
    }

    /// A browser with the session of `person` (an [`Api`] sending a session cookie).
    pub fn from_api(api: &Api, person: &Api) -> Browser {
        Browser::with_cookie(api, person.session())
    }

    /// Like [`Browser::from_api`], for the tests that read better with `await`.
    pub async fn logged_in(api: &Api, person: &Api) -> Browser {
        Browser::from_api(api, person)
    }

    /// The JSON API with this browser's session.
    pub fn api(&self) -> Api {
        self.api.with_session(self.cookie.as_deref().unwrap_or_default())
    }

    async fn send(&self, request: String, builder: reqwest::RequestBuilder) -> Page {
        let builder = match &self.cookie {
            Some(cookie) => builder.header("cookie", format!("milepost_session={cookie}")),
            None => builder,
        };
        let response = builder.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Page { request, status, headers, text }
    }

    /// `GET path`, as a page load.
    pub async fn get(&self, path: &str) -> Page {
        let builder = self.client.get(self.api.url(path)).header("sec-fetch-site", "none");
        self.send(format!("GET {path}"), builder).await
    }

    /// `GET path`, as htmx asks for a fragment of the page.
    pub async fn get_htmx(&self, path: &str) -> Page {
        let builder =
            self.client.get(self.api.url(path)).header("sec-fetch-site", "same-origin").header("hx-request", "true");
        self.send(format!("GET {path} (htmx)"), builder).await
    }

    /// Posts a form from this site, as the browser does for a form of the page.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_form_with(path, fields, &[("sec-fetch-site", "same-origin")]).await
    }

    /// Posts a form with these request headers (and no other site header).
    pub async fn post_form_with(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut builder = self
            .client
            .request(Method::POST, self.api.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(format!("POST {path}"), builder).await
    }
}

/// The things [`seed`] made.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// mo, a member of the department, logged in.
    pub member: Api,
    /// mo's id.
    pub mo: i64,
    /// The company's objective "Grow the product".
    pub objective: i64,
    /// Its key result "Raise weekly active teams from 10 to 30", mo's, checked in at 20.
    pub on_track: i64,
    /// Its key result "Cut churn from 8% to 4%", mo's, checked in at 8: off track.
    pub lagging: i64,
    /// The platform team's objective aligned to it.
    pub child: i64,
}

/// A company objective with two key results owned by mo (a member), a check-in on each,
/// an initiative, and a team objective aligned to it.
pub async fn seed(org: &Org) -> Seeded {
    let (mo, member) = org.person_with_session("mo", Some(org.department), "member").await;
    let objective = org
        .api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Grow the product", "owner_team_id": org.company,
            "key_results": [
                {"title": "Raise weekly active teams from 10 to 30", "kind": "increase", "start": 10, "target": 30, "owner_person_id": mo},
                {"title": "Cut churn from 8% to 4%", "kind": "decrease", "start": 8, "target": 4, "unit": "%", "owner_person_id": mo},
            ],
        }))
        .await;
    let (on_track, lagging) = (id(&objective["key_results"][0]), id(&objective["key_results"][1]));
    org.api
        .check_in(on_track, json!({"value": 20, "confidence": 7, "note": "Onboarding emails went out", "blockers": "Waiting for the data team", "author_person_id": mo}))
        .await;
    org.api.check_in(lagging, json!({"value": 8, "confidence": 2, "note": "No change yet"})).await;
    org.api
        .post(
            "/api/v1/initiatives",
            json!({"title": "Write the onboarding guide", "key_result_ids": [on_track], "owner_person_id": mo}),
        )
        .await
        .expect(201);
    let child = org
        .api
        .objective(json!({
            "cycle_id": org.cycle, "title": "Team platform objective", "owner_team_id": org.team, "parent_objective_id": id(&objective),
            "key_results": [{"title": "Ship 3 integrations", "kind": "increase", "start": 0, "target": 3}],
        }))
        .await;
    Seeded { member, mo, objective: id(&objective), on_track, lagging, child: id(&child) }
}
