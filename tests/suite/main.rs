//! The whole integration suite in one binary, so Typst is linked once
//! (one module per area, as mdBook's and ripgrep's test suites do).

mod cli;
mod common;
mod coverage;
mod document;
mod fidelity;
mod layout;
mod literal;
mod robust;
mod snapshots;
