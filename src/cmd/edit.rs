//! `cyberbcp edit [TOML] [--port N] [--no-open]` (and `cyberbcp` alone): the
//! plan as a form in the browser, served on 127.0.0.1 with a per-run token
//! until Ctrl+C or until the last page has been closed for a while.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::EditArgs;
use crate::edit::server::{Idle, Server, Stopped};
use crate::edit::{Editor, MakeStarter};
use crate::messages::Printer;

/// How long the server waits for a closed page to come back (a hidden tab
/// still asks about once a minute), and for a first page when none came
/// (double-clicked, but the browser did not open and the URL was not pasted).
const IDLE: Idle = Idle {
    closed: Duration::from_secs(150),
    unopened: Duration::from_secs(15 * 60),
};

/// Tests shorten both waits: `CYBERBCP_EDIT_IDLE=2` (seconds; not documented for users).
fn idle() -> Idle {
    std::env::var("CYBERBCP_EDIT_IDLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(IDLE, |secs| Idle {
            closed: Duration::from_secs(secs),
            unopened: Duration::from_secs(secs),
        })
}

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
    printer.info("この URL には起動ごとの鍵が入っています。他の人に渡さないでください。");
    printer.info("終了は Ctrl+C。ページを閉じて 2 分半ほどたつか、ページを一度も開かないまま 15 分たっても終了します");
    if !args.no_open && !open_browser(&url) {
        printer.info("ブラウザを開けませんでした。上の URL をブラウザに貼り付けてください");
    }
    match server.run(&mut editor, Some(idle()))? {
        Stopped::Closed => printer.info("ページが閉じられたため終了しました"),
        Stopped::NeverOpened => printer.info(
            "ページが開かれないまま時間がたったため終了しました（もう一度起動して、表示された URL をブラウザで開いてください）",
        ),
    }
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
