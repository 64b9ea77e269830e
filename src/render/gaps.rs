//! What the plan does not say yet: each gap becomes a visible 【未記入】 box in
//! its section and a line on stderr, naming the TOML key to fill.

use serde::Serialize;

use crate::model::validate::Checked;
use crate::model::{ContactCategory, Designation, Plan};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The key to fill, as the user writes it (`backups`, `facility.document_owner`).
    pub key: &'static str,
    /// The ひな形 section that shows the box.
    pub section: &'static str,
    /// What to write, in Japanese.
    pub fix: &'static str,
}

pub fn gaps(plan: &Plan, checked: &Checked) -> Vec<Gap> {
    let training = plan.training.as_ref();
    let rules: [(bool, &'static str, &'static str, &'static str); 16] = [
        (
            plan.revisions.is_empty(),
            "revisions",
            "表紙",
            "[[revisions]] に版・日付・概要・承認者を追加",
        ),
        (
            plan.systems.is_empty(),
            "systems",
            "1.3.1",
            "[[systems]] に対象の医療情報システムを追加",
        ),
        (
            plan.facility.document_owner.is_none(),
            "facility.document_owner",
            "1.4",
            "BCP の原本を管理する部門名を記入",
        ),
        (
            plan.role(Designation::SecurityManager).is_none(),
            "roles.security_manager",
            "2.1.1",
            "[[roles]] の一つに designation = \"security_manager\" を指定",
        ),
        (
            plan.role(Designation::Chief).is_none(),
            "roles.chief",
            "2.1.1",
            "[[roles]] の一つに designation = \"chief\" を指定",
        ),
        (
            plan.roles.is_empty(),
            "roles",
            "2.1.2",
            "[[roles]] に役割・担当部署・役割の概要を追加",
        ),
        (
            checked.devices.is_empty(),
            "devices",
            "2.1.3",
            "[[devices]] を追加するか [device_ledger] file = \"devices.csv\" を指定",
        ),
        (
            checked.diagram.is_none(),
            "network.diagram",
            "2.1.4",
            "[network] diagram = \"network.png\" に構成図の画像を指定",
        ),
        (
            plan.alternatives.is_empty(),
            "alternatives",
            "2.1.5",
            "[[alternatives]] に業務・システム・代替手段を追加",
        ),
        (
            plan.vulnerability.is_none(),
            "vulnerability",
            "2.1.6",
            "[vulnerability] に責任分界・情報源・適用方針を記入",
        ),
        (
            plan.contacts_of(ContactCategory::Agency).next().is_none(),
            "contacts.agency",
            "2.2.1",
            "[[contacts]] に category = \"agency\" の外部関係機関（厚生労働省・警察など）を追加",
        ),
        (
            plan.contacts_of(ContactCategory::Vendor).next().is_none(),
            "contacts.vendor",
            "2.2.2",
            "[[contacts]] に category = \"vendor\" の事業者を追加",
        ),
        (
            training.and_then(|t| t.times_per_year).is_none(),
            "training.times_per_year",
            "2.2.3",
            "[training] times_per_year = 年間の教育・訓練回数",
        ),
        (
            plan.backups.is_empty(),
            "backups",
            "2.2.4",
            "[[backups]] にシステムごとの頻度・作成方法・復旧方法を追加",
        ),
        (
            plan.contacts_of(ContactCategory::Internal).next().is_none(),
            "contacts.internal",
            "3.1",
            "[[contacts]] に category = \"internal\" の部門連絡先を追加",
        ),
        (
            plan.incident.report_form.is_none(),
            "incident.report_form",
            "3.2",
            "[incident] report_form = 異常時に使う報告様式の名前",
        ),
    ];
    rules
        .into_iter()
        .filter(|(missing, ..)| *missing)
        .map(|(_, key, section, fix)| Gap { key, section, fix })
        .collect()
}
