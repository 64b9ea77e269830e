//! The 確認表 report on a terminal: one facility's table and the
//! facility × 27 items matrix, full-width aware, coloured by `--color`.

use codespan_reporting::term::termcolor::{self, ColorSpec, WriteColor};
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

use crate::coverage::{self, Report, Status, Warning};

/// One line per facility: its marks grouped by 大項目, the count, the file.
pub fn print_matrix(
    out: &mut dyn WriteColor,
    reports: &[(String, &Report)],
    errors: usize,
) -> std::io::Result<()> {
    const NAME: usize = 28;
    // (大項目, its number of items, the column's width)
    let groups: Vec<(&str, usize, usize)> = coverage::majors()
        .iter()
        .map(|m| {
            let n = coverage::items()
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
        // The items a warning keeps from ✓, with the codes (details: check FILE).
        let lowered: Vec<String> = r
            .items
            .iter()
            .filter(|i| !i.warnings.is_empty())
            .map(|i| format!("{} [{}]", i.id, i.warnings.join(" ")))
            .collect();
        if !lowered.is_empty() {
            writeln!(out, "    警告のある項目: {}", lowered.join("、"))?;
        }
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

/// For the stores of a chain (plans that extend the same base): the items
/// every one of them lacks (fixed once, in the shared file, with the hints
/// they all share), then what each store lacks on its own.
pub fn print_chain_gaps(
    out: &mut dyn WriteColor,
    base: &str,
    stores: &[(String, &Report)],
) -> std::io::Result<()> {
    let Some((_, first)) = stores.first() else {
        return Ok(());
    };
    let shared: Vec<usize> = (0..first.items.len())
        .filter(|&i| {
            stores.iter().all(|(_, r)| {
                r.items
                    .get(i)
                    .is_some_and(|it| it.status != Status::Covered)
            })
        })
        .collect();
    writeln!(out)?;
    out.set_color(ColorSpec::new().set_bold(true))?;
    write!(out, "共通ファイル {base} を読み込む {} 施設", stores.len())?;
    out.reset()?;
    if shared.is_empty() {
        writeln!(out, ": すべての施設に共通する不足はありません")?;
    } else {
        writeln!(
            out,
            ": {} 項目がすべての施設で不足しています（共通ファイルに書けば全施設で一度に直ります）",
            shared.len()
        )?;
    }
    for &i in &shared {
        let item = &first.items[i];
        out.set_color(ColorSpec::new().set_fg(Some(status_color(item.status))))?;
        write!(out, "  {} {}", pad(item.id, 6), item.status.mark())?;
        out.reset()?;
        writeln!(out, " {}", shorten(item.text, TEXT_WIDTH))?;
        for hint in item
            .hints
            .iter()
            .filter(|h| stores.iter().all(|(_, r)| r.items[i].hints.contains(h)))
        {
            writeln!(out, "{}→ {hint}", " ".repeat(10))?;
        }
    }
    writeln!(out, "施設ごとの不足（その施設の TOML で直します）:")?;
    for (file, r) in stores {
        let own: Vec<String> = r
            .items
            .iter()
            .enumerate()
            .filter(|(i, it)| it.status != Status::Covered && !shared.contains(i))
            .map(|(_, it)| format!("{}{}", it.id, it.status.mark()))
            .collect();
        let list = if own.is_empty() {
            "なし".to_string()
        } else {
            own.join(" ")
        };
        writeln!(
            out,
            "  {}  {list}  {file}",
            pad(&shorten(&r.facility, 28), 28)
        )?;
    }
    Ok(())
}

/// Width of the 確認項目 column, in terminal cells (a kanji is 2).
const TEXT_WIDTH: usize = 44;

/// `in_base`: where a key's value is when a chain's base holds it (`hq.toml:12:3`).
pub fn print_table(
    out: &mut dyn WriteColor,
    report: &Report,
    in_base: &dyn Fn(&str) -> Option<String>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{}（{}）の確認表",
        report.facility,
        crate::render::kind_name(report.kind)
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
    print_warnings(out, &report.warnings, in_base)
}

/// The yearly-cycle warnings, one per line with its code and key; many
/// devices with the same warning are one line (see `grouped`).
/// A value a chain's base holds is named with its place there.
pub fn print_warnings(
    out: &mut dyn WriteColor,
    warnings: &[Warning],
    in_base: &dyn Fn(&str) -> Option<String>,
) -> std::io::Result<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "見直しが必要な点（{} 件）", warnings.len())?;
    for w in super::grouped::lines(warnings) {
        out.set_color(ColorSpec::new().set_fg(Some(termcolor::Color::Yellow)))?;
        write!(out, "⚠ [{}]", w.code)?;
        out.reset()?;
        match in_base(&w.key) {
            Some(at) => writeln!(out, " {}: {}（共通ファイルの値: {at}）", w.key, w.message)?,
            None => writeln!(out, " {}: {}", w.key, w.message)?,
        }
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
