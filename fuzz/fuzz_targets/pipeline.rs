//! bytes → decode → parse → validate → coverage → render → Typst compile → PDF.
//!
//! Bad input must come back as `InputErrors` (never a panic); a plan that passed
//! validation must always render and compile: a Typst error there means user
//! text changed the document's code, so it panics for libFuzzer to report.
#![no_main]

use std::path::Path;

use cyberbcp::pipeline;
use cyberbcp::render::Templates;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Relative references (CSV, diagram) resolve inside a fixture directory.
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pharmacy");
    let path = base.join("facility.toml");
    let Ok(prepared) = pipeline::prepare_bytes(&path, data, &base) else {
        return;
    };
    let report = prepared.coverage();
    assert_eq!(report.total, 27);
    let rendered = prepared
        .render(&Templates::builtin())
        .expect("a valid plan renders");
    let output = pipeline::compile(&rendered, prepared.date())
        .unwrap_or_else(|e| panic!("a valid plan failed to compile: {e}"));
    assert!(output.pdf.starts_with(b"%PDF"));
    // Keep memory flat over millions of runs.
    cyberbcp::pdf::evict_caches(0);
});
