//! A long table's geometry worked out before Typst lays it out: each column's
//! width and each row's number of lines, from the embedded font's character
//! widths. Given both, Typst lays every cell out once, at its final size.
//! Left to itself (`auto` columns and rows) it lays every cell out two or
//! three times: once to measure its column, once to measure its row (and to
//! see whether an unbreakable row fits the page), once to place it. For the
//! 5,000-row ledger of a large hospital that was most of the build.
//!
//! The line counts are an upper bound of what Typst's line breaking gives:
//! every character is as wide as its advance (Typst's kerning and CJK
//! punctuation only narrow a line), and a line may break only where Typst
//! surely may (after a space, between two kanji/kana, at the break points
//! lib.typ's `break-run` inserts), so a greedy fill never fits more on a line
//! than Typst does. Where that cannot be promised (a character IPAex lacks,
//! right-to-left text, a line break inside the value, a piece wider than its
//! column) the row is left to Typst (`None`). A row estimated too high only
//! leaves white space; the layout tests prove no text leaves its cell.

use serde_json::{Value, json};

use crate::fonts::gothic_advance;

/// How a column's width is chosen (as lib.typ's `fit` and `grow`).
#[derive(Debug, Clone, Copy)]
pub enum Col {
    /// As wide as its widest value and header line, up to `max` em: short
    /// codes and dates never wrap.
    Fit { max: f64 },
    /// Typst's `auto`: its natural width when the table fits the page; if
    /// not, the columns narrower than a fair share keep theirs and the
    /// others share the rest equally.
    Grow,
}

/// A table whose geometry is worked out here.
pub struct Spec<'a> {
    /// Header cells; `\n` is a line break.
    pub header: &'a [&'a str],
    pub columns: &'a [Col],
    /// The text size of the body, pt (the header is 0.95 of it).
    pub size: f64,
    /// The width the table may take, pt.
    pub width: f64,
}

/// The checklist manual's 12 ledger columns (機器台帳の例), on a landscape
/// A4 page (297 mm less 22 mm margins each side), at 7.5 pt.
pub const LEDGER: Spec<'static> = Spec {
    header: &[
        "管理番号",
        "メーカー",
        "OS",
        "ソフトウェア",
        "ソフトウェア\nバージョン",
        "IPアドレス",
        "コンピュータ名",
        "設置場所",
        "利用者",
        "登録日",
        "状態",
        "説明",
    ],
    columns: &[
        Col::Fit { max: 8.0 },
        Col::Fit { max: 6.0 },
        Col::Fit { max: 10.0 },
        Col::Grow,
        Col::Fit { max: 6.5 },
        Col::Fit { max: 8.5 },
        Col::Fit { max: 8.0 },
        Col::Grow,
        Col::Grow,
        Col::Fit { max: 6.5 },
        Col::Fit { max: 4.0 },
        Col::Grow,
    ],
    size: 7.5,
    width: (297.0 - 2.0 * 22.0) / 25.4 * 72.0,
};

/// Cell padding left and right (lib.typ's `data-table`: `inset: (x: 4pt)`).
const INSET_X: f64 = 8.0;
/// Room kept free on every line (rounding, a kerned pair that widens).
const SLACK: f64 = 0.75;
/// A row taller than this many lines is left to Typst (it may need to
/// break across pages, which a row of fixed height cannot).
const MAX_LINES: usize = 40;

/// Widths in pt and, per row, its number of lines (`None`: Typst measures it).
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    pub widths: Vec<f64>,
    pub lines: Vec<Option<usize>>,
}

impl Geometry {
    pub fn to_json(&self) -> Value {
        json!({
            // Rounded down: the lines were counted with the exact widths less
            // SLACK, and a column never grows past the page.
            "widths": self.widths.iter().map(|w| (w * 100.0).floor() / 100.0).collect::<Vec<_>>(),
            "lines": self.lines,
        })
    }
}

/// The geometry of `rows` (each as many cells as `spec.columns`).
pub fn geometry(spec: &Spec, rows: &[Vec<String>]) -> Geometry {
    let n = spec.columns.len();
    let em = spec.size;
    let head_lines = |i: usize| -> f64 {
        spec.header[i]
            .split('\n')
            .map(|l| width_em(l).unwrap_or(l.chars().count() as f64) * 0.95)
            .fold(0.0, f64::max)
    };
    // The widest single line of each column, in em.
    let mut widest: Vec<f64> = (0..n).map(head_lines).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            let w = cell
                .split('\n')
                .map(|l| width_em(l).unwrap_or(l.chars().count() as f64))
                .fold(0.0, f64::max);
            widest[i] = widest[i].max(w);
        }
    }
    let mut widths: Vec<f64> = (0..n)
        .map(|i| match spec.columns[i] {
            // Exact widths need no margin beyond SLACK (lib.typ's estimate
            // for other tables adds 0.6 em): the room goes to the long columns.
            Col::Fit { max } => (widest[i] * em + SLACK).min(max * em) + INSET_X,
            // Its widest value on one line, with the room every line keeps.
            Col::Grow => widest[i] * em + INSET_X + SLACK,
        })
        .collect();
    let grow: Vec<usize> = (0..n)
        .filter(|&i| matches!(spec.columns[i], Col::Grow))
        .collect();
    let fixed: f64 = (0..n)
        .filter(|i| !grow.contains(i))
        .map(|i| widths[i])
        .sum();
    let natural: f64 = grow.iter().map(|&i| widths[i]).sum();
    if fixed + natural > spec.width && !grow.is_empty() {
        // Typst's shrink_auto_columns: drop the columns that fit a fair
        // share (they keep their width) until none does; the rest share.
        let mut redistribute = spec.width - fixed;
        let mut overlarge = grow.len();
        let mut fair = f64::NEG_INFINITY;
        let mut changed = true;
        while changed && overlarge > 0 {
            changed = false;
            let last = fair;
            fair = redistribute / overlarge as f64;
            for &i in &grow {
                if widths[i] <= fair && widths[i] > last {
                    redistribute -= widths[i];
                    overlarge -= 1;
                    changed = true;
                }
            }
        }
        let fair = fair.max(INSET_X + em);
        for &i in &grow {
            if widths[i] > fair {
                widths[i] = fair;
            }
        }
    }
    let lines = rows
        .iter()
        .map(|row| {
            let mut most = 1;
            for (i, cell) in row.iter().enumerate().take(n) {
                let room = (widths[i] - INSET_X - SLACK) / em;
                most = most.max(lines_of(cell, room)?);
            }
            (most <= MAX_LINES).then_some(most)
        })
        .collect();
    Geometry { widths, lines }
}

/// A string's width in em when set on one line, if IPAex Gothic has every
/// character.
fn width_em(s: &str) -> Option<f64> {
    s.chars().map(char_em).sum()
}

fn char_em(c: char) -> Option<f64> {
    if c == ' ' || c == '\u{3000}' {
        // A space: its advance (IPAex has one); never zero-width.
        return gothic_advance(c).or(Some(if c == ' ' { 0.33 } else { 1.0 }));
    }
    if c.is_control() || is_rtl(c) || is_combining(c) {
        return None;
    }
    gothic_advance(c)
}

fn is_rtl(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08ff}' | '\u{fb1d}'..='\u{fdff}' | '\u{fe70}'..='\u{feff}' | '\u{200e}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that join the previous one into one cluster (lib.typ counts
/// clusters; here characters are counted).
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe00}'..='\u{fe0f}' | '\u{fe20}'..='\u{fe2f}' | '\u{3099}'..='\u{309a}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        || ('\u{e0100}'..='\u{e01ef}').contains(&c)
}

/// Kanji and kana between which a line may always break (UAX #14's ID × ID),
/// leaving out small kana and the prolonged sound mark, which may not start a
/// line under stricter rules.
fn is_cjk_letter(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{3041}'..='\u{3096}' | '\u{30a1}'..='\u{30fa}')
        && !"ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ".contains(c)
}

/// lib.typ's `run-chars`: what `break-run` cuts into pieces when a run of
/// them is 13 characters or longer in a table.
fn is_run_char(c: char) -> bool {
    !(c.is_whitespace()
        || c == '\u{200b}'
        || ('\u{3000}'..='\u{9fff}').contains(&c)
        || ('\u{f900}'..='\u{faff}').contains(&c)
        || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

fn phone_like(s: &[char]) -> bool {
    s.len() <= 20 && s.iter().all(|c| c.is_ascii_digit() || "+()-".contains(*c))
}

/// The pieces of a value between which a line may break, each with its width
/// in em (a piece carries the spaces that follow it).
fn pieces(s: &str) -> Option<Vec<f64>> {
    let chars: Vec<char> = s.chars().collect();
    // Where break-run puts a break (an empty box) after a character.
    let mut cut = vec![false; chars.len()];
    let mut i = 0;
    while i < chars.len() {
        if !is_run_char(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_run_char(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        if run.len() < 13 || phone_like(run) {
            continue;
        }
        if run.len() > 1000 {
            for k in (start..i).skip(19).step_by(20) {
                cut[k] = true;
            }
            continue;
        }
        let mut n = 0;
        for (k, c) in run.iter().enumerate() {
            n += 1;
            if n >= 5 || "./_@:-".contains(*c) {
                cut[start + k] = true;
                n = 0;
            }
        }
    }
    let mut out = Vec::new();
    let mut piece = 0.0;
    for (k, &c) in chars.iter().enumerate() {
        piece += char_em(c)?;
        let next = chars.get(k + 1).copied();
        let breaks = match next {
            None => false,
            Some(n) => {
                cut[k]
                    || (c.is_whitespace() && !n.is_whitespace())
                    || (is_cjk_letter(c) && is_cjk_letter(n))
            }
        };
        if breaks {
            out.push(piece);
            piece = 0.0;
        }
    }
    out.push(piece);
    Some(out)
}

/// How many lines `s` takes in a column `room` em wide, filled greedily (as
/// Typst's simple line breaking, which tables use: they are not justified).
/// `None`: not sure (see the module's notes).
fn lines_of(s: &str, room: f64) -> Option<usize> {
    if s.contains(['\n', '\r']) {
        return None;
    }
    let mut lines = 1;
    let mut used = 0.0;
    for w in pieces(s)? {
        if w > room {
            return None;
        }
        if used + w > room {
            lines += 1;
            used = w;
        } else {
            used += w;
        }
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn greedy_lines_break_between_kanji_and_after_spaces_only() {
        assert_eq!(lines_of("電子カルテ端末", 10.0), Some(1));
        assert_eq!(lines_of("電子カルテ端末", 3.5), Some(3));
        // A Latin word never breaks inside: wider than the column, unsure.
        assert_eq!(lines_of("Windows", 2.0), None);
        assert_eq!(lines_of("Windows Server 2022", 5.0), Some(3));
        assert_eq!(lines_of("Windows Server 2022", 20.0), Some(1));
        // break-run cuts a long run (13+) after a dot and every 5 characters.
        assert!(lines_of("192.168.100.200", 3.0).is_some());
        assert_eq!(lines_of("192.168.1.1", 3.0), None);
        assert_eq!(lines_of("a\nb", 10.0), None);
        assert_eq!(lines_of("😀", 10.0), None);
    }

    #[test]
    fn columns_fit_the_page_and_short_ones_keep_their_width() {
        let rows = vec![row(&[
            "PC-00001",
            "A社",
            "Windows 11 Pro 23H2",
            "電子カルテ端末".repeat(8).as_str(),
            "5.0",
            "10.0.0.1",
            "host-00001",
            "1病棟",
            "内科",
            "2023-01-01",
            "稼働",
            "定期点検済み".repeat(10).as_str(),
        ])];
        let g = geometry(&LEDGER, &rows);
        let total: f64 = g.widths.iter().sum();
        assert!(total <= LEDGER.width + 0.01, "{total}");
        // 利用者 is short: it keeps its natural width; the long ones share.
        assert!(g.widths[8] < g.widths[3] && (g.widths[3] - g.widths[11]).abs() < 0.01);
        assert!(g.lines[0].unwrap() >= 2);
    }
}
