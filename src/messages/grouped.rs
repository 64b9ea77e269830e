//! Many warnings of one kind, one line: a big hospital's ledger can put a
//! thousand devices on one OS out of support, and a thousand identical lines
//! hide the other warnings. Warnings about single devices (the key names a
//! 管理番号) whose code, key and wording are the same apart from the device
//! are printed once, with how many devices, the first few ids and where the
//! full list is. Only the display is grouped: `--format json` keeps every
//! device, and a plan with a few such warnings reads as before.

use crate::coverage::Warning;

/// From this many devices on, the warnings are one group.
pub const GROUP_FROM: usize = 4;
/// Ids named in a group's line.
const FIRST_IDS: usize = 5;

/// A line to print: one warning as it is, or a group of them.
#[derive(Debug, PartialEq, Eq)]
pub struct Line {
    pub code: &'static str,
    pub key: String,
    pub message: String,
}

/// `devices（管理番号 PC-01）.os` → ("devices", "PC-01", ".os").
fn device_of(key: &str) -> Option<(&str, &str, &str)> {
    const OPEN: &str = "（管理番号 ";
    let start = key.find(OPEN)?;
    let rest = &key[start + OPEN.len()..];
    let end = rest.find('）')?;
    let id = &rest[..end];
    (!id.is_empty()).then(|| (&key[..start], id, &rest[end + '）'.len_utf8()..]))
}

/// The warnings in their order, those of one kind about ≥ GROUP_FROM devices
/// folded into one line where the first of them stood.
pub fn lines(warnings: &[Warning]) -> Vec<Line> {
    // (code, key without the id, message with the id marked) → members' indices
    type Shape = (&'static str, String, String);
    let shape = |w: &Warning| -> Option<(Shape, String)> {
        let (before, id, after) = device_of(&w.key)?;
        let template = replace_whole(&w.message, id);
        Some(((w.code, format!("{before}{after}"), template), id.to_string()))
    };
    let mut groups: Vec<(Shape, Vec<String>)> = Vec::new();
    let mut at: Vec<Option<usize>> = Vec::with_capacity(warnings.len());
    let mut index = std::collections::HashMap::new();
    for w in warnings {
        match shape(w) {
            Some((s, id)) => {
                let g = *index.entry(s.clone()).or_insert_with(|| {
                    groups.push((s, Vec::new()));
                    groups.len() - 1
                });
                groups[g].1.push(id);
                at.push(Some(g));
            }
            None => at.push(None),
        }
    }
    let mut printed = vec![false; groups.len()];
    let mut out = Vec::new();
    for (w, g) in warnings.iter().zip(at) {
        match g {
            Some(g) if groups[g].1.len() >= GROUP_FROM => {
                if !printed[g] {
                    printed[g] = true;
                    out.push(group_line(&groups[g].0, &groups[g].1));
                }
            }
            _ => out.push(Line {
                code: w.code,
                key: w.key.clone(),
                message: w.message.clone(),
            }),
        }
    }
    out
}

/// The message with each whole mention of `id` (not "PC-1" inside "PC-12",
/// not "1" inside a date) marked by U+0000.
fn replace_whole(message: &str, id: &str) -> String {
    let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let mut out = String::with_capacity(message.len());
    let mut last = 0;
    for (i, m) in message.match_indices(id) {
        if i < last || part(message[..i].chars().next_back()) || part(message[i + m.len()..].chars().next()) {
            continue;
        }
        out.push_str(&message[last..i]);
        out.push('\u{0}');
        last = i + m.len();
    }
    out.push_str(&message[last..]);
    out
}

fn group_line((code, key, template): &(&'static str, String, String), ids: &[String]) -> Line {
    let shown = ids[..ids.len().min(FIRST_IDS)].join("、");
    let rest = ids.len().saturating_sub(FIRST_IDS);
    let list = if rest > 0 {
        format!("{shown} ほか {rest} 台")
    } else {
        shown
    };
    // The first mention of the device names the list; a later "管理番号 X"
    // becomes each device's own.
    let mut message = template
        .replace("管理番号 \u{0} ", "各機器の管理番号")
        .replace("管理番号 \u{0}", "各機器の管理番号");
    if let Some(i) = message.find('\u{0}') {
        // The space that stood after the id is not needed after "）".
        let end = if message[i + 1..].starts_with(' ') { i + 2 } else { i + 1 };
        message.replace_range(i..end, &format!("{list}（計 {} 台）", ids.len()));
    }
    message = message.replace('\u{0}', "各機器");
    Line {
        code,
        key: format!("{key}（{} 台）", ids.len()),
        message: format!(
            "{message}。全 {} 台の管理番号は check --format json の warnings に、機器の一覧は PDF の「情報機器台帳」にあります",
            ids.len()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eol(id: &str, os: &str) -> Warning {
        Warning {
            code: "eol-os",
            key: format!("devices（管理番号 {id}）.os"),
            message: format!(
                "機器 {id} の OS「{os}」はサポートが終了しています（2025年10月14日）。更新するか、代替措置を書いてください（vulnerability.fallback に管理番号 {id} を挙げて書くこともできます）"
            ),
            items: vec!["1-1.4"],
        }
    }

    fn other() -> Warning {
        Warning {
            code: "no-drill",
            key: "training.last_drill".into(),
            message: "訓練の記録がありません".into(),
            items: vec!["1-2.3"],
        }
    }

    #[test]
    fn a_few_devices_are_listed_one_by_one() {
        let ws: Vec<Warning> = (0..GROUP_FROM - 1)
            .map(|i| eol(&format!("PC-{i}"), "Windows 10"))
            .chain([other()])
            .collect();
        let lines = lines(&ws);
        assert_eq!(lines.len(), ws.len());
        for (l, w) in lines.iter().zip(&ws) {
            assert_eq!((l.code, &l.key, &l.message), (w.code, &w.key, &w.message));
        }
    }

    #[test]
    fn many_devices_of_one_os_are_one_line_per_os() {
        let mut ws = vec![other()];
        for i in 0..1000 {
            ws.push(eol(&format!("PC-{i:04}"), "Windows 10"));
            if i < 2 {
                ws.push(eol(&format!("SV-{i}"), "Windows Server 2012"));
            }
        }
        let lines = lines(&ws);
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert_eq!(lines[0].code, "no-drill");
        let group = &lines[1];
        assert_eq!(group.key, "devices.os（1000 台）");
        assert!(
            group.message.starts_with(
                "機器 PC-0000、PC-0001、PC-0002、PC-0003、PC-0004 ほか 995 台（計 1000 台）の OS「Windows 10」"
            ),
            "{}",
            group.message
        );
        assert!(group.message.contains("各機器の管理番号を挙げて"), "{}", group.message);
        assert!(group.message.contains("check --format json"), "{}", group.message);
        assert!(!group.message.contains("PC-0005"), "{}", group.message);
        // Two Windows Server devices: below the threshold, as they were.
        assert_eq!(lines[2].key, "devices（管理番号 SV-0）.os");
        assert_eq!(lines[3].key, "devices（管理番号 SV-1）.os");
    }

    #[test]
    fn an_id_inside_a_date_or_a_longer_id_is_not_the_device() {
        let ws: Vec<Warning> = (1..=4).map(|i| eol(&i.to_string(), "Windows 10")).collect();
        let lines = lines(&ws);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(lines[0].message.contains("2025年10月14日"), "{}", lines[0].message);
        assert_eq!(replace_whole("PC-12 と PC-1", "PC-1"), "PC-12 と \u{0}");
    }

    #[test]
    fn different_end_dates_are_different_groups() {
        let mut ws: Vec<Warning> = (0..4).map(|i| eol(&format!("A{i}"), "X")).collect();
        ws.extend((0..4).map(|i| {
            let mut w = eol(&format!("B{i}"), "X");
            w.message = w.message.replace("2025年10月14日", "2024年1月9日");
            w
        }));
        let lines = lines(&ws);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].message.contains("2024年1月9日"));
        assert!(lines[1].message.starts_with("機器 B0、B1、B2、B3（計 4 台）"));
    }
}
