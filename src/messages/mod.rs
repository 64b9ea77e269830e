//! The one place that prints problems: input diagnostics with a source
//! snippet, and any other error as "error:" plus its cause chain.

mod grouped;
pub mod os;
pub mod report;
mod usage;

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
    /// What input errors prevented, in the running command's terms.
    not_done: &'static str,
}

impl Printer {
    pub fn new(color: Color) -> Self {
        Self {
            color,
            not_done: "PDF は作成していません（既存の PDF はそのままです）",
        }
    }

    /// Say what input errors prevented as the command understands it: `check`
    /// never makes a PDF, `watch` keeps the last one.
    pub fn not_done(mut self, not_done: &'static str) -> Self {
        self.not_done = not_done;
        self
    }

    fn choice(&self, is_terminal: bool) -> termcolor::ColorChoice {
        match self.color {
            Color::Always => termcolor::ColorChoice::Always,
            Color::Never => termcolor::ColorChoice::Never,
            Color::Auto if is_terminal => termcolor::ColorChoice::Auto,
            Color::Auto => termcolor::ColorChoice::Never,
        }
    }

    fn stream(&self) -> Escaped<termcolor::StandardStream> {
        Escaped(termcolor::StandardStream::stderr(
            self.choice(std::io::stderr().is_terminal()),
        ))
    }

    /// Standard output (reports), coloured by the same `--color` rule.
    pub fn stdout(&self) -> Escaped<termcolor::StandardStream> {
        Escaped(termcolor::StandardStream::stdout(
            self.choice(std::io::stdout().is_terminal()),
        ))
    }

    /// file:line:column, the key, a snippet, and hints, for each diagnostic.
    /// A value of a chain's base is shown where it is, in the base file, and
    /// said to come from there.
    pub fn diagnostics(&self, file: &SourceFile, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match &d.span {
                Some(span) => {
                    let (at, span, from_base) = file.locate(span);
                    let mut d = d.clone();
                    d.span = Some(span);
                    if from_base {
                        d.hints.insert(0, format!(
                            "この値は {} が extends で読み込む共通ファイル {} に書かれています（施設ごとに変えるときは {} に同じキーを書いて上書きします）",
                            file.path.display(),
                            at.path.display(),
                            file.path.display()
                        ));
                    }
                    self.diagnostics_in(at, std::slice::from_ref(&d));
                }
                None => self.diagnostics_in(file, std::slice::from_ref(d)),
            }
        }
    }

    fn diagnostics_in(&self, file: &SourceFile, diagnostics: &[Diagnostic]) {
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
            report = report.with_message(clip(&message));
            // A snippet quotes the whole line: not for a line of thousands of characters.
            let short_line = |span: &std::ops::Range<usize>| {
                let start = span.start.min(file.text.len());
                let (Some(before), Some(after)) = (file.text.get(..start), file.text.get(start..))
                else {
                    return false;
                };
                let line = before.rsplit('\n').next().unwrap_or("").chars().count()
                    + after.split('\n').next().unwrap_or("").chars().count();
                line <= MAX_ECHO
            };
            if let Some(span) = d
                .span
                .clone()
                .filter(|s| !file.text.is_empty() && short_line(s))
            {
                let label = Label::primary((), span);
                report = report.with_labels(vec![match &d.key {
                    Some(k) => label.with_message(k.clone()),
                    None => label,
                }]);
            } else if let Some(location) = location {
                report = report.with_notes(vec![format!("場所: {location}")]);
            }
            let hints: Vec<String> = d
                .hints
                .iter()
                .map(|h| format!("hint: {}", clip(h)))
                .collect();
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
            "{}: {n} 件のエラーのため{}",
            errors.file.path.display(),
            self.not_done
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
        if let Some(usage) = error.downcast_ref::<clap::Error>() {
            self.usage_error(usage, ("cyberbcp".into(), None));
            return;
        }
        let mut out = self.stream();
        self.error_prefix(&mut out);
        // An OS error says what to do in Japanese; its own text stays as a detail.
        let mut chain = error.chain();
        if let Some(first) = chain.next() {
            let _ = writeln!(out, "{}", os::cause(first));
        }
        for cause in chain {
            let _ = writeln!(out, "  原因: {}", os::cause(cause));
        }
    }

    /// "error: ", as codespan writes it before an input diagnostic: every
    /// error the tool prints starts the same way.
    fn error_prefix(&self, out: &mut Escaped<termcolor::StandardStream>) {
        let _ = out.set_color(
            termcolor::ColorSpec::new()
                .set_fg(Some(termcolor::Color::Red))
                .set_bold(true),
        );
        let _ = write!(out, "error");
        let _ = out.reset();
        let _ = write!(out, ": ");
    }

    /// A command-line mistake (clap's error) in Japanese, with the usage
    /// line; help and version requests are printed as they are. Returns the
    /// exit code: 0 for help and version, else 2 like any wrong input.
    /// `invoked`: the command the user ran and its usage, for errors clap
    /// reports without them.
    pub fn usage_error(&self, error: &clap::Error, invoked: (String, Option<String>)) -> i32 {
        use clap::error::ErrorKind;
        if matches!(
            error.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        ) {
            let _ = error.print();
            return 0;
        }
        if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            let _ = error.print();
            return EXIT_INPUT;
        }
        let usage = usage::explain(error, invoked);
        let mut out = self.stream();
        self.error_prefix(&mut out);
        let _ = writeln!(out, "{}", usage.message);
        for hint in &usage.hints {
            let _ = writeln!(out, "  hint: {hint}");
        }
        if let Some(line) = &usage.usage {
            let _ = writeln!(out, "\n使い方: {line}");
        }
        let _ = writeln!(out, "詳しくは {} --help", usage.command);
        EXIT_INPUT
    }

    /// Yearly-cycle warnings (stale review, no drill, EOL OS…), after a build.
    pub fn review_warnings(&self, warnings: &[crate::coverage::Warning], prepared: &Prepared) {
        let mut out = self.stream();
        let _ = report::print_warnings(&mut out, warnings, &|k| prepared.in_base(k));
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
        let size = match plan.pages {
            Some(n) => format!("（{n} ページ{took}）"),
            None if took.is_empty() => String::new(),
            None => format!("（{}）", took.trim_start_matches('、')),
        };
        self.info(&format!(
            "{} → {}{size}",
            prepared.file().path.display(),
            plan.path.display(),
        ));
        let report = &made.today;
        self.info(&if report.all_covered() {
            format!(
                "{}（判定日 {}。付録に記載箇所とページ）",
                report.summary(),
                report.today
            )
        } else {
            format!(
                "{}（判定日 {}。詳しくは cyberbcp check {}）",
                report.summary(),
                report.today,
                prepared.file().path.display()
            )
        });
        for file in extras {
            match file.pages {
                Some(n) => self.info(&format!("  + {}（{n} ページ）", file.path.display())),
                None => self.info(&format!("  + {}", file.path.display())),
            }
        }
        self.review_warnings(&report.warnings, prepared);
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
        let mut shown: Vec<PathBuf> = Vec::new();
        for (file, outcome) in files.iter().zip(outcomes) {
            match outcome {
                Outcome::Built {
                    output,
                    pages,
                    report,
                    warnings,
                } => {
                    let size = match pages {
                        0 => String::new(),
                        n => format!("（{n} ページ）"),
                    };
                    self.info(&format!(
                        "✓ {} → {}{size}{}",
                        file.display(),
                        output.display(),
                        report.summary()
                    ));
                    self.diagnostics(&warnings.0, &warnings.1);
                }
                // A broken base fails every store that reads it: shown once.
                Outcome::Input(e) if e.file.path != *file && shown.contains(&e.file.path) => {
                    input_errors += 1;
                    self.info(&format!(
                        "✗ {}: 共通ファイル {} の誤り（上に表示）のため作成していません",
                        file.display(),
                        e.file.path.display()
                    ));
                }
                Outcome::Input(e) => {
                    input_errors += 1;
                    self.input_errors(e);
                    if e.file.path != *file {
                        self.info(&format!(
                            "✗ {}: 共通ファイル {} の誤りのため作成していません",
                            file.display(),
                            e.file.path.display()
                        ));
                    }
                    shown.push(e.file.path.clone());
                }
                Outcome::Failed(error) => {
                    failed += 1;
                    self.info(&format!("✗ {}: {}", file.display(), os::one_line(error)));
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

    /// Overrides ejected from built-in templates that have changed since
    /// ([`crate::render::Templates::stale`]): said before the build, which
    /// they may break.
    pub fn stale_templates(&self, dir: Option<&Path>, stale: &[String]) {
        let Some(dir) = dir.filter(|_| !stale.is_empty()) else {
            return;
        };
        self.info(&format!(
            "注意: {} のテンプレート {} は前の版の cyberbcp から書き出したもので、組み込みのテンプレートはその後変わっています。新しい版の改善が入らず、組版に失敗することもあります。cyberbcp init --templates 新しいフォルダ で今の版を書き出し、自分の変更をそちらに移してください（変えていないファイルは消せば、今の版の組み込みが使われます）",
            dir.display(),
            stale.join("、")
        ));
    }

    pub fn info(&self, line: &str) {
        let mut out = self.stream();
        let _ = writeln!(out, "{line}");
    }
}

/// The most characters of the user's text one message line quotes.
const MAX_ECHO: usize = 200;

/// Each line cut to [`MAX_ECHO`] characters, so a value of megabytes is never echoed whole.
fn clip(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.chars().count() > MAX_ECHO {
                let head: String = line.chars().take(MAX_ECHO).collect();
                format!("{head}…（以下略）")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A terminal stream that shows control characters in printed text as
/// `\x1B`-style escapes: a facility name or file name holding terminal escape
/// sequences cannot recolour, retitle or clear the user's terminal. Our own
/// colours go through `set_color`, which is not escaped.
pub struct Escaped<W>(pub W);

impl<W: Write> Write for Escaped<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(&escape_controls(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<W: termcolor::WriteColor> termcolor::WriteColor for Escaped<W> {
    fn supports_color(&self) -> bool {
        self.0.supports_color()
    }

    fn set_color(&mut self, spec: &termcolor::ColorSpec) -> std::io::Result<()> {
        self.0.set_color(spec)
    }

    fn reset(&mut self) -> std::io::Result<()> {
        self.0.reset()
    }
}

/// C0 controls (but newline and tab), DEL, C1 controls and the bidirectional
/// overrides, written as visible escapes.
pub fn escape_controls(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    // A write may split a character; then only the ASCII controls are judged.
    let Ok(text) = std::str::from_utf8(bytes) else {
        let mut out = Vec::with_capacity(bytes.len());
        for &b in bytes {
            if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7F {
                out.extend(format!("\\x{b:02X}").bytes());
            } else {
                out.push(b);
            }
        }
        return std::borrow::Cow::Owned(out);
    };
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            if (c as u32) < 0x100 {
                out.push_str(&format!("\\x{:02X}", c as u32));
            } else {
                out.push_str(&format!("\\u{{{:X}}}", c as u32));
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out.into_bytes())
}

/// Exit status for an error: 2 for the user's input, 1 for anything else.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if error.downcast_ref::<InputErrors>().is_some()
        || error.downcast_ref::<crate::output::Refused>().is_some()
    {
        EXIT_INPUT
    } else {
        EXIT_FAILURE
    }
}
