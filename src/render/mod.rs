//! Plan → Typst sources.
//!
//! Two channels, never mixed:
//! - tera lays out the document skeleton from the built-in (or overridden)
//!   templates. Its context holds only the facility kind and our own wording
//!   table (`terms.toml`): no string from the user's TOML ever reaches tera.
//! - user data reaches Typst as values in `data.json`, read by the template
//!   with `json()`. A Typst `str` placed in content prints literally, so names,
//!   notes and phone numbers can hold any character without becoming markup.

pub mod companion;
mod context;
mod gaps;
pub mod markdown;
pub mod table;
mod templates;

pub use companion::{COMPANIONS, Companion};
pub use context::{data_json, term};
pub use gaps::{Gap, gaps};
pub use templates::{BUILTIN, MAIN, Templates, kind_name, stamped};

use anyhow::Context as _;

use crate::coverage::Report;
use crate::diff::Diff;
use crate::model::Loaded;
use crate::model::devices::Asset;
use crate::model::validate::Checked;
use crate::public::Scrubber;

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

/// What a build may add to the plan's own data.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// `build --public`: hides what the plan's pass did not reach (derived
    /// text, the change list) and withholds the network diagram.
    pub public: Option<&'a Scrubber>,
    /// `build --changes-from`: the 「前版からの主な変更点」 page and margin marks.
    pub changes: Option<&'a ChangeList>,
}

/// The changes since the previous version, as the PDF prints them.
#[derive(Debug, Clone)]
pub struct ChangeList {
    /// The previous version's 版 (its newest `[[revisions]]`), if it has one.
    pub from: Option<String>,
    pub diff: Diff,
}

pub fn render(
    loaded: &Loaded,
    checked: &Checked,
    coverage: &Report,
    templates: &Templates,
) -> anyhow::Result<Rendered> {
    render_with(loaded, checked, coverage, templates, Extras::default())
}

pub fn render_with(
    loaded: &Loaded,
    checked: &Checked,
    coverage: &Report,
    templates: &Templates,
    extras: Extras,
) -> anyhow::Result<Rendered> {
    let gaps = gaps(&loaded.plan, checked);
    let kind = loaded.plan.facility.kind;
    let terms = templates.terms(kind);
    let data = data_json(loaded, checked, &gaps, coverage, terms, extras)?;
    let main = templates.render_file(MAIN, kind)?;
    // The public copy does not carry the diagram's bytes at all.
    let assets = match extras.public {
        Some(_) => Vec::new(),
        None => checked.diagram.iter().cloned().collect(),
    };
    Ok(Rendered {
        main,
        sources: templates.static_sources(),
        data: serde_json::to_vec_pretty(&data).context("data.json を書き出せません")?,
        assets,
        gaps,
        coverage: coverage.clone(),
        meta: match extras.public {
            Some(_) => meta(&format!("{PLAN_TITLE}（配布用）"), loaded, terms),
            None => meta(PLAN_TITLE, loaded, terms),
        },
    })
}

fn meta(
    title: &str,
    loaded: &Loaded,
    terms: &serde_json::Map<String, serde_json::Value>,
) -> DocMeta {
    let name = &loaded.plan.facility.name;
    let kind_name = term(terms, "kind_name");
    DocMeta {
        title: format!("{title}　{name}"),
        author: name.clone(),
        description: format!("{name}のサイバー攻撃を想定した事業継続計画"),
        keywords: ["BCP", "サイバーセキュリティ", "事業継続計画", kind_name]
            .map(String::from)
            .to_vec(),
    }
}

/// A companion PDF: the same data and helpers with another document as `main.typ`.
pub fn companion(
    rendered: &Rendered,
    loaded: &Loaded,
    templates: &Templates,
    which: &Companion,
) -> anyhow::Result<Rendered> {
    let companion::Via::Pdf {
        template,
        title,
        kit,
        ..
    } = which.via
    else {
        anyhow::bail!("{} は PDF ではありません", which.name);
    };
    let kind = loaded.plan.facility.kind;
    let data = if kit {
        with_kit(&rendered.data, &loaded.plan)?
    } else {
        rendered.data.clone()
    };
    // The plan's own metadata with the companion's title: the public copy's
    // redacted name carries over, never the original.
    let meta = DocMeta {
        title: format!("{title}　{}", rendered.meta.author),
        ..rendered.meta.clone()
    };
    Ok(Rendered {
        main: templates.render_file(template, kind)?,
        meta,
        data,
        ..rendered.clone()
    })
}

/// data.json with `kit` added: only the documents that read it pay for it.
fn with_kit(data: &[u8], plan: &crate::model::Plan) -> anyhow::Result<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(data).context("data.json")?;
    let mut kit = crate::kit::data(plan);
    context::join_phone_notes(&mut kit);
    context::printable(&mut kit);
    value["kit"] = kit;
    serde_json::to_vec_pretty(&value).context("data.json を書き出せません")
}
