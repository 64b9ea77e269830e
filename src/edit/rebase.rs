//! When the file changed on disk since the page loaded it (another editor,
//! `git pull`), the page's unsaved edits are laid onto the new file instead
//! of being dropped or written over the other change. An edit is laid on
//! when the other change left its place alone: the value it sets, or the
//! whole table of rows it adds to, removes from, reorders or fills (row
//! numbers mean nothing once the other side changed the rows). Edits whose
//! place both sides changed are kept out and reported with both values.
//! Nothing is written: the page shows the result as unsaved.

use serde::Serialize;
use toml::Value as Toml;

use super::apply::{self, Edit, Step, parse_path};

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Conflict {
    /// The value's or the rows' key path (`facility.name`, `contacts`).
    pub path: String,
    /// As the other change left it, and as the page wanted it (short text).
    pub theirs: String,
    pub mine: String,
}

#[derive(Debug)]
pub struct Rebased {
    /// The new file with the edits laid on (not written).
    pub text: String,
    /// The edits laid on, to be sent again with the new file's version.
    pub kept: Vec<Edit>,
    pub conflicts: Vec<Conflict>,
}

/// The place an edit changes: its key path up to the first row number.
pub fn place(edit: &Edit) -> String {
    let path = match edit {
        Edit::Set { path, .. }
        | Edit::Add { path }
        | Edit::Remove { path }
        | Edit::Move { path, .. } => path,
    };
    let steps = parse_path(path).unwrap_or_default();
    steps
        .iter()
        .take_while(|s| matches!(s, Step::Key(_)))
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.as_str()),
            Step::Index(_) => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Lay `edits`, made on `base`, onto `theirs`.
pub fn rebase(base: &str, theirs: &str, edits: &[Edit]) -> Result<Rebased, String> {
    let values = |text: &str| text.parse::<toml::Table>().map_err(|e| e.to_string());
    let mut mine_doc: toml_edit::DocumentMut = base.parse().map_err(|e| format!("{e}"))?;
    apply::apply(&mut mine_doc, edits)?;
    let (base_v, theirs_v, mine_v) = (
        values(base)?,
        values(theirs)?,
        values(&mine_doc.to_string())?,
    );
    let mut places: Vec<String> = edits.iter().map(place).collect();
    places.dedup();
    let mut clash = Vec::new();
    let mut conflicts = Vec::new();
    for p in &places {
        if clash.contains(p) {
            continue;
        }
        let (b, t, m) = (at(&base_v, p), at(&theirs_v, p), at(&mine_v, p));
        // Changed on disk, and to something else than the page's value.
        if b != t && t != m {
            conflicts.push(Conflict {
                path: p.clone(),
                theirs: short(t),
                mine: short(m),
            });
        }
        // Changed on disk at all: the page's edits of that place are not laid on.
        if b != t {
            clash.push(p.clone());
        }
    }
    let kept: Vec<Edit> = edits
        .iter()
        .filter(|e| !clash.contains(&place(e)))
        .cloned()
        .collect();
    let mut doc: toml_edit::DocumentMut = theirs.parse().map_err(|e| format!("{e}"))?;
    apply::apply(&mut doc, &kept)?;
    Ok(Rebased {
        text: doc.to_string(),
        kept,
        conflicts,
    })
}

/// The value at a key path without row numbers.
fn at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a Toml> {
    let mut keys = path.split('.');
    let mut here = table.get(keys.next()?)?;
    for key in keys {
        here = here.as_table()?.get(key)?;
    }
    Some(here)
}

/// A value as a short line for the page.
fn short(value: Option<&Toml>) -> String {
    let text = match value {
        None => "（空欄）".to_string(),
        Some(Toml::String(s)) => s.clone(),
        Some(Toml::Array(rows)) if rows.iter().all(Toml::is_table) => {
            format!("{} 行の表", rows.len())
        }
        Some(Toml::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), String::from))
            .collect::<Vec<_>>()
            .join("、"),
        Some(other) => other.to_string(),
    };
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value as Json;

    fn set(path: &str, value: &str) -> Edit {
        Edit::Set {
            path: path.into(),
            value: Json::from(value),
        }
    }

    const BASE: &str =
        "[facility]\nname = \"a\" # 名\nfounder = \"x\"\n\n[[contacts]]\nname = \"c0\"\n";

    #[test]
    fn edits_elsewhere_are_laid_on_the_new_file() {
        let theirs = BASE.replace("name = \"a\"", "name = \"theirs\"");
        let edits = [
            set("facility.founder", "mine"),
            Edit::Add {
                path: "contacts".into(),
            },
            set("contacts[1].name", "c1"),
        ];
        let r = rebase(BASE, &theirs, &edits).unwrap();
        assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
        assert_eq!(r.kept.len(), 3);
        assert_eq!(
            r.text,
            "[facility]\nname = \"theirs\" # 名\nfounder = \"mine\"\n\n[[contacts]]\nname = \"c0\"\n\n[[contacts]]\nname = \"c1\"\n"
        );
    }

    #[test]
    fn the_same_place_changed_on_both_sides_is_reported_not_laid_on() {
        let theirs = BASE.replace("name = \"a\"", "name = \"theirs\"");
        let edits = [set("facility.name", "mine"), set("facility.founder", "f")];
        let r = rebase(BASE, &theirs, &edits).unwrap();
        assert_eq!(
            r.conflicts,
            [Conflict {
                path: "facility.name".into(),
                theirs: "theirs".into(),
                mine: "mine".into()
            }]
        );
        assert_eq!(r.kept.len(), 1);
        assert!(r.text.contains("name = \"theirs\""));
        assert!(r.text.contains("founder = \"f\""));
        // Rows changed on disk: the page's row edits wait, whichever row they name.
        let theirs = BASE.replace("c0", "c0 changed");
        let r = rebase(BASE, &theirs, &[set("contacts[0].phone", "03")]).unwrap();
        assert_eq!(r.conflicts[0].path, "contacts");
        assert!(r.kept.is_empty());
        assert_eq!(r.text, theirs);
        // Both sides made the same change: nothing to report, nothing to lay on.
        let theirs = BASE.replace("founder = \"x\"", "founder = \"same\"");
        let r = rebase(BASE, &theirs, &[set("facility.founder", "same")]).unwrap();
        assert!(r.conflicts.is_empty() && r.kept.is_empty());
    }
}
