//! The facility TOML: serde types, loading with spans, and validation.
//!
//! Field documentation lives in `facility.example.toml` (in Japanese, for users);
//! here the comments say why a type looks the way it does.

mod date;
pub mod devices;
pub mod fill;
pub mod limits;
mod load;
pub mod placeholder;
mod serde_ja;
pub mod validate;

pub use date::Date;
pub use limits::read_regular;
pub use load::{Loaded, decode, load_file, load_str, string_values};
pub use validate::validate;

use serde::{Deserialize, Serialize};

/// One facility's plan: the whole TOML file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub facility: Facility,
    #[serde(default)]
    pub scope: Scope,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub systems: Vec<System>,
    #[serde(default)]
    pub devices: Vec<Device>,
    #[serde(default)]
    pub device_ledger: Option<DeviceLedger>,
    #[serde(default)]
    pub network: Option<Network>,
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    #[serde(default)]
    pub vulnerability: Option<Vulnerability>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub training: Option<Training>,
    #[serde(default)]
    pub backups: Vec<Backup>,
    #[serde(default)]
    pub incident: Incident,
    /// 第４章 事後対応で施設が決めること（報告先、再発防止の体制、事業者への依頼）
    #[serde(default)]
    pub followup: Followup,
    #[serde(default)]
    pub disclosure: Option<Disclosure>,
    #[serde(default)]
    pub revisions: Vec<Revision>,
    #[serde(default)]
    pub checklist: Option<Checklist>,
    /// 配布用の写し（build --public）で追加で非表示にするもの
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
}

/// `build --public` hides IPs, host names, personal numbers and the diagram by
/// rule; this lists what else the facility wants hidden from outside readers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Distribution {
    /// 配布用の写しで ■■■ にするキー（例: ["facility.address", "contacts.person", "incident.forensics"]）
    #[serde(default)]
    pub redact: Vec<String>,
}

impl Distribution {
    /// What `redact` accepts: a table (every text in it) or one of its text
    /// fields (in every row). Dates, numbers and yes/no values are never hidden.
    pub const KEYS: &[&str] = &[
        "facility",
        "facility.name",
        "facility.founder",
        "facility.manager",
        "facility.address",
        "facility.phone",
        "facility.document_owner",
        "scope",
        "scope.extra_systems",
        "scope.extra_events",
        "scope.extra_attacks",
        "roles",
        "roles.role",
        "roles.assignee",
        "roles.duty",
        "roles.phone",
        "roles.email",
        "systems",
        "systems.name",
        "systems.category",
        "systems.vendor",
        "systems.purpose",
        "systems.mds_sds",
        "devices",
        "devices.id",
        "devices.maker",
        "devices.os",
        "devices.software",
        "devices.version",
        "devices.ip",
        "devices.hostname",
        "devices.location",
        "devices.users",
        "devices.status",
        "devices.note",
        "network",
        "network.description",
        "alternatives",
        "alternatives.business",
        "alternatives.systems",
        "alternatives.alternative",
        "alternatives.manual",
        "vulnerability",
        "vulnerability.responsibility",
        "vulnerability.sources",
        "vulnerability.policy",
        "vulnerability.fallback",
        "contacts",
        "contacts.name",
        "contacts.person",
        "contacts.phone",
        "contacts.email",
        "contacts.purpose",
        "contacts.systems",
        "contacts.hours",
        "training",
        "training.plans",
        "training.notes",
        "training.drills",
        "training.drills.title",
        "training.drills.participants",
        "training.drills.findings",
        "backups",
        "backups.system",
        "backups.frequency",
        "backups.method",
        "backups.restore",
        "incident",
        "incident.report_form",
        "incident.investigation",
        "incident.containment",
        "incident.continuity_manual",
        "incident.forensics",
        "incident.notes",
        "disclosure",
        "disclosure.owner",
        "disclosure.channels",
        "disclosure.notes",
        "revisions.summary",
        "revisions.approver",
    ];
}

/// `private = true` is only written when set, so data.json stays as it was.
fn is_false(b: &bool) -> bool {
    !*b
}

/// The yearly checklist's records: when it was checked and what was answered.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// 1回目の確認日
    pub first: Option<Date>,
    /// 2回目の確認日
    pub second: Option<Date>,
    #[serde(default)]
    pub answers: Vec<ChecklistAnswer>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    /// The item id (`2-(6)/server`, see src/checklist/items.toml).
    pub item: String,
    /// 1回目: true = はい, false = いいえ
    pub first: Option<bool>,
    /// 目標日 (for a いいえ)
    pub target: Option<Date>,
    /// 2回目
    pub second: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Hospital,
    Clinic,
    Pharmacy,
}

impl Kind {
    pub const ALL: [&'static str; 3] = ["hospital", "clinic", "pharmacy"];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hospital => "hospital",
            Kind::Clinic => "clinic",
            Kind::Pharmacy => "pharmacy",
        }
    }

    /// 病院 / 診療所 / 薬局
    pub fn label_ja(self) -> &'static str {
        match self {
            Kind::Hospital => "病院",
            Kind::Clinic => "診療所",
            Kind::Pharmacy => "薬局",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    pub name: String,
    pub kind: Kind,
    /// 開設者
    pub founder: Option<String>,
    /// 管理者 (病院長・院長・管理薬剤師の氏名)
    pub manager: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// 病床数: only meaningful for hospitals (and clinics with beds).
    pub beds: Option<u32>,
    /// 1.4: the department that keeps the original document.
    pub document_owner: Option<String>,
}

/// 1.3.2: the ひな形 lists default events and attacks; facilities add their own.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default)]
    pub extra_systems: Vec<String>,
    #[serde(default)]
    pub extra_events: Vec<String>,
    #[serde(default)]
    pub extra_attacks: Vec<String>,
}

/// Which role is which, so the plan can name the two people the 確認表 asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Designation {
    /// 最高責任者
    Chief,
    /// 医療情報システム安全管理責任者
    SecurityManager,
    /// CSIRT 窓口
    Csirt,
}

impl Designation {
    pub const ALL: [&'static str; 3] = ["chief", "security_manager", "csirt"];
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub role: String,
    pub assignee: String,
    pub duty: String,
    pub designation: Option<Designation>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 連絡がつく時間（例:「平日 8時30分〜17時15分」「24時間」）
    pub hours: Option<String>,
    /// 夜間・休日の連絡先（例:「当直事務 内線 1999（室長の携帯へ転送）」）
    pub night: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

impl Role {
    /// Whether someone answers this role outside office hours.
    pub fn reachable_at_night(&self) -> bool {
        self.night.as_deref().is_some_and(|n| !n.trim().is_empty())
            || self.hours.as_deref().is_some_and(mentions_night)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    pub const ALL: [&'static str; 3] = ["high", "medium", "low"];
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub name: String,
    pub category: String,
    pub vendor: Option<String>,
    pub purpose: String,
    /// 重要度 (診療継続の観点)
    pub importance: Level,
    /// 復旧優先度: 1 is restored first; may differ from importance (手引き 4-1).
    pub recovery_priority: u32,
    #[serde(default)]
    pub remote_maintenance: bool,
    /// For remote maintenance: the MDS/SDS or vendor checklist on record
    /// (e.g. 「MDS/SDS 2024年版 受領済」).
    pub mds_sds: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// One row of the 情報機器台帳, with the manual's columns.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub id: String,
    pub maker: Option<String>,
    pub os: Option<String>,
    pub software: Option<String>,
    pub version: Option<String>,
    pub ip: Option<String>,
    pub hostname: Option<String>,
    pub location: Option<String>,
    pub users: Option<String>,
    pub registered: Option<Date>,
    pub status: Option<String>,
    pub note: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceLedger {
    /// A CSV file beside the TOML (UTF-8, header row with the Device field names).
    pub file: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// An image (PNG, JPEG, SVG) beside the TOML.
    pub diagram: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// When the diagram was last brought up to date.
    pub updated: Option<Date>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    pub business: String,
    pub systems: Vec<String>,
    pub alternative: String,
    pub manual: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Vulnerability {
    /// 責任分界: who patches what, as agreed in contracts.
    pub responsibility: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Markdown: how patches are applied.
    pub policy: Option<String>,
    /// When a patch cannot be applied (隔離運用、監視の強化…).
    pub fallback: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactCategory {
    /// 部門連絡先 (3.1)
    Internal,
    /// 事業者 (2.2.2, 3.1)
    Vendor,
    /// 外部関係機関 (2.2.1)
    Agency,
}

impl ContactCategory {
    pub const ALL: [&'static str; 3] = ["internal", "vendor", "agency"];
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub category: ContactCategory,
    pub person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub purpose: Option<String>,
    /// For vendors: the systems they maintain (by `systems[].name`).
    #[serde(default)]
    pub systems: Vec<String>,
    /// 連絡可能時間 (e.g. 「24時間」「平日9時〜17時」)
    pub hours: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub times_per_year: Option<u32>,
    #[serde(default)]
    pub plans: Vec<String>,
    #[serde(default)]
    pub drills: Vec<Drill>,
    /// Markdown.
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    pub date: Date,
    pub title: String,
    pub participants: Option<String>,
    pub findings: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub system: String,
    pub frequency: String,
    pub method: String,
    pub restore: String,
    pub generations: Option<u32>,
    #[serde(default)]
    pub offline: bool,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// Chapter 3 details a facility customises; `None` keeps the ひな形's wording.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// 3.2: the name of the 報告様式.
    pub report_form: Option<String>,
    /// 3.3.1 調査項目
    pub investigation: Option<Vec<String>>,
    /// 3.3.2 遮断の順序
    pub containment: Option<Vec<String>>,
    /// 3.4.1: the manual followed while systems are down.
    pub continuity_manual: Option<String>,
    /// 3.4.2: who does forensics when the facility cannot.
    pub forensics: Option<String>,
    /// 3.4.2 証拠保全の依頼先の電話番号
    pub forensics_phone: Option<String>,
    /// 3.1 連絡体制図を掲示している場所（例:「各部署の電話機の横、ナースステーション」）
    pub chart_posted: Option<String>,
    /// 3.5.2 通常運用への復旧を宣言する前に確かめること（誰が何を確認するか）
    #[serde(default)]
    pub recovery_checks: Vec<String>,
    /// Markdown.
    pub notes: Option<String>,
}

/// Chapter 4 details a facility decides; empty keeps only the ひな形's wording.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Followup {
    /// 4.1 復旧後の報告先と期限（個人情報が漏えいしたおそれがあれば個人情報保護委員会への報告も）
    #[serde(default)]
    pub reports: Vec<String>,
    /// 4.2.1 再発防止策を検討し決定する体制（誰が検討し、誰が決め、誰が実施するか）
    pub recurrence: Option<String>,
    /// 4.2.1 決定した再発防止策を全職員に周知する方法
    pub notice: Option<String>,
    /// 4.2.2 事業者に求める再発防止策（事業者名と依頼する内容）
    #[serde(default)]
    pub vendor_requests: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub owner: Option<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// Markdown.
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub version: String,
    pub date: Date,
    pub summary: String,
    pub approver: Option<String>,
}

/// Whether a phone number or hours text says it answers at night or on
/// holidays (「24時間」「夜間は 090-…」「当直」…): the night route of the 連絡体制図.
pub fn mentions_night(text: &str) -> bool {
    [
        "24時間",
        "２４時間",
        "夜間",
        "当直",
        "終日",
        "休日",
        "24h",
        "365日",
    ]
    .iter()
    .any(|k| text.contains(k))
}

impl Plan {
    /// The newest revision by date (ties: the later entry), which dates the document.
    pub fn latest_revision(&self) -> Option<&Revision> {
        self.revisions
            .iter()
            .enumerate()
            .max_by_key(|(i, r)| (r.date, *i))
            .map(|(_, r)| r)
    }

    pub fn role(&self, designation: Designation) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.designation == Some(designation))
    }

    pub fn contacts_of(&self, category: ContactCategory) -> impl Iterator<Item = &Contact> {
        self.contacts.iter().filter(move |c| c.category == category)
    }
}
