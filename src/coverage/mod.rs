//! Coverage against the 27 items of the MHLW 確認表: which items the plan
//! answers with its own content, which only with the ひな形's default wording,
//! and which it does not answer yet. Judged from the data, never from a checkbox.
//!
//! The items, the sections that answer them and the checks that judge them are
//! data (`items.toml`); the checks themselves are small functions (`checks.rs`).

mod checks;
mod rules;
mod text;
mod warnings;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use checks::{CHECKS, Check, Facts};
pub use rules::{contradicted, survives};
pub use warnings::{Warning, isolation_measure, os_end_of_support, os_support_end};

use crate::model::validate::Checked;
use crate::model::{Date, Kind, Plan};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalog {
    major: Vec<Major>,
    item: Vec<ItemDef>,
}

/// 大項目: 1 平時 … 5 事後対応.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Major {
    pub id: String,
    pub name: String,
    pub note: String,
}

/// One 確認項目 as published, with how it is judged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    pub id: String,
    /// The 項番 printed in the 確認表 (`1-1` for the four rows `1-1.1` … `1-1.4`).
    pub group: String,
    /// The 中項目 beside the 項番.
    pub title: String,
    /// Hospital and clinic wording (院内).
    pub text: String,
    /// Pharmacy wording (局内), where it differs.
    pub pharmacy: Option<String>,
    pub sections: Vec<String>,
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub own: Vec<String>,
}

impl ItemDef {
    pub fn text_for(&self, kind: Kind) -> &str {
        match (kind, &self.pharmacy) {
            (Kind::Pharmacy, Some(text)) => text,
            _ => &self.text,
        }
    }

    pub fn major_id(&self) -> &str {
        self.group.split('-').next().unwrap_or("")
    }
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    // Embedded and covered by tests: a parse failure is a bug in this crate.
    toml::from_str(include_str!("items.toml")).expect("src/coverage/items.toml is valid")
});

pub fn majors() -> &'static [Major] {
    &CATALOG.major
}

pub fn items() -> &'static [ItemDef] {
    &CATALOG.item
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 記載済: the plan answers the item with the facility's own content.
    Covered,
    /// 既定文のみ: only the ひな形's generic wording answers it.
    Default,
    /// 未記載: nothing answers it, or the answer is incomplete.
    Missing,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Covered, Status::Default, Status::Missing];

    /// `covered` / `default` / `missing`, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::Default => "default",
            Status::Missing => "missing",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Covered => "記載済",
            Status::Default => "既定文のみ",
            Status::Missing => "未記載",
        }
    }

    pub fn mark(self) -> &'static str {
        match self {
            Status::Covered => "✓",
            Status::Default => "△",
            Status::Missing => "✗",
        }
    }

    /// The mark in the PDF: as [`Self::mark`], but × for 未記載 (the
    /// embedded fonts have no ✗).
    pub fn print_mark(self) -> &'static str {
        match self {
            Status::Missing => "×",
            other => other.mark(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    pub id: &'static str,
    pub group: &'static str,
    /// 大項目 name (平時, 検知, …).
    pub major: &'static str,
    pub title: &'static str,
    pub text: &'static str,
    pub status: Status,
    pub sections: &'static [String],
    pub hints: Vec<String>,
    /// The codes of the warnings about this item's substance (each makes it
    /// △ at best; their messages are among the hints).
    pub warnings: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub facility: String,
    pub kind: Kind,
    pub total: usize,
    pub covered: usize,
    pub default: usize,
    pub missing: usize,
    pub items: Vec<ItemResult>,
    /// The yearly-cycle checks (stale review, drills, backups, EOL OS…).
    pub warnings: Vec<Warning>,
}

impl Report {
    pub fn all_covered(&self) -> bool {
        self.covered == self.total
    }

    /// 「確認表 27 項目: 記載済 25・既定文のみ 1・未記載 1」
    pub fn summary(&self) -> String {
        format!(
            "確認表 {} 項目: 記載済 {}・既定文のみ {}・未記載 {}",
            self.total, self.covered, self.default, self.missing
        )
    }
}

/// The coverage and the yearly-cycle warnings as of `today`.
pub fn evaluate(plan: &Plan, checked: &Checked, today: Date) -> Report {
    let facts = Facts {
        plan,
        devices: &checked.devices,
        has_diagram: checked.diagram.is_some(),
        today,
    };
    let kind = plan.facility.kind;
    let warnings = warnings::warnings(plan, &checked.devices, today);
    let items: Vec<ItemResult> = items()
        .iter()
        .map(|def| judge(def, &facts, kind, &warnings))
        .collect();
    let count = |s: Status| items.iter().filter(|i| i.status == s).count();
    Report {
        facility: plan.facility.name.clone(),
        kind,
        total: items.len(),
        covered: count(Status::Covered),
        default: count(Status::Default),
        missing: count(Status::Missing),
        items,
        warnings,
    }
}

fn judge(def: &'static ItemDef, facts: &Facts, kind: Kind, warnings: &[Warning]) -> ItemResult {
    let run = |names: &[String]| -> Vec<Vec<String>> {
        names
            .iter()
            .map(|n| match checks::find(n) {
                Some(check) => (check.run)(facts),
                None => vec![format!("内部エラー: 不明なチェック {n}")],
            })
            .collect()
    };
    let needs: Vec<String> = dedup(run(&def.needs).into_iter().flatten().collect());
    let own = run(&def.own);
    let linked: Vec<&Warning> = warnings
        .iter()
        .filter(|w| w.items.contains(&def.id.as_str()))
        .collect();
    let (mut status, mut hints) = if !needs.is_empty() {
        (Status::Missing, needs)
    } else if !own.is_empty() && own.iter().all(|h| !h.is_empty()) {
        (Status::Default, dedup(own.into_iter().flatten().collect()))
    } else {
        (Status::Covered, vec![])
    };
    // A warning about the item's substance: △ at best, listed under it.
    if !linked.is_empty() && status == Status::Covered {
        status = Status::Default;
    }
    // At most three per code under the item (5,000 devices on an ended OS are
    // one finding here; the report's `warnings` keeps every device).
    let mut shown: Vec<(&str, usize)> = Vec::new();
    for w in &linked {
        let at = match shown.iter().position(|(c, _)| *c == w.code) {
            Some(at) => at,
            None => {
                shown.push((w.code, 0));
                shown.len() - 1
            }
        };
        shown[at].1 += 1;
        if shown[at].1 <= LINKED_PER_CODE {
            hints.push(format!("警告 [{}] {}", w.code, w.message));
        }
    }
    for (code, n) in shown {
        if n > LINKED_PER_CODE {
            hints.push(format!(
                "警告 [{code}] ほか {} 件（すべては見直しの警告の一覧に）",
                n - LINKED_PER_CODE
            ));
        }
    }
    let hints = dedup(hints);
    let mut codes: Vec<&'static str> = Vec::new();
    for w in &linked {
        if !codes.contains(&w.code) {
            codes.push(w.code);
        }
    }
    let major = majors()
        .iter()
        .find(|m| m.id == def.major_id())
        .map_or("", |m| m.name.as_str());
    ItemResult {
        id: &def.id,
        group: &def.group,
        major,
        title: &def.title,
        text: def.text_for(kind),
        status,
        sections: &def.sections,
        hints,
        warnings: codes,
    }
}

/// How many warnings of one code an item lists in its hints.
const LINKED_PER_CODE: usize = 3;

fn dedup(hints: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(hints.len());
    for h in hints {
        if !out.contains(&h) {
            out.push(h);
        }
    }
    out
}

/// The rule table of docs/coverage.md, generated so it cannot drift from the code.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "| 項番 | 確認項目 | 記載箇所 | 必要なこと（一つでも欠ければ未記載） | 施設固有の記載（無ければ既定文のみ） | 出ていれば既定文のみ（△）にする警告 |\n|---|---|---|---|---|---|\n",
    );
    let describe = |names: &[String]| -> String {
        if names.is_empty() {
            return "—".into();
        }
        names
            .iter()
            .map(|n| {
                let rule = checks::find(n).map_or("?", |c| c.rule);
                format!("`{n}`: {rule}")
            })
            .collect::<Vec<_>>()
            .join("<br>")
    };
    let mut mapping: Vec<(&String, &Vec<String>)> = text::VERDICT.warning_items.iter().collect();
    mapping.sort();
    for def in items() {
        let own = describe(&def.own);
        let mut codes: Vec<String> = mapping
            .iter()
            .filter(|(_, ids)| ids.contains(&def.id))
            .map(|(code, _)| format!("`{code}`"))
            .collect();
        codes.dedup();
        let codes = if codes.is_empty() {
            "—".to_string()
        } else {
            codes.join("<br>")
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            def.id,
            def.text.replace('|', "\\|"),
            def.sections.join(", "),
            describe(&def.needs),
            own,
            codes
        ));
    }
    out
}

/// The restated-text rule of docs/coverage.md: the fields judged, the
/// sections they are compared with, what the 手引き asks, the vague phrases.
pub fn text_rules_markdown() -> String {
    let v = &text::VERDICT;
    let mut out = format!(
        "基準: 値の中で、ひな形の文（と確認項目の問い）と 2 文字の並びを共有しない漢字・カタカナ・英数字が **{} 文字未満**なら「ひな形の言い換え」。\n\n",
        v.text.min_own
    );
    out.push_str("| キー | 比べるひな形の節 | 項目 | 既定文のみのときのヒント（手引きの求めること） |\n|---|---|---|---|\n");
    for f in &v.field {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            f.key,
            f.sections.join(", "),
            f.items.join(", "),
            f.want.replace('|', "\\|")
        ));
    }
    out.push_str(&format!(
        "\n数えない言葉（あいまいな言葉）: {}\n",
        v.text
            .vague
            .iter()
            .map(|w| format!("「{w}」"))
            .collect::<Vec<_>>()
            .join("")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_27_published_ids_in_order() {
        let ids: Vec<&str> = items().iter().map(|i| i.id.as_str()).collect();
        let expected = [
            "1-1.1", "1-1.2", "1-1.3", "1-1.4", "1-2.1", "1-2.2", "1-2.3", "1-2.4", "2-1", "2-2",
            "2-3", "3-1", "3-2", "3-3", "3-4", "3-5", "3-6", "4-1", "4-2", "4-3", "4-4", "5-1",
            "5-2", "5-3", "5-4", "5-5", "5-6",
        ];
        assert_eq!(ids, expected);
        assert_eq!(
            majors().iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["平時", "検知", "初動対応", "復旧処理", "事後対応"]
        );
    }

    #[test]
    fn every_rule_names_a_known_check_and_every_check_is_used() {
        for def in items() {
            assert!(!def.sections.is_empty(), "{}", def.id);
            assert!(
                !def.needs.is_empty() || !def.own.is_empty(),
                "{} has no rule",
                def.id
            );
            for n in def.needs.iter().chain(&def.own) {
                assert!(checks::find(n).is_some(), "{}: unknown check {n}", def.id);
            }
        }
        for c in CHECKS {
            assert!(
                items()
                    .iter()
                    .any(|d| d.needs.iter().chain(&d.own).any(|n| n == c.name)),
                "check {} is unused",
                c.name
            );
        }
    }
}
