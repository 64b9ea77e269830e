//! What a new user reads first: `--help` and command-line mistakes, in
//! Japanese. The help text is pinned by snapshots so changes are deliberate.

use assert_cmd::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("cyberbcp")
        .unwrap()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// clap's English scaffolding, none of which may reach the user.
const ENGLISH: &[&str] = &[
    "Usage",
    "Options",
    "Commands",
    "Arguments",
    "[default",
    "possible values",
    "Possible values",
    "Print",
    "error: unexpected",
    "tip:",
    "For more information",
    "[OPTIONS]",
    "<COMMAND>",
    "<INPUT>",
];

const COMMANDS: &[&str] = &[
    "build", "check", "diff", "init", "watch", "edit", "schema", "help",
];

#[test]
fn help_is_japanese_and_pinned() {
    let mut texts = vec![
        ("root_short", stdout(&["-h"])),
        ("root", stdout(&["--help"])),
    ];
    for c in COMMANDS {
        texts.push((c, stdout(&[c, "--help"])));
        texts.push((c, stdout(&[c, "-h"])));
    }
    for (name, text) in &texts {
        for word in ENGLISH {
            assert!(!text.contains(word), "{name}: {word:?} in\n{text}");
        }
        assert!(text.contains("使い方: cyberbcp"), "{name}: {text}");
    }
    insta::assert_snapshot!("help_root", stdout(&["--help"]));
    insta::assert_snapshot!("help_root_short", stdout(&["-h"]));
    for c in COMMANDS {
        insta::assert_snapshot!(format!("help_{c}"), stdout(&[c, "--help"]));
    }
}

#[test]
fn first_screen_says_to_start_with_init() {
    let text = stdout(&["--help"]);
    let first: String = text.lines().take(8).collect::<Vec<_>>().join("\n");
    assert!(first.contains("cyberbcp init"), "{first}");
    // The first screen also offers the browser editor, which `cyberbcp`
    // alone starts (issue 27; tests/suite/edit.rs no_arguments_edits_facility_toml_here).
    assert!(
        first.contains("cyberbcp edit（引数なしで起動しても同じ）"),
        "{first}"
    );
}

#[test]
fn edit_help_says_how_it_stops() {
    let text = stdout(&["edit", "--help"]);
    for words in [
        "Ctrl+C",
        "ページを閉じて 2 分半ほど",
        "ページを一度も開かないまま 15 分",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
}

#[test]
fn help_subcommand_matches_each_commands_help() {
    assert_eq!(stdout(&["help"]), stdout(&["--help"]));
    for c in COMMANDS {
        assert_eq!(stdout(&["help", c]), stdout(&[c, "--help"]), "{c}");
    }
    // clap's own `help` subcommand fails on `help --help`; ours explains itself.
    assert!(stdout(&["help", "--help"]).contains("cyberbcp help"));
}

#[test]
fn command_line_mistakes_are_japanese_errors_with_exit_2() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["chek", "x.toml"],
            &[
                "'chek' というコマンドはありません",
                "'check' のことですか？",
            ],
        ),
        (
            &["check", "--fromat", "json", "x.toml"],
            &[
                "'--fromat' というオプションはありません",
                "'--format' のことですか？",
                "cyberbcp check --help",
            ],
        ),
        (
            &["check", "--format", "xml", "x.toml"],
            &[
                "'xml' は指定できません",
                "table, json, csv",
                "使い方: cyberbcp check",
            ],
        ),
        (
            &["check", "--today", "2025/13/1", "x.toml"],
            &["'2025/13/1' は指定できません", "2025-04-01"],
        ),
        (&["check"], &["<TOML> を指定してください"]),
        (&["check", "a.toml", "b.toml"], &["余分な引数 'b.toml'"]),
        (
            &["init", "--example", "e", "p.toml"],
            &["一緒に指定できません"],
        ),
        (&["help", "nope"], &["'nope' は指定できません"]),
    ];
    for (args, says) in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        for s in *says {
            assert!(err.contains(s), "{args:?}: {s:?} not in\n{err}");
        }
        for word in ENGLISH {
            assert!(!err.contains(word), "{args:?}: {word:?} in\n{err}");
        }
    }
}

#[test]
fn every_error_starts_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let misspelt = dir.path().join("misspelt.toml");
    std::fs::write(
        &misspelt,
        "[facility]\nname = \"x\"\nkind = \"clinic\"\nnmae = \"y\"\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.toml");
    let existing = dir.path().join("facility.toml");
    std::fs::write(&existing, "").unwrap();
    let runs: [&[&str]; 4] = [
        &["check", misspelt.to_str().unwrap()],
        &["check", missing.to_str().unwrap()],
        &["init", existing.to_str().unwrap()],
        &["bulid"],
    ];
    for args in runs {
        let out = run(args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("Error:"), "{args:?}: {err}");
    }
}
