//! TOML syntax errors at a value written the way people write it on paper:
//! `date = 2025/4/1`, `hours = 9:00-17:00`, `phone = 03-1234-5678`. The toml
//! crate says "string values must be quoted" (in English); this says in
//! Japanese what to write instead, naming the key.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::diag::Diagnostic;

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$").unwrap()
});
static ERA_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(令和|平成|昭和|R|H)\s*(\d{1,2}|元)\s*[年./-]").unwrap());
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:\s*[-~〜～―ー]\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?$",
    )
    .unwrap()
});
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\+\d{1,3}[-\s]?)?\(?0?\d{1,5}\)?(?:[-‐－\s]?\d{1,5}){1,3}$").unwrap()
});
static BARE_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*$").unwrap());

/// A Japanese diagnostic for a syntax error at `span` when the line there is
/// `key = value` with an unquoted date, time or phone number; else `None`.
pub fn explain(text: &str, span: &Range<usize>) -> Option<Diagnostic> {
    let at = span.start.min(text.len());
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let end = text.get(at..)?.find('\n').map_or(text.len(), |i| at + i);
    let line = text.get(start..end)?;
    let (key, rest) = line.split_once('=')?;
    let key = key.trim();
    if !BARE_KEY.is_match(key) {
        return None;
    }
    let value_start = start + key_len(line) + 1;
    let raw = rest.split(" #").next().unwrap_or(rest);
    let value = raw.trim();
    if value.is_empty() || value.starts_with(['"', '\'', '[', '{']) {
        return None;
    }
    let offset = value_start + (rest.len() - rest.trim_start().len());
    let value_span = offset..offset + value.len();
    let path = key_path(text, start, key);
    let diagnostic = if let Some(c) = DATE.captures(value) {
        let (y, m, d) = (&c[1], c[2].parse::<u32>().ok()?, c[3].parse::<u32>().ok()?);
        let iso = format!("{y}-{m:02}-{d:02}");
        Diagnostic::error(
            path,
            format!(
                "日付 {value} は TOML ではこのままでは読めません。{iso} の形（年 4 桁・月と日は 2 桁、ハイフンでつなぐ、引用符なし）で書きます"
            ),
        )
        .with_hint(format!("{key} = {iso} と書くか、{key} = \"{value}\" のように引用符で囲んでください"))
    } else if ERA_DATE.is_match(value) {
        Diagnostic::error(
            path,
            format!(
                "日付 {value} は TOML ではこのままでは読めません。西暦で 2025-04-01 の形（引用符なし）で書きます"
            ),
        )
        .with_hint(format!("例: {key} = 2025-04-01"))
    } else if TIME.is_match(value) {
        Diagnostic::error(
            path,
            format!(
                "時刻・時間帯 {value} は TOML ではこのままでは読めません。\"…\" で囲んで文字列として書きます"
            ),
        )
        .with_hint(format!("{key} = \"{value}\""))
    } else if PHONE.is_match(value) && value.chars().filter(char::is_ascii_digit).count() >= 3 {
        Diagnostic::error(
            path,
            format!(
                "電話番号 {value} は TOML ではこのままでは読めません。\"…\" で囲んで文字列として書きます（先頭の 0 やハイフンもそのまま残ります）"
            ),
        )
        .with_hint(format!("{key} = \"{value}\""))
    } else {
        return None;
    };
    Some(diagnostic.with_span(Some(value_span)))
}

/// Bytes up to (not including) the `=` of a `key = value` line.
fn key_len(line: &str) -> usize {
    line.find('=').unwrap_or(0)
}

/// The key's path as other messages name it: `revisions[0].date` for the
/// first `[[revisions]]` table, `facility.name` under `[facility]`.
fn key_path(text: &str, line_start: usize, key: &str) -> String {
    let key: String = key.split('.').map(str::trim).collect::<Vec<_>>().join(".");
    let before = &text[..line_start];
    let mut table: Option<(String, bool)> = None;
    for line in before.lines().rev() {
        let t = line.trim();
        if let Some(inner) = t.strip_prefix("[[").and_then(|t| t.split("]]").next()) {
            table = Some((inner.trim().to_string(), true));
            break;
        }
        if let Some(inner) = t.strip_prefix('[').and_then(|t| t.split(']').next()) {
            table = Some((inner.trim().to_string(), false));
            break;
        }
    }
    match table {
        None => key,
        Some((name, false)) => format!("{name}.{key}"),
        Some((name, true)) => {
            let header = format!("[[{name}]]");
            let n = before
                .lines()
                .filter(|l| l.trim().replace(' ', "") == header.replace(' ', ""))
                .count();
            format!("{name}[{}].{key}", n.saturating_sub(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> Option<Diagnostic> {
        let i = text.find(needle).unwrap();
        explain(text, &(i..i + 1))
    }

    #[test]
    fn dates_times_and_phones_get_what_to_write() {
        let text = "[facility]\nname = \"x\"\n[[revisions]]\ndate = 1\n[[revisions]]\ndate = 2025/4/1 # 初版\n";
        let d = at(text, "2025/4/1").unwrap();
        assert_eq!(d.key.as_deref(), Some("revisions[1].date"));
        assert!(d.message.contains("2025-04-01"), "{}", d.message);
        assert!(d.hints[0].contains("date = 2025-04-01"), "{:?}", d.hints);
        assert_eq!(&text[d.span.clone().unwrap()], "2025/4/1");

        let d = at("[facility]\nphone = 03-1234-5678\n", "03").unwrap();
        assert_eq!(d.key.as_deref(), Some("facility.phone"));
        assert!(d.hints[0].contains("phone = \"03-1234-5678\""));

        let d = at("[[contacts]]\nhours = 9:00-17:00\n", "9:").unwrap();
        assert!(d.message.contains("時刻"), "{}", d.message);
        assert_eq!(d.key.as_deref(), Some("contacts[0].hours"));

        assert!(
            at("date = 令和7年4月1日\n", "令")
                .unwrap()
                .message
                .contains("西暦")
        );
        assert!(at("name = テスト病院\n", "テ").is_none());
        assert!(at("name = \"x\n", "\"").is_none());
    }
}
