//! clap's command-line errors, said in Japanese: clap's own wording is
//! English and cannot be translated, so the message is rebuilt from the
//! error's kind and context (the argument, the value, the suggestions).

use clap::error::{ContextKind, ContextValue, ErrorKind};

pub struct Explained {
    pub message: String,
    pub hints: Vec<String>,
    /// The usage line, without clap's "Usage: ".
    pub usage: Option<String>,
    /// `cyberbcp` or `cyberbcp build`: where `--help` explains more.
    pub command: String,
}

pub fn explain(error: &clap::Error, invoked: (String, Option<String>)) -> Explained {
    let text = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join(", ")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        _ => None,
    };
    let list = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => vec![],
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let value = text(ContextKind::InvalidValue).unwrap_or_default();
    let usage = text(ContextKind::Usage)
        .map(|u| {
            let u = u.trim();
            u.strip_prefix("Usage:").unwrap_or(u).trim().to_string()
        })
        .or(invoked.1);
    // "cyberbcp build [オプション] <TOML>" → "cyberbcp build".
    let command = usage
        .as_deref()
        .map(|u| {
            u.split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|c| !c.is_empty())
        .unwrap_or(invoked.0);
    let mut hints = Vec::new();
    let quoted = |v: Vec<String>| {
        v.iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    for kind in [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ] {
        let v = list(kind);
        if !v.is_empty() {
            hints.push(format!("{} のことですか？", quoted(v)));
        }
    }
    let valid = list(ContextKind::ValidValue);
    if !valid.is_empty() {
        hints.push(format!("選べる値: {}", valid.join(", ")));
    }
    let message = match error.kind() {
        ErrorKind::InvalidSubcommand => {
            let name = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            hints.push("コマンドは build・check・diff・init・watch・schema・help です".to_string());
            format!("'{name}' というコマンドはありません")
        }
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            format!("'{arg}' というオプションはありません")
        }
        ErrorKind::UnknownArgument => format!("余分な引数 '{arg}' があります"),
        ErrorKind::InvalidValue if value.is_empty() => format!("{arg} に値を指定してください"),
        ErrorKind::InvalidValue => format!("{arg} に '{value}' は指定できません"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(error)
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            format!("{arg} に '{value}' は指定できません{why}")
        }
        ErrorKind::MissingRequiredArgument => {
            format!("{arg} を指定してください")
        }
        ErrorKind::MissingSubcommand => {
            hints.push("はじめての方は cyberbcp init で施設の TOML を作ります".to_string());
            "コマンド（build・check・diff・init・watch・schema・help）を指定してください"
                .to_string()
        }
        ErrorKind::ArgumentConflict => {
            let prior = text(ContextKind::PriorArg).unwrap_or_default();
            format!("{arg} と {prior} は一緒に指定できません")
        }
        ErrorKind::NoEquals => format!("{arg} の値は = でつないで指定してください"),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{arg} に指定した値の数が違います")
        }
        ErrorKind::InvalidUtf8 => "引数に UTF-8 でない文字が含まれています".to_string(),
        _ => {
            // Not a kind users meet; keep clap's first line rather than nothing.
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or("").trim();
            let first = first.strip_prefix("error:").unwrap_or(first).trim();
            format!("コマンドラインの誤りです（{first}）")
        }
    };
    Explained {
        message,
        hints,
        usage,
        command,
    }
}
