//! The one place that prints problems: input diagnostics with a source
//! snippet, and any other error as "error:" plus its cause chain.

pub mod report;

use std::io::{IsTerminal, Write};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use termcolor::WriteColor as _;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::batch::{self, Outcome};
use crate::cli::Color;
use crate::diag::{Diagnostic, InputErrors, Severity, SourceFile};
use crate::pipeline::{Made, Prepared};
use crate::render::Gap;

/// Exit status for bad input, as ripgrep uses 2 for errors.
pub const EXIT_INPUT: i32 = 2;
pub const EXIT_FAILURE: i32 = 1;

pub struct Printer {
    color: Color,
}

impl Printer {
    pub fn new(color: Color) -> Self {
        Self { color }
    }

    fn choice(&self, is_terminal: bool) -> termcolor::ColorChoice {
        match self.color {
            Color::Always => termcolor::ColorChoice::Always,
            Color::Never => termcolor::ColorChoice::Never,
            Color::Auto if is_terminal => termcolor::ColorChoice::Auto,
            Color::Auto => termcolor::ColorChoice::Never,
        }
    }

    fn stream(&self) -> termcolor::StandardStream {
        termcolor::StandardStream::stderr(self.choice(std::io::stderr().is_terminal()))
    }

    /// Standard output (reports), coloured by the same `--color` rule.
    pub fn stdout(&self) -> termcolor::StandardStream {
        termcolor::StandardStream::stdout(self.choice(std::io::stdout().is_terminal()))
    }

    /// file:line:column, the key, a snippet, and hints, for each diagnostic.
    pub fn diagnostics(&self, file: &SourceFile, diagnostics: &[Diagnostic]) {
        let name = file.path.display().to_string();
        let files = SimpleFile::new(name.as_str(), file.text.as_str());
        let mut out = self.stream();
        let config = term::Config::default();
        for d in diagnostics {
            let mut report = match d.severity {
                Severity::Error => Report::error(),
                Severity::Warning => Report::warning(),
            };
            let (message, location) = match (&d.key, &d.span) {
                (Some(key), Some(span)) => {
                    let (line, col) = file.line_col(span.start);
                    (
                        format!("{key}: {}", d.message),
                        Some(format!("{name}:{line}:{col}")),
                    )
                }
                (Some(key), None) => (format!("{key}: {}", d.message), Some(name.clone())),
                (None, Some(span)) => {
                    let (line, col) = file.line_col(span.start);
                    (d.message.clone(), Some(format!("{name}:{line}:{col}")))
                }
                (None, None) => (d.message.clone(), Some(name.clone())),
            };
            report = report.with_message(message);
            if let Some(span) = d.span.clone().filter(|_| !file.text.is_empty()) {
                let label = Label::primary((), span);
                report = report.with_labels(vec![match &d.key {
                    Some(k) => label.with_message(k.clone()),
                    None => label,
                }]);
            } else if let Some(location) = location {
                report = report.with_notes(vec![format!("場所: {location}")]);
            }
            let hints: Vec<String> = d.hints.iter().map(|h| format!("hint: {h}")).collect();
            report.notes.extend(hints);
            if term::emit(&mut out, &config, &files, &report).is_err() {
                let _ = writeln!(out, "{}", d.message);
            }
        }
    }

    pub fn input_errors(&self, errors: &InputErrors) {
        self.diagnostics(&errors.file, &errors.diagnostics);
        let n = errors
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let mut out = self.stream();
        let _ = writeln!(
            out,
            "{}: {n} 件のエラーのため PDF は作成していません（既存の PDF はそのままです）",
            errors.file.path.display()
        );
    }

    /// Sections that show 【未記入】, one line each, so the user knows what to fill next.
    pub fn gaps(&self, file: &SourceFile, gaps: &[Gap]) {
        if gaps.is_empty() {
            return;
        }
        let mut out = self.stream();
        let _ = writeln!(
            out,
            "{}: {} 箇所が【未記入】です（PDF に赤枠で示しています）",
            file.path.display(),
            gaps.len()
        );
        for g in gaps {
            let _ = writeln!(out, "  {:<6} {}: {}", g.section, g.key, g.fix);
        }
    }

    pub fn error(&self, error: &anyhow::Error) {
        if let Some(input) = error.downcast_ref::<InputErrors>() {
            return self.input_errors(input);
        }
        let mut out = self.stream();
        let _ = out.set_color(
            termcolor::ColorSpec::new()
                .set_fg(Some(termcolor::Color::Red))
                .set_bold(true),
        );
        let _ = write!(out, "error");
        let _ = out.reset();
        let _ = writeln!(out, ": {error}");
        for cause in error.chain().skip(1) {
            let _ = writeln!(out, "  原因: {cause}");
        }
    }

    /// Yearly-cycle warnings (stale review, no drill, EOL OS…), after a build.
    pub fn review_warnings(&self, warnings: &[crate::coverage::Warning]) {
        let mut out = self.stream();
        let _ = report::print_warnings(&mut out, warnings);
    }

    /// After a build: Typst's warnings, the 【未記入】 list, what was written
    /// (with the time taken, for `watch`), the 確認表 line, the review warnings.
    pub fn built(&self, prepared: &Prepared, made: &Made, took: Option<Duration>) {
        for w in &made.typst_warnings {
            self.info(&format!("warning: (typst) {w}"));
        }
        self.gaps(prepared.file(), &made.rendered.gaps);
        let took = took.map_or_else(String::new, |t| format!("、{} ms", t.as_millis()));
        let Some((plan, extras)) = made.files.split_first() else {
            return;
        };
        self.info(&format!(
            "{} → {}（{} ページ{took}）",
            prepared.file().path.display(),
            plan.path.display(),
            made.pages
        ));
        let report = &made.rendered.coverage;
        self.info(&if report.all_covered() {
            format!("{}（付録に記載箇所とページ）", report.summary())
        } else {
            format!(
                "{}（詳しくは cyberbcp check {}）",
                report.summary(),
                prepared.file().path.display()
            )
        });
        for file in extras {
            match file.pages {
                Some(n) => self.info(&format!("  + {}（{n} ページ）", file.path.display())),
                None => self.info(&format!("  + {}", file.path.display())),
            }
        }
        self.review_warnings(&report.warnings);
    }

    /// The facility TOMLs under `root` (`build plans/`, `check plans/`), saying
    /// which `.toml` files were skipped and why; an error when there are none.
    pub fn facilities(&self, root: &Path) -> anyhow::Result<Vec<PathBuf>> {
        let (files, skipped) = batch::find_facilities(root);
        for (path, why) in &skipped {
            self.info(&format!("- {}: {why}（スキップ）", path.display()));
        }
        if files.is_empty() {
            anyhow::bail!(
                "{} に施設の TOML（[facility] を含む .toml）がありません",
                root.display()
            );
        }
        Ok(files)
    }

    /// One line per facility of a `build plans/` and the tally; returns the
    /// exit code (2 if any input was wrong, else 1 if anything failed).
    pub fn batch_built(&self, files: &[PathBuf], outcomes: &[Outcome]) -> i32 {
        let (mut input_errors, mut failed) = (0, 0);
        for (file, outcome) in files.iter().zip(outcomes) {
            match outcome {
                Outcome::Built {
                    output,
                    pages,
                    report,
                } => self.info(&format!(
                    "✓ {} → {}（{pages} ページ）{}",
                    file.display(),
                    output.display(),
                    report.summary()
                )),
                Outcome::Input(e) => {
                    input_errors += 1;
                    self.input_errors(e);
                }
                Outcome::Failed(message) => {
                    failed += 1;
                    self.info(&format!("✗ {}: {message}", file.display()));
                }
            }
        }
        self.info(&format!(
            "{} 施設: 成功 {}、入力の誤り {input_errors}、その他の失敗 {failed}",
            files.len(),
            files.len() - input_errors - failed
        ));
        if input_errors > 0 {
            EXIT_INPUT
        } else if failed > 0 {
            EXIT_FAILURE
        } else {
            0
        }
    }

    pub fn info(&self, line: &str) {
        let mut out = self.stream();
        let _ = writeln!(out, "{line}");
    }
}

/// Exit status for an error: 2 for the user's input, 1 for anything else.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if error.downcast_ref::<InputErrors>().is_some() {
        EXIT_INPUT
    } else {
        EXIT_FAILURE
    }
}
