//! Problems found in a user's files, located by key path and byte span, so
//! `messages` can print them with file:line:column and a source snippet.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A plan that `extends` base files is read as one text: the plan's own bytes
/// at 0, its n-th base at `n * SPAN_SLOT`. Spans past the plan's own text
/// point into a base ([`SourceFile::locate`]). Larger than any TOML we read.
pub const SPAN_SLOT: usize = 1 << 23;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Key path into the TOML, e.g. `systems[3].name`.
    pub key: Option<String>,
    pub message: String,
    /// Byte range in the file the diagnostic belongs to.
    pub span: Option<Range<usize>>,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(key: impl Into<Option<String>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            key: key.into(),
            message: message.into(),
            span: None,
            hints: vec![],
        }
    }

    pub fn warning(key: impl Into<Option<String>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(key, message)
        }
    }

    pub fn with_span(mut self, span: Option<Range<usize>>) -> Self {
        self.span = span;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// The text a set of diagnostics points into.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// The base files this one `extends`, nearest first (a store's region,
    /// then the head office): spans from `SPAN_SLOT` on point into them.
    pub bases: Vec<Arc<SourceFile>>,
}

impl SourceFile {
    pub fn new(path: impl AsRef<Path>, text: impl Into<String>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
            text: text.into(),
            bases: Vec::new(),
        }
    }

    /// The file a span points into, the span within it, and whether that
    /// file is a base (the value came from the head office, not the plan).
    pub fn locate(&self, span: &Range<usize>) -> (&SourceFile, Range<usize>, bool) {
        let n = span.start / SPAN_SLOT;
        match n.checked_sub(1).and_then(|i| self.bases.get(i)) {
            Some(base) => {
                let at = n * SPAN_SLOT;
                (base, span.start - at..span.end.max(span.start) - at, true)
            }
            None => (self, span.clone(), false),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Input that cannot be built: every error found in one file, plus its warnings.
#[derive(Debug, Clone)]
pub struct InputErrors {
    pub file: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

impl InputErrors {
    /// Each error as `key: message`, for one-line summaries (batch CSV and JSON).
    pub fn error_lines(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| match &d.key {
                Some(k) => format!("{k}: {}", d.message),
                None => d.message.clone(),
            })
            .collect()
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        write!(f, "{}: {n} 件のエラーがあります", self.file.path.display())
    }
}

impl std::error::Error for InputErrors {}

/// The candidate closest to `input`, when close enough to be a typo of it.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(input, c), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("hosptial", ["hospital", "clinic", "pharmacy"]),
            Some("hospital")
        );
        assert_eq!(
            did_you_mean("backup", ["backups", "roles"]),
            Some("backups")
        );
        assert_eq!(did_you_mean("zzz", ["backups"]), None);
    }
}
