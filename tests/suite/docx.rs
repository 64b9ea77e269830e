//! `build --format docx`: the Word file read back with an independent reader
//! (the zip crate and quick-xml over word/document.xml, not docx-rs):
//! headings in ひな形 order with Word's heading styles, real tables with
//! repeating header rows, every contact phone, the PDF's sentences, user
//! text literal, the public copy's redaction, byte-identical rebuilds, and
//! LibreOffice opening it.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use assert_cmd::prelude::*;
use cyberbcp::model::Date;
use cyberbcp::pdf::BcpWorld;
use cyberbcp::pipeline::{self, Prepared};
use cyberbcp::render::Templates;
use quick_xml::events::Event;

use crate::common::*;

/// One block of the document body, in order.
#[derive(Debug)]
enum Block {
    Para { style: String, text: String },
    Table(Vec<Row>),
}

#[derive(Debug)]
struct Row {
    header: bool,
    cells: Vec<String>,
}

struct Docx {
    parts: Vec<(String, Vec<u8>)>,
    blocks: Vec<Block>,
}

impl Docx {
    fn part(&self, name: &str) -> &[u8] {
        &self.parts.iter().find(|(n, _)| n == name).unwrap().1
    }

    /// All the body's words in order (table cells row by row), whitespace removed.
    fn text(&self) -> String {
        let mut s = String::new();
        for b in &self.blocks {
            match b {
                Block::Para { text, .. } => s.push_str(text),
                Block::Table(rows) => {
                    for r in rows {
                        for c in &r.cells {
                            s.push_str(c);
                        }
                    }
                }
            }
        }
        squash(&s)
    }

    fn headings(&self) -> Vec<(u8, String)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Para { style, text } => style
                    .strip_prefix("Heading")
                    .and_then(|n| n.parse().ok())
                    .map(|n| (n, text.clone())),
                _ => None,
            })
            .collect()
    }

    fn tables(&self) -> Vec<&Vec<Row>> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(rows) => Some(rows),
                _ => None,
            })
            .collect()
    }
}

/// Unzip and parse word/document.xml: paragraphs (style and text; `w:br`
/// is a newline) and top-level tables (rows, header flag, cell texts).
fn read(bytes: &[u8]) -> Docx {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("the .docx is a zip");
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        parts.push((f.name().unwrap().to_string(), data));
    }
    let xml = parts
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .expect("word/document.xml")
        .1
        .clone();
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut blocks = Vec::new();
    let (mut depth, mut in_t) = (0usize, false);
    let (mut para, mut style) = (String::new(), String::new());
    let mut rows: Vec<Row> = Vec::new();
    let mut cell = String::new();
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .expect("document.xml parses");
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                match name.as_str() {
                    "w:tbl" => {
                        depth += 1;
                        if depth == 1 {
                            rows.clear();
                        }
                    }
                    "w:tr" if depth == 1 => rows.push(Row {
                        header: false,
                        cells: Vec::new(),
                    }),
                    "w:tblHeader" if depth == 1 => rows.last_mut().unwrap().header = true,
                    "w:tc" if depth == 1 => cell.clear(),
                    "w:p" if depth == 0 => {
                        para.clear();
                        style.clear();
                    }
                    "w:pStyle" if depth == 0 => {
                        style = e
                            .try_get_attribute("w:val")
                            .unwrap()
                            .map(|a| {
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                    .unwrap()
                                    .into_owned()
                            })
                            .unwrap_or_default();
                    }
                    "w:t" => in_t = true,
                    "w:br" => {
                        if depth == 0 {
                            para.push('\n')
                        } else {
                            cell.push('\n')
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_t => {
                let s = t.xml10_content().into_owned();
                if depth == 0 {
                    para.push_str(&s)
                } else {
                    cell.push_str(&s)
                }
            }
            Event::GeneralRef(r) if in_t => {
                let s = format!("&{};", r.into_inner());
                let s = quick_xml::escape::unescape(&s).unwrap().into_owned();
                if depth == 0 {
                    para.push_str(&s)
                } else {
                    cell.push_str(&s)
                }
            }
            Event::End(e) => match e.name().as_ref() {
                "w:t" => in_t = false,
                "w:p" if depth == 0 => blocks.push(Block::Para {
                    style: style.clone(),
                    text: para.clone(),
                }),
                "w:p" if depth >= 1 => cell.push('\n'),
                "w:tc" if depth == 1 => rows
                    .last_mut()
                    .unwrap()
                    .cells
                    .push(cell.trim_end().to_string()),
                "w:tbl" => {
                    depth -= 1;
                    if depth == 0 {
                        blocks.push(Block::Table(std::mem::take(&mut rows)));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Docx { parts, blocks }
}

/// The plan's .docx, made as `build --format docx` makes it.
fn docx_of(prepared: &Prepared, public: bool) -> cyberbcp::docx::Output {
    let templates = Templates::builtin();
    let rendered = if public {
        prepared
            .render_with(&templates, prepared.date(), true, None)
            .unwrap()
    } else {
        prepared.render(&templates).unwrap()
    };
    let world = BcpWorld::for_word(&rendered, prepared.date());
    cyberbcp::docx::docx(&world, prepared.date()).unwrap()
}

fn example_docx() -> (Prepared, cyberbcp::docx::Output, Docx) {
    let prepared = pipeline::prepare_file(&example()).unwrap();
    let out = docx_of(&prepared, false);
    let doc = read(&out.bytes);
    (prepared, out, doc)
}

#[test]
fn headings_are_word_headings_in_hinagata_order() {
    let (_, _, doc) = example_docx();
    let headings = doc.headings();
    let mut at = 0;
    for want in SECTIONS {
        let found = headings[at..]
            .iter()
            .position(|(_, h)| squash(h) == squash(want))
            .unwrap_or_else(|| panic!("heading {want:?} missing or out of order in {headings:?}"));
        let (level, _) = headings[at + found];
        let dots = want.split(' ').next().unwrap().matches('.').count();
        let expect = if want.starts_with('第') {
            1
        } else {
            dots as u8 + 1
        };
        assert_eq!(level, expect, "{want:?} is Heading{level}");
        at += found + 1;
    }
    // The styles are Word's built-in headings (navigation pane, 目次).
    let styles = String::from_utf8(doc.part("word/styles.xml").to_vec()).unwrap();
    for n in 1..=3 {
        assert!(styles.contains(&format!("w:styleId=\"Heading{n}\"")));
        assert!(styles.contains(&format!("<w:name w:val=\"heading {n}\" />")));
    }
    assert!(
        styles.contains("w:eastAsia=\"IPAex明朝\""),
        "Japanese font named"
    );
}

#[test]
fn tables_are_real_tables_with_repeating_headers_and_every_row() {
    let (prepared, _, doc) = example_docx();
    let tables = doc.tables();
    assert!(tables.len() >= 10, "only {} tables", tables.len());
    for t in &tables {
        assert!(t.len() >= 2, "a table without rows: {t:?}");
    }
    let plan = &prepared.loaded.plan;
    // The ledger: a header row that repeats, then one row per device.
    let devices = &prepared.checked.devices;
    let ledger = tables
        .iter()
        .find(|t| t[0].cells.iter().any(|c| c.contains("管理番号")))
        .expect("the ledger table");
    assert!(
        ledger[0].header,
        "the ledger's header row repeats on each page"
    );
    assert_eq!(ledger.iter().filter(|r| !r.header).count(), devices.len());
    for d in devices {
        assert!(
            ledger
                .iter()
                .any(|r| r.cells.iter().any(|c| squash(c) == squash(&d.id))),
            "device {:?} has no row",
            d.id
        );
    }
    // 改訂履歴: one row per revision.
    let history = tables
        .iter()
        .find(|t| t[0].cells.iter().any(|c| c == "改訂内容"))
        .expect("the 改訂履歴 table");
    assert_eq!(history.len() - 1, plan.revisions.len());
    // The filled 確認表: 27 items with their marks and section references.
    let text = doc.text();
    assert!(
        text.contains(&squash("2.1.3（")),
        "a section reference with its page field"
    );
    let document = String::from_utf8(doc.part("word/document.xml").to_vec()).unwrap();
    assert!(
        document.contains("PAGEREF _Ref_h"),
        "page numbers are Word fields"
    );
}

#[test]
fn every_contact_phone_and_the_charts_are_there() {
    let (prepared, out, doc) = example_docx();
    let plan = &prepared.loaded.plan;
    let text = doc.text();
    let drawn = squash(&out.chart_texts.join(""));
    // Every contact's phone is in the words (3.1's table, 2.2.1…); a role's
    // phone in the words or on the 連絡体制図, as in the PDF.
    let phones: Vec<&String> = plan
        .contacts
        .iter()
        .filter_map(|c| c.phone.as_ref())
        .collect();
    assert!(phones.len() >= 5);
    for p in phones {
        assert!(text.contains(&squash(p)), "contact phone {p:?} missing");
    }
    for p in plan.roles.iter().filter_map(|r| r.phone.as_ref()) {
        assert!(
            text.contains(&squash(p)) || drawn.contains(&squash(p)),
            "role phone {p:?} missing"
        );
    }
    // 組織体制図, ネットワーク構成図, 連絡体制図: images drawn from the PDF's frames.
    assert_eq!(out.chart_texts.len(), 3);
    let media: Vec<_> = doc
        .parts
        .iter()
        .filter(|(n, _)| n.starts_with("word/media/"))
        .collect();
    assert_eq!(media.len(), 3);
    for (_, png) in media {
        assert!(png.starts_with(b"\x89PNG"));
    }
    let chart = squash(&out.chart_texts.join(""));
    let drawn = plan.roles.iter().find_map(|r| r.phone.clone()).unwrap();
    assert!(
        chart.contains(&squash(&drawn)),
        "the 連絡体制図 draws {drawn:?}"
    );
    // The ledger is a landscape section; the rest A4 portrait.
    let document = String::from_utf8(doc.part("word/document.xml").to_vec()).unwrap();
    assert!(document.contains("w:orient=\"landscape\""));
    assert!(document.contains("w:w=\"11906\" w:h=\"16838\""));
}

/// Every sentence of the PDF's body is in the .docx (its words, or the words
/// drawn in a chart image): one source for the words.
#[test]
fn every_sentence_of_the_pdf_is_in_the_docx() {
    for path in [example(), fixture("clinic"), fixture("pharmacy")] {
        let b = build_path(&path);
        let out = docx_of(&b.prepared, false);
        let doc = read(&out.bytes);
        let words = format!("{}{}", doc.text(), squash(&out.chart_texts.join("")));
        let mut checked = 0;
        // Without the running head (it interrupts a sentence across pages).
        let plan = &b.prepared.loaded.plan;
        let name: String = plan.facility.name.chars().take(40).collect();
        let version = plan
            .latest_revision()
            .map_or(String::new(), |r| format!("第{}版", r.version));
        let pdf = b.text.replace(
            &squash(&format!("{name}サイバー攻撃を想定したBCP{version}")),
            "",
        );
        for sentence in pdf.split('。') {
            let tail: String = {
                let chars: Vec<char> = sentence.chars().collect();
                chars[chars.len().saturating_sub(20)..].iter().collect()
            };
            // Page furniture (running head, page numbers, 頁 references) and
            // fragments too short to mean anything are not sentences.
            if tail.chars().count() < 12
                || tail.contains("ページ")
                || tail.contains("頁）")
                || tail.contains("サイバー攻撃を想定したBCP")
            {
                continue;
            }
            checked += 1;
            assert!(
                words.contains(&tail),
                "{path:?}: the PDF's sentence ending {tail:?} is not in the .docx"
            );
        }
        assert!(checked > 100, "{path:?}: only {checked} sentences checked");
    }
}

/// Characters XML cannot hold (C0 controls) and those the PDF cannot show
/// are left out of the comparison; everything else must be there as written.
fn visible(s: &str) -> String {
    squash(
        &s.chars()
            .filter(|c| !c.is_control() && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
            .collect::<String>(),
    )
}

#[test]
fn hostile_strings_come_out_literally() {
    let corpus =
        std::fs::read_to_string(root().join("tests/fixtures/hostile/strings.txt")).unwrap();
    let clinic = fixture("clinic");
    for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
        let toml = crate::literal::clinic_with(line);
        let prepared = pipeline::prepare_str(&clinic, &toml, clinic.parent().unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
        let doc = read(&docx_of(&prepared, false).bytes);
        let count = visible(&doc.text()).matches(&visible(line)).count();
        assert!(
            count >= 6,
            "{line:?} appears {count} times literally in the .docx"
        );
        assert_eq!(
            doc.headings().iter().filter(|(l, _)| *l == 1).count() >= 4,
            true
        );
    }
    // Newlines stay line breaks, never markup.
    let prepared = pipeline::prepare_str(
        &clinic,
        &crate::literal::clinic_with("一行目\n{{ t.self }}</w:t><w:t>&amp;"),
        clinic.parent().unwrap(),
    )
    .unwrap();
    let doc = read(&docx_of(&prepared, false).bytes);
    assert!(
        doc.text()
            .contains(&squash("一行目{{ t.self }}</w:t><w:t>&amp;"))
    );
    let para = doc.blocks.iter().find_map(|b| match b {
        Block::Para { text, .. } if text.contains("一行目") => Some(text.clone()),
        Block::Table(rows) => rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .find(|c| c.contains("一行目"))
            .cloned(),
        _ => None,
    });
    assert!(
        para.unwrap().contains("一行目\n{{"),
        "the newline is a line break"
    );
}

#[test]
fn the_public_copy_hides_everything_in_every_part_and_image() {
    for path in [example(), fixture("clinic")] {
        let prepared = pipeline::prepare_file(&path).unwrap();
        let secrets = crate::public::secrets_of(&prepared);
        assert!(secrets.len() >= 5);
        let internal = docx_of(&prepared, false);
        let internal_text = read(&internal.bytes).text();
        assert!(
            secrets.iter().any(|s| internal_text.contains(&squash(s))),
            "the check can fail"
        );
        let out = docx_of(&prepared, true);
        let doc = read(&out.bytes);
        let drawn = out.chart_texts.join("\n");
        for (name, data) in &doc.parts {
            if name.starts_with("word/media/") {
                continue;
            }
            let text = String::from_utf8_lossy(data);
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "{path:?}: {s:?} is in {name}");
            }
        }
        for s in &secrets {
            assert!(
                !doc.text().contains(&squash(s)),
                "{path:?}: {s:?} is printed"
            );
            assert!(
                !squash(&drawn).contains(&squash(s)),
                "{path:?}: {s:?} is drawn in a chart"
            );
        }
        // The network diagram is withheld: only the two charts are images.
        assert_eq!(out.chart_texts.len(), 2, "{path:?}");
        assert!(doc.text().contains("配布用（一部非表示）"));
    }
}

#[test]
fn the_same_plan_gives_the_same_bytes() {
    let prepared = pipeline::prepare_file(&example()).unwrap();
    let a = docx_of(&prepared, false).bytes;
    let b = docx_of(&prepared, false).bytes;
    assert!(a == b, "two builds differ");
    let core = String::from_utf8(read(&a).part("docProps/core.xml").to_vec()).unwrap();
    let date = prepared.date();
    assert!(core.contains(&format!(
        "{:04}-{:02}-{:02}",
        date.year, date.month, date.day
    )));
}

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn copy_example(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    for f in ["examples/devices.csv", "examples/network.svg"] {
        std::fs::copy(root().join(f), dir.join(f)).unwrap();
    }
    let toml = dir.join("facility.toml");
    std::fs::copy(example(), &toml).unwrap();
    toml
}

#[test]
fn the_cli_writes_docx_by_flag_or_by_name_and_the_editable_companions() {
    let dir = tempfile::tempdir().unwrap();
    let toml = copy_example(dir.path());
    cyberbcp()
        .args([
            "build",
            "--format",
            "docx",
            "--also",
            "form,disclosure,poster",
        ])
        .arg(&toml)
        .assert()
        .success();
    for name in [
        "facility.docx",
        "facility-form.docx",
        "facility-disclosure.docx",
        "facility-poster.pdf",
    ] {
        assert!(dir.path().join(name).exists(), "{name} not written");
    }
    assert!(!dir.path().join("facility.pdf").exists());
    let form = read(&std::fs::read(dir.path().join("facility-form.docx")).unwrap());
    assert!(
        !form.tables().is_empty(),
        "the form's boxes are a Word table to fill in"
    );
    // -o plan.docx chooses Word by its name; a contradiction is an error.
    let out = dir.path().join("plan.docx");
    cyberbcp()
        .args(["build"])
        .arg(&toml)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(dir.path().join("facility.docx")).unwrap(),
        "byte-identical across runs"
    );
    let err = cyberbcp()
        .args(["build", "--format", "pdf"])
        .arg(&toml)
        .arg("-o")
        .arg(dir.path().join("x.docx"))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("--format pdf"));
    // A folder: every plan as .docx.
    let plans = dir.path().join("plans");
    copy_example(&plans);
    cyberbcp()
        .args(["build", "--format", "docx", "--public"])
        .arg(&plans)
        .assert()
        .success();
    assert!(plans.join("facility-public.docx").exists());
}

/// LibreOffice opens it and lays it out (skipped where soffice is absent;
/// .ci/run installs libreoffice-writer-nogui).
#[test]
fn libreoffice_opens_it() {
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("soffice not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, out, _) = example_docx();
    let docx = dir.path().join("plan.docx");
    std::fs::write(&docx, &out.bytes).unwrap();
    let status = Command::new("soffice")
        .arg("--headless")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.path().display()
        ))
        .args(["--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let pdf = std::fs::read(dir.path().join("plan.pdf")).expect("LibreOffice wrote a PDF");
    let text = pdf_text(&pdf);
    for h in SECTIONS {
        assert_contains(&text, h);
    }
    let pages = lopdf::Document::load_mem(&pdf).unwrap().get_pages().len();
    assert!(pages >= 12, "{pages} pages");
    let _ = Date::now();
}

/// A new starter (`init`) is mostly gaps: its .docx shows the 【未記入】 boxes
/// (their own style, red) and the ひな形's ○○ in yellow, as the PDF does.
#[test]
fn gaps_and_placeholders_are_visible() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    cyberbcp()
        .args(["init", "--kind", "clinic"])
        .arg(&toml)
        .assert()
        .success();
    let prepared = pipeline::prepare_file(&toml).unwrap();
    let doc = read(&docx_of(&prepared, false).bytes);
    let boxes = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Para { style, text } if style == "Missing" && text.starts_with("【未記入】")))
        .count();
    assert!(boxes >= 5, "only {boxes} 【未記入】 boxes");
    let document = String::from_utf8(doc.part("word/document.xml").to_vec()).unwrap();
    assert!(
        document.contains("<w:highlight w:val=\"yellow\" />"),
        "○○ highlighted"
    );
    assert!(
        document.contains("w:val=\"MissingChar\""),
        "inline 【未記入】 styled"
    );
    let styles = String::from_utf8(doc.part("word/styles.xml").to_vec()).unwrap();
    assert!(styles.contains("w:styleId=\"Missing\""));
}
