//! The yearly サイバーセキュリティ対策チェックリスト (医療機関確認用 / 薬局確認用,
//! 令和6年度版): the published items, the answers recorded in `[checklist]`, and
//! the answers the plan's own data already proves (flagged as such).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::coverage::{Report, Status};
use crate::model::validate::Checked;
use crate::model::{Designation, Kind, Plan};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    item: Vec<ItemDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    /// Stable id used in `[[checklist.answers]] item = "…"`.
    pub id: String,
    /// The printed 番号 (`2-(4)`), shared by the server and PC rows.
    pub number: String,
    pub group: String,
    pub scope: Option<String>,
    pub text: String,
    pub pharmacy: Option<String>,
    pub proof: Option<String>,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    toml::from_str(include_str!("items.toml")).expect("src/checklist/items.toml is valid")
});

pub fn items() -> &'static [ItemDef] {
    &CATALOG.item
}

pub fn ids() -> impl Iterator<Item = &'static str> {
    items().iter().map(|i| i.id.as_str())
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: &'static str,
    pub number: &'static str,
    pub group: &'static str,
    pub scope: Option<&'static str>,
    pub text: &'static str,
    /// 1回目: はい (true) / いいえ (false) / not answered.
    pub first: Option<bool>,
    /// The 1回目 answer comes from the plan's data, not from a record.
    pub from_data: bool,
    pub target: Option<String>,
    pub second: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    /// 医療機関確認用 / 薬局確認用
    pub title: &'static str,
    pub first_date: Option<String>,
    pub second_date: Option<String>,
    pub rows: Vec<Row>,
}

/// What the plan proves by itself, for the items that have a `proof`.
fn proven(proof: &str, plan: &Plan, checked: &Checked, coverage: &Report) -> Option<bool> {
    let covered = |id: &str| {
        coverage
            .items
            .iter()
            .any(|i| i.id == id && i.status == Status::Covered)
    };
    let yes = |b: bool| b.then_some(true);
    match proof {
        "systems" => yes(!plan.systems.is_empty()),
        "security_manager" => yes(plan.role(Designation::SecurityManager).is_some()),
        "devices" => yes(!checked.devices.is_empty()),
        "mds_sds" => {
            let remote: Vec<_> = plan
                .systems
                .iter()
                .filter(|s| s.remote_maintenance)
                .collect();
            yes(!remote.is_empty() && remote.iter().all(|s| s.mds_sds.is_some()))
        }
        "contact_chart" => yes(covered("1-2.1")),
        "backups" => yes(covered("1-2.4")),
        "bcp" => yes(!plan.revisions.is_empty()),
        _ => None,
    }
}

pub fn sheet(plan: &Plan, checked: &Checked, coverage: &Report) -> Sheet {
    let kind = plan.facility.kind;
    let record = plan.checklist.as_ref();
    let rows = items()
        .iter()
        .map(|def| {
            let answer = record.and_then(|c| c.answers.iter().find(|a| a.item == def.id));
            let proof = def
                .proof
                .as_deref()
                .and_then(|p| proven(p, plan, checked, coverage));
            let recorded = answer.and_then(|a| a.first);
            Row {
                id: &def.id,
                number: &def.number,
                group: &def.group,
                scope: def.scope.as_deref(),
                text: match (kind, &def.pharmacy) {
                    (Kind::Pharmacy, Some(p)) => p,
                    _ => &def.text,
                },
                first: recorded.or(proof),
                from_data: recorded.is_none() && proof.is_some(),
                target: answer.and_then(|a| a.target).map(|d| d.to_string()),
                second: answer.and_then(|a| a.second),
                note: answer.and_then(|a| a.note.clone()),
            }
        })
        .collect();
    Sheet {
        title: if kind == Kind::Pharmacy {
            "薬局確認用"
        } else {
            "医療機関確認用"
        },
        first_date: record.and_then(|c| c.first).map(|d| d.to_string()),
        second_date: record.and_then(|c| c.second).map(|d| d.to_string()),
        rows,
    }
}

/// はい / いいえ / blank, as the sheet prints them.
pub fn answer_ja(answer: Option<bool>) -> &'static str {
    match answer {
        Some(true) => "はい",
        Some(false) => "いいえ",
        None => "",
    }
}

/// The item table of docs/coverage.md (ids for `[[checklist.answers]]`).
pub fn items_markdown() -> String {
    let mut out = String::from(
        "| item（TOML に書く id） | 番号 | 区分 | チェック項目（医療機関確認用） | 計画のデータで「はい」になる条件 |\n|---|---|---|---|---|\n",
    );
    for i in items() {
        let proof = match i.proof.as_deref() {
            Some("systems") => "[[systems]] がある",
            Some("security_manager") => "designation = \"security_manager\" の役割がある",
            Some("devices") => "情報機器台帳がある",
            Some("mds_sds") => "リモート保守のシステムすべてに mds_sds がある",
            Some("contact_chart") => "確認表 1-2.1 が記載済",
            Some("backups") => "確認表 1-2.4 が記載済",
            Some("bcp") => "[[revisions]] がある（この BCP）",
            _ => "—",
        };
        let group = match &i.scope {
            Some(scope) => format!(
                "{}（{}）",
                i.group,
                scope.trim_end_matches("について、以下を実施している。")
            ),
            None => i.group.clone(),
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            i.id, i.number, group, i.text, proof
        ));
    }
    out
}
