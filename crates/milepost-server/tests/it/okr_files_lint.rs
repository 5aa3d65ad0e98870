//! Lint knows what apply knows: files generated over a workspace's names (owners, cycles,
//! KPIs with and without measurements, alignments, sentences complete and not, every
//! annotation) are linted through `POST /api/v1/okr-files/lint` and applied as a dry run.
//! A file lint passes, apply accepts; a file lint refuses, apply refuses at the same
//! places. And the linter's own rules find everything a file shows: the problems only
//! the plan could find (rule `apply`) are those that need a KPI's value. The generator is
//! seeded, so a failure is the same on every run and prints the files.

use crate::harness::{Api, Org, id};
use serde_json::{Value, json};

/// How many sets of files each database checks.
const CASES: u64 = 40;

/// A small seeded generator (xorshift64*): the same cases on every run.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let n = u64::try_from(n).unwrap();
        usize::try_from(self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n).unwrap()
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// Key result sentences apply can create as written.
const SENTENCES: &[&str] = &[
    "Increase NPS from 32 to 50",
    "Cut deploy time from 40 min to 10 min",
    "Raise deploy success rate from 90% to 99%",
    "Launch one-click rollback",
    "Hire 5 engineers",
    "Keep uptime at or above 99.9%",
    "Keep p95 latency under 300 ms in 95% of weeks",
    "Keep CSAT between 85% and 95%",
    "Reduce churn from 5% to 3%",
    "Double paid seats from 200 to 400",
    "Sign 15 new enterprise customers",
    "Book $120,000 in wholesale orders",
    "Grow ARR from $1.2M to $2M",
    "Zürich: raise CSAT from 85% to 92%",
    "Write the onboarding guide",
];

/// Key result sentences apply cannot create without more (a start, a KPI, a number), and
/// edges.
const HARD_SENTENCES: &[&str] = &[
    "Reduce recurring tickets by 30%",
    "Handle 20% more tickets each week",
    "Improve the vibe",
    "Increase NPS from 50 to 50",
    "Cut first response time by 2h",
    "Increase NPS to 60",
    "Reduce incidents to 0",
    "Raise CSAT by 5 points",
];

const OWNERS: &[&str] = &["team/platform", "team/engineering", "@dana", "@eli"];

/// One generated file: its owner and text. A `hostile` one may hold anything apply
/// refuses (names nobody has, sentences that say too little, titles too long, a share on
/// a kind without slices); a friendly one only what the workspace knows, though a
/// sentence may still need a start its KPI cannot give.
fn file(dice: &mut Dice, owner: &str, parent: (i64, i64), hostile: bool) -> String {
    let odd = |dice: &mut Dice, n: usize| hostile && dice.one_in(n);
    let cycle = dice.pick(&["2026-q4", "2026-Q4", "\"2026-q4\""]);
    let mut text = format!("---\ncycle: {cycle}\nowner: {owner}\n");
    if dice.one_in(4) {
        text += "aligns: company/delight-customers\n";
    }
    text += "---\n";
    let objectives = 1 + dice.below(3);
    for n in 0..objectives {
        let title = match dice.below(16) {
            0 => "Grow 20%".to_owned(),
            // 300 characters, and 301.
            1 => format!("Make it{}", " very".repeat(58)) + "!!!",
            2 if hostile => format!("Make it{}", " very".repeat(58)) + "!!!!",
            _ => format!("{} {n}", dice.pick(&["Make deploys boring", "Delight customers", "Answer faster"])),
        };
        let mut annotations = Vec::new();
        if dice.one_in(3) {
            annotations.push(dice.pick(&["committed", "aspirational"]).to_owned());
        }
        if dice.one_in(4) {
            annotations.push(dice.pick(&["visibility: team", "visibility: workspace"]).to_owned());
        }
        if dice.one_in(4) {
            annotations.push(match dice.below(3) {
                0 => format!("aligns: O-{}", parent.0),
                1 => format!("aligns: KR-{}", parent.1),
                _ => "aligns: company/delight-customers".to_owned(),
            });
        }
        let annotations = if annotations.is_empty() { String::new() } else { format!(" ({})", annotations.join(", ")) };
        text += &format!("\n# {title}{annotations}\n\n");
        if dice.one_in(3) {
            text += "Why it matters, in a line.\n\n";
        }
        for _ in 0..1 + dice.below(4) {
            // 300 characters, and 301.
            let long = format!("Raise CSAT from 85% to 92% for{}", " us".repeat(90));
            let mut line = match dice.below(40) {
                0 => long,
                1 if hostile => long + "!",
                2..=7 if hostile => dice.pick(HARD_SENTENCES).to_owned(),
                _ => dice.pick(SENTENCES).to_owned(),
            };
            if dice.one_in(4) {
                line += if odd(dice, 4) { " @nobody" } else { dice.pick(&[" @dana", " @eli"]) };
            }
            let mut notes = Vec::new();
            if dice.one_in(3) {
                let kpi = if hostile { dice.pick(&["csat", "csat", "nps", "uptime"]) } else { "csat" };
                notes.push(format!("kpi: {kpi}"));
            }
            if dice.one_in(5) {
                notes.push(format!("weight: {}", dice.pick(&["0.5", "2", "1000"])));
            }
            if dice.one_in(5) {
                notes.push(format!("cadence: {}", dice.pick(&["daily", "weekly", "monthly"])));
            }
            if odd(dice, 5) {
                notes.push(format!("share: {}", dice.pick(&["95%", "100%", "50%"])));
            }
            if !notes.is_empty() {
                line += &format!(" ({})", notes.join(", "));
            }
            text += &format!("- {line}\n");
        }
    }
    text
}

/// The files of one case: one to three, their owners drawn (the same twice, now and then).
fn case(seed: u64, parent: (i64, i64)) -> Vec<(String, String)> {
    let mut dice = Dice::new(seed);
    let hostile = dice.one_in(2);
    let first = dice.below(OWNERS.len());
    (0..1 + dice.below(3))
        .map(|n| {
            // Each file its own owner; in a hostile case, now and then the same one again.
            let again = hostile && dice.one_in(4);
            let owner = if again { OWNERS[first] } else { OWNERS[(first + n) % OWNERS.len()] };
            (format!("okrs/{n}-{}.md", owner.replace(['/', '@'], "")), file(&mut dice, owner, parent, hostile))
        })
        .collect()
}

fn body(files: &[(String, String)]) -> Value {
    json!({ "files": files.iter().map(|(name, text)| json!({"name": name, "text": text})).collect::<Vec<_>>() })
}

fn shown(files: &[(String, String)]) -> String {
    files.iter().map(|(name, text)| format!("=== {name}\n{text}")).collect()
}

/// The workspace the files are generated over: the company's objective with a key
/// result to align to, a KPI with a measurement (`csat`) and one without (`nps`).
async fn workspace(api: &Api) -> (Org, (i64, i64)) {
    let org = Org::new(api, "acme").await;
    let parent =
        org.team_objective("Delight customers", org.company, json!([Org::increase("Grow NPS", 30.0, 50.0)])).await;
    let key_result = id(&parent["key_results"][0]);
    for name in ["CSAT", "NPS"] {
        let kpi = org
            .api
            .post(
                "/api/v1/kpis",
                json!({"name": name, "direction": "higher_is_better", "target": 90, "cadence": "weekly"}),
            )
            .await
            .expect(201);
        if name == "CSAT" {
            org.api
                .post(
                    &format!("/api/v1/kpis/{}/measurements", id(&kpi)),
                    json!({"value": 84.0, "measured_at": "2026-10-01T00:00:00Z"}),
                )
                .await
                .expect(201);
        }
    }
    (org, (id(&parent), key_result))
}

http_test!(
    what_lint_passes_apply_accepts_and_what_it_refuses_apply_refuses_at_the_same_places,
    |api: Api| async move {
        let (org, parent) = workspace(&api).await;
        let (mut clean, mut refused, mut planned) = (0, 0, 0);
        for seed in 0..CASES {
            let files = case(seed, parent);
            let report = org.api.post("/api/v1/okr-files/lint", body(&files)).await.expect(200);
            let mut dry_run = body(&files);
            dry_run["dry_run"] = json!(true);
            let applied = org.api.post("/api/v1/okr-files/apply", dry_run).await;
            if report["errors"] == 0 {
                clean += 1;
                assert_eq!(
                    applied.status,
                    200,
                    "lint passed, apply refused (case {seed}):\n{}\n{}\n{report}",
                    shown(&files),
                    applied.text
                );
            } else {
                refused += 1;
                assert_eq!(
                    applied.status,
                    422,
                    "lint refused, apply did not (case {seed}):\n{}\n{report}",
                    shown(&files)
                );
                // Every error lint reports is among apply's, at the same file, line and column.
                // Apply's problems, each its own words.
                let body: Value = serde_json::from_str(&applied.text).unwrap();
                let details: Vec<&str> =
                    body["errors"].as_array().unwrap().iter().map(|e| e["detail"].as_str().unwrap()).collect();
                let says = |words: &[&str]| details.iter().any(|d| words.iter().all(|w| d.contains(w)));
                for diagnostic in
                    report["files"].as_array().unwrap().iter().flat_map(|f| f["diagnostics"].as_array().unwrap())
                {
                    if diagnostic["severity"] != "error" {
                        continue;
                    }
                    // Only a start taken from a KPI's value needs the database to judge.
                    if diagnostic["rule"] == "apply" {
                        let (name, line) = (diagnostic["file"].as_str().unwrap(), diagnostic["line"].as_u64().unwrap());
                        let text = &files.iter().find(|(n, _)| n == name).unwrap().1;
                        let written = text.lines().nth(usize::try_from(line).unwrap() - 1).unwrap();
                        assert!(
                            written.contains("kpi: "),
                            "only the plan found {diagnostic} (case {seed}):\n{}",
                            shown(&files)
                        );
                        planned += 1;
                        // The plan's own words, at the same file and line.
                        let said = format!("{name}:{line}: {}", diagnostic["message"].as_str().unwrap());
                        assert!(says(&[&said]), "apply does not say {said}: {details:#?}");
                        continue;
                    }
                    let place = format!(
                        "{}:{}:{}:",
                        diagnostic["file"].as_str().unwrap(),
                        diagnostic["line"],
                        diagnostic["column"]
                    );
                    let rule = format!("[{}]", diagnostic["rule"].as_str().unwrap());
                    assert!(says(&[&place, &rule]), "apply does not say {place} {rule}: {details:#?}");
                }
            }
        }
        // Neither side is empty: the generator makes files of both kinds.
        assert!(clean >= CASES / 5 && refused >= CASES / 5, "{clean} clean and {refused} refused of {CASES}");
        assert!(planned > 0, "no case needed the plan: the generator should link KPIs to counts now and then");
    }
);

http_test!(lint_reports_each_file_in_order_with_the_workspace_names, |api: Api| async move {
    let (org, _) = workspace(&api).await;
    let good = "---\ncycle: 2026-Q4\nowner: @dana\n---\n\n# Answer faster\n\n- Raise CSAT by 5% (kpi: csat)\n";
    let bad = "---\ncycle: 2026-q4\nowner: @dana\n---\n\n# Know customers\n\n- Raise NPS by 5 (kpi: nps)\n- Grow 20% @ghost\n";
    let kpi_file = "---\nkpis: @dana\n---\n\n# Weekly signups\n\n- direction: higher is better\n- target: 100\n- cadence: weekly\n";
    let uses_new_kpi = "---\ncycle: 2026-q4\nowner: team/platform\n---\n\n# Grow\n\n- Raise weekly signups by 10% (kpi: weekly-signups)\n";
    let files = [("a.md", good), ("b.md", bad), ("kpis.md", kpi_file), ("p.md", uses_new_kpi)]
        .map(|(name, text)| (name.to_owned(), text.to_owned()));
    let report = org.api.post("/api/v1/okr-files/lint", body(&files)).await.expect(200);
    let names: Vec<&str> = report["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["a.md", "b.md", "kpis.md", "p.md"]);
    let found = |n: usize| -> Vec<(String, u64, u64)> {
        report["files"][n]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (d["rule"].as_str().unwrap().to_owned(), d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
            })
            .collect()
    };
    assert_eq!(found(0), []);
    let b = found(1);
    // `nps` has no measurement to start from; a second file for dana; nobody called ghost.
    assert!(b.contains(&("duplicate-file-owner".to_owned(), 3, 8)), "{report}");
    assert!(b.contains(&("key-result-incomplete".to_owned(), 8, 3)), "{report}");
    assert!(b.contains(&("key-result-incomplete".to_owned(), 9, 3)), "{report}");
    assert!(b.contains(&("unknown-owner".to_owned(), 9, 12)), "{report}");
    assert!(report["files"][1]["diagnostics"].to_string().contains("has no measurement yet"), "{report}");
    // A KPI the files define is known beside them, and has nothing to start from yet.
    assert_eq!(found(3), [("key-result-incomplete".to_owned(), 8, 3)], "{report}");
    assert_eq!(report["errors"], 5, "{report}");
    // Bad requests say what is wrong and where.
    org.api.post("/api/v1/okr-files/lint", json!({"files": []})).await.invalid_at(&["/files"]);
    assert_eq!(org.api.post("/api/v1/okr-files/lint", json!({"file": []})).await.status, 422);
});
