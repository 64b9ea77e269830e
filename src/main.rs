use clap::Parser as _;

use cyberbcp::cli::{Cli, Command};
use cyberbcp::messages::{self, Printer};

fn main() {
    let cli = Cli::parse();
    let printer = Printer::new(cli.color);
    cyberbcp::output::remove_temp_files_on_signal();
    let result = match &cli.command {
        Command::Build(args) => cyberbcp::cmd::build::run(args, &printer),
        Command::Check(args) => cyberbcp::cmd::check::run(args, &printer),
        Command::Diff(args) => cyberbcp::cmd::diff::run(args, &printer),
        Command::Init(args) => cyberbcp::cmd::init::run(args, &printer).map(|()| 0),
        Command::Watch(args) => cyberbcp::cmd::watch::run(args, &printer),
    };
    match result {
        Ok(0) => {}
        Ok(code) => std::process::exit(code),
        Err(error) => {
            printer.error(&error);
            std::process::exit(messages::exit_code(&error));
        }
    }
}
