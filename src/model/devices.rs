//! Files a plan references (the device-ledger CSV, the network diagram): the
//! only user files that are ever read besides the TOML, and only from inside
//! the TOML's own directory.

use std::path::{Component, Path, PathBuf};

use super::Device;
use super::limits;
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
    let bytes = read_referenced(path, key, limits::CSV_BYTES)?;
    parse_csv(path, key, &bytes)
}

/// The ledger from bytes already read (`path` only names it in messages).
pub fn parse_csv(path: &Path, key: &str, bytes: &[u8]) -> Result<Vec<Device>, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
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
        if devices.len() == limits::LEDGER_ROWS {
            return Err(Diagnostic::error(
                key.to_string(),
                format!(
                    "{}: 行が多すぎます（機器台帳は {} 行まで）",
                    path.display(),
                    limits::LEDGER_ROWS
                ),
            ));
        }
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
    let bytes = read_referenced(path, key, limits::IMAGE_BYTES)?;
    image_asset(path, key, bytes)
}

/// The diagram from bytes already read, checked (`path` only names it in messages).
pub fn image_asset(path: &Path, key: &str, bytes: Vec<u8>) -> Result<Asset, Diagnostic> {
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
    let checked = if ext == "svg" {
        check_svg(&bytes)
    } else {
        check_raster(&bytes, ext)
    };
    checked.map_err(|why| {
        Diagnostic::error(
            key.to_string(),
            format!("{} を図として使えません: {why}", path.display()),
        )
        .with_hint("図を描いたソフトで PNG か JPEG として書き出し直してください")
    })?;
    Ok(Asset {
        name: format!("assets/diagram.{ext}"),
        bytes,
    })
}

/// A referenced file: regular, within its size limit, else a diagnostic on `key`.
fn read_referenced(path: &Path, key: &str, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    limits::read_regular(path, limit).map_err(|e| {
        Diagnostic::error(
            key.to_string(),
            format!("{}: {}", path.display(), e.describe()),
        )
    })
}

/// Size from the header first (a header can claim terapixels), then a full
/// decode, so a truncated or corrupt file is caught here, not in Typst.
fn check_raster(bytes: &[u8], ext: &str) -> Result<(), String> {
    use image::ImageFormat;
    let format = match ext {
        "png" => ImageFormat::Png,
        "gif" => ImageFormat::Gif,
        _ => ImageFormat::Jpeg,
    };
    let reader = || image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let too_big = || {
        format!(
            "画像が大きすぎます（{} 万画素まで）",
            limits::IMAGE_PIXELS / 10_000
        )
    };
    let (w, h) = reader().into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => too_big(),
        e => format!("画像の形式が壊れています（{e}）"),
    })?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > limits::IMAGE_PIXELS {
        return Err(format!("{}: {w}×{h} ピクセル", too_big()));
    }
    if w == 0 || h == 0 {
        return Err("画像の幅か高さが 0 です".into());
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(limits::IMAGE_PIXELS * 8 + (64 << 20));
    let mut full = reader();
    full.limits(limits);
    full.decode()
        .map_err(|e| format!("画像が壊れているか途中で切れています（{e}）"))?;
    // The JPEG decoder fills a cut-off file with grey: require the end marker.
    if ext == "jpg" {
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if !tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
            return Err("JPEG が途中で切れています（終わりの印がありません）".into());
        }
    }
    Ok(())
}

/// Parse with the same SVG library Typst uses, and refuse links to other
/// files or the web: the diagram must be self-contained.
fn check_svg(bytes: &[u8]) -> Result<(), String> {
    use std::sync::{Arc, Mutex};
    let outside: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&outside);
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(move |href, _| {
                if let Ok(mut seen) = seen.lock() {
                    seen.push(href.to_string());
                }
                None
            }),
        },
        ..usvg::Options::default()
    };
    usvg::Tree::from_data(bytes, &options).map_err(|e| format!("SVG として読めません（{e}）"))?;
    let outside = outside.lock().map(|o| o.clone()).unwrap_or_default();
    if let Some(href) = outside.first() {
        let shown: String = href.chars().take(80).collect();
        return Err(format!(
            "SVG が外部のファイルや URL（{shown}）を参照しています。画像は SVG の中に埋め込んでください"
        ));
    }
    Ok(())
}

fn is_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    head.contains("<svg")
}

/// A referenced file must be a plain relative path inside the TOML's directory.
pub fn is_plain_relative(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && !path.contains('\\')
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_only() {
        assert!(is_plain_relative("devices.csv"));
        assert!(is_plain_relative("assets/net.png"));
        assert!(!is_plain_relative("../../etc/passwd"));
        assert!(!is_plain_relative("/etc/passwd"));
        assert!(!is_plain_relative("..\\x.png"));
    }

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
