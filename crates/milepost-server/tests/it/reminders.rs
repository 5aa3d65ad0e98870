//! Check-in reminders by email, through a real SMTP server (aiosmtpd, started by the
//! test on a free port, writing each message it receives to a folder): on the
//! workspace's check-in day and hour in its time zone, once, deferred by quiet hours,
//! never to people who opted out, only with the key results the person may see, with
//! a link built from the public base URL; an SMTP server that is down means the
//! reminder is sent on a later pass, once.

use crate::harness::{Api, Org, two_servers_on_postgres};
use jiff::SignedDuration;
use milepost_app::App;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PUBLIC_URL: &str = "https://okr.example.test/";

/// A real SMTP server for one test.
struct SmtpSink {
    child: Option<Child>,
    folder: tempfile::TempDir,
    port: u16,
}

/// Whether Python has these modules; under CI they must be there.
pub fn python_has(modules: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 lacks {modules}: install them with `python3 -m pip install aiosmtpd icalendar` (.ci/run does)"
        );
        eprintln!(
            "SKIPPED: python3 lacks {modules} (python3 -m pip install aiosmtpd icalendar): this test checks nothing"
        );
    }
    ok
}

impl SmtpSink {
    fn start() -> Option<SmtpSink> {
        if !python_has("aiosmtpd") {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut sink = SmtpSink { child: None, folder: tempfile::tempdir().unwrap(), port };
        sink.restart();
        Some(sink)
    }

    /// Starts it (again) on its port.
    fn restart(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.folder.path())
            .arg(self.port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        self.child = Some(child);
    }

    /// Stops it: the port then refuses connections.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            drop(child.stdin.take());
            child.wait().unwrap();
        }
    }

    /// The messages it received, oldest first.
    fn messages(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(self.folder.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names.into_iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
    }

    /// `app` sending through this server, with the public base URL set.
    fn app(&self, app: &App) -> App {
        let settings = milepost_mail::SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: milepost_mail::TlsMode::None,
            login: None,
            password: None,
            sender: "Milepost <okr@example.test>".into(),
        };
        app.clone().with_mailer(milepost_mail::SmtpMailer::shared(&settings).unwrap()).with_public_url(PUBLIC_URL)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The message's text with quoted-printable soft line breaks joined.
fn body(message: &str) -> String {
    message.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

/// A workspace in New York whose check-in is on Monday at 9 (14:00 UTC on the fixed
/// day, Monday 2026-11-16), with a key result of eli's that he may see and one on
/// another team's team-only objective, which he may not.
async fn new_york(api: &Api, quiet: serde_json::Value) -> Org {
    let org = Org::new(api, "acme").await;
    let version = org.api.get("/api/v1/workspace").await.expect(200)["version"].clone();
    let change = json!({"version": version, "time_zone": "America/New_York", "check_in_day": "monday",
                        "check_in_hour": 9, "quiet_hours": quiet});
    org.api.patch("/api/v1/workspace", change).await.expect(200);
    org.api
        .objective(json!({"cycle_id": org.cycle, "title": "Ship faster", "owner_team_id": org.department,
            "key_results": [{"title": "Deploy daily", "kind": "increase", "start": 0, "target": 5,
                             "owner_person_id": org.eli}]}))
        .await;
    org.api
        .objective(json!({"cycle_id": org.cycle, "title": "Fix the pager", "owner_team_id": org.team,
            "visibility": "team",
            "key_results": [{"title": "Secret pager work", "kind": "increase", "start": 0, "target": 5,
                             "owner_person_id": org.eli}]}))
        .await;
    org
}

http_test!(a_reminder_arrives_once_at_the_local_check_in_hour, |api: Api| async move {
    let Some(smtp) = SmtpSink::start() else { return };
    new_york(&api, json!(null)).await;
    let app = smtp.app(api.app());
    api.shift_clock(SignedDuration::from_secs(14 * 3600 - 1));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 0, "not before 09:00 in New York");
    assert!(smtp.messages().is_empty());
    api.shift_clock(SignedDuration::from_hours(14));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 1);
    api.shift_clock(SignedDuration::from_hours(15));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 0, "once");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = body(&messages[0]);
    assert!(message.contains("To: \"Person eli\" <eli@example.com>"), "{message}");
    assert!(message.contains("Deploy daily"), "{message}");
    assert!(!message.contains("Secret pager work"), "a key result on an objective he may not see: {message}");
    assert!(message.contains("https://okr.example.test/check-in"), "the public base URL: {message}");
    assert!(message.contains("Message-ID: <reminder."), "{message}");
});

http_test!(quiet_hours_defer_a_reminder_to_the_next_allowed_hour, |api: Api| async move {
    let Some(smtp) = SmtpSink::start() else { return };
    // Quiet from 8 to 11 in New York: the 09:00 check-in's reminder waits for 11:00 (16:00 UTC).
    new_york(&api, json!({"start": 8, "end": 11})).await;
    let app = smtp.app(api.app());
    api.shift_clock(SignedDuration::from_hours(14));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 0, "09:00 is quiet");
    api.shift_clock(SignedDuration::from_secs(16 * 3600 - 1));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 0, "10:59 is quiet");
    api.shift_clock(SignedDuration::from_hours(16));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 1, "11:00 is the next allowed hour");
    assert_eq!(smtp.messages().len(), 1);
});

http_test!(people_who_opt_out_get_no_reminder, |api: Api| async move {
    let Some(smtp) = SmtpSink::start() else { return };
    let org = new_york(&api, json!(null)).await;
    org.api.give_password(org.eli, "correct horse battery staple").await;
    let eli = org.api.log_in(&org.slug, "eli@example.com", "correct horse battery staple").await;
    assert_eq!(eli.get("/api/v1/me/reminders").await.expect(200), json!({"emails": true}));
    assert_eq!(
        eli.put_json("/api/v1/me/reminders", json!({"emails": false})).await.expect(200),
        json!({"emails": false})
    );
    assert_eq!(eli.get("/api/v1/me/reminders").await.expect(200), json!({"emails": false}));
    eli.put_json("/api/v1/me/reminders", json!({"emails": "no"})).await.expect(422);
    org.api.get("/api/v1/me/reminders").await.problem(403, "forbidden");
    let app = smtp.app(api.app());
    api.shift_clock(SignedDuration::from_hours(14));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 0);
    assert!(smtp.messages().is_empty());
});

http_test!(an_smtp_server_that_is_down_gets_the_reminder_later_once, |api: Api| async move {
    let Some(mut smtp) = SmtpSink::start() else { return };
    new_york(&api, json!(null)).await;
    let app = smtp.app(api.app());
    smtp.stop();
    api.shift_clock(SignedDuration::from_hours(14));
    let pass = app.reminders().send_due().await.unwrap();
    assert_eq!((pass.sent, pass.failed.len()), (0, 1), "{pass:?}");
    smtp.restart();
    api.shift_clock(SignedDuration::from_hours(14) + SignedDuration::from_secs(30));
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 1, "sent on the next pass");
    assert_eq!(app.reminders().send_due().await.unwrap().sent, 0, "and only then");
    assert_eq!(smtp.messages().len(), 1);
});

http_test!(the_scheduler_sends_the_reminder_by_itself, |api: Api| async move {
    let Some(smtp) = SmtpSink::start() else { return };
    new_york(&api, json!(null)).await;
    api.shift_clock(SignedDuration::from_hours(14));
    let scheduler = milepost_server::scheduler::Scheduler::start(smtp.app(api.app()), Duration::from_millis(20));
    let deadline = Instant::now() + Duration::from_secs(20);
    while smtp.messages().is_empty() {
        assert!(Instant::now() < deadline, "the scheduler sent no reminder");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    scheduler.stop().await;
    assert_eq!(smtp.messages().len(), 1);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_send_a_reminder_once() {
    let Some((first, second)) = two_servers_on_postgres().await else { return };
    let Some(smtp) = SmtpSink::start() else { return };
    new_york(&first.api, json!(null)).await;
    first.api.shift_clock(SignedDuration::from_hours(14));
    second.api.shift_clock(SignedDuration::from_hours(14));
    let (one, two) = (smtp.app(first.api.app()), smtp.app(second.api.app()));
    let (a, b) = tokio::join!(one.reminders().send_due(), two.reminders().send_due());
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    assert_eq!(smtp.messages().len(), 1);
    first.stop().await;
    second.stop().await;
}
