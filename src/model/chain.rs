//! A chain's `extends`: a facility TOML read over the base files it names
//! (store → region → head office). Tables merge key by key, the nearer file
//! winning; rows (`[[systems]]`…) follow the base's, a row with the natural key
//! of a base row takes its place, and `[drop]` takes base rows out.
//!
//! Every value keeps the span of the file it was written in: the n-th base's
//! spans are shifted by `n * SPAN_SLOT`, so serde's errors, the span index and
//! validation all point into the right file ([`SourceFile::locate`]).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use crate::diag::{Diagnostic, InputErrors, SPAN_SLOT, SourceFile};

/// The natural key of each table's rows: what `diff` matches rows by, what a
/// plan's row replaces a base row by, and what `[drop]` names rows by (the
/// fields' values joined by a space: `"電子カルテシステム 毎日"`).
pub const ROW_KEYS: &[(&str, &[&str])] = &[
    ("roles", &["role"]),
    ("systems", &["name"]),
    ("devices", &["id"]),
    ("alternatives", &["business"]),
    ("contacts", &["name"]),
    ("training.drills", &["date", "title"]),
    ("backups", &["system", "frequency"]),
    ("revisions", &["version"]),
    ("checklist.answers", &["item"]),
];

/// The natural key fields of the rows at `path` (`systems`, `training.drills`).
pub fn row_key(path: &str) -> Option<&'static [&'static str]> {
    ROW_KEYS.iter().find(|(p, _)| *p == path).map(|(_, k)| *k)
}

/// The longest chain followed (store → region → head office is 2).
const MAX_DEPTH: usize = 8;

/// Base files read in this run, by canonical path: a batch of 300 stores
/// reads and checks its head office's file once.
#[derive(Debug, Default)]
pub struct Bases {
    read: Mutex<HashMap<PathBuf, Result<Arc<Base>, InputErrors>>>,
}

#[derive(Debug)]
struct Base {
    file: Arc<SourceFile>,
    /// Its own `extends` (value and span in its text), if any.
    extends: Option<(String, Range<usize>)>,
}

impl Bases {
    /// Bases as they were: wherever a chain names `base`, the text of `old`
    /// (a copy of it before an edit) is read instead (`diff --stores`).
    pub fn reading_as(base: &Path, old: &Path) -> Result<Self, InputErrors> {
        let real = base.canonicalize().map_err(|e| InputErrors {
            file: SourceFile::new(base, ""),
            diagnostics: vec![Diagnostic::error(
                None,
                format!("共通ファイルを開けません（{e}）"),
            )],
        })?;
        let bases = Self::default();
        let read = read_base(old, old).map(Arc::new);
        if let Err(e) = &read {
            return Err(e.clone());
        }
        bases
            .read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(real, read);
        Ok(bases)
    }

    fn get(&self, real: &Path, shown: &Path) -> Result<Arc<Base>, InputErrors> {
        let lock = || self.read.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = lock().get(real) {
            return hit.clone();
        }
        let result = read_base(real, shown).map(Arc::new);
        lock().insert(real.to_path_buf(), result.clone());
        result
    }
}

fn read_base(real: &Path, shown: &Path) -> Result<Base, InputErrors> {
    let bytes = super::read_regular(real, super::limits::TOML_BYTES).map_err(|e| InputErrors {
        file: SourceFile::new(shown, ""),
        diagnostics: vec![Diagnostic::error(
            None,
            format!("共通ファイル（extends）を読めません: {}", e.describe()),
        )],
    })?;
    let text = super::load::decode(shown, &bytes)?;
    let file = SourceFile::new(shown, text);
    let (table, errors) = DeTable::parse_recoverable(&file.text);
    if !errors.is_empty() {
        let diagnostics = super::load::syntax_diagnostics(&file.text, &errors)
            .into_iter()
            .map(|d| {
                d.with_hint("このファイルは施設の TOML が extends で読み込む共通ファイルです。直すと、読み込むすべての施設に効きます")
            })
            .collect();
        return Err(InputErrors { file, diagnostics });
    }
    let extends = match extends_of(&table) {
        Ok(e) => e,
        Err(d) => {
            return Err(InputErrors {
                file,
                diagnostics: vec![d],
            });
        }
    };
    drop(table);
    Ok(Base {
        file: Arc::new(file),
        extends,
    })
}

/// The `extends = "…"` of a parsed file: its value and the value's span.
pub fn extends_of(
    table: &Spanned<DeTable<'_>>,
) -> Result<Option<(String, Range<usize>)>, Diagnostic> {
    let Some(value) = table.get_ref().get("extends") else {
        return Ok(None);
    };
    match value.get_ref() {
        DeValue::String(s) if !s.trim().is_empty() => Ok(Some((s.to_string(), value.span()))),
        _ => Err(Diagnostic::error(
            "extends".to_string(),
            "extends には共通ファイル（本部の TOML）のパスを文字列で書きます",
        )
        .with_span(Some(value.span()))
        .with_hint("例: extends = \"../hq.toml\"（この TOML のフォルダからの相対パス）")),
    }
}

/// A `[drop]` in a file that extends nothing: there is nothing to drop from.
pub fn stray_drop(table: &Spanned<DeTable<'_>>) -> Option<Diagnostic> {
    let value = table.get_ref().get("drop")?;
    Some(
        Diagnostic::error(
            "drop".to_string(),
            "[drop] は extends で共通ファイルを読み込むときだけ使えます",
        )
        .with_span(Some(value.span()))
        .with_hint("共通ファイルの行を外すための表です。extends = \"../hq.toml\" を書くか、[drop] を消してください"),
    )
}

/// Follow `first` (the plan's own `extends`) through every base, adding each
/// to `file.bases`, nearest first. `dir` is the plan's folder.
pub fn collect(
    file: &mut SourceFile,
    dir: &Path,
    first: (String, Range<usize>),
    bases: &Bases,
) -> Result<(), InputErrors> {
    let own = file.path.canonicalize().ok();
    let mut seen: Vec<PathBuf> = own.into_iter().collect();
    let mut next = Some((dir.to_path_buf(), first));
    while let Some((dir, (value, span))) = next.take() {
        // Where `extends` is written: the plan, or the base read last.
        let at = file.bases.len() * SPAN_SLOT;
        let span = span.start + at..span.end + at;
        let fail = |file: &SourceFile, message: String, hint: &str| InputErrors {
            file: file.clone(),
            diagnostics: vec![
                Diagnostic::error("extends".to_string(), message)
                    .with_span(Some(span.clone()))
                    .with_hint(hint),
            ],
        };
        let target = dir.join(&value);
        let shown = normalize(&target);
        let real = match target.canonicalize() {
            Ok(real) if real.is_file() => real,
            Ok(_) => {
                return Err(fail(
                    file,
                    format!(
                        "共通ファイル {value} はファイルではありません（{}）",
                        shown.display()
                    ),
                    "extends には本部の TOML ファイルのパスを書きます",
                ));
            }
            Err(e) => {
                return Err(fail(
                    file,
                    format!(
                        "共通ファイル {value} を開けません（{}: {e}）",
                        shown.display()
                    ),
                    "パスは extends を書いた TOML のフォルダからの相対パスです（例: \"../hq.toml\"）",
                ));
            }
        };
        if seen.contains(&real) {
            let mut names: Vec<String> = std::iter::once(&file.path)
                .chain(file.bases.iter().map(|b| &b.path))
                .map(|p| p.display().to_string())
                .collect();
            names.push(shown.display().to_string());
            return Err(fail(
                file,
                format!("extends が循環しています: {}", names.join(" → ")),
                "共通ファイルは、店舗 → 地域 → 本部 のように一方向にだけ読み込みます",
            ));
        }
        if file.bases.len() >= MAX_DEPTH {
            return Err(fail(
                file,
                format!("extends のつながりが深すぎます（{MAX_DEPTH} 段まで）"),
                "店舗 → 地域 → 本部 のように、共通ファイルは数段にまとめてください",
            ));
        }
        let base = bases.get(&real, &shown)?;
        seen.push(real);
        file.bases.push(base.file.clone());
        let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
        next = base.extends.clone().map(|e| (parent, e));
    }
    Ok(())
}

/// The base files a plan names, through the whole chain, read leniently
/// (a plan with errors still names them): what a batch must not take for
/// plans, what `watch` also watches, what no output may replace. Paths as
/// named from the plan (`stores/../hq.toml`, normalised), stopping at a cycle.
pub fn named_bases(plan: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = plan.canonicalize().into_iter().collect();
    let mut at = plan.to_path_buf();
    while out.len() < MAX_DEPTH {
        let Ok(bytes) = super::read_regular(&at, super::limits::TOML_BYTES) else {
            break;
        };
        let Some(value) = extends_in(&bytes) else {
            break;
        };
        let dir = at.parent().map(Path::to_path_buf).unwrap_or_default();
        let target = dir.join(value);
        let Ok(real) = target.canonicalize() else {
            break;
        };
        if seen.contains(&real) {
            break;
        }
        seen.push(real);
        out.push(normalize(&target));
        at = target;
    }
    out
}

/// What a base file holds, for a store's starter: "roles 2 行、systems 3 行、
/// [network]…" (`None`: it cannot be read as TOML).
pub fn base_tables(path: &Path) -> Option<String> {
    let bytes = super::read_regular(path, super::limits::TOML_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let table: toml::Table = toml::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    let parts: Vec<String> = table
        .iter()
        .filter(|(k, _)| *k != "extends")
        .map(|(k, v)| match v {
            toml::Value::Array(rows) => format!("{k} {} 行", rows.len()),
            _ => format!("[{k}]"),
        })
        .collect();
    Some(parts.join("、"))
}

/// A file's `extends` value, read leniently from its bytes. `extends` is a
/// top-level key, so it is written before the first table: only that head is
/// parsed (a batch asks this of every plan).
pub fn extends_in(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    let table = DeTable::parse(head(&text)).ok()?;
    extends_of(&table).ok().flatten().map(|(value, _)| value)
}

/// The text before the first table header (`[x]` or `[[x]]` at a line's start).
fn head(text: &str) -> &str {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            // A multi-line array value's continuation also starts with `[`
            // rarely; then the whole text is parsed (still correct).
            return match DeTable::parse(&text[..at]) {
                Ok(_) => &text[..at],
                Err(_) => text,
            };
        }
        at += line.len();
    }
    text
}

/// `a/b/../c.toml` → `a/c.toml`, for showing a path (the file is found by its
/// canonical path; this is only how it is named in messages).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The plan's table merged over its bases' (`file.bases`, each parsed again
/// here: their syntax was checked when they were read). Problems of `[drop]`
/// come back as diagnostics with global spans.
pub fn merged<'a>(
    own: Spanned<DeTable<'a>>,
    bases: &'a [Arc<SourceFile>],
) -> (Spanned<DeTable<'a>>, Vec<Diagnostic>) {
    let mut layers: Vec<Spanned<DeTable<'a>>> = vec![own];
    for (i, base) in bases.iter().enumerate() {
        let Ok(mut table) = DeTable::parse(&base.text) else {
            continue;
        };
        let by = (i + 1) * SPAN_SLOT;
        shift_table(table.get_mut(), by);
        let span = table.span();
        layers.push(Spanned::new(
            span.start + by..span.end + by,
            table.into_inner(),
        ));
    }
    let mut found = Vec::new();
    let mut layers = layers.into_iter().rev();
    let Some(mut acc) = layers.next() else {
        unreachable!("the plan itself is a layer")
    };
    acc.get_mut().remove("extends");
    if let Some(drop) = acc.get_mut().remove("drop") {
        // The farthest base has nothing under it to drop from.
        found.push(
            Diagnostic::error(
                "drop".to_string(),
                "[drop] は extends で共通ファイルを読み込むときだけ使えます",
            )
            .with_span(Some(drop.span())),
        );
    }
    for mut layer in layers {
        layer.get_mut().remove("extends");
        if let Some(drop) = layer.get_mut().remove("drop") {
            drop_rows("", drop, acc.get_mut(), &mut found);
        }
        let span = layer.span();
        merge_table("", acc.get_mut(), layer.into_inner());
        acc = Spanned::new(span, acc.into_inner());
    }
    (acc, found)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn shift(span: Range<usize>, by: usize) -> Range<usize> {
    span.start + by..span.end + by
}

fn shift_value(value: &mut Spanned<DeValue<'_>>, by: usize) {
    let span = shift(value.span(), by);
    let mut inner = std::mem::replace(value.get_mut(), DeValue::Boolean(false));
    match &mut inner {
        DeValue::Table(t) => shift_table(t, by),
        DeValue::Array(items) => items.iter_mut().for_each(|v| shift_value(v, by)),
        _ => {}
    }
    *value = Spanned::new(span, inner);
}

fn shift_table(table: &mut DeTable<'_>, by: usize) {
    let old = std::mem::take(table);
    for (key, mut value) in old {
        shift_value(&mut value, by);
        let span = shift(key.span(), by);
        table.insert(Spanned::new(span, key.into_inner()), value);
    }
}

/// Tables key by key (`over` wins), rows by natural key, anything else replaced.
fn merge_table<'a>(path: &str, acc: &mut DeTable<'a>, over: DeTable<'a>) {
    for (key, value) in over {
        let child = join(path, key.get_ref());
        let Some(old) = acc.get_mut(key.get_ref().as_ref()) else {
            acc.insert(key, value);
            continue;
        };
        let span = value.span();
        match (old.get_mut(), value.into_inner()) {
            (DeValue::Table(a), DeValue::Table(b)) => {
                merge_table(&child, a, b);
                let inner = std::mem::replace(old.get_mut(), DeValue::Boolean(false));
                *old = Spanned::new(span, inner);
            }
            (DeValue::Array(a), DeValue::Array(b)) if is_rows(&child, a, &b) => {
                merge_rows(&child, a, b);
                let inner = std::mem::replace(old.get_mut(), DeValue::Boolean(false));
                *old = Spanned::new(span, inner);
            }
            (_, value) => {
                acc.remove(key.get_ref().as_ref());
                acc.insert(key, Spanned::new(span, value));
            }
        }
    }
}

/// Arrays of tables (rows) concatenate; arrays of strings are one value.
fn is_rows(path: &str, a: &DeArray<'_>, b: &DeArray<'_>) -> bool {
    row_key(path).is_some()
        || (!a.is_empty() || !b.is_empty())
            && a.iter()
                .chain(b.iter())
                .all(|v| matches!(v.get_ref(), DeValue::Table(_)))
}

fn merge_rows<'a>(path: &str, acc: &mut DeArray<'a>, over: DeArray<'a>) {
    let fields = row_key(path);
    for row in over {
        let key = fields.and_then(|f| natural_key(row.get_ref(), f));
        let at = key.as_ref().and_then(|k| {
            acc.iter()
                .position(|r| fields.and_then(|f| natural_key(r.get_ref(), f)).as_ref() == Some(k))
        });
        match at {
            Some(i) => (**acc)[i] = row,
            None => acc.push(row),
        }
    }
}

/// A row's natural key as `[drop]` spells it: the key fields' values joined by
/// a space. `None` when a key field is missing.
fn natural_key(row: &DeValue<'_>, fields: &[&str]) -> Option<String> {
    let DeValue::Table(t) = row else {
        return None;
    };
    let parts: Option<Vec<String>> = fields
        .iter()
        .map(|f| match t.get(*f)?.get_ref() {
            DeValue::String(s) => Some(s.trim().to_string()),
            DeValue::Integer(i) => Some(i.as_str().to_string()),
            DeValue::Datetime(d) => Some(d.to_string()),
            _ => None,
        })
        .collect();
    parts.map(|p| p.join(" "))
}

/// `[drop] systems = ["…"]`: take those rows out of what the bases give.
fn drop_rows(
    path: &str,
    drop: Spanned<DeValue<'_>>,
    acc: &mut DeTable<'_>,
    found: &mut Vec<Diagnostic>,
) {
    let span = drop.span();
    let key = join("drop", path);
    match drop.into_inner() {
        DeValue::Table(t) => {
            for (k, v) in t {
                drop_rows(&join(path, k.get_ref()), v, acc, found);
            }
        }
        DeValue::Array(names) if row_key(path).is_some() => {
            let fields = row_key(path).unwrap_or_default();
            let mut rows = rows_at(acc, path);
            for name in names.iter() {
                let DeValue::String(wanted) = name.get_ref() else {
                    found.push(
                        Diagnostic::error(key.clone(), "外す行は文字列で書きます")
                            .with_span(Some(name.span())),
                    );
                    continue;
                };
                let wanted = wanted.trim();
                let before = rows.as_ref().map_or(0, |r| r.len());
                if let Some(rows) = rows.as_mut() {
                    let kept: Vec<_> = std::mem::replace(&mut **rows, DeArray::new())
                        .into_iter()
                        .filter(|r| natural_key(r.get_ref(), fields).as_deref() != Some(wanted))
                        .collect();
                    kept.into_iter().for_each(|r| rows.push(r));
                }
                if rows.as_ref().map_or(0, |r| r.len()) == before {
                    let mut known: Vec<String> = rows
                        .as_ref()
                        .map(|r| {
                            r.iter()
                                .filter_map(|r| natural_key(r.get_ref(), fields))
                                .collect()
                        })
                        .unwrap_or_default();
                    known.dedup();
                    let mut d = Diagnostic::error(
                        key.clone(),
                        format!("共通ファイルの {path} に「{wanted}」の行はありません"),
                    )
                    .with_span(Some(name.span()));
                    if let Some(s) =
                        crate::diag::did_you_mean(wanted, known.iter().map(String::as_str))
                    {
                        d = d.with_hint(format!("「{s}」のことですか？"));
                    }
                    let fields = fields.join("・");
                    found.push(d.with_hint(format!(
                        "行は {fields} の値で指定します（共通ファイルにある行: {}）",
                        if known.is_empty() {
                            "なし".to_string()
                        } else {
                            known.join("、")
                        }
                    )));
                }
            }
        }
        _ => {
            let tables: Vec<&str> = ROW_KEYS.iter().map(|(p, _)| *p).collect();
            found.push(
                Diagnostic::error(
                    key,
                    "[drop] には、外す行の表の名前と行の名前の一覧を書きます",
                )
                .with_span(Some(span))
                .with_hint(format!(
                    "例: systems = [\"電子薬歴システム\"]。使える表: {}",
                    tables.join(", ")
                )),
            );
        }
    }
}

/// The rows array at a dotted path (`training.drills`) in the merged table.
fn rows_at<'t, 'a>(table: &'t mut DeTable<'a>, path: &str) -> Option<&'t mut DeArray<'a>> {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let value = table.get_mut(head)?.get_mut();
    match (value, rest) {
        (DeValue::Table(t), Some(rest)) => rows_at(t, rest),
        (DeValue::Array(a), None) => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(own: &str, base: &str) -> (String, Vec<Diagnostic>) {
        let bases = vec![Arc::new(SourceFile::new("hq.toml", base))];
        let table = DeTable::parse(own).unwrap();
        let (t, found) = merged(table, &bases);
        let value: toml::Value = toml::Value::deserialize(toml::de::Deserializer::from(t)).unwrap();
        (toml::to_string(&value).unwrap(), found)
    }

    use serde::Deserialize as _;

    #[test]
    fn rows_concatenate_replace_by_key_and_drop() {
        let base = "[facility]\nname = \"本部\"\nkind = \"pharmacy\"\n\
            [[systems]]\nname = \"A\"\npurpose = \"base\"\n\
            [[systems]]\nname = \"B\"\npurpose = \"base\"\n\
            [[systems]]\nname = \"C\"\npurpose = \"base\"\n";
        let own = "extends = \"hq.toml\"\n[facility]\nname = \"店舗\"\n\
            [drop]\nsystems = [\"C\"]\n\
            [[systems]]\nname = \"B\"\npurpose = \"own\"\n\
            [[systems]]\nname = \"D\"\npurpose = \"own\"\n";
        let (text, found) = merge(own, base);
        assert!(found.is_empty(), "{found:?}");
        let v: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(v["facility"]["name"].as_str(), Some("店舗"));
        assert_eq!(v["facility"]["kind"].as_str(), Some("pharmacy"));
        let systems: Vec<(&str, &str)> = v["systems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["name"].as_str().unwrap(), s["purpose"].as_str().unwrap()))
            .collect();
        assert_eq!(systems, [("A", "base"), ("B", "own"), ("D", "own")]);
        assert!(!v.contains_key("drop") && !v.contains_key("extends"));
    }

    #[test]
    fn dropping_a_row_the_base_lacks_is_an_error_with_a_suggestion() {
        let base = "[[contacts]]\nname = \"○○警察署\"\n";
        let own = "extends = \"hq.toml\"\n[drop]\ncontacts = [\"○○警察暑\"]\n";
        let (_, found) = merge(own, base);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key.as_deref(), Some("drop.contacts"));
        assert!(
            found[0].hints[0].contains("○○警察署"),
            "{:?}",
            found[0].hints
        );
    }

    #[test]
    fn base_values_keep_spans_in_their_own_file() {
        let base = "[facility]\nkind = \"clinic\"\n";
        let own = "extends = \"hq.toml\"\n[facility]\nname = \"x\"\n";
        let bases = vec![Arc::new(SourceFile::new("hq.toml", base))];
        let (t, _) = merged(DeTable::parse(own).unwrap(), &bases);
        let kind = &t.get_ref()["facility"].get_ref().as_table().unwrap()["kind"];
        let mut file = SourceFile::new("store.toml", own);
        file.bases = bases.clone();
        let (at, span, from_base) = file.locate(&kind.span());
        assert!(from_base);
        assert_eq!(at.path, Path::new("hq.toml"));
        assert_eq!(&base[span], "\"clinic\"");
    }

    #[test]
    fn normalize_removes_dot_dot() {
        assert_eq!(
            normalize(Path::new("a/b/../hq.toml")),
            Path::new("a/hq.toml")
        );
        assert_eq!(normalize(Path::new("../hq.toml")), Path::new("../hq.toml"));
    }
}
