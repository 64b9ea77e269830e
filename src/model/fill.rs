//! How to fill a key the plan lacks, in one wording for the PDF's 【未記入】
//! boxes, the build's list of them and `check`'s hints.

/// (key as the user writes it, what the plan lacks in plain words, how to
/// write it in the TOML).
const HOW: &[(&str, &str, &str)] = &[
    (
        "revisions",
        "改訂履歴（版・日付・概要・承認者）",
        "[[revisions]] に版・日付・概要・承認者を追加",
    ),
    (
        "systems",
        "対象とする医療情報システム",
        "[[systems]] に対象の医療情報システムを追加",
    ),
    (
        "facility.document_owner",
        "BCP の原本を管理する部門",
        "BCP の原本を管理する部門名を記入",
    ),
    (
        "roles.security_manager",
        "医療情報システム安全管理責任者",
        "[[roles]] の一つに designation = \"security_manager\" を指定",
    ),
    (
        "roles.chief",
        "最高責任者（経営層）",
        "[[roles]] の一つに designation = \"chief\" を指定",
    ),
    (
        "roles",
        "役割と担当者",
        "[[roles]] に役割・担当部署・役割の概要を追加",
    ),
    (
        "devices",
        "情報機器台帳（サーバ・端末・ネットワーク機器）",
        "[[devices]] を追加するか [device_ledger] file = \"devices.csv\" を指定",
    ),
    (
        "devices.isolation",
        "隔離・代替措置",
        "機器台帳の「隔離・代替措置」の列（[[devices]] なら isolation）に記入",
    ),
    (
        "network.diagram",
        "ネットワーク構成図",
        "[network] diagram = \"network.png\" に構成図の画像を指定",
    ),
    (
        "alternatives",
        "システム停止時の代替手段",
        "[[alternatives]] に業務・システム・代替手段を追加",
    ),
    (
        "vulnerability",
        "脆弱性への対応（責任分界・情報源・適用方針）",
        "[vulnerability] に責任分界・情報源・適用方針を記入",
    ),
    (
        "contacts.agency",
        "外部関係機関（厚生労働省・警察など）の連絡先",
        "[[contacts]] に category = \"agency\" の外部関係機関（厚生労働省・警察など）を追加",
    ),
    (
        "contacts.vendor",
        "システム事業者の連絡先",
        "[[contacts]] に category = \"vendor\" の事業者を追加",
    ),
    (
        "contacts.phone",
        "この連絡先の電話番号",
        "[[contacts]] のこの行に phone = 電話番号（補足は phone_note）を記入",
    ),
    (
        "training.times_per_year",
        "年間の教育・訓練の回数",
        "[training] times_per_year = 年間の教育・訓練回数",
    ),
    (
        "backups",
        "バックアップ（頻度・方法・復旧手順）",
        "[[backups]] にシステムごとの頻度・作成方法・復旧方法を追加",
    ),
    (
        "contacts.internal",
        "部門の連絡先",
        "[[contacts]] に category = \"internal\" の部門連絡先を追加",
    ),
    (
        "training.drills",
        "訓練の実施記録",
        "[[training.drills]] に実施日・内容・参加者を記録",
    ),
    (
        "disclosure.owner",
        "情報公開の担当部署",
        "[disclosure] owner = 情報公開を担当する部署",
    ),
    (
        "systems.mds_sds",
        "リモート保守の MDS/SDS・チェックリストの記録",
        "[[systems]] の mds_sds に事業者から受け取った MDS/SDS の記録（例: 「MDS/SDS 2024年版 受領済」）を記入",
    ),
    (
        "incident.first_actions",
        "異常に気付いた職員が電話の前にすること（電源・LAN ケーブルの扱いなど）",
        "[incident] first_actions = [\"…\", \"…\"] に、気付いた職員が最初にすることを順に記入",
    ),
    (
        "incident.report_form",
        "異常時に使う報告様式の名前",
        "[incident] report_form = 異常時に使う報告様式の名前",
    ),
];

/// What to write for `key` (empty for a key not in the table: a test checks
/// that every key the code asks for is there).
pub fn how(key: &str) -> &'static str {
    HOW.iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, _, how)| how)
}

/// What the plan lacks at `key`, in plain words (the 【未記入】 box's first line).
pub fn what(key: &str) -> &'static str {
    HOW.iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, what, _)| what)
}

/// Every key with a wording, for tests.
pub fn keys() -> impl Iterator<Item = &'static str> {
    HOW.iter().map(|(k, _, _)| *k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_the_code_asks_for_has_a_wording() {
        let asked = [
            "roles.chief",
            "roles.security_manager",
            "contacts.vendor",
            "contacts.internal",
            "contacts.agency",
            "devices",
            "systems",
            "alternatives",
            "roles",
            "training.times_per_year",
            "backups",
        ];
        for key in asked {
            assert!(!how(key).is_empty(), "{key}");
            assert!(!what(key).is_empty(), "{key}");
        }
        let mut all: Vec<_> = keys().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), HOW.len(), "a key twice");
        assert_eq!(how("no.such.key"), "");
    }
}
