//! The tabletop drill built from the plan: which system is hit and when, the
//! injects that walk the ひな形 from 3.1 to 4.3, whom each one tests, and the
//! 確認表 items each one exercises.

use serde::Serialize;

use super::{Call, call_sheet, first_call, night_route};
use crate::model::{Alternative, Backup, ContactCategory, Designation, Plan};

/// Who is expected to act at a stage (the boxes of the 連絡体制図).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// 発見者: whoever is at the terminal (all staff).
    Finder,
    /// 部門責任者
    Department,
    /// 医療情報システム安全管理責任者 / CSIRT
    Security,
    /// 経営層
    Chief,
}

/// One step of the timeline, as the ひな形 orders the response.
#[derive(Debug)]
pub struct Stage {
    pub id: &'static str,
    pub name: &'static str,
    /// Time since discovery, as the facilitator announces it.
    pub offset: &'static str,
    /// The plan sections the players should open.
    pub sections: &'static [&'static str],
    pub actor: Actor,
    /// The 確認表 items this stage exercises (evaluation sheet).
    pub items: &'static [&'static str],
}

/// 発見 → 報告 → 初動 → 経営層への報告 → 縮退運転判断 → 被害状況調査 → 外部報告 → 復旧 → 事後.
/// Together the stages exercise all 27 確認表 items.
pub const STAGES: &[Stage] = &[
    Stage {
        id: "discover",
        name: "発見",
        offset: "0分",
        sections: &["3.2"],
        actor: Actor::Finder,
        items: &["2-2"],
    },
    Stage {
        id: "report",
        name: "報告",
        offset: "10分",
        sections: &["3.1", "3.2", "2.2.1"],
        actor: Actor::Department,
        items: &["1-2.1", "2-1", "2-3"],
    },
    Stage {
        id: "first",
        name: "初動",
        offset: "20分",
        sections: &["3.3", "3.3.1", "3.3.2", "2.1.3", "2.1.4"],
        actor: Actor::Security,
        items: &["1-1.1", "1-1.2", "3-1", "3-2", "3-3"],
    },
    Stage {
        id: "chief",
        name: "経営層への報告",
        offset: "40分",
        sections: &["3.3.3"],
        actor: Actor::Security,
        items: &["3-4"],
    },
    Stage {
        id: "degrade",
        name: "縮退運転判断",
        offset: "60分",
        sections: &["3.4", "3.4.1", "2.1.5"],
        actor: Actor::Chief,
        items: &["1-1.3", "3-4"],
    },
    Stage {
        id: "forensics",
        name: "被害状況調査",
        offset: "90分",
        sections: &["3.4.2", "2.1.6", "2.2.2"],
        actor: Actor::Security,
        items: &["1-1.4", "1-2.2", "3-5"],
    },
    Stage {
        id: "external",
        name: "外部報告",
        offset: "2時間",
        sections: &["3.4.3", "2.2.1"],
        actor: Actor::Chief,
        items: &["3-6"],
    },
    Stage {
        id: "recover",
        name: "復旧",
        offset: "翌日",
        sections: &["3.5", "3.5.1", "3.5.2", "2.2.4"],
        actor: Actor::Security,
        items: &["1-2.4", "4-1", "4-2", "4-3", "4-4"],
    },
    Stage {
        id: "after",
        name: "事後",
        offset: "1週間後",
        sections: &["4.1", "4.2.1", "4.2.2", "4.3", "2.2.3"],
        actor: Actor::Chief,
        items: &["1-2.3", "5-1", "5-2", "5-3", "5-4", "5-5", "5-6"],
    },
];

/// The system the scenario hits.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub name: String,
    pub category: String,
    pub purpose: String,
    pub recovery_priority: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inject {
    pub stage: &'static str,
    pub name: &'static str,
    pub offset: &'static str,
    pub sections: &'static [&'static str],
    pub actor: Actor,
    /// The person in the actor's box, when the plan names one.
    pub who: Option<Call>,
    pub items: &'static [&'static str],
}

#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub title: String,
    /// Set at night because the chart has a night route to test.
    pub night: bool,
    pub target: Option<Target>,
    /// The target's maintenance vendors (3.1 事業者連絡先).
    pub vendors: Vec<Call>,
    /// The alternatives that replace the target (2.1.5).
    pub alternatives: Vec<Alternative>,
    /// The target's backups (2.2.4).
    pub backups: Vec<Backup>,
    pub injects: Vec<Inject>,
    /// Every number on the 連絡体制図.
    pub calls: Vec<Call>,
    /// The `[[training.drills]]` entry to fill in and paste afterwards.
    pub record: String,
}

/// The drill for this plan: the first-priority system (lowest
/// `recovery_priority`, the first listed on a tie) hit by ransomware, at night
/// when the 連絡体制図 has a night route.
pub fn scenario(plan: &Plan) -> Scenario {
    let target = plan.systems.iter().min_by_key(|s| s.recovery_priority);
    let night = !night_route(plan).is_empty();
    let serves =
        |names: &[String]| target.is_some_and(|t| names.iter().any(|n| n.trim() == t.name.trim()));
    let vendors = plan
        .contacts_of(ContactCategory::Vendor)
        .filter(|c| serves(&c.systems))
        .map(|c| super::contact_call(c, "事業者"))
        .collect();
    let title = format!(
        "ランサムウェア感染を想定した机上訓練（{}・{}）",
        if night {
            "夜間想定"
        } else {
            "日中想定"
        },
        target.map_or("医療情報システム", |t| t.name.as_str())
    );
    let injects = STAGES
        .iter()
        .map(|s| Inject {
            stage: s.id,
            name: s.name,
            offset: s.offset,
            sections: s.sections,
            actor: s.actor,
            who: actor_person(plan, s.actor),
            items: s.items,
        })
        .collect();
    Scenario {
        record: record(plan, &title),
        title,
        night,
        target: target.map(|t| Target {
            name: t.name.clone(),
            category: t.category.clone(),
            purpose: t.purpose.clone(),
            recovery_priority: t.recovery_priority,
        }),
        vendors,
        alternatives: plan
            .alternatives
            .iter()
            .filter(|a| serves(&a.systems))
            .cloned()
            .collect(),
        backups: plan
            .backups
            .iter()
            .filter(|b| target.is_some_and(|t| b.system.trim() == t.name.trim()))
            .cloned()
            .collect(),
        injects,
        calls: call_sheet(plan),
    }
}

fn actor_person(plan: &Plan, actor: Actor) -> Option<Call> {
    match actor {
        Actor::Finder => None,
        Actor::Department => plan
            .contacts_of(ContactCategory::Internal)
            .next()
            .map(|c| super::contact_call(c, "部門責任者")),
        Actor::Security => first_call(plan).map(Call::role),
        Actor::Chief => plan.role(Designation::Chief).map(Call::role),
    }
}

/// The TOML to paste under `[training]` once the drill is done. The date is
/// left for the user (no clock); ○○ makes `check` remind them to fill it in.
fn record(plan: &Plan, title: &str) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut roles: Vec<&str> = plan.roles.iter().map(|r| r.role.as_str()).collect();
    roles.truncate(6);
    let participants = if roles.is_empty() {
        "○○ 計 ○○ 名".to_string()
    } else {
        format!("{} 計 ○○ 名", roles.join("、"))
    };
    format!(
        "[[training.drills]]\ndate = YYYY-MM-DD  # 実施日\ntitle = {}\nparticipants = {}\nfindings = {}\n",
        quote(title),
        quote(&participants),
        quote("○○（うまくいかなかったこと、直したこと）"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_item_is_a_kakuninhyo_item_and_all_27_are_exercised() {
        let ids: Vec<&str> = crate::coverage::items()
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        let mut seen: Vec<&str> = STAGES
            .iter()
            .flat_map(|s| s.items.iter().copied())
            .collect();
        for id in &seen {
            assert!(ids.contains(id), "{id} is not a 確認表 item");
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), ids.len(), "every 確認表 item is exercised");
    }
}
