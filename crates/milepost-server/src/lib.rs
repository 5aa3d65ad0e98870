//! Milepost's HTTP server: the JSON API under `/api/v1`, its OpenAPI document at
//! `/api/openapi.json`, `/healthz` and `/readyz`, and the web app (`ui`) at `/`.

pub mod api;
pub mod demo_ops;
pub mod extract;
pub mod metrics;
pub mod problem;
pub mod read_route;
pub mod scheduler;
pub mod ui;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use milepost_app::App;
use problem::ApiError;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The largest request body the API accepts.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// How long a request may take before it is answered with 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How a server is run beside its app: its metrics and who may read them, and the
/// demo's stand-in endpoint.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// The counters `/metrics` shows; share them with the [`scheduler::Scheduler`].
    pub metrics: metrics::Metrics,
    /// Who may read `/metrics`.
    pub metrics_access: metrics::MetricsAccess,
    /// `serve --demo`: the demo's metrics file, read by its stand-in ops endpoint
    /// ([`demo_ops`]).
    pub demo_metrics_file: Option<std::path::PathBuf>,
}

/// The whole HTTP application, ready to serve.
pub fn router(app: App) -> Router {
    router_with(app, ServeOptions::default())
}

/// The whole HTTP application as `options` say.
pub fn router_with(app: App, options: ServeOptions) -> Router {
    let extra = match &options.demo_metrics_file {
        Some(file) => demo_ops::routes(app.clone(), file.clone()),
        None => Router::new(),
    };
    let scrape = Router::new().route("/metrics", get(metrics::get_metrics)).with_state((
        app.clone(),
        options.metrics.clone(),
        options.metrics_access.clone(),
    ));
    let (api, openapi) = api::routes();
    let openapi = Arc::new(openapi);
    api.route(
        "/api/openapi.json",
        get(move || {
            let openapi = Arc::clone(&openapi);
            async move { extract::Json(openapi.as_ref().clone()) }
        }),
    )
    .route("/calendar/{file}", get(api::reminders::calendar_feed))
    .merge(ui::routes())
    .merge(extra)
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    .with_state(app)
    .merge(scrape)
    .layer(axum::middleware::from_fn(read_route::route_reads))
    .layer(DefaultBodyLimit::max(BODY_LIMIT))
    .layer(CatchPanicLayer::custom(on_panic))
    .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, REQUEST_TIMEOUT))
    .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
    ))
    .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
    .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
    .layer(PropagateRequestIdLayer::new(REQUEST_ID))
    .layer(axum::middleware::from_fn_with_state(options.metrics, metrics::track))
    .layer(
        TraceLayer::new_for_http()
            .make_span_with(request_span)
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
    )
    .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The span every line logged for a request is written in: its id (`x-request-id`, the
/// client's or a fresh UUID), method, route pattern and path (never the query, which
/// may carry a secret).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let route = request.extensions().get::<axum::extract::MatchedPath>().map_or("unmatched", |p| p.as_str());
    tracing::info_span!("request", request_id = %id, method = %request.method(), route, path = %request.uri().path())
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("there is nothing at {}", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

fn on_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ApiError::internal("a request handler panicked", &message).into_response()
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, ServeOptions::default(), shutdown).await
}

/// Serves like [`serve`], as `options` say.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: App,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = router_with(app, options).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}

/// Serves like [`serve`], with the demo's stand-in ops endpoint ([`demo_ops`]) besides,
/// reading its numbers from the demo's metrics file `metrics_file`: `serve --demo`.
pub async fn serve_demo(
    listener: tokio::net::TcpListener,
    app: App,
    metrics_file: std::path::PathBuf,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let options = ServeOptions { demo_metrics_file: Some(metrics_file), ..ServeOptions::default() };
    serve_with(listener, app, options, shutdown).await
}
