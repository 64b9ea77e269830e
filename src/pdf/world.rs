//! A `World` shaped like typst-cli's `SystemWorld`, but sealed: fonts and
//! templates are embedded, and the only files are the virtual ones the build
//! hands in (main.typ, lib.typ, data.json, the checked diagram). Typst cannot
//! reach the file system, packages or the network through it.

use std::collections::HashMap;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::FONTS;
use crate::model::Date;
use crate::render::{DocMeta, Rendered};

pub const MAIN: &str = "main.typ";

pub struct BcpWorld {
    library: LazyHash<Library>,
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
    meta: DocMeta,
}

pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("built-in virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl BcpWorld {
    pub fn new(rendered: &Rendered, today: Date) -> Self {
        Self::with_library(rendered, today, library(false))
    }

    /// The World the .docx is compiled in: the templates see
    /// `sys.inputs.target == "word"` (lib.typ's `word`).
    pub fn for_word(rendered: &Rendered, today: Date) -> Self {
        Self::with_library(rendered, today, library(true))
    }

    fn with_library(rendered: &Rendered, today: Date, library: Library) -> Self {
        let mut world = Self {
            library: LazyHash::new(library),
            main: file_id(MAIN),
            sources: HashMap::new(),
            files: HashMap::new(),
            today: to_datetime(today),
            meta: DocMeta::default(),
        };
        world.update(rendered, today);
        world
    }

    /// Swap in a new document, keeping unchanged sources so Typst's caches
    /// stay valid (watch mode and batches reuse one World).
    pub fn update(&mut self, rendered: &Rendered, today: Date) {
        self.today = to_datetime(today);
        self.meta = rendered.meta.clone();
        let texts = std::iter::once((MAIN.to_string(), rendered.main.clone()))
            .chain(rendered.sources.iter().cloned());
        let mut live = Vec::new();
        for (name, text) in texts {
            let id = file_id(&name);
            live.push(id);
            match self.sources.get_mut(&id) {
                Some(source) if source.text() == text => {}
                Some(source) => {
                    source.replace(&text);
                }
                None => {
                    self.sources.insert(id, Source::new(id, text));
                }
            }
        }
        self.sources.retain(|id, _| live.contains(id));
        self.files.clear();
        self.files
            .insert(file_id("data.json"), Bytes::new(rendered.data.clone()));
        for asset in &rendered.assets {
            self.files
                .insert(file_id(&asset.name), Bytes::new(asset.bytes.clone()));
        }
    }

    pub fn meta(&self) -> &DocMeta {
        &self.meta
    }

    pub fn source_text(&self, id: FileId) -> Option<&str> {
        self.sources.get(&id).map(Source::text)
    }
}

/// Typst's standard library with its HTML target enabled: the same templates
/// compile to the PDF's pages and to the semantic tree the .docx is made from
/// (`docx::`); `html.frame` keeps a drawn chart laid out for both.
fn library(word: bool) -> Library {
    let mut inputs = typst::foundations::Dict::new();
    if word {
        inputs.insert("target".into(), "word".into_value());
    }
    Library::builder()
        .with_features([typst::Feature::Html].into_iter().collect())
        .with_inputs(inputs)
        .build()
}

fn to_datetime(date: Date) -> Datetime {
    Datetime::from_ymd(i32::from(date.year), date.month, date.day)
        .expect("Date values are valid calendar dates")
}

impl World for BcpWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.sources.get(&id) {
            Some(source) => Ok(source.clone()),
            None => Err(self.refuse(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.files.get(&id) {
            return Ok(bytes.clone());
        }
        match self.sources.get(&id) {
            Some(source) => Ok(Bytes::from_string(source.text().to_string())),
            None => Err(self.refuse(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

impl BcpWorld {
    /// Anything not handed in is refused, packages included.
    fn refuse(&self, id: FileId) -> FileError {
        match id.get().root() {
            VirtualRoot::Package(_) => {
                FileError::Other(Some("パッケージの読み込みは許可されていません".into()))
            }
            VirtualRoot::Project => FileError::AccessDenied,
        }
    }
}
