//! Every file in tests/fixtures/errors/ is a plan with mistakes: `check` must
//! refuse it with exit 2, and what it says (file, line, column, key, what was
//! expected, in Japanese) is pinned as a snapshot of stderr.

use assert_cmd::Command;

use crate::common::root;

#[test]
fn each_error_fixture_is_refused_with_a_located_japanese_message() {
    let dir = root().join("tests/fixtures/errors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap().to_owned();
        let out = Command::cargo_bin("cyberbcp")
            .unwrap()
            .current_dir(&dir)
            .env("SOURCE_DATE_EPOCH", "1795392000")
            .args(["--color", "never", "check", &name])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{name}:")),
            "{name} is not located: {stderr}"
        );
        let stem = name.trim_end_matches(".toml");
        insta::assert_snapshot!(format!("errors_{stem}"), stderr);
    }
}
