//! `cyberbcp schema [-o FILE]`: the facility TOML's JSON Schema, for editors
//! (VS Code's Even Better TOML / taplo) and validators.

use anyhow::Context as _;

use crate::cli::SchemaArgs;
use crate::messages::Printer;

pub fn run(args: &SchemaArgs, printer: &Printer) -> anyhow::Result<()> {
    let text = match args.base {
        true => crate::schema::base_text(),
        false => crate::schema::text(),
    };
    match &args.output {
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(text.as_bytes())
                .context("標準出力に書き込めません")?;
        }
        Some(path) => {
            crate::output::write(path, text.as_bytes())
                .with_context(|| format!("{} に書き込めません", path.display()))?;
            printer.info(&format!(
                "{} に JSON Schema を書き出しました。TOML の 1 行目に #:schema ./{} と書くとエディタが使います",
                path.display(),
                path.file_name().map_or_else(String::new, |f| f.to_string_lossy().into_owned())
            ));
        }
    }
    Ok(())
}
