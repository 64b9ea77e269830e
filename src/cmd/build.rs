//! `cyberbcp build facility.toml [-o plan.pdf] [--also …]`, or `build plans/` for a folder.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::build::{self, Prepared};
use crate::checklist;
use crate::cli::{Also, BuildArgs};
use crate::cmd::batch;
use crate::diag::InputErrors;
use crate::export;
use crate::messages::Printer;
use crate::output::{self, Guard};
use crate::render::{Companion, Rendered, Templates};

pub fn run(args: &BuildArgs, printer: &Printer) -> anyhow::Result<i32> {
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir)?,
        None => Templates::builtin(),
    };
    if args.input.is_dir() {
        return build_dir(args, &templates, printer);
    }
    if args.out_dir.is_some() || args.summary.is_some() || args.jobs.is_some() {
        bail!(
            "--out-dir・--summary・--jobs はフォルダを指定したときに使います（1 つのファイルには -o を使います）"
        );
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.input.with_extension("pdf"));
    if output::is_stdout(&output) && !args.also.is_empty() {
        bail!(
            "-o - （標準出力）と --also は同時に使えません（--also の書類は -o で PDF の名前を指定して作ります）"
        );
    }
    let mut guard = Guard::for_plan(&args.input, templates.files_read());
    for path in outputs_of(&output, &args.also) {
        guard.claim(&path)?;
    }

    let prepared = build::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let done = make_and_write(&prepared, &output, args, &templates, &mut guard)?;
    for w in &done.typst_warnings {
        printer.info(&format!("warning: (typst) {w}"));
    }
    printer.gaps(prepared.file(), &done.rendered.gaps);
    printer.info(&summary(&prepared, &output, done.pages));
    printer.info(&coverage_line(&prepared, &done.rendered));
    for (path, pages) in &done.extras {
        match pages {
            Some(n) => printer.info(&format!("  + {}（{n} ページ）", path.display())),
            None => printer.info(&format!("  + {}", path.display())),
        }
    }
    printer.review_warnings(&done.rendered.coverage.warnings);
    Ok(0)
}

/// What one build made.
struct Done {
    rendered: Rendered,
    pages: usize,
    extras: Vec<(PathBuf, Option<usize>)>,
    typst_warnings: Vec<String>,
}

/// Render, compile the plan and every `--also` file, then write them all:
/// nothing is written unless everything was made.
fn make_and_write(
    prepared: &Prepared,
    output: &Path,
    args: &BuildArgs,
    templates: &Templates,
    guard: &mut Guard,
) -> anyhow::Result<Done> {
    let rendered = prepared.render(templates)?;
    if let Some(dir) = &args.emit_typst {
        output::emit_typst(dir, &rendered, guard)
            .with_context(|| format!("{} に書き出せません", dir.display()))?;
    }
    let out = build::compile(&rendered, prepared.date())?;
    let companions = companions(args, prepared, &rendered, templates, output)?;
    output::write(output, &out.pdf)
        .with_context(|| format!("PDF を {} に書き込めません", output.display()))?;
    for (path, bytes, _) in &companions {
        output::write(path, bytes)
            .with_context(|| format!("{} に書き込めません", path.display()))?;
    }
    Ok(Done {
        rendered,
        pages: out.pages,
        extras: companions.into_iter().map(|(p, _, n)| (p, n)).collect(),
        typst_warnings: out.typst_warnings,
    })
}

/// One facility of a batch.
enum Outcome {
    Built {
        output: PathBuf,
        pages: usize,
        report: crate::coverage::Report,
    },
    Input(InputErrors),
    Failed(String),
}

/// `build plans/`: every facility TOML, in parallel; one bad file does not stop the others.
fn build_dir(args: &BuildArgs, templates: &Templates, printer: &Printer) -> anyhow::Result<i32> {
    if args.output.is_some() || args.emit_typst.is_some() {
        bail!(
            "フォルダを指定したときは -o・--emit-typst は使えません（出力先は --out-dir で指定します）"
        );
    }
    let root = &args.input;
    let (files, skipped) = batch::find_facilities(root);
    for (path, why) in &skipped {
        printer.info(&format!("- {}: {why}（スキップ）", path.display()));
    }
    if files.is_empty() {
        bail!(
            "{} に施設の TOML（[facility] を含む .toml）がありません",
            root.display()
        );
    }
    // Every output of the whole batch, against every input and each other,
    // before anything is written.
    let mut guard = Guard::new();
    for path in templates.files_read() {
        guard.input(path);
    }
    for file in &files {
        guard.plan(file);
    }
    for file in &files {
        let output = batch::output_for(root, file, args.out_dir.as_deref());
        for path in outputs_of(&output, &args.also) {
            guard.claim(&path)?;
        }
    }
    if let Some(summary) = &args.summary {
        guard.claim(summary)?;
    }
    let jobs = args.jobs.map_or_else(batch::default_jobs, usize::from);
    let outcomes = batch::run_parallel(&files, jobs, |file| {
        let output = batch::output_for(root, file, args.out_dir.as_deref());
        let outcome = match build::prepare_file(file) {
            Err(e) => Outcome::Input(e),
            Ok(prepared) => {
                let made = output
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .map_err(anyhow::Error::from)
                    .and_then(|()| {
                        make_and_write(&prepared, &output, args, templates, &mut Guard::new())
                    });
                match made {
                    Ok(done) => Outcome::Built {
                        output,
                        pages: done.pages,
                        report: done.rendered.coverage,
                    },
                    Err(e) => Outcome::Failed(
                        e.chain()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(": "),
                    ),
                }
            }
        };
        // Keep what the next documents share (fonts, the template's layout),
        // drop the rest, so memory stays flat over a long batch.
        crate::pdf::evict_caches(4);
        outcome
    });

    let mut rows = vec![
        [
            "ファイル",
            "施設名",
            "種類",
            "結果",
            "PDF",
            "ページ",
            "記載済",
            "既定文のみ",
            "未記載",
            "エラー",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let (mut built, mut input_errors, mut failed) = (0, 0, 0);
    for (file, outcome) in files.iter().zip(&outcomes) {
        match outcome {
            Outcome::Built {
                output,
                pages,
                report,
            } => {
                built += 1;
                printer.info(&format!(
                    "✓ {} → {}（{pages} ページ）{}",
                    file.display(),
                    output.display(),
                    report.summary()
                ));
                rows.push(vec![
                    file.display().to_string(),
                    report.facility.clone(),
                    report.kind.label_ja().into(),
                    "成功".into(),
                    output.display().to_string(),
                    pages.to_string(),
                    report.covered.to_string(),
                    report.default.to_string(),
                    report.missing.to_string(),
                    String::new(),
                ]);
            }
            Outcome::Input(e) => {
                input_errors += 1;
                printer.input_errors(e);
                let first = e
                    .diagnostics
                    .iter()
                    .find(|d| d.severity == crate::diag::Severity::Error)
                    .map(|d| match &d.key {
                        Some(k) => format!("{k}: {}", d.message),
                        None => d.message.clone(),
                    })
                    .unwrap_or_else(|| e.to_string());
                rows.push(error_row(file, &first));
            }
            Outcome::Failed(message) => {
                failed += 1;
                printer.info(&format!("✗ {}: {message}", file.display()));
                rows.push(error_row(file, message));
            }
        }
    }
    printer.info(&format!(
        "{} 施設: 成功 {built}、入力の誤り {input_errors}、その他の失敗 {failed}",
        files.len()
    ));
    if let Some(summary) = &args.summary {
        output::write(summary, &export::csv(&rows)?)
            .with_context(|| format!("{} に書き込めません", summary.display()))?;
        printer.info(&format!("一覧: {}", summary.display()));
    }
    Ok(if input_errors > 0 {
        crate::messages::EXIT_INPUT
    } else if failed > 0 {
        crate::messages::EXIT_FAILURE
    } else {
        0
    })
}

fn error_row(file: &Path, message: &str) -> Vec<String> {
    let mut row = vec![file.display().to_string()];
    row.extend(["", "", "失敗", "", "", "", "", ""].map(String::from));
    row.push(message.lines().next().unwrap_or_default().to_string());
    row
}

fn summary(prepared: &Prepared, output: &Path, pages: usize) -> String {
    format!(
        "{} → {}（{} ページ）",
        prepared.file().path.display(),
        output.display(),
        pages
    )
}

/// A file `--also` asks for: path, bytes, and the page count of a PDF.
type Extra = (PathBuf, Vec<u8>, Option<usize>);

/// The files `--also` asks for.
fn companions(
    args: &BuildArgs,
    prepared: &Prepared,
    rendered: &Rendered,
    templates: &Templates,
    output: &Path,
) -> anyhow::Result<Vec<Extra>> {
    let beside = |suffix: &str| beside(output, suffix);
    let report = &rendered.coverage;
    let sheet = checklist::sheet(&prepared.loaded.plan, &prepared.checked, report);
    let mut files = Vec::new();
    for also in dedup(&args.also) {
        let pdf = match also {
            Also::Poster => Some(Companion::Poster),
            Also::Form => Some(Companion::Form),
            Also::Disclosure => Some(Companion::Disclosure),
            Also::Checklist => Some(Companion::Checklist),
            Also::Xlsx => {
                let bytes = export::xlsx(&prepared.loaded.plan.facility.name, report, &sheet)?;
                files.push((beside(".xlsx"), bytes, None));
                None
            }
            Also::Csv => {
                let kakuninhyo = export::csv(&export::kakuninhyo_rows(report))?;
                files.push((beside("-kakuninhyo.csv"), kakuninhyo, None));
                let list = export::csv(&export::checklist_rows(&sheet))?;
                files.push((beside("-checklist.csv"), list, None));
                None
            }
        };
        if let Some(which) = pdf {
            let doc = prepared.render_companion(rendered, templates, which)?;
            let out = build::compile(&doc, prepared.date())?;
            files.push((
                beside(&format!("-{}.pdf", which.name())),
                out.pdf,
                Some(out.pages),
            ));
        }
    }
    Ok(files)
}

/// `plan.pdf` → `plan-poster.pdf`, …: where a companion file goes.
fn beside(output: &Path, suffix: &str) -> PathBuf {
    let stem = output
        .file_stem()
        .map_or_else(|| "facility".into(), |s| s.to_string_lossy().into_owned());
    output.with_file_name(format!("{stem}{suffix}"))
}

/// Every file one build writes: the plan and what `--also` adds, by name,
/// before anything is made (so clashes are found first).
fn outputs_of(output: &Path, also: &[Also]) -> Vec<PathBuf> {
    let mut paths = vec![output.to_path_buf()];
    for a in dedup(also) {
        let suffixes: &[&str] = match a {
            Also::Poster => &["-poster.pdf"],
            Also::Form => &["-form.pdf"],
            Also::Disclosure => &["-disclosure.pdf"],
            Also::Checklist => &["-checklist.pdf"],
            Also::Xlsx => &[".xlsx"],
            Also::Csv => &["-kakuninhyo.csv", "-checklist.csv"],
        };
        paths.extend(suffixes.iter().map(|s| beside(output, s)));
    }
    paths
}

fn dedup(also: &[Also]) -> Vec<Also> {
    let mut out = Vec::new();
    for a in also {
        if !out.contains(a) {
            out.push(*a);
        }
    }
    out
}

fn coverage_line(prepared: &Prepared, rendered: &Rendered) -> String {
    let report = &rendered.coverage;
    if report.all_covered() {
        format!("{}（付録に記載箇所とページ）", report.summary())
    } else {
        format!(
            "{}（詳しくは cyberbcp check {}）",
            report.summary(),
            prepared.file().path.display()
        )
    }
}
