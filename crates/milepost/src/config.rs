//! Configuration: flags over environment (`MILEPOST_…`) over `milepost.toml` over
//! defaults, one setting under the same name in each (`--data-dir`, `MILEPOST_DATA_DIR`,
//! `data_dir`). Errors name the source that held the bad value.

use anyhow::Context;
use figment2::Figment;
use figment2::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The settings of a Milepost process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The address to serve on.
    pub listen: SocketAddr,
    /// Where the SQLite database (and later backups) live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; the data directory's SQLite file when unset.
    pub database_url: Option<String>,
    /// `text` (default) or `json` logs.
    pub log_format: LogFormat,
    /// A PostgreSQL streaming replica of `database_url` that lag-tolerant reads go to.
    pub database_read_url: Option<String>,
    /// The bearer token a scraper must send to read `/metrics`; open when unset.
    pub metrics_token: Option<String>,
    /// The address people reach this installation at (`https://okr.example.com`), for
    /// the links in emails and calendar feeds.
    pub public_url: Option<String>,
    /// The SMTP server that sends reminder emails; no email is sent when unset.
    pub smtp_host: Option<String>,
    /// Its port; 587 for `starttls`, 465 for `tls`, 25 for `none` when unset.
    pub smtp_port: Option<u16>,
    /// `none`, `starttls` (default) or `tls`.
    pub smtp_tls: Option<String>,
    /// The SMTP login, if the server wants one.
    pub smtp_login: Option<String>,
    /// The SMTP password that goes with the login.
    pub smtp_password: Option<String>,
    /// The sender of Milepost's emails, `Milepost <okr@example.com>`.
    pub smtp_sender: Option<String>,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Lines for people.
    Text,
    /// One JSON object a line, for log collectors.
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("milepost-data"),
            database_url: None,
            log_format: LogFormat::Text,
            database_read_url: None,
            metrics_token: None,
            public_url: None,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: None,
            smtp_login: None,
            smtp_password: None,
            smtp_sender: None,
        }
    }
}

/// Settings given as flags; unset ones leave the lower sources in force.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Overrides {
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    /// `--database-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// `--database-read-url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_read_url: Option<String>,
}

/// The settings file read when `--config` is not given.
pub const DEFAULT_FILE: &str = "milepost.toml";

impl Config {
    /// Reads the configuration: `file` (or `milepost.toml` when it exists), then the
    /// environment, then the flags.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "the configuration file {} does not exist", path.display());
                figment = figment.merge(Toml::file(path).search(false));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_FILE).search(false)),
        }
        let figment = figment
            .merge(Env::prefixed("MILEPOST_").only(&[
                "listen",
                "data_dir",
                "database_url",
                "log_format",
                "database_read_url",
                "metrics_token",
                "public_url",
                "smtp_host",
                "smtp_port",
                "smtp_tls",
                "smtp_login",
                "smtp_password",
                "smtp_sender",
            ]))
            .merge(Serialized::defaults(overrides));
        figment
            .extract()
            .map_err(|error| anyhow::anyhow!("{}", describe(error)))
            .context("the configuration is not valid")
    }

    /// The SMTP settings, when an SMTP host is set; what is wrong with them otherwise.
    pub fn smtp(&self) -> anyhow::Result<Option<milepost_mail::SmtpSettings>> {
        let Some(host) = &self.smtp_host else { return Ok(None) };
        let tls: milepost_mail::TlsMode = match &self.smtp_tls {
            Some(mode) => mode.parse().map_err(|e: String| anyhow::anyhow!("smtp_tls: {e}"))?,
            None => milepost_mail::TlsMode::default(),
        };
        let port = self.smtp_port.unwrap_or(match tls {
            milepost_mail::TlsMode::None => 25,
            milepost_mail::TlsMode::StartTls => 587,
            milepost_mail::TlsMode::Tls => 465,
        });
        let sender = self.smtp_sender.clone().context("smtp_sender must be set when smtp_host is")?;
        Ok(Some(milepost_mail::SmtpSettings {
            host: host.clone(),
            port,
            tls,
            login: self.smtp_login.clone(),
            password: self.smtp_password.clone(),
            sender,
        }))
    }

    /// The database URL in force: the one given, or the data directory's SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("milepost.db").display()),
        }
    }
}

fn describe(error: figment2::Error) -> String {
    // figment names keys with their profile ("default.listen"); Milepost has no profiles.
    error.into_iter().map(|e| e.to_string().replace("for key \"default.", "for key \"")).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_locally_from_a_data_directory() {
        let config = Config::default();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://milepost-data/milepost.db");
    }

    #[test]
    fn a_missing_named_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/milepost.toml")), &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
