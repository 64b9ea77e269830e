//! `cyberbcp build facility.toml [-o plan.pdf] [--also …]`, or `build plans/` for a folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::build::{self, Prepared};
use crate::checklist;
use crate::cli::{Also, BuildArgs};
use crate::cmd::batch;
use crate::diag::InputErrors;
use crate::export;
use crate::messages::Printer;
use crate::pdf::fonts;
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
    if output == args.input {
        bail!("出力先 {} が入力の TOML と同じです", output.display());
    }

    let prepared = build::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let done = make_and_write(&prepared, &output, args, &templates)?;
    for w in &done.typst_warnings {
        printer.info(&format!("warning: (typst) {w}"));
    }
    printer.gaps(prepared.file(), &done.rendered.gaps);
    printer.info(&summary(&prepared, &output, done.pages));
    // The appendix is judged as of the plan's date; the user wants today's verdict.
    let today = prepared.coverage();
    printer.info(&coverage_line(&prepared, &today));
    for (path, pages) in &done.extras {
        match pages {
            Some(n) => printer.info(&format!("  + {}（{n} ページ）", path.display())),
            None => printer.info(&format!("  + {}", path.display())),
        }
    }
    printer.review_warnings(&today.warnings);
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
) -> anyhow::Result<Done> {
    let rendered = prepared.render(templates)?;
    if let Some(dir) = &args.emit_typst {
        emit_typst(dir, &rendered)
            .with_context(|| format!("{} に書き出せません", dir.display()))?;
    }
    let out = build::compile(&rendered, prepared.date())?;
    let companions = companions(args, prepared, &rendered, templates, output)?;
    write_atomically(output, &out.pdf)
        .with_context(|| format!("PDF を {} に書き込めません", output.display()))?;
    for (path, bytes, _) in &companions {
        write_atomically(path, bytes)
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
                    .and_then(|()| make_and_write(&prepared, &output, args, templates));
                match made {
                    Ok(done) => Outcome::Built {
                        output,
                        pages: done.pages,
                        // Today's verdict, as the single-file build prints it.
                        report: prepared.coverage(),
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
        write_atomically(summary, &export::csv(&rows)?)
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
    let beside = |suffix: &str| {
        let stem = output
            .file_stem()
            .map_or_else(|| "facility".into(), |s| s.to_string_lossy().into_owned());
        output.with_file_name(format!("{stem}{suffix}"))
    };
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

fn dedup(also: &[Also]) -> Vec<Also> {
    let mut out = Vec::new();
    for a in also {
        if !out.contains(a) {
            out.push(*a);
        }
    }
    out
}

fn coverage_line(prepared: &Prepared, report: &crate::coverage::Report) -> String {
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

/// Write to a temporary file beside the target, then rename over it: a
/// failed or interrupted build never leaves a half-written PDF.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".cyberbcp-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .with_context(|| format!("{} に一時ファイルを作れません", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // tempfile creates 0600; a printed plan is meant to be shared.
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode & 0o777))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The generated Typst project, compilable with
/// `typst compile --font-path DIR --ignore-system-fonts DIR/main.typ`.
fn emit_typst(dir: &Path, rendered: &Rendered) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("assets"))?;
    write_atomically(&dir.join("main.typ"), rendered.main.as_bytes())?;
    for (name, text) in &rendered.sources {
        write_atomically(&dir.join(name), text.as_bytes())?;
    }
    write_atomically(&dir.join("data.json"), &rendered.data)?;
    for asset in &rendered.assets {
        write_atomically(&dir.join(&asset.name), &asset.bytes)?;
    }
    for (name, bytes) in fonts::FILES {
        let path = dir.join(name);
        if !path.exists() {
            write_atomically(&path, bytes)?;
        }
    }
    Ok(())
}
