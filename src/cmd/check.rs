//! `cyberbcp check facility.toml [--format json] [--strict]`: the 確認表
//! coverage report, without running Typst.

use std::io::{IsTerminal as _, Write};

use codespan_reporting::term::termcolor::{self, ColorSpec, WriteColor};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use crate::build;
use crate::cli::{CheckArgs, Color, Format};
use crate::coverage::{Report, Status, Warning};
use crate::messages::{EXIT_FAILURE, Printer};

/// Bumped only when a field changes meaning or disappears (docs/coverage.md).
pub const JSON_SCHEMA: u32 = 1;

/// Returns the exit code: 0, or 1 under `--strict` when an item is not covered.
pub fn run(args: &CheckArgs, printer: &Printer) -> anyhow::Result<i32> {
    let prepared = build::prepare_file(&args.input)?;
    printer.diagnostics(prepared.file(), prepared.warnings());
    let report = match args.today {
        Some(today) => prepared.coverage_on(today),
        None => prepared.coverage(),
    };
    let stdout = std::io::stdout();
    match args.format {
        Format::Json => {
            let mut out = stdout.lock();
            serde_json::to_writer_pretty(
                &mut out,
                &json(&args.input.display().to_string(), &report),
            )?;
            writeln!(out)?;
        }
        Format::Table => {
            let mut out = termcolor::StandardStream::stdout(color_choice(
                printer.color(),
                stdout.is_terminal(),
            ));
            print_table(&mut out, &report)?;
        }
    }
    Ok(if args.strict && !report.all_covered() {
        EXIT_FAILURE
    } else {
        0
    })
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

fn color_choice(color: Color, is_terminal: bool) -> termcolor::ColorChoice {
    match color {
        Color::Always => termcolor::ColorChoice::Always,
        Color::Never => termcolor::ColorChoice::Never,
        Color::Auto if is_terminal => termcolor::ColorChoice::Auto,
        Color::Auto => termcolor::ColorChoice::Never,
    }
}

/// Width of the 確認項目 column, in terminal cells (a kanji is 2).
const TEXT_WIDTH: usize = 44;

pub fn print_table(out: &mut dyn WriteColor, report: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{}（{}）の確認表",
        report.facility,
        kind_ja(report.kind)
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

pub fn kind_ja(kind: crate::model::Kind) -> &'static str {
    use crate::model::Kind;
    match kind {
        Kind::Hospital => "病院",
        Kind::Clinic => "診療所",
        Kind::Pharmacy => "薬局",
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
