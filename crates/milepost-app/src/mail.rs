//! The seam between the use cases and email: the use cases decide what to send
//! ([`Email`]); a [`Mailer`] sends it. The one the server uses (`milepost_mail::SmtpMailer`,
//! SMTP with lettre) lives outside this crate, so that the app needs no mail client.
//! An [`App`](crate::App) without one ([`App::with_mailer`](crate::App::with_mailer))
//! sends no email at all: reminders then wait, unclaimed, until one is configured.

use crate::kpi::source_reader::BoxFuture;

/// One email to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The address it goes to.
    pub to: String,
    /// The name of the person it goes to.
    pub to_name: String,
    /// Its subject.
    pub subject: String,
    /// Its plain-text body.
    pub text: String,
    /// Its `Message-ID`, without the angle brackets (`reminder.1.2.2026-11-16@host`):
    /// the same on every attempt to send the same email, so a receiver can tell a
    /// repeat after a crash.
    pub message_id: String,
}

/// Sends email. Implemented by `milepost_mail::SmtpMailer`.
pub trait Mailer: Send + Sync {
    /// Sends `email`, or says why it could not (a sentence for the log and for the
    /// reminder's `last_error`, never a password).
    fn send<'a>(&'a self, email: &'a Email) -> BoxFuture<'a, Result<(), String>>;
}
