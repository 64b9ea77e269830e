//! The facility TOML: serde types, loading with spans, and validation.
//!
//! Every key's `///` comment is a one-line Japanese explanation for users: it
//! becomes the key's `description` in `cyberbcp schema` (editor hover help)
//! and the comment beside the key in the `init` starter. Why a type looks the
//! way it does is said in `//` comments, which reach neither.

pub mod chain;
mod date;
pub mod devices;
pub mod fill;
pub mod limits;
mod load;
pub mod placeholder;
pub mod secrets;
mod serde_ja;
mod unquoted;
pub mod validate;

pub use chain::{Bases, ROW_KEYS, base_tables, extends_in, named_bases, row_key};
pub use date::Date;
pub use limits::read_regular;
pub use load::{Loaded, decode, load_file, load_file_with, load_str, load_str_with, string_values};
pub use validate::validate;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// サイバー攻撃を想定した事業継続計画（BCP）の施設 TOML（cyberbcp）
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cyberbcp 施設 TOML")]
pub struct Plan {
    // Read by the loader (model/chain.rs) before serde sees the plan, so never
    // set here: declared for the schema and the starter's comments.
    /// 共通ファイル（本部の TOML）のパス。この TOML のフォルダからの相対パス（例: "../hq.toml"）。共通ファイルの内容にこのファイルの内容を重ねます
    #[serde(default, skip_serializing)]
    pub extends: Option<String>,
    /// 共通ファイル（extends）の行のうち、この施設では使わないもの（表ごとに行の名前を並べる）
    #[serde(default, skip_serializing)]
    pub drop: Option<DropRows>,
    /// 施設の基本情報（表紙・1.1・1.4）
    pub facility: Facility,
    /// 1.3 対象範囲: ひな形の例に追加する対象・事象・攻撃例
    #[serde(default)]
    pub scope: Scope,
    /// 2.1.1〜2.1.2 担当者の役割（1 人 1 行）
    #[serde(default)]
    pub roles: Vec<Role>,
    /// 1.3.1・2.1.5 対象とする医療情報システム（1 システム 1 行）
    #[serde(default)]
    pub systems: Vec<System>,
    /// 2.1.3 情報機器台帳（1 台 1 行。台帳ファイルは [device_ledger]）
    #[serde(default)]
    pub devices: Vec<Device>,
    /// 2.1.3 情報機器台帳を Excel（.xlsx）・CSV ファイルで渡す
    #[serde(default)]
    pub device_ledger: Option<DeviceLedger>,
    /// 2.1.4 ネットワーク・システム構成図
    #[serde(default)]
    pub network: Option<Network>,
    /// 2.1.5 業務内容に対する代替手段（1 業務 1 行）
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// 2.1.6 脆弱性に関する対策
    #[serde(default)]
    pub vulnerability: Option<Vulnerability>,
    /// 2.2.1・2.2.2・3.1 連絡先（外部関係機関・事業者・部門。1 件 1 行）
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// 2.2.3 教育・訓練
    #[serde(default)]
    pub training: Option<Training>,
    /// 2.2.4 バックアップ（1 システム・1 方式 1 行）
    #[serde(default)]
    pub backups: Vec<Backup>,
    /// 第３章 インシデント発生時の対応（書かない項目はひな形の文のまま）
    #[serde(default)]
    pub incident: Incident,
    /// 第４章 事後対応で施設が決めること（報告先、再発防止の体制、事業者への依頼）
    #[serde(default)]
    pub followup: Followup,
    /// 4.3 情報公開
    #[serde(default)]
    pub disclosure: Option<Disclosure>,
    /// 改訂履歴（一番新しい日付が文書の日付になります）
    #[serde(default)]
    pub revisions: Vec<Revision>,
    /// サイバーセキュリティ対策チェックリストの年 1 回の記録
    #[serde(default)]
    pub checklist: Option<Checklist>,
    /// 配布用の写し（build --public）で追加で非表示にするもの
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
}

/// 共通ファイル（extends）の行のうち、この施設では使わないもの（行の名前で指定）
// Rows are named by their natural key (chain::ROW_KEYS), several fields
// joined by a space, as `diff` names them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DropRows {
    /// 外す役割（role の値。例: ["CSIRT 窓口"]）
    #[serde(default)]
    pub roles: Vec<String>,
    /// 外すシステム（name の値。例: ["電子カルテシステム"]）
    #[serde(default)]
    pub systems: Vec<String>,
    /// 外す機器（id の値）
    #[serde(default)]
    pub devices: Vec<String>,
    /// 外す業務（business の値）
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// 外す連絡先（name の値）
    #[serde(default)]
    pub contacts: Vec<String>,
    /// 外すバックアップ（system と frequency を空白でつないだ値。例: ["電子カルテシステム 毎日"]）
    #[serde(default)]
    pub backups: Vec<String>,
    /// 外す改訂履歴（version の値）
    #[serde(default)]
    pub revisions: Vec<String>,
    /// 外す訓練の記録（[drop.training] drills = ["2025-04-10 訓練名"]）
    #[serde(default)]
    pub training: Option<DropDrills>,
    /// 外すチェックリストの回答（[drop.checklist] answers = ["項目の番号"]）
    #[serde(default)]
    pub checklist: Option<DropAnswers>,
}

/// 外す訓練の記録
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DropDrills {
    /// date と title を空白でつないだ値（例: ["2025-04-10 机上訓練"]）
    #[serde(default)]
    pub drills: Vec<String>,
}

/// 外すチェックリストの回答
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DropAnswers {
    /// item の値
    #[serde(default)]
    pub answers: Vec<String>,
}

/// 配布用の写し（build --public）で追加で非表示にするもの
// IPs, host names, personal numbers and the diagram are hidden by rule; this
// lists what else the facility wants hidden from outside readers.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
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
        "roles.phone_note",
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
        "devices.isolation",
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
        "contacts.phone_note",
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
        "incident.first_actions",
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

/// サイバーセキュリティ対策チェックリストの確認日と回答
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// 1回目の確認日
    pub first: Option<Date>,
    /// 2回目の確認日
    pub second: Option<Date>,
    /// 項目ごとの回答（1 項目 1 行）
    #[serde(default)]
    pub answers: Vec<ChecklistAnswer>,
}

/// チェックリストの 1 項目への回答
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    /// 項目 id（例: "1-(1)"、"2-(4)/server"。`cyberbcp check` のエラーの案内と出力の Excel・CSV に載っています）
    pub item: String,
    /// 1回目の回答: true = はい、false = いいえ
    pub first: Option<bool>,
    /// 「いいえ」のときの目標日
    pub target: Option<Date>,
    /// 2回目の回答: true = はい、false = いいえ
    pub second: Option<bool>,
    /// 備考
    pub note: Option<String>,
}

/// 施設の種類: "hospital"（病院）/ "clinic"（診療所）/ "pharmacy"（薬局）
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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
}

/// 施設の基本情報
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    /// 施設名
    pub name: String,
    /// 施設の種類: "hospital"（病院）/ "clinic"（診療所）/ "pharmacy"（薬局）
    pub kind: Kind,
    /// 開設者（例: 医療法人○○会）
    pub founder: Option<String>,
    /// 管理者（病院長・院長・管理薬剤師の氏名）
    pub manager: Option<String>,
    /// 所在地
    pub address: Option<String>,
    /// 代表電話（番号だけを書き、受付時間などの補足は次の「補足」の欄 phone_note に）
    pub phone: Option<String>,
    /// 代表電話の補足（例: 「受付 8:30〜17:00」）。番号の横に印刷されます
    pub phone_note: Option<String>,
    // Only meaningful for hospitals and clinics with beds: a pharmacy gets a warning.
    /// 病床数（病院・有床診療所のみ）
    pub beds: Option<u32>,
    /// 1.4 本 BCP の原本を管理する部門
    pub document_owner: Option<String>,
}

/// 1.3 対象範囲: ひな形の例に追加するもの
// The ひな形 lists default events and attacks; facilities add their own.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// 1.3.1 systems 以外に対象とするもの（例: 院内ネットワーク）
    #[serde(default)]
    pub extra_systems: Vec<String>,
    /// 1.3.2 想定する事象（ひな形の例に追加）
    #[serde(default)]
    pub extra_events: Vec<String>,
    /// 1.3.2 サイバー攻撃の例（ひな形の例に追加）
    #[serde(default)]
    pub extra_attacks: Vec<String>,
}

/// 役割の指定: "chief"（最高責任者）/ "security_manager"（医療情報システム安全管理責任者）/ "csirt"（CSIRT 窓口）
// Which role is which, so the plan can name the two people the 確認表 asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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

/// 担当者の役割 1 件
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// 役割名（例: 最高責任者、システム担当）
    pub role: String,
    /// 担当者（氏名または部署・会社名）
    pub assignee: String,
    /// 役割の概要
    pub duty: String,
    /// 役割の指定: "chief"（最高責任者）/ "security_manager"（医療情報システム安全管理責任者）/ "csirt"（CSIRT 窓口）。それぞれ一人
    pub designation: Option<Designation>,
    /// 連絡体制図に載せる電話番号（番号だけを書き、受付時間などの補足は次の「補足」の欄 phone_note に）
    pub phone: Option<String>,
    /// 電話番号の補足（例: 「携帯・夜間可」）。番号の横に印刷されます
    pub phone_note: Option<String>,
    /// 連絡体制図に載せるメールアドレス
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
            // A night number may be said in the phone's note (「携帯・夜間可」).
            || self.phone_note.as_deref().is_some_and(mentions_night)
    }
}

/// 重要度: "high"（高）/ "medium"（中）/ "low"（低）
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    High,
    Medium,
    Low,
}

impl Level {
    pub const ALL: [&'static str; 3] = ["high", "medium", "low"];
}

/// 医療情報システム 1 件
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// システム名（alternatives・backups・contacts からこの名前で参照します）
    pub name: String,
    /// 分類（例: 電子カルテ、レセプトコンピュータ）
    pub category: String,
    /// 事業者（開発・保守の会社）
    pub vendor: Option<String>,
    /// 用途
    pub purpose: String,
    /// 重要度（診療継続の観点）: "high" / "medium" / "low"
    pub importance: Level,
    // May differ from importance (手引き 4-1).
    /// 復旧優先度（1 が最初に復旧）
    pub recovery_priority: u32,
    /// 目標復旧時間: 停止からこの時間のうちに復旧させる目標（例: "4時間"、"24時間以内"、"3日"。数と単位（分・時間・日・週間・か月）で書きます）。2.1.5 と 3.5.1 に載り、無いシステムがあると確認表 4-1 は既定文のみ
    pub recovery_target: Option<String>,
    /// リモート保守をしているか（true / false）
    #[serde(default)]
    pub remote_maintenance: bool,
    /// リモート保守の MDS/SDS・チェックリストの記録（例: 「MDS/SDS 2024年版 受領済」）
    pub mds_sds: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// 情報機器台帳の 1 台（手引きの列）
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// 管理番号
    pub id: String,
    /// メーカー
    pub maker: Option<String>,
    /// OS（例: Windows 11 Pro）
    pub os: Option<String>,
    /// ソフトウェア
    pub software: Option<String>,
    /// ソフトウェアのバージョン
    pub version: Option<String>,
    /// IP アドレス
    pub ip: Option<String>,
    /// コンピュータ名
    pub hostname: Option<String>,
    /// 設置場所
    pub location: Option<String>,
    /// 利用者
    pub users: Option<String>,
    /// 登録日
    pub registered: Option<Date>,
    /// 状態（例: 稼働中、予備、廃棄予定）
    pub status: Option<String>,
    /// 説明
    pub note: Option<String>,
    /// サポートが終了した OS など修正プログラムを適用できない機器の隔離・代替措置（例: ネットワークから切り離し、保守時のみ接続）。台帳の列名は「隔離・代替措置」。2.1.6 に載り、eol-os の警告が消えます
    pub isolation: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// 情報機器台帳のファイル
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceLedger {
    /// 台帳ファイル（TOML と同じフォルダ）: Excel（.xlsx）か CSV（UTF-8・Shift_JIS どちらも可）。1 行目は列名
    pub file: String,
    /// Excel のシート名（既定: 最初のシート）
    pub sheet: Option<String>,
}

/// ネットワーク・システム構成図
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// 構成図の画像ファイル（PNG・JPEG・GIF・SVG。TOML と同じフォルダ）
    pub diagram: Option<String>,
    /// 構成図の補足（Markdown 可）
    pub description: Option<String>,
    /// 構成図を最後に更新した日
    pub updated: Option<Date>,
}

/// 業務内容に対する代替手段 1 件
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alternative {
    /// 業務（例: 診療録の記載）
    pub business: String,
    /// 業務が依存するシステム（systems の name で）
    pub systems: Vec<String>,
    /// 代替手段（例: 紙カルテによる運用）
    pub alternative: String,
    /// 代替手段のマニュアル名
    pub manual: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// 脆弱性に関する対策
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vulnerability {
    /// 責任分界（契約で決めた、誰が何に修正プログラムを適用するか）
    pub responsibility: Option<String>,
    /// 脆弱性情報の入手先
    #[serde(default)]
    pub sources: Vec<String>,
    /// 修正プログラムの適用方針（Markdown 可）
    pub policy: Option<String>,
    /// 修正プログラムを適用できない場合の代替策（隔離運用、監視の強化など）
    pub fallback: Option<String>,
}

/// 連絡先の区分: "agency"（外部関係機関）/ "vendor"（事業者）/ "internal"（部門連絡先）
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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

/// 連絡先 1 件
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// 名称（機関名・会社名・部門名）
    pub name: String,
    /// 区分: "agency"（外部関係機関）/ "vendor"（事業者）/ "internal"（部門連絡先）
    pub category: ContactCategory,
    /// 担当者・窓口
    pub person: Option<String>,
    /// 電話番号（番号だけを書き、受付時間などの補足は次の「補足」の欄 phone_note に）
    pub phone: Option<String>,
    /// 電話番号の補足（例: 「店舗代表」「携帯・夜間可」）。番号の横に印刷されます
    pub phone_note: Option<String>,
    /// メールアドレス
    pub email: Option<String>,
    /// 連絡の目的
    pub purpose: Option<String>,
    /// 事業者が保守するシステム（systems の name で）
    #[serde(default)]
    pub systems: Vec<String>,
    /// 連絡可能時間（例: 「24時間」「平日9時〜17時」）
    pub hours: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

impl Contact {
    /// Whether this number answers outside office hours, by its hours or its
    /// phone's note (「携帯・夜間可」).
    pub fn reachable_at_night(&self) -> bool {
        self.hours.as_deref().is_some_and(mentions_night)
            || self.phone_note.as_deref().is_some_and(mentions_night)
    }
}

/// 教育・訓練
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Training {
    /// 訓練の年間回数
    pub times_per_year: Option<u32>,
    /// 訓練・教育の計画（1 件 1 項目）
    #[serde(default)]
    pub plans: Vec<String>,
    /// 訓練の実施記録（1 回 1 行）
    #[serde(default)]
    pub drills: Vec<Drill>,
    /// 補足（Markdown 可）
    pub notes: Option<String>,
}

/// 訓練の実施記録 1 回
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    /// 実施日
    pub date: Date,
    /// 訓練の名前（例: ランサムウェア感染を想定した机上訓練）
    pub title: String,
    /// 参加者
    pub participants: Option<String>,
    /// 訓練で分かった課題
    pub findings: Option<String>,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// バックアップ 1 件
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// 対象のシステム（systems の name で）
    pub system: String,
    /// 頻度（例: 毎日）
    pub frequency: String,
    /// 作成方法
    pub method: String,
    /// 復旧方法
    pub restore: String,
    /// 保管する世代数（3 世代以上を推奨）
    pub generations: Option<u32>,
    /// オフライン（ネットワークから切り離して）保管するか（true / false）
    #[serde(default)]
    pub offline: bool,
    /// true: 配布用の写し（build --public）ではこの行を ■■■ で非表示にする
    #[serde(default, skip_serializing_if = "is_false")]
    pub private: bool,
}

/// 第３章 インシデント発生時の対応
// `None` keeps the ひな形's wording.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// 3.2 異常時に使う報告様式の名前
    pub report_form: Option<String>,
    /// 3.2 異常に気付いた職員が電話の前にすること（1 件 1 項目。例: 「作業を止め、画面はそのままにする」「その端末の LAN ケーブルを抜く（電源は切らない）」）。掲示用ポスターと発見者のアクションカードの最初の指示になります
    #[serde(default)]
    pub first_actions: Vec<String>,
    /// 3.3.1 調査項目（書かなければひな形の項目）
    pub investigation: Option<Vec<String>>,
    /// 3.3.2 遮断の順序（書かなければひな形の順序）
    pub containment: Option<Vec<String>>,
    /// 3.4.1 システム停止中に従うマニュアル
    pub continuity_manual: Option<String>,
    /// 3.4.2 証拠保全の依頼先（自施設でできないとき）
    pub forensics: Option<String>,
    /// 3.4.2 証拠保全の依頼先の電話番号
    pub forensics_phone: Option<String>,
    /// 3.1 連絡体制図を掲示している場所（例:「各部署の電話機の横、ナースステーション」）
    pub chart_posted: Option<String>,
    /// 3.5.2 通常運用への復旧を宣言する前に確かめること（誰が何を確認するか）
    #[serde(default)]
    pub recovery_checks: Vec<String>,
    /// 補足（Markdown 可）
    pub notes: Option<String>,
}

/// 第４章 事後対応で施設が決めること
// Empty keeps only the ひな形's wording.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
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

/// 情報公開
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// 情報公開の担当
    pub owner: Option<String>,
    /// 公開の方法（例: ホームページ、院内掲示）
    #[serde(default)]
    pub channels: Vec<String>,
    /// 補足（Markdown 可）
    pub notes: Option<String>,
}

/// 改訂 1 回
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    /// 版（例: "1.0"）
    pub version: String,
    /// 改訂日（引用符なしで 2025-04-01）
    pub date: Date,
    /// 改訂内容
    pub summary: String,
    /// 承認者
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

    /// The indices of the roles that hold `designation` (more than one: a deputy).
    pub fn holders(&self, designation: Designation) -> Vec<usize> {
        self.roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.designation == Some(designation))
            .map(|(i, _)| i)
            .collect()
    }

    pub fn contacts_of(&self, category: ContactCategory) -> impl Iterator<Item = &Contact> {
        self.contacts.iter().filter(move |c| c.category == category)
    }
}
