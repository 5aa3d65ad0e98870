//! The webhook client: posts the app's signed webhook requests with reqwest, within the
//! operator's rules about where (`MILEPOST_WEBHOOK_URLS`).
//!
//! Any `http` or `https` URL whose host is a public address may be a webhook. A
//! loopback, private, link-local or otherwise internal address (or `localhost`) is
//! refused unless the URL is under one of the operator's prefixes (compared as
//! [`http_url_allowed`] does: scheme, host, port and path, parsed); cloud metadata
//! addresses are refused whatever the list says. The rule is judged on the parsed URL
//! when an admin saves a webhook, and again at each send on the addresses the host
//! resolves to then, and the request goes to exactly those addresses (so a name that
//! changes its answer between the check and the connection cannot slip through).
//! Redirects are not followed, and no proxy stands between: the check would not hold.

use crate::http_url_allowed;
use milepost_app::webhook::{BoxFuture, Outgoing, WebhookSender};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The variable an operator lists, comma-separated, the URL prefixes of internal
/// addresses that webhooks may post to (`http://chat.internal:8080/hooks/`).
pub const WEBHOOK_URLS_ENV: &str = "MILEPOST_WEBHOOK_URLS";

/// How long one post may take in all.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Host names of cloud metadata services.
const METADATA_HOSTS: [&str; 3] = ["metadata.google.internal", "metadata.goog", "metadata"];

/// Posts webhooks within the operator's rules; see the module's documentation.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    /// The prefixes internal URLs may have (`MILEPOST_WEBHOOK_URLS`).
    allowed: Vec<String>,
}

impl WebhookClient {
    /// A client allowing, beside public addresses, the internal URLs under `allowed`.
    pub fn new(allowed: Vec<String>) -> WebhookClient {
        WebhookClient { allowed: allowed.into_iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect() }
    }

    /// [`WebhookClient::new`], as the app holds it.
    pub fn shared(allowed: Vec<String>) -> Arc<dyn WebhookSender> {
        Arc::new(WebhookClient::new(allowed))
    }

    fn listed(&self, url: &reqwest::Url) -> bool {
        http_url_allowed(&self.allowed, url)
    }

    fn internal_refusal(&self, shown: &str, what: &str) -> String {
        format!(
            "{shown} is {what}: webhooks post to public addresses, and to internal ones only under a URL the \
             operator allows ({WEBHOOK_URLS_ENV}, comma-separated URL prefixes, set where milepost serve runs)"
        )
    }
}

/// Where a URL points, as shown in messages: its origin only, since a webhook URL's
/// path often holds a secret (Slack's do).
fn origin(url: &reqwest::Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether `ip` is a cloud metadata service's address.
fn is_metadata(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4 == Ipv4Addr::new(169, 254, 169, 254)
                || v4 == Ipv4Addr::new(169, 254, 170, 2)
                || v4 == Ipv4Addr::new(100, 100, 100, 200)
        }
        IpAddr::V6(v6) => {
            v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
                || v6.to_ipv4_mapped().is_some_and(|v4| is_metadata(v4.into()))
        }
    }
}

/// Whether `ip` is not a public address: loopback, private, link-local, shared
/// (100.64/10), unspecified, broadcast, multicast, documentation, unique-local.
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(v4.into());
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// The host as an address, when it is written as one.
fn literal(url: &reqwest::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(v4.into()),
        url::Host::Ipv6(v6) => Some(v6.into()),
        url::Host::Domain(_) => None,
    }
}

impl WebhookClient {
    /// The rule on the parsed URL alone (no name resolved).
    fn judge(&self, url: &reqwest::Url) -> Result<(), String> {
        let shown = origin(url);
        let host = url.host_str().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
        if !matches!(url.scheme(), "http" | "https") || host.is_empty() {
            return Err(format!("{shown} is not an http or https URL with a host"));
        }
        if METADATA_HOSTS.contains(&host.as_str()) || literal(url).is_some_and(is_metadata) {
            return Err(format!("{shown} is a cloud metadata service, which no webhook may reach"));
        }
        if self.listed(url) {
            return Ok(());
        }
        if host == "localhost" || host.ends_with(".localhost") {
            return Err(self.internal_refusal(&shown, "this machine"));
        }
        if literal(url).is_some_and(is_internal) {
            return Err(self.internal_refusal(&shown, "an internal address (loopback, private or link-local)"));
        }
        Ok(())
    }

    /// The addresses to connect to, each judged: the rule at send time.
    async fn resolve(&self, url: &reqwest::Url) -> Result<Vec<SocketAddr>, String> {
        let shown = origin(url);
        let port = url.port_or_known_default().unwrap_or(80);
        let host = url.host_str().unwrap_or_default();
        let addresses: Vec<SocketAddr> = match literal(url) {
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("could not find the address of {shown}: {e}"))?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(format!("{shown} has no address"));
        }
        if addresses.iter().any(|a| is_metadata(a.ip())) {
            return Err(format!("{shown} resolves to a cloud metadata service, which no webhook may reach"));
        }
        if !self.listed(url) && addresses.iter().any(|a| is_internal(a.ip())) {
            return Err(self.internal_refusal(&shown, "resolved to an internal address"));
        }
        Ok(addresses)
    }
}

fn describe(error: &reqwest::Error, shown: &str) -> String {
    if error.is_timeout() {
        return format!("{shown} did not answer within {} s", SEND_TIMEOUT.as_secs());
    }
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return format!("could not connect to {shown}: connection refused");
        }
        cause = e.source();
    }
    format!("could not post to {shown}: {error}")
}

impl WebhookSender for WebhookClient {
    fn check(&self, url: &url::Url) -> Result<(), String> {
        self.judge(url)
    }

    fn send<'a>(&'a self, request: Outgoing<'a>) -> BoxFuture<'a, Result<u16, String>> {
        Box::pin(async move {
            let url = reqwest::Url::parse(request.url).map_err(|_| "the webhook's URL is not a URL".to_owned())?;
            self.judge(&url)?;
            let addresses = self.resolve(&url).await?;
            let shown = origin(&url);
            let mut builder = reqwest::Client::builder()
                .timeout(SEND_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("Milepost-Webhooks/", env!("CARGO_PKG_VERSION")));
            if let Some(host) = url.host_str()
                && literal(&url).is_none()
            {
                builder = builder.resolve_to_addrs(host, &addresses);
            }
            let client = builder.build().map_err(|e| format!("could not make an HTTP client: {e}"))?;
            let mut post = client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(request.body.to_owned());
            for (name, value) in &request.headers {
                post = post.header(*name, value);
            }
            let response = post.send().await.map_err(|e| describe(&e, &shown))?;
            Ok(response.status().as_u16())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(allowed: &[&str], url: &str) -> Result<(), String> {
        let client = WebhookClient::new(allowed.iter().map(|s| (*s).to_owned()).collect());
        client.judge(&reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn public_urls_pass_and_internal_ones_need_the_operator() {
        assert!(judged(&[], "https://hooks.slack.com/services/T0/B0/x").is_ok());
        assert!(judged(&[], "http://127.0.0.1:8080/h").unwrap_err().contains(WEBHOOK_URLS_ENV));
        assert!(judged(&[], "http://[::1]/h").is_err());
        assert!(judged(&[], "http://10.1.2.3/h").is_err());
        assert!(judged(&[], "http://192.168.0.1/h").is_err());
        assert!(judged(&[], "http://localhost:9000/h").is_err());
        assert!(judged(&[], "http://[::ffff:10.0.0.1]/h").is_err());
        assert!(judged(&["http://127.0.0.1:8080/"], "http://127.0.0.1:8080/h").is_ok());
        // Another port of the same host is another service.
        assert!(judged(&["http://127.0.0.1:8080/"], "http://127.0.0.1:8081/h").is_err());
    }

    #[test]
    fn cloud_metadata_is_refused_whatever_the_list_says() {
        let listed = ["http://169.254.169.254/"];
        assert!(judged(&listed, "http://169.254.169.254/latest/meta-data/").unwrap_err().contains("metadata"));
        assert!(judged(&[], "http://metadata.google.internal/computeMetadata/v1/").unwrap_err().contains("metadata"));
        assert!(judged(&[], "http://[fd00:ec2::254]/").unwrap_err().contains("metadata"));
    }

    #[test]
    fn messages_show_the_origin_not_the_secret_path() {
        let error = judged(&[], "http://127.0.0.1:8080/services/T0/SECRET").unwrap_err();
        assert!(!error.contains("SECRET"), "{error}");
    }
}
