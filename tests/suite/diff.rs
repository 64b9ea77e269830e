//! `cyberbcp diff` and `build --changes-from`: changes found as data, each
//! under the ひな形 section it prints in.

use std::path::Path;

use assert_cmd::Command;
use cyberbcp::diff::{Diff, Op};
use cyberbcp::model::Date;
use cyberbcp::pipeline::{self, Prepared};
use cyberbcp::render::Templates;

use crate::common::*;

const TODAY: Date = Date {
    year: 2026,
    month: 6,
    day: 30,
};

fn prepare(text: &str) -> Prepared {
    pipeline::prepare_str(&example(), text, &root())
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

fn example_text() -> String {
    std::fs::read_to_string(example()).unwrap()
}

fn diff(old: &str, new: &str) -> Diff {
    prepare(new).diff_from_on(&prepare(old), TODAY)
}

/// Replace a text that occurs exactly once.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replace(from, to)
}

#[test]
fn identical_files_have_no_change() {
    let text = example_text();
    let d = diff(&text, &text);
    assert!(d.is_empty(), "{d:?}");
    assert!(d.sections().is_empty());
}

#[test]
fn each_single_field_change_names_its_section() {
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "document_owner = \"医療情報管理室\"",
            "document_owner = \"総務課\"",
            &["表紙", "1.4"],
            "文書管理部門",
        ),
        (
            "address = \"さくら県さくら台市中央一丁目2番3号\"",
            "address = \"さくら県さくら台市中央二丁目1番\"",
            &["表紙"],
            "所在地",
        ),
        (
            "extra_events = [\"地域医療連携ネットワークへの接続不能\"]",
            "extra_events = [\"地域医療連携ネットワークへの接続不能\", \"停電\"]",
            &["1.3.2"],
            "想定する事象",
        ),
        (
            "purpose = \"放射線画像の保存・参照\"",
            "purpose = \"放射線画像の保存\"",
            &["1.3.1"],
            "PACS",
        ),
        (
            "recovery_priority = 5",
            "recovery_priority = 6",
            &["2.1.5", "3.5.1"],
            "臨床検査システム",
        ),
        (
            "ip = \"192.168.0.2\"",
            "ip = \"192.168.0.3\"",
            &["2.1.3"],
            "NW-002",
        ),
        (
            "updated = 2025-03-15",
            "updated = 2025-03-20",
            &["2.1.4"],
            "最終更新日",
        ),
        (
            "manual = \"放射線科 障害時手順書\"",
            "manual = \"放射線科 手順書 第2版\"",
            &["2.1.5"],
            "放射線画像診断",
        ),
        (
            "fallback = \"隔離運用、通信先の制限、監視の強化。",
            "fallback = \"隔離運用、監視の強化。",
            &["2.1.6"],
            "代替手段",
        ),
        (
            "phone = \"045-000-0110\"",
            "phone = \"045-000-0119\"",
            &["2.2.1"],
            "警察",
        ),
        (
            "hours = \"平日 9時〜18時（夜間・休日は保守当番 090-0000-7789）\"",
            "hours = \"平日 9時〜17時（夜間・休日は保守当番 090-0000-7789）\"",
            &["2.2.1", "2.2.2", "3.1"],
            "みなと医事ソフト",
        ),
        (
            "person = \"山本 由美\"",
            "person = \"山本 恵\"",
            &["2.2.1", "3.1"],
            "医事課",
        ),
        (
            "duty = \"診療継続の計画策定に関する各種検討作業を行う。\"",
            "duty = \"診療継続の計画を検討する。\"",
            &["2.1.2"],
            "病院事務部",
        ),
        (
            "times_per_year = 2",
            "times_per_year = 3",
            &["2.2.3"],
            "年間の回数",
        ),
        (
            "participants = \"全職員 412名\"",
            "participants = \"全職員 410名\"",
            &["2.2.3"],
            "標的型メール訓練",
        ),
        (
            "generations = 7\noffline = false",
            "generations = 14\noffline = false",
            &["2.2.4"],
            "世代数",
        ),
        (
            "report_form = \"システム異常報告書（様式第1号）\"",
            "report_form = \"異常報告書\"",
            &["3.2"],
            "報告様式",
        ),
        (
            "\"VPN 装置・ファイアウォールのログの確認\",",
            "\"VPN 装置のログの確認\",",
            &["3.3.1"],
            "原因調査",
        ),
        (
            "\"インターネット接続（UTM）とリモート保守用 VPN を遮断する\",",
            "\"インターネット接続を遮断する\",",
            &["3.3.2"],
            "遮断の順序",
        ),
        (
            "forensics = \"さくらメディカルシステムズ株式会社 セキュリティ対応チーム（保守契約に基づく）\"",
            "forensics = \"県警察の指示による\"",
            &["3.4.2"],
            "証拠保全",
        ),
        (
            "owner = \"事務部 総務課（広報担当）\"",
            "owner = \"事務部長\"",
            &["4.3"],
            "担当",
        ),
        (
            "summary = \"初版制定\"",
            "summary = \"制定\"",
            &["改訂履歴"],
            "1.0",
        ),
    ];
    let text = example_text();
    for (from, to, sections, what) in cases {
        let d = diff(&text, &edit(&text, from, to));
        assert_eq!(d.changes.len(), 1, "{from:?} → {to:?}: {:#?}", d.changes);
        let c = &d.changes[0];
        assert_eq!(c.sections, *sections, "{from:?} → {to:?}");
        assert_eq!(c.op, Op::Changed);
        assert!(
            c.what.contains(what),
            "{from:?}: {:?} lacks {what:?}",
            c.what
        );
        assert_ne!(c.old, c.new);
        assert_eq!(d.sections(), *sections);
    }
}

#[test]
fn a_coverage_status_change_is_reported() {
    let text = example_text();
    let d = diff(
        &text,
        &edit(&text, "diagram = \"examples/network.svg\"\n", ""),
    );
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].sections, ["2.1.4"]);
    assert!(
        d.coverage.iter().any(|c| c.id == "1-1.2"),
        "{:?}",
        d.coverage
    );
}

const NEW_CONTACT: &str = "\n[[contacts]]\nname = \"薬剤部\"\ncategory = \"internal\"\nperson = \"薬剤部長　佐藤\"\nphone = \"内線 5000\"\n";
const RADIOLOGY: &str = "[[contacts]]\nname = \"放射線科\"\ncategory = \"internal\"\nperson = \"技師長　渡辺 誠\"\nphone = \"内線 4100\"\n";

#[test]
fn rows_added_removed_and_renamed() {
    let text = example_text();

    let added = format!("{text}{NEW_CONTACT}");
    let d = diff(&text, &added);
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    assert_eq!(d.changes[0].op, Op::Added);
    assert_eq!(d.changes[0].sections, ["2.2.1", "3.1"]);
    assert!(d.changes[0].what.contains("薬剤部"));

    let removed = edit(&text, RADIOLOGY, "");
    let d = diff(&text, &removed);
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    assert_eq!(d.changes[0].op, Op::Removed);
    assert_eq!(d.changes[0].old.as_deref(), Some("放射線科"));

    let renamed = edit(&text, "name = \"医事課\"", "name = \"医事課（会計）\"");
    let d = diff(&text, &renamed);
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
    let c = &d.changes[0];
    assert_eq!(c.op, Op::Renamed);
    assert_eq!(
        (c.old.as_deref(), c.new.as_deref()),
        (Some("医事課"), Some("医事課（会計）"))
    );
    assert_eq!(c.sections, ["2.2.1", "3.1"]);

    // Renamed and one field changed: the rename, then the field under the new name.
    let both = edit(&renamed, "phone = \"内線 1200\"", "phone = \"内線 1250\"");
    let d = diff(&text, &both);
    let ops: Vec<Op> = d.changes.iter().map(|c| c.op).collect();
    assert_eq!(ops, [Op::Renamed, Op::Changed], "{:#?}", d.changes);
    assert!(d.changes[1].what.contains("医事課（会計）"));

    // A device of the CSV ledger is matched by its id like any other row.
    let ledger_row = diff(&text, &edit(&text, "id = \"NW-002\"", "id = \"NW-009\""));
    assert_eq!(ledger_row.changes[0].op, Op::Renamed);
    assert_eq!(ledger_row.changes[0].sections, ["2.1.3"]);
}

#[test]
fn reordered_rows_are_no_change() {
    let text = example_text();
    let block = "[[roles]]\nrole = \"病院事務部\"\nassignee = \"事務部長　小林 直子\"\nduty = \"診療継続の計画策定に関する各種検討作業を行う。\"\n\n";
    let moved = edit(&text, block, "");
    let moved = edit(
        &moved,
        "# ─────────────────────────────────────────────\n# 1.3.1 対象とする医療情報システム",
        &format!(
            "{block}# ─────────────────────────────────────────────\n# 1.3.1 対象とする医療情報システム"
        ),
    );
    assert_ne!(moved, text);
    let d = diff(&text, &moved);
    assert!(d.is_empty(), "{:#?}", d.changes);

    let contacts_reversed = format!("{}\n{RADIOLOGY}", edit(&text, RADIOLOGY, ""));
    assert!(diff(&text, &contacts_reversed).is_empty());
}

#[test]
fn the_revision_summary_names_sections_and_changes() {
    let text = example_text();
    let new = edit(
        &format!("{text}{NEW_CONTACT}"),
        "ip = \"192.168.0.2\"",
        "ip = \"192.168.0.3\"",
    );
    let summary = diff(&text, &new).revision_summary();
    assert_eq!(
        summary,
        "2.1.3 情報機器台帳（機器「NW-002」のIPアドレス）、2.2.1 連絡体制図（連絡先「薬剤部」を追加）"
    );
}

// ---- the binary ----

fn cyberbcp() -> Command {
    let mut cmd = Command::cargo_bin("cyberbcp").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// The clinic fixture as `old.toml` and an edited copy as `new.toml`.
fn clinic_versions(from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("clinic")).unwrap();
    std::fs::write(dir.path().join("old.toml"), &text).unwrap();
    std::fs::write(dir.path().join("new.toml"), edit(&text, from, to)).unwrap();
    dir
}

fn run_diff(dir: &Path, extra: &[&str]) -> std::process::Output {
    cyberbcp()
        .current_dir(dir)
        .args([
            "diff",
            "old.toml",
            "new.toml",
            "--color=never",
            "--today",
            "2026-06-30",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn diff_exits_0_when_equal_1_when_different_2_on_bad_input() {
    let same = clinic_versions(
        "report_form = \"異常連絡メモ\"",
        "report_form = \"異常連絡メモ\"",
    );
    let out = run_diff(same.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("違いはありません"));

    let dir = clinic_versions("phone = \"045-000-5000\"", "phone = \"045-000-5001\"");
    let out = run_diff(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("── 2.2.1 連絡体制図 ──"), "{stdout}");
    assert!(
        stdout.contains("連絡先「受付」の電話番号: 045-000-5000 → 045-000-5001"),
        "{stdout}"
    );
    assert!(
        stdout.contains("summary = \"2.2.1 連絡体制図（連絡先「受付」の電話番号）\""),
        "{stdout}"
    );

    let out = run_diff(dir.path(), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["equal"], false);
    assert_eq!(
        json["changes"][0]["sections"],
        serde_json::json!(["2.2.1", "3.1"])
    );
    assert_eq!(json["changes"][0]["old"], "045-000-5000");
    assert_eq!(json["changes"][0]["op"], "changed");

    std::fs::write(
        dir.path().join("new.toml"),
        "[facility]\nname = \"x\"\nkind = \"hosptial\"\n",
    )
    .unwrap();
    let out = run_diff(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("new.toml:3:8"));
}

#[test]
fn build_changes_from_prints_the_change_page_and_the_revision_draft() {
    let dir = clinic_versions(
        "report_form = \"異常連絡メモ\"",
        "report_form = \"システム異常報告書\"",
    );
    let out = cyberbcp()
        .current_dir(dir.path())
        .args([
            "build",
            "new.toml",
            "--changes-from",
            "old.toml",
            "--color=never",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[[revisions]]\nversion = \"1.1\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("summary = \"3.2 システム異常の検知と経営層への情報伝達（報告様式）\""),
        "{stderr}"
    );

    let text = pdf_text(&std::fs::read(dir.path().join("new.pdf")).unwrap());
    let at = |s: &str| {
        text.find(&squash(s))
            .unwrap_or_else(|| panic!("PDF lacks {s}"))
    };
    assert!(at("改訂履歴") < at("前版からの主な変更点"));
    assert!(at("前版からの主な変更点") < at("目次"));
    // The old value and the new, on the change page (before the table of contents).
    assert!(at("異常連絡メモ") < at("目次"), "the old value is listed");
    assert!(text.contains(&squash("第1.0版から")));
    // The margin mark beside 3.2, and none elsewhere.
    let marks = text.matches("変更").count();
    let plain = cyberbcp()
        .current_dir(dir.path())
        .args(["build", "new.toml", "-o", "plain.pdf"])
        .output()
        .unwrap();
    assert!(plain.status.success());
    let plain = pdf_text(&std::fs::read(dir.path().join("plain.pdf")).unwrap());
    assert!(!plain.contains("前版からの主な変更点"));
    assert!(marks > plain.matches("変更").count());
}

#[test]
fn changed_sections_reach_the_template_as_data() {
    let text = std::fs::read_to_string(fixture("clinic")).unwrap();
    let new_text = edit(&text, "times_per_year = 1", "times_per_year = 2");
    let old = pipeline::prepare_str(
        &fixture("clinic"),
        &text,
        fixture("clinic").parent().unwrap(),
    )
    .unwrap();
    let new = pipeline::prepare_str(
        &fixture("clinic"),
        &new_text,
        fixture("clinic").parent().unwrap(),
    )
    .unwrap();
    let rendered = new
        .render_with(&Templates::builtin(), TODAY, false, Some(&old))
        .unwrap();
    let data: serde_json::Value = serde_json::from_slice(&rendered.data).unwrap();
    assert_eq!(data["changes"]["sections"], serde_json::json!(["2.2.3"]));
    assert_eq!(data["changes"]["rows"][0]["old"], "1");
    assert_eq!(data["changes"]["rows"][0]["new"], "2");
    let pdf = pipeline::compile(&rendered, new.date()).unwrap();
    let text = pdf_text(&pdf.pdf);
    assert_contains_all(&text, &["前版からの主な変更点", "年間の回数"]);
}
