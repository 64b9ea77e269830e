//! Plan → Typst sources.
//!
//! Two channels, never mixed:
//! - tera lays out the document skeleton from the built-in (or overridden)
//!   templates. Its context holds only the facility kind and our own wording
//!   table (`terms.toml`): no string from the user's TOML ever reaches tera.
//! - user data reaches Typst as values in `data.json`, read by the template
//!   with `json()`. A Typst `str` placed in content prints literally, so names,
//!   notes and phone numbers can hold any character without becoming markup.

mod context;
mod gaps;
mod templates;

pub use context::data_json;
pub use gaps::{Gap, gaps};
pub use templates::{BUILTIN, Templates};

use anyhow::Context as _;

use crate::coverage::Report;
use crate::model::Loaded;
use crate::model::devices::Asset;
use crate::model::validate::Checked;

/// Everything Typst compiles, as virtual files.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// `main.typ`, the tera output.
    pub main: String,
    /// Static Typst files from the templates (`lib.typ`).
    pub sources: Vec<(String, String)>,
    /// `data.json`.
    pub data: Vec<u8>,
    pub assets: Vec<Asset>,
    pub gaps: Vec<Gap>,
    /// The 確認表 coverage printed in the appendix.
    pub coverage: Report,
    /// PDF metadata.
    pub meta: DocMeta,
}

/// The PDF's title, author, subject and keywords.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocMeta {
    pub title: String,
    pub author: String,
    pub description: String,
    pub keywords: Vec<String>,
}

pub const PLAN_TITLE: &str = "サイバー攻撃を想定した事業継続計画（BCP）";

pub fn render(
    loaded: &Loaded,
    checked: &Checked,
    coverage: &Report,
    templates: &Templates,
) -> anyhow::Result<Rendered> {
    let gaps = gaps(&loaded.plan, checked);
    let terms = templates.terms(loaded.plan.facility.kind)?;
    let data = data_json(loaded, checked, &gaps, coverage, &terms)?;
    let main = templates.render_main(loaded.plan.facility.kind, &terms)?;
    Ok(Rendered {
        main,
        sources: templates.static_sources(),
        data: serde_json::to_vec_pretty(&data).context("data.json を書き出せません")?,
        assets: checked.diagram.iter().cloned().collect(),
        gaps,
        coverage: coverage.clone(),
        meta: meta(PLAN_TITLE, loaded, &terms),
    })
}

fn meta(
    title: &str,
    loaded: &Loaded,
    terms: &serde_json::Map<String, serde_json::Value>,
) -> DocMeta {
    let name = &loaded.plan.facility.name;
    let kind_name = terms
        .get("kind_name")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    DocMeta {
        title: format!("{title}　{name}"),
        author: name.clone(),
        description: format!("{name}のサイバー攻撃を想定した事業継続計画"),
        keywords: ["BCP", "サイバーセキュリティ", "事業継続計画", kind_name]
            .map(String::from)
            .to_vec(),
    }
}

/// Documents printed from the same data besides the plan itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Companion {
    /// 連絡体制図の掲示用ポスター（A4 一枚）
    Poster,
    /// 異常報告様式
    Form,
    /// 情報公開の文案（4.3）
    Disclosure,
    /// サイバーセキュリティ対策チェックリスト（医療機関確認用・薬局確認用）
    Checklist,
    /// 役割ごとのアクションカード
    Cards,
    /// 院内放送・店内掲示の文案と受付での掲示
    Announce,
    /// 机上訓練キット（シナリオ・コールシート・評価表・記録）
    Drill,
}

impl Companion {
    pub fn name(self) -> &'static str {
        match self {
            Companion::Poster => "poster",
            Companion::Form => "form",
            Companion::Disclosure => "disclosure",
            Companion::Checklist => "checklist",
            Companion::Cards => "cards",
            Companion::Announce => "announce",
            Companion::Drill => "drill",
        }
    }

    fn template(self) -> String {
        format!("{}.typ.tera", self.name())
    }

    fn title(self) -> &'static str {
        match self {
            Companion::Poster => "サイバー攻撃・システム異常時の連絡先",
            Companion::Form => "システム異常報告書",
            Companion::Disclosure => "情報公開文案",
            Companion::Checklist => "サイバーセキュリティ対策チェックリスト",
            Companion::Cards => "サイバー攻撃時のアクションカード",
            Companion::Announce => "サイバー攻撃時のお知らせ文案（放送・掲示）",
            Companion::Drill => "サイバー攻撃を想定した机上訓練キット",
        }
    }

    /// Whether the document reads `data.kit` (the day-of-incident data).
    fn uses_kit(self) -> bool {
        matches!(
            self,
            Companion::Cards | Companion::Announce | Companion::Drill
        )
    }
}

/// The same data and helpers with another document as `main.typ`.
pub fn companion(
    rendered: &Rendered,
    loaded: &Loaded,
    templates: &Templates,
    which: Companion,
) -> anyhow::Result<Rendered> {
    let kind = loaded.plan.facility.kind;
    let terms = templates.terms(kind)?;
    let data = if which.uses_kit() {
        with_kit(&rendered.data, &loaded.plan)?
    } else {
        rendered.data.clone()
    };
    Ok(Rendered {
        main: templates.render_file(&which.template(), kind, &terms)?,
        meta: meta(which.title(), loaded, &terms),
        data,
        ..rendered.clone()
    })
}

/// data.json with `kit` added: only the documents that read it pay for it.
fn with_kit(data: &[u8], plan: &crate::model::Plan) -> anyhow::Result<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(data).context("data.json")?;
    let mut kit = crate::kit::data(plan);
    context::printable(&mut kit);
    value["kit"] = kit;
    serde_json::to_vec_pretty(&value).context("data.json を書き出せません")
}
