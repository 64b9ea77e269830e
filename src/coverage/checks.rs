//! The checks the 確認表 items are judged by. Each reads the facility data and
//! returns what is missing as hints (empty: the check passes). A value that
//! still holds a ○○ placeholder counts as not written.

use serde::Serialize;

use crate::model::placeholder::{has_placeholder, strings};
use crate::model::{ContactCategory, Date, Designation, Device, Level, Plan, fill};

/// What the checks read: the plan plus what validation resolved from files,
/// and the day the plan is judged on (`--today`).
pub struct Facts<'a> {
    pub plan: &'a Plan,
    pub devices: &'a [Device],
    pub has_diagram: bool,
    pub today: Date,
}

pub struct Check {
    pub name: &'static str,
    /// The rule in Japanese, for docs/coverage.md.
    pub rule: &'static str,
    pub run: fn(&Facts) -> Vec<String>,
}

pub fn find(name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.name == name)
}

pub const CHECKS: &[Check] = &[
    Check {
        name: "devices",
        rule: "情報機器台帳（[[devices]] または device_ledger の CSV）に機器が 1 台以上ある",
        run: devices,
    },
    Check {
        name: "network.diagram",
        rule: "ネットワーク構成図の画像（network.diagram）が読み込める",
        run: network_diagram,
    },
    Check {
        name: "systems",
        rule: "対象の医療情報システム（[[systems]]）が 1 つ以上ある",
        run: systems,
    },
    Check {
        name: "alternatives",
        rule: "すべてのシステムが [[alternatives]] のどれかの systems に含まれる（代替手段がある）",
        run: alternatives,
    },
    Check {
        name: "vulnerability.policy",
        rule: "脆弱性対応の責任分界（vulnerability.responsibility）と適用方針（vulnerability.policy）がある",
        run: vulnerability_policy,
    },
    Check {
        name: "vulnerability.sources",
        rule: "脆弱性・脅威情報の入手先（vulnerability.sources）が 1 つ以上ある",
        run: vulnerability_sources,
    },
    Check {
        name: "roles",
        rule: "担当者の役割（[[roles]]）があり、どの行も担当と役割の概要が書かれている",
        run: roles,
    },
    Check {
        name: "roles.chief",
        rule: "最高責任者（designation = \"chief\"）の役割に担当者がいる",
        run: |f| designated(f, Designation::Chief, "chief", "最高責任者（経営層）"),
    },
    Check {
        name: "roles.security_manager",
        rule: "医療情報システム安全管理責任者（designation = \"security_manager\"）の役割に担当者がいる",
        run: |f| {
            designated(
                f,
                Designation::SecurityManager,
                "security_manager",
                "医療情報システム安全管理責任者",
            )
        },
    },
    Check {
        name: "contacts.mhlw",
        rule: "外部関係機関（category = \"agency\"）に名前に「厚生労働省」を含む連絡先があり、電話番号がある",
        run: |f| agency(f, "厚生労働省", "厚生労働省（電話 03-6812-7837）"),
    },
    Check {
        name: "contacts.police",
        rule: "外部関係機関（category = \"agency\"）に名前に「警察」を含む連絡先があり、電話番号がある",
        run: |f| agency(f, "警察", "警察（都道府県警察のサイバー犯罪相談窓口）"),
    },
    Check {
        name: "contacts.vendor",
        rule: "事業者（category = \"vendor\"）の連絡先が 1 つ以上ある（電話番号のない事業者は、事業者に連絡する項目 1-2.1・3-2・4-2 だけを下げる: 警告 contact-phone）",
        run: vendor_exists,
    },
    Check {
        name: "contacts.vendor_phone",
        rule: "事業者（category = \"vendor\"）の連絡先のどれにも電話番号がある（手引き 3-2: 事業者等への連絡）",
        run: |f| contacts_with_phone(f, ContactCategory::Vendor, "vendor", "事業者"),
    },
    Check {
        name: "incident.work_history",
        rule: "原因調査の項目（incident.investigation）に、事業者の作業履歴（リモート保守・メンテナンス・データ移行等）の確認を施設の言葉で書いている（手引き 3-2: 障害の前日等に医療情報システムのメンテナンスやデータ移行等の作業の有無を確認し、該当する場合は、当該作業が障害の原因であるかを確認する）",
        run: work_history,
    },
    Check {
        name: "contacts.vendor_systems",
        rule: "事業者名（systems[].vendor）のあるシステムが 1 つ以上あり、そのすべてが事業者連絡先の systems に含まれる",
        run: vendor_systems,
    },
    Check {
        name: "contacts.internal",
        rule: "部門連絡先（category = \"internal\"）が 1 つ以上あり、どれにも電話番号がある",
        run: |f| contacts_with_phone(f, ContactCategory::Internal, "internal", "部門"),
    },
    Check {
        name: "training.times_per_year",
        rule: "年間の教育・訓練回数（training.times_per_year）が 1 以上",
        run: training_times,
    },
    Check {
        name: "training.recent",
        rule: "直近 12 か月（基準日 --today まで）の教育・訓練の実施記録（[[training.drills]]）が 1 件以上ある（計画だけでは実施にならない）",
        run: training_recent,
    },
    Check {
        name: "backups",
        rule: "バックアップ（[[backups]]）が 1 つ以上あり、作成方法と復旧方法が書かれている",
        run: backups,
    },
    Check {
        name: "backups.important",
        rule: "重要度 high のシステムすべてにバックアップがある",
        run: backups_important,
    },
    Check {
        name: "backups.offline",
        rule: "オフライン（offline = true、書き換えできない媒体）の世代を持つバックアップがある",
        run: backups_offline,
    },
    Check {
        name: "incident.report_form",
        rule: "異常の報告様式（incident.report_form）が決まっている",
        run: |f| {
            required(
                f.plan.incident.report_form.as_ref(),
                "incident.report_form",
                "異常時に使う報告様式がありません（[incident] report_form = 様式の名前）",
            )
        },
    },
    Check {
        name: "incident.chart_posted",
        rule: "連絡体制図を掲示している場所（incident.chart_posted）を施設で定めている",
        run: |f| {
            required(
                f.plan.incident.chart_posted.as_ref(),
                "incident.chart_posted",
                "連絡体制図をどこに掲示し全職員に知らせるかがありません（[incident] chart_posted = \"各部署の電話機の横…\"）",
            )
        },
    },
    Check {
        name: "incident.investigation",
        rule: "原因調査の項目（incident.investigation）を施設で定めている",
        run: |f| {
            own_list(
                f.plan.incident.investigation.as_deref(),
                "incident.investigation",
                "原因調査の項目がひな形のままです（[incident] investigation = [調査項目…]）",
            )
        },
    },
    Check {
        name: "incident.containment",
        rule: "被害拡大防止の遮断手順（incident.containment）を施設で定めている",
        run: |f| {
            own_list(
                f.plan.incident.containment.as_deref(),
                "incident.containment",
                "遮断の順序がひな形の既定のままです（[incident] containment = [自施設の遮断手順…]）",
            )
        },
    },
    Check {
        name: "incident.continuity_manual",
        rule: "システム停止中に従う運用マニュアル（incident.continuity_manual）が決まっている",
        run: |f| {
            required(
                f.plan.incident.continuity_manual.as_ref(),
                "incident.continuity_manual",
                "システム停止中の運用マニュアルの名前がありません（[incident] continuity_manual）",
            )
        },
    },
    Check {
        name: "incident.forensics",
        rule: "証拠保全・フォレンジック調査の依頼先（incident.forensics）とその電話番号（incident.forensics_phone）が決まっている",
        run: forensics,
    },
    Check {
        name: "incident.recovery_checks",
        rule: "通常運用への復旧を宣言する前に確かめること（incident.recovery_checks）を施設で定めている",
        run: |f| {
            own_list(
                Some(f.plan.incident.recovery_checks.as_slice()),
                "incident.recovery_checks",
                "復旧結果の確認がひな形の文だけです（[incident] recovery_checks = [\"誰が何を確かめてから通常運用に戻すか\", …]）",
            )
        },
    },
    Check {
        name: "followup.reports",
        rule: "復旧後の報告先と期限（followup.reports）があり、個人情報保護委員会への報告を含む",
        run: followup_reports,
    },
    Check {
        name: "followup.recurrence",
        rule: "再発防止策を検討・決定・実施する体制（followup.recurrence）を施設で定めている",
        run: |f| {
            required(
                f.plan.followup.recurrence.as_ref(),
                "followup.recurrence",
                "再発防止策を誰が検討し誰が決め誰が実施するかがひな形の文だけです（[followup] recurrence = \"…\"）",
            )
        },
    },
    Check {
        name: "followup.notice",
        rule: "決定した再発防止策を全職員に周知する方法（followup.notice）を施設で定めている",
        run: |f| {
            required(
                f.plan.followup.notice.as_ref(),
                "followup.notice",
                "再発防止策を全職員に周知する方法がひな形の文だけです（[followup] notice = \"…\"）",
            )
        },
    },
    Check {
        name: "followup.vendor_requests",
        rule: "事業者に求める再発防止策（followup.vendor_requests）を施設で定めている",
        run: |f| {
            own_list(
                Some(f.plan.followup.vendor_requests.as_slice()),
                "followup.vendor_requests",
                "事業者に何を求めるかがひな形の文だけです（[followup] vendor_requests = [\"事業者名: 依頼する対策\", …]）",
            )
        },
    },
    Check {
        name: "disclosure.owner",
        rule: "情報公開の担当（disclosure.owner）が決まっている",
        run: |f| {
            required(
                f.plan.disclosure.as_ref().and_then(|d| d.owner.as_ref()),
                "disclosure.owner",
                "情報公開の担当がありません（[disclosure] owner = 担当部署）",
            )
        },
    },
    Check {
        name: "disclosure.channels",
        rule: "情報公開の方法（disclosure.channels）が 1 つ以上ある",
        run: |f| {
            let channels = f.plan.disclosure.as_ref().map(|d| d.channels.as_slice());
            own_list(
                channels.filter(|c| !c.is_empty()),
                "disclosure.channels",
                "情報公開の方法がありません（[disclosure] channels = [\"ホームページ\", …]）",
            )
        },
    },
];

/// Written, and not a placeholder left from a Word copy of the ひな形.
pub fn filled(text: &str) -> bool {
    !text.trim().is_empty() && !has_placeholder(text)
}

/// One hint per string under `value` that still holds a placeholder.
fn leftovers(prefix: &str, value: &impl Serialize) -> Vec<String> {
    let json = serde_json::to_value(value).unwrap_or_default();
    strings(&json)
        .into_iter()
        .filter(|(_, s)| !s.trim().is_empty() && !filled(s))
        .map(|(path, _)| {
            let key = if path.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{path}")
            };
            format!("{key} に仮の文字（○○など）が残っています（実際の内容に書き換え）")
        })
        .collect()
}

fn required(value: Option<&String>, key: &str, absent: &str) -> Vec<String> {
    match value {
        None => vec![absent.to_string()],
        Some(v) if v.trim().is_empty() => vec![absent.to_string()],
        Some(v) => restated(key, &[v.as_str()]).unwrap_or_else(|| leftovers(key, v)),
    }
}

fn own_list(value: Option<&[String]>, key: &str, absent: &str) -> Vec<String> {
    match value {
        Some(items) if items.iter().any(|i| filled(i)) => {
            let values: Vec<&str> = items.iter().map(String::as_str).collect();
            restated(key, &values).unwrap_or_else(|| leftovers(key, &items))
        }
        _ => vec![absent.to_string()],
    }
}

/// The hint when every value of a field says no more than the ひな形 of its
/// sections, or only vague words (verdict.toml `[text]`).
fn restated(key: &str, values: &[&str]) -> Option<Vec<String>> {
    let field = super::text::all_restate(key, values)?;
    Some(vec![format!(
        "{key} はひな形（{}）の文を言い換えたか、「必要に応じて」などの言葉だけで、施設としての手順になっていません。{}",
        field.sections.join("・"),
        field.want
    )])
}

fn devices(f: &Facts) -> Vec<String> {
    if f.devices.is_empty() {
        return vec![format!("情報機器台帳が空です（{}）", fill::how("devices"))];
    }
    f.devices
        .iter()
        .flat_map(|d| leftovers(&format!("情報機器台帳の機器「{}」", d.id), d))
        .collect()
}

/// The one hint not worded by `fill`: its text is pinned by the README's
/// example output and the snapshots (the 【未記入】 box says 構成図の画像).
fn network_diagram(f: &Facts) -> Vec<String> {
    if f.has_diagram {
        vec![]
    } else {
        vec![
            "ネットワーク構成図がありません（[network] diagram = \"network.png\" に画像を指定）"
                .into(),
        ]
    }
}

fn systems(f: &Facts) -> Vec<String> {
    if f.plan.systems.is_empty() {
        return vec![format!(
            "対象の医療情報システムがありません（{}）",
            fill::how("systems")
        )];
    }
    indexed(&f.plan.systems, "systems")
}

fn indexed<T: Serialize>(rows: &[T], key: &str) -> Vec<String> {
    rows.iter()
        .enumerate()
        .flat_map(|(i, r)| leftovers(&format!("{key}[{i}]"), r))
        .collect()
}

fn alternatives(f: &Facts) -> Vec<String> {
    let plan = f.plan;
    if plan.alternatives.is_empty() {
        return vec![format!(
            "代替手段がありません（{}）",
            fill::how("alternatives")
        )];
    }
    let mut hints: Vec<String> = plan
        .systems
        .iter()
        .filter(|s| {
            !plan
                .alternatives
                .iter()
                .any(|a| a.systems.contains(&s.name))
        })
        .map(|s| {
            format!(
                "systems『{}』に代替手段がありません（[[alternatives]] の systems に追加）",
                s.name
            )
        })
        .collect();
    hints.extend(indexed(&plan.alternatives, "alternatives"));
    hints
}

fn vulnerability_policy(f: &Facts) -> Vec<String> {
    let Some(v) = &f.plan.vulnerability else {
        return vec![format!(
            "脆弱性対応の記載がありません（{}）",
            fill::how("vulnerability")
        )];
    };
    let mut hints = Vec::new();
    if v.responsibility
        .as_ref()
        .is_none_or(|r| r.trim().is_empty())
    {
        hints.push(
            "施設と事業者の管理区分がありません（vulnerability.responsibility に責任分界を記入）"
                .to_string(),
        );
    }
    if v.policy.as_ref().is_none_or(|p| p.trim().is_empty()) {
        hints.push(
            "修正プログラムの適用方針がありません（vulnerability.policy に適用基準を記入）"
                .to_string(),
        );
    }
    hints.extend(leftovers("vulnerability.responsibility", &v.responsibility));
    hints.extend(leftovers("vulnerability.policy", &v.policy));
    hints
}

fn vulnerability_sources(f: &Facts) -> Vec<String> {
    let sources = f.plan.vulnerability.as_ref().map(|v| v.sources.as_slice());
    own_list(
        sources.filter(|s| !s.is_empty()),
        "vulnerability.sources",
        "脆弱性・脅威情報の入手先がありません（vulnerability.sources = [\"事業者からの保守報告\", …]）",
    )
}

fn roles(f: &Facts) -> Vec<String> {
    if f.plan.roles.is_empty() {
        return vec![format!(
            "担当者の役割がありません（{}）",
            fill::how("roles")
        )];
    }
    indexed(&f.plan.roles, "roles")
}

fn designated(f: &Facts, designation: Designation, code: &str, label: &str) -> Vec<String> {
    match f.plan.role(designation) {
        None => vec![format!(
            "{label}が決まっていません（{}）",
            fill::how(&format!("roles.{code}"))
        )],
        Some(role) => {
            let i = f
                .plan
                .roles
                .iter()
                .position(|r| std::ptr::eq(r, role))
                .unwrap_or(0);
            let mut hints = leftovers(&format!("roles[{i}].assignee"), &role.assignee);
            if role.assignee.trim().is_empty() {
                hints.push(format!("roles[{i}].assignee に{label}の氏名・役職を記入"));
            }
            hints
        }
    }
}

fn agency(f: &Facts, needle: &str, label: &str) -> Vec<String> {
    let found = f
        .plan
        .contacts
        .iter()
        .enumerate()
        .find(|(_, c)| c.category == ContactCategory::Agency && c.name.contains(needle));
    match found {
        None => vec![format!(
            "外部関係機関に{label}がありません（{}）",
            fill::how("contacts.agency")
        )],
        Some((i, c)) => {
            let mut hints = leftovers(&format!("contacts[{i}]"), c);
            if c.phone.as_ref().is_none_or(|p| p.trim().is_empty()) {
                hints.push(format!(
                    "contacts[{i}]『{}』に電話番号がありません（phone）",
                    c.name
                ));
            }
            hints
        }
    }
}

fn contacts_with_phone(
    f: &Facts,
    category: ContactCategory,
    code: &str,
    label: &str,
) -> Vec<String> {
    let rows: Vec<_> = f
        .plan
        .contacts
        .iter()
        .enumerate()
        .filter(|(_, c)| c.category == category)
        .collect();
    if rows.is_empty() {
        return vec![format!(
            "{label}の連絡先がありません（{}）",
            fill::how(&format!("contacts.{code}"))
        )];
    }
    let mut hints = Vec::new();
    for (i, c) in rows {
        if c.phone.as_ref().is_none_or(|p| p.trim().is_empty()) {
            hints.push(format!(
                "contacts[{i}]『{}』に電話番号がありません（phone）",
                c.name
            ));
        }
        hints.extend(leftovers(&format!("contacts[{i}]"), c));
    }
    hints
}

fn vendor_exists(f: &Facts) -> Vec<String> {
    let mut hints = Vec::new();
    if f.plan.contacts_of(ContactCategory::Vendor).next().is_none() {
        hints.push(format!(
            "事業者の連絡先がありません（{}）",
            fill::how("contacts.vendor")
        ));
    }
    for (i, c) in f.plan.contacts.iter().enumerate() {
        if c.category == ContactCategory::Vendor {
            hints.extend(leftovers(&format!("contacts[{i}]"), c));
        }
    }
    hints
}

/// 3-2: the vendors' 作業履歴 is checked, in the facility's own list.
fn work_history(f: &Facts) -> Vec<String> {
    let words = &super::text::VERDICT.words.work_history;
    match f.plan.incident.investigation.as_deref() {
        Some(items) if items.iter().any(|i| filled(i) && super::text::mentions(i, words)) => vec![],
        Some(_) => vec![
            "原因調査の項目（incident.investigation）に事業者の作業履歴の確認がありません。手引き 3-2: 障害の前日等に医療情報システムのメンテナンスやデータ移行等の作業の有無を確認し、当該作業が障害の原因であるかを確認する（例: 「前日までのリモート保守・データ移行の作業履歴を○○社に確認する」）".into(),
        ],
        None => vec![
            "事業者の作業履歴の確認はひな形の文（3.3.1「メンテナンスやデータ移行等の作業に関する調査」）だけです。どの事業者に何の作業履歴（リモート保守の接続記録・データ移行）を確かめるかを [incident] investigation に書いてください".into(),
        ],
    }
}

fn vendor_systems(f: &Facts) -> Vec<String> {
    let plan = f.plan;
    // "Every system has a vendor contact" says nothing when there are none.
    if !plan.systems.iter().any(|s| s.vendor.is_some()) {
        return vec![
            "事業者が保守するシステムがありません（[[systems]] に vendor を書き、事業者の [[contacts]] の systems に載せる）"
                .into(),
        ];
    }
    plan.systems
        .iter()
        .filter(|s| s.vendor.is_some())
        .filter(|s| {
            !plan
                .contacts_of(ContactCategory::Vendor)
                .any(|c| c.systems.contains(&s.name))
        })
        .map(|s| {
            format!(
                "systems『{}』の事業者連絡先がありません（category = \"vendor\" の [[contacts]] の systems に追加）",
                s.name
            )
        })
        .collect()
}

fn training_times(f: &Facts) -> Vec<String> {
    match f.plan.training.as_ref().and_then(|t| t.times_per_year) {
        Some(n) if n > 0 => vec![],
        _ => vec![format!(
            "教育・訓練の回数がありません（{}）",
            fill::how("training.times_per_year")
        )],
    }
}

fn training_recent(f: &Facts) -> Vec<String> {
    let drills = f.plan.training.as_ref().map_or(&[][..], |t| &t.drills[..]);
    if recent_drills(drills, f.today) == 0 {
        let last = drills
            .iter()
            .map(|d| d.date)
            .filter(|d| *d <= f.today)
            .max();
        let since = last.map_or(String::new(), |d| {
            format!("最後の記録は {}。", d.japanese())
        });
        return vec![format!(
            "直近 12 か月の訓練の実施記録がありません。{since}実施したら [[training.drills]] に日付と内容を記録"
        )];
    }
    indexed(drills, "training.drills")
}

/// Drills held in the 12 months up to `today` (a later date is not held yet).
pub fn recent_drills(drills: &[crate::model::Drill], today: Date) -> usize {
    let year_ago = today.years_before(1);
    drills
        .iter()
        .filter(|d| d.date > year_ago && d.date <= today)
        .count()
}

fn forensics(f: &Facts) -> Vec<String> {
    let incident = &f.plan.incident;
    let mut hints = required(
        incident.forensics.as_ref(),
        "incident.forensics",
        "証拠保全を依頼する先がありません（[incident] forensics = 依頼先）",
    );
    hints.extend(required(
        incident.forensics_phone.as_ref(),
        "incident.forensics_phone",
        "証拠保全の依頼先の電話番号がありません（[incident] forensics_phone）",
    ));
    hints
}

fn followup_reports(f: &Facts) -> Vec<String> {
    let reports = &f.plan.followup.reports;
    let mut hints = own_list(
        Some(reports.as_slice()),
        "followup.reports",
        "復旧後の報告先と期限がひな形の文だけです（[followup] reports = [\"経営会議へ 1 週間以内に書面で\", …]）",
    );
    if hints.is_empty() && !reports.iter().any(|r| r.contains("個人情報保護委員会")) {
        hints.push(
            "情報漏えいのおそれがあるときの個人情報保護委員会への報告（速報・確報の期限）が followup.reports にありません"
                .into(),
        );
    }
    hints
}

fn backups(f: &Facts) -> Vec<String> {
    if f.plan.backups.is_empty() {
        return vec![format!(
            "バックアップがありません（{}）",
            fill::how("backups")
        )];
    }
    indexed(&f.plan.backups, "backups")
}

fn backups_important(f: &Facts) -> Vec<String> {
    let plan = f.plan;
    plan.systems
        .iter()
        .filter(|s| s.importance == Level::High)
        .filter(|s| !plan.backups.iter().any(|b| b.system == s.name))
        .map(|s| {
            format!(
                "systems『{}』にバックアップがありません（backups に追加）",
                s.name
            )
        })
        .collect()
}

fn backups_offline(f: &Facts) -> Vec<String> {
    if f.plan.backups.iter().any(|b| b.offline) {
        vec![]
    } else {
        vec![
            "オフラインのバックアップがありません（3 世代目以降を取り外す・書き換えできない媒体にして offline = true）"
                .into(),
        ]
    }
}
