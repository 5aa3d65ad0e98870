//! The `--help` of every command, checked against the snapshots in
//! `tests/it/snapshots/help/`, one file per command path (`milepost-kpi-import.txt`).
//!
//! The commands are found by reading the `Commands:` section of each help, starting at
//! the top, so a new subcommand is covered (and asks for its snapshot) without editing
//! this test. Help is printed 100 columns wide with an empty environment, and must not
//! change when the environment, the home directory or the working directory do. Run with
//! `MILEPOST_UPDATE_SNAPSHOTS=1` to rewrite the snapshots (and remove those of commands
//! that are gone), then review the diff.

use crate::repo_file;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The command that rewrites the snapshots.
const UPDATE: &str = "MILEPOST_UPDATE_SNAPSHOTS=1 cargo test -p milepost --test it help";

/// Where the snapshots live.
fn snapshot_dir() -> PathBuf {
    repo_file("tests/it/snapshots/help")
}

/// The snapshot file of a command path: `["kpi", "import"]` is `milepost-kpi-import.txt`.
fn snapshot_name(path: &[String]) -> String {
    let mut name = String::from("milepost");
    for part in path {
        name.push('-');
        name.push_str(part);
    }
    name.push_str(".txt");
    name
}

/// The help of `milepost PATH... --help` with nothing from the environment but `vars`,
/// run in `cwd`.
fn help_in(path: &[String], cwd: &Path, vars: &[(&str, &str)]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_milepost"))
        .args(path)
        .arg("--help")
        .current_dir(cwd)
        .env_clear()
        .env("COLUMNS", "100")
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "milepost {} --help failed: {}{}",
        path.join(" "),
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The subcommands a help lists under `Commands:`, without clap's own `help`.
fn subcommands(help: &str) -> Vec<String> {
    let mut lines = help.lines().skip_while(|line| *line != "Commands:").skip(1);
    let mut names = Vec::new();
    for line in lines.by_ref() {
        if line.trim().is_empty() {
            break;
        }
        // A command's line starts two spaces in; a description wrapped onto the next
        // line starts further in.
        if let Some(rest) = line.strip_prefix("  ")
            && !rest.starts_with(' ')
            && let Some(name) = rest.split_whitespace().next()
            && name != "help"
        {
            names.push(name.to_owned());
        }
    }
    names
}

/// Every command path, from the top (`[]`) down, each with its help.
fn every_help(cwd: &Path) -> BTreeMap<Vec<String>, String> {
    let mut found = BTreeMap::new();
    let mut queue: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let help = help_in(&path, cwd, &[]);
        for name in subcommands(&help) {
            let mut child = path.clone();
            child.push(name);
            queue.push(child);
        }
        found.insert(path, help);
    }
    found
}

/// A line diff of `expected` and `actual`: `-` lines only in the snapshot, `+` lines
/// only in the help, two spaces before lines in both.
fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // The longest common subsequence, from the ends, so the walk below goes forwards.
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] =
                if old[i] == new[j] { common[i + 1][j + 1] + 1 } else { common[i + 1][j].max(common[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            out.push_str(&format!("  {}\n", old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            out.push_str(&format!("- {}\n", old[i]));
            i += 1;
        } else {
            out.push_str(&format!("+ {}\n", new[j]));
            j += 1;
        }
    }
    out
}

#[test]
fn subcommands_are_read_from_the_commands_section() {
    let help = "Does things.\n\nUsage: milepost <COMMAND>\n\nCommands:\n  serve  Serve the web app\n  kpi    KPIs: list,\n         show\n  help   Print this message\n\nOptions:\n  -h, --help  Print help\n";
    assert_eq!(subcommands(help), ["serve", "kpi"]);
    assert!(subcommands("Usage: milepost lint [FILES]...\n\nOptions:\n  -h, --help  Print help\n").is_empty());
}

#[test]
fn the_diff_marks_removed_and_added_lines() {
    assert_eq!(diff("a\nb\nc\n", "a\nx\nc\n"), "  a\n- b\n+ x\n  c\n");
    assert_eq!(diff("a\n", "a\nb\n"), "  a\n+ b\n");
}

#[test]
fn every_help_equals_its_snapshot() {
    let cwd = tempfile::tempdir().unwrap();
    let helps = every_help(cwd.path());
    assert!(helps.len() > 20, "the walk found only {:?}", helps.keys().collect::<Vec<_>>());
    assert!(helps.contains_key(&vec!["kpi".to_owned(), "import".to_owned()]), "nested commands are walked");

    let dir = snapshot_dir();
    let expected: BTreeMap<String, &String> = helps.iter().map(|(path, help)| (snapshot_name(path), help)).collect();
    let stored: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };

    if std::env::var("MILEPOST_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, help) in &expected {
            std::fs::write(dir.join(name), help).unwrap();
        }
        for name in stored.iter().filter(|name| !expected.contains_key(*name)) {
            std::fs::remove_file(dir.join(name)).unwrap();
        }
        return;
    }

    let mut problems = Vec::new();
    for (name, help) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(snapshot) if &snapshot == *help => {}
            Ok(snapshot) => problems.push(format!("{name} differs (- snapshot, + help):\n{}", diff(&snapshot, help))),
            Err(error) => problems.push(format!("{name} cannot be read ({error}): a new command?")),
        }
    }
    for name in stored.iter().filter(|name| !expected.contains_key(*name)) {
        problems.push(format!("{name} is the snapshot of a command that no longer exists"));
    }
    assert!(
        problems.is_empty(),
        "the help differs from its snapshots in {}:\n\n{}\nIf the change is intended, run `{UPDATE}` and review the diff.",
        dir.display(),
        problems.join("\n")
    );
}

#[test]
fn help_does_not_depend_on_the_environment() {
    let quiet = tempfile::tempdir().unwrap();
    let busy = tempfile::tempdir().unwrap();
    let home = busy.path().to_string_lossy().into_owned();
    // Everything a setting could be read from, set to something that would show.
    let vars = [
        ("HOME", home.as_str()),
        ("MILEPOST_LISTEN", "192.0.2.7:6543"),
        ("MILEPOST_DATA_DIR", "/leaked/data"),
        ("MILEPOST_DATABASE_URL", "postgres://leaked@example/db"),
        ("MILEPOST_TOKEN", "mp_leaked"),
        ("MILEPOST_LOG", "trace"),
        ("MILEPOST_LOG_FORMAT", "json"),
        ("MILEPOST_SQL_SOURCES", "sqlite:///leaked/"),
        ("MILEPOST_HTTP_SOURCES", "http://leaked.example/"),
    ];
    std::fs::write(busy.path().join("milepost.toml"), "listen = \"192.0.2.8:6543\"\ndata_dir = \"/leaked/toml\"\n")
        .unwrap();
    for (path, help) in every_help(quiet.path()) {
        let busy_help = help_in(&path, busy.path(), &vars);
        assert_eq!(help, busy_help, "milepost {} --help depends on the environment", path.join(" "));
    }
}
