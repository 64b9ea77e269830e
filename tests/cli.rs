//! The binary as a user runs it.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::*;

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// A copy of a fixture directory in a fresh temp dir.
fn copy_fixture(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = fixture(case).parent().unwrap().to_path_buf();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Build a copy of a fixture with one edit to its TOML.
fn build_edited(case: &str, from: &str, to: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = copy_fixture(case);
    let toml = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains(from), "fixture lacks {from:?}");
    std::fs::write(&toml, text.replace(from, to)).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--color=never")
        .output()
        .unwrap();
    (dir, out)
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn build_writes_the_pdf_next_to_the_toml() {
    let dir = copy_fixture("pharmacy");
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let pdf = std::fs::read(dir.path().join("facility.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_contains(&pdf_text(&pdf), "あおぞら薬局 駅前店");
    assert!(stderr_of(&out).contains("ページ"));
}

#[test]
fn build_honours_output_and_emits_typst_source() {
    let dir = copy_fixture("clinic");
    let pdf = dir.path().join("out/plan.pdf");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let emit = dir.path().join("typst");
    let out = cyberbcp()
        .arg("build")
        .arg(dir.path().join("facility.toml"))
        .arg("-o")
        .arg(&pdf)
        .arg("--emit-typst")
        .arg(&emit)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    for f in [
        "main.typ",
        "lib.typ",
        "data.json",
        "ipaexm.ttf",
        "ipaexg.ttf",
    ] {
        assert!(emit.join(f).is_file(), "{f} not emitted");
    }
    let data = std::fs::read_to_string(emit.join("data.json")).unwrap();
    assert!(data.contains("みどり内科クリニック"));
    // The clinic lacks a diagram: the gap is listed on stderr with its key.
    let err = stderr_of(&out);
    assert!(
        err.contains("【未記入】") && err.contains("network.diagram"),
        "{err}"
    );
}

#[test]
fn bad_enum_value_exits_2_with_location_key_and_suggestion() {
    let (dir, out) = build_edited("clinic", "kind = \"clinic\"", "kind = \"hosptial\"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("facility.kind"), "{err}");
    assert!(err.contains("facility.toml:4:"), "{err}");
    assert!(
        err.contains("\"hospital\" / \"clinic\" / \"pharmacy\" のいずれか"),
        "{err}"
    );
    assert!(err.contains("\"hospital\" のことですか"), "{err}");
    assert!(!dir.path().join("facility.pdf").exists());
}

#[test]
fn unknown_system_reference_names_the_key() {
    let (_dir, out) = build_edited("clinic", "system = \"レセコン\"", "system = \"レセコンX\"");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("backups[1].system"), "{err}");
    assert!(err.contains("\"レセコン\" のことですか"), "{err}");
}

#[test]
fn a_failed_build_leaves_the_previous_pdf_byte_identical() {
    let dir = copy_fixture("clinic");
    let toml = dir.path().join("facility.toml");
    let pdf = dir.path().join("facility.pdf");
    std::fs::write(&pdf, b"%PDF-previous good plan").unwrap();
    std::fs::write(&toml, "[facility]\nname = \"x\"\nkind = 3\n").unwrap();
    let out = cyberbcp().arg("build").arg(&toml).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF-previous good plan");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn a_broken_template_override_fails_without_touching_the_pdf() {
    let dir = copy_fixture("clinic");
    let toml = dir.path().join("facility.toml");
    let pdf = dir.path().join("facility.pdf");
    std::fs::write(&pdf, b"%PDF-previous").unwrap();
    let templates = dir.path().join("tpl");
    std::fs::create_dir(&templates).unwrap();
    // Valid tera, invalid Typst: the failure happens inside compilation.
    std::fs::write(templates.join("ch4.typ.tera"), "#let x = (\n").unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--templates")
        .arg(&templates)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("組版に失敗"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), b"%PDF-previous");
}

#[test]
fn shift_jis_input_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("facility.toml");
    // [facility] name = "病院" in Shift_JIS
    std::fs::write(&toml, b"[facility]\nname = \"\x95\x61\x89\x40\"\n").unwrap();
    let out = cyberbcp().arg("build").arg(&toml).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("Shift_JIS") && err.contains("UTF-8"), "{err}");
}

#[test]
fn referenced_files_outside_the_toml_directory_are_refused() {
    let dir = copy_fixture("pharmacy");
    let toml = dir.path().join("facility.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "diagram = \"network.png\"",
        "diagram = \"../../etc/passwd\"",
    );
    std::fs::write(&toml, text).unwrap();
    let out = cyberbcp()
        .arg("build")
        .arg(&toml)
        .arg("--color=never")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("network.diagram") && err.contains("読み込みません"),
        "{err}"
    );
    assert!(!Path::new(&dir.path().join("facility.pdf")).exists());
}
