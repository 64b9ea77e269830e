//! `cyberbcp init [--kind K] [PATH]`: a starter TOML for the facility kind,
//! every key explained, and the JSON Schema beside it for editors (the folder
//! is made if missing).
//! `cyberbcp init --example DIR`: the filled-in example plan with its files.
//! `cyberbcp init --templates DIR`: the built-in templates, to edit and pass
//! back with `build --templates DIR`.
//! The writing itself is `crate::starter`'s; this only words what it did.

use std::path::{Path, PathBuf};

use crate::cli::{InitArgs, KindArg};
use crate::messages::Printer;
use crate::model::Kind;
use crate::schema;
use crate::starter::{self, Created, Exists, SchemaFile};

pub fn run(args: &InitArgs, printer: &Printer) -> anyhow::Result<()> {
    let kind = kind_of(args.kind);
    if let Some(dir) = &args.example {
        return example(dir, kind, printer);
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
    let refused = |e: anyhow::Error| match e.downcast_ref::<Exists>() {
        Some(exists) => anyhow::anyhow!(
            "{exists}。別の名前を指定してください: cyberbcp init --kind {} 新しい名前.toml",
            kind.as_str()
        ),
        None => e,
    };
    let created = match &args.extends {
        Some(base) => {
            let (created, readable) = starter::create_store(&path, kind, base).map_err(refused)?;
            if !readable {
                printer.info(&format!(
                    "共通ファイル {base} がまだ読めません（{} のフォルダからの相対パスです）。置いてから cyberbcp check で確かめてください",
                    path.display()
                ));
            }
            created
        }
        None => starter::create_plan(&path, kind).map_err(refused)?,
    };
    if let Some(folder) = created.folders.last() {
        printer.info(&format!("フォルダ {} を作りました", folder.display()));
    }
    schema_kept(&created, printer);
    printer.info(&format!(
        "{} を作りました（{}。すべてのキーに説明があります）。「○○」を書き換えて cyberbcp check {} で足りない所を確かめ、cyberbcp build {} で PDF にします",
        path.display(),
        crate::render::kind_name(kind),
        path.display(),
        path.display()
    ));
    printer.info(&format!(
        "エディタの補完・説明: VS Code に拡張機能「Even Better TOML」を入れると、1 行目の #:schema が指す {} を使います",
        match args.extends {
            Some(_) => schema::BASE_FILE_NAME,
            None => schema::FILE_NAME,
        }
    ));
    Ok(())
}

fn kind_of(arg: KindArg) -> Kind {
    match arg {
        KindArg::Hospital => Kind::Hospital,
        KindArg::Clinic => Kind::Clinic,
        KindArg::Pharmacy => Kind::Pharmacy,
    }
}

/// A schema file of someone else's, left alone.
fn schema_kept(created: &Created, printer: &Printer) {
    if let SchemaFile::KeptOthers(path) = &created.schema {
        printer.info(&format!(
            "{} はすでにあり cyberbcp のものではないため、上書きしませんでした（cyberbcp schema -o 別の名前.json で書き出せます）",
            path.display()
        ));
    }
}

/// `init --example DIR [--kind K]`: the example plan of that kind with the
/// files it references (ledger, diagram), and the schema.
fn example(dir: &Path, kind: Kind, printer: &Printer) -> anyhow::Result<()> {
    let created =
        starter::create_example(dir, kind).map_err(|e| match e.downcast_ref::<Exists>() {
            Some(exists) => anyhow::anyhow!("{exists}。空のフォルダを指定してください"),
            None => e,
        })?;
    schema_kept(&created, printer);
    printer.info(&format!(
        "{} に記入例（{}）を書き出しました: cyberbcp build {} で PDF になります",
        dir.display(),
        starter::example_of(kind).what,
        created.plan.display()
    ));
    Ok(())
}

/// `init --templates DIR`: every built-in template, leaving files already there alone.
fn eject(dir: &Path, printer: &Printer) -> anyhow::Result<()> {
    let ejected = starter::eject_templates(dir)?;
    printer.info(&format!(
        "{} にテンプレートを {} 個書き出しました。編集して cyberbcp build facility.toml --templates {} で使います（無いファイルは組み込みを使います）",
        dir.display(),
        ejected.written,
        dir.display()
    ));
    if !ejected.kept.is_empty() {
        printer.info(&format!(
            "すでにあるため上書きしなかったファイル: {}",
            ejected.kept.join(", ")
        ));
    }
    Ok(())
}
