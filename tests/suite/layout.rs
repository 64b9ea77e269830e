//! Pages a typesetter would sign off, checked on the laid-out document (the
//! frames Typst produces, before PDF):
//! - every heading and every table caption has the start of what follows it
//!   on the same page (keep-with-next);
//! - no table row crosses a page (rows are far shorter than a page here);
//! - no text run overlaps another, and nothing sticks out of the page.
//!
//! Run on the example, the fixtures, every kind's `init` starter, the
//! companion documents, and a seeded family of generated plans whose row
//! counts and text lengths put headings and captions at every height of a page.

use std::path::Path;

use cyberbcp::model::Kind;
use cyberbcp::pdf::{self, BcpWorld};
use cyberbcp::pipeline::{self, Prepared};
use cyberbcp::render::Templates;
use cyberbcp::render::companion::{COMPANIONS, Via};
use typst::layout::{Frame, FrameItem, Point, Transform};
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

struct Page {
    height: f64,
    runs: Vec<Run>,
    /// Top edges of images (diagrams) on the page.
    images: Vec<f64>,
}

fn laid_pages(doc: &PagedDocument) -> Vec<Page> {
    doc.pages()
        .iter()
        .map(|p| {
            let mut page = Page {
                height: p.frame.height().to_pt(),
                runs: Vec::new(),
                images: Vec::new(),
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
        .chain(overflows(&doc))
        .chain(split_rows(&pages, markers))
        .collect();
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

/// A small deterministic generator (no clock, no OS randomness).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn filler(rng: &mut Lcg, max_sentences: u64) -> String {
    const WORDS: [&str; 4] = [
        "担当業務の手順を確認する。",
        "必要に応じて委託先と連絡を取る。",
        "結果を記録し責任者に報告する。",
        "訓練で見直す。",
    ];
    (0..rng.below(max_sentences) + 1)
        .map(|i| WORDS[((i + rng.below(4)) % 4) as usize])
        .collect()
}

/// One generated plan: the example hospital with row counts and lengths drawn
/// from `seed`; returns the TOML and the row markers to check.
fn generated(seed: u64) -> (String, Vec<String>) {
    let mut rng = Lcg(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) + 1);
    let text = std::fs::read_to_string(example()).unwrap();
    let mut plan: toml::Table = text.parse().unwrap();
    let mut markers = Vec::new();
    let kind = ["hospital", "clinic", "pharmacy"][rng.below(3) as usize];
    plan["facility"]["kind"] = kind.into();

    let roles = plan["roles"].as_array_mut().unwrap();
    if rng.below(2) == 0 {
        // The security manager is also the CSIRT 窓口 (one node in the charts).
        let sm = roles[1]["assignee"].clone();
        roles[2]["assignee"] = sm;
    }
    for i in 0..rng.below(12) {
        let m = format!("R{seed:02}{i:02}");
        let mut role = toml::Table::new();
        role.insert("role".into(), format!("担当{i}").into());
        role.insert("assignee".into(), format!("部署{i}　担当者").into());
        role.insert(
            "duty".into(),
            format!("{m}a{}{m}z", filler(&mut rng, 10)).into(),
        );
        roles.push(role.into());
        markers.push(m);
    }

    let mut devices = toml::value::Array::new();
    for i in 0..rng.below(60) {
        let m = format!("D{seed:02}{i:02}");
        let mut d = toml::Table::new();
        d.insert("id".into(), format!("{m}a").into());
        d.insert("maker".into(), "A社".into());
        d.insert("os".into(), "Windows 11 Pro".into());
        d.insert("software".into(), filler(&mut rng, 3).into());
        d.insert(
            "ip".into(),
            format!("192.168.{}.{}", i % 250, i % 200 + 10).into(),
        );
        d.insert("location".into(), format!("{}階 病棟", i % 9 + 1).into());
        d.insert("status".into(), "稼働中".into());
        d.insert("note".into(), format!("{}{m}z", filler(&mut rng, 2)).into());
        devices.push(d.into());
        markers.push(m);
    }
    plan.insert("devices".into(), devices.into());
    if rng.below(3) == 0 {
        plan.remove("device_ledger");
    }

    let contacts = plan["contacts"].as_array_mut().unwrap();
    for i in 0..rng.below(30) {
        let m = format!("C{seed:02}{i:02}");
        let mut c = toml::Table::new();
        c.insert(
            "name".into(),
            format!("{m}a{}", "病棟".repeat(rng.below(6) as usize + 1)).into(),
        );
        c.insert("category".into(), "internal".into());
        c.insert("person".into(), "看護師長".into());
        c.insert("phone".into(), format!("内線 {}", 2000 + i).into());
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
    for i in 0..rng.below(16) {
        let m = format!("A{seed:02}{i:02}");
        let mut a = toml::Table::new();
        a.insert("business".into(), format!("{m}a業務{i}").into());
        a.insert(
            "systems".into(),
            vec![toml::Value::from(
                systems[i as usize % systems.len()].clone(),
            )]
            .into(),
        );
        a.insert("alternative".into(), filler(&mut rng, 6).into());
        a.insert("manual".into(), format!("停止時マニュアル{m}z").into());
        alternatives.push(a.into());
        markers.push(m);
    }

    let events: Vec<toml::Value> = (0..rng.below(8))
        .map(|_| filler(&mut rng, 3).into())
        .collect();
    plan["scope"]
        .as_table_mut()
        .unwrap()
        .insert("extra_events".into(), events.into());
    let notes: Vec<String> = (0..rng.below(6)).map(|_| filler(&mut rng, 8)).collect();
    plan["network"]
        .as_table_mut()
        .unwrap()
        .insert("description".into(), notes.join("\n\n").into());
    let plans: Vec<toml::Value> = (0..rng.below(10))
        .map(|_| filler(&mut rng, 2).into())
        .collect();
    plan["training"]
        .as_table_mut()
        .unwrap()
        .insert("plans".into(), plans.into());
    (toml::to_string(&plan).unwrap(), markers)
}

#[test]
fn a_generated_family_of_plans_is_typeset_cleanly() {
    let like = example();
    let mut problems = Vec::new();
    let mut rows = 0;
    for seed in 0..16 {
        let (text, markers) = generated(seed);
        rows += markers.len();
        let prepared = pipeline::prepare_str(&like, &text, like.parent().unwrap_or(Path::new(".")))
            .unwrap_or_else(|e| panic!("seed {seed}: {e}: {:?}", e.diagnostics));
        problems.extend(check_plan(&format!("seed {seed}"), &prepared, &markers));
    }
    assert!(rows > 200, "the family has {rows} marked rows");
    assert_clean(problems);
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
/// unbroken ASCII run, except the keys whose value is a choice or a file.
fn asciify(value: &mut toml::Value) {
    const CHOICES: [&str; 5] = ["designation", "category", "importance", "kind", "file"];
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
    let like = example();
    let text = toml::to_string(&plan).unwrap();
    let prepared = pipeline::prepare_str(&like, &text, like.parent().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    let templates = Templates::builtin();
    let rendered = prepared.render(&templates).unwrap();
    let doc = lay_out(&rendered, &prepared);
    let pages = laid_pages(&doc);
    assert!(
        page_texts(&pages)
            .concat()
            .contains("HOSPITALINFORMATIONSYSTEMMANAGER"),
        "the runs are printed"
    );
    assert_clean(check_plan("ascii", &prepared, &[]));
}
