//! Pages a typesetter would sign off, checked on the laid-out document (the
//! frames Typst produces, before PDF):
//! - every heading and every table caption has the start of what follows it
//!   on the same page (keep-with-next);
//! - no table row crosses a page (rows are far shorter than a page here);
//! - no text run overlaps another, and nothing sticks out of the page;
//! - drawn boxes (chart nodes, poster steps, filled cells) never overlap one
//!   another, text never crosses a box's edge, and no line is drawn through text;
//! - a date in a table cell stays on one line ("2026年11月16日", not "…16" / "日");
//! - no space follows a full-width 。、） (the mark carries its own).
//!
//! Run on the example, the fixtures, every kind's `init` starter, the
//! companion documents, and a property-generated family of plans (proptest)
//! whose row counts, text lengths and optional sections put headings and
//! captions at every height of a page; a failure shrinks to a minimal plan.

use std::path::Path;

use cyberbcp::model::Kind;
use cyberbcp::pdf::{self, BcpWorld};
use cyberbcp::pipeline::{self, Prepared};
use cyberbcp::render::Templates;
use cyberbcp::render::companion::{COMPANIONS, Via};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::visualize::Geometry;
use typst_layout::PagedDocument;

use crate::common::layout::overflows;
use crate::common::*;

/// One shaped text run: page (0-based), baseline start, width, font size (pt).
#[derive(Debug, Clone)]
struct Run {
    x: f64,
    y: f64,
    w: f64,
    size: f64,
    text: String,
}

/// An axis-aligned rectangle on the page (pt).
#[derive(Debug, Clone, Copy)]
struct Area {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Area {
    fn of(a: Point, b: Point) -> Area {
        let (ax, ay, bx, by) = (a.x.to_pt(), a.y.to_pt(), b.x.to_pt(), b.y.to_pt());
        Area {
            x0: ax.min(bx),
            y0: ay.min(by),
            x1: ax.max(bx),
            y1: ay.max(by),
        }
    }

    /// The glyph body of a text run: baseline − 0.75 em to baseline + 0.12 em.
    fn of_run(r: &Run) -> Area {
        Area {
            x0: r.x,
            y0: r.y - 0.75 * r.size,
            x1: r.x + r.w,
            y1: r.y + 0.12 * r.size,
        }
    }

    /// Width and height of the common part (negative: apart).
    fn meet(&self, o: &Area) -> (f64, f64) {
        (
            self.x1.min(o.x1) - self.x0.max(o.x0),
            self.y1.min(o.y1) - self.y0.max(o.y0),
        )
    }

    fn contains(&self, o: &Area, tolerance: f64) -> bool {
        o.x0 >= self.x0 - tolerance
            && o.y0 >= self.y0 - tolerance
            && o.x1 <= self.x1 + tolerance
            && o.y1 <= self.y1 + tolerance
    }

    /// Whether the segment from (ax, ay) to (bx, by) passes through the
    /// inside of this area (Liang–Barsky clipping).
    fn cut_by(&self, (ax, ay): (f64, f64), (bx, by): (f64, f64)) -> bool {
        let (dx, dy) = (bx - ax, by - ay);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, ax - self.x0),
            (dx, self.x1 - ax),
            (-dy, ay - self.y0),
            (dy, self.y1 - ay),
        ] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 < t1
    }
}

struct Page {
    height: f64,
    runs: Vec<Run>,
    /// Top edges of images (diagrams) on the page.
    images: Vec<f64>,
    /// Filled or stroked rectangles and closed shapes at least 2 pt each way.
    boxes: Vec<Area>,
    /// Lines (and rules thinner than 2 pt) as segments.
    lines: Vec<((f64, f64), (f64, f64))>,
}

fn laid_pages(doc: &PagedDocument) -> Vec<Page> {
    doc.pages()
        .iter()
        .map(|p| {
            let mut page = Page {
                height: p.frame.height().to_pt(),
                runs: Vec::new(),
                images: Vec::new(),
                boxes: Vec::new(),
                lines: Vec::new(),
            };
            walk(&p.frame, Transform::identity(), &mut page);
            page
        })
        .collect()
}

fn walk(frame: &Frame, ts: Transform, page: &mut Page) {
    for (pos, item) in frame.items() {
        let at = ts.pre_concat(Transform::translate(pos.x, pos.y));
        match item {
            FrameItem::Group(group) => walk(&group.frame, at.pre_concat(group.transform), page),
            FrameItem::Text(text) => {
                let start = Point::zero().transform(at);
                page.runs.push(Run {
                    x: start.x.to_pt(),
                    y: start.y.to_pt(),
                    // A scaled group (a chart shrunk to fit its page) scales its runs.
                    w: text.width().to_pt() * at.sx.get(),
                    size: text.size.to_pt() * at.sy.get(),
                    text: text.text.to_string(),
                });
            }
            FrameItem::Image(..) => page.images.push(Point::zero().transform(at).y.to_pt()),
            FrameItem::Shape(shape, _) => {
                if let Geometry::Line(to) = shape.geometry {
                    let (a, b) = (Point::zero().transform(at), to.transform(at));
                    page.lines
                        .push(((a.x.to_pt(), a.y.to_pt()), (b.x.to_pt(), b.y.to_pt())));
                    continue;
                }
                let bb = shape.bbox(false);
                let area = Area::of(bb.min.transform(at), bb.max.transform(at));
                let (w, h) = (area.x1 - area.x0, area.y1 - area.y0);
                if w >= 2.0 && h >= 2.0 {
                    page.boxes.push(area);
                } else if w >= h {
                    let y = (area.y0 + area.y1) / 2.0;
                    page.lines.push(((area.x0, y), (area.x1, y)));
                } else {
                    let x = (area.x0 + area.x1) / 2.0;
                    page.lines.push(((x, area.y0), (x, area.y1)));
                }
            }
            _ => {}
        }
    }
}

/// The plan's bottom margin (22 mm): below it is the footer.
const BOTTOM_MARGIN: f64 = 62.36;

/// Headings and table captions that end their page: the block they introduce
/// starts overleaf.
fn stranded(doc: &PagedDocument, pages: &[Page]) -> Vec<String> {
    let introspector = doc.introspector();
    let mut found = Vec::new();
    for elem in introspector.elements().all() {
        let name = elem.elem().name();
        if name != "heading" && name != "caption" {
            continue;
        }
        let Some(pos) = elem.location().and_then(|l| introspector.position(l)) else {
            continue;
        };
        let (mut n, mut y) = (pos.page.get() - 1, pos.point.y.to_pt());
        let own = |n: usize, y: f64| {
            let bottom = pages[n].height - BOTTOM_MARGIN;
            pages[n]
                .runs
                .iter()
                .filter(|r| r.y >= y - 1.0 && r.y < bottom)
                .min_by(|a, b| a.y.total_cmp(&b.y))
                .cloned()
        };
        // A chapter heading breaks the page first: its position may be the
        // foot of the previous page, its text the top of the next.
        let mut line = own(n, y);
        if line.is_none() && n + 1 < pages.len() {
            (n, y) = (n + 1, 0.0);
            line = own(n, y);
        }
        let Some(line) = line else { continue };
        if name == "caption" && !line.text.starts_with('表') {
            continue; // a figure's caption is below its image: nothing to keep with
        }
        let bottom = pages[n].height - BOTTOM_MARGIN;
        let next = pages[n]
            .runs
            .iter()
            .any(|r| r.y > line.y + 2.0 && r.y < bottom)
            || pages[n].images.iter().any(|&top| top > line.y);
        if !next {
            found.push(format!(
                "page {}: {name} {:?} ends the page",
                n + 1,
                line.text
            ));
        }
    }
    found
}

/// Text runs drawn over each other (a value running into the next cell).
fn overlaps(pages: &[Page]) -> Vec<String> {
    let mut found = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let mut runs: Vec<&Run> = page.runs.iter().filter(|r| r.w > 0.0).collect();
        runs.sort_by(|a, b| a.y.total_cmp(&b.y));
        for (i, a) in runs.iter().enumerate() {
            for b in &runs[i + 1..] {
                // Sorted by baseline: past one line's height nothing can touch.
                if b.y - a.y > a.size.max(b.size) {
                    break;
                }
                let top = |r: &Run| r.y - 0.75 * r.size;
                let bottom = |r: &Run| r.y + 0.12 * r.size;
                let dy = bottom(a).min(bottom(b)) - top(a).max(top(b));
                let dx = (a.x + a.w).min(b.x + b.w) - a.x.max(b.x);
                if dy > 0.3 && dx > 0.5 {
                    found.push(format!(
                        "page {}: {:?} overlaps {:?} by {dx:.1}×{dy:.1} pt",
                        n + 1,
                        a.text,
                        b.text
                    ));
                }
            }
        }
    }
    found
}

/// Drawn boxes and lines: two boxes that overlap without one holding the
/// other (nodes drawn over each other), text that crosses a box's edge (a
/// value running out of its node or cell), a line drawn through text (an
/// arrow or a rule over a word).
fn box_problems(pages: &[Page]) -> Vec<String> {
    let mut found = Vec::new();
    for (n, page) in pages.iter().enumerate() {
        let n = n + 1;
        for (i, a) in page.boxes.iter().enumerate() {
            for b in &page.boxes[i + 1..] {
                let (w, h) = a.meet(b);
                if w > 1.0 && h > 1.0 && !a.contains(b, 1.0) && !b.contains(a, 1.0) {
                    found.push(format!(
                        "page {n}: box at ({:.0}, {:.0}) overlaps box at ({:.0}, {:.0}) by {w:.1}×{h:.1} pt",
                        a.x0, a.y0, b.x0, b.y0
                    ));
                }
            }
        }
        for r in page
            .runs
            .iter()
            .filter(|r| r.w > 0.0 && !r.text.trim().is_empty())
        {
            let t = Area::of_run(r);
            for b in &page.boxes {
                let (w, h) = t.meet(b);
                if w > 0.5 && h > 0.5 && !b.contains(&t, 1.0) {
                    found.push(format!(
                        "page {n}: text {:?} crosses the edge of the box at ({:.0}, {:.0})–({:.0}, {:.0})",
                        r.text, b.x0, b.y0, b.x1, b.y1
                    ));
                }
            }
            // The glyphs' core, a little inside the run: a rule along a cell
            // edge may touch the outermost pixels, never the letters.
            let core = Area {
                x0: t.x0 + 0.5,
                y0: r.y - 0.68 * r.size,
                x1: t.x1 - 0.5,
                y1: r.y + 0.02 * r.size,
            };
            if core.x1 <= core.x0 {
                continue;
            }
            for &(a, b) in &page.lines {
                // An underline or strike-through is as long as its run.
                let decoration = (a.1 - b.1).abs() < 0.01
                    && a.0.min(b.0) >= t.x0 - 1.0
                    && a.0.max(b.0) <= t.x1 + 1.0;
                if !decoration && core.cut_by(a, b) {
                    found.push(format!(
                        "page {n}: a line ({:.0}, {:.0})–({:.0}, {:.0}) is drawn through {:?}",
                        a.0, a.1, b.0, b.1, r.text
                    ));
                }
            }
        }
    }
    found
}

/// Pieces of text on one baseline that touch: a cell's line, a label.
fn segments(page: &Page) -> Vec<Run> {
    let mut runs: Vec<&Run> = page.runs.iter().collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<Run> = Vec::new();
    for r in runs {
        match out.last_mut() {
            Some(s) if (r.y - s.y).abs() < 0.5 && (r.x - (s.x + s.w)).abs() < 1.0 => {
                s.w = r.x + r.w - s.x;
                s.text.push_str(&r.text);
            }
            _ => out.push(r.clone()),
        }
    }
    out
}

/// A space after a full-width 。、）… inside one run of text: a gap the mark
/// does not need (two sentences joined by a template, a line break in the
/// plan's text).
fn spaced_marks(pages: &[Page]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        for r in &page.runs {
            let chars: Vec<char> = r.text.chars().collect();
            for w in chars.windows(3) {
                if "、。，．）」』】〕〉》］｝".contains(w[0])
                    && w[1] == ' '
                    && !w[2].is_whitespace()
                {
                    found.push(format!(
                        "page {}: a space after \"{}\" in \"{}\"",
                        i + 1,
                        w[0],
                        r.text
                    ));
                }
            }
        }
    }
    found
}

/// A date alone on its line ("2026年11月16") whose rest ("日") starts the
/// line below at the same left edge: a date column too narrow for its dates.
fn broken_dates(pages: &[Page]) -> Vec<String> {
    let head = regex::Regex::new(r"^\d{4}年\d{1,2}(月\d{0,2})?$").unwrap();
    let tail = regex::Regex::new(r"^\d*[月日]").unwrap();
    let mut found = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let segs = segments(page);
        for s in segs.iter().filter(|s| head.is_match(s.text.trim())) {
            let below = segs.iter().any(|b| {
                (b.x - s.x).abs() < 1.0
                    && b.y > s.y + 0.5
                    && b.y < s.y + 2.0 * s.size
                    && tail.is_match(b.text.trim())
            });
            if below {
                found.push(format!(
                    "page {}: a date breaks after \"{}\"",
                    i + 1,
                    s.text.trim()
                ));
            }
        }
    }
    found
}

fn page_texts(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .map(|p| squash(&p.runs.iter().map(|r| r.text.as_str()).collect::<String>()))
        .collect()
}

/// Rows marked `<m>a` … `<m>z` (first and last cell): some page holds both.
fn split_rows(pages: &[Page], markers: &[String]) -> Vec<String> {
    let texts = page_texts(pages);
    markers
        .iter()
        .filter(|m| {
            !texts
                .iter()
                .any(|t| t.contains(&format!("{m}a")) && t.contains(&format!("{m}z")))
        })
        .map(|m| format!("row {m} is split across pages (or missing)"))
        .collect()
}

fn lay_out(rendered: &cyberbcp::render::Rendered, prepared: &Prepared) -> PagedDocument {
    let world = BcpWorld::new(rendered, prepared.date());
    pdf::compile(&world).unwrap_or_else(|e| panic!("{e}")).0
}

/// Every check on the plan and its companion documents; returns the problems.
fn check_plan(label: &str, prepared: &Prepared, markers: &[String]) -> Vec<String> {
    let templates = Templates::builtin();
    let rendered = prepared.render(&templates).unwrap();
    let doc = lay_out(&rendered, prepared);
    let pages = laid_pages(&doc);
    let mut problems: Vec<String> = stranded(&doc, &pages)
        .into_iter()
        .chain(overlaps(&pages))
        .chain(box_problems(&pages))
        .chain(overflows(&doc))
        .chain(split_rows(&pages, markers))
        .chain(broken_dates(&pages))
        .chain(spaced_marks(&pages))
        .collect();
    HEIGHTS.with(|h| h.borrow_mut().extend(heights(&doc, &pages)));
    for which in COMPANIONS
        .iter()
        .filter(|c| matches!(c.via, Via::Pdf { .. }))
    {
        let r = prepared
            .render_companion(&rendered, &templates, which)
            .unwrap();
        let doc = lay_out(&r, prepared);
        let pages = laid_pages(&doc);
        problems.extend(
            overlaps(&pages)
                .into_iter()
                .chain(box_problems(&pages))
                .chain(broken_dates(&pages))
                .chain(spaced_marks(&pages))
                .chain(overflows(&doc))
                .map(|p| format!("{}: {p}", which.name)),
        );
    }
    problems
        .into_iter()
        .map(|p| format!("{label}: {p}"))
        .collect()
}

fn assert_clean(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} layout problems:\n{}",
        problems.len(),
        problems[..problems.len().min(40)].join("\n")
    );
}

#[test]
fn the_example_and_the_fixtures_are_typeset_cleanly() {
    let mut problems = Vec::new();
    for path in [example(), fixture("clinic"), fixture("pharmacy")] {
        let prepared = pipeline::prepare_file(&path).unwrap();
        problems.extend(check_plan(&path.display().to_string(), &prepared, &[]));
    }
    assert_clean(problems);
}

#[test]
fn every_kinds_starter_is_typeset_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for kind in [Kind::Hospital, Kind::Clinic, Kind::Pharmacy] {
        let path = dir.path().join(format!("{}.toml", kind.as_str()));
        assert_cmd::Command::cargo_bin("cyberbcp")
            .unwrap()
            .args(["init", "--kind", kind.as_str()])
            .arg(&path)
            .assert()
            .success();
        let prepared = pipeline::prepare_file(&path).unwrap();
        problems.extend(check_plan(kind.as_str(), &prepared, &[]));
    }
    assert_clean(problems);
}

// Where headings and table captions landed in the plans checked so far, as a
// fraction of the page's text area (0 = top, 1 = foot). Per thread: each test
// runs on its own thread, so a test sees only its own plans.
thread_local! {
    static HEIGHTS: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The plan's top margin (25 mm).
const TOP_MARGIN: f64 = 70.87;

fn heights(doc: &PagedDocument, pages: &[Page]) -> Vec<f64> {
    let introspector = doc.introspector();
    introspector
        .elements()
        .all()
        .filter(|e| matches!(e.elem().name(), "heading" | "caption"))
        .filter_map(|e| e.location().and_then(|l| introspector.position(l)))
        .map(|pos| {
            let height = pages[pos.page.get() - 1].height;
            (pos.point.y.to_pt() - TOP_MARGIN) / (height - TOP_MARGIN - BOTTOM_MARGIN)
        })
        .collect()
}

const WORDS: [&str; 5] = [
    "担当業務の手順を確認する。",
    "必要に応じて委託先と連絡を取る。",
    "結果を記録し責任者に報告する。",
    "訓練で見直す。",
    "Windows Server 2019 の更新プログラムを適用する。",
];
const LONG_CJK: &str = "医療情報システム部門連携端末管理台帳";

/// Free text: sentences, a long run of kanji with no punctuation, or a long
/// unbroken ASCII token (a host name, a licence key).
fn prose(max_sentences: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prose_sentences(max_sentences),
        1 => (10usize..=160).prop_map(|n| LONG_CJK.chars().cycle().take(n).collect::<String>()),
        1 => "[A-Za-z0-9]{24,90}",
    ]
}

/// Free text for the twelve-column device ledger: tokens up to 20 characters
/// (in a table cell, runs over 12 get break points).
fn ledger_prose(max_sentences: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prose_sentences(max_sentences),
        1 => (10usize..=160).prop_map(|n| LONG_CJK.chars().cycle().take(n).collect::<String>()),
        1 => "[A-Za-z0-9]{4,20}( [A-Za-z0-9]{4,20}){0,6}",
    ]
}

fn prose_sentences(max_sentences: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0..WORDS.len(), 1..=max_sentences)
        .prop_map(|ix| ix.into_iter().map(|i| WORDS[i]).collect::<String>())
}

fn hours() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "24時間",
        "平日 8時30分〜17時15分",
        "平日 8時30分〜17時15分（夜間は 090-0000-2100）",
        "24時間（夜間は当直師長、休日は日直 内線 1999）",
    ])
    .prop_map(str::to_string)
}

fn night() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "当直事務（内線 1999）",
        "当直事務（内線 1999）→ システム係の当番携帯 090-0000-2101",
        "当直事務（内線 1999）→ システム係の当番携帯 090-0000-2101 → 不在時は保守センター（0120-000-456、24時間）",
    ])
    .prop_map(str::to_string)
}

/// The variable parts of a generated plan. Every list shrinks towards empty
/// and every text towards one sentence, so a failure ends as a minimal plan.
#[derive(Debug, Clone)]
struct Shape {
    kind: usize,
    csirt_is_sm: bool,
    ledger: bool,
    csirt_hours: (String, String),
    roles: Vec<String>,
    devices: Vec<(String, String)>,
    contacts: Vec<(usize, String)>,
    alternatives: Vec<String>,
    events: Vec<String>,
    notes: Vec<String>,
    plans: Vec<String>,
}

fn shapes() -> impl Strategy<Value = Shape> {
    use prop::collection::vec;
    (
        (0..3usize, any::<bool>(), any::<bool>(), (hours(), night())),
        vec(prose(10), 0..12),
        vec((ledger_prose(3), ledger_prose(2)), 0..60),
        vec((1..8usize, hours()), 0..30),
        vec(prose(6), 0..16),
        vec(prose(3), 0..12),
        vec(prose(8), 0..6),
        vec(prose(2), 0..10),
    )
        .prop_map(
            |(
                (kind, csirt_is_sm, ledger, csirt_hours),
                roles,
                devices,
                contacts,
                alternatives,
                events,
                notes,
                plans,
            )| Shape {
                kind,
                csirt_is_sm,
                ledger,
                csirt_hours,
                roles,
                devices,
                contacts,
                alternatives,
                events,
                notes,
                plans,
            },
        )
}

/// One generated plan: the example hospital with `shape`'s rows and texts;
/// returns the TOML and the row markers to check. A marker is set off by
/// spaces so no break opportunity is ever inserted into it.
fn generated(shape: &Shape) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(example()).unwrap();
    let mut plan: toml::Table = text.parse().unwrap();
    let mut markers = Vec::new();
    plan["facility"]["kind"] = ["hospital", "clinic", "pharmacy"][shape.kind].into();

    let roles = plan["roles"].as_array_mut().unwrap();
    if shape.csirt_is_sm {
        // The security manager is also the CSIRT 窓口 (one node in the charts).
        let sm = roles[1]["assignee"].clone();
        roles[2]["assignee"] = sm;
    }
    let csirt = roles[2].as_table_mut().unwrap();
    for (key, value) in [
        ("hours", &shape.csirt_hours.0),
        ("night", &shape.csirt_hours.1),
    ] {
        csirt.remove(key);
        if !value.is_empty() {
            csirt.insert(key.into(), value.as_str().into());
        }
    }
    for (i, duty) in shape.roles.iter().enumerate() {
        let m = format!("R{i:02}");
        let mut role = toml::Table::new();
        role.insert("role".into(), format!("担当{i}").into());
        role.insert("assignee".into(), format!("部署{i}　担当者").into());
        role.insert("duty".into(), format!("{m}a {duty} {m}z").into());
        roles.push(role.into());
        markers.push(m);
    }

    let mut devices = toml::value::Array::new();
    for (i, (software, note)) in shape.devices.iter().enumerate() {
        let m = format!("D{i:02}");
        let mut d = toml::Table::new();
        d.insert("id".into(), format!("{m}a").into());
        d.insert("maker".into(), "A社".into());
        d.insert("os".into(), "Windows 11 Pro".into());
        d.insert("software".into(), software.as_str().into());
        d.insert(
            "ip".into(),
            format!("192.168.{}.{}", i % 250, i % 200 + 10).into(),
        );
        d.insert("location".into(), format!("{}階 病棟", i % 9 + 1).into());
        d.insert("status".into(), "稼働中".into());
        d.insert("note".into(), format!("{note} {m}z").into());
        devices.push(d.into());
        markers.push(m);
    }
    plan.insert("devices".into(), devices.into());
    if !shape.ledger {
        plan.remove("device_ledger");
    }

    let contacts = plan["contacts"].as_array_mut().unwrap();
    for (i, (wards, hours)) in shape.contacts.iter().enumerate() {
        let m = format!("C{i:02}");
        let mut c = toml::Table::new();
        c.insert(
            "name".into(),
            format!("{m}a {}", "病棟".repeat(*wards)).into(),
        );
        c.insert("category".into(), "internal".into());
        c.insert("person".into(), "看護師長".into());
        c.insert("phone".into(), format!("内線 {}", 2000 + i).into());
        if !hours.is_empty() {
            c.insert("hours".into(), hours.as_str().into());
        }
        c.insert("email".into(), format!("ward{i}.{m}z@example.jp").into());
        contacts.push(c.into());
        markers.push(m);
    }

    let systems: Vec<String> = plan["systems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    let alternatives = plan["alternatives"].as_array_mut().unwrap();
    for (i, alternative) in shape.alternatives.iter().enumerate() {
        let m = format!("A{i:02}");
        let mut a = toml::Table::new();
        a.insert("business".into(), format!("{m}a 業務{i}").into());
        a.insert(
            "systems".into(),
            vec![toml::Value::from(systems[i % systems.len()].clone())].into(),
        );
        a.insert("alternative".into(), alternative.as_str().into());
        a.insert("manual".into(), format!("停止時マニュアル {m}z").into());
        alternatives.push(a.into());
        markers.push(m);
    }

    let events: Vec<toml::Value> = shape.events.iter().map(|e| e.as_str().into()).collect();
    plan["scope"]
        .as_table_mut()
        .unwrap()
        .insert("extra_events".into(), events.into());
    let network = plan["network"].as_table_mut().unwrap();
    if shape.notes.is_empty() {
        network.remove("description");
    } else {
        network.insert("description".into(), shape.notes.join("\n\n").into());
    }
    let plans: Vec<toml::Value> = shape.plans.iter().map(|p| p.as_str().into()).collect();
    plan["training"]
        .as_table_mut()
        .unwrap()
        .insert("plans".into(), plans.into());
    (toml::to_string(&plan).unwrap(), markers)
}

/// Cases per run: 16 by default (each lays out a plan and its companions, a
/// few seconds); `PROPTEST_CASES=200` for a deep run.
fn family_config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    Config {
        cases,
        max_shrink_iters: 48,
        failure_persistence: None,
        ..Config::default()
    }
}

#[test]
fn a_generated_family_of_plans_is_typeset_cleanly() {
    let like = example();
    let mut runner = TestRunner::new(family_config());
    let result = runner.run(&shapes(), |shape| {
        let (text, markers) = generated(&shape);
        let prepared = pipeline::prepare_str(&like, &text, like.parent().unwrap_or(Path::new(".")))
            .map_err(|e| TestCaseError::fail(format!("{e}: {:?}", e.diagnostics)))?;
        let problems = check_plan("generated plan", &prepared, &markers);
        if problems.is_empty() {
            Ok(())
        } else {
            let shown = problems[..problems.len().min(20)].join("\n");
            Err(TestCaseError::fail(format!(
                "{} layout problems:\n{shown}",
                problems.len()
            )))
        }
    });
    if let Err(e) = result {
        match e {
            TestError::Fail(why, shape) => panic!(
                "{why}\n\nminimal plan ({shape:?}):\n{}",
                generated(&shape).0
            ),
            TestError::Abort(why) => panic!("{why}"),
        }
    }
    // The family put headings and captions at every height of a page: each
    // tenth of the text area holds some.
    let heights = HEIGHTS.with(|h| h.borrow().clone());
    let empty: Vec<usize> = (0..10)
        .filter(|&b| {
            !heights
                .iter()
                .any(|&h| h >= b as f64 / 10.0 && h < (b + 1) as f64 / 10.0)
        })
        .collect();
    assert!(
        empty.is_empty(),
        "no heading or caption in tenths {empty:?} of a page"
    );
}

/// The checks themselves fail on a bad page: a heading at the foot of a page,
/// a split row and an overprinted cell are all reported.
#[test]
fn the_checks_catch_a_stranded_heading_a_split_row_and_an_overlap() {
    let source = r#"
#set page(height: 200pt, width: 200pt, margin: (bottom: 62.36pt, rest: 10pt))
#set text(size: 10pt)
#show heading: set block(sticky: false)
#v(75pt)
#block(height: 10pt)[]
= 見出し
#v(20pt)
本文
#pagebreak()
#table(columns: (40pt, 40pt), [Xa 長い], [行の終わり Xz])
#place(top + left, dx: 0pt, dy: 20pt)[重なる文字]
#place(top + left, dx: 4pt, dy: 21pt)[重なる文字]
"#;
    let doc = compile_raw(source);
    let pages = laid_pages(&doc);
    let found = stranded(&doc, &pages);
    assert!(
        found.iter().any(|s| s.contains("heading")),
        "stranded heading found: {found:?}"
    );
    assert!(!overlaps(&pages).is_empty(), "overlap found");
    assert!(split_rows(&pages, &["Q".to_string()]).len() == 1);
    assert!(split_rows(&pages, &["X".to_string()]).is_empty());
}

/// Lay out a bare Typst source with the plan's fonts (for the self-test).
fn compile_raw(source: &str) -> PagedDocument {
    let rendered = cyberbcp::render::Rendered {
        main: source.to_string(),
        ..pipeline::prepare_file(&fixture("clinic"))
            .unwrap()
            .render(&Templates::builtin())
            .unwrap()
    };
    let world = BcpWorld::new(&rendered, cyberbcp::model::Date::new(2025, 1, 1).unwrap());
    pdf::compile(&world).unwrap_or_else(|e| panic!("{e}")).0
}

/// The text between two landmarks of the plan.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(&squash(from)).unwrap_or_else(|| panic!("{from}"));
    let end = start
        + text[start..]
            .find(&squash(to))
            .unwrap_or_else(|| panic!("{to}"));
    &text[start..end]
}

/// A night number whose text says "（夜間・休日）" itself is labelled once.
#[test]
fn a_night_number_is_labelled_once() {
    let path = fixture("names-and-roles");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("night = \"院長の携帯 090-0000-1111（夜間・休日）\""));
    let b = build_text(&text, &path);
    assert!(
        b.text.contains("夜間・休日：院長の携帯090-0000-1111"),
        "{}",
        b.text
    );
    assert!(
        !b.text.contains("090-0000-1111（夜間・休日）"),
        "{}",
        b.text
    );
}

#[test]
fn one_node_per_person_and_one_row_per_vendor() {
    let path = example();
    let original = std::fs::read_to_string(&path).unwrap();
    let mut plan: toml::Table = original.parse().unwrap();
    // The CSIRT 窓口 is the security manager himself.
    let sm = plan["roles"][1]["assignee"].clone();
    plan["roles"][2]["assignee"] = sm.clone();
    let b = build_text(&toml::to_string(&plan).unwrap(), &path);
    let chart = between(&b.text, "発見者（院内の全職員）", "連絡体制図");
    let node = between(
        chart,
        "医療情報システム安全管理責任者（CSIRT 窓口）",
        "経営層（最高責任者）",
    );
    assert_eq!(
        node.matches(&squash(sm.as_str().unwrap())).count(),
        1,
        "{node}"
    );
    assert!(
        !chart.contains("CSIRT："),
        "no second line for the same person: {chart}"
    );
    let org = between(
        &b.text,
        "担当部署、担当者、役割についても示す。",
        "平時の組織体制図",
    );
    assert_eq!(
        org.matches(&squash(sm.as_str().unwrap())).count(),
        1,
        "{org}"
    );
    // A role named as its box is not said twice in the box.
    assert_eq!(
        org.matches("医療情報システム安全管理責任者").count(),
        1,
        "{org}"
    );

    // さくらメディカルシステムズ maintains two systems: one row in 表12, both systems in it.
    let table = between(
        &b.text,
        "医療システム・サービス事業者連絡先一覧",
        "3.2 システム異常の検知",
    );
    assert_eq!(
        table.matches("さくらメディカルシステムズ株式会社").count(),
        1,
        "{table}"
    );
    assert!(
        table.contains("電子カルテシステム、オーダリングシステム"),
        "{table}"
    );
}

/// The same checks fail on drawn boxes and lines gone wrong: two nodes drawn
/// over each other, a value running out of its box, a line through a word;
/// a chart drawn with the plan's own node and arrow passes.
#[test]
fn the_box_checks_catch_overlapping_boxes_text_out_of_its_box_and_a_line_through_text() {
    let bad = r#"
#set page(width: 300pt, height: 300pt, margin: 10pt)
#place(dx: 0pt, dy: 0pt, rect(width: 60pt, height: 40pt, stroke: 1pt))
#place(dx: 30pt, dy: 20pt, rect(width: 60pt, height: 40pt, stroke: 1pt))
#place(dx: 0pt, dy: 100pt, box(width: 40pt, height: 20pt, stroke: 1pt, inset: 2pt)[ABCDEFGHIJKLMNOPQRSTUV])
#place(dx: 0pt, dy: 160pt)[線が文字を横切る]
#place(dx: 0pt, dy: 160pt, line(start: (20pt, 0pt), end: (20pt, 20pt)))
"#;
    let found = box_problems(&laid_pages(&compile_raw(bad)));
    for what in ["overlaps box", "crosses the edge", "is drawn through"] {
        assert!(
            found.iter().any(|p| p.contains(what)),
            "{what} not reported: {found:?}"
        );
    }
    let good = r#"
#import "lib.typ": *
#set text(font: mincho, size: 10pt)
#node([部門責任者], lines: ([医療情報管理室（高橋 健）　☎ 内線 2100],))
#arrow-down()
#arrow-split(2)
#grid(columns: (1fr, 1fr), column-gutter: 12pt, node([外部関係機関], lines: ([警察],)), node([事業者], lines: ([保守センター],)))
#table(columns: 2, fill: (_, y) => if y == 0 { luma(230) }, [見出し], [値], [セル], [内線 2100])
"#;
    let found = box_problems(&laid_pages(&compile_raw(good)));
    assert!(found.is_empty(), "{found:?}");
}

/// The lines of a page: runs on one baseline, left to right.
fn lines_of(page: &Page) -> Vec<String> {
    let mut runs: Vec<&Run> = page.runs.iter().collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<(f64, String)> = Vec::new();
    for r in runs {
        match lines.last_mut() {
            Some((y, text)) if (r.y - *y).abs() < 0.5 => text.push_str(&r.text),
            _ => lines.push((r.y, r.text.clone())),
        }
    }
    lines.into_iter().map(|(_, t)| squash(&t)).collect()
}

/// Hours that carry their own night number print with one bracket pair, the
/// label stays with its hours, and a route breaks after "→", never inside a
/// number or between a phone's owner and its number (the example's CSIRT
/// night route, 医療情報管理室's hours) on the chart and on the poster.
#[test]
fn hours_and_night_routes_read_cleanly_on_the_chart_and_the_poster() {
    let prepared = pipeline::prepare_file(&example()).unwrap();
    let templates = Templates::builtin();
    let rendered = prepared.render(&templates).unwrap();
    let pages = laid_pages(&lay_out(&rendered, &prepared));
    let text = page_texts(&pages).concat();
    let chart = between(&text, "発見者（院内の全職員）", "連絡体制図");
    assert!(
        !chart.contains("））") && !chart.contains("）（"),
        "{chart}"
    );
    assert!(
        chart.contains(&squash(
            "受付：平日 8時30分〜17時15分（夜間は 090-0000-2100）"
        )),
        "{chart}"
    );
    let poster = COMPANIONS.iter().find(|c| c.name == "poster").unwrap();
    let r = prepared
        .render_companion(&rendered, &templates, poster)
        .unwrap();
    let poster_pages = laid_pages(&lay_out(&r, &prepared));
    for lines in [
        pages.iter().flat_map(lines_of).collect::<Vec<_>>(),
        poster_pages.iter().flat_map(lines_of).collect(),
    ] {
        let route = lines
            .iter()
            .filter(|l| l.contains("当直事務") || l.contains("当番携帯"))
            .cloned()
            .collect::<Vec<_>>();
        assert!(
            route
                .iter()
                .any(|l| l.contains("システム係の当番携帯090-0000-2101")),
            "{route:?}"
        );
        assert!(
            route
                .iter()
                .all(|l| !l.ends_with("受付：") && !l.ends_with('（')),
            "{route:?}"
        );
        assert!(
            lines.iter().all(|l| !l.ends_with("受付：")),
            "a label ends a line"
        );
    }
}

/// A long unbroken ASCII value in place of `original`: the same original gives
/// the same value, so names that other tables refer to still match.
fn ascii_run(original: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in original.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("HOSPITALINFORMATIONSYSTEMMANAGER{h:016X}")
}

/// Every string of every table row (and the lists in it) becomes a long
/// unbroken ASCII run, except the keys whose value is a choice, a file or a
/// duration (目標復旧時間, refused unless it reads as one).
fn asciify(value: &mut toml::Value) {
    const CHOICES: [&str; 6] = [
        "designation",
        "category",
        "importance",
        "kind",
        "file",
        "recovery_target",
    ];
    match value {
        toml::Value::String(s) => *s = ascii_run(s),
        toml::Value::Array(items) => items.iter_mut().for_each(asciify),
        toml::Value::Table(t) => {
            for (key, v) in t.iter_mut() {
                if !CHOICES.contains(&key.as_str()) {
                    asciify(v);
                }
            }
        }
        _ => {}
    }
}

/// 表3 with a role named `HOSPITALINFORMATIONSYSTEMMANAGER…`, and every other
/// table with such a run in every column: each wraps inside its cell, never
/// over the next column or off the page (issue 10, item 19).
#[test]
fn long_unbroken_ascii_in_every_column_stays_in_its_cell() {
    let text = std::fs::read_to_string(example()).unwrap();
    let mut plan: toml::Table = text.parse().unwrap();
    for (name, value) in plan.iter_mut() {
        if value
            .as_array()
            .is_some_and(|a| a.iter().all(toml::Value::is_table))
        {
            asciify(value);
        }
        if name == "contacts" || name == "roles" {
            // Phones stay phone-like (a warning otherwise), e-mail too.
            for row in value.as_array_mut().unwrap() {
                let row = row.as_table_mut().unwrap();
                if row.contains_key("phone") {
                    row.insert(
                        "phone".into(),
                        "045-000-1200/045-000-1201/045-000-1202".into(),
                    );
                }
                if row.contains_key("email") {
                    row.insert(
                        "email".into(),
                        "iryoujouhoukanrishitsu.takahashi@sakuradaibyouin.example".into(),
                    );
                }
            }
        }
    }
    // The ledger's columns too, inline.
    plan.remove("device_ledger");
    let mut devices = toml::value::Array::new();
    for i in 0..3 {
        let mut d = toml::Table::new();
        for key in [
            "id", "maker", "os", "software", "location", "status", "note",
        ] {
            d.insert(key.into(), ascii_run(&format!("{key}{i}")).into());
        }
        d.insert("ip".into(), format!("192.168.100.{}", 10 + i).into());
        devices.push(d.into());
    }
    plan.insert("devices".into(), devices.into());
    let (prepared, printed) = typeset_beside_example(&plan);
    assert!(
        printed.contains("HOSPITALINFORMATIONSYSTEMMANAGER"),
        "the runs are printed"
    );
    assert_clean(check_plan("ascii", &prepared, &[]));
}

/// Tokens of 13 to 20 characters (a host name, a build number, a product
/// name) fill every column of the twelve-column ledger: each wraps in its
/// cell, as body text's threshold (over 20) would leave them whole and
/// overprint the next column.
#[test]
fn ledger_tokens_of_thirteen_to_twenty_characters_stay_in_their_cells() {
    let text = std::fs::read_to_string(example()).unwrap();
    let mut plan: toml::Table = text.parse().unwrap();
    plan.remove("device_ledger");
    let mut devices = toml::value::Array::new();
    for i in 0..8usize {
        let token = |stem: &str| {
            let t = format!("{stem}{}", "X".repeat(20));
            t[..13 + i].to_string()
        };
        let mut d = toml::Table::new();
        for (key, stem) in [
            ("id", "PC-RADIOLOGY-0"),
            ("maker", "FUJITSULIMITED"),
            ("os", "Windows11Enterprise"),
            ("software", "RadiologyViewerPro"),
            ("version", "10.0.22631.4602"),
            ("hostname", "RADIOLOGYVIEWER"),
            ("location", "RadiologyRoom2F"),
            ("users", "RadiologyStaff01"),
            ("status", "InOperationNow"),
            ("note", "ViewerWorkstation01"),
        ] {
            d.insert(key.into(), token(stem).into());
        }
        d.insert("ip".into(), format!("192.168.100.{}", 100 + i).into());
        devices.push(d.into());
    }
    plan.insert("devices".into(), devices.into());
    let (prepared, printed) = typeset_beside_example(&plan);
    assert!(
        printed.contains("RadiologyViewerPro"),
        "the tokens are printed, whole in the text layer"
    );
    assert_clean(check_plan("ledger-tokens", &prepared, &[]));
}

/// A variant of the example (read beside it, so its ledger and diagram are
/// found), laid out: the prepared plan and the text of its pages.
fn typeset_beside_example(plan: &toml::Table) -> (Prepared, String) {
    let like = example();
    let text = toml::to_string(plan).unwrap();
    let prepared = pipeline::prepare_str(&like, &text, like.parent().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    let rendered = prepared.render(&Templates::builtin()).unwrap();
    let doc = lay_out(&rendered, &prepared);
    let printed = page_texts(&laid_pages(&doc)).concat();
    (prepared, printed)
}

/// The scale plan's 5,000-row ledger (issue 24): its column widths are
/// estimated from the values, never measured by Typst, so this proves the
/// estimate holds: no cell's text runs over the next, out of its cell or off
/// the page, on any of the ledger's pages.
#[test]
fn the_five_thousand_row_ledger_has_no_overprinted_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate::common::scale::write_scale_facility(dir.path(), 5000, 0);
    let prepared = pipeline::prepare_file(&path).unwrap();
    let rendered = prepared.render(&Templates::builtin()).unwrap();
    let doc = lay_out(&rendered, &prepared);
    let pages = laid_pages(&doc);
    let ledger = page_texts(&pages)
        .iter()
        .filter(|t| t.contains("PC-0"))
        .count();
    assert!(ledger > 40, "{ledger} ledger pages");
    let mut problems: Vec<String> = overlaps(&pages);
    problems.extend(box_problems(&pages));
    problems.extend(overflows(&doc));
    assert_clean(problems);
}
