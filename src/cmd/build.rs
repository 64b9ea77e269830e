//! `cyberbcp build facility.toml [-o plan.pdf] [--also …]`, or `build plans/` for a folder.

use anyhow::{Context as _, bail};

use crate::batch;
use crate::cli::BuildArgs;
use crate::export;
use crate::messages::Printer;
use crate::output::{self, Guard};
use crate::pipeline::{self, BuildConfig};

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
    if output::is_stdout(&output) && !config.also.is_empty() {
        bail!(
            "-o -（標準出力）と --also は同時に使えません（--also の書類は -o で PDF の名前を指定して作ります）"
        );
    }
    // Nothing is read or written before every output is known to be safe.
    let mut guard = Guard::for_plan(&args.input, args.templates.as_deref());
    guard.claim_all(&config.outputs(&output))?;
    let prepared = pipeline::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let rendered = config.render(&prepared)?;
    if let Some(dir) = &args.emit_typst {
        output::emit_typst(dir, &rendered, &mut guard)
            .with_context(|| format!("{} に書き出せません", dir.display()))?;
    }
    let made = config.compile(&prepared, rendered, &output, None)?;
    output::write_made(&made)?;
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
    let out_dir = args.out_dir.as_deref();
    output::check_batch(
        &files,
        |file| config.outputs(&batch::output_for(&args.input, file, out_dir)),
        args.summary.as_deref(),
        args.templates.as_deref(),
    )?;
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
            output::write_made(made)
        },
    );
    let code = printer.batch_built(&files, &outcomes);
    if let Some(summary) = &args.summary {
        output::write(
            summary,
            &export::csv(&batch::summary_rows(&files, &outcomes))?,
        )
        .with_context(|| format!("{} に書き込めません", summary.display()))?;
        printer.info(&format!("一覧: {}", summary.display()));
    }
    Ok(code)
}
