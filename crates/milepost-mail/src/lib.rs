//! Email over SMTP for Milepost: [`SmtpMailer`] is the app's
//! [`Mailer`](milepost_app::mail::Mailer), built from the operator's settings
//! ([`SmtpSettings`]: host, port, TLS mode, login, password, sender) with lettre. Its
//! own crate so that the use cases need no mail client.

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use milepost_app::kpi::source_reader::BoxFuture;
use milepost_app::mail::{Email, Mailer};
use std::time::Duration;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain SMTP: only for a relay on the same machine or network.
    None,
    /// Plain SMTP upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl std::str::FromStr for TlsMode {
    type Err = String;

    fn from_str(text: &str) -> Result<TlsMode, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" => Ok(TlsMode::Tls),
            other => Err(format!("{other:?} is not a TLS mode: give none, starttls or tls")),
        }
    }
}

/// The operator's SMTP settings.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    /// The SMTP server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: TlsMode,
    /// The login, if the server wants one.
    pub login: Option<String>,
    /// The password that goes with the login.
    pub password: Option<String>,
    /// The sender, `Milepost <okr@example.com>` or an address alone.
    pub sender: String,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("login", &self.login)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("sender", &self.sender)
            .finish()
    }
}

/// Sends email over SMTP.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: Mailbox,
}

impl SmtpMailer {
    /// A mailer with `settings`, or what is wrong with them (the sender is not an
    /// address, the host does not suit TLS).
    pub fn new(settings: &SmtpSettings) -> Result<SmtpMailer, String> {
        let sender: Mailbox = settings
            .sender
            .parse()
            .map_err(|e| format!("the SMTP sender {:?} is not an address: {e}", settings.sender))?;
        let tls_parameters = || {
            TlsParameters::new(settings.host.clone())
                .map_err(|e| format!("the SMTP host {:?} cannot be used with TLS: {e}", settings.host))
        };
        let tls = match settings.tls {
            TlsMode::None => Tls::None,
            TlsMode::StartTls => Tls::Required(tls_parameters()?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)));
        if let Some(login) = &settings.login {
            builder =
                builder.credentials(Credentials::new(login.clone(), settings.password.clone().unwrap_or_default()));
        }
        Ok(SmtpMailer { transport: builder.build(), sender })
    }

    /// The same, shared, as the app holds it.
    pub fn shared(settings: &SmtpSettings) -> Result<std::sync::Arc<dyn Mailer>, String> {
        Ok(std::sync::Arc::new(SmtpMailer::new(settings)?))
    }

    fn message(&self, email: &Email) -> Result<Message, String> {
        let to = Mailbox::new(
            Some(email.to_name.clone()),
            email.to.parse().map_err(|e| format!("{:?} is not an email address: {e}", email.to))?,
        );
        Message::builder()
            .from(self.sender.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{}>", email.message_id)))
            .header(ContentType::TEXT_PLAIN)
            .body(email.text.clone())
            .map_err(|e| format!("the email could not be built: {e}"))
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let message = self.message(email)?;
            self.transport.send(message).await.map(|_| ()).map_err(|e| format!("the SMTP server did not take it: {e}"))
        })
    }
}
