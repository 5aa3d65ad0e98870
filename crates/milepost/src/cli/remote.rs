//! Client mode: commands that take `--server URL --token T` talk to a running Milepost
//! over its JSON API instead of opening the database themselves.

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Where a remote Milepost is, and the token to act with.
#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// Talk to this Milepost server (`https://okrs.example.com`) instead of the local database.
    #[arg(long, value_name = "URL", requires = "token")]
    pub server: Option<String>,
    /// The API token to use with --server [env: MILEPOST_TOKEN].
    #[arg(long, value_name = "TOKEN", env = "MILEPOST_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// A connection to a server: its base URL and the token.
pub struct Remote {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl RemoteArgs {
    /// The remote server, when one is named.
    pub fn remote(&self) -> anyhow::Result<Option<Remote>> {
        let Some(server) = &self.server else { return Ok(None) };
        let token = self.token.clone().context("--server needs --token (or MILEPOST_TOKEN)")?;
        let client = reqwest::Client::builder()
            .user_agent(concat!("milepost-cli/", env!("CARGO_PKG_VERSION")))
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .context("could not set up the HTTP client")?;
        Ok(Some(Remote { base: server.trim_end_matches('/').to_owned(), token, client }))
    }
}

impl Remote {
    /// `GET path?query`, answered with JSON.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<T> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base), query)
            .with_context(|| format!("{} is not a server URL", self.base))?;
        self.send(self.client.get(url)).await
    }

    /// `POST path` with a JSON body, answered with JSON.
    pub async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> anyhow::Result<T> {
        let request = self.client.post(format!("{}{path}", self.base)).json(body);
        self.send(request).await
    }

    /// `PATCH path` with a JSON body, answered with JSON.
    pub async fn patch<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> anyhow::Result<T> {
        let request = self.client.patch(format!("{}{path}", self.base)).json(body);
        self.send(request).await
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> anyhow::Result<T> {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("could not reach the server at {}", self.base))?;
        let status = response.status();
        let bytes = response.bytes().await.context("the server's answer broke off")?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).context("the server's answer is not what this milepost expects");
        }
        anyhow::bail!("{}", problem_message(status, &bytes))
    }
}

/// A problem+json answer as a message for the command line, one line per problem.
fn problem_message(status: reqwest::StatusCode, body: &[u8]) -> String {
    let Ok(problem) = serde_json::from_slice::<serde_json::Value>(body) else {
        return format!("the server answered {status}");
    };
    let detail = problem.get("detail").and_then(|d| d.as_str()).unwrap_or("no detail given");
    let errors: Vec<String> = problem
        .get("errors")
        .and_then(|e| e.as_array())
        .map(|errors| {
            errors.iter().filter_map(|e| e.get("detail").and_then(|d| d.as_str())).map(|d| format!("  {d}")).collect()
        })
        .unwrap_or_default();
    match errors.as_slice() {
        [] => format!("{detail} ({status})"),
        [one] => one.trim_start().to_owned(),
        many => format!("{detail}:\n{}", many.join("\n")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_reads_as_its_details() {
        let body = br#"{"detail":"the request has 2 problems","errors":[{"pointer":"/a","detail":"x.md:3: one"},{"pointer":"/b","detail":"x.md:4: two"}]}"#;
        assert_eq!(
            problem_message(reqwest::StatusCode::UNPROCESSABLE_ENTITY, body),
            "the request has 2 problems:\n  x.md:3: one\n  x.md:4: two"
        );
        let one = br#"{"detail":"x.md:3: one","errors":[{"pointer":"/a","detail":"x.md:3: one"}]}"#;
        assert_eq!(problem_message(reqwest::StatusCode::UNPROCESSABLE_ENTITY, one), "x.md:3: one");
        assert_eq!(
            problem_message(reqwest::StatusCode::FORBIDDEN, br#"{"detail":"a viewer can read"}"#),
            "a viewer can read (403 Forbidden)"
        );
        assert_eq!(problem_message(reqwest::StatusCode::BAD_GATEWAY, b"<html>"), "the server answered 502 Bad Gateway");
    }
}
