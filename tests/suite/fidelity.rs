//! Fidelity to the ministry's ひな形: every body sentence and list item of
//! chapters 1–4 (tests/fixtures/hinagata/body.txt) appears verbatim, with the
//! kind's wording from templates/terms.toml, in the PDF built from each kind's
//! `cyberbcp init` starter; the only exceptions are the documented rows of
//! tests/fixtures/hinagata/differences.toml.

use std::path::Path;

use cyberbcp::model::Kind;
use cyberbcp::render::Templates;
use serde::Deserialize;

use crate::common::*;

const KINDS: [Kind; 3] = [Kind::Hospital, Kind::Clinic, Kind::Pharmacy];

/// The words the hospital wording must be: the ひな形 is written for a hospital.
const HINAGATA_WORDS: &[(&str, &str)] = &[
    ("self", "当院"),
    ("inside", "院内"),
    ("institution", "医療機関"),
    ("care", "診療"),
    ("care_continuity", "診療継続"),
    ("paper_record", "紙カルテ"),
    ("info_types", "診療情報・参照情報・指示情報"),
    ("devices", "情報機器・医療機器"),
    ("visit", "受診する"),
    ("dept_system_admin", "部門システムの管理者"),
];

struct Line {
    kinds: Option<Vec<String>>,
    section: String,
    text: String,
}

fn body() -> Vec<Line> {
    let text = std::fs::read_to_string(root().join("tests/fixtures/hinagata/body.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (kinds, rest) = match l.strip_prefix('@') {
                Some(r) => {
                    let (k, rest) = r.split_once(' ').expect("@kinds then a space");
                    (Some(k.split(',').map(String::from).collect()), rest)
                }
                None => (None, l),
            };
            let (section, text) = rest.split_once('\t').expect("section<TAB>text");
            Line {
                kinds,
                section: section.to_string(),
                text: text.to_string(),
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct Differences {
    difference: Vec<Difference>,
}

#[derive(Deserialize)]
struct Difference {
    section: String,
    #[serde(default)]
    kinds: Option<Vec<String>>,
    hinagata: String,
    #[serde(default)]
    printed: String,
    #[serde(default)]
    omit: bool,
    why: String,
}

fn differences() -> Vec<Difference> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/hinagata/differences.toml")).unwrap();
    toml::from_str::<Differences>(&text).unwrap().difference
}

fn applies(kinds: &Option<Vec<String>>, kind: Kind) -> bool {
    kinds
        .as_ref()
        .is_none_or(|k| k.iter().any(|k| k == kind.as_str()))
}

/// The text extraction of the ministry's PDF and ours differ in ways that carry
/// no meaning: full-width vs ASCII letters and brackets, the three circles
/// 〇○◯ used as placeholders, and spaces.
fn normalize(s: &str) -> String {
    squash(s)
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap(),
            '〇' | '◯' => '○',
            c => c,
        })
        .collect()
}

/// `[key]` → the kind's wording.
fn with_terms(text: &str, terms: &serde_json::Map<String, serde_json::Value>) -> String {
    let re = regex::Regex::new(r"\[([a-z_]+)\]").unwrap();
    re.replace_all(text, |c: &regex::Captures| {
        terms
            .get(&c[1])
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("terms.toml has no string {:?}", &c[1]))
            .to_string()
    })
    .into_owned()
}

/// Does `text` hold `pattern`, where each `{…}` matches up to 120 characters
/// of the facility's own data?
fn holds(text: &str, pattern: &str) -> bool {
    let pieces: Vec<String> = regex::Regex::new(r"\{[^}]*\}")
        .unwrap()
        .split(pattern)
        .map(normalize)
        .collect();
    let re = pieces
        .iter()
        .map(|p| regex::escape(p))
        .collect::<Vec<_>>()
        .join(".{0,120}?");
    regex::Regex::new(&re).unwrap().is_match(text)
}

fn starter_pdf_text(kind: Kind, dir: &Path) -> String {
    let path = dir.join(format!("{}.toml", kind.as_str()));
    assert_cmd::Command::cargo_bin("cyberbcp")
        .unwrap()
        .args(["init", "--kind", kind.as_str()])
        .arg(&path)
        .assert()
        .success();
    // A sentence that runs over a page break is interrupted by the footer and
    // the next page's running head: take them out.
    let running =
        regex::Regex::new(r"\d+/\d+ページ[^サ]{0,60}サイバー攻撃を想定したBCP(第[0-9.]+版)?")
            .unwrap();
    running
        .replace_all(&normalize(&build_path(&path).text), "")
        .into_owned()
}

#[test]
fn the_hospital_wording_is_the_hinagatas() {
    let templates = Templates::builtin();
    let terms = templates.terms(Kind::Hospital);
    for (key, word) in HINAGATA_WORDS {
        assert_eq!(terms[*key], *word, "terms.toml [hospital] {key}");
    }
}

#[test]
fn every_hinagata_sentence_is_in_each_kinds_starter_pdf() {
    let lines = body();
    assert!(lines.len() >= 95, "{} lines transcribed", lines.len());
    let diffs = differences();
    let mut used = vec![false; diffs.len()];
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for kind in KINDS {
        let templates = Templates::builtin();
        let terms = templates.terms(kind);
        let pdf = starter_pdf_text(kind, dir.path());
        for line in lines.iter().filter(|l| applies(&l.kinds, kind)) {
            let mut text = line.text.clone();
            let mut omitted = false;
            for (i, d) in diffs.iter().enumerate() {
                if d.section == line.section
                    && applies(&d.kinds, kind)
                    && text.contains(&d.hinagata)
                {
                    assert!(!d.why.is_empty());
                    used[i] = true;
                    omitted |= d.omit;
                    text = text.replace(&d.hinagata, &d.printed);
                }
            }
            if omitted {
                continue;
            }
            let text = with_terms(&text, terms);
            if !holds(&pdf, &text) {
                failures.push(format!("{} {}: {text}", kind.as_str(), line.section));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} ひな形 sentences not printed verbatim:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for (d, used) in diffs.iter().zip(used) {
        assert!(used, "differences.toml: unused row {:?}", d.hinagata);
    }
}

/// The check itself can fail: a changed word or a dropped sentence is caught.
#[test]
fn the_check_catches_a_changed_word() {
    let pdf = normalize("本BCPは○○部門にて、現状を適切に反映した原本");
    assert!(holds(&pdf, "本BCPは○○部門にて、現状を"));
    assert!(!holds(&pdf, "本BCPは○○にて、現状を"));
    assert!(holds(&pdf, "本BCPは{○○}にて、現状を"));
    assert!(!holds(
        &normalize("迅速かつ合理的な診療業務復旧"),
        "迅速かつ合理的な医療業務復旧"
    ));
}
