//! The outbox of events that leave the server: what happened ([`Event`], pure data with
//! its Slack-compatible text), and [`emit`], which a use case calls INSIDE its write
//! transaction to queue one delivery per webhook that asks for the event. The delivery
//! rows commit with the change or not at all, so a receiver hears of a change exactly
//! when it happened; the webhook module's delivery worker sends them afterwards.
//!
//! Only what a webhook's audience may see leaves: webhooks are workspace-wide, so an
//! event about a team-only objective (and its key results and check-ins) is not queued
//! at all ([`Event::audience`]); its title alone would tell too much.
//!
//! To add an event: a variant of [`EventType`] (its wire name in `serde(rename)` and in
//! [`EventType::ALL`]), a variant of [`Event`] with the fields a receiver needs and
//! its text, and a call of [`emit`] in the use case's transaction.

use crate::error::AppError;
use jiff::Timestamp;
use milepost_core::{Visibility, WorkspaceId};
use milepost_store::{NewDelivery, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The kinds of event a webhook may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    /// Someone checked in on a key result.
    #[serde(rename = "check_in.created")]
    CheckInCreated,
    /// A KPI's pull source failed to read.
    #[serde(rename = "kpi.source_failed")]
    KpiSourceFailed,
    /// An objective was created.
    #[serde(rename = "objective.created")]
    ObjectiveCreated,
    /// An objective was archived.
    #[serde(rename = "objective.archived")]
    ObjectiveArchived,
    /// A cycle started.
    #[serde(rename = "cycle.started")]
    CycleStarted,
    /// A cycle was closed.
    #[serde(rename = "cycle.closed")]
    CycleClosed,
}

impl EventType {
    /// Every event type, in the order the documentation lists them.
    pub const ALL: [EventType; 6] = [
        EventType::CheckInCreated,
        EventType::KpiSourceFailed,
        EventType::ObjectiveCreated,
        EventType::ObjectiveArchived,
        EventType::CycleStarted,
        EventType::CycleClosed,
    ];

    /// Its wire name (`check_in.created`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CheckInCreated => "check_in.created",
            EventType::KpiSourceFailed => "kpi.source_failed",
            EventType::ObjectiveCreated => "objective.created",
            EventType::ObjectiveArchived => "objective.archived",
            EventType::CycleStarted => "cycle.started",
            EventType::CycleClosed => "cycle.closed",
        }
    }

    /// The event type of a wire name.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Every wire name, comma-separated, for messages.
    pub fn names() -> String {
        EventType::ALL.iter().map(|kind| kind.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The type of the event "send a test" sends; no webhook asks for it.
pub const TEST_EVENT: &str = "webhook.test";

/// Who may see what an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone in the workspace: it may go to the workspace's webhooks.
    Workspace,
    /// Only a team (a team-only objective): it never leaves through a webhook.
    Team,
}

impl From<Visibility> for Audience {
    fn from(visibility: Visibility) -> Audience {
        match visibility {
            Visibility::Workspace => Audience::Workspace,
            Visibility::Team => Audience::Team,
        }
    }
}

/// An objective as events name it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveRef {
    /// Its id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its cycle.
    pub cycle_id: i64,
    /// Who sees it.
    #[serde(skip)]
    pub visibility: Visibility,
}

impl ObjectiveRef {
    /// The objective of a stored row.
    pub fn of(row: &milepost_store::ObjectiveRow) -> ObjectiveRef {
        ObjectiveRef { id: row.id, title: row.title.clone(), cycle_id: row.cycle_id, visibility: row.visibility }
    }
}

/// Something that happened, as the outbox carries it. Pure data: made by the use case
/// that did it, inside its transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A check-in on a key result.
    CheckInCreated {
        /// The check-in's id.
        check_in_id: i64,
        /// The key result's id and title.
        key_result: (i64, String),
        /// The key result's objective.
        objective: ObjectiveRef,
        /// The value reported.
        value: f64,
        /// The confidence, 0–10.
        confidence: Option<i64>,
        /// The note.
        note: String,
        /// Who checked in.
        author_person_id: Option<i64>,
    },
    /// A KPI's source failed.
    KpiSourceFailed {
        /// The KPI's id, slug and name.
        kpi: (i64, String, String),
        /// What went wrong, as shown on the KPI.
        error: String,
    },
    /// An objective was created.
    ObjectiveCreated(ObjectiveRef),
    /// An objective was archived.
    ObjectiveArchived(ObjectiveRef),
    /// A cycle started.
    CycleStarted {
        /// Its id, slug and name.
        cycle: (i64, String, String),
    },
    /// A cycle was closed.
    CycleClosed {
        /// Its id, slug and name.
        cycle: (i64, String, String),
    },
}

/// Escapes text for Slack's mrkdwn: `&`, `<` and `>` are its control characters.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

impl Event {
    /// Its type.
    pub fn kind(&self) -> EventType {
        match self {
            Event::CheckInCreated { .. } => EventType::CheckInCreated,
            Event::KpiSourceFailed { .. } => EventType::KpiSourceFailed,
            Event::ObjectiveCreated(_) => EventType::ObjectiveCreated,
            Event::ObjectiveArchived(_) => EventType::ObjectiveArchived,
            Event::CycleStarted { .. } => EventType::CycleStarted,
            Event::CycleClosed { .. } => EventType::CycleClosed,
        }
    }

    /// Who may see what it is about.
    pub fn audience(&self) -> Audience {
        match self {
            Event::CheckInCreated { objective, .. }
            | Event::ObjectiveCreated(objective)
            | Event::ObjectiveArchived(objective) => objective.visibility.into(),
            Event::KpiSourceFailed { .. } | Event::CycleStarted { .. } | Event::CycleClosed { .. } => {
                Audience::Workspace
            }
        }
    }

    /// The structured data receivers read.
    pub fn data(&self) -> Value {
        let cycle = |(id, slug, name): &(i64, String, String)| json!({"id": id, "slug": slug, "name": name});
        match self {
            Event::CheckInCreated { check_in_id, key_result, objective, value, confidence, note, author_person_id } => {
                json!({
                    "check_in": {"id": check_in_id, "value": value, "confidence": confidence, "note": note,
                        "author_person_id": author_person_id},
                    "key_result": {"id": key_result.0, "title": key_result.1},
                    "objective": objective,
                })
            }
            Event::KpiSourceFailed { kpi: (id, slug, name), error } => {
                json!({"kpi": {"id": id, "slug": slug, "name": name}, "error": error})
            }
            Event::ObjectiveCreated(objective) | Event::ObjectiveArchived(objective) => {
                json!({"objective": objective})
            }
            Event::CycleStarted { cycle: c } | Event::CycleClosed { cycle: c } => json!({"cycle": cycle(c)}),
        }
    }

    /// One line for people (Slack mrkdwn, user text escaped).
    pub fn text(&self) -> String {
        match self {
            Event::CheckInCreated { key_result, value, confidence, note, .. } => {
                let confidence = confidence.map(|c| format!(", confidence {c}/10")).unwrap_or_default();
                let note = if note.trim().is_empty() { String::new() } else { format!(": {}", escape(note.trim())) };
                format!("Check-in on *{}*: {value}{confidence}{note}", escape(&key_result.1))
            }
            Event::KpiSourceFailed { kpi, error } => {
                format!("The source of KPI *{}* failed: {}", escape(&kpi.2), escape(error))
            }
            Event::ObjectiveCreated(objective) => format!("New objective: *{}*", escape(&objective.title)),
            Event::ObjectiveArchived(objective) => format!("Objective archived: *{}*", escape(&objective.title)),
            Event::CycleStarted { cycle } => format!("Cycle *{}* started", escape(&cycle.2)),
            Event::CycleClosed { cycle } => format!("Cycle *{}* was closed", escape(&cycle.2)),
        }
    }
}

/// The body a webhook receives: Slack's `text` and `blocks` (so a Slack incoming
/// webhook shows it as is) beside the structured event (`type`, `timestamp`, `data`).
pub fn payload(kind: &str, at: Timestamp, text: &str, data: &Value) -> String {
    json!({
        "type": kind,
        "timestamp": at.to_string(),
        "data": data,
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    })
    .to_string()
}

/// A new `webhook-id`: `msg_` and 16 random bytes in hex.
pub(crate) fn new_message_id() -> String {
    use rand::Rng;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    format!("msg_{}", hex::encode(bytes))
}

/// Queues `event` for every enabled webhook of `workspace` that asks for its type,
/// inside the caller's transaction `tx`, the first attempt due at `now`. An event whose
/// audience is narrower than the workspace is not queued. How many deliveries it queued.
pub(crate) async fn emit(
    tx: &mut Tx,
    workspace: WorkspaceId,
    event: &Event,
    now: Timestamp,
) -> Result<usize, AppError> {
    if event.audience() != Audience::Workspace {
        return Ok(0);
    }
    let kind = event.kind();
    let webhooks = tx.list_webhooks(workspace).await?;
    let wanting: Vec<_> = webhooks.iter().filter(|w| w.enabled && wants(&w.events, kind)).collect();
    if wanting.is_empty() {
        return Ok(0);
    }
    let body = payload(kind.as_str(), now, &event.text(), &event.data());
    let now_ms = now.as_millisecond();
    for webhook in &wanting {
        let message_id = new_message_id();
        let new = NewDelivery {
            webhook_id: webhook.id,
            message_id: &message_id,
            event_type: kind.as_str(),
            payload: &body,
            next_attempt_at: now_ms,
        };
        tx.insert_delivery(workspace, &new, now_ms).await?;
    }
    Ok(wanting.len())
}

/// Whether a webhook's stored list of event names holds `kind`.
pub(crate) fn wants(events: &str, kind: EventType) -> bool {
    serde_json::from_str::<Vec<String>>(events).is_ok_and(|names| names.iter().any(|name| name == kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objective(visibility: Visibility) -> ObjectiveRef {
        ObjectiveRef { id: 1, title: "Win <big> & fast".into(), cycle_id: 2, visibility }
    }

    #[test]
    fn every_event_type_reads_back_from_its_name() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.as_str()));
        }
        assert_eq!(EventType::parse("objective.deleted"), None);
    }

    #[test]
    fn team_only_objectives_stay_in_their_team() {
        assert_eq!(Event::ObjectiveCreated(objective(Visibility::Team)).audience(), Audience::Team);
        assert_eq!(Event::ObjectiveCreated(objective(Visibility::Workspace)).audience(), Audience::Workspace);
    }

    #[test]
    fn text_escapes_slack_control_characters_and_payload_carries_both_shapes() {
        let event = Event::ObjectiveCreated(objective(Visibility::Workspace));
        assert_eq!(event.text(), "New objective: *Win &lt;big&gt; &amp; fast*");
        let at: Timestamp = "2026-11-16T00:00:00Z".parse().unwrap();
        let body: Value =
            serde_json::from_str(&payload("objective.created", at, &event.text(), &event.data())).unwrap();
        assert_eq!(body["type"], "objective.created");
        assert_eq!(body["timestamp"], "2026-11-16T00:00:00Z");
        assert_eq!(body["data"]["objective"]["title"], "Win <big> & fast");
        assert_eq!(body["blocks"][0]["text"]["text"], body["text"]);
    }
}
