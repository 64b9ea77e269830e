//! cyberbcp: a facility's cyber-attack BCP, from one TOML file to the printed
//! plan laid out like the MHLW ひな形.
//!
//! Dependencies point down this list (tests/suite/layers.rs checks it):
//! diag → fonts → model → coverage → checklist → schema → kit → render → pdf → docx → export → cli →
//! pipeline → output → starter → batch → watch → edit → messages → cmd. Nothing imports `cmd`.

pub mod batch;
pub mod checklist;
pub mod cli;
pub mod cmd;
pub mod coverage;
pub mod diag;
pub mod diff;
pub mod docx;
pub mod edit;
pub mod export;
pub mod fonts;
pub mod kit;
pub mod messages;
pub mod model;
pub mod output;
pub mod pdf;
pub mod pipeline;
pub mod public;
pub mod render;
pub mod schema;
pub mod starter;
pub mod watch;
