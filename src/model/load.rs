//! Reading a facility TOML: bytes → text → spans → `Plan`, with every problem
//! turned into a Japanese diagnostic that names the key.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::Plan;
use super::chain::{self, Bases};
use super::limits;
use crate::diag::{Diagnostic, InputErrors, SourceFile};

/// A parsed plan together with what is needed to point back into its file.
#[derive(Debug)]
pub struct Loaded {
    pub plan: Plan,
    pub file: SourceFile,
    pub spans: SpanIndex,
    /// The directory referenced files (CSV, diagram) are resolved in.
    pub base_dir: PathBuf,
    /// Every string value with its key path and span, gathered while the
    /// table was at hand (checks on the text read these, not the file again).
    pub values: Vec<(String, Range<usize>, String)>,
}

impl Loaded {
    /// The folder a file named at `key` (`network.diagram`) is resolved in:
    /// the folder of the file the value is written in, the plan's or a base's.
    pub fn dir_for(&self, key: &str) -> PathBuf {
        let n = self
            .spans
            .span_of(key)
            .map_or(0, |s| s.start / crate::diag::SPAN_SLOT);
        match n.checked_sub(1).and_then(|i| self.file.bases.get(i)) {
            Some(base) => match base.path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            },
            None => self.base_dir.clone(),
        }
    }

    /// The same file with another plan (the public copy's redacted one).
    /// Spans are dropped: they point into the original text.
    pub fn with_plan(&self, plan: Plan) -> Loaded {
        Loaded {
            plan,
            file: self.file.clone(),
            spans: SpanIndex::default(),
            base_dir: self.base_dir.clone(),
            values: Vec::new(),
        }
    }
}

pub fn load_file(path: &Path) -> Result<Loaded, InputErrors> {
    load_file_with(path, &Bases::default())
}

/// [`load_file`] sharing the base files read so far (a batch's).
pub fn load_file_with(path: &Path, bases: &Bases) -> Result<Loaded, InputErrors> {
    let bytes = super::read_regular(path, super::limits::TOML_BYTES).map_err(|e| {
        let mut d = match std::fs::read_dir(path) {
            // Only a batch hands in a folder: one it could not look inside.
            Err(err) if path.is_dir() => {
                Diagnostic::error(None, format!("フォルダの中を読めません（{err}）"))
            }
            _ => Diagnostic::error(None, e.describe()),
        };
        if matches!(e, super::limits::ReadError::TooLarge { .. }) {
            d = d.with_hint("施設の TOML は 5 MB までです。機器台帳は CSV（device_ledger.file）に分けてください");
        }
        InputErrors {
            file: SourceFile::new(path, ""),
            diagnostics: vec![d],
        }
    })?;
    let text = decode(path, &bytes)?;
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let base_dir = if base_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base_dir
    };
    load_str_with(path, text, base_dir, bases)
}

/// Office files are often Shift_JIS or binary by mistake: say which, not just "invalid".
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String, InputErrors> {
    let fail = |message: String, hint: &str| InputErrors {
        file: SourceFile::new(path, ""),
        diagnostics: vec![Diagnostic::error(None, message).with_hint(hint)],
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail(
            "ファイルが空です".into(),
            "`cyberbcp init` でひな形の TOML を作るか、`cyberbcp init --example 例` で記入例を書き出して参考にしてください",
        ));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || looks_like_utf16(bytes) {
        return Err(fail(
            "文字コードが UTF-16 です（UTF-8 で保存してください）".into(),
            "メモ帳などで「名前を付けて保存」→ 文字コード「UTF-8」を選んで保存し直してください",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => Err(fail(
            "テキストではなくバイナリファイルのようです（NUL 文字を含みます）".into(),
            "facility の TOML ファイル（テキスト）を指定してください",
        )),
        Ok(text) => Ok(text.to_string()),
        Err(e) if bytes.contains(&0) => Err(fail(
            format!(
                "テキストではなくバイナリファイルのようです（{} バイト目）",
                e.valid_up_to()
            ),
            "facility の TOML ファイル（テキスト）を指定してください",
        )),
        Err(e) if looks_like_shift_jis(bytes) => Err(fail(
            format!(
                "文字コードが UTF-8 ではありません（Shift_JIS で保存されているようです。{} バイト目）",
                e.valid_up_to()
            ),
            "メモ帳などで「名前を付けて保存」→ 文字コード「UTF-8」を選んで保存し直してください",
        )),
        Err(e) => Err(fail(
            format!(
                "文字コードが UTF-8 ではありません（{} バイト目）",
                e.valid_up_to()
            ),
            "UTF-8 で保存し直してください",
        )),
    }
}

/// UTF-16 without a byte-order mark: NUL bytes (never in UTF-8 text), nearly
/// all on one side of each byte pair, where the ASCII characters are.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if !head.contains(&0) {
        return false; // the common case, found without counting
    }
    let zeros = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let (even, odd) = (zeros(0), zeros(1));
    let all = even + odd;
    head.len() >= 16 && all * 20 >= head.len() && even.max(odd) * 100 >= all * 75
}

/// Shift_JIS double-byte characters: a lead byte 0x81–0x9F/0xE0–0xFC followed by
/// a trail byte 0x40–0xFC (not 0x7F). Most of a Japanese file's non-ASCII bytes pair up so.
fn looks_like_shift_jis(bytes: &[u8]) -> bool {
    let (mut pairs, mut strays) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 || (0xA1..=0xDF).contains(&b) {
            i += 1;
        } else if matches!(b, 0x81..=0x9F | 0xE0..=0xFC)
            && matches!(bytes.get(i + 1), Some(0x40..=0x7E | 0x80..=0xFC))
        {
            pairs += 1;
            i += 2;
        } else {
            strays += 1;
            i += 1;
        }
    }
    pairs > 0 && strays * 10 <= pairs
}

pub fn load_str(
    path: impl AsRef<Path>,
    text: String,
    base_dir: impl Into<PathBuf>,
) -> Result<Loaded, InputErrors> {
    load_str_with(path, text, base_dir, &Bases::default())
}

/// [`load_str`], reading the bases an `extends` names through `bases` (a
/// batch shares one, so each base file is read once).
pub fn load_str_with(
    path: impl AsRef<Path>,
    text: String,
    base_dir: impl Into<PathBuf>,
    bases: &Bases,
) -> Result<Loaded, InputErrors> {
    let base_dir = base_dir.into();
    let mut file = SourceFile::new(path, text);
    let (table, syntax_errors) = DeTable::parse_recoverable(&file.text);
    if !syntax_errors.is_empty() {
        let diagnostics = syntax_diagnostics(&file.text, &syntax_errors);
        return Err(InputErrors { file, diagnostics });
    }
    let extends = match chain::extends_of(&table) {
        Ok(extends) => extends,
        Err(d) => {
            return Err(InputErrors {
                file,
                diagnostics: vec![d],
            });
        }
    };
    let Some(extends) = extends else {
        if let Some(d) = chain::stray_drop(&table) {
            return Err(InputErrors {
                file,
                diagnostics: vec![d],
            });
        }
        let (plan, spans, values) = match to_plan(table) {
            Ok(done) => done,
            Err(diagnostics) => return Err(InputErrors { file, diagnostics }),
        };
        return Ok(Loaded {
            plan,
            file,
            spans,
            base_dir,
            values,
        });
    };
    drop(table);
    chain::collect(&mut file, &base_dir, extends, bases)?;
    let (plan, spans, values) = match merged_table(&file) {
        Err(diagnostics) => Err(diagnostics),
        Ok(table) => to_plan(table),
    }
    .map_err(|diagnostics| InputErrors {
        file: file.clone(),
        diagnostics,
    })?;
    Ok(Loaded {
        plan,
        file,
        spans,
        base_dir,
        values,
    })
}

/// A file and its bases (`file.bases`, read already) as one table.
fn merged_table(file: &SourceFile) -> Result<toml::Spanned<DeTable<'_>>, Vec<Diagnostic>> {
    let own = DeTable::parse(&file.text)
        .map_err(|e| vec![Diagnostic::error(None, e.message().to_string())])?;
    let (table, found) = chain::merged(own, &file.bases);
    if found.is_empty() {
        Ok(table)
    } else {
        Err(found)
    }
}

/// The checks on values, then serde: the plan and where each value is.
type Values = Vec<(String, Range<usize>, String)>;

fn to_plan(
    table: toml::Spanned<DeTable<'_>>,
) -> Result<(Plan, SpanIndex, Values), Vec<Diagnostic>> {
    let spans = SpanIndex::new(&table);
    let mut too_long = Vec::new();
    long_values("", table.get_ref(), &mut too_long);
    if !too_long.is_empty() {
        return Err(too_long);
    }
    let values = table_strings(table.get_ref());
    let plan = deserialize_all(table, &spans)?;
    Ok((plan, spans, values))
}

/// TOML syntax errors in Japanese, each at its place.
pub(super) fn syntax_diagnostics(text: &str, errors: &[toml::de::Error]) -> Vec<Diagnostic> {
    errors
        .iter()
        .map(|e| {
            e.span()
                .and_then(|span| super::unquoted::explain(text, &span))
                .unwrap_or_else(|| {
                    Diagnostic::error(
                        None,
                        format!("TOML の書き方に誤りがあります: {}", e.message()),
                    )
                    .with_span(e.span())
                    .with_hint("文字列は \"…\" で囲み、キーと値は = でつなぎます")
                })
        })
        .collect()
}

/// String values longer than the limit, by key path: refused before anything
/// else works on them, so a 50 MB value cannot make the build crawl.
fn long_values(prefix: &str, table: &DeTable<'_>, out: &mut Vec<Diagnostic>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        long_value(path, value, out);
    }
}

fn long_value(path: String, value: &toml::Spanned<DeValue<'_>>, out: &mut Vec<Diagnostic>) {
    match value.get_ref() {
        DeValue::String(s) => {
            let chars = s.chars().count();
            if chars > limits::VALUE_CHARS {
                let at = value.span().start;
                out.push(
                    Diagnostic::error(
                        path,
                        format!(
                            "文字列が長すぎます（{chars} 文字。1 つの値は {} 文字まで）",
                            limits::VALUE_CHARS
                        ),
                    )
                    .with_span(Some(at..at + 1)),
                );
            }
        }
        DeValue::Table(t) => long_values(&path, t, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                long_value(format!("{path}[{i}]"), item, out);
            }
        }
        _ => {}
    }
}

/// Every string value of a plan (merged over its bases) with its key path and span
/// (for checks that look at the text itself, such as glyphs the fonts lack).
/// A loaded plan has them already ([`Loaded::values`]).
pub fn string_values(file: &SourceFile) -> Vec<(String, Range<usize>, String)> {
    let table = if file.bases.is_empty() {
        DeTable::parse(&file.text).ok()
    } else {
        merged_table(file).ok()
    };
    table
        .map(|t| table_strings(t.get_ref()))
        .unwrap_or_default()
}

fn table_strings(table: &DeTable<'_>) -> Values {
    fn walk(path: String, value: &toml::Spanned<DeValue<'_>>, out: &mut Values) {
        match value.get_ref() {
            DeValue::String(s) => out.push((path, value.span(), s.to_string())),
            DeValue::Table(t) => {
                for (k, v) in t {
                    walk(format!("{path}.{}", k.get_ref()), v, out);
                }
            }
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(format!("{path}[{i}]"), item, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in table {
        walk(k.get_ref().to_string(), v, &mut out);
    }
    out
}

/// At most this many type errors are reported from one file.
const MAX_ERRORS: usize = 50;

/// serde stops at the first problem. To report every problem in one run, drop
/// the value each error points at and deserialise again. Dropping a required
/// key makes its table fail with "missing field" next: that follow-on error is
/// not reported, and the whole table is dropped instead.
fn deserialize_all(
    mut table: toml::Spanned<DeTable<'_>>,
    spans: &SpanIndex,
) -> Result<Plan, Vec<Diagnostic>> {
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for _ in 0..MAX_ERRORS {
        let e = match Plan::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(plan) if found.is_empty() => return Ok(plan),
            Ok(_) => break,
            Err(e) => e,
        };
        let at = e.span().and_then(|s| spans.path_at(&s)).unwrap_or("");
        let follow_on = e
            .message()
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .is_some_and(|field| {
                let key = if at.is_empty() {
                    field.to_string()
                } else {
                    format!("{at}.{field}")
                };
                removed.contains(&key)
            });
        if !follow_on {
            found.push(super::serde_ja::serde_error(&e, spans));
        }
        // Indices shift as array elements go; the span index still speaks
        // of the original file, so positions are looked up, never counted.
        let Some(path) = e.span().and_then(|s| spans.path_at(&s)) else {
            break;
        };
        let path = path.to_string();
        let current = current_path(&path, &removed);
        if path.is_empty() || !drop_path(table.get_mut(), &current) {
            break;
        }
        removed.push(path);
    }
    found.sort_by_key(|d| d.span.as_ref().map(|s| s.start));
    if found.is_empty() {
        // Only follow-on errors: cannot happen, but never report success on an error.
        found.push(Diagnostic::error(None, "TOML を読み込めません"));
    }
    Err(found)
}

/// The path of an original entry in the table as it is now: each removed
/// earlier sibling in the same array moves an index down by one.
fn current_path(path: &str, removed: &[String]) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let Some(len) = rest[open..].find(']') else {
            break;
        };
        let close = open + len;
        out.push_str(&rest[..open]);
        let array = &path[..path.len() - rest.len() + open];
        let index: usize = rest[open + 1..close].parse().unwrap_or(0);
        let gone = removed
            .iter()
            .filter(|r| element_index(r, array).is_some_and(|i| i < index))
            .count();
        out.push_str(&format!("[{}]", index - gone));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// `systems[3]` → 3, when `path` is an element of `array` itself.
fn element_index(path: &str, array: &str) -> Option<usize> {
    path.strip_prefix(array)?
        .strip_prefix('[')?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// Remove the entry at a key path (`systems[2].importance`, `backup`,
/// `systems[0]`). Returns whether something was removed.
fn drop_path<'i>(table: &mut DeTable<'i>, path: &str) -> bool {
    let (head, rest) = match path.find(['.', '[']) {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    };
    if rest.is_empty() {
        return table.remove(head).is_some();
    }
    match table.get_mut(head) {
        Some(value) => drop_in_value(value.get_mut(), rest),
        None => false,
    }
}

fn drop_in_value<'i>(value: &mut DeValue<'i>, rest: &str) -> bool {
    if let Some(key_path) = rest.strip_prefix('.') {
        return match value {
            DeValue::Table(t) => drop_path(t, key_path),
            _ => false,
        };
    }
    let Some((index, after)) = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .and_then(|(i, after)| Some((i.parse::<usize>().ok()?, after)))
    else {
        return false;
    };
    let DeValue::Array(items) = value else {
        return false;
    };
    if !after.is_empty() {
        return match items.as_mut().get_mut(index) {
            Some(item) => drop_in_value(item.get_mut(), after),
            None => false,
        };
    }
    if index >= items.len() {
        return false;
    }
    // DeArray has no `remove`; its array-of-tables flag only matters while parsing.
    let old = std::mem::replace(items, toml::de::DeArray::new());
    for (j, item) in old.into_iter().enumerate() {
        if j != index {
            items.push(item);
        }
    }
    true
}

/// Where every key and value of the document is, by key path
/// (`systems[0].name`), so validation can point at what it talks about.
#[derive(Debug, Default)]
pub struct SpanIndex {
    entries: Vec<SpanEntry>,
}

#[derive(Debug)]
struct SpanEntry {
    path: String,
    key: Option<Range<usize>>,
    value: Range<usize>,
}

impl SpanIndex {
    fn new(root: &toml::Spanned<DeTable<'_>>) -> Self {
        let mut index = Self::default();
        index.walk_table("", root.get_ref());
        index
    }

    fn walk_table(&mut self, prefix: &str, table: &DeTable<'_>) {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{prefix}.{}", key.get_ref())
            };
            self.walk_value(path, Some(key.span()), value);
        }
    }

    fn walk_value(
        &mut self,
        path: String,
        key: Option<Range<usize>>,
        value: &toml::Spanned<DeValue<'_>>,
    ) {
        self.entries.push(SpanEntry {
            path: path.clone(),
            key,
            value: value.span(),
        });
        match value.get_ref() {
            DeValue::Table(t) => self.walk_table(&path, t),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk_value(format!("{path}[{i}]"), None, item);
                }
            }
            _ => {}
        }
    }

    /// The span of a value (for a table: the table), or of the nearest ancestor that exists.
    pub fn span_of(&self, path: &str) -> Option<Range<usize>> {
        let mut path = path;
        loop {
            if let Some(e) = self.entries.iter().find(|e| e.path == path) {
                // Point at `key = value` as a whole when the value is short.
                return Some(match &e.key {
                    Some(k) if k.start < e.value.start && e.value.end - k.start < 200 => {
                        k.start..e.value.end
                    }
                    _ => e.value.clone(),
                });
            }
            path = parent_path(path)?;
        }
    }

    /// The deepest key path whose key or value covers `span`. An empty span at
    /// the very start is the document itself (serde's "missing field" at the root).
    pub fn path_at(&self, span: &Range<usize>) -> Option<&str> {
        if span.start == 0 && span.end == 0 {
            return None;
        }
        let covers = |r: &Range<usize>| r.start <= span.start && span.end <= r.end.max(r.start + 1);
        // An error on a key (unknown field) names that key.
        if let Some(e) = self
            .entries
            .iter()
            .rev()
            .find(|e| e.key.as_ref().is_some_and(covers))
        {
            return Some(e.path.as_str());
        }
        // On ties (an array of tables and its element share the `[[x]]` header's
        // span) the later entry is the deeper one.
        self.entries
            .iter()
            .rev()
            .filter(|e| covers(&e.value))
            .min_by_key(|e| e.value.len())
            .map(|e| e.path.as_str())
    }
}

fn parent_path(path: &str) -> Option<&str> {
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_shift_jis() {
        // 「病院」 in Shift_JIS
        let sjis = b"name = \"\x95\x61\x89\x40\"\n";
        assert!(looks_like_shift_jis(sjis));
        let err = decode(Path::new("f.toml"), sjis).unwrap_err();
        assert!(err.diagnostics[0].message.contains("Shift_JIS"));
    }

    #[test]
    fn every_type_error_is_reported_with_its_original_index() {
        let text = "[facility]\nname = \"x\"\nkind = \"clinic\"\n\
            [[systems]]\nname = \"A\"\ncategory = \"c\"\npurpose = \"p\"\nimportance = \"hihg\"\nrecovery_priority = 1\n\
            [[systems]]\nname = \"B\"\ncategory = \"c\"\npurpose = \"p\"\nimportance = \"high\"\n\
            [[systems]]\nname = \"C\"\ncategory = \"c\"\npurpose = \"p\"\nimportance = \"lwo\"\nrecovery_priority = 3\n";
        let errors = load_str("f.toml", text.to_string(), ".").unwrap_err();
        let keys: Vec<_> = errors
            .diagnostics
            .iter()
            .map(|d| d.key.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            keys,
            [
                "systems[0].importance",
                "systems[1].recovery_priority",
                "systems[2].importance"
            ]
        );
    }

    #[test]
    fn current_path_shifts_past_removed_siblings() {
        let removed = ["systems[0]".to_string(), "systems[2].name".to_string()];
        assert_eq!(current_path("systems[3].name", &removed), "systems[2].name");
        assert_eq!(current_path("systems[0].name", &removed), "systems[0].name");
        assert_eq!(current_path("facility.kind", &removed), "facility.kind");
    }

    #[test]
    fn span_index_finds_nested_paths() {
        let text =
            "[facility]\nname = \"x\"\n[[systems]]\nname = \"a\"\n[[systems]]\nname = \"b\"\n";
        let table = DeTable::parse(text).unwrap();
        let index = SpanIndex::new(&table);
        let span = index.span_of("systems[1].name").unwrap();
        assert_eq!(&text[span], "name = \"b\"");
        let inner = text.rfind("\"b\"").unwrap();
        assert_eq!(index.path_at(&(inner..inner + 3)), Some("systems[1].name"));
    }
}
