//! The JSON Schema of the facility TOML, generated from the serde types that
//! read it (schemars), and the key explanations read back out of it: the
//! `init` starter's comments and editor hover help come from the same `///`
//! comments in `model`, so they cannot drift apart.

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::model::Plan;

/// The file `init` writes beside the starter, named by its `#:schema` line.
pub const FILE_NAME: &str = "cyberbcp.schema.json";

/// Identifies a schema file as ours, so `init` may refresh it.
const ID: &str = "https://cyberbcp.invalid/facility.schema.json";

/// The schema as a JSON value (draft-07: what taplo and most editors speak).
pub fn schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<Plan>().to_value();
    schema["$id"] = json!(ID);
    // The checklist's item ids are data (src/checklist/items.toml), not a Rust enum.
    let ids: Vec<&str> = crate::checklist::ids().collect();
    if let Some(item) = schema.pointer_mut("/definitions/ChecklistAnswer/properties/item") {
        item["enum"] = json!(ids);
    }
    schema
}

/// The schema as written to a file: pretty, with a trailing newline.
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// The file a chain's files name in `#:schema`: a head office's base and a
/// store that `extends` it are each only part of a plan.
pub const BASE_FILE_NAME: &str = "cyberbcp.base.schema.json";

const BASE_ID: &str = "https://cyberbcp.invalid/facility-base.schema.json";

/// The schema for a file of a chain (a base, or a plan with `extends`): the
/// same keys and types, but no table is required and a single table
/// (`[facility]`, `[training]`…) may give only some of its keys, as the other
/// file of the chain gives the rest. A row (`[[systems]]`…) stays whole: a
/// store's row replaces the base's row with its name, it is not merged.
pub fn base_schema() -> Value {
    let mut schema = schema();
    schema["$id"] = json!(BASE_ID);
    schema["title"] = json!("cyberbcp 共通ファイル・extends する施設 TOML");
    let root = schema.clone();
    let mut singles = Vec::new();
    single_tables(&root, &root, &mut singles);
    if let Some(o) = schema.as_object_mut() {
        o.remove("required");
    }
    for pointer in singles {
        if let Some(node) = schema.pointer_mut(&pointer).and_then(Value::as_object_mut) {
            node.remove("required");
        }
    }
    schema
}

/// JSON pointers of the definitions that single tables (not rows) use, nested.
fn single_tables(root: &Value, node: &Value, out: &mut Vec<String>) {
    let Some(properties) = node["properties"].as_object() else {
        return;
    };
    for property in properties.values() {
        if resolve(root, property).get("items").is_some() {
            continue; // rows
        }
        let Some(name) = definition_of(property) else {
            continue;
        };
        let pointer = format!("/definitions/{name}");
        if out.contains(&pointer) {
            continue;
        }
        out.push(pointer.clone());
        if let Some(target) = root.pointer(&pointer) {
            single_tables(root, target, out);
        }
    }
}

/// `{"$ref": "#/definitions/Facility"}`, directly or inside anyOf/allOf.
fn definition_of(property: &Value) -> Option<String> {
    if let Some(r) = property["$ref"].as_str() {
        return r.strip_prefix("#/definitions/").map(str::to_string);
    }
    ["anyOf", "allOf", "oneOf"]
        .iter()
        .filter_map(|c| property[c].as_array())
        .flatten()
        .find_map(definition_of)
}

/// [`base_schema`] as written to a file.
pub fn base_text() -> String {
    let mut text = serde_json::to_string_pretty(&base_schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// Whether an existing file is a schema this tool wrote (any version).
pub fn is_ours(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| v["$id"] == ID || v["$id"] == BASE_ID)
}

/// One key of the facility TOML with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDoc {
    /// Dotted path without array indices: `facility.name`, `training.drills.date`.
    pub path: String,
    pub description: String,
    pub required: bool,
    /// The key holds a table or an array of tables (written as `[key]` / `[[key]]`).
    pub table: bool,
}

/// Every key the schema knows, each table's keys after the table's own.
pub fn keys() -> Vec<KeyDoc> {
    let root = schema();
    let mut out = Vec::new();
    walk(&root, &root, "", &mut out);
    out
}

fn walk(root: &Value, node: &Value, prefix: &str, out: &mut Vec<KeyDoc>) {
    let node = resolve(root, node);
    let Some(properties) = node["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = node["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, property) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let target = table_of(root, property);
        let description = property["description"]
            .as_str()
            .or_else(|| resolve(root, property)["description"].as_str())
            .unwrap_or_default()
            .to_string();
        out.push(KeyDoc {
            path: path.clone(),
            description,
            required: required.contains(&name.as_str()),
            table: target.is_some(),
        });
        if let Some(target) = target {
            walk(root, target, &path, out);
        }
    }
}

/// The object schema a property holds directly or as array items, if any.
fn table_of<'a>(root: &'a Value, property: &'a Value) -> Option<&'a Value> {
    let value = resolve(root, property);
    let value = match value.get("items") {
        Some(items) => resolve(root, items),
        None => value,
    };
    value.get("properties").is_some().then_some(value)
}

/// Follow `$ref`, and look through `Option`'s `anyOf: [T, null]` and a
/// description-carrying `allOf: [T]`.
pub fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    if let Some(reference) = node["$ref"].as_str()
        && let Some(target) = reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
    {
        return resolve(root, target);
    }
    for combinator in ["anyOf", "allOf", "oneOf"] {
        if let Some(members) = node[combinator].as_array() {
            let real: Vec<&Value> = members.iter().filter(|m| m["type"] != "null").collect();
            if let [only] = real.as_slice()
                && (only.get("$ref").is_some() || only.get("properties").is_some())
            {
                return resolve(root, only);
            }
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_japanese_one_line_description() {
        let keys = keys();
        assert!(keys.iter().any(|k| k.path == "training.drills.findings"));
        for k in &keys {
            assert!(
                !k.description.is_empty() && !k.description.contains('\n'),
                "{}: {:?}",
                k.path,
                k.description
            );
            assert!(
                k.description.chars().any(|c| c > '\u{3000}'),
                "{}: not Japanese: {}",
                k.path,
                k.description
            );
        }
    }

    #[test]
    fn required_and_closed() {
        let schema = schema();
        let keys = keys();
        let name = keys.iter().find(|k| k.path == "facility.name").unwrap();
        assert!(name.required);
        let founder = keys.iter().find(|k| k.path == "facility.founder").unwrap();
        assert!(!founder.required);
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            schema.pointer("/definitions/Facility/additionalProperties"),
            Some(&json!(false))
        );
    }

    #[test]
    fn a_base_needs_no_table_but_rows_stay_whole() {
        let base = base_schema();
        assert!(base.get("required").is_none());
        assert!(base.pointer("/definitions/Facility/required").is_none());
        assert_eq!(base["additionalProperties"], false);
        // A row of a base is a whole row.
        assert!(base.pointer("/definitions/System/required").is_some());
        assert!(schema().pointer("/definitions/Facility/required").is_some());
        assert!(keys().iter().any(|k| k.path == "drop.systems"));
    }
}
