//! `milepost diff OLD NEW`: two folders, or two revisions of a real git repository, and
//! what the change does as Markdown for a pull request comment or as JSON.

use super::*;
use serde_json::Value;
use std::path::Path;

const BEFORE: &str = "---
cycle: 2026-Q4
owner: team/support
---

# Streamline ticket resolution (committed) <!-- id: O-12 -->

- Cut first response time from 8h to 2h @dana <!-- id: KR-40 -->
- Raise CSAT from 85% to 92% <!-- id: KR-41 -->

# Make self-service the easy path (aspirational) <!-- id: O-13 -->

- Publish 40 help articles <!-- id: KR-42 -->
";

const AFTER: &str = "---
cycle: 2026-Q4
owner: team/support
---

# Streamline ticket resolution (committed) <!-- id: O-12 -->

- Cut first response time from 8h to 1h @dana <!-- id: KR-40 -->
- Raise CSAT from 85% to 92% @omar <!-- id: KR-41 -->
- Answer 95% of chats within 2 minutes

# Win back lapsed customers

- Win back 500 lapsed customers
";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn diff(cwd: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = milepost(cwd).arg("diff").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), format!("{}{stderr}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn two_folders_show_what_apply_would_change_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    write(cwd, "old/support.md", BEFORE);
    write(cwd, "old/README.md", "# Our OKRs\n\nNot an OKR file: left out.\n");
    write(cwd, "new/support.md", AFTER);
    let (code, text) = diff(cwd, &["old", "new"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("### Milepost: what these OKR changes do"), "{text}");
    assert!(text.contains("#### 2026-Q4 · team/support"), "{text}");
    // A changed sentence is one change, with how it now reads and what it was.
    assert!(text.contains("✏️ key result KR-40: `Cut first response time from 8h to 1h`"), "{text}");
    assert!(text.contains("reads as: decrease “first response time” from 8 h to 1 h"), "{text}");
    assert!(text.contains("was: `Cut first response time from 8h to 2h`"), "{text}");
    assert!(text.contains("owner: `none` → `omar`"), "{text}");
    assert!(text.contains("➕ key result: `Answer 95% of chats within 2 minutes`"), "{text}");
    assert!(text.contains("➕ new objective **Win back lapsed customers**"), "{text}");
    // Gone from a file the change keeps: apply archives it.
    assert!(
        text.contains("- ➖ objective archived by `milepost apply` **Make self-service the easy path** (O-13)"),
        "{text}"
    );
    assert!(
        text.contains("Objectives: 1 new, 1 changed, 1 archived. Key results: 2 new, 2 changed, 0 archived."),
        "{text}"
    );

    let (_, json) = diff(cwd, &["old", "new", "--output", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["objectives"][0]["id"], "O-12");
    assert_eq!(report["objectives"][0]["key_results"][0]["change"], "changed");
    assert!(report["errors"].as_array().unwrap().is_empty());

    // The same files: nothing changes.
    let (code, same) = diff(cwd, &["old", "old"]);
    assert_eq!(code, Some(0));
    assert!(same.contains("No change to objectives, key results or KPIs."), "{same}");
}

#[test]
fn errors_in_the_new_files_come_first_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    write(cwd, "old/support.md", BEFORE);
    write(cwd, "new/support.md", &BEFORE.replace("from 85% to 92%", "from 92% to 92%"));
    let (code, text) = diff(cwd, &["old", "new"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("error(s): `milepost apply` would refuse these files"), "{text}");
    assert!(text.contains("`support.md:9:3`") && text.contains("[start-equals-target]"), "{text}");
}

#[test]
fn two_git_revisions_are_compared_from_the_repository() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let git = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .args(["-c", "user.name=Dana", "-c", "user.email=dana@example.com", "-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    };
    git(&["init", "-q"]);
    write(cwd, "okrs/2026-Q4/support.md", BEFORE);
    write(cwd, "src/notes.md", "---\nowner: @someone-else\n---\n");
    git(&["add", "."]);
    git(&["commit", "-qm", "OKRs"]);
    write(cwd, "okrs/2026-Q4/support.md", AFTER);
    git(&["commit", "-qam", "Raise the bar"]);
    let (code, text) = diff(cwd, &["HEAD~1", "HEAD", "--path", "okrs"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("`2026-Q4/support.md`"), "paths under --path: {text}");
    assert!(text.contains("✏️ key result KR-40"), "{text}");
    // A folder against a revision works too.
    let (code, same) = diff(cwd, &["HEAD", "okrs"]);
    assert_eq!(code, Some(0), "{same}");
    let (code, bad) = diff(cwd, &["no-such-branch", "HEAD"]);
    assert_eq!(code, Some(1));
    assert!(bad.contains("\"no-such-branch\" is neither a folder nor a git revision"), "{bad}");
    let (code, option) = diff(cwd, &["--", "--upload-pack=x", "HEAD"]);
    assert_eq!(code, Some(1));
    assert!(option.contains("neither a folder nor a git revision"), "{option}");
}
