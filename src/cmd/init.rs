//! `cyberbcp init [--kind K] [PATH]`: a starter TOML for the facility kind.
//! `cyberbcp init --templates DIR`: the built-in templates, to edit and pass
//! back with `build --templates DIR`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::cli::{InitArgs, KindArg};
use crate::messages::Printer;
use crate::model::{Date, Kind};
use crate::render::{BUILTIN, Templates};

const STARTER: &str = include_str!("../../templates/init/facility.toml.tera");

pub fn run(args: &InitArgs, printer: &Printer) -> anyhow::Result<()> {
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
    let text = starter(kind, &path)?;
    create_new(&path, text.as_bytes())?;
    printer.info(&format!(
        "{} を作りました（{}）。「○○」を書き換えて cyberbcp build {} を実行してください",
        path.display(),
        kind.label_ja(),
        path.display()
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

/// The starter TOML: our own wording only, so no escaping is involved.
pub fn starter(kind: Kind, path: &Path) -> anyhow::Result<String> {
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
    tera::Tera::one_off(STARTER, &ctx, false).context("ひな形の TOML を作れません")
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
