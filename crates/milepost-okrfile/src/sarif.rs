//! Diagnostics as SARIF 2.1.0 (`milepost lint --output sarif`), the format code-scanning
//! services read to mark the lines of a pull request.
//!
//! One run, its tool `milepost` with every rule of [`RULES`](crate::RULES) (id, summary,
//! default level), and one result per diagnostic: the rule's id and index, the level
//! (`error` or `warning`), the message with its suggestion, and where it is — the file
//! as a relative URI, the line and the columns. Columns count characters, as the
//! diagnostics do, which the run says with `columnKind: unicodeCodePoints`.

use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::RULES;
use serde_json::{Value, json};

/// The SARIF log of `diagnostics`, made by Milepost `version`.
pub fn render_sarif(diagnostics: &[Diagnostic], version: &str) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name,
                "shortDescription": { "text": rule.summary },
                "defaultConfiguration": { "level": level(rule.severity) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(suggestion) = &d.suggestion {
                text.push_str(&format!(" ({suggestion})"));
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.file) },
                        "region": {
                            "startLine": d.line.max(1),
                            "startColumn": d.column.max(1),
                            "endColumn": d.end_column.max(d.column.max(1) + 1),
                        }
                    }
                }],
            });
            if let Some(index) = RULES.iter().position(|r| r.name == d.rule) {
                result["ruleIndex"] = json!(index);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "milepost",
                "version": version,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A file name as a relative URI reference: forward slashes, `./` dropped, and the
/// characters a URI may not hold percent-encoded.
fn uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_relative_uris() {
        assert_eq!(uri("./okrs/2026-Q4/support team.md"), "okrs/2026-Q4/support%20team.md");
        assert_eq!(uri("okrs\\é.md"), "okrs/%C3%A9.md");
    }
}
