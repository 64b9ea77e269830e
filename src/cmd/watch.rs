//! `cyberbcp watch facility.toml [-o plan.pdf] [--also …]`: rebuild on every
//! save; a broken edit prints its error and the last good PDF stays. A
//! compilation past its deadline (a template override that never ends) ends
//! the watch, as only the end of the process stops it.

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
    watching.today = args.today;
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
    // Said once, and again if the folder changes (the overrides are reloaded on every save).
    let mut stale: Vec<String> = Vec::new();
    loop {
        let started = Instant::now();
        let result = watching.rebuild().and_then(|(prepared, made)| {
            output::write_checked(&made, &args.input, args.templates.as_deref())
                .map(|()| (prepared, made))
        });
        if watching.stale_templates() != stale {
            stale = watching.stale_templates().to_vec();
            printer.stale_templates(args.templates.as_deref(), &stale);
        }
        match result {
            Ok((prepared, made)) => {
                printer.diagnostics(prepared.file(), prepared.warnings());
                printer.built(&prepared, &made, Some(started.elapsed()));
            }
            Err(e) => {
                printer.error(&e);
                if runaway(&e) {
                    // Typst cannot be stopped inside the process: watching on
                    // would leave the compilation using a CPU core in the
                    // background, and every save would start another.
                    printer.info(&format!(
                        "{} は前の版のままです。終わらない組版は止められないため監視を終了します。テンプレートを直してから watch をもう一度起動してください",
                        output.display()
                    ));
                    return Ok(1);
                }
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

/// A compilation that passed its deadline and is still running.
fn runaway(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<crate::pdf::TypstErrors>()
        .is_some_and(|e| e.unfinished)
}
