//! Files a plan references (the device ledger, the network diagram): the
//! only user files that are ever read besides the TOML, and only from inside
//! the TOML's own directory.

use std::collections::BTreeMap;
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

/// The device ledger as offices keep it: an Excel workbook (`.xlsx`, the first
/// sheet or `sheet`), or a CSV in UTF-8 (with or without BOM) or Shift_JIS
/// (CP932, what Excel's plain "CSV" saves). Told apart by content, never asked.
/// The first row names the `[[devices]]` keys or the manual's column titles.
pub fn read_ledger(path: &Path, key: &str, sheet: Option<&str>) -> Result<Vec<Device>, Diagnostic> {
    let bytes = read_referenced(path, key, limits::CSV_BYTES)?;
    parse_ledger(path, key, bytes, sheet)
}

/// A CSV ledger from bytes already read (`path` only names it in messages).
pub fn parse_csv(path: &Path, key: &str, bytes: &[u8]) -> Result<Vec<Device>, Diagnostic> {
    parse_ledger(path, key, bytes.to_vec(), None)
}

/// The ledger from bytes already read, whichever form they are in.
pub fn parse_ledger(
    path: &Path,
    key: &str,
    bytes: Vec<u8>,
    sheet: Option<&str>,
) -> Result<Vec<Device>, Diagnostic> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(path, key, bytes, sheet)?
    } else {
        if sheet.is_some() {
            return Err(Diagnostic::error(
                "device_ledger.sheet".to_string(),
                format!(
                    "{} は Excel（.xlsx）ではないため、sheet は使えません",
                    path.display()
                ),
            )
            .with_hint("CSV ならシートはありません: sheet の行を消してください"));
        }
        read_csv_table(path, key, &bytes)?
    };
    devices_from(&table, key)
}

/// A ledger read into text cells, with where each row came from.
struct Table {
    /// How errors name the place: `devices.csv`, `devices.xlsx のシート「台帳」`.
    source: String,
    headers: Vec<String>,
    /// The row's number as the user sees it (file line or sheet row), and its cells.
    rows: Vec<(usize, Vec<String>)>,
    /// Column names as letters (A, B, …) for a sheet; numbers for a CSV.
    letters: bool,
}

fn read_csv_table(path: &Path, key: &str, bytes: &[u8]) -> Result<Table, Diagnostic> {
    let text = decode_text(bytes).ok_or_else(|| {
        Diagnostic::error(
            key.to_string(),
            format!(
                "{} の文字コードが UTF-8 でも Shift_JIS でもありません",
                path.display()
            ),
        )
        .with_hint("Excel で開いて「CSV UTF-8（コンマ区切り）」か「Excel ブック（.xlsx）」で保存し直してください")
    })?;
    let source = path.display().to_string();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let fail = |e: csv::Error| {
        let line = e
            .position()
            .map(|p| format!("{} 行目: ", p.line()))
            .unwrap_or_default();
        Diagnostic::error(key.to_string(), format!("{source}: {line}{e}"))
    };
    let headers = reader
        .headers()
        .map_err(fail)?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(fail)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    Ok(Table {
        source,
        headers,
        rows,
        letters: false,
    })
}

/// UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else Shift_JIS
/// when they decode without a single invalid sequence.
fn decode_text(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_string());
    }
    let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes);
    (!had_errors).then(|| text.into_owned())
}

fn read_xlsx(
    path: &Path,
    key: &str,
    bytes: Vec<u8>,
    sheet: Option<&str>,
) -> Result<Table, Diagnostic> {
    use calamine::{Reader as _, Xlsx};
    let unreadable = |e: &dyn std::fmt::Display| {
        Diagnostic::error(
            key.to_string(),
            format!("{} を Excel ブックとして読めません（{e}）", path.display()),
        )
        .with_hint("Excel で開いて「Excel ブック（.xlsx）」で保存し直すか、CSV で保存してください")
    };
    check_unpacked_size(&bytes)
        .map_err(|why| Diagnostic::error(key.to_string(), format!("{}: {why}", path.display())))?;
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                Diagnostic::error(
                    "device_ledger.sheet".to_string(),
                    format!("{} にシート「{wanted}」がありません", path.display()),
                )
                .with_hint(format!("このブックのシート: {}", names.join("、")))
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| unreadable(&"シートがありません"))?,
    };
    // Cell by cell, not `worksheet_range`: a range is allocated for the sheet's
    // whole extent, and one far-away cell (XFD1048576) would take terabytes.
    let mut reader = book
        .worksheet_cells_reader(&name)
        .map_err(|e| unreadable(&e))?;
    let too_large = |what: String| {
        Diagnostic::error(
            key.to_string(),
            format!("{} のシート「{name}」: {what}", path.display()),
        )
    };
    let mut cells: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    let mut seen = 0usize;
    while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
        seen += 1;
        if seen > limits::XLSX_CELLS {
            return Err(too_large(format!(
                "セルが多すぎます（{} 個まで）",
                limits::XLSX_CELLS
            )));
        }
        let text = cell_text(&calamine::Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col >= limits::LEDGER_COLUMNS {
            return Err(too_large(format!(
                "{} 列に値があります（機器台帳は {} 列まで）",
                column_letter(col as usize),
                limits::LEDGER_COLUMNS
            )));
        }
        cells.entry(row).or_default().insert(col, text);
        // The header row and one more than allowed: enough to say it is too long.
        if cells.len() > limits::LEDGER_ROWS + 2 {
            return Err(too_large(format!(
                "行が多すぎます（機器台帳は {} 行まで）",
                limits::LEDGER_ROWS
            )));
        }
    }
    drop(reader);
    let first_col = cells
        .values()
        .filter_map(|r| r.keys().next())
        .min()
        .copied()
        .unwrap_or(0);
    let last_col = cells
        .values()
        .filter_map(|r| r.keys().next_back())
        .max()
        .copied()
        .unwrap_or(0);
    // Formatted but empty rows (common below the data) never got here.
    let mut rows = cells.into_iter().map(|(row, by_col)| {
        let line: Vec<String> = (first_col..=last_col)
            .map(|c| by_col.get(&c).cloned().unwrap_or_default())
            .collect();
        (row as usize + 1, line)
    });
    let first_col = first_col as usize;
    let headers = rows
        .next()
        .map(|(_, h)| h.into_iter().map(|h| h.trim().to_string()).collect())
        .unwrap_or_default();
    let mut table = Table {
        source: format!("{} のシート「{name}」", path.display()),
        headers,
        rows: rows.collect(),
        letters: true,
    };
    if first_col > 0 {
        // Keep column letters true to the sheet when the data starts right of A.
        table
            .source
            .push_str(&format!("（{} 列から）", column_letter(first_col)));
    }
    Ok(table)
}

/// What the workbook says it unpacks to, before anything is unpacked: the
/// zip reader holds each part to its stated size, so this bounds the memory
/// a ledger can take however it was made.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return Ok(()); // not a zip: calamine says so in its own words
    };
    let mut total = 0u64;
    for i in 0..zip.len() {
        let size = zip.by_index_raw(i).map(|f| f.size()).unwrap_or(0);
        total = total.saturating_add(size);
    }
    if total > limits::XLSX_UNPACKED_BYTES {
        return Err(format!(
            "Excel ブックを展開すると大きすぎます（展開後 {} まで）",
            limits::human_bytes(limits::XLSX_UNPACKED_BYTES)
        ));
    }
    Ok(())
}

/// A cell as the text a CSV would hold: whole numbers without ".0", dates as
/// 2025-04-01 (Excel keeps dates as day counts).
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// 0 → A, 25 → Z, 26 → AA.
fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (index % 26) as u8));
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// Rows → devices, each problem naming the row and the column.
fn devices_from(table: &Table, key: &str) -> Result<Vec<Device>, Diagnostic> {
    let source = &table.source;
    if let Some(bad) = table.headers.iter().find(|h| header_key(h).is_none()) {
        return Err(Diagnostic::error(
            key.to_string(),
            format!("{source}: 不明な列名「{bad}」です"),
        )
        .with_hint(format!(
            "使える列名: {}",
            COLUMNS
                .iter()
                .chain(EXTRA_COLUMNS.iter())
                .map(|(k, ja)| format!("{k}（{ja}）"))
                .collect::<Vec<_>>()
                .join("、")
        )));
    }
    let headers: csv::StringRecord = table
        .headers
        .iter()
        .map(|h| header_key(h).unwrap_or(h))
        .collect();
    let column = |i: usize| {
        let title = table.headers.get(i).map_or("", String::as_str);
        if table.letters {
            format!("{} 列（{title}）", column_letter(i))
        } else {
            format!("{} 列目（{title}）", i + 1)
        }
    };
    let mut devices = Vec::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        if devices.len() == limits::LEDGER_ROWS {
            return Err(Diagnostic::error(
                key.to_string(),
                format!(
                    "{source}: 行が多すぎます（機器台帳は {} 行まで）",
                    limits::LEDGER_ROWS
                ),
            ));
        }
        if cells.len() > headers.len() && cells[headers.len()..].iter().any(|c| !c.is_empty()) {
            return Err(Diagnostic::error(
                key.to_string(),
                format!(
                    "{source}: {line} 行目: 列の数が違います（見出しは {} 列、この行は {} 列）",
                    headers.len(),
                    cells.len()
                ),
            ));
        }
        let mut record: csv::StringRecord = cells
            .iter()
            .take(headers.len())
            .map(String::as_str)
            .collect();
        while record.len() < headers.len() {
            record.push_field("");
        }
        let device: Device = record.deserialize(Some(&headers)).map_err(|e| {
            let (at, why) = match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => (
                    err.field()
                        .map(|f| f as usize)
                        .or_else(|| failing_column(&record, &headers))
                        .map(column)
                        .unwrap_or_default(),
                    err.kind().to_string(),
                ),
                other => (String::new(), format!("{other:?}")),
            };
            Diagnostic::error(
                key.to_string(),
                format!("{source}: {line} 行目 {at}: {why}"),
            )
        })?;
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

/// Columns beyond the manual's 12 that a facility may add (they are not
/// printed in the 情報機器台帳, which keeps the manual's form): how an
/// end-of-support device is isolated, printed in 2.1.6 instead.
pub const EXTRA_COLUMNS: [(&str, &str); 1] = [("isolation", "隔離・代替措置")];

/// Other titles the manuals use for the same columns: the hospital manual's
/// ledger splits 「ソフトウェア／バージョン」 over two lines, the pharmacy
/// manual's says 「主な利用者属性」.
const ALIASES: [(&str, &str); 4] = [
    ("version", "バージョン"),
    ("users", "主な利用者属性"),
    ("isolation", "隔離措置"),
    ("isolation", "代替措置"),
];

fn header_key(header: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .chain(EXTRA_COLUMNS.iter())
        .chain(ALIASES.iter())
        .find(|(k, ja)| header == *k || header == *ja)
        .map(|(k, _)| *k)
}

/// The column whose value alone fails to deserialise: csv names the field
/// for its own errors but not for a value's (a bad date), and the user needs it.
fn failing_column(record: &csv::StringRecord, headers: &csv::StringRecord) -> Option<usize> {
    (0..record.len()).find(|&i| {
        let alone: csv::StringRecord = (0..record.len())
            .map(|j| if j == i { &record[j] } else { "" })
            .collect();
        alone.deserialize::<Device>(Some(headers)).is_err()
    })
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
    let bytes = if ext == "svg" {
        map_generic_families(&bytes)
    } else {
        bytes
    };
    Ok(Asset {
        name: format!("assets/diagram.{ext}"),
        bytes,
    })
}

/// Typst draws SVG text only in named fonts and ignores generic families, so
/// a diagram drawn with `font-family="sans-serif"` (what drawing tools write)
/// came out in the body's 明朝, wider than its boxes. Name the embedded fonts
/// instead: ゴシック for sans-serif and the like, 明朝 for serif.
fn map_generic_families(bytes: &[u8]) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(at) = rest.find("font-family") {
        let (before, after) = rest.split_at(at + "font-family".len());
        out.push_str(before);
        // `font-family="a, b"` (attribute) or `font-family: a, b;` (CSS).
        let lead = after.len()
            - after
                .trim_start_matches([' ', '\t', '\n', '\r', '=', ':'])
                .len();
        let (sep, value) = after.split_at(lead);
        out.push_str(sep);
        let (quote, value) = match value.chars().next() {
            Some(q @ ('"' | '\'')) if sep.contains('=') => (Some(q), &value[1..]),
            _ => (None, value),
        };
        if let Some(q) = quote {
            out.push(q);
        }
        let end = value
            .find(|c: char| {
                Some(c) == quote || (quote.is_none() && matches!(c, ';' | '}' | '"' | '\'' | '<'))
            })
            .unwrap_or(value.len());
        let families: Vec<String> = value[..end]
            .split(',')
            .map(|family| {
                let name = family.trim().trim_matches(['"', '\'']);
                match name {
                    "sans-serif" | "system-ui" | "ui-sans-serif" | "monospace" | "ui-monospace"
                    | "cursive" | "fantasy" => " IPAexGothic".into(),
                    "serif" | "ui-serif" => " IPAexMincho".into(),
                    _ => family.to_string(),
                }
            })
            .collect();
        out.push_str(families.join(",").trim_start());
        rest = &value[end..];
    }
    out.push_str(rest);
    out.into_bytes()
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
    fn svg_generic_families_become_embedded_fonts() {
        let map = |s: &str| String::from_utf8(map_generic_families(s.as_bytes())).unwrap();
        assert_eq!(
            map(r#"<text font-family="sans-serif">a</text>"#),
            r#"<text font-family="IPAexGothic">a</text>"#
        );
        assert_eq!(
            map(r#"<text font-family="'Noto Sans JP', serif">a</text>"#),
            r#"<text font-family="'Noto Sans JP', IPAexMincho">a</text>"#
        );
        assert_eq!(
            map("<style>text { font-family: Arial, sans-serif; }</style>"),
            "<style>text { font-family: Arial, IPAexGothic; }</style>"
        );
        assert_eq!(
            map(r#"<g font-family="IPAexGothic"/>"#),
            r#"<g font-family="IPAexGothic"/>"#
        );
    }

    #[test]
    fn ledger_text_is_utf8_or_shift_jis() {
        assert_eq!(decode_text("管理番号\n".as_bytes()).unwrap(), "管理番号\n");
        assert_eq!(decode_text(b"\xEF\xBB\xBFid\n").unwrap(), "id\n");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("管理番号,設置場所\nPC-1,①受付\n");
        assert_eq!(
            decode_text(&sjis).unwrap(),
            "管理番号,設置場所\nPC-1,①受付\n"
        );
        assert!(decode_text(b"\xFF\xFE\x00\x81").is_none());
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
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
        let devices = read_ledger(&path, "device_ledger.file", None).unwrap();
        assert_eq!(devices[0].version.as_deref(), Some("2.0"));
        assert_eq!(devices[0].hostname.as_deref(), Some("Room1のPC1"));
        assert_eq!(devices[0].users.as_deref(), Some("薬剤師・事務職員"));
    }
}
