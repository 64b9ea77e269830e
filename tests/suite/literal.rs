//! User text is data, never code: whatever a field holds comes out of the PDF
//! as written and never changes the document's structure.

use crate::common::*;
use cyberbcp::pdf::fonts::FONTS;
use proptest::prelude::*;

/// Characters the PDF cannot show are dropped before comparing: controls,
/// zero-width and direction marks, and anything the embedded fonts lack
/// (emoji, characters outside JIS). Everything else must survive.
fn visible(s: &str) -> String {
    let printable = |c: &char| {
        !c.is_control()
            && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
            && FONTS
                .fonts
                .iter()
                .any(|f| f.info().coverage.contains(*c as u32))
    };
    squash(&s.chars().filter(printable).collect::<String>())
}

/// The extracted text without running headers and footers, which interrupt
/// a value that spans pages.
fn body_text(b: &Built) -> String {
    let header = squash(&format!(
        "{}サイバー攻撃を想定したBCP第1.0版",
        "みどり内科クリニック"
    ));
    let mut text = b.text.replace(&header, "");
    for page in 1..=b.output.pages {
        text = text.replace(&format!("{page}/{}ページ", b.output.pages), "");
    }
    text
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        s.chars().take(60).chain("…".chars()).collect()
    } else {
        s.to_string()
    }
}

/// The clinic fixture with `value` in several kinds of field: the cover, a
/// sentence, table cells, a contact box of the diagram, a Markdown field.
pub(crate) fn clinic_with(value: &str) -> String {
    let text = std::fs::read_to_string(fixture("clinic")).unwrap();
    let mut doc: toml::Table = toml::from_str(&text).unwrap();
    let set = |t: &mut toml::Table, path: &[&str]| {
        let mut cur = t;
        for (i, key) in path.iter().enumerate() {
            if i + 1 == path.len() {
                cur.insert(key.to_string(), toml::Value::String(value.to_string()));
            } else if let Ok(idx) = key.parse::<usize>() {
                let _ = idx;
            } else {
                cur = cur.get_mut(*key).unwrap().as_table_mut().unwrap();
            }
        }
    };
    set(&mut doc, &["facility", "document_owner"]);
    let arrays = [
        ("roles", 1, "duty"),
        ("systems", 0, "purpose"),
        ("contacts", 4, "person"),
        ("alternatives", 1, "alternative"),
    ];
    for (table, index, field) in arrays {
        let row = doc.get_mut(table).unwrap().as_array_mut().unwrap()[index]
            .as_table_mut()
            .unwrap();
        row.insert(field.into(), toml::Value::String(value.into()));
    }
    let incident = doc.get_mut("incident").unwrap().as_table_mut().unwrap();
    incident.insert("report_form".into(), toml::Value::String(value.into()));
    set(&mut doc, &["training", "notes"]);
    toml::to_string(&doc).unwrap()
}

fn check_literal(value: &str) {
    let b = build_text(&clinic_with(value), &fixture("clinic"));
    let want = visible(value);
    let count = visible(&body_text(&b)).matches(&want).count();
    // Markdown fields interpret Markdown by design; the six plain fields must be exact.
    assert!(
        count >= 6,
        "{:?} appears {count} times literally, expected at least 6",
        short(value)
    );
    for h in SECTIONS {
        assert_contains(&b.text, h);
    }
    assert!(
        !b.text.contains("root:x:0:0"),
        "a file was read into the PDF"
    );
}

#[test]
fn hostile_strings_come_out_literally() {
    let corpus =
        std::fs::read_to_string(root().join("tests/fixtures/hostile/strings.txt")).unwrap();
    for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
        check_literal(line);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_come_out_literally(
        s in "[a-zA-Z0-9#$*_@<>\\[\\]\\\\{}%\"'`=+/~.:;()!?&|^-]{1,12}[ぁ-ん亜-熙]{0,3}[#$*_@<>\\[\\]\\\\{}\"`=/]{1,6}"
    ) {
        check_literal(&s);
    }
}
