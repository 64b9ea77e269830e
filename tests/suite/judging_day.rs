//! One plan, one day, one answer (issue 22, item 8): `build`'s console line,
//! the PDF's appendix (the filled 確認表) and `check` judge on the same day
//! (`--today`, else `SOURCE_DATE_EPOCH`, else today in Japan), and the appendix
//! prints that day beside its totals.

use assert_cmd::Command;

use crate::common::*;

/// 2026-11-01 and 2027-03-01, noon in Japan. The fixture's only drill
/// (2026-02-10) is recent on the first and stale on the second; its newest
/// revision (2026-10-01) is the same on both.
const FRESH: &str = "1793502000";
const STALE: &str = "1803870000";

fn cyberbcp(epoch: Option<&str>) -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    if let Some(epoch) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch);
    }
    cmd
}

struct Build {
    pdf: Vec<u8>,
    console: String,
}

fn build(epoch: Option<&str>, args: &[&str], name: &str, dir: &std::path::Path) -> Build {
    let out = dir.join(name);
    let run = cyberbcp(epoch)
        .arg("build")
        .arg(fixture("judging-day"))
        .arg("-o")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    let console =
        String::from_utf8_lossy(&run.stderr).into_owned() + &String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{console}");
    Build {
        pdf: std::fs::read(out).unwrap(),
        console,
    }
}

/// `check --format json`: (covered, default, missing, 1-2.3's status, today).
fn check(epoch: Option<&str>, args: &[&str]) -> (u64, u64, u64, String, String) {
    let out = cyberbcp(epoch)
        .arg("check")
        .arg(fixture("judging-day"))
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let drill = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "1-2.3")
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string();
    (
        json["covered"].as_u64().unwrap(),
        json["default"].as_u64().unwrap(),
        json["missing"].as_u64().unwrap(),
        drill,
        json["today"].as_str().unwrap().to_string(),
    )
}

/// The appendix's totals line, as the PDF prints it (whitespace removed).
fn appendix_totals(covered: u64, default: u64, missing: u64, day: &str) -> String {
    squash(&format!(
        "記載済 {covered} 項目　既定文のみ {default} 項目　未記載 {missing} 項目（全 27 項目）　判定日 {day}"
    ))
}

#[test]
fn console_appendix_and_check_agree_on_a_day_a_drill_goes_stale() {
    let dir = tempfile::tempdir().unwrap();
    let stale = build(Some(STALE), &[], "stale.pdf", dir.path());
    let (covered, default, missing, drill, today) = check(Some(STALE), &[]);
    assert_eq!((covered, default, missing), (26, 0, 1));
    assert_eq!(drill, "missing");
    assert_eq!(today, "2027-03-01");
    assert!(
        stale
            .console
            .contains("確認表 27 項目: 記載済 26・既定文のみ 0・未記載 1（判定日 2027-03-01。"),
        "{}",
        stale.console
    );
    let text = pdf_text(&stale.pdf);
    assert!(
        text.contains(&appendix_totals(26, 0, 1, "2027年3月1日")),
        "the appendix disagrees with the console: {}",
        &text[text.find("記載済").unwrap_or(0)..][..400.min(text.len())]
    );
    // The cover still carries the plan's own date, and the PDF says which is which.
    assert_contains(&text, "制定・改訂日2026年10月1日");
    assert_contains(
        &text,
        "表紙の制定・改訂日は本計画の日付（最新の改訂日）である。",
    );

    // Same day: the same bytes.
    let again = build(Some(STALE), &[], "again.pdf", dir.path());
    assert!(
        again.pdf == stale.pdf,
        "rebuilt on the same day, the PDF changed"
    );

    // A day the drill is recent: all three say 27, and the PDF differs.
    let fresh = build(Some(FRESH), &[], "fresh.pdf", dir.path());
    assert_eq!(check(Some(FRESH), &[]).0, 27);
    assert!(
        fresh
            .console
            .contains("記載済 27・既定文のみ 0・未記載 0（判定日 2026-11-01。")
    );
    assert!(pdf_text(&fresh.pdf).contains(&appendix_totals(27, 0, 0, "2026年11月1日")));
    assert!(fresh.pdf != stale.pdf);
}

#[test]
fn build_today_overrides_source_date_epoch_like_check() {
    let dir = tempfile::tempdir().unwrap();
    // SOURCE_DATE_EPOCH says stale; --today says fresh, and wins everywhere.
    let built = build(
        Some(STALE),
        &["--today", "2026-11-01"],
        "today.pdf",
        dir.path(),
    );
    let (covered, _, _, drill, today) = check(Some(STALE), &["--today", "2026-11-01"]);
    assert_eq!(
        (covered, drill.as_str(), today.as_str()),
        (27, "covered", "2026-11-01")
    );
    assert!(
        built
            .console
            .contains("記載済 27・既定文のみ 0・未記載 0（判定日 2026-11-01。"),
        "{}",
        built.console
    );
    assert!(!built.console.contains("stale-drill"), "{}", built.console);
    assert!(pdf_text(&built.pdf).contains(&appendix_totals(27, 0, 0, "2026年11月1日")));
    // The same day by SOURCE_DATE_EPOCH or by --today: the same bytes.
    let by_epoch = build(Some(FRESH), &[], "epoch.pdf", dir.path());
    assert!(by_epoch.pdf == built.pdf);

    // A day that is not a date is refused as check refuses it.
    let out = cyberbcp(None)
        .arg("build")
        .arg(fixture("judging-day"))
        .args(["--today", "2026-13-01", "-o"])
        .arg(dir.path().join("bad.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("日付は 2025-04-01 の形で指定してください"),
        "{stderr}"
    );
    assert!(!dir.path().join("bad.pdf").exists());
}

#[test]
fn watch_judges_on_its_today_too() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["facility.toml", "network.svg"] {
        std::fs::copy(fixture("judging-day").with_file_name(f), dir.path().join(f)).unwrap();
    }
    let log = dir.path().join("watch.log");
    let _watch = Child(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("cyberbcp"))
            .env("SOURCE_DATE_EPOCH", FRESH)
            .arg("watch")
            .arg(dir.path().join("facility.toml"))
            .args(["--today", "2027-03-01", "--color=never"])
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
    let start = std::time::Instant::now();
    while !read_log().contains("確認表 27 項目") {
        assert!(start.elapsed().as_secs() < 90, "timed out:\n{}", read_log());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let said = read_log();
    assert!(
        said.contains("記載済 26・既定文のみ 0・未記載 1（判定日 2027-03-01。"),
        "{said}"
    );
    let pdf = std::fs::read(dir.path().join("facility.pdf")).unwrap();
    assert!(pdf_text(&pdf).contains(&appendix_totals(26, 0, 1, "2027年3月1日")));
}

#[test]
fn check_of_a_folder_prints_its_day() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["facility.toml", "network.svg"] {
        std::fs::copy(fixture("judging-day").with_file_name(f), dir.path().join(f)).unwrap();
    }
    let out = cyberbcp(Some(FRESH))
        .arg("check")
        .arg(dir.path())
        .args(["--today", "2027-03-01", "--color=never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("26/27"), "{text}");
    assert!(
        text.contains(
            "1 施設: 27 項目すべて記載済 0、不足あり 1、読み込めないファイル 0（判定日 2027-03-01。"
        ),
        "{text}"
    );
}
