//! Typst compilation and PDF export, in-process.

pub mod fonts;
pub mod world;

use std::fmt;

use typst::WorldExt;
use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::Smart;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use world::BcpWorld;

use crate::model::Date;

/// A template failed to compile: our bug or a broken template override,
/// never the user's data (which Typst only ever sees as values).
#[derive(Debug)]
pub struct TypstErrors {
    pub messages: Vec<String>,
    /// It passed its deadline: still running on an abandoned thread, which
    /// only the end of the process stops (`watch` ends on it).
    pub unfinished: bool,
}

impl fmt::Display for TypstErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "PDF の組版に失敗しました（テンプレートの誤り）")?;
        for m in &self.messages {
            writeln!(f, "  {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TypstErrors {}

pub fn compile(world: &BcpWorld) -> Result<(PagedDocument, Vec<String>), TypstErrors> {
    let Warned { output, warnings } = typst::compile::<PagedDocument>(world);
    let warnings = warnings.iter().map(|w| describe(world, w)).collect();
    match output {
        Ok(mut doc) => {
            let meta = world.meta();
            let info = doc.info_mut();
            info.title = Some(meta.title.as_str().into());
            info.author = vec![meta.author.as_str().into()];
            info.description = Some(meta.description.as_str().into());
            info.keywords = meta.keywords.iter().map(|k| k.as_str().into()).collect();
            Ok((doc, warnings))
        }
        Err(errors) => Err(TypstErrors {
            messages: errors.iter().map(|e| describe(world, e)).collect(),
            unfinished: false,
        }),
    }
}

/// The creation date goes into the PDF, so the same plan gives the same bytes.
pub fn export(world: &BcpWorld, doc: &PagedDocument, date: Date) -> Result<Vec<u8>, TypstErrors> {
    let datetime = typst::foundations::Datetime::from_ymd_hms(
        i32::from(date.year),
        date.month,
        date.day,
        0,
        0,
        0,
    );
    let options = PdfOptions {
        ident: Smart::Auto,
        creator: Smart::Custom(Some(format!("cyberbcp {}", env!("CARGO_PKG_VERSION")))),
        timestamp: datetime.map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| TypstErrors {
        messages: errors.iter().map(|e| describe(world, e)).collect(),
        unfinished: false,
    })
}

/// `main.typ:12:3: message (hint: …)`, resolved through the World's sources.
pub(crate) fn describe(world: &BcpWorld, d: &SourceDiagnostic) -> String {
    let mut out = String::new();
    if let (Some(id), Some(range)) = (d.span.id(), world.range(d.span))
        && let Some(text) = world.source_text(id)
    {
        let before = &text[..range.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        out = format!("{}:{line}:{col}: ", id.get().vpath().get_without_slash());
    }
    out.push_str(&d.message);
    for hint in &d.hints {
        out.push_str(&format!(" (hint: {})", hint.v));
    }
    out
}

/// Drop Typst's memoized results older than `max_age` compilations, so a
/// long-running process (fuzzing, batch, watch) keeps its memory flat.
pub fn evict_caches(max_age: usize) {
    typst::comemo::evict(max_age);
}
