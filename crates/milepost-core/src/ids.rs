//! Identifiers of the domain's things, one newtype each so that an objective's id can
//! never be passed where a key result's is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw number, as stored in the database.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl PartialEq<i64> for $name {
            fn eq(&self, other: &i64) -> bool {
                self.0 == *other
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                $name(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type! {
    /// A workspace: one organisation, the tenant every row belongs to.
    WorkspaceId;
    /// A team in the workspace's tree of teams.
    TeamId;
    /// A person of a workspace.
    PersonId;
    /// A cycle (a quarter, a half, a year).
    CycleId;
    /// An objective.
    ObjectiveId;
    /// A key result of an objective.
    KeyResultId;
    /// A check-in on a key result.
    CheckInId;
    /// An initiative (a project or task rolling up to key results).
    InitiativeId;
    /// A KPI or plain metric.
    KpiId;
    /// A measurement of a KPI.
    MeasurementId;
    /// An API token.
    TokenId;
    /// A comment on an objective, key result or check-in.
    CommentId;
    /// A webhook of a workspace.
    WebhookId;
    /// One delivery of one event to one webhook.
    DeliveryId;
}
