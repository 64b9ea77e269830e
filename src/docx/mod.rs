//! The plan as a Word file (`build --format docx`): a second back end beside
//! `pdf/`, fed by the same rendered document.
//!
//! The same templates compile for Typst's HTML target (`html`, in a World
//! whose `sys.inputs.target` is `"word"`, lib.typ's `word`): a semantic tree
//! of headings, paragraphs, lists, tables and figures, every word placed by
//! the same template code as the PDF's. `convert` walks it into docx-rs
//! objects; the charts arrive as laid-out frames (`html.frame`) and become
//! PNGs drawn by the code that draws them in the PDF (`chart`).

pub mod chart;
mod convert;
pub mod html;
mod style;

use std::io::Write;

use docx_rs::Docx;

use crate::model::Date;
use crate::pdf::BcpWorld;

/// A finished .docx and what the readers' checks need.
pub struct Output {
    pub bytes: Vec<u8>,
    /// The words drawn in each chart image, in order.
    pub chart_texts: Vec<String>,
}

/// Compile `world` (made with [`BcpWorld::for_word`]) and write the .docx.
pub fn docx(world: &BcpWorld, date: Date) -> anyhow::Result<Output> {
    let doc = html::compile(world)?;
    // docx-rs numbers paragraphs (w14:paraId) with a per-thread counter: a
    // fresh thread for each document gives each the same numbers.
    std::thread::scope(|s| {
        s.spawn(|| write(&doc, date))
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("Word 文書の作成中に内部エラーが起きました")))
    })
}

fn write(doc: &typst_html::HtmlDocument, date: Date) -> anyhow::Result<Output> {
    let root = doc.root();
    let mut conv = convert::Converter::new(root)?;
    conv.body(root)?;
    let stamp = format!(
        "{:04}-{:02}-{:02}T00:00:00Z",
        date.year, date.month, date.day
    );
    let mut d = Docx::new()
        .page_size(style::A4_W, style::A4_H)
        .page_margin(style::margin())
        .default_fonts(style::mincho())
        .default_size(21)
        .footer(style::footer())
        .created_at(&stamp)
        .updated_at(&stamp);
    for s in style::styles() {
        d = d.add_style(s);
    }
    for item in conv.items.drain(..) {
        d = match item {
            convert::Item::P(p) => d.add_paragraph(p),
            convert::Item::T(t) => d.add_table(t),
        };
    }
    let xml = d.build();
    Ok(Output {
        bytes: pack(xml)?,
        chart_texts: conv.chart_texts,
    })
}

/// docx-rs has no `w:tblHeader` (a row repeated at the top of each page):
/// header rows are built with `cantSplit` (which nothing else here uses, and
/// which user text cannot spell: it is escaped) and gain `tblHeader` beside it.
fn repeat_headers(document: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8(document).expect("docx-rs writes UTF-8");
    text.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />")
        .into_bytes()
}

/// The zip, in a fixed order with a fixed timestamp: the same plan gives
/// the same bytes.
fn pack(xml: docx_rs::XMLDocx) -> anyhow::Result<Vec<u8>> {
    use zip::write::SimpleFileOptions;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    let document = repeat_headers(xml.document);
    let mut parts: Vec<(String, &[u8])> = vec![
        ("[Content_Types].xml".into(), &xml.content_type),
        ("_rels/.rels".into(), &xml.rels),
        ("docProps/app.xml".into(), &xml.doc_props.app),
        ("docProps/core.xml".into(), &xml.doc_props.core),
        ("docProps/custom.xml".into(), &xml.doc_props.custom),
        ("word/_rels/document.xml.rels".into(), &xml.document_rels),
        ("word/document.xml".into(), &document),
        ("word/styles.xml".into(), &xml.styles),
        ("word/settings.xml".into(), &xml.settings),
        ("word/fontTable.xml".into(), &xml.font_table),
        ("word/comments.xml".into(), &xml.comments),
        ("word/numbering.xml".into(), &xml.numberings),
        ("word/commentsExtended.xml".into(), &xml.comments_extended),
        ("word/footnotes.xml".into(), &xml.footnotes),
    ];
    for (i, h) in xml.headers.iter().enumerate() {
        parts.push((format!("word/header{}.xml", i + 1), h));
    }
    for (i, r) in xml.header_rels.iter().enumerate() {
        parts.push((format!("word/_rels/header{}.xml.rels", i + 1), r));
    }
    for (i, f) in xml.footers.iter().enumerate() {
        parts.push((format!("word/footer{}.xml", i + 1), f));
    }
    for (i, r) in xml.footer_rels.iter().enumerate() {
        parts.push((format!("word/_rels/footer{}.xml.rels", i + 1), r));
    }
    for (id, bytes) in &xml.media {
        parts.push((format!("word/media/{id}.png"), bytes));
    }
    for (name, bytes) in parts {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?;
    Ok(buf.into_inner())
}
