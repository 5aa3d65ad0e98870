//! Which requests may read from a PostgreSQL read replica (`MILEPOST_DATABASE_READ_URL`),
//! and how a person reads their own writes.
//!
//! Lag-tolerant reads are the `GET`s of the pages and API reads listed in
//! [`LAG_TOLERANT`]: dashboards, boards, lists, a cycle's and a KPI's pages, reports. Each
//! runs with its reads routed to the replica (`milepost_app::route`); everything else
//! (forms that are about to be sent back with a version, writes, sign-in, tokens, the
//! scheduler) reads from the primary. Who a token or session stands for is always read
//! from the primary.
//!
//! Read your writes: a request that changed data answers with the primary's write
//! position after its commit (an LSN), in the cookie [`COOKIE`] and the header
//! [`HEADER`]. A request that carries one (the cookie, which browsers send back, or the
//! header, which a script may) reads from the replica only once the replica has replayed
//! at least that far, and from the primary until then. So the writer sees their write at
//! once, wherever nginx sends the next request, and everyone else within the
//! replica's lag (milliseconds on a healthy standby).

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use milepost_app::route::{self, ReadRoute};

/// The cookie that carries the reader's last write position.
pub const COOKIE: &str = "milepost_read_after";
/// The header that carries it: sent in every answer to a write, and read on requests.
pub const HEADER: HeaderName = HeaderName::from_static("milepost-read-after");

/// How long the cookie lasts: far longer than a healthy replica lags.
const COOKIE_SECONDS: u32 = 3600;

/// The route patterns whose `GET` may read from the replica.
pub const LAG_TOLERANT: &[&str] = &[
    "/",
    "/alignment",
    "/alignment/teams/{id}",
    "/kpis",
    "/kpis/{id}",
    "/cycles",
    "/cycles/{id}",
    "/cycles/{id}/report.md",
    "/cycles/{id}/report.html",
    "/cycles/{id}/report.csv",
    "/cycles/{id}/report.json",
    "/objectives",
    "/objectives/{id}",
    "/key-results/at-risk",
    "/api/v1/objectives",
    "/api/v1/objectives/{id}",
    "/api/v1/key-results",
    "/api/v1/key-results/{id}",
    "/api/v1/key-results/{id}/check-ins",
    "/api/v1/kpis",
    "/api/v1/kpis/{id}",
    "/api/v1/kpis/{id}/series",
    "/api/v1/kpis/board",
    "/api/v1/cycles/{id}/report",
    "/api/v1/cycles/{id}/calibration",
];

/// The write position a request says its reader has written up to: the later of its
/// cookie's and its header's.
fn read_after(request: &Request) -> Option<u64> {
    let from_header = request.headers().get(&HEADER).and_then(|v| v.to_str().ok()).and_then(route::parse_lsn);
    let from_cookie = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .filter_map(|(_, value)| route::parse_lsn(&value.replace("%2F", "/")))
        .max();
    from_header.max(from_cookie)
}

/// The middleware: routes the request's reads, and hands a writer their position.
pub(crate) async fn route_reads(request: Request, next: Next) -> Response {
    let tolerant = matches!(*request.method(), Method::GET | Method::HEAD)
        && request.extensions().get::<MatchedPath>().is_some_and(|p| LAG_TOLERANT.contains(&p.as_str()));
    let read_route = if tolerant { ReadRoute::Replica { after: read_after(&request) } } else { ReadRoute::Primary };
    let (mut response, written) = route::scope(read_route, next.run(request)).await;
    if let Some(position) = written {
        let text = route::format_lsn(position);
        if let Ok(value) = HeaderValue::from_str(&text) {
            response.headers_mut().insert(HEADER, value);
        }
        let cookie =
            format!("{COOKIE}={}; Path=/; Max-Age={COOKIE_SECONDS}; HttpOnly; SameSite=Lax", text.replace('/', "%2F"));
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lag_tolerant_api_route_is_a_read_the_api_serves() {
        let (_, openapi) = crate::api::routes();
        for route in LAG_TOLERANT.iter().filter(|r| r.starts_with("/api/")) {
            let item = openapi.paths.paths.get(*route).unwrap_or_else(|| panic!("{route} is no API route"));
            assert!(item.get.is_some(), "{route} has no GET");
        }
    }

    #[test]
    fn the_later_of_cookie_and_header_wins() {
        let request = Request::builder()
            .header(header::COOKIE, format!("a=b; {COOKIE}=0%2F300"))
            .header(&HEADER, "0/200")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(read_after(&request), Some(0x300));
        let none = Request::builder()
            .header(header::COOKIE, format!("{COOKIE}=junk"))
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(read_after(&none), None);
    }
}
