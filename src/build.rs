//! The build pipeline as a library: TOML → checked plan → Typst sources → PDF.
//! `cmd::build` adds the file handling; tests and benches call this directly.

use std::path::Path;

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

    /// The PDF's appendix judges the plan as of its own date (the newest
    /// revision), never the clock, so rebuilding gives the same bytes.
    pub fn render(&self, templates: &Templates) -> anyhow::Result<Rendered> {
        let coverage = self.coverage_on(self.date());
        render::render(&self.loaded, &self.checked, &coverage, templates)
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
    let checked = model::validate(&loaded)?;
    Ok(Prepared { loaded, checked })
}

pub fn prepare_str(path: &Path, text: &str, base_dir: &Path) -> Result<Prepared, InputErrors> {
    let loaded = model::load_str(path, text.to_string(), base_dir)?;
    let checked = model::validate(&loaded)?;
    Ok(Prepared { loaded, checked })
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

pub fn compile(rendered: &Rendered, date: Date) -> Result<Output, pdf::TypstErrors> {
    let world = BcpWorld::new(rendered, date);
    compile_in(&world, date)
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
