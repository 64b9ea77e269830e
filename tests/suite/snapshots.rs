//! Snapshots of what Typst is given: review changes with `cargo insta review`.

use crate::common::*;
use cyberbcp::pipeline;
use cyberbcp::render::Templates;

/// Judged on a fixed day: the appendix prints the day it was judged on.
fn rendered(case: &str) -> cyberbcp::render::Rendered {
    let today = cyberbcp::model::Date::parse("2025-06-30").unwrap();
    let prepared = pipeline::prepare_file_on(&fixture(case), today).unwrap();
    prepared.render_on(&Templates::builtin(), today).unwrap()
}

#[test]
fn pharmacy_main_typ() {
    insta::assert_snapshot!(rendered("pharmacy").main);
}

#[test]
fn clinic_data_json() {
    let data: serde_json::Value = serde_json::from_slice(&rendered("clinic").data).unwrap();
    insta::assert_json_snapshot!(data);
}

/// The `check --format json` report: its shape is a documented interface.
/// Judged on a fixed day, so the review warnings don't change with the clock.
#[test]
fn pharmacy_check_json() {
    let today = cyberbcp::model::Date::parse("2026-07-01").unwrap();
    let report = pipeline::prepare_file(&fixture("pharmacy"))
        .unwrap()
        .coverage_on(today);
    let json = cyberbcp::export::json("facility.toml", &report);
    insta::assert_json_snapshot!(serde_json::to_value(json).unwrap());
}
