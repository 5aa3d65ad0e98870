//! The static files of the web app (`static/`: our CSS and JS, and the vendored htmx,
//! Pico CSS and uPlot), embedded in the binary in release builds and read from disk in
//! debug builds, so a stylesheet edit shows on reload.

use crate::problem::ApiError;
use axum::extract::RawPathParams;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "static/"]
struct Static;

fn media_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

/// `GET /static/{path}`: one embedded file.
pub async fn static_file(params: RawPathParams) -> Response {
    let path = params.iter().next().map(|(_, value)| value.to_owned()).unwrap_or_default();
    // The notes beside the vendored files are for people reading the repository.
    let Some(file) = Static::get(&path).filter(|_| !path.ends_with(".md")) else {
        return ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("there is nothing at /static/{path}"))
            .into_response();
    };
    let mut response = file.data.into_owned().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type(&path)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
