//! `cyberbcp init [--kind K] [PATH]`: a starter TOML for the facility kind,
//! every key explained, and the JSON Schema beside it for editors.
//! `cyberbcp init --example DIR`: the filled-in example plan with its files.
//! `cyberbcp init --templates DIR`: the built-in templates, to edit and pass
//! back with `build --templates DIR`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use unicode_width::UnicodeWidthStr as _;

use crate::cli::{InitArgs, KindArg};
use crate::messages::Printer;
use crate::model::{Date, Kind};
use crate::output::write_atomically;
use crate::render::{BUILTIN, Templates};
use crate::schema::{self, KeyDoc};

const STARTER: &str = include_str!("../../templates/init/facility.toml.tera");
/// A chain's store: only what a store fills, over its head office's base.
const STORE_STARTER: &str = include_str!("../../templates/init/store.toml.tera");

/// A filled-in example plan for one facility kind and the files it
/// references, at the same relative paths.
struct Example {
    toml: &'static str,
    files: &'static [(&'static str, &'static [u8])],
    /// What the example is, for the message.
    what: &'static str,
}

const HOSPITAL: Example = Example {
    toml: include_str!("../../facility.example.toml"),
    files: &[
        (
            "examples/devices.csv",
            include_bytes!("../../examples/devices.csv"),
        ),
        (
            "examples/network.svg",
            include_bytes!("../../examples/network.svg"),
        ),
    ],
    what: "架空の 200 床の病院",
};

const CLINIC: Example = Example {
    toml: include_str!("../../examples/clinic/facility.toml"),
    files: &[(
        "network.svg",
        include_bytes!("../../examples/clinic/network.svg"),
    )],
    what: "架空の無床診療所",
};

const PHARMACY: Example = Example {
    toml: include_str!("../../examples/pharmacy/facility.toml"),
    files: &[(
        "network.png",
        include_bytes!("../../examples/pharmacy/network.png"),
    )],
    what: "架空の保険薬局",
};

fn example_of(kind: Kind) -> &'static Example {
    match kind {
        Kind::Hospital => &HOSPITAL,
        Kind::Clinic => &CLINIC,
        Kind::Pharmacy => &PHARMACY,
    }
}

pub fn run(args: &InitArgs, printer: &Printer) -> anyhow::Result<()> {
    if let Some(dir) = &args.example {
        return example(dir, kind_of(args.kind), printer);
    }
    if let Some(dir) = &args.templates {
        eject(dir, printer)?;
        if args.path.is_none() {
            return Ok(());
        }
    }
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("facility.toml"));
    let kind = kind_of(args.kind);
    // Never overwrite: this file is the user's plan.
    // symlink_metadata: a link (even one pointing nowhere) is something already there.
    if std::fs::symlink_metadata(&path).is_ok() {
        bail!(
            "{} はすでにあります（上書きしません）。別の名前を指定してください: cyberbcp init {} 新しい名前.toml",
            path.display(),
            kind_flag(kind)
        );
    }
    let text = match &args.extends {
        Some(base) => store_starter(kind, &path, base, printer)?,
        None => starter(kind, &path)?,
    };
    write_schema(&path, args.extends.is_some(), printer)?;
    create_new(&path, text.as_bytes())?;
    printer.info(&format!(
        "{} を作りました（{}。すべてのキーに説明があります）。「○○」を書き換えて cyberbcp check {} で足りない所を確かめ、cyberbcp build {} で PDF にします",
        path.display(),
        crate::render::kind_name(kind),
        path.display(),
        path.display()
    ));
    printer.info(&format!(
        "エディタの補完・説明: VS Code に拡張機能「Even Better TOML」を入れると、1 行目の #:schema が指す {} を使います",
        if args.extends.is_some() { schema::BASE_FILE_NAME } else { schema::FILE_NAME }
    ));
    Ok(())
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

fn kind_of(arg: KindArg) -> Kind {
    match arg {
        KindArg::Hospital => Kind::Hospital,
        KindArg::Clinic => Kind::Clinic,
        KindArg::Pharmacy => Kind::Pharmacy,
    }
}

fn kind_flag(kind: Kind) -> String {
    format!("--kind {}", kind.as_str())
}

/// The `#:schema` directive taplo (VS Code's Even Better TOML) reads.
fn directive() -> String {
    format!("#:schema ./{}\n", schema::FILE_NAME)
}

/// Write the schema beside `toml`. A schema file of ours is refreshed (it
/// belongs to the tool's version); anyone else's file is left alone.
/// `base`: the schema for a chain's files (`extends`), where no table is required.
fn write_schema(toml: &Path, base: bool, printer: &Printer) -> anyhow::Result<()> {
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
        Ok(old) if old == text => return Ok(()),
        Ok(old) if !schema::is_ours(&old) => {
            printer.info(&format!(
                "{} はすでにあり cyberbcp のものではないため、上書きしませんでした（cyberbcp schema -o 別の名前.json で書き出せます）",
                path.display()
            ));
            return Ok(());
        }
        _ => {}
    }
    write_atomically(&path, text.as_bytes())
        .with_context(|| format!("{} に書き込めません", path.display()))
}

/// The starter TOML: our own wording only, so no escaping is involved. Every
/// key line gets its explanation from the schema (the model's `///` comments).
pub fn starter(kind: Kind, path: &Path) -> anyhow::Result<String> {
    fill(STARTER, kind, path, tera::Context::new())
}

/// `init --extends BASE`: a store's starter over its head office's base
/// (`base` as the user wrote it: relative to the new file's folder).
pub fn store_starter(
    kind: Kind,
    path: &Path,
    base: &str,
    printer: &Printer,
) -> anyhow::Result<String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tables = crate::model::base_tables(&dir.join(base));
    if tables.is_none() {
        printer.info(&format!(
            "共通ファイル {} がまだ読めません（{} のフォルダからの相対パスです）。置いてから cyberbcp check で確かめてください",
            base,
            path.display()
        ));
    }
    let mut ctx = tera::Context::new();
    ctx.insert("extends", base);
    ctx.insert("base_tables", &tables.unwrap_or_default());
    ctx.insert("schema_file", schema::BASE_FILE_NAME);
    fill(STORE_STARTER, kind, path, ctx)
}

fn fill(template: &str, kind: Kind, path: &Path, extra: tera::Context) -> anyhow::Result<String> {
    let templates = Templates::builtin();
    let terms = templates.terms(kind);
    let today = Date::now();
    let mut ctx = tera::Context::new();
    ctx.insert("kind", kind.as_str());
    ctx.insert("t", terms);
    ctx.insert("today", &today.to_string());
    let file = path.file_name().map_or_else(
        || "facility.toml".into(),
        |f| f.to_string_lossy().into_owned(),
    );
    ctx.insert("file", &file);
    ctx.insert("schema_file", schema::FILE_NAME);
    ctx.extend(extra);
    let text = tera::Tera::one_off(template, &ctx, false).context("ひな形の TOML を作れません")?;
    annotate(&text, &schema::keys())
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

/// `init --example DIR [--kind K]`: the example plan of that kind with the
/// files it references (ledger, diagram), and the schema; nothing already
/// there is replaced.
fn example(dir: &Path, kind: Kind, printer: &Printer) -> anyhow::Result<()> {
    let example = example_of(kind);
    let toml = dir.join("facility.toml");
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![(
        toml.clone(),
        format!("{}{}", directive(), example.toml).into_bytes(),
    )];
    for (name, bytes) in example.files {
        files.push((dir.join(name), bytes.to_vec()));
    }
    // symlink_metadata: a link (even one pointing nowhere) is something already there.
    if let Some((path, _)) = files
        .iter()
        .find(|(p, _)| std::fs::symlink_metadata(p).is_ok())
    {
        bail!(
            "{} はすでにあります（上書きしません）。空のフォルダを指定してください",
            path.display()
        );
    }
    for (path, bytes) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{} を作れません", parent.display()))?;
        }
        create_new(path, bytes)?;
    }
    write_schema(&toml, false, printer)?;
    printer.info(&format!(
        "{} に記入例（{}）を書き出しました: cyberbcp build {} で PDF になります",
        dir.display(),
        example.what,
        toml.display()
    ));
    Ok(())
}

/// Write every built-in template into `dir`, leaving files already there alone.
fn eject(dir: &Path, printer: &Printer) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{} を作れません", dir.display()))?;
    let (mut written, mut kept) = (0, Vec::new());
    for (name, text) in BUILTIN.iter() {
        let path = dir.join(name);
        // symlink_metadata: a link (even one pointing nowhere) is something already there.
        if std::fs::symlink_metadata(&path).is_ok() {
            kept.push(*name);
            continue;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("{} に書き込めません", path.display()))?;
        written += 1;
    }
    printer.info(&format!(
        "{} にテンプレートを {written} 個書き出しました。編集して cyberbcp build facility.toml --templates {} で使います（無いファイルは組み込みを使います）",
        dir.display(),
        dir.display()
    ));
    if !kept.is_empty() {
        printer.info(&format!(
            "すでにあるため上書きしなかったファイル: {}",
            kept.join(", ")
        ));
    }
    Ok(())
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
}
