//! Webhooks, end to end: a real receiver (axum on a local port) that verifies each
//! signature with an HMAC-SHA256 computed here (on the hand-written SHA-256 of the token
//! tests, not the server's crates), fails its first attempts on purpose (a 500, then
//! nothing listening) and is restarted mid-run. Moving the server's clock makes the
//! retries come on schedule, with the same `webhook-id`; after the last one the delivery
//! is failed, shown with its error and log, and an admin retries it by hand. Bad input
//! gets a 422 at its field; only admins manage webhooks; a team-only objective's events
//! never leave; a restart of Milepost on the same database loses no queued delivery, a
//! crashed server's claim is taken again when its lease runs out,
//! and two servers on one PostgreSQL make each attempt once.

use crate::harness::{Api, GHOST, Org, Server, id, spawn_app_with_webhooks};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use jiff::SignedDuration;
use milepost_sql::Store;
use milepost_sql::test_support::{postgres_store, postgres_url, sqlite_store};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

// ---- an independent Standard Webhooks verifier -------------------------------------

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = BASE64.iter().position(|b| *b == c).expect("base64") as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

fn sha256(data: &[u8]) -> Vec<u8> {
    let hex = crate::tokens::sha256_hex(data);
    (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect()
}

/// HMAC-SHA256 (RFC 2104) of `message` keyed by `key` (at most 64 bytes).
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(sha256(&inner)).collect();
    sha256(&outer)
}

/// The signature a Standard Webhooks receiver expects for this message.
fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = base64_decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"));
    format!("v1,{}", base64_encode(&hmac_sha256(&key, format!("{id}.{timestamp}.{body}").as_bytes())))
}

#[test]
fn the_verifier_checks_the_standard_webhooks_reference_vector() {
    let signature = expected_signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        r#"{"test": 2432232314}"#,
    );
    assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

// ---- the receiver ------------------------------------------------------------------

/// One request the receiver took.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    verified: bool,
    body: Value,
}

#[derive(Debug, Default)]
struct Inbox {
    secret: Option<String>,
    /// Answer 500 to this many requests first.
    fail: usize,
    received: Vec<Received>,
}

/// A local webhook receiver that can be stopped and started again on its port.
struct Receiver {
    address: SocketAddr,
    inbox: Arc<Mutex<Inbox>>,
    running: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<()>)>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let mut receiver = Receiver { address, inbox: Arc::default(), running: None };
        receiver.serve(listener);
        receiver
    }

    fn url(&self) -> String {
        format!("http://{}/hook", self.address)
    }

    fn allowed(&self) -> String {
        format!("http://{}/", self.address)
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let inbox = Arc::clone(&self.inbox);
        let router = Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let inbox = Arc::clone(&inbox);
                async move {
                    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let (id, timestamp, signature) =
                        (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
                    let mut inbox = inbox.lock().unwrap();
                    let verified = inbox
                        .secret
                        .as_deref()
                        .is_some_and(|secret| expected_signature(secret, &id, &timestamp, &body) == signature);
                    inbox.received.push(Received {
                        id,
                        timestamp: timestamp.parse().unwrap_or(0),
                        verified,
                        body: serde_json::from_str(&body).unwrap_or(Value::Null),
                    });
                    if inbox.fail > 0 {
                        inbox.fail -= 1;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    if verified { StatusCode::NO_CONTENT } else { StatusCode::UNAUTHORIZED }
                }
            }),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        self.running = Some((stop, task));
    }

    /// Stops it: nothing listens on its port until [`Receiver::restart`].
    async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            task.await.unwrap();
        }
    }

    /// Starts it again on the same port.
    async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.address).await.unwrap();
        self.serve(listener);
    }

    fn verify_with(&self, secret: &str) {
        self.inbox.lock().unwrap().secret = Some(secret.to_owned());
    }

    fn fail_next(&self, count: usize) {
        self.inbox.lock().unwrap().fail = count;
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().received.clone()
    }
}

// ---- a server whose webhooks may reach the receiver, restartable ------------------

struct Env {
    server: Option<Server>,
    url: String,
    allowed: Vec<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Env {
    /// A fresh database (SQLite, or PostgreSQL with `postgres`; `None` without one)
    /// and a server on it whose webhooks may post under `allowed`.
    async fn start(postgres: bool, allowed: Vec<String>) -> Option<Env> {
        let (url, dir) = if postgres {
            let Some(server) = postgres_url() else {
                eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
                return None;
            };
            let (store, url) = postgres_store(&server).await.unwrap();
            store.close().await;
            (url, None)
        } else {
            let dir = tempfile::tempdir().unwrap();
            sqlite_store(dir.path()).await.unwrap().close().await;
            (format!("sqlite://{}", dir.path().join("milepost.db").display()), Some(dir))
        };
        let mut env = Env { server: None, url, allowed, _dir: dir };
        env.server = Some(env.spawn().await);
        Some(env)
    }

    async fn spawn(&self) -> Server {
        spawn_app_with_webhooks(Store::connect(&self.url).await.unwrap(), self.allowed.clone()).await
    }

    fn api(&self) -> Api {
        self.server.as_ref().unwrap().api.clone()
    }

    /// Stops the server and starts a new one on the same database, its clock where
    /// the old one's was: `client`, speaking to the new one.
    async fn restart(&mut self, client: &Api, clock: SignedDuration) -> Api {
        self.server.take().unwrap().stop().await;
        self.server = Some(self.spawn().await);
        let api = self.api();
        api.shift_clock(clock);
        api.with_token(client.token())
    }

    async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }
}

/// A test on SQLite and PostgreSQL with a receiver the server may post to.
macro_rules! webhook_test {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::with_receiver(false, super::$name).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::with_receiver(true, super::$name).await;
            }
        }
    };
}

async fn with_receiver<F, Fut>(postgres: bool, body: F)
where
    F: FnOnce(Env, Receiver) -> Fut,
    Fut: std::future::Future<Output = Env>,
{
    let receiver = Receiver::start().await;
    let Some(env) = Env::start(postgres, vec![receiver.allowed()]).await else { return };
    body(env, receiver).await.stop().await;
}

/// Creates a webhook for `events` at `url`: its id and secret.
async fn webhook(api: &Api, url: &str, events: &[&str]) -> (i64, String) {
    let created = api.post("/api/v1/webhooks", json!({"url": url, "events": events})).await.expect(201);
    (id(&created["webhook"]), created["secret"].as_str().unwrap().to_owned())
}

/// The webhook's deliveries, newest first.
async fn deliveries(api: &Api, webhook: i64) -> Vec<Value> {
    api.get(&format!("/api/v1/webhooks/{webhook}/deliveries")).await.expect(200).as_array().unwrap().clone()
}

async fn delivery(api: &Api, id: i64) -> Value {
    api.get(&format!("/api/v1/webhook-deliveries/{id}")).await.expect(200)
}

/// One pass of the delivery worker: how many attempts it made.
async fn work(api: &Api) -> usize {
    api.app().webhooks().deliver_due().await.unwrap()
}

/// Seconds from NOW to an RFC 3339 instant.
fn seconds_after_now(at: &Value) -> f64 {
    let at: jiff::Timestamp = at.as_str().unwrap().parse().unwrap();
    at.duration_since(crate::harness::now()).as_secs_f64()
}

fn workspace_objective(org: &Org, title: &str) -> Value {
    json!({"cycle_id": org.cycle, "title": title, "owner_team_id": org.team,
           "key_results": [Org::increase("Ship 10 things", 0.0, 10.0)]})
}

// ---- the tests ---------------------------------------------------------------------

async fn deliveries_are_signed_and_retried_on_schedule_through_a_receiver_restart(
    env: Env,
    mut receiver: Receiver,
) -> Env {
    let org = Org::new(&env.api(), "acme").await;
    let api = org.api.clone();
    let (hook, secret) = webhook(&api, &receiver.url(), &["objective.created", "check_in.created"]).await;
    assert!(secret.starts_with("whsec_"));
    let shown = api.get(&format!("/api/v1/webhooks/{hook}")).await.expect(200);
    assert!(!shown.to_string().contains(&secret[6..]), "the secret is shown once: {shown}");
    receiver.verify_with(&secret);
    receiver.fail_next(1);

    api.objective(workspace_objective(&org, "Make onboarding delightful")).await;
    let queued = deliveries(&api, hook).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!((queued[0]["status"].as_str(), queued[0]["attempts"].as_i64()), (Some("pending"), Some(0)));
    let delivery_id = id(&queued[0]);

    // Attempt 1: the receiver answers 500.
    assert_eq!(work(&api).await, 1);
    let after = delivery(&api, delivery_id).await;
    assert_eq!(after["status"], "pending");
    assert_eq!(after["last_error"], "the receiver answered 500");
    assert_eq!(after["log"][0]["status_code"], 500);
    let wait = seconds_after_now(&after["next_attempt_at"]);
    assert!((5.0..=6.0).contains(&wait), "the second attempt is due 5 s (plus jitter) later: {wait}");

    // Attempt 2: nothing listens. Not before its time, then at its time.
    receiver.stop().await;
    api.shift_clock(SignedDuration::from_secs(4));
    assert_eq!(work(&api).await, 0, "no attempt before it is due");
    api.shift_clock(SignedDuration::from_secs(6));
    assert_eq!(work(&api).await, 1);
    let after = delivery(&api, delivery_id).await;
    assert_eq!(after["attempts"], 2);
    assert!(after["last_error"].as_str().unwrap().contains("connection refused"), "{after}");
    assert_eq!(after["log"][1]["status_code"], Value::Null);
    let wait = seconds_after_now(&after["next_attempt_at"]) - 6.0;
    assert!((30.0..=36.0).contains(&wait), "the third attempt is due 30 s (plus jitter) later: {wait}");

    // Attempt 3: the receiver is back on its port and takes it.
    receiver.restart().await;
    api.shift_clock(SignedDuration::from_secs(6 + 36));
    assert_eq!(work(&api).await, 1);
    let after = delivery(&api, delivery_id).await;
    assert_eq!((after["status"].as_str(), after["attempts"].as_i64()), (Some("delivered"), Some(3)), "{after}");
    assert_eq!(after["next_attempt_at"], Value::Null);
    assert_eq!(after["log"][2]["status_code"], 204);
    assert_eq!(work(&api).await, 0, "a delivered message is not sent again");

    let received = receiver.received();
    assert_eq!(received.len(), 2, "the 500 and the success; the refused connection reached nobody");
    for request in &received {
        assert!(request.verified, "every request carries a valid signature: {request:?}");
        assert_eq!(request.id, after["message_id"].as_str().unwrap(), "the same webhook-id on every attempt");
    }
    let base = crate::harness::now().as_second();
    assert_eq!(received[0].timestamp, base, "webhook-timestamp is the attempt's time, by the server's clock");
    assert_eq!(received[1].timestamp, base + 42);
    let body = &received[1].body;
    assert_eq!(body["type"], "objective.created");
    assert_eq!(body["timestamp"], crate::harness::NOW);
    assert_eq!(body["data"]["objective"]["title"], "Make onboarding delightful");
    assert_eq!(body["text"], "New objective: *Make onboarding delightful*");
    assert_eq!(body["blocks"][0]["type"], "section");
    assert_eq!(body["blocks"][0]["text"]["text"], body["text"]);

    // "Send a test" posts a signed webhook.test now.
    let test = api.post(&format!("/api/v1/webhooks/{hook}/test"), json!({})).await.expect(200);
    assert_eq!((test["status"].as_str(), test["event_type"].as_str()), (Some("delivered"), Some("webhook.test")));
    let last = receiver.received().pop().unwrap();
    assert!(last.verified && last.body["type"] == "webhook.test", "{last:?}");
    env
}
webhook_test!(deliveries_are_signed_and_retried_on_schedule_through_a_receiver_restart);

async fn a_delivery_fails_after_the_last_retry_and_an_admin_retries_it(env: Env, receiver: Receiver) -> Env {
    let org = Org::new(&env.api(), "acme").await;
    let api = org.api.clone();
    let (hook, secret) = webhook(&api, &receiver.url(), &["check_in.created"]).await;
    receiver.verify_with(&secret);
    receiver.fail_next(usize::MAX);
    let objective = api.objective(workspace_objective(&org, "Grow")).await;
    let key_result = id(&objective["key_results"][0]);
    api.check_in(key_result, json!({"value": 3, "confidence": 7, "note": "three <shipped>"})).await;
    let delivery_id = id(&deliveries(&api, hook).await[0]);

    let schedule = [5.0, 30.0, 120.0, 600.0, 3600.0, 21_600.0, 43_200.0];
    let mut clock = 0.0;
    for attempt in 1..=8 {
        assert_eq!(work(&api).await, 1, "attempt {attempt}");
        let after = delivery(&api, delivery_id).await;
        assert_eq!(after["attempts"], attempt);
        if attempt == 8 {
            assert_eq!(after["status"], "failed", "{after}");
            break;
        }
        assert_eq!(after["status"], "pending");
        let due = seconds_after_now(&after["next_attempt_at"]);
        let step = schedule[attempt as usize - 1];
        assert!(due - clock >= step && due - clock <= step * 1.2 + 0.001, "attempt {attempt}: {due} - {clock}");
        clock = due.ceil();
        api.shift_clock(SignedDuration::from_secs(clock as i64));
    }
    let failed = delivery(&api, delivery_id).await;
    assert_eq!(failed["last_error"], "the receiver answered 500");
    assert_eq!(failed["log"].as_array().unwrap().len(), 8);
    assert_eq!(failed["next_attempt_at"], Value::Null);
    api.shift_clock(SignedDuration::from_hours(48));
    assert_eq!(work(&api).await, 0, "a failed delivery is not retried on its own");
    let listed = deliveries(&api, hook).await;
    assert_eq!(listed[0]["status"], "failed");
    assert_eq!(listed[0]["payload"]["data"]["check_in"]["note"], "three <shipped>");
    assert_eq!(listed[0]["payload"]["text"], "Check-in on *Ship 10 things*: 3, confidence 7/10: three &lt;shipped&gt;");

    // The receiver is fixed; an admin retries by hand: the same id, delivered.
    receiver.fail_next(0);
    let retried = api.post(&format!("/api/v1/webhook-deliveries/{delivery_id}/retry"), json!({})).await.expect(200);
    assert_eq!((retried["status"].as_str(), retried["attempts"].as_i64()), (Some("delivered"), Some(9)));
    let received = receiver.received();
    assert_eq!(received.len(), 9);
    assert!(received.iter().all(|r| r.verified && r.id == retried["message_id"].as_str().unwrap()));
    // Only a failed delivery is retried by hand.
    let again = api.post(&format!("/api/v1/webhook-deliveries/{delivery_id}/retry"), json!({})).await;
    again.problem(409, "delivery_not_failed");
    api.post(&format!("/api/v1/webhook-deliveries/{GHOST}/retry"), json!({})).await.problem(404, "not_found");
    env
}
webhook_test!(a_delivery_fails_after_the_last_retry_and_an_admin_retries_it);

async fn team_only_objectives_send_nothing_to_webhooks(env: Env, receiver: Receiver) -> Env {
    let org = Org::new(&env.api(), "acme").await;
    let api = org.api.clone();
    let (hook, secret) =
        webhook(&api, &receiver.url(), &["objective.created", "objective.archived", "check_in.created"]).await;
    receiver.verify_with(&secret);
    let secret_objective = api
        .objective(json!({"cycle_id": org.cycle, "title": "Acquire Initech quietly", "owner_team_id": org.team,
                          "visibility": "team", "key_results": [Org::increase("Sign 1 term sheet", 0.0, 1.0)]}))
        .await;
    api.check_in(id(&secret_objective["key_results"][0]), json!({"value": 1})).await;
    let path = format!("/api/v1/objectives/{}", id(&secret_objective));
    let version = api.get(&path).await.expect(200)["version"].clone();
    api.post(&format!("{path}/archive"), json!({"version": version})).await.expect(200);
    assert!(deliveries(&api, hook).await.is_empty(), "nothing about a team-only objective is queued");

    api.objective(workspace_objective(&org, "Open to all")).await;
    assert_eq!(work(&api).await, 1);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let text = received[0].body.to_string();
    assert!(text.contains("Open to all") && !text.contains("Initech") && !text.contains("term sheet"), "{text}");
    env
}
webhook_test!(team_only_objectives_send_nothing_to_webhooks);

async fn a_restart_loses_no_queued_delivery(mut env: Env, receiver: Receiver) -> Env {
    let org = Org::new(&env.api(), "acme").await;
    let (hook, secret) = webhook(&org.api, &receiver.url(), &["objective.created"]).await;
    receiver.verify_with(&secret);
    org.api.objective(workspace_objective(&org, "Survive restarts")).await;
    // A claim whose server dies before recording is taken again once its lease runs out.
    let queued = deliveries(&org.api, hook).await;
    assert_eq!(queued.len(), 1);

    let api = env.restart(&org.api, SignedDuration::from_secs(1)).await;
    assert_eq!(deliveries(&api, hook).await[0]["status"], "pending", "the queue survived the restart");
    assert_eq!(work(&api).await, 1);
    assert_eq!(deliveries(&api, hook).await[0]["status"], "delivered");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].verified && received[0].body["data"]["objective"]["title"] == "Survive restarts");
    env
}
webhook_test!(a_restart_loses_no_queued_delivery);

/// A server claims a delivery and dies before it posts: the claim holds for its lease,
/// then another worker takes it again and delivers it, with the same `webhook-id`.
#[expect(clippy::disallowed_methods, reason = "the test claims a row as a server that then dies would")]
async fn a_crashed_servers_claim_is_taken_again_when_its_lease_runs_out(env: Env, receiver: Receiver) -> Env {
    use milepost_store::Storage;
    let org = Org::new(&env.api(), "acme").await;
    let api = org.api.clone();
    let (hook, secret) = webhook(&api, &receiver.url(), &["objective.created"]).await;
    receiver.verify_with(&secret);
    api.objective(workspace_objective(&org, "Outlive a crash")).await;
    let queued = deliveries(&api, hook).await;
    let slug = org.api.app().workspaces().get(&org.slug).await.unwrap();
    let workspace = org.api.app().workspaces().caller_for(&slug).workspace;
    let now = crate::harness::now().as_millisecond();
    let mut tx = api.store().write().await.unwrap();
    let claimed = tx.claim_delivery(workspace, id(&queued[0]), now, now + 60_000, "a server that dies").await.unwrap();
    assert!(claimed.is_some(), "the dying server won the claim");
    tx.commit().await.unwrap();

    assert_eq!(work(&api).await, 0, "the claim holds while its lease runs");
    api.shift_clock(SignedDuration::from_secs(59));
    assert_eq!(work(&api).await, 0);
    api.shift_clock(SignedDuration::from_secs(60));
    assert_eq!(work(&api).await, 1, "the lease ran out: another worker takes it");
    let after = delivery(&api, id(&queued[0])).await;
    assert_eq!((after["status"].as_str(), after["attempts"].as_i64()), (Some("delivered"), Some(1)), "{after}");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].verified && received[0].id == queued[0]["message_id"].as_str().unwrap());
    env
}
webhook_test!(a_crashed_servers_claim_is_taken_again_when_its_lease_runs_out);

async fn bad_input_is_refused_at_its_field_and_only_admins_manage_webhooks(env: Env, receiver: Receiver) -> Env {
    let org = Org::new(&env.api(), "acme").await;
    let api = org.api.clone();
    let create = |body: Value| {
        let api = api.clone();
        async move { api.post("/api/v1/webhooks", body).await }
    };
    let events = json!(["objective.created"]);
    create(json!({"url": "not a url", "events": events})).await.invalid_at(&["/url"]);
    create(json!({"url": "ftp://example.com/h", "events": events})).await.invalid_at(&["/url"]);
    let loopback = create(json!({"url": "http://127.0.0.1:9/h", "events": events})).await;
    loopback.invalid_at(&["/url"]);
    assert!(loopback.text.contains("MILEPOST_WEBHOOK_URLS"), "{}", loopback.text);
    let metadata = create(json!({"url": "http://169.254.169.254/latest/meta-data/", "events": events})).await;
    metadata.invalid_at(&["/url"]);
    assert!(metadata.text.contains("metadata"), "{}", metadata.text);
    create(json!({"url": "http://u:p@hooks.example.com/h", "events": events})).await.invalid_at(&["/url"]);
    create(json!({"url": receiver.url(), "events": ["objective.created", "objective.deleted"]}))
        .await
        .invalid_at(&["/events/1"]);
    create(json!({"url": receiver.url(), "events": []})).await.invalid_at(&["/events"]);
    create(json!({"url": receiver.url(), "events": events, "secret": "hunter2"})).await.invalid_at(&["/secret"]);
    create(json!({"url": receiver.url(), "events": events, "secret": "whsec_c2hvcnQ="})).await.invalid_at(&["/secret"]);
    assert_eq!(create(json!({"url": receiver.url()})).await.status, 422);
    assert!(api.get("/api/v1/webhooks").await.expect(200).as_array().unwrap().is_empty(), "nothing was written");

    // A secret given is kept and used.
    let given = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let created = create(json!({"url": receiver.url(), "events": events, "secret": given, "description": "chat"}))
        .await
        .expect(201);
    assert_eq!(created["secret"], given);
    assert_eq!(created["webhook"]["secret_hint"], "whsec_MfKQ…");
    let hook = id(&created["webhook"]);
    let path = format!("/api/v1/webhooks/{hook}");
    receiver.verify_with(given);
    assert_eq!(api.post(&format!("{path}/test"), json!({})).await.expect(200)["status"], "delivered");

    // Changes: checked the same way, versions checked.
    api.patch(&path, json!({"version": 1, "url": "http://10.0.0.1/h"})).await.invalid_at(&["/url"]);
    api.patch(&path, json!({"version": 1, "events": ["nope"]})).await.invalid_at(&["/events/0"]);
    let off = api.patch(&path, json!({"version": 1, "enabled": false})).await.expect(200);
    assert_eq!((off["enabled"].as_bool(), off["version"].as_i64()), (Some(false), Some(2)));
    api.patch(&path, json!({"version": 1, "enabled": true})).await.problem(409, "stale_version");
    // A disabled webhook gets no new events.
    api.objective(workspace_objective(&org, "Quiet")).await;
    assert_eq!(deliveries(&api, hook).await.len(), 1, "only the test");

    // Only admins.
    for role in ["editor", "member", "viewer"] {
        let other = org.api.as_role(role).await;
        other.get("/api/v1/webhooks").await.problem(403, "forbidden");
        other
            .post("/api/v1/webhooks", json!({"url": receiver.url(), "events": events}))
            .await
            .problem(403, "forbidden");
        other.get(&path).await.problem(403, "forbidden");
        other.post(&format!("{path}/test"), json!({})).await.problem(403, "forbidden");
        other.get(&format!("{path}/deliveries")).await.problem(403, "forbidden");
    }
    // Another workspace sees none of it.
    let other = Org::new(&env.api(), "globex").await;
    other.api.get(&path).await.problem(404, "not_found");
    other.api.post(&format!("{path}/test"), json!({})).await.problem(404, "not_found");

    api.get(&format!("{path}/deliveries?limit=0")).await.bad_parameter("limit");
    assert_eq!(api.delete(&path).await.status, 204);
    api.get(&path).await.problem(404, "not_found");
    env
}
webhook_test!(bad_input_is_refused_at_its_field_and_only_admins_manage_webhooks);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_make_each_attempt_once() {
    let receiver = Receiver::start().await;
    let Some(env) = Env::start(true, vec![receiver.allowed()]).await else { return };
    let second = env.spawn().await;
    let org = Org::new(&env.api(), "acme").await;
    let (hook, secret) = webhook(&org.api, &receiver.url(), &["objective.created"]).await;
    receiver.verify_with(&secret);
    for n in 0..20 {
        org.api.objective(workspace_objective(&org, &format!("Objective {n}"))).await;
    }
    let (first, other) = (org.api.clone(), second.api.clone());
    let (a, b) = tokio::join!(work(&first), work(&other));
    assert_eq!(a + b, 20, "between them, one attempt per delivery");
    let received = receiver.received();
    let mut ids: Vec<_> = received.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((received.len(), ids.len()), (20, 20), "each message once");
    assert!(deliveries(&org.api, hook).await.iter().all(|d| d["status"] == "delivered"));
    second.stop().await;
    env.stop().await;
}
