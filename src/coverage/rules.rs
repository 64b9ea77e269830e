//! Where the plan contradicts itself or leaves a gap an inspector cites:
//! backups that ransomware reaches, vendors and decision-makers out of reach
//! at night, a diagram older than the network, a drill of one person, a
//! help desk that wipes the evidence, reports 「必要に応じて」 to no one, vendor
//! requests that ask the vendor what to do. Each is a warning naming its keys;
//! verdict.toml `[warning_items]` says which items it lowers, `[words]` what
//! it reads.

use super::text::{VERDICT, mentions};
use super::warnings::{Warning, items_for};
use crate::model::{Backup, ContactCategory, Date, Designation, Device, Kind, Plan};

pub(super) fn warnings(plan: &Plan, devices: &[Device], today: Date, out: &mut Vec<Warning>) {
    backups(plan, out);
    vendor_night(plan, out);
    office_hours(plan, out);
    stale_diagram(plan, devices, out);
    solo_drill(plan, today, out);
    forensics(plan, out);
    vague_reports(plan, out);
    vendor_proposal(plan, out);
}

fn warning(code: &'static str, key: String, message: String) -> Warning {
    Warning {
        code,
        key,
        message,
        items: items_for(code),
    }
}

/// `offline = true` that its own method contradicts: the copy stays
/// connected (常時接続, 同期, a NAS on the LAN) and is never taken away.
pub fn contradicted(b: &Backup) -> bool {
    let w = &VERDICT.words;
    let text = format!("{} {}", b.method, b.frequency);
    b.offline && mentions(&text, &w.connected) && !mentions(&text, &w.detached)
}

/// The copy survives ransomware: offline (and not contradicted by its
/// method), or on storage that cannot be rewritten. 2.2.4's table prints
/// 「オフライン」 only for these.
pub fn survives(b: &Backup) -> bool {
    (b.offline && !contradicted(b)) || mentions(&b.method, &VERDICT.words.immutable)
}

/// The plan's own names of people and bodies: a restore procedure that
/// names one says who restores.
fn names(plan: &Plan, agencies: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in &plan.roles {
        names.push(r.role.clone());
        names.extend(
            r.assignee
                .split(['、', '・', '/', '（', '('])
                .map(str::to_string),
        );
    }
    let bodies = plan
        .contacts
        .iter()
        .filter(|c| agencies || c.category != ContactCategory::Agency)
        .map(|c| c.name.clone())
        .chain(plan.systems.iter().filter_map(|s| s.vendor.clone()));
    for name in bodies {
        // 「みなと医事ソフト」 names 「株式会社みなと医事ソフト」.
        let bare = ["株式会社", "有限会社", "合同会社", "（株）", "(株)"]
            .iter()
            .fold(name.clone(), |n, form| n.replace(form, ""));
        names.push(bare.trim().to_string());
        names.push(name);
    }
    names.extend(
        plan.contacts
            .iter()
            .filter(|c| agencies || c.category != ContactCategory::Agency)
            .filter_map(|c| c.person.clone()),
    );
    names.retain(|n| n.trim().chars().count() >= 2);
    names
}

fn backups(plan: &Plan, out: &mut Vec<Warning>) {
    let w = &VERDICT.words;
    for (i, b) in plan.backups.iter().enumerate() {
        if contradicted(b) {
            out.push(warning(
                "backup-not-offline",
                format!("backups[{i}].offline"),
                format!(
                    "『{}』のバックアップは offline = true ですが、作成方法「{}」は接続されたまま（常時接続・同期・LAN 上の NAS など）です。ランサムウェアはこの複製も暗号化します。取り外す・書き換えできない媒体に複製する方法を method に書くか、offline = false にしてください",
                    b.system, b.method
                ),
            ));
        }
    }
    let names = names(plan, true);
    let mut systems: Vec<&str> = Vec::new();
    for b in &plan.backups {
        if !systems.contains(&b.system.as_str()) {
            systems.push(&b.system);
        }
    }
    for system in systems {
        let rows: Vec<(usize, &Backup)> = plan
            .backups
            .iter()
            .enumerate()
            .filter(|(_, b)| b.system == system)
            .collect();
        let who = rows.iter().any(|(_, b)| {
            mentions(&b.restore, &w.actor) || names.iter().any(|n| b.restore.contains(n.trim()))
        });
        let from = rows.iter().any(|(_, b)| mentions(&b.restore, &w.source));
        if !(who && from) {
            let lacks = match (who, from) {
                (false, false) => "誰が、どこ（どの媒体）から",
                (false, true) => "誰が",
                _ => "どこ（どの媒体）から",
            };
            out.push(warning(
                "backup-restore",
                format!("backups[{}].restore", rows[0].0),
                format!(
                    "『{system}』の復旧方法（restore）に{lacks}復元するかがありません。手引き 4-2・4-3: 情報システム担当者と事業者間で、バックアップ復元手順や対応者を平時に定めておく（例: 「情報システム係が再構築した後、外付け HDD から復元する」）"
                ),
            ));
        }
    }
}

/// Hours given, weekdays or office hours only, no night route: the same rule
/// for vendors (6) and for the chief and the security manager (9).
fn office_only(hours: Option<&str>, at_night: bool) -> bool {
    hours.is_some_and(|h| !h.trim().is_empty() && mentions(h, &VERDICT.words.weekdays)) && !at_night
}

fn vendor_night(plan: &Plan, out: &mut Vec<Warning>) {
    let Some(first) = plan.systems.iter().map(|s| s.recovery_priority).min() else {
        return;
    };
    let firsts: Vec<&str> = plan
        .systems
        .iter()
        .filter(|s| s.recovery_priority == first)
        .map(|s| s.name.as_str())
        .collect();
    for (i, c) in plan.contacts.iter().enumerate() {
        if c.category != ContactCategory::Vendor {
            continue;
        }
        let Some(system) = c.systems.iter().find(|s| firsts.contains(&s.as_str())) else {
            continue;
        };
        if office_only(c.hours.as_deref(), c.reachable_at_night()) {
            out.push(warning(
                "vendor-night",
                format!("contacts[{i}].hours"),
                format!(
                    "復旧優先度が最も高い『{system}』の事業者『{}』は「{}」しか連絡がつかず、夜間・休日の連絡経路がありません。夜間・休日の保守窓口（番号）を確かめて hours に「夜間・休日は…」と書くか、phone_note に書いてください",
                    c.name,
                    c.hours.as_deref().unwrap_or_default()
                ),
            ));
        }
    }
}

/// The facility is open in the evening or at weekends (a hospital, beds, or
/// the facility's phone note or a department's hours say so; a person's own
/// hours say when they answer, not when the facility is open).
fn open_late(plan: &Plan) -> bool {
    let w = &VERDICT.words.open_late;
    plan.facility.kind == Kind::Hospital
        || plan.facility.beds.is_some_and(|b| b > 0)
        || plan
            .facility
            .phone_note
            .as_deref()
            .is_some_and(|n| mentions(n, w))
        || plan
            .contacts_of(ContactCategory::Internal)
            .filter_map(|c| c.hours.as_deref())
            .any(|h| mentions(h, w))
}

fn office_hours(plan: &Plan, out: &mut Vec<Warning>) {
    if !open_late(plan) {
        return;
    }
    for (designation, variant, label) in [
        (
            Designation::Chief,
            "office-hours-only.chief",
            "最高責任者（意思決定者）",
        ),
        (
            Designation::SecurityManager,
            "office-hours-only.security_manager",
            "医療情報システム安全管理責任者",
        ),
    ] {
        let holders = plan.holders(designation);
        // A deputy with the same designation covers the nights.
        if holders.len() != 1 {
            continue;
        }
        let i = holders[0];
        let r = &plan.roles[i];
        if office_only(r.hours.as_deref(), r.reachable_at_night()) {
            out.push(Warning {
                code: "office-hours-only",
                key: format!("roles[{i}].night"),
                message: format!(
                    "{label}「{}」は「{}」しか連絡がつかず、夜間・休日の連絡先も代理もありませんが、施設は夜間・休日も開いています。手引き 2-3: サイバー被害情報が速やかに CSIRT ならびに意思決定者まで到達するか。roles[{i}].night に夜間・休日の連絡先を書くか、代理の役割を同じ designation で加えてください",
                    r.role,
                    r.hours.as_deref().unwrap_or_default()
                ),
                items: items_for(variant),
            });
        }
    }
}

fn stale_diagram(plan: &Plan, devices: &[Device], out: &mut Vec<Warning>) {
    let Some(updated) = plan.network.as_ref().and_then(|n| n.updated) else {
        return;
    };
    let words = &VERDICT.words.network_device;
    let newer: Vec<&Device> = devices
        .iter()
        .filter(|d| d.registered.is_some_and(|r| r > updated))
        .filter(|d| {
            [&d.software, &d.os, &d.hostname, &d.note, &d.maker]
                .iter()
                .filter_map(|v| v.as_deref())
                .any(|v| mentions(v, words))
        })
        .collect();
    if newer.is_empty() {
        return;
    }
    let mut listed: Vec<String> = newer
        .iter()
        .take(5)
        .map(|d| {
            let what = d
                .software
                .as_deref()
                .or(d.hostname.as_deref())
                .unwrap_or("");
            format!(
                "{} {what}（{}）",
                d.id,
                d.registered.map(|r| r.japanese()).unwrap_or_default()
            )
        })
        .collect();
    if newer.len() > 5 {
        listed.push(format!("ほか {} 台", newer.len() - 5));
    }
    out.push(warning(
        "stale-diagram",
        "network.updated".into(),
        format!(
            "ネットワーク構成図（network.updated = {}）より後に台帳に登録されたネットワーク機器・サーバがあります: {}。構成図に載っていない機器は、被害範囲の特定と遮断に使えません。構成図を描き直して network.updated を更新してください",
            updated.japanese(),
            listed.join("、")
        ),
    ));
}

/// One person is not a drill of the staff: a name, 「1名」, no separator
/// between people and no group (全職員, 各部署, 計N名).
fn one_person(participants: &str) -> bool {
    let p = participants.trim();
    if p.is_empty() {
        return false;
    }
    let digits: String = p
        .chars()
        .map(|c| {
            if c.is_ascii_digit() || ('０'..='９').contains(&c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let numbers: Vec<u32> = digits
        .split_whitespace()
        .filter_map(|n| {
            n.chars()
                .map(|c| c.to_digit(10).unwrap_or(0))
                .reduce(|a, b| a * 10 + b)
        })
        .collect();
    if !numbers.is_empty() {
        return numbers.iter().sum::<u32>() <= 1;
    }
    if ["一人", "1人", "単独", "ひとり"]
        .iter()
        .any(|w| p.contains(w))
    {
        return true;
    }
    let groups = [
        "全",
        "職員",
        "各",
        "部",
        "課",
        "科",
        "室",
        "病棟",
        "一同",
        "スタッフ",
        "チーム",
        "委員会",
        "メンバー",
        "ら",
        "たち",
        "等",
        "など",
    ];
    if p.contains(['、', ',', '，', '・', '/', '／', '＋', '+', '&', '＆'])
        || p.contains("と")
        || p.contains("及び")
    {
        return false;
    }
    // 「情報システム室 川口」: a department and one name is one person.
    let last = p.split_whitespace().last().unwrap_or(p);
    let named = p.split_whitespace().count() > 1 && last.chars().count() <= 4;
    named && !groups.iter().any(|g| last.contains(g)) || !groups.iter().any(|g| p.contains(g))
}

fn solo_drill(plan: &Plan, today: Date, out: &mut Vec<Warning>) {
    let Some(t) = &plan.training else { return };
    let year_ago = today.years_before(1);
    let recent: Vec<(usize, &crate::model::Drill)> = t
        .drills
        .iter()
        .enumerate()
        .filter(|(_, d)| d.date > year_ago && d.date <= today)
        .collect();
    if recent.is_empty()
        || !recent
            .iter()
            .all(|(_, d)| d.participants.as_deref().is_some_and(one_person))
    {
        return;
    }
    let (i, d) = recent[recent.len() - 1];
    out.push(warning(
        "solo-drill",
        format!("training.drills[{i}].participants"),
        format!(
            "直近 12 か月の訓練（{}「{}」）の参加者は 1 人（「{}」）です。1 人で手順を確かめただけでは職員の教育訓練になりません。手引き 1-2.3: 教育訓練が実施できているか。職員が参加する訓練を行い、参加者（部署と人数）を記録してください",
            d.date.japanese(),
            d.title,
            d.participants.as_deref().unwrap_or_default()
        ),
    ));
}

fn forensics(plan: &Plan, out: &mut Vec<Warning>) {
    let w = &VERDICT.words;
    let Some(f) = plan.incident.forensics.as_deref() else {
        return;
    };
    let wipes = mentions(f, &w.wipe) && !mentions(f, &w.forensics);
    if mentions(f, &w.helpdesk) && mentions(f, &w.wipe) || wipes {
        out.push(warning(
            "forensics-wipe",
            "incident.forensics".into(),
            format!(
                "証拠保全の依頼先「{f}」は、端末の初期化・再インストールを頼む先です。初期化すると攻撃の痕跡（ログ・暗号化されたファイル）が消え、被害範囲も漏えいの有無も調べられません。手引き 3-5: 自機関で証拠保全が可能か検討し、困難な場合は事業者等へ依頼する。フォレンジック調査（データや攻撃活動のログを取得し、攻撃対象・方法・被害範囲を解明する調査）と証拠保全を行う依頼先を書いてください"
            ),
        ));
    }
}

fn vague_reports(plan: &Plan, out: &mut Vec<Warning>) {
    let w = &VERDICT.words;
    let names = names(plan, false);
    for (i, r) in plan.followup.reports.iter().enumerate() {
        if !mentions(r, &w.authority) || !mentions(r, &w.conditional) {
            continue;
        }
        // Who reports: a person or body of the plan, or a title.
        let stripped = w
            .authority
            .iter()
            .fold(r.clone(), |acc, a| acc.replace(a.as_str(), ""));
        let named =
            mentions(&stripped, &w.actor) || names.iter().any(|n| stripped.contains(n.trim()));
        if !named {
            out.push(warning(
                "vague-report",
                format!("followup.reports[{i}]"),
                format!(
                    "「{r}」は外部関係機関への報告を「必要に応じて」などとするだけで、誰が判断し誰が報告するかがありません。手引き 3-6・5-6: 被害状況について所管省庁への報告、法的措置等の対応を確認して報告する。経営者と担当者により外部関係機関への報告が行えるか。報告する人（役職）と時期を書いてください"
                ),
            ));
        }
    }
}

fn vendor_proposal(plan: &Plan, out: &mut Vec<Warning>) {
    for (i, r) in plan.followup.vendor_requests.iter().enumerate() {
        if mentions(r, &VERDICT.words.left_to_vendor) {
            out.push(warning(
                "vendor-proposal",
                format!("followup.vendor_requests[{i}]"),
                format!(
                    "「{r}」は再発防止策を事業者に任せています。手引き 5-5: 事業者に対して再発防止策を具体的に提案し、実施可能かつ有効な方法を策定する能力があるか。施設が求める対策（何を・いつまでに）を書き、事業者へ指示してください"
                ),
            ));
        }
    }
}
