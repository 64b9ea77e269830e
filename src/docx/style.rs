//! The Word file's page setup and styles: A4, the PDF's margins, Word's
//! built-in heading styles (navigation pane, 目次の挿入), the Japanese fonts
//! named so Word picks the nearest (IPAex, else its own 明朝/ゴシック).

use docx_rs::{
    AlignmentType, BorderType, Footer, LineSpacing, LineSpacingType, NumPages, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts, Shading,
    ShdType, Style, StyleType,
};

/// A4 in twentieths of a point.
pub const A4_W: u32 = 11906;
pub const A4_H: u32 = 16838;
/// The PDF's margins: 25 mm top, 22 mm bottom and sides.
const MARGIN_X: i32 = 1247;
const MARGIN_TOP: i32 = 1417;
const MARGIN_BOTTOM: i32 = 1247;

pub const ACCENT: &str = "1F3B5A";
pub const HEAD_FILL: &str = "E8EDF3";
const WARN: &str = "B03A2E";
const MISSING_FILL: &str = "FDECEA";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Page {
    Portrait,
    Landscape,
}

pub fn text_width(page: Page) -> u32 {
    let w = match page {
        Page::Portrait => A4_W,
        Page::Landscape => A4_H,
    };
    w - 2 * MARGIN_X as u32
}

pub fn margin() -> PageMargin {
    PageMargin::new()
        .top(MARGIN_TOP)
        .bottom(MARGIN_BOTTOM)
        .left(MARGIN_X)
        .right(MARGIN_X)
        .header(700)
        .footer(600)
}

/// 明朝 for the body, ゴシック for headings, tables and strong text, as the PDF.
/// `eastAsia` carries the Japanese name Word lists; where IPAex is not
/// installed Word substitutes its own 明朝/ゴシック for the same family.
pub fn mincho() -> RunFonts {
    RunFonts::new()
        .ascii("IPAexMincho")
        .hi_ansi("IPAexMincho")
        .east_asia("IPAex明朝")
        .hint("eastAsia")
}

pub fn gothic() -> RunFonts {
    RunFonts::new()
        .ascii("IPAexGothic")
        .hi_ansi("IPAexGothic")
        .east_asia("IPAexゴシック")
        .hint("eastAsia")
}

/// `class` of a template's `word-class` block → the paragraph style it gets.
pub const CLASSES: &[(&str, &str)] = &[
    ("note", "Note"),
    ("title", "Title"),
    ("subtitle", "Subtitle"),
];

pub fn styles() -> Vec<Style> {
    let heading = |level: usize, size: usize| {
        let mut s = Style::new(format!("Heading{level}"), StyleType::Paragraph)
            .name(format!("heading {level}"))
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .outline_lvl(level - 1)
            .fonts(gothic())
            .size(size)
            .color(ACCENT)
            .line_spacing(LineSpacing::new().before(360).after(180));
        s.paragraph_property = s.paragraph_property.keep_next(true);
        if level == 1 {
            s.paragraph_property = s.paragraph_property.page_break_before(true).set_borders(
                ParagraphBorders::with_empty().set(
                    ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                        .val(BorderType::Single)
                        .size(12)
                        .color(ACCENT),
                ),
            );
        }
        s
    };
    let mut caption = Style::new("Caption", StyleType::Paragraph)
        .name("caption")
        .based_on("Normal")
        .fonts(gothic())
        .size(19)
        .line_spacing(LineSpacing::new().before(180).after(60));
    caption.paragraph_property = caption.paragraph_property.keep_next(true);
    let mut missing = Style::new("Missing", StyleType::Paragraph)
        .name("未記入")
        .based_on("Normal")
        .fonts(gothic());
    missing.paragraph_property = missing
        .paragraph_property
        .shading(Shading::new().shd_type(ShdType::Clear).fill(MISSING_FILL))
        .set_border(
            ParagraphBorder::new(ParagraphBorderPosition::Left)
                .val(BorderType::Single)
                .size(24)
                .color(WARN),
        )
        .set_border(
            ParagraphBorder::new(ParagraphBorderPosition::Top)
                .val(BorderType::Single)
                .size(4)
                .color(WARN),
        )
        .set_border(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(4)
                .color(WARN),
        )
        .set_border(
            ParagraphBorder::new(ParagraphBorderPosition::Right)
                .val(BorderType::Single)
                .size(4)
                .color(WARN),
        )
        .keep_lines(true);
    let mut note = Style::new("Note", StyleType::Paragraph)
        .name("注記")
        .based_on("Normal")
        .fonts(gothic())
        .size(18);
    note.paragraph_property = note.paragraph_property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Top)
                .val(BorderType::Single)
                .size(4)
                .color(ACCENT),
        ),
    );
    vec![
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .fonts(mincho())
            .size(21)
            .line_spacing(
                LineSpacing::new()
                    .after(120)
                    .line_rule(LineSpacingType::Auto)
                    .line(300),
            ),
        heading(1, 32),
        heading(2, 26),
        heading(3, 23),
        caption,
        Style::new("TOC", StyleType::Paragraph)
            .name("目次項目")
            .based_on("Normal")
            .line_spacing(LineSpacing::new().after(40)),
        Style::new("TableText", StyleType::Paragraph)
            .name("表の本文")
            .based_on("Normal")
            .fonts(gothic())
            .size(18)
            .line_spacing(
                LineSpacing::new()
                    .after(0)
                    .line_rule(LineSpacingType::Auto)
                    .line(260),
            ),
        Style::new("TableHeading", StyleType::Paragraph)
            .name("表の見出し")
            .based_on("TableText"),
        missing,
        note,
        Style::new("Title", StyleType::Paragraph)
            .name("Title")
            .based_on("Normal")
            .fonts(gothic())
            .size(48)
            .color(ACCENT)
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(2400).after(480)),
        Style::new("Subtitle", StyleType::Paragraph)
            .name("Subtitle")
            .based_on("Normal")
            .fonts(gothic())
            .size(36)
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(480)),
        Style::new("Strong", StyleType::Character)
            .name("Strong")
            .fonts(gothic()),
        Style::new("MissingChar", StyleType::Character)
            .name("未記入（文字）")
            .fonts(gothic())
            .color(WARN),
    ]
}

/// `N / M` centred at the foot of every page (Word's PAGE and NUMPAGES fields).
pub fn footer() -> Footer {
    Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_page_num(PageNum::new())
            .add_run(Run::new().add_text(" / ").size(17))
            .add_num_pages(NumPages::new()),
    )
}

/// Single spacing (an image's line must not clip it).
pub fn single() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Auto)
        .line(240)
        .after(120)
}
