//! `cyberbcp diff old.toml new.toml [--format json]`: what changed between two
//! versions of a plan, section by section. Exit 0 when equal, 1 when they
//! differ (as `diff` does), 2 on bad input.

use std::io::Write as _;

use crate::cli::{DiffArgs, DiffFormat};
use crate::diff;
use crate::messages::{EXIT_FAILURE, Printer};
use crate::model::Date;
use crate::pipeline;

pub fn run(args: &DiffArgs, printer: &Printer) -> anyhow::Result<i32> {
    let today = args.today.unwrap_or_else(Date::now);
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
