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
    /// The 確認表 items whose substance it is about (verdict.toml
    /// `[warning_items]`): each reads △ at best while it stands.
    pub items: Vec<&'static str>,
}

/// The items a warning code (or `code.variant`) is about, from verdict.toml.
pub fn items_for(code: &str) -> Vec<&'static str> {
    super::text::VERDICT
        .warning_items
        .get(code)
        .map(|ids| ids.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
struct EolTable {
    os: Vec<EolOs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EolOs {
    /// Every one of these must occur in the device's OS.
    #[serde(rename = "match")]
    all: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    end: toml::value::Datetime,
}

/// One edition's end of support, folded for matching.
struct Edition {
    all: Vec<String>,
    unless: Vec<String>,
    end: Date,
}

impl Edition {
    fn matches(&self, os: &str) -> bool {
        self.all.iter().all(|p| contains_whole(os, p))
            && !self.unless.iter().any(|u| os.contains(u.as_str()))
    }

    /// The more it names, the more specific ("Windows 10" + "LTSC 2019"
    /// beats "Windows 10").
    fn specificity(&self) -> usize {
        self.all.iter().map(String::len).sum()
    }
}

static EOL: LazyLock<Vec<Edition>> = LazyLock::new(|| {
    let table: EolTable = toml::from_str(include_str!("eol.toml")).expect("eol.toml is valid");
    table
        .os
        .into_iter()
        .map(|o| {
            let d = o.end.date.expect("eol.toml dates are dates");
            Edition {
                all: o.all.iter().map(|p| fold(p)).collect(),
                unless: o.unless.iter().map(|u| fold(u)).collect(),
                end: Date::new(d.year, d.month, d.day).expect("valid date"),
            }
        })
        .collect()
});

/// A version is whole: "CentOS 7" is not "CentOS 70", "2019" not "20190".
fn contains_whole(os: &str, pattern: &str) -> bool {
    if !pattern.ends_with(|c: char| c.is_ascii_digit()) {
        return os.contains(pattern);
    }
    os.match_indices(pattern)
        .any(|(i, m)| !os[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Case- and space-insensitive, so "windows10" matches "Windows 10".
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The end of support of a device's OS, judged by the most specific edition
/// in the list that names it.
pub fn os_support_end(os: &str) -> Option<Date> {
    let os = fold(os);
    EOL.iter()
        .filter(|e| e.matches(&os))
        .max_by_key(|e| e.specificity())
        .map(|e| e.end)
}

/// The end of support of a device's OS when it is before `today`.
pub fn os_end_of_support(os: &str, today: Date) -> Option<Date> {
    os_support_end(os).filter(|end| *end < today)
}

/// Days between two dates (positive when `later` is after `earlier`).
fn days_between(earlier: Date, later: Date) -> i64 {
    earlier.days_until(later)
}

pub fn warnings(plan: &Plan, devices: &[Device], today: Date) -> Vec<Warning> {
    let mut out = Vec::new();
    review(plan, today, &mut out);
    unrecorded_change(plan, devices, &mut out);
    drills(plan, today, &mut out);
    backups(plan, &mut out);
    recovery_priority(plan, &mut out);
    eol(plan, devices, today, &mut out);
    remote_maintenance(plan, &mut out);
    contacts(plan, &mut out);
    night_first_call(plan, &mut out);
    super::rules::warnings(plan, devices, today, &mut out);
    out
}

/// Records dated after the newest revision: what the printed plan shows has
/// changed since it was approved, and the cover still carries the old 版.
fn unrecorded_change(plan: &Plan, devices: &[Device], out: &mut Vec<Warning>) {
    let Some(latest) = plan.latest_revision() else {
        return;
    };
    let mut dated: Vec<(String, Date)> = Vec::new();
    if let Some(t) = &plan.training {
        for (i, d) in t.drills.iter().enumerate() {
            dated.push((format!("training.drills[{i}].date"), d.date));
        }
    }
    if let Some(updated) = plan.network.as_ref().and_then(|n| n.updated) {
        dated.push(("network.updated".into(), updated));
    }
    for d in devices {
        if let Some(r) = d.registered {
            dated.push((format!("devices（管理番号 {}）.registered", d.id), r));
        }
    }
    let newer: Vec<(String, Date)> = dated
        .into_iter()
        .filter(|(_, d)| *d > latest.date)
        .collect();
    let Some((first, _)) = newer.first() else {
        return;
    };
    let mut listed: Vec<String> = newer
        .iter()
        .take(3)
        .map(|(k, d)| format!("{k}（{}）", d.japanese()))
        .collect();
    if newer.len() > 3 {
        listed.push(format!("ほか {} 件", newer.len() - 3));
    }
    out.push(Warning {
        code: "unrecorded-change",
        items: items_for("unrecorded-change"),
        key: first.clone(),
        message: format!(
            "最新の改訂（第{}版、{}）より後の記録があります: {}。計画の内容が承認後に変わっています。見直して [[revisions]] に改訂を追加してください",
            latest.version,
            latest.date.japanese(),
            listed.join("、")
        ),
    });
}

/// 手引き 4-1: the order of recovery is decided in advance. When every
/// important system has the same priority, nothing was decided.
fn recovery_priority(plan: &Plan, out: &mut Vec<Warning>) {
    let high: Vec<(usize, &crate::model::System)> = plan
        .systems
        .iter()
        .enumerate()
        .filter(|(_, s)| s.importance == crate::model::Level::High)
        .collect();
    if high.len() >= 2
        && high
            .iter()
            .all(|(_, s)| s.recovery_priority == high[0].1.recovery_priority)
    {
        out.push(Warning {
            code: "equal-priority",
            items: items_for("equal-priority"),
            key: format!("systems[{}].recovery_priority", high[1].0),
            message: format!(
                "重要度 high のシステム {} 件がすべて復旧優先度 {} です。どれから復旧するかを決め、recovery_priority に順番を書いてください",
                high.len(),
                high[0].1.recovery_priority
            ),
        });
    }
}

/// The first call on the 連絡体制図 and the poster (the CSIRT 窓口, else the
/// security manager) must be reachable when incidents happen: at night too.
fn night_first_call(plan: &Plan, out: &mut Vec<Warning>) {
    use crate::model::Designation;
    let first = [Designation::Csirt, Designation::SecurityManager]
        .into_iter()
        .find_map(|d| plan.roles.iter().position(|r| r.designation == Some(d)));
    let Some(i) = first else { return };
    let role = &plan.roles[i];
    if role.reachable_at_night() {
        return;
    }
    let hours = role
        .hours
        .as_deref()
        .map_or("受付時間の記載なし".to_string(), |h| {
            format!("「{h}」")
        });
    out.push(Warning {
        code: "night-first-call",
        items: items_for("night-first-call"),
        key: format!("roles[{i}].night"),
        message: format!(
            "連絡体制図・ポスターで最初に電話する「{}」（{hours}）に夜間・休日の連絡先がありません。roles[{i}].night に夜間・休日の連絡先（当直など）を書くか、24 時間つながるなら roles[{i}].hours = \"24時間\" としてください",
            role.role
        ),
    });
}

fn review(plan: &Plan, today: Date, out: &mut Vec<Warning>) {
    if let Some(latest) = plan.latest_revision()
        && days_between(latest.date, today) > 365
    {
        out.push(Warning {
            code: "stale-review",
            items: items_for("stale-review"),
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
            items: items_for("no-drill"),
            key: "training.drills".into(),
            message: "訓練の実施記録がありません。実施したら [[training.drills]] に日付・内容を記録してください".into(),
        });
        return;
    };
    // The plan's own frequency sets the interval; once a year at least.
    let per_year = training.and_then(|t| t.times_per_year).unwrap_or(1).max(1);
    let interval = 365 / i64::from(per_year);
    let held = training.map_or(0, |t| super::checks::recent_drills(&t.drills, today));
    let promised = training.and_then(|t| t.times_per_year).unwrap_or(0);
    // None at all in the year is `stale-drill`; some, but fewer than promised, is this.
    if held > 0 && held < promised as usize {
        out.push(Warning {
            code: "drill-shortfall",
            items: items_for("drill-shortfall"),
            key: "training.times_per_year".into(),
            message: format!(
                "計画は年 {promised} 回（training.times_per_year）ですが、直近 12 か月の訓練の記録は {held} 回です。計画どおり実施して [[training.drills]] に記録するか、実際の回数に合わせてください"
            ),
        });
    }
    if days_between(last.date, today) > interval {
        out.push(Warning {
            code: "stale-drill",
            items: items_for("stale-drill"),
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
                items: items_for("backup-generations"),
                key: format!("backups[{first}].generations"),
                message: format!(
                    "『{system}』のバックアップが {generations} 世代です。3 世代以上を保管し、generations に世代数を書いてください"
                ),
            });
        }
        if !rows.iter().any(|(_, b)| super::rules::survives(b)) {
            out.push(Warning {
                code: "backup-offline",
                items: items_for("backup-offline"),
                key: format!("backups[{first}].offline"),
                message: format!(
                    "『{system}』にオフライン（取り外し・書き換え不可）の世代がありません。ランサムウェアは接続されたバックアップも暗号化します。3 世代目以降を取り外す・書き換えできない媒体にして offline = true とし、method にその方法を書いてください"
                ),
            });
        }
    }
}

fn eol(plan: &Plan, devices: &[Device], today: Date, out: &mut Vec<Warning>) {
    let fallback = plan
        .vulnerability
        .as_ref()
        .and_then(|v| v.fallback.as_deref())
        .unwrap_or("");
    for d in devices {
        let Some(os) = &d.os else { continue };
        let Some(end) = os_end_of_support(os, today) else {
            continue;
        };
        if isolation_measure(d, fallback).is_some() {
            continue;
        }
        {
            out.push(Warning {
                code: "eol-os",
                items: items_for("eol-os"),
                key: format!("devices（管理番号 {}）.os", d.id),
                message: format!(
                    "機器 {} の OS「{os}」はサポートが終了しています（{}）。更新するか、この機器の隔離などの代替措置を機器台帳の「隔離・代替措置」の列（[[devices]] なら isolation）に書いてください（vulnerability.fallback に管理番号 {} を挙げて措置を書くこともできます。名前だけでは消えません）",
                    d.id,
                    end.japanese(),
                    d.id
                ),
            });
        }
    }
}

/// The device's own isolation measure is written (not left as ○○).
pub fn isolated(device: &Device) -> bool {
    device
        .isolation
        .as_deref()
        .is_some_and(super::checks::filled)
}

/// The device's isolation measure: its own (the ledger's 「隔離・代替措置」
/// column), else the sentences of `vulnerability.fallback` that name it and
/// say something besides its name. One rule for `eol-os` and 2.1.6's table:
/// a device cleared here is printed with this measure, never with 【未記入】.
pub fn isolation_measure(device: &Device, fallback: &str) -> Option<String> {
    if isolated(device) {
        return device.isolation.as_deref().map(|i| i.trim().to_string());
    }
    let sentences: Vec<&str> = fallback
        .split(['。', '\n'])
        .filter(|s| isolation_named(s, device))
        .collect();
    let mut rest = sentences.join("。");
    for name in std::iter::once(device.id.as_str()).chain(device.hostname.as_deref()) {
        rest = rest.replace(name.trim(), "");
    }
    let own = super::text::Reference::of(&[], &[]).own_content(&rest);
    (own >= super::text::VERDICT.text.min_own && super::checks::filled(&rest))
        .then(|| format!("{}。", sentences.join("。").trim()))
}

/// `vulnerability.fallback` names the device (by 管理番号 or コンピュータ名)
/// as a whole word, so "PC-1" is not cleared by "PC-12".
fn isolation_named(fallback: &str, device: &Device) -> bool {
    let whole = |name: &str| {
        let name = name.trim();
        !name.is_empty()
            && fallback.match_indices(name).any(|(i, m)| {
                let before = fallback[..i].chars().next_back();
                let after = fallback[i + m.len()..].chars().next();
                let part = |c: Option<char>| {
                    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                };
                !part(before) && !part(after)
            })
    };
    whole(&device.id) || device.hostname.as_deref().is_some_and(whole)
}

fn remote_maintenance(plan: &Plan, out: &mut Vec<Warning>) {
    for (i, s) in plan.systems.iter().enumerate() {
        if s.remote_maintenance && s.mds_sds.as_ref().is_none_or(|m| m.trim().is_empty()) {
            out.push(Warning {
                code: "mds-sds",
                items: items_for("mds-sds"),
                key: format!("systems[{i}].mds_sds"),
                message: format!(
                    "リモート保守の『{}』に MDS/SDS（製造業者／サービス事業者による医療情報セキュリティ開示書）やチェックリストの記録がありません。受け取って mds_sds に記録してください",
                    s.name
                ),
            });
        }
        // Remote access with nobody to call about it: an open door.
        if s.remote_maintenance
            && !plan
                .contacts_of(ContactCategory::Vendor)
                .any(|c| c.systems.contains(&s.name))
        {
            out.push(Warning {
                code: "remote-no-vendor",
                items: items_for("remote-no-vendor"),
                key: format!("systems[{i}].remote_maintenance"),
                message: format!(
                    "リモート保守の『{}』に事業者の連絡先がありません。保守する事業者を category = \"vendor\" の [[contacts]] に追加し、systems に『{}』を書いてください",
                    s.name, s.name
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
                items: items_for(match c.category {
                    ContactCategory::Vendor => "contact-phone.vendor",
                    ContactCategory::Internal => "contact-phone.internal",
                    ContactCategory::Agency => "contact-phone.agency",
                }),
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
        .any(|r| r.reachable_at_night() || r.phone.as_deref().is_some_and(at_night))
        || chart.iter().any(|c| c.reachable_at_night());
    if !with_hours.is_empty() && !with_hours.iter().any(|h| at_night(h)) && !roles_at_night {
        out.push(Warning {
            code: "night-contact",
            items: items_for("night-contact"),
            key: "contacts".into(),
            message: "連絡体制図に夜間・休日に連絡がつく人がいません（hours に「24時間」「夜間は…」などを書くか、夜間の連絡先を追加してください）".into(),
        });
    }
}
