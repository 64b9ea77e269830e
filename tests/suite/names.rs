//! Names print whole and only the roles a plan has (issue 22, item 10): a
//! person's name never breaks inside a table cell (表1 once read 「森田 正 / 人」),
//! and 2.2.3 names the 情報セキュリティ責任者（CISO）only when the plan has one.

use crate::common::*;

/// The PDF's text with spaces removed but line breaks kept, as read back.
fn lines_kept(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf)
        .expect("the PDF parses")
        .chars()
        .filter(|c| *c == '\n' || !c.is_whitespace())
        .collect()
}

#[test]
fn a_name_never_breaks_inside_a_table_cell() {
    let built = build_path(&fixture("names-and-roles"));
    // 表1's two approvers, 2.1.1's sentence, the chart's box and the roles table.
    let whole = built.text.matches("森田正人").count();
    assert!(whole >= 5, "{whole}");
    let kept = lines_kept(&built.output.pdf);
    assert_eq!(
        kept.matches("森田正人").count(),
        whole,
        "a name is split over two lines: {:?}",
        kept.lines()
            .filter(|l| l.contains("森田") || l.starts_with('人') || l.starts_with("正人"))
            .collect::<Vec<_>>()
    );
    // The dates of 表1 stay whole too (「2026年10月1 / 日」 before).
    assert!(kept.contains("2026年10月1日"), "a date is split");
}

#[test]
fn section_2_2_3_names_no_role_the_plan_lacks() {
    let path = fixture("names-and-roles");
    let text = std::fs::read_to_string(&path).unwrap();
    let built = build_text(&text, &path);
    assert!(
        !built.text.contains("CISO"),
        "2.2.3 names a CISO the plan lacks"
    );
    assert!(!built.text.contains("情報セキュリティ責任者"));
    assert_contains(
        &built.text,
        "課題が発生した場合、課題の解決もしくは改善に向けた計画の立案をする。",
    );
    assert_contains(
        &built.text,
        "実施する。医療情報システム安全管理責任者は年間の教育計画に沿った訓練が適切に実施されるように監督する。",
    );

    // A plan with such a role: 2.2.3 names it as the plan does.
    let with_ciso = text.replacen(
        "[[roles]]\n",
        "[[roles]]\nrole = \"最高情報セキュリティ責任者（CISO）\"\nassignee = \"副院長　林 一郎\"\nduty = \"情報セキュリティ全般を統括する。\"\n\n[[roles]]\n",
        1,
    );
    assert_ne!(with_ciso, text);
    let built = build_text(&with_ciso, &path);
    assert_contains(
        &built.text,
        "最高情報セキュリティ責任者（CISO）、医療情報システム安全管理責任者は年間の教育計画に沿った訓練",
    );
}
