//! The operating system's errors in Japanese: for the common kinds, a sentence
//! that says what to do; the OS's own text ("No such file or directory (os
//! error 2)") is kept only as a detail after it, for whoever helps the user.

use std::io::ErrorKind;

/// What went wrong and what to do, for the kinds a user can fix.
pub fn sentence(kind: ErrorKind) -> Option<&'static str> {
    Some(match kind {
        ErrorKind::NotFound => {
            "ファイルまたはフォルダが見つかりません。名前の綴りと置き場所を確かめてください"
        }
        ErrorKind::PermissionDenied => {
            "アクセスする権限がありません。ファイル・フォルダの権限を確かめるか、書き込める場所（自分のフォルダなど）を指定してください"
        }
        ErrorKind::AlreadyExists => {
            "同じ名前のファイルかフォルダがすでにあります。別の名前を指定してください"
        }
        ErrorKind::ReadOnlyFilesystem => {
            "読み取り専用の場所です（書き込み禁止の USB メモリ・CD・共有フォルダなど）。書き込める場所を指定してください"
        }
        ErrorKind::StorageFull => {
            "ディスクの空きが足りません。不要なファイルを消して空きを作ってから、もう一度実行してください"
        }
        ErrorKind::QuotaExceeded => {
            "ディスクの使用量の上限（クォータ）を超えています。不要なファイルを消すか、管理者に上限を相談してください"
        }
        ErrorKind::InvalidFilename => {
            "ファイル名が長すぎるか、使えない文字を含んでいます。短い名前（英数字やかな漢字）にしてください"
        }
        ErrorKind::NotADirectory => {
            "パスの途中にフォルダでなくファイルがあります。フォルダの名前を確かめてください"
        }
        ErrorKind::IsADirectory => "フォルダが指定されています。ファイルの名前を指定してください",
        ErrorKind::DirectoryNotEmpty => "フォルダが空ではありません",
        ErrorKind::FileTooLarge => "ファイルが大きすぎます",
        ErrorKind::ExecutableFileBusy | ErrorKind::ResourceBusy => {
            "ファイルが他のプログラムで使われています。そのプログラム（Excel・PDF ビューアなど）を閉じてから、もう一度実行してください"
        }
        _ => return None,
    })
}

/// One cause of an error chain as the user reads it: an OS error of a known
/// kind in Japanese with the OS's text as a detail, anything else as it is.
pub fn cause(error: &(dyn std::error::Error + 'static)) -> String {
    match error.downcast_ref::<std::io::Error>() {
        Some(io) => match sentence(io.kind()) {
            Some(text) => format!("{text}（OS の詳細: {io}）"),
            None => io.to_string(),
        },
        None => error.to_string(),
    }
}

/// An error and its causes on one line, each cause in Japanese where it can
/// be (the summary CSV's エラー column).
pub fn one_line(error: &anyhow::Error) -> String {
    error.chain().map(cause).collect::<Vec<_>>().join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn common_kinds_are_japanese_and_keep_the_os_text() {
        for code in [2, 13, 17, 30, 28, 36] {
            let e = std::io::Error::from_raw_os_error(code);
            let text = cause(&e);
            assert!(sentence(e.kind()).is_some(), "{code}: {:?}", e.kind());
            assert!(text.starts_with(sentence(e.kind()).unwrap()), "{text}");
            assert!(text.contains(&format!("os error {code}")), "{text}");
        }
        let other = anyhow::anyhow!("テンプレートの誤り");
        assert_eq!(one_line(&other), "テンプレートの誤り");
    }
}
