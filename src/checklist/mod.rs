//! The yearly サイバーセキュリティ対策チェックリスト (医療機関確認用 / 薬局確認用,
//! 令和6年度版): the published items, the answers recorded in `[checklist]`, and
//! the answers the plan's own data already proves (flagged as such).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::coverage::{Report, Status};
use crate::diag::{Diagnostic, did_you_mean};
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

/// `[[checklist.answers]] item` must name a published item, once.
pub fn check_answers(plan: &Plan) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let Some(checklist) = &plan.checklist else {
        return found;
    };
    let ids: Vec<&str> = ids().collect();
    for (i, a) in checklist.answers.iter().enumerate() {
        let key = format!("checklist.answers[{i}].item");
        if !ids.contains(&a.item.as_str()) {
            let mut d = Diagnostic::error(
                key,
                format!("チェックリストに \"{}\" という項目はありません", a.item),
            );
            if let Some(s) = did_you_mean(&a.item, ids.iter().copied()) {
                d = d.with_hint(format!("\"{s}\" のことですか？"));
            }
            found.push(d.with_hint(format!("使える項目: {}", ids.join(", "))));
        } else if checklist.answers[..i].iter().any(|b| b.item == a.item) {
            found.push(
                Diagnostic::error(key, format!("項目 \"{}\" の回答が二つあります", a.item))
                    .with_hint("一つの項目には一つの [[checklist.answers]] だけを書いてください"),
            );
        }
    }
    found
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
    pub title: String,
    pub first_date: Option<String>,
    pub second_date: Option<String>,
    pub rows: Vec<Row>,
}

/// What the plan's data proves, by the `proof` name an item gives in
/// items.toml: the rule as docs/coverage.md states it, and the test.
pub struct Proof {
    pub name: &'static str,
    pub rule: &'static str,
    pub holds: fn(&Plan, &Checked, &Report) -> bool,
}

pub const PROOFS: &[Proof] = &[
    Proof {
        name: "systems",
        rule: "[[systems]] がある",
        holds: |plan, _, _| !plan.systems.is_empty(),
    },
    Proof {
        name: "security_manager",
        rule: "designation = \"security_manager\" の役割がある",
        holds: |plan, _, _| plan.role(Designation::SecurityManager).is_some(),
    },
    Proof {
        name: "devices",
        rule: "情報機器台帳がある",
        holds: |_, checked, _| !checked.devices.is_empty(),
    },
    Proof {
        name: "mds_sds",
        rule: "リモート保守のシステムすべてに mds_sds がある",
        holds: |plan, _, _| {
            let mut remote = plan
                .systems
                .iter()
                .filter(|s| s.remote_maintenance)
                .peekable();
            remote.peek().is_some() && remote.all(|s| s.mds_sds.is_some())
        },
    },
    Proof {
        name: "contact_chart",
        rule: "確認表 1-2.1 が記載済",
        holds: |_, _, report| covered(report, "1-2.1"),
    },
    Proof {
        name: "backups",
        rule: "確認表 1-2.4 が記載済",
        holds: |_, _, report| covered(report, "1-2.4"),
    },
    Proof {
        name: "bcp",
        rule: "[[revisions]] がある（この BCP）",
        holds: |plan, _, _| !plan.revisions.is_empty(),
    },
];

fn covered(report: &Report, id: &str) -> bool {
    report
        .items
        .iter()
        .any(|i| i.id == id && i.status == Status::Covered)
}

fn proof(name: &str) -> Option<&'static Proof> {
    PROOFS.iter().find(|p| p.name == name)
}

/// What the plan proves by itself: はい when the item's proof holds, else no answer.
fn proven(name: &str, plan: &Plan, checked: &Checked, coverage: &Report) -> Option<bool> {
    proof(name).and_then(|p| (p.holds)(plan, checked, coverage).then_some(true))
}

/// The sheet for this plan; `edition` is the kind's 医療機関確認用 / 薬局確認用
/// (`checklist_edition` in terms.toml).
pub fn sheet(plan: &Plan, checked: &Checked, coverage: &Report, edition: &str) -> Sheet {
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
        title: edition.to_string(),
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
        let proof = i.proof.as_deref().and_then(proof).map_or("—", |p| p.rule);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proof_an_item_names_exists_and_is_used() {
        for item in items() {
            if let Some(name) = &item.proof {
                assert!(proof(name).is_some(), "{}: no proof {name}", item.id);
            }
        }
        for p in PROOFS {
            assert!(
                items().iter().any(|i| i.proof.as_deref() == Some(p.name)),
                "proof {} is unused",
                p.name
            );
        }
    }
}
