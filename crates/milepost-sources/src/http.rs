//! HTTP sources: a PromQL instant query against a Prometheus-compatible API, or a JSON
//! document and a dotted path to the number in it; and the operator's rule for the
//! URLs they may fetch (`MILEPOST_HTTP_SOURCES`), compared as parsed URLs, redirects
//! included.

use crate::{RUN_TIMEOUT, numeric_text};
use jiff::Timestamp;
use milepost_app::kpi::source::redact;
use milepost_app::kpi::source_reader::HTTP_SOURCES_ENV;
use serde_json::Value;

/// Runs a PromQL instant query against the Prometheus API at `url`: the first sample's
/// value and time.
pub(crate) async fn read_prometheus(
    url: &str,
    query: &str,
    http_allowed: &[String],
) -> Result<(f64, Option<Timestamp>), String> {
    let endpoint = format!("{}/api/v1/query", url.trim_end_matches('/'));
    let answer = get_json(&endpoint, &[("query", query)], http_allowed).await?;
    prometheus_value(&answer).map(|(value, at)| (value, Some(at)))
}

/// Fetches the JSON document at `url`: the number at `path`.
pub(crate) async fn read_json(
    url: &str,
    path: &str,
    http_allowed: &[String],
) -> Result<(f64, Option<Timestamp>), String> {
    let answer = get_json(url, &[], http_allowed).await?;
    json_number(&answer, path).map(|value| (value, None))
}

/// GETs `url` with the query `query`: the JSON it answers. A redirect is followed only
/// to a URL under one of `http_allowed`.
async fn get_json(url: &str, query: &[(&str, &str)], http_allowed: &[String]) -> Result<Value, String> {
    let shown = redact(url);
    // A redirect is followed only to where a source could point itself: under an
    // allowed prefix (and at most a few times). Else the redirect is the answer, and
    // is reported below.
    let allowed = http_allowed.to_vec();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() < 5 && http_url_allowed(&allowed, attempt.url()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let client = reqwest::Client::builder()
        .timeout(RUN_TIMEOUT)
        .redirect(policy)
        .build()
        .map_err(|e| format!("could not make an HTTP client: {e}"))?;
    let mut target = reqwest::Url::parse(url).map_err(|_| format!("{shown} is not a URL"))?;
    if !query.is_empty() {
        target.query_pairs_mut().extend_pairs(query);
    }
    let response = client.get(target).send().await.map_err(|e| describe_http_error(&e, &shown))?;
    let status = response.status();
    if status.is_redirection() {
        let to = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("nowhere");
        return Err(format!(
            "{shown} redirected to {}, which is not under a URL the operator allows ({HTTP_SOURCES_ENV}); \
             the redirect was not followed",
            redact(to)
        ));
    }
    if !status.is_success() {
        return Err(format!("{shown} answered {status}"));
    }
    let bytes = response.bytes().await.map_err(|e| describe_http_error(&e, &shown))?;
    serde_json::from_slice(&bytes).map_err(|_| format!("{shown} did not answer JSON"))
}

fn describe_http_error(error: &reqwest::Error, shown: &str) -> String {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return format!("connection refused to {shown}");
        }
        cause = e.source();
    }
    if error.is_timeout() {
        format!("no answer from {shown} within {} s", RUN_TIMEOUT.as_secs())
    } else if error.is_connect() {
        format!("could not connect to {shown}")
    } else {
        format!("the request to {shown} failed: {error}")
    }
}

/// The first sample of a Prometheus instant-query answer: its value and time.
fn prometheus_value(answer: &Value) -> Result<(f64, Timestamp), String> {
    if answer["status"] != "success" {
        let error = answer["error"].as_str().unwrap_or("no reason given");
        return Err(format!("Prometheus refused the query: {error}"));
    }
    let data = &answer["data"];
    let sample = match data["resultType"].as_str() {
        Some("vector") => {
            let first = data["result"].get(0).ok_or_else(|| "the query returned no samples".to_owned())?;
            &first["value"]
        }
        Some("scalar") => &data["result"],
        Some(other) => return Err(format!("the query returned a {other}: write an instant vector or a scalar query")),
        None => return Err("Prometheus answered without a result type".to_owned()),
    };
    let seconds = sample[0].as_f64().ok_or_else(|| "the sample has no time".to_owned())?;
    let text = sample[1].as_str().ok_or_else(|| "the sample has no value".to_owned())?;
    let value = numeric_text(text, "the sample")?;
    let at = Timestamp::from_millisecond((seconds * 1000.0) as i64).map_err(|_| "the sample's time is out of range")?;
    Ok((value, at))
}

/// The number at a dotted path (`data.items.0.value`) in a JSON document.
fn json_number(document: &Value, path: &str) -> Result<f64, String> {
    let mut here = document;
    for segment in path.split('.') {
        let next = match here {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        here = next.ok_or_else(|| format!("no number at {path}: nothing at {segment:?}"))?;
    }
    match here {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("no number at {path}")),
        Value::String(text) => text.trim().parse::<f64>().map_err(|_| format!("no number at {path}: it is text")),
        Value::Null => Err(format!("no number at {path}: it is null")),
        Value::Bool(_) => Err(format!("no number at {path}: it is true or false")),
        Value::Array(_) => Err(format!("no number at {path}: it is a list")),
        Value::Object(_) => Err(format!("no number at {path}: it is an object")),
    }
}

/// Checks an operator's HTTP source prefix: an `http` or `https` URL with a host. The
/// error is a sentence naming it.
pub fn check_http_prefix(prefix: &str) -> Result<(), String> {
    match reqwest::Url::parse(prefix.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(()),
        Ok(_) => Err(format!("{:?} is not an http or https URL with a host", redact(prefix.trim()))),
        Err(_) => Err(format!("{:?} is not a URL: write it like http://prometheus:9090/", redact(prefix.trim()))),
    }
}

/// Whether `url` is under one of `prefixes`, compared as parsed, normalised URLs: the
/// same scheme, host and port (a default port written or not), and a path that is the
/// prefix's path or goes on from it at a `/`. So `http://prometheus:9090/` allows
/// `http://prometheus:9090/api/v1/query` but neither `http://prometheus:9090.evil.com/`
/// nor `http://prometheus:9090@evil/` (a user name and password before the host `evil`);
/// `https://m.example.com/ops` allows `/ops/x` but not `/opsx`; `…/ops/` allows `/ops`.
pub fn http_url_allowed(prefixes: &[String], url: &reqwest::Url) -> bool {
    prefixes.iter().filter_map(|p| reqwest::Url::parse(p.trim()).ok()).any(|prefix| {
        if prefix.scheme() != url.scheme()
            || prefix.host_str().is_none()
            || prefix.host_str() != url.host_str()
            || prefix.port_or_known_default() != url.port_or_known_default()
        {
            return false;
        }
        let (base, path) = (prefix.path(), url.path());
        // `/ops/` allows `/ops` too: the same folder, the way a Prometheus base URL is
        // written.
        path == base
            || path == base.trim_end_matches('/')
            || (path.starts_with(base) && (base.ends_with('/') || path[base.len()..].starts_with('/')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_walk_objects_and_arrays() {
        let doc = json!({"data": {"items": [{"value": 4.5}, {"value": "7"}]}});
        assert_eq!(json_number(&doc, "data.items.0.value"), Ok(4.5));
        assert_eq!(json_number(&doc, "data.items.1.value"), Ok(7.0));
        assert!(json_number(&doc, "data.value").unwrap_err().starts_with("no number at data.value"));
        assert!(json_number(&doc, "data.items").is_err());
    }

    #[test]
    fn prometheus_vectors_and_scalars() {
        let vector = json!({"status": "success", "data": {"resultType": "vector",
            "result": [{"metric": {}, "value": [1_700_000_000.5, "99.5"]}]}});
        let (value, at) = prometheus_value(&vector).unwrap();
        assert_eq!(value, 99.5);
        assert_eq!(at.as_millisecond(), 1_700_000_000_500);
        let scalar = json!({"status": "success", "data": {"resultType": "scalar", "result": [1.0, "3"]}});
        assert_eq!(prometheus_value(&scalar).unwrap().0, 3.0);
        let empty = json!({"status": "success", "data": {"resultType": "vector", "result": []}});
        assert_eq!(prometheus_value(&empty).unwrap_err(), "the query returned no samples");
    }

    #[test]
    fn http_prefixes_match_parsed_urls_not_text() {
        // A URL that does not parse (`prometheus:9090.evil.com` has no port) is refused.
        let allowed = |prefix: &str, url: &str| {
            reqwest::Url::parse(url).is_ok_and(|url| http_url_allowed(&[prefix.to_owned()], &url))
        };
        let prometheus = "http://prometheus:9090/";
        assert!(allowed(prometheus, "http://prometheus:9090/api/v1/query?query=up"));
        assert!(allowed(prometheus, "http://PROMETHEUS:9090/"));
        assert!(allowed("http://prometheus:9090", "http://prometheus:9090/x"));
        assert!(!allowed(prometheus, "http://prometheus:9090.evil.com/"));
        assert!(!allowed(prometheus, "http://prometheus:9090@evil/"));
        assert!(!allowed(prometheus, "http://prometheus.evil.com:9090/"));
        assert!(!allowed(prometheus, "http://prometheus:9090%2e.evil.com/"));
        assert!(!allowed(prometheus, "http://prometheus.evil.com:9090/"));
        assert!(!allowed(prometheus, "http://prometheus:9090%2e.evil.com/"));
        assert!(!allowed(prometheus, "http://prometheus:9091/"));
        assert!(!allowed(prometheus, "https://prometheus:9090/"));
        assert!(!allowed(prometheus, "http://prometheus/"), "another port: the default one");
        assert!(allowed("http://metrics.test/", "http://metrics.test:80/x"), "the default port written out");
        assert!(allowed("https://m.test/ops", "https://m.test/ops/status.json"));
        assert!(allowed("https://m.test/ops/", "https://m.test/ops/../ops/a"), "dot segments resolved first");
        assert!(!allowed("https://m.test/ops", "https://m.test/opsx"));
        assert!(allowed("https://m.test/ops/", "https://m.test/ops"));
        assert!(!allowed("https://m.test/ops/", "https://m.test/op"));
        assert!(!allowed("https://m.test/ops/", "https://m.test/ops/../admin"));
        assert!(!allowed("not a url", "http://169.254.169.254/latest/meta-data/"));
        assert!(!http_url_allowed(&[], &reqwest::Url::parse("http://169.254.169.254/").unwrap()));
        assert!(check_http_prefix("http://prometheus:9090/").is_ok());
        assert!(check_http_prefix("prometheus:9090").is_err());
        assert!(check_http_prefix("file:///etc/passwd").is_err());
    }
}
