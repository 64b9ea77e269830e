//! Where each key of the TOML prints in the ひな形: the map from a change to
//! the section(s) a reader of the reprint should look at.

use serde_json::Value;

/// Sections in document order: id (the heading's number, or a part without
/// one) and title. Ids with a number have a `<sec-…>` label in the templates.
pub const SECTIONS: &[(&str, &str)] = &[
    ("表紙", "表紙"),
    ("改訂履歴", "改訂履歴"),
    ("1.3.1", "対象とする医療情報システム"),
    ("1.3.2", "想定する事象"),
    ("1.4", "文書の管理および周知"),
    ("2.1.1", "医療情報システム安全管理責任者"),
    ("2.1.2", "組織体制図"),
    ("2.1.3", "情報機器台帳"),
    ("2.1.4", "ネットワーク・システム構成図"),
    ("2.1.5", "リスク評価・代替運用"),
    ("2.1.6", "脆弱性に関する対策"),
    ("2.2.1", "連絡体制図"),
    ("2.2.2", "情報収集体制"),
    ("2.2.3", "教育体制"),
    ("2.2.4", "バックアップ体制"),
    ("3.1", "異常発見時の連絡先"),
    ("3.2", "システム異常の検知と経営層への情報伝達"),
    ("3.3", "初動対応"),
    ("3.3.1", "原因調査"),
    ("3.3.2", "被害拡大防止"),
    ("3.4.1", "医療情報システムの縮退運転判断"),
    ("3.4.2", "被害状況等調査（フォレンジック調査＋証拠保全）"),
    ("3.5.1", "復旧指示と復旧作業"),
    ("4.1", "報告"),
    ("4.2.1", "再発防止策検討・策定"),
    ("4.2.2", "事業者への指示"),
    ("4.3", "情報公開"),
    ("付録", "付録（確認表・チェックリスト）"),
    ("配布用", "配布用の写し（build --public）"),
];

pub fn section_title(id: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(i, _)| *i == id)
        .map_or("", |(_, t)| *t)
}

/// The sections a change to `table` (and `field`, for one field) prints in.
/// `rows` are the old and new row, for rules that depend on the row
/// (a contact's category, a role's designation).
pub fn of(table: &str, field: Option<&str>, rows: Option<(&Value, &Value)>) -> Vec<&'static str> {
    let either = |k: &str| -> Vec<String> {
        rows.map(|(x, y)| {
            [x, y]
                .iter()
                .filter_map(|r| r.get(k).and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
    };
    let mut out: Vec<&'static str> = match (table, field) {
        ("facility", Some("document_owner")) => vec!["表紙", "1.4"],
        ("facility", _) => vec!["表紙"],
        ("scope", Some("extra_systems")) => vec!["1.3.1"],
        ("scope", _) => vec!["1.3.2"],
        ("roles", field) => {
            let designated = !either("designation").is_empty();
            match field {
                Some("phone" | "email") => vec!["2.2.1"],
                Some("designation") => vec!["2.1.1", "2.1.2", "2.2.1"],
                _ if designated => vec!["2.1.1", "2.1.2", "2.2.1"],
                _ => vec!["2.1.2"],
            }
        }
        ("systems", Some("category" | "purpose" | "vendor")) => vec!["1.3.1"],
        ("systems", Some("importance" | "recovery_priority" | "recovery_target")) => {
            vec!["2.1.5", "3.5.1"]
        }
        ("systems", Some("remote_maintenance")) => vec!["1.3.1", "2.1.6"],
        ("systems", Some("mds_sds")) => vec!["付録"],
        ("systems", Some("private")) => vec!["配布用"],
        ("systems", _) => vec!["1.3.1", "2.1.5", "3.5.1"],
        ("devices" | "device_ledger", _) => vec!["2.1.3"],
        ("network", _) => vec!["2.1.4"],
        ("alternatives", _) => vec!["2.1.5"],
        ("vulnerability", _) => vec!["2.1.6"],
        ("contacts", _) => {
            let mut s = vec!["2.2.1"];
            let categories = either("category");
            if categories.iter().any(|c| c == "vendor") {
                s.extend(["2.2.2", "3.1"]);
            } else if categories.iter().any(|c| c == "internal") {
                s.push("3.1");
            }
            s
        }
        ("training" | "training.drills", _) => vec!["2.2.3"],
        ("backups", _) => vec!["2.2.4"],
        ("incident", Some("report_form")) => vec!["3.2"],
        ("incident", Some("first_actions")) => vec!["3.2"],
        ("incident", Some("investigation")) => vec!["3.3.1"],
        ("incident", Some("containment")) => vec!["3.3.2"],
        ("incident", Some("continuity_manual")) => vec!["3.4.1"],
        ("incident", Some("forensics")) => vec!["3.4.2"],
        ("incident", _) => vec!["3.3"],
        ("followup", Some("recurrence" | "notice")) => vec!["4.2.1"],
        ("followup", Some("vendor_requests")) => vec!["4.2.2"],
        ("followup", _) => vec!["4.1"],
        ("disclosure", _) => vec!["4.3"],
        ("revisions", _) => vec!["改訂履歴"],
        ("checklist" | "checklist.answers", _) => vec!["付録"],
        _ => vec!["配布用"],
    };
    // Marking a row private changes only the public copy.
    if field == Some("private") {
        out = vec!["配布用"];
    }
    out
}
