//! The validation pass after deserialising: references, duplicates, referenced
//! files, and doubtful-but-legal content. Every finding names its key path.

use std::collections::HashMap;
use std::path::{Component, Path};

use super::devices::{self, Asset};
use super::load::{Loaded, SpanIndex};
use super::{ContactCategory, Date, Designation, Device, Kind, Level, Plan};
use crate::diag::{Diagnostic, InputErrors, Severity};

/// What a valid plan brings besides its TOML: the merged device ledger, the
/// diagram's bytes, and warnings to show the user.
#[derive(Debug)]
pub struct Checked {
    pub devices: Vec<Device>,
    pub diagram: Option<Asset>,
    pub warnings: Vec<Diagnostic>,
}

/// Template placeholders left in from a Word copy of the ひな形.
pub const PLACEHOLDERS: [&str; 5] = ["○○", "〇〇", "××", "△△", "◯◯"];

pub fn validate(loaded: &Loaded) -> Result<Checked, InputErrors> {
    let plan = &loaded.plan;
    let mut found = Vec::new();
    check_unique_names(plan, &mut found);
    check_references(plan, &mut found);
    check_designations(plan, &mut found);
    check_contacts(plan, &mut found);
    check_placeholders(plan, &mut found);
    check_checklist(plan, &mut found);
    check_distribution(plan, &mut found);
    check_future_dates(plan, Date::now(), &mut found);

    let mut devices = plan.devices.clone();
    if let Some(ledger) = &plan.device_ledger {
        let key = "device_ledger.file";
        match devices::resolve_file(&loaded.base_dir, &ledger.file, key)
            .and_then(|path| devices::read_csv(&path, key))
        {
            Ok(rows) => devices.extend(rows),
            Err(d) => found.push(d),
        }
    }
    let diagram = plan
        .network
        .as_ref()
        .and_then(|n| n.diagram.as_ref())
        .and_then(|file| {
            let key = "network.diagram";
            devices::resolve_file(&loaded.base_dir, file, key)
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
        let holders: Vec<usize> = plan
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| r.designation == Some(designation))
            .map(|(i, _)| i)
            .collect();
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
    for (i, c) in plan.contacts.iter().enumerate() {
        if let Some(phone) = &c.phone
            && !looks_like_phone(phone)
        {
            found.push(Diagnostic::warning(
                format!("contacts[{i}].phone"),
                format!("電話番号に見えません: \"{phone}\""),
            ));
        }
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

fn looks_like_phone(phone: &str) -> bool {
    if PLACEHOLDERS.iter().any(|p| phone.contains(p)) {
        return true; // reported as a placeholder instead
    }
    let digits = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count();
    let allowed = |c: char| {
        c.is_ascii_digit() || ('０'..='９').contains(&c) || "-－‐ー()（）+＋ 　内線#".contains(c)
    };
    (3..=15).contains(&digits) && phone.chars().all(allowed)
}

fn looks_like_email(email: &str) -> bool {
    let mut parts = email.trim().split('@');
    matches!((parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None) if !local.is_empty() && domain.contains('.') && !domain.contains(' '))
}

/// `[[checklist.answers]] item` must name a published item, once.
fn check_checklist(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let Some(checklist) = &plan.checklist else {
        return;
    };
    let ids: Vec<&str> = crate::checklist::ids().collect();
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

/// Every string in a JSON tree with its key path, in the same notation as the TOML paths.
pub fn strings(value: &serde_json::Value) -> Vec<(String, &str)> {
    fn walk<'a>(v: &'a serde_json::Value, path: String, out: &mut Vec<(String, &'a str)>) {
        match v {
            serde_json::Value::String(s) => out.push((path, s)),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(item, p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, String::new(), &mut out);
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        text.chars().take(max).chain("…".chars()).collect()
    }
}

pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(input, c), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Turn serde's English error into a Japanese one that names the key.
pub fn serde_error(e: &toml::de::Error, spans: &SpanIndex) -> Diagnostic {
    let span = e.span();
    let at = span
        .as_ref()
        .and_then(|s| spans.path_at(s))
        .map(str::to_string);
    let msg = e.message();
    let backticked: Vec<&str> = msg.split('`').skip(1).step_by(2).collect();

    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let expected = &backticked[1.min(backticked.len())..];
        let key = at.clone().unwrap_or_else(|| field.to_string());
        let mut d = Diagnostic::error(key, format!("不明なキー `{field}` です"));
        if let Some(s) = did_you_mean(field, expected.iter().copied()) {
            d = d.with_hint(format!("`{s}` のことですか？"));
        }
        return d
            .with_span(span)
            .with_hint(format!("ここで使えるキー: {}", expected.join(", ")));
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        let key = match &at {
            Some(table) => format!("{table}.{field}"),
            None => field.to_string(),
        };
        return Diagnostic::error(key, format!("必須のキー `{field}` がありません"))
            .with_span(span)
            .with_hint(format!(
                "{field} = … を追加してください（facility.example.toml に例があります）"
            ));
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        let expected = &backticked[1.min(backticked.len())..];
        let choices: Vec<String> = expected.iter().map(|c| format!("\"{c}\"")).collect();
        let mut d = Diagnostic::error(
            at,
            format!(
                "{} のいずれかが必要ですが、\"{value}\" が書かれています",
                choices.join(" / ")
            ),
        )
        .with_span(span);
        if let Some(s) = did_you_mean(value, expected.iter().copied()) {
            d = d.with_hint(format!("\"{s}\" のことですか？"));
        }
        return d;
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return Diagnostic::error(
            at,
            format!(
                "{}が必要ですが、{}が書かれています",
                expected_ja(expected),
                found_ja(found)
            ),
        )
        .with_span(span);
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return Diagnostic::error(
            at,
            format!(
                "{}が必要ですが、{}が書かれています",
                expected_ja(expected),
                found_ja(found)
            ),
        )
        .with_span(span);
    }
    // Our own messages (dates) are already Japanese.
    Diagnostic::error(at, msg.trim().to_string()).with_span(span)
}

fn expected_ja(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "a string" => "文字列（\"…\"）".into(),
        "u32" | "u16" | "u64" | "usize" | "i64" => "0 以上の整数".into(),
        "a boolean" => "true か false".into(),
        "a sequence" => "配列（[\"…\", \"…\"]）".into(),
        _ if e.starts_with("struct ") || e == "a map" => "テーブル（[…] または { … }）".into(),
        _ if e.starts_with("enum ") => {
            let choices: &[&str] = match e {
                "enum Kind" => &Kind::ALL,
                "enum Designation" => &Designation::ALL,
                "enum Level" => &Level::ALL,
                "enum ContactCategory" => &ContactCategory::ALL,
                _ => &[],
            };
            let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            format!("{} のいずれか", quoted.join(" / "))
        }
        _ => e.to_string(),
    }
}

fn found_ja(found: &str) -> String {
    let f = found.trim();
    if let Some(s) = f.strip_prefix("string ") {
        format!("文字列 {s} ")
    } else if let Some(n) = f.strip_prefix("integer ") {
        format!("整数 {} ", n.trim_matches('`'))
    } else if let Some(n) = f.strip_prefix("floating point ") {
        format!("小数 {} ", n.trim_matches('`'))
    } else if let Some(b) = f.strip_prefix("boolean ") {
        format!("真偽値 {} ", b.trim_matches('`'))
    } else if f == "sequence" {
        "配列".into()
    } else if f == "map" {
        "テーブル".into()
    } else {
        f.to_string()
    }
}

/// A referenced file must be a plain relative path inside the TOML's directory.
pub fn is_plain_relative(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && !path.contains('\\')
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_email_heuristics() {
        assert!(looks_like_phone("03-6812-7837"));
        assert!(looks_like_phone("０３－１２３４－５６７８（内線123）"));
        assert!(!looks_like_phone("山田"));
        assert!(!looks_like_phone("1"));
        assert!(looks_like_email("igishitsu@mhlw.go.jp"));
        assert!(!looks_like_email("igishitsu.mhlw.go.jp"));
    }

    #[test]
    fn relative_paths_only() {
        assert!(is_plain_relative("devices.csv"));
        assert!(is_plain_relative("assets/net.png"));
        assert!(!is_plain_relative("../../etc/passwd"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative("..\\x.png"));
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("hosptial", Kind::ALL), Some("hospital"));
        assert_eq!(
            did_you_mean("backup", ["backups", "roles"]),
            Some("backups")
        );
        assert_eq!(did_you_mean("zzz", ["backups"]), None);
    }
}
