//! The whole integration suite in one binary, so Typst is linked once
//! (one module per area, as mdBook's and ripgrep's test suites do).

mod authoring;
mod big;
mod browser;
mod chain;
mod cli;
mod common;
mod companions;
mod coverage;
mod diff;
mod document;
mod docx;
mod drill;
mod edit;
mod errors;
mod fidelity;
mod help;
mod hostile;
mod judging_day;
mod keywalk;
mod layers;
mod layout;
mod literal;
mod names;
mod public;
mod recovery_targets;
mod robust;
mod snapshots;
mod verdicts;
