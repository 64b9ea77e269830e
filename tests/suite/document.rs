//! The generated plan, read back out of the PDF.

use crate::common::*;

#[test]
fn example_hospital_has_every_section_and_the_data_of_every_table() {
    let b = build_path(&example());
    let text = &b.text;
    let mut last = 0;
    for heading in SECTIONS {
        // Headings appear in order (after the table of contents).
        let needle = squash(heading);
        let at = text[last..].find(&needle).map(|i| i + last);
        let at = at.unwrap_or_else(|| panic!("section {heading:?} missing or out of order"));
        last = at;
    }
    assert!(
        b.rendered.gaps.is_empty(),
        "example has gaps: {:?}",
        b.rendered.gaps
    );
    assert!(!text.contains("【未記入】"));
    for needle in [
        "サイバー攻撃を想定した事業継続計画（BCP）",
        "社会医療法人さくら会さくら台総合病院",
        "第1.3版",
        "2026年11月16日",
        // The facility's own answers where the ひな形 only has generic text
        "全部署の電話機の横、各病棟ナースステーション",
        // A value that ends the sentence gets its 。 (the example omits it).
        "新任者研修で配付する。",
        "0120-000-457",
        "代表的な患者 3 名で記録の参照",
        "個人情報保護委員会へ: 漏えいのおそれがあれば",
        "医療情報システム委員会（月 1 回）で検討し、院長が決定する",
        "院内メールと各部署の掲示で周知し",
        "VPN 装置の修正プログラムの適用時期",
        // The CSIRT 窓口's night route on the 連絡体制図
        "夜間・休日：当直事務（内線 1999）",
        // 担当者の役割
        "医療情報管理室長　高橋 健",
        // 対象システム
        "臨床検査システム",
        // 情報機器台帳: inline rows and the CSV
        "fw-main",
        "emr-db01",
        "WindowsServer2019",
        // 業務内容に対する代替手段
        "未収扱いとし、復旧後に一括入力",
        // 外部関係機関: the MHLW's published number
        "厚生労働省医政局特定医薬品開発支援・医療情報担当参事官室",
        "03-6812-7837",
        "igishitsu@mhlw.go.jp",
        "さくら県警察本部サイバー犯罪対策課",
        // 事業者等の連絡先
        "0120-000-456",
        // バックアップ
        "LTO テープにデータベースとシステムファイルのバックアップを作成し",
        // 部門連絡先
        "看護部長　伊藤 恵",
        // 教育・訓練
        "年2回以上の教育、訓練を実施する",
        "ランサムウェア感染を想定した机上訓練",
        // 3.3.2 the facility's own containment order
        "バックアップサーバに通じるネットワークを遮断する",
        // 4.3
        "事務部 総務課（広報担当）",
        // Markdown rendered (the ** markers gone, the text kept)
        "公表から 1 か月以内",
    ] {
        assert_contains(text, needle);
    }
    assert!(!text.contains("**"), "Markdown markers leaked into the PDF");
    // Hospital wording.
    assert_contains(text, "当院");
    assert_contains(text, "診療継続");
    assert_contains(text, "紙カルテ");
    assert!(!text.contains("当薬局"));
}

#[test]
fn contact_chart_and_org_chart_are_drawn_with_their_labels() {
    let b = build_path(&example());
    let text = &b.text;
    let chart = text
        .find("発見者（院内の全職員）")
        .expect("chart starts with the finder");
    let order = [
        "部門責任者・部門連絡先",
        "医療情報システム安全管理責任者・CSIRT",
        "経営層（最高責任者）",
        "外部関係機関",
        "事業者（医療情報システム・サービス事業者）",
        "連絡体制図",
    ];
    let mut last = chart;
    for label in order {
        let at = text[last..]
            .find(&squash(label))
            .unwrap_or_else(|| panic!("{label} not after the previous box"));
        last += at;
    }
    assert_contains(text, "平時の組織体制図");
    assert_contains(text, "図2ネットワーク・システム構成図");
}

#[test]
fn pharmacy_uses_pharmacy_wording_only() {
    let b = build_path(&fixture("pharmacy"));
    let text = &b.text;
    for heading in SECTIONS.iter().filter(|h| !h.starts_with("3.4 ")) {
        assert_contains(text, heading);
    }
    for needle in [
        "あおぞら薬局駅前店",
        "当薬局",
        "局内",
        "調剤継続",
        "紙の調剤録",
        "レセコン",
        "電子薬歴",
        "3.4調剤継続",
        "発見者（局内の全職員）",
    ] {
        assert_contains(text, needle);
    }
    for hospital_word in ["当院", "院内", "紙カルテ", "診療継続"] {
        assert!(
            !text.contains(hospital_word),
            "pharmacy plan says {hospital_word}"
        );
    }
}

#[test]
fn clinic_uses_clinic_wording_and_marks_what_it_lacks() {
    let b = build_path(&fixture("clinic"));
    let text = &b.text;
    for needle in [
        "みどり内科クリニック",
        "当院",
        "3.4診療継続",
        "紙カルテ（受付に 3 日分の用紙を常備）",
    ] {
        assert_contains(text, needle);
    }
    assert!(!text.contains("当薬局"));
    // The clinic has no network diagram: its section shows the marker, what to
    // write and the key.
    let keys: Vec<_> = b.rendered.gaps.iter().map(|g| g.key).collect();
    assert_eq!(keys, ["network.diagram"]);
    assert_contains(text, "【未記入】ネットワーク構成図を記入してください。");
    assert_contains(text, "設定キー:network.diagram");
}

#[test]
fn a_removed_table_shows_a_marker_naming_its_key() {
    let original = std::fs::read_to_string(example()).unwrap();
    for (table, key, section, next) in [
        (
            "backups",
            "backups",
            "2.2.4 バックアップ体制",
            "第３章　サイバーインシデント発生時の対応",
        ),
        (
            "alternatives",
            "alternatives",
            "2.1.5 リスク評価・代替運用",
            "2.1.6 脆弱性に関する対策",
        ),
        (
            "vulnerability",
            "vulnerability",
            "2.1.6 脆弱性に関する対策",
            "2.2 非常時に備えたサイバーセキュリティ体制",
        ),
    ] {
        let b = build_text(&without_table(&original, table), &example());
        let text = &b.text;
        // The box says what to write in words, then the key to fill.
        let marker = squash(&format!(
            "【未記入】{}を記入してください。",
            cyberbcp::model::fill::what(key)
        ));
        let at = text
            .find(&marker)
            .unwrap_or_else(|| panic!("no marker for {key}"));
        let named = text[at..]
            .find(&format!("設定キー:{key}"))
            .unwrap_or_else(|| panic!("the box for {key} does not name it"));
        assert!(named < 200, "{key}");
        // The marker sits in its own section: after its heading, before the next one.
        let heading = text.rfind(&squash(section)).unwrap();
        let following = text.rfind(&squash(next)).unwrap();
        assert!(
            heading < at && at < following,
            "marker for {key} is outside {section}"
        );
        // The rest of the document still renders.
        for h in SECTIONS {
            assert_contains(text, h);
        }
    }
}

#[test]
fn leftover_placeholders_are_warned_with_their_key() {
    let original = std::fs::read_to_string(example()).unwrap();
    let edited = original.replace(
        "document_owner = \"医療情報管理室\"",
        "document_owner = \"○○部門\"",
    );
    let b = build_text(&edited, &example());
    let warning = b
        .prepared
        .warnings()
        .iter()
        .find(|w| w.key.as_deref() == Some("facility.document_owner"))
        .expect("a warning for the placeholder");
    assert!(warning.message.contains("○○"));
    assert!(warning.span.is_some());
    assert_contains(&b.text, "○○部門");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let a = build_path(&fixture("clinic"));
    let b = build_path(&fixture("clinic"));
    assert!(a.output.pdf == b.output.pdf, "two builds differ");
}

/// The appendix prints, for each 確認項目, the sections that answer it and the
/// page each starts on. Read both back: the page where the heading's text
/// appears (by its footer 「n / N ページ」) must be the number in the appendix.
#[test]
fn appendix_kakuninhyo_shows_status_and_the_right_page_numbers() {
    let footer = regex::Regex::new(r"(\d+)/(\d+)ページ").unwrap();
    let cited = regex::Regex::new(r"(\d\.\d(?:\.\d)?)（(\d+)頁）").unwrap();
    for case in [example(), fixture("clinic")] {
        let b = build_path(&case);
        let pages: Vec<String> = pdf_extract::extract_text_from_mem_by_pages(&b.output.pdf)
            .unwrap()
            .iter()
            .map(|p| squash(p))
            .collect();
        // The footer "N / M ページ": the page's own (squashed text can run a
        // number in a table's last cell into it, so take the one that is the
        // page's index — the counter never resets).
        let printed_page = |index: usize, text: &str| -> Option<usize> {
            footer
                .captures_iter(text)
                .filter_map(|c| {
                    let digits = &c[1];
                    (1..=digits.len()).find_map(|k| {
                        let n: usize = digits[digits.len() - k..].parse().ok()?;
                        (n == index + 1).then_some(n)
                    })
                })
                .last()
        };
        let appendix_at = pages
            .iter()
            .position(|p| p.contains("付録サイバー攻撃を想定した事業継続計画（BCP）策定の確認表"))
            .expect("appendix heading");
        let appendix: String = pages[appendix_at..].concat();
        let mut checked = 0;
        for c in cited.captures_iter(&appendix) {
            let (section, page) = (&c[1], c[2].parse::<usize>().unwrap());
            let heading = SECTIONS
                .iter()
                .find(|h| h.split(' ').next() == Some(section))
                .unwrap_or_else(|| panic!("unknown section {section}"));
            // Skip the table of contents (page 3): the body heading comes later.
            let found = pages
                .iter()
                .enumerate()
                .skip(3)
                .find(|(_, p)| p.contains(&squash(heading)))
                .unwrap_or_else(|| panic!("{heading} not found in the body"));
            assert_eq!(
                printed_page(found.0, found.1),
                Some(page),
                "{}: appendix says {section} is on page {page}, the heading is on page {:?}",
                case.display(),
                printed_page(found.0, found.1)
            );
            checked += 1;
        }
        let expected: usize = b
            .rendered
            .coverage
            .items
            .iter()
            .map(|i| i.sections.len())
            .sum();
        assert_eq!(checked, expected, "every cited section has a page number");

        let report = &b.rendered.coverage;
        assert_contains(
            &appendix,
            &format!(
                "記載済 {} 項目　既定文のみ {} 項目　未記載 {} 項目（全 27 項目）",
                report.covered, report.default, report.missing
            ),
        );
        for item in &report.items {
            assert_contains(&appendix, item.text);
            for h in &item.hints {
                assert_contains(&appendix, &format!("→ {h}"));
            }
        }
        let marks = |m: &str| appendix.matches(&squash(m)).count();
        assert_eq!(marks("✓記載済"), report.covered + 1, "the legend adds one");
        assert_eq!(marks("×未記載"), report.missing + 1);
    }
}
