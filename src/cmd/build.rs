//! `cyberbcp build facility.toml [-o plan.pdf] [--also …]`, or `build plans/` for a folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::batch;
use crate::cli::BuildArgs;
use crate::export;
use crate::messages::Printer;
use crate::pdf::fonts;
use crate::pipeline::{self, BuildConfig, Made};
use crate::render::Rendered;

pub fn run(args: &BuildArgs, printer: &Printer) -> anyhow::Result<i32> {
    let config = BuildConfig::new(args.templates.as_deref(), &args.also)?;
    if args.input.is_dir() {
        return build_dir(args, &config, printer);
    }
    if args.out_dir.is_some() || args.summary.is_some() || args.jobs.is_some() {
        bail!(
            "--out-dir・--summary・--jobs はフォルダを指定したときに使います（1 つのファイルには -o を使います）"
        );
    }
    let output = pipeline::output_for(&args.input, args.output.as_deref())?;
    let prepared = pipeline::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let rendered = config.render(&prepared)?;
    if let Some(dir) = &args.emit_typst {
        emit_typst(dir, &rendered)
            .with_context(|| format!("{} に書き出せません", dir.display()))?;
    }
    let made = config.compile(&prepared, rendered, &output, None)?;
    write(&made)?;
    printer.built(&prepared, &made, None);
    Ok(0)
}

/// `build plans/`: every facility TOML, in parallel; one bad file does not stop the others.
fn build_dir(args: &BuildArgs, config: &BuildConfig, printer: &Printer) -> anyhow::Result<i32> {
    if args.output.is_some() || args.emit_typst.is_some() {
        bail!(
            "フォルダを指定したときは -o・--emit-typst は使えません（出力先は --out-dir で指定します）"
        );
    }
    let files = printer.facilities(&args.input)?;
    let jobs = args.jobs.map_or_else(batch::default_jobs, usize::from);
    let outcomes = batch::build_all(
        config,
        &args.input,
        &files,
        args.out_dir.as_deref(),
        jobs,
        |made| {
            if let Some(dir) = made.files.first().and_then(|f| f.path.parent()) {
                std::fs::create_dir_all(dir)?;
            }
            write(made)
        },
    );
    let code = printer.batch_built(&files, &outcomes);
    if let Some(summary) = &args.summary {
        write_atomically(
            summary,
            &export::csv(&batch::summary_rows(&files, &outcomes))?,
        )
        .with_context(|| format!("{} に書き込めません", summary.display()))?;
        printer.info(&format!("一覧: {}", summary.display()));
    }
    Ok(code)
}

/// Write the plan and its `--also` files; called only once all were made,
/// so a failure leaves every previous file as it was.
pub fn write(made: &Made) -> anyhow::Result<()> {
    for (i, file) in made.files.iter().enumerate() {
        write_atomically(&file.path, &file.bytes).with_context(|| match i {
            0 => format!("PDF を {} に書き込めません", file.path.display()),
            _ => format!("{} に書き込めません", file.path.display()),
        })?;
    }
    Ok(())
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
