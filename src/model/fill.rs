//! How to fill a key the plan lacks, in one wording for the PDF's 【未記入】
//! boxes, the build's list of them and `check`'s hints.

/// (key as the user writes it, what to write).
const HOW: &[(&str, &str)] = &[
    ("revisions", "[[revisions]] に版・日付・概要・承認者を追加"),
    ("systems", "[[systems]] に対象の医療情報システムを追加"),
    (
        "facility.document_owner",
        "BCP の原本を管理する部門名を記入",
    ),
    (
        "roles.security_manager",
        "[[roles]] の一つに designation = \"security_manager\" を指定",
    ),
    (
        "roles.chief",
        "[[roles]] の一つに designation = \"chief\" を指定",
    ),
    ("roles", "[[roles]] に役割・担当部署・役割の概要を追加"),
    (
        "devices",
        "[[devices]] を追加するか [device_ledger] file = \"devices.csv\" を指定",
    ),
    (
        "network.diagram",
        "[network] diagram = \"network.png\" に構成図の画像を指定",
    ),
    (
        "alternatives",
        "[[alternatives]] に業務・システム・代替手段を追加",
    ),
    (
        "vulnerability",
        "[vulnerability] に責任分界・情報源・適用方針を記入",
    ),
    (
        "contacts.agency",
        "[[contacts]] に category = \"agency\" の外部関係機関（厚生労働省・警察など）を追加",
    ),
    (
        "contacts.vendor",
        "[[contacts]] に category = \"vendor\" の事業者を追加",
    ),
    (
        "training.times_per_year",
        "[training] times_per_year = 年間の教育・訓練回数",
    ),
    (
        "backups",
        "[[backups]] にシステムごとの頻度・作成方法・復旧方法を追加",
    ),
    (
        "contacts.internal",
        "[[contacts]] に category = \"internal\" の部門連絡先を追加",
    ),
    (
        "incident.report_form",
        "[incident] report_form = 異常時に使う報告様式の名前",
    ),
];

/// What to write for `key` (empty for a key not in the table: a test checks
/// that every key the code asks for is there).
pub fn how(key: &str) -> &'static str {
    HOW.iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, how)| how)
}

/// Every key with a wording, for tests.
pub fn keys() -> impl Iterator<Item = &'static str> {
    HOW.iter().map(|(k, _)| *k)
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
        }
        let mut all: Vec<_> = keys().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), HOW.len(), "a key twice");
        assert_eq!(how("no.such.key"), "");
    }
}
