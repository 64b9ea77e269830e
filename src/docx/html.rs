//! The same templates, compiled for Typst's HTML target: the semantic tree
//! (headings, paragraphs, lists, tables, figures) the .docx is built from.

use typst::diag::Warned;
use typst_html::HtmlDocument;

use crate::pdf::{BcpWorld, TypstErrors, describe};

/// Compile the rendered document for the HTML target. Typst's warnings here
/// (page setup, spacing and drawing that have no HTML form) are expected:
/// the PDF build reports the templates' real problems.
pub fn compile(world: &BcpWorld) -> Result<HtmlDocument, TypstErrors> {
    let Warned { output, .. } = typst::compile::<HtmlDocument>(world);
    output.map_err(|errors| TypstErrors {
        messages: errors.iter().map(|e| describe(world, e)).collect(),
        unfinished: false,
    })
}

/// The tree as HTML text (for looking at what the walker sees).
pub fn to_string(doc: &HtmlDocument) -> String {
    typst_html::html(doc, &typst_html::HtmlOptions { pretty: true }).unwrap_or_default()
}
