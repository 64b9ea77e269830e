//! Every value the user writes reaches the page: a plan with every key of the
//! schema, each free-text value a unique marker, built with `--also all`; each
//! marker must come back out of some output (the plan's PDF, the companion
//! PDFs, the .xlsx, the .csv), or its key must be listed, with the reason, in
//! tests/fixtures/keywalk/not-printed.toml.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::Value;

use crate::common::*;

#[derive(Deserialize)]
struct NotPrinted {
    key: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    path: String,
    kind: String,
    why: String,
}

/// What a key holds, read off the schema.
enum Shape<'a> {
    Table(&'a Value),
    Tables(&'a Value),
    Text,
    Texts,
    Date,
    Integer,
    Boolean,
    Choice(Vec<String>),
}

/// Follow `$ref` and look through `Option`'s `anyOf: [T, null]` and a
/// description-carrying `allOf: [T]`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(r) = node["$ref"].as_str() {
        return resolve(root, root.pointer(r.trim_start_matches('#')).unwrap());
    }
    for combinator in ["anyOf", "allOf"] {
        if let Some(members) = node[combinator].as_array() {
            let real: Vec<&Value> = members.iter().filter(|m| m["type"] != "null").collect();
            if let [only] = real.as_slice() {
                return resolve(root, only);
            }
        }
    }
    node
}

fn has_type(node: &Value, t: &str) -> bool {
    node["type"] == t
        || node["type"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == t))
}

fn shape<'a>(root: &'a Value, property: &'a Value) -> Shape<'a> {
    let node = resolve(root, property);
    if node.get("properties").is_some() {
        return Shape::Table(node);
    }
    if let Some(choices) = node["oneOf"].as_array().or(node["enum"].as_array()) {
        return Shape::Choice(
            choices
                .iter()
                .map(|c| c["const"].as_str().or(c.as_str()).unwrap().to_string())
                .collect(),
        );
    }
    if has_type(node, "array") {
        let items = resolve(root, &node["items"]);
        return if items.get("properties").is_some() {
            Shape::Tables(items)
        } else {
            Shape::Texts
        };
    }
    if node["format"] == "date" {
        Shape::Date
    } else if has_type(node, "integer") {
        Shape::Integer
    } else if has_type(node, "boolean") {
        Shape::Boolean
    } else {
        assert!(has_type(node, "string"), "unknown shape: {node}");
        Shape::Text
    }
}

struct Walk<'a> {
    root: &'a Value,
    /// key path → the markers its values got (one per row).
    markers: BTreeMap<String, Vec<String>>,
    toml: String,
}

impl Walk<'_> {
    fn marker(&mut self, path: &str) -> String {
        let n: usize = self.markers.values().map(Vec::len).sum();
        let m = format!("QX{:03}", n + 1);
        self.markers
            .entry(path.to_string())
            .or_default()
            .push(m.clone());
        m
    }

    /// A value that is not a marker, for keys whose value must name
    /// something real (a system, a checklist item) or pick a choice.
    fn fixed(path: &str, row: usize) -> Option<String> {
        let value = match path {
            "facility.kind" => "hospital",
            "roles.designation" => ["chief", "security_manager", "csirt"][row],
            "contacts.category" => ["agency", "vendor", "internal"][row],
            "systems.importance" => "high",
            _ => return None,
        };
        Some(format!("\"{value}\""))
    }

    fn rows(path: &str) -> usize {
        match path {
            // One row per designation (and one with none) and per category:
            // each is printed in its own place.
            "roles" => 4,
            "contacts" => 3,
            _ => 1,
        }
    }

    fn table(&mut self, path: &str, node: &Value, row: usize, system: &str) {
        let mut nested = Vec::new();
        for (name, property) in node["properties"].as_object().unwrap() {
            let key = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            // A file, or key names: their keys are listed as references.
            if matches!(
                key.as_str(),
                "device_ledger" | "network.diagram" | "distribution"
            ) {
                continue;
            }
            let value = match shape(self.root, property) {
                Shape::Table(t) => {
                    nested.push((key, t, false));
                    continue;
                }
                Shape::Tables(t) => {
                    nested.push((key, t, true));
                    continue;
                }
                _ if key == "checklist.answers.item" => {
                    format!("\"{}\"", cyberbcp::checklist::ids().next().unwrap())
                }
                _ if matches!(key.as_str(), "alternatives.systems" | "contacts.systems") => {
                    if key == "contacts.systems" && row != 1 {
                        continue; // only a vendor maintains systems
                    }
                    format!("[\"{system}\"]")
                }
                _ if key == "roles.designation" && row == 3 => continue,
                _ if key == "backups.system" => format!("\"{system}\""),
                _ if key == "systems.name" => format!("\"{system}\""),
                _ if Self::fixed(&key, row).is_some() => Self::fixed(&key, row).unwrap(),
                Shape::Choice(c) => format!("\"{}\"", c[0]),
                Shape::Date => "2026-01-10".into(),
                Shape::Integer => "1".into(),
                // `private` would hide the row in the public copy only; remote
                // maintenance on, so its MDS/SDS record has a place.
                Shape::Boolean => (!name.ends_with("private")).to_string(),
                Shape::Text => format!("\"{}\"", self.marker(&key)),
                Shape::Texts => format!("[\"{}\"]", self.marker(&key)),
            };
            writeln!(self.toml, "{name} = {value}").unwrap();
        }
        for (key, t, many) in nested {
            for row in 0..if many { Self::rows(&key) } else { 1 } {
                let header = if many {
                    format!("\n[[{key}]]")
                } else {
                    format!("\n[{key}]")
                };
                writeln!(self.toml, "{header}").unwrap();
                self.table(&key, t, row, system);
            }
        }
    }
}

fn every_text(dir: &std::path::Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("pdf") => all.push_str(&pdf_text(&std::fs::read(&path).unwrap())),
            Some("csv") => all.push_str(&squash(&std::fs::read_to_string(&path).unwrap())),
            Some("xlsx") => {
                use calamine::Reader as _;
                let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
                for name in book.sheet_names() {
                    let range = book.worksheet_range(&name).unwrap();
                    for cell in range.used_cells() {
                        all.push_str(&squash(&cell.2.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    all
}

#[test]
fn every_key_of_the_schema_reaches_some_output() {
    let listed: NotPrinted = toml::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/keywalk/not-printed.toml")).unwrap(),
    )
    .unwrap();
    for l in &listed.key {
        assert!(
            ["reference", "verdict"].contains(&l.kind.as_str()) && !l.why.trim().is_empty(),
            "{}: kind and why",
            l.path
        );
    }
    let listed_paths: Vec<String> = listed.key.iter().map(|l| l.path.clone()).collect();
    let schema = cyberbcp::schema::schema();
    let keys: Vec<String> = cyberbcp::schema::keys()
        .into_iter()
        .map(|k| k.path)
        .collect();
    for l in &listed_paths {
        assert!(keys.contains(l), "listed key {l} is not in the schema");
    }

    let mut walk = Walk {
        root: &schema,
        markers: BTreeMap::new(),
        toml: String::new(),
    };
    // The system every reference names: a marker of systems.name.
    let system = walk.marker("systems.name");
    walk.table("", &schema, 0, &system);

    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    std::fs::write(&toml, &walk.toml).unwrap();
    let out = assert_cmd::Command::cargo_bin("cyberbcp")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["build", "--also", "all", "--color=never"])
        .arg(&toml)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        walk.toml
    );
    let text = every_text(dir.path());

    // Every key the schema has was walked: written with a marker, a fixed
    // value (a choice, a date, a number, a reference), or listed.
    let mut lost = Vec::new();
    for (key, markers) in &walk.markers {
        let missing: Vec<&String> = markers.iter().filter(|m| !text.contains(*m)).collect();
        let is_listed = listed_paths.contains(key);
        if !missing.is_empty() && !is_listed {
            lost.push(format!("{key}: {missing:?} reach no output"));
        }
        if missing.is_empty() && is_listed && key != "systems.name" {
            lost.push(format!(
                "{key} is listed as not printed, but its value is printed"
            ));
        }
    }
    assert!(
        lost.is_empty(),
        "free-text keys that print nowhere (print them where the ひな形 would, or list them with the reason in tests/fixtures/keywalk/not-printed.toml):\n{}\n\nplan:\n{}",
        lost.join("\n"),
        walk.toml
    );
    // The walk reached every free-text key: a table and its rows were written.
    assert!(walk.markers.len() > 60, "{}", walk.markers.len());
    for key in [
        "roles.email",
        "systems.mds_sds",
        "contacts.purpose",
        "incident.first_actions",
    ] {
        assert_eq!(
            walk.markers.get(key).map(Vec::len),
            Some(match key.split('.').next().unwrap() {
                "systems" | "incident" => 1,
                table => Walk::rows(table),
            }),
            "{key}"
        );
    }
}
