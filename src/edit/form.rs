//! The form, generated from the plan's JSON Schema (the same `///` comments
//! that explain the starter's keys and the editor's hovers) and the plan's
//! values: one control per key, named by its key path as the diagnostics
//! spell it, grouped under the ひな形 section the key prints in.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

use serde_json::Value as Json;
use toml::Value as Toml;

use crate::diff::{SECTIONS, section_title, sections_of};
use crate::schema;

/// Keys whose values name a system of `[[systems]]` (the validator checks
/// them: src/model/validate.rs); the page offers the names the plan defines.
pub const REFERENCES: &[&str] = &["alternatives.systems", "backups.system", "contacts.systems"];

/// Keys that name a file in the plan's folder: the page can upload one.
pub const FILES: &[(&str, &str)] = &[
    ("device_ledger.file", ".csv,.xlsx"),
    ("network.diagram", ".png,.jpg,.jpeg,.gif,.svg"),
];

/// Keys that belong to a chain of files (`extends`, `[drop]`).
const CHAIN_KEYS: &[&str] = &["extends", "drop"];

/// `init`'s starter: its key order (the ひな形's reading order) orders the form.
const STARTER: &str = include_str!("../../templates/init/facility.toml.tera");

/// Each `table.key` of the starter (commented out or not) with its line's place.
static ORDER: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut table = String::new();
    let mut out = Vec::new();
    for line in STARTER.lines() {
        let code = line.strip_prefix("# ").unwrap_or(line).trim_end();
        if let Some(inner) = code.strip_prefix('[').and_then(|c| c.strip_suffix(']')) {
            table = inner.trim_matches(['[', ']']).to_string();
        } else if let Some((key, _)) = code.split_once(" = ")
            && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            out.push(if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            });
        }
    }
    out
});

/// A table's properties in the starter's order (keys it lacks last, by name).
fn ordered<'a>(key_path: &str, node: &'a Json) -> Vec<(&'a String, &'a Json)> {
    let mut props: Vec<(&String, &Json)> = node["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .collect();
    props.sort_by_key(|(k, _)| {
        let full = format!("{key_path}.{k}");
        ORDER.iter().position(|o| *o == full).unwrap_or(usize::MAX)
    });
    props
}

/// What a key holds, and so which control edits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Integer,
    Date,
    /// Free text; `long` when Markdown is allowed (a text area).
    Text {
        long: bool,
    },
    /// One of fixed values, with their Japanese labels.
    Choice(Vec<(String, String)>),
    /// The name of a system the plan defines.
    Reference,
    /// A list of strings (one per line), or of system names.
    List {
        reference: bool,
    },
    Table,
    Rows,
}

struct Schema {
    root: Json,
}

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema {
    root: schema::schema(),
});

/// The property node of a key path without indices (`contacts.phone`).
fn property(path: &str) -> Option<&'static Json> {
    let root = &SCHEMA.root;
    let mut node = root;
    let mut property = None;
    for key in path.split('.') {
        let mut table = schema::resolve(root, node);
        if let Some(items) = table.get("items") {
            table = schema::resolve(root, items);
        }
        let p = table.get("properties")?.get(key)?;
        property = Some(p);
        node = p;
    }
    property
}

/// The kind of the key at a path without indices, if the schema has it.
pub fn kind_of(path: &str) -> Option<Kind> {
    let prop = property(path)?;
    Some(classify(path, prop))
}

fn classify(path: &str, prop: &Json) -> Kind {
    let root = &SCHEMA.root;
    let node = schema::resolve(root, prop);
    let description = format!(
        "{} {}",
        node["description"].as_str().unwrap_or_default(),
        prop["description"].as_str().unwrap_or_default()
    );
    if let Some(values) = node["enum"].as_array() {
        return Kind::Choice(
            values
                .iter()
                .filter_map(Json::as_str)
                .map(|v| (v.to_string(), label_in(&description, v)))
                .collect(),
        );
    }
    if let Some(members) = node["oneOf"].as_array()
        && members.iter().all(|m| m.get("const").is_some())
    {
        return Kind::Choice(
            members
                .iter()
                .filter_map(|m| {
                    let v = m["const"].as_str()?;
                    let label = m["description"]
                        .as_str()
                        .map_or_else(|| label_in(&description, v), String::from);
                    Some((v.to_string(), label))
                })
                .collect(),
        );
    }
    let ty = match &node["type"] {
        Json::String(t) => t.as_str(),
        Json::Array(types) => types
            .iter()
            .filter_map(Json::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ if node.get("properties").is_some() => "object",
        _ => "string",
    };
    let reference = REFERENCES.contains(&path);
    match ty {
        "boolean" => Kind::Bool,
        "integer" | "number" => Kind::Integer,
        "object" => Kind::Table,
        "array" => {
            let items = schema::resolve(root, &node["items"]);
            if items.get("properties").is_some() {
                Kind::Rows
            } else {
                Kind::List { reference }
            }
        }
        _ if node["format"] == "date" => Kind::Date,
        _ if reference => Kind::Reference,
        _ => Kind::Text {
            long: description.contains("Markdown"),
        },
    }
}

/// `"hospital"（病院）` in a description → 病院; else the value itself.
fn label_in(description: &str, value: &str) -> String {
    let needle = format!("\"{value}\"（");
    description
        .find(&needle)
        .and_then(|at| {
            let rest = &description[at + needle.len()..];
            rest.find('）')
                .map(|end| format!("{}（{value}）", &rest[..end]))
        })
        .unwrap_or_else(|| value.to_string())
}

/// A note shown beside a field: a warning, a 【未記入】 gap or an error.
#[derive(Debug, Clone)]
pub struct Note {
    pub class: &'static str,
    pub text: String,
}

/// What the form is made from.
pub struct Input<'a> {
    pub values: &'a toml::Table,
    /// Notes by key path (`contacts[2].phone`, `contacts`, `roles.chief`).
    pub notes: BTreeMap<String, Vec<Note>>,
    /// The names `[[systems]]` defines, for references.
    pub systems: Vec<String>,
}

/// The whole form: sections in the ひな形's order, each with its keys.
pub fn render(input: &Input) -> String {
    let root = &SCHEMA.root;
    let Some(properties) = root["properties"].as_object() else {
        return String::new();
    };
    // Each top-level key under the first section it prints in.
    // A chain's keys (`extends`, `[drop]`) only where the plan is one:
    // a single clinic's 事務長 never meets them.
    let chain = input.values.contains_key("extends") || input.values.contains_key("drop");
    let mut by_section: Vec<(usize, &str, &Json)> = properties
        .iter()
        .filter(|(key, _)| chain || !CHAIN_KEYS.contains(&key.as_str()))
        .map(|(key, prop)| {
            let first = sections_of(key, None, None)
                .first()
                .copied()
                .unwrap_or("配布用");
            let at = SECTIONS
                .iter()
                .position(|(id, _)| *id == first)
                .unwrap_or(SECTIONS.len());
            (at, key.as_str(), prop)
        })
        .collect();
    by_section.sort_by_key(|(at, _, _)| *at);
    // Notes whose key has no control of its own go to the nearest group.
    let mut notes: BTreeMap<String, Vec<Note>> = BTreeMap::new();
    for (key, list) in &input.notes {
        let mut target = key.as_str();
        while !rendered(input.values, target) {
            match target.rfind(['.', '[']) {
                Some(at) => target = &target[..at],
                None => break,
            }
        }
        notes
            .entry(target.to_string())
            .or_default()
            .extend(list.iter().cloned());
    }
    let input = Input {
        values: input.values,
        notes,
        systems: input.systems.clone(),
    };
    let mut out = String::new();
    let mut paths = HashSet::new();
    let mut open: Option<usize> = None;
    for (at, key, prop) in &by_section {
        if open != Some(*at) {
            if open.is_some() {
                out.push_str("</section>\n");
            }
            let id = SECTIONS.get(*at).map_or("配布用", |(id, _)| *id);
            let title = section_title(id);
            let heading = if title.starts_with(id) {
                title.to_string()
            } else {
                format!("{id} {title}")
            };
            let _ = write!(
                out,
                "<section class=\"chapter\" id=\"sec-{}\">\n<h2>{}</h2>\n",
                esc(id),
                esc(&heading)
            );
            open = Some(*at);
        }
        Renderer {
            input: &input,
            paths: &mut paths,
        }
        .value(&mut out, key, key, prop, input.values.get(*key), false);
    }
    if open.is_some() {
        out.push_str("</section>\n");
    }
    out
}

struct Renderer<'a, 'b> {
    input: &'a Input<'a>,
    paths: &'b mut HashSet<String>,
}

impl Renderer<'_, '_> {
    fn notes(&self, out: &mut String, path: &str) {
        for note in self.input.notes.get(path).into_iter().flatten() {
            let _ = write!(
                out,
                "<p class=\"note {}\">{}</p>",
                note.class,
                esc(&note.text)
            );
        }
    }

    fn marked(&self, path: &str) -> &'static str {
        match self.input.notes.get(path) {
            Some(n) if n.iter().any(|n| n.class == "conflict") => " conflict",
            Some(n) if n.iter().any(|n| n.class == "unsaved") => " unsaved",
            Some(n) if n.iter().any(|n| n.class == "gap") => " unfilled",
            Some(n) if !n.is_empty() => " warned",
            _ => "",
        }
    }

    /// One key: `path` with indices (the control's name), `key` its last name.
    fn value(
        &mut self,
        out: &mut String,
        path: &str,
        key_path: &str,
        prop: &Json,
        value: Option<&Toml>,
        in_row: bool,
    ) {
        self.paths.insert(path.to_string());
        let kind = classify(key_path, prop);
        let label = description(prop);
        let required = is_required(key_path);
        match kind {
            Kind::Table => self.table(out, path, key_path, prop, value, &label),
            Kind::Rows => self.rows(out, path, key_path, prop, value, &label),
            _ if in_row => {
                let _ = write!(
                    out,
                    "<td class=\"cell{}\" data-key=\"{}\"><label class=\"in-row\"><span class=\"sr\">{}</span>",
                    self.marked(path),
                    esc(path),
                    esc(&label)
                );
                self.control(out, path, key_path, &kind, value, required);
                out.push_str("</label>");
                self.notes(out, path);
                out.push_str("</td>");
            }
            _ => {
                let _ = write!(
                    out,
                    "<div class=\"field{}\" data-key=\"{}\">",
                    self.marked(path),
                    esc(path)
                );
                let _ = write!(
                    out,
                    "<label for=\"f-{}\">{}{}</label>",
                    esc(path),
                    esc(&label),
                    if required {
                        "<span class=\"req\">（必須）</span>"
                    } else {
                        ""
                    }
                );
                self.control(out, path, key_path, &kind, value, required);
                self.notes(out, path);
                out.push_str("</div>\n");
            }
        }
    }

    fn control(
        &self,
        out: &mut String,
        path: &str,
        key_path: &str,
        kind: &Kind,
        value: Option<&Toml>,
        required: bool,
    ) {
        let id = format!("f-{path}");
        let attrs = format!(
            "id=\"{}\" name=\"{}\"{}",
            esc(&id),
            esc(path),
            if required { " required" } else { "" }
        );
        let text = value.map(scalar).unwrap_or_default();
        match kind {
            Kind::Bool => {
                let checked = matches!(value, Some(Toml::Boolean(true)));
                let _ = write!(
                    out,
                    "<input type=\"checkbox\" {attrs}{}>",
                    if checked { " checked" } else { "" }
                );
            }
            Kind::Integer => {
                let _ = write!(
                    out,
                    "<input type=\"text\" inputmode=\"numeric\" {attrs} value=\"{}\">",
                    esc(&text)
                );
            }
            Kind::Date => {
                let _ = write!(
                    out,
                    "<input type=\"date\" {attrs} value=\"{}\">",
                    esc(&text)
                );
            }
            Kind::Text { long: true } => {
                let _ = write!(
                    out,
                    "<textarea {attrs} rows=\"3\">{}</textarea>",
                    esc(&text)
                );
            }
            Kind::Text { long: false } => {
                let _ = write!(
                    out,
                    "<input type=\"text\" {attrs} value=\"{}\">",
                    esc(&text)
                );
                if let Some((_, accept)) = FILES.iter().find(|(k, _)| *k == key_path) {
                    let _ = write!(
                        out,
                        " <input type=\"file\" class=\"upload\" data-for=\"{}\" accept=\"{accept}\" aria-label=\"ファイルを選んでフォルダに入れる\">",
                        esc(path)
                    );
                }
            }
            Kind::Choice(options) => {
                let _ = write!(out, "<select {attrs}><option value=\"\"></option>");
                let mut known = false;
                for (v, label) in options {
                    let selected = *v == text;
                    known |= selected;
                    let _ = write!(
                        out,
                        "<option value=\"{}\"{}>{}</option>",
                        esc(v),
                        if selected { " selected" } else { "" },
                        esc(label)
                    );
                }
                if !known && !text.is_empty() {
                    let _ = write!(
                        out,
                        "<option value=\"{0}\" selected>{0}</option>",
                        esc(&text)
                    );
                }
                out.push_str("</select>");
            }
            Kind::Reference => {
                let _ = write!(out, "<select {attrs}><option value=\"\"></option>");
                self.names(out, &[text.as_str()]);
                out.push_str("</select>");
            }
            Kind::List { reference: true } => {
                let chosen: Vec<String> = list(value);
                let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
                let _ = write!(
                    out,
                    "<select multiple {attrs} size=\"{}\">",
                    self.input.systems.len().clamp(2, 6)
                );
                self.names(out, &chosen);
                out.push_str("</select>");
            }
            Kind::List { reference: false } => {
                let lines = list(value).join("\n");
                let _ = write!(
                    out,
                    "<textarea class=\"lines\" {attrs} rows=\"2\" placeholder=\"1 行に 1 項目\">{}</textarea>",
                    esc(&lines)
                );
            }
            Kind::Table | Kind::Rows => {}
        }
    }

    /// The plan's system names as options, with any chosen name it lacks.
    fn names(&self, out: &mut String, chosen: &[&str]) {
        for name in &self.input.systems {
            let selected = chosen.contains(&name.as_str());
            let _ = write!(
                out,
                "<option value=\"{0}\"{1}>{0}</option>",
                esc(name),
                if selected { " selected" } else { "" }
            );
        }
        for name in chosen {
            if !name.is_empty() && !self.input.systems.iter().any(|s| s == name) {
                let _ = write!(
                    out,
                    "<option value=\"{0}\" selected>{0}（未定義）</option>",
                    esc(name)
                );
            }
        }
    }

    fn table(
        &mut self,
        out: &mut String,
        path: &str,
        key_path: &str,
        prop: &Json,
        value: Option<&Toml>,
        label: &str,
    ) {
        let node = target(prop);
        let _ = write!(
            out,
            "<fieldset class=\"table{}\" data-key=\"{}\"><legend>{}</legend>\n",
            self.marked(path),
            esc(path),
            esc(label)
        );
        self.notes(out, path);
        let values = value.and_then(Toml::as_table);
        for (key, p) in ordered(key_path, node) {
            self.value(
                out,
                &format!("{path}.{key}"),
                &format!("{key_path}.{key}"),
                p,
                values.and_then(|t| t.get(key)),
                false,
            );
        }
        out.push_str("</fieldset>\n");
    }

    fn rows(
        &mut self,
        out: &mut String,
        path: &str,
        key_path: &str,
        prop: &Json,
        value: Option<&Toml>,
        label: &str,
    ) {
        let node = target(prop);
        let columns = ordered(key_path, node);
        let _ = write!(
            out,
            "<fieldset class=\"rows{}\" data-key=\"{}\" data-rows=\"{}\"><legend>{}</legend>\n",
            self.marked(path),
            esc(path),
            esc(path),
            esc(label)
        );
        self.notes(out, path);
        out.push_str("<div class=\"scroll\"><table><thead><tr><th scope=\"col\">#</th>");
        for (key, p) in &columns {
            let required = is_required(&format!("{key_path}.{key}"));
            let full = description(p);
            let _ = write!(
                out,
                "<th scope=\"col\" title=\"{}\">{}{}</th>",
                esc(&full),
                esc(heading(&full)),
                if required {
                    "<span class=\"req\">*</span>"
                } else {
                    ""
                }
            );
        }
        out.push_str(
            "<th scope=\"col\"><span class=\"sr\">行の操作</span></th></tr></thead><tbody>\n",
        );
        let rows: Vec<&Toml> = value
            .and_then(Toml::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for (i, row) in rows.iter().enumerate() {
            self.row(
                out,
                &format!("{path}[{i}]"),
                key_path,
                &columns,
                row.as_table(),
                i,
            );
        }
        out.push_str("</tbody></table></div>\n");
        // The empty row the 追加 button copies (`__i__` becomes its index).
        let mut template = String::new();
        let mut scratch = HashSet::new();
        Renderer {
            input: self.input,
            paths: &mut scratch,
        }
        .row(
            &mut template,
            &format!("{path}[__i__]"),
            key_path,
            &columns,
            None,
            usize::MAX,
        );
        let _ = write!(
            out,
            "<template>{template}</template><button type=\"button\" class=\"add\" data-add=\"{}\">＋ 行を追加</button>\n</fieldset>\n",
            esc(path)
        );
    }

    fn row(
        &mut self,
        out: &mut String,
        path: &str,
        key_path: &str,
        columns: &[(&String, &Json)],
        values: Option<&toml::Table>,
        i: usize,
    ) {
        self.paths.insert(path.to_string());
        let number = if i == usize::MAX {
            String::new()
        } else {
            (i + 1).to_string()
        };
        let _ = write!(
            out,
            "<tr class=\"row{}\" data-path=\"{}\"><th scope=\"row\" class=\"n\">{}</th>",
            self.marked(path),
            esc(path),
            number
        );
        for (key, p) in columns {
            self.value(
                out,
                &format!("{path}.{key}"),
                &format!("{key_path}.{key}"),
                p,
                values.and_then(|t| t.get(key.as_str())),
                true,
            );
        }
        out.push_str("<td class=\"ops\"><button type=\"button\" data-op=\"up\" aria-label=\"上へ\">↑</button><button type=\"button\" data-op=\"down\" aria-label=\"下へ\">↓</button><button type=\"button\" data-op=\"remove\" aria-label=\"この行を削除\">削除</button>");
        self.notes(out, path);
        out.push_str("</td></tr>\n");
    }
}

/// Whether the form has a control or group for a key path: the schema knows
/// it and every row it names exists (`roles.chief`, `contacts[9]` do not).
fn rendered(values: &toml::Table, path: &str) -> bool {
    use super::apply::{Step, parse_path, schema_path};
    let Some(steps) = parse_path(path) else {
        return false;
    };
    if kind_of(&schema_path(&steps)).is_none() {
        return false;
    }
    let mut here: Option<&Toml> = None;
    for step in &steps {
        here = match (step, here) {
            (Step::Key(k), None) => values.get(k),
            (Step::Key(k), Some(v)) => v.as_table().and_then(|t| t.get(k)),
            (Step::Index(i), Some(v)) => match v.as_array().and_then(|a| a.get(*i)) {
                Some(row) => Some(row),
                None => return false,
            },
            (Step::Index(_), None) => return false,
        };
    }
    true
}

/// The object schema of a table or of an array's rows.
fn target(prop: &Json) -> &Json {
    let root = &SCHEMA.root;
    let node = schema::resolve(root, prop);
    match node.get("items") {
        Some(items) => schema::resolve(root, items),
        None => node,
    }
}

/// The key's explanation; a choice's list of values (`: "hospital"（病院）/ …`)
/// is left to its options.
fn description(prop: &Json) -> String {
    let text = prop["description"]
        .as_str()
        .or_else(|| schema::resolve(&SCHEMA.root, prop)["description"].as_str())
        .unwrap_or_default();
    match text.split_once(": \"") {
        Some((head, values)) if !head.is_empty() && values.contains("）/ \"") => head.to_string(),
        _ => text.to_string(),
    }
}

/// A column's heading: the description up to its explanation (`目標復旧時間:
/// 停止から…` → 目標復旧時間); the whole text is the heading's tooltip and the
/// cells' label for screen readers.
fn heading(description: &str) -> &str {
    let mut depth = 0i32;
    let mut first_paren = None;
    for (at, c) in description.char_indices() {
        match c {
            '（' | '(' => {
                if depth == 0 && first_paren.is_none() {
                    first_paren = Some(at);
                }
                depth += 1;
            }
            '）' | ')' => depth -= 1,
            '：' | '。' if depth == 0 && at > 0 => return &description[..at],
            ':' if depth == 0 && at > 0 && description[at + 1..].starts_with(' ') => {
                return &description[..at];
            }
            _ => {}
        }
    }
    match first_paren {
        Some(at) if at > 0 && description.chars().count() > 14 => &description[..at],
        _ => description,
    }
}

static REQUIRED: LazyLock<HashSet<String>> = LazyLock::new(|| {
    schema::keys()
        .into_iter()
        .filter(|k| k.required)
        .map(|k| k.path)
        .collect()
});

fn is_required(key_path: &str) -> bool {
    REQUIRED.contains(key_path)
}

fn scalar(value: &Toml) -> String {
    match value {
        Toml::String(s) => s.clone(),
        Toml::Datetime(d) => d.to_string(),
        Toml::Integer(n) => n.to_string(),
        Toml::Float(f) => f.to_string(),
        Toml::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn list(value: Option<&Toml>) -> Vec<String> {
    match value {
        Some(Toml::Array(items)) => items.iter().map(scalar).collect(),
        Some(other) => vec![scalar(other)],
        None => Vec::new(),
    }
}

/// Text as HTML text or attribute value: whatever the plan holds is shown, never run.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_the_schema() {
        assert_eq!(kind_of("facility.name"), Some(Kind::Text { long: false }));
        assert_eq!(kind_of("facility.beds"), Some(Kind::Integer));
        assert_eq!(kind_of("revisions.date"), Some(Kind::Date));
        assert_eq!(kind_of("contacts"), Some(Kind::Rows));
        assert_eq!(kind_of("training.drills"), Some(Kind::Rows));
        assert_eq!(kind_of("backups.offline"), Some(Kind::Bool));
        assert_eq!(kind_of("backups.system"), Some(Kind::Reference));
        assert_eq!(
            kind_of("contacts.systems"),
            Some(Kind::List { reference: true })
        );
        assert_eq!(
            kind_of("scope.extra_events"),
            Some(Kind::List { reference: false })
        );
        assert_eq!(kind_of("training.notes"), Some(Kind::Text { long: true }));
        let Some(Kind::Choice(kinds)) = kind_of("facility.kind") else {
            panic!("facility.kind is a choice")
        };
        assert!(
            kinds.contains(&("clinic".into(), "診療所（clinic）".into())),
            "{kinds:?}"
        );
        assert!(matches!(
            kind_of("contacts.category"),
            Some(Kind::Choice(_))
        ));
        assert_eq!(kind_of("facility.nothing"), None);
        for path in REFERENCES.iter().chain(FILES.iter().map(|(p, _)| p)) {
            assert!(kind_of(path).is_some(), "{path}");
        }
    }

    #[test]
    fn column_headings_are_short() {
        assert_eq!(
            heading("目標復旧時間: 停止からこの時間のうちに"),
            "目標復旧時間"
        );
        assert_eq!(
            heading("リモート保守をしているか（true / false）"),
            "リモート保守をしているか"
        );
        assert_eq!(heading("版（例: \"1.0\"）"), "版（例: \"1.0\"）");
    }

    #[test]
    fn escapes_user_text() {
        assert_eq!(esc("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    }
}
