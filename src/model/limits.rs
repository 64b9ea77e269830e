//! Size limits on what a plan may bring in, far above any real plan, so a
//! wrong file (a FIFO, /dev/zero, a 3-terapixel PNG) ends with a clear error
//! instead of a hang or an out-of-memory abort. README「制限」lists them.

use std::io::Read as _;
use std::path::Path;

/// The facility TOML.
pub const TOML_BYTES: u64 = 5 * 1024 * 1024;
/// One string value in the TOML, in characters.
pub const VALUE_CHARS: usize = 200_000;
/// The device-ledger CSV.
pub const CSV_BYTES: u64 = 20 * 1024 * 1024;
/// Rows of the device ledger (CSV and `[[devices]]` together).
pub const LEDGER_ROWS: usize = 20_000;
/// The network diagram file.
pub const IMAGE_BYTES: u64 = 50 * 1024 * 1024;
/// The network diagram's pixels (width × height), checked from the header before decoding.
pub const IMAGE_PIXELS: u64 = 50_000_000;
// Markdown nesting: `markdown::MAX_DEPTH`.

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file (FIFO, device, socket, folder): reading could block or never end.
    NotRegular(&'static str),
    TooLarge {
        limit: u64,
    },
    Io(std::io::Error),
}

impl ReadError {
    /// The reason in Japanese, for a diagnostic.
    pub fn describe(&self) -> String {
        match self {
            ReadError::NotRegular(what) => {
                format!("通常のファイルではありません（{what}）。ファイルを指定してください")
            }
            ReadError::TooLarge { limit } => {
                format!("ファイルが大きすぎます（上限 {}）", human_bytes(*limit))
            }
            ReadError::Io(e) => match e.kind() {
                std::io::ErrorKind::NotFound => "ファイルが見つかりません".into(),
                std::io::ErrorKind::PermissionDenied => "ファイルを読む権限がありません".into(),
                _ => format!("ファイルを読めません（{e}）"),
            },
        }
    }
}

pub fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{} MB", n / (1024 * 1024))
    } else {
        format!("{n} バイト")
    }
}

/// Read a regular file of at most `limit` bytes. Special files are refused
/// before they are opened (opening a FIFO blocks), and the read itself stops
/// past the limit, in case the file grows or lies about its size.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // Between the check and the open the path may have been swapped: check the handle too.
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(kind_of(&opened)));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "フォルダです";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let t = meta.file_type();
        if t.is_fifo() {
            return "名前付きパイプ（FIFO）です";
        }
        if t.is_char_device() || t.is_block_device() {
            return "デバイスです";
        }
        if t.is_socket() {
            return "ソケットです";
        }
    }
    "特殊なファイルです"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, vec![b'x'; 100]).unwrap();
        assert_eq!(read_regular(&f, 100).unwrap().len(), 100);
        assert!(matches!(
            read_regular(&f, 99),
            Err(ReadError::TooLarge { .. })
        ));
        assert!(matches!(
            read_regular(dir.path(), 99),
            Err(ReadError::NotRegular(_))
        ));
        #[cfg(unix)]
        if Path::new("/dev/zero").exists() {
            assert!(matches!(
                read_regular(Path::new("/dev/zero"), 99),
                Err(ReadError::NotRegular(_))
            ));
        }
    }
}
