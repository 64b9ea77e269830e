//! `cyberbcp watch facility.toml [-o plan.pdf]`: rebuild whenever the TOML, a
//! file it references, or a template override changes. A broken edit prints
//! its error and the last good PDF stays; the World and Typst's caches are
//! reused, so a one-field edit rebuilds in a fraction of a cold build.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use notify::{Config, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::build::{self, Prepared};
use crate::cli::WatchArgs;
use crate::messages::Printer;
use crate::output::{self, Guard};
use crate::pdf::BcpWorld;
use crate::render::Templates;

/// Quiet time after the last event before rebuilding: editors write in bursts.
const SETTLE: Duration = Duration::from_millis(120);
const POLL: Duration = Duration::from_millis(500);

pub fn run(args: &WatchArgs, printer: &Printer) -> anyhow::Result<i32> {
    let input = args.input.clone();
    if !input.is_file() {
        bail!(
            "{} が見つかりません（watch には施設の TOML ファイルを指定します）",
            input.display()
        );
    }
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| input.with_extension("pdf"));
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir)?,
        None => Templates::builtin(),
    };
    Guard::for_plan(&input, templates.files_read()).claim(&output)?;
    let (tx, rx) = mpsc::channel();
    let (mut watcher, polling) = make_watcher(tx, args.poll, printer)?;
    let base = input
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    // Change events: the folder, not the file, as editors replace files by
    // renaming. Polling: just the files, as it reads every watched file.
    let (target, mode) = if polling {
        (input.as_path(), RecursiveMode::NonRecursive)
    } else {
        (base.as_path(), RecursiveMode::Recursive)
    };
    watcher
        .watch(target, mode)
        .with_context(|| format!("{} を監視できません", target.display()))?;
    if let Some(dir) = &args.templates {
        watcher
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("{} を監視できません", dir.display()))?;
    }
    printer.info(&format!(
        "{} を監視しています（Ctrl+C で終了）。保存するたびに {} を作り直します",
        input.display(),
        output.display()
    ));

    let mut session = Session {
        input,
        output,
        // Events carry absolute paths.
        templates_dir: args
            .templates
            .as_ref()
            .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.clone())),
        world: None,
        watched: Vec::new(),
    };
    session.rebuild(printer);
    let mut polled: Vec<PathBuf> = Vec::new();
    if polling {
        poll_new_files(watcher.as_mut(), &session.watched, &mut polled);
    }
    loop {
        // Wait for a change to something the document is made from…
        loop {
            let Ok(event) = rx.recv() else { return Ok(0) };
            if session.is_relevant(&event) {
                break;
            }
        }
        // …then let the burst of events from one save settle (other files
        // in the folder that keep changing cannot hold the rebuild back).
        let deadline = Instant::now() + SETTLE * 8;
        while Instant::now() < deadline && rx.recv_timeout(SETTLE).is_ok() {}
        session.rebuild(printer);
        if polling {
            poll_new_files(watcher.as_mut(), &session.watched, &mut polled);
        }
    }
}

/// Polling watches files one by one: add the CSV or diagram the TOML names.
fn poll_new_files(watcher: &mut dyn notify::Watcher, files: &[PathBuf], polled: &mut Vec<PathBuf>) {
    for file in files {
        if !polled.contains(file) && watcher.watch(file, RecursiveMode::NonRecursive).is_ok() {
            polled.push(file.clone());
        }
    }
}

/// The watcher, and whether it polls.
fn make_watcher(
    tx: mpsc::Sender<notify::Result<notify::Event>>,
    poll: bool,
    printer: &Printer,
) -> anyhow::Result<(Box<dyn notify::Watcher>, bool)> {
    // Contents, not only times: mtimes are compared to the second.
    let polling = |tx| -> anyhow::Result<(Box<dyn notify::Watcher>, bool)> {
        let config = Config::default()
            .with_poll_interval(POLL)
            .with_compare_contents(true);
        Ok((Box::new(PollWatcher::new(tx, config)?), true))
    };
    if poll {
        return polling(tx);
    }
    match RecommendedWatcher::new(tx.clone(), Config::default()) {
        Ok(w) => Ok((Box::new(w), false)),
        // Network drives and some WSL mounts give no change events.
        Err(e) => {
            printer.info(&format!(
                "変更通知が使えないため 0.5 秒ごとに確認します（{e}）"
            ));
            polling(tx)
        }
    }
}

struct Session {
    input: PathBuf,
    output: PathBuf,
    templates_dir: Option<PathBuf>,
    /// Kept across rebuilds: unchanged sources keep Typst's caches valid.
    world: Option<BcpWorld>,
    /// Files the last good load read (the TOML, its CSV and diagram).
    watched: Vec<PathBuf>,
}

impl Session {
    fn is_relevant(&self, event: &notify::Result<notify::Event>) -> bool {
        let Ok(event) = event else { return true };
        if event.kind.is_access() {
            return false;
        }
        event.paths.iter().any(|p| {
            let same = |a: &Path| same_file(a, p);
            same(&self.input)
                || self.watched.iter().any(|w| same(w))
                || self
                    .templates_dir
                    .as_ref()
                    .is_some_and(|d| p.starts_with(d) || same(d))
        })
    }

    fn rebuild(&mut self, printer: &Printer) {
        let started = Instant::now();
        match self.build() {
            Ok((prepared, pages)) => {
                printer.diagnostics(prepared.file(), prepared.warnings());
                printer.info(&format!(
                    "{} → {}（{pages} ページ、{} ms）",
                    self.input.display(),
                    self.output.display(),
                    started.elapsed().as_millis()
                ));
            }
            Err(e) => {
                printer.error(&e);
                printer.info(&format!(
                    "{} は前の版のままです。修正して保存してください",
                    self.output.display()
                ));
            }
        }
    }

    fn build(&mut self) -> anyhow::Result<(Prepared, usize)> {
        let templates = match &self.templates_dir {
            Some(dir) => Templates::with_overrides(dir)?,
            None => Templates::builtin(),
        };
        let prepared = build::prepare_file(&self.input)?;
        self.watched = referenced_files(&prepared);
        // The TOML may name other files since the last build.
        Guard::for_plan(&self.input, templates.files_read()).claim(&self.output)?;
        let rendered = prepared.render(&templates)?;
        let date = prepared.date();
        let world = match &mut self.world {
            Some(world) => {
                world.update(&rendered, date);
                world
            }
            None => self.world.insert(BcpWorld::new(&rendered, date)),
        };
        let out = build::compile_in(world, date)?;
        output::write(&self.output, &out.pdf)
            .with_context(|| format!("PDF を {} に書き込めません", self.output.display()))?;
        // Keep the cache of recent compilations only.
        crate::pdf::evict_caches(10);
        Ok((prepared, out.pages))
    }
}

fn referenced_files(prepared: &Prepared) -> Vec<PathBuf> {
    let plan = &prepared.loaded.plan;
    let base = &prepared.loaded.base_dir;
    plan.device_ledger
        .iter()
        .map(|l| base.join(&l.file))
        .chain(
            plan.network
                .iter()
                .filter_map(|n| n.diagram.as_ref())
                .map(|d| base.join(d)),
        )
        .collect()
}

/// Paths from the watcher are absolute; ours may be relative.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => {
            let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            abs(a) == abs(b)
        }
    }
}
