//! Bad, hostile and huge input: never a crash, never a corrupted or lost plan
//! (the biggest plans and values are in big.rs, started first).

use crate::common::layout;

use cyberbcp::pdf::{self, BcpWorld};
use cyberbcp::pipeline;
use cyberbcp::render::Templates;
use cyberbcp::render::companion::{COMPANIONS, Via};

use crate::common::*;

/// Lay out a prepared plan and return the document (for page checks) and the PDF.
pub(crate) fn lay_out(prepared: &pipeline::Prepared) -> (typst_layout::PagedDocument, Vec<u8>) {
    let rendered = prepared.render(&Templates::builtin()).unwrap();
    let world = BcpWorld::new(&rendered, prepared.date());
    let (doc, _) = pdf::compile(&world).unwrap_or_else(|e| panic!("{e}"));
    let bytes = pdf::export(&world, &doc, prepared.date()).unwrap_or_else(|e| panic!("{e}"));
    (doc, bytes)
}

/// Nothing sticks out of any page.
pub(crate) fn assert_fits(doc: &typst_layout::PagedDocument) {
    let over = layout::overflows(doc);
    assert!(
        over.is_empty(),
        "{} overflows, e.g. {:#?}",
        over.len(),
        &over[..over.len().min(10)]
    );
}

/// The one-page companions (the poster, the form, the disclosure draft…) are
/// one page each, whatever the data.
pub(crate) fn companions_fit_one_page(prepared: &pipeline::Prepared) {
    let templates = Templates::builtin();
    let rendered = prepared.render(&templates).unwrap();
    let one_page = COMPANIONS
        .iter()
        .filter(|c| matches!(c.via, Via::Pdf { one_page: true, .. }));
    for which in one_page {
        let doc = prepared
            .render_companion(&rendered, &templates, which)
            .unwrap();
        let world = BcpWorld::new(&doc, prepared.date());
        let (laid, _) = pdf::compile(&world).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(laid.pages().len(), 1, "{} is one page", which.name);
        assert_fits(&laid);
    }
}

#[test]
fn the_example_and_fixtures_fit_their_pages() {
    for path in [example(), fixture("clinic"), fixture("pharmacy")] {
        let prepared = pipeline::prepare_file(&path).unwrap();
        let (doc, _) = lay_out(&prepared);
        assert_fits(&doc);
        companions_fit_one_page(&prepared);
    }
}

/// PDF strings are UTF-16BE with a BOM when not ASCII.
fn pdf_string(doc: &lopdf::Document, dict: &lopdf::Dictionary, key: &[u8]) -> String {
    let object = dict
        .get(key)
        .unwrap_or_else(|_| panic!("no /{}", String::from_utf8_lossy(key)));
    let object = doc.dereference(object).unwrap().1;
    let bytes = object.as_str().unwrap();
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => String::from_utf16(
            &utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        None => String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

#[test]
fn pdf_metadata_comes_from_the_data_and_the_bytes_are_reproducible() {
    let prepared = pipeline::prepare_file(&example()).unwrap();
    let (_, first) = lay_out(&prepared);
    let (_, second) = lay_out(&pipeline::prepare_file(&example()).unwrap());
    assert!(first == second, "two builds give the same bytes");

    let doc = lopdf::Document::load_mem(&first).unwrap();
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| doc.dereference(o))
        .unwrap()
        .1;
    let info = info.as_dict().unwrap();
    let name = "社会医療法人さくら会 さくら台総合病院";
    assert_eq!(
        pdf_string(&doc, info, b"Title"),
        format!("サイバー攻撃を想定した事業継続計画（BCP）　{name}")
    );
    assert_eq!(pdf_string(&doc, info, b"Author"), name);
    assert!(pdf_string(&doc, info, b"Subject").starts_with(name));
    let keywords = pdf_string(&doc, info, b"Keywords");
    assert!(
        keywords.contains("BCP") && keywords.contains("病院"),
        "{keywords}"
    );
    // The date of the newest revision, not the clock.
    assert_eq!(pdf_string(&doc, info, b"CreationDate"), "D:20261116000000Z");
    let catalog = doc.catalog().unwrap();
    assert_eq!(pdf_string(&doc, catalog, b"Lang"), "ja-JP");
}

#[test]
fn dates_in_the_future_are_warned_about_not_refused() {
    let path = example();
    let text = std::fs::read_to_string(&path).unwrap();
    let future = text.replace("date = 2025-06-12", "date = 2999-06-12");
    assert_ne!(future, text);
    let prepared = pipeline::prepare_str(&path, &future, &root()).unwrap();
    let warned: Vec<_> = prepared
        .warnings()
        .iter()
        .filter(|d| d.message.contains("今日"))
        .map(|d| d.key.clone().unwrap())
        .collect();
    assert_eq!(warned, ["training.drills[1].date"]);
    let warning = prepared
        .warnings()
        .iter()
        .find(|d| d.message.contains("今日"))
        .unwrap();
    assert!(warning.message.contains("2999年6月12日"));
    assert!(warning.span.is_some(), "points at the line");
    let pinned = cyberbcp::model::Date::parse("2026-11-24").unwrap();
    let today = pipeline::prepare_file_on(&path, pinned).unwrap();
    assert!(today.warnings().iter().all(|d| !d.message.contains("今日")));
}
