//! Coverage against the 27 items of the MHLW 確認表: which items the plan
//! answers with its own content, which only with the ひな形's default wording,
//! and which it does not answer yet. Judged from the data, never from a checkbox.
//!
//! The items, the sections that answer them and the checks that judge them are
//! data (`items.toml`); the checks themselves are small functions (`checks.rs`).

mod checks;
mod warnings;

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use checks::{CHECKS, Check, Facts};
pub use warnings::{Warning, os_end_of_support, os_support_end};

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
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub facility: String,
    pub kind: Kind,
    /// The day the plan was judged on (`--today`, else `SOURCE_DATE_EPOCH`,
    /// else today in Japan): the drills of the last 12 months, stale reviews
    /// and end of support depend on it, so it is printed with the verdicts.
    pub today: Date,
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
    let items: Vec<ItemResult> = items().iter().map(|def| judge(def, &facts, kind)).collect();
    let count = |s: Status| items.iter().filter(|i| i.status == s).count();
    Report {
        facility: plan.facility.name.clone(),
        kind,
        today,
        total: items.len(),
        covered: count(Status::Covered),
        default: count(Status::Default),
        missing: count(Status::Missing),
        items,
        warnings: warnings::warnings(plan, &checked.devices, today),
    }
}

fn judge(def: &'static ItemDef, facts: &Facts, kind: Kind) -> ItemResult {
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
    let (status, hints) = if !needs.is_empty() {
        (Status::Missing, needs)
    } else if !own.is_empty() && own.iter().all(|h| !h.is_empty()) {
        (Status::Default, dedup(own.into_iter().flatten().collect()))
    } else {
        (Status::Covered, vec![])
    };
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
    }
}

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
        "| 項番 | 確認項目 | 記載箇所 | 必要なこと（一つでも欠ければ未記載） | 施設固有の記載（無ければ既定文のみ） |\n|---|---|---|---|---|\n",
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
    for def in items() {
        let own = describe(&def.own);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            def.id,
            def.text.replace('|', "\\|"),
            def.sections.join(", "),
            describe(&def.needs),
            own
        ));
    }
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
