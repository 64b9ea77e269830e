//! cyberbcp: a facility's cyber-attack BCP, from one TOML file to the printed
//! plan laid out like the MHLW ひな形.

pub mod build;
pub mod checklist;
pub mod cli;
pub mod cmd;
pub mod coverage;
pub mod diag;
pub mod diff;
pub mod export;
pub mod markdown;
pub mod messages;
pub mod model;
pub mod pdf;
pub mod public;
pub mod render;
