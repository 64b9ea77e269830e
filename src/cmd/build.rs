//! `cyberbcp build facility.toml [-o plan.pdf] [--emit-typst DIR]`

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::build::{self, Prepared};
use crate::checklist;
use crate::cli::{Also, BuildArgs};
use crate::export;
use crate::messages::Printer;
use crate::pdf::fonts;
use crate::render::{Companion, Rendered, Templates};

pub fn run(args: &BuildArgs, printer: &Printer) -> anyhow::Result<()> {
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir)?,
        None => Templates::builtin(),
    };
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| args.input.with_extension("pdf"));
    if output == args.input {
        bail!("出力先 {} が入力の TOML と同じです", output.display());
    }

    let prepared = build::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let rendered = prepared.render(&templates)?;
    if let Some(dir) = &args.emit_typst {
        emit_typst(dir, &rendered)
            .with_context(|| format!("{} に書き出せません", dir.display()))?;
    }
    let out = build::compile(&rendered, prepared.date())?;
    for w in &out.typst_warnings {
        printer.info(&format!("warning: (typst) {w}"));
    }
    // Make every file before writing any, so a failure leaves all previous
    // files as they were.
    let companions = companions(args, &prepared, &rendered, &templates, &output)?;
    write_atomically(&output, &out.pdf)
        .with_context(|| format!("PDF を {} に書き込めません", output.display()))?;
    for (path, bytes, _) in &companions {
        write_atomically(path, bytes)
            .with_context(|| format!("{} に書き込めません", path.display()))?;
    }
    printer.gaps(prepared.file(), &rendered.gaps);
    printer.info(&summary(&prepared, &output, out.pages));
    printer.info(&coverage_line(&prepared, &rendered));
    for (path, _, pages) in &companions {
        match pages {
            Some(n) => printer.info(&format!("  + {}（{n} ページ）", path.display())),
            None => printer.info(&format!("  + {}", path.display())),
        }
    }
    printer.review_warnings(&rendered.coverage.warnings);
    Ok(())
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
