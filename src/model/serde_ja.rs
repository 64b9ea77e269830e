//! serde's (English) deserialisation errors in Japanese, naming the key.

use super::load::SpanIndex;
use super::{ContactCategory, Designation, Kind, Level};
use crate::diag::{Diagnostic, did_you_mean};

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
        let nested = key.contains(['.', '[']);
        let mut d = Diagnostic::error(key, format!("不明なキー `{field}` です"));
        if let Some(s) = did_you_mean(field, expected.iter().copied()) {
            d = d.with_hint(format!("`{s}` のことですか？"));
        }
        // A chain's keys (`extends`, `[drop]`) are for a store's file only:
        // suggested for a typo, not listed for every plan.
        let listed: Vec<&str> = expected
            .iter()
            .copied()
            .filter(|k| nested || !["extends", "drop"].contains(k))
            .collect();
        return d
            .with_span(span)
            .with_hint(format!("ここで使えるキー: {}", listed.join(", ")));
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
                "{field} = … を追加してください（cyberbcp init で作るひな形の TOML に、すべてのキーの説明と例があります）"
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
    let mismatch = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "));
    if let Some(rest) = mismatch {
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
        // The real limits, never the Rust type.
        "u8" => "0 以上 255 以下の整数".into(),
        "u16" => "0 以上 65535 以下の整数".into(),
        "u32" => "0 以上 4294967295 以下の整数".into(),
        "u64" | "usize" | "i64" => "0 以上の整数".into(),
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
        // serde names huge numbers by its internal type: `1e30` as i128.
        let n = n
            .trim_end_matches(" as i128")
            .trim_end_matches(" as u128")
            .trim_matches('`');
        format!("整数 {n} ")
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
