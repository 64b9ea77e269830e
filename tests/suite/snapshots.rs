//! Snapshots of what Typst is given: review changes with `cargo insta review`.

use crate::common::*;
use cyberbcp::build;
use cyberbcp::render::Templates;

fn rendered(case: &str) -> cyberbcp::render::Rendered {
    let prepared = build::prepare_file(&fixture(case)).unwrap();
    prepared.render(&Templates::builtin()).unwrap()
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
#[test]
fn pharmacy_check_json() {
    let report = build::prepare_file(&fixture("pharmacy"))
        .unwrap()
        .coverage();
    let json = cyberbcp::cmd::check::json("facility.toml", &report);
    insta::assert_json_snapshot!(serde_json::to_value(json).unwrap());
}
