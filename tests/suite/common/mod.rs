//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod http;
pub mod layout;
pub mod scale;

use std::path::{Path, PathBuf};

use cyberbcp::pipeline::{self, Output, Prepared};
use cyberbcp::render::{Rendered, Templates};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example() -> PathBuf {
    root().join("facility.example.toml")
}

pub fn fixture(case: &str) -> PathBuf {
    root()
        .join("tests/fixtures")
        .join(case)
        .join("facility.toml")
}

/// Every heading of the ひな形, in order, as the PDF must print them.
pub const SECTIONS: &[&str] = &[
    "第１章　総則",
    "1.1 策定目的",
    "1.2 基本方針",
    "1.3 対象範囲",
    "1.3.1 対象とする医療情報システム",
    "1.3.2 想定する事象",
    "1.4 文書の管理および周知",
    "第２章　体制整備",
    "2.1 情報機器等の把握と適切な管理",
    "2.1.1 医療情報システム安全管理責任者",
    "2.1.2 組織体制図",
    "2.1.3 情報機器台帳",
    "2.1.4 ネットワーク・システム構成図",
    "2.1.5 リスク評価・代替運用",
    "2.1.6 脆弱性に関する対策",
    "2.2 非常時に備えたサイバーセキュリティ体制",
    "2.2.1 連絡体制図",
    "2.2.2 情報収集体制",
    "2.2.3 教育体制",
    "2.2.4 バックアップ体制",
    "第３章　サイバーインシデント発生時の対応",
    "3.1 異常発見時の連絡先",
    "3.2 システム異常の検知と経営層への情報伝達",
    "3.3 初動対応",
    "3.3.1 原因調査",
    "3.3.2 被害拡大防止",
    "3.3.3 経営層への報告",
    "3.4.1 医療情報システムの縮退運転判断",
    "3.4.2 被害状況等調査（フォレンジック調査＋証拠保全）",
    "3.4.3 組織対応方針の確認と外部関係機関への報告",
    "3.5 復旧処理",
    "3.5.1 復旧指示と復旧作業",
    "3.5.2 結果の確認",
    "第４章　事後対応",
    "4.1 報告",
    "4.2 再発防止",
    "4.2.1 再発防止策検討・策定",
    "4.2.2 事業者への指示",
    "4.3 情報公開",
];

/// Whitespace-free text: the PDF reader puts spaces between script runs and
/// line breaks where a long value wraps. Nothing else is dropped: a value must
/// come back out of the PDF exactly as written (no zero-width spaces).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether the PDF at `path` exists, parses and holds `needle` (whitespace aside).
pub fn pdf_has(path: &Path, needle: &str) -> bool {
    std::fs::read(path)
        .ok()
        .and_then(|b| pdf_extract::extract_text_from_mem(&b).ok())
        .is_some_and(|t| squash(&t).contains(&squash(needle)))
}

/// The text of a PDF, read back with a PDF parser, whitespace removed.
pub fn pdf_text(pdf: &[u8]) -> String {
    squash(&pdf_extract::extract_text_from_mem(pdf).expect("the PDF parses"))
}

/// A process started by a test (`watch`), ended when the test ends, however it ends.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Built {
    pub prepared: Prepared,
    pub rendered: Rendered,
    pub output: Output,
    pub text: String,
}

pub fn build_path(path: &Path) -> Built {
    let prepared =
        pipeline::prepare_file(path).unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    finish(prepared)
}

/// Build TOML text as if it were the file at `like` (so relative files resolve).
pub fn build_text(text: &str, like: &Path) -> Built {
    let prepared = pipeline::prepare_str(like, text, like.parent().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    finish(prepared)
}

fn finish(prepared: Prepared) -> Built {
    let rendered = prepared.render(&Templates::builtin()).unwrap();
    let output = pipeline::compile(&rendered, prepared.date()).unwrap_or_else(|e| panic!("{e}"));
    let text = pdf_text(&output.pdf);
    Built {
        prepared,
        rendered,
        output,
        text,
    }
}

pub fn assert_contains_all(text: &str, needles: &[&str]) {
    for needle in needles {
        assert_contains(text, needle);
    }
}

pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(&squash(needle)), "PDF text lacks {needle:?}");
}

/// Remove one top-level table (`[name]` or every `[[name]]`) from TOML text.
pub fn without_table(toml: &str, name: &str) -> String {
    let single = format!("[{name}]");
    let array = format!("[[{name}]]");
    let mut out = String::new();
    let mut skipping = false;
    for line in toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            skipping = t == single
                || t == array
                || t.starts_with(&format!("[{name}."))
                || t.starts_with(&format!("[[{name}."));
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
