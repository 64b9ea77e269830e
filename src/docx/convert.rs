//! Typst's HTML tree → Word objects (docx-rs). Headings become Word's built-in
//! heading styles, tables real tables (header rows marked to repeat), drawn
//! frames PNG images, the ledger's `section.landscape` a landscape section.
//! Every word comes from the tree: nothing here writes the plan's sentences.

use std::collections::HashMap;

use docx_rs::{
    AlignmentType, BreakType, FieldCharType, InstrPAGEREF, InstrText, PageOrientationType,
    Paragraph, Pic, Run, SectionProperty, Shading, ShdType, Table, TableCell, TableLayoutType,
    TableRow, VMergeType, WidthType,
};
use typst_html::{HtmlElement, HtmlNode};
use unicode_width::UnicodeWidthChar as _;

use super::chart;
use super::style::{self, Page};

pub enum Item {
    P(Paragraph),
    T(Table),
}

#[derive(Clone, Copy, Default)]
struct Fmt {
    strong: bool,
    mark: bool,
    missing: bool,
    em: bool,
}

pub struct Converter {
    pub items: Vec<Item>,
    page: Page,
    /// Heading id (`loc-3`) → Word bookmark name, so links and PAGEREF
    /// fields find them.
    bookmarks: HashMap<String, (usize, String)>,
    images: usize,
    /// Every frame's PNG, drawn beforehand (in parallel), in document order.
    pngs: std::collections::VecDeque<chart::Png>,
    /// The charts' words, for the readers' checks.
    pub chart_texts: Vec<String>,
}

/// The drawn frames of the tree, in document order.
fn frames<'a>(e: &'a HtmlElement, out: &mut Vec<&'a typst::layout::Frame>) {
    for n in &e.children {
        match n {
            HtmlNode::Frame(f) => out.push(&f.inner),
            HtmlNode::Element(c) => frames(c, out),
            _ => {}
        }
    }
}

fn tag(e: &HtmlElement) -> String {
    e.tag.resolve().to_string()
}

fn attr(e: &HtmlElement, name: &str) -> Option<String> {
    e.attrs
        .0
        .iter()
        .find(|(k, _)| k.resolve().as_str() == name)
        .map(|(_, v)| v.to_string())
}

fn is_block(t: &str) -> bool {
    matches!(
        t,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "figure"
            | "figcaption"
            | "table"
            | "ul"
            | "ol"
            | "li"
            | "nav"
            | "section"
            | "blockquote"
            | "hr"
            | "pre"
            | "body"
    )
}

/// XML 1.0 cannot hold most C0 controls: they are dropped (the PDF prints
/// nothing for them either). Everything else is kept as it is.
fn xml_safe(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

impl Converter {
    pub fn new(root: &HtmlElement) -> anyhow::Result<Self> {
        let mut found = Vec::new();
        frames(root, &mut found);
        let pngs = std::thread::scope(|s| {
            let jobs: Vec<_> = found.iter().map(|f| s.spawn(|| chart::png(f))).collect();
            jobs.into_iter()
                .map(|j| {
                    j.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("図を画像にできません")))
                })
                .collect::<anyhow::Result<_>>()
        })?;
        let mut c = Self {
            items: Vec::new(),
            page: Page::Portrait,
            bookmarks: HashMap::new(),
            images: 0,
            pngs,
            chart_texts: Vec::new(),
        };
        c.collect_ids(root);
        Ok(c)
    }

    /// Every heading with an id gets a bookmark, numbered in document order.
    fn collect_ids(&mut self, e: &HtmlElement) {
        for n in &e.children {
            if let HtmlNode::Element(child) = n {
                let t = tag(child);
                if t.len() == 2
                    && t.starts_with('h')
                    && let Some(id) = attr(child, "id")
                {
                    let n = self.bookmarks.len() + 1;
                    self.bookmarks.insert(id, (n, format!("_Ref_h{n}")));
                }
                self.collect_ids(child);
            }
        }
    }

    pub fn body(&mut self, root: &HtmlElement) -> anyhow::Result<()> {
        let body = root
            .children
            .iter()
            .find_map(|n| match n {
                HtmlNode::Element(e) if tag(e) == "body" => Some(e),
                _ => None,
            })
            .unwrap_or(root);
        let items = self.blocks(&body.children, None)?;
        self.items.extend(items);
        Ok(())
    }

    /// Block-level content; loose inline content gathers into paragraphs made
    /// by `para` (so a list item's text keeps its marker and indent).
    fn blocks(
        &mut self,
        nodes: &[HtmlNode],
        para: Option<&dyn Fn() -> Paragraph>,
    ) -> anyhow::Result<Vec<Item>> {
        let new_para = || para.map_or_else(Paragraph::new, |f| f());
        let mut out = Vec::new();
        let mut pending: Option<Paragraph> = None;
        for n in nodes {
            match n {
                HtmlNode::Element(e) if is_block(&tag(e)) => {
                    if let Some(p) = pending.take() {
                        out.push(Item::P(p));
                    }
                    out.extend(self.block(e)?);
                }
                HtmlNode::Frame(f) => {
                    if let Some(p) = pending.take() {
                        out.push(Item::P(p));
                    }
                    let run = self.image(&f.inner)?;
                    out.push(Item::P(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .keep_next(true)
                            .line_spacing(style::single())
                            .add_run(run),
                    ));
                }
                HtmlNode::Tag(_) => {}
                HtmlNode::Text(t, _) if pending.is_none() && t.trim().is_empty() => {}
                _ => {
                    let p = pending.take().unwrap_or_else(new_para);
                    pending = Some(self.inline(std::slice::from_ref(n), Fmt::default(), p)?);
                }
            }
        }
        if let Some(p) = pending {
            out.push(Item::P(p));
        }
        Ok(out)
    }

    fn block(&mut self, e: &HtmlElement) -> anyhow::Result<Vec<Item>> {
        let t = tag(e);
        Ok(match t.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                // Typst's level 1 is <h2> (<h1> is the document's title).
                let level = (t.as_bytes()[1] - b'0').saturating_sub(1).clamp(1, 3);
                let mut p = Paragraph::new().style(&format!("Heading{level}"));
                let mark = attr(e, "id").and_then(|id| self.bookmarks.get(&id).cloned());
                if let Some((n, name)) = &mark {
                    p = p.add_bookmark_start(*n, name.clone());
                }
                p = self.inline(&e.children, Fmt::default(), p)?;
                if let Some((n, _)) = mark {
                    p = p.add_bookmark_end(n);
                }
                vec![Item::P(p)]
            }
            "p" => vec![Item::P(self.inline(
                &e.children,
                Fmt::default(),
                Paragraph::new(),
            )?)],
            "figcaption" => vec![Item::P(self.inline(
                &e.children,
                Fmt::default(),
                Paragraph::new().style("Caption"),
            )?)],
            "div" if attr(e, "class").as_deref() == Some("missing") => {
                let p = Paragraph::new().style("Missing");
                vec![Item::P(self.inline(
                    &e.children,
                    Fmt {
                        missing: true,
                        ..Fmt::default()
                    },
                    p,
                )?)]
            }
            "div"
                if attr(e, "class")
                    .is_some_and(|c| style::CLASSES.iter().any(|(k, _)| *k == c)) =>
            {
                let class = attr(e, "class").unwrap_or_default();
                let (_, id) = style::CLASSES.iter().find(|(k, _)| *k == class).unwrap();
                let p = Paragraph::new().style(id);
                vec![Item::P(self.inline(&e.children, Fmt::default(), p)?)]
            }
            "table" => vec![Item::T(self.table(e)?)],
            "ul" | "ol" => self.list(e, 0)?,
            "nav" => self.outline(e)?,
            "section" if attr(e, "class").as_deref() == Some("landscape") => {
                let mut out = vec![Item::P(self.section_break(self.page))];
                let before = self.page;
                self.page = Page::Landscape;
                out.extend(self.blocks(&e.children, None)?);
                out.push(Item::P(self.section_break(Page::Landscape)));
                self.page = before;
                out
            }
            "hr" => vec![],
            _ => self.blocks(&e.children, None)?,
        })
    }

    /// An empty paragraph ending the section before it (Word keeps a
    /// section's page setup in its last paragraph).
    fn section_break(&self, page: Page) -> Paragraph {
        let (w, h, orient) = match page {
            Page::Portrait => (style::A4_W, style::A4_H, PageOrientationType::Portrait),
            Page::Landscape => (style::A4_H, style::A4_W, PageOrientationType::Landscape),
        };
        Paragraph::new().section_property(
            SectionProperty::new()
                .page_size(docx_rs::PageSize::new().size(w, h).orient(orient))
                .page_margin(style::margin()),
        )
    }

    /// Lists with their markers written out (・ and 1. / I. as the PDF shows).
    fn list(&mut self, e: &HtmlElement, depth: usize) -> anyhow::Result<Vec<Item>> {
        let ordered = tag(e) == "ol";
        let roman = attr(e, "type").as_deref() == Some("I");
        let start: usize = attr(e, "start").and_then(|s| s.parse().ok()).unwrap_or(1);
        let mut out = Vec::new();
        let mut i = start;
        for n in &e.children {
            let HtmlNode::Element(li) = n else { continue };
            if tag(li) != "li" {
                continue;
            }
            let marker = if !ordered {
                "・".to_string()
            } else if roman {
                format!("{}. ", roman_numeral(i))
            } else {
                format!("{i}. ")
            };
            i += 1;
            let indent = 420 * (depth as i32 + 1);
            let first = std::cell::Cell::new(true);
            let make = || {
                let p = Paragraph::new().indent(
                    Some(indent),
                    Some(docx_rs::SpecialIndentType::Hanging(420)),
                    None,
                    None,
                );
                if first.replace(false) {
                    p.add_run(Run::new().add_text(marker.clone()))
                } else {
                    p
                }
            };
            let mut children = Vec::new();
            let mut inner = Vec::new();
            for c in &li.children {
                match c {
                    HtmlNode::Element(sub) if matches!(tag(sub).as_str(), "ul" | "ol") => {
                        inner.push(sub)
                    }
                    _ => children.push(c.clone()),
                }
            }
            out.extend(self.blocks(&children, Some(&make))?);
            if first.get() {
                out.push(Item::P(make()));
            }
            for sub in inner {
                out.extend(self.list(sub, depth + 1)?);
            }
        }
        Ok(out)
    }

    /// The 目次: each entry's words and a PAGEREF to its heading.
    fn outline(&mut self, e: &HtmlElement) -> anyhow::Result<Vec<Item>> {
        let mut out = Vec::new();
        self.outline_entries(e, 0, &mut out)?;
        Ok(out)
    }

    fn outline_entries(
        &mut self,
        e: &HtmlElement,
        depth: i32,
        out: &mut Vec<Item>,
    ) -> anyhow::Result<()> {
        for n in &e.children {
            let HtmlNode::Element(c) = n else { continue };
            match tag(c).as_str() {
                "ol" | "ul" => self.outline_entries(c, depth + 1, out)?,
                "li" => {
                    for n in &c.children {
                        let HtmlNode::Element(x) = n else { continue };
                        match tag(x).as_str() {
                            "ol" | "ul" => self.outline_entries(x, depth, out)?,
                            t => {
                                // The entry's words (its <div> unwrapped).
                                let words = if is_block(t) {
                                    x.children.to_vec()
                                } else {
                                    vec![n.clone()]
                                };
                                let p = Paragraph::new()
                                    .style("TOC")
                                    .indent(Some(420 * (depth - 1).max(0)), None, None, None)
                                    .add_tab(
                                        docx_rs::Tab::new()
                                            .val(docx_rs::TabValueType::Right)
                                            .leader(docx_rs::TabLeaderType::Dot)
                                            .pos(style::text_width(Page::Portrait) as usize),
                                    );
                                out.push(Item::P(self.inline(&words, Fmt::default(), p)?));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn inline(
        &mut self,
        nodes: &[HtmlNode],
        fmt: Fmt,
        mut p: Paragraph,
    ) -> anyhow::Result<Paragraph> {
        for n in nodes {
            match n {
                HtmlNode::Text(t, _) => {
                    p = text_runs(p, t, fmt);
                }
                HtmlNode::Tag(_) => {}
                HtmlNode::Frame(f) => {
                    let run = self.image(&f.inner)?;
                    p = p.add_run(run);
                }
                HtmlNode::Element(e) => {
                    let t = tag(e);
                    match t.as_str() {
                        "br" => p = p.add_run(Run::new().add_break(BreakType::TextWrapping)),
                        "strong" | "b" => {
                            p = self.inline(
                                &e.children,
                                Fmt {
                                    strong: true,
                                    ..fmt
                                },
                                p,
                            )?
                        }
                        "em" | "i" => p = self.inline(&e.children, Fmt { em: true, ..fmt }, p)?,
                        "mark" => p = self.inline(&e.children, Fmt { mark: true, ..fmt }, p)?,
                        "span" if attr(e, "class").as_deref() == Some("missing") => {
                            p = self.inline(
                                &e.children,
                                Fmt {
                                    missing: true,
                                    ..fmt
                                },
                                p,
                            )?
                        }
                        "a" => {
                            let target = attr(e, "href")
                                .and_then(|h| h.strip_prefix('#').map(str::to_string))
                                .and_then(|id| self.bookmarks.get(&id).cloned());
                            p = self.inline(&e.children, fmt, p)?;
                            if let Some((_, name)) = target {
                                let toc = self.in_toc(&p);
                                p = page_ref(p, &name, fmt, toc);
                            }
                        }
                        _ if is_block(&t) => {
                            // A block inside a paragraph (a list in a cell): its
                            // words on their own line.
                            p = p.add_run(Run::new().add_break(BreakType::TextWrapping));
                            p = self.inline(&e.children, fmt, p)?;
                        }
                        _ => p = self.inline(&e.children, fmt, p)?,
                    }
                }
            }
        }
        Ok(p)
    }

    fn in_toc(&self, p: &Paragraph) -> bool {
        p.property.style.as_ref().is_some_and(|s| s.val == "TOC")
    }

    fn image(&mut self, frame: &typst::layout::Frame) -> anyhow::Result<Run> {
        let png = self.pngs.pop_front().expect("every frame drawn beforehand");
        self.chart_texts.push(chart::text(frame));
        self.images += 1;
        // Scaled to the text width at most, never up.
        let max = style::text_width(self.page) as f64 / 20.0;
        let scale = (max / png.width_pt).min(1.0);
        let emu = |pt: f64| (pt * scale * 12700.0).round() as u32;
        let pic = Pic::new_with_dimensions(png.bytes, 1, 1)
            .id(format!("rIdChart{}", self.images))
            .size(emu(png.width_pt), emu(png.height_pt));
        Ok(Run::new().add_image(pic))
    }

    fn table(&mut self, e: &HtmlElement) -> anyhow::Result<Table> {
        // Rows in order, each flagged if it is a header row (<thead>).
        let mut rows: Vec<(bool, &HtmlElement)> = Vec::new();
        fn gather<'a>(e: &'a HtmlElement, header: bool, rows: &mut Vec<(bool, &'a HtmlElement)>) {
            for n in &e.children {
                if let HtmlNode::Element(c) = n {
                    match tag(c).as_str() {
                        "tr" => rows.push((header, c)),
                        "thead" => gather(c, true, rows),
                        "tbody" | "tfoot" => gather(c, false, rows),
                        _ => {}
                    }
                }
            }
        }
        gather(e, false, &mut rows);
        // Lay the cells on a grid: rowspans occupy the rows below.
        struct Placed<'a> {
            col: usize,
            span: usize,
            rows: usize,
            cell: &'a HtmlElement,
        }
        let mut grid: Vec<Vec<Placed>> = Vec::new();
        let mut taken: HashMap<(usize, usize), ()> = HashMap::new();
        let mut ncols = 0;
        for (r, (_, tr)) in rows.iter().enumerate() {
            let mut col = 0;
            let mut placed = Vec::new();
            for n in &tr.children {
                let HtmlNode::Element(cell) = n else { continue };
                if !matches!(tag(cell).as_str(), "td" | "th") {
                    continue;
                }
                while taken.contains_key(&(r, col)) {
                    col += 1;
                }
                let span = attr(cell, "colspan")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1usize)
                    .max(1);
                let down = attr(cell, "rowspan")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1usize)
                    .max(1);
                for dr in 0..down {
                    for dc in 0..span {
                        taken.insert((r + dr, col + dc), ());
                    }
                }
                placed.push(Placed {
                    col,
                    span,
                    rows: down,
                    cell,
                });
                col += span;
            }
            ncols = ncols.max(col);
            grid.push(placed);
        }
        // Column widths as a browser's automatic table layout: each column
        // at least as wide as its widest unbreakable value (a date, an IP
        // address, a code), the rest of the width shared by what the longer
        // values need beyond that; if even those do not fit, as Typst's
        // `auto` columns (the narrow keep theirs, the wide share the rest).
        let mut natural = vec![0usize; ncols.max(1)];
        // What should not break: short values whole (soft), else the pieces
        // Word could only break badly (hard).
        let mut soft = vec![0usize; ncols.max(1)];
        let mut hard = vec![0usize; ncols.max(1)];
        for placed in &grid {
            for p in placed {
                if p.span == 1 {
                    let text = plain(&p.cell.children);
                    let widest = |f: fn(&str) -> usize| {
                        text.lines().map(f).max().unwrap_or(0).min(38_000) + CELL_MARGINS
                    };
                    natural[p.col] = natural[p.col].max(widest(line_twips).max(190 + CELL_MARGINS));
                    soft[p.col] = soft[p.col].max(widest(short_twips));
                    hard[p.col] = hard[p.col].max(widest(atomic_twips));
                }
            }
        }
        let widths = fit_columns(
            &natural,
            &[&soft, &hard],
            style::text_width(self.page) as usize,
        );
        let total: usize = widths.iter().sum();
        // Continuations of rowspans become vMerge cells.
        let mut merges: std::collections::BTreeMap<(usize, usize), usize> =
            std::collections::BTreeMap::new();
        let mut out_rows = Vec::new();
        for (r, placed) in grid.iter().enumerate() {
            let header = rows[r].0;
            let mut cells: Vec<(usize, TableCell)> = Vec::new();
            for p in placed {
                let mut cell = TableCell::new()
                    .width(widths[p.col..p.col + p.span].iter().sum(), WidthType::Dxa);
                if p.span > 1 {
                    cell = cell.grid_span(p.span);
                }
                if p.rows > 1 {
                    cell = cell.vertical_merge(VMergeType::Restart);
                    for dr in 1..p.rows {
                        merges.insert((r + dr, p.col), p.span);
                    }
                }
                if header {
                    cell = cell.shading(
                        Shading::new()
                            .shd_type(ShdType::Clear)
                            .fill(style::HEAD_FILL),
                    );
                }
                let items = self.blocks(&p.cell.children, None)?;
                let fmt_strong = tag(p.cell) == "th";
                let mut any = false;
                for item in items {
                    any = true;
                    cell = match item {
                        Item::P(para) => cell.add_paragraph(if fmt_strong {
                            para.style("TableHeading")
                        } else {
                            para.style("TableText")
                        }),
                        Item::T(t) => cell.add_table(t),
                    };
                }
                if !any {
                    cell = cell.add_paragraph(Paragraph::new().style("TableText"));
                }
                cells.push((p.col, cell));
            }
            for (&(mr, mc), &span) in &merges {
                if mr == r {
                    let mut cell = TableCell::new()
                        .width(widths[mc..mc + span].iter().sum(), WidthType::Dxa)
                        .vertical_merge(VMergeType::Continue)
                        .add_paragraph(Paragraph::new().style("TableText"));
                    if span > 1 {
                        cell = cell.grid_span(span);
                    }
                    cells.push((mc, cell));
                }
            }
            cells.sort_by_key(|(c, _)| *c);
            let mut row = TableRow::new(cells.into_iter().map(|(_, c)| c).collect());
            if header {
                // Marked so the header repeats on every page (see style::repeat_headers).
                row = row.cant_split();
            }
            out_rows.push(row);
        }
        Ok(Table::new(out_rows)
            .set_grid(widths)
            .layout(TableLayoutType::Fixed)
            .width(total, WidthType::Dxa))
    }
}

/// Table text: 9 pt (the TableText style), in twips.
const TABLE_EM: f64 = 9.0 * 20.0;
/// A cell's left and right margins together (Word's default 0.19 cm each, and a little).
const CELL_MARGINS: usize = 260;

/// One line of table text, in twips: IPAex Gothic's advances (a character it
/// lacks: 1 em if wide, else 0.6 em), plus the quarter em Word adds between
/// Japanese and Latin letters or digits (its default 日本語と英字・数字の間隔の
/// 自動調整), and 3 % for the font Word substitutes where IPAex is missing.
fn line_twips(line: &str) -> usize {
    let mut em = 0.0;
    let mut prev: Option<char> = None;
    for c in line.chars() {
        em += crate::fonts::gothic_advance(c).unwrap_or(if c.width().unwrap_or(1) > 1 {
            1.0
        } else {
            0.6
        });
        if let Some(p) = prev
            && ((is_japanese(p) && c.is_ascii_alphanumeric())
                || (p.is_ascii_alphanumeric() && is_japanese(c)))
        {
            em += 0.25;
        }
        prev = Some(c);
    }
    (em * TABLE_EM * 1.03).ceil() as usize
}

fn is_japanese(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// A short value (a name, a place, a date) whole; a longer one as [`atomic_twips`].
fn short_twips(line: &str) -> usize {
    let line = line.trim();
    if line.chars().count() <= 10 {
        line_twips(line)
    } else {
        atomic_twips(line)
    }
}

/// The widest piece of a line Word should not break: a run of Latin letters,
/// digits and signs (an IP address, an ISO date, a code) with the kanji or
/// kana it touches ("2026年11月16日", "第1.3版"). Word may break between two
/// kanji or kana and at spaces; those pieces are single characters or words.
fn atomic_twips(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let mut widest = 0;
    let mut start = 0;
    for i in 0..=chars.len() {
        let cut = i == chars.len()
            || chars[i].is_whitespace()
            || (i > start && is_japanese(chars[i - 1]) && is_japanese(chars[i]));
        if cut {
            let piece: String = chars[start..i].iter().collect();
            widest = widest.max(line_twips(piece.trim()));
            start = if i < chars.len() && chars[i].is_whitespace() {
                i + 1
            } else {
                i
            };
        }
    }
    widest
}

/// Natural widths fitted to `total`: all scaled up when they fit; else every
/// column gets its `least` (the first of `leasts` that fits), the columns
/// narrower than a fair share their natural width while that leaves the
/// others their least, and the rest share the room left in proportion to what
/// they need beyond their least; when no `least` fits, the narrow columns keep
/// their natural width and the wide ones share the rest in proportion.
fn fit_columns(natural: &[usize], leasts: &[&[usize]], total: usize) -> Vec<usize> {
    let sum: usize = natural.iter().sum();
    if sum <= total {
        return natural.iter().map(|w| w * total / sum.max(1)).collect();
    }
    for least in leasts {
        let least: Vec<usize> = least.iter().zip(natural).map(|(l, n)| *l.min(n)).collect();
        if least.iter().sum::<usize>() > total {
            continue;
        }
        // Narrowest first, a column narrower than a fair share takes its
        // natural width while the others can still have their least; the
        // rest share what is left.
        let mut width = least.clone();
        let mut order: Vec<usize> = (0..natural.len()).collect();
        order.sort_by_key(|&i| natural[i]);
        let mut open = vec![true; natural.len()];
        let fair = total / natural.len().max(1);
        for &i in order.iter().filter(|&&i| natural[i] <= fair) {
            if width.iter().sum::<usize>() - least[i] + natural[i] <= total {
                width[i] = natural[i];
                open[i] = false;
            }
        }
        let room = total - width.iter().sum::<usize>();
        let want: usize = (0..natural.len())
            .filter(|&i| open[i])
            .map(|i| natural[i] - least[i])
            .sum();
        for i in (0..natural.len()).filter(|&i| open[i]) {
            width[i] += (natural[i] - least[i]) * room / want.max(1);
        }
        return width;
    }
    let mut fixed = vec![false; natural.len()];
    loop {
        let room = total.saturating_sub(
            natural
                .iter()
                .zip(&fixed)
                .filter(|(_, f)| **f)
                .map(|(w, _)| w)
                .sum::<usize>(),
        );
        let open = fixed.iter().filter(|f| !**f).count().max(1);
        let share = room / open;
        let mut changed = false;
        for (i, w) in natural.iter().enumerate() {
            if !fixed[i] && *w <= share {
                fixed[i] = true;
                changed = true;
            }
        }
        if !changed {
            let wide: usize = natural
                .iter()
                .zip(&fixed)
                .filter(|(_, f)| !**f)
                .map(|(w, _)| w)
                .sum();
            return natural
                .iter()
                .zip(&fixed)
                .map(|(w, f)| if *f { *w } else { w * room / wide.max(1) })
                .collect();
        }
    }
}

/// The words of some nodes, for column widths.
fn plain(nodes: &[HtmlNode]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n {
            HtmlNode::Text(t, _) => s.push_str(t),
            HtmlNode::Element(e) => {
                if tag(e) == "br" {
                    s.push('\n');
                }
                s.push_str(&plain(&e.children));
            }
            _ => {}
        }
    }
    s
}

fn styled(mut run: Run, fmt: Fmt) -> Run {
    if fmt.strong {
        run = run.style("Strong");
    }
    if fmt.em {
        run = run.italic();
    }
    if fmt.missing {
        run = run.style("MissingChar");
    }
    if fmt.mark {
        run = run.highlight("yellow");
    }
    run
}

/// Text as runs: newlines become line breaks, tabs tabs; nothing is parsed.
fn text_runs(mut p: Paragraph, text: &str, fmt: Fmt) -> Paragraph {
    let clean: String = text.chars().filter(|&c| xml_safe(c) && c != '\r').collect();
    for (i, line) in clean.split('\n').enumerate() {
        if i > 0 {
            p = p.add_run(styled(Run::new().add_break(BreakType::TextWrapping), fmt));
        }
        for (j, part) in line.split('\t').enumerate() {
            if j > 0 {
                p = p.add_run(styled(Run::new().add_tab(), fmt));
            }
            if !part.is_empty() {
                p = p.add_run(styled(Run::new().add_text(part), fmt));
            }
        }
    }
    p
}

/// `（N頁）` after a section number, N a PAGEREF field Word fills in; in the
/// 目次, a dotted tab then the number.
fn page_ref(p: Paragraph, bookmark: &str, fmt: Fmt, toc: bool) -> Paragraph {
    let field = |p: Paragraph| {
        p.add_run(Run::new().add_field_char(FieldCharType::Begin, true))
            .add_run(
                Run::new()
                    .add_instr_text(InstrText::PAGEREF(InstrPAGEREF::new(bookmark).hyperlink())),
            )
            .add_run(Run::new().add_field_char(FieldCharType::Separate, false))
            .add_run(styled(Run::new().add_text("1"), fmt))
            .add_run(Run::new().add_field_char(FieldCharType::End, false))
    };
    if toc {
        field(p.add_run(Run::new().add_tab()))
    } else {
        field(p.add_run(styled(Run::new().add_text("（"), fmt)))
            .add_run(styled(Run::new().add_text("頁）"), fmt))
    }
}

fn roman_numeral(mut n: usize) -> String {
    let table = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in table {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_addresses_and_codes_are_one_piece_kanji_are_not() {
        let date = atomic_twips("2026年11月16日");
        assert_eq!(date, line_twips("2026年11月16日"));
        // The quarter em Word puts between kanji and digits is counted.
        assert!(line_twips("2026年11月16日") > line_twips("20261116") + line_twips("年月日"));
        assert_eq!(atomic_twips("192.168.11.101"), line_twips("192.168.11.101"));
        assert_eq!(atomic_twips("院長　桜井 一郎"), line_twips("院"));
        assert_eq!(
            short_twips("院長　桜井 一郎"),
            line_twips("院長　桜井 一郎")
        );
        assert_eq!(atomic_twips("Windows Server 2022"), line_twips("Windows"));
    }

    #[test]
    fn the_columns_that_must_not_break_keep_their_width_when_the_rest_wraps() {
        // A date, three long texts, an IP address, a two-character state: on
        // a narrow page, where an IP address is wider than a fair share.
        let long = "電子カルテの端末。".repeat(20);
        let rows = [
            ["2026-04-01", &long, &long, &long, "192.168.11.101", "稼働"],
            ["2025-12-31", "予備", "予備", "予備", "10.0.0.1", "停止"],
        ];
        let widest = |col: usize, f: fn(&str) -> usize| {
            rows.iter().map(|r| f(r[col]) + CELL_MARGINS).max().unwrap()
        };
        let natural: Vec<usize> = (0..6).map(|c| widest(c, line_twips)).collect();
        let soft: Vec<usize> = (0..6).map(|c| widest(c, short_twips)).collect();
        let hard: Vec<usize> = (0..6).map(|c| widest(c, atomic_twips)).collect();
        let total = 7000;
        assert!(natural[4] > total / 6, "{natural:?}");
        let widths = fit_columns(&natural, &[&soft, &hard], total);
        assert!(widths.iter().sum::<usize>() <= total, "{widths:?}");
        for c in [0, 4, 5] {
            assert_eq!(widths[c], natural[c], "column {c}: {widths:?} {natural:?}");
        }
        assert!(widths[1] < natural[1]);
        // Everything fits: all scaled up to the full width.
        let short = fit_columns(&[1000, 2000], &[&soft[..2], &hard[..2]], 6000);
        assert_eq!(short, vec![2000, 4000]);
    }
}
