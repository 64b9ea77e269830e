//! What `init` writes, as library functions any front end can call (`init`,
//! a chain's `init --extends`, the editor's "new plan"): the starter TOML of a
//! facility kind (every key explained from the schema), the filled-in example
//! plans with their files, the JSON Schema beside a plan, and the built-in
//! templates. Nothing here prints: each function says what it did, and the
//! caller words it. Nothing already there is ever written over.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use unicode_width::UnicodeWidthStr as _;

use crate::model::{Date, Kind};
use crate::output::write_atomically;
use crate::render::{BUILTIN, Templates, stamped};
use crate::schema::{self, KeyDoc};

const STARTER: &str = include_str!("../templates/init/facility.toml.tera");
/// A chain's store: only what a store fills, over its head office's base.
const STORE_STARTER: &str = include_str!("../templates/init/store.toml.tera");

/// A filled-in example plan for one facility kind and the files it
/// references, at the same relative paths.
pub struct Example {
    pub toml: &'static str,
    pub files: &'static [(&'static str, &'static [u8])],
    /// What the example is, for messages (「架空の 200 床の病院」).
    pub what: &'static str,
}

const HOSPITAL: Example = Example {
    toml: include_str!("../facility.example.toml"),
    files: &[
        (
            "examples/devices.csv",
            include_bytes!("../examples/devices.csv"),
        ),
        (
            "examples/network.svg",
            include_bytes!("../examples/network.svg"),
        ),
    ],
    what: "架空の 200 床の病院",
};

const CLINIC: Example = Example {
    toml: include_str!("../examples/clinic/facility.toml"),
    files: &[(
        "network.svg",
        include_bytes!("../examples/clinic/network.svg"),
    )],
    what: "架空の無床診療所",
};

const PHARMACY: Example = Example {
    toml: include_str!("../examples/pharmacy/facility.toml"),
    files: &[(
        "network.png",
        include_bytes!("../examples/pharmacy/network.png"),
    )],
    what: "架空の保険薬局",
};

/// The example plan of a kind.
pub fn example_of(kind: Kind) -> &'static Example {
    match kind {
        Kind::Hospital => &HOSPITAL,
        Kind::Clinic => &CLINIC,
        Kind::Pharmacy => &PHARMACY,
    }
}

/// What happened to the schema file beside a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaFile {
    /// Written (new, or an older schema of ours refreshed).
    Written(PathBuf),
    /// Already this version's schema.
    Unchanged(PathBuf),
    /// A file of that name that is not ours: left alone.
    KeptOthers(PathBuf),
}

/// What [`create_plan`] and [`create_example`] wrote.
#[derive(Debug, Clone)]
pub struct Created {
    /// The plan's TOML.
    pub plan: PathBuf,
    /// Every file written, the plan first (the schema is in `schema`).
    pub files: Vec<PathBuf>,
    /// Folders that did not exist and were made, outermost first.
    pub folders: Vec<PathBuf>,
    pub schema: SchemaFile,
}

/// The starter TOML for a kind, as `init` writes it to a file named
/// `file_name` (the name its comments quote): our own wording only, so no
/// escaping is involved. Every key line gets its explanation from the schema
/// (the model's `///` comments).
pub fn text(kind: Kind, file_name: &str) -> anyhow::Result<String> {
    fill(STARTER, kind, file_name, tera::Context::new())
}

/// `init --extends BASE`: a store's starter over its head office's base
/// (`base` as the user wrote it: relative to the new file's folder). The
/// flag says whether the base could be read (its tables are listed).
pub fn store_text(kind: Kind, path: &Path, base: &str) -> anyhow::Result<(String, bool)> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tables = crate::model::base_tables(&dir.join(base));
    let readable = tables.is_some();
    let mut ctx = tera::Context::new();
    ctx.insert("extends", base);
    ctx.insert("base_tables", &tables.unwrap_or_default());
    ctx.insert("schema_file", schema::BASE_FILE_NAME);
    let text = fill(STORE_STARTER, kind, &file_name(path), ctx)?;
    Ok((text, readable))
}

fn fill(
    template: &str,
    kind: Kind,
    file_name: &str,
    extra: tera::Context,
) -> anyhow::Result<String> {
    let templates = Templates::builtin();
    let terms = templates.terms(kind);
    let mut ctx = tera::Context::new();
    ctx.insert("kind", kind.as_str());
    ctx.insert("t", terms);
    ctx.insert("today", &Date::now().to_string());
    ctx.insert("file", file_name);
    ctx.insert("schema_file", schema::FILE_NAME);
    ctx.extend(extra);
    let text = tera::Tera::one_off(template, &ctx, false).context("ひな形の TOML を作れません")?;
    annotate(&text, &schema::keys())
}

/// The file name a plan's comments quote (`facility.toml` when the path has none).
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "facility.toml".into(),
        |f| f.to_string_lossy().into_owned(),
    )
}

/// Write the starter of `kind` at `path`, and the schema beside it. The
/// folder is made if it does not exist (as `cargo new` does); a file or a
/// link already at `path` (even one pointing nowhere) is refused.
pub fn create_plan(path: &Path, kind: Kind) -> anyhow::Result<Created> {
    refuse_existing(path)?;
    let text = text(kind, &file_name(path))?;
    create_plan_text(path, &text)
}

/// Write a plan's text at `path` (a starter someone else made, e.g. one that
/// extends a chain's base), with the folder and the schema, as [`create_plan`].
pub fn create_plan_text(path: &Path, text: &str) -> anyhow::Result<Created> {
    create_text(path, text, false)
}

/// `init --extends BASE`: a store's starter at `path`, with the base schema
/// beside it (no table required). The flag: whether the base could be read.
pub fn create_store(path: &Path, kind: Kind, base: &str) -> anyhow::Result<(Created, bool)> {
    refuse_existing(path)?;
    let (text, readable) = store_text(kind, path, base)?;
    Ok((create_text(path, &text, true)?, readable))
}

fn create_text(path: &Path, text: &str, base_schema: bool) -> anyhow::Result<Created> {
    refuse_existing(path)?;
    let folders = make_parent(path)?;
    let schema = write_schema(path, base_schema)?;
    create_new(path, text.as_bytes())?;
    Ok(Created {
        plan: path.to_path_buf(),
        files: vec![path.to_path_buf()],
        folders,
        schema,
    })
}

/// An error if something (a file, a folder, a link even to nowhere) is at `path`.
fn refuse_existing(path: &Path) -> anyhow::Result<()> {
    // symlink_metadata: a link (even one pointing nowhere) is something already there.
    if std::fs::symlink_metadata(path).is_ok() {
        bail!(Exists(path.to_path_buf()));
    }
    Ok(())
}

/// A file `init` will not write over.
#[derive(Debug)]
pub struct Exists(pub PathBuf);

impl std::fmt::Display for Exists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} はすでにあります（上書きしません）", self.0.display())
    }
}

impl std::error::Error for Exists {}

/// Make the folder `path` goes in, if missing: the folders made, outermost first.
fn make_parent(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(Vec::new());
    };
    let missing: Vec<PathBuf> = parent
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| std::fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(parent).with_context(|| {
        format!(
            "{} を作れません（フォルダ {} を作れませんでした）",
            path.display(),
            parent.display()
        )
    })?;
    Ok(missing.into_iter().rev().collect())
}

/// Create a file that must not exist yet: refused (never followed) if a file
/// or a link, even a dangling one, appears at the path in the meantime.
fn create_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("{} に書き込めません（上書きはしません）", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("{} に書き込めません", path.display()))
}

/// The `#:schema` directive taplo (VS Code's Even Better TOML) reads.
fn directive() -> String {
    format!("#:schema ./{}\n", schema::FILE_NAME)
}

/// Write the schema beside `toml`. A schema file of ours is refreshed (it
/// belongs to the tool's version); anyone else's file is left alone.
/// `base`: the schema for a chain's files (`extends`), where no table is required.
pub fn write_schema(toml: &Path, base: bool) -> anyhow::Result<SchemaFile> {
    let dir = match toml.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (name, text) = match base {
        true => (schema::BASE_FILE_NAME, schema::base_text()),
        false => (schema::FILE_NAME, schema::text()),
    };
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(old) if old == text => return Ok(SchemaFile::Unchanged(path)),
        Ok(old) if !schema::is_ours(&old) => return Ok(SchemaFile::KeptOthers(path)),
        _ => {}
    }
    write_atomically(&path, text.as_bytes())
        .with_context(|| format!("{} に書き込めません", path.display()))?;
    Ok(SchemaFile::Written(path))
}

/// Column where the explanations start, so the starter reads as a table.
const COMMENT_COLUMN: usize = 44;

/// Append `# 説明` to each `key = value` line (commented out or not), from the
/// table header above it. A key the schema does not know is a bug in the
/// starter, so it fails here (and in the tests) rather than ship undocumented.
fn annotate(text: &str, keys: &[KeyDoc]) -> anyhow::Result<String> {
    let docs: HashMap<&str, &KeyDoc> = keys.iter().map(|k| (k.path.as_str(), k)).collect();
    let mut table = String::new();
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let code = line.strip_prefix("# ").unwrap_or(line);
        if let Some(header) = table_header(code) {
            table = header.to_string();
            out.push_str(line);
        } else if let Some(key) = key_of(code) {
            let path = if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            };
            let Some(doc) = docs.get(path.as_str()) else {
                bail!("ひな形の TOML のキー {path} がスキーマにありません");
            };
            out.push_str(line);
            let pad = COMMENT_COLUMN.saturating_sub(line.width()).max(2);
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str("# ");
            out.push_str(&doc.description);
            if doc.required {
                out.push_str("（必須）");
            }
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    Ok(out)
}

/// `[facility]`, `[[training.drills]]` → the dotted table name.
fn table_header(line: &str) -> Option<&str> {
    let inner = line.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(inner);
    inner
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        .then_some(inner)
}

/// `name = "…"` → `name`. Explanatory comment lines never take this form.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once(" = ")?;
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')).then_some(key)
}

/// The example plan of `kind` in `dir` (made if missing) with the files it
/// references (ledger, diagram) and the schema; refused before anything is
/// written if any of those files is already there.
pub fn create_example(dir: &Path, kind: Kind) -> anyhow::Result<Created> {
    let example = example_of(kind);
    let toml = dir.join("facility.toml");
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(
        toml.clone(),
        format!("{}{}", directive(), example.toml).into_bytes(),
    )];
    for (name, bytes) in example.files {
        files.push((dir.join(name), bytes.to_vec()));
    }
    for (path, _) in &files {
        refuse_existing(path)?;
    }
    let mut folders = Vec::new();
    for (path, bytes) in &files {
        folders.extend(make_parent(path)?);
        create_new(path, bytes)?;
    }
    let schema = write_schema(&toml, false)?;
    Ok(Created {
        plan: toml,
        files: files.into_iter().map(|(p, _)| p).collect(),
        folders,
        schema,
    })
}

/// What [`eject_templates`] did.
#[derive(Debug, Clone, Default)]
pub struct Ejected {
    pub written: usize,
    /// Files already there, left alone.
    pub kept: Vec<&'static str>,
}

/// Write every built-in template into `dir`, leaving files already there
/// alone. Each starts with a stamp line ([`stamped`]).
pub fn eject_templates(dir: &Path) -> anyhow::Result<Ejected> {
    std::fs::create_dir_all(dir).with_context(|| format!("{} を作れません", dir.display()))?;
    let mut ejected = Ejected::default();
    for (name, text) in BUILTIN.iter() {
        let path = dir.join(name);
        // symlink_metadata: a link (even one pointing nowhere) is something already there.
        if std::fs::symlink_metadata(&path).is_ok() {
            ejected.kept.push(*name);
            continue;
        }
        std::fs::write(&path, stamped(name, text))
            .with_context(|| format!("{} に書き込めません", path.display()))?;
        ejected.written += 1;
    }
    Ok(ejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotates_keys_by_their_table() {
        let keys = schema::keys();
        let text = "[facility]\nname = \"x\"\n# founder = \"y\"\n# [[training.drills]]\n# findings = \"z\"\n# 説明 = の行\n";
        let out = annotate(text, &keys).unwrap();
        assert!(out.contains("name = \"x\""), "{out}");
        assert!(
            out.lines().nth(1).unwrap().ends_with("# 施設名（必須）"),
            "{out}"
        );
        assert!(out.lines().nth(2).unwrap().contains("# 開設者"), "{out}");
        assert!(
            out.lines().nth(4).unwrap().contains("# 訓練で分かった課題"),
            "{out}"
        );
        assert!(out.lines().nth(5).unwrap() == "# 説明 = の行", "{out}");
        assert!(annotate("[facility]\nnmae = \"x\"\n", &keys).is_err());
    }

    #[test]
    fn a_plan_in_a_new_folder_makes_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("新店舗/二階/facility.toml");
        let created = create_plan(&path, Kind::Clinic).unwrap();
        assert!(path.is_file());
        assert_eq!(
            created.folders,
            vec![tmp.path().join("新店舗"), tmp.path().join("新店舗/二階")]
        );
        assert_eq!(
            created.schema,
            SchemaFile::Written(tmp.path().join("新店舗/二階").join(schema::FILE_NAME))
        );
        let again = create_plan(&path, Kind::Clinic).unwrap_err();
        assert!(again.downcast_ref::<Exists>().is_some(), "{again:#}");
    }
}
