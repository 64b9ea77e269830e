//! Dependencies point down: each top-level module of src/ may use only the
//! modules before it in [`LAYERS`], so nothing imports `cmd` and there is no
//! cycle between model, coverage, checklist and render (a `cargo modules`-style
//! check by reading every `crate::` path in the source).

use std::path::{Path, PathBuf};

/// Lowest first. A new module goes where its imports allow; one that fits
/// nowhere means an arrow points the wrong way.
const LAYERS: &[&str] = &[
    "diag",      // located problems (no crate imports)
    "fonts",     // the embedded fonts' bytes, character maps and widths
    "model",     // the TOML's types, loading, validation
    "coverage",  // the 確認表's 27 items judged on the model
    "checklist", // the yearly checklist (reads coverage)
    "schema",    // the TOML's JSON Schema from the model's types (checklist ids)
    "kit",       // day-of-incident data: cards, announcements, drill scenario
    "public",    // the distribution copy's redaction (reads the model)
    "diff",      // two versions of a plan compared (model, coverage)
    "render",    // tera + data.json, companion table, Markdown
    "pdf",       // the Typst World and PDF export
    "docx",      // the Word file: the same document via Typst's HTML target
    "export",    // XLSX, CSV and JSON of reports
    "cli",       // clap types (the `--also` values come from render)
    "pipeline",  // the spine and BuildConfig
    "output",    // writing outputs without ever replacing an input
    "starter",   // what init writes: starter TOML, examples, schema file, templates
    "batch",     // many facilities at once
    "watch",     // rebuild on save (notify)
    "edit",      // the browser editor: form from the schema, server, embedded page
    "messages",  // the one place that prints
    "cmd",       // one module per subcommand
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module names a file's code refers to as `crate::NAME` or
/// `use crate::{NAME, …}` (comments ignored).
fn imports_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                for part in inner.split(',') {
                    let name = part.trim().split("::").next().unwrap_or_default();
                    if !name.is_empty() {
                        out.push(name.to_string());
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
    out
}

/// Every .rs file under src/ with its top-level module (`src/model/load.rs` → model).
fn files() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in walkdir(&src()) {
        let rel = entry.strip_prefix(src()).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        if module != "lib" && module != "main" {
            out.push((module, entry));
        }
    }
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walkdir(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_scanner_sees_every_form_of_import() {
    assert_eq!(imports_of("use crate::cmd::build::write;"), ["cmd"]);
    assert_eq!(
        imports_of("use crate::{model::Plan, render};"),
        ["model", "render"]
    );
    assert_eq!(
        imports_of("    let x = crate::checklist::ids(); // crate::cmd"),
        ["checklist"]
    );
}

#[test]
fn dependencies_point_down() {
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    let files = files();
    assert!(files.len() > 20, "found the sources");
    for (module, path) in &files {
        let Some(own) = rank(module) else {
            wrong.push(format!("{module} ({}) is not in LAYERS", path.display()));
            continue;
        };
        let text = std::fs::read_to_string(path).unwrap();
        for used in imports_of(&text) {
            match rank(&used) {
                Some(r) if r < own || used == *module => {}
                Some(_) => wrong.push(format!(
                    "{} uses crate::{used}, which is above {module}",
                    path.display()
                )),
                None => wrong.push(format!("{}: crate::{used} is unknown", path.display())),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_lib_declares_exactly_the_layers() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    declared.sort_unstable();
    let mut layers = LAYERS.to_vec();
    layers.sort_unstable();
    assert_eq!(declared, layers);
}
