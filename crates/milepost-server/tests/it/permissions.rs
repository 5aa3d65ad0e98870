//! Who may call what. Every operation of the served OpenAPI document (read from the
//! document, so a new endpoint cannot be left out) is called by twelve callers against
//! real things of workspace A and must answer with the status [`EXPECTED`] gives. A
//! refused write changes nothing: the thing it is about (or the list it would add to)
//! reads the same afterwards, and the audit trail has no new event. An allowed write
//! adds events that name the caller: its token, or the person logged in; and a record it
//! answers with that has an author (a check-in) names the person logged in. Every
//! mismatch is reported at once.

use crate::harness::{Api, BEARER_CHALLENGE, Org, Reply, at_hours, id, password_of};
use crate::openapi::{BODILESS_POSTS, document, operations};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Who calls, in the order of the columns of [`EXPECTED`].
const CALLERS: [&str; 12] = [
    "admin",
    "editor",
    "member",
    "viewer",
    "none",
    "revoked",
    "expired",
    "other",
    "session-admin",
    "session-owner",
    "session-member",
    "session-viewer",
];

/// How many of [`CALLERS`] are tokens of workspace A that work.
const ROLES_OF_A: usize = 4;

/// The column of B's admin.
const OTHER: usize = 7;

/// Where the columns of people logged in begin.
const SESSIONS: usize = 8;

/// The operations that change nothing of the workspace and so leave no trace in the
/// audit trail even when allowed: logging in and logging out, and trying a KPI's source
/// (a dry run: the check that nothing changed still applies), and linting OKR files.
/// Applying OKR files is called as a dry run here (a real apply archives what its file
/// leaves out, which would change the things the other rows call on); the OKR file
/// tests check real applies.
const UNAUDITED: &[&str] = &[
    "create_session",
    "delete_session",
    "accept_invitation",
    "apply_okr_files",
    "lint_okr_files",
    "test_kpi_source",
    "dismiss_inbox_item",
];

/// The reads that answer with the caller's own things (a person's inbox), so that each
/// caller reads something else.
const PERSONAL_READS: &[&str] = &["get_inbox"];

/// The operations that answer 200 with what an earlier call made, instead of 201, and
/// then write nothing: drafting a KPI's recovery objective again.
const IDEMPOTENT: &[&str] = &["draft_objective_from_kpi"];

/// The rules, as data: operation id → the status each caller gets. The columns are
/// tokens of workspace A with the role admin, editor, member and viewer; no token at
/// all; a revoked admin token of A; an expired admin token of A; an admin token of
/// another workspace, B; and the session cookies of four people of A logged in: ada,
/// an admin; mo, a member who owns the objective, key result and initiative called on;
/// nia, a member who owns nothing; and vic, a viewer.
///
/// API tokens act for no person, so a member token owns nothing and only reads; a
/// member logged in is a person, and changes what they own. B's admin gets 404 for A's
/// things, exactly as for things that do not exist, 422 when a body names A's things,
/// and its own workspace when it lists or creates. The bodies of OKR creations name mo
/// as the owner for every caller, so that a member giving mo an objective is refused.
///
/// Logging in takes its credentials from the body alone (the person lee's, right), so
/// every caller logs in, whatever it sends besides; logging out needs nothing and harms
/// nothing. Only a session has a session to read or a password to change.
#[rustfmt::skip]
const EXPECTED: &[(&str, [u16; 12])] = &[
    //                           admin editor member viewer none revoked expired other | session: admin owner member viewer
    // The probes need no token, and ignore a bad one.
    ("get_health",              [200,  200,   200,   200,   200, 200,   200,    200,             200,  200,  200,   200]),
    ("get_readiness",           [200,  200,   200,   200,   200, 200,   200,    200,             200,  200,  200,   200]),
    // Every role reads the workspace its token acts in.
    ("get_workspace",           [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    // Admins change its name and settings (B's in its own).
    ("update_workspace",        [200,  403,   403,   403,   401, 401,   401,    200,             200,  403,  403,   403]),
    // Tokens and the audit trail: admins only.
    ("list_tokens",             [200,  403,   403,   403,   401, 401,   401,    200,             200,  403,  403,   403]),
    ("create_token",            [201,  403,   403,   403,   401, 401,   401,    201,             201,  403,  403,   403]),
    ("revoke_token",            [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("list_events",             [200,  403,   403,   403,   401, 401,   401,    200,             200,  403,  403,   403]),
    // Teams, people and cycles: everyone reads, admins change (cycles: editors too, below).
    ("list_teams",              [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("create_team",             [201,  403,   403,   403,   401, 401,   401,    422,             201,  403,  403,   403]),
    ("get_team",                [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_team",             [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("archive_team",            [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("restore_team",            [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("list_people",             [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("create_person",           [201,  403,   403,   403,   401, 401,   401,    422,             201,  403,  403,   403]),
    ("get_person",              [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_person",           [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("archive_person",          [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("restore_person",          [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    // Someone else's password (eli's, who is none of the callers): admins only.
    ("set_person_password",     [204,  403,   403,   403,   401, 401,   401,    404,             204,  403,  403,   403]),
    // Inviting someone: admins only (the other workspace's admin invites into its own).
    ("create_invitation",       [201,  403,   403,   403,   401, 401,   401,    201,             201,  403,  403,   403]),
    // Accepting takes its credentials from the body alone: a made-up invitation is 401 for everyone.
    ("accept_invitation",       [401,  401,   401,   401,   401, 401,   401,    401,             401,  401,  401,   401]),
    ("list_cycles",             [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    // Planning cycles (creating one, changing its name, dates and kind) is for editors and
    // admins alike (issue 16: teams run their own rhythm); its status stays an admin's.
    ("create_cycle",            [201,  201,   403,   403,   401, 401,   401,    201,             201,  403,  403,   403]),
    ("get_cycle",               [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_cycle",            [200,  200,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("archive_cycle",           [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("restore_cycle",           [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    // A cycle's calibration: everyone reads it once the cycle is closed; A's cycle is active, so 409.
    // Reopening is for admins; A's cycle is active, not closed, so even they get 409.
    ("reopen_cycle",            [409,  403,   403,   403,   401, 401,   401,    404,             409,  403,  403,   403]),
    // Carrying over: editors and admins, and a member logged in (their own objectives);
    // A's cycle is active, not closed, so those allowed get 409.
    ("preview_carry",           [409,  409,   403,   403,   401, 401,   401,    404,             409,  409,  409,   403]),
    ("carry_objectives",        [409,  409,   403,   403,   401, 401,   401,    404,             409,  409,  409,   403]),
    ("list_cycle_transitions",  [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    // Closing is for admins: they see what it will freeze; the close itself is refused
    // here (a stale version, or an early close unconfirmed) so A's cycle stays open.
    ("preview_cycle_close",     [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("close_cycle",             [409,  403,   403,   403,   401, 401,   401,    404,             409,  403,  403,   403]),
    ("list_cycle_closings",     [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    // Everyone reads how the workspace grades; admins change it (B's in its own).
    ("get_scoring",             [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("set_scoring",             [200,  403,   403,   403,   401, 401,   401,    200,             200,  403,  403,   403]),
    ("get_reminder_preferences", [403, 403,   403,   403,   401, 401,   401,    403,             200,  200,  200,   200]),
    ("set_reminder_preferences", [403, 403,   403,   403,   401, 401,   401,    403,             200,  200,  200,   200]),
    ("get_calendar_feed",       [403,  403,   403,   403,   401, 401,   401,    403,             200,  200,  200,   200]),
    ("create_calendar_feed",    [403,  403,   403,   403,   401, 401,   401,    403,             201,  201,  201,   201]),
    ("revoke_calendar_feed",    [403,  403,   403,   403,   401, 401,   401,    403,             204,  204,  204,   204]),
    ("get_cycle_calibration",   [409,  409,   409,   409,   401, 401,   401,    404,             409,  409,  409,   409]),
    // The review report likewise needs a closed cycle.
    ("get_cycle_report",        [409,  409,   409,   409,   401, 401,   401,    404,             409,  409,  409,   409]),
    // OKRs: everyone reads; admins and editors change them and check in, and so does
    // the member who owns them.
    ("list_objectives",         [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("create_objective",        [201,  201,   403,   403,   401, 401,   401,    422,             201,  201,  403,   403]),
    ("get_objective",           [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_objective",        [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    // An objective's retrospective: read with it, written by whoever may change it.
    ("get_objective_retrospective", [200, 200, 200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("put_objective_retrospective", [200, 200, 403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("archive_objective",       [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("restore_objective",       [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("create_key_result",       [201,  201,   403,   403,   401, 401,   401,    404,             201,  201,  403,   403]),
    ("list_key_results",        [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("get_key_result",          [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_key_result",       [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("archive_key_result",      [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("restore_key_result",      [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("list_check_ins",          [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("create_check_in",         [201,  201,   403,   403,   401, 401,   401,    404,             201,  201,  403,   403]),
    ("get_check_in",            [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    // Importing a check-in history is checking in, row by row; B's admin finds no such
    // key result, which an import reports at the row (422), as a missing one.
    ("import_check_ins",        [200,  200,   403,   403,   401, 401,   401,    422,             200,  200,  403,   403]),
    ("list_goal_changes",       [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("list_initiatives",        [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("create_initiative",       [201,  201,   403,   403,   401, 401,   401,    422,             201,  201,  403,   403]),
    ("get_initiative",          [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_initiative",       [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("archive_initiative",      [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("restore_initiative",      [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    // OKR files: everyone exports what they see; applying is creating and changing OKRs
    // (a file of mo's: B's admin has no mo, an unknown owner in its workspace).
    ("export_okr_files",        [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("apply_okr_files",         [200,  200,   403,   403,   401, 401,   401,    422,             200,  200,  403,   403]),
    ("lint_okr_files",          [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    // KPIs: everyone reads; editors and admins define them; members record
    // measurements of the KPIs they own (mo owns A's).
    ("list_kpis",               [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("create_kpi",              [201,  201,   403,   403,   401, 401,   401,    422,             201,  403,  403,   403]),
    ("get_kpi",                 [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_kpi",              [200,  200,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("archive_kpi",             [200,  200,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("restore_kpi",             [200,  200,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("create_measurement",      [201,  201,   403,   403,   401, 401,   401,    404,             201,  201,  403,   403]),
    ("import_measurements",     [200,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    ("get_kpi_series",          [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("get_kpi_tree",            [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("get_kpi_board",           [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    // Drafting an objective for a lagging KPI creates one for its owner, mo; once it
    // has one, drafting again answers it (200) and writes nothing.
    ("draft_objective_from_kpi",[201,  200,   403,   403,   401, 401,   401,    404,             200,  200,  403,   403]),
    // Running a KPI's source is defining it (its source points at nothing, so each run
    // records a failure: still 200).
    ("run_kpi_source",          [200,  200,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    // Trying a KPI's source writes nothing, but it reaches out as a run does: editors
    // and admins only (the same source, so each try answers its failure: still 200).
    ("test_kpi_source",         [200,  200,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    // Search: everyone reads, and B's admin finds only B's things.
    ("search_workspace",        [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    // Comments: read with the thing they are on; written by everyone but viewers; changed
    // by their author only (mo wrote the one called on); deleted by their author or an admin.
    ("list_objective_comments", [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("create_objective_comment",[201,  201,   201,   403,   401, 401,   401,    404,             201,  201,  201,   403]),
    ("list_key_result_comments",[200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("create_key_result_comment",[201, 201,   201,   403,   401, 401,   401,    404,             201,  201,  201,   403]),
    ("list_check_in_comments",  [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("create_check_in_comment", [201,  201,   201,   403,   401, 401,   401,    404,             201,  201,  201,   403]),
    ("get_comment",             [200,  200,   200,   200,   401, 401,   401,    404,             200,  200,  200,   200]),
    ("update_comment",          [403,  403,   403,   403,   401, 401,   401,    404,             403,  200,  403,   403]),
    ("delete_comment",          [204,  403,   403,   403,   401, 401,   401,    404,             204,  204,  403,   403]),
    // The inbox is a person's own: a token has an empty one and nothing to dismiss.
    ("get_inbox",               [200,  200,   200,   200,   401, 401,   401,    200,             200,  200,  200,   200]),
    ("dismiss_inbox_item",      [403,  403,   403,   403,   401, 401,   401,    403,             204,  204,  204,   204]),
    // Sessions: anyone logs in with the right password and logs out; only a person
    // logged in reads their session and changes their password.
    ("create_session",          [200,  200,   200,   200,   200, 200,   200,    200,             200,  200,  200,   200]),
    ("get_session",             [401,  401,   401,   401,   401, 401,   401,    401,             200,  200,  200,   200]),
    ("delete_session",          [204,  204,   204,   204,   204, 204,   204,    204,             204,  204,  204,   204]),
    ("change_password",         [403,  403,   403,   403,   401, 401,   401,    403,             204,  204,  204,   204]),
    // Webhooks: admins only; B's admin finds none of A's.
    ("list_webhooks",           [200,  403,   403,   403,   401, 401,   401,    200,             200,  403,  403,   403]),
    ("create_webhook",          [201,  403,   403,   403,   401, 401,   401,    201,             201,  403,  403,   403]),
    ("get_webhook",             [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("update_webhook",          [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("delete_webhook",          [204,  403,   403,   403,   401, 401,   401,    404,             204,  403,  403,   403]),
    ("test_webhook",            [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("list_webhook_deliveries", [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("get_webhook_delivery",    [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
    ("retry_webhook_delivery",  [200,  403,   403,   403,   401, 401,   401,    404,             200,  403,  403,   403]),
];

/// Who an allowed write of a caller must name in the trail: (`actor_person_id`,
/// `actor_token_id`).
type Actor = (Value, Value);

/// How a caller that is a person logged in logs in again (after logging out).
#[derive(Debug, Clone)]
struct Login {
    handle: &'static str,
    password: String,
}

/// Workspace A with one of each thing, every caller, and workspace B.
struct World {
    /// Workspace A, its admin and its furniture.
    a: Org,
    /// An objective of A owned by the member mo, with one key result.
    objective: i64,
    /// Its key result (owned by mo too).
    key_result: i64,
    /// A check-in on it.
    check_in: i64,
    /// An initiative of mo's that moves it.
    initiative: i64,
    /// A KPI owned by mo, lagging.
    kpi: i64,
    /// Tokens of A that nobody uses, one per caller to revoke: revoking twice records
    /// nothing the second time.
    spare_tokens: Vec<i64>,
    /// A comment of mo's on the objective.
    comment: i64,
    /// Comments of mo's, one per caller to delete: a deleted one cannot be deleted again.
    spare_comments: Vec<i64>,
    /// A webhook of A (at a public address that does not resolve, so sends fail).
    webhook: i64,
    /// A failed delivery of it, to retry.
    delivery: i64,
    /// Webhooks of A that nobody uses, one per caller to delete.
    spare_webhooks: Vec<i64>,
    /// The callers, in the order of [`CALLERS`].
    callers: Vec<Api>,
    /// Who each caller acts as, when it acts in A.
    actors: Vec<Option<Actor>>,
    /// How each caller that is a person logged in logs in.
    logins: Vec<Option<Login>>,
}

async fn world(api: &Api) -> World {
    let a = Org::new(api, "acme").await;
    let admin = a.api.clone();
    let mut sessions = Vec::new();
    let mut logins = Vec::new();
    let mut people = Vec::new();
    for (handle, team, role) in
        [("ada", a.company, "admin"), ("mo", a.team, "member"), ("nia", a.team, "member"), ("vic", a.team, "viewer")]
    {
        let (person, session) = a.person_with_session(handle, Some(team), role).await;
        people.push(person);
        sessions.push(session);
        logins.push(Some(Login { handle, password: password_of(handle) }));
    }
    let mo = people[1];
    // lee logs in in the row of create_session, and is none of the callers.
    let lee = id(&admin.person("lee", Some(a.team), "member").await);
    admin.give_password(lee, &password_of("lee")).await;

    let mut key_result = Org::increase("Grow NPS from 30 to 50", 30.0, 50.0);
    key_result["owner_person_id"] = json!(mo);
    let objective = admin
        .objective(json!({"cycle_id": a.cycle, "title": "Delight our customers", "owner_person_id": mo,
                          "key_results": [key_result]}))
        .await;
    let key_result = id(&objective["key_results"][0]);
    let check_in = id(&admin.check_in(key_result, json!({"value": 35})).await["check_in"]);
    let body = json!({"title": "Call detractors", "owner_person_id": mo, "key_result_ids": [key_result]});
    let initiative = id(&admin.post("/api/v1/initiatives", body).await.expect(201));
    let body = json!({"name": "Uptime", "direction": "higher_is_better", "target": 99.9, "cadence": "daily",
                      "owner_person_id": mo,
                      "source": {"kind": "http_json", "url": "http://127.0.0.1:9/uptime", "path": "value"}});
    let kpi = id(&admin.post("/api/v1/kpis", body).await.expect(201));
    // Red two days running: lagging, so an objective can be drafted for it.
    let red = json!([{"measured_at": at_hours(-36), "value": 99.0}, {"measured_at": at_hours(-12), "value": 99.0}]);
    admin.post(&format!("/api/v1/kpis/{kpi}/measurements/batch"), red).await.expect(200);
    let mut spare_tokens = Vec::new();
    for _ in CALLERS {
        spare_tokens.push(id(&admin.create_token("viewer", None).await["details"]));
    }
    // mo's comments, on each kind of thing, so that no list of comments is empty.
    let mo_session = &sessions[1];
    let on_objective = format!("/api/v1/objectives/{}/comments", id(&objective));
    let comment = id(&mo_session.post(&on_objective, json!({"body": "Going well"})).await.expect(201));
    let mut spare_comments = Vec::new();
    for caller in CALLERS {
        let body = json!({"body": format!("For {caller} to delete")});
        spare_comments.push(id(&mo_session.post(&on_objective, body).await.expect(201)));
    }
    let on_key_result = format!("/api/v1/key-results/{key_result}/comments");
    mo_session.post(&on_key_result, json!({"body": "On it"})).await.expect(201);
    let on_check_in = format!("/api/v1/check-ins/{check_in}/comments");
    mo_session.post(&on_check_in, json!({"body": "Quiet week"})).await.expect(201);
    let hook = json!({"url": "https://hooks.example.invalid/a", "events": ["objective.created"]});
    let webhook = id(&admin.post("/api/v1/webhooks", hook.clone()).await.expect(201)["webhook"]);
    let delivery = id(&admin.post(&format!("/api/v1/webhooks/{webhook}/test"), json!({})).await.expect(200));
    let mut spare_webhooks = Vec::new();
    for _ in CALLERS {
        spare_webhooks.push(id(&admin.post("/api/v1/webhooks", hook.clone()).await.expect(201)["webhook"]));
    }

    // B has things of its own, so that its lists are not empty by accident.
    let b = Org::new(api, "globex").await;
    let theirs = b.team_objective("Grow", b.team, json!([Org::increase("Grow from 0 to 1", 0.0, 1.0)])).await;
    b.api.check_in(id(&theirs["key_results"][0]), json!({"value": 0.5})).await;
    b.api.post("/api/v1/initiatives", json!({"title": "Automate"})).await.expect(201);
    b.api.create_token("editor", None).await;
    let hook = json!({"url": "https://hooks.example.invalid/b", "events": ["cycle.started"]});
    b.api.post("/api/v1/webhooks", hook).await.expect(201);
    let body = json!({"name": "Revenue", "direction": "higher_is_better", "target": 1, "cadence": "monthly"});
    b.api.post("/api/v1/kpis", body).await.expect(201);

    let mut callers = vec![
        admin.clone(),
        admin.as_role("editor").await,
        admin.as_role("member").await,
        admin.as_role("viewer").await,
        api.without_token(),
        admin.revoked("admin").await.0,
        admin.expired("admin").await,
        b.api.clone(),
    ];
    let mut actors = Vec::new();
    for caller in &callers[..ROLES_OF_A] {
        actors.push(Some((Value::Null, json!(caller.token_id(&admin).await))));
    }
    actors.extend([None, None, None, None]);
    actors.extend(people.iter().map(|person| Some((json!(person), Value::Null))));
    callers.extend(sessions);
    let logins = [vec![None; SESSIONS], logins].concat();
    World {
        objective: id(&objective),
        key_result,
        check_in,
        initiative,
        kpi,
        spare_tokens,
        comment,
        spare_comments,
        webhook,
        delivery,
        spare_webhooks,
        callers,
        actors,
        logins,
        a,
    }
}

impl World {
    /// The thing of A that operations under `/api/v1/<collection>/{id}` act on when
    /// the caller `index` calls.
    fn target(&self, collection: &str, index: usize) -> Option<i64> {
        match collection {
            "teams" => Some(self.a.team),
            "people" => Some(self.a.eli),
            "cycles" => Some(self.a.cycle),
            "objectives" => Some(self.objective),
            "key-results" => Some(self.key_result),
            "check-ins" => Some(self.check_in),
            "initiatives" => Some(self.initiative),
            "kpis" => Some(self.kpi),
            "tokens" => Some(self.spare_tokens[index]),
            "comments" => Some(self.comment),
            "webhooks" => Some(self.webhook),
            "webhook-deliveries" => Some(self.delivery),
            _ => None,
        }
    }

    /// [`World::target`] for operation `op`: a delete takes a thing of the caller's own,
    /// so that the first allowed delete leaves something for the next caller.
    fn target_for(&self, op: &str, collection: &str, index: usize) -> Option<i64> {
        match op {
            "delete_webhook" => Some(self.spare_webhooks[index]),
            _ => self.target(collection, index),
        }
    }

    /// A valid body for operation `op` called by the caller `index`; creates get names
    /// of their own so that each caller's creation would succeed if it were allowed.
    fn body(&self, op: &str, index: usize, version: Option<i64>) -> Option<Value> {
        let a = &self.a;
        let caller = CALLERS[index];
        let version = json!(version);
        // The owner every OKR creation names: mo, who owns the things called on.
        let mo = self.actors[SESSIONS + 1].as_ref().map(|(person, _)| person.clone());
        let body = match op {
            "create_token" => json!({"name": format!("Token of {caller}"), "role": "viewer"}),
            "create_webhook" => json!({"url": format!("https://hooks.example.invalid/{caller}"),
                                       "events": ["check_in.created"], "description": format!("Of {caller}")}),
            "update_webhook" => json!({"version": version, "description": format!("Renamed by {caller}")}),
            "test_webhook" | "retry_webhook_delivery" => json!({}),
            "create_team" => json!({"name": format!("Team of {caller}"), "parent_team_id": a.company}),
            "create_person" => json!({"name": format!("Person of {caller}"), "email": format!("{caller}@example.com"),
                                      "team_id": a.team}),
            "set_person_password" => json!({"password": format!("set by {caller} for eli")}),
            "create_invitation" => {
                json!({"email": format!("invitee-{caller}@example.com"), "name": format!("Invitee of {caller}")})
            }
            "accept_invitation" => {
                json!({"token": format!("mi_{}", "0".repeat(64)), "password": "a long enough password"})
            }
            "create_cycle" => {
                json!({"name": format!("Cycle of {caller}"), "start_date": "2027-01-01", "end_date": "2027-03-31"})
            }
            "create_objective" => json!({"cycle_id": a.cycle, "title": format!("Objective of {caller}"),
                                         "owner_person_id": mo, "key_results": [Org::increase("Grow", 0.0, 10.0)]}),
            "create_key_result" => json!({"title": format!("Ship it for {caller}"), "kind": "milestone"}),
            "apply_okr_files" => {
                let text = format!(
                    "---\ncycle: 2026-q4\nowner: @mo\n---\n\n# Objective of {caller}\n\n- Grow NPS from 30 to 50\n"
                );
                json!({"files": [{"name": "mo.md", "text": text}], "dry_run": true})
            }
            "lint_okr_files" => {
                let text = format!(
                    "---\ncycle: 2026-q4\nowner: @mo\n---\n\n# Objective of {caller}\n\n- Grow NPS from 30 to 50\n"
                );
                json!({"files": [{"name": "mo.md", "text": text}]})
            }
            "create_check_in" => json!({"value": 40, "confidence": 7, "note": format!("From {caller}")}),
            "import_check_ins" => json!([{"key_result_id": self.key_result, "value": 40 + index,
                                          "checked_in_at": at_hours(-50 - index as i64), "note": format!("From {caller}")}]),
            "create_initiative" => json!({"title": format!("Initiative of {caller}"), "owner_person_id": mo,
                                          "key_result_ids": [self.key_result]}),
            "create_kpi" => json!({"name": format!("KPI of {caller}"), "direction": "higher_is_better", "target": 10,
                                   "cadence": "weekly", "owner_person_id": mo}),
            // Each caller measures a time of its own, so an allowed one always writes.
            "create_measurement" => json!({"value": 40 + index, "measured_at": at_hours(-1 - index as i64)}),
            "import_measurements" => json!([{"measured_at": at_hours(-100 - index as i64), "value": index}]),
            "draft_objective_from_kpi" | "carry_objectives" | "test_kpi_source" | "create_calendar_feed" => json!({}),
            "reopen_cycle" => json!({"version": 1, "reason": format!("{caller} found a late number")}),
            "close_cycle" => json!({"version": 1}),
            "update_workspace" => json!({"version": version, "check_in_hour": index % 24}),
            "set_reminder_preferences" => json!({"emails": index.is_multiple_of(2)}),
            "set_scoring" => {
                json!({"yellow_from": 0.4, "green_from": 0.7, "committed_success": 1.0, "aspirational_success": 0.7})
            }
            "create_objective_comment" | "create_key_result_comment" | "create_check_in_comment" => {
                json!({"body": format!("From {caller}")})
            }
            "update_comment" => json!({"version": version, "body": format!("Changed by {caller}")}),
            "dismiss_inbox_item" => json!({"key": format!("mention:{}", 1000 + index)}),
            "put_objective_retrospective" => {
                json!({"version": version, "worked": format!("Written by {caller}"), "did_not_work": "Meetings"})
            }
            "update_team" | "update_person" | "update_cycle" | "update_kpi" => {
                json!({"version": version, "name": format!("Renamed by {caller}")})
            }
            "update_objective" | "update_key_result" | "update_initiative" => {
                json!({"version": version, "title": format!("Retitled by {caller}")})
            }
            op if op.starts_with("archive_") || op.starts_with("restore_") => json!({"version": version}),
            "create_session" => {
                json!({"workspace": a.slug, "email": "lee@example.com", "password": password_of("lee")})
            }
            "change_password" => {
                let current = match &self.logins[index] {
                    Some(login) => login.password.clone(),
                    None => "the password of nobody".to_owned(),
                };
                json!({"current_password": current, "new_password": new_password(caller)})
            }
            _ => return None,
        };
        Some(body)
    }

    fn admin(&self) -> &Api {
        &self.a.api
    }
}

/// The password the caller `caller` changes theirs to.
fn new_password(caller: &str) -> String {
    format!("the new password of {caller}")
}

/// The collection an API path is under: `teams` for `/api/v1/teams/{id}/archive`; for
/// an invitation, the people it adds to.
fn collection(template: &str) -> &str {
    match template.split('/').nth(3).unwrap_or_default() {
        // An invitation adds a person: a refused one must leave the people as they were.
        "invitations" => "people",
        other => other,
    }
}

/// The end of A's audit trail, read cheaply: a cursor near its end, from which the
/// few events after it (and any new one) are read in one small page.
struct Trail {
    cursor: Option<String>,
}

impl Trail {
    /// Every event after the cursor.
    async fn tail(&self, admin: &Api) -> Vec<Value> {
        let path = match &self.cursor {
            Some(cursor) => format!("/api/v1/events?limit=500&after={cursor}"),
            None => "/api/v1/events?limit=500".to_owned(),
        };
        let page = admin.get(&path).await.expect(200);
        assert!(page["next_cursor"].is_null(), "{path} has more than a page after the cursor");
        page["items"].as_array().unwrap().clone()
    }

    /// Moves the cursor to just before the last event once the tail grows long.
    async fn shorten(&mut self, admin: &Api, tail: usize) {
        if tail < 16 {
            return;
        }
        let path = match &self.cursor {
            Some(cursor) => format!("/api/v1/events?limit={}&after={cursor}", tail - 1),
            None => format!("/api/v1/events?limit={}", tail - 1),
        };
        let page = admin.get(&path).await.expect(200);
        self.cursor = Some(page["next_cursor"].as_str().unwrap().to_owned());
    }
}

/// What a refused write must leave as it was, as A's admin reads it.
#[derive(Debug, PartialEq)]
struct State {
    /// The end of A's audit trail: what is after the [`Trail`]'s cursor.
    events: Vec<Value>,
    /// The thing the operation is about, or the ids of the list it adds to.
    thing: Value,
}

async fn state(w: &World, trail: &Trail, template: &str, item: Option<&str>, index: usize) -> State {
    let admin = w.admin();
    let events = trail.tail(admin).await;
    let collection = collection(template);
    let thing = match (collection, item) {
        // Sessions and passwords show nowhere but in the trail, nor do an inbox and a
        // person's reminder choices.
        ("session" | "me", _) => Value::Null,
        // The workspace's settings: its scoring thresholds.
        ("workspace", _) => admin.get("/api/v1/workspace/scoring").await.expect(200),
        // Webhooks list as a plain array; a deleted one reads as nothing.
        ("webhooks", None) => {
            admin.get("/api/v1/webhooks").await.expect(200).as_array().unwrap().iter().map(id).collect()
        }
        ("webhooks", Some(item)) => {
            let reply = admin.get(item).await;
            if reply.status == 404 { Value::Null } else { reply.expect(200) }
        }
        ("tokens", _) => {
            let tokens = admin.get("/api/v1/tokens").await.expect(200);
            let tokens = tokens.as_array().unwrap();
            match item {
                // The spare token is never used, so all of it stays the same.
                Some(_) => tokens.iter().find(|t| id(t) == w.spare_tokens[index]).cloned().unwrap(),
                // Tokens in use note when they were last used: compare the ids only.
                None => tokens.iter().map(id).collect(),
            }
        }
        (_, Some(item)) => {
            let mut thing = admin.get(item).await.expect(200);
            if template.ends_with("/check-ins") {
                thing["check_ins"] = admin.walk_ids(&format!("{item}/check-ins"), 500).await.into();
            }
            thing
        }
        // Applying OKR files adds objectives (and changes them, which their events show).
        ("okr-files", _) => admin.walk_ids("/api/v1/objectives?include_archived=true", 500).await.into(),
        // Importing check-ins adds to the history of the key result called on.
        ("check-ins", None) => {
            admin.walk_ids(&format!("/api/v1/key-results/{}/check-ins", w.key_result), 500).await.into()
        }
        // People are added directly, and by an invitation.
        ("people", None) => admin.walk_ids("/api/v1/people?include_archived=true", 500).await.into(),
        (_, None) => admin.walk_ids(&format!("{template}?include_archived=true"), 500).await.into(),
    };
    State { events, thing }
}

/// Archives (or restores) `item` with A's admin unless it already is.
async fn set_archived(admin: &Api, item: &str, archived: bool) {
    let current = admin.get(item).await.expect(200);
    if current["archived"] != archived {
        let action = if archived { "archive" } else { "restore" };
        admin.post(&format!("{item}/{action}"), json!({"version": current["version"]})).await.expect(200);
    }
}

async fn call(api: &Api, method: &str, path: &str, body: Option<&Value>) -> Reply {
    let verb = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let mut request = api.request(verb, path);
    if let Some(body) = body {
        request = request.json(body);
    }
    Api::send(format!("{method} {path}"), request).await
}

/// The ids an answer holds: of a list's items, of a plain array, or of the thing itself.
fn ids_of(body: &Value) -> BTreeSet<i64> {
    let items = match (body.as_array(), body["items"].as_array()) {
        (Some(array), _) | (None, Some(array)) => array.clone(),
        (None, None) => vec![body.clone()],
    };
    items.iter().filter_map(|item| item["id"].as_i64()).collect()
}

/// The problem code each refusal must carry.
fn check_problem(reply: &Reply, at: &str, mismatches: &mut Vec<String>) {
    let code = match reply.status {
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        422 => "invalid",
        _ => return,
    };
    if reply.body["code"] != code || reply.header("content-type") != Some("application/problem+json") {
        mismatches.push(format!("{at}: a {} should be a problem with code {code}: {}", reply.status, reply.text));
    }
    if reply.status == 401 && reply.header("www-authenticate") != Some(BEARER_CHALLENGE) {
        mismatches.push(format!("{at}: a 401 without the challenge: {:?}", reply.header("www-authenticate")));
    }
}

http_test!(every_operation_answers_each_caller_as_the_table_says, |api: Api| async move {
    let mut w = world(&api).await;
    let admin = w.admin().clone();
    let doc = document(&api).await;
    let table: BTreeMap<&str, [u16; 12]> = EXPECTED.iter().copied().collect();
    assert_eq!(table.len(), EXPECTED.len(), "an operation has two rows in EXPECTED");
    let mut mismatches = Vec::new();
    let mut documented = BTreeSet::new();
    let mut calls = 0;
    let mut trail = Trail { cursor: None };

    for (method, template, operation) in operations(&doc) {
        let op = operation["operationId"].as_str().unwrap_or_default().to_owned();
        documented.insert(op.clone());
        let Some(expected) = table.get(op.as_str()) else {
            mismatches.push(format!("{op} ({method} {template}) has no row in EXPECTED: who may call it?"));
            continue;
        };
        let collection = collection(&template);
        if template.contains("{id}") && w.target_for(&op, collection, 0).is_none() {
            mismatches.push(format!("{op}: permissions.rs has no thing of A to call {template} on"));
            continue;
        }
        let write = method != "get";
        let versioned = op.starts_with("update_") || op.starts_with("archive_") || op.starts_with("restore_");
        let unaudited = UNAUDITED.contains(&op.as_str());
        let mut admin_answer: Option<Value> = None;

        for (index, caller) in CALLERS.iter().enumerate() {
            let at = format!("{op} as {caller}");
            let path = match w.target_for(&op, collection, index) {
                Some(target) if template.contains("{id}") => template.replace("{id}", &target.to_string()),
                _ => template.clone(),
            };
            // A search needs something to look for: a word of A's objective's title.
            let path = if op == "search_workspace" { format!("{path}?q=delight") } else { path };
            // The thing itself, where it can be read alone.
            let item = match w.target_for(&op, collection, index) {
                Some(target) if template.contains("{id}") && collection != "tokens" => {
                    Some(format!("/api/v1/{collection}/{target}"))
                }
                _ => None,
            };
            // Each caller deletes a comment of its own: a deleted one cannot be deleted again.
            let (path, item) = if op == "delete_comment" {
                let own = format!("/api/v1/comments/{}", w.spare_comments[index]);
                (own.clone(), Some(own))
            } else {
                (path, item)
            };
            if let (true, Some(item)) = (op.starts_with("restore_"), &item) {
                set_archived(&admin, item, true).await;
            }
            let version = match (&item, versioned) {
                (Some(item), true) => admin.get(item).await.expect(200)["version"].as_i64(),
                _ => None,
            };
            // A retrospective's version is its own, read where it is written.
            let version = match op.as_str() {
                "put_objective_retrospective" => admin.get(&path).await.expect(200)["version"].as_i64(),
                "delete_comment" => admin.get(&path).await.expect(200)["version"].as_i64(),
                // The workspace's version is the caller's own workspace's (B's for B).
                "update_workspace" => match w.callers[index].get("/api/v1/workspace").await.body["version"].as_i64() {
                    Some(version) => Some(version),
                    None => admin.get("/api/v1/workspace").await.expect(200)["version"].as_i64(),
                },
                _ => version,
            };
            // A deletion names the version it is based on in its query.
            let path = match (op.as_str(), version) {
                ("delete_comment", Some(version)) => format!("{path}?version={version}"),
                _ => path,
            };
            let body = w.body(&op, index, version);
            if write && body.is_none() && method != "delete" && !BODILESS_POSTS.contains(&op.as_str()) {
                mismatches.push(format!("{op}: permissions.rs knows no valid body for it"));
                break;
            }
            let before = if write { Some(state(&w, &trail, &template, item.as_deref(), index).await) } else { None };
            let reply = call(&w.callers[index], &method, &path, body.as_ref()).await;
            calls += 1;
            if reply.status != expected[index] {
                mismatches.push(format!("{at}: expected {}, got {}: {}", expected[index], reply.status, reply.text));
            }
            check_problem(&reply, &at, &mut mismatches);

            if let Some(before) = before {
                let after = state(&w, &trail, &template, item.as_deref(), index).await;
                // An answer that found what a write would make (200, not 201) wrote nothing.
                let found = IDEMPOTENT.contains(&op.as_str()) && reply.status == 200;
                match (&w.actors[index], reply.status < 300 && !unaudited && !found) {
                    (Some((person, token)), true) => {
                        // An allowed write leaves a trace that names the caller.
                        let added = &after.events[before.events.len().min(after.events.len())..];
                        let names = |e: &&Value| e["actor_person_id"] == *person && e["actor_token_id"] == *token;
                        if added.is_empty() || !added.iter().all(|e| names(&e)) {
                            mismatches.push(format!(
                                "{at}: the trail should name person {person} and token {token} for it: {added:?}"
                            ));
                        }
                        // And every record it answers with that has an author names the
                        // person too (a token acts for nobody, and these bodies name nobody).
                        let mut authors = Vec::new();
                        authors_in(&reply.body, &mut authors);
                        if let Some(author) = authors.iter().find(|author| *author != person) {
                            mismatches.push(format!(
                                "{at}: a record it wrote names author {author}, not person {person}: {}",
                                reply.text
                            ));
                        }
                    }
                    _ if after != before => {
                        let what = if after.events == before.events { "the thing" } else { "the audit trail" };
                        mismatches.push(format!(
                            "{at} answered {} and changed {what} in A: {:?} became {:?}",
                            reply.status, before.thing, after.thing
                        ));
                    }
                    _ => {}
                }
                trail.shorten(&admin, after.events.len()).await;
            }
            if let (true, Some(item)) = (op.starts_with("archive_") || op.starts_with("restore_"), &item) {
                set_archived(&admin, item, false).await;
            }
            if index >= SESSIONS && reply.status < 300 {
                after_session_call(&mut w, &op, index, &reply, &mut mismatches).await;
            }

            // Reads: every role of A, by token or logged in, sees what the admin sees;
            // B's admin sees none of it.
            if !write && reply.status == 200 && !PERSONAL_READS.contains(&op.as_str()) {
                match (index, &admin_answer) {
                    (0, _) => admin_answer = Some(reply.body.clone()),
                    (OTHER, Some(answer)) => {
                        let common: Vec<_> = ids_of(answer).intersection(&ids_of(&reply.body)).copied().collect();
                        if !common.is_empty() {
                            mismatches.push(format!("{at} sees A's {common:?}: {}", reply.text));
                        }
                        if op.starts_with("list_") && ids_of(answer).is_empty() {
                            mismatches.push(format!("{op}: A's list is empty, so B's proves nothing"));
                        }
                    }
                    (_, Some(answer)) if *answer != reply.body => {
                        mismatches.push(format!("{at} reads other than the admin: {} vs {answer}", reply.text));
                    }
                    _ => {}
                }
            }
        }
    }

    for op in table.keys().filter(|op| !documented.contains(**op)) {
        mismatches.push(format!("{op} has a row in EXPECTED but is not in the document"));
    }
    assert!(
        mismatches.is_empty(),
        "{} of {calls} calls answered other than the table says:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(calls, documented.len() * CALLERS.len());
});

/// Every `author_person_id` a body holds, at any depth.
fn authors_in(body: &Value, authors: &mut Vec<Value>) {
    match body {
        Value::Object(fields) => {
            for (name, value) in fields {
                if name == "author_person_id" {
                    authors.push(value.clone());
                } else {
                    authors_in(value, authors);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| authors_in(item, authors)),
        _ => {}
    }
}

/// Keeps the person logged in as caller `index` logged in after an allowed session
/// operation: their session names them; after a password change the new password is
/// theirs; after logging out the old cookie is refused, and they log in again.
async fn after_session_call(w: &mut World, op: &str, index: usize, reply: &Reply, mismatches: &mut Vec<String>) {
    let at = format!("{op} as {}", CALLERS[index]);
    let person = w.actors[index].as_ref().map(|(person, _)| person.clone()).unwrap_or_default();
    match op {
        "get_session" if reply.body["person"]["id"] != person => {
            mismatches.push(format!("{at}: the session should name person {person}: {}", reply.text));
        }
        "change_password" => {
            if let Some(login) = w.logins[index].as_mut() {
                login.password = new_password(CALLERS[index]);
            }
        }
        "delete_session" => {
            let ended = w.callers[index].get("/api/v1/session").await;
            if ended.status != 401 {
                mismatches.push(format!("{at}: the cookie still works after logging out: {}", ended.text));
            }
            if let Some(login) = &w.logins[index] {
                let email = format!("{}@example.com", login.handle);
                w.callers[index] = w.a.api.log_in(&w.a.slug, &email, &login.password).await;
            }
        }
        _ => {}
    }
}
