//! The spine: TOML → checked plan → Typst sources → PDF, and the documents
//! `--also` adds. `cmd::build`, `cmd::watch` and batches drive it through one
//! [`BuildConfig`] and write what it made; tests and benches call it directly.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;

use crate::checklist;
use crate::cli::{self, Also};
use crate::coverage;
use crate::diag::{Diagnostic, InputErrors, SourceFile};
use crate::diff::{self, Diff, Side};
use crate::export;
use crate::model::{self, Date, Loaded, validate::Checked};
use crate::pdf::{self, BcpWorld};
use crate::public::{self, Scrubber};
use crate::render::companion::Via;
use crate::render::{self, ChangeList, Companion, Extras, MAIN, Rendered, Templates};

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

    /// `hq.toml:12:3` when the value at `key` comes from a chain's base file
    /// (`None` for the plan's own values).
    pub fn in_base(&self, key: &str) -> Option<String> {
        let span = self.loaded.spans.span_of(key)?;
        let (file, span, from_base) = self.loaded.file.locate(&span);
        from_base.then(|| {
            let (line, col) = file.line_col(span.start);
            format!("{}:{line}:{col}", file.path.display())
        })
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

    /// The document with what `build` may add: the public copy's redaction
    /// (`--public`) and the change list against a previous version
    /// (`--changes-from`). Coverage is always judged on the full plan.
    pub fn render_with(
        &self,
        templates: &Templates,
        today: Date,
        public: bool,
        previous: Option<&Prepared>,
    ) -> anyhow::Result<Rendered> {
        let coverage = self.coverage_on(today);
        let redacted = |p: &Prepared| -> anyhow::Result<(Loaded, Checked, Scrubber)> {
            let r = public::redact(&p.loaded.plan, &p.checked.devices)?;
            let checked = Checked {
                devices: r.devices,
                diagram: p.checked.diagram.clone(),
                warnings: Vec::new(),
            };
            Ok((p.loaded.with_plan(r.plan), checked, r.scrubber))
        };
        let mine = if public { Some(redacted(self)?) } else { None };
        let (loaded, checked) = match &mine {
            Some((l, c, _)) => (l, c),
            None => (&self.loaded, &self.checked),
        };
        let changes = match previous {
            // The public copy lists only what it shows: both sides redacted.
            Some(old) if public => {
                let (ol, oc, _) = redacted(old)?;
                let old_coverage = old.coverage_on(today);
                let diff = diff::compare(
                    &Side {
                        plan: &ol.plan,
                        checked: &oc,
                        coverage: &old_coverage,
                    },
                    &Side {
                        plan: &loaded.plan,
                        checked,
                        coverage: &coverage,
                    },
                );
                Some(ChangeList {
                    from: old.version(),
                    diff,
                })
            }
            Some(old) => Some(ChangeList {
                from: old.version(),
                diff: self.diff_from_on(old, today),
            }),
            None => None,
        };
        let extras = Extras {
            public: mine.as_ref().map(|(_, _, s)| s),
            changes: changes.as_ref(),
        };
        render::render_with(loaded, checked, &coverage, templates, extras)
    }

    /// The changes from `old` to this plan, coverage judged on the same day.
    pub fn diff_from(&self, old: &Prepared) -> Diff {
        self.diff_from_on(old, Date::now())
    }

    pub fn diff_from_on(&self, old: &Prepared, today: Date) -> Diff {
        let (a, b) = (old.coverage_on(today), self.coverage_on(today));
        diff::compare(
            &Side {
                plan: &old.loaded.plan,
                checked: &old.checked,
                coverage: &a,
            },
            &Side {
                plan: &self.loaded.plan,
                checked: &self.checked,
                coverage: &b,
            },
        )
    }

    /// The 版 of the newest revision.
    pub fn version(&self) -> Option<String> {
        self.loaded
            .plan
            .latest_revision()
            .map(|r| r.version.clone())
    }

    /// A companion of the public copy: what it adds to the data (the kit's
    /// cards and scenario) comes from the redacted plan.
    pub fn render_public_companion(
        &self,
        rendered: &Rendered,
        templates: &Templates,
        which: &Companion,
    ) -> anyhow::Result<Rendered> {
        let r = public::redact(&self.loaded.plan, &self.checked.devices)?;
        render::companion(rendered, &self.loaded.with_plan(r.plan), templates, which)
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

/// [`prepare_file_on`] as of [`Date::now`].
pub fn prepare_file(path: &Path) -> Result<Prepared, InputErrors> {
    prepare_file_on(path, Date::now())
}

/// Read and validate a plan; dates are judged on `today` (a drill dated after
/// it is doubtful), as the coverage report is.
pub fn prepare_file_on(path: &Path, today: Date) -> Result<Prepared, InputErrors> {
    check(model::load_file(path)?, today)
}

/// [`prepare_file_on`] sharing the base files (`extends`) read so far: a
/// batch reads its head office's file once, not once per store.
pub fn prepare_file_with(
    path: &Path,
    today: Date,
    bases: &model::Bases,
) -> Result<Prepared, InputErrors> {
    check(model::load_file_with(path, bases)?, today)
}

/// [`prepare_str_on`] as of [`Date::now`].
pub fn prepare_str(path: &Path, text: &str, base_dir: &Path) -> Result<Prepared, InputErrors> {
    prepare_str_on(path, text, base_dir, Date::now())
}

pub fn prepare_str_on(
    path: &Path,
    text: &str,
    base_dir: &Path,
    today: Date,
) -> Result<Prepared, InputErrors> {
    check(model::load_str(path, text.to_string(), base_dir)?, today)
}

/// The model's validation plus the checks that need modules above it.
fn check(loaded: Loaded, today: Date) -> Result<Prepared, InputErrors> {
    let values = &loaded.values;
    let too_deep = markdown_too_deep(values);
    if !too_deep.is_empty() {
        return Err(InputErrors {
            file: loaded.file.clone(),
            diagnostics: too_deep,
        });
    }
    let mut checked = model::validate(&loaded, today, &[checklist::check_answers])?;
    checked.warnings.extend(missing_glyphs(values));
    Ok(Prepared { loaded, checked })
}

/// Markdown nested deeper than [`render::markdown::MAX_DEPTH`] (Typst's own
/// limit on nested show rules is near 30; JSON's near 128).
fn markdown_too_deep(values: &[(String, std::ops::Range<usize>, String)]) -> Vec<Diagnostic> {
    let max = render::markdown::MAX_DEPTH;
    values
        .iter()
        .filter(|(_, _, v)| v.len() > max && render::markdown::nesting_depth(v) > max)
        .map(|(key, span, _)| {
            Diagnostic::error(
                key.clone(),
                format!("箇条書き・引用・強調の入れ子が深すぎます（{max} 段まで）"),
            )
            .with_span(Some(span.clone()))
            .with_hint("入れ子を浅くするか、見出しや段落に分けて書いてください")
        })
        .collect()
}
/// Characters the embedded fonts lack (emoji, Hangul, 𠮷, Arabic…) print as
/// empty boxes: warn, naming the key and the characters.
fn missing_glyphs(values: &[(String, std::ops::Range<usize>, String)]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (key, span, value) in values {
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
                key.clone(),
                format!(
                    "{}{more} は PDF のフォント（IPAex）にない文字のため、□ などで印刷されます",
                    shown.join("・")
                ),
            )
            .with_span(Some(span.clone()))
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

/// Compile on a worker thread with a deadline (see [`with_deadline`]).
pub fn compile(rendered: &Rendered, date: Date) -> Result<Output, pdf::TypstErrors> {
    let rendered = rendered.clone();
    with_deadline(move || {
        let world = BcpWorld::new(&rendered, date);
        compile_in(&world, date)
    })?
}

/// Run a compilation on a worker thread with a deadline. Typst cannot be
/// interrupted: past the deadline the worker is abandoned (it runs until the
/// process ends, so `watch` ends too) and the caller gets an error marked
/// `unfinished`. A panic inside Typst is reported, not propagated.
fn with_deadline<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, pdf::TypstErrors> {
    let limit = deadline();
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("typst".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(work());
        });
    let fail = |message: String, unfinished: bool| pdf::TypstErrors {
        messages: vec![message],
        unfinished,
    };
    if let Err(e) = spawned {
        return Err(fail(format!("組版を始められません（{e}）"), false));
    }
    match rx.recv_timeout(limit) {
        Ok(result) => Ok(result),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(fail(
            format!(
                "組版が {} 秒以内に終わりませんでした。テンプレートの上書き（--templates）に終わらない繰り返しや再帰がないか確認してください",
                limit.as_secs()
            ),
            true,
        )),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(fail(
            "組版中に内部エラーが起きました（上の panic の表示を添えて報告してください）".into(),
            false,
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
    /// The day the terminal's 確認表 line and review warnings are judged on
    /// (`--today`, else `SOURCE_DATE_EPOCH`, else today in Japan). Never printed: the documents are
    /// judged on the plan's own date ([`Prepared::date`]), so they are the same
    /// on any day.
    pub today: Date,
    /// `--public`: the distribution copy (redacted, labelled, `-public` names).
    pub public: bool,
    /// `--changes-from`: the previous version the change page compares with.
    pub previous: Option<Prepared>,
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
            public: false,
            previous: None,
        })
    }

    /// The plan's Typst sources, with coverage judged on the plan's own date.
    pub fn render(&self, prepared: &Prepared) -> anyhow::Result<Rendered> {
        if self.public || self.previous.is_some() {
            return prepared.render_with(
                &self.templates,
                prepared.date(),
                self.public,
                self.previous.as_ref(),
            );
        }
        let report = prepared.coverage_on(prepared.date());
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
            // The World goes to the worker and comes back with the result; a
            // compilation past its deadline keeps it (the next one starts afresh).
            Some(slot) => {
                let world = match slot.take() {
                    Some(mut world) => {
                        world.update(&rendered, date);
                        world
                    }
                    None => BcpWorld::new(&rendered, date),
                };
                let (world, out) = with_deadline(move || {
                    let out = compile_in(&world, date);
                    (world, out)
                })?;
                *slot = Some(world);
                out?
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
            today: prepared.coverage_on(self.today),
            rendered,
            pages: out.pages,
            files,
            typst_warnings: out.typst_warnings,
        })
    }

    /// Every file one build writes for `output`, known before anything is
    /// made, so clashes with inputs or other outputs are found first.
    pub fn outputs(&self, output: &Path) -> Vec<PathBuf> {
        let mut paths = vec![output.to_path_buf()];
        for which in &self.also {
            paths.extend(which.outputs.iter().map(|suffix| beside(output, suffix)));
        }
        paths
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
                let doc = match self.public {
                    true => prepared.render_public_companion(rendered, &self.templates, which)?,
                    false => prepared.render_companion(rendered, &self.templates, which)?,
                };
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

/// Where a single file's PDF goes: `-o`, else beside the TOML; never over it
/// (`output::Guard` compares it with every input by identity, however spelled.)
pub fn output_for(input: &Path, output: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(output.map_or_else(|| input.with_extension("pdf"), Path::to_path_buf))
}

/// `facility.pdf` → `facility-public.pdf`: the public copy never overwrites
/// the internal one.
pub fn public_name(pdf: &Path) -> PathBuf {
    beside(pdf, "-public.pdf")
}

/// Where `build --public` writes: `-o`, else `facility-public.pdf`; never
/// over the TOML or the internal copy.
pub fn public_output_for(input: &Path, output: Option<&Path>) -> anyhow::Result<PathBuf> {
    let internal = input.with_extension("pdf");
    let output = output_for(input, Some(output.unwrap_or(&public_name(&internal))))?;
    if output == internal {
        bail!(
            "配布用の写しの出力先 {} が内部用の PDF と同じです（-o を省くと {} に書き出します）",
            output.display(),
            public_name(&internal).display()
        );
    }
    Ok(output)
}

/// Everything one facility's build made, not yet written.
pub struct Made {
    /// The 確認表 and review warnings as of [`BuildConfig::today`], for the
    /// terminal (the documents carry `rendered.coverage`, as of the plan's date).
    pub today: coverage::Report,
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
