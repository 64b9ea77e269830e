use cyberbcp::cli::{self, Color, Command};
use cyberbcp::messages::{self, Printer};

fn main() {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            let args: Vec<String> = std::env::args().collect();
            let invoked = cli::invoked(&args);
            std::process::exit(Printer::new(Color::Auto).usage_error(&e, invoked))
        }
    };
    // No subcommand (double-clicked): the browser editor on facility.toml here.
    let command = cli
        .command
        .unwrap_or_else(|| Command::Edit(Default::default()));
    let printer = Printer::new(cli.color).not_done(match &command {
        Command::Edit(_) => "計画は前に保存したときのままです",
        Command::Check(_) => "確認表を判定していません",
        Command::Diff(_) => "比較していません",
        Command::Watch(_) => "PDF は作り直していません（前の PDF のままです）",
        _ => "PDF は作成していません（既存の PDF はそのままです）",
    });
    cyberbcp::output::remove_temp_files_on_signal();
    let result = match &command {
        Command::Edit(args) => cyberbcp::cmd::edit::run(args, &printer),
        Command::Build(args) => cyberbcp::cmd::build::run(args, &printer),
        Command::Check(args) => cyberbcp::cmd::check::run(args, &printer),
        Command::Diff(args) => cyberbcp::cmd::diff::run(args, &printer),
        Command::Init(args) => cyberbcp::cmd::init::run(args, &printer).map(|()| 0),
        Command::Watch(args) => cyberbcp::cmd::watch::run(args, &printer),
        Command::Schema(args) => cyberbcp::cmd::schema::run(args, &printer).map(|()| 0),
        Command::Help(args) => cyberbcp::cmd::help::run(args).map(|()| 0),
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
