//! `cyberbcp diff old.toml new.toml [--format json]`: what changed between two
//! versions of a plan, section by section. Exit 0 when equal, 1 when they
//! differ (as `diff` does), 2 on bad input.

use std::io::Write as _;

use crate::cli::{DiffArgs, DiffFormat};
use crate::diff;
use crate::messages::{EXIT_FAILURE, Printer};
use crate::model::{self, Date};
use crate::pipeline;

pub fn run(args: &DiffArgs, printer: &Printer) -> anyhow::Result<i32> {
    let today = args.today.unwrap_or_else(Date::now);
    if let Some(dir) = &args.stores {
        return stores(args, dir, today, printer);
    }
    let old = pipeline::prepare_file_on(&args.old, today)?;
    let new = pipeline::prepare_file_on(&args.new, today)?;
    let result = new.diff_from_on(&old, today);
    let (a, b) = (
        args.old.display().to_string(),
        args.new.display().to_string(),
    );
    let mut out = printer.stdout();
    match args.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &diff::to_json(&result, &a, &b))?;
            writeln!(out)?;
        }
        DiffFormat::Table => {
            write!(out, "{}", diff::to_table(&result, &a, &b))?;
            if !result.changes.is_empty() {
                writeln!(
                    out,
                    "\n[[revisions]] の改訂内容の案:\nsummary = {}",
                    toml_string(&result.revision_summary())
                )?;
            }
        }
    }
    Ok(if result.is_empty() { 0 } else { EXIT_FAILURE })
}

/// A TOML basic string, ready to paste.
pub fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `diff --stores DIR OLD NEW`: each plan under DIR that extends NEW, read
/// once over OLD and once over NEW; the ones whose printed plan changes.
fn stores(
    args: &DiffArgs,
    dir: &std::path::Path,
    today: Date,
    printer: &Printer,
) -> anyhow::Result<i32> {
    let new_real = std::fs::canonicalize(&args.new)
        .map_err(|e| anyhow::anyhow!("{} を開けません（{e}）", args.new.display()))?;
    let files: Vec<_> = printer
        .facilities(dir)?
        .into_iter()
        .filter(|f| {
            model::named_bases(f)
                .iter()
                .any(|b| b.canonicalize().is_ok_and(|b| b == new_real))
        })
        .collect();
    if files.is_empty() {
        anyhow::bail!(
            "{} に、{} を extends で読み込む施設の TOML がありません",
            dir.display(),
            args.new.display()
        );
    }
    let as_old = model::Bases::reading_as(&args.new, &args.old)?;
    let as_new = model::Bases::default();
    let (mut changed, mut json, mut failed) = (Vec::new(), Vec::new(), false);
    for file in &files {
        let sides = pipeline::prepare_file_with(file, today, &as_old)
            .and_then(|old| Ok((old, pipeline::prepare_file_with(file, today, &as_new)?)));
        let (old, new) = match sides {
            Ok(sides) => sides,
            Err(e) => {
                printer.input_errors(&e);
                failed = true;
                continue;
            }
        };
        let result = new.diff_from_on(&old, today);
        let name = file.display().to_string();
        json.push(serde_json::json!({
            "file": name,
            "facility": new.loaded.plan.facility.name,
            "changed": !result.is_empty(),
            "diff": diff::to_json(&result, &name, &name),
        }));
        if !result.is_empty() {
            changed.push(format!(
                "  {name}（{}）: {}",
                new.loaded.plan.facility.name,
                result.revision_summary()
            ));
        }
    }
    let mut out = printer.stdout();
    match args.format {
        DiffFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        DiffFormat::Table => {
            writeln!(
                out,
                "{} → {}: {} を読み込む {} 施設のうち、印刷内容が変わるのは {} 施設です",
                args.old.display(),
                args.new.display(),
                args.new.display(),
                files.len(),
                changed.len()
            )?;
            for line in &changed {
                writeln!(out, "{line}")?;
            }
            if !changed.is_empty() {
                writeln!(
                    out,
                    "変わる施設は版を上げて（[[revisions]] に改訂を追加して）印刷し直してください"
                )?;
            }
        }
    }
    Ok(if failed {
        crate::messages::EXIT_INPUT
    } else if changed.is_empty() {
        0
    } else {
        EXIT_FAILURE
    })
}
