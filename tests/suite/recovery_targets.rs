//! 目標復旧時間 per system (issue 22, item 7): 手引き 4-1 asks for a recovery
//! plan with recovery times. Without one for every system, 4-1 is 既定文のみ
//! with a hint that names the systems; the 2.1.5 table and 3.5.1 print it;
//! nonsense is refused at its line; `diff` names a changed target.

use assert_cmd::Command;
use cyberbcp::coverage::Status;
use cyberbcp::model::Date;
use cyberbcp::pipeline;

use crate::common::*;

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn day() -> Date {
    Date::parse("2026-11-24").unwrap()
}

fn item_4_1(text: &str) -> (Status, Vec<String>) {
    let path = fixture("recovery-targets");
    let prepared = pipeline::prepare_str_on(&path, text, path.parent().unwrap(), day())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    let report = prepared.coverage_on(day());
    let item = report.items.iter().find(|i| i.id == "4-1").unwrap();
    (item.status, item.hints.clone())
}

#[test]
fn a_system_without_a_target_leaves_4_1_default_naming_it() {
    let text = std::fs::read_to_string(fixture("recovery-targets")).unwrap();
    let (status, hints) = item_4_1(&text);
    assert_eq!(status, Status::Default, "{hints:?}");
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert!(hints[0].contains("オンライン資格確認端末"), "{hints:?}");
    assert!(!hints[0].contains("電子薬歴"), "{hints:?}");
    assert!(hints[0].contains("手引き 4-1"), "{hints:?}");
    assert!(hints[0].contains("recovery_target"), "{hints:?}");

    // Every system with a target: 4-1 is answered.
    let all = text.replace(
        "recovery_priority = 3\n",
        "recovery_priority = 3\nrecovery_target = \"3日\"\n",
    );
    assert_ne!(all, text);
    assert_eq!(item_4_1(&all).0, Status::Covered);

    // A blank one or the starter's ○ is not a target.
    for value in ["\"\"", "\"○○時間\""] {
        let blank = text.replace(
            "recovery_priority = 3\n",
            &format!("recovery_priority = 3\nrecovery_target = {value}\n"),
        );
        assert_ne!(item_4_1(&blank).0, Status::Covered, "{value}");
    }
    // No target anywhere: still 既定文のみ, every system named.
    let none: String = text
        .lines()
        .filter(|l| !l.starts_with("recovery_target"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (status, hints) = item_4_1(&none);
    assert_eq!(status, Status::Default);
    assert!(
        hints[0].contains("レセコン、電子薬歴、オンライン資格確認端末"),
        "{hints:?}"
    );
}

#[test]
fn the_tables_print_the_target_and_mark_the_missing_one() {
    let built = build_path(&fixture("recovery-targets"));
    let text = &built.text;
    // 2.1.5: the column, each system's target, the missing cell and its box.
    assert_contains_all(
        text,
        &[
            "システムの重要度・復旧優先度・目標復旧時間",
            "システム重要度復旧優先度目標復旧時間",
            "レセコン高124時間",
            "電子薬歴高248時間",
            "オンライン資格確認端末中3【未記入】",
            "設定キー: systems.recovery_target",
        ],
    );
    // 3.5.1: in the order of recovery, each with its target.
    assert_contains_all(
        text,
        &[
            "1.レセコン（目標復旧時間24時間）",
            "2.電子薬歴（目標復旧時間48時間）",
            "3.オンライン資格確認端末",
        ],
    );
    assert!(
        !text.contains("オンライン資格確認端末（目標復旧時間"),
        "a target the plan lacks is printed"
    );
    assert!(
        built
            .rendered
            .gaps
            .iter()
            .any(|g| g.key == "systems.recovery_target" && g.section == "2.1.5")
    );
}

#[test]
fn a_changed_target_is_a_change_of_2_1_5() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.toml");
    let new = dir.path().join("new.toml");
    let text = std::fs::read_to_string(fixture("recovery-targets")).unwrap();
    std::fs::write(&old, &text).unwrap();
    std::fs::write(
        &new,
        text.replace(
            "recovery_target = \"48時間\"",
            "recovery_target = \"24時間\"",
        ),
    )
    .unwrap();
    std::fs::copy(
        fixture("recovery-targets").with_file_name("network.png"),
        dir.path().join("network.png"),
    )
    .unwrap();
    let out = cyberbcp()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args(["--today", "2026-11-24"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("── 2.1.5 "), "{stdout}");
    assert!(
        stdout.contains("システム「電子薬歴」の目標復旧時間: 48時間 → 24時間"),
        "{stdout}"
    );
}

#[test]
fn the_starter_and_the_schema_describe_the_key() {
    let text = cyberbcp::schema::text();
    assert!(text.contains("recovery_target"), "not in the schema");
    assert!(text.contains("目標復旧時間"), "no Japanese description");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.toml");
    cyberbcp()
        .args(["init", "--kind", "pharmacy"])
        .arg(&path)
        .assert()
        .success();
    let starter = std::fs::read_to_string(&path).unwrap();
    let line = starter
        .lines()
        .find(|l| l.starts_with("# recovery_target"))
        .expect("the starter has the key");
    assert!(line.contains("目標復旧時間"), "{line}");
}
