//! The 確認表 and the checklist as spreadsheets (XLSX and CSV), in the
//! ministry's column layout, because 保健所 and facilities exchange Excel files.

use anyhow::Context as _;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
use serde::Serialize;

use crate::checklist::{Sheet, answer_ja};
use crate::coverage::{self, Report};
use crate::diag::InputErrors;

/// Bumped only when a field changes meaning or disappears (docs/coverage.md).
pub const JSON_SCHEMA: u32 = 1;

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

/// `check plans/ --format json`: every facility's report, and the files that
/// could not be read with their error messages.
pub fn batch_json(
    reports: &[(String, &Report)],
    errors: &[(String, &InputErrors)],
) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::json!({
        "schema": JSON_SCHEMA,
        "facilities": reports
            .iter()
            .map(|(f, r)| serde_json::to_value(json(f, r)))
            .collect::<Result<Vec<_>, _>>()?,
        "errors": errors
            .iter()
            .map(|(f, e)| serde_json::json!({"file": f, "messages": e.error_lines()}))
            .collect::<Vec<_>>(),
    }))
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
    header.extend(coverage::items().iter().map(|i| i.id.clone()));
    let mut rows = vec![header];
    for (file, r) in reports {
        let mut row = vec![
            file.clone(),
            r.facility.clone(),
            crate::render::kind_name(r.kind).to_string(),
            r.covered.to_string(),
            r.default.to_string(),
            r.missing.to_string(),
            r.warnings.len().to_string(),
        ];
        // An item lowered by a warning says which: 「△ eol-os」.
        row.extend(r.items.iter().map(|i| {
            if i.warnings.is_empty() {
                i.status.mark().to_string()
            } else {
                format!("{} {}", i.status.mark(), i.warnings.join(" "))
            }
        }));
        rows.push(row);
    }
    rows
}

/// 項番, 大項目, 確認項目, 確認欄 as published, then where this plan answers
/// each item and what is missing.
pub fn kakuninhyo_rows(report: &Report) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "項番",
            "大項目",
            "確認項目",
            "確認欄",
            "本計画の記載箇所",
            "不足していること",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for major in coverage::majors() {
        rows.push(vec![
            major.id.clone(),
            format!("{}（{}）", major.name, major.note),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        for item in report
            .items
            .iter()
            .filter(|i| i.group.split('-').next() == Some(major.id.as_str()))
        {
            rows.push(vec![
                item.group.to_string(),
                item.title.to_string(),
                item.text.to_string(),
                format!("{} {}", item.status.mark(), item.status.label()),
                item.sections.join(", "),
                item.hints.join("\n"),
            ]);
        }
    }
    rows
}

/// 番号, 区分, チェック項目, 1回目, 目標日, 2回目, 備考, then the item id as
/// `[[checklist.answers]] item` takes it (`2-(4)/server`), to copy from here.
pub fn checklist_rows(sheet: &Sheet) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "番号",
            "区分",
            "チェック項目",
            "1回目",
            "目標日",
            "2回目",
            "備考",
            "項目 id",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let dated = |answer: Option<bool>, date: &Option<String>| match (answer, date) {
        (None, _) => String::new(),
        (Some(a), Some(d)) => format!("{}（{d}）", answer_ja(Some(a))),
        (Some(a), None) => answer_ja(Some(a)).to_string(),
    };
    for r in &sheet.rows {
        let mut note = r.note.clone().unwrap_or_default();
        if r.from_data {
            note = format!(
                "計画のデータより{}{note}",
                if note.is_empty() { "" } else { "。" }
            );
        }
        rows.push(vec![
            r.number.to_string(),
            match r.scope {
                Some(scope) => format!("{}　{scope}", r.group),
                None => r.group.to_string(),
            },
            r.text.to_string(),
            dated(r.first, &sheet.first_date),
            r.target.clone().unwrap_or_default(),
            dated(r.second, &sheet.second_date),
            note,
            r.id.to_string(),
        ]);
    }
    rows
}

/// UTF-8 with a BOM, so Excel opens Japanese text correctly; CRLF line ends.
pub fn csv(rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for row in rows {
            writer.write_record(row.iter().map(|cell| neutralise(cell).into_owned()))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1`, `@SUM`)
/// gets a leading `'`, as OWASP recommends for CSV: it then opens as text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// One workbook, two sheets: 確認表 and チェックリスト.
pub fn xlsx(facility: &str, report: &Report, sheet: &Sheet) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(12);
    let head = Format::new()
        .set_bold()
        .set_background_color("E8EDF3")
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    // (sheet name, title row, rows, column widths)
    type Table<'a> = (&'a str, String, Vec<Vec<String>>, &'a [f64]);
    let tables: [Table; 2] = [
        (
            "確認表",
            format!("サイバー攻撃を想定した事業継続計画（BCP）策定の確認表　{facility}"),
            kakuninhyo_rows(report),
            &[7.0, 28.0, 60.0, 12.0, 16.0, 50.0],
        ),
        (
            "チェックリスト",
            format!(
                "サイバーセキュリティ対策チェックリスト（{}）　{facility}",
                sheet.title
            ),
            checklist_rows(sheet),
            &[7.0, 30.0, 60.0, 18.0, 12.0, 18.0, 30.0, 14.0],
        ),
    ];
    for (name, heading, rows, widths) in tables {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, &heading, &title)?;
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let format = if r == 0 { &head } else { &cell };
            for (c, value) in row.iter().enumerate() {
                ws.write_string_with_format(r as u32 + 2, c as u16, value, format)?;
            }
        }
        ws.set_freeze_panes(3, 0)?;
    }
    book.save_to_buffer().context("XLSX を作れません")
}
