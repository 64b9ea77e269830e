//! Does a value say more than the ひな形? The value's own content, measured
//! against the ひな形 sentences of the sections that print it (verdict.toml
//! `[text]` describes the rule and holds the vague phrases).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization as _;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Verdict {
    pub text: TextRule,
    pub field: Vec<Field>,
    pub warning_items: HashMap<String, Vec<String>>,
    pub words: Words,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TextRule {
    pub min_own: usize,
    pub vague: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Field {
    pub key: String,
    pub sections: Vec<String>,
    pub items: Vec<String>,
    pub want: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Words {
    pub connected: Vec<String>,
    pub detached: Vec<String>,
    pub immutable: Vec<String>,
    pub actor: Vec<String>,
    pub source: Vec<String>,
    pub network_device: Vec<String>,
    pub open_late: Vec<String>,
    pub weekdays: Vec<String>,
    pub helpdesk: Vec<String>,
    pub wipe: Vec<String>,
    pub forensics: Vec<String>,
    pub authority: Vec<String>,
    pub left_to_vendor: Vec<String>,
    pub work_history: Vec<String>,
    pub conditional: Vec<String>,
}

pub(super) static VERDICT: LazyLock<Verdict> = LazyLock::new(|| {
    // Embedded and covered by tests: a parse failure is a bug in this crate.
    let mut v: Verdict =
        toml::from_str(include_str!("verdict.toml")).expect("src/coverage/verdict.toml is valid");
    // Folded once, so `mentions` folds only the text.
    let w = &mut v.words;
    for list in [
        &mut w.connected,
        &mut w.detached,
        &mut w.immutable,
        &mut w.actor,
        &mut w.source,
        &mut w.network_device,
        &mut w.open_late,
        &mut w.weekdays,
        &mut w.helpdesk,
        &mut w.wipe,
        &mut w.forensics,
        &mut w.authority,
        &mut w.left_to_vendor,
        &mut w.work_history,
        &mut w.conditional,
    ] {
        for word in list.iter_mut() {
            *word = fold(word);
        }
    }
    v
});

/// The vague phrases, folded, longest first (「必要に応じて」 before 「必要に応じ」).
static VAGUE: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut vague: Vec<String> = VERDICT.text.vague.iter().map(|v| fold(v)).collect();
    vague.sort_by_key(|v| std::cmp::Reverse(v.chars().count()));
    vague
});

/// Whether `text` contains any of `words` (verdict.toml `[words]`, folded at
/// load; the text is folded here: NFKC, case-insensitive).
pub(super) fn mentions(text: &str, words: &[String]) -> bool {
    if text.is_empty() {
        return false;
    }
    let text = fold(text);
    words.iter().any(|w| text.contains(w.as_str()))
}

fn fold(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).collect()
}

/// The ひな形 body as printed, per section number: the chapter templates'
/// text with markup, template expressions and data references taken out.
/// Only the sections verdict.toml compares with, so `check` stays fast.
static SECTIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let wanted: HashSet<&str> = VERDICT
        .field
        .iter()
        .flat_map(|f| f.sections.iter().map(String::as_str))
        .collect();
    let mut out: HashMap<String, String> = HashMap::new();
    for (chapter, source) in [
        ('1', include_str!("../../templates/ch1.typ.tera")),
        ('2', include_str!("../../templates/ch2.typ.tera")),
        ('3', include_str!("../../templates/ch3.typ.tera")),
        ('4', include_str!("../../templates/ch4.typ.tera")),
    ] {
        if !wanted.iter().any(|w| w.starts_with(chapter)) {
            continue;
        }
        let mut current: Option<&str> = None;
        for line in source.lines() {
            if let Some(at) = line.find("<sec-") {
                current = line[at + 5..]
                    .split('>')
                    .next()
                    .filter(|id| wanted.contains(id));
            }
            let Some(id) = current else { continue };
            if line.trim_start().starts_with("//") {
                continue;
            }
            let text = out.entry(id.to_string()).or_default();
            // Only the words: ASCII is markup and data names here.
            text.extend(line.chars().filter(|c| !c.is_ascii()));
            text.push('\n');
        }
    }
    out
});

/// The normalised form: NFKC, lower case, only letters, digits, kana and
/// kanji (spaces and punctuation go).
fn normalise(s: &str) -> Vec<char> {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn content(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || ('\u{30A0}'..='\u{30FF}').contains(&c) // katakana
        || ('\u{4E00}'..='\u{9FFF}').contains(&c) // kanji
        || ('\u{3400}'..='\u{4DBF}').contains(&c)
        || c == '々'
}

fn bigrams(text: &[char]) -> impl Iterator<Item = (char, char)> + '_ {
    text.windows(2).map(|w| (w[0], w[1]))
}

/// The reference a field is compared with: its sections' ひな形 text and the
/// questions of the items it answers.
pub(super) struct Reference {
    /// Every pair of adjacent characters of the ひな形 lines, as
    /// `first << 32 | second`, sorted: a binary search per pair of the value.
    pairs: Vec<u64>,
}

fn key(a: char, b: char) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl Reference {
    pub(super) fn of(sections: &[String], questions: &[&str]) -> Reference {
        let mut pairs = Vec::new();
        let mut add = |chars: &[char]| pairs.extend(chars.windows(2).map(|w| key(w[0], w[1])));
        for s in sections {
            if let Some(body) = SECTIONS.get(s) {
                // The ひな形 is written in NFKC's forms already: no need to fold.
                for line in body.lines() {
                    let chars: Vec<char> = line.chars().filter(|c| c.is_alphanumeric()).collect();
                    add(&chars);
                }
            }
        }
        for q in questions {
            add(&normalise(q));
        }
        pairs.sort_unstable();
        pairs.dedup();
        Reference { pairs }
    }

    fn has(&self, pair: (char, char)) -> bool {
        self.pairs.binary_search(&key(pair.0, pair.1)).is_ok()
    }

    /// How many characters of content `value` has that the ひな形 does not:
    /// vague phrases cut out first, then every character covered by a
    /// bigram the reference shares is the ひな形's.
    pub(super) fn own_content(&self, value: &str) -> usize {
        let mut folded = fold(value);
        for v in VAGUE.iter() {
            folded = folded.replace(v.as_str(), "|");
        }
        let mut own = 0;
        for part in folded.split('|') {
            let chars = normalise(part);
            let mut covered = vec![false; chars.len()];
            for (i, pair) in bigrams(&chars).enumerate() {
                if self.has(pair) {
                    covered[i] = true;
                    covered[i + 1] = true;
                }
            }
            own += chars
                .iter()
                .zip(&covered)
                .filter(|(c, cov)| content(**c) && !**cov)
                .count();
        }
        own
    }

    /// The value restates the ひな形 (or is only vague words).
    pub(super) fn restates(&self, value: &str) -> bool {
        self.own_content(value) < VERDICT.text.min_own
    }
}

/// Each field's reference, built the first time a value of it is judged.
static REFERENCES: LazyLock<Vec<std::sync::OnceLock<Reference>>> = LazyLock::new(|| {
    VERDICT
        .field
        .iter()
        .map(|_| std::sync::OnceLock::new())
        .collect()
});

fn reference_of(at: usize) -> &'static Reference {
    REFERENCES[at].get_or_init(|| {
        let f = &VERDICT.field[at];
        let questions: Vec<&str> = f
            .items
            .iter()
            .filter_map(|id| super::items().iter().find(|i| &i.id == id))
            .map(|i| i.text.as_str())
            .collect();
        Reference::of(&f.sections, &questions)
    })
}

/// The field's entry in verdict.toml.
#[cfg(test)]
fn field(key: &str) -> Option<&'static Field> {
    VERDICT.field.iter().find(|f| f.key == key)
}

/// Whether every entry of a field restates its ひな形 (vacuously false for no
/// entries: absence is judged elsewhere). `None` when the field is not listed.
pub(super) fn all_restate(key: &str, values: &[&str]) -> Option<&'static Field> {
    let at = VERDICT.field.iter().position(|f| f.key == key)?;
    let f = &VERDICT.field[at];
    let written: Vec<&&str> = values.iter().filter(|v| !v.trim().is_empty()).collect();
    if written.is_empty() {
        return None;
    }
    let reference = reference_of(at);
    written.iter().all(|v| reference.restates(v)).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(key: &str) -> Reference {
        let f = field(key).unwrap();
        Reference::of(&f.sections, &[])
    }

    #[test]
    fn restated_template_text_and_vague_words_have_no_content_of_their_own() {
        assert!(SECTIONS["3.3.2"].contains("バックアップに通ずるネットワークの遮断"));
        let containment = reference("incident.containment");
        assert!(containment.restates("ネットワークを遮断して被害の拡大を防止する"));
        assert!(!containment.restates("情報システム係が UTM の WAN 側ケーブルを抜く"));
        let checks = reference("incident.recovery_checks");
        assert!(checks.restates("システムが正常に動作することを確認する"));
        let notice = reference("followup.notice");
        assert!(notice.restates("必要に応じて周知する。"));
        assert!(notice.restates("適宜、速やかに周知を徹底する"));
        assert!(!notice.restates("事務長が朝礼で説明し、事務室に掲示する"));
        // Vague words beside a who and a what are fine.
        assert!(!notice.restates("必要に応じて事務長が朝礼で説明する"));
    }
}
