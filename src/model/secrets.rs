//! Passwords, PINs and secrets in a plan's text. A BCP is printed, posted and
//! handed to outsiders: validation warns (naming the key and where such things
//! belong) and the distribution copy withholds the value. The rule and its
//! examples are data: `secrets.toml`.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use super::Plan;
use super::placeholder::strings;
use crate::diag::Diagnostic;

#[derive(Debug, Deserialize)]
struct Rules {
    advice: String,
    labelled: Labelled,
    pair: Pair,
    token: Token,
}

#[derive(Debug, Deserialize)]
struct Labelled {
    labels: Vec<String>,
    min_value: usize,
}

#[derive(Debug, Deserialize)]
struct Pair {
    accounts: Vec<String>,
    min_secret: usize,
}

#[derive(Debug, Deserialize)]
struct Token {
    min_length: usize,
    min_class_changes: f64,
}

const DATA: &str = include_str!("secrets.toml");

/// The rules: the file up to its table of examples, which only the tests read
/// (`check` parses this on every run).
static RULES: LazyLock<Rules> = LazyLock::new(|| {
    let rules = DATA.split("\n[[cases]]").next().unwrap_or_default();
    toml::from_str(rules).expect("src/model/secrets.toml is valid")
});

/// The labels in lower case, for the quick test before the pattern.
static LOWER_LABELS: LazyLock<Vec<String>> = LazyLock::new(|| {
    RULES
        .labelled
        .labels
        .iter()
        .map(|l| l.to_ascii_lowercase())
        .collect()
});

// Each pattern is compiled the first time a text could hold what it finds
// (`check` runs on every plan: most never need the costlier ones).
const SPACE: &str = r"[ \t\u{3000}]";

static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    let mut labels: Vec<&str> = RULES.labelled.labels.iter().map(String::as_str).collect();
    // Longest first: "passcode" before "pass…", "pwd" before "pw".
    labels.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
    // Case folding only where it means something (ASCII labels).
    let labels: Vec<String> = labels
        .iter()
        .map(|l| {
            if l.is_ascii() {
                format!("(?i:{})", regex::escape(l))
            } else {
                regex::escape(l)
            }
        })
        .collect();
    let value = r"[!-~０-９Ａ-Ｚａ-ｚ]+";
    Regex::new(&format!(
        r"(?P<label>{})(?P<sep>{SPACE}*(?:[:：=＝]|は|が){SPACE}*|{SPACE}+)(?P<value>{value})",
        labels.join("|")
    ))
    .expect("the label rule compiles")
});

static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<user>[A-Za-z][A-Za-z0-9._\-]{{0,31}}){SPACE}*[/／]{SPACE}*(?P<secret>[!-~]{{{},}})",
        RULES.pair.min_secret
    ))
    .expect("the pair rule compiles")
});

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[A-Za-z0-9_+=\-]{{{},}}", RULES.token.min_length))
        .expect("the token rule compiles")
});

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=-".contains(c)
}

/// Whether `text` could hold a labelled value: it names a label.
fn names_a_label(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    LOWER_LABELS.iter().any(|l| lower.contains(l.as_str()))
}

/// Whether `text` has a run of token characters long enough for a token.
fn has_long_run(text: &str) -> bool {
    let mut run = 0;
    text.chars().any(|c| {
        run = if token_char(c) { run + 1 } else { 0 };
        run >= RULES.token.min_length
    })
}

/// Which rule a secret was found by, for the warning's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// 「パスワード: 値」
    Labelled,
    /// 「利用者 / パスワード」
    Pair,
    /// A long random-looking token.
    Token,
}

impl Shape {
    fn describe(self) -> &'static str {
        match self {
            Shape::Labelled => "「パスワード：…」「暗証番号 …」の形の値",
            Shape::Pair => "「利用者名 / パスワード」の形の組",
            Shape::Token => "API キー・トークンのような長い乱数の文字列",
        }
    }
}

/// One secret in a text: the byte range to withhold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub shape: Shape,
    pub range: Range<usize>,
}

/// An ASCII letter or digit: an English label or an account name must not
/// continue one ("PW" is not part of "PWR").
fn joins(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn has_digit_or_symbol(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_numeric() || (c.is_ascii_punctuation()))
}

/// The secrets in `text`, in order, not overlapping.
pub fn find(text: &str) -> Vec<Found> {
    let rules = &*RULES;
    let mut out: Vec<Found> = Vec::new();
    let before = |at: usize| text[..at].chars().next_back();
    let after = |at: usize| text[at..].chars().next();

    let labelled = names_a_label(text).then(|| LABELLED.captures_iter(text));
    for c in labelled.into_iter().flatten() {
        let label = c.name("label").expect("group");
        let sep = c.name("sep").expect("group").as_str();
        let value = c.name("value").expect("group");
        let ascii = label.as_str().is_ascii();
        if ascii && (joins(before(label.start())) || joins(after(label.end()))) {
            continue;
        }
        // A closing bracket or full stop after the value belongs to the sentence.
        let trimmed = value
            .as_str()
            .trim_end_matches(['.', ',', ';', ')', ']', '}']);
        let loose = !sep.contains([':', '：', '=', '＝']);
        if trimmed.chars().count() < rules.labelled.min_value
            || (loose && !has_digit_or_symbol(trimmed))
        {
            continue;
        }
        out.push(Found {
            shape: Shape::Labelled,
            range: value.start()..value.start() + trimmed.len(),
        });
    }

    let pairs = text.contains(['/', '／']).then(|| PAIR.captures_iter(text));
    for c in pairs.into_iter().flatten() {
        let user = c.name("user").expect("group");
        let secret = c.name("secret").expect("group");
        // Part of a URL or a path (https://…/a/b) or of a longer word.
        if before(user.start()).is_some_and(|c| c.is_ascii_alphanumeric() || "/:.@".contains(c))
            || secret.as_str().starts_with('/')
        {
            continue;
        }
        let s = secret
            .as_str()
            .trim_end_matches(['.', ',', ';', ')', ']', '}']);
        let account = rules
            .pair
            .accounts
            .iter()
            .any(|a| a.eq_ignore_ascii_case(user.as_str()));
        let strong = s.chars().any(|c| c.is_ascii_alphabetic())
            && s.chars().any(|c| c.is_ascii_digit())
            && s.chars()
                .any(|c| c.is_ascii_punctuation() && !"._-/:".contains(c));
        if s.chars().count() < rules.pair.min_secret || !(account || strong) {
            continue;
        }
        out.push(Found {
            shape: Shape::Pair,
            range: user.start()..secret.start() + s.len(),
        });
    }

    let tokens = has_long_run(text).then(|| TOKEN.find_iter(text));
    for m in tokens.into_iter().flatten() {
        if joins(before(m.start())) || joins(after(m.end())) {
            continue;
        }
        if looks_random(m.as_str(), rules.token.min_class_changes) {
            out.push(Found {
                shape: Shape::Token,
                range: m.range(),
            });
        }
    }

    // In order; where two rules found the same secret, the wider finding stays.
    out.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut kept: Vec<Found> = Vec::new();
    for f in out {
        match kept.last_mut() {
            Some(last) if f.range.start < last.range.end => {
                last.range.end = last.range.end.max(f.range.end);
            }
            _ => kept.push(f),
        }
    }
    kept
}

/// Upper case, lower case and digits mixed almost character by character.
fn looks_random(s: &str, min_changes: f64) -> bool {
    let class = |c: char| {
        if c.is_ascii_uppercase() {
            Some(0)
        } else if c.is_ascii_lowercase() {
            Some(1)
        } else if c.is_ascii_digit() {
            Some(2)
        } else {
            None
        }
    };
    let classes: Vec<u8> = s.chars().filter_map(class).collect();
    let kinds = [0, 1, 2].iter().filter(|k| classes.contains(k)).count();
    let changes = classes.windows(2).filter(|w| w[0] != w[1]).count();
    kinds >= 2 && !classes.is_empty() && changes as f64 >= min_changes * classes.len() as f64
}

/// `text` with every secret replaced by `mask`.
pub fn withhold(text: &str, mask: &str) -> String {
    let found = find(text);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.range.start]);
        out.push_str(mask);
        at = f.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where passwords and PINs belong instead (the warning's hint).
pub fn advice() -> &'static str {
    &RULES.advice
}

/// Each string of a serialised value that holds a secret, with its path and
/// what it looks like (the first secret's shape).
fn secrets_in(value: &serde_json::Value) -> Vec<(String, &'static str)> {
    strings(value)
        .into_iter()
        .filter_map(|(path, text)| {
            find(text)
                .into_iter()
                .next()
                .map(|f| (path, f.shape.describe()))
        })
        .collect()
}

const FOUND: &str = "パスワード・暗証番号などの秘密の値が書かれているようです";

/// A warning for every string of the plan that holds a secret, naming its key
/// (the message never repeats the value).
pub fn check(plan: &Plan, found: &mut Vec<Diagnostic>) {
    let value = serde_json::to_value(plan).unwrap_or_default();
    for (path, shape) in secrets_in(&value) {
        let message = format!("{FOUND}（{shape}）。BCP は印刷・掲示され、外部にも渡ります");
        found.push(Diagnostic::warning(path, message).with_hint(advice()));
    }
}

/// The same for a device ledger file's rows, named by file and 管理番号.
pub fn check_ledger(file: &str, rows: &[super::Device], found: &mut Vec<Diagnostic>) {
    for d in rows {
        let value = serde_json::to_value(d).unwrap_or_default();
        for (field, shape) in secrets_in(&value) {
            let message = format!(
                "機器台帳 {file} の管理番号 {} の {field} に、{FOUND}（{shape}）",
                d.id
            );
            found.push(
                Diagnostic::warning("device_ledger.file".to_string(), message).with_hint(advice()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Table {
        cases: Vec<Case>,
    }

    #[derive(Debug, Deserialize)]
    struct Case {
        text: String,
        warn: bool,
        /// The part the public copy must not show.
        secret: Option<String>,
    }

    #[test]
    fn every_case_of_the_table() {
        let table: Table = toml::from_str(DATA).unwrap();
        // The rules are read from the part before the first case.
        assert!(DATA.split("\n[[cases]]").nth(1).is_some());
        let mut failures = Vec::new();
        for case in &table.cases {
            let found = find(&case.text);
            if found.is_empty() == case.warn {
                failures.push(format!(
                    "{:?}: warn = {} but found {:?}",
                    case.text, case.warn, found
                ));
            }
            if let Some(secret) = &case.secret {
                let hidden = withhold(&case.text, "■■■");
                if hidden.contains(secret.as_str()) || !hidden.contains("■■■") {
                    failures.push(format!("{:?}: withheld as {hidden:?}", case.text));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(table.cases.iter().filter(|c| c.warn).count() >= 10);
        assert!(table.cases.iter().filter(|c| !c.warn).count() >= 10);
    }

    #[test]
    fn the_label_is_kept_and_the_value_withheld() {
        assert_eq!(
            withhold("管理画面のパスワード: Sakura2024!（月1回変更）", "■"),
            "管理画面のパスワード: ■（月1回変更）"
        );
    }
}
