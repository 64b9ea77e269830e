//! Files a plan references (the device-ledger CSV, the network diagram): the
//! only user files that are ever read besides the TOML, and only from inside
//! the TOML's own directory.

use std::path::{Path, PathBuf};

use super::Device;
use super::validate::is_plain_relative;
use crate::diag::Diagnostic;

/// A referenced file's bytes, served to Typst under a fixed virtual name.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Virtual path inside the Typst world, e.g. `assets/diagram.png`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Refuse anything that could leave the TOML's directory: absolute paths, `..`,
/// and symlinks whose target lies outside.
pub fn resolve_file(base_dir: &Path, file: &str, key: &str) -> Result<PathBuf, Diagnostic> {
    let refuse = |why: &str| {
        Diagnostic::error(key.to_string(), format!("ファイル \"{file}\" は使えません: {why}"))
            .with_hint("TOML と同じフォルダ（またはその下のフォルダ）に置き、\"devices.csv\" のような相対パスで書いてください")
    };
    if !is_plain_relative(file) {
        return Err(refuse("絶対パスや .. を含むパスは読み込みません"));
    }
    let base = base_dir
        .canonicalize()
        .map_err(|e| refuse(&format!("TOML のフォルダを開けません（{e}）")))?;
    let target = base.join(file);
    let real = match target.canonicalize() {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Diagnostic::error(
                key.to_string(),
                format!(
                    "ファイル \"{file}\" が見つかりません（{}）",
                    target.display()
                ),
            )
            .with_hint("ファイル名の綴りと置き場所（TOML と同じフォルダ）を確認してください"));
        }
        Err(e) => return Err(refuse(&format!("読めません（{e}）"))),
    };
    if !real.starts_with(&base) {
        return Err(refuse("TOML のフォルダの外を指すリンクです"));
    }
    if !real.is_file() {
        return Err(refuse("通常のファイルではありません"));
    }
    Ok(real)
}

/// The ledger CSV: UTF-8 with a header row naming the `[[devices]]` keys (or
/// the manual's Japanese column titles).
pub fn read_csv(path: &Path, key: &str) -> Result<Vec<Device>, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            key.to_string(),
            format!("{} を読めません（{e}）", path.display()),
        )
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(Diagnostic::error(
            key.to_string(),
            format!("{} の文字コードが UTF-8 ではありません", path.display()),
        )
        .with_hint("Excel では「CSV UTF-8（コンマ区切り）」で保存してください"));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, key, &e))?
        .iter()
        .map(|h| header_key(h).unwrap_or(h).to_string())
        .collect::<csv::StringRecord>();
    if let Some(bad) = headers.iter().find(|h| header_key(h).is_none()) {
        return Err(Diagnostic::error(
            key.to_string(),
            format!("{}: 不明な列名「{bad}」です", path.display()),
        )
        .with_hint(format!(
            "使える列名: {}",
            COLUMNS
                .iter()
                .map(|(k, ja)| format!("{k}（{ja}）"))
                .collect::<Vec<_>>()
                .join("、")
        )));
    }
    let mut devices = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, key, &e))?;
        let device: Device = record
            .deserialize(Some(&headers))
            .map_err(|e| csv_error(path, key, &e))?;
        devices.push(device);
    }
    Ok(devices)
}

/// The device columns: TOML key and the manual's column title.
pub const COLUMNS: [(&str, &str); 12] = [
    ("id", "管理番号"),
    ("maker", "メーカー"),
    ("os", "OS"),
    ("software", "ソフトウェア"),
    ("version", "ソフトウェアバージョン"),
    ("ip", "IPアドレス"),
    ("hostname", "コンピュータ名"),
    ("location", "設置場所"),
    ("users", "利用者"),
    ("registered", "登録日"),
    ("status", "状態"),
    ("note", "説明"),
];

/// Other titles the manuals use for the same columns: the hospital manual's
/// ledger splits 「ソフトウェア／バージョン」 over two lines, the pharmacy
/// manual's says 「主な利用者属性」.
const ALIASES: [(&str, &str); 2] = [("version", "バージョン"), ("users", "主な利用者属性")];

fn header_key(header: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .chain(ALIASES.iter())
        .find(|(k, ja)| header == *k || header == *ja)
        .map(|(k, _)| *k)
}

fn csv_error(path: &Path, key: &str, e: &csv::Error) -> Diagnostic {
    let line = e
        .position()
        .map(|p| format!("{} 行目: ", p.line()))
        .unwrap_or_default();
    let detail = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let field = err
                .field()
                .and_then(|f| COLUMNS.get(f as usize))
                .map(|(k, _)| *k);
            match field {
                Some(f) => format!("列 {f}: {}", err.kind()),
                None => err.kind().to_string(),
            }
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("列の数が違います（見出しは {expected_len} 列、この行は {len} 列）")
        }
        _ => e.to_string(),
    };
    Diagnostic::error(
        key.to_string(),
        format!("{}: {line}{detail}", path.display()),
    )
}

/// The diagram: PNG, JPEG, GIF or SVG, recognised by content, not by name.
pub fn read_image(path: &Path, key: &str) -> Result<Asset, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            key.to_string(),
            format!("{} を読めません（{e}）", path.display()),
        )
    })?;
    let ext = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        "jpg"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "gif"
    } else if is_svg(&bytes) {
        "svg"
    } else {
        return Err(Diagnostic::error(
            key.to_string(),
            format!(
                "{} は画像（PNG・JPEG・GIF・SVG）ではありません",
                path.display()
            ),
        )
        .with_hint("構成図を PNG などの画像として書き出して指定してください"));
    };
    Ok(Asset {
        name: format!("assets/diagram.{ext}"),
        bytes,
    })
}

fn is_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    head.contains("<svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manuals_other_column_titles_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.csv");
        std::fs::write(
            &path,
            "管理番号,ソフトウェア,バージョン,IPアドレス,コンピュータ名,主な利用者属性\n001,〇〇電子カルテ,2.0,192.168.0.1,Room1のPC1,薬剤師・事務職員\n",
        )
        .unwrap();
        let devices = read_csv(&path, "device_ledger.file").unwrap();
        assert_eq!(devices[0].version.as_deref(), Some("2.0"));
        assert_eq!(devices[0].hostname.as_deref(), Some("Room1のPC1"));
        assert_eq!(devices[0].users.as_deref(), Some("薬剤師・事務職員"));
    }
}
