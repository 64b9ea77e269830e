//! Writing what a build makes without ever losing a user's file.
//!
//! - Every output is compared, by identity (same file on disk, or the same
//!   canonical path), with every file the build reads (the TOML, the device
//!   ledger, the diagram, template overrides) and with every other output of
//!   the same run, before anything is written ([`Guard`]).
//! - Regular files are replaced atomically (temporary file + rename), through
//!   symlinks; devices and FIFOs (`/dev/null`, `>(lpr)`) are written directly,
//!   never renamed over; `-` is standard output.
//! - A temporary file is removed on SIGINT/SIGTERM/SIGHUP, and temporary files
//!   left by a killed build are cleared by the next one in the same folder.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, bail};

use crate::pdf::fonts;
use crate::pipeline::Made;
use crate::render::{BUILTIN, Rendered};

/// `-o -`: write to standard output.
pub const STDOUT: &str = "-";

/// Prefix and suffix of our temporary files (`.cyberbcp-<pid>-XXXXXX.tmp`).
const TMP_PREFIX: &str = ".cyberbcp-";
const TMP_SUFFIX: &str = ".tmp";

/// A temporary file whose process is gone is removed at once; one we cannot
/// attribute (no /proc, older name) once it is this old.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// An output that would overwrite an input or another output: the user's
/// command is wrong, so this is an input error (exit 2), and nothing is written.
#[derive(Debug)]
pub struct Refused {
    pub message: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Refused {}

fn refuse(message: String) -> anyhow::Error {
    anyhow::Error::new(Refused { message })
}

/// What a path is on disk: its canonical path (or, for a file that does not
/// exist yet, its canonical folder joined with its name) and, on Unix, the
/// device and inode of an existing file.
#[derive(Debug, Clone)]
struct Identity {
    path: PathBuf,
    inode: Option<(u64, u64)>,
}

impl Identity {
    fn of(path: &Path) -> Self {
        let canonical = std::fs::canonicalize(path).ok().or_else(|| {
            let name = path.file_name()?;
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            Some(std::fs::canonicalize(parent).ok()?.join(name))
        });
        let path = canonical
            .or_else(|| std::path::absolute(path).ok())
            .unwrap_or_else(|| path.to_path_buf());
        Self {
            inode: inode(&path),
            path,
        }
    }

    fn same(&self, other: &Self) -> bool {
        self.path == other.path || (self.inode.is_some() && self.inode == other.inode)
    }
}

#[cfg(unix)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// The files one run reads and the outputs it has claimed so far. Claim every
/// output before writing any: a clash fails the whole run with nothing written.
#[derive(Debug, Default)]
pub struct Guard {
    inputs: Vec<(Identity, PathBuf)>,
    outputs: Vec<(Identity, PathBuf)>,
}

impl Guard {
    pub fn new() -> Self {
        Self::default()
    }

    /// One plan's inputs: the TOML, the files it names, the template overrides.
    pub fn for_plan(toml: &Path, templates: Option<&Path>) -> Self {
        let mut guard = Self::new();
        guard.plan(toml);
        guard.templates(templates);
        guard
    }

    /// The override files in a `--templates` folder (those with a built-in's name).
    pub fn templates(&mut self, dir: Option<&Path>) {
        if let Some(dir) = dir {
            for (name, _) in BUILTIN.iter() {
                self.input(&dir.join(name));
            }
        }
    }

    /// Claim every path, stopping at the first clash.
    pub fn claim_all(&mut self, paths: &[PathBuf]) -> anyhow::Result<()> {
        paths.iter().try_for_each(|p| self.claim(p))
    }

    /// A file this run reads (missing files are fine: nothing to protect).
    pub fn input(&mut self, path: &Path) {
        self.inputs.push((Identity::of(path), path.to_path_buf()));
    }

    /// The facility TOML and the files it names (ledger CSV, diagram), found
    /// by reading the TOML leniently, so this works before (and whether or not)
    /// the plan is valid.
    /// A chain's base files (`extends`) and the files they name are inputs too.
    pub fn plan(&mut self, toml: &Path) {
        let bases = crate::model::named_bases(toml);
        for file in std::iter::once(toml).chain(bases.iter().map(PathBuf::as_path)) {
            self.input(file);
            for named in referenced_files(file) {
                self.input(&named);
            }
        }
    }

    /// Claim `path` as an output; refused if it is an input or already claimed.
    pub fn claim(&mut self, path: &Path) -> anyhow::Result<()> {
        if is_stdout(path) {
            if self.outputs.iter().any(|(_, p)| is_stdout(p)) {
                return Err(refuse(
                    "標準出力（-）に書き出せるのは 1 つのファイルだけです".into(),
                ));
            }
            self.outputs
                .push((Identity::of(Path::new(STDOUT)), path.to_path_buf()));
            return Ok(());
        }
        let id = Identity::of(path);
        if let Some((_, input)) = self.inputs.iter().find(|(i, _)| i.same(&id)) {
            return Err(refuse(format!(
                "出力先 {} は、読み込むファイル {} と同じファイルです（上書きすると元のファイルが失われるため、何も書き出していません）",
                path.display(),
                input.display()
            )));
        }
        if let Some((_, other)) = self.outputs.iter().find(|(o, _)| o.same(&id)) {
            return Err(refuse(format!(
                "出力先 {} と {} が同じファイルになります（一方が他方を上書きするため、何も書き出していません）",
                path.display(),
                other.display()
            )));
        }
        if let Ok(m) = std::fs::metadata(path)
            && m.is_dir()
        {
            return Err(refuse(format!(
                "出力先 {} はフォルダです。ファイル名を指定してください",
                path.display()
            )));
        }
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(path).is_err()
        {
            return Err(refuse(format!(
                "出力先 {} は存在しないファイルを指すリンクです（リンクの先には書き出しません）",
                path.display()
            )));
        }
        self.outputs.push((id, path.to_path_buf()));
        Ok(())
    }
}

/// A whole batch, before anything is written: every output of every facility
/// (`outputs` names a facility's files) and the summary, against every
/// facility's inputs and each other.
pub fn check_batch(
    files: &[PathBuf],
    outputs: impl Fn(&Path) -> Vec<PathBuf>,
    summary: Option<&Path>,
    templates: Option<&Path>,
) -> anyhow::Result<()> {
    let mut guard = Guard::new();
    guard.templates(templates);
    for file in files {
        guard.plan(file);
    }
    for file in files {
        guard.claim_all(&outputs(file))?;
    }
    summary.map_or(Ok(()), |s| guard.claim(s))
}

/// Write what one build made (the plan first, then its `--also` files);
/// called only once all were made, so a failure leaves every previous file.
pub fn write_made(made: &Made) -> anyhow::Result<()> {
    for (i, file) in made.files.iter().enumerate() {
        write(&file.path, &file.bytes).with_context(|| match i {
            0 => format!("PDF を {} に書き込めません", file.path.display()),
            _ => format!("{} に書き込めません", file.path.display()),
        })?;
    }
    Ok(())
}

/// [`write_made`] after checking what was made against the plan's inputs as
/// they are now (`watch`: the TOML may name other files since it started).
pub fn write_checked(made: &Made, toml: &Path, templates: Option<&Path>) -> anyhow::Result<()> {
    let paths: Vec<PathBuf> = made.files.iter().map(|f| f.path.clone()).collect();
    Guard::for_plan(toml, templates).claim_all(&paths)?;
    write_made(made)
}

/// The ledger CSV and diagram a TOML names, resolved beside it. Read leniently
/// (a syntax error elsewhere does not hide them; an unreadable TOML names none).
pub fn referenced_files(toml: &Path) -> Vec<PathBuf> {
    #[derive(serde::Deserialize)]
    struct Refs {
        device_ledger: Option<Ledger>,
        network: Option<Network>,
    }
    #[derive(serde::Deserialize)]
    struct Ledger {
        file: Option<String>,
    }
    #[derive(serde::Deserialize)]
    struct Network {
        diagram: Option<String>,
    }
    let Ok(bytes) = crate::model::read_regular(toml, crate::model::limits::TOML_BYTES) else {
        return Vec::new();
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Vec::new();
    };
    let Ok(refs) = toml::from_str::<Refs>(text) else {
        return Vec::new();
    };
    let base = match toml.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    refs.device_ledger
        .and_then(|l| l.file)
        .into_iter()
        .chain(refs.network.and_then(|n| n.diagram))
        .map(|f| base.join(f))
        .collect()
}

pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == STDOUT
}

/// Write one output: `-` to standard output, an existing device or FIFO
/// directly, anything else atomically (through a symlink to its target).
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()?;
        return Ok(());
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => bail!("{} はフォルダです", path.display()),
        // A device or FIFO is not ours to replace: write into it, as `cat > x` would.
        Ok(m) if !m.is_file() => {
            let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
            file.write_all(bytes)?;
            return Ok(());
        }
        _ => {}
    }
    // Through a symlink: replace the file it points to, keep the link.
    let target = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        std::fs::canonicalize(path)
            .with_context(|| format!("{} のリンク先を開けません", path.display()))?
    } else {
        path.to_path_buf()
    };
    write_atomically(&target, bytes)
}

/// Temporary files being written now, removed if a signal ends the process.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Write to a temporary file beside the target, then rename over it: a
/// failed or interrupted build never leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    clear_stale(&dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TMP_PREFIX}{}-", std::process::id()))
        .suffix(TMP_SUFFIX)
        .tempfile_in(&dir)
        .with_context(|| format!("{} に一時ファイルを作れません", dir.display()))?;
    let tmp_path = tmp.path().to_path_buf();
    if let Ok(mut pending) = PENDING.lock() {
        pending.push(tmp_path.clone());
    }
    let result = (|| -> anyhow::Result<()> {
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            // tempfile creates 0600; a printed plan is meant to be shared.
            let mode = std::fs::metadata(path)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o644);
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode & 0o777))?;
        }
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Ok(mut pending) = PENDING.lock() {
        pending.retain(|p| p != &tmp_path);
    }
    result
}

/// Remove temporary files of ours in `dir` that no running build owns: the
/// process named in the file is gone, or the file is old.
pub fn clear_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    let proc_fs = Path::new("/proc/self").exists();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(middle) = name
            .strip_prefix(TMP_PREFIX)
            .and_then(|n| n.strip_suffix(TMP_SUFFIX))
        else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let pid = middle
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let orphan = match pid {
            Some(pid) if pid == me => false,
            Some(pid) if proc_fs => !Path::new("/proc").join(pid.to_string()).exists(),
            _ => false,
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if orphan || old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary files being written,
/// then end as the shell expects (128 + signal number).
pub fn remove_temp_files_on_signal() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_pending();
                std::process::exit(128 + signal);
            }
        });
    }
}

fn remove_pending() {
    let pending = match PENDING.lock() {
        Ok(p) => p.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    for path in pending {
        let _ = std::fs::remove_file(path);
    }
}

/// The generated Typst project, compilable with
/// `typst compile --font-path DIR --ignore-system-fonts DIR/main.typ`.
/// Every file is claimed in `guard` first, so it cannot replace an input.
pub fn emit_typst(dir: &Path, rendered: &Rendered, guard: &mut Guard) -> anyhow::Result<()> {
    let mut files: Vec<(PathBuf, &[u8])> = vec![(dir.join("main.typ"), rendered.main.as_bytes())];
    for (name, text) in &rendered.sources {
        files.push((dir.join(name), text.as_bytes()));
    }
    files.push((dir.join("data.json"), &rendered.data));
    for asset in &rendered.assets {
        files.push((dir.join(&asset.name), &asset.bytes));
    }
    for (name, bytes) in fonts::FILES {
        let path = dir.join(name);
        if !path.exists() {
            files.push((path, bytes));
        }
    }
    for (path, _) in &files {
        guard.claim(path)?;
    }
    std::fs::create_dir_all(dir.join("assets"))?;
    for (path, bytes) in &files {
        write(path, bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_spelled_differently_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("f.toml");
        std::fs::write(&toml, "[facility]\n").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let mut guard = Guard::new();
        guard.input(&toml);
        let spelled = dir.path().join("sub/../f.toml");
        assert!(guard.claim(&spelled).is_err());
        assert!(guard.claim(&dir.path().join("f.pdf")).is_ok());
        assert!(guard.claim(&dir.path().join("sub/../f.pdf")).is_err());
    }

    #[test]
    fn stale_temp_files_of_dead_processes_go_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir
            .path()
            .join(format!(".cyberbcp-{}-abc.tmp", std::process::id()));
        std::fs::write(&mine, "x").unwrap();
        let other = dir.path().join("notes.tmp");
        std::fs::write(&other, "x").unwrap();
        clear_stale(dir.path());
        assert!(mine.exists() && other.exists());
        if Path::new("/proc/self").exists() {
            // Above the kernel's pid_max: never a live process.
            let dead = dir.path().join(".cyberbcp-4294967000-abc.tmp");
            std::fs::write(&dead, "x").unwrap();
            clear_stale(dir.path());
            assert!(!dead.exists());
        }
    }
}
