//! The validation pass after deserialising: references, duplicates, referenced
//! files, and doubtful-but-legal content. Every finding names its key path.

use std::collections::HashMap;

use super::devices::{self, Asset};
use super::load::Loaded;
use super::placeholder::{PLACEHOLDERS, has_placeholder, strings};
use super::{ContactCategory, Date, Designation, Device, Kind, Plan};
use crate::diag::{Diagnostic, InputErrors, Severity, did_you_mean};

/// What a valid plan brings besides its TOML: the merged device ledger, the
/// diagram's bytes, and warnings to show the user.
#[derive(Debug)]
pub struct Checked {
    pub devices: Vec<Device>,
    pub diagram: Option<Asset>,
    pub warnings: Vec<Diagnostic>,
}

/// A check of the plan that needs a module above the model (the checklist's
/// item ids): its findings join the model's own, located and sorted with them.
pub type Check = fn(&Plan) -> Vec<Diagnostic>;

/// `today` is the day dates are judged on (`--today`, else `SOURCE_DATE_EPOCH`,
/// else today in Japan): the caller settles it, the model never reads the clock.
pub fn validate(loaded: &Loaded, today: Date, more: &[Check]) -> Result<Checked, InputErrors> {
    let plan = &loaded.plan;
    let mut found = Vec::new();
    check_unique_names(plan, &mut found);
    check_references(plan, &mut found);
    check_designations(plan, &mut found);
    check_contacts(plan, &mut found);
    check_kind_keys(plan, &mut found);
    check_placeholders(plan, &mut found);
    super::secrets::check(plan, &mut found);
    check_distribution(plan, &mut found);
    check_future_dates(plan, today, &mut found);
    for check in more {
        found.extend(check(plan));
    }

    let mut devices = plan.devices.clone();
    if let Some(ledger) = &plan.device_ledger {
        let key = "device_ledger.file";
        match devices::resolve_file(&loaded.dir_for(key), &ledger.file, key)
            .and_then(|path| devices::read_ledger(&path, key, ledger.sheet.as_deref()))
        {
            Ok(rows) if rows.is_empty() => found.push(
                Diagnostic::warning(
                    key.to_string(),
                    format!("機器台帳 {} に機器の行がありません", ledger.file),
                )
                .with_hint("1 行目に列名、2 行目から 1 台 1 行で書いてください"),
            ),
            Ok(rows) => {
                check_future_registrations(&ledger.file, &rows, today, &mut found);
                super::secrets::check_ledger(&ledger.file, &rows, &mut found);
                devices.extend(rows);
            }
            Err(d) => found.push(d),
        }
    }
    let diagram = plan
        .network
        .as_ref()
        .and_then(|n| n.diagram.as_ref())
        .and_then(|file| {
            let key = "network.diagram";
            devices::resolve_file(&loaded.dir_for(key), file, key)
                .and_then(|path| devices::read_image(&path, key))
                .map_err(|d| found.push(d))
                .ok()
        });

    for d in &mut found {
        if d.span.is_none() {
            d.span = d.key.as_deref().and_then(|k| loaded.spans.span_of(k));
        }
    }
    if found.iter().any(|d| d.severity == Severity::Error) {
        found.sort_by_key(|d| {
            (
                std::cmp::Reverse(d.severity),
                d.span.as_ref().map(|s| s.start),
            )
        });
        return Err(InputErrors {
            file: loaded.file.clone(),
            diagnostics: found,
        });
    }
    Ok(Checked {
        devices,
        diagram,
        warnings: found,
    })
}

fn check_unique_names(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, s) in plan.systems.iter().enumerate() {
        if let Some(first) = seen.insert(s.name.trim(), i) {
            found.push(Diagnostic::error(
                format!("systems[{i}].name"),
                format!(
                    "システム名 \"{}\" が重複しています（systems[{first}] と同じ名前です）",
                    s.name
                ),
            )
            .with_hint("alternatives・backups・contacts はシステムを名前で参照するため、名前は一つずつ別にしてください"));
        }
    }
}

fn check_references(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let names: Vec<&str> = plan.systems.iter().map(|s| s.name.as_str()).collect();
    let mut check = |key: String, name: &str| {
        if !names.contains(&name.trim()) {
            let mut d = Diagnostic::error(
                key,
                format!("システム \"{name}\" は systems に定義されていません"),
            );
            d = match did_you_mean(name, names.iter().copied()) {
                Some(s) => d.with_hint(format!("\"{s}\" のことですか？")),
                None => d.with_hint(format!(
                    "[[systems]] に name = \"{name}\" を追加するか、既存のシステム名（{}）を書いてください",
                    names.join("、")
                )),
            };
            found.push(d);
        }
    };
    for (i, a) in plan.alternatives.iter().enumerate() {
        for (j, s) in a.systems.iter().enumerate() {
            check(format!("alternatives[{i}].systems[{j}]"), s);
        }
    }
    for (i, b) in plan.backups.iter().enumerate() {
        check(format!("backups[{i}].system"), &b.system);
    }
    for (i, c) in plan.contacts.iter().enumerate() {
        for (j, s) in c.systems.iter().enumerate() {
            check(format!("contacts[{i}].systems[{j}]"), s);
        }
    }
}

fn check_designations(plan: &Plan, found: &mut Vec<Diagnostic>) {
    for (designation, label) in [
        (Designation::Chief, "最高責任者"),
        (
            Designation::SecurityManager,
            "医療情報システム安全管理責任者",
        ),
    ] {
        let holders = plan.holders(designation);
        if let [first, rest @ ..] = holders.as_slice() {
            for i in rest {
                found.push(
                    Diagnostic::error(
                        format!("roles[{i}].designation"),
                        format!("{label}が複数指定されています（roles[{first}] にもあります）"),
                    )
                    .with_hint("兼務する場合は一つの [[roles]] にまとめてください"),
                );
            }
        }
    }
}

fn check_contacts(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let phones =
        plan.facility
            .phone
            .iter()
            .map(|p| ("facility.phone".to_string(), p))
            .chain(
                plan.roles.iter().enumerate().filter_map(|(i, r)| {
                    r.phone.as_ref().map(|p| (format!("roles[{i}].phone"), p))
                }),
            )
            .chain(plan.contacts.iter().enumerate().filter_map(|(i, c)| {
                c.phone
                    .as_ref()
                    .map(|p| (format!("contacts[{i}].phone"), p))
            }));
    for (key, phone) in phones {
        if !looks_like_phone(phone) {
            found.push(
                Diagnostic::warning(key, format!("電話番号に見えません: \"{phone}\""))
                    .with_hint("phone には番号だけ（例: \"045-000-1234\"、\"内線 1234\"）を書き、補足は phone_note = \"携帯・夜間可\" のように書いてください"),
            );
        }
    }
    for (i, c) in plan.contacts.iter().enumerate() {
        if let Some(email) = &c.email
            && !looks_like_email(email)
        {
            found.push(Diagnostic::warning(
                format!("contacts[{i}].email"),
                format!("メールアドレスに見えません: \"{email}\""),
            ));
        }
        if c.category != ContactCategory::Vendor && !c.systems.is_empty() {
            found.push(Diagnostic::warning(
                format!("contacts[{i}].systems"),
                "systems は事業者（category = \"vendor\"）の連絡先でのみ表に載ります",
            ));
        }
    }
}

/// Keys that belong to some kinds of facility only.
fn check_kind_keys(plan: &Plan, found: &mut Vec<Diagnostic>) {
    if plan.facility.kind == Kind::Pharmacy && plan.facility.beds.is_some() {
        found.push(
            Diagnostic::warning(
                "facility.beds".to_string(),
                "beds（病床数）は病院・有床診療所のキーです。薬局（kind = \"pharmacy\"）では使いません",
            )
            .with_hint("beds の行を消すか、施設の種類 kind を確かめてください"),
        );
    }
}

/// The one rule for every phone in the plan (facility, roles, contacts): a
/// number (digits and the usual separators, 「内線」), optionally followed by
/// notes in brackets, 「090-0000-1111（携帯・夜間可）」, which older plans
/// wrote before `phone_note` existed and still print as written.
fn looks_like_phone(phone: &str) -> bool {
    if has_placeholder(phone) {
        return true; // reported as a placeholder instead
    }
    let number = phone
        .split(['（', '('])
        .next()
        .unwrap_or(phone)
        .trim_end_matches([' ', '　']);
    let bracketed = number.len() < phone.len();
    if bracketed && !phone.trim_end().ends_with(['）', ')']) {
        return false;
    }
    let digits = number
        .chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count();
    let allowed = |c: char| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || "-－‐ー+＋ 　内線#＃".contains(c)
    };
    (3..=15).contains(&digits) && number.chars().all(allowed)
}

fn looks_like_email(email: &str) -> bool {
    let mut parts = email.trim().split('@');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None) if !local.is_empty() && domain.contains('.') && !domain.contains(' '))
}

/// `[distribution] redact` must name keys that exist, or the public copy
/// would silently show what the user meant to hide.
fn check_distribution(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let Some(distribution) = &plan.distribution else {
        return;
    };
    let keys = super::Distribution::KEYS;
    for (i, key) in distribution.redact.iter().enumerate() {
        if keys.contains(&key.trim()) {
            continue;
        }
        let mut d = Diagnostic::error(
            format!("distribution.redact[{i}]"),
            format!("\"{key}\" は非表示にできるキーではありません"),
        );
        if let Some(s) = did_you_mean(key, keys.iter().copied()) {
            d = d.with_hint(format!("\"{s}\" のことですか？"));
        }
        found.push(d.with_hint(
            "表の名前（\"contacts\"）か、表と項目（\"contacts.person\"）を書きます。IP アドレス・コンピュータ名・携帯電話・個人のメール・構成図は書かなくても非表示になります",
        ));
    }
}

/// A revision, drill or diagram date after today is almost always a typo
/// (2052 for 2025) and would date the whole document wrongly.
fn check_future_dates(plan: &Plan, today: Date, found: &mut Vec<Diagnostic>) {
    let mut dates: Vec<(String, Date)> = Vec::new();
    for (i, r) in plan.revisions.iter().enumerate() {
        dates.push((format!("revisions[{i}].date"), r.date));
    }
    if let Some(t) = &plan.training {
        for (i, d) in t.drills.iter().enumerate() {
            dates.push((format!("training.drills[{i}].date"), d.date));
        }
    }
    if let Some(updated) = plan.network.as_ref().and_then(|n| n.updated) {
        dates.push(("network.updated".into(), updated));
    }
    for (i, d) in plan.devices.iter().enumerate() {
        if let Some(r) = d.registered {
            dates.push((format!("devices[{i}].registered"), r));
        }
    }
    for (key, date) in dates.into_iter().filter(|(_, d)| *d > today) {
        found.push(
            Diagnostic::warning(
                key,
                format!(
                    "日付 {} が今日（{}）より後です",
                    date.japanese(),
                    today.japanese()
                ),
            )
            .with_hint(
                "入力の誤りでないか確かめてください（予定日ではなく実施日・改訂日を書きます）",
            ),
        );
    }
}

/// The same for the ledger's 登録日, named by file and 管理番号 (a ledger row
/// has no TOML key to point at).
fn check_future_registrations(
    file: &str,
    rows: &[Device],
    today: Date,
    found: &mut Vec<Diagnostic>,
) {
    for d in rows {
        if let Some(date) = d.registered.filter(|r| *r > today) {
            found.push(
                Diagnostic::warning(
                    "device_ledger.file".to_string(),
                    format!(
                        "機器台帳 {file} の管理番号 {} の登録日 {} が今日（{}）より後です",
                        d.id,
                        date.japanese(),
                        today.japanese()
                    ),
                )
                .with_hint(
                    "入力の誤りでないか確かめてください（機器を台帳に登録した日を書きます）",
                ),
            );
        }
    }
}

fn check_placeholders(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let value = serde_json::to_value(plan).unwrap_or_default();
    for (path, text) in strings(&value) {
        if let Some(p) = PLACEHOLDERS.iter().find(|p| text.contains(*p)) {
            found.push(
                Diagnostic::warning(
                    path,
                    format!(
                        "ひな形の仮の文字「{p}」が残っています: \"{}\"",
                        shorten(text, 40)
                    ),
                )
                .with_hint("施設の実際の内容に書き換えてください（PDF では黄色で示します）"),
            );
        }
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).chain("…".chars()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_email_heuristics() {
        assert!(looks_like_phone("03-6812-7837"));
        assert!(looks_like_phone("０３－１２３４－５６７８（内線123）"));
        // One rule for facility, roles and contacts: a number, then notes in brackets.
        assert!(looks_like_phone("045-000-1234（店舗代表）"));
        assert!(looks_like_phone("090-0000-1111（携帯・夜間可）"));
        assert!(looks_like_phone("内線 2100（夜間 090-0000-2100）"));
        assert!(!looks_like_phone("045-000-1234 店舗代表"));
        assert!(!looks_like_phone("（店舗代表）"));
        assert!(!looks_like_phone("山田"));
        assert!(!looks_like_phone("1"));
        assert!(looks_like_email("igishitsu@mhlw.go.jp"));
        assert!(!looks_like_email("igishitsu.mhlw.go.jp"));
    }
}
