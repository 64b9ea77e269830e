//! Many facilities at once: `build plans/` and `check plans/` (a hospital
//! group, a pharmacy chain, a 保健所 reviewing every plan before inspections).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use walkdir::WalkDir;

use crate::coverage::Report;
use crate::diag::{Diagnostic, InputErrors, SourceFile};
use crate::pipeline::{self, BuildConfig, Made};

/// Facility TOMLs under `root`, sorted, and the `.toml` files skipped with why.
/// Whether a file is a plan is decided by parsing it; a file that may be one
/// but cannot be read or parsed (a syntax error, Shift_JIS, UTF-16, no
/// permission), and a folder that cannot be read, is returned with the plans,
/// so its error is reported and counted rather than dropped.
pub fn find_facilities(root: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, &'static str)>) {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    // The bases plans name (`extends`), as joined to each plan's folder: 300
    // stores in one folder name one.
    let mut named: Vec<PathBuf> = Vec::new();
    let walker = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            // Hidden folders (.git) and build output are never plans.
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && (e.file_name().to_string_lossy().starts_with('.')
                        || e.file_name() == "target"))
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                // An unreadable folder may hold plans: report it as a failure.
                if let Some(path) = e.path() {
                    found.push(path.to_path_buf());
                }
                continue;
            }
        };
        let path = entry.path();
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if !is_toml || entry.file_type().is_dir() {
            continue;
        }
        match crate::model::read_regular(path, crate::model::limits::TOML_BYTES) {
            Ok(bytes) if !is_facility(&bytes) => skipped.push((
                path.to_path_buf(),
                "[facility] がないため施設の TOML ではありません",
            )),
            // A plan, or one that cannot be read: the build reports which.
            Ok(bytes) => {
                if let Some(base) = crate::model::extends_in(&bytes) {
                    let base = path.parent().unwrap_or(Path::new("")).join(base);
                    if !named.contains(&base) {
                        named.push(base);
                    }
                }
                found.push(path.to_path_buf());
            }
            Err(_) => found.push(path.to_path_buf()),
        }
    }
    // A file without [facility] that a plan extends is a chain's base: read
    // with each plan that names it, never built on its own.
    let bases: Vec<PathBuf> = named
        .iter()
        .flat_map(|base| std::iter::once(base.clone()).chain(crate::model::named_bases(base)))
        .filter_map(|b| b.canonicalize().ok())
        .collect();
    for (path, why) in &mut skipped {
        if path.canonicalize().is_ok_and(|p| bases.contains(&p)) {
            *why = BASE;
        }
    }
    // A base that does not parse was kept as a possible plan (it mentions
    // `facility`, say in a comment): its errors show with the stores that read it.
    if !bases.is_empty() {
        let (plans, broken): (Vec<PathBuf>, Vec<PathBuf>) = found.into_iter().partition(|p| {
            !p.canonicalize().is_ok_and(|c| bases.contains(&c))
                || crate::model::read_regular(p, crate::model::limits::TOML_BYTES)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
                    .is_some_and(|t| t.contains_key("facility"))
        });
        found = plans;
        skipped.extend(broken.into_iter().map(|p| (p, BASE)));
        skipped.sort();
    }
    (found, skipped)
}

/// Why a chain's base file is not built on its own.
pub const BASE: &str = "共通ファイル（施設の TOML が extends で読み込むファイル）です。それを読み込む施設ごとに組み込みます";

/// A facility TOML has a `facility` table, however it is written (`[facility]`,
/// `[ facility ]`, `facility.name = …`, an inline table). A file that does not
/// parse counts when it names `facility` at all, so its errors are reported.
fn is_facility(bytes: &[u8]) -> bool {
    let text = match std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) {
        Ok(text) => text,
        // Shift_JIS keeps ASCII as it is; UTF-16 puts a NUL beside each ASCII byte.
        Err(_) => {
            let ascii: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
            return contains(&ascii, b"facility");
        }
    };
    match toml::from_str::<toml::Table>(text) {
        Ok(table) => table.contains_key("facility"),
        Err(_) => contains(text.as_bytes(), b"facility"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Run `work` over `files` on `jobs` threads; results come back in input
/// order. A progress bar is drawn when stderr is a terminal.
pub fn run_parallel<T: Send>(
    files: &[PathBuf],
    jobs: usize,
    work: impl Fn(&Path) -> T + Sync,
) -> Vec<T> {
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..files.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, files.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    bar.set_message(file.display().to_string());
                    let result = work(file);
                    if let Ok(mut all) = results.lock() {
                        all[i] = Some(result);
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Where a batch writes the PDF of `input`: beside it, or mirrored under `out_dir`.
pub fn output_for(root: &Path, input: &Path, out_dir: Option<&Path>) -> PathBuf {
    match out_dir {
        None => input.with_extension("pdf"),
        Some(dir) => dir
            .join(input.strip_prefix(root).unwrap_or(input))
            .with_extension("pdf"),
    }
}

/// What became of one facility of a `build plans/`.
pub enum Outcome {
    Built {
        output: PathBuf,
        pages: usize,
        report: Report,
        /// Validation warnings with their file, shown after the ✓ line.
        warnings: Box<(SourceFile, Vec<Diagnostic>)>,
    },
    /// Its TOML (or a file it names) has errors: nothing was written.
    Input(InputErrors),
    /// Anything else (a template, writing): the error and its causes, worded
    /// by `messages` (OS errors in Japanese).
    Failed(anyhow::Error),
}

/// Build every facility on `jobs` threads, one after another per thread, and
/// hand each result to `write`; one failure does not stop the others.
pub fn build_all(
    config: &BuildConfig,
    root: &Path,
    files: &[PathBuf],
    out_dir: Option<&Path>,
    jobs: usize,
    write: impl Fn(&Made) -> anyhow::Result<()> + Sync,
) -> Vec<Outcome> {
    let bases = crate::model::Bases::default();
    run_parallel(files, jobs, |file| {
        let output = output_for(root, file, out_dir);
        let output = match config.public {
            true => pipeline::public_name(&output),
            false => output,
        };
        let outcome = match pipeline::prepare_file_with(file, config.today, &bases) {
            Err(e) => Outcome::Input(e),
            Ok(prepared) => match config
                .make(&prepared, &output, None)
                .and_then(|made| write(&made).map(|()| made))
            {
                Ok(made) => Outcome::Built {
                    output,
                    pages: made.pages,
                    report: made.today,
                    warnings: Box::new((prepared.file().clone(), prepared.warnings().to_vec())),
                },
                Err(e) => Outcome::Failed(e),
            },
        };
        // Keep what the next documents share (fonts, the template's layout),
        // drop the rest, so memory stays flat over a long batch.
        crate::pdf::evict_caches(4);
        outcome
    })
}

/// The `--summary` CSV: one row per facility, in input order.
/// `describe` words a failure (`messages::os::one_line`: OS errors in Japanese).
pub fn summary_rows(
    files: &[PathBuf],
    outcomes: &[Outcome],
    describe: impl Fn(&anyhow::Error) -> String,
) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "ファイル",
            "施設名",
            "種類",
            "結果",
            "PDF",
            "ページ",
            "記載済",
            "既定文のみ",
            "未記載",
            "エラー",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (file, outcome) in files.iter().zip(outcomes) {
        rows.push(match outcome {
            Outcome::Built {
                output,
                pages,
                report,
                ..
            } => vec![
                file.display().to_string(),
                report.facility.clone(),
                crate::render::kind_name(report.kind).into(),
                "成功".into(),
                output.display().to_string(),
                pages.to_string(),
                report.covered.to_string(),
                report.default.to_string(),
                report.missing.to_string(),
                String::new(),
            ],
            Outcome::Input(e) => {
                let first = e.error_lines().into_iter().next();
                error_row(file, &first.unwrap_or_else(|| e.to_string()))
            }
            Outcome::Failed(error) => error_row(file, &describe(error)),
        });
    }
    rows
}

fn error_row(file: &Path, message: &str) -> Vec<String> {
    let mut row = vec![file.display().to_string()];
    row.extend(["", "", "失敗", "", "", "", "", ""].map(String::from));
    row.push(message.lines().next().unwrap_or_default().to_string());
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_facility_tomls_in_order_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("b")).unwrap();
        std::fs::create_dir_all(p.join(".git")).unwrap();
        std::fs::create_dir_all(p.join("target")).unwrap();
        std::fs::write(p.join("b/z.toml"), "[facility]\nname = \"z\"\n").unwrap();
        std::fs::write(p.join("a.toml"), "# x\n[facility]\nname = \"a\"\n").unwrap();
        std::fs::write(p.join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        std::fs::write(p.join(".git/c.toml"), "[facility]\n").unwrap();
        std::fs::write(p.join("target/d.toml"), "[facility]\n").unwrap();
        std::fs::write(p.join("notes.txt"), "[facility]\n").unwrap();
        let (found, skipped) = find_facilities(p);
        assert_eq!(found, [p.join("a.toml"), p.join("b/z.toml")]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, p.join("Cargo.toml"));
    }

    #[test]
    fn plans_are_recognised_by_parsing_however_written() {
        let cases: &[(&[u8], bool)] = &[
            (b"[facility]\nname = \"a\"\n", true),
            (b"[ facility ]\nname = \"a\"\n", true),
            (b"facility.name = \"a\"\n", true),
            (b"facility = { name = \"a\" }\n", true),
            (b"\xEF\xBB\xBF[facility]\nname = \"a\"\n", true),
            // Broken, but a plan: its error must be reported.
            (b"[facility\nname = \"a\"\n", true),
            (b"\xFF\xFE[\0f\0a\0c\0i\0l\0i\0t\0y\0]\0", true),
            (b"[facility]\nname = \"\x95\x61\x89\x40\"\n", true),
            (b"[package]\nname = \"x\"\n", false),
            (b"[tool.facility_x]\n", false),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                is_facility(bytes),
                *want,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn parallel_results_keep_input_order() {
        let files: Vec<PathBuf> = (0..50).map(|i| PathBuf::from(format!("{i}"))).collect();
        let out = run_parallel(&files, 4, |p| p.display().to_string());
        assert_eq!(out, (0..50).map(|i| i.to_string()).collect::<Vec<_>>());
    }
}
