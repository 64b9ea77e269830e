//! Using the plan on the day: the data behind the action cards (`cards`), the
//! announcements (`announce`) and the tabletop drill kit (`drill`).
//!
//! Everything here is worked out from the plan alone, never from the clock:
//! the same plan always gives the same cards and the same drill scenario, and a
//! different plan (another first-priority system, a night route or none) gives
//! a different one. The wording is the templates'; this module only decides
//! *which* people, numbers, systems and 確認表 items each document names.

mod scenario;

pub use scenario::{Actor, STAGES, Scenario, Stage, scenario};

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{ContactCategory, Designation, Plan, Role};

/// Everything the three documents read, as `data.kit` in data.json.
pub fn data(plan: &Plan) -> Value {
    json!({
        "first_call": first_call(plan).map(Call::role),
        "night": night_route(plan),
        "affected": affected_systems(plan),
        "drill": scenario(plan),
    })
}

/// One number someone may have to ring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// Where it sits on the 連絡体制図 (部門, CSIRT, 経営層, 外部関係機関 …).
    pub group: String,
    pub name: String,
    pub person: Option<String>,
    pub phone: Option<String>,
    pub hours: Option<String>,
}

impl Call {
    fn role(role: &Role) -> Self {
        Call {
            group: role.role.clone(),
            name: role.assignee.clone(),
            person: None,
            phone: role.phone.clone(),
            hours: role.hours.clone(),
        }
    }

    /// The role at night: its night/holiday route when it has one, else its
    /// own number (whose hours or note say it answers at night).
    fn role_at_night(role: &Role) -> Self {
        match role.night.as_deref().filter(|n| !n.trim().is_empty()) {
            Some(night) => Call {
                phone: Some(night.to_string()),
                hours: Some("夜間・休日".into()),
                ..Call::role(role)
            },
            None => Call::role(role),
        }
    }
}

/// The first call on the 連絡体制図 and the poster: the CSIRT 窓口 if there is
/// one, else the 医療情報システム安全管理責任者.
pub fn first_call(plan: &Plan) -> Option<&Role> {
    plan.role(Designation::Csirt)
        .or_else(|| plan.role(Designation::SecurityManager))
}

/// The night/holiday route: every number on the 連絡体制図 that says it answers
/// out of hours (「24時間」「夜間は…」「当直」…). Empty when the chart has none,
/// which is what the drill tests by being set at night when there is one.
///
/// The one place that decides it: when roles get their own hours and night
/// alternates, they are added here and every document follows.
pub fn night_route(plan: &Plan) -> Vec<Call> {
    let mut calls: Vec<Call> = [
        Designation::Csirt,
        Designation::SecurityManager,
        Designation::Chief,
    ]
    .into_iter()
    .filter_map(|d| plan.role(d))
    .filter(|r| {
        r.reachable_at_night() || r.phone.as_deref().is_some_and(crate::model::mentions_night)
    })
    .map(Call::role_at_night)
    .collect();
    calls.extend(
        chart_contacts(plan)
            .filter(|c| c.category != ContactCategory::Agency)
            .filter(|c| c.hours.as_deref().is_some_and(crate::model::mentions_night))
            .map(|c| contact_call(c, group_of(c.category))),
    );
    calls
}

/// The systems announcements name: the high-importance ones in recovery
/// order, at most three (else the first to be recovered); 「など」 when the
/// plan has more.
fn affected_systems(plan: &Plan) -> Value {
    let mut systems: Vec<_> = plan.systems.iter().collect();
    systems.sort_by_key(|s| s.recovery_priority);
    let high: Vec<_> = systems
        .iter()
        .filter(|s| s.importance == crate::model::Level::High)
        .take(3)
        .collect();
    let names: Vec<&str> = if high.is_empty() {
        systems.iter().take(1).map(|s| s.name.as_str()).collect()
    } else {
        high.iter().map(|s| s.name.as_str()).collect()
    };
    json!({ "names": names, "more": systems.len() > names.len() })
}

/// The contacts in the order the 連絡体制図 draws them.
fn chart_contacts(plan: &Plan) -> impl Iterator<Item = &crate::model::Contact> {
    [
        ContactCategory::Internal,
        ContactCategory::Vendor,
        ContactCategory::Agency,
    ]
    .into_iter()
    .flat_map(|cat| plan.contacts_of(cat))
}

fn group_of(category: ContactCategory) -> &'static str {
    match category {
        ContactCategory::Internal => "部門責任者・部門連絡先",
        ContactCategory::Vendor => "事業者",
        ContactCategory::Agency => "外部関係機関",
    }
}

fn contact_call(c: &crate::model::Contact, group: &str) -> Call {
    Call {
        group: group.into(),
        name: c.name.clone(),
        person: c.person.clone(),
        phone: c.phone.clone(),
        hours: c.hours.clone(),
    }
}

/// Every number on the 連絡体制図, top to bottom: the drill's call sheet.
pub fn call_sheet(plan: &Plan) -> Vec<Call> {
    let mut calls: Vec<Call> = plan
        .contacts_of(ContactCategory::Internal)
        .map(|c| contact_call(c, group_of(c.category)))
        .collect();
    for (designation, group) in [
        (
            Designation::SecurityManager,
            "医療情報システム安全管理責任者",
        ),
        (Designation::Csirt, "CSIRT"),
        (Designation::Chief, "経営層（最高責任者）"),
    ] {
        if let Some(role) = plan.role(designation) {
            calls.push(Call {
                group: group.into(),
                ..Call::role(role)
            });
        }
    }
    for category in [ContactCategory::Agency, ContactCategory::Vendor] {
        calls.extend(
            plan.contacts_of(category)
                .map(|c| contact_call(c, group_of(category))),
        );
    }
    calls
}
