//! The built-in templates, embedded in the binary and overridable file by file
//! from a directory (as mdBook themes and Zola's builtins are).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, anyhow, bail};

use crate::model::Kind;

/// Name and text of every built-in template. `*.typ.tera` go through tera,
/// `*.typ` are served to Typst as they are, `terms.toml` is the wording table.
pub const BUILTIN: &[(&str, &str)] = &[
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
    (
        "poster.typ.tera",
        include_str!("../../templates/poster.typ.tera"),
    ),
    (
        "form.typ.tera",
        include_str!("../../templates/form.typ.tera"),
    ),
    (
        "disclosure.typ.tera",
        include_str!("../../templates/disclosure.typ.tera"),
    ),
    (
        "checklist.typ.tera",
        include_str!("../../templates/checklist.typ.tera"),
    ),
    (
        "cards.typ.tera",
        include_str!("../../templates/cards.typ.tera"),
    ),
    (
        "announce.typ.tera",
        include_str!("../../templates/announce.typ.tera"),
    ),
    (
        "drill.typ.tera",
        include_str!("../../templates/drill.typ.tera"),
    ),
    ("lib.typ", include_str!("../../templates/lib.typ")),
    ("terms.toml", include_str!("../../templates/terms.toml")),
];

#[derive(Debug, Clone)]
pub struct Templates {
    files: BTreeMap<String, String>,
}

impl Templates {
    pub fn builtin() -> Self {
        Self {
            files: BUILTIN
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
        }
    }

    /// Built-ins, with any same-named file in `dir` taking their place.
    pub fn with_overrides(dir: &Path) -> anyhow::Result<Self> {
        let mut templates = Self::builtin();
        for (name, _) in BUILTIN {
            let path = dir.join(name);
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("テンプレート {} を読めません", path.display()))?;
                templates.files.insert(name.to_string(), text);
            }
        }
        Ok(templates)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    /// The wording for one facility kind, from `terms.toml`.
    pub fn terms(&self, kind: Kind) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
        let text = self
            .get("terms.toml")
            .ok_or_else(|| anyhow!("terms.toml がありません"))?;
        let table: toml::Table =
            toml::from_str(text).context("terms.toml の書き方に誤りがあります")?;
        let terms = table
            .get(kind.as_str())
            .and_then(toml::Value::as_table)
            .ok_or_else(|| anyhow!("terms.toml に [{}] がありません", kind.as_str()))?;
        let json = serde_json::to_value(terms)?;
        match json {
            serde_json::Value::Object(map) => Ok(map),
            _ => bail!("terms.toml の [{}] は表である必要があります", kind.as_str()),
        }
    }

    /// Static Typst files served beside `main.typ`.
    pub fn static_sources(&self) -> Vec<(String, String)> {
        self.files
            .iter()
            .filter(|(n, _)| n.ends_with(".typ"))
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect()
    }

    pub fn render_main(
        &self,
        kind: Kind,
        terms: &serde_json::Map<String, serde_json::Value>,
    ) -> anyhow::Result<String> {
        self.render_file("main.typ.tera", kind, terms)
    }

    /// Any `*.typ.tera` entry point: the plan (`main.typ.tera`) or a
    /// companion document (`poster.typ.tera`, …).
    pub fn render_file(
        &self,
        name: &str,
        kind: Kind,
        terms: &serde_json::Map<String, serde_json::Value>,
    ) -> anyhow::Result<String> {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(self.files.iter().filter(|(n, _)| n.ends_with(".tera")))
            .map_err(tera_error)?;
        // Only our own wording is in the context; escaping it anyway means a
        // term with `#` or `*` in an overridden terms.toml still prints as text.
        tera.autoescape_on(vec![".typ.tera"]);
        tera.set_escape_fn(escape_markup);
        let mut ctx = tera::Context::new();
        ctx.insert("kind", kind.as_str());
        ctx.insert("t", terms);
        tera.render(name, &ctx).map_err(tera_error)
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
    fn every_kind_has_every_term() {
        let t = Templates::builtin();
        let hospital = t.terms(Kind::Hospital).unwrap();
        for kind in [Kind::Clinic, Kind::Pharmacy] {
            let other = t.terms(kind).unwrap();
            let a: Vec<_> = hospital.keys().collect();
            let b: Vec<_> = other.keys().collect();
            assert_eq!(a, b, "{kind:?} terms differ from hospital's");
        }
        assert_eq!(t.terms(Kind::Pharmacy).unwrap()["self"], "当薬局");
    }

    #[test]
    fn every_kind_has_every_kit_term() {
        let t = Templates::builtin();
        let keys = |kind| {
            let terms = t.terms(kind).unwrap();
            let kit = terms["kit"].as_object().expect("[kind.kit] table");
            kit.keys().cloned().collect::<Vec<_>>()
        };
        assert_eq!(keys(Kind::Hospital), keys(Kind::Clinic));
        assert_eq!(keys(Kind::Hospital), keys(Kind::Pharmacy));
        assert_eq!(
            t.terms(Kind::Pharmacy).unwrap()["kit"]["service"],
            "お薬のお渡し"
        );
    }
}
