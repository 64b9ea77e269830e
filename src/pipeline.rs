//! The spine: TOML → checked plan → Typst sources → PDF, and the documents
//! `--also` adds. `cmd::build`, `cmd::watch` and batches drive it through one
//! [`BuildConfig`] and write what it made; tests and benches call it directly.

use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::checklist;
use crate::cli::{self, Also};
use crate::coverage;
use crate::diag::{Diagnostic, InputErrors, SourceFile};
use crate::export;
use crate::model::{self, Date, Loaded, validate::Checked};
use crate::pdf::{self, BcpWorld};
use crate::render::companion::Via;
use crate::render::{self, Companion, MAIN, Rendered, Templates};

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
        // Judged on the plan's own date, never the clock: the same plan renders
        // the same sources on any day (1-2.3 depends on the day).
        let report = self.coverage_on(self.date());
        render::render(&self.loaded, &self.checked, &report, templates)
    }

    /// A companion PDF (poster, form, disclosure draft…) from the same data.
    pub fn render_companion(
        &self,
        rendered: &Rendered,
        templates: &Templates,
        which: &Companion,
    ) -> anyhow::Result<Rendered> {
        render::companion(rendered, &self.loaded, templates, which)
    }
}

pub fn prepare_file(path: &Path) -> Result<Prepared, InputErrors> {
    check(model::load_file(path)?)
}

pub fn prepare_str(path: &Path, text: &str, base_dir: &Path) -> Result<Prepared, InputErrors> {
    check(model::load_str(path, text.to_string(), base_dir)?)
}

/// The model's validation plus the checks that need modules above it.
fn check(loaded: Loaded) -> Result<Prepared, InputErrors> {
    let checked = model::validate(&loaded, &[checklist::check_answers])?;
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

/// One run of `build` or `watch`, settled before any facility is read: the
/// templates (parsed and checked once), the `--also` documents and the day
/// coverage is judged on. A batch shares one across its threads.
#[derive(Debug)]
pub struct BuildConfig {
    pub templates: Templates,
    /// Where the template overrides come from (`watch` reloads them).
    pub templates_dir: Option<PathBuf>,
    /// The documents made beside each plan, in order, each once.
    pub also: Vec<&'static Companion>,
    /// The day review warnings are judged on (`SOURCE_DATE_EPOCH` or the clock;
    /// never printed in the PDF).
    pub today: Date,
}

impl BuildConfig {
    pub fn new(templates_dir: Option<&Path>, also: &[Also]) -> anyhow::Result<Self> {
        let also = cli::companions(also);
        let templates = load_templates(templates_dir, &also)?;
        Ok(Self {
            templates,
            templates_dir: templates_dir.map(Path::to_path_buf),
            also,
            today: Date::now(),
        })
    }

    /// The plan's Typst sources, with coverage judged on [`Self::today`].
    pub fn render(&self, prepared: &Prepared) -> anyhow::Result<Rendered> {
        let report = prepared.coverage_on(self.today);
        render::render(
            &prepared.loaded,
            &prepared.checked,
            &report,
            &self.templates,
        )
    }

    /// Render and compile the plan and every `--also` document for `output`;
    /// nothing is written. `world` keeps Typst's caches across rebuilds.
    pub fn make(
        &self,
        prepared: &Prepared,
        output: &Path,
        world: Option<&mut Option<BcpWorld>>,
    ) -> anyhow::Result<Made> {
        let rendered = self.render(prepared)?;
        self.compile(prepared, rendered, output, world)
    }

    /// [`Self::make`] from sources already rendered (`--emit-typst` writes them first).
    pub fn compile(
        &self,
        prepared: &Prepared,
        rendered: Rendered,
        output: &Path,
        world: Option<&mut Option<BcpWorld>>,
    ) -> anyhow::Result<Made> {
        let date = prepared.date();
        let out = match world {
            Some(slot) => {
                let world = match slot.take() {
                    Some(mut world) => {
                        world.update(&rendered, date);
                        slot.insert(world)
                    }
                    None => slot.insert(BcpWorld::new(&rendered, date)),
                };
                compile_in(world, date)?
            }
            None => compile(&rendered, date)?,
        };
        let mut files = vec![File {
            path: output.to_path_buf(),
            bytes: out.pdf,
            pages: Some(out.pages),
        }];
        for which in &self.also {
            files.extend(self.companion(prepared, &rendered, which, output)?);
        }
        Ok(Made {
            rendered,
            pages: out.pages,
            files,
            typst_warnings: out.typst_warnings,
        })
    }

    fn companion(
        &self,
        prepared: &Prepared,
        rendered: &Rendered,
        which: &Companion,
        output: &Path,
    ) -> anyhow::Result<Vec<File>> {
        let paths = which.outputs.iter().map(|suffix| beside(output, suffix));
        let plan = &prepared.loaded.plan;
        let report = &rendered.coverage;
        let edition = render::term(
            self.templates.terms(plan.facility.kind),
            "checklist_edition",
        );
        let sheet = || checklist::sheet(plan, &prepared.checked, report, edition);
        let made: Vec<(Vec<u8>, Option<usize>)> = match which.via {
            Via::Pdf { .. } => {
                let doc = prepared.render_companion(rendered, &self.templates, which)?;
                let out = compile(&doc, prepared.date())?;
                vec![(out.pdf, Some(out.pages))]
            }
            Via::Xlsx => vec![(export::xlsx(&plan.facility.name, report, &sheet())?, None)],
            Via::Csv => vec![
                (export::csv(&export::kakuninhyo_rows(report))?, None),
                (export::csv(&export::checklist_rows(&sheet()))?, None),
            ],
        };
        if made.len() != which.outputs.len() {
            bail!("{}: outputs と作ったファイルの数が違います", which.name);
        }
        Ok(paths
            .zip(made)
            .map(|(path, (bytes, pages))| File { path, bytes, pages })
            .collect())
    }
}

fn load_templates(dir: Option<&Path>, also: &[&Companion]) -> anyhow::Result<Templates> {
    let templates = Templates::load(dir)?;
    if dir.is_some() {
        let mut entries = vec![MAIN];
        entries.extend(also.iter().filter_map(|c| c.template()));
        templates.check(&entries)?;
    }
    Ok(templates)
}

/// `plan.pdf` → `plan{suffix}`.
fn beside(output: &Path, suffix: &str) -> PathBuf {
    let stem = output
        .file_stem()
        .map_or_else(|| "facility".into(), |s| s.to_string_lossy().into_owned());
    output.with_file_name(format!("{stem}{suffix}"))
}

/// Where a single file's PDF goes: `-o`, else beside the TOML; never over it.
pub fn output_for(input: &Path, output: Option<&Path>) -> anyhow::Result<PathBuf> {
    let output = output.map_or_else(|| input.with_extension("pdf"), Path::to_path_buf);
    if output == input {
        bail!("出力先 {} が入力の TOML と同じです", output.display());
    }
    Ok(output)
}

/// Everything one facility's build made, not yet written.
pub struct Made {
    pub rendered: Rendered,
    /// The plan's page count.
    pub pages: usize,
    /// The plan's PDF first, then the `--also` files.
    pub files: Vec<File>,
    /// Typst's own warnings (template issues, not the user's).
    pub typst_warnings: Vec<String>,
}

pub struct File {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    /// For a PDF, its page count.
    pub pages: Option<usize>,
}
