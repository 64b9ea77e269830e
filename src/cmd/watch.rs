//! `cyberbcp watch facility.toml [-o plan.pdf] [--also …]`: rebuild on every
//! save; a broken edit prints its error and the last good PDF stays.

use std::time::Instant;

use anyhow::bail;

use crate::cli::WatchArgs;
use crate::messages::Printer;
use crate::output::{self, Guard};
use crate::pipeline;
use crate::watch::Watching;

pub fn run(args: &WatchArgs, printer: &Printer) -> anyhow::Result<i32> {
    if !args.input.is_file() {
        bail!(
            "{} が見つかりません（watch には施設の TOML ファイルを指定します）",
            args.input.display()
        );
    }
    let output = pipeline::output_for(&args.input, args.output.as_deref())?;
    Guard::for_plan(&args.input, args.templates.as_deref()).claim(&output)?;
    let mut watching = Watching::start(
        &args.input,
        &output,
        args.templates.as_deref(),
        &args.also,
        args.poll,
    )?;
    if let Some(why) = &watching.fell_back {
        printer.info(&format!(
            "変更通知が使えないため 0.5 秒ごとに確認します（{why}）"
        ));
    }
    printer.info(&format!(
        "{} を監視しています（Ctrl+C で終了）。保存するたびに {} を作り直します",
        args.input.display(),
        output.display()
    ));
    loop {
        let started = Instant::now();
        match watching.rebuild().and_then(|(prepared, made)| {
            output::write_checked(&made, &args.input, args.templates.as_deref())
                .map(|()| (prepared, made))
        }) {
            Ok((prepared, made)) => {
                printer.diagnostics(prepared.file(), prepared.warnings());
                printer.built(&prepared, &made, Some(started.elapsed()));
            }
            Err(e) => {
                printer.error(&e);
                printer.info(&format!(
                    "{} は前の版のままです。修正して保存してください",
                    output.display()
                ));
            }
        }
        if !watching.wait() {
            return Ok(0);
        }
    }
}
