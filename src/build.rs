//! The build pipeline as a library: TOML → checked plan → Typst sources → PDF.
//! `cmd::build` adds the file handling; tests and benches call this directly.

use std::path::Path;
use std::time::Duration;

use crate::coverage;
use crate::diag::{Diagnostic, InputErrors, SourceFile};
use crate::model::{self, Date, Loaded, validate::Checked};
use crate::pdf::{self, BcpWorld};
use crate::render::{self, Rendered, Templates};

/// A plan that passed validation, ready to render.
#[derive(Debug)]
pub struct Prepared {
    pub loaded: Loaded,
    pub checked: Checked,
}

impl Prepared {
    pub fn file(&self) -> &SourceFile {
        &self.loaded.file
    }

    pub fn warnings(&self) -> &[Diagnostic] {
        &self.checked.warnings
    }

    /// The document's date: the newest revision, else `SOURCE_DATE_EPOCH`,
    /// else the Unix epoch. Never the clock, so rebuilding gives the same bytes.
    pub fn date(&self) -> Date {
        self.loaded
            .plan
            .latest_revision()
            .map(|r| r.date)
            .or_else(Date::source_date_epoch)
            .unwrap_or(Date {
                year: 1970,
                month: 1,
                day: 1,
            })
    }

    /// The 確認表 coverage and yearly-cycle warnings as of today: cheap, no Typst involved.
    pub fn coverage(&self) -> coverage::Report {
        self.coverage_on(Date::now())
    }

    pub fn coverage_on(&self, today: Date) -> coverage::Report {
        coverage::evaluate(&self.loaded.plan, &self.checked, today)
    }

    pub fn render(&self, templates: &Templates) -> anyhow::Result<Rendered> {
        render::render(&self.loaded, &self.checked, &self.coverage(), templates)
    }

    /// A companion document (poster, form, disclosure draft) from the same data.
    pub fn render_companion(
        &self,
        rendered: &Rendered,
        templates: &Templates,
        which: render::Companion,
    ) -> anyhow::Result<Rendered> {
        render::companion(rendered, &self.loaded, templates, which)
    }
}

pub fn prepare_file(path: &Path) -> Result<Prepared, InputErrors> {
    let loaded = model::load_file(path)?;
    checked(loaded)
}

pub fn prepare_str(path: &Path, text: &str, base_dir: &Path) -> Result<Prepared, InputErrors> {
    let loaded = model::load_str(path, text.to_string(), base_dir)?;
    checked(loaded)
}

fn checked(loaded: Loaded) -> Result<Prepared, InputErrors> {
    let mut checked = model::validate(&loaded)?;
    checked.warnings.extend(missing_glyphs(&loaded.file.text));
    Ok(Prepared { loaded, checked })
}

/// Characters the embedded fonts lack (emoji, Hangul, 𠮷, Arabic…) print as
/// empty boxes: warn, naming the key and the characters.
pub fn missing_glyphs(text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (key, span, value) in model::string_values(text) {
        let mut missing: Vec<char> = Vec::new();
        for c in value.chars() {
            if !missing.contains(&c) && !pdf::fonts::printable(c) {
                missing.push(c);
            }
        }
        if missing.is_empty() {
            continue;
        }
        let shown: Vec<String> = missing
            .iter()
            .take(5)
            .map(|c| format!("「{c}」(U+{:04X})", *c as u32))
            .collect();
        let more = if missing.len() > 5 {
            format!(" ほか {} 文字", missing.len() - 5)
        } else {
            String::new()
        };
        found.push(
            Diagnostic::warning(
                key,
                format!(
                    "{}{more} は PDF のフォント（IPAex）にない文字のため、□ などで印刷されます",
                    shown.join("・")
                ),
            )
            .with_span(Some(span))
            .with_hint("別の文字（常用の漢字・かな、または言葉）に置き換えてください"),
        );
    }
    found
}

/// Raw file bytes (as read from disk) to a checked plan: the fuzz target's entry.
pub fn prepare_bytes(path: &Path, bytes: &[u8], base_dir: &Path) -> Result<Prepared, InputErrors> {
    let text = model::decode(path, bytes)?;
    prepare_str(path, &text, base_dir)
}

/// The finished document.
pub struct Output {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Typst's own warnings (template issues, not the user's).
    pub typst_warnings: Vec<String>,
}

/// Longest a compilation may take. Real plans take seconds; a template
/// override that loops forever must still end (`CYBERBCP_TYPST_TIMEOUT`, in
/// seconds, changes it, for slow machines and for tests).
pub const COMPILE_DEADLINE: Duration = Duration::from_secs(180);

fn deadline() -> Duration {
    std::env::var("CYBERBCP_TYPST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(COMPILE_DEADLINE, Duration::from_secs)
}

/// Compile on a worker thread with a deadline. Typst cannot be interrupted:
/// past the deadline the worker is abandoned and the caller reports the
/// failure (the process then ends). A panic inside Typst is reported, not
/// propagated.
pub fn compile(rendered: &Rendered, date: Date) -> Result<Output, pdf::TypstErrors> {
    let limit = deadline();
    let (tx, rx) = std::sync::mpsc::channel();
    let rendered = rendered.clone();
    let spawned = std::thread::Builder::new()
        .name("typst".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let world = BcpWorld::new(&rendered, date);
            let _ = tx.send(compile_in(&world, date));
        });
    let fail = |message: String| pdf::TypstErrors {
        messages: vec![message],
    };
    if let Err(e) = spawned {
        return Err(fail(format!("組版を始められません（{e}）")));
    }
    match rx.recv_timeout(limit) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(fail(format!(
            "組版が {} 秒以内に終わりませんでした。テンプレートの上書き（--templates）に終わらない繰り返しや再帰がないか確認してください",
            limit.as_secs()
        ))),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(fail(
            "組版中に内部エラーが起きました（上の panic の表示を添えて報告してください）".into(),
        )),
    }
}

/// Compile in an existing World (watch and batch reuse one for its caches).
pub fn compile_in(world: &BcpWorld, date: Date) -> Result<Output, pdf::TypstErrors> {
    let (doc, typst_warnings) = pdf::compile(world)?;
    let pdf = pdf::export(world, &doc, date)?;
    Ok(Output {
        pdf,
        pages: doc.pages().len(),
        typst_warnings,
    })
}
