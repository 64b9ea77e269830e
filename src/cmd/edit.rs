//! `cyberbcp edit [TOML] [--port N] [--no-open]` (and `cyberbcp` alone): the
//! plan as a form in the browser, served on 127.0.0.1 with a per-run token
//! until Ctrl+C or until the last page has been closed for a while.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::EditArgs;
use crate::edit::server::Server;
use crate::edit::{Editor, MakeStarter};
use crate::messages::Printer;

/// How long the server waits for a closed page to come back (a hidden tab
/// still asks about once a minute).
const IDLE: Duration = Duration::from_secs(150);

pub fn run(args: &EditArgs, printer: &Printer) -> anyhow::Result<i32> {
    let path = args.input.clone().unwrap_or_else(default_plan);
    if path.is_dir() {
        anyhow::bail!(
            "{} はフォルダです。edit には施設の TOML ファイルを 1 つ指定します（省略するとこのフォルダの facility.toml）",
            path.display()
        );
    }
    let server = Server::bind(args.port.unwrap_or(0))?;
    // init's starter and the schema beside it (src/starter.rs, as init writes them).
    let make_starter: MakeStarter =
        Box::new(|kind, path: &Path| crate::starter::create_plan(path, kind).map(|_| ()));
    let mut editor = Editor::new(&path, server.port(), server.token(), make_starter);
    let url = server.url();
    printer.info(&format!("{} をブラウザで編集します: {url}", path.display()));
    printer.info("この URL には起動ごとの鍵が入っています。他の人に渡さないでください。終了は Ctrl+C（ページを閉じて 2 分半ほどでも終了します）");
    if !args.no_open && !open_browser(&url) {
        printer.info("ブラウザを開けませんでした。上の URL をブラウザに貼り付けてください");
    }
    server.run(&mut editor, Some(IDLE))?;
    printer.info("ページが閉じられたため終了しました");
    Ok(0)
}

/// `facility.toml` here; when started with no arguments from elsewhere
/// (double-clicked on macOS starts in the home folder), the one beside the
/// program if that exists.
fn default_plan() -> PathBuf {
    let here = PathBuf::from("facility.toml");
    if here.exists() {
        return here;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("facility.toml")))
        .filter(|p| p.exists())
        .unwrap_or(here)
}

/// The system's way to open a URL in the default browser.
fn open_browser(url: &str) -> bool {
    let mut command = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}
