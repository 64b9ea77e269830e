//! One module per subcommand.

pub mod build;
pub mod check;
pub mod diff;
pub mod edit;
pub mod help;
pub mod init;
pub mod schema;
pub mod watch;
