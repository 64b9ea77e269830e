//! One module per subcommand.

pub mod batch;
pub mod build;
pub mod check;
pub mod init;
pub mod schema;
pub mod watch;
