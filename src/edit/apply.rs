//! The page's edits applied to the user's TOML with `toml_edit`: only the
//! values the user changed are replaced, each keeping the comment beside it;
//! every other byte (comments, key order, blank lines, the `#:schema` line)
//! stays as it was.
//!
//! An edit names its value by the key path the diagnostics use
//! (`facility.name`, `contacts[2].phone`). Values are typed by the schema: a
//! date becomes a TOML date, a number an integer, a checkbox a boolean. Text
//! that is not a valid date or number is written as a string, so the plan's
//! own loader reports it with the words `check` uses.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use super::form::{Kind, kind_of};

/// One change made in the page, in the order the user made it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// Set a value (an empty one removes the key).
    Set { path: String, value: Json },
    /// Append an empty row to an array of tables (`contacts`).
    Add { path: String },
    /// Remove a row (`contacts[2]`).
    Remove { path: String },
    /// Move a row (`contacts[2]`) to another index.
    Move { path: String, to: usize },
}

/// A key path, `contacts[2].phone` → `contacts`, `[2]`, `phone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

pub fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return None;
        }
        steps.push(Step::Key(name.to_string()));
        while !rest.is_empty() {
            let inner = rest.strip_prefix('[')?;
            let end = inner.find(']')?;
            steps.push(Step::Index(inner[..end].parse().ok()?));
            rest = &inner[end + 1..];
        }
    }
    Some(steps)
}

/// The path without indices (`contacts.phone`), as the schema names keys.
pub fn schema_path(steps: &[Step]) -> String {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Apply edits in order; an edit naming nothing the plan or schema has is an
/// error (the page only sends paths it rendered).
pub fn apply(doc: &mut DocumentMut, edits: &[Edit]) -> Result<(), String> {
    for edit in edits {
        match edit {
            Edit::Set { path, value } => set(doc, path, value)?,
            Edit::Add { path } => add(doc, path)?,
            Edit::Remove { path } => remove(doc, path)?,
            Edit::Move { path, to } => move_row(doc, path, *to)?,
        }
    }
    Ok(())
}

fn bad(path: &str) -> String {
    format!("{path} はこの計画で編集できるキーではありません")
}

/// The table-like container at `steps`, created (as a `[table]`) when absent.
enum Container<'a> {
    Table(&'a mut Table),
    Inline(&'a mut toml_edit::InlineTable),
}

impl Container<'_> {
    fn get_value(&self, key: &str) -> Option<&Value> {
        match self {
            Container::Table(t) => t.get(key).and_then(Item::as_value),
            Container::Inline(t) => t.get(key),
        }
    }

    fn put(&mut self, key: &str, value: Value) {
        match self {
            Container::Table(t) => {
                t.insert(key, Item::Value(value));
            }
            Container::Inline(t) => {
                t.insert(key, value);
            }
        }
    }

    fn remove(&mut self, key: &str) {
        match self {
            Container::Table(t) => {
                t.remove(key);
            }
            Container::Inline(t) => {
                t.remove(key);
            }
        }
    }
}

fn container<'a>(
    doc: &'a mut DocumentMut,
    steps: &[Step],
    path: &str,
) -> Result<Container<'a>, String> {
    let mut here = Container::Table(doc.as_table_mut());
    let mut i = 0;
    while i < steps.len() {
        let Step::Key(key) = &steps[i] else {
            return Err(bad(path));
        };
        let index = match steps.get(i + 1) {
            Some(Step::Index(n)) => {
                i += 1;
                Some(*n)
            }
            _ => None,
        };
        i += 1;
        here = match (here, index) {
            (Container::Table(t), None) => {
                if !t.contains_key(key) {
                    let mut new = Table::new();
                    new.set_implicit(false);
                    t.insert(key, Item::Table(new));
                }
                match t.get_mut(key) {
                    Some(Item::Table(t)) => Container::Table(t),
                    Some(Item::Value(Value::InlineTable(t))) => Container::Inline(t),
                    _ => return Err(bad(path)),
                }
            }
            (Container::Inline(t), None) => match t.get_mut(key) {
                Some(Value::InlineTable(t)) => Container::Inline(t),
                _ => return Err(bad(path)),
            },
            (Container::Table(t), Some(n)) => match t.get_mut(key) {
                Some(Item::ArrayOfTables(a)) => {
                    Container::Table(a.get_mut(n).ok_or_else(|| bad(path))?)
                }
                Some(Item::Value(Value::Array(a))) => match a.get_mut(n) {
                    Some(Value::InlineTable(t)) => Container::Inline(t),
                    _ => return Err(bad(path)),
                },
                _ => return Err(bad(path)),
            },
            (Container::Inline(t), Some(n)) => match t.get_mut(key) {
                Some(Value::Array(a)) => match a.get_mut(n) {
                    Some(Value::InlineTable(t)) => Container::Inline(t),
                    _ => return Err(bad(path)),
                },
                _ => return Err(bad(path)),
            },
        };
    }
    Ok(here)
}

fn set(doc: &mut DocumentMut, path: &str, value: &Json) -> Result<(), String> {
    let steps = parse_path(path).ok_or_else(|| bad(path))?;
    let Some((Step::Key(key), parent)) = steps.split_last() else {
        return Err(bad(path));
    };
    let kind = kind_of(&schema_path(&steps)).ok_or_else(|| bad(path))?;
    let new = typed(&kind, value).map_err(|()| bad(path))?;
    let mut table = container(doc, parent, path)?;
    match new {
        None => table.remove(key),
        Some(mut new) => {
            if let Some(old) = table.get_value(key) {
                // The comment after the value (`# 施設名（必須）`) stays.
                *new.decor_mut() = old.decor().clone();
            }
            table.put(key, new);
        }
    }
    Ok(())
}

/// The TOML value for a form value of this kind; `None` removes the key.
fn typed(kind: &Kind, value: &Json) -> Result<Option<Value>, ()> {
    let text = |s: &str| -> Option<Value> { (!s.is_empty()).then(|| Value::from(s)) };
    Ok(match (kind, value) {
        (_, Json::Null) => None,
        (Kind::Bool, Json::Bool(b)) => Some(Value::from(*b)),
        (Kind::Integer, Json::String(s)) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(n) => Some(Value::from(n)),
                Err(_) => text(s),
            }
        }
        (Kind::Date, Json::String(s)) => {
            let s = s.trim();
            match s.parse::<toml_edit::Datetime>() {
                Ok(d) if d.time.is_none() && d.offset.is_none() => Some(Value::from(d)),
                _ => text(s),
            }
        }
        (Kind::Text { .. } | Kind::Choice(_) | Kind::Reference, Json::String(s)) => text(s),
        (Kind::List { .. }, Json::Array(items)) => {
            let items: Vec<&str> = items
                .iter()
                .filter_map(Json::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if items.is_empty() {
                None
            } else {
                let mut array = Array::new();
                for item in items {
                    array.push(item);
                }
                Some(Value::Array(array))
            }
        }
        _ => return Err(()),
    })
}

/// The array of tables at `steps` (a `[[key]]` array, created when absent).
fn rows<'a>(doc: &'a mut DocumentMut, path: &str) -> Result<Rows<'a>, String> {
    let steps = parse_path(path).ok_or_else(|| bad(path))?;
    let Some((Step::Key(key), parent)) = steps.split_last() else {
        return Err(bad(path));
    };
    if !matches!(kind_of(&schema_path(&steps)), Some(Kind::Rows)) {
        return Err(bad(path));
    }
    match container(doc, parent, path)? {
        Container::Table(t) => {
            if !t.contains_key(key) {
                t.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
            }
            match t.get_mut(key) {
                Some(Item::ArrayOfTables(a)) => Ok(Rows::Tables(a)),
                Some(Item::Value(Value::Array(a))) => Ok(Rows::Inline(a)),
                _ => Err(bad(path)),
            }
        }
        Container::Inline(t) => match t.get_mut(key) {
            Some(Value::Array(a)) => Ok(Rows::Inline(a)),
            _ => Err(bad(path)),
        },
    }
}

enum Rows<'a> {
    Tables(&'a mut ArrayOfTables),
    Inline(&'a mut Array),
}

fn add(doc: &mut DocumentMut, path: &str) -> Result<(), String> {
    match rows(doc, path)? {
        // No position: printed right after the array's last row.
        Rows::Tables(a) => a.push(Table::new()),
        Rows::Inline(a) => a.push(toml_edit::InlineTable::new()),
    }
    Ok(())
}

/// `contacts[2]` → (`contacts`, 2).
fn row_path(path: &str) -> Result<(&str, usize), String> {
    let (base, index) = path
        .strip_suffix(']')
        .and_then(|p| p.rsplit_once('['))
        .ok_or_else(|| bad(path))?;
    Ok((base, index.parse().map_err(|_| bad(path))?))
}

fn remove(doc: &mut DocumentMut, path: &str) -> Result<(), String> {
    let (base, index) = row_path(path)?;
    match rows(doc, base)? {
        Rows::Tables(a) if index < a.len() => {
            a.remove(index);
        }
        Rows::Inline(a) if index < a.len() => a.remove(index).decor_mut().clear(),
        _ => return Err(bad(path)),
    }
    Ok(())
}

fn move_row(doc: &mut DocumentMut, path: &str, to: usize) -> Result<(), String> {
    let (base, from) = row_path(path)?;
    match rows(doc, base)? {
        Rows::Tables(a) if from < a.len() && to < a.len() => {
            // Tables print in order of their position in the document: the
            // rows trade places; positions and the blank lines and comments
            // above each header stay where they were.
            let slots: Vec<(Option<isize>, toml_edit::Decor)> = a
                .iter()
                .map(|t| (t.position(), t.decor().clone()))
                .collect();
            let mut tables: Vec<Table> = (0..a.len()).map(|_| a.remove(0)).collect();
            let moved = tables.remove(from);
            tables.insert(to, moved);
            for (mut table, (position, decor)) in tables.into_iter().zip(slots) {
                table.set_position(position);
                *table.decor_mut() = decor;
                a.push(table);
            }
        }
        Rows::Inline(a) if from < a.len() && to < a.len() => {
            let moved = a.remove(from);
            a.insert_formatted(to, moved);
        }
        _ => return Err(bad(path)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, edits: &[Edit]) -> String {
        let mut doc: DocumentMut = text.parse().unwrap();
        apply(&mut doc, edits).unwrap();
        doc.to_string()
    }

    fn set(path: &str, value: Json) -> Edit {
        Edit::Set {
            path: path.into(),
            value,
        }
    }

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("contacts[2].phone"),
            Some(vec![
                Step::Key("contacts".into()),
                Step::Index(2),
                Step::Key("phone".into())
            ])
        );
        assert_eq!(parse_path("a[x]"), None);
        assert_eq!(parse_path("../etc"), None);
    }

    #[test]
    fn keeps_comments_and_types_values() {
        let text = "#:schema ./x.json\n# head\n[facility]\nname = \"○○\"   # 施設名（必須）\n\n[[revisions]]\nversion = \"1.0\"\ndate = 2025-04-01 # 日\nsummary = \"s\"\n";
        let out = edit(
            text,
            &[
                set("facility.name", Json::from("さくら")),
                set("revisions[0].date", Json::from("2025-05-02")),
                set("facility.beds", Json::from("19")),
            ],
        );
        assert_eq!(
            out,
            "#:schema ./x.json\n# head\n[facility]\nname = \"さくら\"   # 施設名（必須）\nbeds = 19\n\n[[revisions]]\nversion = \"1.0\"\ndate = 2025-05-02 # 日\nsummary = \"s\"\n"
        );
    }

    #[test]
    fn rows_add_remove_move() {
        let text =
            "[[roles]]\nrole = \"a\"\n\n[[roles]]\nrole = \"b\"\n\n[scope]\nextra_events = []\n";
        let out = edit(
            text,
            &[
                Edit::Move {
                    path: "roles[1]".into(),
                    to: 0,
                },
                Edit::Add {
                    path: "roles".into(),
                },
                set("roles[2].role", Json::from("c")),
                Edit::Remove {
                    path: "roles[1]".into(),
                },
            ],
        );
        assert_eq!(
            out,
            "[[roles]]\nrole = \"b\"\n\n[[roles]]\nrole = \"c\"\n\n[scope]\nextra_events = []\n"
        );
        let mut doc: DocumentMut = text.parse().unwrap();
        assert!(apply(&mut doc, &[set("nothing.here", Json::from("x"))]).is_err());
        assert!(
            apply(
                &mut doc,
                &[Edit::Remove {
                    path: "roles[9]".into()
                }]
            )
            .is_err()
        );
    }
}
