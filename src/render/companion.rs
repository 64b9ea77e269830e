//! The documents `build --also` makes besides the plan, declared in ONE table:
//! the CLI's value list and help, the built-in templates and the tests are all
//! derived from [`COMPANIONS`]. Adding a document is one row here and, for a
//! PDF, one template in templates/ (it sees the plan's `data.json` and `t.*`).

/// One document `--also NAME` asks for.
#[derive(Debug)]
pub struct Companion {
    /// The `--also` value.
    pub name: &'static str,
    /// What it is, for `--help` (the output names are added from `outputs`).
    pub about: &'static str,
    /// Files written beside the plan: `plan.pdf` → `plan{suffix}`, in this order.
    pub outputs: &'static [&'static str],
    pub via: Via,
}

/// How a companion document is made.
#[derive(Debug)]
pub enum Via {
    /// Typeset by Typst from the same `data.json` as the plan.
    Pdf {
        /// The entry template, built in and overridable like every template.
        template: &'static str,
        source: &'static str,
        /// The PDF's title (metadata), before the facility's name.
        title: &'static str,
        /// It must fit one page whatever the data (the tests check it).
        one_page: bool,
        /// It reads `data.kit` (crate::kit: first call, night route, drill scenario).
        kit: bool,
    },
    /// The 確認表 and the checklist as one workbook.
    Xlsx,
    /// The 確認表 and the checklist as CSV files (in `outputs` order).
    Csv,
}

/// The documents people fill in or edit: with `build --format docx` they are
/// made as Word files too (the others stay PDF: posters, cards and sheets
/// are printed as laid out).
pub const IN_WORD: &[&str] = &["form", "disclosure"];

impl Companion {
    /// Its output names for `format` (`-form.pdf` → `-form.docx`).
    pub fn outputs_as(&self, docx: bool) -> Vec<String> {
        let word = docx && IN_WORD.contains(&self.name);
        self.outputs
            .iter()
            .map(|s| match s.strip_suffix(".pdf") {
                Some(stem) if word => format!("{stem}.docx"),
                _ => s.to_string(),
            })
            .collect()
    }
}

pub const COMPANIONS: &[Companion] = &[
    Companion {
        name: "poster",
        about: "連絡体制図の掲示用ポスター（A4 一枚）",
        outputs: &["-poster.pdf"],
        via: Via::Pdf {
            template: "poster.typ.tera",
            source: include_str!("../../templates/poster.typ.tera"),
            title: "サイバー攻撃・システム異常時の連絡先",
            one_page: true,
            kit: false,
        },
    },
    Companion {
        name: "form",
        about: "異常報告様式",
        outputs: &["-form.pdf"],
        via: Via::Pdf {
            template: "form.typ.tera",
            source: include_str!("../../templates/form.typ.tera"),
            title: "システム異常報告書",
            one_page: true,
            kit: false,
        },
    },
    Companion {
        name: "disclosure",
        about: "情報公開の文案（4.3）",
        outputs: &["-disclosure.pdf"],
        via: Via::Pdf {
            template: "disclosure.typ.tera",
            source: include_str!("../../templates/disclosure.typ.tera"),
            title: "情報公開文案",
            one_page: true,
            kit: false,
        },
    },
    Companion {
        name: "checklist",
        about: "サイバーセキュリティ対策チェックリスト",
        outputs: &["-checklist.pdf"],
        via: Via::Pdf {
            template: "checklist.typ.tera",
            source: include_str!("../../templates/checklist.typ.tera"),
            title: "サイバーセキュリティ対策チェックリスト",
            one_page: false,
            kit: false,
        },
    },
    Companion {
        name: "cards",
        about: "役割ごとのアクションカード（発見者・部門責任者・安全管理責任者・経営層、1 枚 1 ページ）",
        outputs: &["-cards.pdf"],
        via: Via::Pdf {
            template: "cards.typ.tera",
            source: include_str!("../../templates/cards.typ.tera"),
            title: "サイバー攻撃時のアクションカード",
            one_page: false,
            kit: true,
        },
    },
    Companion {
        name: "announce",
        about: "患者・職員へのお知らせ文案（発見時・見通し・制限・復旧の放送／掲示）と受付での掲示",
        outputs: &["-announce.pdf"],
        via: Via::Pdf {
            template: "announce.typ.tera",
            source: include_str!("../../templates/announce.typ.tera"),
            title: "サイバー攻撃時のお知らせ文案（放送・掲示）",
            one_page: false,
            kit: true,
        },
    },
    Companion {
        name: "drill",
        about: "机上訓練キット（この計画から作るシナリオ・コールシート・評価表・記録の書き方）",
        outputs: &["-drill.pdf"],
        via: Via::Pdf {
            template: "drill.typ.tera",
            source: include_str!("../../templates/drill.typ.tera"),
            title: "サイバー攻撃を想定した机上訓練キット",
            one_page: false,
            kit: true,
        },
    },
    Companion {
        name: "xlsx",
        about: "確認表とチェックリストの Excel ファイル",
        outputs: &[".xlsx"],
        via: Via::Xlsx,
    },
    Companion {
        name: "csv",
        about: "確認表とチェックリストの CSV（UTF-8 BOM 付き）",
        outputs: &["-kakuninhyo.csv", "-checklist.csv"],
        via: Via::Csv,
    },
];

/// `--also all`: every document in [`COMPANIONS`].
pub const ALL: &str = "all";

impl Companion {
    pub fn find(name: &str) -> Option<&'static Companion> {
        COMPANIONS.iter().find(|c| c.name == name)
    }

    /// The `--help` line: what it is and the files it writes.
    pub fn help(&self) -> String {
        let files: Vec<String> = self.outputs.iter().map(|s| format!("名前{s}")).collect();
        format!("{} → {}", self.about, files.join("、"))
    }

    /// The entry template of a PDF document.
    pub fn template(&self) -> Option<&'static str> {
        match self.via {
            Via::Pdf { template, .. } => Some(template),
            _ => None,
        }
    }
}

impl PartialEq for Companion {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Companion {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outputs_and_templates_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in COMPANIONS {
            assert_ne!(c.name, ALL, "`all` is reserved");
            assert!(seen.insert(c.name), "name {} twice", c.name);
            for suffix in c.outputs {
                assert!(seen.insert(suffix), "output {suffix} twice");
                assert!(*suffix != ".pdf", "{} would overwrite the plan", c.name);
            }
            if let Via::Pdf { template, .. } = c.via {
                assert!(seen.insert(template), "template {template} twice");
                assert_eq!(c.outputs.len(), 1, "{}", c.name);
                assert_eq!(c.outputs[0], format!("-{}.pdf", c.name));
            }
        }
    }
}
