//! `cyberbcp build facility.toml [-o plan.pdf] [--also …]`, or `build plans/` for a folder.

use anyhow::{Context as _, bail};

use crate::batch;
use crate::cli::{BuildArgs, DocFormat};
use crate::export;
use crate::messages::Printer;
use crate::model::Date;
use crate::output::{self, Guard};
use crate::pipeline::{self, BuildConfig, Prepared};

pub fn run(args: &BuildArgs, printer: &Printer) -> anyhow::Result<i32> {
    let mut config = BuildConfig::new(args.templates.as_deref(), &args.also)?;
    printer.stale_templates(args.templates.as_deref(), config.templates.stale());
    config.public = args.public;
    if let Some(today) = args.today {
        config.today = today;
    }
    config.format = DocFormat::choose(args.format, args.output.as_deref())?;
    if args.input.is_dir() {
        return build_dir(args, &config, printer);
    }
    if args.out_dir.is_some() || args.summary.is_some() || args.jobs.is_some() {
        bail!(
            "--out-dir・--summary・--jobs はフォルダを指定したときに使います（1 つのファイルには -o を使います）"
        );
    }
    let mut output = match args.public {
        true => pipeline::public_output_for(&args.input, args.output.as_deref())?,
        false => pipeline::output_for(&args.input, args.output.as_deref())?,
    };
    if args.output.is_none() {
        output.set_extension(config.format.extension());
    }
    if output::is_stdout(&output) && !config.also.is_empty() {
        bail!(
            "-o -（標準出力）と --also は同時に使えません（--also の書類は -o で PDF の名前を指定して作ります）"
        );
    }
    // Nothing is read or written before every output is known to be safe.
    let mut guard = Guard::for_plan(&args.input, args.templates.as_deref());
    if let Some(old) = &args.changes_from {
        guard.plan(old);
    }
    guard.claim_all(&config.outputs(&output))?;
    if let Some(old) = &args.changes_from {
        config.previous = Some(pipeline::prepare_file_on(old, config.today)?);
    }
    let prepared = pipeline::prepare_file_on(&args.input, config.today)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let rendered = config.render(&prepared)?;
    if let Some(dir) = &args.emit_typst {
        output::emit_typst(dir, &rendered, &mut guard)
            .with_context(|| format!("{} に書き出せません", dir.display()))?;
    }
    let made = config.compile(&prepared, rendered, &output, None)?;
    output::write_made(&made)?;
    printer.built(&prepared, &made, None);
    if let Some(old) = &config.previous {
        print_revision_draft(printer, &prepared, old, config.today);
    }
    Ok(0)
}

/// The next `[[revisions]]` entry, ready to paste: what changed, by section.
fn print_revision_draft(printer: &Printer, prepared: &Prepared, old: &Prepared, today: Date) {
    let diff = prepared.diff_from_on(old, today);
    let from = old
        .version()
        .map_or_else(String::new, |v| format!("第{v}版から"));
    if diff.changes.is_empty() {
        printer.info(&format!(
            "前版（{}）{from}の変更はありません",
            old.file().path.display()
        ));
        return;
    }
    printer.info(&format!(
        "{from}の変更 {} 件を「前版からの主な変更点」に載せました。[[revisions]] に貼る案（版・日付・承認者を直してください）:",
        diff.changes.len()
    ));
    let next = prepared
        .version()
        .filter(|v| Some(v) != old.version().as_ref())
        .unwrap_or_else(|| next_version(old.version().as_deref()));
    printer.info(&format!(
        "\n[[revisions]]\nversion = {}\ndate = {today}\nsummary = {}\napprover = \"\"\n",
        super::diff::toml_string(&next),
        super::diff::toml_string(&diff.revision_summary()),
    ));
}

/// "1.2" → "1.3", "2" → "3"; anything else is left for the user to number.
fn next_version(v: Option<&str>) -> String {
    let Some(v) = v else { return "1.0".into() };
    let bump = |n: &str| n.parse::<u32>().ok().map(|n| (n + 1).to_string());
    match v.rsplit_once('.') {
        Some((head, last)) => bump(last).map(|n| format!("{head}.{n}")),
        None => bump(v),
    }
    .unwrap_or_else(|| format!("{v}（次の版）"))
}

/// `build plans/`: every facility TOML, in parallel; one bad file does not stop the others.
fn build_dir(args: &BuildArgs, config: &BuildConfig, printer: &Printer) -> anyhow::Result<i32> {
    if args.output.is_some() || args.emit_typst.is_some() || args.changes_from.is_some() {
        bail!(
            "フォルダを指定したときは -o・--emit-typst・--changes-from は使えません（出力先は --out-dir で指定します）"
        );
    }
    let files = printer.facilities(&args.input)?;
    let out_dir = args.out_dir.as_deref();
    output::check_batch(
        &files,
        |file| {
            let output = batch::output_for(&args.input, file, out_dir);
            config.outputs(&output.with_extension(config.format.extension()))
        },
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
            &export::csv(&batch::summary_rows(
                &files,
                &outcomes,
                crate::messages::os::one_line,
            ))?,
        )
        .with_context(|| format!("{} に書き込めません", summary.display()))?;
        printer.info(&format!("一覧: {}", summary.display()));
    }
    Ok(code)
}
