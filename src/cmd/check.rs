//! `cyberbcp check facility.toml [--format json] [--strict]`: the 確認表
//! coverage report, without running Typst. `check plans/`: facility × 27 items.

use std::io::Write as _;

use crate::batch;
use crate::cli::{CheckArgs, Format};
use crate::coverage::Report;
use crate::export;
use crate::messages::{EXIT_FAILURE, EXIT_INPUT, Printer, report};
use crate::model::Date;
use crate::pipeline;

/// Returns the exit code: 0, or 1 under `--strict` when an item is not covered.
pub fn run(args: &CheckArgs, printer: &Printer) -> anyhow::Result<i32> {
    let today = args.today.unwrap_or_else(Date::now);
    if args.input.is_dir() {
        return check_dir(args, today, printer);
    }
    let prepared = pipeline::prepare_file_on(&args.input, today)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let report = prepared.coverage_on(today);
    let file = args.input.display().to_string();
    match args.format {
        Format::Json => print_json(&export::json(&file, &report))?,
        Format::Csv => print_csv(&export::matrix_rows(&[(file, &report)]))?,
        Format::Table => {
            report::print_table(&mut printer.stdout(), &report, &|k| prepared.in_base(k))?
        }
    }
    Ok(if args.strict && !report.all_covered() {
        EXIT_FAILURE
    } else {
        0
    })
}

fn check_dir(args: &CheckArgs, today: Date, printer: &Printer) -> anyhow::Result<i32> {
    let files = printer.facilities(&args.input)?;
    let bases = crate::model::Bases::default();
    // Each plan's report and its nearest base (`extends`), if any.
    let outcomes = batch::run_parallel(&files, batch::default_jobs(), |file| {
        pipeline::prepare_file_with(file, today, &bases).map(|p| {
            let base = p.loaded.file.bases.first().map(|b| b.path.clone());
            (p.coverage_on(today), base)
        })
    });
    let mut reports: Vec<(String, &Report)> = Vec::new();
    let mut read = Vec::new();
    let mut errors = Vec::new();
    for (file, outcome) in files.iter().zip(&outcomes) {
        match outcome {
            Ok((report, base)) => {
                reports.push((file.display().to_string(), report));
                read.push(base.clone());
            }
            Err(e) => {
                printer.input_errors(e);
                errors.push((file.display().to_string(), e));
            }
        }
    }
    match args.format {
        Format::Json => print_json(&export::batch_json(&reports, &errors)?)?,
        Format::Csv => print_csv(&export::matrix_rows(&reports))?,
        Format::Table => {
            report::print_matrix(&mut printer.stdout(), &reports, errors.len())?;
            for (base, stores) in chains(&read, &reports) {
                report::print_chain_gaps(&mut printer.stdout(), &base, &stores)?;
            }
        }
    }
    Ok(if !errors.is_empty() {
        EXIT_INPUT
    } else if args.strict && reports.iter().any(|(_, r)| !r.all_covered()) {
        EXIT_FAILURE
    } else {
        0
    })
}

/// The plans that read the same base (their nearest `extends`), two or more,
/// grouped in input order. `bases[i]` is the base of `reports[i]`.
fn chains<'r>(
    bases: &[Option<std::path::PathBuf>],
    reports: &[(String, &'r Report)],
) -> Vec<(String, Vec<(String, &'r Report)>)> {
    // One run reads each base once (model::Bases, by canonical path), so
    // every plan of a base holds the same file, under the same name.
    let mut groups: Vec<(String, Vec<(String, &Report)>)> = Vec::new();
    for (base, (file, report)) in bases.iter().zip(reports) {
        let Some(base) = base else {
            continue;
        };
        let base = base.display().to_string();
        match groups.iter_mut().find(|(b, _)| *b == base) {
            Some((_, stores)) => stores.push((file.clone(), report)),
            None => groups.push((base, vec![(file.clone(), report)])),
        }
    }
    groups.retain(|(_, stores)| stores.len() > 1);
    groups
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn print_csv(rows: &[Vec<String>]) -> anyhow::Result<()> {
    std::io::stdout().lock().write_all(&export::csv(rows)?)?;
    Ok(())
}
