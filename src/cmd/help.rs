//! `cyberbcp help [COMMAND]`: the same text as `cyberbcp [COMMAND] --help`
//! (clap's own help subcommand only speaks English).

use crate::cli::{self, HelpArgs};

pub fn run(args: &HelpArgs) -> anyhow::Result<()> {
    let mut argv = vec!["cyberbcp"];
    argv.extend(args.command.as_deref());
    argv.push("--help");
    match cli::command().try_get_matches_from(argv) {
        Err(shown) if shown.kind() == clap::error::ErrorKind::DisplayHelp => {
            // A closed pipe (`| head`) is not an error worth a message.
            let _ = shown.print();
            Ok(())
        }
        Err(e) => Err(e.into()),
        Ok(_) => anyhow::bail!("説明を表示できませんでした"),
    }
}
