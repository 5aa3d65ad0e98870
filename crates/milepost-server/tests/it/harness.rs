//! The harness: starts the real server on `127.0.0.1:0` over a fresh database with a
//! fixed clock (which a test may move), and gives tests a small HTTP client ([`Api`])
//! that sends an API token or a session cookie, records each answer as a [`Reply`] and
//! builds the usual fixtures (workspace, teams, people, a cycle, people who log in).
//!
//! Workspaces and their first admin token are made in process, as the operator of an
//! installation makes them (`milepost workspace create`, `milepost token create`);
//! everything else goes through HTTP.

use jiff::{SignedDuration, Timestamp};
use milepost_app::App;
use milepost_app::access::NewApiToken;
use milepost_app::person::Role;
use milepost_app::workspace::NewWorkspace;
use milepost_sql::Store;
use milepost_sql::test_support::{postgres_store, postgres_url, sqlite_store};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, RequestBuilder};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The instant the server's clock is fixed at: the middle of the cycle [`Org`] makes
/// (2026-10-01 to 2026-12-31 is 92 days; 46 have passed), so its elapsed share is 0.5.
pub const NOW: &str = "2026-11-16T00:00:00Z";

/// The challenge every 401 answer carries.
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"milepost\"";

/// The security headers every response carries: (name, value).
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// The name of the session cookie `POST /api/v1/session` sets.
pub const SESSION_COOKIE: &str = "milepost_session";

/// An id that no test ever creates.
pub const GHOST: i64 = 987_654_321;

/// The fixed clock's instant.
pub fn now() -> Timestamp {
    NOW.parse().unwrap()
}

/// `NOW` shifted by `hours` (negative is earlier), as RFC 3339 text for a body.
pub fn at_hours(hours: i64) -> String {
    now().saturating_add(jiff::SignedDuration::from_hours(hours)).unwrap().to_string()
}

/// A server started for one test.
pub struct Server {
    /// A client of it, with no token yet.
    pub api: Api,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    store: Store,
}

/// Starts the real server on a random local port over `store`, with the clock fixed at
/// [`NOW`] (plus whatever [`Api::shift_clock`] adds).
pub async fn spawn_app(store: Store) -> Server {
    spawn_app_allowing(store, Vec::new()).await
}

/// The URL prefix every test server's HTTP sources may fetch: the discard port, where
/// nothing listens, for tests whose sources point at nothing.
pub const NOWHERE: &str = "http://127.0.0.1:9/";

/// [`spawn_app`], its KPI HTTP sources allowed to fetch URLs under `http_sources` (and
/// [`NOWHERE`]).
pub async fn spawn_app_allowing(store: Store, mut http_sources: Vec<String>) -> Server {
    http_sources.push(NOWHERE.to_owned());
    // Tests read SQL sources from their own files (in the temporary folder) and
    // schemas (on the test server, in a database that is not the server's own).
    // Port 1 of this machine, where nothing listens, for sources that point at nothing.
    let mut sql_sources =
        vec![format!("sqlite://{}/", std::env::temp_dir().display()), "postgres://127.0.0.1:1/".into()];
    sql_sources.extend(postgres_url().map(|url| postgres_server(&url)));
    spawn_app_with_sources(store, http_sources, sql_sources).await
}

/// The PostgreSQL server of `url`, as a SQL source entry that allows any database on it
/// as the same user.
pub fn postgres_server(url: &str) -> String {
    let mut server = reqwest::Url::parse(url).unwrap();
    server.set_path("/");
    server.set_query(None);
    server.to_string()
}

/// The KPI source reader `milepost serve` builds from these allow-lists (`sql_sources`
/// as `MILEPOST_SQL_SOURCES` holds them, `http_sources` as `MILEPOST_HTTP_SOURCES`), never
/// reading `store`, the server's own database.
pub fn sources(
    store: &Store,
    sql_sources: Vec<String>,
    http_sources: Vec<String>,
) -> Arc<dyn milepost_app::kpi::SourceReader> {
    milepost_sources::KpiSources::shared(sql_sources, http_sources, milepost_sources::OwnDatabase::of(store))
}

/// Starts the real server over `store` with exactly these allow-lists of KPI sources
/// (`sql_sources` as `MILEPOST_SQL_SOURCES` holds them), the clock fixed at [`NOW`].
pub async fn spawn_app_with_sources(store: Store, http_sources: Vec<String>, sql_sources: Vec<String>) -> Server {
    spawn_app_configured(store, http_sources, sql_sources, Vec::new()).await
}

/// [`spawn_app`], its webhooks allowed to post to internal URLs under `webhook_urls`
/// (as `MILEPOST_WEBHOOK_URLS` holds them) beside public addresses.
pub async fn spawn_app_with_webhooks(store: Store, webhook_urls: Vec<String>) -> Server {
    let sql_sources = vec![format!("sqlite://{}/", std::env::temp_dir().display()), "postgres://127.0.0.1:1/".into()];
    spawn_app_configured(store, vec![NOWHERE.to_owned()], sql_sources, webhook_urls).await
}

/// Starts the real server over `store` with these allow-lists of KPI sources and of
/// webhook URLs, the clock fixed at [`NOW`]: what `milepost serve` builds from the
/// operator's settings.
pub async fn spawn_app_configured(
    store: Store,
    http_sources: Vec<String>,
    sql_sources: Vec<String>,
    webhook_urls: Vec<String>,
) -> Server {
    let fixed = now();
    let offset = Arc::new(AtomicI64::new(0));
    let shift = Arc::clone(&offset);
    let clock = move || {
        let seconds = shift.load(Ordering::SeqCst);
        fixed.saturating_add(SignedDuration::from_secs(seconds)).unwrap()
    };
    let app = App::with_clock(store.clone().into_database(), Arc::new(clock));
    let app = app
        .with_sources(sources(&store, sql_sources, http_sources))
        .with_webhook_sender(milepost_sources::WebhookClient::shared(webhook_urls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stop) = oneshot::channel::<()>();
    let task = tokio::spawn(milepost_server::serve(listener, app.clone(), async move {
        let _ = stop.await;
    }));
    // No proxy: a proxy set in the environment must not stand between the test and
    // the server it started.
    let client = Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
    let api = Api { base, client, token: None, cookie: None, app, clock_offset: offset, store: store.clone() };
    Server { api, shutdown, task, store }
}

impl Server {
    /// Stops the server gracefully and closes the database.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        self.task.await.unwrap().unwrap();
        self.store.close().await;
    }
}

async fn run<F, Fut>(store: Store, body: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    let server = spawn_app(store).await;
    body(server.api.clone()).await;
    server.stop().await;
}

/// Runs `body` against a server on a fresh SQLite file (`postgres`: PostgreSQL schema,
/// or says why it cannot) whose KPI HTTP sources may fetch URLs under `http_sources`.
pub async fn on_store_allowing<F, Fut>(postgres: bool, http_sources: Vec<String>, body: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = if postgres {
        let Some(url) = postgres_url() else {
            eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
            return;
        };
        postgres_store(&url).await.unwrap().0
    } else {
        sqlite_store(dir.path()).await.unwrap()
    };
    let server = spawn_app_allowing(store, http_sources).await;
    body(server.api.clone()).await;
    server.stop().await;
}

/// Runs `body` against a server on a fresh SQLite file.
pub async fn on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = sqlite_store(dir.path()).await.unwrap();
    run(store, body).await;
}

/// Runs `body` against a server on a fresh PostgreSQL schema, or says why it cannot.
pub async fn on_postgres<F, Fut>(body: F)
where
    F: FnOnce(Api) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let (store, _) = postgres_store(&url).await.unwrap();
    run(store, body).await;
}

/// Starts two servers on one fresh PostgreSQL schema, as two app servers behind a load
/// balancer share one database; `None` (having said why) without PostgreSQL.
pub async fn two_servers_on_postgres() -> Option<(Server, Server)> {
    two_servers_on_postgres_allowing(Vec::new()).await
}

/// [`two_servers_on_postgres`], their KPI HTTP sources allowed under `http_sources`.
pub async fn two_servers_on_postgres_allowing(http_sources: Vec<String>) -> Option<(Server, Server)> {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return None;
    };
    let (store, schema_url) = postgres_store(&url).await.unwrap();
    let first = spawn_app_allowing(store, http_sources.clone()).await;
    // A second pool of its own on the URL that reaches the same schema.
    let second = spawn_app_allowing(Store::connect(&schema_url).await.unwrap(), http_sources).await;
    Some((first, second))
}

/// A client of the server under test, optionally sending an API token (and so acting
/// in the token's workspace with the token's role) or a session cookie (and so acting
/// as the person logged in).
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    client: Client,
    token: Option<String>,
    /// The session cookie's value, sent as `Cookie: milepost_session=<value>`. The
    /// cookie is `Secure` and the test server speaks plain HTTP, so no cookie store
    /// would send it: the client sends it by hand.
    cookie: Option<String>,
    /// The server's app, for what only the operator does: making workspaces.
    app: App,
    /// Seconds the server's clock stands after [`NOW`].
    clock_offset: Arc<AtomicI64>,
    /// The server's database, only to take it away ([`Api::close_database`]).
    store: Store,
}

/// One answer of the server, read in full.
#[derive(Debug)]
pub struct Reply {
    /// What was asked: `POST /api/v1/teams`.
    pub request: String,
    /// The status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub text: String,
    /// The body as JSON (`null` when it is not JSON).
    pub body: Value,
}

impl Api {
    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// This client, sending `token` as `Authorization: Bearer <token>` (and no cookie).
    pub fn with_token(&self, token: &str) -> Api {
        Api { token: Some(token.to_owned()), cookie: None, ..self.clone() }
    }

    /// This client, sending neither a token nor a session cookie.
    pub fn without_token(&self) -> Api {
        Api { token: None, cookie: None, ..self.clone() }
    }

    /// This client, sending the session cookie `cookie` (and no token).
    pub fn with_session(&self, cookie: &str) -> Api {
        Api { token: None, cookie: Some(cookie.to_owned()), ..self.clone() }
    }

    /// The session cookie this client sends.
    #[track_caller]
    pub fn session(&self) -> &str {
        self.cookie.as_deref().expect("this client sends no session cookie")
    }

    /// The token this client sends.
    #[track_caller]
    pub fn token(&self) -> &str {
        self.token.as_deref().expect("this client sends no token")
    }

    /// The app the server runs, for what no HTTP request does (the scheduler's pass).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The server's own database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates an objective as [`Api::objective`] does, with the clock an hour before
    /// the cycle [`Org`] makes begins (planned ahead), then puts the clock back: its key
    /// results are paced from the cycle's start, so at [`NOW`] half the cycle's pace is
    /// expected of them (one added mid-cycle is paced from the day it was added).
    pub async fn objective_planned(&self, body: Value) -> Value {
        let before = self.clock_offset.load(Ordering::SeqCst);
        // 2026-10-01T00:00Z, the cycle's first instant, is 46 days before NOW.
        self.shift_clock(SignedDuration::from_hours(-46 * 24 - 1));
        let created = self.objective(body).await;
        self.clock_offset.store(before, Ordering::SeqCst);
        created
    }

    /// Moves the server's clock to [`NOW`] + `by` (negative is earlier); `ZERO` puts it back.
    pub fn shift_clock(&self, by: SignedDuration) {
        self.clock_offset.store(by.as_secs(), Ordering::SeqCst);
    }

    /// Closes the server's database connections under it, as an outage would.
    pub async fn close_database(&self) {
        self.store.close().await;
    }

    /// A request with the token or the session cookie (when there is one), ready for more.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        let builder = match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        };
        match &self.cookie {
            Some(cookie) => builder.header("cookie", format!("{SESSION_COOKIE}={cookie}")),
            None => builder,
        }
    }

    /// Sends a request and reads its answer; `request` names it in failure messages.
    pub async fn send(request: String, builder: RequestBuilder) -> Reply {
        let response = builder.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { request, status, headers, text, body }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Reply {
        Api::send(format!("GET {path}"), self.request(Method::GET, path)).await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Api::send(format!("POST {path}"), self.request(Method::POST, path).json(&body)).await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        Api::send(format!("PATCH {path}"), self.request(Method::PATCH, path).json(&body)).await
    }

    /// `PUT path` with a JSON body.
    pub async fn put_json(&self, path: &str, body: Value) -> Reply {
        Api::send(format!("PUT {path}"), self.request(Method::PUT, path).json(&body)).await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Reply {
        Api::send(format!("DELETE {path}"), self.request(Method::DELETE, path)).await
    }

    /// `POST path` with `body` sent as is, under `content_type` (none when `None`).
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> Reply {
        let builder = self.request(Method::POST, path).body(body);
        let builder = match content_type {
            Some(content_type) => builder.header("content-type", content_type),
            None => builder,
        };
        Api::send(format!("POST {path} ({content_type:?})"), builder).await
    }

    /// Creates a workspace and its first admin token in process, as the operator does,
    /// and returns a client sending that token.
    pub async fn new_workspace(&self, slug: &str) -> Api {
        let new = NewWorkspace { slug: Some(slug.to_owned()), name: format!("Workspace {slug}") };
        let workspace = self.app.workspaces().create(new).await.unwrap();
        assert_eq!(workspace.slug, slug);
        let operator = self.app.workspaces().caller_for(&workspace);
        let new = NewApiToken { name: None, role: Role::Admin, expires_in_days: None };
        let created = self.app.access().create_token(&operator, new).await.unwrap();
        self.with_token(&created.token)
    }

    /// `POST /api/v1/session` with these credentials, sending whatever this client sends.
    pub async fn log_in_reply(&self, workspace: &str, email: &str, password: &str) -> Reply {
        self.post("/api/v1/session", json!({"workspace": workspace, "email": email, "password": password})).await
    }

    /// Logs in and returns a client sending the session cookie the server set.
    pub async fn log_in(&self, workspace: &str, email: &str, password: &str) -> Api {
        let reply = self.without_token().log_in_reply(workspace, email, password).await;
        let cookie = reply.session_cookie().unwrap_or_else(|| panic!("no session cookie: {}", reply.text));
        reply.expect(200);
        self.with_session(&cookie)
    }

    /// Sets `person`'s password through the API with this (admin) client.
    pub async fn give_password(&self, person: i64, password: &str) {
        self.post(&format!("/api/v1/people/{person}/password"), json!({"password": password})).await.expect(204);
    }

    /// Makes a token through the API with this (admin) client; returns the answer,
    /// `{token, details}`.
    pub async fn create_token(&self, role: &str, expires_in_days: Option<u32>) -> Value {
        let body = json!({"name": format!("A {role} token"), "role": role, "expires_in_days": expires_in_days});
        self.post("/api/v1/tokens", body).await.expect(201)
    }

    /// A client in this client's workspace sending a new token with `role`.
    pub async fn as_role(&self, role: &str) -> Api {
        let created = self.create_token(role, None).await;
        self.with_token(created["token"].as_str().unwrap())
    }

    /// A client sending a token of this workspace that expired a day ago: made with
    /// the clock two days back, to live one day.
    pub async fn expired(&self, role: &str) -> Api {
        self.shift_clock(SignedDuration::from_hours(-48));
        let created = self.create_token(role, Some(1)).await;
        self.shift_clock(SignedDuration::ZERO);
        self.with_token(created["token"].as_str().unwrap())
    }

    /// The id of the token this client sends, as `admin` (of its workspace) lists it.
    pub async fn token_id(&self, admin: &Api) -> i64 {
        let prefix: String = self.token().chars().take(11).collect();
        let tokens = admin.get("/api/v1/tokens").await.expect(200);
        let found = tokens.as_array().unwrap().iter().find(|t| t["prefix"] == prefix.as_str());
        found.map(id).unwrap_or_else(|| panic!("no token with the prefix {prefix} in {tokens}"))
    }

    /// A client sending a token of this workspace that was revoked; returns it with
    /// the token's id.
    pub async fn revoked(&self, role: &str) -> (Api, i64) {
        let created = self.create_token(role, None).await;
        let token_id = id(&created["details"]);
        self.post(&format!("/api/v1/tokens/{token_id}/revoke"), json!({})).await.expect(200);
        (self.with_token(created["token"].as_str().unwrap()), token_id)
    }

    /// Creates a team and returns it.
    pub async fn team(&self, slug: &str, parent: Option<i64>) -> Value {
        self.post("/api/v1/teams", json!({"slug": slug, "name": format!("Team {slug}"), "parent_team_id": parent}))
            .await
            .expect(201)
    }

    /// Creates a person and returns them.
    pub async fn person(&self, handle: &str, team: Option<i64>, role: &str) -> Value {
        let body = json!({
            "handle": handle,
            "name": format!("Person {handle}"),
            "email": format!("{handle}@example.com"),
            "role": role,
            "team_id": team,
        });
        self.post("/api/v1/people", body).await.expect(201)
    }

    /// Creates a cycle and returns it.
    pub async fn cycle(&self, slug: &str, start: &str, end: &str, status: &str) -> Value {
        let body = json!({"slug": slug, "name": format!("Cycle {slug}"), "start_date": start, "end_date": end, "status": status});
        self.post("/api/v1/cycles", body).await.expect(201)
    }

    /// Creates an objective from `body` and returns it.
    pub async fn objective(&self, body: Value) -> Value {
        self.post("/api/v1/objectives", body).await.expect(201)
    }

    /// Checks in on a key result and returns the answer: `{check_in, key_result}`.
    pub async fn check_in(&self, key_result: i64, body: Value) -> Value {
        self.post(&format!("/api/v1/key-results/{key_result}/check-ins"), body).await.expect(201)
    }

    /// Walks a list from its first page to its last, `limit` at a time, and returns
    /// every item in the order served. `path` may already carry filters.
    pub async fn walk(&self, path: &str, limit: u32) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let page_path = match &cursor {
                Some(after) => format!("{path}{separator}limit={limit}&after={after}"),
                None => format!("{path}{separator}limit={limit}"),
            };
            let page = self.get(&page_path).await.expect(200);
            let batch = page["items"].as_array().unwrap();
            assert!(batch.len() <= limit as usize, "{page_path} gave {} items", batch.len());
            items.extend(batch.iter().cloned());
            match page.get("next_cursor").and_then(Value::as_str) {
                Some(next) => {
                    assert!(!batch.is_empty(), "{page_path}: a page with a next cursor must not be empty");
                    cursor = Some(next.to_owned());
                }
                None => return items,
            }
        }
        panic!("{path}: the cursor never ran out");
    }

    /// The ids of every item of a list, walked `limit` at a time.
    pub async fn walk_ids(&self, path: &str, limit: u32) -> Vec<i64> {
        self.walk(path, limit).await.iter().map(id).collect()
    }
}

impl Reply {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{} answered {}: {}", self.request, self.status, self.text);
        self.body
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` header of the answer, in order.
    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect()
    }

    /// The value the answer sets the session cookie to, when it sets it.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies().iter().find_map(|cookie| {
            let pair = cookie.split(';').next()?;
            let (name, value) = pair.split_once('=')?;
            (name.trim() == SESSION_COOKIE).then(|| value.trim().to_owned())
        })
    }

    /// Asserts that this is a problem document (RFC 9457) with `status` and `code`, as
    /// `application/problem+json`, with a sentence in `detail`; returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "{} answered {}: {}", self.request, self.status, self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}: {}", self.request, self.text);
        let body = &self.body;
        assert_eq!(body["code"], code, "{}: {}", self.request, self.text);
        assert_eq!(body["status"], status, "{}: {}", self.request, self.text);
        assert_eq!(body["type"], format!("/problems/{code}"), "{}: {}", self.request, self.text);
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{}: {}", self.request, self.text);
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.len() > 10, "{}: the detail should say what is wrong: {}", self.request, self.text);
        body
    }

    /// The problem's `detail`.
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }

    /// Every place named in the problem's `errors` under `key` (`pointer`,
    /// `parameter` or `header`), in order.
    pub fn locations(&self, key: &str) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e[key].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// The problem's body pointers, in order.
    pub fn pointers(&self) -> Vec<String> {
        self.locations("pointer")
    }

    /// Asserts a 422 `invalid` problem whose errors point exactly at `pointers`, each
    /// with its own sentence.
    #[track_caller]
    pub fn invalid_at(&self, pointers: &[&str]) {
        self.problem(422, "invalid");
        assert_eq!(self.pointers(), pointers, "{}: {}", self.request, self.text);
        for error in self.body["errors"].as_array().unwrap() {
            assert!(error["detail"].as_str().is_some_and(|d| d.len() > 5), "{}: {}", self.request, self.text);
        }
    }

    /// Asserts a 400 `bad_request` problem about the query or path parameter `name`.
    #[track_caller]
    pub fn bad_parameter(&self, name: &str) {
        self.problem(400, "bad_request");
        assert_eq!(self.locations("parameter"), [name], "{}: {}", self.request, self.text);
    }
}

/// The `id` of an object.
#[track_caller]
pub fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap_or_else(|| panic!("no id in {value}"))
}

/// Asserts that a JSON number is `expected`, to within rounding.
#[track_caller]
pub fn assert_close(actual: &Value, expected: f64) {
    let got = actual.as_f64().unwrap_or_else(|| panic!("{actual} is not a number (expected {expected})"));
    assert!((got - expected).abs() < 1e-9, "got {got}, expected {expected}");
}

/// The password the fixtures give the person with `handle`: long enough, and unlike
/// anyone else's.
pub fn password_of(handle: &str) -> String {
    format!("the password of {handle}")
}

/// A workspace with the usual furniture: a team tree (company → department → team),
/// two people, and the active cycle 2026-Q4 around [`NOW`].
#[derive(Debug, Clone)]
pub struct Org {
    /// A client sending the workspace's first admin token.
    pub api: Api,
    /// The workspace's slug.
    pub slug: String,
    /// The company team, root of the tree.
    pub company: i64,
    /// A department under the company.
    pub department: i64,
    /// A team under the department.
    pub team: i64,
    /// A person in the team, an editor.
    pub dana: i64,
    /// A person in the department, a member.
    pub eli: i64,
    /// The active cycle 2026-10-01 to 2026-12-31.
    pub cycle: i64,
}

impl Org {
    /// Creates the workspace `slug` and its furniture.
    pub async fn new(api: &Api, slug: &str) -> Org {
        let api = api.new_workspace(slug).await;
        let company = id(&api.team("company", None).await);
        let department = id(&api.team("engineering", Some(company)).await);
        let team = id(&api.team("platform", Some(department)).await);
        let dana = id(&api.person("dana", Some(team), "editor").await);
        let eli = id(&api.person("eli", Some(department), "member").await);
        let cycle = id(&api.cycle("2026-q4", "2026-10-01", "2026-12-31", "active").await);
        Org { api, slug: slug.to_owned(), company, department, team, dana, eli, cycle }
    }

    /// Adds a person with [`password_of`] their handle as password, logs them in, and
    /// returns their id and a client sending their session cookie.
    pub async fn person_with_session(&self, handle: &str, team: Option<i64>, role: &str) -> (i64, Api) {
        let person = id(&self.api.person(handle, team, role).await);
        self.api.give_password(person, &password_of(handle)).await;
        (person, self.log_in(handle).await)
    }

    /// Logs the person with `handle` in with [`password_of`] their handle.
    pub async fn log_in(&self, handle: &str) -> Api {
        self.api.log_in(&self.slug, &format!("{handle}@example.com"), &password_of(handle)).await
    }

    /// An increase key result body: from `start` to `target`.
    pub fn increase(title: &str, start: f64, target: f64) -> Value {
        json!({"title": title, "kind": "increase", "start": start, "target": target})
    }

    /// Creates an objective owned by `team` in the cycle, with `key_results`.
    pub async fn team_objective(&self, title: &str, team: i64, key_results: Value) -> Value {
        self.api
            .objective(
                json!({"cycle_id": self.cycle, "title": title, "owner_team_id": team, "key_results": key_results}),
            )
            .await
    }
}

/// A database on the test PostgreSQL server that is not the one test servers keep
/// their data in, for KPI SQL sources to read (Milepost's own database is never a
/// source); its URL, or `None` without PostgreSQL. Made once, shared by the tests,
/// each of which reads a schema of its own.
pub async fn postgres_source_database() -> Option<String> {
    use sqlx::{ConnectOptions, Connection};
    use std::str::FromStr;
    let url = postgres_url()?;
    let name = "milepost_kpi_sources";
    let mut conn = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    if !exists {
        // Two tests may race to make it; the loser's error changes nothing.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await;
    }
    conn.close().await.unwrap();
    Some(format!("{}{name}", postgres_server(&url)))
}
