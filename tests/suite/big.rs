//! The biggest plans and values: 5,000 devices with 500 contacts, values of
//! 100,000 characters. The suite's longest tests, in a module whose name sorts
//! first, so the test runner starts them first and the short tests fill the
//! cores around them (started last, they made the whole run wait for them).

use crate::common::scale;
use crate::common::*;
use crate::robust::{assert_fits, companions_fit_one_page, lay_out};

use cyberbcp::pipeline;

#[test]
fn five_thousand_devices_and_five_hundred_contacts_fit_their_pages() {
    let dir = tempfile::tempdir().unwrap();
    let path = scale::write_scale_facility(dir.path(), 5000, 500);
    let prepared =
        pipeline::prepare_file(&path).unwrap_or_else(|e| panic!("{e}: {:?}", e.diagnostics));
    assert_eq!(prepared.checked.devices.len(), 5000 + 2);
    let (doc, bytes) = lay_out(&prepared);
    assert_fits(&doc);
    let pages = pdf_extract::extract_text_from_mem_by_pages(&bytes).unwrap();
    // The ledger breaks across pages and repeats its header on each.
    let ledger_pages = pages.iter().filter(|p| p.contains("PC-0")).count();
    assert!(ledger_pages > 20, "{ledger_pages}");
    let with_header = pages
        .iter()
        .filter(|p| p.contains("PC-0") && squash(p).contains("管理番号"))
        .count();
    assert_eq!(
        with_header, ledger_pages,
        "every ledger page repeats the header row"
    );
    companions_fit_one_page(&prepared);
    let text = squash(&pages.concat());
    for needle in [
        "PC-00000",
        "PR-04999",
        "病棟・部門495",
        "保守事業者497株式会社",
        "関係機関499",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

/// A value 100,000 characters long, CJK with a long unbroken ASCII run.
fn huge(seed: &str) -> String {
    let unit = format!("{seed}長い値が続きます。");
    let mut s = unit.repeat(100_000 / unit.chars().count());
    s.push_str(&"X".repeat(3000));
    s.push_str("終わり");
    s
}

#[test]
fn a_100000_character_value_stays_in_its_own_text_and_on_the_page() {
    let path = fixture("pharmacy");
    let original = std::fs::read_to_string(&path).unwrap();
    let name = huge("施設名");
    let duty = huge("役割");
    let mut t: toml::Table = original.parse().unwrap();
    t["facility"]["name"] = toml::Value::String(name.clone());
    t["roles"][0]["duty"] = toml::Value::String(duty.clone());
    t["contacts"][0]["name"] = toml::Value::String(huge("連絡先"));
    let text = toml::to_string(&t).unwrap();
    let prepared = pipeline::prepare_str(&path, &text, path.parent().unwrap()).unwrap();
    let (doc, bytes) = lay_out(&prepared);
    assert_fits(&doc);
    companions_fit_one_page(&prepared);
    // Running headers (the name, shortened), footers and the table's repeated
    // header row interrupt a value that spans pages: take them out first.
    // (lib.typ's `short`: 40 characters, or back to a 、。 in the last third.)
    let head: String = name.chars().take(27).collect();
    let running = regex::Regex::new(&format!(
        r"{}[^…]{{0,13}}…サイバー攻撃を想定したBCP第[0-9.]+版|\d+/\d+ページ|役割担当部署・担当者役割の概要",
        regex::escape(&squash(&head))
    ))
    .unwrap();
    let pdf = running.replace_all(&pdf_text(&bytes), "").into_owned();
    assert!(pdf.contains(&squash(&duty)), "the whole duty is printed");
    assert!(pdf.contains(&squash(&name)), "the whole name is printed");
}
