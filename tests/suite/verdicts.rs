//! Honest verdicts: a ✓ only for what the facility wrote, training that was
//! held (not planned), the cross-checks an inspector makes, judged on a
//! pinned day, never the machine's clock.

use std::path::Path;

use assert_cmd::Command;
use cyberbcp::coverage::{Report, Status, os_end_of_support, os_support_end};
use cyberbcp::model::{Date, Kind};
use cyberbcp::pipeline;
use toml::{Table, Value};

use crate::common::{example, root};
use crate::coverage::judged_on;

fn day(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn report_on(text: &str, today: Date) -> Report {
    pipeline::prepare_str(&example(), text, &root())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics))
        .coverage_on(today)
}

fn example_text() -> String {
    std::fs::read_to_string(example()).unwrap()
}

fn edited(edit: impl FnOnce(&mut Table)) -> String {
    let mut t: Table = example_text().parse().unwrap();
    edit(&mut t);
    toml::to_string(&t).unwrap()
}

fn status(report: &Report, id: &str) -> Status {
    report.items.iter().find(|i| i.id == id).unwrap().status
}

fn hints(report: &Report, id: &str) -> String {
    report
        .items
        .iter()
        .find(|i| i.id == id)
        .unwrap()
        .hints
        .join("\n")
}

fn codes(report: &Report) -> Vec<&'static str> {
    report.warnings.iter().map(|w| w.code).collect()
}

#[test]
fn untouched_starters_of_all_three_kinds_read_zero_covered() {
    for kind in [Kind::Hospital, Kind::Clinic, Kind::Pharmacy] {
        let text = cyberbcp::cmd::init::starter(kind, Path::new("facility.toml")).unwrap();
        let report = pipeline::prepare_str(Path::new("facility.toml"), &text, &root())
            .unwrap_or_else(|e| panic!("{kind:?}: {e}: {:?}", e.diagnostics))
            .coverage_on(judged_on());
        let covered: Vec<&str> = report
            .items
            .iter()
            .filter(|i| i.status == Status::Covered)
            .map(|i| i.id)
            .collect();
        assert_eq!(covered, Vec::<&str>::new(), "{kind:?} starter");
        // Nothing the user never wrote: the report form is theirs to name.
        assert_eq!(status(&report, "2-2"), Status::Missing, "{kind:?}");
        // No systems: "every system has a vendor contact" is not satisfied vacuously.
        assert_eq!(status(&report, "3-2"), Status::Missing, "{kind:?}");
        assert!(hints(&report, "3-2").contains("vendor"), "{kind:?}");
    }
}

#[test]
fn the_new_keys_name_themselves_in_the_hints() {
    let report = report_on(
        &edited(|t| {
            t.remove("followup");
            let incident = t["incident"].as_table_mut().unwrap();
            incident.remove("recovery_checks");
            incident.remove("chart_posted");
            incident.remove("forensics_phone");
        }),
        judged_on(),
    );
    for (id, key) in [
        ("2-1", "chart_posted"),
        ("3-5", "forensics_phone"),
        ("4-4", "recovery_checks"),
        ("5-1", "reports"),
        ("5-2", "recurrence"),
        ("5-3", "notice"),
        ("5-4", "recurrence"),
        ("5-5", "vendor_requests"),
    ] {
        assert_eq!(status(&report, id), Status::Default, "{id}");
        assert!(
            hints(&report, id).contains(key),
            "{id}: {}",
            hints(&report, id)
        );
    }
}

#[test]
fn training_counts_only_when_held_in_the_twelve_months_before_today() {
    let text = example_text();
    // The last drill is 2026-11-12: covered for a year, not a day longer.
    assert_eq!(
        status(&report_on(&text, day("2027-11-11")), "1-2.3"),
        Status::Covered
    );
    let late = report_on(&text, day("2027-11-12"));
    assert_eq!(status(&late, "1-2.3"), Status::Missing);
    assert!(hints(&late, "1-2.3").contains("2026年11月12日"));
    // A drill dated after "today" has not been held yet.
    assert_eq!(
        status(&report_on(&text, day("2024-11-19")), "1-2.3"),
        Status::Missing
    );
    // Planned frequency alone is not training.
    let planned = edited(|t| {
        t["training"].as_table_mut().unwrap().remove("drills");
    });
    assert_eq!(
        status(&report_on(&planned, judged_on()), "1-2.3"),
        Status::Missing
    );
}

#[test]
fn drill_shortfall_counts_the_last_twelve_months() {
    // On 2027-06-01 only the drill of 2026-11-12 (and 2026-06-10) are within the year.
    let text = example_text();
    assert!(!codes(&report_on(&text, day("2027-06-01"))).contains(&"drill-shortfall"));
    let shortfall = report_on(&text, day("2027-06-11"));
    let w = shortfall
        .warnings
        .iter()
        .find(|w| w.code == "drill-shortfall")
        .expect("one drill in the year, two promised");
    assert_eq!(w.key, "training.times_per_year");
    assert!(
        w.message.contains("年 2 回") && w.message.contains("1 回"),
        "{}",
        w.message
    );
}

#[test]
fn changes_after_the_newest_revision_are_flagged_with_their_keys() {
    let report = report_on(
        &edited(|t| {
            let drills = t["training"]["drills"].as_array_mut().unwrap();
            let mut late = drills[0].as_table().unwrap().clone();
            late.insert(
                "date".into(),
                Value::Datetime("2026-11-20".parse().unwrap()),
            );
            drills.push(Value::Table(late));
        }),
        judged_on(),
    );
    let w = report
        .warnings
        .iter()
        .find(|w| w.code == "unrecorded-change")
        .unwrap();
    assert_eq!(w.key, "training.drills[5].date");
    assert!(w.message.contains("第1.3版") && w.message.contains("2026年11月20日"));
    // A new revision after the change clears it.
    let revised = edited(|t| {
        t["network"].as_table_mut().unwrap().insert(
            "updated".into(),
            Value::Datetime("2026-11-20".parse().unwrap()),
        );
        let revisions = t["revisions"].as_array_mut().unwrap();
        let mut next = revisions.last().unwrap().as_table().unwrap().clone();
        next.insert("version".into(), "1.4".into());
        next.insert(
            "date".into(),
            Value::Datetime("2026-11-21".parse().unwrap()),
        );
        revisions.push(Value::Table(next));
    });
    assert_eq!(codes(&report_on(&revised, judged_on())), Vec::<&str>::new());
}

#[test]
fn night_first_call_clears_with_hours_round_the_clock() {
    let without_night = edited(|t| {
        for r in t["roles"].as_array_mut().unwrap() {
            r.as_table_mut().unwrap().remove("night");
        }
    });
    let report = report_on(&without_night, judged_on());
    let w = report
        .warnings
        .iter()
        .find(|w| w.code == "night-first-call")
        .unwrap();
    assert_eq!(w.key, "roles[2].night");
    assert!(w.message.contains("CSIRT 窓口") && w.message.contains("平日 8時30分"));
    let staffed = edited(|t| {
        let csirt = t["roles"].as_array_mut().unwrap()[2]
            .as_table_mut()
            .unwrap();
        csirt.remove("night");
        csirt.insert("hours".into(), "24時間（夜間は当直事務が受ける）".into());
    });
    assert!(!codes(&report_on(&staffed, judged_on())).contains(&"night-first-call"));
}

#[test]
fn eol_list_has_server_and_ltsc_editions_with_their_own_dates() {
    assert_eq!(
        os_support_end("Windows Server 2019 Standard"),
        Some(day("2029-01-09"))
    );
    assert_eq!(
        os_support_end("Windows Server 2022"),
        Some(day("2031-10-14"))
    );
    assert_eq!(
        os_support_end("Windows 10 Enterprise LTSC 2019"),
        Some(day("2029-01-09"))
    );
    assert_eq!(
        os_support_end("Windows 10 IoT Enterprise LTSC 2021"),
        Some(day("2032-01-13"))
    );
    assert_eq!(
        os_support_end("Windows 10 Enterprise LTSC 2021"),
        Some(day("2027-01-12"))
    );
    assert_eq!(
        os_support_end("Windows 10 Pro 22H2"),
        Some(day("2025-10-14"))
    );
    assert_eq!(
        os_support_end("Windows 11 Pro 23H2"),
        Some(day("2025-11-11"))
    );
    assert_eq!(
        os_support_end("Windows 11 Enterprise 23H2"),
        Some(day("2026-11-10"))
    );
    assert_eq!(os_support_end("Windows 8.1 Pro"), Some(day("2023-01-10")));
    assert_eq!(os_support_end("Windows 11"), None);
    assert_eq!(os_support_end("Windows Server 20190"), None);
    assert!(os_end_of_support("Windows Server 2019", day("2029-01-09")).is_none());
    assert!(os_end_of_support("Windows Server 2019", day("2029-01-10")).is_some());
    assert!(os_end_of_support("Windows 10 LTSC 2019", day("2026-11-23")).is_none());
}

#[test]
fn eol_os_clears_when_the_fallback_names_the_device() {
    let with_os = |fallback: &str| {
        let fallback = fallback.to_string();
        edited(move |t| {
            t["devices"].as_array_mut().unwrap()[1]
                .as_table_mut()
                .unwrap()
                .insert("os".into(), "Windows 10 Pro".into());
            t["vulnerability"]
                .as_table_mut()
                .unwrap()
                .insert("fallback".into(), fallback.into());
        })
    };
    let unnamed = report_on(&with_os("隔離運用、監視の強化。"), judged_on());
    assert_eq!(codes(&unnamed), ["eol-os"]);
    assert!(unnamed.warnings[0].message.contains("NW-002"));
    // Another device's number is not this one's.
    let other = report_on(
        &with_os("NW-0021 はネットワークから切り離す。"),
        judged_on(),
    );
    assert_eq!(codes(&other), ["eol-os"]);
    let named = report_on(
        &with_os("NW-002（VPN 装置）はネットワークから切り離し、保守時のみ接続する。"),
        judged_on(),
    );
    assert_eq!(codes(&named), Vec::<&str>::new());
    let by_host = report_on(&with_os("vpn-maint は保守時のみ接続する。"), judged_on());
    assert_eq!(codes(&by_host), Vec::<&str>::new());
}

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn json_on(today: &str) -> serde_json::Value {
    let out = cyberbcp()
        .arg("check")
        .arg(example())
        .args(["--format", "json", "--today", today])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn check_judges_on_today_and_lists_the_new_codes_in_json() {
    for today in ["2026-11-23", "2026-11-24"] {
        let fresh = json_on(today);
        assert_eq!(fresh["covered"], 27, "{today}");
        assert_eq!(fresh["warnings"].as_array().unwrap().len(), 0, "{today}");
    }
    // Nor does the validation pass find anything to say about it that day.
    let out = cyberbcp()
        .arg("check")
        .arg(example())
        .args(["--today", "2026-11-24"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.trim().is_empty(), "{stderr}");
    let later = json_on("2027-11-30");
    let item = |j: &serde_json::Value, id: &str| {
        j["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(item(&later, "1-2.3"), "missing");
    let codes: Vec<&str> = later["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"stale-review") && codes.contains(&"stale-drill"),
        "{codes:?}"
    );
}

#[test]
fn init_dates_the_starter_in_japan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.toml");
    // 2026-11-22 15:30 UTC is 2026-11-23 00:30 in Japan.
    cyberbcp()
        .env("SOURCE_DATE_EPOCH", "1795361400")
        .args(["init", "--kind", "clinic"])
        .arg(&path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("date = 2026-11-23"), "{text}");
    assert!(
        !text.contains("\nreport_form ="),
        "report_form is the user's to write"
    );
}

/// `check`'s "date after today" warnings (the validation pass) judge on the
/// same day as the 確認表: `--today`, else `SOURCE_DATE_EPOCH`, never the clock.
#[test]
fn future_dates_are_judged_on_the_same_today_as_the_report() {
    let warned = |args: &[&str], epoch: Option<&str>| {
        let mut cmd = cyberbcp();
        if let Some(epoch) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", epoch);
        }
        let out = cmd.arg("check").arg(example()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        (stderr, stdout)
    };
    // The example's newest revision is 2026-11-16 and a drill 2026-11-12.
    let (early, _) = warned(&["--today", "2026-11-13"], None);
    assert!(
        early.contains("日付 2026年11月16日 が今日（2026年11月13日）より後です"),
        "{early}"
    );
    assert!(!early.contains("2026年11月12日 が今日"), "{early}");
    let (pinned, _) = warned(&["--today", "2026-11-24"], None);
    assert!(!pinned.contains("より後です"), "{pinned}");
    // SOURCE_DATE_EPOCH alone: 2026-11-12 15:30 UTC is 2026-11-13 00:30 in Japan.
    let (by_epoch, _) = warned(&[], Some("1794497400"));
    assert!(
        by_epoch.contains("日付 2026年11月16日 が今日（2026年11月13日）より後です"),
        "{by_epoch}"
    );
    // --today wins over SOURCE_DATE_EPOCH, for the warnings and the report alike.
    let (both, table) = warned(&["--today", "2026-11-24"], Some("1794497400"));
    assert!(!both.contains("より後です"), "{both}");
    assert!(table.contains("記載済 27"), "{table}");
}

#[test]
fn a_ledger_row_registered_after_today_is_named_by_file_and_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("devices.csv"),
        "管理番号,OS,登録日\nPC-1,Windows 11,2026-11-01\nPC-2,Windows 11,2026-12-01\n",
    )
    .unwrap();
    let text = edited(|t| {
        t["device_ledger"]
            .as_table_mut()
            .unwrap()
            .insert("file".into(), "devices.csv".into());
        t["network"].as_table_mut().unwrap().remove("diagram");
    });
    let warned = |today: &str| {
        pipeline::prepare_str_on(&dir.path().join("f.toml"), &text, dir.path(), day(today))
            .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics))
            .warnings()
            .iter()
            .filter(|d| d.message.contains("より後です"))
            .map(|d| (d.key.clone().unwrap(), d.message.clone()))
            .collect::<Vec<_>>()
    };
    let early = warned("2026-11-24");
    assert_eq!(early.len(), 1, "{early:?}");
    assert_eq!(early[0].0, "device_ledger.file");
    assert!(
        early[0]
            .1
            .contains("devices.csv の管理番号 PC-2 の登録日 2026年12月1日"),
        "{early:?}"
    );
    assert!(warned("2026-12-01").is_empty());
}

/// The example with one TOML device on an ended OS, its own isolation as given.
fn with_eol_device(isolation: Option<&str>) -> String {
    let isolation = isolation.map(str::to_string);
    edited(move |t| {
        let device = t["devices"].as_array_mut().unwrap()[1]
            .as_table_mut()
            .unwrap();
        device.insert("os".into(), "Windows 10 Pro".into());
        if let Some(i) = isolation {
            device.insert("isolation".into(), i.into());
        }
    })
}

#[test]
fn eol_os_clears_with_the_devices_own_isolation_and_names_the_column() {
    let bare = report_on(&with_eol_device(None), judged_on());
    assert_eq!(codes(&bare), ["eol-os"]);
    let message = &bare.warnings[0].message;
    assert!(
        message.contains("「隔離・代替措置」の列") && message.contains("isolation"),
        "{message}"
    );
    // A placeholder is not a measure.
    let placeholder = report_on(&with_eol_device(Some("○○")), judged_on());
    assert_eq!(codes(&placeholder), ["eol-os"]);
    let blank = report_on(&with_eol_device(Some("  ")), judged_on());
    assert_eq!(codes(&blank), ["eol-os"]);
    let isolated = report_on(
        &with_eol_device(Some(
            "VPN 装置は保守時のみ電源を入れ、院内 LAN から分離する",
        )),
        judged_on(),
    );
    assert_eq!(codes(&isolated), Vec::<&str>::new());
}

/// A ledger with the manual's 12 columns and one more, 「隔離・代替措置」
/// (or 隔離措置 / isolation): the measure clears the device's eol-os.
#[test]
fn the_ledger_takes_an_isolation_column_beside_the_manuals_twelve() {
    let dir = tempfile::tempdir().unwrap();
    let text = edited(|t| {
        t["device_ledger"]
            .as_table_mut()
            .unwrap()
            .insert("file".into(), "devices.csv".into());
        t["network"].as_table_mut().unwrap().remove("diagram");
    });
    let judge = |csv: &str| {
        std::fs::write(dir.path().join("devices.csv"), csv).unwrap();
        let prepared =
            pipeline::prepare_str_on(&dir.path().join("f.toml"), &text, dir.path(), judged_on())
                .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
        let report = prepared.coverage_on(judged_on());
        report
            .warnings
            .iter()
            .filter(|w| w.code == "eol-os")
            .map(|w| w.key.clone())
            .collect::<Vec<_>>()
    };
    let twelve = "管理番号,メーカー,OS,ソフトウェア,ソフトウェアバージョン,IPアドレス,コンピュータ名,設置場所,利用者,登録日,状態,説明";
    assert_eq!(
        judge(&format!(
            "{twelve}\nMD-1,E社,Windows 7 Professional,超音波,2,,,検査室,技師,2018/4/1,稼働,\n"
        )),
        ["devices（管理番号 MD-1）.os"]
    );
    for column in ["隔離・代替措置", "隔離措置", "isolation"] {
        let csv = format!(
            "{twelve},{column}\nMD-1,E社,Windows 7 Professional,超音波,2,,,検査室,技師,2018/4/1,稼働,,院内 LAN から切り離して単独で使用\nMD-2,E社,Windows 8.1,心電計,1,,,検査室,技師,2019/4/1,稼働,,\n"
        );
        assert_eq!(judge(&csv), ["devices（管理番号 MD-2）.os"], "{column}");
    }
}

/// 2.1.6 lists each device that cannot be patched with its measure (or the
/// 【未記入】 marker); the 情報機器台帳 keeps the manual's 12 columns.
#[test]
fn section_2_1_6_lists_end_of_support_devices_with_their_measure() {
    let text = edited(|t| {
        let devices = t["devices"].as_array_mut().unwrap();
        let first = devices[0].as_table_mut().unwrap();
        first.insert("os".into(), "Windows 7 Professional".into());
        first.insert(
            "isolation".into(),
            "院内 LAN から切り離し、単独で使用する".into(),
        );
        devices[1]
            .as_table_mut()
            .unwrap()
            .insert("os".into(), "Windows 8.1".into());
    });
    let built = crate::common::build_text(&text, &example());
    let pdf = &built.text;
    // The body's heading, not the table of contents' line.
    let at = pdf.rfind("2.1.6脆弱性に関する対策").unwrap();
    let end = at + pdf[at..].find("2.2非常時に備えた").unwrap();
    let section = &pdf[at..end];
    for needle in [
        "修正プログラムを適用できない機器",
        "隔離・代替措置",
        "Windows7Professional",
        "2020年1月14日",
        "院内LANから切り離し、単独で使用する",
        "Windows8.1",
        "【未記入】隔離・代替措置（設定キー:devices.isolation）",
    ] {
        assert!(section.contains(needle), "2.1.6 lacks {needle}: {section}");
    }
    // The ledger's table (2.1.3) has no such column.
    let ledger = &pdf[pdf.rfind("2.1.3情報機器台帳").unwrap()..at];
    assert!(!ledger.contains("隔離・代替措置"), "{ledger}");
    // Nothing to list: no table.
    let plain = crate::common::build_path(&example());
    assert!(!plain.text.contains("修正プログラムを適用できない機器"));
}
