//! The distribution copy (`build --public`): the same plan with what an
//! attacker wants hidden. Two passes:
//!
//! 1. On the plan itself, by field: device IPs and computer names, personal
//!    phone numbers and e-mail addresses (the people in `[[roles]]` and the
//!    internal contacts), MDS/SDS records, rows marked `private = true`, and
//!    the keys listed in `[distribution] redact`. Every value hidden so is
//!    remembered, so it is hidden wherever else it appears.
//! 2. On every string that reaches the document (free text, the appendix's
//!    hints, the change list), by pattern and by the remembered values: IP and
//!    MAC addresses, internal host names, mobile numbers, e-mail addresses
//!    other than the public ones (the ministry's, the police's, the vendors'
//!    support desks), and passwords, PINs and tokens (src/model/secrets.toml).
//!
//! Hidden text prints as ■■■; the network diagram is not embedded at all.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::model::{ContactCategory, Date, Device, Plan};

/// What hidden text prints as.
pub const MASK: &str = "■■■";

/// The label on every page of the copy.
pub const LABEL: &str = "配布用（一部非表示）";

/// The plan as the public copy shows it, and the rule for everything else.
#[derive(Debug, Clone)]
pub struct Redaction {
    pub plan: Plan,
    pub devices: Vec<Device>,
    pub scrubber: Scrubber,
}

/// Pass 2: hides remembered values and patterns in any text.
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    /// Longest first, so a value hides whole before a part of it could.
    secrets: Vec<String>,
    /// Addresses printed on purpose (agencies, vendor desks), lower case.
    public_emails: Vec<String>,
}

static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?").unwrap());
static IPV6: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?").unwrap());
static MAC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}").unwrap());
/// 070/080/090 (mobile) and 050 (IP phone) numbers, half- or full-width.
static MOBILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0０][5789５７８９][0０][-‐－ー−―\s]?[0-9０-９]{4}[-‐－ー−―\s]?[0-9０-９]{4}")
        .unwrap()
});
/// Any phone number with at least 10 digits (a 内線 number has fewer).
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\+?[0-9０-９][0-9０-９\-‐－ー−―()（）\s]{8,}[0-9０-９]").unwrap()
});
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+").unwrap()
});
/// Host names on internal domains, and UNC paths (\\server\share).
static INTERNAL_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.(?:local|lan|internal|intra|intranet|corp|localdomain|home\.arpa)\b|\\\\[A-Za-z0-9._\-]+",
    )
    .unwrap()
});

/// Rows that can be marked `private = true`, and the field naming the row.
const PRIVATE_ROWS: &[(&str, &str)] = &[
    ("roles", "role"),
    ("systems", "name"),
    ("alternatives", "business"),
    ("contacts", "name"),
    ("backups", "system"),
    ("training.drills", "title"),
];

/// Pass 1 on a plan and its merged device ledger.
pub fn redact(plan: &Plan, devices: &[Device]) -> anyhow::Result<Redaction> {
    let mut value = serde_json::to_value(plan)?;
    let mut ledger = serde_json::to_value(devices)?;
    let mut secrets = Vec::new();

    // Personal numbers and addresses, by field.
    let personal = plan.roles.iter().map(|r| (&r.phone, &r.email)).chain(
        plan.contacts_of(ContactCategory::Internal)
            .map(|c| (&c.phone, &c.email)),
    );
    for (phone, email) in personal {
        if let Some(phone) = phone {
            secrets.extend(
                PHONE
                    .find_iter(phone)
                    .map(|m| m.as_str().trim().to_string()),
            );
        }
        secrets.extend(email.iter().map(|e| e.trim().to_string()));
    }
    // The ledger's addresses and names.
    for d in devices {
        secrets.extend(d.ip.iter().chain(&d.hostname).map(|s| s.trim().to_string()));
    }
    if let Some(rows) = ledger.as_array_mut() {
        for row in rows {
            for field in ["ip", "hostname"] {
                mask_field(row, field);
            }
            if row.get("private") == Some(&Value::Bool(true)) {
                remember(row.get("id"), 1, &mut secrets);
                mask_all(row);
            }
        }
    }
    // Remote-maintenance records.
    for_each_row(&mut value, "systems", |row| mask_field(row, "mds_sds"));
    // Rows the user marked.
    for (table, key) in PRIVATE_ROWS {
        for_each_row(&mut value, table, |row| {
            if row.get("private") == Some(&Value::Bool(true)) {
                remember(row.get(*key), 1, &mut secrets);
                mask_all(row);
            }
        });
    }
    // Keys the user listed.
    for key in plan.distribution.iter().flat_map(|d| &d.redact) {
        let key = key.trim();
        if let Some(field) = key.strip_prefix("devices.") {
            for row in ledger.as_array_mut().into_iter().flatten() {
                remember(row.get(field), 4, &mut secrets);
                mask_field(row, field);
            }
        } else if key == "devices" {
            for row in ledger.as_array_mut().into_iter().flatten() {
                remember(row.get("id"), 1, &mut secrets);
                mask_all(row);
            }
        } else {
            at_key(&mut value, key, &mut |v| {
                remember(Some(v), 4, &mut secrets);
                mask_all(v);
            });
        }
    }

    let public_emails = plan
        .contacts
        .iter()
        .filter(|c| c.category != ContactCategory::Internal && !c.private)
        .filter_map(|c| c.email.as_ref())
        .map(|e| e.trim().to_lowercase())
        .collect();
    let scrubber = Scrubber::new(secrets, public_emails);
    scrubber.apply(&mut value);
    scrubber.apply(&mut ledger);
    Ok(Redaction {
        plan: serde_json::from_value(value)?,
        devices: serde_json::from_value(ledger)?,
        scrubber,
    })
}

impl Scrubber {
    fn new(mut secrets: Vec<String>, public_emails: Vec<String>) -> Self {
        secrets
            .retain(|s| !s.is_empty() && s != MASK && !public_emails.contains(&s.to_lowercase()));
        secrets.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        secrets.dedup();
        Self {
            secrets,
            public_emails,
        }
    }

    /// Hide in every string of a JSON value, except our own wording (`terms`).
    pub fn apply(&self, value: &mut Value) {
        match value {
            Value::String(s) => {
                let hidden = self.text(s);
                if hidden != *s {
                    *s = hidden;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.apply(v)),
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k != "terms" {
                        self.apply(v);
                    }
                }
            }
            _ => {}
        }
    }

    /// One text with every secret and pattern replaced by ■■■.
    pub fn text(&self, s: &str) -> String {
        // Passwords, PINs and tokens (src/model/secrets.toml), before the
        // patterns below could cut one in two.
        let mut out = crate::model::secrets::withhold(s, MASK);
        for secret in &self.secrets {
            out = replace_secret(&out, secret);
        }
        out = replace_bounded(&out, &IPV4, joins_word, |_| true);
        out = replace_bounded(&out, &IPV6, joins_word, |m| {
            m.chars().any(|c| c.is_ascii_hexdigit())
                && (m.contains("::") || m.matches(':').count() >= 5)
        });
        out = replace_bounded(&out, &MAC, joins_word, |_| true);
        out = replace_bounded(&out, &MOBILE, joins_number, |_| true);
        out = replace_bounded(&out, &INTERNAL_HOST, joins_word, |_| true);
        let emails = &self.public_emails;
        out = replace_bounded(&out, &EMAIL, joins_word, |m| {
            !emails.contains(&m.to_lowercase())
        });
        out
    }
}

/// Characters that continue an address or a host name: a match next to one
/// is part of something longer (a version, a serial) and is left alone.
fn joins_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_numeric() || matches!(c, '_' | '-' | '@')
}

/// A phone number only continues with more digits.
fn joins_number(c: char) -> bool {
    c.is_numeric()
}

fn replace_bounded(
    s: &str,
    re: &Regex,
    joins: fn(char) -> bool,
    hide: impl Fn(&str) -> bool,
) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in re.find_iter(s) {
        let before = s[..m.start()].chars().next_back();
        let after = s[m.end()..].chars().next();
        // A dot before belongs to a longer dotted run (1.2.3.4.5); one after
        // may end the sentence.
        let joined = before.is_some_and(|c| joins(c) || c == '.') || after.is_some_and(joins);
        let text = m.as_str().trim();
        if joined || text.is_empty() || !hide(text) {
            continue;
        }
        out.push_str(&s[last..m.start()]);
        out.push_str(MASK);
        last = m.end();
    }
    out.push_str(&s[last..]);
    out
}

/// Host names and the like match whole words, ignoring ASCII case.
fn replace_secret(s: &str, secret: &str) -> String {
    let ascii = secret.is_ascii();
    let (hay, needle) = if ascii {
        (s.to_ascii_lowercase(), secret.to_ascii_lowercase())
    } else {
        (s.to_string(), secret.to_string())
    };
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle).map(|i| i + from) {
        let end = i + needle.len();
        let before = s[..i].chars().next_back();
        let after = s[end..].chars().next();
        let bounded = !ascii
            || !(before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        if bounded {
            out.push_str(&s[last..i]);
            out.push_str(MASK);
            last = end;
        }
        from = end;
    }
    out.push_str(&s[last..]);
    out
}

fn remember(value: Option<&Value>, min_chars: usize, secrets: &mut Vec<String>) {
    match value {
        Some(Value::String(s))
            if s.trim().chars().count() >= min_chars && Date::parse(s).is_none() =>
        {
            secrets.push(s.trim().to_string())
        }
        Some(Value::Array(items)) => items
            .iter()
            .for_each(|v| remember(Some(v), min_chars, secrets)),
        Some(Value::Object(map)) => map
            .values()
            .for_each(|v| remember(Some(v), min_chars, secrets)),
        _ => {}
    }
}

/// Every text in a value becomes ■■■; dates, numbers and yes/no stay (they
/// must still be read back as the plan's types).
fn mask_all(value: &mut Value) {
    match value {
        Value::String(s) if !s.trim().is_empty() && Date::parse(s).is_none() => *s = MASK.into(),
        Value::Array(items) => items.iter_mut().for_each(mask_all),
        Value::Object(map) => map
            .iter_mut()
            .filter(|(k, _)| !CHOICES.contains(&k.as_str()))
            .for_each(|(_, v)| mask_all(v)),
        _ => {}
    }
}

/// Fields holding one of the TOML's fixed choices: not the facility's text.
const CHOICES: &[&str] = &["kind", "category", "designation", "importance"];

fn mask_field(row: &mut Value, field: &str) {
    if let Some(v) = row.get_mut(field) {
        mask_all(v);
    }
}

fn for_each_row(value: &mut Value, table: &str, mut f: impl FnMut(&mut Value)) {
    let mut at = Some(value);
    for part in table.split('.') {
        at = at.and_then(|v| v.get_mut(part));
    }
    for row in at.and_then(Value::as_array_mut).into_iter().flatten() {
        f(row);
    }
}

/// Every value at a dotted key, arrays fanned out (`contacts.person` is each
/// contact's person).
fn at_key(value: &mut Value, key: &str, f: &mut impl FnMut(&mut Value)) {
    match key.split_once('.') {
        _ if value.is_array() => {
            for item in value.as_array_mut().into_iter().flatten() {
                at_key(item, key, f);
            }
        }
        None => {
            if let Some(v) = value.get_mut(key) {
                f(v);
            }
        }
        Some((head, rest)) => {
            if let Some(v) = value.get_mut(head) {
                at_key(v, rest, f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrub(s: &str) -> String {
        Scrubber::new(vec!["fw-main".into()], vec!["igishitsu@mhlw.go.jp".into()]).text(s)
    }

    #[test]
    fn hides_addresses_numbers_and_names() {
        assert_eq!(scrub("UTM 192.168.0.1 経由"), "UTM ■■■ 経由");
        assert_eq!(scrub("10.0.0.0/8 の範囲"), "■■■ の範囲");
        assert_eq!(scrub("夜間 090-1234-5678 まで"), "夜間 ■■■ まで");
        assert_eq!(scrub("携帯０８０－１２３４－５６７８"), "携帯■■■");
        assert_eq!(scrub("FW-MAIN を再起動"), "■■■ を再起動");
        assert_eq!(scrub("fw-main2 は別"), "fw-main2 は別");
        assert_eq!(scrub("taro@example.jp へ"), "■■■ へ");
        assert_eq!(scrub("igishitsu@mhlw.go.jp へ"), "igishitsu@mhlw.go.jp へ");
        assert_eq!(scrub("emr01.sakura.local に"), "■■■ に");
        assert_eq!(scrub(r"\\filesrv\share"), r"■■■\share");
        assert_eq!(scrub("fe80::1 と 00:1A:2B:3C:4D:5E"), "■■■ と ■■■");
    }

    #[test]
    fn leaves_public_numbers_versions_and_times() {
        for s in [
            "03-6812-7837",
            "0120-000-456",
            "FortiOS 7.4.4",
            "平日 9:00〜17:00",
            "内線 2100",
            "2025-04-01",
        ] {
            assert_eq!(scrub(s), s);
        }
    }
}
