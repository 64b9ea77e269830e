//! `cyberbcp check facility.toml [--format json] [--strict]`: the 確認表
//! coverage report, without running Typst.

use std::io::Write;

use codespan_reporting::term::termcolor::{self, ColorSpec, WriteColor};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use crate::build;
use crate::cli::{CheckArgs, Format};
use crate::cmd::batch;
use crate::coverage::{Report, Status, Warning};
use crate::export;
use crate::messages::{EXIT_FAILURE, Printer};

/// Bumped only when a field changes meaning or disappears (docs/coverage.md).
pub const JSON_SCHEMA: u32 = 1;

/// Returns the exit code: 0, or 1 under `--strict` when an item is not covered.
pub fn run(args: &CheckArgs, printer: &Printer) -> anyhow::Result<i32> {
    if args.input.is_dir() {
        return check_dir(args, printer);
    }
    let prepared = build::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let report = match args.today {
        Some(today) => prepared.coverage_on(today),
        None => prepared.coverage(),
    };
    let file = args.input.display().to_string();
    let stdout = std::io::stdout();
    match args.format {
        Format::Json => {
            let mut out = stdout.lock();
            serde_json::to_writer_pretty(&mut out, &json(&file, &report))?;
            writeln!(out)?;
        }
        Format::Csv => stdout
            .lock()
            .write_all(&export::csv(&matrix_rows(&[(file, &report)]))?)?,
        Format::Table => {
            let mut out = printer.stdout();
            print_table(&mut out, &report)?;
        }
    }
    Ok(if args.strict && !report.all_covered() {
        EXIT_FAILURE
    } else {
        0
    })
}

/// `check plans/`: the 保健所's view, facility × 27 items.
fn check_dir(args: &CheckArgs, printer: &Printer) -> anyhow::Result<i32> {
    let (files, skipped) = batch::find_facilities(&args.input);
    for (path, why) in &skipped {
        printer.info(&format!("- {}: {why}（スキップ）", path.display()));
    }
    if files.is_empty() {
        anyhow::bail!(
            "{} に施設の TOML（[facility] を含む .toml）がありません",
            args.input.display()
        );
    }
    let outcomes = batch::run_parallel(&files, batch::default_jobs(), |file| {
        build::prepare_file(file).map(|p| match args.today {
            Some(today) => p.coverage_on(today),
            None => p.coverage(),
        })
    });
    let mut reports: Vec<(String, &Report)> = Vec::new();
    let mut errors = Vec::new();
    for (file, outcome) in files.iter().zip(&outcomes) {
        match outcome {
            Ok(report) => reports.push((file.display().to_string(), report)),
            Err(e) => {
                printer.input_errors(e);
                errors.push((file.display().to_string(), e));
            }
        }
    }
    let stdout = std::io::stdout();
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "schema": JSON_SCHEMA,
                "facilities": reports.iter().map(|(f, r)| serde_json::to_value(json(f, r))).collect::<Result<Vec<_>, _>>()?,
                "errors": errors.iter().map(|(f, e)| serde_json::json!({
                    "file": f,
                    "messages": e.diagnostics.iter()
                        .filter(|d| d.severity == crate::diag::Severity::Error)
                        .map(|d| match &d.key { Some(k) => format!("{k}: {}", d.message), None => d.message.clone() })
                        .collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            });
            let mut out = stdout.lock();
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let owned: Vec<(String, &Report)> =
                reports.iter().map(|(f, r)| (f.clone(), *r)).collect();
            stdout
                .lock()
                .write_all(&export::csv(&matrix_rows(&owned))?)?;
        }
        Format::Table => {
            let mut out = printer.stdout();
            print_matrix(&mut out, &reports, errors.len())?;
        }
    }
    Ok(if !errors.is_empty() {
        crate::messages::EXIT_INPUT
    } else if args.strict && reports.iter().any(|(_, r)| !r.all_covered()) {
        EXIT_FAILURE
    } else {
        0
    })
}

/// ファイル, 施設名, 種類, 記載済, 既定文のみ, 未記載, 警告, then one column per item.
pub fn matrix_rows(reports: &[(String, &Report)]) -> Vec<Vec<String>> {
    let mut header: Vec<String> = [
        "ファイル",
        "施設名",
        "種類",
        "記載済",
        "既定文のみ",
        "未記載",
        "見直しの警告",
    ]
    .map(String::from)
    .to_vec();
    header.extend(crate::coverage::items().iter().map(|i| i.id.clone()));
    let mut rows = vec![header];
    for (file, r) in reports {
        let mut row = vec![
            file.clone(),
            r.facility.clone(),
            r.kind.label_ja().to_string(),
            r.covered.to_string(),
            r.default.to_string(),
            r.missing.to_string(),
            r.warnings.len().to_string(),
        ];
        row.extend(r.items.iter().map(|i| i.status.mark().to_string()));
        rows.push(row);
    }
    rows
}

/// One line per facility: its marks grouped by 大項目, the count, the file.
fn print_matrix(
    out: &mut dyn WriteColor,
    reports: &[(String, &Report)],
    errors: usize,
) -> std::io::Result<()> {
    const NAME: usize = 28;
    // (大項目, its number of items, the column's width)
    let groups: Vec<(&str, usize, usize)> = crate::coverage::majors()
        .iter()
        .map(|m| {
            let n = crate::coverage::items()
                .iter()
                .filter(|i| i.major_id() == m.id)
                .count();
            (m.name.as_str(), n, n.max(m.name.width()))
        })
        .collect();
    let mut head = pad("施設", NAME);
    for (name, _, width) in &groups {
        head.push(' ');
        head.push_str(&pad(name, *width));
    }
    writeln!(out, "{head}  記載済  警告  ファイル")?;
    for (file, r) in reports {
        write!(out, "{}", pad(&shorten(&r.facility, NAME), NAME))?;
        let mut items = r.items.iter();
        for (_, n, width) in &groups {
            write!(out, " ")?;
            for item in items.by_ref().take(*n) {
                out.set_color(ColorSpec::new().set_fg(Some(status_color(item.status))))?;
                write!(out, "{}", item.status.mark())?;
                out.reset()?;
            }
            write!(out, "{}", " ".repeat(width - n))?;
        }
        writeln!(
            out,
            "  {:>2}/{}  {:>4}  {file}",
            r.covered,
            r.total,
            r.warnings.len()
        )?;
    }
    writeln!(out)?;
    let complete = reports.iter().filter(|(_, r)| r.all_covered()).count();
    writeln!(
        out,
        "{} 施設: 27 項目すべて記載済 {complete}、不足あり {}、読み込めないファイル {errors}（✓ 記載済 △ 既定文のみ ✗ 未記載。列の順は確認表の項番順）",
        reports.len() + errors,
        reports.len() - complete
    )
}

#[derive(Serialize)]
struct Json<'a> {
    schema: u32,
    file: &'a str,
    #[serde(flatten)]
    report: &'a Report,
}

pub fn json<'a>(file: &'a str, report: &'a Report) -> impl Serialize + 'a {
    Json {
        schema: JSON_SCHEMA,
        file,
        report,
    }
}

/// Width of the 確認項目 column, in terminal cells (a kanji is 2).
const TEXT_WIDTH: usize = 44;

pub fn print_table(out: &mut dyn WriteColor, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{}（{}）の確認表",
        report.facility,
        report.kind.label_ja()
    )?;
    writeln!(
        out,
        "{}  {}  {}  記載箇所",
        pad("項番", 6),
        pad("状態", 12),
        pad("確認項目", TEXT_WIDTH)
    )?;
    let mut major = "";
    for item in &report.items {
        if item.major != major {
            major = item.major;
            out.set_color(ColorSpec::new().set_bold(true))?;
            writeln!(out, "── {} ──", major)?;
            out.reset()?;
        }
        write!(out, "{}  ", pad(item.id, 6))?;
        out.set_color(ColorSpec::new().set_fg(Some(status_color(item.status))))?;
        write!(
            out,
            "{}",
            pad(
                &format!("{} {}", item.status.mark(), item.status.label()),
                12
            )
        )?;
        out.reset()?;
        writeln!(
            out,
            "  {}  {}",
            pad(&shorten(item.text, TEXT_WIDTH), TEXT_WIDTH),
            item.sections.join(", ")
        )?;
        for hint in &item.hints {
            writeln!(out, "{}→ {hint}", " ".repeat(6 + 2 + 12 + 2))?;
        }
    }
    writeln!(out)?;
    out.set_color(ColorSpec::new().set_bold(true))?;
    writeln!(
        out,
        "計 {} 項目: ✓ 記載済 {}　△ 既定文のみ {}　✗ 未記載 {}",
        report.total, report.covered, report.default, report.missing
    )?;
    out.reset()?;
    print_warnings(out, &report.warnings)
}

/// The yearly-cycle warnings, one per line with its code and key.
pub fn print_warnings(out: &mut dyn WriteColor, warnings: &[Warning]) -> std::io::Result<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "見直しが必要な点（{} 件）", warnings.len())?;
    for w in warnings {
        out.set_color(ColorSpec::new().set_fg(Some(termcolor::Color::Yellow)))?;
        write!(out, "⚠ [{}]", w.code)?;
        out.reset()?;
        writeln!(out, " {}: {}", w.key, w.message)?;
    }
    Ok(())
}

fn status_color(status: Status) -> termcolor::Color {
    match status {
        Status::Covered => termcolor::Color::Green,
        Status::Default => termcolor::Color::Yellow,
        Status::Missing => termcolor::Color::Red,
    }
}

/// Pad with spaces to `width` terminal cells (full-width characters count 2).
fn pad(text: &str, width: usize) -> String {
    let w = text.width();
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// Cut to at most `width` cells, ending in "…" when cut.
fn shorten(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_and_shorten_count_full_width_as_two() {
        assert_eq!(pad("項番", 6), "項番  ");
        assert_eq!(pad("1-1.1", 6), "1-1.1 ");
        let s = shorten("サーバ、端末PC、ネットワーク機器を把握できているか。", 20);
        assert!(s.width() <= 20, "{s}");
        assert!(s.ends_with('…'));
    }
}
