//! The yearly cycle: doubtful-but-legal states that an inspector would ask
//! about (a plan not reviewed for a year, no drill, backups that ransomware
//! can reach, an OS out of support…). Each has a stable code for scripts.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::model::{ContactCategory, Date, Device, Plan};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable identifier (`stale-review`, `no-drill`, …), see docs/coverage.md.
    pub code: &'static str,
    /// The TOML key to change.
    pub key: String,
    /// What is wrong and how to fix it, in Japanese.
    pub message: String,
}

#[derive(Debug, Deserialize)]
struct EolTable {
    os: Vec<EolOs>,
}

#[derive(Debug, Deserialize)]
struct EolOs {
    #[serde(rename = "match")]
    pattern: String,
    #[serde(default)]
    unless: Vec<String>,
    end: toml::value::Datetime,
}

static EOL: LazyLock<Vec<(String, Vec<String>, Date)>> = LazyLock::new(|| {
    let table: EolTable = toml::from_str(include_str!("eol.toml")).expect("eol.toml is valid");
    table
        .os
        .into_iter()
        .map(|o| {
            let d = o.end.date.expect("eol.toml dates are dates");
            let end = Date::new(d.year, d.month, d.day).expect("valid date");
            (
                fold(&o.pattern),
                o.unless.iter().map(|u| fold(u)).collect(),
                end,
            )
        })
        .collect()
});

/// Case- and space-insensitive, so "windows10" matches "Windows 10".
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The end of support of a device's OS when it is before `today`.
pub fn os_end_of_support(os: &str, today: Date) -> Option<Date> {
    let os = fold(os);
    EOL.iter()
        .filter(|(pattern, unless, _)| {
            // A version is whole: "CentOS 7" is not "CentOS 70".
            let hit = os
                .match_indices(pattern.as_str())
                .any(|(i, m)| !os[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()));
            hit && !unless.iter().any(|u| os.contains(u.as_str()))
        })
        .map(|(_, _, end)| *end)
        .filter(|end| *end < today)
        .max()
}

/// Days between two dates (positive when `later` is after `earlier`).
fn days_between(earlier: Date, later: Date) -> i64 {
    later.unix_days() - earlier.unix_days()
}

pub fn warnings(plan: &Plan, devices: &[Device], today: Date) -> Vec<Warning> {
    let mut out = Vec::new();
    review(plan, today, &mut out);
    drills(plan, today, &mut out);
    backups(plan, &mut out);
    eol(devices, today, &mut out);
    remote_maintenance(plan, &mut out);
    contacts(plan, &mut out);
    out
}

fn review(plan: &Plan, today: Date, out: &mut Vec<Warning>) {
    if let Some(latest) = plan.latest_revision()
        && days_between(latest.date, today) > 365
    {
        out.push(Warning {
            code: "stale-review",
            key: "revisions".into(),
            message: format!(
                "最後の改訂（{}）から 12 か月以上経っています。BCP を見直し、[[revisions]] に改訂を追加してください",
                latest.date.japanese()
            ),
        });
    }
}

fn drills(plan: &Plan, today: Date, out: &mut Vec<Warning>) {
    let training = plan.training.as_ref();
    let last = training.and_then(|t| {
        t.drills
            .iter()
            .enumerate()
            .max_by_key(|(i, d)| (d.date, *i))
    });
    let Some((i, last)) = last else {
        out.push(Warning {
            code: "no-drill",
            key: "training.drills".into(),
            message: "訓練の実施記録がありません。実施したら [[training.drills]] に日付・内容を記録してください".into(),
        });
        return;
    };
    // The plan's own frequency sets the interval; once a year at least.
    let per_year = training.and_then(|t| t.times_per_year).unwrap_or(1).max(1);
    let interval = 365 / i64::from(per_year);
    if days_between(last.date, today) > interval {
        out.push(Warning {
            code: "stale-drill",
            key: format!("training.drills[{i}].date"),
            message: format!(
                "最後の訓練（{}）から {interval} 日以上経っています（計画は年 {per_year} 回）。訓練を実施して記録してください",
                last.date.japanese()
            ),
        });
    }
}

fn backups(plan: &Plan, out: &mut Vec<Warning>) {
    let mut systems: Vec<&str> = Vec::new();
    for b in &plan.backups {
        if !systems.contains(&b.system.as_str()) {
            systems.push(&b.system);
        }
    }
    for system in systems {
        let rows: Vec<(usize, &crate::model::Backup)> = plan
            .backups
            .iter()
            .enumerate()
            .filter(|(_, b)| b.system == system)
            .collect();
        let first = rows[0].0;
        let generations: u32 = rows.iter().filter_map(|(_, b)| b.generations).sum();
        if generations < 3 {
            out.push(Warning {
                code: "backup-generations",
                key: format!("backups[{first}].generations"),
                message: format!(
                    "『{system}』のバックアップが {generations} 世代です。3 世代以上を保管し、generations に世代数を書いてください"
                ),
            });
        }
        if !rows.iter().any(|(_, b)| b.offline) {
            out.push(Warning {
                code: "backup-offline",
                key: format!("backups[{first}].offline"),
                message: format!(
                    "『{system}』にオフライン（取り外し・書き換え不可）の世代がありません。3 世代目以降をオフラインにして offline = true としてください"
                ),
            });
        }
    }
}

fn eol(devices: &[Device], today: Date, out: &mut Vec<Warning>) {
    for d in devices {
        let Some(os) = &d.os else { continue };
        if let Some(end) = os_end_of_support(os, today) {
            out.push(Warning {
                code: "eol-os",
                key: format!("devices（管理番号 {}）.os", d.id),
                message: format!(
                    "機器 {} の OS「{os}」はサポートが終了しています（{}）。更新するか、隔離などの代替策を vulnerability.fallback に書いてください",
                    d.id,
                    end.japanese()
                ),
            });
        }
    }
}

fn remote_maintenance(plan: &Plan, out: &mut Vec<Warning>) {
    for (i, s) in plan.systems.iter().enumerate() {
        if s.remote_maintenance && s.mds_sds.as_ref().is_none_or(|m| m.trim().is_empty()) {
            out.push(Warning {
                code: "mds-sds",
                key: format!("systems[{i}].mds_sds"),
                message: format!(
                    "リモート保守の『{}』に MDS/SDS（製造業者／サービス事業者による医療情報セキュリティ開示書）やチェックリストの記録がありません。受け取って mds_sds に記録してください",
                    s.name
                ),
            });
        }
    }
}

fn contacts(plan: &Plan, out: &mut Vec<Warning>) {
    for (i, c) in plan.contacts.iter().enumerate() {
        if c.phone.as_ref().is_none_or(|p| p.trim().is_empty()) {
            out.push(Warning {
                code: "contact-phone",
                key: format!("contacts[{i}].phone"),
                message: format!(
                    "連絡先『{}』に電話番号がありません。phone を書いてください",
                    c.name
                ),
            });
        }
    }
    // Only judged when hours are recorded at all.
    let chart: Vec<&crate::model::Contact> = plan
        .contacts
        .iter()
        .filter(|c| c.category != ContactCategory::Agency)
        .collect();
    let with_hours: Vec<&str> = chart.iter().filter_map(|c| c.hours.as_deref()).collect();
    let at_night = crate::model::mentions_night;
    let roles_at_night = plan
        .roles
        .iter()
        .any(|r| r.phone.as_deref().is_some_and(at_night));
    if !with_hours.is_empty() && !with_hours.iter().any(|h| at_night(h)) && !roles_at_night {
        out.push(Warning {
            code: "night-contact",
            key: "contacts".into(),
            message: "連絡体制図に夜間・休日に連絡がつく人がいません（hours に「24時間」「夜間は…」などを書くか、夜間の連絡先を追加してください）".into(),
        });
    }
}
