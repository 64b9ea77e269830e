//! The built-in templates, embedded in the binary and overridable file by file
//! from a directory (as mdBook themes and Zola's builtins are). Loaded once per
//! run: `terms.toml` is read for every kind up front, and an override folder's
//! templates are all parsed when it is loaded, so a broken override fails
//! once, before any facility is read. The built-ins (tested) are parsed when
//! first rendered, only those the document uses: tera's parser took 15 ms of
//! every build for all fourteen, half of them companions' templates.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use anyhow::{Context as _, anyhow, bail};

use super::companion::{COMPANIONS, Via};
use crate::coverage::Status;
use crate::model::Kind;

/// The plan's own templates; the companion documents' come from [`COMPANIONS`].
const PLAN: &[(&str, &str)] = &[
    (
        "main.typ.tera",
        include_str!("../../templates/main.typ.tera"),
    ),
    (
        "front.typ.tera",
        include_str!("../../templates/front.typ.tera"),
    ),
    ("ch1.typ.tera", include_str!("../../templates/ch1.typ.tera")),
    ("ch2.typ.tera", include_str!("../../templates/ch2.typ.tera")),
    ("ch3.typ.tera", include_str!("../../templates/ch3.typ.tera")),
    ("ch4.typ.tera", include_str!("../../templates/ch4.typ.tera")),
    (
        "appendix.typ.tera",
        include_str!("../../templates/appendix.typ.tera"),
    ),
];

/// Served to Typst as they are (`*.typ`) or read by us (`terms.toml`).
const SHARED: &[(&str, &str)] = &[
    ("lib.typ", include_str!("../../templates/lib.typ")),
    ("terms.toml", include_str!("../../templates/terms.toml")),
];

/// The plan's entry template.
pub const MAIN: &str = "main.typ.tera";

/// Name and text of every built-in template: `*.typ.tera` go through tera,
/// `*.typ` are served to Typst as they are, `terms.toml` is the wording table.
pub static BUILTIN: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    let companions = COMPANIONS.iter().filter_map(|c| match c.via {
        Via::Pdf {
            template, source, ..
        } => Some((template, source)),
        _ => None,
    });
    PLAN.iter()
        .copied()
        .chain(companions)
        .chain(SHARED.iter().copied())
        .collect()
});

/// The 確認欄 marks and labels by status (`marks.covered.mark`…): the
/// templates print them from here, not from a copy of their own.
static MARKS: LazyLock<serde_json::Value> = LazyLock::new(|| {
    Status::ALL
        .iter()
        .map(|s| {
            let entry = serde_json::json!({"mark": s.print_mark(), "label": s.label()});
            (s.as_str().to_string(), entry)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
});

const KINDS: [Kind; 3] = [Kind::Hospital, Kind::Clinic, Kind::Pharmacy];

type Terms = serde_json::Map<String, serde_json::Value>;

/// A template override file.
const TEMPLATE_BYTES: u64 = 5 * 1024 * 1024;

/// Tera's `range` builds the whole list: a template asking for billions would
/// exhaust memory before anything could stop it.
const RANGE_MAX: i64 = 100_000;

#[derive(Debug, Clone)]
pub struct Templates {
    files: BTreeMap<String, String>,
    /// Every template, parsed when an override folder is loaded.
    all: Option<Arc<tera::Tera>>,
    /// Otherwise per entry point, the entry and the templates it names,
    /// parsed when first rendered ([`Templates::tera`]).
    parsed: Arc<Mutex<BTreeMap<String, Arc<tera::Tera>>>>,
    /// `terms.toml`, per kind (`Kind::as_str`).
    terms: BTreeMap<&'static str, Terms>,
    /// Overrides ejected from built-ins that have changed since ([`stamped`]).
    stale: Vec<String>,
}

impl Templates {
    pub fn builtin() -> Self {
        Self::from_files(
            BUILTIN
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        )
        .expect("the built-in templates are valid (tested)")
    }

    /// Built-ins, with any same-named file in `dir` taking their place.
    pub fn with_overrides(dir: &Path) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            bail!(
                "--templates のフォルダ {} がありません（cyberbcp init --templates {} で作れます）",
                dir.display(),
                dir.display()
            );
        }
        let mut files: BTreeMap<String, String> = BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let mut stale = Vec::new();
        for (name, builtin) in BUILTIN.iter() {
            let path = dir.join(name);
            if std::fs::symlink_metadata(&path).is_ok() {
                let bytes = crate::model::read_regular(&path, TEMPLATE_BYTES).map_err(|e| {
                    anyhow!(
                        "テンプレート {} を読めません: {}",
                        path.display(),
                        e.describe()
                    )
                })?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    anyhow!(
                        "テンプレート {} の文字コードが UTF-8 ではありません",
                        path.display()
                    )
                })?;
                if stamp_of(&text).is_some_and(|stamp| stamp != fingerprint(builtin)) {
                    stale.push(name.to_string());
                }
                files.insert(name.to_string(), text);
            }
        }
        let templates = Self::from_files(files)?;
        let all = templates.files.keys().filter(|n| n.ends_with(".tera"));
        let all = Arc::new(templates.parse(all)?);
        Ok(Self {
            stale,
            all: Some(all),
            ..templates
        })
    }

    /// Override files ejected (`init --templates`) from a built-in template
    /// that this cyberbcp has changed since: they may lack its improvements
    /// or no longer fit the other templates.
    pub fn stale(&self) -> &[String] {
        &self.stale
    }

    /// The built-ins, or those with `dir`'s overrides.
    pub fn load(dir: Option<&Path>) -> anyhow::Result<Self> {
        match dir {
            Some(dir) => Self::with_overrides(dir),
            None => Ok(Self::builtin()),
        }
    }

    fn from_files(files: BTreeMap<String, String>) -> anyhow::Result<Self> {
        let text = files
            .get("terms.toml")
            .ok_or_else(|| anyhow!("terms.toml がありません"))?;
        let table: toml::Table =
            toml::from_str(text).context("terms.toml の書き方に誤りがあります")?;
        let mut terms = BTreeMap::new();
        for kind in KINDS {
            terms.insert(kind.as_str(), kind_terms(&table, kind)?);
        }
        Ok(Self {
            files,
            all: None,
            parsed: Arc::default(),
            terms,
            stale: Vec::new(),
        })
    }

    /// Tera holding these templates.
    fn parse<'a>(&self, names: impl IntoIterator<Item = &'a String>) -> anyhow::Result<tera::Tera> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(names.into_iter().map(|n| (n, &self.files[n])))
            .map_err(tera_error)?;
        seal(&mut tera);
        check_recursion(&tera)?;
        // Only our own wording is in the context; escaping it anyway means a
        // term with `#` or `*` in an overridden terms.toml still prints as text.
        tera.autoescape_on(vec![".typ.tera"]);
        tera.set_escape_fn(escape_markup);
        Ok(tera)
    }

    /// Tera for one entry point: it and every template whose name appears in
    /// the text of those already taken (an include or import names its file
    /// in a string; a name that appears for another reason only costs its
    /// parsing).
    fn tera(&self, entry: &str) -> anyhow::Result<Arc<tera::Tera>> {
        if let Some(all) = &self.all {
            return Ok(all.clone());
        }
        let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tera) = parsed.get(entry) {
            return Ok(tera.clone());
        }
        let templates: Vec<&String> = self.files.keys().filter(|n| n.ends_with(".tera")).collect();
        let mut needed = BTreeSet::new();
        let mut next: Vec<&String> = templates.iter().copied().filter(|n| *n == entry).collect();
        while let Some(name) = next.pop() {
            if needed.insert(name) {
                let text = &self.files[name];
                next.extend(
                    templates
                        .iter()
                        .copied()
                        .filter(|n| text.contains(n.as_str())),
                );
            }
        }
        let tera = Arc::new(self.parse(needed)?);
        parsed.insert(entry.to_string(), tera.clone());
        Ok(tera)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// The wording for one facility kind, from `terms.toml`.
    pub fn terms(&self, kind: Kind) -> &Terms {
        &self.terms[kind.as_str()]
    }

    /// Static Typst files served beside `main.typ`.
    pub fn static_sources(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(n, _)| n.ends_with(".typ"))
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect()
    }

    /// Any `*.typ.tera` entry point: the plan ([`MAIN`]) or a companion
    /// document (`poster.typ.tera`, …).
    pub fn render_file(&self, name: &str, kind: Kind) -> anyhow::Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert("kind", kind.as_str());
        ctx.insert("t", self.terms(kind));
        ctx.insert("marks", &*MARKS);
        self.tera(name)?.render(name, &ctx).map_err(tera_error)
    }

    /// Render each entry point for every kind once, so a broken override is
    /// reported before any facility (their output depends on the kind only).
    pub fn check(&self, entries: &[&str]) -> anyhow::Result<()> {
        for name in entries {
            for kind in KINDS {
                self.render_file(name, kind)
                    .with_context(|| format!("テンプレート {name}（{}）", kind.as_str()))?;
            }
        }
        Ok(())
    }
}

/// The first line `init --templates` writes into each file: a comment in the
/// file's own language holding the built-in's [`fingerprint`], so a later
/// cyberbcp can tell the user that its built-in has changed since.
pub fn stamped(name: &str, text: &str) -> String {
    let note = format!(
        "{STAMP}{}。cyberbcp はこの行で、組み込みのテンプレートがその後変わったかを知らせます",
        fingerprint(text)
    );
    if name.ends_with(".tera") {
        // `-#}`: the line leaves no blank line in the generated source.
        format!("{{# {note} -#}}\n{text}")
    } else if name.ends_with(".toml") {
        format!("# {note}\n{text}")
    } else {
        format!("// {note}\n{text}")
    }
}

const STAMP: &str = "cyberbcp の組み込みテンプレートから書き出したもの: 版 ";

/// The fingerprint a stamped file's first line carries.
fn stamp_of(text: &str) -> Option<&str> {
    let line = text.lines().next()?;
    let rest = &line[line.find(STAMP)? + STAMP.len()..];
    rest.get(..16)
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// 16 hex digits of a template's SipHash (fixed keys: the same on every
/// machine and in every version).
fn fingerprint(text: &str) -> String {
    use std::hash::Hasher as _;
    let mut h = siphasher::sip::SipHasher13::new();
    h.write(text.as_bytes());
    format!("{:016x}", h.finish())
}

/// The built-in name of a facility kind (病院 / 診療所 / 薬局): terms.toml's
/// `kind_name`, for the terminal and the exports, which speak without a
/// chosen template folder. (A test checks every kind has one.)
pub fn kind_name(kind: Kind) -> &'static str {
    static NAMES: LazyLock<BTreeMap<&'static str, String>> = LazyLock::new(|| {
        let table: toml::Table =
            toml::from_str(include_str!("../../templates/terms.toml")).unwrap_or_default();
        KINDS
            .iter()
            .map(|k| {
                let name = table
                    .get(k.as_str())
                    .and_then(|t| t.get("kind_name"))
                    .and_then(toml::Value::as_str)
                    .unwrap_or(k.as_str());
                (k.as_str(), name.to_string())
            })
            .collect()
    });
    NAMES
        .get(kind.as_str())
        .map_or(kind.as_str(), String::as_str)
}

fn kind_terms(table: &toml::Table, kind: Kind) -> anyhow::Result<Terms> {
    let terms = table
        .get(kind.as_str())
        .and_then(toml::Value::as_table)
        .ok_or_else(|| anyhow!("terms.toml に [{}] がありません", kind.as_str()))?;
    match serde_json::to_value(terms)? {
        serde_json::Value::Object(map) => Ok(map),
        _ => bail!("terms.toml の [{}] は表である必要があります", kind.as_str()),
    }
}

/// Nothing in a template may reach outside the process: `get_env` (and any
/// other built-in that would) is replaced by one that says so, and `range`
/// is bounded.
fn seal(tera: &mut tera::Tera) {
    for name in ["get_env", "now", "get_random"] {
        tera.register_function(
            name,
            move |_: &HashMap<String, tera::Value>| -> tera::Result<tera::Value> {
                Err(tera::Error::msg(format!(
                    "テンプレートでは {name}() は使えません（環境変数・時刻・乱数は PDF に入れません）"
                )))
            },
        );
    }
    tera.register_function("range", |args: &HashMap<String, tera::Value>| {
        let int = |key: &str, default: i64| -> tera::Result<i64> {
            match args.get(key) {
                None => Ok(default),
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| tera::Error::msg(format!("range の {key} は整数です"))),
            }
        };
        let (start, end, step) = (int("start", 0)?, int("end", 0)?, int("step_by", 1)?);
        if step <= 0 {
            return Err(tera::Error::msg("range の step_by は 1 以上です"));
        }
        if end.saturating_sub(start) / step > RANGE_MAX {
            return Err(tera::Error::msg(format!(
                "range が大きすぎます（{RANGE_MAX} 個まで）"
            )));
        }
        let values: Vec<i64> = (start..end).step_by(step as usize).collect();
        Ok(tera::to_value(values)?)
    });
}

/// Tera follows includes and macro calls without a depth limit, so a cycle
/// overflows the stack and aborts the process. Refuse cycles before rendering.
fn check_recursion(tera: &tera::Tera) -> anyhow::Result<()> {
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in tera.get_template_names() {
        let Ok(template) = tera.get_template(name) else {
            continue;
        };
        let mut calls = Vec::new();
        // Macro bodies are followed under the macro's own node name.
        for (macro_name, def) in &template.macros {
            let mut inner = Vec::new();
            collect_calls(&def.body, name, &template.imported_macro_files, &mut inner);
            edges.insert(format!("{name}::{macro_name}"), inner);
        }
        collect_calls(
            &template.ast,
            name,
            &template.imported_macro_files,
            &mut calls,
        );
        edges.insert(name.to_string(), calls);
    }
    for start in edges.keys() {
        let mut path = vec![start.clone()];
        if let Some(cycle) = find_cycle(&edges, &mut path) {
            bail!(
                "テンプレートが自分自身を呼び出しています（{}）。include やマクロの呼び出しが循環しないようにしてください",
                cycle.join(" → ")
            );
        }
    }
    Ok(())
}

fn find_cycle(
    edges: &BTreeMap<String, Vec<String>>,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    let last = path.last()?.clone();
    for next in edges.get(&last).into_iter().flatten() {
        if path.contains(next) {
            let mut cycle = path.clone();
            cycle.push(next.clone());
            return Some(cycle);
        }
        if path.len() > 64 {
            return Some(path.clone());
        }
        path.push(next.clone());
        if let Some(c) = find_cycle(edges, path) {
            return Some(c);
        }
        path.pop();
    }
    None
}

/// Includes (`file`) and macro calls (`file::macro`) made from these nodes.
fn collect_calls(
    nodes: &[tera::ast::Node],
    file: &str,
    imports: &[(String, String)],
    out: &mut Vec<String>,
) {
    use tera::ast::Node;
    for node in nodes {
        match node {
            Node::Include(_, names, _) => out.extend(names.iter().cloned()),
            Node::VariableBlock(_, expr) => collect_expr(expr, file, imports, out),
            Node::Set(_, set) => collect_expr(&set.value, file, imports, out),
            Node::FilterSection(_, section, _) => collect_calls(&section.body, file, imports, out),
            Node::Block(_, block, _) => collect_calls(&block.body, file, imports, out),
            Node::Forloop(_, forloop, _) => {
                collect_expr(&forloop.container, file, imports, out);
                collect_calls(&forloop.body, file, imports, out);
                if let Some(empty) = &forloop.empty_body {
                    collect_calls(empty, file, imports, out);
                }
            }
            Node::If(cond, _) => {
                for (_, expr, body) in &cond.conditions {
                    collect_expr(expr, file, imports, out);
                    collect_calls(body, file, imports, out);
                }
                if let Some((_, body)) = &cond.otherwise {
                    collect_calls(body, file, imports, out);
                }
            }
            _ => {}
        }
    }
}

fn collect_expr(
    expr: &tera::ast::Expr,
    file: &str,
    imports: &[(String, String)],
    out: &mut Vec<String>,
) {
    use tera::ast::ExprVal;
    match &expr.val {
        ExprVal::MacroCall(call) => {
            let target = if call.namespace == "self" {
                file.to_string()
            } else {
                imports
                    .iter()
                    .find(|(_, ns)| ns == &call.namespace)
                    .map_or_else(|| call.namespace.clone(), |(f, _)| f.clone())
            };
            out.push(format!("{target}::{}", call.name));
            for arg in call.args.values() {
                collect_expr(arg, file, imports, out);
            }
        }
        ExprVal::FunctionCall(call) => {
            for arg in call.args.values() {
                collect_expr(arg, file, imports, out);
            }
        }
        ExprVal::Math(m) => {
            collect_expr(&m.lhs, file, imports, out);
            collect_expr(&m.rhs, file, imports, out);
        }
        ExprVal::Logic(l) => {
            collect_expr(&l.lhs, file, imports, out);
            collect_expr(&l.rhs, file, imports, out);
        }
        ExprVal::Array(items) => {
            for item in items {
                collect_expr(item, file, imports, out);
            }
        }
        _ => {}
    }
    for filter in &expr.filters {
        for arg in filter.args.values() {
            collect_expr(arg, file, imports, out);
        }
    }
}

/// Tera's own message is only "Failed to render": keep the causes.
fn tera_error(e: tera::Error) -> anyhow::Error {
    let mut msg = format!("テンプレートの処理に失敗しました: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(&format!("\n  原因: {s}"));
        source = s.source();
    }
    anyhow!(msg)
}

/// Escape text for Typst markup: every character with a meaning gets a backslash.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\#$*_`<>@[]{}=-+/~'\".:".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back_in_each_language_and_only_from_the_first_line() {
        for (name, text) in BUILTIN.iter() {
            let ejected = stamped(name, text);
            assert_eq!(
                stamp_of(&ejected),
                Some(fingerprint(text).as_str()),
                "{name}"
            );
            assert_ne!(
                fingerprint(text),
                fingerprint(&format!("{text} ")),
                "{name}"
            );
        }
        // A user's own file, a stamp moved down, a stamp cut short: no claim.
        assert_eq!(stamp_of("#let x = 1\n"), None);
        let lib = stamped("lib.typ", "x");
        assert_eq!(stamp_of(&format!("\n{lib}")), None);
        assert_eq!(stamp_of(&lib[..lib.find('。').unwrap() - 4]), None);
        // Stable across machines and versions: SipHash-1-3 with zero keys.
        assert_eq!(fingerprint(""), "d1fba762150c532c");
    }

    #[test]
    fn every_kind_has_every_term() {
        let t = Templates::builtin();
        let hospital = t.terms(Kind::Hospital);
        for kind in [Kind::Clinic, Kind::Pharmacy] {
            let other = t.terms(kind);
            let a: Vec<_> = hospital.keys().collect();
            let b: Vec<_> = other.keys().collect();
            assert_eq!(a, b, "{kind:?} terms differ from hospital's");
        }
        assert_eq!(t.terms(Kind::Pharmacy)["self"], "当薬局");
    }

    #[test]
    fn every_unfilled_box_has_plain_words_and_a_key() {
        // Each key a template draws a 【未記入】 box for must have wording in
        // model::fill, or the box would show a bare TOML key.
        let call =
            regex::Regex::new(r#"(?:missing|missing-inline|filled|has-gap)\("([a-z_.]+)"|(?:gap-after|need)\([^,()]+, "([a-z_.]+)""#)
                .unwrap();
        let mut seen = 0;
        for (name, text) in BUILTIN.iter() {
            for c in call.captures_iter(text) {
                let key = c.get(1).or(c.get(2)).unwrap().as_str();
                assert!(!crate::model::fill::what(key).is_empty(), "{name}: {key}");
                seen += 1;
            }
        }
        assert!(seen > 30, "{seen}");
    }

    #[test]
    fn kind_names_come_from_terms() {
        let t = Templates::builtin();
        for kind in KINDS {
            assert_eq!(kind_name(kind), t.terms(kind)["kind_name"], "{kind:?}");
        }
        assert_eq!(kind_name(Kind::Clinic), "診療所");
    }

    #[test]
    fn every_kind_has_every_kit_term() {
        let t = Templates::builtin();
        let keys = |kind| {
            let kit = t.terms(kind)["kit"].as_object().expect("[kind.kit] table");
            kit.keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(keys(Kind::Hospital), keys(Kind::Clinic));
        assert_eq!(keys(Kind::Hospital), keys(Kind::Pharmacy));
        assert_eq!(t.terms(Kind::Pharmacy)["kit"]["service"], "お薬のお渡し");
    }

    /// Kind wording lives in terms.toml, not in `{% if kind == … %}` branches.
    #[test]
    fn templates_do_not_branch_on_the_kind() {
        for (name, text) in BUILTIN.iter() {
            for branch in ["kind ==", "kind !=", "kind==", "kind!="] {
                assert!(!text.contains(branch), "{name} has `{branch}`: use a term");
            }
        }
    }

    #[test]
    fn every_entry_point_renders_for_every_kind() {
        let t = Templates::builtin();
        let mut entries = vec![MAIN];
        entries.extend(COMPANIONS.iter().filter_map(|c| c.template()));
        t.check(&entries).unwrap();
    }

    #[test]
    fn a_document_parses_only_the_templates_it_uses() {
        let t = Templates::builtin();
        t.render_file(MAIN, Kind::Clinic).unwrap();
        let plan_tera = t.tera(MAIN).unwrap();
        let mut parsed: Vec<&str> = plan_tera.get_template_names().collect();
        parsed.sort_unstable();
        let mut plan: Vec<&str> = PLAN.iter().map(|(n, _)| *n).collect();
        plan.sort_unstable();
        assert_eq!(parsed, plan);
        let cards = t.tera("cards.typ.tera").unwrap();
        assert_eq!(
            cards.get_template_names().collect::<Vec<_>>(),
            ["cards.typ.tera"]
        );
    }

    #[test]
    fn a_broken_override_fails_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ch1.typ.tera"), "{% if %}").unwrap();
        assert!(Templates::with_overrides(dir.path()).is_err());
        std::fs::remove_file(dir.path().join("ch1.typ.tera")).unwrap();
        std::fs::write(dir.path().join("terms.toml"), "[hospital]\nself = 1\n").unwrap();
        assert!(Templates::with_overrides(dir.path()).is_err());
    }
}
