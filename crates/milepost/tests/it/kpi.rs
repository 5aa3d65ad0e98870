//! `milepost kpi` through the real binary on a data directory: define a KPI, record a
//! value, import a CSV file (twice: the second run changes nothing), refuse a file with
//! a bad row before writing anything, and read KPIs back as JSON.

use crate::milepost;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn kpi(cwd: &Path, args: &[&str]) -> Output {
    milepost(cwd).arg("kpi").args(args).args(["--data-dir", "d"]).output().unwrap()
}

#[track_caller]
fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

#[test]
fn kpis_are_defined_recorded_and_imported_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let none = kpi(cwd, &["list"]);
    assert!(!none.status.success() && String::from_utf8_lossy(&none.stderr).contains("milepost workspace create"));
    ok(&milepost(cwd).args(["workspace", "create", "Acme", "--data-dir", "d"]).output().unwrap());
    let created = ok(&kpi(
        cwd,
        &["create", "--name", "Website uptime", "--direction", "higher", "--target", "99.9", "--warning-band", "0.1"]
            .iter()
            .chain(&["--cadence", "daily", "--unit", "%", "--tag", "reliability"])
            .copied()
            .collect::<Vec<_>>(),
    ));
    assert!(created.contains("Created KPI Website uptime (website-uptime)"), "{created}");
    let bad = kpi(cwd, &["create", "--name", "Churn", "--direction", "range", "--cadence", "weekly"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("range"), "{}", String::from_utf8_lossy(&bad.stderr));

    let recorded = ok(&kpi(cwd, &["record", "website-uptime", "99.95", "--at", "2026-11-01T00:00:00Z"]));
    assert!(recorded.contains("Recorded 99.95 for website-uptime"), "{recorded}");
    let again = ok(&kpi(cwd, &["record", "website-uptime", "99.95", "--at", "2026-11-01"]));
    assert!(again.contains("nothing changed"), "{again}");

    // 2,500 hourly rows, imported in batches of 1,000; the second run writes nothing.
    let mut csv = String::from("measured_at,value\n");
    let start: jiff::Timestamp = "2026-08-01T00:00:00Z".parse().unwrap();
    for hour in 0..2500 {
        let at = start.saturating_add(jiff::SignedDuration::from_hours(hour)).unwrap();
        csv.push_str(&format!("{at},{}\n", 99.0 + (hour % 10) as f64 / 10.0));
    }
    std::fs::write(cwd.join("uptime.csv"), &csv).unwrap();
    let imported = ok(&kpi(cwd, &["import", "website-uptime", "uptime.csv", "--batch-size", "1000"]));
    assert!(imported.contains("2500 rows read, 2500 written (1 corrections), 0 unchanged"), "{imported}");
    let again = ok(&kpi(cwd, &["import", "website-uptime", "uptime.csv"]));
    assert!(again.contains("2500 rows read, 0 written (0 corrections), 2500 unchanged"), "{again}");

    // A bad row stops the import before anything is written, naming row and line.
    std::fs::write(cwd.join("bad.csv"), "measured_at,value\n2026-11-20,1\n2026-11-21,lots\n").unwrap();
    let refused = kpi(cwd, &["import", "website-uptime", "bad.csv"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("row 2 (line 3)") && stderr.contains("nothing was imported"), "{stderr}");

    let listed: Value = serde_json::from_str(&ok(&kpi(cwd, &["list", "--output", "json"]))).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["slug"], "website-uptime");
    let shown: Value = serde_json::from_str(&ok(&kpi(cwd, &["show", "website-uptime", "--output", "json"]))).unwrap();
    assert_eq!(shown["state"]["last_measured_at"], "2026-11-13T03:00:00Z", "the latest measurement: {shown}");
    assert!(!ok(&kpi(cwd, &["list"])).contains("lots"));

    // Drafting needs a lagging KPI; this one is silent now, so it is refused.
    let draft = kpi(cwd, &["draft", "website-uptime"]);
    assert!(!draft.status.success());
    assert!(
        String::from_utf8_lossy(&draft.stderr).contains("is not lagging"),
        "{}",
        String::from_utf8_lossy(&draft.stderr)
    );
}
