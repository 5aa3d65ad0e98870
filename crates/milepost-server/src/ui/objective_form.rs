//! The forms that create and change OKRs: a new objective with its key results in one
//! go (`/objectives/new`), changing an objective (`/objectives/{id}/edit`), adding a
//! key result (`/objectives/{id}/key-results/new`). A key result's sentence fills its fields
//! through the app's one interpretation of it (`key_result::interpretation`, as for the
//! API and OKR files): as it is typed, with htmx (`/key-results/parse`), and on submit
//! for any field left blank, so the forms work without JavaScript too.

use super::cycle::{all_cycles, all_objectives};
use super::form::{self, Fields, Form, Problems};
use super::key_result::{boxes, read_kind};
use super::owner::{Picker, read_person};
use super::view::Names;
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::key_result::NewKeyResult;
use milepost_app::key_result::interpretation::{Baseline, Given, interpret};
use milepost_app::objective::{NewObjective, ObjectivePatch, ObjectiveQuery, ObjectiveView};
use milepost_app::{App, AppError, Caller, Path, Segment};
use milepost_core::ObjectiveId;
use milepost_core::{Commitment, CycleStatus, KeyResultKind, Named, Visibility};
use std::collections::HashMap;

/// How many key result rows the new-objective form offers.
const KEY_RESULT_ROWS: usize = 3;

/// One choice of a select.
pub(super) struct Choice {
    /// What the form sends.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

pub(super) fn choices(options: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    options.into_iter().map(|(value, label)| Choice { selected: value == current, value, label }).collect()
}

fn kind_choices(current: &str) -> Vec<Choice> {
    let mut options = vec![(String::new(), "Read it from the sentence".to_owned())];
    options.extend(KeyResultKind::ALL.iter().map(|k| (k.as_str().to_owned(), super::view::kind(*k).to_owned())));
    choices(options, current)
}

/// The fields of one key result on a form, named `key_results.{index}.{field}`.
pub struct KeyResultForm {
    index: usize,
    title: String,
    kinds: Vec<Choice>,
    start: String,
    target: String,
    unit: String,
    owners: Vec<Choice>,
    /// Whether the owner is a search field (a large workspace) rather than a select.
    search: bool,
    /// What the search field shows.
    owner_text: String,
    /// What its list offers before anything is typed.
    offered: Vec<String>,
    /// The KPIs it may be linked to (the first: none), the form's one selected.
    kpis: Vec<Choice>,
    /// Whether "start from the KPI's current value" is ticked.
    start_from_kpi: bool,
    errors: HashMap<&'static str, String>,
}

impl KeyResultForm {
    /// The problem with `field` of this key result, or empty.
    pub fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }

    /// Whether `field` has a problem.
    pub fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

const KEY_RESULT_FIELDS: [&str; 8] = ["title", "kind", "start", "target", "unit", "owner", "kpi", "start_from_kpi"];

/// A KPI a key result may be linked to, as its form's select offers it.
pub(super) struct KpiOption {
    /// Its id, as the form sends it.
    pub id: String,
    /// Its name and current value: "Uptime (now 99.2%)".
    pub label: String,
    /// Its current value with unit, when it has one.
    pub now: Option<String>,
}

/// The KPIs a key result may be linked to, for its form's select: every KPI and metric
/// of the workspace not archived (KPIs are the whole workspace's to see), each with its
/// current value, so the form says what "start from the KPI" would take.
pub(super) async fn kpi_options(app: &App, caller: &Caller) -> Result<Vec<KpiOption>, AppError> {
    let query = milepost_app::kpi::KpiQuery { limit: Some(500), ..Default::default() };
    let kpis = app.kpis().list(caller, query).await?;
    Ok(kpis
        .items
        .into_iter()
        .map(|kpi| {
            let now = kpi.state.last_value.map(|v| super::view::value(Some(v), kpi.unit.as_deref()));
            let label = match &now {
                Some(now) => format!("{} (now {now})", kpi.name),
                None => format!("{} (no measurement yet)", kpi.name),
            };
            KpiOption { id: kpi.id.to_string(), label, now }
        })
        .collect())
}

/// The select's choices: none, then each KPI, `current` selected.
pub(super) fn kpi_choices(kpis: &[KpiOption], current: &str) -> Vec<Choice> {
    if kpis.is_empty() {
        return Vec::new();
    }
    let options = std::iter::once((String::new(), "No KPI".to_owned()))
        .chain(kpis.iter().map(|k| (k.id.clone(), k.label.clone())));
    choices(options, current)
}

fn key_result_form(
    index: usize,
    fields: &Fields,
    problems: &Problems,
    people: &[(String, String)],
    picker: Option<&Picker>,
    kpis: &[KpiOption],
) -> KeyResultForm {
    let name = |field: &str| format!("key_results.{index}.{field}");
    let mut owners = vec![(String::new(), "The objective's owner".to_owned())];
    owners.extend(people.iter().cloned());
    let errors = KEY_RESULT_FIELDS
        .iter()
        .filter_map(|field| Some(*field).zip(Some(problems.of(&name(field)).to_owned()).filter(|e| !e.is_empty())))
        .collect();
    KeyResultForm {
        index,
        title: fields.text(&name("title")).to_owned(),
        kinds: kind_choices(fields.text(&name("kind"))),
        start: fields.text(&name("start")).to_owned(),
        target: fields.text(&name("target")).to_owned(),
        unit: fields.text(&name("unit")).to_owned(),
        owners: choices(owners, fields.text(&name("owner"))),
        search: picker.is_some_and(|p| p.search),
        owner_text: picker.map(|p| p.text(fields.text(&name("owner")))).unwrap_or_default(),
        offered: picker.filter(|p| p.search).map(|p| p.offered.clone()).unwrap_or_default(),
        kpis: kpi_choices(kpis, fields.text(&name("kpi"))),
        start_from_kpi: fields.text(&name("start_from_kpi")) == "yes",
        errors,
    }
}

/// Reads the key result in row `index` of a form: its sentence and the fields given
/// beside it, which the app interprets; what the interpretation misses is said at the
/// row's fields before anything is sent. `None` for a row left empty.
fn read_key_result(fields: &Fields, index: usize, names: &Names, problems: &mut Problems) -> Option<NewKeyResult> {
    let name = |field: &str| format!("key_results.{index}.{field}");
    let title = fields.text(&name("title"));
    if title.is_empty() {
        return None;
    }
    let kind = read_kind(fields, &name("kind"), problems);
    let start = fields.number(&name("start"), problems);
    let target = fields.number(&name("target"), problems);
    let (start, target, range) = boxes(kind, start, target);
    let kpi_id = match fields.text(&name("kpi")) {
        "" => None,
        text => text.parse::<i64>().map(Some).unwrap_or_else(|_| {
            problems.add(&name("kpi"), format!("{text:?} is not a KPI: choose one from the list"));
            None
        }),
    };
    let start_from_kpi = fields.text(&name("start_from_kpi")) == "yes";
    let given =
        Given { kind, unit: fields.optional(&name("unit")).map(Some), start, target, range, ..Given::default() };
    for problem in interpret(Some(title), &given, None, Baseline::NotLinked).problems {
        // A linked KPI gives the start the sentence leaves out: the app looks it up.
        if problem.field == "start" && kpi_id.is_some() {
            continue;
        }
        problems.add(&name(key_result_field(&Path::root().field(problem.field))), problem.detail);
    }
    Some(NewKeyResult {
        title: title.to_owned(),
        kind,
        metric: None,
        unit: fields.optional(&name("unit")),
        start,
        target,
        range,
        comparator: None,
        relative_change: None,
        delta: None,
        required_share: None,
        weight: None,
        owner_person_id: read_person(&names.people, fields.text(&name("owner"))).unwrap_or_else(|problem| {
            problems.add(&name("owner"), problem);
            None
        }),
        cadence: None,
        kpi_id,
        target_schedule: None,
        start_from_kpi: start_from_kpi.then_some(true),
    })
}

/// The form field of a key result's JSON pointer tail (`/target` → `target`).
fn key_result_field(path: &Path) -> &'static str {
    match form::head(path) {
        "kind" | "comparator" => "kind",
        "start" => "start",
        "target" | "range" | "relative_change" | "delta" => "target",
        "unit" => "unit",
        "owner_person_id" => "owner",
        "kpi_id" => "kpi",
        "start_from_kpi" => "start_from_kpi",
        _ => "title",
    }
}

/// The form field of an objective's JSON pointer.
fn objective_field(path: &Path) -> &'static str {
    match form::head(path) {
        "title" => "title",
        "description" => "description",
        "cycle_id" => "cycle_id",
        "owner_person_id" | "owner_team_id" => "owner",
        "parent_objective_id" | "parent_key_result_id" => "parent",
        "commitment" => "commitment",
        "visibility" => "visibility",
        _ => "",
    }
}

/// Everything a new or changed objective's form offers to choose from.
struct Options {
    people: Vec<(String, String)>,
    /// The objective's owner picker: people and teams.
    owner_picker: Picker,
    /// The key results' owner picker: people.
    people_picker: Picker,
    owners: Vec<(String, String)>,
    cycles: Vec<(String, String)>,
    parents: Vec<(String, String)>,
    /// The KPIs a key result may be linked to.
    kpis: Vec<KpiOption>,
}

async fn options(app: &App, caller: &Caller, names: &Names, except: Option<i64>) -> Result<Options, AppError> {
    let mut people: Vec<(String, String)> =
        names.people.values().filter(|p| !p.archived).map(|p| (p.id.to_string(), p.name.clone())).collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    let mut owners: Vec<(String, String)> =
        people.iter().map(|(id, name)| (format!("person:{id}"), format!("{name} (person)"))).collect();
    for id in names.team_order.iter() {
        if let Some(team) = names.teams.get(id).filter(|t| !t.archived) {
            owners.push((format!("team:{id}"), format!("{} (team)", team.name)));
        }
    }
    let cycles: Vec<_> =
        all_cycles(app, caller).await?.into_iter().filter(|c| c.status != CycleStatus::Closed).collect();
    let mut parents = vec![(String::new(), "None".to_owned())];
    for cycle in &cycles {
        let query = ObjectiveQuery { cycle_id: Some(cycle.id.get()), ..Default::default() };
        for objective in all_objectives(app, caller, query).await? {
            if Some(objective.id) != except.map(ObjectiveId) {
                parents.push((objective.id.to_string(), format!("{} ({})", objective.title, cycle.name)));
            }
        }
    }
    let cycles = cycles.into_iter().map(|c| (c.id.to_string(), c.name)).collect();
    Ok(Options {
        people,
        owner_picker: Picker::of(names, true),
        people_picker: Picker::of(names, false),
        owners,
        cycles,
        parents,
        kpis: kpi_options(app, caller).await?,
    })
}

#[derive(Template)]
#[template(path = "objective_form.html")]
struct ObjectiveFormPage {
    layout: Layout,
    action: String,
    heading: String,
    submit: &'static str,
    version: Option<i64>,
    fields: Fields,
    problems: Problems,
    cycles: Vec<Choice>,
    owners: Vec<Choice>,
    /// Whether owners are searched (a large workspace) rather than chosen from a select.
    search: bool,
    /// What the owner's search field shows.
    owner_text: String,
    /// What the owner's search list offers before anything is typed.
    offered_owners: Vec<String>,
    parents: Vec<Choice>,
    commitments: Vec<Choice>,
    visibilities: Vec<Choice>,
    key_results: Vec<KeyResultForm>,
}

fn objective_form(
    layout: Layout,
    options: Options,
    fields: Fields,
    problems: Problems,
    rows: usize,
) -> ObjectiveFormPage {
    let key_results = (0..rows)
        .map(|i| key_result_form(i, &fields, &problems, &options.people, Some(&options.people_picker), &options.kpis))
        .collect();
    ObjectiveFormPage {
        layout,
        action: "/objectives/new".to_owned(),
        heading: "New objective".to_owned(),
        submit: "Create the objective",
        version: None,
        cycles: choices(options.cycles, fields.text("cycle_id")),
        owners: choices(options.owners, fields.text("owner")),
        search: options.owner_picker.search,
        owner_text: options.owner_picker.text(fields.text("owner")),
        offered_owners: if options.owner_picker.search { options.owner_picker.offered.clone() } else { Vec::new() },
        parents: choices(options.parents, fields.text("parent")),
        commitments: choices(
            [
                ("committed".into(), "Committed: must be achieved".into()),
                ("aspirational".into(), "Aspirational: a stretch, 0.7 is success".into()),
            ],
            fields.text("commitment"),
        ),
        visibilities: choices(
            [("workspace".into(), "Everyone in the workspace".into()), ("team".into(), "Its team only".into())],
            fields.text("visibility"),
        ),
        key_results,
        fields,
        problems,
    }
}

/// The query of the new-objective form: what to fill in.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewObjectiveQuery {
    /// The cycle to create it in.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub cycle_id: Option<i64>,
    /// The objective it aligns to.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub parent: Option<i64>,
}

/// `GET /objectives/new`: the form for an objective and its key results.
pub async fn show_new_objective(
    State(app): State<App>,
    viewer: Viewer,
    Query(query): Query<NewObjectiveQuery>,
) -> PageResult {
    let caller = &viewer.caller;
    let names = Names::load(&app, caller).await?;
    let options = options(&app, caller, &names, None).await?;
    let mut pairs = HashMap::new();
    let cycle = match query.cycle_id {
        Some(id) => Some(id),
        None => super::cycle::active_cycle(&app, caller).await?.map(|c| c.id.get()),
    };
    if let Some(cycle) = cycle {
        pairs.insert("cycle_id".to_owned(), cycle.to_string());
    }
    if let Some(parent) = query.parent {
        pairs.insert("parent".to_owned(), parent.to_string());
    }
    if let Some(person) = caller.person {
        pairs.insert("owner".to_owned(), format!("person:{person}"));
    }
    let fields = Fields::from(pairs);
    let layout = Layout::new(&viewer, "new", "New objective");
    Ok(page(StatusCode::OK, &objective_form(layout, options, fields, Problems::default(), KEY_RESULT_ROWS)))
}

/// Reads the owner field: `person:ID` or `team:ID` from the select, or what the search
/// field holds (see `owner::read_owner`).
fn read_owner(fields: &Fields, names: &Names, problems: &mut Problems) -> (Option<i64>, Option<i64>) {
    match super::owner::read_owner(names, fields.text("owner")) {
        Ok(owner) => owner,
        Err(problem) => {
            problems.add("owner", problem);
            (None, None)
        }
    }
}

fn read_choice<T: Named>(fields: &Fields, name: &str, problems: &mut Problems) -> Option<T> {
    match fields.text(name) {
        "" => None,
        text => {
            let value = T::parse(text);
            if value.is_none() {
                problems.add(name, format!("choose one of {}", T::names()));
            }
            value
        }
    }
}

/// The roll-up box: ticked or not on a form that showed it; a form without it (an
/// older page) leaves the setting as it is.
fn read_rollup(fields: &Fields) -> Option<bool> {
    fields.has("rollup_shown").then(|| fields.text("rollup_children") == "yes")
}

/// `POST /objectives/new`: creates the objective and its key results, all or nothing.
pub async fn save_new_objective(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let names = Names::load(&app, caller).await?;
    let mut problems = Problems::default();
    let (owner_person_id, owner_team_id) = read_owner(&fields, &names, &mut problems);
    let cycle_id = fields.whole("cycle_id", &mut problems);
    if cycle_id.is_none() {
        problems.add("cycle_id", "choose the cycle it belongs to");
    }
    let mut rows = Vec::new();
    let mut key_results = Vec::new();
    for index in 0..KEY_RESULT_ROWS.max(count_rows(&fields)) {
        if let Some(key_result) = read_key_result(&fields, index, &names, &mut problems) {
            rows.push(index);
            key_results.push(key_result);
        }
    }
    let new = NewObjective {
        cycle_id: cycle_id.unwrap_or_default(),
        title: fields.text("title").to_owned(),
        description: fields.optional("description"),
        owner_person_id,
        owner_team_id,
        commitment: read_choice::<Commitment>(&fields, "commitment", &mut problems),
        parent_objective_id: fields.whole("parent", &mut problems),
        parent_key_result_id: None,
        visibility: read_choice::<Visibility>(&fields, "visibility", &mut problems),
        rollup_children: read_rollup(&fields),
        key_results,
    };
    let status = if problems.is_empty() {
        match app.objectives().create(caller, new).await {
            Ok(created) => return Ok(see_other(&format!("/objectives/{}", created.id))),
            Err(error) => problems.refused(error, |path| Some(field_of_new_objective(path, &rows)))?,
        }
    } else {
        // What the form could not read is marked; the app's dry run finds the rest.
        if let Err(AppError::Invalid(errors)) = app.objectives().check_new(caller, new).await {
            problems.extend(&errors, |path| Some(field_of_new_objective(path, &rows)));
        }
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let names = Names::load(&app, caller).await?;
    let options = options(&app, caller, &names, None).await?;
    let rows = KEY_RESULT_ROWS.max(count_rows(&fields));
    let layout = Layout::new(&viewer, "new", "New objective");
    Ok(page(status, &objective_form(layout, options, fields, problems, rows)))
}

/// How many key result rows a posted form had.
fn count_rows(fields: &Fields) -> usize {
    (0..50).take_while(|i| fields.has(&format!("key_results.{i}.title"))).count()
}

/// The form field of a place in a new objective, whose key results at `/key_results/{n}`
/// came from the form's row `rows[n]`.
fn field_of_new_objective(path: &Path, rows: &[usize]) -> String {
    if let [Segment::Field(list), Segment::Index(number), ..] = path.segments()
        && list == "key_results"
        && let Some(row) = rows.get(*number)
        && let Some(tail) = path.strip_prefix(&Path::root().field("key_results").index(*number))
    {
        return format!("key_results.{row}.{}", key_result_field(&tail));
    }
    objective_field(path).to_owned()
}

fn fields_of(objective: &ObjectiveView) -> Fields {
    let mut pairs = HashMap::new();
    pairs.insert("title".to_owned(), objective.title.clone());
    pairs.insert("description".to_owned(), objective.description.clone());
    pairs.insert("cycle_id".to_owned(), objective.cycle_id.to_string());
    let owner = match (objective.owner_person_id, objective.owner_team_id) {
        (Some(person), _) => format!("person:{person}"),
        (None, Some(team)) => format!("team:{team}"),
        (None, None) => String::new(),
    };
    pairs.insert("owner".to_owned(), owner);
    pairs.insert("parent".to_owned(), objective.parent_objective_id.map(|p| p.to_string()).unwrap_or_default());
    if objective.rollup_children {
        pairs.insert("rollup_children".to_owned(), "yes".to_owned());
    }
    pairs.insert("commitment".to_owned(), objective.commitment.as_str().to_owned());
    pairs.insert("visibility".to_owned(), objective.visibility.as_str().to_owned());
    Fields::from(pairs)
}

fn edit_form(
    layout: Layout,
    options: Options,
    id: i64,
    version: i64,
    fields: Fields,
    problems: Problems,
) -> ObjectiveFormPage {
    ObjectiveFormPage {
        action: format!("/objectives/{id}/edit"),
        heading: "Edit objective".to_owned(),
        submit: "Save the objective",
        version: Some(version),
        ..objective_form(layout, options, fields, problems, 0)
    }
}

/// `GET /objectives/{id}/edit`: the objective's form, filled in.
pub async fn show_edit_objective(State(app): State<App>, viewer: Viewer, Id(id): Id<ObjectiveId>) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let options = options(&app, caller, &names, Some(id.get())).await?;
    let layout = Layout::new(&viewer, "", format!("Edit {}", objective.title));
    let form = edit_form(layout, options, id.get(), objective.version, fields_of(&objective), Problems::default());
    Ok(page(StatusCode::OK, &form))
}

/// `POST /objectives/{id}/edit`: changes the objective, based on the version the form showed.
pub async fn save_objective(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let names = Names::load(&app, caller).await?;
    let (owner_person_id, owner_team_id) = read_owner(&fields, &names, &mut problems);
    let parent = fields.whole("parent", &mut problems);
    let change = ObjectivePatch {
        version,
        title: Some(fields.text("title").to_owned()),
        description: Some(fields.text("description").to_owned()),
        owner_person_id,
        owner_team_id,
        commitment: read_choice::<Commitment>(&fields, "commitment", &mut problems),
        parent_objective_id: Some(parent),
        parent_key_result_id: None,
        visibility: read_choice::<Visibility>(&fields, "visibility", &mut problems),
        rollup_children: read_rollup(&fields),
    };
    let status = if problems.is_empty() {
        match app.objectives().update(caller, id, change).await {
            Ok(_) => return Ok(see_other(&format!("/objectives/{id}"))),
            Err(error) => problems.refused(error, |path| Some(objective_field(path).to_owned()))?,
        }
    } else {
        // What the form could not read is marked; the app's dry run finds the rest.
        if let Err(AppError::Invalid(errors)) = app.objectives().check_update(caller, id, change).await {
            problems.extend(&errors, |path| Some(objective_field(path).to_owned()));
        }
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let names = Names::load(&app, caller).await?;
    let options = options(&app, caller, &names, Some(id.get())).await?;
    let layout = Layout::new(&viewer, "", "Edit objective");
    Ok(page(status, &edit_form(layout, options, id.get(), version, fields, problems)))
}

#[derive(Template)]
#[template(path = "key_result_form.html")]
struct KeyResultFormPage {
    layout: Layout,
    objective_id: i64,
    objective_title: String,
    problems: Problems,
    row: KeyResultForm,
}

pub(super) fn people_of(names: &Names) -> Vec<(String, String)> {
    let mut people: Vec<(String, String)> =
        names.people.values().filter(|p| !p.archived).map(|p| (p.id.to_string(), p.name.clone())).collect();
    people.sort_by(|a, b| a.1.cmp(&b.1));
    people
}

/// `GET /objectives/{id}/key-results/new`: the form for one more key result.
pub async fn show_new_key_result(State(app): State<App>, viewer: Viewer, Id(id): Id<ObjectiveId>) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let template = KeyResultFormPage {
        layout: Layout::new(&viewer, "", "New key result"),
        objective_id: id.get(),
        objective_title: objective.title,
        row: key_result_form(
            0,
            &Fields::default(),
            &Problems::default(),
            &people_of(&names),
            Some(&Picker::of(&names, false)),
            &kpi_options(&app, caller).await?,
        ),
        problems: Problems::default(),
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /objectives/{id}/key-results/new`: adds the key result.
pub async fn save_new_key_result(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    let mut problems = Problems::default();
    let names = Names::load(&app, caller).await?;
    let new = read_key_result(&fields, 0, &names, &mut problems);
    if new.is_none() && fields.text("key_results.0.title").is_empty() {
        problems.add("key_results.0.title", "write the key result as a sentence");
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let field_of = |path: &Path| Some(format!("key_results.0.{}", key_result_field(path)));
    match new {
        Some(new) if problems.is_empty() => match app.key_results().create(caller, id, new).await {
            Ok(created) => return Ok(see_other(&format!("/objectives/{id}#key-result-{}", created.id))),
            Err(error) => status = problems.refused(error, field_of)?,
        },
        // What the form could not read is marked; the app's dry run finds the rest.
        Some(new) => {
            if let Err(AppError::Invalid(errors)) = app.key_results().check_new(caller, id, new).await {
                problems.extend(&errors, field_of);
            }
        }
        None => {}
    }
    let names = Names::load(&app, caller).await?;
    let template = KeyResultFormPage {
        layout: Layout::new(&viewer, "", "New key result"),
        objective_id: id.get(),
        objective_title: objective.title,
        row: key_result_form(
            0,
            &fields,
            &problems,
            &people_of(&names),
            Some(&Picker::of(&names, false)),
            &kpi_options(&app, caller).await?,
        ),
        problems,
    };
    Ok(page(status, &template))
}

#[derive(Template)]
#[template(path = "key_result_fields.html")]
struct KeyResultFields {
    row: KeyResultForm,
}

/// The query of `/key-results/parse`: the row and its sentence.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ParseQuery {
    /// The row of the form.
    #[serde(default)]
    pub index: usize,
    /// Every other parameter: the sentence is `key_results.{index}.title`.
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

/// `GET /key-results/parse?index=N&key_results.N.title=…`: the fields of row N filled
/// from its sentence, as an htmx fragment that replaces them while the sentence is typed.
pub async fn parse_sentence(_viewer: Viewer, Query(query): Query<ParseQuery>) -> PageResult {
    let index = query.index.min(50);
    let title = query.fields.get(&format!("key_results.{index}.title")).cloned().unwrap_or_default();
    let mut problems = Problems::default();
    let reading = interpret(Some(&title), &Given::default(), None, Baseline::NotLinked);
    let numbers = reading.numbers;
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let mut pairs = HashMap::new();
    let name = |field: &str| format!("key_results.{index}.{field}");
    pairs.insert(name("title"), title.clone());
    pairs.insert(name("kind"), numbers.kind.map(|k| k.as_str().to_owned()).unwrap_or_default());
    let (start, target) = match (numbers.kind, numbers.range) {
        (Some(KeyResultKind::Range), Some([low, high])) => (Some(low), Some(high)),
        _ => (numbers.start, numbers.target),
    };
    pairs.insert(name("start"), number(start));
    pairs.insert(name("target"), number(target));
    pairs.insert(name("unit"), numbers.unit.unwrap_or_default());
    // The fragment holds the fields under the sentence, not the sentence itself: what is
    // wrong with the sentence is said at the first of them, right below it.
    if !title.trim().is_empty() {
        for problem in reading.problems {
            let field = if problem.field == "start" { "start" } else { "kind" };
            problems.add(&name(field), problem.detail);
        }
    }
    let row = key_result_form(index, &Fields::from(pairs), &problems, &[], None, &[]);
    Ok(page(StatusCode::OK, &KeyResultFields { row }))
}

/// `POST /objectives/{id}/rollup`: the objective page's switch: whether its progress
/// rolls up the objectives aligned to it (owners, editors and admins).
pub async fn save_rollup(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let rollup_children = match fields.text("rollup_children") {
        "yes" => true,
        "no" => false,
        other => {
            let detail = format!("expected yes or no, got {other:?}");
            return Err(AppError::invalid(Path::root().field("rollup_children"), detail).into());
        }
    };
    let change = ObjectivePatch {
        version,
        title: None,
        description: None,
        owner_person_id: None,
        owner_team_id: None,
        commitment: None,
        parent_objective_id: None,
        parent_key_result_id: None,
        visibility: None,
        rollup_children: Some(rollup_children),
    };
    app.objectives().update(caller, id, change).await?;
    Ok(see_other(&format!("/objectives/{id}#rollup-note")))
}
