//! Rebuild whenever the TOML, a file it references, or a template override
//! changes (`cyberbcp watch`). A broken edit leaves the last good PDF; the
//! World and Typst's caches are reused, so a one-field edit rebuilds in a
//! fraction of a cold build.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use notify::{Config, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::cli::Also;
use crate::model::Date;
use crate::pdf::BcpWorld;
use crate::pipeline::{self, BuildConfig, Made, Prepared};

/// Quiet time after the last event before rebuilding: editors write in bursts.
const SETTLE: Duration = Duration::from_millis(120);
const POLL: Duration = Duration::from_millis(500);

type Events = mpsc::Receiver<notify::Result<notify::Event>>;

pub struct Watching {
    events: Events,
    watcher: Box<dyn notify::Watcher>,
    /// Polling watches files one by one (the TOML, then what it names).
    polling: bool,
    polled: Vec<PathBuf>,
    /// Why change events could not be used, when we fell back to polling.
    pub fell_back: Option<String>,
    input: PathBuf,
    output: PathBuf,
    also: Vec<Also>,
    /// Made again on each rebuild when there are template overrides (they may
    /// have changed); a broken one is reported like a broken TOML.
    config: Option<BuildConfig>,
    /// Absolute, as events carry absolute paths.
    templates_dir: Option<PathBuf>,
    /// Kept across rebuilds: unchanged sources keep Typst's caches valid.
    world: Option<BcpWorld>,
    /// Files the last good load read (the TOML, its CSV and diagram).
    watched: Vec<PathBuf>,
    /// The base files the plan `extends`, through the chain.
    bases: Vec<PathBuf>,
    /// `--today`; without it each rebuild judges on [`Date::now`], so a
    /// watch left running overnight follows the day.
    pub today: Option<Date>,
}

impl Watching {
    pub fn start(
        input: &Path,
        output: &Path,
        templates: Option<&Path>,
        also: &[Also],
        poll: bool,
    ) -> anyhow::Result<Self> {
        let (tx, events) = mpsc::channel();
        let (mut watcher, fell_back) = make_watcher(tx, poll)?;
        let polling = poll || fell_back.is_some();
        let base = input
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        // Change events: the folder, not the file, as editors replace files by
        // renaming. Polling: just the files, as it reads every watched file.
        let (target, mode) = if polling {
            (input, RecursiveMode::NonRecursive)
        } else {
            (base.as_path(), RecursiveMode::Recursive)
        };
        watcher
            .watch(target, mode)
            .with_context(|| format!("{} を監視できません", target.display()))?;
        if let Some(dir) = templates {
            watcher
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("{} を監視できません", dir.display()))?;
        }
        Ok(Self {
            events,
            watcher,
            polling,
            polled: Vec::new(),
            fell_back,
            input: input.to_path_buf(),
            output: output.to_path_buf(),
            also: also.to_vec(),
            config: None,
            templates_dir: templates
                .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf())),
            world: None,
            watched: Vec::new(),
            bases: Vec::new(),
            today: None,
        })
    }

    /// Make the plan and its `--also` documents again (nothing is written).
    pub fn rebuild(&mut self) -> anyhow::Result<(Prepared, Made)> {
        // A chain's base files, named even when the plan has errors: a fix
        // there must rebuild too. Outside the plan's folder, their folder is watched.
        self.bases = crate::model::named_bases(&self.input);
        for base in &self.bases {
            let target = match self.polling {
                true => base.clone(),
                false => base
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            };
            if !self.polled.contains(&target)
                && self
                    .watcher
                    .watch(&target, RecursiveMode::NonRecursive)
                    .is_ok()
            {
                self.polled.push(target);
            }
        }
        let made = self.make();
        if self.polling {
            for file in &self.watched {
                if !self.polled.contains(file)
                    && self
                        .watcher
                        .watch(file, RecursiveMode::NonRecursive)
                        .is_ok()
                {
                    self.polled.push(file.clone());
                }
            }
        }
        made
    }

    /// The template overrides whose built-ins have changed since they were
    /// ejected, as last loaded ([`crate::render::Templates::stale`]).
    pub fn stale_templates(&self) -> &[String] {
        self.config.as_ref().map_or(&[], |c| c.templates.stale())
    }

    fn make(&mut self) -> anyhow::Result<(Prepared, Made)> {
        let config = match self.config.take() {
            Some(config) if self.templates_dir.is_none() => config,
            _ => BuildConfig::new(self.templates_dir.as_deref(), &self.also)?,
        };
        let config = self.config.insert(config);
        config.today = self.today.unwrap_or_else(Date::now);
        let prepared = pipeline::prepare_file_on(&self.input, config.today)?;
        self.watched = referenced_files(&prepared);
        let made = config.make(&prepared, &self.output, Some(&mut self.world))?;
        // Keep the cache of recent compilations only.
        crate::pdf::evict_caches(10);
        Ok((prepared, made))
    }

    /// Wait for a change to something the document is made from and let the
    /// burst of events from one save settle; false once the watcher has stopped.
    pub fn wait(&mut self) -> bool {
        loop {
            let Ok(event) = self.events.recv() else {
                return false;
            };
            if self.is_relevant(&event) {
                break;
            }
        }
        // Other files in the folder that keep changing cannot hold the rebuild back.
        let deadline = Instant::now() + SETTLE * 8;
        while Instant::now() < deadline && self.events.recv_timeout(SETTLE).is_ok() {}
        true
    }

    fn is_relevant(&self, event: &notify::Result<notify::Event>) -> bool {
        let Ok(event) = event else { return true };
        if event.kind.is_access() {
            return false;
        }
        event.paths.iter().any(|p| {
            let same = |a: &Path| same_file(a, p);
            same(&self.input)
                || self.bases.iter().any(|b| same(b))
                || self.watched.iter().any(|w| same(w))
                || self
                    .templates_dir
                    .as_ref()
                    .is_some_and(|d| p.starts_with(d) || same(d))
        })
    }
}

/// The watcher, and why it polls when change events were asked for but failed.
fn make_watcher(
    tx: mpsc::Sender<notify::Result<notify::Event>>,
    poll: bool,
) -> anyhow::Result<(Box<dyn notify::Watcher>, Option<String>)> {
    // Contents, not only times: mtimes are compared to the second.
    let polling = |tx| -> anyhow::Result<Box<dyn notify::Watcher>> {
        let config = Config::default()
            .with_poll_interval(POLL)
            .with_compare_contents(true);
        Ok(Box::new(PollWatcher::new(tx, config)?))
    };
    if poll {
        return Ok((polling(tx)?, None));
    }
    match RecommendedWatcher::new(tx.clone(), Config::default()) {
        Ok(w) => Ok((Box::new(w), None)),
        // Network drives and some WSL mounts give no change events.
        Err(e) => Ok((polling(tx)?, Some(e.to_string()))),
    }
}

fn referenced_files(prepared: &Prepared) -> Vec<PathBuf> {
    let loaded = &prepared.loaded;
    let plan = &loaded.plan;
    plan.device_ledger
        .iter()
        .map(|l| loaded.dir_for("device_ledger.file").join(&l.file))
        .chain(
            plan.network
                .iter()
                .filter_map(|n| n.diagram.as_ref())
                .map(|d| loaded.dir_for("network.diagram").join(d)),
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
