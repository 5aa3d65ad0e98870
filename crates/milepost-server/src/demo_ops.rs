//! The demo's stand-in "ops" endpoint, mounted by `milepost serve --demo` only: Prometheus
//! and a JSON status endpoint cannot be assumed on a newcomer's machine, so the demo
//! server answers for them itself, from the demo's own metrics file
//! ([`milepost_demo::DEMO_METRICS_FILE`]), and two demo KPIs pull from it.
//!
//! - `GET /demo/ops/api/v1/query?query=...`: the Prometheus HTTP API's instant query,
//!   answering [`DEMO_PROMQL`] (the storefront's uptime in percent) with a one-sample
//!   vector; any other query is refused as Prometheus refuses a bad one.
//! - `GET /demo/ops/status.json`: a status document with the checkout's p95 latency at
//!   [`DEMO_JSON_PATH`].
//!
//! Both read the time from the app's clock, like everything else the server answers.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use milepost_app::App;
use milepost_demo::{DEMO_JSON_PATH, DEMO_PROMQL, read_demo_ops};
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the stand-in is mounted.
pub const PATH: &str = "/demo/ops";

/// The stand-in's base URL on a server bound to `address`: a server listening on all
/// addresses is reached on the loopback one.
pub fn base_url(address: SocketAddr) -> String {
    let host = match address.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_owned(),
        ip if ip.is_unspecified() => "[::1]".to_owned(),
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        std::net::IpAddr::V4(ip) => ip.to_string(),
    };
    format!("http://{host}:{}{PATH}/", address.port())
}

/// What the stand-in's handlers read: the app, for its clock, and the metrics file.
struct Stand {
    app: App,
    metrics_file: PathBuf,
}

/// The stand-in's routes, reading the metrics file `metrics_file` at the time by `app`'s
/// clock.
pub fn routes<S: Clone + Send + Sync + 'static>(app: App, metrics_file: PathBuf) -> Router<S> {
    Router::new()
        .route(&format!("{PATH}/api/v1/query"), get(query))
        .route(&format!("{PATH}/status.json"), get(status))
        .with_state(Arc::new(Stand { app, metrics_file }))
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    (status, crate::extract::Json(body)).into_response()
}

async fn query(State(stand): State<Arc<Stand>>, RawQuery(raw): RawQuery) -> Response {
    let asked = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "query")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if asked.trim() != DEMO_PROMQL {
        let error = format!("the demo's stand-in for Prometheus answers only the query {DEMO_PROMQL}");
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"status": "error", "errorType": "bad_data", "error": error}),
        );
    }
    let now = stand.app.now();
    match read_demo_ops(&stand.metrics_file, now).await {
        Ok(ops) => {
            let at = now.as_millisecond() as f64 / 1000.0;
            let sample = json!({"metric": {"job": "storefront"}, "value": [at, ops.uptime_pct.to_string()]});
            json_response(
                StatusCode::OK,
                json!({"status": "success", "data": {"resultType": "vector", "result": [sample]}}),
            )
        }
        Err(error) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "error", "errorType": "unavailable", "error": error}),
        ),
    }
}

async fn status(State(stand): State<Arc<Stand>>) -> Response {
    let now = stand.app.now();
    match read_demo_ops(&stand.metrics_file, now).await {
        Ok(ops) => json_response(
            StatusCode::OK,
            json!({
                "note": "the Milepost demo's stand-in for your JSON status endpoint",
                "measured_at": now.to_string(),
                "checkout": {"latency_p95_ms": ops.checkout_p95_ms, "path_of_this_number": DEMO_JSON_PATH},
            }),
        ),
        Err(error) => json_response(StatusCode::SERVICE_UNAVAILABLE, json!({"error": error})),
    }
}
