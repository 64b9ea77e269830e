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
    toml::from_str(include_str!("verdict.toml")).expect("src/coverage/verdict.toml is valid")
});

/// Whether `text` contains any of `words` (NFKC, case-insensitive).
pub(super) fn mentions(text: &str, words: &[String]) -> bool {
    let text = fold(text);
    words.iter().any(|w| text.contains(&fold(w)))
}

fn fold(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).collect()
}

/// The ひな形 body as printed, per section number: the chapter templates'
/// text with markup, template expressions and data references taken out.
static SECTIONS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut out: HashMap<String, String> = HashMap::new();
    for source in [
        include_str!("../../templates/ch1.typ.tera"),
        include_str!("../../templates/ch2.typ.tera"),
        include_str!("../../templates/ch3.typ.tera"),
        include_str!("../../templates/ch4.typ.tera"),
    ] {
        let mut current: Option<String> = None;
        for line in source.lines() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            if let Some(at) = line.find("<sec-") {
                let id = &line[at + 5..];
                current = id.split('>').next().map(str::to_string);
            }
            if let Some(id) = &current {
                let text = out.entry(id.clone()).or_default();
                // Only the words: ASCII is markup and data names here.
                text.extend(line.chars().filter(|c| !c.is_ascii()));
                text.push('\n');
            }
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
    pairs: HashSet<(char, char)>,
}

impl Reference {
    pub(super) fn of(sections: &[String], questions: &[&str]) -> Reference {
        let mut pairs = HashSet::new();
        for s in sections {
            if let Some(text) = SECTIONS.get(s) {
                for line in text.lines() {
                    pairs.extend(bigrams(&normalise(line)));
                }
            }
        }
        for q in questions {
            pairs.extend(bigrams(&normalise(q)));
        }
        Reference { pairs }
    }

    /// How many characters of content `value` has that the ひな形 does not:
    /// vague phrases cut out first, then every character covered by a
    /// bigram the reference shares is the ひな形's.
    pub(super) fn own_content(&self, value: &str) -> usize {
        let mut folded: String = value.nfkc().collect();
        let mut vague: Vec<String> = VERDICT.text.vague.iter().map(|v| fold(v)).collect();
        // Longest first: 「必要に応じて」 before 「必要に応じ」.
        vague.sort_by_key(|v| std::cmp::Reverse(v.chars().count()));
        folded = folded.to_lowercase();
        for v in &vague {
            folded = folded.replace(v.as_str(), "|");
        }
        let mut own = 0;
        for part in folded.split('|') {
            let chars = normalise(part);
            let mut covered = vec![false; chars.len()];
            for (i, pair) in bigrams(&chars).enumerate() {
                if self.pairs.contains(&pair) {
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

/// The field's entry in verdict.toml.
pub(super) fn field(key: &str) -> Option<&'static Field> {
    VERDICT.field.iter().find(|f| f.key == key)
}

/// Whether every entry of a field restates its ひな形 (vacuously false for no
/// entries: absence is judged elsewhere). `None` when the field is not listed.
pub(super) fn all_restate(key: &str, values: &[&str]) -> Option<&'static Field> {
    let f = field(key)?;
    let questions: Vec<&str> = f
        .items
        .iter()
        .filter_map(|id| super::items().iter().find(|i| &i.id == id))
        .map(|i| i.text.as_str())
        .collect();
    let reference = Reference::of(&f.sections, &questions);
    let written: Vec<&&str> = values.iter().filter(|v| !v.trim().is_empty()).collect();
    (!written.is_empty() && written.iter().all(|v| reference.restates(v))).then_some(f)
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
