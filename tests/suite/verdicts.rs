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
        let text = cyberbcp::starter::text(kind, "facility.toml").unwrap();
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
    // The last drill is 2026-11-12: held within the year until 2027-11-11, but
    // then one of the two promised (`drill-shortfall`, △); missing a day later.
    let short = report_on(&text, day("2027-11-11"));
    assert_eq!(status(&short, "1-2.3"), Status::Default);
    assert!(hints(&short, "1-2.3").contains("drill-shortfall"));
    assert_eq!(
        status(&report_on(&text, day("2026-11-23")), "1-2.3"),
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

/// The printed plan is judged on its own date (the newest revision), never the
/// day it is built: the same TOML gives the same PDF in any year, while the
/// terminal's 確認表 line follows the day (`SOURCE_DATE_EPOCH` here).
#[test]
fn the_pdf_is_the_same_on_any_day_and_the_terminal_follows_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let build_on = |epoch: &str, name: &str| {
        let out = dir.path().join(name);
        let run = Command::cargo_bin("cyberbcp")
            .unwrap()
            .env("SOURCE_DATE_EPOCH", epoch)
            .arg("build")
            .arg(example())
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let said = String::from_utf8_lossy(&run.stdout).into_owned()
            + &String::from_utf8_lossy(&run.stderr);
        (std::fs::read(out).unwrap(), said)
    };
    // 2026-11-23 and 2029-01-01 (UTC midnight).
    let (now, said_now) = build_on("1795392000", "now.pdf");
    let (later, said_later) = build_on("1861920000", "later.pdf");
    assert!(now == later, "the PDF changed with the build day");
    assert!(said_now.contains("記載済 27"), "{said_now}");
    assert!(!said_later.contains("記載済 27"), "{said_later}");
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

// ── Issue 22: verdicts an inspector signs, on a plan written for them ──────────────

/// `tests/fixtures/weak-hospital`: a 120-bed hospital written from `init` with
/// the typical weaknesses (restated ひな形 text, an online Windows 7 PC named
/// in `fallback` only, a NAS "offline" backup of one generation, a vendor
/// without a phone, a weekday-only vendor of the first system to restore,
/// a chief reachable in office hours only, a diagram older than its routers,
/// a one-person drill, a help desk that wipes, reports 「必要に応じて」).
fn weak_text() -> String {
    std::fs::read_to_string(crate::common::fixture("weak-hospital")).unwrap()
}

fn weak_report(text: &str) -> Report {
    let path = crate::common::fixture("weak-hospital");
    pipeline::prepare_str(&path, text, path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics))
        .coverage_on(day("2026-07-01"))
}

fn weak_edited(edit: impl FnOnce(&mut Table)) -> Report {
    let mut t: Table = weak_text().parse().unwrap();
    edit(&mut t);
    weak_report(&toml::to_string(&t).unwrap())
}

fn table_mut<'a>(t: &'a mut Table, key: &str) -> &'a mut Table {
    t.get_mut(key).and_then(Value::as_table_mut).unwrap()
}

fn row_mut<'a>(t: &'a mut Table, key: &str, i: usize) -> &'a mut Table {
    t.get_mut(key).and_then(Value::as_array_mut).unwrap()[i]
        .as_table_mut()
        .unwrap()
}

fn strings(values: &[&str]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|v| Value::String(v.to_string()))
            .collect(),
    )
}

fn assert_covered(report: &Report, ids: &[&str]) {
    for id in ids {
        assert_eq!(
            status(report, id),
            Status::Covered,
            "{id}: {}",
            hints(report, id)
        );
    }
}

fn item_warnings(report: &Report, id: &str) -> Vec<&'static str> {
    report
        .items
        .iter()
        .find(|i| i.id == id)
        .unwrap()
        .warnings
        .clone()
}

#[test]
fn the_weak_hospital_reads_what_an_inspector_would_cite() {
    use Status::{Covered as C, Default as D, Missing as M};
    let report = weak_report(&weak_text());
    let expected = [
        ("1-1.1", C),
        ("1-1.2", D), // the diagram predates the router and the AP
        ("1-1.3", C),
        ("1-1.4", D), // Windows 7 online; fallback only names PC-07
        ("1-2.1", D), // a vendor without phone; the EHR vendor weekdays only
        ("1-2.2", C), // (a missing phone is not about information sources)
        ("1-2.3", D), // one drill of two, by one person
        ("1-2.4", D), // NAS "offline", one generation, restore says nothing
        ("2-1", C),
        ("2-2", C),
        ("2-3", D), // the chief in office hours only, the hospital never closes
        ("3-1", C), // (nor about investigating)
        ("3-2", M), // the vendor's number is what 3-2 asks
        ("3-3", D), // 「ネットワークを遮断して被害の拡大を防止する」
        ("3-4", D), // the chief in office hours only
        ("3-5", D), // a help desk asked to wipe and reinstall
        ("3-6", D), // 「厚労省・警察・保健所には必要に応じて報告する」
        ("4-1", C),
        ("4-2", D), // vendors out of reach (phone, nights)
        ("4-3", D), // as 1-2.4
        ("4-4", D), // 「システムが正常に動作することを確認する」
        ("5-1", C),
        ("5-2", C),
        ("5-3", D), // 「必要に応じて周知する。」
        ("5-4", C),
        ("5-5", D), // 「再発防止策は事業者に提案してもらう」
        ("5-6", D), // reports to the authorities 「必要に応じて」
    ];
    for (id, want) in expected {
        assert_eq!(status(&report, id), want, "{id}: {}", hints(&report, id));
    }
    let mut codes = codes(&report);
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "backup-generations",
            "backup-not-offline",
            "backup-offline",
            "backup-restore",
            "contact-phone",
            "drill-shortfall",
            "eol-os",
            "forensics-wipe",
            "office-hours-only",
            "solo-drill",
            "stale-diagram",
            "vague-report",
            "vendor-night",
            "vendor-proposal",
        ]
    );
    // Each warning lists its items, and each item lists its warnings.
    for w in &report.warnings {
        for id in &w.items {
            assert!(
                item_warnings(&report, id).contains(&w.code),
                "{id} {}",
                w.code
            );
            assert!(
                hints(&report, id).contains(&w.message[..30]),
                "{id} {}",
                w.code
            );
        }
    }
    assert_eq!(item_warnings(&report, "1-1.4"), ["eol-os"]);
    assert_eq!(
        item_warnings(&report, "1-2.1"),
        ["contact-phone", "vendor-night"]
    );
    assert_eq!(
        item_warnings(&report, "1-2.3"),
        ["drill-shortfall", "solo-drill"]
    );
}

/// Item 1: restated ひな形 text and vague words are △ with the 手引き's ask;
/// a concrete who / what / when is ✓, vague words beside it included.
#[test]
fn restated_template_text_is_default_and_concrete_steps_are_covered() {
    let report = weak_report(&weak_text());
    for (id, key, want) in [
        (
            "3-3",
            "incident.containment",
            "どの機器・回線を、どの順に、誰が遮断するか",
        ),
        ("4-4", "incident.recovery_checks", "誰が、どの業務"),
        ("5-3", "followup.notice", "どの経路"),
    ] {
        let h = hints(&report, id);
        assert!(
            h.contains(key) && h.contains(want) && h.contains("手引き"),
            "{id}: {h}"
        );
    }
    let fixed = weak_edited(|t| {
        let incident = table_mut(t, "incident");
        incident.insert(
            "containment".into(),
            strings(&[
                "情報システム室が UTM の WAN 側ケーブルを抜く",
                "当直事務が感染した端末の LAN ケーブルを抜き、電源は切らない",
            ]),
        );
        incident.insert(
            "recovery_checks".into(),
            strings(&["医事課が外来受付で患者検索と会計を試し、情報システム室長が院長に報告する"]),
        );
        table_mut(t, "followup").insert(
            "notice".into(),
            "必要に応じて、事務長が朝礼と部署長会議で説明し、各部署の掲示板に貼る".into(),
        );
    });
    assert_covered(&fixed, &["3-3", "4-4", "5-3"]);
    // Only vague words: still △.
    let vague = weak_edited(|t| {
        table_mut(t, "followup").insert("notice".into(), "適宜、速やかに周知を徹底する".into());
    });
    assert_eq!(status(&vague, "5-3"), Status::Default);
}

/// Item 2: an eol-os device is cleared only by a measure, and 2.1.6 prints the
/// same measure (or 【未記入】): one rule for both.
#[test]
fn a_fallback_that_only_names_the_device_neither_clears_eol_os_nor_fills_2_1_6() {
    let isolation = |prepared: &pipeline::Prepared| -> serde_json::Value {
        let rendered = prepared
            .render(&cyberbcp::render::Templates::builtin())
            .unwrap();
        let data: serde_json::Value = serde_json::from_slice(&rendered.data).unwrap();
        data["eol_devices"][0]["isolation"].clone()
    };
    let path = crate::common::fixture("weak-hospital");
    let prepare = |text: &str| pipeline::prepare_str(&path, text, path.parent().unwrap()).unwrap();
    let named = prepare(&weak_text());
    assert!(codes(&named.coverage_on(day("2026-07-01"))).contains(&"eol-os"));
    assert_eq!(
        isolation(&named),
        serde_json::Value::Null,
        "2.1.6 prints 【未記入】"
    );
    let mut t: Table = weak_text().parse().unwrap();
    table_mut(&mut t, "vulnerability").insert(
        "fallback".into(),
        "PC-07 は院内 LAN から切り離し、画像は USB メモリを使わず専用端末で閲覧する。".into(),
    );
    let measured = prepare(&toml::to_string(&t).unwrap());
    let report = measured.coverage_on(day("2026-07-01"));
    assert!(!codes(&report).contains(&"eol-os"));
    assert_eq!(status(&report, "1-1.4"), Status::Covered);
    assert!(
        isolation(&measured)
            .as_str()
            .is_some_and(|m| m.contains("院内 LAN から切り離し")),
        "{:?}",
        isolation(&measured)
    );
}

/// Items 3 and 9 (backups): ≥1 copy offline or immutable, more than one
/// generation, a restore that says who restores from where; an `offline = true`
/// that its method contradicts is not offline, in the verdict and in 2.2.4.
#[test]
fn backups_that_ransomware_reaches_are_not_covered_and_not_printed_offline() {
    let report = weak_report(&weak_text());
    let h = hints(&report, "4-3");
    assert!(
        h.contains("『電子カルテシステム』") && h.contains("常時接続") && h.contains("誰が"),
        "{h}"
    );
    let path = crate::common::fixture("weak-hospital");
    let prepared = pipeline::prepare_str(&path, &weak_text(), path.parent().unwrap()).unwrap();
    let rendered = prepared
        .render(&cyberbcp::render::Templates::builtin())
        .unwrap();
    let data: serde_json::Value = serde_json::from_slice(&rendered.data).unwrap();
    let rows = data["backups"].to_string();
    assert!(
        data["backups"][0]["rows"][0]["offline"] == false,
        "the NAS copy is printed offline: {rows}"
    );
    // The EHR's copy as given, the other system's third generation added.
    let backup = |offline: bool, method: &str, generations: i64, restore: &str| {
        let (method, restore) = (method.to_string(), restore.to_string());
        weak_edited(move |t| {
            let b = row_mut(t, "backups", 0);
            b.insert("offline".into(), Value::Boolean(offline));
            b.insert("method".into(), method.into());
            b.insert("generations".into(), Value::Integer(generations));
            b.insert("restore".into(), restore.into());
            row_mut(t, "backups", 1).insert("generations".into(), Value::Integer(3));
        })
    };
    let fixed = backup(
        true,
        "NAS に毎日取得し、週 1 回 LTO テープに書き出して保管庫で保管する",
        7,
        "ひばりメディカルがサーバを再構築した後、情報システム室がテープから復元する",
    );
    assert_covered(&fixed, &["1-2.4", "4-3"]);
    // Immutable storage counts as surviving ransomware, without offline = true.
    let immutable = backup(
        false,
        "クラウドのイミュータブル（書き換え不可）ストレージに毎日取得する",
        14,
        "ひばりメディカルがクラウドから復元する",
    );
    assert_eq!(
        status(&immutable, "4-3"),
        Status::Covered,
        "{}",
        hints(&immutable, "4-3")
    );
}

/// Items 4 and 5: a vendor without a phone lowers only the items about
/// reaching vendors; 3-2 also asks for the check of the vendors' 作業履歴.
#[test]
fn a_vendor_without_a_phone_lowers_only_reaching_vendors_and_3_2_asks_for_work_history() {
    let report = weak_report(&weak_text());
    for id in ["1-2.2", "3-1"] {
        assert_eq!(status(&report, id), Status::Covered, "{id}");
    }
    assert_eq!(status(&report, "3-2"), Status::Missing);
    let phoned = weak_edited(|t| {
        row_mut(t, "contacts", 3).insert("phone".into(), "048-000-2222".into());
    });
    assert_eq!(status(&phoned, "3-2"), Status::Default);
    assert!(
        hints(&phoned, "3-2").contains("作業履歴"),
        "{}",
        hints(&phoned, "3-2")
    );
    let checked = weak_edited(|t| {
        row_mut(t, "contacts", 3).insert("phone".into(), "048-000-2222".into());
        table_mut(t, "incident").insert(
            "investigation".into(),
            strings(&[
                "ネットワーク機器やケーブル等の調査",
                "前日までのリモート保守の接続記録とデータ移行の作業履歴を、ひばりメディカルに確認する",
            ]),
        );
    });
    assert_eq!(
        status(&checked, "3-2"),
        Status::Covered,
        "{}",
        hints(&checked, "3-2")
    );
    // 5-5 with a concrete request is ✓ whatever a phone says.
    let requested = weak_edited(|t| {
        table_mut(t, "followup").insert(
            "vendor_requests".into(),
            strings(&["ひばりメディカル: リモート保守の VPN に多要素認証を 3 か月以内に導入する"]),
        );
    });
    assert_eq!(
        status(&requested, "5-5"),
        Status::Covered,
        "{}",
        hints(&requested, "5-5")
    );
}

/// Items 6 and 9 (hours): a weekday-only vendor of the first system to
/// restore, and a chief in office hours while the hospital never closes.
#[test]
fn night_routes_for_first_priority_vendors_and_the_decision_maker() {
    let report = weak_report(&weak_text());
    let vendor = report
        .warnings
        .iter()
        .find(|w| w.code == "vendor-night")
        .unwrap();
    assert_eq!(vendor.key, "contacts[2].hours");
    assert!(vendor.message.contains("ひばりメディカル株式会社"));
    let chief = report
        .warnings
        .iter()
        .find(|w| w.code == "office-hours-only")
        .unwrap();
    assert_eq!(chief.items, ["2-3", "3-4"]);
    let fixed = weak_edited(|t| {
        row_mut(t, "contacts", 2).insert(
            "hours".into(),
            "平日 9時〜17時（夜間・休日は保守当番 090-0000-1234）".into(),
        );
        row_mut(t, "contacts", 3).insert("phone".into(), "048-000-2222".into());
        row_mut(t, "roles", 0).insert("night".into(), "当直事務 → 院長の携帯 090-0000-1001".into());
    });
    let fixed_codes = codes(&fixed);
    assert!(!fixed_codes.contains(&"vendor-night") && !fixed_codes.contains(&"office-hours-only"));
    assert_covered(&fixed, &["1-2.1", "2-3", "3-4", "4-2"]);
    // A clinic open on weekdays only: office hours are enough.
    let clinic = weak_edited(|t| {
        let f = table_mut(t, "facility");
        f.insert("kind".into(), "clinic".into());
        f.remove("beds");
    });
    assert!(!codes(&clinic).contains(&"office-hours-only"));
}

/// Item 9: a diagram older than the ledger's routers and APs, a one-person
/// drill, a help desk that wipes, reports 「必要に応じて」, requests left to the vendor.
#[test]
fn contradictions_name_their_keys_and_clear_when_resolved() {
    let report = weak_report(&weak_text());
    let message = |code: &str| {
        report
            .warnings
            .iter()
            .find(|w| w.code == code)
            .unwrap_or_else(|| panic!("{code}"))
            .message
            .clone()
    };
    assert!(
        message("stale-diagram").contains("NW-01") && message("stale-diagram").contains("NW-02")
    );
    assert!(message("solo-drill").contains("情報システム室 川口"));
    assert!(message("forensics-wipe").contains("証拠保全"));
    assert!(message("vague-report").contains("厚労省・警察・保健所には必要に応じて報告する"));
    assert!(message("vendor-proposal").contains("事業者に提案してもらう"));
    let fixed = weak_edited(|t| {
        table_mut(t, "network").insert(
            "updated".into(),
            Value::Datetime("2026-06-10".parse().unwrap()),
        );
        let training = table_mut(t, "training");
        let drills = training
            .get_mut("drills")
            .and_then(Value::as_array_mut)
            .unwrap();
        drills[1].as_table_mut().unwrap().insert(
            "participants".into(),
            "情報システム室 3名、医事課 2名".into(),
        );
        let incident = table_mut(t, "incident");
        incident.insert(
            "forensics".into(),
            "株式会社さくらセキュリティ（フォレンジック調査・証拠保全の契約先）".into(),
        );
        let followup = table_mut(t, "followup");
        followup.insert(
            "reports".into(),
            strings(&[
                "院長へ: 復旧から 1 週間以内に、情報システム室長が復旧結果と情報漏えいの有無を書面で報告する",
                "個人情報保護委員会へ: 漏えいのおそれがあれば、知ってから 3〜5 日以内に速報、30 日以内に確報（事務長）",
                "厚労省・警察・保健所へ: 攻撃の疑いがあれば当日中に事務長が電話で報告する",
            ]),
        );
        followup.insert(
            "vendor_requests".into(),
            strings(&["ひばりメディカル: リモート保守の VPN に多要素認証を 3 か月以内に導入する"]),
        );
    });
    let left = codes(&fixed);
    for code in [
        "stale-diagram",
        "solo-drill",
        "forensics-wipe",
        "vague-report",
        "vendor-proposal",
    ] {
        assert!(!left.contains(&code), "{code} still fires: {left:?}");
    }
    assert_covered(&fixed, &["1-1.2", "3-5", "3-6", "5-5", "5-6"]);
}

/// `tests/fixtures/weak-pharmacy`: concrete-looking text that is wrong or
/// contradicts itself. Before issue 22 it read 27 of 27 ✓.
#[test]
fn the_weak_pharmacy_that_read_27_covered_reads_what_an_inspector_would_cite() {
    let path = crate::common::fixture("weak-pharmacy");
    let text = std::fs::read_to_string(&path).unwrap();
    let report = pipeline::prepare_str(&path, &text, path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics))
        .coverage_on(day("2026-07-01"));
    let lowered: Vec<&str> = report
        .items
        .iter()
        .filter(|i| i.status != Status::Covered)
        .map(|i| i.id)
        .collect();
    assert_eq!(
        lowered,
        [
            "1-1.2", // the Wi-Fi router is newer than the diagram
            "1-1.4", // 「P-03 は要検討。」 is no measure for Windows 10
            "1-2.1", // the レセコン vendor: 月〜金 only
            "1-2.3", // 「管理薬剤師 1名」
            "1-2.4", // 「NAS にリアルタイムで同期」 with offline = true
            "2-3",   // the security manager on weekdays, the pharmacy open on Saturdays
            "3-2",   // investigation never asks for the vendors' 作業履歴
            "3-3",   // 「速やかに外部との通信を遮断し、被害拡大を防止する」
            "3-5",   // the support centre re-installs
            "3-6",   // 「必要に応じて関係機関に報告する」
            "4-2",   // the レセコン vendor: 月〜金 only
            "4-3",   // as 1-2.4
            "4-4",   // 「正常に稼働することを確認してから再開する」
            "5-3",   // 「適宜周知する」
            "5-5",   // 「提案を受けて対応する」
            "5-6",   // as 3-6
        ]
    );
    assert!(report.items.iter().all(|i| i.status != Status::Missing));
    // 2.2.4 does not print 「オフライン」 beside the synchronised NAS.
    let rendered = pipeline::prepare_str(&path, &text, path.parent().unwrap())
        .unwrap()
        .render(&cyberbcp::render::Templates::builtin())
        .unwrap();
    let data: serde_json::Value = serde_json::from_slice(&rendered.data).unwrap();
    assert_eq!(data["backups"][0]["system"], "レセコン");
    assert_eq!(data["backups"][0]["rows"][0]["offline"], false);
    let w = report
        .warnings
        .iter()
        .find(|w| w.code == "office-hours-only")
        .unwrap();
    assert_eq!(w.items, ["2-3"], "the security manager: 2-3 only");
}

/// Many devices on an ended OS are one finding under 1-1.4: three named, the
/// rest counted; the report's warnings keep every device.
#[test]
fn an_item_lists_three_warnings_of_a_kind_and_counts_the_rest() {
    let report = weak_edited(|t| {
        let devices = t.get_mut("devices").and_then(Value::as_array_mut).unwrap();
        let first = devices[0].as_table().unwrap().clone();
        for n in 1..=4 {
            let mut d = first.clone();
            d.insert("id".into(), format!("PC-7{n}").into());
            devices.push(Value::Table(d));
        }
    });
    assert_eq!(
        report
            .warnings
            .iter()
            .filter(|w| w.code == "eol-os")
            .count(),
        5
    );
    let h = hints(&report, "1-1.4");
    assert_eq!(h.matches("警告 [eol-os] 機器").count(), 3, "{h}");
    assert!(h.contains("警告 [eol-os] ほか 2 件"), "{h}");
}
